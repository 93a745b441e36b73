package smart2pay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// simConfig is the driver's Config for a simulator with its default
// credentials (the document's: site 30201 and card site 1010).
func simConfig(sim *smart2paytest.Server) smart2pay.Config {
	return smart2pay.Config{
		SiteID:      smart2paytest.DefaultSiteID,
		APIKey:      smart2paytest.DefaultAPIKey,
		CardSiteID:  smart2paytest.DefaultCardSiteID,
		CardAPIKey:  smart2paytest.DefaultCardAPIKey,
		BaseURL:     sim.BaseURL(),
		CardBaseURL: sim.CardBaseURL(),
		HTTPClient:  sim.Client(),
	}
}

// newSim starts a simulator and a driver talking to it.
func newSim(t testing.TB, opts ...smart2paytest.Option) (*smart2paytest.Server, *smart2pay.Gateway) {
	t.Helper()
	sim := smart2paytest.NewServer(opts...)
	t.Cleanup(sim.Close)
	gw, err := smart2pay.New(simConfig(sim))
	if err != nil {
		t.Fatal(err)
	}
	return sim, gw
}

func money(t testing.TB, amount, currency string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(amount, currency)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func moneyPtr(t testing.TB, amount, currency string) *payments.Money {
	m := money(t, amount, currency)
	return &m
}

// testCard is the document's test card with an expiry in the future.
func testCard() payments.Card {
	return payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "312"}
}

func cardRequest(t testing.TB, ref, amount string, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{Reference: ref, Amount: money(t, amount, "EUR"), Capture: capture, Method: testCard()}
}

func apmRequest(t testing.TB, ref, amount, currency string, method payments.PaymentMethod) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: money(t, amount, currency), Capture: true, Method: method,
		ReturnURLs:     payments.ReturnURLs{Success: "http://shop.example/return"},
		BillingAddress: &payments.Address{Country: "DE"},
	}
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// merchant is a notification endpoint: payments.NotificationHandler over
// the driver, recording what it accepted.
type merchant struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []*payments.Notification
}

func newMerchant(t testing.TB, gw payments.Gateway) *merchant {
	m := &merchant{}
	h := payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
		m.mu.Lock()
		m.got = append(m.got, n)
		m.mu.Unlock()
		return nil
	})
	m.srv = httptest.NewServer(h)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) notifications() []*payments.Notification {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*payments.Notification(nil), m.got...)
}

// basic returns a Basic Authorization header value.
func basic(site, key string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(site, key)
	return r.Header.Get("Authorization")
}

// notification builds a POST like GlobalPay's.
func notification(auth, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
