/* SPDX-License-Identifier: MIT
 *
 * cmd_risk_spots.c -- `demine risk spots`: the cells where field teams
 * should check a risk map, drawn at random in each of its classes
 * (dm_risk_spots), written as GeoJSON or CSV with an empty `label` for the
 * teams to fill (1: an item found, 0: searched, nothing), ready for `risk
 * eval --labels` and `risk fit --labels`.
 */
#include "cli.h"

#include <errno.h>

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
    "map's p and items per hectare there, `model_ha` (the model's own density, before\n"
    "any calibration) and `cell_m` (for the recalibration), `cells` (the cells of its\n"
    "class it stands for) and an empty `label`: after the search set 0 where nothing\n"
    "was found, 1 (or the number of items) where something was; leave it empty until\n"
    "searched. Then check the map (below), recalibrate it with `risk map DB --spots\n"
    "SPOTS.geojson`, score it with `risk eval RISK.tif --labels SPOTS.geojson` or fit a\n"
    "model with `risk fit --labels SPOTS.geojson`.\n"
    "The same --seed (default 1) draws the same spots.\n\n"
    "usage: demine risk spots RISK.tif --check SPOTS.geojson [--aoi FILE] [--label-field F]\n"
    "                         [--json]\n\n"
    "After the search: for each class of the map, its cells, the spots checked, those\n"
    "with an item, the share with its 90 % interval, and the map's mean p there; then\n"
    "the cells holding items in the whole area as the spots estimate them (each class's\n"
    "share times its cells, with the range of the classes' intervals) against the map's\n"
    "own expectation (the sum of p), and what `risk map --spots` would make of them (or\n"
    "why it would refuse them). A file of several layers is named FILE:LAYER.\n";

static const char *class_names[DM_RISK_SPOT_CLASSES] = {
    "riskiest 1 %", "riskiest 1-5 %", "riskiest 5-10 %", "riskiest 10-20 %", "riskiest 20-50 %",
    "lower half"};

