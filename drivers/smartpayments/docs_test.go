package smartpayments_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnaeon/go-vcr/v2/cassette"
	"github.com/dnaeon/go-vcr/v2/recorder"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/internal/redact"
)

// docGateway replays one cassette transcribed from the provider document
// (testdata/cassettes/Doc*.yaml, see SOURCES.md) through a gateway built
// with the documented hosts. Requests match on method, URL and the
// canonical JSON of the scrubbed body, in order; every interaction must be
// used by the end of the test.
func docGateway(t *testing.T, name string, cfg smartpayments.Config) *smartpayments.Gateway {
	t.Helper()
	file := filepath.Join("testdata", "cassettes", name)
	c, err := cassette.Load(file)
	require.NoError(t, err)
	rec, err := recorder.NewAsMode(file, recorder.ModeReplaying, nil)
	require.NoError(t, err)
	rec.SkipRequestLatency = true
	hits := 0
	var misses []string
	rec.SetMatcher(func(r *http.Request, i cassette.Request) bool {
		if r.Method != i.Method || r.URL.String() != i.URL {
			return false
		}
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		got, want := canonical(t, redact.JSON(body)), canonical(t, []byte(i.Body))
		if got != want {
			misses = append(misses, "sent     "+got+"\nrecorded "+want)
			return false
		}
		hits++
		return true
	})
	t.Cleanup(func() {
		for _, m := range misses {
			t.Logf("unmatched request body:\n%s", m)
		}
		if !t.Failed() {
			assert.Equal(t, len(c.Interactions), hits, "interactions of %s used", name)
		}
		_ = rec.Stop()
	})
	if cfg.MerchantKey == "" {
		cfg.MerchantKey, cfg.Secret = "test", "qwerty"
	}
	if cfg.Account == "" {
		cfg.Account = "EUR-sandbox"
	}
	if cfg.PayoutAccount == "" {
		cfg.PayoutAccount = "EUR-sandbox-payout"
	}
	if cfg.MerchantSite == "" {
		cfg.MerchantSite = "https://merchant.site"
	}
	cfg.HTTPClient = &http.Client{Transport: rec}
	g, err := smartpayments.New(cfg)
	require.NoError(t, err)
	return g
}

func canonical(t *testing.T, b []byte) string {
	t.Helper()
	if len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	c, err := conformance.CanonicalJSON(b)
	require.NoError(t, err, "body %s", b)
	return string(c)
}

func eur(t testing.TB, s string) payments.Money {
	t.Helper()
	m, err := payments.ParseMoney(s, "EUR")
	require.NoError(t, err)
	return m
}

// docRequest is the document's example payment request, in neutral terms.
// The document's customer_email is obfuscated ("[email protected]") and
// replaced with a valid address.
func docRequest(t *testing.T, ref string, method payments.PaymentMethod, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference:   ref,
		Amount:      eur(t, "10.00"),
		Capture:     capture,
		Method:      method,
		Description: "description",
		Customer: &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john.doe@example.com",
			Phone: "+442079460612", IP: "127.0.0.1"},
		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "121165", Country: "GB"},
		ReturnURLs: payments.ReturnURLs{Success: "https://site.com/success", Failure: "https://site.com/fail",
			Notification: "https://site.com/callback"},
		ProviderOptions: []any{&smartpayments.AuthorizeOptions{StatusURL: "https://site.com/redir"}},
	}
}

var docCard = payments.Card{Number: "4012000000003010", Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "25", CVV: "123"}

