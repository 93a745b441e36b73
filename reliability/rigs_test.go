package reliability_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// The money-moving operations of the fault matrix. opCancelOrRefund is
// SmartPay's own modification.
const (
	opAuthorize      = "authorize"
	opCapture        = "capture"
	opCancel         = "cancel"
	opRefund         = "refund"
	opCancelOrRefund = "cancelOrRefund"
)

// driverNames are the drivers in the order every table lists them.
var driverNames = []string{smartpayments.Name, smart2pay.Name, smartpay.Name}

// options builds a rig. The zero value is a plain driver over its simulator.
type options struct {
	// wrap sits between the driver and the simulator (fault injection,
	// request counting). nil: the simulator's own transport.
	wrap func(http.RoundTripper) http.RoundTripper
	// logger is the driver's Config.Logger.
	logger *slog.Logger
	// creds replaces the simulator's and the driver's credentials.
	creds *credentials
	// notifyURL is where the simulator delivers notifications ("": none).
	notifyURL string
	// oauth makes SmartPay authenticate with the OAuth2 client-credentials
	// grant (client secret: the API key) instead of Basic.
	oauth bool
}

// credentials are the secrets of a rig: API keys and webhook credentials.
type credentials struct {
	APIKey      string // smartpayments Secret, smart2pay APIKey (both sites), smartpay AuthenticationKey
	WebhookUser string // smartpay NotificationAuth
	WebhookPass string // smartpay NotificationAuth
}

// truth is a payment as the simulator holds it, in the provider's terms.
type truth struct {
	Code     string // the provider's status code as Payment.ProviderStatus starts with it
	Captured int64  // minor units (SmartPayments: net of refunds)
	Refunded int64  // minor units (SmartPayments: 0, included in Captured)
}

func (t truth) String() string {
	return fmt.Sprintf("%s captured=%d refunded=%d", t.Code, t.Captured, t.Refunded)
}

// rig is one driver over a fresh simulator of its own.
type rig interface {
	// Name is the driver name.
	Name() string
	// Gateway is the driver under test.
	Gateway() payments.Gateway
	// Request is an approved payment of the driver's main flow (card sale
	// or authorization, SmartPay pay-upon-invoice), for 20.00 EUR.
	Request(ref string, capture bool) *payments.AuthorizeRequest
	// Ops lists the kinds of the state-changing operations the simulator
	// executed so far, in order: the ground truth of "executed once".
	Ops() []string
	// Truth is the simulator's state of the payment with this reference.
	Truth(ref string) (truth, bool)
	// ID is the driver's Payment.ID for a reference, learned from the
	// simulator (for a driver without lookup by reference, what a
	// notification would tell the merchant).
	ID(ref string) (string, bool)
	// Observed reads a driver Payment in the same terms as Truth.
	Observed(p *payments.Payment) truth
	// FaultPath matches the HTTP request of a money-moving operation.
	FaultPath(op string) func(*http.Request) bool
	// MatrixOps are the operations of the fault matrix for this driver.
	MatrixOps() []string
	// Close stops the simulator.
	Close()
}

