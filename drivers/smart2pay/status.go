package smart2pay

import (
	"strconv"

	"github.com/gopayments/payments"
)

// statusEntry is one documented GlobalPay payment status.
type statusEntry struct {
	// Info is the Status.Info text GlobalPay sends with the ID.
	Info string
	// Status is the canonical status it maps to.
	Status payments.Status
}

// statusTable maps every documented payment Status.ID (there is no 20) to a
// canonical status. It is the one place the driver interprets a status ID;
// an ID not listed here maps to payments.StatusUnknown.
//
// Choices the document leaves open:
//   - 1 Open is RequiresAction: the payment waits for the customer at its
//     RedirectURL (or to pay the ReferenceDetails).
//   - 2 Success, 17 Completed and 25 Paid are Captured: the money was taken
//     (alternative methods have no separate capture).
//   - 16 Reversed is Refunded: the money went back to the customer after the
//     payment (a reversal never leaves it with the merchant).
//   - 19 Disputed, 24 DisputeLost and 26 Chargedback are Chargeback (the
//     money is at risk or gone); 23 DisputeWon is Captured (the merchant
//     keeps the money), which payments.Status.CanTransition allows after
//     Chargeback, so a won dispute is visible.
//   - On the alternative-methods host, which sends no CapturedAmount, a
//     status that does not say how much was captured (35 and the refund and
//     dispute statuses) is reported StatusUnknown by convertPayment; this
//     table gives the status as the card host means it.
//   - 6, 7, 8, 10, 13, 15, 18, 33, 34 (in progress), 14 Exception and 36, 37
//     (manual and fraud review) are Pending: nothing final has happened.
var statusTable = map[int]statusEntry{
	1:  {"Open", payments.StatusRequiresAction},
	2:  {"Success", payments.StatusCaptured},
	3:  {"Cancelled", payments.StatusCanceled},
	4:  {"Failed", payments.StatusFailed},
	5:  {"Expired", payments.StatusExpired},
	6:  {"PendingOnCustomer", payments.StatusPending},
	7:  {"PendingOnProvider", payments.StatusPending},
	8:  {"Submitted", payments.StatusPending},
	9:  {"Authorized", payments.StatusAuthorized},
	10: {"AuthorizeRequested", payments.StatusPending},
	11: {"Captured", payments.StatusCaptured},
	12: {"Rejected", payments.StatusFailed},
	13: {"CaptureRequested", payments.StatusPending},
	14: {"Exception", payments.StatusPending},
	15: {"CancelRequested", payments.StatusPending},
	16: {"Reversed", payments.StatusRefunded},
	17: {"Completed", payments.StatusCaptured},
	18: {"Processing", payments.StatusPending},
	19: {"Disputed", payments.StatusChargeback},
	21: {"PartiallyRefunded", payments.StatusPartiallyRefunded},
	22: {"Refunded", payments.StatusRefunded},
	23: {"DisputeWon", payments.StatusCaptured},
	24: {"DisputeLost", payments.StatusChargeback},
	25: {"Paid", payments.StatusCaptured},
	26: {"Chargedback", payments.StatusChargeback},
	30: {"PendingChallengeConfirmation", payments.StatusRequiresAction},
	33: {"QueuedForCapturing", payments.StatusPending},
	34: {"QueuedForCanceling", payments.StatusPending},
	35: {"PartiallyCaptured", payments.StatusPartiallyCaptured},
	36: {"SuccessWaitForFraud", payments.StatusPending},
	37: {"ExceptionWaitForFraud", payments.StatusPending},
}

// statusTexts is MapStatus's "ID Info" text of every documented status
// with its documented Info, made once so that a status as GlobalPay names it
// costs no allocation.
var statusTexts = idTexts(statusTable, func(e statusEntry) string { return e.Info })

// idTexts makes the "ID Info" text of every entry of a status table.
func idTexts[E any](table map[int]E, info func(E) string) map[int]string {
	m := make(map[int]string, len(table))
	for id, e := range table {
		m[id] = strconv.Itoa(id) + " " + info(e)
	}
	return m
}

// MapStatus returns the canonical status of a GlobalPay payment Status.ID
// and the ProviderStatus text "ID Info" ("11 Captured"). info is the
// Status.Info the provider sent; when empty the documented name is used. An
// undocumented ID maps to payments.StatusUnknown, never to a final status.
func MapStatus(id int, info string) (payments.Status, string) {
	e, ok := statusTable[id]
	if ok && (info == "" || info == e.Info) {
		return e.Status, statusTexts[id]
	}
	if info == "" {
		info = e.Info
	}
	text := strconv.Itoa(id)
	if info != "" {
		text += " " + info
	}
	if !ok {
		return payments.StatusUnknown, text
	}
	return e.Status, text
}

// refundEntry is one documented GlobalPay refund status.
type refundEntry struct {
	Info   string
	Status payments.RefundStatus
}

// refundStatusTable maps the documented refund Status.IDs: 1 Open,
// 2 Success, 4 Failed. Any other ID is pending: a refund is never reported
// failed or succeeded on a guess.
var refundStatusTable = map[int]refundEntry{
	1: {"Open", payments.RefundPending},
	2: {"Success", payments.RefundSucceeded},
	4: {"Failed", payments.RefundFailed},
}

// refundStatusTexts is MapRefundStatus's "ID Info" text of every documented
// refund status with its documented Info (see statusTexts).
var refundStatusTexts = idTexts(refundStatusTable, func(e refundEntry) string { return e.Info })

// MapRefundStatus returns the canonical refund status of a GlobalPay refund
// Status.ID and its "ID Info" text. An undocumented ID is
// payments.RefundPending.
func MapRefundStatus(id int, info string) (payments.RefundStatus, string) {
	e, ok := refundStatusTable[id]
	if ok && (info == "" || info == e.Info) {
		return e.Status, refundStatusTexts[id]
	}
	if info == "" {
		info = e.Info
	}
	text := strconv.Itoa(id)
	if info != "" {
		text += " " + info
	}
	if !ok {
		return payments.RefundPending, text
	}
	return e.Status, text
}

// redirectTable maps the documented redirection statuses (the data
// parameter GlobalPay appends to the ReturnURL) to the status they hint at.
var redirectTable = map[int]payments.Status{
	2: payments.StatusCaptured,   // Success
	3: payments.StatusCanceled,   // Cancelled
	4: payments.StatusFailed,     // Failed
	7: payments.StatusPending,    // Processing
	9: payments.StatusAuthorized, // Authorized
}
