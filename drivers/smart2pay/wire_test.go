package smart2pay_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smart2pay"
)

// wireRecorder is a fake GlobalPay that records each request and answers
// with a canned body per "METHOD path".
type wireRecorder struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	answers map[string]string
}

type recorded struct {
	method, path, query, auth, contentType string
	body                                   []byte
}

func newWireRecorder(t *testing.T, answers map[string]string) (*wireRecorder, *smart2pay.Gateway) {
	w := &wireRecorder{answers: answers}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.reqs = append(w.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b})
		w.mu.Unlock()
		body, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.Error(rw, "unexpected", http.StatusTeapot)
			return
		}
		code := http.StatusOK
		if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/payments") || strings.HasSuffix(r.URL.Path, "/refunds")) {
			code = http.StatusCreated
		}
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		rw.WriteHeader(code)
		_, _ = io.WriteString(rw, body)
	}))
	t.Cleanup(w.srv.Close)
	cfg := docConfig()
	cfg.BaseURL, cfg.CardBaseURL = w.srv.URL+"/apm", w.srv.URL+"/card"
	gw, err := smart2pay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w, gw
}

func (w *wireRecorder) last(t *testing.T) recorded {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return w.reqs[len(w.reqs)-1]
}

func (w *wireRecorder) all() []recorded {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]recorded(nil), w.reqs...)
}

// wantJSON compares a body with the expected JSON exactly (keys, types,
// values), whitespace and key order aside.
func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	g, err := conformance.CanonicalJSON(got)
	if err != nil {
		t.Fatalf("sent body is not JSON: %v: %s", err, got)
	}
	w, err := conformance.CanonicalJSON([]byte(want))
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("sent  %s\nwant  %s", g, w)
	}
}

func TestWireCreateAlternativeAllFields(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{
		"POST /apm/v1/payments": `{"Payment":{"ID":2677982,"Created":"20161107092103","MerchantTransactionID":"order_1-A","Amount":1234,"Currency":"EUR","Status":{"ID":1,"Info":"Open","Reasons":null},"RedirectURL":"https://apitest.smart2pay.com/Home?PaymentToken=X.2677982"}}`,
	})
	req := &payments.AuthorizeRequest{
		Reference: "order_1-A", Amount: mustMoney("12.34", "EUR"), Capture: false,
		Method:      payments.ProviderMethod{ID: "75"},
		Description: "Order 1",
		ReturnURLs:  payments.ReturnURLs{Success: "https://shop.example/ok", Failure: "https://shop.example/ko", Notification: "https://shop.example/n"},
		Customer: &payments.Customer{FirstName: "Example", LastName: "Test", Email: "youremail@email.com", Phone: "+40765260000", IP: "192.0.2.10",
			Company: &payments.Company{Name: "S2P"}, BirthDate: "1980-01-02"},
		BillingAddress:  &payments.Address{Line1: "Stargatan 1", Line2: "Floor 2", City: "Ankeborg", PostalCode: "12345", State: "Iasi", Country: "SE"},
		ShippingAddress: &payments.Address{Line1: "Stargatan 1", City: "Ankeborg", PostalCode: "12345", Country: "SE"},
		ProviderOptions: []any{"ignored", &smart2pay.AuthorizeOptions{TokenLifetime: 15, MethodOptionID: 37, SkinID: 11,
			IncludeMethodIDs: []int64{75, 2}, ExcludeMethodIDs: []int64{1066}, PrioritizeMethodIDs: []int64{2}, MerchantCustomerID: "0125"}},
	}
	p, err := gw.Authorize(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "2677982" || p.Status != payments.StatusRequiresAction {
		t.Errorf("%+v", p)
	}
	r := w.last(t)
	if r.method != "POST" || r.path != "/apm/v1/payments" || r.auth != docAPMAuth || r.contentType != "application/json" {
		t.Errorf("request line %+v", r)
	}
	wantJSON(t, r.body, `{"Payment":{
		"MerchantTransactionID":"order_1-A","Amount":1234,"Currency":"EUR","MethodID":75,"MethodOptionID":37,
		"IncludeMethodIDs":[75,2],"ExcludeMethodIDs":[1066],"PrioritizeMethodIDs":[2],"SkinID":11,
		"ClientIP":"192.0.2.10","ReturnURL":"https://shop.example/ok","Description":"Order 1","TokenLifetime":15,
		"Customer":{"MerchantCustomerID":"0125","Email":"youremail@email.com","FirstName":"Example","LastName":"Test","Phone":"+40765260000","Company":"S2P"},
		"BillingAddress":{"City":"Ankeborg","ZipCode":"12345","State":"Iasi","Street":"Stargatan 1, Floor 2","Country":"SE"},
		"ShippingAddress":{"City":"Ankeborg","ZipCode":"12345","Street":"Stargatan 1","Country":"SE"},
		"Capture":false}}`)
}

