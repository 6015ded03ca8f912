/* SPDX-License-Identifier: MIT
 *
 * cmd_mag.c -- `demine mag LINES.csv`: a magnetometer line survey levelled,
 * gridded and picked into targets and a coverage polygon (GeoJSON), with
 * optional import into the database as a flight and its detections;
 * `demine mag synth` writes a synthetic dipole survey.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: demine mag LINES.csv [--out TARGETS.geojson] [--grid GRID.tif] [--crs EPSG:n]\n"
    "                  [--cell-m 0.1] [--search-m 0.35] [--level-m 8] [--threshold 4]\n"
    "                  [--merge-m 1] [--swath-m 0.5] [--truth TRUTH.csv]\n"
    "                  [--import DB --flight-ref REF [--sensor NAME] [--date D]] [--json]\n"
    "       demine mag synth OUT.csv [--size-m 20] [--targets 30] [--noise-nt 1]\n"
    "                  [--line-spacing-m 0.5] [--seed 1] [--truth TRUTH.csv]\n\n"
    "LINES.csv has a header with line, x|easting|lon, y|northing|lat and field|nT|value\n"
    "columns (comma, semicolon or tab). lon/lat go to their UTM zone; x/y are in --crs\n"
    "(default EPSG:32638), read into its UTM zone when its unit is not a metre on the\n"
    "ground there (US feet, EPSG:3857). Corrupt lines are skipped with a warning.\n"
    "Each line is levelled by removing its running median over --level-m (drift and\n"
    "heading error), gridded by inverse distance within --search-m, and targets are\n"
    "picked where the anomaly exceeds --threshold times the noise (estimated from\n"
    "neighbouring samples). --import adds the coverage as a flight and each target as a\n"
    "detection of a magnetometer sensor (default name 'magnetometer'); re-importing the\n"
    "same survey changes nothing. --truth (x,y,depth_m,peak_nt in the survey file's CRS,\n"
    "as written by `mag synth`) reports the share of targets found among those whose\n"
    "peak exceeds 5 times the noise.\n";

static int run_synth(dm_ctx *ctx, int argc, char **argv)
{
    dm_mag_synth_opts o = {0};
    const char *out = NULL, *truth = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long l;
        if (!strcmp(a, "--size-m") && i + 1 < argc) {
            if (!cli_parse_positive("mag", a, argv[++i], 0, &o.size_m))
                return 2;
        } else if (!strcmp(a, "--noise-nt") && i + 1 < argc) {
            if (!cli_parse_positive("mag", a, argv[++i], 0, &o.noise_nt))
                return 2;
        } else if (!strcmp(a, "--line-spacing-m") && i + 1 < argc) {
            if (!cli_parse_positive("mag", a, argv[++i], 0, &o.line_spacing_m))
                return 2;
        } else if (!strcmp(a, "--targets") && i + 1 < argc) {
            if (!cli_parse_long("mag", a, argv[++i], &l))
                return 2;
            if (l < 1) /* the library takes 0 as "the default", 30 */
                return cli_usage_error("mag", "%s: %ld is out of range (at least 1)", a, l);
            o.n_targets = (int)l;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            if (!cli_parse_long("mag", a, argv[++i], &l))
                return 2;
            o.seed = (unsigned)l;
        } else if (!strcmp(a, "--truth") && i + 1 < argc)
            truth = argv[++i];
        else if (cli_positional("mag", a, &out, NULL))
            return 2;
    }
    if (!out)
        return cli_usage_error("mag", "synth needs an output file");
    {
        const char *oo[2] = {"OUT", "--truth"}, *op[2] = {out, truth};
        if (cli_outputs_clash("mag", 2, oo, op, 0, NULL, NULL))
            return 2;
    }
    dm_mag_survey sv;
    dm_mag_truth *t = NULL;
    size_t nt = 0;
    dm_status st = dm_mag_synth(ctx, &o, &sv, &t, &nt);
    if (!st)
        st = dm_mag_write_csv(ctx, &sv, out);
    if (st) {
        dm_mag_survey_free(ctx, &sv);
        dm_free(ctx, t);
        return cli_fail(ctx, "mag", st);
    }
    if (truth) {
        FILE *f = fopen(truth, "w");
        if (!f) {
            fprintf(stderr, "demine mag: error: %s: cannot create\n", truth);
        } else {
            fprintf(f, "x,y,depth_m,peak_nt\n");
            for (size_t i = 0; i < nt; i++)
                fprintf(f, "%.3f,%.3f,%.3f,%.3f\n", t[i].x, t[i].y, t[i].depth_m, t[i].peak_nt);
            fclose(f);
        }
    }
    printf("%s: %zu samples on lines, %zu %s\n", out, sv.n, nt, cli_plural(nt, "target", "targets"));
    dm_mag_survey_free(ctx, &sv);
    dm_free(ctx, t);
    return 0;
}

