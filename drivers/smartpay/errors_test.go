package smartpay

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

func mod2(code, property string) []byte {
	b, _ := json.Marshal(map[string]any{
		"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
		"errors":  []map[string]any{{"message": "msg for " + code, "code": code, "property": property}},
	})
	return b
}

func mod1(kind string) []byte {
	b, _ := json.Marshal(map[string]any{
		"error": kind,
		"errorDetails": map[string]any{
			"context": map[string]any{}, "gatewayDescription": "gateway says no",
			"paymentProviderDescription": "Card reported stolen",
		},
		"message": "The payment could not be authorized.",
	})
	return b
}

// Every code of the table, in the shape it comes in, on every operation.
func TestErrorTableWalk(t *testing.T) {
	if len(errorTable) == 0 {
		t.Fatal("empty table")
	}
	mod1Codes := map[string]bool{"gateway_processing": true, "payment_provider_processing": true}
	ops := []string{opAuthorize, opCreation, opStatus, opCapture, opCancel, opRefund, opCancelOrRefund}
	for code, row := range errorTable {
		if row.Doc == "" {
			t.Errorf("%s: no Doc", code)
		}
		for _, op := range ops {
			var body []byte
			if mod1Codes[code] {
				body = mod1(code)
			} else {
				body = mod2(code, "someField")
			}
			status := 400
			switch code {
			case "unauthorized":
				status = 401
			case "forbidden":
				status = 403
			case "not_found":
				status = 404
			case "method_not_allowed":
				status = 405
			}
			e := apiError(op, &httpx.Response{StatusCode: status, Body: body})
			want := row.Code
			if (op == opAuthorize || op == opCreation) && mod1Codes[code] {
				want = payments.Declined
			}
			if e.Code != want {
				t.Errorf("%s on %s: %s, want %s", code, op, e.Code, want)
			}
			if e.ProviderCode != code {
				t.Errorf("%s on %s: ProviderCode %q", code, op, e.ProviderCode)
			}
			if e.Provider != Name || e.HTTPStatus != status {
				t.Errorf("%s on %s: Provider %q HTTPStatus %d", code, op, e.Provider, e.HTTPStatus)
			}
			if !mod1Codes[code] && e.RequestID == "" {
				t.Errorf("%s on %s: traceId lost", code, op)
			}
		}
	}
}

// The refinements of the table.
func TestErrorRules(t *testing.T) {
	cases := []struct {
		name   string
		op     string
		status int
		body   []byte
		code   payments.Code
		field  string
	}{
		{"capture above the rest", opCapture, 400, mod2("value_out_of_bounds", "modifiedAmount.amount"), payments.InvalidState, "amount"},
		{"refund above the rest", opRefund, 400, mod2("value_out_of_bounds", "modifiedAmount.amount"), payments.InvalidState, "amount"},
		{"amount out of bounds on authorize", opAuthorize, 400, mod2("value_out_of_bounds", "payment.amount"), payments.InvalidRequest, "amount"},
		{"duplicate partnerReference", opAuthorize, 400, mod2("not_unique", "partnerReference"), payments.Duplicate, "reference"},
		{"reused modificationId", opCapture, 400, mod2("not_unique", "modificationId"), payments.InvalidRequest, "idempotency_key"},
		{"state violation", opCancel, 400, mod1("gateway_processing"), payments.InvalidState, ""},
		{"provider refusal of a refund", opRefund, 400, mod1("payment_provider_processing"), payments.Declined, ""},
		{"MOD1 on 401 is authentication", opAuthorize, 401, mod1("gateway_processing"), payments.Authentication, ""},
		{"MOD1 on 404 is not found", opCapture, 404, mod1("payment_provider_processing"), payments.NotFound, ""},
		{"unknown MOD2 code, 400", opStatus, 400, mod2("brand_new", "x"), payments.InvalidRequest, "x"},
		{"unknown MOD2 code, 409", opCapture, 409, mod2("brand_new", ""), payments.InvalidState, ""},
		{"unknown MOD2 code, 403", opCapture, 403, mod2("brand_new", ""), payments.Authentication, ""},
		{"unknown MOD1 kind", opAuthorize, 400, mod1("string"), payments.InvalidRequest, ""},
		{"empty body 404", opStatus, 404, nil, payments.NotFound, ""},
		{"HTML 401", opStatus, 401, []byte("<html>nope</html>"), payments.Authentication, ""},
		{"429", opStatus, 429, []byte(`{}`), payments.RateLimited, ""},
		{"MOD2 without errors", opStatus, 400, []byte(`{"traceId":"t-1","errors":[]}`), payments.InvalidRequest, ""},
		{"header property kept", opStatus, 400, mod2("required", "Accept-Language"), payments.InvalidRequest, "Accept-Language"},
		{"address field", opAuthorize, 400, mod2("required", "billingAddress.postCode"), payments.InvalidRequest, "billing_address.postal_code"},
		{"consumer field", opAuthorize, 400, mod2("max_length", "consumer.lastName"), payments.InvalidRequest, "customer.last_name"},
		{"business email", opAuthorize, 400, mod2("required", "businessConsumer.emailAddress"), payments.InvalidRequest, "customer.email"},
		{"unknown nested field", opAuthorize, 400, mod2("required", "billingAddress.number"), payments.InvalidRequest, "billingAddress.number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := apiError(c.op, &httpx.Response{StatusCode: c.status, Body: c.body})
			if e.Code != c.code {
				t.Errorf("code %s, want %s (%v)", e.Code, c.code, e)
			}
			if e.Field != c.field {
				t.Errorf("field %q, want %q", e.Field, c.field)
			}
			if !errors.Is(e, c.code) {
				t.Errorf("errors.Is(%v, %s) = false", e, c.code)
			}
		})
	}
}

