package httpx

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/faultnet"
)

// A redirect is never followed, with the default client or the caller's:
// following a 307/308 sends the body again (a card number to another host)
// and, on the same host name, the Authorization header (to another port).
// A money-moving call that got one may have been acted on: OutcomeUnknown.
// A query's redirect is no answer: Integrity, not retried.
func TestRedirectsNeverFollowed(t *testing.T) {
	clients := map[string]func() *http.Client{
		"default-client": func() *http.Client { return nil },
		"caller-client":  func() *http.Client { return &http.Client{} },
	}
	want := map[Safety]payments.Code{MoneyMoving: payments.OutcomeUnknown, Deduped: payments.OutcomeUnknown, Query: payments.Integrity}
	safetyName := map[Safety]string{MoneyMoving: "money-moving", Deduped: "deduped", Query: "query"}
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, to := range []faultnet.RedirectTarget{faultnet.OtherHost, faultnet.SameHostOtherPort} {
			for cname, hc := range clients {
				for safety, wantCode := range want {
					t.Run(fmt.Sprintf("%d/%s/%s/%s", code, to, cname, safetyName[safety]), func(t *testing.T) {
						rd := faultnet.NewRedirector(code, to)
						defer rd.Close()
						c := New(Config{Provider: "test", HTTPClient: hc(), Retry: policy, Sleep: (&recorder{}).sleep})
						c.SetBasicAuth("merchant", "api-secret")
						_, err := c.Do(context.Background(), Call{Op: "authorize", Method: http.MethodPost, URL: rd.URL() + "/pay?x=1",
							Body: map[string]string{"card_number": "4111111111111111", "cvv": "737"}, Safety: safety})
						assert.Empty(t, rd.Leaked(), "the redirect was followed: body and credentials went to its target")
						require.ErrorIs(t, err, wantCode)
						assert.False(t, payments.Retryable(err))
						assert.False(t, payments.CanCascade(err))
						var pe *payments.Error
						require.ErrorAs(t, err, &pe)
						assert.Equal(t, code, pe.HTTPStatus)
						assert.Equal(t, 1, rd.Hits(), "a redirect is not retried")
					})
				}
			}
		}
	}
}

// The caller's client is copied, never modified: http.DefaultClient is
// shared by the whole process.
func TestCallerClientNotModified(t *testing.T) {
	saved := *http.DefaultClient
	t.Cleanup(func() { *http.DefaultClient = saved })
	rd := faultnet.NewRedirector(http.StatusTemporaryRedirect, faultnet.SameHostOtherPort)
	defer rd.Close()
	c := New(Config{Provider: "test", HTTPClient: http.DefaultClient})
	_, err := c.Do(context.Background(), Call{Op: "status", Method: http.MethodGet, URL: rd.URL(), Safety: Query})
	require.ErrorIs(t, err, payments.ErrIntegrity)
	assert.True(t, http.DefaultClient.Transport == nil, "Transport set on http.DefaultClient")
	assert.True(t, http.DefaultClient.CheckRedirect == nil, "CheckRedirect set on http.DefaultClient")
	assert.True(t, http.DefaultClient.Jar == nil)
	assert.Equal(t, saved.Timeout, http.DefaultClient.Timeout)

	own := &http.Client{Transport: http.DefaultTransport}
	_ = New(Config{Provider: "test", HTTPClient: own})
	assert.Nil(t, own.CheckRedirect)
	assert.Equal(t, http.DefaultTransport, own.Transport)
}

// A caller's client without a Timeout is still bounded by Config.Timeout:
// against a server that reads the request and never answers, the call ends
// with the class of "sent, no answer".
func TestCallerClientWithoutTimeoutIsBounded(t *testing.T) {
	silent, err := faultnet.NewProxy("127.0.0.1:9")
	require.NoError(t, err)
	silent.SetMode(faultnet.Blackhole)
	defer silent.Close()
	for safety, want := range map[Safety]payments.Code{MoneyMoving: payments.OutcomeUnknown, Query: payments.Unavailable} {
		c := New(Config{Provider: "test", HTTPClient: &http.Client{}, Timeout: 100 * time.Millisecond})
		done := make(chan error, 1)
		go func() {
			_, err := c.Do(context.Background(), Call{Op: "op", Method: http.MethodPost, URL: silent.URL(), Body: []byte(`{}`), Safety: safety})
			done <- err
		}()
		select {
		case err := <-done:
			require.ErrorIs(t, err, want)
		case <-time.After(time.Minute): // a deadlock guard, not a timing assertion
			t.Fatal("the call was not bounded by Config.Timeout")
		}
	}
}

// deadlineTransport records the deadline of each request's context.
type deadlineTransport struct {
	deadline atomic.Pointer[time.Time]
	set      atomic.Bool
}

func (d *deadlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if dl, ok := r.Context().Deadline(); ok {
		d.deadline.Store(&dl)
		d.set.Store(true)
	}
	rec := httptest.NewRecorder()
	rec.WriteHeader(http.StatusOK)
	return rec.Result(), nil
}

// Without Config.Timeout every attempt still has a deadline: DefaultTimeout
// from the attempt's start. (Removing the default fails this test.)
func TestDefaultTimeout(t *testing.T) {
	assert.Equal(t, DefaultTimeout, New(Config{}).Timeout())
	tr := &deadlineTransport{}
	c := New(Config{Provider: "test", HTTPClient: &http.Client{Transport: tr}})
	before := time.Now()
	_, err := c.Do(context.Background(), Call{Op: "status", Method: http.MethodGet, URL: "http://provider.invalid/status", Safety: Query})
	after := time.Now()
	require.NoError(t, err)
	require.True(t, tr.set.Load(), "the request had no deadline")
	dl := *tr.deadline.Load()
	assert.False(t, dl.Before(before.Add(DefaultTimeout)) || dl.After(after.Add(DefaultTimeout)), "deadline %v is not DefaultTimeout from the attempt", dl)
}

// A context done before anything is sent: ErrUnavailable (safe to retry or
// cascade), whatever the call, and nothing reaches the server.
func TestDoneContextIsNotSent(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range []Safety{MoneyMoving, Deduped, Query} {
		c := New(Config{Provider: "test", HTTPClient: srv.Client(), Retry: policy, Sleep: (&recorder{}).sleep})
		_, err := c.Do(ctx, Call{Op: "authorize", Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`), Safety: s})
		require.ErrorIs(t, err, payments.ErrUnavailable, "safety %d", s)
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.Zero(t, hits.Load())
}
