package smart2paytest

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// These tests replay the document's example requests and compare the simulator's answers
// with the document's example responses: same keys, same JSON types, key order of the top
// object, and the values that follow from the request.

func TestDocCreateAlternativePayment(t *testing.T) {
	clk := newClock("20161107092103")
	s := newSim(t, WithClock(clk.Now))
	r := apmCall(t, s, "POST", "/v1/payments", string(readDoc(t, "create_apm_request.json")))
	wantStatus(t, r, http.StatusCreated)
	want := loadDoc(t, "create_apm_201.json")
	sameShape(t, "$", want, r.json(t))
	if got, wantKeys := keyOrder(t, innerRaw(t, r.raw, "Payment")), keyOrder(t, innerRaw(t, readDoc(t, "create_apm_201.json"), "Payment")); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("key order\n got %v\nwant %v", got, wantKeys)
	}
	p := r.payment(t)
	checks := map[string]any{
		"Created": "20161107092103", "MerchantTransactionID": "s2ptest_g2", "Currency": "CNY",
		"ReturnURL": "http://demo.smart2pay.com/redirect.php", "SkinID": nil, "Description": nil,
	}
	for k, v := range checks {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	for k, v := range map[string]int64{"Amount": 11, "MethodID": 1066, "SiteID": 30201, "TokenLifetime": 10} {
		if got := num(t, p[k]); got != v {
			t.Errorf("%s = %d, want %d", k, got, v)
		}
	}
	id, info, reasons := status(t, p)
	if num(t, id) != 1 || info != "Open" || reasons != nil {
		t.Errorf("Status = %v %v %v, want 1 Open null", id, info, reasons)
	}
	if c := p["Customer"].(map[string]any); c["Email"] != "youremail@email.com" {
		t.Errorf("Customer.Email = %v", c["Email"])
	}
	qr := p["ReferenceDetails"].(map[string]any)["QRCodeURL"].(string)
	if !strings.HasPrefix(qr, "weixin://wxpay/bizpayurl?pr=") {
		t.Errorf("QRCodeURL = %q", qr)
	}
	redirect := p["RedirectURL"].(string)
	wantPrefix := s.BaseURL() + "/Home?PaymentToken="
	if !strings.HasPrefix(redirect, wantPrefix) || !strings.HasSuffix(redirect, "."+p["ID"].(interface{ String() string }).String()) {
		t.Errorf("RedirectURL = %q", redirect)
	}
	if p["Capture"] != nil {
		t.Errorf("Capture = %v, want null", p["Capture"])
	}
}

func TestDocCreateCardPayment(t *testing.T) {
	clk := newClock("20161205084103")
	s := newSim(t, WithClock(clk.Now))
	r := cardCall(t, s, "POST", "/v1/payments", string(readDoc(t, "create_card_request.json")))
	wantStatus(t, r, http.StatusCreated)
	sameShape(t, "$", loadDoc(t, "create_card_201.json"), r.json(t))
	if got, want := keyOrder(t, innerRaw(t, r.raw, "Payment")), keyOrder(t, innerRaw(t, readDoc(t, "create_card_201.json"), "Payment")); !reflect.DeepEqual(got, want) {
		t.Errorf("key order\n got %v\nwant %v", got, want)
	}
	p := r.payment(t)
	if p["Created"] != "20161205084103" || num(t, p["Amount"]) != 2000 || num(t, p["CapturedAmount"]) != 2000 ||
		num(t, p["MethodID"]) != 6 || num(t, p["SiteID"]) != 1010 || p["Capture"] != true || p["Retry"] != false {
		t.Errorf("payment = %v", p)
	}
	card := p["Card"].(map[string]any)
	if card["Number"] != "VISA-1111" || card["HolderName"] != "John Doe" || card["ExpirationMonth"] != "02" || card["ExpirationYear"] != "2018" {
		t.Errorf("Card = %v", card)
	}
	if _, ok := card["SecurityCode"]; ok {
		t.Error("the security code is echoed")
	}
	id, info, reasons := status(t, p)
	if num(t, id) != 11 || info != "Captured" || len(reasons.([]any)) != 0 {
		t.Errorf("Status = %v %v %v, want 11 Captured []", id, info, reasons)
	}
}

