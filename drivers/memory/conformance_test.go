package memory_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/memory"
)

func card(number string) payments.Card {
	return payments.Card{Number: payments.CardNumber(number), Holder: "Ada Lovelace", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"}
}

func request(ref string, method payments.PaymentMethod) *payments.AuthorizeRequest {
	amount, err := payments.ParseMoney("49.99", "EUR")
	if err != nil {
		panic(err)
	}
	return &payments.AuthorizeRequest{
		Reference:   ref,
		Amount:      amount,
		Method:      method,
		Description: "conformance",
		ReturnURLs:  payments.ReturnURLs{Success: "https://shop.example/ok", Failure: "https://shop.example/ko"},
	}
}

// The memory driver makes no HTTP calls: NoHTTP, no Simulator, no cassettes.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Name:   memory.Name,
		NoHTTP: true,
		NewGateway: func(t *testing.T, _ http.RoundTripper) payments.Gateway {
			return memory.New(memory.Config{})
		},
		CompleteAction: func(t *testing.T, s *conformance.Scenario, p *payments.Payment, approve bool) {
			if _, err := s.Gateway.(*memory.Gateway).CompleteAction(p.ID, approve); err != nil {
				t.Fatal(err)
			}
		},
		Fixtures: conformance.Fixtures{
			Approved:       func(ref string) *payments.AuthorizeRequest { return request(ref, card(memory.CardApproved)) },
			Declined:       func(ref string) *payments.AuthorizeRequest { return request(ref, card(memory.CardInsufficientFunds)) },
			DeclineReason:  payments.DeclineInsufficientFunds,
			RequiresAction: func(ref string) *payments.AuthorizeRequest { return request(ref, card(memory.CardThreeDS)) },
			HostedPage:     func(ref string) *payments.AuthorizeRequest { return request(ref, payments.HostedPage{}) },
			Invoice: func(ref string, typ payments.InvoiceType) *payments.AuthorizeRequest {
				return request(ref, payments.Invoice{Type: typ})
			},
			Notification: func(t *testing.T, s *conformance.Scenario, p *payments.Payment) *http.Request {
				r, err := s.Gateway.(*memory.Gateway).NotificationRequest(p)
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
			ForgedNotification: func(t *testing.T, s *conformance.Scenario, p *payments.Payment) *http.Request {
				r, err := s.Gateway.(*memory.Gateway).NotificationRequest(p)
				if err != nil {
					t.Fatal(err)
				}
				// Tamper with the signed body: claim a larger amount.
				body, _ := io.ReadAll(r.Body)
				body = bytes.Replace(body, []byte(`"49.99"`), []byte(`"4999.00"`), 1)
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
				return r
			},
		},
	})
}
