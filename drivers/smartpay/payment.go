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
	p.Status = refineStatus(doc, amount, &captured, refunded)
	p.Captured, p.Refunded = captured, refunded

	txRef := doc.TransactionReference
	if txRef == "" {
		txRef = ov.TransactionReference
	}
	if txRef != "" {
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

// refineStatus applies the amounts to the table's status:
//   - CAPTURED / SETTLED: PartiallyCaptured when less than the amount was
//     captured, PartiallyRefunded / Refunded after refunds;
//   - AUTHORIZATION_PENDING of an invoice with a transactionReference:
//     RequiresAction (the buyer must pay it);
//   - a captured amount reported for a captured status with no capture in
//     the history is the whole amount.
//
// None of them reports a later state than the table does for a pending
// sub-state.
func refineStatus(doc *paymentDoc, amount payments.Money, captured *payments.Money, refunded payments.Money) payments.Status {
	code := strings.ToUpper(strings.TrimSpace(doc.PaymentStatus))
	st := MapStatus(code)
	switch st {
	case payments.StatusPending:
		if code == "AUTHORIZATION_PENDING" && isInvoice(doc) &&
			(doc.TransactionReference != "" || doc.TransactionOverview.TransactionReference != "") {
			return payments.StatusRequiresAction
		}
	case payments.StatusCaptured:
		if captured.IsZero() {
			*captured = amount
		}
		if refunded.IsPositive() {
			if c, _ := refunded.Cmp(*captured); c >= 0 {
				return payments.StatusRefunded
			}
			return payments.StatusPartiallyRefunded
		}
		if c, _ := captured.Cmp(amount); c < 0 {
			return payments.StatusPartiallyCaptured
		}
	}
	return st
}

// totals sums the captured and refunded amounts. The top-level
// statusHistory ("the list of Capture, Cancel, Refund attempts") is the
// source: entries without an error whose status is CAPTURED add to the
// captured amount, REFUNDED to the refunded amount. Without a history,
// the latest modification is used. The captured total never exceeds the
// payment's amount; a refunded total above it is an error.
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
			if h.Error != "" || h.ModificationAmount.Amount == "" {
				continue
			}
			switch strings.ToUpper(h.Status) {
			case historyCaptured:
				err = add(&captured, h.ModificationAmount.Amount, h.ModificationAmount.CurrencyCode, i)
			case historyRefunded:
				err = add(&refunded, h.ModificationAmount.Amount, h.ModificationAmount.CurrencyCode, i)
			}
			if err != nil {
				return captured, refunded, err
			}
		}
	} else if m := doc.Modification.latest(); m != nil && m.ModificationAmount != nil && m.ModificationAmount.Amount != "" && (m.Error == nil || m.Error.Error == "") {
		switch strings.ToUpper(m.ModificationData.Type) {
		case modCapture:
			err = add(&captured, m.ModificationAmount.Amount, m.ModificationAmount.CurrencyCode, -1)
		case modRefund:
			if mapRefundStatus(m) == payments.RefundSucceeded {
				err = add(&refunded, m.ModificationAmount.Amount, m.ModificationAmount.CurrencyCode, -1)
			}
		}
		if err != nil {
			return captured, refunded, err
		}
	}
	if c, _ := captured.Cmp(amount); c > 0 {
		captured = amount
	}
	if c, _ := refunded.Cmp(amount); c > 0 {
		return captured, refunded, contradict("refunded %s exceeds the payment's %s", refunded, amount)
	}
	return captured, refunded, nil
}
