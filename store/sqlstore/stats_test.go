package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/routing"
)

// sqliteFileURL is the URL of a new SQLite file in a temporary directory.
func sqliteFileURL(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "payments.db")
}

// openURL opens a store on url, closed at cleanup.
func openURL(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Bucket times are kept to the microsecond in both dialects, and buckets
// more than 25 hours older than a batch's newest are deleted with it.
func testStatsBucketsAndPruning(t *testing.T, s *Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC) // .123456
	old := []payments.RouteStats{
		{Route: "a", Segment: "s", Bucket: t0.Add(-26 * time.Hour), Successes: 1},
		{Route: "a", Segment: "s", Bucket: t0.Add(-25 * time.Hour), Successes: 2},
		{Route: "b", Segment: "s", Bucket: t0.Add(-time.Hour), Failures: 3},
	}
	require.NoError(t, s.AddRouteStats(ctx, old))
	got, err := s.LoadRouteStats(ctx, time.Time{})
	require.NoError(t, err)
	require.Len(t, got, 3, "nothing is 25 hours older than this batch's newest")
	for _, r := range got {
		assert.Equal(t, 123456000, r.Bucket.Nanosecond(), "%v: the microseconds are kept", r.Bucket)
	}
	require.NoError(t, s.AddRouteStats(ctx, []payments.RouteStats{{Route: "c", Segment: "s", Bucket: t0, Successes: 1}}))
	got, err = s.LoadRouteStats(ctx, time.Time{})
	require.NoError(t, err)
	var buckets []time.Time
	for _, r := range got {
		buckets = append(buckets, r.Bucket)
	}
	assert.ElementsMatch(t, []time.Time{t0.Add(-25 * time.Hour), t0.Add(-time.Hour), t0}, buckets,
		"the bucket 26 hours older than the newest is deleted; the one 25 hours older is kept")
}

func TestStatsBucketsAndPruningSQLite(t *testing.T) {
	testStatsBucketsAndPruning(t, openSQLiteFile(t))
}

func TestStatsBucketsAndPruningPostgres(t *testing.T) {
	testStatsBucketsAndPruning(t, openPostgresStore(t))
}

