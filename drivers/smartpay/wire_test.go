package smartpay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
)

// captureTransport records requests and answers each with the next canned
// response (or 200 with the document's status body).
type captureTransport struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
	answers  []cannedAnswer
}

type cannedAnswer struct {
	status int
	body   string
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	c.mu.Lock()
	c.requests = append(c.requests, r)
	c.bodies = append(c.bodies, body)
	a := cannedAnswer{200, statusBody("t-1", "CAPTURED", "50.99")}
	if len(c.answers) > 0 {
		a, c.answers = c.answers[0], c.answers[1:]
	}
	c.mu.Unlock()
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(a.body)), Request: r}, nil
}

func (c *captureTransport) last(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) == 0 {
		t.Fatal("no request was sent")
	}
	return c.requests[len(c.requests)-1], c.bodies[len(c.bodies)-1]
}

func (c *captureTransport) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

// statusBody is a minimal payment document.
func statusBody(id, status, amount string) string {
	return `{"reconciliationReferenceId":"r","description":"d","paymentStatus":"` + status +
		`","creationDate":"2024-10-09T10:50:15.708Z","lastStatusDate":"2024-10-09T10:50:19.705Z","partnerReference":"order-1001",` +
		`"transactionOverview":{"transactionId":"` + id + `","paymentMethod":"PAYINVC","amount":` + amount + `,"currencyCode":"EUR","mit":false,"paymentOrigin":"PAYMENT_AUTHORIZE_S2S"}}`
}

// refundAnswer is a refund modification's answer: the refund of amount,
// with no status (the documents define no refund status value).
func refundAnswer(id, amount string) string {
	return strings.TrimSuffix(statusBody(id, "CAPTURED", "50.99"), "}") +
		`,"modification":{"modificationAmount":{"amount":` + amount + `,"currencyCode":"EUR","description":"Refund"},` +
		`"modificationData":{"modificationId":"m","refundId":"r-1","reconciliationReferenceId":"x","type":"REFUND"}}}`
}

const (
	testMerchantKey = "31928de9-1344-469f-b0eb-8e5d0fef3d21"
	testAuthKey     = "secret-authentication-key"
)

func newTestGateway(t *testing.T, rt http.RoundTripper, mutate ...func(*Config)) *Gateway {
	t.Helper()
	cfg := Config{
		MerchantKey: testMerchantKey, AuthenticationKey: testAuthKey,
		BaseURL: "https://api.smartpay.example/", Origin: "https://shop.example", UserAgent: "shop/1.0",
		HTTPClient: &http.Client{Transport: rt},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.newID = func() string { return "generated-id" }
	return g
}

func money(t testing.TB, amount, cur string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(amount, cur)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// prepaymentRequest mirrors the fields of seed 004's request list (the seed
// has no example request; the simulator's authorize_request_prepmnt.json
// is written from the same list and the SmartPay data model).
func prepaymentRequest(t testing.TB) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference:   "order-1001",
		Amount:      money(t, "50.99", "EUR"),
		Method:      payments.Invoice{Type: payments.InvoicePrepayment},
		Description: "SMP-Transaction-01",
		Customer:    &payments.Customer{FirstName: "John", LastName: "Doe", Email: "customer@example.com", BirthDate: "1979-12-22"},
		BillingAddress: &payments.Address{
			Line1: "Leopoldstrasse", Line2: "line 2", City: "Munich", PostalCode: "80807", Country: "DE",
		},
		ProviderOptions: []any{&AuthorizeOptions{ShopCountry: "DE", Culture: "en-de", HouseNumber: "244"}},
	}
}

func canon(t *testing.T, b []byte) string {
	t.Helper()
	c, err := conformance.CanonicalJSON(b)
	if err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return string(c)
}

func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	if g, w := canon(t, got), canon(t, []byte(want)); g != w {
		t.Errorf("body\n got %s\nwant %s", g, w)
	}
}

