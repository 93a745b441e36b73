package memory_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

// checkout is the code under test in your application: it only knows
// payments.Gateway.
func checkout(ctx context.Context, gw payments.Gateway, order string, number payments.CardNumber) (string, error) {
	amount, _ := payments.ParseMoney("49.99", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: order, Amount: amount, Capture: true,
		Method: payments.Card{Number: number, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
	switch {
	case errors.Is(err, payments.ErrDeclined):
		return "declined: " + string(p.Decline.Reason), nil
	case err != nil:
		return "", err
	case p.Status == payments.StatusRequiresAction:
		return "3-D Secure at " + p.Action.URL, nil
	}
	return "paid " + p.Captured.String(), nil
}

// The memory gateway in a unit test: no network, outcomes chosen by the
// test card.
func Example() {
	ctx := context.Background()
	gw := memory.New(memory.Config{})

	for i, number := range []payments.CardNumber{memory.CardApproved, memory.CardInsufficientFunds, memory.CardThreeDS} {
		got, err := checkout(ctx, gw, fmt.Sprintf("order-%d", i), number)
		fmt.Println(got, err)
	}
	// Output:
	// paid 49.99 EUR <nil>
	// declined: insufficient_funds <nil>
	// 3-D Secure at https://acs.memory.invalid/3ds/challenge <nil>
}

// Finishing a 3-D Secure challenge as the customer would.
func ExampleGateway_CompleteAction() {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	amount, _ := payments.ParseMoney("10.00", "EUR")
	p, _ := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-3ds", Amount: amount,
		Method: payments.Card{Number: memory.CardThreeDS, ExpiryMonth: "12", ExpiryYear: "2030"},
	})
	fmt.Println(p.Status, p.Action.Type)

	p, _ = gw.CompleteAction(p.ID, true)
	fmt.Println(p.Status)
	// Output:
	// requires_action form_post
	// authorized
}

// Testing a webhook handler with a signed notification.
func ExampleGateway_NotificationRequest() {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	amount, _ := payments.ParseMoney("25.00", "EUR")
	p, _ := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-hook", Amount: amount, Capture: true,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030"},
	})

	handler := payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
		fmt.Println("notified:", n.Payment.Reference, n.Payment.Status, "verified by", n.Verified)
		return nil
	})
	req, _ := gw.NotificationRequest(p)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println("answered", rec.Code)
	// Output:
	// notified: order-hook captured verified by signature
	// answered 200
}

// Partial captures and refunds, with the amount rules enforced.
func ExampleGateway_Capture() {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	amount, _ := payments.ParseMoney("100.00", "EUR")
	p, _ := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-split", Amount: amount,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030"},
	})
	part, _ := payments.ParseMoney("60.00", "EUR")
	p, _ = gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &part})
	fmt.Println(p.Status, p.Captured)

	_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &part})
	fmt.Println(errors.Is(err, payments.ErrInvalidState))

	p, _ = gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	fmt.Println(p.Status, p.Captured)
	// Output:
	// partially_captured 60.00 EUR
	// true
	// captured 100.00 EUR
}
