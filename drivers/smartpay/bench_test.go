package smartpay_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
)

// SmartPay takes no card data through its API (cards are entered in its
// widget), so the "sale" benchmark is the synchronous one-step sale the
// API offers: a pay-upon-invoice authorization captured at once (two
// round trips), against the simulator over loopback HTTP.
func BenchmarkAuthorizeSale(b *testing.B) {
	sim := smartpaytest.NewServer()
	defer sim.Close()
	g := newGateway(b, sim)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req := withCapture(invoiceRequest("bench-"+strconv.Itoa(i), payments.InvoicePayUponInvoice, "Doe"))
		if _, err := g.Authorize(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorizeInvoice is one API-only authorization (one round trip).
func BenchmarkAuthorizeInvoice(b *testing.B) {
	sim := smartpaytest.NewServer()
	defer sim.Close()
	g := newGateway(b, sim)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := g.Authorize(ctx, invoiceRequest("bench-"+strconv.Itoa(i), payments.InvoicePrepayment, "Doe")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatus is one Get Payment Status of a captured and partly
// refunded payment (history of three entries).
func BenchmarkStatus(b *testing.B) {
	sim := smartpaytest.NewServer()
	defer sim.Close()
	g := newGateway(b, sim)
	ctx := context.Background()
	p, err := g.Authorize(ctx, withCapture(invoiceRequest("bench-status", payments.InvoicePayUponInvoice, "Doe")))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(b, "1.00"))}); err != nil {
		b.Fatal(err)
	}
	req := &payments.StatusRequest{ID: p.ID}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Status(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
