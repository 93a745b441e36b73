package reliability_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/internal/faultnet"
)

// The sentinels: a Luhn-valid card number that is no provider's test card
// (its middle digits differ from its first six), a four-digit CVV, an API
// key and webhook credentials that appear nowhere else.
const (
	sentinelPAN         = "4111119876543212"
	sentinelCVV         = "7391"
	sentinelAPIKey      = "sk_SENTINEL_apikey_7f3a9c"
	sentinelWebhookUser = "hook-SENTINEL-user"
	sentinelWebhookPass = "whsec_SENTINEL_hook_55"
)

var sentinelCreds = &credentials{APIKey: sentinelAPIKey, WebhookUser: sentinelWebhookUser, WebhookPass: sentinelWebhookPass}

// leak is one secret and the forms it must never take in any output.
type leak struct {
	name string
	re   *regexp.Regexp
}

// panLeaks are the forms of a card number that show more than its first 6
// and last 4 digits: the whole number, its first 7, its last 5.
func panLeaks(pan string) []leak {
	return []leak{
		{"card number " + pan, regexp.MustCompile(regexp.QuoteMeta(pan))},
		{"more than the first 6 digits of " + pan, regexp.MustCompile(`(^|\D)` + regexp.QuoteMeta(pan[:7]))},
		{"more than the last 4 digits of " + pan, regexp.MustCompile(regexp.QuoteMeta(pan[len(pan)-5:]) + `(\D|$)`)},
	}
}

// secretLeaks are every form of every sentinel: the card numbers, the CVV
// as a number of its own, the credentials in clear and inside Basic
// Authorization headers.
func secretLeaks(pans ...string) []leak {
	var out []leak
	for _, p := range pans {
		out = append(out, panLeaks(p)...)
	}
	out = append(out, leak{"CVV", regexp.MustCompile(`(^|\D)` + sentinelCVV + `(\D|$)`)})
	for _, s := range []string{sentinelAPIKey, sentinelAPIKey + "-card", sentinelWebhookPass} {
		out = append(out, leak{"secret " + s, regexp.MustCompile(regexp.QuoteMeta(s))})
	}
	// Basic credentials as the drivers and simulators build them.
	for _, userPass := range []string{
		smartpaymentstest.DefaultMerchantKey + ":" + sentinelAPIKey,
		strconv.Itoa(smart2paytest.DefaultSiteID) + ":" + sentinelAPIKey,
		strconv.Itoa(smart2paytest.DefaultCardSiteID) + ":" + sentinelAPIKey + "-card",
		smartpaytest.DefaultMerchantKey + ":" + sentinelAPIKey,
		sentinelWebhookUser + ":" + sentinelWebhookPass,
	} {
		b := base64.StdEncoding.EncodeToString([]byte(userPass))
		out = append(out, leak{"Basic credentials " + userPass, regexp.MustCompile(regexp.QuoteMeta(b))})
	}
	return out
}

func assertNoLeak(t *testing.T, leaks []leak, sink, out string) {
	t.Helper()
	for _, l := range leaks {
		if loc := l.re.FindStringIndex(out); loc != nil {
			from, to := max(0, loc[0]-80), min(len(out), loc[1]+80)
			t.Errorf("%s leaks the %s: …%s…", sink, l.name, out[from:to])
		}
	}
}

// syncBuffer is a log destination written from several goroutines.
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

// teeHandler sends every record to several handlers.
type teeHandler []slog.Handler

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		if err := x.Handle(ctx, r.Clone()); err != nil {
			return err
		}
	}
	return nil
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(as)
	}
	return out
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}

// debugLogger logs at debug level as text and as JSON. Times and durations
// are dropped: their digits could pass for a CVV.
func debugLogger(text, js io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Value.Kind() == slog.KindDuration {
			return slog.Attr{}
		}
		return a
	}}
	return slog.New(teeHandler{slog.NewTextHandler(text, opts), slog.NewJSONHandler(js, opts)})
}

func withCard(req *payments.AuthorizeRequest, pan, cvv string) *payments.AuthorizeRequest {
	if c, ok := payments.MethodAs[payments.Card](req.Method); ok {
		c.Number, c.CVV = payments.CardNumber(pan), payments.CVV(cvv)
		req.Method = c
	}
	return req
}

