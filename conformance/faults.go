package conformance

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments"
)

// testInvalidInput sends requests that break the shared rules and checks
// that each is ErrInvalidRequest without a single HTTP round trip.
func testInvalidInput(e *env) {
	counter := &countingTransport{}
	g := e.h.NewGateway(e.t, counter)
	if g == nil {
		e.t.Fatal("conformance: Harness.NewGateway returned nil")
	}
	e.sc.Gateway = g
	ctx := e.ctx
	base := func() *payments.AuthorizeRequest {
		req := e.h.Fixtures.Approved("conf-InvalidInput-1")
		if req == nil {
			e.t.Fatal("Fixtures.Approved returned nil")
		}
		return req
	}
	cur := base().Amount.Currency
	zero := payments.Money{Amount: decimal.Zero, Currency: cur}
	negative := payments.Money{Amount: decimal.NewFromInt(-1), Currency: cur}
	tooFine := payments.Money{Amount: decimal.New(1, -6), Currency: cur} // 0.000001: finer than any currency's minor unit

	type call struct {
		name string
		do   func() error
	}
	authorize := func(mutate func(*payments.AuthorizeRequest)) func() error {
		return func() error {
			req := base()
			mutate(req)
			_, err := g.Authorize(ctx, req)
			return err
		}
	}
	calls := []call{
		{"Authorize(nil)", func() error { _, err := g.Authorize(ctx, nil); return err }},
		{"Authorize missing reference", authorize(func(r *payments.AuthorizeRequest) { r.Reference = "" })},
		{"Authorize zero amount", authorize(func(r *payments.AuthorizeRequest) { r.Amount = zero })},
		{"Authorize negative amount", authorize(func(r *payments.AuthorizeRequest) { r.Amount = negative })},
		{"Authorize amount finer than the minor unit", authorize(func(r *payments.AuthorizeRequest) { r.Amount = tooFine })},
		{"Authorize bad currency", authorize(func(r *payments.AuthorizeRequest) {
			r.Amount = payments.Money{Amount: decimal.NewFromInt(10), Currency: "ZZZ"}
		})},
		{"Authorize missing method", authorize(func(r *payments.AuthorizeRequest) { r.Method = nil })},
		{"Capture(nil)", func() error { _, err := g.Capture(ctx, nil); return err }},
		{"Capture missing ID", func() error { _, err := g.Capture(ctx, &payments.CaptureRequest{}); return err }},
		{"Capture zero amount", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "conf-InvalidInput-id", Amount: &zero})
			return err
		}},
		{"Cancel(nil)", func() error { _, err := g.Cancel(ctx, nil); return err }},
		{"Cancel missing ID", func() error { _, err := g.Cancel(ctx, &payments.CancelRequest{}); return err }},
		{"Refund(nil)", func() error { _, err := g.Refund(ctx, nil); return err }},
		{"Refund missing ID", func() error { _, err := g.Refund(ctx, &payments.RefundRequest{}); return err }},
		{"Refund negative amount", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "conf-InvalidInput-id", Amount: &negative})
			return err
		}},
		{"Status(nil)", func() error { _, err := g.Status(ctx, nil); return err }},
		{"Status without ID or reference", func() error { _, err := g.Status(ctx, &payments.StatusRequest{}); return err }},
	}
	if e.caps.Supports(payments.KindCard) {
		card := func(mutate func(*payments.Card)) func(*payments.AuthorizeRequest) {
			return func(r *payments.AuthorizeRequest) {
				c, ok := payments.MethodAs[payments.Card](r.Method)
				if !ok {
					c = payments.Card{Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}
				}
				mutate(&c)
				r.Method = c
			}
		}
		calls = append(calls,
			call{"Authorize card number failing Luhn", authorize(card(func(c *payments.Card) { c.Number = breakLuhn(c.Number) }))},
			call{"Authorize card number with letters", authorize(card(func(c *payments.Card) { c.Number = "4012abcd00003010" }))},
			call{"Authorize card month 13", authorize(card(func(c *payments.Card) { c.ExpiryMonth = "13" }))},
		)
	}
	for _, c := range calls {
		before := counter.n.Load()
		var err error
		protect(e.t, c.name, func() { err = c.do() })
		if !errors.Is(err, payments.ErrInvalidRequest) {
			e.t.Errorf("%s: error %v, want ErrInvalidRequest", c.name, err)
		}
		if n := counter.n.Load() - before; n != 0 {
			e.t.Errorf("%s: the driver sent %d HTTP request(s); invalid input must be refused before any I/O", c.name, n)
		}
	}
}

// breakLuhn changes the last digit so that the number fails the Luhn check.
func breakLuhn(n payments.CardNumber) payments.CardNumber {
	d := []byte(n.Digits())
	if len(d) == 0 {
		return "4012000000003011"
	}
	last := len(d) - 1
	d[last] = '0' + (d[last]-'0'+1)%10
	return payments.CardNumber(d)
}

