package payments_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

func validAuthorize() *payments.AuthorizeRequest {
	amount, _ := payments.ParseMoney("49.99", "EUR")
	return &payments.AuthorizeRequest{
		Reference: "order-1001",
		Amount:    amount,
		Capture:   true,
		Method:    payments.Card{Number: "4012 0000 0000 3010", Holder: "John Doe", ExpiryMonth: "2", ExpiryYear: "25", CVV: "123"},
		Customer:  &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john@example.com", Phone: "+442079460612", IP: "127.0.0.1", BirthDate: "1997-06-06"},
		BillingAddress: &payments.Address{
			Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB",
		},
		ReturnURLs: payments.ReturnURLs{Success: "https://shop.example/ok", Notification: "https://shop.example/hook"},
	}
}

func TestValidateAuthorize(t *testing.T) {
	require.NoError(t, validAuthorize().Validate())

	tests := []struct {
		name   string
		mutate func(r *payments.AuthorizeRequest)
		field  string
		msg    string
	}{
		{"missing reference", func(r *payments.AuthorizeRequest) { r.Reference = "" }, "reference", "reference: required"},
		{"long reference", func(r *payments.AuthorizeRequest) { r.Reference = strings.Repeat("a", 65) }, "reference", "reference: longer than 64 characters"},
		{"non-ascii reference", func(r *payments.AuthorizeRequest) { r.Reference = "ordér" }, "reference", "reference: must be printable ASCII"},
		{"zero amount", func(r *payments.AuthorizeRequest) { r.Amount.Amount = decimal.Zero }, "amount", "amount: must be greater than zero"},
		{"negative amount", func(r *payments.AuthorizeRequest) { r.Amount.Amount = decimal.NewFromInt(-5) }, "amount", "amount: must be greater than zero"},
		{"bad currency", func(r *payments.AuthorizeRequest) { r.Amount.Currency = "EUX" }, "amount.currency", `amount.currency: "EUX" is not an ISO 4217 code`},
		{"no currency", func(r *payments.AuthorizeRequest) { r.Amount.Currency = "" }, "amount.currency", `amount.currency: "" is not an ISO 4217 code`},
		{"lower-case currency literal", func(r *payments.AuthorizeRequest) { r.Amount.Currency = "eur" }, "amount.currency", `amount.currency: "eur" is not an ISO 4217 code: codes are upper case ("EUR"), as ParseMoney, MoneyFromMinor and NewMoney store them`},
		{"over-precise amount", func(r *payments.AuthorizeRequest) { r.Amount.Amount = decimal.RequireFromString("1.001") }, "amount.amount", `amount.amount: "1.001" has more fraction digits than EUR allows (2)`},
		{"over-precise JPY", func(r *payments.AuthorizeRequest) {
			r.Amount = payments.Money{Amount: decimal.RequireFromString("10.5"), Currency: "JPY"}
		}, "amount.amount", `amount.amount: "10.5" has more fraction digits than JPY allows (0)`},
		{"no method", func(r *payments.AuthorizeRequest) { r.Method = nil }, "method", "method: required"},
		{"luhn", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4012000000003011", ExpiryMonth: "12", ExpiryYear: "2030"}
		}, "method.number", "method.number: fails the Luhn check"},
		{"short number", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4242", ExpiryMonth: "12", ExpiryYear: "2030"}
		}, "method.number", "method.number: must be 12 to 19 digits"},
		{"letters in number", func(r *payments.AuthorizeRequest) {
			r.Method = &payments.Card{Number: "4012x00000003010", ExpiryMonth: "12", ExpiryYear: "2030"}
		}, "method.number", "method.number: must contain only digits, spaces and dashes"},
		{"month 13", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4012000000003010", ExpiryMonth: "13", ExpiryYear: "2030"}
		}, "method.expiry_month", `method.expiry_month: "13" is not a month (1 to 12)`},
		{"month 0", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4012000000003010", ExpiryMonth: "0", ExpiryYear: "2030"}
		}, "method.expiry_month", `method.expiry_month: "0" is not a month (1 to 12)`},
		{"3-digit year", func(r *payments.AuthorizeRequest) {
			r.Method = payments.Card{Number: "4012000000003010", ExpiryMonth: "1", ExpiryYear: "203"}
		}, "method.expiry_year", `method.expiry_year: "203" is not a 2- or 4-digit year`},
		{"invoice type", func(r *payments.AuthorizeRequest) { r.Method = payments.Invoice{Type: "later"} }, "method.type", `method.type: "later" is not one of: prepayment pay_upon_invoice`},
		{"wallet without token", func(r *payments.AuthorizeRequest) { r.Method = payments.GooglePay{} }, "method.token", "method.token: required"},
		{"bad email", func(r *payments.AuthorizeRequest) { r.Customer.Email = "nope" }, "customer.email", `customer.email: "nope" is not an email address`},
		{"bad phone", func(r *payments.AuthorizeRequest) { r.Customer.Phone = "0207 946" }, "customer.phone", `customer.phone: "0207 946" is not an international phone number`},
		{"bad ip", func(r *payments.AuthorizeRequest) { r.Customer.IP = "300.1.1.1" }, "customer.ip", `customer.ip: "300.1.1.1" is not an IP address`},
		{"bad birth date", func(r *payments.AuthorizeRequest) { r.Customer.BirthDate = "06.06.1997" }, "customer.birth_date", `customer.birth_date: "06.06.1997" is not a date as YYYY-MM-DD`},
		{"unknown country", func(r *payments.AuthorizeRequest) { r.BillingAddress.Country = "XX" }, "billing_address.country", `billing_address.country: "XX" is not an ISO 3166-1 alpha-2 country code`},
		{"alpha-3 country", func(r *payments.AuthorizeRequest) { r.BillingAddress.Country = "GBR" }, "billing_address.country", `billing_address.country: "GBR" is not an ISO 3166-1 alpha-2 country code`},
		{"bad url", func(r *payments.AuthorizeRequest) { r.ReturnURLs.Success = "not a url" }, "return_urls.success", `return_urls.success: "not a url" is not an absolute URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validAuthorize()
			tt.mutate(r)
			err := r.Validate()
			require.Error(t, err)
			var pe *payments.Error
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, payments.InvalidRequest, pe.Code)
			assert.Equal(t, tt.field, pe.Field)
			assert.Contains(t, pe.Error(), tt.msg)
		})
	}
}

func TestValidateOtherRequests(t *testing.T) {
	ok, _ := payments.ParseMoney("1.00", "EUR")
	zero, _ := payments.ParseMoney("0", "EUR")
	tests := []struct {
		name string
		req  interface{ Validate() error }
		msg  string // "" = valid
	}{
		{"capture full", &payments.CaptureRequest{ID: "p1"}, ""},
		{"capture partial", &payments.CaptureRequest{ID: "p1", Amount: &ok}, ""},
		{"capture no id", &payments.CaptureRequest{}, "id: required"},
		{"capture zero", &payments.CaptureRequest{ID: "p1", Amount: &zero}, "amount: must be greater than zero"},
		{"capture long key", &payments.CaptureRequest{ID: "p1", IdempotencyKey: strings.Repeat("k", 65)}, "idempotency_key: longer than 64 characters"},
		{"cancel", &payments.CancelRequest{ID: "p1"}, ""},
		{"cancel no id", &payments.CancelRequest{}, "id: required"},
		{"refund", &payments.RefundRequest{ID: "p1", Amount: &ok, Reason: "returned"}, ""},
		{"refund zero", &payments.RefundRequest{ID: "p1", Amount: &zero}, "amount: must be greater than zero"},
		{"refund bad currency", &payments.RefundRequest{ID: "p1", Amount: &payments.Money{Amount: decimal.NewFromInt(1), Currency: "XYZ"}}, `amount.currency: "XYZ" is not an ISO 4217 code`},
		{"status by id", &payments.StatusRequest{ID: "p1"}, ""},
		{"status by reference", &payments.StatusRequest{Reference: "order-1"}, ""},
		{"status empty", &payments.StatusRequest{}, "id: an id or a reference is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.msg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, payments.ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	var nilReq *payments.AuthorizeRequest
	assert.ErrorIs(t, nilReq.Validate(), payments.ErrInvalidRequest)
}
