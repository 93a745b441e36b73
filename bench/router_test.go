package bench

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/bench/internal/benchutil"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/routing"
)

var benchCard = payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123", Holder: "John Doe"}

// newRouter builds a Router over routes in-memory gateways (drivers/memory). With one route it
// measures the bare machinery; with three, the realistic case: the first
// two filter the payment out (another currency, another country), the third
// takes it.
func newRouter(b *testing.B, routes int) (*payments.Router, *memory.Gateway) {
	target := memory.New(memory.Config{})
	var rs []payments.Route
	if routes == 3 {
		rs = append(rs,
			payments.Route{Name: "usd", Gateway: memory.New(memory.Config{}), Currencies: []payments.Currency{"USD"}, Priority: 1},
			payments.Route{Name: "gb", Gateway: memory.New(memory.Config{}), Countries: []string{"GB"}, Priority: 1},
		)
	}
	rs = append(rs, payments.Route{Name: "target", Gateway: target, Currencies: []payments.Currency{"EUR", "USD"}, Methods: []payments.MethodKind{payments.KindCard}, Priority: 2})
	r, err := payments.NewRouter(rs)
	if err != nil {
		b.Fatal(err)
	}
	return r, target
}

// BenchmarkRouterAuthorize compares calling a gateway's Authorize directly
// (drivers/memory) with calling it through a Router (routing, breaker, reservation and
// ownership in the in-memory Store, the Router's own validation).
func BenchmarkRouterAuthorize(b *testing.B) {
	run := benchAuthorize
	b.Run("impl=direct", func(b *testing.B) { run(b, memory.New(memory.Config{})) })
	b.Run("impl=router1", func(b *testing.B) { r, _ := newRouter(b, 1); run(b, r) })
	b.Run("impl=router3", func(b *testing.B) { r, _ := newRouter(b, 3); run(b, r) })
}

// benchAuthorize makes card sales through gw, each with a new reference.
func benchAuthorize(b *testing.B, gw payments.Gateway) {
	ctx := context.Background()
	req := benchutil.CardSale("", benchCard)
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	defer benchutil.CPU(b)()
	for i := 0; b.Loop(); i++ {
		buf = benchutil.Ref(buf, "bench-", i)
		req.Reference = string(buf)
		p, err := gw.Authorize(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if p.Status != payments.StatusCaptured {
			b.Fatalf("status %s", p.Status)
		}
	}
}

// BenchmarkRouterStatus compares Status directly and through a Router
// (owner lookup, forward-only Store update).
func BenchmarkRouterStatus(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, gw payments.Gateway, id string) {
		req := &payments.StatusRequest{ID: id}
		b.ReportAllocs()
		b.ResetTimer()
		defer benchutil.CPU(b)()
		for b.Loop() {
			p, err := gw.Status(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			if p.Status != payments.StatusCaptured {
				b.Fatalf("status %s", p.Status)
			}
		}
	}
	b.Run("impl=direct", func(b *testing.B) {
		gw := memory.New(memory.Config{})
		p, err := gw.Authorize(ctx, benchutil.CardSale("bench-000000000001", benchCard))
		if err != nil {
			b.Fatal(err)
		}
		run(b, gw, p.ID)
	})
	b.Run("impl=router1", func(b *testing.B) {
		r, _ := newRouter(b, 1)
		p, err := r.Authorize(ctx, benchutil.CardSale("bench-000000000001", benchCard))
		if err != nil {
			b.Fatal(err)
		}
		run(b, r, p.ID)
	})
}

// BenchmarkRouterAuthorizeParallel is Router throughput over in-memory gateways
// with every core busy (the Store and the breakers are shared).
func BenchmarkRouterAuthorizeParallel(b *testing.B) {
	r, _ := newRouter(b, 3)
	ctx := context.Background()
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := benchutil.CardSale("", benchCard)
		var buf []byte
		for pb.Next() {
			buf = benchutil.Ref(buf, "bench-", int(seq.Add(1)))
			r2 := *req
			r2.Reference = string(buf)
			if _, err := r.Authorize(ctx, &r2); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkValidateAuthorize is the request validation every driver (and
// the Router) runs before any I/O.
func BenchmarkValidateAuthorize(b *testing.B) {
	req := benchutil.CardSale("bench-000000000001", benchCard)
	b.ReportAllocs()
	for b.Loop() {
		if err := req.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouterStrategy is the cost of the learning strategy
// (routing.AuthRate with its defaults) over the static order: three
// routes over in-memory gateways that all accept the payment, so that
// there is something to order; the first one approves it.
func BenchmarkRouterStrategy(b *testing.B) {
	build := func(b *testing.B, opts ...payments.RouterOption) *payments.Router {
		r, err := payments.NewRouter([]payments.Route{
			{Name: "a", Gateway: memory.New(memory.Config{}), Priority: 0},
			{Name: "b", Gateway: memory.New(memory.Config{}), Priority: 1},
			{Name: "c", Gateway: memory.New(memory.Config{}), Priority: 2},
		}, opts...)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("impl=static", func(b *testing.B) { benchAuthorize(b, build(b)) })
	b.Run("impl=authrate", func(b *testing.B) {
		s, err := routing.NewAuthRate(routing.WithSeed(1))
		if err != nil {
			b.Fatal(err)
		}
		benchAuthorize(b, build(b, payments.WithStrategy(s)))
	})
}
