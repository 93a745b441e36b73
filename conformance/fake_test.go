package conformance

// A small HTTP driver ("fake") and its simulator, built on drivers/memory,
// to test the suite's cassette machinery end to end: record against the
// simulator, then replay offline.

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
)

const (
	fakeHost         = "api.fake.example"
	fakeBase         = "https://" + fakeHost
	fakeAPIKey       = "sk_test_51Hsecret"
	fakeWebhookToken = "whsec_fake"
)

// --- wire ---

type fakeMoney struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

func toFakeMoney(m payments.Money) fakeMoney {
	return fakeMoney{Value: json.Number(m.Decimal()), Currency: string(m.Currency)}
}

func (m fakeMoney) money() (payments.Money, error) {
	return payments.ParseMoney(string(m.Value), m.Currency)
}

type fakeCard struct {
	Number string `json:"number"`
	CVV    string `json:"cvv"`
	Expiry string `json:"expiry"`
}

type fakeCreate struct {
	Reference string    `json:"reference"`
	Amount    fakeMoney `json:"amount"`
	Capture   bool      `json:"capture"`
	Card      *fakeCard `json:"card,omitempty"`
	Method    string    `json:"method,omitempty"`
}

type fakeModify struct {
	Amount *fakeMoney `json:"amount,omitempty"`
}

type fakePayment struct {
	ID        string            `json:"id"`
	Reference string            `json:"reference"`
	Status    string            `json:"status"`
	Amount    fakeMoney         `json:"amount"`
	Captured  fakeMoney         `json:"captured"`
	Refunded  fakeMoney         `json:"refunded"`
	Decline   string            `json:"decline_code,omitempty"`
	NextURL   string            `json:"next_url,omitempty"`
	NextForm  map[string]string `json:"next_form,omitempty"`
	Card      string            `json:"card_last4,omitempty"`
}

type fakeRefund struct {
	ID     string    `json:"id"`
	Amount fakeMoney `json:"amount"`
}

// --- simulator ---

type fakeSim struct {
	gw  *memory.Gateway
	srv *httptest.Server
}

