/* SPDX-License-Identifier: MIT
 *
 * test_risk.c -- the risk engine: maps that do not depend on the tiling
 * (halos make every term exact), evidence that raises and lowers the odds
 * as it should, models as JSON, the fit, the metrics, the command line and
 * the write-back to hazards, and refusals of bad input.
 */
#include "dmtest.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA "tests/data/colombia/"

static void load(dm_evidence_set *ev, const char *until)
{
    dm_evidence_opts o = {0};
    o.until = until;
    dm_evidence_set_init(ev);
    ASSERT_OK(dm_evidence_read_file(dmtest_ctx(), dmtest_repo_path(DATA "events.geojson"), -1, &o, ev));
}

static void grid_of(const dm_evidence_set *ev, double cell, dm_grid *g)
{
    double b[4];
    ASSERT(dm_evidence_bounds(ev, b));
    /* UTM 18N for eastern Antioquia */
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:4326", "EPSG:32618", &t));
    double xs[2] = {b[0], b[2]}, ys[2] = {b[1], b[3]};
    ASSERT_OK(dm_transform_xy(t, xs, ys, 2));
    dm_transform_free(t);
    double gb[4] = {xs[0] - 2000, ys[0] - 2000, xs[1] + 2000, ys[1] + 2000};
    ASSERT_OK(dm_grid_from_bounds(dmtest_ctx(), "EPSG:32618", gb, cell, g));
}

TEST(risk_map_does_not_depend_on_tiles)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set ev;
    load(&ev, "2012");
    dm_grid g;
    grid_of(&ev, 100, &g);
    dm_risk_model m;
    dm_risk_model_default(&m);
    size_t n = dm_grid_cells(&g);
    float *a = dm_raster_alloc(n), *b = dm_raster_alloc(n);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.p_out = a;
    p.tile = 4096;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    p.p_out = b;
    p.tile = 67; /* odd, and near the smallest tile allowed (64) */
    dm_ctx_set_threads(ctx, 3);
    dm_risk_stats st;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, &st));
    ASSERT(st.tiles > 20);
    double maxdiff = 0, maxp = 0;
    for (size_t k = 0; k < n; k++) {
        maxdiff = fmax(maxdiff, fabs((double)a[k] - b[k]) / fmax(1e-6, fabs(a[k])));
        maxp = fmax(maxp, a[k]);
        ASSERT(a[k] >= 0 && a[k] <= 1);
    }
    ASSERT(maxp > 0.01);
    ASSERT_MSG(maxdiff < 1e-3, "relative difference between tilings %g", maxdiff);
    dm_raster_free(a, n);
    dm_raster_free(b, n);
    dm_evidence_set_free(ctx, &ev);
}

static double p_at(const float *map, const dm_grid *g, double lon, double lat)
{
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:4326", g->crs, &t));
    ASSERT_OK(dm_transform_xy(t, &lon, &lat, 1));
    dm_transform_free(t);
    int i = (int)((lon - g->x0) / g->cell), j = (int)((g->y0 - lat) / g->cell);
    return map[(size_t)j * g->nx + i];
}

TEST(risk_evidence_raises_and_lowers_odds)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.weight = 1;
    e.code = -1;
    dm_geom *pt = NULL, *poly = NULL;
    e.kind = DM_EV_ACCIDENT;
    ASSERT_OK(dm_geom_point(ctx, -75.0, 6.0, &pt));
    ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
    dm_geom_free(pt);
    /* a cleared polygon around a second accident */
    ASSERT_OK(dm_geom_point(ctx, -74.95, 6.0, &pt));
    ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
    dm_geom_free(pt);
    e.kind = DM_EV_CLEARED;
    e.p_detect = 0.95;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((-74.96 5.99,-74.94 5.99,-74.94 6.01,-74.96 6.01,-74.96 5.99))", &poly));
    ASSERT_OK(dm_evidence_add(ctx, &ev, &e, poly));
    dm_geom_free(poly);
    /* a detection far away */
    e.kind = DM_EV_DETECTION;
    e.p_detect = 0.9;
    e.fa_ha = 0.5;
    e.sigma_m = 3;
    ASSERT_OK(dm_geom_point(ctx, -74.9, 6.03, &pt));
    ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
    dm_geom_free(pt);
    dm_grid g;
    double b[4] = {490000, 650000, 515000, 675000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 25, &g));
    size_t n = dm_grid_cells(&g);
    float *map = dm_raster_alloc(n), *items = dm_raster_alloc(n);
    dm_risk_model m;
    dm_risk_model_default(&m);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.p_out = map;
    p.items_out = items;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    double at_acc = p_at(map, &g, -75.0, 6.0), far = p_at(map, &g, -75.05, 6.05);
    double cleared = p_at(map, &g, -74.95, 6.0), det = p_at(map, &g, -74.9, 6.03);
    double near_det = p_at(map, &g, -74.9, 6.035);
    ASSERT_MSG(at_acc > 10 * far, "accident %g vs far %g", at_acc, far);
    ASSERT_MSG(cleared < at_acc / 5, "cleared %g vs uncleared accident %g", cleared, at_acc);
    ASSERT_MSG(det > 5 * near_det, "detection %g vs 550 m away %g", det, near_det);
    /* items per hectare and probability agree: p = 1 - exp(-items * cell_ha) */
    size_t k = 12345;
    ASSERT_NEAR(map[k], 1 - exp(-items[k] * 25 * 25 / 1e4), 1e-5);
    /* ablation: without accidents the accident cell falls */
    p.disabled_kinds = 1u << DM_EV_ACCIDENT;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    ASSERT(p_at(map, &g, -75.0, 6.0) < at_acc / 5);
    dm_raster_free(map, n);
    dm_raster_free(items, n);
    dm_evidence_set_free(ctx, &ev);
}

/* A class of map features the evidence holds none of (no front line, no
 * military position mapped) is unknown, not far from everything: the
 * accident's cell gets the p it gets with both mapped at it, and mapped
 * elsewhere they lower it. */
TEST(risk_unmapped_feature_classes_do_not_lower_the_map)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {490000, 650000, 505000, 665000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 50, &g));
    size_t n = dm_grid_cells(&g);
    double at[3];
    for (int c = 0; c < 3; c++) { /* no features, both at the accident, both 5 km away */
        dm_evidence_set ev;
        dm_evidence_set_init(&ev);
        dm_evidence e;
        memset(&e, 0, sizeof e);
        e.weight = 1;
        e.code = -1;
        e.kind = DM_EV_ACCIDENT;
        dm_geom *pt = NULL;
        ASSERT_OK(dm_geom_point(ctx, -75.0, 6.0, &pt));
        ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
        dm_geom_free(pt);
        const char *cls[2] = {"front_line", "military_position"};
        for (int k = 0; c && k < 2; k++) {
            e.kind = DM_EV_FEATURE;
            e.cls = cls[k];
            double x = c == 1 ? -75.0 : -74.955;
            ASSERT_OK(dm_geom_point(ctx, x, 6.0, &pt));
            ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
            dm_geom_free(pt);
        }
        float *map = dm_raster_alloc(n);
        dm_risk_model m;
        dm_risk_model_default(&m);
        dm_risk_params p = {0};
        p.grid = &g;
        p.ev = &ev;
        p.p_out = map;
        ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
        at[c] = p_at(map, &g, -75.0, 6.0);
        dm_raster_free(map, n);
        dm_evidence_set_free(ctx, &ev);
    }
    ASSERT_MSG(fabs(at[0] - at[1]) < 0.01 * at[1], "none mapped %g, mapped at it %g", at[0], at[1]);
    ASSERT_MSG(at[2] < at[1] / 10, "mapped 5 km away %g, at it %g", at[2], at[1]);
}

TEST(risk_model_json_round_trip_and_errors)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_risk_model m, back;
    dm_risk_model_default(&m);
    m.terms[0].half_life_y = 3;
    m.terms[1].codes[0] = 8;
    m.terms[1].n_codes = 1;
    ASSERT_OK(dm_risk_model_save(ctx, dmtest_path("m.json"), &m));
    ASSERT_OK(dm_risk_model_load(ctx, dmtest_path("m.json"), &back));
    ASSERT_EQ(back.n_terms, m.n_terms);
    for (size_t i = 0; i < m.n_terms; i++) {
        ASSERT_STREQ(back.terms[i].name, m.terms[i].name);
        ASSERT_EQ(back.terms[i].type, m.terms[i].type);
        ASSERT_EQ(back.terms[i].kinds, m.terms[i].kinds);
        ASSERT_NEAR(back.terms[i].weight, m.terms[i].weight, 1e-9);
        ASSERT_NEAR(back.terms[i].width_m, m.terms[i].width_m, 1e-9);
    }
    ASSERT_NEAR(back.terms[0].half_life_y, 3, 1e-12);
    ASSERT_EQ(back.terms[1].codes[0], 8);
    char *txt = dmtest_read_file(dmtest_path("m.json"));
    ASSERT_CONTAINS(txt, "\"meaning\"");
    free(txt);
    /* the repository's default model loads */
    ASSERT_OK(dm_risk_model_load(ctx, dmtest_repo_path("models/default.json"), &back));
    ASSERT(back.n_terms >= 5);
    dmtest_write_file(dmtest_path("bad.json"),
                      "{\"intercept\":-3,\"terms\":[{\"name\":\"x\",\"type\":\"kernel\","
                      "\"kinds\":[\"dragons\"],\"width_m\":100,\"weight\":1}]}");
    ASSERT_STATUS(DM_EPARSE, dm_risk_model_load(ctx, dmtest_path("bad.json"), &back));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "dragons");
    dmtest_write_file(dmtest_path("bad2.json"), "{\"intercept\":-3,\"terms\":[{\"type\":\"wave\",\"weight\":1}]}");
    ASSERT_STATUS(DM_EPARSE, dm_risk_model_load(ctx, dmtest_path("bad2.json"), &back));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "unknown type");
}

