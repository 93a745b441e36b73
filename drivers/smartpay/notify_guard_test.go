package smartpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
)

// statusGate counts the Get Payment Status queries a gateway sends and, when
// held, keeps them waiting until released.
type statusGate struct {
	base    http.RoundTripper
	mu      sync.Mutex
	queries int
	hold    chan struct{} // non-nil: queries wait for it to close
	entered chan struct{} // receives once per held query
}

func (s *statusGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/payment/status/") {
		s.mu.Lock()
		s.queries++
		hold := s.hold
		s.mu.Unlock()
		if hold != nil {
			s.entered <- struct{}{}
			<-hold
		}
	}
	return s.base.RoundTrip(r)
}

func (s *statusGate) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// gatedGateway is a gateway over the simulator whose status queries pass
// through a statusGate.
func gatedGateway(t *testing.T, sim *smartpaytest.Server, mutate ...func(*smartpay.Config)) (*smartpay.Gateway, *statusGate) {
	gate := &statusGate{base: sim.Client().Transport, entered: make(chan struct{}, 64)}
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
	before := gate.count()
	gate.mu.Lock()
	gate.hold = make(chan struct{})
	gate.mu.Unlock()

	const burst = 10
	h := payments.NotificationHandler(g, nil)
	codes := make([]int, burst)
	var wg sync.WaitGroup
	serve := func(i int) {
		defer wg.Done()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, anonymousWebhook(p.ID))
		codes[i] = rec.Code
	}
	wg.Add(1)
	go serve(0)
	<-gate.entered // the first query is in flight
	for i := 1; i < burst; i++ {
		wg.Add(1)
		go serve(i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for smartpay.NotifyQueriesJoined(g, p.ID) < burst-1 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d webhooks joined the query", smartpay.NotifyQueriesJoined(g, p.ID))
		}
		time.Sleep(time.Millisecond)
	}
	close(gate.hold)
	wg.Wait()
	if n := gate.count() - before; n != 1 {
		t.Errorf("%d status queries for %d concurrent webhooks about one payment, want 1", n, burst)
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
	if n := gate.count(); n < 2 || n >= 20 {
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
	if limited == 0 || limited+gate.count() != 20 {
		t.Errorf("%d of 20 answered 503, %d queried", limited, gate.count())
	}

	// A negative bound is no bound.
	g, gate = gatedGateway(t, sim, func(c *smartpay.Config) { c.NotificationQueriesPerSecond = -1 })
	for i := range 20 {
		_, err := g.Notify(context.Background(), anonymousWebhook("00000000-0000-4000-8000-0000000008"+string(rune('a'+i))))
		if !errors.Is(err, payments.ErrUnverified) {
			t.Fatalf("unknown payment: %v", err)
		}
	}
	if gate.count() != 20 {
		t.Errorf("%d queries without a bound", gate.count())
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
		body := &countingBody{left: 1 << 20}
		r := httptest.NewRequest(http.MethodPost, "/hook", body)
		if creds[0] != "" {
			r.SetBasicAuth(creds[0], creds[1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized || body.read != 0 {
			t.Errorf("credentials %q: %d, %d body bytes read", creds, rec.Code, body.read)
		}
	}
}

// countingBody is a request body of n bytes that counts what was read.
type countingBody struct{ left, read int }

func (c *countingBody) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	c.left -= n
	c.read += n
	return n, nil
}
