/* SPDX-License-Identifier: MIT
 *
 * test_patterns.c -- pattern reconstruction: rows, spacing and offsets found
 * among clutter; predictions where the rows go on and not where they were
 * searched; pattern-guided clearance beating lanes on a doctrinal field and
 * not on a nuisance one; the patterns command on the demo database.
 */
#include "dmtest.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

static double gauss(unsigned *s)
{
    double u = urand(s) + 1e-9, v = urand(s);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A doctrinal field: rows along bearing ang, `sep` apart, spacing sp,
 * alternate rows staggered, 4% missing, noise as the demo lays them. */
static size_t doctrinal(double *xy, unsigned *s, double ang, int rows, double sp, double sep, double len)
{
    size_t n = 0;
    double ux = cos(ang), uy = sin(ang);
    for (int r = 0; r < rows; r++)
        for (double a = (r % 2) * sp / 2; a <= len; a += sp) {
            if (urand(s) < 0.04)
                continue;
            double t = a + gauss(s) * 0.25, o = r * sep + gauss(s) * 0.3;
            xy[2 * n] = 500 + ux * t - uy * o;
            xy[2 * n + 1] = 800 + uy * t + ux * o;
            n++;
        }
    return n;
}

TEST(rows_found_among_clutter_with_spacing_and_offsets)
{
    dm_ctx *ctx = dmtest_ctx();
    static double xy[4000];
    unsigned s = 11;
    size_t n = doctrinal(xy, &s, 0.7, 4, 4.8, 18, 150);
    for (int k = 0; k < 60; k++) { /* UXO and fragments around */
        xy[2 * n] = 400 + urand(&s) * 250;
        xy[2 * n + 1] = 750 + urand(&s) * 250;
        n++;
    }
    dm_row_fit rows[16];
    size_t nr = 0;
    ASSERT_OK(dm_rows_fit(ctx, xy, n, NULL, rows, 16, &nr));
    size_t good = 0;
    for (size_t i = 0; i < nr; i++) {
        if (rows[i].n < 10)
            continue; /* clutter that happens to line up */
        good++;
        ASSERT_NEAR(remainder(atan2(rows[i].uy, rows[i].ux) - 0.7, M_PI), 0, 0.01);
        ASSERT_NEAR(rows[i].spacing, 4.8, 0.05);
        ASSERT_MSG(rows[i].sd_along < 0.5, "sd along %.2f", rows[i].sd_along);
    }
    ASSERT_EQ(good, 4);
    /* rows 18 m apart */
    double o[4];
    size_t k = 0;
    for (size_t i = 0; i < nr && k < 4; i++)
        if (rows[i].n >= 10)
            o[k++] = rows[i].offset;
    for (size_t i = 1; i < 4; i++)
        ASSERT_NEAR(fabs(o[i] - o[i - 1]), 18, 0.5);
    /* too few points: no rows, no error */
    ASSERT_OK(dm_rows_fit(ctx, xy, 2, NULL, rows, 16, &nr));
    ASSERT_EQ(nr, 0);
}

/* Searched: everything west of x = 560 in the frame of the field. */
static double west_searched(void *user, double x, double y, double sigma)
{
    (void)user;
    (void)y;
    (void)sigma;
    return x < 560 ? 1 : 0;
}

TEST(predictions_extend_rows_into_unsearched_ground)
{
    dm_ctx *ctx = dmtest_ctx();
    static double all[4000], found[4000];
    unsigned s = 5;
    size_t n = doctrinal(all, &s, 0.0, 3, 5.0, 15, 200); /* rows run east from x = 500 */
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (all[2 * i] < 560) {
            found[2 * nf] = all[2 * i];
            found[2 * nf + 1] = all[2 * i + 1];
            nf++;
        }
    dm_row_fit rows[8];
    size_t nr = 0;
    ASSERT_OK(dm_rows_fit(ctx, found, nf, NULL, rows, 8, &nr));
    ASSERT_EQ(nr, 3);
    dm_predicted *p = NULL;
    size_t np = 0;
    ASSERT_OK(dm_rows_predict(ctx, rows, nr, 150, 40, west_searched, NULL, &p, &np));
    ASSERT_MSG(np > 50, "predictions %zu", np);
    size_t hits = 0, strong = 0;
    for (size_t k = 0; k < np; k++) {
        ASSERT_MSG(p[k].x >= 560, "no prediction in searched ground");
        ASSERT_MSG(p[k].p > 0 && p[k].p <= 1 && p[k].sigma_m > 0, "p and sigma in range");
        if (p[k].row < 0 || p[k].x > 700 || p[k].p < 0.3)
            continue;
        strong++;
        for (size_t i = 0; i < n; i++)
            if (hypot(all[2 * i] - p[k].x, all[2 * i + 1] - p[k].y) < 1.5) {
                hits++;
                break;
            }
    }
    /* the rows' next mines are where predicted (a few are missing) */
    ASSERT_MSG(strong > 20 && hits >= strong * 85 / 100, "%zu of %zu predictions on a mine", hits, strong);
    /* p fades with the distance from the finds */
    double near = 0, far = 0;
    for (size_t k = 0; k < np; k++) {
        if (p[k].row != 0)
            continue;
        if (p[k].x < 600) near = fmax(near, p[k].p);
        if (p[k].x > 680) far = fmax(far, p[k].p);
    }
    ASSERT_MSG(near > far, "p fades: %.2f vs %.2f", near, far);
    dm_free(ctx, p);
}

/* Searched: a strip 5 m either side of y = 100 from x = 45 to 92 (a row of
 * finds at x = 50..86 and a spacing beyond it either end). */
static double strip_searched(void *user, double x, double y, double sigma)
{
    (void)user;
    (void)sigma;
    return x >= 45 && x <= 92 && fabs(y - 100) <= 5 ? 1 : 0;
}

TEST(rows_straight_row_exact_direction_and_both_ends_alike)
{
    dm_ctx *ctx = dmtest_ctx();
    /* one perfect row of 10 finds 4 m apart, along x and along 23.7 degrees:
     * the direction is exact (the vote's half-degree bins left it 0.5
     * degrees off, 1.3 m across at 150 m) */
    for (int pass = 0; pass < 2; pass++) {
        double ang = pass ? 23.7 * M_PI / 180 : 0, xy[20];
        for (int i = 0; i < 10; i++) {
            xy[2 * i] = 50 + 4 * i * cos(ang);
            xy[2 * i + 1] = 100 + 4 * i * sin(ang);
        }
        dm_row_fit rows[4];
        size_t nr = 0;
        ASSERT_OK(dm_rows_fit(ctx, xy, 10, NULL, rows, 4, &nr));
        ASSERT_EQ(nr, 1);
        ASSERT_EQ(rows[0].n, 10);
        double err = remainder(atan2(rows[0].uy, rows[0].ux) - ang, M_PI) * 180 / M_PI;
        ASSERT_MSG(fabs(err) < 0.01, "row direction %.3f degrees off", err);
        ASSERT_MSG(rows[0].sd_across < 0.01, "sd across %.3f m", rows[0].sd_across);
        ASSERT_NEAR(rows[0].spacing, 4, 0.01);
        if (pass)
            continue;
        /* cleared a spacing beyond either end and nothing found: both ends
         * go on alike, and every prediction lies on the row */
        dm_predicted *p = NULL;
        size_t np = 0;
        ASSERT_OK(dm_rows_predict(ctx, rows, nr, 150, 30, strip_searched, NULL, &p, &np));
        double west = 0, east = 0;
        for (size_t k = 0; k < np; k++) {
            ASSERT_MSG(fabs(p[k].y - 100) < 0.05, "prediction at x %.1f is %.2f m off the row", p[k].x,
                       p[k].y - 100);
            if (fabs(p[k].x - 42) < 0.5)
                west = p[k].p;
            if (fabs(p[k].x - 94) < 0.5)
                east = p[k].p;
        }
        ASSERT_MSG(west > 0 && east > 0, "predictions at 42 (%.3f) and 94 (%.3f)", west, east);
        ASSERT_NEAR(west, east, 1e-6);
        dm_free(ctx, p);
    }
    /* a row whose end find lies a hair off its lattice: that find is still
     * the row's, not a place beyond it searched in vain */
    dm_row_fit r = {0, 100, 1, 0, 0, 4, 50 + 1e-9, 50, 86, 0.01, 0.01, 10};
    dm_predicted *p = NULL;
    size_t np = 0;
    ASSERT_OK(dm_rows_predict(ctx, &r, 1, 150, 30, strip_searched, NULL, &p, &np));
    double west = 0, east = 0;
    for (size_t k = 0; k < np; k++) {
        if (fabs(p[k].x - 42) < 0.5)
            west = p[k].p;
        if (fabs(p[k].x - 94) < 0.5)
            east = p[k].p;
    }
    ASSERT_MSG(west > 0 && fabs(west - east) < 1e-6, "ends: west %.3f, east %.3f", west, east);
    dm_free(ctx, p);
}

TEST(capture_guided_beats_lanes_on_doctrinal_not_on_nuisance)
{
    dm_ctx *ctx = dmtest_ctx();
    static double xy[4000];
    unsigned s = 3;
    size_t n = doctrinal(xy, &s, 0.5, 3, 5.0, 15, 120);
    /* search area: the field's box and 20 m around, axis-aligned */
    double b[4] = {1e9, 1e9, -1e9, -1e9};
    for (size_t i = 0; i < n; i++) {
        b[0] = fmin(b[0], xy[2 * i]);
        b[1] = fmin(b[1], xy[2 * i + 1]);
        b[2] = fmax(b[2], xy[2 * i]);
        b[3] = fmax(b[3], xy[2 * i + 1]);
    }
    double ring[8] = {b[0] - 20, b[1] - 20, b[2] + 20, b[1] - 20, b[2] + 20, b[3] + 20, b[0] - 20, b[3] + 20};
    dm_capture c;
    ASSERT_OK(dm_capture_simulate(ctx, ring, 4, xy, n, 1.0, &c));
    ASSERT_EQ(c.mines, n);
    ASSERT_MSG(c.auc_guided >= c.auc_blind + 0.10, "AUC %.3f vs lanes %.3f", c.auc_guided, c.auc_blind);
    ASSERT_MSG(c.area_all_guided <= 0.8 * c.area_all_blind, "area %.3f vs lanes %.3f", c.area_all_guided,
               c.area_all_blind);
    /* nuisance: a handful of mines strewn at random, no rows to follow */
    size_t m = 0;
    for (int k = 0; k < 8; k++) {
        xy[2 * m] = 1000 + urand(&s) * 60;
        xy[2 * m + 1] = 1000 + urand(&s) * 60;
        m++;
    }
    double r2[8] = {990, 990, 1070, 990, 1070, 1070, 990, 1070};
    ASSERT_OK(dm_capture_simulate(ctx, r2, 4, xy, m, 1.0, &c));
    ASSERT_MSG(c.auc_guided < c.auc_blind + 0.05, "no pattern gain on nuisance: %.3f vs %.3f", c.auc_guided,
               c.auc_blind);
    ASSERT_STATUS(DM_EINVAL, dm_capture_simulate(ctx, r2, 2, xy, m, 1.0, &c));
}

TEST(patterns_on_demo_write_predictions_in_one_go)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    const char *db = dmtest_demo_db();
    /* finds of a report awaiting review are no evidence: the demo's one
     * pending report is approved first (its finds hold a hazard's rows) */
    ASSERT_EQ(dmtest_approve_drafts(db), 2);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    char *js = NULL;
    dm_patterns_opts o = {NULL, 150, 1};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    long n = -1;
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, 0); /* dry run */
    json_error_t err;
    json_t *r = json_loads(js, 0, &err);
    dm_free(ctx, js);
    long predicted = (long)json_integer_value(json_object_get(r, "predicted"));
    ASSERT_MSG(json_integer_value(json_object_get(r, "hazards_with_rows")) >= 3, "rows found in demo hazards");
    ASSERT_MSG(predicted > 100, "predicted %ld", predicted);
    double e = json_number_value(json_object_get(r, "expected_remaining"));
    ASSERT_MSG(e > 0 && e < predicted, "expected remaining %.1f", e);
    json_decref(r);
    o.dry_run = 0;
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, predicted);
    /* again: replaced, not doubled */
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, predicted);
    dm_patterns_opts bad = {"no-such-hazard", 150, 0};
    ASSERT_STATUS(DM_ENOTFOUND, dm_patterns_run(s, &bad, &js));
    dm_store_close(s);
}

