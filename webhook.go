package payments

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// DefaultMaxNotificationBytes caps a notification body read by
// [NotificationHandler] (1 MiB); providers send a few kilobytes.
const DefaultMaxNotificationBytes = 1 << 20

// HandlerOption configures [NotificationHandler].
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	maxBytes int64
	logger   *slog.Logger
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

// WithHandlerLogger logs rejected notifications and callback failures (no
// bodies, no secrets). The default logs nothing.
func WithHandlerLogger(l *slog.Logger) HandlerOption {
	return func(c *handlerConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// NotificationHandler serves a provider's notifications: it reads the body
// (POST only, 405 otherwise; capped, 413 when larger), lets the gateway
// verify and parse it, calls fn with the result, and answers the provider
// exactly as it expects (Notification.Reply: 204 for Smart2Pay, 200 for
// others).
//
// The answers are chosen so that nothing is lost:
//   - an unverifiable notification (ErrUnverified) is 401 and fn is not called;
//   - a malformed one (ErrInvalidRequest) is 400;
//   - when the driver could not confirm the state with the provider
//     (unavailable, outcome unknown) or fn returns an error or panics, the
//     answer is 500, so the provider delivers it again later.
//
// fn must be idempotent: providers deliver the same notification more than
// once.
func NotificationHandler(g Gateway, fn func(context.Context, *Notification) error, opts ...HandlerOption) http.Handler {
	cfg := handlerConfig{maxBytes: DefaultMaxNotificationBytes, logger: discardLogger()}
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
	body, err := io.ReadAll(io.LimitReader(r.Body, h.cfg.maxBytes+1))
	if err != nil {
		h.cfg.logger.WarnContext(r.Context(), "payments: reading notification failed", "gateway", h.g.Name(), "error", err)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > h.cfg.maxBytes {
		h.cfg.logger.WarnContext(r.Context(), "payments: notification too large", "gateway", h.g.Name(), "limit", h.cfg.maxBytes)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))

	n, err := h.g.Notify(r.Context(), r2)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrUnverified), errors.Is(err, ErrAuthentication):
			status = http.StatusUnauthorized
		case errors.Is(err, ErrInvalidRequest):
			status = http.StatusBadRequest
		}
		h.cfg.logger.WarnContext(r.Context(), "payments: notification rejected", "gateway", h.g.Name(), "status", status, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if err := h.callback(r.Context(), n); err != nil {
		h.cfg.logger.ErrorContext(r.Context(), "payments: notification callback failed; the provider will deliver it again", "gateway", h.g.Name(), "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeReply(w, n.Reply)
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
