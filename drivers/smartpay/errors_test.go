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
	ops := []string{opAuthorize, opCreation, opStatus, opCapture, opCancel, opRefund, opCancelOrRefund}
	for code, row := range errorTable {
		if row.Doc == "" {
			t.Errorf("%s: no Doc", code)
		}
		for _, op := range ops {
			body := mod2(code, "someField")
			status := 400
			switch code {
			case "unauthorized":
				status = 401
			case "forbidden":
				status = 403
			case "not_found":
				status = 404
			}
			e := apiError(op, &httpx.Response{StatusCode: status, Body: body})
			want := row.Code
			if e.Code != want {
				t.Errorf("%s on %s: %s, want %s", code, op, e.Code, want)
			}
			if e.ProviderCode != code {
				t.Errorf("%s on %s: ProviderCode %q", code, op, e.ProviderCode)
			}
			if e.Provider != Name || e.HTTPStatus != status {
				t.Errorf("%s on %s: Provider %q HTTPStatus %d", code, op, e.Provider, e.HTTPStatus)
			}
			if e.RequestID == "" {
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
		{"duplicate partnerReference without a code", opAuthorize, 400, mod2("", "partnerReference"), payments.Duplicate, "reference"},
		{"duplicate partnerReference, another code", opCreation, 400, mod2("whatever_the_provider_says", "partnerReference"), payments.Duplicate, "reference"},
		{"partnerReference on a modification is no duplicate", opCapture, 400, mod2("", "partnerReference"), payments.InvalidRequest, "reference"},
		{"reused modificationId", opCapture, 400, mod2("not_unique", "modificationId"), payments.InvalidRequest, "idempotency_key"},
		{"gateway error on a cancel", opCancel, 400, mod1("gateway_processing"), payments.InvalidRequest, ""},
		{"provider error on a refund", opRefund, 400, mod1("payment_provider_processing"), payments.InvalidRequest, ""},
		{"provider error on authorize", opAuthorize, 400, mod1("payment_provider_processing"), payments.InvalidRequest, ""},
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

// gateway_processing and payment_provider_processing say at which level
// of processing an error appeared (seed 003_6c7386b3129bc046.txt
// l.196-200, seed 004_63b579a9eeecc4a0.txt l.311-316), not that the buyer
// was declined: the HTTP status's class, neither retryable nor cascadable.
// The body is seed 004's MOD1 example (l.517-525) with the documented
// values put in "error".
func TestProcessingLevelIsNotADecline(t *testing.T) {
	for _, kind := range []string{"payment_provider_processing", "gateway_processing"} {
		body := []byte(`{
"error": "` + kind + `",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`)
		for _, op := range []string{opAuthorize, opCreation, opCapture, opCancel, opRefund, opCancelOrRefund} {
			e := apiError(op, &httpx.Response{StatusCode: 400, Body: body})
			if e.Code != payments.InvalidRequest || e.Decline != nil || e.ProviderCode != kind {
				t.Errorf("%s %s: %+v, want InvalidRequest without a Decline", op, kind, e)
			}
			if payments.CanCascade(e) || payments.Retryable(e) {
				t.Errorf("%s %s: cascadable %v, retryable %v", op, kind, payments.CanCascade(e), payments.Retryable(e))
			}
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
	if e.Code != payments.InvalidRequest || !strings.Contains(e.Message, `"text":"no"`) {
		t.Errorf("%+v", e)
	}
}
