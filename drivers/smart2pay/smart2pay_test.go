package smart2pay_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
)

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   smart2pay.Config
		field string
	}{
		{"no site", smart2pay.Config{APIKey: "k"}, "SiteID"},
		{"negative site", smart2pay.Config{SiteID: -1, APIKey: "k"}, "SiteID"},
		{"no key", smart2pay.Config{SiteID: 1}, "APIKey"},
		{"card site without key", smart2pay.Config{SiteID: 1, APIKey: "k", CardSiteID: 2}, "CardSiteID"},
		{"card key without site", smart2pay.Config{SiteID: 1, APIKey: "k", CardAPIKey: "x"}, "CardSiteID"},
		{"bad base", smart2pay.Config{SiteID: 1, APIKey: "k", BaseURL: "paytest.smart2pay.com"}, "BaseURL"},
		{"credentials in URL", smart2pay.Config{SiteID: 1, APIKey: "k", CardBaseURL: "https://u:p@securetest.smart2pay.com"}, "CardBaseURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw, err := smart2pay.New(tc.cfg)
			var pe *payments.Error
			if gw != nil || !errors.As(err, &pe) || pe.Code != payments.InvalidRequest || pe.Field != tc.field {
				t.Errorf("New: %v %v", gw, err)
			}
			if strings.Contains(err.Error(), "k\"") {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

// hostRecorder answers 401 to everything and records the hosts it was asked for.
type hostRecorder struct {
	hosts []string
	auths []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.hosts = append(h.hosts, r.URL.Scheme+"://"+r.URL.Host)
	h.auths = append(h.auths, r.Header.Get("Authorization"))
	return &http.Response{StatusCode: 401, Body: io.NopCloser(strings.NewReader(`{"Message":"Authorization has been denied for this request."}`)), Header: http.Header{}, Request: r}, nil
}

func TestHosts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       smart2pay.Config
		apm, card string
	}{
		{"test", smart2pay.Config{}, smart2pay.TestBaseURL, smart2pay.TestCardBaseURL},
		{"live", smart2pay.Config{Live: true}, smart2pay.LiveBaseURL, smart2pay.LiveCardBaseURL},
		{"override", smart2pay.Config{Live: true, BaseURL: "http://127.0.0.1:1/", CardBaseURL: "http://127.0.0.1:2"}, "http://127.0.0.1:1", "http://127.0.0.1:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := &hostRecorder{}
			cfg := tc.cfg
			cfg.SiteID, cfg.APIKey, cfg.HTTPClient = 30201, "key", &http.Client{Transport: rt}
			gw, err := smart2pay.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := ctxT(t)
			_, err = gw.Status(ctx, &payments.StatusRequest{ID: "1"})
			if !errors.Is(err, payments.ErrAuthentication) {
				t.Errorf("401: %v", err)
			}
			_, _ = gw.Status(ctx, &payments.StatusRequest{ID: "card:1"})
			if len(rt.hosts) != 2 || rt.hosts[0] != tc.apm || rt.hosts[1] != tc.card {
				t.Errorf("hosts %v, want %s then %s", rt.hosts, tc.apm, tc.card)
			}
			// Without card credentials both hosts get the one pair.
			if rt.auths[0] != basic("30201", "key") || rt.auths[1] != rt.auths[0] {
				t.Errorf("auths %v", rt.auths)
			}
		})
	}
	if smart2pay.TestBaseURL != "https://paytest.smart2pay.com" || smart2pay.LiveBaseURL != "https://globalpay.smart2pay.com" ||
		smart2pay.TestCardBaseURL != "https://securetest.smart2pay.com" || smart2pay.LiveCardBaseURL != "https://secure.smart2pay.com" {
		t.Error("documented hosts changed")
	}
}

// noIO fails every request: the validation tests must send none.
type noIO struct{ n atomic.Int32 }

func (c *noIO) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no request may be sent")
}

