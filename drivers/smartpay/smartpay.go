// Package smartpay is the payments driver for the SmartPay checkout API
// (J.P. Morgan Mobility Payment Solutions, formerly VW FS "SmartPay").
//
// It speaks the provider's HTTP API as documented: amounts are decimals with
// exactly two fraction digits written as JSON numbers (49.99, never through
// float64), statuses are paymentStatus enums (one table in status.go),
// invoices are API-only PREPMNT / PAYINVC authorizations, captures, cancels
// and refunds are "modifications" deduplicated by modificationId (so they
// are the only money-moving calls this library retries), and webhooks are
// confirmed with Get Payment Status.
//
// Supported methods: [payments.Invoice] (POST /payment/authorize/, the
// buyer pays against Payment.Action.Reference) and [payments.HostedPage]
// (POST /payment/creation, the checkout for the SmartPay widget; the
// checkout token is in Payment.Action.Token). Cards and wallets are entered
// in the widget, never sent through this driver.
//
// Where the documents are silent the driver is conservative: a prepayment
// counts as paid only on paymentStatus SETTLED or a SETTLEMENT
// modification (the document answers CAPTURED to a fresh, unpaid one); the
// status answer yields no refunded total (no document defines a completed
// refund's status value), so Payment.Refunded stays zero and refunds stay
// RefundPending, tracked from Refund's answers (and the Router's ledger);
// gateway_processing / payment_provider_processing errors keep the HTTP
// status's class and are never declines.
//
// SmartPay-only calls: [Gateway.CreateCheckout], [Gateway.CancelOrRefund]
// (POST /payment/cancelOrRefund) and [Gateway.PaymentDetails] (the
// reconciliation references, modifications and status history of Get
// Payment Status). Provider-only request fields go in
// AuthorizeRequest.ProviderOptions as a *[AuthorizeOptions].
//
// A payment:
//
//	gw, err := smartpay.New(smartpay.Config{
//		MerchantKey:       os.Getenv("SMARTPAY_MERCHANT_KEY"),
//		AuthenticationKey: os.Getenv("SMARTPAY_AUTHENTICATION_KEY"),
//		BaseURL:           os.Getenv("SMARTPAY_BASE_URL"), // given at onboarding
//		Origin:            "https://shop.example",
//	})
//	amount, _ := payments.ParseMoney("49.99", "EUR")
//	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
//		Reference: "order-1001", Amount: amount,
//		Method:         payments.Invoice{Type: payments.InvoicePrepayment},
//		Customer:       &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
//		BillingAddress: &payments.Address{Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE"},
//	})
//	// p.Action.Reference is what the buyer quotes on the bank transfer.
//
// Config fields, our name ↔ the provider's name:
//
//	MerchantKey        ↔ merchantKey (Basic auth user; "merchantKey" in bodies)
//	AuthenticationKey  ↔ authenticationKey (Basic auth password)
//	BaseURL            ↔ "SmartPay BaseURL" (given at onboarding; no public default)
//	Origin             ↔ Origin header
//	UserAgent          ↔ User-Agent header
//	OAuth.TokenURL     ↔ OAuth2 token endpoint (client-credentials grant)
//	OAuth.ClientID     ↔ client_id
//	OAuth.ClientSecret ↔ client_secret
//	NotificationAuth   ↔ the webhook's Basic authentication (merchant-chosen user/password)
//
// Request fields, neutral ↔ SmartPay:
//
//	Reference        ↔ partnerReference
//	Amount           ↔ payment{amount, currencyCode}
//	Description      ↔ payment.description (≤ 127; default: the Reference)
//	Customer         ↔ consumer, or businessConsumer when Customer.Company is set
//	BillingAddress   ↔ billingAddress (country converted to ISO alpha-3)
//	ShippingAddress  ↔ shippingAddress
//	Metadata         ↔ criteria[{name, value}]
//	IdempotencyKey   ↔ modificationId
//	Payment.ID       ↔ transactionOverview.transactionId
//	Action.Reference ↔ transactionReference
package smartpay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/inbound"
	"github.com/gopayments/payments/internal/iso3166"
	"github.com/gopayments/payments/internal/iso4217"
	"github.com/gopayments/payments/internal/redact"
)

// Name is the driver name: Gateway.Name and Payment.Provider.
const Name = "smartpay"

// DefaultTimeout bounds one HTTP attempt. SmartPay recommends "a minimum
// timeout of 90 seconds, even though the API requests are expected to
// return a response much faster".
const DefaultTimeout = 90 * time.Second

// DefaultUserAgent is sent when Config.UserAgent is empty.
const DefaultUserAgent = "gopayments-smartpay/1"

