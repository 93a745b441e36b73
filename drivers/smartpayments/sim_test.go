package smartpayments_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

func TestSimSale(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	req := request(t, "sale-1", "10.00", smartpaymentstest.CardFrictionless, true)
	p, err := g.Authorize(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	assert.Equal(t, "sale-1", p.ID)
	assert.Equal(t, smartpayments.Name, p.Provider)
	assert.True(t, p.Captured.Equal(req.Amount))
	assert.Nil(t, p.Action)
	assert.NotContains(t, string(p.Raw), string(smartpaymentstest.CardFrictionless))

	st, ok := srv.Payment("sale-1")
	require.True(t, ok)
	assert.Equal(t, int64(1000), st.Amount)
	assert.Equal(t, "EUR", st.Currency)
	assert.Equal(t, smartpaymentstest.MethodCard, st.Method)

	tx, err := g.Check(ctx, "sale-1")
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, tx.Payment.Status)
	assert.True(t, tx.Payment.Captured.Equal(req.Amount))
	require.NotNil(t, tx.Card)
	assert.Equal(t, "401200******3010", tx.Card.Number)

	ops := srv.Operations()
	require.Len(t, ops, 1)
	assert.Equal(t, "sale", ops[0].Kind)
	assert.Equal(t, "1000", ops[0].Amount)
}

// noRedirect is the customer's browser, stopping at each redirect.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// completeInBrowser acts as the customer on the challenge page.
func completeInBrowser(t *testing.T, a *payments.Action, outcome string) *http.Response {
	t.Helper()
	require.NotNil(t, a)
	require.Equal(t, payments.ActionRedirect, a.Type)
	resp, err := noRedirect.Get(a.URL + "?outcome=" + outcome)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestSimChallenge(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	for _, tt := range []struct {
		outcome string
		capture bool
		want    payments.Status
		reason  payments.DeclineReason
	}{
		{"success", true, payments.StatusCaptured, ""},
		{"success", false, payments.StatusAuthorized, ""},
		{"fail", true, payments.StatusFailed, payments.DeclineAuthenticationFailed},
		{"cancel", false, payments.StatusFailed, payments.DeclineAuthenticationFailed},
	} {
		t.Run(fmt.Sprintf("%s capture=%v", tt.outcome, tt.capture), func(t *testing.T) {
			ref := fmt.Sprintf("3ds-%s-%v", tt.outcome, tt.capture)
			p, err := g.Authorize(ctx, request(t, ref, "12.00", smartpaymentstest.CardChallenge, tt.capture))
			require.NoError(t, err)
			require.Equal(t, payments.StatusRequiresAction, p.Status)

			before, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
			require.NoError(t, err)
			assert.Contains(t, []payments.Status{payments.StatusRequiresAction, payments.StatusPending}, before.Status)

			resp := completeInBrowser(t, p.Action, tt.outcome)
			assert.Equal(t, http.StatusFound, resp.StatusCode)
			want := "https://site.example/success"
			if tt.want == payments.StatusFailed {
				want = "https://site.example/fail"
			}
			assert.Equal(t, want, resp.Header.Get("Location"))

			after, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
			require.NoError(t, err)
			assert.Equal(t, tt.want, after.Status)
			assert.True(t, p.Status.CanTransition(after.Status))
			if tt.reason != "" {
				require.NotNil(t, after.Decline)
				assert.Equal(t, tt.reason, after.Decline.Reason)
			}
			if tt.want == payments.StatusAuthorized {
				c, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
				require.NoError(t, err)
				assert.Equal(t, payments.StatusCaptured, c.Status)
				assert.Equal(t, "12.00 EUR", c.Captured.String())
			}
		})
	}
}

func TestSimHostedPage(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	for _, tt := range []struct {
		pan    string
		amount string
		want   payments.Status
	}{
		{smartpaymentstest.CardFrictionless, "15.00", payments.StatusCaptured},
		{smartpaymentstest.CardDeclined, "15.51", payments.StatusFailed},
	} {
		ref := "hosted-" + tt.amount
		req := request(t, ref, tt.amount, "", true)
		req.Method = &payments.HostedPage{}
		p, err := g.Authorize(ctx, req)
		require.NoError(t, err)
		require.Equal(t, payments.StatusRequiresAction, p.Status)
		require.NotNil(t, p.Action)
		assert.True(t, strings.HasPrefix(p.Action.URL, srv.FormURL()), p.Action.URL)

		require.NoError(t, srv.SubmitCard(ref, tt.pan))
		got, err := g.Status(ctx, &payments.StatusRequest{Reference: ref})
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.Status)
		if tt.want == payments.StatusFailed {
			assert.Equal(t, payments.DeclineInsufficientFunds, got.Decline.Reason)
		}
	}
	// The form takes one-step payments only.
	req := request(t, "hosted-two-step", "15.00", "", false)
	req.Method = payments.HostedPage{}
	_, err := g.Authorize(ctx, req)
	assert.True(t, errors.Is(err, payments.ErrUnsupported), "%v", err)
}

