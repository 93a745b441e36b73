package payments_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smart2pay/smart2paytest"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpay/smartpaytest"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/routing"
)

// acquirers is three real drivers over their simulators, each behind a
// fault injector, and one Router over them.
type acquirers struct {
	sp, s2p, inv          *faultnet.Transport
	spSim                 *smartpaymentstest.Server
	s2pSim                *smart2paytest.Server
	invSim                *smartpaytest.Server
	router                *payments.Router
	smartpaymentsGW       *smartpayments.Gateway
	smart2payGW           *smart2pay.Gateway
	smartpayGW            *smartpay.Gateway
	authorizePath         map[string]func(*http.Request) bool
	statusPath            map[string]func(*http.Request) bool
	routeByFaultTransport map[string]*faultnet.Transport
}

func newAcquirers(t *testing.T, opts ...payments.RouterOption) *acquirers {
	t.Helper()
	a := &acquirers{
		spSim:  smartpaymentstest.NewServer(smartpaymentstest.WithoutNotifications()),
		s2pSim: smart2paytest.NewServer(),
		invSim: smartpaytest.NewServer(),
	}
	t.Cleanup(a.spSim.Close)
	t.Cleanup(a.s2pSim.Close)
	t.Cleanup(a.invSim.Close)
	a.sp = faultnet.New(a.spSim.Client().Transport)
	a.s2p = faultnet.New(a.s2pSim.Client().Transport)
	a.inv = faultnet.New(a.invSim.Client().Transport)

	a.smartpaymentsGW, a.smart2payGW, a.smartpayGW = a.newGateways(t)
	var err error
	a.router, err = payments.NewRouter([]payments.Route{
		{Name: "sp", Gateway: a.smartpaymentsGW, Priority: 0},
		{Name: "s2p", Gateway: a.smart2payGW, Priority: 1},
		{Name: "inv", Gateway: a.smartpayGW, Priority: 2},
	}, append([]payments.RouterOption{payments.WithReconcile(4, 2*time.Millisecond), payments.WithBreaker(1000, time.Minute)}, opts...)...)
	require.NoError(t, err)
	a.authorizePath = map[string]func(*http.Request) bool{
		"sp": func(r *http.Request) bool {
			return r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/initPaymentHost2Host") || strings.HasSuffix(r.URL.Path, "/authorize"))
		},
		"s2p": faultnet.PathIs(http.MethodPost, "/v1/payments"),
		"inv": faultnet.PathIs(http.MethodPost, "/payment/authorize/"),
	}
	a.statusPath = map[string]func(*http.Request) bool{
		"sp":  faultnet.PathIs(http.MethodPost, "/check"),
		"s2p": func(r *http.Request) bool { return r.Method == http.MethodGet },
		"inv": func(r *http.Request) bool { return r.Method == http.MethodGet },
	}
	a.routeByFaultTransport = map[string]*faultnet.Transport{"sp": a.sp, "s2p": a.s2p, "inv": a.inv}
	return a
}

// newGateways builds a set of the three drivers over the acquirers'
// simulators and fault injectors: what another process would build.
func (a *acquirers) newGateways(t *testing.T) (*smartpayments.Gateway, *smart2pay.Gateway, *smartpay.Gateway) {
	t.Helper()
	sp, err := smartpayments.New(smartpayments.Config{
		MerchantKey: smartpaymentstest.DefaultMerchantKey, Secret: smartpaymentstest.DefaultSecret,
		Account: "EUR-sandbox", MerchantSite: "https://merchant.example",
		BaseURL: a.spSim.BaseURL(), CardBaseURL: a.spSim.CardBaseURL(), ExportBaseURL: a.spSim.ExportBaseURL(),
		HTTPClient: &http.Client{Transport: a.sp, Timeout: 5 * time.Second},
	})
	require.NoError(t, err)
	s2p, err := smart2pay.New(smart2pay.Config{
		SiteID: smart2paytest.DefaultSiteID, APIKey: smart2paytest.DefaultAPIKey,
		CardSiteID: smart2paytest.DefaultCardSiteID, CardAPIKey: smart2paytest.DefaultCardAPIKey,
		BaseURL: a.s2pSim.BaseURL(), CardBaseURL: a.s2pSim.CardBaseURL(),
		HTTPClient: &http.Client{Transport: a.s2p, Timeout: 5 * time.Second},
	})
	require.NoError(t, err)
	inv, err := smartpay.New(smartpay.Config{
		MerchantKey: smartpaytest.DefaultMerchantKey, AuthenticationKey: smartpaytest.DefaultAuthenticationKey,
		BaseURL: a.invSim.BaseURL(), Origin: "https://shop.example",
		HTTPClient: &http.Client{Transport: a.inv, Timeout: 5 * time.Second},
	})
	require.NoError(t, err)
	return sp, s2p, inv
}

