package smart2paytest

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var homePage = template.Must(template.New("home").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>GlobalPay simulator</title></head>
<body>
<h1>GlobalPay simulator</h1>
<p>Payment {{.ID}} ({{.Reference}}): {{.Amount}} minor units of {{.Currency}}, status {{.Status}}.</p>
{{if .Open}}<form method="post" action="{{.Action}}">
<button name="result" value="success">Pay</button>
<button name="result" value="authorize">Authorize</button>
<button name="result" value="processing">Pending</button>
<button name="result" value="fail">Fail</button>
<button name="result" value="cancel">Cancel</button>
</form>{{else}}<p>This payment can no longer be paid here.</p>{{end}}
{{if .Done}}<p>Redirection status data={{.Data}}.</p>{{end}}
</body></html>
`))

type homeData struct {
	ID, Reference, Currency, Status, Action string
	Amount                                  int64
	Open, Done                              bool
	Data                                    int
}

// handleHome serves the customer's page at RedirectURL (/Home?PaymentToken=TOKEN.ID) on the
// alternative-methods host, without authentication (it is the customer's browser):
//
//	GET                  shows the payment and one button per outcome, and marks the
//	                     payment as accessed (it can no longer be cancelled by the merchant)
//	GET  …&result=X      completes it with outcome X
//	POST result=X (form) completes it with outcome X
//
// Completing answers 303 See Other to ReturnURL?data=N&MerchantTransactionID=REF, or a small
// page when the payment has no ReturnURL.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	full := r.URL.Query().Get("PaymentToken")
	token, idPart, _ := strings.Cut(full, ".")
	var result string
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil {
			result = r.PostForm.Get("result")
		}
	}
	if result == "" {
		result = r.URL.Query().Get("result")
	}

	s.mu.Lock()
	now := s.now()
	s.expireLocked(now)
	p := s.st.byToken[token]
	if p == nil || p.idString() != idPart {
		s.mu.Unlock()
		http.Error(w, "invalid PaymentToken", http.StatusNotFound)
		return
	}
	data := homeData{
		ID: p.idString(), Reference: p.mtid, Currency: p.currency, Amount: p.amount,
		Action: "/Home?PaymentToken=" + url.QueryEscape(full),
	}
	if result == "" {
		if completable(p.status) {
			p.accessed = true
		}
		data.Status, data.Open = statusInfo[p.status], completable(p.status)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = homePage.Execute(w, data)
		return
	}
	dataCode, target, err := s.completeCodeLocked(p, result, now)
	data.Status = statusInfo[p.status]
	s.mu.Unlock()
	if err != nil {
		code := http.StatusConflict
		if errors.Is(err, errUnknownOutcome) {
			code = http.StatusBadRequest
		}
		http.Error(w, err.Error(), code)
		return
	}
	if target != "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	data.Done, data.Data = true, dataCode
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homePage.Execute(w, data)
}

var errUnknownOutcome = errors.New("smart2paytest: unknown outcome (want success, fail, cancel, processing or authorize)")

func completable(status int) bool {
	return status == StatusOpen || status == StatusPendingOnCustomer
}

func (s *Server) completeLocked(p *payment, outcome string, now time.Time) (string, error) {
	_, target, err := s.completeCodeLocked(p, outcome, now)
	return target, err
}

// completeCodeLocked applies the customer's outcome and returns the redirection status (data)
// and the ReturnURL to send the customer to ("" without ReturnURL).
func (s *Server) completeCodeLocked(p *payment, outcome string, now time.Time) (int, string, error) {
	var status, data int
	var moved string
	switch outcome {
	case OutcomeSuccess:
		status, data = StatusSuccess, RedirectSuccess
		if p.capture != nil && !*p.capture {
			status, data = StatusAuthorized, RedirectAuthorized
		}
	case OutcomeAuthorize:
		status, data = StatusAuthorized, RedirectAuthorized
	case OutcomeFail:
		status, data = StatusFailed, RedirectFailed
	case OutcomeCancel:
		status, data = StatusCancelled, RedirectCancelled
	case OutcomeProcessing:
		status, data = StatusPendingOnProvider, RedirectProcessing
	default:
		return 0, "", fmt.Errorf("%w: %q", errUnknownOutcome, outcome)
	}
	if !completable(p.status) {
		return 0, "", fmt.Errorf("%w: payment %d is %s", ErrInvalidState, p.id, statusInfo[p.status])
	}
	p.accessed = true
	p.status, p.reasons = status, nil
	if status == StatusSuccess {
		p.capturedAmount = p.amount
		moved = amountString(p.amount)
	}
	s.logOpLocked("complete", p, p.idString(), moved, statusInfo[status], now)
	s.notifyPaymentLocked(p)
	if p.returnURL == nil {
		return data, "", nil
	}
	return data, returnURLWith(*p.returnURL, data, p.mtid), nil
}

// returnURLWith appends data and MerchantTransactionID to the merchant's ReturnURL, in the
// document's order: http://www.merchant.com/redirect.php?data=2&MerchantTransactionID=215.
func returnURLWith(returnURL string, data int, mtid string) string {
	base, frag, _ := strings.Cut(returnURL, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	out := base + sep + "data=" + strconv.Itoa(data) + "&MerchantTransactionID=" + url.QueryEscape(mtid)
	if frag != "" {
		out += "#" + frag
	}
	return out
}
