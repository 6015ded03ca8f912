/* SPDX-License-Identifier: MIT
 *
 * test_risk_input.c -- refusals of bad input around the risk map: raster
 * tools that would write over an input or a database, weights and caps
 * that are not numbers, models that would silently see no evidence, fits
 * that cannot be validated, and range ends that are not plain dates. Each
 * checks the exit code or status, the message, and that inputs are left as
 * they were.
 */
#include "dmtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA "tests/data/colombia/"

/* An 8 x 8 Float32 (or Byte) GeoTIFF of one value, 100 m cells, in EPSG:epsg. */
static void raster(const char *name, const char *type, int value, int epsg)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 8 8 -bands 1 -ot %s -burn %d "
                        "-a_srs EPSG:%d -a_ullr 500000 4400800 500800 4400000 '%s'",
                        type, value, epsg, dmtest_path(name)),
              0);
    free(out);
}

/* 1 when the files a and b of the test directory hold the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    char pa[1024];
    snprintf(pa, sizeof pa, "%s", dmtest_path(a));
    char *out = NULL;
    int rc = dmtest_sh(&out, "cmp -s '%s' '%s'", pa, dmtest_path(b));
    free(out);
    return rc == 0;
}

static void copy(const char *from, const char *to)
{
    char pf[1024];
    snprintf(pf, sizeof pf, "%s", dmtest_path(from));
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "cp '%s' '%s'", pf, dmtest_path(to)), 0);
    free(out);
}

TEST(same_file_sees_through_spellings_and_links)
{
    raster("a.tif", "Float32", 1, 32638);
    raster("b.tif", "Float32", 1, 32638);
    char a[1024], a2[1024], b[1024], l[1024];
    snprintf(a, sizeof a, "%s", dmtest_path("a.tif"));
    snprintf(a2, sizeof a2, "%s/./a.tif", dmtest_tmpdir());
    snprintf(b, sizeof b, "%s", dmtest_path("b.tif"));
    snprintf(l, sizeof l, "%s", dmtest_path("link.tif"));
    ASSERT(symlink(a, l) == 0);
    ASSERT_EQ(dm_same_file(a, a), 1);
    ASSERT_EQ(dm_same_file(a, a2), 1);
    ASSERT_EQ(dm_same_file(l, a), 1);
    ASSERT_EQ(dm_same_file(a, b), 0);
    ASSERT_EQ(dm_same_file(a, dmtest_path("none.tif")), 0);
    /* files not there yet: the same name in the same directory */
    char n1[1024], n2[1024];
    snprintf(n1, sizeof n1, "%s", dmtest_path("none.tif"));
    snprintf(n2, sizeof n2, "%s/./none.tif", dmtest_tmpdir());
    ASSERT_EQ(dm_same_file(n1, n1), 1);
    ASSERT_EQ(dm_same_file(n1, n2), 1);
    ASSERT_EQ(dm_same_file(n1, dmtest_path("none2.tif")), 0);
    ASSERT_EQ(dm_same_file(dmtest_path("no-dir/x.tif"), dmtest_path("no-dir/./x.tif")), 0);
    ASSERT_EQ(dm_same_file(NULL, a), 0);
}

TEST(risk_sum_and_distance_refuse_to_write_over_an_input)
{
    char *out = NULL;
    raster("f.tif", "Float32", 3, 32638);
    raster("g.tif", "Float32", 2, 32638);
    raster("cls.tif", "Byte", 1, 32638);
    copy("f.tif", "f.orig");
    copy("cls.tif", "cls.orig");
    char f[1024];
    snprintf(f, sizeof f, "%s", dmtest_path("f.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 2 %s", f, f), 2);
    ASSERT_CONTAINS(out, "the output");
    ASSERT_CONTAINS(out, "is the input");
    ASSERT_CONTAINS(out, "f.tif");
    free(out);
    /* another spelling of the same file, and not the first input */
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s/./f.tif 1 %s 2 %s", dmtest_tmpdir(),
                            dmtest_path("g.tif"), f),
              2);
    ASSERT_CONTAINS(out, "is the input");
    free(out);
    ASSERT(same_bytes("f.tif", "f.orig"));
    char cls[1024];
    snprintf(cls, sizeof cls, "%s", dmtest_path("cls.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s", cls, cls), 2);
    ASSERT_CONTAINS(out, "the output");
    ASSERT_CONTAINS(out, "cls.tif");
    free(out);
    ASSERT(same_bytes("cls.tif", "cls.orig"));
    /* a GeoTIFF that is not an input is written over as before */
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 2 %s", dmtest_path("g.tif"), f), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s", cls, dmtest_path("g.tif")), 0);
    free(out);
    /* a folder that does not exist is an I/O error (exit 3), not rejected data */
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s/no/such/d.tif", cls, dmtest_tmpdir()), 3);
    ASSERT_CONTAINS(out, "no/such/d.tif: cannot create");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s/no/such/s.tif 2 %s", dmtest_tmpdir(), f), 3);
    ASSERT_CONTAINS(out, "no/such/s.tif: cannot create");
    free(out);
}

TEST(risk_sum_and_distance_do_not_overwrite_a_database)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("db.gpkg"), DM_STORE_CREATE, &s));
    dm_store_close(s);
    copy("db.gpkg", "db.orig");
    raster("cls.tif", "Byte", 1, 32638);
    char *out = NULL, cls[1024];
    snprintf(cls, sizeof cls, "%s", dmtest_path("cls.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s", cls, dmtest_path("db.gpkg")), 2);
    ASSERT_CONTAINS(out, "db.gpkg exists and is not a GeoTIFF; not overwriting it");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 1 %s", dmtest_path("db.gpkg"), cls), 2);
    ASSERT_CONTAINS(out, "db.gpkg exists and is not a GeoTIFF; not overwriting it");
    free(out);
    ASSERT(same_bytes("db.gpkg", "db.orig"));
    /* nor a directory; an empty file (from mktemp, say) is fine */
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 1 %s", dmtest_tmpdir(), cls), 2);
    ASSERT_CONTAINS(out, "is not a GeoTIFF");
    free(out);
    dmtest_write_file(dmtest_path("empty.tif"), "");
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 1 %s", dmtest_path("empty.tif"), cls), 0);
    free(out);
}

TEST(risk_sum_rejects_weights_that_are_not_finite)
{
    raster("a.tif", "Float32", 1, 32638);
    char *out = NULL, a[1024];
    snprintf(a, sizeof a, "%s", dmtest_path("a.tif"));
    const char *bad[] = {"nan", "inf", "-inf", "1e31", "-2e300"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ(dmtest_demine(&out, "risk sum %s 1 %s %s %s", dmtest_path("o.tif"), a, bad[i], a),
                  2);
        char want[64];
        snprintf(want, sizeof want, "weight '%s' of", bad[i]);
        ASSERT_CONTAINS(out, want);
        ASSERT_CONTAINS(out, "a.tif");
        free(out);
        ASSERT(access(dmtest_path("o.tif"), F_OK) != 0);
    }
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s -1e30 %s", dmtest_path("o.tif"), a), 0);
    free(out);
}

TEST(risk_distance_rejects_a_cap_that_is_not_positive)
{
    raster("cls.tif", "Byte", 1, 32638);
    char *out = NULL, cls[1024];
    snprintf(cls, sizeof cls, "%s", dmtest_path("cls.tif"));
    const char *bad[] = {"0", "-5", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --max %s", cls, dmtest_path("d.tif"),
                                bad[i]),
                  2);
        ASSERT_CONTAINS(out, "--max must be a distance > 0");
        free(out);
        ASSERT(access(dmtest_path("d.tif"), F_OK) != 0);
    }
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --values 1,nan", cls, dmtest_path("d.tif")),
              2);
    ASSERT_CONTAINS(out, "--values wants numbers separated by commas, got 'nan'");
    free(out);
    /* an empty entry is a typo, not a value left out */
    const char *empty[] = {"1,,2", "1,", ",1"};
    for (size_t k = 0; k < 3; k++) {
        ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --values %s", cls, dmtest_path("d.tif"), empty[k]), 2);
        ASSERT_CONTAINS(out, "got '' in");
        free(out);
        ASSERT(access(dmtest_path("d.tif"), F_OK) != 0);
    }
    /* an option without its value at the end said "unknown option --values" */
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --values", cls, dmtest_path("d.tif")), 2);
    ASSERT_CONTAINS(out, "option --values needs a value");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --max", cls, dmtest_path("d.tif")), 2);
    ASSERT_CONTAINS(out, "option --max needs a value");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --max 250", cls, dmtest_path("d.tif")), 0);
    free(out);
}

/* ---- models ---- */

static char logged[4096];

static void keep_log(void *user, dm_log_level level, const char *msg)
{
    (void)user;
    size_t n = strlen(logged);
    if (level == DM_LOG_WARN)
        snprintf(logged + n, sizeof logged - n, "%s\n", msg);
}

static dm_status load_model(const char *json, dm_risk_model *m)
{
    dmtest_write_file(dmtest_path("m.json"), json);
    return dm_risk_model_load(dmtest_ctx(), dmtest_path("m.json"), m);
}

TEST(risk_model_rejects_kinds_and_codes_that_are_not_arrays)
{
    dm_risk_model m;
    ASSERT_STATUS(DM_EPARSE,
                  load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"acc\",\"type\":\"kernel\","
                             "\"kinds\":\"accident\",\"width_m\":500,\"weight\":1}]}",
                             &m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1 (acc): field 'kinds': must be an array");
    ASSERT_STATUS(DM_EPARSE,
                  load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"acc\",\"type\":\"kernel\","
                             "\"kinds\":[\"accident\"],\"codes\":4,\"width_m\":500,\"weight\":1}]}",
                             &m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1 (acc): field 'codes': must be an array");
    ASSERT_OK(load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"acc\",\"type\":\"kernel\","
                         "\"kinds\":[\"accident\"],\"codes\":[4],\"width_m\":500,\"weight\":1}]}",
                         &m));
    ASSERT_EQ(m.terms[0].kinds, 1u << DM_EV_ACCIDENT);
    ASSERT_EQ(m.terms[0].n_codes, 1);
}

TEST(risk_model_rejects_two_terms_of_one_name)
{
    dm_risk_model m;
    ASSERT_STATUS(DM_EPARSE,
                  load_model("{\"intercept\":-3,\"terms\":["
                             "{\"name\":\"k\",\"type\":\"kernel\",\"kinds\":[\"item\"],"
                             "\"width_m\":500,\"weight\":1},"
                             "{\"name\":\"k\",\"type\":\"kernel\",\"kinds\":[\"accident\"],"
                             "\"width_m\":900,\"weight\":2}]}",
                             &m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 2 (k): field 'name': term 1 has the same name");
    /* the default model, written and read back, is fine */
    dm_risk_model_default(&m);
    ASSERT_OK(dm_risk_model_save(dmtest_ctx(), dmtest_path("d.json"), &m));
    ASSERT_OK(dm_risk_model_load(dmtest_ctx(), dmtest_path("d.json"), &m));
}

TEST(risk_model_warns_of_a_feature_class_demine_does_not_know)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_ctx_set_log(ctx, keep_log, NULL);
    dm_risk_model m;
    logged[0] = '\0';
    ASSERT_OK(load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"front\",\"type\":\"distance\","
                         "\"kinds\":[\"feature\"],\"class\":\"frontline\",\"width_m\":3000,"
                         "\"weight\":-0.5}]}",
                         &m));
    ASSERT_CONTAINS(logged, "m.json: term 1 (front): field 'class': 'frontline' is not a feature "
                            "class of demine");
    logged[0] = '\0';
    ASSERT_OK(load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"front\",\"type\":\"distance\","
                         "\"kinds\":[\"feature\"],\"class\":\"Front_Line\",\"width_m\":3000,"
                         "\"weight\":-0.5}]}",
                         &m));
    ASSERT_STREQ(logged, "");
    dm_risk_model_default(&m);
    ASSERT_OK(dm_risk_model_save(ctx, dmtest_path("d.json"), &m));
    ASSERT_OK(dm_risk_model_load(ctx, dmtest_path("d.json"), &m));
    ASSERT_STREQ(logged, "");
    dm_ctx_set_log(ctx, NULL, NULL);
}

