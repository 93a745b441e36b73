package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// sentinelWallet is a wallet token that appears nowhere else.
const sentinelWallet = "tok_SENTINEL_wallet_3f9a2c"

// spaced writes a card number as a person (or a provider's error text)
// does: "4111 1198 7654 3212".
func spaced(pan, sep string) string {
	var parts []string
	for i := 0; i < len(pan); i += 4 {
		parts = append(parts, pan[i:min(i+4, len(pan))])
	}
	return strings.Join(parts, sep)
}

// echoLeaks are secretLeaks plus the forms an echo takes: the card number
// with spaces or dashes between its digits, its middle digits so written,
// and the wallet token.
func echoLeaks(pans ...string) []leak {
	out := secretLeaks(pans...)
	for _, p := range pans {
		var full, middle []string
		for i, c := range p {
			full = append(full, string(c))
			if i >= 6 && i < len(p)-4 {
				middle = append(middle, string(c))
			}
		}
		out = append(out,
			leak{"card number with separators " + p, regexp.MustCompile(strings.Join(full, `[ -]{0,2}`))},
			leak{"middle digits with separators of " + p, regexp.MustCompile(strings.Join(middle, `[ -]{0,2}`))})
	}
	return append(out, leak{"wallet token", regexp.MustCompile(regexp.QuoteMeta(sentinelWallet))})
}

// echoTransport is a provider that echoes the secrets of a call back in
// free text: the request goes to the simulator over loopback as usual, and
// the answer is replaced by an error in the driver's own documented shape
// whose text quotes the card number (spaced and dashed), the CVV, the
// wallet token and the credentials the request carried. A token request
// (OAuth client-credentials grant) gets an RFC 6749 error that quotes the
// client secret.
type echoTransport struct {
	base   http.RoundTripper
	driver string
	// creds are the credentials the provider "knows" and quotes.
	creds []string
}

func (e *echoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := e.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if bytes.Contains(body, []byte("grant_type")) {
		resp.Body.Close()
		return answer(req, http.StatusUnauthorized, map[string]any{"error": "invalid_client",
			"error_description": "client secret " + sentinelAPIKey + " is not valid for this client"}), nil
	}
	var parts []string
	if bytes.Contains(body, []byte(sentinelPAN)) {
		parts = append(parts, "card "+spaced(sentinelPAN, " ")+" ("+spaced(sentinelPAN, "-")+")")
	}
	if bytes.Contains(body, []byte(`"`+sentinelCVV+`"`)) {
		parts = append(parts, "cvv "+sentinelCVV)
	}
	if bytes.Contains(body, []byte(sentinelWallet)) {
		parts = append(parts, "token "+sentinelWallet)
	}
	if len(parts) == 0 && req.Method != http.MethodPost {
		return resp, nil // queries go through untouched
	}
	resp.Body.Close()
	echo := strings.Join(append(parts, "credentials "+strings.Join(e.creds, " / ")), "; ")
	switch e.driver {
	case smartpayments.Name:
		return answer(req, http.StatusBadRequest, map[string]any{"err": "EMITTER_DENIAL_PROCESSING_ERROR", "msg": echo}), nil
	case smart2pay.Name:
		return answer(req, http.StatusBadRequest, map[string]any{"Payment": map[string]any{"ID": 1,
			"Status": map[string]any{"ID": 4, "Info": "Failed", "Reasons": []any{map[string]any{"Code": "121", "Info": echo}}}}}), nil
	default:
		return answer(req, http.StatusBadRequest, map[string]any{"error": "PAYMENT_DECLINED", "message": echo,
			"errorDetails": map[string]any{"gatewayDescription": echo}}), nil
	}
}

func answer(req *http.Request, status int, v any) *http.Response {
	b, _ := json.Marshal(v)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)), Request: req}
}

