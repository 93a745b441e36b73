package smartpaymentstest

import (
	"encoding/base64"
	"strings"
	"time"
)

// What a transaction waits for from the customer on its form_url page.
const (
	stageNone      = ""
	stageCard      = "card"      // hosted payment form or tokenization form: card details
	stageChallenge = "challenge" // 3-D Secure challenge
)

// Payment methods as PaymentState.Method reports them.
const (
	MethodForm      = "form"          // /initPayment hosted form
	MethodCard      = "card"          // card details sent by the merchant
	MethodApplePay  = "applePayDPan"  // Apple Pay token
	MethodGooglePay = "googlePayDPan" // Google Pay token
	MethodRecurrent = "recurrent"     // /recurrent from a parent payment
	MethodToken     = "token"         // withdrawal to a tokenized card
)

// txn is one transaction: a payment, refund, withdrawal or tokenization session.
type txn struct {
	kind       string
	orderID    string // merchant order_id; for a refund its refund_id
	pid        string // processing order id, payment_id or refund_id
	account    string
	currency   string
	amount     int64
	method     string
	twoStep    bool
	status     int
	authStatus string
	stage      string
	visited    bool
	captured   int64
	refunded   int64
	errCode    string
	cascade    []CascadeError
	pan        string // full card number, never exposed or logged
	wallet     string // wallet token
	panOnly    bool   // Google Pay token with the PAN_ONLY auth method
	firstName  string
	lastName   string
	callback   string
	successURL string
	failURL    string
	parent     *txn // refund: the refunded payment; recurrent: the parent payment
	refunds    []string
	rrn, eci   string
	created    time.Time
	ended      time.Time
}

// finalAmount is what the customer is finally charged (see the package doc).
func (t *txn) finalAmount() int64 {
	if t.status != StatusSuccess {
		return 0
	}
	switch t.kind {
	case TypePayment:
		return t.captured - t.refunded
	case TypeTokenization:
		return 0
	default:
		return t.amount
	}
}

func (t *txn) card() *cardJSON { return cardInfo(t.pan) }

// PaymentState is a snapshot of one transaction, in the provider's terms.
// Amounts are integer minor units, as on the wire.
type PaymentState struct {
	Type             string         // "Payment", "Refund", "Withdrawal" or "Tokenization"
	OrderID          string         // merchant order_id (for a refund: its refund_id)
	ProcessingID     string         // provider id: processing order id, or payment_id / refund_id (UUIDs)
	Account          string         // merchant account name
	Method           string         // MethodForm, MethodCard, MethodApplePay, MethodGooglePay, MethodRecurrent, MethodToken
	TwoStep          bool           // created by /authorize
	Status           int            // 0, 1, 2 or -1
	AuthorizeStatus  string         // two-step payments only (AuthorizePending, ...); "" otherwise
	Amount           int64          // requested amount
	Currency         string         // ISO 4217 alpha-3
	CapturedAmount   int64          // charged amount (one-step success: Amount)
	RefundedAmount   int64          // sum of refunds
	FinalAmount      int64          // as /check reports finalAmount
	ErrorMessage     string         // transaction error code, "" unless failed
	CascadeErrors    []CascadeError // nil unless failed
	CardMasked       string         // e.g. "401200******3010"; "" if no card is known
	FormURL          string         // the customer-facing page, "" for refunds and withdrawals
	AwaitingCustomer string         // "card" (form not filled), "challenge" (3-D Secure pending) or ""
	Visited          bool           // the customer opened FormURL
	RRN, ECI         string         // set on success
	ParentOrderID    string         // refund: the payment's order_id; recurrent: the parent's order_id
	RefundIDs        []string       // refunds of this payment, in order
	NotificationURL  string
	SuccessURL       string
	FailURL          string
	Created          time.Time
	Ended            time.Time // zero until final
}

// Payment returns a snapshot of the transaction with the given merchant
// order_id, processing order id, payment_id or refund_id.
func (s *Server) Payment(orderID string) (PaymentState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(orderID)
	if t == nil {
		return PaymentState{}, false
	}
	ps := PaymentState{
		Type:             t.kind,
		OrderID:          t.orderID,
		ProcessingID:     t.pid,
		Account:          t.account,
		Method:           t.method,
		TwoStep:          t.twoStep,
		Status:           t.status,
		AuthorizeStatus:  t.authStatus,
		Amount:           t.amount,
		Currency:         t.currency,
		CapturedAmount:   t.captured,
		RefundedAmount:   t.refunded,
		FinalAmount:      t.finalAmount(),
		ErrorMessage:     t.errCode,
		CascadeErrors:    append([]CascadeError(nil), t.cascade...),
		AwaitingCustomer: t.stage,
		Visited:          t.visited,
		RRN:              t.rrn,
		ECI:              t.eci,
		RefundIDs:        append([]string(nil), t.refunds...),
		NotificationURL:  t.callback,
		SuccessURL:       t.successURL,
		FailURL:          t.failURL,
		Created:          t.created,
		Ended:            t.ended,
	}
	if c := t.card(); c != nil {
		ps.CardMasked = c.Number
	}
	if t.parent != nil {
		ps.ParentOrderID = t.parent.orderID
	}
	if t.kind == TypePayment && t.method != MethodRecurrent || t.kind == TypeTokenization {
		ps.FormURL = s.formURL(t.pid)
	}
	return ps, true
}

