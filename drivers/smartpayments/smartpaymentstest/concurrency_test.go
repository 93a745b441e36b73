package smartpaymentstest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// parallel runs f(i) for i in [0, n) on n goroutines.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

func TestConcurrentPayments(t *testing.T) {
	rc := newReceiver(t, nil)
	srv := newSim(t)
	cards := []string{sp.CardFrictionless, sp.CardDeclined, sp.CardChallenge}
	const workers, each = 16, 10
	parallel(workers, func(w int) {
		for j := range each {
			id := fmt.Sprintf("w%d-%d", w, j)
			r := h2h(t, srv, id, cards[(w+j)%3], 1000, map[string]any{"callback_url": rc.URL})
			if r.code != http.StatusOK {
				t.Errorf("%s: HTTP %d", id, r.code)
			}
			check(t, srv, id)
		}
	})
	if n := len(srv.Operations()); n != workers*each {
		t.Errorf("%d operations, want %d", n, workers*each)
	}
	// Finish the challenges concurrently, over HTTP and the helper at once:
	// exactly one completion wins per payment.
	var wins atomic.Int64
	parallel(workers, func(w int) {
		for j := range each {
			id := fmt.Sprintf("w%d-%d", w, j)
			if cards[(w+j)%3] != sp.CardChallenge {
				continue
			}
			ps, _ := srv.Payment(id)
			var inner sync.WaitGroup
			inner.Add(2)
			go func() {
				defer inner.Done()
				if srv.CompleteChallenge(id, true) == nil {
					wins.Add(1)
				}
			}()
			go func() {
				defer inner.Done()
				r := browse(t, srv, http.MethodPost, ps.FormURL, url.Values{"outcome": {"success"}})
				if r.code == http.StatusSeeOther {
					wins.Add(1)
				}
			}()
			inner.Wait()
		}
	})
	challenges := 0
	for w := range workers {
		for j := range each {
			if cards[(w+j)%3] == sp.CardChallenge {
				challenges++
			}
		}
	}
	// A late HTTP completion finds the payment final and is redirected
	// (303) too, so count operations, not answers.
	completions := 0
	for _, o := range srv.Operations() {
		if o.Kind == "customer" {
			completions++
		}
	}
	wantEqual(t, "customer completions", completions, challenges)
	if wins.Load() < int64(challenges) {
		t.Errorf("%d wins for %d challenges", wins.Load(), challenges)
	}
	waitIdle(t, srv)
	wantEqual(t, "callbacks", len(rc.got()), workers*each)
}

func TestConcurrentDuplicates(t *testing.T) {
	srv := newSim(t)
	var ok, dup atomic.Int64
	parallel(32, func(int) {
		r := h2h(t, srv, "same", sp.CardFrictionless, 1000, nil)
		switch {
		case r.code == http.StatusOK:
			ok.Add(1)
		case r.str("err") == sp.CodeDuplicatedOrderID:
			dup.Add(1)
		}
	})
	wantEqual(t, "accepted", ok.Load(), int64(1))
	wantEqual(t, "duplicates", dup.Load(), int64(31))
	wantEqual(t, "operations", len(srv.Operations()), 1)
}

func TestConcurrentRefundsAndWithdrawals(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	h2h(t, srv, "pay", sp.CardFrictionless, 1000, nil)
	var refunds atomic.Int64
	parallel(40, func(int) {
		r := post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"pay","amount":100,"reason":"r"}`)
		if r.code == http.StatusOK {
			refunds.Add(1)
		} else if r.str("err") != sp.ErrCodeInvalidAmount {
			t.Errorf("refund: %s", r.raw)
		}
	})
	wantEqual(t, "refunds accepted", refunds.Load(), int64(10))
	ps, _ := srv.Payment("pay")
	wantEqual(t, "refunded", ps.RefundedAmount, int64(1000))

	var paid atomic.Int64
	parallel(30, func(i int) {
		r := post(t, srv, srv.CardBaseURL(), "/withdrawal/init",
			fmt.Sprintf(`{"account":"EUR-sandbox-payout","order_id":"wd-%d","amount":1000,"customer_card_number":"4012000000003010"}`, i))
		if r.num("status") == 2 {
			paid.Add(1)
		}
	})
	wantEqual(t, "withdrawals paid from 10000", paid.Load(), int64(10))
	wantEqual(t, "balance", srv.Balance("EUR-sandbox-payout"), int64(0))
}
