package payments_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

// fakeGateway is a scripted Gateway that keeps payments in memory.
type fakeGateway struct {
	name string
	caps payments.Capabilities

	mu         sync.Mutex
	authorize  func(req *payments.AuthorizeRequest) (*payments.Payment, error)
	status     func(req *payments.StatusRequest) (*payments.Payment, error)
	payments   map[string]*payments.Payment // by ID
	calls      map[string]int
	seq        int
	notifyWith *payments.Notification
}

func newFake(name string) *fakeGateway {
	return &fakeGateway{
		name: name,
		caps: payments.Capabilities{
			Methods: []payments.MethodKind{payments.KindCard, payments.KindHostedPage}, TwoStep: true, Cancel: true,
			PartialCapture: true, Refund: true, PartialRefund: true, LookupByReference: true,
			Notifications: payments.VerifiedCredentials,
		},
		payments: map[string]*payments.Payment{},
		calls:    map[string]int{},
	}
}

func (g *fakeGateway) count(op string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[op]
}

func (g *fakeGateway) Name() string                        { return g.name }
func (g *fakeGateway) Capabilities() payments.Capabilities { return g.caps }

func (g *fakeGateway) Authorize(_ context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	g.mu.Lock()
	g.calls["authorize"]++
	script := g.authorize
	g.mu.Unlock()
	if script != nil {
		if p, err := script(req); p != nil || err != nil {
			return p, err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	st := payments.StatusAuthorized
	if req.Capture {
		st = payments.StatusCaptured
	}
	p := &payments.Payment{ID: fmt.Sprint(g.seq), Reference: req.Reference, Provider: g.name, Status: st, Amount: req.Amount}
	g.payments[p.ID] = p
	cp := *p
	return &cp, nil
}

func (g *fakeGateway) find(id, ref string) *payments.Payment {
	if p, ok := g.payments[id]; ok {
		return p
	}
	for _, p := range g.payments {
		if ref != "" && p.Reference == ref {
			return p
		}
	}
	return nil
}

func (g *fakeGateway) Capture(_ context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["capture"]++
	p := g.find(req.ID, "")
	if p == nil {
		return nil, &payments.Error{Code: payments.NotFound}
	}
	p.Status = payments.StatusCaptured
	cp := *p
	return &cp, nil
}

func (g *fakeGateway) Cancel(_ context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["cancel"]++
	p := g.find(req.ID, "")
	if p == nil {
		return nil, &payments.Error{Code: payments.NotFound}
	}
	p.Status = payments.StatusCanceled
	cp := *p
	return &cp, nil
}

func (g *fakeGateway) Refund(_ context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["refund"]++
	p := g.find(req.ID, "")
	if p == nil {
		return nil, &payments.Error{Code: payments.NotFound}
	}
	p.Status = payments.StatusRefunded
	return &payments.Refund{ID: "r" + p.ID, PaymentID: p.ID, Status: payments.RefundSucceeded, Amount: p.Amount}, nil
}

func (g *fakeGateway) Status(_ context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	g.mu.Lock()
	g.calls["status"]++
	script := g.status
	g.mu.Unlock()
	if script != nil {
		return script(req)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.find(req.ID, req.Reference)
	if p == nil {
		return nil, &payments.Error{Code: payments.NotFound}
	}
	cp := *p
	return &cp, nil
}

func (g *fakeGateway) Notify(_ context.Context, r *http.Request) (*payments.Notification, error) {
	if r.Header.Get("Authorization") != "ok" {
		return nil, &payments.Error{Code: payments.Unverified}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	n := *g.notifyWith
	return &n, nil
}

func eur(s string) payments.Money {
	m, err := payments.ParseMoney(s, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func sale(ref string) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: eur("10.00"), Capture: true,
		Method:         payments.Card{Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		BillingAddress: &payments.Address{Country: "DE"},
	}
}

var fast = []payments.RouterOption{payments.WithReconcile(3, time.Millisecond)}

func TestNewRouterRejectsBadRouteSets(t *testing.T) {
	g := newFake("a")
	usd := payments.Money{Amount: eur("1").Amount, Currency: "USD"}
	hi, lo := eur("100"), eur("1")
	narrow := newFake("narrow")
	narrow.caps.Currencies = []payments.Currency{"GBP"}
	tests := []struct {
		name   string
		routes []payments.Route
		msg    string
	}{
		{"none", nil, "at least one route"},
		{"no name", []payments.Route{{Gateway: g}}, "name must be"},
		{"bad name", []payments.Route{{Name: "a:b", Gateway: g}}, "name must be"},
		{"no gateway", []payments.Route{{Name: "a"}}, "no gateway"},
		{"duplicate", []payments.Route{{Name: "a", Gateway: g}, {Name: "a", Gateway: g}}, "duplicate route name"},
		{"bad currency", []payments.Route{{Name: "a", Gateway: g, Currencies: []payments.Currency{"EUX"}}}, "not an ISO 4217 code"},
		{"gateway refuses currency", []payments.Route{{Name: "a", Gateway: narrow, Currencies: []payments.Currency{"EUR"}}}, "no payment can match"},
		{"gateway lacks method", []payments.Route{{Name: "a", Gateway: g, Methods: []payments.MethodKind{payments.KindInvoice}}}, "no payment can match"},
		{"min above max", []payments.Route{{Name: "a", Gateway: g, MinAmount: &hi, MaxAmount: &lo}}, "no payment can match"},
		{"bound outside currencies", []payments.Route{{Name: "a", Gateway: g, Currencies: []payments.Currency{"EUR"}, MaxAmount: &usd}}, "no payment can match"},
		{"negative weight", []payments.Route{{Name: "a", Gateway: g, Weight: -1}}, "negative weight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := payments.NewRouter(tt.routes)
			require.ErrorIs(t, err, payments.ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestRouterFilters(t *testing.T) {
	eurGW, gbGW, bigGW, anyGW := newFake("eur"), newFake("gb"), newFake("big"), newFake("any")
	oneStep := newFake("onestep")
	oneStep.caps.TwoStep = false
	big := eur("1000")
	r, err := payments.NewRouter([]payments.Route{
		{Name: "big", Gateway: bigGW, MinAmount: &big, Priority: 0},
		{Name: "gb", Gateway: gbGW, Countries: []string{"GB"}, Priority: 1},
		{Name: "onestep", Gateway: oneStep, Priority: 2},
		{Name: "eur", Gateway: eurGW, Currencies: []payments.Currency{"EUR"}, Priority: 3},
		{Name: "any", Gateway: anyGW, Methods: []payments.MethodKind{payments.KindHostedPage}, Priority: 4},
	}, fast...)
	require.NoError(t, err)
	ctx := context.Background()

	tests := []struct {
		name  string
		build func() *payments.AuthorizeRequest
		want  string
	}{
		{"small EUR card from DE", func() *payments.AuthorizeRequest { return sale("f1") }, "onestep"},
		{"two-step skips one-step-only", func() *payments.AuthorizeRequest { r := sale("f2"); r.Capture = false; return r }, "eur"},
		{"GB billing", func() *payments.AuthorizeRequest { r := sale("f3"); r.BillingAddress.Country = "GB"; return r }, "gb"},
		{"large amount", func() *payments.AuthorizeRequest { r := sale("f4"); r.Amount = eur("1000.00"); return r }, "big"},
		{"hosted page USD", func() *payments.AuthorizeRequest {
			r := sale("f5")
			r.Capture = false
			r.Method = payments.HostedPage{}
			r.Amount = payments.Money{Amount: eur("5").Amount, Currency: "USD"}
			return r
		}, "onestep"},
	}
	for _, tt := range tests {
		p, err := r.Authorize(ctx, tt.build())
		require.NoError(t, err, tt.name)
		assert.True(t, strings.HasPrefix(p.ID, tt.want+":"), "%s: routed to %s", tt.name, p.ID)
		require.Len(t, p.Attempts, 1)
		assert.Equal(t, tt.want, p.Attempts[0].Route)
	}

	// OnlyRoutes pins a payment to named routes.
	pinned := sale("f7")
	pinned.ProviderOptions = []any{payments.OnlyRoutes{"eur"}}
	p, err := r.Authorize(ctx, pinned)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.ID, "eur:"), p.ID)

	// Nothing matches: JPY two-step via a route set that only takes EUR and hosted pages.
	only, err := payments.NewRouter([]payments.Route{{Name: "eur", Gateway: eurGW, Currencies: []payments.Currency{"EUR"}}})
	require.NoError(t, err)
	req := sale("f6")
	req.Amount = payments.Money{Amount: eur("5").Amount, Currency: "JPY"}
	_, err = only.Authorize(ctx, req)
	assert.ErrorIs(t, err, payments.ErrUnsupported)
}

func TestRouterCascadesOnlyWhenSafe(t *testing.T) {
	soft := &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineDoNotHonour}}
	hard := &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineInsufficientFunds}}
	tests := []struct {
		name        string
		firstErr    error
		wantCascade bool
		wantCode    payments.Code
	}{
		{"unavailable", &payments.Error{Code: payments.Unavailable}, true, ""},
		{"rate limited", &payments.Error{Code: payments.RateLimited}, true, ""},
		{"unsupported", &payments.Error{Code: payments.Unsupported}, true, ""},
		{"soft decline", soft, true, ""},
		{"hard decline", hard, false, payments.Declined},
		{"invalid", &payments.Error{Code: payments.InvalidRequest}, false, payments.InvalidRequest},
		{"duplicate", &payments.Error{Code: payments.Duplicate}, false, payments.Duplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newFake("a"), newFake("b")
			a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
				return &payments.Payment{ID: "x", Reference: req.Reference, Status: payments.StatusFailed, Amount: req.Amount}, tt.firstErr
			}
			r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}}, fast...)
			require.NoError(t, err)
			p, err := r.Authorize(context.Background(), sale("c-"+tt.name))
			if tt.wantCascade {
				require.NoError(t, err)
				assert.Equal(t, 1, b.count("authorize"))
				require.Len(t, p.Attempts, 2)
				assert.Equal(t, payments.CodeOf(tt.firstErr), p.Attempts[0].Code)
				assert.Equal(t, "b", p.Attempts[1].Route)
				return
			}
			require.ErrorIs(t, err, tt.wantCode)
			assert.Equal(t, 0, b.count("authorize"))
			var pe *payments.Error
			require.True(t, errors.As(err, &pe))
			require.Len(t, pe.Attempts, 1)
			assert.Equal(t, "a", pe.Attempts[0].Route)
		})
	}
}

