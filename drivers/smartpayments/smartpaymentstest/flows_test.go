package smartpaymentstest_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

func TestDeclineCodes(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	cases := []struct {
		amount int64
		code   string
	}{
		{1000, "EMITTER_DENIAL_PROCESSING_ERROR"},
		{1005, "DO_NOT_HONOUR_PROCESSING_ERROR"},
		{1006, "PROCESSING_ERROR"},
		{1014, "VALIDATION_PROCESSING_ERROR"},
		{1051, "INSUFFICIENT_FUNDS_PROCESSING_ERROR"},
		{51, "INSUFFICIENT_FUNDS_PROCESSING_ERROR"},
		{1061, "LIMIT_PROCESSING_ERROR"},
		{1065, "CARD_TIME_LIMIT_PROCESSING_ERROR"},
		{1082, "AUTHENTICATION_PROCESSING_ERROR"},
		{1091, "TECHNICAL_PROCESSING_ERROR"},
		{1092, "PLATFORM_ERROR_GATE_NOT_FOUND"},
		{1093, "PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED"},
		{1096, "PROCESSOR_DENIAL_PROCESSING_ERROR"},
		{1097, "PLATFORM_ORDER_BILLING_ERROR"},
		{1099, "EMITTER_DENIAL_PROCESSING_ERROR"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.amount), func(t *testing.T) {
			wantEqual(t, "DeclineCodeForAmount", sp.DeclineCodeForAmount(c.amount), c.code)
			for _, card := range []string{sp.CardDeclined, "5555555555554444", "4000000000000002"} {
				id := fmt.Sprintf("decl-%d-%s", c.amount, card)
				r := h2h(t, srv, id, card, c.amount, nil)
				wantCode(t, r, http.StatusOK)
				wantEqual(t, "status", r.num("status"), -1)
				wantEqual(t, "err", r.str("err"), c.code)
				wantEqual(t, "msg", r.str("msg"), sp.Description(c.code))
				ck := check(t, srv, id)
				wantEqual(t, "errorMessage", ck.str("errorMessage"), c.code)
				cascade, _ := ck.body["cascadeErrors"].([]any)
				if len(cascade) == 0 {
					t.Fatalf("no cascadeErrors: %s", ck.raw)
				}
				if c.code != sp.CodeGateNotFound {
					wantEqual(t, "cascade errorCategory", cascade[0].(map[string]any)["errorCategory"], any(c.code))
				}
			}
			// The success cards ignore the amount table.
			r := h2h(t, srv, fmt.Sprintf("ok-%d", c.amount), sp.CardFrictionless, c.amount, nil)
			wantEqual(t, "status with the success card", r.num("status"), 2)
		})
	}
	if d := sp.Description(sp.CodeInsufficientFunds); d != "Insufficient funds on the card" {
		t.Errorf("Description = %q", d)
	}
}

func TestWallets(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	cases := []struct {
		name   string
		set    map[string]any
		amount int64
		status int64
		err    string
		stage  string
	}{
		{"apple pay", map[string]any{"payment_method": "applePayDPan"}, 1000, 2, "", ""},
		{"apple pay fail token", map[string]any{"payment_method": "applePayDPan", "apple_pay_dpan": sp.FailWalletToken}, 1051, -1, sp.CodeInsufficientFunds, ""},
		{"google pay", map[string]any{"payment_method": "googlePayDPan", "google_pay_dpan": "eyJ0IjoiQ1JZUFRPR1JBTV8zRFMifQ==", "google_pay_payment_method_network": "Visa"}, 1000, 2, "", ""},
		{"google pay fail token", map[string]any{"payment_method": "googlePayDPan", "google_pay_dpan": sp.FailWalletToken, "google_pay_payment_method_network": "Visa"}, 1000, -1, sp.CodeEmitterDenial, ""},
		// {"authMethod":"PAN_ONLY"}
		{"google pay PAN_ONLY", map[string]any{"payment_method": "googlePayDPan", "google_pay_dpan": "eyJhdXRoTWV0aG9kIjoiUEFOX09OTFkifQ==", "google_pay_payment_method_network": "Visa"}, 1000, 1, "", "challenge"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := fmt.Sprint("wallet-", i)
			// The card fields of the document's example are ignored for wallets.
			r := h2h(t, srv, id, sp.CardDeclined, c.amount, c.set)
			wantCode(t, r, http.StatusOK)
			wantEqual(t, "status", r.num("status"), c.status)
			wantEqual(t, "err", r.str("err"), c.err)
			ps, _ := srv.Payment(id)
			wantEqual(t, "AwaitingCustomer", ps.AwaitingCustomer, c.stage)
			wantEqual(t, "CardMasked", ps.CardMasked, "")
		})
	}
}

