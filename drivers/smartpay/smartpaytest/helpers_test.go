package smartpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 10, 9, 10, 50, 15, 708_000_000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type reqOpt func(*http.Request)

func withoutHeader(name string) reqOpt { return func(r *http.Request) { r.Header.Del(name) } }
func withHeader(name, value string) reqOpt {
	return func(r *http.Request) { r.Header.Set(name, value) }
}
func withBasic(user, pass string) reqOpt { return func(r *http.Request) { r.SetBasicAuth(user, pass) } }
func withBearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with the documented headers and the default
// merchant's Basic credentials; opts adjust it.
func call(t testing.TB, s *Server, method, path, body string, opts ...reqOpt) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.BaseURL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept-Language", "en-US")
	req.Header.Set("Origin", "https://shop.example")
	req.Header.Set("User-Agent", "smartpaytest-suite/1.0")
	req.SetBasicAuth(DefaultMerchantKey, DefaultAuthenticationKey)
	for _, o := range opts {
		o(req)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

func readDoc(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "doc", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shape maps a decoded JSON value to its skeleton: objects keep their keys,
// arrays their first element's shape, scalars become their JSON type name.
func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = shape(e)
		}
		return m
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shape(x[0])}
	case json.Number:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// diffShape lists the differences between two shapes. With subset, keys of
// want missing from got are not differences (got may omit optional keys).
func diffShape(path string, got, want any, subset bool) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want object", path, got)}
		}
		keys := map[string]bool{}
		for k := range g {
			keys[k] = true
		}
		for k := range w {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !wok:
				out = append(out, fmt.Sprintf("%s.%s: unexpected key", path, k))
			case !gok:
				if !subset {
					out = append(out, fmt.Sprintf("%s.%s: missing key", path, k))
				}
			default:
				out = append(out, diffShape(path+"."+k, gv, wv, subset)...)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want array", path, got)}
		}
		if len(w) > 0 && len(g) > 0 {
			out = append(out, diffShape(path+"[]", g[0], w[0], subset)...)
		}
	default:
		if !reflect.DeepEqual(got, want) {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", path, got, want))
		}
	}
	return out
}

func requireShape(t testing.TB, what string, got, want []byte, subset bool) {
	t.Helper()
	if d := diffShape("$", shape(decode(t, got)), shape(decode(t, want)), subset); len(d) > 0 {
		t.Errorf("%s: shape differs from the document:\n  %s\nbody: %s", what, strings.Join(d, "\n  "), got)
	}
}

// getPath walks a decoded document: getPath(m, "transactionOverview", "amount").
func getPath(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func str(m map[string]any, keys ...string) string {
	s, _ := getPath(m, keys...).(string)
	return s
}

func num(m map[string]any, keys ...string) string {
	n, ok := getPath(m, keys...).(json.Number)
	if !ok {
		return fmt.Sprintf("<not a number: %v>", getPath(m, keys...))
	}
	return n.String()
}

func firstError(t testing.TB, b []byte) map[string]any {
	t.Helper()
	m := decode(t, b)
	errs, ok := m["errors"].([]any)
	if !ok || len(errs) == 0 {
		t.Fatalf("no errors[] in %s", b)
	}
	return errs[0].(map[string]any)
}

func hasErrorProperty(t testing.TB, b []byte, property, code string) bool {
	t.Helper()
	m := decode(t, b)
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		em := e.(map[string]any)
		prop, _ := em["property"].(string)
		if prop == property && (code == "" || em["code"] == code) {
			return true
		}
	}
	return false
}

const authorizeBody = `{
  "paymentOption": {"invoicePayment": {"type": %q}},
  "partnerReference": %q,
  "payment": {"amount": %s, "currencyCode": "EUR", "description": "SMP-Transaction-01"},
  "billingAddress": {"addressLine1": "Leopoldstrasse", "number": "244", "city": "Munich", "postCode": "80807", "countryCode": "DEU"},
  "consumer": {"firstName": "John", "lastName": %q, "emailAddress": "customer@example.com"}
}`

func authorizeJSON(invoiceType, ref, amount, lastName string) string {
	return fmt.Sprintf(authorizeBody, invoiceType, ref, amount, lastName)
}

// authorize creates an invoice payment and returns its transactionId.
func authorize(t testing.TB, s *Server, invoiceType, ref, amount string, opts ...reqOpt) string {
	t.Helper()
	r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON(invoiceType, ref, amount, "Doe"), opts...)
	if r.status != http.StatusCreated {
		t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	return str(decode(t, r.body), "transactionOverview", "transactionId")
}

const creationBody = `{
  "merchantKey": %q,
  "partnerReference": %q,
  "payment": {"amount": %s, "currencyCode": "EUR", "description": "Purchase 1x product ABC"},
  "billingAddress": {"addressLine1": "Anystreet", "number": "123", "city": "Anytown", "postCode": "12345", "countryCode": "DEU"},
  "consumer": {"firstName": "Jacob", "lastName": "Smith", "emailAddress": "customer@example.com"},
  "shopCountry": "DE"
}`

func createCheckout(t testing.TB, s *Server, ref, amount string) map[string]any {
	t.Helper()
	r := call(t, s, http.MethodPost, PathCreation, fmt.Sprintf(creationBody, DefaultMerchantKey, ref, amount))
	if r.status != http.StatusCreated {
		t.Fatalf("creation: %d %s", r.status, r.body)
	}
	return decode(t, r.body)
}

func modBody(txID, modID, amount, description string) string {
	b := fmt.Sprintf(`{"transactionId": %q, "merchantKey": %q, "modificationId": %q`, txID, DefaultMerchantKey, modID)
	if amount != "" {
		b += fmt.Sprintf(`, "modifiedAmount": {"amount": %s, "currencyCode": "EUR", "description": %q}`, amount, description)
	}
	if description != "" {
		b += fmt.Sprintf(`, "description": %q`, description)
	}
	return b + "}"
}

func status(t testing.TB, s *Server, txID string) map[string]any {
	t.Helper()
	r := call(t, s, http.MethodGet, PathStatus+txID, "")
	if r.status != http.StatusOK {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	return decode(t, r.body)
}

// statusSchema is the shape every status / modification response must fit:
// seed 004's "Example (from schema)" (the schema of seed 003) with the two
// evident example-generator slips fixed to the schema's types
// (transactionOverview.amount decimal, targetMerchantAccountReference
// string), plus seed 003's top-level statusHistory (whose
// modificationAmount also has option and storedPaymentOptionReference).
func statusSchema(t testing.TB) []byte {
	t.Helper()
	m := decode(t, readDoc(t, "authorize_201_from_schema.json"))
	ov := m["transactionOverview"].(map[string]any)
	ov["amount"] = json.Number("49.99")
	ov["targetMerchantAccountReference"] = "123456789"
	m["statusHistory"] = []any{map[string]any{
		"error": "string",
		"modificationAmount": map[string]any{
			"amount": json.Number("49.99"), "currencyCode": "EUR", "description": "d",
			"option": "CARDS", "storedPaymentOptionReference": "string",
		},
		"status":     "string",
		"statusDate": "2024-07-29T15:51:28.071Z",
	}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// authorizeSchema is statusSchema plus the authorize response's top-level
// modificationId (seed 004 example).
func authorizeSchema(t testing.TB) []byte {
	t.Helper()
	m := decode(t, statusSchema(t))
	m["modificationId"] = "9b02425b-f346-4f16-892b-6716d5ecf9ac"
	return mustJSON(t, m)
}

func waitIdle(t testing.TB, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}
