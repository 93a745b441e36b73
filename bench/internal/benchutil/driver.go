package benchutil

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopayments/payments"
)

// Driver describes one driver's round-trip benchmarks against a server
// (its simulator, or a fixed-body server). T is what the floor client
// decodes the answer into: the few fields a hand-written client reads.
type Driver[T any] struct {
	// Server is the server kind (see Main) the driver talks to.
	Server string
	// New builds the driver over hc against the servers' URLs.
	New func(tb testing.TB, hc *http.Client, urls map[string]string) payments.Gateway
	// Request builds the Authorize request for reference ref.
	Request func(ref string) *payments.AuthorizeRequest
	// Prefix starts every reference; references are Prefix followed by 12
	// digits (Ref). FixedRef, when set, is used for every call instead
	// (fixed-body servers echo one reference).
	Prefix   string
	FixedRef string
	// Want is the status Authorize must reach.
	Want payments.Status
	// AuthorizeCall and StatusCall pick the recorded request the floor
	// replays: the last one with this method whose URL contains the path.
	AuthorizeCall, StatusCall [2]string
	// OK checks the floor's decoded answer.
	OK func(*T) bool
}

func (d *Driver[T]) ref(buf []byte, i int) []byte {
	if d.FixedRef != "" {
		return append(buf[:0], d.FixedRef...)
	}
	return Ref(buf, d.Prefix, i)
}

// Authorize benchmarks the driver's Authorize (ours) and the floor client
// replaying the same request bytes to the same server (floor), as
// sub-benchmarks so that -count interleaves their samples.
func (d *Driver[T]) Authorize(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		d.floorLoop(b, d.floor(b, d.AuthorizeCall), 0)
	})
	b.Run("impl=ours", func(b *testing.B) {
		c := Spawn(b, d.Server)
		c.Reset(b)
		gw := d.New(b, NewClient(), c.URLs)
		req := d.Request("")
		d.loop(b, func(ctx context.Context, ref string) {
			req.Reference = ref
			p, err := gw.Authorize(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			if p.Status != d.Want {
				b.Fatalf("status %s, want %s", p.Status, d.Want)
			}
		})
	})
}

// floorLoop runs the floor client in d.loop, checking every answer and
// spinning for work after it (0: none). A floor built without a reference
// to substitute ignores ref.
func (d *Driver[T]) floorLoop(b *testing.B, floor *Floor, work time.Duration) {
	d.loop(b, func(ctx context.Context, ref string) {
		var v T
		if _, err := floor.Do(ctx, ref, &v); err != nil {
			b.Fatal(err)
		}
		if !d.OK(&v) {
			b.Fatalf("floor: unexpected answer %+v", v)
		}
		Spin(work)
	})
}

func (d *Driver[T]) loop(b *testing.B, call func(ctx context.Context, ref string)) {
	ctx := context.Background()
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	defer CPU(b)()
	for i := 0; b.Loop(); i++ {
		buf = d.ref(buf, i)
		call(ctx, string(buf))
	}
}

// floor records one Authorize of the driver and returns the floor client
// replaying the call picked by which, with the server reset afterwards.
func (d *Driver[T]) floor(b *testing.B, which [2]string) *Floor {
	c := Spawn(b, d.Server)
	c.Reset(b)
	rec := &Recorder{Next: NewTransport()}
	gw := d.New(b, &http.Client{Transport: rec}, c.URLs)
	ref := string(d.ref(nil, 999999999999))
	if _, err := gw.Authorize(context.Background(), d.Request(ref)); err != nil {
		b.Fatalf("recording Authorize: %v", err)
	}
	q, ok := rec.Last(which[0], which[1])
	if !ok {
		b.Fatalf("the driver sent no %s %s; it sent %v", which[0], which[1], rec.Requests())
	}
	sub := ref
	if d.FixedRef != "" || !strings.Contains(string(q.Body), ref) {
		sub = ""
	}
	f, err := NewFloor(NewClient(), q, sub)
	if err != nil {
		b.Fatal(err)
	}
	c.Reset(b)
	return f
}

// Status benchmarks Status of one captured payment: ours and the floor
// replaying the driver's status request.
func (d *Driver[T]) Status(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		d.floorLoop(b, d.statusFloor(b), 0)
	})
	b.Run("impl=ours", func(b *testing.B) {
		c := Spawn(b, d.Server)
		c.Reset(b)
		gw := d.New(b, NewClient(), c.URLs)
		p, err := gw.Authorize(context.Background(), d.Request(string(d.ref(nil, 1))))
		if err != nil {
			b.Fatal(err)
		}
		req := &payments.StatusRequest{ID: p.ID}
		d.loop(b, func(ctx context.Context, _ string) {
			p, err := gw.Status(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			if p.Status != d.Want {
				b.Fatalf("status %s, want %s", p.Status, d.Want)
			}
		})
	})
}

// statusFloor records one Status of the driver (after an Authorize) and
// returns the floor client replaying it.
func (d *Driver[T]) statusFloor(b *testing.B) *Floor {
	c := Spawn(b, d.Server)
	c.Reset(b)
	rec := &Recorder{Next: NewTransport()}
	gw := d.New(b, &http.Client{Transport: rec}, c.URLs)
	p, err := gw.Authorize(context.Background(), d.Request(string(d.ref(nil, 1))))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := gw.Status(context.Background(), &payments.StatusRequest{ID: p.ID}); err != nil {
		b.Fatal(err)
	}
	q, ok := rec.Last(d.StatusCall[0], d.StatusCall[1])
	if !ok {
		b.Fatalf("the driver sent no %v; it sent %v", d.StatusCall, rec.Requests())
	}
	floor, err := NewFloor(NewClient(), q, "")
	if err != nil {
		b.Fatal(err)
	}
	return floor
}

// StatusFloorPlusWork is the Status floor with a fixed amount of busy CPU
// work added after each answer (work=0us is the floor itself). It measures
// how this machine turns client CPU spent between two waits on the socket
// into wall time per call: the slope is what a library's added CPU costs.
func (d *Driver[T]) StatusFloorPlusWork(b *testing.B, works ...time.Duration) {
	for _, w := range works {
		b.Run(fmt.Sprintf("work=%dus", w.Microseconds()), func(b *testing.B) {
			d.floorLoop(b, d.statusFloor(b), w)
		})
	}
}

// Spin keeps the calling goroutine busy (no syscalls, no allocations) for
// about d.
func Spin(d time.Duration) {
	if d <= 0 {
		return
	}
	for start := time.Now(); time.Since(start) < d; {
	}
}

// AuthorizeParallel is throughput with every core busy (b.RunParallel):
// ours and the floor, over one shared client each.
func (d *Driver[T]) AuthorizeParallel(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		floor := d.floor(b, d.AuthorizeCall)
		d.parallel(b, func(ctx context.Context, ref string) error {
			var v T
			_, err := floor.Do(ctx, ref, &v)
			return err
		})
	})
	b.Run("impl=ours", func(b *testing.B) {
		c := Spawn(b, d.Server)
		c.Reset(b)
		gw := d.New(b, NewClient(), c.URLs)
		tmpl := d.Request("")
		d.parallel(b, func(ctx context.Context, ref string) error {
			req := *tmpl
			req.Reference = ref
			_, err := gw.Authorize(ctx, &req)
			return err
		})
	})
}

func (d *Driver[T]) parallel(b *testing.B, call func(ctx context.Context, ref string) error) {
	var seq atomic.Int64
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer CPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		var buf []byte
		for pb.Next() {
			buf = d.ref(buf, int(seq.Add(1)))
			if err := call(ctx, string(buf)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
