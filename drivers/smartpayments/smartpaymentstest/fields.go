package smartpaymentstest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const maxBody = 1 << 20

// fields is a decoded JSON request object with typed, validating getters.
// The first problem found is kept in err; later getters still return zero
// values so a handler can read everything and check err once.
type fields struct {
	m   map[string]any
	err *reqError
}

func decodeFields(r *http.Request) (*fields, *reqError) {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, badRequest(ErrCodeMalformedJSON, "request body must be a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(ErrCodeMalformedJSON, "request body must hold exactly one JSON object")
	}
	return &fields{m: m}, nil
}

func (f *fields) fail(msg string) {
	if f.err == nil {
		f.err = badRequest(msg, "Request validation failed")
	}
}

// raw returns a field's value; JSON null counts as absent.
func (f *fields) raw(name string) (any, bool) {
	v, ok := f.m[name]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

// str reads a JSON string. Required means present, not null and not blank.
func (f *fields) str(name string, required bool) string {
	v, ok := f.raw(name)
	if !ok {
		if required {
			f.fail(name + " is required")
		}
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		f.fail(name + " must be a string")
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		f.fail(name + " is required")
	}
	return s
}

// strOrNumber reads a JSON string or a JSON number (kept as written), for
// fields such as customer_zip_code that the document types as String but
// sends as a number in its examples.
func (f *fields) strOrNumber(name string, required bool) string {
	v, ok := f.raw(name)
	if n, isNum := v.(json.Number); ok && isNum {
		return string(n)
	}
	return f.str(name, required)
}

// oneOf reads an optional string that must be one of the allowed values;
// absent gives def.
func (f *fields) oneOf(name, def string, allowed ...string) string {
	s := f.str(name, false)
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	f.fail(name + " must be one of: " + strings.Join(allowed, ", "))
	return def
}

// long reads a JSON integer (the document's Long). With lenient, a string of
// decimal digits is accepted too.
func (f *fields) long(name string, required, lenient bool) (int64, bool) {
	v, ok := f.raw(name)
	if !ok {
		if required {
			f.fail(name + " is required")
		}
		return 0, false
	}
	var text string
	switch x := v.(type) {
	case json.Number:
		text = string(x)
	case string:
		if !lenient {
			f.fail(name + " must be an integer")
			return 0, false
		}
		text = strings.TrimSpace(x)
	default:
		f.fail(name + " must be an integer")
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f.fail(name + " must be an integer")
		return 0, false
	}
	return n, true
}

// amount reads a positive integer number of minor units.
func (f *fields) amount(name string, required, lenient bool) (int64, bool) {
	n, ok := f.long(name, required, lenient)
	if ok && n <= 0 {
		f.fail(name + " must be a positive integer amount in cents")
		return 0, false
	}
	return n, ok
}

// boolean reads an optional JSON boolean; the strings "true" and "false" are
// accepted too (third-party integrations send them).
func (f *fields) boolean(name string) bool {
	v, ok := f.raw(name)
	if !ok {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b
		}
	}
	f.fail(name + " must be a boolean")
	return false
}

// url reads an optional absolute http(s) URL.
func (f *fields) url(name string) string {
	s := f.str(name, false)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.fail(name + " must be an absolute http(s) URL")
		return ""
	}
	return s
}

// cardNumber reads a card number: 12 to 19 decimal digits.
func (f *fields) cardNumber(name string, required bool) string {
	s := f.str(name, required)
	if s == "" {
		return ""
	}
	if !validPAN(s) {
		f.fail(name + " must be 12 to 19 digits")
		return ""
	}
	return s
}

func validPAN(s string) bool {
	if len(s) < 12 || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// currency reads a required ISO 4217 alpha-3 code (three upper-case letters).
func (f *fields) currency(name string) string {
	s := f.str(name, true)
	if s == "" {
		return ""
	}
	if len(s) != 3 || strings.ToUpper(s) != s || strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		f.fail(name + " must be an ISO 4217 alpha-3 code")
		return ""
	}
	return s
}
