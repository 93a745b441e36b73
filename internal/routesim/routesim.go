// Package routesim is a deterministic simulation of payments routed over
// acquirers whose approval rates differ by segment and drift over time. It
// measures routing strategies (static priority, a learning strategy, an
// oracle that knows the true rates) through a real payments.Router.
//
// The acquirers are scripted in-process gateways (Gateway): each approves a
// payment with the probability the scenario gives for its route, segment
// and time. That is a model, not a provider: it exists to compare routing
// decisions, never to test a driver. The model: every payment draws one
// issuer propensity u (uniform in [0, 1)); a route approves it when u is
// below the route's rate, so a payment one route declines softly is less
// likely to pass elsewhere (declines are correlated, as issuers' are). A
// share of payments are declined for reasons of the customer (insufficient
// funds) on every route, and a small share of attempts meet an unavailable
// acquirer.
package routesim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/routing"
)

// Segment is a class of payments: the billing country (standing in for the
// card's country) and the card network.
type Segment struct {
	Country, Network string
}

// Scenario describes a simulation.
type Scenario struct {
	// Payments is how many payments are made, one every Step of simulated
	// time.
	Payments int
	Step     time.Duration
	// Routes are the route names in static priority order.
	Routes []string
	// Segments are drawn uniformly.
	Segments []Segment
	// Rate is the probability that route approves a payment of seg that is
	// not declined for customer reasons, at progress frac (0 to 1) of the
	// simulation.
	Rate func(route string, seg Segment, frac float64) float64
	// HardDecline is the share of payments every route declines for a
	// reason of the customer (insufficient funds).
	HardDecline float64
	// Unavailable is the share of attempts that meet an unavailable
	// acquirer.
	Unavailable float64
	// Affected is the segment where Drifting, the best route before,
	// drifts below another between DriftAt and RecoverAt (fractions of the
	// run), for the shift measurement.
	Affected           Segment
	Drifting           string
	DriftAt, RecoverAt float64
	// Seed makes the run reproducible.
	Seed uint64
}

// Drift is the scenario: three acquirers over four countries and
// two networks (eight segments). A is the best on Visa nearly everywhere
// and the first by priority; B is the best on Mastercard; C is the best
// only on Spanish Visa cards. A degrades from 90 % to 60 % for German cards
// at 30 % of the run and recovers at 70 %. 6 % of payments are declined
// for reasons of the customer, 0.3 % of attempts meet an unavailable
// acquirer.
func Drift(payments int, step time.Duration, seed uint64) Scenario {
	return Scenario{
		Payments: payments, Step: step, Seed: seed,
		Routes: []string{"A", "B", "C"},
		Segments: []Segment{
			{"DE", "visa"}, {"DE", "mastercard"}, {"FR", "visa"}, {"FR", "mastercard"},
			{"ES", "visa"}, {"ES", "mastercard"}, {"IT", "visa"}, {"IT", "mastercard"},
		},
		HardDecline: 0.06, Unavailable: 0.003,
		Affected: Segment{"DE", "visa"}, Drifting: "A", DriftAt: 0.3, RecoverAt: 0.7,
		Rate: func(route string, seg Segment, frac float64) float64 {
			switch route {
			case "A":
				if seg.Country == "DE" && frac >= 0.3 && frac < 0.7 {
					return 0.60
				}
				if seg.Network == "mastercard" {
					return 0.85
				}
				return 0.90
			case "B":
				if seg.Network == "mastercard" {
					return 0.91
				}
				return 0.84
			default:
				if seg.Country == "ES" && seg.Network == "visa" {
					return 0.94
				}
				return 0.80
			}
		},
	}
}

// draw is what the simulation decided for one payment; it rides in the
// request's ProviderOptions so the scripted gateways and the oracle read it.
type draw struct {
	index int
	frac  float64
	seg   Segment
	u     float64 // issuer propensity
	hard  bool    // declined for a reason of the customer everywhere
	sc    *Scenario
}

func drawOf(req *payments.AuthorizeRequest) *draw {
	for _, o := range req.ProviderOptions {
		if d, ok := o.(*draw); ok {
			return d
		}
	}
	return nil
}

// Gateway is a scripted acquirer of the simulation (see the package doc).
type Gateway struct{ name string }

var _ payments.Gateway = Gateway{}

// Name returns "sim-" and the route.
func (g Gateway) Name() string { return "sim-" + g.name }

// Capabilities: cards, one and two steps, any currency.
func (g Gateway) Capabilities() payments.Capabilities {
	return payments.Capabilities{Methods: []payments.MethodKind{payments.KindCard}, TwoStep: true}
}