func TestSimWallets(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	panOnly := payments.WalletToken(base64.StdEncoding.EncodeToString([]byte(`{"paymentMethod":"CARD","authMethod":"PAN_ONLY"}`)))
	for _, tt := range []struct {
		name   string
		method payments.PaymentMethod
		want   payments.Status
		err    error
	}{
		{"apple pay", payments.ApplePay{Token: "eyJhcHBsZSI6InRva2VuIn0=", Network: "Visa"}, payments.StatusCaptured, nil},
		{"google pay", payments.GooglePay{Token: "eyJnb29nbGUiOiJ0b2tlbiJ9", Network: "VISA"}, payments.StatusCaptured, nil},
		{"google pay PAN_ONLY needs 3-D Secure", payments.GooglePay{Token: panOnly, Network: "VISA"}, payments.StatusRequiresAction, nil},
		{"declined token", payments.ApplePay{Token: payments.WalletToken(smartpaymentstest.FailWalletToken), Network: "Visa"}, payments.StatusFailed, payments.ErrDeclined},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := request(t, "wallet-"+strings.ReplaceAll(tt.name, " ", "-"), "20.00", "", true)
			req.Method = tt.method
			p, err := g.Authorize(ctx, req)
			if tt.err != nil {
				assert.True(t, errors.Is(err, tt.err), "%v", err)
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, p)
			assert.Equal(t, tt.want, p.Status)
			assert.NotContains(t, string(p.Raw), string(smartpaymentstest.FailWalletToken))
			st, ok := srv.Payment(req.Reference)
			require.True(t, ok)
			assert.Contains(t, []string{smartpaymentstest.MethodApplePay, smartpaymentstest.MethodGooglePay}, st.Method)
		})
	}
	// Wallets are one-step only.
	req := request(t, "wallet-two-step", "20.00", "", false)
	req.Method = payments.ApplePay{Token: "x", Network: "Visa"}
	_, err := g.Authorize(ctx, req)
	assert.True(t, errors.Is(err, payments.ErrUnsupported), "%v", err)
}

