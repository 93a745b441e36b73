package smartpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/internal/inbound/inboundtest"
)

// gatedGateway is a gateway over the simulator whose Get Payment Status
// queries pass through a QueryGate.
func gatedGateway(t *testing.T, sim *smartpaytest.Server, mutate ...func(*smartpay.Config)) (*smartpay.Gateway, *inboundtest.QueryGate) {
	gate := inboundtest.NewQueryGate(sim.Client().Transport, func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/payment/status/")
	})
	g := newGateway(t, sim, append([]func(*smartpay.Config){func(c *smartpay.Config) {
		c.HTTPClient = &http.Client{Transport: gate}
	}}, mutate...)...)
	return g, gate
}

// anonymousWebhook is an unauthenticated webhook about transaction id.
func anonymousWebhook(id string) *http.Request {
	body, _ := json.Marshal(map[string]any{"id": "evt", "objectId": id, "objectType": "payment", "eventType": "updated"})
	r := httptest.NewRequest(http.MethodPost, "https://shop.example/hook", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// TestNotifyBurstSharesOneQuery: anonymous webhooks about one payment that
// arrive while its confirming query is in flight make no query of their
// own; each gets the confirmed state.
func TestNotifyBurstSharesOneQuery(t *testing.T) {
	ctx := context.Background()
	sim := smartpaytest.NewServer()
	t.Cleanup(sim.Close)
	g, gate := gatedGateway(t, sim)
	p, err := g.Authorize(ctx, invoiceRequest("burst-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	const burst = 10
	codes, queries := inboundtest.Burst(t, payments.NotificationHandler(g, nil), gate, burst,
		func() *http.Request { return anonymousWebhook(p.ID) },
		func() int { return smartpay.NotifyQueriesJoined(g, p.ID) })
	if queries != 1 {
		t.Errorf("%d status queries for %d concurrent webhooks about one payment, want 1", queries, burst)
	}
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("webhook %d answered %d", i, c)
		}
	}
}

// TestNotifyQueriesRateLimited: past Config.NotificationQueriesPerSecond's
// burst, anonymous webhooks about other payments send no query and are
// answered 503 (the provider delivers them again later).
func TestNotifyQueriesRateLimited(t *testing.T) {
	sim := smartpaytest.NewServer()
	t.Cleanup(sim.Close)
	g, gate := gatedGateway(t, sim, func(c *smartpay.Config) { c.NotificationQueriesPerSecond = 1 }) // bursts of 2
	h := payments.NotificationHandler(g, nil)
	var codes []int
	for i := range 20 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, anonymousWebhook("00000000-0000-4000-8000-0000000009"+string(rune('a'+i))))
		codes = append(codes, rec.Code)
	}
	// 20 webhooks in far less than the 18 s the bucket needs to refill for
	// them: at most the burst plus what refilled meanwhile got a query.
	if n := gate.Count(); n < 2 || n >= 20 {
		t.Errorf("%d status queries for 20 webhooks at 1/s with bursts of 2", n)
	}
	limited := 0
	for _, c := range codes {
		switch c {
		case http.StatusServiceUnavailable:
			limited++
		case http.StatusUnauthorized: // an unknown payment, confirmed unknown
		default:
			t.Errorf("answer %d", c)
		}
	}
	if limited == 0 || limited+gate.Count() != 20 {
		t.Errorf("%d of 20 answered 503, %d queried", limited, gate.Count())
	}

	// A negative bound is no bound.
	g, gate = gatedGateway(t, sim, func(c *smartpay.Config) { c.NotificationQueriesPerSecond = -1 })
	for i := range 20 {
		_, err := g.Notify(context.Background(), anonymousWebhook("00000000-0000-4000-8000-0000000008"+string(rune('a'+i))))
		if !errors.Is(err, payments.ErrUnverified) {
			t.Fatalf("unknown payment: %v", err)
		}
	}
	if gate.Count() != 20 {
		t.Errorf("%d queries without a bound", gate.Count())
	}
}

// TestNotifyAuthenticatesBeforeReading: with NotificationAuth, a 1 MiB
// webhook without the credentials is refused 401 by NotificationHandler
// before a byte of its body is read.
func TestNotifyAuthenticatesBeforeReading(t *testing.T) {
	sim := smartpaytest.NewServer()
	t.Cleanup(sim.Close)
	g := newGateway(t, sim, func(c *smartpay.Config) {
		c.NotificationAuth = &smartpay.NotificationAuth{Username: "hook", Password: "secret"}
	})
	h := payments.NotificationHandler(g, nil)
	for _, creds := range [][2]string{{}, {"hook", ""}, {"hook", "guess"}} {
		body := inboundtest.NewCountingBody(1 << 20)
		r := httptest.NewRequest(http.MethodPost, "/hook", body)
		if creds[0] != "" {
			r.SetBasicAuth(creds[0], creds[1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized || body.BytesRead != 0 {
			t.Errorf("credentials %q: %d, %d body bytes read", creds, rec.Code, body.BytesRead)
		}
	}
}
