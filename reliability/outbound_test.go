package reliability_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/internal/faultnet"
)

// Outbound calls: redirects, timeouts and done contexts, for every driver.

// directGateway builds the named driver with every host at base, the
// simulators' default credentials, hc (nil: the driver's own client) and
// timeout (0: the driver's default).
func directGateway(t *testing.T, name, base string, hc *http.Client, timeout time.Duration) payments.Gateway {
	t.Helper()
	var g payments.Gateway
	var err error
	switch name {
	case smartpayments.Name:
		g, err = smartpayments.New(smartpayments.Config{
			MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
			Account: "EUR-sandbox", MerchantSite: "https://merchant.example",
			BaseURL: base, CardBaseURL: base, ExportBaseURL: base, HTTPClient: hc, Timeout: timeout,
		})
	case smart2pay.Name:
		g, err = smart2pay.New(smart2pay.Config{
			SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
			BaseURL: base, CardBaseURL: base, HTTPClient: hc, Timeout: timeout,
		})
	case smartpay.Name:
		g, err = smartpay.New(smartpay.Config{
			MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
			BaseURL: base, Origin: "https://shop.example", HTTPClient: hc, Timeout: timeout,
		})
	default:
		t.Fatalf("no driver %q", name)
	}
	require.NoError(t, err)
	return g
}

// directRequest is the rig's payment of the driver: a card (its number in
// the body) for SmartPayments and Smart2Pay, an invoice for SmartPay.
func directRequest(name, ref string) *payments.AuthorizeRequest {
	switch name {
	case smartpayments.Name:
		return smartPaymentsRequest(ref, smartpaymentstest.CardFrictionless, true)
	case smart2pay.Name:
		return smart2PayRequest(ref, "4111111111111111", true)
	}
	return smartPayRequest(ref, false)
}

// directIDs are payment IDs in each driver's form (the driver checks them
// before sending).
var directIDs = map[string]string{
	smartpayments.Name: "order-1",
	smart2pay.Name:     "card:202230",
	smartpay.Name:      "4d2f3e0a-3b1c-4c55-9c1e-8b0f4e2a9d10",
}

// A provider answering 307 (to another host, or to the same host on another
// port) never gets the request followed: the target sees nothing, neither
// the card number nor the Authorization header, with the driver's client or
// the caller's. A money-moving call is OutcomeUnknown (reconcile, never
// cascade); a status query is Integrity, neither retried nor cascaded.
func TestDriversNeverFollowRedirects(t *testing.T) {
	clients := map[string]func() *http.Client{
		"default-client": func() *http.Client { return nil },
		"caller-client":  func() *http.Client { return &http.Client{} },
	}
	for _, name := range driverNames {
		for _, to := range []faultnet.RedirectTarget{faultnet.OtherHost, faultnet.SameHostOtherPort} {
			for cname, hc := range clients {
				t.Run(name+"/"+to.String()+"/"+cname, func(t *testing.T) {
					ctx := context.Background()
					for _, op := range []string{opAuthorize, opCapture, opRefund, "status"} {
						rd := faultnet.NewRedirector(http.StatusTemporaryRedirect, to)
						g := directGateway(t, name, rd.URL(), hc(), 0)
						id := directIDs[name]
						var err error
						want := payments.ErrOutcomeUnknown
						switch op {
						case opAuthorize:
							_, err = g.Authorize(ctx, directRequest(name, "order-1"))
						case opCapture:
							_, err = g.Capture(ctx, &payments.CaptureRequest{ID: id, IdempotencyKey: "k-1"})
						case opRefund:
							five := eur("5.00")
							_, err = g.Refund(ctx, &payments.RefundRequest{ID: id, Amount: &five, IdempotencyKey: "k-1"})
							if name == smart2pay.Name {
								// It reads the payment first (its currency): the
								// redirected query stops it, the refund never leaves.
								want = payments.ErrIntegrity
							}
						default:
							_, err = g.Status(ctx, &payments.StatusRequest{ID: id})
							want = payments.ErrIntegrity
						}
						rd.Close()
						assert.Empty(t, rd.Leaked(), "%s: the redirect was followed: body and credentials went to its target", op)
						require.ErrorIs(t, err, want, op)
						assert.False(t, payments.Retryable(err), op)
						assert.False(t, payments.CanCascade(err), op)
						assert.Equal(t, 1, rd.Hits(), "%s: one request, not retried", op)
					}
				})
			}
		}
	}
}

// Config.HTTPClient is copied, never modified: http.DefaultClient is shared
// by the whole process.
func TestDriversDoNotModifyCallerClient(t *testing.T) {
	saved := *http.DefaultClient
	t.Cleanup(func() { *http.DefaultClient = saved })
	rd := faultnet.NewRedirector(http.StatusTemporaryRedirect, faultnet.SameHostOtherPort)
	defer rd.Close()
	for _, name := range driverNames {
		g := directGateway(t, name, rd.URL(), http.DefaultClient, 0)
		_, err := g.Status(context.Background(), &payments.StatusRequest{ID: directIDs[name]})
		require.ErrorIs(t, err, payments.ErrIntegrity, name)
		assert.True(t, http.DefaultClient.Transport == nil, "%s set a Transport on http.DefaultClient", name)
		assert.True(t, http.DefaultClient.CheckRedirect == nil, "%s set CheckRedirect on http.DefaultClient", name)
		assert.True(t, http.DefaultClient.Jar == nil, name)
		assert.Equal(t, saved.Timeout, http.DefaultClient.Timeout, name)
		*http.DefaultClient = saved
	}
	assert.Empty(t, rd.Leaked())
}

