package smart2paytest

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func idOf(t *testing.T, r resp) string {
	t.Helper()
	return r.payment(t)["ID"].(interface{ String() string }).String()
}

func cardBody(ref string, amount any, capture string) string {
	c := ""
	if capture != "" {
		c = `,"Capture":` + capture
	}
	return fmt.Sprintf(`{"Payment":{"MerchantTransactionID":%q,"Amount":%v,"Currency":"EUR",
	 "Card":{"HolderName":"John Doe","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2099","SecurityCode":"312"}%s}}`,
		ref, amount, c)
}

func apmBody(ref string, amount any, extra string) string {
	return fmt.Sprintf(`{"Payment":{"MerchantTransactionID":%q,"Amount":%v,"Currency":"EUR","MethodID":2,
	 "ReturnURL":"http://demo.smart2pay.com/redirect.php"%s}}`, ref, amount, extra)
}

func TestAuthentication(t *testing.T) {
	s := newSim(t)
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	tests := []struct {
		name string
		base string
		auth string
		want int
	}{
		{"apm ok", s.BaseURL(), docAPMAuth, http.StatusOK},
		{"card ok", s.CardBaseURL(), docCardAuth, http.StatusOK},
		{"lower-case scheme", s.BaseURL(), "basic " + strings.TrimPrefix(docAPMAuth, "Basic "), http.StatusOK},
		{"missing", s.BaseURL(), "", http.StatusUnauthorized},
		{"wrong key", s.BaseURL(), basic("30201", "nope"), http.StatusUnauthorized},
		{"wrong site", s.BaseURL(), basic("30202", DefaultAPIKey), http.StatusUnauthorized},
		{"card credentials on apm host", s.BaseURL(), docCardAuth, http.StatusUnauthorized},
		{"apm credentials on card host", s.CardBaseURL(), docAPMAuth, http.StatusUnauthorized},
		{"bearer", s.BaseURL(), "Bearer " + DefaultAPIKey, http.StatusUnauthorized},
		{"garbage", s.BaseURL(), "Basic !!!", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"GET /v1/payments", "POST /v1/payments", "GET /v1/payments/1", "POST /v1/payments/1/capture"} {
				m, p, _ := strings.Cut(path, " ")
				r := call(t, s, tc.base, m, p, tc.auth, "")
				if tc.want == http.StatusOK {
					if r.code == http.StatusUnauthorized {
						t.Errorf("%s: 401", path)
					}
					continue
				}
				wantStatus(t, r, http.StatusUnauthorized)
				if string(r.raw) != unauthorizedBody {
					t.Errorf("%s: body %s", path, r.raw)
				}
				if r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s: no WWW-Authenticate", path)
				}
			}
		})
	}
	if ops := s.Operations(); len(ops) != 0 {
		t.Errorf("operations after refused requests: %+v", ops)
	}

	custom := newSim(t, WithCredentials(42, "k"))
	for _, base := range []string{custom.BaseURL(), custom.CardBaseURL()} {
		if r := call(t, custom, base, "GET", "/v1/payments", basic("42", "k"), ""); r.code != http.StatusOK {
			t.Errorf("WithCredentials on %s: HTTP %d", base, r.code)
		}
	}
	split := newSim(t, WithCredentials(42, "k"), WithCardCredentials(43, "c"))
	if r := call(t, split, split.CardBaseURL(), "GET", "/v1/payments", basic("43", "c"), ""); r.code != http.StatusOK {
		t.Errorf("WithCardCredentials: HTTP %d", r.code)
	}
	if r := call(t, split, split.CardBaseURL(), "GET", "/v1/payments", basic("42", "k"), ""); r.code != http.StatusUnauthorized {
		t.Errorf("WithCardCredentials: the APM pair still works on the card host")
	}
}

