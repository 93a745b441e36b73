package smart2pay_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

func TestCardSaleAndRefunds(t *testing.T) {
	sim, gw := newSim(t)
	ctx := ctxT(t)
	req := cardRequest(t, "sale-1", "20.00", true)
	p, err := gw.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.ID, smart2pay.CardIDPrefix) || p.Status != payments.StatusCaptured || p.ProviderStatus != "11 Captured" {
		t.Fatalf("sale: %+v", p)
	}
	if !p.Captured.Equal(req.Amount) || !p.Refunded.Equal(req.Amount.Zero()) || p.Refunded.Currency != "EUR" {
		t.Errorf("sale amounts: captured %s refunded %s", p.Captured, p.Refunded)
	}
	if p.Reference != "sale-1" || p.Provider != "smart2pay" || p.Created.IsZero() || len(p.Raw) == 0 {
		t.Errorf("sale fields: %+v", p)
	}
	if strings.Contains(string(p.Raw), "4111111111111111") || strings.Contains(string(p.Raw), "312\"") {
		t.Errorf("Raw leaks card data: %s", p.Raw)
	}

	r1, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "5.00", "EUR"), Reason: "damaged", IdempotencyKey: "rf-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Status != payments.RefundSucceeded || !r1.Amount.Equal(money(t, "5.00", "EUR")) || r1.PaymentID != p.ID || r1.ProviderStatus != "2 Success" {
		t.Fatalf("refund 1: %+v", r1)
	}
	st, err := gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != payments.StatusPartiallyRefunded || !st.Refunded.Equal(money(t, "5.00", "EUR")) {
		t.Fatalf("after partial refund: %s refunded %s", st.Status, st.Refunded)
	}

	// Full refund of what is left.
	r2, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Amount.Equal(money(t, "15.00", "EUR")) {
		t.Fatalf("refund of the rest: %s", r2.Amount)
	}
	st, err = gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != payments.StatusRefunded || !st.Refunded.Equal(req.Amount) {
		t.Fatalf("after full refund: %s refunded %s", st.Status, st.Refunded)
	}
	refunds, err := gw.Refunds(ctx, p.ID)
	if err != nil || len(refunds) != 2 {
		t.Fatalf("Refunds: %v %v", refunds, err)
	}
	got, err := gw.RefundByID(ctx, p.ID, r1.ID)
	if err != nil || got.ID != r1.ID || !got.Amount.Equal(r1.Amount) {
		t.Fatalf("RefundByID: %+v %v", got, err)
	}
	// Nothing left.
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	if !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("refund of a refunded payment: %v", err)
	}
	// Over-refund refused by the provider.
	p2, _ := gw.Authorize(ctx, cardRequest(t, "sale-2", "10.00", true))
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p2.ID, Amount: moneyPtr(t, "10.01", "EUR")})
	if err == nil {
		t.Errorf("over-refund accepted")
	}
	// Another currency is refused before anything is sent.
	before := len(sim.Operations())
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p2.ID, Amount: moneyPtr(t, "1.00", "USD")})
	if !errors.Is(err, payments.ErrInvalidRequest) || len(sim.Operations()) != before {
		t.Errorf("refund in USD of an EUR payment: %v", err)
	}
}

