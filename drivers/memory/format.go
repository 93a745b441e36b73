package memory

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/gopayments/payments/internal/redact"
)

// String describes the gateway without its notification secret or its
// payments.
func (g *Gateway) String() string {
	if g == nil {
		return "<nil>"
	}
	return "memory.Gateway{notify:" + g.notifyURLSafe() + "}"
}

// GoString is the Go-syntax form of String.
func (g *Gateway) GoString() string {
	if g == nil {
		return "(*memory.Gateway)(nil)"
	}
	return "&memory.Gateway{notifyURL:" + strconv.Quote(g.notifyURLSafe()) + "}"
}

// Format prints the safe description for every verb: the gateway holds its
// signing secret, which no verb may show.
func (g *Gateway) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, g.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(g.String()))
	default:
		fmt.Fprint(f, g.String())
	}
}

// LogValue logs the gateway's name only.
func (g *Gateway) LogValue() slog.Value { return slog.StringValue(g.String()) }

// notifyURLSafe is the notification URL without credentials.
func (g *Gateway) notifyURLSafe() string { return redact.URL(g.notifyURL) }
