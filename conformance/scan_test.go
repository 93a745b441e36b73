package conformance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dnaeon/go-vcr/v2/cassette"

	"github.com/gopayments/payments/internal/redact"
)

// documentedTestCards may appear unmasked in a cassette: they are the
// providers' published test numbers.
var documentedTestCards = map[string]bool{
	"4012000000003010": true,
	"4003830171874018": true,
	"4111111111111111": true,
	"4548812049400004": true,
	"4123540003981114": true,
}

var (
	digitRun   = regexp.MustCompile(`\d+`)
	groupedPAN = regexp.MustCompile(`\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}\b`)
	cvvInText  = regexp.MustCompile(`(?i)\\?"(cvv|cvc|cvv2|cvc2|cvn|csc|security_?code|card_?cvv|card_?cvc|cvv_?code|card\[cvc\])\\?"\s*:\s*\\?"?\d{3,4}`)
	// cvvFreeText is a security code in prose: "cvv 7391", "CVC: 123".
	cvvFreeText = regexp.MustCompile(`(?i)\b(cvv2?|cvc2?|cvn|csc|security code)\b[\s:=#'"]{1,3}\d{3,4}\b`)
)

// cvvKeys are JSON keys and form fields that hold a card security code,
// normalised (lower case, no '_' or '-').
var cvvKeys = map[string]bool{"cvv": true, "cvc": true, "cvv2": true, "cvc2": true, "cvn": true, "csc": true, "securitycode": true,
	"cardcvv": true, "cardcvc": true, "cvvcode": true, "cvccode": true, "cardsecuritycode": true}

func normalise(k string) string { return normKey(k) }

// plausiblePAN reports whether digits look like a real card number: see
// cardLike. Timestamps (epoch milliseconds, YYYYMMDDhhmmss) are not flagged.
func plausiblePAN(digits string) bool { return cardLike(digits) }

// scanCassette lists what must not be in a committed cassette: an
// unredacted credential header, a card number that is not a documented
// test card, a CVV value, or a credential in a URL.
func scanCassette(file string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	data, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	text := string(data)
	for _, run := range digitRun.FindAllString(text, -1) {
		if plausiblePAN(run) && !documentedTestCards[run] {
			add("card number %s (not a documented test card)", redact.PAN(run))
		}
	}
	for _, g := range groupedPAN.FindAllString(text, -1) {
		d := strings.NewReplacer(" ", "", "-", "").Replace(g)
		if plausiblePAN(d) && !documentedTestCards[d] {
			add("card number %s (not a documented test card)", redact.PAN(d))
		}
	}
	for _, m := range cvvInText.FindAllString(text, -1) {
		add("CVV value in %q", m[:strings.IndexAny(m, ":")]+": …")
	}
	for _, m := range cvvFreeText.FindAllStringSubmatch(text, -1) {
		add("CVV value in free text after %q", m[1])
	}
	c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
	if err != nil {
		return append(problems, "does not load as a go-vcr cassette: "+err.Error())
	}
	if c.Version != 1 {
		add("version %d, want 1", c.Version)
	}
	for n, it := range c.Interactions {
		if it == nil {
			add("interaction %d is empty", n+1)
			continue
		}
		where := fmt.Sprintf("interaction %d", n+1)
		for side, h := range map[string]map[string][]string{"request": it.Request.Headers, "response": it.Response.Headers} {
			for name, vals := range h {
				if !isSecretHeader(name) {
					continue
				}
				for _, v := range vals {
					if v != "" && !strings.HasSuffix(v, redact.Mask) {
						add("%s: %s header %s is not redacted", where, side, name)
					}
				}
			}
		}
		if u, err := url.Parse(it.Request.URL); err == nil {
			for k, vs := range u.Query() {
				for _, v := range vs {
					if redact.IsSecretParam(k) && v != "" && v != redact.Mask {
						add("%s: URL parameter %s is not redacted", where, k)
					}
				}
			}
			if u.User != nil && u.User.String() != url.User(redact.Mask).String() {
				add("%s: URL carries credentials", where)
			}
		}
		for side, body := range map[string]string{"request": it.Request.Body, "response": it.Response.Body} {
			for _, k := range cvvValues(body) {
				add("%s: %s body has a CVV value under %q", where, side, k)
			}
		}
		for k, vs := range it.Request.Form {
			for _, v := range vs {
				if cvvKeys[normalise(k)] && v != "" && v != redact.Mask {
					add("%s: request form has a CVV value under %q", where, k)
				}
			}
		}
	}
	return problems
}

