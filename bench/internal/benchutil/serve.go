package benchutil

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
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

// Fixed returns the Servers of a fixed-body server: one loopback server
// answering status and body to every request, named under every name in
// names (drivers with several hosts point them all at it).
func Fixed(status int, body []byte, names ...string) Servers {
	return func() (map[string]string, func(), func()) {
		urls, closeFn := Handlers(map[string]http.Handler{names[0]: FixedServer(status, body)})
		for _, n := range names[1:] {
			urls[n] = urls[names[0]]
		}
		return urls, nil, closeFn
	}
}

// FixedFile is Fixed with the body read from a file (a provider document's
// example kept in a simulator's testdata). It panics if the file cannot be
// read: it runs in TestMain, before any benchmark.
func FixedFile(status int, path string, names ...string) Servers {
	body, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return Fixed(status, body, names...)
}

// Notify runs a notification benchmark: handle gets the same request (header,
// a fresh reader over body) b.N times and fails the benchmark on an error.
// It reports notifications/s and the CPU time per notification.
func Notify(b *testing.B, header http.Header, body []byte, handle func(*http.Request) error) {
	rd := bytes.NewReader(body)
	req := &http.Request{Method: http.MethodPost, Header: header, URL: &url.URL{Path: "/notify"}}
	b.ReportAllocs()
	b.ResetTimer()
	defer CPU(b)()
	for b.Loop() {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		if err := handle(req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
}
