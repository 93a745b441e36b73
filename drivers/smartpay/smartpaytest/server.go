package smartpaytest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments/internal/simserve"
)

// Default credentials of the simulated merchant. DefaultMerchantKey is the
// merchantKey used in the provider's own request examples.
const (
	DefaultMerchantKey       = "31928de9-1344-469f-b0eb-8e5d0fef3d21"
	DefaultAuthenticationKey = "3ip7f1c8-sim-authentication-key-9e72"
)

// DeclineLastName is the test trigger for a declined authorization: a
// POST /payment/authorize/ whose consumer.lastName equals it (ignoring case)
// is refused with a 400 MOD1 body whose error is
// "payment_provider_processing". Assumption: the documents show no decline
// answer; that value says only at which level an error appeared (seed
// 003_6c7386b3129bc046.txt l.196-200), so a client must not read it as a
// decline. FailedLastName gives the documented FAILED status instead.
const DeclineLastName = "Declined"

// FailedLastName is the second decline trigger: a POST /payment/authorize/
// whose consumer.lastName equals it (ignoring case) is answered 201 with
// paymentStatus FAILED and transactionOverview.acquirerResponse "Declined"
// (seed 004 lists FAILED among the authorize response's statuses, and the
// payment document's acquirerResponse carries "paymentProviderResponse sent
// in the Complete Autorize response in case of error"). Unlike
// DeclineLastName, the answer discloses the transactionId, so the failed
// payment can be queried.
const FailedLastName = "Failed"

// DefaultTokenLifetime is the lifetime of OAuth2 access tokens ("tokens live
// 3600 s", PROVIDERS.md).
const DefaultTokenLifetime = 3600 * time.Second

// Paths served by the simulator.
const (
	PathToken          = "/oauth/token"
	PathCreation       = "/payment/creation"
	PathAuthorize      = "/payment/authorize/"
	PathStatus         = "/payment/status/" // + transactionId
	PathCapture        = "/payment/capture"
	PathCancel         = "/payment/cancel"
	PathRefund         = "/payment/refund"
	PathCancelOrRefund = "/payment/cancelOrRefund"
	PathCheckoutPage   = "/checkout/" // + checkoutToken (buyer-facing page)
)

const maxBody = 1 << 20

// Option configures a Server.
type Option func(*config)

type webhookAuthKind int

const (
	webhookAuthNone webhookAuthKind = iota
	webhookAuthBasic
	webhookAuthOAuth
)

type failRule struct {
	path         string
	status       int
	afterExecute bool
}

type config struct {
	merchantKey     string
	authKey         string
	extraMerchants  [][2]string
	tokenTTL        time.Duration
	clock           func() time.Time
	logger          *slog.Logger
	webhookURL      string
	webhookAuth     webhookAuthKind
	webhookUser     string
	webhookPass     string
	webhookTokenURL string
	maxAttempts     int
	backoff         time.Duration
	autoCapture     bool
	invoicePaid     bool
	prepayPending   bool
	refundStatus    string
	duplicateCode   string
	failRules       []failRule
	listener        net.Listener // nil: a new loopback port
	middleware      func(http.Handler) http.Handler
}

// WithCredentials replaces the default merchant's credentials
// (DefaultMerchantKey / DefaultAuthenticationKey). They are used for
// Authorization: Basic base64(merchantKey:authenticationKey) and, as
// client_id / client_secret, for the OAuth2 token endpoint.
func WithCredentials(merchantKey, authenticationKey string) Option {
	return func(c *config) { c.merchantKey, c.authKey = merchantKey, authenticationKey }
}

// WithMerchant adds a further merchant (for multi-merchant tests: state such
// as partnerReference uniqueness and modificationId replay is per merchant).
func WithMerchant(merchantKey, authenticationKey string) Option {
	return func(c *config) {
		c.extraMerchants = append(c.extraMerchants, [2]string{merchantKey, authenticationKey})
	}
}

// WithTokenLifetime sets the lifetime of issued OAuth2 tokens (default
// DefaultTokenLifetime), measured on the simulator clock.
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithClock sets the clock used for all timestamps and token expiry
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithNotificationURL sets the merchant's notification URL. Without it no
// webhooks are sent. See also Server.SetNotificationURL.
func WithNotificationURL(url string) Option { return func(c *config) { c.webhookURL = url } }