func TestCardTestAmounts(t *testing.T) {
	tests := []struct {
		amount   int
		capture  string
		status   int64
		info     string
		captured int64
		kind     string
		reason   bool
	}{
		{1, "true", 11, "Captured", 1, "sale", false},
		{2000, "", 11, "Captured", 2000, "sale", false},
		{10000, "true", 11, "Captured", 10000, "sale", false},
		{10000, "false", 9, "Authorized", 0, "authorize", false},
		{10001, "true", 4, "Failed", 0, "sale", true},
		{10001, "false", 4, "Failed", 0, "authorize", true},
		{10002, "true", 33, "QueuedForCapturing", 0, "sale", false},
		{10003, "true", 13, "CaptureRequested", 0, "sale", false},
		{25000, "true", 11, "Captured", 25000, "sale", false},
	}
	s := newSim(t)
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%d_%s", tc.amount, tc.capture), func(t *testing.T) {
			ref := fmt.Sprintf("amt_%d", i)
			r := cardCall(t, s, "POST", "/v1/payments", cardBody(ref, tc.amount, tc.capture))
			wantStatus(t, r, http.StatusCreated)
			p := r.payment(t)
			id, info, reasons := status(t, p)
			if num(t, id) != tc.status || info != tc.info || num(t, p["CapturedAmount"]) != tc.captured {
				t.Errorf("got %v %v captured %v", id, info, p["CapturedAmount"])
			}
			rs := reasons.([]any)
			if tc.reason {
				if len(rs) != 1 {
					t.Fatalf("reasons %v", rs)
				}
				if code, _ := firstReason(t, p); code != "121" {
					t.Errorf("code %#v", code)
				}
			} else if len(rs) != 0 {
				t.Errorf("reasons %v", rs)
			}
			ps, ok := s.PaymentByReference(ref)
			if !ok || ps.StatusID != int(tc.status) || ps.API != APICard || ps.MethodID != 6 {
				t.Errorf("state %+v", ps)
			}
			ops := s.Operations()
			last := ops[len(ops)-1]
			if last.Kind != tc.kind || last.Reference != ref || last.Amount != fmt.Sprint(tc.amount) || last.Result != tc.info || last.ID != ps.ID {
				t.Errorf("operation %+v", last)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	s := newSim(t)
	card := `"Card":{"HolderName":"John Doe","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2099"}`
	tests := []struct {
		name string
		card bool
		body string
		code string
	}{
		{"apm not json", false, `nope`, "2"},
		{"apm no Payment", false, `{"Refund":{}}`, "1"},
		{"apm missing MerchantTransactionID", false, `{"Payment":{"Amount":1,"Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "1"},
		{"apm bad MerchantTransactionID", false, `{"Payment":{"MerchantTransactionID":"a b","Amount":1,"Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "2"},
		{"apm missing Amount", false, `{"Payment":{"MerchantTransactionID":"v1","Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "1"},
		{"apm fractional Amount", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":10.5,"Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "118"},
		{"apm string Amount", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":"100","Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "118"},
		{"apm zero Amount", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":0,"Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "118"},
		{"apm missing Currency", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"ReturnURL":"http://x.example/r"}}`, "1"},
		{"apm bad Currency", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"euro","ReturnURL":"http://x.example/r"}}`, "100"},
		{"apm missing ReturnURL", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR"}}`, "1"},
		{"apm bad MethodID", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","MethodID":"x","ReturnURL":"http://x.example/r"}}`, "5"},
		{"apm bad country", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","ReturnURL":"http://x.example/r","BillingAddress":{"Country":"ROU"}}}`, "19"},
		{"apm lower-case field name", false, `{"Payment":{"merchantTransactionID":"v1","Amount":1,"Currency":"EUR","ReturnURL":"http://x.example/r"}}`, "1"},
		{"card body on apm host", false, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","ReturnURL":"http://x.example/r",` + card + `}}`, "2"},
		{"card missing Amount", true, `{"Payment":{"MerchantTransactionID":"v1","Currency":"EUR",` + card + `}}`, "1"},
		{"card string Amount", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":"2000","Currency":"EUR",` + card + `}}`, "2"},
		{"card bad Currency", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"E",` + card + `}}`, "2"},
		{"apm body on card host", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","MethodID":2,"ReturnURL":"http://x.example/r"}}`, "1"},
		{"card bad luhn", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","Card":{"HolderName":"J","Number":"4111111111111112","ExpirationMonth":"02","ExpirationYear":"2099"}}}`, "2"},
		{"card expired", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","Card":{"HolderName":"J","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2001"}}}`, "2"},
		{"card no holder", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","Card":{"Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2099"}}}`, "1"},
		{"card bad month", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","Card":{"HolderName":"J","Number":"4111111111111111","ExpirationMonth":"13","ExpirationYear":"2099"}}}`, "2"},
		{"card bad cvv", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","Card":{"HolderName":"J","Number":"4111111111111111","ExpirationMonth":"12","ExpirationYear":"2099","SecurityCode":"1"}}}`, "2"},
		{"card other MethodID", true, `{"Payment":{"MerchantTransactionID":"v1","Amount":1,"Currency":"EUR","MethodID":2,` + card + `}}`, "5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r resp
			if tc.card {
				r = cardCall(t, s, "POST", "/v1/payments", tc.body)
			} else {
				r = apmCall(t, s, "POST", "/v1/payments", tc.body)
			}
			wantStatus(t, r, http.StatusBadRequest)
			p := r.payment(t)
			code, info := firstReason(t, p)
			if code != tc.code {
				t.Errorf("code %#v (%s), want %q", code, info, tc.code)
			}
			if _, has := p["InvalidRequestID"]; has != tc.card {
				t.Errorf("InvalidRequestID present = %v", has)
			}
			if p["ID"] != nil {
				t.Errorf("ID = %v", p["ID"])
			}
		})
	}
	if ops := s.Operations(); len(ops) != 0 {
		t.Errorf("operations after invalid requests: %+v", ops)
	}
}

func TestUnknownAndCrossHostPayments(t *testing.T) {
	s := newSim(t)
	cardID := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("x1", 100, "false")))
	apmID := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("x2", 100, "")))
	if cardID == apmID {
		t.Fatal("hosts share an ID")
	}
	tests := []struct {
		name, base, method, path, id string
	}{
		{"get unknown", s.BaseURL(), "GET", "/v1/payments/999", "999"},
		{"get card id on apm host", s.BaseURL(), "GET", "/v1/payments/" + cardID, cardID},
		{"get apm id on card host", s.CardBaseURL(), "GET", "/v1/payments/" + apmID, apmID},
		{"capture unknown", s.CardBaseURL(), "POST", "/v1/payments/999/capture", "999"},
		{"cancel apm id on card host", s.CardBaseURL(), "POST", "/v1/payments/" + apmID + "/cancel", apmID},
		{"card status unknown", s.CardBaseURL(), "GET", "/v1/payments/999/status", "999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			auth := docAPMAuth
			if tc.base == s.CardBaseURL() {
				auth = docCardAuth
			}
			r := call(t, s, tc.base, tc.method, tc.path, auth, "")
			wantStatus(t, r, http.StatusBadRequest)
			p := r.payment(t)
			code, info := firstReason(t, p)
			if num(t, code) != 17 || info != "Payment is invalid - "+tc.id {
				t.Errorf("reason %#v %q", code, info)
			}
			if p["ID"].(interface{ String() string }).String() != tc.id {
				t.Errorf("ID %v", p["ID"])
			}
			if sid, sinfo, _ := status(t, p); sid != nil || sinfo != nil {
				t.Errorf("Status %v %v", sid, sinfo)
			}
		})
	}
	r := apmCall(t, s, "GET", "/v1/payments/abc", "")
	wantStatus(t, r, http.StatusBadRequest)
	if r.payment(t)["ID"] != nil {
		t.Errorf("non-numeric ID echoed: %v", r.payment(t)["ID"])
	}
}

func noRedirectClient(s *Server) *http.Client {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func TestRedirectPage(t *testing.T) {
	tests := []struct {
		outcome string
		how     string // "post", "get", "helper"
		capture string
		data    string
		status  int
		info    string
	}{
		{OutcomeSuccess, "post", "", "2", 2, "Success"},
		{OutcomeSuccess, "get", "", "2", 2, "Success"},
		{OutcomeSuccess, "helper", "", "2", 2, "Success"},
		{OutcomeSuccess, "post", "false", "9", 9, "Authorized"},
		{OutcomeAuthorize, "get", "", "9", 9, "Authorized"},
		{OutcomeFail, "post", "", "4", 4, "Failed"},
		{OutcomeCancel, "get", "", "3", 3, "Cancelled"},
		{OutcomeProcessing, "helper", "", "7", 7, "PendingOnProvider"},
	}
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	client := noRedirectClient(s)
	for i, tc := range tests {
		t.Run(tc.outcome+"_"+tc.how+tc.capture, func(t *testing.T) {
			ref := fmt.Sprintf("redir_%d", i)
			extra := ""
			if tc.capture != "" {
				extra = `,"Capture":` + tc.capture
			}
			cr := apmCall(t, s, "POST", "/v1/payments", apmBody(ref, 500, extra))
			wantStatus(t, cr, http.StatusCreated)
			p := cr.payment(t)
			id, redirect := idOf(t, cr), p["RedirectURL"].(string)

			// the customer opens the page
			res, err := client.Get(redirect)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("page: HTTP %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			want := "http://demo.smart2pay.com/redirect.php?data=" + tc.data + "&MerchantTransactionID=" + ref
			var location string
			switch tc.how {
			case "post":
				res, err = client.PostForm(redirect, url.Values{"result": {tc.outcome}})
			case "get":
				res, err = client.Get(redirect + "&result=" + tc.outcome)
			case "helper":
				location, err = s.CompleteRedirect(id, tc.outcome)
				res = nil
			}
			if err != nil {
				t.Fatal(err)
			}
			if res != nil {
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("HTTP %d, want 303", res.StatusCode)
				}
				location = res.Header.Get("Location")
			}
			if location != want {
				t.Errorf("redirect to %q, want %q", location, want)
			}
			ps, _ := s.Payment(id)
			if ps.StatusID != tc.status || ps.StatusInfo != tc.info {
				t.Errorf("status %d %s", ps.StatusID, ps.StatusInfo)
			}
			// a finished payment cannot be finished again
			if _, err := s.CompleteRedirect(id, OutcomeSuccess); err == nil {
				t.Error("completed twice")
			}
		})
	}
	if _, err := s.CompleteRedirect("1", OutcomeSuccess); err == nil {
		t.Error("unknown payment completed")
	}
	// a bad token is a 404 page
	res, err := client.Get(s.BaseURL() + "/Home?PaymentToken=ABC.1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("bad token: HTTP %d", res.StatusCode)
	}
}

func TestReturnURLWithQuery(t *testing.T) {
	for in, want := range map[string]string{
		"http://m.example/r":          "http://m.example/r?data=2&MerchantTransactionID=a%2Bb",
		"http://m.example/r?x=1":      "http://m.example/r?x=1&data=2&MerchantTransactionID=a%2Bb",
		"http://m.example/r?":         "http://m.example/r?data=2&MerchantTransactionID=a%2Bb",
		"http://m.example/r?x=1#frag": "http://m.example/r?x=1&data=2&MerchantTransactionID=a%2Bb#frag",
	} {
		if got := returnURLWith(in, 2, "a+b"); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestCancelRules(t *testing.T) {
	s := newSim(t)
	// an alternative-method payment can be cancelled before the customer opens the page…
	id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("c1", 100, "")))
	wantStatus(t, apmCall(t, s, "POST", "/v1/payments/"+id+"/cancel", ""), http.StatusOK)
	// …not after
	cr := apmCall(t, s, "POST", "/v1/payments", apmBody("c2", 100, ""))
	res, err := s.Client().Get(cr.payment(t)["RedirectURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	r := apmCall(t, s, "POST", "/v1/payments/"+idOf(t, cr)+"/cancel", "")
	wantStatus(t, r, http.StatusBadRequest)
	if sid := statusID(t, r.payment(t)); sid != 1 {
		t.Errorf("status %d", sid)
	}
	// authorized: cancellable on both hosts; captured card: not
	id3 := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("c3", 100, "")))
	if _, err := s.CompleteRedirect(id3, OutcomeAuthorize); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, apmCall(t, s, "POST", "/v1/payments/"+id3+"/cancel", ""), http.StatusOK)
	captured := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("c4", 100, "true")))
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments/"+captured+"/cancel", ""), http.StatusBadRequest)
	queued := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("c5", 10002, "true")))
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments/"+queued+"/cancel", ""), http.StatusBadRequest)
	var kinds []string
	for _, op := range s.Operations() {
		kinds = append(kinds, op.Kind)
	}
	if got, want := strings.Join(kinds, ","), "payment,cancel,payment,payment,complete,cancel,sale,sale"; got != want {
		t.Errorf("operations %s, want %s", got, want)
	}
}

