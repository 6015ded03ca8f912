#!/bin/sh
# install-deps.sh -- installs the Debian packages demine builds and tests with,
# when any is missing. Runs apt-get directly as root, through sudo otherwise.
set -e
PKGS="build-essential pkg-config libgdal-dev gdal-bin python3-gdal libgeos-dev libproj-dev proj-bin \
libsqlite3-dev sqlite3 libmicrohttpd-dev libcairo2-dev libsodium-dev libjansson-dev \
poppler-utils"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "demine: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "demine: please install as root: apt-get install$missing" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing
