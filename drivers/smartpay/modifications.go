package smartpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// Modifications (capture, cancel, refund, cancelOrRefund) carry a
// modificationId: the request's IdempotencyKey, or a generated UUID. The
// provider answers a repeated modificationId with the original result, so
// these calls are sent with httpx.Deduped: retried with the identical body
// on timeouts and 5xx. They are the only money-moving calls of this
// library that are retried.

// Capture captures an authorized payment (POST /payment/capture): the whole
// rest without req.Amount, else modifiedAmount. The answer must be about
// the same transaction, in its currency, for the requested amount;
// otherwise the Payment is returned with an ErrIntegrity error.
func (g *Gateway) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if err := checkID(req.ID); err != nil {
		return nil, err
	}
	body := modificationRequest{TransactionID: req.ID, MerchantKey: g.cfg.MerchantKey, ModificationID: g.modificationID(req.IdempotencyKey)}
	if req.Amount != nil {
		a, err := encodeAmount("amount", *req.Amount)
		if err != nil {
			return nil, err
		}
		body.ModifiedAmount = &amountObject{Amount: a, CurrencyCode: string(req.Amount.Currency), Description: "Capture"}
	}
	return modify(ctx, g, opCapture, g.urls.capture, body, func(doc *paymentDoc, p *payments.Payment, _ []byte) (*payments.Payment, error) {
		if err := checkModification(opCapture, doc, p, req.Amount, modCapture); err != nil {
			return p, err
		}
		return p, nil
	})
}

// Cancel releases an authorization (POST /payment/cancel). SmartPay
// answers 200 with paymentStatus CANCELLED (or CANCELLATION_PENDING, which
// maps to Authorized until the cancellation is done).
func (g *Gateway) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if err := checkID(req.ID); err != nil {
		return nil, err
	}
	body := modificationRequest{TransactionID: req.ID, MerchantKey: g.cfg.MerchantKey, ModificationID: g.modificationID(req.IdempotencyKey)}
	return modify(ctx, g, opCancel, g.urls.cancel, body, func(doc *paymentDoc, p *payments.Payment, _ []byte) (*payments.Payment, error) {
		if m := doc.Modification.latest(); m != nil && !isCancelType(m.ModificationData.Type) {
			return p, integrity(opCancel, fmt.Sprintf("the answer reports a %s modification", m.ModificationData.Type))
		}
		return p, nil
	})
}

// Refund returns captured money (POST /payment/refund): modifiedAmount
// with req.Amount; without it, the request carries no amount, the form
// PROVIDERS.md section 3 documents for a full refund ("modifiedAmount
// (partial only)"). The driver never computes a "rest" itself: SmartPay's
// status answer gives no refunded total it could subtract (see totals), so
// the amount of a refund without req.Amount is SmartPay's to decide and is
// read from the answer's modification.modificationAmount. An answer that
// does not state it is ErrOutcomeUnknown (reconcile with PaymentDetails).
// The Refund's ID is SmartPay's refundId; its status stays RefundPending
// unless the answer reports an error (see mapRefundStatus).
func (g *Gateway) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if err := checkID(req.ID); err != nil {
		return nil, err
	}
	if err := maxLen("reason", req.Reason, 127); err != nil {
		return nil, err
	}
	body := modificationRequest{TransactionID: req.ID, MerchantKey: g.cfg.MerchantKey, ModificationID: g.modificationID(req.IdempotencyKey), Description: req.Reason}
	if req.Amount != nil {
		a, err := encodeAmount("amount", *req.Amount)
		if err != nil {
			return nil, err
		}
		d := req.Reason
		if d == "" {
			d = "Refund"
		}
		body.ModifiedAmount = &amountObject{Amount: a, CurrencyCode: string(req.Amount.Currency), Description: d}
	}
	return modify(ctx, g, opRefund, g.urls.refund, body, func(doc *paymentDoc, p *payments.Payment, raw []byte) (*payments.Refund, error) {
		return refundFrom(opRefund, doc, p, body.ModificationID, req.Amount, raw)
	})
}

