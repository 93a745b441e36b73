// Package smart2paybench benchmarks the Smart2Pay driver: Authorize (card
// sale) and Status against its simulator next to the floor client, Authorize
// against a server answering the document's example body (for the
// stripe-go comparison), notification verify-and-parse, and parallel
// throughput.
package smart2paybench

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/bench/internal/benchutil"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// docCreateCard is the document's example answer to a direct card sale
// (201, 11 Captured, 20.00 EUR, MerchantTransactionID s2ptest_h2), as the
// simulator's tests keep it.
const docCreateCard = "../../drivers/smart2pay/smart2paytest/testdata/doc/create_card_201.json"

func TestMain(m *testing.M) {
	benchutil.Main(m, map[string]benchutil.Servers{
		"sim": func() (map[string]string, func(), func()) {
			s := smart2paytest.NewServer()
			return map[string]string{"apm": s.BaseURL(), "card": s.CardBaseURL()}, s.Reset, s.Close
		},
		"fixed": benchutil.FixedFile(http.StatusCreated, docCreateCard, "card", "apm"),
	})
}

// TestBenchmarksRun runs every benchmark once (CI: they compile and work).
func TestBenchmarksRun(t *testing.T) { benchutil.RunBenchmarksOnce(t) }

func newGateway(tb testing.TB, hc *http.Client, urls map[string]string) payments.Gateway {
	gw, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: urls["apm"], CardBaseURL: urls["card"], HTTPClient: hc,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return gw
}

var card = payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2030", CVV: "312"}

func request(ref string) *payments.AuthorizeRequest { return benchutil.CardSale(ref, card) }

// floorPayment is what a hand-written client reads of an answer.
type floorPayment struct {
	Payment struct {
		ID                    int64
		MerchantTransactionID string
		Amount                int64
		Currency              string
		Status                struct {
			ID   int
			Info string
		}
	}
}

func captured(p *floorPayment) bool { return p.Payment.Status.ID == 11 && p.Payment.ID != 0 }

var sim = &benchutil.Driver[floorPayment]{
	Server: "sim", New: newGateway, Request: request, Prefix: "bench-", Want: payments.StatusCaptured,
	AuthorizeCall: [2]string{"POST", "/v1/payments"}, StatusCall: [2]string{"GET", "/v1/payments/"},
	OK: captured,
}

var fixed = &benchutil.Driver[floorPayment]{
	Server: "fixed", New: newGateway, Request: request, FixedRef: "s2ptest_h2", Want: payments.StatusCaptured,
	AuthorizeCall: [2]string{"POST", "/v1/payments"}, OK: captured,
}

// BenchmarkAuthorize is a direct card sale against the simulator.
func BenchmarkAuthorize(b *testing.B) { sim.Authorize(b) }

// BenchmarkStatus is GET /v1/payments/{id} of a captured card payment.
func BenchmarkStatus(b *testing.B) { sim.Status(b) }

// BenchmarkAuthorizeFixed is the card sale against a server answering the
// document's example body (962 bytes), to compare with stripe-go.
func BenchmarkAuthorizeFixed(b *testing.B) { fixed.Authorize(b) }

// BenchmarkAuthorizeParallel is card-sale throughput with both cores busy.
func BenchmarkAuthorizeParallel(b *testing.B) { sim.AuthorizeParallel(b) }

// BenchmarkNotify verifies (Basic credentials, constant time) and parses a
// payment notification as the simulator sends it; Smart2Pay notifications
// are not re-queried, so no round trip is involved. The floor is the
// hand-written equivalent: read the body, compare the Authorization header
// in constant time, decode the few fields a merchant reads.
func BenchmarkNotify(b *testing.B) {
	header, body := captureNotification(b)
	b.Run("impl=floor", func(b *testing.B) {
		want := []byte(header.Get("Authorization"))
		benchutil.Notify(b, header, body, func(r *http.Request) error {
			data, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				return errors.New("unverified")
			}
			var v floorPayment
			if err := json.Unmarshal(data, &v); err != nil {
				return err
			}
			if !captured(&v) {
				return fmt.Errorf("notification %+v", v)
			}
			return nil
		})
	})
	b.Run("impl=ours", func(b *testing.B) {
		gw := newGateway(b, nil, map[string]string{"apm": "http://127.0.0.1:1", "card": "http://127.0.0.1:1"})
		ctx := context.Background()
		benchutil.Notify(b, header, body, func(r *http.Request) error {
			n, err := gw.Notify(ctx, r)
			if err != nil {
				return err
			}
			if n.Payment == nil || n.Payment.Status != payments.StatusCaptured {
				return fmt.Errorf("notification %+v", n)
			}
			return nil
		})
	})
}

// captureNotification makes a card sale on a simulator that notifies a
// local server, and returns the first payment notification it posted.
func captureNotification(b *testing.B) (http.Header, []byte) {
	var (
		mu     sync.Mutex
		header http.Header
		body   []byte
	)
	got := make(chan struct{})
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		mu.Lock()
		if body == nil && bytes.Contains(data, []byte(`"Payment"`)) {
			header, body = r.Header.Clone(), data
			close(got)
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer sink.Close()
	s := smart2paytest.NewServer(smart2paytest.WithNotificationURL(sink.URL))
	defer s.Close()
	gw := newGateway(b, nil, map[string]string{"apm": s.BaseURL(), "card": s.CardBaseURL()})
	if _, err := gw.Authorize(context.Background(), request("bench-notify")); err != nil {
		b.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		b.Fatal("the simulator sent no payment notification")
	}
	mu.Lock()
	defer mu.Unlock()
	return header, body
}