func TestRouterReconcilesUnknownOutcomeAndNeverMovesOn(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	// The provider processed the payment, then the answer was lost.
	a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		a.mu.Lock()
		a.payments["77"] = &payments.Payment{ID: "77", Reference: req.Reference, Status: payments.StatusCaptured, Amount: req.Amount}
		a.mu.Unlock()
		return nil, &payments.Error{Code: payments.OutcomeUnknown}
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}}, fast...)
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), sale("u1"))
	require.NoError(t, err)
	assert.Equal(t, "a:77", p.ID)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, 0, b.count("authorize"), "never cascades after an unknown outcome")
	assert.Equal(t, payments.OutcomeUnknown, p.Attempts[0].Code)

	// The truth stays unknown: the error says so, still no cascade.
	a2, b2 := newFake("a"), newFake("b")
	a2.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.OutcomeUnknown}
	}
	a2.status = func(*payments.StatusRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.Unavailable}
	}
	r2, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a2}, {Name: "b", Gateway: b2, Priority: 1}}, fast...)
	require.NoError(t, err)
	_, err = r2.Authorize(context.Background(), sale("u2"))
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
	assert.Equal(t, 3, a2.count("status"), "bounded reconcile attempts")
	assert.Equal(t, 0, b2.count("authorize"))
	// The reference stays owned by a: a retry is a duplicate, not a second charge.
	_, err = r2.Authorize(context.Background(), sale("u2"))
	require.ErrorIs(t, err, payments.ErrDuplicate)

	// Reconciled to a failure: the payment and a decline.
	a3 := newFake("a")
	a3.authorize = a2.authorize
	a3.status = func(req *payments.StatusRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "9", Reference: req.Reference, Status: payments.StatusFailed,
			Decline: &payments.Decline{Reason: payments.DeclineExpiredCard}}, nil
	}
	r3, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a3}}, fast...)
	require.NoError(t, err)
	p, err = r3.Authorize(context.Background(), sale("u3"))
	require.ErrorIs(t, err, payments.ErrDeclined)
	require.NotNil(t, p)
	assert.Equal(t, payments.StatusFailed, p.Status)
}

