package smartpay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopayments/payments"
)

// tokenServer is an OAuth2 token endpoint whose answer a test controls.
type tokenServer struct {
	*httptest.Server
	issued  atomic.Int64
	gate    chan struct{} // when set, each answer waits for it
	status  int
	body    string
	lastHdr http.Header
	mu      sync.Mutex
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{status: 200}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		gate, status, body := ts.gate, ts.status, ts.body
		ts.lastHdr = r.Header.Clone()
		ts.mu.Unlock()
		if gate != nil {
			<-gate
		}
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"unsupported_grant_type"}`, 400)
			return
		}
		n := ts.issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if body == "" {
			body = `{"access_token":"tok-` + string(rune('0'+n)) + `","token_type":"Bearer","expires_in":100}`
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts
}

func newSource(ts *tokenServer) *tokenSource {
	return newTokenSource(OAuth{TokenURL: ts.URL, ClientID: "client id", ClientSecret: "s3cret&"}, ts.Client(), DefaultTimeout, "ua", discard())
}

func TestTokenCachedAndRenewedBeforeExpiry(t *testing.T) {
	ts := newTokenServer(t)
	src := newSource(ts)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	src.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx := context.Background()
	tok, err := src.token(ctx)
	if err != nil || tok != "tok-1" {
		t.Fatalf("%q %v", tok, err)
	}
	// RFC 6749 2.3.1: client credentials form-encoded in Basic auth.
	user, pass, ok := (&http.Request{Header: ts.lastHdr}).BasicAuth()
	if !ok || user != "client+id" || pass != "s3cret%26" {
		t.Errorf("basic %q %q", user, pass)
	}
	mu.Lock()
	now = now.Add(89 * time.Second)
	mu.Unlock()
	if tok, _ := src.token(ctx); tok != "tok-1" {
		t.Errorf("renewed too early: %q", tok)
	}
	mu.Lock()
	now = now.Add(2 * time.Second) // 91 s of 100: inside the 10% margin
	mu.Unlock()
	if tok, _ := src.token(ctx); tok != "tok-2" {
		t.Errorf("not renewed: %q", tok)
	}
	src.invalidate("tok-1") // stale: ignored
	if tok, _ := src.token(ctx); tok != "tok-2" {
		t.Errorf("a stale invalidation dropped the token: %q", tok)
	}
	src.invalidate("tok-2")
	if tok, _ := src.token(ctx); tok != "tok-3" {
		t.Errorf("not refetched after invalidation: %q", tok)
	}
	if n := ts.issued.Load(); n != 3 {
		t.Errorf("%d fetches", n)
	}
}

// Concurrent callers share one fetch; a caller that gives up does not
// cancel it for the others.
func TestTokenSingleFetch(t *testing.T) {
	ts := newTokenServer(t)
	gate := make(chan struct{})
	ts.gate = gate
	src := newSource(ts)
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := src.token(short); !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("impatient caller: %v", err)
	}
	var wg sync.WaitGroup
	toks := make([]string, 10)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], _ = src.token(context.Background())
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	for _, tok := range toks {
		if tok != "tok-1" {
			t.Errorf("token %q", tok)
		}
	}
	if n := ts.issued.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestTokenErrors(t *testing.T) {
	cases := []struct {
		status int
		body   string
		code   payments.Code
	}{
		{401, `{"error":"invalid_client","error_description":"Client authentication failed."}`, payments.Authentication},
		{400, `{"error":"invalid_client"}`, payments.Authentication},
		{500, `oops`, payments.Unavailable},
		{200, `{"token_type":"Bearer"}`, payments.Unavailable},
		{200, `not json`, payments.Unavailable},
		{200, `{"access_token":"x","token_type":"mac"}`, payments.Authentication},
	}
	for _, c := range cases {
		ts := newTokenServer(t)
		ts.status, ts.body = c.status, c.body
		src := newSource(ts)
		_, err := src.token(context.Background())
		if !errors.Is(err, c.code) {
			t.Errorf("%d %s: %v, want %s", c.status, c.body, err, c.code)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("secret in error: %v", err)
		}
	}
	// No expires_in: the documented 3600 s.
	ts := newTokenServer(t)
	ts.body = `{"access_token":"x","token_type":"bearer"}`
	src := newSource(ts)
	if _, err := src.token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(src.renewAt); d < 3530*time.Second || d > 3541*time.Second {
		t.Errorf("renew in %s", d)
	}
	// Unreachable endpoint.
	ts.Close()
	src = newSource(ts)
	if _, err := src.token(context.Background()); !errors.Is(err, payments.ErrUnavailable) {
		t.Errorf("closed endpoint: %v", err)
	}
}

// A 401 with a cached token: the gateway fetches a new one and sends the
// call once more; a second 401 is returned.
func TestGatewayRefreshesTokenOn401(t *testing.T) {
	ts := newTokenServer(t)
	var calls atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer tok-2" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"traceId":"t","errors":[{"message":"You are not authenticated to perform this request.","code":"unauthorized"}]}`))
			return
		}
		_, _ = w.Write([]byte(statusBody("t-1", "CAPTURED", "50.99")))
	}))
	t.Cleanup(api.Close)
	g, err := New(Config{MerchantKey: "mk", BaseURL: api.URL, Origin: "https://shop.example",
		OAuth: &OAuth{TokenURL: ts.URL, ClientID: "id", ClientSecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Status(context.Background(), &payments.StatusRequest{ID: "t-1"}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || ts.issued.Load() != 2 {
		t.Errorf("%d calls, %d tokens", calls.Load(), ts.issued.Load())
	}
	// Every token refused: one retry, then the 401.
	ts.mu.Lock()
	ts.body = `{"access_token":"never","token_type":"Bearer","expires_in":100}`
	ts.mu.Unlock()
	g.tokens.invalidate("tok-2")
	calls.Store(0)
	_, err = g.Status(context.Background(), &payments.StatusRequest{ID: "t-1"})
	if !errors.Is(err, payments.ErrAuthentication) || calls.Load() != 2 {
		t.Errorf("%v after %d calls", err, calls.Load())
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