func (s *Server) lookupLocked(id string) *txn {
	if t := s.byOrder[id]; t != nil {
		return t
	}
	return s.byID[id]
}

// registerLocked stores a new transaction; the caller checked that its
// order_id is free.
func (s *Server) registerLocked(t *txn) {
	t.created = s.now()
	s.byOrder[t.orderID] = t
	s.byID[t.pid] = t
	s.txns = append(s.txns, t)
}

func duplicate() *reqError {
	return badRequest(CodeDuplicatedOrderID, Description(CodeDuplicatedOrderID))
}

// wantsChallenge decides the 3-D Secure flow of a card or wallet payment.
func (s *Server) wantsChallengeLocked(t *txn) bool {
	if f, ok := s.flows[t.orderID]; ok {
		return f == FlowChallenge
	}
	if t.pan != "" {
		if f, ok := s.flows[t.pan]; ok {
			return f == FlowChallenge
		}
	}
	return t.pan == CardChallenge || t.panOnly
}

// approvalCode is the result of a payment once authentication has passed: "" for
// approval, else the transaction error code.
func approvalCode(t *txn) string {
	switch t.method {
	case MethodRecurrent:
		return recurrentDeclineCode(t.amount)
	case MethodApplePay, MethodGooglePay:
		if t.wallet == FailWalletToken {
			return DeclineCodeForAmount(t.amount)
		}
		return ""
	default:
		if t.pan == CardFrictionless || t.pan == CardChallenge {
			return ""
		}
		return DeclineCodeForAmount(t.amount)
	}
}

// finishLocked moves a payment to its final status: approved when code is
// "", else failed with code. It sends the callback.
func (s *Server) finishLocked(t *txn, code string) {
	t.stage = stageNone
	t.ended = s.now()
	if code == "" {
		t.status = StatusSuccess
		if t.twoStep {
			t.authStatus = AuthorizeApproved
		} else {
			t.captured = t.amount
		}
		t.rrn = s.newRRN()
		t.eci = "05"
		if t.method == MethodRecurrent {
			t.eci = "07"
		}
	} else {
		t.status = StatusFail
		t.errCode = code
		t.cascade = cascadeFor(code)
		if t.twoStep {
			t.authStatus = AuthorizeDeclined
		}
	}
	s.notifyLocked(t)
}

// googlePanOnly reports whether a base64 Google Pay token says its auth
// method is PAN_ONLY (such payments are forced through 3-D Secure).
func googlePanOnly(token string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(token); err == nil {
			return strings.Contains(string(b), "PAN_ONLY")
		}
	}
	return false
}

// checkResponse is the /check answer, keys in the document's order.
type checkResponse struct {
	OrderID           string         `json:"order_id"`
	Status            int            `json:"status"`
	Amount            int64          `json:"amount"`
	FinalAmount       int64          `json:"finalAmount"`
	Card              *cardJSON      `json:"card"`
	ErrorMessage      *string        `json:"errorMessage"`
	CascadeErrors     []CascadeError `json:"cascadeErrors"`
	EndDate           *string        `json:"endDate"`
	AuthorizeStatus   *string        `json:"authorize_status"`
	Type              string         `json:"type"`
	FirstName         *string        `json:"firstName"`
	LastName          *string        `json:"lastName"`
	RRN               *string        `json:"rrn"`
	ECI               *string        `json:"eci"`
	ParentTransaction *string        `json:"parentTransaction,omitempty"`
}

// authorizeStatus is the "authorize_status" reported for t: null, as the
// document shows it, unless WithAuthorizeStatus.
func (s *Server) authorizeStatus(t *txn) *string {
	if !s.cfg.authorizeStatus {
		return nil
	}
	return strOrNil(t.authStatus)
}

func (s *Server) checkLocked(t *txn) checkResponse {
	r := checkResponse{
		OrderID:         t.orderID,
		Status:          t.status,
		Amount:          t.amount,
		FinalAmount:     t.finalAmount(),
		Card:            t.card(),
		ErrorMessage:    strOrNil(t.errCode),
		CascadeErrors:   t.cascade,
		AuthorizeStatus: s.authorizeStatus(t),
		Type:            t.kind,
		FirstName:       strOrNil(t.firstName),
		LastName:        strOrNil(t.lastName),
		RRN:             strOrNil(t.rrn),
		ECI:             strOrNil(t.eci),
	}
	if !t.ended.IsZero() {
		r.EndDate = ptr(fmtTime(t.ended))
	}
	if t.kind == TypeRefund {
		r.ParentTransaction = ptr(t.parent.pid)
	}
	return r
}
