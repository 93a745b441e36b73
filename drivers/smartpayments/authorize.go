package smartpayments

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// AuthorizeOptions are SmartPayments-specific options of an
// AuthorizeRequest, passed in AuthorizeRequest.ProviderOptions.
type AuthorizeOptions struct {
	// MerchantSite overrides Config.MerchantSite ("merchant_site").
	MerchantSite string
	// StatusURL is the "status_url" (the document says only "Status URL").
	StatusURL string
}

func authorizeOptions(opts []any) AuthorizeOptions {
	var o AuthorizeOptions
	for _, x := range opts {
		switch v := x.(type) {
		case *AuthorizeOptions:
			if v != nil {
				o = *v
			}
		case AuthorizeOptions:
			o = v
		}
	}
	return o
}

// endpoint is one of the three payment-creating calls.
type endpoint struct {
	op   string
	url  string
	kind call
}

// buildPayment validates the provider's own requirements and builds the
// body of the endpoint the request's method and Capture flag select.
func (g *Gateway) buildPayment(req *payments.AuthorizeRequest) (endpoint, *paymentRequest, error) {
	opts := authorizeOptions(req.ProviderOptions)
	var p problems
	var ep endpoint
	b := &paymentRequest{Account: g.cfg.Account, OrderID: req.Reference, Purpose: req.Description}

	card, isCard := payments.MethodAs[payments.Card](req.Method)
	ap, isAP := payments.MethodAs[payments.ApplePay](req.Method)
	gp, isGP := payments.MethodAs[payments.GooglePay](req.Method)
	_, isHosted := payments.MethodAs[payments.HostedPage](req.Method)
	switch {
	case isHosted && req.Capture:
		ep = endpoint{op: "initPayment", url: g.urls.initPayment, kind: callSale}
	case isHosted:
		return ep, nil, unsupported("the hosted payment form (/initPayment) takes one-step payments only: set Capture")
	case isCard && !req.Capture:
		ep = endpoint{op: "authorize", url: g.urls.authorize, kind: callAuthorize}
	case isCard || isAP || isGP:
		if !req.Capture {
			return ep, nil, unsupported("wallet payments are one-step only: set Capture")
		}
		ep = endpoint{op: "initPaymentHost2Host", url: g.urls.host2Host, kind: callSale}
	default:
		return ep, nil, unsupported(fmt.Sprintf("payment method %q is not supported", req.Method.Kind()))
	}

	if req.Amount.Currency != g.currency {
		p.add("amount.currency", fmt.Sprintf("%q: this gateway's account %q takes %s only", req.Amount.Currency, g.cfg.Account, g.currency))
	}
	minor, err := req.Amount.Minor()
	if err != nil {
		return ep, nil, err
	}
	b.Amount = minor
	b.Currency = string(req.Amount.Currency)

	c := req.Customer
	if c == nil {
		p.add("customer", "required by smartpayments (name, email, phone and IP address)")
		c = &payments.Customer{}
	} else {
		p.require("customer.first_name", c.FirstName)
		p.require("customer.last_name", c.LastName)
		p.require("customer.email", c.Email)
		p.require("customer.phone", c.Phone)
		if ep.kind != callAuthorize { // /authorize's table has no customer_ip_address
			p.require("customer.ip", c.IP)
		}
	}
	b.CustomerFirstName, b.CustomerLastName = c.FirstName, c.LastName
	b.CustomerEmail, b.CustomerPhone = c.Email, c.Phone
	if ep.kind != callAuthorize {
		b.CustomerIPAddress = c.IP
	}
	if a := req.BillingAddress; a == nil {
		p.add("billing_address", "required by smartpayments (line1, city, postal code, country)")
	} else {
		p.require("billing_address.line1", a.Line1)
		p.require("billing_address.city", a.City)
		p.require("billing_address.postal_code", a.PostalCode)
		b.CustomerAddress = joinLines(a.Line1, a.Line2)
		b.CustomerCity, b.CustomerZipCode, b.CustomerCountry = a.City, a.PostalCode, a.Country
	}

	b.SuccessURL = req.ReturnURLs.Success
	b.FailURL = firstNonEmpty(req.ReturnURLs.Failure, req.ReturnURLs.Cancel)
	b.CallbackURL = firstNonEmpty(req.ReturnURLs.Notification, g.cfg.NotificationURL)
	b.StatusURL = opts.StatusURL
	b.MerchantSite = firstNonEmpty(opts.MerchantSite, g.cfg.MerchantSite)
	switch {
	case !isHosted && b.MerchantSite == "":
		p.add("provider_options.merchant_site", "required by smartpayments for card and wallet payments (AuthorizeOptions.MerchantSite or Config.MerchantSite)")
	case b.MerchantSite != "" && b.MerchantSite != g.cfg.MerchantSite && !httpURL(b.MerchantSite):
		// Config.MerchantSite was checked in New; only an override is
		// parsed here.
		p.add("provider_options.merchant_site", "not an absolute http(s) URL")
	}
	if b.StatusURL != "" && !httpURL(b.StatusURL) {
		p.add("provider_options.status_url", "not an absolute http(s) URL")
	}
	b.Recurrent = req.Recurring != nil

	// card_holder is required by the tables; the Google Pay example omits
	// it, so wallets do not send it.
	switch {
	case isCard:
		p.require("method.holder", card.Holder)
		p.require("method.cvv", string(card.CVV))
		if ep.kind == callSale {
			b.PaymentMethod = paymentMethodCard
		}
		b.CardHolder = card.Holder
		b.CardNumber = card.Number.Digits()
		b.CardExpMonth = card.Month2()
		b.CardExpYear = card.Year2()
		b.CardCVV = string(card.CVV)
	case isAP:
		p.require("method.network", ap.Network)
		b.PaymentMethod = paymentMethodAP
		b.ApplePayDPAN = string(ap.Token)
		b.ApplePayPaymentMethodNetwork = ap.Network
	case isGP:
		p.require("method.network", gp.Network)
		b.PaymentMethod = paymentMethodGP
		b.GooglePayDPAN = string(gp.Token)
		b.GooglePayPaymentMethodNetwork = gp.Network
	}
	if ep.url == g.urls.host2Host {
		// Only /initPaymentHost2Host lists recurrence details and browser
		// data for 3-D Secure.
		if r := req.Recurring; r != nil {
			b.RecurFreq = int64(r.FrequencyDays)
			if !r.Expires.IsZero() {
				b.RecurExp = r.Expires.UTC().Format("2006-01-02T15:04:05.000Z")
			}
		}
		if br := req.Browser; br != nil {
			b.BrowserAcceptHeader = br.AcceptHeader
			b.BrowserUserAgent = br.UserAgent
			b.BrowserJavaEnabled = &br.JavaEnabled
			b.BrowserJSEnabled = &br.JavaScriptEnabled
			b.BrowserColorDepth = itoaNonZero(br.ColorDepth)
			b.BrowserScreenHeight = itoaNonZero(br.ScreenHeight)
			b.BrowserScreenWidth = itoaNonZero(br.ScreenWidth)
			b.BrowserLanguage = br.Language
			b.BrowserTimeZone = strconv.Itoa(br.TimeZoneOffset)
		}
	}
	if err := p.err(); err != nil {
		return ep, nil, err
	}
	return ep, b, nil
}

