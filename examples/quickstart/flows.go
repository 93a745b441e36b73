package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// provider is one route of the Router and the test data its simulator
// documents (see each simulator's package documentation).
type provider struct {
	route string // the Router's route name, the driver's Name
	caps  payments.Capabilities

	approvedCard  string // a card the simulator approves
	challengeCard string // a card that needs a 3-D Secure challenge
	// decline turns a request into one the simulator declines.
	decline func(*payments.AuthorizeRequest)
	// twoStep is the method of the authorize/capture/refund flow, and
	// twoStepWant what Status reports at its end.
	twoStep     payments.PaymentMethod
	twoStepWant want
	// hostedButton is the name=value of the button the customer presses on
	// the hosted payment page, after typing hostedFill; hostedWant is the
	// payment's status afterwards.
	hostedButton [2]string
	hostedFill   url.Values
	hostedWant   payments.Status
	// payInvoice stands for the buyer's bank transfer.
	payInvoice func(providerID string) error
	// webhookOf is the flow whose payment the webhook flow waits for a
	// notification about, and verified how the driver verifies it.
	webhookOf string
	verified  payments.Verification
	// forge builds a notification a fraudster could send to the shop.
	forge func(target string) (*http.Request, error)
}

func smartpaymentsKit(gw *smartpayments.Gateway) *provider {
	return &provider{
		route:         gw.Name(),
		caps:          gw.Capabilities(),
		approvedCard:  smartpaymentstest.CardFrictionless,
		challengeCard: smartpaymentstest.CardChallenge,
		decline: func(r *payments.AuthorizeRequest) {
			// Any other card declines; an amount ending in 51 chooses
			// INSUFFICIENT_FUNDS_PROCESSING_ERROR.
			r.Method = card(smartpaymentstest.CardDeclined)
			r.Amount = money("10.51")
		},
		twoStep: card(smartpaymentstest.CardFrictionless),
		// /check shows no captures or refunds: the driver reports the
		// capture it made, and the refund it made (answered pending, then
		// resolved through the refund's own /check).
		twoStepWant: want{payments.StatusPartiallyRefunded, "60.00", "25.00", ""},
		// The hosted form asks for the card; the frictionless card pays.
		hostedButton: [2]string{"", ""},
		hostedFill: url.Values{
			"card_number": {smartpaymentstest.CardFrictionless}, "card_holder": {"Jane Doe"},
			"card_exp_month": {"12"}, "card_exp_year": {"30"}, "card_cvv": {"123"},
		},
		hostedWant: payments.StatusCaptured,
		webhookOf:  "sale",
		// The callback is not signed: the driver confirms it with /check.
		verified: payments.VerifiedByQuery,
		forge: func(target string) (*http.Request, error) {
			return jsonPost(target, `{"orderId":"forged-order","status":2,"amount":100000}`)
		},
	}
}

func smart2payKit(gw *smart2pay.Gateway) *provider {
	return &provider{
		route:        gw.Name(),
		caps:         gw.Capabilities(),
		approvedCard: "4111111111111111", // any Luhn-valid card; the amount decides
		decline: func(r *payments.AuthorizeRequest) {
			r.Method = card("4111111111111111")
			r.Amount = money("100.01") // 10001 minor units: 4 Failed
		},
		twoStep:      card("4111111111111111"),
		twoStepWant:  want{payments.StatusPartiallyRefunded, "60.00", "25.00", ""},
		hostedButton: [2]string{"result", "success"}, // GlobalPay's page: "Pay"
		hostedWant:   payments.StatusCaptured,
		webhookOf:    "sale",
		// GlobalPay sends the site's Basic credentials.
		verified: payments.VerifiedCredentials,
		forge: func(target string) (*http.Request, error) {
			req, err := jsonPost(target, `{"Payment":{"ID":210001,"MerchantTransactionID":"qs-smart2pay-sale","Amount":4999,"Currency":"EUR","Status":{"ID":2,"Info":"Success"}}}`)
			if err == nil {
				req.SetBasicAuth(fmt.Sprint(smart2paytest.DefaultSiteID), "guessed-key")
			}
			return req, err
		},
	}
}

