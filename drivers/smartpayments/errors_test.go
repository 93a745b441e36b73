package smartpayments

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// documentedCodes is the document's dictionary "Transaction Error codes",
// all 19 rows, with the class and reason each must map to.
var documentedCodes = []struct {
	code   string
	class  payments.Code
	reason payments.DeclineReason
}{
	{"PROCESSING_ERROR", payments.Declined, payments.DeclineGeneric},
	{"AUTHENTICATION_PROCESSING_ERROR", payments.Declined, payments.DeclineAuthenticationFailed},
	{"DO_NOT_HONOUR_PROCESSING_ERROR", payments.Declined, payments.DeclineSuspectedFraud},
	{"EMITTER_DENIAL_PROCESSING_ERROR", payments.Declined, payments.DeclineDoNotHonour},
	// An abandoned form: no decline (the payment is Expired), not cascadable.
	{"FORM_TIMEOUT_PROCESSING_ERROR", payments.InvalidState, payments.DeclineGeneric},
	{"INSUFFICIENT_FUNDS_PROCESSING_ERROR", payments.Declined, payments.DeclineInsufficientFunds},
	{"LIMIT_PROCESSING_ERROR", payments.Declined, payments.DeclineLimitExceeded},
	{"PROCESSOR_DENIAL_PROCESSING_ERROR", payments.Declined, payments.DeclineGeneric},
	{"3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR", payments.Declined, payments.DeclineAuthenticationFailed},
	{"3DS_TIMEOUT_PROCESSING_ERROR", payments.Declined, payments.DeclineAuthenticationFailed},
	{"TECHNICAL_PROCESSING_ERROR", payments.Declined, payments.DeclineGeneric},
	{"VALIDATION_PROCESSING_ERROR", payments.InvalidRequest, payments.DeclineGeneric},
	{"PLATFORM_ERROR_DUPLICATED_ORDER_ID", payments.Duplicate, payments.DeclineGeneric},
	{"PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED", payments.Unsupported, payments.DeclineGeneric},
	{"PLATFORM_ERROR_GATE_NOT_FOUND", payments.Unsupported, payments.DeclineGeneric},
	{"PLATFORM_ORDER_BILLING_ERROR", payments.Declined, payments.DeclineGeneric},
	// "try later" (l.891): slow down, not a hard decline.
	{"CARD_TIME_LIMIT_PROCESSING_ERROR", payments.RateLimited, payments.DeclineGeneric},
	{"3DS Redirect Timeout", payments.Declined, payments.DeclineAuthenticationFailed},
	{"3DS_CANCEL_PROCESSING_ERROR", payments.Declined, payments.DeclineAuthenticationFailed},
}

// cascadeCategories appear only in the /check example's cascadeErrors.
var cascadeCategories = []struct {
	code   string
	class  payments.Code
	reason payments.DeclineReason
}{
	{"PLATFORM_ERROR_ANTIFRAUD_RULES", payments.Declined, payments.DeclineSuspectedFraud},
	{"PLATFORM_ERROR_GATE_SKIPPED", payments.Unsupported, payments.DeclineGeneric},
	{"PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE", payments.Unsupported, payments.DeclineGeneric},
}

func TestErrorTableCoversTheDocument(t *testing.T) {
	require.Len(t, documentedCodes, 19)
	assert.Len(t, transactionErrors, len(documentedCodes)+len(cascadeCategories), "no row beyond the document's")
	for _, tt := range append(documentedCodes, cascadeCategories...) {
		t.Run(tt.code, func(t *testing.T) {
			info, ok := transactionErrors[tt.code]
			require.True(t, ok, "not mapped")
			assert.NotEmpty(t, info.Description)
			assert.Equal(t, tt.class, info.Code)
			assert.Equal(t, tt.reason, info.Reason)

			d := decline(tt.code, "", nil)
			assert.Equal(t, tt.reason, d.Reason)
			assert.Equal(t, tt.code, d.Code)
			assert.Equal(t, info.Description, d.Message)
			p := &payments.Payment{}
			_ = failed(p, "authorize", tt.code, "", nil)
			if info.Expired {
				assert.Equal(t, payments.StatusExpired, p.Status)
				assert.Nil(t, p.Decline, "an abandoned form is no decline")
			} else {
				assert.Equal(t, payments.StatusFailed, p.Status)
				assert.Equal(t, d, p.Decline)
			}

			e := transactionError("authorize", d, nil)
			assert.True(t, errors.Is(e, tt.class), "class %s", tt.class)
			assert.Equal(t, tt.code, e.ProviderCode)
			assert.Equal(t, Name, e.Provider)
			if tt.class == payments.Declined {
				require.NotNil(t, e.Decline)
				assert.Equal(t, tt.reason, e.Decline.Reason)
			} else {
				assert.Nil(t, e.Decline)
			}
		})
	}
}