func newFakeSim(t *testing.T) *fakeSim {
	s := &fakeSim{gw: memory.New(memory.Config{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *fakeSim) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/test/complete/") {
		_, err := s.gw.CompleteAction(strings.TrimPrefix(r.URL.Path, "/test/complete/"), r.URL.Query().Get("approve") == "true")
		if err != nil {
			http.Error(w, err.Error(), 400)
		}
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+fakeAPIKey {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // v1 payments {id} {op}
	var p *payments.Payment
	var rf *payments.Refund
	var err error
	switch {
	case r.Method == "POST" && len(parts) == 2:
		var in fakeCreate
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, `{"error":"bad json"}`, 400)
			return
		}
		amount, err2 := in.Amount.money()
		if err2 != nil {
			http.Error(w, `{"error":"bad amount"}`, 400)
			return
		}
		req := &payments.AuthorizeRequest{Reference: in.Reference, Amount: amount, Capture: in.Capture}
		if in.Card != nil {
			mm, yy, _ := strings.Cut(in.Card.Expiry, "/")
			req.Method = payments.Card{Number: payments.CardNumber(in.Card.Number), CVV: payments.CVV(in.Card.CVV), ExpiryMonth: mm, ExpiryYear: yy}
		} else {
			req.Method = payments.HostedPage{}
		}
		p, err = s.gw.Authorize(ctx, req)
	case r.Method == "GET" && len(parts) == 2:
		p, err = s.gw.Status(ctx, &payments.StatusRequest{Reference: r.URL.Query().Get("reference")})
	case r.Method == "GET" && len(parts) == 3:
		p, err = s.gw.Status(ctx, &payments.StatusRequest{ID: parts[2]})
	case r.Method == "POST" && len(parts) == 4:
		var in fakeModify
		_ = json.NewDecoder(r.Body).Decode(&in)
		var amount *payments.Money
		if in.Amount != nil {
			m, err := in.Amount.money()
			if err != nil {
				http.Error(w, `{"error":"bad amount"}`, 400)
				return
			}
			amount = &m
		}
		key := r.Header.Get("Idempotency-Key")
		switch parts[3] {
		case "captures":
			p, err = s.gw.Capture(ctx, &payments.CaptureRequest{ID: parts[2], Amount: amount, IdempotencyKey: key})
		case "cancel":
			p, err = s.gw.Cancel(ctx, &payments.CancelRequest{ID: parts[2], IdempotencyKey: key})
		case "refunds":
			rf, err = s.gw.Refund(ctx, &payments.RefundRequest{ID: parts[2], Amount: amount, IdempotencyKey: key})
		}
	default:
		http.NotFound(w, r)
		return
	}
	code := 200
	switch {
	case errors.Is(err, payments.ErrDeclined):
		code = 402
	case errors.Is(err, payments.ErrDuplicate):
		code = 409
	case errors.Is(err, payments.ErrNotFound):
		code = 404
	case err != nil:
		code = 422
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	switch {
	case p != nil:
		_ = json.NewEncoder(w).Encode(wireOf(p))
	case rf != nil:
		_ = json.NewEncoder(w).Encode(fakeRefund{ID: rf.ID, Amount: toFakeMoney(rf.Amount)})
	default:
		fmt.Fprintf(w, `{"error":%q}`, payments.CodeOf(err))
	}
}

func wireOf(p *payments.Payment) fakePayment {
	f := fakePayment{ID: p.ID, Reference: p.Reference, Status: p.Status.String(), Amount: toFakeMoney(p.Amount),
		Captured: toFakeMoney(p.Captured), Refunded: toFakeMoney(p.Refunded)}
	if p.Decline != nil {
		f.Decline = string(p.Decline.Reason)
	}
	if p.Action != nil {
		f.NextURL = p.Action.URL
		f.NextForm = p.Action.Fields
	}
	return f
}

// --- driver ---

type fakeDriver struct {
	rt    http.RoundTripper
	retry bool // claims IdempotentModifications and retries them once
}

func (d *fakeDriver) Name() string { return "fake" }

func (d *fakeDriver) Capabilities() payments.Capabilities {
	return payments.Capabilities{
		Methods: []payments.MethodKind{payments.KindCard, payments.KindHostedPage},
		TwoStep: true, Cancel: true, PartialCapture: true, MultipleCaptures: true,
		Refund: true, PartialRefund: true, MultipleRefunds: true, ThreeDS: true,
		LookupByReference: true, IdempotentModifications: d.retry,
		Notifications: payments.VerifiedCredentials | payments.VerifiedByQuery,
	}
}

func (d *fakeDriver) do(ctx context.Context, method, path string, body any, key string, moneyMoving bool, out any) error {
	var rdr io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rdr = bytes.NewReader(b)
	}
	attempts := 1
	if d.retry && key != "" {
		attempts = 2
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		if b, ok := rdr.(*bytes.Reader); ok {
			_, _ = b.Seek(0, io.SeekStart)
		}
		req, err := http.NewRequestWithContext(ctx, method, fakeBase+path, rdr)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+fakeAPIKey)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := d.rt.RoundTrip(req)
		if err != nil {
			return &payments.Error{Code: payments.Unavailable, Provider: "fake", Err: err}
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			lastErr = &payments.Error{Code: payments.Unavailable, Provider: "fake", HTTPStatus: resp.StatusCode}
			if moneyMoving {
				lastErr = &payments.Error{Code: payments.OutcomeUnknown, Provider: "fake", HTTPStatus: resp.StatusCode}
			}
			continue
		}
		if err := json.Unmarshal(data, out); err != nil {
			code := payments.Integrity
			if moneyMoving {
				code = payments.OutcomeUnknown
			}
			return &payments.Error{Code: code, Provider: "fake", HTTPStatus: resp.StatusCode, Err: err}
		}
		switch resp.StatusCode {
		case 200, 201, 402:
			return nil
		case 409:
			return &payments.Error{Code: payments.Duplicate, Provider: "fake", HTTPStatus: 409}
		case 404:
			return &payments.Error{Code: payments.NotFound, Provider: "fake", HTTPStatus: 404}
		default:
			return &payments.Error{Code: payments.InvalidState, Provider: "fake", HTTPStatus: resp.StatusCode}
		}
	}
	return lastErr
}

