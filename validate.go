package payments

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"

	"github.com/gopayments/payments/internal/iso3166"
	"github.com/gopayments/payments/internal/redact"
)

// The one validator instance; it caches struct metadata, so it is built
// once and shared (it is safe for concurrent use).
var validate = sync.OnceValue(newValidator)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			return ""
		case "":
			return f.Name
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // programming error in the tag table below, caught by every test
		}
	}
	must(v.RegisterValidation("pan", func(fl validator.FieldLevel) bool {
		return panProblem(fl.Field().String()) == ""
	}))
	must(v.RegisterValidation("month", func(fl validator.FieldLevel) bool {
		m, err := strconv.Atoi(fl.Field().String())
		return err == nil && m >= 1 && m <= 12 && len(fl.Field().String()) <= 2
	}))
	must(v.RegisterValidation("year", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return (len(s) == 2 || len(s) == 4) && allDigits(s)
	}))
	must(v.RegisterValidation("cvv", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return (len(s) == 3 || len(s) == 4) && allDigits(s)
	}))
	must(v.RegisterValidation("country", func(fl validator.FieldLevel) bool {
		_, ok := iso3166.Alpha3(fl.Field().String())
		return ok
	}))
	v.RegisterStructValidation(validateMoney, Money{})
	v.RegisterStructValidation(validateAuthorize, AuthorizeRequest{})
	v.RegisterStructValidation(validateCapture, CaptureRequest{})
	v.RegisterStructValidation(validateRefund, RefundRequest{})
	v.RegisterStructValidation(validateStatus, StatusRequest{})
	return v
}

// current returns the struct a struct-level validator is called for,
// through a pointer when the validator reached it through one or through
// an addressable value (always, for requests passed to Validate): copying
// the struct into an interface would allocate. ok is false if the struct
// is not a T, which registration by type rules out.
func current[T any](sl validator.StructLevel) (v *T, ok bool) {
	cur := sl.Current()
	if cur.CanAddr() {
		v, ok = cur.Addr().Interface().(*T)
		return v, ok
	}
	c, ok := cur.Interface().(T)
	return &c, ok
}

// reportType fails a struct-level validation whose struct current could
// not read (unreachable; it fails closed rather than skip the checks).
func reportType(sl validator.StructLevel) {
	sl.ReportError(nil, "", "", "struct_type", "")
}

func validateMoney(sl validator.StructLevel) {
	m, ok := current[Money](sl)
	if !ok {
		reportType(sl)
		return
	}
	exp, err := m.Currency.Exponent()
	if err != nil {
		sl.ReportError(string(m.Currency), "currency", "Currency", "iso4217", "")
		return
	}
	if !m.Amount.Equal(m.Amount.Truncate(int32(exp))) {
		sl.ReportError(m.Amount.String(), "amount", "Amount", "money_scale", string(m.Currency)+" "+strconv.Itoa(exp))
	}
}

func validateAuthorize(sl validator.StructLevel) {
	r, ok := current[AuthorizeRequest](sl)
	if !ok {
		reportType(sl)
		return
	}
	if !r.Amount.IsPositive() {
		sl.ReportError(r.Amount.Amount.String(), "amount", "Amount", "positive", "")
	}
}

func validateCapture(sl validator.StructLevel) {
	r, ok := current[CaptureRequest](sl)
	if !ok {
		reportType(sl)
		return
	}
	if r.Amount != nil && !r.Amount.IsPositive() {
		sl.ReportError(r.Amount.Amount.String(), "amount", "Amount", "positive", "")
	}
}

func validateRefund(sl validator.StructLevel) {
	r, ok := current[RefundRequest](sl)
	if !ok {
		reportType(sl)
		return
	}
	if r.Amount != nil && !r.Amount.IsPositive() {
		sl.ReportError(r.Amount.Amount.String(), "amount", "Amount", "positive", "")
	}
}

func validateStatus(sl validator.StructLevel) {
	r, ok := current[StatusRequest](sl)
	if !ok {
		reportType(sl)
		return
	}
	if r.ID == "" && r.Reference == "" {
		sl.ReportError("", "id", "ID", "id_or_reference", "")
	}
}

// Validate checks the request against the rules every driver shares. It is
// called by every driver before any I/O; drivers add their provider's own
// requirements on top.
func (r *AuthorizeRequest) Validate() error { return validateRequest(r) }

