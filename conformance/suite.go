package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gopayments/payments"
)

// env is one running scenario.
type env struct {
	t      *testing.T
	h      *Harness
	sc     *Scenario
	gw     *tracked
	caps   payments.Capabilities
	fault  *faultTransport
	ctx    context.Context
	n      int    // references handed out
	k      int    // idempotency keys handed out
	suffix string // ModeLive: appended to references, stripped from cassettes
}

// ref returns the scenario's next deterministic reference.
func (e *env) ref() string {
	e.n++
	return "conf-" + e.sc.Name + "-" + strconv.Itoa(e.n) + e.suffix
}

// key returns the scenario's next deterministic idempotency key.
func (e *env) key() string {
	e.k++
	return "conf-" + e.sc.Name + "-k" + strconv.Itoa(e.k) + e.suffix
}

type scenarioDef struct {
	name string
	// applies says whether the driver's capabilities call for the scenario,
	// and if not, why.
	applies func(c payments.Capabilities) (bool, string)
	// cassette: the scenario's traffic goes through a cassette.
	cassette bool
	fn       func(e *env)
}

func always(payments.Capabilities) (bool, string) { return true, "" }

func needs(what string, f func(c payments.Capabilities) bool) func(payments.Capabilities) (bool, string) {
	return func(c payments.Capabilities) (bool, string) { return f(c), "the driver does not claim " + what }
}

func scenarioDefs() []scenarioDef {
	return []scenarioDef{
		{ScenarioOneStepSale, always, true, testOneStepSale},
		{ScenarioAuthorizeThenCapture, needs("TwoStep", func(c payments.Capabilities) bool { return c.TwoStep }), true, testAuthorizeThenCapture},
		{ScenarioPartialCapture, needs("TwoStep and PartialCapture", func(c payments.Capabilities) bool { return c.TwoStep && c.PartialCapture }), true, testPartialCapture},
		{ScenarioCancelAuthorization, needs("TwoStep and Cancel", func(c payments.Capabilities) bool { return c.TwoStep && c.Cancel }), true, testCancelAuthorization},
		{ScenarioFullRefund, needs("Refund", func(c payments.Capabilities) bool { return c.Refund }), true, testFullRefund},
		{ScenarioPartialRefund, needs("Refund and PartialRefund", func(c payments.Capabilities) bool { return c.Refund && c.PartialRefund }), true, testPartialRefund},
		{ScenarioDecline, always, true, testDecline},
		{ScenarioRequiresAction, needs("ThreeDS", func(c payments.Capabilities) bool { return c.ThreeDS }), true, testRequiresAction},
		{ScenarioHostedPage, needs("the hosted_page method", func(c payments.Capabilities) bool { return c.Supports(payments.KindHostedPage) }), true, testHostedPage},
		{ScenarioInvoice, needs("the invoice method", func(c payments.Capabilities) bool { return c.Supports(payments.KindInvoice) }), true, testInvoice},
		{ScenarioStatusByID, always, true, testStatusByID},
		{ScenarioStatusByReference, needs("LookupByReference", func(c payments.Capabilities) bool { return c.LookupByReference }), true, testStatusByReference},
		{ScenarioDuplicateReference, always, true, testDuplicateReference},
		{ScenarioNotificationValid, always, true, testNotificationValid},
		{ScenarioNotificationForged, always, true, testNotificationForged},
		{ScenarioInvalidInput, always, false, testInvalidInput},
		{ScenarioOutcomeUnknown, always, true, testOutcomeUnknown},
	}
}

