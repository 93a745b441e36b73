package smart2pay

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// Name is the driver name: Gateway.Name, Payment.Provider and Error.Provider.
const Name = "smart2pay"

// The documented GlobalPay hosts.
const (
	// TestBaseURL is the test host of the alternative payment methods API.
	TestBaseURL = "https://paytest.smart2pay.com"
	// LiveBaseURL is the live host of the alternative payment methods API.
	LiveBaseURL = "https://globalpay.smart2pay.com"
	// TestCardBaseURL is the test host of the direct card API.
	TestCardBaseURL = "https://securetest.smart2pay.com"
	// LiveCardBaseURL is the live host of the direct card API.
	LiveCardBaseURL = "https://secure.smart2pay.com"
)

// DefaultTimeout bounds one HTTP attempt when Config.Timeout is zero. The
// GlobalPay document names no timeout: this is a conservative default of
// this library, the same as the SmartPayments driver's.
const DefaultTimeout = 60 * time.Second

// Config configures a Gateway. SiteID and APIKey are required.
type Config struct {
	// SiteID is the GlobalPay site ID, the user name of Basic authentication.
	SiteID int64
	// APIKey is the site's API key, the password of Basic authentication.
	// It never prints (payments.Secret).
	APIKey payments.Secret
	// CardSiteID and CardAPIKey are the direct card host's credentials when
	// the merchant has a separate site there (the document's examples use
	// site 30201 on one host and 1010 on the other). Zero values use SiteID
	// and APIKey.
	CardSiteID int64
	// CardAPIKey: see CardSiteID.
	CardAPIKey payments.Secret
	// Live selects the live hosts (globalpay / secure.smart2pay.com);
	// otherwise the test hosts (paytest / securetest.smart2pay.com).
	Live bool
	// BaseURL overrides the alternative payment methods host, e.g. a
	// simulator's URL.
	BaseURL string
	// CardBaseURL overrides the direct card host.
	CardBaseURL string
	// HTTPClient replaces the HTTP transport (proxies, cassettes,
	// simulators). nil uses a client with sensible timeouts. It is never
	// modified: the driver uses a copy that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds one HTTP attempt, with HTTPClient or without it
	// (default DefaultTimeout).
	Timeout time.Duration
	// Logger receives debug logs of every HTTP attempt, with card data and
	// credentials scrubbed. nil logs nothing.
	Logger *slog.Logger
}

// Gateway is the Smart2Pay GlobalPay driver. It implements payments.Gateway
// and adds GlobalPay's own features (ListPayments, CardStatus, Refunds,
// RefundByID, CardRefundStatus). It is safe for concurrent use.
type Gateway struct {
	apmURL, cardURL   string
	apmAuth, cardAuth string // Authorization header values
	// apmAuthBytes and cardAuthBytes are apmAuth and cardAuth, for the
	// constant-time comparisons of Notify.
	apmAuthBytes, cardAuthBytes []byte
	client                      *httpx.Client
	// cfg is the configuration, for the safe printing of the Gateway only.
	cfg Config
}

var _ payments.Gateway = (*Gateway)(nil)

// New checks cfg and builds a Gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.SiteID <= 0 {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "SiteID", Message: "SiteID is required (a positive integer)"}
	}
	if cfg.APIKey == "" {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "APIKey", Message: "APIKey is required"}
	}
	if cfg.CardSiteID < 0 {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "CardSiteID", Message: "CardSiteID must be positive"}
	}
	if (cfg.CardSiteID == 0) != (cfg.CardAPIKey == "") {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: "CardSiteID", Message: "CardSiteID and CardAPIKey go together"}
	}
	apmURL, cardURL := TestBaseURL, TestCardBaseURL
	if cfg.Live {
		apmURL, cardURL = LiveBaseURL, LiveCardBaseURL
	}
	if cfg.BaseURL != "" {
		apmURL = cfg.BaseURL
	}
	if cfg.CardBaseURL != "" {
		cardURL = cfg.CardBaseURL
	}
	for _, u := range []struct{ field, v string }{{"BaseURL", apmURL}, {"CardBaseURL", cardURL}} {
		pu, err := url.Parse(u.v)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil {
			return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Field: u.field, Message: u.field + " must be an absolute http(s) URL without credentials"}
		}
	}
	cardSite, cardKey := cfg.SiteID, cfg.APIKey
	if cfg.CardSiteID != 0 {
		cardSite, cardKey = cfg.CardSiteID, cfg.CardAPIKey
	}
	apmAuth, cardAuth := basicAuth(cfg.SiteID, cfg.APIKey.Reveal()), basicAuth(cardSite, cardKey.Reveal())
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	g := &Gateway{
		cfg:           cfg,
		apmURL:        strings.TrimRight(apmURL, "/"),
		cardURL:       strings.TrimRight(cardURL, "/"),
		apmAuth:       apmAuth,
		cardAuth:      cardAuth,
		apmAuthBytes:  []byte(apmAuth),
		cardAuthBytes: []byte(cardAuth),
		client: httpx.New(httpx.Config{
			Provider:   Name,
			HTTPClient: cfg.HTTPClient,
			Timeout:    cfg.Timeout,
			Logger:     cfg.Logger,
			Retry:      httpx.DefaultRetry,
		}),
	}
	// Both sites' keys are stripped from every answer's texts and logs:
	// a provider may echo either.
	creds := &redact.Known{}
	creds.AddText(cfg.APIKey.Reveal())
	creds.AddText(cfg.CardAPIKey.Reveal())
	g.client.AddSecrets(creds)
	return g, nil
}

