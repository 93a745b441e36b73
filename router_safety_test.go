package payments_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/internal/inbound/inboundtest"
)

// routerOver builds another Router over the acquirers' three real drivers.
func (a *acquirers) routerOver(t *testing.T, order []string, opts ...payments.RouterOption) *payments.Router {
	t.Helper()
	gw := map[string]payments.Gateway{"sp": a.smartpaymentsGW, "s2p": a.smart2payGW, "inv": a.smartpayGW}
	var routes []payments.Route
	for i, name := range order {
		routes = append(routes, payments.Route{Name: name, Gateway: gw[name], Priority: i})
	}
	opts = append([]payments.RouterOption{payments.WithReconcile(3, time.Millisecond), payments.WithBreaker(1000, time.Minute),
		payments.WithStoreRetry(2, time.Millisecond)}, opts...)
	r, err := payments.NewRouter(routes, opts...)
	require.NoError(t, err)
	return r
}

func payUponInvoiceSale(ref string) *payments.AuthorizeRequest {
	amount, _ := payments.ParseMoney("50.99", "EUR")
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: amount, Capture: true, Method: payments.Invoice{Type: payments.InvoicePayUponInvoice},
		Description: "invoice " + ref,
		Customer:    &payments.Customer{FirstName: "John", LastName: "Doe", Email: "customer@example.com", BirthDate: "1979-12-22"},
		BillingAddress: &payments.Address{
			Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE",
		},
		ProviderOptions: []any{&smartpay.AuthorizeOptions{ShopCountry: "DE"}},
	}
}

// Issue: a SmartPay pay-upon-invoice sale is authorize + capture; when the
// capture call is refused the driver returns the authorized Payment with a
// cascadable error. The Router must end routing there: the invoice stands.
// The second route is another SmartPay account (its own simulator), the one
// route that would accept the same invoice.
func TestRouterNeverCascadesAfterPartialSuccess(t *testing.T) {
	for _, f := range []faultnet.Fault{faultnet.RateLimited, faultnet.Refused} {
		t.Run(f.String(), func(t *testing.T) {
			a := newAcquirers(t)
			sim2 := smartpaytest.NewServer()
			t.Cleanup(sim2.Close)
			second, err := smartpay.New(smartpay.Config{
				MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
				BaseURL: sim2.BaseURL(), Origin: "https://shop.example", HTTPClient: sim2.Client(),
			})
			require.NoError(t, err)
			r, err := payments.NewRouter([]payments.Route{
				{Name: "inv", Gateway: a.smartpayGW}, {Name: "inv2", Gateway: second, Priority: 1},
			}, fast...)
			require.NoError(t, err)
			ref := "pui-partial-" + f.String()
			a.inv.Inject(faultnet.PathIs(http.MethodPost, "/payment/capture"), f, 100)
			p, err := r.Authorize(context.Background(), payUponInvoiceSale(ref))
			require.Error(t, err, "the capture was refused")
			require.NotNil(t, p, "the authorized invoice is returned with the error")
			assert.Equal(t, payments.StatusAuthorized, p.Status)
			assert.True(t, strings.HasPrefix(p.ID, "inv:"), p.ID)
			_, held := sim2.PaymentByReference(ref)
			assert.False(t, held, "the second account was charged too")
			require.Len(t, p.Attempts, 1)

			q, err := r.Status(context.Background(), &payments.StatusRequest{Reference: ref})
			require.NoError(t, err)
			assert.Equal(t, p.ID, q.ID, "Status asks the route that holds the invoice")
		})
	}
}

