package benchutil

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// NewTransport is the transport both sides of a comparison use: the
// standard library's defaults with a keep-alive pool wide enough for
// parallel runs (the same settings as the drivers' default client).
func NewTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 32
	return tr
}

// NewClient is an *http.Client over NewTransport.
func NewClient() *http.Client {
	return &http.Client{Transport: NewTransport(), Timeout: 30 * time.Second}
}

// Recorded is one request as it went on the wire.
type Recorded struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Recorder is an http.RoundTripper that remembers every request it passes
// on to Next (http.DefaultTransport when nil).
type Recorder struct {
	Next http.RoundTripper
	mu   sync.Mutex
	reqs []Recorded
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := Recorded{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone()}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		rec.Body = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.ContentLength = int64(len(b))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}

// String shows the request (tests' failure messages).
func (r *Recorded) String() string {
	return fmt.Sprintf("%s %s %v %s", r.Method, r.URL, r.Header, r.Body)
}

// Requests returns the recorded requests.
func (r *Recorder) Requests() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.reqs...)
}

// Last returns the last recorded request whose method is method and whose
// URL contains substr; ok is false when there is none.
func (r *Recorder) Last(method, substr string) (Recorded, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		q := r.reqs[i]
		if q.Method == method && bytes.Contains([]byte(q.URL), []byte(substr)) {
			return q, true
		}
	}
	return Recorded{}, false
}

// Floor is the hand-written minimal client: net/http and encoding/json, no
// validation, no retries, no logging, no error taxonomy. It replays a
// recorded request, substituting a fresh reference where the recorded one
// appeared, and decodes the answer into a small struct.
type Floor struct {
	Client *http.Client
	Method string
	URL    string
	Header http.Header // shared read-only by every call
	// prefix and suffix surround the reference in the recorded body (the
	// whole body is prefix when there is no reference).
	prefix, suffix []byte
	hasRef         bool // the body has a reference to substitute
	bufs           sync.Pool
}

// NewFloor builds the floor for rec. ref, when not empty, is the reference
// the recorded body carries; Do substitutes its own for it (it must occur
// exactly once). Hop-by-hop and length headers are dropped: net/http sets
// them itself, as it did for the driver.
func NewFloor(client *http.Client, rec Recorded, ref string) (*Floor, error) {
	h := rec.Header.Clone()
	for _, k := range []string{"Content-Length", "Connection", "Accept-Encoding"} {
		h.Del(k)
	}
	f := &Floor{Client: client, Method: rec.Method, URL: rec.URL, Header: h, prefix: rec.Body}
	if ref != "" {
		if n := bytes.Count(rec.Body, []byte(ref)); n != 1 {
			return nil, fmt.Errorf("reference %q occurs %d times in the recorded body %s", ref, n, rec.Body)
		}
		i := bytes.Index(rec.Body, []byte(ref))
		f.prefix, f.suffix, f.hasRef = rec.Body[:i], rec.Body[i+len(ref):], true
	}
	f.bufs.New = func() any { b := make([]byte, 0, len(rec.Body)+64); return &b }
	return f, nil
}

// Do sends the request (with ref in place of the recorded reference, if
// the body has one; ref is ignored otherwise) and decodes a 2xx JSON answer into v. It returns the status code.
func (f *Floor) Do(ctx context.Context, ref string, v any) (int, error) {
	var body io.Reader
	var bp *[]byte
	if f.prefix != nil {
		bp = f.bufs.Get().(*[]byte)
		b := append((*bp)[:0], f.prefix...)
		if f.hasRef {
			b = append(b, ref...)
			b = append(b, f.suffix...)
		}
		*bp = b
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, f.Method, f.URL, body)
	if err != nil {
		return 0, err
	}
	req.Header = f.Header
	resp, err := f.Client.Do(req)
	if bp != nil {
		f.bufs.Put(bp)
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, fmt.Errorf("floor: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return resp.StatusCode, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// Ref is a fixed-width benchmark reference, so that every request has the
// same length as the recorded one: prefix followed by n in 12 digits.
func Ref(buf []byte, prefix string, n int) []byte {
	buf = append(buf[:0], prefix...)
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	for i := len(d); i < 12; i++ {
		buf = append(buf, '0')
	}
	return append(buf, d...)
}

// FixedServer answers every request with status and body as JSON, after
// draining the request body (so the connection is kept alive).
func FixedServer(status int, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}
