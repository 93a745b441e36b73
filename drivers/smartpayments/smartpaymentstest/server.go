package smartpaymentstest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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

// Default credentials. They are the ones in the document's curl examples:
// "Authorization: Basic dGVzdDpxd2VydHk=" is base64("test:qwerty"), so the
// document's examples work against a simulator started without WithCredentials.
const (
	DefaultMerchantKey = "test"
	DefaultSecret      = "qwerty"
)

// Defaults of the configurable behaviour.
const (
	// DefaultBalance is the withdrawal balance, in minor units, that every
	// account starts with (the document's /withdrawal/balance/get example
	// answers 10000).
	DefaultBalance int64 = 10000
	// DefaultExportPolls is the number of the task-status request that first
	// answers status 2 (the first poll answers 1, the second 2).
	DefaultExportPolls = 2
	// DefaultNotificationAttempts is how many times a callback is POSTed before
	// the simulator gives up on it.
	DefaultNotificationAttempts = 5
	// DefaultNotificationBackoff is the pause before the first retry of a
	// callback; it doubles before every further retry.
	DefaultNotificationBackoff = 50 * time.Millisecond
)

// Sentinel errors returned by the Go helpers (Complete, CompleteChallenge,
// SubmitCard, Expire).
var (
	// ErrUnknownOrder means no transaction has the given order id.
	ErrUnknownOrder = errors.New("smartpaymentstest: unknown order")
	// ErrWrongState means the transaction is not waiting for the action asked for.
	ErrWrongState = errors.New("smartpaymentstest: transaction is not waiting for this action")
)

type config struct {
	merchantKey, secret string
	clock               func() time.Time
	logger              *slog.Logger
	defaultBalance      int64
	balances            map[string]int64
	exportPolls         int
	flows               map[string]Flow
	processing          bool
	immediate           bool
	authorizeStatus     bool
	callbacks           bool
	externalCallbacks   bool
	cbAttempts          int
	cbBackoff           time.Duration
	cbClient            *http.Client
	listeners           [4]net.Listener // gateway, card-data, export, form; nil: a new loopback port
	middleware          func(http.Handler) http.Handler
}

// Option configures a Server.
type Option func(*config)

// WithCredentials sets the merchantKey and secret that Basic auth must carry
// on every API call (defaults DefaultMerchantKey, DefaultSecret).
func WithCredentials(merchantKey, secret string) Option {
	return func(c *config) { c.merchantKey, c.secret = merchantKey, secret }
}

// WithClock sets the clock used for endDate, created times, export date
// filters and operation timestamps (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithLogger sets the logger for the simulator's own diagnostics (default:
// discard). Card numbers and credentials are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithDefaultBalance sets the withdrawal balance, in minor units, that an
// account not named in WithBalance starts with (default DefaultBalance).
func WithDefaultBalance(minor int64) Option {
	return func(c *config) { c.defaultBalance = minor }
}

// WithBalance sets the starting withdrawal balance, in minor units, of one
// account (e.g. "EUR-sandbox-payout").
func WithBalance(account string, minor int64) Option {
	return func(c *config) { c.balances[account] = minor }
}

// WithExportPolls sets which task-status request first reports the export
// task as done (status 2): n=2 (the default) means the first poll answers 1
// and the second 2; n<=1 means the first poll already answers 2.
func WithExportPolls(n int) Option {
	return func(c *config) { c.exportPolls = n }
}

// WithFlow forces the 3-D Secure flow for a key, which is either a merchant
// order_id or a card number (an order_id match wins). See Flow.
func WithFlow(key string, f Flow) Option {
	return func(c *config) { c.flows[key] = f }
}

// WithProcessingResponses makes every money-moving call answer
// "processing": /initPaymentHost2Host and /authorize answer status 1 with
// form_url and responseType "REDIRECT" (as they do by default), /capture and
// /cancel answer status 1 (the document says they "can return a pending
// status", seed 000_2d15c756a78f42ef.txt l.730, l.755, but shows 2 and -1),
// /withdrawal/init answers status 1, /refund and /recurrent answer
// "success": false with their id. The transaction still reaches its final
// state at once: /check and the callback report it, and the form_url
// redirects the customer to success_url or fail_url. It overrides
// WithImmediateResults.
func WithProcessingResponses() Option {
	return func(c *config) { c.processing = true }
}

