package smartpayments

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gopayments/payments"
)

// problems collects the provider's own requirements that a request fails.
type problems struct {
	first string
	msgs  []string
}

func (p *problems) add(field, msg string) {
	if p.first == "" {
		p.first = field
	}
	p.msgs = append(p.msgs, field+": "+msg)
}

func (p *problems) require(field, v string) {
	if strings.TrimSpace(v) == "" {
		p.add(field, "required by smartpayments")
	}
}

func (p *problems) err() error {
	if len(p.msgs) == 0 {
		return nil
	}
	return &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: p.first, Message: strings.Join(p.msgs, "; ")}
}

// joinLines joins the trimmed non-empty address lines with ", ".
func joinLines(line1, line2 string) string {
	line1, line2 = strings.TrimSpace(line1), strings.TrimSpace(line2)
	switch {
	case line1 == "":
		return line2
	case line2 == "":
		return line1
	}
	return line1 + ", " + line2
}

func itoaNonZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseTime reads the provider's endDate ("2023-07-04T13:22:07.087Z");
// anything else is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
