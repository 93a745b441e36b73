package smartpayments_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

func TestNew(t *testing.T) {
	ok := smartpayments.Config{MerchantKey: "k", Secret: "s", Account: "EUR-sandbox"}
	for _, tt := range []struct {
		name string
		edit func(*smartpayments.Config)
		want string // in the error; "" for success
	}{
		{"complete", func(*smartpayments.Config) {}, ""},
		{"no merchant key", func(c *smartpayments.Config) { c.MerchantKey = " " }, "MerchantKey"},
		{"no secret", func(c *smartpayments.Config) { c.Secret = "" }, "Secret"},
		{"no account", func(c *smartpayments.Config) { c.Account = "" }, "Account"},
		{"nothing", func(c *smartpayments.Config) { *c = smartpayments.Config{} }, "MerchantKey, Secret, Account required"},
		{"account without currency", func(c *smartpayments.Config) { c.Account = "shop-main" }, "Currency required"},
		{"account without currency, currency set", func(c *smartpayments.Config) { c.Account = "shop-main"; c.Currency = "usd" }, ""},
		{"bad currency", func(c *smartpayments.Config) { c.Currency = "XXQ" }, "ISO 4217"},
		{"bad base url", func(c *smartpayments.Config) { c.BaseURL = "api-gateway.smartcore.pro" }, "BaseURL"},
		{"bad export base url", func(c *smartpayments.Config) { c.ExportBaseURL = "ftp://x" }, "ExportBaseURL"},
		{"bad merchant site", func(c *smartpayments.Config) { c.MerchantSite = "merchant.site" }, "MerchantSite"},
		{"bad notification url", func(c *smartpayments.Config) { c.NotificationURL = "/cb" }, "NotificationURL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			g, err := smartpayments.New(cfg)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, smartpayments.Name, g.Name())
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, payments.ErrInvalidRequest))
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), cfg.Secret+"x") // never echoes a secret
		})
	}
	g, err := smartpayments.New(smartpayments.Config{MerchantKey: "k", Secret: "s", Account: "GBP-live-1"})
	require.NoError(t, err)
	assert.Equal(t, payments.Currency("GBP"), g.Currency())
	assert.Equal(t, []payments.Currency{"GBP"}, g.Capabilities().Currencies)
}

func TestCapabilities(t *testing.T) {
	g, _ := captureGateway(t)
	c := g.Capabilities()
	for _, k := range []payments.MethodKind{payments.KindCard, payments.KindHostedPage, payments.KindApplePay, payments.KindGooglePay} {
		assert.True(t, c.Supports(k), k)
	}
	assert.False(t, c.Supports(payments.KindInvoice))
	assert.True(t, c.TwoStep && c.Cancel && c.PartialCapture && c.Refund && c.PartialRefund && c.MultipleRefunds && c.ThreeDS && c.LookupByReference && c.Payouts)
	assert.False(t, c.MultipleCaptures)
	assert.False(t, c.IdempotentModifications, "the provider dedupes nothing but order_id")
	assert.Equal(t, payments.VerifiedByQuery, c.Notifications)
}

