package conformance

import (
	"net/http"
	"os"
	"testing"

	"github.com/gopayments/payments"
)

// RecordEnv is the environment variable that selects the [Mode]:
// unset or empty replays, "sim" re-records against the simulator, "live"
// re-records against the provider's sandbox.
const RecordEnv = "PAYMENTS_RECORD"

// Mode says where a scenario's HTTP traffic comes from.
type Mode string

// The modes.
const (
	// ModeReplay (PAYMENTS_RECORD unset): every request is answered from the
	// scenario's cassette. A missing cassette, or a request the cassette does
	// not hold, fails the test; nothing is skipped.
	ModeReplay Mode = "replay"
	// ModeSim (PAYMENTS_RECORD=sim): the scenario's cassette is deleted and
	// recorded again through Harness.Simulator.
	ModeSim Mode = "sim"
	// ModeLive (PAYMENTS_RECORD=live): the cassette is deleted and recorded
	// again against the provider's real sandbox, with the credentials named
	// by Harness.LiveEnv.
	ModeLive Mode = "live"
)

// CurrentMode returns the mode selected by the PAYMENTS_RECORD environment
// variable: ModeReplay when it is unset or empty, ModeSim for "sim",
// ModeLive for "live". Any other value is returned as is (Mode("bogus")),
// and [Run] fails on it. Harnesses call it to choose credentials: real ones
// from the environment in ModeLive, the simulator's test credentials
// otherwise.
func CurrentMode() Mode {
	switch v := os.Getenv(RecordEnv); v {
	case "", string(ModeReplay):
		return ModeReplay
	default:
		return Mode(v)
	}
}

// Valid reports whether m is one of ModeReplay, ModeSim and ModeLive.
func (m Mode) Valid() bool {
	return m == ModeReplay || m == ModeSim || m == ModeLive
}

// Harness describes one driver to the suite. Fill it in a driver's
// conformance_test.go and pass it to [Run]; see the package documentation
// for a complete example.
//
// Within one scenario, NewGateway, Simulator, CompleteAction and the
// notification fixtures all receive the same *testing.T (the scenario's
// subtest), so a harness may key per-scenario state (a simulator handle) by
// it.
type Harness struct {
	// Name is the driver's name, as Gateway.Name returns it. Required.
	Name string

	// NewGateway builds the driver over rt, with its DEFAULT base URLs
	// (production or sandbox, as its documentation names them): rt is the
	// cassette replayer or recorder, a fault injector or a request counter,
	// never a rewritten URL. Choose credentials with [CurrentMode]: in
	// ModeLive read them from the variables listed in LiveEnv; otherwise
	// use fixed test credentials (the replayer never sees them, since
	// recorded Authorization headers are scrubbed and headers are not
	// matched). Required.
	//
	// It is called once or more per scenario; each call must return a fresh
	// gateway that shares nothing with gateways built for other scenarios.
	NewGateway func(t *testing.T, rt http.RoundTripper) payments.Gateway

	// Simulator returns the transport that, in ModeSim, carries the
	// requests the driver sends to its default hosts to the in-repo
	// simulator: typically [RewriteHosts] over a simulator started for the
	// scenario (stop it with t.Cleanup). It is called once per scenario
	// that records, so every scenario records against a fresh simulator.
	// Required unless NoHTTP is set.
	Simulator func(t *testing.T) http.RoundTripper

	// LiveEnv names the environment variables ModeLive needs (API keys, site
	// ids). In ModeLive the suite fails with the list of the missing ones
	// before any scenario runs.
	LiveEnv []string

	// NoHTTP says the driver makes no HTTP calls (drivers/memory): no
	// cassette is read or written, the recording modes behave like replay,
	// and any request the driver sends through the transport it is given
	// fails the test.
	NoHTTP bool

	// CassetteDir is where the cassettes live, relative to the test's
	// working directory (the driver's package directory). Default
	// "testdata/cassettes"; each scenario's cassette is
	// CassetteDir/<Scenario>.yaml.
	CassetteDir string

	// CompleteAction acts as the customer on a payment that is in
	// StatusRequiresAction: it completes the 3-D Secure challenge or the
	// redirect, successfully when approve is true, failing or abandoning it
	// otherwise. It is called in ModeSim and ModeLive only, never in
	// ModeReplay: there the cassette already holds the later status
	// (with NoHTTP there is no cassette, so it is called in every mode). It
	// talks to the simulator (or sandbox) itself, not through the driver,
	// so its traffic is not recorded. s.Transport is the transport
	// Simulator returned for this scenario (nil in ModeLive).
	//
	// Optional. When it is nil the RequiresAction scenario only checks the
	// action itself; when it is set, the scenario also checks the statuses
	// after approving and refusing, so it must be set when the cassettes
	// were recorded with it.
	CompleteAction func(t *testing.T, s *Scenario, p *payments.Payment, approve bool)

	// SafeRequest reports whether a request the driver sends is not itself
	// a money-moving call although its method is not GET or HEAD: a status
	// query sent as POST (SmartPayments /check), an OAuth token request.
	// The OutcomeUnknown scenario fails the first money-moving request of
	// each call with an injected 5xx or unparsable 2xx; requests for which
	// SafeRequest returns true are let through to the cassette instead.
	// Optional: by default every request other than GET and HEAD is
	// money-moving. It must not read the request body.
	SafeRequest func(r *http.Request) bool

	// Fixtures are the provider's requests and notifications.
	Fixtures Fixtures

	// Skip maps a scenario name (the Scenario* constants) to the reason it
	// cannot run for this driver, e.g. a sandbox that cannot produce it.
	// Skipped scenarios are reported with t.Skip and the reason. Prefer
	// fixing the driver; capabilities the driver does not claim are skipped
	// without being listed here.
	Skip map[string]string
}

