package smartpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/gopayments/payments"
)

// readEnvelopeDecoder is the envelope reading before the json.Unmarshal
// fast path: a json.Decoder, then More. FuzzReadEnvelope checks that
// readEnvelope accepts and refuses exactly the bodies it did, with the same
// envelope and the same errors.
func readEnvelopeDecoder(body []byte, ev *webhookEvent) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badWebhook("the body is not a JSON object", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if err := dec.Decode(ev); err != nil {
		return badWebhook("malformed webhook body", err)
	}
	if dec.More() {
		return badWebhook("data after the JSON object", nil)
	}
	return nil
}

var webhookSeeds = []string{
	`{"id":"00000000-0000-4000-8004-000000000001","merchantKey":"31928de9-1344-469f-b0eb-8e5d0fef3d21","createdAt":"2024-10-09T10:50:15.708Z","origin":"api","eventType":"updated","objectId":"00000000-0000-4000-8000-000000000001","objectType":"prepayment","context":{"transactionId":"00000000-0000-4000-8000-000000000001"},"data":{"transactionId":"00000000-0000-4000-8000-000000000001","paymentStatus":"AUTHORIZATION_PENDING","amount":50.99,"currencyCode":"EUR","transactionReference":"700000000000001"},"metadata":{}}`,
	`{"id":"e","objectId":"r-1","objectType":"refund","context":{"transactionId":"t-1"},"data":{"refundId":"r-1","transactionId":"t-1","status":"REFUNDED","amount":5.00}}`,
	`{"id":"e","objectId":12345,"objectType":"PAYMENT"}`,
	`{"objectType":"refund","objectId":"r","data":"x","context":[1]}`,
	`{"objectType":"payment","objectId":"p"}}`,
	`{"objectType":"payment","objectId":"p"}]`,
	`{"objectType":"payment","objectId":"p"} {"objectType":"payment"}`,
	`{"objectType":"payment","objectId":"p"} x`,
	"\v{\"objectType\":\"payment\",\"objectId\":\"p\"}\u00a0",
	`{"objectType":"payment","objectId":"p","id":5}`,
	`{"objectType":"payment","objectId":"p","metadata":{"any":[1,2,{"x":null}]}}`,
	`{"objectType":"payment","objectId":"p"`,
	`{}`, `[]`, `null`, ``, `{"objectId":"a b","objectType":"payment"}`,
}

func envelopesMatch(t *testing.T, body []byte) {
	t.Helper()
	var got, want webhookEvent
	valid, err := readEnvelope(body, &got)
	wantErr := readEnvelopeDecoder(body, &want)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v, want %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %+v, want %+v", body, got, want)
	}
	if valid != json.Valid(body) {
		t.Fatalf("%q: valid %v", body, valid)
	}
}

func TestReadEnvelopeMatchesDecoder(t *testing.T) {
	for _, s := range webhookSeeds {
		envelopesMatch(t, []byte(s))
	}
}

// FuzzReadEnvelope: see readEnvelopeDecoder.
func FuzzReadEnvelope(f *testing.F) {
	for _, s := range webhookSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(envelopesMatch)
}

// TestParseNotificationDuplicateKeys: a key given twice, exactly or in another
// letter case, in the envelope or in the context or data object Notify
// reads the transactionId from, is refused: encoding/json keeps the last,
// so a body could name a merchant and then erase it.
func TestParseNotificationDuplicateKeys(t *testing.T) {
	const id = `"00000000-0000-4000-8000-000000000001"`
	tests := []struct {
		name, body, field string
	}{
		{"merchantKey twice", `{"merchantKey":"ours","merchantKey":"","objectId":` + id + `,"objectType":"payment"}`, "merchantKey"},
		{"MERCHANTKEY", `{"merchantKey":"other","MERCHANTKEY":"","objectId":` + id + `,"objectType":"payment"}`, "MERCHANTKEY"},
		{"escaped variant", `{"objectId":` + id + `,"objectType":"payment","object\u0049d":"00000000-0000-4000-8000-000000000002"}`, "objectId"},
		{"objectType twice", `{"objectId":` + id + `,"objectType":"refund","objecttype":"payment"}`, "objecttype"},
		{"context transactionId twice", `{"objectId":"r-1","objectType":"refund","context":{"transactionId":` + id + `,"TransactionId":"t-2"}}`, "TransactionId"},
		{"data transactionId twice", `{"objectId":"r-1","objectType":"refund","data":{"transactionId":` + id + `,"transactionId":"t-2"}}`, "transactionId"},
	}
	for _, tt := range tests {
		_, err := ParseNotification([]byte(tt.body))
		var pe *payments.Error
		if !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || pe.Field != tt.field {
			t.Errorf("%s: %v, want ErrInvalidRequest naming %q", tt.name, err, tt.field)
		}
	}
	// Distinct keys, and repeats inside metadata (not read), are fine.
	for _, body := range []string{
		`{"merchantKey":"ours","objectId":` + id + `,"objectType":"payment","metadata":{"a":1,"A":2}}`,
		`{"objectId":"r-1","objectType":"refund","context":{"transactionId":` + id + `},"data":{"transactionId":` + id + `,"refundId":"r-1"}}`,
	} {
		if _, err := ParseNotification([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}
