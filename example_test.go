package payments_test

import (
	"errors"
	"fmt"

	"github.com/gopayments/payments"
)

func ExampleParseMoney() {
	m, err := payments.ParseMoney("10.5", "eur")
	if err != nil {
		panic(err)
	}
	fmt.Println(m)

	_, err = payments.ParseMoney("10.555", "EUR")
	fmt.Println(err)
	// Output:
	// 10.50 EUR
	// payments: invalid_request: amount: 10.555 has more fraction digits than EUR allows (2)
}

func ExampleMoney_Minor() {
	for _, s := range [][2]string{{"10.50", "EUR"}, {"1000", "JPY"}, {"1.5", "KWD"}} {
		m, _ := payments.ParseMoney(s[0], s[1])
		units, _ := m.Minor()
		fmt.Println(m, "=", units, "minor units")
	}
	back, _ := payments.MoneyFromMinor(1050, "EUR")
	fmt.Println(back)
	// Output:
	// 10.50 EUR = 1050 minor units
	// 1000 JPY = 1000 minor units
	// 1.500 KWD = 1500 minor units
	// 10.50 EUR
}

func ExampleError_declined() {
	// What a driver returns for a declined card: the Payment and an error.
	var err error = fmt.Errorf("checkout: %w", &payments.Error{
		Code:         payments.Declined,
		Provider:     "smartpayments",
		ProviderCode: "INSUFFICIENT_FUNDS_PROCESSING_ERROR",
		Decline:      &payments.Decline{Reason: payments.DeclineInsufficientFunds},
	})
	switch {
	case errors.Is(err, payments.ErrDeclined):
		var pe *payments.Error
		errors.As(err, &pe)
		fmt.Println("declined:", pe.Decline.Reason, "- try another acquirer?", payments.CanCascade(err))
	case errors.Is(err, payments.ErrOutcomeUnknown):
		fmt.Println("reconcile with Status before doing anything else")
	}
	// Output:
	// declined: insufficient_funds - try another acquirer? false
}

func ExampleStatus_CanTransition() {
	fmt.Println(payments.StatusAuthorized.CanTransition(payments.StatusCaptured))
	fmt.Println(payments.StatusCaptured.CanTransition(payments.StatusAuthorized))
	// Output:
	// true
	// false
}
