// Package inboundtest holds the test doubles the notification tests of the
// root package and the drivers share: a request body that counts what is
// read of it, and a transport that counts (and can hold) the confirming
// queries a driver sends.
package inboundtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// CountingBody is a request body of Left bytes (spaces) that counts what
// was read of it in BytesRead.
type CountingBody struct {
	Left, BytesRead int64
}

// NewCountingBody returns a body of n bytes.
func NewCountingBody(n int64) *CountingBody { return &CountingBody{Left: n} }

// Read implements io.Reader.
func (c *CountingBody) Read(p []byte) (int, error) {
	if c.Left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.Left)
	for i := range p[:n] {
		p[i] = ' '
	}
	c.Left -= n
	c.BytesRead += n
	return int(n), nil
}

// QueryGate is an http.RoundTripper over Base that counts the requests
// Match selects and, while held, keeps them waiting until Release.
type QueryGate struct {
	Base  http.RoundTripper
	Match func(*http.Request) bool

	mu      sync.Mutex
	queries int
	hold    chan struct{}
	entered chan struct{}
}

// NewQueryGate returns a gate over base for the requests match selects.
func NewQueryGate(base http.RoundTripper, match func(*http.Request) bool) *QueryGate {
	return &QueryGate{Base: base, Match: match, entered: make(chan struct{}, 1024)}
}

// RoundTrip implements http.RoundTripper.
func (g *QueryGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.Match(r) {
		g.mu.Lock()
		g.queries++
		hold := g.hold
		g.mu.Unlock()
		if hold != nil {
			g.entered <- struct{}{}
			<-hold
		}
	}
	return g.Base.RoundTrip(r)
}

// Hold makes the selected requests wait from now on until Release.
func (g *QueryGate) Hold() {
	g.mu.Lock()
	g.hold = make(chan struct{})
	g.mu.Unlock()
}

// Entered waits until a held request has arrived.
func (g *QueryGate) Entered() { <-g.entered }

// Release lets the held requests go, and those after them.
func (g *QueryGate) Release() {
	g.mu.Lock()
	close(g.hold)
	g.hold = nil
	g.mu.Unlock()
}

// Count is how many selected requests were sent.
func (g *QueryGate) Count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.queries
}

// Burst serves n requests from newRequest to h at once while the gate holds
// the first one's query, waits (up to 10 s) until the other n-1 joined that
// query (joined reports how many did), releases it, and returns each
// answer's status and how many selected requests the burst sent.
func Burst(t testing.TB, h http.Handler, gate *QueryGate, n int, newRequest func() *http.Request, joined func() int) (codes []int, queries int) {
	t.Helper()
	before := gate.Count()
	gate.Hold()
	codes = make([]int, n)
	var wg sync.WaitGroup
	serve := func(i int) {
		defer wg.Done()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newRequest())
		codes[i] = rec.Code
	}
	wg.Add(1)
	go serve(0)
	gate.Entered() // the first query is in flight
	for i := 1; i < n; i++ {
		wg.Add(1)
		go serve(i)
	}
	deadline := time.Now().Add(10 * time.Second)
	for joined() < n-1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if j := joined(); j < n-1 {
		t.Errorf("only %d of %d requests joined the query in flight", j, n-1)
	}
	gate.Release()
	wg.Wait()
	return codes, gate.Count() - before
}