TEST(patterns_simulate_on_demo_and_command_line)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "patterns %s --simulate --max-fields 10 --json", dmtest_demo_db()), 0);
    json_error_t err;
    json_t *r = json_loads(out, 0, &err);
    ASSERT_MSG(r != NULL, "JSON: %s", out);
    json_t *d = json_object_get(r, "doctrinal");
    ASSERT_EQ(json_integer_value(json_object_get(d, "fields")), 10);
    ASSERT_MSG(json_number_value(json_object_get(d, "auc_gain_points")) >= 10, "gain %.1f",
               json_number_value(json_object_get(d, "auc_gain_points")));
    ASSERT_MSG(json_number_value(json_object_get(d, "area_saved_vs_blind_pct")) >= 20, "area saved %.1f",
               json_number_value(json_object_get(d, "area_saved_vs_blind_pct")));
    json_decref(r);
    free(out);
    /* the text table says where each hazard's predictions come from */
    ASSERT_EQ(dmtest_demine(&out, "patterns %s --dry-run", dmtest_demo_db()), 0);
    ASSERT_CONTAINS(out, "fitted rows");
    ASSERT_CONTAINS(out, "records' mines");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "patterns %s --reach -3", dmtest_demo_db()), 2);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "init empty.gpkg"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "patterns empty.gpkg --simulate"), 2);
    ASSERT_CONTAINS(out, "demo");
    free(out);
}

