package smartpaytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fetchToken obtains an OAuth2 token with client credentials, via HTTP Basic
// or form fields.
func fetchToken(t testing.TB, s *Server, id, secret string, basic bool) string {
	t.Helper()
	status, body := tokenRequest(t, s, id, secret, basic, "client_credentials", "application/x-www-form-urlencoded")
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var td struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &td); err != nil || td.TokenType != "Bearer" || td.ExpiresIn != 3600 || td.AccessToken == "" {
		t.Fatalf("token body %s (%v)", body, err)
	}
	return td.AccessToken
}

func tokenRequest(t testing.TB, s *Server, id, secret string, basic bool, grant, contentType string) (int, []byte) {
	t.Helper()
	form := url.Values{"grant_type": {grant}}
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", contentType)
	if basic {
		req.SetBasicAuth(id, secret)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestOAuthToken(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		name        string
		id, secret  string
		basic       bool
		grant, ct   string
		status      int
		oauthError  string
		countsIssue bool
	}{
		{"basic", DefaultMerchantKey, DefaultAuthenticationKey, true, "client_credentials", "application/x-www-form-urlencoded", 200, "", true},
		{"form fields", DefaultMerchantKey, DefaultAuthenticationKey, false, "client_credentials", "application/x-www-form-urlencoded", 200, "", true},
		{"wrong secret", DefaultMerchantKey, "wrong", true, "client_credentials", "application/x-www-form-urlencoded", 401, "invalid_client", false},
		{"no client", "", "", false, "client_credentials", "application/x-www-form-urlencoded", 401, "invalid_client", false},
		{"password grant", DefaultMerchantKey, DefaultAuthenticationKey, true, "password", "application/x-www-form-urlencoded", 400, "unsupported_grant_type", false},
		{"JSON body", DefaultMerchantKey, DefaultAuthenticationKey, true, "client_credentials", "application/json", 400, "invalid_request", false},
	}
	issues := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tokenRequest(t, s, tc.id, tc.secret, tc.basic, tc.grant, tc.ct)
			if status != tc.status {
				t.Fatalf("%d %s", status, body)
			}
			if tc.countsIssue {
				issues++
			}
			if tc.oauthError != "" && decode(t, body)["error"] != tc.oauthError {
				t.Errorf("body %s", body)
			}
			if s.TokenIssues() != issues {
				t.Errorf("TokenIssues = %d, want %d", s.TokenIssues(), issues)
			}
		})
	}
	t.Run("token works for API calls and Reset forgets it", func(t *testing.T) {
		tok := fetchToken(t, s, DefaultMerchantKey, DefaultAuthenticationKey, true)
		id := authorize(t, s, "PAYINVC", "oauth-1", "10.00", withBearer(tok))
		if r := call(t, s, http.MethodGet, PathStatus+id, "", withBearer(tok)); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		s.Reset()
		if s.TokenIssues() != 0 {
			t.Errorf("TokenIssues after Reset = %d", s.TokenIssues())
		}
		if r := call(t, s, http.MethodGet, PathStatus+id, "", withBearer(tok)); r.status != 401 {
			t.Fatalf("token survived Reset: %d", r.status)
		}
	})
}