/* ---- fitting ---- */

/* n samples of one term on a 1 km lattice; y = 1 for the first npos, all
 * at (0, 0) when clustered, else spread. */
static dm_risk_sample *samples(size_t n, size_t npos, int clustered, float **xs)
{
    dm_risk_sample *s = calloc(n, sizeof *s);
    float *x = calloc(n, sizeof *x);
    srand(7);
    for (size_t i = 0; i < n; i++) {
        s[i].y = i < npos;
        x[i] = (float)(s[i].y + rand() / (double)RAND_MAX * 2);
        s[i].x = x + i;
        s[i].w = 1;
        s[i].bx = clustered && i < npos ? 0 : (double)(i % 40) * 1000;
        s[i].by = clustered && i < npos ? 0 : (double)(i / 40) * 1000;
    }
    *xs = x;
    return s;
}

static void one_term(dm_risk_model *m)
{
    memset(m, 0, sizeof *m);
    m->n_terms = 1;
    m->ref_cell_m = 100;
    snprintf(m->terms[0].name, sizeof m->terms[0].name, "%s", "x");
    m->terms[0].sd = 1;
}

TEST(risk_fit_rejects_one_fold_and_negative_blocks)
{
    dm_ctx *ctx = dmtest_ctx();
    float *x;
    dm_risk_sample *s = samples(800, 200, 0, &x);
    dm_risk_model m;
    one_term(&m);
    dm_risk_fit_opts o = {0};
    o.folds = 1;
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 800, &o));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "folds must be at least 2");
    o.folds = -3;
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 800, &o));
    o.folds = 0; /* not given: 5 */
    o.block_m = -1000;
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 800, &o));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "block side must be > 0");
    o.block_m = NAN;
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 800, &o));
    o.block_m = 0; /* not given: 10 km */
    ASSERT_OK(dm_risk_fit(ctx, &m, s, 800, &o));
    ASSERT(isfinite(o.cv_auc) && o.cv_auc > 0.7);
    o.folds = 2;
    o.block_m = 5000;
    ASSERT_OK(dm_risk_fit(ctx, &m, s, 800, &o));
    free(s);
    free(x);
}

TEST(risk_fit_refuses_a_fit_the_cross_validation_cannot_score)
{
    dm_ctx *ctx = dmtest_ctx();
    float *x;
    dm_risk_model m;
    one_term(&m);
    dm_risk_fit_opts o = {0};
    /* two positive cells: a held-out AUC of nan before */
    dm_risk_sample *s = samples(600, 2, 0, &x);
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 600, &o));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "2 positive and 598 negative labelled cells");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "at least 10 of each (2 per fold)");
    free(s);
    free(x);
    /* enough positives, but all in one block, so in one fold */
    one_term(&m);
    s = samples(600, 30, 1, &x);
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, 600, &o));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no fold of the 5-fold spatial cross-validation");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "30 positive and 570 negative labelled cells");
    ASSERT_NEAR(m.terms[0].weight, 0, 0); /* the model is left as it was */
    free(s);
    free(x);
}

TEST(risk_fit_cli_refuses_too_few_labels_one_fold_and_unwritable_model)
{
    /* cells of eastern Antioquia: two labelled 1, forty labelled 0 */
    static const double pts[][3] = {
        {-74.9886, 6.1810, 1}, {-74.9527, 6.1899, 1}, {-75.0066, 6.1720, 0},
        {-74.9617, 6.1899, 0}, {-74.9617, 6.2258, 0}, {-74.9617, 6.2438, 0},
        {-74.9527, 6.2348, 0}, {-74.9527, 6.2438, 0}, {-74.9527, 6.2527, 0},
        {-74.9437, 6.2438, 0}, {-74.9168, 6.0643, 0}, {-74.9168, 6.0912, 0},
        {-74.9168, 6.1002, 0}, {-74.9078, 6.1002, 0}, {-74.8899, 6.1899, 0},
        {-74.8899, 6.1989, 0}, {-74.8809, 6.1630, 0}, {-74.8809, 6.1720, 0},
        {-74.8809, 6.1899, 0}, {-75.1053, 6.2079, 0}, {-75.0963, 6.1810, 0},
        {-75.0963, 6.1899, 0}, {-75.0963, 6.1989, 0}, {-75.0873, 6.1810, 0},
        {-75.0873, 6.1899, 0}, {-75.0784, 6.1810, 0}, {-75.0784, 6.1899, 0},
        {-75.0784, 6.1989, 0}, {-75.0784, 6.2079, 0}, {-75.0694, 6.1810, 0},
        {-75.0694, 6.1989, 0}, {-75.0604, 6.1989, 0}, {-75.0514, 6.1181, 0},
        {-75.0514, 6.1630, 0}, {-75.0514, 6.1989, 0}, {-75.0425, 6.1810, 0},
        {-75.0335, 6.1361, 0}, {-75.0335, 6.1810, 0}, {-75.0335, 6.1899, 0},
        {-75.0335, 6.1989, 0}, {-75.0245, 6.1271, 0}, {-75.0245, 6.1720, 0}};
    char buf[16384];
    size_t len = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len,
                                "%s{\"type\":\"Feature\",\"properties\":{\"label\":%d},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]}}",
                                i ? "," : "", (int)pts[i][2], pts[i][0], pts[i][1]);
    snprintf(buf + len, sizeof buf - len, "]}");
    dmtest_write_file(dmtest_path("two.geojson"), buf);
    char ev[1024], aoi[1024], cells[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    snprintf(cells, sizeof cells, "%s", dmtest_repo_path(DATA "cells.geojson"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --aoi %s --until 2008 --cell 1000 "
                                  "--labels %s --out %s",
                            ev, aoi, dmtest_path("two.geojson"), dmtest_path("m.json")),
              2);
    ASSERT_CONTAINS(out, "2 positive and 40 negative labelled cells");
    ASSERT_CONTAINS(out, "two.geojson: cannot fit"); /* names the labels file */
    ASSERT(!strstr(out, "AUC nan"));
    free(out);
    ASSERT(access(dmtest_path("m.json"), F_OK) != 0);
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --aoi %s --until 2008 --cell 1000 "
                                  "--labels %s --folds 1 --out %s",
                            ev, aoi, cells, dmtest_path("m.json")),
              2);
    ASSERT_CONTAINS(out, "folds must be at least 2");
    free(out);
    ASSERT(access(dmtest_path("m.json"), F_OK) != 0);
    /* a model that cannot be written is said before the fit, not after it */
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --aoi %s --until 2008 --cell 1000 "
                                  "--labels %s --out %s",
                            ev, aoi, cells, dmtest_path("no-such-dir/m.json")),
              2);
    ASSERT_CONTAINS(out, "no-such-dir/m.json: cannot write the model there");
    ASSERT(!strstr(out, "lambda"));
    free(out);
}

/* ---- dates ---- */

TEST(range_ends_are_plain_iso_dates)
{
    char d[11];
    ASSERT(dm_date_parse_end("2012", d));
    ASSERT_STREQ(d, "2012-12-31");
    ASSERT(dm_date_parse_end("2024-02", d));
    ASSERT_STREQ(d, "2024-02-29");
    ASSERT(dm_date_parse_end("2023-06-15", d));
    ASSERT_STREQ(d, "2023-06-15");
    const char *bad[] = {"03/04/2022", "2023-06-15 junk", "2023-06-15junk", "2023-06-15T10:00:00Z",
                         "2022/05/04", "2012.0", " 2012", "2012-6", "2023-06-15 ", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ASSERT_MSG(!dm_date_parse_end(bad[i], d), "'%s' taken as %s", bad[i], d);
    /* dates in data keep their forms: GeoPackage datetimes, GDAL's
     * YYYY/MM/DD, a year alone, a numeric year column */
    ASSERT(dm_date_parse("2023-06-15T10:00:00Z", d));
    ASSERT_STREQ(d, "2023-06-15");
    ASSERT(dm_date_parse("2023/06/15 10:00:00+00", d));
    ASSERT_STREQ(d, "2023-06-15");
    ASSERT(dm_date_parse("2012", d));
    ASSERT_STREQ(d, "2012-01-01");
    ASSERT(dm_date_parse("2012.0", d));
    ASSERT_STREQ(d, "2012-01-01");
    char *out = NULL;
    const char *ev = dmtest_repo_path(DATA "events.geojson");
    char evp[1024];
    snprintf(evp, sizeof evp, "%s", ev);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --until 31/04/2022 --out %s", evp,
                            dmtest_path("r.tif")),
              2);
    ASSERT_CONTAINS(out, "--until: '31/04/2022' is not a date");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --until '2023-06-15 junk' --out %s", evp,
                            dmtest_path("r.tif")),
              2);
    ASSERT_CONTAINS(out, "--until: '2023-06-15 junk' is not a date");
    free(out);
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
}

/* ---- needing the library changes in gtiff.c and distance.c ---- */

TEST(risk_sum_refuses_rasters_in_two_crss)
{
    raster("a.tif", "Float32", 1, 32638);
    raster("b.tif", "Float32", 1, 32637);
    char *out = NULL, a[1024];
    snprintf(a, sizeof a, "%s", dmtest_path("a.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 1 %s 1 %s", dmtest_path("o.tif"), a,
                            dmtest_path("b.tif")),
              2);
    ASSERT_CONTAINS(out, "b.tif is in EPSG:32637 but");
    ASSERT_CONTAINS(out, "a.tif is in EPSG:32638");
    free(out);
    ASSERT(access(dmtest_path("o.tif"), F_OK) != 0);
}