// createdPayment maps the answer of a payment-creating call; w was decoded
// from resp.Body whole (httpx.DecodeJSON), which is scrubbed into Raw
// without a validity pass.
func (g *Gateway) createdPayment(ctx context.Context, ep endpoint, req *payments.AuthorizeRequest, w *paymentResponse, resp *httpx.Response) (*payments.Payment, error) {
	code := firstNonEmpty(w.Err)
	if !w.Status.Valid {
		if isDuplicate(code) {
			return nil, duplicateError(ep.op, code)
		}
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode, ProviderCode: code,
			Message: ep.op + ": the answer has no status; the provider may have processed it: reconcile with Status"}
	}
	act := g.action(ctx, w)
	p := g.newPayment(req.Reference)
	p.Amount = req.Amount
	p.Status = mapStatus(w.Status.V, ep.kind, act != nil, nil)
	p.ProviderStatus = providerStatus(w.Status.V)
	p.Raw = resp.CleanDecoded(resp.Body) // decoded whole by httpx.DecodeJSON
	p.Updated = parseTime(w.EndDate)
	if p.Status == payments.StatusRequiresAction {
		p.Action = act
	}
	switch p.Status {
	case payments.StatusCaptured:
		p.Captured = req.Amount
	case payments.StatusFailed:
		if isDuplicate(code) {
			return nil, duplicateError(ep.op, code)
		}
		return p, failed(p, ep.op, code, resp.Clean(w.Msg), nil)
	case payments.StatusUnknown:
		return p, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, ProviderCode: p.ProviderStatus,
			Message: ep.op + ": undocumented status " + p.ProviderStatus + ": reconcile with Status"}
	}
	return p, nil
}

// action builds what the customer must do from a payment-creating answer:
// a form POST to the ACS when 3-D Secure fields are present, else a
// redirect to form_url. URLs that are not absolute http(s) are ignored.
func (g *Gateway) action(ctx context.Context, w *paymentResponse) *payments.Action {
	if acs := firstNonEmpty(w.ACSURL, w.ACSURLForm); acs != "" && httpURL(acs) {
		fields := map[string]string{}
		put := func(k, v string) {
			if v != "" {
				fields[k] = v
			}
		}
		put("PaReq", w.PaReq)
		put("MD", firstNonEmpty(w.MD, w.MDForm))
		put("TermUrl", firstNonEmpty(w.TermURL, w.TermURLForm))
		put("creq", w.Creq)
		put("threeDSMethodData", w.ThreeDSMethodData)
		return &payments.Action{Type: payments.ActionFormPost, URL: acs, Method: http.MethodPost, Fields: fields}
	}
	if u := w.FormURL; u != "" {
		if !httpURL(u) {
			g.log.WarnContext(ctx, "smartpayments: ignoring a form_url that is not an absolute http(s) URL")
			return nil
		}
		a := &payments.Action{Type: payments.ActionRedirect, URL: u, Method: http.MethodGet}
		if v := w.ThreeDSMethodData; v != "" {
			a.Fields = map[string]string{"threeDSMethodData": v}
		}
		return a
	}
	return nil
}
