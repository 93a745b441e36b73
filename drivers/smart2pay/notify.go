package smart2pay

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// maxNotificationBytes caps a notification body Notify reads (1 MiB;
// GlobalPay sends a few kilobytes).
const maxNotificationBytes = 1 << 20

// Notify verifies and parses a GlobalPay notification, a POST to the
// notification URL set up in the Merchant Dashboard.
//
// Verification: the Authorization header must equal
// Basic base64(SiteID:APIKey), the header the merchant sends on its own
// calls, for the alternative-methods site or the direct card site
// (compared in constant time); otherwise the error is ErrUnverified and the
// body is not parsed. The document advises no re-query, so Verified is
// payments.VerifiedCredentials.
//
// The body's one top-level key names its kind: "Payment" (Payment set, in
// the same shape as GET /v1/payments/{id}), "Refund" (Refund set), "Payout"
// (NotificationPayout, Raw only), and "Preapproval", "Dispute" or any other
// (NotificationOther, Raw only). Reply is 204 No Content, as GlobalPay
// requires.
//
// GlobalPay may deliver a notification more than once, and asks merchants
// to match the notified Amount and Currency with their own records: see
// CheckAmount.
func (g *Gateway) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if r == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: request is nil"}
	}
	if r.Method != http.MethodPost {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: GlobalPay notifications are POST requests, got " + r.Method}
	}
	matched, ok := g.verify(r.Header.Get("Authorization"))
	if !ok {
		return nil, &payments.Error{Code: payments.Unverified, Provider: Name, Message: "notify: the Authorization header does not carry the site's credentials"}
	}
	if r.Body == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: empty body"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBytes+1))
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: reading the body failed", Err: err}
	}
	if len(body) > maxNotificationBytes {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: fmt.Sprintf("notify: body larger than %d bytes", maxNotificationBytes)}
	}
	return g.parseNotification(body, matched)
}

// hostSet says which site's credentials a notification carried.
type hostSet uint8

const (
	viaAlternative hostSet = 1 << iota
	viaCard
)

// verify compares the Authorization header with both sites' in constant
// time (both comparisons always run).
func (g *Gateway) verify(header string) (hostSet, bool) {
	h := []byte(strings.TrimSpace(header))
	var set hostSet
	if subtle.ConstantTimeCompare(h, []byte(g.apmAuth)) == 1 {
		set |= viaAlternative
	}
	if subtle.ConstantTimeCompare(h, []byte(g.cardAuth)) == 1 {
		set |= viaCard
	}
	return set, set != 0 && len(h) > 0
}

// parseNotification parses a verified notification body.
func (g *Gateway) parseNotification(body []byte, via hostSet) (*payments.Notification, error) {
	invalid := func(format string, args ...any) error {
		return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: " + fmt.Sprintf(format, args...)}
	}
	if via == viaAlternative || via == viaCard {
		// The host is known from the credentials: decode the body in one
		// pass, without first splitting it into raw members.
		return g.parseNotificationFast(body, via)
	}
	top, err := topLevel(body)
	if err != nil {
		return nil, invalid("the body is not a JSON object: %v", err)
	}
	if len(top) != 1 {
		return nil, invalid("the body has %d top-level keys, GlobalPay sends one naming the notification type", len(top))
	}
	n := &payments.Notification{
		Verified: payments.VerifiedCredentials,
		Reply:    payments.Reply{StatusCode: http.StatusNoContent},
		Raw:      redact.JSON(body),
	}
	var key string
	var raw json.RawMessage
	for k, v := range top {
		key, raw = k, v
	}
	switch key {
	case "Payment":
		w, err := decodeWirePayment(raw)
		if err != nil {
			return nil, invalid("Payment: %v", err)
		}
		a := notificationAPI(via, raw)
		p, err := convertPayment(a, w)
		if err != nil {
			return nil, invalid("Payment: %v", err)
		}
		if p.ID == "" {
			return nil, invalid("Payment has no ID")
		}
		p.Raw = n.Raw
		n.Kind, n.Payment = payments.NotificationPayment, p
	case "Refund":
		var w wireRefund
		if err := unmarshalNumber(raw, &w); err != nil {
			return nil, invalid("Refund: %v", err)
		}
		a := notificationAPI(via, raw)
		rf, err := convertRefund(a, &w)
		if err != nil {
			return nil, invalid("Refund: %v", err)
		}
		if rf.ID == "" {
			return nil, invalid("Refund has no ID")
		}
		rf.Raw = n.Raw
		n.Kind, n.Refund = payments.NotificationRefund, rf
	case "Payout":
		n.Kind = payments.NotificationPayout
	default: // Preapproval, Dispute, and types added later
		n.Kind = payments.NotificationOther
	}
	return n, nil
}

