package smartpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/simulator"
)

// newSim starts a simulator and a gateway over loopback HTTP.
func newSim(t *testing.T, opts ...smartpaytest.Option) (*smartpaytest.Server, *smartpay.Gateway) {
	t.Helper()
	sim := smartpaytest.NewServer(opts...)
	t.Cleanup(sim.Close)
	return sim, newGateway(t, sim)
}

func newGateway(t testing.TB, sim *smartpaytest.Server, mutate ...func(*smartpay.Config)) *smartpay.Gateway {
	t.Helper()
	cfg := smartpay.Config{
		MerchantKey:       smartpaytest.DefaultMerchantKey,
		AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL:           sim.BaseURL(),
		Origin:            "https://shop.example",
		HTTPClient:        sim.Client(),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	g, err := smartpay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func eur(t testing.TB, s string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(s, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustStatus(t *testing.T, g payments.Gateway, id string, want payments.Status) *payments.Payment {
	t.Helper()
	p, err := g.Status(context.Background(), &payments.StatusRequest{ID: id})
	if err != nil {
		t.Fatalf("Status(%s): %v", id, err)
	}
	if p.Status != want {
		t.Fatalf("Status(%s) = %s (%s), want %s", id, p.Status, p.ProviderStatus, want)
	}
	return p
}

func wantErr(t *testing.T, err error, code payments.Code) *payments.Error {
	t.Helper()
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	return pe
}

// A prepayment as the document answers it: paymentStatus CAPTURED at once
// (seed 004_63b579a9eeecc4a0.txt l.482-498), though the buyer has still to
// pay (l.4-7). The driver shows the reference and waits for evidence of
// payment (SETTLED); refunds are read from the refund answers only.
func TestSimPrepaymentPaidByBuyer(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("prep-1", payments.InvoicePrepayment, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusRequiresAction || p.ProviderStatus != "CAPTURED" || !p.Captured.IsZero() ||
		p.Action == nil || p.Action.Type != payments.ActionDisplay || p.Action.Reference == "" {
		t.Fatalf("%s %s %s %+v", p.Status, p.ProviderStatus, p.Captured, p.Action)
	}
	st, _ := sim.Payment(p.ID)
	if p.Action.Reference != st.TransactionReference || st.Status != smartpaytest.StatusCaptured {
		t.Errorf("reference %q, simulator %q in %s", p.Action.Reference, st.TransactionReference, st.Status)
	}
	got := mustStatus(t, g, p.ID, payments.StatusRequiresAction)
	if !got.Captured.IsZero() || got.Action == nil || got.Action.Reference != p.Action.Reference {
		t.Errorf("unpaid prepayment: captured %s, action %+v", got.Captured, got.Action)
	}
	// Nothing to capture: the simulator refuses (gateway_processing, 400).
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	wantErr(t, err, payments.InvalidRequest)
	if err := sim.PayInvoice(p.ID); err != nil {
		t.Fatal(err)
	}
	got = mustStatus(t, g, p.ID, payments.StatusCaptured)
	if !got.Captured.Equal(eur(t, "50.99")) || got.Reference != "prep-1" || got.ProviderStatus != "SETTLED" {
		t.Errorf("%s %q %s", got.Captured, got.Reference, got.ProviderStatus)
	}
	// A refund has no documented status value: pending, its amount from
	// the answer. The status answer shows no refunded total.
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "10.99")), Reason: "damaged"})
	if err != nil || r.Status != payments.RefundPending || !r.Amount.Equal(eur(t, "10.99")) || r.ID == "" || r.PaymentID != p.ID {
		t.Fatalf("%+v %v", r, err)
	}
	got = mustStatus(t, g, p.ID, payments.StatusCaptured)
	if !got.Refunded.IsZero() {
		t.Errorf("refunded %s read from undocumented values", got.Refunded)
	}
	// cancelOrRefund refunds the rest, sized by the provider.
	res, err := g.CancelOrRefund(ctx, &payments.CancelRequest{ID: p.ID, IdempotencyKey: "cor-1"})
	if err != nil || res.Canceled || res.Refund == nil || !res.Refund.Amount.Equal(eur(t, "40.00")) || res.Payment.Status != payments.StatusCaptured {
		t.Fatalf("%+v %v", res, err)
	}
	// Nothing left: refused by the simulator (gateway_processing, 400).
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	wantErr(t, err, payments.InvalidRequest)
}

// The prose's reading of a prepayment (an assumption option of the
// simulator): AUTHORIZATION_PENDING until the buyer pays.
func TestSimPrepaymentPending(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t, smartpaytest.WithPrepaymentPending(true))
	p, err := g.Authorize(ctx, invoiceRequest("prep-2", payments.InvoicePrepayment, "Doe"))
	if err != nil || p.Status != payments.StatusRequiresAction || p.ProviderStatus != "AUTHORIZATION_PENDING" {
		t.Fatalf("%+v %v", p, err)
	}
	if err := sim.PayInvoice(p.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustStatus(t, g, p.ID, payments.StatusCaptured); !got.Captured.Equal(eur(t, "50.99")) {
		t.Errorf("captured %s", got.Captured)
	}
}

func TestSimPayUponInvoice(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("pui-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil || p.Status != payments.StatusAuthorized || p.Action == nil {
		t.Fatalf("%+v %v", p, err)
	}
	c, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: ptr(eur(t, "20.00"))})
	if err != nil || c.Status != payments.StatusPartiallyCaptured || !c.Captured.Equal(eur(t, "20")) {
		t.Fatalf("%+v %v", c, err)
	}
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: ptr(eur(t, "40.00"))})
	pe := wantErr(t, err, payments.InvalidState)
	if pe.Field != "amount" || pe.RequestID == "" {
		t.Errorf("%+v", pe)
	}
	c, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	if err != nil || c.Status != payments.StatusCaptured || !c.Captured.Equal(eur(t, "50.99")) {
		t.Fatalf("%+v %v", c, err)
	}
	// Cancel after capture is refused (gateway_processing, 400).
	_, err = g.Cancel(ctx, &payments.CancelRequest{ID: p.ID})
	wantErr(t, err, payments.InvalidRequest)
	if n := len(sim.Operations()); n != 3 {
		t.Errorf("%d operations", n)
	}

	// One-step sale: authorize and capture.
	s, err := g.Authorize(ctx, withCapture(invoiceRequest("pui-2", payments.InvoicePayUponInvoice, "Doe")))
	if err != nil || s.Status != payments.StatusCaptured || !s.Captured.Equal(eur(t, "50.99")) || s.Reference != "pui-2" {
		t.Fatalf("%+v %v", s, err)
	}
	// The invoice as the document's example shows it: paid at once.
	sim2, g2 := newSim(t, smartpaytest.WithInvoicePaidOnAuthorize(true))
	s, err = g2.Authorize(ctx, withCapture(invoiceRequest("pui-3", payments.InvoicePayUponInvoice, "Doe")))
	if err != nil || s.Status != payments.StatusCaptured {
		t.Fatalf("%+v %v", s, err)
	}
	if ops := sim2.Operations(); len(ops) != 1 {
		t.Errorf("a paid invoice was captured again: %+v", ops)
	}
}