// TestSecretsEchoedByProviderNeverLeak: a provider echoes the call's card
// number (spaced and dashed), CVV, wallet token and credentials in its
// error text (issue 16). None of them reaches the error (Error(), Message,
// every fmt verb), the Payment (every verb, JSON, Decline, Raw) or the debug
// logs (text and JSON), for any driver.
func TestSecretsEchoedByProviderNeverLeak(t *testing.T) {
	type variant struct {
		name, driver string
		oauth        bool
	}
	variants := []variant{{smartpayments.Name, smartpayments.Name, false}, {smart2pay.Name, smart2pay.Name, false},
		{smartpay.Name, smartpay.Name, false}, {smartpay.Name + "-oauth", smartpay.Name, true}}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			var text, js syncBuffer
			logger := debugLogger(&text, &js)
			creds := []string{sentinelAPIKey}
			switch v.driver {
			case smart2pay.Name:
				creds = append(creds, sentinelAPIKey+"-card")
			case smartpay.Name:
				creds = append(creds, sentinelWebhookPass)
			}
			r := newRig(t, v.driver, options{logger: logger, creds: sentinelCreds, oauth: v.oauth,
				wrap: func(base http.RoundTripper) http.RoundTripper {
					return &echoTransport{base: base, driver: v.driver, creds: creds}
				}})
			ctx := context.Background()
			var reqs []*payments.AuthorizeRequest
			switch v.driver {
			case smartpayments.Name:
				reqs = append(reqs, withCard(smartPaymentsRequest("echo-card", sentinelPAN, true), sentinelPAN, sentinelCVV))
				w := smartPaymentsRequest("echo-wallet", sentinelPAN, true)
				w.Method = payments.ApplePay{Token: sentinelWallet, Network: "Visa"}
				reqs = append(reqs, w)
			case smart2pay.Name:
				reqs = append(reqs, withCard(smart2PayRequest("echo-card", sentinelPAN, true), sentinelPAN, sentinelCVV))
			default:
				reqs = append(reqs, smartPayRequest("echo-invoice", true))
			}
			leaks := echoLeaks(sentinelPAN)
			for _, req := range reqs {
				p, err := r.Gateway().Authorize(ctx, req)
				require.Error(t, err, "the echoing provider refuses every call")
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					assertNoLeak(t, leaks, "error printed with "+verb, fmt.Sprintf(verb, err))
					assertNoLeak(t, leaks, "request printed with "+verb, fmt.Sprintf(verb, req))
					if p != nil {
						assertNoLeak(t, leaks, "payment printed with "+verb, fmt.Sprintf(verb, p))
					}
				}
				var pe *payments.Error
				require.ErrorAs(t, err, &pe)
				assertNoLeak(t, leaks, "Error.Message", pe.Message)
				if pe.Decline != nil {
					assertNoLeak(t, leaks, "Error.Decline.Message", pe.Decline.Message)
				}
				if p != nil {
					b, jerr := json.Marshal(p)
					require.NoError(t, jerr)
					assertNoLeak(t, leaks, "payment as JSON", string(b))
					assertNoLeak(t, leaks, "Payment.Raw", string(p.Raw))
					if p.Decline != nil {
						assertNoLeak(t, leaks, "Payment.Decline.Message", p.Decline.Message)
					}
				}
			}
			assertNoLeak(t, leaks, "the slog text log", text.String())
			assertNoLeak(t, leaks, "the slog JSON log", js.String())
			if !v.oauth {
				// The echo did arrive and was logged, stripped.
				assert.Contains(t, text.String(), "credentials [REDACTED]")
			}
		})
	}
}

// TestConfigsAndGatewaysNeverPrintSecrets prints every driver's Config and
// *Gateway, built with the sentinel credentials (and a callback URL that
// carries credentials), with every fmt verb, as JSON and through slog.
func TestConfigsAndGatewaysNeverPrintSecrets(t *testing.T) {
	hookURL := "https://" + sentinelWebhookUser + ":" + sentinelWebhookPass + "@shop.example/hooks?token=" + sentinelAPIKey
	spCfg := smartpayments.Config{MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: sentinelAPIKey,
		Account: "EUR-sandbox", MerchantSite: "https://merchant.example", NotificationURL: hookURL}
	s2Cfg := smart2pay.Config{SiteID: smart2paytest.DefaultSiteID, APIKey: sentinelAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: sentinelAPIKey + "-card"}
	sCfg := smartpay.Config{MerchantKey: "merchant", AuthenticationKey: sentinelAPIKey, BaseURL: "https://api.smartpay.example",
		Origin: "https://shop.example", NotificationAuth: &smartpay.NotificationAuth{Username: sentinelWebhookUser, Password: sentinelWebhookPass}}
	oCfg := sCfg
	oCfg.AuthenticationKey = ""
	oCfg.OAuth = &smartpay.OAuth{TokenURL: "https://api.smartpay.example/token", ClientID: "merchant", ClientSecret: sentinelAPIKey}
	spGw, err := smartpayments.New(spCfg)
	require.NoError(t, err)
	s2Gw, err := smart2pay.New(s2Cfg)
	require.NoError(t, err)
	sGw, err := smartpay.New(sCfg)
	require.NoError(t, err)
	oGw, err := smartpay.New(oCfg)
	require.NoError(t, err)
	values := map[string]any{
		"smartpayments.Config": spCfg, "smart2pay.Config": s2Cfg, "smartpay.Config": sCfg, "smartpay.Config (OAuth)": oCfg,
		"*smartpayments.Config": &spCfg, "smartpay.OAuth": oCfg.OAuth, "smartpay.NotificationAuth": sCfg.NotificationAuth,
		"smartpayments.Gateway": spGw, "smart2pay.Gateway": s2Gw, "smartpay.Gateway": sGw, "smartpay.Gateway (OAuth)": oGw,
		"payments.Route": payments.Route{Name: "r", Gateway: s2Gw},
	}
	leaks := echoLeaks(sentinelPAN)
	leaks = append(leaks, leak{"webhook user", regexp.MustCompile(regexp.QuoteMeta(sentinelWebhookUser) + ":")})
	var text, js syncBuffer
	logger := debugLogger(&text, &js)
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assertNoLeak(t, leaks, name+" printed with "+verb, fmt.Sprintf(verb, v))
		}
		if b, err := json.Marshal(v); err == nil {
			assertNoLeak(t, leaks, name+" as JSON", string(b))
		}
		logger.Debug("config", "value", v)
		logger.Debug("config", slog.Any("value", v))
	}
	assertNoLeak(t, leaks, "the slog text log", text.String())
	assertNoLeak(t, leaks, "the slog JSON log", js.String())
	assert.Contains(t, fmt.Sprintf("%+v", s2Cfg), "SiteID:", "the configuration still prints its other fields")
}

