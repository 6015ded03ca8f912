#!/bin/sh
# records.bench.sh -- time `demine records verify` and `demine patterns` on the
# national demo scenario (about 580 records, 100,000 recorded mines, 19,000
# items found, 2,800 hazards), and the capture-curve simulation of pattern-
# guided clearance against lanes. Prints the timings (median of 3) and the
# figures, and appends TSV lines to bench/out/results.tsv. No peer tool does
# this; the figures are the ones to watch.
# Seed 2: the national scenario with seed 1 stops on a demo generator fault
# (an activity geometry that is a collection).
BIN="$1"
D=$(mktemp -d)
mkdir -p bench/out
trap 'rm -rf "$D"' EXIT
"$BIN" -q demo "$D/nat.gpkg" --scale national --seed 2 >/dev/null || { echo "demo failed" >&2; exit 1; }
median() { sort -n | sed -n 2p; }
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
v=$(for i in 1 2 3; do t "$BIN" -q records verify "$D/nat.gpkg" --dry-run; done | median)
p=$(for i in 1 2 3; do t "$BIN" -q patterns "$D/nat.gpkg" --dry-run; done | median)
w=$(t "$BIN" -q records verify "$D/nat.gpkg")
printf "records verify (national, dry run)   %6.2f s\n" "$v"
printf "records verify (national, writing)   %6.2f s\n" "$w"
printf "patterns       (national, dry run)   %6.2f s\n" "$p"
"$BIN" -q records verify "$D/nat.gpkg" --dry-run --json > "$D/v.json"
python3 - "$D/v.json" <<'PY' 2>/dev/null
import json, sys
j = json.load(open(sys.argv[1]))
print("verify: %d of %d records checkable; accuracy %.1f%% (generator %.1f%%); after shifts %.1f%%; "
      "items outside records %.1f%%, accidents %.1f%%" % (j["records_verified"], j["records_examined"],
      100 * j["accuracy_all_mines"], 100 * j["demo_record_accuracy_5m"], 100 * j["accuracy_after_shift"],
      100 * j["outside"]["items_outside"], 100 * j["outside"]["accidents_outside"]))
PY
s=$(date +%s.%N)
"$BIN" -q patterns "$D/nat.gpkg" --simulate --max-fields 200 --json > "$D/s.json"
e=$(date +%s.%N)
printf "patterns --simulate (200 fields each) %6.2f s\n" "$(echo "$e - $s" | bc -l)"
python3 - "$D/s.json" <<'PY' 2>/dev/null
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("doctrinal", "nuisance"):
    a = j[k]
    print("%-9s fields %4d  AUC lanes %.3f local %.3f rows %.3f (+%.1f pts)  area to find all: lanes %.3f "
          "local %.3f rows %.3f (%.1f%% less)" % (k, a["fields"], a["auc_blind"], a["auc_local"], a["auc_guided"],
          a["auc_gain_points"], a["area_all_blind"], a["area_all_local"], a["area_all_guided"],
          a["area_saved_vs_blind_pct"]))
PY
printf "records_verify_national\t%s\t\n" "$v" >> bench/out/results.tsv
printf "patterns_national\t%s\t\n" "$p" >> bench/out/results.tsv