// WithImmediateResults makes /initPaymentHost2Host and /authorize answer a
// frictionless payment's final result at once (status 2 with endDate, or -1
// with "err" = the error code and "msg" = its description; form_url and
// responseType null), /withdrawal/init answer its final status (2, or -1
// with "err" and "msg") and /refund answer "success": true.
//
// This is an assumption, not documented behaviour: the document's
// examples answer status 1 + "REDIRECT" for the frictionless card (seed
// 000_2d15c756a78f42ef.txt l.31, l.164-180, l.685-701), status 1 for a
// withdrawal (l.553-565) and "success": false with a refund_id for a refund
// (l.438-443), which is what the simulator answers by default. No example shows a final answer of these calls, nor
// an "err"/"msg" pair on a declined one.
func WithImmediateResults() Option {
	return func(c *config) { c.immediate = true }
}

// WithAuthorizeStatus makes /check and callbacks report "authorize_status"
// of two-step payments as "PENDING" (challenge pending), "AUTHORIZED",
// "CAPTURED", "CANCELLED" or "DECLINED".
//
// This is an assumption, not documented behaviour: the document shows
// authorize_status only as null (seed 000_2d15c756a78f42ef.txt l.340,
// l.376) and names no value, so by default the simulator always answers
// null.
func WithAuthorizeStatus() Option {
	return func(c *config) { c.authorizeStatus = true }
}

// WithoutNotifications disables callbacks to callback_url.
func WithoutNotifications() Option {
	return func(c *config) { c.callbacks = false }
}

// WithExternalNotifications lets callbacks go to any host. By default they are
// only sent to loopback hosts (localhost, 127.0.0.0/8, ::1), so a request
// copied from the document (callback_url "https://site.com/callback") never
// makes the simulator reach the internet; a skipped callback is still
// recorded, with Skipped set.
func WithExternalNotifications() Option {
	return func(c *config) { c.externalCallbacks = true }
}

// WithNotificationRetry sets how many times a callback is POSTed at most
// (attempts >= 1) and the pause before the first retry, which doubles before
// each further retry.
func WithNotificationRetry(attempts int, backoff time.Duration) Option {
	return func(c *config) {
		if attempts >= 1 {
			c.cbAttempts = attempts
		}
		if backoff >= 0 {
			c.cbBackoff = backoff
		}
	}
}

// WithNotificationClient sets the HTTP client used to POST callbacks (default: a
// client with a 5 s timeout).
func WithNotificationClient(c *http.Client) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.cbClient = c
		}
	}
}

// WithListeners makes the four hosts serve on the given listeners instead
// of new loopback ports (nil keeps a new loopback port for that host), e.g.
// to run the simulator at fixed addresses as the paysim command does. The
// base URLs are then "http://" + the listener's address. Close closes them.
func WithListeners(gateway, cardData, export, form net.Listener) Option {
	return func(c *config) { c.listeners = [4]net.Listener{gateway, cardData, export, form} }
}

// WithMiddleware wraps the handler of every host with mw (e.g. request
// logging, or extra endpoints served next to the simulator's).
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middleware = mw }
}

// Operation is one state-changing operation the simulator executed. See
// Server.Operations for the kinds.
type Operation struct {
	Kind      string    // "form", "sale", "authorize", "capture", "cancel", "refund", "recurrent", "tokenize", "withdrawal", "customer", "expire"
	Reference string    // the merchant's order_id of the payment (for a refund: of the refunded payment)
	ID        string    // the provider's id: processing order id, payment_id or refund_id
	Amount    string    // the amount concerned, in minor units as the wire spells it (e.g. "1000")
	Result    string    // the resulting transaction status as the provider spells it: "0", "1", "2" or "-1"
	At        time.Time // when it happened, by the simulator's clock
}

