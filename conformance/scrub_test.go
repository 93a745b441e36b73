package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dnaeon/go-vcr/v2/cassette"

	"github.com/gopayments/payments/internal/redact"
)

func TestScrubBody(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"card and cvv", `{"card": {"number": "4012000000003010", "cvv": "123", "expiry": "12/30"}}`,
			`{"card":{"number":"401200******3010","cvv":"[REDACTED]","expiry":"12/30"}}`},
		{"key order and numbers kept", `{"z":1,"amount":10.50,"a":"x"}`, `{"z":1,"amount":10.50,"a":"x"}`},
		{"pan in free text", `{"note":"card 5555555555554444 used"}`, `{"note":"card 555555******4444 used"}`},
		{"timestamp kept", `{"Created":"20160314094549","ms":1700000000003}`, `{"Created":"20160314094549","ms":1700000000003}`},
		{"secret keys", `{"access_token":"eyJ","apiKey":"k","password":"p","nested":{"token":{"v":"x"}}}`,
			`{"access_token":"[REDACTED]","apiKey":"[REDACTED]","password":"[REDACTED]","nested":{"token":{"v":"[REDACTED]"}}}`},
		{"numeric pan", `{"cardNumber":4012000000003010}`, `{"cardNumber":"401200******3010"}`},
		{"arrays", `[{"pan":"4012 0000 0000 3010"},{"cvc":123}]`, `[{"pan":"401200******3010"},{"cvc":"[REDACTED]"}]`},
		{"empty secret stays empty", `{"cvv":""}`, `{"cvv":""}`},
		{"iban left alone", `{"accountNumber":"DE89370400440532013000"}`, `{"accountNumber":"DE89370400440532013000"}`},
		{"form", `number=4012000000003010&cvv=123&amount=10.50`, `amount=10.50&cvv=%5BREDACTED%5D&number=401200%2A%2A%2A%2A%2A%2A3010`},
		{"text", `PAN 4012000000003010`, `PAN 401200******3010`},
		{"empty", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrubBody(tt.in)
			if got != tt.want {
				t.Errorf("scrubBody(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if again := scrubBody(got); again != got {
				t.Errorf("not idempotent: %s -> %s", got, again)
			}
		})
	}
}

func TestScrubInteraction(t *testing.T) {
	i := &cassette.Interaction{
		Request: cassette.Request{
			URL:    "https://api.example/v1/p?api_key=abc&id=1",
			Method: "POST",
			Body:   `{"number":"4012000000003010","cvv":"123"}`,
			Headers: http.Header{
				"Authorization":   {"Basic dXNlcjpwYXNz"},
				"X-Api-Key":       {"k"},
				"X-Session-Token": {"t"},
				"Idempotency-Key": {"conf-x-k1"},
				"Content-Type":    {"application/json"},
			},
		},
		Response: cassette.Response{Body: `{"access_token":"abc","expires_in":3600}`, Headers: http.Header{"Set-Cookie": {"s=1"}}},
	}
	if err := scrubInteraction(i); err != nil {
		t.Fatal(err)
	}
	first, _ := json.Marshal(i)
	if err := scrubInteraction(i); err != nil {
		t.Fatal(err)
	}
	second, _ := json.Marshal(i)
	if string(first) != string(second) {
		t.Errorf("not idempotent:\n%s\n%s", first, second)
	}
	s := string(first)
	for _, leak := range []string{"dXNlcjpwYXNz", "api_key=abc", `"123"`, "4012000000003010", `"access_token":"abc"`, "s=1", `"k"`, `"t"`} {
		if strings.Contains(s, leak) {
			t.Errorf("scrubbed interaction still holds %s: %s", leak, s)
		}
	}
	if got := i.Request.Headers.Get("Authorization"); got != "Basic [REDACTED]" {
		t.Errorf("Authorization = %q", got)
	}
	if got := i.Request.Headers.Get("Idempotency-Key"); got != "conf-x-k1" {
		t.Errorf("Idempotency-Key = %q, want it kept", got)
	}
}

// FuzzScrubBody checks that scrubbing is idempotent, keeps JSON valid, and
// leaves no card-like number behind.
func FuzzScrubBody(f *testing.F) {
	for _, s := range []string{
		`{"card":{"number":"4012000000003010","cvv":"123"}}`, `a=1&cvv=123`, `text 5555555555554444`,
		`{"x":["4012000000003010",{"token":1}]}`, `{"Created":"20160314094549"}`, `[]`, `{"a":{}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := scrubBody(in)
		if again := scrubBody(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		if json.Valid([]byte(in)) && !json.Valid([]byte(out)) {
			t.Fatalf("valid JSON %q became invalid %q", in, out)
		}
		// JSON numbers outside card-number keys are kept (ids, amounts): a
		// number cannot become a masked string without breaking the type.
		texts := []string{out}
		if json.Valid([]byte(out)) {
			texts = jsonStrings(out)
		} else if _, isForm := redact.Form(in); isForm {
			q, _ := url.ParseQuery(out)
			texts = nil
			for k, vs := range q {
				texts = append(texts, k+" "+strings.Join(vs, " "))
			}
		}
		for _, s := range texts {
			for _, run := range digitRun.FindAllString(s, -1) {
				if cardLike(run) {
					t.Fatalf("card-like %s left in %q (from %q)", run, out, in)
				}
			}
		}
	})
}

// jsonStrings returns every string (keys excluded) in a JSON document.
func jsonStrings(doc string) []string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return []string{doc}
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestScrubInteractionStripsEchoes: a provider that echoes the request's
// card, CVV and credentials in free text (issue 16) is recorded without
// them, spaced, dashed or verbatim.
func TestScrubInteractionStripsEchoes(t *testing.T) {
	i := &cassette.Interaction{
		Request: cassette.Request{
			URL:     "https://api.example/v1/p",
			Method:  "POST",
			Body:    `{"card":{"number":"4111119876543212","card_cvc":"7391"},"callback_url":"https://hook:hookpass-77@shop.example/cb?token=cbtoken-88"}`,
			Headers: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("site:sk_SENTINEL_apikey"))}},
		},
		Response: cassette.Response{Body: `{"msg":"card 4111 1198 7654 3212 / 4111-1198-7654-3212 cvv 7391 key sk_SENTINEL_apikey hook hookpass-77 cbtoken-88","amount":7391}`},
	}
	if err := scrubInteraction(i); err != nil {
		t.Fatal(err)
	}
	// Not json.Marshal(i): Request and Response are embedded and both have
	// Body and Headers, which encoding/json then drops.
	recorded := fmt.Sprint(i.Request.URL, i.Request.Body, i.Request.Headers, i.Response.Body, i.Response.Headers)
	for _, leak := range []string{"1198", "7391", "sk_SENTINEL_apikey", "hookpass-77", "cbtoken-88"} {
		if strings.Contains(recorded, leak) {
			t.Errorf("scrubbed interaction still holds %s: %s", leak, recorded)
		}
	}
	if !json.Valid([]byte(i.Response.Body)) {
		t.Errorf("response body is no longer JSON: %s", i.Response.Body)
	}
	if !strings.Contains(i.Response.Body, "411111******3212") {
		t.Errorf("the card number should keep its first 6 and last 4 digits: %s", i.Response.Body)
	}
}