// accepted reports, per simulator, whether it holds an accepted (not
// failed) payment for ref: the ground truth of "the customer may be charged".
func (a *acquirers) accepted(ref string) map[string]bool {
	out := map[string]bool{}
	if p, ok := a.spSim.Payment(ref); ok && p.Status == 2 {
		out["sp"] = true
	}
	if p, ok := a.s2pSim.PaymentByReference(ref); ok {
		switch p.StatusID {
		case 2, 9, 11, 13, 21, 22, 33, 35:
			out["s2p"] = true
		}
	}
	if p, ok := a.invSim.PaymentByReference(ref); ok && p.Status != smartpaytest.StatusFailed {
		out["inv"] = true
	}
	return out
}

// TestRouterPropertyNoDoubleCharge drives random sequences of faults
// (provider unavailable, timeouts and resets after the provider processed
// the payment, 5xx, declines) through the real drivers and simulators, and
// checks after every payment that:
//   - at most one simulator accepted the reference (no double charge);
//   - what the Router returned matches the simulators' truth;
//   - no status it reported ever went backwards.
func TestRouterPropertyNoDoubleCharge(t *testing.T) { runProperty(t) }

// TestRouterPropertyNoDoubleChargeWithStrategy is the same with the
// learning strategy ordering the routes (judging after one sample and
// exploring a fifth of the time, so that the order changes often).
func TestRouterPropertyNoDoubleChargeWithStrategy(t *testing.T) {
	runProperty(t, payments.WithStrategy(eagerStrategy(t, 1)))
}

// eagerStrategy is a learning strategy that reorders routes after a few
// payments already.
func eagerStrategy(t *testing.T, seed uint64, opts ...routing.Option) *routing.AuthRate {
	t.Helper()
	s, err := routing.NewAuthRate(append([]routing.Option{routing.WithMinSamples(1), routing.WithExploration(0.2),
		routing.WithElimination(0.5), routing.WithSeed(seed)}, opts...)...)
	require.NoError(t, err)
	return s
}

