package payments

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// DefaultMaxNotificationBytes caps a notification body read by
// [NotificationHandler] (1 MiB); providers send a few kilobytes.
const DefaultMaxNotificationBytes = 1 << 20

// DefaultNotificationReadTimeout bounds how long [NotificationHandler] waits
// for a notification's body (10 s): providers send a few kilobytes at once.
// A client that sends it slower is cut off with 408.
const DefaultNotificationReadTimeout = 10 * time.Second

// HandlerOption configures [NotificationHandler].
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	maxBytes    int64
	readTimeout time.Duration
	logger      *slog.Logger
}

// WithMaxBodyBytes sets the largest notification body accepted; larger ones
// are answered 413.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(c *handlerConfig) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithReadTimeout sets how long the handler waits for a notification's body
// (default [DefaultNotificationReadTimeout]); a body that has not arrived
// whole by then is answered 408.
func WithReadTimeout(d time.Duration) HandlerOption {
	return func(c *handlerConfig) {
		if d > 0 {
			c.readTimeout = d
		}
	}
}

// WithHandlerLogger logs rejected notifications and callback failures (no
// bodies, no secrets). The default logs nothing.
func WithHandlerLogger(l *slog.Logger) HandlerOption {
	return func(c *handlerConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// NotificationAuthenticator is implemented by a [Gateway] whose providers
// authenticate notifications in the request headers (Smart2Pay's and
// SmartPay's Basic credentials). [NotificationHandler] calls it before it
// reads the body, so that an unauthenticated request costs no more than its
// headers: an error (ErrUnverified) is answered 401 and the body is never
// read. Gateway.Notify checks the same credentials again; a gateway that
// has nothing to check in the headers returns nil.
type NotificationAuthenticator interface {
	// AuthenticateNotification checks r's headers only; it must not read
	// r.Body.
	AuthenticateNotification(r *http.Request) error
}

// NotificationHandler serves a provider's notifications: it checks the
// request's credentials when the gateway can before reading anything
// ([NotificationAuthenticator]), reads the body (POST only, 405 otherwise;
// capped, 413 when larger; within the read timeout, 408 when slower), lets
// the gateway verify and parse it, calls fn with the result, and answers the
// provider exactly as it expects (Notification.Reply: 204 for Smart2Pay,
// 200 for others).
//
// The answers are chosen so that nothing is lost:
//   - an unverifiable notification (ErrUnverified) is 401 and fn is not called;
//   - a malformed one (ErrInvalidRequest) is 400;
//   - when the driver declines to confirm it now (ErrRateLimited: its bound
//     on status queries that notifications trigger, or the provider's 429)
//     the answer is 503 with Retry-After, so the provider delivers it again
//     later;
//   - when the driver could not confirm the state with the provider
//     (unavailable, outcome unknown) or fn returns an error or panics, the
//     answer is 500, so the provider delivers it again later.
//
// fn must be idempotent: providers deliver the same notification more than
// once, and anyone who saw one can send it again (a replay). Only the
// [Router] applies the forward-only rule across notifications (a replayed
// or late notification never takes its stored status back); this handler
// hands fn each notification's state as the driver reports it. Drivers that
// confirm by query (SmartPayments, SmartPay) report the provider's current
// state; the memory driver reports its own newer state for a stale
// notification; Smart2Pay reports the body as sent, which may be older
// than what fn already recorded. Without a Router, fn must itself refuse to
// move a payment back ([Status.CanTransition]).
//
// # The server
//
// The handler bounds what it controls: the body's size and the time it may
// take to arrive (with [http.ResponseController]; behind a ResponseWriter
// that cannot set deadlines only the size is bounded). The rest is the
// http.Server's: set ReadHeaderTimeout (slow headers), ReadTimeout (a
// backstop over the whole request), WriteTimeout (a client that does not
// read the answer; above the longest fn and the driver's confirming query
// may take: SmartPay's default timeout is 90 s) and IdleTimeout (kept-alive
// connections), as the programs in examples/ do:
//
//	srv := &http.Server{
//		Handler:           mux,
//		ReadHeaderTimeout: 5 * time.Second,
//		ReadTimeout:       15 * time.Second,
//		WriteTimeout:      2 * time.Minute,
//		IdleTimeout:       60 * time.Second,
//	}
func NotificationHandler(g Gateway, fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
	cfg := handlerConfig{maxBytes: DefaultMaxNotificationBytes, readTimeout: DefaultNotificationReadTimeout, logger: discardLogger()}
	for _, o := range opts {
		o(&cfg)
	}
	return &notificationHandler{g: g, fn: fn, cfg: cfg}
}

type notificationHandler struct {
	g   Gateway
	fn  func(context.Context, *Notification) error
	cfg handlerConfig
}

func (h *notificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if a, ok := h.g.(NotificationAuthenticator); ok {
		if err := a.AuthenticateNotification(r); err != nil {
			h.reject(w, r, err)
			return
		}
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		h.cfg.logger.WarnContext(r.Context(), "payments: reading notification failed", "provider", h.g.Name(), "status", status, "limit", h.cfg.maxBytes, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))

	n, err := h.g.Notify(r.Context(), r2)
	if err != nil {
		h.reject(w, r, err)
		return
	}
	if err := h.callback(r.Context(), n); err != nil {
		h.cfg.logger.ErrorContext(r.Context(), "payments: notification callback failed; the provider will deliver it again", "provider", h.g.Name(), "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeReply(w, n.Reply)
}

// readBody reads the whole body through http.MaxBytesReader within the read
// timeout: the read deadline is set on the connection before and cleared
// after (a deadline left behind would cancel the request's context while fn
// or the driver's confirming query runs). On failure it returns the status
// to answer: 413 for a body over the limit, 408 for one too slow, 400
// otherwise.
func (h *notificationHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(h.cfg.readTimeout)); err == nil {
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	} else if !errors.Is(err, http.ErrNotSupported) {
		h.cfg.logger.DebugContext(r.Context(), "payments: cannot set the notification read deadline", "provider", h.g.Name(), "error", err)
	}
	if r.ContentLength > h.cfg.maxBytes {
		return nil, http.StatusRequestEntityTooLarge, &http.MaxBytesError{Limit: h.cfg.maxBytes}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBytes))
	if err == nil {
		return body, 0, nil
	}
	var tooLarge *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, err
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return nil, http.StatusRequestTimeout, err
	}
	return nil, http.StatusBadRequest, err
}

// reject answers a notification the gateway refused (see NotificationHandler
// for the statuses).
func (h *notificationHandler) reject(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrUnverified), errors.Is(err, ErrAuthentication):
		status = http.StatusUnauthorized
	case errors.Is(err, ErrInvalidRequest):
		status = http.StatusBadRequest
	case errors.Is(err, ErrRateLimited):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	h.cfg.logger.WarnContext(r.Context(), "payments: notification rejected", "provider", h.g.Name(), "status", status, "error", err)
	http.Error(w, http.StatusText(status), status)
}

// callback runs fn, turning a panic into an error so the provider retries
// and the server goes on.
func (h *notificationHandler) callback(ctx context.Context, n *Notification) (err error) {
	if h.fn == nil {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Code: Integrity, Message: "notification callback panicked"}
		}
	}()
	return h.fn(ctx, n)
}

func writeReply(w http.ResponseWriter, rep Reply) {
	status := rep.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	if rep.ContentType != "" {
		w.Header().Set("Content-Type", rep.ContentType)
	}
	w.WriteHeader(status)
	if len(rep.Body) > 0 && status != http.StatusNoContent {
		_, _ = w.Write(rep.Body)
	}
}

// discardLogger is the default logger: silent.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
