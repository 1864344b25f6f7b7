#!/usr/bin/env bash
# Runs every LocalStack state machine (asl-localstack/machines/ of the shared corpus)
# through `wfgen run --local` with no input and no mocks, 10 seconds at most each, and
# asserts that none crashes: the only exit codes allowed are 0 (succeeded), 1 (refused
# by the validator) and 5 (the execution failed). Writes one row per machine to
# tests/corpus/localstack.tsv (machine, exit code, status, error) and ends with
# "N passed, N failed". Not part of `make test`; CI runs it against ../shared/corpus.
set -u
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
wfgen=${WFGEN:-$root/build/release/wfgen}
tsv=${TSV:-$root/tests/corpus/localstack.tsv}
dir=$corpus/asl-localstack/machines
if [ ! -d "$dir" ]; then
    echo "localstack: no corpus at $dir" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
printf 'machine\texit\tstatus\terror\n' >"$tmp/tsv"
for f in "$dir"/*.json; do
    name=${f##*/}
    (cd "$tmp" && timeout 10 "$wfgen" run --local -d "$f" --format json \
        >"$tmp/out" 2>"$tmp/err" </dev/null)
    rc=$?
    status=$(sed -n 's/^  "status": "\(.*\)",*$/\1/p' "$tmp/out")
    error=$(sed -n 's/^  "error": "\(.*\)",*$/\1/p' "$tmp/out")
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "${status:--}" "${error:--}" >>"$tmp/tsv"
    case $rc in
    0 | 1 | 5) pass=$((pass + 1)) ;;
    *)
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc"
        head -n 5 "$tmp/err"
        ;;
    esac
done
cp "$tmp/tsv" "$tsv"
cut -f2,3 "$tsv" | tail -n +2 | sort | uniq -c | sed 's/^/  /'
echo "localstack: $pass passed, $fail failed"
[ "$fail" = 0 ]
