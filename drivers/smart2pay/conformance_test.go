package smart2pay_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// The environment variables of PAYMENTS_RECORD=live.
const (
	envSiteID     = "SMART2PAY_SITE_ID"
	envAPIKey     = "SMART2PAY_API_KEY"
	envCardSiteID = "SMART2PAY_CARD_SITE_ID"
	envCardAPIKey = "SMART2PAY_CARD_API_KEY"
)

// harnessCredentials are the simulator's (the document's) credentials, or
// the sandbox's from the environment in ModeLive.
type harnessCredentials struct {
	site, cardSite int64
	key, cardKey   string
}

func credentials(t *testing.T) harnessCredentials {
	if conformance.CurrentMode() != conformance.ModeLive {
		return harnessCredentials{smart2paytest.DefaultSiteID, smart2paytest.DefaultCardSiteID, smart2paytest.DefaultAPIKey, smart2paytest.DefaultCardAPIKey}
	}
	num := func(v string) int64 {
		n, err := strconv.ParseInt(os.Getenv(v), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		return n
	}
	return harnessCredentials{num(envSiteID), num(envCardSiteID), os.Getenv(envAPIKey), os.Getenv(envCardAPIKey)}
}

func harness() conformance.Harness {
	return conformance.Harness{
		Name: smart2pay.Name,
		NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			c := credentials(t)
			gw, err := smart2pay.New(smart2pay.Config{
				SiteID: c.site, APIKey: payments.Secret(c.key), CardSiteID: c.cardSite, CardAPIKey: payments.Secret(c.cardKey),
				HTTPClient: &http.Client{Transport: rt},
			})
			if err != nil {
				t.Fatal(err)
			}
			return gw
		},
		Simulator: func(t *testing.T) http.RoundTripper {
			sim := smart2paytest.NewServer()
			t.Cleanup(sim.Close)
			return conformance.RewriteHosts(map[string]string{
				"paytest.smart2pay.com":    sim.BaseURL(),
				"securetest.smart2pay.com": sim.CardBaseURL(),
			})
		},
		LiveEnv: []string{envSiteID, envAPIKey, envCardSiteID, envCardAPIKey},
		Fixtures: conformance.Fixtures{
			// Card test amounts: 1 to 10000 minor units succeed, 10001 fails.
			Approved: func(ref string) *payments.AuthorizeRequest {
				return &payments.AuthorizeRequest{Reference: ref, Amount: mustMoney("20.00", "EUR"), Method: testCard()}
			},
			Declined: func(ref string) *payments.AuthorizeRequest {
				return &payments.AuthorizeRequest{Reference: ref, Amount: mustMoney("100.01", "EUR"), Capture: true, Method: testCard()}
			},
			DeclineReason: payments.DeclineGeneric, // 121 unable to authorize
			HostedPage: func(ref string) *payments.AuthorizeRequest {
				return &payments.AuthorizeRequest{
					Reference: ref, Amount: mustMoney("9.80", "EUR"), Capture: true, Method: payments.HostedPage{},
					ReturnURLs:     payments.ReturnURLs{Success: "https://shop.example/return"},
					BillingAddress: &payments.Address{Country: "DE"},
				}
			},
			Notification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return harnessNotification(t, p, true)
			},
			ForgedNotification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return harnessNotification(t, p, false)
			},
		},
	}
}

// harnessNotification is GlobalPay's notification of p: the payment's own
// body ({"Payment": {...}}, as the API answered it), with the Basic header
// of the site that holds it, or a wrong API key when forged.
func harnessNotification(t *testing.T, p *payments.Payment, genuine bool) *http.Request {
	c := credentials(t)
	site, key := c.site, c.key
	if strings.HasPrefix(p.ID, smart2pay.CardIDPrefix) {
		site, key = c.cardSite, c.cardKey
	}
	if !genuine {
		key += "-forged"
	}
	r := httptest.NewRequest(http.MethodPost, "https://merchant.example/smart2pay/notify", bytes.NewReader(p.Raw))
	r.SetBasicAuth(strconv.FormatInt(site, 10), key)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

func mustMoney(amount, currency string) payments.Money {
	m, err := payments.ParseMoney(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

func TestConformance(t *testing.T) {
	conformance.Run(t, harness())
}
