package smartpay

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// contradiction is an answer that reads fine but contradicts itself
// (amounts in two currencies, more refunded than paid): an integrity
// error, where an unreadable answer leaves the outcome unknown.
type contradiction struct{ msg string }

func (c *contradiction) Error() string { return c.msg }

func contradict(format string, args ...any) error {
	return &contradiction{fmt.Sprintf(format, args...)}
}

// mapErr classifies a toPayment error of a money-moving call's 2xx answer.
func mapErr(op string, err error) *payments.Error {
	var c *contradiction
	if errors.As(err, &c) {
		return &payments.Error{Code: payments.Integrity, Provider: Name, Message: op + ": " + c.msg}
	}
	return outcomeUnknown(op, err)
}

// toPayment maps a payment document (status, authorize and modification
// answers) to a Payment. body is the answer doc was decoded from, whole
// (httpx.DecodeJSON): it is scrubbed into Raw without a validity pass. An
// amount that cannot be read, or amounts in another currency than the
// payment's, are an error: money is never guessed.
func (g *Gateway) toPayment(doc *paymentDoc, body []byte) (*payments.Payment, error) {
	ov := &doc.TransactionOverview
	if ov.Amount == "" {
		return nil, fmt.Errorf("transactionOverview.amount is missing")
	}
	amount, err := payments.ParseMoney(string(ov.Amount), ov.CurrencyCode)
	if err != nil {
		return nil, fmt.Errorf("transactionOverview.amount %q %q: %w", ov.Amount, ov.CurrencyCode, err)
	}
	if amount.Amount.IsNegative() {
		return nil, contradict("transactionOverview.amount %s is negative", ov.Amount)
	}
	p := &payments.Payment{
		ID:             ov.TransactionID,
		Reference:      doc.PartnerReference,
		Provider:       Name,
		Amount:         amount,
		ProviderStatus: doc.PaymentStatus,
		Created:        parseDate(doc.CreationDate),
		Updated:        parseDate(doc.LastStatusDate),
		Raw:            redact.Decoded(body),
	}
	captured, refunded, err := totals(doc, amount)
	if err != nil {
		return nil, err
	}
	p.Status = refineStatus(doc, amount, &captured)
	p.Captured, p.Refunded = captured, refunded

	if txRef := transactionReference(doc); txRef != "" {
		switch p.Status {
		case payments.StatusFailed, payments.StatusCanceled, payments.StatusExpired:
		default:
			p.Action = &payments.Action{
				Type:      payments.ActionDisplay,
				Reference: txRef,
				Details:   map[string]string{"paymentMethod": ov.PaymentMethod},
			}
		}
	}
	if p.Status == payments.StatusFailed {
		p.Decline = &payments.Decline{Reason: payments.DeclineGeneric, Code: doc.PaymentStatus, Message: redact.PANs(ov.AcquirerResponse)}
	}
	return p, nil
}

// isInvoice reports a PREPMNT or PAYINVC payment.
func isInvoice(doc *paymentDoc) bool {
	m := strings.ToUpper(doc.TransactionOverview.PaymentMethod)
	return m == optionPrepayment || m == optionPayUponInvoice
}

// isPrepayment reports a PREPMNT payment.
func isPrepayment(doc *paymentDoc) bool {
	return strings.EqualFold(doc.TransactionOverview.PaymentMethod, optionPrepayment)
}

// transactionReference is the invoice reference the buyer quotes: at the
// top level in the examples, in transactionOverview in seed 003's schema.
func transactionReference(doc *paymentDoc) string {
	if doc.TransactionReference != "" {
		return doc.TransactionReference
	}
	return doc.TransactionOverview.TransactionReference
}

// prepaymentPaid reports whether a PREPMNT payment document carries
// evidence that the buyer has paid. paymentStatus CAPTURED is not such
// evidence: the document's own answer to a fresh prepayment says CAPTURED
// (seed 004_63b579a9eeecc4a0.txt l.482-498) while its prose says the buyer
// pays later, quoting the transactionReference (l.4-7). The driver takes as
// paid only what says the money reached the merchant: paymentStatus
// SETTLED (seed 004 l.253; "the captured amount (which will be settled to
// your account)", seed 003_6c7386b3129bc046.txt l.54) or a SETTLEMENT
// modification without an error (seed 003 l.360-364).
func prepaymentPaid(doc *paymentDoc) bool {
	if strings.EqualFold(strings.TrimSpace(doc.PaymentStatus), "SETTLED") {
		return true
	}
	for i := range doc.Modification {
		m := &doc.Modification[i]
		if strings.EqualFold(m.ModificationData.Type, modSettlement) && !hasError(m) {
			return true
		}
	}
	return false
}

// hasError reports a modification that carries an error (seed 003
// l.192-220).
func hasError(m *modification) bool {
	return m.Error != nil && (m.Error.Error != "" || m.Error.ErrorDetails != nil)
}

