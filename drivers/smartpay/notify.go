package smartpay

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/inbound"
)

// maxNotificationBytes caps a webhook body (the provider sends a few
// kilobytes).
const maxNotificationBytes = payments.DefaultMaxNotificationBytes

// Webhook object types (PROVIDERS.md section 3).
const (
	objectPayment    = "payment"
	objectPrepayment = "prepayment"
	objectRefund     = "refund"
)

// Notify reads a SmartPay webhook: a JSON POST with the envelope {id,
// merchantKey, createdAt, origin, eventType, objectId, objectType, context,
// data, metadata}. SmartPay does not sign webhooks, so:
//
//   - when Config.NotificationAuth is set, the request must carry exactly
//     those Basic credentials (compared in constant time), else
//     ErrUnverified;
//   - a merchantKey in the body must be ours, else ErrUnverified;
//   - the body's state is never trusted: for payment and prepayment objects
//     the payment (objectId = transactionId) is fetched with Get Payment
//     Status, as the provider advises, and the confirmed state is returned
//     (Verified includes VerifiedByQuery); for refund objects (objectId =
//     refundId) the payment named by context/data.transactionId is fetched,
//     and Refund is set when the confirmed answer shows that refund.
//
// An unknown payment is ErrUnverified; a status query that fails for lack
// of the provider is returned as is, so NotificationHandler answers 500 and
// SmartPay delivers again. The reply is 200.
func (g *Gateway) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if r == nil || r.Body == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: no request body"}
	}
	if r.Method != http.MethodPost {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: SmartPay webhooks are POST requests, got " + r.Method}
	}
	var verified payments.Verification
	if g.cfg.NotificationAuth != nil {
		if err := g.AuthenticateNotification(r); err != nil {
			return nil, err
		}
		verified |= payments.VerifiedCredentials
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBytes+1))
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: reading the body", Err: err}
	}
	if len(body) > maxNotificationBytes {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: body too large"}
	}
	ev, valid, err := parseWebhook(body)
	if err != nil {
		return nil, err
	}
	if ev.MerchantKey != "" && subtle.ConstantTimeCompare([]byte(ev.MerchantKey), []byte(g.cfg.MerchantKey)) != 1 {
		return nil, &payments.Error{Code: payments.Unverified, Provider: Name, Message: "notify: the notification is for another merchant"}
	}
	n := &payments.Notification{Reply: payments.Reply{StatusCode: http.StatusOK}}
	// The body loses the configuration's credentials too (the webhook
	// password, the OAuth client's), should the sender have echoed one.
	if creds := g.client.Secrets(); valid {
		n.Raw = creds.Decoded(body) // decoded whole by json.Unmarshal
	} else {
		n.Raw = creds.JSON(body)
	}
	switch ev.ObjectType {
	case objectPayment, objectPrepayment:
		n.Kind = payments.NotificationPayment
		a, err := g.confirm(ctx, ev.TransactionID)
		if err != nil {
			return nil, err
		}
		n.Payment, n.Verified = a.p, verified|payments.VerifiedByQuery
		return n, nil
	case objectRefund:
		n.Kind = payments.NotificationRefund
		if ev.TransactionID == "" {
			return nil, &payments.Error{Code: payments.Unverified, Provider: Name,
				Message: "notify: the refund notification names no transactionId to confirm it with"}
		}
		a, err := g.confirm(ctx, ev.TransactionID)
		if err != nil {
			return nil, err
		}
		p, doc := a.p, a.doc
		n.Payment, n.Verified = p, verified|payments.VerifiedByQuery
		if m := doc.Modification.latest(); m != nil && strings.EqualFold(m.ModificationData.Type, modRefund) && m.ModificationData.RefundID == ev.ObjectID {
			if ref, err := refundFrom(opStatus, doc, p, ev.ObjectID, nil, p.Raw); err == nil {
				ref.Raw = p.Raw
				n.Refund, _ = scrub(a.resp, ref, nil)
			}
		}
		return n, nil
	}
	// An object type this driver does not know: nothing to confirm it with.
	if verified == 0 {
		return nil, &payments.Error{Code: payments.Unverified, Provider: Name,
			Message: fmt.Sprintf("notify: objectType %q cannot be confirmed and the webhook carries no credentials", ev.ObjectType)}
	}
	n.Kind, n.Verified = payments.NotificationOther, verified
	return n, nil
}

// AuthenticateNotification checks that r carries Config.NotificationAuth's
// Basic credentials (compared in constant time), as Notify does first,
// without reading the body: ErrUnverified otherwise. Without
// NotificationAuth there is nothing to check in the headers and it returns
// nil. payments.NotificationHandler calls it before it reads anything
// (payments.NotificationAuthenticator).
func (g *Gateway) AuthenticateNotification(r *http.Request) error {
	na := g.cfg.NotificationAuth
	if na == nil {
		return nil
	}
	if r == nil || !checkBasic(r, na.Username, na.Password.Reveal()) {
		return &payments.Error{Code: payments.Unverified, Provider: Name, Message: "notify: missing or wrong webhook credentials"}
	}
	return nil
}

var _ payments.NotificationAuthenticator = (*Gateway)(nil)