func TestCaptureRules(t *testing.T) {
	s := newSim(t)
	auth := func(ref string, amount int) string {
		return idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody(ref, amount, "false")))
	}
	tests := []struct {
		name   string
		card   bool
		query  string
		code   int
		reason any
		status int64
	}{
		{"card full", true, "", 200, nil, 11},
		{"card full by amount", true, "?amount=2000", 200, nil, 11},
		{"card partial", true, "?amount=1999", 200, nil, 35},
		{"card too much", true, "?amount=2001", 400, int64(118), 9},
		{"card zero", true, "?amount=0", 400, int64(118), 9},
		{"card not a number", true, "?amount=1.5", 400, int64(118), 9},
		{"apm full", false, "", 200, nil, 2},
		{"apm partial", false, "?amount=100", 200, nil, 35},
		{"apm too much", false, "?amount=2001", 400, int64(118), 9},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := fmt.Sprintf("cap_%d", i)
			var r resp
			if tc.card {
				id := auth(ref, 2000)
				r = cardCall(t, s, "POST", "/v1/payments/"+id+"/capture"+tc.query, "")
			} else {
				id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody(ref, 2000, "")))
				if _, err := s.CompleteRedirect(id, OutcomeAuthorize); err != nil {
					t.Fatal(err)
				}
				r = apmCall(t, s, "POST", "/v1/payments/"+id+"/capture"+tc.query, "")
			}
			wantStatus(t, r, tc.code)
			p := r.payment(t)
			if statusID(t, p) != tc.status {
				t.Errorf("status %d, want %d", statusID(t, p), tc.status)
			}
			if tc.reason != nil {
				if code, _ := firstReason(t, p); num(t, code) != tc.reason.(int64) {
					t.Errorf("code %v, want %v", code, tc.reason)
				}
			}
			ps, _ := s.PaymentByReference(ref)
			if ps.StatusID != int(tc.status) {
				t.Errorf("state %+v", ps)
			}
		})
	}
	// not authorized yet / not at all
	open := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("cap_open", 100, "")))
	wantStatus(t, apmCall(t, s, "POST", "/v1/payments/"+open+"/capture", ""), http.StatusBadRequest)
	failed := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("cap_failed", 10001, "false")))
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments/"+failed+"/capture", ""), http.StatusBadRequest)
}

