package payments_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/internal/routesim"
	"github.com/gopayments/payments/routing"
)

// TestClassifyOutcome is the taxonomy of what counts against an acquirer.
func TestClassifyOutcome(t *testing.T) {
	declined := func(r payments.DeclineReason) error {
		return &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: r}}
	}
	failed := func(r payments.DeclineReason) *payments.Payment {
		return &payments.Payment{Status: payments.StatusFailed, Decline: &payments.Decline{Reason: r}}
	}
	code := func(c payments.Code) error { return &payments.Error{Code: c} }
	st := func(s payments.Status) *payments.Payment { return &payments.Payment{Status: s} }
	cases := []struct {
		name string
		p    *payments.Payment
		err  error
		want payments.OutcomeClass
	}{
		{"captured", st(payments.StatusCaptured), nil, payments.OutcomeApproved},
		{"authorized", st(payments.StatusAuthorized), nil, payments.OutcomeApproved},
		{"authorized, capture rate limited", st(payments.StatusAuthorized), code(payments.RateLimited), payments.OutcomeApproved},
		{"refunded later", st(payments.StatusRefunded), nil, payments.OutcomeApproved},
		{"insufficient funds", failed(payments.DeclineInsufficientFunds), declined(payments.DeclineInsufficientFunds), payments.OutcomeNeutral},
		{"expired card", failed(payments.DeclineExpiredCard), declined(payments.DeclineExpiredCard), payments.OutcomeNeutral},
		{"invalid card", nil, declined(payments.DeclineInvalidCard), payments.OutcomeNeutral},
		{"3DS failed by the buyer", nil, declined(payments.DeclineAuthenticationFailed), payments.OutcomeNeutral},
		{"card limit", nil, declined(payments.DeclineLimitExceeded), payments.OutcomeNeutral},
		{"customer abandoned (expired)", st(payments.StatusExpired), nil, payments.OutcomeNeutral},
		{"canceled", st(payments.StatusCanceled), nil, payments.OutcomeNeutral},
		{"do not honour", failed(payments.DeclineDoNotHonour), declined(payments.DeclineDoNotHonour), payments.OutcomeFailed},
		{"generic decline", nil, declined(payments.DeclineGeneric), payments.OutcomeFailed},
		{"decline without reason", nil, code(payments.Declined), payments.OutcomeFailed},
		{"decline reason on the payment only", failed(payments.DeclineInsufficientFunds), code(payments.Declined), payments.OutcomeNeutral},
		{"suspected fraud", nil, declined(payments.DeclineSuspectedFraud), payments.OutcomeFailed},
		{"unavailable", nil, code(payments.Unavailable), payments.OutcomeFailed},
		{"rate limited", nil, code(payments.RateLimited), payments.OutcomeFailed},
		{"outcome unknown", nil, code(payments.OutcomeUnknown), payments.OutcomeFailed},
		{"timeout", nil, fmt.Errorf("call: %w", context.DeadlineExceeded), payments.OutcomeFailed},
		{"credentials refused", nil, code(payments.Authentication), payments.OutcomeFailed},
		{"unclassified error", nil, fmt.Errorf("boom"), payments.OutcomeFailed},
		{"invalid request", nil, code(payments.InvalidRequest), payments.OutcomeNeutral},
		{"duplicate reference", nil, code(payments.Duplicate), payments.OutcomeNeutral},
		{"never reached (recover)", nil, code(payments.NotFound), payments.OutcomeNeutral},
		{"late failed, no reason", st(payments.StatusFailed), nil, payments.OutcomeFailed},
		{"late failed, buyer's 3DS", failed(payments.DeclineAuthenticationFailed), nil, payments.OutcomeNeutral},
		{"requires action", st(payments.StatusRequiresAction), nil, payments.OutcomePending},
		{"pending", st(payments.StatusPending), nil, payments.OutcomePending},
		{"unknown status", st(payments.StatusUnknown), nil, payments.OutcomePending},
		{"nothing", nil, nil, payments.OutcomePending},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want.String(), payments.ClassifyOutcome(c.p, c.err).String())
		})
	}
}

// reverse is a Strategy that tries the routes in reverse static order and
// keeps what it is told.
type reverse struct {
	mu       sync.Mutex
	outcomes []payments.Outcome
	broken   bool
}

func (s *reverse) Order(_ context.Context, _ *payments.AuthorizeRequest, cands []payments.Candidate) {
	for i, j := 0, len(cands)-1; i < j; i, j = i+1, j-1 {
		cands[i], cands[j] = cands[j], cands[i]
	}
	for i := range cands {
		cands[i].Reason = "reversed"
	}
	if s.broken {
		cands[0] = payments.Candidate{Route: "made-up"}
	}
}

func (s *reverse) Record(_ context.Context, o payments.Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes = append(s.outcomes, o)
}

