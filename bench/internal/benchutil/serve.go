package benchutil

import (
	"net/http"
	"net/http/httptest"
)

// Handlers starts one loopback httptest server per handler (for a child
// process's Servers).
func Handlers(hs map[string]http.Handler) (map[string]string, func()) {
	urls := map[string]string{}
	var srvs []*httptest.Server
	for name, h := range hs {
		s := httptest.NewServer(h)
		srvs = append(srvs, s)
		urls[name] = s.URL
	}
	return urls, func() {
		for _, s := range srvs {
			s.Close()
		}
	}
}
