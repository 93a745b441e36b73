package conformance

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments"
)

// TestPaymentRoundTrip: the check the tracked gateway applies to every
// Payment, Refund and Notification a scenario gets back passes what survives
// json.Marshal → json.Unmarshal and names the field of what does not.
func TestPaymentRoundTrip(t *testing.T) {
	eur := func(s string) payments.Money {
		m, err := payments.ParseMoney(s, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	created := time.Date(2024, 5, 1, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	full := payments.Payment{
		ID: "p1", Reference: "order-1", Provider: "x", Status: payments.StatusCaptured,
		Amount: eur("10.5"), Captured: eur("10.50"), Refunded: eur("0"),
		Action:         &payments.Action{Type: payments.ActionDisplay, Reference: "INV-1", Fields: map[string]string{}, ExpiresAt: created},
		ProviderStatus: "11 Captured",
		Created:        created, Updated: time.Now(), // monotonic reading, local zone
		Attempts: []payments.Attempt{{Route: "a", Status: payments.StatusFailed, Code: payments.Declined, Err: errors.New("declined")}},
		Raw:      json.RawMessage(`{ "html": "<b>&</b>", "n": 10.50 }`),
	}
	tests := []struct {
		name  string
		p     payments.Payment
		field string // the field named in the diff; empty: none
	}{
		{"every field", full, ""},
		{"declined, money fields unset", payments.Payment{ID: "p2", Provider: "x", Status: payments.StatusFailed,
			Decline: &payments.Decline{Reason: payments.DeclineGeneric, Code: "05"}}, ""},
		{"amount finer than the minor unit", payments.Payment{ID: "p3", Captured: eur("0"), Refunded: eur("0"),
			Amount: payments.Money{Amount: decimal.RequireFromString("10.555"), Currency: "EUR"}}, "json.Unmarshal"},
		{"raw that is not JSON", payments.Payment{ID: "p4", Amount: eur("1"), Raw: json.RawMessage(`orderId=1&status=2`)}, "json.Marshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := paymentRoundTrip(&tt.p)
			if tt.field == "" {
				if len(d) > 0 {
					t.Errorf("diffs: %v", d)
				}
				return
			}
			if len(d) == 0 || !strings.HasPrefix(d[0], tt.field) {
				t.Errorf("diffs %v, want one about %s", d, tt.field)
			}
		})
	}

	if d := refundRoundTrip(&payments.Refund{ID: "r1", PaymentID: "p1", Status: payments.RefundPending}); len(d) > 0 {
		t.Errorf("a refund with no amount: %v", d)
	}
	if d := refundRoundTrip(&payments.Refund{ID: "r2", Amount: eur("1"), Raw: json.RawMessage(`<xml/>`)}); len(d) == 0 {
		t.Error("a refund whose Raw is not JSON passed")
	}
	n := &payments.Notification{Kind: payments.NotificationPayment, Payment: &full, Verified: payments.VerifiedByQuery, Raw: json.RawMessage(`{"a":1}`)}
	if d := notificationRoundTrip(n); len(d) > 0 {
		t.Errorf("notification: %v", d)
	}
	n.Raw = json.RawMessage(`orderId=n-1&status=-1`)
	if d := notificationRoundTrip(n); len(d) == 0 {
		t.Error("a notification whose Raw is not JSON passed")
	}
}