func wantHeaders(t *testing.T, r *http.Request) {
	t.Helper()
	for k, v := range map[string]string{
		"Content-Type": "application/json", "Accept-Language": "en-US",
		"Origin": "https://shop.example", "User-Agent": "shop/1.0",
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(testMerchantKey+":"+testAuthKey)),
	} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s %s: header %s = %q, want %q", r.Method, r.URL.Path, k, got, v)
		}
	}
}

func TestWireAuthorizePrepayment(t *testing.T) {
	ct := &captureTransport{answers: []cannedAnswer{{201, docAuthorize201}}}
	g := newTestGateway(t, ct)
	p, err := g.Authorize(context.Background(), prepaymentRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	r, body := ct.last(t)
	if r.Method != http.MethodPost || r.URL.String() != "https://api.smartpay.example/payment/authorize/" {
		t.Errorf("%s %s", r.Method, r.URL)
	}
	wantHeaders(t, r)
	wantJSON(t, body, `{
		"paymentOption": {"invoicePayment": {"type": "PREPMNT"}},
		"partnerReference": "order-1001",
		"payment": {"amount": 50.99, "currencyCode": "EUR", "description": "SMP-Transaction-01"},
		"billingAddress": {"addressLine1": "Leopoldstrasse", "addressLine2": "line 2", "number": "244",
			"city": "Munich", "postCode": "80807", "countryCode": "DEU"},
		"consumer": {"firstName": "John", "lastName": "Doe", "emailAddress": "customer@example.com",
			"dateOfBirth": "1979-12-22", "culture": "en-de"},
		"shopCountry": "DE"
	}`)
	// The amount is a JSON number with two decimals, never a string or a
	// float rendering.
	if !bytes.Contains(body, []byte(`"amount":50.99`)) {
		t.Errorf("amount not written as 50.99: %s", body)
	}
	if p.ID != "9b02425b-f346-4f16-892b-6716d5ecf9ac" {
		t.Errorf("ID %q", p.ID)
	}
}

func TestWireAuthorizePayUponInvoiceBusiness(t *testing.T) {
	ct := &captureTransport{answers: []cannedAnswer{{201, strings.Replace(docAuthorize201, `"paymentStatus": "CAPTURED"`, `"paymentStatus": "AUTHORIZATION_COMPLETED"`, 1)}}}
	g := newTestGateway(t, ct)
	req := prepaymentRequest(t)
	req.Method = &payments.Invoice{Type: payments.InvoicePayUponInvoice}
	req.Amount = money(t, "50.99", "EUR")
	req.Customer = &payments.Customer{FirstName: "Ignored", Email: "billing@acme.example",
		Company: &payments.Company{Name: "ACME GmbH", RegistrationNumber: "HRB 12345", VATID: "DE123456789"}}
	req.ShippingAddress = &payments.Address{Line1: "Main St 1", City: "Austin", PostalCode: "73301", State: "TX", Country: "US"}
	req.Metadata = map[string]string{"z-order": "1001", "channel": "web"}
	req.Description = ""
	req.ProviderOptions = []any{"other driver's option", AuthorizeOptions{
		CompanyType: "GmbH", CompanyRegistrationCountry: "DE", CustomReferences: [3]string{"c1", "", "c3"},
		CustomerAccountID: "john-doe-27", ProductGroup: "cars", TargetMerchantAccountReference: "sub-1",
		PaymentSplit: []SplitDestination{{DestinationReference: "destination-ref-1", Amount: money(t, "10", "EUR"), Description: "share"}},
	}}
	if _, err := g.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_, body := ct.last(t)
	wantJSON(t, body, `{
		"paymentOption": {"invoicePayment": {"type": "PAYINVC"}},
		"partnerReference": "order-1001",
		"customerAccountId": "john-doe-27",
		"payment": {"amount": 50.99, "currencyCode": "EUR", "description": "order-1001"},
		"paymentSplit": {"paymentSplitDestinations": [{"destinationReference": "destination-ref-1", "amount": 10.00, "currencyCode": "EUR", "description": "share"}]},
		"billingAddress": {"addressLine1": "Leopoldstrasse", "addressLine2": "line 2", "city": "Munich", "postCode": "80807", "countryCode": "DEU"},
		"shippingAddress": {"addressLine1": "Main St 1", "city": "Austin", "postCode": "73301", "countryCode": "USA", "state": "TX"},
		"businessConsumer": {"companyName": "ACME GmbH", "companyType": "GmbH", "emailAddress": "billing@acme.example",
			"taxId": "DE123456789", "companyRegistrationNumber": "HRB 12345", "companyRegistrationCountryCode": "DEU"},
		"customReferences": {"custom1": "c1", "custom3": "c3"},
		"criteria": [{"name": "channel", "value": "web"}, {"name": "z-order", "value": "1001"}],
		"extraInfo": {"productGroup": "cars"},
		"targetMerchantAccountReference": "sub-1"
	}`)
	if bytes.Contains(body, []byte(`"consumer"`)) {
		t.Errorf("consumer and businessConsumer sent together: %s", body)
	}
}

func TestWireCreation(t *testing.T) {
	ct := &captureTransport{answers: []cannedAnswer{{201, `{"transactionId":"t-9","checkoutToken":"ct_abc","redirectUrl":"https://pay.smartpay.example/checkout/ct_abc"}`}}}
	g := newTestGateway(t, ct)
	req := prepaymentRequest(t)
	req.Method = payments.HostedPage{}
	p, err := g.Authorize(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	r, body := ct.last(t)
	if r.URL.Path != "/payment/creation" {
		t.Errorf("path %s", r.URL.Path)
	}
	wantHeaders(t, r)
	wantJSON(t, body, `{
		"merchantKey": "`+testMerchantKey+`",
		"partnerReference": "order-1001",
		"shopCountry": "DE",
		"payment": {"amount": 50.99, "currencyCode": "EUR", "description": "SMP-Transaction-01"},
		"billingAddress": {"addressLine1": "Leopoldstrasse", "addressLine2": "line 2", "number": "244", "city": "Munich", "postCode": "80807", "countryCode": "DEU"},
		"consumer": {"firstName": "John", "lastName": "Doe", "emailAddress": "customer@example.com", "dateOfBirth": "1979-12-22", "culture": "en-de"}
	}`)
	if p.Status != payments.StatusRequiresAction || p.ID != "t-9" || p.Action == nil ||
		p.Action.Token != "ct_abc" || p.Action.Type != payments.ActionRedirect || p.Action.URL != "https://pay.smartpay.example/checkout/ct_abc" {
		t.Errorf("payment %+v action %+v", p, p.Action)
	}
	// Without a redirect URL the token alone is shown to the widget.
	ct.answers = []cannedAnswer{{201, `{"transactionId":"t-10","token":"tok"}`}}
	req.Reference = "order-1002"
	p, err = g.Authorize(context.Background(), req)
	if err != nil || p.Action.Type != payments.ActionDisplay || p.Action.Token != "tok" {
		t.Errorf("%+v %v", p, err)
	}
}

func TestWireModifications(t *testing.T) {
	ctx := context.Background()
	amt := money(t, "20", "EUR")
	cases := []struct {
		name   string
		answer string
		call   func(g *Gateway) error
		path   string
		want   string
	}{
		{"capture full", statusBody("t-1", "CAPTURED", "50.99"), func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1", IdempotencyKey: "cap-1"})
			return err
		}, "/payment/capture", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"cap-1"}`},
		{"capture partial", statusBody("t-1", "CAPTURED", "50.99"), func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1", Amount: &amt})
			return err
		}, "/payment/capture", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"generated-id",
			"modifiedAmount":{"amount":20.00,"currencyCode":"EUR","description":"Capture"}}`},
		{"cancel", statusBody("t-1", "CANCELLED", "50.99"), func(g *Gateway) error {
			_, err := g.Cancel(ctx, &payments.CancelRequest{ID: "t-1", IdempotencyKey: "can-1"})
			return err
		}, "/payment/cancel", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"can-1"}`},
		{"refund full", refundAnswer("t-1", "50.99"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1", IdempotencyKey: "ref-1"})
			return err
		}, "/payment/refund", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"ref-1"}`},
		{"refund partial", statusBody("t-1", "CAPTURED", "50.99"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1", Amount: &amt, Reason: "damaged", IdempotencyKey: "ref-2"})
			return err
		}, "/payment/refund", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"ref-2",
			"modifiedAmount":{"amount":20.00,"currencyCode":"EUR","description":"damaged"},"description":"damaged"}`},
		{"cancelOrRefund", statusBody("t-1", "CANCELLED", "50.99"), func(g *Gateway) error {
			_, err := g.CancelOrRefund(ctx, &payments.CancelRequest{ID: "t-1", IdempotencyKey: "cor-1"})
			return err
		}, "/payment/cancelOrRefund", `{"transactionId":"t-1","merchantKey":"` + testMerchantKey + `","modificationId":"cor-1"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := &captureTransport{answers: []cannedAnswer{{200, c.answer}}}
			g := newTestGateway(t, ct)
			if err := c.call(g); err != nil {
				t.Fatal(err)
			}
			r, body := ct.last(t)
			if r.Method != http.MethodPost || r.URL.Path != c.path {
				t.Errorf("%s %s, want POST %s", r.Method, r.URL.Path, c.path)
			}
			wantHeaders(t, r)
			wantJSON(t, body, c.want)
		})
	}
}

