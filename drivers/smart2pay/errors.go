package smart2pay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// returnCode is one documented GlobalPay return code (Status.Reasons[].Code).
type returnCode struct {
	// Name is the documented meaning.
	Name string
	// Code is the error class; "" for a code that is not an error (10 OK).
	Code payments.Code
	// Decline is the decline reason when Code is Declined.
	Decline payments.DeclineReason
}

// codeTable maps every documented return code to an error class: the
// alternative-methods API's codes and the direct card API's. The two APIs
// share 17 and 20 with the same meaning, and no other number, so one table
// serves both hosts.
//
// 17 "payment invalid" is ErrNotFound here; the driver turns it into
// ErrInvalidState when the answer shows the payment exists (it carries the
// payment's Status.ID or Created), as in the document's capture and cancel
// examples.
var codeTable = map[string]returnCode{
	"0":  {"undefined", payments.InvalidRequest, ""},
	"1":  {"missing parameter", payments.InvalidRequest, ""},
	"2":  {"validation failed", payments.InvalidRequest, ""},
	"3":  {"merchant does not exist", payments.Authentication, ""},
	"4":  {"merchant inactive", payments.Authentication, ""},
	"5":  {"method invalid", payments.InvalidRequest, ""},
	"6":  {"hash check failed", payments.Authentication, ""},
	"7":  {"IP check failed", payments.Authentication, ""},
	"9":  {"method unavailable", payments.Unsupported, ""},
	"10": {"OK", "", ""},
	"11": {"action invalid", payments.InvalidState, ""},
	// 14 and 15 come with an HTTP 4xx, which the document defines as "you
	// did something wrong" (seed 002_c6b29c27df04218d.txt l.167): the
	// request is refused, not the provider unavailable, so neither a retry
	// nor another acquirer is indicated (a 5xx never reaches this table:
	// httpx makes it ErrOutcomeUnknown or ErrUnavailable). A 4xx answer
	// that carries a created payment is that payment (see createdPayment).
	"14":   {"generic error", payments.InvalidRequest, ""},
	"15":   {"unable to process", payments.InvalidRequest, ""},
	"16":   {"error, try later", payments.Unavailable, ""},
	"17":   {"payment invalid", payments.NotFound, ""},
	"18":   {"refund invalid", payments.InvalidState, ""},
	"19":   {"country invalid", payments.InvalidRequest, ""},
	"20":   {"MerchantTransactionID duplicated", payments.Duplicate, ""},
	"21":   {"already processed", payments.InvalidState, ""},
	"22":   {"already processed", payments.InvalidState, ""},
	"23":   {"already processed", payments.InvalidState, ""},
	"100":  {"currency invalid", payments.InvalidRequest, ""},
	"118":  {"amount invalid", payments.InvalidRequest, ""},
	"119":  {"customer balance insufficient", payments.Declined, payments.DeclineInsufficientFunds},
	"121":  {"unable to authorize", payments.Declined, payments.DeclineGeneric},
	"122":  {"unable to cancel", payments.InvalidState, ""},
	"125":  {"bank offline", payments.Unavailable, ""},
	"2206": {"refund exceeds payment", payments.InvalidState, ""},
	"2207": {"another refund in progress", payments.InvalidState, ""},
	"2208": {"partial refund unavailable", payments.Unsupported, ""},
}

// codePaymentInvalid is the code whose class depends on the payment's
// existence.
const codePaymentInvalid = "17"

// LookupCode returns the documented meaning and error class of a GlobalPay
// return code; ok is false for an undocumented code.
func LookupCode(code string) (name string, class payments.Code, ok bool) {
	e, ok := codeTable[strings.TrimSpace(code)]
	return e.Name, e.Code, ok
}

// httpStatusClass is the error class of a non-2xx answer whose body names no
// documented return code.
func httpStatusClass(status int) payments.Code {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return payments.Authentication
	case http.StatusNotFound:
		return payments.NotFound
	case http.StatusConflict:
		return payments.InvalidState
	}
	return payments.InvalidRequest
}