// Authorize approves with the scenario's probability.
func (g Gateway) Authorize(_ context.Context, req *payments.AuthorizeRequest) (*payments.Payment, error) {
	d := drawOf(req)
	if d == nil {
		return nil, &payments.Error{Code: payments.InvalidRequest, Message: "not a simulated payment"}
	}
	if unit(uint64(d.index), g.name) < d.sc.Unavailable {
		return nil, &payments.Error{Code: payments.Unavailable, Provider: g.Name(), Message: "simulated outage"}
	}
	p := &payments.Payment{ID: strconv.Itoa(d.index), Reference: req.Reference, Provider: g.Name(), Amount: req.Amount, Status: payments.StatusCaptured}
	switch {
	case d.hard:
		p.Status, p.Decline = payments.StatusFailed, &payments.Decline{Reason: payments.DeclineInsufficientFunds}
	case d.u >= d.sc.Rate(g.name, d.seg, d.frac):
		p.Status, p.Decline = payments.StatusFailed, &payments.Decline{Reason: payments.DeclineDoNotHonour}
	default:
		return p, nil
	}
	return p, &payments.Error{Code: payments.Declined, Provider: g.Name(), Decline: p.Decline}
}

func unsupported(op string) error {
	return &payments.Error{Code: payments.Unsupported, Message: "the simulation does not " + op}
}

// Capture is not simulated.
func (Gateway) Capture(context.Context, *payments.CaptureRequest) (*payments.Payment, error) {
	return nil, unsupported("capture")
}

// Cancel is not simulated.
func (Gateway) Cancel(context.Context, *payments.CancelRequest) (*payments.Payment, error) {
	return nil, unsupported("cancel")
}

// Refund is not simulated.
func (Gateway) Refund(context.Context, *payments.RefundRequest) (*payments.Refund, error) {
	return nil, unsupported("refund")
}

// Status is not simulated (no outcome is ever unknown).
func (Gateway) Status(context.Context, *payments.StatusRequest) (*payments.Payment, error) {
	return nil, unsupported("look payments up")
}

// Notify is not simulated.
func (Gateway) Notify(context.Context, *http.Request) (*payments.Notification, error) {
	return nil, unsupported("notify")
}

// unit is a uniform number in [0, 1) from a payment index and a route
// name: independent draws per attempt that do not depend on call order.
func unit(i uint64, name string) float64 {
	x := i*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for k := 0; k < len(name); k++ {
		x ^= uint64(name[k])
		x *= 0xbf58476d1ce4e5b9
	}
	x ^= x >> 31
	x *= 0x94d049bb133111eb
	x ^= x >> 29
	return float64(x>>11) / (1 << 53)
}

// Oracle is a Strategy that knows the true current rates: it orders the
// routes by them, best first.
type Oracle struct{}

var _ payments.Strategy = Oracle{}

// Order sorts by the scenario's true rate.
func (Oracle) Order(_ context.Context, req *payments.AuthorizeRequest, cands []payments.Candidate) {
	d := drawOf(req)
	sort.SliceStable(cands, func(i, j int) bool {
		return d.sc.Rate(cands[i].Route, d.seg, d.frac) > d.sc.Rate(cands[j].Route, d.seg, d.frac)
	})
	for i := range cands {
		cands[i].Reason = "oracle"
	}
}

// Record learns nothing.
func (Oracle) Record(context.Context, payments.Outcome) {}

// Result is what a run measured.
type Result struct {
	// Payments made.
	Payments int
	// FirstApproval is the share of payments approved by their first
	// attempt: the approval rate routing optimizes (each further attempt
	// costs a fee, latency and issuers' patience).
	FirstApproval float64
	// FinalApproval is the share approved after the Router's cascades.
	FinalApproval float64
	// Attempts is the mean number of gateway calls per payment.
	Attempts float64
	// ShiftAfterDrift is how many payments of the affected segment, from
	// the drift on, went through until fewer than half of the last
	// ShiftWindow of them were first sent to the drifting route; -1 if that
	// never happened. ShiftAfterRecovery is the same, from the recovery on,
	// until more than half were sent to it again. ShiftTotal* count all
	// payments (every segment) over the same stretch.
	ShiftAfterDrift, ShiftAfterRecovery           int
	ShiftTotalAfterDrift, ShiftTotalAfterRecovery int
	// ExplorationShare is the share of payments whose first route was
	// chosen by exploration.
	ExplorationShare float64
}

