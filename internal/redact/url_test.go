package redact

import "testing"

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example/v1/payments?id=7", "https://api.example/v1/payments?id=7"},
		{"https://api.example/v1/payments?api_key=abc&b=1", "https://api.example/v1/payments?api_key=%5BREDACTED%5D&b=1"},
		{"https://api.example/v1/p?key=abc&signature=zz", "https://api.example/v1/p?key=%5BREDACTED%5D&signature=%5BREDACTED%5D"},
		{"https://api.example/cards/4012000000003010/x", "https://api.example/cards/401200%2A%2A%2A%2A%2A%2A3010/x"},
		{"https://api.example/p?cardNumber=4012000000003010", "https://api.example/p?cardNumber=401200%2A%2A%2A%2A%2A%2A3010"},
		{"https://user:pass@api.example/p", "https://%5BREDACTED%5D@api.example/p"},
		{"https://api.example/p?cvv=123", "https://api.example/p?cvv=%5BREDACTED%5D"},
	}
	for _, tt := range tests {
		got := URL(tt.in)
		if got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := URL(got); again != got {
			t.Errorf("URL not idempotent: %q -> %q", got, again)
		}
	}
}

func TestForm(t *testing.T) {
	got, ok := Form("number=4012000000003010&cvv=123&amount=10.50&sign=ab")
	if !ok || got != "amount=10.50&cvv=%5BREDACTED%5D&number=401200%2A%2A%2A%2A%2A%2A3010&sign=%5BREDACTED%5D" {
		t.Errorf("Form = %q, %v", got, ok)
	}
	if again, _ := Form(got); again != got {
		t.Errorf("Form not idempotent: %q -> %q", got, again)
	}
	if _, ok := Form("just text"); ok {
		t.Error("Form accepted plain text")
	}
}
