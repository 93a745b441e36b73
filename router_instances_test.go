package payments_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/routing"
	"github.com/gopayments/payments/store/sqlstore"
	"github.com/gopayments/payments/store/sqlstore/sqlstoretest"
)

// saleByCapture makes a card sale on a two-step acquirer as two calls,
// authorize then capture, the way the SmartPay driver makes a
// pay-upon-invoice sale: when the capture is refused the authorized Payment
// comes back with a cascadable error (a partial success). It lets the
// instances test put partial successes in front of another card route.
type saleByCapture struct{ payments.Gateway }

func (g saleByCapture) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if !req.Capture {
		return g.Gateway.Authorize(ctx, req)
	}
	auth := *req
	auth.Capture = false
	p, err := g.Gateway.Authorize(ctx, &auth)
	if err != nil || p.Status != payments.StatusAuthorized {
		return p, err
	}
	c, err := g.Gateway.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	if err != nil {
		return p, err // authorized, capture refused: a partial success
	}
	return c, nil
}

// crashyStore is one instance's view of the shared store: with the given
// probability the instance "dies" between the provider's answer and the
// store write (the write is lost).
type crashyStore struct {
	payments.Store
	mu   sync.Mutex
	rng  *rand.Rand
	odds float64
}

func (s *crashyStore) Finish(ctx context.Context, rec payments.Record, own bool) (payments.Record, error) {
	s.mu.Lock()
	crash := s.rng.Float64() < s.odds
	s.mu.Unlock()
	if crash {
		return payments.Record{}, errors.New("instance crashed before writing the outcome")
	}
	return s.Store.Finish(ctx, rec, own)
}

// sharedStores are the stores several Router instances can share. Each
// entry makes a fresh database and returns how an instance opens it: the
// SQL stores open a handle of their own per instance, as separate
// processes would; the MemoryStore is one value shared in-process.
func sharedStores(t *testing.T) map[string]func(t *testing.T) func() payments.Store {
	sql := func(url func(testing.TB) string) func(t *testing.T) func() payments.Store {
		return func(t *testing.T) func() payments.Store {
			u := url(t)
			return func() payments.Store {
				s, err := sqlstore.Open(context.Background(), u)
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, s.Close()) })
				return s
			}
		}
	}
	return map[string]func(t *testing.T) func() payments.Store{
		"memory": func(*testing.T) func() payments.Store {
			m := payments.NewMemoryStore()
			return func() payments.Store { return m }
		},
		"sqlite":   sql(sqlstoretest.SQLiteURL),
		"postgres": sql(sqlstoretest.FreshSchema),
	}
}

// TestRouterInstancesNeverChargeTwice runs 4 Router instances (separate
// Routers with their own drivers, as separate processes would be) on one
// shared store over the three real simulators: concurrent Authorize calls
// on shared references, faults before and after the providers process,
// partial successes, and instances dying between the provider's answer and
// the store write. Then Recover runs from two other instances at once. It
// asserts that no reference is charged on two simulators, and that every
// charge the simulators hold is owned by a record (or, on a route that
// cannot look payments up by reference, listed by Recover as unresolved).
func TestRouterInstancesNeverChargeTwice(t *testing.T) {
	for name, newStore := range sharedStores(t) {
		t.Run(name, func(t *testing.T) { runInstances(t, newStore(t), nil) })
	}
}

// TestRouterInstancesNeverChargeTwiceWithStrategy is the same with each
// instance ordering routes by its own learning strategy, the strategies
// sharing their estimates through the store when it keeps them.
func TestRouterInstancesNeverChargeTwiceWithStrategy(t *testing.T) {
	for name, newStore := range sharedStores(t) {
		t.Run(name, func(t *testing.T) {
			open := newStore(t)
			var seed uint64
			runInstances(t, open, func() payments.RouterOption {
				seed++
				var opts []routing.Option
				if ss, ok := open().(payments.StatsStore); ok {
					opts = append(opts, routing.WithSharedStats(ss, time.Second))
				}
				return payments.WithStrategy(eagerStrategy(t, seed, opts...))
			})
		})
	}
}

