/* SPDX-License-Identifier: MIT
 *
 * cmd_risk_tools.c -- `demine risk distance` (exact distance raster to the
 * cells of given values, like gdal_proximity.py but exact) and `demine risk
 * sum` (weighted sum of rasters, like gdal_calc.py "a*A+b*B+..."): the two
 * raster building blocks of the risk map, exposed for users and benchmarks.
 * Neither writes over one of its inputs, nor over a file that is not a
 * GeoTIFF (a database given as OUT by mistake).
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cmd_risk_tools(dm_ctx *ctx, const char *which, int argc, char **argv);

static const char *help_distance =
    "usage: demine risk distance IN.tif OUT.tif [--values 1,2,...] [--max METRES] [--compress]\n\n"
    "Exact Euclidean distance (in the raster's units) from every cell to the nearest\n"
    "cell of band 1 whose value is in --values (default: any non-zero value),\n"
    "multithreaded. Output: tiled Float32 GeoTIFF (uncompressed unless --compress).\n";

static const char *help_sum =
    "usage: demine risk sum OUT.tif W1 A.tif [W2 B.tif ...] [--compress]\n\n"
    "Weighted sum W1*A + W2*B + ... of rasters on the same grid (band 1 of each),\n"
    "streamed block by block on all cores. NaN or nodata in any input gives nodata.\n";

/* 0 when OUT may be written: it does not exist, is empty, or is a TIFF
 * (classic or BigTIFF, either byte order: what GDAL's GTiff driver opens);
 * else a usage error and 2. */
static int check_out(const char *cmd, const char *out)
{
    struct stat sb;
    if (stat(out, &sb) != 0)
        return 0;
    unsigned char h[4] = {0};
    size_t n = 0;
    FILE *f = S_ISREG(sb.st_mode) ? fopen(out, "rb") : NULL;
    if (f) {
        n = fread(h, 1, sizeof h, f);
        fclose(f);
    }
    int tiff = (h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) ||
               (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43));
    if (f && (n == 0 || (n == sizeof h && tiff)))
        return 0;
    return cli_usage_error(cmd, "%s exists and is not a GeoTIFF; not overwriting it", out);
}

static int run_distance(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_distance);
    const char *in = NULL, *out = NULL, *values = NULL;
    double maxd = INFINITY;
    int compress = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--values") || !strcmp(argv[i], "--max")) && i + 1 == argc)
            return cli_usage_error("risk distance", "option %s needs a value", argv[i]);
        if (!strcmp(argv[i], "--values"))
            values = argv[++i];
        else if (!strcmp(argv[i], "--max")) {
            if (!cli_parse_double("risk distance", "--max", argv[++i], &maxd))
                return 2;
            if (!(maxd > 0)) /* NaN too */
                return cli_usage_error("risk distance",
                                       "--max must be a distance > 0 in the raster's units, got '%s'",
                                       argv[i]);
        } else if (!strcmp(argv[i], "--compress"))
            compress = 1;
        else if (argv[i][0] == '-')
            return cli_unknown_option_in("risk distance", argv[i], help_distance);
        else if (!in)
            in = argv[i];
        else if (!out)
            out = argv[i];
        else
            return cli_usage_error("risk distance", "unexpected argument '%s'", argv[i]);
    }
    if (!in || !out)
        return cli_usage_error("risk distance", "usage: demine risk distance IN.tif OUT.tif");
    if (dm_same_file(in, out))
        return cli_usage_error("risk distance", "the output %s is the input %s; not overwriting it",
                               out, in);
    if (check_out("risk distance", out))
        return 2;
    double vals[64];
    int nv = 0;
    if (values) {
        char buf[512];
        if (strlen(values) >= sizeof buf)
            return cli_usage_error("risk distance", "--values is too long");
        snprintf(buf, sizeof buf, "%s", values);
        /* every entry between commas is a number: "1,,2" or "1," is a typo, not 1 and 2 */
        for (char *t = buf, *next; t; t = next) {
            char *end;
            next = strchr(t, ',');
            if (next)
                *next++ = '\0';
            if (nv == 64)
                return cli_usage_error("risk distance", "--values takes at most 64 values");
            vals[nv++] = strtod(t, &end);
            if (!*t || *end || !isfinite(vals[nv - 1]))
                return cli_usage_error("risk distance", "--values wants numbers separated by commas, got '%s' in '%s'",
                                       t, values);
        }
        if (!nv)
            return cli_usage_error("risk distance", "--values wants numbers, got '%s'", values);
    }
    dm_status st = dm_raster_distance(ctx, in, 1, vals, nv, maxd, out, compress, 0);
    return st ? cli_fail(ctx, "risk distance", st) : 0;
}

static int run_sum(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_sum);
    const char *out = NULL;
    double wt[32];
    const char *paths[32];
    int n = 0, compress = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--compress")) {
            compress = 1;
            continue;
        }
        if (!out) {
            out = argv[i];
            continue;
        }
        if (i + 1 >= argc || n == 32)
            return cli_usage_error("risk sum", "expected pairs of WEIGHT RASTER after OUT.tif");
        if (!cli_parse_double("risk sum", "weight", argv[i], &wt[n]))
            return 2;
        if (!isfinite(wt[n]) || fabs(wt[n]) > 1e30)
            return cli_usage_error("risk sum",
                                   "weight '%s' of %s: a finite number of at most 1e30 in size",
                                   argv[i], argv[i + 1]);
        paths[n++] = argv[++i];
    }
    if (!out || !n)
        return cli_usage_error("risk sum", "usage: demine risk sum OUT.tif W1 A.tif [W2 B.tif ...]");
    for (int k = 0; k < n; k++)
        if (dm_same_file(out, paths[k]))
            return cli_usage_error("risk sum", "the output %s is the input %s; not overwriting it",
                                   out, paths[k]);
    if (check_out("risk sum", out))
        return 2;
    dm_status st = dm_raster_weighted_sum(ctx, out, paths, wt, n, compress, 0);
    return st ? cli_fail(ctx, "risk sum", st) : 0;
}

int cmd_risk_tools(dm_ctx *ctx, const char *which, int argc, char **argv)
{
    return !strcmp(which, "distance") ? run_distance(ctx, argc, argv) : run_sum(ctx, argc, argv);
}
