package memory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

var ctx = context.Background()

func money(t testing.TB, amount string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(amount, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func moneyPtr(t testing.TB, amount string) *payments.Money {
	m := money(t, amount)
	return &m
}

func authorize(t *testing.T, g *memory.Gateway, ref, number string, capture bool) *payments.Payment {
	t.Helper()
	req := request(ref, card(number))
	req.Amount = money(t, "100.00")
	req.Capture = capture
	p, err := g.Authorize(ctx, req)
	if err != nil {
		t.Fatalf("Authorize(%s): %v", ref, err)
	}
	return p
}

func TestCards(t *testing.T) {
	tests := []struct {
		number string
		status payments.Status
		reason payments.DeclineReason
	}{
		{memory.CardApproved, payments.StatusAuthorized, ""},
		{memory.CardThreeDS, payments.StatusRequiresAction, ""},
		{memory.CardInsufficientFunds, payments.StatusFailed, payments.DeclineInsufficientFunds},
		{memory.CardDoNotHonour, payments.StatusFailed, payments.DeclineDoNotHonour},
		{memory.CardSuspectedFraud, payments.StatusFailed, payments.DeclineSuspectedFraud},
		{memory.CardExpired, payments.StatusFailed, payments.DeclineExpiredCard},
		{memory.CardInvalid, payments.StatusFailed, payments.DeclineInvalidCard},
		{memory.CardLimitExceeded, payments.StatusFailed, payments.DeclineLimitExceeded},
		{memory.CardDeclined, payments.StatusFailed, payments.DeclineGeneric},
		{"4111111111111111", payments.StatusFailed, payments.DeclineGeneric},
		{"5555555555554444", payments.StatusFailed, payments.DeclineGeneric},
	}
	g := memory.New(memory.Config{})
	for i, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			p, err := g.Authorize(ctx, request(fmt.Sprintf("card-%d", i), card(tt.number)))
			if p == nil || p.Status != tt.status {
				t.Fatalf("status = %v (err %v), want %s", p, err, tt.status)
			}
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, payments.ErrDeclined) {
				t.Fatalf("err = %v, want ErrDeclined", err)
			}
			var pe *payments.Error
			if !errors.As(err, &pe) || pe.Decline.Reason != tt.reason || p.Decline.Reason != tt.reason {
				t.Errorf("reason = %+v / %+v, want %s", pe, p.Decline, tt.reason)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	g := memory.New(memory.Config{})
	tests := []struct {
		name    string
		method  payments.PaymentMethod
		capture bool
		status  payments.Status
		action  payments.ActionType
		err     error
	}{
		{"hosted page", payments.HostedPage{}, true, payments.StatusRequiresAction, payments.ActionRedirect, nil},
		{"provider method", payments.ProviderMethod{ID: "ideal"}, false, payments.StatusRequiresAction, payments.ActionRedirect, nil},
		{"apple pay", payments.ApplePay{Token: "tok"}, true, payments.StatusCaptured, "", nil},
		{"google pay declined", &payments.GooglePay{Token: "decline-me"}, false, payments.StatusFailed, "", payments.ErrDeclined},
		{"prepayment", payments.Invoice{Type: payments.InvoicePrepayment}, true, payments.StatusPending, payments.ActionDisplay, nil},
		{"pay upon invoice", payments.Invoice{Type: payments.InvoicePayUponInvoice}, false, payments.StatusAuthorized, payments.ActionDisplay, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("m-"+tt.name, tt.method)
			req.Capture = tt.capture
			p, err := g.Authorize(ctx, req)
			if tt.err != nil && !errors.Is(err, tt.err) || tt.err == nil && err != nil {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if p.Status != tt.status {
				t.Fatalf("status %s, want %s", p.Status, tt.status)
			}
			if tt.action == "" && p.Action != nil || tt.action != "" && (p.Action == nil || p.Action.Type != tt.action) {
				t.Fatalf("action %+v, want type %q", p.Action, tt.action)
			}
		})
	}
}

func TestCompleteAction(t *testing.T) {
	g := memory.New(memory.Config{})
	tests := []struct {
		name    string
		number  string
		capture bool
		approve bool
		want    payments.Status
		reason  payments.DeclineReason
	}{
		{"approve auth", memory.CardThreeDS, false, true, payments.StatusAuthorized, ""},
		{"approve sale", memory.CardThreeDS, true, true, payments.StatusCaptured, ""},
		{"refuse", memory.CardThreeDS, true, false, payments.StatusFailed, payments.DeclineAuthenticationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := authorize(t, g, "ca-"+tt.name, tt.number, tt.capture)
			got, err := g.CompleteAction(p.ID, tt.approve)
			if err != nil || got.Status != tt.want || got.Action != nil {
				t.Fatalf("CompleteAction = %+v, %v; want %s", got, err, tt.want)
			}
			if tt.reason != "" && (got.Decline == nil || got.Decline.Reason != tt.reason) {
				t.Errorf("decline %+v, want %s", got.Decline, tt.reason)
			}
			if _, err := g.CompleteAction(p.ID, true); !errors.Is(err, payments.ErrInvalidState) {
				t.Errorf("a second CompleteAction: %v, want ErrInvalidState", err)
			}
		})
	}
	if _, err := g.CompleteAction("nope", true); !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestCaptureAndRefundRules(t *testing.T) {
	g := memory.New(memory.Config{})
	p := authorize(t, g, "rules", memory.CardApproved, false) // 100.00 EUR

	steps := []struct {
		name     string
		do       func() error
		err      error
		status   payments.Status
		captured string
		refunded string
	}{
		{"refund before capture", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
			return err
		}, payments.ErrInvalidState, payments.StatusAuthorized, "0", "0"},
		{"capture above authorized", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "100.01")})
			return err
		}, payments.ErrInvalidState, payments.StatusAuthorized, "0", "0"},
		{"capture 30", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "30.00")})
			return err
		}, nil, payments.StatusPartiallyCaptured, "30", "0"},
		{"capture 70.01 exceeds the remaining 70", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "70.01")})
			return err
		}, payments.ErrInvalidState, payments.StatusPartiallyCaptured, "30", "0"},
		{"cancel after a capture", func() error {
			_, err := g.Cancel(ctx, &payments.CancelRequest{ID: p.ID})
			return err
		}, payments.ErrInvalidState, payments.StatusPartiallyCaptured, "30", "0"},
		{"capture in another currency", func() error {
			usd, _ := payments.ParseMoney("1", "USD")
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &usd})
			return err
		}, payments.ErrInvalidRequest, payments.StatusPartiallyCaptured, "30", "0"},
		{"capture the rest", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
			return err
		}, nil, payments.StatusCaptured, "100", "0"},
		{"capture again", func() error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "0.01")})
			return err
		}, payments.ErrInvalidState, payments.StatusCaptured, "100", "0"},
		{"refund 40", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "40")})
			return err
		}, nil, payments.StatusPartiallyRefunded, "100", "40"},
		{"refund 60.01 exceeds the refundable 60", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "60.01")})
			return err
		}, payments.ErrInvalidState, payments.StatusPartiallyRefunded, "100", "40"},
		{"refund 0.01", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "0.01")})
			return err
		}, nil, payments.StatusPartiallyRefunded, "100", "40.01"},
		{"refund the rest", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
			return err
		}, nil, payments.StatusRefunded, "100", "100"},
		{"refund again", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
			return err
		}, payments.ErrInvalidState, payments.StatusRefunded, "100", "100"},
	}
	for _, s := range steps {
		err := s.do()
		if s.err == nil && err != nil || s.err != nil && !errors.Is(err, s.err) {
			t.Fatalf("%s: err %v, want %v", s.name, err, s.err)
		}
		got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != s.status || !got.Captured.Equal(money(t, s.captured)) || !got.Refunded.Equal(money(t, s.refunded)) {
			t.Fatalf("%s: %s captured %s refunded %s; want %s %s %s", s.name, got.Status, got.Captured, got.Refunded, s.status, s.captured, s.refunded)
		}
	}
	refunds, err := g.Refunds(p.ID)
	if err != nil || len(refunds) != 3 {
		t.Fatalf("Refunds = %v, %v; want 3", refunds, err)
	}
}

