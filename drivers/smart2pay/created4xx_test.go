package smart2pay_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
)

// docCreateRefusalAPM is the document's 400 answer to POST /v1/payments on
// the alternative-methods host, verbatim (seed 002_c6b29c27df04218d.txt
// l.195–248) but for the placeholders: %ID%, %CREATED%, %STATUSID%,
// %STATUSINFO% (null in the document: nothing was created) and the reason
// %CODE% / %INFO% (the document's is "20", duplicated MerchantTransactionID).
const docCreateRefusalAPM = `{
  "Payment": {
    "ID": %ID%,
    "SkinID": null,
    "ClientIP": null,
    "Created": %CREATED%,
    "MerchantTransactionID": "s2ptest_g2",
    "OriginatorTransactionID": null,
    "Amount": 11,
    "Currency": "CNY",
    "ReturnURL": "http://demo.smart2pay.com/redirect.php",
    "Description": null,
    "MethodID": 1066,
    "MethodOptionID": null,
    "IncludeMethodIDs": null,
    "ExcludeMethodIDs": null,
    "PrioritizeMethodIDs": null,
    "SiteID": null,
    "NotificationDateTime": null,
    "Customer": {
      "ID": 473,
      "MerchantCustomerID": null,
      "Email": "youremail@email.com",
      "FirstName": null,
      "LastName": null,
      "Gender": null,
      "SocialSecurityNumber": null,
      "Phone": null,
      "Company": null,
      "DateOfBirth": null
    },
    "BillingAddress": null,
    "ShippingAddress": null,
    "Articles": null,
    "Details": null,
    "ReferenceDetails": null,
    "CustomParameters": null,
    "PreapprovalID": null,
    "Status": {
      "ID": %STATUSID%,
      "Info": %STATUSINFO%,
      "Reasons": [
        {
          "Code": "%CODE%",
          "Info": "%INFO%"
        }
      ]
    },
    "MethodTransactionID": null,
    "TokenLifetime": null,
    "Capture": null,
    "RedirectURL": null
  }
}`

// docCreateRefusalCard is the document's 400 answer to a direct card
// POST /v1/payments, verbatim (seed 002_c6b29c27df04218d.txt l.278–325) but for the same
// placeholders (the document's reason is "20", "Key is duplicated").
const docCreateRefusalCard = `{
  "Payment": {
    "InvalidRequestID": "i3065",
    "ID": %ID%,
    "ClientIP": null,
    "SkinID": null,
    "Created": %CREATED%,
    "MerchantTransactionID": "s2ptest_h2",
    "OriginatorTransactionID": null,
    "Amount": 2000,
    "Currency": "EUR",
    "CapturedAmount": 0,
    "ReturnURL": null,
    "Description": null,
    "StatementDescriptor": null,
    "MethodID": 6,
    "MethodOptionID": null,
    "SiteID": 1010,
    "NotificationDateTime": null,
    "Customer": null,
    "BillingAddress": null,
    "ShippingAddress": null,
    "Articles": null,
    "Card": {
      "HolderName": "John Doe",
      "Number": "Ends with 1111",
      "ExpirationMonth": "02",
      "ExpirationYear": "2018"
    },
    "CreditCardToken": null,
    "Status": {
      "ID": %STATUSID%,
      "Info": %STATUSINFO%,
      "Reasons": [
        {
          "Code": "%CODE%",
          "Info": "%INFO%"
        }
      ]
    },
    "MethodTransactionID": null,
    "PaymentTokenLifetime": null,
    "Capture": true,
    "Retry": false,
    "RedirectURL": null,
    "3DSecure": null
  }
}`

func fill(tmpl string, kv ...string) string {
	return strings.NewReplacer(kv...).Replace(tmpl)
}

// answering is a GlobalPay whose two hosts answer every request with status
// and body.
func answering(t *testing.T, status int, body string) *smart2pay.Gateway {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	cfg := docConfig()
	cfg.BaseURL, cfg.CardBaseURL = srv.URL, srv.URL
	gw, err := smart2pay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// docAPMRequest and docCardRequest are the document's two create requests
// (seed 002_c6b29c27df04218d.txt l.14–26 and l.103–117).
func docAPMRequest(t *testing.T) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{Reference: "s2ptest_g2", Amount: money(t, "0.11", "CNY"), Capture: true,
		Method:     payments.ProviderMethod{ID: "1066"},
		ReturnURLs: payments.ReturnURLs{Success: "http://demo.smart2pay.com/redirect.php"},
		Customer:   &payments.Customer{Email: "youremail@email.com"}}
}

func docCardRequest(t *testing.T) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{Reference: "s2ptest_h2", Amount: money(t, "20.00", "EUR"), Capture: true, Method: testCard()}
}

