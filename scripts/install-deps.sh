#!/bin/sh
# install-deps.sh -- installs the Debian packages demine builds and tests with,
# when any is missing. Runs apt-get directly as root, through sudo otherwise.
set -e
PKGS="build-essential pkg-config libgdal-dev gdal-bin python3-gdal libgeos-dev libproj-dev proj-bin \
libsqlite3-dev sqlite3 libmicrohttpd-dev libcairo2-dev libsodium-dev libjansson-dev zlib1g-dev \
poppler-utils"
# With --test: also what the tests need (a browser for the web map test);
# these extras are installed on a best-effort basis.
EXTRA=""
if [ "${1:-}" = "--test" ]; then
    EXTRA="chromium"
    command -v npm >/dev/null || EXTRA="$EXTRA nodejs npm"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
browser_deps() {
    # The web map test drives Debian's chromium with playwright-core (pinned).
    if [ "${1:-}" = "--test" ] && command -v npm >/dev/null &&
        [ ! -d tests/browser/node_modules/playwright-core ]; then
        echo "demine: installing the browser test's npm packages (tests/browser)" >&2
        (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) ||
            echo "demine: warning: npm ci failed; the browser test will be skipped" >&2
    fi
    return 0
}
extra_missing=""
for p in $EXTRA; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || extra_missing="$extra_missing $p"
done
if [ -z "$missing" ] && [ -z "$extra_missing" ]; then
    browser_deps "${1:-}"
    exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    [ -n "$missing" ] && { echo "demine: please install as root: apt-get install$missing" >&2; exit 1; }
    echo "demine: warning: cannot install$extra_missing (not root); some tests will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
    echo "demine: installing missing Debian packages:$missing" >&2
    $SUDO apt-get install -y -qq $missing
fi
if [ -n "$extra_missing" ]; then
    echo "demine: installing packages for the tests:$extra_missing" >&2
    $SUDO apt-get install -y -qq $extra_missing ||
        echo "demine: warning: could not install$extra_missing; some tests will be skipped" >&2
fi
browser_deps "${1:-}"