func TestCheckoutFlows(t *testing.T) {
	tests := []struct {
		name        string
		opts        []Option
		outcomes    []CheckoutOutcome
		viaPage     bool
		wantStatus  string
		wantCapture string
	}{
		{"manual capture channel", nil, []CheckoutOutcome{CheckoutSuccess}, false, StatusAuthorizationCompleted, "0.00"},
		{"auto-capture channel", []Option{WithAutoCapture(true)}, []CheckoutOutcome{CheckoutSuccess}, false, StatusCaptured, "49.99"},
		{"declined", nil, []CheckoutOutcome{CheckoutFailure}, false, StatusFailed, "0.00"},
		{"pending then success", nil, []CheckoutOutcome{CheckoutPending, CheckoutSuccess}, false, StatusAuthorizationCompleted, "0.00"},
		{"buyer pays on the page", nil, []CheckoutOutcome{CheckoutSuccess}, true, StatusAuthorizationCompleted, "0.00"},
		{"buyer declines on the page", nil, []CheckoutOutcome{CheckoutFailure}, true, StatusFailed, "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(tc.opts...)
			defer s.Close()
			co := createCheckout(t, s, "co-1", "49.99")
			if len(co) != 3 || !uuidRe.MatchString(co["transactionId"].(string)) || co["checkoutToken"] == "" ||
				!strings.HasPrefix(co["redirectUrl"].(string), s.BaseURL()+"/checkout/") {
				t.Fatalf("creation response %v", co)
			}
			id := co["transactionId"].(string)
			for _, o := range tc.outcomes {
				if tc.viaPage {
					page := co["redirectUrl"].(string)
					resp, err := s.Client().Get(page)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || !strings.Contains(string(b), "49.99 EUR") {
						t.Fatalf("page: %d %s", resp.StatusCode, b)
					}
					resp, err = s.Client().PostForm(page, url.Values{"outcome": {string(o)}})
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Fatalf("page POST: %d", resp.StatusCode)
					}
				} else if err := s.CompleteCheckout(id, o); err != nil {
					t.Fatal(err)
				}
			}
			m := status(t, s, id)
			if str(m, "paymentStatus") != tc.wantStatus {
				t.Errorf("paymentStatus %q, want %q", str(m, "paymentStatus"), tc.wantStatus)
			}
			ps, _ := s.Payment(id)
			if ps.Captured != tc.wantCapture || ps.PartnerReference != "co-1" {
				t.Errorf("state %+v", ps)
			}
			if err := s.CompleteCheckout(id, CheckoutSuccess); err == nil {
				t.Error("a finished checkout completed twice")
			}
			ops := s.Operations()
			if ops[0].Kind != OpCreate || ops[len(ops)-1].Kind != OpComplete || ops[len(ops)-1].Result != tc.wantStatus {
				t.Errorf("operations %+v", ops)
			}
		})
	}
}