func TestDocInitPayment(t *testing.T) {
	g := docGateway(t, "DocInitPayment", smartpayments.Config{})
	p, err := g.Authorize(context.Background(), docRequest(t, "sandboxFormId_1015", payments.HostedPage{}, true))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRequiresAction, p.Status)
	assert.Equal(t, "1 Processing", p.ProviderStatus)
	assert.Equal(t, "sandboxFormId_1015", p.ID)
	require.NotNil(t, p.Action)
	assert.Equal(t, payments.ActionRedirect, p.Action.Type)
	assert.Equal(t, "https://payment.magua-pay.com/64a7e106d46c5db10d082b13", p.Action.URL)
	assert.Equal(t, http.MethodGet, p.Action.Method)
	assert.True(t, p.Amount.Equal(eur(t, "10.00")))
	assert.True(t, p.Captured.IsZero())
	assert.Contains(t, string(p.Raw), `"responseType":"REDIRECT"`)
}

func TestDocHost2HostCard(t *testing.T) {
	g := docGateway(t, "DocHost2HostCard", smartpayments.Config{})
	p, err := g.Authorize(context.Background(), docRequest(t, "sandboxId_1015", docCard, true))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRequiresAction, p.Status)
	require.NotNil(t, p.Action)
	assert.Equal(t, "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d", p.Action.URL)
	assert.Equal(t, "sandboxId_1015", p.ID, "the merchant's order id, not the processing id of the answer")
	assert.NotContains(t, string(p.Raw), "4012000000003010")
}

func TestDocHost2HostGooglePay(t *testing.T) {
	g := docGateway(t, "DocHost2HostGooglePay", smartpayments.Config{})
	token := payments.WalletToken("eyJzaWduYXR1cmUiOiIqKioiLCJpbnRlcm1lZGlhdGVTaWduaW5nS2V5Ijp7InNpZ25lZEtleSI6Insia2V5VmFsdWUiOiIqKioiLCJrZXlFeHBpcmF0aW9uIjoiMTcxMTQzNDQ1MjgzNiJ9Iiwic2lnbmF0dXJlcyI6WyIqKioiXX0sInByb3RvY29sVmVyc2lvbiI6IkVDdjIiLCJzaWduZWRNZXNzYWdlIjoieyJlbmNyeXB0ZWRNZXNzYWdlIjoiKioqIiwiZXBoZW1lcmFsUHVibGljS2V5IjoiKioqIiwidGFnIjoiKioqIn0ifQ")
	p, err := g.Authorize(context.Background(), docRequest(t, "sandboxId_1015", payments.GooglePay{Token: token, Network: "Visa"}, true))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRequiresAction, p.Status)
	require.NotNil(t, p.Action)
	assert.Equal(t, payments.ActionRedirect, p.Action.Type)
}

func TestDocAuthorize(t *testing.T) {
	g := docGateway(t, "DocAuthorize", smartpayments.Config{})
	p, err := g.Authorize(context.Background(), docRequest(t, "sandboxId_1016", docCard, false))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRequiresAction, p.Status)
	require.NotNil(t, p.Action)
	assert.Equal(t, "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d", p.Action.URL)
}

func TestDocCheckSuccess(t *testing.T) {
	g := docGateway(t, "DocCheckSuccess", smartpayments.Config{})
	tx, err := g.Check(context.Background(), "sandboxId_1015")
	require.NoError(t, err)
	p := tx.Payment
	assert.Equal(t, "sandboxId_1015", p.ID)
	// Seed 000_2d15c756a78f42ef.txt l.325-344 verbatim: status 2 is
	// Captured for "amount" (1000); finalAmount (900) is defined nowhere and
	// stays in Raw: no refund is derived from it.
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, "2 Success", p.ProviderStatus)
	assert.True(t, p.Amount.Equal(eur(t, "10.00")), "amount %s", p.Amount)
	assert.True(t, p.Captured.Equal(eur(t, "10.00")), "captured %s", p.Captured)
	assert.True(t, p.Refunded.IsZero(), "refunded %s", p.Refunded)
	assert.Contains(t, string(p.Raw), `"finalAmount":900`)
	assert.Nil(t, p.Decline)
	assert.Equal(t, time.Date(2023, 7, 4, 13, 22, 7, 87e6, time.UTC), p.Updated)
	assert.Equal(t, smartpayments.TypePayment, tx.Type)
	require.NotNil(t, tx.Card)
	assert.Equal(t, smartpayments.CardInfo{Number: "401200******3010", BIN: "401200", Country: "Spain", CountryISO: "ESP", Brand: "VISA"}, *tx.Card)
	assert.Equal(t, "John", tx.FirstName)
	assert.Equal(t, "Doe", tx.LastName)
}

