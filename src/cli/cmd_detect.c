/* SPDX-License-Identifier: MIT
 *
 * cmd_detect.c -- `demine detect ORTHO.tif`: small-anomaly candidates on a
 * multispectral or thermal orthomosaic (local RX, global RX, local
 * contrast), written as GeoJSON points ready for `demine sensors import`;
 * `demine detect synth` writes a synthetic orthomosaic with planted mines.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *help =
    "usage: demine detect ORTHO.tif [--method rx|rx-global|contrast] [--out FILE.geojson]\n"
    "                     [--threshold Z] [--target-radius-m R] [--background-radius-m R]\n"
    "                     [--tile PX] [--threads N] [--score-map MAP.tif]\n"
    "                     [--truth TRUTH.csv] [--far F] [--json]\n"
    "                     [--flight-ref REF --sensor NAME --sensor-kind KIND --date D]\n"
    "       demine detect synth OUT.tif [--size-m 10] [--gsd-cm 1] [--bands 4] [--mines 40]\n"
    "                     [--contrast 3] [--clutter N] [--seed 1] [--uint16]\n"
    "                     [--nodata-margin-m M]\n"
    "                     [--truth TRUTH.csv]\n\n"
    "Finds small anomalies (surface mines, ~4 cm radius by default) on a georeferenced,\n"
    "north-up GeoTIFF in a metric CRS, tile by tile on all cores:\n"
    "  rx         local (dual-window) RX: the mean of a target window against the ring\n"
    "             around it, Mahalanobis distance over the bands (default)\n"
    "  rx-global  the target window against the scene mean\n"
    "  contrast   the largest per-band z-score of target window against the ring\n"
    "Scores are normal z-scores; candidates are local maxima above --threshold (4).\n"
    "--out writes GeoJSON points (WGS 84) with score, confidence and model_version;\n"
    "import them with `demine sensors import DB FILE --flight-ref REF`.\n"
    "--score-map writes the anomaly map (z-score per pixel, Float32 GeoTIFF).\n"
    "--flight-ref adds the flight's footprint, the ground the raster holds data on\n"
    "(nodata margins left out), with --sensor, --sensor-kind and --date, so that\n"
    "`demine sensors import DB FILE` takes both.\n"
    "--truth CSV (x,y in the raster CRS, as written by `detect synth`) reports recall\n"
    "at --far false alarms per 100 m^2 (default 1) and average precision; a candidate\n"
    "within 5 cm (or 3 pixels) on the ground of a mine finds it. A truth file none of\n"
    "whose points lies on the raster (degrees, another CRS) is refused.\n";

static const char *method_name(dm_detect_method m)
{
    return m == DM_DETECT_RX_GLOBAL ? "rx-global" : m == DM_DETECT_CONTRAST ? "contrast" : "rx";
}

static int read_truth(const char *path, double **xy, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "demine detect: error: %s: cannot open\n", path);
        return 3;
    }
    char line[512];
    size_t cap = 0;
    long ln = 0;
    *xy = NULL;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        double x, y;
        if (ln == 1 && (line[0] == 'x' || line[0] == 'X'))
            continue;
        if (ln == 1 && (!strncasecmp(line, "lon", 3) || !strncasecmp(line, "lat", 3))) {
            fprintf(stderr,
                    "demine detect: error: %s: line 1: columns %.*s: truth positions are x,y in "
                    "the raster's CRS, not longitude and latitude; project them first\n",
                    path, (int)strcspn(line, "\r\n"), line);
            fclose(f);
            return 2;
        }
        if (sscanf(line, "%lf,%lf", &x, &y) != 2) {
            fprintf(stderr, "demine detect: error: %s: line %ld: expected x,y\n", path, ln);
            free(*xy);
            fclose(f);
            return 2;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            double *p = realloc(*xy, cap * 2 * sizeof(double));
            if (!p) {
                free(*xy);
                fclose(f);
                return 3;
            }
            *xy = p;
        }
        (*xy)[2 * *n] = x;
        (*xy)[2 * *n + 1] = y;
        (*n)++;
    }
    fclose(f);
    return 0;
}

/* A whole number option value of at least min: 1, else a usage error and 0. */
static int parse_at_least(const char *opt, const char *s, long min, long *out)
{
    if (!cli_parse_long("detect", opt, s, out))
        return 0;
    if (*out >= min)
        return 1;
    cli_usage_error("detect", "%s: %ld is out of range", opt, *out);
    return 0;
}

