package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/gopayments/payments"
)

// paymentRoundTrip marshals p to JSON and reads it back, and describes every
// field that did not survive: a Payment a driver returns must be storable as
// JSON (the Store, logs, queues) and come back the same. Fields are compared
// by meaning: Money with Equal and the same currency, times with
// time.Time.Equal, Raw as the JSON value it holds, a nil map or slice as an
// empty one (omitempty drops those). Attempts[].Err is json:"-" and not
// compared.
func paymentRoundTrip(p *payments.Payment) []string {
	back, d := roundTrip(p)
	if back == nil {
		return d
	}
	d.str("ID", p.ID, back.ID)
	d.str("Reference", p.Reference, back.Reference)
	d.str("Provider", p.Provider, back.Provider)
	d.str("ProviderStatus", p.ProviderStatus, back.ProviderStatus)
	same(&d, "Status", p.Status, back.Status)
	d.money("Amount", p.Amount, back.Amount)
	d.money("Captured", p.Captured, back.Captured)
	d.money("Refunded", p.Refunded, back.Refunded)
	d.time("Created", p.Created, back.Created)
	d.time("Updated", p.Updated, back.Updated)
	d.raw("Raw", p.Raw, back.Raw)
	if !reflect.DeepEqual(p.Decline, back.Decline) {
		d.add("Decline", p.Decline, back.Decline)
	}
	switch {
	case (p.Action == nil) != (back.Action == nil):
		d.add("Action", p.Action, back.Action)
	case p.Action != nil:
		a, ba := *p.Action, *back.Action
		d.time("Action.ExpiresAt", a.ExpiresAt, ba.ExpiresAt)
		a.ExpiresAt, ba.ExpiresAt = time.Time{}, time.Time{}
		a.Fields, ba.Fields = nilIfEmpty(a.Fields), nilIfEmpty(ba.Fields)
		a.Details, ba.Details = nilIfEmpty(a.Details), nilIfEmpty(ba.Details)
		if !reflect.DeepEqual(a, ba) {
			d.add("Action", a, ba)
		}
	}
	if len(p.Attempts) != len(back.Attempts) {
		d.add("len(Attempts)", len(p.Attempts), len(back.Attempts))
	} else {
		for i, a := range p.Attempts {
			a.Err = nil // json:"-"
			if a != back.Attempts[i] {
				d.add(fmt.Sprintf("Attempts[%d]", i), a, back.Attempts[i])
			}
		}
	}
	return d
}

// refundRoundTrip is paymentRoundTrip for a Refund.
func refundRoundTrip(r *payments.Refund) []string {
	back, d := roundTrip(r)
	if back == nil {
		return d
	}
	d.str("ID", r.ID, back.ID)
	d.str("PaymentID", r.PaymentID, back.PaymentID)
	d.str("ProviderStatus", r.ProviderStatus, back.ProviderStatus)
	same(&d, "Status", r.Status, back.Status)
	d.money("Amount", r.Amount, back.Amount)
	d.raw("Raw", r.Raw, back.Raw)
	return d
}

// notificationRoundTrip checks what a Notification adds to its Payment and
// Refund (those are checked on their own): it must marshal, and its Kind,
// Verified and Raw come back the same. Reply is json:"-".
func notificationRoundTrip(n *payments.Notification) []string {
	back, d := roundTrip(n)
	if back == nil {
		return d
	}
	same(&d, "Kind", n.Kind, back.Kind)
	same(&d, "Verified", n.Verified, back.Verified)
	d.raw("Raw", n.Raw, back.Raw)
	return d
}

// roundTrip marshals v and reads it back into a new T. When either step
// fails it returns nil and the failure as the only diff.
func roundTrip[T any](v *T) (*T, diffs) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, diffs{fmt.Sprintf("json.Marshal: %v", err)}
	}
	back := new(T)
	if err := json.Unmarshal(b, back); err != nil {
		return nil, diffs{fmt.Sprintf("json.Unmarshal of %s: %v", b, err)}
	}
	return back, nil
}

// diffs collects "field: before → after" lines.
type diffs []string

func (d *diffs) add(field string, before, after any) {
	*d = append(*d, fmt.Sprintf("%s: %+v came back as %+v", field, before, after))
}

func (d *diffs) str(field, before, after string) {
	if before != after {
		d.add(field, fmt.Sprintf("%q", before), fmt.Sprintf("%q", after))
	}
}

// same adds a diff when before and after differ.
func same[T comparable](d *diffs, field string, before, after T) {
	if before != after {
		d.add(field, before, after)
	}
}

func (d *diffs) money(field string, before, after payments.Money) {
	if !before.Equal(after) || before.Currency != after.Currency {
		d.add(field, fmt.Sprintf("%q %q", before.Amount.String(), before.Currency), fmt.Sprintf("%q %q", after.Amount.String(), after.Currency))
	}
}

func (d *diffs) time(field string, before, after time.Time) {
	if !before.Equal(after) {
		d.add(field, before, after)
	}
}

func (d *diffs) raw(field string, before, after json.RawMessage) {
	if len(before) == 0 && len(after) == 0 {
		return
	}
	vb, errB := decodeJSON(before)
	va, errA := decodeJSON(after)
	if errB != nil || errA != nil || !reflect.DeepEqual(vb, va) {
		d.add(field, string(before), string(after))
	}
}

// decodeJSON decodes b with numbers kept as written, so that two encodings
// of one document (spacing, \u003c for <) compare equal.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