// confirm fetches the payment a notification names. An unknown payment is
// ErrUnverified. Notifications about one payment that arrive while its
// query is in flight share it, and new queries are bounded by
// Config.NotificationQueriesPerSecond (ErrRateLimited over it: no query is
// sent). The answer, scrubbed once by call, is shared by the
// notifications that joined the query; each gets its own Payment.
func (g *Gateway) confirm(ctx context.Context, id string) (*statusAnswer, error) {
	a, shared, err := g.notifyQueries.Do(ctx, id, func() (*statusAnswer, error) {
		return g.statusDoc(ctx, id, false)
	})
	if err != nil {
		if errors.Is(err, payments.ErrNotFound) {
			return nil, &payments.Error{Code: payments.Unverified, Provider: Name,
				Message: fmt.Sprintf("notify: SmartPay knows no transaction %q", id), Err: err}
		}
		return nil, err
	}
	if shared && a.p != nil {
		cp, pc := *a, *a.p // the caller may change its payment; not the others'
		cp.p = &pc
		a = &cp
	}
	return a, nil
}

// NotificationEvent is a parsed SmartPay webhook envelope. Its contents are
// claims, not facts: Notify confirms them with the provider.
type NotificationEvent struct {
	// ID is the event id (the same on redeliveries).
	ID string
	// MerchantKey is the merchant the event is for, when given.
	MerchantKey string
	// CreatedAt is the event time as sent.
	CreatedAt string
	// Origin is api, widget or automated.
	Origin string
	// EventType is "updated".
	EventType string
	// ObjectType is payment, prepayment or refund (lower case).
	ObjectType string
	// ObjectID is the transactionId (payment, prepayment) or the refundId
	// (refund).
	ObjectID string
	// TransactionID is the payment the event is about: ObjectID for payment
	// objects, else context.transactionId or data.transactionId.
	TransactionID string
}

// ParseNotification parses a webhook body without trusting it. A body that
// is not the documented envelope, or whose identifiers are unusable, is an
// ErrInvalidRequest error.
func ParseNotification(body []byte) (*NotificationEvent, error) {
	ev, _, err := parseWebhook(body)
	return ev, err
}

// parseWebhook is ParseNotification, also reporting whether body is one valid
// JSON value (then redact.Decoded may scrub it).
//
// The usual body, one JSON object, is decoded with json.Unmarshal. Any
// other body takes the json.Decoder path it always took, which tolerates
// what Unmarshal does not (a closing bracket after the object, spaces
// JSON does not know around it) and words the errors: the same bodies are
// accepted and refused as before.
//
// A key given twice in the envelope, or in the context or data object it
// reads transactionId from, exactly or in another letter case
// ("merchantKey" twice, "MERCHANTKEY"), is ErrInvalidRequest: encoding/json
// would keep the last one, which let a body name a merchant and then
// erase it.
func parseWebhook(body []byte) (*NotificationEvent, bool, error) {
	var ev webhookEvent
	valid, err := readEnvelope(body, &ev)
	if err != nil {
		return nil, false, err
	}
	for _, obj := range [][]byte{body, ev.Context, ev.Data} {
		if err := inbound.CheckKeys(Name, obj); err != nil {
			return nil, false, err
		}
	}
	n, err := eventOf(&ev)
	return n, valid, err
}

func badWebhook(msg string, err error) *payments.Error {
	return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "notify: " + msg, Err: err}
}

// readEnvelope decodes the envelope into ev and reports whether body is one
// valid JSON value.
func readEnvelope(body []byte, ev *webhookEvent) (bool, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false, badWebhook("the body is not a JSON object", nil)
	}
	if json.Unmarshal(body, ev) == nil {
		return true, nil
	}
	*ev = webhookEvent{} // Unmarshal may have filled some of it
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(ev); err != nil {
		return false, badWebhook("malformed webhook body", err)
	}
	if dec.More() {
		return false, badWebhook("data after the JSON object", nil)
	}
	return false, nil
}

// eventOf checks the envelope's identifiers and builds the NotificationEvent.
func eventOf(ev *webhookEvent) (*NotificationEvent, error) {
	bad := func(msg string, err error) (*NotificationEvent, error) {
		return nil, badWebhook(msg, err)
	}
	n := &NotificationEvent{
		ID: ev.ID, MerchantKey: ev.MerchantKey, CreatedAt: ev.CreatedAt, Origin: ev.Origin,
		EventType: ev.EventType, ObjectType: strings.ToLower(strings.TrimSpace(ev.ObjectType)),
		ObjectID: strings.TrimSpace(string(ev.ObjectID)),
	}
	if n.ObjectType == "" {
		return bad("objectType is missing", nil)
	}
	if n.ObjectID == "" {
		return bad("objectId is missing", nil)
	}
	if err := checkID(n.ObjectID); err != nil {
		return bad("objectId is not a SmartPay id", err)
	}
	switch n.ObjectType {
	case objectPayment, objectPrepayment:
		n.TransactionID = n.ObjectID
	default:
		for _, raw := range []json.RawMessage{ev.Context, ev.Data} {
			var refs webhookRefs
			if len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '{' && json.Unmarshal(raw, &refs) == nil && refs.TransactionID != "" {
				n.TransactionID = strings.TrimSpace(string(refs.TransactionID))
				break
			}
		}
		if n.TransactionID != "" {
			if err := checkID(n.TransactionID); err != nil {
				return bad("transactionId is not a SmartPay id", err)
			}
		}
	}
	return n, nil
}

// checkBasic compares the request's Basic credentials with user and pass
// in constant time (both are always compared).
func checkBasic(r *http.Request, user, pass string) bool {
	u, p, ok := r.BasicAuth()
	okUser := subtle.ConstantTimeCompare([]byte(u), []byte(user))
	okPass := subtle.ConstantTimeCompare([]byte(p), []byte(pass))
	return ok && okUser&okPass == 1
}