func TestDocDuplicateAlternativePayment(t *testing.T) {
	s := newSim(t)
	body := string(readDoc(t, "create_apm_request.json"))
	first := apmCall(t, s, "POST", "/v1/payments", body)
	wantStatus(t, first, http.StatusCreated)
	r := apmCall(t, s, "POST", "/v1/payments", body)
	wantStatus(t, r, http.StatusBadRequest)
	sameShape(t, "$", loadDoc(t, "create_apm_duplicate_400.json"), r.json(t))
	if got, want := keyOrder(t, innerRaw(t, r.raw, "Payment")), keyOrder(t, innerRaw(t, readDoc(t, "create_apm_duplicate_400.json"), "Payment")); !reflect.DeepEqual(got, want) {
		t.Errorf("key order\n got %v\nwant %v", got, want)
	}
	p := r.payment(t)
	code, info := firstReason(t, p)
	if code != "20" || info != "MerchantTransactionID is duplicated - s2ptest_g2" {
		t.Errorf("reason = %#v %q", code, info)
	}
	for _, k := range []string{"ID", "Created", "SiteID", "ReferenceDetails", "TokenLifetime", "RedirectURL"} {
		if p[k] != nil {
			t.Errorf("%s = %v, want null", k, p[k])
		}
	}
	if p["MerchantTransactionID"] != "s2ptest_g2" || num(t, p["Amount"]) != 11 || num(t, p["MethodID"]) != 1066 {
		t.Errorf("request not echoed: %v", p)
	}
	// the same customer (by e-mail) keeps its ID, as in the document (473 in both).
	c1 := first.payment(t)["Customer"].(map[string]any)["ID"]
	c2 := p["Customer"].(map[string]any)["ID"]
	if c1 != c2 {
		t.Errorf("Customer.ID %v then %v", c1, c2)
	}
	sid, sinfo, _ := status(t, p)
	if sid != nil || sinfo != nil {
		t.Errorf("Status ID/Info = %v/%v, want null", sid, sinfo)
	}
	if ops := s.Operations(); len(ops) != 1 {
		t.Errorf("operations = %+v, want only the first payment", ops)
	}
}

func TestDocDuplicateCardPayment(t *testing.T) {
	s := newSim(t, WithClock(newClock("20161205084103").Now))
	body := string(readDoc(t, "create_card_request.json"))
	wantStatus(t, cardCall(t, s, "POST", "/v1/payments", body), http.StatusCreated)
	r := cardCall(t, s, "POST", "/v1/payments", body)
	wantStatus(t, r, http.StatusBadRequest)
	sameShape(t, "$", loadDoc(t, "create_card_duplicate_400.json"), r.json(t))
	if got, want := keyOrder(t, innerRaw(t, r.raw, "Payment")), keyOrder(t, innerRaw(t, readDoc(t, "create_card_duplicate_400.json"), "Payment")); !reflect.DeepEqual(got, want) {
		t.Errorf("key order\n got %v\nwant %v", got, want)
	}
	p := r.payment(t)
	code, info := firstReason(t, p)
	if code != "20" || info != "Key is duplicated" {
		t.Errorf("reason = %#v %q", code, info)
	}
	if id, _ := p["InvalidRequestID"].(string); !strings.HasPrefix(id, "i") || len(id) < 2 {
		t.Errorf("InvalidRequestID = %v", p["InvalidRequestID"])
	}
	if p["Card"].(map[string]any)["Number"] != "Ends with 1111" {
		t.Errorf("Card.Number = %v", p["Card"].(map[string]any)["Number"])
	}
	if num(t, p["CapturedAmount"]) != 0 || num(t, p["SiteID"]) != 1010 || num(t, p["MethodID"]) != 6 || p["ID"] != nil || p["Created"] != nil {
		t.Errorf("payment = %v", p)
	}
	// a second invalid request gets the next InvalidRequestID
	r2 := cardCall(t, s, "POST", "/v1/payments", body)
	if r2.payment(t)["InvalidRequestID"] == p["InvalidRequestID"] {
		t.Error("InvalidRequestID reused")
	}
}

