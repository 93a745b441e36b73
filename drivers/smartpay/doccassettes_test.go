package smartpay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnaeon/go-vcr/v2/cassette"
	"github.com/dnaeon/go-vcr/v2/recorder"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
)

// The transcribed cassettes: each holds one interaction whose response is
// an example of the provider documents, verbatim, and whose request is what
// the driver sends for docRequest (the documents have no example request).
// They are written by TestTranscribeDocCassettes when
// SMARTPAY_TRANSCRIBE=1 and replayed by TestDocCassettes, which asserts how
// the driver maps each example. See testdata/cassettes/SOURCES.md.

type docCassette struct {
	name   string // file name without .yaml
	op     string // "authorize" or "status"
	status int
	body   string
	check  func(t *testing.T, p *payments.Payment, err error)
}

const docStatusID = "123e4567-e89b-12d3-a456-426614174000"

// docRequest is the authorization the transcribed authorize cassettes
// answer: the amount, currency, description and payment option of seed
// 004's 201 example.
func docRequest(t testing.TB) *payments.AuthorizeRequest { return prepaymentRequest(t) }

func wantCode(code payments.Code, check func(t *testing.T, e *payments.Error)) func(*testing.T, *payments.Payment, error) {
	return func(t *testing.T, p *payments.Payment, err error) {
		t.Helper()
		var pe *payments.Error
		if !errors.As(err, &pe) || pe.Code != code {
			t.Fatalf("error %v, want %s", err, code)
		}
		if pe.Provider != Name {
			t.Errorf("Provider %q", pe.Provider)
		}
		if p != nil && code != payments.Declined {
			t.Errorf("a Payment alongside a %s error: %+v", code, p)
		}
		if check != nil {
			check(t, pe)
		}
	}
}

func docCassettes() []docCassette {
	mod2 := func(status int, code string) func(*testing.T, *payments.Error) {
		return func(t *testing.T, e *payments.Error) {
			if e.HTTPStatus != status || e.ProviderCode != code || e.RequestID != "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00" {
				t.Errorf("%+v", e)
			}
		}
	}
	mod1 := func(status int) func(*testing.T, *payments.Error) {
		return func(t *testing.T, e *payments.Error) {
			if e.HTTPStatus != status || e.ProviderCode != "string" || e.Decline != nil {
				t.Errorf("%+v", e)
			}
		}
	}
	return []docCassette{
		{"doc_status_200_from_schema", "status", 200, docStatusFromSchema,
			// "amount": false cannot be an amount: the query's answer is
			// unusable, never a zero payment.
			wantCode(payments.Integrity, func(t *testing.T, e *payments.Error) {
				if !strings.Contains(e.Error(), "amount") {
					t.Errorf("the error does not name the amount: %v", e)
				}
			})},
		{"doc_authorize_201", "authorize", 201, docAuthorize201, func(t *testing.T, p *payments.Payment, err error) {
			if err != nil {
				t.Fatal(err)
			}
			eur := money(t, "50.99", "EUR")
			if p.ID != "9b02425b-f346-4f16-892b-6716d5ecf9ac" || p.Provider != Name || p.Reference != "order-1001" {
				t.Errorf("ids %+v", p)
			}
			// A fresh prepayment: the document answers CAPTURED (seed
			// 004_63b579a9eeecc4a0.txt l.482-498), yet the buyer has still
			// to pay with the transactionReference (l.4-7). Not captured.
			if p.Status != payments.StatusRequiresAction || p.ProviderStatus != "CAPTURED" {
				t.Errorf("status %s %q", p.Status, p.ProviderStatus)
			}
			if !p.Amount.Equal(eur) || !p.Captured.IsZero() || p.Captured.Currency != "EUR" || !p.Refunded.IsZero() || p.Refunded.Currency != "EUR" {
				t.Errorf("amounts %s %s %s", p.Amount, p.Captured, p.Refunded)
			}
			if p.Action == nil || p.Action.Type != payments.ActionDisplay || p.Action.Reference != "119344737107897" || p.Action.Details["paymentMethod"] != "PREPMNT" {
				t.Errorf("action %+v", p.Action)
			}
			if !p.Created.Equal(time.Date(2024, 10, 9, 10, 50, 15, 708e6, time.UTC)) || !p.Updated.Equal(time.Date(2024, 10, 9, 10, 50, 19, 705e6, time.UTC)) {
				t.Errorf("dates %s %s", p.Created, p.Updated)
			}
			// The invoice reference is 15 digits and passes the Luhn check,
			// but no card number starts with 1: Raw keeps it.
			if !bytes.Contains(p.Raw, []byte(`"transactionReference":"119344737107897"`)) {
				t.Errorf("raw %s", p.Raw)
			}
		}},
		{"doc_authorize_400_mod1", "authorize", 400, docMOD1_400, wantCode(payments.InvalidRequest, mod1(400))},
		{"doc_authorize_400_mod2", "authorize", 400, docMOD2_400, wantCode(payments.InvalidRequest, func(t *testing.T, e *payments.Error) {
			mod2(400, "value_out_of_bounds")(t, e)
			if e.Field != "someField" || !strings.Contains(e.Message, "Value out of bounds") {
				t.Errorf("%+v", e)
			}
		})},
		{"doc_authorize_401_mod1", "authorize", 401, docMOD1_401, wantCode(payments.Authentication, mod1(401))},
		{"doc_authorize_401_mod2", "authorize", 401, docMOD2_401, wantCode(payments.Authentication, mod2(401, "unauthorized"))},
		{"doc_authorize_403_mod1", "authorize", 403, docMOD1_403, wantCode(payments.Authentication, mod1(403))},
		{"doc_authorize_403_mod2", "authorize", 403, docMOD2_403, wantCode(payments.Authentication, mod2(403, "forbidden"))},
		{"doc_authorize_404_mod1", "authorize", 404, docMOD1_404, wantCode(payments.NotFound, mod1(404))},
		{"doc_authorize_404_mod2", "authorize", 404, docMOD2_404, wantCode(payments.NotFound, mod2(404, "not_found"))},
		// A 500 to a money-moving call: the payment may exist.
		{"doc_authorize_500_mod1", "authorize", 500, docMOD1_500, wantCode(payments.OutcomeUnknown, nil)},
		{"doc_authorize_500_mod2", "authorize", 500, docMOD2_500, wantCode(payments.OutcomeUnknown, nil)},
	}
}