func smartpayKit(gw *smartpay.Gateway, sim *smartpaytest.Server) *provider {
	return &provider{
		route: gw.Name(),
		caps:  gw.Capabilities(),
		decline: func(r *payments.AuthorizeRequest) {
			// The simulator answers consumers named "Failed" with
			// paymentStatus FAILED, SmartPay's documented decline.
			r.Method = payments.Invoice{Type: payments.InvoicePayUponInvoice}
			r.Customer.LastName = smartpaytest.FailedLastName
		},
		// A granted pay-upon-invoice is authorized: capture on shipment.
		twoStep: payments.Invoice{Type: payments.InvoicePayUponInvoice},
		// SmartPay answers a refund pending and its status defines no refund
		// status values: the Router's refund ledger counts succeeded refunds
		// only, so none shows yet.
		twoStepWant:  want{payments.StatusPartiallyCaptured, "60.00", "0", "the refund is still pending at SmartPay"},
		hostedButton: [2]string{"outcome", "success"}, // the checkout's "Pay"
		hostedWant:   payments.StatusAuthorized,       // captured later by the merchant
		// The simulator's stand-in for the buyer's bank transfer.
		payInvoice: sim.PayInvoice,
		webhookOf:  "invoice",
		// Basic credentials (Config.NotificationAuth), then Get Payment Status.
		verified: payments.VerifiedCredentials | payments.VerifiedByQuery,
		forge: func(target string) (*http.Request, error) {
			return jsonPost(target, `{"id":"evt-1","eventType":"updated","objectType":"payment","objectId":"00000000-0000-4000-8000-000000000001","data":{"paymentStatus":"CAPTURED"}}`)
		},
	}
}

// want is the expected end of a flow.
type want struct {
	status             payments.Status
	captured, refunded string
	note               string
}

// flows run in this order for every provider.
var flows = []struct {
	name string
	run  func(context.Context, *env, *provider) result
}{
	{"sale", sale},
	{"two-step", twoStep},
	{"declined", declined},
	{"3-D Secure", threeDS},
	{"hosted page", hostedPage},
	{"invoice", invoice},
	{"webhook", webhook},
}

// request is a payment every provider accepts: SmartPayments requires the
// customer's name, email, phone and IP and the billing address.
func (e *env) request(pv *provider, flow, amount string, capture bool, m payments.PaymentMethod) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference:   "qs-" + pv.route + "-" + strings.ReplaceAll(flow, " ", "-"),
		Amount:      money(amount),
		Capture:     capture,
		Method:      m,
		Description: "quickstart " + flow,
		Customer: &payments.Customer{
			FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com",
			Phone: "+442079460612", IP: "203.0.113.7",
		},
		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		ReturnURLs: payments.ReturnURLs{
			Success: e.shop + "/return/" + pv.route,
			Failure: e.shop + "/return/" + pv.route + "?failed=1",
		},
		// Pin the payment to this provider's route.
		ProviderOptions: []any{payments.OnlyRoutes{pv.route}},
	}
}

// sale: a one-step card sale.
func sale(ctx context.Context, e *env, pv *provider) result {
	if !pv.caps.Supports(payments.KindCard) {
		return result{skipped: "no card method"}
	}
	p, err := e.router.Authorize(ctx, e.request(pv, "sale", "49.99", true, card(pv.approvedCard)))
	if err != nil {
		return failed(p, err)
	}
	e.paid["sale/"+pv.route] = p.ID
	return expect(p, payments.StatusCaptured, "49.99", "0", p.ID)
}

