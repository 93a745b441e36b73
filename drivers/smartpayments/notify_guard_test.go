package smartpayments_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/internal/inbound/inboundtest"
)

// gatedGateway is a gateway over the simulator whose POST /check queries
// pass through a QueryGate.
func gatedGateway(t *testing.T, srv *smartpaymentstest.Server, edit func(*smartpayments.Config)) (*smartpayments.Gateway, *inboundtest.QueryGate) {
	gate := inboundtest.NewQueryGate(srv.Client().Transport, func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/check")
	})
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
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
	t.Cleanup(srv.Close)
	g, gate := gatedGateway(t, srv, nil)
	_, err := g.Authorize(context.Background(), request(t, "burst-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	const burst = 10
	codes, queries := inboundtest.Burst(t, payments.NotificationHandler(g, nil), gate, burst,
		func() *http.Request { return callbackRequest(t, "burst-1", 2) },
		func() int { return smartpayments.NotifyQueriesJoined(g, "burst-1") })
	assert.Equal(t, 1, queries, "/check queries for %d concurrent callbacks about one order", burst)
	for i, c := range codes {
		assert.Equal(t, http.StatusOK, c, "callback %d", i)
	}
}

// TestCallbackChecksRateLimited: past Config.NotificationQueriesPerSecond's
// burst, anonymous callbacks send no /check and are answered 503 (the
// provider delivers them again later); a negative bound is none.
func TestCallbackChecksRateLimited(t *testing.T) {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
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
	assert.GreaterOrEqual(t, gate.Count(), 2)
	assert.Less(t, gate.Count(), 20)
	assert.Equal(t, 20, limited+gate.Count())

	g, gate = gatedGateway(t, srv, func(c *smartpayments.Config) { c.NotificationQueriesPerSecond = -1 })
	for i := range 20 {
		_, err := g.Notify(context.Background(), callbackRequest(t, "unknown-"+strconv.Itoa(i), 2))
		assert.ErrorIs(t, err, payments.ErrUnverified)
	}
	assert.Equal(t, 20, gate.Count(), "/check queries without a bound")
}
