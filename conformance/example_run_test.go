package conformance_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

// A driver's harness, as drivers/smart2pay/conformance_test.go builds it
// (abridged: the card host's credentials and the hosted page are left out).
// It lives in the driver's package as
//
//	func TestConformance(t *testing.T) { conformance.Run(t, harness) }
//
// The driver is built with New(Config) over the suite's transport and its
// default, documented hosts; the simulator is reached by rewriting those
// hosts. A driver whose Capabilities claim ThreeDS also sets CompleteAction,
// which reaches its simulator through Scenario.Transport (see
// drivers/smartpayments/conformance_test.go).
func ExampleRun() {
	card := payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "312"}
	eur := func(amount string) payments.Money {
		m, err := payments.ParseMoney(amount, "EUR")
		if err != nil {
			panic(err)
		}
		return m
	}
	// notification is the provider's own request: GlobalPay posts the
	// payment's body with the site's Basic credentials.
	notification := func(p *payments.Payment, apiKey string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "https://shop.example/smart2pay/notify", bytes.NewReader(p.Raw))
		r.SetBasicAuth(strconv.Itoa(smart2paytest.DefaultSiteID), apiKey)
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		return r
	}
	harness := conformance.Harness{
		Name:    smart2pay.Name,
		LiveEnv: []string{"SMART2PAY_API_KEY"},
		NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			cfg := smart2pay.Config{
				SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
				HTTPClient: &http.Client{Transport: rt}, // default hosts: only the transport changes
			}
			if conformance.CurrentMode() == conformance.ModeLive {
				cfg.APIKey = payments.Secret(os.Getenv("SMART2PAY_API_KEY"))
			}
			gw, err := smart2pay.New(cfg)
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
		Fixtures: conformance.Fixtures{
			Approved: func(ref string) *payments.AuthorizeRequest {
				return &payments.AuthorizeRequest{Reference: ref, Amount: eur("20.00"), Method: card}
			},
			Declined: func(ref string) *payments.AuthorizeRequest {
				return &payments.AuthorizeRequest{Reference: ref, Amount: eur("100.01"), Capture: true, Method: card}
			},
			DeclineReason: payments.DeclineGeneric,
			Notification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return notification(p, smart2paytest.DefaultAPIKey)
			},
			ForgedNotification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return notification(p, "forged")
			},
		},
	}
	_ = func(t *testing.T) { conformance.Run(t, harness) }
}