TEST(risk_metrics)
{
    double s[6] = {0.9, 0.8, 0.7, 0.3, 0.2, 0.1}, y[6] = {1, 1, 0, 1, 0, 0};
    ASSERT_NEAR(dm_auc(s, y, 6), 8.0 / 9.0, 1e-12);
    double flat[4] = {0.5, 0.5, 0.5, 0.5}, y2[4] = {1, 0, 1, 0};
    ASSERT_NEAR(dm_auc(flat, y2, 4), 0.5, 1e-12);
    /* 10 x 10 map, values = cell index; all truth in the 10 highest cells */
    dm_grid g = {0, 100, 10, 10, 10, "EPSG:32618"};
    float map[100];
    for (int k = 0; k < 100; k++)
        map[k] = (float)k;
    double xy[8] = {95, 5, 85, 5, 5, 95, 55, 45}; /* cells 99, 98, 0, 55 */
    dm_risk_eval e;
    ASSERT_OK(dm_risk_evaluate(dmtest_ctx(), &g, map, NULL, xy, 4, NULL, NULL, 0, &e));
    ASSERT_EQ(e.n_truth_inside, (size_t)4);
    ASSERT_NEAR(e.recall5, 0.5, 1e-9);
    ASSERT_NEAR(e.recall10, 0.5, 1e-9);
    ASSERT_NEAR(e.pai10, 5.0, 1e-9);
    ASSERT_NEAR(e.capture[45], 0.75, 1e-9); /* cell 55 is the 45th highest */
    ASSERT_NEAR(e.capture[100], 1.0, 1e-9);
    /* a flat map is random: recall = area share */
    for (int k = 0; k < 100; k++)
        map[k] = 1;
    ASSERT_OK(dm_risk_evaluate(dmtest_ctx(), &g, map, NULL, xy, 4, NULL, NULL, 0, &e));
    ASSERT_NEAR(e.recall10, 0.10, 1e-9);
    ASSERT_NEAR(e.capture_auc, 0.5, 1e-9);
    ASSERT(isnan(e.ece));
    /* reliability: labels drawn with the stated probability are calibrated,
     * the same probabilities divided by ten are not */
    enum { NL = 4000 };
    static double lp[NL], ly[NL];
    uint32_t r = 12345;
    for (int i = 0; i < NL; i++) {
        lp[i] = (i + 0.5) / NL;
        r = r * 1664525u + 1013904223u;
        ly[i] = (r >> 8) / 16777216.0 < lp[i];
    }
    ASSERT_OK(dm_risk_evaluate(dmtest_ctx(), &g, map, NULL, xy, 4, lp, ly, NL, &e));
    ASSERT_EQ(e.n_bins, (size_t)DM_RISK_CAL_BINS);
    size_t tot = 0;
    for (size_t b = 0; b < e.n_bins; b++) {
        tot += e.bin_n[b];
        ASSERT_NEAR(e.bin_obs[b], e.bin_p[b], 0.08);
    }
    ASSERT_EQ(tot, (size_t)NL);
    ASSERT_NEAR(e.bin_p[0], 0.05, 1e-9);
    ASSERT(e.ece < 0.03);
    for (int i = 0; i < NL; i++)
        lp[i] /= 10;
    ASSERT_OK(dm_risk_evaluate(dmtest_ctx(), &g, map, NULL, xy, 4, lp, ly, NL, &e));
    ASSERT(e.ece > 0.4);
    ASSERT(e.bin_obs[9] > 0.85 && e.bin_p[9] < 0.1);
}

TEST(risk_fit_recovers_signs)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_risk_model m;
    memset(&m, 0, sizeof m);
    m.n_terms = 2;
    m.ref_cell_m = 100;
    snprintf(m.terms[0].name, sizeof m.terms[0].name, "%s", "useful");
    snprintf(m.terms[1].name, sizeof m.terms[1].name, "%s", "noise");
    m.terms[0].sd = m.terms[1].sd = 1;
    size_t n = 4000;
    dm_risk_sample *s = calloc(n, sizeof *s);
    float *x = calloc(n * 2, sizeof *x);
    srand(3);
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = (float)(rand() / (double)RAND_MAX * 4 - 2);
        x[2 * i + 1] = (float)(rand() / (double)RAND_MAX * 4 - 2);
        double p = 1 / (1 + exp(-(-1 + 2 * x[2 * i])));
        s[i].x = x + 2 * i;
        s[i].y = rand() / (double)RAND_MAX < p;
        s[i].w = 1;
        s[i].bx = (double)(i % 63) * 1000;
        s[i].by = (double)(i / 63) * 1000;
    }
    dm_risk_fit_opts o = {0};
    o.block_m = 5000;
    ASSERT_OK(dm_risk_fit(ctx, &m, s, n, &o));
    double w0 = m.terms[0].weight / m.terms[0].sd;
    ASSERT_MSG(w0 > 1.5 && w0 < 2.5, "weight per unit %g", w0);
    ASSERT(fabs(m.terms[1].weight) < 0.2);
    ASSERT(o.cv_auc > 0.75);
    ASSERT_NEAR(o.base_auc, 0.5, 1e-9); /* a base of zero weights ranks nothing */
    for (size_t i = 0; i < n; i++)
        s[i].y = 0;
    ASSERT_STATUS(DM_EINVAL, dm_risk_fit(ctx, &m, s, n, &o));
    free(s);
    free(x);
}

/* Towards a base model: a term the samples cannot see (constant) keeps its
 * base weight and the intercept compensates; a few samples move the others
 * only part of the way; a small area still gets a cross-validation. */
TEST(risk_fit_shrinks_towards_the_base_model)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_risk_model base;
    memset(&base, 0, sizeof base);
    base.n_terms = 2;
    base.ref_cell_m = 100;
    base.intercept = -2;
    snprintf(base.terms[0].name, sizeof base.terms[0].name, "%s", "seen");
    snprintf(base.terms[1].name, sizeof base.terms[1].name, "%s", "unseen");
    base.terms[0].sd = base.terms[1].sd = 1;
    base.terms[0].weight = 0.5;
    base.terms[1].weight = 1.5;
    size_t n = 600;
    dm_risk_sample *s = calloc(n, sizeof *s);
    float *x = calloc(n * 2, sizeof *x);
    srand(5);
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = (float)(rand() / (double)RAND_MAX * 4 - 2);
        x[2 * i + 1] = 0.25f; /* e.g. no detections anywhere in the samples */
        double p = 1 / (1 + exp(-(-1 + 2 * x[2 * i])));
        s[i].x = x + 2 * i;
        s[i].y = rand() / (double)RAND_MAX < p;
        s[i].w = 1;
        s[i].bx = 300.0 * (double)(i % 20); /* 6 x 9 km: inside one 10 km block */
        s[i].by = 300.0 * (double)(i / 20);
    }
    dm_risk_model m = base, z = base;
    dm_risk_fit_opts o = {0};
    o.shrink_to_base = 1;
    ASSERT_OK(dm_risk_fit(ctx, &m, s, n, &o));
    ASSERT(o.block_used_m < 10000 && o.block_used_m >= 100);
    ASSERT(isfinite(o.cv_auc) && o.cv_auc > 0.75);
    /* the base ranks by x0 too (weight 0.5 > 0): as well as the fit, since
     * AUC only sees the order */
    ASSERT_NEAR(o.base_auc, o.cv_auc, 0.02);
    ASSERT_NEAR(m.terms[1].weight, 1.5, 1e-12);
    ASSERT_NEAR(m.terms[1].mean, 0, 1e-12);
    double w0 = m.terms[0].weight / m.terms[0].sd;
    ASSERT_MSG(w0 > 1.0 && w0 < 2.5, "weight per unit %g", w0);
    /* at x = 0 the samples were drawn with p = 1 / (1 + e); the model says
     * so, whatever the unseen term adds there */
    double eta = m.intercept + m.terms[0].weight * (0 - m.terms[0].mean) / m.terms[0].sd +
                 m.terms[1].weight * (0.25 - m.terms[1].mean) / m.terms[1].sd;
    ASSERT_NEAR(1 / (1 + exp(-eta)), 1 / (1 + exp(1.0)), 0.06);
    /* towards zero (the plain fit), the unseen term is dropped */
    o.shrink_to_base = 0;
    ASSERT_OK(dm_risk_fit(ctx, &z, s, n, &o));
    ASSERT_NEAR(z.terms[1].weight, 0, 0);
    free(s);
    free(x);
}