func (d *fakeDriver) payment(f *fakePayment) (*payments.Payment, error) {
	p := &payments.Payment{ID: f.ID, Reference: f.Reference, Provider: "fake", ProviderStatus: f.Status}
	if err := p.Status.UnmarshalText([]byte(f.Status)); err != nil {
		p.Status = payments.StatusUnknown
	}
	var err error
	if p.Amount, err = f.Amount.money(); err != nil {
		return nil, err
	}
	if p.Captured, err = f.Captured.money(); err != nil {
		return nil, err
	}
	if p.Refunded, err = f.Refunded.money(); err != nil {
		return nil, err
	}
	if f.Decline != "" {
		p.Decline = &payments.Decline{Reason: payments.DeclineReason(f.Decline), Code: f.Decline}
	}
	if f.NextURL != "" {
		p.Action = &payments.Action{Type: payments.ActionRedirect, URL: f.NextURL}
		if len(f.NextForm) > 0 {
			p.Action.Type, p.Action.Fields = payments.ActionFormPost, f.NextForm
		}
	}
	return p, nil
}

func (d *fakeDriver) Authorize(ctx context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	in := fakeCreate{Reference: req.Reference, Amount: toFakeMoney(req.Amount), Capture: req.Capture}
	if c, ok := payments.MethodAs[payments.Card](req.Method); ok {
		in.Card = &fakeCard{Number: c.Number.Digits(), CVV: string(c.CVV), Expiry: c.Month2() + "/" + c.Year2()}
	} else {
		in.Method = "hosted"
	}
	var out fakePayment
	if err := d.do(ctx, "POST", "/v1/payments", in, "", true, &out); err != nil {
		return nil, err
	}
	p, err := d.payment(&out)
	if err != nil {
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: "fake", Err: err}
	}
	if p.Status == payments.StatusFailed {
		return p, &payments.Error{Code: payments.Declined, Provider: "fake", Decline: p.Decline}
	}
	return p, nil
}

func (d *fakeDriver) modify(ctx context.Context, id, op string, amount *payments.Money, key string) (*payments.Payment, error) {
	var in fakeModify
	if amount != nil {
		m := toFakeMoney(*amount)
		in.Amount = &m
	}
	var out fakePayment
	if err := d.do(ctx, "POST", "/v1/payments/"+url.PathEscape(id)+"/"+op, in, key, true, &out); err != nil {
		return nil, err
	}
	return d.payment(&out)
}

func (d *fakeDriver) Capture(ctx context.Context, req *payments.CaptureRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return d.modify(ctx, req.ID, "captures", req.Amount, req.IdempotencyKey)
}

func (d *fakeDriver) Cancel(ctx context.Context, req *payments.CancelRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return d.modify(ctx, req.ID, "cancel", nil, req.IdempotencyKey)
}

func (d *fakeDriver) Refund(ctx context.Context, req *payments.RefundRequest) (*payments.Refund, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	in := fakeModify{}
	if req.Amount != nil {
		m := toFakeMoney(*req.Amount)
		in.Amount = &m
	}
	var out fakeRefund
	if err := d.do(ctx, "POST", "/v1/payments/"+url.PathEscape(req.ID)+"/refunds", in, req.IdempotencyKey, true, &out); err != nil {
		return nil, err
	}
	amount, err := out.Amount.money()
	if err != nil {
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: "fake", Err: err}
	}
	return &payments.Refund{ID: out.ID, PaymentID: req.ID, Status: payments.RefundSucceeded, Amount: amount}, nil
}