// Routers cascade on these: the soft declines, the routing failures and
// the card time limit ("try later" elsewhere too). An abandoned form
// (FORM_TIMEOUT) does not cascade. Only the card time limit is retryable.
func TestErrorTableCascade(t *testing.T) {
	cascades := map[string]bool{
		"PROCESSING_ERROR": true, "EMITTER_DENIAL_PROCESSING_ERROR": true, "CARD_TIME_LIMIT_PROCESSING_ERROR": true,
		"PROCESSOR_DENIAL_PROCESSING_ERROR": true, "TECHNICAL_PROCESSING_ERROR": true, "PLATFORM_ORDER_BILLING_ERROR": true,
		"PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED": true, "PLATFORM_ERROR_GATE_NOT_FOUND": true,
		"PLATFORM_ERROR_GATE_SKIPPED": true, "PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE": true,
	}
	for code := range transactionErrors {
		e := transactionError("authorize", decline(code, "", nil), nil)
		assert.Equal(t, cascades[code], payments.CanCascade(e), code)
		assert.Equal(t, code == "CARD_TIME_LIMIT_PROCESSING_ERROR", payments.Retryable(e), code)
	}
}

func TestDeclineUnknownCodeKeepsRawText(t *testing.T) {
	d := decline("SOMETHING_NEW_PROCESSING_ERROR", "the bank said no", nil)
	assert.Equal(t, payments.DeclineGeneric, d.Reason)
	assert.Equal(t, "SOMETHING_NEW_PROCESSING_ERROR", d.Code)
	assert.Equal(t, "the bank said no", d.Message)
	e := transactionError("authorize", d, nil)
	assert.True(t, errors.Is(e, payments.ErrDeclined))
	assert.Contains(t, e.Error(), "SOMETHING_NEW_PROCESSING_ERROR")

	// Case and spaces are tolerated; the raw text is kept.
	d = decline(" insufficient_funds_processing_error ", "", nil)
	assert.Equal(t, payments.DeclineInsufficientFunds, d.Reason)
	assert.Equal(t, "insufficient_funds_processing_error", d.Code)

	// No code at all: a generic decline.
	d = decline("", "", nil)
	assert.Equal(t, payments.DeclineGeneric, d.Reason)
	assert.Contains(t, transactionError("capture", d, nil).Error(), "transaction failed")
}

func TestDeclineMessageMasksCardNumbers(t *testing.T) {
	d := decline("EMITTER_DENIAL_PROCESSING_ERROR", "card 4012000000003010 refused", nil)
	assert.NotContains(t, d.Message, "4012000000003010")
	assert.Contains(t, d.Message, "401200******3010")
}

func TestHTTPError(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		safety  httpx.Safety
		want    payments.Code
		code    string
		reason  payments.DeclineReason
		message string
	}{
		{"bad credentials", 401, `{"timestamp":"2024-01-01T00:00:00.000+00:00","status":401,"error":"Unauthorized","path":"/check"}`, httpx.Query, payments.Authentication, "", "", "Unauthorized"},
		{"forbidden", 403, ``, httpx.MoneyMoving, payments.Authentication, "", "", "HTTP 403"},
		{"duplicate order", 400, `{"status":-1,"order_id":"o-1","err":"PLATFORM_ERROR_DUPLICATED_ORDER_ID","msg":"error related to the fact that the ID that is sent is already in the system."}`, httpx.MoneyMoving, payments.Duplicate, "PLATFORM_ERROR_DUPLICATED_ORDER_ID", "", "already in the system"},
		{"declined in a 4xx", 400, `{"status":-1,"err":"INSUFFICIENT_FUNDS_PROCESSING_ERROR"}`, httpx.MoneyMoving, payments.Declined, "INSUFFICIENT_FUNDS_PROCESSING_ERROR", payments.DeclineInsufficientFunds, "Insufficient funds"},
		{"unknown order", 404, `{"status":-1,"order_id":"x","err":"ORDER_NOT_FOUND","msg":"Order x not found"}`, httpx.Query, payments.NotFound, "ORDER_NOT_FOUND", "", "Order x not found"},
		{"wrong state", 400, `{"status":-1,"err":"INVALID_ORDER_STATE","msg":"not authorized"}`, httpx.MoneyMoving, payments.InvalidState, "INVALID_ORDER_STATE", "", "not authorized"},
		{"amount above captured", 400, `{"success":false,"message":"too much","refund_id":null,"parentTransaction":null,"err":"INVALID_AMOUNT"}`, httpx.MoneyMoving, payments.InvalidState, "INVALID_AMOUNT", "", "too much"},
		{"validation", 400, `{"status":-1,"err":"customer_email is required","msg":"Request validation failed"}`, httpx.MoneyMoving, payments.InvalidRequest, "customer_email is required", "", "customer_email is required"},
		{"404 without body", 404, `<html>not found</html>`, httpx.Query, payments.NotFound, "", "", "HTTP 404"},
		{"conflict", 409, `{}`, httpx.MoneyMoving, payments.InvalidState, "", "", "HTTP 409"},
		{"other 4xx", 422, `{"err":"WHATEVER"}`, httpx.MoneyMoving, payments.InvalidRequest, "WHATEVER", "", "WHATEVER"},
		{"redirect on a payment", 302, ``, httpx.MoneyMoving, payments.OutcomeUnknown, "", "", "reconcile"},
		{"redirect on a query", 302, ``, httpx.Query, payments.Unavailable, "", "", "HTTP 302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := httpError("op", tt.safety, &httpx.Response{StatusCode: tt.status, Body: []byte(tt.body), Header: http.Header{}})
			assert.Equal(t, tt.want, e.Code)
			assert.Equal(t, tt.code, e.ProviderCode)
			assert.Equal(t, tt.status, e.HTTPStatus)
			assert.Equal(t, Name, e.Provider)
			assert.Contains(t, e.Error(), tt.message)
			if tt.reason != "" {
				require.NotNil(t, e.Decline)
				assert.Equal(t, tt.reason, e.Decline.Reason)
			}
		})
	}
}