TEST(risk_cli_map_eval_and_bad_input)
{
    char *out = NULL;
    const char *ev = dmtest_repo_path(DATA "events.geojson");
    char evp[1024], aoi[1024], cells[1024], cov[1024];
    snprintf(evp, sizeof evp, "%s", ev);
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    snprintf(cells, sizeof cells, "%s", dmtest_repo_path(DATA "cells.geojson"));
    snprintf(cov, sizeof cov, "%s", dmtest_repo_path(DATA "roads_dist.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --until 2012 --cell 250 --out %s",
                            evp, aoi, dmtest_path("r.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --truth %s --from 2013 --to 2019 "
                                  "--codes 1,4,8 --labels %s --json",
                            dmtest_path("r.tif"), aoi, evp, cells),
              0);
    ASSERT_CONTAINS(out, "\"recall10\":");
    ASSERT_CONTAINS(out, "\"auc\":");
    ASSERT_CONTAINS(out, "\"reliability\":[{\"cells\":");
    /* band 2 (items per ha) gives the items the map expects in the area */
    const char *ex = strstr(out, "\"expected_items\":");
    ASSERT(ex && strtod(ex + 17, NULL) > 0);
    free(out);
    /* an area away from the map: an error naming it, not a score of 0 */
    dmtest_write_file(dmtest_path("far.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --truth %s", dmtest_path("r.tif"),
                            dmtest_path("far.geojson"), evp),
              2);
    ASSERT_CONTAINS(out, "far.geojson: the area holds none of the cells of");
    free(out);
    /* no truth event inside: no recall (null), rather than a recall of 0 */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --json", dmtest_path("r.tif"),
                            dmtest_path("far.geojson")),
              0);
    ASSERT_CONTAINS(out, "\"truth_inside\":0,\"recall5\":null,\"recall10\":null");
    ASSERT_CONTAINS(out, "\"capture\":null");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", dmtest_path("r.tif"),
                            dmtest_path("far.geojson")),
              0);
    ASSERT_CONTAINS(out, "none inside the area: no recall to report");
    ASSERT(!strstr(out, "recall@10%"));
    free(out);
    /* labels alone: no recall lines, the reliability table instead */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --labels %s", dmtest_path("r.tif"), aoi,
                            cells),
              0);
    ASSERT(!strstr(out, "recall@10%"));
    ASSERT_CONTAINS(out, "AUC-ROC labelled");
    ASSERT_CONTAINS(out, "labelled 1");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --truth %s --from 2013 --to 2019 "
                                  "--codes 1,4,8 --labels %s --json",
                            dmtest_path("r.tif"), aoi, evp, cells),
              0);
    /* the map beats random by far on later events */
    const char *r10 = strstr(out, "\"recall10\":");
    ASSERT(r10 && strtod(r10 + 11, NULL) > 0.3);
    free(out);
    /* fitting on labelled cells reads their `label` field without being told:
     * the 977 cells labelled 0 or 1 are the samples (not every cell that a
     * label polygon touches, as if they were unlabelled points) */
    ASSERT_EQ(dmtest_demine(&out, "risk fit --evidence %s --aoi %s --until 2008 --cell 1000 "
                                  "--labels %s --out %s --json",
                            evp, aoi, cells, dmtest_path("fit.json")),
              0);
    ASSERT_CONTAINS(out, "\"samples\":977,");
    /* the default model scored on the same held-out blocks, for comparison */
    const char *bauc = strstr(out, "\"base_auc\":");
    ASSERT(bauc && strtod(bauc + 11, NULL) > 0.6 && strtod(bauc + 11, NULL) < 1);
    ASSERT(!strstr(out, "positive cells"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --until 2008 --cell 1000 "
                                  "--model %s --out %s",
                            evp, aoi, dmtest_path("fit.json"), dmtest_path("f.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --labels %s --json", dmtest_path("f.tif"),
                            aoi, cells),
              0);
    /* fitted on these labels, the probabilities are calibrated to them */
    const char *ece = strstr(out, "\"ece\":"), *auc = strstr(out, "\"auc\":");
    ASSERT(ece && strtod(ece + 6, NULL) < 0.08);
    ASSERT(auc && strtod(auc + 6, NULL) > 0.75);
    free(out);
    /* bad input: clear errors, no crash */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --out %s", evp, evp,
                            dmtest_path("x.tif")),
              4);
    ASSERT_CONTAINS(out, "no polygon");
    free(out);
    /* a grid in degrees would be a silently wrong map */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --crs EPSG:4326 --cell 1000 "
                                  "--out %s",
                            evp, aoi, dmtest_path("x.tif")),
              4);
    ASSERT_CONTAINS(out, "CRS: 'EPSG:4326' is not a projected CRS");
    free(out);
    /* one cell of 1000 km would be a map of p 1 */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 1e6 --out %s", evp, aoi,
                            dmtest_path("x.tif")),
              2);
    ASSERT_CONTAINS(out, "cell size 1e+06 m: it must be above 0 and at most 100000 m");
    free(out);
    /* interrupted mid-map (a 2 m grid over the whole area takes minutes):
     * the half-written OUT.PID.part goes with it */
    ASSERT_EQ(dmtest_sh(&out, "timeout -s INT 2 '%s' risk map --evidence %s --aoi %s --cell 2 "
                              "--out %s",
                        getenv("DEMINE_BIN") ? getenv("DEMINE_BIN") : "demine", evp, aoi,
                        dmtest_path("cut.tif")),
              124);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ls '%s'.*.part '%s'.part 2>/dev/null | wc -l", dmtest_path("cut.tif"),
                        dmtest_path("cut.tif")),
              0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    ASSERT(access(dmtest_path("cut.tif"), F_OK) != 0);
    /* an output that cannot be written is refused before any work */
    ASSERT(dmtest_demine(&out, "risk map --evidence %s --out %s/no/such/dir/r.tif", evp,
                         dmtest_path("")) != 0);
    ASSERT_CONTAINS(out, "r.tif: cannot write the map there");
    free(out);
    dmtest_write_file(dmtest_path("u.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"kind\":\"item\"},\"geometry\":{\"type\":\"Point\","
                      "\"coordinates\":[-75,6]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --until 2010 --out %s",
                            dmtest_path("u.geojson"), dmtest_path("x.tif")),
              2);
    ASSERT_CONTAINS(out, "feature 1: no field 'date'");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "gdal_create -q -of GTiff -outsize 8 8 -bands 1 %s",
                        dmtest_path("plain.tif")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("cov.json"),
                      "{\"intercept\":-3,\"terms\":[{\"name\":\"roads\",\"type\":\"covariate\","
                      "\"weight\":-0.5}]}");
    ASSERT(dmtest_demine(&out, "risk map --evidence %s --aoi %s --model %s --covariate roads=%s "
                               "--cell 500 --out %s",
                         evp, aoi, dmtest_path("cov.json"), dmtest_path("plain.tif"),
                         dmtest_path("x.tif")) != 0);
    ASSERT_CONTAINS(out, "no georeference");
    free(out);
    ASSERT(dmtest_demine(&out, "risk map --evidence %s --aoi %s --model %s --cell 500 --out %s",
                         evp, aoi, dmtest_path("cov.json"), dmtest_path("x.tif")) != 0);
    ASSERT_CONTAINS(out, "--covariate roads=");
    free(out);
    /* a covariate with nodata around: documented handling, a warning */
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --model %s --covariate roads=%s "
                                  "--cell 500 --out %s",
                            evp, aoi, dmtest_path("cov.json"), cov, dmtest_path("c.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 0.05 --mem-mb 64 --out %s",
                            evp, aoi, dmtest_path("x.tif")),
              2);
    ASSERT_CONTAINS(out, "working memory");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --kinds dragons", dmtest_path("r.tif"), evp), 2);
    ASSERT_CONTAINS(out, "unknown evidence kind");
    free(out);
}

