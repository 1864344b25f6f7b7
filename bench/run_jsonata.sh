#!/usr/bin/env bash
# `make bench`, JSONata part (called by bench/run.sh): wfgen's JSONata engine against the
# jsonata npm package (2.0.6, tests/node/node_modules) on the same expressions and
# documents, side by side, both measured in-process: compiled once, evaluated N times,
# best of 3 rounds. wfgen runs bench/jsonata_bench.c, built here against libwfgen.a (the
# folder of $WFGEN, default build/release); the peer runs bench/jsonata_peer.js, which
# also writes the workload (path lookups, filters, $map/$filter/$reduce over 10,000
# items, string building, object construction, date formatting). Printed, never
# asserted; the target is wfgen at least 5x the reference implementation.
set -eu
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
lib=$(dirname "$wfgen")/libwfgen.a
work=$(mktemp -d "${TMPDIR:-/tmp}/wfgen-bench-jsonata.XXXXXX")
trap 'rm -rf "$work"' EXIT

if ! command -v node >/dev/null 2>&1 || [ ! -d "$root/tests/node/node_modules/jsonata" ]; then
    echo "== JSONata engine vs jsonata npm: skipped (run make node-deps)"
    exit 0
fi
if [ ! -f "$lib" ]; then
    echo "== JSONata engine vs jsonata npm: skipped (no $lib; run make)"
    exit 0
fi
peer_ver=$(node -p "require('$root/tests/node/node_modules/jsonata/package.json').version")
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/src" \
    $(pkg-config --cflags jansson) "$root/bench/jsonata_bench.c" "$lib" \
    $(pkg-config --libs jansson yaml-0.1 libpcre2-8 libcrypto) -lm -o "$work/jsonata_bench"
node "$root/bench/jsonata_peer.js" gen "$work/data"
"$work/jsonata_bench" "$work/data" >"$work/wfgen.tsv"
node "$root/bench/jsonata_peer.js" run "$work/data" >"$work/peer.tsv"

echo "== JSONata: wfgen's engine vs jsonata $peer_ver (npm), in-process, best of 3"
awk -F'\t' '
    FNR == NR { peer[$1] = $2; next }
    FNR == 1 {
        printf "%-22s %14s %14s %12s %12s %8s\n", "expression", "wfgen ns/eval", \
               "npm ns/eval", "wfgen eval/s", "npm eval/s", "ratio"
    }
    {
        p = peer[$1]; r = ($2 > 0 && p > 0) ? p / $2 : 0
        printf "%-22s %14d %14d %12.0f %12.0f %7.1fx\n", $1, $2, p, \
               ($2 > 0 ? 1e9 / $2 : 0), (p > 0 ? 1e9 / p : 0), r
        if (r > 0) { n++; logsum += log(r); if (min == 0 || r < min) min = r }
    }
    END {
        if (n) printf "geometric mean ratio %.1fx, lowest %.1fx (target: >= 5x)\n", \
                      exp(logsum / n), min
    }
' "$work/peer.tsv" "$work/wfgen.tsv"