// Run makes the scenario's payments through a Router over the scripted
// gateways, ordered by strategy (nil: static priority).
func Run(ctx context.Context, sc Scenario, strategy payments.Strategy, clock *Clock) (Result, error) {
	var routes []payments.Route
	for i, name := range sc.Routes {
		routes = append(routes, payments.Route{Name: name, Gateway: Gateway{name}, Priority: i})
	}
	opts := []payments.RouterOption{payments.WithClock(clock.Now), payments.WithRandSeed(sc.Seed)}
	if strategy != nil {
		opts = append(opts, payments.WithStrategy(strategy))
	}
	r, err := payments.NewRouter(routes, opts...)
	if err != nil {
		return Result{}, err
	}
	rng := rand.New(rand.NewPCG(sc.Seed, 1))
	amount, err := payments.ParseMoney("25.00", "EUR")
	if err != nil {
		return Result{}, err
	}
	cards := map[string]payments.Card{
		"visa":       {Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		"mastercard": {Number: "5555555555554444", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	}
	res := Result{Payments: sc.Payments, ShiftAfterDrift: -1, ShiftAfterRecovery: -1, ShiftTotalAfterDrift: -1, ShiftTotalAfterRecovery: -1}
	var first, final, attempts, explored int
	var affected []bool // per affected payment after the drift: first route was the drifting one
	driftAt, recoverAt := int(sc.DriftAt*float64(sc.Payments)), int(sc.RecoverAt*float64(sc.Payments))
	var recovered []bool
	for i := 0; i < sc.Payments; i++ {
		clock.Set(i, sc.Step)
		d := &draw{index: i, frac: float64(i) / float64(sc.Payments), seg: sc.Segments[rng.IntN(len(sc.Segments))],
			u: rng.Float64(), hard: rng.Float64() < sc.HardDecline, sc: &sc}
		req := &payments.AuthorizeRequest{
			Reference: "sim-" + strconv.Itoa(i), Amount: amount, Capture: true, Method: cards[d.seg.Network],
			BillingAddress:  &payments.Address{Country: d.seg.Country},
			ProviderOptions: []any{d},
		}
		p, err := r.Authorize(ctx, req)
		var atts []payments.Attempt
		if p != nil {
			atts = p.Attempts
		} else if pe, ok := err.(*payments.Error); ok {
			atts = pe.Attempts
		}
		if len(atts) == 0 {
			return res, fmt.Errorf("payment %d: no attempt: %v", i, err)
		}
		attempts += len(atts)
		if atts[0].Status.Charged() {
			first++
		}
		if err == nil && p.Status.Charged() {
			final++
		}
		if len(atts[0].Reason) >= 11 && atts[0].Reason[:11] == "exploration" {
			explored++
		}
		if d.seg == sc.Affected {
			onDrifting := atts[0].Route == sc.Drifting
			switch {
			case i >= driftAt && i < recoverAt:
				affected = append(affected, onDrifting)
				if res.ShiftAfterDrift < 0 && len(affected) >= ShiftWindow && share(affected[len(affected)-ShiftWindow:]) < 0.5 {
					res.ShiftAfterDrift, res.ShiftTotalAfterDrift = len(affected), i-driftAt+1
				}
			case i >= recoverAt:
				recovered = append(recovered, onDrifting)
				if res.ShiftAfterRecovery < 0 && len(recovered) >= ShiftWindow && share(recovered[len(recovered)-ShiftWindow:]) > 0.5 {
					res.ShiftAfterRecovery, res.ShiftTotalAfterRecovery = len(recovered), i-recoverAt+1
				}
			}
		}
	}
	n := float64(sc.Payments)
	res.FirstApproval, res.FinalApproval, res.Attempts = float64(first)/n, float64(final)/n, float64(attempts)/n
	res.ExplorationShare = float64(explored) / n
	return res, nil
}

// ShiftWindow is the moving window of the shift measurement (see Result).
const ShiftWindow = 20

func share(bs []bool) float64 {
	t := 0
	for _, b := range bs {
		if b {
			t++
		}
	}
	return float64(t) / float64(len(bs))
}

// Clock is the simulation's clock: payment i happens at Start + i × step.
// Give its Now to the Router and to a learning strategy.
type Clock struct {
	Start time.Time
	now   time.Time
}

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock {
	t := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	return &Clock{Start: t, now: t}
}

// Set moves the clock to payment i.
func (c *Clock) Set(i int, step time.Duration) { c.now = c.Start.Add(time.Duration(i) * step) }

// Now returns the simulated time.
func (c *Clock) Now() time.Time { return c.now }

// SegmentKey is the key a learning strategy uses in this simulation:
// routing.DefaultSegment (currency and card network) and the billing
// country (the simulation's stand-in for the card's country).
func SegmentKey(req *payments.AuthorizeRequest) string {
	country := ""
	if req.BillingAddress != nil {
		country = req.BillingAddress.Country
	}
	return routing.DefaultSegment(req) + "/" + country
}