func TestChallengeOverHTTP(t *testing.T) {
	srv := newSim(t)
	cases := []struct {
		name     string
		method   string
		outcome  string
		redirect int
		status   int64
		code     string
	}{
		{"POST success", http.MethodPost, "success", http.StatusSeeOther, 2, ""},
		{"POST fail", http.MethodPost, "fail", http.StatusSeeOther, -1, sp.CodeAuthentication},
		{"POST cancel", http.MethodPost, "cancel", http.StatusSeeOther, -1, sp.Code3DSCancel},
		{"GET success", http.MethodGet, "success", http.StatusFound, 2, ""},
		{"GET fail", http.MethodGet, "fail", http.StatusFound, -1, sp.CodeAuthentication},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := fmt.Sprint("ch-", i)
			r := h2h(t, srv, id, sp.CardChallenge, 1000, nil)
			wantCode(t, r, http.StatusOK)
			sameShape(t, r, docHost2HostResp)
			wantEqual(t, "status", r.num("status"), 1)
			wantEqual(t, "responseType", r.str("responseType"), "REDIRECT")
			formURL := r.str("form_url")
			wantEqual(t, "form_url", formURL, srv.FormURL()+"/"+r.str("order_id"))
			wantEqual(t, "/check before the visit", check(t, srv, id).num("status"), 0)

			page := browse(t, srv, http.MethodGet, formURL, nil)
			wantCode(t, page, http.StatusOK)
			if !strings.Contains(string(page.raw), `value="success"`) {
				t.Errorf("challenge page without outcome buttons: %s", page.raw)
			}
			ck := check(t, srv, id)
			wantEqual(t, "/check after the visit", ck.num("status"), 1)
			wantEqual(t, "endDate", ck.body["endDate"], nil)

			var done reply
			if c.method == http.MethodPost {
				done = browse(t, srv, http.MethodPost, formURL, url.Values{"outcome": {c.outcome}})
			} else {
				done = browse(t, srv, http.MethodGet, formURL+"?outcome="+c.outcome, nil)
			}
			wantCode(t, done, c.redirect)
			want := "http://127.0.0.1:1/success"
			if c.status != 2 {
				want = "http://127.0.0.1:1/fail"
			}
			wantEqual(t, "Location", done.header.Get("Location"), want)
			ck = check(t, srv, id)
			wantEqual(t, "status", ck.num("status"), c.status)
			wantEqual(t, "errorMessage", ck.str("errorMessage"), c.code)
			// Opening the page again just redirects.
			again := browse(t, srv, http.MethodGet, formURL, nil)
			wantCode(t, again, http.StatusFound)
			wantEqual(t, "Location again", again.header.Get("Location"), want)
		})
	}
	r := h2h(t, srv, "ch-bad", sp.CardChallenge, 1000, nil)
	wantCode(t, browse(t, srv, http.MethodPost, r.str("form_url"), url.Values{"outcome": {"maybe"}}), http.StatusBadRequest)
	wantCode(t, browse(t, srv, http.MethodGet, srv.FormURL()+"/ffffffffffffffffffffffff", nil), http.StatusNotFound)
	wantCode(t, browse(t, srv, http.MethodDelete, r.str("form_url"), nil), http.StatusMethodNotAllowed)
}

func TestChallengeWithoutRedirectURLs(t *testing.T) {
	srv := newSim(t)
	r := h2h(t, srv, "no-urls", sp.CardChallenge, 1000, map[string]any{"success_url": nil, "fail_url": nil})
	done := browse(t, srv, http.MethodPost, r.str("form_url"), url.Values{"outcome": {"success"}})
	wantCode(t, done, http.StatusOK)
	if !strings.Contains(string(done.raw), "succeeded") {
		t.Errorf("result page: %s", done.raw)
	}
}

func TestCompleteChallengeHelper(t *testing.T) {
	srv := newSim(t)
	wantCode(t, h2h(t, srv, "c-ok", sp.CardChallenge, 1000, nil), http.StatusOK)
	wantCode(t, h2h(t, srv, "c-ko", sp.CardChallenge, 1000, nil), http.StatusOK)
	if err := srv.CompleteChallenge("c-ok", true); err != nil {
		t.Fatal(err)
	}
	ps, _ := srv.Payment("c-ko")
	if err := srv.CompleteChallenge(ps.ProcessingID, false); err != nil { // by processing id
		t.Fatal(err)
	}
	wantEqual(t, "c-ok", check(t, srv, "c-ok").num("status"), 2)
	ko := check(t, srv, "c-ko")
	wantEqual(t, "c-ko", ko.num("status"), -1)
	wantEqual(t, "c-ko errorMessage", ko.str("errorMessage"), sp.CodeAuthentication)
	if err := srv.CompleteChallenge("c-ok", true); !errors.Is(err, sp.ErrWrongState) {
		t.Errorf("second completion: %v, want ErrWrongState", err)
	}
	if err := srv.CompleteChallenge("nope", true); !errors.Is(err, sp.ErrUnknownOrder) {
		t.Errorf("unknown order: %v, want ErrUnknownOrder", err)
	}
}

