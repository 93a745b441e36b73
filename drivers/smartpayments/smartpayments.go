package smartpayments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/inbound"
)

// Name is the driver's name, as Gateway.Name returns it.
const Name = "smartpayments"

// The documented hosts.
const (
	// DefaultBaseURL serves every call that carries no card data.
	DefaultBaseURL = "https://api-gateway.smartcore.pro"
	// DefaultCardBaseURL is the PCI DSS host: /initPaymentHost2Host,
	// /authorize and /withdrawal/init.
	DefaultCardBaseURL = "https://chd-api.smartcore.pro"
	// DefaultExportBaseURL serves the transaction export
	// (/aggregation-service/public/transaction/excel...).
	DefaultExportBaseURL = "https://service.magua-pay.com"
)

// DefaultRefundReason is sent as the refund's "reason", which the provider
// requires, when RefundRequest.Reason is empty (the document's example
// sends "refund").
const DefaultRefundReason = "refund"

// DefaultTimeout bounds one HTTP attempt when Config.Timeout is zero. The
// document names no timeout: this is a conservative default of this library.
const DefaultTimeout = 60 * time.Second

// DefaultMaxExportBytes caps a downloaded export (64 MiB).
const DefaultMaxExportBytes = 64 << 20

// Config configures a Gateway. MerchantKey, Secret and Account are
// required.
type Config struct {
	// MerchantKey and Secret are the Basic auth credentials
	// (merchantKey:secret). Secret never prints (payments.Secret).
	MerchantKey string
	Secret      payments.Secret
	// Account is the merchant account name ("account"), e.g. "EUR-sandbox".
	Account string
	// Currency is the currency of the amounts the provider reports without
	// one (/check, /capture, balances). Default: the ISO 4217 code the
	// Account name starts with ("EUR-sandbox" → EUR). The gateway accepts
	// payments in this currency only.
	Currency payments.Currency
	// PayoutAccount is the default account of withdrawals, tokenization
	// forms and balance queries, e.g. "EUR-sandbox-payout". Default:
	// Account.
	PayoutAccount string
	// MerchantSite is the "merchant_site" URL, required by the card-data
	// endpoints; AuthorizeOptions.MerchantSite overrides it per payment.
	MerchantSite string
	// NotificationURL is the "callback_url" used when a request names none
	// (ReturnURLs.Notification for payments; refunds, recurrent payments,
	// withdrawals).
	NotificationURL string
	// BaseURL, CardBaseURL (the PCI DSS card-data host) and ExportBaseURL
	// replace the documented hosts (DefaultBaseURL, DefaultCardBaseURL,
	// DefaultExportBaseURL).
	BaseURL       string
	CardBaseURL   string
	ExportBaseURL string
	// HTTPClient replaces the HTTP client (and with it the transport):
	// cassettes, simulators and proxies plug in here. nil uses a client
	// with sensible timeouts. It is never modified: the driver uses a copy
	// that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds one HTTP attempt, with HTTPClient or without it
	// (default DefaultTimeout).
	Timeout time.Duration
	// MaxExportBytes caps a downloaded export (default
	// DefaultMaxExportBytes).
	MaxExportBytes int64
	// Logger receives debug logs with card data and credentials scrubbed.
	// nil is silent.
	Logger *slog.Logger
	// NotificationQueriesPerSecond bounds the POST /check queries Notify
	// sends to confirm callbacks, which are not signed (anyone who knows
	// the callback URL can post one): on average this many new queries a
	// second, in bursts of twice as many (0: the default, 50; a negative
	// value: no bound). Over it, Notify sends nothing and returns
	// ErrRateLimited, which payments.NotificationHandler answers 503 so that
	// the provider delivers the callback again later. Callbacks about one
	// order that arrive while its query is in flight share that query
	// whatever this bound.
	NotificationQueriesPerSecond int
}

// Gateway is the SmartPayments driver: a payments.Gateway plus the
// provider's own features (recurrent payments, withdrawals, balance,
// transaction export). It is safe for concurrent use.
type Gateway struct {
	cfg      Config
	currency payments.Currency
	urls     endpointURLs
	api      *httpx.Client // JSON API calls
	export   *httpx.Client // export downloads (larger body cap)
	log      *slog.Logger
	// own records what this Gateway did to payments (see own).
	own own
	// sleep waits between export polls; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// notifyQueries bounds and shares Notify's confirming /check queries.
	notifyQueries *inbound.Guard[*Transaction]
}

