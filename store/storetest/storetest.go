// Package storetest is the conformance suite of [payments.Store]: every
// semantic written in the Store's documentation, checked as a subtest.
// [payments.MemoryStore] and store/sqlstore (SQLite and PostgreSQL) pass it;
// a new implementation runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) payments.Store { return newMyStore(t) })
//	}
//
// newStore is called once per subtest and must return an empty store of its
// own (the suite lists attempts and conflicts store-wide), closed by the
// caller's t.Cleanup if it needs closing.
//
// Times are compared to the millisecond: a store may keep them rounded (a
// database column of microseconds), never shifted.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	payments "github.com/gopayments/payments"
)

// timeSlack is how far a stored time may be from the one written: a store
// may round to its column's precision.
const timeSlack = time.Millisecond

// Run runs the conformance suite against stores made by newStore; when
// they implement [payments.StatsStore], [RunStats] too, under "Stats/".
func Run(t *testing.T, newStore func(t *testing.T) payments.Store) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, &suite{t: t, s: s, ctx: context.Background(), t0: time.Now().Add(-time.Hour).Truncate(time.Second).UTC()})
		})
	}
	runStatsIfImplemented(t, newStore)
}

type test struct {
	name string
	run  func(t *testing.T, x *suite)
}

// suite holds one subtest's store and the helpers over it.
type suite struct {
	t   *testing.T
	s   payments.Store
	ctx context.Context
	t0  time.Time // a whole second an hour ago: Started times are t0 + n seconds
}

// at returns t0 + sec seconds.
func (x *suite) at(sec int) time.Time { return x.t0.Add(time.Duration(sec) * time.Second) }

// begin writes attempt n of ref at route, started at x.at(sec), and fails
// the test on an error.
func (x *suite) begin(ref string, n int, route string, sec int) {
	x.t.Helper()
	require.NoError(x.t, x.s.Begin(x.ctx, payments.Record{Reference: ref, Attempt: n, Route: route, Started: x.at(sec)}), "Begin(%s, %d)", ref, n)
}

// finish records an outcome and fails the test on an error.
func (x *suite) finish(ref string, n int, id string, st payments.Status, code payments.Code, own bool) payments.Record {
	x.t.Helper()
	got, err := x.s.Finish(x.ctx, payments.Record{Reference: ref, Attempt: n, ID: id, Status: st, Code: code}, own)
	require.NoError(x.t, err, "Finish(%s, %d)", ref, n)
	require.Equal(x.t, ref, got.Reference)
	require.Equal(x.t, n, got.Attempt)
	return got
}

// attempts lists the attempts of ref and fails the test on an error.
func (x *suite) attempts(ref string) []payments.Record {
	x.t.Helper()
	got, err := x.s.Attempts(x.ctx, ref)
	require.NoError(x.t, err)
	return got
}

// attempt returns attempt n of ref as listed by Attempts.
func (x *suite) attempt(ref string, n int) payments.Record {
	x.t.Helper()
	for _, a := range x.attempts(ref) {
		if a.Attempt == n {
			return a
		}
	}
	x.t.Fatalf("attempt %d of %s not found", n, ref)
	return payments.Record{}
}

// keys lists "reference/attempt" of records, in order.
func keys(rs []payments.Record) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s/%d", r.Reference, r.Attempt))
	}
	return out
}

func sameTime(t *testing.T, want, got time.Time, what string) {
	t.Helper()
	assert.WithinDuration(t, want, got, timeSlack, what)
}

// charged are the statuses in which a payment holds money.
func charged() []payments.Status {
	var out []payments.Status
	for _, s := range payments.Statuses() {
		if s.Charged() {
			out = append(out, s)
		}
	}
	return out
}

var refundStatuses = []payments.RefundStatus{payments.RefundPending, payments.RefundSucceeded, payments.RefundFailed}

func money(t *testing.T, amount, currency string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(amount, currency)
	require.NoError(t, err)
	return m
}

