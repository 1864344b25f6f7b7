#!/usr/bin/env bash
# `make bench` (via bench/run.sh): `wfgen validate` against its peers, printed (never
# asserted). Whole-process wall time, median of several runs, on the 267 real-world
# definitions of the shared corpus (asl-real/), every tool validating all files in one
# process:
#   wfgen validate --allow-placeholders FILE...
#   amazon-states-language-service   tests/node/check_asl.js --bench FILE... (it also
#                                     prints its own validation-only time)
#   asl-validator                     its CLI, one --json-path per file
# then `wfgen validate` on the example catalog (median of 20 runs; target < 20 ms).
# REPS (default 5) and PEER_REPS (default 3; asl-validator takes seconds) set the runs.
set -eu
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
corpus=${CORPUS:-$root/../shared/corpus}
node_dir=$root/tests/node
reps=${REPS:-5}
peer_reps=${PEER_REPS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command `n` times (output discarded) and prints the median wall time in ms.
median_ms() { # n command...
    local n=$1 i t0 t1
    shift
    for ((i = 0; i < n; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f\n", m / 1000 }'
}

# Median of the numbers on stdin.
median() {
    sort -n | awk '{ v[NR] = $1 } END {
        printf "%.1f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", b / a }'; }

if [ ! -d "$corpus/asl-real" ]; then
    echo "== validate: no corpus at $corpus (set CORPUS=DIR); skipped"
    exit 0
fi
cd "$corpus/asl-real"
files=(*.asl.json)
echo "== wfgen validate vs peers: ${#files[@]} asl-real definitions, one process each tool"
echo "   (whole-process wall time, median of $reps runs for wfgen and ASLS, $peer_reps for asl-validator)"

t_wfgen=$(median_ms "$reps" "$wfgen" validate --allow-placeholders "${files[@]}")
printf '%-42s %10s ms\n' "wfgen validate --allow-placeholders" "$t_wfgen"

t_asls="" t_av=""
if [ -f "$node_dir/node_modules/amazon-states-language-service/package.json" ]; then
    t_asls=$(median_ms "$reps" node "$node_dir/check_asl.js" --bench "${files[@]}")
    inner=$(for ((i = 0; i < reps; i++)); do
        node "$node_dir/check_asl.js" --bench "${files[@]}" 2>/dev/null | tail -n 1
    done | median)
    printf '%-42s %10s ms   (validation alone, module load excluded: %s ms)\n' \
        "amazon-states-language-service" "$t_asls" "$inner"
else
    echo "amazon-states-language-service: not installed (make node-deps)"
fi
if [ -x "$node_dir/node_modules/.bin/asl-validator" ]; then
    args=()
    for f in "${files[@]}"; do args+=(--json-path "$f"); done
    t_av=$(median_ms "$peer_reps" "$node_dir/node_modules/.bin/asl-validator" --silent \
        "${args[@]}")
    printf '%-42s %10s ms\n' "asl-validator (CLI)" "$t_av"
else
    echo "asl-validator: not installed (make node-deps)"
fi

fastest="" name=""
for pair in "amazon-states-language-service:$t_asls" "asl-validator:$t_av"; do
    t=${pair#*:}
    [ -n "$t" ] || continue
    if [ -z "$fastest" ] || awk -v a="$t" -v b="$fastest" 'BEGIN { exit !(a < b) }'; then
        fastest=$t name=${pair%%:*}
    fi
done
[ -n "$t_asls" ] && echo "wfgen vs amazon-states-language-service: $(ratio "$t_wfgen" "$t_asls") faster"
[ -n "$t_av" ] && echo "wfgen vs asl-validator: $(ratio "$t_wfgen" "$t_av") faster"
if [ -n "$fastest" ]; then
    echo "fastest peer: $name; wfgen is $(ratio "$t_wfgen" "$fastest") faster (target >= 10x)"
fi

echo "== wfgen validate on the example catalog (workflows.yaml + definitions/)"
mkdir -p "$work/example"
cp "$root/workflows.yaml" "$work/example/"
cp -R "$root/definitions" "$work/example/"
cd "$work/example"
"$wfgen" validate || echo "warning: the example catalog does not validate"
t_cat=$(median_ms 20 "$wfgen" validate)
echo "median of 20 runs: $t_cat ms (target < 20 ms)"