// WithNotificationBasicAuth makes webhooks carry Authorization: Basic with the
// merchant-chosen user and password.
func WithNotificationBasicAuth(user, pass string) Option {
	return func(c *config) { c.webhookAuth, c.webhookUser, c.webhookPass = webhookAuthBasic, user, pass }
}

// WithNotificationOAuth makes webhooks carry Authorization: Bearer with a token
// that the simulator obtains from the merchant's tokenURL with an OAuth2
// client-credentials grant (client id and secret sent with HTTP Basic).
func WithNotificationOAuth(tokenURL, clientID, clientSecret string) Option {
	return func(c *config) {
		c.webhookAuth, c.webhookTokenURL, c.webhookUser, c.webhookPass = webhookAuthOAuth, tokenURL, clientID, clientSecret
	}
}

// WithNotificationRetry sets the bounded retry policy for webhooks: at most
// maxAttempts deliveries per event, waiting initialBackoff, then doubling
// (capped at 5 s) between attempts. Default: 5 attempts, 50 ms.
func WithNotificationRetry(maxAttempts int, initialBackoff time.Duration) Option {
	return func(c *config) { c.maxAttempts, c.backoff = maxAttempts, initialBackoff }
}

// WithAutoCapture models the channel setting "automatic capture": a checkout
// the buyer completes successfully goes straight to CAPTURED instead of
// AUTHORIZATION_COMPLETED. The Create Checkout request has no field for it.
func WithAutoCapture(on bool) Option { return func(c *config) { c.autoCapture = on } }

// WithInvoicePaidOnAuthorize makes POST /payment/authorize/ answer a
// pay-upon-invoice (PAYINVC) with paymentStatus CAPTURED at once, like the
// document's only authorize answer (seed 004_63b579a9eeecc4a0.txt
// l.482-498, a PREPMNT). A prepayment answers CAPTURED by default.
//
// Assumption either way: the documents show no PAYINVC answer. The default
// (AUTHORIZATION_COMPLETED: the invoice is granted, the merchant captures
// it on shipment) is this simulator's reading, not the provider's word.
func WithInvoicePaidOnAuthorize(on bool) Option { return func(c *config) { c.invoicePaid = on } }

// WithPrepaymentPending makes POST /payment/authorize/ answer a prepayment
// (PREPMNT) with paymentStatus AUTHORIZATION_PENDING instead of the
// document's CAPTURED (seed 004_63b579a9eeecc4a0.txt l.482-498).
//
// Assumption: it models the document's prose (the buyer pays later with
// the transactionReference, l.4-7), which no documented answer shows.
func WithPrepaymentPending(on bool) Option { return func(c *config) { c.prepayPending = on } }

// WithRefundStatus sets the status a refund modification reports, in
// modification.status and in its statusHistory entry (e.g. "REFUNDED").
// By default both are omitted: the documents give the refund's status no
// values (seed 003_6c7386b3129bc046.txt l.366-368 and l.474-476; seed 004's
// example shows "string").
//
// Assumption: any value set here is invented; use it to test how a client
// treats a status value it does not know.
func WithRefundStatus(status string) Option { return func(c *config) { c.refundStatus = status } }

// WithDuplicateReferenceCode sets errors[].code of the 400 that refuses a
// reused partnerReference (e.g. "not_unique"). By default the error has a
// message and the property "partnerReference" but no code: the documents
// say partnerReference "must be unique (for that merchant)" (seed
// 004_63b579a9eeecc4a0.txt l.45) and show no code for breaking that rule.
//
// Assumption: any code set here is invented.
func WithDuplicateReferenceCode(code string) Option {
	return func(c *config) { c.duplicateCode = code }
}

// WithFailNext makes the next request to path fail with status, without
// executing it (see Server.FailNext).
func WithFailNext(path string, status int) Option {
	return func(c *config) { c.failRules = append(c.failRules, failRule{path: path, status: status}) }
}

// WithListener makes the simulator serve on l instead of a new loopback
// port, e.g. to run it at a fixed address as the paysim command does. URL
// is then "http://" + l's address. Close closes it.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithMiddleware wraps the simulator's handler with mw (e.g. request
// logging, or extra endpoints served next to the simulator's).
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middleware = mw }
}

// Server is an in-process simulator of the SmartPay checkout HTTP API.
type Server struct {
	cfg      config
	srv      *httptest.Server
	hooks    *notifier
	creds    map[string]string // merchantKey -> authenticationKey
	mu       sync.Mutex
	st       *state
	closeOne sync.Once
}