func runProperty(t *testing.T, opts ...payments.RouterOption) {
	a := newAcquirers(t, opts...)
	rng := rand.New(rand.NewPCG(20261121, 7))
	faults := []faultnet.Fault{
		faultnet.None, faultnet.Refused, faultnet.ResetBeforeWrite, faultnet.ResetAfterProcess,
		faultnet.TimeoutAfterProcess, faultnet.Status500, faultnet.Status503, faultnet.RateLimited, faultnet.MalformedJSON,
	}
	ctx := context.Background()
	var tally = map[string]int{}
	for i := 0; i < 60; i++ {
		ref := fmt.Sprintf("prop-%03d", i)
		req, kind := propertyRequest(rng, ref)
		// Faults on the first attempts of this payment at up to two routes,
		// and sometimes on the reconciling status query.
		for _, route := range []string{"sp", "s2p", "inv"} {
			if f := faults[rng.IntN(len(faults))]; f != faultnet.None && rng.IntN(3) > 0 {
				a.routeByFaultTransport[route].Inject(a.authorizePath[route], f, 1)
			}
			if rng.IntN(4) == 0 {
				a.routeByFaultTransport[route].Inject(a.statusPath[route], faultnet.Refused, 1)
			}
		}

		p, err := a.router.Authorize(ctx, req)
		for _, ft := range a.routeByFaultTransport {
			ft.Clear()
		}
		truth := a.accepted(ref)
		require.LessOrEqual(t, len(truth), 1, "%s (%s): accepted by %v: charged twice", ref, kind, truth)

		outcome := payments.CodeOf(err)
		if outcome == "" {
			outcome = "ok"
		}
		tally[string(outcome)]++
		switch {
		case err == nil:
			require.NotNil(t, p)
			route, _, _ := strings.Cut(p.ID, ":")
			require.True(t, truth[route], "%s: router says %s at %s, simulators say %v (attempts %+v)", ref, p.Status, route, truth, p.Attempts)
			want := map[string][]payments.Status{
				"card-sale": {payments.StatusCaptured},
				// A route another acquirer declines may approve it when
				// a strategy tries that route first.
				"card-hard-decline": {payments.StatusCaptured},
				"card-auth":         {payments.StatusAuthorized},
				"invoice":           {payments.StatusRequiresAction, payments.StatusAuthorized, payments.StatusPending},
			}[kind]
			require.Contains(t, want, p.Status, "%s (%s): %s %+v", ref, kind, p.ID, p.Attempts)
		case errors.Is(err, payments.ErrDeclined):
			require.Empty(t, truth, "%s: declined, yet accepted by %v", ref, truth)
		case errors.Is(err, payments.ErrUnavailable), errors.Is(err, payments.ErrRateLimited):
			require.Empty(t, truth, "%s: unavailable, yet accepted by %v", ref, truth)
		case errors.Is(err, payments.ErrOutcomeUnknown):
			// Allowed: the router could not learn the truth. It must not
			// have moved on: at most one simulator holds the reference.
		default:
			t.Fatalf("%s (%s): unexpected error %v", ref, kind, err)
		}

		// A later status query (no faults) agrees with the simulator and
		// never takes the payment back.
		if err == nil || errors.Is(err, payments.ErrOutcomeUnknown) || errors.Is(err, payments.ErrDeclined) {
			q, qerr := a.router.Status(ctx, &payments.StatusRequest{Reference: ref})
			if qerr == nil {
				route, _, _ := strings.Cut(q.ID, ":")
				switch q.Status {
				case payments.StatusAuthorized, payments.StatusCaptured:
					require.True(t, truth[route], "%s: status %s at %s, simulators say %v", ref, q.Status, route, truth)
				case payments.StatusFailed:
					require.False(t, truth[route], "%s: status failed at %s, simulators say %v", ref, route, truth)
				}
				if p != nil {
					require.True(t, p.Status.CanTransition(q.Status), "%s: %s → %s went backwards", ref, p.Status, q.Status)
				}
			}
		}
	}
	t.Logf("outcomes over 60 random payments: %v", tally)
	require.Greater(t, tally["ok"], 10, "the property test must mostly exercise successful paths too")
}

// propertyRequest returns a random payment: a card sale or authorization
// (approved, softly or hardly declined) or an invoice.
func propertyRequest(rng *rand.Rand, ref string) (*payments.AuthorizeRequest, string) {
	amount, _ := payments.ParseMoney("10.00", "EUR")
	card := payments.Card{Number: "4012000000003010", Holder: "John Doe", ExpiryMonth: "12", ExpiryYear: "30", CVV: "123"}
	kind := "card-sale"
	capture := true
	switch rng.IntN(6) {
	case 0:
		// smartpayments declines this card; amount ..00 is a soft
		// EMITTER_DENIAL (cascade), ..51 insufficient funds (hard).
		card.Number = smartpaymentstest.CardDeclined
		if rng.IntN(2) == 0 {
			amount, _ = payments.ParseMoney("10.51", "EUR")
			return cardReq(ref, amount, card, true), "card-hard-decline"
		}
	case 1, 2:
		capture = false
		kind = "card-auth"
	case 3:
		inv, _ := payments.ParseMoney("50.99", "EUR")
		return &payments.AuthorizeRequest{
			Reference: ref, Amount: inv, Method: payments.Invoice{Type: payments.InvoicePrepayment},
			Description: "invoice " + ref,
			Customer:    &payments.Customer{FirstName: "John", LastName: "Doe", Email: "customer@example.com", BirthDate: "1979-12-22"},
			BillingAddress: &payments.Address{
				Line1: "Leopoldstrasse 244", City: "Munich", PostalCode: "80807", Country: "DE",
			},
			ProviderOptions: []any{&smartpay.AuthorizeOptions{ShopCountry: "DE"}},
		}, "invoice"
	}
	return cardReq(ref, amount, card, capture), kind
}

func cardReq(ref string, amount payments.Money, card payments.Card, capture bool) *payments.AuthorizeRequest {
	return &payments.AuthorizeRequest{
		Reference: ref, Amount: amount, Capture: capture, Method: card, Description: "order " + ref,
		Customer: &payments.Customer{
			FirstName: "John", LastName: "Doe", Email: "john.doe@example.com", Phone: "+442079460612", IP: "127.0.0.1",
		},
		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "121165", Country: "GB"},
		ReturnURLs:     payments.ReturnURLs{Success: "https://shop.example/ok", Failure: "https://shop.example/fail"},
	}
}