func TestCardAuthorizeCaptureCancel(t *testing.T) {
	_, gw := newSim(t)
	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "auth-1", "20.00", false))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusAuthorized || !p.Captured.IsZero() {
		t.Fatalf("authorize: %s captured %s", p.Status, p.Captured)
	}
	c, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "10.00", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != payments.StatusPartiallyCaptured || !c.Captured.Equal(money(t, "10.00", "EUR")) || c.ProviderStatus != "35 PartiallyCaptured" {
		t.Fatalf("partial capture: %s %s", c.ProviderStatus, c.Captured)
	}
	// One partial capture only.
	_, err = gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: moneyPtr(t, "5.00", "EUR")})
	if !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("second capture: %v, want ErrInvalidState", err)
	}

	p2, _ := gw.Authorize(ctx, cardRequest(t, "auth-2", "20.00", false))
	c2, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p2.ID})
	if err != nil || c2.Status != payments.StatusCaptured || !c2.Captured.Equal(money(t, "20.00", "EUR")) {
		t.Fatalf("full capture: %+v %v", c2, err)
	}
	_, err = gw.Capture(ctx, &payments.CaptureRequest{ID: p2.ID, Amount: moneyPtr(t, "1.00", "USD")})
	if !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("capture in another currency: %v", err)
	}
	_, err = gw.Capture(ctx, &payments.CaptureRequest{ID: p2.ID, Amount: moneyPtr(t, "20.01", "EUR")})
	if !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("capture above the authorization: %v", err)
	}

	p3, _ := gw.Authorize(ctx, cardRequest(t, "auth-3", "20.00", false))
	x, err := gw.Cancel(ctx, &payments.CancelRequest{ID: p3.ID})
	if err != nil || x.Status != payments.StatusCanceled {
		t.Fatalf("cancel: %+v %v", x, err)
	}
	_, err = gw.Cancel(ctx, &payments.CancelRequest{ID: p3.ID})
	if !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("second cancel: %v", err)
	}
	_, err = gw.Cancel(ctx, &payments.CancelRequest{ID: "card:99999999"})
	if !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("cancel of an unknown payment: %v", err)
	}
	_, err = gw.Status(ctx, &payments.StatusRequest{ID: "99999999"})
	if !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("status of an unknown payment: %v", err)
	}
}

func TestCardTestAmounts(t *testing.T) {
	_, gw := newSim(t)
	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "decline-1", "100.01", true))
	if !errors.Is(err, payments.ErrDeclined) {
		t.Fatalf("10001: %v", err)
	}
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Decline == nil || pe.ProviderCode != "121" {
		t.Errorf("decline error: %#v", pe)
	}
	if p == nil || p.Status != payments.StatusFailed || p.Decline == nil || p.Decline.Reason != payments.DeclineGeneric || p.ID == "" {
		t.Fatalf("declined payment: %+v", p)
	}
	if payments.CanCascade(err) != true {
		t.Errorf("a generic decline may cascade")
	}
	for amount, want := range map[string]string{"100.02": "33 QueuedForCapturing", "100.03": "13 CaptureRequested"} {
		p, err := gw.Authorize(ctx, cardRequest(t, "amount-"+strings.ReplaceAll(amount, ".", "_"), amount, true))
		if err != nil || p.ProviderStatus != want || p.Status != payments.StatusPending {
			t.Errorf("%s: %+v %v", amount, p, err)
		}
	}
}

