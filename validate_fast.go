package payments

import (
	"net/netip"
	"reflect"
	"sync"

	"github.com/go-playground/validator/v10"
)

// Fast paths for the validator's hot built-in tags.
//
// Each tag below is registered on our validator under its built-in name, so
// struct tags, error tags and messages are unchanged. The registered
// function first tries a cheap recognizer for the common, obviously valid
// shapes; a recognizer may only ever answer "valid" for a string the
// built-in function accepts too (FuzzValidateFastPaths and the differential
// table in validate_fast_test.go check this). Anything it does not
// recognize, including every invalid input, is answered by the built-in
// function itself, on a second validator instance that keeps the
// built-ins. So the accepted inputs are exactly the built-in's.

// fastTags maps a built-in tag to its fast recognizer.
var fastTags = map[string]func(string) bool{
	"email":      fastEmail,
	"url":        fastURL,
	"e164":       fastE164,
	"ip":         fastIP,
	"printascii": fastPrintASCII,
}

// original is a validator with only the built-in validations: the slow
// path of every fast tag. It is built on first use (a valid request never
// needs it).
var original = sync.OnceValue(func() *validator.Validate { return validator.New() })

// originalValid reports whether the built-in validation tag accepts the
// field.
func originalValid(tag string, f reflect.Value) bool {
	if f.Kind() == reflect.String {
		// The built-ins read string fields through Kind and String only,
		// so a plain string is the same input (also for named string
		// types and fields Interface would refuse).
		return original().Var(f.String(), tag) == nil
	}
	// Other kinds are rare (the built-ins reject them or panic on them,
	// as they would have without the fast path).
	return original().Var(f.Interface(), tag) == nil
}

// fastMax is the function registered for "max": a string of at most max
// bytes (so at most max runes), or a map, slice or array of at most max
// entries, is within the built-in "max"; anything else, and a param that is
// not a plain decimal, is left to the built-in.
func fastMax(fl validator.FieldLevel) bool {
	f := fl.Field()
	if limit, ok := plainDecimal(fl.Param()); ok {
		switch f.Kind() {
		case reflect.String:
			if len(f.String()) <= limit {
				return true
			}
		case reflect.Map, reflect.Slice, reflect.Array:
			if f.Len() <= limit {
				return true
			}
		}
	}
	return originalValid("max="+fl.Param(), f)
}

