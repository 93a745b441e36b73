// Command featurematrix writes the feature matrix of docs/drivers.md
// (drivers × capabilities) from each driver's Capabilities(), so that the table is
// never kept by hand:
//
//	go generate            # in the repository root (doc.go carries the directive)
//	go run ./internal/cmd/featurematrix            # the same
//	go run ./internal/cmd/featurematrix -check     # exit 1 if docs/drivers.md is stale
//	go run ./internal/cmd/featurematrix -print     # write the table to stdout only
//
// The table goes between the markers <!-- matrix:begin --> and
// <!-- matrix:end --> of docs/drivers.md. Each driver is built with dummy
// credentials; nothing is sent anywhere. Where a capability depends on the
// driver's configuration, the driver is built once per configuration and a
// note, written beside the driver below, says how; a note no configuration
// bears out, or a difference without a note, is an error, so the notes cannot
// go stale either. The test in this package fails when docs/drivers.md
// differs from what this command writes.
//
// To add a driver, add it to drivers() below and run go generate.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpayments"
)

// The markers in docFile, the document that shows the matrix, and the
// prefix that turns a repository path into a link from that document.
const (
	docFile     = "docs/drivers.md"
	linkPrefix  = "../"
	beginMarker = "<!-- matrix:begin -->"
	endMarker   = "<!-- matrix:end -->"
)

func main() {
	doc := flag.String("doc", docFile, "the document to update")
	check := flag.Bool("check", false, "only check that the document is up to date")
	printOnly := flag.Bool("print", false, "print the table instead of updating the document")
	flag.Parse()
	if err := run(*doc, *check, *printOnly); err != nil {
		fmt.Fprintln(os.Stderr, "featurematrix:", err)
		os.Exit(1)
	}
}

func run(doc string, check, printOnly bool) error {
	table, err := render()
	if err != nil {
		return err
	}
	if printOnly {
		_, err := os.Stdout.WriteString(table)
		return err
	}
	old, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	updated, err := splice(old, table)
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	if bytes.Equal(old, updated) {
		return nil
	}
	if check {
		return fmt.Errorf("%s: the feature matrix is stale; run go generate", doc)
	}
	return os.WriteFile(doc, updated, 0o644)
}

// splice replaces what lies between the markers in doc with table.
func splice(doc []byte, table string) ([]byte, error) {
	_, err := current(doc)
	if err != nil {
		return nil, err
	}
	i := bytes.Index(doc, []byte(beginMarker)) + len(beginMarker)
	j := bytes.Index(doc, []byte(endMarker))
	var out bytes.Buffer
	out.Write(doc[:i])
	out.WriteString("\n")
	out.WriteString(table)
	out.Write(doc[j:])
	return out.Bytes(), nil
}

// current returns what lies between the markers in doc (without the
// newline after the begin marker).
func current(doc []byte) (string, error) {
	i := bytes.Index(doc, []byte(beginMarker))
	j := bytes.Index(doc, []byte(endMarker))
	switch {
	case i < 0 || j < 0:
		return "", fmt.Errorf("markers %s and %s not found", beginMarker, endMarker)
	case bytes.Count(doc, []byte(beginMarker)) > 1 || bytes.Count(doc, []byte(endMarker)) > 1:
		return "", errors.New("the matrix markers appear more than once")
	case j < i:
		return "", errors.New("the matrix end marker comes before the begin marker")
	}
	return strings.TrimPrefix(string(doc[i+len(beginMarker):j]), "\n"), nil
}

// driver is one column of the matrix.
type driver struct {
	name, pkg string
	// builds are the configurations whose capabilities may differ; the
	// first is the one shown where they agree.
	builds []func() (payments.Gateway, error)
	// notes explain, per row, how the capability depends on the
	// configuration. A row whose value differs between builds must have
	// one, and a note must be about a row that differs.
	notes map[string]string
}

func drivers() []driver {
	return []driver{
		{
			name: "SmartPayments", pkg: "drivers/smartpayments",
			builds: []func() (payments.Gateway, error){
				func() (payments.Gateway, error) {
					return smartpayments.New(smartpayments.Config{MerchantKey: "key", Secret: "secret", Account: "EUR-sandbox"})
				},
				func() (payments.Gateway, error) {
					return smartpayments.New(smartpayments.Config{MerchantKey: "key", Secret: "secret", Account: "GBP-live"})
				},
			},
			notes: map[string]string{
				rowCurrencies: "one: the account's (`Config.Currency`, default from `Account`: `EUR-sandbox` → EUR)",
			},
		},
		{
			name: "Smart2Pay", pkg: "drivers/smart2pay",
			builds: []func() (payments.Gateway, error){
				func() (payments.Gateway, error) {
					return smart2pay.New(smart2pay.Config{SiteID: 1, APIKey: "key"})
				},
			},
		},
		{
			name: "SmartPay", pkg: "drivers/smartpay",
			builds: []func() (payments.Gateway, error){
				func() (payments.Gateway, error) {
					return smartpay.New(smartpay.Config{MerchantKey: "key", AuthenticationKey: "secret", BaseURL: "https://api.smartpay.example", Origin: "https://shop.example"})
				},
				func() (payments.Gateway, error) {
					return smartpay.New(smartpay.Config{MerchantKey: "key", AuthenticationKey: "secret", BaseURL: "https://api.smartpay.example", Origin: "https://shop.example",
						NotificationAuth: &smartpay.NotificationAuth{Username: "user", Password: "password"}})
				},
			},
			notes: map[string]string{
				rowNotifications: "query; credentials+query with `Config.NotificationAuth`",
			},
		},
		{
			name: "memory (tests)", pkg: "drivers/memory",
			builds: []func() (payments.Gateway, error){
				func() (payments.Gateway, error) { return memory.New(memory.Config{}), nil },
			},
		},
	}
}

