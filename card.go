package payments

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gopayments/payments/internal/redact"
)

// MethodKind names a kind of payment method, for capabilities and routing.
type MethodKind string

// The payment method kinds.
const (
	KindCard           MethodKind = "card"
	KindHostedPage     MethodKind = "hosted_page"
	KindApplePay       MethodKind = "apple_pay"
	KindGooglePay      MethodKind = "google_pay"
	KindInvoice        MethodKind = "invoice"
	KindProviderMethod MethodKind = "provider_method"
)

// PaymentMethod is how the customer pays: [Card], [HostedPage], [ApplePay],
// [GooglePay], [Invoice] or [ProviderMethod]. Values and pointers of these
// types both satisfy it; drivers read them with [MethodAs].
type PaymentMethod interface {
	// Kind names the method.
	Kind() MethodKind
	paymentMethod()
}

// MethodAs returns m as a T, whether m holds a T or a non-nil *T:
//
//	if card, ok := payments.MethodAs[payments.Card](req.Method); ok { ... }
func MethodAs[T PaymentMethod](m PaymentMethod) (T, bool) {
	switch v := any(m).(type) {
	case T:
		return v, true
	case *T:
		if v != nil {
			return *v, true
		}
	}
	var zero T
	return zero, false
}

// CardNumber is a primary account number. It formats itself masked (first 6
// and last 4 digits) everywhere: fmt verbs, JSON, slog. Use string(n) only to
// put it on the wire.
type CardNumber string

// String returns the masked number, e.g. "401200******3010".
func (n CardNumber) String() string { return redact.PAN(string(n)) }

// GoString returns the masked number, quoted.
func (n CardNumber) GoString() string { return strconv.Quote(n.String()) }

// Format masks the number for every fmt verb.
func (n CardNumber) Format(f fmt.State, verb rune) { formatMasked(f, verb, n.String()) }

// MarshalJSON writes the masked number.
func (n CardNumber) MarshalJSON() ([]byte, error) { return json.Marshal(n.String()) }

// LogValue masks the number in slog output.
func (n CardNumber) LogValue() slog.Value { return slog.StringValue(n.String()) }

// Last4 returns the last four digits.
func (n CardNumber) Last4() string {
	d := digitsOnly(string(n))
	if len(d) < 4 {
		return ""
	}
	return d[len(d)-4:]
}

// BIN returns the first six digits (the issuer identification number).
func (n CardNumber) BIN() string {
	d := digitsOnly(string(n))
	if len(d) < 6 {
		return ""
	}
	return d[:6]
}

// Digits returns the number with spaces and dashes removed: the form to send
// to a provider.
func (n CardNumber) Digits() string { return digitsOnly(string(n)) }

// CVV is a card security code. It never prints: every fmt verb, JSON and
// slog show "[REDACTED]". Use string(c) only to put it on the wire.
type CVV string

// String returns "[REDACTED]" (or "" for an empty code).
func (c CVV) String() string {
	if c == "" {
		return ""
	}
	return redact.Mask
}

// GoString returns the redacted form, quoted.
func (c CVV) GoString() string { return strconv.Quote(c.String()) }

// Format redacts the code for every fmt verb.
func (c CVV) Format(f fmt.State, verb rune) { formatMasked(f, verb, c.String()) }

// MarshalJSON writes the redacted form.
func (c CVV) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// LogValue redacts the code in slog output.
func (c CVV) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Card is a card entered by the customer, for direct (host-to-host) APIs.
// Taking raw card data puts the merchant in PCI DSS scope; prefer
// [HostedPage] where the provider offers it.
//
// Card prints and marshals itself with the number masked and the CVV
// redacted.
type Card struct {
	// Number is the card number; spaces and dashes are allowed.
	Number CardNumber `json:"number" validate:"required,pan"`
	// Holder is the name on the card.
	Holder string `json:"holder,omitempty" validate:"omitempty,max=100"`
	// ExpiryMonth is "1" to "12", with or without a leading zero.
	ExpiryMonth string `json:"expiry_month" validate:"required,month"`
	// ExpiryYear is a 2- or 4-digit year ("27" or "2027"). Past dates are
	// accepted: providers' own test cards use them.
	ExpiryYear string `json:"expiry_year" validate:"required,year"`
	// CVV is the security code (3 or 4 digits), empty where not required.
	CVV CVV `json:"cvv,omitempty" validate:"omitempty,cvv"`
}

// Kind returns KindCard.
func (Card) Kind() MethodKind { return KindCard }
func (Card) paymentMethod()   {}

// Month2 returns the expiry month as two digits ("02").
func (c Card) Month2() string {
	m, err := strconv.Atoi(c.ExpiryMonth)
	if err != nil {
		return c.ExpiryMonth
	}
	return fmt.Sprintf("%02d", m)
}

// Year4 returns the expiry year as four digits ("2027"); two-digit years are
// in 20xx.
func (c Card) Year4() string {
	if len(c.ExpiryYear) == 2 {
		return "20" + c.ExpiryYear
	}
	return c.ExpiryYear
}

// Year2 returns the expiry year as two digits ("27").
func (c Card) Year2() string {
	if len(c.ExpiryYear) == 4 {
		return c.ExpiryYear[2:]
	}
	return c.ExpiryYear
}