// CancelOrRefundResult is the answer of CancelOrRefund.
type CancelOrRefundResult struct {
	// Payment is the payment after the modification.
	Payment *payments.Payment
	// Canceled is true when the provider canceled the authorization.
	Canceled bool
	// Refund is set when the provider refunded instead (the payment was
	// captured): the whole refundable rest.
	Refund *payments.Refund
}

// CancelOrRefund asks SmartPay to cancel the payment if nothing was
// captured, else to refund the whole rest (POST /payment/cancelOrRefund):
// one call when the caller does not know which applies. Like the other
// modifications it is deduplicated by modificationId (req.IdempotencyKey)
// and retried on timeouts and 5xx.
func (g *Gateway) CancelOrRefund(ctx context.Context, req *payments.CancelRequest) (*CancelOrRefundResult, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if err := checkID(req.ID); err != nil {
		return nil, err
	}
	body := modificationRequest{TransactionID: req.ID, MerchantKey: g.cfg.MerchantKey, ModificationID: g.modificationID(req.IdempotencyKey)}
	return modify(ctx, g, opCancelOrRefund, g.urls.cancelOrRefund, body, func(doc *paymentDoc, p *payments.Payment, raw []byte) (*CancelOrRefundResult, error) {
		res := &CancelOrRefundResult{Payment: p}
		m := doc.Modification.latest()
		switch {
		case m != nil && strings.EqualFold(m.ModificationData.Type, modRefund):
			var err error
			res.Refund, err = refundFrom(opCancelOrRefund, doc, p, body.ModificationID, nil, raw)
			return res, err
		case m != nil && isCancelType(m.ModificationData.Type), m == nil && p.Status == payments.StatusCanceled:
			res.Canceled = true
			return res, nil
		case m == nil:
			return res, nil
		}
		return res, integrity(opCancelOrRefund, fmt.Sprintf("the answer reports a %s modification", m.ModificationData.Type))
	})
}

// modificationID is the caller's key, or a fresh UUID.
func (g *Gateway) modificationID(key string) string {
	if key != "" {
		return key
	}
	return g.newID()
}

// modify sends a modification to url (from g.urls), maps its 2xx answer
// to the Payment (modificationPayment) and hands it to read with the
// document and the body it decoded whole. The whole answer is read inside
// call, so that whatever read returns loses the call's secrets. When the
// outcome stays unknown after the retries, the error says which
// modificationId to send again to learn the original result.
func modify[T any](ctx context.Context, g *Gateway, op, url string, body modificationRequest,
	read func(doc *paymentDoc, p *payments.Payment, raw []byte) (T, error)) (T, error) {
	answered := false
	v, err := call(ctx, g, httpx.Call{Op: op, Method: http.MethodPost, URL: url, Body: body, Safety: httpx.Deduped},
		func(resp *httpx.Response) (T, error) {
			answered = true
			var zero T
			if !resp.OK() {
				return zero, apiError(op, resp)
			}
			var doc paymentDoc
			if err := httpx.DecodeJSON(Name, httpx.Deduped, op, resp, &doc); err != nil {
				return zero, err
			}
			p, err := g.modificationPayment(op, body.TransactionID, &doc, resp.Body)
			if err != nil {
				return zero, err
			}
			return read(&doc, p, resp.Body)
		})
	var pe *payments.Error
	if !answered && errors.As(err, &pe) && pe.Code == payments.OutcomeUnknown {
		pe.Message += fmt.Sprintf("; sending it again with IdempotencyKey %q returns the original result", body.ModificationID)
	}
	return v, err
}

// modificationPayment maps a modification's 2xx answer. An answer that
// cannot be mapped leaves the outcome unknown; one about another
// transaction is an integrity error.
func (g *Gateway) modificationPayment(op, id string, doc *paymentDoc, raw []byte) (*payments.Payment, error) {
	p, err := g.toPayment(doc, raw)
	if err != nil {
		return nil, mapErr(op, err)
	}
	if p.ID != id {
		return p, integrity(op, fmt.Sprintf("asked for transaction %q, the provider answered %q", id, p.ID))
	}
	return p, nil
}

