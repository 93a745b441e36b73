package smartpayments_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// BenchmarkAuthorizeSale is a card sale against the simulator over
// loopback HTTP (request building, validation, JSON, HTTP, mapping).
func BenchmarkAuthorizeSale(b *testing.B) {
	_, g := newSim(b, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p, err := g.Authorize(ctx, request(b, fmt.Sprintf("bench-%d", i), "10.00", smartpaymentstest.CardFrictionless, true))
		if err != nil || p.Status != payments.StatusCaptured {
			b.Fatal(p, err)
		}
	}
}

// BenchmarkStatus is a /check against the simulator.
func BenchmarkStatus(b *testing.B) {
	_, g := newSim(b, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	if _, err := g.Authorize(ctx, request(b, "bench-status", "10.00", smartpaymentstest.CardFrictionless, true)); err != nil {
		b.Fatal(err)
	}
	req := &payments.StatusRequest{ID: "bench-status"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.Status(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
