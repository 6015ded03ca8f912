#!/bin/sh
# fuzz.sh -- build each tests/fuzz/fuzz_*.c target with clang's libFuzzer,
# ASan and UBSan against the library sources, and run it for $1 seconds
# (default 60) on its corpus in tests/fuzz/corpus/<name>/. FUZZ_BUILD names
# the directory for the binaries and the corpus they grow (default
# build-fuzz); FUZZ_ONLY one target (e.g. request).
set -e
SECS=${1:-60}
B=${FUZZ_BUILD:-build-fuzz}
cd "$(dirname "$0")/.."
command -v clang >/dev/null || { echo "fuzz: clang is not installed" >&2; exit 1; }
PKGS="gdal geos proj sqlite3 libmicrohttpd cairo libsodium jansson zlib"
CF="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iinclude -Isrc/lib $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm -pthread"
mkdir -p "$B"
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c); name=${name#fuzz_}
    [ -z "$FUZZ_ONLY" ] || [ "$FUZZ_ONLY" = "$name" ] || continue
    echo "== fuzz $name for $SECS s"
    clang $CF -o "$B/fuzz_$name" "$t" src/lib/*/*.c $LIBS
    mkdir -p tests/fuzz/corpus/$name "$B/corpus-$name"
    ASAN_OPTIONS=detect_leaks=1 "$B/fuzz_$name" -max_total_time="$SECS" -max_len=4096 \
        -timeout=10 -artifact_prefix="$B/" "$B/corpus-$name" tests/fuzz/corpus/$name
done
