package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/internal/httpx"
)

// policy is the retry policy every driver uses: the drivers expose none of
// their own, so this is what the tests hold them to.
var policy = httpx.DefaultRetry

// slack absorbs scheduling delays (race detector, two cores, other tests
// running in parallel) in upper time bounds.
const slack = 600 * time.Millisecond

// opStatus is the query the retry tests use beside the money-moving calls.
const opStatus = "status"

// statusPath matches a driver's status query.
func statusPath(driver string) func(*http.Request) bool {
	switch driver {
	case smartpayments.Name:
		return postPath("/check")
	case smart2pay.Name:
		return func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payments/")
		}
	case smartpay.Name:
		return func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/payment/status/")
		}
	}
	panic(driver)
}

// faultRig is a rig with a fault injector and a recorder in front of the
// simulator: recorder → faultnet → simulator.
type faultRig struct {
	rig
	ft  *faultnet.Transport
	rec *recorder
}

func newFaultRig(t testing.TB, driver string) *faultRig {
	fr := &faultRig{}
	fr.rig = newRig(t, driver, options{wrap: func(base http.RoundTripper) http.RoundTripper {
		fr.ft = faultnet.New(base)
		fr.rec = newRecorder(fr.ft)
		return fr.rec
	}})
	return fr
}

// scriptedRig answers some requests itself: recorder → scripted → simulator.
type scriptedRig struct {
	rig
	sc  *scripted
	rec *recorder
}

func newScriptedRig(t testing.TB, driver string, sc *scripted) *scriptedRig {
	sr := &scriptedRig{sc: sc}
	sr.rig = newRig(t, driver, options{wrap: func(base http.RoundTripper) http.RoundTripper {
		sc.next = base
		sr.rec = newRecorder(sc)
		return sr.rec
	}})
	return sr
}

// runOp prepares a payment for op and runs op under ctx: the money-moving
// operations as in the fault matrix, and a status query by ID.
func runOp(ctx context.Context, r rig, op, ref string) error {
	bg := context.Background()
	if op == opStatus {
		p, err := r.Gateway().Authorize(bg, r.Request(ref, true))
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		_, err = r.Gateway().Status(ctx, &payments.StatusRequest{ID: p.ID})
		return err
	}
	id, err := setup(bg, r, op, ref)
	if err != nil {
		return err
	}
	return invoke(ctx, r, op, ref, id)
}

func opPath(r rig, op string) func(*http.Request) bool {
	if op == opStatus {
		return statusPath(r.Name())
	}
	return r.FaultPath(op)
}

// TestWhichCallsRetry: under a 503 on every attempt, queries and
// deduplicated modifications are sent 1+N times, every other money-moving
// call once; a connection refused on every attempt (provably never sent)
// is retried for every call. The attempt timestamps stay within the
// backoff bounds.
func TestWhichCallsRetry(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ops := append([]string{opStatus}, newRig(t, d, options{}).MatrixOps()...)
			for _, op := range ops {
				for _, f := range []faultnet.Fault{faultnet.Status503, faultnet.Refused} {
					t.Run(op+"/"+f.String(), func(t *testing.T) {
						r := newFaultRig(t, d)
						match := opPath(r, op)
						r.ft.Inject(match, f, -1)
						err := runOp(context.Background(), r, op, "w-"+op)
						attempts := r.rec.matching(match)
						want := 1
						if f == faultnet.Refused || op == opStatus || deduped(d, op) {
							want = 1 + policy.MaxRetries
						}
						require.Len(t, attempts, want, "attempts of %s under %s", op, f)
						switch {
						case f == faultnet.Refused:
							assert.ErrorIs(t, err, payments.ErrUnavailable)
						case op == opStatus:
							assert.ErrorIs(t, err, payments.ErrUnavailable)
						default:
							assert.ErrorIs(t, err, payments.ErrOutcomeUnknown)
						}
						for i := 1; i < len(attempts); i++ {
							gap := attempts[i].At.Sub(attempts[i-1].At)
							assert.GreaterOrEqual(t, gap, time.Duration(0))
							assert.LessOrEqual(t, gap, policy.Backoff(i)+slack, "backoff before attempt %d", i+1)
						}
						for _, a := range attempts[1:] {
							assert.Equal(t, string(attempts[0].Body), string(a.Body), "every attempt sends the same body")
							assert.Equal(t, attempts[0].Header.Get("Authorization"), a.Header.Get("Authorization"))
						}
					})
				}
			}
		})
	}
}

