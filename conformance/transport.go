package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RewriteHosts returns a RoundTripper that sends each request whose host is
// a key of hosts to the base URL it maps to (a simulator's loopback
// listener, "http://127.0.0.1:41234"), keeping the path and query, and
// fails any other request. Keys are host names with an optional port, as in
// URL.Host ("api.smartpay.example"); values are absolute base URLs, whose
// own path, if any, is prefixed to the request's.
//
// Harnesses use it as their Simulator transport, so the driver keeps its
// documented default URLs, cassettes record those hosts, and replay never
// depends on a random port. The request's Host header stays the
// documented host.
func RewriteHosts(hosts map[string]string) http.RoundTripper {
	m := make(map[string]*url.URL, len(hosts))
	for h, base := range hosts {
		u, err := url.Parse(base)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return errTransport{fmt.Errorf("conformance: RewriteHosts: %q is not an absolute base URL", base)}
		}
		m[strings.ToLower(h)] = u
	}
	return &rewriter{hosts: m, next: http.DefaultTransport}
}

type rewriter struct {
	hosts map[string]*url.URL
	next  http.RoundTripper
}

func (rw *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	base, ok := rw.hosts[strings.ToLower(r.URL.Host)]
	if !ok {
		base, ok = rw.hosts[strings.ToLower(r.URL.Hostname())]
	}
	if !ok {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("conformance: RewriteHosts: no simulator for host %q (request %s %s)", r.URL.Host, r.Method, r.URL.Path)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme = base.Scheme
	u.Host = base.Host
	if p := strings.TrimSuffix(base.Path, "/"); p != "" {
		u.Path = p + u.Path
		if u.RawPath != "" {
			u.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + u.RawPath
		}
	}
	r2.URL = &u
	if r2.Host == "" {
		r2.Host = r.URL.Host
	}
	return rw.next.RoundTrip(r2)
}

// errTransport fails every request with err.
type errTransport struct{ err error }

func (e errTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, e.err
}