func TestDocCheckFailure(t *testing.T) {
	g := docGateway(t, "DocCheckFailure", smartpayments.Config{})
	p, err := g.Status(context.Background(), &payments.StatusRequest{Reference: "sandboxFormId_1016"})
	require.NoError(t, err, "a query succeeds whatever the payment's state")
	assert.Equal(t, payments.StatusFailed, p.Status)
	assert.True(t, p.Captured.IsZero())
	assert.True(t, p.Refunded.IsZero(), "finalAmount 900 of a failed payment is no refund")
	require.NotNil(t, p.Decline)
	// Seed 000_2d15c756a78f42ef.txt l.360-374: gate 0 was refused by the
	// anti-fraud rules, a hard decline, whatever errorMessage says.
	assert.Equal(t, payments.DeclineSuspectedFraud, p.Decline.Reason)
	assert.False(t, p.Decline.Reason.Soft())
	assert.Equal(t, "PLATFORM_ERROR_GATE_NOT_FOUND", p.Decline.Code)
	assert.Equal(t, "operation could not find a gate to pass the operation; cascade: gate 0: PLATFORM_ERROR_ANTIFRAUD_RULES, "+
		"gate 1: PLATFORM_ERROR_GATE_SKIPPED, gate 2: PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE", p.Decline.Message)
}

func TestDocCheckFailureCascade(t *testing.T) {
	g := docGateway(t, "DocCheckFailure", smartpayments.Config{})
	tx, err := g.Check(context.Background(), "sandboxFormId_1016")
	require.NoError(t, err)
	assert.Equal(t, []smartpayments.CascadeError{
		{GatePriority: 0, ErrorCategory: "PLATFORM_ERROR_ANTIFRAUD_RULES"},
		{GatePriority: 1, ErrorCategory: "PLATFORM_ERROR_GATE_SKIPPED"},
		{GatePriority: 2, ErrorCategory: "PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE"},
	}, tx.CascadeErrors)
	assert.Equal(t, "PLATFORM_ERROR_GATE_NOT_FOUND", tx.ErrorMessage)
}

func TestDocRefund(t *testing.T) {
	g := docGateway(t, "DocRefund", smartpayments.Config{})
	amount := eur(t, "10.00")
	r, err := g.Refund(context.Background(), &payments.RefundRequest{ID: "sandboxId_1015", Amount: &amount})
	require.NoError(t, err)
	// "success": false with a refund_id: accepted, being processed.
	assert.Equal(t, payments.RefundPending, r.Status)
	assert.Equal(t, "0719e590-1cda-11ee-82d1-a58ec416e4a2", r.ID)
	assert.Equal(t, "sandboxId_1015", r.PaymentID)
	assert.True(t, r.Amount.Equal(amount))
	assert.Equal(t, "success=false", r.ProviderStatus)
}

func TestDocRecurrent(t *testing.T) {
	g := docGateway(t, "DocRecurrent", smartpayments.Config{})
	p, err := g.Recurrent(context.Background(), &smartpayments.RecurrentRequest{
		Reference: "sandboxRecurId_1015", ParentID: "sandboxId_1015", Amount: eur(t, "10.00"), Description: "test recurrent",
	})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, "sandboxRecurId_1015", p.ID)
	assert.True(t, p.Captured.Equal(eur(t, "10.00")))
	assert.Contains(t, string(p.Raw), "0719e590-1cda-11ee-82d1-a58ec416e4a2")
}

