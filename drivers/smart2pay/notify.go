package smart2pay

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/inbound"
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
// (NotificationOther, Raw only). A body that is not one JSON object with
// exactly one member is ErrInvalidRequest, including one that gives its key
// twice (two Payment objects: which one is meant cannot be told), and so is
// a Payment or Refund object that gives one of its own keys twice, exactly
// or in another letter case ("Status" and "STATUS": encoding/json would keep
// the last). Reply is 204 No Content, as GlobalPay requires.
//
// GlobalPay may deliver a notification more than once, and asks merchants
// to match the notified Amount and Currency with their own records: see
// CheckAmount.
//
// Replays: GlobalPay signs no body and the driver keeps no state, so a
// notification is reported exactly as sent, also when it is a late or
// replayed copy of an older one (an authorization notified again after the
// capture). Behind a payments.Router the stored status never moves back;
// with a plain payments.NotificationHandler the callback must refuse a
// status its record has moved past (payments.Status.CanTransition), or
// confirm it with Status: the package's ReplayedNotification example shows
// how.
//
// Notify checks the credentials before it reads the body;
// AuthenticateNotification does the same check alone.
func (g *Gateway) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if r == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: request is nil"}
	}
	if r.Method != http.MethodPost {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: GlobalPay notifications are POST requests, got " + r.Method}
	}
	matched, ok := g.verify(r.Header.Get("Authorization"))
	if !ok {
		return nil, errNotAuthenticated()
	}
	if r.Body == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: empty body"}
	}
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: reading the body failed", Err: err}
	}
	if len(body) > maxNotificationBytes {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: fmt.Sprintf("notify: body larger than %d bytes", maxNotificationBytes)}
	}
	return g.parseNotification(body, matched)
}

// AuthenticateNotification checks that r's Authorization header carries
// one site's credentials, as Notify does first, without reading the body
// (ErrUnverified otherwise). payments.NotificationHandler calls it before it
// reads anything (payments.NotificationAuthenticator), so that a request
// without the credentials costs no body read.
func (g *Gateway) AuthenticateNotification(r *http.Request) error {
	if r == nil {
		return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: request is nil"}
	}
	if _, ok := g.verify(r.Header.Get("Authorization")); !ok {
		return errNotAuthenticated()
	}
	return nil
}

var _ payments.NotificationAuthenticator = (*Gateway)(nil)

func errNotAuthenticated() error {
	return &payments.Error{Code: payments.Unverified, Provider: Name, Message: "notify: the Authorization header does not carry the site's credentials"}
}

// defaultBodyBuffer is the buffer readBody starts with when the request does
// not announce its length: a GlobalPay notification is a few kilobytes at
// most (a card payment's, about 1 kB).
const defaultBodyBuffer = 2 << 10

