package smartpayments

import (
	"context"
	"net/http"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// RecurPeriod is the "recur_period" of a recurrent payment: the
// periodicity of the following payments.
type RecurPeriod string

// The documented periods.
const (
	RecurDaily     RecurPeriod = "01"
	RecurWeekly    RecurPeriod = "03"
	RecurMonthly   RecurPeriod = "06"
	RecurQuarterly RecurPeriod = "09"
	RecurAnnually  RecurPeriod = "11"
)

// RecurrentRequest charges the card of an earlier payment again
// (merchant-initiated), with POST /recurrent.
type RecurrentRequest struct {
	// Reference is the new payment's merchant order id ("order_id").
	// Required, unique.
	Reference string
	// ParentID is the first payment's Payment.ID, its merchant order id
	// ("parent_order_id"). Required.
	ParentID string
	// Amount to charge, in the account's currency. Required, positive.
	Amount payments.Money
	// Description is the order description ("purpose"). Required by the
	// provider.
	Description string
	// NotificationURL overrides Config.NotificationURL.
	NotificationURL string
	// Period is "recur_period" (optional).
	Period RecurPeriod
}

// Recurrent charges the card of the parent payment again. The answer's
// "success" true is StatusCaptured; false with an "err" is a declined
// payment (StatusFailed and an error of the code's class); false without
// one (the payment is being processed) is StatusPending: follow it with
// Status(Reference) or the notification. Payment.ID is Reference; the
// provider's payment_id is in Raw.
func (g *Gateway) Recurrent(ctx context.Context, req *RecurrentRequest) (*payments.Payment, error) {
	if req == nil {
		return nil, nilRequest()
	}
	var p problems
	p.require("reference", req.Reference)
	p.require("parent_id", req.ParentID)
	p.require("description", req.Description)
	if len(req.Reference) > 64 {
		p.add("reference", "longer than 64 characters")
	}
	switch req.Period {
	case "", RecurDaily, RecurWeekly, RecurMonthly, RecurQuarterly, RecurAnnually:
	default:
		p.add("period", "not one of 01, 03, 06, 09, 11")
	}
	if !req.Amount.IsPositive() {
		p.add("amount", "must be greater than zero")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	minor, err := g.minor("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	body := recurrentRequest{
		OrderID:       req.Reference,
		ParentOrderID: req.ParentID,
		Amount:        minor,
		Purpose:       req.Description,
		CallbackURL:   firstNonEmpty(req.NotificationURL, g.cfg.NotificationURL),
		RecurPeriod:   string(req.Period),
	}
	const op = "recurrent"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.recurrent, Body: body, Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.MoneyMoving, resp)
	}
	var w recurrentResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &w); err != nil {
		return nil, err
	}
	pay := g.newPayment(req.Reference)
	pay.Amount = req.Amount
	pay.Raw = resp.CleanDecoded(resp.Body) // decoded whole by httpx.DecodeJSON
	code := strings.TrimSpace(str(w.Err))
	switch {
	case w.Success != nil && *w.Success:
		pay.Status = payments.StatusCaptured
		pay.ProviderStatus = "success=true"
		pay.Captured = req.Amount
	case code != "":
		if isDuplicate(code) {
			return nil, duplicateError(op, code)
		}
		if _, known := lookupCode(code); !known {
			if _, req := requestErrors[code]; req {
				return nil, refusal(op, code, resp.Clean(str(w.Message)), resp.StatusCode)
			}
		}
		pay.ProviderStatus = "success=false"
		return pay, failed(pay, op, code, resp.Clean(str(w.Message)), nil)
	case w.Success != nil && str(w.PaymentID) != "":
		pay.Status = payments.StatusPending
		pay.ProviderStatus = "success=false"
	default:
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode,
			Message: "recurrent: the answer has neither success nor payment_id; the provider may have processed it: reconcile with Status"}
	}
	return pay, nil
}
