package smartpayments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/inbound"
)

// The document's example answers, the fuzzers' seed corpus.
var docAnswers = []string{
	`{"ACSUrl":null,"MD":null,"TermUrl":null,"description":"","status":1,"form_url":"https://payment.magua-pay.com/64a7e106d46c5db10d082b13","order_id":"sandboxFormId_1015","responseType":"REDIRECT"}`,
	`{"form_url":"https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d","threeDSMethodData":null,"order_id":"64a7eec2d46c5db10d082b3d","status":1,"stage":null,"description":"","endDate":null,"responseType":"REDIRECT","err":null,"msg":null,"paReq":null,"creq":null,"md":null,"termUrl":null,"acsurl":null}`,
	`{"order_id":"sandboxFormId_1015","status":2,"amount":1000,"finalAmount":900,"card":{"number":"401200******3010","bin":"401200","country":"Spain","iso":"ESP","type":"VISA"},"errorMessage":null,"cascadeErrors":null,"endDate":"2023-07-04T13:22:07.087Z","authorize_status":null,"type":"Payment","firstName":"John","lastName":"Doe"}`,
	`{"order_id":"sandboxFormId_1016","status":-1,"amount":1000,"finalAmount":900,"card":{"number":"401200******3010","bin":"401200","country":"Spain","iso":"ESP","type":"VISA"},"errorMessage":"PLATFORM_ERROR_GATE_NOT_FOUND","cascadeErrors":[{"gatePriority":0,"errorCategory":"PLATFORM_ERROR_ANTIFRAUD_RULES"},{"gatePriority":1,"errorCategory":"PLATFORM_ERROR_GATE_SKIPPED"},{"gatePriority":2,"errorCategory":"PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE"}],"endDate":"2024-01-12T11:18:26.678Z","authorize_status":null,"type":"Payment","firstName":"John","lastName":"Doe"}`,
	`{"success":false,"message":"","refund_id":"0719e590-1cda-11ee-82d1-a58ec416e4a2","parentTransaction":"64a40ee3c4125fdb1d5cf635"}`,
	`{"success":true,"message":"","payment_id":"0719e590-1cda-11ee-82d1-a58ec416e4a2","err":null}`,
	`{"order_id":"testPayout_1050","status":1,"card":{"number":"401200******3010","bin":"401200","country":"Spain","iso":"ESP","type":"VISA"},"err":null,"msg":null}`,
	`{"balance":10000,"holdBalance":0,"rollingBalance":0}`,
	`{"order_id":"66f55a03b2eb068a084168c2","status":2}`,
	`{"order_id":"66f40c8fb6ff9364083fc9a5","status":-1}`,
	`{"id":"641def1d70836759e8af7dd4","status":1}`,
	`{"status":-1,"order_id":"x","err":"INSUFFICIENT_FUNDS_PROCESSING_ERROR","msg":"Insufficient funds on the card"}`,
	`{"status":"2","amount":"1000","finalAmount":"0","authorize_status":"CAPTURED"}`,
	`{"status":1,"acsurl":"https://acs.example/3ds","paReq":"eJzV","md":"abc","termUrl":"https://term.example","creq":"eyJ0"}`,
	`{"status":2.5,"amount":1e3}`,
}

