package smartpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file holds the request and response bodies exactly as the SmartPay
// documents spell them (seed 003 Get Payment Status, seed 004 API-only
// Payment Authorization, PROVIDERS.md section 3, the SmartPay data model):
// camelCase names, amounts as JSON numbers with two fraction digits, and
// optional objects omitted rather than sent as null.

// ---- amounts ----------------------------------------------------------------

// wireAmount is a SmartPay amount in its wire form: the decimal text
// ("49.99") written as a bare JSON number. It is never a float64: requests
// write the text as is, and responses are read from the raw JSON token.
//
// Decoding accepts a JSON number, a JSON string holding a decimal ("49.99")
// and null (empty). Anything else, such as the boolean in seed 004's
// "Example (from schema)" ("amount": false), is an error: an amount that
// cannot be read must not become zero.
type wireAmount string

// MarshalJSON writes the decimal text as a JSON number.
func (a wireAmount) MarshalJSON() ([]byte, error) {
	if !amountPattern(string(a)) {
		return nil, fmt.Errorf("smartpay: amount %q does not match ^\\d{1,18}\\.\\d{2}$", string(a))
	}
	return []byte(a), nil
}

// UnmarshalJSON reads a JSON number, a decimal string or null.
func (a *wireAmount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*a = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if !decimalText(s) {
			return fmt.Errorf("smartpay: amount %q is not a decimal", s)
		}
		*a = wireAmount(s)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if !decimalText(string(b)) {
			return fmt.Errorf("smartpay: amount %s is not a plain decimal", b)
		}
		*a = wireAmount(b)
		return nil
	}
	if len(b) > 32 {
		// Not cut short: a secret cut in two would escape the exact
		// stripping of the call's secrets the error text goes through.
		return fmt.Errorf("smartpay: amount is not a number (a %d-byte JSON value)", len(b))
	}
	return fmt.Errorf("smartpay: amount %s is not a number", b)
}

// amountPattern reports whether s matches the documented amount pattern
// ^\d{1,18}\.\d{2}$.
func amountPattern(s string) bool {
	i := strings.IndexByte(s, '.')
	if i < 1 || i > 18 || len(s)-i-1 != 2 {
		return false
	}
	for j := 0; j < len(s); j++ {
		if j != i && (s[j] < '0' || s[j] > '9') {
			return false
		}
	}
	return true
}

// decimalText accepts an optional minus sign, digits and an optional
// fraction; no exponent, no leading dot. Responses are read with it, more
// leniently than the request pattern: the provider's own refund example
// writes "amount": 25.
func decimalText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") || len(s) > 40 {
		return false
	}
	for _, p := range []string{intPart, frac} {
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// flexString decodes a JSON string, number or boolean into its text, and
// null into "". The documents type some identifiers as strings but show
// numbers (seed 004: "targetMerchantAccountReference": 123456789).
type flexString string

// UnmarshalJSON reads a string, number, boolean or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		return errors.New("smartpay: expected a string, got an object or array")
	default:
		*f = flexString(b)
	}
	return nil
}

// MarshalJSON writes the text as a JSON string.
func (f flexString) MarshalJSON() ([]byte, error) { return json.Marshal(string(f)) }

// ---- requests ----------------------------------------------------------------

// amountObject is the documented {amount, currencyCode, description} object:
// payment, modifiedAmount, paymentSplitDestinations[], modificationAmount.
type amountObject struct {
	Amount       wireAmount `json:"amount"`
	CurrencyCode string     `json:"currencyCode"`
	Description  string     `json:"description,omitempty"`
}

// address is the SmartPay Address of the data model. countryCode is sent
// as ISO 3166-1 alpha-3 (seed 004: exactly 3 characters).
type address struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	Number       string `json:"number,omitempty"`
	City         string `json:"city"`
	PostCode     string `json:"postCode"`
	CountryCode  string `json:"countryCode"`
	State        string `json:"state,omitempty"`
}

