package reliability_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpayments"
)

// badInput is one malformed request: call sends it; the error must be of
// code (InvalidRequest unless set) and name field, with no HTTP round trip.
type badInput struct {
	name  string
	field string
	code  payments.Code
	call  func(ctx context.Context, gw payments.Gateway) error
}

func authorizeWith(r rig, edit func(*payments.AuthorizeRequest)) func(context.Context, payments.Gateway) error {
	return func(ctx context.Context, gw payments.Gateway) error {
		req := r.Request("in-1", true)
		edit(req)
		_, err := gw.Authorize(ctx, req)
		return err
	}
}

func cardOf(req *payments.AuthorizeRequest, edit func(*payments.Card)) {
	c, ok := payments.MethodAs[payments.Card](req.Method)
	if !ok {
		c = payments.Card{Number: "4111111111111111", Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "2099", CVV: "123"}
	}
	edit(&c)
	req.Method = c
}

func money(amount, currency string) payments.Money {
	return payments.Money{Amount: decimal.RequireFromString(amount), Currency: payments.Currency(currency)}
}

func ptrMoney(m payments.Money) *payments.Money { return &m }

// validID is a well-formed payment ID of each driver, so a table row
// breaks exactly one rule.
func validID(driver string) string {
	switch driver {
	case smart2pay.Name:
		return smart2pay.CardIDPrefix + "210001"
	case smartpay.Name:
		return "00000000-0000-4000-8000-000000000001"
	}
	return "order-1"
}

