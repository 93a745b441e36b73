package smartpay

import (
	"strings"

	"github.com/gopayments/payments"
)

// statusRow is one documented paymentStatus and its canonical Status.
type statusRow struct {
	// Status is the canonical status before the refinements of
	// refineStatus (prepayments, partial capture).
	Status payments.Status
	// Doc says where the code is documented and why it maps as it does.
	Doc string
}

// statusTable maps every documented paymentStatus (seed 003's enum, seed
// 004's enum with SETTLED and CHARGEBACK, PROVIDERS.md's status model with
// AUTORIZATION_INITIALIZED) to a Status. It is the one place the mapping
// lives; a code not in it is StatusUnknown, never a final status.
//
// A "_PENDING" sub-state never claims more than the money has reached: a
// pending capture is still Authorized, a pending cancellation is still
// Authorized, a pending authorization is Pending.
var statusTable = map[string]statusRow{
	"CREATED": {payments.StatusRequiresAction,
		"seed 003/004: checkout created; the buyer has not completed it in the widget yet"},
	"AUTORIZATION_INITIALIZED": {payments.StatusPending,
		"PROVIDERS.md (sic, temporary): the authorization has started; no money reserved yet"},
	"AUTHORIZATION_PENDING": {payments.StatusPending,
		"seed 003/004: waiting for the authorization (an invoice awaiting the buyer: RequiresAction, see refineStatus)"},
	"AUTHORIZATION_COMPLETED": {payments.StatusAuthorized,
		"seed 003/004: funds reserved (PAYINVC: invoice granted), capture pending the merchant"},
	"CAPTURE_PENDING": {payments.StatusAuthorized,
		"seed 003/004: capture requested, not yet done: the money is still only authorized"},
	"CAPTURED": {payments.StatusCaptured,
		"seed 003/004: captured (PartiallyCaptured from the amounts; a PREPMNT is not paid by it, see refineStatus)"},
	"SETTLED": {payments.StatusCaptured,
		"seed 004 l.253; seed 003 l.54 (the captured amount \"will be settled to your account\"): captured and settled"},
	"CANCELLATION_PENDING": {payments.StatusAuthorized,
		"seed 003/004: cancel requested, not yet done: the authorization still stands"},
	"CANCELLED": {payments.StatusCanceled,
		"seed 003/004: authorization released"},
	"EXPIRED": {payments.StatusExpired,
		"seed 003/004: the checkout or authorization expired"},
	"FAILED": {payments.StatusFailed,
		"seed 003/004: declined or failed; transactionOverview.acquirerResponse says why"},
	"CHARGEBACK": {payments.StatusChargeback,
		"seed 004: the buyer disputed the payment and the funds were taken back"},
}

// MapStatus returns the canonical status for a SmartPay paymentStatus, from
// the code alone (without the amount refinements Status applies). Unknown
// codes are StatusUnknown.
func MapStatus(paymentStatus string) payments.Status {
	if row, ok := statusTable[strings.ToUpper(strings.TrimSpace(paymentStatus))]; ok {
		return row.Status
	}
	return payments.StatusUnknown
}

// Invoice payment option codes (seed 004 paymentOption.invoicePayment.type,
// and transactionOverview.paymentMethod of the payments they create).
const (
	optionPrepayment     = "PREPMNT"
	optionPayUponInvoice = "PAYINVC"
)

// Modification types (seed 003/004 enum; PROVIDERS.md: the cancel answer
// spells it CANCELLATION, the seed CANCELATION: both are accepted).
const (
	modCapture      = "CAPTURE"
	modCancellation = "CANCELLATION"
	modCancelation  = "CANCELATION"
	modChargeback   = "CHARGEBACK"
	modSettlement   = "SETTLEMENT"
	modRefund       = "REFUND"
)

// isCancelType reports both spellings of the cancel modification type.
func isCancelType(t string) bool {
	t = strings.ToUpper(t)
	return t == modCancellation || t == modCancelation
}

// mapRefundStatus maps a refund modification. The documents give the
// refund's status no values ("Actualized transaction or refund status
// after the performed modification", seed 003_6c7386b3129bc046.txt
// l.366-368; seed 004_63b579a9eeecc4a0.txt's example shows "string"), so
// no status value is read as success or failure: a refund is pending
// (conservative default: not final; package payments has no unknown
// refund status) unless the modification carries an error (seed 003
// l.192-220: "indicates at which level of processing the error
// appeared"), which makes it failed.
func mapRefundStatus(m *modification) payments.RefundStatus {
	if m != nil && hasError(m) {
		return payments.RefundFailed
	}
	return payments.RefundPending
}

// historyCaptured is the statusHistory status that adds to the captured
// amount: CAPTURED, a paymentStatus value (seed 003 l.63) that a capture
// leaves the transaction in.
const historyCaptured = "CAPTURED"