type tokenInfo struct {
	merchant string
	expires  time.Time
}

type storedResult struct {
	endpoint string
	txID     string
	status   int
	body     []byte
}

type state struct {
	payments    map[string]*payment
	order       []*payment
	byToken     map[string]*payment
	refs        map[string]map[string]*payment      // merchant -> partnerReference
	mods        map[string]map[string]*storedResult // merchant -> modificationId
	tokens      map[string]tokenInfo
	tokenIssues int
	ops         []Operation
	seq         [numKinds]uint64
	failRules   []failRule
}

func newState(rules []failRule) *state {
	return &state{
		payments:  map[string]*payment{},
		byToken:   map[string]*payment{},
		refs:      map[string]map[string]*payment{},
		mods:      map[string]map[string]*storedResult{},
		tokens:    map[string]tokenInfo{},
		failRules: append([]failRule(nil), rules...),
	}
}

func (st *state) next(kind int) uint64 { st.seq[kind]++; return st.seq[kind] }

// NewServer starts a simulator on a loopback port (httptest.NewServer
// underneath; see WithListener for another address). Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		merchantKey: DefaultMerchantKey,
		authKey:     DefaultAuthenticationKey,
		tokenTTL:    DefaultTokenLifetime,
		clock:       time.Now,
		logger:      slog.New(slog.DiscardHandler),
		maxAttempts: 5,
		backoff:     50 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxAttempts < 1 {
		cfg.maxAttempts = 1
	}
	s := &Server{cfg: cfg, creds: map[string]string{cfg.merchantKey: cfg.authKey}}
	for _, m := range cfg.extraMerchants {
		s.creds[m[0]] = m[1]
	}
	s.st = newState(cfg.failRules)
	s.hooks = newNotifier(&s.cfg)
	s.srv = simserve.Start(http.HandlerFunc(s.serveHTTP), cfg.listener, cfg.middleware)
	return s
}

// BaseURL is the base BaseURL of the simulated API (e.g. http://127.0.0.1:4711);
// append the documented paths to it.
func (s *Server) BaseURL() string { return s.srv.URL }

// TokenURL is the URL of the simulated OAuth2 token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + PathToken }

// Client returns a keep-alive client for this server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the listener and the webhook sender. Undelivered webhooks are
// dropped.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		s.hooks.close()
		s.srv.Close()
	})
}

// Reset forgets all state: payments, references, modificationIds, tokens,
// the token-issue count, the operation log, pending failure injections,
// queued webhooks and the id counters (so ids start again from 1).
func (s *Server) Reset() {
	s.mu.Lock()
	s.st = newState(nil)
	s.mu.Unlock()
	s.hooks.reset()
}

// Operations returns a copy of the log of every state-changing operation the
// simulator executed, in order.
func (s *Server) Operations() []Operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Operation(nil), s.st.ops...)
}

// TokenIssues reports how many OAuth2 access tokens the token endpoint has
// issued (so a test can check that a client fetched only once).
func (s *Server) TokenIssues() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.tokenIssues
}

// FailNext makes the next request whose path matches path answer status
// with the document's error body, without executing it. path is an exact
// URL path ("/payment/capture"), or a prefix ending in "*"
// ("/payment/status/*"). Rules are consumed in the order they were added.
func (s *Server) FailNext(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.failRules = append(s.st.failRules, failRule{path: path, status: status})
}

// FailNextAfterExecute is like FailNext, but the request is executed first
// and only its response is replaced by the error: the "outcome unknown" case.
func (s *Server) FailNextAfterExecute(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.failRules = append(s.st.failRules, failRule{path: path, status: status, afterExecute: true})
}

// WaitIdle returns once no webhook is queued or in flight, or when ctx ends.
func (s *Server) WaitIdle(ctx context.Context) error { return s.hooks.waitIdle(ctx) }

func (s *Server) now() time.Time { return s.cfg.clock().UTC() }

func (s *Server) logOp(kind string, p *payment, id string, amount cents, result string) {
	s.st.ops = append(s.st.ops, Operation{
		Kind: kind, Reference: p.partnerReference, ID: id, Amount: formatCents(amount), Result: result, At: s.now(),
	})
	s.cfg.logger.Debug("smartpaytest: operation", "kind", kind, "transactionId", p.id, "id", id,
		"amount", formatCents(amount), "result", result)
}

