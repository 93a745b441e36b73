package faultnet

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// RedirectTarget says where a Redirector sends its clients.
type RedirectTarget int

// The redirect targets.
const (
	// OtherHost redirects to another host name ("localhost" instead of
	// "127.0.0.1"): net/http drops Authorization there but sends a 307's
	// body again.
	OtherHost RedirectTarget = iota
	// SameHostOtherPort redirects to the same host name on another port:
	// net/http sends Authorization and a 307's body again.
	SameHostOtherPort
)

// String names the target in subtest names.
func (t RedirectTarget) String() string {
	if t == OtherHost {
		return "other-host"
	}
	return "same-host-other-port"
}

// Seen is a request that reached a Redirector's target.
type Seen struct {
	Method, Path  string
	Authorization string
	Body          string
}

// Redirector is a loopback provider that answers every request with a
// redirect (same path and query) to a second loopback server, the target,
// which records whatever reaches it. A client that follows the redirect
// shows in Leaked.
type Redirector struct {
	origin, target *httptest.Server
	mu             sync.Mutex
	hits           int
	leaked         []Seen
}

// NewRedirector starts a Redirector answering with code (301, 302, 303,
// 307 or 308) towards the given target. Close it when done.
func NewRedirector(code int, to RedirectTarget) *Redirector {
	r := &Redirector{}
	r.target = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.leaked = append(r.leaked, Seen{Method: req.Method, Path: req.URL.Path, Authorization: req.Header.Get("Authorization"), Body: string(body)})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	base := r.target.URL
	if to == OtherHost {
		_, port, _ := net.SplitHostPort(r.target.Listener.Addr().String())
		base = "http://localhost:" + port
	}
	r.origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.hits++
		r.mu.Unlock()
		w.Header().Set("Location", base+req.URL.RequestURI())
		w.WriteHeader(code)
	}))
	return r
}

// URL is the base URL of the redirecting server.
func (r *Redirector) URL() string { return r.origin.URL }

// Hits is how many requests the redirecting server answered.
func (r *Redirector) Hits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

// Leaked returns the requests that reached the target: a client that
// followed the redirect.
func (r *Redirector) Leaked() []Seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Seen(nil), r.leaked...)
}

// Close stops both servers.
func (r *Redirector) Close() {
	r.origin.Close()
	r.target.Close()
}
