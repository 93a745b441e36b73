#!/usr/bin/env bash
# Runs the benchmarks the way README.md reports them and writes the raw
# outputs and benchstat summaries to results/ (or the directory given).
#
#   ./run.sh            # ~20 minutes on 2 cores
#   ./run.sh /tmp/out
#
# -p 1: one package at a time, or the packages' benchmarks would share the
# cores. The second run puts every server in a child process so that
# allocs/op counts the client's allocations alone (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
out=${1:-results}
mkdir -p "$out"
{
	echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version)"
	echo "# nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo)"
	echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
go test -p 1 -timeout 60m -run '^$' -bench . -skip '^BenchmarkStore' -benchmem -count 10 ./... | tee "$out/bench.txt"
PAYMENTS_BENCH_SERVERS=process go test -p 1 -timeout 30m -run '^$' \
	-bench 'Authorize$|Status$|AuthorizeFixed$|Stripe|Notify' -benchmem -count 1 -benchtime 3000x ./... |
	tee "$out/bench-process.txt"
# The Router's Store (issue 14): MemoryStore, SQLite, PostgreSQL, and four
# Routers against pgbench. PostgreSQL parts need PAYMENTS_TEST_POSTGRES_URL
# (they skip without it); see README.md.
go test -timeout 30m -run '^$' -bench '^BenchmarkStore' -benchmem -benchtime 3s -count 6 . | tee "$out/bench-store.txt"
echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
benchstat() { go run golang.org/x/perf/cmd/benchstat@latest "$@"; }
benchstat -filter '.name:StoreAuthorize' -col /store "$out/bench-store.txt" >"$out/benchstat-store.txt"
benchstat -filter '.name:StoreParallel' -col /commit "$out/bench-store.txt" >"$out/benchstat-store-parallel.txt"
# ours (and stripe-go) against the floor; the Router against the gateway
# alone; everything, plain.
benchstat -filter '/impl:(floor OR ours OR stripe-go)' -col /impl "$out/bench.txt" >"$out/benchstat-floor.txt"
benchstat -filter '/impl:(direct OR router1 OR router3)' -col /impl "$out/bench.txt" >"$out/benchstat-router.txt"
benchstat "$out/bench.txt" >"$out/benchstat.txt"
go run ./internal/ratios "$out/bench.txt" "$out/bench-process.txt" >"$out/tables.md"
echo "wrote $out/"
