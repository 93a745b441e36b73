package redact

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPAN(t *testing.T) {
	for in, want := range map[string]string{
		"4012000000003010":    "401200******3010",
		"4012 0000 0000 3010": "401200******3010",
		"5555555555554444":    "555555******4444",
		"4242":                "****",
		"":                    "",
	} {
		assert.Equal(t, want, PAN(in), in)
	}
}

func TestPANs(t *testing.T) {
	tests := map[string]string{
		"card 4012000000003010 declined":           "card 401200******3010 declined",
		"two 4012000000003010,4111111111111111 ok": "two 401200******3010,411111******1111 ok",
		"order 4012000000003011 (not Luhn)":        "order 4012000000003011 (not Luhn)",
		"created 20160314094549":                   "created 20160314094549", // a timestamp, though Luhn-valid
		"short 123456789012":                       "short 123456789012",
		"invoice 119344737107896":                  "invoice 119344737107896", // Luhn-valid, but no card starts with 1
		"no digits":                                "no digits",
	}
	for in, want := range tests {
		assert.Equal(t, want, PANs(in), in)
	}
	assert.True(t, Luhn("20160314094549"), "the timestamp case is real")
}

func TestJSON(t *testing.T) {
	in := `{"card_number":"4012000000003010","card_cvv":"123","Card":{"Number":"4111111111111111","SecurityCode":"312","HolderName":"John"},` +
		`"amount":1000,"note":"pan 4012000000003010","token":{"a":"secret"},"number":"401200******3010","list":[{"cvv":"999"}],` +
		`"ok":true,"none":null,"Created":"20160314094549","apple_pay_dpan":"eyJhcHBs","merchantKey":"mk-1"}`
	out := JSON([]byte(in))
	var v map[string]any
	require.NoError(t, json.Unmarshal(out, &v), string(out))
	assert.Equal(t, "401200******3010", v["card_number"])
	assert.Equal(t, Mask, v["card_cvv"])
	card := v["Card"].(map[string]any)
	assert.Equal(t, "411111******1111", card["Number"])
	assert.Equal(t, Mask, card["SecurityCode"])
	assert.Equal(t, "John", card["HolderName"])
	assert.Equal(t, json.Number("1000").String(), "1000")
	assert.Contains(t, string(out), `"amount":1000`)
	assert.Equal(t, "pan 401200******3010", v["note"])
	assert.Equal(t, map[string]any{"a": Mask}, v["token"])
	assert.Equal(t, "401200******3010", v["number"])
	assert.Equal(t, Mask, v["list"].([]any)[0].(map[string]any)["cvv"])
	assert.Equal(t, "20160314094549", v["Created"])
	assert.Equal(t, Mask, v["apple_pay_dpan"])
	assert.Equal(t, Mask, v["merchantKey"])
	// Key order is kept and the output is stable under a second pass.
	assert.Equal(t, string(out), string(JSON(out)))
	assert.Equal(t, `{"b":1,"a":2}`, string(JSON([]byte(`{"b": 1, "a": 2}`))))
	// Not JSON: treated as text.
	assert.Equal(t, "<html>401200******3010</html>", string(JSON([]byte("<html>4012000000003010</html>"))))
}

func TestHeader(t *testing.T) {
	assert.Equal(t, "Basic [REDACTED]", Header("Authorization", "Basic dGVzdDpxd2VydHk="))
	assert.Equal(t, "[REDACTED]", Header("X-Api-Key", "k"))
	assert.Equal(t, "application/json", Header("Content-Type", "application/json"))
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"card_number":"4012000000003010","cvv":"123","a":[1,2,{"b":null}]}`))
	f.Add([]byte(`{"Payment":{"ID":1,"Card":{"Number":"4111111111111111"}}}`))
	f.Add([]byte(`not json 4111111111111111`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := JSON(in)
		if json.Valid(in) && !json.Valid(out) {
			t.Fatalf("valid JSON became invalid: %q → %q", in, out)
		}
		if string(JSON(out)) != string(out) && json.Valid(in) {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, JSON(out))
		}
	})
}

func TestDecodedMatchesJSONOnValidInput(t *testing.T) {
	for _, in := range []string{
		`{"card_number":"4012000000003010","cvv":"123","a":[1,2,{"b":null}]}`,
		`{"Payment":{"ID":1,"Card":{"Number":"4111111111111111"},"Note":"x\u0034"}}`,
		`[1, "two", {"token": 3}]`,
		`"4111111111111111"`,
		`17`,
	} {
		require.True(t, json.Valid([]byte(in)), in)
		assert.Equal(t, string(JSON([]byte(in))), string(Decoded([]byte(in))), in)
	}
}

func TestDecodedOnMalformedInputNeverLeaks(t *testing.T) {
	for _, in := range []string{
		`}4111111111111111`,
		`{"a":"4111111111111111"`,
		`{"a":"4111111111111111`,
		`{"a":[4111111111111111}`,
		`{"a" 4111111111111111x}`,
		`{"a":"\x4111111111111111"}`,
		`]`,
	} {
		out := string(Decoded([]byte(in)))
		assert.NotContains(t, out, "4111111111111111", in)
	}
}

// A card number sent as a JSON number under a key with no card meaning is
// masked too (as a string: a masked number is no longer a number).
func TestJSONMasksNumericPAN(t *testing.T) {
	out := JSON([]byte(`{"reference":4111111111111111,"created":20160314094549,"ms":1679678900200,"amount":1000}`))
	assert.Equal(t, `{"reference":"411111******1111","created":20160314094549,"ms":1679678900200,"amount":1000}`, string(out))
}

func FuzzDecoded(f *testing.F) {
	f.Add([]byte(`{"card_number":"4012000000003010","cvv":"123","a":[1,2,{"b":null}]}`))
	f.Add([]byte(`{"a":4111111111111111}`))
	f.Add([]byte(`}{]["\`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Decoded(in) // must not panic, whatever the input
		if json.Valid(in) && string(out) != string(JSON(in)) {
			t.Fatalf("Decoded and JSON differ on valid input %q: %q, %q", in, out, JSON(in))
		}
		if s := string(out); PANs(s) != s {
			t.Fatalf("a card number survived: %q → %q", in, out)
		}
	})
}

func TestClassifyKey(t *testing.T) {
	tests := map[string]keyClass{
		"number": keyPAN, "card_number": keyPAN, "CardNumber": keyPAN, "PAN": keyPAN,
		"customer-card-number": keyPAN, "accountNumber": keyPAN,
		"cvv": keySecret, "CVC2": keySecret, "SecurityCode": keySecret, "card_cvv": keySecret,
		"password": keySecret, "Secret": keySecret, "api_key": keySecret, "authenticationKey": keySecret,
		"client_secret": keySecret, "access_token": keySecret, "refresh-token": keySecret, "Token": keySecret,
		"Authorization": keySecret, "apple_pay_dpan": keySecret, "googlePayDpan": keySecret,
		"paymentData": keySecret, "merchantKey": keySecret,
		"amount": keyPlain, "numbers": keyPlain, "tokenLifetime": keyPlain, "": keyPlain, "HolderName": keyPlain,
	}
	for k, want := range tests {
		assert.Equal(t, want, classifyKey(k), k)
		assert.Equal(t, want, classifyRawKey([]byte(`"`+k+`"`)), k)
	}
}
