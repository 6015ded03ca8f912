#!/bin/sh
# SPDX-License-Identifier: MIT
#
# demo.sh BIN DB -- the main job of `make demo`: build the demo database
# afresh, check it and print its statistics, measure its records and its
# clearance (quality control), map the risk, rank the settlements for risk
# education, plan the land release with the default team set and write the
# national report and one released hazard's completion report. DEMO_SCALE
# (small|national) and DEMO_SEED choose the scenario. Steps whose command is
# not built yet are skipped with a note.
set -eu

BIN=${1:-}
DB=${2:-}
if [ -z "$BIN" ] || [ -z "$DB" ]; then
    echo "usage: sh scripts/demo.sh BIN DB" >&2
    exit 2
fi
if [ ! -x "$BIN" ]; then
    echo "demo.sh: $BIN is not an executable; run 'make' first" >&2
    exit 1
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STEM=${DB%.*}
SCALE=${DEMO_SCALE:-small}
SEED=${DEMO_SEED:-1}

has_cmd() {
    "$BIN" help 2>/dev/null | grep -q "^  $1 "
}

step() {
    echo
    echo "== $*"
}

step "building the $SCALE demo scenario (seed $SEED) into $DB"
# --force replaces only a database `demine demo` made: DEMO_DB naming an
# agency's own database is refused, not deleted
if ! "$BIN" demo "$DB" --scale "$SCALE" --seed "$SEED" --force; then
    echo "demo.sh: building the demo database failed" >&2
    exit 1
fi

if has_cmd check; then
    step "checking $DB"
    if ! "$BIN" check "$DB"; then
        echo "demo.sh: 'demine check' found problems in $DB" >&2
        exit 1
    fi
else
    step "check: not built yet (skipped)"
fi

if has_cmd stats; then
    step "statistics of $DB"
    "$BIN" stats "$DB"
else
    step "stats: not built yet (skipped)"
fi

if has_cmd records; then
    step "minefield records measured against what clearance found"
    "$BIN" records verify "$DB" | sed -n '/^Records verified/,$p' # the summary, not the table
    step "minefield patterns: rows fitted to the finds, mines predicted where clearance has not been"
    "$BIN" patterns "$DB" --all | tail -n 4
fi

if has_cmd qc; then
    step "quality control: post-clearance inspections measured against the clearance"
    "$BIN" qc "$DB"
fi

HAVE_RISK=0
if has_cmd risk; then
    step "risk map of $DB"
    if "$BIN" risk map "$DB" --out "$STEM-risk.tif"; then
        HAVE_RISK=1
    else
        echo "demo.sh: 'demine risk map' failed" >&2
        exit 1
    fi
    step "the risk map scored against the demo's hidden truth (truth_items)"
    "$BIN" risk eval "$STEM-risk.tif" --truth "$DB:truth_items" --plot "$STEM-risk-score.png"
    step "spot checks for field teams: cells drawn at random in each class of the map"
    rm -f "$STEM-spots.geojson"
    "$BIN" risk spots "$STEM-risk.tif" --n 60 --out "$STEM-spots.geojson"
    step "the demo's teams search the spots (against the hidden truth); the map checked and recalibrated on them"
    rm -f "$STEM-spots-searched.geojson"
    "$BIN" demo search-spots "$DB" "$STEM-spots.geojson" --out "$STEM-spots-searched.geojson"
    "$BIN" risk spots "$STEM-risk.tif" --check "$STEM-spots-searched.geojson"
    "$BIN" risk map "$DB" --no-writeback --spots "$STEM-spots-searched.geojson" \
        --out "$STEM-risk-spots.tif" | grep -E '^(recalibrated|note)' || true
else
    step "risk: not built yet (skipped)"
fi

if has_cmd eore; then
    step "risk education: the settlements near danger that no session reached, ranked"
    "$BIN" eore "$DB" --top 5
fi

if has_cmd plan; then
    step "land release plan of $DB (config/teams-default.csv)"
    PRIOR=""
    [ "$HAVE_RISK" = 1 ] || PRIOR="--prior"
    if ! "$BIN" plan "$DB" --teams "$ROOT/config/teams-default.csv" --csv "$STEM-plan.csv" \
        --out-json "$STEM-plan.json" --evaluate $PRIOR; then
        echo "demo.sh: 'demine plan' failed" >&2
        exit 1
    fi
else
    step "plan: not built yet (skipped)"
fi

if has_cmd report; then
    step "national report of $DB"
    if ! "$BIN" report "$DB" --out "$STEM-report.pdf"; then
        echo "demo.sh: 'demine report' failed" >&2
        exit 1
    fi
    # the completion report and handover certificate of one hazard released
    # and handed over (else closed): what an operator and the national
    # authority sign when the land goes back to its users
    HREF=$("$BIN" list "$DB" hazards --where status=handed_over --limit 1 | awk 'NR == 2 { print $2 }')
    [ -n "$HREF" ] || HREF=$("$BIN" list "$DB" hazards --where status=closed --limit 1 | awk 'NR == 2 { print $2 }')
    if [ -n "$HREF" ]; then
        step "completion report and handover certificate of hazard $HREF"
        if ! "$BIN" report "$DB" --hazard "$HREF" --lang both --out "$STEM-hazard-$HREF.pdf"; then
            echo "demo.sh: 'demine report --hazard' failed" >&2
            exit 1
        fi
    fi
else
    step "report: not built yet (skipped)"
fi

step "done: $DB ($(du -h "$DB" | cut -f1))"
echo "   open $DB in QGIS (styled); the risk map is $STEM-risk.tif (with its legend), its score $STEM-risk-score.png, spots to check $STEM-spots.geojson (searched: $STEM-spots-searched.geojson), the report $STEM-report.pdf${HREF:+, a hazard's completion report $STEM-hazard-$HREF.pdf}"
echo "   web map: $BIN user add $DB admin --role admin   (type a password), then"
echo "            $BIN serve $DB --port 8080   and open http://127.0.0.1:8080/"
