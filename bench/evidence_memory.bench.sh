#!/bin/sh
# SPDX-License-Identifier: MIT
#
# evidence_memory.bench.sh -- memory of evidence in the risk map: `demine risk
# map` of N synthetic evidence points (bench/gen_evidence_points.py: kind,
# date, code, ordnance, municipality; clustered over about 2000 km2, as a
# GeoPackage when ogr2ogr is installed, else CSV) at 10 m cells, one run per
# size; prints items, seconds and peak MiB, and the bytes per item above the
# smallest size (the map's own buffers and GDAL's cache are the same at every
# size). One map at a time: the sizes run one after the other.
# Usage: evidence_memory.bench.sh DEMINE_BIN
# Environment: SIZES (points, default "100000 1000000"; "100000 1000000
# 3000000 10000000" for the national case, about 2 GB and a minute at 10 M),
# EVIDENCE_DATA (where the inputs are kept between runs, default
# /tmp/demine-evidence-points).
BIN=${1:-./demine}
SIZES=${SIZES:-"100000 1000000"}
DATA=${EVIDENCE_DATA:-/tmp/demine-evidence-points}
OUT=bench/out
mkdir -p "$OUT" "$DATA"
RES="$OUT/results.tsv"

echo "risk map at 10 m of N evidence points over ~2000 km2 (peak RSS, one run each):"
printf "%12s %9s %10s %14s\n" items seconds "peak MiB" "bytes/item"
base_n=""
base_kb=""
for n in $SIZES; do
    f=$(python3 bench/gen_evidence_points.py "$n" "$DATA") || { echo "  $n: cannot generate the input"; continue; }
    tf=$(mktemp)
    if ! /usr/bin/time -f "%e %M" -o "$tf" "$BIN" -q risk map --aoi "$DATA/aoi.geojson" --evidence "$f" \
            --out "$OUT/evidence_memory.tif" --cell 10 >/dev/null 2>"$OUT/evidence_memory.err"; then
        echo "  $n: failed: $(tail -1 "$OUT/evidence_memory.err")"
        rm -f "$tf"
        continue
    fi
    set -- $(tail -1 "$tf")
    rm -f "$tf"
    secs=$1
    kb=$2
    per=""
    if [ -n "$base_n" ] && [ "$n" -gt "$base_n" ]; then
        per=$(awk -v a="$kb" -v b="$base_kb" -v n="$n" -v m="$base_n" 'BEGIN { printf "%.0f", (a - b) * 1024 / (n - m) }')
    fi
    [ -z "$base_n" ] && base_n=$n && base_kb=$kb
    mib=$(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }')
    printf "%12s %9s %10s %14s\n" "$n" "$secs" "$mib" "$per"
    printf "evidence_memory\t%s points\t%s\t%s\t%s\n" "$n" "$secs" "$mib" "$per" >>"$RES"
done
rm -f "$OUT/evidence_memory.tif" "$OUT/evidence_memory.qml" "$OUT/evidence_memory.err"
