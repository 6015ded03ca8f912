/* SPDX-License-Identifier: MIT
 *
 * test_mag.c -- magnetometer surveys: synthetic dipole surveys with drift,
 * heading error and noise; at least 95% of targets whose peak is above five
 * times the noise must be found; corrupt CSV lines are skipped with a
 * message; the coverage polygon matches the surveyed ground.
 */
#include "dmtest.h"

typedef struct score {
    size_t strong, strong_found, picks, false_picks;
} score;

static score run_survey(unsigned seed, double noise, dm_mag_result *keep)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_mag_synth_opts o = {0};
    o.seed = seed;
    o.noise_nt = noise;
    o.n_targets = 40;
    o.size_m = 25;
    o.min_snr = 2;
    o.max_snr = 40;
    dm_mag_survey sv;
    dm_mag_truth *t = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("lines.csv")));
    dm_mag_survey_free(ctx, &sv);
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("lines.csv"), "EPSG:32638", &sv));
    dm_mag_result r;
    ASSERT_OK(dm_mag_process(ctx, &sv, NULL, &r));
    score sc = {0};
    unsigned char *hit = calloc(r.n_targets + 1, 1);
    for (size_t k = 0; k < nt; k++) {
        int strong = t[k].peak_nt > 5 * noise;
        sc.strong += strong;
        for (size_t i = 0; i < r.n_targets; i++)
            if (hypot(r.targets[i].x - t[k].x, r.targets[i].y - t[k].y) < 0.6) {
                hit[i] = 1;
                if (strong) {
                    sc.strong_found++;
                    break;
                }
            }
    }
    sc.picks = r.n_targets;
    for (size_t i = 0; i < r.n_targets; i++)
        sc.false_picks += !hit[i];
    free(hit);
    ASSERT_NEAR(r.noise_nt, noise, 0.15 * noise);
    printf("seed %u: %zu/%zu strong targets found, %zu picks, %zu false, noise %.2f nT\n", seed,
           sc.strong_found, sc.strong, sc.picks, sc.false_picks, r.noise_nt);
    dm_free(ctx, t);
    dm_mag_survey_free(ctx, &sv);
    if (keep)
        *keep = r;
    else
        dm_mag_result_free(ctx, &r);
    return sc;
}

TEST(mag_finds_95_percent_of_targets_above_5x_noise)
{
    size_t strong = 0, found = 0, picks = 0, fp = 0;
    for (unsigned seed = 1; seed <= 3; seed++) {
        score s = run_survey(seed, seed == 2 ? 2.0 : 1.0, NULL);
        strong += s.strong;
        found += s.strong_found;
        picks += s.picks;
        fp += s.false_picks;
    }
    ASSERT(strong >= 40);
    ASSERT_MSG((double)found >= 0.95 * (double)strong, "%zu of %zu found", found, strong);
    ASSERT_MSG((double)fp <= 0.15 * (double)picks, "%zu false picks of %zu", fp, picks);
}

TEST(mag_coverage_matches_survey_area)
{
    dm_mag_result r;
    run_survey(5, 1.0, &r);
    /* 50 lines 0.5 m apart over 25 m, swath 0.5 m either side: ~25.5 x 26 m */
    ASSERT_NEAR(r.coverage_ha, 25.5 * 26.0 / 1e4, 0.01);
    double ha = 0;
    ASSERT_OK(dm_geom_area_ha(dmtest_ctx(), r.coverage, &ha));
    ASSERT_NEAR(ha, r.coverage_ha, 0.005);
    ASSERT_OK(dm_mag_write_geojson(dmtest_ctx(), &r, dmtest_path("t.geojson")));
    char *txt = dmtest_read_file(dmtest_path("t.geojson"));
    ASSERT_CONTAINS(txt, "\"kind\":\"coverage\"");
    ASSERT_CONTAINS(txt, "\"kind\":\"target\"");
    free(txt);
    dm_mag_result_free(dmtest_ctx(), &r);
}

