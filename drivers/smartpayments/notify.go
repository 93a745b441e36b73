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
	"unicode/utf8"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/inbound"
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
	cb, _, err := parseCallbackBody(body)
	if err != nil {
		return nil, err
	}
	return &cb, nil
}

// parseCallbackBody is parseCallback, also reporting whether body is one
// valid JSON value (so that redact.Decoded may scrub it).
//
// A body that is valid JSON is read in one pass over its top-level members
// (members), without building a map; any other body starting with '{'
// takes the json.Decoder path, which accepts data after the first value and
// reports malformed JSON. Both read the same members by their exact names.
//
// A key given twice, exactly or in another letter case ("orderId" twice,
// "ORDERID"), in a JSON object or a form, is ErrInvalidRequest: which one is
// meant cannot be told.
func parseCallbackBody(body []byte) (callback, bool, error) {
	var cb callback
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return cb, false, payments.InvalidField("body", "empty callback")
	}
	if err := inbound.CheckKeys(Name, trimmed); err != nil {
		return cb, false, err
	}
	valid := false
	switch {
	case trimmed[0] == '{' && json.Valid(body):
		// A valid JSON value starting with '{' after the spaces is an
		// object; bytes.TrimSpace removed JSON whitespace only.
		valid = true
		var orderID, orderID2, status []byte
		hasStatus := false
		members(trimmed, func(key, val []byte) {
			switch {
			case keyIs(key, "orderId"):
				orderID = val
			case keyIs(key, "order_id"):
				orderID2 = val
			case keyIs(key, "status"):
				status, hasStatus = val, true
			}
		})
		if cb.OrderID = jsonID(orderID); cb.OrderID == "" {
			cb.OrderID = jsonID(orderID2)
		}
		if hasStatus {
			_ = cb.Status.UnmarshalJSON(status) // informative only
		}
	case trimmed[0] != '{':
		q, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return cb, false, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: body is neither a JSON object nor a form"}
		}
		if err := inbound.CheckParams(Name, q); err != nil {
			return cb, false, err
		}
		cb.OrderID = strings.TrimSpace(firstNonEmpty(q.Get("orderId"), q.Get("order_id")))
		if s := q.Get("status"); s != "" {
			_ = cb.Status.UnmarshalJSON([]byte(s))
		}
	default:
		var m map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return cb, false, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: malformed JSON", Err: err}
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
		return cb, false, payments.InvalidField("orderId", "the callback names no order (orderId or order_id)")
	}
	if len(cb.OrderID) > 256 || strings.ContainsAny(cb.OrderID, "\x00\r\n") {
		return cb, false, payments.InvalidField("orderId", "not an order id")
	}
	return cb, valid, nil
}

// members calls visit with the raw key (quotes included) and the raw value
// of each top-level member of obj, in order. obj must be a valid JSON
// object (json.Valid): the scan relies on it and only guards its indexes.
func members(obj []byte, visit func(key, val []byte)) {
	i := skipSpace(obj, 1) // past '{'
	for i < len(obj) && obj[i] == '"' {
		k := stringEnd(obj, i)
		key := obj[i:k]
		i = skipSpace(obj, k)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipSpace(obj, i+1)
		v := valueEnd(obj, i)
		visit(key, obj[i:v])
		i = skipSpace(obj, v)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i = skipSpace(obj, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[j])) {
		j++
	}
	return j
}

// keyIs reports whether the raw JSON string key decodes to name (a plain
// ASCII name). Without escapes that is a byte comparison (invalid UTF-8
// decodes to U+FFFD, never to ASCII); with escapes the key is unquoted.
func keyIs(key []byte, name string) bool {
	if len(key) < 2 {
		return false
	}
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	var s string
	return json.Unmarshal(key, &s) == nil && s == name
}

// jsonID reads a JSON string or number as an id.
func jsonID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	if raw[0] == '"' {
		if inner := raw[1:]; len(inner) > 0 && inner[len(inner)-1] == '"' && plainJSONString(inner[:len(inner)-1]) {
			// What json.Unmarshal would give, without its allocations.
			return strings.TrimSpace(string(inner[:len(inner)-1]))
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	}
	if digitsOnly(raw) && (len(raw) == 1 || raw[0] != '0') {
		return string(raw) // a JSON integer: json.Number keeps its text
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&n) != nil {
		return ""
	}
	return n.String()
}

// plainJSONString reports whether s, the inside of a JSON string, needs no
// decoding: no escapes, quotes or control characters, valid UTF-8.
func plainJSONString(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(s)
}

func digitsOnly(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
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
	cb, decoded, err := parseCallbackBody(body)
	if err != nil {
		return nil, err
	}
	t, err := g.confirm(ctx, cb.OrderID)
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
		Raw:      scrub(body, decoded),
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

// confirm runs POST /check for a callback's order. Callbacks about one order
// that arrive while its query is in flight share it, and new queries are
// bounded by Config.NotificationQueriesPerSecond (ErrRateLimited over it:
// nothing is sent).
func (g *Gateway) confirm(ctx context.Context, orderID string) (*Transaction, error) {
	t, shared, err := g.notifyQueries.Do(ctx, orderID, func() (*Transaction, error) {
		return g.Check(ctx, orderID)
	})
	if shared && t != nil {
		// Each caller gets its own Transaction and Payment to change.
		ct := *t
		if t.Payment != nil {
			cp := *t.Payment
			ct.Payment = &cp
		}
		t = &ct
	}
	return t, err
}

// scrub masks card data in a body; valid says it is one valid JSON value
// (redact.Decoded skips the validity pass).
func scrub(body []byte, valid bool) []byte {
	if valid {
		return redact.Decoded(body)
	}
	return redact.JSON(body)
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
