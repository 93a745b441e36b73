package inbound

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

func TestCheckKeys(t *testing.T) {
	tests := []struct {
		body string
		dup  string // "" when accepted
	}{
		{`{"merchantKey":"a","objectId":"b"}`, ""},
		{`{"merchantKey":"a","merchantKey":""}`, "merchantKey"},
		{`{"merchantKey":"a","MERCHANTKEY":""}`, "MERCHANTKEY"},
		{`{"orderId":1,"order\u0049d":2}`, "orderId"},
		{`{"K":1,"\u212a":2}`, "\u212a"}, // Kelvin sign folds to K, as encoding/json matches it
		{`{"a":{"x":1,"x":2}}`, ""},      // nested objects are the caller's to check
		{`{"a":[{"b":1}],"b":2}`, ""},
		{` {"a":1} `, ""},
		{`[1,2]`, ""}, // not an object: the parser's to refuse
		{`{"a":`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		err := CheckKeys("p", []byte(tt.body))
		if tt.dup == "" {
			assert.NoError(t, err, tt.body)
			continue
		}
		require.Error(t, err, tt.body)
		assert.ErrorIs(t, err, payments.ErrInvalidRequest)
		var pe *payments.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, tt.dup, pe.Field, tt.body)
	}
}

func TestCheckParams(t *testing.T) {
	for q, bad := range map[string]bool{
		"orderId=1&status=2":  false,
		"orderId=1&orderId=2": true,
		"orderId=1&ORDERID=2": true,
		"orderId=1&order_id=": false,
	} {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		err = CheckParams("p", v)
		assert.Equal(t, bad, errors.Is(err, payments.ErrInvalidRequest), q)
	}
}

func FuzzCheckKeys(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"a":{"b":1}}`, `{"\u212a":1,"k":2}`, `{`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckKeys("p", b)
		if err != nil && !errors.Is(err, payments.ErrInvalidRequest) {
			t.Fatalf("%v", err)
		}
	})
}

// TestFlightShares: callers that arrive while a call for their key is in
// flight get its result and start none; another key has its own call.
func TestFlightShares(t *testing.T) {
	var f Flight[int]
	var calls atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	const callers = 9
	var wg sync.WaitGroup
	results := make([]int, callers)
	shared := make([]bool, callers)
	query := func() (int, error) {
		calls.Add(1)
		close(started)
		<-release
		return 42, nil
	}
	do := func(i int) {
		defer wg.Done()
		var err error
		results[i], shared[i], err = f.Do(context.Background(), "p1", query)
		assert.NoError(t, err)
	}
	wg.Add(1)
	go do(0)
	<-started
	for i := 1; i < callers; i++ {
		wg.Add(1)
		go do(i)
	}
	require.Eventually(t, func() bool { return f.Joined("p1") == callers-1 }, 10*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load())
	for i := range results {
		assert.Equal(t, 42, results[i], "caller %d", i)
		assert.Equal(t, i != 0, shared[i], "caller %d", i)
	}

	v, sh, err := f.Do(context.Background(), "p2", func() (int, error) { return 7, nil })
	assert.Equal(t, 7, v)
	assert.False(t, sh)
	assert.NoError(t, err)
	assert.Zero(t, f.Joined("p1"))
}

// TestFlightWaiterContext: a waiter whose context ends stops waiting; a
// call that panics releases its waiters with an error.
func TestFlightWaiterContext(t *testing.T) {
	var f Flight[int]
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer func() { _ = recover(); done <- nil }()
		_, _, _ = f.Do(context.Background(), "k", func() (int, error) {
			close(started)
			<-release
			panic("driver bug")
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := f.Do(ctx, "k", func() (int, error) { return 0, nil })
	assert.ErrorIs(t, err, context.Canceled)

	waited := make(chan error, 1)
	go func() {
		_, _, err := f.Do(context.Background(), "k", func() (int, error) { return 0, nil })
		waited <- err
	}()
	require.Eventually(t, func() bool { return f.Joined("k") == 2 }, 10*time.Second, time.Millisecond)
	close(release)
	<-done
	assert.ErrorIs(t, <-waited, payments.ErrUnavailable)
}

// TestLimiter: a full bucket of burst tokens, refilled at rate a second.
func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2, 3, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		assert.True(t, l.Allow(), "token %d of the burst", i)
	}
	assert.False(t, l.Allow(), "bucket empty")
	now = now.Add(499 * time.Millisecond)
	assert.False(t, l.Allow(), "not yet one token")
	now = now.Add(time.Millisecond)
	assert.True(t, l.Allow(), "one token after 1/rate")
	assert.False(t, l.Allow())
	now = now.Add(time.Hour)
	for i := 0; i < 3; i++ {
		assert.True(t, l.Allow(), "refilled to the burst, token %d", i)
	}
	assert.False(t, l.Allow(), "never more than the burst")

	var unlimited *Limiter = NewLimiter(0, 0)
	assert.Nil(t, unlimited)
	assert.True(t, unlimited.Allow())
}

// TestGuard: over the rate, no query is sent and the error is
// ErrRateLimited; a negative rate is no bound.
func TestGuard(t *testing.T) {
	g := NewGuard[int]("p", 1) // bursts of 2
	g.limit.now = func() time.Time { return time.Unix(0, 0) }
	g.limit.last = g.limit.now()
	queries := 0
	q := func() (int, error) { queries++; return 1, nil }
	for i := 0; i < 2; i++ {
		_, _, err := g.Do(context.Background(), "k", q)
		require.NoError(t, err)
	}
	_, _, err := g.Do(context.Background(), "k", q)
	assert.ErrorIs(t, err, payments.ErrRateLimited)
	assert.Equal(t, 2, queries)

	assert.Equal(t, int64(DefaultQueriesPerSecond), NewGuard[int]("p", 0).limit.rate)
	assert.Nil(t, NewGuard[int]("p", -1).limit)
}