TEST(mag_levelling_removes_drift_and_heading)
{
    /* no targets to speak of (tiny), strong drift: the levelled noise must be
     * the sensor noise, and nothing picked */
    dm_ctx *ctx = dmtest_ctx();
    dm_mag_synth_opts o = {0};
    o.n_targets = 1;
    o.min_snr = 0.01;
    o.max_snr = 0.02;
    o.seed = 9;
    dm_mag_survey sv;
    dm_mag_truth *t;
    size_t nt;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    dm_mag_result r;
    ASSERT_OK(dm_mag_process(ctx, &sv, NULL, &r));
    ASSERT_NEAR(r.noise_nt, 1.0, 0.2);
    ASSERT_MSG(r.n_targets <= 2, "%zu false picks on a clean survey", r.n_targets);
    dm_mag_result_free(ctx, &r);
    dm_mag_survey_free(ctx, &sv);
    dm_free(ctx, t);
}

TEST(mag_corrupt_csv_lines_are_skipped_with_a_message)
{
    dm_ctx *ctx = dmtest_ctx();
    dmtest_write_file(dmtest_path("m.csv"), "line,x,y,field\n"
                                            "1,600000.0,4400000.0,48000.1\n"
                                            "1,600000.0,4400000.1,abc\n"
                                            "1,600000.0,4400000.2\n"
                                            "1,600000.0,4400000.3,48000.4\n"
                                            "\n"
                                            "2,600000.5,4400000.3,48001.0\n");
    dm_mag_survey sv;
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("m.csv"), NULL, &sv));
    ASSERT_EQ(sv.n, 3);
    ASSERT_EQ(sv.bad_lines, 2);
    ASSERT_STREQ(sv.crs, "EPSG:32638");
    dm_mag_survey_free(ctx, &sv);
    dmtest_write_file(dmtest_path("bad.csv"), "a,b,c\n1,2,3\n");
    ASSERT_STATUS(DM_EPARSE, dm_mag_read_csv(ctx, dmtest_path("bad.csv"), NULL, &sv));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "bad.csv");
    dmtest_write_file(dmtest_path("allbad.csv"), "lon,lat,nT\nx,y,z\n200,10,5\n");
    ASSERT_STATUS(DM_EPARSE, dm_mag_read_csv(ctx, dmtest_path("allbad.csv"), NULL, &sv));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no usable samples");
    /* one sample: it said 'no usable samples (0 corrupt lines)' */
    dmtest_write_file(dmtest_path("one.csv"), "line,x,y,field\n1,600000,4400000,48000\n");
    ASSERT_STATUS(DM_EPARSE, dm_mag_read_csv(ctx, dmtest_path("one.csv"), NULL, &sv));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "one.csv: only 1 usable sample");
    /* lon/lat input is projected to its UTM zone */
    dmtest_write_file(dmtest_path("geo.csv"), "lon;lat;nT\n46.9;39.9;48000\n46.90001;39.9;48001\n");
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("geo.csv"), NULL, &sv));
    ASSERT_STREQ(sv.crs, "EPSG:32638");
    ASSERT_NEAR(sv.s[1].x - sv.s[0].x, 0.855, 0.01);
    dm_mag_survey_free(ctx, &sv);
}

TEST(mag_cli_synth_pick_and_import)
{
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "mag synth m.csv --size-m 15 --targets 12 --seed 2 --truth t.csv");
    /* a corrupt line in the middle */
    char *csv = dmtest_read_file(dmtest_path("m.csv"));
    char *nl = strchr(strchr(csv, '\n') + 1, '\n');
    size_t head = (size_t)(nl - csv) + 1;
    char *bad = malloc(strlen(csv) + 64);
    memcpy(bad, csv, head);
    snprintf(bad + head, strlen(csv) + 64 - head, "3,600001.0,oops,48000\n%s", csv + head);
    dmtest_write_file(dmtest_path("m.csv"), bad);
    free(bad);
    free(csv);
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "mag m.csv --out targets.geojson --grid g.tif --truth t.csv "
                                  "--import t.gpkg --flight-ref MAG-1 --date 2024-08-01"),
              0);
    ASSERT_CONTAINS(out, "line 3: field 'y'");
    ASSERT_CONTAINS(out, "1 corrupt line skipped");
    ASSERT_CONTAINS(out, "1 flight and");
    ASSERT_CONTAINS(out, "(100.0%)");
    free(out);
    ASSERT_DEMINE(0, "\"flights_added\":0,\"detections_added\":0",
                  "mag m.csv --import t.gpkg --flight-ref MAG-1 --date 2024-08-01 --json");
    ASSERT_DEMINE(2, "--flight-ref", "mag m.csv --import t.gpkg");
    ASSERT_DEMINE(3, "nothere.csv", "mag nothere.csv");
}

