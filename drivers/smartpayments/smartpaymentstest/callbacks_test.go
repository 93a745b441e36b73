package smartpaymentstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// receiver is a merchant callback endpoint.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	answer func(n int) int // HTTP status for the n-th request (1-based)
	calls  atomic.Int64
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(rc.calls.Add(1))
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("callback %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		raw, _ := io.ReadAll(r.Body)
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Errorf("callback body is not JSON: %s", raw)
		}
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, m)
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.bodies...)
}

func waitIdle(t *testing.T, srv *sim) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCallbackBodies(t *testing.T) {
	rc := newReceiver(t, nil)
	srv := newSim(t, sp.WithImmediateResults(), sp.WithAuthorizeStatus())
	cb := map[string]any{"callback_url": rc.URL + "/cb"}
	baseKeys := []string{"amount", "card", "cascadeErrors", "currency", "eci", "errorCategory", "finalAmount", "message", "orderId", "rrn", "sign", "status", "type"}

	t.Run("success", func(t *testing.T) {
		h2h(t, srv, "cb-ok", sp.CardFrictionless, 1000, cb)
		waitIdle(t, srv)
		b := rc.got()
		if len(b) != 1 {
			t.Fatalf("%d callbacks, want 1", len(b))
		}
		m := b[0]
		if !reflect.DeepEqual(keysOf(m), baseKeys) {
			t.Errorf("keys %v, want %v", keysOf(m), baseKeys)
		}
		wantEqual(t, "orderId", m["orderId"], any("cb-ok"))
		wantEqual(t, "status", m["status"], any(json.Number("2")))
		wantEqual(t, "amount", m["amount"], any(json.Number("1000")))
		wantEqual(t, "finalAmount", m["finalAmount"], any(json.Number("1000")))
		wantEqual(t, "currency", m["currency"], any("EUR"))
		wantEqual(t, "type", m["type"], any("Payment"))
		wantEqual(t, "message", m["message"], any(""))
		wantEqual(t, "errorCategory", m["errorCategory"], nil)
		wantEqual(t, "eci", m["eci"], any("05"))
		wantEqual(t, "card.number", m["card"].(map[string]any)["number"], any("401200******3010"))
		if s, _ := m["rrn"].(string); len(s) != 12 {
			t.Errorf("rrn = %v", m["rrn"])
		}
	})
	t.Run("decline", func(t *testing.T) {
		h2h(t, srv, "cb-ko", sp.CardDeclined, 1005, cb)
		waitIdle(t, srv)
		m := rc.got()[1]
		wantEqual(t, "status", m["status"], any(json.Number("-1")))
		wantEqual(t, "errorCategory", m["errorCategory"], any(sp.CodeDoNotHonour))
		wantEqual(t, "message", m["message"], any(sp.Description(sp.CodeDoNotHonour)))
		wantEqual(t, "finalAmount", m["finalAmount"], any(json.Number("0")))
		wantEqual(t, "rrn", m["rrn"], nil)
		if c, _ := m["cascadeErrors"].([]any); len(c) != 1 {
			t.Errorf("cascadeErrors = %v", m["cascadeErrors"])
		}
	})
	t.Run("challenge: only when final", func(t *testing.T) {
		h2h(t, srv, "cb-3ds", sp.CardChallenge, 1000, cb)
		waitIdle(t, srv)
		if n := len(rc.got()); n != 2 {
			t.Fatalf("%d callbacks before the challenge, want 2", n)
		}
		if err := srv.CompleteChallenge("cb-3ds", true); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, srv)
		wantEqual(t, "orderId", rc.got()[2]["orderId"], any("cb-3ds"))
	})
	t.Run("two-step and refund", func(t *testing.T) {
		authorize(t, srv, "cb-2s", sp.CardFrictionless, 1000, cb)
		waitIdle(t, srv)
		post(t, srv, srv.BaseURL(), "/capture", `{"order_id":"cb-2s","amount":800}`)
		waitIdle(t, srv)
		ref := post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"cb-2s","amount":300,"reason":"r","callback_url":"`+rc.URL+`/refund"}`)
		waitIdle(t, srv)
		b := rc.got()[3:]
		if len(b) != 3 {
			t.Fatalf("%d callbacks, want 3", len(b))
		}
		wantEqual(t, "authorized", b[0]["authorize_status"], any(sp.AuthorizeApproved))
		wantEqual(t, "authorized finalAmount", b[0]["finalAmount"], any(json.Number("0")))
		wantEqual(t, "captured", b[1]["authorize_status"], any(sp.AuthorizeCaptured))
		wantEqual(t, "captured finalAmount", b[1]["finalAmount"], any(json.Number("800")))
		wantEqual(t, "refund orderId", b[2]["orderId"], any(ref.str("refund_id")))
		wantEqual(t, "refund type", b[2]["type"], any("Refund"))
		wantEqual(t, "refund amount", b[2]["amount"], any(json.Number("300")))
		ps, _ := srv.Payment("cb-2s")
		wantEqual(t, "refund parentTransaction", b[2]["parentTransaction"], any(ps.ProcessingID))
	})
	t.Run("withdrawal", func(t *testing.T) {
		post(t, srv, srv.CardBaseURL(), "/withdrawal/init", `{"account":"p","order_id":"cb-w","amount":100,"customer_card_number":"4012000000003010","callback_url":"`+rc.URL+`"}`)
		waitIdle(t, srv)
		b := rc.got()
		m := b[len(b)-1]
		wantEqual(t, "type", m["type"], any("Withdrawal"))
		wantEqual(t, "status", m["status"], any(json.Number("2")))
		wantEqual(t, "currency", m["currency"], nil)
	})
	for _, c := range srv.Notifications() {
		if !c.Delivered || c.Attempts != 1 || c.LastStatus != http.StatusOK {
			t.Errorf("callback record %+v", c)
		}
	}
}

func TestCallbackRetries(t *testing.T) {
	cases := []struct {
		name      string
		answer    func(n int) int
		attempts  int
		delivered bool
	}{
		{"recovers after two 500s", func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		}, 3, true},
		{"gives up", func(int) int { return http.StatusServiceUnavailable }, 4, false},
		{"204 is not 200", func(n int) int {
			if n == 1 {
				return http.StatusNoContent
			}
			return http.StatusOK
		}, 2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, c.answer)
			srv := newSim(t, sp.WithNotificationRetry(4, time.Millisecond))
			h2h(t, srv, "retry", sp.CardFrictionless, 1000, map[string]any{"callback_url": rc.URL})
			waitIdle(t, srv)
			recs := srv.Notifications()
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			wantEqual(t, "Attempts", recs[0].Attempts, c.attempts)
			wantEqual(t, "Delivered", recs[0].Delivered, c.delivered)
			wantEqual(t, "receiver calls", rc.calls.Load(), int64(c.attempts))
			for _, b := range rc.got() {
				wantEqual(t, "same body each time", b["orderId"], any("retry"))
			}
		})
	}
	t.Run("transport error", func(t *testing.T) {
		srv := newSim(t, sp.WithNotificationRetry(2, time.Millisecond))
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		h2h(t, srv, "dead", sp.CardFrictionless, 1000, map[string]any{"callback_url": dead.URL})
		waitIdle(t, srv)
		rec := srv.Notifications()[0]
		if rec.Attempts != 2 || rec.LastStatus != 0 || rec.Delivered {
			t.Errorf("record %+v", rec)
		}
	})
}

func TestCallbacksOffAndSkipped(t *testing.T) {
	rc := newReceiver(t, nil)
	srv := newSim(t, sp.WithoutNotifications())
	h2h(t, srv, "off", sp.CardFrictionless, 1000, map[string]any{"callback_url": rc.URL})
	waitIdle(t, srv)
	if rc.calls.Load() != 0 || len(srv.Notifications()) != 0 {
		t.Error("callback sent although disabled")
	}

	// A non-loopback URL (like the document's) is never contacted by default.
	srv = newSim(t)
	h2h(t, srv, "ext", sp.CardFrictionless, 1000, map[string]any{"callback_url": "https://site.com/callback"})
	waitIdle(t, srv)
	recs := srv.Notifications()
	if len(recs) != 1 || !recs[0].Skipped || recs[0].Attempts != 0 {
		t.Errorf("records %+v", recs)
	}

	// WithExternalNotifications sends there (through the given client).
	var seen atomic.Value
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen.Store(r.URL.String())
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	})}
	srv = newSim(t, sp.WithExternalNotifications(), sp.WithNotificationClient(client))
	h2h(t, srv, "ext", sp.CardFrictionless, 1000, map[string]any{"callback_url": "https://merchant.example/cb"})
	waitIdle(t, srv)
	wantEqual(t, "sent to", seen.Load(), any("https://merchant.example/cb"))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestWaitIdleAndClose(t *testing.T) {
	release := make(chan struct{})
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer rc.Close()
	srv := sp.NewServer(sp.WithNotificationRetry(3, time.Hour))
	h2h(t, srv, "slow", sp.CardFrictionless, 1000, map[string]any{"callback_url": rc.URL})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := srv.WaitIdle(ctx); err == nil {
		t.Fatal("WaitIdle returned nil while a callback is in flight")
	}
	close(release) // the receiver answers 200
	waitIdle(t, srv)

	// Close abandons a callback waiting for a retry an hour away.
	h2h(t, srv, "failing", sp.CardFrictionless, 1000, map[string]any{"callback_url": rc.URL + "/x"})
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer failing.Close()
	h2h(t, srv, "failing-2", sp.CardFrictionless, 1000, map[string]any{"callback_url": failing.URL})
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
}