// consumer is a physical person (seed 004 "consumer").
type consumer struct {
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	EmailAddress string `json:"emailAddress,omitempty"`
	MobilePhone  string `json:"mobilePhone,omitempty"`
	DateOfBirth  string `json:"dateOfBirth,omitempty"`
	Culture      string `json:"culture,omitempty"`
}

// businessConsumer is a company (seed 004 "businessConsumer"; field names
// from the SmartPay data model).
type businessConsumer struct {
	CompanyName                    string `json:"companyName"`
	CompanyType                    string `json:"companyType,omitempty"`
	EmailAddress                   string `json:"emailAddress,omitempty"`
	TaxID                          string `json:"taxId,omitempty"`
	Culture                        string `json:"culture,omitempty"`
	CompanyRegistrationNumber      string `json:"companyRegistrationNumber,omitempty"`
	CompanyRegistrationCountryCode string `json:"companyRegistrationCountryCode,omitempty"`
}

// customReferences are the three free references (≤ 255 characters each).
type customReferences struct {
	Custom1 string `json:"custom1,omitempty"`
	Custom2 string `json:"custom2,omitempty"`
	Custom3 string `json:"custom3,omitempty"`
}

// criterion is one custom key-value pair of "criteria".
type criterion struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// extraInfo selects the product group of the channel.
type extraInfo struct {
	ProductGroup string `json:"productGroup,omitempty"`
}

// paymentSplit defines split payments (not on the hosted payment page).
type paymentSplit struct {
	PaymentSplitDestinations []splitDestination `json:"paymentSplitDestinations"`
}

// splitDestination is one paymentSplitDestinations[] entry.
type splitDestination struct {
	DestinationReference string     `json:"destinationReference"`
	Amount               wireAmount `json:"amount"`
	CurrencyCode         string     `json:"currencyCode"`
	Description          string     `json:"description"`
}

// invoicePayment is paymentOption.invoicePayment: type PREPMNT or PAYINVC.
type invoicePayment struct {
	Type string `json:"type"`
}

// paymentOption is the authorize request's payment option. Authorize
// always sends an invoice payment (a value, not a pointer: one allocation
// less per call).
type paymentOption struct {
	InvoicePayment invoicePayment `json:"invoicePayment"`
}

// checkoutFields are the fields POST /payment/creation and
// POST /payment/authorize/ share. The addresses and the consumer are
// values (no allocation each), omitted when zero: a set one never is (it
// has a countryCode, a firstName, an emailAddress).
type checkoutFields struct {
	PartnerReference               string            `json:"partnerReference,omitempty"`
	CustomerAccountID              string            `json:"customerAccountId,omitempty"`
	ShopCountry                    string            `json:"shopCountry,omitempty"`
	Payment                        amountObject      `json:"payment"`
	PaymentSplit                   *paymentSplit     `json:"paymentSplit,omitempty"`
	BillingAddress                 address           `json:"billingAddress,omitzero"`
	ShippingAddress                address           `json:"shippingAddress,omitzero"`
	Consumer                       consumer          `json:"consumer,omitzero"`
	BusinessConsumer               businessConsumer  `json:"businessConsumer,omitzero"`
	CustomReferences               *customReferences `json:"customReferences,omitempty"`
	Criteria                       []criterion       `json:"criteria,omitempty"`
	ExtraInfo                      *extraInfo        `json:"extraInfo,omitempty"`
	TargetMerchantAccountReference string            `json:"targetMerchantAccountReference,omitempty"`
}

// authorizeRequest is the POST /payment/authorize/ body (seed 004). The
// seed lists no merchantKey for it.
type authorizeRequest struct {
	PaymentOption paymentOption `json:"paymentOption"`
	checkoutFields
}

// creationRequest is the POST /payment/creation (Create Checkout) body.
type creationRequest struct {
	MerchantKey string `json:"merchantKey"`
	checkoutFields
}

