package payments_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

func TestSecretNeverPrints(t *testing.T) {
	const key = "sk_live_do_not_print"
	s := payments.Secret(key)
	type holder struct {
		Key payments.Secret `json:"key"`
		ptr *payments.Secret
	}
	h := holder{Key: s, ptr: &s}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, s), key, verb)
		assert.NotContains(t, fmt.Sprintf(verb, h.Key), key, verb)
		assert.NotContains(t, fmt.Sprintf(verb, []payments.Secret{s}), key, verb)
	}
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, `"[REDACTED]"`, s.GoString())
	assert.Equal(t, `"[REDACTED]"`, fmt.Sprintf("%q", s))
	assert.Equal(t, "", payments.Secret("").String(), "an empty secret shows as empty")
	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.Equal(t, `{"key":"[REDACTED]"}`, string(b))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", s, "holder", h)
	assert.NotContains(t, buf.String(), key)
	assert.Equal(t, key, s.Reveal())
	assert.True(t, strings.Contains(fmt.Sprintf("%+v", h), "Key:[REDACTED]"))
}