// basicAuth is GlobalPay's Authorization header: Basic base64(SiteID:APIKey).
func basicAuth(siteID int64, apiKey string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(siteID, 10)+":"+apiKey))
}

// Name returns "smart2pay".
func (g *Gateway) Name() string { return Name }

// Capabilities reports what GlobalPay supports, from its documentation:
// cards on the direct card host (authorize and capture later, one partial
// capture, cancel), alternative methods and the hosted payment page on the
// other host, refunds (partial, several per payment), look-up by
// MerchantTransactionID, and notifications verified by the site's
// credentials. 3-D Secure is not declared: the document describes no
// challenge flow (a card answer with a RedirectURL is still returned as
// RequiresAction with a redirect Action), and the card API's challenge calls
// (POST /v1/payments/{id}/challenge/accept and /reject, named by the
// provider's SDK, PROVIDERS.md §2) are not implemented: no document says who
// calls them, when, with what body or what they answer. A card payment in
// 30 PendingChallengeConfirmation is RequiresAction (with the redirect
// Action when it has a RedirectURL). Recurring payments are not supported
// either (an AuthorizeRequest with Recurring set is ErrUnsupported): the SDK
// names POST /v1/payments/recurrent, but no document defines it.
func (g *Gateway) Capabilities() payments.Capabilities {
	return payments.Capabilities{
		Methods:           []payments.MethodKind{payments.KindCard, payments.KindHostedPage, payments.KindProviderMethod},
		TwoStep:           true,
		Cancel:            true,
		PartialCapture:    true,
		MultipleCaptures:  false, // "You can perform only one partial capture"
		Refund:            true,
		PartialRefund:     true,
		MultipleRefunds:   true,
		ThreeDS:           false,
		LookupByReference: true,
		// The status answer says that a payment was refunded (21, 22, 16)
		// but carries no refunded amount (seed 002_c6b29c27df04218d.txt
		// l.924-959, l.1315-1324; PROVIDERS.md §2): a Router applies its
		// refund ledger.
		RefundsInStatus: false,
		// No idempotency key: capture, cancel and refund are never retried
		// after they may have been sent.
		IdempotentModifications: false,
		Payouts:                 false,
		Notifications:           payments.VerifiedCredentials,
	}
}

func (g *Gateway) base(a api) string {
	if a == apiCard {
		return g.cardURL
	}
	return g.apmURL
}

func (g *Gateway) auth(a api) string {
	if a == apiCard {
		return g.cardAuth
	}
	return g.apmAuth
}

