// Package iso3166 holds the officially assigned ISO 3166-1 country codes:
// alpha-2, alpha-3 and numeric, with an English short name.
//
// Only the 249 officially assigned codes are included. User-assigned codes
// such as XK (Kosovo), and reserved or withdrawn codes, are not.
//
// Lookups take the exact upper-case code ("GB", not "gb"); callers normalise
// input. The data lives in iso3166.csv and is compiled into table_gen.go by
// "go generate".
package iso3166

// Country is one row of the ISO 3166-1 list.
type Country struct {
	// Alpha2 is the two-letter code, for example "GB".
	Alpha2 string
	// Alpha3 is the three-letter code, for example "GBR".
	Alpha3 string
	// Numeric is the three-digit numeric code, zero padded, for example "826".
	Numeric string
	// Name is an English short name, for display only; do not match on it.
	Name string
}

// byAlpha2 and byAlpha3 index table. They are built once, at package
// initialisation, and never written afterwards, so concurrent reads are safe.
var byAlpha2, byAlpha3 = func() (map[string]Country, map[string]Country) {
	a2 := make(map[string]Country, len(table))
	a3 := make(map[string]Country, len(table))
	for _, c := range table {
		a2[c.Alpha2] = c
		a3[c.Alpha3] = c
	}
	return a2, a3
}()

// ByAlpha2 returns the country with the given alpha-2 code, which must be
// exactly two upper-case letters ("DE"). ok is false for anything else,
// including user-assigned codes such as "XK". It does not allocate.
func ByAlpha2(code string) (c Country, ok bool) {
	c, ok = byAlpha2[code]
	return c, ok
}

// ByAlpha3 returns the country with the given alpha-3 code, which must be
// exactly three upper-case letters ("DEU"). ok is false for anything else.
// It does not allocate.
func ByAlpha3(code string) (c Country, ok bool) {
	c, ok = byAlpha3[code]
	return c, ok
}

// Alpha3 returns the alpha-3 code for an upper-case alpha-2 code, for example
// "GBR" for "GB". ok is false if alpha2 is not an assigned code.
func Alpha3(alpha2 string) (code string, ok bool) {
	c, ok := byAlpha2[alpha2]
	return c.Alpha3, ok
}

// Alpha2 returns the alpha-2 code for an upper-case alpha-3 code, for example
// "GB" for "GBR". ok is false if alpha3 is not an assigned code.
func Alpha2(alpha3 string) (code string, ok bool) {
	c, ok := byAlpha3[alpha3]
	return c.Alpha2, ok
}
