#!/usr/bin/env bash
# Writes docs/diagnostics.md to stdout: the code table of `wfgen diagnostics --markdown`,
# then one section per code with an example taken from the golden tests: the first
# expected.stderr holding that code (cases expecting that code alone first, i.e. the
# case named for the rule), cut to the diagnostic itself (its line, source line, caret
# and notes).
# `make docs` writes the page with it; tests/docs_check.sh fails when the page is stale.
# WFGEN=PATH picks the binary (default build/release/wfgen).
set -eu
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
wfgen=${WFGEN:-$root/build/release/wfgen}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Cases that pin one code (every diagnostic they expect has it: the case named for the
# rule) come first, then the others; within each, the validate suite, then name order.
cd "$root"
{
    ls -d tests/golden/validate/*/expected.stderr 2>/dev/null || true
    ls -d tests/golden/*/*/expected.stderr 2>/dev/null | grep -v '^tests/golden/validate/' || true
} >"$tmp/all"
while read -r f; do
    n=$(grep -o '\[WF[0-9]*\]$' "$f" | sort -u | wc -l)
    if [ "$n" = 1 ]; then echo "$f"; else echo "$f" >>"$tmp/mixed"; fi
done <"$tmp/all" >"$tmp/files"
[ -f "$tmp/mixed" ] && cat "$tmp/mixed" >>"$tmp/files"

# One file per code in $tmp/ex: "<case>" on the first line, then the diagnostic block.
mkdir "$tmp/ex"
xargs awk -v dir="$tmp/ex" '
    FNR == 1 { keep = 0 }
    /^  / || /^note: / { if (keep) print >>out; next }
    { keep = 0 }
    match($0, /\[WF[0-9][0-9][0-9][0-9]\]$/) {
        code = substr($0, RSTART + 1, 6)
        if (code in seen) next
        seen[code] = 1
        out = dir "/" code
        name = FILENAME
        sub(/^tests\/golden\//, "", name)
        sub(/\/expected\.stderr$/, "", name)
        print name >out
        print >>out
        keep = 1
    }
' <"$tmp/files"

"$wfgen" diagnostics --markdown
printf '\n## Examples\n\nEach example is the diagnostic as the golden test named above it expects it\n'
printf '(`tests/golden/<suite>/<case>/expected.stderr`).\n'
"$wfgen" diagnostics | while read -r code sev summary; do
    printf '\n### %s\n\n%s (%s)\n\n' "$code" "$summary" "$sev"
    if [ -f "$tmp/ex/$code" ]; then
        printf 'From `tests/golden/%s`:\n\n```text\n' "$(head -n 1 "$tmp/ex/$code")"
        tail -n +2 "$tmp/ex/$code"
        printf '```\n'
    else
        printf 'No golden test shows this code yet.\n'
    fi
done
