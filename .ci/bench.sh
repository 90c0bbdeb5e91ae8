#!/usr/bin/env bash
# Whole-process benchmark: tfgate against tflint, the tool users would pick
# instead, on the same generated monorepos, in one run. Prints a Markdown
# report (docs/performance.md quotes it):
#
#   - tfgate lint and tflint --recursive (its default rules) on 500, 1,000
#     and 2,000 modules (2,500 to 10,000 files): median wall time, cost per
#     file as the tree doubles, peak RSS (GNU time), and the ratio;
#   - the pre-commit path: `tfgate lint <one changed file>` from the root of
#     the 2,000-module tree (the module, plus the roots that call it), and
#     tflint on that one directory, as pre-commit hooks for tflint run it.
#
#   .ci/bench.sh                                  everything (~10 minutes, tflint is most of it)
#   BENCH_SIZES="500 2000" BENCH_RUNS=3 .ci/bench.sh
#   BENCH_TFLINT=0 .ci/bench.sh                   tfgate only
#   BENCH_OUT=report.md .ci/bench.sh              also write the report to a file
#
# Everything runs on 2 CPUs (taskset -c 0,1 when the machine has more) after
# one warm-up run, so the page cache is warm. tflint $TFLINT_VERSION is built
# from the Go module proxy once and cached in $TFGATE_TOOLS (default
# ~/.cache/tfgate-tools). Needs GNU time (Debian package `time`; installed
# when running as root). Not part of the test suite: no timing is asserted.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

TFLINT_VERSION=v0.64.0
sizes=${BENCH_SIZES:-500 1000 2000}
runs=${BENCH_RUNS:-5}
tflint_runs=${BENCH_TFLINT_RUNS:-1}
pc_runs=${BENCH_PRECOMMIT_RUNS:-20}
T=${TFGATE_TOOLS:-$HOME/.cache/tfgate-tools}
W=$(mktemp -d "${TMPDIR:-/tmp}/tfgate-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }
trap 'echo "bench: FAILED at line $LINENO (output above)" >&2' ERR

gnutime=/usr/bin/time
if ! "$gnutime" -f %M true >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing GNU time (apt-get install time)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2
  fi
  "$gnutime" -f %M true >/dev/null 2>&1 || die "GNU time is needed for peak RSS: apt-get install time"
fi

pin=()
cores=$(nproc)
if [ "$cores" -gt 2 ]; then
  pin=(taskset -c "0,1")
  cores=2
fi

log "building tfgate"
GOFLAGS='' go build -trimpath -o "$W/tfgate" ./cmd/tfgate

# A fixed single-threaded loop timed before and after the runs: the VMs this
# runs on change speed by several times within an hour, and this says which
# hour a report comes from.
cat >"$W/cpuref.go" <<'GO'
package main

import (
	"fmt"
	"time"
)

func main() {
	best := time.Hour
	for r := 0; r < 3; r++ {
		t, x := time.Now(), 0
		for i := 0; i < 300000000; i++ {
			x += i * i % 7
		}
		if d := time.Since(t); d < best && x != 0 {
			best = d
		}
	}
	fmt.Printf("%d ms", best.Milliseconds())
}
GO
(cd "$W" && GOFLAGS='' GO111MODULE=off go build -o cpuref cpuref.go)
cpuref_before=$("${pin[@]}" "$W/cpuref")
tflint=
if [ "${BENCH_TFLINT:-1}" != 0 ]; then
  tflint="$T/tflint-$TFLINT_VERSION/tflint"
  if [ ! -x "$tflint" ]; then
    log "building tflint $TFLINT_VERSION from the Go module proxy (cold: a few minutes)"
    mkdir -p "$T/tflint-$TFLINT_VERSION.tmp"
    GOFLAGS='' CGO_ENABLED=0 GOBIN="$T/tflint-$TFLINT_VERSION.tmp" \
      go install "github.com/terraform-linters/tflint@$TFLINT_VERSION" >&2
    rm -rf "$T/tflint-$TFLINT_VERSION" && mv "$T/tflint-$TFLINT_VERSION.tmp" "$T/tflint-$TFLINT_VERSION"
  fi
fi

# measure N DIR CMD...: runs CMD in DIR N times after a warm-up; sets
# med (median wall seconds), rss (peak RSS, MB, the largest of the runs) and
# last (the last line CMD printed). Exit codes 0 and 2 (findings) are fine.
measure() {
  local n=$1 dir=$2 i t0 t1 code
  shift 2
  local times=() maxkb=0 kb
  for ((i = 0; i <= n; i++)); do
    t0=$EPOCHREALTIME
    code=0
    (cd "$dir" && "${pin[@]}" "$gnutime" -f %M -o "$W/rss" "$@" >"$W/out" 2>&1) || code=$?
    t1=$EPOCHREALTIME
    if [ "$code" != 0 ] && [ "$code" != 2 ]; then
      tail -n 20 "$W/out" >&2
      die "$* exited $code in $dir"
    fi
    kb=$(tail -n 1 "$W/rss")
    [ "$kb" -gt "$maxkb" ] && maxkb=$kb
    [ "$i" = 0 ] && continue # warm-up
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
  done
  med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  rss=$(awk -v k="$maxkb" 'BEGIN { printf "%.0f", k / 1024 }')
  last=$(grep -v '^\s*$' "$W/out" | tail -n 1 || true)
}

fmt_s() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }

