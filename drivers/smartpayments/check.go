package smartpayments

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// Transaction types as /check spells them in "type".
const (
	TypePayment    = "Payment"
	TypeRefund     = "Refund"
	TypeWithdrawal = "Withdrawal"
)

// Transaction is a /check answer: the canonical Payment plus the details
// the provider gives that have no neutral field.
type Transaction struct {
	// Payment is the transaction as a canonical Payment (for a refund or a
	// withdrawal too: its amount and status).
	Payment *payments.Payment
	// Type is "Payment", "Refund" or "Withdrawal" (TypePayment, ...), or
	// whatever else the provider says.
	Type string
	// Card is the card as the provider reports it, number masked; nil when
	// it reports none.
	Card *CardInfo
	// CascadeErrors are the error categories of every gate the platform
	// tried, in order.
	CascadeErrors []CascadeError
	// ErrorMessage is the transaction error code ("errorMessage").
	ErrorMessage string
	// AuthorizeStatus is "authorize_status", empty when null (one-step
	// payments).
	AuthorizeStatus string
	// RRN and ECI are the transaction's retrieval reference number and
	// e-commerce indicator, when reported.
	RRN, ECI string
	// FirstName and LastName are the customer's name.
	FirstName, LastName string
	// ParentTransaction is, for a refund, the processing order id of the
	// refunded payment.
	ParentTransaction string
}

// CardInfo is a card as the provider reports it. Number is masked
// ("401200******3010").
type CardInfo struct {
	Number      string // masked
	Holder      string
	ExpiryMonth string // two digits
	ExpiryYear  string // two digits
	BIN         string // first 6 or 8 digits
	Country     string // issuer country name
	CountryISO  string // issuer country, ISO 3166-1 alpha-3
	Brand       string // "VISA"
}

// CascadeError is one gate's error in a cascade.
type CascadeError struct {
	// GatePriority is the gate's position in the cascade (-1 if not given).
	GatePriority int64
	// ErrorCategory is the transaction error code of that gate.
	ErrorCategory string
}

func cardInfo(c *wireCard) *CardInfo {
	if c == nil {
		return nil
	}
	return &CardInfo{
		Number:      redact.PANs(c.Number), // already masked; never let a full number through
		Holder:      c.CardHolder,
		ExpiryMonth: c.CardExpMonth,
		ExpiryYear:  c.CardExpYear,
		BIN:         c.Bin,
		Country:     c.Country,
		CountryISO:  c.ISO,
		Brand:       c.Type,
	}
}

// Check queries a transaction (payment, refund or withdrawal) by its
// merchant order id with POST /check and maps the answer. It succeeds
// whatever the transaction's state; an order the provider does not know is
// ErrNotFound.
//
// The mapping follows seed 000_2d15c756a78f42ef.txt l.310-417; where the
// document is silent:
//   - status 2 (Success) of a payment is Captured for its "amount"
//     (l.325-344). "finalAmount" is in both examples (l.329, l.352: 900 of
//     1000, even on a failed payment) but in no response table (l.389-409)
//     and not in seed 001_5cb16c9bc69a97d9.txt at all: its meaning is
//     unknown, so it stays in Raw and no amount is derived from it.
//   - refunds are transactions of their own (refund_id, type "Refund",
//     parentTransaction: l.408-409, l.438-443) and /check of a payment shows
//     none of them. Payment.Refunded counts the refunds this Gateway made
//     (Refund) whose answer, or whose own /check (RefundStatus), says they
//     succeeded; a payment with no such refund reports zero refunded. A
//     Router's refund ledger covers refunds made elsewhere.
//   - authorize_status is only ever shown null (l.340, l.376). The state of
//     a two-step payment comes from what this Gateway itself did: authorized
//     by its /authorize and neither captured nor cancelled by it is
//     Authorized; after its /capture, Captured (for the amount it asked);
//     after its /cancel, Canceled. A non-null authorize_status on a payment
//     this Gateway did not authorize is StatusUnknown, never a guessed
//     Captured. A two-step payment this Gateway has no record of (another
//     process, a restart) cannot be told from a one-step one by /check.
//   - the currency is the account's (/check reports none).
func (g *Gateway) Check(ctx context.Context, orderID string) (*Transaction, error) {
	t, w, err := g.check(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if t.Type == TypePayment || t.Type == "" {
		if err := g.applyOwn(ctx, orderID, t, w); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// check sends /check and maps the answer from its own fields only.
func (g *Gateway) check(ctx context.Context, orderID string) (*Transaction, *checkResponse, error) {
	if strings.TrimSpace(orderID) == "" {
		return nil, nil, payments.InvalidField("id", "required")
	}
	const op = "check"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.check, Body: orderBody(orderID), Safety: httpx.Query})
	if err != nil {
		return nil, nil, err
	}
	if !resp.OK() {
		return nil, nil, httpError(op, httpx.Query, resp)
	}
	var w checkResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &w); err != nil {
		return nil, nil, err
	}
	t, err := g.transaction(ctx, orderID, &w, resp.Body)
	if err != nil {
		return nil, nil, resp.CleanError(err)
	}
	resp.CleanPayment(t.Payment)
	return t, &w, nil
}