// Server is a running simulator: four loopback listeners (gateway, card-data,
// export and payment-form hosts) sharing one state.
type Server struct {
	cfg config
	log *slog.Logger

	gateway, cardData, export, form *httptest.Server

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	seq       map[string]uint64 // id counters by id kind
	byOrder   map[string]*txn   // merchant order_id (and refund_id) → transaction
	byID      map[string]*txn   // processing id / payment_id / refund_id → transaction
	txns      []*txn            // creation order
	ops       []Operation
	balances  map[string]int64
	flows     map[string]Flow
	tasks     map[string]*exportTask
	callbacks []*Notification
	inflight  int
	idle      chan struct{}
	notifyURL string // SetNotificationURL: callback target of transactions without callback_url
}

// NewServer starts a simulator on loopback ports (httptest.NewServer
// underneath; see WithListeners for other addresses). Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		merchantKey:    DefaultMerchantKey,
		secret:         DefaultSecret,
		clock:          time.Now,
		logger:         slog.New(slog.DiscardHandler),
		defaultBalance: DefaultBalance,
		balances:       map[string]int64{},
		exportPolls:    DefaultExportPolls,
		flows:          map[string]Flow{},
		callbacks:      true,
		cbAttempts:     DefaultNotificationAttempts,
		cbBackoff:      DefaultNotificationBackoff,
		cbClient:       &http.Client{Timeout: 5 * time.Second},
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, log: cfg.logger}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.idle = make(chan struct{})
	close(s.idle)
	s.resetLocked()
	ls, mw := cfg.listeners, cfg.middleware
	s.gateway = simserve.Start(s.apiHandler("gateway", s.gatewayRoutes()), ls[0], mw)
	s.cardData = simserve.Start(s.apiHandler("card-data", s.cardDataRoutes()), ls[1], mw)
	s.export = simserve.Start(http.HandlerFunc(s.handleExport), ls[2], mw)
	s.form = simserve.Start(http.HandlerFunc(s.handleForm), ls[3], mw)
	return s
}

// Close stops the listeners, abandons callbacks still being retried and
// waits for their goroutines to end.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.gateway.Close()
	s.cardData.Close()
	s.export.Close()
	s.form.Close()
	s.cancel()
	s.wg.Wait()
}

// Client returns a keep-alive HTTP client for this server's listeners.
func (s *Server) Client() *http.Client { return s.gateway.Client() }

// BaseURL is the base URL of the gateway host (api-gateway.smartcore.pro):
// /initPayment, /check, /refund, /recurrent, /capture, /cancel,
// /withdrawal/tokenize-form, /withdrawal/balance/get.
func (s *Server) BaseURL() string { return s.gateway.URL }

// CardBaseURL is the base URL of the PCI card-data host (chd-api.smartcore.pro):
// /initPaymentHost2Host, /authorize, /withdrawal/init.
func (s *Server) CardBaseURL() string { return s.cardData.URL }

// ExportBaseURL is the base URL of the export host (service.magua-pay.com); the
// paths under it start with /aggregation-service/public/transaction/excel.
func (s *Server) ExportBaseURL() string { return s.export.URL }

// FormURL is the base URL of the customer-facing host
// (payment.magua-pay.com) that serves payment forms, 3-D Secure challenge
// pages and tokenization forms at /{processing order id}. It needs no auth.
func (s *Server) FormURL() string { return s.form.URL }

// Operations returns a copy of the log of every state-changing operation the
// simulator executed, in order: the ground truth for "executed at most once"
// assertions. Kinds:
//
//	form       POST /initPayment accepted (hosted payment form created)
//	sale       POST /initPaymentHost2Host accepted (one-step payment)
//	authorize  POST /authorize accepted (two-step payment)
//	capture    POST /capture executed
//	cancel     POST /cancel executed
//	refund     POST /refund executed (ID is the refund_id)
//	recurrent  POST /recurrent accepted (ID is the payment_id)
//	tokenize   POST /withdrawal/tokenize-form accepted
//	withdrawal POST /withdrawal/init accepted
//	customer   the customer acted on a form_url page (card entered, 3-D Secure completed)
//	expire     Expire timed a waiting transaction out
//
// Requests rejected with an HTTP error (validation, duplicate order_id,
// unknown order, wrong state, auth) execute nothing and are not logged.
// Declined payments are logged (they were executed, with Result "-1").
func (s *Server) Operations() []Operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Operation(nil), s.ops...)
}

