#!/bin/sh
# import.bench.sh -- import speed: 100,000 items and 10,000 hazard polygons from
# GeoJSON, demine import (checks every value and geometry, logs every row in
# the change log, one transaction) side by side with ogr2ogr loading the same
# file into a GeoPackage. Prints medians of 3 runs and the ratio.
BIN="$1"
D=$(mktemp -d)
mkdir -p bench/out
trap 'rm -rf "$D"' EXIT
python3 "$(dirname "$0")/gen_import.py" "$D" 100000 10000 || exit 1
have_ogr=1; command -v ogr2ogr >/dev/null || have_ogr=0
median() { sort -n | sed -n 2p; }
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
for layer in items hazards; do
    dm=$(for i in 1 2 3; do rm -f "$D/db.gpkg"; "$BIN" -q init "$D/db.gpkg" >/dev/null; t "$BIN" -q import "$D/db.gpkg" --layer $layer "$D/$layer.geojson"; done | median)
    if [ $have_ogr = 1 ]; then
        og=$(for i in 1 2 3; do rm -f "$D/o.gpkg"; t ogr2ogr -f GPKG "$D/o.gpkg" "$D/$layer.geojson"; done | median)
        printf "import %-8s demine %6.2f s   ogr2ogr %6.2f s   ratio demine/ogr2ogr %.2f\n" $layer "$dm" "$og" "$(echo "$dm / $og" | bc -l)"
        printf "import_%s\t%s\t%s\n" $layer "$dm" "$og" >> bench/out/results.tsv
    else
        printf "import %-8s demine %6.2f s   (ogr2ogr not installed: skipped)\n" $layer "$dm"
    fi
done