func TestRouterReconcileRespectsContext(t *testing.T) {
	a := newFake("a")
	a.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.OutcomeUnknown}
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}}, payments.WithReconcile(100, time.Hour))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = r.Authorize(ctx, sale("ctx1"))
	require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
	assert.Equal(t, 0, a.count("status"))
}

func TestRouterBreaker(t *testing.T) {
	now := time.Unix(0, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	a, b := newFake("a"), newFake("b")
	var down atomic.Bool
	down.Store(true)
	a.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		if down.Load() {
			return nil, &payments.Error{Code: payments.Unavailable}
		}
		return nil, nil
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}},
		payments.WithBreaker(2, time.Minute), payments.WithClock(clock))
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := r.Authorize(ctx, sale(fmt.Sprintf("b%d", i)))
		require.NoError(t, err)
	}
	assert.Equal(t, 2, a.count("authorize"))
	// Open: a is skipped.
	p, err := r.Authorize(ctx, sale("b2"))
	require.NoError(t, err)
	assert.Equal(t, 2, a.count("authorize"))
	assert.Equal(t, "breaker open", p.Attempts[0].Err.(*payments.Error).Message)

	// After the cool-down one probe goes through; it fails: open again.
	advance(2 * time.Minute)
	_, err = r.Authorize(ctx, sale("b3"))
	require.NoError(t, err)
	assert.Equal(t, 3, a.count("authorize"))
	_, err = r.Authorize(ctx, sale("b4"))
	require.NoError(t, err)
	assert.Equal(t, 3, a.count("authorize"))

	// Recovered: the next probe succeeds and closes the breaker.
	down.Store(false)
	advance(2 * time.Minute)
	p, err = r.Authorize(ctx, sale("b5"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.ID, "a:"))
	p, err = r.Authorize(ctx, sale("b6"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.ID, "a:"))
}