TEST(mag_cli_refuses_outputs_over_inputs)
{
    ASSERT_DEMINE(0, NULL, "mag synth m.csv --size-m 4 --targets 3 --truth t.csv");
    char *before = dmtest_read_file(dmtest_path("m.csv"));
    ASSERT(before != NULL);
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_DEMINE(2, "--out m.csv is the survey CSV: not writing over it", "mag m.csv --out m.csv");
    ASSERT_DEMINE(2, "is the truth file", "mag m.csv --grid ./t.csv --truth t.csv");
    ASSERT_DEMINE(2, "is the database", "mag m.csv --out t.gpkg --import t.gpkg --flight-ref F");
    ASSERT_DEMINE(2, "--out and --grid name the same file", "mag m.csv --out x.tif --grid x.tif");
    ASSERT_DEMINE(2, NULL, "mag synth s.csv --truth s.csv");
    char *after = dmtest_read_file(dmtest_path("m.csv"));
    ASSERT(after != NULL);
    ASSERT_STREQ(before, after);
    free(before);
    free(after);
}

TEST(mag_refuses_degrees_read_as_metres)
{
    dm_ctx *ctx = dmtest_ctx();
    /* two lines 0.5 m apart, samples every 0.1 m, in degrees */
    char body[8192], buf[8300];
    size_t n = 0;
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 40; k++)
            n += (size_t)snprintf(body + n, sizeof body - n, "%d,%.8f,%.8f,%.2f\n", l,
                                  46.9 + l * 0.5 / 85000, 39.9 + k * 0.1 / 111000,
                                  48000 + 0.3 * (k % 3));
    /* under x,y they were read as metres of UTM 38N: a survey 0.0002 m wide */
    snprintf(buf, sizeof buf, "line,x,y,field\n%s", body);
    dmtest_write_file(dmtest_path("deg.csv"), buf);
    dm_mag_survey sv;
    ASSERT_STATUS(DM_EPARSE, dm_mag_read_csv(ctx, dmtest_path("deg.csv"), NULL, &sv));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "deg.csv");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "name the columns lon,lat");
    /* the same named lon,lat is read (into UTM 38N) */
    snprintf(buf, sizeof buf, "line,lon,lat,field\n%s", body);
    dmtest_write_file(dmtest_path("ll.csv"), buf);
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("ll.csv"), NULL, &sv));
    ASSERT_EQ(sv.n, 80);
    ASSERT_STREQ(sv.crs, "EPSG:32638");
    dm_mag_survey_free(ctx, &sv);
    /* a local grid in metres near 0,0 that spans more than half a metre is fine */
    n = (size_t)snprintf(buf, sizeof buf, "line,x,y,field\n");
    for (int k = 0; k < 40; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "0,1.0,%.1f,48000\n", k * 0.1);
    dmtest_write_file(dmtest_path("loc.csv"), buf);
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("loc.csv"), NULL, &sv));
    dm_mag_survey_free(ctx, &sv);
}