// applyOwn settles a payment's /check answer with what this Gateway itself
// did (see own and Check).
func (g *Gateway) applyOwn(ctx context.Context, orderID string, t *Transaction, w *checkResponse) error {
	rec, ok := g.own.get(orderID)
	if !ok {
		return nil
	}
	p := t.Payment
	if rec.doubt {
		// See ownRecord.doubt: never guess what a lost call did.
		zero := payments.Money{Currency: g.currency}
		p.Status, p.Captured, p.Refunded, p.Decline = payments.StatusUnknown, zero, zero, nil
		return nil
	}
	if rec.twoStep {
		zero := payments.Money{Currency: g.currency}
		switch w.Status.V {
		case statusSuccess:
			switch {
			case rec.cancel:
				// Our cancel was answered, and the payment still says
				// Success: the driver cannot tell what happened.
				p.Status, p.Captured = payments.StatusUnknown, zero
			case rec.capture != captureNone:
				p.Status, p.Captured = payments.StatusCaptured, p.Amount
				if rec.captureMinor > 0 {
					if w.Amount.Valid && rec.captureMinor > w.Amount.V {
						return integrity("check: captured %d of a payment of %d", rec.captureMinor, w.Amount.V)
					}
					p.Captured = g.money(rec.captureMinor)
				}
			default:
				// Created by our /authorize, neither captured nor
				// cancelled by us: the authorization succeeded.
				p.Status, p.Captured = payments.StatusAuthorized, zero
			}
		case statusFail:
			if rec.cancel {
				p.Status, p.Decline = payments.StatusCanceled, nil
			}
		}
	}
	if len(rec.refunds) == 0 || p.Status != payments.StatusCaptured {
		return nil
	}
	for _, r := range rec.refunds {
		if r.status == payments.RefundPending && r.id != "" {
			// The answer was "success": false with a refund_id: ask the
			// refund itself. A failed query leaves it pending.
			if _, err := g.RefundStatus(ctx, r.id); err != nil {
				g.log.WarnContext(ctx, "smartpayments: refund status query failed", "refund_id", r.id, "error", err)
			}
		}
	}
	rec, _ = g.own.get(orderID)
	succeeded, _ := rec.refunded()
	if succeeded == 0 {
		return nil
	}
	captured, err := p.Captured.Minor()
	if err != nil {
		return err
	}
	if succeeded > captured {
		return integrity("check: refunds of %d exceed the %d captured", succeeded, captured)
	}
	p.Refunded = g.money(succeeded)
	p.Status = payments.StatusPartiallyRefunded
	if succeeded == captured {
		p.Status = payments.StatusRefunded
	}
	return nil
}