// The provider's own requirements are refused before any I/O, naming the
// neutral fields.
func TestAuthorizeValidation(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		edit   func(*payments.AuthorizeRequest)
		class  payments.Code
		fields []string
	}{
		{"nil", nil, payments.InvalidRequest, nil},
		{"no customer", func(r *payments.AuthorizeRequest) { r.Customer = nil }, payments.InvalidRequest, []string{"customer"}},
		{"customer incomplete", func(r *payments.AuthorizeRequest) { r.Customer = &payments.Customer{FirstName: "John"} },
			payments.InvalidRequest, []string{"customer.last_name", "customer.email", "customer.phone", "customer.ip"}},
		{"no billing address", func(r *payments.AuthorizeRequest) { r.BillingAddress = nil }, payments.InvalidRequest, []string{"billing_address"}},
		{"address incomplete", func(r *payments.AuthorizeRequest) { r.BillingAddress = &payments.Address{Country: "GB"} },
			payments.InvalidRequest, []string{"billing_address.line1", "billing_address.city", "billing_address.postal_code"}},
		{"no holder", func(r *payments.AuthorizeRequest) {
			c := r.Method.(payments.Card)
			c.Holder = ""
			r.Method = c
		}, payments.InvalidRequest, []string{"method.holder"}},
		{"no cvv", func(r *payments.AuthorizeRequest) {
			c := r.Method.(payments.Card)
			c.CVV = ""
			r.Method = c
		}, payments.InvalidRequest, []string{"method.cvv"}},
		{"wallet without network", func(r *payments.AuthorizeRequest) { r.Method = payments.GooglePay{Token: "t"} }, payments.InvalidRequest, []string{"method.network"}},
		{"other currency", func(r *payments.AuthorizeRequest) { r.Amount, _ = payments.ParseMoney("10.00", "USD") }, payments.InvalidRequest, []string{"amount.currency"}},
		{"no merchant site", func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{smartpayments.AuthorizeOptions{MerchantSite: ""}}
		}, "", nil}, // Config.MerchantSite applies
		{"bad status url", func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&smartpayments.AuthorizeOptions{StatusURL: "/redir"}}
		}, payments.InvalidRequest, []string{"provider_options.status_url"}},
		{"invoice", func(r *payments.AuthorizeRequest) { r.Method = payments.Invoice{Type: payments.InvoicePrepayment} }, payments.Unsupported, []string{"method"}},
		{"provider method", func(r *payments.AuthorizeRequest) { r.Method = payments.ProviderMethod{ID: "x"} }, payments.Unsupported, []string{"method"}},
		{"bad card number", func(r *payments.AuthorizeRequest) {
			c := r.Method.(payments.Card)
			c.Number = "4012000000003011"
			r.Method = c
		}, payments.InvalidRequest, []string{"method.number"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, ct := captureGateway(t, answer{200, `{"status":2,"order_id":"x"}`})
			var req *payments.AuthorizeRequest
			if tt.edit != nil {
				req = request(t, "v-1", "10.00", smartpaymentstest.CardFrictionless, true)
				tt.edit(req)
			}
			_, err := g.Authorize(ctx, req)
			if tt.class == "" {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, tt.class, payments.CodeOf(err), "%v", err)
			assert.Empty(t, ct.all(), "no request may be sent")
			for _, f := range tt.fields {
				assert.Contains(t, err.Error(), f+":")
			}
			assert.NotContains(t, err.Error(), smartpaymentstest.CardFrictionless)
		})
	}

	// merchant_site is required for cards when neither the config nor the
	// options give it; /initPayment does not need it.
	ct := &captureTransport{answers: []answer{{200, `{"status":1,"form_url":"https://pay.example/1"}`}}}
	g, err := smartpayments.New(smartpayments.Config{MerchantKey: "k", Secret: "s", Account: "EUR-sandbox", HTTPClient: &http.Client{Transport: ct}})
	require.NoError(t, err)
	_, err = g.Authorize(ctx, request(t, "v-2", "10.00", smartpaymentstest.CardFrictionless, true))
	assert.Contains(t, err.Error(), "provider_options.merchant_site")
	hosted := request(t, "v-3", "10.00", "", true)
	hosted.Method = payments.HostedPage{}
	_, err = g.Authorize(ctx, hosted)
	assert.NoError(t, err)
	withOption := request(t, "v-4", "10.00", smartpaymentstest.CardFrictionless, true)
	withOption.ProviderOptions = []any{"ignored", &smartpayments.AuthorizeOptions{MerchantSite: "https://opt.example"}}
	_, err = g.Authorize(ctx, withOption)
	assert.NoError(t, err)
	reqs := ct.all()
	require.Len(t, reqs, 3, "the hosted page, the card payment and its /check read-back (status 1 + form_url)")
	assert.Contains(t, string(reqs[1].Body), `"merchant_site":"https://opt.example"`)
}