func TestSimDeclines(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	for _, tt := range []struct {
		amount string
		code   string
		class  payments.Code
		reason payments.DeclineReason
	}{
		{"10.05", "DO_NOT_HONOUR_PROCESSING_ERROR", payments.Declined, payments.DeclineSuspectedFraud},
		{"10.51", "INSUFFICIENT_FUNDS_PROCESSING_ERROR", payments.Declined, payments.DeclineInsufficientFunds},
		{"10.61", "LIMIT_PROCESSING_ERROR", payments.Declined, payments.DeclineLimitExceeded},
		{"10.82", "AUTHENTICATION_PROCESSING_ERROR", payments.Declined, payments.DeclineAuthenticationFailed},
		{"10.00", "EMITTER_DENIAL_PROCESSING_ERROR", payments.Declined, payments.DeclineDoNotHonour},
		{"10.14", "VALIDATION_PROCESSING_ERROR", payments.InvalidRequest, payments.DeclineGeneric},
		// The document's cascadeErrors: gate 0 refused by anti-fraud rules
		// (seed 000_2d15c756a78f42ef.txt l.360-374): a hard decline.
		{"10.92", "PLATFORM_ERROR_GATE_NOT_FOUND", payments.Declined, payments.DeclineSuspectedFraud},
	} {
		t.Run(tt.code, func(t *testing.T) {
			req := request(t, "decline-"+tt.amount, tt.amount, smartpaymentstest.CardDeclined, true)
			p, err := g.Authorize(ctx, req)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.class), "%v", err)
			var pe *payments.Error
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, tt.code, pe.ProviderCode)
			require.NotNil(t, p, "the failed payment comes with the error")
			assert.Equal(t, payments.StatusFailed, p.Status)
			require.NotNil(t, p.Decline)
			assert.Equal(t, tt.reason, p.Decline.Reason)
			assert.Equal(t, tt.code, p.Decline.Code)
			assert.True(t, p.Captured.IsZero())

			got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
			require.NoError(t, err)
			assert.Equal(t, payments.StatusFailed, got.Status)
			assert.Equal(t, tt.reason, got.Decline.Reason)
			if tt.code == "PLATFORM_ERROR_GATE_NOT_FOUND" {
				assert.Contains(t, got.Decline.Message, "gate 2: PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE")
			}
		})
	}
}

func TestSimTwoStep(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	p, err := g.Authorize(ctx, request(t, "two-1", "30.00", smartpaymentstest.CardFrictionless, false))
	require.NoError(t, err)
	require.Equal(t, payments.StatusAuthorized, p.Status)

	// Refunding before capture is refused by the provider.
	ten := eur(t, "10.00")
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &ten})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)
	// Capturing more than authorized is refused.
	tooMuch := eur(t, "30.01")
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &tooMuch})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)

	c, err := g.Capture(ctx, &payments.CaptureRequest{ID: p.ID, Amount: &ten})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, c.Status)
	assert.Equal(t, "10.00 EUR", c.Captured.String())
	assert.Equal(t, "30.00 EUR", c.Amount.String())

	// One capture per authorization; no cancel after it.
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p.ID})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)
	_, err = g.Cancel(ctx, &payments.CancelRequest{ID: p.ID})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)

	got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, got.Status)
	assert.Equal(t, "10.00 EUR", got.Captured.String())

	// Refund the whole captured part (nil amount).
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, "10.00 EUR", r.Amount.String())

	// Cancel of another authorization.
	p2, err := g.Authorize(ctx, request(t, "two-2", "30.00", smartpaymentstest.CardFrictionless, false))
	require.NoError(t, err)
	c2, err := g.Cancel(ctx, &payments.CancelRequest{ID: p2.ID})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCanceled, c2.Status)
	assert.Equal(t, "30.00 EUR", c2.Amount.String())
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: p2.ID})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)
}

func TestSimRefunds(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	p, err := g.Authorize(ctx, request(t, "refund-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	three := eur(t, "3.00")
	for i := 0; i < 3; i++ {
		r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &three, Reason: "customer asked"})
		require.NoError(t, err)
		// The document's answer (seed 000_2d15c756a78f42ef.txt l.438-443):
		// "success": false with a refund_id, resolved by Status through
		// the refund's own /check.
		assert.Equal(t, payments.RefundPending, r.Status)
		assert.NotEmpty(t, r.ID)
		assert.Equal(t, p.ID, r.PaymentID)
	}
	got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusPartiallyRefunded, got.Status)
	assert.Equal(t, "9.00 EUR", got.Refunded.String())

	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &three})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "refund above what is left: %v", err)

	r, err := g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, "1.00 EUR", r.Amount.String(), "nil amount refunds what is left")
	got, err = g.Status(ctx, &payments.StatusRequest{ID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRefunded, got.Status)
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	assert.True(t, errors.Is(err, payments.ErrInvalidState), "%v", err)

	// Refund currency must be the account's.
	usd, _ := payments.ParseMoney("1.00", "USD")
	_, err = g.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &usd})
	assert.True(t, errors.Is(err, payments.ErrInvalidRequest), "%v", err)
}

