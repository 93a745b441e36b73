package smart2pay

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnaeon/go-vcr/v2/cassette"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// docBodies returns every request and response body of the cassettes, the
// document's examples first: the fuzz seed corpus.
func docBodies(f *testing.F) []string {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cassettes", "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no cassettes: %v", err)
	}
	var out []string
	for _, file := range files {
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, it := range c.Interactions {
			for _, b := range []string{it.Request.Body, it.Response.Body} {
				if strings.TrimSpace(b) != "" {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

func FuzzNotify(f *testing.F) {
	for _, b := range docBodies(f) {
		f.Add([]byte(b), uint8(1))
	}
	f.Add([]byte(`{"Refund":{"ID":1,"InitialPaymentID":2,"Amount":5,"Currency":"EUR","Status":{"ID":2,"Info":"Success","Reasons":null}}}`), uint8(2))
	f.Add([]byte(`{"Payout":{}}`), uint8(3))
	f.Add([]byte(`{"Payment":{"ID":1,"Amount":1,"Currency":"KWD","Status":{"ID":"35"},"ReferenceDetails":{"EntityID":12,"QRCodeURL":"x"}}}`), uint8(3))
	g, err := New(Config{SiteID: 1, APIKey: "k", CardSiteID: 2, CardAPIKey: "c"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, via uint8) {
		via = via%3 + 1 // one site, the other, or both
		n, err := g.parseNotification(body, hostSet(via))
		if err != nil {
			if n != nil || payments.CodeOf(err) != payments.InvalidRequest {
				t.Fatalf("(%v, %v)", n, err)
			}
			return
		}
		if n.Reply.StatusCode != http.StatusNoContent || n.Verified != payments.VerifiedCredentials || len(n.Raw) == 0 {
			t.Fatalf("notification %+v", n)
		}
		switch n.Kind {
		case payments.NotificationPayment:
			assertPayment(t, n.Payment)
		case payments.NotificationRefund:
			if n.Refund == nil || n.Refund.ID == "" || n.Refund.Amount.Currency == "" {
				t.Fatalf("refund %+v", n.Refund)
			}
		case payments.NotificationPayout, payments.NotificationOther:
			if n.Payment != nil || n.Refund != nil {
				t.Fatalf("%s notification with a payment or refund", n.Kind)
			}
		default:
			t.Fatalf("kind %q", n.Kind)
		}
		if string(redact.JSON(n.Raw)) != string(n.Raw) {
			t.Fatalf("Raw is not scrubbed: %s", n.Raw)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	for _, b := range docBodies(f) {
		f.Add([]byte(b), uint16(201))
		f.Add([]byte(b), uint16(400))
	}
	f.Add([]byte(`{"Payment":{"ID":1,"Status":{"ID":1,"Reasons":[{"Code":"20","Info":null}]}}}`), uint16(400))
	f.Add([]byte(`{"Payment":{"ID":2677982,"Created":"20161107092103","MerchantTransactionID":null,"Amount":null,"Currency":null,"Status":{"ID":1,"Info":"Open","Reasons":[{"Code":"15","Info":"Unable to process"}]}}}`), uint16(400))
	f.Add([]byte(`{"Message":"Authorization has been denied for this request."}`), uint16(401))
	f.Fuzz(func(t *testing.T, body []byte, status uint16) {
		resp := &httpx.Response{StatusCode: int(status%600) + 1, Body: body}
		for _, a := range []api{apiAlternative, apiCard} {
			g := &Gateway{}
			p, _, err := g.decodePayment("fuzz", httpx.MoneyMoving, a, resp)
			if err != nil {
				if p != nil || payments.CodeOf(err) != payments.OutcomeUnknown {
					t.Fatalf("money-moving decode: (%v, %v)", p, err)
				}
			} else {
				assertPayment(t, p)
			}
			if _, _, err := g.decodePayment("fuzz", httpx.Query, a, resp); err != nil && payments.CodeOf(err) != payments.Integrity {
				t.Fatalf("query decode: %v", err)
			}
		}
		if resp.StatusCode >= 300 {
			ae := errorFromResponse("fuzz", httpx.MoneyMoving, resp)
			if ae.err == nil || ae.err.Code == "" || ae.err.Provider != Name {
				t.Fatalf("error %#v", ae.err)
			}
			if ae.err.Code == payments.Declined && ae.err.Decline == nil {
				t.Fatal("a decline without a reason")
			}
			// A 4xx that carries a created payment (see createdPayment).
			amount, _ := payments.ParseMoney("20.00", "EUR")
			req := &payments.AuthorizeRequest{Reference: "fuzz", Amount: amount}
			if w := createdPayment(ae, req); w != nil {
				if p, err := convertPayment(apiCard, w); err == nil {
					assertPayment(t, p)
					if p.ID == "" || p.Reference == "" {
						t.Fatalf("created payment without ID or reference: %+v", p)
					}
				}
			}
		}
		var list paymentsResponse
		if json.Unmarshal(body, &list) == nil {
			for _, raw := range list.Payments {
				if w, err := decodeWirePayment(raw); err == nil {
					if p, err := convertPayment(apiAlternative, w); err == nil {
						assertPayment(t, p)
					}
				}
			}
		}
	})
}

// assertPayment asserts what every decoded payment satisfies.
func assertPayment(t *testing.T, p *payments.Payment) {
	t.Helper()
	if p == nil {
		t.Fatal("nil payment")
	}
	if p.ID != "" {
		a, n, err := parseID("id", p.ID)
		if err != nil || formatID(a, mustInt(n)) != p.ID {
			t.Fatalf("ID %q does not round-trip: %v", p.ID, err)
		}
	}
	cur := p.Amount.Currency
	if p.Captured.Currency != cur || p.Refunded.Currency != cur {
		t.Fatalf("currencies %q %q %q", cur, p.Captured.Currency, p.Refunded.Currency)
	}
	if p.Provider != Name {
		t.Fatalf("provider %q", p.Provider)
	}
	if p.Status == payments.StatusFailed && p.Decline == nil {
		t.Fatal("failed without a decline")
	}
	if p.Status != payments.StatusUnknown && !strings.Contains(p.ProviderStatus, " ") {
		t.Fatalf("ProviderStatus %q", p.ProviderStatus)
	}
	if a := p.Action; a != nil {
		if a.Type == payments.ActionRedirect && a.URL == "" {
			t.Fatal("redirect without URL")
		}
		if a.Type == payments.ActionDisplay && a.QRCodeURL == "" && len(a.Details) == 0 {
			t.Fatal("display without anything to show")
		}
	}
}
