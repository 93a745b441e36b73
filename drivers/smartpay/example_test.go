package smartpay_test

import (
	"context"
	"fmt"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/simulator"
)

// A prepayment invoice against the in-process simulator: the buyer is
// shown the transactionReference, pays by bank transfer (simulated by
// PayInvoice, which settles the payment), and the merchant sees the payment
// captured. SmartPay answers CAPTURED to a new prepayment, as its document
// does; the driver reports it captured only once it is SETTLED. A refund
// stays pending: the documents define no status value for a completed one.
func Example() {
	sim := smartpaytest.NewServer()
	defer sim.Close()

	gw, err := smartpay.New(smartpay.Config{
		MerchantKey:       smartpaytest.DefaultMerchantKey,
		AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL:           sim.BaseURL(), // the SmartPay BaseURL given at onboarding
		Origin:            "https://shop.example",
		HTTPClient:        sim.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	amount, _ := payments.ParseMoney("49.99", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-1001",
		Amount:    amount,
		Method:    payments.Invoice{Type: payments.InvoicePrepayment},
		Customer:  &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		BillingAddress: &payments.Address{
			Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE",
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Action.Type, "reference to quote:", p.Action.Reference != "")

	_ = sim.PayInvoice(p.ID) // the buyer transfers the money

	p, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Captured, p.ProviderStatus)

	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &amount, IdempotencyKey: "refund-order-1001"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refund", r.Status, r.Amount)
	// Output:
	// requires_action display reference to quote: true
	// captured 49.99 EUR SETTLED
	// refund pending 49.99 EUR
}

// A checkout for the SmartPay widget: the token goes to the buyer's
// browser, the result is read with Status (or a notification).
func ExampleGateway_CreateCheckout() {
	sim := smartpaytest.NewServer()
	defer sim.Close()
	gw, _ := smartpay.New(smartpay.Config{
		MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL: sim.BaseURL(), Origin: "https://shop.example", HTTPClient: sim.Client(),
	})
	amount, _ := payments.ParseMoney("120.00", "EUR")
	c, err := gw.CreateCheckout(context.Background(), &payments.AuthorizeRequest{
		Reference:      "order-1002",
		Amount:         amount,
		Method:         payments.HostedPage{},
		Customer:       &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		BillingAddress: &payments.Address{Line1: "Main St 1", City: "Austin", PostalCode: "73301", State: "TX", Country: "US"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Payment.Status, c.CheckoutToken != "")

	_ = sim.Complete(c.TransactionID, simulator.Success) // the buyer pays in the widget
	p, _ := gw.Status(context.Background(), &payments.StatusRequest{ID: c.TransactionID})
	fmt.Println(p.Status)
	// Output:
	// requires_action true
	// authorized
}