/* Check the truth file against the survey before anything is written: its
 * points (x,y in the survey file's CRS) must lie on the surveyed ground. All
 * of them off it (a file in degrees, or in another CRS) is an error: it
 * would score 0 found; some off it are warned of (they count as missed).
 * Returns 0, or the exit code. */
static int check_truth(dm_ctx *ctx, const char *path, const dm_mag_survey *sv)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "demine mag: error: %s: cannot open\n", path);
        return 3;
    }
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < sv->n; i++) {
        b[0] = fmin(b[0], sv->s[i].x), b[1] = fmin(b[1], sv->s[i].y);
        b[2] = fmax(b[2], sv->s[i].x), b[3] = fmax(b[3], sv->s[i].y);
    }
    dm_transform *tr = NULL;
    if (sv->src_crs[0] && dm_transform_new(ctx, sv->src_crs, sv->crs, &tr)) {
        fclose(f);
        return cli_fail(ctx, "mag", dm_ctx_errcode(ctx));
    }
    char line[512];
    long n = 0, off = 0, first_off = 0, lineno = 0;
    double fx = 0, fy = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        double x, y, d, peak;
        if (sscanf(line, "%lf,%lf,%lf,%lf", &x, &y, &d, &peak) != 4)
            continue;
        double x0 = x, y0 = y;
        if (tr && dm_transform_xy(tr, &x, &y, 1))
            x = y = NAN;
        n++;
        /* a target within 5 m of the surveyed box may still be found */
        if (!(x >= b[0] - 5 && x <= b[2] + 5 && y >= b[1] - 5 && y <= b[3] + 5)) {
            if (!off++)
                first_off = lineno, fx = x0, fy = y0;
        }
    }
    fclose(f);
    dm_transform_free(tr);
    if (n && off == n) {
        fprintf(stderr,
                "demine mag: error: %s: none of its %ld points lies on the survey (x %.1f..%.1f, "
                "y %.1f..%.1f in %s, where the survey is gridded); line %ld has %g,%g%s. Give "
                "x,y in the survey file's CRS\n",
                path, n, b[0], b[2], b[1], b[3], sv->crs, first_off,
                fx, fy,
                fabs(fx) <= 180 && fabs(fy) <= 90 ? " (longitude/latitude?)" : "");
        return 2;
    }
    if (off)
        fprintf(stderr,
                "warning: %s: %ld of %ld %s lie off the survey (the first on line "
                "%ld): they count as missed\n",
                path, off, n, cli_plural(n, "point", "points"), first_off);
    return 0;
}

/* Score the targets against the truth file (x,y in the survey file's CRS,
 * converted as the survey was when that CRS is not in ground metres). */
static void score_truth(dm_ctx *ctx, const char *path, const dm_mag_survey *sv,
                        const dm_mag_result *r, int json)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "warning: %s: cannot open\n", path);
        return;
    }
    dm_transform *tr = NULL;
    if (sv->src_crs[0] && dm_transform_new(ctx, sv->src_crs, sv->crs, &tr)) {
        fprintf(stderr, "warning: %s: %s\n", path, dm_ctx_errmsg(ctx));
        fclose(f);
        return;
    }
    char line[512];
    long strong = 0, found = 0, all = 0, all_found = 0;
    while (fgets(line, sizeof line, f)) {
        double x, y, d, peak;
        if (sscanf(line, "%lf,%lf,%lf,%lf", &x, &y, &d, &peak) != 4)
            continue;
        if (tr && dm_transform_xy(tr, &x, &y, 1))
            continue;
        int hit = 0;
        for (size_t i = 0; i < r->n_targets && !hit; i++)
            hit = hypot(r->targets[i].x - x, r->targets[i].y - y) < 0.6;
        all++;
        all_found += hit;
        if (peak > 5 * r->noise_nt) {
            strong++;
            found += hit;
        }
    }
    fclose(f);
    dm_transform_free(tr);
    if (json)
        printf(",\"truth\":%ld,\"found\":%ld,\"strong\":%ld,\"strong_found\":%ld", all, all_found,
               strong, found);
    else
        printf("truth: %ld of %ld %s found; %ld of %ld with peak above 5x noise (%.1f%%)\n",
               all_found, all, cli_plural(all, "target", "targets"), found, strong,
               strong ? 100.0 * found / strong : 0.0);
}