// sentinelRequests are, for a driver, an approved payment carrying the
// sentinel card (SmartPayments approves only its own test card, which then
// is the sentinel), a declined one, and the card number that is the
// sentinel of the approved one.
func sentinelRequests(driver, ref string) (approved, declined *payments.AuthorizeRequest, approvedPAN string) {
	switch driver {
	case smartpayments.Name:
		approved = withCard(smartPaymentsRequest(ref+"-ok", smartpaymentstest.CardFrictionless, false), smartpaymentstest.CardFrictionless, sentinelCVV)
		declined = withCard(smartPaymentsRequest(ref+"-no", sentinelPAN, true), sentinelPAN, sentinelCVV)
		return approved, declined, smartpaymentstest.CardFrictionless
	case smart2pay.Name:
		approved = withCard(smart2PayRequest(ref+"-ok", sentinelPAN, false), sentinelPAN, sentinelCVV)
		declined = withCard(smart2PayRequest(ref+"-no", sentinelPAN, true), sentinelPAN, sentinelCVV)
		declined.Amount = eur("100.01") // the simulator declines above 100.00
		return approved, declined, sentinelPAN
	default:
		approved = smartPayRequest(ref+"-ok", false)
		declined = smartPayRequest(ref+"-no", false)
		declined.Customer.LastName = smartpaytest.FailedLastName
		return approved, declined, sentinelPAN
	}
}

// TestSecretsNeverLeak pushes the sentinels through every sink, per driver:
// returned errors and values in every fmt verb and JSON, the drivers',
// Router's and handler's logs at debug level (text and JSON), notification
// answers, and a panicking callback.
func TestSecretsNeverLeak(t *testing.T) {
	type variant struct {
		name, driver string
		oauth        bool
	}
	variants := []variant{{smartpayments.Name, smartpayments.Name, false}, {smart2pay.Name, smart2pay.Name, false},
		{smartpay.Name, smartpay.Name, false}, {smartpay.Name + "-oauth", smartpay.Name, true}}
	for _, v := range variants {
		d := v.driver
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			var text, js syncBuffer
			logger := debugLogger(&text, &js)
			in := newInbox(t)
			var ft *faultnet.Transport
			r := newRig(t, d, options{logger: logger, creds: sentinelCreds, notifyURL: in.srv.URL + "/hooks", oauth: v.oauth,
				wrap: func(base http.RoundTripper) http.RoundTripper { ft = faultnet.New(base); return ft }})
			router, err := payments.NewRouter([]payments.Route{{Name: routeName, Gateway: r.Gateway()}}, payments.WithRouterLogger(logger))
			require.NoError(t, err)
			ctx := context.Background()
			approved, declined, approvedPAN := sentinelRequests(d, "sec")
			leaks := secretLeaks(sentinelPAN, approvedPAN)

			var values []any // everything returned, for fmt and JSON
			keep := func(v any, err error) {
				values = append(values, v)
				if err != nil {
					values = append(values, err)
				}
			}
			keep(approved, nil)
			keep(declined, nil)

			// The happy path, through the Router.
			p, err := router.Authorize(ctx, approved)
			require.NoError(t, err)
			keep(p, nil)
			keep(router.Capture(ctx, &payments.CaptureRequest{ID: p.ID}))
			five := eur("5.00")
			keep(router.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &five, Reason: "sentinel " + sentinelPAN}))
			keep(router.Status(ctx, &payments.StatusRequest{ID: p.ID}))

			// A decline.
			dp, err := r.Gateway().Authorize(ctx, declined)
			require.Error(t, err)
			keep(dp, err)

			// Invalid input carrying the card: an impossible expiry, a CVV
			// of the wrong length, a card where the driver takes none.
			for _, mutate := range []func(*payments.Card){
				func(c *payments.Card) { c.ExpiryMonth = "13" },
				func(c *payments.Card) { c.CVV = payments.CVV(sentinelCVV + "9") },
				func(c *payments.Card) { c.Number = payments.CardNumber(sentinelPAN[:15] + "0") }, // Luhn fails
			} {
				req, _, _ := sentinelRequests(d, "inv")
				c := payments.Card{Number: sentinelPAN, Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: sentinelCVV}
				mutate(&c)
				req.Method = c
				keep(r.Gateway().Authorize(ctx, req))
			}
			if d == smartpay.Name {
				req, _, _ := sentinelRequests(d, "card")
				req.Method = payments.Card{Number: sentinelPAN, Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: sentinelCVV}
				pp, err := r.Gateway().Authorize(ctx, req)
				require.ErrorIs(t, err, payments.ErrUnsupported)
				keep(pp, err)
			}

			// Outcome unknown: the answer to an authorization is lost.
			ft.Inject(r.FaultPath(opAuthorize), faultnet.Status500, 1)
			req, _, _ := sentinelRequests(d, "lost")
			req.Capture = true // a sale: the path FaultPath names
			up, err := r.Gateway().Authorize(ctx, req)
			require.ErrorIs(t, err, payments.ErrOutcomeUnknown)
			keep(up, err)
			ft.Inject(r.FaultPath(opAuthorize), faultnet.ResetAfterProcess, 1)
			req, _, _ = sentinelRequests(d, "reset")
			req.Capture = true
			keep(r.Gateway().Authorize(ctx, req))

			// Notifications: genuine, forged, and a callback that panics with
			// the secrets in its message.
			deliveries := in.wait(t, 2)
			handlerLog := payments.WithHandlerLogger(logger)
			var answers []string
			for i, dl := range deliveries {
				for _, h := range []http.Handler{
					payments.NotificationHandler(r.Gateway(), func(_ context.Context, n *payments.Notification) error {
						values = append(values, n)
						return nil
					}, handlerLog),
					router.NotificationHandler(func(context.Context, *payments.Notification) error {
						panic(fmt.Sprintf("callback bug with card %s cvv %s key %s", sentinelPAN, sentinelCVV, sentinelAPIKey))
					}, handlerLog),
				} {
					target := "/" + routeName
					for _, forged := range []bool{false, true} {
						req := dl.request(http.MethodPost, target)
						if forged {
							req.SetBasicAuth(sentinelWebhookUser, sentinelAPIKey)
						}
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						answers = append(answers, fmt.Sprintf("notification %d forged=%v: %d %s %v", i, forged, rec.Code, rec.Body.String(), rec.Header()))
					}
				}
			}

			// Every sink.
			for i, v := range values {
				if v == nil {
					continue
				}
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					assertNoLeak(t, leaks, fmt.Sprintf("value %d (%T) printed with %s", i, v, verb), fmt.Sprintf(verb, v))
				}
				if err, ok := v.(error); ok {
					assertNoLeak(t, leaks, fmt.Sprintf("error %d .Error()", i), err.Error())
					var pe *payments.Error
					if assert.ErrorAs(t, err, &pe) {
						assertNoLeak(t, leaks, fmt.Sprintf("error %d Message", i), pe.Message)
					}
					continue
				}
				b, err := json.Marshal(v)
				require.NoError(t, err)
				assertNoLeak(t, leaks, fmt.Sprintf("value %d (%T) as JSON", i, v), string(b))
				for _, raw := range rawOf(v) {
					assertNoLeak(t, leaks, fmt.Sprintf("value %d (%T) Raw", i, v), string(raw))
				}
			}
			for _, a := range answers {
				assertNoLeak(t, leaks, "a notification answer", a)
			}
			assertNoLeak(t, leaks, "the slog text log", text.String())
			assertNoLeak(t, leaks, "the slog JSON log", js.String())
			// The logs did log: the request and response bodies of every call.
			assert.Contains(t, text.String(), "payments: http")
			assert.Contains(t, js.String(), `"msg":"payments: http"`)
			assert.Contains(t, text.String(), "notification callback failed")
			if d != smartpay.Name {
				assert.Contains(t, text.String(), approvedPAN[:6], "the log shows the first 6 digits (the request was logged)")
			}
		})
	}
}

