package benchutil

import (
	"github.com/gopayments/payments"
)

// CardSale is the request every Authorize benchmark sends: a one-step card
// sale of 20.00 EUR with the customer, billing address and return URLs a
// real checkout carries.
func CardSale(ref string, card payments.Card) *payments.AuthorizeRequest {
	amount, err := payments.ParseMoney("20.00", "EUR")
	if err != nil {
		panic(err)
	}
	return &payments.AuthorizeRequest{
		Reference: ref,
		Amount:    amount,
		Capture:   true,
		Method:    card,
		Customer: &payments.Customer{
			FirstName: "John", LastName: "Doe", Email: "john.doe@example.com", Phone: "+442079460612", IP: "192.0.2.10",
		},
		BillingAddress: &payments.Address{
			Line1: "1 Main Street", City: "Berlin", PostalCode: "10115", Country: "DE",
		},
		Description: "Benchmark order",
		ReturnURLs: payments.ReturnURLs{
			Success: "https://shop.example.com/return/success",
			Failure: "https://shop.example.com/return/failure",
			// Loopback: no simulator may ever post beyond this machine.
			Notification: "http://127.0.0.1:9/notify",
		},
	}
}