func run(t *testing.T, h Harness) {
	t.Helper()
	mode := CurrentMode()
	if !mode.Valid() {
		t.Fatalf("conformance: %s=%q: want unset (replay), %q or %q", RecordEnv, string(mode), ModeSim, ModeLive)
	}
	if err := h.check(mode); err != nil {
		t.Fatalf("conformance: %v", err)
	}
	if mode == ModeLive && !h.NoHTTP {
		var missing []string
		for _, v := range h.LiveEnv {
			if os.Getenv(v) == "" {
				missing = append(missing, v)
			}
		}
		if len(missing) > 0 {
			t.Fatalf("conformance: %s=live needs these environment variables set: %v", RecordEnv, missing)
		}
	}
	if h.CassetteDir == "" {
		h.CassetteDir = filepath.Join("testdata", "cassettes")
	}
	probe := h.NewGateway(t, &countingTransport{})
	if probe == nil {
		t.Fatal("conformance: Harness.NewGateway returned nil")
	}
	if probe.Name() != h.Name {
		t.Errorf("Gateway.Name() = %q, Harness.Name = %q", probe.Name(), h.Name)
	}
	caps := probe.Capabilities()
	suffix := ""
	if mode == ModeLive {
		suffix = "-" + strconv.FormatInt(time.Now().Unix(), 36)
	}
	for _, d := range scenarioDefs() {
		t.Run(d.name, func(t *testing.T) {
			if reason, ok := h.Skip[d.name]; ok {
				t.Skipf("skipped by the harness: %s", reason)
			}
			if ok, why := d.applies(caps); !ok {
				t.Skip(why)
			}
			runScenario(t, &h, d, mode, caps, suffix)
		})
	}
}

func (h *Harness) check(mode Mode) error {
	var missing []string
	if h.Name == "" {
		missing = append(missing, "Name")
	}
	if h.NewGateway == nil {
		missing = append(missing, "NewGateway")
	}
	if mode == ModeSim && !h.NoHTTP && h.Simulator == nil {
		missing = append(missing, "Simulator (needed for "+RecordEnv+"=sim)")
	}
	f := h.Fixtures
	if f.Approved == nil {
		missing = append(missing, "Fixtures.Approved")
	}
	if f.Declined == nil {
		missing = append(missing, "Fixtures.Declined")
	}
	if f.DeclineReason == "" {
		missing = append(missing, "Fixtures.DeclineReason")
	}
	if f.Notification == nil {
		missing = append(missing, "Fixtures.Notification")
	}
	if f.ForgedNotification == nil {
		missing = append(missing, "Fixtures.ForgedNotification")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the harness lacks %v", missing)
	}
	return nil
}

func runScenario(t *testing.T, h *Harness, d scenarioDef, mode Mode, caps payments.Capabilities, suffix string) {
	sc := &Scenario{Name: d.name, Mode: mode}
	e := &env{t: t, h: h, sc: sc, caps: caps, ctx: t.Context(), suffix: suffix}
	if !d.cassette {
		d.fn(e) // builds its own gateway
		return
	}
	var base http.RoundTripper
	switch {
	case h.NoHTTP:
		base = forbiddenTransport{t}
	case mode == ModeReplay:
		rp, err := loadReplayer(t, cassettePath(h.CassetteDir, d.name))
		if err != nil {
			t.Fatal(err)
		}
		base = rp
		defer func() {
			if t.Failed() {
				return
			}
			if u := rp.unused(); len(u) > 0 {
				t.Errorf("cassette %s: %d recorded interactions were never requested (the driver sends fewer requests than when it was recorded; re-record with %s=sim): %v",
					cassettePath(h.CassetteDir, d.name), len(u), RecordEnv, u)
			}
		}()
	default:
		var real http.RoundTripper = http.DefaultTransport
		if mode == ModeSim {
			real = h.Simulator(t)
			if real == nil {
				t.Fatal("conformance: Harness.Simulator returned nil")
			}
			sc.Transport = real
		}
		rec, stop, err := startRecorder(t, cassettePath(h.CassetteDir, d.name), real, suffix)
		if err != nil {
			t.Fatal(err)
		}
		base = rec
		defer func() {
			if err := stop(); err != nil {
				t.Errorf("saving the cassette: %v", err)
			}
		}()
	}
	e.fault = &faultTransport{next: base, safe: h.SafeRequest}
	g := h.NewGateway(t, e.fault)
	if g == nil {
		t.Fatal("conformance: Harness.NewGateway returned nil")
	}
	sc.Gateway = g
	e.gw = newTracked(t, g, h.Name)
	defer e.gw.checkTransitions()
	d.fn(e)
}

// --- helpers ---------------------------------------------------------------

func statusIn(s payments.Status, want []payments.Status) bool {
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}

