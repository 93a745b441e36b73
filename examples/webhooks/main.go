// Command webhooks is a small server that receives every provider's
// notifications on one port, through Router.NotificationHandler:
//
//	POST /webhooks/smartpayments   SmartPayments callbacks (confirmed with /check)
//	POST /webhooks/smart2pay       Smart2Pay GlobalPay notifications (Basic credentials; answered 204)
//	POST /webhooks/smartpay        SmartPay webhooks (Basic credentials, confirmed with Get Payment Status)
//
// Each notification is verified by its driver before the callback sees it;
// a forged one is answered 401 and never reaches the callback.
//
// Try it offline, with the in-process simulators sending real HTTP
// notifications to the server:
//
//	go run ./examples/webhooks -simulate -once
//
// -simulate starts the three simulators, points them at this server and makes
// a payment with each (which makes it notify); -once exits as soon as each of
// those payments' notifications arrived and was verified. Output:
//
//	listening on http://127.0.0.1:8080/webhooks/{smartpayments,smart2pay,smartpay}
//	smartpayments  payment  smartpayments:wh-smartpayments                 captured  49.99 EUR  verified by query
//	smart2pay      payment  smart2pay:card:210001                          captured  49.99 EUR  verified by credentials
//	smartpay       payment  smartpay:00000000-0000-4000-8000-000000000001  captured  49.99 EUR  verified by credentials+query
//	every simulated payment was notified and verified
//
// Without -simulate it serves real providers, configured from the
// environment (a provider whose variables are missing is not mounted):
//
//	SMARTPAYMENTS_MERCHANT_KEY, SMARTPAYMENTS_SECRET, SMARTPAYMENTS_ACCOUNT
//	SMART2PAY_SITE_ID, SMART2PAY_API_KEY
//	SMARTPAY_MERCHANT_KEY, SMARTPAY_AUTHENTICATION_KEY, SMARTPAY_BASE_URL, SMARTPAY_ORIGIN,
//	SMARTPAY_WEBHOOK_USER, SMARTPAY_WEBHOOK_PASSWORD
//
// and the URLs above are what to give each provider (SmartPayments: the
// callback_url, Config.NotificationURL; Smart2Pay: the notification URL of the
// Merchant Dashboard; SmartPay: the webhook URL of its configuration).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx ends (or, with -once, until every
// simulated payment was notified) and logs to w.
func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("webhooks", flag.ContinueOnError)
	fs.SetOutput(w)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	simulate := fs.Bool("simulate", false, "start the simulators and make them send notifications here")
	once := fs.Bool("once", false, "with -simulate: exit once every simulated payment was notified and verified")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *once && !*simulate {
		return errors.New("-once needs -simulate")
	}
	out := &lockedWriter{w: w}

	// Listen first: the simulators need the address.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + loopback(ln.Addr())

	var (
		routes []payments.Route
		sims   *simulators
	)
	if *simulate {
		sims, err = startSimulators(base + "/webhooks")
		if err != nil {
			return err
		}
		defer sims.close()
		routes = sims.routes
	} else if routes, err = fromEnvironment(); err != nil {
		return err
	}
	router, err := payments.NewRouter(routes)
	if err != nil {
		return err
	}

	// The one line that matters: every route's notifications under
	// /webhooks/<route name>, verified by the route's driver.
	seen := newSeen()
	handler := router.NotificationHandler(func(_ context.Context, n *payments.Notification) error {
		// A real shop updates its order here, idempotently: providers
		// deliver the same notification more than once.
		logNotification(out, n)
		seen.add(n)
		return nil
	}, payments.WithHandlerLogger(slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	mux := http.NewServeMux()
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", handler))

	srv := newServer(mux)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(out, "listening on %s/webhooks/{%s}\n", base, strings.Join(router.Routes(), ","))

	if *simulate {
		ids, err := sims.pay(ctx, router)
		if err != nil {
			return err
		}
		if *once {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := seen.waitAll(wctx, ids); err != nil {
				return err
			}
			fmt.Fprintln(out, "every simulated payment was notified and verified")
			return sims.idle(ctx)
		}
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-served:
		return err
	}
}

func logNotification(w io.Writer, n *payments.Notification) {
	id, status, amount := "-", "-", "-"
	if p := n.Payment; p != nil {
		id, status, amount = p.ID, p.Status.String(), p.Amount.String()
	}
	if r := n.Refund; r != nil {
		id, status, amount = r.PaymentID+" refund "+r.ID, r.Status.String(), r.Amount.String()
	}
	provider := "-"
	if n.Payment != nil {
		provider = n.Payment.Provider
	}
	fmt.Fprintf(w, "%-13s  %-7s  %-45s  %-8s  %-9s  verified by %s\n", provider, n.Kind, id, status, amount, n.Verified)
}

// simulators are the three providers' simulators and drivers pointed at
// them, with notifications going to this server.
type simulators struct {
	sp     *smartpaymentstest.Server
	s2p    *smart2paytest.Server
	smp    *smartpaytest.Server
	routes []payments.Route
}

const webhookUser, webhookPassword = "shop", "webhook-password"

func startSimulators(webhooks string) (*simulators, error) {
	s := &simulators{
		sp:  smartpaymentstest.NewServer(),
		s2p: smart2paytest.NewServer(smart2paytest.WithNotificationURL(webhooks + "/smart2pay")),
		smp: smartpaytest.NewServer(
			smartpaytest.WithNotificationURL(webhooks+"/smartpay"),
			smartpaytest.WithNotificationBasicAuth(webhookUser, webhookPassword),
		),
	}
	sp, err := smartpayments.New(smartpayments.Config{
		MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
		Account: "EUR-sandbox", MerchantSite: "https://shop.example",
		NotificationURL: webhooks + "/smartpayments", // SmartPayments' callback_url
		BaseURL:         s.sp.BaseURL(), CardBaseURL: s.sp.CardBaseURL(), ExportBaseURL: s.sp.ExportBaseURL(),
		HTTPClient: s.sp.Client(),
	})
	if err != nil {
		s.close()
		return nil, err
	}
	s2p, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: s.s2p.BaseURL(), CardBaseURL: s.s2p.CardBaseURL(), HTTPClient: s.s2p.Client(),
	})
	if err != nil {
		s.close()
		return nil, err
	}
	smp, err := smartpay.New(smartpay.Config{
		MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL: s.smp.BaseURL(), Origin: "https://shop.example", HTTPClient: s.smp.Client(),
		NotificationAuth: &smartpay.NotificationAuth{Username: webhookUser, Password: webhookPassword},
	})
	if err != nil {
		s.close()
		return nil, err
	}
	s.routes = []payments.Route{
		{Name: "smartpayments", Gateway: sp},
		{Name: "smart2pay", Gateway: s2p},
		{Name: "smartpay", Gateway: smp},
	}
	return s, nil
}

