package payments_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

// TestReconcileEventHasStartAndDuration: an EventReconcile says when
// reconciling started and how long it took, as Event documents, whether it
// found the status or not.
func TestReconcileEventHasStartAndDuration(t *testing.T) {
	for _, found := range []bool{true, false} {
		a := newFake("a")
		a.authorize = func(req *payments.AuthorizeRequest) (*payments.Payment, error) {
			a.mu.Lock()
			a.payments["9"] = &payments.Payment{ID: "9", Reference: req.Reference, Status: payments.StatusCaptured, Amount: req.Amount}
			a.mu.Unlock()
			return nil, &payments.Error{Code: payments.OutcomeUnknown}
		}
		if !found {
			a.status = func(*payments.StatusRequest) (*payments.Payment, error) {
				return nil, &payments.Error{Code: payments.Unavailable}
			}
		}
		// A clock that moves a millisecond at each reading.
		var mu sync.Mutex
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(time.Millisecond)
			return now
		}
		var events []payments.Event
		obs := payments.ObserverFunc(func(_ context.Context, e payments.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == payments.EventReconcile {
				events = append(events, e)
			}
		})
		r, err := payments.NewRouter([]payments.Route{{Name: "a", Gateway: a}},
			append(fast, payments.WithClock(clock), payments.WithObserver(obs))...)
		require.NoError(t, err)
		_, _ = r.Authorize(context.Background(), sale("rec"))
		require.Len(t, events, 1)
		assert.Equal(t, 2025, events[0].Start.Year(), "found=%v: Start is a reading of the Router's clock", found)
		assert.Positive(t, events[0].Duration, "found=%v", found)
	}
}
