#!/usr/bin/env bash
# Runs every Fuzz target of the module, one after the other, each for the
# given duration (a go test -fuzztime value; default 1m):
#
#   scripts/fuzz.sh          # 1 minute per target
#   scripts/fuzz.sh 5s       # what CI runs
#   scripts/fuzz.sh 10m      # before a release
#
# `go test ./...` already runs every target's seed corpus. A crash is saved
# under the package's testdata/fuzz/<Target>/ and fails this script; commit
# it with the fix so it stays a regression test. The nested bench module is
# not fuzzed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-1m}

# Every "func FuzzX(f *testing.F)" in a test file of this module, as
# "dir name" pairs.
targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . |
	grep -v '^\./bench/' |
	sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\1 \2#; s#^\./[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#. \1#' |
	sort -u)
if [ -z "$targets" ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi

# fuzz_once runs one target; its output is in $out.
fuzz_once() {
	out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "./$dir" 2>&1)
}

# inputs counts the saved failing inputs of the target.
inputs() {
	if [ -d "$dir/testdata/fuzz/$name" ]; then
		find "$dir/testdata/fuzz/$name" -type f | wc -l
	else
		echo 0
	fi
}

n=0
failed=()
flaked=()
start=$SECONDS
while read -r dir name; do
	n=$((n + 1))
	echo "== $name ($dir) for $fuzztime"
	before=$(inputs)
	# go1.26's fuzz coordinator can fail a target with a bare "context
	# deadline exceeded" when -fuzztime ends while a worker is mid-call
	# (go.dev/issue/75804, fixed in go1.27): no input is saved, nothing
	# crashed. Such a run is repeated (twice at most); a run that saves an
	# input, or fails any other way, fails the script.
	for try in 1 2 3; do
		if fuzz_once; then
			grep -v '^fuzz: elapsed' <<<"$out" | tail -n 2
			break
		fi
		if [ "$(inputs)" = "$before" ] && grep -q '^    context deadline exceeded$' <<<"$out" && [ "$try" -lt 3 ]; then
			echo "   (go.dev/issue/75804: the fuzz coordinator's deadline race, no input saved; run again)"
			flaked+=("$dir $name")
			continue
		fi
		# The progress lines are dropped; everything else is shown (the
		# failing input and the test's message).
		grep -v '^fuzz: elapsed' <<<"$out" | tail -n 40
		failed+=("$dir $name")
		break
	done
done <<<"$targets"

echo "fuzzed $n targets in $((SECONDS - start))s"
if [ ${#flaked[@]} -gt 0 ]; then
	printf 'repeated after the coordinator race: %s\n' "${flaked[@]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