TEST(mag_refuses_options_out_of_range_and_crs_not_in_metres)
{
    ASSERT_DEMINE(0, NULL, "mag synth m.csv --size-m 4 --targets 3");
    /* 0 or negative fell back to the defaults; NaN cell gave "out of memory
     * for a -2147483648x-2147483648 grid" */
    const char *bad[] = {"--cell-m 0", "--cell-m nan", "--search-m -1", "--threshold 0",
                         "--swath-m -0.5"};
    for (int i = 0; i < 5; i++) {
        ASSERT_DEMINE(2, "must be a number more than 0", "mag m.csv %s", bad[i]);
    }
    /* x/y read in degrees as if metres; feet are converted (mag_reads_crs_units_...) */
    ASSERT_DEMINE(2, "m.csv: CRS 'EPSG:4326' of the x/y columns is not projected",
                  "mag m.csv --crs EPSG:4326");
    ASSERT_DEMINE(0, "a unit of x/y in EPSG:2263 is", "mag m.csv --crs EPSG:2263");
    ASSERT_DEMINE(2, "not a known CRS", "mag m.csv --crs nonsense");
    ASSERT_DEMINE(0, NULL, "mag m.csv --crs EPSG:32638 --cell-m 0.2");
    dm_mag_survey sv;
    ASSERT_OK(dm_mag_read_csv(dmtest_ctx(), dmtest_path("m.csv"), NULL, &sv));
    dm_mag_opts o = {0};
    o.threshold = NAN;
    dm_mag_result r;
    ASSERT_STATUS(DM_EINVAL, dm_mag_process(dmtest_ctx(), &sv, &o, &r));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "threshold");
    dm_mag_survey_free(dmtest_ctx(), &sv);
}

TEST(mag_synth_refuses_options_out_of_range)
{
    const char *bad[] = {"--size-m 0", "--noise-nt -1", "--line-spacing-m nan", "--targets 0"};
    for (int i = 0; i < 4; i++) {
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s:", (int)strcspn(bad[i], " "), bad[i]);
        ASSERT_DEMINE(2, opt, "mag synth s.csv %s", bad[i]);
    }
    ASSERT_DEMINE(0, "1 target\n", "mag synth s.csv --size-m 4 --targets 1");
}

TEST(mag_processing_errors_name_the_file)
{
    char *out = NULL;
    dmtest_write_file(dmtest_path("same.csv"), "line,x,y,field\n1,600000,4400000,48000\n"
                                               "1,600000,4400000,48001\n1,600000,4400000,48002\n");
    /* was "error: the survey has no variation after levelling", no file */
    ASSERT_DEMINE(2, "error: same.csv: the survey has no variation", "mag same.csv");
    dmtest_write_file(dmtest_path("far.csv"),
                      "line,x,y,field\n1,600000,4400000,48000\n1,650000,4450000,48003\n"
                      "1,700000,4500000,48001\n");
    ASSERT_EQ(dmtest_demine(&out, "mag far.csv"), 2);
    ASSERT_CONTAINS(out, "error: far.csv: a ");
    ASSERT_CONTAINS(out, "is too large");
    free(out);
    /* a line column numbering samples: every line one sample ("no variation
     * after levelling"); two samples in all */
    dmtest_write_file(dmtest_path("each.csv"), "line,x,y,field\n1,600000,4400000,48000\n2,600000.1,4400000,48001\n"
                                               "3,600000.2,4400000,48003\n4,600000.3,4400000,48002\n");
    ASSERT_DEMINE(2, "error: each.csv: field 'line': no survey line has more than 1 sample (4 lines for 4 samples)",
                  "mag each.csv");
    dmtest_write_file(dmtest_path("two.csv"), "line,x,y,field\n1,600000,4400000,48000\n1,600000.1,4400000,48001\n");
    ASSERT_DEMINE(2, "error: two.csv: only 2 samples", "mag two.csv");
    /* --swath-m 1e6 claimed 312 million ha searched */
    ASSERT_DEMINE(2, "swath_m: 1e+06 m is wider than any sensor sees", "mag same.csv --swath-m 1e6");
}

/* x/y in Web Mercator (metres of the projection, 1 / cos(latitude) of the
 * ground's) were taken as ground metres: at 39.7 N the coverage came out
 * 1.66 times too large and the search and merge radii 0.77 times too small.
 * Now the survey is read into its UTM zone and gives what the UTM file
 * gives; the grid, targets and truth follow. */
