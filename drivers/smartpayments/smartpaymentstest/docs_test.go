package smartpaymentstest_test

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

var processingID = regexp.MustCompile(`^[0-9a-f]{24}$`)
var uuidLike = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// The document's requests are sent verbatim (callbacks are off: their
// callback_url is https://site.com/callback).

func TestDocInitPayment(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications())
	r := post(t, srv, srv.BaseURL(), "/initPayment", docInitPaymentReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docInitPaymentResp)
	wantEqual(t, "order_id", r.str("order_id"), "sandboxFormId_1015")
	wantEqual(t, "status", r.num("status"), 1)
	wantEqual(t, "responseType", r.str("responseType"), "REDIRECT")
	wantEqual(t, "description", r.str("description"), "")
	formURL := r.str("form_url")
	if id, ok := strings.CutPrefix(formURL, srv.FormURL()+"/"); !ok || !processingID.MatchString(id) {
		t.Errorf("form_url %q is not %s/<24 hex digits>", formURL, srv.FormURL())
	}
	wantEqual(t, "status before the customer opens the form", check(t, srv, "sandboxFormId_1015").num("status"), 0)
	page := browse(t, srv, http.MethodGet, formURL, nil)
	wantCode(t, page, http.StatusOK)
	if !strings.Contains(string(page.raw), `name="card_number"`) {
		t.Errorf("form page has no card_number field: %s", page.raw)
	}
	wantEqual(t, "status after the customer opened the form", check(t, srv, "sandboxFormId_1015").num("status"), 1)
}

// The /check answer's shape: the document's example plus rrn and eci, which
// its response table lists (seed 000_2d15c756a78f42ef.txt l.404-405).
func checkShape(t *testing.T, doc string, success bool) string {
	if success {
		return edit(t, doc, map[string]any{"rrn": "318500000001", "eci": "05"})
	}
	// edit deletes keys set to nil: add the nulls as text.
	i := strings.LastIndex(doc, "}")
	return strings.TrimRight(doc[:i], " \n") + ",\n  \"rrn\": null,\n  \"eci\": null\n}"
}

func TestDocHost2HostDefaultAnswer(t *testing.T) {
	// The document's example answers status 1 + REDIRECT for the
	// frictionless card (seed 000_2d15c756a78f42ef.txt l.31, l.164-180): the
	// default.
	srv := newSim(t, sp.WithoutNotifications())
	r := post(t, srv, srv.CardBaseURL(), "/initPaymentHost2Host", docHost2HostReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docHost2HostResp)
	id := r.str("order_id")
	if !processingID.MatchString(id) {
		t.Errorf("order_id %q is not a processing id", id)
	}
	wantEqual(t, "form_url", r.str("form_url"), srv.FormURL()+"/"+id)
	wantEqual(t, "status", r.num("status"), 1)
	wantEqual(t, "responseType", r.str("responseType"), "REDIRECT")
	// The payment is final at once; the form redirects to success_url.
	wantEqual(t, "/check status", check(t, srv, "sandboxId_1015").num("status"), 2)
	page := browse(t, srv, http.MethodGet, r.str("form_url"), nil)
	wantCode(t, page, http.StatusFound)
	wantEqual(t, "Location", page.header.Get("Location"), "https://site.com/success")
}

func TestDocHost2HostChainCheckRecurrentRefund(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications(), sp.WithImmediateResults())
	r := post(t, srv, srv.CardBaseURL(), "/initPaymentHost2Host", docHost2HostReq)
	wantCode(t, r, http.StatusOK)
	sameKeys(t, r, docHost2HostResp)
	wantEqual(t, "status", r.num("status"), 2)
	if r.body["form_url"] != nil || r.body["responseType"] != nil || r.body["err"] != nil {
		t.Errorf("frictionless answer: want form_url, responseType, err null: %s", r.raw)
	}
	if r.str("endDate") == "" {
		t.Errorf("endDate missing from a final answer: %s", r.raw)
	}
	pid := r.str("order_id")

	c := post(t, srv, srv.BaseURL(), "/check", docCheckReq)
	wantCode(t, c, http.StatusOK)
	sameShape(t, c, checkShape(t, docCheckResp, true))
	wantEqual(t, "order_id", c.str("order_id"), "sandboxId_1015")
	wantEqual(t, "amount", c.num("amount"), 1000)
	wantEqual(t, "finalAmount", c.num("finalAmount"), 1000)
	wantEqual(t, "type", c.str("type"), "Payment")
	wantEqual(t, "firstName", c.str("firstName"), "John")
	wantEqual(t, "lastName", c.str("lastName"), "Doe")
	if !reflect.DeepEqual(c.body["card"], decodeDoc(t, docCheckResp)["card"]) {
		t.Errorf("card = %v, want the document's %v", c.body["card"], decodeDoc(t, docCheckResp)["card"])
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(c.str("endDate")) {
		t.Errorf("endDate %q not in the document's format", c.str("endDate"))
	}

	rec := post(t, srv, srv.BaseURL(), "/recurrent", docRecurrentReq)
	wantCode(t, rec, http.StatusOK)
	sameShape(t, rec, docRecurrentResp)
	wantEqual(t, "success", rec.body["success"], any(true))
	if !uuidLike.MatchString(rec.str("payment_id")) {
		t.Errorf("payment_id %q is not a UUID", rec.str("payment_id"))
	}
	wantEqual(t, "recurrent /check status", check(t, srv, "sandboxRecurId_1015").num("status"), 2)

	// The document's refund example answers "success": false; with
	// WithImmediateResults the simulator answers true.
	ref := post(t, srv, srv.BaseURL(), "/refund", docRefundReq)
	wantCode(t, ref, http.StatusOK)
	sameShape(t, ref, docRefundResp)
	wantEqual(t, "success", ref.body["success"], any(true))
	wantEqual(t, "parentTransaction", ref.str("parentTransaction"), pid)
	if !uuidLike.MatchString(ref.str("refund_id")) {
		t.Errorf("refund_id %q is not a UUID", ref.str("refund_id"))
	}
	wantEqual(t, "finalAmount after full refund", check(t, srv, "sandboxId_1015").num("finalAmount"), 0)
}

