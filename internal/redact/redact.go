// Package redact masks card numbers, CVVs and credentials in text and JSON,
// for error messages, logs, Payment.Raw and recorded cassettes.
//
// A card number keeps at most its first 6 and last 4 digits
// ("401200******3010"); a CVV and every credential become "[REDACTED]".
package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Mask is what replaces a secret value.
const Mask = "[REDACTED]"

// PAN masks a card number: the first 6 and last 4 digits stay, the rest
// become '*'. Numbers shorter than 13 digits are masked whole.
func PAN(number string) string {
	digits := make([]byte, 0, len(number))
	for i := 0; i < len(number); i++ {
		if number[i] >= '0' && number[i] <= '9' {
			digits = append(digits, number[i])
		}
	}
	if len(digits) < 13 {
		return strings.Repeat("*", len(digits))
	}
	out := make([]byte, len(digits))
	copy(out, digits)
	for i := 6; i < len(out)-4; i++ {
		out[i] = '*'
	}
	return string(out)
}

// Luhn reports whether digits (ASCII digits only) pass the Luhn check.
func Luhn(digits string) bool {
	if len(digits) == 0 {
		return false
	}
	sum, alt := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if alt {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		alt = !alt
	}
	return sum%10 == 0
}

// PANs masks every run of 13 to 19 digits in s that has the shape of a card
// number — a major industry identifier of 2 to 6 (Mastercard, Amex, Diners,
// JCB, Visa, Discover, Maestro, UnionPay) and a valid Luhn check digit —
// keeping its first 6 and last 4 digits. Other long numbers (a SmartPay
// invoice reference 119344737107896, a compact timestamp) are left alone.
func PANs(s string) string {
	var b []byte // allocated on the first match only
	start := -1
	flush := func(end int) {
		run := s[start:end]
		if len(run) >= 13 && len(run) <= 19 && run[0] >= '2' && run[0] <= '6' && Luhn(run) && !compactTimestamp(run) {
			if b == nil {
				b = make([]byte, 0, len(s))
				b = append(b, s[:start]...)
			}
			b = append(b, PAN(run)...)
		} else if b != nil {
			b = append(b, run...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
			start = -1
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if start >= 0 {
		flush(len(s))
	}
	if b == nil {
		return s
	}
	return string(b)
}

// compactTimestamp reports whether a 14-digit run is a YYYYMMDDhhmmss
// timestamp (Smart2Pay writes "Created":"20160314094549"), which no card
// number starts like (14-digit PANs start with 30, 36 or 38).
func compactTimestamp(d string) bool {
	if len(d) != 14 || (d[:2] != "19" && d[:2] != "20") {
		return false
	}
	n := func(i int) int { return int(d[i]-'0')*10 + int(d[i+1]-'0') }
	return n(4) >= 1 && n(4) <= 12 && n(6) >= 1 && n(6) <= 31 && n(8) < 24 && n(10) < 60 && n(12) < 60
}

// keyClass says how a JSON value under a key is treated.
type keyClass uint8

const (
	keyPlain  keyClass = iota
	keyPAN             // keep first 6 and last 4 digits
	keySecret          // replace whole
)

// normKey lower-cases a key and drops '_', '-', '[' and ']' so that
// card_number, cardNumber, CardNumber and the form field card[number] are
// one name.
func normKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == '[' || c == ']':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// classifyKey tells whether a JSON object key holds a card number (masked to
// first 6 and last 4), a secret (replaced whole) or neither.
func classifyKey(k string) keyClass { return classifyNorm([]byte(normKey(k))) }

// IsSecretKey reports whether a JSON key or header name holds a credential
// or a CVV whose value must never be shown.
func IsSecretKey(k string) bool { return classifyKey(k) == keySecret }

// JSON returns body with card numbers masked, CVVs and credentials replaced
// and any card-number-shaped digits in other strings masked. Key order and
// number literals are kept; whitespace is compacted. A body that is not JSON
// is treated as text ([PANs]).
func JSON(body []byte) []byte {
	if !json.Valid(body) {
		return []byte(PANs(string(body)))
	}
	return Decoded(body)
}

// Decoded is [JSON] for a body the caller has just decoded whole with
// json.Unmarshal (which rejects anything but one valid JSON value): it skips
// the validity pass, the larger part of JSON's cost on a provider answer.
// A body that is not valid JSON after all is still never returned
// unscrubbed: the scanner notices unbalanced structure and falls back to
// text masking, and every digit run it copies is checked for a card number.
func Decoded(body []byte) []byte {
	out, err := rewriteJSON(body)
	if err != nil {
		return []byte(PANs(string(body)))
	}
	return out
}

// errNotJSON makes JSON fall back to text masking.
var errNotJSON = errors.New("redact: not a JSON value")

// rewriteJSON copies body, compacted, rewriting only the string and number
// values that need it. It walks the bytes once: keys are classified without
// allocating, values are copied verbatim unless they sit under a card-number
// or secret key or hold a card-number-shaped digit run. A body with no card
// data costs one allocation (the output). Callers make sure body is valid
// JSON ([JSON] checks, [Decoded] is told); unbalanced brackets or an
// unterminated string are still noticed and reported as errNotJSON, so
// malformed input never panics here.
func rewriteJSON(body []byte) ([]byte, error) {
	out := make([]byte, 0, len(body))
	// Per open container: is it an object, and are we expecting a key?
	type frame struct {
		object    bool
		expectKey bool
		class     keyClass // of the current key, in an object
		inherit   keyClass // of the key this container is the value of
	}
	var stackBuf [16]frame
	stack := stackBuf[:0]
	// valueClass is the class of a value starting now.
	valueClass := func() keyClass {
		if n := len(stack); n > 0 {
			if f := &stack[n-1]; f.object && f.class != keyPlain {
				return f.class
			}
			return stack[n-1].inherit
		}
		return keyPlain
	}
	// canStart: a value (or key) may begin here. Two values with only
	// whitespace between them are not JSON, and compacting them would join
	// their digits into one run.
	canStart := true
	// body[from:i] is copied verbatim when something is dropped or
	// rewritten (and at the end): most of a body is copied in a few
	// large pieces.
	from := 0
	for i := 0; i < len(body); {
		c := body[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			out = append(out, body[from:i]...)
			for i++; i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'); i++ {
			}
			from = i
			continue
		}
		if !canStart && c != ':' && c != ',' && c != '}' && c != ']' {
			return nil, errNotJSON
		}
		switch c {
		case '{', '[':
			stack = append(stack, frame{object: c == '{', expectKey: c == '{', inherit: valueClass()})
			i++
		case '}', ']':
			n := len(stack)
			if n == 0 || stack[n-1].object != (c == '}') {
				return nil, errNotJSON
			}
			stack = stack[:n-1]
			if n > 1 && stack[n-2].object {
				stack[n-2].expectKey = true
			}
			i++
			canStart = false
		case ':', ',':
			i++
			canStart = true
		case '"':
			j := stringEnd(body, i)
			if j < 0 {
				return nil, errNotJSON
			}
			raw := body[i:j] // with its quotes
			canStart = false
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].class = classifyRawKey(raw)
				stack[n-1].expectKey = false
				if needsMasking(raw, false) { // a card number as a key is still one
					out = appendMasked(append(out, body[from:i]...), raw, false)
					from = j
				}
				i = j
				continue
			}
			switch valueClass() {
			case keyPAN:
				if needsMasking(raw, true) {
					out = appendMasked(append(out, body[from:i]...), raw, true)
					from = j
				}
			case keySecret:
				out = append(append(out, body[from:i]...), `"`+Mask+`"`...)
				from = j
			default:
				if needsMasking(raw, false) {
					out = appendMasked(append(out, body[from:i]...), raw, false)
					from = j
				}
			}
			if n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			i = j
		default: // number, true, false, null
			j := i
			for j < len(body) && !isDelim(body[j]) {
				j++
			}
			lit := body[i:j]
			canStart = false
			isNumber := c == '-' || (c >= '0' && c <= '9')
			switch cls := valueClass(); {
			case isNumber && cls == keyPAN:
				if v := panValue(string(lit)); v != string(lit) {
					out = appendQuoted(append(out, body[from:i]...), v)
					from = j
				}
			case isNumber && cls == keySecret:
				out = append(append(out, body[from:i]...), `"`+Mask+`"`...)
				from = j
			case len(lit) >= 13 && hasPANRun(lit):
				// A card number sent as a JSON number under a key of no
				// card meaning (or a digit run in malformed input): masked
				// as a string, since a masked number is no longer a number.
				out = appendQuoted(append(out, body[from:i]...), PANs(string(lit)))
				from = j
			}
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
			}
			i = j
		}
	}
	if len(stack) != 0 {
		return nil, errNotJSON
	}
	return append(out, body[from:]...), nil
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// stringEnd returns the index just past the closing quote of the JSON
// string starting at body[i], or -1 if the string does not end. A quote
// preceded by an odd number of backslashes is escaped.
func stringEnd(body []byte, i int) int {
	for j := i + 1; ; {
		k := bytes.IndexByte(body[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		bs := 0
		for p := q - 1; p > i && body[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// classifyRawKey classifies a quoted key as classifyKey does, without
// allocating when the key has no escapes.
func classifyRawKey(raw []byte) keyClass {
	content := raw[1 : len(raw)-1]
	if bytes.IndexByte(content, '\\') >= 0 || len(content) > 64 {
		var k string
		if json.Unmarshal(raw, &k) != nil {
			return keyPlain
		}
		return classifyKey(k)
	}
	var buf [64]byte
	n := 0
	for _, c := range content {
		switch {
		case c == '_' || c == '-' || c == '[' || c == ']':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return classifyNorm(buf[:n])
}

// classifyNorm classifies a normalized key (see normKey). A switch, not
// map lookups: it is on the path of every key of every provider answer, and
// the compiler compares the bytes in place, by length first.
func classifyNorm(n []byte) keyClass {
	switch string(n) {
	case "number", "cardnumber", "pan", "customercardnumber", "accountnumber":
		return keyPAN
	case "cvv", "cvc", "cvv2", "cvc2", "cvn", "csc", "securitycode", "cardcvv", "cardcvc",
		"cvvcode", "cvccode", "cardsecuritycode", "cardcvv2", "cardcvc2",
		"password", "secret", "apikey", "authenticationkey", "clientsecret",
		"accesstoken", "refreshtoken", "token", "authorization",
		"applepaydpan", "googlepaydpan", "paymentdata", "merchantkey":
		return keySecret
	}
	return keyPlain
}

// needsMasking reports whether appendMasked could write anything but raw
// itself: the string has escapes (they are decoded first), or enough digits
// for a card number.
func needsMasking(raw []byte, pan bool) bool {
	content := raw[1 : len(raw)-1]
	if len(content) < 13 {
		return false // too short to hold 13 digits, escapes or not
	}
	if bytes.IndexByte(content, '\\') >= 0 {
		return true
	}
	if pan {
		return digitCount(content) >= 13
	}
	return hasPANRun(content)
}

// appendMasked appends the quoted string raw, masked: under a card-number
// key (pan) by panValue, elsewhere by PANs. A string with nothing to
// mask, escaped or not, is copied as it is.
func appendMasked(out, raw []byte, pan bool) []byte {
	if !needsMasking(raw, pan) {
		return append(out, raw...)
	}
	content := raw[1 : len(raw)-1]
	var s string
	if json.Unmarshal(raw, &s) != nil {
		// A bad escape: only in a body that is not JSON after all
		// (see Decoded). Mask the text as it is.
		return appendQuoted(out, PANs(string(content)))
	}
	var v string
	if pan {
		v = panValue(s)
	} else {
		v = PANs(s)
	}
	if v == s {
		return append(out, raw...) // nothing to mask: the provider's bytes, escapes as sent
	}
	return appendQuoted(out, v)
}

func digitCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

// hasPANRun reports, without allocating, whether b holds what PANs masks:
// a run of 13 to 19 digits starting with 2 to 6, passing the Luhn check,
// that is not a compact timestamp.
func hasPANRun(b []byte) bool {
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if n := i - start; n >= 13 && n <= 19 && b[start] >= '2' && b[start] <= '6' && luhnBytes(b[start:i]) && !compactTimestamp(string(b[start:i])) {
				return true
			}
			start = -1
		}
	}
	return false
}

func luhnBytes(d []byte) bool {
	sum, alt := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if alt {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		alt = !alt
	}
	return sum%10 == 0
}

// appendQuoted appends s as a JSON string, keeping <, > and & readable.
func appendQuoted(out []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	return append(out, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// panValue masks the value of a card-number key when it holds enough digits
// to be a card number (13 or more); shorter values (an already masked
// "401200******3010", a house number) are left alone.
func panValue(v string) string {
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			n++
		}
	}
	if n < 13 {
		return v
	}
	return PAN(v)
}

// Header returns the value to show for an HTTP header: credentials replaced
// with the auth scheme kept ("Basic [REDACTED]").
func Header(name, value string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		if scheme, _, ok := strings.Cut(value, " "); ok {
			return scheme + " " + Mask
		}
		return Mask
	case "cookie", "set-cookie", "x-api-key", "api-key":
		return Mask
	}
	if IsSecretKey(name) {
		return Mask
	}
	return value
}
