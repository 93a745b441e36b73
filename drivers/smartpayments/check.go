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
// The mapping, where the document is silent:
//   - status 2 with authorize_status null is a captured one-step payment;
//     "finalAmount" is read as the amount finally charged (captured minus
//     refunded), so a smaller finalAmount means a partial refund (the
//     document's example: amount 1000, finalAmount 900 → 1.00 refunded),
//     0 a full refund;
//   - for a captured two-step payment finalAmount is reported as Captured
//     (the provider does not say how much of it was refunded);
//   - the currency is the account's (/check reports none).
func (g *Gateway) Check(ctx context.Context, orderID string) (*Transaction, error) {
	if strings.TrimSpace(orderID) == "" {
		return nil, payments.InvalidField("id", "required")
	}
	const op = "check"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.check, Body: orderBody(orderID), Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.Query, resp)
	}
	var w checkResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &w); err != nil {
		return nil, err
	}
	t, err := g.transaction(orderID, &w, resp.Body)
	if t != nil {
		resp.CleanPayment(t.Payment)
	}
	return t, resp.CleanError(err)
}

// transaction maps a /check answer; w was decoded from body whole
// (httpx.DecodeJSON), which is scrubbed into Raw without a validity pass.
func (g *Gateway) transaction(orderID string, w *checkResponse, body []byte) (*Transaction, error) {
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
		g.log.Debug("smartpayments: /check answered another order_id", "asked", orderID, "answered", id)
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
	amount := w.Amount.V
	switch p.Status {
	case payments.StatusCaptured:
		if w.AuthorizeStatus != nil { // two-step, captured
			p.Captured = p.Amount
			if w.FinalAmount.Valid {
				if w.FinalAmount.V < 0 || w.FinalAmount.V > amount {
					return nil, integrity("check: finalAmount %d outside 0..amount %d", w.FinalAmount.V, amount)
				}
				p.Captured = g.money(w.FinalAmount.V)
				if w.FinalAmount.V == 0 {
					p.Status = payments.StatusRefunded
				}
			}
			break
		}
		p.Captured = p.Amount
		if w.FinalAmount.Valid {
			final := w.FinalAmount.V
			if final < 0 || final > amount {
				return nil, integrity("check: finalAmount %d outside 0..amount %d", final, amount)
			}
			if final < amount {
				p.Refunded = g.money(amount - final)
				p.Status = payments.StatusPartiallyRefunded
				if final == 0 {
					p.Status = payments.StatusRefunded
				}
			}
		}
	case payments.StatusFailed:
		p.Decline = decline(firstNonEmpty(w.ErrorMessage, w.Err), "", w.CascadeErrors)
	}
	t.Payment = p
	return t, nil
}

func integrity(format string, args ...any) *payments.Error {
	return &payments.Error{Code: payments.Integrity, Provider: Name, Message: fmt.Sprintf(format, args...)}
}
