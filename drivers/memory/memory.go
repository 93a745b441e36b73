// Package memory is an in-process payments.Gateway: every flow and
// capability of the library, with no network, no credentials and
// deterministic outcomes chosen by the card number. Use it in your own unit
// tests wherever your code takes a payments.Gateway, and as the reference
// driver that the conformance suite is checked against.
//
// # Test cards
//
//	4012000000003010  approved (authorized, or captured when Capture is true)
//	4003830171874018  needs 3-D Secure: StatusRequiresAction with a form_post
//	                  Action; finish it with Gateway.CompleteAction
//
// Every other card number (it must still pass the Luhn check, or Authorize
// fails with ErrInvalidRequest) is declined: Authorize returns the Payment in
// StatusFailed together with an ErrDeclined error. The last four digits
// choose the reason, whatever the rest of the number:
//
//	…9995  insufficient_funds     e.g. 4000000000009995
//	…0119  do_not_honour          e.g. 4000000000000119
//	…9979  suspected_fraud        e.g. 4000000000009979
//	…0069  expired_card           e.g. 4000000000000069
//	…0127  invalid_card           e.g. 4000000000000127
//	…6975  limit_exceeded         e.g. 4000000000006975
//	other  generic                e.g. 4000000000000002, 4111111111111111
//
// # Other methods
//
//   - HostedPage and ProviderMethod: StatusRequiresAction with a redirect
//     Action; CompleteAction approves or refuses it.
//   - ApplePay and GooglePay: approved, unless the token starts with
//     "decline", which is declined with DeclineGeneric.
//   - Invoice: prepayment is StatusPending with a display Action (the
//     reference to quote and the bank details) until CompleteAction(id,
//     true) records the transfer; pay-upon-invoice is approved at once and
//     its Action carries the invoice reference.
//
// # Money rules
//
// Captures may be partial and repeated while the sum stays within the
// authorized amount; refunds may be partial and repeated while their sum
// stays within the captured amount. Breaking either rule, or capturing a
// canceled payment, is ErrInvalidState.
//
// # Idempotency keys
//
// One IdempotencyKey names one request, whichever call it was first used
// with. A CaptureRequest, CancelRequest or RefundRequest that repeats a key
// with the same content (the same call, payment ID and Amount, and for a
// refund the same Reason) returns the first answer again without acting
// twice. A key reused with different content (another amount, a full
// capture after a partial one, another payment, a refund under a capture's
// key) is ErrInvalidRequest naming the field "idempotency_key", and
// nothing is done: the memory gateway refuses rather than replay an answer
// to a request that was not the one made.
//
// # Notifications
//
// [Gateway.NotificationRequest] builds the webhook the "provider" would
// send about a payment: a JSON body signed with HMAC-SHA256 under the
// gateway's secret, in the header "X-Memory-Signature: sha256=<hex>".
// [Gateway.Notify] verifies the signature in constant time and parses the
// body; a bad signature, or a payment the gateway does not know, is
// ErrUnverified. A notification about an older state than the payment's
// current one (late, or replayed) is reported with the current state: it
// never moves a payment back.
//
// A Gateway is safe for concurrent use. Every request is validated with the
// root package's Validate methods before anything else.
package memory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// Name is the driver name: Gateway.Name and Payment.Provider.
const Name = "memory"

// The documented test cards.
const (
	// CardApproved is approved.
	CardApproved = "4012000000003010"
	// CardThreeDS needs a 3-D Secure challenge.
	CardThreeDS = "4003830171874018"
	// CardInsufficientFunds is declined with DeclineInsufficientFunds.
	CardInsufficientFunds = "4000000000009995"
	// CardDoNotHonour is declined with DeclineDoNotHonour.
	CardDoNotHonour = "4000000000000119"
	// CardSuspectedFraud is declined with DeclineSuspectedFraud.
	CardSuspectedFraud = "4000000000009979"
	// CardExpired is declined with DeclineExpiredCard.
	CardExpired = "4000000000000069"
	// CardInvalid is declined with DeclineInvalidCard.
	CardInvalid = "4000000000000127"
	// CardLimitExceeded is declined with DeclineLimitExceeded.
	CardLimitExceeded = "4000000000006975"
	// CardDeclined is declined with DeclineGeneric.
	CardDeclined = "4000000000000002"
)

