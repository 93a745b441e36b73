package payments

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one attempt of a [Router] at one route for one reference: the
// write-ahead attempt log. The Router writes it before the gateway call
// ([Store.Begin]) and writes its outcome after the answer ([Store.Finish]).
//
// Exactly one attempt per reference owns the payment (Owner): the attempt
// that ended routing. Its record is the payment's record: Router.Status and
// later calls go to its route. Every other attempt of the reference is kept
// as history; a late notification updates that attempt only.
type Record struct {
	// Reference is the merchant's order id.
	Reference string `json:"reference"`
	// Attempt numbers the attempts of a reference from 1, in the order the
	// Router made them. Attempt 1 claims the reference.
	Attempt int `json:"attempt"`
	// Route is the name of the route the attempt went to.
	Route string `json:"route"`
	// ID is the Router's payment ID ("route:providerID"); empty until the
	// provider has answered with an ID (and for attempts that never got
	// one). Once set it never changes.
	ID string `json:"id,omitempty"`
	// Status is the last known status of the attempt's payment. It only
	// moves forward ([Status.CanTransition]). StatusUnknown means the outcome
	// is not known (yet): the attempt was begun and not finished, or its
	// answer was ambiguous; [Router.Recover] resolves it.
	Status Status `json:"status"`
	// Code is the error class of the attempt's answer; empty on success.
	Code Code `json:"code,omitempty"`
	// Owner is set on the one attempt that owns the reference's payment.
	Owner bool `json:"owner,omitempty"`
	// Conflict is set on an attempt that does not own the reference but
	// whose payment holds the customer's money ([Status.Charged]) while
	// another attempt owns it: the customer was charged twice for one
	// reference, and this attempt's money must be returned. Whichever write
	// comes second sets it: the non-owner's status reaching a charged state
	// under an owner, or another attempt taking ownership while this one
	// holds money. It is never cleared. See [Router.Conflicts].
	Conflict bool `json:"conflict,omitempty"`
	// Started is when the attempt was begun (before the gateway call).
	Started time.Time `json:"started"`
	// Finished is when its outcome was first recorded; zero until then.
	Finished time.Time `json:"finished,omitzero"`
	// Updated is when the record last changed.
	Updated time.Time `json:"updated"`
}

