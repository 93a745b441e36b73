package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"unsafe"
)

// MinKnownText is the shortest credential [Known] strips from text: a
// shorter one would match ordinary words. Real API keys and passwords are
// far longer.
const MinKnownText = 6

// Known is the set of exact secret values of a call in flight: the card
// number, CVV and wallet token it sends and the credentials it authenticates
// with. A provider that echoes one back in free text ("card 4111 1198 7654
// 3212 … cvv 7391") defeats the shape-based masking of [PANs] and the
// key-based masking of [JSON]; Known strips the exact values instead, before
// provider text becomes an error message, a Decline, a Raw body, a log line
// or a cassette.
//
// Digit secrets (card numbers, CVVs) match with spaces or dashes between
// their digits, and only as a whole digit group (not inside a longer run of
// digits: a CVV 7391 does not match in 17391). Card numbers keep their
// first 6 and last 4 digits; CVVs and credentials become [Mask].
//
// A nil *Known is valid and knows nothing: its methods then behave as the
// package's shape-based functions. A Known is not safe for concurrent
// mutation; build it, then share it read-only ([Known.Clone] before adding
// per-call values).
type Known struct {
	pans  []string // digits only, 12 or more
	codes []string // digits only, 3 to 11
	texts []string // credentials and their encoded forms, longest first
}

// Empty reports whether k knows no secret.
func (k *Known) Empty() bool {
	return k == nil || len(k.pans)+len(k.codes)+len(k.texts) == 0
}

// Clone returns a copy of k that can be added to without changing k.
func (k *Known) Clone() *Known {
	if k == nil {
		return &Known{}
	}
	return &Known{pans: clip(k.pans), codes: clip(k.codes), texts: clip(k.texts)}
}

func clip(s []string) []string { return append([]string(nil), s...) }

// AddPAN adds a card number (separators allowed). Fewer than 12 digits
// are no card number and are ignored.
func (k *Known) AddPAN(number string) {
	if d := digits(number); len(d) >= 12 {
		k.pans = addSorted(k.pans, d)
	}
}

// AddCode adds a short secret code: a CVV, a PIN. A code of digits (3 or
// more) matches as a digit group; any other code is added as text.
func (k *Known) AddCode(code string) {
	code = strings.TrimSpace(code)
	if d := digits(code); len(d) == len(code) {
		if len(d) >= 12 {
			k.AddPAN(d)
		} else if len(d) >= 3 {
			k.codes = addSorted(k.codes, d)
		}
		return
	}
	k.AddText(code)
}

// AddText adds a credential or token, matched exactly, together with its
// JSON-escaped, URL-escaped and base64 forms when they differ. Values
// shorter than [MinKnownText] are ignored.
func (k *Known) AddText(s string) {
	if len(s) < MinKnownText {
		return
	}
	k.texts = addSorted(k.texts, s)
	if q, err := json.Marshal(s); err == nil && string(q[1:len(q)-1]) != s {
		k.texts = addSorted(k.texts, string(q[1:len(q)-1]))
	}
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if e != s {
			k.texts = addSorted(k.texts, e)
		}
	}
	if len(s) >= 12 {
		// Long enough that its base64 is no ordinary word.
		k.texts = addSorted(k.texts, base64.StdEncoding.EncodeToString([]byte(s)))
	}
}

// AddBasic adds the credentials of HTTP Basic authentication: the password
// and the header's token ("Basic <base64 user:password>").
func (k *Known) AddBasic(user, password string) {
	k.AddText(password)
	if password != "" {
		k.addToken(base64.StdEncoding.EncodeToString([]byte(user + ":" + password)))
	}
}

// AddAuthorization adds the credential of an Authorization header value
// ("Basic xyz", "Bearer xyz"): the part after the scheme, and for Basic the
// password it encodes.
func (k *Known) AddAuthorization(v string) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		k.AddText(v)
		return
	}
	k.addToken(strings.TrimSpace(cred))
	if strings.EqualFold(scheme, "basic") {
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			if _, pass, ok := strings.Cut(string(b), ":"); ok {
				k.AddText(pass)
			}
		}
	}
}

