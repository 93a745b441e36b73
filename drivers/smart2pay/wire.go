package smart2pay

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// This file holds the GlobalPay wire format exactly as the provider spells
// it: PascalCase names, amounts as JSON integers in minor units, IDs as JSON
// numbers, and null for every absent value in responses.
//
// Requests are written with omitempty so that only what the merchant gave is
// sent (the document's example requests carry only the fields they use).
// Responses are read into pointers and json.Number so that null, absent and
// zero stay distinct and no amount passes through float64; the members the
// driver does not interpret have no field at all, so that decoding them costs
// nothing and an unexpected type in one of them never makes a money-moving
// answer unreadable (the whole answer is kept, scrubbed, in Raw).

// ---- requests ----

// paymentEnvelope is the body of POST /v1/payments: {"Payment": {...}}.
type paymentEnvelope struct {
	Payment wirePaymentRequest `json:"Payment"`
}

// wirePaymentRequest is the Payment object of POST /v1/payments.
type wirePaymentRequest struct {
	MerchantTransactionID string           `json:"MerchantTransactionID"`
	Amount                int64            `json:"Amount"`
	Currency              string           `json:"Currency"`
	MethodID              *int64           `json:"MethodID,omitempty"`
	MethodOptionID        *int64           `json:"MethodOptionID,omitempty"`
	IncludeMethodIDs      []int64          `json:"IncludeMethodIDs,omitempty"`
	ExcludeMethodIDs      []int64          `json:"ExcludeMethodIDs,omitempty"`
	PrioritizeMethodIDs   []int64          `json:"PrioritizeMethodIDs,omitempty"`
	SkinID                *int64           `json:"SkinID,omitempty"`
	ClientIP              string           `json:"ClientIP,omitempty"`
	ReturnURL             string           `json:"ReturnURL,omitempty"`
	Description           string           `json:"Description,omitempty"`
	StatementDescriptor   string           `json:"StatementDescriptor,omitempty"`
	TokenLifetime         *int64           `json:"TokenLifetime,omitempty"`
	Customer              *wireCustomerReq `json:"Customer,omitempty"`
	BillingAddress        *wireAddressReq  `json:"BillingAddress,omitempty"`
	ShippingAddress       *wireAddressReq  `json:"ShippingAddress,omitempty"`
	Articles              []wireArticle    `json:"Articles,omitempty"`
	Card                  *wireCardReq     `json:"Card,omitempty"`
	Capture               *bool            `json:"Capture,omitempty"`
}

// wireArticle is one Payment.Articles entry, with the members and types of
// the document's example (seed 002_c6b29c27df04218d.txt l.402–412). Its
// fields are Article's, in the same order, so that one converts to the other.
type wireArticle struct {
	MerchantArticleID string `json:"MerchantArticleID,omitempty"`
	Name              string `json:"Name,omitempty"`
	Quantity          int64  `json:"Quantity"`
	Price             int64  `json:"Price"`
	VAT               int64  `json:"VAT"`
	Discount          int64  `json:"Discount"`
	Type              int64  `json:"Type,omitempty"`
}

// wireCustomerReq is Payment.Customer in a request.
type wireCustomerReq struct {
	MerchantCustomerID string `json:"MerchantCustomerID,omitempty"`
	Email              string `json:"Email,omitempty"`
	FirstName          string `json:"FirstName,omitempty"`
	LastName           string `json:"LastName,omitempty"`
	Phone              string `json:"Phone,omitempty"`
	Company            string `json:"Company,omitempty"`
}

// wireAddressReq is Payment.BillingAddress / ShippingAddress in a request.
type wireAddressReq struct {
	City           string `json:"City,omitempty"`
	ZipCode        string `json:"ZipCode,omitempty"`
	State          string `json:"State,omitempty"`
	Street         string `json:"Street,omitempty"`
	StreetNumber   string `json:"StreetNumber,omitempty"`
	HouseNumber    string `json:"HouseNumber,omitempty"`
	HouseExtension string `json:"HouseExtension,omitempty"`
	Country        string `json:"Country,omitempty"`
}

// wireCardReq is Payment.Card of a direct card payment. It holds the card
// number and security code: it is only ever marshalled into a request body
// (which httpx scrubs before logging), never logged or stored.
type wireCardReq struct {
	HolderName      string `json:"HolderName"`
	Number          string `json:"Number"`
	ExpirationMonth string `json:"ExpirationMonth"`
	ExpirationYear  string `json:"ExpirationYear"`
	SecurityCode    string `json:"SecurityCode,omitempty"`
}

// refundEnvelope is the body of POST /v1/payments/{id}/refunds.
type refundEnvelope struct {
	Refund wireRefundRequest `json:"Refund"`
}

// wireRefundRequest is the Refund object of a refund request.
type wireRefundRequest struct {
	MerchantTransactionID string `json:"MerchantTransactionID"`
	Amount                int64  `json:"Amount"`
	Description           string `json:"Description,omitempty"`
}

// ---- responses ----

// paymentResponse is {"Payment": {...}}: the answer of create, capture,
// cancel, get and card status, the 4xx answers of those calls, and the body
// of a payment notification.
type paymentResponse struct {
	Payment *wirePayment `json:"Payment"`
}

// paymentsResponse is {"Payments": [...]}, the answer of GET /v1/payments.
type paymentsResponse struct {
	Payments []json.RawMessage `json:"Payments"`
}

// refundResponse is {"Refund": {...}}.
type refundResponse struct {
	Refund *wireRefund `json:"Refund"`
}

// refundsResponse is {"Refunds": [...]}.
type refundsResponse struct {
	Refunds []json.RawMessage `json:"Refunds"`
}