func TestCreationValidation(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		name     string
		body     string
		status   int
		property string
	}{
		{"merchantKey missing", fmt.Sprintf(creationBody, "", "c-1", "10.00"), 400, "merchantKey"},
		{"merchantKey of someone else", fmt.Sprintf(creationBody, "another-merchant", "c-1", "10.00"), 403, ""},
		{"shopCountry alpha-3", strings.Replace(fmt.Sprintf(creationBody, DefaultMerchantKey, "c-1", "10.00"), `"DE"`, `"DEU"`, 1), 400, "shopCountry"},
		{"amount with one decimal", fmt.Sprintf(creationBody, DefaultMerchantKey, "c-1", "10.5"), 400, "payment.amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, http.MethodPost, PathCreation, tc.body)
			if r.status != tc.status || (tc.property != "" && !hasErrorProperty(t, r.body, tc.property, "")) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
}

func TestModifications(t *testing.T) {
	type step struct {
		path, modID, amount string
		status              int
		wantPayment         string // paymentStatus in the response or "" for errors
		wantError           string // MOD1 error or MOD2 code
	}
	tests := []struct {
		name     string
		invoice  string // "" = checkout completed with success
		steps    []step
		captured string
		refunded string
	}{
		{"partial captures then refunds", "", []step{
			{PathCapture, "c1", "20.00", 200, StatusCaptured, ""},
			{PathCapture, "c2", "30.00", 400, "", codeOutOfBounds},
			{PathCapture, "c3", "29.99", 200, StatusCaptured, ""},
			{PathCapture, "c4", "", 400, "", gatewayErrorGateway},
			{PathRefund, "r1", "10.00", 200, StatusCaptured, ""},
			{PathRefund, "r2", "40.00", 400, "", codeOutOfBounds},
			{PathCancelOrRefund, "cr1", "", 200, StatusCaptured, ""},
			{PathRefund, "r3", "", 400, "", gatewayErrorGateway},
		}, "49.99", "49.99"},
		{"full capture without modifiedAmount", "", []step{
			{PathCapture, "c1", "", 200, StatusCaptured, ""},
			{PathCancel, "x1", "", 400, "", gatewayErrorGateway},
			{PathRefund, "r1", "", 200, StatusCaptured, ""},
		}, "49.99", "49.99"},
		{"cancel before capture", "", []step{
			{PathRefund, "r1", "1.00", 400, "", gatewayErrorGateway},
			{PathCancel, "x1", "", 200, StatusCancelled, ""},
			{PathCapture, "c1", "", 400, "", gatewayErrorGateway},
			{PathCancelOrRefund, "cr1", "", 400, "", gatewayErrorGateway},
		}, "0.00", "0.00"},
		{"cancelOrRefund cancels an uncaptured payment", "", []step{
			{PathCancelOrRefund, "cr1", "", 200, StatusCancelled, ""},
		}, "0.00", "0.00"},
		// The document answers CAPTURED (seed 004 l.482-498): nothing is
		// left to capture, and a captured payment cannot be cancelled.
		{"prepayment answered CAPTURED", "PREPMNT", []step{
			{PathCapture, "c1", "", 400, "", gatewayErrorGateway},
			{PathCancel, "x1", "", 400, "", gatewayErrorGateway},
		}, "49.99", "0.00"},
		{"pay upon invoice captured by the merchant", "PAYINVC", []step{
			{PathCapture, "c1", "49.99", 200, StatusCaptured, ""},
		}, "49.99", "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			var id string
			if tc.invoice != "" {
				id = authorize(t, s, tc.invoice, "mod-1", "49.99")
			} else {
				id = createCheckout(t, s, "mod-1", "49.99")["transactionId"].(string)
				if err := s.CompleteCheckout(id, CheckoutSuccess); err != nil {
					t.Fatal(err)
				}
			}
			for _, st := range tc.steps {
				r := call(t, s, http.MethodPost, st.path, modBody(id, st.modID, st.amount, ""))
				if r.status != st.status {
					t.Fatalf("%s %s: %d %s", st.path, st.modID, r.status, r.body)
				}
				m := decode(t, r.body)
				switch {
				case st.wantPayment != "":
					requireShape(t, st.path, r.body, statusSchema(t), true)
					if str(m, "paymentStatus") != st.wantPayment || str(m, "modification", "modificationData", "modificationId") != st.modID {
						t.Errorf("%s: %s", st.path, r.body)
					}
				case m["error"] != nil:
					requireShape(t, st.path, r.body, readDoc(t, "error_mod1.json"), false)
					if m["error"] != st.wantError {
						t.Errorf("%s: %s", st.path, r.body)
					}
				default:
					if e := firstError(t, r.body); e["code"] != st.wantError {
						t.Errorf("%s: %s", st.path, r.body)
					}
				}
			}
			ps, _ := s.Payment(id)
			if ps.Captured != tc.captured || ps.Refunded != tc.refunded {
				t.Errorf("captured %s refunded %s, want %s %s", ps.Captured, ps.Refunded, tc.captured, tc.refunded)
			}
		})
	}
}

func TestCancelResponse(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := authorize(t, s, "PAYINVC", "cancel-1", "10.99")
	body := fmt.Sprintf(`{"transactionId": %q, "modificationId": "f7c55bb3-0002-4363-9a33-56af8d5e691e", "description": "SMP-Cancel-01", "merchantKey": %q}`, id, DefaultMerchantKey)
	r := call(t, s, http.MethodPost, PathCancel, body)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	requireShape(t, "cancel", r.body, statusSchema(t), true)
	m := decode(t, r.body)
	checks := map[string]bool{
		"paymentStatus CANCELLED":        str(m, "paymentStatus") == "CANCELLED",
		"type CANCELLATION":              str(m, "modification", "modificationData", "type") == "CANCELLATION",
		"cancelId":                       uuidRe.MatchString(str(m, "modification", "modificationData", "cancelId")),
		"modificationId echoed":          str(m, "modification", "modificationData", "modificationId") == "f7c55bb3-0002-4363-9a33-56af8d5e691e",
		"same reconciliationReferenceId": str(m, "modification", "modificationData", "reconciliationReferenceId") == str(m, "reconciliationReferenceId"),
		"description of the cancel":      str(m, "modification", "modificationAmount", "description") == "SMP-Cancel-01",
		"amount":                         num(m, "modification", "modificationAmount", "amount") == "10.99",
		"status":                         str(m, "modification", "status") == "CANCELLED",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("%s: %s", what, r.body)
		}
	}
}

