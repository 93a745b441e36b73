package payments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments/internal/iso4217"
)

// Currency is an ISO 4217 alphabetic currency code such as "EUR" or "JPY".
// Codes are upper case. Everything that takes a code from the user accepts
// it in any case and stores it upper-cased: [ParseCurrency], [ParseMoney],
// [MoneyFromMinor], [NewMoney], [NewRouter] (a [Route]'s Currencies and
// bounds) and [Capabilities.AcceptsCurrency]. A Money built as a literal
// must use the upper-case form.
type Currency string

// normalize returns c trimmed and upper-cased, the form every constructor
// stores.
func (c Currency) normalize() Currency {
	return Currency(strings.ToUpper(strings.TrimSpace(string(c))))
}

// ParseCurrency upper-cases and trims code and checks that it is a current
// ISO 4217 code with a defined number of minor units.
func ParseCurrency(code string) (Currency, error) {
	c := Currency(code).normalize()
	if _, err := c.Exponent(); err != nil {
		return "", err
	}
	return c, nil
}

// Exponent returns the number of minor-unit digits of the currency as ISO
// 4217 defines it: 2 for EUR, 0 for JPY, 3 for KWD, 4 for CLF. An unknown
// code is an error wrapping [ErrInvalidRequest].
func (c Currency) Exponent() (int, error) {
	if n, ok := iso4217.MinorUnits(string(c)); ok {
		return n, nil
	}
	return 0, &Error{Code: InvalidRequest, Field: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 code", string(c))}
}

// Valid reports whether c is a current ISO 4217 code.
func (c Currency) Valid() bool {
	_, ok := iso4217.MinorUnits(string(c))
	return ok
}

// String returns the code.
func (c Currency) String() string { return string(c) }

// Money is an exact amount in a currency. The zero value is an invalid Money
// (no currency); build values with [ParseMoney], [MoneyFromMinor] or [NewMoney].
// It still has a JSON form, {"amount":"0","currency":""}, which reads back as
// the zero value (see [Money.MarshalJSON]), so that a Payment whose money
// fields a driver left unset survives its own JSON round trip.
//
// Money never passes through float64: amounts are decimal, and conversions to
// minor units fail instead of rounding.
type Money struct {
	// Amount is the decimal amount in major units, e.g. 10.5 for €10.50.
	Amount decimal.Decimal
	// Currency is the ISO 4217 code.
	Currency Currency
}

// NewMoney checks that amount fits the currency's exponent (no finer than
// its minor unit) and returns it as Money. The currency code is upper-cased.
func NewMoney(amount decimal.Decimal, currency Currency) (Money, error) {
	m := Money{Amount: amount, Currency: currency.normalize()}
	if err := m.check(); err != nil {
		return Money{}, err
	}
	return m, nil
}

// ParseMoney parses a decimal string such as "10.50" or "-3" in the given
// currency. The currency code is upper-cased. An unknown code, a malformed
// number (exponent notation, spaces, several dots) or more fraction digits
// than the currency allows is an error wrapping [ErrInvalidRequest].
func ParseMoney(amount, currency string) (Money, error) {
	c := Currency(currency).normalize()
	if !validDecimalString(amount) {
		return Money{}, &Error{Code: InvalidRequest, Field: "amount", Message: fmt.Sprintf("%q is not a decimal amount", amount)}
	}
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return Money{}, &Error{Code: InvalidRequest, Field: "amount", Message: fmt.Sprintf("%q is not a decimal amount", amount), Err: err}
	}
	return NewMoney(d, c)
}

// validDecimalString accepts an optional sign, digits, and an optional
// fraction: "-12.50", "0.5", "7". It rejects what decimal.NewFromString would
// also take but a payment amount must never be: "1e3", ".5", "5.", "+-1".
func validDecimalString(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") || len(s) > 64 {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// MoneyFromMinor builds Money from an integer count of minor units: 1050 EUR
// is 10.50 EUR, 1050 JPY is 1050 JPY, 1050 KWD is 1.050 KWD. The currency
// code is upper-cased.
func MoneyFromMinor(units int64, currency string) (Money, error) {
	c := Currency(currency).normalize()
	exp, err := c.Exponent()
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: decimal.New(units, int32(-exp)), Currency: c}, nil
}

// Minor returns the amount as an integer count of the currency's minor units.
// It is exact: an amount finer than the minor unit (10.555 EUR) or outside
// the int64 range is an error, never rounded.
func (m Money) Minor() (int64, error) {
	exp, err := m.Currency.Exponent()
	if err != nil {
		return 0, err
	}
	shifted := m.Amount.Shift(int32(exp))
	if !shifted.Equal(shifted.Truncate(0)) {
		return 0, &Error{Code: InvalidRequest, Field: "amount", Message: fmt.Sprintf("%s has more fraction digits than %s allows (%d)", m.Amount.String(), m.Currency, exp)}
	}
	bi := shifted.BigInt()
	if !bi.IsInt64() {
		return 0, &Error{Code: InvalidRequest, Field: "amount", Message: fmt.Sprintf("%s %s does not fit in 64-bit minor units", m.Amount.String(), m.Currency)}
	}
	return bi.Int64(), nil
}