// The cascade rule on every shape of answer, with a scripted gateway: only
// no Payment or a failed one, with a cascadable error, goes on.
func TestRouterCascadeRuleTable(t *testing.T) {
	soft := &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineDoNotHonour}}
	tests := []struct {
		name    string
		pay     payments.Status // 255: no payment
		err     error
		cascade bool
	}{
		{"no payment, unavailable", 255, &payments.Error{Code: payments.Unavailable}, true},
		{"no payment, rate limited", 255, &payments.Error{Code: payments.RateLimited}, true},
		{"failed, soft decline", payments.StatusFailed, soft, true},
		{"no payment, soft decline", 255, soft, true},
		{"authorized, rate limited (partial success)", payments.StatusAuthorized, &payments.Error{Code: payments.RateLimited}, false},
		{"requires action, unavailable", payments.StatusRequiresAction, &payments.Error{Code: payments.Unavailable}, false},
		{"pending, soft decline", payments.StatusPending, soft, false},
		{"unknown, unavailable", payments.StatusUnknown, &payments.Error{Code: payments.Unavailable}, false},
		{"no payment, plain error", 255, errors.New("boom"), false},
		{"no payment, wrapped net error", 255, fmt.Errorf("dial: %w", errors.New("connection reset")), false},
		{"failed, hard decline", payments.StatusFailed, &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineInsufficientFunds}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newFake("a"), newFake("b")
			a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
				if tt.pay == 255 {
					return nil, tt.err
				}
				return &payments.Payment{ID: "x1", Reference: req.Reference, Status: tt.pay, Amount: req.Amount}, tt.err
			}
			a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
				return nil, &payments.Error{Code: payments.Unavailable}
			}
			r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}}, fast...)
			require.NoError(t, err)
			p, err := r.Authorize(context.Background(), sale("c-1"))
			if tt.cascade {
				assert.Equal(t, 1, b.count("authorize"))
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(p.ID, "b:"))
				return
			}
			assert.Equal(t, 0, b.count("authorize"), "cascaded after %v", tt.name)
			require.Error(t, err)
			if tt.pay != 255 {
				require.NotNil(t, p)
				assert.Equal(t, "a:x1", p.ID, "the payment is returned and owned")
			}
		})
	}
}

// Issue: an error that is not a *payments.Error may hide a charge: it is an
// unknown outcome (not retryable, not cascadable), reconciled with Status.
func TestRouterUnclassifiedErrorIsOutcomeUnknown(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		return nil, fmt.Errorf("custom driver: %w", errors.New("EOF"))
	}
	a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
		return nil, errors.New("still broken")
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}}, fast...)
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), sale("u-1"))
	assert.Nil(t, p)
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
	assert.False(t, payments.Retryable(err))
	assert.False(t, payments.CanCascade(err))
	assert.Equal(t, 0, b.count("authorize"))
	assert.Equal(t, 3, a.count("status"), "reconciled")
	assert.Contains(t, err.Error(), "EOF", "the cause is kept")
	// Capture on an unclassified error is an unknown outcome too.
	a.mu.Lock()
	a.payments["9"] = &payments.Payment{ID: "9", Reference: "x", Status: payments.StatusAuthorized, Amount: eur("10")}
	a.mu.Unlock()
	ug := &unclassifiedCapture{fakeGateway: a}
	r2, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: ug}}, fast...)
	require.NoError(t, err)
	_, err = r2.Capture(context.Background(), &payments.CaptureRequest{ID: "a:9"})
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
}

type unclassifiedCapture struct{ *fakeGateway }

func (g *unclassifiedCapture) Capture(context.Context, *payments.CaptureRequest) (*payments.Payment, error) {
	return nil, errors.New("socket closed")
}

// Issue: route A soft-declines, route B authorizes; A's genuine "failed"
// notification arrives late. It updates A's attempt only: the payment stays
// B's and Status asks B. With the real SmartPayments and Smart2Pay drivers.
func TestRouterLateNotificationUpdatesItsOwnAttemptOnly(t *testing.T) {
	a := newAcquirers(t)
	store := payments.NewMemoryStore()
	r := a.routerOver(t, []string{"sp", "s2p"}, payments.WithStore(store))
	ctx := context.Background()
	ref := "late-1"
	amount, _ := payments.ParseMoney("10.00", "EUR") // ..00: a soft EMITTER_DENIAL at SmartPayments
	card := payments.Card{Number: smartpaymentstest.CardDeclined, Holder: "John Doe", ExpiryMonth: "12", ExpiryYear: "30", CVV: "123"}
	p, err := r.Authorize(ctx, cardReq(ref, amount, card, true))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(p.ID, "s2p:"), "cascaded to s2p: %+v", p.Attempts)

	// SmartPayments' callback for the declined order (it is re-queried by
	// the driver, so the state is the provider's own).
	srv := httptest.NewServer(http.StripPrefix("/hooks", r.NotificationHandler(nil)))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/hooks/sp", "application/json", strings.NewReader(`{"orderId":"`+ref+`","status":-1}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	owner, err := store.GetByReference(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, "s2p", owner.Route)
	assert.Equal(t, p.ID, owner.ID)
	assert.False(t, owner.Conflict)
	atts, err := store.Attempts(ctx, ref)
	require.NoError(t, err)
	require.Len(t, atts, 2)
	assert.Equal(t, payments.StatusFailed, atts[0].Status)
	assert.False(t, atts[0].Owner)
	q, err := r.Status(ctx, &payments.StatusRequest{Reference: ref})
	require.NoError(t, err)
	assert.Equal(t, p.ID, q.ID, "Status asks the owner")
	assert.Equal(t, payments.StatusCaptured, q.Status)
}

