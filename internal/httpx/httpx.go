// Package httpx is the HTTP plumbing every driver shares: one long-lived
// resty client per driver instance, the error taxonomy that separates "never
// sent" (ErrUnavailable, safe to retry or cascade) from "maybe processed"
// (ErrOutcomeUnknown, reconcile first), a retry policy that only retries what
// is safe, a response size limit, and debug logs with secrets scrubbed.
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/redact"
)

// Safety says what may be done again with a call.
type Safety uint8

const (
	// Query is a call with no effect (a status check): retried on transport
	// errors, 429 and 5xx; its failures are ErrUnavailable.
	Query Safety = iota
	// Deduped is a money-moving call the provider deduplicates by a key sent
	// with it (SmartPay modificationId): retried like a query with the
	// identical body; if every attempt fails after it may have been
	// processed, the outcome is unknown.
	Deduped
	// MoneyMoving is a call the provider does not deduplicate: it is retried
	// only when it provably never left (connection refused); any failure
	// after it may have been processed is ErrOutcomeUnknown.
	MoneyMoving
)

// RetryPolicy bounds retries: at most 1+MaxRetries attempts, with capped
// exponential backoff and full jitter, Retry-After honoured up to
// MaxRetryAfter, and never past the context's deadline.
type RetryPolicy struct {
	// MaxRetries is N in "at most 1+N attempts". 0 disables retries.
	MaxRetries int
	// BaseDelay is the first backoff ceiling; it doubles per attempt.
	BaseDelay time.Duration
	// MaxDelay caps one backoff.
	MaxDelay time.Duration
	// MaxRetryAfter caps a provider's Retry-After.
	MaxRetryAfter time.Duration
}

// DefaultRetry is the policy drivers use unless configured otherwise.
var DefaultRetry = RetryPolicy{MaxRetries: 2, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second, MaxRetryAfter: 10 * time.Second}

// Backoff returns the ceiling of the backoff before retry number n (1-based):
// min(MaxDelay, BaseDelay·2^(n-1)). The actual wait is drawn uniformly in
// [0, ceiling] (full jitter).
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

// DefaultMaxBodyBytes caps a provider response (4 MiB).
const DefaultMaxBodyBytes = 4 << 20

// DefaultTimeout bounds one attempt when Config.Timeout is zero. It is a
// conservative default of this library, not a provider's figure.
const DefaultTimeout = 60 * time.Second

