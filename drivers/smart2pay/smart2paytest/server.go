package smart2paytest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopayments/payments/internal/simserve"
)

// Default credentials: the ones in the document's examples. The alternative payment methods
// host accepts Basic base64("30201:hJ5Rob…"), the card host Basic base64("1010:gabi").
const (
	DefaultSiteID     = 30201                                                // SiteID of the alternative-methods examples
	DefaultAPIKey     = "hJ5RobYx9r7FfNwCvHY9LXHqqr+FEzrc7aJvQQk4Gaz1mg7Ryy" // APIKey of the alternative-methods examples
	DefaultCardSiteID = 1010                                                 // SiteID of the direct card examples
	DefaultCardAPIKey = "gabi"                                               // APIKey of the direct card examples
)

// Defaults of the notification sender.
const (
	DefaultNotificationAttempts  = 5                     // deliveries tried per notification
	DefaultNotificationBaseDelay = 10 * time.Millisecond // wait before the 2nd attempt; doubles after each failure
	DefaultNotificationTimeout   = 2 * time.Second       // one attempt's HTTP timeout
)

const (
	maxNotificationDelay  = 5 * time.Second           // cap of one backoff wait
	maxBodyBytes          = 1 << 20                   // request bodies above 1 MiB are refused
	firstAPMPaymentID     = 2700001                   // alternative-methods payment IDs count up from here
	firstCardPaymentID    = 210001                    // card payment IDs count up from here (disjoint range)
	firstRefundID         = 150001                    // refund IDs
	firstCustomerID       = 501                       // Customer.ID
	firstAddressID        = 401                       // BillingAddress.ID / ShippingAddress.ID
	firstInvalidRequestID = 3101                      // InvalidRequestID "i3101", …
	authRealm             = `Basic realm="GlobalPay"` // WWW-Authenticate of a 401
)

type config struct {
	siteID, cardSiteID int64
	apiKey, cardAPIKey string
	clock              func() time.Time
	logger             *slog.Logger
	notificationURL    string
	notifyAttempts     int
	notifyBaseDelay    time.Duration
	notifyTimeout      time.Duration
	duplicates         int
	pendingRefunds     bool
	apmListener        net.Listener // nil: a new loopback port
	cardListener       net.Listener // nil: a new loopback port
	middleware         func(http.Handler) http.Handler
}

// Option configures a Server.
type Option func(*config)

// WithCredentials sets the SiteID and APIKey that both hosts accept (and that notifications
// are signed with). Use WithCardCredentials after it to give the card host its own pair.
func WithCredentials(siteID int64, apiKey string) Option {
	return func(c *config) {
		c.siteID, c.apiKey = siteID, apiKey
		c.cardSiteID, c.cardAPIKey = siteID, apiKey
	}
}

// WithCardCredentials sets the SiteID and APIKey of the direct card host only.
func WithCardCredentials(siteID int64, apiKey string) Option {
	return func(c *config) { c.cardSiteID, c.cardAPIKey = siteID, apiKey }
}

// WithClock sets the clock used for Created, NotificationDateTime, card expiry, list date
// filters, TokenLifetime expiry and Operation.At. Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithLogger sets the logger for requests and notifications (debug level). Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithNotificationURL sets the merchant's notification URL (the "Notification URL you setup
// in the Merchant Dashboard"). Without it no notification is sent. See also
// Server.SetNotificationURL.
func WithNotificationURL(u string) Option {
	return func(c *config) { c.notificationURL = u }
}

// WithNotificationRetry bounds the re-sending of a notification that was not answered with
// 204: at most attempts deliveries, waiting baseDelay before the second and doubling the wait
// after each further failure (capped at 5 s). Defaults: 5 attempts, 10 ms.
func WithNotificationRetry(attempts int, baseDelay time.Duration) Option {
	return func(c *config) {
		if attempts >= 1 {
			c.notifyAttempts = attempts
		}
		if baseDelay >= 0 {
			c.notifyBaseDelay = baseDelay
		}
	}
}

