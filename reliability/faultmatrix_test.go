package reliability_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/internal/faultnet"
	"github.com/gopayments/payments/internal/httpx"
)

var update = flag.Bool("update", false, "rewrite testdata/fault_matrix.md and the copy of it in docs/reliability.md")

const (
	matrixFile   = "testdata/fault_matrix.md"
	docFile      = "../docs/reliability.md" // shows the matrix between docBegin and docEnd
	docBegin     = "<!-- fault-matrix:begin -->"
	docEnd       = "<!-- fault-matrix:end -->"
	matrixWorker = 8 // cells run at once: most of a cell's time is spent waiting
)

// cellTimeout bounds one faulted call. SlowDrip never finishes (a body of
// a few hundred bytes takes seconds at one byte per 50 ms), so its cells
// are cut by a shorter deadline.
func cellTimeout(f faultnet.Fault) time.Duration {
	if f == faultnet.SlowDrip {
		return time.Second
	}
	return 10 * time.Second
}

// cell is one driver × operation × fault × mode of the matrix and what
// happened in it.
type cell struct {
	driver     string
	op         string
	fault      faultnet.Fault
	persistent bool // the fault hits every attempt; otherwise the first only

	err      error
	execs    int      // operations of the op's kinds the simulator executed
	others   []string // operations of other kinds (must be none)
	attempts int      // HTTP attempts of the op the driver sent
	problems []string // broken expectations
}

func (c *cell) name() string {
	mode := "first"
	if c.persistent {
		mode = "every"
	}
	return fmt.Sprintf("%s/%s/%s/%s", c.driver, c.op, c.fault, mode)
}

func (c *cell) class() string {
	if c.err == nil {
		return "ok"
	}
	switch payments.CodeOf(c.err) {
	case payments.OutcomeUnknown:
		return "unknown"
	case "":
		return "untyped"
	default:
		return string(payments.CodeOf(c.err))
	}
}

func (c *cell) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// deduped reports whether the provider deduplicates op, so the driver
// retries it: SmartPay's modifications (modificationId).
func deduped(driver, op string) bool {
	return driver == smartpay.Name && op != opAuthorize
}

// neverSent reports the faults that prove the request never reached the
// provider.
func neverSent(f faultnet.Fault) bool {
	return f == faultnet.Refused || f == faultnet.ResetBeforeWrite
}

// statusBefore and statusAfter are the canonical statuses a payment has
// before op and after op executed.
func statusBefore(op string) payments.Status {
	switch op {
	case opAuthorize:
		return payments.StatusUnknown // no payment
	case opRefund:
		return payments.StatusCaptured
	}
	return payments.StatusAuthorized
}

func statusAfter(driver, op string) payments.Status {
	switch op {
	case opAuthorize:
		if driver == smartpay.Name {
			return payments.StatusAuthorized
		}
		return payments.StatusCaptured
	case opCapture:
		return payments.StatusCaptured
	case opCancel, opCancelOrRefund:
		return payments.StatusCanceled
	case opRefund:
		if driver == smartpay.Name {
			// SmartPay's status answer shows no refunded total.
			return payments.StatusCaptured
		}
		return payments.StatusPartiallyRefunded
	}
	panic(op)
}

