package smartpayments

import (
	"bytes"
	"encoding/json"
	"testing"
)

// orderBody writes what encoding/json writes for orderRequest (as httpx
// encodes it: no HTML escaping, no trailing newline).
func TestOrderBody(t *testing.T) {
	for _, id := range []string{"bench-000000000001", "", "a<b>&c", "sp ace~", `q"uote`, `back\slash`, "tab\t", "é", "\u2028", "\xff"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(orderRequest{OrderID: id}); err != nil {
			t.Fatal(err)
		}
		var got []byte
		switch b := orderBody(id).(type) {
		case []byte:
			got = b
		case orderRequest:
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(b); err != nil {
				t.Fatal(err)
			}
			got = buf.Bytes()
		default:
			t.Fatalf("%T", b)
		}
		if string(bytes.TrimRight(got, "\n")) != string(bytes.TrimRight(want.Bytes(), "\n")) {
			t.Errorf("%q: %s, want %s", id, got, want.Bytes())
		}
	}
}
