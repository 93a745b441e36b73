package routing_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/routing"
)

func TestOptionsValidated(t *testing.T) {
	cases := []struct {
		opt   routing.Option
		field string
	}{
		{routing.WithSegment(nil), "WithSegment"},
		{routing.WithWindow(time.Millisecond, 10), "WithWindow"},
		{routing.WithWindow(2*time.Hour, 10), "WithWindow"},
		{routing.WithWindow(time.Minute, 1), "WithWindow"},
		{routing.WithWindow(time.Hour, 25), "WithWindow"},
		{routing.WithHalfLife(-1), "WithHalfLife"},
		{routing.WithHalfLife(31), "WithHalfLife"}, // longer than the default 30 buckets
		{routing.WithExploration(-0.1), "WithExploration"},
		{routing.WithExploration(0.5), "WithExploration"},
		{routing.WithExploration(math.NaN()), "WithExploration"},
		{routing.WithMinSamples(0), "WithMinSamples"},
		{routing.WithElimination(1), "WithElimination"},
		{routing.WithElimination(-0.1), "WithElimination"},
		{routing.WithClock(nil), "WithClock"},
		{routing.WithSharedStats(nil, time.Minute), "WithSharedStats"},
		{routing.WithSharedStats(payments.NewMemoryStore(), time.Millisecond), "WithSharedStats"},
	}
	for _, c := range cases {
		_, err := routing.NewAuthRate(c.opt)
		var pe *payments.Error
		require.True(t, errors.As(err, &pe), "%s: %v", c.field, err)
		require.Equal(t, payments.InvalidRequest, pe.Code)
		require.Equal(t, c.field, pe.Field)
	}
	_, err := routing.NewAuthRate(routing.WithWindow(time.Minute, 1440/60*60), routing.WithHalfLife(0), routing.WithExploration(0),
		routing.WithMinSamples(1), routing.WithElimination(0))
	require.NoError(t, err)
}

func TestCardNetwork(t *testing.T) {
	for num, want := range map[payments.CardNumber]string{
		"4012000000003010": "visa", "5555555555554444": "mastercard", "2223003122003222": "mastercard",
		"378282246310005": "amex", "6011111111111117": "card", "12": "card",
	} {
		require.Equal(t, want, routing.CardNetwork(num), string(num))
	}
}

type fixture struct {
	now time.Time
	s   *routing.AuthRate
}

func newFixture(t *testing.T, opts ...routing.Option) *fixture {
	f := &fixture{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := routing.NewAuthRate(append([]routing.Option{routing.WithClock(func() time.Time { return f.now }),
		routing.WithMinSamples(10), routing.WithExploration(0), routing.WithSeed(1)}, opts...)...)
	require.NoError(t, err)
	f.s = s
	return f
}

var req = func() *payments.AuthorizeRequest {
	amount, _ := payments.ParseMoney("10.00", "EUR")
	return &payments.AuthorizeRequest{Reference: "r", Amount: amount, Method: payments.Card{Number: "4012000000003010"}}
}()

const seg = "EUR/visa"

func (f *fixture) record(route string, n int, class payments.OutcomeClass) {
	for range n {
		f.s.Record(context.Background(), payments.Outcome{Route: route, Reference: "x", Attempt: 1, Time: f.now, Class: class, Request: req})
	}
}

func (f *fixture) order(routes ...string) []payments.Candidate {
	cs := make([]payments.Candidate, len(routes))
	for i, r := range routes {
		cs[i] = payments.Candidate{Route: r, Priority: i, Reason: payments.ReasonPriority}
	}
	f.s.Order(context.Background(), req, cs)
	return cs
}

func names(cs []payments.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Route)
	}
	return out
}

func TestOrderByScoreAfterMinSamples(t *testing.T) {
	f := newFixture(t)
	f.record("A", 9, payments.OutcomeFailed)
	f.record("B", 12, payments.OutcomeApproved)
	// A has 9 < 10 samples: not judged, keeps its static first place.
	cs := f.order("A", "B")
	require.Equal(t, []string{"A", "B"}, names(cs))
	require.Equal(t, "priority (9/10 samples)", cs[0].Reason)
	require.Equal(t, "score 1.000 (12 samples)", cs[1].Reason)
	// Hard declines and abandonment do not count against A.
	f.record("A", 50, payments.OutcomeNeutral)
	require.Equal(t, int64(9), f.s.Estimate("A", seg).Samples)
	f.record("A", 3, payments.OutcomeApproved)
	cs = f.order("A", "B")
	require.Equal(t, []string{"B", "A"}, names(cs))
	require.Equal(t, "eliminated (score 0.250 < 0.4, 12 samples)", cs[1].Reason)
	// Cascaded attempts do not count by default.
	f.s.Record(context.Background(), payments.Outcome{Route: "A", Reference: "y", Attempt: 2, Time: f.now, Class: payments.OutcomeApproved, Request: req})
	require.Equal(t, int64(12), f.s.Estimate("A", seg).Samples)
}

