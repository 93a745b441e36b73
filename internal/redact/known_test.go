package redact

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An echo as issue 16 reports it: the card spaced, the CVV in free text.
const echo = "card 4111 1198 7654 3212 exp 02/30 cvv 7391 rejected"

func knownCard() *Known {
	k := &Known{}
	k.AddPAN("4111119876543212")
	k.AddCode("7391")
	k.AddText("sk_SENTINEL_apikey_7f3a9c")
	return k
}

func TestKnownText(t *testing.T) {
	k := knownCard()
	for _, tc := range []struct{ in, want string }{
		{echo, "card 411111******3212 exp 02/30 cvv [REDACTED] rejected"},
		{"4111-1198-7654-3212/7391", "411111******3212/[REDACTED]"},
		{"4111119876543212", "411111******3212"},
		{"4111 1198 7654 3212 7391", "411111******3212 [REDACTED]"},
		{"key sk_SENTINEL_apikey_7f3a9c!", "key [REDACTED]!"},
		{"key sk_SENTINEL_apikey_7f3a9c%21x", "key [REDACTED]%21x"},
		// Digit groups that only contain the code are left alone.
		{"amount 17391 and 73910 and 7.391", "amount 17391 and 73910 and 7.391"},
		{"nothing secret", "nothing secret"},
	} {
		assert.Equal(t, tc.want, k.Text(tc.in), tc.in)
		assert.Equal(t, tc.want != tc.in, k.Contains(tc.in), tc.in)
	}
	var nilK *Known
	assert.Equal(t, PANs(echo), nilK.Text(echo), "a nil Known masks by shape only")
	assert.Equal(t, echo, nilK.Text(echo), "spaced numbers are no shape PANs finds")
}

func TestKnownEncodedCredentials(t *testing.T) {
	k := &Known{}
	k.AddText(`pa"ss/wo rd+`)
	k.AddBasic("site", "s3cr3t-pass")
	assert.Equal(t, `x [REDACTED] y`, k.Text(`x pa\"ss/wo rd+ y`))
	assert.Equal(t, `q=[REDACTED]`, k.Text(`q=pa%22ss%2Fwo+rd%2B`))
	assert.Equal(t, `Basic [REDACTED]`, k.Text("Basic c2l0ZTpzM2NyM3QtcGFzcw=="))
	k2 := &Known{}
	k2.AddAuthorization("Basic c2l0ZTpzM2NyM3QtcGFzcw==")
	assert.Equal(t, `password [REDACTED]`, k2.Text("password s3cr3t-pass"))
	short := &Known{}
	short.AddText("abc")
	assert.True(t, short.Empty(), "credentials shorter than MinKnownText are not stripped")
}

func TestKnownJSON(t *testing.T) {
	k := knownCard()
	body := []byte(`{"message":"` + echo + `","amount":7391,"n":[4111119876543212],"ok":true,"key":null,"esc":"sk_SENTINEL\u005fapikey_7f3a9c"}`)
	for name, got := range map[string][]byte{"JSON": k.JSON(body), "Decoded": k.Decoded(body)} {
		require.True(t, json.Valid(got), "%s: %s", name, got)
		s := string(got)
		assert.NotContains(t, s, "1198", name)
		assert.NotContains(t, s, "7391", name)
		assert.NotContains(t, s, "SENTINEL", name)
		assert.Contains(t, s, `"amount":"[REDACTED]"`, name)
		assert.Contains(t, s, `411111******3212`, name)
		assert.Contains(t, s, `"ok":true,"key":null`, name)
	}
	plain := []byte(`{"a":"b","n":12}`)
	assert.Equal(t, string(Decoded(plain)), string(k.Decoded(plain)))
	assert.Equal(t, echo+"x", string((&Known{}).JSON([]byte(echo+"x"))))
	assert.Equal(t, "card 411111******3212 exp 02/30 cvv [REDACTED] rejected", string(k.JSON([]byte(echo))))
}

func TestKnownCollect(t *testing.T) {
	k := &Known{}
	k.CollectJSON([]byte(`{"card":{"number":"4111 1198 7654 3212","cvv":"7391","house":{"number":"12"}},` +
		`"wallet":{"paymentData":"tok_SENTINEL_wallet"},"callback_url":"https://u:hookpass99@shop.example/cb?token=cbtoken77&x=1",` +
		`"card_cvc":123,"amount":100}`))
	assert.Equal(t, []string{"4111119876543212"}, k.pans)
	assert.ElementsMatch(t, []string{"7391", "123"}, k.codes)
	for _, s := range []string{"tok_SENTINEL_wallet", "hookpass99", "cbtoken77"} {
		assert.Equal(t, "[REDACTED]", k.Text(s), s)
	}
	assert.Equal(t, "100 12", k.Text("100 12"))

	f := &Known{}
	f.CollectJSON([]byte("grant_type=client_credentials&client_secret=oauth-secret-1&card[cvc]=456&card[number]=4111119876543212"))
	assert.Equal(t, "[REDACTED] [REDACTED] 411111******3212", f.Text("oauth-secret-1 456 4111119876543212"))

	c := f.Clone()
	c.AddCode("999")
	assert.Equal(t, "999", f.Text("999"), "Clone copies")
	assert.Equal(t, "[REDACTED]", c.Text("999"))
}

func TestNewCVVKeys(t *testing.T) {
	for _, k := range []string{"cvn", "csc", "card_cvc", "cvv_code", "card[cvc]", "CVC_CODE"} {
		assert.True(t, IsSecretKey(k), k)
		assert.True(t, IsSecretParam(k), k)
	}
	assert.Equal(t, keyPAN, classifyKey("card[number]"))
	got := string(JSON([]byte(`{"cvn":"123","csc":"456","card_cvc":"789","cvv_code":"012"}`)))
	assert.Equal(t, 4, strings.Count(got, Mask), got)
	m, ok := Form("card[cvc]=123&card[number]=4111119876543212")
	assert.True(t, ok)
	assert.Equal(t, "card%5Bcvc%5D=%5BREDACTED%5D&card%5Bnumber%5D=411111%2A%2A%2A%2A%2A%2A3212", m)
}