func TestHostedForm(t *testing.T) {
	srv := newSim(t)
	create := func(id string, amount int64) string {
		r := post(t, srv, srv.BaseURL(), "/initPayment", edit(t, docInitPaymentReq, with(loopbackURLs, map[string]any{"order_id": id, "amount": amount})))
		wantCode(t, r, http.StatusOK)
		return r.str("form_url")
	}
	t.Run("card entered over HTTP", func(t *testing.T) {
		u := create("form-http", 1000)
		wantEqual(t, "card before entry", check(t, srv, "form-http").body["card"], nil)
		r := browse(t, srv, http.MethodPost, u, url.Values{"card_number": {sp.CardFrictionless}, "card_holder": {"John Doe"},
			"card_exp_month": {"02"}, "card_exp_year": {"30"}, "card_cvv": {"123"}})
		wantCode(t, r, http.StatusSeeOther)
		wantEqual(t, "Location", r.header.Get("Location"), "http://127.0.0.1:1/success")
		ck := check(t, srv, "form-http")
		wantEqual(t, "status", ck.num("status"), 2)
		wantEqual(t, "card.number", ck.body["card"].(map[string]any)["number"], any("401200******3010"))
	})
	t.Run("challenge card over HTTP", func(t *testing.T) {
		u := create("form-3ds", 1000)
		r := browse(t, srv, http.MethodPost, u, url.Values{"card_number": {sp.CardChallenge}})
		wantCode(t, r, http.StatusSeeOther)
		wantEqual(t, "Location", r.header.Get("Location"), "/"+strings.TrimPrefix(u, srv.FormURL()+"/"))
		page := browse(t, srv, http.MethodGet, u, nil)
		if !strings.Contains(string(page.raw), "3-D Secure") {
			t.Errorf("not the challenge page: %s", page.raw)
		}
		wantCode(t, browse(t, srv, http.MethodPost, u, url.Values{"outcome": {"success"}}), http.StatusSeeOther)
		wantEqual(t, "status", check(t, srv, "form-3ds").num("status"), 2)
	})
	t.Run("declined card via helper", func(t *testing.T) {
		create("form-decl", 2051)
		if err := srv.SubmitCard("form-decl", sp.CardDeclined); err != nil {
			t.Fatal(err)
		}
		ck := check(t, srv, "form-decl")
		wantEqual(t, "status", ck.num("status"), -1)
		wantEqual(t, "errorMessage", ck.str("errorMessage"), sp.CodeInsufficientFunds)
		if err := srv.SubmitCard("form-decl", sp.CardFrictionless); !errors.Is(err, sp.ErrWrongState) {
			t.Errorf("second card: %v, want ErrWrongState", err)
		}
	})
	t.Run("challenge card via helpers", func(t *testing.T) {
		create("form-helper", 1000)
		if err := srv.SubmitCard("form-helper", sp.CardChallenge); err != nil {
			t.Fatal(err)
		}
		if err := srv.CompleteChallenge("form-helper", true); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "status", check(t, srv, "form-helper").num("status"), 2)
	})
	t.Run("invalid card", func(t *testing.T) {
		u := create("form-bad", 1000)
		wantCode(t, browse(t, srv, http.MethodPost, u, url.Values{"card_number": {"12"}}), http.StatusBadRequest)
		if err := srv.SubmitCard("form-bad", "abc"); err == nil {
			t.Error("SubmitCard accepted a bad number")
		}
		wantEqual(t, "status", check(t, srv, "form-bad").num("status"), 1)
	})
}

func TestExpire(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	wantCode(t, post(t, srv, srv.BaseURL(), "/initPayment", edit(t, docInitPaymentReq, with(loopbackURLs, map[string]any{"order_id": "e-form"}))), http.StatusOK)
	wantCode(t, h2h(t, srv, "e-unvisited", sp.CardChallenge, 1000, nil), http.StatusOK)
	r := h2h(t, srv, "e-visited", sp.CardChallenge, 1000, nil)
	browse(t, srv, http.MethodGet, r.str("form_url"), nil)
	wantCode(t, authorize(t, srv, "e-auth", sp.CardChallenge, 1000, nil), http.StatusOK)
	for id, code := range map[string]string{
		"e-form":      sp.CodeFormTimeout,
		"e-unvisited": sp.Code3DSRedirectTimeout,
		"e-visited":   sp.Code3DSTimeout,
		"e-auth":      sp.Code3DSRedirectTimeout,
	} {
		if err := srv.Expire(id); err != nil {
			t.Fatal(id, err)
		}
		ck := check(t, srv, id)
		wantEqual(t, id+" status", ck.num("status"), -1)
		wantEqual(t, id+" errorMessage", ck.str("errorMessage"), code)
	}
	wantEqual(t, "two-step authorize_status", check(t, srv, "e-auth").str("authorize_status"), sp.AuthorizeDeclined)
	if err := srv.Expire("e-form"); !errors.Is(err, sp.ErrWrongState) {
		t.Errorf("second expiry: %v", err)
	}
}