TEST(risk_map_writes_back_to_hazards)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("h.gpkg"), DM_STORE_CREATE, &s));
    const char *wkts[3] = {"POLYGON((46.90 39.90,46.91 39.90,46.91 39.91,46.90 39.91,46.90 39.90))",
                           "POLYGON((46.95 39.95,46.96 39.95,46.96 39.96,46.95 39.96,46.95 39.95))",
                           "POLYGON((46.90351 39.90501,46.90354 39.90501,46.90354 39.90504,"
                           "46.90351 39.90504,46.90351 39.90501))"};
    const char *refs[3] = {"NEAR", "FAR", "TINY"};
    for (int h = 0; h < 3; h++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
        ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
        ASSERT_OK(dm_row_set(r, "ref", refs[h]));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkts[h], &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, NULL));
        dm_row_free(r);
    }
    for (int k = 0; k < 5; k++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("accidents"));
        ASSERT_OK(dm_row_set(r, "date", "2019-05-01"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 46.903 + 0.001 * k, 39.905, &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, NULL));
        dm_row_free(r);
    }
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --json", dmtest_path("h.gpkg"),
                            dmtest_path("risk.tif")),
              0);
    ASSERT_CONTAINS(out, "\"hazards_updated\":3");
    free(out);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("h.gpkg"), 0, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    double pn = -1, pf = -1, en = -1, pt = -1, et = -1;
    while (dm_cursor_next(c) == 1) {
        const char *ref = dm_cursor_text(c, "ref");
        if (!strcmp(ref, "NEAR"))
            pn = dm_cursor_real(c, "p_contam", -1), en = dm_cursor_real(c, "expected_items", -1);
        else if (!strcmp(ref, "TINY"))
            pt = dm_cursor_real(c, "p_contam", -1), et = dm_cursor_real(c, "expected_items", -1);
        else
            pf = dm_cursor_real(c, "p_contam", -1);
    }
    /* a hazard smaller than a cell still gets its share: its area x the intensity there */
    ASSERT_MSG(pt > 0 && et > 0 && et < en, "tiny hazard p %g, items %g (near %g)", pt, et, en);
    dm_cursor_free(c);
    ASSERT(pn > 0 && pn <= 1 && pf >= 0);
    ASSERT_MSG(pn > pf, "hazard with accidents %g vs without %g", pn, pf);
    ASSERT_NEAR(pn, 1 - exp(-en), 1e-6);
    char *meta = NULL;
    ASSERT_OK(dm_store_meta_get(s, "risk_map", &meta));
    ASSERT(meta && strstr(meta, "risk.tif"));
    dm_free(ctx, meta);
    meta = NULL;
    /* nothing searched: the calibration is recorded as a factor of 1 */
    ASSERT_OK(dm_store_meta_get(s, "risk_calibration", &meta));
    ASSERT(meta && strstr(meta, "\"zones\":0") && strstr(meta, "\"factor\":1,") &&
           strstr(meta, "\"spots\":0,"));
    dm_free(ctx, meta);
    dm_store_close(s);
    /* and the user is told the densities are the model's own: a ranking */
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s", dmtest_path("h.gpkg"), dmtest_path("risk.tif")),
              0);
    ASSERT_CONTAINS(out, "note: not calibrated: no land cleared by a method that finds most items");
    ASSERT_CONTAINS(out, "read them as a ranking, not as odds");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --no-calibrate", dmtest_path("h.gpkg"),
                            dmtest_path("risk.tif")),
              0);
    ASSERT(!strstr(out, "not calibrated"));
    free(out);
}

TEST(risk_fit_from_the_database_and_map_with_it)
{
    const char *db = dmtest_demo_db();
    /* the demo's report awaiting review is no evidence until approved */
    ASSERT_EQ(dmtest_approve_drafts(db), 2);
    char dbp[1024];
    snprintf(dbp, sizeof dbp, "%s", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk fit %s --cell 50 --until 2023-06-30 --out %s --json", dbp,
                            dmtest_path("m.json")),
              0);
    ASSERT_CONTAINS(out, "\"cv_auc\"");
    free(out);
    dm_risk_model m;
    ASSERT_OK(dm_risk_model_load(dmtest_ctx(), dmtest_path("m.json"), &m));
    int nonzero = 0;
    for (size_t t = 0; t < m.n_terms; t++)
        nonzero += m.terms[t].weight != 0;
    ASSERT(nonzero >= 3);
    ASSERT_NEAR(m.ref_cell_m, 50, 1e-9);
    /* the fit starts from the default model and stays nearer to it than a
     * fit from scratch does (weights per unit of each term's value) */
    ASSERT_EQ(dmtest_demine(&out, "risk fit %s --cell 50 --until 2023-06-30 --no-prior --out %s",
                            dbp, dmtest_path("m0.json")),
              0);
    ASSERT_CONTAINS(out, "blocks of");
    /* and it warns that operational labels speak for the worked land only */
    ASSERT_CONTAINS(out, "the database's labels lie on the land teams worked (");
    free(out);
    dm_risk_model m0, def;
    ASSERT_OK(dm_risk_model_load(dmtest_ctx(), dmtest_path("m0.json"), &m0));
    dm_risk_model_default(&def);
    ASSERT_EQ(m0.n_terms, def.n_terms);
    double d_prior = 0, d_zero = 0;
    for (size_t t = 0; t < def.n_terms; t++) {
        d_prior += fabs(m.terms[t].weight / m.terms[t].sd - def.terms[t].weight);
        d_zero += fabs(m0.terms[t].weight / m0.terms[t].sd - def.terms[t].weight);
    }
    ASSERT_MSG(d_prior < 0.9 * d_zero, "distance to the default %g (prior) vs %g", d_prior, d_zero);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --model %s --cell 25 --out %s", dbp,
                            dmtest_path("m.json"), dmtest_path("r.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s:truth_items --json", dmtest_path("r.tif"),
                            dbp),
              0);
    const char *r = strstr(out, "\"recall10\":");
    ASSERT(r && strtod(r + 11, NULL) > 0.5); /* the demo's hidden items are where the map says */
    free(out);
}

/* --truth DB without a layer: a demo's database is scored against its
 * hidden truth (every layer read would fail on its districts), a database
 * without one is refused with the layers to name; risk map DB without --out
 * writes DB-risk.tif. */
TEST(risk_eval_truth_of_a_database_reads_its_hidden_truth)
{
    const char *db = dmtest_demo_db();
    char dbp[1024];
    snprintf(dbp, sizeof dbp, "%s", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50 --out %s", dbp, dmtest_path("t.tif")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s:truth_items --json", dmtest_path("t.tif"), dbp), 0);
    const char *a = strstr(out, "\"recall10\":");
    ASSERT(a);
    double named = strtod(a + 11, NULL);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --json", dmtest_path("t.tif"), dbp), 0);
    const char *b = strstr(out, "\"recall10\":");
    ASSERT(b);
    ASSERT_NEAR(strtod(b + 11, NULL), named, 1e-12);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", dmtest_path("t.tif"), dbp), 0);
    ASSERT_CONTAINS(out, "layer truth_items");
    free(out);
    /* risk map DB without --out writes beside it, named after it */
    ASSERT_EQ(dmtest_sh(&out, "cp '%s' '%s'", dbp, dmtest_path("own.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 50", dmtest_path("own.gpkg")), 0);
    ASSERT_CONTAINS(out, "own-risk.tif");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s --json", dmtest_path("own-risk.tif"), dbp), 0);
    const char *c = strstr(out, "\"recall10\":");
    ASSERT(c);
    ASSERT_NEAR(strtod(c + 11, NULL), named, 1e-12); /* the same map */
    free(out);
    const char *empty = dmtest_path("empty.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "init %s", empty), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --truth %s", dmtest_path("t.tif"), empty), 2);
    ASSERT_CONTAINS(out, ":items (finds)");
    free(out);
}

/* Searched land with n_items finds inside each of two cleared polygons (in
 * different ~1 km blocks), plus an accident nearby. */
static void searched_land(dm_evidence_set *ev, int n_items)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.weight = 1;
    e.code = -1;
    dm_geom *g = NULL;
    const double ox[2] = {-74.955, -74.935};
    for (int f = 0; f < 2; f++) {
        char wkt[256];
        snprintf(wkt, sizeof wkt, "POLYGON((%.4f 6.0,%.4f 6.0,%.4f 6.003,%.4f 6.003,%.4f 6.0))",
                 ox[f], ox[f] + 0.003, ox[f] + 0.003, ox[f], ox[f]);
        e.kind = DM_EV_CLEARED;
        e.p_detect = 0.98;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        ASSERT_OK(dm_evidence_add(ctx, ev, &e, g));
        dm_geom_free(g);
        e.kind = DM_EV_ITEM;
        e.p_detect = 0;
        for (int k = 0; k < n_items; k++) {
            ASSERT_OK(dm_geom_point(ctx, ox[f] + 0.0002 + 0.0026 * (k % 10) / 10.0,
                                    6.0002 + 0.0026 * (k / 10 % 10) / 10.0, &g));
            ASSERT_OK(dm_evidence_add(ctx, ev, &e, g));
            dm_geom_free(g);
        }
    }
    /* searched land far off the map, with finds: counts neither way */
    e.kind = DM_EV_CLEARED;
    e.p_detect = 0.98;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((-74.0 7.0,-73.99 7.0,-73.99 7.01,-74.0 7.01,-74.0 7.0))", &g));
    ASSERT_OK(dm_evidence_add(ctx, ev, &e, g));
    dm_geom_free(g);
    e.kind = DM_EV_ITEM;
    e.p_detect = 0;
    ASSERT_OK(dm_geom_point(ctx, -73.995, 7.005, &g));
    ASSERT_OK(dm_evidence_add(ctx, ev, &e, g));
    dm_geom_free(g);
    e.kind = DM_EV_ACCIDENT;
    ASSERT_OK(dm_geom_point(ctx, -74.945, 6.005, &g));
    ASSERT_OK(dm_evidence_add(ctx, ev, &e, g));
    dm_geom_free(g);
}

