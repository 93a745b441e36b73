// Package benchutil is the plumbing the benchmarks share: the servers a
// benchmark talks to (in-process by default, or in a child process so that
// B/op and allocs/op count the client's allocations only), a recording
// RoundTripper that captures the bytes a driver sends, and the hand-written
// "floor" client that replays them with net/http and encoding/json alone.
package benchutil

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// childEnv names the server kind a child process serves.
const childEnv = "PAYMENTS_BENCH_CHILD"

// ModeEnv selects where servers run: "process" runs each kind in a child
// process (the client's allocations alone are counted, but every round trip
// pays a cross-process wake-up); anything else, the default, runs them in
// the benchmark's own process (the usual Go benchmark setup: B/op and
// allocs/op then include the server's allocations).
const ModeEnv = "PAYMENTS_BENCH_SERVERS"

// InProcess reports whether servers run in the benchmark's process.
func InProcess() bool { return os.Getenv(ModeEnv) != "process" }

// Servers starts the servers of one kind in the child process. It returns
// their base URLs by name, a reset that forgets accumulated state (payments
// a simulator holds), and a close.
type Servers func() (urls map[string]string, reset func(), closeFn func())

// hello is what a child prints on its first stdout line.
type hello struct {
	URLs    map[string]string `json:"urls"`
	Control string            `json:"control"`
	Err     string            `json:"err,omitempty"`
}

var (
	kinds    map[string]Servers
	childMu  sync.Mutex
	children = map[string]*Child{}
)

// Main is a package's TestMain: in a child process it serves the kind named
// by the environment until its standard input closes; otherwise it runs the
// tests and benchmarks, then stops the children it started.
func Main(m *testing.M, servers map[string]Servers) {
	kinds = servers
	if kind := os.Getenv(childEnv); kind != "" {
		os.Exit(serveChild(kind))
	}
	code := m.Run()
	childMu.Lock()
	for _, c := range children {
		c.stop()
	}
	childMu.Unlock()
	os.Exit(code)
}

func serveChild(kind string) int {
	out := json.NewEncoder(os.Stdout)
	start, ok := kinds[kind]
	if !ok {
		_ = out.Encode(hello{Err: "unknown server kind " + kind})
		return 2
	}
	urls, reset, closeFn := start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = out.Encode(hello{Err: err.Error()})
		return 2
	}
	var resetMu sync.Mutex
	ctl := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/reset" && reset != nil {
			resetMu.Lock()
			reset()
			resetMu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = ctl.Serve(ln) }()
	if err := out.Encode(hello{URLs: urls, Control: "http://" + ln.Addr().String()}); err != nil {
		return 2
	}
	// The parent holds our stdin open; EOF means it is gone.
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = ctl.Close()
	if closeFn != nil {
		closeFn()
	}
	return 0
}

// Child is a server kind started by Spawn, in a child process or in this
// one.
type Child struct {
	URLs    map[string]string
	control string
	cmd     *exec.Cmd
	stdin   io.Closer
	// in-process mode
	reset   func()
	closeFn func()
	resetMu sync.Mutex
}

// Spawn returns the child process serving kind, starting it on first use.
// One child per kind serves a whole test binary run.
func Spawn(tb testing.TB, kind string) *Child {
	tb.Helper()
	childMu.Lock()
	defer childMu.Unlock()
	if c, ok := children[kind]; ok {
		return c
	}
	var (
		c   *Child
		err error
	)
	if InProcess() {
		start, ok := kinds[kind]
		if !ok {
			tb.Fatalf("unknown server kind %s", kind)
		}
		c = &Child{}
		c.URLs, c.reset, c.closeFn = start()
	} else {
		c, err = startChild(kind)
	}
	if err != nil {
		tb.Fatalf("starting %s server process: %v", kind, err)
	}
	children[kind] = c
	return c
}

func startChild(kind string) (*Child, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+kind)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		_ = stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("no greeting: %w", err)
	}
	var h hello
	if err := json.Unmarshal(line, &h); err != nil || h.Err != "" {
		_ = stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("bad greeting %q: %v", line, err)
	}
	return &Child{URLs: h.URLs, control: h.Control, cmd: cmd, stdin: stdin}, nil
}

// URL returns the base URL the child published under name.
func (c *Child) URL(tb testing.TB, name string) string {
	tb.Helper()
	u, ok := c.URLs[name]
	if !ok {
		tb.Fatalf("child serves no %q (has %v)", name, c.URLs)
	}
	return u
}

// Reset makes the child forget accumulated state, so that every benchmark
// run starts from an empty simulator.
func (c *Child) Reset(tb testing.TB) {
	tb.Helper()
	if c.cmd == nil {
		if c.reset != nil {
			c.resetMu.Lock()
			c.reset()
			c.resetMu.Unlock()
		}
		return
	}
	resp, err := http.Post(c.control+"/reset", "text/plain", nil)
	if err != nil {
		tb.Fatalf("resetting server: %v", err)
	}
	_ = resp.Body.Close()
}

func (c *Child) stop() {
	if c.cmd == nil {
		if c.closeFn != nil {
			c.closeFn()
		}
		return
	}
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}
