#!/usr/bin/env bash
# Corpus tests for `wfgen validate` on the shared third-party corpus (../shared/corpus
# beside the repository, or CORPUS=DIR):
#   asl-real/            every file accepted (--allow-placeholders) except the rows of
#                        expected.tsv, which must report exactly the listed error codes;
#   asl-real-malformed/  the syntax error (WF0001) at the line and column expected.tsv pins;
#   asl-validator-fixtures/, statelint-fixtures/
#                        each fixture as fixtures.tsv says: "-" = no error, otherwise the
#                        reported errors include the listed codes (CODE@line:col also
#                        pins where one is reported); status "gap" rows are known gaps,
#                        printed as skipped;
#   asl-localstack/machines/
#                        no crash (exit 0 or 1 within 10 s, no sanitizer report), and the
#                        exit code and codes of every file as localstack-validate.tsv
#                        records them (UPDATE=1 rewrites that file from this run).
# WFGEN=PATH picks the binary (default build/release/wfgen). Ends with
# "corpus: N passed, N failed, N skipped" and exits 1 when anything failed.
set -u
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/corpus
corpus=${CORPUS:-$root/../shared/corpus}
wfgen=${WFGEN:-$root/build/release/wfgen}
case $wfgen in /*) ;; *) wfgen=$PWD/$wfgen ;; esac
if [ ! -d "$corpus/asl-real" ]; then
    echo "corpus: no corpus at $corpus (set CORPUS=DIR)" >&2
    exit 2
fi
if [ ! -x "$wfgen" ]; then
    echo "corpus: no wfgen binary at $wfgen (run make, or set WFGEN=PATH)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); }
bad() { # message...
    fail=$((fail + 1))
    echo "FAIL $*"
}

# Reads wfgen's text diagnostics on stdin and prints one "file<TAB>severity<TAB>code
# <TAB>line:col" row per diagnostic (line:col 0:0 for a whole-file diagnostic). File
# names must not contain ':'; the corpus names do not.
diag_rows() {
    awk '
    match($0, /\[WF[0-9][0-9][0-9][0-9]\]$/) {
        code = substr($0, RSTART + 1, 6)
        if (match($0, /^[^: ][^:]*:[0-9]+:[0-9]+: (error|warning): /)) {
            split(substr($0, 1, RLENGTH), f, ":")
            printf "%s\t%s\t%s\t%s:%s\n", f[1], substr(f[4], 2), code, f[2], f[3]
        } else if (match($0, /^[^: ][^:]*: (error|warning): /)) {
            split(substr($0, 1, RLENGTH), f, ":")
            printf "%s\t%s\t%s\t0:0\n", f[1], substr(f[2], 2), code
        }
    }'
}

# Fills the associative arrays ERR (file -> sorted unique error codes, space-separated)
# and POS (file -> " CODE@line:col ..." for every error) from diag_rows output in the
# file $1 (a redirection rather than a pipe, so the arrays survive).
declare -A ERR POS
collect_errors() { # rows-file
    local file codes pos
    while IFS=$'\t' read -r file codes pos; do
        ERR[$file]=$codes
        POS[$file]=$pos
    done < <(awk -F'\t' '$2 == "error"' "$1" | sort -t$'\t' -k1,1 -k3,3 -k4,4 | awk -F'\t' '
        $1 != file { if (file != "") print file "\t" codes "\t" pos; file = $1; codes = ""; pos = ""; last = "" }
        { pos = pos " " $3 "@" $4; if ($3 != last) codes = codes (codes == "" ? "" : " ") $3; last = $3 }
        END { if (file != "") print file "\t" codes "\t" pos }')
}

# True when the space-separated spec (CODE or CODE@line:col items) matches exactly the
# error codes of `file`: the same set of codes, and each pinned position present.
matches_exactly() { # file spec
    local file=$1 spec=$2 want="" item
    for item in $spec; do want="$want ${item%%@*}"; done
    want=$(printf '%s\n' $want | sort -u | tr '\n' ' ' | sed 's/ $//')
    [ "$want" = "${ERR[$file]:-}" ] || return 1
    for item in $spec; do
        case $item in *@*) case "${POS[$file]:-} " in *" $item "*) ;; *) return 1 ;; esac ;; esac
    done
}

# ---- asl-real and asl-real-malformed ------------------------------------------------------

declare -A EXPECTED
while IFS=$'\t' read -r file codes _; do
    case $file in '#'* | file | '') continue ;; esac
    EXPECTED[$file]=$codes
done <"$here/expected.tsv"

(cd "$corpus" && "$wfgen" validate --allow-placeholders asl-real/*.asl.json) \
    >/dev/null 2>"$tmp/real.err"
rc=$?
if [ "$rc" -gt 1 ]; then
    bad "asl-real: wfgen exited $rc"
    tail -n 5 "$tmp/real.err"
fi
for f in "$corpus"/asl-real-malformed/*.broken; do
    (cd "$corpus" && timeout 10 "$wfgen" validate "${f#"$corpus"/}" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" -le 1 ] || bad "${f#"$corpus"/}: wfgen exited $rc"
done >>"$tmp/real.err"
diag_rows <"$tmp/real.err" >"$tmp/real.rows"
collect_errors "$tmp/real.rows"

real_ok=0 real_rejected=0
for path in "$corpus"/asl-real/*.asl.json "$corpus"/asl-real-malformed/*.broken; do
    file=${path#"$corpus"/}
    if [ -n "${EXPECTED[$file]+x}" ]; then
        real_rejected=$((real_rejected + 1))
        if matches_exactly "$file" "${EXPECTED[$file]}"; then ok; else
            bad "$file: expected errors ${EXPECTED[$file]}, got ${POS[$file]:- none}"
        fi
        unset "EXPECTED[$file]"
    else
        real_ok=$((real_ok + 1))
        if [ -z "${ERR[$file]:-}" ]; then ok; else
            bad "$file: expected no error, got${POS[$file]}"
            grep -F "$file:" "$tmp/real.err" | grep ': error: ' | head -n 3
        fi
    fi
done
for file in "${!EXPECTED[@]}"; do
    bad "expected.tsv names $file, which is not in the corpus"
done
echo "asl-real(-malformed): $real_ok files must be accepted, $real_rejected rejected (expected.tsv)"

# ---- validator fixtures -----------------------------------------------------------------

declare -A FIX_CODES FIX_STATUS FIX_WHY
while IFS=$'\t' read -r file codes status why; do
    case $file in '#'* | fixture | '') continue ;; esac
    FIX_CODES[$file]=$codes
    FIX_STATUS[$file]=$status
    FIX_WHY[$file]=$why
done <"$here/fixtures.tsv"

for set in asl-validator-fixtures statelint-fixtures; do
    (cd "$corpus" && "$wfgen" validate --allow-placeholders "$set"/valid/*.json \
        "$set"/invalid/*.json) >/dev/null 2>"$tmp/fix.err"
    rc=$?
    if [ "$rc" -gt 1 ]; then
        bad "$set: wfgen exited $rc"
        tail -n 5 "$tmp/fix.err"
    fi
    diag_rows <"$tmp/fix.err" >"$tmp/fix.rows"
    collect_errors "$tmp/fix.rows"
    for path in "$corpus/$set"/valid/*.json "$corpus/$set"/invalid/*.json; do
        file=${path#"$corpus"/}
        kind=${file#"$set"/}
        kind=${kind%%/*}
        if [ -z "${FIX_STATUS[$file]+x}" ]; then
            bad "$file: not listed in fixtures.tsv"
            continue
        fi
        codes=${FIX_CODES[$file]} status=${FIX_STATUS[$file]}
        unset "FIX_STATUS[$file]"
        got=${ERR[$file]:-}
        if [ "$codes" = - ]; then held=$([ -z "$got" ] && echo y); else
            held=y
            for c in $codes; do
                case " $got " in *" ${c%%@*} "*) ;; *) held= ;; esac
                case $c in *@*) case "${POS[$file]:-} " in *" $c "*) ;; *) held= ;; esac ;; esac
            done
            [ -n "$got" ] || held=
        fi
        case $status in
        gap)
            skip=$((skip + 1))
            echo "skip $file: known gap: ${FIX_WHY[$file]}"
            [ -n "$held" ] && echo "  (now reports $codes: mark it ok in fixtures.tsv)"
            ;;
        ok | differs)
            if [ "$status" = ok ] && [ "$kind" = valid ] && [ "$codes" != - ]; then
                bad "$file: fixtures.tsv says ok but lists codes for a valid fixture"
            elif [ "$status" = ok ] && [ "$kind" = invalid ] && [ "$codes" = - ]; then
                bad "$file: fixtures.tsv says ok but accepts an invalid fixture"
            elif [ -n "$held" ]; then ok; else
                bad "$file: expected ${codes/#-/no error}, got errors:${POS[$file]:- none}"
            fi
            ;;
        *) bad "$file: unknown status '$status' in fixtures.tsv" ;;
        esac
    done
done
for file in "${!FIX_STATUS[@]}"; do
    bad "fixtures.tsv names $file, which is not in the corpus"
done

# ---- LocalStack machines: no crash, behaviour recorded ------------------------------------

# One process per file (a crash must not hide the others); the diagnostics are parsed
# afterwards in one pass. ls.out holds "@@ FILE RC" before each file's stderr.
(cd "$corpus/asl-localstack/machines" && for f in *.json; do
    timeout 10 "$wfgen" validate "$f" >/dev/null 2>"$tmp/ls.err" </dev/null
    echo "@@ $f $?"
    cat "$tmp/ls.err"
done) >"$tmp/ls.out"
awk '
    /^@@ / { file = $2; printf "%s\t%s\n", file, $3 >rcs; next }
    /Sanitizer|runtime error:/ { print file >crashed }
    match($0, /\[WF[0-9][0-9][0-9][0-9]\]$/) && /^[^ ]/ { print file "\t" substr($0, RSTART + 1, 6) }
' rcs="$tmp/ls.rcs" crashed="$tmp/ls.crash" "$tmp/ls.out" | sort -u >"$tmp/ls.codes"
awk -F'\t' '
    FILENAME == codes { sep = ($1 in c) ? " " : ""; c[$1] = c[$1] sep $2; next }
    { print $1 "\t" $2 "\t" (($1 in c) ? c[$1] : "-") }
' codes="$tmp/ls.codes" "$tmp/ls.codes" "$tmp/ls.rcs" >"$tmp/ls.body"
{ printf 'file\texit\tcodes\n'; cat "$tmp/ls.body"; } >"$tmp/ls.tsv"
awk -F'\t' '$2 > 1' "$tmp/ls.body" | cut -f1 >>"$tmp/ls.crash"
if [ -s "$tmp/ls.crash" ]; then
    sort -u "$tmp/ls.crash" | while read -r f; do
        echo "CRASH asl-localstack/machines/$f:"
        awk -v f="$f" '/^@@ / { on = ($2 == f); next } on' "$tmp/ls.out" | head -n 20
    done
fi
if [ "${UPDATE:-}" = 1 ]; then
    cp "$tmp/ls.tsv" "$here/localstack-validate.tsv"
fi
declare -A LS
if [ -f "$here/localstack-validate.tsv" ]; then
    while IFS= read -r line; do LS[${line%%$'\t'*}]=$line; done <"$here/localstack-validate.tsv"
fi
while IFS= read -r line; do
    f=${line%%$'\t'*}
    [ "$f" = file ] && continue
    if grep -qxF "$f" "$tmp/ls.crash" 2>/dev/null; then
        bad "asl-localstack/machines/$f: crashed (see above)"
    elif [ "${LS[$f]:-}" = "$line" ]; then
        ok
    else
        was=${LS[$f]:-"$f"$'\t'nothing}
        bad "asl-localstack/machines/$f: now '${line#*$'\t'}', recorded '${was#*$'\t'}'" \
            "(UPDATE=1 tests/corpus/run.sh rewrites localstack-validate.tsv)"
    fi
    unset "LS[$f]"
done <"$tmp/ls.tsv"
for f in "${!LS[@]}"; do
    [ "$f" = file ] || bad "localstack-validate.tsv names $f, which is not in the corpus"
done
cut -f2 "$tmp/ls.tsv" | tail -n +2 | sort | uniq -c |
    awk '{printf "localstack: %d files exit %s\n", $1, $2}'

echo "corpus: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
