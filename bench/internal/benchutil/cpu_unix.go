//go:build unix

package benchutil

import (
	"syscall"
	"testing"
	"time"
)

// CPU starts measuring the CPU time this process spends (every goroutine,
// the garbage collector included) and returns the function that reports
// it per operation as "cpu-ns/op". With servers in a child process
// (ModeEnv=process) that is the client's CPU alone: the library's cost
// without the wait for the server, and much less sensitive to other load
// on the machine than wall time.
func CPU(b *testing.B) (stop func()) {
	start := cpuNow()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuNow()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
