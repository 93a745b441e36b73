package smart2paytest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gopayments/payments/internal/simserve"
	"github.com/gopayments/payments/simulator"
)

// The Server offers the surface shared by all simulators.
var _ simulator.Controller = (*Server)(nil)

// cardIDPrefix starts the driver's ID of a direct card payment ("card:210001").
const cardIDPrefix = "card:"

// Complete plays the customer at an alternative-method payment's
// RedirectURL, like CompleteRedirect: simulator.Success gives 2 Success
// (9 Authorized when the payment has Capture false), simulator.Failure
// 4 Failed, simulator.Cancel 3 Cancelled and simulator.Pending
// 7 PendingOnProvider (SetStatus finishes it). The notification is sent as
// usual. CompleteRedirect remains for the "authorize" outcome and for the
// URL the customer is sent back to.
//
// id is a GlobalPay payment ID ("2700001"), the driver's ID of a direct card
// payment ("card:210001"), or either behind a Router prefix
// ("s2p:2700001", "s2p:card:210001"); the whole id is tried first (see
// simulator.Candidates). An unknown id answers ErrNotFound; a direct card
// payment (it waits for no customer action here) or a payment no longer
// Open or PendingOnCustomer answers ErrInvalidState. They also wrap
// simulator.ErrNotFound and simulator.ErrWrongState.
func (s *Server) Complete(id string, outcome simulator.Outcome) error {
	o, err := simserve.Outcome("smart2paytest", outcome, map[simulator.Outcome]string{
		simulator.Success: OutcomeSuccess, simulator.Failure: OutcomeFail,
		simulator.Cancel: OutcomeCancel, simulator.Pending: OutcomeProcessing,
	}, "not one of success, failure, cancel, pending")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	p := simserve.Find(id, s.resolveLocked)
	if p == nil {
		return fmt.Errorf("%w: %w: %s", ErrNotFound, simulator.ErrNotFound, id)
	}
	if p.api != apiAPM {
		return fmt.Errorf("%w: %w: %s is a direct card payment; it waits for no customer action", ErrInvalidState, simulator.ErrWrongState, id)
	}
	if !completable(p.status) {
		return fmt.Errorf("%w: %w: payment %d is %s", ErrInvalidState, simulator.ErrWrongState, p.id, statusInfo[p.status])
	}
	_, err = s.completeLocked(p, o, now)
	return err
}

// resolveLocked finds a payment by GlobalPay ID, or by the driver's
// "card:" ID of a direct card payment.
func (s *Server) resolveLocked(id string) *payment {
	if rest, ok := strings.CutPrefix(id, cardIDPrefix); ok {
		n, err := strconv.ParseInt(rest, 10, 64)
		if p := s.st.payments[n]; err == nil && p != nil && p.api == apiCard {
			return p
		}
		return nil
	}
	return s.lookupLocked(id)
}