// declineByLast4 maps a declined card's last four digits to its reason.
var declineByLast4 = map[string]payments.DeclineReason{
	"9995": payments.DeclineInsufficientFunds,
	"0119": payments.DeclineDoNotHonour,
	"9979": payments.DeclineSuspectedFraud,
	"0069": payments.DeclineExpiredCard,
	"0127": payments.DeclineInvalidCard,
	"6975": payments.DeclineLimitExceeded,
}

// SignatureHeader carries a notification's signature: "sha256=" followed by
// the lower-case hex HMAC-SHA256 of the raw body under the gateway secret.
const SignatureHeader = "X-Memory-Signature"

// DefaultSecret is the notification signing secret when Config.Secret is
// empty.
const DefaultSecret = "memory-notification-secret"

// DefaultNotificationURL is where NotificationRequest posts when neither the
// payment's ReturnURLs.Notification nor Config.NotificationURL is set.
const DefaultNotificationURL = "http://localhost/payments/notify"

// maxNotificationBytes caps a notification body Notify reads.
const maxNotificationBytes = 1 << 20

// Config configures a Gateway. Every field is optional: the zero Config is
// a working gateway.
type Config struct {
	// Secret signs and verifies notifications (default DefaultSecret).
	Secret payments.Secret
	// NotificationURL is where NotificationRequest posts when the payment
	// has no ReturnURLs.Notification (default DefaultNotificationURL).
	NotificationURL string
	// Clock replaces time.Now for Created and Updated, for tests that
	// compare timestamps.
	Clock func() time.Time
}

// Gateway is the in-memory payments.Gateway. Build it with New; the zero
// value is not usable.
type Gateway struct {
	secret    []byte
	now       func() time.Time
	notifyURL string

	mu      sync.Mutex
	seq     int
	byID    map[string]*record
	byRef   map[string]string // reference -> id
	idem    map[string]idemResult
	refundN int
}

// record is one payment's state.
type record struct {
	p          payments.Payment
	method     payments.MethodKind
	capture    bool // the request asked for a one-step sale
	notifyURL  string
	refunds    []payments.Refund
	invoiceTyp payments.InvoiceType
}

// idemResult is the first answer to a request made with an idempotency key,
// and the request it answered.
type idemResult struct {
	req     idemRequest
	payment *payments.Payment
	refund  *payments.Refund
	err     error
}

// idemRequest is the content of a request made with an idempotency key: a
// request that reuses the key must have the same content.
type idemRequest struct {
	op     string // "capture", "cancel" or "refund"
	id     string
	amount *payments.Money // nil: the whole remaining amount
	reason string
}

// differs says how o differs from r, the request first made with the key
// ("amount 50.00 EUR, now 60.00 EUR"), or returns "" when it does not.
// Amounts compare by value and currency (10.5 EUR is 10.50 EUR).
func (r idemRequest) differs(o idemRequest) string {
	switch {
	case r.op != o.op:
		return fmt.Sprintf("a %s, now a %s", r.op, o.op)
	case r.id != o.id:
		return fmt.Sprintf("payment %s, now %s", r.id, o.id)
	case (r.amount == nil) != (o.amount == nil),
		r.amount != nil && !(r.amount.Equal(*o.amount) && r.amount.Currency == o.amount.Currency):
		return fmt.Sprintf("amount %s, now %s", describeAmount(r.amount), describeAmount(o.amount))
	case r.reason != o.reason:
		return fmt.Sprintf("reason %q, now %q", r.reason, o.reason)
	}
	return ""
}

func describeAmount(m *payments.Money) string {
	if m == nil {
		return "none (the whole remaining amount)"
	}
	return m.String()
}

var _ payments.Gateway = (*Gateway)(nil)

// New returns an empty in-memory gateway configured by cfg. Like every
// driver it is built from a Config; unlike the network drivers nothing in
// cfg can be invalid, so New returns no error.
func New(cfg Config) *Gateway {
	g := &Gateway{
		secret:    []byte(DefaultSecret),
		now:       time.Now,
		notifyURL: DefaultNotificationURL,
		byID:      map[string]*record{},
		byRef:     map[string]string{},
		idem:      map[string]idemResult{},
	}
	if cfg.Secret != "" {
		g.secret = []byte(cfg.Secret)
	}
	if cfg.NotificationURL != "" {
		g.notifyURL = cfg.NotificationURL
	}
	if cfg.Clock != nil {
		g.now = cfg.Clock
	}
	return g
}

