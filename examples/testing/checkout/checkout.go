// Package checkout is a shop's checkout, written the way this library
// suggests: against payments.Gateway only, never against a driver. That one
// decision is what makes it testable. Its tests (checkout_test.go) run it
//
//   - against drivers/memory, the in-process reference gateway: no HTTP, an
//     outcome per test card, signed notifications on demand. Use it for unit
//     tests of your own logic: declines, 3-D Secure, unknown outcomes,
//     webhooks;
//   - against a provider's simulator (here smartpaymentstest) through the
//     real driver: real HTTP, the provider's field names and test cards. Use
//     it for integration tests of your configuration and of the provider's
//     quirks, still offline.
//
// In production the same Shop gets a driver, or a payments.Router over
// several:
//
//	gw, _ := smartpayments.New(smartpayments.Config{ /* credentials */ })
//	shop := &checkout.Shop{Gateway: gw, ReturnURL: "https://shop.example/return"}
//	res, err := shop.Pay(ctx, checkout.Order{ID: "order-1001", Total: total, Card: card, Customer: buyer, Billing: addr})
//	switch res.Outcome {
//	case checkout.Paid:     // thank-you page
//	case checkout.Redirect: // send the browser to res.Action (3-D Secure)
//	case checkout.Declined: // show res.Message, offer another card
//	case checkout.Pending:  // "we are checking your payment": wait for the webhook
//	}
package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/gopayments/payments"
)

// Order is what the customer is buying.
type Order struct {
	ID       string // the shop's order id: the payment's Reference
	Total    payments.Money
	Card     payments.Card
	Customer *payments.Customer
	Billing  *payments.Address
}

// Outcome is what the checkout page does next.
type Outcome int

// The outcomes.
const (
	Paid     Outcome = iota + 1 // the money is captured
	Redirect                    // the customer must complete Result.Action (3-D Secure)
	Declined                    // refused; Result.Message says why, in the customer's words
	Pending                     // not known yet: the webhook or Confirm will tell
)

func (o Outcome) String() string {
	switch o {
	case Paid:
		return "paid"
	case Redirect:
		return "redirect"
	case Declined:
		return "declined"
	case Pending:
		return "pending"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is the outcome of Pay or Confirm.
type Result struct {
	Outcome   Outcome
	PaymentID string           // for Confirm and refunds
	Action    *payments.Action // with Redirect
	Message   string           // with Declined and Pending
}

// Shop takes payments for orders.
type Shop struct {
	// Gateway is a driver, a Router, or in tests drivers/memory.
	Gateway payments.Gateway
	// ReturnURL is where the customer comes back after a challenge.
	ReturnURL string
	// MarkPaid records that an order is paid. Pay, Confirm and
	// OnNotification may each call it for the same order: it must be
	// idempotent.
	MarkPaid func(ctx context.Context, orderID string, p *payments.Payment) error
}

// Pay charges the order's card in one step.
func (s *Shop) Pay(ctx context.Context, o Order) (*Result, error) {
	req := &payments.AuthorizeRequest{
		Reference:      o.ID,
		Amount:         o.Total,
		Capture:        true,
		Method:         o.Card,
		Customer:       o.Customer,
		BillingAddress: o.Billing,
	}
	if s.ReturnURL != "" {
		req.ReturnURLs.Success = s.ReturnURL + "?order=" + url.QueryEscape(o.ID)
	}
	p, err := s.Gateway.Authorize(ctx, req)
	switch {
	case errors.Is(err, payments.ErrDeclined):
		return &Result{Outcome: Declined, PaymentID: idOf(p), Message: declineMessage(p)}, nil
	case errors.Is(err, payments.ErrOutcomeUnknown):
		// The customer may or may not have been charged. Never charge
		// again: ask the provider what happened to this order.
		return s.reconcile(ctx, o.ID, p)
	case err != nil:
		return nil, err
	}
	return s.settle(ctx, o.ID, p)
}

// Confirm asks the provider how a payment ended, when the customer comes
// back from a challenge.
func (s *Shop) Confirm(ctx context.Context, orderID, paymentID string) (*Result, error) {
	p, err := s.Gateway.Status(ctx, &payments.StatusRequest{ID: paymentID})
	if err != nil {
		return nil, err
	}
	return s.settle(ctx, orderID, p)
}

// OnNotification is the callback for payments.NotificationHandler (or
// Router.NotificationHandler). The handler has verified the notification
// before calling it; returning an error makes the provider deliver it again.
func (s *Shop) OnNotification(ctx context.Context, n *payments.Notification) error {
	if n.Payment == nil || n.Payment.Status != payments.StatusCaptured {
		return nil // refunds, failures, ...: nothing to do in this shop
	}
	return s.MarkPaid(ctx, n.Payment.Reference, n.Payment)
}

func (s *Shop) reconcile(ctx context.Context, orderID string, partial *payments.Payment) (*Result, error) {
	req := &payments.StatusRequest{Reference: orderID}
	if id := idOf(partial); id != "" {
		req = &payments.StatusRequest{ID: id}
	} else if !s.Gateway.Capabilities().LookupByReference {
		return &Result{Outcome: Pending, Message: "We are checking your payment."}, nil
	}
	p, err := s.Gateway.Status(ctx, req)
	if err != nil {
		// Still unknown: the webhook will tell. Never pay again meanwhile.
		return &Result{Outcome: Pending, PaymentID: idOf(partial), Message: "We are checking your payment."}, nil
	}
	return s.settle(ctx, orderID, p)
}

func (s *Shop) settle(ctx context.Context, orderID string, p *payments.Payment) (*Result, error) {
	r := &Result{PaymentID: p.ID}
	switch p.Status {
	case payments.StatusCaptured:
		r.Outcome = Paid
		if err := s.MarkPaid(ctx, orderID, p); err != nil {
			return nil, err
		}
	case payments.StatusRequiresAction:
		r.Outcome, r.Action = Redirect, p.Action
	case payments.StatusFailed, payments.StatusCanceled, payments.StatusExpired:
		r.Outcome, r.Message = Declined, declineMessage(p)
	default: // Pending, Unknown, ...
		r.Outcome, r.Message = Pending, "We are checking your payment."
	}
	return r, nil
}

// declineMessage tells the customer what to do, without the bank's codes.
func declineMessage(p *payments.Payment) string {
	if p == nil || p.Decline == nil {
		return "The payment was not completed. Please try again."
	}
	switch p.Decline.Reason {
	case payments.DeclineInsufficientFunds, payments.DeclineLimitExceeded:
		return "Your bank declined the payment. Please use another card."
	case payments.DeclineExpiredCard, payments.DeclineInvalidCard:
		return "Please check the card details."
	case payments.DeclineAuthenticationFailed:
		return "The card could not be verified. Please try again."
	}
	return "The payment was declined. Please use another card."
}

func idOf(p *payments.Payment) string {
	if p == nil {
		return ""
	}
	return p.ID
}
