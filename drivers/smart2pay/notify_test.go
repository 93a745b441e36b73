package smart2pay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/internal/inbound/inboundtest"
)

// TestNotificationsResentUntil204: the simulator re-sends a notification
// with backoff until the merchant answers 204; the handler answers 500
// while the merchant's callback fails, then exactly 204.
func TestNotificationsResentUntil204(t *testing.T) {
	sim := smart2paytest.NewServer(smart2paytest.WithNotificationRetry(5, time.Millisecond))
	t.Cleanup(sim.Close)
	gw, err := smart2pay.New(simConfig(sim))
	if err != nil {
		t.Fatal(err)
	}
	var failures atomic.Int32
	failures.Store(2)
	var mu sync.Mutex
	var got []*payments.Notification
	h := payments.NotificationHandler(gw, func(_ context.Context, n *payments.Notification) error {
		if failures.Add(-1) >= 0 {
			return errors.New("database down")
		}
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	sim.SetNotificationURL(srv.URL)

	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "n-1", "20.00", true))
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	attempts := sim.NotificationAttempts()
	if len(attempts) != 3 || attempts[0].StatusCode != 500 || attempts[1].StatusCode != 500 || attempts[2].StatusCode != http.StatusNoContent || !attempts[2].Delivered {
		t.Fatalf("attempts %+v", attempts)
	}
	if len(got) != 1 {
		t.Fatalf("%d notifications accepted", len(got))
	}
	n := got[0]
	if n.Kind != payments.NotificationPayment || n.Payment.ID != p.ID || n.Payment.Status != payments.StatusCaptured || n.Verified != payments.VerifiedCredentials || n.Reply.StatusCode != 204 {
		t.Errorf("notification %+v payment %+v", n, n.Payment)
	}
	if err := smart2pay.CheckAmount(n, money(t, "20.00", "EUR")); err != nil {
		t.Error(err)
	}
	if err := smart2pay.CheckAmount(n, money(t, "20.00", "USD")); !errors.Is(err, payments.ErrIntegrity) {
		t.Errorf("currency mismatch: %v", err)
	}
}

// TestRefundAndDuplicateNotifications: refunds are notified as "Refund"
// with the payment's host; duplicates arrive and are accepted each time.
func TestRefundAndDuplicateNotifications(t *testing.T) {
	sim := smart2paytest.NewServer(smart2paytest.WithDuplicateNotifications(2), smart2paytest.WithPendingRefunds())
	t.Cleanup(sim.Close)
	gw, err := smart2pay.New(simConfig(sim))
	if err != nil {
		t.Fatal(err)
	}
	m := newMerchant(t, gw)
	sim.SetNotificationURL(m.srv.URL)
	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "n-2", "20.00", true))
	if err != nil {
		t.Fatal(err)
	}
	r, err := gw.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: moneyPtr(t, "5.00", "EUR"), IdempotencyKey: "n2-refund"})
	if err != nil || r.Status != payments.RefundPending {
		t.Fatalf("pending refund: %+v %v", r, err)
	}
	if err := sim.SetRefundStatus(r.ID, smart2paytest.StatusSuccess); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range m.notifications() {
		switch n.Kind {
		case payments.NotificationPayment:
			kinds = append(kinds, "payment "+n.Payment.ProviderStatus)
			if n.Payment.ID != p.ID {
				t.Errorf("payment ID %s", n.Payment.ID)
			}
		case payments.NotificationRefund:
			kinds = append(kinds, "refund "+n.Refund.ProviderStatus)
			if n.Refund.PaymentID != p.ID || n.Refund.ID != r.ID || !n.Refund.Amount.Equal(money(t, "5.00", "EUR")) {
				t.Errorf("refund %+v", n.Refund)
			}
		}
	}
	want := "payment 11 Captured,payment 11 Captured,refund 1 Open,refund 1 Open,refund 2 Success,refund 2 Success,payment 21 PartiallyRefunded,payment 21 PartiallyRefunded"
	if strings.Join(kinds, ",") != want {
		t.Errorf("notifications\n got %s\nwant %s", strings.Join(kinds, ","), want)
	}
}