// TestNotificationURLCredentialsNotLogged: a NotificationURL that carries
// credentials (user info, ?token=) is sent to SmartPayments, but the debug
// log of the call shows neither.
func TestNotificationURLCredentialsNotLogged(t *testing.T) {
	sim := smartpaymentstest.NewServer(smartpaymentstest.WithCredentials(smartpaymentstest.DefaultMerchantKey, sentinelAPIKey), smartpaymentstest.WithoutNotifications())
	t.Cleanup(sim.Close)
	var text, js syncBuffer
	gw, err := smartpayments.New(smartpayments.Config{MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: sentinelAPIKey,
		Account: "EUR-sandbox", MerchantSite: "https://merchant.example",
		NotificationURL: "https://" + sentinelWebhookUser + ":" + sentinelWebhookPass + "@shop.example/hooks?token=" + sentinelWallet,
		BaseURL:         sim.BaseURL(), CardBaseURL: sim.CardBaseURL(), ExportBaseURL: sim.ExportBaseURL(),
		HTTPClient: sim.Client(), Logger: debugLogger(&text, &js)})
	require.NoError(t, err)
	req := smartPaymentsRequest("cb-creds", smartpaymentstest.CardFrictionless, true)
	_, err = gw.Authorize(context.Background(), req)
	require.NoError(t, err)
	leaks := echoLeaks(sentinelPAN)
	assertNoLeak(t, leaks, "the slog text log", text.String())
	assertNoLeak(t, leaks, "the slog JSON log", js.String())
	assert.Contains(t, text.String(), "shop.example/hooks", "the callback URL was logged")
}

// echoMarker opens every echo a successEchoTransport puts in an answer, so
// that a test can tell the echo reached the sink it checks.
const echoMarker = "ECHO-7c1e"

// successEchoTransport is a SmartPay that accepts every call and echoes its
// secrets in the free text of the successful answer: the request goes to
// the simulator as usual, and its 2xx JSON answer gains a "note", an
// acquirerResponse and a status on every modification quoting the
// credentials the provider "knows" (creds) and the call's own
// Authorization header (Basic token or OAuth bearer token). The token
// request itself is left alone. Every bearer token seen is recorded.
type successEchoTransport struct {
	base  http.RoundTripper
	creds []string

	mu      sync.Mutex
	bearers []string
}

func (e *successEchoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	auth := req.Header.Get("Authorization")
	resp, err := e.base.RoundTrip(req)
	if err != nil || strings.HasSuffix(req.URL.Path, smartpaytest.PathToken) || resp.StatusCode/100 != 2 {
		return resp, err
	}
	if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
		e.mu.Lock()
		e.bearers = append(e.bearers, tok)
		e.mu.Unlock()
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("echo: the simulator's answer is no JSON object: %w", err)
	}
	echo := echoMarker + " credentials " + strings.Join(e.creds, " / ") + "; auth " + auth
	doc["note"] = echo
	if ov, ok := doc["transactionOverview"].(map[string]any); ok {
		ov["acquirerResponse"] = echo
	}
	switch m := doc["modification"].(type) {
	case map[string]any:
		m["status"] = echo
	case []any:
		for _, x := range m {
			if mm, ok := x.(map[string]any); ok {
				mm["status"] = echo
			}
		}
	}
	out := answer(req, resp.StatusCode, doc)
	out.Header = resp.Header.Clone()
	out.Header.Del("Content-Length")
	return out, nil
}

