package main

import (
	"bytes"
	"errors"
	"go/format"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGeneratedDriver is the generator's contract: a driver generated and
// left empty compiles, passes go vet and gofmt, its simulator skeleton
// answers 501 "not simulated yet", and its tests FAIL (not skip) with
// messages that say what to implement next.
//
// It copies the library's non-test sources (go.mod, go.sum, the root
// package, internal/, conformance/) into a temporary directory, so the copy
// is the same module and the generated driver may import internal/httpx,
// generates a driver there, and runs the go command on it offline. The
// working tree is never touched.
func TestGeneratedDriver(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not in PATH (go test puts GOROOT/bin first): %v", err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, module, err := findModule(cwd)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	copyLibrary(t, root, tmp)

	const name = "zzgen"
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-dir", filepath.Join(tmp, "drivers"), name}, &stdout, &stderr); err != nil {
		t.Fatalf("newdriver %s: %v\n%s", name, err, stderr.String())
	}
	pkgDir := filepath.Join(tmp, "drivers", name)
	for _, o := range outputs {
		rel := strings.ReplaceAll(o.out, "NAME", name)
		if !strings.Contains(stdout.String(), filepath.Join(pkgDir, filepath.FromSlash(rel))) {
			t.Errorf("newdriver did not report writing %s:\n%s", rel, stdout.String())
		}
	}
	checkGofmt(t, pkgDir)

	// A test of the simulator skeleton, written beside it in the copy only:
	// the generated package has none (its behaviour is to be replaced).
	simCheck := `package ` + name + `test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestSkeletonAnswers501(t *testing.T) {
	s := NewServer()
	defer s.Close()
	resp, err := s.Client().Post(s.BaseURL()+"/v1/payments", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(body), "not simulated yet") {
		t.Fatalf("POST /v1/payments: %d %q, want 501 not simulated yet", resp.StatusCode, body)
	}
	if ops := s.Operations(); len(ops) != 0 {
		t.Fatalf("Operations() = %v, want none", ops)
	}
	s.Reset()
	if err := s.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
}
`
	if err := os.WriteFile(filepath.Join(pkgDir, name+"test", "skeleton_check_test.go"), []byte(simCheck), 0o644); err != nil {
		t.Fatal(err)
	}

	pattern := "./drivers/" + name + "/..."
	if out, err := goCmd(t, goTool, tmp, "build", pattern); err != nil {
		t.Fatalf("go build %s: %v\n%s", pattern, err, out)
	}
	if out, err := goCmd(t, goTool, tmp, "vet", pattern); err != nil {
		t.Fatalf("go vet %s: %v\n%s", pattern, err, out)
	}
	out, err := goCmd(t, goTool, tmp, "test", "-count=1", pattern)
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("go test %s: want the generated driver's tests to fail, got err = %v\n%s", pattern, err, out)
	}
	for _, bad := range []string{"[build failed]", "[setup failed]", "panic:", "--- SKIP: TestConformance ("} {
		if strings.Contains(out, bad) {
			t.Errorf("go test output contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		"--- FAIL: TestConformance (",
		"implement Authorize: ", "implement Capture: ", "implement Cancel: ", "implement Refund: ",
		"implement Status: ", "implement Notify: ", "implement Capabilities: ",
		"Authorize is not implemented yet: map the request to the structs in wire.go",
		"Notify is not implemented yet, so every notification is rejected",
		"--- FAIL: TestStatusTable (", "add every documented status code to statusTable",
		"--- FAIL: TestErrorTable (", "add every documented error code to errorTable",
		"ok  \t" + module + "/drivers/" + name + "/" + name + "test",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go test output lacks %q:\n%s", want, out)
		}
	}
}

// goCmd runs the go command in dir, offline and in replay mode, and returns
// its combined output.
func goCmd(t *testing.T, goTool, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(goTool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GOWORK=off", "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOTOOLCHAIN=local",
		"PAYMENTS_RECORD=", // replay: never record from a test of the generator
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return string(out), err
}

// copyLibrary copies what a driver compiles against into dst: go.mod,
// go.sum, the root package, internal/ (without internal/cmd) and
// conformance/, without tests and testdata.
func copyLibrary(t *testing.T, root, dst string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if d.IsDir() {
			switch {
			case rel == ".":
				return nil
			case top != "internal" && top != "conformance",
				filepath.ToSlash(rel) == "internal/cmd",
				d.Name() == "testdata", strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if top == rel && !strings.HasSuffix(rel, ".go") && rel != "go.mod" && rel != "go.sum" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkGofmt fails for any generated Go file that gofmt would change.
func checkGofmt(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		formatted, err := format.Source(src)
		if err != nil {
			return err
		}
		if !bytes.Equal(src, formatted) {
			t.Errorf("%s is not gofmt-formatted", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeModule makes a minimal module that findModule accepts.
func fakeModule(t *testing.T, module string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"conformance", filepath.Join("internal", "httpx")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("// a test module\nmodule "+module+" // comment\n\ngo 1.24.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestValidateName(t *testing.T) {
	for _, name := range []string{"acme", "pay2go", "x", "zz9"} {
		if err := validateName(name); err != nil {
			t.Errorf("validateName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{
		"", "Acme", "1pay", "pay-go", "pay_go", "päy", "acme ", "../acme", "a/b",
		"go", "type", "payments", "conformance", "http", "memory", "json",
		strings.Repeat("a", maxNameLen+1),
	} {
		err := validateName(name)
		if !errors.Is(err, errUsage) {
			t.Errorf("validateName(%q) = %v, want a usage error", name, err)
		}
	}
}

func TestGenerateRefusesToOverwrite(t *testing.T) {
	mod := fakeModule(t, "example.com/fake")
	drivers := filepath.Join(mod, "drivers")
	var out, errOut bytes.Buffer
	if err := run([]string{"-dir", drivers, "acme"}, &out, &errOut); err != nil {
		t.Fatalf("first run: %v\n%s", err, errOut.String())
	}
	mainFile := filepath.Join(drivers, "acme", "acme.go")
	src, err := os.ReadFile(mainFile)
	if err != nil {
		t.Fatal(err)
	}
	// Import paths come from the enclosing go.mod.
	conf, err := os.ReadFile(filepath.Join(drivers, "acme", "conformance_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"example.com/fake/conformance"`, `"example.com/fake/drivers/acme/acmetest"`} {
		if !bytes.Contains(conf, []byte(want)) {
			t.Errorf("conformance_test.go does not import %s", want)
		}
	}
	if !bytes.Contains(src, []byte(`"example.com/fake/internal/httpx"`)) {
		t.Errorf("acme.go does not import example.com/fake/internal/httpx")
	}

	edited := append(src, []byte("\n// edited by hand\n")...)
	if err := os.WriteFile(mainFile, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(drivers, "acme", "refunds.go")
	if err := os.WriteFile(extra, []byte("package acme\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	err = run([]string{"-dir", drivers, "acme"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "refusing to overwrite") || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("second run without -force: err = %v, want a refusal that mentions -force", err)
	}
	if got, _ := os.ReadFile(mainFile); !bytes.Equal(got, edited) {
		t.Fatal("a refused run changed acme.go")
	}

	out.Reset()
	// Flags may follow NAME.
	if err := run([]string{"-dir", drivers, "acme", "-force"}, &out, &errOut); err != nil {
		t.Fatalf("run with -force: %v", err)
	}
	if got, _ := os.ReadFile(mainFile); !bytes.Equal(got, src) {
		t.Error("-force did not restore acme.go")
	}
	if !strings.Contains(out.String(), "overwrote "+mainFile) {
		t.Errorf("-force output does not say it overwrote acme.go:\n%s", out.String())
	}
	if got, err := os.ReadFile(extra); err != nil || string(got) != "package acme\n" {
		t.Errorf("-force touched a file it does not generate: %q, %v", got, err)
	}
}

func TestGenerateIntoEmptyDir(t *testing.T) {
	mod := fakeModule(t, "example.com/fake")
	if err := os.MkdirAll(filepath.Join(mod, "drivers", "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run([]string{"-dir", filepath.Join(mod, "drivers"), "acme"}, &out, &errOut); err != nil {
		t.Fatalf("an existing empty directory is not an existing package: %v", err)
	}
}

func TestRunUsage(t *testing.T) {
	mod := fakeModule(t, "example.com/fake")
	dir := filepath.Join(mod, "drivers")
	for _, args := range [][]string{
		{},
		{"-dir", dir},
		{"-dir", dir, "acme", "other"},
		{"-dir", dir, "Acme"},
		{"-dir", "", "acme"},
		{"-nosuchflag", "acme"},
	} {
		var out, errOut bytes.Buffer
		err := run(args, &out, &errOut)
		if !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error wrote %s", dir)
	}
}

func TestGenerateOutsideModule(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run([]string{"-dir", dir, "acme"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "module") {
		t.Fatalf("run outside a module: err = %v, want an error about the module", err)
	}
	// A module that is not the payments module is refused too.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run([]string{"-dir", filepath.Join(other, "drivers"), "acme"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "payments module") {
		t.Fatalf("run in another module: err = %v, want a refusal", err)
	}
}

func TestModulePath(t *testing.T) {
	for in, want := range map[string]string{
		"module github.com/gopayments/payments\n\ngo 1.24.0\n": "github.com/gopayments/payments",
		"// c\nmodule \"example.com/q\" // x\n":                "example.com/q",
		"modulex foo\n":                                        "",
		"go 1.24\n":                                            "",
	} {
		if got := modulePath([]byte(in)); got != want {
			t.Errorf("modulePath(%q) = %q, want %q", in, got, want)
		}
	}
}