// testOutcomeUnknown injects a 5xx and an unparsable 2xx into each
// money-moving call and checks the driver reports ErrOutcomeUnknown, never
// a plain failure or success. Where the driver retries modifications with
// an idempotency key (Capabilities.IdempotentModifications), one 5xx
// followed by success must succeed instead.
func testOutcomeUnknown(e *env) {
	if e.h.NoHTTP {
		e.t.Skip("the driver makes no HTTP calls: there is no answer to corrupt")
	}
	// Set up first, so that any session or token request the driver makes
	// lazily is behind us when the faults are armed.
	var authorized, sold *payments.Payment
	var authReq *payments.AuthorizeRequest
	if e.caps.TwoStep {
		authorized, authReq = e.auth()
	}
	if e.caps.Refund {
		sold, _ = e.sale()
	}
	faults := []faultKind{fault500, fault502, faultGarbage}
	expectUnknown := func(what string, k faultKind, do func() (any, error)) {
		e.t.Helper()
		e.fault.arm(k, -1)
		var got any
		var err error
		protect(e.t, what, func() { got, err = do() })
		n := e.fault.disarm()
		if n == 0 {
			e.t.Errorf("%s with %s: the driver sent no money-moving request (a method other than GET and HEAD that Harness.SafeRequest does not exempt)", what, k)
			return
		}
		if !errors.Is(err, payments.ErrOutcomeUnknown) {
			e.t.Errorf("%s answered with %s: got (%s, %v), want ErrOutcomeUnknown", what, k, brief(got), err)
		}
	}
	for _, k := range faults {
		req := e.approved(true)
		expectUnknown("Authorize", k, func() (any, error) { return e.gw.Authorize(e.ctx, req) })
	}
	if authorized != nil {
		for _, k := range faults {
			expectUnknown("Capture", k, func() (any, error) {
				return e.gw.Capture(e.ctx, &payments.CaptureRequest{ID: authorized.ID, IdempotencyKey: e.key()})
			})
		}
		if e.caps.Cancel {
			for _, k := range faults {
				expectUnknown("Cancel", k, func() (any, error) {
					return e.gw.Cancel(e.ctx, &payments.CancelRequest{ID: authorized.ID, IdempotencyKey: e.key()})
				})
			}
		}
	}
	if sold != nil {
		for _, k := range faults {
			// With the amount: after an unknown outcome a driver may not
			// know what is left to refund (and must then refuse to guess).
			expectUnknown("Refund", k, func() (any, error) {
				return e.gw.Refund(e.ctx, &payments.RefundRequest{ID: sold.ID, Amount: &sold.Amount, Reason: "conformance", IdempotencyKey: e.key()})
			})
		}
	}
	if !e.caps.IdempotentModifications {
		return
	}
	// One 5xx, then the driver's retry with the same key goes through.
	retried := func(what string, do func() (any, error)) {
		e.t.Helper()
		e.fault.arm(fault500, 1)
		var got any
		var err error
		protect(e.t, what, func() { got, err = do() })
		if n := e.fault.disarm(); n != 1 {
			e.t.Errorf("%s: %d requests failed by injection, want 1", what, n)
		}
		if err != nil {
			e.t.Errorf("%s after one HTTP 500: %v; the driver claims IdempotentModifications, so it must retry and succeed", what, err)
		}
		_ = got
	}
	if authorized != nil {
		retried("Capture", func() (any, error) {
			p, err := e.gw.Capture(e.ctx, &payments.CaptureRequest{ID: authorized.ID, IdempotencyKey: e.key()})
			if err == nil {
				e.wantStatus("Capture after a retry", p, payments.StatusCaptured)
				e.wantMoney("Capture after a retry", "Captured", p.Captured, authReq.Amount)
			}
			return p, err
		})
		if e.caps.Cancel {
			a2, _ := e.auth()
			retried("Cancel", func() (any, error) {
				p, err := e.gw.Cancel(e.ctx, &payments.CancelRequest{ID: a2.ID, IdempotencyKey: e.key()})
				if err == nil {
					e.wantStatus("Cancel after a retry", p, payments.StatusCanceled)
				}
				return p, err
			})
		}
	}
	if sold != nil {
		retried("Refund", func() (any, error) {
			return e.gw.Refund(e.ctx, &payments.RefundRequest{ID: sold.ID, Reason: "conformance", IdempotencyKey: e.key()})
		})
	}
}

func brief(v any) string {
	switch x := v.(type) {
	case *payments.Payment:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("payment %s %s", x.ID, x.Status)
	case *payments.Refund:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("refund %s %s", x.ID, x.Status)
	}
	return fmt.Sprint(v)
}
