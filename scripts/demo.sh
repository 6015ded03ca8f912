#!/bin/sh
# SPDX-License-Identifier: MIT
#
# demo.sh BIN DB -- the main job of `make demo`: build the demo database
# afresh, check it and print its statistics. DEMO_SCALE (small|national) and
# DEMO_SEED choose the scenario. Steps whose command is not built yet are
# skipped with a note.
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
rm -f "$DB" "$DB-journal" "$DB-wal" "$DB-shm"
if ! "$BIN" demo "$DB" --scale "$SCALE" --seed "$SEED"; then
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

step "done: $DB ($(du -h "$DB" | cut -f1))"
echo "   try: $BIN demo --help"
