#!/bin/sh
# run.sh -- `make bench`: runs every bench/*.bench.sh script in name order.
# Each script takes the demine binary as $1, prints its own figures and
# appends TSV lines to bench/out/results.tsv. Peer tools that are not
# installed are reported as skipped, never faked.
BIN="$1"
cd "$(dirname "$0")/.." || exit 1
mkdir -p bench/out
status=0
for s in bench/*.bench.sh; do
    [ -e "$s" ] || continue
    echo "== $s"
    sh "$s" "$BIN" || status=1
done
exit $status