func TestRouterOwnershipAndForwardOnly(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}}, fast...)
	require.NoError(t, err)
	ctx := context.Background()
	req := sale("o1")
	req.Capture = false
	p, err := r.Authorize(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "a:1", p.ID)

	p, err = r.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, "a:1", p.ID)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, 1, a.count("capture"))
	assert.Equal(t, 0, b.count("capture"))

	// A stale answer (the provider's replica lags) never takes it back.
	a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "1", Reference: "o1", Status: payments.StatusAuthorized}, nil
	}
	p, err = r.Status(ctx, &payments.StatusRequest{ID: "a:1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	p, err = r.Status(ctx, &payments.StatusRequest{Reference: "o1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, "a:1", p.ID)
	a.status = nil

	ref, err := r.Refund(ctx, &payments.RefundRequest{ID: "a:1"})
	require.NoError(t, err)
	assert.Equal(t, "a:1", ref.PaymentID)

	_, err = r.Capture(ctx, &payments.CaptureRequest{ID: "zz:1"})
	assert.ErrorIs(t, err, payments.ErrNotFound)
	_, err = r.Status(ctx, &payments.StatusRequest{Reference: "nope"})
	assert.ErrorIs(t, err, payments.ErrNotFound)
	_, err = r.Cancel(ctx, &payments.CancelRequest{})
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)
}

func TestRouterInvalidRequestMakesNoCalls(t *testing.T) {
	a := newFake("a")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}})
	require.NoError(t, err)
	req := sale("")
	_, err = r.Authorize(context.Background(), req)
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	assert.Equal(t, 0, a.count("authorize"))
}

func TestRouterConcurrentSameReference(t *testing.T) {
	a := newFake("a")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var ok, dup atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.Authorize(context.Background(), sale("same"))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, payments.ErrDuplicate):
				dup.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(19), dup.Load())
	assert.Equal(t, 1, a.count("authorize"))
}

func TestRouterReleasesUnsentReferences(t *testing.T) {
	a := newFake("a")
	var down atomic.Bool
	down.Store(true)
	a.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		if down.Load() {
			return nil, &payments.Error{Code: payments.Unavailable}
		}
		return nil, nil
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}})
	require.NoError(t, err)
	_, err = r.Authorize(context.Background(), sale("retry-me"))
	require.ErrorIs(t, err, payments.ErrUnavailable)
	down.Store(false)
	_, err = r.Authorize(context.Background(), sale("retry-me"))
	require.NoError(t, err, "a reference no provider saw may be tried again")
}