// check verifies the currency and that the amount is no finer than its
// exponent.
func (m Money) check() error {
	exp, err := m.Currency.Exponent()
	if err != nil {
		return err
	}
	if -m.Amount.Exponent() > int32(exp) {
		// The decimal may carry trailing zeros ("10.500" EUR is fine).
		if !m.Amount.Equal(m.Amount.Truncate(int32(exp))) {
			return &Error{Code: InvalidRequest, Field: "amount", Message: fmt.Sprintf("%s has more fraction digits than %s allows (%d)", m.Amount.String(), m.Currency, exp)}
		}
	}
	return nil
}

// String formats the amount with exactly the currency's number of fraction
// digits followed by the code: "10.50 EUR", "1000 JPY", "1.500 KWD". The zero
// Money prints as "0".
func (m Money) String() string {
	if m.Currency == "" {
		return m.Amount.String()
	}
	exp, err := m.Currency.Exponent()
	if err != nil {
		return m.Amount.String() + " " + string(m.Currency)
	}
	return m.Amount.StringFixed(int32(exp)) + " " + string(m.Currency)
}

// Decimal formats the amount alone with exactly the currency's number of
// fraction digits ("10.50" for EUR), as JSON and many wire formats want it.
func (m Money) Decimal() string {
	exp, err := m.Currency.Exponent()
	if err != nil {
		return m.Amount.String()
	}
	return m.Amount.StringFixed(int32(exp))
}

// Add returns m + o. Adding different currencies is an error wrapping
// [ErrInvalidRequest].
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Add(o.Amount), Currency: m.Currency}, nil
}

// Sub returns m - o. Subtracting different currencies is an error wrapping
// [ErrInvalidRequest].
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Sub(o.Amount), Currency: m.Currency}, nil
}

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o. Comparing
// different currencies is an error, since no answer would be true.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency(o); err != nil {
		return 0, err
	}
	return m.Amount.Cmp(o.Amount), nil
}

// IsZero reports whether the amount is zero (whatever the currency).
func (m Money) IsZero() bool { return m.Amount.IsZero() }

// IsPositive reports whether the amount is greater than zero.
func (m Money) IsPositive() bool { return m.Amount.IsPositive() }

// Zero returns zero in the same currency.
func (m Money) Zero() Money { return Money{Currency: m.Currency} }

// Equal reports whether m and o are the same amount in the same currency
// (10.5 EUR equals 10.50 EUR).
func (m Money) Equal(o Money) bool {
	return m.Currency == o.Currency && m.Amount.Equal(o.Amount)
}

func (m Money) sameCurrency(o Money) error {
	if m.Currency != o.Currency {
		return &Error{Code: InvalidRequest, Field: "currency", Message: fmt.Sprintf("currency mismatch: %s and %s", m.Currency, o.Currency)}
	}
	return nil
}

type moneyJSON struct {
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
}

// MarshalJSON encodes Money as {"amount":"10.50","currency":"EUR"}, the amount
// a string with exactly the currency's digits.
//
// It never rounds. The zero Money (no currency, amount zero) is written
// {"amount":"0","currency":""} and [Money.UnmarshalJSON] reads that back as
// the zero value. Any other invalid Money (an unknown currency, an amount
// with no currency, an amount finer than the currency's minor unit) is
// written with its exact digits, e.g. {"amount":"10.555","currency":"EUR"},
// and reading it back is an error: a round trip fails rather than change the
// amount.
func (m Money) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"amount":"`)
	b.WriteString(m.exactDecimal())
	b.WriteString(`","currency":`)
	cur, err := json.Marshal(string(m.Currency))
	if err != nil {
		return nil, err
	}
	b.Write(cur)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// exactDecimal is [Money.Decimal] for an amount that fits the currency, and
// the amount's own exact digits otherwise (never rounded).
func (m Money) exactDecimal() string {
	exp, err := m.Currency.Exponent()
	if err != nil || !m.Amount.Equal(m.Amount.Truncate(int32(exp))) {
		return m.Amount.String()
	}
	return m.Amount.StringFixed(int32(exp))
}

// UnmarshalJSON decodes {"amount":"10.50","currency":"EUR"}. The amount may
// also be a bare JSON number (decoded exactly, never through float64). The
// same rules as [ParseMoney] apply, with one exception: an empty currency
// with a zero amount, as [Money.MarshalJSON] writes the zero Money, decodes
// to the zero Money. An empty currency with any other amount is an error.
func (m *Money) UnmarshalJSON(data []byte) error {
	var raw moneyJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return &Error{Code: InvalidRequest, Field: "amount", Message: "malformed money JSON", Err: err}
	}
	amount := string(bytes.TrimSpace(raw.Amount))
	if strings.HasPrefix(amount, `"`) {
		var s string
		if err := json.Unmarshal(raw.Amount, &s); err != nil {
			return &Error{Code: InvalidRequest, Field: "amount", Message: "malformed money JSON", Err: err}
		}
		amount = s
	}
	if raw.Currency == "" && validDecimalString(amount) {
		if d, err := decimal.NewFromString(amount); err == nil && d.IsZero() {
			*m = Money{}
			return nil
		}
	}
	v, err := ParseMoney(amount, raw.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
