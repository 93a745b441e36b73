package smartpay_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
)

// confHost stands in for the SmartPay base URL, which the provider gives at
// onboarding and does not publish: cassettes record this host, and in
// PAYMENTS_RECORD=sim it is rewritten to the simulator.
const confHost = "api.smartpay.example"

// Webhook credentials of the harness (Config.NotificationAuth).
const (
	hookUser = "smartpay-webhooks"
	hookPass = "conformance-hook-secret"
)

// confClock is the simulator's fixed clock while recording, so cassettes
// are the same bytes on every recording.
func confClock() time.Time { return time.Date(2024, 10, 9, 10, 50, 15, 708_000_000, time.UTC) }

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Name: smartpay.Name,
		NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			cfg := smartpay.Config{
				MerchantKey:       smartpaytest.DefaultMerchantKey,
				AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
				BaseURL:           "https://" + confHost,
				Origin:            "https://shop.example",
				UserAgent:         "gopayments-conformance",
				NotificationAuth:  &smartpay.NotificationAuth{Username: hookUser, Password: hookPass},
				HTTPClient:        &http.Client{Transport: rt},
			}
			if conformance.CurrentMode() == conformance.ModeLive {
				cfg.MerchantKey = os.Getenv("SMARTPAY_MERCHANT_KEY")
				cfg.AuthenticationKey = payments.Secret(os.Getenv("SMARTPAY_AUTHENTICATION_KEY"))
				cfg.BaseURL = os.Getenv("SMARTPAY_BASE_URL")
				cfg.Origin = os.Getenv("SMARTPAY_ORIGIN")
			}
			g, err := smartpay.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return g
		},
		Simulator: func(t *testing.T) http.RoundTripper {
			sim := smartpaytest.NewServer(smartpaytest.WithClock(confClock))
			t.Cleanup(sim.Close)
			return conformance.RewriteHosts(map[string]string{confHost: sim.BaseURL()})
		},
		LiveEnv: []string{"SMARTPAY_MERCHANT_KEY", "SMARTPAY_AUTHENTICATION_KEY", "SMARTPAY_BASE_URL", "SMARTPAY_ORIGIN"},
		Fixtures: conformance.Fixtures{
			// A granted pay-upon-invoice is authorized without the buyer;
			// with Capture the driver captures it at once.
			Approved: func(ref string) *payments.AuthorizeRequest {
				return invoiceRequest(ref, payments.InvoicePayUponInvoice, "Doe")
			},
			// smartpaytest.FailedLastName: 201 with paymentStatus FAILED.
			Declined: func(ref string) *payments.AuthorizeRequest {
				return invoiceRequest(ref, payments.InvoicePayUponInvoice, smartpaytest.FailedLastName)
			},
			DeclineReason: payments.DeclineGeneric,
			HostedPage: func(ref string) *payments.AuthorizeRequest {
				req := invoiceRequest(ref, "", "Doe")
				req.Method = payments.HostedPage{}
				return req
			},
			Invoice: func(ref string, typ payments.InvoiceType) *payments.AuthorizeRequest {
				return invoiceRequest(ref, typ, "Doe")
			},
			Notification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return webhookRequest(t, p, hookUser, hookPass)
			},
			ForgedNotification: func(t *testing.T, _ *conformance.Scenario, p *payments.Payment) *http.Request {
				return webhookRequest(t, p, hookUser, "not-the-secret")
			},
		},
	})
}

// invoiceRequest is a complete SmartPay request: consumer, billing address.
func invoiceRequest(ref string, typ payments.InvoiceType, lastName string) *payments.AuthorizeRequest {
	amount, err := payments.ParseMoney("50.99", "EUR")
	if err != nil {
		panic(err)
	}
	return &payments.AuthorizeRequest{
		Reference:   ref,
		Amount:      amount,
		Method:      payments.Invoice{Type: typ},
		Description: "SMP-Transaction-01",
		Customer:    &payments.Customer{FirstName: "John", LastName: lastName, Email: "customer@example.com", BirthDate: "1979-12-22"},
		BillingAddress: &payments.Address{
			Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE",
		},
		ProviderOptions: []any{&smartpay.AuthorizeOptions{ShopCountry: "DE"}},
	}
}

// webhookRequest is the SmartPay webhook about p, deterministic given p.
func webhookRequest(t *testing.T, p *payments.Payment, user, pass string) *http.Request {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"id":          "evt-" + p.ID,
		"merchantKey": smartpaytest.DefaultMerchantKey,
		"createdAt":   "2024-10-09T10:50:16.000Z",
		"origin":      "api",
		"eventType":   "updated",
		"objectId":    p.ID,
		"objectType":  "payment",
		"context":     map[string]any{"transactionId": p.ID, "partnerReference": p.Reference},
		"data":        map[string]any{"transactionId": p.ID, "paymentStatus": p.ProviderStatus},
		"metadata":    map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.NewRequest(http.MethodPost, "https://shop.example/webhooks/smartpay", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(user, pass)
	return r
}