// pay makes one payment per provider that ends captured, which makes each
// simulator notify, and returns the payments' Router IDs.
func (s *simulators) pay(ctx context.Context, router *payments.Router) ([]string, error) {
	amount, _ := payments.ParseMoney("49.99", "EUR")
	req := func(route string, m payments.PaymentMethod) *payments.AuthorizeRequest {
		return &payments.AuthorizeRequest{
			Reference: "wh-" + route, Amount: amount, Capture: true, Method: m,
			Customer: &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com",
				Phone: "+442079460612", IP: "203.0.113.7"},
			BillingAddress:  &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
			ProviderOptions: []any{payments.OnlyRoutes{route}},
		}
	}
	card := func(n string) payments.Card {
		return payments.Card{Number: payments.CardNumber(n), Holder: "Jane Doe", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}
	}
	var ids []string
	for _, r := range []*payments.AuthorizeRequest{
		req("smartpayments", card(smartpaymentstest.CardFrictionless)),
		req("smart2pay", card("4111111111111111")),
		req("smartpay", payments.Invoice{Type: payments.InvoicePrepayment}),
	} {
		p, err := router.Authorize(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Reference, err)
		}
		ids = append(ids, p.ID)
		if p.Status == payments.StatusRequiresAction { // the SmartPay prepayment
			_, txID, _ := strings.Cut(p.ID, ":")
			if err := s.smp.PayInvoice(txID); err != nil { // the buyer's bank transfer
				return nil, err
			}
		}
	}
	return ids, nil
}