func TestSimErrors(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	_, err := g.Authorize(ctx, request(t, "dup-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	p, err := g.Authorize(ctx, request(t, "dup-1", "10.00", smartpaymentstest.CardFrictionless, true))
	assert.True(t, errors.Is(err, payments.ErrDuplicate), "%v", err)
	assert.Nil(t, p, "a duplicate says nothing about the existing payment")
	assert.Len(t, srv.Operations(), 1)

	_, err = g.Status(ctx, &payments.StatusRequest{ID: "no-such-order"})
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)
	_, err = g.Capture(ctx, &payments.CaptureRequest{ID: "no-such-order"})
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)
	_, err = g.Cancel(ctx, &payments.CancelRequest{ID: "no-such-order"})
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)

	bad := simGateway(t, srv, func(c *smartpayments.Config) { c.Secret = "wrong" })
	_, err = bad.Authorize(ctx, request(t, "auth-1", "10.00", smartpaymentstest.CardFrictionless, true))
	assert.True(t, errors.Is(err, payments.ErrAuthentication), "%v", err)
	assert.True(t, payments.CanCascade(err))
	assert.NotContains(t, err.Error(), "wrong")
	_, err = bad.Balance(ctx, "")
	assert.True(t, errors.Is(err, payments.ErrAuthentication), "%v", err)

	// A card sent to the gateway host instead of the card-data host: the
	// simulator answers 404 there, as the provider keeps them apart.
	wrongHost := simGateway(t, srv, func(c *smartpayments.Config) { c.CardBaseURL = srv.BaseURL() })
	_, err = wrongHost.Authorize(ctx, request(t, "host-1", "10.00", smartpaymentstest.CardFrictionless, true))
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)
}

func TestSimRecurrent(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	parent := request(t, "parent-1", "10.00", smartpaymentstest.CardFrictionless, true)
	parent.Recurring = &payments.Recurring{FrequencyDays: 30, Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, err := g.Authorize(ctx, parent)
	require.NoError(t, err)

	p, err := g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-1", ParentID: "parent-1", Amount: eur(t, "10.00"),
		Description: "monthly", Period: smartpayments.RecurMonthly})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, p.Status)
	got, err := g.Status(ctx, &payments.StatusRequest{ID: "recur-1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, got.Status)

	p, err = g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-2", ParentID: "parent-1", Amount: eur(t, "10.51"), Description: "monthly"})
	assert.True(t, errors.Is(err, payments.ErrDeclined), "%v", err)
	require.NotNil(t, p)
	assert.Equal(t, payments.StatusFailed, p.Status)
	assert.Equal(t, payments.DeclineInsufficientFunds, p.Decline.Reason)

	_, err = g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-1", ParentID: "parent-1", Amount: eur(t, "10.00"), Description: "monthly"})
	assert.True(t, errors.Is(err, payments.ErrDuplicate), "%v", err)
	_, err = g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-3", ParentID: "nobody", Amount: eur(t, "10.00"), Description: "monthly"})
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)
	_, err = g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-4", ParentID: "parent-1", Amount: eur(t, "10.00")})
	assert.True(t, errors.Is(err, payments.ErrInvalidRequest), "%v", err)
	_, err = g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "recur-5", ParentID: "parent-1", Amount: eur(t, "10.00"), Description: "x", Period: "02"})
	assert.True(t, errors.Is(err, payments.ErrInvalidRequest), "%v", err)
}

