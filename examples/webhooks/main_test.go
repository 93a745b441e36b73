package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSimulateOnce runs `webhooks -simulate -once` on a free port: each
// simulator sends real HTTP notifications to the server, and run returns
// only once every simulated payment was notified and verified.
func TestSimulateOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, []string{"-simulate", "-once", "-addr", "127.0.0.1:0"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	t.Logf("\n%s", got)
	for _, want := range []string{
		"every simulated payment was notified and verified",
		"smartpayments:wh-smartpayments",
		"verified by query",
		"smart2pay:card:210001",
		"verified by credentials",
		"verified by credentials+query",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got, "level=WARN") {
		t.Errorf("a notification was rejected:\n%s", got)
	}
}

func TestOnceNeedsSimulate(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-once"}, &out); err == nil {
		t.Fatal("-once without -simulate: no error")
	}
}

// TestServerTimeouts: the example server bounds every phase of a connection
// (a server with only ReadHeaderTimeout keeps slow clients forever).
func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is not set", name)
		}
	}
}
