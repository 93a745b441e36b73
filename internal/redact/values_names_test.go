package redact

import "testing"

// A card number used as a parameter name is masked too (found by
// FuzzScrubBody: "5555555555554=" kept the number).
func TestValuesMaskNames(t *testing.T) {
	got, ok := Form("5555555555554444=&a=1")
	if !ok || got != "555555%2A%2A%2A%2A%2A%2A4444=&a=1" {
		t.Errorf("Form = %q, %v", got, ok)
	}
	if again, _ := Form(got); again != got {
		t.Errorf("not idempotent: %q -> %q", got, again)
	}
	if u := URL("https://api.example/p?4012000000003010"); u != "https://api.example/p?401200%2A%2A%2A%2A%2A%2A3010=" {
		t.Errorf("URL = %q", u)
	}
}
