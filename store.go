package payments

import (
	"context"
	"sync"
	"time"
)

// Record is what a [Router] remembers of a payment: which route owns it and
// the last status it knows.
type Record struct {
	// ID is the Router's payment ID ("route:providerID"); empty while the
	// reference is reserved but no provider has answered yet.
	ID string `json:"id,omitempty"`
	// Reference is the merchant's order id.
	Reference string `json:"reference"`
	// Route is the name of the route (gateway) that owns the payment.
	Route string `json:"route,omitempty"`
	// Status is the last known status. It only moves forward
	// (Status.CanTransition).
	Status Status `json:"status"`
	// Updated is when the record last changed.
	Updated time.Time `json:"updated"`
}

// Store remembers payment ownership and last known status for a [Router].
// The in-memory [MemoryStore] is the default; a platform that runs several
// Router instances implements Store over its shared database. Each method
// maps to one statement:
//
//	Reserve: INSERT INTO payments(reference) VALUES ($1)   -- unique(reference); conflict → ErrDuplicate
//	Release: DELETE FROM payments WHERE reference = $1 AND id IS NULL
//	Put:     UPDATE payments SET id=$2, route=$3, status=$4, updated=now()
//	         WHERE reference = $1 AND status IN (<statuses that may move to $4>)
//	         RETURNING …   -- zero rows: keep and return the stored record
//	Get / GetByReference: SELECT … WHERE id = $1 / reference = $1
//
// Implementations must be safe for concurrent use. Get and GetByReference
// return an error wrapping ErrNotFound when there is no record.
type Store interface {
	// Reserve claims a reference for a new payment, atomically: a reference
	// already claimed (by this or another Router instance) is ErrDuplicate.
	Reserve(ctx context.Context, reference string) error
	// Release gives up a reservation that no provider has answered for
	// (every attempt provably failed before processing), so the merchant may
	// try the reference again.
	Release(ctx context.Context, reference string) error
	// Put records rec for rec.Reference. The status only moves forward: if
	// the stored status cannot transition to rec.Status, the stored status
	// is kept (ID and Route are still filled in if they were empty). Put
	// returns the record as stored.
	Put(ctx context.Context, rec Record) (Record, error)
	// Get returns the record of a payment by its Router ID.
	Get(ctx context.Context, id string) (Record, error)
	// GetByReference returns the record of a payment by its reference.
	GetByReference(ctx context.Context, reference string) (Record, error)
}

// MemoryStore is an in-process [Store]. Its zero value is ready to use.
type MemoryStore struct {
	mu    sync.Mutex
	byRef map[string]*Record
	byID  map[string]*Record
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

func (s *MemoryStore) init() {
	if s.byRef == nil {
		s.byRef = map[string]*Record{}
		s.byID = map[string]*Record{}
	}
}

// Reserve implements [Store].
func (s *MemoryStore) Reserve(_ context.Context, reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if _, ok := s.byRef[reference]; ok {
		return &Error{Code: Duplicate, Field: "reference", Message: "reference " + reference + " is already used"}
	}
	s.byRef[reference] = &Record{Reference: reference, Status: StatusUnknown, Updated: time.Now()}
	return nil
}

// Release implements [Store].
func (s *MemoryStore) Release(_ context.Context, reference string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if r, ok := s.byRef[reference]; ok && r.ID == "" {
		delete(s.byRef, reference)
	}
	return nil
}

// Put implements [Store].
func (s *MemoryStore) Put(_ context.Context, rec Record) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	cur, ok := s.byRef[rec.Reference]
	if !ok && rec.ID != "" {
		cur, ok = s.byID[rec.ID]
	}
	if !ok {
		c := rec
		c.Updated = time.Now()
		cur = &c
		if cur.Reference != "" {
			s.byRef[cur.Reference] = cur
		}
		if cur.ID != "" {
			s.byID[cur.ID] = cur
		}
		return *cur, nil
	}
	if cur.ID == "" && rec.ID != "" {
		cur.ID = rec.ID
		s.byID[rec.ID] = cur
	}
	if rec.Route != "" && (cur.Route == "" || rec.ID != "") {
		cur.Route = rec.Route
	}
	if cur.Reference == "" && rec.Reference != "" {
		cur.Reference = rec.Reference
		s.byRef[rec.Reference] = cur
	}
	if cur.Status != rec.Status && cur.Status.CanTransition(rec.Status) {
		cur.Status = rec.Status
		cur.Updated = time.Now()
	}
	return *cur, nil
}

// Get implements [Store].
func (s *MemoryStore) Get(_ context.Context, id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byID[id]; ok {
		return *r, nil
	}
	return Record{}, &Error{Code: NotFound, Message: "no payment " + id}
}

// GetByReference implements [Store].
func (s *MemoryStore) GetByReference(_ context.Context, reference string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byRef[reference]; ok {
		return *r, nil
	}
	return Record{}, &Error{Code: NotFound, Message: "no payment with reference " + reference}
}