func TestWireStatus(t *testing.T) {
	ct := &captureTransport{answers: []cannedAnswer{{200, statusBody("a/b", "CAPTURED", "50.99")}}}
	g := newTestGateway(t, ct)
	if _, err := g.Status(context.Background(), &payments.StatusRequest{ID: "a/b"}); err != nil {
		t.Fatal(err)
	}
	r, body := ct.last(t)
	if r.Method != http.MethodGet || r.URL.EscapedPath() != "/payment/status/a%2Fb" || len(body) != 0 {
		t.Errorf("%s %s body %q", r.Method, r.URL.EscapedPath(), body)
	}
	wantHeaders(t, r)
}

func TestEncodeAmount(t *testing.T) {
	cases := []struct {
		amount, cur, want string
		code              payments.Code
	}{
		{"49.99", "EUR", "49.99", ""},
		{"10", "EUR", "10.00", ""},
		{"0.5", "USD", "0.50", ""},
		{"10.500", "EUR", "10.50", ""},
		{"999999999999999999.99", "EUR", "999999999999999999.99", ""},
		{"1000000000000000000.00", "EUR", "", payments.InvalidRequest},
		{"1000", "JPY", "", payments.Unsupported},
		{"1.000", "KWD", "", payments.Unsupported},
		{"1", "CLF", "", payments.Unsupported},
	}
	for _, c := range cases {
		m := payments.Money{Amount: decimal.RequireFromString(c.amount), Currency: payments.Currency(c.cur)}
		got, err := encodeAmount("amount", m)
		if c.code != "" {
			if !errors.Is(err, c.code) {
				t.Errorf("%s %s: %v, want %s", c.amount, c.cur, err, c.code)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s %s: %q %v, want %q", c.amount, c.cur, got, err, c.want)
		}
		js, err := json.Marshal(amountObject{Amount: got, CurrencyCode: c.cur})
		if err != nil || !bytes.Contains(js, []byte(`"amount":`+c.want+`,`)) {
			t.Errorf("%s: marshalled %s %v", c.amount, js, err)
		}
	}
	if _, err := json.Marshal(wireAmount("1e3")); err == nil {
		t.Error("marshalled a malformed amount")
	}
	// Finer than two decimals: refused, never rounded.
	if _, err := encodeAmount("amount", payments.Money{Amount: decimal.RequireFromString("1.005"), Currency: "EUR"}); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("1.005 EUR: %v", err)
	}
}

