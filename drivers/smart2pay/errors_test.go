package smart2pay

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// documentedErrorCodes is every return code GlobalPay documents (PROVIDERS.md
// section 2): the alternative-methods API's list and the direct card API's,
// with the error class (and decline reason) the driver must report.
var documentedErrorCodes = []struct {
	code    string
	class   payments.Code
	decline payments.DeclineReason
}{
	{"0", payments.InvalidRequest, ""},
	{"1", payments.InvalidRequest, ""},
	{"2", payments.InvalidRequest, ""},
	{"3", payments.Authentication, ""},
	{"4", payments.Authentication, ""},
	{"5", payments.InvalidRequest, ""},
	{"6", payments.Authentication, ""},
	{"7", payments.Authentication, ""},
	{"9", payments.Unsupported, ""},
	{"10", "", ""}, // card API: OK
	{"11", payments.InvalidState, ""},
	{"14", payments.InvalidRequest, ""}, // on a 4xx: "you did something wrong" (seed 002_c6b29c27df04218d.txt l.167)
	{"15", payments.InvalidRequest, ""},
	{"16", payments.Unavailable, ""},
	{"17", payments.NotFound, ""}, // InvalidState when the payment exists; see TestCode17
	{"18", payments.InvalidState, ""},
	{"19", payments.InvalidRequest, ""},
	{"20", payments.Duplicate, ""},
	{"21", payments.InvalidState, ""},
	{"22", payments.InvalidState, ""},
	{"23", payments.InvalidState, ""},
	{"100", payments.InvalidRequest, ""},
	{"118", payments.InvalidRequest, ""},
	{"119", payments.Declined, payments.DeclineInsufficientFunds},
	{"121", payments.Declined, payments.DeclineGeneric},
	{"122", payments.InvalidState, ""},
	{"125", payments.Unavailable, ""},
	{"2206", payments.InvalidState, ""},
	{"2207", payments.InvalidState, ""},
	{"2208", payments.Unsupported, ""},
}

func resp400(body string) *httpx.Response {
	return &httpx.Response{StatusCode: 400, Body: []byte(body)}
}

func TestCodeTableWalk(t *testing.T) {
	if len(documentedErrorCodes) != len(codeTable) {
		t.Errorf("%d documented codes, %d in the table", len(documentedErrorCodes), len(codeTable))
	}
	for _, d := range documentedErrorCodes {
		e, ok := codeTable[d.code]
		if !ok {
			t.Errorf("code %s is not in the table", d.code)
			continue
		}
		if e.Code != d.class || e.Decline != d.decline {
			t.Errorf("code %s (%s) → %s/%s, want %s/%s", d.code, e.Name, e.Code, e.Decline, d.class, d.decline)
		}
		if name, class, ok := LookupCode(d.code); !ok || name == "" || class != d.class {
			t.Errorf("LookupCode(%s) = %q %s %v", d.code, name, class, ok)
		}
		if d.class == "" {
			continue
		}
		// As a number and as a string, the way the document prints both,
		// in a payment answer that shows no existing payment.
		for _, lit := range []string{d.code, `"` + d.code + `"`} {
			body := fmt.Sprintf(`{"Payment":{"ID":null,"Created":null,"Status":{"ID":null,"Info":null,"Reasons":[{"Code":%s,"Info":"text %s"}]}}}`, lit, d.code)
			ae := errorFromResponse("op", httpx.MoneyMoving, resp400(body))
			e := ae.err
			if e.Code != d.class || e.ProviderCode != d.code || e.HTTPStatus != 400 || e.Provider != Name || !strings.Contains(e.Message, "text "+d.code) {
				t.Errorf("code %s: %#v", lit, e)
			}
			if d.class == payments.Declined && (e.Decline == nil || e.Decline.Reason != d.decline || e.Decline.Code != d.code) {
				t.Errorf("code %s: decline %+v", d.code, e.Decline)
			}
			if !errors.Is(e, d.class) {
				t.Errorf("code %s: errors.Is(%s) false", d.code, d.class)
			}
		}
	}
}

