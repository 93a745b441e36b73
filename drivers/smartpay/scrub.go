package smartpay

import (
	"context"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// call sends c and maps the answer with read. It is the one place where
// provider text loses the exact secrets of the call in flight: whatever
// read returns, value and error, goes through scrub with the answer's
// Response, which knows those secrets (the credentials, the OAuth bearer
// token, the webhook password, and every card number, CVV, token or
// credential the request body sent: httpx.Response.Secrets). Every call
// path of the driver that reads an answer goes through it, success or
// not, so that an answer echoing a secret in free text (a capture's 200
// quoting the client secret) never reaches Raw, a message, a Decline or a
// detail. The debug logs of the exchange are stripped by httpx itself.
//
// An error of g.do (no answer: nothing sent, a timeout) is returned as it
// is.
func call[T any](ctx context.Context, g *Gateway, c httpx.Call, read func(*httpx.Response) (T, error)) (T, error) {
	resp, err := g.do(ctx, c)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := read(resp)
	return scrub(resp, v, err)
}

// scrub strips the exact secrets of the call resp answers from v and err,
// in place, and returns them: every provider text a result of this driver
// carries (Raw, ProviderStatus, Decline.Message, PaymentDetails' texts,
// the error's Message, Decline and cause). Shape-based masking (card
// numbers) was done when the result was built; scrub adds the exact
// values, which no shape betrays.
func scrub[T any](resp *httpx.Response, v T, err error) (T, error) {
	switch x := any(v).(type) {
	case *payments.Payment:
		resp.CleanPayment(x)
	case *payments.Refund:
		scrubRefund(resp, x)
	case *CancelOrRefundResult:
		if x != nil {
			resp.CleanPayment(x.Payment)
			scrubRefund(resp, x.Refund)
		}
	case *Checkout:
		if x != nil {
			resp.CleanPayment(x.Payment)
		}
	case *statusAnswer:
		if x != nil {
			resp.CleanPayment(x.p)
			scrubDetails(resp, x.details)
		}
	}
	return v, resp.CleanError(err)
}

func scrubRefund(resp *httpx.Response, r *payments.Refund) {
	if r == nil {
		return
	}
	r.Raw = resp.CleanRaw(r.Raw)
	r.ProviderStatus = stripText(resp, r.ProviderStatus)
}

func scrubDetails(resp *httpx.Response, d *PaymentDetails) {
	if d == nil {
		return
	}
	resp.CleanPayment(d.Payment)
	d.AcquirerResponse = stripText(resp, d.AcquirerResponse)
	for i := range d.Modifications {
		m := &d.Modifications[i]
		m.Status = stripText(resp, m.Status)
		m.Error = stripText(resp, m.Error)
	}
	for i := range d.History {
		h := &d.History[i]
		h.Status = stripText(resp, h.Status)
		h.Error = stripText(resp, h.Error)
	}
}

// stripText strips the call's secrets from s; a text without them is
// returned as it is (no shape-based masking added).
func stripText(resp *httpx.Response, s string) string {
	if resp == nil || !resp.Secrets.Contains(s) {
		return s
	}
	return resp.Clean(s)
}
