package smartpay

import (
	"context"
	"strings"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// PaymentDetails is what Get Payment Status says beyond the neutral
// Payment: the references a merchant reconciles settlement files with, and
// the modifications and status history.
type PaymentDetails struct {
	// Payment is the neutral payment, as Status returns it.
	Payment *payments.Payment
	// ReconciliationReferenceID is the financial transaction id as the
	// provider's merchant portal and settlement files show it.
	ReconciliationReferenceID string
	// TransactionReference is the invoice reference the buyer quotes
	// (PREPMNT, PAYINVC). Unlike Payment.Raw it is not masked, although it
	// may look like a card number to a scrubber.
	TransactionReference string
	// PaymentMethod is the payment option code (PREPMNT, PAYINVC, CARDS,
	// VISA, ...).
	PaymentMethod string
	// PaymentOrigin is HOSTED_PAYMENT_PAGE, PAYMENT_AUTHORIZE_S2S,
	// CHECKOUT, SUBSCRIPTION_MIT or MERCHANT_MIT.
	PaymentOrigin string
	// AcquirerResponse is the payment provider's answer to a failed
	// authorization. For the merchant's logs only: do not show it to the
	// buyer.
	AcquirerResponse string
	// Modifications are the modifications the answer carries (SmartPay
	// returns the latest one).
	Modifications []Modification
	// History is the top-level statusHistory: the capture, cancel and
	// refund attempts and status changes, oldest first.
	History []HistoryEntry
}

// Modification is one capture, cancellation, refund, settlement or
// chargeback of a payment.
type Modification struct {
	// Type is CAPTURE, CANCELLATION (or CANCELATION), REFUND, SETTLEMENT or
	// CHARGEBACK, as the provider spells it.
	Type string
	// Status is the modification's status as the provider sends it (e.g.
	// CAPTURED); the documents list no values for a refund's.
	Status string
	// ModificationID is the merchant's modificationId (IdempotencyKey).
	ModificationID string
	// ID is the provider's captureId, cancelId or refundId.
	ID string
	// ReconciliationReferenceID is the financial reference of the
	// modification (a refund has its own).
	ReconciliationReferenceID string
	// Amount is the modification's amount; zero Money when absent or
	// unreadable.
	Amount payments.Money
	// Error is the provider's error text for a failed modification.
	Error string
	// Created and Updated are the processing start and completion times.
	Created, Updated time.Time
}

// HistoryEntry is one statusHistory entry.
type HistoryEntry struct {
	// Status is the status the entry records.
	Status string
	// Amount is the entry's amount; zero Money when absent or unreadable.
	Amount payments.Money
	// Error is the provider's error text, if the attempt failed.
	Error string
	// At is the statusDate.
	At time.Time
}

// PaymentDetails queries Get Payment Status (GET /payment/status/{id}) and
// returns the provider-specific details along with the neutral Payment.
func (g *Gateway) PaymentDetails(ctx context.Context, id string) (*PaymentDetails, error) {
	if err := (&payments.StatusRequest{ID: id}).Validate(); err != nil {
		return nil, withProvider(err)
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	a, err := g.statusDoc(ctx, id, true)
	if err != nil {
		return nil, err
	}
	return a.details, nil
}

// detailsOf reads the details of a status answer. k are the exact secrets
// of the call, stripped from a message object before it is cut short.
func detailsOf(p *payments.Payment, doc *paymentDoc, det *detailsDoc, k *redact.Known) *PaymentDetails {
	ov := &doc.TransactionOverview
	d := &PaymentDetails{
		Payment:                   p,
		ReconciliationReferenceID: det.ReconciliationReferenceID,
		TransactionReference:      doc.TransactionReference,
		PaymentMethod:             ov.PaymentMethod,
		PaymentOrigin:             det.TransactionOverview.PaymentOrigin,
		AcquirerResponse:          ov.AcquirerResponse,
	}
	if d.TransactionReference == "" {
		d.TransactionReference = ov.TransactionReference
	}
	cur := p.Amount.Currency
	money := func(a wireAmount, c string) payments.Money {
		if c == "" {
			c = string(cur)
		}
		m, err := payments.ParseMoney(string(a), c)
		if err != nil {
			return payments.Money{Currency: cur}
		}
		return m
	}
	for _, m := range doc.Modification {
		md := m.ModificationData
		id := md.CaptureID
		switch {
		case strings.EqualFold(md.Type, modRefund):
			id = md.RefundID
		case isCancelType(md.Type):
			id = md.CancelID
		}
		out := Modification{
			Type: md.Type, Status: m.Status, ModificationID: md.ModificationID, ID: id,
			ReconciliationReferenceID: md.ReconciliationReferenceID,
			Amount:                    payments.Money{Currency: cur},
			Created:                   parseDate(m.CreationDate), Updated: parseDate(m.LastStatusDate),
		}
		if m.ModificationAmount != nil {
			out.Amount = money(m.ModificationAmount.Amount, m.ModificationAmount.CurrencyCode)
		}
		if m.Error != nil {
			out.Error = gatewayTexts(m.Error, k)
			if out.Error == "" {
				out.Error = m.Error.Error
			}
		}
		d.Modifications = append(d.Modifications, out)
	}
	for i, h := range doc.StatusHistory {
		e := HistoryEntry{Status: h.Status, Error: h.Error, Amount: payments.Money{Currency: cur}}
		if i < len(det.StatusHistory) { // always: the same array
			e.At = parseDate(det.StatusHistory[i].StatusDate)
		}
		if h.ModificationAmount.Amount != "" { // money("") is the zero amount too
			e.Amount = money(h.ModificationAmount.Amount, h.ModificationAmount.CurrencyCode)
		}
		d.History = append(d.History, e)
	}
	return d
}