func TestRefunds(t *testing.T) {
	s := newSim(t)
	refund := func(base, id, body string) resp {
		if base == s.CardBaseURL() {
			return cardCall(t, s, "POST", "/v1/payments/"+id+"/refunds", body)
		}
		return apmCall(t, s, "POST", "/v1/payments/"+id+"/refunds", body)
	}
	rb := func(ref string, amount any) string {
		return fmt.Sprintf(`{"Refund":{"MerchantTransactionID":%q,"Amount":%v,"Description":"refund test"}}`, ref, amount)
	}

	// card: two partial refunds, then one too many
	cid := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("rf_card", 9000, "true")))
	r := refund(s.CardBaseURL(), cid, rb("rf_card", 4500))
	wantStatus(t, r, http.StatusCreated)
	ref := r.json(t)["Refund"].(map[string]any)
	wantKeys := []string{"ID", "Created", "MerchantTransactionID", "InitialPaymentID", "Amount", "Currency", "Description", "TypeID", "Status"}
	if got := keyOrder(t, innerRaw(t, r.raw, "Refund")); strings.Join(got, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("refund keys %v", got)
	}
	if num(t, ref["Amount"]) != 4500 || ref["Currency"] != "EUR" || ref["MerchantTransactionID"] != "rf_card" ||
		ref["InitialPaymentID"].(interface{ String() string }).String() != cid || ref["Description"] != "refund test" || num(t, ref["TypeID"]) != 1 {
		t.Errorf("refund %v", ref)
	}
	if sid, info, rs := status(t, ref); num(t, sid) != 2 || info != "Success" || len(rs.([]any)) != 0 {
		t.Errorf("refund status %v %v %v", sid, info, rs)
	}
	if ps, _ := s.Payment(cid); ps.StatusID != 21 || ps.RefundedAmount != 4500 {
		t.Errorf("payment after partial refund %+v", ps)
	}
	over := refund(s.CardBaseURL(), cid, rb("rf_card2", 4501))
	wantStatus(t, over, http.StatusBadRequest)
	oref := over.json(t)["Refund"].(map[string]any)
	if code, _ := firstReason(t, oref); num(t, code) != 2206 {
		t.Errorf("over-refund code %v", code)
	}
	if oref["ID"] != nil || num(t, oref["Amount"]) != 4501 || oref["MerchantTransactionID"] != "rf_card2" {
		t.Errorf("error refund %v", oref)
	}
	wantStatus(t, refund(s.CardBaseURL(), cid, rb("rf_card3", 4500)), http.StatusCreated)
	if ps, _ := s.Payment(cid); ps.StatusID != 22 || ps.RefundedAmount != 9000 || len(ps.Refunds) != 2 {
		t.Errorf("payment after full refund %+v", ps)
	}
	wantStatus(t, refund(s.CardBaseURL(), cid, rb("rf_card4", 1)), http.StatusBadRequest)

	// list, one, light status
	l := cardCall(t, s, "GET", "/v1/payments/"+cid+"/refunds", "")
	wantStatus(t, l, http.StatusOK)
	list := l.json(t)["Refunds"].([]any)
	if len(list) != 2 {
		t.Fatalf("refund list %v", list)
	}
	rid := list[0].(map[string]any)["ID"].(interface{ String() string }).String()
	one := cardCall(t, s, "GET", "/v1/payments/"+cid+"/refunds/"+rid, "")
	wantStatus(t, one, http.StatusOK)
	if one.json(t)["Refund"].(map[string]any)["ID"].(interface{ String() string }).String() != rid {
		t.Errorf("refund %s", one.raw)
	}
	st := cardCall(t, s, "GET", "/v1/payments/"+cid+"/refunds/"+rid+"/status", "")
	wantStatus(t, st, http.StatusOK)
	if got := keyOrder(t, innerRaw(t, st.raw, "Refund")); strings.Join(got, ",") != "ID,InitialPaymentID,MerchantTransactionID,Status" {
		t.Errorf("refund status keys %v", got)
	}
	wantStatus(t, cardCall(t, s, "GET", "/v1/payments/"+cid+"/refunds/1", ""), http.StatusBadRequest)

	// card: refund of an authorized payment
	aid := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("rf_auth", 100, "false")))
	bad := refund(s.CardBaseURL(), aid, rb("rf_auth", 100))
	wantStatus(t, bad, http.StatusBadRequest)
	if code, _ := firstReason(t, bad.json(t)["Refund"].(map[string]any)); num(t, code) != 17 {
		t.Errorf("refund of authorized: code %v", code)
	}

	// apm: refund of a paid payment, over-refund, refund of an open payment
	pid := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("rf_apm", 980, "")))
	open := refund(s.BaseURL(), pid, rb("rf_apm", 980))
	wantStatus(t, open, http.StatusBadRequest)
	if code, _ := firstReason(t, open.json(t)["Refund"].(map[string]any)); num(t, code) != 18 {
		t.Errorf("refund of open: code %v", code)
	}
	if _, err := s.CompleteRedirect(pid, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	over = refund(s.BaseURL(), pid, rb("rf_apm", 981))
	wantStatus(t, over, http.StatusBadRequest)
	if code, _ := firstReason(t, over.json(t)["Refund"].(map[string]any)); num(t, code) != 18 {
		t.Errorf("apm over-refund code %v", code)
	}
	ok := refund(s.BaseURL(), pid, rb("rf_apm", 980))
	wantStatus(t, ok, http.StatusCreated)
	if _, _, rs := status(t, ok.json(t)["Refund"].(map[string]any)); rs != nil {
		t.Errorf("apm refund reasons %v, want null", rs)
	}
	if ps, _ := s.Payment(pid); ps.StatusID != 22 {
		t.Errorf("apm payment %+v", ps)
	}

	// validation
	for body, code := range map[string]int64{
		`{}`:                      1,
		`{"Refund":{"Amount":1}}`: 1,
		`{"Refund":{"MerchantTransactionID":"r"}}`:                            1,
		`{"Refund":{"MerchantTransactionID":"r","Amount":"1"}}`:               118,
		`{"Refund":{"MerchantTransactionID":"r","Amount":-1}}`:                118,
		`{"Refund":{"MerchantTransactionID":"r r","Amount":1}}`:               2,
		`{"Refund":{"MerchantTransactionID":"r","Amount":1.25}}`:              118,
		`{"Refund":{"MerchantTransactionID":"r","Amount":1,"Description":5}}`: 2,
	} {
		r := refund(s.BaseURL(), pid, body)
		wantStatus(t, r, http.StatusBadRequest)
		if c, info := firstReason(t, r.json(t)["Refund"].(map[string]any)); num(t, c) != code {
			t.Errorf("%s: code %v (%s), want %d", body, c, info, code)
		}
	}
	unknown := refund(s.BaseURL(), "12345", rb("x", 1))
	wantStatus(t, unknown, http.StatusBadRequest)
	if c, _ := firstReason(t, unknown.json(t)["Refund"].(map[string]any)); num(t, c) != 17 {
		t.Errorf("unknown payment code %v", c)
	}

	var refunds int
	for _, op := range s.Operations() {
		if op.Kind == "refund" {
			refunds++
			if op.Amount == "" || op.Result != "Success" {
				t.Errorf("refund op %+v", op)
			}
		}
	}
	if refunds != 3 {
		t.Errorf("%d refund operations, want 3", refunds)
	}
}

