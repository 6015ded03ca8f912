#!/bin/sh
# SPDX-License-Identifier: MIT
#
# risk.bench.sh -- the risk engine against its peers, side by side on the same
# files in the same run: exact distance raster vs gdal_proximity.py, weighted
# sum of four layers vs gdal_calc.py (both end to end, files in and out), and
# the full risk map of synthetic evidence at three sizes (linear scaling, peak
# memory). demine uses every core, the Python peers one: on a busy machine
# the ratios shrink. Inputs: the shared peer inputs (make_inputs.py) in $ANCHOR_DATA,
# generated when missing and Debian's python3-gdal is there; peers that are
# not installed are reported as skipped. Usage: risk.bench.sh DEMINE_BIN
# Environment: RUNS (default 3), SIZES (km2, default "2000 4000 8000").
BIN=${1:-./demine}
DATA=${ANCHOR_DATA:-/tmp/anchors-data}
RUNS=${RUNS:-3}
SIZES=${SIZES:-"2000 4000 8000"}
OUT=bench/out
mkdir -p "$OUT"
RES="$OUT/results.tsv"
PEERS=/work/shared/bench/peers

# time CMD RUNS times; print "median_s peak_MiB"
timed() {
    tf=$(mktemp)
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$tf" -a "$@" >/dev/null 2>&1 || { rm -f "$tf"; echo "fail fail"; return; }
        i=$((i + 1))
    done
    sort -g "$tf" | awk '{ w[NR]=$1; if ($2>m) m=$2 } END { printf "%s %.0f\n", w[int((NR+1)/2)], m/1024 }'
    rm -f "$tf"
}

row() { # label seconds mib [ratio]
    printf "%-46s %8s s %7s MiB %s\n" "$1" "$2" "$3" "${4:-}"
    printf "risk\t%s\t%s\t%s\t%s\n" "$1" "$2" "$3" "${4:-}" >>"$RES"
}

if [ ! -f "$DATA/features_10k.tif" ]; then
    if [ -f "$PEERS/make_inputs.py" ] && /usr/bin/python3 -c "import numpy; from osgeo import gdal" 2>/dev/null; then
        echo "generating peer inputs in $DATA (make_inputs.py)"
        ANCHOR_DATA="$DATA" /usr/bin/python3 "$PEERS/make_inputs.py" >/dev/null || exit 1
    else
        echo "skipped: no inputs in $DATA and no python3-gdal to make them"
    fi
fi

if [ -f "$DATA/features_10k.tif" ]; then
    echo "distance raster 10000 x 10000, exact, from roads/houses/bridges/cemeteries:"
    if command -v gdal_proximity.py >/dev/null; then
        set -- $(timed gdal_proximity.py -q "$DATA/features_10k.tif" "$OUT/prox_gdal.tif" -values 1,2,3,4 -distunits GEO -ot Float32 -co TILED=YES)
        pg=$1; row "edt gdal_proximity.py 10k" "$1" "$2"
    else
        pg=""; echo "  gdal_proximity.py: skipped (not installed)"
    fi
    set -- $(timed "$BIN" risk distance "$DATA/features_10k.tif" "$OUT/prox_demine.tif" --values 1,2,3,4)
    r=""; [ -n "$pg" ] && r=$(awk -v a="$pg" -v b="$1" 'BEGIN { printf "%.1fx faster", a/b }')
    row "edt demine risk distance 10k" "$1" "$2" "$r"

    echo "weighted sum of four Float32 layers 10000 x 10000:"
    if command -v gdal_calc.py >/dev/null; then
        set -- $(timed gdal_calc.py --quiet -A "$DATA/ev1_10k.tif" -B "$DATA/ev2_10k.tif" -C "$DATA/ev3_10k.tif" -D "$DATA/ev4_10k.tif" --outfile="$OUT/fused_gdal.tif" --calc="0.8*A+1.2*B-0.5*C+0.3*D" --type=Float32 --co=TILED=YES --overwrite)
        pc=$1; row "fusion gdal_calc.py 4 layers 10k" "$1" "$2"
    else
        pc=""; echo "  gdal_calc.py: skipped (not installed)"
    fi
    set -- $(timed "$BIN" risk sum "$OUT/fused_demine.tif" 0.8 "$DATA/ev1_10k.tif" 1.2 "$DATA/ev2_10k.tif" -0.5 "$DATA/ev3_10k.tif" 0.3 "$DATA/ev4_10k.tif")
    r=""; [ -n "$pc" ] && r=$(awk -v a="$pc" -v b="$1" 'BEGIN { printf "%.1fx faster", a/b }')
    row "fusion demine risk sum 10k" "$1" "$2" "$r"
    rm -f "$OUT"/prox_*.tif "$OUT"/fused_*.tif
fi

echo "full risk map at 10 m, synthetic evidence (all terms), on $(nproc) cores:"
for s in $SIZES; do
    d="$OUT/synth$s"
    [ -f "$d/evidence.geojson" ] || python3 scripts/synth_evidence.py "$s" "$d" >/dev/null || continue
    RUNS=1 timed "$BIN" risk map --evidence "$d/evidence.geojson" --aoi "$d/aoi.geojson" --cell 10 --out "$d/risk.tif" >"$OUT/map$s.txt"
    set -- $(cat "$OUT/map$s.txt")
    cells=$(gdalinfo "$d/risk.tif" 2>/dev/null | awk '/^Size is/ { gsub(",", ""); print $3 * $4 }')
    rate=$(awk -v c="$cells" -v t="$1" 'BEGIN { if (t > 0) printf "%.2f Mcells/s", c / t / 1e6 }')
    row "risk map ${s} km2 (${cells} cells)" "$1" "$2" "$rate"
    rm -f "$d/risk.tif"
done
