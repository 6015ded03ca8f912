#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ablation.sh -- what each evidence source is worth: the risk map is redone
# with each evidence kind switched off in turn (--disable KIND), then each
# model term (--disable-term NAME), and scored like the main protocol.
# Colombian set (default): evidence to 2012, truth 2013-2019 codes 1,4,8.
# Demo database: ablation.sh --db demo.gpkg  (truth = the demo's truth_items).
# Usage: ablation.sh [--db DB] [--model MODEL.json] [--cell M]
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-./demine}
D=${COLOMBIA:-/work/shared/data/colombia}
DB=""; MODEL=""; CELL=""
while [ $# -gt 0 ]; do
    case $1 in
    --db) DB=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --cell) CELL=$2; shift 2 ;;
    *) echo "usage: ablation.sh [--db DB] [--model MODEL.json] [--cell M]" >&2; exit 2 ;;
    esac
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
M=""; [ -n "$MODEL" ] && M="--model $MODEL"
if [ -n "$DB" ]; then
    CELL=${CELL:-10}
    SRC="$DB --no-writeback"; EVAL="--truth $DB:truth_items"; KINDS="feature hazard record item accident report cleared detection"
else
    CELL=${CELL:-1000}
    SRC="--evidence $D/colombia_events.geojson --aoi $D/antioquia/aoi.geojson --until 2012"
    EVAL="--aoi $D/antioquia/aoi.geojson --truth $D/antioquia/events.geojson --from 2013 --to 2019 --codes 1,4,8"
    KINDS="accident item suspected"
fi
score() { # label extra-map-args...
    label=$1; shift
    $BIN risk map $SRC $M --cell "$CELL" --out "$T/a.tif" "$@" >/dev/null
    $BIN risk eval "$T/a.tif" $EVAL --json | python3 -c "import json,sys; d=json.load(sys.stdin); print('%-34s %.3f %.3f %.3f %.3f' % ((sys.argv[1],) + tuple(d[k] if d[k] is not None else float('nan') for k in ('recall5', 'recall10', 'recall20', 'capture_auc'))))" "$label"
}
echo "switched off                       rec@5 rec@10 rec@20 capture"
score "(nothing)"
for k in $KINDS; do score "kind $k" --disable "$k"; done
if [ -n "$MODEL" ]; then terms=$(python3 -c "import json,sys; print(' '.join(t['name'] for t in json.load(open(sys.argv[1]))['terms']))" "$MODEL")
else terms=$($BIN risk map --help >/dev/null; python3 -c "import json,sys; print(' '.join(t['name'] for t in json.load(open(sys.argv[1]))['terms']))" "$ROOT/models/default.json"); fi
for t in $terms; do score "term $t" --disable-term "$t"; done
