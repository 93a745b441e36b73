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

n=0
failed=()
start=$SECONDS
while read -r dir name; do
	n=$((n + 1))
	echo "== $name ($dir) for $fuzztime"
	# The progress lines are dropped; on a failure everything else is shown
	# (the failing input and the test's message), not only the last lines.
	if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "./$dir" 2>&1); then
		grep -v '^fuzz: elapsed' <<<"$out" | tail -n 2
	else
		grep -v '^fuzz: elapsed' <<<"$out" | tail -n 40
		failed+=("$dir $name")
	fi
done <<<"$targets"

echo "fuzzed $n targets in $((SECONDS - start))s"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