// Name returns "memory".
func (g *Gateway) Name() string { return Name }

// Capabilities claims everything but payouts; notifications are verified by
// signature.
func (g *Gateway) Capabilities() payments.Capabilities {
	return payments.Capabilities{
		Methods: []payments.MethodKind{
			payments.KindCard, payments.KindHostedPage, payments.KindApplePay,
			payments.KindGooglePay, payments.KindInvoice, payments.KindProviderMethod,
		},
		TwoStep:                 true,
		Cancel:                  true,
		PartialCapture:          true,
		MultipleCaptures:        true,
		Refund:                  true,
		PartialRefund:           true,
		MultipleRefunds:         true,
		ThreeDS:                 true,
		LookupByReference:       true,
		RefundsInStatus:         true, // Status reports Refunded and the status moves with refunds
		IdempotentModifications: true,
		Notifications:           payments.VerifiedSignature,
	}
}

func (g *Gateway) errorf(code payments.Code, format string, args ...any) *payments.Error {
	return &payments.Error{Code: code, Provider: Name, Message: fmt.Sprintf(format, args...)}
}

// Authorize starts a payment; the outcome depends on the method and, for
// cards, on the number (see the package documentation).
func (g *Gateway) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &payments.Error{Code: payments.Unavailable, Provider: Name, Message: "context done before the request", Err: err}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if id, dup := g.byRef[req.Reference]; dup {
		return nil, &payments.Error{Code: payments.Duplicate, Provider: Name, Message: fmt.Sprintf("reference %q is already used by payment %s", req.Reference, id)}
	}
	g.seq++
	now := g.now()
	id := fmt.Sprintf("mem_%06d", g.seq)
	zero := req.Amount.Zero()
	rec := &record{
		p: payments.Payment{
			ID: id, Reference: req.Reference, Provider: Name,
			Amount: req.Amount, Captured: zero, Refunded: zero,
			Created: now, Updated: now,
		},
		method:    req.Method.Kind(),
		capture:   req.Capture,
		notifyURL: req.ReturnURLs.Notification,
	}
	var decline *payments.Decline
	switch req.Method.Kind() {
	case payments.KindCard:
		card, _ := payments.MethodAs[payments.Card](req.Method)
		switch card.Number.Digits() {
		case CardApproved:
			rec.approve()
		case CardThreeDS:
			rec.p.Status = payments.StatusRequiresAction
			rec.p.Action = &payments.Action{
				Type:   payments.ActionFormPost,
				URL:    "https://acs.memory.invalid/3ds/challenge",
				Method: http.MethodPost,
				Fields: map[string]string{"creq": "memory-creq-" + id, "threeDSSessionData": id},
			}
		default:
			reason, ok := declineByLast4[card.Number.Last4()]
			if !ok {
				reason = payments.DeclineGeneric
			}
			decline = &payments.Decline{Reason: reason, Code: string(reason), Message: "declined by the memory gateway's test card " + card.Number.String()}
		}
	case payments.KindApplePay, payments.KindGooglePay:
		var token payments.WalletToken
		if m, ok := payments.MethodAs[payments.ApplePay](req.Method); ok {
			token = m.Token
		} else if m, ok := payments.MethodAs[payments.GooglePay](req.Method); ok {
			token = m.Token
		}
		if strings.HasPrefix(string(token), "decline") {
			decline = &payments.Decline{Reason: payments.DeclineGeneric, Code: "wallet_declined", Message: "declined by the memory gateway's test token"}
		} else {
			rec.approve()
		}
	case payments.KindHostedPage:
		rec.p.Status = payments.StatusRequiresAction
		rec.p.Action = &payments.Action{Type: payments.ActionRedirect, URL: "https://pay.memory.invalid/hosted/" + id, Method: http.MethodGet}
	case payments.KindProviderMethod:
		pm, _ := payments.MethodAs[payments.ProviderMethod](req.Method)
		rec.p.Status = payments.StatusRequiresAction
		rec.p.Action = &payments.Action{Type: payments.ActionRedirect, URL: "https://pay.memory.invalid/method/" + pm.ID + "/" + id, Method: http.MethodGet}
	case payments.KindInvoice:
		inv, _ := payments.MethodAs[payments.Invoice](req.Method)
		rec.invoiceTyp = inv.Type
		action := &payments.Action{Type: payments.ActionDisplay, Reference: "MEM-INV-" + id}
		if inv.Type == payments.InvoicePrepayment {
			rec.p.Status = payments.StatusPending
			action.Details = map[string]string{
				"beneficiary": "Memory Payments Ltd",
				"iban":        "GB33BUKB20201555555555",
				"bic":         "BUKBGB22",
				"amount":      req.Amount.String(),
			}
		} else {
			rec.approve()
		}
		rec.p.Action = action
	default:
		return nil, g.errorf(payments.Unsupported, "payment method %q is not supported", req.Method.Kind())
	}
	if decline != nil {
		rec.p.Status = payments.StatusFailed
		rec.p.Decline = decline
	}
	rec.p.ProviderStatus = rec.p.Status.String()
	g.byID[id] = rec
	g.byRef[req.Reference] = id
	out := rec.snapshot()
	if decline != nil {
		return out, &payments.Error{Code: payments.Declined, Decline: decline, Provider: Name, ProviderCode: decline.Code, Message: decline.Message}
	}
	return out, nil
}