// rawOf returns the provider bodies a returned value carries.
func rawOf(v any) []json.RawMessage {
	switch x := v.(type) {
	case *payments.Payment:
		if x != nil {
			return []json.RawMessage{x.Raw}
		}
	case *payments.Refund:
		if x != nil {
			return []json.RawMessage{x.Raw}
		}
	case *payments.Notification:
		if x != nil {
			out := []json.RawMessage{x.Raw}
			if x.Payment != nil {
				out = append(out, x.Payment.Raw)
			}
			if x.Refund != nil {
				out = append(out, x.Refund.Raw)
			}
			return out
		}
	}
	return nil
}

// TestSecretsNotInCassettes records the OneStepSale and Decline scenarios
// of the conformance suite with the sentinel card and credentials against
// each simulator, with the conformance recorder, into a temporary
// directory, and scans every byte it wrote.
func TestSecretsNotInCassettes(t *testing.T) {
	t.Setenv(conformance.RecordEnv, string(conformance.ModeSim))
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			dir := t.TempDir()
			conformance.Run(t, recordingHarness(t, d, dir))
			files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
			require.NoError(t, err)
			require.NotEmpty(t, files, "nothing was recorded")
			_, _, approvedPAN := sentinelRequests(d, "x")
			leaks := secretLeaks(sentinelPAN, approvedPAN)
			for _, f := range files {
				b, err := os.ReadFile(f)
				require.NoError(t, err)
				// Recorded latencies are digits that could pass for a CVV.
				b = durationLine.ReplaceAll(b, nil)
				assertNoLeak(t, leaks, "cassette "+filepath.Base(f), string(b))
				assert.Contains(t, string(b), "interactions:", f)
			}
		})
	}
}

var durationLine = regexp.MustCompile(`(?m)^\s*duration:.*$`)

