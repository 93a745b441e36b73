package redact

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkDecoded scrubs Smart2Pay's documented card-sale answer (962 B,
// a masked card number, compact timestamps), the shape of every
// notification and payment answer of that driver.
func BenchmarkDecoded(b *testing.B) {
	body, err := os.ReadFile("../../drivers/smart2pay/smart2paytest/testdata/doc/create_card_201.json")
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		b.Fatal(err)
	}
	for name, body := range map[string][]byte{"indented": body, "compact": compact.Bytes()} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				Decoded(body)
			}
		})
	}
}