// newRig starts the named driver's rig.
func newRig(t testing.TB, name string, o options) rig {
	t.Helper()
	var r rig
	var err error
	switch name {
	case smartpayments.Name:
		r, err = newSmartPaymentsRig(o)
	case smart2pay.Name:
		r, err = newSmart2PayRig(o)
	case smartpay.Name:
		r, err = newSmartPayRig(o)
	default:
		t.Fatalf("no rig for %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func client(base http.RoundTripper, o options) *http.Client {
	if o.wrap != nil {
		base = o.wrap(base)
	}
	return &http.Client{Transport: base}
}

func eur(s string) payments.Money {
	m, err := payments.ParseMoney(s, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func minor(m payments.Money) int64 {
	n, err := m.Minor()
	if err != nil {
		return -1
	}
	return n
}

func postPath(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix)
	}
}

func firstField(s string) string {
	f, _, _ := strings.Cut(s, " ")
	return f
}

// ---- SmartPayments ----------------------------------------------------------

type smartPaymentsRig struct {
	sim *smartpaymentstest.Server
	gw  *smartpayments.Gateway
}

func newSmartPaymentsRig(o options) (rig, error) {
	// The fault tests count calls and expect final answers: they run on
	// the simulator's named assumption of immediate results (its default
	// is the document's status 1 + REDIRECT, which the driver reads back
	// with an extra /check).
	simOpts := []smartpaymentstest.Option{smartpaymentstest.WithImmediateResults()}
	key, secret := smartpaymentstest.DefaultMerchantKey, smartpaymentstest.DefaultSecret
	if o.creds != nil {
		secret = o.creds.APIKey
		simOpts = append(simOpts, smartpaymentstest.WithCredentials(key, secret))
	}
	if o.notifyURL == "" {
		simOpts = append(simOpts, smartpaymentstest.WithoutNotifications())
	} else {
		simOpts = append(simOpts, smartpaymentstest.WithNotificationRetry(1, 0))
	}
	sim := smartpaymentstest.NewServer(simOpts...)
	gw, err := smartpayments.New(smartpayments.Config{
		MerchantKey: key, Secret: payments.Secret(secret),
		Account: "EUR-sandbox", PayoutAccount: "EUR-sandbox-payout",
		MerchantSite: "https://merchant.example", NotificationURL: o.notifyURL,
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), ExportBaseURL: sim.ExportBaseURL(),
		HTTPClient: client(sim.Client().Transport, o), Logger: o.logger,
		// The notification tests deliver hundreds of callbacks a second
		// on purpose (every one-byte change of a body): no query bound.
		NotificationQueriesPerSecond: -1,
	})
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &smartPaymentsRig{sim: sim, gw: gw}, nil
}

func (r *smartPaymentsRig) Name() string              { return smartpayments.Name }
func (r *smartPaymentsRig) Gateway() payments.Gateway { return r.gw }
func (r *smartPaymentsRig) Close()                    { r.sim.Close() }

func (r *smartPaymentsRig) Request(ref string, capture bool) *payments.AuthorizeRequest {
	return smartPaymentsRequest(ref, smartpaymentstest.CardFrictionless, capture)
}

func smartPaymentsRequest(ref, pan string, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: eur("20.00"), Capture: capture, Description: "reliability",
		Method: payments.Card{Number: payments.CardNumber(pan), Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "30", CVV: "123"},
		Customer: &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john.doe@example.com",
			Phone: "+442079460612", IP: "127.0.0.1"},
		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "121165", Country: "GB"},
		ReturnURLs:     payments.ReturnURLs{Success: "https://shop.example/success", Failure: "https://shop.example/fail"},
	}
}

func (r *smartPaymentsRig) Ops() []string {
	var out []string
	for _, op := range r.sim.Operations() {
		out = append(out, op.Kind)
	}
	return out
}

func (r *smartPaymentsRig) Truth(ref string) (truth, bool) {
	s, ok := r.sim.Payment(ref)
	if !ok {
		return truth{}, false
	}
	return truth{Code: strconv.Itoa(s.Status), Captured: s.CapturedAmount - s.RefundedAmount}, true
}

func (r *smartPaymentsRig) ID(ref string) (string, bool) {
	_, ok := r.sim.Payment(ref)
	return ref, ok // Payment.ID is the merchant order id
}

// Observed compares the net amount charged (captured minus refunded):
// /check reports only that (finalAmount) for a captured two-step payment,
// so the driver cannot tell a partial capture from a partial refund there
// and reports the net amount as Captured (see smartpayments.Gateway.Check).
func (r *smartPaymentsRig) Observed(p *payments.Payment) truth {
	return truth{Code: firstField(p.ProviderStatus), Captured: minor(p.Captured) - minor(p.Refunded)}
}

func (r *smartPaymentsRig) FaultPath(op string) func(*http.Request) bool {
	switch op {
	case opAuthorize:
		// A sale; a two-step authorization goes to /authorize.
		return postPath("/initPaymentHost2Host")
	case opCapture:
		return postPath("/capture")
	case opCancel:
		return postPath("/cancel")
	case opRefund:
		return postPath("/refund")
	}
	panic("no path for " + op)
}

func (r *smartPaymentsRig) MatrixOps() []string {
	return []string{opAuthorize, opCapture, opCancel, opRefund}
}

// ---- Smart2Pay --------------------------------------------------------------

type smart2PayRig struct {
	sim *smart2paytest.Server
	gw  *smart2pay.Gateway
}

func newSmart2PayRig(o options) (rig, error) {
	var simOpts []smart2paytest.Option
	site, key := int64(smart2paytest.DefaultSiteID), smart2paytest.DefaultAPIKey
	cardSite, cardKey := int64(smart2paytest.DefaultCardSiteID), smart2paytest.DefaultCardAPIKey
	if o.creds != nil {
		key, cardKey = o.creds.APIKey, o.creds.APIKey+"-card"
		simOpts = append(simOpts, smart2paytest.WithCredentials(site, key), smart2paytest.WithCardCredentials(cardSite, cardKey))
	}
	if o.notifyURL != "" {
		simOpts = append(simOpts, smart2paytest.WithNotificationURL(o.notifyURL), smart2paytest.WithNotificationRetry(1, 0))
	}
	sim := smart2paytest.NewServer(simOpts...)
	gw, err := smart2pay.New(smart2pay.Config{
		SiteID: site, APIKey: payments.Secret(key), CardSiteID: cardSite, CardAPIKey: payments.Secret(cardKey),
		BaseURL: sim.BaseURL(), CardBaseURL: sim.CardBaseURL(),
		HTTPClient: client(sim.Client().Transport, o), Logger: o.logger,
	})
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &smart2PayRig{sim: sim, gw: gw}, nil
}