func TestWindowForgets(t *testing.T) {
	f := newFixture(t, routing.WithWindow(time.Minute, 10))
	f.record("A", 20, payments.OutcomeFailed)
	f.now = f.now.Add(9 * time.Minute)
	require.Equal(t, int64(20), f.s.Estimate("A", seg).Samples)
	f.now = f.now.Add(time.Minute)
	require.Equal(t, int64(0), f.s.Estimate("A", seg).Samples)
	require.True(t, math.IsNaN(f.s.Estimate("A", seg).Score))
}

func TestLateOutcomesCorrect(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A redirect: nothing counted until the notification.
	f.s.Record(ctx, payments.Outcome{Route: "A", Reference: "3ds", Attempt: 1, Time: f.now, Class: payments.OutcomePending, Request: req})
	// An unknown outcome: counted as a failure for now.
	f.s.Record(ctx, payments.Outcome{Route: "A", Reference: "unk", Attempt: 1, Time: f.now, Class: payments.OutcomeFailed, Code: payments.OutcomeUnknown, Request: req})
	require.Equal(t, routing.Estimate{Samples: 1, Score: 0}, f.s.Estimate("A", seg))

	f.now = f.now.Add(2 * time.Minute)
	f.s.Record(ctx, payments.Outcome{Route: "A", Reference: "3ds", Attempt: 1, Time: f.now, Class: payments.OutcomeApproved, Late: true})
	f.s.Record(ctx, payments.Outcome{Route: "A", Reference: "unk", Attempt: 1, Time: f.now, Class: payments.OutcomeApproved, Late: true})
	require.Equal(t, routing.Estimate{Samples: 2, Score: 1}, f.s.Estimate("A", seg))
	// Later news (a capture, a refund) about a counted attempt changes nothing.
	f.s.Record(ctx, payments.Outcome{Route: "A", Reference: "unk", Attempt: 1, Time: f.now, Class: payments.OutcomeNeutral, Late: true})
	require.Equal(t, routing.Estimate{Samples: 2, Score: 1}, f.s.Estimate("A", seg))
}

func TestExplorationShare(t *testing.T) {
	f := newFixture(t, routing.WithExploration(0.05))
	f.record("A", 100, payments.OutcomeApproved)
	f.record("B", 100, payments.OutcomeFailed)
	explored := 0
	for range 20000 {
		cs := f.order("A", "B")
		if cs[0].Route == "B" {
			require.Equal(t, "exploration (score 0.000, 100 samples)", cs[0].Reason)
			explored++
		}
	}
	require.InDelta(t, 0.05, float64(explored)/20000, 0.01)
}

// Two instances share estimates through a StatsStore (the MemoryStore).
func TestSharedStats(t *testing.T) {
	store := payments.NewMemoryStore()
	a := newFixture(t, routing.WithSharedStats(store, 10*time.Second))
	b := newFixture(t, routing.WithSharedStats(store, 10*time.Second))
	b.now = a.now
	a.order("A") // first refresh
	b.order("A")
	a.record("A", 20, payments.OutcomeApproved)
	require.Equal(t, int64(20), a.s.Estimate("A", seg).Samples)
	require.Equal(t, int64(0), b.s.Estimate("A", seg).Samples)
	// Within two refresh intervals b sees a's counts.
	a.now = a.now.Add(10 * time.Second)
	a.order("A", "B")
	b.now = a.now
	b.order("A", "B")
	require.Equal(t, int64(20), b.s.Estimate("A", seg).Samples)
	require.Equal(t, int64(20), a.s.Estimate("A", seg).Samples, "flushed counts are not counted twice")
	b.record("A", 5, payments.OutcomeFailed)
	require.NoError(t, b.s.Refresh(context.Background()))
	require.NoError(t, a.s.Refresh(context.Background()))
	require.Equal(t, routing.Estimate{Samples: 25, Score: 0.8}, a.s.Estimate("A", seg))
}