// Reset forgets all state (transactions, operations, export tasks, callback
// records, balance changes, SetFlow overrides) and restarts the id counters,
// so a test sequence replayed after Reset yields the same ids. Callbacks
// already in flight are not stopped.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.seq = map[string]uint64{}
	s.byOrder = map[string]*txn{}
	s.byID = map[string]*txn{}
	s.txns = nil
	s.ops = nil
	s.tasks = map[string]*exportTask{}
	s.callbacks = nil
	s.balances = make(map[string]int64, len(s.cfg.balances))
	for k, v := range s.cfg.balances {
		s.balances[k] = v
	}
	s.flows = make(map[string]Flow, len(s.cfg.flows))
	for k, v := range s.cfg.flows {
		s.flows[k] = v
	}
}

// SetFlow forces (or, with 0, clears) the 3-D Secure flow for a merchant
// order_id or a card number while the server runs. See Flow.
func (s *Server) SetFlow(key string, f Flow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == 0 {
		delete(s.flows, key)
		return
	}
	s.flows[key] = f
}

// Balance returns the current withdrawal balance of an account, in minor units.
func (s *Server) Balance(account string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balanceLocked(account)
}

func (s *Server) balanceLocked(account string) int64 {
	if b, ok := s.balances[account]; ok {
		return b
	}
	return s.cfg.defaultBalance
}

func (s *Server) now() time.Time { return s.cfg.clock() }

func (s *Server) nextSeq(kind string) uint64 {
	s.seq[kind]++
	return s.seq[kind]
}

// newProcessingID returns a 24-hex-digit id like the document's
// "64a7eec2d46c5db10d082b3d".
func (s *Server) newProcessingID() string {
	return fmt.Sprintf("64a7eec2d46c5db1%08x", s.nextSeq("processing"))
}

// newUUID returns a version-1-looking UUID like the document's
// "0719e590-1cda-11ee-82d1-a58ec416e4a2".
func (s *Server) newUUID() string {
	return fmt.Sprintf("%08x-1cda-11ee-82d1-a58ec416e4a2", s.nextSeq("uuid"))
}

func (s *Server) newTaskID() string {
	return fmt.Sprintf("641def1d70836759%08x", s.nextSeq("task"))
}

func (s *Server) newRRN() string {
	return fmt.Sprintf("%012d", 318500000000+s.nextSeq("rrn"))
}

func (s *Server) formURL(pid string) string { return s.form.URL + "/" + pid }

func (s *Server) logOp(kind string, t *txn, reference string, amount int64) {
	s.ops = append(s.ops, Operation{
		Kind:      kind,
		Reference: reference,
		ID:        t.pid,
		Amount:    fmt.Sprint(amount),
		Result:    fmt.Sprint(t.status),
		At:        s.now(),
	})
}

// ---- HTTP plumbing ----

// reqError is a request the simulator refused; nothing was executed.
type reqError struct {
	status int    // HTTP status
	code   string // the "err" value
	msg    string // human text
}

func badRequest(code, msg string) *reqError {
	return &reqError{status: http.StatusBadRequest, code: code, msg: msg}
}

func notFound(orderID string) *reqError {
	return &reqError{status: http.StatusNotFound, code: ErrCodeOrderNotFound, msg: "Order " + orderID + " not found"}
}

func wrongState(msg string) *reqError { return badRequest(ErrCodeInvalidOrderState, msg) }

// errStyle selects how an endpoint spells a refused request.
type errStyle int

const (
	stylePayment   errStyle = iota // {"status": -1, "order_id": ..., "err": ..., "msg": ...}
	styleRefund                    // {"success": false, "message": ..., "refund_id": null, "parentTransaction": null, "err": ...}
	styleRecurrent                 // {"success": false, "message": ..., "payment_id": null, "err": ...}
	styleGeneric                   // {"status": -1, "err": ..., "msg": ...}
)

type route struct {
	style errStyle
	h     func(f *fields) (any, *reqError)
}