TEST(risk_distance_warns_when_there_is_no_source)
{
    raster("cls.tif", "Byte", 1, 32638);
    raster("zero.tif", "Byte", 0, 32638);
    char *out = NULL, cls[1024];
    snprintf(cls, sizeof cls, "%s", dmtest_path("cls.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --values 9", cls, dmtest_path("d.tif")), 0);
    ASSERT_CONTAINS(out, "no source cell in");
    ASSERT_CONTAINS(out, "(values 9): every cell gets nodata (-1)");
    free(out);
    dm_grid g;
    float *v = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("d.tif"), 1, &g, &v));
    for (size_t k = 0; k < dm_grid_cells(&g); k++)
        ASSERT_MSG(isnan(v[k]), "cell %zu: %g", k, v[k]);
    dm_raster_free(v, dm_grid_cells(&g));
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --max 300", dmtest_path("zero.tif"),
                            dmtest_path("d.tif")),
              0);
    ASSERT_CONTAINS(out, "(any non-zero value): every cell gets the cap 300");
    free(out);
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("d.tif"), 1, &g, &v));
    for (size_t k = 0; k < dm_grid_cells(&g); k++)
        ASSERT_NEAR(v[k], 300, 0);
    dm_raster_free(v, dm_grid_cells(&g));
    /* with a source, no warning */
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s", cls, dmtest_path("d.tif")), 0);
    ASSERT(!strstr(out, "no source cell"));
    free(out);
}

/* ---- areas across the antimeridian ---- */

/* Evidence and an area a few kilometres either side of 180 degrees: the map
 * covers those kilometres (in the UTM zone there), not the whole globe in
 * the zone of longitude 0 (two points 2 km apart gave 30 000 x 17 800 km). */
TEST(risk_grid_across_the_antimeridian_stays_local)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[179.99,-17.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-179.99,-17.01]}}]}");
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    ASSERT_OK(dm_evidence_read_file(dmtest_ctx(), dmtest_path("ev.geojson"), -1, NULL, &ev));
    dm_grid g;
    ASSERT_OK(dm_risk_grid(dmtest_ctx(), NULL, &ev, 100, NULL, &g));
    ASSERT_MSG(g.nx < 100 && g.ny < 100, "%d x %d cells of 100 m in %s", g.nx, g.ny, g.crs);
    ASSERT(!strcmp(g.crs, "EPSG:32760") || !strcmp(g.crs, "EPSG:32701"));
    dm_evidence_set_free(dmtest_ctx(), &ev);
    /* an area split at the antimeridian, as GeoJSON asks (RFC 7946 3.1.9) */
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                      "\"MultiPolygon\",\"coordinates\":["
                      "[[[179.98,-17.02],[180,-17.02],[180,-16.98],[179.98,-16.98],[179.98,-17.02]]],"
                      "[[[-180,-17.02],[-179.98,-17.02],[-179.98,-16.98],[-180,-16.98],"
                      "[-180,-17.02]]]]}}]}");
    dm_geom *aoi = NULL;
    ASSERT_OK(dm_read_polygons(dmtest_ctx(), dmtest_path("aoi.geojson"), &aoi));
    ASSERT_OK(dm_risk_grid(dmtest_ctx(), aoi, NULL, 100, NULL, &g));
    ASSERT_MSG(g.nx < 60 && g.ny < 60, "%d x %d cells of 100 m in %s", g.nx, g.ny, g.crs);
    dm_geom_free(aoi);
    /* the whole map: both points inside it */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 100 --out %s",
                            dmtest_path("ev.geojson"), dmtest_path("aoi.geojson"),
                            dmtest_path("r.tif")),
              0);
    free(out);
    float *p = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("r.tif"), 1, &g, &p));
    size_t in = 0;
    double mn = 1, mx[2] = {0, 0};
    for (int y = 0; y < g.ny; y++)
        for (int x = 0; x < g.nx; x++) {
            float v = p[(size_t)y * g.nx + x];
            if (isnan(v))
                continue;
            in++, mn = fmin(mn, v);
            mx[2 * x >= g.nx] = fmax(mx[2 * x >= g.nx], v);
        }
    dm_raster_free(p, dm_grid_cells(&g));
    /* 4.2 x 4.4 km of area: some 1900 cells of 1 ha, an event in each half */
    ASSERT_MSG(in > 1500 && in < 2200, "%zu cells inside the area", in);
    ASSERT_MSG(mx[0] > 3 * mn && mx[1] > 3 * mn, "max p %g and %g, min %g: an event is missing",
               mx[0], mx[1], mn);
}

/* A misspelt field ("halflife_y") or one of the wrong type ("log1p":
 * "true", "class": 5) was ignored and the map made without it; a weight or
 * intercept no log-odds can hold (1e300) wrote infinite items per hectare. */
TEST(risk_model_rejects_unknown_fields_wrong_types_and_absurd_weights)
{
    dm_risk_model *m = malloc(sizeof *m);
    ASSERT(m);
#define TERM "{\"intercept\":-3,\"terms\":[{\"name\":\"acc\",\"type\":\"kernel\"," \
             "\"kinds\":[\"accident\"],\"width_m\":500,"
    ASSERT_OK(load_model(TERM "\"weight\":1,\"half_life_y\":2}]}", m));
    ASSERT_NEAR(m->terms[0].half_life_y, 2, 0);
    ASSERT_EQ(m->terms[0].per_place, 0);
    ASSERT_OK(load_model(TERM "\"weight\":1,\"per_place\":true}]}", m));
    ASSERT_EQ(m->terms[0].per_place, 1);
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1,\"per_place\":1}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'per_place': must be true or false");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"d\",\"type\":\"distance\","
                                        "\"kinds\":[\"accident\"],\"width_m\":500,\"weight\":1,\"per_place\":true}]}",
                                        m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (d): field 'per_place': for kernel terms only");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1,\"halflife_y\":2}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1 (acc): unknown field 'halflife_y'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1,\"log1p\":\"true\"}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'log1p': must be true or false");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1,\"class\":5}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'class': must be a string");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1e300}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'weight'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"weight\":1,\"sd\":1e-300}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'sd'");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":1e308,\"terms\":[]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: field 'intercept'");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"lamda\":1,\"terms\":[]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: unknown field 'lamda'");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"terms\":[5]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1: not an object");
#undef TERM
    /* what `risk fit` writes loads again */
    dm_risk_model_default(m);
    ASSERT_OK(dm_risk_model_save(dmtest_ctx(), dmtest_path("d.json"), m));
    ASSERT_OK(dm_risk_model_load(dmtest_ctx(), dmtest_path("d.json"), m));
    char p[1024];
    snprintf(p, sizeof p, "%s", dmtest_repo_path("models/default.json"));
    ASSERT_OK(dm_risk_model_load(dmtest_ctx(), p, m));
    free(m);
}

/* ---- covariates ---- */

/* A float raster whose nodata is not declared (GDAL's -3.4e38, or 3e38)
 * made the term overflow: items per hectare of 1.5e38 or infinite, p 1
 * everywhere, and no warning. Such values are taken as nodata. */
TEST(risk_covariate_values_beyond_1e30_are_nodata)
{
    char *out = NULL;
    /* 3e38 everywhere but the western half (value 2) */
    dmtest_write_file(dmtest_path("west.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44,39],[45,39],[45,41],[44,41],[44,39]]]}}]}");
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 200 200 -bands 1 -ot Float32 -burn 3e38 "
                        "-a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s' && gdal_rasterize -q -burn 2 "
                        "'%s' '%s'",
                        dmtest_path("cov.tif"), dmtest_path("west.geojson"), dmtest_path("cov.tif")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":[{\"name\":\"cov\",\"type\":\"covariate\","
                      "\"weight\":1}]}");
    char ev[1024], m[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate cov=%s --cell 100 "
                                  "--no-calibrate --out %s",
                            ev, m, dmtest_path("cov.tif"), dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "had no value (nodata, NaN, beyond 1e30");
    free(out);
    dm_grid g;
    float *v = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("r.tif"), 2, &g, &v));
    for (size_t k = 0; k < dm_grid_cells(&g); k++)
        ASSERT_MSG(isnan(v[k]) || v[k] < 1, "cell %zu: %g items per hectare", k, v[k]);
    dm_raster_free(v, dm_grid_cells(&g));
}

/* ---- areas no grid can hold ---- */

/* A cap around the North Pole (a box from -180 to 180 up to 90 N) covers no
 * cell of a UTM grid: the map was written empty, exit 0, with a warning
 * about its style only. Now refused naming the file; nothing written. */
TEST(risk_map_refuses_an_area_that_covers_no_cell)
{
    dmtest_write_file(dmtest_path("pole.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[-180,89.95],[180,89.95],[180,90],[-180,90],[-180,89.95]]]}}]}");
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[]}");
    char *out = NULL, ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 100 --out %s", ev,
                            dmtest_path("pole.geojson"), dmtest_path("r.tif")),
              4);
    ASSERT_CONTAINS(out, "pole.geojson: the area covers no cell of the map");
    free(out);
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
}

/* An area 40 degrees wide mapped in the UTM zone of its centre: areas at its
 * edges are scaled by 12 %, and nothing said so (the warning was for --crs
 * only). */
