package paymentsotel_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	paymentsotel "github.com/gopayments/payments/otel"
)

// Example wires the Observer into a Router. In production, leave out the
// options to use the global providers your OpenTelemetry setup installed
// (otel.SetTracerProvider, otel.SetMeterProvider); here in-memory ones
// show what is recorded.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	ctx := context.Background()
	defer func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) }()

	obs, err := paymentsotel.New(paymentsotel.WithTracerProvider(tp), paymentsotel.WithMeterProvider(mp))
	if err != nil {
		fmt.Println(err)
		return
	}
	router, err := payments.NewRouter([]payments.Route{{Name: "primary", Gateway: memory.New(memory.Config{})}},
		payments.WithObserver(obs))
	if err != nil {
		fmt.Println(err)
		return
	}

	// The caller's span (an HTTP server's, say) is the parent of the
	// gateway call's span.
	amount, err := payments.ParseMoney("12.50", "EUR")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, checkout := tp.Tracer("shop").Start(ctx, "checkout")
	for i, card := range []payments.CardNumber{memory.CardApproved, memory.CardInsufficientFunds} {
		_, err := router.Authorize(ctx, &payments.AuthorizeRequest{
			Reference: fmt.Sprintf("order-%d", i+1),
			Amount:    amount,
			Method:    payments.Card{Number: card, Holder: "Jane Doe", ExpiryMonth: "12", ExpiryYear: "2099", CVV: "123"},
		})
		fmt.Printf("authorize: %q\n", string(payments.CodeOf(err)))
	}
	checkout.End()

	for _, s := range spans.Ended() {
		if s.Parent().SpanID() == checkout.SpanContext().SpanID() {
			fmt.Println("span:", s.Name(), s.Status().Code)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == paymentsotel.MetricAttempts {
				var n int64
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					n += dp.Value
				}
				fmt.Println(m.Name+":", n)
			}
		}
	}
	// Output:
	// authorize: ""
	// authorize: "declined"
	// span: payments authorize Unset
	// span: payments authorize Unset
	// payments.attempts: 2
}