// addToken adds an opaque token (no escaped forms: base64 and bearer tokens
// are what they are on the wire).
func (k *Known) addToken(t string) {
	if len(t) >= MinKnownText {
		k.texts = addSorted(k.texts, t)
	}
}

// Add adds every secret of o.
func (k *Known) Add(o *Known) {
	if o == nil {
		return
	}
	for _, p := range o.pans {
		k.pans = addSorted(k.pans, p)
	}
	for _, c := range o.codes {
		k.codes = addSorted(k.codes, c)
	}
	for _, t := range o.texts {
		k.texts = addSorted(k.texts, t)
	}
}

// addSorted adds v to set, keeping it free of duplicates and longest
// first (so that a secret is never replaced piecewise by a shorter one it
// contains).
func addSorted(set []string, v string) []string {
	for _, x := range set {
		if x == v {
			return set
		}
	}
	set = append(set, v)
	sort.SliceStable(set, func(i, j int) bool { return len(set[i]) > len(set[j]) })
	return set
}

// CollectJSON adds the values a JSON request body sends under card-number
// keys (as card numbers), under secret keys (CVVs, tokens, passwords: as
// codes or text) and URL credentials (user info, secret query parameters)
// found in any string. A body that is not JSON is read as a form
// ([CollectForm]).
func (k *Known) CollectJSON(body []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var keys []string // key of each open container ("" in arrays)
	var objs []bool
	key := ""       // current key in the innermost object
	expect := false // the next string is a key
	cls := func() keyClass {
		if c := classifyKey(key); c != keyPlain || len(keys) == 0 {
			return c
		}
		for i := len(keys) - 1; i >= 0; i-- { // inherited: "cvv":{"value":"123"}
			if c := classifyKey(keys[i]); c != keyPlain {
				return c
			}
		}
		return keyPlain
	}
	add := func(v string) {
		switch cls() {
		case keyPAN:
			k.AddPAN(v)
		case keySecret:
			k.AddCode(v)
		default:
			k.collectURL(v)
		}
	}
	if !json.Valid(body) {
		k.CollectForm(string(body))
		return
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				keys, objs = append(keys, key), append(objs, d == '{')
				key, expect = "", d == '{'
			default:
				key, keys, objs = keys[len(keys)-1], keys[:len(keys)-1], objs[:len(objs)-1]
				expect = len(objs) > 0 && objs[len(objs)-1]
			}
			continue
		}
		if expect {
			key, _ = tok.(string)
			expect = false
			continue
		}
		switch v := tok.(type) {
		case string:
			add(v)
		case json.Number:
			add(v.String())
		}
		expect = len(objs) > 0 && objs[len(objs)-1]
	}
}

// CollectForm adds the secrets of an application/x-www-form-urlencoded
// body: values of card-number fields and of secret fields
// ([IsSecretParam]).
func (k *Known) CollectForm(body string) {
	v, err := url.ParseQuery(body)
	if err != nil {
		return
	}
	for name, vals := range v {
		for _, s := range vals {
			switch {
			case IsSecretParam(name):
				k.AddCode(s)
			case classifyKey(name) == keyPAN:
				k.AddPAN(s)
			default:
				k.collectURL(s)
			}
		}
	}
}

// CollectURL adds the credentials a URL carries: the password (or the user
// name alone) of its user info and the values of secret query parameters.
func (k *Known) CollectURL(raw string) { k.collectURL(raw) }

func (k *Known) collectURL(s string) {
	if !strings.Contains(s, "://") {
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		return
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			k.AddText(p)
		} else {
			k.AddText(u.User.Username())
		}
	}
	for name, vals := range u.Query() {
		if IsSecretParam(name) {
			for _, v := range vals {
				k.AddText(v)
			}
		}
	}
}

// Text returns s with every known secret stripped (card numbers keep their
// first 6 and last 4 digits, the rest become [Mask]) and any other
// card-number-shaped digits masked ([PANs]).
func (k *Known) Text(s string) string {
	if !k.Empty() {
		s = k.strip(s)
	}
	return PANs(s)
}

// JSON is [JSON] that also strips the known secrets wherever they appear
// in a string or a number literal; the result stays valid JSON (a number
// that held a secret becomes a string).
func (k *Known) JSON(body []byte) []byte {
	if k.Empty() {
		return JSON(body)
	}
	if !json.Valid(body) {
		return []byte(k.Text(string(body)))
	}
	return k.Decoded(body)
}