func TestOtherValidation(t *testing.T) {
	ctx := context.Background()
	g, ct := captureGateway(t)
	usd, _ := payments.ParseMoney("1.00", "USD")
	ten := eur(t, "10.00")
	calls := map[string]func() error{
		"capture other currency": func() error { _, err := g.Capture(ctx, &payments.CaptureRequest{ID: "x", Amount: &usd}); return err },
		"capture too fine": func() error {
			m := payments.Money{Amount: ten.Amount.Add(ten.Amount.Shift(-5)), Currency: "EUR"}
			_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "x", Amount: &m})
			return err
		},
		"recurrent nil": func() error { _, err := g.Recurrent(ctx, nil); return err },
		"recurrent no parent": func() error {
			_, err := g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "r", Amount: ten, Description: "d"})
			return err
		},
		"recurrent zero": func() error {
			_, err := g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "r", ParentID: "p", Description: "d"})
			return err
		},
		"withdraw nil": func() error { _, err := g.Withdraw(ctx, nil); return err },
		"withdraw no dest": func() error {
			_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: ten})
			return err
		},
		"withdraw bad card": func() error {
			_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: ten, CardNumber: "4012x"})
			return err
		},
		"withdraw token empty": func() error {
			_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: ten, Method: smartpayments.WithdrawalToken})
			return err
		},
		"withdraw birthdate": func() error {
			_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: ten, CardNumber: "4012000000003010", Customer: smartpayments.WithdrawalCustomer{BirthDate: "06.06.1997"}})
			return err
		},
		"withdraw other currency": func() error {
			_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: usd, CardNumber: "4012000000003010"})
			return err
		},
		"tokenize no reference": func() error { _, err := g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{}); return err },
		"tokenize bad url": func() error {
			_, err := g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{Reference: "t", FailURL: "nope"})
			return err
		},
		"check empty":         func() error { _, err := g.Check(ctx, " "); return err },
		"export nil":          func() error { _, err := g.Export(ctx, nil); return err },
		"export status empty": func() error { _, err := g.ExportTaskStatus(ctx, ""); return err },
		"export result empty": func() error { _, err := g.ExportResult(ctx, ""); return err },
		"notify nil":          func() error { _, err := g.Notify(ctx, nil); return err },
	}
	for name, call := range calls {
		err := call()
		assert.True(t, errors.Is(err, payments.ErrInvalidRequest), "%s: %v", name, err)
		if err != nil {
			assert.NotContains(t, err.Error(), "4012000000003010", name)
		}
	}
	assert.Empty(t, ct.all(), "no request may be sent")
}

// Debug logs, errors and Raw never hold a full card number, a CVV, a wallet
// token or the credentials.
func TestNothingSecretLeaks(t *testing.T) {
	srv := smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications())
	defer srv.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTimes}))
	g := simGateway(t, srv, func(c *smartpayments.Config) { c.Logger = logger })
	ctx := context.Background()
	const cvv = "987"
	var outputs []string
	collect := func(p *payments.Payment, err error) {
		if p != nil {
			outputs = append(outputs, string(p.Raw))
		}
		if err != nil {
			outputs = append(outputs, err.Error())
		}
	}
	for i, pan := range []string{smartpaymentstest.CardFrictionless, smartpaymentstest.CardDeclined, smartpaymentstest.CardChallenge} {
		req := request(t, "leak-"+string(rune('a'+i)), "10.51", payments.CardNumber(pan), true)
		c := req.Method.(payments.Card)
		c.CVV = cvv
		req.Method = c
		collect(g.Authorize(ctx, req))
	}
	wallet := request(t, "leak-w", "10.00", "", true)
	wallet.Method = payments.ApplePay{Token: "c2VjcmV0LXdhbGxldC10b2tlbg==", Network: "Visa"}
	collect(g.Authorize(ctx, wallet))
	w, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "leak-p", Amount: eur(t, "10.51"), CardNumber: smartpaymentstest.CardDeclined})
	if err != nil {
		outputs = append(outputs, err.Error())
	}
	if w != nil {
		outputs = append(outputs, string(w.Raw))
	}
	outputs = append(outputs, logs.String())
	require.Contains(t, logs.String(), "payments: http", "debug logs are on")
	all := strings.Join(outputs, "\n")
	for _, secret := range []string{
		smartpaymentstest.CardFrictionless, smartpaymentstest.CardDeclined, smartpaymentstest.CardChallenge,
		`"card_cvv":"` + cvv, "c2VjcmV0LXdhbGxldC10b2tlbg==", smartpaymentstest.DefaultSecret, "dGVzdDpxd2VydHk=",
	} {
		assert.NotContains(t, all, secret)
	}
	assert.Contains(t, all, "401200******3010")
}

// A silent gateway (no Logger) logs nothing, and slog's default logger is
// not used.
func TestSilentByDefault(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)
	_, g := newSim(t, smartpaymentstest.WithoutNotifications())
	_, err := g.Authorize(context.Background(), request(t, "quiet", "10.00", smartpaymentstest.CardFrictionless, true))
	require.NoError(t, err)
	assert.Empty(t, logs.String())
}

// dropTimes removes timestamps and durations from log lines: their digits
// could pass for the sentinel CVV and make the leak check flaky.
func dropTimes(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey || a.Value.Kind() == slog.KindDuration {
		return slog.Attr{}
	}
	return a
}