static int run_synth(dm_ctx *ctx, int argc, char **argv)
{
    dm_ortho_synth_opts o = {0};
    const char *out = NULL, *truth = NULL;
    double gsd_cm = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        double v;
        long l;
        if (!strcmp(a, "--size-m") && i + 1 < argc) {
            if (!cli_parse_positive("detect", a, argv[++i], 0, &o.size_m))
                return 2;
        } else if (!strcmp(a, "--gsd-cm") && i + 1 < argc) {
            if (!cli_parse_positive("detect", a, argv[++i], 0, &gsd_cm))
                return 2;
        } else if (!strcmp(a, "--bands") && i + 1 < argc) {
            if (!parse_at_least(a, argv[++i], 1, &l))
                return 2;
            o.bands = (int)l;
        } else if (!strcmp(a, "--mines") && i + 1 < argc) {
            if (!parse_at_least(a, argv[++i], 0, &l))
                return 2;
            o.n_mines = l ? (int)l : -1;
        } else if (!strcmp(a, "--clutter") && i + 1 < argc) {
            if (!parse_at_least(a, argv[++i], 0, &l))
                return 2;
            o.n_clutter = l ? (int)l : -1;
        } else if (!strcmp(a, "--contrast") && i + 1 < argc) {
            if (!cli_parse_positive("detect", a, argv[++i], 0, &o.contrast))
                return 2;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (!cli_parse_long("detect", a, argv[++i], &l))
                return 2;
            o.seed = (unsigned)l;
        } else if (!strcmp(a, "--mine-radius-m") && i + 1 < argc) {
            if (!cli_parse_positive("detect", a, argv[++i], 0, &v))
                return 2;
            o.mine_radius_m = v;
        } else if (!strcmp(a, "--nodata-margin-m") && i + 1 < argc) {
            if (!cli_parse_positive("detect", a, argv[++i], 1, &o.nodata_margin_m))
                return 2;
        } else if (!strcmp(a, "--uint16"))
            o.uint16 = 1;
        else if (!strcmp(a, "--truth") && i + 1 < argc)
            truth = argv[++i];
        else if (cli_positional("detect", a, &out, NULL))
            return 2;
    }
    if (!out)
        return cli_usage_error("detect", "synth needs an output file");
    {
        const char *oo[2] = {"OUT", "--truth"}, *op[2] = {out, truth};
        if (cli_outputs_clash("detect", 2, oo, op, 0, NULL, NULL))
            return 2;
    }
    o.gsd_m = gsd_cm / 100.0;
    double *xy = NULL;
    size_t n = 0;
    dm_status st = dm_ortho_synth(ctx, out, &o, &xy, &n);
    if (st)
        return cli_fail(ctx, "detect", st);
    if (truth) {
        FILE *f = fopen(truth, "w");
        if (!f) {
            dm_free(ctx, xy);
            fprintf(stderr, "demine detect: error: %s: cannot create\n", truth);
            return 3;
        }
        fprintf(f, "x,y\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.4f,%.4f\n", xy[2 * i], xy[2 * i + 1]);
        fclose(f);
    }
    dm_free(ctx, xy);
    printf("%s: synthetic orthomosaic with %zu %s\n", out, n, cli_plural(n, "mine", "mines"));
    return 0;
}

typedef struct flight_info {
    const char *ref, *sensor, *kind, *date;
} flight_info;

/* The flight's footprint: the ground the raster holds data on (nodata and
 * alpha margins left out), as WGS 84 GeoJSON; *share its part of the extent. */
static char *footprint_geojson(dm_ctx *ctx, const char *raster, double *share)
{
    dm_geom *g = NULL;
    char *js = NULL;
    if (!dm_detect_footprint(ctx, raster, &g, share))
        dm_geom_to_geojson(ctx, g, &js);
    dm_geom_free(g);
    return js;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static int write_geojson(dm_ctx *ctx, const char *path, const char *raster, const dm_detect_result *r,
                         dm_detect_method m, const flight_info *fi)
{
    char *foot = NULL;
    if (fi->ref) {
        double share = 1;
        foot = footprint_geojson(ctx, raster, &share);
        if (!foot) {
            fprintf(stderr, "demine detect: error: the footprint of flight '%s': %s\n", fi->ref,
                    dm_ctx_errmsg(ctx));
            return 4;
        }
        if (share < 0.95)
            fprintf(stderr,
                    "note: %s: %.0f%% of the raster's extent holds data: the footprint of flight '%s' "
                    "is that ground only (nodata and transparent margins were never flown)\n",
                    raster, 100 * share, fi->ref);
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        dm_free(ctx, foot);
        fprintf(stderr, "demine detect: error: %s: cannot create\n", path);
        return 3;
    }
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    if (foot) {
        fprintf(f, "\n{\"type\":\"Feature\",\"geometry\":%s,\"properties\":{\"ref\":", foot);
        json_str(f, fi->ref);
        if (fi->sensor) {
            fprintf(f, ",\"sensor\":");
            json_str(f, fi->sensor);
        }
        if (fi->kind) {
            fprintf(f, ",\"sensor_kind\":");
            json_str(f, fi->kind);
        }
        if (fi->date) {
            fprintf(f, ",\"date\":");
            json_str(f, fi->date);
        }
        fprintf(f, ",\"gsd_cm\":%.3f}}%s", r->pixel_m * 100, r->n ? "," : "");
        dm_free(ctx, foot);
    }
    for (size_t i = 0; i < r->n; i++) {
        const dm_candidate *c = &r->cands[i];
        fprintf(f,
                "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                "[%.9f,%.9f]},\"properties\":{\"score\":%.3f,\"confidence\":%.4f,"
                "\"model_version\":\"demine-%s-1\",\"position_error_m\":%.3f,\"x\":%.3f,"
                "\"y\":%.3f",
                i ? "," : "", c->lon, c->lat, c->score, c->confidence, method_name(m),
                2 * r->pixel_m, c->x, c->y);
        if (fi->ref) {
            fprintf(f, ",\"flight\":");
            json_str(f, fi->ref);
        }
        fprintf(f, "}}");
    }
    fprintf(f, "\n]}\n");
    if (fclose(f)) {
        fprintf(stderr, "demine detect: error: %s: write failed\n", path);
        return 3;
    }
    return 0;
}