static void add_geom_row(dm_store *s, const char *layer, const char *wkt, const char *f1, const char *v1,
                         const char *f2, const char *v2, char uuid[37])
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    if (f1)
        ASSERT_OK(dm_row_set(r, f1, v1));
    if (f2)
        ASSERT_OK(dm_row_set(r, f2, v2));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
}

static json_t *patterns_json(dm_store *s, const char *hazard)
{
    char *js = NULL;
    dm_patterns_opts o = {hazard, 150, 1};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    json_error_t err;
    json_t *r = json_loads(js, 0, &err);
    ASSERT_MSG(r != NULL, "JSON: %s", err.text);
    dm_free(dmtest_ctx(), js);
    return r;
}

/* Two halves of a hazard, H-A and H-B, and a record R-1 spanning both with
 * 10 mines (6 in H-A). */
static dm_store *two_hazards(const char *name, char rec[37])
{
    dm_ctx *ctx = dmtest_ctx();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init %s", name), 0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path(name), 0, &s));
    char ha[37], hb[37];
    /* a hazard split in two halves; the record spans both */
    add_geom_row(s, "hazards", "POLYGON((47.000 40.000, 47.001 40.000, 47.001 40.001, 47.000 40.001, 47.000 40.000))",
                 "ref", "H-A", "hazard_type", "CHA", ha);
    add_geom_row(s, "hazards", "POLYGON((47.001 40.000, 47.002 40.000, 47.002 40.001, 47.001 40.001, 47.001 40.000))",
                 "ref", "H-B", "hazard_type", "CHA", hb);
    add_geom_row(s, "records", "POLYGON((47.000 40.000, 47.002 40.000, 47.002 40.001, 47.000 40.001, 47.000 40.000))",
                 "ref", "R-1", "source", "test", rec);
    for (int i = 0; i < 10; i++) {
        char wkt[80];
        snprintf(wkt, sizeof wkt, "POINT(%.5f 40.0005)", 47.0002 + i * 0.00015);
        add_geom_row(s, "record_mines", wkt, "record_id", rec, "category", "AP", NULL);
    }
    return s;
}

TEST(patterns_record_across_two_hazards_counted_once)
{
    char rec[37];
    dm_store *s = two_hazards("two.gpkg", rec);
    /* 10 recorded mines, unverified (p 0.25): 10 places, 2.5 expected */
    json_t *r = patterns_json(s, NULL);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 10);
    ASSERT_NEAR(json_number_value(json_object_get(r, "expected_remaining")), 2.5, 1e-9);
    json_decref(r);
    /* hazard by hazard: the same places, each in one hazard */
    json_t *a = patterns_json(s, "H-A"), *b = patterns_json(s, "H-B");
    ASSERT_EQ(json_integer_value(json_object_get(a, "predicted")) + json_integer_value(json_object_get(b, "predicted")),
              10);
    ASSERT_EQ(json_integer_value(json_object_get(a, "predicted")), 6);
    json_decref(a);
    json_decref(b);
    dm_store_close(s);
}

static char *prediction_ids(dm_store *s)
{
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "predicted_mines", NULL, &c));
    size_t cap = 64, len = 0;
    char *ids = calloc(cap, 1);
    while (dm_cursor_next(c) > 0) {
        const char *u = dm_cursor_uuid(c);
        if (len + strlen(u) + 2 > cap) {
            cap = 2 * (len + strlen(u) + 2);
            ids = realloc(ids, cap);
        }
        len += (size_t)snprintf(ids + len, cap - len, "%s,", u);
    }
    dm_cursor_free(c);
    return ids;
}