func (s *Server) gatewayRoutes() map[string]route {
	return map[string]route{
		"/initPayment":              {stylePayment, s.handleInitPayment},
		"/check":                    {stylePayment, s.handleCheck},
		"/refund":                   {styleRefund, s.handleRefund},
		"/recurrent":                {styleRecurrent, s.handleRecurrent},
		"/capture":                  {stylePayment, s.handleCapture},
		"/cancel":                   {stylePayment, s.handleCancel},
		"/withdrawal/tokenize-form": {stylePayment, s.handleTokenizeForm},
		"/withdrawal/balance/get":   {styleGeneric, s.handleBalance},
	}
}

func (s *Server) cardDataRoutes() map[string]route {
	return map[string]route{
		"/initPaymentHost2Host": {stylePayment, s.handleHost2Host},
		"/authorize":            {stylePayment, s.handleAuthorize},
		"/withdrawal/init":      {stylePayment, s.handleWithdrawal},
	}
}

// apiHandler serves one JSON API host. Order of checks, like a Spring Boot
// service behind Spring Security: auth (401), route (404), method (405),
// Content-Type (415), body (400), then the endpoint.
func (s *Server) apiHandler(host string, routes map[string]route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			s.frameworkError(w, r, http.StatusUnauthorized)
			return
		}
		rt, ok := routes[r.URL.Path]
		if !ok {
			s.frameworkError(w, r, http.StatusNotFound)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			s.frameworkError(w, r, http.StatusMethodNotAllowed)
			return
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			s.frameworkError(w, r, http.StatusUnsupportedMediaType)
			return
		}
		f, rerr := decodeFields(r)
		var resp any
		if rerr == nil {
			resp, rerr = rt.h(f)
		}
		if rerr != nil {
			s.log.Debug("smartpaymentstest: refused", "host", host, "path", r.URL.Path, "status", rerr.status, "err", rerr.code)
			writeJSON(w, rerr.status, errorBody(rt.style, rerr, f))
			return
		}
		s.log.Debug("smartpaymentstest: served", "host", host, "path", r.URL.Path)
		writeJSON(w, http.StatusOK, resp)
	})
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return false
	}
	want := s.cfg.merchantKey + ":" + s.cfg.secret
	return subtle.ConstantTimeCompare(raw, []byte(want)) == 1
}

// frameworkBody is the Spring Boot default error body the simulator answers
// for auth, routing, method and media-type failures (the document shows none).
type frameworkBody struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Path      string `json:"path"`
}

func (s *Server) frameworkError(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Realm"`)
	}
	writeJSON(w, status, frameworkBody{
		Timestamp: s.now().UTC().Format("2006-01-02T15:04:05.000-07:00"),
		Status:    status,
		Error:     http.StatusText(status),
		Path:      r.URL.Path,
	})
}

type paymentErrorBody struct {
	Status  int     `json:"status"`
	OrderID *string `json:"order_id"`
	Err     string  `json:"err"`
	Msg     string  `json:"msg"`
}

type refundErrorBody struct {
	Success           bool    `json:"success"`
	Message           string  `json:"message"`
	RefundID          *string `json:"refund_id"`
	ParentTransaction *string `json:"parentTransaction"`
	Err               string  `json:"err"`
}

type recurrentErrorBody struct {
	Success   bool    `json:"success"`
	Message   string  `json:"message"`
	PaymentID *string `json:"payment_id"`
	Err       string  `json:"err"`
}

type genericErrorBody struct {
	Status int    `json:"status"`
	Err    string `json:"err"`
	Msg    string `json:"msg"`
}

func errorBody(style errStyle, e *reqError, f *fields) any {
	switch style {
	case styleRefund:
		return refundErrorBody{Message: e.msg, Err: e.code}
	case styleRecurrent:
		return recurrentErrorBody{Message: e.msg, Err: e.code}
	case styleGeneric:
		return genericErrorBody{Status: StatusFail, Err: e.code, Msg: e.msg}
	default:
		var orderID *string
		if f != nil {
			if v, ok := f.m["order_id"].(string); ok {
				orderID = &v
			}
		}
		return paymentErrorBody{Status: StatusFail, OrderID: orderID, Err: e.code, Msg: e.msg}
	}
}

// marshal encodes like Jackson: no HTML escaping, no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func ptr[T any](v T) *T { return &v }

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
