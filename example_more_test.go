package payments_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/store/sqlstore"
)

// NotificationHandler serves one gateway's notifications: it verifies each
// request with the driver, hands fn the parsed state, and answers the
// provider as it expects (here 200; 401 for a forged notification, which
// never reaches fn).
func ExampleNotificationHandler() {
	ctx := context.Background()
	gw := memory.New(memory.Config{})
	amount, _ := payments.ParseMoney("25.00", "EUR")
	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
		Reference: "order-7", Amount: amount, Capture: true,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	})
	if err != nil {
		log.Fatal(err)
	}

	handler := payments.NotificationHandler(gw, func(ctx context.Context, n *payments.Notification) error {
		fmt.Println("fn:", n.Kind, n.Payment.Reference, n.Payment.Status)
		return nil // record the new state here; an error makes the provider deliver it again
	})
	// Mount it where the provider posts, e.g. mux.Handle("POST /webhooks/memory", handler).

	genuine, err := gw.NotificationRequest(p)
	if err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, genuine)
	fmt.Println("genuine:", w.Code)

	forged, _ := gw.NotificationRequest(p)
	forged.Header.Set(memory.SignatureHeader, "sha256="+strings.Repeat("0", 64))
	w = httptest.NewRecorder()
	handler.ServeHTTP(w, forged)
	fmt.Println("forged:", w.Code)
	// Output:
	// fn: payment order-7 captured
	// genuine: 200
	// forged: 401
}

// Choosing a Store: the Router writes every attempt to its Store before the
// gateway call. A MemoryStore (the default) is enough for one process; when
// several instances route, or the log must survive a restart, give them a
// shared database with store/sqlstore (SQLite or PostgreSQL). The Router
// behaves the same over either.
func ExampleWithStore() {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite::memory:") // "sqlite:/var/lib/shop/payments.db", "postgres://…"
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	for _, s := range []struct {
		name  string
		store payments.Store
	}{
		{"MemoryStore", payments.NewMemoryStore()}, // one process; lost on restart
		{"sqlstore", db}, // shared by instances; survives restarts
	} {
		router, err := payments.NewRouter(
			[]payments.Route{{Name: "mem", Gateway: memory.New(memory.Config{})}},
			payments.WithStore(s.store),
		)
		if err != nil {
			log.Fatal(err)
		}
		amount, _ := payments.ParseMoney("49.99", "EUR")
		req := &payments.AuthorizeRequest{
			Reference: "order-1", Amount: amount, Capture: true,
			Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
		}
		if _, err := router.Authorize(ctx, req); err != nil {
			log.Fatal(err)
		}
		rec, err := s.store.GetByReference(ctx, "order-1")
		if err != nil {
			log.Fatal(err)
		}
		_, again := router.Authorize(ctx, req) // the same order twice
		fmt.Printf("%-11s owner=%s status=%s duplicate refused=%v\n", s.name, rec.Route, rec.Status, errors.Is(again, payments.ErrDuplicate))
	}
	// Output:
	// MemoryStore owner=mem status=captured duplicate refused=true
	// sqlstore    owner=mem status=captured duplicate refused=true
}

// Retryable says whether the same call may go to the same provider again
// after a pause; CanCascade whether a Router may try the payment with
// another provider. Neither holds for an unknown outcome: reconcile it with
// Status first, the customer may have been charged.
func ExampleRetryable() {
	declined := func(r payments.DeclineReason) error {
		return &payments.Error{Code: payments.Declined, Decline: &payments.Decline{Reason: r}}
	}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"unavailable", &payments.Error{Code: payments.Unavailable}},
		{"rate_limited", &payments.Error{Code: payments.RateLimited}},
		{"authentication", &payments.Error{Code: payments.Authentication}},
		{"unsupported", &payments.Error{Code: payments.Unsupported}},
		{"declined (soft)", declined(payments.DeclineDoNotHonour)},
		{"declined (hard)", declined(payments.DeclineInsufficientFunds)},
		{"invalid_request", &payments.Error{Code: payments.InvalidRequest}},
		{"outcome_unknown", &payments.Error{Code: payments.OutcomeUnknown}},
		{"wrapped", fmt.Errorf("checkout: %w", &payments.Error{Code: payments.Unavailable})},
		{"nil", nil},
	} {
		fmt.Printf("%-16s Retryable=%-5v CanCascade=%v\n", c.name, payments.Retryable(c.err), payments.CanCascade(c.err))
	}
	// Output:
	// unavailable      Retryable=true  CanCascade=true
	// rate_limited     Retryable=true  CanCascade=true
	// authentication   Retryable=false CanCascade=true
	// unsupported      Retryable=false CanCascade=true
	// declined (soft)  Retryable=false CanCascade=true
	// declined (hard)  Retryable=false CanCascade=false
	// invalid_request  Retryable=false CanCascade=false
	// outcome_unknown  Retryable=false CanCascade=false
	// wrapped          Retryable=true  CanCascade=true
	// nil              Retryable=false CanCascade=false
}