TEST(patterns_again_on_unchanged_data_writes_nothing_new)
{
    dm_ctx *ctx = dmtest_ctx();
    char rec[37], *js = NULL;
    dm_store *s = two_hazards("again.gpkg", rec);
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    char *ids1 = prediction_ids(s);
    ASSERT_MSG(strlen(ids1) == 10 * 37, "10 predictions: %s", ids1);
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    o.hazard = "H-B";
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    /* the same rows: not deleted and inserted again (the change log would grow) */
    char *ids2 = prediction_ids(s);
    ASSERT_STREQ(ids2, ids1);
    free(ids2);
    /* one more recorded mine in H-B: H-B's predictions written again, H-A's kept */
    add_geom_row(s, "record_mines", "POINT(47.0019 40.0008)", "record_id", rec, "category", "AP", NULL);
    o.hazard = NULL;
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    long n = 0;
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, 11);
    ids2 = prediction_ids(s);
    size_t kept = 0;
    for (const char *p = ids1; *p; p += 37) {
        char u[37];
        snprintf(u, sizeof u, "%.36s", p);
        kept += strstr(ids2, u) != NULL;
    }
    ASSERT_EQ(kept, 6);
    free(ids1);
    free(ids2);
    dm_store_close(s);
}

static void st_zero(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)n;
    (void)v;
    sqlite3_result_int(c, 0);
}

/* Give the rows of `layer` matching `where` a self-intersecting polygon
 * behind the store's back, as another tool editing the GeoPackage could. */
static void bowtie(const char *path, const char *layer, const char *where, double x0, double y0)
{
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    const char *fns[] = {"ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"};
    for (int i = 0; i < 5; i++)
        sqlite3_create_function(db, fns[i], 1, SQLITE_UTF8, NULL, st_zero, NULL, NULL);
    unsigned char blob[8 + 9 + 9 + 4 + 5 * 16], *p = blob;
    memcpy(p, "GP\0\1", 4);
    int32_t srs = 4326;
    memcpy(p + 4, &srs, 4);
    p += 8;
    uint32_t one = 1, mp = 6, pg = 3, np = 5;
    *p++ = 1;
    memcpy(p, &mp, 4), p += 4;
    memcpy(p, &one, 4), p += 4;
    *p++ = 1;
    memcpy(p, &pg, 4), p += 4;
    memcpy(p, &one, 4), p += 4;
    memcpy(p, &np, 4), p += 4;
    double xy[10] = {x0, y0, x0 + 0.002, y0 + 0.001, x0 + 0.002, y0, x0, y0 + 0.001, x0, y0};
    memcpy(p, xy, sizeof xy);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE %s SET geom = ? WHERE %s", layer, where);
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob, (int)sizeof blob, SQLITE_STATIC);
    ASSERT_MSG(sqlite3_step(st) == SQLITE_DONE, "update: %s", sqlite3_errmsg(db));
    ASSERT_EQ(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST(patterns_invalid_polygons_are_warned_of_not_fatal)
{
    char rec[37];
    dm_store *s = two_hazards("bow.gpkg", rec);
    /* released land over H-B, then made a bow tie by another tool */
    add_geom_row(s, "release_areas", "POLYGON((47.001 40.000, 47.002 40.000, 47.002 40.001, 47.001 40.001, 47.001 40.000))",
                 "outcome", "cleared", NULL, NULL, NULL);
    dm_store_close(s);
    bowtie(dmtest_path("bow.gpkg"), "release_areas", "fid = 1", 47.000, 40.000);
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("bow.gpkg"), 0, &s));
    /* was: the whole run failed with a GEOS TopologyException naming nothing */
    json_t *r = patterns_json(s, NULL);
    char *dump = json_dumps(json_object_get(r, "problems"), 0);
    ASSERT_CONTAINS(dump, "release_areas feature 1");
    ASSERT_CONTAINS(dump, "Self-intersection");
    free(dump);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 10);
    json_decref(r);
    dm_store_close(s);
    /* the command line's warning names the database, as other commands do */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "patterns bow.gpkg --dry-run"), 0);
    ASSERT_CONTAINS(out, "warning: bow.gpkg: release_areas feature 1");
    free(out);
    /* an invalid hazard: named, not examined; --hazard on it says so */
    bowtie(dmtest_path("bow.gpkg"), "hazards", "ref = 'H-B'", 47.001, 40.000);
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("bow.gpkg"), 0, &s));
    r = patterns_json(s, "H-B");
    dump = json_dumps(json_object_get(r, "problems"), 0);
    ASSERT_CONTAINS(dump, "hazards feature 2 (H-B");
    ASSERT_CONTAINS(dump, "hazard H-B: no usable geometry");
    free(dump);
    ASSERT_EQ(json_integer_value(json_object_get(r, "hazards_examined")), 0);
    json_decref(r);
    dm_store_close(s);
}

/* A hazard holding 20 handed-over records (a village's small fields): every
 * record's mines are predicted, each credited to its own record. */
TEST(patterns_hazard_with_many_records_uses_them_all)
{
    dm_ctx *ctx = dmtest_ctx();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init %s", "many.gpkg"), 0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("many.gpkg"), 0, &s));
    add_geom_row(s, "hazards", "POLYGON((47.000 40.000, 47.010 40.000, 47.010 40.002, 47.000 40.002, 47.000 40.000))",
                 "ref", "H-1", "hazard_type", "CHA", NULL);
    char recs[20][37];
    for (int r = 0; r < 20; r++) {
        char wkt[200], ref[16];
        double x0 = 47.0001 + r * 0.0005;
        snprintf(wkt, sizeof wkt, "POLYGON((%.5f 40.0005, %.5f 40.0005, %.5f 40.0015, %.5f 40.0015, %.5f 40.0005))", x0,
                 x0 + 0.0003, x0 + 0.0003, x0, x0);
        snprintf(ref, sizeof ref, "R-%02d", r);
        add_geom_row(s, "records", wkt, "ref", ref, "source", "test", recs[r]);
        for (int k = 0; k < 2; k++) {
            snprintf(wkt, sizeof wkt, "POINT(%.5f %.5f)", x0 + 0.0001 + k * 0.0001, 40.001);
            add_geom_row(s, "record_mines", wkt, "record_id", recs[r], "category", "AP", NULL);
        }
    }
    json_t *r = patterns_json(s, NULL);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 40);
    ASSERT_NEAR(json_number_value(json_object_get(r, "expected_remaining")), 40 * 0.25, 1e-9);
    json_decref(r);
    /* written: two predictions per record, the last record's included */
    char *js = NULL;
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    for (int q = 0; q < 20; q += 19) {
        const char *ef[1] = {"record_id"}, *ev[1] = {recs[q]};
        dm_select sel = {0};
        sel.eq_field = ef;
        sel.eq_value = ev;
        sel.n_eq = 1;
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, "predicted_mines", &sel, &c));
        int n = 0;
        while (dm_cursor_next(c) > 0)
            n++;
        dm_cursor_free(c);
        ASSERT_EQ(n, 2);
    }
    dm_store_close(s);
}