// WithNotificationTimeout sets how long one delivery attempt may take before it counts as
// unanswered and is retried. Default: 2 s.
func WithNotificationTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.notifyTimeout = d
		}
	}
}

// WithDuplicateNotifications makes the simulator deliver every notification n times in a row
// (each copy with its own retries), as GlobalPay says can happen. Default 1.
func WithDuplicateNotifications(n int) Option {
	return func(c *config) {
		if n >= 1 {
			c.duplicates = n
		}
	}
}

// WithPendingRefunds makes new refunds answer with status 1 Open instead of 2 Success; they
// stay Open until Server.SetRefundStatus moves them to 2 Success or 4 Failed.
func WithPendingRefunds() Option {
	return func(c *config) { c.pendingRefunds = true }
}

// WithListeners makes the two hosts serve on the given listeners instead of new loopback ports
// (nil keeps a new loopback port for that host), e.g. to run the simulator at fixed addresses
// as the paysim command does. URL and CardURL are then "http://" + the listener's address.
// Close closes them.
func WithListeners(apm, card net.Listener) Option {
	return func(c *config) { c.apmListener, c.cardListener = apm, card }
}

// WithMiddleware wraps the handler of both hosts with mw (e.g. request logging, or extra
// endpoints served next to the simulator's).
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middleware = mw }
}

// Operation is one state-changing operation the simulator executed. Kinds:
//
//	"sale"          card payment created with Capture true (or omitted)
//	"authorize"     card payment created with Capture false
//	"payment"       alternative-method payment created (status 1 Open)
//	"complete"      the customer finished at RedirectURL (or CompleteRedirect was called)
//	"capture"       POST …/capture (Amount: the amount captured)
//	"cancel"        POST …/cancel
//	"refund"        POST …/refunds (ID: the refund's ID; Amount: the refund's amount)
//	"refund-status" SetRefundStatus settled an Open refund (ID: the refund's ID)
//	"status"        SetStatus (a provider-side change such as a chargeback)
//	"expire"        an Open alternative-method payment outlived its TokenLifetime
//
// Requests the simulator refused (4xx) executed nothing and are not logged.
type Operation struct {
	Kind      string    // see above
	Reference string    // the payment's MerchantTransactionID
	ID        string    // the GlobalPay ID of the payment (or refund) it touched
	Amount    string    // the amount it moved, in minor units as on the wire ("2000"); "" if none
	Result    string    // the resulting Status.Info, e.g. "Captured", "PartiallyRefunded"
	At        time.Time // the simulator clock when it happened
}

// RefundState is a snapshot of one simulated refund.
type RefundState struct {
	ID                    string // GlobalPay refund ID
	PaymentID             string // InitialPaymentID
	MerchantTransactionID string // the refund's MerchantTransactionID
	Amount                int64  // minor units
	Currency              string // the payment's currency
	StatusID              int    // 1 Open, 2 Success, 4 Failed
	StatusInfo            string // "Open", "Success", "Failed"
	Created               time.Time
}

// PaymentState is a snapshot of one simulated payment.
type PaymentState struct {
	ID                    string // GlobalPay payment ID
	API                   string // APIAlternative ("apm") or APICard ("card")
	MerchantTransactionID string
	Amount                int64 // minor units
	Currency              string
	CapturedAmount        int64 // minor units; the whole Amount for a paid alternative method
	RefundedAmount        int64 // minor units, successful refunds only
	StatusID              int
	StatusInfo            string
	MethodID              int64  // 0 when the payment has none (customer picks on the page)
	ReturnURL             string // "" when none was sent
	RedirectURL           string // the customer's page (alternative methods only)
	Created               time.Time
	Refunds               []RefundState
}

// Server is a simulated GlobalPay: two loopback HTTP listeners (alternative payment methods
// and direct card) over one shared state. It is safe for concurrent use.
type Server struct {
	cfg  config
	apm  *httptest.Server
	card *httptest.Server

	mu        sync.Mutex
	st        *state
	ops       []Operation
	notifyURL string

	n *notifier
}