// Config configures a Gateway.
type Config struct {
	// MerchantKey identifies the merchant: the Basic auth user name and the
	// merchantKey of request bodies. Required.
	MerchantKey string
	// AuthenticationKey is the Basic auth password. Required unless OAuth
	// is set. It never prints (payments.Secret).
	AuthenticationKey payments.Secret
	// BaseURL is the SmartPay API base URL the provider gives at onboarding
	// (sandbox or production), e.g. "https://api.smartpay.example". There
	// is no public default. Required.
	BaseURL string
	// Origin is sent in the Origin header SmartPay requires on every call,
	// e.g. "https://shop.example". Required.
	Origin string
	// UserAgent is sent in the User-Agent header (default DefaultUserAgent).
	UserAgent string
	// OAuth, when set, authenticates with a Bearer token from the OAuth2
	// client-credentials grant instead of Basic auth.
	OAuth *OAuth
	// NotificationAuth is the Basic authentication configured for the
	// merchant's webhooks. When set, Notify rejects any notification that
	// does not carry it (ErrUnverified); when nil, notifications are not
	// authenticated and only the confirming status query is trusted.
	NotificationAuth *NotificationAuth
	// HTTPClient replaces the HTTP client (proxies, cassettes, tests). nil
	// uses a client with Timeout. It is never modified: the driver uses a
	// copy that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds one HTTP attempt, with HTTPClient or without it
	// (default DefaultTimeout, the provider's advice).
	Timeout time.Duration
	// Logger receives debug logs with secrets scrubbed; nil is silent.
	Logger *slog.Logger
	// NotificationQueriesPerSecond bounds the Get Payment Status queries
	// Notify sends to confirm webhooks, which anyone who knows the webhook
	// URL can post when NotificationAuth is nil: on average this many new
	// queries a second, in bursts of twice as many (0: the default, 50; a
	// negative value: no bound). Over it, Notify sends nothing and returns
	// ErrRateLimited, which payments.NotificationHandler answers 503 so that
	// SmartPay delivers the webhook again later. Webhooks about one payment
	// that arrive while its query is in flight share that query whatever
	// this bound.
	NotificationQueriesPerSecond int
}

// OAuth configures the OAuth2 client-credentials grant.
type OAuth struct {
	// TokenURL is the token endpoint. Required.
	TokenURL string
	// ClientID is the OAuth client id (sent, form-encoded, as the HTTP
	// Basic user name). Required.
	ClientID string
	// ClientSecret is the OAuth client secret (the HTTP Basic password).
	// Required. It never prints (payments.Secret).
	ClientSecret payments.Secret
}

// NotificationAuth is the Basic authentication SmartPay sends with webhooks
// (user and password chosen by the merchant in the SmartPay configuration).
type NotificationAuth struct {
	// Username is the webhook's Basic user name.
	Username string
	// Password is the webhook's Basic password. It never prints
	// (payments.Secret).
	Password payments.Secret
}

// Gateway is the SmartPay driver. It implements payments.Gateway and adds
// SmartPay-only calls (CreateCheckout, CancelOrRefund, PaymentDetails). It
// is safe for concurrent use.
type Gateway struct {
	cfg    Config
	urls   endpointURLs
	client *httpx.Client
	tokens *tokenSource // nil with Basic auth
	log    *slog.Logger
	// newID generates modificationIds (UUID v4) when the caller gives no
	// IdempotencyKey. Tests replace it.
	newID func() string
	// notifyQueries bounds and shares Notify's confirming queries.
	notifyQueries *inbound.Guard[*statusAnswer]
}

var _ payments.Gateway = (*Gateway)(nil)

// endpointURLs are the endpoints' absolute URLs, joined once in New from
// the base URL (checked there): a call concatenates and parses nothing of
// its own but the escaped transactionId of a status query.
type endpointURLs struct {
	authorize, creation, capture, cancel, refund, cancelOrRefund string
	status                                                       string // + url.PathEscape(transactionId)
}

func newEndpointURLs(base string) endpointURLs {
	return endpointURLs{
		authorize:      base + "/payment/authorize/",
		creation:       base + "/payment/creation",
		capture:        base + "/payment/capture",
		cancel:         base + "/payment/cancel",
		refund:         base + "/payment/refund",
		cancelOrRefund: base + "/payment/cancelOrRefund",
		status:         base + "/payment/status/",
	}
}