var _ payments.Gateway = (*Gateway)(nil)

// endpointURLs are the fixed endpoints' absolute URLs, joined once in New
// from the configured hosts (checked there): a call concatenates and parses
// nothing of its own.
type endpointURLs struct {
	initPayment, host2Host, authorize, capture, cancel, refund, check string
	recurrent, tokenizeForm, withdrawal, balance                      string
	export, exportTask                                                string // exportTask + escaped id [+ pathExportResult]
}

// newEndpointURLs joins the paths to the hosts of cfg (without their
// trailing slashes).
func newEndpointURLs(cfg *Config) endpointURLs {
	return endpointURLs{
		initPayment:  cfg.BaseURL + pathInitPayment,
		host2Host:    cfg.CardBaseURL + pathHost2Host,
		authorize:    cfg.CardBaseURL + pathAuthorize,
		capture:      cfg.BaseURL + pathCapture,
		cancel:       cfg.BaseURL + pathCancel,
		refund:       cfg.BaseURL + pathRefund,
		check:        cfg.BaseURL + pathCheck,
		recurrent:    cfg.BaseURL + pathRecurrent,
		tokenizeForm: cfg.BaseURL + pathTokenizeForm,
		withdrawal:   cfg.CardBaseURL + pathWithdrawal,
		balance:      cfg.BaseURL + pathBalance,
		export:       cfg.ExportBaseURL + pathExport,
		exportTask:   cfg.ExportBaseURL + pathExportTask,
	}
}

// New checks cfg and builds a Gateway. Missing credentials, a missing
// account, a currency that cannot be determined or a malformed URL are
// errors wrapping payments.ErrInvalidRequest.
func New(cfg Config) (*Gateway, error) {
	var missing []string
	if strings.TrimSpace(cfg.MerchantKey) == "" {
		missing = append(missing, "MerchantKey")
	}
	if cfg.Secret == "" {
		missing = append(missing, "Secret")
	}
	if strings.TrimSpace(cfg.Account) == "" {
		missing = append(missing, "Account")
	}
	if len(missing) > 0 {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name,
			Message: "smartpayments.Config: " + strings.Join(missing, ", ") + " required"}
	}
	cur := cfg.Currency
	if cur == "" {
		cur = accountCurrency(cfg.Account)
		if cur == "" {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "Currency",
				Message: fmt.Sprintf("smartpayments.Config: Currency required: the account name %q does not start with an ISO 4217 code", cfg.Account)}
		}
	}
	cur, err := payments.ParseCurrency(string(cur))
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "Currency", Message: "smartpayments.Config: Currency is not an ISO 4217 code", Err: err}
	}
	for _, u := range []struct {
		name string
		v    *string
		def  string
	}{{"BaseURL", &cfg.BaseURL, DefaultBaseURL}, {"CardBaseURL", &cfg.CardBaseURL, DefaultCardBaseURL}, {"ExportBaseURL", &cfg.ExportBaseURL, DefaultExportBaseURL}} {
		if *u.v == "" {
			*u.v = u.def
		}
		pu, err := url.Parse(*u.v)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: u.name, Message: "smartpayments.Config: " + u.name + " must be an absolute http(s) URL"}
		}
		*u.v = strings.TrimRight(*u.v, "/")
	}
	for name, v := range map[string]string{"MerchantSite": cfg.MerchantSite, "NotificationURL": cfg.NotificationURL} {
		if v != "" && !httpURL(v) {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: name, Message: "smartpayments.Config: " + name + " must be an absolute http(s) URL"}
		}
	}
	if cfg.PayoutAccount == "" {
		cfg.PayoutAccount = cfg.Account
	}
	if cfg.MaxExportBytes <= 0 {
		cfg.MaxExportBytes = DefaultMaxExportBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hc := httpx.Config{
		Provider:   Name,
		HTTPClient: cfg.HTTPClient,
		Timeout:    cfg.Timeout,
		Logger:     cfg.Logger,
		Retry:      httpx.DefaultRetry,
	}
	g := &Gateway{cfg: cfg, currency: cur, urls: newEndpointURLs(&cfg), log: logger, api: httpx.New(hc), sleep: sleepCtx,
		notifyQueries: inbound.NewGuard[*Transaction](Name, cfg.NotificationQueriesPerSecond)}
	hc.MaxBodyBytes = cfg.MaxExportBytes
	g.export = httpx.New(hc)
	g.api.SetBasicAuth(cfg.MerchantKey, cfg.Secret.Reveal())
	g.export.SetBasicAuth(cfg.MerchantKey, cfg.Secret.Reveal())
	return g, nil
}

