#!/usr/bin/env bash
# Wall time of one bot test against the test core, in a debug build: the test
# `test_core::a_bot_test_in_ten_lines` of client/tests/integration/test_core.rs (start the test core, start the bot,
# one message in, one reply out, assert), each run a fresh process of the test binary, as a
# developer runs one test. The time includes starting the process and the test harness.
# Prints every run and the median.
#
# Usage: scripts/test-core-timing.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
test_name="test_core::a_bot_test_in_ten_lines"
bin="$(cargo test --quiet -p simplex-api-client --test integration --no-run --message-format=json |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"
[ -x "$bin" ] || { echo "no test binary found" >&2; exit 1; }
# A run to warm the file cache, not counted.
"$bin" --exact "$test_name" --quiet >/dev/null
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" --exact "$test_name" --quiet >/dev/null
  end=$(date +%s%N)
  times+=("$(( (end - start) / 1000 ))")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" -v name="$test_name" '
  { t[NR] = $1 / 1000 }
  END {
    median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "%s, debug build, %d runs: median %.1f ms (min %.1f, max %.1f)\n", name, runs, median, t[1], t[NR]
  }'