// TestSecretsEchoedInSuccessfulAnswersNeverLeak: SmartPay answers every
// call (authorize, capture, refund, cancel, cancelOrRefund, status) with a
// 2xx whose free text quotes the call's credentials, bearer token and the
// webhook password. None of them reaches what the driver returns (Payment,
// Refund, CancelOrRefundResult, PaymentDetails: Raw, ProviderStatus,
// Decline, every fmt verb and JSON) or the debug logs.
func TestSecretsEchoedInSuccessfulAnswersNeverLeak(t *testing.T) {
	for _, oauth := range []bool{false, true} {
		t.Run(map[bool]string{false: "basic", true: "oauth"}[oauth], func(t *testing.T) {
			t.Parallel()
			var text, js syncBuffer
			creds := []string{sentinelAPIKey, sentinelWebhookPass}
			if oauth {
				creds = append(creds, smartpaytest.DefaultMerchantKey) // the OAuth client ID
			}
			echo := &successEchoTransport{creds: creds}
			r := newRig(t, smartpay.Name, options{logger: debugLogger(&text, &js), creds: sentinelCreds, oauth: oauth,
				wrap: func(base http.RoundTripper) http.RoundTripper { echo.base = base; return echo }})
			gw := r.Gateway().(*smartpay.Gateway)
			ctx := context.Background()
			var results []any
			authorize := func(ref string) *payments.Payment {
				p, err := gw.Authorize(ctx, smartPayRequest(ref, false))
				require.NoError(t, err)
				require.Equal(t, payments.StatusAuthorized, p.Status)
				results = append(results, p)
				return p
			}

			a := authorize("echo-ok-1")
			five, two := eur("5.00"), eur("2.00")
			p, err := gw.Capture(ctx, &payments.CaptureRequest{ID: a.ID, Amount: &five, IdempotencyKey: "echo-cap"})
			require.NoError(t, err)
			results = append(results, p)
			ref, err := gw.Refund(ctx, &payments.RefundRequest{ID: a.ID, Amount: &two, IdempotencyKey: "echo-ref"})
			require.NoError(t, err)
			results = append(results, ref)
			p, err = gw.Status(ctx, &payments.StatusRequest{ID: a.ID})
			require.NoError(t, err)
			results = append(results, p)
			d, err := gw.PaymentDetails(ctx, a.ID)
			require.NoError(t, err)
			results = append(results, d, d.Payment)

			b := authorize("echo-ok-2")
			p, err = gw.Cancel(ctx, &payments.CancelRequest{ID: b.ID, IdempotencyKey: "echo-cancel"})
			require.NoError(t, err)
			results = append(results, p)

			c := authorize("echo-ok-3")
			res, err := gw.CancelOrRefund(ctx, &payments.CancelRequest{ID: c.ID, IdempotencyKey: "echo-cor"})
			require.NoError(t, err)
			results = append(results, res, res.Payment)

			leaks := echoLeaks(sentinelPAN)
			echo.mu.Lock()
			if oauth {
				require.NotEmpty(t, echo.bearers, "no bearer token seen")
			}
			for _, b := range echo.bearers {
				leaks = append(leaks, leak{"bearer token " + b, regexp.MustCompile(regexp.QuoteMeta(b))})
			}
			echo.mu.Unlock()
			if oauth {
				leaks = append(leaks, leak{"OAuth client ID", regexp.MustCompile(regexp.QuoteMeta(smartpaytest.DefaultMerchantKey))})
			}
			for i, v := range results {
				name := fmt.Sprintf("result %d (%T)", i, v)
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					assertNoLeak(t, leaks, name+" printed with "+verb, fmt.Sprintf(verb, v))
				}
				b, err := json.Marshal(v)
				require.NoError(t, err)
				assertNoLeak(t, leaks, name+" as JSON", string(b))
				switch x := v.(type) {
				case *payments.Payment:
					assertNoLeak(t, leaks, name+" Raw", string(x.Raw))
					assertNoLeak(t, leaks, name+" ProviderStatus", x.ProviderStatus)
					assert.Contains(t, string(x.Raw), echoMarker, "%s: the echo reached Raw", name)
				case *payments.Refund:
					assertNoLeak(t, leaks, name+" Raw", string(x.Raw))
					assertNoLeak(t, leaks, name+" ProviderStatus", x.ProviderStatus)
					assert.Contains(t, x.ProviderStatus, echoMarker, "%s: the echo reached ProviderStatus", name)
				case *smartpay.PaymentDetails:
					assertNoLeak(t, leaks, name+" AcquirerResponse", x.AcquirerResponse)
					assert.Contains(t, x.AcquirerResponse, echoMarker, "%s: the echo reached AcquirerResponse", name)
					for _, m := range x.Modifications {
						assertNoLeak(t, leaks, name+" modification status", m.Status)
					}
				}
			}
			assertNoLeak(t, leaks, "the slog text log", text.String())
			assertNoLeak(t, leaks, "the slog JSON log", js.String())
			assert.Contains(t, text.String(), echoMarker, "the echo was logged, stripped")
		})
	}
}