// Config configures a Client.
type Config struct {
	// Provider is the driver name, used in errors and logs.
	Provider string
	// HTTPClient replaces the transport (cassettes, simulators, proxies).
	// nil uses a client with sensible timeouts and keep-alive. The client is
	// never modified: New uses a copy that does not follow redirects (see
	// NoRedirects).
	HTTPClient *http.Client
	// Timeout bounds one attempt, from sending to reading the whole answer,
	// whatever HTTPClient is (even one without a Timeout of its own): each
	// attempt runs under a context with this deadline. Default
	// DefaultTimeout.
	Timeout time.Duration
	// MaxBodyBytes caps a response body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Logger receives debug logs of every attempt, scrubbed. nil: silent.
	Logger *slog.Logger
	// Header is sent with every request (User-Agent, Accept-Language, ...).
	Header http.Header
	// Retry is the retry policy; the zero value means no retries.
	Retry RetryPolicy
	// Sleep waits between attempts; nil uses a timer honouring the context.
	// Tests replace it to observe backoffs.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultUserAgent is the User-Agent sent when Config.Header names none.
const DefaultUserAgent = "gopayments (+https://github.com/gopayments/payments)"

// Client sends driver calls. It is safe for concurrent use.
type Client struct {
	rc     *resty.Client
	cfg    Config
	logger *slog.Logger
	// auth is the Authorization header value, kept as the one-element
	// slice an http.Header holds so that no call allocates it again.
	auth atomic.Pointer[[]string]
	// secrets are the credentials this client sends (see Secrets), copied
	// on write.
	secrets atomic.Pointer[redact.Known]
}

// Header values shared by every request. resty copies a request's header
// (http.Header.Clone) before sending, so these slices are never handed to
// anything that could change them.
var (
	headerJSON = []string{"application/json"}
)

// New builds a Client. Build one per driver instance and reuse it.
func New(cfg Config) *Client {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = DefaultHTTPClient(cfg.Timeout)
	} else {
		hc = NoRedirects(hc)
	}
	rc := resty.NewWithClient(hc)
	rc.SetLogger(restyLogger{}) // resty never logs bodies or headers of ours
	rc.SetDebug(false)
	rc.SetRetryCount(0) // retries are ours: resty cannot tell sent from unsent
	rc.SetDisableWarn(true)
	// Headers sent with every call live on the resty client, which copies
	// them into each request without allocating; a call's own headers
	// (Call.Header) take precedence.
	rc.Header = http.Header{"Accept": headerJSON}
	for k, vs := range cfg.Header {
		rc.Header[textproto.CanonicalMIMEHeaderKey(k)] = slices.Clone(vs)
	}
	if rc.Header.Get("User-Agent") == "" {
		rc.Header.Set("User-Agent", DefaultUserAgent)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	return &Client{rc: rc, cfg: cfg, logger: logger}
}

// DefaultHTTPClient is the client drivers use when the user gives none:
// keep-alive pool, TLS 1.2+, bounded dial and header timeouts, and no
// redirects followed (see NoRedirects).
func DefaultHTTPClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	tr.ResponseHeaderTimeout = timeout
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: stopRedirects}
}

// NoRedirects returns a copy of hc that never follows a redirect: the 3xx
// answer itself is returned. Following one would send the request again,
// body and Authorization header included, wherever the Location points (a
// card number to another host, the API secret to another port of the same
// host). hc itself is left untouched (it may be http.DefaultClient, shared
// by the whole process); a nil Transport becomes http.DefaultTransport, the
// one hc would have used, so that nothing installs another in the copy.
func NoRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = stopRedirects
	if cp.Transport == nil {
		cp.Transport = http.DefaultTransport
	}
	return &cp
}

func stopRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Timeout is the deadline of one attempt (Config.Timeout or its default).
func (c *Client) Timeout() time.Duration { return c.cfg.Timeout }

// SetBasicAuth sets the Authorization header sent with every call. The
// password becomes one of the client's known secrets (see Secrets).
func (c *Client) SetBasicAuth(user, pass string) {
	c.SetAuthorization("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	k := &redact.Known{}
	k.AddBasic(user, pass)
	c.AddSecrets(k)
}

// SetAuthorization sets the raw Authorization header (e.g. "Bearer x").
// Its credential becomes one of the client's known secrets.
func (c *Client) SetAuthorization(v string) {
	c.auth.Store(&[]string{v})
	k := &redact.Known{}
	k.AddAuthorization(v)
	c.AddSecrets(k)
}

// AddSecrets adds credentials the client must never let through: a
// webhook password, an OAuth client secret. Every call strips them, with
// the call's own card data, from what it logs and from what Response.Clean
// returns.
func (c *Client) AddSecrets(k *redact.Known) {
	for {
		old := c.secrets.Load()
		next := old.Clone()
		next.Add(k)
		if c.secrets.CompareAndSwap(old, next) {
			return
		}
	}
}

// Secrets returns the client's credentials as known secrets (never nil).
// The result must not be modified: Clone it first.
func (c *Client) Secrets() *redact.Known {
	if k := c.secrets.Load(); k != nil {
		return k
	}
	return &redact.Known{}
}

// callSecrets are the secrets of one call: the client's credentials, the
// call's own Authorization and Secrets, and every card number, CVV, token
// or URL credential its body sends (redact.Known.CollectJSON).
func (c *Client) callSecrets(call *Call, body []byte) *redact.Known {
	k := c.Secrets().Clone()
	if len(body) > 0 {
		k.CollectJSON(body)
	}
	if call.Authorization != "" {
		k.AddAuthorization(call.Authorization)
	}
	k.Add(call.Secrets)
	return k
}

// Call is one logical request (possibly several attempts).
type Call struct {
	// Op names the operation in logs and errors ("authorize").
	Op string
	// Method is the HTTP method.
	Method string
	// URL is absolute.
	URL string
	// Body is marshalled to JSON once; a []byte or json.RawMessage is sent
	// as is. nil sends no body.
	Body any
	// Header adds per-call headers.
	Header http.Header
	// Authorization overrides the client's for this call.
	Authorization string
	// Safety says what may be retried and how failures are classified.
	Safety Safety
	// Secrets are secret values the call carries that its body does not
	// show under a card, CVV or secret key (the body's own are found
	// without help). nil: none.
	Secrets *redact.Known
}

// Response is a provider answer that arrived whole. Non-2xx statuses are
// responses too: the driver maps its provider's error bodies.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many attempts were made.
	Attempts int
	// Secrets are the exact secrets of the call (credentials, the card
	// number, CVV and tokens it sent): provider text is passed through
	// Clean, CleanJSON or CleanDecoded before it becomes an error message,
	// a Decline, a Raw body or a log line, so that an echo of them is
	// stripped.
	Secrets *redact.Known
}

