// Command quickstart takes payments through three payment providers at once,
// offline, in a few seconds:
//
//	go run ./examples/quickstart
//
// It starts the in-process simulators of SmartPayments, Smart2Pay and SmartPay
// (drivers/*/…test), builds the real drivers against them, puts ONE
// payments.Router over the three, and runs, for each provider, every flow it
// supports: a one-step card sale, a two-step authorization with a partial
// capture and a partial refund, a declined payment, a 3-D Secure challenge, a
// hosted payment page, an invoice, and a webhook received by the Router's
// NotificationHandler on a local port. Each payment is pinned to its
// provider with payments.OnlyRoutes.
//
// The customer's part is played over HTTP, as a browser would: the program
// opens the Payment's Action URL, presses the button on the simulator's page
// and is sent back to the shop's return URL. The only simulator helper used
// is SmartPay's PayInvoice, which stands for the buyer's bank transfer.
//
// It prints one row per flow and exits with status 1 if any flow did not end
// as expected. The output is the same on every run apart from the times:
//
//	PROVIDER       FLOW         STATUS              AMOUNT      CAPTURED   REFUNDED   TIME  ID / NOTE
//	smartpayments  sale         captured            49.99 EUR   49.99 EUR  0.00 EUR   2ms   ✓ smartpayments:qs-smartpayments-sale
//	...
//	smart2pay      two-step     partially_refunded  100.00 EUR  60.00 EUR  25.00 EUR  5ms   ✓ smart2pay:card:210002 card: captured 60.00, refund succeeded
//	...
//	smartpay       invoice      captured            75.00 EUR   75.00 EUR  0.00 EUR   0s    ✓ smartpay:00000000-0000-4000-8000-000000000004 paid by transfer
//	smartpay       webhook      captured            75.00 EUR   75.00 EUR  0.00 EUR   10ms  ✓ smartpay:00000000-0000-4000-8000-000000000004 verified by credentials+query; forged one: 401
//
//	16 flows ended as expected (5 not supported by their provider).
//	The Router's attempt log and refund ledger: sqlite:/tmp/payments-quickstart-…/payments.db
//
// The Router keeps its state in a SQLite file in a new temporary directory
// (printed last; open it with any SQLite client). To keep it in PostgreSQL
// instead, as several instances of a shop would:
//
//	PAYMENTS_STORE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go run ./examples/quickstart
//
// A flow a provider does not support (by its Capabilities) is listed as
// "not supported" and not run.
//
// The code is organised as a reader would follow it: main.go wires the
// simulators, drivers, Router and the shop's HTTP server; flows.go has one
// function per flow; browser.go is the customer's browser.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/store/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// storeURL is PAYMENTS_STORE_URL, or a SQLite file in a new temporary
// directory (kept, so that its tables can be looked at afterwards).
func storeURL() (string, error) {
	if u := os.Getenv("PAYMENTS_STORE_URL"); u != "" {
		return u, nil
	}
	dir, err := os.MkdirTemp("", "payments-quickstart-")
	if err != nil {
		return "", err
	}
	return "sqlite:" + filepath.Join(dir, "payments.db"), nil
}

// The SmartPay webhook credentials the merchant chose in SmartPay's
// configuration; the simulator sends them, the driver checks them.
const (
	webhookUser     = "shop"
	webhookPassword = "webhook-password"
)