// inputTable is every malformed request of a driver: the shared rules and
// the driver's own.
func inputTable(r rig) []badInput {
	d := r.Name()
	id := validID(d)
	long := strings.Repeat("x", 300)
	rows := []badInput{
		// Authorize: shared rules.
		{"empty reference", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = "" })},
		{"reference too long", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = strings.Repeat("r", 65) })},
		{"reference not printable ASCII", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = "order\n1" })},
		{"no method", "method", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Method = nil })},
		{"zero amount", "amount", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("0", "EUR") })},
		{"negative amount", "amount", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("-20.00", "EUR") })},
		{"over-precise amount", "amount", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("20.001", "EUR") })},
		{"wrong currency exponent (JPY has none)", "amount", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("2000.5", "JPY") })},
		{"unknown currency", "amount.currency", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("20.00", "EUX") })},
		{"empty currency", "amount.currency", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("20.00", "") })},
		{"unknown billing country", "billing_address.country", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.BillingAddress = &payments.Address{Line1: "1 Main St", City: "Town", PostalCode: "12345", Country: "XX"}
		})},
		{"unknown shipping country", "shipping_address.country", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.ShippingAddress = &payments.Address{Line1: "1 Main St", City: "Town", PostalCode: "12345", Country: "ZZ"}
		})},
		{"description too long", "description", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Description = long })},
		{"email malformed", "customer.email", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.Customer = &payments.Customer{FirstName: "John", LastName: "Doe", Email: "not-an-email"}
		})},
		{"phone malformed", "customer.phone", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.Customer = &payments.Customer{FirstName: "John", LastName: "Doe", Email: "a@b.example", Phone: "0044 20 7946"}
		})},
		{"birth date malformed", "customer.birth_date", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.Customer = &payments.Customer{FirstName: "John", LastName: "Doe", Email: "a@b.example", BirthDate: "22.12.1979"}
		})},
		{"return URL not absolute", "return_urls.success", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.ReturnURLs.Success = "/back" })},
		{"too much metadata", "metadata", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			q.Metadata = map[string]string{}
			for i := range 51 {
				q.Metadata[strings.Repeat("k", i+1)] = "v"
			}
		})},
		{"card number fails Luhn", "method.number", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.Number = "4111111111111112" })
		})},
		{"card number too short", "method.number", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.Number = "41111111" })
		})},
		{"card number not digits", "method.number", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.Number = "4111-1111-1111-111x" })
		})},
		{"expiry month 13", "method.expiry_month", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.ExpiryMonth = "13" })
		})},
		{"expiry year of 3 digits", "method.expiry_year", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.ExpiryYear = "203" })
		})},
		{"CVV of 5 digits", "method.cvv", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.CVV = "12345" })
		})},
		{"card holder too long", "method.holder", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
			cardOf(q, func(c *payments.Card) { c.Holder = long })
		})},

		// Capture, Cancel, Refund, Status: shared rules.
		{"capture without ID", "id", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Capture(ctx, &payments.CaptureRequest{})
			return err
		}},
		{"capture of zero", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, Amount: ptrMoney(money("0", "EUR"))})
			return err
		}},
		{"capture of a negative amount", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, Amount: ptrMoney(money("-1.00", "EUR"))})
			return err
		}},
		{"capture over-precise", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, Amount: ptrMoney(money("1.001", "EUR"))})
			return err
		}},
		{"capture idempotency key too long", "idempotency_key", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, IdempotencyKey: strings.Repeat("k", 65)})
			return err
		}},
		{"cancel without ID", "id", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Cancel(ctx, &payments.CancelRequest{})
			return err
		}},
		{"cancel idempotency key too long", "idempotency_key", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Cancel(ctx, &payments.CancelRequest{ID: id, IdempotencyKey: strings.Repeat("k", 65)})
			return err
		}},
		{"refund without ID", "id", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{})
			return err
		}},
		{"refund of zero", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("0", "EUR"))})
			return err
		}},
		{"refund of a negative amount", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("-5.00", "EUR"))})
			return err
		}},
		{"refund over-precise", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("5.005", "EUR"))})
			return err
		}},
		{"refund in an unknown currency", "amount.currency", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("5.00", "EUX"))})
			return err
		}},
		{"refund reason too long", "reason", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("5.00", "EUR")), Reason: long})
			return err
		}},
		{"status without ID or reference", "id", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Status(ctx, &payments.StatusRequest{})
			return err
		}},
		{"nil authorize request", "", "", func(ctx context.Context, gw payments.Gateway) error {
			_, err := gw.Authorize(ctx, nil)
			return err
		}},
	}

	switch d {
	case smartpayments.Name:
		rows = append(rows,
			badInput{"another currency than the account's", "amount.currency", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("20.00", "USD") })},
			badInput{"no customer", "customer", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer = nil })},
			badInput{"no first name", "customer.first_name", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.FirstName = "" })},
			badInput{"no email", "customer.email", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.Email = "" })},
			badInput{"no phone", "customer.phone", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.Phone = "" })},
			badInput{"no IP for a sale", "customer.ip", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.IP = "" })},
			badInput{"no billing address", "billing_address", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.BillingAddress = nil })},
			badInput{"no billing city", "billing_address.city", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.BillingAddress.City = "" })},
			badInput{"an invoice", "method", payments.Unsupported, authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.Method = payments.Invoice{Type: payments.InvoicePrepayment}
			})},
			badInput{"capture in another currency", "amount.currency", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, Amount: ptrMoney(money("1.00", "USD"))})
				return err
			}},
			badInput{"refund in another currency", "amount.currency", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("1.00", "GBP"))})
				return err
			}},
			badInput{"recurrent without parent", "parent", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "r-1", Amount: eur("1.00"), Description: "d"})
				return err
			}},
			badInput{"recurrent of zero", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "r-1", ParentID: "p-1", Amount: money("0", "EUR"), Description: "d"})
				return err
			}},
			badInput{"withdrawal without reference", "reference", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).Withdraw(ctx, &smartpayments.WithdrawalRequest{Amount: eur("1.00"), CardNumber: "4012000000003010"})
				return err
			}},
			badInput{"withdrawal to a card failing Luhn", "card_number", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w-1", Amount: eur("1.00"), CardNumber: "4012000000003011"})
				return err
			}},
			badInput{"withdrawal of a negative amount", "amount", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w-1", Amount: money("-1.00", "EUR"), CardNumber: "4012000000003010"})
				return err
			}},
			badInput{"tokenize form without reference", "reference", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpayments.Gateway).TokenizeForm(ctx, &smartpayments.TokenizeRequest{})
				return err
			}},
		)
	case smart2pay.Name:
		rows = append(rows,
			badInput{"reference with a space", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = "order 1" })},
			badInput{"reference of 51 characters", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = strings.Repeat("r", 51) })},
			badInput{"card without holder", "method.holder", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
				cardOf(q, func(c *payments.Card) { c.Holder = "" })
			})},
			badInput{"method ID not a number", "method.id", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.Method = payments.ProviderMethod{ID: "ideal"}
				q.ReturnURLs.Success = "https://shop.example/back"
			})},
			badInput{"hosted page without return URL", "return_urls.success", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Method = payments.HostedPage{} })},
			badInput{"a wallet", "method", payments.Unsupported, authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.Method = payments.ApplePay{Token: "tok"}
			})},
			badInput{"capture of an ID that is not GlobalPay's", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "pay_abc"})
				return err
			}},
			badInput{"cancel of an ID that is not GlobalPay's", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Cancel(ctx, &payments.CancelRequest{ID: "card:12ab"})
				return err
			}},
			badInput{"refund key not a MerchantTransactionID", "idempotency_key", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Amount: ptrMoney(money("5.00", "EUR")), IdempotencyKey: "refund #1"})
				return err
			}},
			badInput{"status of an ID that is not GlobalPay's", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Status(ctx, &payments.StatusRequest{ID: "../../v1/payments"})
				return err
			}},
		)
	case smartpay.Name:
		bothKinds := func(q *payments.AuthorizeRequest) {
			q.Customer = &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john@acme.example", BirthDate: "1979-12-22",
				Company: &payments.Company{Name: "ACME GmbH"}}
		}
		rows = append(rows,
			badInput{"both consumer kinds", "customer", "", authorizeWith(r, bothKinds)},
			badInput{"both consumer kinds (checkout)", "customer", "", func(ctx context.Context, gw payments.Gateway) error {
				q := r.Request("in-2", false)
				q.Method = payments.HostedPage{}
				bothKinds(q)
				_, err := gw.(*smartpay.Gateway).CreateCheckout(ctx, q)
				return err
			}},
			badInput{"reference with a space", "reference", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Reference = "order 1" })},
			badInput{"a currency of three decimals", "amount.currency", payments.Unsupported, authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("20.000", "KWD") })},
			badInput{"a currency without decimals", "amount.currency", payments.Unsupported, authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Amount = money("2000", "JPY") })},
			badInput{"no customer", "customer", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer = nil })},
			badInput{"no email", "customer.email", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.Email = "" })},
			badInput{"no last name", "customer.last_name", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.LastName = "" })},
			badInput{"birth date before 1900", "customer.birth_date", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Customer.BirthDate = "1899-12-31" })},
			badInput{"no billing address", "billing_address", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.BillingAddress = nil })},
			badInput{"billing line too long", "billing_address.line1", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.BillingAddress.Line1 = strings.Repeat("l", 61) })},
			badInput{"postal code too long", "billing_address.postal_code", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.BillingAddress.PostalCode = "12345678901" })},
			badInput{"US address without state", "billing_address.state", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.BillingAddress = &payments.Address{Line1: "1 Main St", City: "Austin", PostalCode: "73301", Country: "US"}
			})},
			badInput{"unknown shop country", "provider_options.shop_country", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.ProviderOptions = []any{&smartpay.AuthorizeOptions{ShopCountry: "QQ"}}
			})},
			badInput{"metadata key too long", "metadata", "", authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.Metadata = map[string]string{strings.Repeat("k", 51): "v"}
			})},
			badInput{"description too long for smartpay", "description", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Description = strings.Repeat("d", 128) })},
			badInput{"unknown invoice type", "method.type", "", authorizeWith(r, func(q *payments.AuthorizeRequest) { q.Method = payments.Invoice{Type: "cash"} })},
			badInput{"a card", "method", payments.Unsupported, authorizeWith(r, func(q *payments.AuthorizeRequest) {
				q.Method = payments.Card{Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2099"}
			})},
			badInput{"capture in a currency of three decimals", "amount.currency", payments.Unsupported, func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: id, Amount: ptrMoney(money("1.000", "KWD"))})
				return err
			}},
			badInput{"transaction ID too long", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: strings.Repeat("9", 37)})
				return err
			}},
			badInput{"transaction ID with a space", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Cancel(ctx, &payments.CancelRequest{ID: "a b"})
				return err
			}},
			badInput{"refund reason too long for smartpay", "reason", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Refund(ctx, &payments.RefundRequest{ID: id, Reason: strings.Repeat("r", 128)})
				return err
			}},
			badInput{"status by reference (no such lookup)", "id", payments.Unsupported, func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.Status(ctx, &payments.StatusRequest{Reference: "order-1"})
				return err
			}},
			badInput{"cancel or refund without ID", "id", "", func(ctx context.Context, gw payments.Gateway) error {
				_, err := gw.(*smartpay.Gateway).CancelOrRefund(ctx, &payments.CancelRequest{})
				return err
			}},
		)
	}
	return rows
}

// TestInvalidInputNeverSent: every malformed request of every driver is
// rejected before any HTTP round trip, with an error of the expected class
// whose message names the field.
func TestInvalidInputNeverSent(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(nil) // fails any request it is given
			r := newRig(t, d, options{wrap: func(http.RoundTripper) http.RoundTripper { return rec }})
			for _, in := range inputTable(r) {
				t.Run(in.name, func(t *testing.T) {
					before := rec.count()
					err := in.call(context.Background(), r.Gateway())
					assert.Equal(t, before, rec.count(), "%s: sent %d requests", in.name, rec.count()-before)
					want := in.code
					if want == "" {
						want = payments.InvalidRequest
					}
					if !assert.Error(t, err) {
						return
					}
					assert.Equal(t, want, payments.CodeOf(err), "%v", err)
					var pe *payments.Error
					if assert.True(t, errors.As(err, &pe), "%T is not a *payments.Error", err) && in.field != "" {
						assert.Contains(t, err.Error(), in.field, "the message names the field")
					}
				})
			}
		})
	}
}