// approve moves a new or waiting payment to Authorized, or Captured in full
// for a one-step sale.
func (r *record) approve() {
	r.p.Action = nil
	if r.capture {
		r.p.Status = payments.StatusCaptured
		r.p.Captured = r.p.Amount
	} else {
		r.p.Status = payments.StatusAuthorized
	}
}

// snapshot returns a deep copy, safe to hand out.
func (r *record) snapshot() *payments.Payment {
	p := r.p
	if r.p.Action != nil {
		a := *r.p.Action
		a.Fields = cloneMap(a.Fields)
		a.Details = cloneMap(a.Details)
		p.Action = &a
	}
	if r.p.Decline != nil {
		d := *r.p.Decline
		p.Decline = &d
	}
	return &p
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (g *Gateway) touch(r *record) {
	r.p.Updated = g.now()
	r.p.ProviderStatus = r.p.Status.String()
}

// lookup returns the payment's record; the caller holds g.mu.
func (g *Gateway) lookup(id string) (*record, error) {
	r, ok := g.byID[id]
	if !ok {
		return nil, g.errorf(payments.NotFound, "no payment %q", id)
	}
	return r, nil
}

// replay returns the stored answer of an earlier request with the same
// idempotency key and content, or an InvalidRequest error naming
// idempotency_key when that request differs from req; the caller holds
// g.mu.
func (g *Gateway) replay(key string, req idemRequest) (idemResult, bool, error) {
	if key == "" {
		return idemResult{}, false, nil
	}
	res, ok := g.idem[key]
	if !ok {
		return idemResult{}, false, nil
	}
	if d := res.req.differs(req); d != "" {
		return idemResult{}, false, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "idempotency_key",
			Message: fmt.Sprintf("idempotency key %q was first used for a different request (%s)", key, d)}
	}
	return res, true, nil
}

func (g *Gateway) remember(key string, res idemResult) {
	if key != "" {
		g.idem[key] = res
	}
}

// clonedAmount copies an optional amount, so that a caller who changes
// their request afterwards does not change what the key remembers.
func clonedAmount(m *payments.Money) *payments.Money {
	if m == nil {
		return nil
	}
	c := *m
	return &c
}

// Capture captures all (Amount nil) or part of what remains authorized.
func (g *Gateway) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ir := idemRequest{op: "capture", id: req.ID, amount: clonedAmount(req.Amount)}
	if res, ok, err := g.replay(req.IdempotencyKey, ir); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return clonePayment(res.payment), res.err
	}
	p, err := g.capture(req)
	g.remember(req.IdempotencyKey, idemResult{req: ir, payment: clonePayment(p), err: err})
	return p, err
}

