package smartpaytest

import (
	"errors"
	"fmt"

	"github.com/gopayments/payments/internal/simserve"
	"github.com/gopayments/payments/simulator"
)

// The Server offers the surface shared by all simulators.
var _ simulator.Controller = (*Server)(nil)

// Complete plays the buyer finishing the hosted checkout created by
// POST /payment/creation, like the checkout page, and sends a webhook
// (origin "widget"): simulator.Success gives AUTHORIZATION_COMPLETED
// (CAPTURED with WithAutoCapture), simulator.Failure FAILED and
// simulator.Pending AUTHORIZATION_PENDING (a later Complete with Success
// or Failure resolves it). simulator.Cancel is not supported
// (errors.ErrUnsupported): the documents define no cancelled checkout.
//
// id is a transactionId or a Router ID ("route:transactionId"; see
// simulator.Candidates). An unknown id answers ErrUnknownTransaction; a
// payment not created by Create Checkout, or no longer CREATED,
// AUTORIZATION_INITIALIZED or AUTHORIZATION_PENDING, answers
// ErrInvalidState. They also wrap simulator.ErrNotFound and
// simulator.ErrWrongState.
func (s *Server) Complete(id string, outcome simulator.Outcome) error {
	o, err := simserve.Outcome("smartpaytest", outcome, map[simulator.Outcome]CheckoutOutcome{
		simulator.Success: CheckoutSuccess, simulator.Failure: CheckoutFailure, simulator.Pending: CheckoutPending,
	}, "a checkout succeeds, fails or stays pending")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := simserve.Find(id, func(c string) *payment { return s.st.payments[c] })
	if p == nil {
		return fmt.Errorf("%w: %w: %s", ErrUnknownTransaction, simulator.ErrNotFound, id)
	}
	if err := s.completeLocked(p, o); err != nil {
		if errors.Is(err, ErrInvalidState) {
			return fmt.Errorf("%w: %w", simulator.ErrWrongState, err)
		}
		return err
	}
	return nil
}

// SetNotificationURL sets the merchant's notification URL at run time, like
// WithNotificationURL ("" turns webhooks off). Webhooks already queued keep the
// URL they were queued with; Reset keeps the URL. It is safe for concurrent
// use.
func (s *Server) SetNotificationURL(url string) { s.hooks.setTarget(url) }
