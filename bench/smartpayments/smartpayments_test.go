// Package smartpaymentsbench benchmarks the SmartPayments driver:
// Authorize (card sale, /initPaymentHost2Host) and Status (/check) against
// its simulator next to the floor client, Authorize against a server
// answering the document's example body (for the stripe-go comparison),
// Notify, and parallel throughput.
package smartpaymentsbench

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/bench/internal/benchutil"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// docHost2Host is the document's example answer to /initPaymentHost2Host
// (drivers/smartpayments/testdata/cassettes/DocHost2HostCard.yaml): a 3-D
// Secure redirect, 300 bytes, the only payment answer the document shows.
const docHost2Host = `{"form_url":"https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d","threeDSMethodData":null,"order_id":"64a7eec2d46c5db10d082b3d","status":1,"stage":null,"description":"","endDate":null,"responseType":"REDIRECT","err":null,"msg":null,"paReq":null,"creq":null,"md":null,"termUrl":null,"acsurl":null}`

func TestMain(m *testing.M) {
	benchutil.Main(m, map[string]benchutil.Servers{
		"sim": func() (map[string]string, func(), func()) {
			// WithImmediateResults: the frictionless card answers status 2
			// at once (an assumption of the simulator's; the document
			// answers 1 + REDIRECT, which the driver then reads back with
			// /check), so both clients measure one call.
			s := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithImmediateResults())
			return map[string]string{"gateway": s.BaseURL(), "card": s.CardBaseURL(), "export": s.ExportBaseURL()}, s.Reset, s.Close
		},
		"fixed": benchutil.Fixed(http.StatusOK, []byte(docHost2Host), "card", "gateway", "export"),
	})
}

// TestBenchmarksRun runs every benchmark once (CI: they compile and work).
func TestBenchmarksRun(t *testing.T) { benchutil.RunBenchmarksOnce(t) }

func newDriver(tb testing.TB, hc *http.Client, urls map[string]string) *smartpayments.Gateway {
	gw, err := smartpayments.New(smartpayments.Config{
		MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
		Account: "EUR-sandbox", MerchantSite: "https://shop.example.com",
		BaseURL: urls["gateway"], CardBaseURL: urls["card"], ExportBaseURL: urls["export"], HTTPClient: hc,
		NotificationQueriesPerSecond: -1, // BenchmarkNotify measures Notify, not its query bound
	})
	if err != nil {
		tb.Fatal(err)
	}
	return gw
}

func newGateway(tb testing.TB, hc *http.Client, urls map[string]string) payments.Gateway {
	return newDriver(tb, hc, urls)
}

var card = payments.Card{Holder: "John Doe", Number: smartpaymentstest.CardFrictionless, ExpiryMonth: "02", ExpiryYear: "30", CVV: "123"}

func request(ref string) *payments.AuthorizeRequest { return benchutil.CardSale(ref, card) }

// floorAnswer is what a hand-written client reads of /initPaymentHost2Host
// and /check answers.
type floorAnswer struct {
	OrderID string `json:"order_id"`
	Status  int    `json:"status"`
	Err     string `json:"err"`
}

var sim = &benchutil.Driver[floorAnswer]{
	Server: "sim", New: newGateway, Request: request, Prefix: "bench-", Want: payments.StatusCaptured,
	AuthorizeCall: [2]string{"POST", "/initPaymentHost2Host"}, StatusCall: [2]string{"POST", "/check"},
	OK: func(a *floorAnswer) bool { return a.Status == 2 },
}

var fixed = &benchutil.Driver[floorAnswer]{
	Server: "fixed", New: newGateway, Request: request, Prefix: "bench-", Want: payments.StatusRequiresAction,
	AuthorizeCall: [2]string{"POST", "/initPaymentHost2Host"},
	OK:            func(a *floorAnswer) bool { return a.Status == 1 && a.OrderID != "" },
}

// BenchmarkAuthorize is a frictionless one-step card sale against the
// simulator.
func BenchmarkAuthorize(b *testing.B) { sim.Authorize(b) }

// BenchmarkStatus is /check of a captured payment.
func BenchmarkStatus(b *testing.B) { sim.Status(b) }

// BenchmarkStatusFloorPlusWork is the Status floor with 0–40 µs of busy CPU
// added per call: how much wall time a µs of client CPU costs here.
func BenchmarkStatusFloorPlusWork(b *testing.B) {
	sim.StatusFloorPlusWork(b, 0, 5*time.Microsecond, 10*time.Microsecond, 20*time.Microsecond, 40*time.Microsecond)
}

// BenchmarkAuthorizeFixed is the card sale against a server answering the
// document's example (a 3-D Secure redirect), to compare with stripe-go.
func BenchmarkAuthorizeFixed(b *testing.B) { fixed.Authorize(b) }

// BenchmarkAuthorizeParallel is card-sale throughput with both cores busy.
func BenchmarkAuthorizeParallel(b *testing.B) { sim.AuthorizeParallel(b) }

// BenchmarkNotify handles a callback. SmartPayments callbacks are not
// signed, so Notify trusts only a /check of the order it names: this is
// parse + one /check round trip to the simulator, not parsing alone (the
// parser is unexported).
func BenchmarkNotify(b *testing.B) {
	c := benchutil.Spawn(b, "sim")
	c.Reset(b)
	gw := newDriver(b, benchutil.NewClient(), c.URLs)
	ctx := context.Background()
	const ref = "bench-000000000001"
	if _, err := gw.Authorize(ctx, request(ref)); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"orderId":"` + ref + `","status":2}`)
	benchutil.Notify(b, http.Header{"Content-Type": {"application/json"}}, body, func(r *http.Request) error {
		n, err := gw.Notify(ctx, r)
		if err != nil {
			return err
		}
		if n.Payment == nil || n.Payment.Status != payments.StatusCaptured {
			return fmt.Errorf("notification %+v", n)
		}
		return nil
	})
}
