package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/examples/testing/checkout"
	"github.com/gopayments/payments/simulator"
)

// ledger is the test's stand-in for the shop's order database: it records
// which orders MarkPaid was called for, and how often.
type ledger struct {
	mu   sync.Mutex
	paid map[string]int
}

func (l *ledger) markPaid(_ context.Context, orderID string, _ *payments.Payment) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.paid == nil {
		l.paid = map[string]int{}
	}
	l.paid[orderID]++
	return nil
}

func (l *ledger) times(orderID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.paid[orderID]
}

func order(id, total string, number payments.CardNumber) checkout.Order {
	m, err := payments.ParseMoney(total, "EUR")
	if err != nil {
		panic(err)
	}
	return checkout.Order{
		ID: id, Total: m,
		Card: payments.Card{Number: number, Holder: "Jane Doe", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		// SmartPayments requires all of these; the memory gateway ignores them.
		Customer: &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+442079460612", IP: "203.0.113.7"},
		Billing:  &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
	}
}

// ---- Unit tests with drivers/memory ----------------------------------------
//
// memory.New(memory.Config{}) is a complete payments.Gateway in a few kilobytes of state:
// no network, no credentials, and an outcome chosen by the test card
// (memory.CardApproved, memory.CardInsufficientFunds, memory.CardThreeDS, ...;
// see the package documentation). A fresh one per test keeps tests
// independent and parallel.

func TestPay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		card    payments.CardNumber
		want    checkout.Outcome
		message string
	}{
		{"approved", memory.CardApproved, checkout.Paid, ""},
		{"insufficient funds", memory.CardInsufficientFunds, checkout.Declined, "Your bank declined the payment. Please use another card."},
		{"expired card", memory.CardExpired, checkout.Declined, "Please check the card details."},
		{"suspected fraud", memory.CardSuspectedFraud, checkout.Declined, "The payment was declined. Please use another card."},
		{"3-D Secure", memory.CardThreeDS, checkout.Redirect, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l ledger
			shop := &checkout.Shop{Gateway: memory.New(memory.Config{}), ReturnURL: "https://shop.example/return", MarkPaid: l.markPaid}

			res, err := shop.Pay(context.Background(), order("order-1", "49.99", tc.card))
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.want || res.Message != tc.message {
				t.Fatalf("got %v %q, want %v %q", res.Outcome, res.Message, tc.want, tc.message)
			}
			if paid := l.times("order-1"); (tc.want == checkout.Paid) != (paid == 1) {
				t.Errorf("MarkPaid called %d times", paid)
			}
		})
	}
}

// The customer's side of a challenge is one call on the memory gateway:
// CompleteAction plays the issuer's page.
func TestPayThreeDSThenConfirm(t *testing.T) {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	var l ledger
	shop := &checkout.Shop{Gateway: gw, ReturnURL: "https://shop.example/return", MarkPaid: l.markPaid}

	res, err := shop.Pay(ctx, order("order-3ds", "30.00", memory.CardThreeDS))
	if err != nil || res.Outcome != checkout.Redirect {
		t.Fatalf("Pay: %v %v", res, err)
	}
	if res.Action == nil || res.Action.Type != payments.ActionFormPost {
		t.Fatalf("action %+v: the checkout page must auto-post the 3-D Secure form", res.Action)
	}

	if _, err := gw.CompleteAction(res.PaymentID, true); err != nil { // the customer authenticates
		t.Fatal(err)
	}
	res, err = shop.Confirm(ctx, "order-3ds", res.PaymentID) // back on ReturnURL
	if err != nil || res.Outcome != checkout.Paid {
		t.Fatalf("Confirm: %v %v", res, err)
	}
	if l.times("order-3ds") != 1 {
		t.Error("order not marked paid")
	}
}

// lostAnswer wraps a gateway and loses Authorize's answer after the payment
// went through: what a timeout after sending looks like. Embedding
// payments.Gateway and overriding one method is all a fault needs.
type lostAnswer struct{ payments.Gateway }

func (g lostAnswer) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if _, err := g.Gateway.Authorize(ctx, req); err != nil {
		return nil, err
	}
	return nil, &payments.Error{Code: payments.OutcomeUnknown, Message: "timeout after sending"}
}

// An unknown outcome must be reconciled with Status, never paid again.
func TestPayOutcomeUnknownReconciles(t *testing.T) {
	var l ledger
	gw := memory.New(memory.Config{})
	shop := &checkout.Shop{Gateway: lostAnswer{gw}, MarkPaid: l.markPaid}

	res, err := shop.Pay(context.Background(), order("order-lost", "10.00", memory.CardApproved))
	if err != nil || res.Outcome != checkout.Paid {
		t.Fatalf("got %v %v, want paid after reconciling", res, err)
	}
	// The ground truth: exactly one payment exists for the order.
	p, err := gw.Status(context.Background(), &payments.StatusRequest{Reference: "order-lost"})
	if err != nil || p.Status != payments.StatusCaptured {
		t.Fatalf("provider state: %v %v", p, err)
	}
}