func (g *Gateway) capture(req *payments.CaptureRequest) (*payments.Payment, error) {
	r, err := g.lookup(req.ID)
	if err != nil {
		return nil, err
	}
	if r.p.Status != payments.StatusAuthorized && r.p.Status != payments.StatusPartiallyCaptured {
		return nil, g.errorf(payments.InvalidState, "payment %s is %s; only an authorized payment can be captured", r.p.ID, r.p.Status)
	}
	remaining, _ := r.p.Amount.Sub(r.p.Captured)
	amount := remaining
	if req.Amount != nil {
		amount = *req.Amount
		c, err := amount.Cmp(remaining)
		if err != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "amount.currency", Message: err.Error()}
		}
		if c > 0 {
			return nil, g.errorf(payments.InvalidState, "capture of %s exceeds the %s still authorized on payment %s", amount, remaining, r.p.ID)
		}
	}
	r.p.Captured, _ = r.p.Captured.Add(amount)
	if r.p.Captured.Equal(r.p.Amount) {
		r.p.Status = payments.StatusCaptured
	} else {
		r.p.Status = payments.StatusPartiallyCaptured
	}
	g.touch(r)
	return r.snapshot(), nil
}

// Cancel releases an authorization with nothing captured, or abandons a
// payment still waiting for the customer.
func (g *Gateway) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ir := idemRequest{op: "cancel", id: req.ID}
	if res, ok, err := g.replay(req.IdempotencyKey, ir); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return clonePayment(res.payment), res.err
	}
	p, err := g.cancel(req)
	g.remember(req.IdempotencyKey, idemResult{req: ir, payment: clonePayment(p), err: err})
	return p, err
}

func (g *Gateway) cancel(req *payments.CancelRequest) (*payments.Payment, error) {
	r, err := g.lookup(req.ID)
	if err != nil {
		return nil, err
	}
	switch r.p.Status {
	case payments.StatusAuthorized, payments.StatusRequiresAction, payments.StatusPending:
	default:
		return nil, g.errorf(payments.InvalidState, "payment %s is %s; only an authorized or waiting payment can be canceled", r.p.ID, r.p.Status)
	}
	r.p.Status = payments.StatusCanceled
	r.p.Action = nil
	g.touch(r)
	return r.snapshot(), nil
}

// Refund returns all (Amount nil) or part of the captured money not yet
// refunded. Refunds succeed at once.
func (g *Gateway) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ir := idemRequest{op: "refund", id: req.ID, amount: clonedAmount(req.Amount), reason: req.Reason}
	if res, ok, err := g.replay(req.IdempotencyKey, ir); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return cloneRefund(res.refund), res.err
	}
	rf, err := g.refund(req)
	g.remember(req.IdempotencyKey, idemResult{req: ir, refund: cloneRefund(rf), err: err})
	return rf, err
}

func (g *Gateway) refund(req *payments.RefundRequest) (*payments.Refund, error) {
	r, err := g.lookup(req.ID)
	if err != nil {
		return nil, err
	}
	if !r.p.Status.Settled() {
		return nil, g.errorf(payments.InvalidState, "payment %s is %s; only captured money can be refunded", r.p.ID, r.p.Status)
	}
	refundable, _ := r.p.Captured.Sub(r.p.Refunded)
	amount := refundable
	if req.Amount != nil {
		amount = *req.Amount
		c, err := amount.Cmp(refundable)
		if err != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "amount.currency", Message: err.Error()}
		}
		if c > 0 {
			return nil, g.errorf(payments.InvalidState, "refund of %s exceeds the %s refundable on payment %s", amount, refundable, r.p.ID)
		}
	}
	r.p.Refunded, _ = r.p.Refunded.Add(amount)
	if r.p.Refunded.Equal(r.p.Captured) {
		r.p.Status = payments.StatusRefunded
	} else {
		r.p.Status = payments.StatusPartiallyRefunded
	}
	g.touch(r)
	g.refundN++
	rf := payments.Refund{
		ID:             fmt.Sprintf("mem_refund_%06d", g.refundN),
		PaymentID:      r.p.ID,
		Status:         payments.RefundSucceeded,
		Amount:         amount,
		ProviderStatus: payments.RefundSucceeded.String(),
	}
	r.refunds = append(r.refunds, rf)
	return cloneRefund(&rf), nil
}

// Status returns the payment by ID, or by Reference when ID is empty.
func (g *Gateway) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	id := req.ID
	if id == "" {
		var ok bool
		if id, ok = g.byRef[req.Reference]; !ok {
			return nil, g.errorf(payments.NotFound, "no payment with reference %q", req.Reference)
		}
	}
	r, err := g.lookup(id)
	if err != nil {
		return nil, err
	}
	return r.snapshot(), nil
}

