package main

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// options are the generator's inputs.
type options struct {
	// Name is the driver's package name.
	Name string
	// Dir is the directory the package is written under (DIR/NAME).
	Dir string
	// Force allows overwriting the generated files of an existing package.
	Force bool
}

// result says what generate wrote.
type result struct {
	// RelDir is DIR/NAME relative to the module root, slash-separated.
	RelDir string
	// Files are the files written, in template order.
	Files []writtenFile
}

// writtenFile is one file generate wrote.
type writtenFile struct {
	// Path is where it was written.
	Path string
	// Overwrote is true when a file was already there (-force).
	Overwrote bool
}

// tmplData is what the templates see.
type tmplData struct {
	// Name is the driver's package name and Gateway.Name ("acme").
	Name string
	// Upper is Name in upper case, for environment variables ("ACME").
	Upper string
	// Module is the payments module path ("github.com/gopayments/payments").
	Module string
	// Pkg is the driver package's import path.
	Pkg string
	// RelDir is the package directory relative to the module root
	// ("drivers/acme").
	RelDir string
}

// outputs maps each template to the file it produces, relative to DIR/NAME;
// "NAME" in a path is replaced with the driver name.
var outputs = []struct{ tmpl, out string }{
	{"driver.go.tmpl", "NAME.go"},
	{"doc.go.tmpl", "doc.go"},
	{"wire.go.tmpl", "wire.go"},
	{"status.go.tmpl", "status.go"},
	{"status_test.go.tmpl", "status_test.go"},
	{"errors.go.tmpl", "errors.go"},
	{"errors_test.go.tmpl", "errors_test.go"},
	{"notify.go.tmpl", "notify.go"},
	{"conformance_test.go.tmpl", "conformance_test.go"},
	{"fuzz_test.go.tmpl", "fuzz_test.go"},
	{"simulator.go.tmpl", "NAMEtest/server.go"},
	{"sources.md.tmpl", "testdata/cassettes/SOURCES.md"},
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// maxNameLen keeps package names, file names and env variables readable.
const maxNameLen = 32

// goKeywords cannot be package names.
var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true,
	"default": true, "defer": true, "else": true, "fallthrough": true, "for": true,
	"func": true, "go": true, "goto": true, "if": true, "import": true,
	"interface": true, "map": true, "package": true, "range": true, "return": true,
	"select": true, "struct": true, "switch": true, "type": true, "var": true,
}

// importedNames are the package names the generated files import. NAME and
// NAMEtest must differ from them, or the generated code would not compile
// (conformance_test.go imports NAMEtest next to net/http/httptest, and so
// on) or would read confusingly.
var importedNames = map[string]bool{
	"payments": true, "conformance": true, "httpx": true, "redact": true,
	"bytes": true, "context": true, "errors": true, "fmt": true, "http": true,
	"httptest": true, "json": true, "slog": true, "os": true, "slices": true,
	"strings": true, "sync": true, "testing": true, "time": true, "url": true,
	"memory": true, // the in-process reference driver
}

// validateName checks a driver name.
func validateName(name string) error {
	switch {
	case name == "":
		return usageError("NAME is empty")
	case len(name) > maxNameLen:
		return usageError("NAME %q is longer than %d characters", name, maxNameLen)
	case !nameRE.MatchString(name):
		return usageError("NAME %q must be lower-case ASCII letters and digits, starting with a letter (it is the Go package name and Gateway.Name)", name)
	case goKeywords[name]:
		return usageError("NAME %q is a Go keyword", name)
	case importedNames[name] || importedNames[name+"test"]:
		return usageError("NAME %q clashes with a package the generated driver imports or an existing one; choose another", name)
	}
	return nil
}

// generate renders every template for o.Name and writes the files. Nothing
// is written unless every template renders and every Go file formats.
func generate(o options) (*result, error) {
	if err := validateName(o.Name); err != nil {
		return nil, err
	}
	if o.Dir == "" {
		return nil, usageError("-dir is empty")
	}
	absDir, err := filepath.Abs(filepath.Join(o.Dir, o.Name))
	if err != nil {
		return nil, err
	}
	root, module, err := findModule(absDir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, absDir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s is outside the module at %s", absDir, root)
	}
	relSlash := filepath.ToSlash(rel)
	data := tmplData{
		Name:   o.Name,
		Upper:  strings.ToUpper(o.Name),
		Module: module,
		Pkg:    path.Join(module, relSlash),
		RelDir: relSlash,
	}

	if entries, err := os.ReadDir(absDir); err == nil && len(entries) > 0 && !o.Force {
		return nil, fmt.Errorf("%s already exists and is not empty: refusing to overwrite it (use -force to overwrite the generated files)", displayPath(o.Dir, o.Name))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	tmpl, err := template.New("").Option("missingkey=error").ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parsing templates: %w", err)
	}
	type rendered struct {
		path string
		body []byte
	}
	var files []rendered
	for _, out := range outputs {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, out.tmpl, data); err != nil {
			return nil, fmt.Errorf("template %s: %w", out.tmpl, err)
		}
		body := buf.Bytes()
		rel := strings.ReplaceAll(out.out, "NAME", o.Name)
		if strings.HasSuffix(rel, ".go") {
			formatted, err := format.Source(body)
			if err != nil {
				return nil, fmt.Errorf("template %s does not produce valid Go for %s: %w", out.tmpl, rel, err)
			}
			body = formatted
		}
		files = append(files, rendered{path: filepath.Join(absDir, filepath.FromSlash(rel)), body: body})
	}

	res := &result{RelDir: relSlash}
	for _, f := range files {
		_, statErr := os.Stat(f.path)
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(f.path, f.body, 0o644); err != nil {
			return res, err
		}
		res.Files = append(res.Files, writtenFile{Path: f.path, Overwrote: statErr == nil})
	}
	return res, nil
}

// displayPath is DIR/NAME as the user gave DIR.
func displayPath(dir, name string) string {
	return filepath.ToSlash(filepath.Join(dir, name))
}

// findModule walks up from dir (which need not exist yet) to the nearest
// go.mod and returns its directory and module path. The module must be the
// payments module (it has conformance/ and internal/httpx/): the generated
// driver imports them, and internal/httpx only from inside that module.
func findModule(dir string) (root, module string, err error) {
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			module = modulePath(data)
			if module == "" {
				return "", "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
			}
			for _, need := range []string{"conformance", filepath.Join("internal", "httpx")} {
				if st, err := os.Stat(filepath.Join(d, need)); err != nil || !st.IsDir() {
					return "", "", fmt.Errorf("module %s at %s has no %s/: newdriver writes drivers inside the payments module", module, d, filepath.ToSlash(need))
				}
			}
			return d, module, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", fmt.Errorf("%s is not inside a Go module: run newdriver from the payments module (or point -dir into it)", dir)
		}
		d = parent
	}
}

// modulePath returns the module path of a go.mod file, "" if it has none.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		rest = strings.TrimSpace(rest)
		if i := strings.Index(rest, "//"); i >= 0 {
			rest = strings.TrimSpace(rest[:i])
		}
		if unq, err := strconv.Unquote(rest); err == nil {
			return unq
		}
		return rest
	}
	return ""
}
