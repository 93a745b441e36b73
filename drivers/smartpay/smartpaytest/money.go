package smartpaytest

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
)

// amountPattern is the documented pattern of every SmartPay amount
// (seed 003/004: "Value must match regular expression ^\d{1,18}\.\d{2}$").
// It is applied to the raw JSON text of the number, so no amount ever passes
// through a binary floating point value.
var amountPattern = regexp.MustCompile(`^\d{1,18}\.\d{2}$`)

// cents is an exact amount in hundredths of the currency unit. SmartPay
// amounts have up to 18 integer digits, which does not fit an int64 once
// scaled by 100, hence math/big.
type cents = *big.Int

func zero() cents { return new(big.Int) }

// parseAmountText converts a string that already matches amountPattern.
func parseAmountText(s string) cents {
	c, ok := new(big.Int).SetString(strings.Replace(s, ".", "", 1), 10)
	if !ok {
		panic("smartpaytest: parseAmountText on unvalidated input " + s)
	}
	return c
}

// formatCents renders c in the wire form: integer part, dot, two digits.
func formatCents(c cents) string {
	s := c.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) < 3 {
		s = "0" + s
	}
	out := s[:len(s)-2] + "." + s[len(s)-2:]
	if neg {
		out = "-" + out
	}
	return out
}

// number renders c as a JSON number with exactly two fraction digits.
func number(c cents) json.Number { return json.Number(formatCents(c)) }

func add(a, b cents) cents { return new(big.Int).Add(a, b) }
func sub(a, b cents) cents { return new(big.Int).Sub(a, b) }
func clone(a cents) cents  { return new(big.Int).Set(a) }