func TestSimCancel(t *testing.T) {
	ctx := context.Background()
	_, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("can-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.Cancel(ctx, &payments.CancelRequest{ID: p.ID})
	if err != nil || c.Status != payments.StatusCanceled || c.ProviderStatus != "CANCELLED" {
		t.Fatalf("%+v %v", c, err)
	}
	mustStatus(t, g, p.ID, payments.StatusCanceled)
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	wantErr(t, err, payments.InvalidRequest)

	_, g = newSim(t, smartpaytest.WithPrepaymentPending(true))
	p, err = g.Authorize(ctx, invoiceRequest("can-2", payments.InvoicePrepayment, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.CancelOrRefund(ctx, &payments.CancelRequest{ID: p.ID})
	if err != nil || !res.Canceled || res.Refund != nil || res.Payment.Status != payments.StatusCanceled {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestSimHostedCheckout(t *testing.T) {
	ctx := context.Background()
	for _, auto := range []bool{false, true} {
		sim, g := newSim(t, smartpaytest.WithAutoCapture(auto))
		req := invoiceRequest(fmt.Sprintf("hp-%v", auto), "", "Doe")
		req.Method = payments.HostedPage{}
		c, err := g.CreateCheckout(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if c.CheckoutToken == "" || c.RedirectURL == "" || c.Payment.Action.Token != c.CheckoutToken || c.Payment.Status != payments.StatusRequiresAction {
			t.Fatalf("%+v %+v", c, c.Payment.Action)
		}
		mustStatus(t, g, c.TransactionID, payments.StatusRequiresAction)
		// The buyer opens the page and pays.
		resp, err := sim.Client().Get(c.RedirectURL)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
		if err := sim.Complete(c.TransactionID, simulator.Success); err != nil {
			t.Fatal(err)
		}
		if auto {
			mustStatus(t, g, c.TransactionID, payments.StatusCaptured)
			continue
		}
		mustStatus(t, g, c.TransactionID, payments.StatusAuthorized)
		if p, err := g.Capture(ctx, &payments.CaptureRequest{ID: c.TransactionID}); err != nil || p.Status != payments.StatusCaptured {
			t.Fatalf("%+v %v", p, err)
		}
	}
	// A buyer declined in the widget.
	sim, g := newSim(t)
	req := invoiceRequest("hp-fail", "", "Doe")
	req.Method = payments.HostedPage{}
	p, err := g.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Complete(p.ID, simulator.Pending); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, g, p.ID, payments.StatusPending)
	if err := sim.Complete(p.ID, simulator.Failure); err != nil {
		t.Fatal(err)
	}
	got := mustStatus(t, g, p.ID, payments.StatusFailed)
	if got.Decline == nil || got.Decline.Reason != payments.DeclineGeneric {
		t.Errorf("%+v", got.Decline)
	}
}

// Every status of the simulator's model maps as the table says.
func TestSimEveryStatus(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	if len(smartpaytest.AllStatuses) != 12 {
		t.Errorf("the simulator models %d statuses", len(smartpaytest.AllStatuses))
	}
	for i, code := range smartpaytest.AllStatuses {
		p, err := g.Authorize(ctx, invoiceRequest(fmt.Sprintf("st-%d", i), payments.InvoicePayUponInvoice, "Doe"))
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.SetStatus(p.ID, code); err != nil {
			t.Fatal(err)
		}
		got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		want := smartpay.MapStatus(code)
		switch code {
		case "SETTLED", "CAPTURED":
			want = payments.StatusCaptured
		case "AUTHORIZATION_PENDING":
			want = payments.StatusRequiresAction // an invoice the buyer has to pay
		}
		if want == payments.StatusUnknown || got.Status != want || got.ProviderStatus != code {
			t.Errorf("%s: %s, want %s", code, got.Status, want)
		}
	}
}

func TestSimDeclines(t *testing.T) {
	ctx := context.Background()
	_, g := newSim(t)
	// 400 MOD1 payment_provider_processing: it says where the error
	// appeared, not that the buyer was declined (seed 003 l.196-200):
	// neither a decline nor cascadable, and no payment to return.
	p, err := g.Authorize(ctx, invoiceRequest("dec-1", payments.InvoicePayUponInvoice, smartpaytest.DeclineLastName))
	pe := wantErr(t, err, payments.InvalidRequest)
	if pe.Decline != nil || pe.ProviderCode != "payment_provider_processing" || payments.CanCascade(err) || payments.Retryable(err) {
		t.Errorf("%+v %+v", pe, pe.Decline)
	}
	if p != nil {
		t.Errorf("%+v", p)
	}
	// 201 FAILED: the failed payment can be queried.
	p, err = g.Authorize(ctx, invoiceRequest("dec-2", payments.InvoicePayUponInvoice, smartpaytest.FailedLastName))
	wantErr(t, err, payments.Declined)
	if p == nil || p.ID == "" || p.Status != payments.StatusFailed || p.Decline == nil || p.Decline.Message != "Declined" {
		t.Fatalf("%+v", p)
	}
	mustStatus(t, g, p.ID, payments.StatusFailed)
	// The reference of a failed payment stays taken.
	_, err = g.Authorize(ctx, invoiceRequest("dec-2", payments.InvoicePayUponInvoice, "Doe"))
	wantErr(t, err, payments.Duplicate)
}

func TestSimErrors(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	_, err := g.Status(ctx, &payments.StatusRequest{ID: "00000000-0000-4000-8000-999999999999"})
	pe := wantErr(t, err, payments.NotFound)
	if pe.ProviderCode != "not_found" || pe.HTTPStatus != 404 {
		t.Errorf("%+v", pe)
	}
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: "00000000-0000-4000-8000-999999999999"})
	wantErr(t, err, payments.NotFound)
	bad := newGateway(t, sim, func(c *smartpay.Config) { c.AuthenticationKey = "wrong" })
	_, err = bad.Authorize(ctx, invoiceRequest("auth-1", payments.InvoicePrepayment, "Doe"))
	wantErr(t, err, payments.Authentication)
	if !payments.CanCascade(err) {
		t.Error("an authentication error should let a router try another acquirer")
	}
	// Another merchant's key in the body: 403.
	other := newGateway(t, sim, func(c *smartpay.Config) { c.MerchantKey = "someone-else" })
	_, err = other.Capture(ctx, &payments.CaptureRequest{ID: "x"})
	wantErr(t, err, payments.Authentication)
	// Capture in another currency than the payment's.
	p, err := g.Authorize(ctx, invoiceRequest("cur-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	usd, _ := payments.ParseMoney("1.00", "USD")
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &usd})
	pe = wantErr(t, err, payments.InvalidRequest)
	if pe.Field != "amount.currency" {
		t.Errorf("field %q", pe.Field)
	}
	// Refund before capture (gateway_processing, 400).
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	wantErr(t, err, payments.InvalidRequest)
	// A key reused for another modification.
	if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, IdempotencyKey: "k-1"}); err != nil {
		t.Fatal(err)
	}
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, IdempotencyKey: "k-1"})
	pe = wantErr(t, err, payments.InvalidRequest)
	if pe.Field != "idempotency_key" {
		t.Errorf("field %q", pe.Field)
	}
}