func TestDecodeAmount(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{`49.99`, "49.99", true},
		{`"49.99"`, "49.99", true},
		{`25`, "25", true},
		{`null`, "", true},
		{`123456789012345678.99`, "123456789012345678.99", true},
		{`false`, "", false},
		{`4.999e1`, "", false},
		{`"1e3"`, "", false},
		{`".5"`, "", false},
		{`{}`, "", false},
		{`"abc"`, "", false},
	}
	for _, c := range cases {
		var a wireAmount
		err := json.Unmarshal([]byte(c.in), &a)
		if (err == nil) != c.ok || (c.ok && string(a) != c.want) {
			t.Errorf("%s: %q %v", c.in, a, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	cases := map[string]string{
		"2024-10-09T10:50:15.708Z":         "2024-10-09T10:50:15.708Z",
		"2023-12-07 11:34:50.884000+00:00": "2023-12-07T11:34:50.884Z",
		"2024-07-29T15:51:28.071Z":         "2024-07-29T15:51:28.071Z",
		"2024-07-29T15:51:28":              "2024-07-29T15:51:28Z",
		"not a date":                       "0001-01-01T00:00:00Z",
		"":                                 "0001-01-01T00:00:00Z",
	}
	for in, want := range cases {
		if got := parseDate(in).Format("2006-01-02T15:04:05.999Z07:00"); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

// Everything the provider rejects is refused before any I/O, naming the
// neutral field.
func TestValidationBeforeIO(t *testing.T) {
	ctx := context.Background()
	ct := &captureTransport{}
	g := newTestGateway(t, ct)
	long := strings.Repeat("x", 128)
	cases := []struct {
		name   string
		mutate func(*payments.AuthorizeRequest)
		field  string
		code   payments.Code
	}{
		{"reference with a space", func(r *payments.AuthorizeRequest) { r.Reference = "order 1" }, "reference", payments.InvalidRequest},
		{"reference with a slash", func(r *payments.AuthorizeRequest) { r.Reference = "order/1" }, "reference", payments.InvalidRequest},
		{"JPY", func(r *payments.AuthorizeRequest) { r.Amount = money(t, "1000", "JPY") }, "amount.currency", payments.Unsupported},
		{"KWD", func(r *payments.AuthorizeRequest) { r.Amount = money(t, "1.500", "KWD") }, "amount.currency", payments.Unsupported},
		{"no billing address", func(r *payments.AuthorizeRequest) { r.BillingAddress = nil }, "billing_address", payments.InvalidRequest},
		{"no postal code", func(r *payments.AuthorizeRequest) { r.BillingAddress.PostalCode = "" }, "billing_address.postal_code", payments.InvalidRequest},
		{"long postal code", func(r *payments.AuthorizeRequest) { r.BillingAddress.PostalCode = "12345678901" }, "billing_address.postal_code", payments.InvalidRequest},
		{"US without state", func(r *payments.AuthorizeRequest) { r.BillingAddress.Country = "US" }, "billing_address.state", payments.InvalidRequest},
		{"state name", func(r *payments.AuthorizeRequest) { r.BillingAddress.State = "Bavaria" }, "billing_address.state", payments.InvalidRequest},
		{"no customer", func(r *payments.AuthorizeRequest) { r.Customer = nil }, "customer", payments.InvalidRequest},
		{"no email", func(r *payments.AuthorizeRequest) { r.Customer.Email = "" }, "customer.email", payments.InvalidRequest},
		{"no last name", func(r *payments.AuthorizeRequest) { r.Customer.LastName = "" }, "customer.last_name", payments.InvalidRequest},
		{"birth date before 1900", func(r *payments.AuthorizeRequest) { r.Customer.BirthDate = "1899-12-31" }, "customer.birth_date", payments.InvalidRequest},
		{"long description", func(r *payments.AuthorizeRequest) { r.Description = long }, "description", payments.InvalidRequest},
		{"metadata key too long", func(r *payments.AuthorizeRequest) { r.Metadata = map[string]string{strings.Repeat("k", 51): "v"} }, "metadata", payments.InvalidRequest},
		{"metadata value too long", func(r *payments.AuthorizeRequest) { r.Metadata = map[string]string{"k": long} }, "metadata.k", payments.InvalidRequest},
		{"bad shop country", func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&AuthorizeOptions{ShopCountry: "DEU"}}
		}, "provider_options.shop_country", payments.InvalidRequest},
		{"split in another currency", func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&AuthorizeOptions{PaymentSplit: []SplitDestination{{DestinationReference: "d", Amount: money(t, "1", "USD"), Description: "x"}}}}
		}, "provider_options.payment_split[0].amount.currency", payments.InvalidRequest},
		{"card", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}
		}, "method", payments.Unsupported},
		{"invoice without type", func(r *payments.AuthorizeRequest) { r.Method = payments.Invoice{} }, "method.type", payments.InvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := prepaymentRequest(t)
			c.mutate(req)
			_, err := g.Authorize(ctx, req)
			var pe *payments.Error
			if !errors.As(err, &pe) || pe.Code != c.code || pe.Field != c.field {
				t.Errorf("%v (%+v), want %s on %s", err, pe, c.code, c.field)
			}
		})
	}
	others := []struct {
		name string
		do   func() error
		code payments.Code
	}{
		{"nil authorize", func() error { _, err := g.Authorize(ctx, nil); return err }, payments.InvalidRequest},
		{"nil checkout", func() error { _, err := g.CreateCheckout(ctx, nil); return err }, payments.InvalidRequest},
		{"nil capture", func() error { _, err := g.Capture(ctx, nil); return err }, payments.InvalidRequest},
		{"nil cancel", func() error { _, err := g.Cancel(ctx, nil); return err }, payments.InvalidRequest},
		{"nil refund", func() error { _, err := g.Refund(ctx, nil); return err }, payments.InvalidRequest},
		{"nil cancelOrRefund", func() error { _, err := g.CancelOrRefund(ctx, nil); return err }, payments.InvalidRequest},
		{"nil status", func() error { _, err := g.Status(ctx, nil); return err }, payments.InvalidRequest},
		{"status by reference", func() error { _, err := g.Status(ctx, &payments.StatusRequest{Reference: "order-1"}); return err }, payments.Unsupported},
		{"long id", func() error {
			_, err := g.Status(ctx, &payments.StatusRequest{ID: strings.Repeat("1", 37)})
			return err
		}, payments.InvalidRequest},
		{"id with space", func() error { _, err := g.Capture(ctx, &payments.CaptureRequest{ID: "a b"}); return err }, payments.InvalidRequest},
		{"capture JPY", func() error {
			m := money(t, "100", "JPY")
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t", Amount: &m})
			return err
		}, payments.Unsupported},
		{"long refund reason", func() error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t", Reason: strings.Repeat("r", 128)})
			return err
		}, payments.InvalidRequest},
		{"split on hosted page", func() error {
			req := prepaymentRequest(t)
			req.Method = payments.HostedPage{}
			req.ProviderOptions = []any{&AuthorizeOptions{PaymentSplit: []SplitDestination{{DestinationReference: "d", Amount: money(t, "1", "EUR"), Description: "x"}}}}
			_, err := g.Authorize(ctx, req)
			return err
		}, payments.InvalidRequest},
	}
	for _, c := range others {
		if err := c.do(); !errors.Is(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if n := ct.count(); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok := Config{MerchantKey: "mk", AuthenticationKey: "ak", BaseURL: "https://api.smartpay.example", Origin: "https://shop.example"}
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"merchant key", func(c *Config) { c.MerchantKey = "" }, "MerchantKey"},
		{"authentication key", func(c *Config) { c.AuthenticationKey = "" }, "AuthenticationKey"},
		{"base URL", func(c *Config) { c.BaseURL = "" }, "BaseURL is required"},
		{"relative base URL", func(c *Config) { c.BaseURL = "api.smartpay.example" }, "absolute"},
		{"origin", func(c *Config) { c.Origin = "" }, "Origin"},
		{"oauth without secret", func(c *Config) { c.OAuth = &OAuth{TokenURL: "https://x.example/token", ClientID: "id"} }, "OAuth.ClientID"},
		{"oauth without URL", func(c *Config) { c.OAuth = &OAuth{ClientID: "id", ClientSecret: "s"} }, "TokenURL"},
		{"empty notification auth", func(c *Config) { c.NotificationAuth = &NotificationAuth{} }, "NotificationAuth"},
		// "shop:" would be verified: any request naming the user passes.
		{"notification auth without password", func(c *Config) { c.NotificationAuth = &NotificationAuth{Username: "shop"} }, "NotificationAuth.Password"},
	}
	for _, c := range cases {
		cfg := ok
		c.mutate(&cfg)
		_, err := New(cfg)
		if !errors.Is(err, payments.ErrInvalidRequest) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	cfg := ok
	cfg.NotificationAuth = &NotificationAuth{Username: "shop"}
	var pe *payments.Error
	if _, err := New(cfg); !errors.As(err, &pe) || pe.Field != "NotificationAuth.Password" {
		t.Errorf("empty webhook password: %v, want the field named", err)
	}
	// OAuth replaces the authentication key.
	cfg = ok
	cfg.AuthenticationKey = ""
	cfg.OAuth = &OAuth{TokenURL: "https://auth.smartpay.example/token", ClientID: "id", ClientSecret: "s"}
	if _, err := New(cfg); err != nil {
		t.Error(err)
	}
	g, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	if g.cfg.Timeout < 90e9 || g.cfg.UserAgent == "" || g.Name() != "smartpay" {
		t.Errorf("defaults: %+v", g.cfg)
	}
}

