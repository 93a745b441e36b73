package reliability_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gopayments/payments"
)

// FuzzNotificationHandler sends any body, with or without the genuine
// credentials, to payments.NotificationHandler over each driver and its
// simulator. The seeds are the notifications the simulators really sent.
// The handler never panics and answers only 2xx, 400, 401 or 413; what
// reaches the callback from a driver that confirms by query is the
// provider's own state of an existing payment.
func FuzzNotificationHandler(f *testing.F) {
	worlds := make([]*notifyWorld, len(driverNames))
	for i, d := range driverNames {
		worlds[i] = newNotifyWorld(f, d)
		for _, g := range worlds[i].genuine {
			f.Add(uint8(i), g.Body, true)
			f.Add(uint8(i), g.Body, false)
		}
		f.Add(uint8(i), []byte(`{}`), true)
		f.Add(uint8(i), []byte(`orderId=x&status=2`), true)
		f.Add(uint8(i), []byte(`{"Refund":{"ID":1}}`), true)
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte, withCreds bool) {
		w := worlds[int(which)%len(worlds)]
		genuine := w.genuine[0]
		h := http.Header{"Content-Type": {"application/json"}}
		if withCreds {
			h = genuine.Header.Clone()
		}
		var got []*payments.Notification
		handler := payments.NotificationHandler(w.rig.Gateway(), func(_ context.Context, n *payments.Notification) error {
			got = append(got, n)
			return nil
		})
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, delivery{Header: h, Body: body}.request(http.MethodPost, "/hooks"))
		allowed := []int{replyCode(w.driver), http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge}
		if !slices.Contains(allowed, rec.Code) {
			t.Fatalf("%s answered %d to %q", w.driver, rec.Code, body)
		}
		if rec.Code >= 300 {
			if len(got) > 0 {
				t.Fatalf("%s rejected %q with %d, yet called back", w.driver, body, rec.Code)
			}
			return
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d callbacks", w.driver, len(got))
		}
		n := got[0]
		if verifiedByCredentials(w.driver) && n.Verified&payments.VerifiedCredentials == 0 {
			t.Fatalf("%s accepted %q without credentials (withCreds %v)", w.driver, body, withCreds)
		}
		if confirmedByQuery(w.driver) && n.Payment != nil {
			tr, ok := w.rig.Truth(n.Payment.Reference)
			if !ok {
				t.Fatalf("%s: callback about a payment the provider does not hold: %+v", w.driver, n.Payment)
			}
			if obs := w.rig.Observed(n.Payment); obs != tr {
				t.Fatalf("%s: callback with %v, the provider holds %v (body %q)", w.driver, obs, tr, body)
			}
		}
	})
}
