package smartpayments_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpayments"
	"github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// Money-moving calls never report an answer they cannot read as a failure:
// 5xx, an unreadable 2xx, a 2xx without a status, or an undocumented status
// is ErrOutcomeUnknown. Each is sent once (no blind retry).
func TestOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	ten := eur(t, "10.00")
	calls := map[string]func(g *smartpayments.Gateway) (any, error){
		"authorize": func(g *smartpayments.Gateway) (any, error) {
			return g.Authorize(ctx, request(t, "o-1", "10.00", smartpaymentstest.CardFrictionless, true))
		},
		"capture": func(g *smartpayments.Gateway) (any, error) {
			return g.Capture(ctx, &payments.CaptureRequest{ID: "o-1"})
		},
		"cancel": func(g *smartpayments.Gateway) (any, error) {
			return g.Cancel(ctx, &payments.CancelRequest{ID: "o-1"})
		},
		"refund": func(g *smartpayments.Gateway) (any, error) {
			return g.Refund(ctx, &payments.RefundRequest{ID: "o-1", Amount: &ten})
		},
		"recurrent": func(g *smartpayments.Gateway) (any, error) {
			return g.Recurrent(ctx, &smartpayments.RecurrentRequest{Reference: "r-1", ParentID: "o-1", Amount: ten, Description: "d"})
		},
		"withdraw": func(g *smartpayments.Gateway) (any, error) {
			return g.Withdraw(ctx, &smartpayments.WithdrawalRequest{Reference: "w-1", Amount: ten, CardNumber: smartpaymentstest.CardFrictionless})
		},
		"tokenize-form": func(g *smartpayments.Gateway) (any, error) {
			return g.TokenizeForm(ctx, &smartpayments.TokenizeRequest{Reference: "t-1"})
		},
	}
	for _, a := range []answer{
		{500, `{"error":"Internal Server Error"}`},
		{502, `<html>Bad Gateway</html>`},
		{200, `{"status":`},
		{200, `{}`},
		{200, `{"status":7,"success":null}`},
	} {
		for name, call := range calls {
			t.Run(fmt.Sprintf("%s %d %s", name, a.status, a.body), func(t *testing.T) {
				g, ct := captureGateway(t, a)
				_, err := call(g)
				assert.True(t, errors.Is(err, payments.ErrOutcomeUnknown), "%v", err)
				assert.False(t, payments.Retryable(err))
				assert.False(t, payments.CanCascade(err))
				sent := 0
				for _, r := range ct.all() {
					if !strings.HasSuffix(r.URL, "/check") { // a read-back query may follow
						sent++
					}
				}
				assert.Equal(t, 1, sent, "sent once, never retried blindly")
			})
		}
	}
}

// Queries are retried on 5xx and report ErrUnavailable; an unreadable
// answer is ErrIntegrity.
func TestQueryFailures(t *testing.T) {
	ctx := context.Background()
	g, ct := captureGateway(t, answer{503, `busy`})
	_, err := g.Status(ctx, &payments.StatusRequest{ID: "o-1"})
	assert.True(t, errors.Is(err, payments.ErrUnavailable), "%v", err)
	assert.Len(t, ct.all(), 3, "one attempt and two retries")

	g, _ = captureGateway(t, answer{503, `busy`}, answer{200, `{"order_id":"o-1","status":2,"amount":500,"finalAmount":500}`})
	p, err := g.Status(ctx, &payments.StatusRequest{ID: "o-1"})
	require.NoError(t, err)
	assert.Equal(t, "5.00 EUR", p.Captured.String())

	for _, body := range []string{`{"status":`, `{"amount":100}`, `{"status":2,"amount":-1}`, `{"status":2,"amount":10.5}`} {
		g, _ = captureGateway(t, answer{200, body})
		_, err = g.Status(ctx, &payments.StatusRequest{ID: "o-1"})
		assert.True(t, errors.Is(err, payments.ErrIntegrity), "%s: %v", body, err)
	}
}

// An answer about another withdrawal than the one asked for is not
// accepted.
func TestWithdrawalIntegrity(t *testing.T) {
	g, _ := captureGateway(t, answer{200, `{"order_id":"someone-else","status":2,"card":null,"err":null,"msg":null}`})
	w, err := g.Withdraw(context.Background(), &smartpayments.WithdrawalRequest{Reference: "w-1", Amount: eur(t, "1.00"), CardNumber: smartpaymentstest.CardFrictionless})
	assert.True(t, errors.Is(err, payments.ErrIntegrity), "%v", err)
	require.NotNil(t, w)
}

