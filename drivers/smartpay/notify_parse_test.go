package smartpay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
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