// TestRetryAfterHonoured: a query answered 429 with Retry-After: 1 is
// tried again one second later, not before; a money-moving call the
// provider does not dedupe is not tried again at all.
func TestRetryAfterHonoured(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			sc := &scripted{match: statusPath(d), status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"1"}}, left: 1}
			r := newScriptedRig(t, d, sc)
			require.NoError(t, runOp(context.Background(), r, opStatus, "ra-1"))
			attempts := r.rec.matching(statusPath(d))
			require.Len(t, attempts, 2)
			gap := attempts[1].At.Sub(attempts[0].At)
			assert.GreaterOrEqual(t, gap, time.Second-10*time.Millisecond, "Retry-After: 1 honoured")
			assert.LessOrEqual(t, gap, time.Second+slack)

			sc2 := &scripted{match: r.FaultPath(opAuthorize), status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"1"}}, left: -1}
			r2 := newScriptedRig(t, d, sc2)
			err := runOp(context.Background(), r2, opAuthorize, "ra-2")
			assert.ErrorIs(t, err, payments.ErrRateLimited)
			assert.Len(t, r2.rec.matching(r2.FaultPath(opAuthorize)), 1, "a rate-limited authorization is not retried by the driver")
		})
	}
}

// TestRetryAfterCapped: a Retry-After of an hour waits MaxRetryAfter (10 s),
// then the query goes through. The three drivers wait at the same time.
func TestRetryAfterCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("waits MaxRetryAfter")
	}
	type result struct {
		err      error
		attempts []recorded
	}
	results := make([]result, len(driverNames))
	var wg sync.WaitGroup
	for i, d := range driverNames {
		sc := &scripted{match: statusPath(d), status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"3600"}}, left: 1}
		r := newScriptedRig(t, d, sc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), policy.MaxRetryAfter+5*time.Second)
			defer cancel()
			results[i].err = runOp(ctx, r, opStatus, "cap-1")
			results[i].attempts = r.rec.matching(statusPath(d))
		}()
	}
	wg.Wait()
	for i, d := range driverNames {
		res := results[i]
		require.NoError(t, res.err, d)
		require.Len(t, res.attempts, 2, d)
		gap := res.attempts[1].At.Sub(res.attempts[0].At)
		assert.GreaterOrEqual(t, gap, policy.MaxRetryAfter-10*time.Millisecond, "%s: waited the cap", d)
		assert.LessOrEqual(t, gap, policy.MaxRetryAfter+slack, "%s: capped at MaxRetryAfter", d)
	}
}

// TestNothingAfterDeadline: no attempt starts after the context's deadline,
// the call returns at it, and a Retry-After longer than the time left ends
// the call at once instead of sleeping into the deadline.
func TestNothingAfterDeadline(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			for _, op := range []string{opStatus, opCapture} {
				r := newFaultRig(t, d)
				match := opPath(r, op)
				r.ft.Inject(match, faultnet.Status503, -1)
				ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
				dl, _ := ctx.Deadline()
				_ = runOpAfterSetup(ctx, r, op, "dl-"+op)
				cancel()
				assert.True(t, time.Now().Before(dl.Add(slack)), "%s: returned %s after the deadline", op, time.Since(dl))
				for _, a := range r.rec.matching(match) {
					assert.True(t, a.At.Before(dl), "%s: an attempt started %s after the deadline", op, a.At.Sub(dl))
				}
			}

			sc := &scripted{match: statusPath(d), status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"5"}}, left: -1}
			r := newScriptedRig(t, d, sc)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			start := time.Now()
			err := runOpAfterSetup(ctx, r, opStatus, "dl-ra")
			assert.ErrorIs(t, err, payments.ErrRateLimited)
			assert.Less(t, time.Since(start), time.Second, "gave up at once: the provider asked for more time than is left")
			assert.Len(t, r.rec.matching(statusPath(d)), 1)
		})
	}
}