func TestPendingRefunds(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithPendingRefunds(), WithNotificationURL(withReceiver(t, rc)))
	cid := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("pr", 1000, "true")))
	r := cardCall(t, s, "POST", "/v1/payments/"+cid+"/refunds", `{"Refund":{"MerchantTransactionID":"pr","Amount":400}}`)
	wantStatus(t, r, http.StatusCreated)
	ref := r.json(t)["Refund"].(map[string]any)
	if sid, info, _ := status(t, ref); num(t, sid) != 1 || info != "Open" {
		t.Fatalf("refund status %v %v", sid, info)
	}
	rid := ref["ID"].(interface{ String() string }).String()
	// another refund while one is open: 2207 on the card host
	again := cardCall(t, s, "POST", "/v1/payments/"+cid+"/refunds", `{"Refund":{"MerchantTransactionID":"pr2","Amount":100}}`)
	wantStatus(t, again, http.StatusBadRequest)
	if c, _ := firstReason(t, again.json(t)["Refund"].(map[string]any)); num(t, c) != 2207 {
		t.Errorf("code %v", c)
	}
	if ps, _ := s.Payment(cid); ps.StatusID != 11 {
		t.Errorf("payment moved before the refund settled: %+v", ps)
	}
	if err := s.SetRefundStatus(rid, StatusSuccess); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefundStatus(rid, StatusFailed); err == nil {
		t.Error("settled twice")
	}
	if ps, _ := s.Payment(cid); ps.StatusID != 21 || ps.RefundedAmount != 400 {
		t.Errorf("payment %+v", ps)
	}
	// a failed refund gives the money back to refund
	r2 := cardCall(t, s, "POST", "/v1/payments/"+cid+"/refunds", `{"Refund":{"MerchantTransactionID":"pr3","Amount":600}}`)
	wantStatus(t, r2, http.StatusCreated)
	rid2 := r2.json(t)["Refund"].(map[string]any)["ID"].(interface{ String() string }).String()
	if err := s.SetRefundStatus(rid2, StatusFailed); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.Refund(rid2); rs.StatusID != 4 || rs.StatusInfo != "Failed" {
		t.Errorf("refund %+v", rs)
	}
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments/"+cid+"/refunds", `{"Refund":{"MerchantTransactionID":"pr4","Amount":600}}`), http.StatusCreated)
	waitIdle(t, s)

	// notifications: sale, refund Open, refund Success, payment 21, refund Open, refund Failed, refund Open
	bodies, _ := rc.snapshot()
	var seq []string
	for _, b := range bodies {
		m := decodeJSON(t, b).(map[string]any)
		for k, v := range m {
			seq = append(seq, fmt.Sprintf("%s:%d", k, statusID(t, v.(map[string]any))))
		}
	}
	if got, want := strings.Join(seq, " "), "Payment:11 Refund:1 Refund:2 Payment:21 Refund:1 Refund:4 Refund:1"; got != want {
		t.Errorf("notifications %s\n want %s", got, want)
	}
}

