package smartpayments

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
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
			tx, err := g.transaction("order-1", &w, body)
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
			p, err := g.createdPayment(endpoint{op: "authorize", kind: callSale}, req, &w, resp)
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
