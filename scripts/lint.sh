#!/bin/sh
# lint.sh -- `make lint`: the layering rule (only src/lib includes internal
# headers; the CLI and the server use include/demine/ alone) and the banned
# functions of CONTRIBUTING.md.
cd "$(dirname "$0")/.." || exit 1
status=0
bad=$(grep -nE '#include "(core|store|geom|io|check|report|model|raster|risk|evidence|records|plan|route|sensors|auth|danger|tiles|demo)/|_internal\.h"' src/cli/*.c src/server/*.c 2>/dev/null)
if [ -n "$bad" ]; then
    echo "lint: the CLI and the server must use only include/demine/:"; echo "$bad"; status=1
fi
banned=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atof|tmpnam)\(' \
    src/lib/*/*.c src/cli/*.c src/server/*.c tests/unit/*.c 2>/dev/null | grep -v '^\s*//')
if [ -n "$banned" ]; then
    echo "lint: banned functions (use snprintf, strtol, strtod, dm__strlcpy, strtok_r):"; echo "$banned"; status=1
fi
# a command's options go through cli_getopt_long, whose messages name the
# option meant and the command's help (getopt's own print neither)
raw=$(grep -nE '(^|[^_a-z])getopt_long\(' src/cli/cmd_*.c src/server/*.c 2>/dev/null)
if [ -n "$raw" ]; then
    echo "lint: commands parse options with cli_getopt_long (src/cli/cli.h), not getopt_long:"; echo "$raw"; status=1
fi
[ $status = 0 ] && echo "lint: ok"
exit $status