// modificationRequest is the body of POST /payment/capture, /payment/cancel,
// /payment/refund and /payment/cancelOrRefund (PROVIDERS.md section 3).
type modificationRequest struct {
	TransactionID  string        `json:"transactionId"`
	MerchantKey    string        `json:"merchantKey"`
	ModificationID string        `json:"modificationId"`
	ModifiedAmount *amountObject `json:"modifiedAmount,omitempty"`
	Description    string        `json:"description,omitempty"`
}

// ---- responses ---------------------------------------------------------------

// The response structs list only the members the driver reads:
// encoding/json skips the others, and every listed member costs work (a
// string, a copied json.RawMessage, a pointer) on every answer. What only
// PaymentDetails reports is in detailsDoc, decoded for that call alone.

// paymentDoc is the payment document: the Get Payment Status response
// (seed 003), the authorize 201 response (seed 004) and the answer of the
// modification endpoints. The documents also show reconciliationReferenceId
// (detailsDoc), description, paymentLinkId and, in the authorize example
// only, modificationId.
type paymentDoc struct {
	PaymentStatus       string              `json:"paymentStatus"`
	CreationDate        string              `json:"creationDate"`
	LastStatusDate      string              `json:"lastStatusDate"`
	PartnerReference    string              `json:"partnerReference"`
	TransactionOverview transactionOverview `json:"transactionOverview"`
	// TransactionReference is the invoice reference the buyer quotes. The
	// examples put it at the top level; seed 003's schema lists it after
	// transactionOverview's fields, so transactionOverview is read too.
	TransactionReference string        `json:"transactionReference"`
	Modification         modifications `json:"modification"`
	StatusHistory        []historyItem `json:"statusHistory"`
}

// transactionOverview is paymentDoc.transactionOverview. The documents also
// show customReferences, customerAccountId, deal, mit, paymentOrigin
// (detailsDoc) and targetMerchantAccountReference.
type transactionOverview struct {
	TransactionID        string     `json:"transactionId"`
	AcquirerResponse     string     `json:"acquirerResponse"`
	Amount               wireAmount `json:"amount"`
	CurrencyCode         string     `json:"currencyCode"`
	PaymentMethod        string     `json:"paymentMethod"`
	TransactionReference string     `json:"transactionReference"`
}

// detailsDoc is what PaymentDetails reads of the payment document besides
// paymentDoc. StatusHistory runs parallel to paymentDoc.StatusHistory (the
// same array, decoded twice).
type detailsDoc struct {
	ReconciliationReferenceID string `json:"reconciliationReferenceId"`
	TransactionOverview       struct {
		PaymentOrigin string `json:"paymentOrigin"`
	} `json:"transactionOverview"`
	StatusHistory []struct {
		StatusDate string `json:"statusDate"`
	} `json:"statusHistory"`
}

// modification is one performed transaction modification (the documents
// also show its own statusHistory).
type modification struct {
	CreationDate       string           `json:"creationDate"`
	Error              *gatewayError    `json:"error"`
	LastStatusDate     string           `json:"lastStatusDate"`
	ModificationAmount *amountObject    `json:"modificationAmount"`
	ModificationData   modificationData `json:"modificationData"`
	Status             string           `json:"status"`
}

// modifications decodes "modification", typed object but described as
// "Array of all performed transaction modifications": an object, an array
// of them, or null.
type modifications []modification

// UnmarshalJSON reads an object, an array of objects or null.
func (m *modifications) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*m = nil
		return nil
	case b[0] == '[':
		var list []modification
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*m = list
		return nil
	}
	var one modification
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*m = modifications{one}
	return nil
}

// latest returns the last modification, or nil.
func (m modifications) latest() *modification {
	if len(m) == 0 {
		return nil
	}
	return &m[len(m)-1]
}

