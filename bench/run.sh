#!/usr/bin/env bash
# `make bench`: speed and memory figures, printed (never asserted).
#   build: catalogs of 10, 1,000 and 10,000 workflows -> wall time, peak RSS, growth
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
work=${BENCH_DIR:-/tmp/wfgen-bench}
mkdir -p "$work"

measure() { # dir, command... -> "seconds maxrss_kb"
    local dir=$1; shift
    (cd "$dir" && /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$work/time.err") || true
    tail -n1 "$work/time.err"
}

echo "== wfgen build: catalog size vs wall time and peak memory"
printf '%-10s %10s %12s %14s\n' workflows seconds peak_MiB "us/workflow"
prev_t=""
for n in 10 1000 10000; do
    d=$work/build-$n
    [ -f "$d/workflows.yaml" ] || "$root/bench/gen_catalog.sh" "$n" "$d"
    rm -rf "$d/out"
    read -r t kb < <(measure "$d" "$wfgen" build)
    per=$(awk -v t="$t" -v n="$n" 'BEGIN{printf "%.1f", t*1e6/n}')
    printf '%-10s %10s %12s %14s\n' "$n" "$t" "$(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}')" "$per"
    eval "t_$n=$t"
done
awk -v a="$t_1000" -v b="$t_10000" 'BEGIN{ if (a > 0) printf "growth 1,000 -> 10,000 workflows: %.1fx time for 10x input (linear = 10x)\n", b/a }'
echo "target: 10,000 workflows in under 1 s"

echo "== wfgen build --check on an up-to-date 10,000-workflow tree"
read -r t kb < <(measure "$work/build-10000" "$wfgen" build --check)
echo "check: ${t}s, $(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}') MiB"

if [ -x "$root/bench/run_validate.sh" ]; then "$root/bench/run_validate.sh"; fi
if [ -x "$root/bench/run_interp.sh" ]; then "$root/bench/run_interp.sh"; fi
if [ -x "$root/bench/run_jsonata.sh" ]; then "$root/bench/run_jsonata.sh"; fi