// New checks cfg and builds a Gateway. Missing credentials, base URL or
// Origin are an error.
func New(cfg Config) (*Gateway, error) {
	bad := func(msg string) (*Gateway, error) {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "config: " + msg}
	}
	if strings.TrimSpace(cfg.MerchantKey) == "" {
		return bad("MerchantKey is required")
	}
	if cfg.OAuth == nil && cfg.AuthenticationKey == "" {
		return bad("AuthenticationKey is required (or OAuth)")
	}
	if cfg.OAuth != nil {
		if cfg.OAuth.ClientID == "" || cfg.OAuth.ClientSecret == "" {
			return bad("OAuth.ClientID and OAuth.ClientSecret are required")
		}
		if !absoluteURL(cfg.OAuth.TokenURL) {
			return bad("OAuth.TokenURL must be an absolute http(s) URL")
		}
	}
	if cfg.BaseURL == "" {
		return bad("BaseURL is required: SmartPay gives it at onboarding and publishes no default")
	}
	if !absoluteURL(cfg.BaseURL) {
		return bad("BaseURL must be an absolute http(s) URL")
	}
	if strings.TrimSpace(cfg.Origin) == "" {
		return bad("Origin is required: SmartPay requires the Origin header on every call")
	}
	if cfg.NotificationAuth != nil && cfg.NotificationAuth.Password == "" {
		// Without a password, any request naming the user would be
		// "verified".
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "NotificationAuth.Password",
			Message: "config: NotificationAuth.Password is required (or leave NotificationAuth nil)"}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Accept-Language", "en-US")
	hdr.Set("Origin", cfg.Origin)
	hdr.Set("User-Agent", cfg.UserAgent)
	client := httpx.New(httpx.Config{
		Provider:   Name,
		HTTPClient: cfg.HTTPClient,
		Timeout:    cfg.Timeout,
		Logger:     cfg.Logger,
		Header:     hdr,
		Retry:      httpx.DefaultRetry,
	})
	g := &Gateway{
		cfg:    cfg,
		urls:   newEndpointURLs(strings.TrimRight(cfg.BaseURL, "/")),
		client: client,
		log:    logger,
		newID:  newUUID,

		notifyQueries: inbound.NewGuard[*statusAnswer](Name, cfg.NotificationQueriesPerSecond),
	}
	if cfg.OAuth != nil {
		hc := cfg.HTTPClient
		if hc == nil {
			hc = httpx.DefaultHTTPClient(cfg.Timeout)
		} else {
			hc = httpx.NoRedirects(hc) // the token call carries the client secret
		}
		g.tokens = newTokenSource(*cfg.OAuth, hc, cfg.Timeout, cfg.UserAgent, logger)
	} else {
		client.SetBasicAuth(cfg.MerchantKey, cfg.AuthenticationKey.Reveal())
	}
	// Every credential of the configuration is stripped from provider
	// texts and logs, should an answer echo it.
	creds := &redact.Known{}
	if cfg.OAuth != nil {
		creds.AddText(cfg.OAuth.ClientID)
		creds.AddText(cfg.OAuth.ClientSecret.Reveal())
	}
	if na := cfg.NotificationAuth; na != nil {
		creds.AddBasic(na.Username, na.Password.Reveal())
	}
	client.AddSecrets(creds)
	return g, nil
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Name returns "smartpay".
func (g *Gateway) Name() string { return Name }

// twoDigitCurrencies are the ISO 4217 currencies whose exponent is 2, the
// only ones SmartPay's amount pattern can express exactly.
var twoDigitCurrencies = sync.OnceValue(func() []payments.Currency {
	var out []payments.Currency
	for _, c := range iso4217.All() {
		if c.MinorUnits == 2 {
			out = append(out, payments.Currency(c.Code))
		}
	}
	return out
})

// Capabilities reports what SmartPay supports, from its documents:
// invoices and the hosted checkout; capture (partial, and several, each
// with its own captureId), cancel, refund (partial, several: each has its
// own refundId); modifications deduplicated by modificationId; no lookup
// by merchant reference (no such endpoint is documented); notifications
// confirmed by a status query, plus Basic credentials when
// Config.NotificationAuth is set; currencies with two decimals only.
func (g *Gateway) Capabilities() payments.Capabilities {
	v := payments.VerifiedByQuery
	if g.cfg.NotificationAuth != nil {
		v |= payments.VerifiedCredentials
	}
	return payments.Capabilities{
		Methods:           []payments.MethodKind{payments.KindInvoice, payments.KindHostedPage},
		TwoStep:           true,
		Cancel:            true,
		PartialCapture:    true,
		MultipleCaptures:  true,
		Refund:            true,
		PartialRefund:     true,
		MultipleRefunds:   true,
		ThreeDS:           false,
		LookupByReference: false,
		// statusHistory lists refund attempts, but no document defines
		// their status values (seed 003_6c7386b3129bc046.txt l.366-368,
		// l.474-476): refunds cannot be totalled from the status answer.
		RefundsInStatus:         false,
		IdempotentModifications: true,
		Payouts:                 false,
		Notifications:           v,
		Currencies:              slices.Clone(twoDigitCurrencies()),
	}
}

// ---- provider options --------------------------------------------------------

// AuthorizeOptions are SmartPay-only fields of Authorize and CreateCheckout.
// Pass a *AuthorizeOptions in AuthorizeRequest.ProviderOptions.
type AuthorizeOptions struct {
	// ShopCountry is the ISO 3166-1 alpha-2 code of the shop country
	// (shopCountry); it must be one configured for the merchant.
	ShopCountry string
	// CustomerAccountID is the buyer's account id in the merchant's system
	// (customerAccountId, ≤ 255).
	CustomerAccountID string
	// CustomReferences are custom1..custom3 (≤ 255 each).
	CustomReferences [3]string
	// Culture is the consumer's culture, e.g. "en-de" (≤ 5).
	Culture string
	// CompanyType is businessConsumer.companyType, e.g. "GmbH" (≤ 100).
	CompanyType string
	// CompanyRegistrationCountry is the company's registration country,
	// ISO 3166-1 alpha-2 (sent as alpha-3).
	CompanyRegistrationCountry string
	// ProductGroup is extraInfo.productGroup (≤ 100).
	ProductGroup string
	// TargetMerchantAccountReference processes the payment for a
	// sub-merchant account (≤ 127).
	TargetMerchantAccountReference string
	// PaymentSplit splits the payment between destination accounts (not on
	// the hosted payment page).
	PaymentSplit []SplitDestination
	// HouseNumber is billingAddress.number (≤ 10).
	HouseNumber string
	// ShippingHouseNumber is shippingAddress.number (≤ 10).
	ShippingHouseNumber string
}