// Clean returns provider text (an error message, a decline reason) with the
// call's secrets stripped and card-number-shaped digits masked. A nil
// Response masks by shape only.
func (r *Response) Clean(text string) string {
	if r == nil {
		return redact.PANs(text)
	}
	return r.Secrets.Text(text)
}

// CleanJSON is redact.JSON that also strips the call's secrets: for a Raw
// body that was not decoded whole.
func (r *Response) CleanJSON(body []byte) []byte {
	if r == nil {
		return redact.JSON(body)
	}
	return r.Secrets.JSON(body)
}

// CleanDecoded is redact.Decoded that also strips the call's secrets: for
// a Raw body (or a part of one) that json.Unmarshal decoded whole.
func (r *Response) CleanDecoded(body []byte) []byte {
	if r == nil {
		return redact.Decoded(body)
	}
	return r.Secrets.Decoded(body)
}

// CleanError strips the call's secrets, in place, from the texts of the
// *payments.Error in err (Message, Decline.Message, and the cause's text,
// which is replaced when it holds one) and returns err.
func (r *Response) CleanError(err error) error {
	var pe *payments.Error
	if r == nil || r.Secrets.Empty() || !errors.As(err, &pe) {
		return err
	}
	pe.Message = r.Secrets.Text(pe.Message)
	if pe.Decline != nil {
		pe.Decline.Message = r.Secrets.Text(pe.Decline.Message)
	}
	if pe.Err != nil && r.Secrets.Contains(pe.Err.Error()) {
		pe.Err = errors.New(r.Secrets.Text(pe.Err.Error()))
	}
	return err
}

// CleanPayment strips the call's secrets, in place, from p's provider
// texts (Decline.Message, ProviderStatus) and Raw, and returns p.
func (r *Response) CleanPayment(p *payments.Payment) *payments.Payment {
	if r == nil || p == nil || r.Secrets.Empty() {
		return p
	}
	if p.Decline != nil {
		p.Decline.Message = r.Secrets.Text(p.Decline.Message)
	}
	p.ProviderStatus = r.Secrets.Text(p.ProviderStatus)
	p.Raw = r.CleanRaw(p.Raw)
	return p
}