// testStatsSeveralStores adds counters through several stores on one
// database at once, as several processes would: the sums are exact.
func testStatsSeveralStores(t *testing.T, url string) {
	ctx := context.Background()
	const stores, batches = 4, 25
	bucket := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make([]error, stores)
	for i := range stores {
		s := openURL(t, url)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range batches {
				// Each store writes the keys in its own order; every batch
				// adds (i+1) successes to "a" and takes 1 failure off "b".
				batch := []payments.RouteStats{
					{Route: "a", Segment: "s", Bucket: bucket, Successes: int64(i + 1)},
					{Route: "b", Segment: "s", Bucket: bucket, Failures: -1},
					{Route: fmt.Sprintf("own-%d", i), Segment: "s", Bucket: bucket.Add(time.Duration(n) * time.Minute), Successes: 1},
				}
				if i%2 == 1 {
					batch[0], batch[1] = batch[1], batch[0]
				}
				if err := s.AddRouteStats(ctx, batch); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	got, err := openURL(t, url).LoadRouteStats(ctx, time.Time{})
	require.NoError(t, err)
	sums := map[string][2]int64{}
	for _, r := range got {
		c := sums[r.Route]
		sums[r.Route] = [2]int64{c[0] + r.Successes, c[1] + r.Failures}
	}
	want := map[string][2]int64{"a": {(1 + 2 + 3 + 4) * batches, 0}, "b": {0, -stores * batches}}
	for i := range stores {
		want[fmt.Sprintf("own-%d", i)] = [2]int64{batches, 0}
	}
	assert.Equal(t, want, sums)
	assert.Len(t, got, 2+stores*batches)
}

func TestStatsSeveralStoresSQLite(t *testing.T) {
	testStatsSeveralStores(t, sqliteFileURL(t))
}

func TestStatsSeveralStoresPostgres(t *testing.T) {
	testStatsSeveralStores(t, freshSchema(t))
}

// downgrade turns the store's database back into one that only migration
// 0001 was applied to (the schema of the release before the stats table).
func downgrade(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	_, err := s.db.ExecContext(ctx, "DROP TABLE payments_route_stats")
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, "DELETE FROM payments_schema_migrations WHERE version > 1")
	require.NoError(t, err)
	v, err := s.Migrations(ctx)
	require.NoError(t, err)
	require.Equal(t, []int{1}, v)
}

// A database of the previous schema is upgraded when several processes
// open it at once: migration 0002 is applied once, the attempt log is kept,
// and every store can use the stats table.
func testStatsUpgrade(t *testing.T, url string) {
	ctx := context.Background()
	s := openURL(t, url)
	require.NoError(t, s.Begin(ctx, payments.Record{Reference: "kept", Attempt: 1, Route: "a"}))
	downgrade(t, s)
	require.NoError(t, s.Close())

	openConcurrently(t, url) // asserts every Open succeeds and each migration is recorded once
	s2 := openURL(t, url)
	a, err := s2.Attempts(ctx, "kept")
	require.NoError(t, err)
	assert.Len(t, a, 1, "the attempt log survives the upgrade")
	require.NoError(t, s2.AddRouteStats(ctx, []payments.RouteStats{{Route: "a", Segment: "s", Bucket: time.Now(), Successes: 1}}))
	got, err := s2.LoadRouteStats(ctx, time.Time{})
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

func TestStatsUpgradeSQLite(t *testing.T) {
	testStatsUpgrade(t, sqliteFileURL(t))
}

func TestStatsUpgradePostgres(t *testing.T) {
	testStatsUpgrade(t, freshSchema(t))
}

// instance is one of several Router instances (processes) sharing a
// database: its own store handle, learning strategy and Router. The
// acquirers are the same for all (two processes talk to the same
// providers): routes A and B, gateways shared.
type instance struct {
	name     string
	strategy *routing.AuthRate
	router   *payments.Router
	n        int
}

// sharedRefresh is the instances' refresh interval of the shared estimates.
const sharedRefresh = 10 * time.Second

func newInstance(t *testing.T, name, url string, acquirers [2]*memory.Gateway, now func() time.Time, seed uint64) *instance {
	t.Helper()
	s := openURL(t, url)
	ar, err := routing.NewAuthRate(routing.WithClock(now), routing.WithSharedStats(s, sharedRefresh),
		routing.WithMinSamples(10), routing.WithExploration(0), routing.WithSeed(seed))
	require.NoError(t, err)
	r, err := payments.NewRouter([]payments.Route{
		{Name: "A", Gateway: acquirers[0], Priority: 0},
		{Name: "B", Gateway: acquirers[1], Priority: 1},
	}, payments.WithStore(s), payments.WithStrategy(ar), payments.WithClock(now))
	require.NoError(t, err)
	return &instance{name: name, strategy: ar, router: r}
}

// pay runs one Authorize of 10.00 currency with card.
func (in *instance) pay(t *testing.T, currency string, card payments.CardNumber) (*payments.Payment, error) {
	t.Helper()
	in.n++
	amount, err := payments.ParseMoney("10.00", currency)
	require.NoError(t, err)
	return in.router.Authorize(context.Background(), &payments.AuthorizeRequest{
		Reference: fmt.Sprintf("%s-%d", in.name, in.n), Amount: amount, Capture: true,
		Method: payments.Card{Number: card, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
}

// tick is a payment in another segment (USD): traffic, during which the
// strategy refreshes its shared estimates when due.
func (in *instance) tick(t *testing.T) {
	t.Helper()
	_, err := in.pay(t, "USD", memory.CardApproved)
	require.NoError(t, err)
}

// Two Routers whose learning strategies share their estimates through one
// database (two store handles, as two processes would have) see each
// other's outcomes within the documented bound: two refresh intervals,
// given traffic (a strategy refreshes on its Order and Record calls). The
// clock is the strategies' and Routers' own, moved by the test.
func testSharedStrategies(t *testing.T, url string) {
	var clock atomic.Int64
	clock.Store(time.Now().Truncate(time.Hour).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	acquirers := [2]*memory.Gateway{memory.New(memory.Config{Clock: now}), memory.New(memory.Config{Clock: now})}
	one := newInstance(t, "one", url, acquirers, now, 1)
	two := newInstance(t, "two", url, acquirers, now, 2)
	const seg = "EUR/visa"
	// The first traffic refreshes both (same phase: in each step two reads
	// before one writes, the slowest case).
	two.tick(t)
	one.tick(t)

	// Instance one learns that A fails EUR payments: 10 soft declines (the
	// minimum sample), each cascaded to B (a cascaded attempt does not
	// count).
	for range 10 {
		_, err := one.pay(t, "EUR", memory.CardDoNotHonour)
		require.ErrorIs(t, err, payments.ErrDeclined)
		var pe *payments.Error
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "A", pe.Attempts[0].Route)
	}
	learned := now()
	require.Equal(t, routing.Estimate{Samples: 10, Score: 0}, one.strategy.Estimate("A", seg), "an instance sees its own outcomes at once")

	// seen moves the clock a second at a time, with traffic on both, until
	// cond holds, and returns how long after the outcomes that was.
	seen := func(cond func() bool) time.Duration {
		t.Helper()
		for step := 0; step <= 3*int(sharedRefresh/time.Second); step++ {
			if cond() {
				return now().Sub(learned)
			}
			advance(time.Second)
			two.tick(t)
			one.tick(t)
		}
		t.Fatal("never seen")
		return 0
	}
	lag := seen(func() bool { return two.strategy.Estimate("A", seg).Samples == 10 })
	t.Logf("instance two saw instance one's outcomes %s later (refresh %s)", lag, sharedRefresh)
	assert.LessOrEqual(t, lag, 2*sharedRefresh, "within two refresh intervals")
	assert.Equal(t, routing.Estimate{Samples: 10, Score: 0}, two.strategy.Estimate("A", seg))
	assert.Equal(t, routing.Estimate{Samples: 10, Score: 0}, one.strategy.Estimate("A", seg), "flushed counts are not counted twice")

	// Instance two now routes EUR payments away from A, on what one saw.
	p, err := two.pay(t, "EUR", memory.CardApproved)
	require.NoError(t, err)
	require.Len(t, p.Attempts, 1)
	assert.Equal(t, "B", p.Attempts[0].Route, "A is eliminated on instance one's outcomes")
	assert.Equal(t, "priority (0/10 samples)", p.Attempts[0].Reason)

	// And back: one sees two's approval on B.
	learned = now()
	lag = seen(func() bool { return one.strategy.Estimate("B", seg).Samples == 1 })
	assert.LessOrEqual(t, lag, 2*sharedRefresh, "within two refresh intervals")
	assert.Equal(t, routing.Estimate{Samples: 1, Score: 1}, one.strategy.Estimate("B", seg))
	assert.Equal(t, routing.Estimate{Samples: 1, Score: 1}, two.strategy.Estimate("B", seg))
}

func TestSharedStrategiesSQLite(t *testing.T) {
	testSharedStrategies(t, sqliteFileURL(t))
}

func TestSharedStrategiesPostgres(t *testing.T) {
	testSharedStrategies(t, freshSchema(t))
}
