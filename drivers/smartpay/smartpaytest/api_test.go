package smartpaytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	uuidRe   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reconRe  = regexp.MustCompile(`^[A-Za-z0-9]{21}$`)
	txRefRe  = regexp.MustCompile(`^\d{15}$`)
	dateRe   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	traceRe  = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`)
	amountRe = regexp.MustCompile(`"amount":50\.99[,}]`)
)

// The request is hand-written from seed 004's field list; the response must
// have exactly the keys and JSON types of seed 004's example response.
func TestAuthorizeMatchesDocumentExample(t *testing.T) {
	example := readDoc(t, "authorize_201.json")
	request := string(readDoc(t, "authorize_request_prepmnt.json"))
	tests := []struct {
		name        string
		opts        []Option
		invoiceType string
		wantStatus  string
	}{
		// The document's answer (seed 004_63b579a9eeecc4a0.txt l.482-498).
		{"prepayment answered like the example", nil, "PREPMNT", StatusCaptured},
		{"prepayment awaiting the buyer (assumption)", []Option{WithPrepaymentPending(true)}, "PREPMNT", StatusAuthorizationPending},
		{"pay upon invoice granted (assumption)", nil, "PAYINVC", StatusAuthorizationCompleted},
		{"pay upon invoice answered like the example", []Option{WithInvoicePaidOnAuthorize(true)}, "PAYINVC", StatusCaptured},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(tc.opts...)
			defer s.Close()
			body := strings.Replace(request, `"PREPMNT"`, fmt.Sprintf("%q", tc.invoiceType), 1)
			r := call(t, s, http.MethodPost, PathAuthorize, body)
			if r.status != http.StatusCreated {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			requireShape(t, "authorize 201", r.body, example, false)
			m := decode(t, r.body)
			id := str(m, "transactionOverview", "transactionId")
			checks := map[string]bool{
				"transactionId is a uuid":            uuidRe.MatchString(id),
				"modificationId equals the id":       str(m, "modificationId") == id,
				"paymentMethod is the invoice type":  str(m, "transactionOverview", "paymentMethod") == tc.invoiceType,
				"paymentOrigin":                      str(m, "transactionOverview", "paymentOrigin") == "PAYMENT_AUTHORIZE_S2S",
				"paymentStatus":                      str(m, "paymentStatus") == tc.wantStatus,
				"amount is the JSON number 50.99":    amountRe.Match(r.body),
				"currencyCode":                       str(m, "transactionOverview", "currencyCode") == "EUR",
				"mit is false":                       getPath(m, "transactionOverview", "mit") == false,
				"description":                        str(m, "description") == "SMP-Transaction-01",
				"reconciliationReferenceId 21 chars": reconRe.MatchString(str(m, "reconciliationReferenceId")),
				"transactionReference 15 digits":     txRefRe.MatchString(str(m, "transactionReference")),
				"creationDate format":                dateRe.MatchString(str(m, "creationDate")),
				"lastStatusDate format":              dateRe.MatchString(str(m, "lastStatusDate")),
			}
			for what, ok := range checks {
				if !ok {
					t.Errorf("%s: %s", what, r.body)
				}
			}
			ps, ok := s.Payment(id)
			if !ok || ps.Status != tc.wantStatus || ps.Amount != "50.99" || ps.TransactionReference != str(m, "transactionReference") {
				t.Errorf("Payment(%s) = %+v, %v", id, ps, ok)
			}
		})
	}
}

func TestAuthorizeEchoesOptionalFields(t *testing.T) {
	s := NewServer()
	defer s.Close()
	body := `{
	  "paymentOption": {"invoicePayment": {"type": "PAYINVC"}},
	  "partnerReference": "GHssjkauhdaku658702",
	  "targetMerchantAccountReference": "123456789",
	  "customerAccountId": "john-doe-27",
	  "customReferences": {"custom1": "a", "custom2": "b", "custom3": "c"},
	  "payment": {"amount": 49.99, "currencyCode": "EUR", "description": "4 pcs windscreen wipers"},
	  "billingAddress": {"addressLine1": "Main St", "number": "1", "city": "Springfield", "postCode": "12345", "countryCode": "USA", "state": "IL"},
	  "shippingAddress": {"addressLine1": "Main St", "city": "Springfield", "postCode": "12345", "countryCode": "USA", "state": "IL"},
	  "businessConsumer": {"companyName": "ACME Inc.", "email": "billing@acme.example"},
	  "criteria": [{"name": "channel", "value": "web"}],
	  "extraInfo": {"productGroup": "wipers"},
	  "paymentSplit": {"paymentSplitDestinations": [{"destinationReference": "destination-ref-1", "amount": 49.99, "currencyCode": "EUR", "description": "all"}]},
	  "shopCountry": "US"
	}`
	r := call(t, s, http.MethodPost, PathAuthorize, body)
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	requireShape(t, "authorize with optional fields", r.body, authorizeSchema(t), true)
	m := decode(t, r.body)
	for path, want := range map[string]string{
		"partnerReference": "GHssjkauhdaku658702",
		"transactionOverview.targetMerchantAccountReference": "123456789",
		"transactionOverview.customerAccountId":              "john-doe-27",
		"transactionOverview.customReferences.custom2":       "b",
	} {
		if got := str(m, strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

// Seed 003 has no example response; the status document must fit the schema
// (seed 004's example from schema) and reflect the simulator's state.
func TestStatusResponseShapeAndState(t *testing.T) {
	clock := newFakeClock()
	s := NewServer(WithClock(clock.Now))
	defer s.Close()
	schema := statusSchema(t)

	// Invoice: answered CAPTURED like the document's example, paid by the
	// buyer (settled), partially refunded.
	id := authorize(t, s, "PREPMNT", "order-1", "100.00")
	m := status(t, s, id)
	requireShape(t, "status after authorize", mustJSON(t, m), schema, true)
	if str(m, "paymentStatus") != StatusCaptured || m["modification"] != nil {
		t.Errorf("fresh prepayment: %v", m)
	}
	if str(m, "partnerReference") != "order-1" || num(m, "transactionOverview", "amount") != "100.00" {
		t.Errorf("status does not reflect the request: %v", m)
	}
	clock.Advance(time.Minute)
	if err := s.PayInvoice(id); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, http.MethodPost, PathRefund, modBody(id, "refund-1", "25.50", "damaged"))
	if r.status != http.StatusOK {
		t.Fatalf("refund: %d %s", r.status, r.body)
	}
	m = status(t, s, id)
	requireShape(t, "status after refund", mustJSON(t, m), schema, true)
	if str(m, "paymentStatus") != StatusSettled {
		t.Errorf("paymentStatus %q", str(m, "paymentStatus"))
	}
	// No document defines a refund's status value: none is sent.
	if mod, _ := m["modification"].(map[string]any); mod == nil || mod["status"] != nil {
		t.Errorf("refund modification %v", m["modification"])
	}
	if got := str(m, "modification", "modificationData", "type"); got != ModificationRefund {
		t.Errorf("modification type %q", got)
	}
	if got := num(m, "modification", "modificationAmount", "amount"); got != "25.50" {
		t.Errorf("refund amount %s", got)
	}
	if !uuidRe.MatchString(str(m, "modification", "modificationData", "refundId")) {
		t.Errorf("refundId missing: %v", m["modification"])
	}
	if str(m, "lastStatusDate") != "2024-10-09T10:51:15.708Z" || str(m, "creationDate") != "2024-10-09T10:50:15.708Z" {
		t.Errorf("dates: %s / %s", str(m, "creationDate"), str(m, "lastStatusDate"))
	}
	hist, _ := m["statusHistory"].([]any)
	var statuses []string
	for _, h := range hist {
		hm := h.(map[string]any)
		statuses = append(statuses, str(hm, "status")+" "+num(hm, "modificationAmount", "amount"))
	}
	if want := "CAPTURED 100.00,SETTLED 100.00, 25.50"; strings.Join(statuses, ",") != want {
		t.Errorf("statusHistory = %v, want %s", statuses, want)
	}

	// Checkout: completed, partially captured.
	co := createCheckout(t, s, "order-2", "49.99")
	cid := co["transactionId"].(string)
	m = status(t, s, cid)
	requireShape(t, "status of a fresh checkout", mustJSON(t, m), schema, true)
	if str(m, "paymentStatus") != StatusCreated || str(m, "transactionOverview", "paymentOrigin") != "CHECKOUT" ||
		str(m, "transactionOverview", "paymentMethod") != "CARDS" || m["transactionReference"] != nil {
		t.Errorf("fresh checkout: %v", m)
	}
	if err := s.CompleteCheckout(cid, CheckoutSuccess); err != nil {
		t.Fatal(err)
	}
	if r := call(t, s, http.MethodPost, PathCapture, modBody(cid, "cap-1", "20.00", "")); r.status != http.StatusOK {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	m = status(t, s, cid)
	requireShape(t, "status after capture", mustJSON(t, m), schema, true)
	if str(m, "modification", "modificationData", "type") != ModificationCapture ||
		str(m, "modification", "modificationData", "modificationId") != "cap-1" ||
		!uuidRe.MatchString(str(m, "modification", "modificationData", "captureId")) ||
		str(m, "modification", "modificationData", "reconciliationReferenceId") != str(m, "reconciliationReferenceId") {
		t.Errorf("capture modification: %v", m["modification"])
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestErrorBodiesMatchDocument(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := authorize(t, s, "PAYINVC", "err-1", "10.00")
	tests := []struct {
		name    string
		do      func() response
		status  int
		example string
		exact   bool // message and code equal the example's
	}{
		{"401 without credentials", func() response {
			return call(t, s, http.MethodGet, PathStatus+id, "", withoutHeader("Authorization"))
		}, 401, "error_401.json", true},
		{"403 foreign merchantKey", func() response {
			return call(t, s, http.MethodPost, PathCapture,
				strings.Replace(modBody(id, "m-403", "", ""), DefaultMerchantKey, "someone-else", 1))
		}, 403, "error_403.json", true},
		{"404 unknown transactionId", func() response {
			return call(t, s, http.MethodGet, PathStatus+"123e4567-e89b-12d3-a456-426614174000", "")
		}, 404, "error_404.json", true},
		{"500 injected", func() response {
			s.FailNext(PathStatus+id, 500)
			return call(t, s, http.MethodGet, PathStatus+id, "")
		}, 500, "error_500.json", true},
		{"400 amount out of bounds", func() response {
			return call(t, s, http.MethodPost, PathCapture, modBody(id, "m-400", "10.01", ""))
		}, 400, "error_400_mod2.json", false},
		{"400 decline (MOD1)", func() response {
			return call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "err-decline", "10.00", "Declined"))
		}, 400, "error_mod1.json", false},
		{"400 invalid status (MOD1)", func() response {
			return call(t, s, http.MethodPost, PathRefund, modBody(id, "m-state", "", ""))
		}, 400, "error_mod1.json", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.do()
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			want := readDoc(t, tc.example)
			requireShape(t, tc.name, r.body, want, false)
			got := decode(t, r.body)
			if tid, ok := got["traceId"]; ok && !traceRe.MatchString(tid.(string)) {
				t.Errorf("traceId %v", tid)
			}
			if tc.exact {
				g, w := firstError(t, r.body), firstError(t, want)
				if g["message"] != w["message"] || g["code"] != w["code"] {
					t.Errorf("got %v, want %v", g, w)
				}
			}
		})
	}
	if ops := s.Operations(); len(ops) != 2 || ops[1].Result != StatusFailed {
		t.Errorf("operations %+v: want the authorize and the declined authorize only", ops)
	}
}

func TestAuthentication(t *testing.T) {
	clock := newFakeClock()
	s := NewServer(WithClock(clock.Now), WithMerchant("merchant-2", "secret-2"))
	defer s.Close()
	id := authorize(t, s, "PAYINVC", "auth-1", "10.00")
	tok := fetchToken(t, s, DefaultMerchantKey, DefaultAuthenticationKey, true)
	tok2 := fetchToken(t, s, "merchant-2", "secret-2", false)
	tests := []struct {
		name   string
		opt    reqOpt
		status int
	}{
		{"basic ok", nil, 200},
		{"no Authorization", withoutHeader("Authorization"), 401},
		{"wrong authentication key", withBasic(DefaultMerchantKey, "wrong"), 401},
		{"unknown merchant", withBasic("nobody", DefaultAuthenticationKey), 401},
		{"unknown scheme", withHeader("Authorization", "Digest abc"), 401},
		{"bearer ok", withBearer(tok), 200},
		{"bearer lower-case scheme", withHeader("Authorization", "bearer "+tok), 200},
		{"unknown bearer", withBearer("nope"), 401},
		{"other merchant's transaction", withBearer(tok2), 404},
		{"other merchant basic", withBasic("merchant-2", "secret-2"), 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			if tc.opt != nil {
				opts = append(opts, tc.opt)
			}
			r := call(t, s, http.MethodGet, PathStatus+id, "", opts...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if r.status == 401 {
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				if e := firstError(t, r.body); e["code"] != "unauthorized" {
					t.Errorf("401 body %s", r.body)
				}
			}
		})
	}
	t.Run("bearer expires on the clock", func(t *testing.T) {
		clock.Advance(DefaultTokenLifetime - time.Second)
		if r := call(t, s, http.MethodGet, PathStatus+id, "", withBearer(tok)); r.status != 200 {
			t.Fatalf("before expiry: %d", r.status)
		}
		clock.Advance(time.Second)
		if r := call(t, s, http.MethodGet, PathStatus+id, "", withBearer(tok)); r.status != 401 {
			t.Fatalf("after expiry: %d %s", r.status, r.body)
		}
	})
}

func TestRequiredHeaders(t *testing.T) {
	s := NewServer()
	defer s.Close()
	body := authorizeJSON("PREPMNT", "", "10.00", "Doe")
	body = strings.Replace(body, `"partnerReference": "",`, "", 1)
	tests := []struct {
		name     string
		method   string
		opt      reqOpt
		property string
		code     string
	}{
		{"no Content-Type", http.MethodPost, withoutHeader("Content-Type"), "Content-Type", "required"},
		{"text/plain", http.MethodPost, withHeader("Content-Type", "text/plain"), "Content-Type", "invalid_value"},
		{"no Accept-Language", http.MethodPost, withoutHeader("Accept-Language"), "Accept-Language", "required"},
		{"Accept-Language de-DE", http.MethodPost, withHeader("Accept-Language", "de-DE"), "Accept-Language", "invalid_value"},
		{"no Origin", http.MethodPost, withoutHeader("Origin"), "Origin", "required"},
		{"no User-Agent", http.MethodPost, withHeader("User-Agent", ""), "User-Agent", "required"},
		{"GET without Origin", http.MethodGet, withoutHeader("Origin"), "Origin", "required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.method == http.MethodGet {
				r = call(t, s, http.MethodGet, PathStatus+"x", "", tc.opt)
			} else {
				r = call(t, s, http.MethodPost, PathAuthorize, body, tc.opt)
			}
			if r.status != 400 || !hasErrorProperty(t, r.body, tc.property, tc.code) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
	t.Run("Content-Type with charset is fine", func(t *testing.T) {
		r := call(t, s, http.MethodPost, PathAuthorize, body, withHeader("Content-Type", "application/json; charset=utf-8"))
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	if n := len(s.Operations()); n != 1 {
		t.Errorf("%d operations, want 1", n)
	}
}

func TestAmountValidation(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		amount string
		ok     bool
		code   string
	}{
		{"49.99", true, ""},
		{"0.01", true, ""},
		{"123456789012345678.99", true, ""},
		{`"49.99"`, false, codeInvalidType},
		{"49.9", false, codeInvalidFormat},
		{"49", false, codeInvalidFormat},
		{"49.999", false, codeInvalidFormat},
		{"4.999e1", false, codeInvalidFormat},
		{"-1.00", false, codeInvalidFormat},
		{"1234567890123456789.00", false, codeInvalidFormat},
		{"0.00", false, codeOutOfBounds},
		{"null", false, codeRequired},
	}
	for i, tc := range tests {
		t.Run(tc.amount, func(t *testing.T) {
			r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", fmt.Sprintf("amt-%d", i), tc.amount, "Doe"))
			if tc.ok {
				if r.status != 201 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				if !strings.Contains(string(r.body), `"amount":`+tc.amount+",") {
					t.Errorf("amount not echoed verbatim as a number: %s", r.body)
				}
				return
			}
			if r.status != 400 || !hasErrorProperty(t, r.body, "payment.amount", tc.code) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
	t.Run("modifiedAmount as a string", func(t *testing.T) {
		id := authorize(t, s, "PAYINVC", "amt-mod", "10.00")
		body := strings.Replace(modBody(id, "m1", "5.00", "x"), "5.00", `"5.00"`, 1)
		r := call(t, s, http.MethodPost, PathCapture, body)
		if r.status != 400 || !hasErrorProperty(t, r.body, "modifiedAmount.amount", codeInvalidType) {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
	t.Run("split destination amount", func(t *testing.T) {
		body := strings.TrimSuffix(strings.TrimSpace(authorizeJSON("PAYINVC", "amt-split", "10.00", "Doe")), "}") +
			`, "paymentSplit": {"paymentSplitDestinations": [{"destinationReference": "d", "amount": 10, "currencyCode": "EUR", "description": "x"}]}}`
		r := call(t, s, http.MethodPost, PathAuthorize, body)
		if r.status != 400 || !hasErrorProperty(t, r.body, "paymentSplit.paymentSplitDestinations[0].amount", codeInvalidFormat) {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
}

func TestAuthorizeValidation(t *testing.T) {
	s := NewServer()
	defer s.Close()
	base := authorizeJSON("PREPMNT", "val-ok", "10.00", "Doe")
	tests := []struct {
		name     string
		body     string
		property string
		code     string
	}{
		{"consumer and businessConsumer", strings.Replace(base, `"consumer":`, `"businessConsumer": {"companyName": "ACME"}, "consumer":`, 1), "consumer", codeMutuallyExclusive},
		{"neither consumer nor businessConsumer", strings.Replace(base, `"consumer":`, `"nobody":`, 1), "consumer", codeRequired},
		{"consumer null counts as absent", strings.Replace(base, `"consumer":`, `"businessConsumer": {"companyName": "ACME"}, "consumer": null, "x":`, 1), "", ""},
		{"partnerReference with a space", strings.Replace(base, `"val-ok"`, `"val ok"`, 1), "partnerReference", codeInvalidFormat},
		{"partnerReference of 65 characters", strings.Replace(base, `"val-ok"`, `"`+strings.Repeat("a", 65)+`"`, 1), "partnerReference", codeMaxLength},
		{"alpha-2 country", strings.Replace(base, `"DEU"`, `"DE"`, 1), "billingAddress.countryCode", codeInvalidFormat},
		{"USA without state", strings.Replace(base, `"DEU"`, `"USA"`, 1), "billingAddress.state", codeRequired},
		{"unknown invoice type", strings.Replace(base, `"PREPMNT"`, `"CARDS"`, 1), "paymentOption.invoicePayment.type", codeInvalidValue},
		{"no paymentOption", strings.Replace(base, `"paymentOption"`, `"paymentOptionX"`, 1), "paymentOption", codeRequired},
		{"lower-case currency", strings.Replace(base, `"EUR"`, `"eur"`, 1), "payment.currencyCode", codeInvalidFormat},
		{"currency as a number", strings.Replace(base, `"EUR"`, `978`, 1), "payment.currencyCode", codeInvalidType},
		{"no description", strings.Replace(base, `"SMP-Transaction-01"`, `""`, 1), "payment.description", codeRequired},
		{"no billingAddress", strings.Replace(base, `"billingAddress"`, `"billingAddressX"`, 1), "billingAddress", codeRequired},
		{"not JSON", "{nope", "", codeInvalidJSON},
		{"lastName as a number", strings.Replace(base, `"lastName": "Doe"`, `"lastName": 7`, 1), "consumer.lastName", codeInvalidType},
		{"consumer as a string", strings.Replace(base, `"consumer": {`, `"consumer": "x", "y": {`, 1), "consumer", codeInvalidType},
		{"businessConsumer as an array", strings.Replace(base, `"consumer": {`, `"businessConsumer": [], "y": {`, 1), "businessConsumer", codeInvalidType},
		{"trailing data", base + "{}", "", codeInvalidJSON},
		{"dateOfBirth before 1900", strings.Replace(base, `"firstName"`, `"dateOfBirth": "1899-12-31", "firstName"`, 1), "consumer.dateOfBirth", codeInvalidFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, http.MethodPost, PathAuthorize, tc.body)
			if tc.code == "" {
				if r.status != 201 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				s.Reset()
				return
			}
			if r.status != 400 || !hasErrorProperty(t, r.body, tc.property, tc.code) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
	if n := len(s.Operations()); n != 0 {
		t.Errorf("rejected requests were executed: %+v", s.Operations())
	}
}

func TestPartnerReferenceUniquePerMerchant(t *testing.T) {
	s := NewServer(WithMerchant("merchant-2", "secret-2"))
	defer s.Close()
	authorize(t, s, "PREPMNT", "dup-1", "10.00")
	// The documents show no code for the rule (seed 004 l.45): none by default.
	r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PREPMNT", "dup-1", "10.00", "Doe"))
	if r.status != 400 || !hasErrorProperty(t, r.body, "partnerReference", "") {
		t.Fatalf("duplicate accepted: %d %s", r.status, r.body)
	}
	r = call(t, s, http.MethodPost, PathCreation, fmt.Sprintf(creationBody, DefaultMerchantKey, "dup-1", "10.00"))
	if r.status != 400 || !hasErrorProperty(t, r.body, "partnerReference", "") {
		t.Fatalf("duplicate checkout accepted: %d %s", r.status, r.body)
	}
	authorize(t, s, "PREPMNT", "dup-1", "10.00", withBasic("merchant-2", "secret-2"))
	if n := len(s.Operations()); n != 2 {
		t.Errorf("%d operations, want 2", n)
	}
}

func TestDeclinedAuthorization(t *testing.T) {
	s := NewServer()
	defer s.Close()
	r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "decl-1", "10.00", "declined"))
	if r.status != 400 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	requireShape(t, "decline", r.body, readDoc(t, "error_mod1.json"), false)
	m := decode(t, r.body)
	if m["error"] != "payment_provider_processing" || str(m, "errorDetails", "paymentProviderDescription") != "Declined" {
		t.Errorf("decline body %s", r.body)
	}
	ps, ok := s.PaymentByReference("decl-1")
	if !ok || ps.Status != StatusFailed {
		t.Fatalf("PaymentByReference = %+v, %v", ps, ok)
	}
	st := status(t, s, ps.TransactionID)
	if str(st, "paymentStatus") != StatusFailed || str(st, "transactionOverview", "acquirerResponse") != "Declined" {
		t.Errorf("status of declined payment: %v", st)
	}
	r = call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "decl-1", "10.00", "Doe"))
	if r.status != 400 || !hasErrorProperty(t, r.body, "partnerReference", "") {
		t.Errorf("reference of a failed payment reusable: %d %s", r.status, r.body)
	}
}

func TestRoutes(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/payment/authorize", 404},
		{http.MethodGet, PathAuthorize, 405},
		{http.MethodPost, "/payment/status/abc", 405},
		{http.MethodGet, "/payment/status/", 404},
		{http.MethodGet, "/payment/status/a/b", 404},
		{http.MethodGet, "/payment/status/" + strings.Repeat("a", 37), 404},
		{http.MethodGet, "/nothing", 404},
		{http.MethodGet, PathCapture, 405},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			body := ""
			if tc.method == http.MethodPost {
				body = "{}"
			}
			r := call(t, s, tc.method, tc.path, body)
			if r.status != tc.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
			decode(t, r.body)
		})
	}
}

func TestFailedAuthorization(t *testing.T) {
	s := NewServer()
	defer s.Close()
	r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "fail-1", "10.00", "failed"))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := decode(t, r.body)
	id := str(m, "transactionOverview", "transactionId")
	if str(m, "paymentStatus") != StatusFailed || str(m, "transactionOverview", "acquirerResponse") != "Declined" || id == "" {
		t.Fatalf("failed authorization body %s", r.body)
	}
	if _, ok := m["transactionReference"]; ok {
		t.Errorf("a failed invoice carries a transactionReference: %s", r.body)
	}
	st := status(t, s, id)
	if str(st, "paymentStatus") != StatusFailed {
		t.Errorf("status of failed payment: %v", st)
	}
	if ops := s.Operations(); len(ops) != 1 || ops[0].Result != StatusFailed {
		t.Errorf("operations %+v", ops)
	}
}