// run runs every flow, writes the table to w, and returns an error if any
// flow did not end as expected.
func run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// 1. The shop's HTTP server, on a loopback port. It receives the
	// providers' webhooks (/webhooks/<route>) and the customer coming back
	// from a payment page (/return/<route>). It is started first because the
	// simulators need its address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	shop := "http://" + ln.Addr().String()

	// 2. The three simulators, each told where to send notifications.
	spSim := smartpaymentstest.NewServer() // callbacks go to each request's callback_url
	defer spSim.Close()
	s2pSim := smart2paytest.NewServer(smart2paytest.WithNotificationURL(shop + "/webhooks/smart2pay"))
	defer s2pSim.Close()
	smpSim := smartpaytest.NewServer(
		smartpaytest.WithNotificationURL(shop+"/webhooks/smartpay"),
		smartpaytest.WithNotificationBasicAuth(webhookUser, webhookPassword),
	)
	defer smpSim.Close()

	// 3. The real drivers, configured as in production except for the
	// base URLs (and the simulators' published test credentials).
	spGW, err := smartpayments.New(smartpayments.Config{
		MerchantKey:     smartpaymentstest.DefaultMerchantKey,
		Secret:          smartpaymentstest.DefaultSecret,
		Account:         "EUR-sandbox", // the account's currency: EUR
		MerchantSite:    "https://shop.example",
		NotificationURL: shop + "/webhooks/smartpayments",
		BaseURL:         spSim.BaseURL(),
		CardBaseURL:     spSim.CardBaseURL(),
		ExportBaseURL:   spSim.ExportBaseURL(),
		HTTPClient:      spSim.Client(),
	})
	if err != nil {
		return err
	}
	s2pGW, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: s2pSim.BaseURL(), CardBaseURL: s2pSim.CardBaseURL(),
		HTTPClient: s2pSim.Client(),
	})
	if err != nil {
		return err
	}
	smpGW, err := smartpay.New(smartpay.Config{
		MerchantKey:       smartpaytest.DefaultMerchantKey,
		AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL:           smpSim.BaseURL(),
		Origin:            "https://shop.example",
		NotificationAuth:  &smartpay.NotificationAuth{Username: webhookUser, Password: webhookPassword},
		HTTPClient:        smpSim.Client(),
	})
	if err != nil {
		return err
	}

	// 4. Where the Router keeps its attempt log and refund ledger: a SQLite
	// file (the embedded default), or the database PAYMENTS_STORE_URL
	// names (postgres://user@host:5432/db: what several instances of a
	// shop share).
	storeURL, err := storeURL()
	if err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, storeURL)
	if err != nil {
		return err
	}
	defer store.Close()

	// 5. One Router over the three. Each flow below pins its payment to one
	// route with payments.OnlyRoutes; without it the Router would pick the
	// first route (by Priority) that accepts the payment.
	router, err := payments.NewRouter([]payments.Route{
		{Name: "smartpayments", Gateway: spGW, Priority: 0},
		{Name: "smart2pay", Gateway: s2pGW, Priority: 1},
		{Name: "smartpay", Gateway: smpGW, Priority: 2},
	}, payments.WithStore(store))
	if err != nil {
		return err
	}

	// 6. The shop's routes. The Router serves every provider's webhooks,
	// one path per route name, each verified by its driver.
	in := newInbox()
	mux := http.NewServeMux()
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", router.NotificationHandler(in.record)))
	mux.HandleFunc("/return/", func(w http.ResponseWriter, r *http.Request) {
		// The customer is back. This is a hint for the page shown, never
		// proof of payment: the notification or a Status call is.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><p>Thank you for your order.</p>")
	})
	srv := newServer(mux)
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
	}()

	e := &env{router: router, shop: shop, browser: newBrowser(), inbox: in, paid: map[string]string{}}
	providers := []*provider{
		smartpaymentsKit(spGW),
		smart2payKit(s2pGW),
		smartpayKit(smpGW, smpSim),
	}

	var results []result
	for _, pv := range providers {
		for _, f := range flows {
			start := time.Now()
			r := f.run(ctx, e, pv)
			r.provider, r.flow, r.took = pv.route, f.name, time.Since(start)
			results = append(results, r)
		}
	}

	// Let the simulators finish delivering before they are closed.
	idle, c := context.WithTimeout(ctx, 5*time.Second)
	defer c()
	_ = spSim.WaitIdle(idle)
	_ = s2pSim.WaitIdle(idle)
	_ = smpSim.WaitIdle(idle)

	err = report(w, results)
	fmt.Fprintf(w, "The Router's attempt log and refund ledger: %s\n", storeURL)
	return err
}

// env is what every flow needs.
type env struct {
	router  *payments.Router
	shop    string // the shop server's base URL
	browser *browser
	inbox   *inbox
	paid    map[string]string // "flow/route" → payment ID, for the webhook flow
}

// result is one row of the table.
type result struct {
	provider, flow string
	payment        *payments.Payment // the final state; nil for skipped flows
	took           time.Duration
	skipped        string // why the flow does not apply to this provider
	note           string // what happened, in a few words
	err            error  // why the flow did not end as expected
}

func report(w io.Writer, results []result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tFLOW\tSTATUS\tAMOUNT\tCAPTURED\tREFUNDED\tTIME\tID / NOTE")
	var failed []string
	ran, skipped := 0, 0
	for _, r := range results {
		status, amount, captured, refunded, took := "-", "", "", "", ""
		var note string
		switch {
		case r.skipped != "":
			skipped++
			note = "– not supported: " + r.skipped
		default:
			ran++
			took = r.took.Round(time.Millisecond).String()
			if p := r.payment; p != nil {
				status, amount, captured, refunded = p.Status.String(), p.Amount.String(), p.Captured.String(), p.Refunded.String()
			}
			mark := "✓ "
			if r.err != nil {
				mark = "✗ "
				failed = append(failed, fmt.Sprintf("%s %s: %v", r.provider, r.flow, r.err))
			}
			note = mark + r.note
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.provider, r.flow, status, amount, captured, refunded, took, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(failed) > 0 {
		fmt.Fprintf(w, "%d of %d flows did not end as expected:\n", len(failed), ran)
		for _, f := range failed {
			fmt.Fprintln(w, "  "+f)
		}
		return errors.New(strings.Join(failed, "; "))
	}
	fmt.Fprintf(w, "%d flows ended as expected (%d not supported by their provider).\n", ran, skipped)
	return nil
}

// inbox keeps the notifications the shop received, verified by the Router
// (that is, by the driver of the route named in the path).
type inbox struct {
	mu   sync.Mutex
	seen []*payments.Notification
}

func newInbox() *inbox { return &inbox{} }

// record is the NotificationHandler callback. A real shop updates its order
// here; it must be idempotent, because providers deliver more than once.
func (in *inbox) record(_ context.Context, n *payments.Notification) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seen = append(in.seen, n)
	return nil
}

// wait returns the first notification that satisfies ok, waiting for it
// until ctx ends.
func (in *inbox) wait(ctx context.Context, ok func(*payments.Notification) bool) (*payments.Notification, error) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		in.mu.Lock()
		for _, n := range in.seen {
			if ok(n) {
				in.mu.Unlock()
				return n, nil
			}
		}
		in.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no such notification received: %w", ctx.Err())
		case <-t.C:
		}
	}
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