// Decline texts reach the merchant's logs (Decline.Message) but not the
// error's message a careless caller may show the buyer.
func TestDeclineTextsStayOutOfTheMessage(t *testing.T) {
	for _, kind := range []string{"payment_provider_processing", "gateway_processing"} {
		e := apiError(opAuthorize, &httpx.Response{StatusCode: 400, Body: mod1(kind)})
		if e.Code != payments.Declined || e.Decline == nil {
			t.Fatalf("%s: %+v", kind, e)
		}
		if e.Decline.Reason != payments.DeclineGeneric {
			t.Errorf("%s: reason %s, want the neutral generic", kind, e.Decline.Reason)
		}
		if !strings.Contains(e.Decline.Message, "Card reported stolen") || e.Decline.Code != kind {
			t.Errorf("%s: Decline %+v does not keep the provider's text", kind, e.Decline)
		}
		if strings.Contains(e.Error(), "stolen") || strings.Contains(e.Message, "gateway says no") {
			t.Errorf("%s: the provider's reason leaks into the message: %s", kind, e.Error())
		}
		if !payments.CanCascade(e) {
			t.Errorf("%s: a generic decline should be soft", kind)
		}
	}
}

func TestErrorMessagesMaskCardNumbers(t *testing.T) {
	body := []byte(`{"traceId":"t","errors":[{"message":"card 4012000000003010 refused","code":"invalid_value","property":"x"}]}`)
	e := apiError(opAuthorize, &httpx.Response{StatusCode: 400, Body: body})
	if strings.Contains(e.Error(), "4012000000003010") {
		t.Errorf("PAN in error: %s", e.Error())
	}
}

func TestMessageObject(t *testing.T) {
	// "message" is typed "object, oneOf string".
	body := []byte(`{"error":"gateway_processing","errorDetails":{"context":{}},"message":{"text":"no"}}`)
	e := apiError(opCapture, &httpx.Response{StatusCode: 400, Body: body})
	if e.Code != payments.InvalidState || !strings.Contains(e.Message, `"text":"no"`) {
		t.Errorf("%+v", e)
	}
}

func TestDeclineTransactionID(t *testing.T) {
	cases := map[string]string{
		`{"error":"payment_provider_processing","errorDetails":{"context":{"transactionId":"9b02425b-f346-4f16-892b-6716d5ecf9ac"}}}`: "9b02425b-f346-4f16-892b-6716d5ecf9ac",
		`{"error":"payment_provider_processing","errorDetails":{"context":{}}}`:                                                       "",
		`{"error":"x","errorDetails":{"context":{"transactionId":"has space"}}}`:                                                      "",
		`not json`: "",
	}
	for body, want := range cases {
		if got := declineTransactionID([]byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}