// CleanRaw strips the call's secrets from an already scrubbed Raw body;
// one without them is returned as it is.
func (r *Response) CleanRaw(raw json.RawMessage) json.RawMessage {
	if r == nil || len(raw) == 0 || !r.Secrets.Contains(string(raw)) {
		return raw
	}
	return r.Secrets.Decoded(raw)
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// Do sends the call under its retry policy and classifies failures:
//   - the request provably never left (dial error, no connection obtained
//     before the deadline, reset before the request was written):
//     ErrUnavailable, retried for every Safety;
//   - it may have been processed (timeout or reset after writing, 5xx, an
//     oversized body): ErrOutcomeUnknown for MoneyMoving (no retry) and for
//     Deduped once retries run out; ErrUnavailable for queries;
//   - 429: ErrRateLimited (retried honouring Retry-After, except MoneyMoving);
//   - 3xx: redirects are never followed; ErrOutcomeUnknown for MoneyMoving and
//     Deduped (the request reached the provider), ErrIntegrity for queries
//     (an answer that is not one; never retried);
//   - the context was done before the attempt: ErrUnavailable, nothing sent.
//
// Each attempt runs under a deadline of Config.Timeout. Other statuses (2xx,
// 4xx) are returned as a Response for the driver to decode. The body is
// marshalled once, so every attempt sends identical bytes.
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	body, err := encodeBody(call.Body)
	if err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: c.cfg.Provider, Message: "encoding " + call.Op + " request", Err: err}
	}
	secrets := c.callSecrets(&call, body)
	policy := c.cfg.Retry
	var lastErr error
	for attempt := 1; ; attempt++ {
		resp, out := c.attempt(ctx, call, body, attempt, secrets)
		if out.err == nil {
			resp.Attempts = attempt
			resp.Secrets = secrets
			return resp, nil
		}
		lastErr = out.err
		if !c.mayRetry(call.Safety, out) || attempt > policy.MaxRetries || ctx.Err() != nil {
			break
		}
		wait := c.jitter(policy.Backoff(attempt))
		if out.retryAfter > 0 {
			wait = min(out.retryAfter, policy.MaxRetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			break // the next attempt could not finish in time
		}
		c.logger.DebugContext(ctx, "payments: retrying", "provider", c.cfg.Provider, "op", call.Op, "attempt", attempt, "wait", wait, "error", secrets.Text(out.err.Error()))
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			break
		}
	}
	return nil, lastErr
}

type outcome struct {
	err        error
	sent       bool // the request may have reached the provider
	status     int
	retryAfter time.Duration
}

func (c *Client) mayRetry(s Safety, o outcome) bool {
	if c.cfg.Retry.MaxRetries <= 0 {
		return false
	}
	if !o.sent {
		return true
	}
	if s == MoneyMoving {
		return false
	}
	return o.status == 0 || o.status == http.StatusTooManyRequests || o.status >= 500
}

func (c *Client) jitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// sentTrace records, through httptrace, how far an attempt got: whether the
// transport asked for a connection, got one, and wrote the whole request.
// One allocation holds the flags and the hooks.
type sentTrace struct {
	getConn, gotConn, wrote atomic.Bool
	trace                   httptrace.ClientTrace
}

func newSentTrace() *sentTrace {
	t := &sentTrace{}
	t.trace = httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				t.wrote.Store(true)
			}
		},
	}
	return t
}

// sent reports whether a failed attempt may have reached the server. Not
// sent: a dial error, a connection that failed before the request was
// written, or the transport looked for a connection and never got one (the
// context ended while dialing). A transport that reports nothing through
// httptrace counts as sent.
func (t *sentTrace) sent(err error) bool {
	return !(notSent(err) || (t.gotConn.Load() && !t.wrote.Load()) || (t.getConn.Load() && !t.gotConn.Load()))
}

