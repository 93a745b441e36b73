package smart2pay_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/dnaeon/go-vcr/v2/cassette"
	"github.com/dnaeon/go-vcr/v2/recorder"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/conformance"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/internal/redact"
)

// The document's credentials and the Authorization headers its examples
// print, verbatim.
const (
	docSiteID     = 30201
	docAPIKey     = "hJ5RobYx9r7FfNwCvHY9LXHqqr+FEzrc7aJvQQk4Gaz1mg7Ryy"
	docCardSiteID = 1010
	docCardAPIKey = "gabi"
	docAPMAuth    = "Basic MzAyMDE6aEo1Um9iWXg5cjdGZk53Q3ZIWTlMWEhxcXIrRkV6cmM3YUp2UVFrNEdhejFtZzdSeXk="
	docCardAuth   = "Basic MTAxMDpnYWJp"
)

// docConfig is a Config with the document's credentials and the default
// (test) hosts the document's examples use.
func docConfig() smart2pay.Config {
	return smart2pay.Config{SiteID: docSiteID, APIKey: docAPIKey, CardSiteID: docCardSiteID, CardAPIKey: docCardAPIKey}
}

// canonicalBody is the comparable form of a request body: scrubbed as
// cassettes are, then canonical JSON ("" for no body).
func canonicalBody(t *testing.T, b []byte) string {
	t.Helper()
	if len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	c, err := conformance.CanonicalJSON(redact.JSON(b))
	if err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, b)
	}
	return string(c)
}