func TestDuplicateReference(t *testing.T) {
	_, gw := newSim(t)
	ctx := ctxT(t)
	if _, err := gw.Authorize(ctx, cardRequest(t, "dup-1", "20.00", true)); err != nil {
		t.Fatal(err)
	}
	p, err := gw.Authorize(ctx, cardRequest(t, "dup-1", "20.00", true))
	if !errors.Is(err, payments.ErrDuplicate) || p != nil {
		t.Fatalf("card duplicate: %v %v", p, err)
	}
	var pe *payments.Error
	if errors.As(err, &pe); pe.RequestID == "" || !strings.HasPrefix(pe.RequestID, "i") || pe.ProviderCode != "20" {
		t.Errorf("card duplicate keeps InvalidRequestID: %#v", pe)
	}
	req := apmRequest(t, "dup-2", "0.11", "CNY", payments.ProviderMethod{ID: "1066"})
	if _, err := gw.Authorize(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Authorize(ctx, apmRequest(t, "dup-2", "0.11", "CNY", payments.ProviderMethod{ID: "1066"})); !errors.Is(err, payments.ErrDuplicate) {
		t.Fatalf("apm duplicate: %v", err)
	}
}

func TestAlternativeMethodRedirect(t *testing.T) {
	sim, gw := newSim(t)
	ctx := ctxT(t)
	m := newMerchant(t, gw)
	sim.SetNotificationURL(m.srv.URL)

	req := apmRequest(t, "wechat-1", "0.11", "CNY", payments.ProviderMethod{ID: "1066"})
	req.ProviderOptions = []any{&smart2pay.AuthorizeOptions{TokenLifetime: 10}}
	req.Customer = &payments.Customer{Email: "youremail@email.com"}
	p, err := gw.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(p.ID, smart2pay.CardIDPrefix) || p.Status != payments.StatusRequiresAction || p.ProviderStatus != "1 Open" {
		t.Fatalf("apm: %+v", p)
	}
	if p.Action == nil || p.Action.Type != payments.ActionRedirect || !strings.HasPrefix(p.Action.URL, sim.BaseURL()+"/Home?PaymentToken=") || !strings.HasPrefix(p.Action.QRCodeURL, "weixin://") {
		t.Fatalf("action: %+v", p.Action)
	}

	// The customer pays on the simulator's page; the browser comes back to
	// the ReturnURL.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(p.Action.URL, url.Values{"result": {"success"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d %v", resp.StatusCode, err)
	}
	ret, err := smart2pay.ParseReturn(loc.Query())
	if err != nil || ret.Data != 2 || ret.Reference != "wechat-1" || ret.Hint != payments.StatusCaptured {
		t.Fatalf("ParseReturn(%s): %+v %v", loc, ret, err)
	}

	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	ns := m.notifications()
	if len(ns) != 1 || ns[0].Kind != payments.NotificationPayment || ns[0].Payment.ID != p.ID || ns[0].Payment.Status != payments.StatusCaptured {
		t.Fatalf("notifications: %+v", ns)
	}
	if err := smart2pay.CheckAmount(ns[0], money(t, "0.11", "CNY")); err != nil {
		t.Error(err)
	}
	if err := smart2pay.CheckAmount(ns[0], money(t, "0.12", "CNY")); !errors.Is(err, payments.ErrIntegrity) {
		t.Errorf("CheckAmount mismatch: %v", err)
	}
	for _, a := range sim.NotificationAttempts() {
		if !a.Delivered || a.StatusCode != http.StatusNoContent {
			t.Errorf("attempt %+v not answered 204", a)
		}
	}
	st, err := gw.Status(ctx, &payments.StatusRequest{Reference: "wechat-1"})
	if err != nil || st.ID != p.ID || st.Status != payments.StatusCaptured || !st.Captured.Equal(req.Amount) {
		t.Fatalf("status by reference: %+v %v", st, err)
	}
}

func TestHostedPageAuthorizeCaptureAndCancel(t *testing.T) {
	sim, gw := newSim(t)
	ctx := ctxT(t)
	req := apmRequest(t, "hp-1", "9.80", "EUR", payments.HostedPage{})
	req.Capture = false
	p, err := gw.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.CompleteRedirect(p.ID, smart2paytest.OutcomeSuccess); err != nil {
		t.Fatal(err)
	}
	st, err := gw.Status(ctx, &payments.StatusRequest{ID: p.ID})
	if err != nil || st.Status != payments.StatusAuthorized {
		t.Fatalf("after the customer authorized: %+v %v", st, err)
	}
	c, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	if err != nil || c.Status != payments.StatusCaptured {
		t.Fatalf("capture: %+v %v", c, err)
	}

	// A partial capture on the alternative-methods host, which sends no
	// CapturedAmount.
	req3 := apmRequest(t, "hp-3", "9.80", "EUR", payments.ProviderMethod{ID: "75"})
	req3.Capture = false
	p3, err := gw.Authorize(ctx, req3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.CompleteRedirect(p3.ID, smart2paytest.OutcomeAuthorize); err != nil {
		t.Fatal(err)
	}
	c3, err := gw.Capture(ctx, &payments.CaptureRequest{ID: p3.ID, Amount: moneyPtr(t, "5.00", "EUR")})
	if err != nil || c3.Status != payments.StatusPartiallyCaptured || !c3.Captured.Equal(money(t, "5.00", "EUR")) {
		t.Fatalf("apm partial capture: %+v %v", c3, err)
	}
	if _, err := gw.Refund(ctx, &payments.RefundRequest{ID: p3.ID}); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("full refund of a partially captured apm payment: %v", err)
	}
	if r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p3.ID, Amount: moneyPtr(t, "5.00", "EUR")}); err != nil || r.Status != payments.RefundSucceeded {
		t.Errorf("refund with an amount: %+v %v", r, err)
	}

	// An open payment whose customer never came can be cancelled.
	p2, err := gw.Authorize(ctx, apmRequest(t, "hp-2", "9.80", "EUR", payments.HostedPage{}))
	if err != nil {
		t.Fatal(err)
	}
	x, err := gw.Cancel(ctx, &payments.CancelRequest{ID: p2.ID})
	if err != nil || x.Status != payments.StatusCanceled || x.Action != nil {
		t.Fatalf("cancel: %+v %v", x, err)
	}
}

