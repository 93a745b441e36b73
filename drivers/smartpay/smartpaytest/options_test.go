package smartpaytest

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestOptions(t *testing.T) {
	clock := newFakeClock()
	var logs syncBuffer
	s := NewServer(
		WithCredentials("my-merchant", "my-key"),
		WithTokenLifetime(time.Minute),
		WithClock(clock.Now),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	)
	defer s.Close()
	if r := call(t, s, http.MethodGet, PathStatus+"x", ""); r.status != 401 {
		t.Fatalf("default credentials still accepted: %d", r.status)
	}
	status, body := tokenRequest(t, s, "my-merchant", "my-key", true, "client_credentials", "application/x-www-form-urlencoded")
	if status != 200 || !strings.Contains(string(body), `"expires_in":60`) {
		t.Fatalf("%d %s", status, body)
	}
	tok := decode(t, body)["access_token"].(string)
	r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "opt-1", "10.00", "Doe"), withBearer(tok))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if ps, _ := s.PaymentByReference("opt-1"); ps.MerchantKey != "my-merchant" {
		t.Errorf("merchant %q", ps.MerchantKey)
	}
	clock.Advance(time.Minute)
	if r := call(t, s, http.MethodGet, PathStatus+"x", "", withBearer(tok)); r.status != 401 {
		t.Fatalf("token outlived its lifetime: %d", r.status)
	}
	out := logs.String()
	if !strings.Contains(out, "smartpaytest: operation") {
		t.Errorf("no operation logged: %s", out)
	}
	if strings.Contains(out, "my-key") || strings.Contains(out, tok) {
		t.Error("credentials in the log")
	}
}

func TestCheckoutPageErrors(t *testing.T) {
	s := NewServer()
	defer s.Close()
	get := func(u string) int {
		resp, err := s.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	post := func(u, outcome string) int {
		resp, err := s.Client().PostForm(u, url.Values{"outcome": {outcome}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get(s.BaseURL() + "/checkout/unknown"); st != 404 {
		t.Errorf("unknown token: %d", st)
	}
	if st := post(s.BaseURL()+"/checkout/unknown", "success"); st != 404 {
		t.Errorf("unknown token POST: %d", st)
	}
	co := createCheckout(t, s, "page-1", "5.00")
	page := co["redirectUrl"].(string)
	if st := post(page, "maybe"); st != 409 {
		t.Errorf("unknown outcome: %d", st)
	}
	if st := post(page, "success"); st != 200 {
		t.Errorf("success: %d", st)
	}
	if st := post(page, "success"); st != 409 {
		t.Errorf("second completion: %d", st)
	}
	if st := get(page); st != 200 {
		t.Errorf("page after completion: %d", st)
	}
	req, _ := http.NewRequest(http.MethodPut, page, nil)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("PUT: %d", resp.StatusCode)
	}
	if err := s.CompleteCheckout("unknown", CheckoutSuccess); err == nil {
		t.Error("unknown transaction completed")
	}
	id := authorize(t, s, "PAYINVC", "page-2", "5.00")
	if err := s.CompleteCheckout(id, CheckoutSuccess); err == nil {
		t.Error("invoice completed as a checkout")
	}
}

// The assumption options: what the documents do not show is off by
// default and named when on.
func TestAssumptionOptions(t *testing.T) {
	// A duplicate partnerReference has no code unless one is chosen.
	for _, code := range []string{"", "not_unique"} {
		s := NewServer(WithDuplicateReferenceCode(code))
		authorize(t, s, "PAYINVC", "dup-o", "10.00")
		r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "dup-o", "10.00", "Doe"))
		errs, _ := decode(t, r.body)["errors"].([]any)
		if r.status != http.StatusBadRequest || len(errs) != 1 {
			t.Fatalf("%q: %d %s", code, r.status, r.body)
		}
		e := errs[0].(map[string]any)
		got, has := e["code"]
		if e["property"] != "partnerReference" || (code == "" && has) || (code != "" && got != code) {
			t.Errorf("%q: %s", code, r.body)
		}
		s.Close()
	}
	// A refund's status is sent only when chosen.
	for _, st := range []string{"", "REFUNDED"} {
		s := NewServer(WithRefundStatus(st))
		id := authorize(t, s, "PREPMNT", "ref-o", "10.00")
		r := call(t, s, http.MethodPost, PathRefund, modBody(id, "r-1", "1.00", ""))
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := decode(t, r.body)
		mod, _ := m["modification"].(map[string]any)
		hist, _ := m["statusHistory"].([]any)
		last, _ := hist[len(hist)-1].(map[string]any)
		if st == "" && (mod["status"] != nil || last["status"] != nil) {
			t.Errorf("a refund status was invented: %s", r.body)
		}
		if st != "" && (mod["status"] != st || last["status"] != st) {
			t.Errorf("WithRefundStatus(%q): %s", st, r.body)
		}
		s.Close()
	}
}