// accountCurrency returns the ISO 4217 code an account name starts with
// ("EUR-sandbox-payout" → EUR), or "".
func accountCurrency(account string) payments.Currency {
	head, _, _ := strings.Cut(strings.TrimSpace(account), "-")
	if len(head) != 3 {
		return ""
	}
	c, err := payments.ParseCurrency(head)
	if err != nil {
		return ""
	}
	return c
}

// Name returns "smartpayments".
func (g *Gateway) Name() string { return Name }

// Currency is the currency of this gateway's account.
func (g *Gateway) Currency() payments.Currency { return g.currency }

// Capabilities reports what the document describes: cards (one- and
// two-step, with 3-D Secure), the hosted payment form, Apple Pay and Google
// Pay tokens (one-step only), partial capture (one capture), partial and
// repeated refunds, lookup by the merchant's order_id, payouts, and
// notifications confirmed by query (the callback is not signed). The only
// currency is the account's.
func (g *Gateway) Capabilities() payments.Capabilities {
	return payments.Capabilities{
		Methods:           []payments.MethodKind{payments.KindCard, payments.KindHostedPage, payments.KindApplePay, payments.KindGooglePay},
		TwoStep:           true,
		Cancel:            true,
		PartialCapture:    true,
		MultipleCaptures:  false,
		Refund:            true,
		PartialRefund:     true,
		MultipleRefunds:   true,
		ThreeDS:           true,
		LookupByReference: true,
		// /check has no refunded amount or refund list (seed
		// 000_2d15c756a78f42ef.txt l.389-409); refunds are transactions of
		// their own (l.438-443).
		RefundsInStatus: false,
		Payouts:         true,
		Notifications:   payments.VerifiedByQuery,
		Currencies:      []payments.Currency{g.currency},
	}
}

// Authorize starts a payment:
//   - HostedPage → POST /initPayment (the Payment requires action: redirect
//     the customer to Action.URL);
//   - Card, ApplePay, GooglePay with Capture true → POST /initPaymentHost2Host
//     (payment_method card, applePayDPan, googlePayDPan);
//   - Card with Capture false → POST /authorize (two-step).
//
// The provider requires the customer's first and last name, email, phone
// and (except /authorize) IP, and the billing address's line 1, city,
// postal code and country; missing ones are reported with their neutral
// field names before anything is sent. Payment.ID is the merchant order id
// (Reference): every later call takes it.
func (g *Gateway) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if req == nil {
		return nil, nilRequest()
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ep, body, err := g.buildPayment(req)
	if err != nil {
		return nil, err
	}
	if ep.kind == callAuthorize {
		// Written before the call: when the answer is lost, /check's
		// "success" for this order must still read as an authorization,
		// never as a capture.
		g.own.update(req.Reference, func(r *ownRecord) { r.twoStep = true })
	}
	resp, err := g.api.Do(ctx, httpx.Call{Op: ep.op, Method: http.MethodPost, URL: ep.url, Body: body, Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(ep.op, httpx.MoneyMoving, resp)
	}
	var w paymentResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, ep.op, resp, &w); err != nil {
		return nil, err
	}
	p, err := g.createdPayment(ctx, ep, req, &w, resp)
	if err != nil || p.Status != payments.StatusRequiresAction || ep.url == g.urls.initPayment {
		return p, err
	}
	return g.settleCreated(ctx, ep, req, p)
}

