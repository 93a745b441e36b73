package smartpay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// errorRow is one documented provider error code and its class.
type errorRow struct {
	Code payments.Code
	Doc  string
}

// errorTable maps the provider error codes the documents show to an error
// class: the MOD2 errors[].code values of seed 004_63b579a9eeecc4a0.txt's
// examples. It is the one place the mapping lives; any other code is
// classified by its HTTP status (statusClass), so the driver depends on no
// code only a simulator sends. One rule refines it (see fillValidation):
// value_out_of_bounds on a modification's amount (capture or refund above
// what is left) is an invalid state.
//
// The MOD1 "error" values are not in it: gateway_processing and
// payment_provider_processing say at which level of processing the error
// appeared (seed 003_6c7386b3129bc046.txt l.196-200, seed 004 l.311-316),
// not what happened: not that the buyer was declined, nor that the
// payment's state forbids the call. They keep the HTTP status's class
// (a 400 is InvalidRequest: neither retryable nor cascadable; a 5xx on a
// money-moving call is ErrOutcomeUnknown, from httpx).
var errorTable = map[string]errorRow{
	"value_out_of_bounds": {payments.InvalidRequest, "seed 004 l.526-539, 400 example: a value outside its bounds (on modifiedAmount: more than is left → InvalidState)"},
	"unauthorized":        {payments.Authentication, "seed 004 l.567-575, 401 example: not authenticated"},
	"forbidden":           {payments.Authentication, "seed 004 l.603-611, 403 example: no permission (another merchant's key)"},
	"not_found":           {payments.NotFound, "seed 004 l.639-647, 404 example: unknown transaction or path"},
}

// statusClass maps an HTTP status without a known code, as seed 004 lists
// them (400, 401, 403, 404, 500; 5xx is classified by httpx before it gets
// here).
func statusClass(status int) payments.Code {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return payments.Authentication
	case status == http.StatusNotFound:
		return payments.NotFound
	case status == http.StatusConflict:
		return payments.InvalidState
	case status == http.StatusTooManyRequests:
		return payments.RateLimited
	case status >= 500:
		return payments.Unavailable
	}
	return payments.InvalidRequest
}

// operation names, for the error rules that depend on the call.
const (
	opAuthorize      = "authorize"
	opCreation       = "creation"
	opStatus         = "status"
	opCapture        = "capture"
	opCancel         = "cancel"
	opRefund         = "refund"
	opCancelOrRefund = "cancelOrRefund"
)

// isModification reports the capture/cancel/refund family.
func isModification(op string) bool {
	switch op {
	case opCapture, opCancel, opRefund, opCancelOrRefund:
		return true
	}
	return false
}

// declineMessage is the neutral text of a declined payment. The provider's
// own texts go to Decline.Message, for the merchant's logs only: the
// document warns that showing the reasons for a decline to the buyer helps
// fraudsters.
const declineMessage = "the payment was declined (the provider's reason is in Decline.Message, for logs only: do not show it to the buyer)"

// apiError turns a non-2xx answer into a *payments.Error. Both documented
// body shapes are read; an unreadable body is classified by HTTP status.
func apiError(op string, resp *httpx.Response) *payments.Error {
	e := mapAPIError(op, resp)
	// The provider's texts may echo the call's card data or credentials.
	resp.CleanError(e)
	return e
}

// mapAPIError is apiError before the cleaning.
func mapAPIError(op string, resp *httpx.Response) *payments.Error {
	e := &payments.Error{Provider: Name, HTTPStatus: resp.StatusCode}
	body := bytes.TrimSpace(resp.Body)
	var probe map[string]json.RawMessage
	decoded := len(body) > 0 && json.Unmarshal(body, &probe) == nil
	if decoded {
		if _, ok := probe["errors"]; ok {
			var v validationError
			if json.Unmarshal(body, &v) == nil {
				fillValidation(op, e, &v)
				return e
			}
		}
		if _, ok := probe["error"]; ok {
			var g gatewayError
			if json.Unmarshal(body, &g) == nil {
				fillGateway(op, e, &g, resp.Secrets)
				return e
			}
		}
		if _, ok := probe["traceId"]; ok {
			var v validationError
			if json.Unmarshal(body, &v) == nil {
				fillValidation(op, e, &v)
				return e
			}
		}
	}
	e.Code = statusClass(resp.StatusCode)
	e.Message = op + ": HTTP " + http.StatusText(resp.StatusCode)
	if len(body) > 0 {
		// Stripped of the call's secrets first, then cut (see rawText).
		scrubbed := resp.CleanJSON
		if decoded {
			scrubbed = resp.CleanDecoded // the probe decoded it whole
		}
		e.Message += ": " + truncate(string(scrubbed(body)), 200)
	}
	return e
}

// fillValidation reads MOD2.
func fillValidation(op string, e *payments.Error, v *validationError) {
	e.RequestID = v.TraceID
	e.Code = statusClass(e.HTTPStatus)
	if len(v.Errors) == 0 {
		e.Message = op + ": " + http.StatusText(e.HTTPStatus)
		return
	}
	first := v.Errors[0]
	e.ProviderCode = first.Code
	if row, ok := errorTable[first.Code]; ok {
		e.Code = row.Code
	}
	switch {
	case first.Code == "value_out_of_bounds" && isModification(op) && strings.HasPrefix(first.Property, "modifiedAmount"):
		e.Code = payments.InvalidState
	case duplicateReference(op, e.HTTPStatus, first.Property):
		e.Code = payments.Duplicate
	}
	if first.Property != "" {
		e.Field = neutralField(first.Property)
	}
	msgs := make([]string, 0, len(v.Errors))
	for _, fe := range v.Errors {
		m := redact.PANs(fe.Message)
		if fe.Property != "" && !strings.Contains(m, fe.Property) {
			m = fe.Property + ": " + m
		}
		msgs = append(msgs, m)
	}
	e.Message = op + ": " + strings.Join(msgs, "; ")
}