// wantStatus fails the test unless p is in one of the wanted statuses.
func (e *env) wantStatus(step string, p *payments.Payment, want ...payments.Status) {
	e.t.Helper()
	if !statusIn(p.Status, want) {
		e.t.Fatalf("%s: status %s (provider status %q), want %v", step, p.Status, p.ProviderStatus, want)
	}
}

// wantMoney fails the test unless got is exactly want (same currency, same
// value; 10.5 equals 10.50).
func (e *env) wantMoney(step, field string, got, want payments.Money) {
	e.t.Helper()
	if !got.Equal(want) || got.Currency != want.Currency {
		e.t.Errorf("%s: %s = %s, want exactly %s", step, field, got, want)
	}
}

func (e *env) newRequest(kind string, f func(string) *payments.AuthorizeRequest) *payments.AuthorizeRequest {
	e.t.Helper()
	ref := e.ref()
	req := f(ref)
	if req == nil {
		e.t.Fatalf("Fixtures.%s returned nil", kind)
	}
	if req.Reference != ref {
		e.t.Fatalf("Fixtures.%s: Reference = %q, want the reference it was given, %q", kind, req.Reference, ref)
	}
	return req
}

// approved returns the Approved fixture with Capture set.
func (e *env) approved(capture bool) *payments.AuthorizeRequest {
	req := e.newRequest("Approved", e.h.Fixtures.Approved)
	req.Capture = capture
	return req
}

// authorize sends req and fails the test on an error.
func (e *env) authorize(step string, req *payments.AuthorizeRequest) *payments.Payment {
	e.t.Helper()
	p, err := e.gw.Authorize(e.ctx, req)
	if err != nil {
		e.t.Fatalf("%s: Authorize(%s): %v", step, req.Reference, err)
	}
	if p == nil {
		e.t.Fatalf("%s: Authorize(%s) returned a nil Payment and no error", step, req.Reference)
	}
	if p.Reference != "" && p.Reference != req.Reference {
		e.t.Errorf("%s: Payment.Reference = %q, want %q", step, p.Reference, req.Reference)
	}
	return p
}

// sale makes a one-step sale and checks it is captured in full.
func (e *env) sale() (*payments.Payment, *payments.AuthorizeRequest) {
	e.t.Helper()
	req := e.approved(true)
	p := e.authorize("sale", req)
	e.wantStatus("sale", p, payments.StatusCaptured)
	e.wantMoney("sale", "Captured", p.Captured, req.Amount)
	e.wantMoney("sale", "Refunded", p.Refunded, req.Amount.Zero())
	return p, req
}

// auth authorizes without capturing.
func (e *env) auth() (*payments.Payment, *payments.AuthorizeRequest) {
	e.t.Helper()
	req := e.approved(false)
	p := e.authorize("authorize", req)
	e.wantStatus("authorize", p, payments.StatusAuthorized)
	e.wantMoney("authorize", "Captured", p.Captured, req.Amount.Zero())
	return p, req
}

func (e *env) status(step string, req *payments.StatusRequest) *payments.Payment {
	e.t.Helper()
	p, err := e.gw.Status(e.ctx, req)
	if err != nil {
		e.t.Fatalf("%s: Status(%+v): %v", step, *req, err)
	}
	if p == nil {
		e.t.Fatalf("%s: Status returned a nil Payment and no error", step)
	}
	if req.ID != "" && p.ID != req.ID {
		e.t.Errorf("%s: Status(ID %q) returned payment %q", step, req.ID, p.ID)
	}
	return p
}

func (e *env) statusOf(step string, p *payments.Payment, want ...payments.Status) *payments.Payment {
	e.t.Helper()
	got := e.status(step, &payments.StatusRequest{ID: p.ID})
	e.wantStatus(step, got, want...)
	e.wantMoney(step, "Amount", got.Amount, p.Amount)
	if got.Reference != "" && p.Reference != "" && got.Reference != p.Reference {
		e.t.Errorf("%s: Reference = %q, want %q", step, got.Reference, p.Reference)
	}
	return got
}

func (e *env) capture(step string, id string, amount *payments.Money) *payments.Payment {
	e.t.Helper()
	p, err := e.gw.Capture(e.ctx, &payments.CaptureRequest{ID: id, Amount: amount, IdempotencyKey: e.key()})
	if err != nil {
		e.t.Fatalf("%s: Capture(%s): %v", step, id, err)
	}
	if p == nil {
		e.t.Fatalf("%s: Capture returned a nil Payment and no error", step)
	}
	return p
}