func TestWireCreateHostedPage(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{
		"POST /apm/v1/payments": `{"Payment":{"ID":5,"MerchantTransactionID":"hp","Amount":980,"Currency":"EUR","Status":{"ID":1,"Info":"Open","Reasons":null},"RedirectURL":"https://apitest.smart2pay.com/Home?PaymentToken=X.5"}}`,
	})
	_, err := gw.Authorize(ctxT(t), &payments.AuthorizeRequest{
		Reference: "hp", Amount: mustMoney("9.80", "EUR"), Capture: true, Method: &payments.HostedPage{},
		ReturnURLs: payments.ReturnURLs{Cancel: "https://shop.example/back"}, BillingAddress: &payments.Address{Country: "DE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// No MethodID (the customer chooses), no Capture (GlobalPay's default
	// settles), the billing country the document recommends.
	wantJSON(t, w.last(t).body, `{"Payment":{"MerchantTransactionID":"hp","Amount":980,"Currency":"EUR","ReturnURL":"https://shop.example/back","BillingAddress":{"Country":"DE"}}}`)
}

func TestWireCreateCardAuthorizeOnly(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{
		"POST /card/v1/payments": `{"Payment":{"ID":202231,"MerchantTransactionID":"c1","Amount":1050,"Currency":"EUR","CapturedAmount":0,"Status":{"ID":9,"Info":"Authorized","Reasons":[]},"Capture":false,"RedirectURL":null,"3DSecure":null}}`,
	})
	p, err := gw.Authorize(ctxT(t), &payments.AuthorizeRequest{
		Reference: "c1", Amount: mustMoney("10.5", "EUR"),
		Method:          payments.Card{Holder: "John Doe", Number: "4111 1111 1111 1111", ExpiryMonth: "2", ExpiryYear: "30"},
		ReturnURLs:      payments.ReturnURLs{Success: "https://shop.example/3ds"},
		ProviderOptions: []any{smart2pay.AuthorizeOptions{StatementDescriptor: "SHOP 1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "card:202231" || p.Status != payments.StatusAuthorized || !p.Captured.IsZero() {
		t.Errorf("%+v", p)
	}
	r := w.last(t)
	if r.path != "/card/v1/payments" || r.auth != docCardAuth {
		t.Errorf("request line %+v", r)
	}
	// Digits only, two-digit month, four-digit year; no SecurityCode when
	// there is no CVV; Capture always explicit on the card host.
	wantJSON(t, r.body, `{"Payment":{"MerchantTransactionID":"c1","Amount":1050,"Currency":"EUR","ReturnURL":"https://shop.example/3ds","StatementDescriptor":"SHOP 1",
		"Card":{"HolderName":"John Doe","Number":"4111111111111111","ExpirationMonth":"02","ExpirationYear":"2030"},"Capture":false}}`)
}

const cardPayment = `{"Payment":{"ID":202230,"Created":"20161205084103","MerchantTransactionID":"s2ptest_h2","Amount":2000,"Currency":"EUR","CapturedAmount":%s,"Status":{"ID":%s,"Info":"%s","Reasons":[]}}}`

func cardBody(captured, statusID, info string) string {
	return strings.NewReplacer("CapturedAmount\":%s", "CapturedAmount\":"+captured, "\"ID\":%s", "\"ID\":"+statusID, "%s", info).Replace(cardPayment)
}

func TestWireCaptureCancelStatus(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{
		"GET /card/v1/payments/202230":          cardBody("0", "9", "Authorized"),
		"POST /card/v1/payments/202230/capture": cardBody("1999", "35", "PartiallyCaptured"),
		"POST /card/v1/payments/202230/cancel":  cardBody("0", "3", "Cancelled"),
		"GET /card/v1/payments/202230/status":   `{"Payment":{"ID":202230,"MerchantTransactionID":"s2ptest_h2","Status":{"ID":11,"Info":"Captured","Reasons":[]}}}`,
	})
	ctx := ctxT(t)
	if _, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "card:202230", Amount: moneyPtr(t, "19.99", "EUR")}); err != nil {
		t.Fatal(err)
	}
	reqs := w.all()
	if len(reqs) != 2 || reqs[0].method != "GET" || reqs[1].path != "/card/v1/payments/202230/capture" || reqs[1].query != "amount=1999" || len(reqs[1].body) != 0 {
		t.Errorf("partial capture requests %+v", reqs)
	}
	if _, err := gw.Cancel(ctx, &payments.CancelRequest{ID: "card:202230"}); err != nil {
		t.Fatal(err)
	}
	if r := w.last(t); r.method != "POST" || r.path != "/card/v1/payments/202230/cancel" || r.query != "" || len(r.body) != 0 || r.contentType != "" {
		t.Errorf("cancel %+v", r)
	}
	if _, err := gw.CardStatus(ctx, "card:202230"); err != nil {
		t.Fatal(err)
	}
	if r := w.last(t); r.method != "GET" || r.path != "/card/v1/payments/202230/status" {
		t.Errorf("card status %+v", r)
	}
}

func TestWireRefund(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{
		"GET /apm/v1/payments/2427069":          `{"Payment":{"ID":2427069,"MerchantTransactionID":"s2ptest_2","Amount":980,"Currency":"EUR","Status":{"ID":2,"Info":"Success","Reasons":null}}}`,
		"GET /apm/v1/payments/2427069/refunds":  `{"Refunds":[{"ID":7,"Created":"20160314093342","MerchantTransactionID":"r0","InitialPaymentID":2427069,"Amount":80,"Currency":"EUR","Description":null,"TypeID":1,"Status":{"ID":2,"Info":"Success","Reasons":null}},{"ID":8,"MerchantTransactionID":"r00","InitialPaymentID":2427069,"Amount":500,"Currency":"EUR","Status":{"ID":4,"Info":"Failed","Reasons":null}}]}`,
		"POST /apm/v1/payments/2427069/refunds": `{"Refund":{"ID":9,"Created":"20160314093342","MerchantTransactionID":"rf_1","InitialPaymentID":2427069,"Amount":900,"Currency":"EUR","Description":"damaged","TypeID":1,"Status":{"ID":1,"Info":"Open","Reasons":null}}}`,
	})
	r, err := gw.Refund(ctxT(t), &payments.RefundRequest{ID: "2427069", Reason: "damaged", IdempotencyKey: "rf_1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "9" || r.PaymentID != "2427069" || r.Status != payments.RefundPending || r.ProviderStatus != "1 Open" || r.Amount.String() != "9.00 EUR" {
		t.Errorf("%+v", r)
	}
	// The rest: 9.80 captured, less 0.80 refunded (the failed 5.00 does not count).
	wantJSON(t, w.last(t).body, `{"Refund":{"MerchantTransactionID":"rf_1","Amount":900,"Description":"damaged"}}`)
}

func TestWireListFilters(t *testing.T) {
	w, gw := newWireRecorder(t, map[string]string{"GET /card/v1/payments": `{"Payments":[]}`})
	f := smart2pay.ListFilter{
		Card: true, Limit: 10, Offset: 3,
		StartDate: time.Date(2016, 8, 3, 17, 0, 0, 0, time.FixedZone("EEST", 3*3600)),
		EndDate:   time.Date(2016, 10, 3, 14, 0, 0, 0, time.UTC),
		MethodID:  6, Country: "RO", Currency: "EUR",
		MinimumAmount: moneyPtr(t, "1.00", "EUR"), MaximumAmount: moneyPtr(t, "100.5", "EUR"),
		MerchantTransactionID: "s2ptest_h2", StatusID: 11, MethodTransactionID: "abc-1", TypeID: 1,
	}
	page, err := gw.ListPaymentsPage(ctxT(t), f)
	if err != nil || len(page) != 0 {
		t.Fatal(page, err)
	}
	r := w.last(t)
	want := "country=RO&currency=EUR&endDate=20161003140000&limit=10&maximumAmount=10050&merchantTransactionID=s2ptest_h2&methodID=6&methodTransactionID=abc-1&minimumAmount=100&offset=3&startDate=20160803140000&statusID=11&typeID=1"
	if r.path != "/card/v1/payments" || r.query != want || r.auth != docCardAuth {
		t.Errorf("list query\n got %s\nwant %s", r.query, want)
	}
	for _, bad := range []smart2pay.ListFilter{
		{Limit: -1}, {Offset: -1}, {Country: "ro"}, {Currency: "EU"}, {TypeID: 3}, {StatusID: -2}, {MethodID: -6},
		{MerchantTransactionID: "a b"}, {MethodTransactionID: strings.Repeat("x", 51)},
		{Currency: "USD", MinimumAmount: moneyPtr(t, "1", "EUR")},
		{MinimumAmount: moneyPtr(t, "1", "EUR"), MaximumAmount: moneyPtr(t, "2", "USD")},
		{StartDate: time.Unix(100, 0), EndDate: time.Unix(50, 0)},
	} {
		if _, err := gw.ListPaymentsPage(ctxT(t), bad); payments.CodeOf(err) != payments.InvalidRequest {
			t.Errorf("filter %+v: %v", bad, err)
		}
	}
	if n := len(w.all()); n != 1 {
		t.Errorf("invalid filters sent %d requests", n-1)
	}
}

// TestDeclinedWith4xx: a refusal GlobalPay answers with 4xx and a decline
// code still returns the failed Payment with the ErrDeclined error.
func TestDeclinedWith4xx(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"Payment":{"ID":202240,"MerchantTransactionID":"d1","Amount":2000,"Currency":"EUR","Status":{"ID":4,"Info":"Failed","Reasons":[{"Code":119,"Info":"Customer balance insufficient"}]}}}`)
	}))
	defer srv.Close()
	cfg := docConfig()
	cfg.CardBaseURL = srv.URL
	gw, _ := smart2pay.New(cfg)
	p, err := gw.Authorize(ctxT(t), cardRequest(t, "d1", "20.00", true))
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Code != payments.Declined || pe.Decline.Reason != payments.DeclineInsufficientFunds || payments.CanCascade(err) {
		t.Fatalf("error %v", err)
	}
	if p == nil || p.ID != "card:202240" || p.Status != payments.StatusFailed || p.ProviderStatus != "4 Failed" ||
		p.Decline.Reason != payments.DeclineInsufficientFunds || !p.Captured.IsZero() || p.Captured.Currency != "EUR" {
		t.Fatalf("payment %+v", p)
	}
}

// TestFailedRefund: a refund answered 4 Failed is returned with an error.
func TestFailedRefund(t *testing.T) {
	_, gw := newWireRecorder(t, map[string]string{
		"GET /apm/v1/payments/2427069":           `{"Payment":{"ID":2427069,"MerchantTransactionID":"s2ptest_2","Amount":980,"Currency":"EUR","Status":{"ID":2,"Info":"Success","Reasons":null}}}`,
		"POST /apm/v1/payments/2427069/refunds":  `{"Refund":{"ID":9,"MerchantTransactionID":"rf_2","InitialPaymentID":2427069,"Amount":100,"Currency":"EUR","Status":{"ID":4,"Info":"Failed","Reasons":[{"Code":18,"Info":"Refund failed"}]}}}`,
		"GET /apm/v1/payments/2427069/refunds":   `{"Refunds":[{"ID":9,"MerchantTransactionID":"rf_2","InitialPaymentID":2427069,"Amount":100,"Currency":"EUR","Status":{"ID":4,"Info":"Failed","Reasons":null}}]}`,
		"GET /apm/v1/payments/2427069/refunds/9": `{"Refund":{"ID":9,"MerchantTransactionID":"rf_2","InitialPaymentID":2427069,"Amount":100,"Currency":"EUR","Status":{"ID":4,"Info":"Failed","Reasons":null}}}`,
	})
	ctx := ctxT(t)
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: "2427069", Amount: moneyPtr(t, "1.00", "EUR"), IdempotencyKey: "rf_2"})
	if r == nil || r.Status != payments.RefundFailed || payments.CodeOf(err) != payments.Declined || !strings.Contains(err.Error(), "Refund failed") {
		t.Fatalf("(%+v, %v)", r, err)
	}
	rs, err := gw.Refunds(ctx, "2427069")
	if err != nil || len(rs) != 1 || rs[0].Status != payments.RefundFailed {
		t.Fatalf("Refunds: %+v %v", rs, err)
	}
	one, err := gw.RefundByID(ctx, "2427069", "9")
	if err != nil || one.ID != "9" || one.PaymentID != "2427069" {
		t.Fatalf("RefundByID: %+v %v", one, err)
	}
	if _, err := gw.RefundByID(ctx, "2427069", "10"); err == nil {
		t.Error("unknown refund answered")
	}
}