// runOpAfterSetup is runOp with the timing of ctx applied to op alone: the
// setup runs first, without a deadline, so a short ctx measures op only.
func runOpAfterSetup(ctx context.Context, r rig, op, ref string) error {
	bg := context.Background()
	if op == opStatus {
		p, err := r.Gateway().Authorize(bg, r.Request(ref, true))
		if err != nil {
			return err
		}
		_, err = r.Gateway().Status(ctx, &payments.StatusRequest{ID: p.ID})
		return err
	}
	id, err := setup(bg, r, op, ref)
	if err != nil {
		return err
	}
	return invoke(ctx, r, op, ref, id)
}

// TestDedupedModificationsIdentical: SmartPay's modifications are retried
// with the identical body, the same modificationId (the caller's
// IdempotencyKey, or one generated once per call), and executed once.
func TestDedupedModificationsIdentical(t *testing.T) {
	for _, op := range []string{opCapture, opCancel, opRefund, opCancelOrRefund} {
		for _, key := range []string{"caller-key-1", ""} {
			t.Run(fmt.Sprintf("%s/key=%q", op, key), func(t *testing.T) {
				r := newFaultRig(t, smartpay.Name)
				ref := "dd-" + op
				id, err := setup(context.Background(), r, op, ref)
				require.NoError(t, err)
				mark := len(r.Ops())
				match := r.FaultPath(op)
				// Processed by the provider, answer lost, twice; the third
				// attempt gets the original result.
				r.ft.Inject(match, faultnet.Status500, 2)
				gw := r.Gateway().(*smartpay.Gateway)
				ctx := context.Background()
				five := eur("5.00")
				switch op {
				case opCapture:
					_, err = gw.Capture(ctx, &payments.CaptureRequest{ID: id, IdempotencyKey: key})
				case opCancel:
					_, err = gw.Cancel(ctx, &payments.CancelRequest{ID: id, IdempotencyKey: key})
				case opRefund:
					_, err = gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: &five, IdempotencyKey: key})
				case opCancelOrRefund:
					_, err = gw.CancelOrRefund(ctx, &payments.CancelRequest{ID: id, IdempotencyKey: key})
				}
				require.NoError(t, err)
				attempts := r.rec.matching(match)
				require.Len(t, attempts, 3)
				var first struct {
					ModificationID string `json:"modificationId"`
				}
				require.NoError(t, json.Unmarshal(attempts[0].Body, &first))
				require.NotEmpty(t, first.ModificationID)
				if key != "" {
					assert.Equal(t, key, first.ModificationID)
				}
				for _, a := range attempts[1:] {
					assert.True(t, bytes.Equal(attempts[0].Body, a.Body), "identical body on every attempt:\n%s\n%s", attempts[0].Body, a.Body)
				}
				assert.Len(t, r.Ops()[mark:], 1, "executed once: %v", r.Ops()[mark:])
			})
		}
	}
}

// TestRefusedAuthorizeIdentical: an authorization that provably never
// left is retried with the identical body; it is executed once.
func TestRefusedAuthorizeIdentical(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			r := newFaultRig(t, d)
			match := r.FaultPath(opAuthorize)
			r.ft.Inject(match, faultnet.Refused, 2)
			_, err := r.Gateway().Authorize(context.Background(), r.Request("rf-1", d != smartpay.Name))
			require.NoError(t, err)
			attempts := r.rec.matching(match)
			require.Len(t, attempts, 3)
			for _, a := range attempts[1:] {
				assert.True(t, bytes.Equal(attempts[0].Body, a.Body))
			}
			assert.Equal(t, []string{firstOf(opKinds(d, opAuthorize), r.Ops())}, r.Ops())
		})
	}
}

// firstOf returns the first of kinds that ops contains, "" if none.
func firstOf(kinds, ops []string) string {
	for _, op := range ops {
		for _, k := range kinds {
			if op == k {
				return k
			}
		}
	}
	return ""
}
