#!/bin/sh
# SPDX-License-Identifier: MIT
#
# risk_regions.sh -- does a risk model generalise? The protocol of the
# Colombian development set (evidence up to 2012, scored on the events of
# 2013-2019 with codes 1, 4 and 8, recall@10% of the area at 1 km) run in
# every department with at least MIN_EVENTS such events, for MODEL and for
# the kernel-density baseline (sigma 1 km), side by side. Study areas come
# from scripts/colombia_regions.py (land within 10 km of the events). The
# summary leaves eastern Antioquia's department out, so that a model chosen
# on it is not chosen on the region it is scored on.
# Usage: risk_regions.sh [MODEL.json ...]   (default: the built-in model)
set -e
BIN=${BIN:-./demine}
D=${COLOMBIA:-/work/shared/data/colombia}
MIN_EVENTS=${MIN_EVENTS:-30}
R=${REGIONS:-/tmp/demine-regions}
EV="$D/colombia_events.geojson"
if [ ! -d "$R" ] && ! /usr/bin/python3 -c 'import numpy, scipy, osgeo' 2>/dev/null; then
    echo "risk_regions.sh: scripts/colombia_regions.py needs Debian's python3-gdal, python3-numpy and" \
        "python3-scipy (apt-get install python3-gdal python3-numpy python3-scipy)" >&2
    exit 2
fi
[ -d "$R" ] || /usr/bin/python3 "$(dirname "$0")/colombia_regions.py" "$EV" "$R" >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
K='"kinds":["accident","item","suspected","report"]'
echo "{\"name\":\"kde1000\",\"intercept\":0,\"ref_cell_m\":1000,\"terms\":[{\"name\":\"kde\",\"type\":\"kernel\",$K,\"width_m\":1000,\"weight\":1}]}" >"$T/kde.json"
[ $# -gt 0 ] || set -- default
score() { # model-or-default dir -> "recall10 events"
    if [ "$1" = default ]; then m=""; else m="--model $1"; fi
    $BIN risk map $m --evidence "$EV" --aoi "$2/aoi.geojson" --until 2012 --cell 1000 --out "$T/m.tif" >/dev/null 2>&1 || { echo "- 0"; return; }
    $BIN risk eval "$T/m.tif" --aoi "$2/aoi.geojson" --truth "$2/truth.geojson" --from 2013 --to 2019 --codes 1,4,8 --json |
        python3 -c "import json,sys; d=json.load(sys.stdin); print('%.3f %d' % (d['recall10'] or 0, d['truth_inside']))"
}
printf "%-22s %6s %8s" department events kde1000
for m in "$@"; do printf " %12s" "$(basename "$m" .json)"; done
echo
for dir in "$R"/*/; do
    dep=$(basename "$dir")
    set -- $(score "$T/kde.json" "$dir") "$@"
    k=$1 n=$2; shift 2
    [ "$n" -ge "$MIN_EVENTS" ] || continue
    line=$(printf "%-22s %6d %8s" "$dep" "$n" "$k")
    for m in "$@"; do set -- $(score "$m" "$dir") "$@"; line="$line $(printf " %12s" "$1")"; echo "$dep $n $k $1 $(basename "$m" .json)" >>"$T/rows"; shift 2; done
    echo "$line"
done
echo "mean over departments other than ANTIOQUIA (recall@10%; wins and losses against kde1000):"
awk '$1 != "ANTIOQUIA" { s[$5] += $4; b[$5] += $3; n[$5]++; if ($4 > $3 + 1e-9) w[$5]++; if ($4 < $3 - 1e-9) l[$5]++ }
     END { for (m in s) printf "  %-16s %.3f (kde1000 %.3f) wins %d losses %d of %d\n", m, s[m] / n[m], b[m] / n[m], w[m], l[m], n[m] }' "$T/rows"