// A late notification that shows a non-owning attempt holds money is a
// double charge: logged at error level, set on the Notification, listed by
// Router.Conflicts, and never merged into the owner.
func TestRouterLateSuccessOnNonOwnerIsAConflict(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "a7", Reference: req.Reference, Status: payments.StatusFailed, Amount: req.Amount},
			&payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineGeneric}}
	}
	var logs bytes.Buffer
	store := payments.NewMemoryStore()
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}},
		append(fast, payments.WithStore(store), payments.WithRouterLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	require.NoError(t, err)
	ctx := context.Background()
	p, err := r.Authorize(ctx, sale("dc-1"))
	require.NoError(t, err)
	require.Equal(t, "b:1", p.ID)

	// Provider A later says its "failed" payment was captured after all.
	a.notifyWith = &payments.Notification{Kind: payments.NotificationPayment,
		Payment: &payments.Payment{ID: "a7", Reference: "dc-1", Status: payments.StatusCaptured, Amount: eur("10.00")}}
	req := httptest.NewRequest(http.MethodPost, "/a", strings.NewReader("{}"))
	req.Header.Set("Authorization", "ok")
	n, err := r.Notify(ctx, req)
	require.NoError(t, err)
	require.NotNil(t, n.Conflict, "the notification says it reveals a double charge")
	assert.Equal(t, "a:a7", n.Conflict.PaymentID)
	assert.Equal(t, payments.StatusCaptured, n.Conflict.Status)
	assert.Contains(t, logs.String(), "level=ERROR")
	assert.Contains(t, logs.String(), "DOUBLE CHARGE")

	cs, err := r.Conflicts(ctx, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, payments.Conflict{Reference: "dc-1", PaymentID: "a:a7", Route: "a", Status: payments.StatusCaptured}, cs[0])
	owner, err := store.GetByReference(ctx, "dc-1")
	require.NoError(t, err)
	assert.Equal(t, "b:1", owner.ID, "the owner is untouched")
	assert.Equal(t, payments.StatusCaptured, owner.Status)
}

// failingStore wraps a MemoryStore; each method can be made to fail with a
// plain (database-like) error.
type failingStore struct {
	*payments.MemoryStore
	failBegin, failFinish, failAdvance, failRefund atomic.Bool
	finishCalls                                    atomic.Int32
}

var errDB = errors.New("database is down")

func (s *failingStore) Begin(ctx context.Context, rec payments.Record) error {
	if s.failBegin.Load() {
		return errDB
	}
	return s.MemoryStore.Begin(ctx, rec)
}

func (s *failingStore) Finish(ctx context.Context, rec payments.Record, own bool) (payments.Record, error) {
	s.finishCalls.Add(1)
	if s.failFinish.Load() {
		return payments.Record{}, errDB
	}
	return s.MemoryStore.Finish(ctx, rec, own)
}

func (s *failingStore) Advance(ctx context.Context, id string, st payments.Status) (payments.Record, error) {
	if s.failAdvance.Load() {
		return payments.Record{}, errDB
	}
	return s.MemoryStore.Advance(ctx, id, st)
}

