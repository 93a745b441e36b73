package conformance

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/gopayments/payments"
)

// tracked wraps the gateway under test. It checks every Payment and Refund
// the driver returns (an ID, the driver's name, amounts in the payment's
// currency, a JSON round trip that gives it back unchanged) and keeps, per payment, the statuses the driver reported, so
// that the scenario can check them against Status.CanTransition.
type tracked struct {
	payments.Gateway
	t    *testing.T
	name string

	mu       sync.Mutex
	order    []string
	statuses map[string][]observed
	currency map[string]payments.Currency
}

type observed struct {
	call   string
	status payments.Status
}

func newTracked(t *testing.T, g payments.Gateway, name string) *tracked {
	return &tracked{Gateway: g, t: t, name: name, statuses: map[string][]observed{}, currency: map[string]payments.Currency{}}
}

func (g *tracked) observe(call string, p *payments.Payment) {
	t := g.t
	t.Helper()
	if p == nil {
		return
	}
	if p.ID == "" {
		t.Errorf("%s returned a Payment without an ID", call)
		return
	}
	if p.Provider != g.name {
		t.Errorf("%s: Payment.Provider = %q, want %q", call, p.Provider, g.name)
	}
	for _, d := range paymentRoundTrip(p) {
		t.Errorf("%s: payment %s does not survive a JSON round trip: %s", call, p.ID, d)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	cur, known := g.currency[p.ID]
	if !known {
		cur = p.Amount.Currency
		g.currency[p.ID] = cur
	}
	for _, m := range []struct {
		field string
		money payments.Money
	}{{"Amount", p.Amount}, {"Captured", p.Captured}, {"Refunded", p.Refunded}} {
		if m.money.Currency != cur {
			t.Errorf("%s: payment %s: %s currency %q, want %q", call, p.ID, m.field, m.money.Currency, cur)
		}
		if m.money.Amount.IsNegative() {
			t.Errorf("%s: payment %s: %s is negative (%s)", call, p.ID, m.field, m.money)
		}
	}
	if _, seen := g.statuses[p.ID]; !seen {
		g.order = append(g.order, p.ID)
	}
	g.statuses[p.ID] = append(g.statuses[p.ID], observed{call, p.Status})
}

// expectCurrency records the currency a payment was requested in.
func (g *tracked) expectCurrency(id string, c payments.Currency) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.currency[id]; !ok {
		g.currency[id] = c
	}
}

// checkTransitions fails the test for every pair of consecutive statuses
// of one payment that Status.CanTransition refuses.
func (g *tracked) checkTransitions() {
	g.t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range g.order {
		seq := g.statuses[id]
		for i := 1; i < len(seq); i++ {
			if !seq[i-1].status.CanTransition(seq[i].status) {
				g.t.Errorf("Transitions: payment %s went %s (%s) -> %s (%s), which Status.CanTransition refuses; sequence: %s",
					id, seq[i-1].status, seq[i-1].call, seq[i].status, seq[i].call, describe(seq))
			}
		}
	}
}

func describe(seq []observed) string {
	s := ""
	for i, o := range seq {
		if i > 0 {
			s += " -> "
		}
		s += fmt.Sprintf("%s(%s)", o.status, o.call)
	}
	return s
}

func (g *tracked) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	p, err := g.Gateway.Authorize(ctx, req)
	if p != nil && req != nil {
		g.expectCurrency(p.ID, req.Amount.Currency)
		if !p.Amount.Equal(req.Amount) {
			g.t.Errorf("Authorize %s: Payment.Amount = %s, want exactly %s", req.Reference, p.Amount, req.Amount)
		}
	}
	g.observe("Authorize", p)
	return p, err
}

func (g *tracked) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	p, err := g.Gateway.Capture(ctx, req)
	g.observe("Capture", p)
	return p, err
}

func (g *tracked) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	p, err := g.Gateway.Cancel(ctx, req)
	g.observe("Cancel", p)
	return p, err
}

func (g *tracked) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	r, err := g.Gateway.Refund(ctx, req)
	if r != nil && req != nil {
		g.mu.Lock()
		cur, ok := g.currency[req.ID]
		g.mu.Unlock()
		if ok && r.Amount.Currency != cur {
			g.t.Errorf("Refund of %s: Refund.Amount currency %q, want %q", req.ID, r.Amount.Currency, cur)
		}
		if r.PaymentID != "" && r.PaymentID != req.ID {
			g.t.Errorf("Refund of %s: Refund.PaymentID = %q", req.ID, r.PaymentID)
		}
	}
	if r != nil {
		for _, d := range refundRoundTrip(r) {
			g.t.Errorf("Refund: refund %s does not survive a JSON round trip: %s", r.ID, d)
		}
	}
	return r, err
}

func (g *tracked) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	p, err := g.Gateway.Status(ctx, req)
	g.observe("Status", p)
	return p, err
}

func (g *tracked) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	n, err := g.Gateway.Notify(ctx, r)
	if n != nil {
		g.observe("Notify", n.Payment)
		for _, d := range notificationRoundTrip(n) {
			g.t.Errorf("Notify: the notification does not survive a JSON round trip: %s", d)
		}
		if n.Refund != nil {
			for _, d := range refundRoundTrip(n.Refund) {
				g.t.Errorf("Notify: refund %s does not survive a JSON round trip: %s", n.Refund.ID, d)
			}
		}
	}
	return n, err
}