func (e *env) refund(step string, id string, amount *payments.Money) *payments.Refund {
	e.t.Helper()
	r, err := e.gw.Refund(e.ctx, &payments.RefundRequest{ID: id, Amount: amount, Reason: "conformance", IdempotencyKey: e.key()})
	if err != nil {
		e.t.Fatalf("%s: Refund(%s): %v", step, id, err)
	}
	if r == nil {
		e.t.Fatalf("%s: Refund returned nil and no error", step)
	}
	if r.Status == payments.RefundFailed {
		e.t.Fatalf("%s: refund failed (provider status %q)", step, r.ProviderStatus)
	}
	return r
}

// part returns num/den of m, rounded down to whole minor units, at least
// one minor unit.
func (e *env) part(m payments.Money, num, den int64) payments.Money {
	e.t.Helper()
	minor, err := m.Minor()
	if err != nil {
		e.t.Fatalf("amount %s: %v", m, err)
	}
	if minor < 2 {
		e.t.Fatalf("the fixture's amount %s is too small to split; use at least 2 minor units", m)
	}
	n := max(minor*num/den, 1)
	out, err := payments.MoneyFromMinor(n, string(m.Currency))
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) sub(a, b payments.Money) payments.Money {
	e.t.Helper()
	d, err := a.Sub(b)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// wantAction fails the test unless a is an action a customer can follow.
func (e *env) wantAction(step string, a *payments.Action) {
	e.t.Helper()
	if a == nil {
		e.t.Fatalf("%s: no Action to show the customer", step)
	}
	absolute := func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
	}
	switch a.Type {
	case payments.ActionRedirect:
		if !absolute(a.URL) {
			e.t.Errorf("%s: redirect Action URL %q is not an absolute http(s) URL", step, a.URL)
		}
		if a.Method != "" && a.Method != http.MethodGet {
			e.t.Errorf("%s: redirect Action Method %q, want GET or empty", step, a.Method)
		}
	case payments.ActionFormPost:
		if !absolute(a.URL) {
			e.t.Errorf("%s: form_post Action URL %q is not an absolute http(s) URL", step, a.URL)
		}
		if len(a.Fields) == 0 {
			e.t.Errorf("%s: form_post Action has no Fields to post", step)
		}
		if a.Method != "" && a.Method != http.MethodPost {
			e.t.Errorf("%s: form_post Action Method %q, want POST or empty", step, a.Method)
		}
	case payments.ActionDisplay:
		if a.Reference == "" && len(a.Details) == 0 && a.QRCodeURL == "" {
			e.t.Errorf("%s: display Action has no Reference, Details or QR code to show", step)
		}
	default:
		e.t.Errorf("%s: Action type %q is none of redirect, form_post, display", step, a.Type)
	}
}

// protect turns a panic in the driver into a test failure naming the call.
func protect(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s panicked: %v", what, p)
		}
	}()
	f()
}

// --- scenarios -------------------------------------------------------------

func testOneStepSale(e *env) {
	p, _ := e.sale()
	e.statusOf("status after sale", p, payments.StatusCaptured)
}

func testAuthorizeThenCapture(e *env) {
	p, req := e.auth()
	e.statusOf("status after authorize", p, payments.StatusAuthorized)
	c := e.capture("capture", p.ID, nil)
	e.wantStatus("capture", c, payments.StatusCaptured)
	e.wantMoney("capture", "Captured", c.Captured, req.Amount)
	got := e.statusOf("status after capture", p, payments.StatusCaptured)
	e.wantMoney("status after capture", "Captured", got.Captured, req.Amount)
}

