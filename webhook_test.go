package payments_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/inbound/inboundtest"
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
		{"confirm later", "POST", `{"id":1}`, fail(payments.RateLimited), nil, 503, false},
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

// TestNotificationHandlerLimitsWhileReading: a body over the limit whose
// length is not announced is cut off after the limit, not read whole and
// measured afterwards.
func TestNotificationHandlerLimitsWhileReading(t *testing.T) {
	called := false
	g := notifyGateway{notify: func(*http.Request) (*payments.Notification, error) {
		called = true
		return &payments.Notification{}, nil
	}}
	body := inboundtest.NewCountingBody(8 << 20)
	req := httptest.NewRequest("POST", "/hooks", body)
	req.ContentLength = -1 // not announced: only reading can tell
	rec := httptest.NewRecorder()
	payments.NotificationHandler(g, nil, payments.WithMaxBodyBytes(64)).ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.False(t, called)
	assert.LessOrEqual(t, body.BytesRead, int64(64+1), "bytes read of an oversized body")
}

// authGateway is a notifyGateway that checks a header before the body.
type authGateway struct {
	notifyGateway
}

func (authGateway) AuthenticateNotification(r *http.Request) error {
	if r.Header.Get("Authorization") != "Basic good" {
		return &payments.Error{Code: payments.Unverified, Message: "bad credentials"}
	}
	return nil
}

// TestNotificationHandlerAuthenticatesFirst: credentials in the headers are
// checked before a byte of the body is read.
func TestNotificationHandlerAuthenticatesFirst(t *testing.T) {
	notified := 0
	g := authGateway{notifyGateway{notify: func(r *http.Request) (*payments.Notification, error) {
		notified++
		_, _ = io.Copy(io.Discard, r.Body)
		return &payments.Notification{Reply: payments.Reply{StatusCode: http.StatusNoContent}}, nil
	}}}
	h := payments.NotificationHandler(g, nil)
	for _, auth := range []string{"", "Basic bad"} {
		body := inboundtest.NewCountingBody(1 << 20)
		req := httptest.NewRequest("POST", "/hooks", body)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "auth %q", auth)
		assert.Zero(t, body.BytesRead, "auth %q: body bytes read", auth)
	}
	assert.Zero(t, notified)

	body := inboundtest.NewCountingBody(100)
	req := httptest.NewRequest("POST", "/hooks", body)
	req.Header.Set("Authorization", "Basic good")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, int64(100), body.BytesRead)
	assert.Equal(t, 1, notified)
}

// TestNotificationHandlerSlowBody: a client that sends its body a byte at a
// time, without end, is cut off by the handler's read deadline (on a server
// that sets no ReadTimeout of its own) and answered 408.
func TestNotificationHandlerSlowBody(t *testing.T) {
	g := notifyGateway{notify: func(*http.Request) (*payments.Notification, error) {
		return &payments.Notification{}, nil
	}}
	srv := httptest.NewServer(payments.NotificationHandler(g, nil, payments.WithReadTimeout(100*time.Millisecond)))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{")
	require.NoError(t, err)
	stop := make(chan struct{})
	dripped := make(chan struct{})
	go func() { // one byte every 10 ms until the server hangs up
		defer close(dripped)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	// A guard, not a timing assertion: without the deadline the read would
	// last for hours; the test fails instead of hanging.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	close(stop)
	<-dripped
	require.NoError(t, err, "the handler never answered the slow client")
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
}
