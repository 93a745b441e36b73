package inbound

import (
	"sync"
	"time"

	"github.com/gopayments/payments"
)

// errAbandoned is what a Flight's waiters get when the call they waited for
// panicked.
var errAbandoned = &payments.Error{Code: payments.Unavailable, Message: "notify: the confirming query was abandoned"}

// Limiter is a token bucket: it allows rate calls a second on average and
// bursts of up to burst calls. A nil *Limiter allows everything. It is safe
// for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	rate   int64         // tokens a second
	burst  int64         // bucket size, in tokens
	tokens time.Duration // tokens held, scaled: one token is one second's worth (rate·1s)
	last   time.Time
	now    func() time.Time
}

// NewLimiter returns a bucket of burst tokens (at least 1) refilled at rate
// tokens a second, initially full; rate <= 0 returns nil, which allows
// everything.
func NewLimiter(rate, burst int) *Limiter {
	return newLimiter(rate, burst, time.Now)
}

func newLimiter(rate, burst int, now func() time.Time) *Limiter {
	if rate <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{rate: int64(rate), burst: int64(burst), now: now, last: now()}
	l.tokens = l.capacity()
	return l
}

// capacity is the bucket's size in the scaled unit: a token is worth
// 1s/rate·rate = 1s, so burst tokens are burst seconds.
func (l *Limiter) capacity() time.Duration { return time.Duration(l.burst) * time.Second }

// Allow takes a token if there is one.
func (l *Limiter) Allow() bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if elapsed := now.Sub(l.last); elapsed > 0 {
		// elapsed·rate scaled tokens accrue; past a full bucket's refill
		// time the bucket is full (and the product cannot overflow).
		if elapsed >= l.capacity()/time.Duration(l.rate) {
			l.tokens = l.capacity()
		} else if l.tokens += elapsed * time.Duration(l.rate); l.tokens > l.capacity() {
			l.tokens = l.capacity()
		}
	}
	l.last = now
	if l.tokens < time.Second {
		return false
	}
	l.tokens -= time.Second
	return true
}

// RateLimited is the error of a notification refused by a Limiter: the
// caller answers it 503 (NotificationHandler does), and the provider
// delivers the notification again later.
func RateLimited(provider string) error {
	return &payments.Error{Code: payments.RateLimited, Provider: provider,
		Message: "notify: too many notifications to confirm right now; deliver again later"}
}
