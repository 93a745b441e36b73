package benchutil

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// RunBenchmarksOnce runs every benchmark of the calling test binary for one
// iteration (-test.benchtime=1x) in a child process and fails t if any
// fails: CI does not run benchmarks, but this proves they compile and work.
// It is skipped when the binary is already running benchmarks.
func RunBenchmarksOnce(t *testing.T) {
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		t.Skip("benchmarks are running for real")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$", "-test.bench=.", "-test.benchtime=1x", "-test.benchmem", "-test.count=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchmarks failed: %v\n%s", err, out)
	}
	n := len(regexp.MustCompile(`(?m)^Benchmark\S*\s+1\s`).FindAll(out, -1))
	if n == 0 {
		t.Fatalf("no benchmark ran:\n%s", out)
	}
	t.Logf("%d benchmarks ran once", n)
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}
