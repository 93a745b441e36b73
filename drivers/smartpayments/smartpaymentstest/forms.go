package smartpaymentstest

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// Challenge outcomes accepted on a challenge page (form field or query
// parameter "outcome").
const (
	OutcomeSuccess = "success" // authentication passed; the card's result applies
	OutcomeFail    = "fail"    // authentication failed: AUTHENTICATION_PROCESSING_ERROR
	OutcomeCancel  = "cancel"  // customer pressed Cancel: 3DS_CANCEL_PROCESSING_ERROR
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>SmartPayments simulator</title></head><body>
{{if eq .Kind "card"}}<h1>{{if .Tokenize}}Card for payouts{{else}}Pay {{.Amount}} {{.Currency}} (minor units){{end}}</h1>
<form method="post" action="/{{.ID}}">
<label>Card number <input name="card_number" autocomplete="cc-number"></label>
<label>Card holder <input name="card_holder"></label>
<label>Month <input name="card_exp_month" size="2"></label>
<label>Year <input name="card_exp_year" size="2"></label>
<label>CVV <input name="card_cvv" size="4"></label>
<button type="submit">{{if .Tokenize}}Save{{else}}Pay{{end}}</button>
</form>
{{else if eq .Kind "challenge"}}<h1>3-D Secure</h1><p>Authenticate the payment of {{.Amount}} {{.Currency}} (minor units).</p>
<form method="post" action="/{{.ID}}">
<button name="outcome" value="success">Authenticate</button>
<button name="outcome" value="fail">Fail authentication</button>
<button name="outcome" value="cancel">Cancel</button>
</form>
{{else}}<h1>{{.Title}}</h1><p>{{.Text}}</p>{{end}}
</body></html>
`))

type pageData struct {
	Kind     string // "card", "challenge" or "message"
	ID       string
	Amount   int64
	Currency string
	Tokenize bool
	Title    string
	Text     string
}

func writePage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

func messagePage(w http.ResponseWriter, status int, title, text string) {
	writePage(w, status, pageData{Kind: "message", Title: title, Text: text})
}

// handleForm serves the customer-facing host: GET /{id} shows the card form,
// the challenge page or (once final) redirects to success_url / fail_url;
// POST /{id} submits card details (form fields card_number, card_holder,
// card_exp_month, card_exp_year, card_cvv) or a challenge outcome (field
// "outcome"). GET /{id}?outcome=success|fail|cancel completes a challenge too.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/")
	if id == "" || strings.Contains(id, "/") {
		messagePage(w, http.StatusNotFound, "Not found", "No such page.")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		messagePage(w, http.StatusMethodNotAllowed, "Method not allowed", r.Method)
		return
	}
	var outcome, pan string
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			messagePage(w, http.StatusBadRequest, "Bad request", err.Error())
			return
		}
		outcome, pan = r.PostForm.Get("outcome"), r.PostForm.Get("card_number")
	} else {
		outcome = r.URL.Query().Get("outcome")
	}

	s.mu.Lock()
	t := s.byID[id]
	if t == nil || (t.kind != TypePayment && t.kind != TypeTokenization) {
		s.mu.Unlock()
		messagePage(w, http.StatusNotFound, "Not found", "Unknown payment.")
		return
	}
	var err error
	acted := false
	switch {
	case t.stage == stageCard && r.Method == http.MethodPost:
		err, acted = s.submitCardLocked(t, pan), true
	case t.stage == stageChallenge && outcome != "":
		err, acted = s.completeChallengeLocked(t, outcome), true
	case t.stage != stageNone:
		s.visitLocked(t)
	}
	d := pageData{Kind: t.stage, ID: t.pid, Amount: t.amount, Currency: t.currency, Tokenize: t.kind == TypeTokenization}
	stage, status, target := t.stage, t.status, t.failURL
	if status == StatusSuccess {
		target = t.successURL
	}
	s.mu.Unlock()

	redirect := http.StatusFound
	if r.Method == http.MethodPost {
		redirect = http.StatusSeeOther
	}
	switch {
	case err != nil:
		messagePage(w, http.StatusBadRequest, "Bad request", err.Error())
	case stage != stageNone && !acted:
		writePage(w, http.StatusOK, d)
	case stage != stageNone: // card accepted, challenge next
		http.Redirect(w, r, "/"+id, redirect)
	case target != "":
		http.Redirect(w, r, target, redirect)
	case status == StatusSuccess:
		messagePage(w, http.StatusOK, "Success", "The transaction succeeded.")
	default:
		messagePage(w, http.StatusOK, "Failed", "The transaction failed.")
	}
}

// visitLocked records that the customer opened the page: a transaction
// waiting for redirect (0) becomes processing (1).
func (s *Server) visitLocked(t *txn) {
	t.visited = true
	if t.status == StatusWaitingRedirect {
		t.status = StatusProcessing
	}
}

func (s *Server) submitCardLocked(t *txn, pan string) error {
	if t.stage != stageCard {
		return fmt.Errorf("%w: %s does not wait for card details", ErrWrongState, t.orderID)
	}
	s.visitLocked(t) // the customer is on the page, even if the card is refused
	if !validPAN(pan) {
		return fmt.Errorf("card_number must be 12 to 19 digits")
	}
	t.pan = pan
	switch {
	case t.kind == TypeTokenization:
		t.stage = stageNone
		t.status = StatusSuccess
		t.ended = s.now()
		s.notifyLocked(t)
	case s.wantsChallengeLocked(t):
		t.stage = stageChallenge
	default:
		s.finishLocked(t, approvalCode(t))
	}
	s.logOp("customer", t, t.orderID, t.amount)
	return nil
}

func (s *Server) completeChallengeLocked(t *txn, outcome string) error {
	if t.stage != stageChallenge {
		return fmt.Errorf("%w: %s does not wait for a 3-D Secure challenge", ErrWrongState, t.orderID)
	}
	var code string
	switch outcome {
	case OutcomeSuccess:
		code = approvalCode(t)
	case OutcomeFail:
		code = CodeAuthentication
	case OutcomeCancel:
		code = Code3DSCancel
	default:
		return fmt.Errorf("outcome must be one of: success, fail, cancel")
	}
	s.visitLocked(t)
	s.finishLocked(t, code)
	s.logOp("customer", t, t.orderID, t.amount)
	return nil
}

func (s *Server) lookupErr(id string) (*txn, error) {
	t := s.lookupLocked(id)
	if t == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownOrder, id)
	}
	return t, nil
}

// CompleteChallenge completes the 3-D Secure challenge of a payment (by
// merchant order_id or processing order id), as the customer would on its
// form_url page: success=true passes authentication and the card's result
// applies; success=false fails it with AUTHENTICATION_PROCESSING_ERROR. The
// callback is sent as usual. It returns ErrUnknownOrder or ErrWrongState.
//
// Deprecated: use Complete, which also accepts Router IDs, offers the
// Cancel outcome and is the same method on every simulator.
func (s *Server) CompleteChallenge(orderID string, success bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupErr(orderID)
	if err != nil {
		return err
	}
	outcome := OutcomeFail
	if success {
		outcome = OutcomeSuccess
	}
	return s.completeChallengeLocked(t, outcome)
}

// SubmitCard enters a card number on the hosted payment form of an
// /initPayment order or on a withdrawal tokenization form, as the customer
// would. A payment then follows the card rules (it may need a challenge:
// see CompleteChallenge); a tokenization session succeeds with any card.
func (s *Server) SubmitCard(orderID, cardNumber string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupErr(orderID)
	if err != nil {
		return err
	}
	return s.submitCardLocked(t, cardNumber)
}

// Expire times out a transaction that waits for the customer: an unfilled
// payment or tokenization form fails with FORM_TIMEOUT_PROCESSING_ERROR; a
// challenge fails with 3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR if the customer
// never opened form_url, else 3DS_TIMEOUT_PROCESSING_ERROR.
func (s *Server) Expire(orderID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupErr(orderID)
	if err != nil {
		return err
	}
	var code string
	switch {
	case t.stage == stageCard:
		code = CodeFormTimeout
	case t.stage == stageChallenge && t.visited:
		code = Code3DSTimeout
	case t.stage == stageChallenge:
		code = Code3DSRedirectTimeout
	default:
		return fmt.Errorf("%w: %s does not wait for the customer", ErrWrongState, orderID)
	}
	s.finishLocked(t, code)
	s.logOp("expire", t, t.orderID, t.amount)
	return nil
}