func TestForcedFlows(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus(), sp.WithFlow("force-3ds", sp.FlowChallenge))
	r := h2h(t, srv, "force-3ds", sp.CardFrictionless, 1000, nil)
	wantEqual(t, "forced challenge on the frictionless card", r.num("status"), 1)
	if err := srv.CompleteChallenge("force-3ds", true); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "after challenge", check(t, srv, "force-3ds").num("status"), 2)

	srv.SetFlow(sp.CardChallenge, sp.FlowFrictionless)
	r = h2h(t, srv, "card-frictionless", sp.CardChallenge, 1000, nil)
	wantEqual(t, "forced frictionless on the challenge card", r.num("status"), 2)
	srv.SetFlow(sp.CardChallenge, 0)
	r = h2h(t, srv, "card-back", sp.CardChallenge, 1000, nil)
	wantEqual(t, "override cleared", r.num("status"), 1)

	srv.SetFlow(sp.CardDeclined, sp.FlowChallenge)
	r = h2h(t, srv, "declined-3ds", sp.CardDeclined, 1005, nil)
	wantEqual(t, "forced challenge on a failing card", r.num("status"), 1)
	if err := srv.CompleteChallenge("declined-3ds", true); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "declines after the challenge", check(t, srv, "declined-3ds").str("errorMessage"), sp.CodeDoNotHonour)

	srv.Reset() // forgets SetFlow, keeps WithFlow
	wantEqual(t, "after Reset", h2h(t, srv, "declined-3ds", sp.CardDeclined, 1005, nil).num("status"), -1)
	wantEqual(t, "WithFlow kept", h2h(t, srv, "force-3ds", sp.CardFrictionless, 1000, nil).num("status"), 1)
}

func TestTwoStep(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	capture := func(body string) reply { return post(t, srv, srv.BaseURL(), "/capture", body) }
	cancel := func(id string) reply { return post(t, srv, srv.BaseURL(), "/cancel", `{"order_id":"`+id+`"}`) }
	refund := func(id string, amount int64) reply {
		return post(t, srv, srv.BaseURL(), "/refund", fmt.Sprintf(`{"order_id":%q,"amount":%d,"reason":"r"}`, id, amount))
	}

	wantCode(t, authorize(t, srv, "a1", sp.CardFrictionless, 1000, nil), http.StatusOK)
	wantEqual(t, "refund before capture", refund("a1", 100).str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "capture above authorization", capture(`{"order_id":"a1","amount":1001}`).str("err"), sp.ErrCodeInvalidAmount)
	c := capture(`{"order_id":"a1","amount":"600"}`) // the document types it as a String
	wantCode(t, c, http.StatusOK)
	wantEqual(t, "capture status", c.num("status"), 2)
	ck := check(t, srv, "a1")
	wantEqual(t, "amount", ck.num("amount"), 1000)
	wantEqual(t, "finalAmount", ck.num("finalAmount"), 600)
	wantEqual(t, "second capture", capture(`{"order_id":"a1"}`).str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "cancel after capture", cancel("a1").str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "refund above captured", refund("a1", 601).str("err"), sp.ErrCodeInvalidAmount)
	wantCode(t, refund("a1", 600), http.StatusOK)
	wantEqual(t, "finalAmount after refund", check(t, srv, "a1").num("finalAmount"), 0)

	wantCode(t, authorize(t, srv, "a2", sp.CardFrictionless, 1000, nil), http.StatusOK)
	wantCode(t, capture(`{"order_id":"a2","amount":1000}`), http.StatusOK) // JSON number accepted too
	wantEqual(t, "full capture", check(t, srv, "a2").num("finalAmount"), 1000)

	// Challenge on a two-step payment.
	r := authorize(t, srv, "a3", sp.CardChallenge, 1000, nil)
	wantEqual(t, "status", r.num("status"), 1)
	wantEqual(t, "authorize_status while pending", check(t, srv, "a3").str("authorize_status"), sp.AuthorizePending)
	wantEqual(t, "capture while pending", capture(`{"order_id":"a3"}`).str("err"), sp.ErrCodeInvalidOrderState)
	if err := srv.CompleteChallenge("a3", true); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "authorize_status", check(t, srv, "a3").str("authorize_status"), sp.AuthorizeApproved)
	wantEqual(t, "cancel", cancel("a3").num("status"), -1)
	wantEqual(t, "cancel twice", cancel("a3").str("err"), sp.ErrCodeInvalidOrderState)

	// Declined authorization; one-step payments cannot be captured or cancelled.
	r = authorize(t, srv, "a4", sp.CardDeclined, 1051, nil)
	wantEqual(t, "declined authorize", r.str("err"), sp.CodeInsufficientFunds)
	wantEqual(t, "authorize_status", check(t, srv, "a4").str("authorize_status"), sp.AuthorizeDeclined)
	wantCode(t, h2h(t, srv, "one-step", sp.CardFrictionless, 1000, nil), http.StatusOK)
	wantEqual(t, "capture one-step", capture(`{"order_id":"one-step"}`).str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "cancel one-step", cancel("one-step").str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "one-step authorize_status", check(t, srv, "one-step").body["authorize_status"], nil)
}