// Refunds lists a payment's refunds, oldest first.
func (g *Gateway) Refunds(id string) ([]payments.Refund, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.lookup(id)
	if err != nil {
		return nil, err
	}
	return append([]payments.Refund(nil), r.refunds...), nil
}

// CompleteAction acts as the customer on a payment waiting for them
// (StatusRequiresAction, or a Pending prepayment invoice): approve true
// completes the 3-D Secure challenge, hosted page or redirect (or records
// the bank transfer) and the payment becomes Authorized, or Captured for a
// one-step sale; approve false fails it (DeclineAuthenticationFailed after
// a 3-D Secure challenge, DeclineGeneric otherwise). It returns the
// payment's new state.
func (g *Gateway) CompleteAction(id string, approve bool) (*payments.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.lookup(id)
	if err != nil {
		return nil, err
	}
	if r.p.Status != payments.StatusRequiresAction && r.p.Status != payments.StatusPending {
		return nil, g.errorf(payments.InvalidState, "payment %s is %s; nothing waits for the customer", id, r.p.Status)
	}
	if approve {
		r.approve()
	} else {
		reason := payments.DeclineGeneric
		if r.method == payments.KindCard {
			reason = payments.DeclineAuthenticationFailed
		}
		r.p.Action = nil
		r.p.Status = payments.StatusFailed
		r.p.Decline = &payments.Decline{Reason: reason, Code: string(reason), Message: "the customer did not complete the action"}
	}
	g.touch(r)
	return r.snapshot(), nil
}

// Expire ends a payment that is waiting for the customer or authorized but
// not captured, as a provider does when a session or an authorization
// times out.
func (g *Gateway) Expire(id string) (*payments.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.lookup(id)
	if err != nil {
		return nil, err
	}
	switch r.p.Status {
	case payments.StatusRequiresAction, payments.StatusPending, payments.StatusAuthorized:
	default:
		return nil, g.errorf(payments.InvalidState, "payment %s is %s and cannot expire", id, r.p.Status)
	}
	r.p.Status = payments.StatusExpired
	r.p.Action = nil
	g.touch(r)
	return r.snapshot(), nil
}

// Chargeback records that the cardholder disputed a captured payment and
// the funds were taken back.
func (g *Gateway) Chargeback(id string) (*payments.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, err := g.lookup(id)
	if err != nil {
		return nil, err
	}
	if !r.p.Status.Settled() {
		return nil, g.errorf(payments.InvalidState, "payment %s is %s; only captured payments can be charged back", id, r.p.Status)
	}
	r.p.Status = payments.StatusChargeback
	g.touch(r)
	return r.snapshot(), nil
}

func clonePayment(p *payments.Payment) *payments.Payment {
	if p == nil {
		return nil
	}
	r := record{p: *p}
	return r.snapshot()
}

func cloneRefund(r *payments.Refund) *payments.Refund {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}

// notification is the signed webhook body.
type notification struct {
	Type    string       `json:"type"`
	Payment wirePayment  `json:"payment"`
	Refunds []wireRefund `json:"refunds,omitempty"`
}

type wirePayment struct {
	ID        string            `json:"id"`
	Reference string            `json:"reference"`
	Status    payments.Status   `json:"status"`
	Amount    payments.Money    `json:"amount"`
	Captured  payments.Money    `json:"captured"`
	Refunded  payments.Money    `json:"refunded"`
	Decline   *payments.Decline `json:"decline,omitempty"`
}

type wireRefund struct {
	ID     string                `json:"id"`
	Status payments.RefundStatus `json:"status"`
	Amount payments.Money        `json:"amount"`
}

// NotificationRequest returns the signed webhook the gateway would send
// about payment p in its current state: a POST of a JSON body to the
// payment's ReturnURLs.Notification (or Config.NotificationURL),
// with the signature in SignatureHeader. Serve it to your handler (for
// instance one built with payments.NotificationHandler) to test it.
func (g *Gateway) NotificationRequest(p *payments.Payment) (*http.Request, error) {
	if p == nil || p.ID == "" {
		return nil, g.errorf(payments.InvalidRequest, "a payment with an ID is required")
	}
	g.mu.Lock()
	r, err := g.lookup(p.ID)
	if err != nil {
		g.mu.Unlock()
		return nil, err
	}
	n := notification{Type: string(payments.NotificationPayment), Payment: wirePayment{
		ID: r.p.ID, Reference: r.p.Reference, Status: r.p.Status,
		Amount: r.p.Amount, Captured: r.p.Captured, Refunded: r.p.Refunded,
		Decline: r.snapshot().Decline,
	}}
	for _, rf := range r.refunds {
		n.Refunds = append(n.Refunds, wireRefund{ID: rf.ID, Status: rf.Status, Amount: rf.Amount})
	}
	target := r.notifyURL
	g.mu.Unlock()
	if target == "" {
		target = g.notifyURL
	}
	body, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, "sha256="+hex.EncodeToString(g.sign(body)))
	return req, nil
}