// The provider answers a repeated modificationId with the original result;
// the driver relies on it to retry modifications.
func TestSimIdempotentModifications(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("idem-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	half := eur(t, "25.00")
	a, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &half, IdempotencyKey: "cap-1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &half, IdempotencyKey: "cap-1"})
	if err != nil || b.Status != a.Status || !b.Captured.Equal(half) {
		t.Fatalf("%+v %v", b, err)
	}
	if n := countOps(sim, smartpaytest.OpCapture); n != 1 {
		t.Fatalf("%d captures executed", n)
	}
	// Executed, but the answer was lost: the retry with the same id
	// returns the original result, nothing is done twice.
	sim.FailNextAfterExecute("/payment/capture", http.StatusInternalServerError)
	c, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	if err != nil || c.Status != payments.StatusCaptured || !c.Captured.Equal(eur(t, "50.99")) {
		t.Fatalf("%+v %v", c, err)
	}
	if n := countOps(sim, smartpaytest.OpCapture); n != 2 {
		t.Fatalf("%d captures executed, want 2", n)
	}
	// A 502 before execution: retried.
	sim.FailNext("/payment/refund", http.StatusBadGateway)
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "1.00"))})
	if err != nil || r.Status != payments.RefundPending || !r.Amount.Equal(eur(t, "1.00")) {
		t.Fatalf("%+v %v", r, err)
	}
	// Every attempt fails: the outcome is unknown, and the error names the
	// modificationId to send again.
	for range 3 {
		sim.FailNextAfterExecute("/payment/refund", http.StatusInternalServerError)
	}
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "1.00")), IdempotencyKey: "ref-lost"})
	pe := wantErr(t, err, payments.OutcomeUnknown)
	if !strings.Contains(pe.Message, `"ref-lost"`) {
		t.Errorf("the error does not name the key: %v", pe)
	}
	if n := countOps(sim, smartpaytest.OpRefund); n != 2 {
		t.Fatalf("%d refunds executed, want 2", n)
	}
	r, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "1.00")), IdempotencyKey: "ref-lost"})
	if err != nil || r.Status != payments.RefundPending || countOps(sim, smartpaytest.OpRefund) != 2 {
		t.Fatalf("%+v %v", r, err)
	}
}

