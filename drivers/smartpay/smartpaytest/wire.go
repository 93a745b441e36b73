package smartpaytest

import (
	"encoding/json"
	"time"
)

// dateLayout is the form of every date in the document's real examples
// ("2024-10-09T10:50:15.708Z").
const dateLayout = "2006-01-02T15:04:05.000Z07:00"

func fmtDate(t time.Time) string { return t.UTC().Format(dateLayout) }

// paymentDoc is the payment document returned by GET /payment/status/{id}
// (seed 003), by POST /payment/authorize/ (seed 004, 201) and by the
// modification endpoints (capture, cancel, refund, cancelOrRefund).
type paymentDoc struct {
	ReconciliationReferenceID string           `json:"reconciliationReferenceId"`
	Description               string           `json:"description"`
	PaymentStatus             string           `json:"paymentStatus"`
	CreationDate              string           `json:"creationDate"`
	LastStatusDate            string           `json:"lastStatusDate"`
	PartnerReference          string           `json:"partnerReference,omitempty"`
	TransactionOverview       overviewDoc      `json:"transactionOverview"`
	TransactionReference      string           `json:"transactionReference,omitempty"`
	Modification              *modificationDoc `json:"modification,omitempty"`
	StatusHistory             []historyDoc     `json:"statusHistory,omitempty"`
	// ModificationID appears only in the authorize response (seed 004
	// example), where it equals the transactionId.
	ModificationID string `json:"modificationId,omitempty"`
}

type overviewDoc struct {
	TransactionID                  string         `json:"transactionId"`
	AcquirerResponse               string         `json:"acquirerResponse,omitempty"`
	PaymentMethod                  string         `json:"paymentMethod,omitempty"`
	Amount                         json.Number    `json:"amount"`
	CurrencyCode                   string         `json:"currencyCode"`
	CustomReferences               *customRefsReq `json:"customReferences,omitempty"`
	CustomerAccountID              string         `json:"customerAccountId,omitempty"`
	Mit                            bool           `json:"mit"`
	PaymentOrigin                  string         `json:"paymentOrigin,omitempty"`
	TargetMerchantAccountReference string         `json:"targetMerchantAccountReference,omitempty"`
}

type amountDoc struct {
	Amount       json.Number `json:"amount"`
	CurrencyCode string      `json:"currencyCode"`
	Description  string      `json:"description"`
	Option       string      `json:"option,omitempty"`
}

type modificationDoc struct {
	CreationDate       string              `json:"creationDate"`
	LastStatusDate     string              `json:"lastStatusDate"`
	ModificationAmount *amountDoc          `json:"modificationAmount,omitempty"`
	ModificationData   modificationDataDoc `json:"modificationData"`
	Status             string              `json:"status,omitempty"`
	StatusHistory      []historyDoc        `json:"statusHistory"`
}

type modificationDataDoc struct {
	CancelID                  string         `json:"cancelId,omitempty"`
	CaptureID                 string         `json:"captureId,omitempty"`
	CustomReferences          *customRefsReq `json:"customReferences,omitempty"`
	ModificationID            string         `json:"modificationId"`
	ReconciliationReferenceID string         `json:"reconciliationReferenceId,omitempty"`
	RefundID                  string         `json:"refundId,omitempty"`
	Type                      string         `json:"type"`
}

type historyDoc struct {
	Error              string    `json:"error,omitempty"`
	ModificationAmount amountDoc `json:"modificationAmount"`
	Status             string    `json:"status,omitempty"`
	StatusDate         string    `json:"statusDate"`
}

// checkoutDoc is the POST /payment/creation response. The provider does not
// publish its schema; see the package documentation.
type checkoutDoc struct {
	TransactionID string `json:"transactionId"`
	CheckoutToken string `json:"checkoutToken"`
	RedirectURL   string `json:"redirectUrl"`
}

// validationBody is error shape MOD2 of the document.
type validationBody struct {
	TraceID string       `json:"traceId"`
	Errors  []fieldError `json:"errors"`
}

// gatewayErrorBody is error shape MOD1 of the document.
type gatewayErrorBody struct {
	Error        string              `json:"error"`
	ErrorDetails gatewayErrorDetails `json:"errorDetails"`
	Message      string              `json:"message"`
}

type gatewayErrorDetails struct {
	Context                    map[string]any `json:"context"`
	GatewayDescription         string         `json:"gatewayDescription"`
	PaymentProviderDescription string         `json:"paymentProviderDescription"`
}

// tokenDoc is the OAuth2 client-credentials token response.
type tokenDoc struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// webhookEvent is the notification envelope (PROVIDERS.md section 3).
type webhookEvent struct {
	ID          string         `json:"id"`
	MerchantKey string         `json:"merchantKey"`
	CreatedAt   string         `json:"createdAt"`
	Origin      string         `json:"origin"`
	EventType   string         `json:"eventType"`
	ObjectID    string         `json:"objectId"`
	ObjectType  string         `json:"objectType"`
	Context     map[string]any `json:"context"`
	Data        map[string]any `json:"data"`
	Metadata    map[string]any `json:"metadata"`
}

func (p *payment) amountDoc(c cents, description string) amountDoc {
	return amountDoc{Amount: number(c), CurrencyCode: p.currency, Description: description}
}

func (p *payment) modDoc(m *modification) *modificationDoc {
	ad := p.amountDoc(m.amount, m.description)
	d := &modificationDoc{
		CreationDate:       fmtDate(m.created),
		LastStatusDate:     fmtDate(m.created),
		ModificationAmount: &ad,
		ModificationData: modificationDataDoc{
			CustomReferences:          m.customRefs,
			ModificationID:            m.modificationID,
			ReconciliationReferenceID: m.recon,
			Type:                      m.typ,
		},
		Status: m.status,
		StatusHistory: []historyDoc{{
			ModificationAmount: ad,
			Status:             m.status,
			StatusDate:         fmtDate(m.created),
		}},
	}
	switch m.typ {
	case ModificationCapture:
		d.ModificationData.CaptureID = m.id
	case ModificationCancellation:
		d.ModificationData.CancelID = m.id
	case ModificationRefund:
		d.ModificationData.RefundID = m.id
	}
	return d
}

// doc renders the payment document. latest is the modification to show in
// "modification" (nil: none); history adds the top-level statusHistory.
func (p *payment) doc(latest *modification, history bool) paymentDoc {
	d := paymentDoc{
		ReconciliationReferenceID: p.recon,
		Description:               p.description,
		PaymentStatus:             p.status,
		CreationDate:              fmtDate(p.created),
		LastStatusDate:            fmtDate(p.updated),
		PartnerReference:          p.partnerReference,
		TransactionOverview: overviewDoc{
			TransactionID:                  p.id,
			AcquirerResponse:               p.acquirerResponse,
			PaymentMethod:                  p.method,
			Amount:                         number(p.amount),
			CurrencyCode:                   p.currency,
			CustomReferences:               p.customRefs,
			CustomerAccountID:              p.customerAccountID,
			Mit:                            false,
			PaymentOrigin:                  p.origin,
			TargetMerchantAccountReference: p.targetMerchant,
		},
		TransactionReference: p.txRef,
	}
	if latest != nil {
		d.Modification = p.modDoc(latest)
	}
	if history {
		for _, h := range p.history {
			ad := p.amountDoc(h.amount, h.description)
			ad.Option = p.method
			d.StatusHistory = append(d.StatusHistory, historyDoc{
				Error: h.err, ModificationAmount: ad, Status: h.status, StatusDate: fmtDate(h.at),
			})
		}
	}
	return d
}