func TestCapabilities(t *testing.T) {
	g := newTestGateway(t, &captureTransport{})
	c := g.Capabilities()
	if !c.Supports(payments.KindInvoice) || !c.Supports(payments.KindHostedPage) || c.Supports(payments.KindCard) {
		t.Errorf("methods %v", c.Methods)
	}
	if !c.IdempotentModifications || c.LookupByReference || c.ThreeDS || c.Payouts {
		t.Errorf("%+v", c)
	}
	if c.Notifications != payments.VerifiedByQuery {
		t.Errorf("notifications %s", c.Notifications)
	}
	if !c.AcceptsCurrency("EUR") || !c.AcceptsCurrency("USD") || c.AcceptsCurrency("JPY") || c.AcceptsCurrency("KWD") {
		t.Errorf("currencies %v", c.Currencies)
	}
	g = newTestGateway(t, &captureTransport{}, func(c *Config) { c.NotificationAuth = &NotificationAuth{Username: "u", Password: "p"} })
	if g.Capabilities().Notifications != payments.VerifiedByQuery|payments.VerifiedCredentials {
		t.Errorf("notifications %s", g.Capabilities().Notifications)
	}
}

// 2xx answers to a money-moving call that contradict the request.
func TestAuthorizeAnswerChecks(t *testing.T) {
	cases := []struct {
		name string
		body string
		code payments.Code
		pay  bool
	}{
		{"another amount", strings.Replace(docAuthorize201, `"amount": 50.99`, `"amount": 5.99`, 1), payments.Integrity, true},
		{"another currency", strings.Replace(docAuthorize201, `"currencyCode": "EUR"`, `"currencyCode": "USD"`, 1), payments.Integrity, true},
		{"another reference", strings.Replace(docAuthorize201, `"description"`, `"partnerReference": "someone-else", "description"`, 1), payments.Integrity, true},
		{"no transactionId", strings.Replace(docAuthorize201, `"transactionId": "9b02425b-f346-4f16-892b-6716d5ecf9ac",`, ``, 1), payments.OutcomeUnknown, false},
		{"unreadable amount", strings.Replace(docAuthorize201, `"amount": 50.99`, `"amount": false`, 1), payments.OutcomeUnknown, false},
		{"truncated", docAuthorize201[:100], payments.OutcomeUnknown, false},
		{"failed", strings.Replace(docAuthorize201, `"paymentStatus": "CAPTURED"`, `"paymentStatus": "FAILED"`, 1), payments.Declined, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newTestGateway(t, &captureTransport{answers: []cannedAnswer{{201, c.body}}})
			p, err := g.Authorize(context.Background(), prepaymentRequest(t))
			if !errors.Is(err, c.code) {
				t.Fatalf("%v, want %s", err, c.code)
			}
			if (p != nil) != c.pay {
				t.Errorf("payment %+v", p)
			}
			if p != nil && p.ID == "" {
				t.Errorf("payment without ID")
			}
		})
	}
}

