package smartpayments_test

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// newSim starts a simulator and a gateway talking to it over loopback HTTP.
func newSim(t testing.TB, opts ...smartpaymentstest.Option) (*smartpaymentstest.Server, *smartpayments.Gateway) {
	t.Helper()
	srv := smartpaymentstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, simGateway(t, srv, nil)
}

// simGateway builds a gateway for srv; edit adjusts the config.
func simGateway(t testing.TB, srv *smartpaymentstest.Server, edit func(*smartpayments.Config)) *smartpayments.Gateway {
	t.Helper()
	cfg := smartpayments.Config{
		MerchantKey:   smartpaymentstest.DefaultMerchantKey,
		Secret:        smartpaymentstest.DefaultSecret,
		Account:       "EUR-sandbox",
		PayoutAccount: "EUR-sandbox-payout",
		MerchantSite:  "https://merchant.example",
		BaseURL:       srv.BaseURL(),
		CardBaseURL:   srv.CardBaseURL(),
		ExportBaseURL: srv.ExportBaseURL(),
		HTTPClient:    srv.Client(),
	}
	if edit != nil {
		edit(&cfg)
	}
	g, err := smartpayments.New(cfg)
	require.NoError(t, err)
	return g
}

// capture is a transport that records every request and answers each with
// the next canned answer (the last one repeats).
type captureTransport struct {
	mu       sync.Mutex
	requests []captured
	answers  []answer
	n        atomic.Int64
}

type captured struct {
	Method, URL string
	Header      http.Header
	Body        []byte
}

type answer struct {
	status int
	body   string
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, captured{Method: r.Method, URL: r.URL.String(), Header: r.Header.Clone(), Body: body})
	a := answer{200, `{}`}
	if len(c.answers) > 0 {
		i := min(int(c.n.Add(1))-1, len(c.answers)-1)
		a = c.answers[i]
	}
	return &http.Response{
		StatusCode: a.status, Status: http.StatusText(a.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(bytes.NewReader([]byte(a.body))),
		Request: r, ContentLength: int64(len(a.body)),
	}, nil
}

func (c *captureTransport) all() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.requests...)
}

// captureGateway builds a gateway over a capturing transport with the
// documented hosts.
func captureGateway(t testing.TB, answers ...answer) (*smartpayments.Gateway, *captureTransport) {
	t.Helper()
	ct := &captureTransport{answers: answers}
	g, err := smartpayments.New(smartpayments.Config{
		MerchantKey: "test", Secret: "qwerty", Account: "EUR-sandbox", PayoutAccount: "EUR-sandbox-payout",
		MerchantSite: "https://merchant.site", HTTPClient: &http.Client{Transport: ct},
	})
	require.NoError(t, err)
	return g, ct
}

// request is a complete card payment request for the simulator.
func request(t testing.TB, ref, amount string, pan payments.CardNumber, capture bool) *payments.AuthorizeRequest {
	t.Helper()
	req := cardRequest(ref, amount, string(pan), capture)
	return req
}
