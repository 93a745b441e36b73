package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	payments "github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/routing"
	"github.com/gopayments/payments/store/sqlstore"
)

// A Router whose attempt log is a SQLite database: every attempt is written
// before its gateway call, and the attempt that ends routing owns the
// payment.
func Example() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:") // or "sqlite:/var/lib/shop/payments.db"
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	router, err := payments.NewRouter([]payments.Route{{Name: "mem", Gateway: memory.New(memory.Config{})}}, payments.WithStore(store))
	if err != nil {
		log.Fatal(err)
	}
	amount, _ := payments.ParseMoney("49.99", "EUR")
	req := &payments.AuthorizeRequest{
		Reference: "order-1", Amount: amount, Capture: true,
		Method: payments.Card{Number: memory.CardApproved, ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
	}
	p, err := router.Authorize(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("charged:", p.Status)

	rec, err := store.GetByReference(ctx, "order-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("owner:", rec.Route, "attempt", rec.Attempt, rec.Status)

	_, err = router.Authorize(ctx, req) // the same order again
	fmt.Println("again:", errors.Is(err, payments.ErrDuplicate))
	// Output:
	// charged: captured
	// owner: mem attempt 1 captured
	// again: true
}

// Several Router instances (processes) share one PostgreSQL database. The
// URL's parameters pass through to the server: search_path selects a schema.
func ExampleOpen_postgres() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "postgres://payments@db.internal:5432/shop?sslmode=verify-full&search_path=payments")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	router, err := payments.NewRouter([]payments.Route{{Name: "mem", Gateway: memory.New(memory.Config{})}}, payments.WithStore(store))
	if err != nil {
		log.Fatal(err)
	}
	_ = router
}

// Router instances that learn approval rates (routing.AuthRate) share them
// through the database: each writes its counts and reads everyone's every
// refresh, so each sees the others' outcomes at most two refreshes late.
func ExampleStore_AddRouteStats() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "postgres://payments@db.internal:5432/shop?sslmode=verify-full")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	learned, err := routing.NewAuthRate(routing.WithSharedStats(store, routing.DefaultRefresh))
	if err != nil {
		log.Fatal(err)
	}
	router, err := payments.NewRouter([]payments.Route{
		{Name: "acquirer-a", Gateway: memory.New(memory.Config{})},
		{Name: "acquirer-b", Gateway: memory.New(memory.Config{}), Priority: 1},
	}, payments.WithStore(store), payments.WithStrategy(learned))
	if err != nil {
		log.Fatal(err)
	}
	_ = router
	// At shutdown, write what was learned since the last refresh.
	_ = learned.Refresh(ctx)
}

// A pool of your own: Close leaves it open. A SQLite pool shared by
// goroutines should have one connection, or a busy_timeout pragma.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "payments")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "payments.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	store, err := sqlstore.New(ctx, db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	versions, err := store.Migrations(ctx)
	fmt.Println(versions, err)
	fmt.Println(store.Close(), db.PingContext(ctx)) // the pool is still open
	// Output:
	// [1 2] <nil>
	// <nil> <nil>
}
