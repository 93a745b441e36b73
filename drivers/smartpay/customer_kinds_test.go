package smartpay

import (
	"context"
	"testing"

	"github.com/gopayments/payments"
)

// A buyer who is both a consumer (birth date, phone) and a business
// (company) is refused before anything is sent: SmartPay takes consumer or
// businessConsumer, never both.
func TestBothConsumerKindsRefused(t *testing.T) {
	for _, c := range []*payments.Customer{
		{Email: "billing@acme.example", BirthDate: "1979-12-22", Company: &payments.Company{Name: "ACME GmbH"}},
		{Email: "billing@acme.example", Phone: "+4989123456", Company: &payments.Company{Name: "ACME GmbH"}},
	} {
		ct := &captureTransport{}
		g := newTestGateway(t, ct)
		req := prepaymentRequest(t)
		req.Customer = c
		_, err := g.Authorize(context.Background(), req)
		pe, ok := err.(*payments.Error)
		if !ok || pe.Code != payments.InvalidRequest || pe.Field != "customer" {
			t.Fatalf("error %v, want invalid_request naming customer", err)
		}
		if n := len(ct.requests); n != 0 {
			t.Fatalf("%d requests sent", n)
		}
	}
}