// replayDoc returns a gateway that is answered from a transcribed cassette
// by go-vcr, matching method, URL (query as a set), canonical scrubbed
// body, and the document's Authorization header for the host. It fails the
// test at the end unless every interaction was requested, in order.
func replayDoc(t *testing.T, name string) *smart2pay.Gateway {
	t.Helper()
	rec, err := recorder.NewAsMode(filepath.Join("testdata", "cassettes", name), recorder.ModeReplaying, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec.SkipRequestLatency = true
	c, err := cassette.Load(filepath.Join("testdata", "cassettes", name))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	served := 0
	rec.SetMatcher(func(r *http.Request, i cassette.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		want, err := url.Parse(i.URL)
		if err != nil {
			t.Errorf("cassette URL %q: %v", i.URL, err)
			return false
		}
		if r.Method != i.Method || r.URL.Scheme != want.Scheme || r.URL.Host != want.Host || r.URL.Path != want.Path ||
			!reflect.DeepEqual(r.URL.Query(), want.Query()) || canonicalBody(t, body) != canonicalBody(t, []byte(i.Body)) {
			t.Errorf("request %s %s\n%s\ndoes not match the next interaction %s %s\n%s", r.Method, r.URL, canonicalBody(t, body), i.Method, i.URL, canonicalBody(t, []byte(i.Body)))
			return false
		}
		wantAuth := docAPMAuth
		if want.Host == "securetest.smart2pay.com" {
			wantAuth = docCardAuth
		}
		if got := r.Header.Get("Authorization"); got != wantAuth {
			t.Errorf("%s %s: Authorization %q, the document sends %q", r.Method, r.URL, got, wantAuth)
		}
		served++
		return true
	})
	t.Cleanup(func() {
		_ = rec.Stop()
		mu.Lock()
		defer mu.Unlock()
		if served != len(c.Interactions) {
			t.Errorf("cassette %s: %d of %d interactions were requested", name, served, len(c.Interactions))
		}
	})
	cfg := docConfig()
	cfg.HTTPClient = &http.Client{Transport: rec}
	gw, err := smart2pay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// wantPayment checks the mapped fields every transcribed answer shows.
func wantPayment(t *testing.T, p *payments.Payment, id, ref string, st payments.Status, providerStatus, amount, captured string) {
	t.Helper()
	if p == nil {
		t.Fatal("no payment")
	}
	if p.ID != id || p.Reference != ref || p.Status != st || p.ProviderStatus != providerStatus || p.Provider != "smart2pay" {
		t.Errorf("payment %q %q %s %q, want %q %q %s %q", p.ID, p.Reference, p.Status, p.ProviderStatus, id, ref, st, providerStatus)
	}
	cur := p.Amount.Currency
	if amount != "" && p.Amount.String() != amount {
		t.Errorf("Amount %s, want %s", p.Amount, amount)
	}
	if captured != "" && p.Captured.String() != captured {
		t.Errorf("Captured %s, want %s", p.Captured, captured)
	}
	if p.Captured.Currency != cur || p.Refunded.Currency != cur {
		t.Errorf("currencies %q %q %q", cur, p.Captured.Currency, p.Refunded.Currency)
	}
	if len(p.Raw) == 0 {
		t.Error("Raw is empty")
	}
}

func TestDocCreateAlternative(t *testing.T) {
	gw := replayDoc(t, "DocCreateAlternative")
	req := &payments.AuthorizeRequest{
		Reference: "s2ptest_g2", Amount: mustMoney("0.11", "CNY"), Capture: true,
		Method:          payments.ProviderMethod{ID: "1066"},
		ReturnURLs:      payments.ReturnURLs{Success: "http://demo.smart2pay.com/redirect.php"},
		Customer:        &payments.Customer{Email: "youremail@email.com"},
		ProviderOptions: []any{smart2pay.AuthorizeOptions{TokenLifetime: 10}},
	}
	p, err := gw.Authorize(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	wantPayment(t, p, "2677982", "s2ptest_g2", payments.StatusRequiresAction, "1 Open", "0.11 CNY", "0.00 CNY")
	a := p.Action
	if a == nil || a.Type != payments.ActionRedirect || a.Method != http.MethodGet ||
		a.URL != "https://apitest.smart2pay.com/Home?PaymentToken=8455FA9767A0795E6DDAD87775B8B10E.2677982" ||
		a.QRCodeURL != "weixin://wxpay/bizpayurl?pr=ad7EqGN" || len(a.Details) != 0 {
		t.Errorf("action %+v", a)
	}
	if got := p.Created.Format("2006-01-02 15:04:05"); got != "2016-11-07 09:21:03" {
		t.Errorf("Created %s", got)
	}
}

func TestDocCreateCard(t *testing.T) {
	gw := replayDoc(t, "DocCreateCard")
	req := &payments.AuthorizeRequest{
		Reference: "s2ptest_h2", Amount: mustMoney("20.00", "EUR"), Capture: true,
		Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2018", CVV: "312"},
	}
	p, err := gw.Authorize(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	wantPayment(t, p, "card:202230", "s2ptest_h2", payments.StatusCaptured, "11 Captured", "20.00 EUR", "20.00 EUR")
	if p.Action != nil || p.Decline != nil {
		t.Errorf("action %+v decline %+v", p.Action, p.Decline)
	}
}

func TestDocCreateDuplicates(t *testing.T) {
	for _, tc := range []struct {
		cassette  string
		req       *payments.AuthorizeRequest
		requestID string
		message   string
	}{
		{"DocCreateAlternativeDuplicate", &payments.AuthorizeRequest{
			Reference: "s2ptest_g2", Amount: mustMoney("0.11", "CNY"), Capture: true,
			Method:          payments.ProviderMethod{ID: "1066"},
			ReturnURLs:      payments.ReturnURLs{Success: "http://demo.smart2pay.com/redirect.php"},
			Customer:        &payments.Customer{Email: "youremail@email.com"},
			ProviderOptions: []any{&smart2pay.AuthorizeOptions{TokenLifetime: 10}},
		}, "", "MerchantTransactionID is duplicated - s2ptest_g2"},
		{"DocCreateCardDuplicate", &payments.AuthorizeRequest{
			Reference: "s2ptest_h2", Amount: mustMoney("20.00", "EUR"), Capture: true,
			Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2018", CVV: "312"},
		}, "i3065", "Key is duplicated"},
	} {
		t.Run(tc.cassette, func(t *testing.T) {
			gw := replayDoc(t, tc.cassette)
			p, err := gw.Authorize(ctxT(t), tc.req)
			if p != nil || !errors.Is(err, payments.ErrDuplicate) {
				t.Fatalf("(%v, %v), want ErrDuplicate", p, err)
			}
			var pe *payments.Error
			errors.As(err, &pe)
			if pe.ProviderCode != "20" || pe.RequestID != tc.requestID || pe.HTTPStatus != 400 || !strings.Contains(pe.Message, tc.message) || pe.Provider != "smart2pay" {
				t.Errorf("error %#v", pe)
			}
			if payments.CanCascade(err) || payments.Retryable(err) {
				t.Error("a duplicate must neither cascade nor be retried")
			}
		})
	}
}

func TestDocCaptureAlternative(t *testing.T) {
	gw := replayDoc(t, "DocCaptureAlternative")
	p, err := gw.Capture(ctxT(t), &payments.CaptureRequest{ID: "2427069"})
	if err != nil {
		t.Fatal(err)
	}
	wantPayment(t, p, "2427069", "s2ptest_2", payments.StatusCaptured, "2 Success", "9.80 EUR", "9.80 EUR")
	if p.Action != nil {
		t.Errorf("a captured payment has no action, got %+v", p.Action)
	}
}

func TestDocCaptureCardPartial(t *testing.T) {
	gw := replayDoc(t, "DocCaptureCardPartial")
	p, err := gw.Capture(ctxT(t), &payments.CaptureRequest{ID: "card:202239", Amount: moneyPtr(t, "10.00", "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	wantPayment(t, p, "card:202239", "s2ptest_h10", payments.StatusPartiallyCaptured, "35 PartiallyCaptured", "20.00 EUR", "10.00 EUR")
}

func TestDocModificationErrors(t *testing.T) {
	ctx := ctxT(t)
	t.Run("capture", func(t *testing.T) {
		gw := replayDoc(t, "DocCaptureAlternativeInvalid")
		p, err := gw.Capture(ctx, &payments.CaptureRequest{ID: "2429754"})
		checkInvalidState(t, p, err, "Payment is invalid - 2429754")
	})
	t.Run("cancel", func(t *testing.T) {
		gw := replayDoc(t, "DocCancelAlternativeInvalid")
		p, err := gw.Cancel(ctx, &payments.CancelRequest{ID: "2429737"})
		checkInvalidState(t, p, err, "Payment is invalid - 2429737")
	})
}

// checkInvalidState: code 17 on a payment the answer shows exists (it has a
// Status.ID) is ErrInvalidState, not ErrNotFound.
func checkInvalidState(t *testing.T, p *payments.Payment, err error, msg string) {
	t.Helper()
	if p != nil || !errors.Is(err, payments.ErrInvalidState) {
		t.Fatalf("(%v, %v), want ErrInvalidState", p, err)
	}
	var pe *payments.Error
	errors.As(err, &pe)
	if pe.ProviderCode != "17" || pe.HTTPStatus != 400 || !strings.Contains(pe.Message, msg) {
		t.Errorf("error %#v", pe)
	}
}

func TestDocCancel(t *testing.T) {
	t.Run("alternative", func(t *testing.T) {
		gw := replayDoc(t, "DocCancelAlternative")
		p, err := gw.Cancel(ctxT(t), &payments.CancelRequest{ID: "2427073"})
		if err != nil {
			t.Fatal(err)
		}
		wantPayment(t, p, "2427073", "s2ptest_4", payments.StatusCanceled, "3 Cancelled", "9.80 EUR", "0.00 EUR")
	})
	t.Run("card", func(t *testing.T) {
		gw := replayDoc(t, "DocCancelCard")
		p, err := gw.Cancel(ctxT(t), &payments.CancelRequest{ID: "card:202237"})
		if err != nil {
			t.Fatal(err)
		}
		wantPayment(t, p, "card:202237", "s2ptest_h8", payments.StatusCanceled, "3 Cancelled", "20.00 EUR", "0.00 EUR")
	})
}

func TestDocGetPayment(t *testing.T) {
	gw := replayDoc(t, "DocGetPayment")
	p, err := gw.Status(ctxT(t), &payments.StatusRequest{ID: "2427075"})
	if err != nil {
		t.Fatal(err)
	}
	wantPayment(t, p, "2427075", "s2ptest_5", payments.StatusCaptured, "2 Success", "1.00 EUR", "1.00 EUR")
}

func TestDocListPayments(t *testing.T) {
	for _, tc := range []struct {
		cassette string
		filter   smart2pay.ListFilter
		want     []string // ID status amount
	}{
		{"DocListPayments", smart2pay.ListFilter{}, []string{
			"2427075 captured 1.00 EUR", "2427073 canceled 9.80 EUR"}},
		{"DocListPaymentsLimit3", smart2pay.ListFilter{Limit: 3}, []string{
			"2427075 captured 1.00 EUR", "2427073 canceled 9.80 EUR", "2427069 captured 9.80 EUR"}},
		{"DocListPaymentsLimit2Offset3", smart2pay.ListFilter{Limit: 2, Offset: 3}, []string{
			"2459122 requires_action 1.00 BAM", "2459118 canceled 11.00 NGN"}},
	} {
		t.Run(tc.cassette, func(t *testing.T) {
			gw := replayDoc(t, tc.cassette)
			page, err := gw.ListPaymentsPage(ctxT(t), tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range page {
				got = append(got, p.ID+" "+p.Status.String()+" "+p.Amount.String())
				if p.Action != nil {
					t.Errorf("%s: list entries carry no RedirectURL, got action %+v", p.ID, p.Action)
				}
				if !bytes.HasPrefix(p.Raw, []byte(`{"ID":`+p.ID)) {
					t.Errorf("%s: Raw is not the entry: %.40s", p.ID, p.Raw)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDocCardStatus(t *testing.T) {
	gw := replayDoc(t, "DocCardStatus")
	p, err := gw.CardStatus(ctxT(t), "card:202230")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "card:202230" || p.Reference != "s2ptest_h2" || p.Status != payments.StatusCaptured || p.ProviderStatus != "11 Captured" {
		t.Errorf("card status %+v", p)
	}
}

// TestDocNotification replays the document's notification into Notify: the
// cassette's request is GlobalPay's POST, its response the 204 the merchant
// must give.
func TestDocNotification(t *testing.T) {
	c, err := cassette.Load(filepath.Join("testdata", "cassettes", "DocNotification"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 {
		t.Fatalf("%d interactions", len(c.Interactions))
	}
	it := c.Interactions[0]
	gw, err := smart2pay.New(docConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := notification(docAPMAuth, it.Request.Body) // the document's header, scrubbed in the cassette
	n, err := gw.Notify(ctxT(t), r)
	if err != nil {
		t.Fatal(err)
	}
	if n.Reply.StatusCode != it.Response.Code || n.Kind != payments.NotificationPayment || n.Verified != payments.VerifiedCredentials {
		t.Errorf("notification %+v", n)
	}
	wantPayment(t, n.Payment, "2427068", "s2ptest_1", payments.StatusCaptured, "2 Success", "1.00 EUR", "1.00 EUR")
	if err := smart2pay.CheckAmount(n, mustMoney("1.00", "EUR")); err != nil {
		t.Error(err)
	}
	// The same body with the card site's credentials, or none, or forged.
	for _, auth := range []string{"", docCardAuth + "x", "Basic " + strings.Repeat("A", 20), strings.ToLower(docAPMAuth)} {
		if _, err := gw.Notify(ctxT(t), notification(auth, it.Request.Body)); !errors.Is(err, payments.ErrUnverified) {
			t.Errorf("Authorization %q: %v, want ErrUnverified", auth, err)
		}
	}
	// Through the handler merchants mount: exactly 204, no body.
	rec := newRecorder()
	payments.NotificationHandler(gw, nil).ServeHTTP(rec, notification(docAPMAuth, it.Request.Body))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Errorf("handler answered %d %q", rec.Code, rec.Body)
	}
}
