package conformance

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/gopayments/payments/internal/redact"
)

// cardLike reports whether a run of digits looks like a card number: 13 to
// 19 digits, a card network's first digit (2 to 6), a valid Luhn check
// digit, and not a compact timestamp (YYYYMMDDhhmmss…, which providers use
// for dates and which passes the Luhn check one time in ten).
func cardLike(digits string) bool {
	if len(digits) < 13 || len(digits) > 19 || digits[0] < '2' || digits[0] > '6' || !redact.Luhn(digits) {
		return false
	}
	if len(digits) >= 14 {
		if _, err := time.Parse("20060102150405", digits[:14]); err == nil {
			return false
		}
	}
	return true
}

// groupedDigits is a card number written in groups: "4111 1198 7654 3212",
// "4111-1198-7654-3212".
var groupedDigits = regexp.MustCompile(`\b\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}\b`)

// maskPANs masks every card-like run of digits in s (see cardLike),
// keeping its first 6 and last 4 digits, and every card-like number
// written in groups of four. Masked numbers are no longer runs of digits,
// so maskPANs is idempotent.
func maskPANs(s string) string {
	s = groupedDigits.ReplaceAllStringFunc(s, func(g string) string {
		if d := strings.NewReplacer(" ", "", "-", "").Replace(g); cardLike(d) {
			return redact.PAN(d)
		}
		return g
	})
	var b strings.Builder
	start := -1
	flush := func(end int) {
		run := s[start:end]
		if cardLike(run) {
			b.WriteString(redact.PAN(run))
		} else {
			b.WriteString(run)
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
			start = -1
		}
		b.WriteByte(s[i])
	}
	if start >= 0 {
		flush(len(s))
	}
	return b.String()
}

// panKeys are the JSON keys (normalised) whose values are card numbers.
var panKeys = map[string]bool{"number": true, "cardnumber": true, "pan": true, "customercardnumber": true}

func normKey(k string) string {
	return strings.NewReplacer("_", "", "-", "", "[", "", "]", "").Replace(strings.ToLower(k))
}

// maskPANValue masks the value of a card-number key when it is a number of
// 13 or more digits (spaces and dashes allowed).
func maskPANValue(v string) string {
	n := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == ' ' || c == '-':
		default:
			return maskPANs(v)
		}
	}
	if n < 13 {
		return v
	}
	return redact.PAN(v)
}

// scrubJSON masks a JSON body for a cassette, keeping its key order and its
// number literals and compacting whitespace: values of card-number keys
// keep their first 6 and last 4 digits, values of secret keys (CVVs,
// tokens, keys, passwords: redact.IsSecretKey) become "[REDACTED]", and
// card-like digits in any other string are masked. Unlike redact.JSON it
// leaves timestamps and other digit runs that cannot be card numbers alone,
// so that the driver still parses the replayed answer.
func scrubJSON(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	type frame struct {
		object, expectKey bool
		count             int
		key               string // current key, in an object
		secret, pan       bool   // inherited from the key this container is the value of
	}
	var stack []*frame
	classify := func() (secret, pan bool) {
		if len(stack) == 0 {
			return false, false
		}
		f := stack[len(stack)-1]
		if f.object {
			if redact.IsSecretKey(f.key) {
				return true, false
			}
			if panKeys[normKey(f.key)] {
				return false, true
			}
		}
		return f.secret, f.pan
	}
	sep := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.object {
			out.WriteByte(':')
			return
		}
		if f.count > 0 {
			out.WriteByte(',')
		}
		f.count++
	}
	done := func() {
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; f.object && f.expectKey {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					// falls through to the closing below
				} else {
					k, _ := tok.(string)
					if f.count > 0 {
						out.WriteByte(',')
					}
					f.count++
					writeJSONString(&out, k)
					f.key, f.expectKey = k, false
					continue
				}
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				secret, pan := classify()
				sep()
				out.WriteByte(byte(t))
				stack = append(stack, &frame{object: t == '{', expectKey: t == '{', secret: secret, pan: pan})
			default:
				out.WriteByte(byte(t))
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			secret, pan := classify()
			sep()
			switch {
			case secret && t != "":
				writeJSONString(&out, redact.Mask)
			case pan:
				writeJSONString(&out, maskPANValue(t))
			default:
				writeJSONString(&out, maskPANs(t))
			}
			done()
		case json.Number:
			secret, pan := classify()
			sep()
			switch {
			case secret:
				writeJSONString(&out, redact.Mask)
			case pan && maskPANValue(t.String()) != t.String():
				writeJSONString(&out, maskPANValue(t.String()))
			default:
				out.WriteString(t.String())
			}
			done()
		case bool:
			sep()
			if t {
				out.WriteString("true")
			} else {
				out.WriteString("false")
			}
			done()
		case nil:
			sep()
			out.WriteString("null")
			done()
		}
	}
	if len(stack) != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return out.Bytes(), nil
}