// parseNotificationFast is parseNotification when the credentials name the
// host: the envelope's one member is decoded straight into its wire type.
func (g *Gateway) parseNotificationFast(body []byte, via hostSet) (*payments.Notification, error) {
	invalid := func(format string, args ...any) error {
		return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: " + fmt.Sprintf(format, args...)}
	}
	a := apiAlternative
	if via == viaCard {
		a = apiCard
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalid("the body is not a JSON object")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, invalid("the body is not a JSON object: %v", err)
	}
	key, ok := tok.(string)
	if !ok {
		return nil, invalid("the body has 0 top-level keys, GlobalPay sends one naming the notification type")
	}
	n := &payments.Notification{
		Verified: payments.VerifiedCredentials,
		Reply:    payments.Reply{StatusCode: http.StatusNoContent},
	}
	switch key {
	case "Payment":
		var w wirePayment
		if err := dec.Decode(&w); err != nil {
			return nil, invalid("Payment: %v", err)
		}
		p, err := convertPayment(a, &w)
		if err != nil {
			return nil, invalid("Payment: %v", err)
		}
		if p.ID == "" {
			return nil, invalid("Payment has no ID")
		}
		n.Kind, n.Payment = payments.NotificationPayment, p
	case "Refund":
		var w wireRefund
		if err := dec.Decode(&w); err != nil {
			return nil, invalid("Refund: %v", err)
		}
		rf, err := convertRefund(a, &w)
		if err != nil {
			return nil, invalid("Refund: %v", err)
		}
		if rf.ID == "" {
			return nil, invalid("Refund has no ID")
		}
		n.Kind, n.Refund = payments.NotificationRefund, rf
	default: // Payout, Preapproval, Dispute, and types added later
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, invalid("the body is not a JSON object: %v", err)
		}
		n.Kind = payments.NotificationOther
		if key == "Payout" {
			n.Kind = payments.NotificationPayout
		}
	}
	if dec.More() {
		return nil, invalid("the body has more than one top-level key, GlobalPay sends one naming the notification type")
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, invalid("the body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("the body is not a JSON object: trailing data after the object")
	}
	n.Raw = redact.JSON(body)
	if n.Payment != nil {
		n.Payment.Raw = n.Raw
	}
	if n.Refund != nil {
		n.Refund.Raw = n.Raw
	}
	return n, nil
}

// topLevel decodes a JSON object's members, keeping values raw.
func topLevel(body []byte) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the object")
	}
	if top == nil {
		return nil, fmt.Errorf("null")
	}
	return top, nil
}

// notificationAPI tells which host a notified payment or refund lives on:
// the site whose credentials signed it. When both sites share credentials,
// a payment body in the direct card shape (CapturedAmount, 3DSecure) is a
// card payment; a refund body is the same on both hosts and is then taken
// to be the alternative-methods host's.
func notificationAPI(via hostSet, raw json.RawMessage) api {
	switch via {
	case viaCard:
		return apiCard
	case viaAlternative:
		return apiAlternative
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) == nil {
		for _, k := range []string{"CapturedAmount", "3DSecure", "CreditCardToken", "StatementDescriptor"} {
			if _, ok := keys[k]; ok {
				return apiCard
			}
		}
	}
	return apiAlternative
}

// CheckAmount compares a notification's Amount and Currency (the payment's,
// or the refund's) with want, the merchant's own record, as the document
// asks: "match the values for notification Amount and Currency with the ones
// from your database". A mismatch is ErrIntegrity: do not release goods.
func CheckAmount(n *payments.Notification, want payments.Money) error {
	var got payments.Money
	switch {
	case n == nil:
		return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "check amount: notification is nil"}
	case n.Payment != nil:
		got = n.Payment.Amount
	case n.Refund != nil:
		got = n.Refund.Amount
	default:
		return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: fmt.Sprintf("check amount: a %s notification carries no amount", n.Kind)}
	}
	if !got.Equal(want) {
		return &payments.Error{Code: payments.Integrity, Provider: Name,
			Message: fmt.Sprintf("check amount: the notification is for %s, the merchant expects %s", got, want)}
	}
	return nil
}

// Return is what GlobalPay appends to the ReturnURL when it sends the
// customer back: a display hint, NOT proof of payment. The document: "a
// successful redirection status does not guarantee that the transaction will
// have a success notification status ... only based on our successful
// notification status you should release the goods or services".
type Return struct {
	// Data is the redirection status: 2 Success, 3 Cancelled, 4 Failed,
	// 7 Processing, 9 Authorized.
	Data int
	// Reference is the MerchantTransactionID.
	Reference string
	// Hint is the status Data suggests, for the message shown to the
	// customer (StatusUnknown for an undocumented value).
	Hint payments.Status
}

// ParseReturn reads the query of the customer's redirect to the ReturnURL
// (data and MerchantTransactionID), e.g. from r.URL.Query(). Wait for the
// notification (or call Status) before treating the payment as paid.
func ParseReturn(q url.Values) (*Return, error) {
	ds := q.Get("data")
	if ds == "" {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "data", Message: "data: missing from the return URL"}
	}
	d, err := strconv.Atoi(ds)
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "data", Message: fmt.Sprintf("data: %q is not a redirection status", ds)}
	}
	ref := q.Get("MerchantTransactionID")
	if ref == "" {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "MerchantTransactionID", Message: "MerchantTransactionID: missing from the return URL"}
	}
	hint, ok := redirectTable[d]
	if !ok {
		hint = payments.StatusUnknown
	}
	return &Return{Data: d, Reference: ref, Hint: hint}, nil
}
