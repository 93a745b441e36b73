// Command routesim runs the routing simulation of bench/README.md
// ("Routing that learns"): the same seeded payments through a Router over
// scripted in-process acquirers (internal/routesim) ordered by (a) static
// priority, (b) the learning strategy (routing.AuthRate, defaults except the
// segment key) and (c) an oracle that knows the true rates, and prints the
// results as a Markdown table.
//
//	go run ./cmd/routesim -payments 100000 -seed 1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/routesim"
	"github.com/gopayments/payments/routing"
)

func main() {
	n := flag.Int("payments", 100000, "payments per run")
	step := flag.Duration("step", 100*time.Millisecond, "simulated time between two payments")
	seed := flag.Uint64("seed", 1, "seed of the payments and of exploration")
	flag.Parse()
	if err := run(*n, *step, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "routesim:", err)
		os.Exit(1)
	}
}

func run(n int, step time.Duration, seed uint64) error {
	ctx := context.Background()
	sc := routesim.Drift(n, step, seed)
	type row struct {
		name string
		res  routesim.Result
	}
	var rows []row
	for _, name := range []string{"static priority", "routing.AuthRate", "oracle"} {
		clock := routesim.NewClock()
		var s payments.Strategy
		switch name {
		case "routing.AuthRate":
			ar, err := routing.NewAuthRate(routing.WithSegment(routesim.SegmentKey), routing.WithClock(clock.Now), routing.WithSeed(seed))
			if err != nil {
				return err
			}
			s = ar
		case "oracle":
			s = routesim.Oracle{}
		}
		res, err := routesim.Run(ctx, sc, s, clock)
		if err != nil {
			return err
		}
		rows = append(rows, row{name, res})
	}
	fmt.Printf("%d payments, one every %s (%s simulated), seed %d\n\n", n, step, time.Duration(n)*step, seed)
	fmt.Println("| routing | first-attempt approval | after cascades | attempts/payment | exploration | DE/visa payments to leave A after its drift (all payments) | … to return after its recovery (all payments) |")
	fmt.Println("|---|---|---|---|---|---|---|")
	shift := func(seg, all int) string {
		if seg < 0 {
			return "never"
		}
		return fmt.Sprintf("%d (%d)", seg, all)
	}
	for _, r := range rows {
		fmt.Printf("| %s | %.2f %% | %.2f %% | %.3f | %.1f %% | %s | %s |\n", r.name, 100*r.res.FirstApproval, 100*r.res.FinalApproval,
			r.res.Attempts, 100*r.res.ExplorationShare, shift(r.res.ShiftAfterDrift, r.res.ShiftTotalAfterDrift),
			shift(r.res.ShiftAfterRecovery, r.res.ShiftTotalAfterRecovery))
	}
	st, ar, or := rows[0].res.FirstApproval, rows[1].res.FirstApproval, rows[2].res.FirstApproval
	fmt.Printf("\nuplift over static: oracle %+.2f points, AuthRate %+.2f points: %.0f %% of the oracle's\n", 100*(or-st), 100*(ar-st), 100*(ar-st)/(or-st))
	return nil
}