// The default refund answer is the document's (l.438-443): "success":
// false, "message" "", the refund_id and parentTransaction; the refund
// itself is then reported by /check under its refund_id.
func TestDocRefundDefaultAnswer(t *testing.T) {
	srv := newSim(t)
	wantCode(t, h2h(t, srv, "o1", sp.CardFrictionless, 1000, nil), http.StatusOK)
	ref := post(t, srv, srv.BaseURL(), "/refund", `{"order_id": "o1", "amount": 100, "reason": "refund"}`)
	wantCode(t, ref, http.StatusOK)
	sameShape(t, ref, docRefundResp)
	wantEqual(t, "success", ref.body["success"], any(false))
	wantEqual(t, "message", ref.str("message"), "")
	c := check(t, srv, ref.str("refund_id"))
	wantEqual(t, "type", c.str("type"), "Refund")
	wantEqual(t, "status", c.num("status"), 2)
	wantEqual(t, "amount", c.num("amount"), 100)
	p := check(t, srv, "o1")
	sameShape(t, p, checkShape(t, docCheckResp, true))
	wantEqual(t, "amount", p.num("amount"), 1000)
}

func TestDocCheckFailure(t *testing.T) {
	srv := newSim(t)
	r := h2h(t, srv, "sandboxFormId_1016", sp.CardDeclined, 1092, nil)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docHost2HostResp)
	wantEqual(t, "status", r.num("status"), 1)
	c := check(t, srv, "sandboxFormId_1016")
	sameShape(t, c, checkShape(t, docCheckFailResp, false))
	doc := decodeDoc(t, docCheckFailResp)
	wantEqual(t, "errorMessage", c.str("errorMessage"), "PLATFORM_ERROR_GATE_NOT_FOUND")
	if !reflect.DeepEqual(c.body["cascadeErrors"], doc["cascadeErrors"]) {
		t.Errorf("cascadeErrors = %v, want the document's %v", c.body["cascadeErrors"], doc["cascadeErrors"])
	}
	wantEqual(t, "finalAmount", c.num("finalAmount"), 0)
}

func TestDocGooglePay(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications())
	r := post(t, srv, srv.CardBaseURL(), "/initPaymentHost2Host", docGooglePayReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docHost2HostResp)
	wantEqual(t, "status", r.num("status"), 1)
	c := check(t, srv, "sandboxId_1015")
	wantEqual(t, "status", c.num("status"), 2)
	wantEqual(t, "card", c.body["card"], nil)
}

