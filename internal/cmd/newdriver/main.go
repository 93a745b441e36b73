// Command newdriver writes the skeleton of a new payments driver in the
// standard layout (DESIGN.md, "Layout"), so that a contributor starts from a
// package that compiles, passes go vet, and whose tests fail with a list of
// what to implement next.
//
// Usage, from the module root:
//
//	go run ./internal/cmd/newdriver [-dir drivers] [-force] NAME
//
// NAME is the driver's package name and Gateway.Name: lower-case ASCII
// letters and digits, starting with a letter. It writes, under DIR/NAME:
//
//	NAME.go                       Config, New, the Gateway methods (each says what to implement)
//	wire.go                       where the provider's request and response structs go
//	status.go, status_test.go     the one status table, and the test that walks it
//	errors.go, errors_test.go     the one error-code table, and the test that walks it
//	notify.go                     Notify: rejects every notification until implemented
//	doc.go                        the package documentation, with the Config field list
//	conformance_test.go           conformance.Run with a harness wired to the simulator
//	fuzz_test.go                  fuzz targets for Notify and the two tables
//	NAMEtest/server.go            the simulator skeleton (501 "not simulated yet")
//	testdata/cassettes/SOURCES.md where each cassette came from
//
// It refuses to write into an existing, non-empty DIR/NAME unless -force is
// given; with -force it overwrites the files above and leaves any other file
// alone. The templates are embedded in the command (templates/*.tmpl).
//
// CONTRIBUTING.md at the module root walks through the rest.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "newdriver:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "newdriver:", err)
		os.Exit(1)
	}
}

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// run is the command without the process around it, for tests.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newdriver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "drivers", "the directory the driver package is written under")
	force := fs.Bool("force", false, "overwrite the generated files of an existing package")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./internal/cmd/newdriver [-dir drivers] [-force] NAME")
		fmt.Fprintln(stderr, "writes the skeleton of driver NAME (lower-case letters and digits) in DIR/NAME")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%v", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return usageError("missing NAME")
	}
	name := rest[0]
	// Flags may also follow NAME: "newdriver acme -force".
	if err := fs.Parse(rest[1:]); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("one NAME only, got %q and %q", name, fs.Args())
	}
	res, err := generate(options{Name: name, Dir: *dir, Force: *force})
	if err != nil {
		return err
	}
	for _, f := range res.Files {
		verb := "wrote"
		if f.Overwrote {
			verb = "overwrote"
		}
		fmt.Fprintf(stdout, "%s %s\n", verb, f.Path)
	}
	fmt.Fprintf(stdout, `
Next (CONTRIBUTING.md, "Adding a driver"):
  go test ./%[1]s/...   # fails with the list of what to implement
  read the provider's document whole, then fill wire.go, status.go and errors.go from it,
  write the simulator in %[2]stest from the document, and record the cassettes with
  PAYMENTS_RECORD=sim go test ./%[1]s/ -run Conformance
`, res.RelDir, name)
	return nil
}
