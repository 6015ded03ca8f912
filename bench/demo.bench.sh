#!/bin/sh
# demo.bench.sh -- speed of the demo scenario generator: `demine demo` at
# small (~100 km2) and national (~8,000 km2) scale, seed 1; prints the time,
# the rows written and rows per second. No peer tool makes such scenarios,
# so there is no ratio. DEMO_BENCH_RUNS sets the runs per scale (median).
BIN="$1"
D=$(mktemp -d)
mkdir -p bench/out
trap 'rm -rf "$D"' EXIT
RUNS=${DEMO_BENCH_RUNS:-3}
for scale in small national; do
    n=$RUNS
    [ "$scale" = national ] && [ "$RUNS" -gt 1 ] && n=1
    best=""
    times=""
    for i in $(seq 1 "$n"); do
        rm -f "$D/demo.gpkg"
        s=$(date +%s.%N)
        "$BIN" -q demo "$D/demo.gpkg" --scale $scale --seed 1 --json > "$D/sum.json" || { echo "FAILED: demo $scale" >&2; exit 1; }
        e=$(date +%s.%N)
        times="$times $(echo "$e - $s" | bc -l)"
    done
    med=$(for x in $times; do echo "$x"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    rows=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['counts']; print(sum(c.values()))" "$D/sum.json")
    printf "demo %-8s %7.2f s   %7d rows   %8.0f rows/s   (%s)\n" $scale "$med" "$rows" "$(echo "$rows / $med" | bc -l)" "$(du -h "$D/demo.gpkg" | cut -f1)"
    printf "demo_%s\t%s\t%s\n" $scale "$med" "$rows" >> bench/out/results.tsv
done