// RefundRecord is one refund issued through a [Router]: the refund ledger,
// from which Router.Status reports refunds for providers whose status does
// not show them (Capabilities.RefundsInStatus false).
type RefundRecord struct {
	// PaymentID is the refunded payment's Router ID.
	PaymentID string `json:"payment_id"`
	// RefundID is the provider's refund id.
	RefundID string `json:"refund_id"`
	// Amount is the refunded amount.
	Amount Money `json:"amount"`
	// Status only moves forward: pending → succeeded or failed.
	Status RefundStatus `json:"status"`
	// Created and Updated are when the record was written and last changed.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Store keeps a [Router]'s attempt log and refund ledger. [MemoryStore] is
// the default for one process; store/sqlstore implements it over
// PostgreSQL (several Router instances sharing one database) and SQLite.
// store/storetest is the conformance suite every implementation passes:
// what is written below is what it checks.
//
// The rules a Store enforces itself, atomically (a database does it with
// unique constraints and conditional updates, never a read-then-write in
// Go):
//   - a reference is claimed by its first attempt, once (ErrDuplicate);
//   - at most one attempt of a reference owns it;
//   - a status only moves forward ([Status.CanTransition]): a write that
//     would take it back keeps the stored status and returns it;
//   - an attempt's ID, once set, never changes (another is ErrIntegrity);
//   - a non-owning attempt whose payment holds money while another attempt
//     owns the reference is marked Conflict (see [Record.Conflict]).
//
// Errors: a missing record is an error wrapping ErrNotFound; any failure of
// the store itself (database down, timeout) is returned as is, and the
// Router retries it briefly and then reports ErrUnrecorded. Implementations
// must be safe for concurrent use, also from several processes.
type Store interface {
	// Begin writes an attempt ahead of its gateway call: Reference,
	// Attempt, Route and Started of rec (the rest is ignored; the status is
	// StatusUnknown). Attempt 1 claims the reference: when it is claimed
	// already, by this or another Router instance, Begin writes nothing and
	// returns an error wrapping ErrDuplicate. A later attempt needs the
	// reference claimed and not owned (ErrInvalidState otherwise).
	Begin(ctx context.Context, rec Record) error
	// Finish records the outcome of the attempt (rec.Reference,
	// rec.Attempt): ID (set once), Status (forward-only), Code and, the
	// first time, Finished. With own, the attempt becomes the owner of the
	// reference unless another attempt owns it already. It returns the
	// attempt as stored. Finish is idempotent: recording the same outcome
	// again changes nothing.
	Finish(ctx context.Context, rec Record, own bool) (Record, error)
	// Release deletes a claimed reference and its attempts when no attempt
	// owns it and none has a provider ID (every attempt failed before any
	// provider processed it), so the merchant may use the reference again.
	// Otherwise, and when there is no such reference, it does nothing.
	Release(ctx context.Context, reference string) error
	// Advance records a newer status of the attempt with Router ID id
	// (forward-only) and returns the attempt as stored.
	Advance(ctx context.Context, id string, status Status) (Record, error)
	// Get returns the attempt with Router ID id.
	Get(ctx context.Context, id string) (Record, error)
	// GetByReference returns the attempt that owns the reference; ErrNotFound
	// when none does (yet).
	GetByReference(ctx context.Context, reference string) (Record, error)
	// Attempts lists the attempts of a reference by attempt number.
	Attempts(ctx context.Context, reference string) ([]Record, error)
	// Unsettled lists, oldest first and at most limit, the attempts started
	// before the given time whose outcome is unknown (StatusUnknown), and
	// the attempts of references that no attempt owns: what a crash or a
	// store failure left behind, for [Router.Recover].
	Unsettled(ctx context.Context, before time.Time, limit int) ([]Record, error)
	// Conflicts lists, oldest first and at most limit, the attempts marked
	// Conflict.
	Conflicts(ctx context.Context, limit int) ([]Record, error)
	// PutRefund records a refund, keyed by PaymentID and RefundID; the
	// status only moves forward (pending → succeeded or failed). It returns
	// the refund as stored.
	PutRefund(ctx context.Context, ref RefundRecord) (RefundRecord, error)
	// Refunds lists the refunds of the payment with Router ID paymentID,
	// oldest first.
	Refunds(ctx context.Context, paymentID string) ([]RefundRecord, error)
}

// Charged reports whether a payment in this status holds the customer's
// money: authorized, captured (partly or fully) or partly refunded. A
// non-owning attempt in such a status is a double charge ([Record.Conflict]).
func (s Status) Charged() bool {
	switch s {
	case StatusAuthorized, StatusPartiallyCaptured, StatusCaptured, StatusPartiallyRefunded:
		return true
	}
	return false
}

// CanTransition reports whether a refund known to be in status s may be
// reported next in status to: pending may resolve either way; succeeded and
// failed are final.
func (s RefundStatus) CanTransition(to RefundStatus) bool {
	return s == to || s == RefundPending
}

// MemoryStore is an in-process [Store]: the default of a Router that runs in
// one process. Its zero value is ready to use.
type MemoryStore struct {
	mu      sync.Mutex
	byRef   map[string][]*Record // attempts of a reference, by number
	byID    map[string]*Record
	refunds map[string][]*RefundRecord // by PaymentID

	stats       map[statsKey]*RouteStats // StatsStore (strategy.go)
	statsNewest int64
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (s *MemoryStore) init() {
	if s.byRef == nil {
		s.byRef = map[string][]*Record{}
		s.byID = map[string]*Record{}
		s.refunds = map[string][]*RefundRecord{}
	}
}

func notFound(what string) error { return &Error{Code: NotFound, Message: "store: no " + what} }

// Begin implements [Store].
func (s *MemoryStore) Begin(_ context.Context, rec Record) error {
	if rec.Reference == "" || rec.Attempt < 1 || rec.Route == "" {
		return &Error{Code: InvalidRequest, Message: "store: an attempt needs a reference, a number from 1 and a route"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	atts := s.byRef[rec.Reference]
	switch {
	case rec.Attempt == 1 && len(atts) > 0:
		return &Error{Code: Duplicate, Field: "reference", Message: "reference " + rec.Reference + " is already used"}
	case rec.Attempt > 1 && len(atts) == 0:
		return &Error{Code: InvalidState, Message: "store: attempt " + strconv.Itoa(rec.Attempt) + " of unclaimed reference " + rec.Reference}
	case rec.Attempt > 1 && ownerOf(atts) != nil:
		return &Error{Code: InvalidState, Message: "store: reference " + rec.Reference + " is owned: no further attempts"}
	}
	for _, a := range atts {
		if a.Attempt == rec.Attempt {
			return &Error{Code: Duplicate, Message: "store: attempt " + strconv.Itoa(rec.Attempt) + " of " + rec.Reference + " exists"}
		}
	}
	now := time.Now()
	c := Record{Reference: rec.Reference, Attempt: rec.Attempt, Route: rec.Route, Status: StatusUnknown, Started: rec.Started, Updated: now}
	if c.Started.IsZero() {
		c.Started = now
	}
	s.byRef[rec.Reference] = append(atts, &c)
	sort.Slice(s.byRef[rec.Reference], func(i, j int) bool {
		return s.byRef[rec.Reference][i].Attempt < s.byRef[rec.Reference][j].Attempt
	})
	return nil
}

func ownerOf(atts []*Record) *Record {
	for _, a := range atts {
		if a.Owner {
			return a
		}
	}
	return nil
}

// Finish implements [Store].
func (s *MemoryStore) Finish(_ context.Context, rec Record, own bool) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	var cur *Record
	for _, a := range s.byRef[rec.Reference] {
		if a.Attempt == rec.Attempt {
			cur = a
		}
	}
	if cur == nil {
		return Record{}, notFound("attempt " + strconv.Itoa(rec.Attempt) + " of reference " + rec.Reference)
	}
	if rec.ID != "" && cur.ID != rec.ID {
		if cur.ID != "" {
			return *cur, &Error{Code: Integrity, Message: "store: attempt " + strconv.Itoa(rec.Attempt) + " of " + rec.Reference + " is payment " + cur.ID + ", not " + rec.ID}
		}
		if other, ok := s.byID[rec.ID]; ok && other != cur {
			return *cur, &Error{Code: Integrity, Message: "store: payment " + rec.ID + " belongs to another attempt"}
		}
		cur.ID = rec.ID
		s.byID[rec.ID] = cur
	}
	now := time.Now()
	if cur.Finished.IsZero() {
		cur.Finished = now
	}
	if rec.Code != "" || cur.Status == StatusUnknown {
		cur.Code = rec.Code
	}
	atts := s.byRef[rec.Reference]
	if own && !cur.Owner && ownerOf(atts) == nil {
		cur.Owner = true
		// The other attempts that hold money are now double charges.
		for _, a := range atts {
			if a != cur && a.Status.Charged() && !a.Conflict {
				a.Conflict, a.Updated = true, now
			}
		}
	}
	s.advance(cur, rec.Status, now)
	return *cur, nil
}

// advance moves cur to status when the transition is allowed, and marks it
// a conflict when it holds money while another attempt owns its reference.
func (s *MemoryStore) advance(cur *Record, status Status, now time.Time) {
	if cur.Status != status && cur.Status.CanTransition(status) {
		cur.Status = status
	}
	if !cur.Owner && cur.Status.Charged() && ownerOf(s.byRef[cur.Reference]) != nil {
		cur.Conflict = true
	}
	cur.Updated = now
}

// Release implements [Store].
func (s *MemoryStore) Release(_ context.Context, reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	atts := s.byRef[reference]
	for _, a := range atts {
		if a.Owner || a.ID != "" {
			return nil // a provider has this reference on its books
		}
	}
	delete(s.byRef, reference)
	return nil
}

// Advance implements [Store].
func (s *MemoryStore) Advance(_ context.Context, id string, status Status) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	cur, ok := s.byID[id]
	if !ok {
		return Record{}, notFound("payment " + id)
	}
	s.advance(cur, status, time.Now())
	return *cur, nil
}

// Get implements [Store].
func (s *MemoryStore) Get(_ context.Context, id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byID[id]; ok {
		return *r, nil
	}
	return Record{}, notFound("payment " + id)
}

// GetByReference implements [Store].
func (s *MemoryStore) GetByReference(_ context.Context, reference string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := ownerOf(s.byRef[reference]); r != nil {
		return *r, nil
	}
	return Record{}, notFound("payment owns reference " + reference)
}

// Attempts implements [Store].
func (s *MemoryStore) Attempts(_ context.Context, reference string) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, a := range s.byRef[reference] {
		out = append(out, *a)
	}
	return out, nil
}

// Unsettled implements [Store].
func (s *MemoryStore) Unsettled(_ context.Context, before time.Time, limit int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, atts := range s.byRef {
		owned := ownerOf(atts) != nil
		for _, a := range atts {
			if a.Started.Before(before) && (a.Status == StatusUnknown || !owned) {
				out = append(out, *a)
			}
		}
	}
	sortRecords(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Conflicts implements [Store].
func (s *MemoryStore) Conflicts(_ context.Context, limit int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, atts := range s.byRef {
		for _, a := range atts {
			if a.Conflict {
				out = append(out, *a)
			}
		}
	}
	sortRecords(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].Started.Equal(rs[j].Started) {
			return rs[i].Started.Before(rs[j].Started)
		}
		if rs[i].Reference != rs[j].Reference {
			return rs[i].Reference < rs[j].Reference
		}
		return rs[i].Attempt < rs[j].Attempt
	})
}

// PutRefund implements [Store].
func (s *MemoryStore) PutRefund(_ context.Context, ref RefundRecord) (RefundRecord, error) {
	if ref.PaymentID == "" || ref.RefundID == "" {
		return RefundRecord{}, &Error{Code: InvalidRequest, Message: "store: a refund needs a payment ID and a refund ID"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	now := time.Now()
	for _, r := range s.refunds[ref.PaymentID] {
		if r.RefundID == ref.RefundID {
			if r.Status.CanTransition(ref.Status) {
				r.Status = ref.Status
			}
			r.Updated = now
			return *r, nil
		}
	}
	c := ref
	c.Created, c.Updated = now, now
	s.refunds[ref.PaymentID] = append(s.refunds[ref.PaymentID], &c)
	return c, nil
}

// Refunds implements [Store].
func (s *MemoryStore) Refunds(_ context.Context, paymentID string) ([]RefundRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RefundRecord
	for _, r := range s.refunds[paymentID] {
		out = append(out, *r)
	}
	return out, nil
}

// SplitID splits a Router payment ID "route:providerID" into its route name
// and the provider's own ID.
func SplitID(id string) (route, providerID string, ok bool) {
	return strings.Cut(id, ":")
}
