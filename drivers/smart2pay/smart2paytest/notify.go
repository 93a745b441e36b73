package smart2paytest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// NotificationAttempt records one delivery attempt of a notification.
type NotificationAttempt struct {
	Type       string    // "Payment" or "Refund": the body's top-level key
	ID         string    // the payment's or refund's ID
	StatusID   int       // the status the notification announces
	Copy       int       // 1..n with WithDuplicateNotifications(n)
	Attempt    int       // 1 for the first delivery, 2 for the first retry, …
	StatusCode int       // the merchant's HTTP status; 0 when there was no answer
	Err        string    // transport error or timeout, "" when the merchant answered
	Delivered  bool      // the merchant answered 204 No Content
	At         time.Time // wall-clock time of the attempt
}

type outgoing struct {
	url      string
	auth     string
	body     []byte
	typ      string
	id       string
	statusID int
	copy     int
	payment  *payment // payment notifications: NotificationDateTime is set on delivery
}

// notifier delivers notifications one at a time, in the order the changes happened, from its
// own goroutine, never holding the Server's state lock during network I/O.
type notifier struct {
	s      *Server
	client *http.Client

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []*outgoing
	inflight bool
	idle     chan struct{} // closed while nothing is queued or in flight
	closed   bool
	ctx      context.Context
	cancel   context.CancelFunc
	attempts []NotificationAttempt
	done     chan struct{}
}

func newNotifier(s *Server) *notifier {
	n := &notifier{
		s:      s,
		client: &http.Client{Timeout: s.cfg.notifyTimeout, Transport: http.DefaultTransport.(*http.Transport).Clone()},
		idle:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	close(n.idle)
	n.cond = sync.NewCond(&n.mu)
	n.ctx, n.cancel = context.WithCancel(context.Background())
	go n.run()
	return n
}

func (n *notifier) busy() bool { return n.inflight || len(n.queue) > 0 }

func (n *notifier) idleClosedLocked() bool {
	select {
	case <-n.idle:
		return true
	default:
		return false
	}
}

// markBusyLocked opens a new idle channel if the current one is closed.
func (n *notifier) markBusyLocked() {
	if n.idleClosedLocked() {
		n.idle = make(chan struct{})
	}
}

// markIdleLocked closes the idle channel (once) when nothing is queued or in flight.
func (n *notifier) markIdleLocked() {
	if (!n.busy() || n.closed) && !n.idleClosedLocked() {
		close(n.idle)
	}
}

func (n *notifier) enqueue(items ...*outgoing) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || len(items) == 0 {
		return
	}
	n.markBusyLocked()
	n.queue = append(n.queue, items...)
	n.cond.Signal()
}

func (n *notifier) run() {
	defer close(n.done)
	for {
		n.mu.Lock()
		for len(n.queue) == 0 && !n.closed {
			n.cond.Wait()
		}
		if n.closed {
			n.mu.Unlock()
			return
		}
		item := n.queue[0]
		n.queue = n.queue[1:]
		n.inflight = true
		ctx := n.ctx
		n.mu.Unlock()

		delivered := n.deliver(ctx, item)
		if delivered && item.payment != nil {
			n.s.markNotified(item.payment)
		}

		n.mu.Lock()
		n.inflight = false
		n.markIdleLocked()
		n.mu.Unlock()
	}
}

func (n *notifier) deliver(ctx context.Context, o *outgoing) bool {
	cfg := n.s.cfg
	delay := cfg.notifyBaseDelay
	for attempt := 1; attempt <= cfg.notifyAttempts; attempt++ {
		if ctx.Err() != nil {
			return false
		}
		rec := NotificationAttempt{Type: o.typ, ID: o.id, StatusID: o.statusID, Copy: o.copy, Attempt: attempt, At: time.Now()}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(o.body))
		if err != nil {
			rec.Err = err.Error()
			n.record(rec)
			return false
		}
		req.Header.Set("Authorization", o.auth)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := n.client.Do(req)
		if err != nil {
			rec.Err = err.Error()
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			rec.StatusCode = resp.StatusCode
			rec.Delivered = resp.StatusCode == http.StatusNoContent
		}
		n.record(rec)
		cfg.logger.Debug("smart2paytest: notification", "type", o.typ, "id", o.id, "status", o.statusID,
			"attempt", attempt, "code", rec.StatusCode, "err", rec.Err)
		if rec.Delivered {
			return true
		}
		if attempt == cfg.notifyAttempts {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		delay *= 2
		if delay > maxNotificationDelay {
			delay = maxNotificationDelay
		}
	}
	return false
}

func (n *notifier) record(a NotificationAttempt) {
	n.mu.Lock()
	n.attempts = append(n.attempts, a)
	n.mu.Unlock()
}

// reset drops queued notifications, aborts the one in flight and forgets the attempts.
func (n *notifier) reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.queue = nil
	n.attempts = nil
	n.cancel()
	n.ctx, n.cancel = context.WithCancel(context.Background())
	// An in-flight delivery sees its context cancelled and marks idle when it returns.
	n.markIdleLocked()
}

func (n *notifier) close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	n.queue = nil
	n.cancel()
	n.cond.Broadcast()
	n.mu.Unlock()
	<-n.done
	n.mu.Lock()
	n.inflight = false
	n.markIdleLocked()
	n.mu.Unlock()
	n.client.CloseIdleConnections()
}

// WaitIdle blocks until no notification is queued or being delivered (retries included), or
// ctx is done. Call it after the operations whose notifications a test expects.
func (s *Server) WaitIdle(ctx context.Context) error {
	s.n.mu.Lock()
	ch := s.n.idle
	s.n.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NotificationAttempts returns a copy of every notification delivery attempt so far, in order.
func (s *Server) NotificationAttempts() []NotificationAttempt {
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	return slices.Clone(s.n.attempts)
}

func (s *Server) markNotified(p *payment) {
	s.mu.Lock()
	t := s.now()
	p.notificationDateTime = &t
	s.mu.Unlock()
}

func basicAuth(siteID int64, apiKey string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", siteID, apiKey)))
}

func (s *Server) authFor(a api) string {
	if a == apiCard {
		return basicAuth(s.cfg.cardSiteID, s.cfg.cardAPIKey)
	}
	return basicAuth(s.cfg.siteID, s.cfg.apiKey)
}

func (s *Server) queueLocked(a api, typ, id string, statusID int, body object, p *payment) {
	if s.notifyURL == "" {
		return
	}
	b, err := marshal(object{{typ, body}})
	if err != nil {
		s.cfg.logger.Error("smart2paytest: notification body", "err", err)
		return
	}
	items := make([]*outgoing, 0, s.cfg.duplicates)
	for c := 1; c <= s.cfg.duplicates; c++ {
		items = append(items, &outgoing{url: s.notifyURL, auth: s.authFor(a), body: b, typ: typ, id: id, statusID: statusID, copy: c, payment: p})
	}
	s.n.enqueue(items...)
}

// notifyPaymentLocked queues {"Payment": …} in the read shape, as the document's example.
func (s *Server) notifyPaymentLocked(p *payment) {
	s.queueLocked(p.api, "Payment", p.idString(), p.status, s.renderPayment(p, viewRead), p)
}

// notifyRefundLocked queues {"Refund": …}.
func (s *Server) notifyRefundLocked(r *refund) {
	s.queueLocked(r.payment.api, "Refund", strconv.FormatInt(r.id, 10), r.status, renderRefund(r), nil)
}