// klarnaRequest is the payment behind the document's capture and cancel examples.
const klarnaRequest = `{"Payment":{"MerchantTransactionID":"%s","Amount":980,"Currency":"EUR","MethodID":75,
 "SkinID":11,"ReturnURL":"http://demo.smart2pay.com/redirect.php","TokenLifetime":10,
 "Customer":{"MerchantCustomerID":"0125","Email":"youremail@email.com","FirstName":"Example","LastName":"Test",
  "Gender":"1","SocialSecurityNumber":"410321-9202","Phone":"0765260000","Company":"S2P"},
 "BillingAddress":{"City":"Ankeborg","ZipCode":"12345","State":"Iasi","Street":"Stargatan","StreetNumber":"1",
  "HouseNumber":"22","HouseExtension":"25","Country":"SE"},
 "ShippingAddress":{"City":"Ankeborg","ZipCode":"12345","State":"Iasi","Street":"Stargatan","StreetNumber":"1",
  "HouseNumber":"22","HouseExtension":"25","Country":"SE"},
 "Articles":[{"MerchantArticleID":"1231","Name":"TEST","Quantity":1,"Price":1000,"VAT":1000,"Discount":200,"Type":1}]}}`

func sprintf(format string, args ...any) string {
	return strings.NewReplacer("%s", args[0].(string)).Replace(format)
}

func withReceiver(t *testing.T, rc *receiver) string {
	t.Helper()
	ts := httptest.NewServer(rc)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestDocCaptureAlternativePayment(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	r := apmCall(t, s, "POST", "/v1/payments", sprintf(klarnaRequest, "s2ptest_2"))
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	if _, err := s.CompleteRedirect(id, OutcomeAuthorize); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s) // the Authorized notification sets NotificationDateTime, as in the example
	c := apmCall(t, s, "POST", "/v1/payments/"+id+"/capture", "")
	wantStatus(t, c, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "capture_apm_200.json"), c.json(t))
	p := c.payment(t)
	if sid, info, _ := status(t, p); num(t, sid) != 2 || info != "Success" {
		t.Errorf("Status = %v %v, want 2 Success", sid, info)
	}
	b, sh := p["BillingAddress"].(map[string]any), p["ShippingAddress"].(map[string]any)
	if b["ID"] != sh["ID"] {
		t.Errorf("identical addresses got IDs %v and %v (the document shows one ID)", b["ID"], sh["ID"])
	}
	if num(t, p["SkinID"]) != 11 || num(t, p["TokenLifetime"]) != 10 {
		t.Errorf("payment = %v", p)
	}

	// Capturing it again: the document's 400 example (a payment in status 2 Success).
	bad := apmCall(t, s, "POST", "/v1/payments/"+id+"/capture", "")
	wantStatus(t, bad, http.StatusBadRequest)
	waitIdle(t, s)
	sameShape(t, "$", loadDoc(t, "capture_apm_400.json"), bad.json(t))
	bp := bad.payment(t)
	code, info := firstReason(t, bp)
	if num(t, code) != 17 || info != "Payment is invalid - "+id {
		t.Errorf("reason = %#v %q", code, info)
	}
	if sid, sinfo, _ := status(t, bp); num(t, sid) != 2 || sinfo != "Success" {
		t.Errorf("Status = %v %v", sid, sinfo)
	}
}