// declineFromReasons builds the Decline of a failed payment from its
// Status.Reasons: the first reason with a documented decline code decides;
// without one the decline is generic with the first reason's code and text.
func declineFromReasons(rs []wireReason) *payments.Decline {
	d := &payments.Decline{Reason: payments.DeclineGeneric}
	for _, r := range rs {
		if e, ok := codeTable[string(r.Code)]; ok && e.Code == payments.Declined {
			return &payments.Decline{Reason: e.Decline, Code: string(r.Code), Message: str(r.Info)}
		}
	}
	if len(rs) > 0 {
		d.Code, d.Message = string(rs[0].Code), str(rs[0].Info)
	}
	return d
}

// reasonsText joins the Reasons' Info texts.
func reasonsText(rs []wireReason) string {
	var parts []string
	for _, r := range rs {
		info := str(r.Info)
		if info == "" {
			if e, ok := codeTable[string(r.Code)]; ok {
				info = e.Name
			}
		}
		if info != "" {
			parts = append(parts, info)
		}
	}
	return strings.Join(parts, "; ")
}

// apiError is a decoded non-2xx answer: the error, and the payment or refund
// the provider echoed back (nil when none).
type apiError struct {
	err     *payments.Error
	payment *wirePayment
	refund  *wireRefund
}

// errorFromResponse maps a non-2xx answer that arrived whole (httpx already
// turned 429 and 5xx into errors) to a *payments.Error. It never fails: a
// body it cannot read is classified by the HTTP status alone.
func errorFromResponse(op string, safety httpx.Safety, resp *httpx.Response) apiError {
	e := &payments.Error{Provider: Name, HTTPStatus: resp.StatusCode}
	if resp.StatusCode < 400 {
		// A 1xx/3xx answer to a GlobalPay call is not documented: for a
		// money-moving call nothing can be concluded.
		e.Code = payments.Integrity
		e.Message = fmt.Sprintf("%s: unexpected HTTP %d", op, resp.StatusCode)
		if safety != httpx.Query {
			e.Code = payments.OutcomeUnknown
			e.Message += "; the provider may have processed it: reconcile with Status"
		}
		return apiError{err: e}
	}
	var env errorEnvelope
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		e.Code = httpStatusClass(resp.StatusCode)
		e.Message = fmt.Sprintf("%s: HTTP %d with an unreadable body", op, resp.StatusCode)
		return apiError{err: e}
	}
	out := apiError{err: e, payment: env.Payment, refund: env.Refund}
	var st *wireStatus
	exists := false
	switch {
	case env.Payment != nil:
		st = env.Payment.Status
		e.RequestID = str(env.Payment.InvalidRequestID)
		exists = env.Payment.Created != nil || (st != nil && st.ID != nil)
	case env.Refund != nil:
		st = env.Refund.Status
	}
	var reasons []wireReason
	if st != nil {
		reasons = st.Reasons
	}
	for _, r := range reasons {
		entry, ok := codeTable[string(r.Code)]
		if !ok || entry.Code == "" {
			continue
		}
		e.Code, e.ProviderCode = entry.Code, string(r.Code)
		if entry.Code == payments.Declined {
			e.Decline = &payments.Decline{Reason: entry.Decline, Code: string(r.Code), Message: resp.Clean(str(r.Info))}
		}
		if string(r.Code) == codePaymentInvalid && exists {
			e.Code = payments.InvalidState
		}
		break
	}
	if e.Code == "" {
		e.Code = httpStatusClass(resp.StatusCode)
		if len(reasons) > 0 {
			e.ProviderCode = string(reasons[0].Code)
		}
	}
	msg := reasonsText(reasons)
	if msg == "" {
		msg = str(env.Message)
	}
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	// Masked when built: the provider's text may echo the card or the
	// credentials of the call.
	e.Message = resp.Clean(op + ": " + msg)
	return out
}

// paymentExists corrects the class of a code 17 answer about a payment the
// driver has just read: the payment exists, so "payment invalid" means the
// action does not fit its state.
func paymentExists(e *payments.Error) *payments.Error {
	if e.Code == payments.NotFound && e.ProviderCode == codePaymentInvalid {
		e.Code = payments.InvalidState
	}
	return e
}

// integrityError reports an answer that contradicts the request.
func integrityError(op, format string, args ...any) *payments.Error {
	return &payments.Error{Code: payments.Integrity, Provider: Name, Message: op + ": " + fmt.Sprintf(format, args...)}
}
