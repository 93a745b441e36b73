package smart2paytest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNotificationRetries(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(n int, r *http.Request) int
		attempts  int
		delivered bool
	}{
		{"204 at once", nil, 1, true},
		{"500 twice then 204", func(n int, _ *http.Request) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusNoContent
		}, 3, true},
		{"200 is not 204", func(n int, _ *http.Request) int {
			if n == 1 {
				return http.StatusOK
			}
			return http.StatusNoContent
		}, 2, true},
		{"always 503", func(int, *http.Request) int { return http.StatusServiceUnavailable }, 4, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{answer: tc.answer}
			s := newSim(t, WithNotificationURL(withReceiver(t, rc)), WithNotificationRetry(4, time.Millisecond))
			id := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("n1", 100, "")))
			waitIdle(t, s)
			att := s.NotificationAttempts()
			if len(att) != tc.attempts {
				t.Fatalf("%d attempts, want %d: %+v", len(att), tc.attempts, att)
			}
			for i, a := range att {
				if a.Attempt != i+1 || a.Type != "Payment" || a.ID != id || a.StatusID != 11 || a.Copy != 1 {
					t.Errorf("attempt %+v", a)
				}
			}
			if att[len(att)-1].Delivered != tc.delivered {
				t.Errorf("delivered = %v", att[len(att)-1].Delivered)
			}
			p := cardCall(t, s, "GET", "/v1/payments/"+id, "").payment(t)
			if (p["NotificationDateTime"] != nil) != tc.delivered {
				t.Errorf("NotificationDateTime = %v", p["NotificationDateTime"])
			}
		})
	}
}

func TestNotificationTimeoutIsRetried(t *testing.T) {
	release := make(chan struct{})
	rc := &receiver{answer: func(n int, r *http.Request) int {
		if n == 1 {
			select { // hang until the simulator gives up on this attempt
			case <-r.Context().Done():
			case <-release:
			}
		}
		return http.StatusNoContent
	}}
	defer close(release)
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)), WithNotificationTimeout(100*time.Millisecond), WithNotificationRetry(3, time.Millisecond))
	cardCall(t, s, "POST", "/v1/payments", cardBody("to", 100, ""))
	waitIdle(t, s)
	att := s.NotificationAttempts()
	if len(att) != 2 || att[0].Err == "" || att[0].StatusCode != 0 || !att[1].Delivered {
		t.Errorf("attempts %+v", att)
	}
}

func TestDuplicateNotifications(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)), WithDuplicateNotifications(3))
	id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("dup", 100, "")))
	if _, err := s.CompleteRedirect(id, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	bodies, auths := rc.snapshot()
	if len(bodies) != 3 {
		t.Fatalf("%d deliveries, want 3", len(bodies))
	}
	for i := range bodies {
		if string(bodies[i]) != string(bodies[0]) || auths[i] != docAPMAuth {
			t.Errorf("copy %d differs", i)
		}
	}
	var copies []int
	for _, a := range s.NotificationAttempts() {
		copies = append(copies, a.Copy)
	}
	if fmt.Sprint(copies) != "[1 2 3]" {
		t.Errorf("copies %v", copies)
	}
}

func TestNoNotificationURL(t *testing.T) {
	s := newSim(t)
	cardCall(t, s, "POST", "/v1/payments", cardBody("none", 100, ""))
	waitIdle(t, s)
	if n := len(s.NotificationAttempts()); n != 0 {
		t.Errorf("%d attempts without a URL", n)
	}
	rc := &receiver{}
	s.SetNotificationURL(withReceiver(t, rc))
	cardCall(t, s, "POST", "/v1/payments", cardBody("some", 100, ""))
	waitIdle(t, s)
	if bodies, _ := rc.snapshot(); len(bodies) != 1 {
		t.Errorf("%d notifications after SetNotificationURL", len(bodies))
	}
}