func TestRefusal(t *testing.T) {
	assert.Equal(t, payments.Duplicate, refusal("op", "PLATFORM_ERROR_DUPLICATED_ORDER_ID", "", 200).Code)
	assert.Equal(t, payments.NotFound, refusal("op", "ORDER_NOT_FOUND", "", 200).Code)
	e := refusal("op", "BRAND_NEW", "text", 200)
	assert.Equal(t, payments.InvalidRequest, e.Code)
	assert.Contains(t, e.Error(), "BRAND_NEW: text")
	e = refusal("op", "LIMIT_PROCESSING_ERROR", "", 200)
	assert.Equal(t, payments.Declined, e.Code)
	assert.Equal(t, payments.DeclineLimitExceeded, e.Decline.Reason)
}

// The document's failure example (seed 000_2d15c756a78f42ef.txt l.360-374):
// errorMessage PLATFORM_ERROR_GATE_NOT_FOUND (cascadable on its own), gate
// 0 PLATFORM_ERROR_ANTIFRAUD_RULES (a hard decline): the result is hard.
func TestClassifyHardGateWins(t *testing.T) {
	var w checkResponse
	require.NoError(t, json.Unmarshal([]byte(`{"cascadeErrors": [
    {
      "gatePriority": 0,
      "errorCategory": "PLATFORM_ERROR_ANTIFRAUD_RULES"
    },
    {
      "gatePriority": 1,
      "errorCategory": "PLATFORM_ERROR_GATE_SKIPPED"
    },
    {
      "gatePriority": 2,
      "errorCategory": "PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE"
    }
  ]}`), &w))
	soft := cascadeErrors{w.CascadeErrors[1], w.CascadeErrors[2]}
	tests := []struct {
		name     string
		code     string
		cascade  cascadeErrors
		class    payments.Code
		reason   payments.DeclineReason
		cascades bool
	}{
		{"doc example", "PLATFORM_ERROR_GATE_NOT_FOUND", w.CascadeErrors, payments.Declined, payments.DeclineSuspectedFraud, false},
		{"no gate", "PLATFORM_ERROR_GATE_NOT_FOUND", nil, payments.Unsupported, payments.DeclineGeneric, true},
		{"only soft gates", "PLATFORM_ERROR_GATE_NOT_FOUND", soft, payments.Unsupported, payments.DeclineGeneric, true},
		{"soft decline, hard gate", "EMITTER_DENIAL_PROCESSING_ERROR", w.CascadeErrors, payments.Declined, payments.DeclineSuspectedFraud, false},
		{"try later, hard gate", "CARD_TIME_LIMIT_PROCESSING_ERROR", w.CascadeErrors, payments.Declined, payments.DeclineSuspectedFraud, false},
		{"hard code kept", "INSUFFICIENT_FUNDS_PROCESSING_ERROR", w.CascadeErrors, payments.Declined, payments.DeclineInsufficientFunds, false},
		{"abandoned form kept", "FORM_TIMEOUT_PROCESSING_ERROR", w.CascadeErrors, payments.InvalidState, payments.DeclineGeneric, false},
		{"unknown code, hard gate", "SOMETHING_NEW", w.CascadeErrors, payments.Declined, payments.DeclineSuspectedFraud, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decline(tt.code, "", tt.cascade)
			assert.Equal(t, tt.reason, d.Reason)
			assert.Equal(t, tt.code, d.Code, "the transaction's own code is kept")
			e := transactionError("authorize", d, tt.cascade)
			assert.True(t, errors.Is(e, tt.class), "class %s, got %s", tt.class, e.Code)
			assert.Equal(t, tt.cascades, payments.CanCascade(e))
		})
	}
}
