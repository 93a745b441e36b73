package payments_test

import (
	"context"
	"fmt"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

// outage is a gateway whose provider cannot be reached: every Authorize is
// ErrUnavailable (the request never left), so a Router may fail over.
type outage struct{ payments.Gateway }

func (outage) Authorize(context.Context, *payments.AuthorizeRequest) (*payments.Payment, error) {
	return nil, &payments.Error{Code: payments.Unavailable, Provider: "primary", Message: "connection refused"}
}

// Two acquirers: the primary is down, so the payment fails over to the
// secondary. The payment lists both attempts, and later calls (capture,
// refund, status) go to the acquirer that owns it.
func ExampleRouter() {
	ctx := context.Background()
	router, err := payments.NewRouter([]payments.Route{
		{Name: "primary", Gateway: outage{memory.New(memory.Config{})}, Currencies: []payments.Currency{"EUR"}, Priority: 0},
		{Name: "secondary", Gateway: memory.New(memory.Config{}), Priority: 1},
	})
	if err != nil {
		panic(err)
	}
	amount, _ := payments.ParseMoney("25.00", "EUR")
	p, err := router.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-42",
		Amount:    amount,
		Method:    payments.Card{Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
	if err != nil {
		panic(err)
	}
	for _, a := range p.Attempts {
		fmt.Printf("attempt %-9s status=%s error=%s\n", a.Route, a.Status, string(a.Code))
	}
	p, err = router.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, p.Captured)
	// Output:
	// attempt primary   status=unknown error=unavailable
	// attempt secondary status=authorized error=
	// captured 25.00 EUR
}