static int write_spots(const char *path, const dm_risk_spot *sp, size_t n, double cell_m)
{
    const char *dot = strrchr(path, '.');
    int csv = dot && !strcasecmp(dot, ".csv");
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    if (csv)
        fprintf(f, "id,lon,lat,class,class_no,p,items_ha,model_ha,cell_m,cells,label\n");
    else
        fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (size_t i = 0; i < n; i++) {
        const dm_risk_spot *s = &sp[i];
        char items[32], model[32];
        if (isfinite(s->items_ha))
            snprintf(items, sizeof items, "%.6g", s->items_ha);
        else
            snprintf(items, sizeof items, csv ? "" : "null");
        if (isfinite(s->model_ha))
            snprintf(model, sizeof model, "%.6g", s->model_ha);
        else
            snprintf(model, sizeof model, csv ? "" : "null");
        if (csv)
            fprintf(f, "S%03zu,%.7f,%.7f,%s,%d,%.6g,%s,%s,%g,%.6g,\n", i + 1, s->lon, s->lat,
                    class_names[s->cls], s->cls, s->p, items, model, cell_m, s->cells);
        else
            fprintf(f,
                    "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"S%03zu\",\"class\":\"%s\","
                    "\"class_no\":%d,\"p\":%.6g,\"items_ha\":%s,\"model_ha\":%s,\"cell_m\":%g,"
                    "\"cells\":%.6g,\"label\":null},"
                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}\n",
                    i ? "," : "", i + 1, class_names[s->cls], s->cls, s->p, items, model, cell_m,
                    s->cells, s->lon, s->lat);
    }
    if (!csv)
        fprintf(f, "]}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* The map's band 1 and the area's mask (NULL without --aoi). */
static dm_status read_map(dm_ctx *ctx, const char *map, const char *aoi_path, dm_grid *g,
                          float **p, unsigned char **mask)
{
    dm_geom *aoi = NULL;
    *mask = NULL;
    dm_status st = dm_raster_read(ctx, map, 1, g, p);
    if (!st && aoi_path)
        st = dm_read_polygons(ctx, aoi_path, &aoi);
    if (!st && aoi)
        st = dm_raster_mask_area(ctx, aoi, g, mask);
    dm_geom_free(aoi);
    return st;
}

/* Spots still to search in a class for 10 with an item, at the share
 * found so far (a half-spot prior); while none held an item, at the lower
 * of that and the map's p. */
static double spots_wanted(const dm_risk_spot_class *c)
{
    double seen = (c->positive + 0.5) / (c->spots + 1.0);
    double p = c->positive ? seen : fmin(seen, c->map_p);
    if (!(p > 0))
        return INFINITY;
    double more = ceil(10.0 / p) - (double)c->spots;
    return more > 0 ? more : 0;
}

static int run_check(dm_ctx *ctx, const char *map, const char *path, const char *aoi_path,
                     const char *label_field, int json)
{
    dm_grid g;
    float *p = NULL;
    unsigned char *mask = NULL;
    dm_spot *sv = NULL;
    size_t sn = 0;
    double *xy = NULL, *y = NULL;
    dm_transform *t = NULL;
    dm_risk_spot_class cls[DM_RISK_SPOT_CLASSES];
    dm_status st = read_map(ctx, map, aoi_path, &g, &p, &mask);
    if (!st)
        st = dm_spots_read(ctx, path, label_field, &sv, &sn);
    if (!st) {
        xy = malloc((sn ? sn : 1) * 2 * sizeof *xy);
        y = malloc((sn ? sn : 1) * sizeof *y);
        st = xy && y ? dm_transform_new(ctx, "EPSG:4326", g.crs, &t) : DM_ENOMEM;
    }
    for (size_t i = 0; !st && i < sn; i++) {
        xy[2 * i] = sv[i].lon, xy[2 * i + 1] = sv[i].lat;
        y[i] = sv[i].label;
        st = dm_transform_xy(t, &xy[2 * i], &xy[2 * i + 1], 1);
    }
    if (!st)
        st = dm_risk_spot_check(ctx, &g, p, mask, xy, y, sn, cls);
    /* what `risk map --spots` would make of them, or why it would refuse */
    dm_risk_spot_cal sc = {0};
    int have_sc = 0;
    char why[512] = "";
    if (!st) {
        dm_risk_map_cal mc;
        dm_status e = dm_risk_map_cal_read(ctx, map, &mc);
        if (!e)
            e = dm_risk_spots_fit(ctx, &g, mc.factor, mc.cluster, sv, sn, NULL, &sc);
        have_sc = e == DM_OK;
        if (e)
            snprintf(why, sizeof why, "%s", dm_ctx_errmsg(ctx));
        dm_ctx_clear_error(ctx);
    }
    int rc = 0;
    size_t checked = 0;
    for (int c = 0; !st && c < DM_RISK_SPOT_CLASSES; c++)
        checked += cls[c].spots;
    if (st)
        rc = cli_fail(ctx, "risk spots", st);
    else if (!checked)
        rc = cli_usage_error("risk spots", "%s: no spot labelled 0 or 1 (field '%s') on the map",
                             path, label_field);
    else {
        /* the area's cells holding items: as the spots say, as the map says */
        double est = 0, est_lo = 0, est_hi = 0, map_sum = 0;
        int all = 1;
        for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
            map_sum += cls[c].map_p * cls[c].cells;
            if (cls[c].spots) {
                est += cls[c].share * cls[c].cells;
                est_lo += cls[c].lo * cls[c].cells;
                est_hi += cls[c].hi * cls[c].cells;
            }
            else if (cls[c].cells)
                all = 0;
        }
        if (json) {
            printf("{\"map\":%s,\"spots\":%zu,\"classes\":[", cli_json_str(map), checked);
            for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
                printf("%s{\"class\":\"%s\",\"cells\":%.0f,\"map_p\":%.6g,\"spots\":%zu,"
                       "\"positive\":%zu,", c ? "," : "", class_names[c], cls[c].cells,
                       cls[c].map_p, cls[c].spots, cls[c].positive);
                if (cls[c].spots)
                    printf("\"share\":%.4f,\"lo\":%.4f,\"hi\":%.4f}", cls[c].share, cls[c].lo,
                           cls[c].hi);
                else
                    printf("\"share\":null,\"lo\":null,\"hi\":null}");
            }
            printf("],\"spots_for_10_finds\":[");
            for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
                double more = spots_wanted(&cls[c]);
                if (isfinite(more))
                    printf("%s%.0f", c ? "," : "", more);
                else
                    printf("%snull", c ? "," : "");
            }
            printf("],\"cells_with_items\":");
            if (all)
                printf("%.1f,\"cells_with_items_lo\":%.1f,\"cells_with_items_hi\":%.1f", est,
                       est_lo, est_hi);
            else
                printf("null");
            printf(",\"map_cells_with_items\":%.1f,\"recalibration\":", map_sum);
            if (have_sc)
                printf("{\"spots\":%zu,\"positive\":%zu,\"ignored\":%zu,\"factor\":%.6g,"
                       "\"power\":%.6g,\"expected\":%.6g,\"expected_after\":%.6g,"
                       "\"level_x90\":%.6g}}\n",
                       sc.spots, sc.positive, sc.ignored, sc.factor, sc.power, sc.expected,
                       sc.expected_after, sc.level_x90);
            else
                printf("{\"refused\":%s}}\n", cli_json_str(why));
        } else {
            printf("%-18s %10s %6s %6s %22s %10s\n", "class", "cells", "spots", "items",
                   "share (90 % interval)", "map's p");
            for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
                char sh[64] = "-";
                if (cls[c].spots)
                    snprintf(sh, sizeof sh, "%.2f (%.2f-%.2f)", cls[c].share, cls[c].lo,
                             cls[c].hi);
                printf("%-18s %10.0f %6zu %6zu %22s %10.3g\n", class_names[c], cls[c].cells,
                       cls[c].spots, cls[c].positive, sh, cls[c].map_p);
            }
            if (all)
                printf("cells holding items in the area: %.0f by the spots (%.0f-%.0f, each "
                       "class's 90 %% interval), %.0f by the map\n",
                       est, est_lo, est_hi, map_sum);
            else
                printf("cells holding items in the area: %.0f by the map; check spots in every "
                       "class for the spots' estimate\n",
                       map_sum);
            /* how many more spots would measure each class: 10 with an item
             * know its share to within about x/2 */
            printf("for 10 spots with an item in a class (its share known to within about x/2), "
                   "search about:");
            for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++) {
                double more = spots_wanted(&cls[c]);
                if (more > 100000)
                    printf("%s %s over 100,000", c ? "," : "", class_names[c]);
                else
                    printf("%s %s %.0f more", c ? "," : "", class_names[c], more);
            }
            printf(" (at the share found so far; the map's p when lower and none held an item)\n");
            char cmd[1200];
            snprintf(cmd, sizeof cmd, "risk map --spots %s%s%s", path,
                     strcmp(label_field, "label") ? " --label-field " : "",
                     strcmp(label_field, "label") ? label_field : "");
            if (have_sc)
                printf("`%s` would set items per ha to %.3g x (density before the spots)^%.2f "
                       "(level within x/%.2g, 90 %%): %zu of %zu spots held an item where the map "
                       "before any spots expected %.1f, and would expect %.1f\n",
                       cmd, sc.factor, sc.power, sc.level_x90, sc.positive, sc.spots, sc.expected,
                       sc.expected_after);
            else
                printf("`%s` would refuse them: %s\n", cmd, why);
        }
    }
    dm_transform_free(t);
    free(xy);
    free(y);
    dm_free(ctx, sv);
    free(mask);
    if (p)
        dm_raster_free(p, dm_grid_cells(&g));
    return rc;
}