// refineStatus applies the payment method and the amounts to the table's
// status:
//   - PREPMNT without evidence of payment (prepaymentPaid): the buyer has
//     not paid, whatever paymentStatus says (a fresh prepayment answers
//     CAPTURED). While the payment is open it is RequiresAction when there
//     is a transactionReference to print on the invoice, else Pending; the
//     captured amount is zero. Final statuses (FAILED, CANCELLED, EXPIRED,
//     CHARGEBACK) and unknown codes are kept.
//   - AUTHORIZATION_PENDING of a PAYINVC with a transactionReference:
//     RequiresAction (the buyer must pay it);
//   - CAPTURED / SETTLED: PartiallyCaptured when less than the amount was
//     captured; with no capture in the answer, the whole amount is captured
//     (paymentStatus is "the current payment status of the initial
//     transaction", seed 003 l.61-65).
//
// Refunds never refine the status: no document defines the status value
// of a completed refund (see totals).
func refineStatus(doc *paymentDoc, amount payments.Money, captured *payments.Money) payments.Status {
	code := strings.ToUpper(strings.TrimSpace(doc.PaymentStatus))
	st := MapStatus(code)
	if isPrepayment(doc) && !prepaymentPaid(doc) {
		switch st {
		case payments.StatusRequiresAction, payments.StatusPending, payments.StatusAuthorized, payments.StatusCaptured:
			*captured = amount.Zero()
			if code != "CANCELLATION_PENDING" && transactionReference(doc) != "" {
				return payments.StatusRequiresAction
			}
			return payments.StatusPending
		}
		return st
	}
	switch st {
	case payments.StatusPending:
		if code == "AUTHORIZATION_PENDING" && isInvoice(doc) && transactionReference(doc) != "" {
			return payments.StatusRequiresAction
		}
	case payments.StatusCaptured:
		if captured.IsZero() {
			*captured = amount
		}
		if c, _ := captured.Cmp(amount); c < 0 {
			return payments.StatusPartiallyCaptured
		}
	}
	return st
}

// totals sums the captured amount. The top-level statusHistory ("the list
// of Capture, Cancel, Refund attempts", seed 003 l.428-432) is the source:
// entries without an error whose status is CAPTURED (a paymentStatus value,
// seed 003 l.63; "Status of the transaction modification or initial payment
// transaction", l.474-476) add to the captured amount. Without a history,
// the modifications of type CAPTURE without an error do ("modification":
// "Array of all performed transaction modifications", l.180-186). A captured
// total above the payment's amount contradicts it: an error, never capped.
//
// The refunded total is always zero: the history entries carry no type,
// and no document defines the status value of a completed refund (seed 003
// l.366-368 and l.474-476 leave status open), so no refunded amount can be
// read from the status answer. Refunds are tracked from Refund's own
// answers (and, through the Router, by its refund ledger).
func totals(doc *paymentDoc, amount payments.Money) (captured, refunded payments.Money, err error) {
	captured, refunded = amount.Zero(), amount.Zero()
	// where names the amount in errors: statusHistory[i].modificationAmount,
	// or modification.modificationAmount for i < 0 (built on error only).
	where := func(i int) string {
		if i < 0 {
			return "modification.modificationAmount"
		}
		return fmt.Sprintf("statusHistory[%d].modificationAmount", i)
	}
	add := func(to *payments.Money, a wireAmount, cur string, i int) error {
		if cur == "" {
			cur = string(amount.Currency)
		}
		m, err := payments.ParseMoney(string(a), cur)
		if err != nil {
			return fmt.Errorf("%s: %w", where(i), err)
		}
		if m.Amount.IsNegative() {
			return contradict("%s: %s is negative", where(i), a)
		}
		if m.Currency != amount.Currency {
			return contradict("%s is in %s, the payment in %s", where(i), m.Currency, amount.Currency)
		}
		*to, _ = to.Add(m)
		return nil
	}
	if len(doc.StatusHistory) > 0 {
		for i, h := range doc.StatusHistory {
			if h.Error != "" || h.ModificationAmount.Amount == "" || !strings.EqualFold(h.Status, historyCaptured) {
				continue
			}
			if err := add(&captured, h.ModificationAmount.Amount, h.ModificationAmount.CurrencyCode, i); err != nil {
				return captured, refunded, err
			}
		}
	} else {
		for i := range doc.Modification {
			m := &doc.Modification[i]
			if m.ModificationAmount == nil || m.ModificationAmount.Amount == "" || hasError(m) || !strings.EqualFold(m.ModificationData.Type, modCapture) {
				continue
			}
			if err := add(&captured, m.ModificationAmount.Amount, m.ModificationAmount.CurrencyCode, -1); err != nil {
				return captured, refunded, err
			}
		}
	}
	if c, _ := captured.Cmp(amount); c > 0 {
		return captured, refunded, contradict("captured %s exceeds the payment's %s", captured, amount)
	}
	return captured, refunded, nil
}