TEST(risk_map_warns_when_the_default_utm_zone_stretches_the_area)
{
    dmtest_write_file(dmtest_path("wide.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[-80,0],[-40,0],[-40,5],[-80,5],[-80,0]]]}}]}");
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[]}");
    char *out = NULL, ev[1024], w[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(w, sizeof w, "%s", dmtest_path("wide.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 5000 --out %s", ev, w,
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "EPSG:32621, the UTM zone of the area's centre, scales areas by up to 1.1");
    free(out);
    /* one zone wide: no warning */
    dmtest_write_file(dmtest_path("narrow.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[-60,0],[-56,0],[-56,1],[-60,1],[-60,0]]]}}]}");
    snprintf(w, sizeof w, "%s", dmtest_path("narrow.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 5000 --out %s", ev, w,
                            dmtest_path("r.tif")),
              0);
    ASSERT(!strstr(out, "scales areas"));
    free(out);
}

/* A kernel (or distance, area, detection, cleared) term without "kinds", or
 * with an empty list, saw no evidence: the map came out flat with 2000
 * events given, and nothing said why. */
TEST(risk_model_rejects_an_evidence_term_without_kinds)
{
    dm_risk_model *m = malloc(sizeof *m);
    ASSERT(m);
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"k\",\"type\":"
                                        "\"kernel\",\"width_m\":500,\"weight\":1}]}",
                                        m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1 (k): field 'kinds': a kernel term needs");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"c\",\"type\":"
                                        "\"cleared\",\"kinds\":[],\"weight\":1}]}",
                                        m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (c): field 'kinds': a cleared term needs");
    /* a covariate term reads a raster, not evidence */
    ASSERT_OK(load_model("{\"intercept\":-3,\"terms\":[{\"name\":\"roads\",\"type\":\"covariate\","
                         "\"weight\":1}]}",
                         m));
    free(m);
}

/* ---- --codes, --kinds and a term's codes that pick nothing ---- */

/* Evidence of three kinds and codes near 45 E, 40 N. */
static void coded_events(const char *name)
{
    dmtest_write_file(dmtest_path(name),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"code\":1,"
                      "\"date\":\"2015\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":4,"
                      "\"date\":\"2015\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.01,40.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":4,"
                      "\"date\":\"2016\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.01]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"suspected\",\"code\":8,"
                      "\"date\":\"2016\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.02,40.02]}}]}");
}

/* `risk eval --codes 9` (a typo for 8) scored no truth event and said
 * "truth events 0": now refused naming the option and the codes the truth
 * has; a list with one code the truth lacks gets a warning. */
TEST(risk_eval_refuses_codes_and_kinds_that_select_no_truth)
{
    coded_events("ev.geojson");
    char ev[1024], r[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 100 --no-calibrate --out %s", ev, r);
    ASSERT_DEMINE(0, "truth events      1 (1 inside)", "risk eval %s --truth %s --codes 8", r, ev);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 9", r, ev), 2);
    ASSERT_CONTAINS(out, "--codes 9 selects none of the 4 rows of the truth");
    ASSERT_CONTAINS(out, "codes: 1 (1), 4 (2), 8 (1)");
    ASSERT_CONTAINS(out, "kinds there: item 2, accident 1, suspected 1");
    free(out);
    /* the date window is applied first: what is left is what is listed */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 1 --from 2016", r, ev), 2);
    ASSERT_CONTAINS(out, "--codes 1 selects none of the 2 rows of the truth");
    ASSERT_CONTAINS(out, "dated 2016-01-01..: nothing to score");
    ASSERT_CONTAINS(out, "codes: 4 (1), 8 (1)");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --kinds report", r, ev), 2);
    ASSERT_CONTAINS(out, "--kinds report selects none of the 4 rows");
    free(out);
    /* a code the file has, only outside the window: no typo */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 1,4 --from 2016", r, ev), 0);
    ASSERT(!strstr(out, "warning"));
    ASSERT_CONTAINS(out, "truth events      1");
    free(out);
    /* one code of three unknown: scored, with a warning */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 1,4,9", r, ev), 0);
    ASSERT_CONTAINS(out, "warning: risk eval --codes 9: no row of the truth");
    ASSERT_CONTAINS(out, "ev.geojson has that code (codes there: 1 (1), 4 (2), 8 (1))");
    ASSERT_CONTAINS(out, "truth events      3");
    free(out);
    /* a code only other kinds have */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --kinds item --codes 4,8", r, ev), 0);
    ASSERT_CONTAINS(out, "--codes 8: no item row of the truth");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --kinds item,report", r, ev), 0);
    ASSERT_CONTAINS(out, "--kinds report: no row of the truth");
    ASSERT_CONTAINS(out, "is of that kind (kinds there: item 2, accident 1, suspected 1)");
    free(out);
    /* with --labels there is still something to score: a warning */
    dmtest_write_file(dmtest_path("lab.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"label\":1},\"geometry\":"
                      "{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"label\":0},\"geometry\":"
                      "{\"type\":\"Point\",\"coordinates\":[45.03,40.03]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 9 --labels %s", r, ev,
                            dmtest_path("lab.geojson")),
              0);
    ASSERT_CONTAINS(out, "warning: risk eval --codes 9: no row of the truth");
    ASSERT_CONTAINS(out, "AUC-ROC labelled");
    free(out);
    /* all selected: nothing said */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 1,4 --kinds accident,item", r,
                            ev),
              0);
    ASSERT(!strstr(out, "warning"));
    free(out);
    /* a date window holding no row at all: said so, not blamed on the area */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --from 2030 --to 2031", r, ev), 2);
    ASSERT_CONTAINS(out, "is dated 2030-01-01..2031-12-31 (of its 4 rows): nothing to score");
    ASSERT(!strstr(out, "inside the area"));
    free(out);
}

/* `risk fit --codes 9` fitted on no label point at all; with a database,
 * --kinds was overwritten by the database's own label kinds. */
TEST(risk_fit_refuses_codes_and_kinds_that_select_no_label)
{
    coded_events("ev.geojson");
    char ev[1024], m[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --labels %s --codes 9 --cell 500 --out %s",
                            ev, ev, m),
              2);
    ASSERT_CONTAINS(out, "--codes 9 selects none of the 4 rows of the labels");
    ASSERT_CONTAINS(out, "nothing to fit on");
    ASSERT_CONTAINS(out, "codes: 1 (1), 4 (2), 8 (1)");
    free(out);
    ASSERT(access(m, F_OK) != 0);
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --labels %s --kinds report,cleared "
                                  "--cell 500 --out %s",
                            ev, ev, m),
              2);
    ASSERT_CONTAINS(out, "--kinds report,cleared selects none of the 4 rows");
    free(out);
    const char *db = dmtest_demo_db();
    ASSERT_EQ(dmtest_demine(&out, "risk fit %s --kinds report --cell 500 --out %s", db, m), 2);
    ASSERT_CONTAINS(out, "--kinds report: the database's labels are its finds, accidents and "
                         "released land");
    free(out);
    ASSERT(access(m, F_OK) != 0);
}

/* A model term of codes [9] where the evidence has 1, 4 and 8: a flat term,
 * silently. Now a warning naming the term, the field and the codes seen. */
TEST(risk_map_warns_of_a_term_whose_codes_match_no_evidence)
{
    coded_events("ev.geojson");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":["
                      "{\"name\":\"mil\",\"type\":\"kernel\",\"kinds\":[\"item\",\"accident\"],"
                      "\"codes\":[9],\"width_m\":500,\"weight\":1},"
                      "{\"name\":\"acc\",\"type\":\"kernel\",\"kinds\":[\"accident\"],"
                      "\"codes\":[1,7],\"width_m\":500,\"weight\":1},"
                      "{\"name\":\"det\",\"type\":\"kernel\",\"kinds\":[\"detection\"],"
                      "\"codes\":[3],\"width_m\":500,\"weight\":1},"
                      "{\"name\":\"ok\",\"type\":\"kernel\",\"kinds\":[\"item\"],"
                      "\"codes\":[4],\"width_m\":500,\"weight\":1}]}");
    char *out = NULL, ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --cell 100 --out %s", ev,
                            dmtest_path("m.json"), dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "model term 'mil': field 'codes': 9 matches none of the 3 accident/item "
                         "evidence it would read (codes there: 1 (1), 4 (2)): the term is flat");
    ASSERT_CONTAINS(out, "model term 'acc': field 'codes': 7 matches none of the 1 accident "
                         "evidence it would read (codes there: 1 (1))\n");
    ASSERT(!strstr(out, "'det'")); /* no detection at all: nothing to blame the codes for */
    ASSERT(!strstr(out, "'ok'"));
    free(out);
}

/* ---- covariate bands ---- */

/* The mean p of a map's band 1. */
static double mean_p(const char *name)
{
    dm_grid g;
    float *v = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path(name), 1, &g, &v));
    double s = 0;
    size_t n = 0;
    for (size_t k = 0; k < dm_grid_cells(&g); k++)
        if (isfinite(v[k]))
            s += v[k], n++;
    dm_raster_free(v, dm_grid_cells(&g));
    ASSERT(n > 0);
    return s / (double)n;
}

/* A covariate raster of three bands was read at band 1, silently: now
 * NAME=RASTER:BAND picks one, and band 1 taken by default is said. */
TEST(risk_covariate_reads_the_band_named)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 3 -ot Float32 -burn 1 "
                        "-burn 2 -burn 3 -a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s' && "
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Float32 -burn 2 "
                        "-a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s'",
                        dmtest_path("c3.tif"), dmtest_path("c2.tif")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":[{\"name\":\"cov\",\"type\":\"covariate\","
                      "\"weight\":1}]}");
    char ev[1024], m[1024], c3[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    snprintf(c3, sizeof c3, "%s", dmtest_path("c3.tif"));
    const char *base = "risk map --evidence %s --model %s --cell 100 --no-calibrate";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --covariate cov=%%s --out %%s", base);
    ASSERT_EQ(dmtest_demine(&out, cmd, ev, m, dmtest_path("c2.tif"), dmtest_path("one.tif")), 0);
    ASSERT(!strstr(out, "bands"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --cell 100 --no-calibrate "
                                  "--covariate cov=%s:2 --out %s",
                            ev, m, c3, dmtest_path("b2.tif")),
              0);
    ASSERT(!strstr(out, "warning"));
    free(out);
    ASSERT_NEAR(mean_p("b2.tif"), mean_p("one.tif"), 1e-9);
    ASSERT_NEAR(mean_p("b2.tif"), 1 / (1 + exp(-(-4 + 2.0))), 1e-3);
    /* no band named: band 1, and a warning naming the band count */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --cell 100 --no-calibrate "
                                  "--covariate cov=%s --out %s",
                            ev, m, c3, dmtest_path("b1.tif")),
              0);
    ASSERT_CONTAINS(out, "c3.tif): the raster has 3 bands; term 'cov' reads band 1 (name another "
                         "as cov=");
    free(out);
    ASSERT_NEAR(mean_p("b1.tif"), 1 / (1 + exp(-(-4 + 1.0))), 1e-3);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --cell 100 --no-calibrate "
                                  "--covariate cov=%s:3 --out %s",
                            ev, m, c3, dmtest_path("b3.tif")),
              0);
    free(out);
    ASSERT_NEAR(mean_p("b3.tif"), 1 / (1 + exp(-(-4 + 3.0))), 1e-3);
    /* a band it has not, band 0 */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --cell 100 --no-calibrate "
                                  "--covariate cov=%s:4 --out %s",
                            ev, m, c3, dmtest_path("b4.tif")),
              2);
    ASSERT_CONTAINS(out, "covariate 'cov' (");
    ASSERT_CONTAINS(out, "c3.tif): no band 4: the raster has 3 bands");
    free(out);
    ASSERT(access(dmtest_path("b4.tif"), F_OK) != 0);
    ASSERT_DEMINE(2, "the band counts from 1",
                  "risk map --evidence %s --model %s --covariate cov=%s:0 --out %s", ev, m, c3,
                  dmtest_path("b4.tif"));
}

/* ---- messy evidence and area files ---- */