var tests = []test{
	// --- Begin ---
	{"Begin/ClaimsReferenceWithAttempt1", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		got := x.attempts("r1")
		require.Len(t, got, 1)
		a := got[0]
		assert.Equal(t, "r1", a.Reference)
		assert.Equal(t, 1, a.Attempt)
		assert.Equal(t, "a", a.Route)
		assert.Equal(t, payments.StatusUnknown, a.Status)
		assert.Empty(t, a.ID)
		assert.Empty(t, a.Code)
		assert.False(t, a.Owner)
		assert.False(t, a.Conflict)
		assert.True(t, a.Finished.IsZero(), "Finished is zero until an outcome is recorded")
		sameTime(t, x.at(1), a.Started, "Started is the one written")
		assert.False(t, a.Updated.IsZero(), "Updated is set")
	}},
	{"Begin/IgnoresOutcomeFields", func(t *testing.T, x *suite) {
		require.NoError(t, x.s.Begin(x.ctx, payments.Record{
			Reference: "r1", Attempt: 1, Route: "a", Started: x.at(1),
			ID: "a:p1", Status: payments.StatusCaptured, Code: payments.Declined, Owner: true, Conflict: true,
			Finished: x.at(2),
		}))
		a := x.attempt("r1", 1)
		assert.Empty(t, a.ID)
		assert.Equal(t, payments.StatusUnknown, a.Status)
		assert.Empty(t, a.Code)
		assert.False(t, a.Owner)
		assert.False(t, a.Conflict)
		assert.True(t, a.Finished.IsZero())
		_, err := x.s.Get(x.ctx, "a:p1")
		assert.ErrorIs(t, err, payments.ErrNotFound, "Begin does not write the ID")
		_, err = x.s.GetByReference(x.ctx, "r1")
		assert.ErrorIs(t, err, payments.ErrNotFound, "Begin does not write ownership")
	}},
	{"Begin/Attempt1OfClaimedReferenceIsDuplicate", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		err := x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: "b", Started: x.at(2)})
		require.ErrorIs(t, err, payments.ErrDuplicate)
		got := x.attempts("r1")
		require.Len(t, got, 1, "a duplicate Begin writes nothing")
		assert.Equal(t, "a", got[0].Route)
		sameTime(t, x.at(1), got[0].Started, "the first claim is kept")
		// Also once the reference is owned, and once it has later attempts.
		x.finish("r1", 1, "", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 3)
		require.ErrorIs(t, x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: "c", Started: x.at(4)}), payments.ErrDuplicate)
		x.finish("r1", 2, "b:p2", payments.StatusAuthorized, "", true)
		require.ErrorIs(t, x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: "c", Started: x.at(5)}), payments.ErrDuplicate)
		assert.Len(t, x.attempts("r1"), 2)
	}},
	{"Begin/LaterAttemptNeedsAClaimedReference", func(t *testing.T, x *suite) {
		err := x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 2, Route: "a", Started: x.at(1)})
		require.ErrorIs(t, err, payments.ErrInvalidState)
		assert.Empty(t, x.attempts("r1"), "nothing written")
		// The reference can still be claimed afterwards.
		x.begin("r1", 1, "a", 2)
	}},
	{"Begin/LaterAttemptNeedsAnUnownedReference", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
		err := x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 2, Route: "b", Started: x.at(2)})
		require.ErrorIs(t, err, payments.ErrInvalidState)
		assert.Len(t, x.attempts("r1"), 1, "nothing written")
		// Owned by a later attempt: the same.
		x.begin("r2", 1, "a", 3)
		x.finish("r2", 1, "", payments.StatusFailed, payments.Declined, false)
		x.begin("r2", 2, "b", 4)
		x.finish("r2", 2, "", payments.StatusUnknown, payments.OutcomeUnknown, true)
		require.ErrorIs(t, x.s.Begin(x.ctx, payments.Record{Reference: "r2", Attempt: 3, Route: "c", Started: x.at(5)}), payments.ErrInvalidState)
		assert.Len(t, x.attempts("r2"), 2)
	}},
	{"Begin/LaterAttemptsOfAnUnownedReference", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusFailed, payments.Declined, false) // a soft decline on the provider's books
		x.begin("r1", 3, "c", 3)
		got := x.attempts("r1")
		assert.Equal(t, []string{"r1/1", "r1/2", "r1/3"}, keys(got))
		assert.Equal(t, []string{"a", "b", "c"}, []string{got[0].Route, got[1].Route, got[2].Route})
		assert.Equal(t, payments.StatusUnknown, got[2].Status)
	}},
	{"Begin/DuplicateAttemptNumber", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.begin("r1", 2, "b", 2)
		err := x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 2, Route: "c", Started: x.at(3)})
		require.ErrorIs(t, err, payments.ErrDuplicate)
		got := x.attempts("r1")
		require.Len(t, got, 2)
		assert.Equal(t, "b", got[1].Route, "the first attempt 2 is kept")
	}},

	// --- Finish ---
	{"Finish/RecordsTheOutcome", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		before := time.Now()
		got := x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
		assert.Equal(t, "a:p1", got.ID)
		assert.Equal(t, payments.StatusAuthorized, got.Status)
		assert.Empty(t, got.Code)
		assert.True(t, got.Owner)
		assert.False(t, got.Conflict)
		assert.Equal(t, "a", got.Route)
		sameTime(t, x.at(1), got.Started, "Started is kept")
		assert.False(t, got.Finished.Before(before.Add(-timeSlack)), "Finished is the time of the first outcome")
		assert.False(t, got.Updated.Before(before.Add(-timeSlack)), "Updated is the time of the last change")
		byID, err := x.s.Get(x.ctx, "a:p1")
		require.NoError(t, err)
		assertSameRecord(t, got, byID)
		byRef, err := x.s.GetByReference(x.ctx, "r1")
		require.NoError(t, err)
		assertSameRecord(t, got, byRef)
	}},
	{"Finish/UnknownAttemptIsNotFound", func(t *testing.T, x *suite) {
		_, err := x.s.Finish(x.ctx, payments.Record{Reference: "nope", Attempt: 1, Status: payments.StatusFailed}, false)
		require.ErrorIs(t, err, payments.ErrNotFound)
		x.begin("r1", 1, "a", 1)
		_, err = x.s.Finish(x.ctx, payments.Record{Reference: "r1", Attempt: 2, Status: payments.StatusAuthorized}, true)
		require.ErrorIs(t, err, payments.ErrNotFound)
		_, err = x.s.GetByReference(x.ctx, "r1")
		require.ErrorIs(t, err, payments.ErrNotFound, "a Finish of a missing attempt owns nothing")
	}},
	{"Finish/IDIsSetOnce", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, false)
		got := x.finish("r1", 1, "a:p1", payments.StatusPending, "", false)
		assert.Equal(t, "a:p1", got.ID, "an ID may be set on an attempt that had none")
		_, err := x.s.Finish(x.ctx, payments.Record{Reference: "r1", Attempt: 1, ID: "a:p2", Status: payments.StatusAuthorized}, true)
		require.ErrorIs(t, err, payments.ErrIntegrity, "another ID for the same attempt")
		a := x.attempt("r1", 1)
		assert.Equal(t, "a:p1", a.ID)
		assert.Equal(t, payments.StatusPending, a.Status, "a refused Finish changes nothing")
		assert.False(t, a.Owner, "a refused Finish takes no ownership")
		_, err = x.s.Get(x.ctx, "a:p2")
		require.ErrorIs(t, err, payments.ErrNotFound)
		got = x.finish("r1", 1, "", payments.StatusAuthorized, "", false)
		assert.Equal(t, "a:p1", got.ID, "a Finish without an ID keeps the ID")
		assert.Equal(t, payments.StatusAuthorized, got.Status)
	}},
	{"Finish/IDOfAnotherAttemptIsIntegrity", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "a", 2)
		_, err := x.s.Finish(x.ctx, payments.Record{Reference: "r1", Attempt: 2, ID: "a:p1", Status: payments.StatusAuthorized}, true)
		require.ErrorIs(t, err, payments.ErrIntegrity, "same reference, other attempt")
		x.begin("r2", 1, "a", 3)
		_, err = x.s.Finish(x.ctx, payments.Record{Reference: "r2", Attempt: 1, ID: "a:p1", Status: payments.StatusAuthorized}, true)
		require.ErrorIs(t, err, payments.ErrIntegrity, "other reference")
		for _, k := range [][2]any{{"r1", 2}, {"r2", 1}} {
			a := x.attempt(k[0].(string), k[1].(int))
			assert.Empty(t, a.ID, "%v keeps no ID", k)
			assert.Equal(t, payments.StatusUnknown, a.Status, "%v: a refused Finish changes nothing", k)
			assert.False(t, a.Owner, "%v: a refused Finish takes no ownership", k)
		}
		got, err := x.s.Get(x.ctx, "a:p1")
		require.NoError(t, err)
		assert.Equal(t, "r1/1", keys([]payments.Record{got})[0], "the ID stays with its attempt")
	}},
	{"Finish/StatusIsForwardOnly", func(t *testing.T, x *suite) {
		statusMatrix(t, x, func(ref string, id string, to payments.Status) (payments.Record, error) {
			return x.s.Finish(x.ctx, payments.Record{Reference: ref, Attempt: 1, ID: id, Status: to}, false)
		})
	}},
	{"Finish/Code", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		got := x.finish("r1", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, false)
		assert.Equal(t, payments.OutcomeUnknown, got.Code)
		got = x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
		assert.Empty(t, got.Code, "an unknown outcome resolved to a success has no error class")
		x.begin("r2", 1, "a", 2)
		got = x.finish("r2", 1, "", payments.StatusFailed, payments.Declined, false)
		assert.Equal(t, payments.Declined, got.Code)
		assert.Equal(t, payments.Declined, x.attempt("r2", 1).Code)
	}},
	{"Finish/FinishedIsSetOnce", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		first := x.finish("r1", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, false)
		require.False(t, first.Finished.IsZero())
		waitClock(first.Finished)
		second := x.finish("r1", 1, "a:p1", payments.StatusCaptured, "", true)
		assert.True(t, first.Finished.Equal(second.Finished), "Finished is the first outcome's time: %v, then %v", first.Finished, second.Finished)
		assert.True(t, second.Updated.After(first.Updated), "Updated moves on: %v, then %v", first.Updated, second.Updated)
	}},
	{"Finish/IsIdempotent", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		first := x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
		for i := 0; i < 3; i++ {
			again := x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
			assertSameRecord(t, first, again)
		}
		assert.Len(t, x.attempts("r1"), 1)
		x.begin("r2", 1, "a", 2)
		first = x.finish("r2", 1, "", payments.StatusFailed, payments.Declined, false)
		again := x.finish("r2", 1, "", payments.StatusFailed, payments.Declined, false)
		assertSameRecord(t, first, again)
	}},
	{"Finish/OwnOnlyWhenNoOtherAttemptOwns", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 2)
		x.begin("r1", 3, "c", 3)
		got := x.finish("r1", 2, "b:p2", payments.StatusFailed, payments.Declined, true)
		assert.True(t, got.Owner, "no owner yet: attempt 2 owns (a soft decline may own)")
		got = x.finish("r1", 3, "c:p3", payments.StatusFailed, payments.Declined, true)
		assert.False(t, got.Owner, "attempt 2 owns already")
		got = x.finish("r1", 1, "", payments.StatusFailed, payments.Declined, true)
		assert.False(t, got.Owner)
		owner, err := x.s.GetByReference(x.ctx, "r1")
		require.NoError(t, err)
		assert.Equal(t, 2, owner.Attempt)
		n := 0
		for _, a := range x.attempts("r1") {
			if a.Owner {
				n++
			}
		}
		assert.Equal(t, 1, n, "exactly one owner")
	}},
	{"Finish/OwnerStaysOwner", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, true)
		got := x.finish("r1", 1, "a:p1", payments.StatusCaptured, "", false)
		assert.True(t, got.Owner, "Finish without own does not take ownership away")
		assert.Equal(t, "a:p1", got.ID)
		owner, err := x.s.GetByReference(x.ctx, "r1")
		require.NoError(t, err)
		assert.Equal(t, "a:p1", owner.ID, "the owner without an ID learns its ID")
	}},

	// --- Conflict ---
	{"Conflict/NonOwnerChargedUnderAnOwner", func(t *testing.T, x *suite) {
		for i, st := range charged() {
			ref := fmt.Sprintf("r%d", i)
			x.begin(ref, 1, "a", 2*i) // its answer was lost: unknown
			x.begin(ref, 2, "b", 2*i+1)
			x.finish(ref, 2, "b:"+ref, payments.StatusAuthorized, "", true)
			// A late notification: attempt 1 did charge.
			got := x.finish(ref, 1, "a:"+ref, st, "", false)
			assert.True(t, got.Conflict, "%s: a non-owner in %s under an owner is a conflict", ref, st)
			assert.False(t, got.Owner)
			assert.False(t, x.attempt(ref, 2).Conflict, "the owner is not a conflict")
		}
		cs, err := x.s.Conflicts(x.ctx, 0)
		require.NoError(t, err)
		assert.Len(t, cs, len(charged()))
	}},
	{"Conflict/NonOwnerChargedByAdvance", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusCaptured, "", true)
		assert.False(t, x.attempt("r1", 1).Conflict, "failed: holds no money")
		got, err := x.s.Advance(x.ctx, "a:p1", payments.StatusCaptured) // a later success overrides a failure
		require.NoError(t, err)
		assert.Equal(t, payments.StatusCaptured, got.Status)
		assert.True(t, got.Conflict)
		assert.False(t, got.Owner)
	}},
	{"Conflict/OwnershipTakenWhileAnotherHoldsMoney", func(t *testing.T, x *suite) {
		for i, st := range charged() {
			ref := fmt.Sprintf("r%d", i)
			x.begin(ref, 1, "a", 3*i)
			x.begin(ref, 2, "b", 3*i+1)
			x.begin(ref, 3, "c", 3*i+2)
			got := x.finish(ref, 1, "a:"+ref, st, "", false)
			assert.False(t, got.Conflict, "no owner yet: not a conflict")
			x.finish(ref, 3, "c:"+ref, payments.StatusFailed, payments.Declined, false)
			first := x.attempt(ref, 1)
			waitClock(first.Updated)
			own := x.finish(ref, 2, "b:"+ref, payments.StatusAuthorized, "", true)
			assert.True(t, own.Owner)
			assert.False(t, own.Conflict)
			a1 := x.attempt(ref, 1)
			assert.True(t, a1.Conflict, "%s: attempt 1 in %s became a conflict when attempt 2 took ownership", ref, st)
			assert.True(t, a1.Updated.After(first.Updated), "marking a conflict is a change: Updated moves on")
			assert.False(t, x.attempt(ref, 3).Conflict, "a failed attempt holds no money")
		}
	}},
	{"Conflict/OwnRefusedWhileCharged", func(t *testing.T, x *suite) {
		// Recover finishing a charged attempt with own after another took
		// ownership: the attempt does not own and is a conflict.
		x.begin("r1", 1, "a", 1)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusAuthorized, "", true)
		got := x.finish("r1", 1, "a:p1", payments.StatusCaptured, "", true)
		assert.False(t, got.Owner)
		assert.True(t, got.Conflict)
	}},
	{"Conflict/NotWithoutAnOwnerOrMoney", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", false)
		x.finish("r1", 2, "b:p2", payments.StatusCaptured, "", false)
		for _, a := range x.attempts("r1") {
			assert.False(t, a.Conflict, "no owner: nothing to conflict with")
		}
		x.begin("r2", 1, "a", 3)
		x.begin("r2", 2, "b", 4)
		x.finish("r2", 2, "b:q2", payments.StatusAuthorized, "", true)
		for _, st := range []payments.Status{payments.StatusPending, payments.StatusRequiresAction, payments.StatusFailed, payments.StatusUnknown} {
			got := x.finish("r2", 1, "", st, "", false)
			assert.False(t, got.Conflict, "%s holds no money", st)
		}
		cs, err := x.s.Conflicts(x.ctx, 0)
		require.NoError(t, err)
		assert.Empty(t, cs)
	}},
	{"Conflict/IsNeverCleared", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusAuthorized, "", true)
		x.finish("r1", 1, "a:p1", payments.StatusCaptured, "", false)
		got, err := x.s.Advance(x.ctx, "a:p1", payments.StatusRefunded) // the money was returned
		require.NoError(t, err)
		assert.Equal(t, payments.StatusRefunded, got.Status)
		assert.True(t, got.Conflict, "a conflict stays marked")
		got = x.finish("r1", 1, "a:p1", payments.StatusRefunded, "", true)
		assert.True(t, got.Conflict)
		cs, err := x.s.Conflicts(x.ctx, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"r1/1"}, keys(cs))
	}},
	{"Conflict/ListedOldestFirstWithLimit", func(t *testing.T, x *suite) {
		// Started: r3 oldest, then r1, then r2.
		for i, ref := range []string{"r3", "r1", "r2"} {
			x.begin(ref, 1, "a", 10*i)
			x.begin(ref, 2, "b", 10*i+1)
			x.finish(ref, 2, "b:"+ref, payments.StatusAuthorized, "", true)
		}
		// Marked in another order than started.
		for _, ref := range []string{"r2", "r3", "r1"} {
			x.finish(ref, 1, "a:"+ref, payments.StatusAuthorized, "", false)
		}
		cs, err := x.s.Conflicts(x.ctx, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"r3/1", "r1/1", "r2/1"}, keys(cs))
		for _, c := range cs {
			assert.True(t, c.Conflict)
			assert.Equal(t, "a:"+c.Reference, c.ID)
		}
		cs, err = x.s.Conflicts(x.ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"r3/1", "r1/1"}, keys(cs))
	}},

	// --- Release ---
	{"Release/DeletesAReferenceNoProviderHas", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusFailed, payments.Unavailable, false)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "", payments.StatusFailed, payments.InvalidRequest, false)
		require.NoError(t, x.s.Release(x.ctx, "r1"))
		assert.Empty(t, x.attempts("r1"))
		uns, err := x.s.Unsettled(x.ctx, x.at(100), 0)
		require.NoError(t, err)
		assert.Empty(t, uns, "a released reference leaves nothing to recover")
		// The merchant may use the reference again.
		x.begin("r1", 1, "c", 3)
		got := x.attempts("r1")
		require.Len(t, got, 1)
		assert.Equal(t, "c", got[0].Route)
		assert.Equal(t, payments.StatusUnknown, got[0].Status)
		// An attempt begun and never finished has no ID either.
		require.NoError(t, x.s.Release(x.ctx, "r1"))
		assert.Empty(t, x.attempts("r1"))
	}},
	{"Release/KeepsAnOwnedReference", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, true) // owned, no ID yet
		require.NoError(t, x.s.Release(x.ctx, "r1"))
		require.Len(t, x.attempts("r1"), 1)
		require.ErrorIs(t, x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: "a", Started: x.at(2)}), payments.ErrDuplicate)
	}},
	{"Release/KeepsAReferenceAProviderHas", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "", payments.StatusFailed, payments.Unavailable, false)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusFailed, payments.Declined, false) // a soft decline: on b's books
		require.NoError(t, x.s.Release(x.ctx, "r1"))
		assert.Equal(t, []string{"r1/1", "r1/2"}, keys(x.attempts("r1")))
		_, err := x.s.Get(x.ctx, "b:p2")
		require.NoError(t, err)
		require.ErrorIs(t, x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: "a", Started: x.at(3)}), payments.ErrDuplicate)
	}},
	{"Release/UnknownReferenceIsANoOp", func(t *testing.T, x *suite) {
		require.NoError(t, x.s.Release(x.ctx, "nope"))
		x.begin("r1", 1, "a", 1)
		require.NoError(t, x.s.Release(x.ctx, "r2"))
		assert.Len(t, x.attempts("r1"), 1, "another reference is untouched")
	}},

	// --- Advance ---
	{"Advance/ByRouterID", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusAuthorized, "", true)
		got, err := x.s.Advance(x.ctx, "a:p1", payments.StatusCaptured)
		require.NoError(t, err)
		assert.Equal(t, payments.StatusCaptured, got.Status)
		assert.Equal(t, "r1", got.Reference)
		assert.True(t, got.Owner)
		got, err = x.s.Advance(x.ctx, "a:p1", payments.StatusAuthorized)
		require.NoError(t, err, "a stale status is not an error")
		assert.Equal(t, payments.StatusCaptured, got.Status, "it keeps and returns the stored status")
		byID, err := x.s.Get(x.ctx, "a:p1")
		require.NoError(t, err)
		assert.Equal(t, payments.StatusCaptured, byID.Status)
	}},
	{"Advance/UnknownIDIsNotFound", func(t *testing.T, x *suite) {
		_, err := x.s.Advance(x.ctx, "a:nope", payments.StatusCaptured)
		require.ErrorIs(t, err, payments.ErrNotFound)
		x.begin("r1", 1, "a", 1)
		_, err = x.s.Advance(x.ctx, "", payments.StatusCaptured)
		require.ErrorIs(t, err, payments.ErrNotFound, "an attempt without an ID is not found by the empty ID")
		assert.Equal(t, payments.StatusUnknown, x.attempt("r1", 1).Status)
	}},
	{"Advance/StatusIsForwardOnly", func(t *testing.T, x *suite) {
		statusMatrix(t, x, func(_ string, id string, to payments.Status) (payments.Record, error) {
			return x.s.Advance(x.ctx, id, to)
		})
	}},

	// --- Get, GetByReference, Attempts ---
	{"Get/NotFound", func(t *testing.T, x *suite) {
		_, err := x.s.Get(x.ctx, "a:nope")
		require.ErrorIs(t, err, payments.ErrNotFound)
		_, err = x.s.Get(x.ctx, "")
		require.ErrorIs(t, err, payments.ErrNotFound)
	}},
	{"Get/AnyAttemptWithAnID", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 2)
		x.finish("r1", 2, "b:p2", payments.StatusAuthorized, "", true)
		got, err := x.s.Get(x.ctx, "a:p1")
		require.NoError(t, err)
		assert.Equal(t, 1, got.Attempt)
		assert.False(t, got.Owner)
		assert.Equal(t, payments.Declined, got.Code)
		got, err = x.s.Get(x.ctx, "b:p2")
		require.NoError(t, err)
		assert.Equal(t, 2, got.Attempt)
		assert.True(t, got.Owner)
	}},
	{"GetByReference/OnlyTheOwner", func(t *testing.T, x *suite) {
		_, err := x.s.GetByReference(x.ctx, "nope")
		require.ErrorIs(t, err, payments.ErrNotFound)
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusFailed, payments.Declined, false)
		x.begin("r1", 2, "b", 2)
		_, err = x.s.GetByReference(x.ctx, "r1")
		require.ErrorIs(t, err, payments.ErrNotFound, "no attempt owns it yet")
		x.finish("r1", 2, "b:p2", payments.StatusPending, "", true)
		got, err := x.s.GetByReference(x.ctx, "r1")
		require.NoError(t, err)
		assert.Equal(t, 2, got.Attempt)
		assert.Equal(t, "b:p2", got.ID)
		assert.Equal(t, "b", got.Route)
		assert.True(t, got.Owner)
	}},
	{"Attempts/ByAttemptNumber", func(t *testing.T, x *suite) {
		got, err := x.s.Attempts(x.ctx, "nope")
		require.NoError(t, err, "no attempts is not an error")
		assert.Empty(t, got)
		x.begin("r1", 1, "a", 3)
		x.begin("r1", 3, "c", 1) // begun in another order, with other times
		x.begin("r1", 2, "b", 2)
		x.begin("r10", 1, "z", 0) // a reference with r1 as prefix
		got = x.attempts("r1")
		assert.Equal(t, []string{"r1/1", "r1/2", "r1/3"}, keys(got))
		assert.Equal(t, []string{"a", "b", "c"}, []string{got[0].Route, got[1].Route, got[2].Route})
	}},

	// --- Unsettled ---
	{"Unsettled/WhatRecoverMustResolve", func(t *testing.T, x *suite) {
		// owned and settled: not listed
		x.begin("settled", 1, "a", 1)
		x.finish("settled", 1, "a:s1", payments.StatusAuthorized, "", true)
		// begun, never finished (a crash): listed
		x.begin("crashed", 1, "a", 2)
		// no attempt owns it (routing never ended): all its attempts listed
		x.begin("unowned", 1, "a", 3)
		x.finish("unowned", 1, "", payments.StatusFailed, payments.Unavailable, false)
		x.begin("unowned", 2, "b", 4)
		x.finish("unowned", 2, "b:u2", payments.StatusFailed, payments.Declined, false)
		// owned with an unknown outcome: listed
		x.begin("ownunknown", 1, "a", 5)
		x.finish("ownunknown", 1, "", payments.StatusUnknown, payments.OutcomeUnknown, true)
		// an attempt of an owned reference whose outcome is unknown: only it
		x.begin("mixed", 1, "a", 6)
		x.begin("mixed", 2, "b", 7)
		x.finish("mixed", 2, "b:m2", payments.StatusCaptured, "", true)
		// started at or after `before`: not listed
		x.begin("late", 1, "a", 50)
		x.begin("later", 1, "a", 60)
		got, err := x.s.Unsettled(x.ctx, x.at(50), 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"crashed/1", "unowned/1", "unowned/2", "ownunknown/1", "mixed/1"}, keys(got), "oldest first")
		got, err = x.s.Unsettled(x.ctx, x.at(50), 3)
		require.NoError(t, err)
		assert.Equal(t, []string{"crashed/1", "unowned/1", "unowned/2"}, keys(got), "at most limit")
		got, err = x.s.Unsettled(x.ctx, x.at(61), 0)
		require.NoError(t, err)
		assert.Len(t, got, 7)
		got, err = x.s.Unsettled(x.ctx, x.at(2), 0)
		require.NoError(t, err)
		assert.Empty(t, got, "started strictly before")
		// Once resolved, they leave the list.
		x.finish("crashed", 1, "a:c1", payments.StatusCaptured, "", true)
		x.finish("unowned", 2, "b:u2", payments.StatusFailed, payments.Declined, true)
		x.finish("ownunknown", 1, "a:o1", payments.StatusAuthorized, "", false)
		x.finish("mixed", 1, "", payments.StatusFailed, payments.NotFound, false)
		got, err = x.s.Unsettled(x.ctx, x.at(50), 0)
		require.NoError(t, err)
		assert.Empty(t, got)
	}},
	{"Unsettled/RecordsAreComplete", func(t *testing.T, x *suite) {
		x.begin("r1", 1, "a", 1)
		x.finish("r1", 1, "a:p1", payments.StatusFailed, payments.Declined, false)
		got, err := x.s.Unsettled(x.ctx, x.at(2), 10)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assertSameRecord(t, x.attempt("r1", 1), got[0])
	}},

	// --- Refund ledger ---
	{"Refunds/PutAndList", func(t *testing.T, x *suite) {
		got, err := x.s.Refunds(x.ctx, "a:p1")
		require.NoError(t, err)
		assert.Empty(t, got)
		before := time.Now()
		r, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: "rf1", Amount: money(t, "10.50", "EUR"), Status: payments.RefundPending})
		require.NoError(t, err)
		assert.Equal(t, "a:p1", r.PaymentID)
		assert.Equal(t, "rf1", r.RefundID)
		assert.Equal(t, payments.RefundPending, r.Status)
		assert.True(t, r.Amount.Equal(money(t, "10.50", "EUR")))
		assert.False(t, r.Created.Before(before.Add(-timeSlack)), "Created is set by the store")
		assert.False(t, r.Updated.Before(before.Add(-timeSlack)), "Updated is set by the store")
		waitClock(r.Updated)
		r2, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: "rf1", Amount: money(t, "10.50", "EUR"), Status: payments.RefundSucceeded})
		require.NoError(t, err)
		assert.Equal(t, payments.RefundSucceeded, r2.Status)
		sameTime(t, r.Created, r2.Created, "Created is kept")
		assert.True(t, r2.Updated.After(r.Updated), "Updated moves on")
		got, err = x.s.Refunds(x.ctx, "a:p1")
		require.NoError(t, err)
		require.Len(t, got, 1, "keyed by payment and refund ID: one record")
		assert.Equal(t, payments.RefundSucceeded, got[0].Status)
	}},
	{"Refunds/KeyedByPaymentAndRefundID", func(t *testing.T, x *suite) {
		put := func(pid, rid, amount string) {
			_, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: pid, RefundID: rid, Amount: money(t, amount, "EUR"), Status: payments.RefundSucceeded})
			require.NoError(t, err)
		}
		put("a:p1", "rf1", "1.00")
		put("a:p2", "rf1", "2.00") // the same refund ID under another payment
		put("b:p1", "rf1", "3.00")
		put("a:p1", "rf2", "4.00")
		for pid, want := range map[string][]string{"a:p1": {"rf1", "rf2"}, "a:p2": {"rf1"}, "b:p1": {"rf1"}} {
			got, err := x.s.Refunds(x.ctx, pid)
			require.NoError(t, err)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.RefundID)
				assert.Equal(t, pid, r.PaymentID)
			}
			assert.Equal(t, want, ids, pid)
		}
		got, err := x.s.Refunds(x.ctx, "a:p2")
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, got[0].Amount.Equal(money(t, "2.00", "EUR")))
	}},
	{"Refunds/StatusIsForwardOnly", func(t *testing.T, x *suite) {
		for i, from := range refundStatuses {
			for j, to := range refundStatuses {
				pid := fmt.Sprintf("a:p%d-%d", i, j)
				_, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: pid, RefundID: "rf", Amount: money(t, "1.00", "EUR"), Status: from})
				require.NoError(t, err)
				got, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: pid, RefundID: "rf", Amount: money(t, "1.00", "EUR"), Status: to})
				require.NoError(t, err)
				want := from
				if from.CanTransition(to) {
					want = to
				}
				assert.Equal(t, want, got.Status, "%s → %s returns the stored status", from, to)
				list, err := x.s.Refunds(x.ctx, pid)
				require.NoError(t, err)
				require.Len(t, list, 1)
				assert.Equal(t, want, list[0].Status, "%s → %s", from, to)
			}
		}
	}},
	{"Refunds/OldestFirst", func(t *testing.T, x *suite) {
		ids := []string{"z", "a", "m", "b", "y"} // not in any sorted order
		for _, id := range ids {
			_, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: id, Amount: money(t, "1", "JPY"), Status: payments.RefundPending})
			require.NoError(t, err)
		}
		// Updating the oldest does not move it.
		_, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: "z", Amount: money(t, "1", "JPY"), Status: payments.RefundSucceeded})
		require.NoError(t, err)
		got, err := x.s.Refunds(x.ctx, "a:p1")
		require.NoError(t, err)
		var order []string
		for _, r := range got {
			order = append(order, r.RefundID)
		}
		assert.Equal(t, ids, order)
	}},
	{"Refunds/ExactAmounts", func(t *testing.T, x *suite) {
		amounts := [][2]string{
			{"0.001", "KWD"}, // three decimals
			{"1.234", "BHD"},
			{"1500", "JPY"}, // no decimals
			{"1", "JPY"},
			{"10.50", "EUR"}, // a trailing zero
			{"0.01", "USD"},
			{"92233720368547758.07", "USD"}, // beyond float64's exact integers
			{"123456789012345678901234567890.12", "EUR"},
		}
		for i, a := range amounts {
			want := money(t, a[0], a[1])
			rid := fmt.Sprintf("rf%d", i)
			r, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: rid, Amount: want, Status: payments.RefundSucceeded})
			require.NoError(t, err)
			assert.True(t, r.Amount.Equal(want), "%s: PutRefund returned %s", want, r.Amount)
			assert.Equal(t, want.String(), r.Amount.String())
		}
		got, err := x.s.Refunds(x.ctx, "a:p1")
		require.NoError(t, err)
		require.Len(t, got, len(amounts))
		for i, r := range got {
			want := money(t, amounts[i][0], amounts[i][1])
			assert.True(t, r.Amount.Equal(want), "want %s, stored %s", want, r.Amount)
			assert.Equal(t, want.Currency, r.Amount.Currency)
			assert.Equal(t, want.String(), r.Amount.String())
		}
		// The first amount written is kept: an update changes the status only.
		r, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "a:p1", RefundID: "rf0", Amount: money(t, "5.000", "KWD"), Status: payments.RefundSucceeded})
		require.NoError(t, err)
		assert.True(t, r.Amount.Equal(money(t, "0.001", "KWD")), "stored %s", r.Amount)
	}},

	// --- Concurrency ---
	{"Concurrency/OneBeginOfAttempt1Wins", func(t *testing.T, x *suite) {
		const n = 24
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				errs[i] = x.s.Begin(x.ctx, payments.Record{Reference: "r1", Attempt: 1, Route: fmt.Sprintf("route%d", i), Started: x.at(1)})
			}(i)
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				require.Equal(t, -1, winner, "two Begins of attempt 1 won: %d and %d", winner, i)
				winner = i
			default:
				require.ErrorIs(t, err, payments.ErrDuplicate, "goroutine %d: only ErrDuplicate may come back (no spurious store errors)", i)
			}
		}
		require.NotEqual(t, -1, winner, "one Begin must win")
		got := x.attempts("r1")
		require.Len(t, got, 1)
		assert.Equal(t, fmt.Sprintf("route%d", winner), got[0].Route)
	}},
	{"Concurrency/ExactlyOneOwner", func(t *testing.T, x *suite) {
		const n = 16
		for round := 0; round < 3; round++ {
			ref := fmt.Sprintf("r%d", round)
			for i := 1; i <= n; i++ {
				x.begin(ref, i, fmt.Sprintf("route%d", i), i)
			}
			got := make([]payments.Record, n+1)
			errs := make([]error, n+1)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 1; i <= n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					got[i], errs[i] = x.s.Finish(x.ctx, payments.Record{Reference: ref, Attempt: i, ID: fmt.Sprintf("route%d:%s", i, ref), Status: payments.StatusAuthorized}, true)
				}(i)
			}
			close(start)
			wg.Wait()
			owner := 0
			for i := 1; i <= n; i++ {
				require.NoError(t, errs[i], "attempt %d", i)
				if got[i].Owner {
					require.Zero(t, owner, "two owners: attempts %d and %d", owner, i)
					owner = i
				}
			}
			require.NotZero(t, owner, "one Finish(own) must win")
			byRef, err := x.s.GetByReference(x.ctx, ref)
			require.NoError(t, err)
			assert.Equal(t, owner, byRef.Attempt)
			for _, a := range x.attempts(ref) {
				assert.Equal(t, a.Attempt == owner, a.Owner, "attempt %d", a.Attempt)
				assert.Equal(t, a.Attempt != owner, a.Conflict, "attempt %d: every charged non-owner is a conflict, whichever write came second", a.Attempt)
			}
		}
		cs, err := x.s.Conflicts(x.ctx, 0)
		require.NoError(t, err)
		assert.Len(t, cs, 3*(n-1))
	}},
	{"Concurrency/ManyGoroutinesOnOneReference", func(t *testing.T, x *suite) {
		// Every attempt is advanced through a shuffled sequence of statuses
		// by several goroutines at once, while others read, write refunds
		// and race for ownership.
		const attempts, writers = 6, 4
		for i := 1; i <= attempts; i++ {
			x.begin("r1", i, fmt.Sprintf("route%d", i), i)
		}
		seq := []payments.Status{payments.StatusPending, payments.StatusAuthorized, payments.StatusCaptured, payments.StatusPartiallyRefunded}
		var wg sync.WaitGroup
		errc := make(chan error, 1000)
		start := make(chan struct{})
		for i := 1; i <= attempts; i++ {
			id := fmt.Sprintf("route%d:p", i)
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(i, w int) {
					defer wg.Done()
					<-start
					for k := range seq {
						st := seq[(k+w)%len(seq)]
						var got payments.Record
						var err error
						if k == 0 {
							got, err = x.s.Finish(x.ctx, payments.Record{Reference: "r1", Attempt: i, ID: id, Status: st}, w == 0 && i%2 == 0)
						} else {
							got, err = x.s.Advance(x.ctx, id, st)
							if errors.Is(err, payments.ErrNotFound) {
								// The ID is not written yet by another goroutine's Finish.
								got, err = x.s.Finish(x.ctx, payments.Record{Reference: "r1", Attempt: i, ID: id, Status: st}, false)
							}
						}
						if err != nil {
							errc <- fmt.Errorf("attempt %d writer %d: %w", i, w, err)
							return
						}
						if got.Status == payments.StatusUnknown {
							errc <- fmt.Errorf("attempt %d writer %d: status went back to unknown", i, w)
						}
					}
				}(i, w)
			}
		}
		for r := 0; r < 4; r++ {
			wg.Add(1)
			go func(r int) {
				defer wg.Done()
				<-start
				for k := 0; k < 5; k++ {
					if _, err := x.s.Attempts(x.ctx, "r1"); err != nil {
						errc <- err
					}
					if _, err := x.s.GetByReference(x.ctx, "r1"); err != nil && !errors.Is(err, payments.ErrNotFound) {
						errc <- err
					}
					if _, err := x.s.PutRefund(x.ctx, payments.RefundRecord{PaymentID: "route2:p", RefundID: fmt.Sprintf("rf%d", k), Amount: money(t, "1.00", "EUR"), Status: refundStatuses[(r+k)%3]}); err != nil {
						errc <- err
					}
				}
			}(r)
		}
		close(start)
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		owners := 0
		for _, a := range x.attempts("r1") {
			assert.Equal(t, payments.StatusPartiallyRefunded, a.Status, "attempt %d: forward-only ends at the latest status whatever the order", a.Attempt)
			assert.Equal(t, fmt.Sprintf("route%d:p", a.Attempt), a.ID)
			if a.Owner {
				owners++
				assert.False(t, a.Conflict)
			} else {
				assert.True(t, a.Conflict, "attempt %d holds money under an owner", a.Attempt)
			}
		}
		assert.Equal(t, 1, owners)
		refs, err := x.s.Refunds(x.ctx, "route2:p")
		require.NoError(t, err)
		assert.Len(t, refs, 5)
	}},
}

