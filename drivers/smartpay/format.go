package smartpay

import (
	"fmt"
	"log/slog"

	"github.com/gopayments/payments/internal/httpx"
)

// Configurations and gateways print safely: credentials (payments.Secret
// fields) show "[REDACTED]", URLs lose their user info and secret query
// parameters, the HTTP client and logger show only whether they are set.

// String returns the configuration with its credentials redacted.
func (c Config) String() string { return httpx.ConfigString("smartpay.Config", c, false) }

// GoString returns a Go-syntax form with the credentials redacted.
func (c Config) GoString() string { return httpx.ConfigString("smartpay.Config", c, true) }

// Format prints the redacted forms for every verb (%#v: GoString).
func (c Config) Format(f fmt.State, verb rune) { httpx.FormatSafe(f, verb, c.String(), c.GoString()) }

// LogValue logs the configuration's fields, credentials redacted.
func (c Config) LogValue() slog.Value { return httpx.ConfigLogValue(c) }

// MarshalJSON writes the configuration's fields, credentials redacted.
func (c Config) MarshalJSON() ([]byte, error) { return httpx.ConfigJSON(c) }

// String describes the gateway by its configuration, credentials redacted.
func (g *Gateway) String() string {
	if g == nil {
		return "<nil>"
	}
	return "smartpay.Gateway" + g.cfg.String()
}

// GoString is String: a Gateway has no Go-syntax form worth printing.
func (g *Gateway) GoString() string {
	if g == nil {
		return "(*smartpay.Gateway)(nil)"
	}
	return "&smartpay.Gateway{cfg:" + g.cfg.GoString() + "}"
}

// Format prints the safe description for every verb: the gateway holds
// the credentials (and, for some, the Authorization headers built from
// them), which no verb may show.
func (g *Gateway) Format(f fmt.State, verb rune) { httpx.FormatSafe(f, verb, g.String(), g.GoString()) }

// LogValue logs the gateway's configuration, credentials redacted.
func (g *Gateway) LogValue() slog.Value {
	if g == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("provider", Name), slog.Any("config", g.cfg.LogValue()))
}
