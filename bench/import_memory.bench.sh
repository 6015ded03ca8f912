#!/bin/sh
# SPDX-License-Identifier: MIT
#
# import_memory.bench.sh -- memory and time of `demine import` of N item
# points from CSV (bench/gen_import_csv.py) in one transaction: into a new
# database, and into one already holding the same number of rows (its
# indexes are updated at random places). Prints seconds, peak MiB and bytes
# per row above an import of 100 rows (the program's own ~50 MiB: code,
# GDAL, PROJ), each the median of RUNS runs.
# Usage: import_memory.bench.sh DEMINE_BIN
# Environment: ROWS (default 300000), RUNS (default 3).
BIN=${1:-./demine}
ROWS=${ROWS:-300000}
RUNS=${RUNS:-3}
OUT=bench/out
mkdir -p "$OUT"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
python3 "$(dirname "$0")/gen_import_csv.py" "$D/items.csv" "$ROWS" || exit 1
"$BIN" -q init "$D/base.gpkg" >/dev/null || exit 1
"$BIN" -q import "$D/base.gpkg" --layer items "$D/items.csv" >/dev/null || exit 1
# the second import's points lie 5e-8 degrees east of the first's
sed '2,$s/^\([0-9.]*\),/\15,/' "$D/items.csv" > "$D/items2.csv"
head -101 "$D/items.csv" > "$D/small.csv"
"$BIN" -q init "$D/small.gpkg" >/dev/null
/usr/bin/time -f "%e %M" -o "$D/t" "$BIN" -q import "$D/small.gpkg" --layer items "$D/small.csv" >/dev/null || exit 1
kb0=$(tail -1 "$D/t" | awk '{print $2}')
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
echo "import of $ROWS item points from CSV (median of $RUNS runs):"
printf "%-22s %9s %10s %10s\n" into seconds "peak MiB" "bytes/row"
for into in new existing; do
    r=""
    for i in $(seq "$RUNS"); do
        rm -f "$D/db.gpkg" "$D/db.gpkg-journal"
        if [ $into = new ]; then "$BIN" -q init "$D/db.gpkg" >/dev/null; f="$D/items.csv"
        else cp "$D/base.gpkg" "$D/db.gpkg"; f="$D/items2.csv"; fi
        /usr/bin/time -f "%e %M" -o "$D/t" "$BIN" -q import "$D/db.gpkg" --layer items "$f" >/dev/null 2>"$D/err" ||
            { echo "  $into: failed: $(tail -1 "$D/err")"; continue 2; }
        r="$r$(tail -1 "$D/t")
"
    done
    secs=$(printf "%s" "$r" | awk '{print $1}' | median)
    kb=$(printf "%s" "$r" | awk '{print $2}' | median)
    printf "%-22s %9.2f %10.1f %10.0f\n" "$into database" "$secs" "$(echo "$kb / 1024" | bc -l)" \
        "$(echo "($kb - $kb0) * 1024 / $ROWS" | bc -l)"
    printf "import_memory_%s\t%s\t%s\n" $into "$secs" "$kb" >> "$OUT/results.tsv"
done
