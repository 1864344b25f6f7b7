#!/usr/bin/env bash
# Golden tests: each tests/golden/<suite>/<case>/ holds
#   args             wfgen's arguments, one per line
#   input/           the working folder (copied to a temporary folder; wfgen runs there)
#   expected/        optional: the exact tree of out/ after the run
#   expected.stdout  optional: exact standard output
#   expected.stderr  exact standard error
#   expected.status  exit code
# A successful `build` runs a second time and must leave out/ byte-identical; a failed
# `build` must leave out/ exactly as input/ had it (or absent). No run leaves
# temporaries (*.wfgen-tmp-*, *.wfgen-new-*) behind.
# UPDATE=1 rewrites the expected files from the actual results. VALGRIND=1 runs wfgen
# under valgrind. Ends with "N passed, N failed".
set -u
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
filter=${1:-}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_wfgen() { # dir, out-prefix
    local dir=$1 pfx=$2
    local -a args=()
    mapfile -t args < "$case/args"
    local -a pre=()
    if [ "${VALGRIND:-}" = 1 ]; then
        pre=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
    fi
    (cd "$dir" && "${pre[@]}" "$wfgen" "${args[@]}" >"$pfx.stdout" 2>"$pfx.stderr" </dev/null)
    echo $? >"$pfx.status"
}

check_case() {
    local case=$1 name=$2 work=$tmp/work
    rm -rf "$work" "$tmp"/r.* "$tmp"/second
    mkdir -p "$work"
    [ -d "$case/input" ] && cp -R "$case/input/." "$work/"
    run_wfgen "$work" "$tmp/r"
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$tmp/r.stderr" "$case/expected.stderr"
        cp "$tmp/r.status" "$case/expected.status"
        if [ -s "$tmp/r.stdout" ] || [ -f "$case/expected.stdout" ]; then
            cp "$tmp/r.stdout" "$case/expected.stdout"
        fi
        if [ -d "$work/out" ] || [ -d "$case/expected" ]; then
            rm -rf "$case/expected"
            mkdir -p "$case/expected"
            [ -d "$work/out" ] && cp -R "$work/out/." "$case/expected/"
        fi
    fi
    local why=""
    cmp -s "$tmp/r.status" "$case/expected.status" ||
        why="status $(cat "$tmp/r.status"), expected $(cat "$case/expected.status" 2>/dev/null)"
    [ -z "$why" ] && ! diff -u "$case/expected.stderr" "$tmp/r.stderr" >"$tmp/diff" && why="stderr differs"
    if [ -z "$why" ] && [ -f "$case/expected.stdout" ]; then
        diff -u "$case/expected.stdout" "$tmp/r.stdout" >"$tmp/diff" || why="stdout differs"
    fi
    if [ -z "$why" ] && [ -d "$case/expected" ]; then
        mkdir -p "$work/out"
        diff -ru "$case/expected" "$work/out" >"$tmp/diff" || why="out/ differs"
    fi
    if [ -z "$why" ] && [ "$(head -n1 "$case/args")" = build ] && [ "$(cat "$tmp/r.status")" = 0 ]; then
        cp -R "$work/out" "$tmp/second"
        run_wfgen "$work" "$tmp/r2"
        diff -r "$tmp/second" "$work/out" >"$tmp/diff" || why="second build changed out/"
    fi
    if [ -z "$why" ] && [ -n "$(find "$work" -name '*.wfgen-tmp-*' -o -name '*.wfgen-new-*')" ]; then
        why="temporary files left behind"
    fi
    if [ -z "$why" ] && [ "$(head -n1 "$case/args")" = build ] && [ "$(cat "$tmp/r.status")" != 0 ]; then
        if [ -d "$case/input/out" ]; then
            diff -r "$case/input/out" "$work/out" >"$tmp/diff" || why="failed build changed out/"
        elif [ -e "$work/out" ]; then
            why="failed build left out/ behind"
        fi
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        head -n 40 "$tmp/diff" 2>/dev/null
        : >"$tmp/diff"
    fi
}

for case in "$root"/tests/golden/*/*/; do
    case=${case%/}
    name=${case#"$root"/tests/golden/}
    [ -f "$case/args" ] || continue
    [ -n "$filter" ] && [[ $name != *"$filter"* ]] && continue
    check_case "$case" "$name"
done
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