func TestListFilters(t *testing.T) {
	clk := newClock("20160803150000")
	s := newSim(t, WithClock(clk.Now))
	mk := func(ref string, amount int, currency, country string, method int) string {
		body := fmt.Sprintf(`{"Payment":{"MerchantTransactionID":%q,"Amount":%d,"Currency":%q,"MethodID":%d,
		 "ReturnURL":"http://m.example/r","BillingAddress":{"Country":%q}}}`, ref, amount, currency, method, country)
		r := apmCall(t, s, "POST", "/v1/payments", body)
		wantStatus(t, r, http.StatusCreated)
		clk.Add(time.Hour)
		return idOf(t, r)
	}
	a := mk("f_a", 100, "EUR", "DE", 2)  // 15:00
	b := mk("f_b", 200, "USD", "US", 75) // 16:00
	c := mk("f_c", 300, "EUR", "RO", 2)  // 17:00
	d := mk("f_d", 400, "EUR", "DE", 75) // 18:00
	if _, err := s.CompleteRedirect(b, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteRedirect(c, OutcomeCancel); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{d, c, b, a}},
		{"limit=3", []string{d, c, b}},
		{"limit=2&offset=3", []string{b, a}},
		{"offset=1", []string{d, c, b, a}},
		{"offset=0", []string{d, c, b, a}},
		{"offset=9", nil},
		{"startDate=20160803160000&endDate=20160803170000", []string{c, b}},
		{"methodID=75", []string{d, b}},
		{"country=DE", []string{d, a}},
		{"currency=EUR", []string{d, c, a}},
		{"minimumAmount=200&maximumAmount=300", []string{c, b}},
		{"merchantTransactionID=f_c", []string{c}},
		{"statusID=1", []string{d, a}},
		{"statusID=2", []string{b}},
		{"methodTransactionID=abc", nil},
		{"typeID=1", []string{d, c, b, a}},
		{"typeID=2", nil},
		{"currency=EUR&country=DE&limit=1", []string{d}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := apmCall(t, s, "GET", "/v1/payments?"+tc.query, "")
			wantStatus(t, r, http.StatusOK)
			var got []string
			for _, it := range r.json(t)["Payments"].([]any) {
				got = append(got, it.(map[string]any)["ID"].(interface{ String() string }).String())
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, q := range []string{"limit=0", "limit=x", "offset=-1", "startDate=2016", "endDate=20161303000000", "methodID=a", "statusID=x", "typeID=3", "minimumAmount=1.5", "country=DEU", "currency=EURO", "merchantTransactionID=a%20b"} {
		r := apmCall(t, s, "GET", "/v1/payments?"+q, "")
		wantStatus(t, r, http.StatusBadRequest)
		if c, _ := firstReason(t, r.payment(t)); num(t, c) != 2 {
			t.Errorf("%s: code %v", q, c)
		}
	}
	// the card host lists its own payments only, in the card shape
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments", cardBody("f_card", 100, "")), http.StatusCreated)
	r := cardCall(t, s, "GET", "/v1/payments?methodID=6", "")
	items := r.json(t)["Payments"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["Card"] == nil {
		t.Errorf("card list %s", r.raw)
	}
	if empty := apmCall(t, s, "GET", "/v1/payments?merchantTransactionID=none", ""); string(empty.raw) != `{"Payments":[]}` {
		t.Errorf("empty list %s", empty.raw)
	}
}

func TestTokenLifetimeExpiry(t *testing.T) {
	clk := newClock("20240101120000")
	rc := &receiver{}
	s := newSim(t, WithClock(clk.Now), WithNotificationURL(withReceiver(t, rc)))
	id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("exp", 100, `,"TokenLifetime":10`)))
	never := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("noexp", 100, "")))
	clk.Add(9*time.Minute + 59*time.Second)
	if ps, _ := s.Payment(id); ps.StatusID != 1 {
		t.Fatalf("expired early: %+v", ps)
	}
	clk.Add(time.Second)
	g := apmCall(t, s, "GET", "/v1/payments/"+id, "")
	p := g.payment(t)
	if statusID(t, p) != 5 || p["RedirectURL"] != nil {
		t.Errorf("after TokenLifetime: %v", p)
	}
	if ps, _ := s.Payment(never); ps.StatusID != 1 {
		t.Errorf("payment without TokenLifetime expired")
	}
	if _, err := s.CompleteRedirect(id, OutcomeSuccess); err == nil {
		t.Error("expired payment completed")
	}
	waitIdle(t, s)
	if bodies, _ := rc.snapshot(); len(bodies) != 1 {
		t.Errorf("%d notifications, want 1 (Expired)", len(bodies))
	}
}

