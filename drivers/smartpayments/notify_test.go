package smartpayments_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/simulator"
)

// TestSimCallbacks lets the simulator POST its callbacks over real HTTP to
// a NotificationHandler, which confirms each with /check.
func TestSimCallbacks(t *testing.T) {
	var mu sync.Mutex
	var got []*payments.Notification
	var g *smartpayments.Gateway
	h := payments.NotificationHandler(gatewayFunc(func() payments.Gateway { return g }), func(_ context.Context, n *payments.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, n)
		return nil
	})
	receiver := httptest.NewServer(h)
	defer receiver.Close()

	srv := smartpaymentstest.NewServer(smartpaymentstest.WithNotificationRetry(3, time.Millisecond))
	defer srv.Close()
	g = simGateway(t, srv, func(c *smartpayments.Config) { c.NotificationURL = receiver.URL + "/callbacks" })
	ctx := context.Background()

	// A sale (callback_url from Config), a 3-D Secure payment completed
	// later (callback_url from the request), a refund and a withdrawal.
	_, err := g.Authorize(ctx, request(t, "cb-sale", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	req := request(t, "cb-3ds", "12.00", smartpaymentstest.CardChallenge, true)
	req.ReturnURLs.Notification = receiver.URL + "/payments"
	p, err := g.Authorize(ctx, req)
	require.NoError(t, err)
	require.NoError(t, srv.Complete(p.ID, simulator.Success))
	five := eur(t, "5.00")
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: "cb-sale", Amount: &five})
	require.NoError(t, err)
	_, err = g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "cb-payout", Amount: eur(t, "20.00"), CardNumber: smartpaymentstest.CardFrictionless})
	require.NoError(t, err)

	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitIdle(wctx))
	for _, cb := range srv.Notifications() {
		assert.True(t, cb.Delivered, "callback %s answered %d after %d attempts", cb.OrderID, cb.LastStatus, cb.Attempts)
	}

	mu.Lock()
	defer mu.Unlock()
	byID := map[string]*payments.Notification{}
	for _, n := range got {
		assert.Equal(t, payments.VerifiedByQuery, n.Verified)
		assert.Equal(t, http.StatusOK, n.Reply.StatusCode)
		assert.NotContains(t, string(n.Raw), smartpaymentstest.CardFrictionless)
		switch {
		case n.Payment != nil:
			byID[n.Payment.ID] = n
		case n.Refund != nil:
			byID[n.Refund.ID] = n
		}
	}
	if n := byID["cb-sale"]; assert.NotNil(t, n) {
		assert.Equal(t, payments.NotificationPayment, n.Kind)
		// The state /check reports now, after the refund, not the one the
		// callback carried.
		assert.Contains(t, []payments.Status{payments.StatusCaptured, payments.StatusPartiallyRefunded}, n.Payment.Status)
	}
	if n := byID["cb-3ds"]; assert.NotNil(t, n) {
		assert.Equal(t, payments.StatusCaptured, n.Payment.Status)
		assert.Equal(t, "12.00 EUR", n.Payment.Captured.String())
	}
	if n := byID[r.ID]; assert.NotNil(t, n, "refund callback") {
		assert.Equal(t, payments.NotificationRefund, n.Kind)
		assert.Equal(t, payments.RefundSucceeded, n.Refund.Status)
		assert.Equal(t, "5.00 EUR", n.Refund.Amount.String())
		assert.NotEmpty(t, n.Refund.PaymentID)
	}
	if n := byID["cb-payout"]; assert.NotNil(t, n) {
		assert.Equal(t, payments.NotificationPayout, n.Kind)
		assert.Equal(t, payments.StatusCaptured, n.Payment.Status)
	}
}

// gatewayFunc defers to a gateway built later (the receiver must exist
// before the gateway that names it).
type gatewayFunc func() payments.Gateway

func (f gatewayFunc) Name() string                        { return f().Name() }
func (f gatewayFunc) Capabilities() payments.Capabilities { return f().Capabilities() }
func (f gatewayFunc) Authorize(ctx context.Context, r *payments.AuthorizeRequest) (*payments.Payment, error) {
	return f().Authorize(ctx, r)
}
func (f gatewayFunc) Capture(ctx context.Context, r *payments.CaptureRequest) (*payments.Payment, error) {
	return f().Capture(ctx, r)
}
func (f gatewayFunc) Cancel(ctx context.Context, r *payments.CancelRequest) (*payments.Payment, error) {
	return f().Cancel(ctx, r)
}
func (f gatewayFunc) Refund(ctx context.Context, r *payments.RefundRequest) (*payments.Refund, error) {
	return f().Refund(ctx, r)
}
func (f gatewayFunc) Status(ctx context.Context, r *payments.StatusRequest) (*payments.Payment, error) {
	return f().Status(ctx, r)
}
func (f gatewayFunc) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	return f().Notify(ctx, r)
}

func TestNotifyNeverTrustsTheBody(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	_, err := g.Authorize(ctx, request(t, "n-1", "10.51", smartpaymentstest.CardDeclined, true))
	require.True(t, errors.Is(err, payments.ErrDeclined))

	// The body claims success; /check says the payment failed.
	n, err := g.Notify(ctx, callbackRequest(t, "n-1", 2))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusFailed, n.Payment.Status)
	assert.Equal(t, payments.DeclineInsufficientFunds, n.Payment.Decline.Reason)

	for _, tt := range []struct {
		name string
		body string
		want payments.Code
	}{
		{"unknown order", `{"orderId":"n-404","status":2}`, payments.Unverified},
		{"no order", `{"status":2}`, payments.InvalidRequest},
		{"not json", `<xml/>`, payments.InvalidRequest},
		{"empty", ``, payments.InvalidRequest},
		{"snake case", `{"order_id":"n-1"}`, ""},
		{"numeric id of an unknown order", `{"orderId":123456}`, payments.Unverified},
		{"form encoded", `orderId=n-1&status=-1`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(tt.body))
			n, err := g.Notify(ctx, r)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "n-1", n.Payment.ID)
				return
			}
			assert.Nil(t, n)
			assert.Equal(t, tt.want, payments.CodeOf(err), "%v", err)
		})
	}

	// Through the handler: unknown order 401, malformed 400, valid 200.
	h := payments.NotificationHandler(g, nil)
	for body, code := range map[string]int{`{"orderId":"n-404"}`: 401, `{}`: 400, `{"orderId":"n-1"}`: 200} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body)))
		assert.Equal(t, code, rec.Code, body)
	}

	_, err = g.Notify(ctx, nil)
	assert.True(t, errors.Is(err, payments.ErrInvalidRequest))
}

// When /check cannot be reached, Notify says so and the handler answers
// 500, so that the provider delivers the callback again.
func TestNotifyProviderDown(t *testing.T) {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
	g := simGateway(t, srv, nil)
	srv.Close()
	_, err := g.Notify(context.Background(), callbackRequest(t, "x", 2))
	assert.True(t, errors.Is(err, payments.ErrUnavailable), "%v", err)
	rec := httptest.NewRecorder()
	payments.NotificationHandler(g, nil).ServeHTTP(rec, callbackRequest(t, "x", 2))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}