func (s *failingStore) PutRefund(ctx context.Context, ref payments.RefundRecord) (payments.RefundRecord, error) {
	if s.failRefund.Load() {
		return payments.RefundRecord{}, errDB
	}
	return s.MemoryStore.PutRefund(ctx, ref)
}

// Issue: a store failure after the provider answered is never silent: the
// Payment comes back with ErrUnrecorded (after brief retries), the webhook
// handler answers 500, and Recover settles the attempt once the store is
// back, so Status(reference) finds the charge.
func TestRouterStoreFailureIsNeverSilent(t *testing.T) {
	a := newFake("a")
	store := &failingStore{MemoryStore: payments.NewMemoryStore()}
	clock := &fakeClock{t: time.Now()}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}},
		append(fast, payments.WithStore(store), payments.WithStoreRetry(3, time.Millisecond), payments.WithClock(clock.now))...)
	require.NoError(t, err)
	ctx := context.Background()

	store.failFinish.Store(true)
	p, err := r.Authorize(ctx, sale("sf-1"))
	require.ErrorIs(t, err, payments.ErrUnrecorded)
	assert.False(t, payments.Retryable(err))
	assert.False(t, payments.CanCascade(err))
	require.NotNil(t, p, "the provider's answer is returned")
	assert.Equal(t, "a:1", p.ID)
	assert.Equal(t, int32(3), store.finishCalls.Load(), "retried briefly")

	// The webhook handler answers 500 so the provider delivers again.
	store.failAdvance.Store(true)
	a.notifyWith = &payments.Notification{Kind: payments.NotificationPayment, Payment: &payments.Payment{ID: "1", Reference: "sf-1", Status: payments.StatusCaptured}}
	srv := httptest.NewServer(r.NotificationHandler(nil))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/a", strings.NewReader("{}"))
	req.Header.Set("Authorization", "ok")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)

	// The store is back: Recover settles the attempt from the provider.
	store.failFinish.Store(false)
	store.failAdvance.Store(false)
	clock.advance(time.Hour)
	rep, err := r.Recover(ctx, time.Minute)
	require.NoError(t, err)
	require.Len(t, rep.Resolved, 1, "%+v", rep)
	assert.True(t, rep.Resolved[0].Owner)
	q, err := r.Status(ctx, &payments.StatusRequest{Reference: "sf-1"})
	require.NoError(t, err)
	assert.Equal(t, "a:1", q.ID)
	_, err = r.Authorize(ctx, sale("sf-1"))
	require.ErrorIs(t, err, payments.ErrDuplicate)

	// Without the write-ahead record no gateway is called.
	store.failBegin.Store(true)
	_, err = r.Authorize(ctx, sale("sf-2"))
	require.ErrorIs(t, err, payments.ErrUnavailable)
	assert.Equal(t, 1, a.count("authorize"))

	// A refund the ledger cannot record is ErrUnrecorded, with the refund.
	store.failBegin.Store(false)
	store.failRefund.Store(true)
	ref, err := r.Refund(ctx, &payments.RefundRequest{ID: "a:1"})
	require.ErrorIs(t, err, payments.ErrUnrecorded)
	require.NotNil(t, ref)
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// crashingStore stands for a process that dies between the provider's
// answer and the store write: once crash is set, every write after the
// gateway call is lost.
type crashingStore struct {
	payments.Store
	crash atomic.Bool
}

func (s *crashingStore) Finish(ctx context.Context, rec payments.Record, own bool) (payments.Record, error) {
	if s.crash.Load() {
		return payments.Record{}, errors.New("process died")
	}
	return s.Store.Finish(ctx, rec, own)
}

