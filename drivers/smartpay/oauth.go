package smartpay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// DefaultTokenLifetime is assumed when the token endpoint gives no
// expires_in ("tokens live 3600 s", PROVIDERS.md).
const DefaultTokenLifetime = 3600 * time.Second

// tokenRefreshMargin: a token is renewed this long before it expires (or
// at 90% of its life when that is shorter), so no call goes out with a
// token about to lapse.
const tokenRefreshMargin = 60 * time.Second

// maxTokenBody caps the token endpoint's answer.
const maxTokenBody = 64 << 10

// tokenSource fetches and caches the OAuth2 client-credentials token. One
// fetch runs at a time: concurrent callers wait for it (each bounded by
// its own context) instead of fetching again.
//
// The token call does not go through httpx: RFC 6749 requires a form body,
// and httpx sends JSON. It uses the same *http.Client (so cassettes and
// custom transports see it), caps the body and never logs the secret.
type tokenSource struct {
	cfg       OAuth
	hc        *http.Client
	timeout   time.Duration // bounds one token request (Config.Timeout)
	userAgent string
	log       *slog.Logger
	now       func() time.Time
	// secrets are the client secret in every form it is sent, stripped
	// from the token endpoint's error texts (which may echo it).
	secrets *redact.Known

	mu       sync.Mutex
	tok      string
	renewAt  time.Time
	inflight *tokenFetch
	fetches  int
}

type tokenFetch struct {
	done chan struct{}
	tok  string
	err  error
}

func newTokenSource(cfg OAuth, hc *http.Client, timeout time.Duration, ua string, log *slog.Logger) *tokenSource {
	k := &redact.Known{}
	k.AddText(cfg.ClientSecret.Reveal())
	k.AddBasic(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret.Reveal()))
	return &tokenSource{cfg: cfg, hc: hc, timeout: timeout, userAgent: ua, log: log, now: time.Now, secrets: k}
}

// token returns a valid token, fetching one when none is cached.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	if ts.tok != "" && ts.now().Before(ts.renewAt) {
		tok := ts.tok
		ts.mu.Unlock()
		return tok, nil
	}
	f := ts.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		ts.inflight = f
		ts.fetches++
		// The fetch outlives a caller that gives up: others may be waiting.
		go ts.fetch(context.WithoutCancel(ctx), f)
	}
	ts.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return "", &payments.Error{Code: payments.Unavailable, Provider: Name, Message: "oauth: waiting for the access token", Err: ctx.Err()}
	}
}

// invalidate drops tok if it is still the cached token (a 401 showed it is
// no longer accepted).
func (ts *tokenSource) invalidate(tok string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok == tok {
		ts.tok = ""
	}
}

func (ts *tokenSource) fetch(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()
	tok, life, err := ts.request(ctx)
	ts.mu.Lock()
	if err == nil {
		margin := tokenRefreshMargin
		if life/10 < margin {
			margin = life / 10
		}
		ts.tok, ts.renewAt = tok, ts.now().Add(life-margin)
	}
	ts.inflight = nil
	ts.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// request performs the client-credentials grant.
func (ts *tokenSource) request(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "oauth: bad token URL", Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", ts.userAgent)
	req.SetBasicAuth(url.QueryEscape(ts.cfg.ClientID), url.QueryEscape(ts.cfg.ClientSecret.Reveal()))
	start := time.Now()
	resp, err := ts.hc.Do(req)
	if err != nil {
		ts.log.DebugContext(ctx, "payments: oauth token request failed", "provider", Name, "error", ts.secrets.Text(err.Error()))
		// Nothing money-moving was sent: the payment call itself waits.
		return "", 0, &payments.Error{Code: payments.Unavailable, Provider: Name, Message: "oauth: token endpoint unreachable", Err: err}
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody+1))
	ts.log.DebugContext(ctx, "payments: oauth token", "provider", Name, "status", resp.StatusCode, "duration", time.Since(start))
	if rerr != nil || len(body) > maxTokenBody {
		return "", 0, &payments.Error{Code: payments.Unavailable, Provider: Name, HTTPStatus: resp.StatusCode, Message: "oauth: unreadable token answer", Err: rerr}
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", 0, &payments.Error{Code: payments.Authentication, Provider: Name, HTTPStatus: resp.StatusCode, Message: "oauth: " + oauthErrorText(body, ts.secrets)}
	case resp.StatusCode == http.StatusBadRequest:
		// RFC 6749 5.2: invalid_client may also come as 400.
		return "", 0, &payments.Error{Code: payments.Authentication, Provider: Name, HTTPStatus: resp.StatusCode, Message: "oauth: " + oauthErrorText(body, ts.secrets)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return "", 0, &payments.Error{Code: payments.Unavailable, Provider: Name, HTTPStatus: resp.StatusCode, Message: "oauth: token endpoint answered " + http.StatusText(resp.StatusCode)}
	}
	var tr tokenResponse
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&tr); err != nil || tr.AccessToken == "" {
		return "", 0, &payments.Error{Code: payments.Unavailable, Provider: Name, HTTPStatus: resp.StatusCode, Message: "oauth: the token answer has no access_token", Err: err}
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, &payments.Error{Code: payments.Authentication, Provider: Name, Message: fmt.Sprintf("oauth: unsupported token_type %q", tr.TokenType)}
	}
	life := DefaultTokenLifetime
	if tr.ExpiresIn != "" {
		if n, err := tr.ExpiresIn.Int64(); err == nil && n > 0 {
			life = time.Duration(n) * time.Second
		}
	}
	return tr.AccessToken, life, nil
}

// oauthErrorText reads an RFC 6749 error body without echoing secrets: the
// client's own (k) and anything shaped like a card number.
func oauthErrorText(body []byte, k *redact.Known) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "the token endpoint rejected the client credentials"
	}
	if e.Description != "" {
		return k.Text(e.Error + ": " + e.Description)
	}
	return k.Text(e.Error)
}
