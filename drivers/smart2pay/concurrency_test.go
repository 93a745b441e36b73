package smart2pay_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// TestConcurrentUse drives one Gateway from many goroutines (run with
// -race): every flow on both hosts at once.
func TestConcurrentUse(t *testing.T) {
	sim, gw := newSim(t)
	m := newMerchant(t, gw)
	sim.SetNotificationURL(m.srv.URL)
	ctx := ctxT(t)
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers*8)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := fmt.Sprintf("conc-%d", i)
			p, err := gw.Authorize(ctx, cardRequest(t, ref, "20.00", i%2 == 0))
			if err != nil {
				errs <- err
				return
			}
			if i%2 == 1 {
				if _, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "15.00", "EUR")}); err != nil {
					errs <- err
					return
				}
			}
			if _, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "5.00", "EUR")}); err != nil {
				errs <- err
				return
			}
			st, err := gw.Status(ctx, &payments.StatusRequest{Reference: ref})
			if err != nil || st.ID != p.ID || st.Status != payments.StatusPartiallyRefunded {
				errs <- fmt.Errorf("%s: %+v %v", ref, st, err)
			}
			a, err := gw.Authorize(ctx, apmRequest(t, ref+"-apm", "9.80", "EUR", payments.HostedPage{}))
			if err != nil {
				errs <- err
				return
			}
			if _, err := sim.CompleteRedirect(a.ID, smart2paytest.OutcomeSuccess); err != nil {
				errs <- err
			}
			for p, err := range gw.ListPayments(ctx, smart2pay.ListFilter{Limit: 3}) {
				if err != nil || p.ID == "" {
					errs <- fmt.Errorf("list: %v %v", p, err)
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(m.notifications()); n < workers*3 {
		t.Errorf("%d notifications accepted", n)
	}
}

// TestStatusTableMatchesSimulator cross-checks the driver's table with the
// simulator's, written independently from the same sources.
func TestStatusTableMatchesSimulator(t *testing.T) {
	for _, id := range smart2paytest.StatusIDs() {
		info, _ := smart2paytest.StatusInfo(id)
		st, text := smart2pay.MapStatus(id, "")
		if st == payments.StatusUnknown || text != fmt.Sprintf("%d %s", id, info) {
			t.Errorf("status %d %s: driver says %s %q", id, info, st, text)
		}
	}
	if n := len(smart2paytest.StatusIDs()); n != 31 {
		t.Errorf("the simulator knows %d statuses", n)
	}
}