// SplitDestination is one destination of a split payment.
type SplitDestination struct {
	// DestinationReference is the destination merchant account alias (≤ 127).
	DestinationReference string
	// Amount is the destination's share, in the payment's currency.
	Amount payments.Money
	// Description is required by SmartPay (≤ 127).
	Description string
}

func authorizeOptions(req *payments.AuthorizeRequest) *AuthorizeOptions {
	for _, o := range req.ProviderOptions {
		switch v := o.(type) {
		case *AuthorizeOptions:
			if v != nil {
				return v
			}
		case AuthorizeOptions:
			return &v
		}
	}
	return &AuthorizeOptions{}
}

// ---- Authorize ---------------------------------------------------------------

// Authorize starts a payment.
//
//   - payments.Invoice: POST /payment/authorize/ with
//     paymentOption.invoicePayment.type PREPMNT (prepayment) or PAYINVC
//     (pay upon invoice). The Payment's Action carries the
//     transactionReference the buyer quotes when paying. A prepayment
//     is StatusRequiresAction (Captured zero) until the status answer
//     shows the buyer paid: paymentStatus SETTLED or a SETTLEMENT
//     modification. paymentStatus CAPTURED is not proof: the document
//     answers CAPTURED to a fresh prepayment (seed 004_63b579a9eeecc4a0.txt
//     l.482-498) whose buyer has yet to pay (l.4-7). A granted
//     pay-upon-invoice is StatusAuthorized, and with req.Capture it is
//     captured at once (a second call, POST /payment/capture for the whole
//     amount, with modificationId "capture-<transactionId>").
//   - payments.HostedPage: POST /payment/creation, see CreateCheckout. The
//     Payment is StatusRequiresAction; capture after the checkout follows
//     the channel's configuration (the request has no capture flag).
//
// A declined authorization (201 with paymentStatus FAILED) returns the
// Payment (StatusFailed, Decline set) and an ErrDeclined error whose
// Decline.Message holds the provider's texts for the merchant's logs only.
// A 400 whose MOD1 "error" is gateway_processing or
// payment_provider_processing says only where the error appeared, not that
// the buyer was declined: it is ErrInvalidRequest with that value in
// ProviderCode, never cascaded (see errorTable).
func (g *Gateway) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if _, ok := payments.MethodAs[payments.HostedPage](req.Method); ok {
		c, err := g.CreateCheckout(ctx, req)
		if c != nil {
			return c.Payment, err
		}
		return nil, err
	}
	inv, ok := payments.MethodAs[payments.Invoice](req.Method)
	if !ok {
		return nil, &payments.Error{Code: payments.Unsupported, Provider: Name, Field: "method",
			Message: fmt.Sprintf("smartpay takes %s payments in its widget (HostedPage); this driver supports Invoice and HostedPage", req.Method.Kind())}
	}
	opts := authorizeOptions(req)
	var body authorizeRequest
	switch inv.Type {
	case payments.InvoicePrepayment:
		body.PaymentOption.InvoicePayment.Type = optionPrepayment
	case payments.InvoicePayUponInvoice:
		body.PaymentOption.InvoicePayment.Type = optionPayUponInvoice
	default:
		return nil, payments.InvalidField("method.type", fmt.Sprintf("%q is not an invoice type smartpay supports", inv.Type))
	}
	if err := checkoutBody(&body.checkoutFields, req, opts, true); err != nil {
		return nil, err
	}

	p, err := call(ctx, g, httpx.Call{Op: opAuthorize, Method: http.MethodPost, URL: g.urls.authorize, Body: &body, Safety: httpx.MoneyMoving},
		func(resp *httpx.Response) (*payments.Payment, error) { return g.authorizeAnswer(req, resp) })
	if err != nil {
		return p, err
	}
	if req.Capture && inv.Type == payments.InvoicePayUponInvoice && p.Status == payments.StatusAuthorized {
		cp, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, IdempotencyKey: "capture-" + p.ID})
		if err != nil {
			// The invoice stands, authorized; the capture may be retried
			// with the same key (it is deduplicated).
			return p, err
		}
		cp.Reference = p.Reference
		if cp.Action == nil {
			cp.Action = p.Action
		}
		return cp, nil
	}
	return p, nil
}

