package payments_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/iso4217"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             string // String() form; empty means an error
	}{
		{"10.50", "EUR", "10.50 EUR"},
		{"10.5", "eur", "10.50 EUR"},
		{"10", " usd ", "10.00 USD"},
		{"1000", "JPY", "1000 JPY"},
		{"1.5", "KWD", "1.500 KWD"},
		{"1.2345", "CLF", "1.2345 CLF"},
		{"-3.25", "EUR", "-3.25 EUR"},
		{"0", "EUR", "0.00 EUR"},
		{"10.500", "EUR", "10.50 EUR"}, // trailing zeros are not precision
		{"99999999999999999.99", "EUR", "99999999999999999.99 EUR"},
		{"10.555", "EUR", ""},
		{"1.5", "JPY", ""},
		{"1.0001", "KWD", ""},
		{"1e3", "EUR", ""},
		{".5", "EUR", ""},
		{"5.", "EUR", ""},
		{"1,50", "EUR", ""},
		{" 1.50", "EUR", ""},
		{"", "EUR", ""},
		{"abc", "EUR", ""},
		{"10", "EUX", ""},
		{"10", "", ""},
		{"NaN", "EUR", ""},
	}
	for _, tt := range tests {
		t.Run(tt.amount+"_"+tt.currency, func(t *testing.T) {
			m, err := payments.ParseMoney(tt.amount, tt.currency)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, payments.ErrInvalidRequest)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.String())
		})
	}
}

func TestMinorRoundTrip(t *testing.T) {
	tests := []struct {
		units    int64
		currency string
		str      string
	}{
		{1050, "EUR", "10.50 EUR"},
		{1050, "JPY", "1050 JPY"},
		{1050, "KWD", "1.050 KWD"},
		{12345, "CLF", "1.2345 CLF"},
		{-1, "USD", "-0.01 USD"},
		{0, "BHD", "0.000 BHD"},
		{9223372036854775807, "EUR", "92233720368547758.07 EUR"},
	}
	for _, tt := range tests {
		m, err := payments.MoneyFromMinor(tt.units, tt.currency)
		require.NoError(t, err)
		assert.Equal(t, tt.str, m.String())
		units, err := m.Minor()
		require.NoError(t, err)
		assert.Equal(t, tt.units, units)
	}
}

func TestMinorRefusesToRound(t *testing.T) {
	m := payments.Money{Amount: decimal.RequireFromString("10.555"), Currency: "EUR"}
	_, err := m.Minor()
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "more fraction digits than EUR allows (2)")

	huge := payments.Money{Amount: decimal.RequireFromString("92233720368547758.08"), Currency: "EUR"}
	_, err = huge.Minor()
	require.ErrorIs(t, err, payments.ErrInvalidRequest)

	_, err = payments.Money{Amount: decimal.NewFromInt(1), Currency: "XYZ"}.Minor()
	require.ErrorIs(t, err, payments.ErrInvalidRequest)
}

func TestCurrencyExponent(t *testing.T) {
	tests := map[payments.Currency]int{
		"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "UGX": 0,
		"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
		"CLF": 4, "UYW": 4,
		"IDR": 2, "COP": 2, "EUR": 2, "USD": 2,
	}
	for c, want := range tests {
		got, err := c.Exponent()
		require.NoError(t, err, c)
		assert.Equal(t, want, got, c)
	}
	for _, bad := range []payments.Currency{"EUX", "eur", "", "EURO"} {
		_, err := bad.Exponent()
		assert.ErrorIs(t, err, payments.ErrInvalidRequest, bad)
		assert.False(t, bad.Valid())
	}
	c, err := payments.ParseCurrency(" gbp ")
	require.NoError(t, err)
	assert.Equal(t, payments.Currency("GBP"), c)
}

func TestMoneyArithmetic(t *testing.T) {
	a, _ := payments.ParseMoney("10.50", "EUR")
	b, _ := payments.ParseMoney("0.75", "EUR")
	usd, _ := payments.ParseMoney("1", "USD")

	sum, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, "11.25 EUR", sum.String())
	diff, err := a.Sub(b)
	require.NoError(t, err)
	assert.Equal(t, "9.75 EUR", diff.String())
	c, err := a.Cmp(b)
	require.NoError(t, err)
	assert.Equal(t, 1, c)
	c, err = b.Cmp(a)
	require.NoError(t, err)
	assert.Equal(t, -1, c)

	_, err = a.Add(usd)
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = a.Sub(usd)
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)
	_, err = a.Cmp(usd)
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)

	assert.True(t, a.IsPositive())
	assert.False(t, a.IsZero())
	assert.True(t, a.Zero().IsZero())
	assert.Equal(t, payments.Currency("EUR"), a.Zero().Currency)
	neg, _ := payments.ParseMoney("-1", "EUR")
	assert.False(t, neg.IsPositive())
	ten, _ := payments.ParseMoney("10.5", "EUR")
	assert.True(t, a.Equal(ten))
	assert.Equal(t, "10.50", a.Decimal())
}