TEST(risk_calibration_scales_items_to_what_searches_found)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {493000, 660000, 508000, 670000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 20, &g));
    dm_risk_model m;
    dm_risk_model_default(&m);
    double factor[2];
    for (int r = 0; r < 2; r++) {
        dm_evidence_set ev;
        dm_evidence_set_init(&ev);
        searched_land(&ev, r ? 80 : 20);
        dm_risk_params p = {0};
        p.grid = &g;
        p.ev = &ev;
        dm_risk_calibration cal;
        ASSERT_OK(dm_risk_calibrate(ctx, &m, &p, &cal));
        ASSERT_EQ(cal.zones, 2);
        ASSERT_NEAR(cal.found, 2 * (r ? 80 : 20) / 0.98, 1e-6);
        ASSERT_NEAR(cal.area_ha, 2 * 0.003 * 0.003 * 110574 * 110574 * cos(6.0 * M_PI / 180) / 1e4,
                    0.5);
        ASSERT_MSG(cal.predicted > 0 && cal.predicted < cal.found, "predicted %g found %g",
                   cal.predicted, cal.found);
        ASSERT_NEAR(cal.factor, (cal.found + 10) / (cal.predicted + 10), 1e-9);
        factor[r] = cal.factor;
        /* the factor scales the intensity band exactly */
        size_t n = dm_grid_cells(&g);
        float *a = dm_raster_alloc(n), *c = dm_raster_alloc(n);
        p.items_out = a;
        ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
        p.items_out = c;
        p.items_factor = cal.factor;
        ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
        size_t k = n / 2 + (size_t)g.nx / 3;
        ASSERT_NEAR(c[k], a[k] * cal.factor, 1e-4 * c[k] + 1e-9);
        dm_raster_free(a, n);
        dm_raster_free(c, n);
        dm_evidence_set_free(ctx, &ev);
    }
    ASSERT_MSG(factor[1] > 2 * factor[0], "more finds, larger factor: %g vs %g", factor[1],
               factor[0]);
    /* nothing searched: no calibration */
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.kind = DM_EV_ACCIDENT;
    e.weight = 1;
    dm_geom *pt = NULL;
    ASSERT_OK(dm_geom_point(ctx, -74.945, 6.005, &pt));
    ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
    dm_geom_free(pt);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    dm_risk_calibration cal;
    ASSERT_OK(dm_risk_calibrate(ctx, &m, &p, &cal));
    ASSERT_EQ(cal.zones, 0);
    ASSERT_NEAR(cal.factor, 1.0, 0);
    dm_evidence_set_free(ctx, &ev);
}

/* The default model's kernels weigh an event by 0.5^(age / 4 years): the
 * same accident counts less when it is old, and an undated one counts fully. */
TEST(risk_default_kernels_forget_old_events)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.kind = DM_EV_ACCIDENT;
    e.weight = 1;
    e.code = -1;
    const char *dates[3] = {"2020-06-01", "2004-06-01", ""};
    const double lon[3] = {-75.0, -74.95, -74.90};
    for (int k = 0; k < 3; k++) {
        dm_geom *pt = NULL;
        snprintf(e.date, sizeof e.date, "%s", dates[k]);
        ASSERT_OK(dm_geom_point(ctx, lon[k], 6.0, &pt));
        ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
        dm_geom_free(pt);
    }
    dm_grid g;
    double b[4] = {490000, 650000, 520000, 680000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 50, &g));
    size_t n = dm_grid_cells(&g);
    float *map = dm_raster_alloc(n);
    dm_risk_model m;
    dm_risk_model_default(&m);
    for (size_t t = 0; t < m.n_terms; t++)
        if (m.terms[t].type == DM_TERM_KERNEL)
            ASSERT_NEAR(m.terms[t].half_life_y, 4.0, 0);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.p_out = map;
    p.ref_date = "2020-06-01";
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    double recent = p_at(map, &g, -75.0, 6.0), old = p_at(map, &g, -74.95, 6.0);
    double undated = p_at(map, &g, -74.90, 6.0);
    ASSERT_MSG(recent > 1.5 * old, "recent %g vs 16 years old %g", recent, old);
    ASSERT_NEAR(undated, recent, 1e-3 * recent);
    dm_raster_free(map, n);
    dm_evidence_set_free(ctx, &ev);
}

/* The default kernels count the events at one place once (per_place): ten
 * reports stacked at one point weigh as one event at another, while the
 * same model without per_place gives the stack ten times the weight; the
 * share is counted among the events the kernels read (not the features at
 * the same point), and the repository's model file is the built-in model,
 * field for field. */
TEST(risk_default_kernels_count_a_place_once)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.kind = DM_EV_ITEM;
    e.weight = 1;
    e.code = -1;
    snprintf(e.date, sizeof e.date, "2019-01-01");
    for (int k = 0; k < 11; k++) { /* ten at -75.0, one at -74.95, all 2019 */
        dm_geom *pt = NULL;
        ASSERT_OK(dm_geom_point(ctx, k < 10 ? -75.0 : -74.95, 6.0, &pt));
        ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
        dm_geom_free(pt);
    }
    e.kind = DM_EV_FEATURE; /* no kernel reads these: they share no place with the item */
    e.cls = "road";
    for (int k = 0; k < 5; k++) {
        dm_geom *pt = NULL;
        ASSERT_OK(dm_geom_point(ctx, -74.95, 6.0, &pt));
        ASSERT_OK(dm_evidence_add(ctx, &ev, &e, pt));
        dm_geom_free(pt);
    }
    dm_grid g;
    double b[4] = {490000, 650000, 520000, 680000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 50, &g));
    size_t n = dm_grid_cells(&g);
    float *map = dm_raster_alloc(n);
    dm_risk_model m;
    dm_risk_model_default(&m);
    for (size_t t = 0; t < m.n_terms; t++)
        ASSERT_EQ(m.terms[t].per_place, m.terms[t].type == DM_TERM_KERNEL);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.p_out = map;
    p.ref_date = "2020-06-01";
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    double stack = p_at(map, &g, -75.0, 6.0), one = p_at(map, &g, -74.95, 6.0);
    ASSERT_MSG(fabs(stack - one) < 0.02 * one, "per place: stack of 10 %g vs one %g", stack, one);
    for (size_t t = 0; t < m.n_terms; t++)
        m.terms[t].per_place = 0;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    double stack0 = p_at(map, &g, -75.0, 6.0), one0 = p_at(map, &g, -74.95, 6.0);
    ASSERT_MSG(stack0 > 1.5 * one0, "each counted: stack of 10 %g vs one %g", stack0, one0);
    ASSERT_MSG(one0 > one, "the stack's 4 km kernel reaches the single event: %g vs %g", one0, one);
    dm_raster_free(map, n);
    dm_evidence_set_free(ctx, &ev);

    /* the model file is the built-in model */
    dm_risk_model f;
    dm_risk_model_default(&m);
    ASSERT_OK(dm_risk_model_load(ctx, dmtest_repo_path("models/default.json"), &f));
    ASSERT_EQ(f.n_terms, m.n_terms);
    ASSERT_NEAR(f.intercept, m.intercept, 0);
    ASSERT_NEAR(f.ref_cell_m, m.ref_cell_m, 0);
    for (size_t t = 0; t < m.n_terms; t++) {
        const dm_risk_term *a = &f.terms[t], *c = &m.terms[t];
        ASSERT_MSG(!strcmp(a->name, c->name), "term %zu: %s vs %s", t, a->name, c->name);
        ASSERT_EQ(a->type, c->type);
        ASSERT_EQ(a->kinds, c->kinds);
        ASSERT_EQ(a->per_place, c->per_place);
        ASSERT_EQ(a->n_codes, c->n_codes);
        ASSERT_MSG(!strcmp(a->cls, c->cls), "term %s: class %s vs %s", c->name, a->cls, c->cls);
        ASSERT_NEAR(a->half_life_y, c->half_life_y, 0);
        ASSERT_NEAR(a->max_age_y, c->max_age_y, 0);
        ASSERT_NEAR(a->width_m, c->width_m, 0);
        ASSERT_NEAR(a->scale_m, c->scale_m, 0);
        ASSERT_NEAR(a->weight, c->weight, 0);
        ASSERT_NEAR(a->mean, c->mean, 0);
        ASSERT_NEAR(a->sd, c->sd, 0);
    }
}

/* --until YEAR keeps everything dated in that year (full dates too), and a
 * month means its last day. */
TEST(risk_until_a_year_means_its_end)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2012-06-15\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75.0,6.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2012-11-30\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75.01,6.0]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2013-01-02\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75.02,6.0]}}]}");
    const char *until[4] = {"2012", "2012-06", "2012-06-14", "2013"};
    const char *want[4] = {"\"evidence\":2,", "\"evidence\":1,", "\"evidence\":0,", "\"evidence\":3,"};
    for (int k = 0; k < 4; k++) {
        char *out = NULL;
        int rc = dmtest_demine(&out, "risk map --evidence %s --aoi %s --cell 100 --until %s --out %s --json",
                               dmtest_path("ev.geojson"), dmtest_repo_path("tests/data/colombia/aoi.geojson"),
                               until[k], dmtest_path("r.tif"));
        ASSERT_MSG(rc == 0, "--until %s: %s", until[k], out);
        ASSERT_MSG(strstr(out, want[k]) != NULL, "--until %s: want %s in %s", until[k], want[k], out);
        free(out);
    }
}

