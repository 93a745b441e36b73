package payments_test

import (
	"testing"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/store/storetest"
)

// TestMemoryStoreConformance runs the Store conformance suite on the
// in-memory store, the reference implementation of the semantics.
func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) payments.Store { return payments.NewMemoryStore() })
}

// The zero MemoryStore is ready to use.
func TestZeroMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) payments.Store { return new(payments.MemoryStore) })
}