// FuzzDecodeResponses feeds any body to every answer decoder and mapper:
// they must never panic, never report a negative amount, and never map an
// undecodable body to anything but an error.
func FuzzDecodeResponses(f *testing.F) {
	for _, s := range docAnswers {
		f.Add([]byte(s), int8(0))
	}
	g, err := New(Config{MerchantKey: "k", Secret: "s", Account: "EUR-sandbox"})
	if err != nil {
		f.Fatal(err)
	}
	amount, _ := payments.ParseMoney("10.00", "EUR")
	f.Fuzz(func(t *testing.T, body []byte, which int8) {
		resp := &httpx.Response{StatusCode: 200, Body: body}
		switch which % 4 {
		case 0:
			var w checkResponse
			if err := httpx.DecodeJSON(Name, httpx.Query, "check", resp, &w); err != nil {
				return
			}
			tx, err := g.transaction(context.Background(), "order-1", &w, body)
			if err != nil {
				return
			}
			p := tx.Payment
			for _, m := range []payments.Money{p.Amount, p.Captured, p.Refunded} {
				if m.Amount.IsNegative() || m.Currency != "EUR" {
					t.Fatalf("amount %s in %s", m, body)
				}
			}
			if p.Status == payments.StatusFailed && p.Decline == nil {
				t.Fatalf("failed without a decline: %s", body)
			}
		case 1:
			var w paymentResponse
			if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, "authorize", resp, &w); err != nil {
				return
			}
			req := &payments.AuthorizeRequest{Reference: "order-1", Amount: amount, Capture: true}
			p, err := g.createdPayment(context.Background(), endpoint{op: "authorize", kind: callSale}, req, &w, resp)
			if err == nil && (p == nil || p.Status == payments.StatusFailed || p.Status == payments.StatusUnknown) {
				t.Fatalf("no error for %v: %s", p, body)
			}
			if p != nil && p.Action != nil && !httpURL(p.Action.URL) {
				t.Fatalf("action URL %q", p.Action.URL)
			}
		case 2:
			var w errorResponse
			_ = json.Unmarshal(body, &w)
			e := httpError("op", httpx.MoneyMoving, &httpx.Response{StatusCode: 400, Body: body})
			if e.Code == "" || strings.Contains(e.Error(), "4012000000003010") {
				t.Fatalf("bad error %v", e)
			}
		case 3:
			var w cascadeErrors
			_ = w.UnmarshalJSON(body)
			var n wireInt
			if n.UnmarshalJSON(body) == nil && bytes.ContainsAny(body, ".eE") && !bytes.Contains(body, []byte(`"`)) {
				t.Fatalf("accepted a non-integer %s", body)
			}
		}
	})
}

