#!/bin/sh
# route.bench.sh BIN -- the route engine side by side with its peers on the same friction
# rasters, in the same run: least-cost 8-connected path between cells (5, 5) and (n-6, n-6)
# (the far corners, 50 m inside) of a 10 m grid.
#
#   demine search     build/bench-route (bench/bench_route.c): read COST.tif, search, write path
#   demine route      the full command on a risk map equivalent to COST.tif (route_inputs.py)
#   GRASS r.cost      accumulate with outdir, stop at the end cell; then r.path (backtrack)
#   scikit-image      route_through_array (MCP_Geometric)
#
# Environment: SIZES ("4k 10k"), RUNS (3; demine runs), PEER_RUNS (1; the peers take minutes
# at 10k), PEERS ("grass skimage"), ROUTE_BENCH_DATA (/tmp/demine-route-bench; ~2 GB, deleted
# at the end unless KEEP=1).
# Peers that are not installed (grass-core, python3-skimage) are reported as skipped.
# Prints and appends to bench/out/results.tsv: label cells runs wall_median_s peak_rss_MiB
# path_cost (cost per cell units, as r.cost and scikit-image report it) cpu_median_s (user +
# sys: on a shared, oversubscribed machine the wall time is mostly waiting for a core, and the
# CPU time is the fairer comparison).
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${ROUTE_BENCH_DATA:-/tmp/demine-route-bench}
SIZES=${SIZES:-"4k 10k"}
RUNS=${RUNS:-3}
PEER_RUNS=${PEER_RUNS:-1}
RES=$ROOT/bench/out/results.tsv
PY=/usr/bin/python3
mkdir -p "$DATA" "$ROOT/bench/out"
HARNESS=$(dirname "$BIN")/bench-route
make -s -C "$ROOT" bench-route >/dev/null || { echo "route: cannot build bench-route"; exit 1; }
[ -x "$HARNESS" ] || HARNESS=$ROOT/build/bench-route

side() { case $1 in 4k) echo 4000 ;; 10k) echo 10000 ;; *) echo "bad size $1" >&2; exit 2 ;; esac; }
need=""
for s in $SIZES; do [ -f "$DATA/cost_$s.tif" ] && [ -f "$DATA/risk_$s.tif" ] || need="$need $(side "$s")"; done
if [ -n "$need" ]; then
    echo "route: making inputs ($need ) in $DATA"
    # shellcheck disable=SC2086
    $PY "$ROOT/bench/route_inputs.py" "$DATA" $need >/dev/null || { echo "route: no inputs (needs python3-gdal, numpy)"; exit 1; }
fi

# t LABEL CELLS RUNS CMD... : median wall and max peak RSS over RUNS runs; the command's
# stderr+stdout go to $DATA/last.log (of the last run)
t() {
    label=$1 cells=$2 runs=$3; shift 3
    : >"$DATA/times"
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f "%e %M %U %S" -a -o "$DATA/times" "$@" >"$DATA/last.log" 2>&1 || {
            echo "route: FAILED $label"; cat "$DATA/last.log"; return 1; }
        i=$((i + 1))
    done
    wall=$(awk '{print $1}' "$DATA/times" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
    rss=$(awk '{if ($2>m) m=$2} END {printf "%.0f", m/1024}' "$DATA/times")
    cpu=$(awk '{print $3+$4}' "$DATA/times" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
}
row() { # label cells runs cost
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$wall" "$rss" "$4" "$cpu" | tee -a "$RES"
}

PEERS=${PEERS:-"grass skimage"}
have_grass=0; case " $PEERS " in *" grass "*) command -v grass >/dev/null 2>&1 && have_grass=1 ;; esac
have_sk=0; case " $PEERS " in *" skimage "*) $PY -c "import skimage.graph" 2>/dev/null && have_sk=1 ;; esac
LOC=$DATA/grassdb/utm38n/PERMANENT
if [ $have_grass = 1 ]; then
    [ -d "$LOC" ] || grass -c EPSG:32638 -e "$DATA/grassdb/utm38n" >/dev/null 2>&1
    for s in $SIZES; do   # import (not timed), once per size
        [ -f "$DATA/grass_$s.ok" ] && continue
        GRASS_OVERWRITE=1 grass "$LOC" --exec r.in.gdal -o input="$DATA/cost_$s.tif" output="cost_$s" >/dev/null 2>&1 &&
        GRASS_OVERWRITE=1 grass "$LOC" --exec g.region raster="cost_$s" save="r$s" >/dev/null 2>&1 &&
        touch "$DATA/grass_$s.ok"
    done
fi