// twoStep: authorize 100.00, capture 60.00 of it, refund 25.00.
func twoStep(ctx context.Context, e *env, pv *provider) result {
	if !pv.caps.TwoStep || !pv.caps.PartialCapture || !pv.caps.PartialRefund {
		return result{skipped: "no partial capture or refund"}
	}
	p, err := e.router.Authorize(ctx, e.request(pv, "two-step", "100.00", false, pv.twoStep))
	if err != nil {
		return failed(p, err)
	}
	if p.Status != payments.StatusAuthorized {
		return failed(p, fmt.Errorf("authorize: status %s, want authorized", p.Status))
	}
	part := money("60.00")
	if p, err = e.router.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &part, IdempotencyKey: "capture-1"}); err != nil {
		return failed(p, fmt.Errorf("capture: %w", err))
	}
	back := money("25.00")
	r, err := e.router.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &back, Reason: "one item returned", IdempotencyKey: "refund-1"})
	if err != nil {
		return failed(p, fmt.Errorf("refund: %w", err))
	}
	if p, err = e.router.Status(ctx, &payments.StatusRequest{ID: p.ID}); err != nil {
		return failed(p, fmt.Errorf("status: %w", err))
	}
	w := pv.twoStepWant
	note := fmt.Sprintf("%s %s: captured 60.00, refund %s", p.ID, pv.twoStep.Kind(), r.Status)
	if w.note != "" {
		note += "; " + w.note
	}
	return expect(p, w.status, w.captured, w.refunded, note)
}

// declined: the provider refuses the payment. The Router returns the
// Payment (failed, with the reason) and an ErrDeclined error.
func declined(ctx context.Context, e *env, pv *provider) result {
	req := e.request(pv, "declined", "10.00", true, nil)
	pv.decline(req)
	p, err := e.router.Authorize(ctx, req)
	if !errors.Is(err, payments.ErrDeclined) {
		return failed(p, fmt.Errorf("want ErrDeclined, got %v", err))
	}
	if p == nil || p.Decline == nil {
		return failed(p, errors.New("declined payment without a Decline"))
	}
	note := fmt.Sprintf("%s declined: %s (%s)", req.Method.Kind(), p.Decline.Reason, p.Decline.Code)
	if p.ID != "" {
		note = p.ID + " " + note
	}
	return expect(p, payments.StatusFailed, "0", "0", note)
}

// threeDS: the card needs a challenge. The shop sends the customer's browser
// to the Action; the customer authenticates on the issuer's page and comes
// back to the shop; the shop asks the provider how it ended.
func threeDS(ctx context.Context, e *env, pv *provider) result {
	if !pv.caps.ThreeDS {
		return result{skipped: "no 3-D Secure challenge flow"}
	}
	p, err := e.router.Authorize(ctx, e.request(pv, "3-D Secure", "30.00", true, card(pv.challengeCard)))
	if err != nil {
		return failed(p, err)
	}
	if p.Status != payments.StatusRequiresAction {
		return failed(p, fmt.Errorf("status %s, want requires_action", p.Status))
	}
	pg, err := e.browser.follow(ctx, p.Action) // the challenge page
	if err == nil {
		pg, err = e.browser.press(ctx, pg, "outcome", "success", nil) // "Authenticate"
	}
	if err != nil {
		return failed(p, err)
	}
	if err := e.backAtShop(pg, pv); err != nil {
		return failed(p, err)
	}
	if p, err = e.router.Status(ctx, &payments.StatusRequest{ID: p.ID}); err != nil {
		return failed(p, err)
	}
	return expect(p, payments.StatusCaptured, "30.00", "0", p.ID+" challenge passed in the browser")
}

// hostedPage: the customer pays on the provider's page.
func hostedPage(ctx context.Context, e *env, pv *provider) result {
	if !pv.caps.Supports(payments.KindHostedPage) {
		return result{skipped: "no hosted page"}
	}
	p, err := e.router.Authorize(ctx, e.request(pv, "hosted page", "20.00", true, payments.HostedPage{}))
	if err != nil {
		return failed(p, err)
	}
	if p.Status != payments.StatusRequiresAction {
		return failed(p, fmt.Errorf("status %s, want requires_action", p.Status))
	}
	pg, err := e.browser.follow(ctx, p.Action)
	if err == nil {
		pg, err = e.browser.press(ctx, pg, pv.hostedButton[0], pv.hostedButton[1], pv.hostedFill)
	}
	if err != nil {
		return failed(p, err)
	}
	where := "paid on the page"
	if strings.HasPrefix(pg.URL.Path, "/return/") {
		where = "paid, back at the shop"
	}
	if p, err = e.router.Status(ctx, &payments.StatusRequest{ID: p.ID}); err != nil {
		return failed(p, err)
	}
	captured := "0"
	if pv.hostedWant == payments.StatusCaptured {
		captured = "20.00"
	}
	return expect(p, pv.hostedWant, captured, "0", p.ID+" "+where)
}