TEST(mag_reads_crs_units_that_are_not_ground_metres_into_utm)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_mag_synth_opts o = {0};
    o.seed = 2;
    o.size_m = 12;
    o.n_targets = 12;
    dm_mag_survey sv;
    dm_mag_truth *t = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("utm.csv")));
    /* the same survey and truth in EPSG:3857 */
    dm_transform *tr = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32638", "EPSG:3857", &tr));
    for (size_t i = 0; i < sv.n; i++)
        ASSERT_OK(dm_transform_xy(tr, &sv.s[i].x, &sv.s[i].y, 1));
    ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("merc.csv")));
    dm_mag_survey_free(ctx, &sv);
    FILE *fu = fopen(dmtest_path("tu.csv"), "w"), *fm = fopen(dmtest_path("tm.csv"), "w");
    ASSERT(fu && fm);
    fprintf(fu, "x,y,depth_m,peak_nt\n");
    fprintf(fm, "x,y,depth_m,peak_nt\n");
    for (size_t i = 0; i < nt; i++) {
        double x = t[i].x, y = t[i].y;
        fprintf(fu, "%.3f,%.3f,%.3f,%.3f\n", x, y, t[i].depth_m, t[i].peak_nt);
        ASSERT_OK(dm_transform_xy(tr, &x, &y, 1));
        fprintf(fm, "%.3f,%.3f,%.3f,%.3f\n", x, y, t[i].depth_m, t[i].peak_nt);
    }
    fclose(fu);
    fclose(fm);
    dm_transform_free(tr);
    dm_free(ctx, t);
    /* read back: in UTM 38N, within a centimetre of the UTM file */
    dm_mag_survey su, sm;
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("utm.csv"), "EPSG:32638", &su));
    ASSERT_STREQ(su.src_crs, "");
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("merc.csv"), "EPSG:3857", &sm));
    ASSERT_STREQ(sm.crs, "EPSG:32638");
    ASSERT_STREQ(sm.src_crs, "EPSG:3857");
    ASSERT_EQ(sm.n, su.n);
    for (size_t i = 0; i < su.n; i += 97) {
        ASSERT_NEAR(sm.s[i].x, su.s[i].x, 0.01);
        ASSERT_NEAR(sm.s[i].y, su.s[i].y, 0.01);
    }
    dm_mag_survey_free(ctx, &su);
    dm_mag_survey_free(ctx, &sm);
    /* the command: same targets, coverage and truth score, a warning */
    char *a = NULL, *b = NULL;
    ASSERT_EQ(dmtest_demine(&a, "mag %s --truth %s --json", dmtest_path("utm.csv"),
                            dmtest_path("tu.csv")),
              0);
    ASSERT_EQ(dmtest_demine(&b, "mag %s --crs EPSG:3857 --truth %s --grid %s --json",
                            dmtest_path("merc.csv"), dmtest_path("tm.csv"), dmtest_path("g.tif")),
              0);
    ASSERT_CONTAINS(b, "merc.csv: a unit of x/y in EPSG:3857 is 0.77");
    ASSERT_CONTAINS(b, "the survey is read into EPSG:32638 (its UTM zone)");
    printf("UTM:  %s\nWeb Mercator: %s\n", a, strchr(b, '{'));
    double ca = 0, cb = 0;
    long ta = -1, tb = -2, fa = -1, fb = -2;
    const char *p = strstr(a, "\"coverage_ha\":"), *q = strstr(b, "\"coverage_ha\":");
    ASSERT(p && q);
    ASSERT(sscanf(p, "\"coverage_ha\":%lf,\"truth\":%*d,\"found\":%ld", &ca, &fa) == 2);
    ASSERT(sscanf(q, "\"coverage_ha\":%lf,\"truth\":%*d,\"found\":%ld", &cb, &fb) == 2);
    ASSERT_NEAR(cb, ca, 0.0002);
    ASSERT_EQ(fb, fa);
    ASSERT(fa > 0);
    p = strstr(a, "\"targets\":");
    q = strstr(b, "\"targets\":");
    ASSERT(p && q && sscanf(p, "\"targets\":%ld", &ta) == 1 && sscanf(q, "\"targets\":%ld", &tb) == 1);
    ASSERT_EQ(tb, ta);
    free(a);
    free(b);
    /* the grid is written in the UTM zone the survey was read into */
    dm_grid g;
    ASSERT_OK(dm_raster_grid(ctx, dmtest_path("g.tif"), &g));
    ASSERT_CONTAINS(g.crs, "32638");
    ASSERT_NEAR(g.cell, 0.1, 1e-9);
}