// recordingHarness is a minimal conformance harness whose fixtures carry
// the sentinels, for the two scenarios that send card data.
func recordingHarness(t *testing.T, driver, dir string) conformance.Harness {
	skip := map[string]string{}
	for _, s := range conformance.Scenarios() {
		if s != conformance.ScenarioOneStepSale && s != conformance.ScenarioDecline {
			skip[s] = "this harness records the card-carrying scenarios only"
		}
	}
	noNotification := func(t *testing.T, _ *conformance.Scenario, _ *payments.Payment) *http.Request {
		t.Fatal("not used")
		return nil
	}
	h := conformance.Harness{
		Name: driver, CassetteDir: dir, Skip: skip,
		Fixtures: conformance.Fixtures{
			Approved: func(ref string) *payments.AuthorizeRequest {
				a, _, _ := sentinelRequests(driver, ref)
				a.Reference = ref
				return a
			},
			Declined: func(ref string) *payments.AuthorizeRequest {
				_, dcl, _ := sentinelRequests(driver, ref)
				dcl.Reference = ref
				return dcl
			},
			Notification: noNotification, ForgedNotification: noNotification,
		},
	}
	switch driver {
	case smartpayments.Name:
		h.Fixtures.DeclineReason = payments.DeclineDoNotHonour // EMITTER_DENIAL_PROCESSING_ERROR
		h.SafeRequest = func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/check") }
		h.NewGateway = func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			g, err := smartpayments.New(smartpayments.Config{MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: sentinelAPIKey,
				Account: "EUR-sandbox", MerchantSite: "https://merchant.example", HTTPClient: &http.Client{Transport: rt}})
			require.NoError(t, err)
			return g
		}
		h.Simulator = func(t *testing.T) http.RoundTripper {
			sim := smartpaymentstest.NewServer(smartpaymentstest.WithCredentials(smartpaymentstest.DefaultMerchantKey, sentinelAPIKey), smartpaymentstest.WithoutNotifications())
			t.Cleanup(sim.Close)
			return conformance.RewriteHosts(map[string]string{
				"api-gateway.smartcore.pro": sim.BaseURL(), "chd-api.smartcore.pro": sim.CardBaseURL(), "service.magua-pay.com": sim.ExportBaseURL(),
			})
		}
	case smart2pay.Name:
		h.Fixtures.DeclineReason = payments.DeclineGeneric
		h.NewGateway = func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			g, err := smart2pay.New(smart2pay.Config{SiteID: smart2paytest.DefaultSiteID, APIKey: sentinelAPIKey,
				CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: sentinelAPIKey + "-card", HTTPClient: &http.Client{Transport: rt}})
			require.NoError(t, err)
			return g
		}
		h.Simulator = func(t *testing.T) http.RoundTripper {
			sim := smart2paytest.NewServer(smart2paytest.WithCredentials(smart2paytest.DefaultSiteID, sentinelAPIKey),
				smart2paytest.WithCardCredentials(smart2paytest.DefaultCardSiteID, sentinelAPIKey+"-card"))
			t.Cleanup(sim.Close)
			return conformance.RewriteHosts(map[string]string{"paytest.smart2pay.com": sim.BaseURL(), "securetest.smart2pay.com": sim.CardBaseURL()})
		}
	case smartpay.Name:
		h.Fixtures.DeclineReason = payments.DeclineGeneric
		h.NewGateway = func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			g, err := smartpay.New(smartpay.Config{MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: sentinelAPIKey,
				BaseURL: "https://api.smartpay.example", Origin: "https://shop.example", HTTPClient: &http.Client{Transport: rt}})
			require.NoError(t, err)
			return g
		}
		h.Simulator = func(t *testing.T) http.RoundTripper {
			sim := smartpaytest.NewServer(smartpaytest.WithCredentials(smartpaytest.DefaultMerchantKey, sentinelAPIKey))
			t.Cleanup(sim.Close)
			return conformance.RewriteHosts(map[string]string{"api.smartpay.example": sim.BaseURL()})
		}
	}
	return h
}

// TestLeakDetector checks the detector itself: every form of a secret is
// found, the masked forms are not.
func TestLeakDetector(t *testing.T) {
	leaks := secretLeaks(sentinelPAN)
	found := func(s string) bool {
		for _, l := range leaks {
			if l.re.MatchString(s) {
				return true
			}
		}
		return false
	}
	for _, s := range []string{
		sentinelPAN, "x" + sentinelPAN[:7] + "******", "****" + sentinelPAN[11:] + `"`, `"cvv":"` + sentinelCVV + `"`,
		"key=" + sentinelAPIKey, "Basic " + base64.StdEncoding.EncodeToString([]byte(sentinelWebhookUser+":"+sentinelWebhookPass)),
	} {
		assert.True(t, found(s), "not detected: %s", s)
	}
	for _, s := range []string{"411111******3212", `"cvv":"[REDACTED]"`, "amount=17391", "Basic [REDACTED]"} {
		assert.False(t, found(s), "false alarm: %s", s)
	}
}
