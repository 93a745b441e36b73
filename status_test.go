package payments_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

// TestTransitionMatrix enumerates every (from, to) pair. Each row lists the
// statuses a payment may move to; all other pairs must be refused.
func TestTransitionMatrix(t *testing.T) {
	const (
		U  = payments.StatusUnknown
		P  = payments.StatusPending
		RA = payments.StatusRequiresAction
		A  = payments.StatusAuthorized
		PC = payments.StatusPartiallyCaptured
		C  = payments.StatusCaptured
		PR = payments.StatusPartiallyRefunded
		R  = payments.StatusRefunded
		X  = payments.StatusCanceled
		F  = payments.StatusFailed
		E  = payments.StatusExpired
		CB = payments.StatusChargeback
	)
	allowed := map[payments.Status][]payments.Status{
		U:  {U, P, RA, A, PC, C, PR, R, X, F, E, CB},
		P:  {P, RA, A, PC, C, PR, R, X, F, E, CB},
		RA: {P, RA, A, PC, C, PR, R, X, F, E, CB},
		A:  {A, PC, C, PR, R, X, F, E},
		PC: {PC, C, PR, R, CB},
		C:  {C, PR, R, CB},
		PR: {PR, R, CB},
		R:  {R},
		X:  {X},
		F:  {F, A, PC, C},
		E:  {E},
		CB: {CB, C}, // a won dispute (Smart2Pay 23 DisputeWon) gives the money back
	}
	all := payments.Statuses()
	require.Len(t, all, 12)
	require.Len(t, allowed, len(all))
	for _, from := range all {
		ok := map[payments.Status]bool{}
		for _, to := range allowed[from] {
			ok[to] = true
		}
		for _, to := range all {
			assert.Equal(t, ok[to], from.CanTransition(to), "%s → %s", from, to)
		}
	}
}

func TestStatusFinal(t *testing.T) {
	final := map[payments.Status]bool{
		payments.StatusRefunded: true, payments.StatusCanceled: true, payments.StatusFailed: true,
		payments.StatusExpired: true, payments.StatusChargeback: true,
	}
	for _, s := range payments.Statuses() {
		assert.Equal(t, final[s], s.Final(), s.String())
		// Nothing final can move back to a non-final state, except the
		// documented Failed → success override and a won dispute
		// (Chargeback → Captured).
		if s.Final() && s != payments.StatusFailed {
			for _, to := range payments.Statuses() {
				won := s == payments.StatusChargeback && to == payments.StatusCaptured
				if to != s && !won {
					assert.False(t, s.CanTransition(to), "%s → %s", s, to)
				}
			}
		}
	}
	assert.True(t, payments.StatusCaptured.Settled())
	assert.False(t, payments.StatusAuthorized.Settled())
}

func TestStatusNamesAndJSON(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range payments.Statuses() {
		name := s.String()
		assert.False(t, seen[name], "duplicate name %s", name)
		seen[name] = true
		b, err := json.Marshal(s)
		require.NoError(t, err)
		var back payments.Status
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, s, back)
	}
	assert.Equal(t, "partially_captured", payments.StatusPartiallyCaptured.String())
	assert.Equal(t, payments.StatusUnknown, payments.Status(0), "the zero Status claims nothing")
	assert.Equal(t, "Status(99)", payments.Status(99).String())
	var s payments.Status
	assert.Error(t, json.Unmarshal([]byte(`"nope"`), &s))
	_, err := json.Marshal(payments.Status(99))
	assert.Error(t, err)
}

func TestRefundStatus(t *testing.T) {
	for _, tt := range []struct {
		s     payments.RefundStatus
		name  string
		final bool
	}{
		{payments.RefundPending, "pending", false},
		{payments.RefundSucceeded, "succeeded", true},
		{payments.RefundFailed, "failed", true},
	} {
		assert.Equal(t, tt.name, tt.s.String())
		assert.Equal(t, tt.final, tt.s.Final())
		b, err := json.Marshal(tt.s)
		require.NoError(t, err)
		var back payments.RefundStatus
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tt.s, back)
	}
}

// TestDisputeWonIsVisible: a payment charged back (Smart2Pay 19 Disputed or
// 26 Chargedback) whose merchant wins the dispute (23 DisputeWon) is
// reported Captured again, and a store that follows CanTransition records
// it; nothing else leaves Chargeback.
func TestDisputeWonIsVisible(t *testing.T) {
	for _, tt := range []struct {
		seq  []payments.Status
		want payments.Status
	}{
		// 11 Captured → 19 Disputed → 23 DisputeWon
		{[]payments.Status{payments.StatusCaptured, payments.StatusChargeback, payments.StatusCaptured}, payments.StatusCaptured},
		// 11 Captured → 19 Disputed → 24 DisputeLost
		{[]payments.Status{payments.StatusCaptured, payments.StatusChargeback, payments.StatusChargeback}, payments.StatusChargeback},
		// a stale answer from before the refund does not undo the dispute
		{[]payments.Status{payments.StatusChargeback, payments.StatusPartiallyRefunded}, payments.StatusChargeback},
		{[]payments.Status{payments.StatusChargeback, payments.StatusAuthorized}, payments.StatusChargeback},
	} {
		ctx := context.Background()
		st := &payments.MemoryStore{}
		require.NoError(t, st.Begin(ctx, payments.Record{Reference: "r", Attempt: 1, Route: "a"}))
		_, err := st.Finish(ctx, payments.Record{Reference: "r", Attempt: 1, ID: "a:1", Status: tt.seq[0]}, true)
		require.NoError(t, err)
		for _, s := range tt.seq[1:] {
			_, err := st.Advance(ctx, "a:1", s)
			require.NoError(t, err)
		}
		got, err := st.Get(ctx, "a:1")
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.Status, "%v", tt.seq)
	}
}
