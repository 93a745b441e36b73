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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
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