/* `risk refresh` redoes the last map of a database with its options. */
TEST(risk_refresh_redoes_the_last_map)
{
    char *out = NULL;
    dmtest_write_file(dmtest_path("acc.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"date\":\"2024-05-01\",\"killed\":1},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[46.9,39.9]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "init %s", dmtest_path("d.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import %s --layer accidents %s", dmtest_path("d.gpkg"),
                            dmtest_path("acc.geojson")),
              0);
    free(out);
    ASSERT(dmtest_demine(&out, "risk refresh %s", dmtest_path("d.gpkg")) != 0);
    ASSERT_CONTAINS(out, "nothing to refresh");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --out %s --cell 25 --json", dmtest_path("d.gpkg"),
                            dmtest_path("r.tif")),
              0);
    ASSERT_CONTAINS(out, "\"evidence\":1,");
    free(out);
    /* new evidence, then a refresh: same grid (cell 25), one more evidence item */
    dmtest_write_file(dmtest_path("acc2.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"date\":\"2024-06-01\",\"injured\":1},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[46.901,39.9]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import %s --layer accidents %s", dmtest_path("d.gpkg"),
                            dmtest_path("acc2.geojson")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s --json", dmtest_path("d.gpkg")), 0);
    ASSERT_CONTAINS(out, "\"evidence\":2,");
    free(out);
    char *info = NULL;
    ASSERT_EQ(dmtest_sh(&info, "gdalinfo %s | grep 'Pixel Size'", dmtest_path("r.tif")), 0);
    ASSERT_CONTAINS(info, "(25.000000000000000,-25.000000000000000)");
    free(info);
}

/* `risk explain` breaks a place's log-odds into the model's terms, and
 * agrees with the map there. */
TEST(risk_explain_breaks_down_a_place)
{
    dm_ctx *ctx = dmtest_ctx();
    char *out = NULL;
    dmtest_write_file(dmtest_path("acc.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"date\":\"2024-05-01\",\"killed\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"date\":\"2024-06-01\",\"injured\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.95,39.92]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "init %s", dmtest_path("d.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import %s --layer accidents %s", dmtest_path("d.gpkg"),
                            dmtest_path("acc.geojson")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "-q risk map %s --out %s --cell 20", dmtest_path("d.gpkg"),
                            dmtest_path("r.tif")),
              0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("d.gpkg"), DM_STORE_READONLY, &s));
    dm_risk_explanation *e = malloc(sizeof *e), *far = malloc(sizeof *far);
    ASSERT_OK(dm_risk_explain(ctx, s, 46.9, 39.9, e));
    ASSERT_OK(dm_risk_explain(ctx, s, 46.85, 39.95, far));
    ASSERT_STATUS(DM_EINVAL, dm_risk_explain(ctx, s, 200, 39.9, far));
    dm_store_close(s);
    ASSERT_NEAR(e->cell_m, 20, 0);
    ASSERT_EQ(e->n_evidence, 2);
    double sum = e->intercept;
    int kernel_up = 0;
    for (size_t k = 0; k < e->n_terms; k++) {
        sum += e->terms[k].contribution;
        if (!strcmp(e->terms[k].name, "kernel_accidents_1000m"))
            kernel_up = e->terms[k].contribution > 0;
    }
    ASSERT_NEAR(e->logit, sum, 1e-9);
    ASSERT(kernel_up);
    ASSERT_MSG(e->p_cell > 10 * far->p_cell, "at the accident %g, 5 km off %g", e->p_cell, far->p_cell);
    /* the same value as the map's cell there (grids differ by under a cell) */
    char *v = NULL;
    ASSERT_EQ(dmtest_sh(&v, "gdallocationinfo -valonly -wgs84 %s 46.9 39.9 | head -1", dmtest_path("r.tif")), 0);
    double mapped = strtod(v, NULL);
    free(v);
    ASSERT_MSG(fabs(mapped - e->p_cell) < 0.3 * mapped, "map %g, explain %g", mapped, e->p_cell);
    free(e);
    free(far);
    /* the command prints the terms, largest share first */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 46.9,39.9", dmtest_path("d.gpkg")), 0);
    ASSERT_CONTAINS(out, "kernel_accidents_1000m");
    ASSERT_CONTAINS(out, "log-odds");
    free(out);
    ASSERT(dmtest_demine(&out, "risk explain %s --at 46.9", dmtest_path("d.gpkg")) != 0);
    ASSERT_CONTAINS(out, "LON,LAT");
    free(out);
}

TEST(risk_map_writes_a_legend_for_qgis)
{
    char path[64];
    ASSERT_EQ(dm_qgis_style_path("out/risk.tif", path, sizeof path), 0);
    ASSERT_STREQ(path, "out/risk.qml");
    ASSERT_EQ(dm_qgis_style_path("maps.v2/risk", path, sizeof path), 0);
    ASSERT_STREQ(path, "maps.v2/risk.qml");
    ASSERT_EQ(dm_qgis_style_path("a-very-long-name-for-a-map.tif", path, 8), -1);

    char *out = NULL;
    char aoi[1024];
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --until 2012 --cell 250 --out %s --json",
                            dmtest_repo_path(DATA "events.geojson"), aoi, dmtest_path("leg.tif")),
              0);
    char style[1024];
    snprintf(style, sizeof style, "\"style\":\"%s\"", dmtest_path("leg.qml"));
    ASSERT_CONTAINS(out, style);
    ASSERT_CONTAINS(out, "\"top\":[{\"share\":0.01,\"p\":");
    free(out);
    /* six classes, from the lower half up to the riskiest 1 %, in rising order */
    char *qml = dmtest_read_file(dmtest_path("leg.qml"));
    ASSERT(qml);
    ASSERT_CONTAINS(qml, "type=\"singlebandpseudocolor\" band=\"1\"");
    ASSERT_CONTAINS(qml, "colorRampType=\"DISCRETE\"");
    double v[8];
    int n = 0;
    for (const char *q = qml; (q = strstr(q, "<item value=\"")) && n < 8; q++)
        v[n++] = strtod(q + 13, NULL);
    ASSERT_EQ(n, 6);
    ASSERT(isinf(v[5]));
    for (int k = 1; k < 5; k++)
        ASSERT_MSG(v[k] > v[k - 1], "class %d upper bound %g after %g", k, v[k], v[k - 1]);
    ASSERT_CONTAINS(qml, "highest 1 % of the area");
    free(qml);
    /* the classes hold the shares of the mapped cells they say they hold */
    dm_grid g;
    float *map = NULL;
    ASSERT_OK(dm_raster_read(dmtest_ctx(), dmtest_path("leg.tif"), 1, &g, &map));
    size_t n_in = 0, above[5] = {0};
    static const double share[5] = {0.5, 0.2, 0.1, 0.05, 0.01}; /* above v[0..4] */
    for (size_t k = 0; k < dm_grid_cells(&g); k++) {
        if (!(map[k] >= 0))
            continue; /* nodata outside the area */
        n_in++;
        for (int c = 0; c < 5; c++)
            above[c] += map[k] >= v[c];
    }
    ASSERT(n_in > 10000);
    for (int c = 0; c < 5; c++) {
        double s = (double)above[c] / (double)n_in;
        ASSERT_MSG(s >= share[c] && s < share[c] * 1.1 + 2.0 / (double)n_in,
                   "%.0f %% class: %.4f of the cells are above its threshold", 100 * share[c], s);
    }
    dm_raster_free(map, dm_grid_cells(&g));
}

/* width and height of a PNG from its header */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    ASSERT_MSG(f, "%s missing", path);
    unsigned char b[24] = {0};
    ASSERT_EQ(fread(b, 1, 24, f), 24);
    fclose(f);
    ASSERT(!memcmp(b, "\x89PNG\r\n\x1a\n", 8) && !memcmp(b + 12, "IHDR", 4));
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

TEST(risk_eval_draws_its_scores)
{
    char *out = NULL;
    char ev[1024], aoi[1024], cells[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    snprintf(cells, sizeof cells, "%s", dmtest_repo_path(DATA "cells.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --until 2012 --cell 1000 --out %s",
                            ev, aoi, dmtest_path("pl.tif")),
              0);
    free(out);
    /* events only: the capture curve alone */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --truth %s --from 2013 --codes 1,4,8 --plot %s",
                            dmtest_path("pl.tif"), aoi, ev, dmtest_path("cap.png")),
              0);
    ASSERT_CONTAINS(out, "chart ");
    free(out);
    unsigned w1, h1, w2, h2;
    png_size(dmtest_path("cap.png"), &w1, &h1);
    /* with labels: the reliability diagram beside it */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --aoi %s --truth %s --from 2013 --codes 1,4,8 "
                                  "--labels %s --plot %s --json",
                            dmtest_path("pl.tif"), aoi, ev, cells, dmtest_path("both.png")),
              0);
    ASSERT(out[0] == '{' && !strstr(out, "chart")); /* JSON stays JSON */
    free(out);
    png_size(dmtest_path("both.png"), &w2, &h2);
    ASSERT_EQ(h1, h2);
    ASSERT_MSG(w2 > w1 * 3 / 2, "one panel %u px wide, two %u", w1, w2);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s --plot %s", dmtest_path("pl.tif"), cells,
                            dmtest_path("rel.svg")),
              0);
    free(out);
    char *svg = dmtest_read_file(dmtest_path("rel.svg"));
    ASSERT(svg && strstr(svg, "<svg"));
    free(svg);
    /* an unknown format: a clear error naming the file, nothing written */
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s --plot %s", dmtest_path("pl.tif"), cells,
                            dmtest_path("c.jpg")),
              2);
    ASSERT_CONTAINS(out, "c.jpg: the chart is written as .png, .pdf or .svg");
    free(out);
    ASSERT(access(dmtest_path("c.jpg"), F_OK) != 0);
}

