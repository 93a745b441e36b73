// Package faultnet injects network and provider faults between a driver and
// the server it talks to: an http.RoundTripper for faults at the HTTP level
// and a TCP proxy for faults on real sockets. It is for tests only.
//
// The faults are chosen so that each one is either provably "never
// processed" (the request did not reach the server) or "maybe processed"
// (the server got the whole request), the two classes a payments client
// must tell apart.
package faultnet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Fault is one injected failure.
type Fault int

// The faults. "Forwarded" faults let the server process the request first.
const (
	// None passes the request through untouched.
	None Fault = iota
	// Refused: the connection is refused (never processed).
	Refused
	// ResetBeforeWrite: the connection is reset before the request is
	// written (never processed).
	ResetBeforeWrite
	// ResetAfterProcess: forwarded; the connection is reset before the
	// response arrives (maybe processed).
	ResetAfterProcess
	// TimeoutAfterProcess: forwarded; the response never arrives in time
	// (maybe processed).
	TimeoutAfterProcess
	// Status500: forwarded; the answer is replaced by a 500.
	Status500
	// Status502: a proxy in front of the provider answers 502 without
	// forwarding (never processed, but the client cannot know).
	Status502
	// Status503: the provider sheds load with 503 without processing (the
	// client cannot know).
	Status503
	// Status504: forwarded; the gateway times out waiting for the answer.
	Status504
	// RateLimited: 429 with Retry-After: 1, not forwarded.
	RateLimited
	// TruncatedBody: forwarded; the body is cut short of its Content-Length.
	TruncatedBody
	// HTMLBody: forwarded; a 200 HTML error page replaces the JSON.
	HTMLBody
	// OversizedBody: forwarded; the body is padded past any sane limit (8 MiB).
	OversizedBody
	// SlowDrip: forwarded; the body trickles in one byte per DripInterval.
	SlowDrip
	// MalformedJSON: forwarded; a 200 with a broken JSON body.
	MalformedJSON
)

var faultNames = map[Fault]string{
	None: "none", Refused: "refused", ResetBeforeWrite: "reset-before-write", ResetAfterProcess: "reset-after-process",
	TimeoutAfterProcess: "timeout-after-process", Status500: "500", Status502: "502", Status503: "503", Status504: "504",
	RateLimited: "429", TruncatedBody: "truncated-body", HTMLBody: "html-body", OversizedBody: "oversized-body",
	SlowDrip: "slow-drip", MalformedJSON: "malformed-json",
}

// All lists every fault but None.
func All() []Fault {
	out := make([]Fault, 0, len(faultNames)-1)
	for f := Refused; f <= MalformedJSON; f++ {
		out = append(out, f)
	}
	return out
}

// String names the fault.
func (f Fault) String() string {
	if n, ok := faultNames[f]; ok {
		return n
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// Forwarded reports whether the server processes the request under this
// fault.
func (f Fault) Forwarded() bool {
	switch f {
	case None, ResetAfterProcess, TimeoutAfterProcess, Status500, Status504, TruncatedBody, HTMLBody, OversizedBody, SlowDrip, MalformedJSON:
		return true
	}
	return false
}

// DripInterval is how slowly SlowDrip delivers each byte.
const DripInterval = 50 * time.Millisecond

// Transport is an http.RoundTripper that injects faults into requests that
// match, then passes everything else to Base. It is safe for concurrent use.
type Transport struct {
	// Base is the real transport (default http.DefaultTransport).
	Base http.RoundTripper

	mu     sync.Mutex
	rules  []*rule
	counts map[Fault]int
}

type rule struct {
	match func(*http.Request) bool
	fault Fault
	times int // remaining; <0 = forever
}

// New returns a Transport over base.
func New(base http.RoundTripper) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{Base: base, counts: map[Fault]int{}}
}

// Inject makes the next times requests matching match (nil: any) fail with
// f; times < 0 means every one.
func (t *Transport) Inject(match func(*http.Request) bool, f Fault, times int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rules = append(t.rules, &rule{match: match, fault: f, times: times})
}

// Clear removes every rule.
func (t *Transport) Clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rules = nil
}

// Injected returns how many times each fault fired.
func (t *Transport) Injected() map[Fault]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[Fault]int, len(t.counts))
	for k, v := range t.counts {
		out[k] = v
	}
	return out
}

// PathIs matches requests whose URL path ends with suffix and, if method is
// not empty, whose method is method.
func PathIs(method, suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return (method == "" || r.Method == method) && strings.HasSuffix(r.URL.Path, suffix)
	}
}

