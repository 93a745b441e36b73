package smart2paytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Authorization headers of the document's examples, verbatim.
const (
	docAPMAuth  = "Basic MzAyMDE6aEo1Um9iWXg5cjdGZk53Q3ZIWTlMWEhxcXIrRkV6cmM3YUp2UVFrNEdhejFtZzdSeXk="
	docCardAuth = "Basic MTAxMDpnYWJp"
)

// testClock is a settable clock for WithClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(s string) *testClock {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		panic(err)
	}
	return &testClock{t: t}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newSim(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

type resp struct {
	code   int
	header http.Header
	raw    []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	v := decodeJSON(t, r.raw)
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("response is not a JSON object: %s", r.raw)
	}
	return m
}

// payment returns the object under the top-level "Payment" key.
func (r resp) payment(t *testing.T) map[string]any {
	t.Helper()
	m := r.json(t)
	p, ok := m["Payment"].(map[string]any)
	if !ok {
		t.Fatalf("no Payment object in %s", r.raw)
	}
	return p
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	return v
}

func call(t *testing.T, s *Server, base, method, path, auth, body string) resp {
	t.Helper()
	r, err := tryCall(s, base, method, path, auth, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryCall is call for goroutines other than the test's: it returns errors instead of failing.
func tryCall(s *Server, base, method, path, auth, body string) (resp, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return resp{}, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.Client().Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{res.StatusCode, res.Header, raw}, nil
}

// rawID extracts Payment.ID (or Refund.ID) from a raw answer without a *testing.T.
func rawID(raw []byte, key string) (string, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	id := string(m[key]["ID"])
	if id == "" || id == "null" {
		return "", fmt.Errorf("no %s.ID in %s", key, raw)
	}
	return id, nil
}

func apmCall(t *testing.T, s *Server, method, path, body string) resp {
	t.Helper()
	return call(t, s, s.BaseURL(), method, path, docAPMAuth, body)
}

func cardCall(t *testing.T, s *Server, method, path, body string) resp {
	t.Helper()
	return call(t, s, s.CardBaseURL(), method, path, docCardAuth, body)
}

func wantStatus(t *testing.T, r resp, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("HTTP %d, want %d; body %s", r.code, code, r.raw)
	}
	if ct := r.header.Get("Content-Type"); code != http.StatusNoContent && ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
}

func readDoc(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "doc", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadDoc(t *testing.T, name string) any {
	t.Helper()
	return decodeJSON(t, readDoc(t, name))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// sameShape checks that got has exactly the keys of want, recursively, with the same JSON
// types. Keys listed in nullOK may be null on one side and a value on the other (their value
// depends on history the document does not show, e.g. NotificationDateTime).
func sameShape(t *testing.T, path string, want, got any, nullOK ...string) {
	t.Helper()
	var errs []string
	compareShape(path, want, got, nullOK, &errs)
	if len(errs) > 0 {
		t.Errorf("shape differs from the document:\n  %s", strings.Join(errs, "\n  "))
	}
}

func compareShape(path string, want, got any, nullOK []string, errs *[]string) {
	wt, gt := jsonType(want), jsonType(got)
	if wt != gt {
		last := path[strings.LastIndex(path, ".")+1:]
		for _, k := range nullOK {
			if k == last && (wt == "null" || gt == "null") {
				return
			}
		}
		*errs = append(*errs, fmt.Sprintf("%s: document has %s, simulator %s", path, wt, gt))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				*errs = append(*errs, fmt.Sprintf("%s.%s: not in the document", path, k))
			case !gok:
				*errs = append(*errs, fmt.Sprintf("%s.%s: missing", path, k))
			default:
				compareShape(path+"."+k, wv, gv, nullOK, errs)
			}
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			for i := range g {
				compareShape(fmt.Sprintf("%s[%d]", path, i), w[min(i, len(w)-1)], g[i], nullOK, errs)
			}
		} else if len(w) != len(g) {
			*errs = append(*errs, fmt.Sprintf("%s: document has %d elements, simulator %d", path, len(w), len(g)))
		}
	}
}

// keyOrder returns the keys of a JSON object in the order they appear in raw.
func keyOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// innerRaw returns the raw JSON of raw's member key.
func innerRaw(t *testing.T, raw []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func status(t *testing.T, p map[string]any) (id any, info any, reasons any) {
	t.Helper()
	st, ok := p["Status"].(map[string]any)
	if !ok {
		t.Fatalf("no Status in %v", p)
	}
	return st["ID"], st["Info"], st["Reasons"]
}

func statusID(t *testing.T, p map[string]any) int64 {
	t.Helper()
	id, _, _ := status(t, p)
	return num(t, id)
}

// firstReason returns Status.Reasons[0].Code (as decoded: json.Number or string) and Info.
func firstReason(t *testing.T, p map[string]any) (any, string) {
	t.Helper()
	_, _, rs := status(t, p)
	list, ok := rs.([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("no Reasons in %v", p["Status"])
	}
	r := list[0].(map[string]any)
	return r["Code"], r["Info"].(string)
}

// receiver is a merchant notification endpoint.
type receiver struct {
	mu     sync.Mutex
	bodies [][]byte
	auths  []string
	calls  int
	// answer returns the status code for the n-th call (1-based); default 204.
	answer func(n int, r *http.Request) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.calls++
	n := rc.calls
	rc.bodies = append(rc.bodies, b)
	rc.auths = append(rc.auths, r.Header.Get("Authorization"))
	answer := rc.answer
	rc.mu.Unlock()
	code := http.StatusNoContent
	if answer != nil {
		code = answer(n, r)
	}
	w.WriteHeader(code)
}

func (rc *receiver) snapshot() ([][]byte, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...), append([]string(nil), rc.auths...)
}

func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
