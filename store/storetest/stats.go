package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
)

// RunStats runs the conformance suite of [payments.StatsStore] against
// stores made by newStore, one empty store per subtest. [Run] runs it too,
// under "Stats/", when its stores implement payments.StatsStore.
//
// Buckets are whole seconds: a store may keep them to the microsecond.
func RunStats(t *testing.T, newStore func(t *testing.T) payments.StatsStore) {
	t.Helper()
	for _, tc := range statsTests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, &statsSuite{t: t, s: s, ctx: context.Background(),
				t0: time.Now().Add(-time.Hour).Truncate(time.Minute).UTC()})
		})
	}
}

// runStatsIfImplemented runs RunStats under "Stats" when newStore's stores
// implement payments.StatsStore.
func runStatsIfImplemented(t *testing.T, newStore func(t *testing.T) payments.Store) {
	t.Run("Stats", func(t *testing.T) {
		if _, ok := newStore(t).(payments.StatsStore); !ok {
			t.Log("the store does not implement payments.StatsStore: no Stats subtests")
			return
		}
		RunStats(t, func(t *testing.T) payments.StatsStore { return newStore(t).(payments.StatsStore) })
	})
}

type statsTest struct {
	name string
	run  func(t *testing.T, x *statsSuite)
}

type statsSuite struct {
	t   *testing.T
	s   payments.StatsStore
	ctx context.Context
	t0  time.Time // a whole minute about an hour ago: buckets are t0 + n minutes
}

// bucket returns t0 + min minutes.
func (x *statsSuite) bucket(min int) time.Time { return x.t0.Add(time.Duration(min) * time.Minute) }

// rs is a counter (or a delta) of route and segment in bucket min.
func (x *statsSuite) rs(route, segment string, min int, successes, failures int64) payments.RouteStats {
	return payments.RouteStats{Route: route, Segment: segment, Bucket: x.bucket(min), Successes: successes, Failures: failures}
}

// add adds deltas and fails the test on an error.
func (x *statsSuite) add(deltas ...payments.RouteStats) {
	x.t.Helper()
	require.NoError(x.t, x.s.AddRouteStats(x.ctx, deltas))
}

// statsID names a counter in failure messages and maps.
func statsID(r payments.RouteStats) string {
	return fmt.Sprintf("%s|%s|%s", r.Route, r.Segment, r.Bucket.UTC().Format(time.RFC3339Nano))
}

// load returns the counters of the buckets from since, by statsID, and
// checks that each is listed once, with a UTC Bucket.
func (x *statsSuite) load(since time.Time) map[string]payments.RouteStats {
	x.t.Helper()
	got, err := x.s.LoadRouteStats(x.ctx, since)
	require.NoError(x.t, err)
	out := make(map[string]payments.RouteStats, len(got))
	for _, r := range got {
		id := statsID(r)
		_, dup := out[id]
		require.False(x.t, dup, "%s listed twice", id)
		require.Equal(x.t, time.UTC, r.Bucket.Location(), "%s: Bucket is UTC", id)
		out[id] = r
	}
	return out
}

// want builds the map load returns from counters.
func want(counters ...payments.RouteStats) map[string]payments.RouteStats {
	out := make(map[string]payments.RouteStats, len(counters))
	for _, c := range counters {
		c.Bucket = c.Bucket.UTC()
		out[statsID(c)] = c
	}
	return out
}

