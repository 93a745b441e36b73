package simulator

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestCandidates(t *testing.T) {
	cases := []struct {
		id   string
		want []string
	}{
		{"2700001", []string{"2700001"}},
		{"card:210001", []string{"card:210001", "210001"}}, // whole first: Smart2Pay's own card IDs
		{"s2p:card:210001", []string{"s2p:card:210001", "card:210001"}},
		{"eu-main_2:order-1", []string{"eu-main_2:order-1", "order-1"}},
		{"shop order:1", []string{"shop order:1"}}, // not a route name
		{":x", []string{":x"}},
		{"route:", []string{"route:"}},
		{"", []string{""}},
	}
	for _, tc := range cases {
		if got := Candidates(tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("Candidates(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestOutcomeText(t *testing.T) {
	cases := []struct {
		in   string
		want Outcome
		ok   bool
	}{
		{"success", Success, true},
		{" Failure ", Failure, true},
		{"fail", Failure, true},
		{"CANCEL", Cancel, true},
		{"pending", Pending, true},
		{"", 0, false},
		{"authorize", 0, false},
	}
	for _, tc := range cases {
		got, err := ParseOutcome(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseOutcome(%q) = %v, %v", tc.in, got, err)
		}
	}
	var v struct{ Outcome Outcome }
	if err := json.Unmarshal([]byte(`{"Outcome":"cancel"}`), &v); err != nil || v.Outcome != Cancel {
		t.Errorf("unmarshal: %v %v", v.Outcome, err)
	}
	if b, err := json.Marshal(v); err != nil || string(b) != `{"Outcome":"cancel"}` {
		t.Errorf("marshal: %s %v", b, err)
	}
	if _, err := json.Marshal(struct{ O Outcome }{}); err == nil {
		t.Error("the zero Outcome marshalled")
	}
	if s := Outcome(0).String(); s != "Outcome(0)" {
		t.Errorf("String() = %q", s)
	}
}