func TestSimWithdrawals(t *testing.T) {
	// Final withdrawal answers are an assumption (the document's example
	// answers status 1).
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithImmediateResults(), smartpaymentstest.WithBalance("EUR-sandbox-payout", 50000))
	ctx := context.Background()

	b, err := g.Balance(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, "500.00 EUR", b.Available.String())

	w, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "payout-1", Amount: eur(t, "100.00"),
		CardNumber: smartpaymentstest.CardFrictionless, Customer: smartpayments.WithdrawalCustomer{FirstName: "John", LastName: "Doe", BirthDate: "1997-06-06"}})
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalSucceeded, w.Status)
	require.NotNil(t, w.Card)
	assert.Equal(t, "401200******3010", w.Card.Number)

	got, err := g.GetWithdrawal(ctx, "payout-1")
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalSucceeded, got.Status)
	assert.Equal(t, "100.00 EUR", got.Amount.String())

	b, err = g.Balance(ctx, "EUR-sandbox-payout")
	require.NoError(t, err)
	assert.Equal(t, "400.00 EUR", b.Available.String())

	// A card other than the test card fails.
	w, err = g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "payout-2", Amount: eur(t, "10.51"), CardNumber: smartpaymentstest.CardDeclined})
	assert.True(t, errors.Is(err, payments.ErrDeclined), "%v", err)
	require.NotNil(t, w)
	assert.Equal(t, smartpayments.WithdrawalFailed, w.Status)
	assert.Equal(t, payments.DeclineInsufficientFunds, w.Decline.Reason)
	assert.NotContains(t, err.Error(), smartpaymentstest.CardDeclined)

	// More than the balance.
	w, err = g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "payout-3", Amount: eur(t, "1000.00"), CardNumber: smartpaymentstest.CardFrictionless})
	assert.True(t, errors.Is(err, payments.ErrDeclined), "%v", err)
	require.NotNil(t, w)
	assert.Equal(t, "PLATFORM_ORDER_BILLING_ERROR", w.Decline.Code)

	// Tokenization: the customer enters a card on the form, withdrawals go
	// to it by the form's reference.
	form, err := g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{Reference: "tok-1", SuccessURL: "https://site.example/ok"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(form.URL, srv.FormURL()), form.URL)
	require.NoError(t, srv.SubmitCard("tok-1", smartpaymentstest.CardFrictionless))
	w, err = g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "payout-4", Amount: eur(t, "50.00"), TokenReference: "tok-1"})
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalSucceeded, w.Status)

	_, err = g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "payout-4", Amount: eur(t, "50.00"), TokenReference: "tok-1"})
	assert.True(t, errors.Is(err, payments.ErrDuplicate), "%v", err)
	_, err = g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{Reference: "tok-1"})
	assert.True(t, errors.Is(err, payments.ErrDuplicate), "%v", err)

	// A payment is not a withdrawal.
	_, err = g.Authorize(ctx, request(t, "pay-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	_, err = g.GetWithdrawal(ctx, "pay-1")
	assert.True(t, errors.Is(err, payments.ErrNotFound), "%v", err)

	b, err = g.Balance(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, "350.00 EUR", b.Available.String())
}

func TestSimExport(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithExportPolls(3))
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	for i := range 3 {
		_, err := g.Authorize(ctx, request(t, fmt.Sprintf("export-%d", i), "10.00", smartpaymentstest.CardFrictionless, true))
		require.NoError(t, err)
	}
	rc, err := g.Export(ctx, &smartpayments.ExportRequest{Type: smartpayments.TypePayment, Status: smartpayments.ExportSucceeded,
		From: start, To: time.Now().Add(time.Minute), PollInterval: time.Millisecond})
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err, "the export is an xlsx (zip) document")
	var sheet string
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			r, err := f.Open()
			require.NoError(t, err)
			b, _ := io.ReadAll(r)
			sheet = string(b)
		}
	}
	for i := range 3 {
		assert.Contains(t, sheet, fmt.Sprintf("export-%d", i))
	}

	// The context bounds the wait.
	_, g2 := newSim(t, smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithExportPolls(1_000_000))
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = g2.Export(short, &smartpayments.ExportRequest{Type: smartpayments.TypeRefund, Status: smartpayments.ExportFailed,
		From: start, To: time.Now(), PollInterval: 5 * time.Millisecond})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, payments.ErrUnavailable), "%v", err)

	_, err = g.Export(ctx, &smartpayments.ExportRequest{Type: "Sale", Status: 3, From: time.Now(), To: start})
	assert.True(t, errors.Is(err, payments.ErrInvalidRequest), "%v", err)
}