// Validate checks the request; see [AuthorizeRequest.Validate].
func (r *CaptureRequest) Validate() error { return validateRequest(r) }

// Validate checks the request; see [AuthorizeRequest.Validate].
func (r *CancelRequest) Validate() error { return validateRequest(r) }

// Validate checks the request; see [AuthorizeRequest.Validate].
func (r *RefundRequest) Validate() error { return validateRequest(r) }

// Validate checks that the request names an ID or a Reference.
func (r *StatusRequest) Validate() error { return validateRequest(r) }

func validateRequest[T any](r *T) error {
	if r == nil {
		return &Error{Code: InvalidRequest, Message: "request is nil"}
	}
	err := validate().Struct(r)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return &Error{Code: InvalidRequest, Message: err.Error(), Err: err}
	}
	msgs := make([]string, 0, len(ves))
	first := ""
	for _, fe := range ves {
		path := jsonPath(fe.Namespace())
		if first == "" {
			first = path
		}
		msgs = append(msgs, path+": "+ruleText(fe, path))
	}
	return &Error{Code: InvalidRequest, Field: first, Message: strings.Join(msgs, "; ")}
}

// jsonPath turns the validator's namespace ("AuthorizeRequest.amount.currency")
// into the request's JSON path ("amount.currency").
func jsonPath(ns string) string {
	_, rest, ok := strings.Cut(ns, ".")
	if !ok {
		return ns
	}
	return rest
}

// secretField reports whether the field's value must never appear in a
// message.
func secretField(path string) bool {
	last := path[strings.LastIndexByte(path, '.')+1:]
	return last == "number" || last == "cvv" || last == "token" || redact.IsSecretKey(last)
}

// ruleText says in words which rule a field broke.
func ruleText(fe validator.FieldError, path string) string {
	val := func() string {
		if secretField(path) {
			return "the value"
		}
		return strconv.Quote(fmt.Sprint(fe.Value()))
	}
	switch fe.Tag() {
	case "required", "required_without":
		return "required"
	case "id_or_reference":
		return "an id or a reference is required"
	case "iso4217":
		if s, ok := fe.Value().(string); ok && s != "" {
			if up := Currency(s).normalize(); up.Valid() {
				return val() + ` is not an ISO 4217 code: codes are upper case ("` + string(up) + `"), as ParseMoney, MoneyFromMinor and NewMoney store them`
			}
		}
		return val() + " is not an ISO 4217 code"
	case "money_scale":
		cur, exp, _ := strings.Cut(fe.Param(), " ")
		return fmt.Sprintf("%s has more fraction digits than %s allows (%s)", val(), cur, exp)
	case "positive":
		return "must be greater than zero"
	case "pan":
		// The raw value: a CardNumber formats itself masked.
		return panProblem(reflect.ValueOf(fe.Value()).String())
	case "month":
		return val() + " is not a month (1 to 12)"
	case "year":
		return val() + " is not a 2- or 4-digit year"
	case "cvv":
		return "must be 3 or 4 digits"
	case "country":
		return val() + " is not an ISO 3166-1 alpha-2 country code"
	case "max":
		if fe.Kind() == reflect.Map || fe.Kind() == reflect.Slice {
			return "more than " + fe.Param() + " entries"
		}
		return "longer than " + fe.Param() + " characters"
	case "email":
		return val() + " is not an email address"
	case "e164":
		return val() + ` is not an international phone number ("+" and up to 15 digits)`
	case "url":
		return val() + " is not an absolute URL"
	case "ip":
		return val() + " is not an IP address"
	case "datetime":
		return val() + " is not a date as YYYY-MM-DD"
	case "printascii":
		return "must be printable ASCII"
	case "oneof":
		return val() + " is not one of: " + fe.Param()
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	}
	return "fails the " + fe.Tag() + " rule"
}

// panProblem says what is wrong with a card number, "" if nothing. It
// gathers the digits in a stack buffer: a valid number costs no allocation.
func panProblem(n string) string {
	var digits [19]byte
	k := 0 // digits seen; only the first len(digits) are kept
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= '0' && c <= '9':
			if k < len(digits) {
				digits[k] = c
			}
			k++
		case c == ' ' || c == '-':
		default:
			return "must contain only digits, spaces and dashes"
		}
	}
	if k < 12 || k > 19 {
		return "must be 12 to 19 digits"
	}
	if !redact.Luhn(string(digits[:k])) {
		return "fails the Luhn check"
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