func (c *Client) attempt(ctx context.Context, call Call, body []byte, n int, secrets *redact.Known) (*Response, outcome) {
	if err := ctx.Err(); err != nil {
		// Checked here because net/http does not say whether a request
		// refused for a done context ever left.
		return nil, outcome{err: &payments.Error{Code: payments.Unavailable, Provider: c.cfg.Provider, Message: call.Op + ": request not sent: context done", Err: err}}
	}
	// The per-attempt deadline holds whatever HTTPClient is (a user's client
	// may have no Timeout) and covers reading the body below.
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	st := newSentTrace()
	req := c.rc.R().SetContext(httptrace.WithClientTrace(ctx, &st.trace)).SetDoNotParseResponse(true)
	for k, vs := range call.Header {
		req.Header[textproto.CanonicalMIMEHeaderKey(k)] = vs
	}
	if call.Authorization != "" {
		req.Header.Set("Authorization", call.Authorization)
	} else if a := c.auth.Load(); a != nil {
		req.Header["Authorization"] = *a
	}
	if body != nil {
		if _, ok := req.Header["Content-Type"]; !ok {
			req.Header["Content-Type"] = headerJSON
		}
		// A reader, not the bytes: resty sends a reader as it is, where it
		// would copy bytes twice; net/http sets Content-Length from it.
		req.SetBody(bytes.NewReader(body))
	}
	start := time.Now()
	rresp, err := req.Execute(call.Method, call.URL)
	if err != nil {
		sent := st.sent(err)
		c.log(ctx, call, n, body, 0, nil, time.Since(start), err, secrets)
		return nil, outcome{err: c.transportError(call, err, sent), sent: sent}
	}
	raw := rresp.RawBody()
	defer raw.Close()
	data, rerr := readBody(raw, rresp.RawResponse.ContentLength, c.cfg.MaxBodyBytes)
	status := rresp.StatusCode()
	c.log(ctx, call, n, body, status, data, time.Since(start), rerr, secrets)
	if rerr != nil {
		return nil, outcome{err: c.classify(call, status, "reading the response failed", rerr), sent: true, status: status}
	}
	if int64(len(data)) > c.cfg.MaxBodyBytes {
		return nil, outcome{err: c.classify(call, status, fmt.Sprintf("response larger than %d bytes", c.cfg.MaxBodyBytes), nil), sent: true, status: status}
	}
	resp := &Response{StatusCode: status, Header: rresp.Header(), Body: data}
	switch {
	case status == http.StatusTooManyRequests:
		ra := retryAfter(rresp.Header().Get("Retry-After"), time.Now())
		return resp, outcome{err: &payments.Error{Code: payments.RateLimited, Provider: c.cfg.Provider, HTTPStatus: status, Message: call.Op + ": rate limited"}, sent: true, status: status, retryAfter: ra}
	case status >= 500:
		return resp, outcome{err: c.classify(call, status, fmt.Sprintf("%s: HTTP %d", call.Op, status), nil), sent: true, status: status}
	case status >= 300 && status < 400:
		return resp, outcome{err: c.redirected(call, status, rresp.Header().Get("Location")), sent: true, status: status}
	}
	return resp, outcome{}
}

// readBody reads r to its end, but no more than max+1 bytes (so that an
// oversized body is seen as such). With the announced length (hint ≥ 0) the
// buffer is allocated once at its final size; otherwise it grows.
func readBody(r io.Reader, hint, max int64) ([]byte, error) {
	size := int64(512)
	if hint >= 0 {
		// +1: room to see EOF (or an overlong body) without growing. An
		// announced length is trusted only up to 256 KiB: a wrong
		// Content-Length must not make us allocate megabytes up front.
		size = min(hint, max, 256<<10) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
		room := buf[len(buf):cap(buf)]
		if left := max + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		m, err := r.Read(room)
		buf = buf[:len(buf)+m]
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		case int64(len(buf)) > max:
			return buf, nil
		}
	}
}

// classify builds the error for a call that may have been processed.
func (c *Client) classify(call Call, status int, msg string, cause error) error {
	code := payments.Unavailable
	if call.Safety != Query {
		code = payments.OutcomeUnknown
		msg += "; the provider may have processed it: reconcile with Status"
	}
	return &payments.Error{Code: code, Provider: c.cfg.Provider, HTTPStatus: status, Message: msg, Err: cause}
}

