// Command ratios turns the outputs of run.sh into the tables of README.md:
// medians of every benchmark, and the ratios the targets are about.
//
//	go run ./internal/ratios results/bench.txt results/bench-process.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// sample is one benchmark line's metrics by unit.
type sample map[string]float64

// results maps "pkg/Name/impl=x" (GOMAXPROCS suffix dropped) to samples.
type results map[string][]sample

var lineRe = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(path string) (results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := results{}
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/gopayments/payments/bench")
			pkg = strings.TrimPrefix(pkg, "/")
			if pkg == "" {
				pkg = "bench"
			}
			continue
		}
		m := lineRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := sample{}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			s[fields[i+1]] = v
		}
		name := pkg + "/" + strings.TrimPrefix(m[1], "Benchmark")
		res[name] = append(res[name], s)
	}
	return res, sc.Err()
}

// median of unit over the samples of name; ok false when absent.
func (r results) median(name, unit string) (float64, bool) {
	var vs []float64
	for _, s := range r[name] {
		if v, ok := s[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}

func (r results) get(name, unit string) float64 {
	v, ok := r.median(name, unit)
	if !ok {
		return -1
	}
	return v
}

func us(ns float64) string {
	if ns < 0 {
		return "–"
	}
	if ns < 1000 {
		return fmt.Sprintf("%.0f ns", ns)
	}
	return fmt.Sprintf("%.1f µs", ns/1000)
}

// added is b−a, the time a wrapper adds.
func added(a, b float64) string {
	if a < 0 || b < 0 {
		return "–"
	}
	return fmt.Sprintf("%+.1f µs", (b-a)/1000)
}

func num(v float64) string {
	if v < 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func ratio(a, b float64) string {
	if a < 0 || b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ratios bench.txt [bench-process.txt]")
		os.Exit(2)
	}
	in, err := parse(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	proc := results{}
	if len(os.Args) > 2 {
		if proc, err = parse(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	drivers := []string{"smartpayments", "smart2pay", "smartpay"}

	fmt.Println("### Ours against the floor (same request bytes, same server)")
	fmt.Println()
	fmt.Println("| driver | call | floor time | ours time | **time ratio** | client CPU floor → ours | **client CPU ratio** | allocs floor → ours | allocs ratio | client-only allocs floor → ours | **client allocs ratio** | B/op floor → ours |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, d := range drivers {
		for _, call := range []string{"Authorize", "Status", "AuthorizeFixed", "AuthorizeParallel"} {
			f, o := d+"/"+call+"/impl=floor", d+"/"+call+"/impl=ours"
			if _, ok := in.median(o, "ns/op"); !ok {
				continue
			}
			ft, ot := in.get(f, "ns/op"), in.get(o, "ns/op")
			fa, oa := in.get(f, "allocs/op"), in.get(o, "allocs/op")
			pf, po := proc.get(f, "allocs/op"), proc.get(o, "allocs/op")
			cf, co := proc.get(f, "cpu-ns/op"), proc.get(o, "cpu-ns/op")
			fmt.Printf("| %s | %s | %s | %s | %s | %s → %s | %s | %s → %s | %s | %s → %s | %s | %s → %s |\n", d, call,
				us(ft), us(ot), ratio(ot, ft), us(cf), us(co), ratio(co, cf), num(fa), num(oa), ratio(oa, fa), num(pf), num(po), ratio(po, pf),
				num(in.get(f, "B/op")), num(in.get(o, "B/op")))
		}
	}
	fmt.Println()

	fmt.Println("### Against stripe-go (fixed-body servers)")
	fmt.Println()
	st, sa := in.get("bench/Stripe/impl=stripe-go", "ns/op"), in.get("bench/Stripe/impl=stripe-go", "allocs/op")
	sft := in.get("bench/Stripe/impl=floor", "ns/op")
	pst := proc.get("bench/Stripe/impl=stripe-go", "allocs/op")
	sc := proc.get("bench/Stripe/impl=stripe-go", "cpu-ns/op")
	fmt.Println("| client | time | vs its floor | **vs stripe-go** | client CPU | **vs stripe-go** | allocs | client-only allocs | **vs stripe-go** |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	fmt.Printf("| stripe-go PaymentIntent create | %s | %s | 1.00× | %s | 1.00× | %s | %s | 1.00× |\n", us(st), ratio(st, sft), us(sc), num(sa), num(pst))
	for _, d := range drivers {
		n := d + "/AuthorizeFixed/impl=ours"
		t, a := in.get(n, "ns/op"), in.get(n, "allocs/op")
		ft := in.get(d+"/AuthorizeFixed/impl=floor", "ns/op")
		pa, pc := proc.get(n, "allocs/op"), proc.get(n, "cpu-ns/op")
		fmt.Printf("| %s Authorize | %s | %s | %s | %s | %s | %s | %s | %s |\n", d, us(t), ratio(t, ft), ratio(t, st), us(pc), ratio(pc, sc), num(a), num(pa), ratio(pa, pst))
	}
	fmt.Println()

	fmt.Println("### Router overhead (drivers/memory behind it)")
	fmt.Println()
	fmt.Println("| call | direct | router, 1 route | added | router, 3 routes | added | allocs direct → 1 route → 3 routes |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, call := range []string{"RouterAuthorize", "RouterStatus"} {
		d, r1, r3 := in.get("bench/"+call+"/impl=direct", "ns/op"), in.get("bench/"+call+"/impl=router1", "ns/op"), in.get("bench/"+call+"/impl=router3", "ns/op")
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s → %s → %s |\n", strings.TrimPrefix(call, "Router"), us(d), us(r1), added(d, r1), us(r3), added(d, r3),
			num(in.get("bench/"+call+"/impl=direct", "allocs/op")), num(in.get("bench/"+call+"/impl=router1", "allocs/op")), num(in.get("bench/"+call+"/impl=router3", "allocs/op")))
	}
	fmt.Println()

	fmt.Println("### What a µs of client CPU costs here (SmartPayments Status floor + busy work)")
	fmt.Println()
	fmt.Println("| CPU work added per call | time | added wall time | ratio to the floor | CPU/op (whole process) |")
	fmt.Println("|---|---|---|---|---|")
	base := in.get("smartpayments/StatusFloorPlusWork/work=0us", "ns/op")
	for _, w := range []string{"0", "5", "10", "20", "40"} {
		n := "smartpayments/StatusFloorPlusWork/work=" + w + "us"
		t := in.get(n, "ns/op")
		if t < 0 {
			continue
		}
		fmt.Printf("| %s µs | %s | %s | %s | %s |\n", w, us(t), added(base, t), ratio(t, base), us(in.get(n, "cpu-ns/op")))
	}
	fmt.Println()

	fmt.Println("### Notifications, parallel throughput, money")
	fmt.Println()
	fmt.Println("| benchmark | time/op | per second | allocs/op | B/op |")
	fmt.Println("|---|---|---|---|---|")
	var rest []string
	for name := range in {
		if strings.Contains(name, "impl=") && !strings.Contains(name, "Parallel") && !strings.Contains(name, "Notify") ||
			strings.Contains(name, "FloorPlusWork") {
			continue
		}
		rest = append(rest, name)
	}
	sort.Strings(rest)
	for _, name := range rest {
		t := in.get(name, "ns/op")
		per := in.get(name, "notifications/s")
		if per < 0 {
			per = in.get(name, "calls/s")
		}
		if per < 0 && t > 0 {
			per = 1e9 / t
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", name, us(t), num(per), num(in.get(name, "allocs/op")), num(in.get(name, "B/op")))
	}
}
