package smartpayments_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
)

// wantWire checks one captured request: method, URL, the document's
// headers and the exact JSON body (names, types and values; key order
// aside).
func wantWire(t *testing.T, got captured, method, url, body string) {
	t.Helper()
	assert.Equal(t, method, got.Method)
	assert.Equal(t, url, got.URL)
	assert.Equal(t, "Basic dGVzdDpxd2VydHk=", got.Header.Get("Authorization"), "the document's example header for test:qwerty")
	if body == "" {
		assert.Empty(t, got.Body)
		return
	}
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, canonical(t, []byte(body)), canonical(t, got.Body))
}

const (
	formAnswer  = `{"ACSUrl":null,"MD":null,"TermUrl":null,"description":"","status":1,"form_url":"https://payment.magua-pay.com/1","order_id":"o","responseType":"REDIRECT"}`
	checkAnswer = `{"order_id":"o","status":2,"amount":1000,"finalAmount":1000,"authorize_status":"AUTHORIZED","type":"Payment"}`
)

// The document's example requests, as the driver sends them with real card
// data (the cassettes hold the scrubbed form).
func TestWirePayments(t *testing.T) {
	ctx := context.Background()
	customer := `"customer_first_name":"John","customer_last_name":"Doe","customer_address":"10 Downing Street","customer_city":"London",` +
		`"customer_zip_code":"121165","customer_country":"GB","customer_phone":"+442079460612","customer_email":"john.doe@example.com"`
	urls := `"success_url":"https://site.com/success","fail_url":"https://site.com/fail","callback_url":"https://site.com/callback","status_url":"https://site.com/redir"`
	head := func(order string) string {
		return `"account":"EUR-sandbox","amount":1000,"currency":"EUR","order_id":"` + order + `","merchant_site":"https://merchant.site","recurrent":false,"purpose":"description",` + customer
	}
	card := `"card_holder":"John Doe","card_number":"4012000000003010","card_exp_month":"02","card_exp_year":"25","card_cvv":"123"`

	t.Run("initPayment", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, formAnswer})
		_, err := g.Authorize(ctx, docRequest(t, "sandboxFormId_1015", payments.HostedPage{}, true))
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/initPayment",
			`{`+head("sandboxFormId_1015")+`,"customer_ip_address":"127.0.0.1",`+urls+`}`)
	})
	t.Run("initPaymentHost2Host card with 3-D Secure data and recurrence", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, formAnswer})
		req := docRequest(t, "sandboxId_1015", docCard, true)
		req.Recurring = &payments.Recurring{FrequencyDays: 30, Expires: time.Date(2023, 12, 13, 14, 0, 53, 421e6, time.UTC)}
		req.Browser = &payments.BrowserInfo{AcceptHeader: "text/html", UserAgent: "Mozilla/5.0", JavaEnabled: false, JavaScriptEnabled: true,
			ColorDepth: 24, ScreenHeight: 900, ScreenWidth: 1600, Language: "en-US", TimeZoneOffset: -300}
		_, err := g.Authorize(ctx, req)
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/initPaymentHost2Host",
			`{"payment_method":"card","account":"EUR-sandbox","amount":1000,"currency":"EUR","order_id":"sandboxId_1015",`+
				`"merchant_site":"https://merchant.site","recurrent":true,"purpose":"description",`+customer+
				`,"customer_ip_address":"127.0.0.1",`+urls+`,`+card+
				`,"recur_freq":30,"recur_exp":"2023-12-13T14:00:53.421Z","browser_accept_header":"text/html","browser_user_agent":"Mozilla/5.0",`+
				`"browser_java_enabled":false,"browser_js_enabled":true,"browser_color_depth":"24","browser_screen_height":"900",`+
				`"browser_screen_width":"1600","browser_language":"en-US","browser_time_zone":"-300"}`)
	})
	t.Run("initPaymentHost2Host Apple Pay", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, formAnswer})
		_, err := g.Authorize(ctx, docRequest(t, "sandboxId_1015", payments.ApplePay{Token: "eyJhcHBsaWNh", Network: "Visa"}, true))
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/initPaymentHost2Host",
			`{"payment_method":"applePayDPan",`+head("sandboxId_1015")+`,"customer_ip_address":"127.0.0.1",`+urls+
				`,"apple_pay_dpan":"eyJhcHBsaWNh","apple_pay_payment_method_network":"Visa"}`)
	})
	t.Run("initPaymentHost2Host Google Pay", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, formAnswer})
		_, err := g.Authorize(ctx, docRequest(t, "sandboxId_1015", payments.GooglePay{Token: "eyJzaWdu", Network: "Visa"}, true))
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/initPaymentHost2Host",
			`{"payment_method":"googlePayDPan",`+head("sandboxId_1015")+`,"customer_ip_address":"127.0.0.1",`+urls+
				`,"google_pay_dpan":"eyJzaWdu","google_pay_payment_method_network":"Visa"}`)
	})
	t.Run("authorize", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, formAnswer})
		req := docRequest(t, "sandboxId_1016", docCard, false)
		req.Browser = &payments.BrowserInfo{UserAgent: "not in /authorize's table"}
		req.Recurring = &payments.Recurring{FrequencyDays: 7}
		_, err := g.Authorize(ctx, req)
		require.NoError(t, err)
		// No customer_ip_address, browser_* or recur_*: /authorize's table
		// has none.
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/authorize",
			`{"account":"EUR-sandbox","amount":1000,"currency":"EUR","order_id":"sandboxId_1016","merchant_site":"https://merchant.site",`+
				`"recurrent":true,"purpose":"description",`+customer+`,`+urls+`,`+card+`}`)
	})
}

