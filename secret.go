package payments

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/gopayments/payments/internal/redact"
)

// Secret is a credential: an API key, a password, a client secret. Like
// [CVV] it never prints: every fmt verb, JSON and slog show "[REDACTED]"
// (and "" for an empty secret, so that a missing credential is visible).
// Use string(s) only to put it on the wire.
//
// Driver configurations hold their credentials as Secrets; a string
// constant still assigns to one directly (Config{APIKey: "sk_..."}), a
// string variable needs a conversion (payments.Secret(os.Getenv("KEY"))).
type Secret string

// String returns "[REDACTED]" (or "" for an empty secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redact.Mask
}

// GoString returns the redacted form, quoted.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format redacts the secret for every fmt verb.
func (s Secret) Format(f fmt.State, verb rune) { formatMasked(f, verb, s.String()) }

// MarshalJSON writes the redacted form. A Secret cannot be round-tripped
// through JSON, by design.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret itself, for the code that puts it on the wire.
// It is string(s), spelled out so that every use is easy to find.
func (s Secret) Reveal() string { return string(s) }
