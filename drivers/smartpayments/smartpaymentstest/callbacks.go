package smartpaymentstest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Notification is the record of one callback the simulator sent (or is sending).
type Notification struct {
	URL        string          // the request's callback_url, or the SetNotificationURL one
	OrderID    string          // the body's orderId
	Body       json.RawMessage // the exact JSON body POSTed
	Attempts   int             // POSTs made so far
	LastStatus int             // HTTP status of the last attempt, 0 after a transport error
	Delivered  bool            // the receiver answered 200
	Skipped    bool            // not sent: the host is not loopback (see WithExternalNotifications)
}

// callbackBody is the callback JSON. The document does not describe it; the
// fields are those third-party integrations read (see the package doc).
type callbackBody struct {
	OrderID           string         `json:"orderId"`
	Status            int            `json:"status"`
	Amount            int64          `json:"amount"`
	Currency          *string        `json:"currency"`
	FinalAmount       int64          `json:"finalAmount"`
	Type              string         `json:"type"`
	Message           string         `json:"message"`
	ErrorCategory     *string        `json:"errorCategory"`
	CascadeErrors     []CascadeError `json:"cascadeErrors"`
	RRN               *string        `json:"rrn"`
	ECI               *string        `json:"eci"`
	Card              *cardJSON      `json:"card"`
	AuthorizeStatus   *string        `json:"authorize_status,omitempty"`
	ParentTransaction *string        `json:"parentTransaction,omitempty"`
	Sign              string         `json:"sign"`
}

func (s *Server) callbackBodyLocked(t *txn) callbackBody {
	b := callbackBody{
		OrderID:         t.orderID,
		Status:          t.status,
		Amount:          t.amount,
		Currency:        strOrNil(t.currency),
		FinalAmount:     t.finalAmount(),
		Type:            t.kind,
		Message:         Description(t.errCode),
		ErrorCategory:   strOrNil(t.errCode),
		CascadeErrors:   t.cascade,
		RRN:             strOrNil(t.rrn),
		ECI:             strOrNil(t.eci),
		Card:            t.card(),
		AuthorizeStatus: s.authorizeStatus(t),
	}
	if t.kind == TypeRefund {
		b.ParentTransaction = ptr(t.parent.pid)
	}
	// An opaque signature: the real algorithm is not public, so receivers
	// must not rely on it (confirm with /check instead).
	m := hmac.New(sha256.New, []byte(s.cfg.secret))
	fmt.Fprintf(m, "%s:%d:%d", b.OrderID, b.Status, b.Amount)
	b.Sign = hex.EncodeToString(m.Sum(nil))
	return b
}

// notifyLocked sends the transaction's current state to its callback_url
// (else to the URL set with SetNotificationURL), if any, from a new
// goroutine.
func (s *Server) notifyLocked(t *txn) {
	target := t.callback
	if target == "" {
		target = s.notifyURL
	}
	if !s.cfg.callbacks || target == "" || s.closed {
		return
	}
	body, err := marshal(s.callbackBodyLocked(t))
	if err != nil {
		return
	}
	rec := &Notification{URL: target, OrderID: t.orderID, Body: body}
	s.callbacks = append(s.callbacks, rec)
	if !s.cfg.externalCallbacks && !loopback(target) {
		rec.Skipped = true
		s.log.Debug("smartpaymentstest: callback to a non-loopback host skipped", "order_id", t.orderID)
		return
	}
	if s.inflight == 0 {
		s.idle = make(chan struct{})
	}
	s.inflight++
	s.wg.Add(1)
	go s.deliver(rec)
}

func (s *Server) deliver(rec *Notification) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.inflight--
		if s.inflight == 0 {
			close(s.idle)
		}
		s.mu.Unlock()
	}()
	backoff := s.cfg.cbBackoff
	for attempt := 1; ; attempt++ {
		status := s.post(rec.URL, rec.Body)
		s.mu.Lock()
		rec.Attempts, rec.LastStatus, rec.Delivered = attempt, status, status == http.StatusOK
		s.mu.Unlock()
		s.log.Debug("smartpaymentstest: callback", "order_id", rec.OrderID, "attempt", attempt, "status", status)
		if status == http.StatusOK || attempt >= s.cfg.cbAttempts {
			return
		}
		select {
		case <-time.After(backoff):
		case <-s.ctx.Done():
			return
		}
		backoff *= 2
	}
}

// loopback reports whether a URL's host is localhost or a loopback IP
// literal (no DNS lookup is made).
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// post makes one attempt; it returns the HTTP status, 0 on a transport error.
func (s *Server) post(url string, body []byte) int {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.cbClient.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Notifications returns a copy of the records of all callbacks sent since the
// server started or was Reset, in the order they were triggered.
func (s *Server) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Notification, len(s.callbacks))
	for i, c := range s.callbacks {
		out[i] = *c
	}
	return out
}

// WaitIdle returns once no callback is being delivered or waiting for a
// retry, or with ctx's error.
func (s *Server) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.inflight == 0 {
			s.mu.Unlock()
			return nil
		}
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
