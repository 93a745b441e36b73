package smartpay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// straddling is a credential long enough that any cut through it leaves a
// recognisable half.
const straddling = "whsec_STRADDLE_secret_0042_abcdefghij"

// assertNoHalf fails when s holds the first or the last 8 characters of
// straddling: the secret whole or either half of it.
func assertNoHalf(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, straddling[:8]) || strings.Contains(s, straddling[len(straddling)-8:]) {
		t.Errorf("%s leaks (part of) the secret: %s", what, s)
	}
}

// paddedMessage is a MOD1 "message" object whose compact rendering puts
// the secret across character 200, where rawText cuts.
func paddedMessage(t *testing.T) json.RawMessage {
	t.Helper()
	const prefix = `{"d":"` // rendering's first characters
	pad := strings.Repeat("x", 200-len(prefix)-len(straddling)/2)
	raw, err := json.Marshal(map[string]string{"d": pad + straddling + " tail"})
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(string(raw), straddling); i >= 200 || i+len(straddling) <= 200 {
		t.Fatalf("the secret does not straddle character 200: at %d", i)
	}
	return raw
}

// A provider error whose message object echoes a secret across the
// 200-character cut: the secret is stripped first, then the text is cut,
// so that neither half survives (issue 16).
func TestSecretStraddlingTheCutIsStripped(t *testing.T) {
	k := &redact.Known{}
	k.AddText(straddling)
	msg := paddedMessage(t)

	body, _ := json.Marshal(map[string]any{"error": "gateway_processing", "errorDetails": map[string]any{}, "message": msg})
	e := apiError(opCapture, &httpx.Response{StatusCode: 400, Body: body, Secrets: k})
	assertNoHalf(t, "Error.Message", e.Message)
	assertNoHalf(t, "Error()", e.Error())
	if !strings.Contains(e.Message, "xxxx") {
		t.Errorf("the message object is gone: %s", e.Message)
	}

	// An error body of no documented shape is rendered whole, then cut.
	odd, _ := json.Marshal(map[string]any{"d": json.RawMessage(msg)})
	e = apiError(opCapture, &httpx.Response{StatusCode: 400, Body: odd, Secrets: k})
	assertNoHalf(t, "Error.Message (undocumented shape)", e.Message)

	// A failed modification's error in PaymentDetails.
	doc := &paymentDoc{Modification: modifications{{Error: &gatewayError{Error: "payment_provider_processing", Message: msg}}}}
	d := detailsOf(&payments.Payment{}, doc, &detailsDoc{}, k)
	if len(d.Modifications) != 1 {
		t.Fatalf("%+v", d.Modifications)
	}
	assertNoHalf(t, "Modification.Error", d.Modifications[0].Error)
}

// A 2xx capture answer whose amount is an object quoting the credential
// (a provider echo): the unusable answer is ErrOutcomeUnknown, and its
// text shows no part of the credential, neither cut at the 32 characters
// the amount's error quotes nor whole.
func TestAmountErrorDoesNotCutASecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"paymentStatus":"CAPTURED","transactionOverview":{"transactionId":"tx-1","amount":{"xx":"` +
			straddling + `"},"currencyCode":"EUR"}}`))
	}))
	t.Cleanup(srv.Close)
	g, err := New(Config{MerchantKey: "merchant", AuthenticationKey: straddling, BaseURL: srv.URL,
		Origin: "https://shop.example", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	for name, do := range map[string]func() error{
		"capture": func() error {
			_, err := g.Capture(context.Background(), &payments.CaptureRequest{ID: "tx-1", IdempotencyKey: "k1"})
			return err
		},
		"status": func() error {
			_, err := g.Status(context.Background(), &payments.StatusRequest{ID: "tx-1"})
			return err
		},
	} {
		err := do()
		if err == nil {
			t.Fatalf("%s: an amount that is an object was accepted", name)
		}
		assertNoHalf(t, name+" error", err.Error())
		if !strings.Contains(err.Error(), "amount") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