// Webhooks: memory.NotificationRequest builds the signed request the
// "provider" would send; serve it to the same handler production mounts.
func TestNotification(t *testing.T) {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	var l ledger
	shop := &checkout.Shop{Gateway: gw, MarkPaid: l.markPaid}
	handler := payments.NotificationHandler(gw, shop.OnNotification)

	m, _ := payments.ParseMoney("25.00", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-hook", Amount: m, Capture: true,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030"},
	})
	if err != nil {
		t.Fatal(err)
	}

	// A forged notification (a wrong signature) is refused with 401 and
	// never reaches the shop.
	forged, _ := gw.NotificationRequest(p)
	forged.Header.Set(memory.SignatureHeader, "sha256=00")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, forged)
	if rec.Code != http.StatusUnauthorized || l.times("order-hook") != 0 {
		t.Fatalf("forged: HTTP %d, marked paid %d times", rec.Code, l.times("order-hook"))
	}

	// The real one, delivered twice as providers do: idempotent.
	for range 2 {
		req, _ := gw.NotificationRequest(p)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	}
	if l.times("order-hook") != 2 {
		t.Errorf("MarkPaid called %d times, want once per delivery", l.times("order-hook"))
	}
}

// ---- Integration tests with a simulator -------------------------------------
//
// smartpaymentstest.NewServer() starts the SmartPayments simulator on
// loopback ports. The real driver talks HTTP to it with the provider's field
// names, so these tests also check the driver configuration the shop uses
// (required customer fields, account currency, ...). Test data comes from
// the simulator's package documentation.

func newSimShop(t *testing.T) (*checkout.Shop, *smartpaymentstest.Server, *ledger) {
	t.Helper()
	sim := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
	t.Cleanup(sim.Close)
	gw, err := smartpayments.New(smartpayments.Config{
		MerchantKey:   smartpaymentstest.DefaultMerchantKey,
		Secret:        smartpaymentstest.DefaultSecret,
		Account:       "EUR-sandbox",
		MerchantSite:  "https://shop.example",
		BaseURL:       sim.BaseURL(),     // the only difference from production:
		CardBaseURL:   sim.CardBaseURL(), // the simulator's URLs
		ExportBaseURL: sim.ExportBaseURL(),
		HTTPClient:    sim.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	l := &ledger{}
	return &checkout.Shop{Gateway: gw, ReturnURL: "https://shop.example/return", MarkPaid: l.markPaid}, sim, l
}

func TestSimulatorPay(t *testing.T) {
	shop, _, l := newSimShop(t)
	res, err := shop.Pay(context.Background(), order("order-sim-1", "49.99", smartpaymentstest.CardFrictionless))
	if err != nil || res.Outcome != checkout.Paid {
		t.Fatalf("got %v %v", res, err)
	}
	if l.times("order-sim-1") != 1 {
		t.Error("not marked paid")
	}
}

func TestSimulatorDecline(t *testing.T) {
	shop, _, _ := newSimShop(t)
	// Any card but the two documented ones declines; an amount ending in 51
	// picks INSUFFICIENT_FUNDS_PROCESSING_ERROR.
	res, err := shop.Pay(context.Background(), order("order-sim-2", "10.51", smartpaymentstest.CardDeclined))
	if err != nil || res.Outcome != checkout.Declined || res.Message != "Your bank declined the payment. Please use another card." {
		t.Fatalf("got %+v %v", res, err)
	}
}

func TestSimulatorThreeDS(t *testing.T) {
	ctx := context.Background()
	shop, sim, l := newSimShop(t)
	res, err := shop.Pay(ctx, order("order-sim-3", "30.00", smartpaymentstest.CardChallenge))
	if err != nil || res.Outcome != checkout.Redirect || res.Action.URL == "" {
		t.Fatalf("got %+v %v", res, err)
	}
	// The customer passes the challenge on the page at res.Action.URL. A
	// unit test can take the simulator's shortcut; examples/quickstart
	// does it over HTTP like a browser.
	if err := sim.Complete("order-sim-3", simulator.Success); err != nil {
		t.Fatal(err)
	}
	res, err = shop.Confirm(ctx, "order-sim-3", res.PaymentID)
	if err != nil || res.Outcome != checkout.Paid || l.times("order-sim-3") != 1 {
		t.Fatalf("got %+v %v", res, err)
	}
}

// A provider that is down: the driver says ErrUnavailable and the shop
// passes it on, so the page can say "try again".
func TestSimulatorDown(t *testing.T) {
	shop, sim, _ := newSimShop(t)
	sim.Close()
	_, err := shop.Pay(context.Background(), order("order-sim-4", "10.00", smartpaymentstest.CardFrictionless))
	if !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}