type state struct {
	payments  map[int64]*payment
	order     map[api][]*payment
	byMTID    map[api]map[string]*payment
	byToken   map[string]*payment
	refunds   map[int64]*refund
	customers map[api]map[string]int64 // by e-mail
	addresses map[string]int64         // by content
	nextID    map[api]int64
	nextRef   int64
	nextCust  int64
	nextAddr  int64
	nextInval int64
}

func newState() *state {
	return &state{
		payments:  map[int64]*payment{},
		order:     map[api][]*payment{},
		byMTID:    map[api]map[string]*payment{apiAPM: {}, apiCard: {}},
		byToken:   map[string]*payment{},
		refunds:   map[int64]*refund{},
		customers: map[api]map[string]int64{apiAPM: {}, apiCard: {}},
		addresses: map[string]int64{},
		nextID:    map[api]int64{apiAPM: firstAPMPaymentID, apiCard: firstCardPaymentID},
		nextRef:   firstRefundID,
		nextCust:  firstCustomerID,
		nextAddr:  firstAddressID,
		nextInval: firstInvalidRequestID,
	}
}

// NewServer starts a simulator on two loopback ports (httptest.NewServer underneath; see
// WithListeners for other addresses): BaseURL() is the alternative payment methods host,
// CardBaseURL() the direct card host (the driver's Config.BaseURL and CardBaseURL). Close it
// when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		siteID: DefaultSiteID, apiKey: DefaultAPIKey,
		cardSiteID: DefaultCardSiteID, cardAPIKey: DefaultCardAPIKey,
		clock:           time.Now,
		logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		notifyAttempts:  DefaultNotificationAttempts,
		notifyBaseDelay: DefaultNotificationBaseDelay,
		notifyTimeout:   DefaultNotificationTimeout,
		duplicates:      1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, st: newState(), notifyURL: cfg.notificationURL}
	s.n = newNotifier(s)
	s.apm = simserve.Start(s.routes(apiAPM), cfg.apmListener, cfg.middleware)
	s.card = simserve.Start(s.routes(apiCard), cfg.cardListener, cfg.middleware)
	return s
}

// Close stops both listeners and the notification sender (notifications not yet delivered are
// dropped).
func (s *Server) Close() {
	s.n.close()
	s.apm.Close()
	s.card.Close()
}

// BaseURL is the base BaseURL of the alternative payment methods host (paytest.smart2pay.com), e.g.
// "http://127.0.0.1:41234". The customer's RedirectURL pages are served here too.
func (s *Server) BaseURL() string { return s.apm.URL }

// CardBaseURL is the base URL of the direct card host (securetest.smart2pay.com).
func (s *Server) CardBaseURL() string { return s.card.URL }

// Client returns a keep-alive HTTP client for the simulator; it works for both hosts.
func (s *Server) Client() *http.Client { return s.apm.Client() }

// SetNotificationURL changes the merchant's notification URL at run time ("" turns
// notifications off). Notifications already queued keep the URL they were queued with; Reset
// keeps the URL. It is safe for concurrent use.
func (s *Server) SetNotificationURL(u string) {
	s.mu.Lock()
	s.notifyURL = u
	s.mu.Unlock()
}

// Operations returns a copy of the log of every state-changing operation, in order.
func (s *Server) Operations() []Operation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ops)
}

// Reset forgets all payments, refunds, operations, queued notifications and notification
// attempts, and restarts the ID counters, so a test starts from the same state as a new Server.
func (s *Server) Reset() {
	s.mu.Lock()
	s.st = newState()
	s.ops = nil
	s.mu.Unlock()
	s.n.reset()
}

func (s *Server) now() time.Time { return s.cfg.clock() }

func (s *Server) logOpLocked(kind string, p *payment, id string, amount string, result string, now time.Time) {
	s.ops = append(s.ops, Operation{Kind: kind, Reference: p.mtid, ID: id, Amount: amount, Result: result, At: now})
	s.cfg.logger.Debug("smart2paytest: operation", "kind", kind, "reference", p.mtid, "id", id, "amount", amount, "result", result)
}

func amountString(n int64) string { return strconv.FormatInt(n, 10) }

