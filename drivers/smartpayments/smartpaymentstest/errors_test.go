package smartpaymentstest_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

func TestAuthFailures(t *testing.T) {
	srv := newSim(t, sp.WithCredentials("merchant", "s3cret"))
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	hosts := map[string]string{
		"gateway /check":             srv.BaseURL() + "/check",
		"card-data /authorize":       srv.CardBaseURL() + "/authorize",
		"export task":                srv.ExportBaseURL() + sp.ExportPath + "/task/x",
		"gateway unknown path":       srv.BaseURL() + "/nope",
		"card-data /withdrawal/init": srv.CardBaseURL() + "/withdrawal/init",
	}
	headers := map[string]string{
		"missing":          "",
		"default secret":   basic(sp.DefaultMerchantKey, sp.DefaultSecret),
		"wrong secret":     basic("merchant", "wrong"),
		"wrong key":        basic("other", "s3cret"),
		"bearer":           "Bearer " + base64.StdEncoding.EncodeToString([]byte("merchant:s3cret")),
		"not base64":       "Basic !!!",
		"no colon":         "Basic " + base64.StdEncoding.EncodeToString([]byte("merchants3cret")),
		"secret as prefix": basic("merchant", "s3cretX"),
	}
	for hname, u := range hosts {
		for name, h := range headers {
			t.Run(hname+"/"+name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"order_id":"x"}`))
				req.Header.Set("Content-Type", "application/json")
				if h != "" {
					req.Header.Set("Authorization", h)
				}
				r := do(t, srv.Client(), req)
				wantCode(t, r, http.StatusUnauthorized)
				wantEqual(t, "status", r.num("status"), 401)
				wantEqual(t, "error", r.str("error"), "Unauthorized")
				wantEqual(t, "path", r.str("path"), req.URL.Path)
				if r.str("timestamp") == "" {
					t.Errorf("no timestamp: %s", r.raw)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
					t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	// The right credentials pass.
	req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/check", strings.NewReader(`{"order_id":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("merchant", "s3cret")
	wantCode(t, do(t, srv.Client(), req), http.StatusNotFound)
}

func TestHostsAreSeparate(t *testing.T) {
	srv := newSim(t)
	pci := []string{"/initPaymentHost2Host", "/authorize", "/withdrawal/init"}
	gateway := []string{"/initPayment", "/check", "/refund", "/recurrent", "/capture", "/cancel", "/withdrawal/tokenize-form", "/withdrawal/balance/get"}
	for _, p := range pci {
		for _, base := range []string{srv.BaseURL(), srv.ExportBaseURL()} {
			r := post(t, srv, base, p, docHost2HostReq)
			wantCode(t, r, http.StatusNotFound)
			wantEqual(t, "error", r.str("error"), "Not Found")
		}
	}
	for _, p := range gateway {
		for _, base := range []string{srv.CardBaseURL(), srv.ExportBaseURL()} {
			wantCode(t, post(t, srv, base, p, `{"order_id":"x"}`), http.StatusNotFound)
		}
	}
	wantCode(t, post(t, srv, srv.BaseURL(), sp.ExportPath, `{}`), http.StatusNotFound)
	if n := len(srv.Operations()); n != 0 {
		t.Errorf("%d operations executed by misrouted calls", n)
	}
}

func TestMethodAndContentType(t *testing.T) {
	srv := newSim(t)
	r := get(t, srv, srv.BaseURL()+"/check")
	wantCode(t, r, http.StatusMethodNotAllowed)
	wantEqual(t, "Allow", r.header.Get("Allow"), "POST")

	req, _ := http.NewRequest(http.MethodPost, srv.BaseURL()+"/check", strings.NewReader(`{"order_id":"x"}`))
	req.SetBasicAuth(sp.DefaultMerchantKey, sp.DefaultSecret)
	req.Header.Set("Content-Type", "text/plain")
	wantCode(t, do(t, srv.Client(), req), http.StatusUnsupportedMediaType)

	req, _ = http.NewRequest(http.MethodPost, srv.BaseURL()+"/check", strings.NewReader(`{"order_id":"x"}`))
	req.SetBasicAuth(sp.DefaultMerchantKey, sp.DefaultSecret)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	wantCode(t, do(t, srv.Client(), req), http.StatusNotFound) // accepted, order unknown

	for _, body := range []string{``, `[]`, `{"order_id":`, `{"order_id":"x"} {}`, `null`} {
		r := post(t, srv, srv.BaseURL(), "/check", body)
		wantCode(t, r, http.StatusBadRequest)
		wantEqual(t, "err", r.str("err"), sp.ErrCodeMalformedJSON)
	}
}

func TestValidation(t *testing.T) {
	srv := newSim(t)
	type tc struct {
		name, path, doc string
		set             map[string]any
		wantErr         string
	}
	var cases []tc
	// Every field the document marks required, removed one at a time.
	required := map[string][]string{
		"/initPayment": {"account", "amount", "currency", "order_id", "customer_first_name", "customer_last_name",
			"customer_address", "customer_city", "customer_zip_code", "customer_country", "customer_phone",
			"customer_email", "customer_ip_address"},
		"/initPaymentHost2Host": {"account", "amount", "currency", "order_id", "merchant_site", "customer_first_name",
			"customer_last_name", "customer_address", "customer_city", "customer_zip_code", "customer_country",
			"customer_phone", "customer_email", "customer_ip_address", "card_holder", "card_number",
			"card_exp_month", "card_exp_year", "card_cvv"},
		"/authorize": {"account", "amount", "currency", "order_id", "merchant_site", "customer_first_name",
			"customer_last_name", "customer_address", "customer_city", "customer_zip_code", "customer_country",
			"customer_phone", "customer_email", "card_holder", "card_number", "card_exp_month", "card_exp_year", "card_cvv"},
		"/check":                    {"order_id"},
		"/refund":                   {"order_id", "amount", "reason"},
		"/recurrent":                {"order_id", "parent_order_id", "amount", "purpose"},
		"/withdrawal/tokenize-form": {"account", "order_id"},
		"/withdrawal/init":          {"account", "amount", "order_id", "customer_card_number"},
		"/withdrawal/balance/get":   {"account"},
		"/capture":                  {"order_id"},
		"/cancel":                   {"order_id"},
	}
	docs := map[string]string{
		"/initPayment": docInitPaymentReq, "/initPaymentHost2Host": docHost2HostReq, "/authorize": docAuthorizeReq,
		"/check": docCheckReq, "/refund": docRefundReq, "/recurrent": docRecurrentReq,
		"/withdrawal/tokenize-form": docTokenizeReq, "/withdrawal/init": docWithdrawalReq,
		"/withdrawal/balance/get": docBalanceReq, "/capture": docCaptureReq, "/cancel": docCancelReq,
	}
	for path, fields := range required {
		for _, f := range fields {
			cases = append(cases, tc{"missing " + f, path, docs[path], map[string]any{f: nil}, f + " is required"})
			if f != "amount" {
				cases = append(cases, tc{"blank " + f, path, docs[path], map[string]any{f: " "}, ""})
			}
		}
	}
	cases = append(cases,
		tc{"amount as string", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"amount": "1000"}, "amount must be an integer"},
		tc{"amount with fraction", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"amount": 10.5}, "amount must be an integer"},
		tc{"amount zero", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"amount": 0}, "amount must be a positive integer amount in cents"},
		tc{"amount negative", "/refund", docRefundReq, map[string]any{"amount": -5}, "amount must be a positive integer amount in cents"},
		tc{"currency lower case", "/initPayment", docInitPaymentReq, map[string]any{"currency": "eur"}, "currency must be an ISO 4217 alpha-3 code"},
		tc{"order_id as number", "/check", docCheckReq, map[string]any{"order_id": 12}, "order_id must be a string"},
		tc{"card number with spaces", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"card_number": "4012 0000 0000 3010"}, "card_number must be 12 to 19 digits"},
		tc{"unknown payment_method", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"payment_method": "paypal"}, "payment_method must be one of: card, applePayDPan, googlePayDPan"},
		tc{"apple pay without token", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"payment_method": "applePayDPan", "apple_pay_dpan": nil}, "apple_pay_dpan is required"},
		tc{"google pay without network", "/initPaymentHost2Host", docGooglePayReq, map[string]any{"google_pay_payment_method_network": nil}, "google_pay_payment_method_network is required"},
		tc{"withdrawal token without order", "/withdrawal/init", docWithdrawalReq, map[string]any{"payment_method": "token"}, "tokenize_transaction_order_id is required"},
		tc{"withdrawal unknown method", "/withdrawal/init", docWithdrawalReq, map[string]any{"payment_method": "iban"}, "payment_method must be one of: card, token"},
		tc{"recurrent bad period", "/recurrent", docRecurrentReq, map[string]any{"recur_period": "02"}, "recur_period must be one of: 01, 03, 06, 09, 11"},
		tc{"boolean not boolean", "/initPaymentHost2Host", docHost2HostReq, map[string]any{"browser_java_enabled": "maybe"}, "browser_java_enabled must be a boolean"},
		tc{"callback not a URL", "/initPayment", docInitPaymentReq, map[string]any{"callback_url": "site.com/cb"}, "callback_url must be an absolute http(s) URL"},
		tc{"capture amount not numeric", "/capture", docCaptureReq, map[string]any{"amount": "ten"}, "amount must be an integer"},
	)
	for _, c := range cases {
		t.Run(c.path+"/"+c.name, func(t *testing.T) {
			base := srv.BaseURL()
			if c.path == "/initPaymentHost2Host" || c.path == "/authorize" || c.path == "/withdrawal/init" {
				base = srv.CardBaseURL()
			}
			r := post(t, srv, base, c.path, edit(t, c.doc, c.set))
			wantCode(t, r, http.StatusBadRequest)
			if c.wantErr != "" {
				wantEqual(t, "err", r.str("err"), c.wantErr)
			} else if !strings.Contains(r.str("err"), "is required") {
				t.Errorf("err = %q, want a required-field message", r.str("err"))
			}
		})
	}
	if n := len(srv.Operations()); n != 0 {
		t.Errorf("%d operations executed by invalid requests", n)
	}
}

