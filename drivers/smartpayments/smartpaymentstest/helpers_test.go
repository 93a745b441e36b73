package smartpaymentstest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

type sim = smartpaymentstest.Server

func newSim(t *testing.T, opts ...smartpaymentstest.Option) *sim {
	t.Helper()
	srv := smartpaymentstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// reply is a decoded HTTP answer.
type reply struct {
	code   int
	header http.Header
	raw    []byte
	body   map[string]any // nil unless the body is a JSON object
}

func (r reply) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

func (r reply) num(key string) int64 {
	n, ok := r.body[key].(json.Number)
	if !ok {
		return -999999
	}
	i, err := n.Int64()
	if err != nil {
		return -999999
	}
	return i
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{code: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v: %s", req.Method, req.URL, err, raw)
		}
	}
	return r
}

// post sends a JSON body with the default credentials.
func post(t *testing.T, srv *sim, base, path, body string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(smartpaymentstest.DefaultMerchantKey, smartpaymentstest.DefaultSecret)
	return do(t, srv.Client(), req)
}

func get(t *testing.T, srv *sim, rawURL string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(smartpaymentstest.DefaultMerchantKey, smartpaymentstest.DefaultSecret)
	return do(t, srv.Client(), req)
}

// browser is a client that does not follow redirects, for form pages.
func browser(srv *sim) *http.Client {
	return &http.Client{
		Transport:     srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func browse(t *testing.T, srv *sim, method, rawURL string, form url.Values) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return do(t, browser(srv), req)
}

// edit returns a JSON request built from a document example with fields set
// (nil value: removed).
func edit(t *testing.T, doc string, set map[string]any) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loopbackURLs replaces the document's site.com URLs so nothing leaves the host.
var loopbackURLs = map[string]any{
	"success_url":  "http://127.0.0.1:1/success",
	"fail_url":     "http://127.0.0.1:1/fail",
	"callback_url": nil,
	"status_url":   nil,
}

func with(base map[string]any, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// h2h creates a one-step card payment from the document's example.
func h2h(t *testing.T, srv *sim, orderID, card string, amount int64, more map[string]any) reply {
	t.Helper()
	return post(t, srv, srv.CardBaseURL(), "/initPaymentHost2Host", edit(t, docHost2HostReq, with(loopbackURLs, with(map[string]any{
		"order_id": orderID, "card_number": card, "amount": amount,
	}, more))))
}

// authorize creates a two-step card payment from the document's example.
func authorize(t *testing.T, srv *sim, orderID, card string, amount int64, more map[string]any) reply {
	t.Helper()
	return post(t, srv, srv.CardBaseURL(), "/authorize", edit(t, docAuthorizeReq, with(loopbackURLs, with(map[string]any{
		"order_id": orderID, "card_number": card, "amount": amount,
	}, more))))
}

func check(t *testing.T, srv *sim, orderID string) reply {
	t.Helper()
	r := post(t, srv, srv.BaseURL(), "/check", fmt.Sprintf(`{"order_id": %q}`, orderID))
	if r.code != http.StatusOK {
		t.Fatalf("/check %s: HTTP %d %s", orderID, r.code, r.raw)
	}
	return r
}

func wantCode(t *testing.T, r reply, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("HTTP %d, want %d: %s", r.code, code, r.raw)
	}
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// shape maps a decoded JSON value to its structure: object keys with the
// JSON types of their values ("string", "number", "bool", "null"); arrays
// by the shape of their first element.
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
			return "empty array"
		}
		return []any{shape(x[0])}
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func decodeDoc(t *testing.T, doc string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("document example does not parse: %v", err)
	}
	return m
}

// sameShape checks that a reply has exactly the keys of the document's
// example, each with the same JSON type.
func sameShape(t *testing.T, r reply, doc string) {
	t.Helper()
	want, got := shape(decodeDoc(t, doc)), shape(r.body)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("answer shape differs from the document's example\n got: %s\nwant: %s\nbody: %s", g, w, r.raw)
	}
}

// sameKeys checks the key set only (types may differ, e.g. null vs string).
func sameKeys(t *testing.T, r reply, doc string) {
	t.Helper()
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	if g, w := keys(r.body), keys(decodeDoc(t, doc)); !reflect.DeepEqual(g, w) {
		t.Errorf("keys %v, want the document's %v", g, w)
	}
}