// With WithProcessingResponses the simulator answers like the document's
// examples (status 1 + REDIRECT, refund "success": false, ...): nothing is
// reported final before /check says so.
func TestSimProcessingAnswers(t *testing.T) {
	_, g := newSim(t, smartpaymentstest.WithoutNotifications(), smartpaymentstest.WithProcessingResponses())
	ctx := context.Background()
	p, err := g.Authorize(ctx, request(t, "proc-1", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	// The answer is the document's status 1 with form_url (seed
	// 000_2d15c756a78f42ef.txt l.164-180); /check, read right after, says
	// the frictionless payment is already captured.
	assert.Equal(t, payments.StatusCaptured, p.Status)
	got, err := g.Status(ctx, &payments.StatusRequest{ID: "proc-1"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusCaptured, got.Status)

	one := eur(t, "1.00")
	r, err := g.Refund(ctx, &payments.RefundRequest{ID: "proc-1", Amount: &one})
	require.NoError(t, err)
	assert.Equal(t, payments.RefundPending, r.Status)
	assert.NotEmpty(t, r.ID)

	a, err := g.Authorize(ctx, request(t, "proc-2", "10.00", smartpaymentstest.CardFrictionless, false))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusAuthorized, a.Status, "our /authorize, /check 2, authorize_status null")
	c, err := g.Capture(ctx, &payments.CaptureRequest{ID: "proc-2"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusPending, c.Status, "capture can return a pending status")
	assert.Equal(t, "10.00 EUR", c.Amount.String())

	rp, err := g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "proc-3", ParentID: "proc-1", Amount: one, Description: "again"})
	require.NoError(t, err)
	assert.Equal(t, payments.StatusPending, rp.Status)

	w, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "proc-4", Amount: one, CardNumber: smartpaymentstest.CardFrictionless})
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalPending, w.Status)
	gw, err := g.GetWithdrawal(ctx, "proc-4")
	require.NoError(t, err)
	assert.Equal(t, smartpayments.WithdrawalSucceeded, gw.Status)
}

// Customers who never finish: the timeouts of the dictionary.
func TestSimTimeouts(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	hosted := request(t, "late-form", "10.00", "", true)
	hosted.Method = payments.HostedPage{}
	_, err := g.Authorize(ctx, hosted)
	require.NoError(t, err)
	_, err = g.Authorize(ctx, request(t, "late-3ds", "10.00", smartpaymentstest.CardChallenge, true))
	require.NoError(t, err)
	for ref, want := range map[string]struct {
		code   string
		reason payments.DeclineReason
	}{
		"late-form": {"FORM_TIMEOUT_PROCESSING_ERROR", payments.DeclineGeneric},
		"late-3ds":  {"3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR", payments.DeclineAuthenticationFailed},
	} {
		require.NoError(t, srv.Expire(ref))
		p, err := g.Status(ctx, &payments.StatusRequest{ID: ref})
		require.NoError(t, err)
		if ref == "late-form" {
			// An abandoned form (l.879) is no decline: Expired.
			assert.Equal(t, payments.StatusExpired, p.Status, ref)
			assert.Nil(t, p.Decline, ref)
			continue
		}
		assert.Equal(t, payments.StatusFailed, p.Status, ref)
		assert.Equal(t, want.code, p.Decline.Code, ref)
		assert.Equal(t, want.reason, p.Decline.Reason, ref)
	}
}