// Authorize is never retried once it may have been processed.
func TestSimAuthorizeOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	sim.FailNextAfterExecute("/payment/authorize/", http.StatusInternalServerError)
	_, err := g.Authorize(ctx, invoiceRequest("ou-1", payments.InvoicePrepayment, "Doe"))
	wantErr(t, err, payments.OutcomeUnknown)
	if n := countOps(sim, smartpaytest.OpAuthorize); n != 1 {
		t.Errorf("%d authorizations", n)
	}
	// A status query that fails is unavailable, not unknown.
	for range 3 {
		sim.FailNext("/payment/status/*", http.StatusServiceUnavailable)
	}
	st, _ := sim.PaymentByReference("ou-1")
	_, err = g.Status(ctx, &payments.StatusRequest{ID: st.TransactionID})
	wantErr(t, err, payments.Unavailable)
	// Connection refused: never sent, safe to cascade.
	sim.Close()
	_, err = g.Authorize(ctx, invoiceRequest("ou-2", payments.InvoicePrepayment, "Doe"))
	wantErr(t, err, payments.Unavailable)
}

func TestSimOAuth(t *testing.T) {
	ctx := context.Background()
	sim := smartpaytest.NewServer()
	t.Cleanup(sim.Close)
	oauth := func(secret string) func(*smartpay.Config) {
		return func(c *smartpay.Config) {
			c.AuthenticationKey = ""
			c.OAuth = &smartpay.OAuth{TokenURL: sim.TokenURL(), ClientID: smartpaytest.DefaultMerchantKey, ClientSecret: payments.Secret(secret)}
		}
	}
	g := newGateway(t, sim, oauth(smartpaytest.DefaultAuthenticationKey))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.Authorize(ctx, invoiceRequest(fmt.Sprintf("oauth-%d", i), payments.InvoicePrepayment, "Doe"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.TokenIssues(); n != 1 {
		t.Errorf("%d tokens fetched for 20 concurrent calls, want 1", n)
	}
	// The simulator forgets its tokens: the 401 makes the driver fetch a
	// new one and send the call again.
	sim.Reset()
	if _, err := g.Authorize(ctx, invoiceRequest("oauth-after-reset", payments.InvoicePrepayment, "Doe")); err != nil {
		t.Fatal(err)
	}
	if n := sim.TokenIssues(); n != 1 {
		t.Errorf("%d tokens after the reset, want 1", n)
	}
	bad := newGateway(t, sim, oauth("wrong"))
	_, err := bad.Authorize(ctx, invoiceRequest("oauth-bad", payments.InvoicePrepayment, "Doe"))
	wantErr(t, err, payments.Authentication)
	if countOps(sim, smartpaytest.OpAuthorize) != 1 {
		t.Errorf("operations %+v", sim.Operations())
	}
}

func TestSimWebhooks(t *testing.T) {
	ctx := context.Background()
	var (
		mu   sync.Mutex
		got  []*payments.Notification
		gw   *smartpay.Gateway
		hook = "hook-user"
		pass = "hook-pass"
	)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
			return nil
		}).ServeHTTP(w, r)
	})
	merchant := httptest.NewServer(handler)
	t.Cleanup(merchant.Close)
	sim := smartpaytest.NewServer(smartpaytest.WithNotificationURL(merchant.URL), smartpaytest.WithNotificationBasicAuth(hook, pass))
	t.Cleanup(sim.Close)
	gw = newGateway(t, sim, func(c *smartpay.Config) {
		c.NotificationAuth = &smartpay.NotificationAuth{Username: hook, Password: payments.Secret(pass)}
	})

	p, err := gw.Authorize(ctx, invoiceRequest("hook-1", payments.InvoicePrepayment, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sim.PayInvoice(p.ID); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "5.00"))})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d notifications", len(got))
	}
	want := []struct {
		kind   payments.NotificationKind
		status payments.Status
	}{
		{payments.NotificationPayment, payments.StatusRequiresAction},
		{payments.NotificationPayment, payments.StatusCaptured},
		// The status answer shows no refunded total (no document defines a
		// completed refund's status): still captured.
		{payments.NotificationRefund, payments.StatusCaptured},
	}
	for i, w := range want {
		n := got[i]
		if n.Kind != w.kind || n.Payment == nil || n.Payment.Status != w.status || n.Payment.ID != p.ID {
			t.Errorf("notification %d: %s %+v", i, n.Kind, n.Payment)
		}
		if n.Verified != payments.VerifiedCredentials|payments.VerifiedByQuery {
			t.Errorf("notification %d verified %s", i, n.Verified)
		}
		if bytes.Contains(n.Raw, []byte(smartpaytest.DefaultMerchantKey)) {
			t.Errorf("merchantKey in Raw: %s", n.Raw)
		}
	}
	if ref := got[2].Refund; ref == nil || ref.ID != r.ID || ref.Status != payments.RefundPending || !ref.Amount.Equal(eur(t, "5.00")) {
		t.Errorf("refund %+v, want %+v", ref, r)
	}
}

