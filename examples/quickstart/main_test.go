package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gopayments/payments/store/sqlstore/sqlstoretest"
)

// TestRun runs the whole quickstart, as `go run ./examples/quickstart` does,
// and checks every row of its table: CI thereby covers the README's first
// command.
func TestRun(t *testing.T) {
	testRun(t, sqlstoretest.SQLiteURL(t))
}

// TestRunPostgres runs the same flows with the Router's state in
// PostgreSQL, as PAYMENTS_STORE_URL lets a user choose.
func TestRunPostgres(t *testing.T) {
	testRun(t, sqlstoretest.FreshSchema(t))
}

func testRun(t *testing.T, storeURL string) {
	t.Setenv("PAYMENTS_STORE_URL", storeURL)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Logf("\n%s", out.String())

	// provider/flow → the status the row must show ("-": not supported).
	want := map[string]string{
		"smartpayments/sale":        "captured",
		"smartpayments/two-step":    "partially_refunded",
		"smartpayments/declined":    "failed",
		"smartpayments/3-D Secure":  "captured",
		"smartpayments/hosted page": "captured",
		"smartpayments/invoice":     "-",
		"smartpayments/webhook":     "captured",
		"smart2pay/sale":            "captured",
		"smart2pay/two-step":        "partially_refunded",
		"smart2pay/declined":        "failed",
		"smart2pay/3-D Secure":      "-",
		"smart2pay/hosted page":     "captured",
		"smart2pay/invoice":         "-",
		"smart2pay/webhook":         "captured",
		"smartpay/sale":             "-",
		"smartpay/two-step":         "partially_captured", // the refund is still pending at SmartPay
		"smartpay/declined":         "failed",
		"smartpay/3-D Secure":       "-",
		"smartpay/hosted page":      "authorized",
		"smartpay/invoice":          "captured",
		"smartpay/webhook":          "captured",
	}
	cols := regexp.MustCompile(`\s{2,}`)
	lines := strings.Split(out.String(), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "PROVIDER") {
		t.Fatalf("no table header:\n%s", out.String())
	}
	seen := map[string]bool{}
	for _, line := range lines[1:] {
		if line == "" {
			break // end of the table
		}
		f := cols.Split(strings.TrimSpace(line), -1)
		if len(f) < 4 {
			t.Errorf("short row %q", line)
			continue
		}
		key, status, note := f[0]+"/"+f[1], f[2], f[len(f)-1]
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected row %q", line)
			continue
		}
		seen[key] = true
		if status != w {
			t.Errorf("%s: status %q, want %q (row %q)", key, status, w, line)
		}
		mark := "✓"
		if w == "-" {
			mark = "–"
		}
		if !strings.HasPrefix(note, mark) {
			t.Errorf("%s: note %q does not start with %s", key, note, mark)
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("no row for %s", key)
		}
	}
	if !strings.Contains(out.String(), "16 flows ended as expected (5 not supported by their provider).") {
		t.Errorf("summary line missing")
	}
}

// TestRunTwice checks that run leaves nothing behind that a second run
// trips over (ports, global state) and that the output is deterministic
// apart from the times.
func TestRunTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	times := regexp.MustCompile(`\s\d+(\.\d+)?(ns|µs|ms|s)\s`)
	spaces := regexp.MustCompile(` +`)
	var outs [2]string
	store := regexp.MustCompile(`(?m)^The Router's attempt log and refund ledger: .*$`)
	for i := range outs {
		t.Setenv("PAYMENTS_STORE_URL", sqlstoretest.SQLiteURL(t)) // a fresh database each run
		var b bytes.Buffer
		if err := run(context.Background(), &b); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if !store.MatchString(b.String()) {
			t.Fatalf("run %d does not say where the Router's state is:\n%s", i, b.String())
		}
		outs[i] = spaces.ReplaceAllString(times.ReplaceAllString(store.ReplaceAllString(b.String(), ""), " T "), " ")
	}
	if outs[0] != outs[1] {
		t.Errorf("outputs differ apart from times:\n%s\n---\n%s", outs[0], outs[1])
	}
}

// TestServerTimeouts: the example server bounds every phase of a connection
// (a server with only ReadHeaderTimeout keeps slow clients forever).
func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is not set", name)
		}
	}
}