// A caller's client without a Timeout is bounded by Config.Timeout all the
// same: against a server that reads requests and never answers, a payment
// ends as OutcomeUnknown (it was sent) and a status query as Unavailable.
func TestDriversBoundCallerClientWithoutTimeout(t *testing.T) {
	silent, err := faultnet.NewProxy("127.0.0.1:9")
	require.NoError(t, err)
	silent.SetMode(faultnet.Blackhole)
	defer silent.Close()
	for _, name := range driverNames {
		g := directGateway(t, name, silent.URL(), &http.Client{}, 100*time.Millisecond)
		calls := map[string]struct {
			call func(context.Context) error
			want payments.Code
		}{
			opAuthorize: {func(ctx context.Context) error {
				_, err := g.Authorize(ctx, directRequest(name, "order-1"))
				return err
			}, payments.ErrOutcomeUnknown},
			"status": {func(ctx context.Context) error {
				_, err := g.Status(ctx, &payments.StatusRequest{ID: directIDs[name]})
				return err
			}, payments.ErrUnavailable},
		}
		for op, c := range calls {
			done := make(chan error, 1)
			go func() { done <- c.call(context.Background()) }()
			select {
			case err := <-done:
				require.ErrorIs(t, err, c.want, "%s %s", name, op)
			case <-time.After(time.Minute): // a deadlock guard, not a timing assertion
				t.Fatalf("%s %s: the call was not bounded by Config.Timeout", name, op)
			}
		}
	}
}

// deadlines records the context deadline of every request it forwards.
type deadlines struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []time.Time // zero: a request without a deadline
}

func (d *deadlines) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.mu.Lock()
	d.seen = append(d.seen, dl)
	d.mu.Unlock()
	return d.next.RoundTrip(r)
}

// Every call has a deadline even with a caller's client that has none and
// no Config.Timeout: the driver's DefaultTimeout from the attempt's start.
// Removing SmartPay's default (90 s) or the shared one in httpx fails this
// test; SmartPayments' and Smart2Pay's defaults equal the shared 60 s, so
// removing one of those changes nothing a test could see.
func TestDriversDefaultTimeout(t *testing.T) {
	defaults := map[string]time.Duration{
		smartpayments.Name: smartpayments.DefaultTimeout,
		smart2pay.Name:     smart2pay.DefaultTimeout,
		smartpay.Name:      smartpay.DefaultTimeout,
	}
	for _, name := range driverNames {
		rec := &deadlines{}
		r := newRig(t, name, options{wrap: func(next http.RoundTripper) http.RoundTripper { rec.next = next; return rec }})
		before := time.Now()
		_, err := r.Gateway().Authorize(context.Background(), r.Request("order-timeout", false))
		after := time.Now()
		require.NoError(t, err, name)
		require.NotEmpty(t, rec.seen, name)
		want := defaults[name]
		for _, dl := range rec.seen {
			require.False(t, dl.IsZero(), "%s: a request without a deadline", name)
			assert.False(t, dl.Before(before.Add(want)) || dl.After(after.Add(want)), "%s: deadline is not %v from the attempt", name, want)
		}
	}
}

// A context that is done before anything is sent: ErrUnavailable (safe to
// retry or cascade) on every call of every driver, and the simulator
// executes nothing.
func TestDriversDoneContextIsUnavailable(t *testing.T) {
	for _, name := range driverNames {
		var sent atomic.Int32
		counting := func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent.Add(1)
				return next.RoundTrip(r)
			})
		}
		r := newRig(t, name, options{wrap: counting})
		id, err := setup(context.Background(), r, opCapture, "order-live")
		require.NoError(t, err, name)
		opsBefore := len(r.Ops())
		sent.Store(0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, op := range []string{opAuthorize, opCapture, opCancel, opRefund, "status"} {
			if op == "status" {
				_, err = r.Gateway().Status(ctx, &payments.StatusRequest{ID: id})
			} else {
				err = invoke(ctx, r, op, "order-done", id)
			}
			require.ErrorIs(t, err, payments.ErrUnavailable, "%s %s", name, op)
			assert.True(t, errors.Is(err, context.Canceled), "%s %s: %v", name, op, err)
			assert.True(t, payments.CanCascade(err), "%s %s", name, op)
		}
		assert.Len(t, r.Ops(), opsBefore, "%s: the simulator executed an operation", name)
		assert.Zero(t, sent.Load(), "%s: a request was handed to the transport", name)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