// paymentToken derives the deterministic PaymentToken of a RedirectURL from the payment ID.
func paymentToken(a api, id int64) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("smart2paytest/%s/%d", a, id)))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}

// qrCode derives a deterministic WeChat-style QR code URL from the payment ID.
func qrCode(id int64) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	sum := sha256.Sum256([]byte(fmt.Sprintf("smart2paytest/qr/%d", id)))
	b := make([]byte, 7)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return "weixin://wxpay/bizpayurl?pr=" + string(b)
}

func (s *Server) snapshotLocked(p *payment) PaymentState {
	succeeded, _ := p.refundedAmount()
	ps := PaymentState{
		ID:                    p.idString(),
		API:                   p.api.String(),
		MerchantTransactionID: p.mtid,
		Amount:                p.amount,
		Currency:              p.currency,
		CapturedAmount:        p.capturedAmount,
		RefundedAmount:        succeeded,
		StatusID:              p.status,
		StatusInfo:            statusInfo[p.status],
		RedirectURL:           p.redirectURL,
		Created:               p.created,
	}
	if p.api == apiCard {
		ps.MethodID = cardMethodID
	} else if p.methodID != nil {
		ps.MethodID = *p.methodID
	}
	if p.returnURL != nil {
		ps.ReturnURL = *p.returnURL
	}
	for _, r := range p.refunds {
		ps.Refunds = append(ps.Refunds, refundSnapshot(r))
	}
	return ps
}

func refundSnapshot(r *refund) RefundState {
	return RefundState{
		ID:                    strconv.FormatInt(r.id, 10),
		PaymentID:             r.payment.idString(),
		MerchantTransactionID: r.mtid,
		Amount:                r.amount,
		Currency:              r.payment.currency,
		StatusID:              r.status,
		StatusInfo:            statusInfo[r.status],
		Created:               r.created,
	}
}

func (s *Server) lookupLocked(id string) *payment {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return s.st.payments[n]
}

// Payment returns a snapshot of the payment with this GlobalPay ID (either host).
func (s *Server) Payment(id string) (PaymentState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(s.now())
	p := s.lookupLocked(id)
	if p == nil {
		return PaymentState{}, false
	}
	return s.snapshotLocked(p), true
}

// PaymentByReference returns a snapshot of the payment with this MerchantTransactionID. A
// reference is unique per host; if both hosts have one, the most recently created wins.
func (s *Server) PaymentByReference(ref string) (PaymentState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(s.now())
	a, c := s.st.byMTID[apiAPM][ref], s.st.byMTID[apiCard][ref]
	p := a
	if p == nil || (c != nil && c.created.After(a.created)) {
		p = c
	}
	if p == nil {
		return PaymentState{}, false
	}
	return s.snapshotLocked(p), true
}

// Refund returns a snapshot of the refund with this GlobalPay refund ID.
func (s *Server) Refund(id string) (RefundState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || s.st.refunds[n] == nil {
		return RefundState{}, false
	}
	return refundSnapshot(s.st.refunds[n]), true
}

// Redirect outcomes accepted by CompleteRedirect and by the customer page's result parameter.
const (
	OutcomeSuccess    = "success"    // status 2 Success (9 Authorized when the payment has Capture false), data=2 (9)
	OutcomeFail       = "fail"       // status 4 Failed, data=4
	OutcomeCancel     = "cancel"     // status 3 Cancelled, data=3
	OutcomeProcessing = "processing" // status 7 PendingOnProvider, data=7
	OutcomeAuthorize  = "authorize"  // status 9 Authorized, data=9
)

// ErrNotFound is returned by the helpers for an unknown payment or refund ID.
var ErrNotFound = errors.New("smart2paytest: no such payment or refund")

// ErrInvalidState is returned by the helpers when the payment or refund is not in a status
// that allows the change.
var ErrInvalidState = errors.New("smart2paytest: not allowed in the current status")

