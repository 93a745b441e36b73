package conformance

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// countingTransport counts the requests a driver sends and fails them all:
// the InvalidInput scenario requires that none is sent.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errNoRequestAllowed
}

type constError string

func (e constError) Error() string { return string(e) }

const errNoRequestAllowed = constError("conformance: this scenario sends no request")

// forbiddenTransport fails the test on any request: the transport a NoHTTP
// driver gets.
type forbiddenTransport struct{ t *testing.T }

func (f forbiddenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("conformance: Harness.NoHTTP is set but the driver sent %s %s", r.Method, r.URL.Redacted())
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errNoRequestAllowed
}

// faultKind is an injected failure.
type faultKind int

const (
	fault500     faultKind = iota // 500 with a JSON error body
	fault502                      // 502 with an HTML page, as a proxy answers
	faultGarbage                  // 200 whose JSON body is cut short
)

func (k faultKind) String() string {
	switch k {
	case fault500:
		return "HTTP 500"
	case fault502:
		return "HTTP 502"
	default:
		return "unparsable HTTP 200"
	}
}

// faultTransport answers the next money-moving requests (any method but
// GET and HEAD, less those Harness.SafeRequest lets through) itself with an injected failure, without sending them on,
// while armed; everything else goes to next.
type faultTransport struct {
	next http.RoundTripper
	safe func(*http.Request) bool // Harness.SafeRequest, may be nil

	mu        sync.Mutex
	kind      faultKind
	remaining int // requests still to fail; -1: all of them
	injected  int
}

// arm makes the next n money-moving requests fail with kind (n < 0: every
// one until disarm).
func (f *faultTransport) arm(kind faultKind, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kind, f.remaining, f.injected = kind, n, 0
}

// disarm stops injecting and returns how many requests were failed.
func (f *faultTransport) disarm() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.injected
	f.remaining, f.injected = 0, 0
	return n
}

func (f *faultTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	moneyMoving := r.Method != http.MethodGet && r.Method != http.MethodHead && (f.safe == nil || !f.safe(r))
	f.mu.Lock()
	inject := f.remaining != 0 && moneyMoving
	kind := f.kind
	if inject {
		f.injected++
		if f.remaining > 0 {
			f.remaining--
		}
	}
	f.mu.Unlock()
	if !inject {
		return f.next.RoundTrip(r)
	}
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	code, ctype, body := 500, "application/json", `{"error":"internal server error (injected by conformance)"}`
	switch kind {
	case fault502:
		code, ctype, body = 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"
	case faultGarbage:
		code, ctype, body = 200, "application/json", `{"id":"conf-garbage","status":`
	}
	return &http.Response{
		Status:        strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {ctype}},
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
