package smart2paytest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gopayments/payments/simulator"
)

func TestCompleteOutcomesAndIDs(t *testing.T) {
	s := newSim(t)
	cases := []struct {
		name    string
		id      func(id string) string // what the test passes to Complete
		extra   string                 // more Payment fields
		outcome simulator.Outcome
		status  int
	}{
		{"provider id, success", func(id string) string { return id }, "", simulator.Success, StatusSuccess},
		{"success without capture", func(id string) string { return id }, `,"Capture":false`, simulator.Success, StatusAuthorized},
		{"router id, failure", func(id string) string { return "s2p:" + id }, "", simulator.Failure, StatusFailed},
		{"router id, cancel", func(id string) string { return "apm-route_2:" + id }, "", simulator.Cancel, StatusCancelled},
		{"route named card, pending", func(id string) string { return "card:" + id }, "", simulator.Pending, StatusPendingOnProvider},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody(fmt.Sprintf("ref-%d", i), 100, tc.extra)))
			if err := s.Complete(tc.id(id), tc.outcome); err != nil {
				t.Fatalf("Complete(%q, %v): %v", tc.id(id), tc.outcome, err)
			}
			if ps, _ := s.Payment(id); ps.StatusID != tc.status {
				t.Errorf("status %d %s, want %d", ps.StatusID, ps.StatusInfo, tc.status)
			}
			if ops := s.Operations(); ops[len(ops)-1].Kind != "complete" {
				t.Errorf("last operation %+v, want complete", ops[len(ops)-1])
			}
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	s := newSim(t)
	cardID := idOf(t, cardCall(t, s, "POST", "/v1/payments", cardBody("card-1", 100, "")))
	done := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("done-1", 100, "")))
	if err := s.Complete(done, simulator.Success); err != nil {
		t.Fatal(err)
	}
	open := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("open-1", 100, "")))
	cases := []struct {
		name    string
		id      string
		outcome simulator.Outcome
		want    []error
	}{
		{"unknown", "9999999", simulator.Success, []error{ErrNotFound, simulator.ErrNotFound}},
		{"unknown behind a route", "s2p:9999999", simulator.Success, []error{ErrNotFound, simulator.ErrNotFound}},
		{"card payment, driver id", "card:" + cardID, simulator.Success, []error{ErrInvalidState, simulator.ErrWrongState}},
		{"card payment, router id", "s2p:card:" + cardID, simulator.Success, []error{ErrInvalidState, simulator.ErrWrongState}},
		{"completed already", done, simulator.Failure, []error{ErrInvalidState, simulator.ErrWrongState}},
		{"zero outcome", open, 0, []error{errors.ErrUnsupported}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Complete(tc.id, tc.outcome)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("Complete(%q, %v) = %v, want it to wrap %v", tc.id, tc.outcome, err, w)
				}
			}
		})
	}
	if ps, _ := s.Payment(open); ps.StatusID != StatusOpen {
		t.Errorf("open payment is %s after a refused completion", ps.StatusInfo)
	}
}

func TestCompleteNotifiesTheURLSetLater(t *testing.T) {
	s := newSim(t)
	id := idOf(t, apmCall(t, s, "POST", "/v1/payments", apmBody("late-1", 100, "")))
	rc := &receiver{}
	s.SetNotificationURL(withReceiver(t, rc))
	if err := s.Complete("s2p:"+id, simulator.Success); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	bodies, _ := rc.snapshot()
	if len(bodies) != 1 {
		t.Fatalf("%d notifications, want 1", len(bodies))
	}
	p := decodeJSON(t, bodies[0]).(map[string]any)["Payment"].(map[string]any)
	if got := statusID(t, p); got != StatusSuccess {
		t.Errorf("notified status %d", got)
	}
}
