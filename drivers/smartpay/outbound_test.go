package smartpay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/internal/faultnet"
)

// The OAuth token request carries the client secret (Basic): a redirect from
// the token endpoint is not followed, with the driver's client or the
// caller's, and the payment call waits for no token it cannot get.
func TestOAuthTokenRedirectNotFollowed(t *testing.T) {
	for _, to := range []faultnet.RedirectTarget{faultnet.OtherHost, faultnet.SameHostOtherPort} {
		for cname, hc := range map[string]*http.Client{"default-client": nil, "caller-client": {}} {
			t.Run(to.String()+"/"+cname, func(t *testing.T) {
				rd := faultnet.NewRedirector(http.StatusTemporaryRedirect, to)
				defer rd.Close()
				g, err := smartpay.New(smartpay.Config{
					MerchantKey: "merchant", BaseURL: rd.URL(), Origin: "https://shop.example", HTTPClient: hc,
					OAuth: &smartpay.OAuth{TokenURL: rd.URL() + "/token", ClientID: "client", ClientSecret: "client-secret"},
				})
				require.NoError(t, err)
				_, err = g.Status(context.Background(), &payments.StatusRequest{ID: "4d2f3e0a-3b1c-4c55-9c1e-8b0f4e2a9d10"})
				assert.Empty(t, rd.Leaked(), "the token request was sent to the redirect's target")
				require.Error(t, err)
				assert.NotContains(t, err.Error(), "client-secret")
				assert.Equal(t, 1, rd.Hits(), "only the token request was sent")
			})
		}
	}
}

// The token request is bounded by Config.Timeout too, even with a caller's
// client that has no timeout: a token endpoint that never answers makes
// the call Unavailable (nothing money-moving was sent).
func TestOAuthTokenBoundedByTimeout(t *testing.T) {
	silent, err := faultnet.NewProxy("127.0.0.1:9")
	require.NoError(t, err)
	silent.SetMode(faultnet.Blackhole)
	defer silent.Close()
	g, err := smartpay.New(smartpay.Config{
		MerchantKey: "merchant", BaseURL: silent.URL(), Origin: "https://shop.example", HTTPClient: &http.Client{}, Timeout: 100 * time.Millisecond,
		OAuth: &smartpay.OAuth{TokenURL: silent.URL() + "/token", ClientID: "client", ClientSecret: "client-secret"},
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := g.Status(context.Background(), &payments.StatusRequest{ID: "4d2f3e0a-3b1c-4c55-9c1e-8b0f4e2a9d10"})
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, payments.ErrUnavailable)
	case <-time.After(time.Minute): // a deadlock guard, not a timing assertion
		t.Fatal("the token request was not bounded by Config.Timeout")
	}
}
