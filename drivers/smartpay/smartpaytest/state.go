package smartpaytest

import (
	"fmt"
	"time"
)

// Payment statuses of the SmartPay status model (PROVIDERS.md section 3,
// seed 003/004). AUTORIZATION_INITIALIZED is spelled as the provider spells it.
const (
	StatusCreated                 = "CREATED"
	StatusAutorizationInitialized = "AUTORIZATION_INITIALIZED"
	StatusAuthorizationPending    = "AUTHORIZATION_PENDING"
	StatusAuthorizationCompleted  = "AUTHORIZATION_COMPLETED"
	StatusCapturePending          = "CAPTURE_PENDING"
	StatusCaptured                = "CAPTURED"
	StatusSettled                 = "SETTLED"
	StatusCancellationPending     = "CANCELLATION_PENDING"
	StatusCancelled               = "CANCELLED"
	StatusExpired                 = "EXPIRED"
	StatusFailed                  = "FAILED"
	StatusChargeback              = "CHARGEBACK"
)

// Wire values the simulator chooses or copies from the documents.
const (
	opResultRefunded               = "REFUNDED" // Operation.Result of a refund (the log's word, not sent)
	modificationStatusCaptured     = StatusCaptured
	modificationStatusCancelled    = StatusCancelled
	modificationStatusSettled      = StatusSettled
	modificationStatusChargeback   = StatusChargeback
	paymentOriginAuthorizeS2S      = "PAYMENT_AUTHORIZE_S2S"
	paymentOriginCheckout          = "CHECKOUT"
	paymentMethodCards             = "CARDS"
	invoicePrepayment              = "PREPMNT"
	invoicePayUponInvoice          = "PAYINVC"
	webhookOriginAPI               = "api"
	webhookOriginWidget            = "widget"
	webhookOriginAutomated         = "automated"
	webhookObjectPayment           = "payment"
	webhookObjectRefund            = "refund"
	webhookObjectPrepayment        = "prepayment"
	webhookEventUpdated            = "updated"
	gatewayErrorGateway            = "gateway_processing"
	gatewayErrorPaymentProvider    = "payment_provider_processing"
	declinePaymentProviderResponse = "Declined"
)

// AllStatuses lists every payment status of the SmartPay status model in the
// order PROVIDERS.md gives them. SetStatus accepts exactly these.
var AllStatuses = []string{
	StatusCreated, StatusAutorizationInitialized, StatusAuthorizationPending,
	StatusAuthorizationCompleted, StatusCapturePending, StatusCaptured, StatusSettled,
	StatusCancellationPending, StatusCancelled, StatusExpired, StatusFailed, StatusChargeback,
}

// Modification types as the simulator spells them in
// modification.modificationData.type. The cancel response uses
// "CANCELLATION" (PROVIDERS.md and the provider's Cancel page); seed 003/004
// list "CANCELATION" in the enum.
const (
	ModificationCapture      = "CAPTURE"
	ModificationCancellation = "CANCELLATION"
	ModificationRefund       = "REFUND"
	ModificationSettlement   = "SETTLEMENT"
	ModificationChargeback   = "CHARGEBACK"
)

// Operation kinds recorded in the operation log (Operation.Kind).
const (
	// OpCreate: POST /payment/creation created a checkout transaction (CREATED).
	OpCreate = "create"
	// OpAuthorize: POST /payment/authorize/ created an invoice payment
	// (Result AUTHORIZATION_PENDING, AUTHORIZATION_COMPLETED, CAPTURED or FAILED).
	OpAuthorize = "authorize"
	// OpComplete: the buyer finished the checkout (CompleteCheckout or the
	// checkout page); Result is the new payment status.
	OpComplete = "complete"
	// OpCapture: POST /payment/capture; Amount is the captured amount.
	OpCapture = "capture"
	// OpCancel: POST /payment/cancel, or /payment/cancelOrRefund on an
	// uncaptured payment.
	OpCancel = "cancel"
	// OpRefund: POST /payment/refund, or /payment/cancelOrRefund on a
	// captured payment; ID is the refundId, Result "REFUNDED" (the log's
	// word: the wire carries WithRefundStatus's value, none by default).
	OpRefund = "refund"
	// OpPayInvoice: PayInvoice – the buyer paid the invoice (Result SETTLED).
	OpPayInvoice = "pay_invoice"
	// OpSetStatus: SetStatus forced a status.
	OpSetStatus = "set_status"
)

// Operation is one entry of the simulator's log of executed state-changing
// operations: the ground truth for "executed at most once" assertions.
// Idempotent replays (same modificationId) and rejected requests are not
// logged.
type Operation struct {
	Kind      string    // one of the Op* constants
	Reference string    // partnerReference of the payment ("" when the merchant gave none)
	ID        string    // transactionId, or refundId for refunds
	Amount    string    // amount moved, wire form ("49.99")
	Result    string    // resulting status as SmartPay spells it
	At        time.Time // simulator clock
}

// Modification is a read-only copy of one modification of a payment.
type Modification struct {
	Type                      string // CAPTURE, CANCELLATION, REFUND, SETTLEMENT, CHARGEBACK
	ModificationID            string // the merchant's modificationId (generated for SETTLEMENT/CHARGEBACK)
	ID                        string // captureId, cancelId, refundId, or the generated id
	Amount                    string // wire form
	CurrencyCode              string
	Status                    string // CAPTURED, CANCELLED, SETTLED, CHARGEBACK; a refund's is WithRefundStatus's ("" by default)
	ReconciliationReferenceID string
	Created                   time.Time
}

