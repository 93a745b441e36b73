package smartpayments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// codeInfo is one transaction error code.
type codeInfo struct {
	// Description is the document's text.
	Description string
	// Code is the error class a money-moving call reports.
	Code payments.Code
	// Reason is the decline reason of the failed payment.
	Reason payments.DeclineReason
	// Expired says the code means the customer's session ran out: the
	// payment is StatusExpired, with no Decline (nobody declined it).
	Expired bool
}

// transactionErrors is THE table of transaction error codes: the 19 rows of
// the document's dictionary ("Transaction Error codes", seed
// 000_2d15c756a78f42ef.txt l.872-893), then the three error categories that
// appear only in the /check failure example's cascadeErrors (l.361-374).
//
// Choices where the document is ambiguous:
//   - DO_NOT_HONOUR_PROCESSING_ERROR is described as "Rejection by anti fraud
//     system" (l.877): the description wins (suspected fraud, a hard decline
//     that a router must not retry elsewhere).
//   - EMITTER_DENIAL_PROCESSING_ERROR, the issuer's refusal without a reason
//     (l.878), is the classic "do not honour" (soft).
//   - FORM_TIMEOUT_PROCESSING_ERROR, "The buyer has not passed the card data
//     entry form" (l.879), is an abandoned form: nobody declined anything and
//     another acquirer would not help, so it is no decline at all. The
//     payment is StatusExpired ("the customer's session expired"), and a
//     call that answers it gets InvalidState: neither retryable nor
//     cascadable.
//   - CARD_TIME_LIMIT_PROCESSING_ERROR, "Limit on Minimum time between card
//     transactions 60 seconds" (l.891), says "too soon, try later": the card
//     is not refused, the platform asks for a pause. That is RateLimited
//     ("the provider asked us to slow down"; nothing was charged: the
//     transaction failed). It is not a hard decline: the same card passes
//     once 60 seconds have gone by. The failed payment's Decline reason is
//     generic for the same reason (limit_exceeded would say the card is
//     refused for good).
//   - The 3-D Secure timeouts and the customer's cancel are failed
//     authentication: retrying elsewhere would bypass it.
//   - The platform's routing failures (no gate, currency exchange not
//     allowed, gate skipped, card brand unavailable) are Unsupported: this
//     account cannot take the payment, another acquirer may. But see
//     classify: a hard decline by any gate of the cascade wins.
//   - The row "3DS Redirect Timeout" is spelled with spaces in the document
//     (l.892); it is kept literally.
var transactionErrors = map[string]codeInfo{
	"PROCESSING_ERROR":                               {"An error that has not fallen under any of the categories", payments.Declined, payments.DeclineGeneric, false},
	"AUTHENTICATION_PROCESSING_ERROR":                {"Authentication error during processing 3DS level", payments.Declined, payments.DeclineAuthenticationFailed, false},
	"DO_NOT_HONOUR_PROCESSING_ERROR":                 {"Rejection by anti fraud system", payments.Declined, payments.DeclineSuspectedFraud, false},
	"EMITTER_DENIAL_PROCESSING_ERROR":                {"Rejection by the issuer", payments.Declined, payments.DeclineDoNotHonour, false},
	"FORM_TIMEOUT_PROCESSING_ERROR":                  {"The buyer has not passed the card data entry form", payments.InvalidState, payments.DeclineGeneric, true},
	"INSUFFICIENT_FUNDS_PROCESSING_ERROR":            {"Insufficient funds on the card", payments.Declined, payments.DeclineInsufficientFunds, false},
	"LIMIT_PROCESSING_ERROR":                         {"limits validating error on the bank side", payments.Declined, payments.DeclineLimitExceeded, false},
	"PROCESSOR_DENIAL_PROCESSING_ERROR":              {"Processing error on the payment gateway side", payments.Declined, payments.DeclineGeneric, false},
	"3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR":          {"The customer has not visited the 3DS page", payments.Declined, payments.DeclineAuthenticationFailed, false},
	"3DS_TIMEOUT_PROCESSING_ERROR":                   {"The customer has not returned from the 3DS processing", payments.Declined, payments.DeclineAuthenticationFailed, false},
	"TECHNICAL_PROCESSING_ERROR":                     {"Technical error on the side of the payment gateway", payments.Declined, payments.DeclineGeneric, false},
	"VALIDATION_PROCESSING_ERROR":                    {"Data validating error at the gateway level", payments.InvalidRequest, payments.DeclineGeneric, false},
	"PLATFORM_ERROR_DUPLICATED_ORDER_ID":             {"error related to the fact that the ID that is sent is already in the system.", payments.Duplicate, payments.DeclineGeneric, false},
	"PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED": {"error related to the amount of conversion to another currency, error on our side", payments.Unsupported, payments.DeclineGeneric, false},
	"PLATFORM_ERROR_GATE_NOT_FOUND":                  {"operation could not find a gate to pass the operation", payments.Unsupported, payments.DeclineGeneric, false},
	"PLATFORM_ORDER_BILLING_ERROR":                   {"errors not falling under internal categories", payments.Declined, payments.DeclineGeneric, false},
	"CARD_TIME_LIMIT_PROCESSING_ERROR":               {"Limit on Minimum time between card transactions 60 seconds", payments.RateLimited, payments.DeclineGeneric, false},
	"3DS Redirect Timeout":                           {"inactivity on payment, or the client did not click on the link or the bank did not respond to us.", payments.Declined, payments.DeclineAuthenticationFailed, false},
	"3DS_CANCEL_PROCESSING_ERROR":                    {`User clicked "Cancel" button on 3DS page`, payments.Declined, payments.DeclineAuthenticationFailed, false},

	// Seen only as errorCategory in the /check failure example's
	// cascadeErrors (l.364, l.368, l.372); the document describes none of
	// them, the names say what they are.
	"PLATFORM_ERROR_ANTIFRAUD_RULES":        {"rejected by the platform's anti-fraud rules (cascadeErrors example)", payments.Declined, payments.DeclineSuspectedFraud, false},
	"PLATFORM_ERROR_GATE_SKIPPED":           {"gate skipped (cascadeErrors example)", payments.Unsupported, payments.DeclineGeneric, false},
	"PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE": {"card brand not available on the gate (cascadeErrors example)", payments.Unsupported, payments.DeclineGeneric, false},
}