// merchantTxRe is the documented format of a MerchantTransactionID.
var merchantTxRe = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,50}$`)

const merchantTxRule = "must be 1 to 50 letters, digits, '_' or '-' (the Smart2Pay MerchantTransactionID format)"

// ---- Authorize ----

// AuthorizeOptions are GlobalPay-specific Authorize options; pass a
// *AuthorizeOptions (or an AuthorizeOptions) in
// AuthorizeRequest.ProviderOptions.
type AuthorizeOptions struct {
	// TokenLifetime is Payment.TokenLifetime: how long the customer's
	// payment page (RedirectURL) stays valid (the document's example sends
	// 10; GlobalPay counts minutes). Alternative methods only; 0 leaves
	// GlobalPay's default.
	TokenLifetime int64
	// MethodOptionID is Payment.MethodOptionID (e.g. a bank within a
	// method). Alternative methods only.
	MethodOptionID int64
	// IncludeMethodIDs, ExcludeMethodIDs and PrioritizeMethodIDs narrow and
	// order the methods of the hosted payment page. Alternative methods only.
	IncludeMethodIDs    []int64
	ExcludeMethodIDs    []int64
	PrioritizeMethodIDs []int64
	// SkinID is Payment.SkinID, the look of the payment page.
	SkinID int64
	// StatementDescriptor is Payment.StatementDescriptor, the text on the
	// card statement. Direct card only.
	StatementDescriptor string
	// MerchantCustomerID is Payment.Customer.MerchantCustomerID.
	MerchantCustomerID string
	// Articles is Payment.Articles, the order lines that some methods
	// require (Klarna, for one: its payments in the document carry them).
	// Sent on either host; nil sends none.
	Articles []Article
}

// Article is one entry of Payment.Articles, spelled as the document's
// answers show it (seed 002_c6b29c27df04218d.txt l.402–412 and l.648–658:
// MerchantArticleID "1231", Name "TEST", Quantity 1, Price 1000, VAT 1000,
// Discount 200, Type 1, on a payment of Amount 980). The document prints
// that one example and defines neither units nor codes, so the driver sends
// the values as given and checks only that none is negative and Quantity is
// at least 1. Read against the example's Amount, Price looks like minor
// units as Amount is, and VAT and Discount like hundredths of a percent
// (1000 less 2.00 % is 980, VAT 10.00 % included), but that is an inference
// from one example, not a definition; the values of Type are not documented.
type Article struct {
	MerchantArticleID string
	Name              string
	Quantity          int64
	Price             int64
	VAT               int64
	Discount          int64
	Type              int64
}

// wireArticles checks the Articles option and converts it.
func wireArticles(as []Article) ([]wireArticle, error) {
	if as == nil {
		return nil, nil
	}
	out := make([]wireArticle, len(as))
	for i, x := range as {
		field := fmt.Sprintf("provider_options.articles[%d]", i)
		switch {
		case x.Quantity < 1:
			return nil, payments.InvalidField(field+".quantity", "must be at least 1")
		case x.Price < 0 || x.VAT < 0 || x.Discount < 0 || x.Type < 0:
			return nil, payments.InvalidField(field, "Price, VAT, Discount and Type must not be negative")
		}
		out[i] = wireArticle(x)
	}
	return out, nil
}

// authorizeOptions returns a copy of the first AuthorizeOptions in opts, or
// the zero options.
func authorizeOptions(opts []any) AuthorizeOptions {
	for _, o := range opts {
		switch v := o.(type) {
		case *AuthorizeOptions:
			if v != nil {
				return *v
			}
		case AuthorizeOptions:
			return v
		}
	}
	return AuthorizeOptions{}
}

// buildPayment validates req against GlobalPay's own rules and builds the
// POST /v1/payments body and the host it goes to.
func buildPayment(req *payments.AuthorizeRequest) (*paymentEnvelope, api, error) {
	if !merchantTxRe.MatchString(req.Reference) {
		return nil, 0, payments.InvalidField("reference", merchantTxRule)
	}
	minor, err := req.Amount.Minor()
	if err != nil {
		return nil, 0, err
	}
	if req.Recurring != nil {
		return nil, 0, &payments.Error{Code: payments.Unsupported, Provider: Name, Field: "recurring",
			Message: "smart2pay recurring payments are not implemented: the provider's SDK names POST /v1/payments/recurrent (PROVIDERS.md §2) but no document defines its body or answer"}
	}
	opts := authorizeOptions(req.ProviderOptions)
	articles, err := wireArticles(opts.Articles)
	if err != nil {
		return nil, 0, err
	}
	w := wirePaymentRequest{
		MerchantTransactionID: req.Reference,
		Amount:                minor,
		Currency:              string(req.Amount.Currency),
		Description:           req.Description,
		Articles:              articles,
	}
	a := apiAlternative
	switch {
	case isMethod[payments.Card](req.Method):
		card, _ := payments.MethodAs[payments.Card](req.Method)
		a = apiCard
		if strings.TrimSpace(card.Holder) == "" {
			return nil, 0, payments.InvalidField("method.holder", "required by smart2pay (Card.HolderName)")
		}
		w.Card = &wireCardReq{
			HolderName:      card.Holder,
			Number:          card.Number.Digits(),
			ExpirationMonth: card.Month2(),
			ExpirationYear:  card.Year4(),
			SecurityCode:    string(card.CVV),
		}
		capture := req.Capture
		w.Capture = &capture
	case isMethod[payments.ProviderMethod](req.Method):
		pm, _ := payments.MethodAs[payments.ProviderMethod](req.Method)
		id, err := strconv.ParseInt(pm.ID, 10, 64)
		if err != nil || id <= 0 {
			return nil, 0, payments.InvalidField("method.id", fmt.Sprintf("%q is not a Smart2Pay MethodID (a positive integer)", pm.ID))
		}
		w.MethodID = &id
	case isMethod[payments.HostedPage](req.Method):
		// No MethodID: the customer picks a method on GlobalPay's page.
	default:
		return nil, 0, &payments.Error{Code: payments.Unsupported, Provider: Name, Field: "method",
			Message: fmt.Sprintf("smart2pay does not support %s payments (cards, hosted page and Smart2Pay MethodIDs only)", req.Method.Kind())}
	}
	w.ReturnURL = returnURL(req.ReturnURLs)
	if a == apiAlternative {
		if w.ReturnURL == "" {
			return nil, 0, payments.InvalidField("return_urls.success", "required by smart2pay for alternative methods and the hosted page (Payment.ReturnURL)")
		}
		// GlobalPay settles an alternative method as soon as the customer
		// pays unless told otherwise: Capture is sent only to ask for an
		// authorization (Klarna, Paysafecard, ...).
		if !req.Capture {
			f := false
			w.Capture = &f
		}
		if opts.TokenLifetime < 0 || opts.MethodOptionID < 0 {
			return nil, 0, payments.InvalidField("provider_options", "TokenLifetime and MethodOptionID must not be negative")
		}
		if opts.TokenLifetime > 0 {
			v := opts.TokenLifetime
			w.TokenLifetime = &v
		}
		if opts.MethodOptionID > 0 {
			v := opts.MethodOptionID
			w.MethodOptionID = &v
		}
		w.IncludeMethodIDs, w.ExcludeMethodIDs, w.PrioritizeMethodIDs = opts.IncludeMethodIDs, opts.ExcludeMethodIDs, opts.PrioritizeMethodIDs
		if opts.StatementDescriptor != "" {
			return nil, 0, payments.InvalidField("provider_options.statement_descriptor", "accepted by the smart2pay direct card API only")
		}
	} else {
		if opts.TokenLifetime != 0 || opts.MethodOptionID != 0 || len(opts.IncludeMethodIDs)+len(opts.ExcludeMethodIDs)+len(opts.PrioritizeMethodIDs) > 0 {
			return nil, 0, payments.InvalidField("provider_options", "TokenLifetime, MethodOptionID and the method lists apply to alternative methods only, not to smart2pay card payments")
		}
		w.StatementDescriptor = opts.StatementDescriptor
	}
	if opts.SkinID < 0 {
		return nil, 0, payments.InvalidField("provider_options", "SkinID must not be negative")
	}
	if opts.SkinID > 0 {
		v := opts.SkinID
		w.SkinID = &v
	}
	if c := req.Customer; c != nil || opts.MerchantCustomerID != "" {
		wc := &wireCustomerReq{MerchantCustomerID: opts.MerchantCustomerID}
		if c != nil {
			wc.Email, wc.FirstName, wc.LastName, wc.Phone = c.Email, c.FirstName, c.LastName, c.Phone
			if c.Company != nil {
				wc.Company = c.Company.Name
			}
			w.ClientIP = c.IP
		}
		if *wc != (wireCustomerReq{}) {
			w.Customer = wc
		}
	}
	// The document recommends sending the billing country: GlobalPay
	// otherwise guesses it from the customer's IP.
	w.BillingAddress = wireAddress(req.BillingAddress)
	w.ShippingAddress = wireAddress(req.ShippingAddress)
	return &paymentEnvelope{Payment: w}, a, nil
}

func isMethod[T payments.PaymentMethod](m payments.PaymentMethod) bool {
	_, ok := payments.MethodAs[T](m)
	return ok
}

// returnURL picks GlobalPay's single ReturnURL: the success URL, else the
// failure or cancel URL. GlobalPay tells the outcome apart with the data
// parameter it appends (see ParseReturn).
func returnURL(u payments.ReturnURLs) string {
	for _, s := range []string{u.Success, u.Failure, u.Cancel} {
		if s != "" {
			return s
		}
	}
	return ""
}

// wireAddress maps a neutral address: Line1 (and Line2, after a comma) to
// Street, PostalCode to ZipCode, Country as ISO 3166-1 alpha-2.
func wireAddress(a *payments.Address) *wireAddressReq {
	if a == nil {
		return nil
	}
	street := a.Line1
	if a.Line2 != "" {
		if street != "" {
			street += ", "
		}
		street += a.Line2
	}
	return &wireAddressReq{City: a.City, ZipCode: a.PostalCode, State: a.State, Street: street, Country: a.Country}
}

// Authorize creates a GlobalPay payment (POST /v1/payments). A Card goes to
// the direct card host with Capture as requested (false leaves the payment
// 9 Authorized). A ProviderMethod (a GlobalPay MethodID) or the HostedPage
// goes to the alternative-methods host and comes back RequiresAction with a
// redirect Action (and the QR code or bank details GlobalPay gives).
//
// A declined card returns the Payment (StatusFailed, Decline set) with an
// ErrDeclined error; an answer whose amount, currency or reference differs
// from the request is ErrIntegrity. A 4xx answer that carries a payment
// GlobalPay created (an ID and a Status.ID) is that payment, classified by
// its status as a 201 answer would be; a 4xx that created nothing is an
// error, never retryable or cascadable on the strength of its return code
// alone unless the code says the provider is unavailable (16, 125).
func (g *Gateway) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body, a, err := buildPayment(req)
	if err != nil {
		return nil, err
	}
	const op = "authorize"
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.base(a) + "/v1/payments",
		Body: body, Authorization: g.auth(a), Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		ae := errorFromResponse(op, httpx.MoneyMoving, resp)
		if w := createdPayment(ae, req); w != nil {
			// GlobalPay created the payment and says so, whatever the
			// reason code: it is this call's payment, reported by its
			// status like a 201 answer. Dropping it for the error would
			// let a caller (or a Router) charge the customer again.
			p, err := convertPayment(a, w)
			if err != nil {
				return nil, resp.CleanError(&payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode, ProviderCode: ae.err.ProviderCode,
					Message: op + ": the answer names payment " + w.ID.String() + " but " + err.Error() + "; reconcile with Status by reference", Err: ae.err})
			}
			p.Raw = resp.CleanJSON(resp.Body)
			p, err = g.created(op, p, req, resp.StatusCode)
			return resp.CleanPayment(p), resp.CleanError(err)
		}
		if ae.err.Code == payments.Declined {
			p := &payments.Payment{Provider: Name, Reference: req.Reference, Status: payments.StatusFailed,
				Amount: req.Amount, Captured: req.Amount.Zero(), Refunded: req.Amount.Zero(), Decline: ae.err.Decline, Raw: resp.CleanJSON(resp.Body)}
			if ae.payment != nil {
				if id, ok := numInt64(ae.payment.ID); ok {
					p.ID = formatID(a, id)
				}
				if ae.payment.Status != nil && ae.payment.Status.ID != nil {
					if n, ok := numInt64(ae.payment.Status.ID); ok {
						_, p.ProviderStatus = MapStatus(int(n), str(ae.payment.Status.Info))
					}
				}
			}
			return p, ae.err
		}
		return nil, ae.err
	}
	p, _, err := g.decodePayment(op, httpx.MoneyMoving, a, resp)
	if err != nil {
		return nil, err
	}
	return g.created(op, p, req, resp.StatusCode)
}

// created checks the payment an Authorize answer describes against the
// request and classifies it by its status: a failed payment is ErrDeclined,
// any other status is the result.
func (g *Gateway) created(op string, p *payments.Payment, req *payments.AuthorizeRequest, httpStatus int) (*payments.Payment, error) {
	if err := checkPayment(op, p, req.Reference, &req.Amount); err != nil {
		return p, err
	}
	if p.ID == "" {
		return p, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: httpStatus,
			Message: op + ": the answer has no payment ID; reconcile with Status by reference"}
	}
	if p.Status == payments.StatusFailed {
		return p, declinedError(op, p, httpStatus)
	}
	return p, nil
}

// createdPayment returns the payment a 4xx answer to POST /v1/payments
// carries when GlobalPay did create one: the answer has a payment ID and a
// Status.ID. The document's refusals of a request that created nothing have
// both null (seed 002_c6b29c27df04218d.txt l.195–248 and l.278–325); a
// payment with both exists whatever the reason code (14 generic error, 15
// unable to process, 16 try later, 125 bank offline, ...), so the caller
// gets it rather than an error that would invite a second charge. A
// duplicated MerchantTransactionID (code 20) is not this call's payment and
// stays ErrDuplicate. When the answer leaves MerchantTransactionID, or Amount
// and Currency, null (as the document's capture and cancel refusals do,
// l.538–540), they are the request's: GlobalPay created the payment from it.
func createdPayment(ae apiError, req *payments.AuthorizeRequest) *wirePayment {
	w := ae.payment
	if w == nil || w.ID == nil || w.Status == nil || w.Status.ID == nil || ae.err.Code == payments.Duplicate {
		return nil
	}
	if id, ok := numInt64(w.ID); !ok || id <= 0 {
		return nil
	}
	c := *w
	if c.MerchantTransactionID == nil {
		ref := req.Reference
		c.MerchantTransactionID = &ref
	}
	if c.Amount == nil && c.Currency == nil {
		minor, err := req.Amount.Minor()
		if err != nil {
			return nil
		}
		n, cur := json.Number(strconv.FormatInt(minor, 10)), string(req.Amount.Currency)
		c.Amount, c.Currency = &n, &cur
	}
	return &c
}

// declinedError is the ErrDeclined error of a payment GlobalPay answered
// with status 4 Failed or 12 Rejected.
func declinedError(op string, p *payments.Payment, httpStatus int) *payments.Error {
	e := &payments.Error{Code: payments.Declined, Provider: Name, Decline: p.Decline, HTTPStatus: httpStatus,
		Message: op + ": payment " + p.ProviderStatus}
	if p.Decline != nil {
		e.ProviderCode = p.Decline.Code
		if p.Decline.Message != "" {
			e.Message += ": " + p.Decline.Message
		}
	}
	return e
}

// checkPayment compares a money-moving answer with the request: the same
// reference and, when given, the same amount and currency.
func checkPayment(op string, p *payments.Payment, reference string, amount *payments.Money) error {
	if reference != "" && p.Reference != reference {
		return integrityError(op, "the answer is for MerchantTransactionID %q, not %q", p.Reference, reference)
	}
	if amount != nil && !p.Amount.Equal(*amount) {
		return integrityError(op, "the answer is for %s, the request for %s", p.Amount, *amount)
	}
	return nil
}

// decodePayment reads a 2xx {"Payment": {...}} answer from host a.
func (g *Gateway) decodePayment(op string, safety httpx.Safety, a api, resp *httpx.Response) (*payments.Payment, *wirePayment, error) {
	var env paymentResponse
	if err := httpx.DecodeJSON(Name, safety, op, resp, &env); err != nil {
		return nil, nil, err
	}
	p, err := convertPayment(a, env.Payment)
	if err != nil {
		return nil, nil, resp.CleanError(malformed(op, safety, resp.StatusCode, err))
	}
	// DecodeJSON decoded the whole body: it is valid JSON. The provider's
	// texts (Raw, the decline's reasons) lose the call's secrets.
	p.Raw = resp.CleanDecoded(resp.Body)
	return resp.CleanPayment(p), env.Payment, nil
}

// malformed classifies a 2xx body that decoded but does not make sense:
// ErrOutcomeUnknown after a money-moving call, ErrIntegrity after a query.
func malformed(op string, safety httpx.Safety, status int, err error) error {
	e := &payments.Error{Code: payments.Integrity, Provider: Name, HTTPStatus: status, Message: op + ": " + err.Error()}
	if safety != httpx.Query {
		e.Code = payments.OutcomeUnknown
		e.Message += "; the provider may have processed it: reconcile with Status"
	}
	return e
}

// ---- Capture, Cancel ----

// Capture captures an authorized payment (POST /v1/payments/{id}/capture):
// all of it when req.Amount is nil, otherwise that amount
// (?amount=minor units). GlobalPay allows one partial capture per payment.
// A partial capture first reads the payment to check the currency: the
// capture call itself carries no currency.
func (g *Gateway) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	a, id, err := parseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	const op = "capture"
	u := g.base(a) + "/v1/payments/" + id + "/capture"
	if req.Amount != nil {
		if _, err := req.Amount.Minor(); err != nil {
			return nil, err
		}
		cur, err := g.get(ctx, a, id)
		if err != nil {
			return nil, err
		}
		if cur.Amount.Currency != req.Amount.Currency {
			return nil, payments.InvalidField("amount.currency", fmt.Sprintf("is %s; the payment is in %s", req.Amount.Currency, cur.Amount.Currency))
		}
		if c, _ := req.Amount.Cmp(cur.Amount); c > 0 {
			return nil, payments.InvalidField("amount", fmt.Sprintf("%s exceeds the authorized %s", *req.Amount, cur.Amount))
		}
		minor, _ := req.Amount.Minor()
		u += "?amount=" + strconv.FormatInt(minor, 10)
	}
	p, w, err := g.modify(ctx, op, a, id, u)
	if req.Amount == nil {
		return p, err
	}
	if err != nil {
		var pe *payments.Error
		if errors.As(err, &pe) {
			paymentExists(pe)
		}
		return p, err
	}
	// The direct card host says what it captured (CapturedAmount); the
	// alternative-methods host does not, and then only the currency can be
	// checked.
	if p.Amount.Currency != "" && p.Amount.Currency != req.Amount.Currency {
		return p, integrityError(op, "the answer is in %s, the request in %s", p.Amount.Currency, req.Amount.Currency)
	}
	if w.CapturedAmount != nil && !p.Captured.Equal(*req.Amount) {
		return p, integrityError(op, "captured %s, the request was for %s", p.Captured, *req.Amount)
	}
	if w.CapturedAmount == nil && wireStatusID(w) == 35 {
		// 35 PartiallyCaptured without CapturedAmount (the
		// alternative-methods host): GlobalPay accepted the capture of
		// exactly this amount, which this call knows.
		p.Status, p.Captured = payments.StatusPartiallyCaptured, *req.Amount
	}
	return p, nil
}

// Cancel cancels a payment (POST /v1/payments/{id}/cancel): an authorized
// one, or an alternative-method payment whose customer has not yet reached
// the payment page.
func (g *Gateway) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	a, id, err := parseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	p, _, err := g.modify(ctx, "cancel", a, id, g.base(a)+"/v1/payments/"+id+"/cancel")
	return p, err
}

// modify POSTs a body-less capture or cancel and reads the payment answer.
func (g *Gateway) modify(ctx context.Context, op string, a api, id, u string) (*payments.Payment, *wirePayment, error) {
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: u, Authorization: g.auth(a), Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, nil, err
	}
	if !resp.OK() {
		return nil, nil, errorFromResponse(op, httpx.MoneyMoving, resp).err
	}
	p, w, err := g.decodePayment(op, httpx.MoneyMoving, a, resp)
	if err != nil {
		return nil, nil, err
	}
	if n := mustInt(id); !isID(p.ID, a, n) {
		return p, w, integrityError(op, "the answer is for payment %q, not %q", p.ID, formatID(a, n))
	}
	return p, w, nil
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// ---- Status ----

// Status reads a payment: GET /v1/payments/{id} when req.ID is set,
// otherwise it looks the payment up by MerchantTransactionID
// (GET /v1/payments?merchantTransactionID=) on both hosts and then reads it.
// A failed or canceled payment is a successful query.
func (g *Gateway) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if req.ID != "" {
		a, id, err := parseID("id", req.ID)
		if err != nil {
			return nil, err
		}
		return g.get(ctx, a, id)
	}
	return g.byReference(ctx, req.Reference)
}

// get is GET /v1/payments/{id} on host a.
func (g *Gateway) get(ctx context.Context, a api, id string) (*payments.Payment, error) {
	const op = "status"
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.base(a) + "/v1/payments/" + id,
		Authorization: g.auth(a), Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, errorFromResponse(op, httpx.Query, resp).err
	}
	p, w, err := g.decodePayment(op, httpx.Query, a, resp)
	if err != nil {
		return nil, err
	}
	if n := mustInt(id); !isID(p.ID, a, n) {
		return nil, integrityError(op, "the answer is for payment %q, not %q", p.ID, formatID(a, n))
	}
	switch sid := wireStatusID(w); {
	case p.Status == payments.StatusPartiallyRefunded:
		// The payment does not say how much was refunded: add up its
		// successful refunds.
		if err := g.fillRefunded(ctx, p); err != nil {
			return nil, err
		}
	case w.CapturedAmount == nil && (sid == 21 || sid == 22):
		// No CapturedAmount (see capturedUnknownStatuses): the refunds
		// say how much was refunded. 22 Refunded means all that was
		// captured went back, so that is also the captured amount; after
		// 21 PartiallyRefunded the captured amount stays unknown.
		if err := g.fillRefunded(ctx, p); err != nil {
			return nil, err
		}
		if sid == 22 && p.Refunded.IsPositive() {
			p.Status, p.Captured = payments.StatusRefunded, p.Refunded
		}
	}
	return p, nil
}

// fillRefunded sets p.Refunded to the sum of p's successful refunds.
func (g *Gateway) fillRefunded(ctx context.Context, p *payments.Payment) error {
	refunds, err := g.Refunds(ctx, p.ID)
	if err != nil {
		return err
	}
	sum := p.Amount.Zero()
	for _, r := range refunds {
		if r.Status != payments.RefundSucceeded {
			continue
		}
		if sum, err = sum.Add(r.Amount); err != nil {
			return integrityError("status", "refund %s of payment %s is in %s, the payment in %s", r.ID, p.ID, r.Amount.Currency, p.Amount.Currency)
		}
	}
	if c, _ := sum.Cmp(p.Captured); c > 0 && !p.Captured.IsZero() {
		return integrityError("status", "payment %s: refunds total %s, more than the captured %s", p.ID, sum, p.Captured)
	}
	p.Refunded = sum
	return nil
}

// byReference finds the payment with MerchantTransactionID ref on either
// host. A reference found on both, or twice on one, is ErrIntegrity; a host
// that fails while the other does not have the payment makes the whole
// look-up fail (absence cannot be concluded).
func (g *Gateway) byReference(ctx context.Context, ref string) (*payments.Payment, error) {
	if !merchantTxRe.MatchString(ref) {
		return nil, payments.InvalidField("reference", merchantTxRule)
	}
	type hit struct {
		a  api
		id string
	}
	var hits []hit
	var firstErr error
	for _, a := range []api{apiAlternative, apiCard} {
		page, err := g.listPage(ctx, a, url.Values{"merchantTransactionID": {ref}})
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, p := range page {
			if p.Reference == ref {
				_, id, _ := parseID("id", p.ID)
				hits = append(hits, hit{a, id})
			}
		}
	}
	switch {
	case len(hits) > 1:
		return nil, integrityError("status", "MerchantTransactionID %q names %d payments", ref, len(hits))
	case len(hits) == 1:
		return g.get(ctx, hits[0].a, hits[0].id)
	case firstErr != nil:
		return nil, firstErr
	}
	return nil, &payments.Error{Code: payments.NotFound, Provider: Name, Message: fmt.Sprintf("status: no payment with MerchantTransactionID %q", ref)}
}

// ---- Refund ----

// Refund refunds a captured payment (POST /v1/payments/{id}/refunds). It
// first reads the payment: to check that req.Amount is in the payment's
// currency (the refund call carries none) and, when req.Amount is nil, to
// refund what is left (the captured amount less the refunds not failed,
// read with GET /v1/payments/{id}/refunds).
//
// The refund's MerchantTransactionID is req.IdempotencyKey when set (it must
// then follow the MerchantTransactionID format), otherwise a random one.
// GlobalPay documents no deduplication of refunds, so the call is never
// retried after it may have been sent.
func (g *Gateway) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	a, id, err := parseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	mtid := req.IdempotencyKey
	if mtid == "" {
		mtid = newRefundReference()
	} else if !merchantTxRe.MatchString(mtid) {
		return nil, payments.InvalidField("idempotency_key", merchantTxRule)
	}
	if req.Amount != nil {
		if _, err := req.Amount.Minor(); err != nil {
			return nil, err
		}
	}
	const op = "refund"
	p, err := g.get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var amount payments.Money
	if req.Amount != nil {
		if p.Amount.Currency != req.Amount.Currency {
			return nil, payments.InvalidField("amount.currency", fmt.Sprintf("is %s; the payment is in %s", req.Amount.Currency, p.Amount.Currency))
		}
		amount = *req.Amount
	} else {
		if p.Status == payments.StatusUnknown {
			// Without CapturedAmount (the alternative-methods host) after
			// a partial capture, refund or dispute, or with an
			// undocumented status, what is left is not knowable: refunding
			// "the rest" would be a guess, and could ask for too much.
			return nil, payments.InvalidField("amount", fmt.Sprintf("required: smart2pay does not say how much of payment %s was captured (status %s); refund an explicit amount", req.ID, p.ProviderStatus))
		}
		refunds, err := g.Refunds(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		left := p.Captured
		for _, r := range refunds {
			if r.Status == payments.RefundFailed {
				continue
			}
			if left, err = left.Sub(r.Amount); err != nil {
				return nil, integrityError(op, "refund %s is in %s, the payment in %s", r.ID, r.Amount.Currency, p.Captured.Currency)
			}
		}
		if !left.IsPositive() {
			return nil, &payments.Error{Code: payments.InvalidState, Provider: Name,
				Message: fmt.Sprintf("refund: nothing left to refund on payment %s (status %s, captured %s)", req.ID, p.ProviderStatus, p.Captured)}
		}
		amount = left
	}
	minor, err := amount.Minor()
	if err != nil {
		return nil, err
	}
	body := &refundEnvelope{Refund: wireRefundRequest{MerchantTransactionID: mtid, Amount: minor, Description: req.Reason}}
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.base(a) + "/v1/payments/" + id + "/refunds",
		Body: body, Authorization: g.auth(a), Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, paymentExists(errorFromResponse(op, httpx.MoneyMoving, resp).err)
	}
	var env refundResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &env); err != nil {
		return nil, err
	}
	r, err := convertRefund(a, env.Refund)
	if err != nil {
		return nil, malformed(op, httpx.MoneyMoving, resp.StatusCode, err)
	}
	r.Raw = resp.CleanDecoded(resp.Body) // decoded whole by DecodeJSON
	if !r.Amount.Equal(amount) {
		return r, integrityError(op, "the refund is for %s, the request for %s", r.Amount, amount)
	}
	if r.PaymentID != "" && r.PaymentID != req.ID {
		return r, integrityError(op, "the refund is of payment %q, not %q", r.PaymentID, req.ID)
	}
	if r.Status == payments.RefundFailed {
		e := &payments.Error{Code: payments.Declined, Provider: Name, HTTPStatus: resp.StatusCode, Decline: &payments.Decline{Reason: payments.DeclineGeneric},
			Message: "refund: refund " + r.ProviderStatus}
		if env.Refund.Status != nil && len(env.Refund.Status.Reasons) > 0 {
			rs := env.Refund.Status.Reasons
			e.ProviderCode = string(rs[0].Code)
			e.Decline = declineFromReasons(rs)
			if t := reasonsText(rs); t != "" {
				e.Message += ": " + t
			}
		}
		return r, resp.CleanError(e)
	}
	return r, nil
}

// newRefundReference returns a random refund MerchantTransactionID.
func newRefundReference() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "refund-" + hex.EncodeToString(b[:])
}

// convertRefund turns a wire refund from host a into a neutral Refund.
func convertRefund(a api, w *wireRefund) (*payments.Refund, error) {
	return convertRefundAmount(a, w, true)
}

// convertRefundAmount is convertRefund; with full false the answer may leave
// out Amount and Currency together (the card refund status call), and the
// Refund's Amount is then zero.
func convertRefundAmount(a api, w *wireRefund, full bool) (*payments.Refund, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: no Refund object", errMalformed)
	}
	r := &payments.Refund{}
	if w.ID != nil {
		id, ok := numInt64(w.ID)
		if !ok || id <= 0 {
			return nil, fmt.Errorf("%w: refund ID %q is not a positive integer", errMalformed, w.ID.String())
		}
		r.ID = strconv.FormatInt(id, 10)
	}
	if w.InitialPaymentID != nil {
		id, ok := numInt64(w.InitialPaymentID)
		if !ok || id <= 0 {
			return nil, fmt.Errorf("%w: InitialPaymentID %q is not a positive integer", errMalformed, w.InitialPaymentID.String())
		}
		r.PaymentID = formatID(a, id)
	}
	switch {
	case !full && w.Currency == nil && w.Amount == nil:
	case w.Currency == nil || w.Amount == nil:
		return nil, fmt.Errorf("%w: refund without Amount or Currency", errMalformed)
	default:
		cur, err := payments.ParseCurrency(*w.Currency)
		if err != nil {
			return nil, fmt.Errorf("%w: Currency %q is not an ISO 4217 code", errMalformed, *w.Currency)
		}
		if r.Amount, err = minorMoney(w.Amount, cur); err != nil {
			return nil, fmt.Errorf("%w: Amount: %v", errMalformed, err)
		}
	}
	statusID := 0
	if w.Status != nil && w.Status.ID != nil {
		n, ok := numInt64(w.Status.ID)
		if !ok || n <= 0 || n > 1<<20 {
			return nil, fmt.Errorf("%w: refund Status.ID %q is not an integer", errMalformed, w.Status.ID.String())
		}
		statusID = int(n)
	}
	if statusID == 0 {
		r.Status, r.ProviderStatus = payments.RefundPending, ""
	} else {
		var info string
		if w.Status != nil {
			info = str(w.Status.Info)
		}
		r.Status, r.ProviderStatus = MapRefundStatus(statusID, info)
	}
	return r, nil
}