func TestValidationBeforeIO(t *testing.T) {
	rt := &noIO{}
	gw, err := smart2pay.New(smart2pay.Config{SiteID: 1, APIKey: "k", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	card := func(mut func(*payments.AuthorizeRequest)) func() error {
		return func() error {
			req := cardRequest(t, "ok_ref-1", "10.00", true)
			mut(req)
			_, err := gw.Authorize(ctx, req)
			return err
		}
	}
	apm := func(mut func(*payments.AuthorizeRequest)) func() error {
		return func() error {
			req := apmRequest(t, "ok_ref-1", "10.00", "EUR", payments.ProviderMethod{ID: "2"})
			mut(req)
			_, err := gw.Authorize(ctx, req)
			return err
		}
	}
	for _, tc := range []struct {
		name  string
		do    func() error
		code  payments.Code
		field string
	}{
		{"nil authorize", func() error { _, err := gw.Authorize(ctx, nil); return err }, payments.InvalidRequest, ""},
		{"reference with a dot", card(func(r *payments.AuthorizeRequest) { r.Reference = "order.1" }), payments.InvalidRequest, "reference"},
		{"reference of 51", card(func(r *payments.AuthorizeRequest) { r.Reference = strings.Repeat("a", 51) }), payments.InvalidRequest, "reference"},
		{"no holder", card(func(r *payments.AuthorizeRequest) { c := testCard(); c.Holder = " "; r.Method = c }), payments.InvalidRequest, "method.holder"},
		{"bad luhn", card(func(r *payments.AuthorizeRequest) { c := testCard(); c.Number = "4111111111111112"; r.Method = c }), payments.InvalidRequest, "method.number"},
		{"too fine", card(func(r *payments.AuthorizeRequest) {
			r.Amount = money(t, "1.001", "KWD")
			r.Amount.Amount = r.Amount.Amount.Add(mustMoney("0.0001", "CLF").Amount)
		}), payments.InvalidRequest, ""},
		{"card with apm options", card(func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&smart2pay.AuthorizeOptions{TokenLifetime: 5}}
		}), payments.InvalidRequest, "provider_options"},
		{"apm with card options", apm(func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&smart2pay.AuthorizeOptions{StatementDescriptor: "x"}}
		}), payments.InvalidRequest, "provider_options.statement_descriptor"},
		{"negative options", apm(func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&smart2pay.AuthorizeOptions{TokenLifetime: -1}}
		}), payments.InvalidRequest, "provider_options"},
		{"negative skin", apm(func(r *payments.AuthorizeRequest) {
			r.ProviderOptions = []any{&smart2pay.AuthorizeOptions{SkinID: -1}}
		}), payments.InvalidRequest, "provider_options"},
		{"apm without return URL", apm(func(r *payments.AuthorizeRequest) { r.ReturnURLs = payments.ReturnURLs{} }), payments.InvalidRequest, "return_urls.success"},
		{"method id not a number", apm(func(r *payments.AuthorizeRequest) { r.Method = payments.ProviderMethod{ID: "wechat"} }), payments.InvalidRequest, "method.id"},
		{"method id zero", apm(func(r *payments.AuthorizeRequest) { r.Method = payments.ProviderMethod{ID: "0"} }), payments.InvalidRequest, "method.id"},
		{"apple pay", apm(func(r *payments.AuthorizeRequest) { r.Method = payments.ApplePay{Token: "t"} }), payments.Unsupported, "method"},
		{"invoice", apm(func(r *payments.AuthorizeRequest) { r.Method = payments.Invoice{Type: payments.InvoicePrepayment} }), payments.Unsupported, "method"},
		{"nil capture", func() error { _, err := gw.Capture(ctx, nil); return err }, payments.InvalidRequest, ""},
		{"capture bad id", func() error { _, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "abc"}); return err }, payments.InvalidRequest, "id"},
		{"capture prefix only", func() error { _, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "card:"}); return err }, payments.InvalidRequest, "id"},
		{"capture too fine", func() error {
			m := mustMoney("0.001", "KWD")
			m.Currency = "EUR"
			_, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "1", Amount: &m})
			return err
		}, payments.InvalidRequest, "amount.amount"},
		{"cancel bad id", func() error { _, err := gw.Cancel(ctx, &payments.CancelRequest{ID: "card:x"}); return err }, payments.InvalidRequest, "id"},
		{"refund bad id", func() error { _, err := gw.Refund(ctx, &payments.RefundRequest{ID: "-1"}); return err }, payments.InvalidRequest, "id"},
		{"refund bad key", func() error {
			_, err := gw.Refund(ctx, &payments.RefundRequest{ID: "1", IdempotencyKey: "a:b"})
			return err
		}, payments.InvalidRequest, "idempotency_key"},
		{"status nil", func() error { _, err := gw.Status(ctx, nil); return err }, payments.InvalidRequest, ""},
		{"status bad reference", func() error { _, err := gw.Status(ctx, &payments.StatusRequest{Reference: "a b"}); return err }, payments.InvalidRequest, "reference"},
		{"card status of an apm id", func() error { _, err := gw.CardStatus(ctx, "123"); return err }, payments.InvalidRequest, "id"},
		{"refunds bad id", func() error { _, err := gw.Refunds(ctx, "x"); return err }, payments.InvalidRequest, "id"},
		{"refund by id bad refund", func() error { _, err := gw.RefundByID(ctx, "1", "r1"); return err }, payments.InvalidRequest, "refund_id"},
		{"notify nil", func() error { _, err := gw.Notify(ctx, nil); return err }, payments.InvalidRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				err = tc.do()
			}()
			var pe *payments.Error
			if !errors.As(err, &pe) || pe.Code != tc.code || (tc.field != "" && pe.Field != tc.field) {
				t.Errorf("error %#v (%v), want %s on %q", pe, err, tc.code, tc.field)
			}
		})
	}
	if n := rt.n.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestCapabilities(t *testing.T) {
	_, gw := newSim(t)
	c := gw.Capabilities()
	if !c.Supports(payments.KindCard) || !c.Supports(payments.KindHostedPage) || !c.Supports(payments.KindProviderMethod) ||
		c.Supports(payments.KindApplePay) || c.Supports(payments.KindInvoice) {
		t.Errorf("methods %v", c.Methods)
	}
	if !c.TwoStep || !c.Cancel || !c.PartialCapture || c.MultipleCaptures || !c.Refund || !c.PartialRefund || !c.MultipleRefunds ||
		!c.LookupByReference || c.IdempotentModifications || c.Payouts || c.Notifications != payments.VerifiedCredentials {
		t.Errorf("capabilities %+v", c)
	}
	if gw.Name() != "smart2pay" {
		t.Error(gw.Name())
	}
}