// invoice: the buyer is shown a reference to quote on a bank transfer; once
// the money arrives the payment is captured.
func invoice(ctx context.Context, e *env, pv *provider) result {
	if !pv.caps.Supports(payments.KindInvoice) {
		return result{skipped: "no invoices"}
	}
	p, err := e.router.Authorize(ctx, e.request(pv, "invoice", "75.00", true, payments.Invoice{Type: payments.InvoicePrepayment}))
	if err != nil {
		return failed(p, err)
	}
	if p.Action == nil || p.Action.Type != payments.ActionDisplay || p.Action.Reference == "" {
		return failed(p, errors.New("no invoice reference to show the buyer"))
	}
	e.paid["invoice/"+pv.route] = p.ID
	_, providerID, _ := strings.Cut(p.ID, ":") // Router IDs are "route:providerID"
	if err := pv.payInvoice(providerID); err != nil {
		return failed(p, err)
	}
	if p, err = e.router.Status(ctx, &payments.StatusRequest{ID: p.ID}); err != nil {
		return failed(p, err)
	}
	return expect(p, payments.StatusCaptured, "75.00", "0", p.ID+" paid by transfer")
}

// webhook: the provider's notification about an earlier payment reached the
// shop's NotificationHandler and was verified; a forged one is refused.
func webhook(ctx context.Context, e *env, pv *provider) result {
	id := e.paid[pv.webhookOf+"/"+pv.route]
	if id == "" {
		return failed(nil, fmt.Errorf("the %s flow made no payment to be notified about", pv.webhookOf))
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := e.inbox.wait(wctx, func(n *payments.Notification) bool {
		return n.Payment != nil && n.Payment.ID == id && n.Payment.Status == payments.StatusCaptured
	})
	if err != nil {
		return failed(nil, err)
	}
	if n.Verified != pv.verified {
		return failed(n.Payment, fmt.Errorf("verified by %s, want %s", n.Verified, pv.verified))
	}
	forged, err := pv.forge(e.shop + "/webhooks/" + pv.route)
	if err != nil {
		return failed(n.Payment, err)
	}
	resp, err := http.DefaultClient.Do(forged.WithContext(ctx))
	if err != nil {
		return failed(n.Payment, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		return failed(n.Payment, fmt.Errorf("forged notification answered %d, want 401", resp.StatusCode))
	}
	return expect(n.Payment, payments.StatusCaptured, n.Payment.Amount.Decimal(), "0",
		fmt.Sprintf("%s verified by %s; forged one: 401", id, n.Verified))
}

// backAtShop checks that the provider's page sent the browser back to the
// shop's return URL.
func (e *env) backAtShop(pg *page, pv *provider) error {
	if pg.URL.Path != "/return/"+pv.route || pg.Status != http.StatusOK {
		return fmt.Errorf("browser ended on %s (HTTP %d), not the shop's return page", pg.URL.Redacted(), pg.Status)
	}
	return nil
}

// expect checks the final state of a flow.
func expect(p *payments.Payment, status payments.Status, captured, refunded, note string) result {
	r := result{payment: p, note: note}
	switch {
	case p.Status != status:
		r.err = fmt.Errorf("status %s, want %s", p.Status, status)
	case !sameAmount(p.Captured, captured):
		r.err = fmt.Errorf("captured %s, want %s", p.Captured, captured)
	case !sameAmount(p.Refunded, refunded):
		r.err = fmt.Errorf("refunded %s, want %s", p.Refunded, refunded)
	}
	return r
}

func failed(p *payments.Payment, err error) result {
	return result{payment: p, note: err.Error(), err: err}
}

func sameAmount(m payments.Money, want string) bool {
	w := money(want)
	return m.Amount.Equal(w.Amount) && (m.Currency == w.Currency || m.IsZero())
}

func money(s string) payments.Money {
	m, err := payments.ParseMoney(s, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func card(number string) payments.Card {
	return payments.Card{Number: payments.CardNumber(number), Holder: "Jane Doe", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}
}

func jsonPost(target, body string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewBufferString(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}