// modificationData are the details of a modification (the documents also
// show customReferences, paymentSplitResults and the programRefund*
// members).
type modificationData struct {
	CancelID                  string `json:"cancelId"`
	CaptureID                 string `json:"captureId"`
	ModificationID            string `json:"modificationId"`
	ReconciliationReferenceID string `json:"reconciliationReferenceId"`
	RefundID                  string `json:"refundId"`
	Type                      string `json:"type"`
}

// historyItem is one statusHistory[] entry; its statusDate is in
// detailsDoc. ModificationAmount is a value: an absent or null one reads
// as no amount, as an empty one does.
type historyItem struct {
	Error              string        `json:"error"`
	ModificationAmount historyAmount `json:"modificationAmount"`
	Status             string        `json:"status"`
}

// historyAmount is statusHistory[].modificationAmount (the documents also
// show option, storedPaymentOptionReference and description).
type historyAmount struct {
	Amount       wireAmount `json:"amount"`
	CurrencyCode string     `json:"currencyCode"`
}

// creationResponse is the POST /payment/creation answer. Its schema is not
// public ("returns a transactionId and a checkout token"); the driver reads
// transactionId and the token under the names seen in the simulator and the
// provider's prose.
type creationResponse struct {
	TransactionID string `json:"transactionId"`
	CheckoutToken string `json:"checkoutToken"`
	Token         string `json:"token"`
	RedirectURL   string `json:"redirectUrl"`
}

// ---- errors ------------------------------------------------------------------

// gatewayError is error body MOD1 (and modification.error):
// {error, errorDetails{context, gatewayDescription,
// paymentProviderDescription}, message}.
type gatewayError struct {
	Error        string               `json:"error"`
	ErrorDetails *gatewayErrorDetails `json:"errorDetails"`
	// Message is typed "object, oneOf string" in the document.
	Message json.RawMessage `json:"message"`
}

// gatewayErrorDetails is MOD1's errorDetails (its context is not read).
type gatewayErrorDetails struct {
	GatewayDescription         string `json:"gatewayDescription"`
	PaymentProviderDescription string `json:"paymentProviderDescription"`
}

// validationError is error body MOD2: {traceId, errors[{message, code,
// property, context}]}.
type validationError struct {
	TraceID string       `json:"traceId"`
	Errors  []fieldError `json:"errors"`
}

// fieldError is one MOD2 errors[] entry (its context is not read).
type fieldError struct {
	Message  string `json:"message"`
	Code     string `json:"code"`
	Property string `json:"property"`
}

// tokenResponse is the OAuth2 client-credentials answer (RFC 6749 5.1).
type tokenResponse struct {
	AccessToken string      `json:"access_token"`
	TokenType   string      `json:"token_type"`
	ExpiresIn   json.Number `json:"expires_in"`
}

// ---- notifications -----------------------------------------------------------

// webhookEvent is the notification envelope (PROVIDERS.md section 3; its
// metadata is not read).
type webhookEvent struct {
	ID          string          `json:"id"`
	MerchantKey string          `json:"merchantKey"`
	CreatedAt   string          `json:"createdAt"`
	Origin      string          `json:"origin"`
	EventType   string          `json:"eventType"`
	ObjectID    flexString      `json:"objectId"`
	ObjectType  string          `json:"objectType"`
	Context     json.RawMessage `json:"context"`
	Data        json.RawMessage `json:"data"`
}

// webhookRefs are the transaction references a refund event may carry in
// context or data; the document does not define their contents.
type webhookRefs struct {
	TransactionID flexString `json:"transactionId"`
	RefundID      flexString `json:"refundId"`
}

// ---- dates -------------------------------------------------------------------

// dateLayouts are the date forms seen in the documents:
// "2024-10-09T10:50:15.708Z" and "2023-12-07 11:34:50.884000+00:00".
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// parseDate reads a provider date; an unreadable one is the zero time (the
// dates are informative, never used for decisions).
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// truncate cuts s to n bytes. Provider text is cut only after it lost the
// call's secrets (a secret cut in two escapes exact matching).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