TEST(risk_map_warns_of_a_covariate_no_term_uses)
{
    char *out = NULL;
    char ev[1024];
    snprintf(ev, sizeof ev, "%s", dmtest_repo_path(DATA "events.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --covariate roads=%s --cell 1000 --out %s",
                            ev, dmtest_repo_path(DATA "roads_dist.tif"), dmtest_path("cw.tif")),
              0);
    ASSERT_CONTAINS(out, "covariate 'roads'");
    ASSERT_CONTAINS(out, "no term of the model uses it");
    free(out);
    /* a model that uses it: no warning */
    dmtest_write_file(dmtest_path("cw.json"),
                      "{\"name\":\"c\",\"intercept\":-5,\"ref_cell_m\":1000,\"terms\":[{\"name\":"
                      "\"roads\",\"type\":\"covariate\",\"covariate\":\"roads\",\"weight\":-0.5}]}");
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --model %s --covariate roads=%s --cell 1000 --out %s",
                            ev, dmtest_path("cw.json"), dmtest_repo_path(DATA "roads_dist.tif"),
                            dmtest_path("cw.tif")),
              0);
    ASSERT(!strstr(out, "no term of the model uses it"));
    free(out);
}

TEST(risk_spots_draw_the_same_number_in_each_class)
{
    /* a map of 100 x 100 cells whose p rises with the cell index */
    dm_grid g;
    double b[4] = {500000, 4000000, 501000, 4001000};
    ASSERT_OK(dm_grid_from_bounds(dmtest_ctx(), "EPSG:32638", b, 10, &g));
    size_t n = dm_grid_cells(&g);
    ASSERT_EQ(n, 10000);
    float *p = dm_raster_alloc(n);
    for (size_t k = 0; k < n; k++)
        p[k] = (float)(k + 1) / (float)n;
    p[0] = -9999; /* nodata: never drawn */
    dm_risk_spot *sp = NULL, *sp2 = NULL;
    size_t ns = 0, ns2 = 0;
    ASSERT_OK(dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 60, 7, &sp, &ns));
    ASSERT_EQ(ns, 60);
    int per[DM_RISK_SPOT_CLASSES] = {0};
    double cells = 0;
    for (size_t i = 0; i < ns; i++) {
        per[sp[i].cls]++;
        cells += sp[i].cells;
        ASSERT(sp[i].p > 0);
        /* the class matches the cell's rank among the 9,999 mapped cells */
        double rank_from_top = (1.0 - sp[i].p) * 10000 / 9999;
        static const double upper[DM_RISK_SPOT_CLASSES] = {0.01, 0.05, 0.10, 0.20, 0.50, 1.0};
        ASSERT_MSG(rank_from_top <= upper[sp[i].cls] + 1e-3 &&
                       (sp[i].cls == 0 || rank_from_top >= upper[sp[i].cls - 1] - 1e-3),
                   "spot p %g in class %d", sp[i].p, sp[i].cls);
        ASSERT(isnan(sp[i].items_ha));
        ASSERT(sp[i].lon > 44 && sp[i].lon < 46 && sp[i].lat > 36 && sp[i].lat < 37);
    }
    for (int c = 0; c < DM_RISK_SPOT_CLASSES; c++)
        ASSERT_EQ(per[c], 10);
    ASSERT_NEAR(cells, 9999, 1e-6); /* the spots stand for the whole area */
    /* the same seed, the same spots; another seed, others */
    ASSERT_OK(dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 60, 7, &sp2, &ns2));
    ASSERT(ns2 == ns && !memcmp(sp, sp2, ns * sizeof *sp));
    dm_free(dmtest_ctx(), sp2);
    ASSERT_OK(dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 60, 8, &sp2, &ns2));
    ASSERT(memcmp(sp, sp2, ns * sizeof *sp) != 0);
    dm_free(dmtest_ctx(), sp2);
    dm_free(dmtest_ctx(), sp);
    /* too few or too many */
    ASSERT_STATUS(DM_EINVAL, dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 5, 1, &sp, &ns));
    ASSERT_STATUS(DM_EINVAL, dm_risk_spots(dmtest_ctx(), &g, p, NULL, NULL, 10000, 1, &sp, &ns));
    dm_raster_free(p, n);

    /* the command: a file the evaluation reads once labelled */
    char *out = NULL;
    char aoi[1024];
    snprintf(aoi, sizeof aoi, "%s", dmtest_repo_path(DATA "aoi.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map --evidence %s --aoi %s --until 2012 --cell 500 --out %s",
                            dmtest_repo_path(DATA "events.geojson"), aoi, dmtest_path("sm.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 30 --aoi %s --out %s", dmtest_path("sm.tif"), aoi,
                            dmtest_path("spots.geojson")),
              0);
    ASSERT_CONTAINS(out, "30 spots written");
    const char *top = strstr(out, "riskiest 1 % ");
    ASSERT(top && !strncmp(top + strspn(top + 13, " ") + 13, "5 spots", 7));
    free(out);
    char *txt = dmtest_read_file(dmtest_path("spots.geojson"));
    ASSERT(txt && strstr(txt, "\"label\":null") && strstr(txt, "\"cells\":"));
    /* the teams' results: every riskiest-1-% spot holds an item, nothing
     * else (one feature a line) */
    for (char *line = txt; line && *line;) {
        char *end = strchr(line, '\n'), *q = strstr(line, "\"label\":null");
        const char *cls = strstr(line, "\"class_no\":");
        if (q && (!end || q < end))
            memcpy(q, cls && cls[11] == '0' ? "\"label\":1   " : "\"label\":0   ", 12);
        line = end ? end + 1 : NULL;
    }
    dmtest_write_file(dmtest_path("labelled.geojson"), txt);
    free(txt);
    ASSERT_EQ(dmtest_demine(&out, "risk eval %s --labels %s --json", dmtest_path("sm.tif"),
                            dmtest_path("labelled.geojson")),
              0);
    ASSERT_CONTAINS(out, "\"labelled_pos\":5,\"labelled_neg\":25");
    ASSERT_CONTAINS(out, "\"auc\":1.0000");
    free(out);
    /* what the spots say per class: all of the riskiest 1 % holds items,
     * nothing else does, so the area's cells with items are that class's */
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --check %s --aoi %s --json", dmtest_path("sm.tif"),
                            dmtest_path("labelled.geojson"), aoi),
              0);
    ASSERT_CONTAINS(out, "\"spots\":30,");
    ASSERT_CONTAINS(out, "\"spots\":5,\"positive\":5,\"share\":1.0000");
    ASSERT_CONTAINS(out, "\"spots\":5,\"positive\":0,\"share\":0.0000");
    const char *c0 = strstr(out, "\"cells\":"), *est = strstr(out, "\"cells_with_items\":");
    ASSERT(c0 && est);
    ASSERT_NEAR(strtod(est + 19, NULL), strtod(c0 + 8, NULL), 0.01);
    const char *lo = strstr(out, "\"lo\":");
    ASSERT(lo && strtod(lo + 5, NULL) > 0.5 && strtod(lo + 5, NULL) < 1); /* 5 of 5 is no proof */
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --check %s", dmtest_path("sm.tif"),
                            dmtest_path("spots.geojson")),
              2); /* nothing labelled yet: spots not checked are no error, but no answer */
    ASSERT_CONTAINS(out, "no spot labelled 0 or 1");
    free(out);
    /* refusals: an existing file, another format */
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 30 --out %s", dmtest_path("sm.tif"),
                            dmtest_path("spots.geojson")),
              2);
    ASSERT_CONTAINS(out, "already exists");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk spots %s --n 30 --out %s", dmtest_path("sm.tif"),
                            dmtest_path("spots.kml")),
              2);
    ASSERT_CONTAINS(out, "written as .geojson or .csv");
    free(out);
}

TEST(risk_an_approved_clearance_leaves_its_ground_cleaner)
{
    /* accidents make a place risky; a finished, approved manual clearance
     * of it that found three mines must lower its risk, not raise it with
     * the finds */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("c.gpkg"), DM_STORE_CREATE, &s));
    for (int k = 0; k < 5; k++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("accidents"));
        ASSERT_OK(dm_row_set(r, "date", "2023-05-01"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 46.9030 + 0.0004 * k, 39.9050, &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, NULL));
        dm_row_free(r);
    }
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s", dmtest_path("c.gpkg"),
                            dmtest_path("c.tif")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 46.9038,39.9050 --json",
                            dmtest_path("c.gpkg")),
              0);
    double before = strtod(strstr(out, "\"p_cell\":") + 9, NULL);
    free(out);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("c.gpkg"), 0, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "activity_type", "clearance"));
    ASSERT_OK(dm_row_set(r, "method", "manual"));
    ASSERT_OK(dm_row_set(r, "end_date", "2024-06-01"));
    ASSERT_OK(dm_row_set(r, "status", "approved"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "MULTIPOLYGON(((46.9025 39.9045,46.9050 39.9045,46.9050 "
                                    "39.9055,46.9025 39.9055,46.9025 39.9045)))",
                               &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    for (int k = 0; k < 3; k++) {
        r = dm_row_new(ctx, dm_layer_find("items"));
        ASSERT_OK(dm_row_set(r, "category", "AT"));
        ASSERT_OK(dm_row_set(r, "found_date", "2024-05-20"));
        ASSERT_OK(dm_geom_point(ctx, 46.9032 + 0.0005 * k, 39.9049, &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, NULL));
        dm_row_free(r);
    }
    dm_store_close(s);
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s", dmtest_path("c.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 46.9038,39.9050 --json",
                            dmtest_path("c.gpkg")),
              0);
    double after = strtod(strstr(out, "\"p_cell\":") + 9, NULL);
    free(out);
    ASSERT_MSG(after < 0.2 * before, "p inside the cleared ground %g before, %g after", before,
               after);
}