// settleCreated reads a card or wallet payment back with /check when its
// answer asked for a redirect. The document's /initPaymentHost2Host and
// /authorize examples answer status 1 + REDIRECT with a form_url (seed
// 000_2d15c756a78f42ef.txt l.164-180, l.685-701) for the card it lists as
// "Frictionless Flow, Success" (l.31): the answer alone does not say
// whether the customer must act. When /check says the payment is already
// final (captured, authorized, failed, expired), that is the Payment (its
// Raw is /check's body); otherwise, or when /check fails, the answer's
// RequiresAction and Action stand.
func (g *Gateway) settleCreated(ctx context.Context, ep endpoint, req *payments.AuthorizeRequest, p *payments.Payment) (*payments.Payment, error) {
	t, w, err := g.check(ctx, req.Reference)
	if err != nil {
		g.log.WarnContext(ctx, "smartpayments: reading a new payment back failed", "order_id", req.Reference, "error", err)
		return p, nil
	}
	if err := g.applyOwn(ctx, req.Reference, t, w); err != nil {
		return p, err
	}
	c := t.Payment
	if w.Amount.Valid && !c.Amount.Equal(req.Amount) {
		return p, integrity("%s: /check reports an amount of %s for a payment of %s", ep.op, c.Amount, req.Amount)
	}
	switch c.Status {
	case payments.StatusCaptured, payments.StatusAuthorized:
		return c, nil
	case payments.StatusFailed, payments.StatusExpired:
		code := firstNonEmpty(w.ErrorMessage, w.Err)
		if isDuplicate(code) {
			return nil, duplicateError(ep.op, code)
		}
		return c, failed(c, ep.op, code, "", w.CascadeErrors)
	}
	return p, nil
}