/* Write a point (n == 1) or a polygon's ring (n points) into the geometry
 * of the rows of layer matching where, as another tool might: no check. */
static void raw_geom(const char *path, const char *layer, const char *where, const double *xy, uint32_t n)
{
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    const char *fns[] = {"ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"};
    for (int i = 0; i < 5; i++)
        sqlite3_create_function(db, fns[i], 1, SQLITE_UTF8, NULL, st_zero, NULL, NULL);
    unsigned char blob[8 + 13 + 64 * 16], *p = blob;
    memcpy(p, "GP\0\1", 4);
    int32_t srs = 4326;
    memcpy(p + 4, &srs, 4);
    p += 8;
    uint32_t type = n == 1 ? 1 : 3, one = 1;
    *p++ = 1;
    memcpy(p, &type, 4), p += 4;
    if (n > 1) {
        memcpy(p, &one, 4), p += 4;
        memcpy(p, &n, 4), p += 4;
    }
    memcpy(p, xy, 2 * n * sizeof *xy), p += 2 * n * sizeof *xy;
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE %s SET geom = ? WHERE %s", layer, where);
    sqlite3_stmt *st = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob, (int)(p - blob), SQLITE_STATIC);
    ASSERT_MSG(sqlite3_step(st) == SQLITE_DONE, "update: %s", sqlite3_errmsg(db));
    ASSERT_EQ(sqlite3_changes(db), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A record (or hazard) another tool wrote in UTM coordinates was left out
 * without a word: its mines were not predicted and the run said nothing.
 * It is named now, as verify names it; so are recorded mines and finds
 * without a usable point. */
TEST(patterns_polygons_and_points_in_another_crs_are_named)
{
    char rec[37];
    dm_store *s = two_hazards("utm.gpkg", rec);
    json_t *r = patterns_json(s, NULL);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 10);
    json_decref(r);
    dm_store_close(s);
    double ring[10] = {671000, 4429000, 671200, 4429000, 671200, 4429100, 671000, 4429100, 671000, 4429000};
    raw_geom(dmtest_path("utm.gpkg"), "records", "ref = 'R-1'", ring, 5);
    double pt[2] = {671050, 4429050};
    raw_geom(dmtest_path("utm.gpkg"), "record_mines", "fid = 1", pt, 1);
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("utm.gpkg"), 0, &s));
    r = patterns_json(s, NULL);
    char *dump = json_dumps(json_object_get(r, "problems"), 0);
    ASSERT_CONTAINS(dump, "records feature 1 (R-1, ");
    ASSERT_CONTAINS(dump, "coordinates outside WGS 84 ranges");
    ASSERT_CONTAINS(dump, "record_mines: 1 without a usable point");
    free(dump);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 0);
    json_decref(r);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "patterns utm.gpkg --dry-run"), 0);
    ASSERT_CONTAINS(out, "warning: utm.gpkg: records feature 1 (R-1");
    free(out);
    /* verify names the record and the recorded mine too */
    ASSERT_EQ(dmtest_demine(&out, "records verify utm.gpkg --dry-run"), 0);
    ASSERT_CONTAINS(out, "record R-1");
    ASSERT_CONTAINS(out, "another CRS");
    ASSERT_CONTAINS(out, "record_mines: 1 without a usable point");
    free(out);
}

/* Metres east and north of 47 E, 40 N, in degrees. */
#define LON_M (1.0 / (111320 * cos(40 * M_PI / 180)))
#define LAT_M (1.0 / 110540)

static void box_wkt(char *wkt, size_t n, double x0, double y0, double x1, double y1)
{
    snprintf(wkt, n, "POLYGON((%.8f %.8f, %.8f %.8f, %.8f %.8f, %.8f %.8f, %.8f %.8f))", 47 + x0 * LON_M,
             40 + y0 * LAT_M, 47 + x1 * LON_M, 40 + y0 * LAT_M, 47 + x1 * LON_M, 40 + y1 * LAT_M, 47 + x0 * LON_M,
             40 + y1 * LAT_M, 47 + x0 * LON_M, 40 + y0 * LAT_M);
}

/* A record row through n points (metres), with row_no, count, spacing_m
 * (each when >= 0) and a category. */
