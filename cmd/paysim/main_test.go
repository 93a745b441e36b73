package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// merchant records the notifications the simulators send, by path.
type merchant struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newMerchant(t *testing.T) *merchant {
	m := &merchant{got: map[string]int{}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		m.mu.Lock()
		m.got[r.URL.Path]++
		m.mu.Unlock()
		if r.URL.Path == "/smartpayments" {
			w.WriteHeader(http.StatusOK) // SmartPayments counts only 200 as delivered
			return
		}
		w.WriteHeader(http.StatusNoContent) // Smart2Pay wants 204
	}))
	t.Cleanup(m.Close)
	return m
}

// waitFor waits until every path received a notification, or fails after a
// generous guard (not a timing assertion: delivery is asynchronous).
func (m *merchant) waitFor(t *testing.T, paths ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m.mu.Lock()
		missing := []string{}
		for _, p := range paths {
			if m.got[p] == 0 {
				missing = append(missing, p)
			}
		}
		m.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification at %v", missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// paysim is the running binary.
type paysim struct {
	cmd    *exec.Cmd
	urls   map[string]string
	stderr *syncBuffer
	done   chan error
}

// freePorts are flags that put every listener on a free loopback port.
func freePorts() []string {
	var args []string
	for _, l := range listeners {
		args = append(args, "-"+l.flag, "127.0.0.1:0")
	}
	return args
}

// startPaysim builds the command into a temporary directory and starts it
// on free loopback ports; the process is stopped when the test ends.
func startPaysim(t *testing.T, extra ...string) *paysim {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "paysim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := &paysim{cmd: exec.Command(bin, append(freePorts(), extra...)...), urls: map[string]string{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	guard := time.After(60 * time.Second)
	for len(p.urls) < len(listeners) {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("paysim exited before printing its URLs; stderr:\n%s", p.stderr)
			}
			name, url, found := strings.Cut(line, " ")
			if !found || !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("unexpected line %q", line)
			}
			p.urls[name] = url
		case <-guard:
			t.Fatalf("paysim printed no URLs; stderr:\n%s", p.stderr)
		}
	}
	go func() { // drain the rest of stdout
		for range lines {
		}
	}()
	return p
}

// stop sends SIGINT and returns the process's exit error.
func (p *paysim) stop(t *testing.T) error {
	t.Helper()
	if runtime.GOOS == "windows" {
		_ = p.cmd.Process.Kill()
	} else if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("paysim did not stop after SIGINT")
		return nil
	}
}