func (r *smart2PayRig) Name() string              { return smart2pay.Name }
func (r *smart2PayRig) Gateway() payments.Gateway { return r.gw }
func (r *smart2PayRig) Close()                    { r.sim.Close() }

func (r *smart2PayRig) Request(ref string, capture bool) *payments.AuthorizeRequest {
	return smart2PayRequest(ref, "4111111111111111", capture)
}

// smart2PayRequest is a card payment; the simulator approves any card for
// 0.01 to 100.00.
func smart2PayRequest(ref, pan string, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: eur("20.00"), Capture: capture,
		Method: payments.Card{Number: payments.CardNumber(pan), Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "312"},
	}
}

func (r *smart2PayRig) Ops() []string {
	var out []string
	for _, op := range r.sim.Operations() {
		out = append(out, op.Kind)
	}
	return out
}

func (r *smart2PayRig) Truth(ref string) (truth, bool) {
	s, ok := r.sim.PaymentByReference(ref)
	if !ok {
		return truth{}, false
	}
	return truth{Code: strconv.Itoa(s.StatusID), Captured: s.CapturedAmount, Refunded: s.RefundedAmount}, true
}

func (r *smart2PayRig) ID(ref string) (string, bool) {
	s, ok := r.sim.PaymentByReference(ref)
	if !ok {
		return "", false
	}
	if s.API == smart2paytest.APICard {
		return smart2pay.CardIDPrefix + s.ID, true
	}
	return s.ID, true
}

func (r *smart2PayRig) Observed(p *payments.Payment) truth {
	return truth{Code: firstField(p.ProviderStatus), Captured: minor(p.Captured), Refunded: minor(p.Refunded)}
}

func (r *smart2PayRig) FaultPath(op string) func(*http.Request) bool {
	switch op {
	case opAuthorize:
		return func(req *http.Request) bool { return req.Method == http.MethodPost && req.URL.Path == "/v1/payments" }
	case opCapture:
		return postPath("/capture")
	case opCancel:
		return postPath("/cancel")
	case opRefund:
		return postPath("/refunds")
	}
	panic("no path for " + op)
}

func (r *smart2PayRig) MatrixOps() []string {
	return []string{opAuthorize, opCapture, opCancel, opRefund}
}

// ---- SmartPay ---------------------------------------------------------------

type smartPayRig struct {
	sim *smartpaytest.Server
	gw  *smartpay.Gateway
}

func newSmartPayRig(o options) (rig, error) {
	var simOpts []smartpaytest.Option
	key, auth := smartpaytest.DefaultMerchantKey, smartpaytest.DefaultAuthenticationKey
	// The notification tests deliver hundreds of webhooks a second on
	// purpose (every one-byte change of a body): no query bound.
	cfg := smartpay.Config{Origin: "https://shop.example", Logger: o.logger, NotificationQueriesPerSecond: -1}
	if o.creds != nil {
		auth = o.creds.APIKey
		simOpts = append(simOpts, smartpaytest.WithCredentials(key, auth))
		if o.creds.WebhookUser != "" {
			cfg.NotificationAuth = &smartpay.NotificationAuth{Username: o.creds.WebhookUser, Password: payments.Secret(o.creds.WebhookPass)}
			simOpts = append(simOpts, smartpaytest.WithNotificationBasicAuth(o.creds.WebhookUser, o.creds.WebhookPass))
		}
	}
	if o.notifyURL != "" {
		simOpts = append(simOpts, smartpaytest.WithNotificationURL(o.notifyURL), smartpaytest.WithNotificationRetry(1, 0))
	}
	sim := smartpaytest.NewServer(simOpts...)
	cfg.MerchantKey, cfg.AuthenticationKey, cfg.BaseURL = key, payments.Secret(auth), sim.BaseURL()
	cfg.HTTPClient = client(sim.Client().Transport, o)
	if o.oauth {
		cfg.AuthenticationKey = ""
		cfg.OAuth = &smartpay.OAuth{TokenURL: sim.TokenURL(), ClientID: key, ClientSecret: payments.Secret(auth)}
	}
	gw, err := smartpay.New(cfg)
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &smartPayRig{sim: sim, gw: gw}, nil
}

func (r *smartPayRig) Name() string              { return smartpay.Name }
func (r *smartPayRig) Gateway() payments.Gateway { return r.gw }
func (r *smartPayRig) Close()                    { r.sim.Close() }

