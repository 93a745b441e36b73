// Package smartpaybench benchmarks the SmartPay driver. SmartPay takes no
// card data through its API (cards go through its widget), so the
// Authorize benchmarks are the API-only invoice authorization (PAYINVC,
// POST /payment/authorize/) against the simulator next to the floor client,
// and against a server answering the document's example body (for the
// stripe-go comparison); Status is Get Payment Status. Also: webhook
// parsing (ParseNotification) and Notify, which always confirms with a status
// query, and parallel throughput.
package smartpaybench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/bench/internal/benchutil"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
)

// docAuthorize is the document's example answer to POST /payment/authorize/
// (201, 50.99 EUR, CAPTURED), as the simulator's tests keep it.
const docAuthorize = "../../drivers/smartpay/smartpaytest/testdata/doc/authorize_201.json"

func TestMain(m *testing.M) {
	benchutil.Main(m, map[string]benchutil.Servers{
		"sim": func() (map[string]string, func(), func()) {
			s := smartpaytest.NewServer()
			return map[string]string{"api": s.BaseURL()}, s.Reset, s.Close
		},
		"fixed": benchutil.FixedFile(http.StatusCreated, docAuthorize, "api"),
	})
}

// TestBenchmarksRun runs every benchmark once (CI: they compile and work).
func TestBenchmarksRun(t *testing.T) { benchutil.RunBenchmarksOnce(t) }

func newDriver(tb testing.TB, hc *http.Client, base string) *smartpay.Gateway {
	gw, err := smartpay.New(smartpay.Config{
		MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL: base, Origin: "https://shop.example.com", HTTPClient: hc,
		NotificationQueriesPerSecond: -1, // BenchmarkNotify measures Notify, not its query bound
	})
	if err != nil {
		tb.Fatal(err)
	}
	return gw
}

func newGateway(tb testing.TB, hc *http.Client, urls map[string]string) payments.Gateway {
	return newDriver(tb, hc, urls["api"])
}

var invoice = payments.Invoice{Type: payments.InvoicePayUponInvoice}

func request(ref string) *payments.AuthorizeRequest {
	r := benchutil.CardSale(ref, payments.Card{})
	r.Method, r.Capture = invoice, false
	return r
}

// fixedRequest asks for the document example's amount, 50.99 EUR.
func fixedRequest(ref string) *payments.AuthorizeRequest {
	r := request(ref)
	r.Amount, _ = payments.ParseMoney("50.99", "EUR")
	return r
}

// floorAnswer is what a hand-written client reads of a payment answer.
type floorAnswer struct {
	PaymentStatus       string `json:"paymentStatus"`
	TransactionOverview struct {
		TransactionID string      `json:"transactionId"`
		Amount        json.Number `json:"amount"`
		CurrencyCode  string      `json:"currencyCode"`
	} `json:"transactionOverview"`
}

var sim = &benchutil.Driver[floorAnswer]{
	Server: "sim", New: newGateway, Request: request, Prefix: "bench-", Want: payments.StatusAuthorized,
	AuthorizeCall: [2]string{"POST", "/payment/authorize/"}, StatusCall: [2]string{"GET", "/payment/status/"},
	OK: func(a *floorAnswer) bool {
		return a.PaymentStatus == "AUTHORIZATION_COMPLETED" && a.TransactionOverview.TransactionID != ""
	},
}

var fixed = &benchutil.Driver[floorAnswer]{
	Server: "fixed", New: newGateway, Request: fixedRequest, FixedRef: "bench-000000000001", Want: payments.StatusRequiresAction, // the document's CAPTURED prepayment is not paid yet
	AuthorizeCall: [2]string{"POST", "/payment/authorize/"},
	OK:            func(a *floorAnswer) bool { return a.PaymentStatus == "CAPTURED" },
}

// BenchmarkAuthorize is a pay-upon-invoice authorization against the
// simulator.
func BenchmarkAuthorize(b *testing.B) { sim.Authorize(b) }

// BenchmarkStatus is Get Payment Status of an authorized payment.
func BenchmarkStatus(b *testing.B) { sim.Status(b) }

// BenchmarkAuthorizeFixed is the authorization against a server answering
// the document's example (522 bytes), to compare with stripe-go.
func BenchmarkAuthorizeFixed(b *testing.B) { fixed.Authorize(b) }

// BenchmarkAuthorizeParallel is authorization throughput with both cores
// busy.
func BenchmarkAuthorizeParallel(b *testing.B) { sim.AuthorizeParallel(b) }

// BenchmarkParseNotification parses a webhook as the simulator posts it: the
// verify-and-parse step without the confirming status query (SmartPay does
// not sign webhooks; the only local check is the merchantKey and, when
// configured, Basic credentials).
func BenchmarkParseNotification(b *testing.B) {
	header, body, _ := captureWebhook(b)
	benchutil.Notify(b, header, body, func(*http.Request) error {
		ev, err := smartpay.ParseNotification(body) // the parser alone, as a handler holding the body calls it
		if err != nil {
			return err
		}
		if ev.MerchantKey == "" {
			return fmt.Errorf("event %+v", ev)
		}
		return nil
	})
}

// BenchmarkNotify is the whole Notify: parse, then the confirming Get
// Payment Status round trip to the simulator.
func BenchmarkNotify(b *testing.B) {
	header, body, s := captureWebhook(b)
	defer s.Close()
	gw := newDriver(b, benchutil.NewClient(), s.BaseURL())
	ctx := context.Background()
	benchutil.Notify(b, header, body, func(r *http.Request) error {
		n, err := gw.Notify(ctx, r)
		if err != nil {
			return err
		}
		if n.Payment == nil || n.Payment.Status != payments.StatusAuthorized {
			return fmt.Errorf("notification %+v", n)
		}
		return nil
	})
}

// captureWebhook authorizes an invoice on a simulator (in this process)
// that posts webhooks to a local server, and returns the first webhook
// about it and the simulator, still running (the caller closes it).
func captureWebhook(b *testing.B) (http.Header, []byte, *smartpaytest.Server) {
	var (
		mu     sync.Mutex
		header http.Header
		body   []byte
	)
	got := make(chan struct{})
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		mu.Lock()
		if body == nil {
			header, body = r.Header.Clone(), data
			close(got)
		}
		mu.Unlock()
	}))
	b.Cleanup(sink.Close)
	s := smartpaytest.NewServer(smartpaytest.WithNotificationURL(sink.URL))
	b.Cleanup(s.Close)
	gw := newDriver(b, nil, s.BaseURL())
	if _, err := gw.Authorize(context.Background(), request("bench-webhook")); err != nil {
		b.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		b.Fatal("the simulator sent no webhook")
	}
	mu.Lock()
	defer mu.Unlock()
	return header, body, s
}