func (d *fakeDriver) Status(ctx context.Context, req *payments.StatusRequest) (*payments.Payment, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	path := "/v1/payments/" + url.PathEscape(req.ID)
	if req.ID == "" {
		path = "/v1/payments?reference=" + url.QueryEscape(req.Reference)
	}
	var out fakePayment
	if err := d.do(ctx, "GET", path, nil, "", false, &out); err != nil {
		return nil, err
	}
	return d.payment(&out)
}

func (d *fakeDriver) Notify(ctx context.Context, r *http.Request) (*payments.Notification, error) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Fake-Token")), []byte(fakeWebhookToken)) != 1 {
		return nil, &payments.Error{Code: payments.Unverified, Provider: "fake"}
	}
	var in struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ID == "" {
		return nil, &payments.Error{Code: payments.InvalidRequest, Provider: "fake"}
	}
	p, err := d.Status(ctx, &payments.StatusRequest{ID: in.ID})
	if err != nil {
		return nil, err
	}
	return &payments.Notification{Kind: payments.NotificationPayment, Payment: p,
		Verified: payments.VerifiedCredentials | payments.VerifiedByQuery, Reply: payments.Reply{StatusCode: 200}}, nil
}

// --- harness ---

func fakeRequest(ref, number string, method payments.PaymentMethod) *payments.AuthorizeRequest {
	amount, _ := payments.ParseMoney("10.50", "EUR")
	if method == nil {
		method = payments.Card{Number: payments.CardNumber(number), ExpiryMonth: "12", ExpiryYear: "2030", CVV: "737"}
	}
	return &payments.AuthorizeRequest{Reference: ref, Amount: amount, Method: method}
}

func fakeNotification(token string) func(*testing.T, *Scenario, *payments.Payment) *http.Request {
	return func(t *testing.T, _ *Scenario, p *payments.Payment) *http.Request {
		r := httptest.NewRequest("POST", "https://merchant.example/notify", strings.NewReader(`{"id":"`+p.ID+`"}`))
		r.Header.Set("X-Fake-Token", token)
		return r
	}
}

func fakeHarness(dir string, retry bool) Harness {
	return Harness{
		Name:        "fake",
		CassetteDir: dir,
		NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
			return &fakeDriver{rt: rt, retry: retry}
		},
		Simulator: func(t *testing.T) http.RoundTripper {
			return RewriteHosts(map[string]string{fakeHost: newFakeSim(t).srv.URL})
		},
		CompleteAction: func(t *testing.T, s *Scenario, p *payments.Payment, approve bool) {
			u := fmt.Sprintf("%s/test/complete/%s?approve=%v", fakeBase, p.ID, approve)
			resp, err := (&http.Client{Transport: s.Transport}).Post(u, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("completing the action: HTTP %d", resp.StatusCode)
			}
		},
		Fixtures: Fixtures{
			Approved:           func(ref string) *payments.AuthorizeRequest { return fakeRequest(ref, memory.CardApproved, nil) },
			Declined:           func(ref string) *payments.AuthorizeRequest { return fakeRequest(ref, memory.CardSuspectedFraud, nil) },
			DeclineReason:      payments.DeclineSuspectedFraud,
			RequiresAction:     func(ref string) *payments.AuthorizeRequest { return fakeRequest(ref, memory.CardThreeDS, nil) },
			HostedPage:         func(ref string) *payments.AuthorizeRequest { return fakeRequest(ref, "", payments.HostedPage{}) },
			Notification:       fakeNotification(fakeWebhookToken),
			ForgedNotification: fakeNotification("whsec_forged"),
		},
	}
}