// cvvValues returns the CVV keys of a JSON or form body that hold a value
// other than the mask.
func cvvValues(body string) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if cvvKeys[normalise(k)] {
					if s := fmt.Sprint(e); e != nil && s != "" && s != redact.Mask {
						out = append(out, k)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	if json.Unmarshal([]byte(body), &v) == nil {
		walk(v)
		return out
	}
	if q, err := url.ParseQuery(body); err == nil && strings.Contains(body, "=") {
		for k, vs := range q {
			for _, s := range vs {
				if cvvKeys[normalise(k)] && s != "" && s != redact.Mask {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// TestCassettesAreScrubbed walks every cassette in the repository and
// fails on anything that must not be committed.
func TestCassettesAreScrubbed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "drivers", "*", "testdata", "cassettes", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, p := range scanCassette(f) {
			t.Errorf("%s: %s", f, p)
		}
	}
	t.Logf("scanned %d cassettes", len(files))
}

func TestScanCassetteFindsLeaks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		f := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	clean := write("clean", `version: 1
interactions:
- request:
    method: POST
    url: https://api.example/v1/payments?page=2
    headers: {Authorization: ["Basic [REDACTED]"], Idempotency-Key: ["k1"]}
    body: '{"card":{"number":"4111111111111111","cvv":"[REDACTED]"},"created":1700000000003,"masked":"401200******3010"}'
  response:
    code: 200
    body: '{"id":"4012000000003010"}'
`)
	if p := scanCassette(clean); len(p) != 0 {
		t.Errorf("clean cassette flagged: %v", p)
	}
	tests := []struct{ name, yaml, want string }{
		{"authorization", `version: 1
interactions:
- request: {method: GET, url: "https://api.example/x", headers: {Authorization: ["Basic dXNlcjpwYXNz"]}}
  response: {code: 200}
`, "header Authorization is not redacted"},
		{"pan", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"number":"5555555555554444"}'}
  response: {code: 200}
`, "card number 555555******4444"},
		{"grouped pan", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: 'card 5555 5555 5555 4444'}
  response: {code: 200}
`, "card number 555555******4444"},
		{"cvv json", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"card":{"securityCode":"123"}}'}
  response: {code: 200}
`, "CVV value"},
		{"cvv form", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: 'cvv=123&amount=10'}
  response: {code: 200}
`, "CVV value"},
		{"api key in url", `version: 1
interactions:
- request: {method: GET, url: "https://api.example/x?api_key=abc123"}
  response: {code: 200}
`, "URL parameter api_key"},
		{"dashed pan", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x"}
  response: {code: 400, body: '{"msg":"card 4111-1198-7654-3212 refused"}'}
`, "card number 411111******3212"},
		{"cvv in free text", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x"}
  response: {code: 400, body: '{"msg":"card 4111 11** **** 3212 cvv 7391 refused"}'}
`, "CVV value in free text"},
		{"cvn", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"card":{"cvn":"123"}}'}
  response: {code: 200}
`, "CVV value"},
		{"csc", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"csc":456}'}
  response: {code: 200}
`, "CVV value"},
		{"card_cvc", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"card_cvc":"123"}'}
  response: {code: 200}
`, "CVV value"},
		{"cvv_code", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: '{"payer":{"cvv_code":"123"}}'}
  response: {code: 200}
`, "CVV value"},
		{"card[cvc] form", `version: 1
interactions:
- request: {method: POST, url: "https://api.example/x", body: 'card[cvc]=123&amount=10'}
  response: {code: 200}
`, "CVV value"},
		{"token header", `version: 1
interactions:
- request: {method: GET, url: "https://api.example/x", headers: {X-Auth-Token: ["abc"]}}
  response: {code: 200}
`, "header X-Auth-Token is not redacted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := scanCassette(write(strings.ReplaceAll(tt.name, " ", "_"), tt.yaml))
			if !strings.Contains(strings.Join(p, "\n"), tt.want) {
				t.Errorf("problems %v, want one mentioning %q", p, tt.want)
			}
		})
	}
}