// Webhooks with the wrong credentials are refused (401) and never reach
// the callback; the simulator retries and gives up.
func TestSimWebhookWrongCredentials(t *testing.T) {
	ctx := context.Background()
	var gw *smartpay.Gateway
	var mu sync.Mutex
	calls, answers := 0, []int{}
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		payments.NotificationHandler(gw, func(context.Context, *payments.Notification) error {
			mu.Lock()
			calls++
			mu.Unlock()
			return nil
		}).ServeHTTP(rec, r)
		mu.Lock()
		answers = append(answers, rec.Code)
		mu.Unlock()
		w.WriteHeader(rec.Code)
	}))
	t.Cleanup(merchant.Close)
	sim := smartpaytest.NewServer(smartpaytest.WithNotificationURL(merchant.URL), smartpaytest.WithNotificationBasicAuth("hook-user", "guessed"),
		smartpaytest.WithNotificationRetry(2, time.Millisecond))
	t.Cleanup(sim.Close)
	gw = newGateway(t, sim, func(c *smartpay.Config) {
		c.NotificationAuth = &smartpay.NotificationAuth{Username: "hook-user", Password: "hook-pass"}
	})
	if _, err := gw.Authorize(ctx, invoiceRequest("hook-bad", payments.InvoicePrepayment, "Doe")); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 0 || len(answers) != 2 || answers[0] != 401 {
		t.Errorf("calls %d answers %v", calls, answers)
	}
}

