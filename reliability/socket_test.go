package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/faultnet"
)

// proxyDialer sends every connection a driver opens through a faultnet TCP
// proxy in front of the address it dials (one proxy per simulator
// listener), so faults happen on real sockets, with the kernel's own
// errors. Keep-alive is off: a proxy mode applies to new connections.
type proxyDialer struct {
	mu      sync.Mutex
	proxies map[string]*faultnet.Proxy
	mode    faultnet.ProxyMode
	refuse  bool // dial a port nothing listens on instead
	closed  string
}

func newProxyDialer(t testing.TB) *proxyDialer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	d := &proxyDialer{proxies: map[string]*faultnet.Proxy{}, closed: closed}
	t.Cleanup(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, p := range d.proxies {
			p.Close()
		}
	})
	return d
}

func (d *proxyDialer) set(mode faultnet.ProxyMode, refuse bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode, d.refuse = mode, refuse
	for _, p := range d.proxies {
		p.SetMode(mode)
	}
}

func (d *proxyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	target := d.closed
	if !d.refuse {
		p, ok := d.proxies[addr]
		if !ok {
			var err error
			if p, err = faultnet.NewProxy(addr); err != nil {
				d.mu.Unlock()
				return nil, err
			}
			p.SetMode(d.mode)
			d.proxies[addr] = p
		}
		target = p.Addr()
	}
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, target)
}

func (d *proxyDialer) transport() http.RoundTripper {
	return &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
}

// TestRealSocketFaults repeats the faults that involve the network itself
// on real sockets through the TCP proxy: a refused connection, a reset as
// soon as the connection is accepted (never forwarded), a reset after the
// provider processed the request, and a proxy that never answers. The
// client cannot always tell an early reset from a late one: it may report
// either class for a request that was never forwarded, but never a
// success, never ErrUnavailable for one that was processed, and the
// simulator never executes anything twice.
func TestRealSocketFaults(t *testing.T) {
	type mode struct {
		name      string
		mode      faultnet.ProxyMode
		refuse    bool
		forwarded bool
		classes   []payments.Code
	}
	modes := []mode{
		{"refused", faultnet.Pass, true, false, []payments.Code{payments.Unavailable}},
		{"reset-on-accept", faultnet.ResetOnAccept, false, false, []payments.Code{payments.Unavailable, payments.OutcomeUnknown}},
		{"reset-after-request", faultnet.ResetAfterRequest, false, true, []payments.Code{payments.OutcomeUnknown}},
		{"blackhole", faultnet.Blackhole, false, false, []payments.Code{payments.OutcomeUnknown, payments.Unavailable}},
	}
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ops := newRig(t, d, options{}).MatrixOps()
			for _, op := range ops {
				for _, m := range modes {
					t.Run(op+"/"+m.name, func(t *testing.T) {
						pd := newProxyDialer(t)
						rec := newRecorder(pd.transport())
						r := newRig(t, d, options{wrap: func(http.RoundTripper) http.RoundTripper { return rec }})
						ref := fmt.Sprintf("s-%s-%s", op, m.name)
						bg := context.Background()
						id, err := setup(bg, r, op, ref)
						require.NoError(t, err)
						mark := len(r.Ops())
						before := len(rec.matching(r.FaultPath(op)))
						pd.set(m.mode, m.refuse)
						timeout := 5 * time.Second
						if m.mode == faultnet.Blackhole {
							timeout = time.Second // it never answers: the deadline ends the call
						}
						ctx, cancel := context.WithTimeout(bg, timeout)
						err = invoke(ctx, r, op, ref, id)
						cancel()
						pd.set(faultnet.Pass, false)

						execs := 0
						for _, k := range r.Ops()[mark:] {
							if slices.Contains(opKinds(d, op), k) {
								execs++
							}
						}
						require.Error(t, err, "a fault on every connection cannot succeed")
						if len(rec.matching(r.FaultPath(op))) == before {
							// A query the operation starts with (Smart2Pay
							// reads the payment before a refund) failed
							// first: nothing was sent.
							assert.ErrorIs(t, err, payments.ErrUnavailable)
							assert.Equal(t, 0, execs)
							return
						}
						assert.Contains(t, m.classes, payments.CodeOf(err), "%v", err)
						lost := payments.CodeOf(err) == payments.OutcomeUnknown
						if payments.CodeOf(err) == payments.OutcomeUnknown {
							assert.False(t, payments.Retryable(err) || payments.CanCascade(err))
						}
						assert.LessOrEqual(t, execs, 1, "executed at most once")
						if !m.forwarded {
							assert.Equal(t, 0, execs, "never forwarded, yet executed")
						} else {
							assert.Equal(t, 1, execs, "forwarded once")
							assert.False(t, errors.Is(err, payments.ErrUnavailable), "processed, yet reported as never sent")
						}

						// Reconcile.
						tr, exists := r.Truth(ref)
						if op == opAuthorize && execs == 0 {
							assert.False(t, exists)
							return
						}
						require.True(t, exists)
						if id == "" {
							id, _ = r.ID(ref)
						}
						p, err := r.Gateway().Status(bg, &payments.StatusRequest{ID: id})
						require.NoError(t, err)
						if d == "smartpayments" && op != opAuthorize && lost {
							// SmartPayments' /check has no field that says
							// what a capture, cancel or refund did: once
							// its outcome is unknown the driver reports
							// StatusUnknown, never a guess.
							assert.Equal(t, payments.StatusUnknown, p.Status)
							return
						}
						assert.Equal(t, tr, r.Observed(p))
						want := statusBefore(op)
						if execs == 1 {
							want = statusAfter(d, op)
						}
						assert.Equal(t, want, p.Status)
					})
				}
			}
		})
	}
}
