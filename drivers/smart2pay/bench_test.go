package smart2pay_test

import (
	"strconv"
	"testing"

	"github.com/gopayments/payments"
)

// BenchmarkAuthorizeCardSale measures a one-step card sale against the
// simulator over loopback HTTP: request validation, JSON encoding, the
// round trip and the mapping of the answer.
func BenchmarkAuthorizeCardSale(b *testing.B) {
	_, gw := newSim(b)
	ctx := ctxT(b)
	amount := money(b, "20.00", "EUR")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, err := gw.Authorize(ctx, &payments.AuthorizeRequest{Reference: "bench-" + strconv.Itoa(i), Amount: amount, Capture: true, Method: testCard()})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatus measures GET /v1/payments/{id} against the simulator.
func BenchmarkStatus(b *testing.B) {
	_, gw := newSim(b)
	ctx := ctxT(b)
	p, err := gw.Authorize(ctx, cardRequest(b, "bench-status", "20.00", true))
	if err != nil {
		b.Fatal(err)
	}
	req := &payments.StatusRequest{ID: p.ID}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gw.Status(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