func TestStrategyOrdersAndExplains(t *testing.T) {
	ctx := context.Background()
	var events []payments.Event
	var mu sync.Mutex
	obs := payments.ObserverFunc(func(_ context.Context, e payments.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	s := &reverse{}
	r, err := payments.NewRouter([]payments.Route{
		{Name: "first", Gateway: memory.New(memory.Config{}), Priority: 0},
		{Name: "second", Gateway: memory.New(memory.Config{}), Priority: 1},
	}, payments.WithStrategy(s), payments.WithObserver(obs))
	require.NoError(t, err)

	// A soft decline at "second" (tried first) cascades to "first".
	_, err = r.Authorize(ctx, cardRequest("strat-1", memory.CardDoNotHonour))
	var pe *payments.Error
	require.ErrorAs(t, err, &pe)
	atts := pe.Attempts
	require.Len(t, atts, 2)
	require.Equal(t, "second", atts[0].Route)
	require.Equal(t, "reversed", atts[0].Reason)
	require.Equal(t, "first", atts[1].Route)

	p, err := r.Authorize(ctx, cardRequest("strat-2", memory.CardApproved))
	require.NoError(t, err)
	require.Equal(t, "second", p.Attempts[0].Route)
	require.Equal(t, "reversed", p.Attempts[0].Reason)

	mu.Lock()
	var starts, cascades int
	for _, e := range events {
		if e.Kind == payments.EventAttemptStart || e.Kind == payments.EventAttemptEnd {
			require.Equal(t, "reversed", e.Reason, "%+v", e)
			starts++
		}
		if e.Kind == payments.EventCascade {
			require.Equal(t, "reversed", e.Reason)
			cascades++
		}
	}
	mu.Unlock()
	require.Equal(t, 6, starts)
	require.Equal(t, 2, cascades) // both declined softly

	s.mu.Lock()
	require.Len(t, s.outcomes, 3)
	require.Equal(t, payments.OutcomeFailed, s.outcomes[0].Class) // do not honour at "second"
	require.Equal(t, "second", s.outcomes[0].Route)
	require.NotNil(t, s.outcomes[0].Request)
	require.Equal(t, payments.OutcomeApproved, s.outcomes[2].Class)
	s.mu.Unlock()

	// A Status query is news about the attempt: Late, without request.
	_, err = r.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	s.mu.Lock()
	last := s.outcomes[len(s.outcomes)-1]
	s.mu.Unlock()
	require.True(t, last.Late)
	require.Nil(t, last.Request)
	require.Equal(t, "strat-2", last.Reference)
	require.Equal(t, 1, last.Attempt)

	// Without a strategy the reason is the static rule.
	r2, err := payments.NewRouter([]payments.Route{{Name: "only", Gateway: memory.New(memory.Config{})}})
	require.NoError(t, err)
	p, err = r2.Authorize(ctx, cardRequest("strat-3", memory.CardApproved))
	require.NoError(t, err)
	require.Equal(t, payments.ReasonPriority, p.Attempts[0].Reason)
}

// A strategy that does more than permute is ignored: the static order.
func TestStrategyCannotMakeUpRoutes(t *testing.T) {
	r, err := payments.NewRouter([]payments.Route{
		{Name: "first", Gateway: memory.New(memory.Config{}), Priority: 0},
		{Name: "second", Gateway: memory.New(memory.Config{}), Priority: 1},
	}, payments.WithStrategy(&reverse{broken: true}))
	require.NoError(t, err)
	p, err := r.Authorize(context.Background(), cardRequest("strat-4", memory.CardApproved))
	require.NoError(t, err)
	require.Equal(t, "first", p.Attempts[0].Route)
	require.Equal(t, payments.ReasonPriority, p.Attempts[0].Reason)
}

func cardRequest(ref, number string) *payments.AuthorizeRequest {
	amount, _ := payments.ParseMoney("10.00", "EUR")
	return &payments.AuthorizeRequest{Reference: ref, Amount: amount, Capture: true,
		Method: payments.Card{Number: payments.CardNumber(number), ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}}
}

// TestStrategyBeatsStaticPriority is the small version of the routing
// simulation (bench/README.md has the full one): 12 000 payments over four
// segments, where the acquirer first by priority is not the best on half
// of them and degrades on one at 30 % of the run. The learning strategy
// must approve more payments on their first attempt than static priority.
func TestStrategyBeatsStaticPriority(t *testing.T) {
	ctx := context.Background()
	sc := routesim.Drift(12000, 100*time.Millisecond, 7)
	sc.Segments = []routesim.Segment{{Country: "DE", Network: "visa"}, {Country: "DE", Network: "mastercard"}, {Country: "ES", Network: "visa"}, {Country: "ES", Network: "mastercard"}}

	static, err := routesim.Run(ctx, sc, nil, routesim.NewClock())
	require.NoError(t, err)
	clock := routesim.NewClock()
	ar, err := routing.NewAuthRate(routing.WithSegment(routesim.SegmentKey), routing.WithClock(clock.Now), routing.WithSeed(7))
	require.NoError(t, err)
	learned, err := routesim.Run(ctx, sc, ar, clock)
	require.NoError(t, err)
	t.Logf("first-attempt approval: static %.4f, learned %.4f (exploration %.3f)", static.FirstApproval, learned.FirstApproval, learned.ExplorationShare)
	require.Greater(t, learned.FirstApproval, static.FirstApproval+0.01)
	require.LessOrEqual(t, learned.ExplorationShare, 0.06)
	require.Equal(t, static.FinalApproval, learned.FinalApproval, "cascades reach the same approvals either way")
}
