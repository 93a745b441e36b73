// Package simserve holds what the provider simulators share in code: it
// starts their HTTP listeners (on a new loopback port by default, or on a
// listener the caller opened, as the paysim command does, with an optional
// middleware around the handler) and implements the lookup and outcome
// mapping behind their Complete methods.
package simserve

import (
	"net"
	"net/http"
	"net/http/httptest"
)

// Start serves h, wrapped by mw when mw is not nil, on l, or on a new
// loopback port when l is nil. The returned server's URL is derived from
// the listener's address; Close closes the listener.
func Start(h http.Handler, l net.Listener, mw func(http.Handler) http.Handler) *httptest.Server {
	if mw != nil {
		h = mw(h)
	}
	if l == nil {
		return httptest.NewServer(h)
	}
	s := httptest.NewUnstartedServer(h)
	_ = s.Listener.Close() // the loopback listener httptest opened; l replaces it
	s.Listener = l
	s.Start()
	return s
}