// 3-D Secure fields in a payment answer become a form POST to the ACS; an
// unusable URL is never handed to the customer.
func TestThreeDSAction(t *testing.T) {
	ctx := context.Background()
	g, _ := captureGateway(t, answer{200, `{"status":1,"form_url":null,"acsurl":"https://acs.example/pareq","paReq":"eJzVWNuS","md":"md-1","termUrl":"https://term.example/3ds","creq":null,"threeDSMethodData":null}`})
	p, err := g.Authorize(ctx, request(t, "a-1", "10.00", smartpaymentstest.CardChallenge, true))
	require.NoError(t, err)
	assert.Equal(t, payments.StatusRequiresAction, p.Status)
	assert.Equal(t, &payments.Action{Type: payments.ActionFormPost, URL: "https://acs.example/pareq", Method: "POST",
		Fields: map[string]string{"PaReq": "eJzVWNuS", "MD": "md-1", "TermUrl": "https://term.example/3ds"}}, p.Action)

	g, _ = captureGateway(t, answer{200, `{"ACSUrl":"https://acs.example/v2","creq":"eyJ0aHJlZURT","threeDSMethodData":"eyJ0aHJl","status":0}`})
	p, err = g.Authorize(ctx, request(t, "a-2", "10.00", smartpaymentstest.CardChallenge, true))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"creq": "eyJ0aHJlZURT", "threeDSMethodData": "eyJ0aHJl"}, p.Action.Fields)

	g, _ = captureGateway(t, answer{200, `{"status":1,"form_url":"javascript:alert(1)"}`})
	p, err = g.Authorize(ctx, request(t, "a-3", "10.00", smartpaymentstest.CardChallenge, true))
	require.NoError(t, err)
	assert.Nil(t, p.Action)
	assert.Equal(t, payments.StatusPending, p.Status)
}

// Many goroutines share one gateway (run with -race).
func TestConcurrentUse(t *testing.T) {
	srv, g := newSim(t, smartpaymentstest.WithoutNotifications())
	ctx := context.Background()
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := fmt.Sprintf("conc-%d", i)
			capture := i%2 == 0
			p, err := g.Authorize(ctx, request(t, ref, "10.00", smartpaymentstest.CardFrictionless, capture))
			if err != nil {
				errs <- err
				return
			}
			if !capture {
				if p, err = g.Capture(ctx, &payments.CaptureRequest{ID: ref}); err != nil {
					errs <- err
					return
				}
			}
			one := eur(t, "1.00")
			if _, err := g.Refund(ctx, &payments.RefundRequest{ID: ref, Amount: &one}); err != nil {
				errs <- err
				return
			}
			got, err := g.Status(ctx, &payments.StatusRequest{ID: p.ID})
			if err != nil {
				errs <- err
				return
			}
			if !got.Refunded.Equal(one) && got.Status != payments.StatusCaptured {
				errs <- fmt.Errorf("%s: %s refunded %s", ref, got.Status, got.Refunded)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sales := 0
	for _, op := range srv.Operations() {
		if op.Kind == "sale" || op.Kind == "authorize" {
			sales++
		}
	}
	assert.Equal(t, n, sales, "every payment executed exactly once")
}

// A capture the provider reports with another amount than asked for is not
// accepted silently.
func TestCaptureIntegrity(t *testing.T) {
	ctx := context.Background()
	six := eur(t, "6.00")
	for name, check := range map[string]string{
		"capture above the authorization": `{"order_id":"o","status":2,"amount":500,"finalAmount":500}`,
	} {
		g, _ := captureGateway(t, answer{200, `{"order_id":"p","status":2}`}, answer{200, check})
		p, err := g.Capture(ctx, &payments.CaptureRequest{ID: "o", Amount: &six})
		assert.True(t, errors.Is(err, payments.ErrIntegrity), "%s: %v", name, err)
		require.NotNil(t, p, name)
		assert.Equal(t, payments.StatusCaptured, p.Status, name)
	}
	// The read-back failing does not undo a successful capture.
	g, _ := captureGateway(t, answer{200, `{"order_id":"p","status":2}`}, answer{503, `busy`})
	p, err := g.Capture(ctx, &payments.CaptureRequest{ID: "o", Amount: &six})
	require.NoError(t, err)
	assert.Equal(t, "6.00 EUR", p.Captured.String())
}

// A full refund reads the amount left first; when that read fails, no
// refund is sent and the error says the provider was unavailable (safe to
// try again).
func TestFullRefundReadFails(t *testing.T) {
	g, ct := captureGateway(t, answer{503, `busy`})
	_, err := g.Refund(context.Background(), &payments.RefundRequest{ID: "o-1"})
	assert.True(t, errors.Is(err, payments.ErrUnavailable), "%v", err)
	for _, r := range ct.all() {
		assert.True(t, strings.HasSuffix(r.URL, "/check"), "sent %s", r.URL)
	}
}