// authorizeAnswer maps the answer to an authorization.
func (g *Gateway) authorizeAnswer(req *payments.AuthorizeRequest, resp *httpx.Response) (*payments.Payment, error) {
	if !resp.OK() {
		return nil, apiError(opAuthorize, resp)
	}
	var doc paymentDoc
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, opAuthorize, resp, &doc); err != nil {
		return nil, err
	}
	p, err := g.toPayment(&doc, resp.Body) // decoded whole
	if err != nil {
		// A 2xx to a money-moving call that cannot be read: something may
		// have happened; the caller must reconcile. One that contradicts
		// itself is an integrity error.
		return nil, mapErr(opAuthorize, err)
	}
	if p.ID == "" {
		// Created, but nothing identifies it: only the provider's support
		// can say what happened.
		return nil, outcomeUnknown(opAuthorize, errors.New("the answer has no transactionOverview.transactionId"))
	}
	if p.Reference == "" {
		p.Reference = req.Reference
	}
	if err := checkAuthorizeAnswer(req, p); err != nil {
		return p, err
	}
	if p.Status == payments.StatusFailed {
		e := &payments.Error{Code: payments.Declined, Provider: Name, HTTPStatus: resp.StatusCode,
			ProviderCode: doc.PaymentStatus, Message: declineMessage, Decline: p.Decline}
		return p, e
	}
	return p, nil
}

// checkAuthorizeAnswer compares a 2xx authorization with the request: the
// amount, currency and partnerReference must be the ones sent.
func checkAuthorizeAnswer(req *payments.AuthorizeRequest, p *payments.Payment) error {
	if !p.Amount.Equal(req.Amount) {
		return integrity(opAuthorize, fmt.Sprintf("the provider answered %s for a request of %s", p.Amount, req.Amount))
	}
	if p.Reference != req.Reference {
		return integrity(opAuthorize, fmt.Sprintf("the provider answered partnerReference %q for %q", p.Reference, req.Reference))
	}
	return nil
}

// Checkout is the result of CreateCheckout.
type Checkout struct {
	// TransactionID identifies the payment in later calls (Payment.ID).
	TransactionID string
	// CheckoutToken initializes the SmartPay widget in the buyer's browser.
	CheckoutToken string
	// RedirectURL is the hosted payment page, when the provider returns one.
	RedirectURL string
	// Payment is the payment, StatusRequiresAction.
	Payment *payments.Payment
}

// CreateCheckout creates a checkout (POST /payment/creation) for the
// SmartPay widget or hosted payment page: the Payment is
// StatusRequiresAction, its Action carries the checkout token (and the page
// URL when the provider returns one). The buyer's result is learned with
// Status or a notification. Authorize calls it for payments.HostedPage.
func (g *Gateway) CreateCheckout(ctx context.Context, req *payments.AuthorizeRequest) (*Checkout, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	opts := authorizeOptions(req)
	if len(opts.PaymentSplit) > 0 {
		return nil, payments.InvalidField("provider_options.payment_split", "smartpay does not support split payments on the hosted payment page")
	}
	body := creationRequest{MerchantKey: g.cfg.MerchantKey}
	if err := checkoutBody(&body.checkoutFields, req, opts, true); err != nil {
		return nil, err
	}
	return call(ctx, g, httpx.Call{Op: opCreation, Method: http.MethodPost, URL: g.urls.creation, Body: &body, Safety: httpx.MoneyMoving},
		func(resp *httpx.Response) (*Checkout, error) { return checkoutAnswer(req, resp) })
}

// checkoutAnswer maps the answer to a checkout creation.
func checkoutAnswer(req *payments.AuthorizeRequest, resp *httpx.Response) (*Checkout, error) {
	if !resp.OK() {
		return nil, apiError(opCreation, resp)
	}
	var cr creationResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, opCreation, resp, &cr); err != nil {
		return nil, err
	}
	if cr.TransactionID == "" {
		return nil, outcomeUnknown(opCreation, errors.New("the answer has no transactionId"))
	}
	token := cr.CheckoutToken
	if token == "" {
		token = cr.Token
	}
	action := &payments.Action{Type: payments.ActionDisplay, Token: token}
	if cr.RedirectURL != "" && absoluteURL(cr.RedirectURL) {
		action.Type, action.URL, action.Method = payments.ActionRedirect, cr.RedirectURL, http.MethodGet
	}
	p := &payments.Payment{
		ID:             cr.TransactionID,
		Reference:      req.Reference,
		Provider:       Name,
		Status:         payments.StatusRequiresAction,
		Amount:         req.Amount,
		Captured:       req.Amount.Zero(),
		Refunded:       req.Amount.Zero(),
		Action:         action,
		ProviderStatus: "CREATED",
		Raw:            redact.Decoded(resp.Body), // decoded whole by httpx.DecodeJSON; call strips the secrets
	}
	return &Checkout{TransactionID: cr.TransactionID, CheckoutToken: token, RedirectURL: cr.RedirectURL, Payment: p}, nil
}

// ---- request building --------------------------------------------------------