static void add_rec_row(dm_store *s, const char *rec, long row_no, const double *xy, size_t n, long count,
                        double spacing, const char *cat)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find("record_rows"));
    ASSERT_OK(dm_row_set(r, "record_id", rec));
    if (row_no >= 0)
        ASSERT_OK(dm_row_set_int(r, "row_no", row_no));
    if (count >= 0)
        ASSERT_OK(dm_row_set_int(r, "count", count));
    if (spacing >= 0)
        ASSERT_OK(dm_row_set_real(r, "spacing_m", spacing));
    ASSERT_OK(dm_row_set(r, "category", cat));
    double ll[16];
    for (size_t i = 0; i < n; i++) {
        ll[2 * i] = 47 + xy[2 * i] * LON_M;
        ll[2 * i + 1] = 40 + xy[2 * i + 1] * LAT_M;
    }
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_linestring(ctx, ll, n, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

/* A record handed over with its rows only (no record_mines) gave no
 * prediction: the fallback read record_mines alone. Its rows now imply the
 * mines, predicted where the ground was not searched; recorded mines win
 * where a record has them. */
TEST(patterns_record_given_by_rows_only)
{
    dm_ctx *ctx = dmtest_ctx();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init %s", "prows.gpkg"), 0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("prows.gpkg"), 0, &s));
    char wkt[400], rec[37], prior[37], both[37];
    box_wkt(wkt, sizeof wkt, 0, 0, 200, 100);
    add_geom_row(s, "hazards", wkt, "ref", "H-1", "hazard_type", "CHA", NULL);
    box_wkt(wkt, sizeof wkt, 5, 5, 195, 95);
    add_geom_row(s, "records", wkt, "ref", "R-ROWS", "source", "test", rec);
    add_geom_row(s, "records", wkt, "ref", "R-PRIOR", "source", "test", prior);
    /* row 1: 21 AT mines from 10 m to 110 m (every 5 m), its west part
     * (x < 57.5 m) cleared with two finds on it: too few for rows */
    double r1[4] = {10, 50, 110, 50}, r2[4] = {100, 80, 140, 80}, r3[6] = {150, 10, 170, 10, 170, 30};
    add_rec_row(s, rec, 1, r1, 2, 21, -1, "AT");
    /* row 2: one mine, in the middle */
    add_rec_row(s, rec, 2, r2, 2, 1, -1, "AT");
    /* row 3: every 5 m along a row that turns a corner */
    add_rec_row(s, rec, 3, r3, 3, -1, 5, "AP");
    box_wkt(wkt, sizeof wkt, 0, 0, 57.5, 100);
    add_geom_row(s, "release_areas", wkt, "outcome", "cleared", NULL, NULL, NULL);
    for (int i = 0; i < 2; i++) {
        snprintf(wkt, sizeof wkt, "POINT(%.8f %.8f)", 47 + (10 + 5 * i) * LON_M, 40 + 50.3 * LAT_M);
        add_geom_row(s, "items", wkt, "category", "AT", NULL, NULL, NULL);
    }
    /* R-PRIOR: an AT row of 10 m giving neither count nor spacing */
    double p1[4] = {70, 20, 80, 20};
    add_rec_row(s, prior, 1, p1, 2, -1, -1, "AT");
    /* a second hazard: its record's rows have recorded mines, which win */
    box_wkt(wkt, sizeof wkt, 300, 0, 400, 100);
    add_geom_row(s, "hazards", wkt, "ref", "H-2", "hazard_type", "CHA", NULL);
    box_wkt(wkt, sizeof wkt, 305, 5, 395, 95);
    add_geom_row(s, "records", wkt, "ref", "R-BOTH", "source", "test", both);
    double b1[4] = {310, 50, 390, 50};
    add_rec_row(s, both, 1, b1, 2, 17, -1, "AT");
    for (int i = 0; i < 2; i++) {
        dm_row *row = dm_row_new(ctx, dm_layer_find("record_mines"));
        ASSERT_OK(dm_row_set(row, "record_id", both));
        ASSERT_OK(dm_row_set_int(row, "row_no", 1));
        ASSERT_OK(dm_row_set(row, "category", "AT"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 47 + (320 + 40 * i) * LON_M, 40 + 50 * LAT_M, &g));
        dm_row_set_geom(row, g);
        ASSERT_OK(dm_store_insert(s, row, NULL));
        dm_row_free(row);
    }
    json_t *r = patterns_json(s, NULL);
    /* H-1: 11 + 1 + 9 of R-ROWS, 3 of R-PRIOR (every 5 m), unverified:
     * p 0.25; H-2: the 2 recorded mines */
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 24 + 2);
    ASSERT_NEAR(json_number_value(json_object_get(r, "expected_remaining")), 26 * 0.25, 1e-9);
    json_t *h1 = json_array_get(json_object_get(r, "hazards"), 0), *h2 = json_array_get(json_object_get(r, "hazards"), 1);
    ASSERT_STREQ(json_string_value(json_object_get(h1, "source")), "records");
    ASSERT_EQ(json_integer_value(json_object_get(h1, "mines_from_rows")), 24);
    ASSERT_EQ(json_integer_value(json_object_get(h2, "predicted")), 2);
    ASSERT_EQ(json_integer_value(json_object_get(h2, "mines_from_rows")), 0);
    char *dump = json_dumps(json_object_get(r, "problems"), 0);
    ASSERT_CONTAINS(dump, "record R-PRIOR");
    ASSERT_CONTAINS(dump, "gives neither count nor spacing_m: 3 mines assumed every 5 m");
    ASSERT(!strstr(dump, "R-ROWS"));
    free(dump);
    json_decref(r);
    /* written: R-ROWS's predictions lie where its rows put them, none in
     * the cleared part */
    char *js = NULL;
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    double want[21][2];
    size_t nw = 0;
    for (int i = 0; i < 11; i++) {
        want[nw][0] = 60 + 5 * i;
        want[nw++][1] = 50;
    }
    want[nw][0] = 120;
    want[nw++][1] = 80;
    const double l[9][2] = {{150, 10}, {155, 10}, {160, 10}, {165, 10}, {170, 10},
                            {170, 15}, {170, 20}, {170, 25}, {170, 30}};
    for (int i = 0; i < 9; i++) {
        want[nw][0] = l[i][0];
        want[nw++][1] = l[i][1];
    }
    const char *ef[1] = {"record_id"}, *ev[1] = {rec};
    dm_select sel = {0};
    sel.eq_field = ef;
    sel.eq_value = ev;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "predicted_mines", &sel, &c));
    int seen[21] = {0}, n = 0;
    while (dm_cursor_next(c) > 0) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_cursor_geom(c, &g));
        double x, y;
        ASSERT(dm_geom_centroid_xy(g, &x, &y));
        dm_geom_free(g);
        x = (x - 47) / LON_M;
        y = (y - 40) / LAT_M;
        ASSERT_MSG(x > 57.5, "no prediction in the cleared part (%.1f, %.1f)", x, y);
        size_t best = 0;
        double bd = INFINITY;
        for (size_t k = 0; k < nw; k++)
            if (hypot(want[k][0] - x, want[k][1] - y) < bd) {
                bd = hypot(want[k][0] - x, want[k][1] - y);
                best = k;
            }
        ASSERT_MSG(bd < 0.5, "prediction (%.2f, %.2f) %.2f m from where the row puts a mine", x, y, bd);
        seen[best]++;
        n++;
    }
    dm_cursor_free(c);
    ASSERT_EQ(n, 21);
    for (size_t k = 0; k < nw; k++)
        ASSERT_MSG(seen[k] == 1, "mine at (%.0f, %.0f) predicted %d times", want[k][0], want[k][1], seen[k]);
    dm_store_close(s);
    /* the table says where the predictions come from */
    ASSERT_EQ(dmtest_demine(&out, "patterns prows.gpkg --all --dry-run"), 0);
    ASSERT_CONTAINS(out, "records' rows");
    free(out);
}