// checkModification compares the answer's modification with the request:
// its type, currency and amount.
func checkModification(op string, doc *paymentDoc, p *payments.Payment, want *payments.Money, typ string) error {
	if want != nil && want.Currency != p.Amount.Currency {
		return integrity(op, fmt.Sprintf("requested %s, the payment is in %s", want.Currency, p.Amount.Currency))
	}
	m := doc.Modification.latest()
	if m == nil {
		return nil
	}
	if !strings.EqualFold(m.ModificationData.Type, typ) {
		return integrity(op, fmt.Sprintf("the answer reports a %s modification", m.ModificationData.Type))
	}
	if want != nil && m.ModificationAmount != nil && m.ModificationAmount.Amount != "" {
		got, err := modificationMoney(m, p.Amount.Currency)
		if err != nil {
			return integrityErr(op, err)
		}
		if !got.Equal(*want) {
			return integrity(op, fmt.Sprintf("requested %s, the provider answered %s", want, got))
		}
	}
	return nil
}

// modificationMoney reads modification.modificationAmount.
func modificationMoney(m *modification, cur payments.Currency) (payments.Money, error) {
	c := m.ModificationAmount.CurrencyCode
	if c == "" {
		c = string(cur)
	}
	got, err := payments.ParseMoney(string(m.ModificationAmount.Amount), c)
	if err != nil {
		return payments.Money{}, err
	}
	if got.Currency != cur {
		return payments.Money{}, fmt.Errorf("modificationAmount is in %s, the payment in %s", got.Currency, cur)
	}
	if got.Amount.IsNegative() {
		return payments.Money{}, fmt.Errorf("modificationAmount %s is negative", got)
	}
	return got, nil
}

// refundFrom builds the Refund of a refund answer. raw is valid JSON: the
// answer's body, which decoded whole, or its scrubbed copy.
//
// Raw is scrubbed by shape here; the caller strips the call's exact secrets
// (scrub).
func refundFrom(op string, doc *paymentDoc, p *payments.Payment, modID string, want *payments.Money, raw []byte) (*payments.Refund, error) {
	ref := &payments.Refund{ID: modID, PaymentID: p.ID, Status: payments.RefundPending, Raw: redact.Decoded(raw)}
	m := doc.Modification.latest()
	if m == nil {
		// No modification in the answer: the refund was accepted for what
		// was asked. Without an amount in the request, nothing in the
		// answer says how much was refunded: never guessed.
		if want != nil {
			ref.Amount = *want
			return ref, nil
		}
		ref.Amount = p.Amount.Zero()
		return ref, refundAmountUnknown(op)
	}
	if !strings.EqualFold(m.ModificationData.Type, modRefund) {
		return ref, integrity(op, fmt.Sprintf("the answer reports a %s modification", m.ModificationData.Type))
	}
	if m.ModificationData.RefundID != "" {
		ref.ID = m.ModificationData.RefundID
	}
	ref.Status = mapRefundStatus(m)
	ref.ProviderStatus = m.Status
	if m.ModificationAmount != nil && m.ModificationAmount.Amount != "" {
		got, err := modificationMoney(m, p.Amount.Currency)
		if err != nil {
			return ref, integrityErr(op, err)
		}
		ref.Amount = got
	} else if want != nil {
		ref.Amount = *want
	} else {
		ref.Amount = p.Amount.Zero()
		return ref, refundAmountUnknown(op)
	}
	if want != nil {
		if want.Currency != p.Amount.Currency {
			return ref, integrity(op, fmt.Sprintf("requested %s, the payment is in %s", want.Currency, p.Amount.Currency))
		}
		if !ref.Amount.Equal(*want) {
			return ref, integrity(op, fmt.Sprintf("requested %s, the provider answered %s", want, ref.Amount))
		}
	}
	return ref, nil
}

// refundAmountUnknown is the error of a refund without an amount whose
// answer does not state the amount refunded.
func refundAmountUnknown(op string) *payments.Error {
	return &payments.Error{Code: payments.OutcomeUnknown, Provider: Name,
		Message: op + ": the provider accepted the refund but its answer states no modification.modificationAmount; reconcile with PaymentDetails"}
}