var statsTests = []statsTest{
	{"AddCreatesAndAdds", func(t *testing.T, x *statsSuite) {
		assert.Empty(t, x.load(time.Time{}), "an empty store has no counters")
		x.add(
			x.rs("a", "EUR/visa", 0, 3, 1),
			x.rs("a", "EUR/visa", 1, 2, 0),
			x.rs("b", "EUR/visa", 0, 0, 4),
			x.rs("a", "USD/mastercard", 0, 5, 5),
			x.rs("a", "", 0, 1, 0), // a segment function may return ""
			x.rs("c", "EUR/visa", 0, 0, 0),
		)
		assert.Equal(t, want(
			x.rs("a", "EUR/visa", 0, 3, 1),
			x.rs("a", "EUR/visa", 1, 2, 0),
			x.rs("b", "EUR/visa", 0, 0, 4),
			x.rs("a", "USD/mastercard", 0, 5, 5),
			x.rs("a", "", 0, 1, 0),
			x.rs("c", "EUR/visa", 0, 0, 0), // created at zero
		), x.load(time.Time{}))
		// Adds add, also several deltas of one counter in one batch; a
		// bucket given in another time zone is the same instant.
		x.add(
			x.rs("a", "EUR/visa", 0, 1, 1),
			x.rs("a", "EUR/visa", 0, 10, 0),
			payments.RouteStats{Route: "b", Segment: "EUR/visa", Bucket: x.bucket(0).In(time.FixedZone("UTC+5", 5*3600)), Successes: 7},
		)
		got := x.load(time.Time{})
		assert.Equal(t, x.rs("a", "EUR/visa", 0, 14, 2), got[statsID(x.rs("a", "EUR/visa", 0, 0, 0))])
		assert.Equal(t, x.rs("b", "EUR/visa", 0, 7, 4), got[statsID(x.rs("b", "EUR/visa", 0, 0, 0))])
		assert.Len(t, got, 6, "no new counters")
		// An empty batch is no error and changes nothing.
		require.NoError(t, x.s.AddRouteStats(x.ctx, nil))
		assert.Equal(t, got, x.load(time.Time{}))
	}},
	{"NegativeDeltasCorrect", func(t *testing.T, x *statsSuite) {
		// An unknown outcome counted as a failure, then shown approved.
		x.add(x.rs("a", "s", 0, 5, 3))
		x.add(x.rs("a", "s", 0, 1, -1))
		assert.Equal(t, want(x.rs("a", "s", 0, 6, 2)), x.load(time.Time{}))
		// A correction may arrive before the count it corrects (another
		// instance's adds are not ordered with it): the counter goes below
		// zero meanwhile, and the sum is the same in either order.
		x.add(x.rs("a", "s", 1, 1, -1))
		assert.Equal(t, x.rs("a", "s", 1, 1, -1), x.load(x.bucket(1))[statsID(x.rs("a", "s", 1, 0, 0))])
		x.add(x.rs("a", "s", 1, 0, 1))
		assert.Equal(t, want(x.rs("a", "s", 0, 6, 2), x.rs("a", "s", 1, 1, 0)), x.load(time.Time{}))
	}},
	{"ConcurrentAddsSum", func(t *testing.T, x *statsSuite) {
		// Goroutines add batches over the same counters, each batch in its
		// own order, some deltas negative: the counters end at the exact
		// sums.
		const goroutines, batches = 12, 20
		keys := []payments.RouteStats{
			x.rs("a", "EUR/visa", 0, 0, 0), x.rs("a", "EUR/visa", 1, 0, 0), x.rs("b", "EUR/visa", 0, 0, 0),
			x.rs("b", "USD/visa", 1, 0, 0), x.rs("c", "EUR/visa", 2, 0, 0), x.rs("c", "USD/amex", 2, 0, 0),
		}
		sums := make([][2]int64, len(keys))
		var mu sync.Mutex
		errs := make([]error, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(g), 7))
				for range batches {
					var batch []payments.RouteStats
					var local [][3]int64
					for _, i := range rng.Perm(len(keys))[:1+rng.IntN(len(keys))] {
						d := keys[i]
						d.Successes, d.Failures = rng.Int64N(7)-2, rng.Int64N(7)-2
						batch = append(batch, d)
						local = append(local, [3]int64{int64(i), d.Successes, d.Failures})
					}
					if err := x.s.AddRouteStats(x.ctx, batch); err != nil {
						errs[g] = err
						return
					}
					mu.Lock()
					for _, l := range local {
						sums[l[0]][0] += l[1]
						sums[l[0]][1] += l[2]
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for g, err := range errs {
			require.NoError(t, err, "goroutine %d", g)
		}
		var exp []payments.RouteStats
		for i, k := range keys {
			k.Successes, k.Failures = sums[i][0], sums[i][1]
			exp = append(exp, k)
		}
		assert.Equal(t, want(exp...), x.load(time.Time{}))
	}},
	{"AllOrNone", func(t *testing.T, x *statsSuite) {
		x.add(x.rs("a", "s", 0, 1, 1), x.rs("zz-full", "s", 0, math.MaxInt64, 0), x.rs("zz-low", "s", 0, 0, math.MinInt64))
		before := x.load(time.Time{})
		// The counter that overflows comes after others, in the batch and
		// in any order of keys a store may write in.
		for _, bad := range []payments.RouteStats{
			x.rs("zz-full", "s", 0, 1, 0),
			x.rs("zz-low", "s", 0, 0, -1),
		} {
			err := x.s.AddRouteStats(x.ctx, []payments.RouteStats{
				x.rs("a", "s", 0, 5, 5), x.rs("b", "s", 0, 1, 0), x.rs("a", "s", 1, 2, 0), bad,
			})
			require.ErrorIs(t, err, payments.ErrInvalidRequest, "%s: a sum beyond int64", statsID(bad))
			var pe *payments.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "deltas", pe.Field)
			assert.Equal(t, before, x.load(time.Time{}), "%s: the refused batch wrote nothing", statsID(bad))
		}
		// Deltas of one batch that overflow between themselves.
		err := x.s.AddRouteStats(x.ctx, []payments.RouteStats{x.rs("b", "s", 0, 1, 0), x.rs("c", "s", 0, math.MaxInt64, 0), x.rs("c", "s", 0, 1, 0)})
		require.ErrorIs(t, err, payments.ErrInvalidRequest)
		assert.Equal(t, before, x.load(time.Time{}), "the refused batch wrote nothing")
		// The store goes on: a batch back within range is written.
		x.add(x.rs("zz-full", "s", 0, -1, 0), x.rs("b", "s", 0, 1, 0))
		got := x.load(time.Time{})
		assert.Equal(t, x.rs("zz-full", "s", 0, math.MaxInt64-1, 0), got[statsID(x.rs("zz-full", "s", 0, 0, 0))])
		assert.Equal(t, x.rs("b", "s", 0, 1, 0), got[statsID(x.rs("b", "s", 0, 0, 0))])
	}},
	{"LoadSince", func(t *testing.T, x *statsSuite) {
		x.add(x.rs("a", "s", 0, 1, 0), x.rs("a", "s", 1, 2, 0), x.rs("b", "t", 2, 3, 0))
		assert.Len(t, x.load(time.Time{}), 3)
		assert.Equal(t, want(x.rs("a", "s", 1, 2, 0), x.rs("b", "t", 2, 3, 0)), x.load(x.bucket(1)), "a bucket that starts at since is in")
		assert.Equal(t, want(x.rs("b", "t", 2, 3, 0)), x.load(x.bucket(1).Add(time.Nanosecond)), "a bucket that starts before since is out")
		assert.Equal(t, want(x.rs("b", "t", 2, 3, 0)), x.load(x.bucket(1).Add(30*time.Second)))
		assert.Equal(t, want(x.rs("b", "t", 2, 3, 0)), x.load(x.bucket(2).In(time.FixedZone("UTC-3", -3*3600))), "since in another time zone")
		assert.Empty(t, x.load(x.bucket(3)))
	}},
	{"KeepsTheLast25Hours", func(t *testing.T, x *statsSuite) {
		// A store may delete buckets over 25 hours older than its newest,
		// never younger ones.
		newest := 25*60 + 1
		x.add(x.rs("a", "s", 1, 1, 0), x.rs("a", "s", 60, 2, 0))
		x.add(x.rs("a", "s", newest, 3, 0))
		x.add(x.rs("b", "s", newest, 1, 1))
		assert.Equal(t, want(x.rs("a", "s", 1, 1, 0), x.rs("a", "s", 60, 2, 0), x.rs("a", "s", newest, 3, 0), x.rs("b", "s", newest, 1, 1)),
			x.load(time.Time{}), "buckets 25 hours older than the newest are kept")
	}},
}
