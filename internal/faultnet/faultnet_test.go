package faultnet_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/internal/httpx"
)

// TestTaxonomy sends one money-moving and one query call through every
// fault and checks the error class httpx derives, and that the server saw
// the request exactly when the fault forwards it.
func TestTaxonomy(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":2,"order_id":"o1"}`))
	}))
	defer srv.Close()

	for _, f := range faultnet.All() {
		for _, safety := range []httpx.Safety{httpx.MoneyMoving, httpx.Query} {
			hits.Store(0)
			ft := faultnet.New(srv.Client().Transport)
			ft.Inject(nil, f, 1)
			c := httpx.New(httpx.Config{Provider: "t", HTTPClient: &http.Client{Transport: ft}, MaxBodyBytes: 1 << 20})
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			resp, err := c.Do(ctx, httpx.Call{Op: "op", Method: "POST", URL: srv.URL, Body: []byte(`{}`), Safety: safety})
			cancel()
			if err == nil && resp.OK() {
				var v map[string]any
				err = httpx.DecodeJSON("t", safety, "op", resp, &v)
			}
			require.Error(t, err, "%s must not pass as success", f)
			wantForward := f.Forwarded()
			assert.Equal(t, wantForward, hits.Load() == 1, "%s: forwarded", f)
			switch {
			case !f.Forwarded() && (f == faultnet.Refused || f == faultnet.ResetBeforeWrite):
				assert.ErrorIs(t, err, payments.ErrUnavailable, "%s/%d", f, safety)
				assert.True(t, payments.Retryable(err))
			case f == faultnet.RateLimited:
				assert.ErrorIs(t, err, payments.ErrRateLimited, "%s/%d", f, safety)
			case safety == httpx.MoneyMoving:
				assert.ErrorIs(t, err, payments.ErrOutcomeUnknown, "%s/%d: %v", f, safety, err)
			default:
				assert.True(t, payments.CodeOf(err) == payments.Unavailable || payments.CodeOf(err) == payments.Integrity, "%s/%d: %v", f, safety, err)
			}
		}
	}
}

func TestProxyModes(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	p, err := faultnet.NewProxy(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer p.Close()
	c := httpx.New(httpx.Config{Provider: "t", Timeout: 2 * time.Second})

	resp, err := c.Do(context.Background(), httpx.Call{Op: "op", Method: "POST", URL: p.URL(), Body: []byte(`{}`), Safety: httpx.MoneyMoving})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)

	// A mode applies to new connections: use a fresh client (pool).
	p.SetMode(faultnet.ResetAfterRequest)
	hits.Store(0)
	c = httpx.New(httpx.Config{Provider: "t", Timeout: 2 * time.Second})
	_, err = c.Do(context.Background(), httpx.Call{Op: "op", Method: "POST", URL: p.URL(), Body: []byte(`{}`), Safety: httpx.MoneyMoving})
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
	assert.Equal(t, int32(1), hits.Load(), "the server processed it once")

	p.SetMode(faultnet.Blackhole)
	c = httpx.New(httpx.Config{Provider: "t", Timeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, httpx.Call{Op: "op", Method: "POST", URL: p.URL(), Body: []byte(`{}`), Safety: httpx.MoneyMoving})
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
}
