package smartpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const maxBackoff = 5 * time.Second

type hookEvent struct {
	id   string
	url  string // where it goes: the notification URL when it was queued
	body []byte
}

// notifier delivers webhooks one at a time, in the order the state changes
// happened, from a single goroutine, with a bounded retry policy.
type notifier struct {
	cfg    *config
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	queue      []hookEvent
	busy       bool
	idle       chan struct{}
	idleClosed bool
	wake       chan struct{}
	gen        uint64
	closed     bool
	url        string // notification URL (WithNotificationURL, SetNotificationURL)

	token    string // WithNotificationOAuth: cached bearer token
	tokenExp time.Time
}

func newNotifier(cfg *config) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{
		cfg: cfg,
		client: &http.Client{
			Timeout: 10 * time.Second,
			// Never follow a redirect: traffic goes only to the configured URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx:        ctx,
		cancel:     cancel,
		idle:       make(chan struct{}),
		idleClosed: true,
		wake:       make(chan struct{}, 1),
		url:        cfg.webhookURL,
	}
	close(n.idle)
	go n.run()
	return n
}

// target returns the notification URL, "" when webhooks are off.
func (n *notifier) target() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.url
}

func (n *notifier) setTarget(url string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.url = url
}

func (n *notifier) enqueue(ev hookEvent) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed || ev.url == "" {
		return
	}
	if n.idleClosed {
		n.idle = make(chan struct{})
		n.idleClosed = false
	}
	n.queue = append(n.queue, ev)
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// markIdleLocked closes the idle channel when nothing is queued or in flight.
func (n *notifier) markIdleLocked() {
	if len(n.queue) == 0 && !n.busy && !n.idleClosed {
		close(n.idle)
		n.idleClosed = true
	}
}

func (n *notifier) run() {
	for {
		n.mu.Lock()
		for len(n.queue) == 0 {
			n.mu.Unlock()
			select {
			case <-n.wake:
			case <-n.ctx.Done():
				return
			}
			n.mu.Lock()
		}
		ev := n.queue[0]
		n.queue = n.queue[1:]
		n.busy = true
		gen := n.gen
		n.mu.Unlock()

		n.deliver(ev, gen)

		n.mu.Lock()
		n.busy = false
		n.markIdleLocked()
		n.mu.Unlock()
	}
}

func (n *notifier) current(gen uint64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gen == gen && !n.closed
}

func (n *notifier) deliver(ev hookEvent, gen uint64) {
	backoff := n.cfg.backoff
	for attempt := 1; attempt <= n.cfg.maxAttempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-n.ctx.Done():
				t.Stop()
				return
			}
			backoff = min(backoff*2, maxBackoff)
		}
		if !n.current(gen) {
			return
		}
		err := n.post(ev)
		if err == nil {
			n.cfg.logger.Debug("smartpaytest: webhook delivered", "id", ev.id, "attempt", attempt)
			return
		}
		n.cfg.logger.Debug("smartpaytest: webhook attempt failed", "id", ev.id, "attempt", attempt, "err", err)
	}
	n.cfg.logger.Warn("smartpaytest: webhook dropped after retries", "id", ev.id, "attempts", n.cfg.maxAttempts)
}

func (n *notifier) post(ev hookEvent) error {
	req, err := http.NewRequestWithContext(n.ctx, http.MethodPost, ev.url, bytes.NewReader(ev.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "SmartPay-Webhooks-Simulator/1.0")
	switch n.cfg.webhookAuth {
	case webhookAuthBasic:
		req.SetBasicAuth(n.cfg.webhookUser, n.cfg.webhookPass)
	case webhookAuthOAuth:
		tok, err := n.bearer()
		if err != nil {
			return fmt.Errorf("webhook token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized && n.cfg.webhookAuth == webhookAuthOAuth {
		n.mu.Lock()
		n.token = ""
		n.mu.Unlock()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// bearer returns a cached token or fetches one from the merchant's token URL.
func (n *notifier) bearer() (string, error) {
	n.mu.Lock()
	if n.token != "" && n.cfg.clock().Before(n.tokenExp) {
		tok := n.token
		n.mu.Unlock()
		return tok, nil
	}
	n.mu.Unlock()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(n.ctx, http.MethodPost, n.cfg.webhookTokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(n.cfg.webhookUser, n.cfg.webhookPass)
	resp, err := n.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token endpoint answered %d", resp.StatusCode)
	}
	var td struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&td); err != nil || td.AccessToken == "" {
		return "", fmt.Errorf("token endpoint answered an unusable body")
	}
	if td.ExpiresIn <= 0 {
		td.ExpiresIn = 60
	}
	n.mu.Lock()
	n.token, n.tokenExp = td.AccessToken, n.cfg.clock().Add(time.Duration(td.ExpiresIn)*time.Second)
	n.mu.Unlock()
	return td.AccessToken, nil
}

func (n *notifier) waitIdle(ctx context.Context) error {
	for {
		n.mu.Lock()
		if n.idleClosed {
			n.mu.Unlock()
			return nil
		}
		ch := n.idle
		n.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// reset drops queued events and stops retries of the one in flight.
func (n *notifier) reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.queue = nil
	n.gen++
	n.token = ""
	n.markIdleLocked()
}

func (n *notifier) close() {
	n.mu.Lock()
	n.closed = true
	n.queue = nil
	n.gen++
	n.busy = false
	n.markIdleLocked()
	n.mu.Unlock()
	n.cancel()
}

// ---- events ----------------------------------------------------------------

func (s *Server) newEvent(p *payment, origin, objectID, objectType string, data map[string]any) {
	url := s.hooks.target()
	if url == "" {
		return
	}
	ctx := map[string]any{"transactionId": p.id}
	if p.partnerReference != "" {
		ctx["partnerReference"] = p.partnerReference
	}
	ev := webhookEvent{
		ID:          uuidFor(kindEvent, s.st.next(kindEvent)),
		MerchantKey: p.merchantKey,
		CreatedAt:   fmtDate(s.now()),
		Origin:      origin,
		EventType:   webhookEventUpdated,
		ObjectID:    objectID,
		ObjectType:  objectType,
		Context:     ctx,
		Data:        data,
		Metadata:    map[string]any{},
	}
	s.hooks.enqueue(hookEvent{id: ev.ID, url: url, body: marshal(ev)})
}

// emitPayment queues a payment (or prepayment) "updated" event; s.mu is held.
func (s *Server) emitPayment(p *payment, origin, modificationID string) {
	objectType := webhookObjectPayment
	if p.method == invoicePrepayment {
		objectType = webhookObjectPrepayment
	}
	data := map[string]any{
		"transactionId": p.id,
		"paymentStatus": p.status,
		"amount":        number(p.amount),
		"currencyCode":  p.currency,
	}
	if p.txRef != "" {
		data["transactionReference"] = p.txRef
	}
	if modificationID != "" {
		data["modificationId"] = modificationID
	}
	s.newEvent(p, origin, p.id, objectType, data)
}

// emitRefund queues a refund "updated" event; s.mu is held.
func (s *Server) emitRefund(p *payment, m *modification, origin string) {
	data := map[string]any{
		"refundId":       m.id,
		"transactionId":  p.id,
		"modificationId": m.modificationID,
		"amount":         number(m.amount),
		"currencyCode":   p.currency,
	}
	if m.status != "" {
		data["status"] = m.status
	}
	s.newEvent(p, origin, m.id, webhookObjectRefund, data)
}