// Issue: a crash between the provider's answer and the store write leaves a
// begun attempt; Recover, from another instance, resolves it with the
// provider (by reference where the route can look it up, by provider ID
// where recorded) and lists what it cannot resolve, with the reason.
func TestRouterRecoverAfterCrash(t *testing.T) {
	ctx := context.Background()
	shared := payments.NewMemoryStore()
	byRef, noLookup := newFake("a"), newFake("n")
	noLookup.caps.LookupByReference = false
	crashed := &crashingStore{Store: shared}
	clock := &fakeClock{t: time.Now()}
	routes := func(order ...string) []payments.Route {
		gw := map[string]*fakeGateway{"a": byRef, "n": noLookup}
		var out []payments.Route
		for _, n := range order {
			out = append(out, payments.Route{Name: n, Gateway: gw[n]})
		}
		return out
	}
	dying, err := payments.NewRouter(routes("a"), append(fast, payments.WithStore(crashed), payments.WithStoreRetry(1, 0), payments.WithClock(clock.now))...)
	require.NoError(t, err)
	dyingN, err := payments.NewRouter(routes("n"), append(fast, payments.WithStore(crashed), payments.WithStoreRetry(1, 0), payments.WithClock(clock.now))...)
	require.NoError(t, err)
	crashed.crash.Store(true)
	_, err = dying.Authorize(ctx, sale("crash-1"))
	require.ErrorIs(t, err, payments.ErrUnrecorded)
	_, err = dyingN.Authorize(ctx, sale("crash-2"))
	require.ErrorIs(t, err, payments.ErrUnrecorded)
	// A crash before the gateway was even called: the provider has nothing.
	require.NoError(t, shared.Begin(ctx, payments.Record{Reference: "crash-3", Attempt: 1, Route: "a", Started: clock.now()}))

	other, err := payments.NewRouter(routes("a", "n"), append(fast, payments.WithStore(shared), payments.WithClock(clock.now))...)
	require.NoError(t, err)
	rep, err := other.Recover(ctx, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, rep.Resolved, "too recent: a live call may still own these")

	clock.advance(2 * time.Minute)
	rep, err = other.Recover(ctx, time.Minute)
	require.NoError(t, err)
	require.Len(t, rep.Resolved, 2, "%+v", rep)
	assert.Equal(t, "a:1", rep.Resolved[0].ID)
	assert.True(t, rep.Resolved[0].Owner)
	assert.Equal(t, []string{"crash-3"}, rep.Released)
	require.Len(t, rep.Unresolved, 1)
	assert.Equal(t, "crash-2", rep.Unresolved[0].Record.Reference)
	assert.Contains(t, rep.Unresolved[0].Reason, "cannot look payments up by reference")

	q, err := other.Status(ctx, &payments.StatusRequest{Reference: "crash-1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, q.Status)
	// crash-3 is free again.
	_, err = other.Authorize(ctx, sale("crash-3"))
	require.NoError(t, err)

	// Idempotent: a second run finds only what it could not resolve.
	rep2, err := other.Recover(ctx, time.Minute)
	require.NoError(t, err)
	assert.Empty(t, rep2.Resolved)
	assert.Empty(t, rep2.Released)
	assert.Len(t, rep2.Unresolved, 1)
}

// Issue: typed nils and nil requests are ErrInvalidRequest, never a panic.
func TestRouterRejectsNils(t *testing.T) {
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: newFake("a")}})
	require.NoError(t, err)
	ctx := context.Background()
	req := sale("nil-1")
	req.Method = (*payments.Card)(nil)
	_, err = r.Authorize(ctx, req)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Authorize(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Notify(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Capture(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Cancel(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Refund(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = r.Status(ctx, nil)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
}

// The refund ledger: for a provider whose status does not show refunds,
// Router.Status reports the refunds issued through the Router.
func TestRouterRefundLedger(t *testing.T) {
	a := newFake("a")
	a.caps.RefundsInStatus = false
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: &halfRefunds{fakeGateway: a}}}, fast...)
	require.NoError(t, err)
	ctx := context.Background()
	p, err := r.Authorize(ctx, sale("led-1"))
	require.NoError(t, err)
	ten := eur("4.00")
	ref, err := r.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &ten})
	require.NoError(t, err)
	assert.Equal(t, p.ID, ref.PaymentID)
	q, err := r.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusPartiallyRefunded, q.Status)
	assert.True(t, q.Refunded.Equal(eur("4.00")), q.Refunded.String())
	six := eur("6.00")
	_, err = r.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &six})
	require.NoError(t, err)
	q, err = r.Status(ctx, &payments.StatusRequest{Reference: "led-1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRefunded, q.Status)
	assert.True(t, q.Refunded.Equal(eur("10.00")))
	assert.True(t, r.Capabilities().RefundsInStatus)
}

// halfRefunds is a provider whose status never shows refunds: refunds are
// separate transactions it answers for once.
type halfRefunds struct {
	*fakeGateway
	n int
}

func (g *halfRefunds) Refund(_ context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return &payments.Refund{ID: fmt.Sprint("rf", g.n), PaymentID: req.ID, Status: payments.RefundSucceeded, Amount: *req.Amount}, nil
}

// An unknown outcome never matches a sentinel that says "safe to retry",
// whatever the reconciling queries met on the way.
func TestRouterUnknownOutcomeNeverLooksRetryable(t *testing.T) {
	a := newFake("a")
	a.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.OutcomeUnknown}
	}
	a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.Unavailable}
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}}, fast...)
	require.NoError(t, err)
	_, err = r.Authorize(context.Background(), sale("nr-1"))
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
	for _, s := range []error{payments.ErrUnavailable, payments.ErrRateLimited, payments.ErrDeclined} {
		assert.False(t, errors.Is(err, s), "%v matches %v", err, s)
	}

	store := &failingStore{MemoryStore: payments.NewMemoryStore()}
	store.failFinish.Store(true)
	b := newFake("b")
	b.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "p", Reference: req.Reference, Status: payments.StatusAuthorized}, &payments.Error{Code: payments.RateLimited}
	}
	r2, err := payments.NewRouter([]payments.Route{{Name: "b", Gateway: b}}, append(fast, payments.WithStore(store), payments.WithStoreRetry(1, 0))...)
	require.NoError(t, err)
	_, err = r2.Authorize(context.Background(), sale("nr-2"))
	require.ErrorIs(t, err, payments.ErrUnrecorded)
	assert.False(t, errors.Is(err, payments.ErrRateLimited), "%v", err)
	assert.Contains(t, err.Error(), "rate_limited", "the provider's answer is still told")
}