func TestRefunds(t *testing.T) {
	srv := newSim(t)
	refund := func(id string, amount int64) reply {
		return post(t, srv, srv.BaseURL(), "/refund", fmt.Sprintf(`{"order_id":%q,"amount":%d,"reason":"r"}`, id, amount))
	}
	pid := h2h(t, srv, "r1", sp.CardFrictionless, 1000, nil).str("order_id")
	var ids []string
	for _, a := range []int64{300, 300, 400} {
		r := refund("r1", a)
		wantCode(t, r, http.StatusOK)
		wantEqual(t, "parentTransaction", r.str("parentTransaction"), pid)
		ids = append(ids, r.str("refund_id"))
	}
	over := refund("r1", 1)
	wantCode(t, over, http.StatusBadRequest)
	sameShape(t, over, `{"success": false, "message": "x", "refund_id": null, "parentTransaction": null, "err": "x"}`)
	wantEqual(t, "err", over.str("err"), sp.ErrCodeInvalidAmount)

	rc := check(t, srv, ids[2])
	wantEqual(t, "type", rc.str("type"), "Refund")
	wantEqual(t, "amount", rc.num("amount"), 400)
	wantEqual(t, "finalAmount", rc.num("finalAmount"), 400)
	wantEqual(t, "status", rc.num("status"), 2)
	wantEqual(t, "parentTransaction", rc.str("parentTransaction"), pid)
	wantEqual(t, "order_id", rc.str("order_id"), ids[2])
	ps, _ := srv.Payment("r1")
	if !reflect.DeepEqual(ps.RefundIDs, ids) || ps.RefundedAmount != 1000 || ps.FinalAmount != 0 {
		t.Errorf("snapshot: %+v", ps)
	}

	h2h(t, srv, "r-declined", sp.CardDeclined, 1000, nil)
	wantEqual(t, "refund of a declined payment", refund("r-declined", 100).str("err"), sp.ErrCodeInvalidOrderState)
	h2h(t, srv, "r-pending", sp.CardChallenge, 1000, nil)
	wantEqual(t, "refund of a pending payment", refund("r-pending", 100).str("err"), sp.ErrCodeInvalidOrderState)
	wantEqual(t, "refund of a refund", refund(ids[0], 100).str("err"), sp.ErrCodeOrderNotFound)
}

