package iso4217

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gopayments/payments/internal/iso4217/internal/tablegen"
)

func TestMinorUnitsPinned(t *testing.T) {
	want := map[int][]string{
		0: {"JPY", "KRW", "CLP", "ISK", "VND", "UGX"},
		2: {"IDR", "COP", "EUR", "USD", "GBP"},
		3: {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"},
		4: {"CLF", "UYW"},
	}
	for n, codes := range want {
		for _, code := range codes {
			got, ok := MinorUnits(code)
			if !ok || got != n {
				t.Errorf("MinorUnits(%q) = %d, %v; want %d, true", code, got, ok, n)
			}
			c, ok := Lookup(code)
			if !ok || c.Code != code || c.MinorUnits != n {
				t.Errorf("Lookup(%q) = %+v, %v; want code %s with %d minor units", code, c, ok, code, n)
			}
		}
	}
}

func TestLookupRow(t *testing.T) {
	for _, want := range []Currency{
		{Code: "EUR", Numeric: "978", Name: "Euro", MinorUnits: 2},
		{Code: "JPY", Numeric: "392", Name: "Yen", MinorUnits: 0},
		{Code: "KWD", Numeric: "414", Name: "Kuwaiti Dinar", MinorUnits: 3},
		{Code: "XCG", Numeric: "532", Name: "Caribbean Guilder", MinorUnits: 2},
		{Code: "ZWG", Numeric: "924", Name: "Zimbabwe Gold", MinorUnits: 2},
		{Code: "SLE", Numeric: "925", Name: "Leone", MinorUnits: 2},
		{Code: "VED", Numeric: "926", Name: "Bolívar Soberano", MinorUnits: 2},
		{Code: "VES", Numeric: "928", Name: "Bolívar Soberano", MinorUnits: 2},
	} {
		got, ok := Lookup(want.Code)
		if !ok || got != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, true", want.Code, got, ok, want)
		}
	}
}

func TestNotFound(t *testing.T) {
	for _, code := range []string{
		"EUX", "eur", "", "EU", "EURO", " EUR", "EUR ",
		// Minor unit "N.A." in list one: deliberately left out.
		"XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XTS", "XXX", "XBA",
		// Withdrawn: no longer in list one.
		"ANG", "BGN", "CUC", "HRK", "SLL", "ZWL", "VEF",
	} {
		if c, ok := Lookup(code); ok {
			t.Errorf("Lookup(%q) = %+v, true; want not found", code, c)
		}
		if n, ok := MinorUnits(code); ok || n != 0 {
			t.Errorf("MinorUnits(%q) = %d, %v; want 0, false", code, n, ok)
		}
	}
}

func TestAll(t *testing.T) {
	all := All()
	if len(all) != len(table) || len(all) < 150 {
		t.Fatalf("All() has %d rows; table has %d", len(all), len(table))
	}
	if !slices.IsSortedFunc(all, func(a, b Currency) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("All() is not sorted by code")
	}
	numerics := make(map[string]string)
	for i, c := range all {
		if i > 0 && all[i-1].Code == c.Code {
			t.Errorf("duplicate code %s", c.Code)
		}
		if other, dup := numerics[c.Numeric]; dup {
			t.Errorf("numeric %s used by both %s and %s", c.Numeric, other, c.Code)
		}
		numerics[c.Numeric] = c.Code
		if got, ok := Lookup(c.Code); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", c.Code, got, ok, c)
		}
		if c.MinorUnits < 0 || c.MinorUnits > 4 {
			t.Errorf("%s: minor units %d out of range", c.Code, c.MinorUnits)
		}
	}

	// The result is a copy: changing it must not change the package's data.
	all[0].MinorUnits = 99
	all[0].Code = "ZZZ"
	if table[0].MinorUnits == 99 || table[0].Code == "ZZZ" || All()[0].Code == "ZZZ" {
		t.Error("All() returned the package's own backing array")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	code := string([]byte("KWD")) // not a constant, to defeat any compile-time folding
	if n := testing.AllocsPerRun(100, func() {
		if _, ok := Lookup(code); !ok {
			t.Fatal("KWD not found")
		}
		if _, ok := MinorUnits(code); !ok {
			t.Fatal("KWD not found")
		}
		if _, ok := Lookup("nope"); ok {
			t.Fatal("nope found")
		}
	}); n != 0 {
		t.Errorf("Lookup/MinorUnits allocate %v times per run; want 0", n)
	}
}

// TestTableIsUpToDate regenerates the table from iso4217.csv in-process and
// requires the committed table_gen.go to match byte for byte, so an edit to
// the CSV without "go generate" (or a hand edit of table_gen.go) fails.
func TestTableIsUpToDate(t *testing.T) {
	src, err := os.ReadFile("iso4217.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := tablegen.Generate(src)
	if err != nil {
		t.Fatalf("generating from iso4217.csv: %v", err)
	}
	got, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table_gen.go is stale or hand-edited: run go generate ./internal/iso4217")
	}
}

func BenchmarkLookup(b *testing.B) {
	codes := []string{"EUR", "USD", "JPY", "KWD", "CLF", "EUX"}
	b.ReportAllocs()
	var i int
	for b.Loop() {
		Lookup(codes[i%len(codes)])
		i++
	}
}

func BenchmarkMinorUnits(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MinorUnits("EUR")
	}
}
