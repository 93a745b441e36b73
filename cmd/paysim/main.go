// Command paysim runs the three provider simulators of this module
// (SmartPayments, Smart2Pay GlobalPay and SmartPay) as standalone HTTP
// servers, so that programs in any language, and end-to-end tests, can run
// against them:
//
//	go run ./cmd/paysim
//	go install github.com/gopayments/payments/cmd/paysim@latest
//
// On start it prints one line per listener, "NAME URL", to stdout; a line
// per request goes to stderr. Addresses default to fixed loopback ports
// (port 0 picks a free one); see -h for the flags. Every listener also
// serves, without authentication:
//
//	POST /__paysim/reset             forget all state of that simulator (204)
//	POST /__paysim/complete          {"id": ID, "outcome": "success"|"failure"|"cancel"|"pending"}:
//	                                 play the customer on a 3-D Secure challenge,
//	                                 redirect page or checkout (204; 404 unknown id,
//	                                 409 not waiting, 422 outcome unsupported there)
//	POST /__paysim/notification-url  {"url": URL}: set the notification target (204)
//
// ID is the provider's ID or a Router ID ("route:providerID"). SIGINT or
// SIGTERM stops the servers after the requests in flight.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "paysim:", err)
		os.Exit(2)
	}
}

// listener is one address a simulator serves.
type listener struct {
	name string // as printed: "smartpayments-card"
	flag string // its address flag: "smartpayments-card-addr"
	addr string // default address
	help string
}

// The listeners, in the order they are printed.
var listeners = []listener{
	{"smartpayments", "smartpayments-addr", "127.0.0.1:12111", "SmartPayments API host (the driver's BaseURL)"},
	{"smartpayments-card", "smartpayments-card-addr", "127.0.0.1:12112", "SmartPayments card-data host (CardBaseURL)"},
	{"smartpayments-export", "smartpayments-export-addr", "127.0.0.1:12113", "SmartPayments export host (ExportBaseURL)"},
	{"smartpayments-form", "smartpayments-form-addr", "127.0.0.1:12114", "SmartPayments customer pages (form_url)"},
	{"smart2pay", "smart2pay-addr", "127.0.0.1:12121", "Smart2Pay alternative-methods host (BaseURL)"},
	{"smart2pay-card", "smart2pay-card-addr", "127.0.0.1:12122", "Smart2Pay direct card host (CardBaseURL)"},
	{"smartpay", "smartpay-addr", "127.0.0.1:12131", "SmartPay API and checkout pages (BaseURL)"},
}

const usageText = `paysim runs the SmartPayments, Smart2Pay and SmartPay simulators as HTTP servers.

It prints "NAME URL" per listener on stdout and logs a line per request on
stderr. Credentials (Basic auth user/password) are the documents' examples:
  SmartPayments              %s / %s
  Smart2Pay alt. methods     %d / %s
  Smart2Pay cards            %d / %s
  SmartPay                   %s / %s
Each listener also serves POST /__paysim/reset, POST /__paysim/complete
{"id","outcome"} and POST /__paysim/notification-url {"url"} (no auth).

Flags:
`