func TestDocPartialCaptureCard(t *testing.T) {
	s := newSim(t, WithClock(newClock("20161205091934").Now))
	req := `{"Payment":{"MerchantTransactionID":"s2ptest_h10","Amount":2000,"Currency":"EUR",
	 "ReturnURL":"http://demo.smart2pay.com/redirect.php","Description":"payment product",
	 "StatementDescriptor":"bank statement message",
	 "Customer":{"MerchantCustomerID":"null","Email":"customer@test.com","FirstName":"John","LastName":"Doe",
	  "Gender":"1","SocialSecurityNumber":"45908-28324","Phone":"0744-783322","Company":"S2P"},
	 "BillingAddress":{"City":"Iasi","ZipCode":"7000-49","State":"Iasi","Street":"Sf Lazar","StreetNumber":"37",
	  "HouseNumber":"5A","HouseExtension":"-","Country":"RO"},
	 "ShippingAddress":{"City":"Iasi","ZipCode":"700049","State":"Iasi","Street":"Sf Lazar","StreetNumber":"37",
	  "HouseNumber":"-","HouseExtension":"-","Country":"RO"},
	 "Card":{"HolderName":"John Doe","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2018","SecurityCode":"312"},
	 "Capture":false,"Retry":true}}`
	r := cardCall(t, s, "POST", "/v1/payments", req)
	wantStatus(t, r, http.StatusCreated)
	p := r.payment(t)
	if sid, info, _ := status(t, p); num(t, sid) != 9 || info != "Authorized" || num(t, p["CapturedAmount"]) != 0 {
		t.Fatalf("created %v", p)
	}
	id := p["ID"].(interface{ String() string }).String()
	c := cardCall(t, s, "POST", "/v1/payments/"+id+"/capture?amount=1000", "")
	wantStatus(t, c, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "capture_card_partial_200.json"), c.json(t))
	cp := c.payment(t)
	if sid, info, rs := status(t, cp); num(t, sid) != 35 || info != "PartiallyCaptured" || len(rs.([]any)) != 0 {
		t.Errorf("Status = %v %v %v", sid, info, rs)
	}
	if num(t, cp["CapturedAmount"]) != 1000 || num(t, cp["Amount"]) != 2000 || cp["Card"] != nil || cp["Retry"] != true || cp["Capture"] != false {
		t.Errorf("payment = %v", cp)
	}
	// only one partial capture
	again := cardCall(t, s, "POST", "/v1/payments/"+id+"/capture?amount=500", "")
	wantStatus(t, again, http.StatusBadRequest)
	if code, _ := firstReason(t, again.payment(t)); num(t, code) != 17 {
		t.Errorf("second partial capture code %v", code)
	}
}

func TestDocCancelAlternativePayment(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	r := apmCall(t, s, "POST", "/v1/payments", sprintf(klarnaRequest, "s2ptest_4"))
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	c := apmCall(t, s, "POST", "/v1/payments/"+id+"/cancel", "")
	wantStatus(t, c, http.StatusOK)
	// NotificationDateTime: the example's payment had been notified before; ours not yet.
	sameShape(t, "$", loadDoc(t, "cancel_apm_200.json"), c.json(t), "NotificationDateTime")
	p := c.payment(t)
	if sid, info, _ := status(t, p); num(t, sid) != 3 || info != "Cancelled" {
		t.Errorf("Status = %v %v", sid, info)
	}
	if p["TokenLifetime"] != nil || p["RedirectURL"] != nil {
		t.Errorf("TokenLifetime/RedirectURL = %v/%v, want null as in the document", p["TokenLifetime"], p["RedirectURL"])
	}
	waitIdle(t, s)

	// Cancelling it again: the document's 400 example.
	bad := apmCall(t, s, "POST", "/v1/payments/"+id+"/cancel", "")
	wantStatus(t, bad, http.StatusBadRequest)
	sameShape(t, "$", loadDoc(t, "cancel_apm_400.json"), bad.json(t))
	bp := bad.payment(t)
	code, info := firstReason(t, bp)
	if num(t, code) != 17 || info != "Payment is invalid - "+id {
		t.Errorf("reason = %#v %q", code, info)
	}
	if sid, sinfo, _ := status(t, bp); num(t, sid) != 3 || sinfo != "Cancelled" {
		t.Errorf("Status = %v %v", sid, sinfo)
	}
	if num(t, bp["MethodID"]) != 75 || num(t, bp["SiteID"]) != 30201 || bp["MerchantTransactionID"] != nil || bp["Amount"] != nil {
		t.Errorf("payment = %v", bp)
	}
}