func TestDocTokenizeForm(t *testing.T) {
	g := docGateway(t, "DocTokenizeForm", smartpayments.Config{})
	f, err := g.TokenizeForm(context.Background(), &smartpayments.TokenizeRequest{
		Reference: "tokenizeOrderId_1050", NotificationURL: "https://site.com/callback",
		SuccessURL: "https://site.com/success", FailURL: "https://site.com/fail",
	})
	require.NoError(t, err)
	assert.Equal(t, "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d", f.URL)
	assert.Equal(t, "64a7eec2d46c5db10d082b3d", f.ProcessingID)
	assert.Equal(t, "tokenizeOrderId_1050", f.Reference)
	assert.Equal(t, int64(1), f.Status)
}

func TestDocWithdrawal(t *testing.T) {
	g := docGateway(t, "DocWithdrawal", smartpayments.Config{})
	w, err := g.Withdraw(context.Background(), &smartpayments.WithdrawalRequest{
		Reference: "testPayout_1050", Amount: eur(t, "100.00"), Method: smartpayments.WithdrawalCard,
		CardNumber: "4123540003981114",
		Customer: smartpayments.WithdrawalCustomer{FirstName: "John", MiddleName: "Jerom", LastName: "Doe",
			Phone: "+442079460612", BirthDate: "1997-06-06", ZipCode: "121165"},
		NotificationURL: "https://site.com/callback",
	})
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalPending, w.Status)
	assert.Equal(t, "1 Processing", w.ProviderStatus)
	require.NotNil(t, w.Card)
	assert.Equal(t, "401200******3010", w.Card.Number)
	assert.True(t, w.Amount.Equal(eur(t, "100.00")))
}

func TestDocBalance(t *testing.T) {
	g := docGateway(t, "DocBalance", smartpayments.Config{})
	b, err := g.Balance(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "EUR-sandbox-payout", b.Account)
	assert.Equal(t, "100.00 EUR", b.Available.String())
	assert.Equal(t, "0.00 EUR", b.Hold.String())
	assert.Equal(t, "0.00 EUR", b.Rolling.String())
}

func TestDocCapture(t *testing.T) {
	g := docGateway(t, "DocCapture", smartpayments.Config{})
	p, err := g.Capture(context.Background(), &payments.CaptureRequest{ID: "sandboxId_1016"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, "2 Success", p.ProviderStatus)
	assert.True(t, p.Amount.Equal(eur(t, "10.00")))
	assert.True(t, p.Captured.Equal(eur(t, "10.00")))
}

func TestDocCancel(t *testing.T) {
	g := docGateway(t, "DocCancel", smartpayments.Config{})
	p, err := g.Cancel(context.Background(), &payments.CancelRequest{ID: "sandboxId_1016"})
	require.NoError(t, err)
	// -1 is the payment's status after a successful cancel.
	assert.Equal(t, payments.StatusCanceled, p.Status)
	assert.Equal(t, "-1 Fail", p.ProviderStatus)
	assert.True(t, p.Amount.Equal(eur(t, "10.00")))
	assert.True(t, p.Captured.IsZero())
}

func TestDocExportTask(t *testing.T) {
	g := docGateway(t, "DocExportTask", smartpayments.Config{})
	ctx := context.Background()
	id, err := g.CreateExport(ctx, &smartpayments.ExportRequest{
		Type: smartpayments.TypePayment, Status: smartpayments.ExportSucceeded,
		From: time.UnixMilli(1674507600000), To: time.UnixMilli(1679678900201),
	})
	require.NoError(t, err)
	assert.Equal(t, "641def1d70836759e8af7dd4", id)
	st, err := g.ExportTaskStatus(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, int64(2), st)
}

// TestDocCassettesListed checks that SOURCES.md names every cassette.
func TestDocCassettesListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cassettes", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sources := readFile(t, filepath.Join("testdata", "cassettes", "SOURCES.md"))
	for _, f := range files {
		assert.Contains(t, sources, "`"+filepath.Base(f)+"`", "SOURCES.md does not list %s", f)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing", name)
	}
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}