/* A truth file whose points are not on the survey (degrees, another CRS)
 * is refused before anything is written: it scored 0 found, exit 0. Some
 * points off the survey are warned of. */
TEST(mag_truth_off_the_survey_is_refused)
{
    ASSERT_DEMINE(0, NULL, "mag synth m.csv --size-m 10 --targets 5 --seed 3 --truth t.csv");
    char *truth = dmtest_read_file(dmtest_path("t.csv"));
    ASSERT(truth != NULL);
    /* the same targets given in degrees */
    FILE *f = fopen(dmtest_path("deg.csv"), "w");
    FILE *g = fopen(dmtest_path("part.csv"), "w");
    ASSERT(f && g);
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(truth, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        double x, y, d, peak;
        if (sscanf(line, "%lf,%lf,%lf,%lf", &x, &y, &d, &peak) != 4) {
            fprintf(f, "%s\n", line);
            fprintf(g, "%s\n", line);
            continue;
        }
        fprintf(f, "%.7f,%.7f,%g,%g\n", 45.0 + x * 1e-6, 40.0 + y * 1e-7, d, peak);
        fprintf(g, "%.3f,%.3f,%g,%g\n", n ? x : x + 5000, y, d, peak);
        n++;
    }
    fclose(f);
    fclose(g);
    free(truth);
    ASSERT(n == 5);
    ASSERT_DEMINE(0, NULL, "init t.gpkg");
    ASSERT_DEMINE(2, "(longitude/latitude?)",
                  "mag m.csv --truth deg.csv --import t.gpkg --flight-ref MAG-1 --date 2024-08-01");
    ASSERT_DEMINE(0, "\"flights_added\":1",
                  "mag m.csv --truth part.csv --import t.gpkg --flight-ref MAG-1 --date 2024-08-01 "
                  "--json");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "mag m.csv --truth part.csv"), 0);
    ASSERT_CONTAINS(out, "1 of 5 points lie off the survey");
    free(out);
}

/* Writes sv as CSV rows in the order of a fixed permutation (i * 7919 mod n),
 * under the given header; with times (ISO or seconds) when iso >= 0. */
static void write_shuffled(const dm_mag_survey *sv, const char *path, const char *header, int iso)
{
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fprintf(f, "%s\n", header);
    size_t n = sv->n;
    ASSERT(n % 7919 != 0);
    for (size_t q = 0; q < n; q++) {
        size_t i = q * 7919 % n;
        const dm_mag_sample *s = &sv->s[i];
        fprintf(f, "%d,%.3f,%.3f,%.3f", s->line, s->x, s->y, s->field);
        double t = (double)i * 0.1;
        if (iso > 0)
            fprintf(f, ",2024-05-01T10:%02d:%06.3f", (int)(t / 60), fmod(t, 60));
        else if (iso == 0)
            fprintf(f, ",%.1f", t);
        fprintf(f, "\n");
    }
    fclose(f);
}

/* Rows out of order (a file sorted by another column, loggers merged) were
 * levelled against samples metres away: the noise came out 1.5 times too
 * high and half the targets were lost. With a time column they are taken in
 * time order; without, each line in order along it. Column names with units
 * (Easting_m, TMI_nT) are read too. */
