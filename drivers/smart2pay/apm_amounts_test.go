package smart2pay_test

import (
	"errors"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// TestAlternativeHostNeverGuessesCapturedAmount: the alternative-methods
// host sends no CapturedAmount (seed 002_c6b29c27df04218d.txt l.352–427;
// only the card host has it, l.134, l.461). After a partial capture of 40.00
// of 100.00 and a refund of 10.00, the driver must not report 0.00 or 100.00
// captured, nor refund "the rest" as 90.00: it says the amounts are unknown,
// and establishes them once the refunds settle them (22 Refunded).
func TestAlternativeHostNeverGuessesCapturedAmount(t *testing.T) {
	sim, gw := newSim(t)
	ctx := ctxT(t)
	eur := func(s string) payments.Money { return money(t, s, "EUR") }
	req := apmRequest(t, "apm-partial", "100.00", "EUR", payments.ProviderMethod{ID: "75"})
	req.Capture = false
	p, err := gw.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.CompleteRedirect(p.ID, smart2paytest.OutcomeAuthorize); err != nil {
		t.Fatal(err)
	}
	c, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "40.00", "EUR")})
	if err != nil || c.Status != payments.StatusPartiallyCaptured || !c.Captured.Equal(eur("40.00")) {
		t.Fatalf("capture: %+v %v", c, err)
	}

	// 35 PartiallyCaptured without CapturedAmount: not "0.00 captured".
	st, err := gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil || st.Status != payments.StatusUnknown || st.ProviderStatus != "35 PartiallyCaptured" {
		t.Fatalf("status after the partial capture: %+v %v", st, err)
	}

	if _, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "10.00", "EUR")}); err != nil {
		t.Fatal(err)
	}
	// 21 PartiallyRefunded: the refunds say 10.00 went back; how much was
	// captured is still not said (not "100.00").
	st, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil || st.Status != payments.StatusUnknown || st.ProviderStatus != "21 PartiallyRefunded" ||
		!st.Refunded.Equal(eur("10.00")) || st.Captured.Equal(eur("100.00")) {
		t.Fatalf("status after the refund: %+v %v", st, err)
	}

	// "Refund the rest" cannot be computed: refused before any refund call.
	before := len(sim.Operations())
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || pe.Field != "amount" {
		t.Fatalf("refund of the rest: %v", err)
	}
	if n := len(sim.Operations()); n != before {
		t.Fatalf("the refused refund executed %d operations", n-before)
	}

	// Refunding the true rest (30.00) makes the payment 22 Refunded, which
	// with its refunds settles both amounts: 40.00 captured, 40.00 refunded.
	if _, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "30.00", "EUR")}); err != nil {
		t.Fatal(err)
	}
	st, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil || st.Status != payments.StatusRefunded || !st.Captured.Equal(eur("40.00")) || !st.Refunded.Equal(eur("40.00")) {
		t.Fatalf("status after the last refund: %+v %v", st, err)
	}
	if _, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID}); !errors.Is(err, payments.ErrInvalidState) {
		t.Fatalf("refund of a refunded payment: %v", err)
	}

	// A one-step payment (2 Success) took the whole amount: that one is known.
	p2, err := gw.Authorize(ctx, apmRequest(t, "apm-sale", "100.00", "EUR", payments.ProviderMethod{ID: "75"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.CompleteRedirect(p2.ID, smart2paytest.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	st, err = gw.Status(ctx, &payments.StatusRequest{ID: p2.ID})
	if err != nil || st.Status != payments.StatusCaptured || !st.Captured.Equal(eur("100.00")) {
		t.Fatalf("one-step payment: %+v %v", st, err)
	}
}