func TestMoneyJSON(t *testing.T) {
	m, _ := payments.ParseMoney("10.5", "EUR")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"10.50","currency":"EUR"}`, string(b))

	var back payments.Money
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Equal(m))

	// A bare JSON number is decoded exactly, never via float64.
	require.NoError(t, json.Unmarshal([]byte(`{"amount":0.1,"currency":"EUR"}`), &back))
	assert.Equal(t, "0.10 EUR", back.String())
	require.NoError(t, json.Unmarshal([]byte(`{"amount":"1.005","currency":"kwd"}`), &back))
	assert.Equal(t, "1.005 KWD", back.String())

	for _, bad := range []string{
		`{"amount":"1.005","currency":"EUR"}`,
		`{"amount":"1","currency":"EUX"}`,
		`{"amount":"1e2","currency":"EUR"}`,
		`{"amount":1e2,"currency":"EUR"}`,
		`{"amount":true,"currency":"EUR"}`,
		`{"amount":"1","currency":"EUR","extra":1}`,
		`[]`,
	} {
		err := json.Unmarshal([]byte(bad), &back)
		assert.Error(t, err, bad)
	}
}

// TestMoneyJSONRoundTrip: what MarshalJSON writes, UnmarshalJSON reads back
// as the same Money, the zero Money included; an invalid Money is written
// with its exact digits (never rounded) and reading it back is an error.
func TestMoneyJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    payments.Money
		json string
		ok   bool // UnmarshalJSON accepts what MarshalJSON wrote
	}{
		{"zero value", payments.Money{}, `{"amount":"0","currency":""}`, true},
		{"zero decimal, no currency", payments.Money{Amount: decimal.Zero}, `{"amount":"0","currency":""}`, true},
		{"zero EUR", payments.Money{Amount: decimal.Zero, Currency: "EUR"}, `{"amount":"0.00","currency":"EUR"}`, true},
		{"EUR", payments.Money{Amount: decimal.RequireFromString("10.5"), Currency: "EUR"}, `{"amount":"10.50","currency":"EUR"}`, true},
		{"JPY", payments.Money{Amount: decimal.NewFromInt(1000), Currency: "JPY"}, `{"amount":"1000","currency":"JPY"}`, true},
		{"KWD trailing zeros", payments.Money{Amount: decimal.RequireFromString("1.5000"), Currency: "KWD"}, `{"amount":"1.500","currency":"KWD"}`, true},
		{"negative", payments.Money{Amount: decimal.RequireFromString("-3.25"), Currency: "EUR"}, `{"amount":"-3.25","currency":"EUR"}`, true},
		// Invalid Money: written exactly, refused on the way back.
		{"finer than the minor unit", payments.Money{Amount: decimal.RequireFromString("10.555"), Currency: "EUR"}, `{"amount":"10.555","currency":"EUR"}`, false},
		{"amount without currency", payments.Money{Amount: decimal.NewFromInt(5)}, `{"amount":"5","currency":""}`, false},
		{"unknown currency", payments.Money{Amount: decimal.NewFromInt(5), Currency: "XYZ"}, `{"amount":"5","currency":"XYZ"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.m)
			require.NoError(t, err)
			assert.JSONEq(t, tt.json, string(b))
			var back payments.Money
			err = json.Unmarshal(b, &back)
			if !tt.ok {
				assert.ErrorIs(t, err, payments.ErrInvalidRequest)
				return
			}
			require.NoError(t, err)
			assert.True(t, back.Equal(tt.m), "got %v, want %v", back, tt.m)
			assert.Equal(t, tt.m.Currency, back.Currency)
		})
	}
}

