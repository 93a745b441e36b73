package smartpayments_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// A card sale, a declined card and a partial refund, against the in-process
// simulator.
func Example() {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
	defer srv.Close()

	gw, err := smartpayments.New(smartpayments.Config{
		MerchantKey:  smartpaymentstest.DefaultMerchantKey,
		Secret:       smartpaymentstest.DefaultSecret,
		Account:      "EUR-sandbox",
		MerchantSite: "https://shop.example",
		// Point the driver at the simulator instead of the provider.
		BaseURL:       srv.BaseURL(),
		CardBaseURL:   srv.CardBaseURL(),
		ExportBaseURL: srv.ExportBaseURL(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	pay := func(ref, amount, pan string) (*payments.Payment, error) {
		m, _ := payments.ParseMoney(amount, "EUR")
		return gw.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: ref, Amount: m, Capture: true,
			Method: payments.Card{Number: payments.CardNumber(pan), Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "30", CVV: "123"},
			Customer: &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john@example.com",
				Phone: "+442079460612", IP: "203.0.113.7"},
			BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		})
	}

	p, err := pay("order-1001", "49.99", smartpaymentstest.CardFrictionless)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID, p.Status, p.Captured)

	p, err = pay("order-1002", "10.51", smartpaymentstest.CardDeclined)
	if errors.Is(err, payments.ErrDeclined) {
		fmt.Println(p.ID, p.Status, p.Decline.Reason, p.Decline.Code)
	}

	part, _ := payments.ParseMoney("9.99", "EUR")
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: "order-1001", Amount: &part, Reason: "damaged box"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refund", r.Status, r.Amount)

	p, err = gw.Status(ctx, &payments.StatusRequest{Reference: "order-1001"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID, p.Status, "refunded", p.Refunded)
	// Output:
	// order-1001 captured 49.99 EUR
	// order-1002 failed insufficient_funds INSUFFICIENT_FUNDS_PROCESSING_ERROR
	// refund pending 9.99 EUR
	// order-1001 partially_refunded refunded 9.99 EUR
}

// Paying out to a card and reading the balance.
func ExampleGateway_Withdraw() {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithBalance("EUR-sandbox-payout", 50000))
	defer srv.Close()
	gw, err := smartpayments.New(smartpayments.Config{
		MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
		Account: "EUR-sandbox", PayoutAccount: "EUR-sandbox-payout",
		BaseURL: srv.BaseURL(), CardBaseURL: srv.CardBaseURL(), ExportBaseURL: srv.ExportBaseURL(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	amount, _ := payments.ParseMoney("120.00", "EUR")
	w, err := gw.Withdraw(ctx, &smartpayments.WithdrawalRequest{
		Reference: "payout-1", Amount: amount, CardNumber: smartpaymentstest.CardFrictionless,
		Customer: smartpayments.WithdrawalCustomer{FirstName: "John", LastName: "Doe"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Reference, w.Status, w.Amount, w.Card.Number)
	b, err := gw.Balance(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("balance", b.Available)
	// Output:
	// payout-1 pending 120.00 EUR 401200******3010
	// balance 380.00 EUR
}