func TestDocCancelCardPayment(t *testing.T) {
	s := newSim(t, WithClock(newClock("20161205091456").Now))
	req := `{"Payment":{"MerchantTransactionID":"s2ptest_h8","Amount":2000,"Currency":"EUR",
	 "ReturnURL":"http://demo.smart2pay.com/redirect.php","Description":"payment product",
	 "StatementDescriptor":"bank statement message",
	 "Customer":{"MerchantCustomerID":"null","Email":"customer@test.com","FirstName":"John","LastName":"Doe",
	  "Gender":"1","SocialSecurityNumber":"45908-28324","Phone":"0744-783322","Company":"S2P"},
	 "BillingAddress":{"City":"Iasi","ZipCode":"7000-49","State":"Iasi","Street":"Sf Lazar","StreetNumber":"37",
	  "HouseNumber":"5A","HouseExtension":"-","Country":"RO"},
	 "ShippingAddress":{"City":"Iasi","ZipCode":"700049","State":"Iasi","Street":"Sf Lazar","StreetNumber":"37",
	  "HouseNumber":"-","HouseExtension":"-","Country":"RO"},
	 "Card":{"HolderName":"John Doe","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2018"},
	 "Capture":false,"Retry":true}}`
	r := cardCall(t, s, "POST", "/v1/payments", req)
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	c := cardCall(t, s, "POST", "/v1/payments/"+id+"/cancel", "")
	wantStatus(t, c, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "cancel_card_200.json"), c.json(t))
	p := c.payment(t)
	if sid, info, rs := status(t, p); num(t, sid) != 3 || info != "Cancelled" || len(rs.([]any)) != 0 {
		t.Errorf("Status = %v %v %v", sid, info, rs)
	}
	if num(t, p["CapturedAmount"]) != 0 || p["Card"] != nil {
		t.Errorf("payment = %v", p)
	}
}