// String returns a safe description: "card 401200******3010 02/27".
func (c Card) String() string {
	return "card " + c.Number.String() + " " + c.Month2() + "/" + c.Year2()
}

// GoString returns a Go-syntax form with the number masked and the CVV
// redacted.
func (c Card) GoString() string {
	return fmt.Sprintf("payments.Card{Number:%q, Holder:%q, ExpiryMonth:%q, ExpiryYear:%q, CVV:%q}",
		c.Number.String(), c.Holder, c.ExpiryMonth, c.ExpiryYear, c.CVV.String())
}

// Format prints the safe forms for every verb: %v and %s the String form,
// %+v with field names, %#v the GoString form, %q quoted.
func (c Card) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Number:%s Holder:%s ExpiryMonth:%s ExpiryYear:%s CVV:%s}",
			c.Number.String(), c.Holder, c.ExpiryMonth, c.ExpiryYear, c.CVV.String())
	default:
		formatMasked(f, verb, c.String())
	}
}

// MarshalJSON writes the card with the number masked and the CVV redacted.
// A Card cannot be round-tripped through JSON, by design.
func (c Card) MarshalJSON() ([]byte, error) {
	type safe struct {
		Number      string `json:"number"`
		Holder      string `json:"holder,omitempty"`
		ExpiryMonth string `json:"expiry_month"`
		ExpiryYear  string `json:"expiry_year"`
		CVV         string `json:"cvv,omitempty"`
	}
	return json.Marshal(safe{c.Number.String(), c.Holder, c.ExpiryMonth, c.ExpiryYear, c.CVV.String()})
}

// LogValue logs the card's safe fields only.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("number", c.Number.String()),
		slog.String("expiry", c.Month2()+"/"+c.Year2()),
	)
}

// HostedPage sends the customer to the provider's own payment page; the
// Payment comes back with StatusRequiresAction and an Action to follow.
type HostedPage struct{}

// Kind returns KindHostedPage.
func (HostedPage) Kind() MethodKind { return KindHostedPage }
func (HostedPage) paymentMethod()   {}

// ApplePay is an Apple Pay payment token, as the provider expects it (for
// most: the base64 of the decrypted or encrypted paymentData).
type ApplePay struct {
	// Token is the payment token. It is a secret and never printed.
	Token WalletToken `json:"token" validate:"required"`
	// Network is the card network the wallet reported ("Visa").
	Network string `json:"network,omitempty"`
}

// Kind returns KindApplePay.
func (ApplePay) Kind() MethodKind { return KindApplePay }
func (ApplePay) paymentMethod()   {}

// GooglePay is a Google Pay payment token.
type GooglePay struct {
	// Token is the payment token. It is a secret and never printed.
	Token WalletToken `json:"token" validate:"required"`
	// Network is the card network the wallet reported ("VISA").
	Network string `json:"network,omitempty"`
}

// Kind returns KindGooglePay.
func (GooglePay) Kind() MethodKind { return KindGooglePay }
func (GooglePay) paymentMethod()   {}

// WalletToken is a wallet payment token. It never prints.
type WalletToken string

// String returns "[REDACTED]" (or "" when empty).
func (t WalletToken) String() string {
	if t == "" {
		return ""
	}
	return redact.Mask
}

// GoString returns the redacted form, quoted.
func (t WalletToken) GoString() string { return strconv.Quote(t.String()) }

// Format redacts the token for every fmt verb.
func (t WalletToken) Format(f fmt.State, verb rune) { formatMasked(f, verb, t.String()) }

// MarshalJSON writes the redacted form.
func (t WalletToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// LogValue redacts the token in slog output.
func (t WalletToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// InvoiceType is the kind of invoice payment.
type InvoiceType string

// The invoice types.
const (
	// InvoicePrepayment: the buyer pays by bank transfer before delivery
	// (SmartPay PREPMNT).
	InvoicePrepayment InvoiceType = "prepayment"
	// InvoicePayUponInvoice: the buyer pays after delivery (SmartPay PAYINVC).
	InvoicePayUponInvoice InvoiceType = "pay_upon_invoice"
)

// Invoice is a payment the buyer settles later by bank transfer against a
// reference shown to them (Payment.Action.Reference).
type Invoice struct {
	// Type is prepayment or pay-upon-invoice.
	Type InvoiceType `json:"type" validate:"required,oneof=prepayment pay_upon_invoice"`
}

// Kind returns KindInvoice.
func (Invoice) Kind() MethodKind { return KindInvoice }
func (Invoice) paymentMethod()   {}

// ProviderMethod is a provider-specific payment method by the provider's own
// id, e.g. a Smart2Pay MethodID for a local bank transfer.
type ProviderMethod struct {
	// ID is the provider's method identifier.
	ID string `json:"id" validate:"required,max=64"`
}

// Kind returns KindProviderMethod.
func (ProviderMethod) Kind() MethodKind { return KindProviderMethod }
func (ProviderMethod) paymentMethod()   {}

// formatMasked writes an already safe string for any verb (%q quotes it).
func formatMasked(f fmt.State, verb rune, safe string) {
	if verb == 'q' {
		fmt.Fprint(f, strconv.Quote(safe))
		return
	}
	fmt.Fprint(f, safe)
}

func digitsOnly(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