// statusMatrix checks forward-only status writes over every pair of
// statuses: an attempt is brought to `from` (through Unknown, which may
// resolve to anything), then write is asked to move it to `to`.
func statusMatrix(t *testing.T, x *suite, write func(ref, id string, to payments.Status) (payments.Record, error)) {
	for _, from := range payments.Statuses() {
		for _, to := range payments.Statuses() {
			ref := fmt.Sprintf("m-%s-%s", from, to)
			id := "a:" + ref
			x.begin(ref, 1, "a", 1)
			got := x.finish(ref, 1, id, from, "", true)
			require.Equal(t, from, got.Status, "Unknown resolves to %s", from)
			got, err := write(ref, id, to)
			require.NoError(t, err, "%s → %s: a refused move is not an error", from, to)
			want := from
			if from.CanTransition(to) {
				want = to
			}
			assert.Equal(t, want, got.Status, "%s → %s returns the stored status", from, to)
			assert.Equal(t, want, x.attempt(ref, 1).Status, "%s → %s is stored as %s", from, to, want)
		}
	}
}

// assertSameRecord compares two reads of one attempt.
func assertSameRecord(t *testing.T, want, got payments.Record) {
	t.Helper()
	assert.Equal(t, want.Reference, got.Reference)
	assert.Equal(t, want.Attempt, got.Attempt)
	assert.Equal(t, want.Route, got.Route)
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, want.Status, got.Status)
	assert.Equal(t, want.Code, got.Code)
	assert.Equal(t, want.Owner, got.Owner)
	assert.Equal(t, want.Conflict, got.Conflict)
	sameTime(t, want.Started, got.Started, "Started")
	assert.Equal(t, want.Finished.IsZero(), got.Finished.IsZero(), "Finished set")
	sameTime(t, want.Finished, got.Finished, "Finished")
}

// waitClock returns once the wall clock is past t by more than a store's
// rounding, so that a later write's time is distinguishable from t. It
// asserts no duration: it only lets the clock move.
func waitClock(t time.Time) {
	for time.Since(t) <= 2*timeSlack {
		time.Sleep(timeSlack)
	}
}
