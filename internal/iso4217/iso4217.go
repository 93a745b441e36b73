// Package iso4217 holds the current ISO 4217 currency codes ("list one" of
// the ISO 4217 maintenance agency) together with their numeric codes and
// minor units, for turning amounts into minor units and back.
//
// Only codes with a defined minor unit are included: precious metals, the
// SDR, bond-market units, XTS and XXX (minor unit "N.A." in list one) are
// left out, as are withdrawn codes such as ANG, BGN, CUC, HRK, SLL and ZWL.
// Funds codes with a defined minor unit (for example CLF, UYW, USN) are kept.
//
// Lookups take the exact upper-case alphabetic code; callers normalise input.
// The data lives in iso4217.csv and is compiled into table_gen.go by
// "go generate".
package iso4217

import "slices"

// Currency is one row of the ISO 4217 list.
type Currency struct {
	// Code is the three-letter alphabetic code, for example "EUR".
	Code string
	// Numeric is the three-digit numeric code, zero padded, for example "978".
	Numeric string
	// Name is the currency name as spelled in list one, for example "Euro".
	Name string
	// MinorUnits is the number of decimal digits of the minor unit: 2 for
	// EUR (cents), 0 for JPY, 3 for KWD, 4 for CLF.
	MinorUnits int
}

// byCode indexes table by alphabetic code. It is built once, at package
// initialisation, and never written afterwards, so concurrent reads are safe.
var byCode = func() map[string]Currency {
	m := make(map[string]Currency, len(table))
	for _, c := range table {
		m[c.Code] = c
	}
	return m
}()

// Lookup returns the currency with the given alphabetic code. The code must
// be exactly three upper-case letters as listed ("EUR", not "eur"); ok is
// false for anything else. Lookup does not allocate.
func Lookup(code string) (c Currency, ok bool) {
	c, ok = byCode[code]
	return c, ok
}

// MinorUnits returns the number of decimal digits of the minor unit of the
// currency with the given alphabetic code, for example 2 for "USD" and 0 for
// "JPY". ok is false if the code is not in the table. It does not allocate.
func MinorUnits(code string) (n int, ok bool) {
	c, ok := byCode[code]
	return c.MinorUnits, ok
}

// All returns every currency in the table, sorted by code. The slice is a
// fresh copy that the caller may modify.
func All() []Currency {
	return slices.Clone(table[:])
}