// ---- routing ---------------------------------------------------------------

type apiRequest struct {
	merchant string
	body     []byte
}

type apiResult struct {
	status int
	body   []byte
}

type handlerFunc func(r *http.Request, a *apiRequest) apiResult

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	s.cfg.logger.Debug("smartpaytest: request", "method", r.Method, "path", path)
	switch {
	case path == PathToken:
		s.route(w, r, http.MethodPost, false, s.handleToken)
	case path == PathCreation:
		s.route(w, r, http.MethodPost, true, s.handleCreation)
	case path == PathAuthorize:
		s.route(w, r, http.MethodPost, true, s.handleAuthorize)
	case strings.HasPrefix(path, PathStatus) && len(path) > len(PathStatus) && !strings.Contains(path[len(PathStatus):], "/"):
		s.route(w, r, http.MethodGet, true, s.handleStatus)
	case path == PathCapture:
		s.route(w, r, http.MethodPost, true, s.modificationHandler(PathCapture))
	case path == PathCancel:
		s.route(w, r, http.MethodPost, true, s.modificationHandler(PathCancel))
	case path == PathRefund:
		s.route(w, r, http.MethodPost, true, s.modificationHandler(PathRefund))
	case path == PathCancelOrRefund:
		s.route(w, r, http.MethodPost, true, s.modificationHandler(PathCancelOrRefund))
	case strings.HasPrefix(path, PathCheckoutPage) && len(path) > len(PathCheckoutPage):
		s.serveCheckoutPage(w, r, path[len(PathCheckoutPage):])
	default:
		s.write(w, s.statusError(http.StatusNotFound))
	}
}

func (s *Server) takeFailRule(path string) *failRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, fr := range s.st.failRules {
		match := fr.path == path
		if strings.HasSuffix(fr.path, "*") {
			match = strings.HasPrefix(path, strings.TrimSuffix(fr.path, "*"))
		}
		if match {
			s.st.failRules = append(s.st.failRules[:i:i], s.st.failRules[i+1:]...)
			return &fr
		}
	}
	return nil
}

// route runs the common pipeline: method, injected failure, authentication,
// required headers, body, handler.
func (s *Server) route(w http.ResponseWriter, r *http.Request, method string, authenticated bool, h handlerFunc) {
	if r.Method != method {
		w.Header().Set("Allow", method)
		s.write(w, s.validationResult(http.StatusMethodNotAllowed, verrs{{
			Message: "Method " + r.Method + " is not allowed on this resource.", Code: "method_not_allowed",
		}}))
		return
	}
	rule := s.takeFailRule(r.URL.Path)
	if rule != nil && !rule.afterExecute {
		s.cfg.logger.Debug("smartpaytest: injected failure", "path", r.URL.Path, "status", rule.status)
		s.write(w, s.statusError(rule.status))
		return
	}
	a := &apiRequest{}
	if authenticated {
		merchant, scheme, ok := s.authenticate(r)
		if !ok {
			if scheme == "bearer" {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			} else {
				w.Header().Set("WWW-Authenticate", `Basic realm="SmartPay"`)
			}
			s.write(w, s.statusError(http.StatusUnauthorized))
			return
		}
		a.merchant = merchant
		if v := s.checkHeaders(r); len(v) > 0 {
			s.write(w, s.validationResult(http.StatusBadRequest, v))
			return
		}
	}
	if r.Method == http.MethodPost && authenticated {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			s.write(w, s.validationResult(http.StatusBadRequest, verrs{{
				Message: "The request body could not be read or exceeds 1 MiB.", Code: codeInvalidJSON,
			}}))
			return
		}
		a.body = body
	}
	res := h(r, a)
	if rule != nil {
		s.cfg.logger.Debug("smartpaytest: injected failure after execution", "path", r.URL.Path, "status", rule.status)
		res = s.statusError(rule.status)
	}
	s.write(w, res)
}

func (s *Server) write(w http.ResponseWriter, res apiResult) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// authenticate accepts Basic base64(merchantKey:authenticationKey) or a
// Bearer token issued by the token endpoint and not yet expired.
func (s *Server) authenticate(r *http.Request) (merchant, scheme string, ok bool) {
	h := r.Header.Get("Authorization")
	if scheme, rest, found := strings.Cut(h, " "); found && strings.EqualFold(scheme, "Bearer") {
		tok := strings.TrimSpace(rest)
		s.mu.Lock()
		defer s.mu.Unlock()
		ti, found := s.st.tokens[tok]
		if !found || !s.now().Before(ti.expires) {
			return "", "bearer", false
		}
		return ti.merchant, "bearer", true
	}
	user, pass, found := r.BasicAuth()
	if !found {
		return "", "basic", false
	}
	if !s.checkCredentials(user, pass) {
		return "", "basic", false
	}
	return user, "basic", true
}