// run parses args, starts the simulators, prints their URLs and serves until
// ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("paysim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), usageText,
			smartpaymentstest.DefaultMerchantKey, smartpaymentstest.DefaultSecret,
			smart2paytest.DefaultSiteID, smart2paytest.DefaultAPIKey,
			smart2paytest.DefaultCardSiteID, smart2paytest.DefaultCardAPIKey,
			smartpaytest.DefaultMerchantKey, smartpaytest.DefaultAuthenticationKey)
		fs.PrintDefaults()
	}
	addrs := make([]*string, len(listeners))
	for i, l := range listeners {
		addrs[i] = fs.String(l.flag, l.addr, l.help)
	}
	spNotify := fs.String("smartpayments-notify", "", "SmartPayments callback URL for transactions created without callback_url (an assumption of the simulator: the API has no merchant-wide one)")
	spExternal := fs.Bool("smartpayments-external-callbacks", false, "let SmartPayments callbacks go to non-loopback hosts")
	s2pNotify := fs.String("smart2pay-notify", "", "Smart2Pay notification URL (none by default)")
	spayNotify := fs.String("smartpay-notify", "", "SmartPay webhook URL (none by default)")
	debug := fs.Bool("debug", false, "also log the simulators' own diagnostics (operations, notifications)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	simLog := slog.New(slog.DiscardHandler)
	if *debug {
		simLog = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	ls := make([]net.Listener, len(listeners))
	names := map[string]string{} // listener port → name, for the request log
	for i, l := range listeners {
		nl, err := net.Listen("tcp", *addrs[i])
		if err != nil {
			for _, open := range ls[:i] {
				_ = open.Close()
			}
			return fmt.Errorf("-%s: %w", l.flag, err)
		}
		ls[i] = nl
		names[port(nl.Addr())] = l.name
	}

	// Each simulator's middleware serves the control endpoints for it, so it
	// needs the simulator, which is built with the middleware: requests wait
	// until ready is closed, once all three are built.
	var sp *smartpaymentstest.Server
	var s2p *smart2paytest.Server
	var spay *smartpaytest.Server
	ready := make(chan struct{})
	wrap := func(ctl func() simulator.Controller) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return logRequests(log, names, control(ready, ctl, next))
		}
	}
	spOpts := []smartpaymentstest.Option{
		smartpaymentstest.WithListeners(ls[0], ls[1], ls[2], ls[3]),
		smartpaymentstest.WithMiddleware(wrap(func() simulator.Controller { return sp })),
		smartpaymentstest.WithLogger(simLog),
	}
	if *spExternal {
		spOpts = append(spOpts, smartpaymentstest.WithExternalNotifications())
	}
	sp = smartpaymentstest.NewServer(spOpts...)
	sp.SetNotificationURL(*spNotify)
	s2p = smart2paytest.NewServer(
		smart2paytest.WithListeners(ls[4], ls[5]),
		smart2paytest.WithMiddleware(wrap(func() simulator.Controller { return s2p })),
		smart2paytest.WithLogger(simLog),
		smart2paytest.WithNotificationURL(*s2pNotify),
	)
	spay = smartpaytest.NewServer(
		smartpaytest.WithListener(ls[6]),
		smartpaytest.WithMiddleware(wrap(func() simulator.Controller { return spay })),
		smartpaytest.WithLogger(simLog),
		smartpaytest.WithNotificationURL(*spayNotify),
	)
	close(ready)

	urls := []string{sp.BaseURL(), sp.CardBaseURL(), sp.ExportBaseURL(), sp.FormURL(), s2p.BaseURL(), s2p.CardBaseURL(), spay.BaseURL()}
	for i, l := range listeners {
		if _, err := fmt.Fprintf(stdout, "%s %s\n", l.name, urls[i]); err != nil {
			return err
		}
	}
	log.Info("paysim: ready; SIGINT or SIGTERM stops it")

	<-ctx.Done()
	log.Info("paysim: shutting down")
	sp.Close()
	s2p.Close()
	spay.Close()
	return nil
}

// control serves the /__paysim/ endpoints for the simulator ctl returns,
// and hands every other request to next. Requests wait until ready is
// closed (the simulators are being built).
func control(ready <-chan struct{}, ctl func() simulator.Controller, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-ready
		op, ok := strings.CutPrefix(r.URL.Path, "/__paysim/")
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			controlError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		var body struct {
			ID      string             `json:"id"`
			Outcome *simulator.Outcome `json:"outcome"`
			URL     *string            `json:"url"`
		}
		if op != "reset" {
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				controlError(w, http.StatusBadRequest, "body: "+err.Error())
				return
			}
		}
		c := ctl()
		switch op {
		case "reset":
			c.Reset()
		case "notification-url":
			if body.URL == nil {
				controlError(w, http.StatusBadRequest, `"url" is required ("" turns notifications off)`)
				return
			}
			c.SetNotificationURL(*body.URL)
		case "complete":
			if body.ID == "" || body.Outcome == nil {
				controlError(w, http.StatusBadRequest, `"id" and "outcome" are required`)
				return
			}
			if err := c.Complete(body.ID, *body.Outcome); err != nil {
				controlError(w, completeStatus(err), err.Error())
				return
			}
		default:
			controlError(w, http.StatusNotFound, "unknown control endpoint; there are /__paysim/reset, /__paysim/complete and /__paysim/notification-url")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// completeStatus is the HTTP status of a failed Complete.
func completeStatus(err error) int {
	switch {
	case errors.Is(err, simulator.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, simulator.ErrWrongState):
		return http.StatusConflict
	case errors.Is(err, errors.ErrUnsupported):
		return http.StatusUnprocessableEntity
	default:
		return http.StatusBadRequest
	}
}

func controlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs a line per request: listener name, method, path (never
// the query, which may carry payment tokens), status and duration.
func logRequests(log *slog.Logger, names map[string]string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		name := "?"
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			name = names[port(a)]
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("sim", name), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

// port returns the port of a TCP address ("" if it has none).
func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}