/* One evidence row dated 2099 (a typo) dated the map: every real event aged
 * by 75 years and the kernels faded to nothing (mean p 0.004 -> 0.0004, max
 * 0.74 -> 0.006), exit 0. Refused now as the database refuses such dates. */
TEST(risk_map_refuses_evidence_dated_in_the_future_or_before_1900)
{
    const char *head = "{\"type\":\"FeatureCollection\",\"features\":["
                       "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":"
                       "\"2010-01-01\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}},"
                       "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"";
    const char *tail = "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.01,40.0]}}]}";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s2099-01-01%s", head, tail);
    dmtest_write_file(dmtest_path("future.geojson"), buf);
    snprintf(buf, sizeof buf, "%s1850%s", head, tail);
    dmtest_write_file(dmtest_path("old.geojson"), buf);
    snprintf(buf, sizeof buf, "%s2011-05-01%s", head, tail);
    dmtest_write_file(dmtest_path("ok.geojson"), buf);
    char f[1024], o[1024];
    snprintf(f, sizeof f, "%s", dmtest_path("future.geojson"));
    snprintf(o, sizeof o, "%s", dmtest_path("old.geojson"));
    ASSERT_DEMINE(2, "future.geojson: feature 2: field 'date': 2099-01-01 is in the future",
                  "risk map --evidence %s --cell 100 --out %s", f, dmtest_path("r.tif"));
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
    ASSERT_DEMINE(2, "old.geojson: feature 2: field 'date': 1850-01-01 is before 1900",
                  "risk map --evidence %s --cell 100 --out %s", o, dmtest_path("r.tif"));
    /* also as truth of an evaluation */
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 100 --no-calibrate --out %s",
                  dmtest_path("ok.geojson"), dmtest_path("r.tif"));
    ASSERT_DEMINE(2, "is in the future", "risk eval %s --truth %s", dmtest_path("r.tif"), f);
}

/* An area file in metres that does not say so (a GeoJSON of UTM
 * coordinates, read as degrees) failed with "coordinate 1 cannot be
 * transformed", naming no file; latitudes past 90 the same. */
TEST(risk_area_in_metres_without_a_crs_is_named)
{
    dmtest_write_file(dmtest_path("utm.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[500000,660000],[520000,660000],[520000,680000],[500000,680000],"
                      "[500000,660000]]]}}]}");
    dmtest_write_file(dmtest_path("ev.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    char ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    ASSERT_DEMINE(4,
                  "utm.geojson: feature 1: coordinates (500000, 660000) to (520000, 680000) are "
                  "not longitudes and latitudes (a file in another CRS must say so)",
                  "risk map --evidence %s --aoi %s --cell 100 --out %s", ev,
                  dmtest_path("utm.geojson"), dmtest_path("r.tif"));
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
    /* the same file saying its CRS is mapped */
    dmtest_write_file(dmtest_path("utm_crs.geojson"),
                      "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                      "{\"name\":\"urn:ogc:def:crs:EPSG::32618\"}},\"features\":[{\"type\":"
                      "\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":[[[500000,660000],[502000,660000],[502000,662000],"
                      "[500000,662000],[500000,660000]]]}}]}");
    ASSERT_DEMINE(0, "cells of 100 m (EPSG:32618)",
                  "risk map --evidence %s --aoi %s --cell 100 --out %s", ev,
                  dmtest_path("utm_crs.geojson"), dmtest_path("r.tif"));
}

/* A line or point beside the polygons of an area file was dropped without a
 * word (a boundary drawn as a line is not an area). */
TEST(risk_area_warns_of_features_that_are_not_polygons)
{
    dmtest_write_file(dmtest_path("mix.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[45,40],[45.01,40],[45.01,40.01],[45,40.01],[45,40]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                      "\"LineString\",\"coordinates\":[[46,40],[47,41]]}},"
                      "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[46,40]}}]}");
    dmtest_write_file(dmtest_path("ev.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 100 --out %s",
                            dmtest_path("ev.geojson"), dmtest_path("mix.geojson"),
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "mix.geojson: 2 feature(s) that are not polygons (the first: feature 2, "
                         "a LINESTRING) are not part of the area");
    /* the map covers the polygon alone (about 850 x 1110 m), not the line's degree */
    ASSERT_CONTAINS(out, "x 12 cells of 100 m");
    free(out);
}

/* ---- scaled rasters ---- */

/* An Int16 raster stored with a scale and offset (value = raw x 0.5 + 1,
 * as elevation or probabilities often are) was read raw: the covariate
 * took 4 where the raster holds 3, and `risk sum` summed raw values. */
TEST(risk_rasters_with_a_scale_and_offset_are_read_as_values)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Int16 -burn 4 "
                        "-a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s' && gdal_translate -q -a_scale "
                        "0.5 -a_offset 1 -a_nodata -32768 '%s' '%s'",
                        dmtest_path("raw.tif"), dmtest_path("raw.tif"), dmtest_path("cov.tif")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":[{\"name\":\"cov\",\"type\":\"covariate\","
                      "\"weight\":1}]}");
    char ev[1024], m[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    ASSERT_DEMINE(0, NULL,
                  "risk map --evidence %s --model %s --cell 100 --no-calibrate --covariate cov=%s "
                  "--out %s",
                  ev, m, dmtest_path("cov.tif"), dmtest_path("r.tif"));
    ASSERT_NEAR(mean_p("r.tif"), 1 / (1 + exp(-(-4 + 3.0))), 1e-3);
    /* the weighted sum: 2 x 3 */
    char cov[1024];
    snprintf(cov, sizeof cov, "%s", dmtest_path("cov.tif"));
    ASSERT_DEMINE(0, NULL, "risk sum %s 2 %s", dmtest_path("s.tif"), cov);
    dm_grid g;
    float *v = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("s.tif"), 1, &g, &v));
    ASSERT_NEAR(v[0], 6.0, 1e-6);
    dm_raster_free(v, dm_grid_cells(&g));
    /* and read back as values (an evaluated map stored so) */
    ASSERT_OK(dm_raster_read(dmtest_ctx(), cov, 1, &g, &v));
    ASSERT_NEAR(v[7], 3.0, 1e-6);
    dm_raster_free(v, dm_grid_cells(&g));
}

/* A covariate raster of another place (or of nodata only) gave every cell
 * the term's mean: the map was made without it, with a warning that named
 * no covariate ("8687 cells had no covariate value"). Refused now, naming
 * it; a raster covering part of the map is used, the warning naming it and
 * the share of cells without a value. */
TEST(risk_covariate_covering_no_cell_of_the_map_is_refused)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Float32 -burn 2 "
                        "-a_srs EPSG:4326 -a_ullr 10 51 12 49 '%s' && "
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Int16 -burn -9999 "
                        "-a_nodata -9999 -a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s' && "
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Float32 -burn 2 "
                        "-a_srs EPSG:4326 -a_ullr 45 41 47 39 '%s'",
                        dmtest_path("far.tif"), dmtest_path("nd.tif"), dmtest_path("east.tif")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":[{\"name\":\"slope\",\"type\":\"covariate\","
                      "\"weight\":1}]}");
    char ev[1024], m[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    const char *names[] = {"far.tif", "nd.tif"};
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate slope=%s "
                                      "--cell 100 --no-calibrate --out %s",
                                ev, m, dmtest_path(names[i]), dmtest_path("r.tif")),
                  2);
        ASSERT_CONTAINS(out, "covariate 'slope' (");
        ASSERT_CONTAINS(out, "): no value in any of the map's");
        ASSERT_CONTAINS(out, names[i]);
        free(out);
        ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
    }
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate slope=%s "
                                  "--cell 100 --no-calibrate --out %s",
                            ev, m, dmtest_path("east.tif"), dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "covariate 'slope' (");
    ASSERT_CONTAINS(out, "east.tif): ");
    ASSERT_CONTAINS(out, "had no value");
    ASSERT_CONTAINS(out, "term 'slope' was set to its mean there");
    free(out);
}

/* `risk distance` on a raster in degrees wrote distances in degrees (0.33
 * for 35 km, east-west and north-south degrees of different lengths), which
 * --max and every risk term read as metres. Refused, naming the CRS. */
TEST(risk_distance_refuses_a_raster_in_degrees)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -ot Byte -burn 1 "
                        "-a_srs EPSG:4326 -a_ullr 44 41 46 39 '%s'",
                        dmtest_path("deg.tif")),
              0);
    free(out);
    char in[1024];
    snprintf(in, sizeof in, "%s", dmtest_path("deg.tif"));
    ASSERT_DEMINE(4, "deg.tif: 'EPSG:4326' is not a projected CRS (it counts in degrees)",
                  "risk distance %s %s --values 1", in, dmtest_path("d.tif"));
    ASSERT(access(dmtest_path("d.tif"), F_OK) != 0);
    /* in metres it is done */
    raster("m.tif", "Byte", 1, 32638);
    snprintf(in, sizeof in, "%s", dmtest_path("m.tif"));
    ASSERT_DEMINE(0, NULL, "risk distance %s %s --values 1", in, dmtest_path("d.tif"));
}

/* A map warped to EPSG:4326 (to share it) was scored with "expected items
 * 0 in the area": items per hectare times a cell of square degrees. The
 * count is left out, with a warning; the ranks are scored as before. */
TEST(risk_eval_of_a_map_in_degrees_counts_no_expected_items)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2011\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.004,40.002]}}]}");
    char ev[1024], r[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 50 --no-calibrate --out %s", ev, r);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "gdalwarp -q -t_srs EPSG:4326 '%s' '%s'", r, dmtest_path("g.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", r, ev), 0);
    ASSERT_CONTAINS(out, "expected items");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", dmtest_path("g.tif"), ev), 0);
    ASSERT(!strstr(out, "expected items"));
    ASSERT_CONTAINS(out, "g.tif is in EPSG:4326, not in metres: the items it expects in the area "
                         "are not counted");
    ASSERT_CONTAINS(out, "recall@10%");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --json", dmtest_path("g.tif"), ev), 0);
    ASSERT(!strstr(out, "expected_items"));
    free(out);
}

/* --until 2099 dated the map in 2099 without a word: every event 75 years
 * old, the kernels faded to nothing (mean p 1.4e-6 -> 1.5e-7 at 10 m). */
TEST(risk_map_warns_of_until_after_today)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    char ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --until 2099 --out %s", ev,
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "warning: risk map: --until 2099-12-31 is after today (");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --until 2012 --out %s", ev,
                            dmtest_path("r.tif")),
              0);
    ASSERT(!strstr(out, "after today"));
    free(out);
}

/* Labels of another place (shifted 5 degrees) failed with "the labels need
 * both positive and negative cells (0 positive, 0 negative)" for a file of
 * 977 labels; labels partly outside the area were dropped in silence. */
