package bench

import (
	"encoding/json"
	"testing"

	"github.com/gopayments/payments"
)

var (
	sinkMoney payments.Money
	sinkInt   int64
	sinkStr   string
	sinkBytes []byte
)

// BenchmarkParseMoney parses a decimal string in a currency (EUR: two
// digits, KWD: three, JPY: none), as every driver does with provider
// amounts and users do with their own.
func BenchmarkParseMoney(b *testing.B) {
	for _, c := range []struct{ name, amount, cur string }{
		{"EUR", "1234.56", "EUR"},
		{"KWD", "1234.567", "KWD"},
		{"JPY", "123456", "JPY"},
	} {
		b.Run("cur="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := payments.ParseMoney(c.amount, c.cur)
				if err != nil {
					b.Fatal(err)
				}
				sinkMoney = m
			}
		})
	}
}

// BenchmarkMoneyToMinor converts to integer minor units (the wire form of
// SmartPayments and Smart2Pay).
func BenchmarkMoneyToMinor(b *testing.B) {
	for _, c := range []struct{ name, amount, cur string }{
		{"EUR", "1234.56", "EUR"},
		{"KWD", "1234.567", "KWD"},
		{"JPY", "123456", "JPY"},
	} {
		m, err := payments.ParseMoney(c.amount, c.cur)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("cur="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n, err := m.Minor()
				if err != nil {
					b.Fatal(err)
				}
				sinkInt = n
			}
		})
	}
}

// BenchmarkMoneyFromMinor builds Money from minor units (parsing a
// provider's answer).
func BenchmarkMoneyFromMinor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := payments.MoneyFromMinor(123456, "EUR")
		if err != nil {
			b.Fatal(err)
		}
		sinkMoney = m
	}
}

// BenchmarkMoneyDecimal formats the fixed-digit decimal string (SmartPay's
// wire form, and JSON).
func BenchmarkMoneyDecimal(b *testing.B) {
	m, err := payments.ParseMoney("1234.5", "EUR")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkStr = m.Decimal()
	}
}

// BenchmarkMoneyJSON round-trips Money through its JSON form.
func BenchmarkMoneyJSON(b *testing.B) {
	m, err := payments.ParseMoney("1234.56", "EUR")
	if err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("op=marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := json.Marshal(m)
			if err != nil {
				b.Fatal(err)
			}
			sinkBytes = out
		}
	})
	b.Run("op=unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out payments.Money
			if err := json.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
			sinkMoney = out
		}
	})
}