// TestReturnCodes14And15AreRefusals: 14 (generic error) and 15 (unable to
// process) arrive with an HTTP 4xx, "you did something wrong" (seed 002_c6b29c27df04218d.txt
// l.167): neither a retry nor another acquirer is indicated.
func TestReturnCodes14And15AreRefusals(t *testing.T) {
	for _, tc := range []struct{ code, info string }{{"14", "Generic error"}, {"15", "Unable to process"}} {
		for name, tmpl := range map[string]string{"apm": docCreateRefusalAPM, "card": docCreateRefusalCard} {
			t.Run(tc.code+"/"+name, func(t *testing.T) {
				body := fill(tmpl, "%ID%", "null", "%CREATED%", "null", "%STATUSID%", "null", "%STATUSINFO%", "null", "%CODE%", tc.code, "%INFO%", tc.info)
				gw := answering(t, http.StatusBadRequest, body)
				req := docAPMRequest(t)
				if name == "card" {
					req = docCardRequest(t)
				}
				p, err := gw.Authorize(ctxT(t), req)
				if p != nil || err == nil {
					t.Fatalf("(%+v, %v)", p, err)
				}
				var pe *payments.Error
				if !errors.As(err, &pe) || pe.ProviderCode != tc.code || pe.HTTPStatus != 400 {
					t.Fatalf("%#v", err)
				}
				if payments.Retryable(err) || payments.CanCascade(err) || errors.Is(err, payments.ErrUnavailable) {
					t.Errorf("code %s on a 4xx: %s, retryable %v, cascadable %v", tc.code, pe.Code, payments.Retryable(err), payments.CanCascade(err))
				}
			})
		}
	}
}

// TestRefusalCarryingACreatedPayment: a 4xx answer whose payment has an ID
// and a status is that payment. It is returned and classified by its status
// (as a 201 would be), never dropped for an error a caller could take as
// "try again" or "try another acquirer": that would charge twice.
func TestRefusalCarryingACreatedPayment(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl, code, info string
		id, statusID, info2    string
		want                   payments.Status
		wantID                 string
	}{
		{"apm 14 open", docCreateRefusalAPM, "14", "Generic error", "2677982", "1", `"Open"`, payments.StatusRequiresAction, "2677982"},
		{"apm 15 pending on provider", docCreateRefusalAPM, "15", "Unable to process", "2677982", "7", `"PendingOnProvider"`, payments.StatusPending, "2677982"},
		{"apm 125 bank offline, open", docCreateRefusalAPM, "125", "Bank offline", "2677982", "1", "null", payments.StatusRequiresAction, "2677982"},
		{"card 16 authorize requested", docCreateRefusalCard, "16", "Error, try later", "202230", "10", `"AuthorizeRequested"`, payments.StatusPending, "card:202230"},
		{"card 15 captured", docCreateRefusalCard, "15", "Unable to process", "202230", "11", `"Captured"`, payments.StatusCaptured, "card:202230"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := fill(tc.tmpl, "%ID%", tc.id, "%CREATED%", `"20161205084103"`, "%STATUSID%", tc.statusID, "%STATUSINFO%", tc.info2, "%CODE%", tc.code, "%INFO%", tc.info)
			gw := answering(t, http.StatusBadRequest, body)
			req := docAPMRequest(t)
			if tc.tmpl == docCreateRefusalCard {
				req = docCardRequest(t)
			}
			p, err := gw.Authorize(ctxT(t), req)
			if err != nil {
				t.Fatalf("the created payment was dropped for %v (cascadable %v)", err, payments.CanCascade(err))
			}
			if p == nil || p.ID != tc.wantID || p.Status != tc.want || p.Reference != req.Reference || !p.Amount.Equal(req.Amount) || len(p.Raw) == 0 {
				t.Fatalf("%+v", p)
			}
		})
	}
	// A created payment that failed is a decline, as on a 201 (the payment
	// is returned with the error; no money moved).
	body := fill(docCreateRefusalCard, "%ID%", "202230", "%CREATED%", `"20161205084103"`, "%STATUSID%", "4", "%STATUSINFO%", `"Failed"`, "%CODE%", "15", "%INFO%", "Unable to process")
	p, err := answering(t, http.StatusBadRequest, body).Authorize(ctxT(t), docCardRequest(t))
	if !errors.Is(err, payments.ErrDeclined) || p == nil || p.ID != "card:202230" || p.Status != payments.StatusFailed {
		t.Fatalf("(%+v, %v)", p, err)
	}
	// The document's duplicate (code 20) names no payment: ErrDuplicate, and
	// a duplicate that names one is still not this call's payment.
	body = fill(docCreateRefusalAPM, "%ID%", "2677982", "%CREATED%", `"20161107092103"`, "%STATUSID%", "1", "%STATUSINFO%", `"Open"`, "%CODE%", "20", "%INFO%", "MerchantTransactionID is duplicated - s2ptest_g2")
	if p, err := answering(t, http.StatusBadRequest, body).Authorize(ctxT(t), docAPMRequest(t)); p != nil || !errors.Is(err, payments.ErrDuplicate) {
		t.Fatalf("duplicate: (%+v, %v)", p, err)
	}
	// Amount, Currency and MerchantTransactionID null, as in the document's
	// capture refusal (l.538–540): they are the request's.
	body = `{"Payment":{"ID":2677982,"Created":"20161107092103","MerchantTransactionID":null,"Amount":null,"Currency":null,"Status":{"ID":1,"Info":"Open","Reasons":[{"Code":14,"Info":"Generic error"}]},"RedirectURL":null}}`
	p, err = answering(t, http.StatusBadRequest, body).Authorize(ctxT(t), docAPMRequest(t))
	if err != nil || p.ID != "2677982" || !p.Amount.Equal(money(t, "0.11", "CNY")) || p.Reference != "s2ptest_g2" {
		t.Fatalf("(%+v, %v)", p, err)
	}
}
