package smartpaymentstest

import (
	"fmt"

	"github.com/gopayments/payments/internal/simserve"
	"github.com/gopayments/payments/simulator"
)

// The Server offers the surface shared by all simulators.
var _ simulator.Controller = (*Server)(nil)

// Complete plays the customer on the 3-D Secure challenge a payment waits
// for, like its form_url page: simulator.Success passes authentication and
// the card's result applies; simulator.Failure fails it with
// AUTHENTICATION_PROCESSING_ERROR; simulator.Cancel cancels it with
// 3DS_CANCEL_PROCESSING_ERROR. The callback is sent as usual.
// simulator.Pending is not supported (errors.ErrUnsupported): the challenge
// page has no such answer.
//
// id is a merchant order_id or processing order id, or a Router ID
// ("route:order_id"; see simulator.Candidates). A payment that waits for
// card details on the hosted form (see SubmitCard) or for nothing answers
// ErrWrongState; an unknown id ErrUnknownOrder. Both errors also wrap
// simulator.ErrWrongState and simulator.ErrNotFound.
func (s *Server) Complete(id string, outcome simulator.Outcome) error {
	o, err := simserve.Outcome("smartpaymentstest", outcome, map[simulator.Outcome]string{
		simulator.Success: OutcomeSuccess, simulator.Failure: OutcomeFail, simulator.Cancel: OutcomeCancel,
	}, "a challenge is passed, failed or cancelled")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := simserve.Find(id, s.lookupLocked)
	switch {
	case t == nil:
		return fmt.Errorf("%w: %w: %s", ErrUnknownOrder, simulator.ErrNotFound, id)
	case t.stage == stageCard:
		return fmt.Errorf("%w: %w: %s waits for card details (see SubmitCard)", ErrWrongState, simulator.ErrWrongState, t.orderID)
	case t.stage != stageChallenge:
		return fmt.Errorf("%w: %w: %s does not wait for a 3-D Secure challenge", ErrWrongState, simulator.ErrWrongState, t.orderID)
	}
	return s.completeChallengeLocked(t, o)
}

// SetNotificationURL sets where callbacks go for transactions created
// without a callback_url ("" to send none for them, the default), from the
// next callback on, including for transactions created before the call.
// A request's own callback_url always wins, and WithoutNotifications and the
// loopback rule (see WithExternalNotifications) still apply. Reset keeps it.
//
// This is an assumption, not documented behaviour: the document knows only
// the per-request callback_url (seed 000_2d15c756a78f42ef.txt l.107), no
// merchant-wide notification URL. It lets a test build its shop after the
// simulator, as it can with the other simulators.
func (s *Server) SetNotificationURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notifyURL = url
}