// TestAnswerContradictsRequest: a 2xx whose amount, currency, reference or
// ID differs from the request is ErrIntegrity, with the payment returned.
func TestAnswerContradictsRequest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string
		do     func(gw *smart2pay.Gateway) (*payments.Payment, error)
	}{
		{"amount", `{"Payment":{"ID":1,"MerchantTransactionID":"r1","Amount":2001,"Currency":"EUR","CapturedAmount":2001,"Status":{"ID":11,"Info":"Captured"}}}`,
			func(gw *smart2pay.Gateway) (*payments.Payment, error) {
				return gw.Authorize(context.Background(), cardRequest(t, "r1", "20.00", true))
			}},
		{"currency", `{"Payment":{"ID":1,"MerchantTransactionID":"r1","Amount":2000,"Currency":"USD","CapturedAmount":2000,"Status":{"ID":11,"Info":"Captured"}}}`,
			func(gw *smart2pay.Gateway) (*payments.Payment, error) {
				return gw.Authorize(context.Background(), cardRequest(t, "r1", "20.00", true))
			}},
		{"reference", `{"Payment":{"ID":1,"MerchantTransactionID":"other","Amount":2000,"Currency":"EUR","CapturedAmount":2000,"Status":{"ID":11,"Info":"Captured"}}}`,
			func(gw *smart2pay.Gateway) (*payments.Payment, error) {
				return gw.Authorize(context.Background(), cardRequest(t, "r1", "20.00", true))
			}},
		{"capture id", `{"Payment":{"ID":2,"MerchantTransactionID":"r1","Amount":2000,"Currency":"EUR","CapturedAmount":2000,"Status":{"ID":11,"Info":"Captured"}}}`,
			func(gw *smart2pay.Gateway) (*payments.Payment, error) {
				return gw.Capture(context.Background(), &payments.CaptureRequest{ID: "card:1"})
			}},
		{"cancel id", `{"Payment":{"ID":2,"MerchantTransactionID":"r1","Amount":2000,"Currency":"EUR","Status":{"ID":3,"Info":"Cancelled"}}}`,
			func(gw *smart2pay.Gateway) (*payments.Payment, error) {
				return gw.Cancel(context.Background(), &payments.CancelRequest{ID: "card:1"})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				_, _ = io.WriteString(w, tc.answer)
			}))
			defer srv.Close()
			cfg := docConfig()
			cfg.CardBaseURL = srv.URL
			gw, _ := smart2pay.New(cfg)
			p, err := tc.do(gw)
			if !errors.Is(err, payments.ErrIntegrity) || p == nil {
				t.Errorf("(%v, %v), want the payment and ErrIntegrity", p, err)
			}
		})
	}
}

// TestUnreadableAnswers: a 2xx that cannot be read is ErrOutcomeUnknown
// after a money-moving call and ErrIntegrity after a query; a 5xx is
// ErrOutcomeUnknown / ErrUnavailable.
func TestUnreadableAnswers(t *testing.T) {
	for _, tc := range []struct {
		name           string
		status         int
		body           string
		money, status_ payments.Code
	}{
		{"truncated", 201, `{"Payment":{"ID":`, payments.OutcomeUnknown, payments.Integrity},
		{"id not a number", 201, `{"Payment":{"ID":"abc","Status":{"ID":11}}}`, payments.OutcomeUnknown, payments.Integrity},
		{"unknown currency", 201, `{"Payment":{"ID":1,"MerchantTransactionID":"r1","Amount":1,"Currency":"XYZ","Status":{"ID":11}}}`, payments.OutcomeUnknown, payments.Integrity},
		{"amount not integer", 201, `{"Payment":{"ID":1,"MerchantTransactionID":"r1","Amount":10.5,"Currency":"EUR","Status":{"ID":11}}}`, payments.OutcomeUnknown, payments.Integrity},
		{"no payment", 201, `{}`, payments.OutcomeUnknown, payments.Integrity},
		{"500", 500, `{}`, payments.OutcomeUnknown, payments.Unavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			cfg := docConfig()
			cfg.CardBaseURL = srv.URL
			gw, _ := smart2pay.New(cfg)
			_, err := gw.Authorize(context.Background(), cardRequest(t, "r1", "20.00", true))
			if payments.CodeOf(err) != tc.money {
				t.Errorf("authorize: %v, want %s", err, tc.money)
			}
			if calls.Load() != 1 {
				t.Errorf("authorize sent %d times; a money-moving call is never retried after it may have been sent", calls.Load())
			}
			_, err = gw.Status(context.Background(), &payments.StatusRequest{ID: "card:1"})
			if payments.CodeOf(err) != tc.status_ {
				t.Errorf("status: %v, want %s", err, tc.status_)
			}
		})
	}
}