func TestLenientFields(t *testing.T) {
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	cases := []struct {
		name string
		set  map[string]any
	}{
		{"zip as number (document's example)", map[string]any{"customer_zip_code": 121165}},
		{"zip as string (document's table)", map[string]any{"customer_zip_code": "050000"}},
		{"booleans as strings", map[string]any{"recurrent": "false", "browser_java_enabled": "false", "browser_js_enabled": "true"}},
		{"unknown fields ignored", map[string]any{"something_new": []any{1, 2}}},
		{"google pay without card_holder", map[string]any{"payment_method": "googlePayDPan", "card_holder": nil, "google_pay_dpan": "eyJ4IjoxfQ==", "google_pay_payment_method_network": "Visa"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h2h(t, srv, "lenient-"+string(rune('a'+i)), sp.CardFrictionless, 1000, c.set)
			wantCode(t, r, http.StatusOK)
			wantEqual(t, "status", r.num("status"), 2)
		})
	}
}

func TestDuplicateOrderID(t *testing.T) {
	srv := newSim(t)
	wantCode(t, h2h(t, srv, "dup-1", sp.CardFrictionless, 1000, nil), http.StatusOK)
	ops := len(srv.Operations())
	attempts := map[string]func() reply{
		"h2h again": func() reply { return h2h(t, srv, "dup-1", sp.CardFrictionless, 1000, nil) },
		"authorize": func() reply { return authorize(t, srv, "dup-1", sp.CardFrictionless, 1000, nil) },
		"initPayment": func() reply {
			return post(t, srv, srv.BaseURL(), "/initPayment", edit(t, docInitPaymentReq, with(loopbackURLs, map[string]any{"order_id": "dup-1"})))
		},
		"withdrawal": func() reply {
			return post(t, srv, srv.CardBaseURL(), "/withdrawal/init", edit(t, docWithdrawalReq, map[string]any{"order_id": "dup-1", "callback_url": nil}))
		},
		"tokenize": func() reply {
			return post(t, srv, srv.BaseURL(), "/withdrawal/tokenize-form", edit(t, docTokenizeReq, with(loopbackURLs, map[string]any{"order_id": "dup-1"})))
		},
	}
	for name, call := range attempts {
		t.Run(name, func(t *testing.T) {
			r := call()
			wantCode(t, r, http.StatusBadRequest)
			sameShape(t, r, `{"status": -1, "order_id": "x", "err": "x", "msg": "x"}`)
			wantEqual(t, "status", r.num("status"), -1)
			wantEqual(t, "order_id", r.str("order_id"), "dup-1")
			wantEqual(t, "err", r.str("err"), "PLATFORM_ERROR_DUPLICATED_ORDER_ID")
		})
	}
	r := post(t, srv, srv.BaseURL(), "/recurrent", `{"order_id":"dup-1","parent_order_id":"dup-1","amount":100,"purpose":"p"}`)
	wantCode(t, r, http.StatusBadRequest)
	sameShape(t, r, `{"success": false, "message": "x", "payment_id": null, "err": "x"}`)
	wantEqual(t, "err", r.str("err"), "PLATFORM_ERROR_DUPLICATED_ORDER_ID")
	if n := len(srv.Operations()); n != ops {
		t.Errorf("operations grew from %d to %d on duplicates", ops, n)
	}
}