/* `risk explain --at LAT,LON` (a GPS's order) lands off the map: refused
 * as route refuses it (exit 2), saying the two exchanged lie on it and how
 * to give them, rather than explaining an empty place far away */
TEST(risk_explain_says_when_lon_and_lat_look_exchanged)
{
    char *out = NULL;
    dmtest_write_file(dmtest_path("acc.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"date\":\"2024-05-01\",\"killed\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"date\":\"2024-06-01\",\"injured\":1},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.95,39.92]}}]}");
    ASSERT_DEMINE(0, NULL, "init %s", dmtest_path("d.gpkg"));
    ASSERT_DEMINE(0, NULL, "import %s --layer accidents %s", dmtest_path("d.gpkg"), dmtest_path("acc.geojson"));
    ASSERT_DEMINE(0, NULL, "-q risk map %s --out %s --cell 20", dmtest_path("d.gpkg"), dmtest_path("r.tif"));
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 39.91,46.92", dmtest_path("d.gpkg")), 2);
    ASSERT_CONTAINS(out, "demine risk explain: --at 39.91,46.92 lies outside the last risk map");
    ASSERT_CONTAINS(out, "and 46.92,39.91 on it: points are longitude first, LON,LAT (the order was "
                         "exchanged): give --at 46.92,39.91");
    ASSERT(!strstr(out, "log-odds"));
    free(out);
    /* a place merely off the map gets no such guess */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 45.5,39.9", dmtest_path("d.gpkg")), 0);
    ASSERT_CONTAINS(out, "lies outside the last risk map");
    ASSERT(!strstr(out, "exchanged"));
    free(out);
    /* on the map: no warning */
    ASSERT_EQ(dmtest_demine(&out, "risk explain %s --at 46.92,39.91", dmtest_path("d.gpkg")), 0);
    ASSERT(!strstr(out, "lies outside"));
    free(out);
}

/* A new map says which hazards the new evidence moved most: a find inside
 * one raises its p_contam, listed by its ref with the values before and
 * after (the after being what the database now holds); a hazard far away,
 * unmoved, is not listed; the first map, with nothing before, lists none. */
TEST(risk_refresh_names_the_hazards_it_changed_most)
{
    char *out = NULL, db[4200];
    snprintf(db, sizeof db, "%s", dmtest_path("ch.gpkg"));
    dmtest_write_file(dmtest_path("hz.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"H-NEAR\",\"hazard_type\":\"SHA\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.900,39.900],[46.903,39.900],"
                      "[46.903,39.902],[46.900,39.902],[46.900,39.900]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"H-FAR\",\"hazard_type\":\"SHA\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.990,39.990],[46.993,39.990],"
                      "[46.993,39.992],[46.990,39.992],[46.990,39.990]]]}}]}");
    ASSERT_DEMINE(0, NULL, "init %s", db);
    ASSERT_DEMINE(0, "imported 2 rows", "import %s --layer hazards %s", db, dmtest_path("hz.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --out %s --cell 25", db, dmtest_path("ch.tif")), 0);
    ASSERT(!strstr(out, "changed most"));
    free(out);
    dmtest_write_file(dmtest_path("find.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"category\":\"AP\",\"found_date\":\"2025-05-01\"},\"geometry\":{\"type\":\"Point\","
                      "\"coordinates\":[46.9015,39.901]}}]}");
    ASSERT_DEMINE(0, "imported 1 row", "import %s --layer items %s", db, dmtest_path("find.geojson"));
    /* half-written maps of runs killed outright: the next removes those
     * whose program is gone, and keeps that of one still running */
    char *dead = NULL;
    ASSERT_EQ(dmtest_sh(&dead, "sh -c 'echo $$'"), 0);
    char stale[4200], live[4200];
    snprintf(stale, sizeof stale, "%s.%ld.part", dmtest_path("ch.tif"), strtol(dead, NULL, 10));
    snprintf(live, sizeof live, "%s.%ld.part", dmtest_path("ch.tif"), (long)getpid());
    free(dead);
    dmtest_write_file(stale, "half a map");
    dmtest_write_file(live, "a map being written");
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s", db), 0);
    ASSERT(access(stale, F_OK) != 0);
    ASSERT(access(live, F_OK) == 0);
    remove(live);
    ASSERT_CONTAINS(out, "the hazards it changed most (p_contam, the probability of holding anything; "
                         "expected items):\n  H-NEAR  p ");
    ASSERT(!strstr(out, "H-FAR"));
    free(out);
    /* the JSON of the next one: the same hazard, its p after as stored */
    dmtest_write_file(dmtest_path("find2.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"category\":\"AP\",\"found_date\":\"2025-05-02\"},\"geometry\":{\"type\":\"Point\","
                      "\"coordinates\":[46.9025,39.9015]}}]}");
    ASSERT_DEMINE(0, "imported 1 row", "import %s --layer items %s", db, dmtest_path("find2.geojson"));
    ASSERT_EQ(dmtest_demine(&out, "risk refresh %s --json", db), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "not JSON: %s", out);
    json_t *ch = json_object_get(j, "changes");
    ASSERT_EQ(json_array_size(ch), 1);
    json_t *c0 = json_array_get(ch, 0);
    ASSERT_STREQ(json_string_value(json_object_get(c0, "ref")), "H-NEAR");
    double before = json_number_value(json_object_get(c0, "p_before"));
    double after = json_number_value(json_object_get(c0, "p_after"));
    ASSERT(after > before + 0.001);
    json_decref(j);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"SELECT p_contam FROM hazards WHERE ref = 'H-NEAR'\"", db), 0);
    ASSERT_NEAR(strtod(out, NULL), after, 1e-5 * after);
    free(out);
}

/* Cleared land with no method recorded cannot calibrate the map (how many
 * items the search missed is unknown): it is counted and named, not lost
 * in silence, and a method set on it calibrates the map. */
TEST(risk_map_names_cleared_land_without_a_method)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    char db[1024], tif[1024];
    snprintf(db, sizeof db, "%s", dmtest_path("nm.gpkg"));
    snprintf(tif, sizeof tif, "%s", dmtest_path("nm.tif"));
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(r, "ref", "H1"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46.90 39.90,46.92 39.90,46.92 39.92,46.90 39.92,46.90 39.90))", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    /* land cleared (no method) and land cancelled (no method: nothing searched) */
    const char *outcome[2] = {"cleared", "cancelled"};
    const char *wkt[2] = {"POLYGON((46.900 39.900,46.905 39.900,46.905 39.905,46.900 39.905,46.900 39.900))",
                          "POLYGON((46.910 39.910,46.915 39.910,46.915 39.915,46.910 39.915,46.910 39.910))"};
    char cleared[64] = "";
    for (int k = 0; k < 2; k++) {
        r = dm_row_new(ctx, dm_layer_find("release_areas"));
        ASSERT_OK(dm_row_set(r, "outcome", outcome[k]));
        ASSERT_OK(dm_row_set(r, "date", "2022-05-01"));
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt[k], &g));
        dm_row_set_geom(r, g);
        char uuid[37];
        ASSERT_OK(dm_store_insert(s, r, uuid));
        if (k == 0)
            snprintf(cleared, sizeof cleared, "%s", uuid);
        dm_row_free(r);
    }
    r = dm_row_new(ctx, dm_layer_find("items"));
    ASSERT_OK(dm_row_set(r, "category", "AP"));
    ASSERT_OK(dm_geom_point(ctx, 46.902, 39.902, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s", db, tif), 0);
    ASSERT_CONTAINS(out, "note: 1 area of cleared or surveyed land has no method recorded and is "
                         "left out of the calibration");
    ASSERT_CONTAINS(out, "release_areas --where method=");
    ASSERT_CONTAINS(out, "note: not calibrated");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s --json", db, tif), 0);
    ASSERT_CONTAINS(out, "\"zones\":0,");
    ASSERT_CONTAINS(out, "\"no_method\":1}");
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    char *meta = NULL;
    ASSERT_OK(dm_store_meta_get(s, "risk_calibration", &meta));
    ASSERT(meta && strstr(meta, "\"no_method\":1}"));
    dm_free(ctx, meta);
    dm_store_close(s);
    /* the planner is told too */
    ASSERT_EQ(dmtest_demine(&out, "plan %s", db), 0);
    ASSERT_CONTAINS(out, "some cleared land has no method recorded");
    free(out);
    /* the method set: the map is calibrated on that land, and the note is gone */
    ASSERT_EQ(dmtest_demine(&out, "edit %s %s method=manual --reason test", db, cleared), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "risk map %s --cell 20 --out %s", db, tif), 0);
    ASSERT_CONTAINS(out, "calibrated on 1 searched areas");
    ASSERT(!strstr(out, "no method recorded"));
    ASSERT(!strstr(out, "not calibrated"));
    free(out);
}
