package smartpaymentstest_test

import (
	"errors"
	"testing"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
	"github.com/gopayments/payments/simulator"
)

func TestCompleteOutcomesAndIDs(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications())
	cases := []struct {
		name, order, id string // id given to Complete; "" for the processing id
		outcome         simulator.Outcome
		status          int
		errCode         string
	}{
		{"order id, success", "c-1", "c-1", simulator.Success, sp.StatusSuccess, ""},
		{"router id, failure", "c-2", "sp:c-2", simulator.Failure, sp.StatusFail, sp.CodeAuthentication},
		{"processing id, cancel", "c-3", "", simulator.Cancel, sp.StatusFail, sp.Code3DSCancel},
		{"order id with a colon, whole", "shop:c-4", "shop:c-4", simulator.Success, sp.StatusSuccess, ""},
		{"router id over an order id with a colon", "shop:c-5", "route_1:shop:c-5", simulator.Success, sp.StatusSuccess, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h2h(t, srv, tc.order, sp.CardChallenge, 1000, nil)
			wantCode(t, r, 200)
			id := tc.id
			if id == "" {
				id = r.str("order_id") // the processing id
			}
			if err := srv.Complete(id, tc.outcome); err != nil {
				t.Fatalf("Complete(%q, %v): %v", id, tc.outcome, err)
			}
			ps, _ := srv.Payment(tc.order)
			wantEqual(t, "status", ps.Status, tc.status)
			wantEqual(t, "error", ps.ErrorMessage, tc.errCode)
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	srv := newSim(t, sp.WithoutNotifications())
	wantCode(t, h2h(t, srv, "e-1", sp.CardChallenge, 1000, nil), 200)
	wantCode(t, h2h(t, srv, "e-2", sp.CardFrictionless, 1000, nil), 200)
	cases := []struct {
		name    string
		id      string
		outcome simulator.Outcome
		want    []error
	}{
		{"unknown", "nope", simulator.Success, []error{sp.ErrUnknownOrder, simulator.ErrNotFound}},
		{"unknown behind a route", "sp:nope", simulator.Success, []error{sp.ErrUnknownOrder, simulator.ErrNotFound}},
		{"not a route prefix", "s p:e-1", simulator.Success, []error{sp.ErrUnknownOrder, simulator.ErrNotFound}},
		{"no challenge", "e-2", simulator.Success, []error{sp.ErrWrongState, simulator.ErrWrongState}},
		{"pending", "e-1", simulator.Pending, []error{errors.ErrUnsupported}},
		{"zero outcome", "e-1", 0, []error{errors.ErrUnsupported}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := srv.Complete(tc.id, tc.outcome)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("Complete(%q, %v) = %v, want it to wrap %v", tc.id, tc.outcome, err, w)
				}
			}
		})
	}
	if ps, _ := srv.Payment("e-1"); ps.AwaitingCustomer != "challenge" {
		t.Errorf("e-1 awaits %q after refused completions", ps.AwaitingCustomer)
	}
}

func TestSetNotificationURLAfterStart(t *testing.T) {
	srv := newSim(t)
	rc := newReceiver(t, nil)
	own := newReceiver(t, nil)
	// Created before the URL is known, without callback_url.
	wantCode(t, h2h(t, srv, "n-1", sp.CardChallenge, 1000, nil), 200)
	// A request's own callback_url wins over the server's URL.
	wantCode(t, h2h(t, srv, "n-2", sp.CardChallenge, 1000, map[string]any{"callback_url": own.URL}), 200)
	srv.SetNotificationURL(rc.URL + "/cb")
	for _, id := range []string{"n-1", "n-2"} {
		if err := srv.Complete(id, simulator.Success); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, srv)
	if b := rc.got(); len(b) != 1 || b[0]["orderId"] != "n-1" {
		t.Errorf("server URL got %v, want n-1's callback", b)
	}
	if b := own.got(); len(b) != 1 || b[0]["orderId"] != "n-2" {
		t.Errorf("request URL got %v, want n-2's callback", b)
	}
	cbs := srv.Notifications()
	if len(cbs) != 2 || cbs[0].URL != rc.URL+"/cb" {
		t.Errorf("Callbacks() = %+v", cbs)
	}

	// "" turns it off again; Reset keeps it.
	srv.Reset()
	wantCode(t, h2h(t, srv, "n-3", sp.CardFrictionless, 1000, nil), 200)
	srv.SetNotificationURL("")
	wantCode(t, h2h(t, srv, "n-4", sp.CardFrictionless, 1000, nil), 200)
	waitIdle(t, srv)
	if cbs := srv.Notifications(); len(cbs) != 1 || cbs[0].OrderID != "n-3" {
		t.Errorf("after Reset and SetNotificationURL(\"\"): %+v", cbs)
	}
}