report="$W/report.md"
{
  echo "Machine: $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(go version | cut -d' ' -f3), tfgate $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')+working tree${tflint:+, tflint $TFLINT_VERSION (bundled terraform ruleset, default rules)}."
  echo "Median of $runs tfgate runs${tflint:+ and $tflint_runs tflint run(s)} after a warm-up run; peak RSS is the largest of the runs."
  echo "CPU reference (a fixed single-threaded loop, best of 3; lower is a faster machine): $cpuref_before before the runs, $("${pin[@]}" "$W/cpuref") after."
  echo
  if [ -n "$tflint" ]; then
    echo "| modules | files | tfgate lint | per file | peak RSS | tflint --recursive | per file | peak RSS | tflint ÷ tfgate |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  else
    echo "| modules | files | tfgate lint | per file | peak RSS |"
    echo "|---:|---:|---:|---:|---:|"
  fi
} >"$report"

prev=
for n in $sizes; do
  tree="$W/tree-$n"
  log "generating $n modules"
  GOFLAGS='' go run ./analyzer/monorepo/cmd/genmonorepo -modules "$n" "$tree" >&2
  files=$(find "$tree" -type f | wc -l)
  log "tfgate lint on $n modules ($files files), $runs runs"
  measure "$runs" "$tree" "$W/tfgate" lint --color never .
  g_med=$med g_rss=$rss
  g_pf=$(awk -v s="$g_med" -v f="$files" 'BEGIN { printf "%.1f µs", s / f * 1e6 }')
  row="| $n | $files | $(fmt_s "$g_med") | $g_pf | $g_rss MB |"
  if [ -n "$tflint" ]; then
    log "tflint --recursive on $n modules, $tflint_runs run(s) (slow)"
    measure "$tflint_runs" "$tree" "$tflint" --recursive --no-color
    l_pf=$(awk -v s="$med" -v f="$files" 'BEGIN { printf "%.0f µs", s / f * 1e6 }')
    ratio=$(awk -v a="$med" -v b="$g_med" 'BEGIN { printf "%.0f×", a / b }')
    row="$row $(fmt_s "$med") | $l_pf | $rss MB | **$ratio** |"
  fi
  echo "$row" >>"$report"
  prev=$n
done

# The pre-commit path on the largest tree.
tree="$W/tree-$prev"
{
  echo
  echo "Pre-commit path on the $prev-module tree (run from its root, median of $pc_runs runs):"
  echo
  echo "| command | wall | peak RSS | tfgate's summary line |"
  echo "|---|---:|---:|---|"
} >>"$report"
for f in modules/svc0007/main.tf live/team000/env0003/main.tf; do
  log "tfgate lint $f ($pc_runs runs)"
  measure "$pc_runs" "$tree" "$W/tfgate" lint --color never "$f"
  echo "| \`tfgate lint $f\` | $(fmt_s "$med") | $rss MB | $last |" >>"$report"
done
if [ -n "$tflint" ]; then
  log "tflint --chdir modules/svc0007 ($pc_runs runs)"
  measure "$pc_runs" "$tree" "$tflint" --chdir modules/svc0007 --no-color
  echo "| \`tflint --chdir modules/svc0007\` (that directory only, its callers unchecked) | $(fmt_s "$med") | $rss MB | |" >>"$report"
fi

cat "$report"
if [ -n "${BENCH_OUT:-}" ]; then
  cp "$report" "$BENCH_OUT"
fi