func TestRecurrent(t *testing.T) {
	srv := newSim(t)
	rec := func(id, parent string, amount int64) reply {
		return post(t, srv, srv.BaseURL(), "/recurrent", fmt.Sprintf(`{"order_id":%q,"parent_order_id":%q,"amount":%d,"purpose":"p","recur_period":"06"}`, id, parent, amount))
	}
	h2h(t, srv, "parent", sp.CardFrictionless, 1000, nil)
	ok := rec("child-1", "parent", 2500)
	wantCode(t, ok, http.StatusOK)
	wantEqual(t, "success", ok.body["success"], any(true))
	ck := check(t, srv, "child-1")
	wantEqual(t, "amount", ck.num("amount"), 2500)
	wantEqual(t, "card", ck.body["card"].(map[string]any)["number"], any("401200******3010"))
	ps, _ := srv.Payment("child-1")
	wantEqual(t, "ProcessingID", ps.ProcessingID, ok.str("payment_id"))
	wantEqual(t, "ParentOrderID", ps.ParentOrderID, "parent")
	wantEqual(t, "Currency", ps.Currency, "EUR")

	ko := rec("child-2", "parent", 2551)
	wantCode(t, ko, http.StatusOK)
	sameShape(t, ko, `{"success": false, "message": "x", "payment_id": "x", "err": "x"}`)
	wantEqual(t, "err", ko.str("err"), sp.CodeInsufficientFunds)
	wantEqual(t, "message", ko.str("message"), sp.Description(sp.CodeInsufficientFunds))
	wantEqual(t, "status", check(t, srv, "child-2").num("status"), -1)
	wantCode(t, post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"child-1","amount":2500,"reason":"r"}`), http.StatusOK)

	h2h(t, srv, "failed-parent", sp.CardDeclined, 1000, nil)
	bad := rec("child-3", "failed-parent", 100)
	wantCode(t, bad, http.StatusBadRequest)
	wantEqual(t, "err", bad.str("err"), sp.ErrCodeInvalidOrderState)
}

func TestWithdrawals(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus(), sp.WithBalance("small-payout", 500), sp.WithDefaultBalance(20000))
	withdraw := func(id, account string, amount int64, set map[string]any) reply {
		return post(t, srv, srv.CardBaseURL(), "/withdrawal/init", edit(t, docWithdrawalReq, with(map[string]any{
			"order_id": id, "account": account, "amount": amount, "customer_card_number": sp.CardFrictionless, "callback_url": nil,
		}, set)))
	}
	wantEqual(t, "default balance", srv.Balance("EUR-sandbox-payout"), 20000)
	wantEqual(t, "configured balance", srv.Balance("small-payout"), 500)

	over := withdraw("w-over", "small-payout", 501, nil)
	wantEqual(t, "status", over.num("status"), -1)
	wantEqual(t, "err", over.str("err"), sp.CodeOrderBilling)
	wantEqual(t, "balance unchanged", srv.Balance("small-payout"), 500)
	wantEqual(t, "exact balance", withdraw("w-exact", "small-payout", 500, nil).num("status"), 2)
	wantEqual(t, "balance", srv.Balance("small-payout"), 0)

	fail := withdraw("w-fail", "EUR-sandbox-payout", 1051, map[string]any{"customer_card_number": sp.CardChallenge})
	wantEqual(t, "challenge card fails withdrawals", fail.str("err"), sp.CodeInsufficientFunds)
	wantEqual(t, "balance after failure", srv.Balance("EUR-sandbox-payout"), 20000)

	// Tokenized card.
	tk := post(t, srv, srv.BaseURL(), "/withdrawal/tokenize-form", edit(t, docTokenizeReq, with(loopbackURLs, map[string]any{"order_id": "tok-1"})))
	wantCode(t, tk, http.StatusOK)
	byToken := map[string]any{"payment_method": "token", "tokenize_transaction_order_id": "tok-1", "customer_card_number": nil}
	early := withdraw("w-tok-early", "EUR-sandbox-payout", 100, byToken)
	wantCode(t, early, http.StatusBadRequest)
	wantEqual(t, "err", early.str("err"), sp.ErrCodeInvalidOrderState)
	ck := check(t, srv, "tok-1")
	wantEqual(t, "tokenization type", ck.str("type"), sp.TypeTokenization)
	wantEqual(t, "tokenization status", ck.num("status"), 0)
	page := browse(t, srv, http.MethodGet, tk.str("form_url"), nil)
	wantCode(t, page, http.StatusOK)
	done := browse(t, srv, http.MethodPost, tk.str("form_url"), url.Values{"card_number": {sp.CardFrictionless}})
	wantCode(t, done, http.StatusSeeOther)
	wantEqual(t, "Location", done.header.Get("Location"), "http://127.0.0.1:1/success")
	wantEqual(t, "tokenized", check(t, srv, "tok-1").num("status"), 2)
	w := withdraw("w-tok", "EUR-sandbox-payout", 700, byToken)
	wantEqual(t, "token withdrawal", w.num("status"), 2)
	wantEqual(t, "token card", w.body["card"].(map[string]any)["number"], any("401200******3010"))
	wantEqual(t, "balance", srv.Balance("EUR-sandbox-payout"), 19300)
	b := post(t, srv, srv.BaseURL(), "/withdrawal/balance/get", `{"account":"EUR-sandbox-payout"}`)
	wantEqual(t, "balance/get", b.num("balance"), 19300)

	unknown := withdraw("w-tok-unknown", "EUR-sandbox-payout", 100, with(byToken, map[string]any{"tokenize_transaction_order_id": "nope"}))
	wantCode(t, unknown, http.StatusNotFound)

	post(t, srv, srv.BaseURL(), "/withdrawal/tokenize-form", `{"account":"a","order_id":"tok-2"}`)
	if err := srv.SubmitCard("tok-2", sp.CardDeclined); err != nil {
		t.Fatal(err)
	}
	w = withdraw("w-tok-2", "EUR-sandbox-payout", 100, with(byToken, map[string]any{"tokenize_transaction_order_id": "tok-2"}))
	wantEqual(t, "tokenized failing card", w.str("err"), sp.CodeEmitterDenial)
}

func TestProcessingResponses(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus(), sp.WithProcessingResponses())
	r := h2h(t, srv, "p-decl", sp.CardDeclined, 1051, nil)
	sameShape(t, r, docHost2HostResp)
	wantEqual(t, "declined answers processing", r.num("status"), 1)
	wantEqual(t, "final via /check", check(t, srv, "p-decl").str("errorMessage"), sp.CodeInsufficientFunds)
	page := browse(t, srv, http.MethodGet, r.str("form_url"), nil)
	wantEqual(t, "form redirects to fail_url", page.header.Get("Location"), "http://127.0.0.1:1/fail")

	authorize(t, srv, "p-a", sp.CardFrictionless, 1000, nil)
	c := post(t, srv, srv.BaseURL(), "/capture", `{"order_id":"p-a"}`)
	wantEqual(t, "capture answers processing", c.num("status"), 1)
	wantEqual(t, "captured", check(t, srv, "p-a").str("authorize_status"), sp.AuthorizeCaptured)
	authorize(t, srv, "p-b", sp.CardFrictionless, 1000, nil)
	wantEqual(t, "cancel answers processing", post(t, srv, srv.BaseURL(), "/cancel", `{"order_id":"p-b"}`).num("status"), 1)
	wantEqual(t, "cancelled", check(t, srv, "p-b").num("status"), -1)

	ref := post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"p-a","amount":100,"reason":"r"}`)
	sameShape(t, ref, docRefundResp)
	wantEqual(t, "refund success", ref.body["success"], any(false)) // the document's example
	wantEqual(t, "refund final", check(t, srv, ref.str("refund_id")).num("status"), 2)
	rec := post(t, srv, srv.BaseURL(), "/recurrent", `{"order_id":"p-r","parent_order_id":"p-a","amount":100,"purpose":"p"}`)
	wantEqual(t, "recurrent success", rec.body["success"], any(false))
	wantEqual(t, "recurrent err", rec.body["err"], nil)
	wantEqual(t, "recurrent final", check(t, srv, "p-r").num("status"), 2)
}