func TestWireOtherCalls(t *testing.T) {
	ctx := context.Background()
	t.Run("capture partial: amount as a string", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"order_id":"p","status":2}`}, answer{200, checkAnswer})
		six := eur(t, "6.00")
		_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "sandboxId_1016", Amount: &six})
		require.NoError(t, err)
		reqs := ct.all()
		require.Len(t, reqs, 2)
		wantWire(t, reqs[0], "POST", "https://api-gateway.smartcore.pro/capture", `{"order_id":"sandboxId_1016","amount":"600"}`)
		wantWire(t, reqs[1], "POST", "https://api-gateway.smartcore.pro/check", `{"order_id":"sandboxId_1016"}`)
	})
	t.Run("capture full", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"order_id":"p","status":2}`}, answer{200, checkAnswer})
		_, err := g.Capture(ctx, &payments.CaptureRequest{ID: "sandboxId_1016"})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/capture", `{"order_id":"sandboxId_1016"}`)
	})
	t.Run("cancel", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"order_id":"p","status":-1}`}, answer{200, checkAnswer})
		_, err := g.Cancel(ctx, &payments.CancelRequest{ID: "sandboxId_1016"})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/cancel", `{"order_id":"sandboxId_1016"}`)
	})
	t.Run("refund", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"success":true,"message":"","refund_id":"r","parentTransaction":"p"}`})
		ten := eur(t, "10.00")
		_, err := g.Refund(ctx, &payments.RefundRequest{ID: "sandboxId_1015", Amount: &ten})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/refund", `{"order_id":"sandboxId_1015","amount":1000,"reason":"refund"}`)
	})
	t.Run("check", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, checkAnswer})
		_, err := g.Status(ctx, &payments.StatusRequest{Reference: "sandboxId_1015"})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/check", `{"order_id":"sandboxId_1015"}`)
	})
	t.Run("recurrent", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"success":true,"message":"","payment_id":"x","err":null}`})
		_, err := g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "sandboxRecurId_1015", ParentID: "sandboxId_1015",
			Amount: eur(t, "10.00"), Description: "test recurrent", NotificationURL: "https://site.com/callback", Period: smartpayments.RecurWeekly})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/recurrent",
			`{"order_id":"sandboxRecurId_1015","parent_order_id":"sandboxId_1015","amount":1000,"purpose":"test recurrent","callback_url":"https://site.com/callback","recur_period":"03"}`)
	})
	t.Run("withdrawal, every field", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"order_id":"testPayout_1050","status":1,"card":null,"err":null,"msg":null}`})
		_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{
			Account: "KZT-payout", Reference: "testPayout_1050", Amount: eur(t, "100.00"), Method: "account",
			CardExpMonth: "02", CardExpYear: "25", Description: "payout", MerchantSite: "https://merchant.site",
			Customer: smartpayments.WithdrawalCustomer{FirstName: "John", MiddleName: "Jerom", LastName: "Doe", Phone: "+442079460612",
				BirthDate: "1997-06-06", Country: "KZ", ZipCode: "050000", IP: "127.0.0.1"},
			NotificationURL: "https://site.com/callback", ProviderID: "prov-1",
			BankAccount: &smartpayments.BankAccount{Name: "KZ123", Holder: "John Doe", IIN: "iin", BIN: "bin", KBE: "kbe", BankCode: "code",
				BankName: "bank", PurposeCode: "cnp", RecipientCode: "rc", SenderCode: "sc", RecipientRNN: "rnn", RecipientName: "rn"},
			A2A: &smartpayments.A2ASender{Country: "KZ", City: "Almaty", Address: "street 1", ZipCode: "050000"},
		})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/withdrawal/init", `{"account":"KZT-payout","order_id":"testPayout_1050","amount":10000,
			"payment_method":"account","customer_card_exp_month":"02","customer_card_exp_year":"25","purpose":"payout","merchant_site":"https://merchant.site",
			"customer_first_name":"John","customer_middle_name":"Jerom","customer_last_name":"Doe","customer_phone":"+442079460612",
			"customer_birthdate":"06.06.1997","customer_country":"KZ","customer_zip_code":"050000","customer_ip_address":"127.0.0.1",
			"callback_url":"https://site.com/callback","provider_id":"prov-1","account_withdrawal":"KZ123","account_withdrawal_holder":"John Doe",
			"account_withdrawal_iin":"iin","account_withdrawal_bin":"bin","account_withdrawal_kbe":"kbe","account_withdrawal_bank_code":"code",
			"account_withdrawal_bank_name":"bank","account_withdrawal_cnp":"cnp","account_withdrawal_recipient_code":"rc",
			"account_withdrawal_sender_code":"sc","account_withdrawal_recipient_rnn":"rnn","account_withdrawal_recipient_name":"rn",
			"a2a_sender_country":"KZ","a2a_sender_city":"Almaty","a2a_sender_address":"street 1","a2a_sender_zip_code":"050000"}`)
	})
	t.Run("withdrawal to a token", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"order_id":"w","status":2,"card":null,"err":null,"msg":null}`})
		_, err := g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w", Amount: eur(t, "1.00"), TokenReference: "tokenizeOrderId_1050"})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://chd-api.smartcore.pro/withdrawal/init",
			`{"account":"EUR-sandbox-payout","order_id":"w","amount":100,"payment_method":"token","tokenize_transaction_order_id":"tokenizeOrderId_1050","merchant_site":"https://merchant.site"}`)
	})
	t.Run("tokenize-form", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"form_url":"https://payment.magua-pay.com/x","order_id":"x","status":1}`})
		_, err := g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{Reference: "tokenizeOrderId_1050"})
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/withdrawal/tokenize-form", `{"account":"EUR-sandbox-payout","order_id":"tokenizeOrderId_1050"}`)
	})
	t.Run("balance", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"balance":10000,"holdBalance":0,"rollingBalance":0}`})
		_, err := g.Balance(ctx, "USD-sandbox-payout")
		require.NoError(t, err)
		wantWire(t, ct.all()[0], "POST", "https://api-gateway.smartcore.pro/withdrawal/balance/get", `{"account":"USD-sandbox-payout"}`)
	})
	t.Run("export", func(t *testing.T) {
		g, ct := captureGateway(t, answer{200, `{"id":"641def1d70836759e8af7dd4","status":1}`}, answer{200, `{"id":"641def1d70836759e8af7dd4","status":-1}`})
		_, err := g.Export(ctx, &smartpayments.ExportRequest{Type: smartpayments.TypeWithdrawal, Status: smartpayments.ExportPending,
			From: time.UnixMilli(1674507600000), To: time.UnixMilli(1679678900201)})
		assert.Error(t, err, "the task failed")
		reqs := ct.all()
		require.Len(t, reqs, 2)
		wantWire(t, reqs[0], "POST", "https://service.magua-pay.com/aggregation-service/public/transaction/excel",
			`{"type":"Withdrawal","status":1,"dateFrom":1674507600000,"dateTo":1679678900201}`)
		wantWire(t, reqs[1], "GET", "https://service.magua-pay.com/aggregation-service/public/transaction/excel/task/641def1d70836759e8af7dd4", "")
	})
}