// RefundStatus reports a refund by the refund_id its /refund answered,
// with POST /check {"order_id": refundID}. The document has no refund
// status call: /check's table says it reports a transaction's "type" and,
// "for Refund", its parentTransaction (seed 000_2d15c756a78f42ef.txt
// l.408-409), and a refund's only id is its refund_id (l.441), so this is
// the refund's own status as far as the document goes. Status 2 is
// RefundSucceeded, -1 RefundFailed, anything else RefundPending. A refund
// this Gateway made is updated in its record, so Status counts it once it
// succeeded. An answer about a transaction that is not a refund is
// ErrIntegrity.
func (g *Gateway) RefundStatus(ctx context.Context, refundID string) (*payments.Refund, error) {
	if strings.TrimSpace(refundID) == "" {
		return nil, payments.InvalidField("refund_id", "required")
	}
	t, _, err := g.check(ctx, refundID)
	if err != nil {
		return nil, err
	}
	if t.Type != TypeRefund {
		return nil, integrity("refund status: /check of %q answered a transaction of type %q", refundID, t.Type)
	}
	r := refundFromCheck(t)
	if orderID, ok := g.own.refundOrder(refundID); ok {
		r.PaymentID = orderID
		g.own.setRefund(orderID, refundID, r.Status)
	}
	return r, nil
}

// transaction maps a /check answer; w was decoded from body whole
// (httpx.DecodeJSON), which is scrubbed into Raw without a validity pass.
func (g *Gateway) transaction(ctx context.Context, orderID string, w *checkResponse, body []byte) (*Transaction, error) {
	if !w.Status.Valid {
		if code := w.Err; code != "" {
			return nil, refusal("check", code, "", http.StatusOK)
		}
		return nil, &payments.Error{Code: payments.Integrity, Provider: Name, Message: "check: the answer has no status"}
	}
	t := &Transaction{
		Type:              w.Type,
		Card:              cardInfo(w.Card),
		ErrorMessage:      w.ErrorMessage,
		AuthorizeStatus:   str(w.AuthorizeStatus),
		RRN:               w.RRN,
		ECI:               w.ECI,
		FirstName:         w.FirstName,
		LastName:          w.LastName,
		ParentTransaction: w.ParentTransaction,
	}
	for _, c := range w.CascadeErrors {
		ce := CascadeError{GatePriority: -1, ErrorCategory: c.ErrorCategory}
		if c.GatePriority.Valid {
			ce.GatePriority = c.GatePriority.V
		}
		t.CascadeErrors = append(t.CascadeErrors, ce)
	}
	p := g.newPayment(orderID)
	if id := w.OrderID; id != "" && id != orderID {
		// The document's own example answers another order_id than the one
		// asked for; the merchant's id is kept, the answer's is in Raw.
		g.log.DebugContext(ctx, "smartpayments: /check answered another order_id", "asked", orderID, "answered", id)
	}
	p.Status = mapStatus(w.Status.V, callCheck, false, w.AuthorizeStatus)
	p.ProviderStatus = providerStatus(w.Status.V)
	if w.AuthorizeStatus != nil {
		p.ProviderStatus += " (authorize_status " + *w.AuthorizeStatus + ")"
	}
	p.Raw = redact.Decoded(body) // decoded whole by httpx.DecodeJSON
	p.Updated = parseTime(w.EndDate)
	if w.Amount.Valid {
		if w.Amount.V < 0 {
			return nil, integrity("check: negative amount %d", w.Amount.V)
		}
		p.Amount = g.money(w.Amount.V)
	}
	switch p.Status {
	case payments.StatusCaptured:
		// Captured for "amount" (l.328); finalAmount is not read (see Check).
		p.Captured = p.Amount
	case payments.StatusFailed:
		code := firstNonEmpty(w.ErrorMessage, w.Err)
		p.Decline = decline(code, "", w.CascadeErrors)
		if info, ok := lookupCode(code); ok && info.Expired {
			p.Status, p.Decline = payments.StatusExpired, nil
		}
	}
	t.Payment = p
	return t, nil
}

func integrity(format string, args ...any) *payments.Error {
	return &payments.Error{Code: payments.Integrity, Provider: Name, Message: fmt.Sprintf(format, args...)}
}
