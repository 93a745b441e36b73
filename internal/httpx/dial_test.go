package httpx

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

// A context that ends while the transport is still dialing means no
// connection was ever obtained: the request never left, whatever the call.
func TestDeadlineWhileDialingIsUnavailable(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		dials.Add(1)
		<-ctx.Done() // a host that never accepts
		return nil, ctx.Err()
	}}
	c := New(Config{Provider: "test", HTTPClient: &http.Client{Transport: tr}})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, Call{Op: "authorize", Method: http.MethodPost, URL: "http://127.0.0.1:9/pay", Body: []byte(`{}`), Safety: MoneyMoving})
	require.ErrorIs(t, err, payments.ErrUnavailable)
	assert.True(t, payments.Retryable(err))
	assert.Equal(t, int32(1), dials.Load())
}
