package smartpaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// fieldError is one entry of the documented validation error body
// {traceId, errors[{message, code, property, context}]}.
type fieldError struct {
	Message  string         `json:"message"`
	Code     string         `json:"code,omitempty"`
	Property string         `json:"property,omitempty"`
	Context  map[string]any `json:"context,omitempty"`
}

// Validation error codes used by the simulator. The document shows
// "value_out_of_bounds", "unauthorized", "forbidden" and "not_found"; the
// others follow the same snake_case style (the document is silent on them).
const (
	codeRequired          = "required"
	codeInvalidType       = "invalid_type"
	codeInvalidFormat     = "invalid_format"
	codeInvalidValue      = "invalid_value"
	codeMaxLength         = "max_length"
	codeOutOfBounds       = "value_out_of_bounds"
	codeMutuallyExclusive = "mutually_exclusive"
	codeNotUnique         = "not_unique"
	codeInvalidJSON       = "invalid_json"
)

type verrs []fieldError

func (v *verrs) add(prop, code, msg string, ctx map[string]any) {
	*v = append(*v, fieldError{Message: msg, Code: code, Property: prop, Context: ctx})
}

func (v *verrs) required(prop string) {
	v.add(prop, codeRequired, fmt.Sprintf("The field %s is required.", prop), nil)
}

func (v *verrs) maxLen(prop, val string, n int) {
	if utf8.RuneCountInString(val) > n {
		v.add(prop, codeMaxLength, fmt.Sprintf("The field %s must not be longer than %d characters.", prop, n),
			map[string]any{"maxLength": n})
	}
}

func (v *verrs) requiredMax(prop, val string, n int) {
	if val == "" {
		v.required(prop)
		return
	}
	v.maxLen(prop, val, n)
}

var (
	partnerRefPattern = regexp.MustCompile(`^[a-zA-Z0-9\-_\.:]+$`)
	currencyPattern   = regexp.MustCompile(`^[A-Z]{3}$`)
	alpha3Pattern     = regexp.MustCompile(`^[A-Z]{3}$`)
	alpha2Pattern     = regexp.MustCompile(`^[A-Z]{2}$`)
	datePattern       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// amount validates a raw JSON amount. It returns nil when invalid (the
// error is recorded in v) or when absent and not required.
func (v *verrs) amount(prop string, raw json.RawMessage, required bool) cents {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			v.required(prop)
		}
		return nil
	}
	if raw[0] == '"' {
		v.add(prop, codeInvalidType,
			fmt.Sprintf("The field %s must be a JSON number with exactly two fraction digits, not a string.", prop),
			map[string]any{"type": "number", "pattern": amountPattern.String()})
		return nil
	}
	if !amountPattern.Match(raw) {
		v.add(prop, codeInvalidFormat,
			fmt.Sprintf("The field %s must match the pattern %s.", prop, amountPattern.String()),
			map[string]any{"pattern": amountPattern.String()})
		return nil
	}
	c := parseAmountText(string(raw))
	if c.Sign() <= 0 {
		v.add(prop, codeOutOfBounds, fmt.Sprintf("Value out of bounds. %s must be at least 0.01", prop),
			map[string]any{"minimum": json.Number("0.01")})
		return nil
	}
	return c
}

func (v *verrs) currency(prop, val string) {
	if val == "" {
		v.required(prop)
		return
	}
	if !currencyPattern.MatchString(val) {
		v.add(prop, codeInvalidFormat, fmt.Sprintf("The field %s must be a 3-letter ISO-4217 currency code.", prop),
			map[string]any{"pattern": currencyPattern.String()})
	}
}

// amountReq is the documented {amount, currencyCode, description} object
// (payment, modifiedAmount, paymentSplitDestinations[]).
type amountReq struct {
	Amount       json.RawMessage `json:"amount"`
	CurrencyCode string          `json:"currencyCode"`
	Description  string          `json:"description"`
}

type addressReq struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	AddressLine3 string `json:"addressLine3"`
	City         string `json:"city"`
	CountryCode  string `json:"countryCode"`
	Number       string `json:"number"`
	PostCode     string `json:"postCode"`
	State        string `json:"state"`
}

func (v *verrs) address(prop string, a *addressReq) {
	v.requiredMax(prop+".addressLine1", a.AddressLine1, 60)
	v.maxLen(prop+".addressLine2", a.AddressLine2, 60)
	v.maxLen(prop+".addressLine3", a.AddressLine3, 60)
	v.requiredMax(prop+".city", a.City, 50)
	v.requiredMax(prop+".postCode", a.PostCode, 10)
	v.maxLen(prop+".number", a.Number, 10)
	v.maxLen(prop+".state", a.State, 3)
	switch {
	case a.CountryCode == "":
		v.required(prop + ".countryCode")
	case !alpha3Pattern.MatchString(a.CountryCode):
		v.add(prop+".countryCode", codeInvalidFormat,
			fmt.Sprintf("The field %s.countryCode must be an ISO 3166-1 alpha-3 code (e.g. DEU).", prop),
			map[string]any{"minLength": 3, "maxLength": 3})
	case (a.CountryCode == "USA" || a.CountryCode == "CAN") && a.State == "":
		v.add(prop+".state", codeRequired,
			fmt.Sprintf("The field %s.state is required when countryCode is USA or CAN.", prop), nil)
	}
}