TEST(risk_fit_names_labels_outside_the_area)
{
    char *out = NULL;
    const char *cells = dmtest_repo_path(DATA "cells.geojson");
    char c[1024], ev[1024];
    snprintf(c, sizeof c, "%s", cells);
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    /* the same cells 5 degrees north-east */
    ASSERT_EQ(dmtest_sh(&out, "ogr2ogr -q -dialect sqlite -sql \"SELECT label, "
                              "ShiftCoords(geometry, 5, 5) AS geometry FROM cells\" '%s' '%s'",
                        dmtest_path("far.geojson"), c),
              0);
    free(out);
    dmtest_write_file(dmtest_path("west.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[-75.25,6.0],[-75.0,6.0],[-75.0,6.33],[-75.25,6.33],[-75.25,6.0]]]}}]}");
    char aoi[1024];
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk fit --labels %s --evidence %s --aoi %s --cell 1000 "
                                  "--until 2008 --out %s",
                            dmtest_path("far.geojson"), ev, aoi, dmtest_path("m.json")),
              2);
    ASSERT_CONTAINS(out, "far.geojson: none of its 977 features labelled 0 or 1 lies inside the "
                         "area mapped (");
    free(out);
    ASSERT(access(dmtest_path("m.json"), F_OK) != 0);
    /* part of them inside: fitted on those, the others said */
    ASSERT_EQ(dmtest_demine(&out, "risk fit --labels %s --evidence %s --aoi %s --cell 1000 "
                                  "--until 2008 --folds 2 --out %s",
                            c, ev, dmtest_path("west.geojson"), dmtest_path("m.json")),
              0);
    ASSERT_CONTAINS(out, "cells.geojson: ");
    ASSERT_CONTAINS(out, "of its 977 features labelled 0 or 1 lie outside the area mapped");
    free(out);
    ASSERT(access(dmtest_path("m.json"), F_OK) == 0);
}

/* One evidence point with its longitude's sign lost (74.2 for -74.2: the
 * Colombian event file holds one) made the national map span 153 degrees,
 * with only a warning about the UTM zone. The stray item is named (kind,
 * date, place) before the work; with --aoi nothing is said. */
TEST(risk_map_names_evidence_far_from_all_the_rest)
{
    char buf[4096];
    size_t len = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len,
                                "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\","
                                "\"date\":\"2010\"},\"geometry\":{\"type\":\"Point\","
                                "\"coordinates\":[%.3f,40.0]}},",
                                45.0 + 0.01 * i);
    snprintf(buf + len, sizeof buf - len,
             "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2011-03-04\"},"
             "\"geometry\":{\"type\":\"Point\",\"coordinates\":[52.0,40.0]}}]}");
    dmtest_write_file(dmtest_path("ev.geojson"), buf);
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.9,39.9],[45.3,39.9],[45.3,40.1],[44.9,40.1],[44.9,39.9]]]}}]}");
    char ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 5000 --no-calibrate --out %s", ev,
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "1 of the 21 evidence items lies 7 degrees of longitude or more from all "
                         "the others (the first: item 2011-03-04 at 52.00000, 40.00000)");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 5000 --no-calibrate "
                                  "--out %s",
                            ev, dmtest_path("aoi.geojson"), dmtest_path("r.tif")),
              0);
    ASSERT(!strstr(out, "from all the others"));
    free(out);
    /* evidence spread evenly over a wide land is no stray */
    len = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len,
                                "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                                "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.3f,40.0]}}",
                                i ? "," : "", 40.0 + 0.5 * i);
    snprintf(buf + len, sizeof buf - len, "]}");
    dmtest_write_file(dmtest_path("wide.geojson"), buf);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 5000 --no-calibrate --out %s",
                            dmtest_path("wide.geojson"), dmtest_path("r.tif")),
              0);
    ASSERT(!strstr(out, "from all the others"));
    free(out);
}

/* Spots drawn on a map warped to EPSG:4326 were written with "cell_m
 * 0.0045" (degrees), which the recalibration reads as metres. Refused. */
TEST(risk_spots_refuse_a_map_in_degrees)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}}]}");
    char r[1024];
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 50 --no-calibrate --out %s",
                  dmtest_path("ev.geojson"), r);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "gdalwarp -q -t_srs EPSG:4326 '%s' '%s'", r, dmtest_path("g.tif")),
              0);
    free(out);
    char gp[1024];
    snprintf(gp, sizeof gp, "%s", dmtest_path("g.tif"));
    ASSERT_DEMINE(4, "the map is in EPSG:4326, which does not count in metres",
                  "risk spots %s --n 12 --out %s", gp, dmtest_path("s.geojson"));
    ASSERT(access(dmtest_path("s.geojson"), F_OK) != 0);
    ASSERT_DEMINE(0, "12 spots written", "risk spots %s --n 12 --out %s", r,
                  dmtest_path("s.geojson"));
}

/* An evidence file of degrees whose GeoPackage says EPSG:3116 lands off the
 * coast: none of its items near the area, a flat map, "711 evidence items"
 * and no word. Said now, naming the file; a file with an item near the
 * area says nothing. */
TEST(risk_map_warns_of_an_evidence_file_far_from_the_area)
{
    dmtest_write_file(dmtest_path("far.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[40.0,45.0]}}]}");
    dmtest_write_file(dmtest_path("near.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[40.0,45.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2010\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.2,40.05]}}]}");
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.9,39.9],[45.1,39.9],[45.1,40.1],[44.9,40.1],[44.9,39.9]]]}}]}");
    char aoi[1024], far[1024];
    snprintf(aoi, sizeof aoi, "%s", dmtest_path("aoi.geojson"));
    snprintf(far, sizeof far, "%s", dmtest_path("far.geojson"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 500 --out %s", far, aoi,
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "far.geojson: none of its 1 evidence items lies within 12 km of the "
                         "area: they do not change the map");
    free(out);
    /* 45.2 is 8.5 km east of the area's edge at 40 N: within reach */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 500 --out %s",
                            dmtest_path("near.geojson"), aoi, dmtest_path("r.tif")),
              0);
    ASSERT(!strstr(out, "do not change the map"));
    free(out);
}

/* A map of billions of cells runs (memory stays bounded) but says first how
 * long it will take: the warning comes before the work, which is cut short. */
TEST(risk_map_of_billions_of_cells_warns_before_the_work)
{
    char ev[1024], aoi[1024], *out = NULL;
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    int rc = dmtest_sh(&out, "timeout 10 \"$DEMINE_BIN\" risk map --evidence '%s' --aoi '%s' --cell 1 --out '%s'",
                       ev, aoi, dmtest_path("huge.tif"));
    ASSERT(rc != 0); /* cut short */
    ASSERT_CONTAINS(out, "warning: the map has 2.09 billion cells (58597 x 35722 of 1 m)");
    free(out);
    /* at 1 km: no such warning */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence '%s' --aoi '%s' --cell 1000 --out '%s'", ev, aoi,
                            dmtest_path("small.tif")),
              0);
    ASSERT(!strstr(out, "billion"));
    free(out);
}

/* A term of one's own model that reads no evidence (a kind the data does not
 * have) adds nothing: warned once, naming it. The built-in model's terms
 * that the data has nothing for (no drone flown) are said only with -v. */
TEST(risk_map_warns_of_model_terms_reading_no_evidence)
{
    char ev[1024], aoi[1024], *out = NULL;
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"name\":\"mine\",\"intercept\":-6,\"ref_cell_m\":1000,\"terms\":["
                      "{\"name\":\"events\",\"type\":\"kernel\",\"kinds\":[\"accident\",\"item\"],\"width_m\":1000,"
                      "\"weight\":1},"
                      "{\"name\":\"reports_only\",\"type\":\"kernel\",\"kinds\":[\"report\"],\"width_m\":1000,"
                      "\"weight\":1}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map --model %s --evidence '%s' --aoi '%s' --cell 1000 --out '%s'",
                            dmtest_path("m.json"), ev, aoi, dmtest_path("m.tif")),
              0);
    ASSERT_CONTAINS(out, "warning: model 'mine': 1 term reads no evidence and adds nothing to the map");
    ASSERT_CONTAINS(out, ": reports_only");
    const char *first = strstr(out, "reads no evidence");
    ASSERT(first && !strstr(first + 1, "reads no evidence")); /* once */
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence '%s' --aoi '%s' --cell 1000 --out '%s'", ev, aoi,
                            dmtest_path("d.tif")),
              0);
    ASSERT(!strstr(out, "no evidence"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "-v risk map --evidence '%s' --aoi '%s' --cell 1000 --out '%s'", ev, aoi,
                            dmtest_path("d2.tif")),
              0);
    ASSERT_CONTAINS(out, "model 'default': 6 terms read no evidence");
    ASSERT_CONTAINS(out, "detections, cleared");
    free(out);
}

TEST(finds_of_reports_not_approved_are_no_evidence)
{
    /* A field report is a draft until reviewed; a rejected one never
     * counts. Its finds must not move the risk map, nor the records'
     * scores, until it is approved. */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init db.gpkg"), 0);
    free(out);
    dmtest_write_file(dmtest_path("h.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"ref\":\"H-1\",\"hazard_type\":\"SHA\",\"status\":\"open\",\"reported_date\":"
                      "\"2022-01-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],"
                      "[46.92,39.90],[46.92,39.92],[46.90,39.92],[46.90,39.90]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    dmtest_write_file(dmtest_path("a.csv"),
                      "ref,activity_type,start_date,end_date,hazard_id,organisation,method,status\n"
                      "T-1,clearance,2023-04-01,2023-05-01,H-1,ANAMA,manual,approved\n"
                      "T-2,clearance,2023-04-01,2023-05-01,H-1,ANAMA,manual,draft\n"
                      "T-3,clearance,2023-04-01,2023-05-01,H-1,ANAMA,manual,rejected\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("i.csv"), "lon,lat,category,model,found_date,activity_id,quantity\n"
                                            "46.905,39.905,AP,PMN,2023-04-10,T-1,1\n"
                                            "46.91,39.91,AP,PMN,2023-04-10,T-2,10\n"
                                            "46.915,39.915,AP,PMN,2023-04-10,T-3,100\n"
                                            "46.912,39.912,AP,PMN,2023-04-10,,1\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items i.csv"), 0);
    free(out);
    /* the hazard and two finds: the approved report's and one of no report */
    ASSERT_EQ(dmtest_demine(&out, "risk map db.gpkg --out r.tif"), 0);
    ASSERT_CONTAINS(out, " 3 evidence items");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "records verify db.gpkg"), 0);
    ASSERT_CONTAINS(out, "of 2 items found");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit db.gpkg T-2 status=approved --reason reviewed"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map db.gpkg --out r.tif"), 0);
    ASSERT_CONTAINS(out, " 4 evidence items");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "records verify db.gpkg"), 0);
    ASSERT_CONTAINS(out, "of 3 items found");
    free(out);
}

