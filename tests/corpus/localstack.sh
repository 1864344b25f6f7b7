#!/usr/bin/env bash
# Runs every LocalStack state machine (asl-localstack/machines/ of the shared corpus)
# through `wfgen run --local` with no input and no mocks, 10 seconds at most each, and
# asserts that none crashes: the only exit codes allowed are 0 (succeeded), 1 (refused
# by the validator) and 5 (the execution failed). Every machine that ran (0 or 5) runs a
# second time, each run in an empty folder with --history, and the two runs must agree
# byte for byte (exit code, stdout, stderr, history): the interpreter is deterministic.
# Writes one row per machine to tests/corpus/localstack.tsv (machine, exit code, status,
# error) and ends with "N passed, N failed". Not part of `make test`; CI runs it against
# ../shared/corpus.
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

# Runs machine $1 in a fresh folder $tmp/$2 (which then holds out, err, status, history).
run_one() {
    local f=$1 d=$tmp/$2
    rm -rf "$d"
    mkdir -p "$d/cwd"
    (cd "$d/cwd" && timeout 10 "$wfgen" run --local -d "$f" --format json \
        --history "$d/history" >"$d/out" 2>"$d/err" </dev/null)
    echo $? >"$d/status"
}

# Prints what differs between the two runs' files, or nothing.
differs() {
    local what
    for what in status out err history; do
        if [ -e "$tmp/r1/$what" ] || [ -e "$tmp/r2/$what" ]; then
            cmp -s "$tmp/r1/$what" "$tmp/r2/$what" || printf ' %s' "$what"
        fi
    done
}

for f in "$dir"/*.json; do
    name=${f##*/}
    run_one "$f" r1
    rc=$(cat "$tmp/r1/status")
    status=$(sed -n 's/^  "status": "\(.*\)",*$/\1/p' "$tmp/r1/out")
    error=$(sed -n 's/^  "error": "\(.*\)",*$/\1/p' "$tmp/r1/out")
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "${status:--}" "${error:--}" >>"$tmp/tsv"
    why=""
    case $rc in
    0 | 5)
        run_one "$f" r2
        diff=$(differs)
        [ -n "$diff" ] && why="second run differs in:$diff"
        [ -s "$tmp/r1/history" ] || why="no --history written"
        ;;
    1) ;;
    *) why="exit $rc" ;;
    esac
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        head -n 5 "$tmp/r1/err"
    fi
done
cp "$tmp/tsv" "$tsv"
cut -f2,3 "$tsv" | tail -n +2 | sort | uniq -c | sed 's/^/  /'
echo "localstack: $pass passed, $fail failed"
[ "$fail" = 0 ]
