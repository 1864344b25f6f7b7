#!/usr/bin/env bash
# `make bench`: speed and memory figures, printed (never asserted).
#   build: catalogs of 10, 1,000 and 10,000 workflows -> wall time, peak RSS, growth
# Each build figure is the median of 3 runs (peak memory: the largest of the 3).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
work=${BENCH_DIR:-/tmp/wfgen-bench}
mkdir -p "$work"

# Cold builds write into a new folder each time, and output is deleted only once it is
# 10 minutes old: on this VM's ext4 (no journal) the inode allocator steps over every
# inode deleted in the last minutes, one by one, so creating 30,000 files soon after
# deleting 30,000 others costs 10-20 s of kernel time that has nothing to do with wfgen.
stamp=$(date +%s%N)
find "$work" -maxdepth 2 -name 'out-*' -mmin +10 -exec rm -rf {} + 2>/dev/null || true

measure() { # dir, command... -> "seconds maxrss_kb"
    local dir=$1; shift
    sync # earlier runs' write-back would otherwise compete for the CPUs
    (cd "$dir" && /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$work/time.err") || true
    tail -n1 "$work/time.err"
}

# Three runs of a command whose arguments may hold the run number as {}:
# "median_seconds max_kb".
measure3() { # dir, command...
    local dir=$1 k
    shift
    for k in 1 2 3; do measure "$dir" "${@//\{\}/$k}"; done |
        sort -n | awk '{ t[NR] = $1; if ($2 > kb) kb = $2 } END { print t[2], kb }'
}

echo "== wfgen build: catalog size vs wall time and peak memory"
printf '%-10s %10s %12s %14s\n' workflows seconds peak_MiB "us/workflow"
prev_t=""
for n in 10 1000 10000; do
    d=$work/build-$n
    [ -f "$d/workflows.yaml" ] || "$root/bench/gen_catalog.sh" "$n" "$d"
    read -r t kb < <(measure3 "$d" "$wfgen" build -o "out-$stamp-{}")
    per=$(awk -v t="$t" -v n="$n" 'BEGIN{printf "%.1f", t*1e6/n}')
    printf '%-10s %10s %12s %14s\n' "$n" "$t" "$(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}')" "$per"
    eval "t_$n=$t"
done
awk -v a="$t_1000" -v b="$t_10000" 'BEGIN{ if (a > 0) printf "growth 1,000 -> 10,000 workflows: %.1fx time for 10x input (linear = 10x)\n", b/a }'
echo "target: 10,000 workflows in under 1 s"

d=$work/build-10000
echo "== wfgen build, 10,000 workflows: other situations"
printf '%-44s %10s %12s\n' situation seconds peak_MiB
row() { # label, dir, command...
    local label=$1 dir=$2
    shift 2
    read -r t kb < <(measure3 "$dir" "$@")
    printf '%-44s %10s %12s\n' "$label" "$t" "$(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}')"
}
row "no-op rebuild (out/ current)" "$d" "$wfgen" build -o "out-$stamp-1"
row "build --check (out/ current)" "$d" "$wfgen" build --check -o "out-$stamp-1"
row "validate (the compile, nothing written)" "$d" "$wfgen" validate
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/wfgen-bench.XXXXXX)
    row "cold build into tmpfs (no disk)" "$d" "$wfgen" build -o "$shm/out-{}"
    rm -rf "$shm"
fi
echo "threads: $(nproc) CPUs; build compiles and writes on one thread per CPU (max 8)"
echo "a cold build of 10,000 workflows creates 30,000 files; the tmpfs row leaves the disk out"

if [ -x "$root/bench/run_validate.sh" ]; then "$root/bench/run_validate.sh"; fi
if [ -x "$root/bench/run_interp.sh" ]; then "$root/bench/run_interp.sh"; fi
if [ -x "$root/bench/run_jsonata.sh" ]; then "$root/bench/run_jsonata.sh"; fi