// Capture captures an authorized two-step payment, fully or (with Amount)
// partly; the provider takes one capture per authorization. It then reads
// the payment back with /check to report its amounts. A pending answer
// ("Capture operation can return a pending status") is StatusPending:
// follow it with Status or wait for the notification.
func (g *Gateway) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	if req == nil {
		return nil, nilRequest()
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body := captureRequest{OrderID: req.ID}
	if req.Amount != nil {
		minor, err := g.minor("amount", *req.Amount)
		if err != nil {
			return nil, err
		}
		body.Amount = strconv.FormatInt(minor, 10)
	}
	w, resp, err := g.modify(ctx, "capture", g.urls.capture, body)
	if err != nil {
		g.own.markDoubt(req.ID, err)
		return nil, err
	}
	p := g.newPayment(req.ID)
	p.Status = mapStatus(w.Status.V, callCapture, false, nil)
	p.ProviderStatus = providerStatus(w.Status.V)
	p.Raw = resp.CleanDecoded(resp.Body) // decoded whole by modify
	if p.Status == payments.StatusFailed {
		if _, refused := requestErrors[w.Err]; refused {
			return nil, refusal("capture", w.Err, resp.Clean(w.Msg), resp.StatusCode)
		}
		return p, failed(p, "capture", w.Err, resp.Clean(w.Msg), nil)
	}
	if p.Status == payments.StatusCaptured || p.Status == payments.StatusPending {
		st := captureDone
		if p.Status == payments.StatusPending {
			st = capturePending
		}
		var minor int64
		if req.Amount != nil {
			minor, _ = req.Amount.Minor() // checked above
		}
		g.own.update(req.ID, func(r *ownRecord) { r.twoStep, r.capture, r.captureMinor = true, st, minor })
	}
	if p.Status == payments.StatusCaptured && req.Amount != nil {
		p.Captured = *req.Amount // known even if the read-back fails
	}
	err = g.readBack(ctx, p, func(chk *payments.Payment) error {
		p.Amount = chk.Amount
		if p.Status != payments.StatusCaptured {
			return nil
		}
		p.Captured = chk.Amount
		if req.Amount == nil {
			return nil
		}
		p.Captured = *req.Amount
		if c, err := req.Amount.Cmp(chk.Amount); err != nil || c > 0 {
			return &payments.Error{Code: payments.Integrity, Provider: Name,
				Message: fmt.Sprintf("capture: captured %s of a payment of %s", req.Amount, chk.Amount)}
		}
		if chk.Status == payments.StatusCaptured && !chk.Captured.Equal(*req.Amount) {
			return &payments.Error{Code: payments.Integrity, Provider: Name,
				Message: fmt.Sprintf("capture: asked for %s, the provider reports %s captured", req.Amount, chk.Captured)}
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	if p.Status == payments.StatusUnknown {
		return p, outcomeUnknown("capture", p.ProviderStatus)
	}
	return p, nil
}

// Cancel voids an authorized two-step payment. The document's example
// answers status -1 (the payment's status afterwards: Fail), which is a
// successful cancel; a pending answer is StatusPending. It then reads the
// payment back with /check to report its amount.
func (g *Gateway) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	if req == nil {
		return nil, nilRequest()
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	w, resp, err := g.modify(ctx, "cancel", g.urls.cancel, orderRequest{OrderID: req.ID})
	if err != nil {
		g.own.markDoubt(req.ID, err)
		return nil, err
	}
	if code := w.Err; code != "" && w.Status.V == statusFail {
		// -1 with an error code is a refused cancel, not a voided payment.
		return nil, refusal("cancel", code, resp.Clean(w.Msg), resp.StatusCode)
	}
	p := g.newPayment(req.ID)
	p.Status = mapStatus(w.Status.V, callCancel, false, nil)
	p.ProviderStatus = providerStatus(w.Status.V)
	p.Raw = resp.CleanDecoded(resp.Body) // decoded whole by modify
	if p.Status == payments.StatusCanceled || p.Status == payments.StatusPending {
		g.own.update(req.ID, func(r *ownRecord) { r.twoStep, r.cancel = true, true })
	}
	_ = g.readBack(ctx, p, func(chk *payments.Payment) error {
		p.Amount = chk.Amount
		return nil
	})
	if p.Status == payments.StatusUnknown {
		return p, outcomeUnknown("cancel", p.ProviderStatus)
	}
	return p, nil
}

// modify sends /capture or /cancel (url, from g.urls) and decodes the
// {order_id, status} answer.
func (g *Gateway) modify(ctx context.Context, op, url string, body any) (*statusResponse, *httpx.Response, error) {
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: url, Body: body, Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, nil, err
	}
	if !resp.OK() {
		return nil, nil, httpError(op, httpx.MoneyMoving, resp)
	}
	var w statusResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &w); err != nil {
		return nil, nil, err
	}
	if !w.Status.Valid {
		if code := w.Err; code != "" {
			return nil, nil, refusal(op, code, resp.Clean(w.Msg), resp.StatusCode)
		}
		return nil, nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode,
			Message: op + ": the answer has no status; the provider may have processed it: reconcile with Status"}
	}
	return &w, resp, nil
}

// readBack queries the payment after a capture or cancel and lets fill copy
// what the answer lacked. A failed query is logged, not returned: the
// modification itself succeeded, and the amounts stay zero. What fill
// finds wrong (an amount that contradicts the request) is returned.
func (g *Gateway) readBack(ctx context.Context, p *payments.Payment, fill func(chk *payments.Payment) error) error {
	chk, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if errors.Is(err, payments.ErrIntegrity) {
		return err
	}
	if err != nil {
		g.log.WarnContext(ctx, "smartpayments: reading the payment back failed", "order_id", p.ID, "error", err)
		return nil
	}
	return fill(chk)
}