// FuzzParseCallback feeds any body to the callback parser: it must never
// panic, and what it accepts names an order.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		`{"orderId":"sandboxId_1015","status":2,"amount":1000,"currency":"EUR","finalAmount":1000,"type":"Payment","message":"","errorCategory":null,"cascadeErrors":null,"rrn":"318500000001","eci":"05","card":{"number":"401200******3010"},"sign":"abc"}`,
		`{"order_id":"sandboxId_1015","status":-1,"errorCategory":"INSUFFICIENT_FUNDS_PROCESSING_ERROR"}`,
		`{"orderId":12345,"status":"2"}`,
		`orderId=sandboxId_1015&status=2`,
		`{"orderId":null,"order_id":"x"}`,
		`{}`,
		``,
		`[1,2]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := parseCallback(body)
		if err != nil {
			if payments.CodeOf(err) != payments.InvalidRequest {
				t.Fatalf("error class %s", payments.CodeOf(err))
			}
			return
		}
		if cb.OrderID == "" || strings.TrimSpace(cb.OrderID) != cb.OrderID || len(cb.OrderID) > 256 {
			t.Fatalf("accepted order id %q from %q", cb.OrderID, body)
		}
	})
}

// parseCallbackMap is parseCallback's JSON reading before the one-pass
// member scan: a json.Decoder into a map. FuzzParseCallbackMatchesMap
// checks that the scan reads every body exactly as it did.
func parseCallbackMap(body []byte) (*callback, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return parseCallback(body) // the form and empty paths are shared
	}
	if err := inbound.CheckKeys(Name, trimmed); err != nil {
		return nil, err // the duplicate-key rule comes before either reading
	}
	cb := &callback{}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: Name, Message: "callback: malformed JSON", Err: err}
	}
	for _, k := range []string{"orderId", "order_id"} {
		if id := jsonIDDecoder(m[k]); id != "" {
			cb.OrderID = id
			break
		}
	}
	if raw, ok := m["status"]; ok {
		_ = cb.Status.UnmarshalJSON(raw)
	}
	if cb.OrderID == "" {
		return nil, payments.InvalidField("orderId", "the callback names no order (orderId or order_id)")
	}
	if len(cb.OrderID) > 256 || strings.ContainsAny(cb.OrderID, "\x00\r\n") {
		return nil, payments.InvalidField("orderId", "not an order id")
	}
	return cb, nil
}

// jsonIDDecoder is jsonID without its shortcuts.
func jsonIDDecoder(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&n) != nil {
		return ""
	}
	return n.String()
}

var callbackSeeds = []string{
	`{"orderId":"sandboxId_1015","status":2,"amount":1000,"currency":"EUR","finalAmount":1000,"type":"Payment","message":"","errorCategory":null,"cascadeErrors":null,"rrn":"318500000001","eci":"05","card":{"number":"401200******3010"},"sign":"abc"}`,
	`{"order_id":"sandboxId_1015","status":-1,"errorCategory":"INSUFFICIENT_FUNDS_PROCESSING_ERROR"}`,
	`{"orderId":12345,"status":"2"}`,
	`{"orderId":"a","orderId":"b","order_id":"c","status":1,"status":"x"}`,
	`{"orderId":"","order_id":" c ","nested":{"orderId":"no"},"list":[{"status":1},"]}"]}`,
	`{"order\u0049d":"esc","ORDERID":"folded","orderid":"lower"}`,
	`{"orderId":"caf\u00e9 \"q\"","status":0012}`,
	`{"orderId":0123}`,
	`{"orderId":-5,"status":2.0}`,
	`{"orderId":true,"order_id":["x"]}`,
	`{"orderId":"x"} trailing`,
	`{"orderId":"x"}}`,
	`{"orderId":"x"`,
	"{\"orderId\":\"\xff\xfe\"}",
	" \n{ \"orderId\" : \"spaced\" , \"status\" : 2 }\n",
	"\v{\"orderId\":\"vt\"}",
	`orderId=sandboxId_1015&status=2`,
	`{"orderId":null,"order_id":"x"}`,
	`{}`,
	``,
	`[1,2]`,
}

// FuzzParseCallbackMatchesMap checks the one-pass reading of a JSON
// callback against the map decode it replaced: same order, same status,
// same error.
func FuzzParseCallbackMatchesMap(f *testing.F) {
	for _, s := range callbackSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseCallback(body)
		want, wantErr := parseCallbackMap(body)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, want %v", body, err, wantErr)
		}
		if err != nil {
			if err.Error() != wantErr.Error() {
				t.Fatalf("%q: error %q, want %q", body, err, wantErr)
			}
			return
		}
		if *got != *want {
			t.Fatalf("%q: %+v, want %+v", body, *got, *want)
		}
	})
}

func TestParseCallbackMatchesMap(t *testing.T) {
	for _, s := range callbackSeeds {
		got, err := parseCallback([]byte(s))
		want, wantErr := parseCallbackMap([]byte(s))
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) || (err == nil && *got != *want) {
			t.Errorf("%q: %+v %v, want %+v %v", s, got, err, want, wantErr)
		}
	}
}

// TestCallbackDuplicateKeys: a key given twice in a callback, exactly, in
// another letter case or escaped, is refused, in JSON and in forms: which
// order is meant cannot be told.
func TestCallbackDuplicateKeys(t *testing.T) {
	for _, body := range []string{
		`{"orderId":"a","orderId":"b"}`,
		`{"orderId":"a","ORDERID":"b"}`,
		`{"order\u0049d":"a","orderid":"b"}`,
		`{"orderId":"a","status":2,"Status":-1}`,
		`{"orderId":"a","orderId":"b"}}`, // the decoder path (data after the object)
		`orderId=a&orderId=b`,
		`orderId=a&ORDERID=b`,
	} {
		_, err := parseCallback([]byte(body))
		var pe *payments.Error
		if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || !strings.Contains(pe.Message, "more than once") {
			t.Errorf("%s: %v, want a duplicate-key error", body, err)
		}
	}
	// One of each is fine, and so are repeats inside nested values.
	for _, body := range []string{`{"orderId":"a","order_id":"a","status":2,"card":{"x":1,"X":2}}`, `orderId=a&order_id=a`} {
		if _, err := parseCallback([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// FuzzCallbackDuplicateKeys: no accepted callback names a top-level key
// twice (ASCII letters compared without case: a finer equivalence than the
// parser's, so every pair it finds must have been refused).
func FuzzCallbackDuplicateKeys(f *testing.F) {
	for _, s := range callbackSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := parseCallback(body); err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			k, ok := tok.(string)
			if err != nil || !ok {
				return
			}
			k = strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + 'a' - 'A'
				}
				return r
			}, k)
			if seen[k] {
				t.Fatalf("accepted %q with key %q twice", body, k)
			}
			seen[k] = true
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return
			}
		}
	})
}