TEST(mag_samples_out_of_order_are_put_in_order)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_mag_synth_opts o = {0};
    o.seed = 3;
    o.n_targets = 30;
    o.size_m = 12;
    dm_mag_survey sv;
    dm_mag_truth *t = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    dm_mag_result ref;
    ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("ordered.csv")));
    dm_mag_survey so;
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("ordered.csv"), "EPSG:32638", &so));
    ASSERT_OK(dm_mag_process(ctx, &so, NULL, &ref));
    ASSERT(ref.n_targets >= 5);
    const char *files[] = {"t-iso.csv", "t-sec.csv", "no-time.csv"};
    const char *headers[] = {"Line_ID,Easting_m,Northing_m,TMI_nT,Time", "line,x,y,field,gps_time",
                             "Line,Easting [m],Northing [m],Field (nT)"};
    for (int k = 0; k < 3; k++) {
        write_shuffled(&sv, dmtest_path(files[k]), headers[k], k == 0 ? 1 : k == 1 ? 0 : -1);
        dm_mag_survey s2;
        ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path(files[k]), "EPSG:32638", &s2));
        ASSERT_EQ(s2.n, sv.n);
        dm_mag_result r;
        ASSERT_OK(dm_mag_process(ctx, &s2, NULL, &r));
        ASSERT_MSG(r.n_targets == ref.n_targets, "%s: %zu targets, %zu in order", files[k], r.n_targets,
                   ref.n_targets);
        ASSERT_NEAR(r.noise_nt, ref.noise_nt, 0.02 * ref.noise_nt);
        for (size_t i = 0; i < r.n_targets; i++) {
            double best = INFINITY;
            for (size_t j = 0; j < ref.n_targets; j++)
                best = fmin(best, hypot(r.targets[i].x - ref.targets[j].x, r.targets[i].y - ref.targets[j].y));
            ASSERT_MSG(best < 0.05, "%s: target %zu is %.2f m from any found in order", files[k], i, best);
        }
        dm_mag_result_free(ctx, &r);
        dm_mag_survey_free(ctx, &s2);
    }
    dm_mag_result_free(ctx, &ref);
    dm_mag_survey_free(ctx, &so);
    dm_mag_survey_free(ctx, &sv);
    dm_free(ctx, t);
}

TEST(mag_coverage_leaves_out_gaps_within_lines)
{
    /* lines broken by a 4 m road (no samples, same line numbers): the
     * coverage bridged the gap, 20 x 3 m claimed as searched */
    dm_ctx *ctx = dmtest_ctx();
    double ha[2];
    for (int gap = 0; gap < 2; gap++) {
        dm_mag_synth_opts o = {0};
        o.seed = 3;
        o.size_m = 20;
        dm_mag_survey sv;
        dm_mag_truth *t = NULL;
        size_t nt = 0;
        ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
        dm_free(ctx, t);
        double miny = INFINITY;
        for (size_t i = 0; i < sv.n; i++)
            miny = fmin(miny, sv.s[i].y);
        size_t m = 0;
        for (size_t i = 0; i < sv.n; i++)
            if (!gap || sv.s[i].y < miny + 8 || sv.s[i].y > miny + 12)
                sv.s[m++] = sv.s[i];
        sv.n = m;
        if (gap)
            ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("gap.csv")));
        dm_mag_result r;
        ASSERT_OK(dm_mag_process(ctx, &sv, NULL, &r));
        ha[gap] = r.coverage_ha;
        dm_mag_result_free(ctx, &r);
        dm_mag_survey_free(ctx, &sv);
    }
    /* the 4 m gap less the swath (0.5 m) either side: 3 m x 20.5 m */
    double lost_m2 = (ha[0] - ha[1]) * 1e4;
    printf("coverage %.4f ha, %.4f ha with the gap (%.1f m^2 left out)\n", ha[0], ha[1], lost_m2);
    ASSERT_MSG(lost_m2 > 0.85 * 3 * 20.5 && lost_m2 < 1.15 * 3 * 20.5, "%.1f m^2 left out", lost_m2);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "mag %s", dmtest_path("gap.csv")), 0);
    ASSERT_CONTAINS(out, "gaps of more than 1.0 m between samples within lines");
    free(out);
}