// duplicateReference reports a 400 about partnerReference on a call that
// creates a payment. The documents give partnerReference three rules: at
// most 64 characters, the pattern ^[a-zA-Z0-9\-_\.:]+$, and "If provided
// must be unique (for that merchant)" (seed 004_63b579a9eeecc4a0.txt
// l.43-45). The driver checks the first two before sending
// (partnerReferenceOK), so a refusal naming the field can only be the
// third, whatever code the provider gives it: the documents show none for
// it.
func duplicateReference(op string, status int, property string) bool {
	return (op == opAuthorize || op == opCreation) && status == http.StatusBadRequest && property == "partnerReference"
}

// fillGateway reads MOD1. Its "error" says where the error appeared
// (gateway_processing, payment_provider_processing), not what it is: the
// class is the HTTP status's (see errorTable), and the value is kept in
// ProviderCode and the message. k are the exact secrets of the call (see
// gatewayTexts).
func fillGateway(op string, e *payments.Error, g *gatewayError, k *redact.Known) {
	e.ProviderCode = g.Error
	e.Code = statusClass(e.HTTPStatus)
	e.Message = op + ": " + g.Error
	switch g.Error {
	case "gateway_processing":
		e.Message += " (an error in the SmartPay gateway's processing; the document does not say whether the payment was declined)"
	case "payment_provider_processing":
		e.Message += " (an error in the payment provider's processing; the document does not say whether the payment was declined)"
	}
	if texts := gatewayTexts(g, k); texts != "" {
		e.Message += ": " + texts
	}
}

// gatewayTexts joins MOD1's message and descriptions. k are the exact
// secrets of the call: a message object is stripped of them before it is
// cut short (see rawText).
func gatewayTexts(g *gatewayError, k *redact.Known) string {
	var parts []string
	if m := rawText(g.Message, k); m != "" {
		parts = append(parts, m)
	}
	if d := g.ErrorDetails; d != nil {
		if d.GatewayDescription != "" {
			parts = append(parts, "gateway: "+d.GatewayDescription)
		}
		if d.PaymentProviderDescription != "" {
			parts = append(parts, "payment provider: "+d.PaymentProviderDescription)
		}
	}
	return redact.PANs(strings.Join(parts, "; "))
}

// rawText returns a JSON string's text, or a compact rendering of any other
// JSON value ("message" is typed object/oneOf string), cut at 200
// characters. The rendering loses the call's exact secrets (k) and card
// numbers first and is cut afterwards: a secret cut in two by the limit
// would escape exact matching, and its first half is still a leak.
func rawText(raw json.RawMessage, k *redact.Known) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	// raw is a member of a body that decoded whole: one valid JSON value.
	return truncate(string(k.Decoded(raw)), 200)
}

// fieldMap turns a provider property into the neutral request's JSON path.
var fieldMap = []struct{ provider, neutral string }{
	{"partnerReference", "reference"},
	{"payment.amount", "amount"},
	{"payment.currencyCode", "amount.currency"},
	{"payment.description", "description"},
	{"modifiedAmount.amount", "amount"},
	{"modifiedAmount.currencyCode", "amount.currency"},
	{"billingAddress", "billing_address"},
	{"shippingAddress", "shipping_address"},
	{"consumer", "customer"},
	{"businessConsumer", "customer.company"},
	{"transactionId", "id"},
	{"modificationId", "idempotency_key"},
	{"paymentOption.invoicePayment.type", "method.type"},
	{"criteria", "metadata"},
}

var addressFields = map[string]string{
	"addressLine1": "line1", "addressLine2": "line2", "city": "city",
	"postCode": "postal_code", "countryCode": "country", "state": "state",
}

var customerFields = map[string]string{
	"firstName": "first_name", "lastName": "last_name", "emailAddress": "email",
	"mobilePhone": "phone", "dateOfBirth": "birth_date", "companyName": "name",
	"companyRegistrationNumber": "registration_number", "taxId": "vat_id",
}

// neutralField maps a provider property ("billingAddress.postCode") to the
// neutral JSON path ("billing_address.postal_code"); a property with no
// neutral counterpart (a header, a provider-only field) is kept as is.
func neutralField(prop string) string {
	for _, m := range fieldMap {
		if prop == m.provider {
			return m.neutral
		}
		if rest, ok := strings.CutPrefix(prop, m.provider+"."); ok {
			switch m.provider {
			case "billingAddress", "shippingAddress":
				if f, ok := addressFields[rest]; ok {
					return m.neutral + "." + f
				}
			case "consumer":
				if f, ok := customerFields[rest]; ok {
					return m.neutral + "." + f
				}
			case "businessConsumer":
				if f, ok := customerFields[rest]; ok {
					if rest == "emailAddress" {
						return "customer.email"
					}
					return m.neutral + "." + f
				}
			}
			return prop
		}
	}
	return prop
}
