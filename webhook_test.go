package payments_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gopayments/payments"
)

// notifyGateway is a Gateway whose Notify is scripted; the other methods are
// never called by NotificationHandler.
type notifyGateway struct {
	payments.Gateway
	notify func(r *http.Request) (*payments.Notification, error)
}

func (g notifyGateway) Name() string { return "scripted" }
func (g notifyGateway) Notify(_ context.Context, r *http.Request) (*payments.Notification, error) {
	return g.notify(r)
}

func TestNotificationHandler(t *testing.T) {
	ok := func(r *http.Request) (*payments.Notification, error) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"id":1}` {
			return nil, &payments.Error{Code: payments.Unverified, Message: "body changed"}
		}
		return &payments.Notification{Kind: payments.NotificationPayment, Verified: payments.VerifiedCredentials,
			Reply: payments.Reply{StatusCode: http.StatusNoContent}}, nil
	}
	fail := func(code payments.Code) func(*http.Request) (*payments.Notification, error) {
		return func(*http.Request) (*payments.Notification, error) { return nil, &payments.Error{Code: code} }
	}
	tests := []struct {
		name     string
		method   string
		body     string
		notify   func(*http.Request) (*payments.Notification, error)
		fn       func(context.Context, *payments.Notification) error
		want     int
		wantCall bool
	}{
		{"ok", "POST", `{"id":1}`, ok, nil, 204, true},
		{"get", "GET", ``, ok, nil, 405, false},
		{"too large", "POST", strings.Repeat("x", 65), ok, nil, 413, false},
		{"unverified", "POST", `{"id":2}`, ok, nil, 401, false},
		{"garbage", "POST", `{`, fail(payments.InvalidRequest), nil, 400, false},
		{"cannot confirm", "POST", `{"id":1}`, fail(payments.Unavailable), nil, 500, false},
		{"callback error", "POST", `{"id":1}`, ok, func(context.Context, *payments.Notification) error { return errors.New("db down") }, 500, true},
		{"callback panic", "POST", `{"id":1}`, ok, func(context.Context, *payments.Notification) error { panic("boom 4242424242424242") }, 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			fn := func(ctx context.Context, n *payments.Notification) error {
				called = true
				if tt.fn != nil {
					return tt.fn(ctx, n)
				}
				return nil
			}
			h := payments.NotificationHandler(notifyGateway{notify: tt.notify}, fn, payments.WithMaxBodyBytes(64))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/hooks", strings.NewReader(tt.body)))
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.wantCall, called)
			assert.NotContains(t, rec.Body.String(), "4242424242424242")
		})
	}
}

func TestNotificationHandlerReplyBody(t *testing.T) {
	g := notifyGateway{notify: func(*http.Request) (*payments.Notification, error) {
		return &payments.Notification{Reply: payments.Reply{StatusCode: 200, ContentType: "text/plain", Body: []byte("OK")}}, nil
	}}
	rec := httptest.NewRecorder()
	payments.NotificationHandler(g, nil).ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("{}")))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, "OK", rec.Body.String())
	assert.Equal(t, "text/plain", rec.Header().Get("Content-Type"))
}