TEST(mag_repeated_rows_do_not_lower_the_noise)
{
    /* a file given twice: neighbouring differences of 0 made the noise 0.09
     * nT instead of 1.0, every SNR eleven times too high */
    dm_ctx *ctx = dmtest_ctx();
    dm_mag_synth_opts o = {0};
    o.seed = 4;
    o.size_m = 10;
    dm_mag_survey sv;
    dm_mag_truth *t = NULL;
    size_t nt = 0;
    ASSERT_OK(dm_mag_synth(ctx, &o, &sv, &t, &nt));
    dm_free(ctx, t);
    ASSERT_OK(dm_mag_write_csv(ctx, &sv, dmtest_path("once.csv")));
    dm_mag_survey_free(ctx, &sv);
    ASSERT_OK(dm_mag_read_csv(ctx, dmtest_path("once.csv"), "EPSG:32638", &sv));
    size_t n1 = sv.n;
    dm_mag_sample *s2 = malloc(2 * n1 * sizeof *s2);
    ASSERT(s2 != NULL);
    memcpy(s2, sv.s, n1 * sizeof *s2);
    memcpy(s2 + n1, sv.s, n1 * sizeof *s2);
    dm_mag_result r1, r2;
    ASSERT_OK(dm_mag_process(ctx, &sv, NULL, &r1));
    dm_mag_survey sv2 = sv;
    sv2.s = s2;
    sv2.n = 2 * n1;
    ASSERT_OK(dm_mag_process(ctx, &sv2, NULL, &r2));
    printf("noise %.3f nT, %.3f nT with every row twice\n", r1.noise_nt, r2.noise_nt);
    ASSERT_EQ(sv2.n, n1);
    ASSERT_NEAR(r2.noise_nt, r1.noise_nt, 1e-9);
    ASSERT_EQ(r2.n_targets, r1.n_targets);
    free(s2);
    dm_mag_result_free(ctx, &r1);
    dm_mag_result_free(ctx, &r2);
    dm_mag_survey_free(ctx, &sv);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "(cat once.csv; tail -n +2 once.csv) > twice.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "mag twice.csv"), 0);
    ASSERT_CONTAINS(out, "samples repeat another of their line (same position and value");
    free(out);
}

TEST(mag_lines_of_two_far_samples_are_gaps)
{
    /* twelve lines of two samples 300 m apart (a file of lines' ends) and
     * one line sampled every 0.25 m: the median step was 300 m, no step was a
     * gap, and the coverage claimed 12 x 300 m strips, 0.36 ha, as searched */
    FILE *f = fopen(dmtest_path("ends.csv"), "w");
    ASSERT(f != NULL);
    fprintf(f, "line,x,y,field\n");
    unsigned r = 7;
    for (int k = 0; k < 12; k++)
        for (int e = 0; e < 2; e++) {
            r = r * 1103515245u + 12345u;
            fprintf(f, "%d,%d,%d,%.2f\n", k + 1, 500000 + k, 4400000 + 300 * e, 48000 + (r >> 16) % 300 / 100.0);
        }
    for (int i = 0; i < 11; i++) {
        r = r * 1103515245u + 12345u;
        fprintf(f, "13,500020,%.2f,%.2f\n", 4400000 + 0.25 * i, 48000 + (r >> 16) % 300 / 100.0);
    }
    fclose(f);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "mag '%s' --cell-m 1", dmtest_path("ends.csv")), 0);
    ASSERT_CONTAINS(out, "the median step between samples within lines is 300.0 m");
    ASSERT_CONTAINS(out, "12 gaps of more than 10.0 m between samples within lines");
    /* 24 samples buffered by 0.5 m and the short line: about 22 m^2 */
    const char *c = strstr(out, " targets, coverage ");
    ASSERT(c != NULL);
    double ha = strtod(c + 19, NULL);
    ASSERT_MSG(ha > 0.0015 && ha < 0.003, "coverage %.4f ha", ha);
    free(out);
}