// Fixtures are the provider-specific inputs of the scenarios.
//
// Every request constructor receives the reference to use (ref) and must
// put it unchanged in AuthorizeRequest.Reference: the suite picks
// deterministic references ("conf-OneStepSale-1") so that replayed request
// bodies match the recorded ones byte for byte after canonicalisation, and
// looks payments up by them. A constructor must return a new request on
// each call, with amounts of at least 2 minor units (the suite splits them
// for partial captures and refunds, in whole minor units).
type Fixtures struct {
	// Approved returns a card (or other synchronous) payment the provider
	// approves without customer action. The suite sets Capture for each
	// scenario (one-step sale, or authorization then capture). Required.
	Approved func(ref string) *payments.AuthorizeRequest

	// Declined returns a payment the provider declines synchronously with
	// DeclineReason. Required.
	Declined func(ref string) *payments.AuthorizeRequest

	// DeclineReason is the reason the driver must map Declined's refusal
	// to. Required.
	DeclineReason payments.DeclineReason

	// RequiresAction returns a payment that needs the customer (3-D Secure
	// challenge or redirect). Its Capture flag is kept: after an approved
	// action the payment must be Captured when it is true, Authorized when
	// false. Required when Capabilities().ThreeDS is true.
	RequiresAction func(ref string) *payments.AuthorizeRequest

	// HostedPage returns a payment with the HostedPage method. Required
	// when Capabilities() supports payments.KindHostedPage.
	HostedPage func(ref string) *payments.AuthorizeRequest

	// Invoice returns an invoice payment of the given type, or nil when the
	// driver does not support that type. Required when Capabilities()
	// supports payments.KindInvoice.
	Invoice func(ref string, typ payments.InvoiceType) *payments.AuthorizeRequest

	// Notification returns the HTTP request the provider would send to
	// notify the merchant about p in its current state, correctly signed or
	// authenticated. It must be deterministic given p (in ModeReplay p
	// comes from the cassette). Required.
	Notification func(t *testing.T, s *Scenario, p *payments.Payment) *http.Request

	// ForgedNotification returns a notification about p that must fail
	// verification: a wrong signature or credentials, or a tampered body.
	// Required.
	ForgedNotification func(t *testing.T, s *Scenario, p *payments.Payment) *http.Request
}

// Scenario is what the suite tells a harness hook about the running
// scenario. Fields may be added.
type Scenario struct {
	// Name is the scenario, e.g. "OneStepSale" (a Scenario* constant).
	Name string
	// Mode is the recording mode in force.
	Mode Mode
	// Gateway is the gateway under test, as NewGateway built it for this
	// scenario.
	Gateway payments.Gateway
	// Transport is what Harness.Simulator returned for this scenario in
	// ModeSim; nil otherwise. A harness may type-assert it to its own type
	// to reach the simulator (e.g. to complete a 3-D Secure challenge).
	Transport http.RoundTripper
}

// The scenario names: the subtests of [Run], the cassette file names
// (<name>.yaml) and the keys of Harness.Skip.
const (
	ScenarioOneStepSale          = "OneStepSale"
	ScenarioAuthorizeThenCapture = "AuthorizeThenCapture"
	ScenarioPartialCapture       = "PartialCapture"
	ScenarioCancelAuthorization  = "CancelAuthorization"
	ScenarioFullRefund           = "FullRefund"
	ScenarioPartialRefund        = "PartialRefund"
	ScenarioDecline              = "Decline"
	ScenarioRequiresAction       = "RequiresAction"
	ScenarioHostedPage           = "HostedPage"
	ScenarioInvoice              = "Invoice"
	ScenarioStatusByID           = "StatusByID"
	ScenarioStatusByReference    = "StatusByReference"
	ScenarioDuplicateReference   = "DuplicateReference"
	ScenarioNotificationValid    = "NotificationValid"
	ScenarioNotificationForged   = "NotificationForged"
	ScenarioInvalidInput         = "InvalidInput"
	ScenarioOutcomeUnknown       = "OutcomeUnknown"
)

// Scenarios lists every scenario name in the order Run runs them.
func Scenarios() []string {
	return []string{
		ScenarioOneStepSale, ScenarioAuthorizeThenCapture, ScenarioPartialCapture,
		ScenarioCancelAuthorization, ScenarioFullRefund, ScenarioPartialRefund,
		ScenarioDecline, ScenarioRequiresAction, ScenarioHostedPage, ScenarioInvoice,
		ScenarioStatusByID, ScenarioStatusByReference, ScenarioDuplicateReference,
		ScenarioNotificationValid, ScenarioNotificationForged, ScenarioInvalidInput,
		ScenarioOutcomeUnknown,
	}
}

// Run runs the conformance suite against the driver h describes: one
// subtest per scenario the driver's Capabilities call for, each with its
// own cassette. See the package documentation.
func Run(t *testing.T, h Harness) {
	t.Helper()
	run(t, h)
}
