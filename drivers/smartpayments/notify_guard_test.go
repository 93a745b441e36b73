package smartpayments_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// checkGate counts the POST /check queries a gateway sends and, when held,
// keeps them waiting until released.
type checkGate struct {
	base    http.RoundTripper
	mu      sync.Mutex
	queries int
	hold    chan struct{} // non-nil: queries wait for it to close
	entered chan struct{} // receives once per held query
}

func (c *checkGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/check") {
		c.mu.Lock()
		c.queries++
		hold := c.hold
		c.mu.Unlock()
		if hold != nil {
			c.entered <- struct{}{}
			<-hold
		}
	}
	return c.base.RoundTrip(r)
}

func (c *checkGate) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries
}

func gatedGateway(t *testing.T, srv *smartpaymentstest.Server, edit func(*smartpayments.Config)) (*smartpayments.Gateway, *checkGate) {
	gate := &checkGate{base: srv.Client().Transport, entered: make(chan struct{}, 64)}
	g := simGateway(t, srv, func(c *smartpayments.Config) {
		c.HTTPClient = &http.Client{Transport: gate}
		if edit != nil {
			edit(c)
		}
	})
	return g, gate
}

// TestCallbackBurstSharesOneCheck: anonymous callbacks about one order that
// arrive while its /check is in flight send none of their own; each gets
// the checked state.
func TestCallbackBurstSharesOneCheck(t *testing.T) {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutCallbacks())
	t.Cleanup(srv.Close)
	g, gate := gatedGateway(t, srv, nil)
	_, err := g.Authorize(context.Background(), request(t, "burst-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
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
		h.ServeHTTP(rec, callbackRequest(t, "burst-1", 2))
		codes[i] = rec.Code
	}
	wg.Add(1)
	go serve(0)
	<-gate.entered // the first /check is in flight
	for i := 1; i < burst; i++ {
		wg.Add(1)
		go serve(i)
	}
	require.Eventually(t, func() bool { return smartpayments.NotifyQueriesJoined(g, "burst-1") == burst-1 },
		10*time.Second, time.Millisecond, "callbacks joining the /check in flight")
	close(gate.hold)
	wg.Wait()
	assert.Equal(t, 1, gate.count()-before, "/check queries for %d concurrent callbacks about one order", burst)
	for i, c := range codes {
		assert.Equal(t, http.StatusOK, c, "callback %d", i)
	}
}

// TestCallbackChecksRateLimited: past Config.NotificationQueriesPerSecond's
// burst, anonymous callbacks send no /check and are answered 503 (the
// provider delivers them again later); a negative bound is none.
func TestCallbackChecksRateLimited(t *testing.T) {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutCallbacks())
	t.Cleanup(srv.Close)
	g, gate := gatedGateway(t, srv, func(c *smartpayments.Config) { c.NotificationQueriesPerSecond = 1 }) // bursts of 2
	h := payments.NotificationHandler(g, nil)
	limited := 0
	for i := range 20 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, callbackRequest(t, "unknown-"+strconv.Itoa(i), 2))
		switch rec.Code {
		case http.StatusServiceUnavailable:
			limited++
			assert.NotEmpty(t, rec.Header().Get("Retry-After"))
		case http.StatusUnauthorized: // checked: the provider knows no such order
		default:
			t.Errorf("answer %d", rec.Code)
		}
	}
	// 20 callbacks in far less than the 18 s the bucket needs to refill
	// for them: at most the burst plus what refilled meanwhile was checked.
	assert.GreaterOrEqual(t, gate.count(), 2)
	assert.Less(t, gate.count(), 20)
	assert.Equal(t, 20, limited+gate.count())

	g, gate = gatedGateway(t, srv, func(c *smartpayments.Config) { c.NotificationQueriesPerSecond = -1 })
	for i := range 20 {
		_, err := g.Notify(context.Background(), callbackRequest(t, "unknown-"+strconv.Itoa(i), 2))
		assert.ErrorIs(t, err, payments.ErrUnverified)
	}
	assert.Equal(t, 20, gate.count(), "/check queries without a bound")
}
