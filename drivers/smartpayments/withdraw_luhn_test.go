package smartpayments_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
)

// A payout to a mistyped card number (the Luhn check fails) is refused
// before anything is sent: money paid out to a wrong card is not
// recoverable.
func TestWithdrawRefusesCardFailingLuhn(t *testing.T) {
	g, ct := captureGateway(t)
	_, err := g.Withdraw(context.Background(), &smartpayments.WithdrawalRequest{
		Reference: "w-1", Amount: eur(t, "1.00"), CardNumber: "4012000000003011",
	})
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || !strings.Contains(err.Error(), "card_number") {
		t.Fatalf("error %v, want invalid_request naming card_number", err)
	}
	if n := len(ct.all()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
