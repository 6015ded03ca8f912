/* SPDX-License-Identifier: MIT
 *
 * cmd_risk_spots.c -- `demine risk spots`: the cells where field teams
 * should check a risk map, drawn at random in each of its classes
 * (dm_risk_spots), written as GeoJSON or CSV with an empty `label` for the
 * teams to fill (1: an item found, 0: searched, nothing), ready for `risk
 * eval --labels` and `risk fit --labels`.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cmd_risk_spots(dm_ctx *ctx, int argc, char **argv);

static const char *help_spots =
    "usage: demine risk spots RISK.tif --n N --out SPOTS.geojson|.csv [--aoi FILE] [--seed S]\n"
    "                         [--json]\n\n"
    "Draw N cells at random for field teams to search, the same number in each class\n"
    "of the map (the riskiest 1 %, 1-5 %, 5-10 %, 10-20 %, 20-50 % of the area and the\n"
    "lower half; inside --aoi when given). Land searched because it looked dangerous\n"
    "cannot say how clean the rest is; these spots can. Each spot has its class, the\n"
    "map's p and items per hectare there, `cells` (the cells of its class it stands\n"
    "for) and an empty `label`: set 1 where an item is found, 0 where the\n"
    "search finds nothing, then score the map with `risk eval RISK.tif --labels\n"
    "SPOTS.geojson` or fit a model with `risk fit --labels SPOTS.geojson`.\n"
    "The same --seed (default 1) draws the same spots.\n";

static const char *class_names[DM_RISK_SPOT_CLASSES] = {
    "riskiest 1 %", "riskiest 1-5 %", "riskiest 5-10 %", "riskiest 10-20 %", "riskiest 20-50 %",
    "lower half"};

static int write_spots(const char *path, const dm_risk_spot *sp, size_t n)
{
    const char *dot = strrchr(path, '.');
    int csv = dot && !strcasecmp(dot, ".csv");
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    if (csv)
        fprintf(f, "id,lon,lat,class,class_no,p,items_ha,cells,label\n");
    else
        fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t i = 0; i < n; i++) {
        const dm_risk_spot *s = &sp[i];
        char items[32];
        if (isfinite(s->items_ha))
            snprintf(items, sizeof items, "%.6g", s->items_ha);
        else
            snprintf(items, sizeof items, csv ? "" : "null");
        if (csv)
            fprintf(f, "S%03zu,%.7f,%.7f,%s,%d,%.6g,%s,%.6g,\n", i + 1, s->lon, s->lat,
                    class_names[s->cls], s->cls, s->p, items, s->cells);
        else
            fprintf(f,
                    "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"S%03zu\",\"class\":\"%s\","
                    "\"class_no\":%d,\"p\":%.6g,\"items_ha\":%s,\"cells\":%.6g,\"label\":null},"
                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}\n",
                    i ? "," : "", i + 1, class_names[s->cls], s->cls, s->p, items, s->cells,
                    s->lon, s->lat);
    }
    if (!csv)
        fprintf(f, "]}\n");
    return fclose(f) == 0 ? 0 : -1;
}

int cmd_risk_spots(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_spots);
    const char *map = NULL, *out = NULL, *aoi_path = NULL;
    long n = 0, seed = 1;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc) {
            if (!cli_parse_long("risk spots", "--n", argv[++i], &n))
                return 2;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (!cli_parse_long("risk spots", "--seed", argv[++i], &seed))
                return 2;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--aoi") && i + 1 < argc)
            aoi_path = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-')
            return cli_usage_error("risk spots", "unknown option %s", argv[i]);
        else if (!map)
            map = argv[i];
        else
            return cli_usage_error("risk spots", "unexpected argument '%s'", argv[i]);
    }
    if (!map || !out || n <= 0)
        return cli_usage_error("risk spots", "usage: demine risk spots RISK.tif --n N --out SPOTS.geojson");
    const char *dot = strrchr(out, '.');
    if (!dot || (strcasecmp(dot, ".geojson") && strcasecmp(dot, ".json") && strcasecmp(dot, ".csv")))
        return cli_usage_error("risk spots", "%s: the spots are written as .geojson or .csv", out);
    if (access(out, F_OK) == 0)
        return cli_usage_error("risk spots", "%s already exists; not overwriting it", out);
    dm_grid g, g2;
    float *p = NULL, *items = NULL;
    unsigned char *mask = NULL;
    dm_geom *aoi = NULL;
    dm_risk_spot *sp = NULL;
    size_t ns = 0;
    dm_status st = dm_raster_read(ctx, map, 1, &g, &p);
    if (!st && dm_raster_read(ctx, map, 2, &g2, &items) == DM_OK &&
        (g2.nx != g.nx || g2.ny != g.ny)) {
        dm_raster_free(items, dm_grid_cells(&g2));
        items = NULL;
    }
    dm_ctx_clear_error(ctx); /* a map without band 2 is fine */
    if (!st && aoi_path)
        st = dm_read_polygons(ctx, aoi_path, &aoi);
    if (!st && aoi)
        st = dm_raster_mask_area(ctx, aoi, &g, &mask);
    if (!st)
        st = dm_risk_spots(ctx, &g, p, items, mask, (size_t)n, (uint64_t)seed, &sp, &ns);
    int rc = 0;
    if (st)
        rc = cli_fail(ctx, "risk spots", st);
    else if (write_spots(out, sp, ns) != 0) {
        remove(out);
        rc = cli_usage_error("risk spots", "%s: cannot write the spots", out);
    } else if (json) {
        printf("{\"out\":\"%s\",\"spots\":%zu,\"classes\":[", out, ns);
        for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
            size_t k = 0;
            double w = 0;
            for (size_t i = 0; i < ns; i++)
                if (sp[i].cls == c)
                    k++, w = sp[i].cells;
            printf("%s{\"class\":\"%s\",\"spots\":%zu,\"cells\":%.0f}", c ? "," : "",
                   class_names[c], k, w * (double)k);
        }
        printf("]}\n");
    } else {
        printf("%zu spots written to %s (label them 1 or 0 after the search):\n", ns, out);
        for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
            size_t k = 0;
            double w = 0;
            for (size_t i = 0; i < ns; i++)
                if (sp[i].cls == c)
                    k++, w = sp[i].cells;
            printf("  %-18s %3zu spots, each standing for %.0f cells\n", class_names[c], k, w);
        }
    }
    dm_free(ctx, sp);
    free(mask);
    dm_geom_free(aoi);
    if (items)
        dm_raster_free(items, dm_grid_cells(&g));
    if (p)
        dm_raster_free(p, dm_grid_cells(&g));
    return rc;
}
