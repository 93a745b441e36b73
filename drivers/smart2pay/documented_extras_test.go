package smart2pay_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// docArticles is Payment.Articles of the document's capture answer, verbatim
// (seed 002_c6b29c27df04218d.txt l.402–412).
const docArticles = `[
      {
        "MerchantArticleID": "1231",
        "Name": "TEST",
        "Quantity": 1,
        "Price": 1000,
        "VAT": 1000,
        "Discount": 200,
        "Type": 1
      }
    ]`

// TestArticlesSentAsDocumented: AuthorizeOptions.Articles goes out in the
// document's own spelling, and the simulator keeps them with the payment.
func TestArticlesSentAsDocumented(t *testing.T) {
	article := smart2pay.Article{MerchantArticleID: "1231", Name: "TEST", Quantity: 1, Price: 1000, VAT: 1000, Discount: 200, Type: 1}
	// The document's Klarna payment (l.352–427): Amount 980 EUR, MethodID 75.
	req := apmRequest(t, "s2ptest_2", "9.80", "EUR", payments.ProviderMethod{ID: "75"})
	req.ProviderOptions = []any{&smart2pay.AuthorizeOptions{Articles: []smart2pay.Article{article}}}

	w, gw := newWireRecorder(t, map[string]string{
		"POST /apm/v1/payments": `{"Payment":{"ID":2427069,"MerchantTransactionID":"s2ptest_2","Amount":980,"Currency":"EUR","Status":{"ID":1,"Info":"Open","Reasons":null},"RedirectURL":"https://apitest.smart2pay.com/Home?PaymentToken=F3079CC6F820D543AEBA6EAF8912E638.2427069"}}`,
	})
	if _, err := gw.Authorize(ctxT(t), req); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		Payment struct{ Articles json.RawMessage }
	}
	if err := json.Unmarshal(w.last(t).body, &sent); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, sent.Payment.Articles, docArticles)

	// Over real HTTP to the simulator, which echoes them (as the document's
	// answers do).
	_, sgw := newSim(t)
	p, err := sgw.Authorize(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	var echoed struct {
		Payment struct{ Articles json.RawMessage }
	}
	if err := json.Unmarshal(p.Raw, &echoed); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, echoed.Payment.Articles, docArticles)

	// Bad lines are refused before any call.
	before := len(w.all())
	for _, bad := range []smart2pay.Article{{Name: "x"}, {Quantity: 1, Price: -1}} {
		req.ProviderOptions = []any{smart2pay.AuthorizeOptions{Articles: []smart2pay.Article{article, bad}}}
		var pe *payments.Error
		if _, err := gw.Authorize(ctxT(t), req); !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || pe.Field == "" {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if n := len(w.all()); n != before {
		t.Errorf("invalid articles sent %d requests", n-before)
	}
}

// TestRecurringIsUnsupported: recurring payments are documented only by
// name (PROVIDERS.md §2): refused with ErrUnsupported before any call.
func TestRecurringIsUnsupported(t *testing.T) {
	sim, gw := newSim(t)
	req := cardRequest(t, "rec-1", "20.00", true)
	req.Recurring = &payments.Recurring{FrequencyDays: 30}
	p, err := gw.Authorize(ctxT(t), req)
	var pe *payments.Error
	if p != nil || !errors.As(err, &pe) || pe.Code != payments.Unsupported || pe.Field != "recurring" {
		t.Fatalf("(%+v, %v)", p, err)
	}
	if ops := sim.Operations(); len(ops) != 0 {
		t.Fatalf("sent: %+v", ops)
	}
	if gw.Capabilities().ThreeDS {
		t.Error("3-D Secure challenge calls are not implemented")
	}
}

// TestCardRefundStatus: the card API's refund status call, over real HTTP.
func TestCardRefundStatus(t *testing.T) {
	sim, gw := newSim(t, smart2paytest.WithPendingRefunds())
	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "crs-1", "20.00", true))
	if err != nil {
		t.Fatal(err)
	}
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "5.00", "EUR")})
	if err != nil || r.Status != payments.RefundPending {
		t.Fatalf("refund: %+v %v", r, err)
	}
	got, err := gw.CardRefundStatus(ctx, p.ID, r.ID)
	if err != nil || got.ID != r.ID || got.PaymentID != p.ID || got.Status != payments.RefundPending || got.ProviderStatus != "1 Open" {
		t.Fatalf("open: %+v %v", got, err)
	}
	if err := sim.SetRefundStatus(r.ID, smart2paytest.StatusSuccess); err != nil {
		t.Fatal(err)
	}
	got, err = gw.CardRefundStatus(ctx, p.ID, r.ID)
	if err != nil || got.Status != payments.RefundSucceeded || got.ProviderStatus != "2 Success" {
		t.Fatalf("settled: %+v %v", got, err)
	}
	if _, err := gw.CardRefundStatus(ctx, "2700001", r.ID); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("alternative-methods payment: %v", err)
	}
	if _, err := gw.CardRefundStatus(ctx, p.ID, "999999"); err == nil {
		t.Error("unknown refund answered")
	}
}
