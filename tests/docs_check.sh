#!/usr/bin/env bash
# Fails when docs/diagnostics.md is not what tests/gen_diag_docs.sh generates from the
# code table and the golden tests (run `make docs` and commit the result).
set -u
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! "$root/tests/gen_diag_docs.sh" >"$tmp"; then
    echo "docs-check: tests/gen_diag_docs.sh failed"
    exit 1
fi
if ! diff -u "$root/docs/diagnostics.md" "$tmp" >"$tmp.diff" 2>&1; then
    head -n 40 "$tmp.diff"
    rm -f "$tmp.diff"
    echo "docs-check: docs/diagnostics.md is out of date: run \`make docs\`"
    exit 1
fi
rm -f "$tmp.diff"
echo "docs-check: docs/diagnostics.md is current"