// TestMoneyJSONZeroForms: only a zero amount may come without a currency.
func TestMoneyJSONZeroForms(t *testing.T) {
	for _, in := range []string{
		`{"amount":"0","currency":""}`,
		`{"amount":"0.00","currency":""}`,
		`{"amount":0,"currency":""}`,
		`{"amount":"0"}`,
	} {
		back := payments.Money{Amount: decimal.NewFromInt(7), Currency: "EUR"}
		require.NoError(t, json.Unmarshal([]byte(in), &back), in)
		assert.True(t, back.Equal(payments.Money{}), "%s: got %v, want the zero Money", in, back)
	}
	for _, in := range []string{
		`{"amount":"0.01","currency":""}`,
		`{"amount":"-1","currency":""}`,
		`{"amount":"","currency":""}`,
		`{"currency":""}`,
		`{"amount":"0e0","currency":""}`,
		`{"amount":"0","currency":"EUX"}`,
	} {
		var back payments.Money
		assert.ErrorIs(t, json.Unmarshal([]byte(in), &back), payments.ErrInvalidRequest, in)
	}
}

// TestPaymentJSONZeroMoney: a Payment whose money fields are unset (as a
// driver may return a declined payment) survives its own JSON round trip.
func TestPaymentJSONZeroMoney(t *testing.T) {
	amount, err := payments.ParseMoney("10.00", "EUR")
	require.NoError(t, err)
	for _, p := range []payments.Payment{
		{},
		{ID: "p1", Provider: "x", Status: payments.StatusFailed, Amount: amount,
			Decline: &payments.Decline{Reason: payments.DeclineGeneric, Code: "05"}},
	} {
		b, err := json.Marshal(p)
		require.NoError(t, err)
		var back payments.Payment
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.True(t, back.Amount.Equal(p.Amount) && back.Captured.Equal(p.Captured) && back.Refunded.Equal(p.Refunded), string(b))
		assert.Equal(t, p.Decline, back.Decline)
		assert.Equal(t, p.Status, back.Status)
	}
}

func TestNewMoney(t *testing.T) {
	_, err := payments.NewMoney(decimal.RequireFromString("1.001"), "EUR")
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)
	m, err := payments.NewMoney(decimal.RequireFromString("1.10"), "EUR")
	require.NoError(t, err)
	assert.Equal(t, "1.10 EUR", m.String())
}

// FuzzMoneyRoundTrip checks ParseMoney → Minor → MoneyFromMinor round-trips
// exactly for every currency.
func FuzzMoneyRoundTrip(f *testing.F) {
	f.Add("10.50", uint16(0))
	f.Add("0.001", uint16(5))
	f.Add("-123456789.1234", uint16(40))
	f.Add("92233720368547758.07", uint16(1))
	all := iso4217.All()
	f.Fuzz(func(t *testing.T, amount string, idx uint16) {
		cur := all[int(idx)%len(all)].Code
		m, err := payments.ParseMoney(amount, cur)
		if err != nil {
			var pe *payments.Error
			if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest {
				t.Fatalf("ParseMoney(%q, %s): error %v is not an InvalidRequest *Error", amount, cur, err)
			}
			return
		}
		units, err := m.Minor()
		if err != nil {
			// Only out-of-range values may fail: the scale was checked.
			if !errors.Is(err, payments.ErrInvalidRequest) {
				t.Fatalf("Minor(%v): %v", m, err)
			}
			return
		}
		back, err := payments.MoneyFromMinor(units, cur)
		if err != nil {
			t.Fatalf("MoneyFromMinor(%d, %s): %v", units, cur, err)
		}
		if !back.Equal(m) {
			t.Fatalf("round trip %q %s: got %v, want %v", amount, cur, back, m)
		}
		if back.String() != m.String() {
			t.Fatalf("String differs: %q vs %q", back.String(), m.String())
		}
	})
}

// FuzzMoneyJSON checks that whatever UnmarshalJSON accepts, MarshalJSON
// writes back in a form UnmarshalJSON reads as the same Money, and that
// what it refuses is an InvalidRequest *Error.
func FuzzMoneyJSON(f *testing.F) {
	for _, s := range []string{
		`{"amount":"10.50","currency":"EUR"}`, `{"amount":"0","currency":""}`,
		`{"amount":0.1,"currency":"kwd"}`, `{"amount":"-0.00"}`, `null`, `[]`,
		`{"amount":"1.005","currency":"EUR"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m payments.Money
		if err := json.Unmarshal(data, &m); err != nil {
			var pe *payments.Error
			var se *json.SyntaxError
			if !errors.As(err, &pe) && !errors.As(err, &se) {
				t.Fatalf("Unmarshal(%q): %T %v is neither a *payments.Error nor a JSON syntax error", data, err, err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", m, err)
		}
		var back payments.Money
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q decoded to %v, written %s, which does not decode: %v", data, m, b, err)
		}
		if !back.Equal(m) {
			t.Fatalf("%q: %v written %s read back %v", data, m, b, back)
		}
	})
}