// checkoutBody validates the SmartPay requirements and fills f, the fields
// creation and authorization share (f is the request body's own: no copy).
// Every error names the neutral field.
func checkoutBody(f *checkoutFields, req *payments.AuthorizeRequest, opts *AuthorizeOptions, requireCustomer bool) error {
	if !partnerReferenceOK(req.Reference) {
		return payments.InvalidField("reference", "must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.', ':' for smartpay (partnerReference)")
	}
	amt, err := encodeAmount("amount", req.Amount)
	if err != nil {
		return err
	}
	desc := req.Description
	if desc == "" {
		desc = req.Reference
	}
	if err := maxLen("description", desc, 127); err != nil {
		return err
	}
	f.PartnerReference = req.Reference
	f.Payment = amountObject{Amount: amt, CurrencyCode: string(req.Amount.Currency), Description: desc}
	if req.BillingAddress == nil {
		return payments.InvalidField("billing_address", "required by smartpay")
	}
	if f.BillingAddress, err = encodeAddress("billing_address", req.BillingAddress, opts.HouseNumber); err != nil {
		return err
	}
	if req.ShippingAddress != nil {
		if f.ShippingAddress, err = encodeAddress("shipping_address", req.ShippingAddress, opts.ShippingHouseNumber); err != nil {
			return err
		}
	}
	if err := encodeCustomer(f, req.Customer, opts, requireCustomer); err != nil {
		return err
	}
	if opts.ShopCountry != "" {
		if _, ok := iso3166.Alpha3(opts.ShopCountry); !ok {
			return payments.InvalidField("provider_options.shop_country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", opts.ShopCountry))
		}
		f.ShopCountry = opts.ShopCountry
	}
	if err := maxLen("provider_options.customer_account_id", opts.CustomerAccountID, 255); err != nil {
		return err
	}
	f.CustomerAccountID = opts.CustomerAccountID
	if opts.CustomReferences != ([3]string{}) {
		for i, r := range opts.CustomReferences {
			if err := maxLen(fmt.Sprintf("provider_options.custom_references[%d]", i), r, 255); err != nil {
				return err
			}
		}
		f.CustomReferences = &customReferences{opts.CustomReferences[0], opts.CustomReferences[1], opts.CustomReferences[2]}
	}
	if opts.ProductGroup != "" {
		if err := maxLen("provider_options.product_group", opts.ProductGroup, 100); err != nil {
			return err
		}
		f.ExtraInfo = &extraInfo{ProductGroup: opts.ProductGroup}
	}
	if err := maxLen("provider_options.target_merchant_account_reference", opts.TargetMerchantAccountReference, 127); err != nil {
		return err
	}
	f.TargetMerchantAccountReference = opts.TargetMerchantAccountReference
	if len(req.Metadata) > 0 {
		keys := make([]string, 0, len(req.Metadata))
		for k := range req.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "" || utf8.RuneCountInString(k) > 50 {
				return payments.InvalidField("metadata", fmt.Sprintf("key %q must be 1 to 50 characters for smartpay (criteria.name)", k))
			}
			if tooLong(req.Metadata[k], 100) {
				return tooLongErr("metadata."+k, 100)
			}
			f.Criteria = append(f.Criteria, criterion{Name: k, Value: req.Metadata[k]})
		}
	}
	if len(opts.PaymentSplit) > 0 {
		ps := &paymentSplit{}
		for i, d := range opts.PaymentSplit {
			path := fmt.Sprintf("provider_options.payment_split[%d]", i)
			if d.DestinationReference == "" {
				return payments.InvalidField(path+".destination_reference", "required by smartpay")
			}
			if err := maxLen(path+".destination_reference", d.DestinationReference, 127); err != nil {
				return err
			}
			if d.Description == "" {
				return payments.InvalidField(path+".description", "required by smartpay")
			}
			if err := maxLen(path+".description", d.Description, 127); err != nil {
				return err
			}
			if d.Amount.Currency != req.Amount.Currency {
				return payments.InvalidField(path+".amount.currency", "must be the payment's currency")
			}
			if !d.Amount.IsPositive() {
				return payments.InvalidField(path+".amount", "must be greater than zero")
			}
			a, err := encodeAmount(path+".amount", d.Amount)
			if err != nil {
				return err
			}
			ps.PaymentSplitDestinations = append(ps.PaymentSplitDestinations, splitDestination{
				DestinationReference: d.DestinationReference, Amount: a, CurrencyCode: string(d.Amount.Currency), Description: d.Description,
			})
		}
		f.PaymentSplit = ps
	}
	return nil
}

// encodeAmount renders m in the wire form ("49.99"). Only currencies with
// two decimals can be expressed; a finer amount is an error, never rounded.
func encodeAmount(field string, m payments.Money) (wireAmount, error) {
	exp, err := m.Currency.Exponent()
	if err != nil {
		return "", payments.InvalidField(field+".currency", fmt.Sprintf("%q is not an ISO 4217 code", m.Currency))
	}
	if exp != 2 {
		return "", &payments.Error{Code: payments.Unsupported, Provider: Name, Field: field + ".currency",
			Message: fmt.Sprintf("smartpay amounts have exactly two decimals; %s has %d", m.Currency, exp)}
	}
	if m.Amount.IsNegative() {
		return "", payments.InvalidField(field, "must not be negative")
	}
	if !m.Amount.Equal(m.Amount.Truncate(2)) {
		return "", payments.InvalidField(field, fmt.Sprintf("%s has more than two decimals", m.Amount.String()))
	}
	s := m.Amount.StringFixed(2)
	if !amountPattern(s) {
		return "", payments.InvalidField(field, fmt.Sprintf("%s does not fit smartpay's amount format (at most 18 integer digits)", s))
	}
	return wireAmount(s), nil
}