// runCell runs one cell on a fresh simulator and checks it.
func runCell(t testing.TB, c *cell) {
	var ft *faultnet.Transport
	var rec *recorder
	r := newRig(t, c.driver, options{wrap: func(base http.RoundTripper) http.RoundTripper {
		ft = faultnet.New(base)
		rec = newRecorder(ft)
		return rec
	}})
	ref := strings.NewReplacer("/", "-", "+", "").Replace("m-" + c.op + "-" + c.fault.String())
	bg := context.Background()
	id, err := setup(bg, r, c.op, ref)
	if err != nil {
		c.fail("%v", err)
		return
	}
	mark := len(r.Ops())
	match := r.FaultPath(c.op)
	before := len(rec.matching(match))
	if c.fault != faultnet.None {
		times := 1
		if c.persistent {
			times = -1
		}
		ft.Inject(match, c.fault, times)
	}
	ctx, cancel := context.WithTimeout(bg, cellTimeout(c.fault))
	start := time.Now()
	c.err = invoke(ctx, r, c.op, ref, id)
	elapsed := time.Since(start)
	cancel()
	ft.Clear()
	c.attempts = len(rec.matching(match)) - before
	kinds := opKinds(c.driver, c.op)
	for _, k := range r.Ops()[mark:] {
		if slices.Contains(kinds, k) {
			c.execs++
		} else {
			c.others = append(c.others, k)
		}
	}

	// At most once, nothing else.
	if c.execs > 1 {
		c.fail("executed %d times", c.execs)
	}
	if len(c.others) > 0 {
		c.fail("the simulator executed other operations too: %v", c.others)
	}
	if elapsed > cellTimeout(c.fault)+2*time.Second {
		c.fail("the call took %s, past its deadline", elapsed)
	}

	// The error class.
	retryable := neverSent(c.fault) || deduped(c.driver, c.op)
	switch {
	case c.err == nil:
		if c.execs != 1 {
			c.fail("succeeded, but the simulator executed it %d times", c.execs)
		}
		if c.fault != faultnet.None && (c.persistent || !retryable) {
			c.fail("succeeded under %s: a fault that may have been processed was retried blindly or ignored", c.fault)
		}
	case neverSent(c.fault):
		if !errors.Is(c.err, payments.ErrUnavailable) || !payments.Retryable(c.err) {
			c.fail("never sent: want ErrUnavailable and Retryable, got %v", c.err)
		}
		if c.execs != 0 {
			c.fail("never sent, yet executed %d times", c.execs)
		}
	case c.fault == faultnet.RateLimited:
		if !errors.Is(c.err, payments.ErrRateLimited) || !payments.Retryable(c.err) {
			c.fail("429: want ErrRateLimited and Retryable, got %v", c.err)
		}
		if c.execs != 0 {
			c.fail("429 is not forwarded, yet executed %d times", c.execs)
		}
	case c.fault == faultnet.None:
		c.fail("no fault, yet %v", c.err)
	default:
		// Maybe processed, as far as the driver can tell.
		if !errors.Is(c.err, payments.ErrOutcomeUnknown) || payments.Retryable(c.err) || payments.CanCascade(c.err) {
			c.fail("maybe processed: want ErrOutcomeUnknown (not retryable, not cascadable), got %v", c.err)
		}
		want := 0
		if c.fault.Forwarded() {
			want = 1
		}
		if c.execs != want {
			c.fail("executed %d times, want %d", c.execs, want)
		}
	}

	// Attempts: a call the provider does not dedupe is sent once unless it
	// provably never left; at most 1+N attempts in any case.
	maxAttempts := 1 + httpx.DefaultRetry.MaxRetries
	if c.attempts < 1 || c.attempts > maxAttempts {
		c.fail("%d attempts, want 1 to %d", c.attempts, maxAttempts)
	}
	if !retryable && c.attempts != 1 {
		c.fail("%d attempts of a call the provider does not dedupe", c.attempts)
	}

	// Reconcile: Status, without faults, reports the simulator's truth.
	tr, exists := r.Truth(ref)
	if c.op == opAuthorize && c.execs == 0 {
		if exists {
			c.fail("not executed, yet the simulator has the payment: %v", tr)
		}
		if r.Gateway().Capabilities().LookupByReference {
			_, err := r.Gateway().Status(bg, &payments.StatusRequest{Reference: ref})
			if !errors.Is(err, payments.ErrNotFound) {
				c.fail("Status by reference of a payment never made: want ErrNotFound, got %v", err)
			}
		}
		return
	}
	if !exists {
		c.fail("the simulator has no payment %s", ref)
		return
	}
	if id == "" {
		id, _ = r.ID(ref)
	}
	p, err := r.Gateway().Status(bg, &payments.StatusRequest{ID: id})
	if err != nil {
		c.fail("Status after the fault: %v", err)
		return
	}
	if c.driver == "smartpayments" && c.op != opAuthorize && c.class() == "unknown" {
		// SmartPayments' /check has no field that says what a capture,
		// cancel or refund did: once its outcome is unknown the driver
		// reports StatusUnknown, never a guess.
		if p.Status != payments.StatusUnknown {
			c.fail("Status is %s after an unknown outcome, want unknown", p.Status)
		}
		return
	}
	if got := r.Observed(p); got != tr {
		c.fail("Status reports %v, the simulator holds %v", got, tr)
	}
	want := statusBefore(c.op)
	if c.execs == 1 {
		want = statusAfter(c.driver, c.op)
	}
	if p.Status != want {
		c.fail("Status is %s after %d executions, want %s", p.Status, c.execs, want)
	}
}