// hardDecline reports whether a code's class is a decline a router must not
// take elsewhere.
func (i codeInfo) hardDecline() bool {
	return i.Code == payments.Declined && !i.Reason.Soft()
}

// classify is the class of a failed transaction: its own code (errorMessage
// or err), unless a gate of its cascade declined it hard. The document's
// failure example (seed 000_2d15c756a78f42ef.txt l.360-374) says
// PLATFORM_ERROR_GATE_NOT_FOUND (cascadable) in errorMessage while gate 0
// says PLATFORM_ERROR_ANTIFRAUD_RULES: a payment that an anti-fraud check
// refused must not be retried at another acquirer because the last gate
// found nothing, so the first hard decline of the cascade wins over a
// cascadable code. A code that is itself not cascadable (a hard decline,
// an expired form, a duplicate, ...) is kept. An unknown code is a generic
// decline with the provider's text kept (payments.DeclineReason).
func classify(code string, cascade cascadeErrors) codeInfo {
	info, known := lookupCode(code)
	if !known {
		info = codeInfo{Code: payments.Declined, Reason: payments.DeclineGeneric}
	}
	if info.Expired || info.hardDecline() || (info.Code != payments.Declined && info.Code != payments.Unsupported && info.Code != payments.RateLimited) {
		return info
	}
	for _, c := range cascade {
		if gi, ok := lookupCode(c.ErrorCategory); ok && gi.hardDecline() {
			return gi
		}
	}
	return info
}

// requestErrors maps the "err" codes of refused requests (non-2xx answers).
// The document shows no error body; these are the codes the in-repo
// simulator answers. Anything else is classified by its HTTP status.
var requestErrors = map[string]payments.Code{
	"ORDER_NOT_FOUND":     payments.NotFound,
	"INVALID_ORDER_STATE": payments.InvalidState,
	"INVALID_AMOUNT":      payments.InvalidState,
	"MALFORMED_JSON":      payments.InvalidRequest,
	"TASK_NOT_FOUND":      payments.NotFound,
	"TASK_NOT_READY":      payments.InvalidState,
}

// lookupCode finds a transaction error code, tolerating case and
// surrounding spaces.
func lookupCode(code string) (codeInfo, bool) {
	code = strings.TrimSpace(code)
	if info, ok := transactionErrors[code]; ok {
		return info, true
	}
	info, ok := transactionErrors[strings.ToUpper(code)]
	return info, ok
}

// decline builds the Decline of a failed transaction from its error code
// (err or errorMessage), the provider's message and the cascade of gate
// errors. An unknown code is generic with the provider's text kept.
func decline(code, msg string, cascade cascadeErrors) *payments.Decline {
	code = strings.TrimSpace(code)
	d := &payments.Decline{Reason: classify(code, cascade).Reason, Code: code}
	info, known := lookupCode(code)
	var parts []string
	switch {
	case msg != "" && msg != code:
		parts = append(parts, msg)
	case known:
		parts = append(parts, info.Description)
	}
	if len(cascade) > 0 {
		gates := make([]string, 0, len(cascade))
		for _, c := range cascade {
			if c.GatePriority.Valid {
				gates = append(gates, fmt.Sprintf("gate %d: %s", c.GatePriority.V, c.ErrorCategory))
			} else {
				gates = append(gates, c.ErrorCategory)
			}
		}
		parts = append(parts, "cascade: "+strings.Join(gates, ", "))
	}
	d.Message = redact.PANs(strings.Join(parts, "; "))
	return d
}