func TestDocAuthorizeCaptureCancel(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications(), sp.WithProcessingResponses())
	r := post(t, srv, srv.CardBaseURL(), "/authorize", docAuthorizeReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docAuthorizeResp)

	// By default authorize_status is null, the only value the document
	// shows (l.340, l.376).
	srv = newSim(t, sp.WithoutNotifications())
	r = post(t, srv, srv.CardBaseURL(), "/authorize", docAuthorizeReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docAuthorizeResp)
	c := check(t, srv, "sandboxId_1016")
	sameShape(t, c, checkShape(t, docCheckResp, true))
	wantEqual(t, "status", c.num("status"), 2)
	wantEqual(t, "authorize_status", c.body["authorize_status"], nil)
	wantEqual(t, "capture", post(t, srv, srv.BaseURL(), "/capture", docCaptureReq).num("status"), 2)
	wantEqual(t, "authorize_status after capture", check(t, srv, "sandboxId_1016").body["authorize_status"], nil)

	srv = newSim(t, sp.WithoutNotifications(), sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	r = post(t, srv, srv.CardBaseURL(), "/authorize", docAuthorizeReq)
	wantCode(t, r, http.StatusOK)
	sameKeys(t, r, docAuthorizeResp)
	wantEqual(t, "status", r.num("status"), 2)
	pid := r.str("order_id")
	c = check(t, srv, "sandboxId_1016")
	sameKeys(t, c, checkShape(t, docCheckResp, true))
	wantEqual(t, "authorize_status", c.str("authorize_status"), "AUTHORIZED")
	wantEqual(t, "finalAmount while authorized", c.num("finalAmount"), 0)

	cp := post(t, srv, srv.BaseURL(), "/capture", docCaptureReq)
	wantCode(t, cp, http.StatusOK)
	sameShape(t, cp, docCaptureResp)
	wantEqual(t, "order_id", cp.str("order_id"), pid)
	wantEqual(t, "status", cp.num("status"), 2)
	c = check(t, srv, "sandboxId_1016")
	wantEqual(t, "authorize_status", c.str("authorize_status"), "CAPTURED")
	wantEqual(t, "finalAmount", c.num("finalAmount"), 1000)

	srv.Reset()
	wantCode(t, post(t, srv, srv.CardBaseURL(), "/authorize", docAuthorizeReq), http.StatusOK)
	cn := post(t, srv, srv.BaseURL(), "/cancel", docCancelReq)
	wantCode(t, cn, http.StatusOK)
	sameShape(t, cn, docCancelResp)
	wantEqual(t, "status", cn.num("status"), -1)
	c = check(t, srv, "sandboxId_1016")
	wantEqual(t, "status", c.num("status"), -1)
	wantEqual(t, "authorize_status", c.str("authorize_status"), "CANCELLED")
	wantEqual(t, "errorMessage", c.body["errorMessage"], nil)
}

func TestDocWithdrawals(t *testing.T) {
	// The default answer is the document's: status 1 (l.553-565).
	def := newSim(t, sp.WithoutNotifications())
	w := post(t, def, def.CardBaseURL(), "/withdrawal/init", docWithdrawalReq)
	sameShape(t, w, docWithdrawalResp)
	wantEqual(t, "status", w.num("status"), 1)
	wantEqual(t, "/check status", check(t, def, "testPayout_1050").num("status"), -1)

	srv := newSim(t, sp.WithoutNotifications(), sp.WithImmediateResults())
	b := post(t, srv, srv.BaseURL(), "/withdrawal/balance/get", docBalanceReq)
	wantCode(t, b, http.StatusOK)
	sameShape(t, b, docBalanceResp)
	wantEqual(t, "balance", b.num("balance"), 10000)

	tk := post(t, srv, srv.BaseURL(), "/withdrawal/tokenize-form", docTokenizeReq)
	wantCode(t, tk, http.StatusOK)
	sameShape(t, tk, docTokenizeResp)
	wantEqual(t, "status", tk.num("status"), 1)
	wantEqual(t, "form_url", tk.str("form_url"), srv.FormURL()+"/"+tk.str("order_id"))

	// The document's own request: its card is not the success card.
	w = post(t, srv, srv.CardBaseURL(), "/withdrawal/init", docWithdrawalReq)
	wantCode(t, w, http.StatusOK)
	sameKeys(t, w, docWithdrawalResp)
	wantEqual(t, "order_id", w.str("order_id"), "testPayout_1050")
	wantEqual(t, "status", w.num("status"), -1)
	wantEqual(t, "err", w.str("err"), sp.CodeEmitterDenial)
	wantEqual(t, "card.number", w.body["card"].(map[string]any)["number"], any("412354******1114"))

	w = post(t, srv, srv.CardBaseURL(), "/withdrawal/init", edit(t, docWithdrawalReq, map[string]any{
		"order_id": "testPayout_1051", "customer_card_number": sp.CardFrictionless, "callback_url": nil,
	}))
	wantCode(t, w, http.StatusOK)
	sameShape(t, w, docWithdrawalResp)
	wantEqual(t, "status", w.num("status"), 2)
	if !reflect.DeepEqual(w.body["card"], decodeDoc(t, docWithdrawalResp)["card"]) {
		t.Errorf("card = %v, want the document's", w.body["card"])
	}
	b = post(t, srv, srv.BaseURL(), "/withdrawal/balance/get", docBalanceReq)
	wantEqual(t, "balance after paying out 10000", b.num("balance"), 0)
	c := check(t, srv, "testPayout_1051")
	wantEqual(t, "type", c.str("type"), "Withdrawal")
	wantEqual(t, "finalAmount", c.num("finalAmount"), 10000)

	sp2 := newSim(t, sp.WithoutNotifications(), sp.WithProcessingResponses())
	w = post(t, sp2, sp2.CardBaseURL(), "/withdrawal/init", docWithdrawalReq)
	sameShape(t, w, docWithdrawalResp) // status 1, err null, like the document
	wantEqual(t, "status", w.num("status"), 1)
}