// PaymentState is a read-only copy of one simulated payment.
type PaymentState struct {
	MerchantKey               string
	TransactionID             string
	PartnerReference          string
	Description               string
	Amount                    string // authorized amount, wire form
	Captured                  string // total captured
	Refunded                  string // total refunded
	CurrencyCode              string
	Status                    string // paymentStatus
	PaymentMethod             string // PREPMNT, PAYINVC or CARDS
	PaymentOrigin             string // PAYMENT_AUTHORIZE_S2S or CHECKOUT
	TransactionReference      string // invoice reference for the buyer (invoices only)
	ReconciliationReferenceID string
	CheckoutToken             string // checkouts only
	AutoCapture               bool   // checkout completed with the channel's auto-capture
	Created                   time.Time
	LastStatusDate            time.Time
	Modifications             []Modification
}

type modification struct {
	typ            string
	modificationID string
	id             string
	amount         cents
	description    string
	status         string
	recon          string
	customRefs     *customRefsReq
	created        time.Time
}

type historyEntry struct {
	status      string
	amount      cents
	description string
	at          time.Time
	err         string
}

type payment struct {
	merchantKey       string
	id                string
	partnerReference  string
	description       string
	currency          string
	amount            cents
	captured          cents
	refunded          cents
	status            string
	created           time.Time
	updated           time.Time
	recon             string
	txRef             string
	method            string
	origin            string
	customRefs        *customRefsReq
	customerAccountID string
	targetMerchant    string
	acquirerResponse  string
	checkoutToken     string
	autoCapture       bool
	mods              []*modification
	history           []historyEntry
}

func (p *payment) snapshot() PaymentState {
	ps := PaymentState{
		MerchantKey:               p.merchantKey,
		TransactionID:             p.id,
		PartnerReference:          p.partnerReference,
		Description:               p.description,
		Amount:                    formatCents(p.amount),
		Captured:                  formatCents(p.captured),
		Refunded:                  formatCents(p.refunded),
		CurrencyCode:              p.currency,
		Status:                    p.status,
		PaymentMethod:             p.method,
		PaymentOrigin:             p.origin,
		TransactionReference:      p.txRef,
		ReconciliationReferenceID: p.recon,
		CheckoutToken:             p.checkoutToken,
		AutoCapture:               p.autoCapture,
		Created:                   p.created,
		LastStatusDate:            p.updated,
	}
	for _, m := range p.mods {
		ps.Modifications = append(ps.Modifications, Modification{
			Type: m.typ, ModificationID: m.modificationID, ID: m.id, Amount: formatCents(m.amount),
			CurrencyCode: p.currency, Status: m.status, ReconciliationReferenceID: m.recon, Created: m.created,
		})
	}
	return ps
}

// setStatus changes the payment status and records it in the history.
func (p *payment) setStatus(status string, now time.Time) {
	p.status = status
	p.updated = now
	p.history = append(p.history, historyEntry{status: status, amount: clone(p.amount), description: p.description, at: now})
}

func (p *payment) isInvoice() bool {
	return p.method == invoicePrepayment || p.method == invoicePayUponInvoice
}

// cancellable: "cancel only before capture".
func (p *payment) cancellable() bool {
	switch p.status {
	case StatusCreated, StatusAutorizationInitialized, StatusAuthorizationPending, StatusAuthorizationCompleted:
		return p.captured.Sign() == 0
	}
	return false
}

// capturable: from AUTHORIZATION_COMPLETED, or CAPTURED with an uncaptured rest.
func (p *payment) capturable() bool {
	switch p.status {
	case StatusAuthorizationCompleted:
		return true
	case StatusCaptured:
		return sub(p.amount, p.captured).Sign() > 0
	}
	return false
}

// refundable: after capture, while captured − refunded > 0.
func (p *payment) refundable() bool {
	switch p.status {
	case StatusCaptured, StatusSettled:
		return sub(p.captured, p.refunded).Sign() > 0
	}
	return false
}

func validStatus(s string) bool {
	for _, x := range AllStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// ---- deterministic identifiers -------------------------------------------

const base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	z := x
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// pseudoRandom returns n characters of base62 derived deterministically
// from (salt, seq).
func pseudoRandom(salt, seq uint64, n int) string {
	x := splitmix(salt*0x100000001B3 ^ seq)
	b := make([]byte, n)
	for i := range b {
		x = splitmix(x)
		b[i] = base62[x%62]
	}
	return string(b)
}

// id kinds: the fourth UUID group distinguishes them (8000 transaction,
// 8001 capture, 8002 cancel, 8003 refund, 8004 webhook event, 8005
// settlement, 8006 chargeback).
const (
	kindTransaction = iota
	kindCapture
	kindCancel
	kindRefund
	kindEvent
	kindSettlement
	kindChargeback
	kindRecon
	kindTxRef
	kindToken
	kindCheckout
	kindTrace
	numKinds
)

func uuidFor(kind int, n uint64) string {
	return fmt.Sprintf("00000000-0000-4000-%04x-%012x", 0x8000+kind, n)
}