func TestNotifyRules(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("n-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	body := func(fields map[string]any) []byte {
		b, _ := json.Marshal(fields)
		return b
	}
	req := func(method string, b []byte) *http.Request {
		r := httptest.NewRequest(method, "https://shop.example/hook", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	ok := body(map[string]any{"id": "e1", "objectId": p.ID, "objectType": "payment", "eventType": "updated", "merchantKey": smartpaytest.DefaultMerchantKey,
		"data": map[string]any{"paymentStatus": "CAPTURED"}}) // a lie: the query tells the truth
	n, err := g.Notify(ctx, req(http.MethodPost, ok))
	if err != nil || n.Payment.Status != payments.StatusAuthorized || n.Verified != payments.VerifiedByQuery || n.Reply.StatusCode != 200 {
		t.Fatalf("%+v %v", n, err)
	}
	cases := []struct {
		name string
		r    *http.Request
		code payments.Code
	}{
		{"GET", req(http.MethodGet, ok), payments.InvalidRequest},
		{"not JSON", req(http.MethodPost, []byte("id=1")), payments.InvalidRequest},
		{"no objectId", req(http.MethodPost, body(map[string]any{"objectType": "payment"})), payments.InvalidRequest},
		{"another merchant", req(http.MethodPost, body(map[string]any{"objectId": p.ID, "objectType": "payment", "merchantKey": "other"})), payments.Unverified},
		{"unknown payment", req(http.MethodPost, body(map[string]any{"objectId": "00000000-0000-4000-8000-000000000999", "objectType": "payment"})), payments.Unverified},
		{"refund without transaction", req(http.MethodPost, body(map[string]any{"objectId": "r-1", "objectType": "refund"})), payments.Unverified},
		{"unknown object, no credentials", req(http.MethodPost, body(map[string]any{"objectId": "x-1", "objectType": "mandate"})), payments.Unverified},
	}
	for _, c := range cases {
		if _, err := g.Notify(ctx, c.r); !errors.Is(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// The provider is down: the error makes NotificationHandler answer 500
	// so the webhook is delivered again.
	for range 3 {
		sim.FailNext("/payment/status/*", http.StatusInternalServerError)
	}
	rec := httptest.NewRecorder()
	payments.NotificationHandler(g, nil).ServeHTTP(rec, req(http.MethodPost, ok))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("handler answered %d while the provider was down", rec.Code)
	}
	// With credentials configured, an unknown object type is passed on as
	// "other", verified by credentials only.
	gc := newGateway(t, sim, func(c *smartpay.Config) {
		c.NotificationAuth = &smartpay.NotificationAuth{Username: "u", Password: "p"}
	})
	r := req(http.MethodPost, body(map[string]any{"objectId": "x-1", "objectType": "mandate"}))
	r.SetBasicAuth("u", "p")
	n, err = gc.Notify(ctx, r)
	if err != nil || n.Kind != payments.NotificationOther || n.Verified != payments.VerifiedCredentials || n.Payment != nil {
		t.Errorf("%+v %v", n, err)
	}
	for _, creds := range [][2]string{{"u", "x"}, {"x", "p"}, {"", ""}} {
		r := req(http.MethodPost, ok)
		if creds[0] != "" {
			r.SetBasicAuth(creds[0], creds[1])
		}
		if _, err := gc.Notify(ctx, r); !errors.Is(err, payments.ErrUnverified) {
			t.Errorf("credentials %v: %v", creds, err)
		}
	}
}

// Many payments at once through one gateway (run with -race).
func TestSimConcurrent(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := g.Authorize(ctx, withCapture(invoiceRequest(fmt.Sprintf("conc-%d", i), payments.InvoicePayUponInvoice, "Doe")))
			if err != nil {
				errs <- err
				return
			}
			r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "0.99"))})
			if err != nil {
				errs <- err
				return
			}
			if !r.Amount.Equal(eur(t, "0.99")) || r.PaymentID != p.ID {
				errs <- fmt.Errorf("%s: refund %+v", p.ID, r)
			}
			got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
			if err != nil {
				errs <- err
				return
			}
			if got.Status != payments.StatusCaptured || !got.Captured.Equal(eur(t, "50.99")) || !got.Refunded.IsZero() {
				errs <- fmt.Errorf("%s: %s %s", p.ID, got.Status, got.Refunded)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := countOps(sim, smartpaytest.OpCapture); n != 16 {
		t.Errorf("%d captures", n)
	}
}

