package reliability_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// recorded is one HTTP attempt a driver sent.
type recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
}

// recorder is a RoundTripper that records every attempt (its body
// included) before passing it on, and can answer some itself. It counts
// round trips at the driver's side of the wire: an attempt refused by a
// fault below it is still counted.
type recorder struct {
	next http.RoundTripper

	mu   sync.Mutex
	reqs []recorded
}

func newRecorder(next http.RoundTripper) *recorder { return &recorder{next: next} }

func (c *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, At: time.Now()})
	c.mu.Unlock()
	r2 := r.Clone(r.Context())
	if body != nil {
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r2.ContentLength = int64(len(body))
	}
	if c.next == nil {
		return nil, errNoNetwork
	}
	return c.next.RoundTrip(r2)
}

// all returns the attempts so far.
func (c *recorder) all() []recorded {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]recorded(nil), c.reqs...)
}

// matching returns the attempts for which match is true.
func (c *recorder) matching(match func(*http.Request) bool) []recorded {
	var out []recorded
	for _, r := range c.all() {
		req := &http.Request{Method: r.Method, URL: mustURL(r.Path, r.Query)}
		if match(req) {
			out = append(out, r)
		}
	}
	return out
}

// count is the number of attempts so far.
func (c *recorder) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.reqs)
}

type constErr string

func (e constErr) Error() string { return string(e) }

// errNoNetwork is what a recorder without next answers: the input tests
// require that no request is sent at all.
const errNoNetwork = constErr("reliability: this test sends no request")

func mustURL(path, query string) *url.URL { return &url.URL{Path: path, RawQuery: query} }

// scripted answers the requests match selects itself, left times (< 0:
// every time), without forwarding them; the rest go to next.
type scripted struct {
	next   http.RoundTripper
	match  func(*http.Request) bool
	status int
	header http.Header
	body   string

	mu   sync.Mutex
	left int
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	hit := s.left != 0 && s.match(r)
	if hit && s.left > 0 {
		s.left--
	}
	s.mu.Unlock()
	if !hit {
		return s.next.RoundTrip(r)
	}
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := s.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		StatusCode: s.status, Status: http.StatusText(s.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader([]byte(s.body))), ContentLength: int64(len(s.body)), Request: r,
	}, nil
}