func TestRouterWeights(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a, Weight: 9}, {Name: "b", Gateway: b, Weight: 1}}, payments.WithRandSeed(1))
	require.NoError(t, err)
	for i := 0; i < 200; i++ {
		_, err := r.Authorize(context.Background(), sale(fmt.Sprint("w", i)))
		require.NoError(t, err)
	}
	assert.Greater(t, a.count("authorize"), 150)
	assert.Greater(t, b.count("authorize"), 5)
}

func TestRouterNotificationHandler(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b}})
	require.NoError(t, err)
	ctx := context.Background()
	p, err := r.Authorize(ctx, sale("n1"))
	require.NoError(t, err)
	owner := map[bool]*fakeGateway{true: a, false: b}[strings.HasPrefix(p.ID, "a:")]
	_, pid, _ := strings.Cut(p.ID, ":")

	// A late "authorized" notification after the capture.
	owner.notifyWith = &payments.Notification{Kind: payments.NotificationPayment, Verified: payments.VerifiedCredentials,
		Payment: &payments.Payment{ID: pid, Reference: "n1", Status: payments.StatusAuthorized},
		Reply:   payments.Reply{StatusCode: 204}}
	var got []*payments.Notification
	var mu sync.Mutex
	h := r.NotificationHandler(func(_ context.Context, n *payments.Notification) error {
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	post := func(route, auth string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/webhooks/"+route, strings.NewReader("{}"))
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 204, post(owner.name, "ok"))
	assert.Equal(t, 401, post(owner.name, "forged"))
	assert.Equal(t, 404, post("nope", "ok"))
	require.Len(t, got, 1)
	assert.Equal(t, payments.StatusCaptured, got[0].Payment.Status, "a late notification never takes a payment back")
	assert.Equal(t, p.ID, got[0].Payment.ID)
}

func TestRouterBreakerCountsTimeouts(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.authorize = func(*payments.AuthorizeRequest) (*payments.Payment, error) {
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Err: &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}}
	}
	a.status = func(req *payments.StatusRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "id-" + req.Reference, Reference: req.Reference, Status: payments.StatusFailed}, nil
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}},
		payments.WithBreaker(2, time.Hour), payments.WithReconcile(1, time.Millisecond))
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		_, err := r.Authorize(context.Background(), sale(fmt.Sprint("t", i)))
		require.ErrorIs(t, err, payments.ErrDeclined, "reconciled to failed, never cascaded")
	}
	p, err := r.Authorize(context.Background(), sale("t2"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.ID, "b:"), "two timeouts opened a's breaker")
	assert.Equal(t, 2, a.count("authorize"))
}

func TestRouterSoftDeclineOnLastRouteIsOwned(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	soft := func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "d1", Reference: req.Reference, Status: payments.StatusFailed},
			&payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: payments.DeclineDoNotHonour}}
	}
	a.authorize, b.authorize = soft, soft
	a.status = func(req *payments.StatusRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "d1", Reference: "sd1", Status: payments.StatusFailed}, nil
	}
	b.status = a.status
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}, {Name: "b", Gateway: b, Priority: 1}})
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), sale("sd1"))
	require.ErrorIs(t, err, payments.ErrDeclined)
	require.NotNil(t, p)
	assert.Equal(t, "b:d1", p.ID, "the last route tried owns the declined payment")
	require.Len(t, p.Attempts, 2)
	q, err := r.Status(context.Background(), &payments.StatusRequest{Reference: "sd1"})
	require.NoError(t, err)
	assert.Equal(t, "b:d1", q.ID)
	_, err = r.Authorize(context.Background(), sale("sd1"))
	assert.ErrorIs(t, err, payments.ErrDuplicate, "a declined reference stays taken: the providers hold it")
}

func TestRouterTiesPaymentsWithoutReferenceToTheReservedOne(t *testing.T) {
	a := newFake("a")
	a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "n1", Status: payments.StatusAuthorized, Amount: req.Amount}, nil
	}
	a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
		return &payments.Payment{ID: "n1", Status: payments.StatusAuthorized}, nil
	}
	r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}})
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), sale("noref"))
	require.NoError(t, err)
	assert.Equal(t, "noref", p.Reference)
	q, err := r.Status(context.Background(), &payments.StatusRequest{Reference: "noref"})
	require.NoError(t, err)
	assert.Equal(t, "a:n1", q.ID)
}
