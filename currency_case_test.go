package payments_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

// TestCurrencyCodesAnyCase: every place that takes a currency code accepts
// it in any case (ParseMoney always did), and normalises it to the upper
// case ISO 4217 form.
func TestCurrencyCodesAnyCase(t *testing.T) {
	t.Run("constructors", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			got  func() (payments.Currency, error)
		}{
			{"ParseCurrency", func() (payments.Currency, error) { return payments.ParseCurrency(" eur ") }},
			{"ParseMoney", func() (payments.Currency, error) { m, err := payments.ParseMoney("1", "eur"); return m.Currency, err }},
			{"MoneyFromMinor", func() (payments.Currency, error) {
				m, err := payments.MoneyFromMinor(100, "Eur")
				return m.Currency, err
			}},
			{"NewMoney", func() (payments.Currency, error) {
				m, err := payments.NewMoney(decimal.NewFromInt(1), "eur")
				return m.Currency, err
			}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c, err := tt.got()
				require.NoError(t, err)
				assert.Equal(t, payments.Currency("EUR"), c)
			})
		}
	})

	t.Run("AcceptsCurrency", func(t *testing.T) {
		for _, tt := range []struct {
			declared, asked payments.Currency
			want            bool
		}{
			{"EUR", "eur", true},
			{"eur", "EUR", true},
			{"eur", "eur", true},
			{"EUR", "usd", false},
		} {
			caps := payments.Capabilities{Currencies: []payments.Currency{tt.declared}}
			assert.Equal(t, tt.want, caps.AcceptsCurrency(tt.asked), "declared %s, asked %s", tt.declared, tt.asked)
		}
	})

	t.Run("Route", func(t *testing.T) {
		lowMax, err := payments.ParseMoney("100", "EUR")
		require.NoError(t, err)
		lowMax.Currency = "eur" // a literal, as a configuration file may give it
		router, err := payments.NewRouter([]payments.Route{
			{Name: "usd", Gateway: memory.New(memory.Config{}), Currencies: []payments.Currency{"usd"}},
			{Name: "eur", Gateway: memory.New(memory.Config{}), Currencies: []payments.Currency{"eur", "Gbp"}, MaxAmount: &lowMax, Priority: 1},
		})
		require.NoError(t, err, "a route's currencies are accepted in any case")

		amount, err := payments.ParseMoney("10.00", "EUR")
		require.NoError(t, err)
		p, err := router.Authorize(context.Background(), &payments.AuthorizeRequest{
			Reference: "case-1", Amount: amount, Capture: true,
			Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		})
		require.NoError(t, err)
		require.Len(t, p.Attempts, 1)
		assert.Equal(t, "eur", p.Attempts[0].Route, "the EUR payment matches the route declared with \"eur\"")
	})
}
