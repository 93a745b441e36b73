package smart2pay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// A card sale, a partial refund, and an alternative-method payment the
// customer completes on the payment page, with the notification the
// merchant's handler receives. Everything runs offline against the
// simulator.
func Example() {
	ctx := context.Background()
	sim := smart2paytest.NewServer()
	defer sim.Close()

	gw, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), HTTPClient: sim.Client(),
	})
	if err != nil {
		panic(err)
	}

	// The merchant's notification endpoint: GlobalPay wants 204 No Content.
	notified := make(chan *payments.Notification, 10)
	merchant := httptest.NewServer(payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
		notified <- n
		return nil
	}))
	defer merchant.Close()
	sim.SetNotificationURL(merchant.URL)

	// A card sale on the direct card host.
	amount, _ := payments.ParseMoney("20.00", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-1001", Amount: amount, Capture: true,
		Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2030", CVV: "312"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.ID, p.Status, p.ProviderStatus, p.Captured)

	part, _ := payments.ParseMoney("5.00", "EUR")
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &part, Reason: "one item returned"})
	if err != nil {
		panic(err)
	}
	fmt.Println("refund", r.Status, r.Amount)

	// GlobalPay's hosted page: the customer is sent to Action.URL.
	hp, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-1002", Amount: amount, Capture: true, Method: payments.HostedPage{},
		ReturnURLs:     payments.ReturnURLs{Success: "https://shop.example/return"},
		BillingAddress: &payments.Address{Country: "DE"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(hp.ID, hp.Status, hp.Action.Type)

	// The customer pays on the page and is sent back to the ReturnURL.
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(hp.Action.URL, url.Values{"result": {"success"}})
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	ret, _ := smart2pay.ParseReturn(back.Query())
	fmt.Println("customer back with data", ret.Data, "for", ret.Reference, "(a hint, not proof)")

	// The proof is the notification.
	_ = sim.WaitIdle(ctx)
	for len(notified) > 0 {
		n := <-notified
		if n.Payment != nil && n.Payment.ID == hp.ID {
			fmt.Println("notified:", n.Payment.ID, n.Payment.ProviderStatus, smart2pay.CheckAmount(n, amount) == nil)
		}
	}

	// Output:
	// card:210001 captured 11 Captured 20.00 EUR
	// refund succeeded 5.00 EUR
	// 2700001 requires_action redirect
	// customer back with data 2 for order-1002 (a hint, not proof)
	// notified: 2700001 2 Success true
}

// Listing payments page by page with the document's filters.
func ExampleGateway_ListPayments() {
	ctx := context.Background()
	sim := smart2paytest.NewServer()
	defer sim.Close()
	gw, _ := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), HTTPClient: sim.Client(),
	})
	for i, amount := range []string{"1.00", "2.50", "9.99"} {
		m, _ := payments.ParseMoney(amount, "EUR")
		_, _ = gw.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: fmt.Sprintf("order-%d", i), Amount: m, Capture: true, Method: payments.ProviderMethod{ID: "2"},
			ReturnURLs: payments.ReturnURLs{Success: "https://shop.example/return"},
		})
	}
	min, _ := payments.ParseMoney("2.00", "EUR")
	for p, err := range gw.ListPayments(ctx, smart2pay.ListFilter{Limit: 1, MinimumAmount: &min}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Reference, p.Amount, p.ProviderStatus)
	}
	// Output:
	// order-2 9.99 EUR 1 Open
	// order-1 2.50 EUR 1 Open
}

// A replayed notification through a plain payments.NotificationHandler.
// GlobalPay signs no body and the driver keeps no state, so an older
// notification delivered again (late, or replayed by anyone who saw it)
// reports the older state: here an authorization after the capture. Only a
// payments.Router enforces forward-only transitions (it keeps the record).
// Without one, the callback compares the notified status with its own
// record and refuses a move back with payments.Status.CanTransition,
// acknowledging the notification (nil) so that it is not delivered again.
func Example_replayedNotification() {
	ctx := context.Background()
	sim := smart2paytest.NewServer()
	defer sim.Close()
	gw, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), HTTPClient: sim.Client(),
	})
	if err != nil {
		panic(err)
	}

	// The merchant's own record of each payment's status.
	var mu sync.Mutex
	stored := map[string]payments.Status{}
	h := payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
		if n.Payment == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if cur, ok := stored[n.Payment.ID]; ok && !cur.CanTransition(n.Payment.Status) {
			fmt.Println("notified", n.Payment.Status, "- refused: the record says", cur)
			return nil
		}
		stored[n.Payment.ID] = n.Payment.Status
		fmt.Println("notified", n.Payment.Status, "- recorded")
		return nil
	})
	// The endpoint keeps a copy of each delivery, to replay one later.
	type delivery struct {
		auth string
		body []byte
	}
	var seen []delivery
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, delivery{r.Header.Get("Authorization"), body})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	defer merchant.Close()
	sim.SetNotificationURL(merchant.URL)

	amount, _ := payments.ParseMoney("20.00", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-2001", Amount: amount,
		Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2030", CVV: "312"},
	})
	if err != nil {
		panic(err)
	}
	_ = sim.WaitIdle(ctx)
	if _, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID}); err != nil {
		panic(err)
	}
	_ = sim.WaitIdle(ctx)

	// The authorization's notification, delivered again.
	mu.Lock()
	first := seen[0]
	mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, merchant.URL, bytes.NewReader(first.body))
	req.Header.Set("Authorization", first.auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	mu.Lock()
	fmt.Println("replay answered", resp.StatusCode, "; record:", stored[p.ID])
	mu.Unlock()

	// Output:
	// notified authorized - recorded
	// notified captured - recorded
	// notified authorized - refused: the record says captured
	// replay answered 204 ; record: captured
}