func TestDocNotification(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	r := apmCall(t, s, "POST", "/v1/payments", `{"Payment":{"MerchantTransactionID":"s2ptest_1","Amount":100,
	 "Currency":"EUR","MethodID":2,"Description":"","ReturnURL":"http://demo.smart2pay.com/redirect.php","TokenLifetime":1}}`)
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	if _, err := s.CompleteRedirect(id, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	bodies, auths := rc.snapshot()
	if len(bodies) != 1 {
		t.Fatalf("%d notifications, want 1", len(bodies))
	}
	if auths[0] != docAPMAuth {
		t.Errorf("Authorization = %q, want %q", auths[0], docAPMAuth)
	}
	got := decodeJSON(t, bodies[0])
	sameShape(t, "$", loadDoc(t, "notification_payment.json"), got)
	p := got.(map[string]any)["Payment"].(map[string]any)
	if sid, info, rs := status(t, p); num(t, sid) != 2 || info != "Success" || rs != nil {
		t.Errorf("Status = %v %v %v", sid, info, rs)
	}
	if p["MerchantTransactionID"] != "s2ptest_1" || num(t, p["Amount"]) != 100 || p["Currency"] != "EUR" || p["Description"] != "" {
		t.Errorf("notification = %v", p)
	}
	// after the 204 the payment shows when it was notified
	g := apmCall(t, s, "GET", "/v1/payments/"+id, "")
	if g.payment(t)["NotificationDateTime"] == nil {
		t.Error("NotificationDateTime still null after a delivered notification")
	}
}

func TestDocGetPayment(t *testing.T) {
	s := newSim(t, WithClock(newClock("20160314094548").Now))
	r := apmCall(t, s, "POST", "/v1/payments", `{"Payment":{"MerchantTransactionID":"s2ptest_5","Amount":100,
	 "Currency":"EUR","MethodID":2,"MethodOptionID":37,"ReturnURL":"http://demo.smart2pay.com/redirect.php","TokenLifetime":1}}`)
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	if _, err := s.CompleteRedirect(id, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	g := apmCall(t, s, "GET", "/v1/payments/"+id, "")
	wantStatus(t, g, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "get_apm_200.json"), g.json(t))
	if got, want := keyOrder(t, innerRaw(t, g.raw, "Payment")), keyOrder(t, innerRaw(t, readDoc(t, "get_apm_200.json"), "Payment")); !reflect.DeepEqual(got, want) {
		t.Errorf("key order\n got %v\nwant %v", got, want)
	}
	p := g.payment(t)
	if p["Created"] != "20160314094548" || num(t, p["MethodOptionID"]) != 37 || num(t, p["TokenLifetime"]) != 1 {
		t.Errorf("payment = %v", p)
	}
}

func TestDocListPayments(t *testing.T) {
	rc := &receiver{}
	s := newSim(t, WithNotificationURL(withReceiver(t, rc)))
	// s2ptest_2 (oldest), s2ptest_4 cancelled, s2ptest_5 success: the document's limit=3 example.
	mk := func(body string) string {
		r := apmCall(t, s, "POST", "/v1/payments", body)
		wantStatus(t, r, http.StatusCreated)
		return r.payment(t)["ID"].(interface{ String() string }).String()
	}
	id2 := mk(strings.Replace(sprintf(klarnaRequest, "s2ptest_2"), `"SkinID":11,`, `"SkinID":11,"Description":"test smart2pay",`, 1))
	id4 := mk(strings.Replace(sprintf(klarnaRequest, "s2ptest_4"), `"SkinID":11,`, `"SkinID":11,"Description":"test smart2pay",`, 1))
	id5 := mk(`{"Payment":{"MerchantTransactionID":"s2ptest_5","Amount":100,"Currency":"EUR","MethodID":2,"MethodOptionID":37,
	 "ReturnURL":"http://demo.smart2pay.com/redirect.php"}}`)
	if _, err := s.CompleteRedirect(id2, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, apmCall(t, s, "POST", "/v1/payments/"+id4+"/cancel", ""), http.StatusOK)
	if _, err := s.CompleteRedirect(id5, OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)

	all := apmCall(t, s, "GET", "/v1/payments", "")
	wantStatus(t, all, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "list_apm_limit3_200.json"), all.json(t), "NotificationDateTime")
	items := all.json(t)["Payments"].([]any)
	var gotIDs []string
	for _, it := range items {
		gotIDs = append(gotIDs, it.(map[string]any)["ID"].(interface{ String() string }).String())
	}
	if want := []string{id5, id4, id2}; !reflect.DeepEqual(gotIDs, want) {
		t.Errorf("order %v, want newest first %v", gotIDs, want)
	}
	sameShape(t, "$", loadDoc(t, "list_apm_200.json"), decodeJSON(t, []byte(`{"Payments":[`+string(mustJSON(t, items[0]))+`,`+string(mustJSON(t, items[1]))+`]}`)), "NotificationDateTime")

	lim := apmCall(t, s, "GET", "/v1/payments?limit=2&offset=3", "")
	wantStatus(t, lim, http.StatusOK)
	if n := len(lim.json(t)["Payments"].([]any)); n != 1 {
		t.Errorf("limit=2&offset=3 of 3 gave %d entries, want 1 (the third)", n)
	}
}

func TestDocCardStatus(t *testing.T) {
	s := newSim(t, WithClock(newClock("20161205084103").Now))
	r := cardCall(t, s, "POST", "/v1/payments", string(readDoc(t, "create_card_request.json")))
	wantStatus(t, r, http.StatusCreated)
	id := r.payment(t)["ID"].(interface{ String() string }).String()
	st := cardCall(t, s, "GET", "/v1/payments/"+id+"/status", "")
	wantStatus(t, st, http.StatusOK)
	sameShape(t, "$", loadDoc(t, "status_card_200.json"), st.json(t))
	p := st.payment(t)
	if p["MerchantTransactionID"] != "s2ptest_h2" || statusID(t, p) != 11 {
		t.Errorf("status = %v", p)
	}
	// the light status is a card API call only
	if r := apmCall(t, s, "GET", "/v1/payments/"+id+"/status", ""); r.code != http.StatusNotFound {
		t.Errorf("status on the alternative-methods host: HTTP %d, want 404", r.code)
	}
}
