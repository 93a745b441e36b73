package iso3166

import (
	"bytes"
	"os"
	"testing"

	"github.com/gopayments/payments/internal/iso3166/internal/tablegen"
)

func TestCount(t *testing.T) {
	if len(table) != 249 {
		t.Errorf("table has %d countries; want the 249 officially assigned ISO 3166-1 codes", len(table))
	}
	if len(byAlpha2) != len(table) || len(byAlpha3) != len(table) {
		t.Errorf("indexes have %d/%d entries for %d rows; codes are not unique", len(byAlpha2), len(byAlpha3), len(table))
	}
}

func TestKnownPairs(t *testing.T) {
	for _, tc := range []struct{ a2, a3, num string }{
		{"GB", "GBR", "826"},
		{"DE", "DEU", "276"},
		{"US", "USA", "840"},
		{"ES", "ESP", "724"},
		{"AX", "ALA", "248"},
		{"CW", "CUW", "531"},
		{"SS", "SSD", "728"},
	} {
		if got, ok := Alpha3(tc.a2); !ok || got != tc.a3 {
			t.Errorf("Alpha3(%q) = %q, %v; want %q, true", tc.a2, got, ok, tc.a3)
		}
		if got, ok := Alpha2(tc.a3); !ok || got != tc.a2 {
			t.Errorf("Alpha2(%q) = %q, %v; want %q, true", tc.a3, got, ok, tc.a2)
		}
		c, ok := ByAlpha2(tc.a2)
		if !ok || c.Alpha2 != tc.a2 || c.Alpha3 != tc.a3 || c.Numeric != tc.num || c.Name == "" {
			t.Errorf("ByAlpha2(%q) = %+v, %v", tc.a2, c, ok)
		}
		if c3, ok := ByAlpha3(tc.a3); !ok || c3 != c {
			t.Errorf("ByAlpha3(%q) = %+v, %v; want %+v", tc.a3, c3, ok, c)
		}
	}
}

func TestNotFound(t *testing.T) {
	// XK/XKX (Kosovo) is user-assigned, not an ISO 3166-1 code; UK is
	// exceptionally reserved; the rest are malformed or not upper case.
	for _, code := range []string{"XK", "XKX", "UK", "EU", "ZZ", "", "gb", "gbr", "Gb", "G", "GBRX", " GB"} {
		if c, ok := ByAlpha2(code); ok {
			t.Errorf("ByAlpha2(%q) = %+v, true; want not found", code, c)
		}
		if c, ok := ByAlpha3(code); ok {
			t.Errorf("ByAlpha3(%q) = %+v, true; want not found", code, c)
		}
		if got, ok := Alpha3(code); ok || got != "" {
			t.Errorf("Alpha3(%q) = %q, %v; want \"\", false", code, got, ok)
		}
		if got, ok := Alpha2(code); ok || got != "" {
			t.Errorf("Alpha2(%q) = %q, %v; want \"\", false", code, got, ok)
		}
	}
}

func TestRoundTripEveryRow(t *testing.T) {
	for _, c := range table {
		a3, ok := Alpha3(c.Alpha2)
		if !ok || a3 != c.Alpha3 {
			t.Errorf("Alpha3(%q) = %q, %v; want %q", c.Alpha2, a3, ok, c.Alpha3)
			continue
		}
		a2, ok := Alpha2(a3)
		if !ok || a2 != c.Alpha2 {
			t.Errorf("Alpha2(Alpha3(%q)) = %q, %v", c.Alpha2, a2, ok)
		}
		if got, ok := ByAlpha2(c.Alpha2); !ok || got != c {
			t.Errorf("ByAlpha2(%q) = %+v, %v; want %+v", c.Alpha2, got, ok, c)
		}
		if got, ok := ByAlpha3(c.Alpha3); !ok || got != c {
			t.Errorf("ByAlpha3(%q) = %+v, %v; want %+v", c.Alpha3, got, ok, c)
		}
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	a2, a3 := string([]byte("GB")), string([]byte("GBR"))
	if n := testing.AllocsPerRun(100, func() {
		ByAlpha2(a2)
		ByAlpha3(a3)
		Alpha3(a2)
		Alpha2(a3)
	}); n != 0 {
		t.Errorf("lookups allocate %v times per run; want 0", n)
	}
}

// TestTableIsUpToDate regenerates the table from iso3166.csv in-process and
// requires the committed table_gen.go to match byte for byte, so an edit to
// the CSV without "go generate" (or a hand edit of table_gen.go) fails.
func TestTableIsUpToDate(t *testing.T) {
	src, err := os.ReadFile("iso3166.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := tablegen.Generate(src)
	if err != nil {
		t.Fatalf("generating from iso3166.csv: %v", err)
	}
	got, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table_gen.go is stale or hand-edited: run go generate ./internal/iso3166")
	}
}

func BenchmarkByAlpha2(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ByAlpha2("GB")
	}
}

func BenchmarkAlpha3(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Alpha3("DE")
	}
}