func TestCode17(t *testing.T) {
	// The document's capture refusal: the payment exists (Status.ID 2).
	exists := `{"Payment":{"ID":2429754,"Created":"20160316100249","Status":{"ID":2,"Info":"Success","Reasons":[{"Code":17,"Info":"Payment is invalid - 2429754"}]}}}`
	if e := errorFromResponse("capture", httpx.MoneyMoving, resp400(exists)).err; e.Code != payments.InvalidState {
		t.Errorf("existing payment: %s", e.Code)
	}
	unknown := `{"Payment":{"ID":99,"Created":null,"Status":{"ID":null,"Info":null,"Reasons":[{"Code":17,"Info":"Payment is invalid - 99"}]}}}`
	if e := errorFromResponse("capture", httpx.MoneyMoving, resp400(unknown)).err; e.Code != payments.NotFound {
		t.Errorf("unknown payment: %s", e.Code)
	}
	refund := `{"Refund":{"ID":null,"Status":{"ID":null,"Info":null,"Reasons":[{"Code":17,"Info":"Payment is invalid - 99"}]}}}`
	e := errorFromResponse("refund", httpx.MoneyMoving, resp400(refund)).err
	if e.Code != payments.NotFound {
		t.Errorf("refund of an unknown payment: %s", e.Code)
	}
	if paymentExists(e).Code != payments.InvalidState {
		t.Errorf("paymentExists did not correct 17")
	}
}

func TestErrorFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		safety httpx.Safety
		want   payments.Code
		pcode  string
	}{
		{"401 filter", 401, `{"Message":"Authorization has been denied for this request."}`, httpx.MoneyMoving, payments.Authentication, ""},
		{"403", 403, ``, httpx.Query, payments.Authentication, ""},
		{"404 html", 404, `<html>not found</html>`, httpx.Query, payments.NotFound, ""},
		{"409", 409, `{}`, httpx.Query, payments.InvalidState, ""},
		{"undocumented code", 400, `{"Payment":{"Status":{"Reasons":[{"Code":"9999","Info":"new"}]}}}`, httpx.MoneyMoving, payments.InvalidRequest, "9999"},
		{"OK code only", 400, `{"Payment":{"Status":{"Reasons":[{"Code":10,"Info":"OK"}]}}}`, httpx.MoneyMoving, payments.InvalidRequest, "10"},
		{"first documented code wins", 400, `{"Payment":{"Status":{"Reasons":[{"Code":"x"},{"Code":20,"Info":"dup"},{"Code":2}]}}}`, httpx.MoneyMoving, payments.Duplicate, "20"},
		{"null code", 400, `{"Payment":{"Status":{"Reasons":[{"Code":null,"Info":null}]}}}`, httpx.MoneyMoving, payments.InvalidRequest, ""},
		{"redirect money", 302, ``, httpx.MoneyMoving, payments.OutcomeUnknown, ""},
		{"redirect query", 302, ``, httpx.Query, payments.Integrity, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := errorFromResponse("op", tc.safety, &httpx.Response{StatusCode: tc.status, Body: []byte(tc.body)}).err
			if e.Code != tc.want || e.ProviderCode != tc.pcode || e.HTTPStatus != tc.status {
				t.Errorf("%#v", e)
			}
		})
	}
}

func TestInvalidRequestIDKept(t *testing.T) {
	body := `{"Payment":{"InvalidRequestID":"i3065","ID":null,"Status":{"ID":null,"Info":null,"Reasons":[{"Code":"20","Info":"Key is duplicated"}]}}}`
	e := errorFromResponse("authorize", httpx.MoneyMoving, resp400(body)).err
	if e.RequestID != "i3065" || !strings.Contains(e.Error(), "request i3065") {
		t.Errorf("%v", e)
	}
}

func TestDeclineFromReasons(t *testing.T) {
	if d := declineFromReasons(nil); d.Reason != payments.DeclineGeneric || d.Code != "" {
		t.Errorf("no reasons: %+v", d)
	}
	d := declineFromReasons([]wireReason{{Code: "2", Info: ptr("x")}, {Code: "119", Info: ptr("balance")}})
	if d.Reason != payments.DeclineInsufficientFunds || d.Code != "119" || d.Message != "balance" {
		t.Errorf("119: %+v", d)
	}
	d = declineFromReasons([]wireReason{{Code: "15", Info: ptr("unable to process")}})
	if d.Reason != payments.DeclineGeneric || d.Code != "15" {
		t.Errorf("15: %+v", d)
	}
	if !payments.DeclineGeneric.Soft() || payments.DeclineInsufficientFunds.Soft() {
		t.Error("soft/hard declines changed")
	}
}

func ptr(s string) *string { return &s }