/* Every numeric field of a model is named on its own when wrong (an sd of 0
 * said "'weight' is required"), a width of 1e12 m is refused (it overflowed
 * the tile's halo and asked for 17 million TiB), and a model without terms
 * (a flat map of its intercept alone) is refused. */
TEST(risk_model_names_the_bad_field_and_refuses_no_terms)
{
    dm_risk_model *m = malloc(sizeof *m);
    ASSERT(m);
#define TERM "{\"intercept\":-3,\"terms\":[{\"name\":\"acc\",\"type\":\"kernel\"," \
             "\"kinds\":[\"accident\"],"
    ASSERT_OK(load_model(TERM "\"width_m\":500,\"weight\":1}]}", m));
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500,\"weight\":1,\"sd\":0}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: term 1 (acc): field 'sd'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500,\"weight\":1,\"mean\":\"x\"}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'mean'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'weight': required");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500,\"weight\":null}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'weight'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":-5,\"weight\":1}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'width_m'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":1e12,\"weight\":1}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'width_m'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500,\"scale_m\":-1,\"weight\":1}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'scale_m'");
    ASSERT_STATUS(DM_EPARSE, load_model(TERM "\"width_m\":500,\"weight\":1,\"max_age_y\":-1}]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "term 1 (acc): field 'max_age_y'");
#undef TERM
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"ref_cell_m\":0,\"terms\":[]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: field 'ref_cell_m'");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"terms\":[]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: field 'intercept'");
    ASSERT_STATUS(DM_EPARSE, load_model("{\"intercept\":-3,\"terms\":[]}", m));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "m.json: field 'terms': no term");
    free(m);
}

/* A raster demine did not write (here a copy of a map without its
 * metadata, as another tool would give it) was scored in silence and its
 * band 2 read as items per hectare: now a warning, and no items expected. */
TEST(risk_eval_warns_of_a_raster_that_is_not_a_risk_map)
{
    coded_events("ev.geojson");
    char ev[1024], r[1024], o[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    snprintf(o, sizeof o, "%s", dmtest_path("other.tif"));
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 100 --no-calibrate --out %s", ev, r);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", r, ev), 0);
    ASSERT(!strstr(out, "warning"));
    ASSERT_CONTAINS(out, "expected items");
    free(out);
    ASSERT_EQ(dmtest_sh(NULL, "gdal_translate -q -mo DEMINE_BANDS= -mo DEMINE_MODEL= '%s' '%s'", r, o), 0);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", o, ev), 0);
    ASSERT_CONTAINS(out, "is not a risk map of demine (no DEMINE_BANDS metadata)");
    ASSERT(!strstr(out, "expected items"));
    ASSERT_CONTAINS(out, "truth events      4 (4 inside)");
    free(out);
}

/* A covariate no term uses was only warned of, whatever its file: a typo
 * (or "RASTER:x", no band) was stored with the map's options and made
 * every later refresh and explain fail. It must open, with a georeference
 * and the band asked for. */
TEST(risk_map_refuses_an_unreadable_covariate_even_if_unused)
{
    coded_events("ev.geojson");
    char ev[1024], r[1024], c[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    snprintf(c, sizeof c, "%s", dmtest_path("c.tif"));
    ASSERT_EQ(dmtest_sh(NULL, "gdal_create -q -of GTiff -outsize 20 20 -bands 1 -burn 5 -a_srs EPSG:4326 "
                              "-a_ullr 44.9 40.1 45.1 39.9 '%s'", c), 0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --out %s --covariate roads=%s.missing",
                            ev, r, c), 3);
    ASSERT_CONTAINS(out, "covariate 'roads' (");
    ASSERT_CONTAINS(out, "c.tif.missing): cannot open the raster: no such file");
    ASSERT(access(r, F_OK) != 0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk map --evidence %s --cell 100 --out %s --covariate roads=%s:2", ev, r,
                         c) != 0);
    ASSERT_CONTAINS(out, "no band 2: the raster has 1 band");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --out %s --covariate roads=%s", ev, r, ev),
              3);
    ASSERT_CONTAINS(out, "ev.geojson): cannot open the raster: not a raster GDAL reads");
    free(out);
    /* a readable one unused: a warning, and the map */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --out %s --covariate roads=%s", ev, r, c),
              0);
    ASSERT_CONTAINS(out, "no term of the model uses it");
    ASSERT(access(r, F_OK) == 0);
    free(out);
}

/* `risk map DB --until 2021` (a backtest) wrote its map of the past back:
 * every hazard's expected items fell from thousands to a handful, and the
 * database's risk map became the old one, in silence. */
TEST(risk_map_of_the_past_leaves_the_database_as_it_is)
{
    const char *db = dmtest_demo_db();
    char now[1024], old[1024];
    snprintf(now, sizeof now, "%s", dmtest_path("now.tif"));
    snprintf(old, sizeof old, "%s", dmtest_path("old.tif"));
    ASSERT_DEMINE(0, NULL, "risk map %s --cell 50 --out %s", db, now);
    char *before = NULL, *after = NULL, *out = NULL;
    const char *q = "select round(sum(expected_items), 3), round(sum(p_contam), 6) from hazards; "
                    "select value from dm_meta where key in ('risk_map', 'risk_calibration', "
                    "'risk_map_options') order by key;";
    ASSERT_EQ(dmtest_sh(&before, "sqlite3 '%s' \"%s\"", db, q), 0);
    ASSERT_CONTAINS(before, "now.tif");
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --until 2021 --out %s --json", db, old), 0);
    ASSERT_CONTAINS(out, "note: risk map --until 2021-12-31 maps the past");
    ASSERT_CONTAINS(out, "\"hazards_updated\":0");
    ASSERT(access(old, F_OK) == 0);
    ASSERT_EQ(dmtest_sh(&after, "sqlite3 '%s' \"%s\"", db, q), 0);
    ASSERT_STREQ(after, before);
    free(before);
    free(after);
    free(out);
}

/* A covariate raster of the area alone (nodata around it, as a raster
 * clipped to the area is) warned of every cell of the map's box outside the
 * area: "40 % of cells had no value" on every map of eastern Antioquia.
 * Only cells inside the area count. */
TEST(risk_covariate_missing_values_are_counted_inside_the_area)
{
    /* a triangle: half of its box lies outside it */
    dmtest_write_file(dmtest_path("tri.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[45.0,40.0],[45.1,40.0],[45.0,40.1],[45.0,40.0]]]}}]}");
    dmtest_write_file(dmtest_path("big.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.98,39.98],[45.12,39.98],[45.12,40.12],[44.98,40.12],[44.98,39.98]]]}}]}");
    /* the covariate: 5 in the triangle grown by about 300 m, nodata elsewhere */
    ASSERT_EQ(dmtest_sh(NULL, "cd '%s' && ogr2ogr -q -f GeoJSON grown.geojson tri.geojson -dialect sqlite "
                              "-sql 'select ST_Buffer(geometry, 0.004) from tri' && "
                              "gdal_rasterize -q -burn 5 -init -9999 -a_nodata -9999 -ot Float32 "
                              "-tr 0.001 0.001 -te 44.9 39.9 45.2 40.2 grown.geojson cov.tif",
                        dmtest_tmpdir()),
              0);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.02,40.02]}}]}");
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-4,\"terms\":[{\"name\":\"slope\",\"type\":\"covariate\","
                      "\"weight\":1}]}");
    char *out = NULL, ev[1024], m[1024], cov[1024], r[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("m.json"));
    snprintf(cov, sizeof cov, "%s", dmtest_path("cov.tif"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate slope=%s --aoi %s "
                                  "--cell 200 --no-calibrate --out %s",
                            ev, m, cov, dmtest_path("tri.geojson"), r),
              0);
    ASSERT_MSG(!strstr(out, "had no value"), "%s", out);
    free(out);
    /* an area reaching past the raster: its cells without a value are named */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate slope=%s --aoi %s "
                                  "--cell 200 --no-calibrate --out %s",
                            ev, m, cov, dmtest_path("big.geojson"), r),
              0);
    ASSERT_CONTAINS(out, "had no value");
    free(out);
}

/* `risk fit` took the options of map and eval and ignored them: --disable
 * and --disable-term fitted every kind and term, --spots fitted without the
 * spots, --from/--to (the labels' dates are --label-from/--label-to) did
 * nothing; --label-from after --label-to fitted on no positive label. */
TEST(risk_fit_refuses_options_it_would_ignore)
{
    coded_events("ev.geojson");
    char ev[1024], m[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(m, sizeof m, "%s", dmtest_path("fit.json"));
    const char *opt[] = {"--disable accident", "--disable-term kernel_events_250m", "--spots x.geojson",
                         "--from 2015", "--to 2016", "--no-writeback", "--no-calibrate", "--band 2"};
    const char *named[] = {"--disable (", "--disable-term (", "--spots (", "--from (", "--to (",
                           "--no-writeback", "--no-calibrate", "--band"};
    char *out = NULL;
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --labels %s --cell 500 --out %s %s", ev, ev, m,
                                opt[i]),
                  2);
        ASSERT_CONTAINS(out, named[i]);
        ASSERT_CONTAINS(out, "is not an option of risk fit");
        free(out);
    }
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --labels %s --label-from 2016 --label-to 2015 "
                                  "--cell 500 --out %s", ev, ev, m),
              2);
    ASSERT_CONTAINS(out, "--label-from 2016 is after --label-to 2015");
    free(out);
    ASSERT(access(m, F_OK) != 0);
}

/* Every row of the files later than --until: "no evidence and no --aoi",
 * which sent the user to files that hold evidence. */
TEST(risk_map_says_until_left_no_evidence)
{
    coded_events("ev.geojson");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --until 2012 --cell 100 --out %s",
                            dmtest_path("ev.geojson"), dmtest_path("r.tif")),
              2);
    ASSERT_CONTAINS(out, "no evidence dated on or before --until 2012-12-31, and no --aoi");
    free(out);
}

/* An empty list (--disable "", --kinds "", --codes "" from a script's empty
 * variable) switched nothing off and selected everything, in silence. */
TEST(risk_options_refuse_empty_lists)
{
    coded_events("ev.geojson");
    char ev[1024], r[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --cell 100 --disable '' --out %s", ev, r), 2);
    ASSERT_CONTAINS(out, "a list of evidence kinds is empty");
    free(out);
    ASSERT(access(r, F_OK) != 0);
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 100 --no-calibrate --out %s", ev, r);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --kinds ,", r, ev), 2);
    ASSERT_CONTAINS(out, "a list of evidence kinds is empty");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes ''", r, ev), 2);
    ASSERT_CONTAINS(out, "--codes wants integers like 1,4,8, got ''");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --codes 99999999999", r, ev), 2);
    ASSERT_CONTAINS(out, "--codes wants integers");
    free(out);
}