// redirected builds the error for a 3xx answer, which is never followed.
// A money-moving call reached the provider, which may have acted on it
// before redirecting: OutcomeUnknown. A query's redirect is no answer:
// Integrity, neither retried nor cascaded (retrying gets the same redirect).
func (c *Client) redirected(call Call, status int, location string) error {
	msg := fmt.Sprintf("%s: HTTP %d redirect not followed", call.Op, status)
	if location != "" {
		msg += " (Location " + RedactURL(location) + ")"
	}
	if call.Safety != Query {
		return c.classify(call, status, msg, nil)
	}
	return &payments.Error{Code: payments.Integrity, Provider: c.cfg.Provider, HTTPStatus: status, Message: msg}
}

func (c *Client) transportError(call Call, err error, sent bool) error {
	if !sent {
		return &payments.Error{Code: payments.Unavailable, Provider: c.cfg.Provider, Message: call.Op + ": request not sent", Err: err}
	}
	return c.classify(call, 0, call.Op+": transport error", err)
}

// notSent reports errors that prove the request never reached the server:
// dial failures (refused, unreachable, DNS) and TLS handshake failures.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var tlsErr *tls.RecordHeaderError
	return errors.As(err, &tlsErr)
}

func encodeBody(b any) ([]byte, error) {
	switch v := b.(type) {
	case nil:
		return nil, nil
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) log(ctx context.Context, call Call, attempt int, reqBody []byte, status int, respBody []byte, d time.Duration, err error, secrets *redact.Known) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{
		"provider", c.cfg.Provider, "op", call.Op, "method", call.Method, "url", RedactURL(call.URL),
		"attempt", attempt, "status", status, "duration", d,
	}
	if len(reqBody) > 0 {
		attrs = append(attrs, "request", string(secrets.JSON(reqBody)))
	}
	if len(respBody) > 0 {
		attrs = append(attrs, "response", string(secrets.JSON(respBody)))
	}
	if err != nil {
		attrs = append(attrs, "error", secrets.Text(err.Error()))
	}
	c.logger.DebugContext(ctx, "payments: http", attrs...)
}

// RedactURL hides credentials in a URL's user info and secret-looking query
// parameters.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redact.PANs(raw)
	}
	if u.User != nil {
		u.User = url.User(redact.Mask)
	}
	q := u.Query()
	changed := false
	for k := range q {
		if redact.IsSecretKey(k) || k == "key" || k == "api_key" {
			q.Set(k, redact.Mask)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return redact.PANs(u.String())
}

// restyLogger swallows resty's own messages: they may quote requests.
type restyLogger struct{}

func (restyLogger) Errorf(string, ...any) {}
func (restyLogger) Warnf(string, ...any)  {}
func (restyLogger) Debugf(string, ...any) {}

// DecodeJSON decodes a 2xx body into v, numbers kept exact (v's numeric
// fields should be json.Number, int64 or decimal types; v must hold no
// interface-typed members, which would receive float64). The whole body must
// be one JSON value: trailing data makes it unreadable, so a body that
// decoded is valid JSON and may be scrubbed with redact.Decoded. A body that
// does not decode is ErrOutcomeUnknown for a money-moving call (the provider
// said 2xx: something happened) and ErrIntegrity for a query.
func DecodeJSON(provider string, safety Safety, op string, resp *Response, v any) error {
	if err := json.Unmarshal(resp.Body, v); err != nil {
		code := payments.Integrity
		msg := op + ": unreadable response"
		if safety != Query {
			code = payments.OutcomeUnknown
			msg += "; the provider may have processed it: reconcile with Status"
		}
		return &payments.Error{Code: code, Provider: provider, HTTPStatus: resp.StatusCode, Message: msg, Err: err}
	}
	return nil
}
