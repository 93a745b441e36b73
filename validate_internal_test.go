package payments

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments/internal/redact"
)

// panProblemRef is panProblem as it was before the stack buffer: the
// reference the new one must agree with.
func panProblemRef(n string) string {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if (c < '0' || c > '9') && c != ' ' && c != '-' {
			return "must contain only digits, spaces and dashes"
		}
	}
	d := digitsOnly(n)
	if len(d) < 12 || len(d) > 19 {
		return "must be 12 to 19 digits"
	}
	if !redact.Luhn(d) {
		return "fails the Luhn check"
	}
	return ""
}

func TestPANProblemMatchesReference(t *testing.T) {
	cases := append([]string{}, []string{
		"4012000000003010", "4012 0000 0000 3010", "4012-0000-0000-3010", "4012000000003011",
		"401200000000", "40120000000", "4012000000000000006", "40120000000000000063",
		"4012 0000 0000 0000 006", "4012 0000 0000 0000 0063", "  4012000000003010  ", "--",
		"4012x00000003010", "4012000000003010\n", "٤٠١٢٠٠٠٠٠٠٠٠٣٠١٠", "", " ",
		strings.Repeat("4", 40), strings.Repeat("0", 12), strings.Repeat("0", 19), strings.Repeat("0", 20),
		strings.Repeat("0 ", 19), strings.Repeat("0-", 20),
	}...)
	for _, s := range cases {
		if got, want := panProblem(s), panProblemRef(s); got != want {
			t.Errorf("panProblem(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"4012000000003010", "4012 0000 0000 3010", "4012-0000-0000-3010"} {
		if n := testing.AllocsPerRun(100, func() { _ = panProblem(s) }); n != 0 {
			t.Errorf("panProblem(%q) allocates %v times, want 0", s, n)
		}
	}
}

// validAuthorizeRequest is a request with every validated field set.
func validAuthorizeRequest() *AuthorizeRequest {
	amount, _ := ParseMoney("49.99", "EUR")
	return &AuthorizeRequest{
		Reference: "order-1001",
		Amount:    amount,
		Capture:   true,
		Method:    Card{Number: "4012 0000 0000 3010", Holder: "John Doe", ExpiryMonth: "2", ExpiryYear: "25", CVV: "123"},
		Customer: &Customer{
			FirstName: "John", LastName: "Doe", Email: "john@example.com", Phone: "+442079460612",
			IP: "127.0.0.1", BirthDate: "1997-06-06",
		},
		BillingAddress: &Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		Description:    "order",
		ReturnURLs: ReturnURLs{
			Success: "https://shop.example/ok", Failure: "https://shop.example/ko",
			Cancel: "https://shop.example/cancel", Notification: "http://127.0.0.1:9/hook",
		},
		Metadata: map[string]string{"k": "v"},
	}
}

// TestValidateMax covers "max" on strings longer in bytes than the limit
// but not in runes, and on maps.
func TestValidateMax(t *testing.T) {
	r := validAuthorizeRequest()
	r.Description = strings.Repeat("é", 255) // 510 bytes, 255 runes
	if err := r.Validate(); err != nil {
		t.Errorf("255-rune description: %v", err)
	}
	r.Description = strings.Repeat("é", 256)
	if err := r.Validate(); err == nil || err.Error() != "payments: invalid_request: description: longer than 255 characters" {
		t.Errorf("256-rune description: %v", err)
	}
	r = validAuthorizeRequest()
	r.Metadata = map[string]string{}
	for i := range 50 {
		r.Metadata[strconv.Itoa(i)] = "v"
	}
	if err := r.Validate(); err != nil {
		t.Errorf("50 metadata entries: %v", err)
	}
	r.Metadata["50"] = "v"
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "metadata: more than 50 entries") {
		t.Errorf("51 metadata entries: %v", err)
	}
}

// TestValidateStructByValue runs the struct-level checks on structs that
// are not addressable (validated by value), the path that copies them.
func TestValidateStructByValue(t *testing.T) {
	r := validAuthorizeRequest()
	if err := validate().Struct(*r); err != nil {
		t.Fatalf("valid request by value: %v", err)
	}
	r.Amount.Amount = decimal.Zero
	if err := validate().Struct(*r); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero amount by value: %v", err)
	}
	r.Amount.Amount = decimal.RequireFromString("1.001")
	if err := validate().Struct(*r); err == nil || !strings.Contains(err.Error(), "'money_scale'") {
		t.Errorf("over-precise amount by value: %v", err)
	}
	zero, _ := ParseMoney("0", "EUR")
	if err := validate().Struct(CaptureRequest{ID: "p1", Amount: &zero}); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero capture by value: %v", err)
	}
	if err := validate().Struct(RefundRequest{ID: "p1", Amount: &zero}); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero refund by value: %v", err)
	}
	if err := validate().Struct(StatusRequest{}); err == nil || !strings.Contains(err.Error(), "'id_or_reference'") {
		t.Errorf("empty status by value: %v", err)
	}
}
