// Command firstscreen authorizes a card payment and captures it, through a
// Router over the Smart2Pay driver talking HTTP to its in-process simulator.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

func main() {
	ctx := context.Background()
	sim := smart2paytest.NewServer() // Smart2Pay's API on a loopback port
	defer sim.Close()
	gw, err := smart2pay.New(smart2pay.Config{ // production: SiteID, APIKey, Live
		SiteID: smart2paytest.DefaultCardSiteID, APIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), HTTPClient: sim.Client(),
	})
	if err != nil {
		log.Fatal(err)
	}
	router, err := payments.NewRouter([]payments.Route{{Name: "smart2pay", Gateway: gw}},
		payments.WithStore(payments.NewMemoryStore())) // or sqlstore.Open(ctx, "sqlite:payments.db")
	if err != nil {
		log.Fatal(err)
	}
	amount, err := payments.ParseMoney("49.99", "EUR")
	if err != nil {
		log.Fatal(err)
	}
	p, err := router.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-1001", Amount: amount, // Capture: false, so authorize only
		Method: payments.Card{Holder: "Jane Doe", Number: "4111111111111111", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID, p.Status, p.Amount)
	if p, err = router.Capture(ctx, &payments.CaptureRequest{ID: p.ID}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID, p.Status, p.Captured)
}