// CompleteRedirect plays the customer at the payment's RedirectURL without a browser:
// outcome is one of OutcomeSuccess, OutcomeFail, OutcomeCancel, OutcomeProcessing or
// OutcomeAuthorize. It applies the same change as the page (status, notification, Operation
// "complete") and returns the URL the customer would be sent back to (ReturnURL with data and
// MerchantTransactionID; "" when the payment has no ReturnURL). Only an alternative-method
// payment in status 1 Open or 6 PendingOnCustomer can be completed. Complete is the form every
// simulator shares (it also takes Router IDs); CompleteRedirect remains for the authorize
// outcome and the return URL.
func (s *Server) CompleteRedirect(id string, outcome string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	p := s.lookupLocked(id)
	if p == nil || p.api != apiAPM {
		return "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return s.completeLocked(p, outcome, now)
}

// SetStatus sets a payment's status the way only the provider can (e.g. 26 Chargedback,
// 19 Disputed, 11 Captured for a payment 33 QueuedForCapturing), logs Operation "status" and
// sends the payment notification. Moving to 2 Success, 11 Captured, 17 Completed or 25 Paid
// marks the whole amount captured if nothing was captured yet. Any documented status ID is
// accepted; an unknown ID is an error.
func (s *Server) SetStatus(id string, statusID int) error {
	if _, ok := statusInfo[statusID]; !ok {
		return fmt.Errorf("smart2paytest: unknown status ID %d", statusID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expireLocked(now)
	p := s.lookupLocked(id)
	if p == nil {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	switch statusID {
	case StatusSuccess, StatusCaptured, StatusCompleted, StatusPaid:
		if p.capturedAmount == 0 {
			p.capturedAmount = p.amount
		}
	}
	p.status, p.reasons = statusID, nil
	s.logOpLocked("status", p, p.idString(), "", statusInfo[statusID], now)
	s.notifyPaymentLocked(p)
	return nil
}

// SetRefundStatus settles a refund that is 1 Open (see WithPendingRefunds) as 2 Success or
// 4 Failed, logs Operation "refund-status" and sends the refund notification (and, on
// success, the payment's: 21 PartiallyRefunded or 22 Refunded).
func (s *Server) SetRefundStatus(refundID string, statusID int) error {
	if statusID != StatusSuccess && statusID != StatusFailed {
		return fmt.Errorf("smart2paytest: a refund can only become 2 Success or 4 Failed, not %d", statusID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	n, err := strconv.ParseInt(refundID, 10, 64)
	r := s.st.refunds[n]
	if err != nil || r == nil {
		return fmt.Errorf("%w: refund %s", ErrNotFound, refundID)
	}
	if r.status != StatusOpen {
		return fmt.Errorf("%w: refund %s is %s", ErrInvalidState, refundID, statusInfo[r.status])
	}
	r.status = statusID
	if statusID == StatusFailed {
		r.reasons = []reason{{CodeRefundInvalid, "Refund failed"}}
	}
	s.logOpLocked("refund-status", r.payment, strconv.FormatInt(r.id, 10), amountString(r.amount), statusInfo[statusID], now)
	s.notifyRefundLocked(r)
	if statusID == StatusSuccess {
		s.applyRefundLocked(r.payment)
	}
	return nil
}

// applyRefundLocked moves a payment to 21 PartiallyRefunded or 22 Refunded after a refund
// succeeded, and notifies.
func (s *Server) applyRefundLocked(p *payment) {
	succeeded, _ := p.refundedAmount()
	next := StatusPartiallyRefunded
	if succeeded >= p.capturedAmount {
		next = StatusRefunded
	}
	if p.status != next {
		p.status, p.reasons = next, nil
		s.notifyPaymentLocked(p)
	}
}

// expireLocked moves Open alternative-method payments whose TokenLifetime (minutes) has run
// out to 5 Expired.
func (s *Server) expireLocked(now time.Time) {
	for _, p := range s.st.order[apiAPM] {
		if p.status != StatusOpen || p.tokenLifetime == nil {
			continue
		}
		if !now.Before(p.created.Add(time.Duration(*p.tokenLifetime) * time.Minute)) {
			p.status, p.reasons = StatusExpired, nil
			s.logOpLocked("expire", p, p.idString(), "", statusInfo[StatusExpired], now)
			s.notifyPaymentLocked(p)
		}
	}
}