func testPartialCapture(e *env) {
	p, req := e.auth()
	first := e.part(req.Amount, 1, 2)
	c := e.capture("partial capture", p.ID, &first)
	if e.caps.MultipleCaptures {
		e.wantStatus("partial capture", c, payments.StatusPartiallyCaptured)
	} else {
		e.wantStatus("partial capture", c, payments.StatusPartiallyCaptured, payments.StatusCaptured)
	}
	e.wantMoney("partial capture", "Captured", c.Captured, first)
	got := e.statusOf("status after partial capture", p, c.Status)
	e.wantMoney("status after partial capture", "Captured", got.Captured, first)
	if !e.caps.MultipleCaptures {
		return
	}
	rest := e.sub(req.Amount, first)
	c2 := e.capture("second capture", p.ID, &rest)
	e.wantStatus("second capture", c2, payments.StatusCaptured)
	e.wantMoney("second capture", "Captured", c2.Captured, req.Amount)
	got = e.statusOf("status after second capture", p, payments.StatusCaptured)
	e.wantMoney("status after second capture", "Captured", got.Captured, req.Amount)
}

func testCancelAuthorization(e *env) {
	p, req := e.auth()
	c, err := e.gw.Cancel(e.ctx, &payments.CancelRequest{ID: p.ID, IdempotencyKey: e.key()})
	if err != nil {
		e.t.Fatalf("Cancel(%s): %v", p.ID, err)
	}
	if c == nil {
		e.t.Fatal("Cancel returned a nil Payment and no error")
	}
	e.wantStatus("cancel", c, payments.StatusCanceled)
	e.wantMoney("cancel", "Captured", c.Captured, req.Amount.Zero())
	e.statusOf("status after cancel", p, payments.StatusCanceled)
}

func testFullRefund(e *env) {
	p, req := e.sale()
	r := e.refund("refund", p.ID, nil)
	e.wantMoney("refund", "Refund.Amount", r.Amount, req.Amount)
	want := []payments.Status{payments.StatusRefunded}
	if r.Status == payments.RefundPending {
		want = append(want, payments.StatusCaptured)
	}
	got := e.statusOf("status after refund", p, want...)
	if got.Status == payments.StatusRefunded {
		e.wantMoney("status after refund", "Refunded", got.Refunded, req.Amount)
	}
}

func testPartialRefund(e *env) {
	p, req := e.sale()
	first := e.part(req.Amount, 1, 3)
	r := e.refund("partial refund", p.ID, &first)
	e.wantMoney("partial refund", "Refund.Amount", r.Amount, first)
	want := []payments.Status{payments.StatusPartiallyRefunded}
	if r.Status == payments.RefundPending {
		want = append(want, payments.StatusCaptured)
	}
	got := e.statusOf("status after partial refund", p, want...)
	if got.Status == payments.StatusPartiallyRefunded {
		e.wantMoney("status after partial refund", "Refunded", got.Refunded, first)
	}
	if !e.caps.MultipleRefunds {
		return
	}
	rest := e.sub(req.Amount, first)
	r2 := e.refund("second refund", p.ID, &rest)
	e.wantMoney("second refund", "Refund.Amount", r2.Amount, rest)
	want = []payments.Status{payments.StatusRefunded}
	if r.Status == payments.RefundPending || r2.Status == payments.RefundPending {
		want = append(want, payments.StatusCaptured, payments.StatusPartiallyRefunded)
	}
	got = e.statusOf("status after second refund", p, want...)
	if got.Status == payments.StatusRefunded {
		e.wantMoney("status after second refund", "Refunded", got.Refunded, req.Amount)
	}
}

func testDecline(e *env) {
	req := e.newRequest("Declined", e.h.Fixtures.Declined)
	p, err := e.gw.Authorize(e.ctx, req)
	want := e.h.Fixtures.DeclineReason
	if !errors.Is(err, payments.ErrDeclined) {
		e.t.Fatalf("Authorize(declined): error %v, want ErrDeclined", err)
	}
	var pe *payments.Error
	if !errors.As(err, &pe) {
		e.t.Errorf("the decline error is %T, want a *payments.Error", err)
	} else if pe.Decline == nil || pe.Decline.Reason != want {
		e.t.Errorf("Error.Decline = %+v, want reason %q", pe.Decline, want)
	}
	if p == nil {
		e.t.Fatal("Authorize(declined) returned no Payment alongside ErrDeclined")
	}
	e.wantStatus("decline", p, payments.StatusFailed)
	if p.Decline == nil || p.Decline.Reason != want {
		e.t.Errorf("Payment.Decline = %+v, want reason %q", p.Decline, want)
	}
	e.wantMoney("decline", "Captured", p.Captured, req.Amount.Zero())
	got := e.statusOf("status after decline", p, payments.StatusFailed)
	if got.Decline != nil && got.Decline.Reason != want {
		e.t.Errorf("status after decline: Decline.Reason = %q, want %q", got.Decline.Reason, want)
	}
}