func TestWaitIdleHonoursContextAndReset(t *testing.T) {
	block := make(chan struct{})
	rc := &receiver{answer: func(n int, r *http.Request) int {
		select {
		case <-block:
		case <-r.Context().Done():
		}
		return http.StatusNoContent
	}}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)), WithNotificationTimeout(time.Minute))
	defer close(block)
	cardCall(t, s, "POST", "/v1/payments", cardBody("w", 100, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitIdle(ctx); err == nil {
		t.Fatal("WaitIdle returned while a notification hangs")
	}
	s.Reset() // aborts the delivery in flight
	waitIdle(t, s)
	if n := len(s.NotificationAttempts()); n > 1 {
		t.Errorf("%d attempts after Reset", n)
	}
}

// TestConcurrency drives both hosts from many goroutines: every payment gets its own ID, every
// refund is applied once, and the operation log has one entry per executed operation.
func TestConcurrency(t *testing.T) {
	var delivered atomic.Int64
	rc := &receiver{answer: func(int, *http.Request) int { delivered.Add(1); return http.StatusNoContent }}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	const workers, each = 16, 8
	var wg sync.WaitGroup
	ids := make(chan string, workers*each*2)
	errs := make(chan error, workers*each*8)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			do := func(base, auth, method, path, body string, want int) (string, bool) {
				r, err := tryCall(s, base, method, path, auth, body)
				if err == nil && r.code != want {
					err = fmt.Errorf("%s %s: HTTP %d, want %d: %s", method, path, r.code, want, r.raw)
				}
				if err != nil {
					errs <- err
					return "", false
				}
				if want != http.StatusCreated || method != "POST" || path != "/v1/payments" {
					return "", true
				}
				id, err := rawID(r.raw, "Payment")
				if err != nil {
					errs <- err
					return "", false
				}
				return id, true
			}
			for i := 0; i < each; i++ {
				ref := fmt.Sprintf("cc_%d_%d", w, i)
				id, ok := do(s.CardBaseURL(), docCardAuth, "POST", "/v1/payments", cardBody(ref, 1000, "false"), http.StatusCreated)
				if !ok {
					continue
				}
				ids <- id
				do(s.CardBaseURL(), docCardAuth, "POST", "/v1/payments/"+id+"/capture", "", http.StatusOK)
				// two racing refunds of 600 out of 1000: exactly one fits
				var rw sync.WaitGroup
				var created atomic.Int32
				for k := 0; k < 2; k++ {
					rw.Add(1)
					go func(k int) {
						defer rw.Done()
						rr, err := tryCall(s, s.CardBaseURL(), "POST", "/v1/payments/"+id+"/refunds", docCardAuth,
							fmt.Sprintf(`{"Refund":{"MerchantTransactionID":"%s_r%d","Amount":600}}`, ref, k))
						if err != nil {
							errs <- err
						} else if rr.code == http.StatusCreated {
							created.Add(1)
						}
					}(k)
				}
				rw.Wait()
				if created.Load() != 1 {
					errs <- fmt.Errorf("%s: %d refunds of 600/1000 created", id, created.Load())
				}
				aid, ok := do(s.BaseURL(), docAPMAuth, "POST", "/v1/payments", apmBody(ref, 500, ""), http.StatusCreated)
				if !ok {
					continue
				}
				ids <- aid
				if _, err := s.CompleteRedirect(aid, OutcomeSuccess); err != nil {
					errs <- err
				}
				do(s.BaseURL(), docAPMAuth, "GET", "/v1/payments?limit=5", "", http.StatusOK)
			}
		}(w)
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("ID %s issued twice", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each*2 {
		t.Errorf("%d payments", len(seen))
	}
	counts := map[string]int{}
	for _, op := range s.Operations() {
		counts[op.Kind]++
	}
	n := workers * each
	want := map[string]int{"authorize": n, "capture": n, "refund": n, "payment": n, "complete": n}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("operations %v, want %v", counts, want)
	}
	waitIdle(t, s)
	// authorize, capture, refund, payment 21 per card payment; complete per APM payment
	if got := delivered.Load(); got != int64(5*n) {
		t.Errorf("%d notifications delivered, want %d", got, 5*n)
	}
}

func TestCloseWithHangingReceiver(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	rc := &receiver{answer: func(n int, r *http.Request) int {
		select {
		case <-block:
		case <-r.Context().Done():
		}
		return http.StatusNoContent
	}}
	s := NewServer(WithNotificationURL(withReceiver(t, rc)), WithNotificationTimeout(time.Minute))
	if _, err := tryCall(s, s.CardBaseURL(), "POST", "/v1/payments", docCardAuth, cardBody("h", 100, "")); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on a notification in flight")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Errorf("WaitIdle after Close: %v", err)
	}
}