// matrixFaults are the rows: the control row, then every fault.
func matrixFaults() []faultnet.Fault {
	return append([]faultnet.Fault{faultnet.None}, faultnet.All()...)
}

type column struct{ driver, op string }

func matrixColumns(t *testing.T) []column {
	var cols []column
	for _, d := range driverNames {
		r := newRig(t, d, options{})
		for _, op := range r.MatrixOps() {
			cols = append(cols, column{d, op})
		}
	}
	return cols
}

// TestFaultMatrix runs every cell and checks the rendered matrix against
// testdata/fault_matrix.md and docs/reliability.md (rewritten with -update).
func TestFaultMatrix(t *testing.T) {
	cols := matrixColumns(t)
	var cells []*cell
	for _, persistent := range []bool{true, false} {
		for _, f := range matrixFaults() {
			if f == faultnet.None && !persistent {
				continue
			}
			for _, col := range cols {
				cells = append(cells, &cell{driver: col.driver, op: col.op, fault: f, persistent: persistent})
			}
		}
	}
	work := make(chan *cell)
	var wg sync.WaitGroup
	for range matrixWorker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				runCellIsolated(t, c)
			}
		}()
	}
	for _, c := range cells {
		work <- c
	}
	close(work)
	wg.Wait()

	for _, c := range cells {
		if len(c.problems) > 0 {
			t.Errorf("%s: class %s, %d executions, %d attempts: %s", c.name(), c.class(), c.execs, c.attempts, strings.Join(c.problems, "; "))
		}
	}
	md := renderMatrix(cols, cells)
	t.Logf("fault matrix:\n%s", md)
	checkGolden(t, md)
}

// runCellIsolated runs a cell with its own cleanups, from a worker
// goroutine: failures are collected in the cell, never reported from here.
func runCellIsolated(t *testing.T, c *cell) {
	ct := &cellT{TB: t}
	defer ct.runCleanups()
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(cellFatal); !ok {
				c.fail("panic: %v", p)
			}
		}
		for _, e := range ct.errs {
			c.fail("%s", e)
		}
	}()
	runCell(ct, c)
}

// cellT is the testing.TB of a cell running on a worker goroutine: its
// Fatal stops the cell (not the test), its errors go to the cell, its
// cleanups run when the cell ends.
type cellT struct {
	testing.TB
	cleanups []func()
	errs     []string
}

type cellFatal struct{}

func (c *cellT) Helper()                        {}
func (c *cellT) Cleanup(f func())               { c.cleanups = append(c.cleanups, f) }
func (c *cellT) Error(args ...any)              { c.errs = append(c.errs, fmt.Sprint(args...)) }
func (c *cellT) Errorf(format string, a ...any) { c.errs = append(c.errs, fmt.Sprintf(format, a...)) }
func (c *cellT) Fatal(args ...any)              { c.Error(args...); panic(cellFatal{}) }
func (c *cellT) Fatalf(format string, a ...any) { c.Errorf(format, a...); panic(cellFatal{}) }
func (c *cellT) FailNow()                       { panic(cellFatal{}) }
func (c *cellT) runCleanups() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}

