package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/dnaeon/go-vcr/v2/cassette"

	"github.com/gopayments/payments/internal/redact"
)

// isSecretHeader reports whether a header carries a credential: the ones
// internal/redact knows (Authorization, cookies, API keys) and any header
// whose name mentions a token, secret, signature, password, key or
// session.
func isSecretHeader(name string) bool {
	if redact.Header(name, "x") != "x" {
		return true
	}
	n := strings.ToLower(name)
	if strings.Contains(n, "idempotency") {
		return false
	}
	for _, w := range []string{"token", "secret", "signature", "password", "key", "session", "auth"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// scrubHeaderValue returns the value to record for a header.
func scrubHeaderValue(name, value string) string {
	if !isSecretHeader(name) {
		return maskPANs(value)
	}
	if value == "" || strings.HasSuffix(value, redact.Mask) {
		return value // already scrubbed
	}
	if v := redact.Header(name, value); v != value {
		return v // keeps the auth scheme: "Basic [REDACTED]"
	}
	return redact.Mask
}

func scrubHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		nv := make([]string, len(vs))
		for i, v := range vs {
			nv[i] = scrubHeaderValue(k, v)
		}
		out[k] = nv
	}
	return out
}

// scrubBody masks a request or response body: JSON with scrubJSON
// (compacted, card numbers kept to first 6 and last 4, CVVs and
// credentials replaced), form bodies with redact.Form, anything else with
// maskPANs. It is idempotent.
func scrubBody(body string) string {
	if strings.TrimSpace(body) == "" {
		return body
	}
	if json.Valid([]byte(body)) {
		if out, err := scrubJSON([]byte(body)); err == nil {
			return string(out)
		}
	}
	if m, ok := redact.Form(body); ok {
		return m
	}
	return maskPANs(body)
}

// scrubInteraction is the save filter of every recorded cassette: it
// removes credentials, card numbers and CVVs from both sides of an
// interaction. Applying it twice changes nothing.
//
// The secrets the request sends (its card number, CVV, tokens,
// credentials in headers, URL and form) are also stripped wherever they
// appear verbatim, spaced or dashed, on both sides: a provider that echoes
// them back in free text ("card 4111 1198 7654 3212 … cvv 7391") is
// scrubbed too.
func scrubInteraction(i *cassette.Interaction) error {
	k := interactionSecrets(i)
	i.Request.URL = redact.URL(i.Request.URL)
	i.Request.Headers = scrubHeaders(i.Request.Headers)
	i.Request.Body = stripKnown(k, scrubBody(i.Request.Body))
	if i.Request.Form != nil {
		i.Request.Form = redact.Values(i.Request.Form)
	}
	i.Response.Headers = scrubHeaders(i.Response.Headers)
	i.Response.Body = stripKnown(k, scrubBody(i.Response.Body))
	return nil
}

// interactionSecrets are the exact secrets an interaction's request sends.
func interactionSecrets(i *cassette.Interaction) *redact.Known {
	k := &redact.Known{}
	if b := strings.TrimSpace(i.Request.Body); b != "" {
		k.CollectJSON([]byte(b))
	}
	for name, vs := range i.Request.Headers {
		for _, v := range vs {
			if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
				k.AddAuthorization(v)
			} else if isSecretHeader(name) && !strings.HasSuffix(v, redact.Mask) {
				k.AddText(v)
			}
		}
	}
	k.CollectURL(i.Request.URL)
	for name, vs := range i.Request.Form {
		for _, v := range vs {
			if redact.IsSecretParam(name) {
				k.AddCode(v)
			}
		}
	}
	return k
}

// stripKnown strips k's secrets from an already scrubbed body (compact
// JSON, a form or text).
func stripKnown(k *redact.Known, body string) string {
	if k.Empty() || !k.Contains(body) {
		return body
	}
	return string(k.StripJSON([]byte(body)))
}

// requestKey is what replay matches on: method, path, query and body, all
// scrubbed the way recorded cassettes are and then canonicalised.
type requestKey struct {
	Method string
	Path   string
	Query  string
	Body   string // "json:<canonical>", "form:<sorted>", "text:<masked>" or ""
}

func keyOf(method, rawURL, body string) requestKey {
	k := requestKey{Method: strings.ToUpper(method), Body: normBody(body)}
	u, err := url.Parse(redact.URL(rawURL))
	if err != nil {
		k.Path = redact.PANs(rawURL)
		return k
	}
	k.Path = u.EscapedPath()
	if k.Path == "" {
		k.Path = "/"
	}
	k.Query = u.Query().Encode()
	return k
}

// normBody is the comparable form of a body: scrubbed, then canonical JSON,
// a sorted form, or trimmed text.
func normBody(body string) string {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return ""
	}
	if json.Valid([]byte(trimmed)) {
		if sc, err := scrubJSON([]byte(trimmed)); err == nil {
			// As scrubInteraction records it: the body's own secrets
			// stripped wherever they appear.
			k := &redact.Known{}
			k.CollectJSON([]byte(trimmed))
			sc = k.StripJSON(sc)
			if c, err := CanonicalJSON(sc); err == nil {
				return "json:" + string(c)
			}
		}
	}
	if m, ok := redact.Form(trimmed); ok {
		return "form:" + m
	}
	return "text:" + maskPANs(trimmed)
}

// String renders the key for a diff: the request line, then the body,
// indented when it is JSON so that a diff points at the field.
func (k requestKey) String() string {
	var b strings.Builder
	b.WriteString(k.Method + " " + k.Path)
	if k.Query != "" {
		b.WriteString("?" + k.Query)
	}
	b.WriteString("\n")
	switch {
	case strings.HasPrefix(k.Body, "json:"):
		var out strings.Builder
		var v any
		dec := json.NewDecoder(strings.NewReader(k.Body[5:]))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if enc.Encode(v) == nil {
				b.WriteString(out.String())
				break
			}
		}
		b.WriteString(k.Body[5:] + "\n")
	case strings.HasPrefix(k.Body, "form:"):
		b.WriteString(strings.ReplaceAll(k.Body[5:], "&", "\n&") + "\n")
	case k.Body != "":
		b.WriteString(k.Body[5:] + "\n")
	}
	return b.String()
}

// similarity scores how close two keys are, to pick the recorded
// interaction a missed request is diffed against.
func similarity(a, b requestKey) int {
	s := 0
	if a.Method == b.Method {
		s += 4
	}
	if a.Path == b.Path {
		s += 4
	}
	if a.Query == b.Query {
		s++
	}
	if a.Body == b.Body {
		s += 2
	} else {
		// Count shared lines of the rendered bodies.
		al := strings.Split(a.String(), "\n")
		bl := make(map[string]bool)
		for _, l := range strings.Split(b.String(), "\n") {
			bl[l] = true
		}
		n := 0
		for _, l := range al {
			if bl[l] {
				n++
			}
		}
		if n > 0 && len(al) > 0 {
			s += 2 * n / len(al)
		}
	}
	return s
}

// lineDiff returns a unified-style diff of a (recorded) and b (sent),
// every line prefixed by "  ", "- " or "+ ".
func lineDiff(a, b string) string {
	x := strings.Split(strings.TrimSuffix(a, "\n"), "\n")
	y := strings.Split(strings.TrimSuffix(b, "\n"), "\n")
	// Longest common subsequence table; bodies are small.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out.WriteString("  " + x[i] + "\n")
			i++
			j++
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			out.WriteString("+ " + y[j] + "\n")
			j++
		default:
			out.WriteString("- " + x[i] + "\n")
			i++
		}
	}
	return out.String()
}