/* --plot with labels all 1 said "no labels" of a file full of them. */
TEST(risk_eval_plot_says_why_there_is_nothing_to_draw)
{
    coded_events("ev.geojson");
    dmtest_write_file(dmtest_path("ones.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"label\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"label\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[45.02,40.02]}}]}");
    char ev[1024], r[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_path("ev.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    ASSERT_DEMINE(0, NULL, "risk map --evidence %s --cell 100 --no-calibrate --out %s", ev, r);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s --plot %s", r, dmtest_path("ones.geojson"),
                            dmtest_path("p.png")),
              2);
    ASSERT_CONTAINS(out, "nothing to plot (no truth event in the area; no labelled cells on the map "
                         "with both 1 and 0: 2 and 0)");
    free(out);
}

/* mean_p of `risk map --json` */
static double map_mean_p(const char *args)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "risk map %s --json", args);
    double v = NAN;
    const char *m = out ? strstr(out, "\"mean_p\":") : NULL;
    if (rc == 0 && m)
        v = strtod(m + 9, NULL);
    free(out);
    return v;
}

/* An evidence file of one accident of the given GeoJSON geometry. */
static void ev_shape(const char *name, const char *geom)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
             "\"properties\":{\"kind\":\"accident\"},\"geometry\":%s}]}",
             geom);
    dmtest_write_file(dmtest_path(name), text);
}

/* A line or polygon event (an accident's area, a suspected minefield drawn
 * as a polygon) was burnt at full weight into every working cell it
 * covered: a 1 km square counted as hundreds of accidents; one smaller than
 * a cell could vanish. Each is one event, whatever its shape. */
TEST(risk_kernel_counts_a_line_or_polygon_event_once)
{
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-8,\"terms\":[{\"name\":\"k\",\"type\":\"kernel\","
                      "\"kinds\":[\"accident\"],\"width_m\":500,\"weight\":1}]}");
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.95,39.95],[45.05,39.95],[45.05,40.05],[44.95,40.05],[44.95,39.95]]]}}]}");
    ev_shape("pt.geojson", "{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}");
    ev_shape("sq.geojson", "{\"type\":\"Polygon\",\"coordinates\":[[[44.994,39.9955],[45.006,39.9955],"
                           "[45.006,40.0045],[44.994,40.0045],[44.994,39.9955]]]}");
    ev_shape("tiny.geojson", "{\"type\":\"Polygon\",\"coordinates\":[[[45.0,40.0],[45.0001,40.0],"
                             "[45.0001,40.0001],[45.0,40.0001],[45.0,40.0]]]}");
    ev_shape("line.geojson", "{\"type\":\"LineString\",\"coordinates\":[[44.994,40.0],[45.006,40.0]]}");
    ev_shape("none.geojson", "{\"type\":\"Point\",\"coordinates\":[60.0,10.0]}");
    char common[2048];
    snprintf(common, sizeof common, "--model %s --aoi %s --cell 50 --no-calibrate --out %s",
             dmtest_path("m.json"), dmtest_path("aoi.geojson"), dmtest_path("r.tif"));
    char a[4096];
    const char *files[] = {"pt.geojson", "sq.geojson", "tiny.geojson", "line.geojson", "none.geojson"};
    double mp[5];
    for (int i = 0; i < 5; i++) {
        snprintf(a, sizeof a, "--evidence %s %s", dmtest_path(files[i]), common);
        mp[i] = map_mean_p(a);
        ASSERT_MSG(isfinite(mp[i]), "%s: no mean_p", files[i]);
    }
    double base = mp[4], pt = mp[0] - base;
    ASSERT(pt > 0);
    /* a 1 km square, a 1 km line and a 10 m square: about one accident each
     * (the square was 400 of them at the kernel's 83 m cells) */
    for (int i = 1; i < 4; i++)
        ASSERT_MSG(fabs((mp[i] - base) / pt - 1) < 0.25, "%s: %g above the base, a point %g", files[i],
                   mp[i] - base, pt);
    /* the same in tiles of 64 cells */
    snprintf(a, sizeof a, "--evidence %s %s --tile 64", dmtest_path("sq.geojson"), common);
    ASSERT_NEAR(map_mean_p(a), mp[1], 1e-6 * mp[1]);
}

static double pixel_at(const char *tif, double lon, double lat)
{
    char *v = NULL;
    if (dmtest_sh(&v, "gdallocationinfo -valonly -wgs84 %s %.6f %.6f | head -1", tif, lon, lat) != 0) {
        free(v);
        return NAN;
    }
    double x = v ? strtod(v, NULL) : NAN;
    free(v);
    return x;
}

/* A collection of a point and a polygon too small to spread (an accident
 * recorded as where it happened and the crater's outline): the polygon's
 * share went nowhere, the point took all the weight. Each part now takes
 * its share. */
TEST(risk_kernel_gives_a_collections_small_polygon_its_share)
{
    dmtest_write_file(dmtest_path("m.json"),
                      "{\"intercept\":-8,\"terms\":[{\"name\":\"k\",\"type\":\"kernel\","
                      "\"kinds\":[\"accident\"],\"width_m\":300,\"weight\":1}]}");
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.95,39.95],[45.05,39.95],[45.05,40.05],[44.95,40.05],[44.95,39.95]]]}}]}");
    ev_shape("pt.geojson", "{\"type\":\"Point\",\"coordinates\":[44.98,40.0]}");
    ev_shape("gc.geojson", "{\"type\":\"GeometryCollection\",\"geometries\":["
                           "{\"type\":\"Point\",\"coordinates\":[44.98,40.0]},"
                           "{\"type\":\"Polygon\",\"coordinates\":[[[45.02,40.0],[45.0201,40.0],"
                           "[45.0201,40.0001],[45.02,40.0001],[45.02,40.0]]]}]}");
    ev_shape("none.geojson", "{\"type\":\"Point\",\"coordinates\":[60.0,10.0]}");
    const char *files[] = {"pt.geojson", "gc.geojson", "none.geojson"};
    double at_pt[3], at_poly[3];
    for (int i = 0; i < 3; i++) {
        char tif[1024];
        snprintf(tif, sizeof tif, "%s.tif", dmtest_path(files[i]));
        ASSERT_DEMINE(0, NULL, "risk map --evidence %s --model %s --aoi %s --cell 50 --no-calibrate --out %s",
                      dmtest_path(files[i]), dmtest_path("m.json"), dmtest_path("aoi.geojson"), tif);
        at_pt[i] = pixel_at(tif, 44.98, 40.0);
        at_poly[i] = pixel_at(tif, 45.02, 40.00005);
        ASSERT_MSG(isfinite(at_pt[i]) && isfinite(at_poly[i]), "%s: no pixel", files[i]);
    }
    double rise = at_pt[0] - at_pt[2];
    ASSERT(rise > 0);
    /* the point alone: nothing 3.4 km away */
    ASSERT_MSG(at_poly[0] - at_poly[2] < 0.05 * rise, "%g", at_poly[0] - at_poly[2]);
    /* the collection: about half at each part (it was all at the point) */
    double r_pt = (at_pt[1] - at_pt[2]) / rise, r_poly = (at_poly[1] - at_poly[2]) / rise;
    ASSERT_MSG(r_pt > 0.3 && r_pt < 0.7, "point part: %g of a point", r_pt);
    ASSERT_MSG(r_poly > 0.3 && r_poly < 0.7, "polygon part: %g of a point", r_poly);
}

/* --mem-mb: more memory never means fewer threads (40 MiB ran on one
 * thread where 32 MiB ran on two: the tile stayed large and the threads
 * paid for it), and the map does not depend on the limit. */
TEST(risk_map_more_memory_never_runs_on_fewer_threads)
{
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[44.95,39.95],[45.05,39.95],[45.05,40.05],[44.95,40.05],[44.95,39.95]]]}}]}");
    ev_shape("pt.geojson", "{\"type\":\"Point\",\"coordinates\":[45.0,40.0]}");
    int last = 0;
    char first_sum[256] = "";
    static const int mbs[] = {16, 24, 32, 40, 64, 96};
    for (size_t k = 0; k < sizeof mbs / sizeof *mbs; k++) {
        int mb = mbs[k];
        char *out = NULL;
        ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 10 --threads 2 --mem-mb %d "
                                      "--no-calibrate --json --out %s",
                                dmtest_path("pt.geojson"), dmtest_path("aoi.geojson"), mb, dmtest_path("r.tif")),
                  0);
        const char *t = out ? strstr(out, "\"threads\":") : NULL;
        ASSERT_MSG(t, "--mem-mb %d: no threads in %s", mb, out ? out : "");
        int th = (int)strtol(t + 10, NULL, 10);
        free(out);
        ASSERT_MSG(th >= last, "--mem-mb %d: %d threads, %d with less memory", mb, th, last);
        last = th;
        char *sum = NULL;
        ASSERT_EQ(dmtest_sh(&sum, "gdalinfo -checksum %s | grep Checksum | tr -d ' \\n'", dmtest_path("r.tif")), 0);
        if (!first_sum[0])
            snprintf(first_sum, sizeof first_sum, "%s", sum ? sum : "");
        else
            ASSERT_MSG(sum && !strcmp(sum, first_sum), "--mem-mb %d: %s, was %s", mb, sum ? sum : "", first_sum);
        free(sum);
    }
    ASSERT_EQ(last, 2);
}

/* A map of the database and evidence files: explain and refresh read the
 * database alone, and explain's figures differed from the map's pixel (13
 * times lower beside an accident of the file) without a word. */
TEST(risk_explain_and_refresh_name_the_evidence_files_they_leave_out)
{
    const char *db0 = dmtest_demo_db();
    char db[1024], ev[1024], r[1024];
    snprintf(db, sizeof db, "%s", db0);
    snprintf(ev, sizeof ev, "%s", dmtest_path("extra.geojson"));
    snprintf(r, sizeof r, "%s", dmtest_path("r.tif"));
    dmtest_write_file(ev, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                          "{\"kind\":\"accident\",\"date\":\"2024-01-01\"},\"geometry\":{\"type\":\"Point\","
                          "\"coordinates\":[47.0,39.93]}}]}");
    ASSERT_DEMINE(0, NULL, "risk map %s --evidence %s --cell 50 --out %s", db, ev, r);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 47.0,39.93", db), 0);
    ASSERT_CONTAINS(out, "the last map also read 1 evidence file besides the database (");
    ASSERT_CONTAINS(out, "extra.geojson), which the explanation leaves out");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s", db), 0);
    ASSERT_CONTAINS(out, "extra.geojson), which this refresh leaves out");
    free(out);
    /* the refreshed map is of the database alone: nothing left out */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 47.0,39.93", db), 0);
    ASSERT(!strstr(out, "evidence file"));
    free(out);
}