// readBody reads a notification body as io.ReadAll(io.LimitReader(body,
// maxNotificationBytes+1)) does, into one buffer of the announced
// Content-Length (or defaultBodyBuffer) instead of growing one from 512
// bytes: a body longer than maxNotificationBytes comes back with
// maxNotificationBytes+1 bytes, for the caller to refuse.
func readBody(body io.Reader, announced int64) ([]byte, error) {
	size := defaultBodyBuffer
	if announced > 0 && announced <= maxNotificationBytes {
		size = int(announced) + 1 // room to see io.EOF without growing
	}
	b := make([]byte, 0, size)
	for len(b) <= maxNotificationBytes {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		room := b[len(b):cap(b)]
		if rest := maxNotificationBytes + 1 - len(b); len(room) > rest {
			room = room[:rest]
		}
		n, err := body.Read(room)
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
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
	// The header's copy lives on the stack when it is no longer than the
	// buffer (any Basic header of a GlobalPay site): the comparisons keep
	// nothing.
	var buf [256]byte
	h := append(buf[:0], strings.TrimSpace(header)...)
	var set hostSet
	if subtle.ConstantTimeCompare(h, g.apmAuthBytes) == 1 {
		set |= viaAlternative
	}
	if subtle.ConstantTimeCompare(h, g.cardAuthBytes) == 1 {
		set |= viaCard
	}
	return set, set != 0 && len(h) > 0
}

// parseNotification parses a verified notification body. The body must be
// one JSON object with exactly one member, whose key names the kind:
// anything else (not an object, no member, two or more members, a key given
// twice, trailing data) is ErrInvalidRequest. A duplicated key is rejected
// rather than resolved: which of two Payment objects GlobalPay meant cannot
// be told.
//
// The common body, {"Key": value} with a plain key, takes parseSoleMember:
// one structural scan and one json.Unmarshal of the whole body. Anything the
// scan does not recognise, and every body that does not decode, goes to
// parseNotificationTokens, which walks the body token by token and states
// what is wrong with it; both give the same result for every body the first
// one accepts.
func (g *Gateway) parseNotification(body []byte, via hostSet) (*payments.Notification, error) {
	if n, err := g.parseSoleMember(body, via); err != errUndecided {
		return n, err
	}
	return g.parseNotificationTokens(body, via)
}

// errUndecided is parseSoleMember's answer for a body it leaves to
// parseNotificationTokens. It never leaves the package.
var errUndecided = errors.New("smart2pay: notification body left to the token walk")

// notifyInvalid is the ErrInvalidRequest of a notification body that cannot
// be read.
func notifyInvalid(format string, args ...any) error {
	return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: " + fmt.Sprintf(format, args...)}
}

// newNotification is a verified notification with the reply GlobalPay
// expects (204 No Content).
func newNotification() *payments.Notification {
	return &payments.Notification{
		Verified: payments.VerifiedCredentials,
		Reply:    payments.Reply{StatusCode: http.StatusNoContent},
	}
}

// notifiedPayment converts a decoded Payment member into n.
func notifiedPayment(n *payments.Notification, a api, w *wirePayment) error {
	p, err := convertPayment(a, w)
	if err != nil {
		return notifyInvalid("Payment: %v", err)
	}
	if p.ID == "" {
		return notifyInvalid("Payment has no ID")
	}
	n.Kind, n.Payment = payments.NotificationPayment, p
	return nil
}

// notifiedRefund converts a decoded Refund member into n.
func notifiedRefund(n *payments.Notification, a api, w *wireRefund) error {
	rf, err := convertRefund(a, w)
	if err != nil {
		return notifyInvalid("Refund: %v", err)
	}
	if rf.ID == "" {
		return notifyInvalid("Refund has no ID")
	}
	n.Kind, n.Refund = payments.NotificationRefund, rf
	return nil
}

// otherKind is the kind of a notification that is neither a payment nor a
// refund: Payout, or Other (Preapproval, Dispute, and types added later).
func otherKind(key string) payments.NotificationKind {
	if key == "Payout" {
		return payments.NotificationPayout
	}
	return payments.NotificationOther
}

// setRaw sets the notification's Raw (and its payment's or refund's) to
// scrubbed, the whole body with card data and secrets masked.
func setRaw(n *payments.Notification, scrubbed []byte) {
	n.Raw = scrubbed
	if n.Payment != nil {
		n.Payment.Raw = scrubbed
	}
	if n.Refund != nil {
		n.Refund.Raw = scrubbed
	}
}

// parseSoleMember is parseNotification's common case: a body shaped
// {"Key": value} (soleMember) that decodes whole with json.Unmarshal. A body
// that is not of that shape or does not decode is errUndecided: the caller
// then leaves it to parseNotificationTokens, which finds the same result for
// every body parseSoleMember decides and the precise error for the others.
// Any other error is that of a payment or refund member that decoded but
// does not make sense (the same as parseNotificationTokens').
func (g *Gateway) parseSoleMember(body []byte, via hostSet) (*payments.Notification, error) {
	key, member, ok := soleMember(body)
	if !ok {
		return nil, errUndecided
	}
	n := newNotification()
	// Each branch decodes the whole body, not just the member: that checks
	// the envelope as strictly as the token walk (a valid object, nothing
	// after it), so that redact.Decoded may scrub it. The body has one
	// member and its key is exactly the field's name, so encoding/json's
	// case-insensitive matching plays no part.
	switch string(key) {
	case "Payment":
		var env struct {
			Payment wirePayment `json:"Payment"`
		}
		if json.Unmarshal(body, &env) != nil {
			return nil, errUndecided
		}
		if err := inbound.CheckKeys(Name, member); err != nil {
			return nil, err
		}
		if err := notifiedPayment(n, notificationAPI(via, member), &env.Payment); err != nil {
			return nil, err
		}
	case "Refund":
		var env struct {
			Refund wireRefund `json:"Refund"`
		}
		if json.Unmarshal(body, &env) != nil {
			return nil, errUndecided
		}
		if err := inbound.CheckKeys(Name, member); err != nil {
			return nil, err
		}
		if err := notifiedRefund(n, notificationAPI(via, member), &env.Refund); err != nil {
			return nil, err
		}
	default: // Payout, Preapproval, Dispute, and types added later
		if !json.Valid(body) {
			return nil, errUndecided
		}
		n.Kind = otherKind(string(key))
	}
	setRaw(n, redact.Decoded(body))
	return n, nil
}

// parseNotificationTokens is parseNotification for any body: it reads the
// envelope token by token, decodes its one member into the wire type the key
// names, and then requires the object to end, and the body with it.
func (g *Gateway) parseNotificationTokens(body []byte, via hostSet) (*payments.Notification, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, notifyInvalid("the body is not a JSON object")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, notifyInvalid("the body is not a JSON object: %v", err)
	}
	key, ok := tok.(string)
	if !ok {
		return nil, notifyInvalid("the body has 0 top-level keys, GlobalPay sends one naming the notification type")
	}
	n := newNotification()
	switch key {
	case "Payment", "Refund":
		// The member's raw bytes, for notificationAPI when both sites
		// share credentials; then its wire type.
		var member json.RawMessage
		if err := dec.Decode(&member); err != nil {
			return nil, notifyInvalid("%s: %v", key, err)
		}
		if err := inbound.CheckKeys(Name, member); err != nil {
			return nil, err
		}
		a := notificationAPI(via, member)
		if key == "Payment" {
			var w wirePayment
			if err := json.Unmarshal(member, &w); err != nil {
				return nil, notifyInvalid("Payment: %v", err)
			}
			if err := notifiedPayment(n, a, &w); err != nil {
				return nil, err
			}
		} else {
			var w wireRefund
			if err := json.Unmarshal(member, &w); err != nil {
				return nil, notifyInvalid("Refund: %v", err)
			}
			if err := notifiedRefund(n, a, &w); err != nil {
				return nil, err
			}
		}
	default: // Payout, Preapproval, Dispute, and types added later
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, notifyInvalid("the body is not a JSON object: %v", err)
		}
		n.Kind = otherKind(key)
	}
	if dec.More() {
		return nil, notifyInvalid("the body has more than one top-level key, GlobalPay sends one naming the notification type")
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, notifyInvalid("the body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, notifyInvalid("the body is not a JSON object: trailing data after the object")
	}
	setRaw(n, redact.JSON(body))
	return n, nil
}

