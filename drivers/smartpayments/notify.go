package smartpayments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// callback is what the driver reads from a callback body: only which order
// it is about (and, for logs, the status it claims). Nothing else in it is
// trusted.
type callback struct {
	OrderID string
	Status  wireInt
}

// parseCallback reads a callback body leniently. The document does not
// describe it; third-party integrations receive JSON with "orderId" (also
// accepted: "order_id") and an integer "status". A form-encoded body with
// the same names is accepted too. The order id may be a string or a number.
func parseCallback(body []byte) (*callback, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, payments.InvalidField("body", "empty callback")
	}
	cb := &callback{}
	if trimmed[0] != '{' {
		q, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: body is neither a JSON object nor a form"}
		}
		cb.OrderID = strings.TrimSpace(firstNonEmpty(q.Get("orderId"), q.Get("order_id")))
		if s := q.Get("status"); s != "" {
			_ = cb.Status.UnmarshalJSON([]byte(s))
		}
	} else {
		var m map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: malformed JSON", Err: err}
		}
		for _, k := range []string{"orderId", "order_id"} {
			if id := jsonID(m[k]); id != "" {
				cb.OrderID = id
				break
			}
		}
		if raw, ok := m["status"]; ok {
			_ = cb.Status.UnmarshalJSON(raw) // informative only
		}
	}
	if cb.OrderID == "" {
		return nil, payments.InvalidField("orderId", "the callback names no order (orderId or order_id)")
	}
	if len(cb.OrderID) > 256 || strings.ContainsAny(cb.OrderID, "\x00\r\n") {
		return nil, payments.InvalidField("orderId", "not an order id")
	}
	return cb, nil
}

// jsonID reads a JSON string or number as an id.
func jsonID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&n) != nil {
		return ""
	}
	return n.String()
}

// Notify handles a callback POSTed to callback_url. The callback is not
// documented and not signed, so its body is never trusted: the driver reads
// which order it is about (orderId or order_id), confirms the state with
// POST /check and returns the checked state (Verified = VerifiedByQuery).
// A callback about an order the provider does not know is ErrUnverified; a
// body naming no order is ErrInvalidRequest; when /check cannot be reached
// the error says so (ErrUnavailable), and NotificationHandler answers 500
// so that the provider delivers it again. The reply is HTTP 200.
//
// A refund's callback (the /check type "Refund") is a NotificationRefund
// whose Refund.PaymentID is the provider's processing id of the refunded
// payment (parentTransaction: the provider gives no merchant order id); a
// withdrawal's is a NotificationPayout.
func (g *Gateway) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if r == nil || r.Body == nil {
		return nil, nilRequest()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, payments.DefaultMaxNotificationBytes+1))
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: reading the body failed", Err: err}
	}
	if len(body) > payments.DefaultMaxNotificationBytes {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: body too large"}
	}
	cb, err := parseCallback(body)
	if err != nil {
		return nil, err
	}
	t, err := g.Check(ctx, cb.OrderID)
	if err != nil {
		if errors.Is(err, payments.ErrNotFound) {
			return nil, &payments.Error{Code: payments.Unverified, Provider: Name, Message: "callback: the provider knows no such order", Err: err}
		}
		return nil, err
	}
	if cb.Status.Valid && t.Payment.ProviderStatus != "" && !strings.HasPrefix(t.Payment.ProviderStatus, providerStatus(cb.Status.V)) {
		g.log.DebugContext(ctx, "smartpayments: callback status differs from /check; reporting /check", "order_id", cb.OrderID, "claimed", cb.Status.V, "checked", t.Payment.ProviderStatus)
	}
	n := &payments.Notification{
		Kind:     payments.NotificationPayment,
		Payment:  t.Payment,
		Verified: payments.VerifiedByQuery,
		Reply:    payments.Reply{StatusCode: http.StatusOK},
		Raw:      redact.JSON(body),
	}
	switch t.Type {
	case TypePayment, "":
	case TypeRefund:
		n.Kind = payments.NotificationRefund
		n.Refund = refundFromCheck(t)
		n.Payment = nil
	case TypeWithdrawal:
		n.Kind = payments.NotificationPayout
	default:
		n.Kind = payments.NotificationOther
	}
	return n, nil
}

// refundFromCheck maps a /check answer about a refund.
func refundFromCheck(t *Transaction) *payments.Refund {
	p := t.Payment
	r := &payments.Refund{ID: p.ID, PaymentID: t.ParentTransaction, Amount: p.Amount, ProviderStatus: p.ProviderStatus, Raw: p.Raw}
	switch p.Status {
	case payments.StatusFailed, payments.StatusCanceled, payments.StatusExpired:
		r.Status = payments.RefundFailed
	case payments.StatusCaptured, payments.StatusPartiallyRefunded, payments.StatusRefunded:
		r.Status = payments.RefundSucceeded
	default:
		r.Status = payments.RefundPending
	}
	return r
}