func TestCancel(t *testing.T) {
	g := memory.New(memory.Config{})
	for _, tc := range []struct {
		name   string
		number string
		sale   bool
		err    error
	}{
		{"authorized", memory.CardApproved, false, nil},
		{"waiting for 3DS", memory.CardThreeDS, false, nil},
		{"captured", memory.CardApproved, true, payments.ErrInvalidState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := authorize(t, g, "cancel-"+tc.name, tc.number, tc.sale)
			c, err := g.Cancel(ctx, &payments.CancelRequest{ID: p.ID})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || c.Status != payments.StatusCanceled {
				t.Fatalf("Cancel = %v, %v", c, err)
			}
			if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID}); !errors.Is(err, payments.ErrInvalidState) {
				t.Errorf("capture after cancel: %v", err)
			}
		})
	}
}

func TestIdempotencyKeys(t *testing.T) {
	g := memory.New(memory.Config{})
	p := authorize(t, g, "idem", memory.CardApproved, false)
	half := moneyPtr(t, "50")
	for i := 0; i < 3; i++ {
		c, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: half, IdempotencyKey: "cap-1"})
		if err != nil || !c.Captured.Equal(*half) {
			t.Fatalf("capture attempt %d: %v, %v", i, c, err)
		}
	}
	for i := 0; i < 3; i++ {
		r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "10"), IdempotencyKey: "ref-1"})
		if err != nil || r.ID != "mem_refund_000001" {
			t.Fatalf("refund attempt %d: %+v, %v", i, r, err)
		}
	}
	got, _ := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if !got.Captured.Equal(money(t, "50")) || !got.Refunded.Equal(money(t, "10")) {
		t.Errorf("after retries: captured %s refunded %s, want 50 and 10", got.Captured, got.Refunded)
	}
	other := authorize(t, g, "idem-2", memory.CardApproved, false)
	if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: other.ID, IdempotencyKey: "cap-1"}); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("a key reused for another payment: %v, want ErrInvalidRequest", err)
	}
}