func TestStatusByReferenceAcrossHosts(t *testing.T) {
	entry := func(id int, ref string) string {
		return `{"ID":` + itoa(id) + `,"MerchantTransactionID":"` + ref + `","Amount":100,"Currency":"EUR","Status":{"ID":2,"Info":"Success","Reasons":null}}`
	}
	host := func(status int, list string, get string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/payments" {
				if r.URL.Query().Get("merchantTransactionID") == "" {
					t.Errorf("list without the reference filter: %s", r.URL)
				}
				w.WriteHeader(status)
				_, _ = io.WriteString(w, list)
				return
			}
			_, _ = io.WriteString(w, get)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	for _, tc := range []struct {
		name      string
		apm, card *httptest.Server
		wantID    string
		wantCode  payments.Code
	}{
		{"on the card host", host(200, `{"Payments":[]}`, ""), host(200, `{"Payments":[`+entry(7, "ref")+`]}`, `{"Payment":`+entry(7, "ref")+`}`), "card:7", ""},
		{"on the apm host", host(200, `{"Payments":[`+entry(8, "ref")+`]}`, `{"Payment":`+entry(8, "ref")+`}`), host(200, `{"Payments":[]}`, ""), "8", ""},
		{"nowhere", host(200, `{"Payments":[]}`, ""), host(200, `{"Payments":[]}`, ""), "", payments.NotFound},
		{"other references ignored", host(200, `{"Payments":[`+entry(8, "refX")+`]}`, ""), host(200, `{"Payments":[]}`, ""), "", payments.NotFound},
		{"on both", host(200, `{"Payments":[`+entry(8, "ref")+`]}`, ""), host(200, `{"Payments":[`+entry(7, "ref")+`]}`, ""), "", payments.Integrity},
		{"card host down", host(200, `{"Payments":[]}`, ""), host(503, `{}`, ""), "", payments.Unavailable},
		{"card host refuses the credentials but apm has it", host(200, `{"Payments":[`+entry(8, "ref")+`]}`, `{"Payment":`+entry(8, "ref")+`}`), host(401, `{"Message":"denied"}`, ""), "8", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := docConfig()
			cfg.BaseURL, cfg.CardBaseURL = tc.apm.URL, tc.card.URL
			gw, _ := smart2pay.New(cfg)
			p, err := gw.Status(ctxT(t), &payments.StatusRequest{Reference: "ref"})
			if tc.wantCode != "" {
				if payments.CodeOf(err) != tc.wantCode {
					t.Errorf("(%v, %v), want %s", p, err, tc.wantCode)
				}
				return
			}
			if err != nil || p.ID != tc.wantID {
				t.Errorf("(%v, %v), want %s", p, err, tc.wantID)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestLogsAreScrubbed: debug logs of every call carry no card number, CVV
// or credential.
func TestLogsAreScrubbed(t *testing.T) {
	sim := smart2paytest.NewServer()
	defer sim.Close()
	var buf bytes.Buffer
	cfg := simConfig(sim)
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw, err := smart2pay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	p, err := gw.Authorize(ctx, cardRequest(t, "log-1", "20.00", true))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = gw.Refund(ctx, &payments.RefundRequest{ID: p.ID})
	_, err = gw.Authorize(ctx, cardRequest(t, "log-1", "20.00", true)) // duplicate: an error message too
	logs := buf.String() + err.Error() + string(p.Raw)
	if !strings.Contains(buf.String(), "411111") {
		t.Fatalf("no debug log of the card call: %s", buf.String())
	}
	for _, secret := range []string{"4111111111111111", `"312"`, "SecurityCode\":\"312", smart2paytest.DefaultCardAPIKey + "\"", "MTAxMDpnYWJp", smart2paytest.DefaultAPIKey} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs or errors contain %q", secret)
		}
	}
}
