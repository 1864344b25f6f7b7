#!/bin/bash
# Installs the Node peers of package.json into tests/node/node_modules (git-ignored), for
# tests and benchmarks only. Idempotent: a stamp holding package.json's sha256 marks a
# finished install, and a matching stamp makes this a no-op. Exit 4: no npm and not root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stamp=$here/node_modules/.wfgen-stamp
want=$(sha256sum "$here/package.json")
want=${want%% *}

if [ -d "$here/node_modules" ] && [ -f "$stamp" ] && [ "$(<"$stamp")" = "$want" ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "tests/node/setup.sh: node and npm are needed for the Node peer tests;" \
             "install them (Debian: apt-get install nodejs npm) or run as root" >&2
        exit 4
    fi
    echo "tests/node/setup.sh: installing Debian's nodejs and npm" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }; then
        echo "tests/node/setup.sh: apt-get could not install nodejs and npm" >&2
        exit 4
    fi
fi

# A half-finished install must not look finished: drop the stamp before npm runs.
rm -f "$stamp"
echo "tests/node/setup.sh: npm install (package.json changed or first run)" >&2
if ! (cd "$here" && npm install --no-audit --no-fund --silent); then
    echo "tests/node/setup.sh: npm install failed; run 'npm install' in tests/node" \
         "to see why" >&2
    exit 1
fi
printf '%s\n' "$want" >"$stamp"
