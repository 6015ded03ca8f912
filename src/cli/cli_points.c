/* SPDX-License-Identifier: MIT
 *
 * cli_points.c -- a place typed in an option as LON,LAT (route --from/--to,
 * risk explain --at), read alike by every command, and the one refusal of a
 * place given latitude first (as a map app or GPS copies it).
 */
#include "cli.h"

#include <stdlib.h>

int cli_parse_lonlat(const char *cmd, const char *opt, const char *s, double *lon, double *lat)
{
    char *end = NULL;
    *lon = strtod(s, &end);
    if (end == s || *end != ',') {
        cli_usage_error(cmd, "%s expects LON,LAT in degrees, got '%s'", opt, s);
        return 0;
    }
    const char *t = end + 1;
    *lat = strtod(t, &end);
    if (end == t || *end) {
        cli_usage_error(cmd, "%s expects LON,LAT in degrees, got '%s'", opt, s);
        return 0;
    }
    return 1;
}

int cli_lonlat_swapped(const char *cmd, const char *opt, double lon, double lat, const char *where)
{
    return cli_usage_error(cmd,
                           "%s %.10g,%.10g lies outside %s, and %.10g,%.10g on it: points are longitude first, "
                           "LON,LAT (the order was exchanged): give %s %.10g,%.10g",
                           opt, lon, lat, where, lat, lon, opt, lat, lon);
}
