package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocUpToDate fails when the feature matrix of docs/drivers.md differs
// from what the drivers' Capabilities() say. Fix it with `go generate` in
// the repository root.
func TestDocUpToDate(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", filepath.FromSlash(docFile)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := current(doc)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s's feature matrix is stale: run `go generate` in the repository root.\n%s has:\n%s\nCapabilities() say:\n%s", docFile, docFile, got, want)
	}
}

func TestRenderShape(t *testing.T) {
	table, err := render()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(table, "\n")
	header := strings.Count(lines[0], "|")
	for i, l := range lines {
		if !strings.HasPrefix(l, "|") {
			break
		}
		if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != header {
			t.Errorf("line %d has %d cells separators, the header %d: %q", i, n, header, l)
		}
	}
	for _, want := range []string{"[SmartPayments](../drivers/smartpayments)", "[Smart2Pay](../drivers/smart2pay)", "[SmartPay](../drivers/smartpay)", "| 3-D Secure challenge | ✓ | — | — | ✓ |"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func TestSplice(t *testing.T) {
	doc := []byte("intro\n" + beginMarker + "\nold table\n" + endMarker + "\noutro\n")
	out, err := splice(doc, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + beginMarker + "\nnew table\n" + endMarker + "\noutro\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	again, _ := splice(out, "new table\n")
	if string(again) != string(out) {
		t.Error("splice is not idempotent")
	}
	for _, bad := range []string{
		"no markers",
		endMarker + beginMarker,
		beginMarker + beginMarker + endMarker,
	} {
		if _, err := splice([]byte(bad), "x\n"); err == nil {
			t.Errorf("splice(%q): no error", bad)
		}
	}
}

func TestCheckMode(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "drivers.md")
	if err := os.WriteFile(doc, []byte("# x\n"+beginMarker+"\nstale\n"+endMarker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(doc, true, false); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Fatalf("check of a stale document: %v", err)
	}
	if err := run(doc, false, false); err != nil {
		t.Fatal(err)
	}
	if err := run(doc, true, false); err != nil {
		t.Fatalf("check after writing: %v", err)
	}
}