func TestOperationsLogAndReset(t *testing.T) {
	at := time.Date(2024, 1, 12, 11, 18, 26, 678e6, time.UTC)
	srv := newSim(t, sp.WithClock(func() time.Time { return at }))
	run := func() {
		post(t, srv, srv.BaseURL(), "/initPayment", edit(t, docInitPaymentReq, with(loopbackURLs, map[string]any{"order_id": "f"})))
		h2h(t, srv, "s", sp.CardFrictionless, 1000, nil)
		h2h(t, srv, "d", sp.CardDeclined, 1051, nil)
		h2h(t, srv, "c", sp.CardChallenge, 1000, nil)
		_ = srv.CompleteChallenge("c", true)
		authorize(t, srv, "a", sp.CardFrictionless, 1000, nil)
		post(t, srv, srv.BaseURL(), "/capture", `{"order_id":"a","amount":400}`)
		authorize(t, srv, "b", sp.CardFrictionless, 1000, nil)
		post(t, srv, srv.BaseURL(), "/cancel", `{"order_id":"b"}`)
		post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"s","amount":250,"reason":"r"}`)
		post(t, srv, srv.BaseURL(), "/recurrent", `{"order_id":"rc","parent_order_id":"s","amount":300,"purpose":"p"}`)
		post(t, srv, srv.BaseURL(), "/withdrawal/tokenize-form", `{"account":"x","order_id":"t"}`)
		_ = srv.SubmitCard("t", sp.CardFrictionless)
		post(t, srv, srv.CardBaseURL(), "/withdrawal/init", `{"account":"x","order_id":"w","amount":100,"customer_card_number":"4012000000003010"}`)
		_ = srv.Expire("f")
		h2h(t, srv, "s", sp.CardFrictionless, 1000, nil) // duplicate: not logged
	}
	run()
	type op struct{ kind, ref, amount, result string }
	want := []op{
		{"form", "f", "1000", "0"},
		{"sale", "s", "1000", "2"},
		{"sale", "d", "1051", "-1"},
		{"sale", "c", "1000", "0"},
		{"customer", "c", "1000", "2"},
		{"authorize", "a", "1000", "2"},
		{"capture", "a", "400", "2"},
		{"authorize", "b", "1000", "2"},
		{"cancel", "b", "1000", "-1"},
		{"refund", "s", "250", "2"},
		{"recurrent", "rc", "300", "2"},
		{"tokenize", "t", "0", "0"},
		{"customer", "t", "0", "2"},
		{"withdrawal", "w", "100", "2"},
		{"expire", "f", "1000", "-1"},
	}
	ops := srv.Operations()
	var got []op
	for _, o := range ops {
		got = append(got, op{o.Kind, o.Reference, o.Amount, o.Result})
		if !o.At.Equal(at) || o.ID == "" {
			t.Errorf("operation %+v: At/ID", o)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("operations\n got %v\nwant %v", got, want)
	}
	ps, _ := srv.Payment("s")
	wantEqual(t, "refund op ID is the refund_id", ops[9].ID, ps.RefundIDs[0])
	wantEqual(t, "sale op ID is the processing id", ops[1].ID, ps.ProcessingID)
	wantEqual(t, "endDate from the clock", check(t, srv, "s").str("endDate"), "2024-01-12T11:18:26.678Z")

	srv.Reset()
	if len(srv.Operations()) != 0 {
		t.Fatal("Reset kept operations")
	}
	if _, ok := srv.Payment("s"); ok {
		t.Fatal("Reset kept payments")
	}
	run()
	again := srv.Operations()
	for i := range ops {
		if ops[i].ID != again[i].ID {
			t.Errorf("ids differ after Reset: %s vs %s", ops[i].ID, again[i].ID)
		}
	}

	// A second server yields the same ids for the same calls.
	other := newSim(t, sp.WithClock(func() time.Time { return at }))
	r1 := h2h(t, other, "x", sp.CardFrictionless, 1000, nil)
	srv.Reset()
	r2 := h2h(t, srv, "x", sp.CardFrictionless, 1000, nil)
	wantEqual(t, "deterministic processing id", r1.str("order_id"), r2.str("order_id"))
	wantEqual(t, "first processing id", r1.str("order_id"), "64a7eec2d46c5db100000001")
}

func TestPaymentSnapshot(t *testing.T) {
	srv := newSim(t)
	r := h2h(t, srv, "snap", sp.CardChallenge, 1234, map[string]any{"currency": "JPY", "callback_url": "http://127.0.0.1:1/cb"})
	ps, ok := srv.Payment("snap")
	if !ok {
		t.Fatal("not found")
	}
	want := sp.PaymentState{
		Type: "Payment", OrderID: "snap", ProcessingID: r.str("order_id"), Account: "EUR-sandbox",
		Method: "card", Status: 0, Amount: 1234, Currency: "JPY", CardMasked: "400383******4018",
		FormURL: r.str("form_url"), AwaitingCustomer: "challenge", NotificationURL: "http://127.0.0.1:1/cb",
		SuccessURL: "http://127.0.0.1:1/success", FailURL: "http://127.0.0.1:1/fail", Created: ps.Created,
	}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("snapshot\n got %+v\nwant %+v", ps, want)
	}
	if byPID, _ := srv.Payment(ps.ProcessingID); byPID.OrderID != "snap" {
		t.Error("lookup by processing id failed")
	}
	if _, ok := srv.Payment("nope"); ok {
		t.Error("unknown order found")
	}
}

func TestCardInfo(t *testing.T) {
	srv := newSim(t)
	cases := []struct{ pan, number, brand string }{
		{sp.CardFrictionless, "401200******3010", "VISA"},
		{"5555555555554444", "555555******4444", "MASTERCARD"},
		{"2221000000000009", "222100******0009", "MASTERCARD"},
		{"378282246310005", "378282*****0005", "AMEX"},
		{"6200000000000005", "620000******0005", "UNIONPAY"},
		{"9000000000001", "900000***0001", "UNKNOWN"},
		{"4000000000000000002", "400000*********0002", "VISA"},
	}
	for _, c := range cases {
		t.Run(c.pan, func(t *testing.T) {
			h2h(t, srv, "card-"+c.pan, c.pan, 1000, nil)
			card := check(t, srv, "card-"+c.pan).body["card"].(map[string]any)
			want := map[string]any{"number": c.number, "bin": c.pan[:6], "country": "Spain", "iso": "ESP", "type": c.brand}
			if !reflect.DeepEqual(card, want) {
				t.Errorf("card = %v, want %v", card, want)
			}
		})
	}
}

func TestLoggerNeverSeesCardNumbers(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	rc := newReceiver(t, nil)
	srv := newSim(t, sp.WithLogger(logger))
	h2h(t, srv, "log-1", sp.CardFrictionless, 1000, map[string]any{"callback_url": rc.URL, "card_cvv": "987"})
	h2h(t, srv, "log-1", sp.CardFrictionless, 1000, nil)
	waitIdle(t, srv)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "log-1") || !strings.Contains(out, "PLATFORM_ERROR_DUPLICATED_ORDER_ID") {
		t.Errorf("expected diagnostics, got %q", out)
	}
	for _, secret := range []string{sp.CardFrictionless, "987", sp.DefaultSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q: %s", secret, out)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
