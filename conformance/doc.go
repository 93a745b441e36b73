// Package conformance is the test suite every payments driver passes, and
// the cassette plumbing behind it: one suite, in the style of gocloud.dev's
// drivertest, that checks a driver's wire format, its parsing and its
// error mapping against the provider-neutral contract of package payments.
//
// A driver runs it from one test, in its own package, with a harness that
// builds the driver with New(Config) over the suite's transport (its
// default, documented hosts: only the transport changes) and starts its
// simulator behind [RewriteHosts]:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Harness{
//			Name:    smart2pay.Name,
//			LiveEnv: []string{"SMART2PAY_API_KEY"},
//			NewGateway: func(t *testing.T, rt http.RoundTripper) payments.Gateway {
//				cfg := smart2pay.Config{
//					SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
//					HTTPClient: &http.Client{Transport: rt},
//				}
//				if conformance.CurrentMode() == conformance.ModeLive {
//					cfg.APIKey = payments.Secret(os.Getenv("SMART2PAY_API_KEY"))
//				}
//				gw, err := smart2pay.New(cfg)
//				if err != nil {
//					t.Fatal(err)
//				}
//				return gw
//			},
//			Simulator: func(t *testing.T) http.RoundTripper {
//				sim := smart2paytest.NewServer()
//				t.Cleanup(sim.Close)
//				return conformance.RewriteHosts(map[string]string{
//					"paytest.smart2pay.com":    sim.BaseURL(),
//					"securetest.smart2pay.com": sim.CardBaseURL(),
//				})
//			},
//			Fixtures: conformance.Fixtures{
//				Approved:      func(ref string) *payments.AuthorizeRequest { return cardRequest(ref, "20.00") },
//				Declined:      func(ref string) *payments.AuthorizeRequest { return cardRequest(ref, "100.01") },
//				DeclineReason: payments.DeclineGeneric,
//				// RequiresAction, HostedPage and Invoice as the capabilities
//				// require; Notification and ForgedNotification always: the
//				// provider's own requests.
//			},
//		})
//	}
//
// [ExampleRun] is that harness in full, compiled with the package's tests.
// A driver whose Capabilities claim ThreeDS also sets
// Harness.CompleteAction, which reaches its simulator through
// Scenario.Transport.
//
// drivers/memory/conformance_test.go is a complete harness for a driver
// without HTTP; drivers/smart2pay, drivers/smartpay and
// drivers/smartpayments have harnesses over simulators.
//
// # Scenarios
//
// Each scenario is a subtest of Run, chosen from the driver's
// Capabilities; a scenario the driver does not claim is skipped with the
// reason, and Harness.Skip can skip one explicitly with a reason.
//
//	OneStepSale           Approved with Capture: Captured in full; Status agrees
//	AuthorizeThenCapture  TwoStep: Authorized, full capture, Captured
//	PartialCapture        PartialCapture: half, then (MultipleCaptures) the rest
//	CancelAuthorization   Cancel: Authorized, then Canceled
//	FullRefund            Refund: sale, refund of everything, Refunded
//	PartialRefund         PartialRefund: a third, then (MultipleRefunds) the rest
//	Decline               ErrDeclined with the Payment (Failed) and Fixtures.DeclineReason
//	RequiresAction        ThreeDS: a usable Action; approved and refused by CompleteAction
//	HostedPage            hosted_page: RequiresAction with a redirect or form_post
//	Invoice               invoice: each type Fixtures.Invoice supports
//	StatusByID            the sale as Status reports it
//	StatusByReference     LookupByReference: Status by the merchant reference
//	DuplicateReference    a second payment with the same reference is ErrDuplicate
//	NotificationValid     Notify verifies and maps it; NotificationHandler answers as Reply says
//	NotificationForged    Notify is ErrUnverified; NotificationHandler answers 401
//	InvalidInput          bad requests are ErrInvalidRequest with zero HTTP round trips
//	OutcomeUnknown        injected 5xx / unparsable 2xx on money-moving calls
//
// Every scenario also checks money and transitions: each Payment the driver
// returns has an ID and the driver's name, Amount, Captured and Refunded
// are in the payment's currency, Authorize returns exactly the requested
// amount, the statuses reported for one payment, in order, satisfy
// payments.Status.CanTransition, and every Payment, Refund and Notification
// survives json.Marshal then json.Unmarshal unchanged (Money by value and
// currency, times by instant, Raw as the JSON value it holds;
// Attempts[].Err is json:"-" and not compared).
//
// References are deterministic per scenario ("conf-OneStepSale-1",
// "conf-OneStepSale-2", …) and so are idempotency keys
// ("conf-OneStepSale-k1"), so a replayed request body equals the recorded
// one. In ModeLive a run-unique suffix is appended (a sandbox refuses a
// reference twice) and removed again when the cassette is saved.
//
// OutcomeUnknown needs no recorded fault: after setting up an authorization
// and a sale from its cassette, the suite answers the first money-moving
// request of each call (Authorize, Capture, Cancel, Refund) itself with
// HTTP 500, HTTP 502 or a 200 whose JSON is cut short, and expects
// ErrOutcomeUnknown. A request is money-moving when its method is not GET
// or HEAD and Harness.SafeRequest does not exempt it (a status query sent
// as POST, a token request). When Capabilities.IdempotentModifications is
// set, one 5xx followed by the driver's own retry must succeed for Capture,
// Cancel and Refund, and a persistent 5xx must still be ErrOutcomeUnknown.
//
// # Recording modes
//
// PAYMENTS_RECORD selects the mode ([CurrentMode]):
//
//	go test ./drivers/acme/                          # replay (default, offline, CI)
//	PAYMENTS_RECORD=sim  go test -run TestConformance ./drivers/acme/
//	PAYMENTS_RECORD=live ACME_API_KEY=… go test -run TestConformance ./drivers/acme/
//	PAYMENTS_RECORD=sim  go test -run 'TestConformance/Decline$' ./drivers/acme/   # one cassette
//
// Replay answers every request from the scenario's cassette,
// testdata/cassettes/<Scenario>.yaml in the driver's package directory
// (Harness.CassetteDir). A missing cassette fails the scenario with the
// command that records it; a request the cassette does not hold fails with
// a diff against the closest recorded interaction; interactions left unused
// at the end fail too (the driver sends fewer requests than it did). Replay
// never sleeps for the recorded latency.
//
// sim deletes the scenario's cassette and records it again through
// Harness.Simulator; live does the same against the provider's sandbox,
// after checking that every variable in Harness.LiveEnv is set. The driver
// keeps its documented default base URLs in every mode, so cassettes show
// the real hosts and replay never depends on a simulator's random port:
// [RewriteHosts] carries those hosts to the simulator's loopback listener
// (keeping the Host header). A recording that made no request leaves an
// empty cassette, so that replay checks no request is made.
//
// A driver that makes no HTTP calls sets Harness.NoHTTP: no cassette is
// read or written (none is needed), any request through the transport it
// is given fails the test, the recording modes behave like replay,
// CompleteAction is called in every mode, and OutcomeUnknown is skipped.
//
// # Matching
//
// A request matches a recorded interaction when the method, the path, the
// query (as a set of parameters, in any order) and the body are equal after
// both sides are scrubbed (below) and the body canonicalised: JSON by
// [CanonicalJSON] (keys sorted, whitespace removed, numbers kept exactly as
// written, so 10.50 and 10.5 differ), form bodies by sorted fields, other
// text trimmed. The scheme, host and headers are not matched. Each recorded
// interaction answers once, in order: the first unused interaction that
// matches answers, so a status query repeated before and after an action
// gets its two recorded answers in turn.
//
// # Scrubbing
//
// Recorded cassettes are scrubbed before they are saved, and the live
// request is scrubbed the same way before it is matched. Scrubbing is
// idempotent. It replaces the values of Authorization (keeping the scheme:
// "Basic [REDACTED]"), cookies, API-key, token, secret, signature and
// session headers; keeps the first 6 and last 4 digits of card numbers in
// bodies, URLs and headers (values of card-number keys, and any other
// 13–19-digit run that passes the Luhn check and starts with 2–6, except
// compact timestamps); replaces CVVs, tokens, passwords and keys in JSON
// and form bodies (internal/redact's secret keys) and credentials in URL
// query parameters (redact.IsSecretParam) and user info. JSON bodies keep
// their key order and number literals; whitespace is compacted.
//
// TestCassettesAreScrubbed in this package walks every cassette in the
// repository (drivers/*/testdata/cassettes/*.yaml) and fails on an
// unredacted credential header or URL parameter, a card-like number that is
// not a documented test card (4012000000003010, 4003830171874018,
// 4111111111111111, 4548812049400004, 4123540003981114), or a CVV value.
//
// # Hand-written cassettes
//
// A cassette may be transcribed from the provider's documentation instead
// of recorded. The format is go-vcr v2's (version 1); the suite reads only
// these fields, and everything else may be left out:
//
//	version: 1
//	interactions:
//	- request:
//	    method: POST
//	    url: https://api.acme.example/v1/payments?expand=card
//	    body: '{"reference": "conf-OneStepSale-1", "amount": {"value": 10.50, "currency": "EUR"}}'
//	  response:
//	    code: 201
//	    headers: {Content-Type: [application/json]}
//	    body: '{"id": "pay_1", "status": "captured"}'
//	- request: {method: GET, url: "https://api.acme.example/v1/payments/pay_1"}
//	  response: {code: 200, status: 200 OK, body: '{"id": "pay_1", "status": "captured"}'}
//
// The request body may be pretty-printed and its keys in any order; card
// numbers and CVVs may be written masked ("401200******3010",
// "[REDACTED]"), since the live request is masked the same way before
// matching. Request headers and form, and response status text and
// duration, are optional (status defaults to the code's text). Use the
// scenario's deterministic references and idempotency keys.
//
// # Provenance
//
// Each driver keeps a SOURCES.md next to its cassettes saying where each
// one came from: a provider documentation example (with the page), the
// simulator (with the command that re-records it), or the live sandbox
// (with the date). Re-recording a cassette means updating that line.
package conformance
