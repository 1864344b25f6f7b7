#!/usr/bin/env bash
# `make tsan`: ThreadSanitizer over what runs on several threads. Builds, with the
# ThreadSanitizer binary WFGEN, (1) a generated 300-workflow catalog (enough for the
# parallel HCL path) and (2) the example catalog with every workflow repeated 50 times
# (shared ECS defaults, concurrency wrapping, Dates:), then runs the unit tests that
# drive the thread pool. Any report fails the run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:?WFGEN must name the ThreadSanitizer build}
tests=$(dirname "$wfgen")/tests
export TSAN_OPTIONS=halt_on_error=1 LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/bench/gen_catalog.sh" 300 "$work/generated" >/dev/null
(cd "$work/generated" && "$wfgen" build >/dev/null)

mkdir -p "$work/example/definitions"
awk -v copies=50 '
    /^workflows:/ { in_list = 1; print; next }
    !in_list { print; next }
    /^  - key: / { if (entry != "") list[n++] = entry; entry = $0 "\n"; next }
    { entry = entry $0 "\n" }
    END {
        if (entry != "") list[n++] = entry
        for (c = 0; c < copies; c++)
            for (i = 0; i < n; i++) {
                e = list[i]
                sub(/key: [a-z_0-9]+/, "&_" c, e)
                printf "%s", e
            }
    }' "$root/workflows.yaml" >"$work/example/workflows.yaml"
for def in "$root"/definitions/*.asl.yaml; do
    key=$(basename "$def" .asl.yaml)
    for c in $(seq 0 49); do cp "$def" "$work/example/definitions/${key}_$c.asl.yaml"; done
done
(cd "$work/example" && "$wfgen" build >/dev/null)
[ "$(ls "$work/example/out/state_machines" | grep -c "^[a-z].*_49.asl.json$")" = 4 ]

"$tests/test_build" >/dev/null 2>&1
"$tests/test_hcl" >/dev/null 2>&1
echo "tsan: no data race found"