/* A hazard 0-300 x 0-100 m with two rows of AP mines found every 4 m from
 * x = 20 to 60 (y = 40 and 50); east of them, land cancelled by
 * non-technical survey (x 100-140) and cleared land (x 160-200); west of
 * them cleared land (x < 15). Returns the cancelled area's uuid. */
static dm_store *rows_into_cancelled(const char *name, char can[37], char cleared[37])
{
    dm_ctx *ctx = dmtest_ctx();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init %s", name), 0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path(name), 0, &s));
    char wkt[400];
    box_wkt(wkt, sizeof wkt, 0, 0, 300, 100);
    add_geom_row(s, "hazards", wkt, "ref", "H-C", "hazard_type", "CHA", NULL);
    unsigned seed = 7;
    for (int r = 0; r < 2; r++)
        for (int i = 0; i <= 10; i++) {
            snprintf(wkt, sizeof wkt, "POINT(%.9f %.9f)", 47 + (20 + 4 * i + 0.05 * gauss(&seed)) * LON_M,
                     40 + (40 + 10 * r + 0.05 * gauss(&seed)) * LAT_M);
            add_geom_row(s, "items", wkt, "category", "AP", NULL, NULL, NULL);
        }
    box_wkt(wkt, sizeof wkt, 100, 0, 140, 100);
    add_geom_row(s, "release_areas", wkt, "outcome", "cancelled", "date", "2021-05-03", can);
    box_wkt(wkt, sizeof wkt, 160, 0, 200, 100);
    add_geom_row(s, "release_areas", wkt, "outcome", "cleared", NULL, NULL, cleared);
    box_wkt(wkt, sizeof wkt, 0, 0, 15, 100);
    add_geom_row(s, "release_areas", wkt, "outcome", "reduced", NULL, NULL, NULL);
    return s;
}

typedef struct pm_sum {
    int n, n_canc, in_cleared, canc_outside, canc_missed, between;
    double p_canc;
} pm_sum;

/* The stored predictions: how many, how many flagged in_cancelled (and
 * their p), and any that lie in the reduced or cleared land of the hazard,
 * or are flagged without lying in the cancelled area (x 100-140 m), or lie
 * there unflagged; and how many lie between it and the cleared land. */
static pm_sum stored_predictions(dm_store *s)
{
    pm_sum r = {0};
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "predicted_mines", NULL, &c));
    while (dm_cursor_next(c) > 0) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_cursor_geom(c, &g));
        double x, y;
        ASSERT(dm_geom_centroid_xy(g, &x, &y));
        dm_geom_free(g);
        x = (x - 47) / LON_M;
        int flag = dm_cursor_real(c, "in_cancelled", -1) == 1, in = x > 100 && x < 140;
        r.n++;
        r.in_cleared += (x > 160 && x < 200) || (x > 0 && x < 15);
        r.between += x > 140 && x < 160;
        if (flag) {
            r.n_canc++;
            r.p_canc += dm_cursor_real(c, "p", 0);
            r.canc_outside += !in;
        } else
            r.canc_missed += in;
    }
    dm_cursor_free(c);
    return r;
}

TEST(patterns_predict_into_cancelled_land_flagged_not_into_cleared)
{
    dm_ctx *ctx = dmtest_ctx();
    char can[37], clr[37];
    dm_store *s = rows_into_cancelled("pcan.gpkg", can, clr);
    json_t *r = patterns_json(s, NULL);
    json_t *h = json_array_get(json_object_get(r, "hazards"), 0);
    ASSERT_STREQ(json_string_value(json_object_get(h, "source")), "rows");
    /* the rows run on east through the cancelled land: every 4 m over 40 m,
     * on each of the two rows (and the inferred rows beside them) */
    json_int_t nc = json_integer_value(json_object_get(h, "in_cancelled"));
    ASSERT_MSG(nc >= 20, "predictions in cancelled land: %lld", (long long)nc);
    ASSERT_EQ(json_integer_value(json_object_get(r, "in_cancelled")), nc);
    ASSERT_EQ(json_integer_value(json_object_get(r, "cancelled_areas")), 1);
    double ec = json_number_value(json_object_get(h, "expected_in_cancelled"));
    ASSERT_MSG(ec > 0 && ec < nc, "expected in cancelled land %.2f", ec);
    ASSERT_NEAR(json_number_value(json_object_get(r, "expected_in_cancelled")), ec, 1e-9);
    json_t *areas = json_object_get(h, "cancelled_areas");
    ASSERT_EQ(json_array_size(areas), 1);
    json_t *a = json_array_get(areas, 0);
    ASSERT_STREQ(json_string_value(json_object_get(a, "release_area")), can);
    ASSERT_STREQ(json_string_value(json_object_get(a, "date")), "2021-05-03");
    ASSERT_EQ(json_integer_value(json_object_get(a, "predicted")), nc);
    json_int_t npred = json_integer_value(json_object_get(r, "predicted"));
    json_decref(r);
    /* written: flagged in the layer, exactly those in the cancelled area;
     * none in the reduced or cleared land */
    char *js = NULL;
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    pm_sum m = stored_predictions(s);
    ASSERT_EQ(m.n, npred);
    ASSERT_EQ(m.n_canc, nc);
    ASSERT_NEAR(m.p_canc, ec, 1e-4);
    ASSERT_EQ(m.in_cleared, 0);
    ASSERT_EQ(m.canc_outside, 0);
    ASSERT_EQ(m.canc_missed, 0);
    /* the cancelled land is not taken for ten places searched in vain (p x
     * 0.3 each): the rows go on beyond it, up to the cleared land */
    ASSERT_MSG(m.between >= 4, "predictions between the cancelled and the cleared land: %d", m.between);
    dm_store_close(s);
    /* the text names the release area to re-survey */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "patterns pcan.gpkg --all --dry-run"), 0);
    char want[160];
    snprintf(want, sizeof want, "H-C: %lld predicted mines", (long long)nc);
    ASSERT_CONTAINS(out, want);
    snprintf(want, sizeof want, "re-survey release area %.8s (2021-05-03, %lld predicted)", can, (long long)nc);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "in 1 release area cancelled by non-technical survey");
    free(out);
}