func testRequiresAction(e *env) {
	f := e.h.Fixtures.RequiresAction
	if f == nil {
		e.t.Fatal("the driver claims ThreeDS but Fixtures.RequiresAction is nil")
	}
	for _, approve := range []bool{true, false} {
		req := e.newRequest("RequiresAction", f)
		p := e.authorize("requires action", req)
		e.wantStatus("requires action", p, payments.StatusRequiresAction)
		e.wantAction("requires action", p.Action)
		if e.h.CompleteAction == nil {
			e.statusOf("status before the customer acts", p, payments.StatusRequiresAction, payments.StatusPending)
			return // nothing more can be checked without a customer
		}
		if e.sc.Mode != ModeReplay || e.h.NoHTTP {
			e.h.CompleteAction(e.t, e.sc, p, approve)
		}
		switch {
		case approve && req.Capture:
			got := e.statusOf("status after the customer approved", p, payments.StatusCaptured)
			e.wantMoney("status after the customer approved", "Captured", got.Captured, req.Amount)
		case approve:
			e.statusOf("status after the customer approved", p, payments.StatusAuthorized)
		default:
			got := e.statusOf("status after the customer refused", p, payments.StatusFailed, payments.StatusCanceled, payments.StatusExpired)
			e.wantMoney("status after the customer refused", "Captured", got.Captured, req.Amount.Zero())
		}
	}
}

func testHostedPage(e *env) {
	f := e.h.Fixtures.HostedPage
	if f == nil {
		e.t.Fatal("the driver supports hosted_page but Fixtures.HostedPage is nil")
	}
	req := e.newRequest("HostedPage", f)
	p := e.authorize("hosted page", req)
	e.wantStatus("hosted page", p, payments.StatusRequiresAction)
	e.wantAction("hosted page", p.Action)
	if p.Action.Type == payments.ActionDisplay {
		e.t.Errorf("hosted page: Action type display; want redirect or form_post to the provider's page")
	}
	e.statusOf("status of the hosted page payment", p, payments.StatusRequiresAction, payments.StatusPending)
}

func testInvoice(e *env) {
	f := e.h.Fixtures.Invoice
	if f == nil {
		e.t.Fatal("the driver supports invoice but Fixtures.Invoice is nil")
	}
	ran := 0
	for _, typ := range []payments.InvoiceType{payments.InvoicePrepayment, payments.InvoicePayUponInvoice} {
		ref := e.ref()
		req := f(ref, typ)
		if req == nil {
			e.t.Logf("invoice type %s: not supported by the harness", typ)
			continue
		}
		ran++
		if req.Reference != ref {
			e.t.Fatalf("Fixtures.Invoice: Reference = %q, want %q", req.Reference, ref)
		}
		step := "invoice " + string(typ)
		p := e.authorize(step, req)
		e.wantStatus(step, p, payments.StatusPending, payments.StatusRequiresAction, payments.StatusAuthorized, payments.StatusCaptured)
		if typ == payments.InvoicePrepayment || p.Status == payments.StatusRequiresAction {
			e.wantAction(step, p.Action)
		} else if p.Action != nil {
			e.wantAction(step, p.Action)
		}
		e.statusOf("status of "+step, p, payments.StatusPending, payments.StatusRequiresAction, payments.StatusAuthorized, payments.StatusCaptured)
	}
	if ran == 0 {
		e.t.Error("Fixtures.Invoice returned nil for every invoice type")
	}
}

func testStatusByID(e *env) {
	p, req := e.sale()
	got := e.statusOf("status by ID", p, payments.StatusCaptured)
	e.wantMoney("status by ID", "Captured", got.Captured, req.Amount)
	if got.Reference != req.Reference && got.Reference != "" {
		e.t.Errorf("status by ID: Reference = %q, want %q", got.Reference, req.Reference)
	}
}