func TestNotifyKindsAndRejections(t *testing.T) {
	gw, err := smart2pay.New(docConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		body string
		kind payments.NotificationKind
	}{
		{"payout", `{"Payout":{"ID":1,"Amount":100,"Currency":"EUR"}}`, payments.NotificationPayout},
		{"preapproval", `{"Preapproval":{"ID":1}}`, payments.NotificationOther},
		{"dispute", `{"Dispute":{"ID":1}}`, payments.NotificationOther},
		{"refund", `{"Refund":{"ID":150001,"Created":"20161205084103","MerchantTransactionID":"r1","InitialPaymentID":2427068,"Amount":50,"Currency":"EUR","Description":null,"TypeID":1,"Status":{"ID":2,"Info":"Success","Reasons":null}}}`, payments.NotificationRefund},
		// The key is matched exactly, after JSON unescaping.
		{"escaped key", `{"Pay\u006dent":{"ID":5,"Amount":100,"Currency":"EUR","Status":{"ID":2}}}`, payments.NotificationPayment},
		{"lower-case key", `{"payment":{"ID":5,"Amount":100,"Currency":"EUR","Status":{"ID":2}}}`, payments.NotificationOther},
		{"whitespace", " \r\n{ \"Payout\" :\t{\"ID\":1} }\n", payments.NotificationPayout},
		{"brackets in strings", `{"Dispute":{"Note":"}\"{,\\","List":[1,{"a":"]"}],"n":-1.5e3}}`, payments.NotificationOther},
		// Members the driver does not read are not decoded: a type it would
		// not expect there does not make the notification unreadable.
		{"unread member of another type", `{"Payment":{"ID":5,"Amount":100,"Currency":"EUR","Status":{"ID":2},"Capture":"yes","MethodID":"six","Customer":[1]}}`, payments.NotificationPayment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := gw.Notify(ctx, notification(docAPMAuth, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if n.Kind != tc.kind || n.Reply.StatusCode != 204 || len(n.Raw) == 0 || n.Verified != payments.VerifiedCredentials {
				t.Errorf("%+v", n)
			}
			if tc.kind == payments.NotificationRefund && (n.Refund == nil || n.Refund.PaymentID != "2427068" || n.Refund.Status != payments.RefundSucceeded) {
				t.Errorf("refund %+v", n.Refund)
			}
		})
	}
	// A card-site notification names a card payment.
	n, err := gw.Notify(ctx, notification(docCardAuth, `{"Payment":{"ID":202230,"MerchantTransactionID":"s2ptest_h2","Amount":2000,"Currency":"EUR","CapturedAmount":2000,"Status":{"ID":11,"Info":"Captured","Reasons":[]}}}`))
	if err != nil || n.Payment.ID != "card:202230" || !n.Payment.Captured.Equal(money(t, "20.00", "EUR")) {
		t.Errorf("card notification: %+v %v", n, err)
	}
	for _, tc := range []struct {
		name string
		r    *http.Request
		want payments.Code
	}{
		{"no header", notification("", `{"Payment":{"ID":1}}`), payments.Unverified},
		{"wrong key", notification(basic(strconv.Itoa(docSiteID), "nope"), `{"Payment":{"ID":1}}`), payments.Unverified},
		{"bearer", notification("Bearer "+docAPIKey, `{"Payment":{"ID":1}}`), payments.Unverified},
		{"long header", notification(docAPMAuth+strings.Repeat("A", 1000), `{"Payment":{"ID":1}}`), payments.Unverified},
		{"GET", httptest.NewRequest(http.MethodGet, "/n", nil), payments.InvalidRequest},
		{"not json", notification(docAPMAuth, `Payment=1`), payments.InvalidRequest},
		{"two keys", notification(docAPMAuth, `{"Payment":{"ID":1},"Refund":{"ID":2}}`), payments.InvalidRequest},
		{"two keys, the second unknown", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"},"x":1}`), payments.InvalidRequest},
		{"two keys, the first unknown", notification(docAPMAuth, `{"x":1,"Payment":{"ID":1,"Amount":100,"Currency":"EUR"}}`), payments.InvalidRequest},
		// A key given twice is ambiguous (which payment is it?): refused.
		{"Payment twice", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"},"Payment":{"ID":2,"Amount":100,"Currency":"EUR"}}`), payments.InvalidRequest},
		{"Payment twice, escaped", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"},"Pay\u006dent":{"ID":2,"Amount":100,"Currency":"EUR"}}`), payments.InvalidRequest},
		{"Payout twice", notification(docAPMAuth, `{"Payout":{},"Payout":{}}`), payments.InvalidRequest},
		{"trailing comma", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"},}`), payments.InvalidRequest},
		{"unterminated", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"}`), payments.InvalidRequest},
		{"array", notification(docAPMAuth, `[{"Payment":{"ID":1,"Amount":100,"Currency":"EUR"}}]`), payments.InvalidRequest},
		{"payment null", notification(docAPMAuth, `{"Payment":null}`), payments.InvalidRequest},
		{"payment not an object", notification(docAPMAuth, `{"Payment":7}`), payments.InvalidRequest},
		{"other not JSON", notification(docAPMAuth, `{"Payout":{"ID":01}}`), payments.InvalidRequest},
		{"empty object", notification(docAPMAuth, `{}`), payments.InvalidRequest},
		{"null", notification(docAPMAuth, `null`), payments.InvalidRequest},
		{"trailing", notification(docAPMAuth, `{"Payment":{"ID":1}} {}`), payments.InvalidRequest},
		{"payment without ID", notification(docAPMAuth, `{"Payment":{"ID":null,"Status":{"ID":2}}}`), payments.InvalidRequest},
		{"bad amount", notification(docAPMAuth, `{"Payment":{"ID":1,"Amount":1.5,"Currency":"EUR"}}`), payments.InvalidRequest},
		{"refund without amount", notification(docAPMAuth, `{"Refund":{"ID":1}}`), payments.InvalidRequest},
		{"too large", notification(docAPMAuth, `{"Payment":{"ID":1,"Description":"`+strings.Repeat("x", 1<<20)+`"}}`), payments.InvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := gw.Notify(ctx, tc.r)
			if n != nil || payments.CodeOf(err) != tc.want {
				t.Errorf("(%v, %v), want %s", n, err, tc.want)
			}
		})
	}
	if err := smart2pay.CheckAmount(nil, money(t, "1", "EUR")); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Error(err)
	}
	if err := smart2pay.CheckAmount(&payments.Notification{Kind: payments.NotificationOther}, money(t, "1", "EUR")); !errors.Is(err, payments.ErrInvalidRequest) {
		t.Error(err)
	}
}

// TestNotifySharedCredentials: when both sites share one pair, the body's
// shape tells a card payment apart.
func TestNotifySharedCredentials(t *testing.T) {
	gw, err := smart2pay.New(smart2pay.Config{SiteID: 5, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	auth := basic("5", "k")
	n, err := gw.Notify(ctxT(t), notification(auth, `{"Payment":{"ID":9,"Amount":100,"Currency":"EUR","CapturedAmount":100,"3DSecure":null,"Status":{"ID":11}}}`))
	if err != nil || n.Payment.ID != "card:9" {
		t.Errorf("card shape: %+v %v", n, err)
	}
	n, err = gw.Notify(ctxT(t), notification(auth, `{"Payment":{"ID":9,"Amount":100,"Currency":"EUR","ReferenceDetails":null,"Status":{"ID":2}}}`))
	if err != nil || n.Payment.ID != "9" {
		t.Errorf("alternative shape: %+v %v", n, err)
	}
	n, err = gw.Notify(ctxT(t), notification(auth, `{"Pay\u006dent":{"ID":9,"Amount":100,"Currency":"EUR","CapturedAmount":100,"Status":{"ID":11}}}`))
	if err != nil || n.Payment.ID != "card:9" {
		t.Errorf("card shape, escaped key: %+v %v", n, err)
	}
	// A key given twice is refused here too (as with one site's
	// credentials), whichever shape each copy has.
	n, err = gw.Notify(ctxT(t), notification(auth, `{"Payment":{"ID":9,"Amount":100,"Currency":"EUR","Status":{"ID":2}},"Payment":{"ID":9,"Amount":100,"Currency":"EUR","CapturedAmount":100,"Status":{"ID":11}}}`))
	if n != nil || !errors.Is(err, payments.ErrInvalidRequest) {
		t.Errorf("Payment twice: (%+v, %v)", n, err)
	}
}

// TestHandlerAuthenticatesBeforeReading: through NotificationHandler, a
// 1 MiB post without the site's credentials (none, another site's, a
// forged key) is refused 401 before a byte of its body is read; with them,
// the body is read.
func TestHandlerAuthenticatesBeforeReading(t *testing.T) {
	_, gw := newSim(t)
	h := payments.NotificationHandler(gw, nil)
	for _, auth := range []string{"", basic("99999", "x"), basic(strconv.Itoa(smart2paytest.DefaultSiteID), smart2paytest.DefaultAPIKey+"x")} {
		body := inboundtest.NewCountingBody(1 << 20)
		req := httptest.NewRequest(http.MethodPost, "/notify", body)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || body.BytesRead != 0 {
			t.Errorf("auth %q: status %d, %d body bytes read", auth, rec.Code, body.BytesRead)
		}
	}
	body := inboundtest.NewCountingBody(1 << 20)
	req := httptest.NewRequest(http.MethodPost, "/notify", body)
	req.Header.Set("Authorization", basic(strconv.Itoa(smart2paytest.DefaultSiteID), smart2paytest.DefaultAPIKey))
	rec := newRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || body.BytesRead == 0 {
		t.Errorf("authenticated garbage: status %d, %d body bytes read", rec.Code, body.BytesRead)
	}
}
