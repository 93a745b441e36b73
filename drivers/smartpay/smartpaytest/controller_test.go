package smartpaytest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gopayments/payments/simulator"
)

func TestCompleteOutcomesAndIDs(t *testing.T) {
	s := NewServer()
	defer s.Close()
	cases := []struct {
		name     string
		id       func(id string) string // what the test passes to Complete
		outcomes []simulator.Outcome
		want     string
	}{
		{"transactionId, success", func(id string) string { return id }, []simulator.Outcome{simulator.Success}, StatusAuthorizationCompleted},
		{"router id, failure", func(id string) string { return "smartpay:" + id }, []simulator.Outcome{simulator.Failure}, StatusFailed},
		{"router id, pending", func(id string) string { return "sp-eu_1:" + id }, []simulator.Outcome{simulator.Pending}, StatusAuthorizationPending},
		{"pending then success", func(id string) string { return id }, []simulator.Outcome{simulator.Pending, simulator.Success}, StatusAuthorizationCompleted},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := createCheckout(t, s, fmt.Sprintf("co-%d", i), "10.00")["transactionId"].(string)
			for _, o := range tc.outcomes {
				if err := s.Complete(tc.id(id), o); err != nil {
					t.Fatalf("Complete(%q, %v): %v", tc.id(id), o, err)
				}
			}
			if ps, _ := s.Payment(id); ps.Status != tc.want {
				t.Errorf("status %s, want %s", ps.Status, tc.want)
			}
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	s := NewServer()
	defer s.Close()
	open := createCheckout(t, s, "e-open", "10.00")["transactionId"].(string)
	done := createCheckout(t, s, "e-done", "10.00")["transactionId"].(string)
	if err := s.Complete(done, simulator.Success); err != nil {
		t.Fatal(err)
	}
	invoice := authorize(t, s, "PREPMNT", "e-inv", "10.00")
	cases := []struct {
		name    string
		id      string
		outcome simulator.Outcome
		want    []error
	}{
		{"unknown", "00000000-0000-4000-8000-00000000ffff", simulator.Success, []error{ErrUnknownTransaction, simulator.ErrNotFound}},
		{"unknown behind a route", "sp:nope", simulator.Success, []error{ErrUnknownTransaction, simulator.ErrNotFound}},
		{"completed already", "sp:" + done, simulator.Failure, []error{ErrInvalidState, simulator.ErrWrongState}},
		{"not a checkout", invoice, simulator.Success, []error{ErrInvalidState, simulator.ErrWrongState}},
		{"cancel", open, simulator.Cancel, []error{errors.ErrUnsupported}},
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
	if ps, _ := s.Payment(open); ps.Status != StatusCreated {
		t.Errorf("open checkout is %s after refused completions", ps.Status)
	}
}

func TestSetNotificationURLAfterStart(t *testing.T) {
	s := NewServer() // no webhook URL: nothing is sent
	defer s.Close()
	first := createCheckout(t, s, "late-0", "12.00")["transactionId"].(string)
	rc := newReceiver(t, &receiver{})
	s.SetNotificationURL(rc.srv.URL + "/hook")
	if err := s.Complete("sp:"+first, simulator.Success); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	events, _ := rc.snapshot()
	if len(events) != 1 || str(events[0], "data", "transactionId") != first ||
		str(events[0], "data", "paymentStatus") != StatusAuthorizationCompleted || str(events[0], "origin") != "widget" {
		t.Fatalf("events %v, want the completion of %s", events, first)
	}

	// Reset keeps the URL; "" turns webhooks off again.
	s.Reset()
	createCheckout(t, s, "late-1", "12.00")
	waitIdle(t, s)
	s.SetNotificationURL("")
	createCheckout(t, s, "late-2", "12.00")
	waitIdle(t, s)
	if events, _ := rc.snapshot(); len(events) != 2 || str(events[1], "context", "partnerReference") != "late-1" {
		t.Errorf("events after Reset: %v", events)
	}
}