// Router.NotificationHandler and NotificationHandler(router, fn) behave the
// same wherever they are mounted.
func TestRouterNotificationHandlerMountedAnywhere(t *testing.T) {
	a := newFake("a")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}}, fast...)
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), sale("m-1"))
	require.NoError(t, err)
	a.notifyWith = &payments.Notification{Kind: payments.NotificationPayment, Payment: &payments.Payment{ID: "1", Reference: "m-1", Status: payments.StatusCaptured}}
	var got []string
	fn := func(_ context.Context, n *payments.Notification) error { got = append(got, n.Payment.ID); return nil }

	mux := http.NewServeMux()
	mux.Handle("/hooks/", r.NotificationHandler(fn))                                   // prefix kept
	mux.Handle("/stripped/", http.StripPrefix("/stripped", r.NotificationHandler(fn))) // prefix stripped
	mux.Handle("/plain/", payments.NotificationHandler(r, fn))                         // the Router as a Gateway
	mux.Handle("/deep/v1/", r.NotificationHandler(fn))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("{}"))
		req.Header.Set("Authorization", "ok")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/hooks/a", "/hooks/a/", "/stripped/a", "/plain/a", "/plain/a/", "/deep/v1/a"} {
		assert.Equal(t, http.StatusOK, post(path), path)
	}
	assert.Equal(t, http.StatusNotFound, post("/hooks/nope"))
	assert.NotEqual(t, http.StatusOK, post("/plain/nope"))
	assert.Len(t, got, 6)
	for _, id := range got {
		assert.Equal(t, p.ID, id)
	}
}

// An unauthenticated 1 MiB notification to a route whose driver checks
// credentials in headers (Smart2Pay Basic) is refused before any byte of
// its body is read, through the Router's handler as through the plain one.
func TestRouterNotificationCredentialsBeforeBody(t *testing.T) {
	a := newAcquirers(t)
	r := a.routerOver(t, []string{"s2p"})
	body := inboundtest.NewCountingBody(1 << 20)
	req := httptest.NewRequest(http.MethodPost, "/hooks/s2p", body)
	req.SetBasicAuth("forged", "forged")
	rec := httptest.NewRecorder()
	r.NotificationHandler(nil).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, int64(1<<20), body.Left, "the body was read before the credentials were checked")
}