// Request is a pay-upon-invoice, which SmartPay grants without the buyer
// (Authorized; with capture the driver captures it at once).
func (r *smartPayRig) Request(ref string, capture bool) *payments.AuthorizeRequest {
	return smartPayRequest(ref, capture)
}

func smartPayRequest(ref string, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: eur("20.00"), Capture: capture,
		Method:      payments.Invoice{Type: payments.InvoicePayUponInvoice},
		Description: "reliability",
		Customer:    &payments.Customer{FirstName: "John", LastName: "Doe", Email: "customer@example.com", BirthDate: "1979-12-22"},
		BillingAddress: &payments.Address{
			Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE",
		},
		ProviderOptions: []any{&smartpay.AuthorizeOptions{ShopCountry: "DE"}},
	}
}

func (r *smartPayRig) Ops() []string {
	var out []string
	for _, op := range r.sim.Operations() {
		out = append(out, op.Kind)
	}
	return out
}

// Truth leaves Refunded out: SmartPay's status answer carries no refunded
// total the driver can read (no document defines a completed refund's
// status value), so the driver reports none (see smartpay totals).
func (r *smartPayRig) Truth(ref string) (truth, bool) {
	s, ok := r.sim.PaymentByReference(ref)
	if !ok {
		return truth{}, false
	}
	return truth{Code: s.Status, Captured: minor(eur(s.Captured))}, true
}

func (r *smartPayRig) ID(ref string) (string, bool) {
	s, ok := r.sim.PaymentByReference(ref)
	return s.TransactionID, ok
}

func (r *smartPayRig) Observed(p *payments.Payment) truth {
	return truth{Code: p.ProviderStatus, Captured: minor(p.Captured)}
}

func (r *smartPayRig) FaultPath(op string) func(*http.Request) bool {
	switch op {
	case opAuthorize:
		return postPath(smartpaytest.PathAuthorize)
	case opCapture:
		return postPath(smartpaytest.PathCapture)
	case opCancel:
		return postPath(smartpaytest.PathCancel)
	case opRefund:
		return postPath(smartpaytest.PathRefund)
	case opCancelOrRefund:
		return postPath(smartpaytest.PathCancelOrRefund)
	}
	panic("no path for " + op)
}

func (r *smartPayRig) MatrixOps() []string {
	return []string{opAuthorize, opCapture, opCancel, opRefund, opCancelOrRefund}
}

// ---- operations -------------------------------------------------------------

// setup brings a fresh payment to the state op starts from: none for
// authorize, authorized for capture and cancel, captured for refund. It
// returns the reference and the driver's payment ID ("" for authorize).
func setup(ctx context.Context, r rig, op, ref string) (string, error) {
	if op == opAuthorize {
		return "", nil
	}
	capture := op == opRefund
	p, err := r.Gateway().Authorize(ctx, r.Request(ref, capture))
	if err != nil {
		return "", fmt.Errorf("setup %s: %w", op, err)
	}
	want := payments.StatusAuthorized
	if capture {
		want = payments.StatusCaptured
	}
	if p.Status != want {
		return "", fmt.Errorf("setup %s: payment is %s (%s), want %s", op, p.Status, p.ProviderStatus, want)
	}
	return p.ID, nil
}

// invoke runs op on the payment. Refunds are partial (5.00 of 20.00), so a
// second execution would show.
func invoke(ctx context.Context, r rig, op, ref, id string) error {
	gw := r.Gateway()
	var err error
	switch op {
	case opAuthorize:
		_, err = gw.Authorize(ctx, r.Request(ref, r.Name() != smartpay.Name))
	case opCapture:
		_, err = gw.Capture(ctx, &payments.CaptureRequest{ID: id, IdempotencyKey: ref + "-k"})
	case opCancel:
		_, err = gw.Cancel(ctx, &payments.CancelRequest{ID: id, IdempotencyKey: ref + "-k"})
	case opRefund:
		five := eur("5.00")
		_, err = gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: &five, IdempotencyKey: ref + "-k"})
	case opCancelOrRefund:
		_, err = gw.(*smartpay.Gateway).CancelOrRefund(ctx, &payments.CancelRequest{ID: id, IdempotencyKey: ref + "-k"})
	default:
		panic("no operation " + op)
	}
	return err
}

// opKinds are the simulator operation kinds an operation may log.
func opKinds(driver, op string) []string {
	switch op {
	case opAuthorize:
		if driver == smartpay.Name {
			return []string{smartpaytest.OpAuthorize}
		}
		return []string{"sale", "authorize"}
	case opCancelOrRefund:
		return []string{smartpaytest.OpCancel, smartpaytest.OpRefund}
	}
	return []string{op}
}