func (s *Server) checkCredentials(merchantKey, secret string) bool {
	want, found := s.creds[merchantKey]
	if !found {
		// Compare anyway so that unknown keys take the same time.
		subtle.ConstantTimeCompare([]byte(secret), []byte(secret))
		return false
	}
	return subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

// checkHeaders enforces the headers every documented call requires.
func (s *Server) checkHeaders(r *http.Request) verrs {
	var v verrs
	if r.Method == http.MethodPost {
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		switch {
		case ct == "":
			v.add("Content-Type", codeRequired, "The header Content-Type is required and must be application/json.", nil)
		case err != nil || mt != "application/json":
			v.add("Content-Type", codeInvalidValue, "The header Content-Type must be application/json.",
				map[string]any{"expected": "application/json"})
		}
	}
	al := r.Header.Get("Accept-Language")
	switch {
	case al == "":
		v.add("Accept-Language", codeRequired, "The header Accept-Language is required and must be en-US.", nil)
	case !strings.EqualFold(strings.TrimSpace(al), "en-US"):
		v.add("Accept-Language", codeInvalidValue, "The header Accept-Language must be en-US.",
			map[string]any{"expected": "en-US"})
	}
	if strings.TrimSpace(r.Header.Get("Origin")) == "" {
		v.add("Origin", codeRequired, "The header Origin is required.", nil)
	}
	if strings.TrimSpace(r.Header.Get("User-Agent")) == "" {
		v.add("User-Agent", codeRequired, "The header User-Agent is required.", nil)
	}
	return v
}

// ---- error bodies ----------------------------------------------------------

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("smartpaytest: marshal: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func (s *Server) traceID() string {
	s.mu.Lock()
	n := s.st.next(kindTrace)
	s.mu.Unlock()
	return traceFor(n)
}

func traceFor(n uint64) string { return fmt.Sprintf("00-%032x-%016x-00", n, n) }

// validationResult renders error shape MOD2. It must not be called with s.mu
// held; use validationResultLocked then.
func (s *Server) validationResult(status int, v verrs) apiResult {
	return apiResult{status: status, body: marshal(validationBody{TraceID: s.traceID(), Errors: v})}
}

func (s *Server) validationResultLocked(status int, v verrs) apiResult {
	return apiResult{status: status, body: marshal(validationBody{TraceID: traceFor(s.st.next(kindTrace)), Errors: v})}
}

// statusMessages are the document's example bodies per HTTP status
// (seed 004: 401 unauthorized, 403 forbidden, 404 not_found, 500 without code).
func statusFieldError(status int) fieldError {
	switch status {
	case http.StatusUnauthorized:
		return fieldError{Message: "You are not authenticated to perform this request.", Code: "unauthorized"}
	case http.StatusForbidden:
		return fieldError{Message: "You do not have permissions to perform this request.", Code: "forbidden"}
	case http.StatusNotFound:
		return fieldError{Message: "Resource not found.", Code: "not_found"}
	case http.StatusInternalServerError:
		return fieldError{Message: "Internal server error."}
	case http.StatusBadRequest:
		return fieldError{Message: "Bad request.", Code: "bad_request"}
	default:
		return fieldError{Message: http.StatusText(status) + ".", Code: strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")}
	}
}

func (s *Server) statusError(status int) apiResult {
	return s.validationResult(status, verrs{statusFieldError(status)})
}

func (s *Server) statusErrorLocked(status int) apiResult {
	return s.validationResultLocked(status, verrs{statusFieldError(status)})
}

// gatewayError renders error shape MOD1.
func gatewayError(status int, kind, message, gatewayDesc, providerDesc string) apiResult {
	return apiResult{status: status, body: marshal(gatewayErrorBody{
		Error: kind,
		ErrorDetails: gatewayErrorDetails{
			Context:                    map[string]any{},
			GatewayDescription:         gatewayDesc,
			PaymentProviderDescription: providerDesc,
		},
		Message: message,
	})}
}