func TestSetStatus(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	id := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("cb", 700, "true")))
	if err := s.SetStatus(id, StatusChargedback); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(id, 20); err == nil {
		t.Error("status 20 accepted")
	}
	if err := s.SetStatus("1", StatusDisputed); err == nil {
		t.Error("unknown payment accepted")
	}
	queued := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("q", 10002, "true")))
	if err := s.SetStatus(queued, StatusCaptured); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.Payment(queued); ps.CapturedAmount != 10002 {
		t.Errorf("captured %d", ps.CapturedAmount)
	}
	waitIdle(t, s)
	bodies, auths := rc.snapshot()
	if len(bodies) != 4 {
		t.Fatalf("%d notifications", len(bodies))
	}
	p := decodeJSON(t, bodies[1]).(map[string]any)["Payment"].(map[string]any)
	if sid, info, _ := status(t, p); num(t, sid) != 26 || info != "Chargedback" {
		t.Errorf("notification %v %v", sid, info)
	}
	if auths[1] != docCardAuth {
		t.Errorf("card notification Authorization %q", auths[1])
	}
	ops := s.Operations()
	if ops[1].Kind != "status" || ops[1].Result != "Chargedback" || ops[1].ID != id {
		t.Errorf("operation %+v", ops[1])
	}
}

func TestStatusTable(t *testing.T) {
	ids := StatusIDs()
	if len(ids) != 31 {
		t.Fatalf("%d statuses, want 31", len(ids))
	}
	for _, id := range ids {
		if info, ok := StatusInfo(id); !ok || info == "" {
			t.Errorf("status %d has no Info", id)
		}
	}
	if _, ok := StatusInfo(20); ok {
		t.Error("status 20 exists")
	}
	if len(statusInfo) != 31 {
		t.Errorf("table has %d entries", len(statusInfo))
	}
}

func TestDeterministicIDsAndReset(t *testing.T) {
	run := func(s *Server) []string {
		var out []string
		for i := 0; i < 3; i++ {
			a := apmCall(t, s, "POST", "/v1/payments", apmBody(fmt.Sprintf("d%d", i), 100, ""))
			c := cardCall(t, s, "POST", "/v1/payments", cardBody(fmt.Sprintf("d%d", i), 100, ""))
			redirect := a.payment(t)["RedirectURL"].(string)
			out = append(out, idOf(t, a), idOf(t, c), redirect[strings.Index(redirect, "/Home"):])
		}
		return out
	}
	s1, s2 := newSim(t), newSim(t)
	first, second := run(s1), run(s2)
	if strings.Join(first, " ") != strings.Join(second, " ") {
		t.Errorf("IDs differ between servers:\n%v\n%v", first, second)
	}
	s1.Reset()
	if len(s1.Operations()) != 0 {
		t.Error("operations survive Reset")
	}
	if _, ok := s1.PaymentByReference("d0"); ok {
		t.Error("payments survive Reset")
	}
	if again := run(s1); strings.Join(again, " ") != strings.Join(first, " ") {
		t.Errorf("IDs after Reset differ:\n%v\n%v", first, again)
	}
}

