package bench

import (
	_ "embed"
	"net/http"
	"testing"

	"github.com/gopayments/payments/bench/internal/benchutil"
)

// stripePaymentIntent is a confirmed card PaymentIntent as Stripe's API
// reference shows the object (status succeeded, one charge).
//
//go:embed testdata/stripe_payment_intent.json
var stripePaymentIntent []byte

func TestMain(m *testing.M) {
	benchutil.Main(m, map[string]benchutil.Servers{
		"stripe": func() (map[string]string, func(), func()) {
			urls, closeFn := benchutil.Handlers(map[string]http.Handler{
				"api": benchutil.FixedServer(http.StatusOK, stripePaymentIntent),
			})
			return urls, nil, closeFn
		},
	})
}

// TestBenchmarksRun runs every benchmark once: CI does not run them for
// timing, but they must keep compiling and working.
func TestBenchmarksRun(t *testing.T) { benchutil.RunBenchmarksOnce(t) }
