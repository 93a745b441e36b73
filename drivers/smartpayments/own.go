package smartpayments

import (
	"errors"
	"sync"

	"github.com/gopayments/payments"
)

// maxOwnRecords bounds the records a Gateway keeps of its own calls; the
// oldest are forgotten first.
const maxOwnRecords = 1 << 16

// own is what this Gateway itself did to payments, from its own calls'
// answers: which payments it created with /authorize (two-step), what its
// /capture and /cancel answered, and the refunds its /refund calls were
// answered with. The document gives /check no field for any of it:
// authorize_status is only ever shown null (seed 000_2d15c756a78f42ef.txt
// l.340, l.376), the response table has no refunded amount (l.389-409), and
// refunds are transactions of their own (refund_id, parentTransaction,
// l.409, l.438-443). So a two-step payment's state and a payment's refunds
// come from here; a payment this Gateway has no record of (made by another
// process, or before a restart) is reported from /check alone.
type own struct {
	mu    sync.Mutex
	m     map[string]*ownRecord
	order []string          // insertion order, for eviction
	refs  map[string]string // refund_id → the payment's order id
}

// captureState is what the driver's /capture answered.
type captureState uint8

const (
	captureNone    captureState = iota
	capturePending              // answered 1 or 0
	captureDone                 // answered 2
)

// ownRecord is one payment's record. Amounts are minor units.
type ownRecord struct {
	twoStep bool
	capture captureState
	// captureMinor is the amount /capture was asked for; 0 means the whole
	// amount (no amount sent).
	captureMinor int64
	// cancel is true once /cancel answered a successful or pending cancel.
	cancel bool
	// doubt is set when a /capture, /cancel or /refund of this Gateway was
	// sent and its answer lost: /check has no field that says what it did,
	// so the payment's state and amounts are not knowable any more and
	// Status reports StatusUnknown (conservative default).
	doubt   bool
	refunds []ownRefund
}

// ownRefund is a refund this Gateway made.
type ownRefund struct {
	id     string
	minor  int64
	status payments.RefundStatus
}

// update runs f on orderID's record, creating it if needed.
func (o *own) update(orderID string, f func(r *ownRecord)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]*ownRecord{}
	}
	r := o.m[orderID]
	if r == nil {
		if len(o.order) >= maxOwnRecords {
			for _, f := range o.m[o.order[0]].refunds {
				delete(o.refs, f.id)
			}
			delete(o.m, o.order[0])
			o.order = o.order[1:]
		}
		r = &ownRecord{}
		o.m[orderID] = r
		o.order = append(o.order, orderID)
	}
	f(r)
}

// get returns a copy of orderID's record.
func (o *own) get(orderID string) (ownRecord, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.m[orderID]
	if !ok {
		return ownRecord{}, false
	}
	c := *r
	c.refunds = append([]ownRefund(nil), r.refunds...)
	return c, true
}

// addRefund records a refund this Gateway made.
func (o *own) addRefund(orderID string, f ownRefund) {
	o.update(orderID, func(r *ownRecord) {
		r.refunds = append(r.refunds, f)
		if f.id != "" {
			if o.refs == nil {
				o.refs = map[string]string{}
			}
			o.refs[f.id] = orderID
		}
	})
}

// refundOrder returns the order id of the payment a refund_id refunds.
func (o *own) refundOrder(refundID string) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	id, ok := o.refs[refundID]
	return id, ok
}

// setRefund records the status of one of orderID's refunds.
func (o *own) setRefund(orderID, refundID string, st payments.RefundStatus) {
	o.update(orderID, func(r *ownRecord) {
		for i := range r.refunds {
			if r.refunds[i].id == refundID {
				r.refunds[i].status = st
			}
		}
	})
}

// refunded sums the refunds in a status (succeeded), and those not failed
// (pending or succeeded: what a new refund must leave room for).
func (r *ownRecord) refunded() (succeeded, notFailed int64) {
	for _, f := range r.refunds {
		switch f.status {
		case payments.RefundSucceeded:
			succeeded += f.minor
			notFailed += f.minor
		case payments.RefundFailed:
		default:
			notFailed += f.minor
		}
	}
	return succeeded, notFailed
}

// markDoubt records that a money-moving call on orderID may or may not have
// been processed (err is an unknown outcome).
func (o *own) markDoubt(orderID string, err error) {
	if errors.Is(err, payments.ErrOutcomeUnknown) {
		o.update(orderID, func(r *ownRecord) { r.doubt = true })
	}
}