// Decoded is [Decoded] that also strips the known secrets, as [Known.JSON].
func (k *Known) Decoded(body []byte) []byte {
	out := Decoded(body)
	if k.Empty() || !k.contains(unsafe.String(unsafe.SliceData(out), len(out))) {
		return out
	}
	if res, ok := k.stripJSON(out); ok {
		return res
	}
	return []byte(k.Text(string(out)))
}

// StripJSON strips the known secrets from a compact, valid JSON body (such
// as a cassette's scrubbed body) as [Known.JSON] does, without the
// shape-based masking of [Decoded]; a body without them, or that is not
// such JSON, is stripped as text.
func (k *Known) StripJSON(body []byte) []byte {
	if k.Empty() || !k.contains(string(body)) {
		return body
	}
	if res, ok := k.stripJSON(body); ok && json.Valid(res) {
		return res
	}
	return []byte(k.strip(string(body)))
}

// Contains reports whether s holds one of the known secrets.
func (k *Known) Contains(s string) bool { return !k.Empty() && k.contains(s) }

func (k *Known) contains(s string) bool {
	for _, t := range k.texts {
		if strings.Contains(s, t) {
			return true
		}
	}
	if len(k.pans)+len(k.codes) == 0 {
		return false
	}
	_, changed := k.stripDigits(s, true)
	return changed
}

// strip replaces the known secrets in s.
func (k *Known) strip(s string) string {
	for _, t := range k.texts {
		if strings.Contains(s, t) {
			s = strings.ReplaceAll(s, t, Mask)
		}
	}
	if len(k.pans)+len(k.codes) > 0 {
		s, _ = k.stripDigits(s, false)
	}
	return s
}

// stripDigits replaces each digit group of s that spells a known card
// number or code. With probe it stops at the first match and returns s.
func (k *Known) stripDigits(s string, probe bool) (string, bool) {
	var b []byte
	last := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		end, repl := -1, ""
		for _, p := range k.pans {
			if e := matchDigits(s, i, p); e > 0 {
				end, repl = e, PAN(p)
				break
			}
		}
		if end < 0 {
			for _, c := range k.codes {
				if e := matchDigits(s, i, c); e > 0 {
					end, repl = e, Mask
					break
				}
			}
		}
		if end < 0 {
			continue
		}
		if probe {
			return s, true
		}
		b = append(append(b, s[last:i]...), repl...)
		last, i = end, end-1
	}
	if b == nil {
		return s, false
	}
	return string(append(b, s[last:]...)), true
}

// matchDigits reports where the digit group d ends if s spells it from i,
// with up to two spaces or dashes between digits and no digit right after
// it; 0 when it does not.
func matchDigits(s string, i int, d string) int {
	j := i
	for n := 0; n < len(d); n++ {
		if n > 0 {
			for sep := 0; sep < 2 && j < len(s) && (s[j] == ' ' || s[j] == '-'); sep++ {
				j++
			}
		}
		if j >= len(s) || s[j] != d[n] {
			return 0
		}
		j++
	}
	if j < len(s) && isDigit(s[j]) {
		return 0
	}
	return j
}

// stripJSON rewrites the strings and literals of a compact, valid JSON body
// that hold a known secret. ok is false if body turns out not to be JSON.
func (k *Known) stripJSON(body []byte) ([]byte, bool) {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"':
			j := stringEnd(body, i)
			if j < 0 {
				return nil, false
			}
			raw := body[i:j]
			if k.contains(unsafe.String(unsafe.SliceData(raw), len(raw))) || bytes.IndexByte(raw, '\\') >= 0 {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					return nil, false
				}
				if t := k.Text(s); t != s {
					out = appendQuoted(out, t)
					i = j
					continue
				}
			}
			out = append(out, raw...)
			i = j
		case c == '-' || isDigit(c):
			j := i
			for j < len(body) && !isDelim(body[j]) {
				j++
			}
			lit := string(body[i:j])
			if t := k.Text(lit); t != lit {
				out = appendQuoted(out, t)
			} else {
				out = append(out, lit...)
			}
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return out, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
