package smartpayments_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/simulator"
)

// The sandbox credentials in ModeLive.
var liveEnv = []string{"SMARTPAYMENTS_MERCHANT_KEY", "SMARTPAYMENTS_SECRET", "SMARTPAYMENTS_ACCOUNT"}

// simTransport is the ModeSim transport: the documented hosts rewritten to
// a simulator, which CompleteAction reaches through it.
type simTransport struct {
	http.RoundTripper
	srv *smartpaymentstest.Server
}

// TestConformance runs the shared driver suite. Re-record the cassettes
// with PAYMENTS_RECORD=sim go test ./drivers/smartpayments/ -run Conformance.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Name:    smartpayments.Name,
		LiveEnv: liveEnv,
		NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			cfg := smartpayments.Config{
				MerchantKey:  smartpaymentstest.DefaultMerchantKey,
				Secret:       smartpaymentstest.DefaultSecret,
				Account:      "EUR-sandbox",
				MerchantSite: "https://merchant.example",
				HTTPClient:   &http.Client{Transport: rt},
			}
			if conformance.CurrentMode() == conformance.ModeLive {
				cfg.MerchantKey = os.Getenv(liveEnv[0])
				cfg.Secret = payments.Secret(os.Getenv(liveEnv[1]))
				cfg.Account = os.Getenv(liveEnv[2])
			}
			g, err := smartpayments.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return g
		},
		Simulator: func(t *testing.T) http.RoundTripper {
			srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
			t.Cleanup(srv.Close)
			return &simTransport{
				RoundTripper: conformance.RewriteHosts(map[string]string{
					"api-gateway.smartcore.pro": srv.BaseURL(),
					"chd-api.smartcore.pro":     srv.CardBaseURL(),
					"service.magua-pay.com":     srv.ExportBaseURL(),
				}),
				srv: srv,
			}
		},
		// The status query is a POST: /check moves no money (a full refund
		// and the capture/cancel read-backs send it).
		SafeRequest: func(r *http.Request) bool { return r.URL.Path == "/check" },
		CompleteAction: func(t *testing.T, s *conformance.Scenario, p *payments.Payment, approve bool) {
			st, ok := s.Transport.(*simTransport)
			if !ok {
				t.Fatalf("CompleteAction needs the simulator (mode %s)", s.Mode)
			}
			outcome := simulator.Failure
			if approve {
				outcome = simulator.Success
			}
			if err := st.srv.Complete(p.ID, outcome); err != nil {
				t.Fatalf("Complete(%s): %v", p.ID, err)
			}
		},
		Fixtures: conformance.Fixtures{
			Approved: func(ref string) *payments.AuthorizeRequest {
				return cardRequest(ref, "10.00", smartpaymentstest.CardFrictionless, true)
			},
			// Any card but the two test cards declines; the simulator picks
			// the code from the amount's last two digits (..51: insufficient
			// funds).
			Declined: func(ref string) *payments.AuthorizeRequest {
				return cardRequest(ref, "10.51", smartpaymentstest.CardDeclined, true)
			},
			DeclineReason: payments.DeclineInsufficientFunds,
			RequiresAction: func(ref string) *payments.AuthorizeRequest {
				return cardRequest(ref, "12.00", smartpaymentstest.CardChallenge, true)
			},
			HostedPage: func(ref string) *payments.AuthorizeRequest {
				req := cardRequest(ref, "15.00", "", true)
				req.Method = payments.HostedPage{}
				return req
			},
			Notification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return callbackRequest(t, p.ID, 2)
			},
			// The callback is not signed: a forgery is one about an order the
			// provider does not know.
			ForgedNotification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return callbackRequest(t, p.ID+"-forged", 2)
			},
		},
	})
}

// cardRequest is a complete request as the provider requires it.
func cardRequest(ref, amount, pan string, capture bool) *payments.AuthorizeRequest {
	m, err := payments.ParseMoney(amount, "EUR")
	if err != nil {
		panic(err)
	}
	return &payments.AuthorizeRequest{
		Reference:   ref,
		Amount:      m,
		Capture:     capture,
		Description: "description",
		Method: payments.Card{
			Number: payments.CardNumber(pan), Holder: "John Doe",
			ExpiryMonth: "02", ExpiryYear: "30", CVV: "123",
		},
		Customer: &payments.Customer{
			FirstName: "John", LastName: "Doe", Email: "john.doe@example.com",
			Phone: "+442079460612", IP: "127.0.0.1",
		},
		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "121165", Country: "GB"},
		ReturnURLs:     payments.ReturnURLs{Success: "https://site.example/success", Failure: "https://site.example/fail"},
	}
}

// callbackRequest is a callback as third-party integrations receive it.
func callbackRequest(t testing.TB, orderID string, status int) *http.Request {
	body, err := json.Marshal(map[string]any{"orderId": orderID, "status": status})
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.NewRequest(http.MethodPost, "https://merchant.example/callback", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}