TEST(patterns_flag_follows_the_release_area_and_records_mines_are_flagged)
{
    dm_ctx *ctx = dmtest_ctx();
    char can[37], clr[37], *js = NULL;
    dm_store *s = rows_into_cancelled("pflag.gpkg", can, clr);
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    pm_sum m1 = stored_predictions(s);
    ASSERT_MSG(m1.n_canc >= 20, "flagged %d", m1.n_canc);
    /* the cancellation withdrawn: the same places (the cancelled land was
     * never taken for searched), none flagged any more: written again */
    ASSERT_OK(dm_store_delete(s, "release_areas", can, "test: cancellation withdrawn"));
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    pm_sum m2 = stored_predictions(s);
    ASSERT_EQ(m2.n, m1.n);
    ASSERT_EQ(m2.n_canc, 0);
    ASSERT_EQ(m2.in_cleared, 0);
    dm_store_close(s);

    /* a record's mines (too few finds for rows) in cancelled land are
     * predicted, flagged; in cleared land not at all */
    char rec[37];
    s = two_hazards("pflag2.gpkg", rec);
    /* H-A's west part cancelled, H-B's east part cleared */
    add_geom_row(s, "release_areas",
                 "POLYGON((47.000 40.000, 47.0006 40.000, 47.0006 40.001, 47.000 40.001, 47.000 40.000))", "outcome",
                 "cancelled", NULL, NULL, can);
    add_geom_row(s, "release_areas",
                 "POLYGON((47.0015 40.000, 47.002 40.000, 47.002 40.001, 47.0015 40.001, 47.0015 40.000))", "outcome",
                 "cleared", NULL, NULL, NULL);
    /* mines at 47.0002 + i * 0.00015: i = 0..2 cancelled (predicted, p 0.25,
     * flagged), i = 9 cleared (not predicted) */
    json_t *r = patterns_json(s, NULL);
    ASSERT_EQ(json_integer_value(json_object_get(r, "predicted")), 9);
    ASSERT_EQ(json_integer_value(json_object_get(r, "in_cancelled")), 3);
    ASSERT_NEAR(json_number_value(json_object_get(r, "expected_in_cancelled")), 0.75, 1e-9);
    json_t *ha = json_array_get(json_object_get(r, "hazards"), 0), *hb = json_array_get(json_object_get(r, "hazards"), 1);
    ASSERT_EQ(json_integer_value(json_object_get(ha, "in_cancelled")), 3);
    ASSERT_EQ(json_integer_value(json_object_get(hb, "in_cancelled")), 0);
    ASSERT_EQ(json_array_size(json_object_get(hb, "cancelled_areas")), 0);
    json_decref(r);
    dm_store_close(s);
}

/* A database made before predicted_mines had in_cancelled: it opens, gains
 * the column, and a run keeps the unchanged hazards' rows. */
TEST(patterns_on_a_database_without_in_cancelled)
{
    dm_ctx *ctx = dmtest_ctx();
    char rec[37], *js = NULL;
    dm_store *s = two_hazards("pold.gpkg", rec);
    dm_patterns_opts o = {NULL, 150, 0};
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    char *ids1 = prediction_ids(s);
    dm_store_close(s);
    sqlite3 *db = NULL;
    ASSERT_EQ(sqlite3_open(dmtest_path("pold.gpkg"), &db), SQLITE_OK);
    char *err = NULL;
    /* nor had it the triggers that log edits made outside demine, which name every column */
    ASSERT_MSG(sqlite3_exec(db,
                            "DROP TRIGGER dm_outside_predicted_mines_insert; DROP TRIGGER "
                            "dm_outside_predicted_mines_update; DROP TRIGGER dm_outside_predicted_mines_delete; "
                            "ALTER TABLE predicted_mines DROP COLUMN in_cancelled",
                            NULL, NULL, &err) == SQLITE_OK,
               "drop column: %s", err ? err : "");
    sqlite3_close(db);
    /* read-only, the database is not brought up to date: the missing
     * column reads as NULL (it read as its own name, "in_cancelled") */
    ASSERT_OK(dm_store_open(ctx, dmtest_path("pold.gpkg"), DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "predicted_mines", NULL, &c));
    ASSERT(dm_cursor_next(c) > 0);
    ASSERT_NEAR(dm_cursor_real(c, "in_cancelled", -7), -7, 0);
    ASSERT(dm_cursor_text(c, "in_cancelled") == NULL);
    char *row = NULL;
    ASSERT_OK(dm_cursor_json(c, 0, &row));
    ASSERT_MSG(!strstr(row, "\"in_cancelled\":\"in_cancelled\""), "%s", row);
    dm_free(ctx, row);
    dm_cursor_free(c);
    dm_store_close(s);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("pold.gpkg"), 0, &s));
    ASSERT_OK(dm_patterns_run(s, &o, &js));
    dm_free(ctx, js);
    char *ids2 = prediction_ids(s);
    ASSERT_STREQ(ids2, ids1);
    pm_sum m = stored_predictions(s);
    ASSERT_EQ(m.n, 10);
    ASSERT_EQ(m.n_canc, 0);
    free(ids1);
    free(ids2);
    dm_store_close(s);
}