// post POSTs body to a /__paysim/ endpoint and returns the HTTP status.
func post(t *testing.T, base, op, body string) int {
	t.Helper()
	resp, err := http.Post(base+"/__paysim/"+op, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func wantStatus(t *testing.T, what string, p *payments.Payment, err error, want payments.Status) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if p.Status != want {
		t.Fatalf("%s: status %s, want %s", what, p.Status, want)
	}
}

func eur(t *testing.T, s string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(s, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The binary, started as a user would, serves each real driver: an
// authorization, its status, and the customer's part completed over HTTP
// with a Router ID; notifications reach the targets given as flags; state
// resets over HTTP; SIGINT stops it cleanly.
func TestBinaryServesTheDrivers(t *testing.T) {
	shop := newMerchant(t)
	sim := startPaysim(t,
		"-smartpayments-notify", shop.URL+"/smartpayments",
		"-smart2pay-notify", shop.URL+"/smart2pay",
		"-smartpay-notify", shop.URL+"/smartpay")
	ctx := context.Background()

	t.Run("smartpayments", func(t *testing.T) {
		gw, err := smartpayments.New(smartpayments.Config{
			MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
			Account: "EUR-sandbox", MerchantSite: "https://shop.example",
			BaseURL: sim.urls["smartpayments"], CardBaseURL: sim.urls["smartpayments-card"], ExportBaseURL: sim.urls["smartpayments-export"],
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: "order-3ds", Amount: eur(t, "30.00"), Capture: true,
			Method: payments.Card{Number: smartpaymentstest.CardChallenge, Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "30", CVV: "123"},
			Customer: &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john@example.com",
				Phone: "+442079460612", IP: "203.0.113.7"},
			BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		})
		wantStatus(t, "authorize", p, err, payments.StatusRequiresAction)
		if p.Action == nil || !strings.HasPrefix(p.Action.URL, sim.urls["smartpayments-form"]+"/") {
			t.Fatalf("action %+v, want a page on the form listener", p.Action)
		}
		if got := post(t, sim.urls["smartpayments"], "complete", `{"id": "eu-cards:`+p.ID+`", "outcome": "success"}`); got != http.StatusNoContent {
			t.Fatalf("complete: HTTP %d", got)
		}
		p, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
		wantStatus(t, "status", p, err, payments.StatusCaptured)
		if got := post(t, sim.urls["smartpayments-form"], "complete", `{"id": "`+p.ID+`", "outcome": "success"}`); got != http.StatusConflict {
			t.Errorf("second complete: HTTP %d, want 409", got)
		}
	})

	t.Run("smart2pay", func(t *testing.T) {
		gw, err := smart2pay.New(smart2pay.Config{
			SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
			CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
			BaseURL: sim.urls["smart2pay"], CardBaseURL: sim.urls["smart2pay-card"],
		})
		if err != nil {
			t.Fatal(err)
		}
		card, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: "order-card", Amount: eur(t, "20.00"), Capture: true,
			Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2030", CVV: "312"},
		})
		wantStatus(t, "card sale", card, err, payments.StatusCaptured)
		card, err = gw.Status(ctx, &payments.StatusRequest{ID: card.ID})
		wantStatus(t, "card status", card, err, payments.StatusCaptured)

		hp, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: "order-page", Amount: eur(t, "20.00"), Capture: true, Method: payments.HostedPage{},
			ReturnURLs: payments.ReturnURLs{Success: "https://shop.example/return"}, BillingAddress: &payments.Address{Country: "DE"},
		})
		wantStatus(t, "hosted page", hp, err, payments.StatusRequiresAction)
		if got := post(t, sim.urls["smart2pay-card"], "complete", `{"id": "s2p:`+hp.ID+`", "outcome": "success"}`); got != http.StatusNoContent {
			t.Fatalf("complete: HTTP %d", got)
		}
		hp, err = gw.Status(ctx, &payments.StatusRequest{ID: hp.ID})
		wantStatus(t, "hosted page status", hp, err, payments.StatusCaptured)

		if got := post(t, sim.urls["smart2pay"], "complete", `{"id": "s2p:404404", "outcome": "success"}`); got != http.StatusNotFound {
			t.Errorf("complete of an unknown payment: HTTP %d, want 404", got)
		}
		if got := post(t, sim.urls["smart2pay"], "complete", `{"id": "`+hp.ID+`", "outcome": "maybe"}`); got != http.StatusBadRequest {
			t.Errorf("unknown outcome: HTTP %d, want 400", got)
		}
		shop.waitFor(t, "/smart2pay") // before the reset drops queued notifications
		if got := post(t, sim.urls["smart2pay"], "reset", ""); got != http.StatusNoContent {
			t.Fatalf("reset: HTTP %d", got)
		}
		if _, err := gw.Status(ctx, &payments.StatusRequest{ID: hp.ID}); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("status after reset: %v, want ErrNotFound", err)
		}
	})

	t.Run("smartpay", func(t *testing.T) {
		gw, err := smartpay.New(smartpay.Config{
			MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
			BaseURL: sim.urls["smartpay"], Origin: "https://shop.example",
		})
		if err != nil {
			t.Fatal(err)
		}
		checkout := func(ref string) *payments.Payment {
			p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
				Reference: ref, Amount: eur(t, "49.99"), Method: payments.HostedPage{},
				Customer:       &payments.Customer{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
				BillingAddress: &payments.Address{Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE"},
			})
			wantStatus(t, "checkout "+ref, p, err, payments.StatusRequiresAction)
			return p
		}
		p := checkout("order-widget")
		if got := post(t, sim.urls["smartpay"], "complete", fmt.Sprintf(`{"id": %q, "outcome": "cancel"}`, p.ID)); got != http.StatusUnprocessableEntity {
			t.Errorf("cancel: HTTP %d, want 422 (SmartPay has no cancelled checkout)", got)
		}
		if got := post(t, sim.urls["smartpay"], "complete", fmt.Sprintf(`{"id": "smartpay:%s", "outcome": "failure"}`, p.ID)); got != http.StatusNoContent {
			t.Fatalf("complete: HTTP %d", got)
		}
		p, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
		wantStatus(t, "status", p, err, payments.StatusFailed)

		// The notification target can change at run time.
		if got := post(t, sim.urls["smartpay"], "notification-url", `{"url": "`+shop.URL+`/smartpay-later"}`); got != http.StatusNoContent {
			t.Fatalf("notification-url: HTTP %d", got)
		}
		p = checkout("order-widget-2")
		if got := post(t, sim.urls["smartpay"], "complete", fmt.Sprintf(`{"id": %q, "outcome": "success"}`, p.ID)); got != http.StatusNoContent {
			t.Fatalf("complete: HTTP %d", got)
		}
		p, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
		wantStatus(t, "status", p, err, payments.StatusAuthorized)
	})

	shop.waitFor(t, "/smartpayments", "/smart2pay", "/smartpay", "/smartpay-later")

	if err := sim.stop(t); err != nil {
		t.Errorf("exit after SIGINT: %v\nstderr:\n%s", err, sim.stderr)
	}
	log := sim.stderr.String()
	for _, want := range []string{
		"msg=request sim=smartpayments-card method=POST path=/initPaymentHost2Host status=200",
		"msg=request sim=smartpayments method=POST path=/__paysim/complete status=204",
		"msg=request sim=smart2pay method=GET path=/v1/payments/",
		"msg=request sim=smartpay method=POST path=/payment/creation status=201",
		`msg="paysim: shutting down"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, "unexpected arguments"},
		{"bad address", []string{"-smartpay-addr", "not an address"}, "-smartpay-addr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append(freePorts(), tc.args...), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want an error with %q", tc.args, err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}