// idle waits until the simulators have delivered everything.
func (s *simulators) idle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return errors.Join(s.sp.WaitIdle(ctx), s.s2p.WaitIdle(ctx), s.smp.WaitIdle(ctx))
}

func (s *simulators) close() {
	s.sp.Close()
	s.s2p.Close()
	s.smp.Close()
}

// fromEnvironment builds the routes of the real providers whose
// credentials are in the environment.
func fromEnvironment() ([]payments.Route, error) {
	var routes []payments.Route
	if key := os.Getenv("SMARTPAYMENTS_MERCHANT_KEY"); key != "" {
		gw, err := smartpayments.New(smartpayments.Config{
			MerchantKey: key, Secret: payments.Secret(os.Getenv("SMARTPAYMENTS_SECRET")),
			Account: os.Getenv("SMARTPAYMENTS_ACCOUNT"),
		})
		if err != nil {
			return nil, fmt.Errorf("smartpayments: %w", err)
		}
		routes = append(routes, payments.Route{Name: "smartpayments", Gateway: gw})
	}
	if site := os.Getenv("SMART2PAY_SITE_ID"); site != "" {
		id, err := strconv.ParseInt(site, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("SMART2PAY_SITE_ID: %w", err)
		}
		gw, err := smart2pay.New(smart2pay.Config{SiteID: id, APIKey: payments.Secret(os.Getenv("SMART2PAY_API_KEY"))})
		if err != nil {
			return nil, fmt.Errorf("smart2pay: %w", err)
		}
		routes = append(routes, payments.Route{Name: "smart2pay", Gateway: gw})
	}
	if key := os.Getenv("SMARTPAY_MERCHANT_KEY"); key != "" {
		cfg := smartpay.Config{
			MerchantKey: key, AuthenticationKey: payments.Secret(os.Getenv("SMARTPAY_AUTHENTICATION_KEY")),
			BaseURL: os.Getenv("SMARTPAY_BASE_URL"), Origin: os.Getenv("SMARTPAY_ORIGIN"),
		}
		if u := os.Getenv("SMARTPAY_WEBHOOK_USER"); u != "" {
			cfg.NotificationAuth = &smartpay.NotificationAuth{Username: u, Password: payments.Secret(os.Getenv("SMARTPAY_WEBHOOK_PASSWORD"))}
		}
		gw, err := smartpay.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("smartpay: %w", err)
		}
		routes = append(routes, payments.Route{Name: "smartpay", Gateway: gw})
	}
	if len(routes) == 0 {
		return nil, errors.New("no provider configured in the environment; try -simulate")
	}
	return routes, nil
}

// seen remembers the verified notifications.
type seen struct {
	mu sync.Mutex
	n  []*payments.Notification
}

func newSeen() *seen { return &seen{} }

func (s *seen) add(n *payments.Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n = append(s.n, n)
}

// waitAll waits until each payment ID had a verified notification showing
// it captured.
func (s *seen) waitAll(ctx context.Context, ids []string) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		var missing []string
		s.mu.Lock()
		for _, id := range ids {
			found := false
			for _, n := range s.n {
				if n.Payment != nil && n.Payment.ID == id && n.Payment.Status == payments.StatusCaptured && n.Verified != 0 {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, id)
			}
		}
		s.mu.Unlock()
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no verified notification for %s: %w", strings.Join(missing, ", "), ctx.Err())
		case <-t.C:
		}
	}
}

// loopback turns a wildcard listen address (":8080") into one the
// simulators can call.
func loopback(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// lockedWriter lets the handler goroutines share one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// newServer bounds every phase of a connection, as a server that receives
// notifications from the internet must: slow headers, a slow body, a client
// that does not read the answer, idle kept-alive connections.
// payments.NotificationHandler bounds the body's size and read time itself;
// WriteTimeout stays above the longest a notification may take to handle
// (the driver's confirming status query: SmartPay's default timeout is 90 s).
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       60 * time.Second,
	}
}