func TestModificationValidation(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := authorize(t, s, "PAYINVC", "mv-1", "10.00")
	tests := []struct {
		name     string
		body     string
		status   int
		property string
	}{
		{"no modificationId", modBody(id, "", "", ""), 400, "modificationId"},
		{"modificationId of 65", modBody(id, strings.Repeat("m", 65), "", ""), 400, "modificationId"},
		{"no transactionId", modBody("", "m1", "", ""), 400, "transactionId"},
		{"no merchantKey", strings.Replace(modBody(id, "m1", "", ""), DefaultMerchantKey, "", 1), 400, "merchantKey"},
		{"other currency", strings.Replace(modBody(id, "m1", "5.00", "x"), `"EUR"`, `"USD"`, 1), 400, "modifiedAmount.currencyCode"},
		{"modifiedAmount without amount", strings.Replace(modBody(id, "m1", "5.00", "x"), `"amount": 5.00, `, "", 1), 400, "modifiedAmount.amount"},
		{"unknown transaction", modBody("00000000-0000-4000-8000-0000000000ff", "m1", "", ""), 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, http.MethodPost, PathCapture, tc.body)
			if r.status != tc.status || (tc.property != "" && !hasErrorProperty(t, r.body, tc.property, "")) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	if n := len(s.Operations()); n != 1 {
		t.Errorf("%d operations", n)
	}
}

func TestIdempotentModifications(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := authorize(t, s, "PAYINVC", "idem-1", "100.00")
	other := authorize(t, s, "PAYINVC", "idem-2", "100.00")

	first := call(t, s, http.MethodPost, PathCapture, modBody(id, "cap-A", "40.00", ""))
	again := call(t, s, http.MethodPost, PathCapture, modBody(id, "cap-A", "40.00", ""))
	differentAmount := call(t, s, http.MethodPost, PathCapture, modBody(id, "cap-A", "1.00", ""))
	if first.status != 200 || string(first.body) != string(again.body) || string(first.body) != string(differentAmount.body) {
		t.Fatalf("replay differs:\n%s\n%s\n%s", first.body, again.body, differentAmount.body)
	}
	if r := call(t, s, http.MethodPost, PathCapture, modBody(other, "cap-A", "40.00", "")); r.status != 400 ||
		!hasErrorProperty(t, r.body, "modificationId", codeNotUnique) {
		t.Errorf("modificationId reused on another transaction: %d %s", r.status, r.body)
	}
	if r := call(t, s, http.MethodPost, PathRefund, modBody(id, "cap-A", "1.00", "")); r.status != 400 {
		t.Errorf("modificationId reused on another endpoint: %d %s", r.status, r.body)
	}
	// A rejected request is not remembered: the id can be used again.
	if r := call(t, s, http.MethodPost, PathRefund, modBody(id, "ref-A", "50.00", "")); r.status != 400 {
		t.Fatalf("over-refund accepted: %d", r.status)
	}
	if r := call(t, s, http.MethodPost, PathRefund, modBody(id, "ref-A", "40.00", "")); r.status != 200 {
		t.Fatalf("refund after rejected attempt: %d %s", r.status, r.body)
	}

	// Many concurrent retries of one capture execute it once.
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, s, http.MethodPost, PathCapture, modBody(other, "cap-B", "25.00", ""))
			bodies[i] = fmt.Sprintf("%d %s", r.status, r.body)
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] || !strings.HasPrefix(b, "200 ") {
			t.Fatalf("concurrent replays differ: %s vs %s", b, bodies[0])
		}
	}
	captures := 0
	for _, op := range s.Operations() {
		if op.Kind == OpCapture {
			captures++
		}
	}
	if captures != 2 {
		t.Errorf("%d captures executed, want 2: %+v", captures, s.Operations())
	}
	ps, _ := s.Payment(id)
	if ps.Captured != "40.00" || ps.Refunded != "40.00" {
		t.Errorf("state %+v", ps)
	}
}

