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
	if st := get(s.URL() + "/checkout/unknown"); st != 404 {
		t.Errorf("unknown token: %d", st)
	}
	if st := post(s.URL()+"/checkout/unknown", "success"); st != 404 {
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