// partnerReferenceOK checks ^[a-zA-Z0-9\-_\.:]+$ and ≤ 64.
func partnerReferenceOK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func maxLen(field, v string, n int) error {
	if tooLong(v, n) {
		return tooLongErr(field, n)
	}
	return nil
}

// tooLong reports more than n characters (runes) in v.
func tooLong(v string, n int) bool {
	return len(v) > n && utf8.RuneCountInString(v) > n // a rune is at least a byte
}

func tooLongErr(field string, n int) error {
	return payments.InvalidField(field, fmt.Sprintf("longer than %d characters (smartpay limit)", n))
}

// encodeAddress converts a neutral address; the country goes out as
// ISO 3166-1 alpha-3 (never empty: the address is never the zero value).
func encodeAddress(field string, a *payments.Address, number string) (address, error) {
	alpha3, ok := iso3166.Alpha3(a.Country)
	if !ok {
		return address{}, payments.InvalidField(field+".country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", a.Country))
	}
	out := address{
		AddressLine1: a.Line1, AddressLine2: a.Line2, Number: number,
		City: a.City, PostCode: a.PostalCode, CountryCode: alpha3, State: a.State,
	}
	for _, c := range []struct {
		name, val string
		max       int
		required  bool
	}{
		{"line1", a.Line1, 60, true},
		{"line2", a.Line2, 60, false},
		{"city", a.City, 50, true},
		{"postal_code", a.PostalCode, 10, true},
		{"state", a.State, 3, alpha3 == "USA" || alpha3 == "CAN"},
	} {
		if c.required && strings.TrimSpace(c.val) == "" {
			return address{}, payments.InvalidField(field+"."+c.name, "required by smartpay")
		}
		if tooLong(c.val, c.max) { // the field name is built for the error only
			return address{}, tooLongErr(field+"."+c.name, c.max)
		}
	}
	numberField := "provider_options.house_number"
	if field == "shipping_address" {
		numberField = "provider_options.shipping_house_number"
	}
	if err := maxLen(numberField, number, 10); err != nil {
		return address{}, err
	}
	return out, nil
}

// encodeCustomer fills consumer or businessConsumer, never both.
func encodeCustomer(f *checkoutFields, c *payments.Customer, opts *AuthorizeOptions, required bool) error {
	if c == nil {
		if required {
			return payments.InvalidField("customer", "required by smartpay (consumer or businessConsumer)")
		}
		return nil
	}
	if err := maxLen("provider_options.culture", opts.Culture, 5); err != nil {
		return err
	}
	if c.Email == "" {
		return payments.InvalidField("customer.email", "required by smartpay")
	}
	if err := maxLen("customer.email", c.Email, 255); err != nil {
		return err
	}
	if c.Company != nil {
		// businessConsumer has no date of birth nor phone: a buyer with
		// those and a company is both kinds, which SmartPay refuses.
		if c.BirthDate != "" || c.Phone != "" {
			return payments.InvalidField("customer", "smartpay takes a consumer or a businessConsumer, never both: with customer.company set, leave customer.birth_date and customer.phone empty")
		}
		if err := maxLen("customer.company.name", c.Company.Name, 100); err != nil {
			return err
		}
		if err := maxLen("customer.company.registration_number", c.Company.RegistrationNumber, 50); err != nil {
			return err
		}
		if err := maxLen("customer.company.vat_id", c.Company.VATID, 30); err != nil {
			return err
		}
		if err := maxLen("provider_options.company_type", opts.CompanyType, 100); err != nil {
			return err
		}
		b := businessConsumer{
			CompanyName: c.Company.Name, CompanyType: opts.CompanyType, EmailAddress: c.Email,
			TaxID: c.Company.VATID, Culture: opts.Culture, CompanyRegistrationNumber: c.Company.RegistrationNumber,
		}
		if opts.CompanyRegistrationCountry != "" {
			a3, ok := iso3166.Alpha3(opts.CompanyRegistrationCountry)
			if !ok {
				return payments.InvalidField("provider_options.company_registration_country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", opts.CompanyRegistrationCountry))
			}
			b.CompanyRegistrationCountryCode = a3
		}
		f.BusinessConsumer = b
		return nil
	}
	if strings.TrimSpace(c.FirstName) == "" {
		return payments.InvalidField("customer.first_name", "required by smartpay")
	}
	if strings.TrimSpace(c.LastName) == "" {
		return payments.InvalidField("customer.last_name", "required by smartpay")
	}
	for _, x := range []struct{ field, val string }{{"customer.first_name", c.FirstName}, {"customer.last_name", c.LastName}} {
		if err := maxLen(x.field, x.val, 60); err != nil {
			return err
		}
	}
	if err := maxLen("customer.phone", c.Phone, 30); err != nil {
		return err
	}
	if c.BirthDate != "" && c.BirthDate < "1900-01-01" {
		return payments.InvalidField("customer.birth_date", "must not be before 1900-01-01 for smartpay")
	}
	f.Consumer = consumer{
		FirstName: c.FirstName, LastName: c.LastName, EmailAddress: c.Email,
		MobilePhone: c.Phone, DateOfBirth: c.BirthDate, Culture: opts.Culture,
	}
	return nil
}