func TestFailureInjection(t *testing.T) {
	t.Run("before execution", func(t *testing.T) {
		s := NewServer(WithFailNext(PathAuthorize, http.StatusInternalServerError))
		defer s.Close()
		r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", "fi-1", "10.00", "Doe"))
		if r.status != 500 || string(firstError(t, r.body)["message"].(string)) != "Internal server error." {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if len(s.Operations()) != 0 {
			t.Fatal("failed request was executed")
		}
		authorize(t, s, "PAYINVC", "fi-1", "10.00") // the retry works: nothing was reserved
	})
	t.Run("after execution, then a retry with the same modificationId", func(t *testing.T) {
		s := NewServer()
		defer s.Close()
		id := authorize(t, s, "PAYINVC", "fi-2", "10.00")
		s.FailNextAfterExecute(PathCapture, http.StatusBadGateway)
		r := call(t, s, http.MethodPost, PathCapture, modBody(id, "cap-1", "", ""))
		if r.status != 502 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		r = call(t, s, http.MethodPost, PathCapture, modBody(id, "cap-1", "", ""))
		if r.status != 200 || str(decode(t, r.body), "paymentStatus") != StatusCaptured {
			t.Fatalf("retry: %d %s", r.status, r.body)
		}
		if ops := s.Operations(); len(ops) != 2 || ops[1].Kind != OpCapture || ops[1].Amount != "10.00" {
			t.Fatalf("operations %+v", ops)
		}
	})
	t.Run("prefix rule, consumed once", func(t *testing.T) {
		s := NewServer()
		defer s.Close()
		id := authorize(t, s, "PAYINVC", "fi-3", "10.00")
		s.FailNext(PathStatus+"*", http.StatusServiceUnavailable)
		if r := call(t, s, http.MethodGet, PathStatus+id, ""); r.status != 503 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := call(t, s, http.MethodGet, PathStatus+id, ""); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("token endpoint", func(t *testing.T) {
		s := NewServer(WithFailNext(PathToken, 500))
		defer s.Close()
		if st, _ := tokenRequest(t, s, DefaultMerchantKey, DefaultAuthenticationKey, true, "client_credentials", "application/x-www-form-urlencoded"); st != 500 {
			t.Fatalf("%d", st)
		}
		fetchToken(t, s, DefaultMerchantKey, DefaultAuthenticationKey, true)
		if s.TokenIssues() != 1 {
			t.Errorf("TokenIssues %d", s.TokenIssues())
		}
	})
}

// receiver is an httptest webhook endpoint that records deliveries.
type receiver struct {
	mu       sync.Mutex
	events   []map[string]any
	raw      [][]byte
	fail     int // answer 500 to this many deliveries first
	user     string
	pass     string
	bearer   string
	attempts int
	srv      *httptest.Server
}

func newReceiver(t *testing.T, r *receiver) *receiver {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, req *http.Request) {
		u, p, _ := req.BasicAuth()
		if req.FormValue("grant_type") != "client_credentials" || u != r.user || p != r.pass {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+r.bearer+`","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("/hook", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		switch {
		case r.bearer != "":
			if req.Header.Get("Authorization") != "Bearer "+r.bearer {
				w.WriteHeader(401)
				return
			}
		case r.user != "":
			if u, p, ok := req.BasicAuth(); !ok || u != r.user || p != r.pass {
				w.WriteHeader(401)
				return
			}
		}
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		if r.fail > 0 {
			r.fail--
			w.WriteHeader(500)
			return
		}
		b, _ := io.ReadAll(req.Body)
		r.raw = append(r.raw, b)
		r.events = append(r.events, decode(t, b))
		w.WriteHeader(http.StatusNoContent)
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() ([]map[string]any, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.events...), r.attempts
}

func TestWebhooks(t *testing.T) {
	rc := newReceiver(t, &receiver{user: "hook-user", pass: "hook-pass"})
	s := NewServer(WithNotificationURL(rc.srv.URL+"/hook"), WithNotificationBasicAuth("hook-user", "hook-pass"))
	defer s.Close()

	id := authorize(t, s, "PREPMNT", "wh-1", "30.00")
	if err := s.PayInvoice(id); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, http.MethodPost, PathRefund, modBody(id, "wh-ref", "5.00", ""))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	refundID := str(decode(t, r.body), "modification", "modificationData", "refundId")
	if err := s.SetStatus(id, StatusSettled); err != nil {
		t.Fatal(err)
	}
	co := createCheckout(t, s, "wh-2", "12.00")
	if err := s.CompleteCheckout(co["transactionId"].(string), CheckoutSuccess); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)

	events, _ := rc.snapshot()
	want := []struct{ origin, objectType, objectID, status string }{
		{"api", "prepayment", id, StatusCaptured},
		{"automated", "prepayment", id, StatusSettled},
		{"api", "refund", refundID, ""}, // no documented refund status
		{"automated", "prepayment", id, StatusSettled},
		{"api", "payment", co["transactionId"].(string), StatusCreated},
		{"widget", "payment", co["transactionId"].(string), StatusAuthorizationCompleted},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d: %v", len(events), len(want), events)
	}
	envelope := []string{"context", "createdAt", "data", "eventType", "id", "merchantKey", "metadata", "objectId", "objectType", "origin"}
	seen := map[string]bool{}
	for i, ev := range events {
		var keys []string
		for k := range ev {
			keys = append(keys, k)
		}
		if fmt.Sprint(sortedStrings(keys)) != fmt.Sprint(envelope) {
			t.Errorf("event %d keys %v", i, keys)
		}
		w := want[i]
		st := str(ev, "data", "paymentStatus")
		if w.objectType == "refund" {
			st = str(ev, "data", "status")
			if num(ev, "data", "amount") != "5.00" || str(ev, "data", "transactionId") != id {
				t.Errorf("refund event %v", ev)
			}
		}
		if ev["origin"] != w.origin || ev["objectType"] != w.objectType || ev["objectId"] != w.objectID || st != w.status ||
			ev["eventType"] != "updated" || ev["merchantKey"] != DefaultMerchantKey || !dateRe.MatchString(str(ev, "createdAt")) ||
			str(ev, "context", "transactionId") == "" {
			t.Errorf("event %d = %v, want %+v", i, ev, w)
		}
		if seen[str(ev, "id")] {
			t.Errorf("duplicate event id %s", str(ev, "id"))
		}
		seen[str(ev, "id")] = true
	}
	if str(events[0], "data", "transactionReference") == "" || str(events[0], "context", "partnerReference") != "wh-1" {
		t.Errorf("prepayment event lacks the invoice reference: %v", events[0])
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestWebhookRetries(t *testing.T) {
	t.Run("retried until accepted, same id", func(t *testing.T) {
		rc := newReceiver(t, &receiver{fail: 2})
		s := NewServer(WithNotificationURL(rc.srv.URL+"/hook"), WithNotificationRetry(5, 0))
		defer s.Close()
		authorize(t, s, "PAYINVC", "rt-1", "10.00")
		waitIdle(t, s)
		events, attempts := rc.snapshot()
		if attempts != 3 || len(events) != 1 {
			t.Fatalf("attempts %d, events %d", attempts, len(events))
		}
	})
	t.Run("bounded", func(t *testing.T) {
		rc := newReceiver(t, &receiver{fail: 1000})
		s := NewServer(WithNotificationURL(rc.srv.URL+"/hook"), WithNotificationRetry(3, 0))
		defer s.Close()
		authorize(t, s, "PAYINVC", "rt-2", "10.00")
		authorize(t, s, "PAYINVC", "rt-3", "10.00")
		waitIdle(t, s)
		if _, attempts := rc.snapshot(); attempts != 6 {
			t.Fatalf("attempts %d, want 2 events x 3", attempts)
		}
	})
	t.Run("wrong basic credentials are retried and dropped", func(t *testing.T) {
		rc := newReceiver(t, &receiver{user: "u", pass: "p"})
		s := NewServer(WithNotificationURL(rc.srv.URL+"/hook"), WithNotificationBasicAuth("u", "wrong"), WithNotificationRetry(2, 0))
		defer s.Close()
		authorize(t, s, "PAYINVC", "rt-4", "10.00")
		waitIdle(t, s)
		if events, attempts := rc.snapshot(); attempts != 2 || len(events) != 0 {
			t.Fatalf("attempts %d events %d", attempts, len(events))
		}
	})
	t.Run("OAuth bearer from the merchant's token URL", func(t *testing.T) {
		rc := newReceiver(t, &receiver{user: "client", pass: "secret", bearer: "merchant-token"})
		s := NewServer(WithNotificationURL(rc.srv.URL+"/hook"), WithNotificationOAuth(rc.srv.URL+"/token", "client", "secret"))
		defer s.Close()
		authorize(t, s, "PAYINVC", "rt-5", "10.00")
		authorize(t, s, "PAYINVC", "rt-6", "10.00")
		waitIdle(t, s)
		if events, attempts := rc.snapshot(); attempts != 2 || len(events) != 2 {
			t.Fatalf("attempts %d events %d", attempts, len(events))
		}
	})
	t.Run("no URL, no traffic; WaitIdle returns at once", func(t *testing.T) {
		s := NewServer()
		defer s.Close()
		authorize(t, s, "PAYINVC", "rt-7", "10.00")
		waitIdle(t, s)
	})
}

func TestSetStatus(t *testing.T) {
	for _, st := range AllStatuses {
		t.Run(st, func(t *testing.T) {
			rc := newReceiver(t, &receiver{})
			s := NewServer(WithNotificationURL(rc.srv.URL + "/hook"))
			defer s.Close()
			id := authorize(t, s, "PAYINVC", "ss-1", "10.00")
			if err := s.SetStatus(id, st); err != nil {
				t.Fatal(err)
			}
			m := status(t, s, id)
			requireShape(t, "status", mustJSON(t, m), statusSchema(t), true)
			if str(m, "paymentStatus") != st {
				t.Errorf("paymentStatus %q", str(m, "paymentStatus"))
			}
			wantMod := map[string]string{StatusSettled: ModificationSettlement, StatusChargeback: ModificationChargeback}[st]
			if got := str(m, "modification", "modificationData", "type"); got != wantMod {
				t.Errorf("modification type %q, want %q", got, wantMod)
			}
			ps, _ := s.Payment(id)
			if (st == StatusCaptured || st == StatusSettled) && ps.Captured != "10.00" {
				t.Errorf("captured %s", ps.Captured)
			}
			waitIdle(t, s)
			events, _ := rc.snapshot()
			last := events[len(events)-1]
			if last["origin"] != "automated" || str(last, "data", "paymentStatus") != st {
				t.Errorf("webhook %v", last)
			}
		})
	}
	s := NewServer()
	defer s.Close()
	if err := s.SetStatus("nope", StatusSettled); err == nil {
		t.Error("unknown transaction accepted")
	}
	id := authorize(t, s, "PAYINVC", "ss-2", "10.00")
	if err := s.SetStatus(id, "REFUNDED"); err == nil {
		t.Error("unknown status accepted")
	}
}

func TestPayInvoice(t *testing.T) {
	s := NewServer()
	defer s.Close()
	pre := authorize(t, s, "PREPMNT", "pi-1", "10.00")
	if err := s.PayInvoice(pre); err != nil {
		t.Fatal(err)
	}
	if err := s.PayInvoice(pre); err == nil {
		t.Error("invoice paid twice")
	}
	co := createCheckout(t, s, "pi-2", "10.00")
	if err := s.PayInvoice(co["transactionId"].(string)); err == nil {
		t.Error("checkout paid as an invoice")
	}
	if err := s.PayInvoice("unknown"); err == nil {
		t.Error("unknown transaction paid")
	}
	ps, _ := s.PaymentByReference("pi-1")
	if ps.Status != StatusSettled || ps.Captured != "10.00" || len(ps.Modifications) != 1 || ps.Modifications[0].Type != ModificationSettlement {
		t.Errorf("%+v", ps)
	}
	// The prose's reading: AUTHORIZATION_PENDING, then paid.
	s2 := NewServer(WithPrepaymentPending(true))
	defer s2.Close()
	pre = authorize(t, s2, "PREPMNT", "pi-3", "10.00")
	if ps, _ := s2.Payment(pre); ps.Status != StatusAuthorizationPending || ps.Captured != "0.00" {
		t.Errorf("%+v", ps)
	}
	if err := s2.PayInvoice(pre); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s2.Payment(pre); ps.Status != StatusSettled || ps.Captured != "10.00" {
		t.Errorf("%+v", ps)
	}
	if _, ok := s.PaymentByReference("nope"); ok {
		t.Error("unknown reference found")
	}
}

func TestConcurrentClients(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok := fetchToken(t, s, DefaultMerchantKey, DefaultAuthenticationKey, true)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := fmt.Sprintf("conc-%d", i)
			r := call(t, s, http.MethodPost, PathAuthorize, authorizeJSON("PAYINVC", ref, "10.00", "Doe"), withBearer(tok))
			if r.status != 201 {
				errs <- fmt.Sprintf("authorize %d %s", r.status, r.body)
				return
			}
			id := str(decode(t, r.body), "transactionOverview", "transactionId")
			for _, st := range []struct{ path, amount string }{{PathCapture, "6.00"}, {PathCapture, "4.00"}, {PathRefund, "3.00"}} {
				r := call(t, s, http.MethodPost, st.path, modBody(id, ref+st.path+st.amount, st.amount, ""), withBearer(tok))
				if r.status != 200 {
					errs <- fmt.Sprintf("%s %d %s", st.path, r.status, r.body)
					return
				}
			}
			if m := status(t, s, id); num(m, "transactionOverview", "amount") != "10.00" {
				errs <- "status"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := len(s.Operations()); got != 4*n {
		t.Errorf("%d operations, want %d", got, 4*n)
	}
	if s.TokenIssues() != 1 {
		t.Errorf("TokenIssues %d", s.TokenIssues())
	}
}

func TestDeterministicAndReset(t *testing.T) {
	run := func(s *Server) []string {
		var out []string
		id := authorize(t, s, "PREPMNT", "det-1", "10.00")
		out = append(out, string(call(t, s, http.MethodGet, PathStatus+id, "").body))
		co := createCheckout(t, s, "det-2", "20.00")
		out = append(out, fmt.Sprint(co))
		_ = s.CompleteCheckout(co["transactionId"].(string), CheckoutSuccess)
		out = append(out, string(call(t, s, http.MethodPost, PathCapture, modBody(co["transactionId"].(string), "c", "", "")).body))
		out = append(out, string(call(t, s, http.MethodPost, PathRefund, modBody(co["transactionId"].(string), "r", "1.00", "")).body))
		return out
	}
	c1, c2 := newFakeClock(), newFakeClock()
	s1, s2 := NewServer(WithClock(c1.Now)), NewServer(WithClock(c2.Now))
	defer s1.Close()
	defer s2.Close()
	a, b := run(s1), run(s2)
	for i := range a {
		// The redirect URL contains the port, which differs.
		x := strings.ReplaceAll(a[i], s1.BaseURL(), "URL")
		y := strings.ReplaceAll(b[i], s2.BaseURL(), "URL")
		if x != y {
			t.Errorf("not deterministic:\n%s\n%s", x, y)
		}
	}
	s1.Reset()
	if len(s1.Operations()) != 0 {
		t.Error("operations survive Reset")
	}
	if _, ok := s1.PaymentByReference("det-1"); ok {
		t.Error("payments survive Reset")
	}
	c := run(s1)
	if strings.ReplaceAll(c[0], s1.BaseURL(), "URL") != strings.ReplaceAll(a[0], s1.BaseURL(), "URL") {
		t.Errorf("ids after Reset differ:\n%s\n%s", c[0], a[0])
	}
}