func (g *Gateway) sign(body []byte) []byte {
	m := hmac.New(sha256.New, g.secret)
	m.Write(body)
	return m.Sum(nil)
}

// Notify verifies a notification's signature (HMAC-SHA256 of the raw body,
// compared in constant time) and parses it. A missing or wrong signature,
// or a payment this gateway does not know, is ErrUnverified; a signed body
// that does not parse is ErrInvalidRequest.
//
// Replays: a signature proves the gateway sent the body once, not that its
// state is still current. A notification describes a state the payment had;
// when the payment has moved on since (a late delivery, or the same request
// replayed after a Cancel or a further Capture or Refund), Notify reports
// the payment's current state instead, so that a notification handled
// without a payments.Router never takes a payment back either. Raw is the
// body as received.
func (g *Gateway) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if r == nil || r.Body == nil {
		return nil, g.errorf(payments.InvalidRequest, "no notification request")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBytes+1))
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "reading the notification", Err: err}
	}
	if len(body) > maxNotificationBytes {
		return nil, g.errorf(payments.InvalidRequest, "notification larger than %d bytes", maxNotificationBytes)
	}
	sig, ok := strings.CutPrefix(r.Header.Get(SignatureHeader), "sha256=")
	got, decErr := hex.DecodeString(sig)
	if !ok || decErr != nil || !hmac.Equal(got, g.sign(body)) {
		return nil, g.errorf(payments.Unverified, "bad or missing %s signature", SignatureHeader)
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notification body is not valid JSON", Err: err}
	}
	if n.Type != string(payments.NotificationPayment) || n.Payment.ID == "" {
		return nil, g.errorf(payments.InvalidRequest, "notification of type %q without a payment", n.Type)
	}
	g.mu.Lock()
	rec, known := g.byID[n.Payment.ID]
	var base payments.Payment
	if known {
		base = *rec.snapshot()
	}
	g.mu.Unlock()
	if !known {
		return nil, g.errorf(payments.Unverified, "notification about unknown payment %q", n.Payment.ID)
	}
	p := &payments.Payment{
		ID: n.Payment.ID, Reference: n.Payment.Reference, Provider: Name, Status: n.Payment.Status,
		Amount: n.Payment.Amount, Captured: n.Payment.Captured, Refunded: n.Payment.Refunded,
		Decline: n.Payment.Decline, ProviderStatus: n.Payment.Status.String(),
		Created: base.Created, Updated: base.Updated, Raw: json.RawMessage(redact.JSON(body)),
	}
	if stale(p, &base) {
		// A late or replayed copy of an older state (signed when it was
		// current): the record is newer, and a notification never moves
		// a payment back.
		p = &payments.Payment{
			ID: base.ID, Reference: base.Reference, Provider: Name, Status: base.Status,
			Amount: base.Amount, Captured: base.Captured, Refunded: base.Refunded,
			Decline: base.Decline, ProviderStatus: base.ProviderStatus,
			Created: base.Created, Updated: base.Updated, Raw: p.Raw,
		}
	}
	return &payments.Notification{
		Kind:     payments.NotificationPayment,
		Payment:  p,
		Verified: payments.VerifiedSignature,
		Reply:    payments.Reply{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: []byte("OK")},
		Raw:      json.RawMessage(redact.JSON(body)),
	}, nil
}

// stale reports whether the notified state p differs from the record's
// current state: the record has moved on since the notification was signed.
func stale(p, current *payments.Payment) bool {
	return p.Status != current.Status ||
		!p.Captured.Amount.Equal(current.Captured.Amount) ||
		!p.Refunded.Amount.Equal(current.Refunded.Amount)
}