// No credential, token or merchant key reaches the debug logs.
func TestLogsCarryNoSecrets(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sim := smartpaytest.NewServer()
	t.Cleanup(sim.Close)
	for _, oauth := range []bool{false, true} {
		g := newGateway(t, sim, func(c *smartpay.Config) {
			c.Logger = logger
			if oauth {
				c.AuthenticationKey = ""
				c.OAuth = &smartpay.OAuth{TokenURL: sim.TokenURL(), ClientID: smartpaytest.DefaultMerchantKey, ClientSecret: smartpaytest.DefaultAuthenticationKey}
			}
		})
		p, err := g.Authorize(ctx, withCapture(invoiceRequest(fmt.Sprintf("log-%v", oauth), payments.InvoicePayUponInvoice, "Doe")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "payment/capture") {
		t.Fatalf("nothing logged: %q", out)
	}
	for _, secret := range []string{smartpaytest.DefaultAuthenticationKey, smartpaytest.DefaultMerchantKey, "spt_", "Basic ", "Bearer "} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func countOps(sim *smartpaytest.Server, kind string) int {
	n := 0
	for _, op := range sim.Operations() {
		if op.Kind == kind {
			n++
		}
	}
	return n
}

func withCapture(r *payments.AuthorizeRequest) *payments.AuthorizeRequest {
	r.Capture = true
	return r
}

func ptr[T any](v T) *T { return &v }

func TestSimPaymentDetails(t *testing.T) {
	ctx := context.Background()
	sim, g := newSim(t)
	p, err := g.Authorize(ctx, invoiceRequest("det-1", payments.InvoicePayUponInvoice, "Doe"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, IdempotencyKey: "cap-det"}); err != nil {
		t.Fatal(err)
	}
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: ptr(eur(t, "0.99")), IdempotencyKey: "ref-det"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := g.PaymentDetails(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := sim.Payment(p.ID)
	if d.ReconciliationReferenceID != st.ReconciliationReferenceID || d.TransactionReference != st.TransactionReference ||
		d.PaymentMethod != "PAYINVC" || d.PaymentOrigin != "PAYMENT_AUTHORIZE_S2S" || d.Payment.Status != payments.StatusCaptured {
		t.Errorf("%+v", d)
	}
	if len(d.Modifications) != 1 || d.Modifications[0].Type != "REFUND" || d.Modifications[0].ID != r.ID ||
		d.Modifications[0].ModificationID != "ref-det" || !d.Modifications[0].Amount.Equal(eur(t, "0.99")) ||
		d.Modifications[0].ReconciliationReferenceID == "" || d.Modifications[0].ReconciliationReferenceID == d.ReconciliationReferenceID {
		t.Errorf("modifications %+v", d.Modifications)
	}
	var statuses []string
	for _, h := range d.History {
		statuses = append(statuses, h.Status)
	}
	// The refund's entry has no status: the documents define none.
	if strings.Join(statuses, ",") != "AUTHORIZATION_COMPLETED,CAPTURED," || !d.History[2].Amount.Equal(eur(t, "0.99")) {
		t.Errorf("history %v %+v", statuses, d.History)
	}
	for i, h := range d.History {
		if h.At.IsZero() || (i > 0 && h.At.Before(d.History[i-1].At)) {
			t.Errorf("history[%d] at %s", i, h.At)
		}
	}
	if _, err := g.PaymentDetails(ctx, ""); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("empty id: %v", err)
	}
}
