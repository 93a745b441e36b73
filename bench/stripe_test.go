package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v85"

	"github.com/gopayments/payments/bench/internal/benchutil"
)

// stripeClient is stripe-go as a user builds it, pointed at the fixed-body
// server over the same transport settings our drivers use. Everything else
// is stripe-go's default (2 network retries, so it sends an Idempotency-Key
// on every POST; telemetry off); only its logger is silenced.
func stripeClient(b *testing.B, rec *benchutil.Recorder) *stripe.Client {
	url := benchutil.Spawn(b, "stripe").URL(b, "api")
	hc := benchutil.NewClient()
	if rec != nil {
		rec.Next = hc.Transport
		hc.Transport = rec
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:           stripe.String(url),
		HTTPClient:    hc,
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return stripe.NewClient("sk_test_bench", stripe.WithBackends(&stripe.Backends{API: backend, Connect: backend, Uploads: backend, MeterEvents: backend}))
}

func stripeParams(ref string) *stripe.PaymentIntentCreateParams {
	p := &stripe.PaymentIntentCreateParams{
		Amount:        stripe.Int64(2000),
		Currency:      stripe.String(string(stripe.CurrencyEUR)),
		PaymentMethod: stripe.String("pm_card_visa"),
		Confirm:       stripe.Bool(true),
		Description:   stripe.String("Benchmark order"),
		ReceiptEmail:  stripe.String("john.doe@example.com"),
	}
	p.AddMetadata("order_id", ref)
	return p
}

// BenchmarkStripe is the peer: stripe-go creating and confirming a card
// PaymentIntent against a local server answering a fixed PaymentIntent body
// (1.4 kB), next to the floor client replaying stripe-go's request bytes to
// the same server. Our drivers' counterparts are the AuthorizeFixed
// benchmarks of the driver packages.
func BenchmarkStripe(b *testing.B) {
	b.Run("impl=floor", stripeFloor)
	b.Run("impl=stripe-go", stripeGo)
}

func stripeGo(b *testing.B) {
	sc := stripeClient(b, nil)
	ctx := context.Background()
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	defer benchutil.CPU(b)()
	for i := 0; b.Loop(); i++ {
		buf = benchutil.Ref(buf, "bench-", i)
		pi, err := sc.V1PaymentIntents.Create(ctx, stripeParams(string(buf)))
		if err != nil {
			b.Fatal(err)
		}
		if pi.Status != stripe.PaymentIntentStatusSucceeded {
			b.Fatalf("status %s", pi.Status)
		}
	}
}

// stripeFloor replays stripe-go's request bytes with the hand-written floor
// client against the same fixed-body server, so the peer's own overhead can
// be read the same way as ours.
func stripeFloor(b *testing.B) {
	rec := &benchutil.Recorder{}
	sc := stripeClient(b, rec)
	if _, err := sc.V1PaymentIntents.Create(context.Background(), stripeParams("bench-000000000000")); err != nil {
		b.Fatal(err)
	}
	q, ok := rec.Last("POST", "/v1/payment_intents")
	if !ok {
		b.Fatal("stripe-go sent no request")
	}
	floor, err := benchutil.NewFloor(benchutil.NewClient(), q, "bench-000000000000")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var buf []byte
	var pi struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer benchutil.CPU(b)()
	for i := 0; b.Loop(); i++ {
		buf = benchutil.Ref(buf, "bench-", i)
		if _, err := floor.Do(ctx, string(buf), &pi); err != nil {
			b.Fatal(err)
		}
		if !strings.EqualFold(pi.Status, "succeeded") {
			b.Fatalf("status %s", pi.Status)
		}
	}
}
