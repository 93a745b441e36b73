package simserve

import (
	"io"
	"net"
	"net/http"
	"testing"
)

func TestStartOnGivenListenerWithMiddleware(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "sim") })
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Wrapped", "yes")
			next.ServeHTTP(w, r)
		})
	}
	s := Start(h, l, mw)
	defer s.Close()
	if want := "http://" + l.Addr().String(); s.URL != want {
		t.Fatalf("URL = %q, want %q", s.URL, want)
	}
	resp, err := s.Client().Get(s.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "sim" || resp.Header.Get("X-Wrapped") != "yes" {
		t.Fatalf("body %q, X-Wrapped %q", b, resp.Header.Get("X-Wrapped"))
	}
}

func TestStartDefaultsToLoopback(t *testing.T) {
	s := Start(http.NotFoundHandler(), nil, nil)
	defer s.Close()
	host, _, err := net.SplitHostPort(s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("listening on %s, want loopback", host)
	}
}