// TestIdempotencyKeyContent: a key repeated with the same content replays
// the first answer; repeated with different content (amount, payment,
// reason, call) it is ErrInvalidRequest naming idempotency_key, and nothing
// is done.
func TestIdempotencyKeyContent(t *testing.T) {
	type call func(t *testing.T, g *memory.Gateway, a, b string) (any, error)
	capture := func(amount string) call {
		return func(t *testing.T, g *memory.Gateway, a, _ string) (any, error) {
			req := &payments.CaptureRequest{ID: a, IdempotencyKey: "k"}
			if amount != "" {
				req.Amount = moneyPtr(t, amount)
			}
			return g.Capture(ctx, req)
		}
	}
	captureOther := func(t *testing.T, g *memory.Gateway, _, b string) (any, error) {
		return g.Capture(ctx, &payments.CaptureRequest{ID: b, Amount: moneyPtr(t, "50"), IdempotencyKey: "k"})
	}
	cancel := func(t *testing.T, g *memory.Gateway, a, _ string) (any, error) {
		return g.Cancel(ctx, &payments.CancelRequest{ID: a, IdempotencyKey: "k"})
	}
	cancelOther := func(t *testing.T, g *memory.Gateway, _, b string) (any, error) {
		return g.Cancel(ctx, &payments.CancelRequest{ID: b, IdempotencyKey: "k"})
	}
	refund := func(amount, reason string) call {
		return func(t *testing.T, g *memory.Gateway, a, _ string) (any, error) {
			req := &payments.RefundRequest{ID: a, Reason: reason, IdempotencyKey: "k"}
			if amount != "" {
				req.Amount = moneyPtr(t, amount)
			}
			return g.Refund(ctx, req)
		}
	}
	tests := []struct {
		name          string
		captured      bool // the payments start captured (for refunds)
		first, second call
		refused       bool
	}{
		{"capture, same amount", false, capture("50"), capture("50.00"), false},
		{"capture, other amount", false, capture("50"), capture("60"), true},
		{"capture, whole then part", false, capture(""), capture("50"), true},
		{"capture, part then whole", false, capture("50"), capture(""), true},
		{"capture, whole twice", false, capture(""), capture(""), false},
		{"capture, other payment", false, capture("50"), captureOther, true},
		{"failed capture, same amount", false, capture("500"), capture("500"), false},
		{"failed capture, then a valid amount", false, capture("500"), capture("50"), true},
		{"cancel, same payment", false, cancel, cancel, false},
		{"cancel, other payment", false, cancel, cancelOther, true},
		{"capture key reused to cancel", false, capture("50"), cancel, true},
		{"cancel key reused to capture", false, cancel, capture("50"), true},
		{"refund, same amount and reason", true, refund("10", "r"), refund("10.0", "r"), false},
		{"refund, other amount", true, refund("10", "r"), refund("20", "r"), true},
		{"refund, other reason", true, refund("10", "r"), refund("10", "other"), true},
		{"refund, whole then part", true, refund("", ""), refund("10", ""), true},
		{"capture key reused to refund", false, capture(""), refund("10", ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := memory.New(memory.Config{})
			a := authorize(t, g, "a", memory.CardApproved, tt.captured).ID
			b := authorize(t, g, "b", memory.CardApproved, tt.captured).ID
			firstAnswer, firstErr := tt.first(t, g, a, b)
			before := snapshot(t, g, a, b)

			answer, err := tt.second(t, g, a, b)
			if tt.refused {
				var pe *payments.Error
				if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || pe.Field != "idempotency_key" {
					t.Fatalf("second call: (%+v, %v), want an InvalidRequest error naming idempotency_key", answer, err)
				}
			} else {
				if fmt.Sprint(err) != fmt.Sprint(firstErr) || fmt.Sprintf("%+v", answer) != fmt.Sprintf("%+v", firstAnswer) {
					t.Fatalf("second call: (%+v, %v), want the first answer again: (%+v, %v)", answer, err, firstAnswer, firstErr)
				}
			}
			if after := snapshot(t, g, a, b); after != before {
				t.Errorf("the second call acted:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshot describes the payments' state and refunds.
func snapshot(t *testing.T, g *memory.Gateway, ids ...string) string {
	t.Helper()
	out := ""
	for _, id := range ids {
		p, err := g.Status(ctx, &payments.StatusRequest{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := g.Refunds(id)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s %s captured %s refunded %s refunds %d; ", id, p.Status, p.Captured, p.Refunded, len(rs))
	}
	return out
}

func TestValidationComesFirst(t *testing.T) {
	g := memory.New(memory.Config{})
	bad := request("", card(memory.CardApproved))
	if _, err := g.Authorize(ctx, bad); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("missing reference: %v", err)
	}
	if _, err := g.Authorize(ctx, nil); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("nil: %v", err)
	}
	if _, err := g.Status(ctx, &payments.StatusRequest{}); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("empty status request: %v", err)
	}
	// Nothing was stored: the reference is still free.
	if _, err := g.Status(ctx, &payments.StatusRequest{Reference: "x"}); !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("unknown reference: %v", err)
	}
}

func TestLookupAndDuplicates(t *testing.T) {
	g := memory.New(memory.Config{})
	p := authorize(t, g, "order-1", memory.CardApproved, true)
	got, err := g.Status(ctx, &payments.StatusRequest{Reference: "order-1"})
	if err != nil || got.ID != p.ID {
		t.Fatalf("by reference: %v, %v", got, err)
	}
	if _, err := g.Authorize(ctx, request("order-1", card(memory.CardApproved))); !errors.Is(err, payments.ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	// A declined payment uses its reference too.
	_, _ = g.Authorize(ctx, request("order-2", card(memory.CardDeclined)))
	if _, err := g.Authorize(ctx, request("order-2", card(memory.CardApproved))); !errors.Is(err, payments.ErrDuplicate) {
		t.Errorf("duplicate after decline: %v", err)
	}
}

func TestReturnedPaymentsAreCopies(t *testing.T) {
	g := memory.New(memory.Config{})
	p := authorize(t, g, "copy", memory.CardThreeDS, false)
	p.Action.Fields["creq"] = "changed"
	p.Status = payments.StatusCaptured
	got, _ := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if got.Status != payments.StatusRequiresAction || got.Action.Fields["creq"] == "changed" {
		t.Errorf("the stored payment changed through a returned copy: %+v", got)
	}
}

func TestExpireAndChargeback(t *testing.T) {
	g := memory.New(memory.Config{})
	a := authorize(t, g, "exp", memory.CardApproved, false)
	if p, err := g.Expire(a.ID); err != nil || p.Status != payments.StatusExpired {
		t.Errorf("Expire = %v, %v", p, err)
	}
	s := authorize(t, g, "cb", memory.CardApproved, true)
	if _, err := g.Expire(s.ID); !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("expire a sale: %v", err)
	}
	if p, err := g.Chargeback(s.ID); err != nil || p.Status != payments.StatusChargeback {
		t.Errorf("Chargeback = %v, %v", p, err)
	}
	if _, err := g.Chargeback(a.ID); !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("chargeback of an expired payment: %v", err)
	}
}

func TestNotifications(t *testing.T) {
	g := memory.New(memory.Config{Secret: "s3cret"})
	p := authorize(t, g, "notify", memory.CardApproved, true)

	valid := func() *http.Request {
		r, err := g.NotificationRequest(p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	n, err := g.Notify(ctx, valid())
	if err != nil || n.Verified != payments.VerifiedSignature || n.Payment.ID != p.ID || n.Payment.Status != payments.StatusCaptured || !n.Payment.Amount.Equal(p.Amount) {
		t.Fatalf("Notify(valid) = %+v, %v", n, err)
	}

	tamper := func(f func(r *http.Request, body []byte) []byte) *http.Request {
		r := valid()
		body, _ := io.ReadAll(r.Body)
		body = f(r, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		return r
	}
	other := memory.New(memory.Config{Secret: "other"})
	ghost := authorize(t, other, "ghost", memory.CardApproved, true)
	tests := []struct {
		name string
		r    *http.Request
		want error
	}{
		{"no signature", tamper(func(r *http.Request, b []byte) []byte { r.Header.Del(memory.SignatureHeader); return b }), payments.ErrUnverified},
		{"not hex", tamper(func(r *http.Request, b []byte) []byte { r.Header.Set(memory.SignatureHeader, "sha256=zz"); return b }), payments.ErrUnverified},
		{"no prefix", tamper(func(r *http.Request, b []byte) []byte {
			r.Header.Set(memory.SignatureHeader, r.Header.Get(memory.SignatureHeader)[len("sha256="):])
			return b
		}), payments.ErrUnverified},
		{"body changed", tamper(func(r *http.Request, b []byte) []byte {
			return bytes.Replace(b, []byte("captured"), []byte("refunded"), 1)
		}), payments.ErrUnverified},
		{"signed by another secret", func() *http.Request { r, _ := other.NotificationRequest(ghost); return r }(), payments.ErrUnverified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := g.Notify(ctx, tt.r)
			if !errors.Is(err, tt.want) || n != nil {
				t.Errorf("Notify = %v, %v; want %v", n, err, tt.want)
			}
		})
	}

	// A validly signed notification about a payment this gateway does not know.
	g2 := memory.New(memory.Config{Secret: "s3cret"})
	if _, err := g2.Notify(ctx, valid()); !errors.Is(err, payments.ErrUnverified) {
		t.Errorf("unknown payment: %v", err)
	}

	// Through the handler users mount.
	rec := httptest.NewRecorder()
	payments.NotificationHandler(g, nil).ServeHTTP(rec, valid())
	if rec.Code != http.StatusOK {
		t.Errorf("handler: %d", rec.Code)
	}
}

// TestConcurrentUse runs every operation from many goroutines; run it with
// -race.
func TestConcurrentUse(t *testing.T) {
	g := memory.New(memory.Config{})
	const workers = 16
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				ref := fmt.Sprintf("w%d-%d", w, i)
				req := request(ref, card(memory.CardApproved))
				req.Amount = money(t, "10.00")
				p, err := g.Authorize(ctx, req)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "4.00"), IdempotencyKey: ref}); err != nil {
					t.Error(err)
				}
				if _, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "1.00")}); err != nil {
					t.Error(err)
				}
				if _, err := g.Status(ctx, &payments.StatusRequest{Reference: ref}); err != nil {
					t.Error(err)
				}
				r, err := g.NotificationRequest(p)
				if err != nil {
					t.Error(err)
					continue
				}
				if _, err := g.Notify(ctx, r); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	// Everyone races for the same capture budget of one payment.
	shared := authorize(t, g, "shared", memory.CardApproved, false) // 100.00
	var captured sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 150; i++ {
		captured.Add(1)
		go func() {
			defer captured.Done()
			if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: shared.ID, Amount: moneyPtr(t, "1.00")}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	captured.Wait()
	if ok != 100 {
		t.Errorf("%d captures of 1.00 succeeded on a 100.00 authorization, want exactly 100", ok)
	}
}

