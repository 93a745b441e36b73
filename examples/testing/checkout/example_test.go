package checkout_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/examples/testing/checkout"
)

// The checkout against the in-memory gateway: each test card gives a
// different outcome.
func Example() {
	shop := &checkout.Shop{
		Gateway:   memory.New(memory.Config{}),
		ReturnURL: "https://shop.example/return",
		MarkPaid: func(_ context.Context, orderID string, p *payments.Payment) error {
			fmt.Println("MarkPaid:", orderID, p.Captured)
			return nil
		},
	}
	for i, card := range []payments.CardNumber{memory.CardApproved, memory.CardInsufficientFunds, memory.CardThreeDS} {
		res, err := shop.Pay(context.Background(), order(fmt.Sprint("order-", i), "49.99", card))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(strings.TrimSpace(res.Outcome.String() + " " + res.Message))
	}
	// Output:
	// MarkPaid: order-0 49.99 EUR
	// paid
	// declined Your bank declined the payment. Please use another card.
	// redirect
}