// The rows whose values are not ✓/—.
const (
	rowNotifications = "Notification verification"
	rowCurrencies    = "Currencies"
)

// row is one capability.
type row struct {
	name string
	cell func(payments.Capabilities) string
}

func yes(b bool) string {
	if b {
		return "✓"
	}
	return "—"
}

func method(k payments.MethodKind) func(payments.Capabilities) string {
	return func(c payments.Capabilities) string { return yes(c.Supports(k)) }
}

var rows = []row{
	{"Card (`payments.Card`)", method(payments.KindCard)},
	{"Hosted payment page (`HostedPage`)", method(payments.KindHostedPage)},
	{"Apple Pay token (`ApplePay`)", method(payments.KindApplePay)},
	{"Google Pay token (`GooglePay`)", method(payments.KindGooglePay)},
	{"Invoice (`Invoice`)", method(payments.KindInvoice)},
	{"Provider's own methods (`ProviderMethod`)", method(payments.KindProviderMethod)},
	{"Two-step: authorize, capture later", func(c payments.Capabilities) string { return yes(c.TwoStep) }},
	{"Cancel an authorization", func(c payments.Capabilities) string { return yes(c.Cancel) }},
	{"Partial capture", func(c payments.Capabilities) string { return yes(c.PartialCapture) }},
	{"Multiple captures", func(c payments.Capabilities) string { return yes(c.MultipleCaptures) }},
	{"Refund", func(c payments.Capabilities) string { return yes(c.Refund) }},
	{"Partial refund", func(c payments.Capabilities) string { return yes(c.PartialRefund) }},
	{"Multiple refunds", func(c payments.Capabilities) string { return yes(c.MultipleRefunds) }},
	{"3-D Secure challenge", func(c payments.Capabilities) string { return yes(c.ThreeDS) }},
	{"Status by merchant reference", func(c payments.Capabilities) string { return yes(c.LookupByReference) }},
	{"Idempotent capture, cancel, refund", func(c payments.Capabilities) string { return yes(c.IdempotentModifications) }},
	{"Payouts", func(c payments.Capabilities) string { return yes(c.Payouts) }},
	{rowNotifications, func(c payments.Capabilities) string { return c.Notifications.String() }},
	{rowCurrencies, currencies},
}

// currencies lists a few codes, or summarizes a long list.
func currencies(c payments.Capabilities) string {
	switch n := len(c.Currencies); {
	case n == 0:
		return "any ISO 4217"
	case n <= 6:
		codes := make([]string, n)
		for i, cur := range c.Currencies {
			codes[i] = string(cur)
		}
		return strings.Join(codes, ", ")
	default:
		exp := -1
		for _, cur := range c.Currencies {
			e, err := cur.Exponent()
			if err != nil || (exp >= 0 && e != exp) {
				return fmt.Sprintf("%d ISO 4217 codes", n)
			}
			exp = e
		}
		return fmt.Sprintf("%d ISO 4217 codes with %d decimals", n, exp)
	}
}

// render builds the Markdown table.
func render() (string, error) {
	ds := drivers()
	// caps[d][b] is driver d's capabilities in build b.
	caps := make([][]payments.Capabilities, len(ds))
	for i, d := range ds {
		for _, build := range d.builds {
			gw, err := build()
			if err != nil {
				return "", fmt.Errorf("%s: %w", d.name, err)
			}
			caps[i] = append(caps[i], gw.Capabilities())
		}
	}

	var b strings.Builder
	b.WriteString("| Capability |")
	for _, d := range ds {
		fmt.Fprintf(&b, " [%s](%s%s) |", d.name, linkPrefix, d.pkg)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat(":---:|", len(ds)))
	b.WriteString("\n")

	used := map[string]bool{}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s |", r.name)
		for i, d := range ds {
			var values []string
			for _, c := range caps[i] {
				if v := r.cell(c); !slices.Contains(values, v) {
					values = append(values, v)
				}
			}
			cell := values[0]
			note, hasNote := d.notes[r.name]
			switch {
			case len(values) > 1 && !hasNote:
				return "", fmt.Errorf("%s: %q depends on the configuration (%s) but has no note", d.name, r.name, strings.Join(values, " / "))
			case len(values) > 1:
				cell = note
				used[d.name+"/"+r.name] = true
			}
			fmt.Fprintf(&b, " %s |", strings.ReplaceAll(cell, "|", `\|`))
		}
		b.WriteString("\n")
	}
	for _, d := range ds {
		for name := range d.notes {
			if !used[d.name+"/"+name] {
				return "", fmt.Errorf("%s: the note on %q is stale: no configuration changes that row", d.name, name)
			}
		}
	}
	b.WriteString("\n")
	b.WriteString("Generated from each driver's `Capabilities()` by `go generate` " +
		"([internal/cmd/featurematrix](" + linkPrefix + "internal/cmd/featurematrix)); do not edit by hand. " +
		"Notification verification: *signature* (a signature over the body), " +
		"*credentials* (the provider's Basic credentials, compared in constant time), " +
		"*query* (the body is not trusted: the state is confirmed with a status query).\n")
	return b.String(), nil
}
