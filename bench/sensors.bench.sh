#!/bin/sh
# SPDX-License-Identifier: MIT
#
# sensors.bench.sh DEMINE -- speed and quality of the sensor module:
#  * `demine detect` (local RX, 4 bands; contrast, 1 thermal band) on a synthetic
#    1 ha orthomosaic at 1 cm (10000 x 10000 pixels, 400 planted mines), one core
#    and all cores: seconds per hectare (wall and CPU), recall at 1 false alarm
#    per 100 m^2 and average precision;
#  * the same dual-window RX in SciPy on a 0.25 ha crop, side by side;
#  * `demine mag` on a synthetic 1 ha dipole survey: targets found above 5x noise.
# Appends TSV lines (label, wall_s, cpu_s, s_per_ha_wall, s_per_ha_cpu, note) to
# bench/out/results.tsv. Needs ~1.5 GB in $BENCH_TMP (default /tmp).
BIN="${1:-./demine}"
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out
RES=bench/out/results.tsv
T="${BENCH_TMP:-/tmp}/demine-bench-sensors.$$"
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
RUNS="${RUNS:-3}"

# timed LABEL HA NOTE -- CMD...: median of RUNS runs
timed() {
    label=$1; ha=$2; note=$3; shift 4
    : >"$T/times"
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %U %S" -o "$T/t1" "$@" >"$T/out" 2>&1 || { cat "$T/out"; return 1; }
        cat "$T/t1" >>"$T/times"
        i=$((i + 1))
    done
    line=$(awk -v l="$label" -v ha="$ha" -v n="$note" '{ w[NR]=$1; c[NR]=$2+$3 }
        END { for (i=1;i<=NR;i++) for (j=i+1;j<=NR;j++) { if (w[j]<w[i]) { t=w[i]; w[i]=w[j]; w[j]=t }
                                                          if (c[j]<c[i]) { t=c[i]; c[i]=c[j]; c[j]=t } }
              m=int((NR+1)/2); printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", l, w[m], c[m], w[m]/ha, c[m]/ha, n }' "$T/times")
    echo "$line" | tee -a "$RES"
    grep -E "recall|truth" "$T/out" || true
}

echo "label	wall_s	cpu_s	s_per_ha_wall	s_per_ha_cpu	note"
echo "-- generating a 1 ha orthomosaic at 1 cm (4 bands, UInt16) and a 1 band thermal one"
/usr/bin/time -f "%e %M" -o "$T/synth.t" "$BIN" -q detect synth "$T/ms.tif" --size-m 100 --gsd-cm 1 \
    --bands 4 --mines 400 --contrast 5 --seed 1 --uint16 --truth "$T/ms.csv" || exit 1
# written tile by tile: the peak does not grow with the raster (53 MB at 5,000^2 and 15,000^2)
awk '{ printf "detect_synth_1ha_peak\t%.2f\t\t\t\t%.0f MiB peak RSS, 10000 x 10000 px, 4 bands\n", $1, $2 / 1024 }' \
    "$T/synth.t" | tee -a "$RES"
"$BIN" -q detect synth "$T/th.tif" --size-m 100 --gsd-cm 1 --bands 1 --mines 400 \
    --contrast 5 --seed 2 --uint16 --truth "$T/th.csv" || exit 1
timed detect_rx_4band_1core 1 "1 ha, 1 cm, 4 bands" -- \
    "$BIN" -q detect "$T/ms.tif" --method rx --threads 1 --truth "$T/ms.csv"
timed detect_rx_4band_allcores 1 "1 ha, 1 cm, 4 bands" -- \
    "$BIN" -q detect "$T/ms.tif" --method rx --truth "$T/ms.csv"
timed detect_contrast_thermal_1core 1 "1 ha, 1 cm, 1 band" -- \
    "$BIN" -q detect "$T/th.tif" --method contrast --threads 1 --truth "$T/th.csv"
timed detect_rxglobal_4band_1core 1 "1 ha, 1 cm, 4 bands" -- \
    "$BIN" -q detect "$T/ms.tif" --method rx-global --threads 1 --truth "$T/ms.csv"

echo "-- peer: the same dual-window RX in SciPy, on a 0.25 ha crop (whole raster in memory)"
if /usr/bin/python3 -c "import numpy, scipy; from osgeo import gdal" 2>/dev/null; then
    gdal_translate -q -srcwin 0 0 5000 5000 "$T/ms.tif" "$T/crop.tif" 2>/dev/null ||
        "$BIN" -q detect synth "$T/crop.tif" --size-m 50 --bands 4 --mines 100 --contrast 5 --uint16
    RUNS=1 timed peer_scipy_rx_4band 0.25 "0.25 ha crop, SciPy ndimage" -- \
        /usr/bin/python3 bench/peer_rx_scipy.py "$T/crop.tif"
    timed detect_rx_4band_crop_1core 0.25 "0.25 ha crop, demine" -- \
        "$BIN" -q detect "$T/crop.tif" --method rx --threads 1
else
    echo "peer_scipy_rx: skipped (python3 with numpy, scipy and GDAL bindings not installed)"
fi

echo "-- magnetometer: 1 ha survey, lines 0.5 m apart, samples every 0.1 m, 150 targets"
"$BIN" -q mag synth "$T/mag.csv" --size-m 100 --targets 150 --noise-nt 1 --seed 3 \
    --truth "$T/magt.csv" || exit 1
timed mag_1ha 1 "200 lines x 1000 samples" -- \
    "$BIN" -q mag "$T/mag.csv" --truth "$T/magt.csv" --out "$T/magt.geojson"