// soleMember finds the one member of a body shaped {"Key": value}, JSON
// whitespace allowed around every token: its key, which must be plain
// printable ASCII (no escape: the key is then exactly its bytes), and its
// value's bytes. It is a structural scan that relies
// on the body being valid JSON, which the caller checks afterwards by
// decoding the whole body: on valid JSON, ok is true exactly when the body is
// an object with one member and a plain key. On other input it never panics
// and may answer anything; the caller's decoding then fails and discards the
// answer.
func soleMember(body []byte) (key, value []byte, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, nil, false
	}
	i = skipSpace(body, i+1)
	if i >= len(body) || body[i] != '"' {
		return nil, nil, false // no member, or not JSON
	}
	k := bytes.IndexByte(body[i+1:], '"')
	if k < 0 {
		return nil, nil, false
	}
	key = body[i+1 : i+1+k]
	for _, c := range key {
		if c < 0x20 || c > 0x7e || c == '\\' {
			// An escape, a byte JSON forbids there, or UTF-8 that
			// encoding/json might rewrite: left to the token walk.
			return nil, nil, false
		}
	}
	i = skipSpace(body, i+2+k)
	if i >= len(body) || body[i] != ':' {
		return nil, nil, false
	}
	start := skipSpace(body, i+1)
	end := valueEnd(body, start)
	if end < 0 {
		return nil, nil, false
	}
	i = skipSpace(body, end)
	if i >= len(body) || body[i] != '}' {
		return nil, nil, false // a ',' and more members, or not JSON
	}
	if skipSpace(body, i+1) != len(body) {
		return nil, nil, false // trailing data
	}
	return key, body[start:end], true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (len(b) if none).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at b[i]
// (valid JSON assumed, as for soleMember), or -1 when b ends first or the
// brackets do not balance.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '{', '[':
	case '"':
		return stringEnd(b, i)
	case '}', ']', ',', ':':
		return -1
	default: // a number, true, false or null: up to the next delimiter
		j := i
		for j < len(b) && !isJSONDelim(b[j]) {
			j++
		}
		return j
	}
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			j := stringEnd(b, i)
			if j < 0 {
				return -1
			}
			i = j
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return -1
			}
		}
		i++
	}
	return -1
}

// isJSONDelim reports whether c ends a number or literal.
func isJSONDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// stringEnd returns the index just past the closing quote of the JSON string
// that starts at b[i], or -1 when b ends first. A quote closes the string
// when an even number of backslashes precedes it.
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		escapes := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			escapes++
		}
		j++
		if escapes%2 == 0 {
			return j
		}
	}
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