// transactionError is the error a money-moving call returns with a failed
// transaction: the class classify gives (Declined for unknown codes).
func transactionError(op string, d *payments.Decline, cascade cascadeErrors) *payments.Error {
	code := classify(d.Code, cascade).Code
	e := &payments.Error{Code: code, Provider: Name, ProviderCode: d.Code, Message: op + ": " + d.Message}
	if code == payments.Declined {
		e.Decline = d
	}
	if d.Message == "" {
		e.Message = op + ": transaction failed"
	}
	return e
}

// failed marks p as the failed transaction a money-moving call answered
// (code, msg: its err and msg or errorMessage; cascade: its cascadeErrors)
// and returns the call's error. An expired form (codeInfo.Expired) is
// StatusExpired without a Decline; anything else is StatusFailed with its
// Decline.
func failed(p *payments.Payment, op, code, msg string, cascade cascadeErrors) *payments.Error {
	d := decline(code, msg, cascade)
	p.Status, p.Decline = payments.StatusFailed, d
	if info, ok := lookupCode(code); ok && info.Expired {
		p.Status, p.Decline = payments.StatusExpired, nil
	}
	return transactionError(op, d, cascade)
}

// isDuplicate reports whether a code is the duplicate order_id error.
func isDuplicate(code string) bool {
	info, ok := lookupCode(code)
	return ok && info.Code == payments.Duplicate
}

// httpError maps a non-2xx answer that httpx returned as a Response (4xx,
// 3xx; 5xx and 429 never get here). The "err" code decides where the tables
// know it, else the HTTP status.
func httpError(op string, safety httpx.Safety, resp *httpx.Response) *payments.Error {
	var body errorResponse
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	_ = dec.Decode(&body) // a body that is not JSON leaves the fields empty

	code := strings.TrimSpace(str(body.Err))
	// Provider text loses the call's secrets before it goes anywhere.
	msg := resp.Clean(firstNonEmpty(str(body.Msg), str(body.Message), str(body.Error)))
	e := &payments.Error{Provider: Name, ProviderCode: code, HTTPStatus: resp.StatusCode}
	switch st := resp.StatusCode; {
	case st < 400 || st >= 500:
		// 1xx/3xx (and anything httpx let through): not an answer the API
		// gives. A money-moving call may have been processed.
		e.Code = payments.Unavailable
		if safety != httpx.Query {
			e.Code = payments.OutcomeUnknown
			msg = firstNonEmpty(msg, "unexpected answer; the provider may have processed it: reconcile with Status")
		}
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		e.Code = payments.Authentication
	default:
		if info, ok := lookupCode(code); ok {
			e.Code = info.Code
			if e.Code == payments.Declined {
				e.Decline = decline(code, msg, nil)
			}
			if msg == "" {
				msg = info.Description
			}
		} else if c, ok := requestErrors[code]; ok {
			e.Code = c
		} else {
			e.Code = codeForHTTP(st)
		}
	}
	text := op + ": HTTP " + strconv.Itoa(resp.StatusCode)
	if code != "" && !strings.Contains(msg, code) {
		text += ": " + code
	}
	if msg != "" {
		text += ": " + msg
	}
	e.Message = resp.Clean(text)
	return e
}

// codeForHTTP classifies a refused request (4xx) by its HTTP status.
func codeForHTTP(status int) payments.Code {
	switch status {
	case http.StatusNotFound:
		return payments.NotFound
	case http.StatusConflict:
		return payments.InvalidState
	case http.StatusTooManyRequests:
		return payments.RateLimited
	}
	return payments.InvalidRequest
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// refusal is the error of a request the provider refused with an "err"
// code in a 2xx answer (or without a status).
func refusal(op, code, msg string, httpStatus int) *payments.Error {
	e := &payments.Error{Provider: Name, ProviderCode: code, HTTPStatus: httpStatus}
	switch info, ok := lookupCode(code); {
	case ok:
		e.Code = info.Code
		if e.Code == payments.Declined {
			e.Decline = decline(code, msg, nil)
		}
		msg = firstNonEmpty(msg, info.Description)
	default:
		if c, ok := requestErrors[code]; ok {
			e.Code = c
		} else {
			e.Code = payments.InvalidRequest
		}
	}
	text := op + ": " + code
	if msg != "" && msg != code {
		text += ": " + msg
	}
	e.Message = redact.PANs(text)
	return e
}

func duplicateError(op, code string) *payments.Error {
	return &payments.Error{Code: payments.Duplicate, Provider: Name, ProviderCode: code,
		Message: op + ": the order_id was already used"}
}

func outcomeUnknown(op, status string) *payments.Error {
	return &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, ProviderCode: status,
		Message: op + ": undocumented answer " + status + ": reconcile with Status"}
}

func unsupported(msg string) *payments.Error {
	return &payments.Error{Code: payments.Unsupported, Provider: Name, Field: "method", Message: msg}
}

func nilRequest() *payments.Error {
	return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "request is nil"}
}