int cmd_risk_spots(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_spots);
    const char *map = NULL, *out = NULL, *aoi_path = NULL, *check = NULL, *label_field = "label";
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
        else if (!strcmp(argv[i], "--check") && i + 1 < argc)
            check = argv[++i];
        else if (!strcmp(argv[i], "--label-field") && i + 1 < argc)
            label_field = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-')
            return cli_unknown_option_in("risk spots", argv[i], help_spots);
        else if (!map)
            map = argv[i];
        else
            return cli_usage_error("risk spots", "unexpected argument '%s'", argv[i]);
    }
    if (map && check) {
        if (out || n)
            return cli_usage_error("risk spots", "--check reads spots; --n and --out draw them: "
                                                 "one or the other");
        return run_check(ctx, map, check, aoi_path, label_field, json);
    }
    if (map && out && n < DM_RISK_SPOT_CLASSES)
        return cli_usage_error("risk spots", "--n must be at least %d, one spot per class of the map",
                               DM_RISK_SPOT_CLASSES);
    if (!map || !out || n <= 0)
        return cli_usage_error("risk spots", "usage: demine risk spots RISK.tif --n N --out SPOTS.geojson "
                                             "| --check SPOTS.geojson");
    const char *dot = strrchr(out, '.');
    if (!dot || (strcasecmp(dot, ".geojson") && strcasecmp(dot, ".json") && strcasecmp(dot, ".csv")))
        return cli_usage_error("risk spots", "%s: the spots are written as .geojson or .csv", out);
    if (access(out, F_OK) == 0)
        return cli_usage_error("risk spots", "%s already exists; not overwriting it", out);
    dm_grid g, g2;
    float *p = NULL, *items = NULL;
    unsigned char *mask = NULL;
    dm_risk_spot *sp = NULL;
    size_t ns = 0;
    dm_status st = read_map(ctx, map, aoi_path, &g, &p, &mask);
    if (!st && dm_raster_read(ctx, map, 2, &g2, &items) == DM_OK &&
        (g2.nx != g.nx || g2.ny != g.ny)) {
        dm_raster_free(items, dm_grid_cells(&g2));
        items = NULL;
    }
    if (!st)
        dm_ctx_clear_error(ctx); /* a map without band 2 is fine */
    if (!st)
        st = dm_risk_spots(ctx, &g, p, items, mask, (size_t)n, (uint64_t)seed, &sp, &ns);
    /* the model's own prediction, whatever the map's calibration, for
     * `risk map --spots` to recalibrate once the spots are searched */
    dm_risk_map_cal mc;
    if (!st && !(st = dm_risk_map_cal_read(ctx, map, &mc)))
        dm_risk_spots_uncalibrate(sp, ns, &mc);
    int rc = 0;
    if (st)
        rc = cli_fail(ctx, "risk spots", st);
    else if (write_spots(out, sp, ns, g.cell) != 0) {
        int e = errno;
        remove(out);
        fprintf(stderr, "demine risk spots: error: %s: cannot write the spots: %s\n", out,
                strerror(e));
        rc = cli_exit_code(DM_EIO);
    } else {
        /* per class: spots drawn, and the cells each stands for */
        size_t k[DM_RISK_SPOT_CLASSES] = {0};
        double w[DM_RISK_SPOT_CLASSES] = {0};
        for (size_t i = 0; i < ns; i++)
            k[sp[i].cls]++, w[sp[i].cls] = sp[i].cells;
        if (json)
            printf("{\"out\":%s,\"spots\":%zu,\"classes\":[", cli_json_str(out), ns);
        else
            printf("%zu %s written to %s (label %s 1 or 0 after the search):\n", ns,
                   cli_plural(ns, "spot", "spots"), out, cli_plural(ns, "it", "them"));
        for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++)
            if (json)
                printf("%s{\"class\":\"%s\",\"spots\":%zu,\"cells\":%.0f}", c ? "," : "",
                       class_names[c], k[c], w[c] * (double)k[c]);
            else
                printf("  %-18s %3zu spots, each standing for %.0f cells\n", class_names[c], k[c],
                       w[c]);
        if (json)
            printf("]}\n");
    }
    dm_free(ctx, sp);
    free(mask);
    if (items)
        dm_raster_free(items, dm_grid_cells(&g));
    if (p)
        dm_raster_free(p, dm_grid_cells(&g));
    return rc;
}
