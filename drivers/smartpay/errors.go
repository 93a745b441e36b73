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

// errorTable maps every provider error code to an error class: the MOD2
// errors[].code values and the MOD1 "error" values of seed 004. It is the
// one place the mapping lives. Two rules refine it (see classify): a
// payment_provider_processing refusal of an authorization is a decline,
// and value_out_of_bounds on a modification's amount (capture or refund
// above what is left) is an invalid state.
//
// Codes the document shows are marked "seed 004"; the others are the
// simulator's and follow the document's snake_case style.
var errorTable = map[string]errorRow{
	// MOD2 {traceId, errors[{message, code, property, context}]}
	"value_out_of_bounds": {payments.InvalidRequest, "seed 004, 400 example: a value outside its bounds (on modifiedAmount: more than is left → InvalidState)"},
	"unauthorized":        {payments.Authentication, "seed 004, 401 example: not authenticated"},
	"forbidden":           {payments.Authentication, "seed 004, 403 example: no permission (another merchant's key)"},
	"not_found":           {payments.NotFound, "seed 004, 404 example: unknown transaction or path"},
	"required":            {payments.InvalidRequest, "simulator: a required field or header is missing"},
	"invalid_type":        {payments.InvalidRequest, "simulator: wrong JSON type (an amount sent as a string)"},
	"invalid_format":      {payments.InvalidRequest, "simulator: a value breaks its pattern"},
	"invalid_value":       {payments.InvalidRequest, "simulator: a value outside its enumeration (another currency)"},
	"max_length":          {payments.InvalidRequest, "simulator: a value longer than allowed"},
	"mutually_exclusive":  {payments.InvalidRequest, "simulator: consumer and businessConsumer together"},
	"not_unique":          {payments.InvalidRequest, "simulator: a reused identifier (partnerReference → Duplicate)"},
	"invalid_json":        {payments.InvalidRequest, "simulator: the body is not JSON"},
	"method_not_allowed":  {payments.InvalidRequest, "simulator: wrong HTTP method"},
	"bad_request":         {payments.InvalidRequest, "simulator: generic 400"},
	// MOD1 {error, errorDetails, message}
	"gateway_processing":          {payments.InvalidState, "seed 004 MOD1: refused by the SmartPay gateway (a modification the payment's state does not allow); on authorize: a decline"},
	"payment_provider_processing": {payments.Declined, "seed 004 MOD1: refused by the payment provider (acquirer, issuer)"},
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
				fillGateway(op, e, &g)
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
	case first.Code == "not_unique" && first.Property == "partnerReference":
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

// fillGateway reads MOD1.
func fillGateway(op string, e *payments.Error, g *gatewayError) {
	e.ProviderCode = g.Error
	e.Code = statusClass(e.HTTPStatus)
	if row, ok := errorTable[g.Error]; ok && e.HTTPStatus < 500 && e.HTTPStatus != 401 && e.HTTPStatus != 403 && e.HTTPStatus != 404 {
		e.Code = row.Code
	}
	texts := gatewayTexts(g)
	if op == opAuthorize || op == opCreation {
		if e.Code == payments.Declined || e.Code == payments.InvalidState {
			e.Code = payments.Declined
			e.Decline = &payments.Decline{Reason: payments.DeclineGeneric, Code: g.Error, Message: texts}
			e.Message = declineMessage
			return
		}
	}
	e.Message = op + ": " + g.Error
	if texts != "" {
		e.Message += ": " + texts
	}
}

// gatewayTexts joins MOD1's message and descriptions.
func gatewayTexts(g *gatewayError) string {
	var parts []string
	if m := rawText(g.Message); m != "" {
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
// JSON value ("message" is typed object/oneOf string).
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	// raw is a member of a body that decoded whole: one valid JSON value.
	return truncate(string(redact.Decoded(raw)), 200)
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

// declineTransactionID reads errorDetails.context.transactionId of a MOD1
// body, "" when absent or unusable.
func declineTransactionID(body []byte) string {
	var g struct {
		ErrorDetails struct {
			Context struct {
				TransactionID flexString `json:"transactionId"`
			} `json:"context"`
		} `json:"errorDetails"`
	}
	if json.Unmarshal(body, &g) != nil {
		return ""
	}
	id := strings.TrimSpace(string(g.ErrorDetails.Context.TransactionID))
	if id == "" || checkID(id) != nil {
		return ""
	}
	return id
}