func TestUnknownOrder(t *testing.T) {
	srv := newSim(t)
	cases := []struct {
		path, body, shape string
	}{
		{"/check", `{"order_id":"nope"}`, `{"status": -1, "order_id": "x", "err": "x", "msg": "x"}`},
		{"/capture", `{"order_id":"nope"}`, `{"status": -1, "order_id": "x", "err": "x", "msg": "x"}`},
		{"/cancel", `{"order_id":"nope"}`, `{"status": -1, "order_id": "x", "err": "x", "msg": "x"}`},
		{"/refund", `{"order_id":"nope","amount":100,"reason":"r"}`, `{"success": false, "message": "x", "refund_id": null, "parentTransaction": null, "err": "x"}`},
		{"/recurrent", `{"order_id":"new","parent_order_id":"nope","amount":100,"purpose":"p"}`, `{"success": false, "message": "x", "payment_id": null, "err": "x"}`},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := post(t, srv, srv.BaseURL(), c.path, c.body)
			wantCode(t, r, http.StatusNotFound)
			sameShape(t, r, c.shape)
			wantEqual(t, "err", r.str("err"), sp.ErrCodeOrderNotFound)
		})
	}
	// A processing id is not a merchant order id.
	pid := h2h(t, srv, "known", sp.CardFrictionless, 1000, nil).str("order_id")
	wantCode(t, post(t, srv, srv.BaseURL(), "/check", `{"order_id":"`+pid+`"}`), http.StatusNotFound)
}