// renderMatrix renders the two tables.
func renderMatrix(cols []column, cells []*cell) string {
	byKey := map[string]*cell{}
	for _, c := range cells {
		byKey[c.name()] = c
	}
	var b strings.Builder
	b.WriteString("Each cell: the error class the driver returned (`ok`: no error; `unknown`: ErrOutcomeUnknown;\n")
	b.WriteString("`unavailable`: ErrUnavailable; `rate_limited`: ErrRateLimited), then *executions* at the simulator /\n")
	b.WriteString("HTTP *attempts* the driver sent. Every cell also checked that a following `Status` reports the\n")
	b.WriteString("simulator's own state. Generated by `go test ./reliability -run TestFaultMatrix -update`.\n")
	for _, persistent := range []bool{true, false} {
		if persistent {
			b.WriteString("\n**Fault on every attempt**\n\n")
		} else {
			b.WriteString("\n**Fault on the first attempt only** (a retry, where the driver makes one, gets through)\n\n")
		}
		b.WriteString("| fault |")
		for _, col := range cols {
			fmt.Fprintf(&b, " %s %s |", col.driver, col.op)
		}
		b.WriteString("\n|---|")
		for range cols {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		for _, f := range matrixFaults() {
			if f == faultnet.None && !persistent {
				continue
			}
			fmt.Fprintf(&b, "| %s |", f)
			for _, col := range cols {
				c := byKey[(&cell{driver: col.driver, op: col.op, fault: f, persistent: persistent}).name()]
				fmt.Fprintf(&b, " %s %d/%d |", c.class(), c.execs, c.attempts)
			}
			b.WriteString("\n")
		}
	}
	counts := map[string]int{}
	maxExec, broken := 0, 0
	for _, c := range cells {
		counts[c.class()]++
		maxExec = max(maxExec, c.execs)
		if len(c.problems) > 0 {
			broken++
		}
	}
	var classes []string
	for k := range counts {
		classes = append(classes, k)
	}
	slices.Sort(classes)
	fmt.Fprintf(&b, "\n%d cells:", len(cells))
	for i, k := range classes {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %d %s", counts[k], k)
	}
	fmt.Fprintf(&b, ". Most executions of one operation in one cell: %d. Cells breaking an expectation: %d.\n", maxExec, broken)
	return b.String()
}

// checkGolden compares the matrix with the file and the copy in
// docs/reliability.md, or rewrites both with -update.
func checkGolden(t *testing.T, md string) {
	t.Helper()
	block := docBegin + "\n" + md + docEnd
	doc, rerr := os.ReadFile(docFile)
	if *update {
		if err := os.MkdirAll(filepath.Dir(matrixFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(matrixFile, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
		if rerr == nil {
			s := string(doc)
			i, j := strings.Index(s, docBegin), strings.Index(s, docEnd)
			if i >= 0 && j > i {
				s = s[:i] + block + s[j+len(docEnd):]
				if err := os.WriteFile(docFile, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				t.Logf("%s has no %s … %s markers: paste %s yourself", docFile, docBegin, docEnd, matrixFile)
			}
		}
		return
	}
	want, err := os.ReadFile(matrixFile)
	if err != nil {
		t.Fatalf("%v: generate it with go test ./reliability -run TestFaultMatrix -update", err)
	}
	if string(want) != md {
		t.Errorf("%s is out of date (the behaviour under faults changed): regenerate it with go test ./reliability -run TestFaultMatrix -update and review the diff", matrixFile)
	}
	if rerr != nil {
		t.Errorf("%v: the fault matrix is shown there", rerr)
	} else if !strings.Contains(string(doc), block) {
		t.Errorf("%s does not show the current fault matrix between %s and %s: run go test ./reliability -run TestFaultMatrix -update", docFile, docBegin, docEnd)
	}
}