static int run_detect(dm_ctx *ctx, int argc, char **argv)
{
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    if (argc >= 2 && !strcmp(argv[1], "synth"))
        return run_synth(ctx, argc, argv);
    static const char *const subs[] = {"synth", NULL};
    if (argc >= 2 && cli_subcommand_typo("detect", argv[1], subs))
        return 2;
    dm_detect_opts o = {0};
    const char *in = NULL, *out = NULL, *truth = NULL;
    double far = 1.0;
    int json = 0;
    flight_info fi = {0};
    int given[5] = {0, 0, 0, 0, 0}; /* threshold, radii, far, tile */
    const char *tile_arg = "";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long l;
        if (!strcmp(a, "--method") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!strcmp(m, "rx") || !strcmp(m, "rx-local"))
                o.method = DM_DETECT_RX_LOCAL;
            else if (!strcmp(m, "rx-global"))
                o.method = DM_DETECT_RX_GLOBAL;
            else if (!strcmp(m, "contrast"))
                o.method = DM_DETECT_CONTRAST;
            else
                return cli_usage_error("detect", "--method: '%s' is not rx, rx-global or contrast",
                                       m);
        } else if (!strcmp(a, "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(a, "--threshold") && i + 1 < argc) {
            if (!cli_parse_double("detect", a, argv[++i], &o.threshold))
                return 2;
            given[0] = 1;
        } else if (!strcmp(a, "--target-radius-m") && i + 1 < argc) {
            if (!cli_parse_double("detect", a, argv[++i], &o.target_radius_m))
                return 2;
            given[1] = 1;
        } else if (!strcmp(a, "--background-radius-m") && i + 1 < argc) {
            if (!cli_parse_double("detect", a, argv[++i], &o.background_radius_m))
                return 2;
            given[2] = 1;
        } else if (!strcmp(a, "--tile") && i + 1 < argc) {
            tile_arg = argv[i + 1];
            if (!cli_parse_long("detect", a, argv[++i], &l))
                return 2;
            o.tile = l < 0 ? 0 : l > 100000 ? 100000 : (int)l;
            given[4] = 1;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (!cli_parse_long("detect", a, argv[++i], &l))
                return 2;
            o.threads = (int)l;
        } else if (!strcmp(a, "--truth") && i + 1 < argc)
            truth = argv[++i];
        else if (!strcmp(a, "--score-map") && i + 1 < argc)
            o.score_map = argv[++i];
        else if (!strcmp(a, "--flight-ref") && i + 1 < argc)
            fi.ref = argv[++i];
        else if (!strcmp(a, "--sensor") && i + 1 < argc)
            fi.sensor = argv[++i];
        else if (!strcmp(a, "--sensor-kind") && i + 1 < argc)
            fi.kind = argv[++i];
        else if (!strcmp(a, "--date") && i + 1 < argc)
            fi.date = argv[++i];
        else if (!strcmp(a, "--far") && i + 1 < argc) {
            if (!cli_parse_double("detect", a, argv[++i], &far))
                return 2;
            given[3] = 1;
        } else if (!strcmp(a, "--json"))
            json = 1;
        else if (cli_positional("detect", a, &in, NULL))
            return 2;
    }
    if (!in)
        return cli_usage_error("detect", "expected an orthomosaic (GeoTIFF)");
    /* the flight's description goes into the output for `sensors import`:
     * check it here rather than have the import refuse the file later */
    char fdate[11];
    if ((fi.sensor || fi.kind || fi.date) && !fi.ref)
        return cli_usage_error("detect", "--sensor, --sensor-kind and --date describe the flight: "
                                         "give --flight-ref too");
    if (fi.ref && !out)
        return cli_usage_error("detect", "--flight-ref writes the flight into --out: give --out");
    if (fi.date) {
        if (!cli_parse_date(ctx, "detect", "--date", fi.date, 0, fdate))
            return 2;
        fi.date = fdate;
    }
    if (fi.kind) {
        static const char *const kinds[] = {"rgb",   "multispectral", "thermal", "magnetometer",
                                            "gpr",   "lidar",         "other"};
        int ok = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            ok |= !strcmp(fi.kind, kinds[k]);
        if (!ok)
            return cli_usage_error("detect",
                                   "--sensor-kind: '%s' is not one of rgb, multispectral, thermal, "
                                   "magnetometer, gpr, lidar, other",
                                   fi.kind);
    }
    /* the library takes 0 or less as "the default": refuse it here */
    {
        const char *nm[4] = {"--threshold", "--target-radius-m", "--background-radius-m", "--far"};
        double v[4] = {o.threshold, o.target_radius_m, o.background_radius_m, far};
        for (int k = 0; k < 4; k++)
            if (given[k] && !cli_check_positive("detect", nm[k], v[k], 0))
                return 2;
        if (given[4] && o.tile < 64)
            return cli_usage_error("detect", "--tile: %s is too small (at least 64 pixels)",
                                   tile_arg);
        if (given[4] && o.tile > 8192)
            return cli_usage_error("detect", "--tile: %s is too large (at most 8192 pixels; each thread "
                                   "holds about 40 bytes per pixel of its tile)", tile_arg);
    }
    {
        const char *oo[2] = {"--out", "--score-map"}, *op[2] = {out, o.score_map};
        const char *iw[2] = {"orthomosaic", "truth file"}, *ip[2] = {in, truth};
        if (cli_outputs_clash("detect", 2, oo, op, 2, iw, ip))
            return 2;
    }
    double *txy = NULL;
    size_t nt = 0;
    if (truth) {
        int rc = read_truth(truth, &txy, &nt);
        if (rc)
            return rc;
    }
    dm_detect_result r;
    dm_status st = dm_detect_run(ctx, in, &o, &r);
    if (st) {
        free(txy);
        return cli_fail(ctx, "detect", st);
    }
    int rc = 0;
    /* 5 cm or 3 pixels on the ground, in the CRS's units (feet, Web Mercator) */
    double match = fmax(0.05, 3 * r.pixel_m) / (r.unit_m > 0 ? r.unit_m : 1);
    size_t off = 0;
    if (truth) { /* before anything is written: truth in degrees or another CRS */
        if ((st = dm_detect_check_truth(ctx, &r, truth, txy, nt, match, &off))) {
            free(txy);
            dm_detect_result_free(ctx, &r);
            return cli_fail(ctx, "detect", st);
        }
        if (off)
            fprintf(stderr,
                    "warning: %s: %zu of its %zu points lie off the raster %s: they count as "
                    "missed\n",
                    truth, off, nt, in);
    }
    if (out) {
        if (r.n && !isfinite(r.cands[0].lon)) {
            fprintf(stderr, "demine detect: error: %s: its CRS cannot be converted to WGS 84\n",
                    in);
            rc = 4;
        } else {
            rc = write_geojson(ctx, out, in, &r, o.method, &fi);
        }
    }
    double rec = NAN, ap = NAN;
    if (truth)
        dm_detect_evaluate(r.cands, r.n, txy, nt, match, r.area_m2, far, &rec, &ap);
    if (json) {
        printf("{\"method\":\"%s\",\"candidates\":%zu,\"area_m2\":%.2f", method_name(o.method), r.n,
               r.area_m2);
        if (truth)
            printf(",\"truth\":%zu,\"far_per_100m2\":%g,\"recall\":%.4f,\"ap\":%.4f", nt, far, rec,
                   ap);
        printf("}\n");
    } else {
        printf("%s: %zu %s (%s) over %.1f m^2%s%s\n", in, r.n, cli_plural(r.n, "candidate", "candidates"),
               method_name(o.method),
               r.area_m2, out ? " -> " : "", out ? out : "");
        if (truth)
            printf("recall %.3f at %g false alarms per 100 m^2, average precision %.3f "
                   "(%zu true %s)\n",
                   rec, far, ap, nt, cli_plural(nt, "mine", "mines"));
    }
    free(txy);
    dm_detect_result_free(ctx, &r);
    return rc;
}

CLI_COMMAND(detect, "detect", run_detect, "anomaly detection on orthomosaics (RX, contrast)")