// plainDecimal parses a param of 1 to 9 decimal digits without a leading
// zero (or "0"): the params strconv.ParseInt(p, 0, 64), the built-in's
// parser, reads as the same decimal number. Anything else is not ok.
func plainDecimal(p string) (int, bool) {
	if len(p) == 0 || len(p) > 9 || (p[0] == '0' && len(p) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if !isDigit(p[i]) {
			return 0, false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n, true
}

// withFastPath returns the validation function registered for a fast tag.
func withFastPath(tag string, fast func(string) bool) validator.Func {
	return func(fl validator.FieldLevel) bool {
		f := fl.Field()
		if f.Kind() == reflect.String && fast(f.String()) {
			return true
		}
		return originalValid(tag, f)
	}
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool { return isLetter(c) || isDigit(c) }

// isHex reports whether c is an ASCII hex digit.
func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isEmailAtext reports whether c is an RFC 5322 atext character (ASCII
// only), the characters of a dot-atom local part.
func isEmailAtext(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

// fastEmail recognizes the plain ASCII address "local@domain.tld": a
// dot-atom local part of atext, then a domain of at least two dot-separated
// labels of letters, digits and inner hyphens whose last label starts and
// ends with a letter, no trailing dot, at most 254 bytes. The built-in
// "email" (net/mail.ParseAddress plus the validator's regexp) accepts all
// of these; it is the HTML standard's "valid e-mail address" narrowed to
// what that regexp also requires (no leading, trailing or doubled dots in
// the local part, a non-numeric top-level label).
func fastEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	// Local part: atext runs separated by single dots.
	i, prev := 0, byte('.')
	for ; i < len(s) && s[i] != '@'; i++ {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case !isEmailAtext(c):
			return false
		}
		prev = c
	}
	if i == 0 || i == len(s) || prev == '.' {
		return false
	}
	return fastDomain(s[i+1:])
}

// fastDomain recognizes "label(.label)+" where each label is letters,
// digits and inner hyphens, and the last one starts and ends with a
// letter.
func fastDomain(d string) bool {
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			c := d[i]
			if !isAlnum(c) && c != '-' {
				return false
			}
			continue
		}
		// d[start:i] is a label.
		if i == start || !isAlnum(d[start]) || !isAlnum(d[i-1]) {
			return false
		}
		labels++
		if i == len(d) {
			// The top-level label.
			return labels >= 2 && isLetter(d[start]) && isLetter(d[i-1])
		}
		start = i + 1
	}
	return false // unreachable: the loop returns at i == len(d)
}

// fastURL recognizes "http[s]://host[:port][/path][?query][#fragment]"
// (scheme in any case) with a host of dot-separated labels of letters,
// digits and inner hyphens (a DNS name or a dotted IPv4 address), a port
// of 1 to 5 digits, and the rest in RFC 3986's path, query and fragment
// characters with well-formed %-escapes. The built-in "url" (url.Parse of
// the lower-cased string, then a scheme and a host) accepts all of these.
func fastURL(s string) bool {
	var rest string
	switch {
	case len(s) > 8 && asciiHasPrefixFold(s, "https://"):
		rest = s[8:]
	case len(s) > 7 && asciiHasPrefixFold(s, "http://"):
		rest = s[7:]
	default:
		return false
	}
	// Host.
	i, start := 0, 0
	for ; i <= len(rest); i++ {
		if i < len(rest) {
			c := rest[i]
			if isAlnum(c) || c == '-' {
				continue
			}
			if c != '.' && c != ':' && c != '/' && c != '?' && c != '#' {
				return false
			}
		}
		// rest[start:i] is a label.
		if i == start || !isAlnum(rest[start]) || !isAlnum(rest[i-1]) {
			return false
		}
		if i == len(rest) || rest[i] != '.' {
			break
		}
		start = i + 1
	}
	rest = rest[i:]
	// Port.
	if len(rest) > 0 && rest[0] == ':' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 || n > 6 {
			return false
		}
		rest = rest[n:]
	}
	// Path, query, fragment: each part may contain the separators of the
	// later parts except '#', which ends the query and starts the fragment.
	fragment := false
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case isAlnum(c):
		case c == '%':
			if i+2 >= len(rest) || !isHex(rest[i+1]) || !isHex(rest[i+2]) {
				return false
			}
			i += 2
		case c == '#':
			if fragment {
				return false
			}
			fragment = true
		default:
			switch c {
			case '-', '.', '_', '~', // unreserved
				'!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', // sub-delims
				':', '@', '/', '?':
			default:
				return false
			}
		}
	}
	// The first byte after the authority must start a path, query or
	// fragment (the host loop stopped at one of them or at the end).
	return len(rest) == 0 || rest[0] == '/' || rest[0] == '?' || rest[0] == '#'
}

// asciiHasPrefixFold reports whether s starts with prefix, ignoring ASCII
// case; prefix is lower case.
func asciiHasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// fastE164 is the built-in "e164" regexp ^\+?[1-9]\d{7,14}$ written out.
func fastE164(s string) bool {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) < 8 || len(s) > 15 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// fastIP is the built-in "ip" (net.ParseIP(s) != nil) without the
// allocation of the net.IP: net.ParseIP is netip.ParseAddr without zones.
func fastIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// fastPrintASCII is the built-in "printascii" regexp ^[\x20-\x7E]*$
// written out.
func fastPrintASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