func (t *Transport) pick(r *http.Request) Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, ru := range t.rules {
		if ru.match != nil && !ru.match(r) {
			continue
		}
		if ru.times > 0 {
			ru.times--
			if ru.times == 0 {
				t.rules = append(t.rules[:i:i], t.rules[i+1:]...)
			}
		}
		t.counts[ru.fault]++
		return ru.fault
	}
	return None
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	f := t.pick(r)
	trace := httptrace.ContextClientTrace(r.Context())
	switch f {
	case None:
		return t.Base.RoundTrip(r)
	case Refused:
		drain(r)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	case ResetBeforeWrite:
		drain(r)
		// Behave like http.Transport: a connection was obtained, writing the
		// request failed.
		if trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{})
		}
		err := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.ECONNRESET)}
		if trace != nil && trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{Err: err})
		}
		return nil, err
	case Status502, Status503, RateLimited:
		drain(r)
		code := map[Fault]int{Status502: 502, Status503: 503, RateLimited: 429}[f]
		resp := synthetic(r, code, "text/html", fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", code, http.StatusText(code)))
		if f == RateLimited {
			resp.Header.Set("Retry-After", "1")
		}
		return resp, nil
	}

	// Forwarded faults: the server processes the request.
	resp, err := t.Base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	switch f {
	case ResetAfterProcess:
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	case TimeoutAfterProcess:
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	case Status500, Status504:
		code := map[Fault]int{Status500: 500, Status504: 504}[f]
		return synthetic(r, code, "text/plain", http.StatusText(code)), nil
	case TruncatedBody:
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), errReader{io.ErrUnexpectedEOF}))
		return resp, nil
	case HTMLBody:
		return synthetic(r, 200, "text/html", "<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>"), nil
	case OversizedBody:
		pad := bytes.Repeat([]byte(" "), 8<<20)
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(pad), bytes.NewReader(body)))
		resp.ContentLength = -1
		return resp, nil
	case SlowDrip:
		resp.Body = &drip{ctx: r.Context(), data: body}
		resp.ContentLength = -1
		return resp, nil
	case MalformedJSON:
		return synthetic(r, 200, "application/json", `{"status": 2, "order_id": "`), nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func drain(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
}

func synthetic(r *http.Request, code int, ctype, body string) *http.Response {
	return &http.Response{
		StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {ctype}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// drip yields one byte per DripInterval until the request context ends.
type drip struct {
	ctx  context.Context
	data []byte
}

func (d *drip) Read(p []byte) (int, error) {
	if len(d.data) == 0 {
		return 0, io.EOF
	}
	select {
	case <-d.ctx.Done():
		return 0, d.ctx.Err()
	case <-time.After(DripInterval):
	}
	p[0] = d.data[0]
	d.data = d.data[1:]
	return 1, nil
}

func (d *drip) Close() error { return nil }

// Proxy is a TCP proxy on a loopback port in front of a target address, for
// faults on real sockets. Its mode can change while it runs.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   ProxyMode
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
	closed bool
}

// ProxyMode is what the proxy does with new connections.
type ProxyMode int

// The proxy modes.
const (
	// Pass forwards bytes both ways.
	Pass ProxyMode = iota
	// ResetOnAccept resets each connection as soon as it is accepted, before
	// any byte reaches the target.
	ResetOnAccept
	// ResetAfterRequest forwards the client's request, waits for the
	// target's first response bytes, and resets the client connection
	// instead of relaying them: the target processed the request, the client
	// never hears.
	ResetAfterRequest
	// Blackhole accepts and reads but never answers nor forwards.
	Blackhole
)

// NewProxy starts a proxy on 127.0.0.1 in front of target ("host:port").
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the proxy's "host:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is "http://" + Addr.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// SetMode changes what happens to new connections; connections already open
// (a client's keep-alive pool) keep the mode they started with.
func (p *Proxy) SetMode(m ProxyMode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
}

// Close stops the proxy and every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		if p.closed {
			return false
		}
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c, true) {
			c.Close()
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.track(c, false)
			p.handle(c, mode)
		}()
	}
}

func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

func (p *Proxy) handle(c net.Conn, mode ProxyMode) {
	switch mode {
	case ResetOnAccept:
		reset(c)
		return
	case Blackhole:
		_, _ = io.Copy(io.Discard, c)
		c.Close()
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		reset(c)
		return
	}
	if !p.track(up, true) {
		up.Close()
		c.Close()
		return
	}
	defer p.track(up, false)
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, c)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		close(done)
	}()
	if mode == ResetAfterRequest {
		buf := make([]byte, 1)
		_, _ = up.Read(buf) // the target has processed the request and started answering
		reset(c)
		up.Close()
		<-done
		return
	}
	_, _ = io.Copy(c, up)
	c.Close()
	up.Close()
	<-done
}