// Refund refunds a captured payment: Amount, or, when Amount is nil, the
// rest of what was captured: the payment's "amount" (a captured two-step
// payment: the amount this Gateway captured) less the refunds this Gateway
// made that have not failed, pending ones included, so a refund never asks
// for more than is left. /check's finalAmount is never used (see Check).
// The payment is read first with /check; when that read fails no refund is
// sent and its error is returned.
//
// The answer's "success": true is RefundSucceeded. The document's example
// (seed 000_2d15c756a78f42ef.txt l.438-443) answers "success": false with a
// refund_id and gives that no meaning: it is RefundPending, the refund_id
// is kept, and the refund is resolved through its own status: RefundStatus
// (/check by refund_id), which Status calls for every pending refund this
// Gateway made. "success": false with an "err" is a refused refund.
func (g *Gateway) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	if req == nil {
		return nil, nilRequest()
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var amount payments.Money
	if req.Amount != nil {
		if _, err := g.minor("amount", *req.Amount); err != nil {
			return nil, err
		}
		amount = *req.Amount
	} else {
		p, err := g.Status(ctx, &payments.StatusRequest{ID: req.ID})
		if err != nil {
			return nil, err // no refund was sent
		}
		if p.Status == payments.StatusUnknown {
			return nil, payments.InvalidField("amount", "required: the payment's state is unknown (an earlier capture, cancel or refund may or may not have been processed), so what is left to refund cannot be known")
		}
		if !p.Status.Settled() {
			return nil, &payments.Error{Code: payments.InvalidState, Provider: Name, ProviderCode: p.ProviderStatus,
				Message: fmt.Sprintf("refund: payment %s is %s: nothing captured to refund", req.ID, p.Status)}
		}
		captured, err := p.Captured.Minor()
		if err != nil {
			return nil, err
		}
		rec, _ := g.own.get(req.ID)
		_, taken := rec.refunded()
		if captured-taken <= 0 {
			return nil, &payments.Error{Code: payments.InvalidState, Provider: Name, Message: "refund: nothing left to refund"}
		}
		amount = g.money(captured - taken)
	}
	minor, err := g.minor("amount", amount)
	if err != nil {
		return nil, err
	}
	body := refundRequest{OrderID: req.ID, Amount: minor, Reason: firstNonEmpty(req.Reason, DefaultRefundReason), CallbackURL: g.cfg.NotificationURL}
	const op = "refund"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.refund, Body: body, Safety: httpx.MoneyMoving})
	if err == nil && !resp.OK() {
		err = httpError(op, httpx.MoneyMoving, resp)
	}
	var w refundResponse
	if err == nil {
		err = httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &w)
	}
	if err != nil {
		g.own.markDoubt(req.ID, err)
		return nil, err
	}
	r := &payments.Refund{ID: str(w.RefundID), PaymentID: req.ID, Amount: amount, Raw: resp.CleanDecoded(resp.Body)}
	success := w.Success != nil && *w.Success
	if w.Success != nil {
		r.ProviderStatus = "success=" + strconv.FormatBool(*w.Success)
	}
	switch {
	case success:
		r.Status = payments.RefundSucceeded
	case str(w.Err) != "":
		return nil, refusal(op, str(w.Err), resp.Clean(str(w.Message)), resp.StatusCode)
	case r.ID != "":
		r.Status = payments.RefundPending
	default:
		err := &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode,
			Message: "refund: the answer has neither success nor refund_id; the provider may have processed it: reconcile with Status"}
		g.own.markDoubt(req.ID, err)
		return nil, err
	}
	g.own.addRefund(req.ID, ownRefund{id: r.ID, minor: minor, status: r.Status})
	return r, nil
}

// Status queries a payment with POST /check by its merchant order id
// (StatusRequest.ID or Reference: they are the same). See Check for the
// provider's details.
func (g *Gateway) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	if req == nil {
		return nil, nilRequest()
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	t, err := g.Check(ctx, firstNonEmpty(req.ID, req.Reference))
	if err != nil {
		return nil, err
	}
	return t.Payment, nil
}

// newPayment starts a Payment with zero amounts in the gateway's currency.
func (g *Gateway) newPayment(orderID string) *payments.Payment {
	zero := payments.Money{Currency: g.currency}
	return &payments.Payment{ID: orderID, Reference: orderID, Provider: Name, Amount: zero, Captured: zero, Refunded: zero}
}

// minor converts an amount of a request to minor units, checking its
// currency against the account's.
func (g *Gateway) minor(field string, m payments.Money) (int64, error) {
	if m.Currency != g.currency {
		return 0, payments.InvalidField(field+".currency", fmt.Sprintf("%q: this gateway's account %q takes %s only", m.Currency, g.cfg.Account, g.currency))
	}
	return m.Minor()
}

// money converts provider minor units to Money in the account's currency.
func (g *Gateway) money(minor int64) payments.Money {
	m, err := payments.MoneyFromMinor(minor, string(g.currency))
	if err != nil { // the currency was checked in New
		return payments.Money{Currency: g.currency}
	}
	return m
}