summary=""
for s in $SIZES; do
    n=$(side "$s"); cells=$((n * n)); e=$((n - 6))
    # cell centres of (5, 5) and (n-6, n-6) in the rasters' CRS (EPSG:32638)
    x0=600055; y0=4469945; x1=$((600000 + n * 10 - 55)); y1=$((4470000 - n * 10 + 55))

    t "route demine search (bench-route) $s" "$cells" "$RUNS" "$HARNESS" "$DATA/cost_$s.tif" 5 5 $e $e "$DATA/path_$s.csv" || exit 1
    ours=$wall; ours_cpu=$cpu; ours_cost=$(sed -n 's/.* cost \([0-9.]*\) .*/\1/p' "$DATA/last.log")
    row "route demine search (bench-route) $s" "$cells" "$RUNS" "$ours_cost"
    sed -n 's/^bench_route /  demine: /p' "$DATA/last.log"
    t "route demine search, one front (bench-route, 1 thread) $s" "$cells" "$RUNS" "$HARNESS" "$DATA/cost_$s.tif" 5 5 $e $e "$DATA/path_$s.csv" 1 || exit 1
    one=$wall; one_cpu=$cpu; one_cost=$(sed -n 's/.* cost \([0-9.]*\) .*/\1/p' "$DATA/last.log")
    row "route demine search, one front (bench-route, 1 thread) $s" "$cells" "$RUNS" "$one_cost"
    sed -n 's/^bench_route /  demine 1 thread: /p' "$DATA/last.log"

    from=$(sed -n 1p "$DATA/points_$s.txt"); to=$(sed -n 2p "$DATA/points_$s.txt")
    t "route demine route CLI (risk map) $s" "$cells" "$RUNS" "$BIN" route --risk "$DATA/risk_$s.tif" \
        --from "$from" --to "$to" --margin 1000000 --json --out "$DATA/route_$s.geojson" || exit 1
    cli_cost=$(sed -n 's/.*"cost":\([0-9.e+]*\).*/\1/p' "$DATA/last.log")
    cli_cost=$(awk -v c="$cli_cost" 'BEGIN { printf "%.4f", c / 10 }')  # per metre x 10 m -> per cell
    row "route demine route CLI (risk map) $s" "$cells" "$RUNS" "$cli_cost"
    cli=$wall; cli_cpu=$cpu

    rc_line="r.cost skipped (grass-core not installed)"
    if [ $have_grass = 1 ]; then
        t "route grass r.cost (8-conn, outdir, stop) $s" "$cells" "$PEER_RUNS" env WIND_OVERRIDE="r$s" GRASS_OVERWRITE=1 \
            grass "$LOC" --exec r.cost input="cost_$s" output="cum_$s" outdir="dir_$s" \
            start_coordinates=$x0,$y0 stop_coordinates=$x1,$y1 memory=16000 || exit 1
        rcost=$wall; rrss=$rss; rcost_cpu=$cpu
        gc=$(WIND_OVERRIDE="r$s" grass "$LOC" --exec r.what map="cum_$s" coordinates=$x1,$y1 2>/dev/null | awk -F'|' '{print $NF}')
        row "route grass r.cost (8-conn, outdir, stop) $s" "$cells" "$PEER_RUNS" "$gc"
        t "route grass r.path (backtrack) $s" "$cells" "$PEER_RUNS" env WIND_OVERRIDE="r$s" GRASS_OVERWRITE=1 \
            grass "$LOC" --exec r.path input="dir_$s" start_coordinates=$x1,$y1 raster_path="path_$s" || exit 1
        row "route grass r.path (backtrack) $s" "$cells" "$PEER_RUNS" ""
        rpath=$wall; rpath_cpu=$cpu
        rc_line=$(awk -v a="$rcost" -v b="$rpath" -v o="$ours" -v c="$cli" -v m="$rrss" -v gc="$gc" -v oc="$ours_cost" \
            -v one="$one" -v ac="$rcost_cpu" -v bc="$rpath_cpu" -v oo="$ours_cpu" -v on="$one_cpu" -v cc="$cli_cpu" \
            'BEGIN { printf "r.cost+r.path %.1f s (%s MiB) = %.1fx the search (%.1fx with one thread), %.1fx the full command; in CPU time %.1f s = %.1fx the search (%.1fx one thread), %.1fx the full command; cost %s vs %s (diff %.2g%%)", a+b, m, (a+b)/o, (a+b)/one, (a+b)/c, ac+bc, (ac+bc)/oo, (ac+bc)/on, (ac+bc)/cc, gc, oc, (gc-oc)/oc*100 }')
    fi
    sk_line="scikit-image skipped (python3-skimage not installed)"
    if [ $have_sk = 1 ]; then
        t "route skimage route_through_array $s" "$cells" "$PEER_RUNS" $PY "$ROOT/bench/route_skimage.py" "$DATA/cost_$s.tif" || exit 1
        skc=$(sed -n 's/.* cost \([0-9.]*\).*/\1/p' "$DATA/last.log")
        row "route skimage route_through_array $s" "$cells" "$PEER_RUNS" "$skc"
        sk_line=$(awk -v a="$wall" -v o="$ours" -v m="$rss" -v k="$skc" -v oc="$ours_cost" \
            'BEGIN { printf "scikit-image %.1f s (%s MiB) = %.1fx; cost %s vs %s", a, m, a/o, k, oc }')
    fi
    summary="$summary
$s: demine search $ours s wall, $ours_cpu s CPU (one thread $one s, $one_cpu s CPU, cost $one_cost), full command $cli s, $cli_cpu s CPU (cost $cli_cost); $rc_line; $sk_line"
done
echo "route summary:$summary"
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$DATA"; fi