// wirePayment is what the driver reads of a GlobalPay payment, as the two
// APIs render it: the members convertPayment, paymentAction and
// errorFromResponse interpret, and nothing else. The alternative-methods host
// and the direct card host differ in a few members (CapturedAmount only on the
// card host, ReferenceDetails only on the other); the many members the driver
// does not interpret (Customer, addresses, Card, Details, MethodID, SiteID,
// Capture, 3DSecure, ...) have no field here, so encoding/json skips them
// without allocating, and an unexpected type in one of them never makes a
// money-moving answer unreadable. The whole answer stays available, scrubbed,
// in Payment.Raw. Notification bodies of shared credentials are told apart by
// key names (notificationAPI), not through this struct.
type wirePayment struct {
	InvalidRequestID      *string               `json:"InvalidRequestID,omitempty"`
	ID                    *json.Number          `json:"ID"`
	Created               *string               `json:"Created"`
	MerchantTransactionID *string               `json:"MerchantTransactionID"`
	Amount                *json.Number          `json:"Amount"`
	Currency              *string               `json:"Currency"`
	CapturedAmount        *json.Number          `json:"CapturedAmount,omitempty"`
	ReferenceDetails      *wireReferenceDetails `json:"ReferenceDetails"`
	Status                *wireStatus           `json:"Status"`
	RedirectURL           *string               `json:"RedirectURL"`
}

// wireStatus is Status{ID, Info, Reasons} of a payment or refund. ID and
// Info are null in the answer to a request that was refused before a payment
// existed.
type wireStatus struct {
	ID      *json.Number `json:"ID"`
	Info    *string      `json:"Info"`
	Reasons []wireReason `json:"Reasons"`
}

// wireReason is one Status.Reasons entry. The document spells Code as a JSON
// string in its POST /v1/payments examples ("20") and as a number in its
// capture and cancel examples (17); reasonCode reads both.
type wireReason struct {
	Code reasonCode `json:"Code"`
	Info *string    `json:"Info"`
}

// reasonCode is a return code sent as a JSON number or a JSON string.
type reasonCode string

// UnmarshalJSON accepts 17, "17" and null.
func (c *reasonCode) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*c = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = reasonCode(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*c = reasonCode(n.String())
	return nil
}

// wireReferenceDetails is Payment.ReferenceDetails: what the customer needs
// to pay by bank transfer, at a kiosk, or by scanning a QR code.
type wireReferenceDetails struct {
	BankCode        *string `json:"BankCode"`
	BankName        *string `json:"BankName"`
	EntityID        *string `json:"EntityID"`
	EntityNumber    *string `json:"EntityNumber"`
	ReferenceID     *string `json:"ReferenceID"`
	ReferenceNumber *string `json:"ReferenceNumber"`
	SwiftBIC        *string `json:"SwiftBIC"`
	AccountCurrency *string `json:"AccountCurrency"`
	AccountNumber   *string `json:"AccountNumber"`
	AccountHolder   *string `json:"AccountHolder"`
	IBAN            *string `json:"IBAN"`
	QRCodeURL       *string `json:"QRCodeURL"`
}

// UnmarshalJSON reads every member as text, whatever its JSON type (the
// document gives no types; a number such as an EntityID stays exact).
func (d *wireReferenceDetails) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, f := range d.fields() {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		s, err := rawText(raw)
		if err != nil {
			return err
		}
		*f.dst = s
	}
	return nil
}

type refField struct {
	name string
	dst  **string
}

func (d *wireReferenceDetails) fields() []refField {
	return []refField{
		{"BankCode", &d.BankCode}, {"BankName", &d.BankName}, {"EntityID", &d.EntityID},
		{"EntityNumber", &d.EntityNumber}, {"ReferenceID", &d.ReferenceID},
		{"ReferenceNumber", &d.ReferenceNumber}, {"SwiftBIC", &d.SwiftBIC},
		{"AccountCurrency", &d.AccountCurrency}, {"AccountNumber", &d.AccountNumber},
		{"AccountHolder", &d.AccountHolder}, {"IBAN", &d.IBAN}, {"QRCodeURL", &d.QRCodeURL},
	}
}

// rawText returns a JSON string's value, a number's or boolean's literal, or
// nil for null.
func rawText(raw json.RawMessage) (*string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return &s, nil
	}
	if raw[0] == '{' || raw[0] == '[' {
		s := string(raw)
		return &s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		s := n.String()
		return &s, nil
	}
	s := string(raw) // true / false
	return &s, nil
}

// wireRefund is what the driver reads of a GlobalPay refund (as
// wirePayment, the members it does not interpret, such as Created,
// MerchantTransactionID, Description and TypeID, have no field).
type wireRefund struct {
	ID               *json.Number `json:"ID"`
	InitialPaymentID *json.Number `json:"InitialPaymentID"`
	Amount           *json.Number `json:"Amount"`
	Currency         *string      `json:"Currency"`
	Status           *wireStatus  `json:"Status"`
}

// errorEnvelope is any 4xx body: the payment or refund echoed back with
// Status.Reasons, or {"Message": "..."} from the authorization filter.
type errorEnvelope struct {
	Payment *wirePayment `json:"Payment"`
	Refund  *wireRefund  `json:"Refund"`
	Message *string      `json:"Message"`
}

// numInt64 reads a json.Number that must be an integer.
func numInt64(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// decodeWirePayment decodes one payment object, raw being the whole of it (a
// list entry). Its amounts and IDs stay exact: wirePayment reads every number
// as a json.Number.
func decodeWirePayment(raw json.RawMessage) (*wirePayment, error) {
	var w wirePayment
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	return &w, nil
}
