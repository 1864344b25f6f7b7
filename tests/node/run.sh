#!/bin/bash
# Node peer checks of wfgen's output, run by `make node-test`: check_tf on each terraform/
# tree and check_asl on each state_machines/ tree, for the committed example out/ and for
# every golden build case's expected/; then diff_jsonata, which compares `wfgen eval
# --jsonata` with the jsonata npm package (2.0.6) on tests/jsonata/differential.json.
# Ends with "N passed, N failed"; exit 1 on failure. WFGEN (the binary's path) is passed
# by make; only diff_jsonata runs it.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/tests/node
cd "$root" || exit 2

passed=0
failed=0

pass() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# run_check LABEL CMD...: runs one check; its output is shown only when it fails.
run_check() {
    local label=$1 out
    shift
    if out=$("$@" 2>&1); then
        pass "$label"
    else
        fail "$label"
        sed 's/^/    /' <<<"$out"
    fi
}

# check_tree DIR REQUIRED: the checks for one output tree. With REQUIRED=1 a tree that
# lacks terraform/ or state_machines/ fails; otherwise only the parts present are checked.
check_tree() {
    local dir=$1 required=$2 files
    if [ -d "$dir/terraform" ]; then
        run_check "check_tf $dir/terraform" node "$here/check_tf.js" "$dir/terraform"
    elif [ "$required" = 1 ]; then
        fail "check_tf $dir/terraform (folder missing)"
    fi
    if [ -d "$dir/state_machines" ] || [ "$required" = 1 ]; then
        files=("$dir"/state_machines/*.asl.json)
        if [ -e "${files[0]}" ]; then
            run_check "check_asl $dir/state_machines" \
                node "$here/check_asl.js" "${files[@]}"
        else
            fail "check_asl $dir/state_machines (no *.asl.json)"
        fi
    fi
}

if ! "$here/setup.sh"; then
    fail "setup tests/node/setup.sh"
    echo "$passed passed, $failed failed"
    exit 1
fi

if [ -d out ]; then
    check_tree out 1
else
    echo "skip out/: no committed example output yet"
fi

# A golden case can opt out with a file named no-node-check beside its expected/.
for exp in tests/golden/build/*/expected; do
    [ -d "$exp" ] || continue
    if [ -e "${exp%/expected}/no-node-check" ]; then
        echo "skip $exp (no-node-check)"
        continue
    fi
    check_tree "$exp" 0
done

wfgen_bin=${WFGEN:-$root/build/release/wfgen}
if [ -x "$wfgen_bin" ]; then
    run_check "diff_jsonata tests/jsonata/differential.json" \
        env WFGEN="$wfgen_bin" node "$here/diff_jsonata.js"
else
    fail "diff_jsonata (no wfgen binary at $wfgen_bin)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
