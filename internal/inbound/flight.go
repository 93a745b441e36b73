package inbound

import (
	"context"
	"sync"
)

// Flight lets concurrent callers with the same key share one call: the
// first runs it, the others wait for its result (each for as long as its
// own context allows). It is how a burst of notifications about one
// payment makes one confirming status query. The zero value is ready.
type Flight[T any] struct {
	mu    sync.Mutex
	calls map[string]*flightCall[T]
}

type flightCall[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int // callers that joined this call (read by tests)
}

// Do runs fn for key unless a call for key is in flight, in which case it
// waits for that call's result. shared reports that the result came from
// another caller's call: it is the same value, so a caller that may modify
// it copies it first. A waiter whose context ends first returns its
// context's error.
func (f *Flight[T]) Do(ctx context.Context, key string, fn func() (T, error)) (v T, shared bool, err error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		c.waiters++
		f.mu.Unlock()
		select {
		case <-c.done:
			return c.val, true, c.err
		case <-ctx.Done():
			var zero T
			return zero, false, ctx.Err()
		}
	}
	if f.calls == nil {
		f.calls = map[string]*flightCall[T]{}
	}
	c := &flightCall[T]{done: make(chan struct{}), err: errAbandoned}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() { // also when fn panics: the waiters get errAbandoned
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn()
	return c.val, false, c.err
}

// Joined reports how many callers joined the call in flight for key (0
// when none is): tests use it to know that a burst overlaps one call.
func (f *Flight[T]) Joined(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c.waiters
	}
	return 0
}