func testStatusByReference(e *env) {
	p, req := e.sale()
	got := e.status("status by reference", &payments.StatusRequest{Reference: req.Reference})
	if got.ID != p.ID {
		e.t.Errorf("status by reference %q: payment %q, want %q", req.Reference, got.ID, p.ID)
	}
	e.wantStatus("status by reference", got, payments.StatusCaptured)
	e.wantMoney("status by reference", "Amount", got.Amount, req.Amount)
}

func testDuplicateReference(e *env) {
	_, req := e.sale()
	dup := e.h.Fixtures.Approved(req.Reference)
	dup.Capture = true
	p, err := e.gw.Authorize(e.ctx, dup)
	if !errors.Is(err, payments.ErrDuplicate) {
		e.t.Fatalf("a second Authorize with reference %q: (%v, %v), want ErrDuplicate", req.Reference, p, err)
	}
}

func (e *env) notification(kind string, f func(*testing.T, *Scenario, *payments.Payment) *http.Request, p *payments.Payment) *http.Request {
	e.t.Helper()
	r := f(e.t, e.sc, p)
	if r == nil {
		e.t.Fatalf("Fixtures.%s returned nil", kind)
	}
	return r
}

func testNotificationValid(e *env) {
	p, req := e.sale()
	n, err := e.gw.Notify(e.ctx, e.notification("Notification", e.h.Fixtures.Notification, p))
	if err != nil {
		e.t.Fatalf("Notify(valid notification): %v", err)
	}
	if n == nil {
		e.t.Fatal("Notify returned nil and no error")
	}
	if n.Kind != payments.NotificationPayment {
		e.t.Errorf("Notification.Kind = %q, want %q", n.Kind, payments.NotificationPayment)
	}
	if n.Verified == 0 {
		e.t.Error("Notification.Verified is empty: a notification Notify accepts must be verified")
	} else if e.caps.Notifications != 0 && n.Verified&e.caps.Notifications == 0 {
		e.t.Errorf("Notification.Verified = %s, but Capabilities.Notifications = %s", n.Verified, e.caps.Notifications)
	}
	if n.Payment == nil {
		e.t.Fatal("Notification.Payment is nil")
	}
	if n.Payment.ID != p.ID {
		e.t.Errorf("Notification.Payment.ID = %q, want %q", n.Payment.ID, p.ID)
	}
	e.wantStatus("notification", n.Payment, payments.StatusCaptured)
	e.wantMoney("notification", "Amount", n.Payment.Amount, req.Amount)
	if c := n.Reply.StatusCode; c != 0 && (c < 200 || c > 299) {
		e.t.Errorf("Notification.Reply.StatusCode = %d, want 2xx", c)
	}
	// The same notification through the http.Handler users mount.
	rec := httptest.NewRecorder()
	h := payments.NotificationHandler(e.gw, func(context.Context, *payments.Notification) error { return nil })
	h.ServeHTTP(rec, e.notification("Notification", e.h.Fixtures.Notification, p))
	want := n.Reply.StatusCode
	if want == 0 {
		want = http.StatusOK
	}
	if rec.Code != want {
		e.t.Errorf("NotificationHandler answered the valid notification %d, want %d: %s", rec.Code, want, rec.Body)
	}
}

func testNotificationForged(e *env) {
	p, _ := e.sale()
	n, err := e.gw.Notify(e.ctx, e.notification("ForgedNotification", e.h.Fixtures.ForgedNotification, p))
	if !errors.Is(err, payments.ErrUnverified) {
		e.t.Fatalf("Notify(forged notification) = (%+v, %v), want ErrUnverified", n, err)
	}
	if n != nil {
		e.t.Errorf("Notify(forged notification) returned a Notification alongside the error")
	}
	rec := httptest.NewRecorder()
	called := false
	h := payments.NotificationHandler(e.gw, func(context.Context, *payments.Notification) error { called = true; return nil })
	h.ServeHTTP(rec, e.notification("ForgedNotification", e.h.Fixtures.ForgedNotification, p))
	if rec.Code != http.StatusUnauthorized || called {
		e.t.Errorf("NotificationHandler answered the forged notification %d (callback called: %v), want 401 without calling back", rec.Code, called)
	}
}
