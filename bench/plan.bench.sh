#!/bin/sh
# plan.bench.sh -- `demine plan` on the national demo (thousands of hazards,
# the 50 default teams, a 15-year horizon, 100 forecast samples), writing the
# plan_tasks layer, the CSV and the JSON; target under 10 s. The national demo
# is built once and kept in bench/out/plan-national.gpkg. Its risk comes from
# `demine risk map` when BENCH_PLAN_RISK=1 (minutes), else from --prior (the
# planner's work is the same). Also times `demine report` on it.
BIN="$1"
mkdir -p bench/out
DB=bench/out/plan-national.gpkg
if [ ! -f "$DB" ]; then
    echo "building the national demo (once): $DB"
    "$BIN" -q demo "$DB.tmp" --scale national --seed 2 >/dev/null || { rm -f "$DB.tmp"; exit 1; }
    mv "$DB.tmp" "$DB"
fi
PRIOR=--prior
if [ "${BENCH_PLAN_RISK:-0}" = 1 ]; then
    "$BIN" -q risk map "$DB" --out bench/out/plan-national-risk.tif >/dev/null && PRIOR=""
fi
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
median() { sort -n | sed -n 2p; }
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
pl=$(for i in 1 2 3; do t "$BIN" -q plan "$DB" --teams config/teams-default.csv --horizon 15 \
    --start 2026-01-05 --csv "$D/p.csv" --out-json "$D/p.json" $PRIOR; done | median)
nh=$(sqlite3 "$DB" "select count(*) from hazards where status in ('open','partly_released') or status is null" 2>/dev/null)
rp=$(for i in 1 2 3; do t "$BIN" -q report "$DB" --out "$D/r.pdf"; done | median)
printf "plan national (%s open hazards, 50 teams, 15 years) %6.2f s   (target < 10 s)\n" "$nh" "$pl"
printf "report national PDF                                    %6.2f s\n" "$rp"
printf "plan_national\t%s\t\n" "$pl" >> bench/out/results.tsv
printf "report_national\t%s\t\n" "$rp" >> bench/out/results.tsv