func TestListPayments(t *testing.T) {
	_, gw := newSim(t)
	ctx := ctxT(t)
	for i, amount := range []string{"1.00", "2.00", "3.00", "4.00", "5.00"} {
		req := apmRequest(t, "list-"+string(rune('a'+i)), amount, "EUR", payments.ProviderMethod{ID: "2"})
		if _, err := gw.Authorize(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := gw.Authorize(ctx, cardRequest(t, "list-card", "20.00", true)); err != nil {
		t.Fatal(err)
	}
	var refs []string
	for p, err := range gw.ListPayments(ctx, smart2pay.ListFilter{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, p.Reference)
	}
	if strings.Join(refs, ",") != "list-e,list-d,list-c,list-b,list-a" {
		t.Errorf("paged list: %v", refs)
	}
	page, err := gw.ListPaymentsPage(ctx, smart2pay.ListFilter{Limit: 2, Offset: 3})
	if err != nil || len(page) != 2 || page[0].Reference != "list-c" {
		t.Errorf("limit 2 offset 3: %v %v", page, err)
	}
	page, err = gw.ListPaymentsPage(ctx, smart2pay.ListFilter{MinimumAmount: moneyPtr(t, "2.00", "EUR"), MaximumAmount: moneyPtr(t, "4.00", "EUR"), Currency: "EUR", MethodID: 2})
	if err != nil || len(page) != 3 {
		t.Errorf("amount filters: %d %v", len(page), err)
	}
	page, err = gw.ListPaymentsPage(ctx, smart2pay.ListFilter{Card: true})
	if err != nil || len(page) != 1 || !strings.HasPrefix(page[0].ID, smart2pay.CardIDPrefix) {
		t.Errorf("card host list: %v %v", page, err)
	}
	light, err := gw.CardStatus(ctx, page[0].ID)
	if err != nil || light.Status != payments.StatusCaptured || light.Reference != "list-card" {
		t.Errorf("card status: %+v %v", light, err)
	}
	if _, err := gw.ListPaymentsPage(ctx, smart2pay.ListFilter{Country: "XX"}); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("bad country: %v", err)
	}
}

func TestRefundRefusals(t *testing.T) {
	_, gw := newSim(t)
	ctx := ctxT(t)
	// A card payment that is only authorized cannot be refunded.
	p, err := gw.Authorize(ctx, cardRequest(t, "rr-1", "20.00", false))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "1.00", "EUR")})
	if !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("refund of an authorized card payment: %v", err)
	}
	// Nor an alternative-method payment the customer has not paid.
	a, err := gw.Authorize(ctx, apmRequest(t, "rr-2", "9.80", "EUR", payments.ProviderMethod{ID: "2"}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: a.ID, Amount: moneyPtr(t, "1.00", "EUR")})
	if !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("refund of an open payment: %v", err)
	}
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: "card:12345", Amount: moneyPtr(t, "1.00", "EUR")})
	if !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("refund of an unknown payment: %v", err)
	}
	_, err = gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, IdempotencyKey: "not valid!"})
	if !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("bad idempotency key: %v", err)
	}
}
