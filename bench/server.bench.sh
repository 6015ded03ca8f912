#!/bin/sh
# server.bench.sh -- load benchmark of `demine serve` on loopback with wrk:
# risk tiles (z 12-14 over the data set, after one warm-up pass) and the
# statistics endpoint, each for $BENCH_SECONDS (default 10) with 2 wrk
# threads and 16 connections ($BENCH_CONNECTIONS). Target: >= 5000
# requests/s with p99 < 50 ms and zero errors on 2 cores. Prints the figures and appends TSV lines to
# bench/out/results.tsv. Usage: sh bench/server.bench.sh path/to/demine
set -u
BIN="${1:-./demine}"
cd "$(dirname "$0")/.." || exit 1
SECS="${BENCH_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-16}"
if ! command -v wrk >/dev/null 2>&1; then
    echo "server.bench: SKIPPED (wrk not installed: apt-get install wrk)"
    exit 0
fi
BUILD=$(dirname "$BIN")
# the Makefile names its targets relative to the repository
make -s "${BUILD#"$(pwd)"/}/bench_server_data" >/dev/null || exit 1
W=$(mktemp -d)
trap 'kill $SRV 2>/dev/null; rm -rf "$W"' EXIT
"$BUILD/bench_server_data" "$W/b.gpkg" "$W/risk.tif" >/dev/null || exit 1
DEMINE_PW=benchpass1 "$BIN" user add "$W/b.gpkg" bench --role analyst --password-env DEMINE_PW >/dev/null || exit 1
"$BIN" serve "$W/b.gpkg" --port 0 --threads "${BENCH_SERVER_THREADS:-4}" --quiet > "$W/log" 2>&1 &
SRV=$!
for i in $(seq 50); do grep -q listening "$W/log" && break; sleep 0.1; done
URL=$(sed -n 's|.*\(http://127.0.0.1:[0-9]*\)/.*|\1|p' "$W/log")
[ -n "$URL" ] || { echo "server.bench: server did not start"; cat "$W/log"; exit 1; }
TOKEN=$(curl -s -d '{"user":"bench","password":"benchpass1"}' "$URL/api/login" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
cat > "$W/tiles.lua" <<'LUA'
-- every tile of zoom 12-14 over lon 46.70-47.05, lat 39.70-39.97, round robin
local tiles = {}
local function tx(lon, z) return math.floor((lon + 180) / 360 * 2 ^ z) end
local function ty(lat, z)
  local r = math.rad(lat)
  return math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2 ^ z)
end
for z = 12, 14 do
  for x = tx(46.70, z), tx(47.05, z) do
    for y = ty(39.97, z), ty(39.70, z) do
      tiles[#tiles + 1] = string.format("/tiles/risk/%d/%d/%d.png", z, x, y)
    end
  end
end
local i = 0
token = os.getenv("TOKEN")
request = function()
  i = i + 1
  return wrk.format("GET", tiles[(i % #tiles) + 1], { ["Authorization"] = "Bearer " .. token })
end
LUA
export TOKEN
# warm-up: render every tile once with 4 parallel clients (measured apart:
# this is the cost of rendering from the GeoTIFF), and compute the danger
# zones and statistics once
awk 'function tx(lon, z) { return int((lon + 180) / 360 * 2 ^ z) }
     function ty(lat, z,  r) { r = lat * 3.14159265358979 / 180
         return int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / 3.14159265358979) / 2 * 2 ^ z) }
     BEGIN { for (z = 12; z <= 14; z++) for (x = tx(46.70, z); x <= tx(47.05, z); x++)
             for (y = ty(39.97, z); y <= ty(39.70, z); y++) printf "/tiles/risk/%d/%d/%d.png\n", z, x, y }' \
    > "$W/tiles.txt"
NT=$(wc -l < "$W/tiles.txt")
T0=$(date +%s.%N)
sed "s|^|$URL|" "$W/tiles.txt" | xargs -P 4 -n 20 curl -s -H "Authorization: Bearer $TOKEN" > /dev/null
T1=$(date +%s.%N)
WARM=$(awk -v n="$NT" -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", n / (b - a) }')
curl -s -o /dev/null "$URL/api/public/danger"
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/stats"
mkdir -p bench/out
status=0
run() { # name, wrk args...
    name=$1; shift
    wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" > "$W/$name.txt" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$W/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$W/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$W/$name.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$W/$name.txt")
    sockerr=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$W/$name.txt")
    errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
    p99ms=$(echo "$p99" | awk '/us$/ {sub("us",""); print $1/1000; next} /ms$/ {sub("ms",""); print $1; next} /s$/ {sub("s",""); print $1*1000}')
    verdict=ok
    awk -v r="$rps" -v p="$p99ms" -v e="$errors" 'BEGIN { exit !(r >= 5000 && p < 50 && e == 0) }' || verdict=BELOW_TARGET
    [ "$verdict" = ok ] || status=1
    printf 'server.%s: %s req/s, p50 %s, p99 %s, errors %s (%d connections, %ss) %s\n' \
        "$name" "$rps" "$p50" "$p99" "$errors" "$CONNS" "$SECS" "$verdict"
    printf 'server\t%s\treq_per_s\t%s\tp99_ms\t%s\terrors\t%s\t%s\n' "$name" "$rps" "$p99ms" "$errors" \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> bench/out/results.tsv
}
echo "server.tiles_first_render: $NT tiles rendered at ${WARM} tiles/s (4 clients, from the GeoTIFF)"
run tiles -s "$W/tiles.lua" "$URL"
run stats -H "Authorization: Bearer $TOKEN" "$URL/api/stats"
run danger "$URL/api/public/danger"
exit $status