func (d docCassette) run(g *Gateway, t testing.TB) (*payments.Payment, error) {
	if d.op == "status" {
		return g.Status(context.Background(), &payments.StatusRequest{ID: docStatusID})
	}
	return g.Authorize(context.Background(), docRequest(t))
}

func docCassettePath(name string) string { return filepath.Join("testdata", "cassettes", name) }

// canonicalMatcher matches method, URL and canonical JSON body, as the
// conformance suite does.
func canonicalMatcher(t *testing.T) cassette.Matcher {
	return func(r *http.Request, i cassette.Request) bool {
		if r.Method != i.Method || r.URL.String() != i.URL {
			return false
		}
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if len(body) == 0 || i.Body == "" {
			return len(body) == 0 && i.Body == ""
		}
		got, err1 := conformance.CanonicalJSON(body)
		want, err2 := conformance.CanonicalJSON([]byte(i.Body))
		if err1 != nil || err2 != nil {
			t.Errorf("not JSON: %v %v", err1, err2)
			return false
		}
		return bytes.Equal(got, want)
	}
}

func TestDocCassettes(t *testing.T) {
	for _, d := range docCassettes() {
		t.Run(d.name, func(t *testing.T) {
			rec, err := recorder.NewAsMode(docCassettePath(d.name), recorder.ModeReplaying, nil)
			if err != nil {
				t.Fatalf("cassette %s: %v (transcribe it with SMARTPAY_TRANSCRIBE=1)", d.name, err)
			}
			defer rec.Stop()
			rec.SkipRequestLatency = true
			rec.SetMatcher(canonicalMatcher(t))
			g := newTestGateway(t, rec)
			p, err := d.run(g, t)
			d.check(t, p, err)
		})
	}
}

// TestTranscribeDocCassettes writes the transcribed cassettes. Run it with
// SMARTPAY_TRANSCRIBE=1 after a deliberate change of the driver's requests.
func TestTranscribeDocCassettes(t *testing.T) {
	if os.Getenv("SMARTPAY_TRANSCRIBE") != "1" {
		t.Skip("set SMARTPAY_TRANSCRIBE=1 to rewrite testdata/cassettes/doc_*.yaml")
	}
	for _, d := range docCassettes() {
		ct := &captureTransport{answers: []cannedAnswer{{d.status, d.body}}}
		g := newTestGateway(t, ct)
		_, _ = d.run(g, t)
		if ct.count() != 1 {
			t.Fatalf("%s: %d requests", d.name, ct.count())
		}
		r, body := ct.last(t)
		hdr := r.Header.Clone()
		hdr.Set("Authorization", "Basic [REDACTED]")
		path := docCassettePath(d.name)
		_ = os.Remove(path + ".yaml")
		c := cassette.New(path)
		c.AddInteraction(&cassette.Interaction{
			Request: cassette.Request{Body: string(body), Form: map[string][]string{}, Headers: hdr, URL: r.URL.String(), Method: r.Method},
			Response: cassette.Response{Body: d.body, Headers: http.Header{"Content-Type": {"application/json"}},
				Status: strconv.Itoa(d.status) + " " + http.StatusText(d.status), Code: d.status},
		})
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
	}
}