static int run_mag(dm_ctx *ctx, int argc, char **argv)
{
    if (cli_help_wanted(argc, argv))
        return cli_help(help);
    if (argc >= 2 && !strcmp(argv[1], "synth"))
        return run_synth(ctx, argc, argv);
    static const char *const subs[] = {"synth", NULL};
    if (argc >= 2 && cli_subcommand_typo("mag", argv[1], subs))
        return 2;
    dm_mag_opts o = {0};
    const char *in = NULL, *out = NULL, *grid = NULL, *crs = NULL, *truth = NULL, *dbp = NULL,
               *ref = NULL, *sensor = NULL, *date = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double *dv = !strcmp(a, "--cell-m")      ? &o.cell_m
                     : !strcmp(a, "--search-m")  ? &o.search_m
                     : !strcmp(a, "--level-m")   ? &o.level_m
                     : !strcmp(a, "--threshold") ? &o.threshold
                     : !strcmp(a, "--merge-m")   ? &o.merge_m
                     : !strcmp(a, "--swath-m")   ? &o.swath_m
                                                 : NULL;
        if (dv && i + 1 < argc) {
            /* the library takes 0 or less as "the default" */
            if (!cli_parse_positive("mag", a, argv[++i], 0, dv))
                return 2;
        } else if (!strcmp(a, "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(a, "--grid") && i + 1 < argc)
            grid = argv[++i];
        else if (!strcmp(a, "--crs") && i + 1 < argc)
            crs = argv[++i];
        else if (!strcmp(a, "--truth") && i + 1 < argc)
            truth = argv[++i];
        else if (!strcmp(a, "--import") && i + 1 < argc)
            dbp = argv[++i];
        else if (!strcmp(a, "--flight-ref") && i + 1 < argc)
            ref = argv[++i];
        else if (!strcmp(a, "--sensor") && i + 1 < argc)
            sensor = argv[++i];
        else if (!strcmp(a, "--date") && i + 1 < argc)
            date = argv[++i];
        else if (!strcmp(a, "--json"))
            json = 1;
        else if (cli_positional("mag", a, &in, NULL))
            return 2;
    }
    if (!in)
        return cli_usage_error("mag", "expected a CSV of magnetometer lines");
    if (dbp && !ref)
        return cli_usage_error("mag", "--import needs --flight-ref");
    char day[11];
    if (date) {
        if (!cli_parse_date(ctx, "mag", "--date", date, 0, day))
            return 2;
        date = day;
    }
    {
        const char *oo[2] = {"--out", "--grid"}, *op[2] = {out, grid};
        const char *iw[3] = {"survey CSV", "database", "truth file"}, *ip[3] = {in, dbp, truth};
        if (cli_outputs_clash("mag", 2, oo, op, 3, iw, ip))
            return 2;
    }
    dm_mag_survey sv;
    dm_status st = dm_mag_read_csv(ctx, in, crs, &sv);
    if (st)
        return cli_fail(ctx, "mag", st);
    int trc = truth ? check_truth(ctx, truth, &sv) : 0;
    if (trc) {
        dm_mag_survey_free(ctx, &sv);
        return trc;
    }
    dm_mag_result r;
    st = dm_mag_process(ctx, &sv, &o, &r);
    if (st) {
        /* the library does not know the file: name it */
        const char *msg = dm_ctx_errmsg(ctx);
        fprintf(stderr, "demine mag: error: %s: %s\n", in, *msg ? msg : dm_status_name(st));
        dm_mag_survey_free(ctx, &sv);
        return cli_exit_code(st);
    }
    if (!st && out)
        st = dm_mag_write_geojson(ctx, &r, out);
    if (!st && grid)
        st = dm_mag_write_grid(ctx, &r, sv.crs, grid);
    dm_sensor_import_stats is = {0};
    if (!st && dbp) {
        dm_store *s = NULL;
        st = dm_store_open(ctx, dbp, 0, &s);
        if (!st) {
            st = dm_mag_import(s, &r, in, ref, sensor, date, &is);
            dm_store_close(s);
        }
    }
    if (st) {
        dm_mag_result_free(ctx, &r);
        dm_mag_survey_free(ctx, &sv);
        return cli_fail(ctx, "mag", st);
    }
    if (json) {
        printf("{\"samples\":%zu,\"bad_lines\":%ld,\"noise_nt\":%.3f,\"targets\":%zu,"
               "\"coverage_ha\":%.4f",
               sv.n, sv.bad_lines, r.noise_nt, r.n_targets, r.coverage_ha);
        if (dbp)
            printf(",\"flights_added\":%ld,\"detections_added\":%ld,\"detections_skipped\":%ld",
                   is.flights_added, is.detections_added, is.detections_skipped);
        if (truth)
            score_truth(ctx, truth, &sv, &r, 1);
        printf("}\n");
    } else {
        printf("%s: %zu samples (%ld corrupt %s skipped), noise %.2f nT, %zu %s, "
               "coverage %.4f ha%s%s\n",
               in, sv.n, sv.bad_lines, cli_plural(sv.bad_lines, "line", "lines"), r.noise_nt, r.n_targets,
               cli_plural(r.n_targets, "target", "targets"), r.coverage_ha, out ? " -> " : "", out ? out : "");
        if (dbp)
            printf("%s: %ld flight%s and %ld detection%s added (%ld already known)\n", dbp,
                   is.flights_added, is.flights_added == 1 ? "" : "s", is.detections_added,
                   is.detections_added == 1 ? "" : "s", is.detections_skipped);
        if (truth)
            score_truth(ctx, truth, &sv, &r, 0);
    }
    dm_mag_result_free(ctx, &r);
    dm_mag_survey_free(ctx, &sv);
    return 0;
}

CLI_COMMAND(mag, "mag", run_mag, "magnetometer lines: level, grid, pick targets")