// ---- Status ------------------------------------------------------------------

// Status queries GET /payment/status/{transactionId}. It needs req.ID:
// SmartPay documents no lookup by partnerReference (Capabilities says
// LookupByReference false), so a Reference alone is ErrUnsupported.
func (g *Gateway) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, withProvider(err)
	}
	if req.ID == "" {
		return nil, &payments.Error{Code: payments.Unsupported, Provider: Name, Field: "id",
			Message: "smartpay documents no lookup by merchant reference: the transactionId is required"}
	}
	if err := checkID(req.ID); err != nil {
		return nil, err
	}
	return g.status(ctx, req.ID)
}

func (g *Gateway) status(ctx context.Context, id string) (*payments.Payment, error) {
	a, err := g.statusDoc(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return a.p, nil
}

// statusAnswer is the mapped answer of a status query: the payment, the
// document it was read from and, when asked for, the PaymentDetails. The
// Response stays with it so that what is built from doc later (a
// notification's Refund) can be scrubbed too.
type statusAnswer struct {
	p       *payments.Payment
	doc     *paymentDoc
	details *PaymentDetails
	resp    *httpx.Response
}

// statusDoc fetches and maps the payment document. With details, the
// answer's PaymentDetails are read too (from the same body).
func (g *Gateway) statusDoc(ctx context.Context, id string, details bool) (*statusAnswer, error) {
	return call(ctx, g, httpx.Call{Op: opStatus, Method: http.MethodGet, URL: g.urls.status + url.PathEscape(id), Safety: httpx.Query},
		func(resp *httpx.Response) (*statusAnswer, error) { return g.statusAnswer(id, details, resp) })
}

// statusAnswer maps the answer to a status query.
func (g *Gateway) statusAnswer(id string, details bool, resp *httpx.Response) (*statusAnswer, error) {
	if !resp.OK() {
		return nil, apiError(opStatus, resp)
	}
	var doc paymentDoc
	if err := httpx.DecodeJSON(Name, httpx.Query, opStatus, resp, &doc); err != nil {
		return nil, err
	}
	var det *detailsDoc
	if details {
		det = &detailsDoc{}
		if err := httpx.DecodeJSON(Name, httpx.Query, opStatus, resp, det); err != nil {
			return nil, err
		}
	}
	p, err := g.toPayment(&doc, resp.Body) // decoded whole
	if err != nil {
		return nil, integrityErr(opStatus, err)
	}
	if p.ID != id {
		return nil, integrity(opStatus, fmt.Sprintf("asked for transaction %q, the provider answered %q", id, p.ID))
	}
	a := &statusAnswer{p: p, doc: &doc, resp: resp}
	if det != nil {
		a.details = detailsOf(p, &doc, det, resp.Secrets)
	}
	return a, nil
}

// checkID checks a transactionId before it goes into a URL or body.
func checkID(id string) error {
	if len(id) > 36 {
		return payments.InvalidField("id", "longer than 36 characters (smartpay transactionId)")
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return payments.InvalidField("id", "must be printable ASCII without spaces (smartpay transactionId)")
		}
	}
	return nil
}

// ---- shared plumbing ---------------------------------------------------------

// do sends a call with the configured authentication. With OAuth, a 401
// drops the cached token and the call is sent once more with a fresh one
// (a 401 means nothing was processed).
func (g *Gateway) do(ctx context.Context, call httpx.Call) (*httpx.Response, error) {
	if g.tokens == nil {
		return g.client.Do(ctx, call)
	}
	for attempt := 0; ; attempt++ {
		tok, err := g.tokens.token(ctx)
		if err != nil {
			return nil, err
		}
		call.Authorization = "Bearer " + tok
		resp, err := g.client.Do(ctx, call)
		if err != nil || resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp, err
		}
		g.tokens.invalidate(tok)
	}
}

// withProvider stamps the driver name on a validation error.
func withProvider(err error) error {
	var pe *payments.Error
	if errors.As(err, &pe) && pe.Provider == "" {
		pe.Provider = Name
	}
	return err
}

func integrity(op, msg string) *payments.Error {
	return &payments.Error{Code: payments.Integrity, Provider: Name, Message: op + ": " + msg}
}

func integrityErr(op string, err error) *payments.Error {
	var pe *payments.Error
	if errors.As(err, &pe) && pe.Code == payments.Integrity {
		return pe
	}
	return &payments.Error{Code: payments.Integrity, Provider: Name, Message: op + ": unusable answer", Err: err}
}

func outcomeUnknown(op string, err error) *payments.Error {
	return &payments.Error{Code: payments.OutcomeUnknown, Provider: Name,
		Message: op + ": the provider answered 2xx with an unusable body; it may have processed the request: reconcile with Status", Err: err}
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("smartpay: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