// TestNotificationReplay: a validly signed notification replayed after the
// payment moved on (canceled; captured further) does not report the old
// state through the plain handler: the gateway reports its current one.
func TestNotificationReplay(t *testing.T) {
	g := memory.New(memory.Config{})
	record := func(p *payments.Payment) func() *http.Request {
		r, err := g.NotificationRequest(p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		return func() *http.Request {
			c := r.Clone(ctx)
			c.Body = io.NopCloser(bytes.NewReader(body))
			return c
		}
	}
	var got []*payments.Payment
	h := payments.NotificationHandler(g, func(_ context.Context, n *payments.Notification) error {
		got = append(got, n.Payment)
		return nil
	})
	serve := func(r *http.Request) *payments.Payment {
		t.Helper()
		got = nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || len(got) != 1 {
			t.Fatalf("handler answered %d, %d notifications", rec.Code, len(got))
		}
		return got[0]
	}

	a := authorize(t, g, "replay-cancel", memory.CardApproved, false)
	authorized := record(a)
	if p := serve(authorized()); p.Status != payments.StatusAuthorized {
		t.Fatalf("fresh notification: %s", p.Status)
	}
	if _, err := g.Cancel(ctx, &payments.CancelRequest{ID: a.ID}); err != nil {
		t.Fatal(err)
	}
	if p := serve(authorized()); p.Status != payments.StatusCanceled {
		t.Errorf("authorization replayed after the cancel reported %s, want canceled", p.Status)
	}

	b := authorize(t, g, "replay-capture", memory.CardApproved, false)
	three, five := money(t, "3.00"), money(t, "5.00")
	if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: b.ID, Amount: &three}); err != nil {
		t.Fatal(err)
	}
	first := record(b)
	if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: b.ID, Amount: &five}); err != nil {
		t.Fatal(err)
	}
	cur, err := g.Status(ctx, &payments.StatusRequest{ID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if p := serve(first()); p.Status != cur.Status || !p.Captured.Equal(cur.Captured) {
		t.Errorf("first capture's notification replayed: %s captured %s, want %s captured %s", p.Status, p.Captured, cur.Status, cur.Captured)
	}
}