type consumerReq struct {
	Culture      string `json:"culture"`
	DateOfBirth  string `json:"dateOfBirth"`
	EmailAddress string `json:"emailAddress"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	MiddleName   string `json:"middleName"`
	Title        string `json:"title"`
	Gender       string `json:"gender"`
}

func (v *verrs) consumer(prop string, c *consumerReq) {
	v.maxLen(prop+".culture", c.Culture, 5)
	v.maxLen(prop+".emailAddress", c.EmailAddress, 255)
	v.maxLen(prop+".firstName", c.FirstName, 60)
	v.maxLen(prop+".lastName", c.LastName, 60)
	v.maxLen(prop+".middleName", c.MiddleName, 60)
	v.maxLen(prop+".title", c.Title, 3)
	v.maxLen(prop+".gender", c.Gender, 6)
	if c.DateOfBirth != "" && (!datePattern.MatchString(c.DateOfBirth) || c.DateOfBirth < "1900-01-01") {
		v.add(prop+".dateOfBirth", codeInvalidFormat,
			"The field "+prop+".dateOfBirth must have the format YYYY-MM-DD and not be before 1900-01-01.",
			map[string]any{"pattern": datePattern.String()})
	}
}

type customRefsReq struct {
	Custom1 string `json:"custom1,omitempty"`
	Custom2 string `json:"custom2,omitempty"`
	Custom3 string `json:"custom3,omitempty"`
}

func (v *verrs) customRefs(prop string, c *customRefsReq) {
	if c == nil {
		return
	}
	v.maxLen(prop+".custom1", c.Custom1, 255)
	v.maxLen(prop+".custom2", c.Custom2, 255)
	v.maxLen(prop+".custom3", c.Custom3, 255)
}

type criterionReq struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type splitReq struct {
	PaymentSplitDestinations []splitDestinationReq `json:"paymentSplitDestinations"`
}

type splitDestinationReq struct {
	DestinationReference string `json:"destinationReference"`
	amountReq
}

// checkoutFields are the request fields shared by POST /payment/creation
// and POST /payment/authorize/.
type checkoutFields struct {
	MerchantKey                    string          `json:"merchantKey"`
	PartnerReference               *string         `json:"partnerReference"`
	CustomerAccountID              string          `json:"customerAccountId"`
	ShopCountry                    string          `json:"shopCountry"`
	Payment                        *amountReq      `json:"payment"`
	PaymentSplit                   *splitReq       `json:"paymentSplit"`
	BillingAddress                 *addressReq     `json:"billingAddress"`
	ShippingAddress                *addressReq     `json:"shippingAddress"`
	Consumer                       json.RawMessage `json:"consumer"`
	BusinessConsumer               json.RawMessage `json:"businessConsumer"`
	CustomReferences               *customRefsReq  `json:"customReferences"`
	Criteria                       []criterionReq  `json:"criteria"`
	ExtraInfo                      json.RawMessage `json:"extraInfo"`
	TargetMerchantAccountReference string          `json:"targetMerchantAccountReference"`
}

type paymentOptionReq struct {
	InvoicePayment *struct {
		Type string `json:"type"`
	} `json:"invoicePayment"`
}

type authorizeReq struct {
	checkoutFields
	PaymentOption *paymentOptionReq `json:"paymentOption"`
}

type modificationReq struct {
	TransactionID    string         `json:"transactionId"`
	MerchantKey      string         `json:"merchantKey"`
	ModificationID   string         `json:"modificationId"`
	ModifiedAmount   *amountReq     `json:"modifiedAmount"`
	Description      string         `json:"description"`
	CustomReferences *customRefsReq `json:"customReferences"`
}

func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

// validatedCheckout is the outcome of validating checkoutFields.
type validatedCheckout struct {
	amount   cents
	consumer *consumerReq
}

// validateCheckout checks the fields shared by creation and authorization.
func validateCheckout(f *checkoutFields, v *verrs, merchantKeyRequired bool) validatedCheckout {
	var out validatedCheckout
	if merchantKeyRequired {
		v.requiredMax("merchantKey", f.MerchantKey, 36)
	} else {
		v.maxLen("merchantKey", f.MerchantKey, 36)
	}
	if f.PartnerReference != nil {
		ref := *f.PartnerReference
		switch {
		case len(ref) > 64:
			v.add("partnerReference", codeMaxLength, "The field partnerReference must not be longer than 64 characters.",
				map[string]any{"maxLength": 64})
		case !partnerRefPattern.MatchString(ref):
			v.add("partnerReference", codeInvalidFormat,
				"The field partnerReference may only contain the characters a-z, A-Z, 0-9, '-', '_', '.', ':'.",
				map[string]any{"pattern": partnerRefPattern.String()})
		}
	}
	v.maxLen("customerAccountId", f.CustomerAccountID, 255)
	if f.ShopCountry != "" && !alpha2Pattern.MatchString(f.ShopCountry) {
		v.add("shopCountry", codeInvalidFormat, "The field shopCountry must be an ISO 3166-1 alpha-2 code.",
			map[string]any{"maxLength": 2})
	}
	if f.Payment == nil {
		v.required("payment")
	} else {
		out.amount = v.amount("payment.amount", f.Payment.Amount, true)
		v.currency("payment.currencyCode", f.Payment.CurrencyCode)
		v.requiredMax("payment.description", f.Payment.Description, 127)
	}
	if f.PaymentSplit != nil {
		if len(f.PaymentSplit.PaymentSplitDestinations) == 0 {
			v.required("paymentSplit.paymentSplitDestinations")
		}
		for i := range f.PaymentSplit.PaymentSplitDestinations {
			d := &f.PaymentSplit.PaymentSplitDestinations[i]
			p := fmt.Sprintf("paymentSplit.paymentSplitDestinations[%d]", i)
			v.requiredMax(p+".destinationReference", d.DestinationReference, 127)
			v.amount(p+".amount", d.Amount, true)
			v.currency(p+".currencyCode", d.CurrencyCode)
			v.requiredMax(p+".description", d.Description, 127)
		}
	}
	if f.BillingAddress == nil {
		v.required("billingAddress")
	} else {
		v.address("billingAddress", f.BillingAddress)
	}
	if f.ShippingAddress != nil {
		v.address("shippingAddress", f.ShippingAddress)
	}
	hasConsumer, hasBusiness := present(f.Consumer), present(f.BusinessConsumer)
	switch {
	case hasConsumer && hasBusiness:
		v.add("consumer", codeMutuallyExclusive, "consumer and businessConsumer may not be submitted together.",
			map[string]any{"exclusiveWith": "businessConsumer"})
	case !hasConsumer && !hasBusiness:
		v.add("consumer", codeRequired, "Either consumer or businessConsumer is required.", nil)
	}
	if hasConsumer {
		var c consumerReq
		if err := json.Unmarshal(f.Consumer, &c); err != nil {
			prop, typ := "consumer", "object"
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				prop, typ = "consumer."+te.Field, jsonTypeName(te.Type.Kind().String())
			}
			v.add(prop, codeInvalidType, fmt.Sprintf("The field %s must be of type %s.", prop, typ),
				map[string]any{"type": typ})
		} else {
			v.consumer("consumer", &c)
			out.consumer = &c
		}
	}
	if hasBusiness {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(f.BusinessConsumer, &m); err != nil {
			v.add("businessConsumer", codeInvalidType, "The field businessConsumer must be an object.", nil)
		}
	}
	v.customRefs("customReferences", f.CustomReferences)
	seen := map[string]bool{}
	for i, c := range f.Criteria {
		p := fmt.Sprintf("criteria[%d]", i)
		v.requiredMax(p+".name", c.Name, 50)
		v.maxLen(p+".value", c.Value, 100)
		if seen[c.Name] {
			v.add(p+".name", codeNotUnique, "The criteria name must be unique within the criteria array.", nil)
		}
		seen[c.Name] = true
	}
	v.maxLen("targetMerchantAccountReference", f.TargetMerchantAccountReference, 127)
	return out
}

// decodeJSON decodes body into dst with UseNumber semantics and maps decoding
// problems to validation errors.
func decodeJSON(body []byte, dst any) verrs {
	var v verrs
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		v.add("", codeInvalidJSON, "The request body is required.", nil)
		return v
	}
	if trimmed[0] != '{' {
		v.add("", codeInvalidJSON, "The request body must be a JSON object.", nil)
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(dst)
	if err == nil {
		if _, e := dec.Token(); !errors.Is(e, io.EOF) {
			v.add("", codeInvalidJSON, "The request body contains data after the JSON object.", nil)
		}
		return v
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Embedded request structs show up in the path; the wire has no such level.
		prop := strings.NewReplacer("checkoutFields.", "", "amountReq.", "").Replace(te.Field)
		v.add(prop, codeInvalidType, fmt.Sprintf("The field %s must be of type %s.", prop, jsonTypeName(te.Type.Kind().String())),
			map[string]any{"type": jsonTypeName(te.Type.Kind().String())})
		return v
	}
	v.add("", codeInvalidJSON, "The request body is not valid JSON: "+strings.TrimPrefix(err.Error(), "json: "), nil)
	return v
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "struct", "map", "ptr":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	default:
		return kind
	}
}