func TestCustomerAndArticlesEcho(t *testing.T) {
	s := newSim(t)
	r := apmCall(t, s, "POST", "/v1/payments", `{"Payment":{"MerchantTransactionID":"echo","Amount":1000,"Currency":"EUR",
	 "MethodID":75,"ReturnURL":"http://m.example/r","Description":"d","ClientIP":"10.0.0.1","CustomParameters":{"a":"b"},
	 "IncludeMethodIDs":[1,2],"Customer":{"FirstName":"A","DateOfBirth":"19800101"},
	 "Articles":[{"MerchantArticleID":"1","Name":"N","Quantity":2,"Price":500,"VAT":1900,"Discount":0,"Type":1}]}}`)
	wantStatus(t, r, http.StatusCreated)
	p := r.payment(t)
	if p["ClientIP"] != "10.0.0.1" || p["Description"] != "d" || p["ReferenceDetails"] != nil {
		t.Errorf("payment %v", p)
	}
	if c := p["Customer"].(map[string]any); c["DateOfBirth"] != "19800101" || c["Email"] != nil {
		t.Errorf("customer %v", c)
	}
	if inc := p["IncludeMethodIDs"].([]any); len(inc) != 2 {
		t.Errorf("IncludeMethodIDs %v", inc)
	}
	art := p["Articles"].([]any)[0].(map[string]any)
	if num(t, art["VAT"]) != 1900 || num(t, art["Quantity"]) != 2 || art["Name"] != "N" {
		t.Errorf("article %v", art)
	}
	if cp := p["CustomParameters"].(map[string]any); cp["a"] != "b" {
		t.Errorf("CustomParameters %v", cp)
	}
	// the read shape has no DateOfBirth / ClientIP (as the document's GET example)
	g := apmCall(t, s, "GET", "/v1/payments/"+idOf(t, r), "").payment(t)
	if _, ok := g["ClientIP"]; ok {
		t.Error("ClientIP in GET")
	}
	if _, ok := g["Customer"].(map[string]any)["DateOfBirth"]; ok {
		t.Error("DateOfBirth in GET")
	}
}

// The provider SDK's scenario: authorize 9000, capture 4500, refund 4500 → refund Success,
// payment Refunded (only the captured part can be refunded).
func TestPartialCaptureThenRefund(t *testing.T) {
	s := newSim(t)
	id := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("pcr", 9000, "false")))
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments/"+id+"/capture?amount=4500", ""), http.StatusOK)
	over := cardCall(t, s, "POST", "/v1/payments/"+id+"/refunds", `{"Refund":{"MerchantTransactionID":"pcr","Amount":4501}}`)
	wantStatus(t, over, http.StatusBadRequest)
	r := cardCall(t, s, "POST", "/v1/payments/"+id+"/refunds", `{"Refund":{"MerchantTransactionID":"pcr","Amount":4500}}`)
	wantStatus(t, r, http.StatusCreated)
	if sid, info, _ := status(t, r.json(t)["Refund"].(map[string]any)); num(t, sid) != 2 || info != "Success" {
		t.Errorf("refund %v %v", sid, info)
	}
	ps, _ := s.Payment(id)
	if ps.StatusID != StatusRefunded || ps.CapturedAmount != 4500 || ps.RefundedAmount != 4500 {
		t.Errorf("payment %+v", ps)
	}
	// the refund is on the card host only
	wantStatus(t, apmCall(t, s, "POST", "/v1/payments/"+id+"/refunds", `{"Refund":{"MerchantTransactionID":"x","Amount":1}}`), http.StatusBadRequest)
}

func TestCardBrands(t *testing.T) {
	var logs strings.Builder
	s := newSim(t, WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for i, tc := range []struct{ number, want string }{
		{"4548812049400004", "VISA-0004"},
		{"5555555555554444", "MASTERCARD-4444"},
		{"2223003122003222", "MASTERCARD-3222"},
		{"378282246310005", "AMEX-0005"},
		{"6011111111111117", "CARD-1117"},
	} {
		body := fmt.Sprintf(`{"Payment":{"MerchantTransactionID":"b%d","Amount":1,"Currency":"EUR",
		 "Card":{"HolderName":"J","Number":%q,"ExpirationMonth":"12","ExpirationYear":"2099"}}}`, i, tc.number)
		r := cardCall(t, s, "POST", "/v1/payments", body)
		wantStatus(t, r, http.StatusCreated)
		if got := r.payment(t)["Card"].(map[string]any)["Number"]; got != tc.want {
			t.Errorf("%s → %v, want %s", tc.number, got, tc.want)
		}
		if strings.Contains(string(r.raw), tc.number) {
			t.Errorf("full card number in the answer")
		}
	}
	if !strings.Contains(logs.String(), "smart2paytest: operation") {
		t.Error("WithLogger got no debug records")
	}
	for _, n := range []string{"4548812049400004", "5555555555554444"} {
		if strings.Contains(logs.String(), n) {
			t.Error("card number logged")
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
