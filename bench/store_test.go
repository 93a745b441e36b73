package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/bench/internal/benchutil"
	"github.com/gopayments/payments/drivers/memory"
	"github.com/gopayments/payments/store/sqlstore"
)

// postgresEnv names the variable that points the PostgreSQL benchmarks at a
// server (as the library's tests read it), e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const postgresEnv = "PAYMENTS_TEST_POSTGRES_URL"

// postgresURL returns the server's URL, or skips the benchmark.
func postgresURL(b *testing.B) string {
	b.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		b.Skipf("PostgreSQL benchmarks skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", postgresEnv)
	}
	return u
}

// freshSchema creates a schema of a random name on the server at base,
// dropped when b ends, and returns its name and base with search_path set
// to it (as store/sqlstore's tests isolate themselves).
func freshSchema(b *testing.B, base string) (schema, withPath string) {
	b.Helper()
	buf := make([]byte, 8)
	_, _ = rand.Read(buf)
	schema = "paybench_" + hex.EncodeToString(buf)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		_ = admin.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			b.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return schema, u.String()
}

// newStore opens a sqlstore.Store of dialect on db (closed when b ends).
func newStore(b *testing.B, db *sql.DB, dialect sqlstore.Dialect) *sqlstore.Store {
	b.Helper()
	b.Cleanup(func() { _ = db.Close() })
	s, err := sqlstore.New(context.Background(), db, dialect)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// storeRouter is a Router with one route, gw (drivers/memory), keeping its
// attempt log in store.
func storeRouter(b *testing.B, gw *memory.Gateway, store payments.Store) *payments.Router {
	b.Helper()
	r, err := payments.NewRouter([]payments.Route{{Name: "target", Gateway: gw}}, payments.WithStore(store))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkStoreAuthorize is Router.Authorize over drivers/memory with its
// attempt log in each Store, next to the gateway alone (store=none), one
// call at a time: the difference is what the Store adds to a payment.
// db-stmts/op counts the statements sent (Begin's INSERT and Finish's
// UPDATE … RETURNING on the happy path); db-roundtrips/op, for PostgreSQL,
// the requests written on the connection (each one waited on).
func BenchmarkStoreAuthorize(b *testing.B) {
	b.Run("store=none", func(b *testing.B) { benchAuthorize(b, memory.New(memory.Config{})) })
	b.Run("store=memory", func(b *testing.B) {
		benchAuthorize(b, storeRouter(b, memory.New(memory.Config{}), payments.NewMemoryStore()))
	})
	// SQLite as Open makes it (synchronous FULL, SQLite's default: every
	// commit waits for an fsync of the WAL), and with
	// "sqlite:PATH?_pragma=synchronous(NORMAL)" (a commit is durable once a
	// checkpoint syncs it; a power loss, not a crash of the process, can
	// lose the last ones).
	sqlite := func(params string) func(b *testing.B) {
		return func(b *testing.B) {
			var c dbCounter
			db, err := openCountingSQLite(filepath.Join(b.TempDir(), "payments.db")+params, &c)
			if err != nil {
				b.Fatal(err)
			}
			benchStoreAuthorize(b, storeRouter(b, memory.New(memory.Config{}), newStore(b, db, sqlstore.SQLite)), &c, false)
		}
	}
	b.Run("store=sqlite", sqlite(""))
	b.Run("store=sqlite-normal", sqlite("?_pragma=synchronous(NORMAL)"))
	// PostgreSQL as the server is configured (each commit waits for its WAL
	// flush), and with "postgres://…&synchronous_commit=off" (Open passes
	// the parameter to the server: commits return before the flush; a
	// crash of the server, not of the client, can lose the last ones).
	postgres := func(params string) func(b *testing.B) {
		return func(b *testing.B) {
			_, u := freshSchema(b, postgresURL(b))
			var c dbCounter
			db, err := openCountingPostgres(u+params, &c)
			if err != nil {
				b.Fatal(err)
			}
			benchStoreAuthorize(b, storeRouter(b, memory.New(memory.Config{}), newStore(b, db, sqlstore.Postgres)), &c, true)
		}
	}
	b.Run("store=postgres", postgres(""))
	b.Run("store=postgres-async", postgres("&synchronous_commit=off"))
}

// benchStoreAuthorize runs benchAuthorize on r after one warm-up call
// (pgx prepares a statement on a connection's first use of it) and reports
// the statements and round trips per call.
func benchStoreAuthorize(b *testing.B, r *payments.Router, c *dbCounter, network bool) {
	if _, err := r.Authorize(context.Background(), benchutil.CardSale("warm-up", benchCard)); err != nil {
		b.Fatal(err)
	}
	stmts, writes := c.stmts.Load(), c.writes.Load()
	benchAuthorize(b, r)
	b.ReportMetric(float64(c.stmts.Load()-stmts)/float64(b.N), "db-stmts/op")
	if network {
		b.ReportMetric(float64(c.writes.Load()-writes)/float64(b.N), "db-roundtrips/op")
	}
}

// parallelClients is how many calls run at once in
// BenchmarkStoreParallel, on each side: Authorize calls spread over the
// four Routers, and pgbench's client connections.
const parallelClients = 8

// BenchmarkStoreParallel is the several-instances case on PostgreSQL, and
// its yardstick, paired in every run of the benchmark function:
//
//  1. four Routers (separate *payments.Router values, each with its own
//     sqlstore.Store, pool and connections, on one schema and one
//     in-memory gateway, as four processes of one deployment would be)
//     make b.N payments under b.RunParallel, parallelClients calls at once.
//     This is the timed part: ns/op, payments/s, cpu-ns/op (the Go
//     process's CPU per payment), db-stmts/op, db-roundtrips/op;
//  2. then pgbench, against the same server, runs b.N transactions of the
//     same two statements a happy-path Authorize sends (captured from the
//     Routers' own call, with their own arguments and a random reference),
//     over as many client connections, prepared as pgx prepares them:
//     pgbench-tps (its own figure, connection time excluded) and
//     pgbench-cpu-ns/op (pgbench's CPU per transaction);
//  3. router/pgbench is the ratio of the two rates.
//
// Each side starts from an empty table of its own (a fresh schema each,
// made by sqlstore's migrations), so the pairs do not drift as tables
// grow, and -count gives independent pairs.
//
// commit=sync is the server as configured (each commit waits for its WAL
// flush, shared by concurrent commits); commit=async sets
// synchronous_commit=off on both sides' sessions, so that no commit waits
// for the disk and what is left is CPU: the server's and the client's (the
// Router, database/sql and pgx, against pgbench's C) on the same cores.
func BenchmarkStoreParallel(b *testing.B) {
	base := postgresURL(b)
	b.Run("commit=sync", func(b *testing.B) { storeParallel(b, base, false) })
	b.Run("commit=async", func(b *testing.B) { storeParallel(b, base, true) })
}

func storeParallel(b *testing.B, base string, async bool) {
	ctx := context.Background()
	_, u := freshSchema(b, base)
	pgOptions := ""
	if async {
		u += "&synchronous_commit=off"
		pgOptions = " -c synchronous_commit=off"
	}

	// One provider (an in-memory gateway: its IDs are unique across the
	// instances, as a real provider's are), four instances.
	const instances = 4
	gw := memory.New(memory.Config{})
	routers := make([]*payments.Router, instances)
	counters := make([]*dbCounter, instances)
	for i := range routers {
		counters[i] = new(dbCounter)
		db, err := openCountingPostgres(u, counters[i])
		if err != nil {
			b.Fatal(err)
		}
		routers[i] = storeRouter(b, gw, newStore(b, db, sqlstore.Postgres))
	}
	run := make([]byte, 4)
	_, _ = rand.Read(run)
	prefix := "bench-" + hex.EncodeToString(run) + "-"
	var seq atomic.Int64

	// Warm-up: every connection the run will use is opened and has
	// prepared the statements; the first call's statements are captured
	// for pgbench.
	counters[0].startCapture()
	if _, err := routers[0].Authorize(ctx, benchutil.CardSale(prefix+"capture", benchCard)); err != nil {
		b.Fatal(err)
	}
	captured := counters[0].stopCapture()
	var wg sync.WaitGroup
	errs := make(chan error, parallelClients)
	for g := 0; g < parallelClients; g++ {
		wg.Add(1)
		go func(r *payments.Router) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := r.Authorize(ctx, benchutil.CardSale(prefix+"warm-"+strconv.FormatInt(seq.Add(1), 10), benchCard)); err != nil {
					errs <- err
					return
				}
			}
		}(routers[g%instances])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}

	// pgbench's side: the script, and a schema of its own.
	pgbench, lookErr := exec.LookPath("pgbench")
	var pgSchema, scriptFile string
	var defs []string
	var check *sql.DB
	if lookErr == nil {
		var script, pu string
		var err error
		if script, defs, err = pgbenchScript(captured, time.Now()); err != nil {
			b.Fatal(err)
		}
		if testing.Verbose() {
			b.Logf("pgbench script (-M prepared -D %s):\n%s", strings.Join(defs, " -D "), script)
		}
		scriptFile = filepath.Join(b.TempDir(), "authorize.pgbench")
		if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
			b.Fatal(err)
		}
		pgSchema, pu = freshSchema(b, base)
		s, err := sqlstore.Open(ctx, pu)
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Close()
		if check, err = sql.Open("pgx", pu); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = check.Close() })
	}

	// 1. The Routers.
	var instance atomic.Int64
	var stmts, writes int64
	for _, c := range counters {
		stmts, writes = stmts-c.stmts.Load(), writes-c.writes.Load()
	}
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((parallelClients + procs - 1) / procs)
	b.ReportAllocs()
	b.ResetTimer()
	stopCPU := benchutil.CPU(b)
	b.RunParallel(func(pb *testing.PB) {
		r := routers[int(instance.Add(1))%instances]
		req := benchutil.CardSale("", benchCard)
		var buf []byte
		for pb.Next() {
			buf = append(append(buf[:0], prefix...), strconv.FormatInt(seq.Add(1), 10)...)
			r2 := *req
			r2.Reference = string(buf)
			p, err := r.Authorize(ctx, &r2)
			if err != nil {
				b.Error(err)
				return
			}
			if p.Status != payments.StatusCaptured {
				b.Errorf("status %s", p.Status)
				return
			}
		}
	})
	b.StopTimer()
	stopCPU()
	for _, c := range counters {
		stmts, writes = stmts+c.stmts.Load(), writes+c.writes.Load()
	}
	routerRate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(routerRate, "payments/s")
	b.ReportMetric(float64(stmts)/float64(b.N), "db-stmts/op")
	b.ReportMetric(float64(writes)/float64(b.N), "db-roundtrips/op")

	// 2. pgbench.
	if lookErr != nil {
		b.Logf("pgbench is not on PATH (%v): the comparison with it is skipped", lookErr)
		return
	}
	tps, cpu, err := runPgbench(ctx, pgbench, base, "-c search_path="+pgSchema+pgOptions, scriptFile, defs, b.N)
	if err != nil {
		b.Fatal(err)
	}
	// pgbench's statements did what the Router's do: every row is an
	// owned, captured attempt with its ID.
	var owned, total int
	if err := check.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE owner AND owned_by = 1 AND status = 'captured' AND id IS NOT NULL AND finished IS NOT NULL), count(*) FROM payments_attempts`).Scan(&owned, &total); err != nil {
		b.Fatal(err)
	}
	if total == 0 || owned != total {
		b.Fatalf("pgbench's table holds %d attempts, %d of them owned and captured", total, owned)
	}
	b.ReportMetric(tps, "pgbench-tps")
	b.ReportMetric(float64(cpu.Nanoseconds()), "pgbench-cpu-ns/op")
	// 3.
	b.ReportMetric(routerRate/tps, "router/pgbench")
}

// pgbenchParams names, per statement of a happy-path Authorize, the pgbench
// variable that takes each of its arguments ($1, $2, …), in the order
// store/sqlstore passes them: Begin (reference, attempt, route, started,
// updated) and Finish (reference, attempt, ID, status, code, now, own).
// The ID is the reference's number again: unique, as a provider's ID is.
var pgbenchParams = [][]string{
	{"ref", "attempt", "route", "now", "now"},
	{"ref", "attempt", "ref", "status", "code", "now", "own"},
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// pgbenchScript turns the two statements of one happy-path Authorize, as
// the driver received them, into a pgbench script: each $N becomes the
// pgbench variable pgbenchParams names, the reference a random number
// (references never repeat in practice: 1 in 9·10^18), and the other
// arguments the -D definitions returned (the captured call's own values;
// the time is now).
func pgbenchScript(captured []capturedStmt, now time.Time) (script string, defs []string, err error) {
	if len(captured) != len(pgbenchParams) {
		var qs []string
		for _, c := range captured {
			qs = append(qs, c.query)
		}
		return "", nil, fmt.Errorf("a happy-path Authorize sent %d statements, want %d:\n%s", len(captured), len(pgbenchParams), strings.Join(qs, ";\n"))
	}
	vals := map[string]string{"now": now.UTC().Format(time.RFC3339Nano)}
	var sb strings.Builder
	sb.WriteString("\\set ref random(1, 9000000000000000000)\n")
	for i, c := range captured {
		names := pgbenchParams[i]
		if len(c.args) != len(names) {
			return "", nil, fmt.Errorf("statement %d has %d arguments, want %d: %s", i+1, len(c.args), len(names), c.query)
		}
		for j, name := range names {
			if name == "ref" || name == "now" {
				continue
			}
			v := fmt.Sprint(c.args[j])
			if old, ok := vals[name]; ok && old != v {
				return "", nil, fmt.Errorf("argument %s is %q in one statement, %q in another", name, old, v)
			}
			vals[name] = v
		}
		var bad error
		q := placeholder.ReplaceAllStringFunc(c.query, func(m string) string {
			n, _ := strconv.Atoi(m[1:])
			if n < 1 || n > len(names) {
				bad = fmt.Errorf("statement %d uses %s", i+1, m)
				return m
			}
			return ":" + names[n-1]
		})
		if bad != nil {
			return "", nil, bad
		}
		sb.WriteString(q)
		sb.WriteString(";\n")
	}
	// pgbench refuses an empty -D value: a client sets its empty ones
	// (the code of a success) once, with \gset in its first transaction
	// (one round trip per client, not per transaction).
	var empty []string
	for _, k := range []string{"attempt", "route", "status", "code", "own", "now"} {
		if vals[k] == "" {
			empty = append(empty, "'' AS "+k)
			continue
		}
		defs = append(defs, k+"="+vals[k])
	}
	script = sb.String()
	if len(empty) > 0 {
		script = "\\if :first\nSELECT " + strings.Join(empty, ", ") + " \\gset\n\\set first 0\n\\endif\n" + script
		defs = append(defs, "first=1")
	}
	return script, defs, nil
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// runPgbench runs at least n transactions of script (-M prepared, as pgx
// prepares each statement once per connection) with parallelClients
// connections and the session options pgOptions (PGOPTIONS), and returns
// pgbench's tps without its connection time and its CPU time (user +
// system) per transaction.
func runPgbench(ctx context.Context, pgbench, base, pgOptions, script string, defs []string, n int) (float64, time.Duration, error) {
	conninfo, err := libpqURL(base)
	if err != nil {
		return 0, 0, err
	}
	perClient := (n + parallelClients - 1) / parallelClients
	threads := min(runtime.GOMAXPROCS(0), parallelClients)
	args := []string{"-n", "-M", "prepared", "-f", script, "-c", strconv.Itoa(parallelClients), "-j", strconv.Itoa(threads), "-t", strconv.Itoa(perClient)}
	for _, d := range defs {
		args = append(args, "-D", d)
	}
	cmd := exec.CommandContext(ctx, pgbench, append(args, conninfo)...)
	cmd.Env = append(os.Environ(), "PGOPTIONS="+pgOptions)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	m := tpsLine.FindSubmatch(out.Bytes())
	if m == nil {
		return 0, 0, fmt.Errorf("no tps in pgbench's output:\n%s", out.Bytes())
	}
	if bytes.Contains(out.Bytes(), []byte("number of failed transactions: ")) && !bytes.Contains(out.Bytes(), []byte("number of failed transactions: 0 ")) {
		return 0, 0, fmt.Errorf("pgbench transactions failed:\n%s", out.Bytes())
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil || tps <= 0 {
		return 0, 0, fmt.Errorf("tps %q in pgbench's output: %v", m[1], err)
	}
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()) / time.Duration(perClient*parallelClients)
	return tps, cpu, nil
}

// libpqURL drops from a pgx URL the query parameters libpq does not know
// (pgx passes unknown ones to the server as run-time parameters; libpq
// refuses them), keeping the ones both read.
func libpqURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "connect_timeout", "application_name", "target_session_attrs", "user", "password", "host", "port", "dbname":
		default:
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
