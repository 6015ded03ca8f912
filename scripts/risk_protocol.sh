#!/bin/sh
# SPDX-License-Identifier: MIT
#
# risk_protocol.sh -- the evaluation protocol of the Colombian development set
# (/work/shared/data/colombia/README.md) for a model: (1) evidence up to 2012,
# scored on the events of 2013-2019 with codes 1, 4 and 8 (recall@5/10/20%,
# PAI, capture AUC), also year by year against the kernel-density baseline;
# (2) evidence up to 2008, AUC-ROC over the labelled cells. Baselines are
# computed the same way (kernel density sigma 1 and 2 km; distance to past
# events). Usage: risk_protocol.sh [MODEL.json] [CELL_M]   (default model, 1000 m)
# Environment: COLOMBIA (the data set's folder), REGION (its sub-folder with
# aoi.geojson, events.geojson and cells.geojson; default antioquia), EVIDENCE
# (space-separated evidence files; default the country's events, which hold
# Antioquia's: add a region's own events.geojson when they are not in it),
# COVARGS (extra `risk map` arguments, e.g. --covariate NAME=RASTER).
set -e
BIN=${BIN:-./demine}
D=${COLOMBIA:-/work/shared/data/colombia}
MODEL=${1:-}
CELL=${2:-1000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
R="$D/${REGION:-antioquia}"
EVARGS=""
for f in ${EVIDENCE:-$D/colombia_events.geojson}; do EVARGS="$EVARGS --evidence $f"; done
AOI="$R/aoi.geojson"
TRUTH="$R/events.geojson"
CELLS="$R/cells.geojson"
K='"kinds":["accident","item","suspected","report"]'
for s in 1000 2000; do
    echo "{\"name\":\"kde${s}\",\"intercept\":0,\"ref_cell_m\":$CELL,\"terms\":[{\"name\":\"kde\",\"type\":\"kernel\",$K,\"width_m\":$s,\"weight\":1}]}" >"$T/kde$s.json"
done
echo "{\"name\":\"dist\",\"intercept\":0,\"ref_cell_m\":$CELL,\"terms\":[{\"name\":\"d\",\"type\":\"distance\",$K,\"width_m\":50000,\"scale_m\":1000,\"weight\":-1}]}" >"$T/dist.json"
map() { # model until out
    if [ -n "$1" ]; then m="--model $1"; else m=""; fi
    $BIN risk map $m $EVARGS --aoi "$AOI" --until "$2" --cell "$CELL" --out "$3" $COVARGS >/dev/null
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(' '.join('%.3f' % d[k] if d.get(k) is not None else '-' for k in sys.argv[1:]))" "$@"; }
printf "%-22s %9s %9s %9s %6s %8s %9s\n" map recall@5 recall@10 recall@20 PAI10 capture AUC_lab
for name in model kde1000 kde2000 dist; do
    case $name in model) mf="$MODEL" ;; *) mf="$T/$name.json" ;; esac
    map "$mf" 2012 "$T/$name-12.tif"
    map "$mf" 2008 "$T/$name-08.tif"
    a=$($BIN risk eval "$T/$name-12.tif" --aoi "$AOI" --truth "$TRUTH" --from 2013 --to 2019 --codes 1,4,8 --json | field recall5 recall10 recall20 pai10 capture_auc)
    b=$($BIN risk eval "$T/$name-08.tif" --aoi "$AOI" --truth "$TRUTH" --labels "$CELLS" --json | field auc)
    printf "%-22s %9s %9s %9s %6s %8s %9s\n" "$name" $a $b
done
echo "recall@10% year by year (model vs kernel density 1 km):"
for y in 2013 2014 2015 2016 2017 2018 2019; do
    # a year without events of these codes is refused by eval (nothing to score)
    if ! m=$( ($BIN risk eval "$T/model-12.tif" --aoi "$AOI" --truth "$TRUTH" --from $y --to $y --codes 1,4,8 --json | field recall10 truth_inside) 2>/dev/null); then
        echo "  $y: no events"
        continue
    fi
    k=$($BIN risk eval "$T/kde1000-12.tif" --aoi "$AOI" --truth "$TRUTH" --from $y --to $y --codes 1,4,8 --json | field recall10)
    echo "  $y: model $m (events) baseline $k"
done
# Protocol 2 with a model fitted on the labels themselves: `risk fit` on the
# cells of every other municipality (sorted by name), scored on the rest,
# and back, against the model and the distance baseline on the same cells.
echo "labelled AUC with a municipality split (fitted on one half, scored on the other):"
python3 - "$CELLS" "$T" <<'PY' || { echo "  (the cells carry fewer than two municipalities: no split)"; exit 0; }
import json, sys
d = json.load(open(sys.argv[1]))
ms = sorted({f['properties'].get('municipality') or '' for f in d['features']})
if len(ms) < 2:
    sys.exit(3)
for k in (0, 1):
    sel = set(ms[k::2])
    part = [f for f in d['features'] if (f['properties'].get('municipality') or '') in sel]
    json.dump({'type': 'FeatureCollection', 'features': part}, open('%s/cells%d.geojson' % (sys.argv[2], k), 'w'))
    json.dump({'type': 'FeatureCollection', 'features': [
        {'type': 'Feature', 'properties': {}, 'geometry': f['geometry']} for f in part]},
        open('%s/aoi%d.geojson' % (sys.argv[2], k), 'w'))
PY
base=""
[ -n "$MODEL" ] && base="--model $MODEL"
for k in 0 1; do
    o=$((1 - k))
    $BIN risk fit $base $EVARGS --aoi "$AOI" --until 2008 --cell "$CELL" --labels "$T/cells$k.geojson" \
        --out "$T/fit$k.json" $COVARGS >/dev/null 2>&1
    map "$T/fit$k.json" 2008 "$T/fit$k-08.tif"
    f=$($BIN risk eval "$T/fit$k-08.tif" --aoi "$T/aoi$o.geojson" --labels "$T/cells$o.geojson" --json | field auc ece)
    m=$($BIN risk eval "$T/model-08.tif" --aoi "$T/aoi$o.geojson" --labels "$T/cells$o.geojson" --json | field auc ece)
    b=$($BIN risk eval "$T/dist-08.tif" --aoi "$T/aoi$o.geojson" --labels "$T/cells$o.geojson" --json | field auc)
    echo "  half $o: fitted $f (AUC, reliability gap)  model $m  distance $b"
done
