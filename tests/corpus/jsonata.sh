#!/usr/bin/env bash
# Runs the JSONata conformance suite (jsonata-suite/ of the shared corpus: 1,686 cases)
# against wfgen's engine in plain-JSONata mode, in one process (tests/corpus/
# jsonata_suite.c linked against libwfgen.a). Prints "jsonata: N passed, N failed,
# N skipped", writes the failing cases to $FAILURES, and fails only on regressions: a
# failing case not listed in tests/jsonata/known-failures.txt.
#   CORPUS=DIR  shared corpus (default ../shared/corpus)   VARIANT=release|debug|san
set -u
export LC_ALL=C TZ=UTC
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
suite=$corpus/jsonata-suite
variant=${VARIANT:-release}
build=${BUILD:-$root/build/$variant}
known=$root/tests/jsonata/known-failures.txt
failures=${FAILURES:-$build/jsonata-suite-failures.txt}
if [ ! -d "$suite/groups" ]; then
    echo "jsonata: no suite at $suite" >&2
    exit 2
fi
make -C "$root" -s VARIANT="$variant" BUILD="$build" "$build/libwfgen.a" || exit 2
san=
[ "$variant" = san ] && san="-fsanitize=address,undefined"
driver=$build/tests/jsonata_suite
mkdir -p "$build/tests"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g $san -I"$root/src" \
    "$root/tests/corpus/jsonata_suite.c" "$build/libwfgen.a" \
    $(pkg-config --libs jansson yaml-0.1 libpcre2-8 libcrypto) -lm -o "$driver" || exit 2
"$driver" "$suite" "$failures" || exit 2
regress=$(grep -v '^#' "$known" | cut -d' ' -f1 | sed '/^$/d' | sort | comm -13 - <(sort "$failures"))
fixed=$(grep -v '^#' "$known" | cut -d' ' -f1 | sed '/^$/d' | sort | comm -23 - <(sort "$failures"))
if [ -n "$fixed" ]; then
    echo "jsonata: now passing (remove from $(basename "$known")):"
    printf '  %s\n' $fixed
fi
if [ -n "$regress" ]; then
    echo "jsonata: regressions (failing, not in $(basename "$known")):"
    printf '  %s\n' $regress
    exit 1
fi
exit 0