// 2xx answers to modifications that contradict the request.
func TestModificationAnswerChecks(t *testing.T) {
	ctx := context.Background()
	mod := func(typ, amount, cur string) string {
		return `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t-1","amount":50.99,"currencyCode":"EUR"},
			"modification":{"modificationAmount":{"amount":` + amount + `,"currencyCode":"` + cur + `"},"modificationData":{"type":"` + typ + `","refundId":"r-1"},"status":"REFUNDED"}}`
	}
	twenty := money(t, "20.00", "EUR")
	cases := []struct {
		name string
		body string
		call func(g *Gateway) error
		code payments.Code
	}{
		{"capture: another amount", mod("CAPTURE", "25.00", "EUR"), func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1", Amount: &twenty})
			return err
		}, payments.Integrity},
		{"capture: another type", mod("REFUND", "20.00", "EUR"), func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1", Amount: &twenty})
			return err
		}, payments.Integrity},
		{"capture: another transaction", strings.Replace(mod("CAPTURE", "20.00", "EUR"), `"t-1"`, `"t-2"`, 1), func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1", Amount: &twenty})
			return err
		}, payments.Integrity},
		{"refund: another amount", mod("REFUND", "2.00", "EUR"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1", Amount: &twenty})
			return err
		}, payments.Integrity},
		{"refund: another currency", mod("REFUND", "20.00", "USD"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1", Amount: &twenty})
			return err
		}, payments.Integrity},
		{"refund: a capture", mod("CAPTURE", "20.00", "EUR"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1"})
			return err
		}, payments.Integrity},
		{"cancel: a refund", mod("REFUND", "20.00", "EUR"), func(g *Gateway) error {
			_, err := g.Cancel(ctx, &payments.CancelRequest{ID: "t-1"})
			return err
		}, payments.Integrity},
		{"cancelOrRefund: a capture", mod("CAPTURE", "20.00", "EUR"), func(g *Gateway) error {
			_, err := g.CancelOrRefund(ctx, &payments.CancelRequest{ID: "t-1"})
			return err
		}, payments.Integrity},
		{"capture: unreadable", `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t-1","amount":"x"}}`, func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1"})
			return err
		}, payments.OutcomeUnknown},
		{"refund: no amount", `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t-1","currencyCode":"EUR"}}`, func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1"})
			return err
		}, payments.OutcomeUnknown},
		// A refund without an amount is SmartPay's to size: an answer that
		// does not say how much was refunded is never guessed (formerly the
		// refunded total of the status answer).
		{"refund of the rest: the answer states no amount", statusBody("t-1", "CAPTURED", "50.99"), func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1"})
			return err
		}, payments.OutcomeUnknown},
		{"refund of the rest: the modification states no amount", `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t-1","amount":50.99,"currencyCode":"EUR"},
			"modification":{"modificationData":{"type":"REFUND","refundId":"r-1"}}}`, func(g *Gateway) error {
			_, err := g.Refund(ctx, &payments.RefundRequest{ID: "t-1"})
			return err
		}, payments.OutcomeUnknown},
		// More captured than authorized contradicts the payment: never
		// capped to the amount.
		{"capture: more than authorized", `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t-1","amount":50.99,"currencyCode":"EUR"},
			"modification":{"modificationAmount":{"amount":60.00,"currencyCode":"EUR"},"modificationData":{"type":"CAPTURE"}}}`, func(g *Gateway) error {
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "t-1"})
			return err
		}, payments.Integrity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newTestGateway(t, &captureTransport{answers: []cannedAnswer{{200, c.body}}})
			if err := c.call(g); !errors.Is(err, c.code) {
				t.Errorf("%v, want %s", err, c.code)
			}
		})
	}
}
