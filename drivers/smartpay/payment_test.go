package smartpay

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

func decodeDoc(t testing.TB, body string) *paymentDoc {
	t.Helper()
	var doc paymentDoc
	if err := httpx.DecodeJSON(Name, httpx.Query, "test", &httpx.Response{StatusCode: 200, Body: []byte(body)}, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// The status example of the documents with its one unreadable value
// ("amount": false) replaced: every other field decodes and maps.
func TestStatusExampleFields(t *testing.T) {
	body := strings.Replace(docStatusFromSchema, `"amount": false`, `"amount": 49.99`, 1)
	doc := decodeDoc(t, body)
	g := &Gateway{}
	p, err := g.toPayment(doc, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "123e4567-e89b-12d3-a456-426614174000" || p.Reference != "GHssjkauhdaku658702" {
		t.Errorf("%q %q", p.ID, p.Reference)
	}
	if p.Status != payments.StatusCaptured || !p.Captured.Equal(money(t, "49.99", "EUR")) {
		t.Errorf("%s %s", p.Status, p.Captured)
	}
	if !p.Created.Equal(time.Date(2023, 12, 7, 11, 34, 50, 884e6, time.UTC)) {
		t.Errorf("created %s", p.Created)
	}
	if p.Action == nil || p.Action.Reference != "THNkjjkfdhjk7798798" {
		t.Errorf("action %+v", p.Action)
	}
	m := doc.Modification.latest()
	if m == nil || m.ModificationData.Type != "CAPTURE" || m.ModificationData.ModificationID != "abcd123" ||
		m.Error == nil || m.Error.Error != "gateway_processing" {
		t.Errorf("modification %+v", m)
	}
}

// Members the driver does not read are not decoded: an unexpected type in
// one of them (the example's targetMerchantAccountReference is a number
// where the schema says string; deal, mit, customReferences are not read at
// all) cannot make an answer unreadable.
func TestUnreadMembersDoNotMatter(t *testing.T) {
	body := `{"paymentStatus":"AUTHORIZATION_COMPLETED","description":7,"paymentLinkId":[1],"modificationId":{},
		"transactionOverview":{"transactionId":"t","amount":20.00,"currencyCode":"EUR","paymentMethod":"PAYINVC",
			"deal":"x","mit":{"a":1},"customReferences":"not an object","customerAccountId":5,"targetMerchantAccountReference":{"x":1}},
		"statusHistory":[{"status":"AUTHORIZATION_COMPLETED","option":1,"modificationAmount":{"amount":20.00,"currencyCode":"EUR","description":false,"option":[]}}]}`
	p, err := (&Gateway{}).toPayment(decodeDoc(t, body), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "t" || p.Status != payments.StatusAuthorized || !p.Amount.Equal(money(t, "20.00", "EUR")) {
		t.Errorf("%+v", p)
	}
}

func TestModificationArray(t *testing.T) {
	body := `{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t","amount":"50.00","currencyCode":"EUR"},
		"modification":[{"modificationAmount":{"amount":20.00,"currencyCode":"EUR"},"modificationData":{"type":"CAPTURE"}},
		{"modificationAmount":{"amount":5.00,"currencyCode":"EUR"},"modificationData":{"type":"REFUND","refundId":"r"},"status":"REFUNDED"}]}`
	doc := decodeDoc(t, body)
	if len(doc.Modification) != 2 || doc.Modification.latest().ModificationData.RefundID != "r" {
		t.Fatalf("%+v", doc.Modification)
	}
	p, err := (&Gateway{}).toPayment(doc, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	// No history: the CAPTURE modifications count (20.00 of 50.00); the
	// refund's "REFUNDED" is a value no document defines: not refunded.
	if p.Status != payments.StatusPartiallyCaptured || !p.Captured.Equal(money(t, "20", "EUR")) || !p.Refunded.IsZero() {
		t.Errorf("%s %s %s", p.Status, p.Captured, p.Refunded)
	}
}

func TestTotals(t *testing.T) {
	h := func(status, amount, cur, errText string) historyItem {
		return historyItem{Status: status, Error: errText, ModificationAmount: historyAmount{Amount: wireAmount(amount), CurrencyCode: cur}}
	}
	amount := money(t, "50.00", "EUR")
	cases := []struct {
		name               string
		hist               []historyItem
		captured, refunded string
		err                string
	}{
		// REFUNDED is no documented value: refunds are never read from the
		// history (seed 003_6c7386b3129bc046.txt l.474-476 leaves status open).
		{"capture and refunds", []historyItem{h("AUTHORIZATION_COMPLETED", "50.00", "EUR", ""), h("CAPTURED", "30.00", "EUR", ""),
			h("CAPTURED", "20.00", "EUR", ""), h("REFUNDED", "5.00", "EUR", ""), h("REFUNDED", "1.50", "", "")}, "50", "0", ""},
		{"failed attempts do not count", []historyItem{h("CAPTURED", "30.00", "EUR", "declined"), h("REFUNDED", "5.00", "EUR", "error")}, "0", "0", ""},
		{"over-capture is a contradiction", []historyItem{h("CAPTURED", "50.00", "EUR", ""), h("CAPTURED", "50.00", "EUR", "")}, "", "", "exceeds"},
		{"capture of more than the amount", []historyItem{h("CAPTURED", "50.01", "EUR", "")}, "", "", "exceeds"},
		{"other currency", []historyItem{h("CAPTURED", "50.00", "USD", "")}, "", "", "USD"},
		{"unknown status values move no money", []historyItem{h("REFUNDED", "60.00", "EUR", ""), h("string", "5.00", "EUR", "")}, "0", "0", ""},
		{"finer than cents", []historyItem{h("CAPTURED", "1.001", "EUR", "")}, "", "", "fraction"},
		{"no amount", []historyItem{{Status: "CAPTURED"}}, "0", "0", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			captured, refunded, err := totals(&paymentDoc{StatusHistory: c.hist}, amount)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !captured.Equal(money(t, c.captured, "EUR")) || !refunded.Equal(money(t, c.refunded, "EUR")) {
				t.Errorf("captured %s refunded %s", captured, refunded)
			}
		})
	}
}

func TestToPaymentRejectsBadMoney(t *testing.T) {
	for _, body := range []string{
		`{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t","currencyCode":"EUR"}}`,
		`{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t","amount":1.5,"currencyCode":"XYZ"}}`,
		`{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t","amount":1.555,"currencyCode":"EUR"}}`,
	} {
		doc := decodeDoc(t, body)
		if p, err := (&Gateway{}).toPayment(doc, []byte(body)); err == nil {
			t.Errorf("%s: accepted as %+v", body, p)
		}
	}
}

func TestFailedPaymentDecline(t *testing.T) {
	body := `{"paymentStatus":"FAILED","transactionOverview":{"transactionId":"t","amount":10.00,"currencyCode":"EUR","acquirerResponse":"Insufficient funds 4012000000003010"}}`
	p, err := (&Gateway{}).toPayment(decodeDoc(t, body), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusFailed || p.Decline == nil || p.Decline.Reason != payments.DeclineGeneric ||
		!strings.Contains(p.Decline.Message, "Insufficient funds") || strings.Contains(p.Decline.Message, "4012000000003010") {
		t.Errorf("%+v %+v", p, p.Decline)
	}
	if p.Action != nil {
		t.Errorf("a failed payment has an action: %+v", p.Action)
	}
}

// FuzzDecodePayment feeds arbitrary bodies to the response decoding: it
// must never panic, and a Payment it accepts must be consistent.
func FuzzDecodePayment(f *testing.F) {
	for _, s := range []string{docAuthorize201, docStatusFromSchema,
		strings.Replace(docStatusFromSchema, `"amount": false`, `"amount": 49.99`, 1),
		statusBody("t-1", "CAPTURED", "50.99"), docMOD1_400, docMOD2_400, `{}`, `null`, `[]`,
		`{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"t","amount":"50.00","currencyCode":"EUR"},"statusHistory":[{"status":"REFUNDED","modificationAmount":{"amount":50.00,"currencyCode":"EUR"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var doc paymentDoc
		if httpx.DecodeJSON(Name, httpx.Query, "fuzz", &httpx.Response{StatusCode: 200, Body: body}, &doc) != nil {
			return
		}
		p, err := (&Gateway{}).toPayment(&doc, body)
		if err != nil {
			return
		}
		cur := p.Amount.Currency
		if p.Captured.Currency != cur || p.Refunded.Currency != cur {
			t.Fatalf("currencies %s %s %s", p.Amount, p.Captured, p.Refunded)
		}
		if c, _ := p.Captured.Cmp(p.Amount); c > 0 {
			t.Fatalf("captured %s above %s", p.Captured, p.Amount)
		}
		if p.Amount.Amount.IsNegative() || p.Captured.Amount.IsNegative() || p.Refunded.Amount.IsNegative() {
			t.Fatalf("negative amounts %s %s %s", p.Amount, p.Captured, p.Refunded)
		}
		if MapStatus(doc.PaymentStatus) == payments.StatusUnknown && p.Status != payments.StatusUnknown {
			t.Fatalf("unknown code %q became %s", doc.PaymentStatus, p.Status)
		}
		if !json.Valid(p.Raw) && json.Valid(body) {
			t.Fatalf("Raw is not JSON: %s", p.Raw)
		}
		_ = apiError("fuzz", &httpx.Response{StatusCode: 400, Body: body})
	})
}

// FuzzParseNotification feeds arbitrary bodies to the notification parser.
func FuzzParseNotification(f *testing.F) {
	seeds := []string{
		`{"id":"00000000-0000-4000-8004-000000000001","merchantKey":"31928de9-1344-469f-b0eb-8e5d0fef3d21","createdAt":"2024-10-09T10:50:15.708Z","origin":"api","eventType":"updated","objectId":"00000000-0000-4000-8000-000000000001","objectType":"prepayment","context":{"transactionId":"00000000-0000-4000-8000-000000000001"},"data":{"transactionId":"00000000-0000-4000-8000-000000000001","paymentStatus":"AUTHORIZATION_PENDING","amount":50.99,"currencyCode":"EUR","transactionReference":"700000000000001"},"metadata":{}}`,
		`{"id":"e","objectId":"r-1","objectType":"refund","context":{"transactionId":"t-1"},"data":{"refundId":"r-1","transactionId":"t-1","status":"REFUNDED","amount":5.00}}`,
		`{"id":"e","objectId":12345,"objectType":"PAYMENT"}`,
		`{"objectType":"refund","objectId":"r","data":"x","context":[1]}`,
		`{}`, `[]`, `null`, ``, `{"objectId":"a b","objectType":"payment"}`,
		`{"merchantKey":"a","MERCHANTKEY":"","objectId":"t-1","objectType":"payment"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseNotification(body)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid_request") {
				t.Fatalf("error of the wrong class: %v", err)
			}
			return
		}
		if ev.ObjectID == "" || ev.ObjectType == "" || checkID(ev.ObjectID) != nil {
			t.Fatalf("accepted %+v", ev)
		}
		if ev.TransactionID != "" && checkID(ev.TransactionID) != nil {
			t.Fatalf("unusable transactionId %q", ev.TransactionID)
		}
		if (ev.ObjectType == objectPayment || ev.ObjectType == objectPrepayment) && ev.TransactionID != ev.ObjectID {
			t.Fatalf("payment event names another transaction: %+v", ev)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			t.Fatalf("accepted a non-object: %q", body)
		}
		if k, dup := lowerDuplicate(body); dup {
			t.Fatalf("accepted key %q given twice: %q", k, body)
		}
	})
}

// lowerDuplicate reports a top-level key of a JSON object given twice when
// its ASCII letters are lower-cased (a finer equivalence than
// encoding/json's case folding: every pair it finds must be refused).
func lowerDuplicate(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		k, ok := tok.(string)
		if err != nil || !ok {
			return "", false
		}
		k = asciiLower(k)
		if seen[k] {
			return k, true
		}
		seen[k] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "", false
		}
	}
	return "", false
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func TestDetailsOfStatusExample(t *testing.T) {
	body := strings.Replace(docStatusFromSchema, `"amount": false`, `"amount": 49.99`, 1)
	doc := decodeDoc(t, body)
	p, err := (&Gateway{}).toPayment(doc, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var det detailsDoc
	if err := json.Unmarshal([]byte(body), &det); err != nil {
		t.Fatal(err)
	}
	d := detailsOf(p, doc, &det, nil)
	if d.ReconciliationReferenceID != "QixTLEO28YngDAUuaUEOi" || d.TransactionReference != "THNkjjkfdhjk7798798" ||
		d.PaymentMethod != "CARDS" || d.PaymentOrigin != "CHECKOUT" || d.AcquirerResponse != "string" {
		t.Errorf("%+v", d)
	}
	if len(d.Modifications) != 1 {
		t.Fatalf("%+v", d.Modifications)
	}
	m := d.Modifications[0]
	if m.Type != "CAPTURE" || m.ID != "3fa85f64-5717-4562-b3fc-2c963f66afa6" || m.ModificationID != "abcd123" ||
		!m.Amount.Equal(money(t, "49.99", "EUR")) || !strings.Contains(m.Error, "gateway") ||
		!m.Created.Equal(time.Date(2024, 7, 29, 15, 51, 28, 71e6, time.UTC)) {
		t.Errorf("%+v", m)
	}
}

// PaymentDetails reads what the hot paths skip (reconciliationReferenceId,
// paymentOrigin, the history's dates) from the same body, in order.
func TestDetailsOfHistory(t *testing.T) {
	body := `{"reconciliationReferenceId":"R","paymentStatus":"CAPTURED","partnerReference":"ref",
		"transactionOverview":{"transactionId":"t","amount":50.00,"currencyCode":"EUR","paymentMethod":"PAYINVC","paymentOrigin":"PAYMENT_AUTHORIZE_S2S"},
		"statusHistory":[
			{"status":"AUTHORIZATION_COMPLETED","statusDate":"2024-10-09T10:50:15.708Z","modificationAmount":{"amount":50.00,"currencyCode":"EUR"}},
			{"status":"CAPTURE_PENDING","statusDate":"2024-10-09T10:51:00Z"},
			{"status":"CAPTURED","statusDate":"2024-10-09T10:52:00Z","modificationAmount":{"amount":20.00}},
			{"status":"REFUNDED","statusDate":"2024-10-09T10:53:00Z","modificationAmount":null,"error":"declined"}]}`
	doc := decodeDoc(t, body)
	p, err := (&Gateway{}).toPayment(doc, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payments.StatusPartiallyCaptured || !p.Captured.Equal(money(t, "20", "EUR")) || !p.Refunded.IsZero() {
		t.Errorf("%s captured %s refunded %s", p.Status, p.Captured, p.Refunded)
	}
	var det detailsDoc
	if err := json.Unmarshal([]byte(body), &det); err != nil {
		t.Fatal(err)
	}
	d := detailsOf(p, doc, &det, nil)
	if d.ReconciliationReferenceID != "R" || d.PaymentOrigin != "PAYMENT_AUTHORIZE_S2S" || len(d.History) != 4 {
		t.Fatalf("%+v", d)
	}
	want := []struct {
		status, amount string
		at             time.Time
	}{
		{"AUTHORIZATION_COMPLETED", "50", time.Date(2024, 10, 9, 10, 50, 15, 708e6, time.UTC)},
		{"CAPTURE_PENDING", "0", time.Date(2024, 10, 9, 10, 51, 0, 0, time.UTC)},
		{"CAPTURED", "20", time.Date(2024, 10, 9, 10, 52, 0, 0, time.UTC)},
		{"REFUNDED", "0", time.Date(2024, 10, 9, 10, 53, 0, 0, time.UTC)},
	}
	for i, w := range want {
		h := d.History[i]
		if h.Status != w.status || !h.Amount.Equal(money(t, w.amount, "EUR")) || !h.At.Equal(w.at) {
			t.Errorf("history[%d] = %+v, want %+v", i, h, w)
		}
	}
	if d.History[3].Error != "declined" {
		t.Errorf("history[3].Error %q", d.History[3].Error)
	}
}