// runInstances runs the scenario; withStrategy, when set, gives each
// Router instance its strategy option.
func runInstances(t *testing.T, open func() payments.Store, withStrategy func() payments.RouterOption) {
	a := newAcquirers(t)
	ctx := context.Background()
	newRouter := func(store payments.Store) *payments.Router {
		sp, s2p, inv := a.newGateways(t)
		r, err := payments.NewRouter([]payments.Route{
			{Name: "s2p", Gateway: saleByCapture{s2p}, Priority: 0},
			{Name: "sp", Gateway: sp, Priority: 1},
			{Name: "inv", Gateway: inv, Priority: 2},
		}, append([]payments.RouterOption{payments.WithStore(store), payments.WithReconcile(2, time.Millisecond), payments.WithBreaker(1000, time.Minute),
			payments.WithStoreRetry(1, 0)}, strategyOpt(withStrategy)...)...)
		require.NoError(t, err)
		return r
	}
	const instances, refs = 4, 48
	var routers []*payments.Router
	for i := range instances {
		routers = append(routers, newRouter(&crashyStore{Store: open(), rng: rand.New(rand.NewPCG(uint64(i), 99)), odds: 0.15}))
	}

	shared := open() // the auditor's handle
	rng := rand.New(rand.NewPCG(20261204, 1))
	faults := []faultnet.Fault{faultnet.Refused, faultnet.ResetAfterProcess, faultnet.TimeoutAfterProcess,
		faultnet.Status500, faultnet.Status503, faultnet.RateLimited}
	pick := func() faultnet.Fault { return faults[rng.IntN(len(faults))] }
	s2pCapture := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/capture")
	}
	type job struct {
		inst int
		req  *payments.AuthorizeRequest
	}
	var jobs []job
	for i := range refs {
		ref := fmt.Sprintf("inst-%03d", i)
		req, _ := propertyRequest(rng, ref)
		// Each reference is sent by two instances at once.
		first := rng.IntN(instances)
		jobs = append(jobs, job{first, req}, job{(first + 1 + rng.IntN(instances-1)) % instances, req})
		// Faults somewhere, before or after the providers process (queued:
		// each fails the next matching request, whichever instance sends
		// it), and refused captures after a granted authorization: partial
		// successes.
		if rng.IntN(3) == 0 {
			a.s2p.Inject(a.authorizePath["s2p"], pick(), 1)
		}
		if rng.IntN(2) == 0 {
			a.s2p.Inject(s2pCapture, faultnet.RateLimited, 1)
		}
		if rng.IntN(3) == 0 {
			a.sp.Inject(a.authorizePath["sp"], pick(), 1)
		}
		if rng.IntN(3) == 0 {
			a.inv.Inject(a.authorizePath["inv"], pick(), 1)
		}
	}
	var wg sync.WaitGroup
	work := make(chan job)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				_, _ = routers[j.inst].Authorize(ctx, j.req)
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	for _, ft := range a.routeByFaultTransport {
		ft.Clear()
	}

	// Recover from two other instances at once.
	var reps [2]payments.RecoverReport
	var errs [2]error
	recoverers := [2]*payments.Router{newRouter(open()), newRouter(open())} // built here: newRouter is not safe for concurrent use
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = recoverers[i].Recover(ctx, 0)
		}()
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	unresolved := map[string]string{}
	for _, rep := range reps {
		for _, u := range rep.Unresolved {
			unresolved[u.Record.Reference] = u.Record.Route
		}
	}

	charged := 0
	for i := range refs {
		ref := fmt.Sprintf("inst-%03d", i)
		truth := a.accepted(ref)
		require.LessOrEqual(t, len(truth), 1, "%s: charged on %v", ref, truth)
		for route := range truth {
			charged++
			owner, err := shared.GetByReference(ctx, ref)
			if err == nil {
				require.Equal(t, route, owner.Route, "%s: charged at %s, owned by %+v", ref, route, owner)
				continue
			}
			require.Equal(t, "inv", route, "%s: charged at %s and owned by no record (%v)", ref, route, err)
			require.Equal(t, "inv", unresolved[ref], "%s: a charge at inv that no record owns must be listed by Recover", ref)
		}
	}
	require.Greater(t, charged, refs/3, "the test must charge many references")
	cs, err := shared.Conflicts(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, cs, "no double charge was recorded either")
}

func strategyOpt(f func() payments.RouterOption) []payments.RouterOption {
	if f == nil {
		return nil
	}
	return []payments.RouterOption{f()}
}
