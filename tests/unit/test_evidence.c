/* SPDX-License-Identifier: MIT
 *
 * test_evidence.c -- evidence readers: the Colombian event files with date
 * and code filters, refusals of bad files (naming feature and field), areas
 * of interest, and evidence gathered from a database.
 */
#include "dmtest.h"
#include "demine/dm_route.h"

#include <math.h>
#include <string.h>

#define EVENTS "tests/data/colombia/events.geojson"

TEST(evidence_reads_colombian_events_with_filters)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set all, old, sel;
    dm_evidence_set_init(&all);
    dm_evidence_set_init(&old);
    dm_evidence_set_init(&sel);
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_repo_path(EVENTS), -1, NULL, &all));
    ASSERT_EQ(all.n, (size_t)711);
    dm_evidence_opts o = {0};
    o.until = "2012-01-01";
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_repo_path(EVENTS), -1, &o, &old));
    ASSERT(old.n > 300 && old.n < all.n);
    for (size_t i = 0; i < old.n; i++)
        ASSERT(strcmp(old.v[i].date, "2012-01-01") <= 0);
    int codes[2] = {1, 8};
    dm_evidence_opts c = {0};
    c.codes = codes;
    c.n_codes = 2;
    c.from = "2013";
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_repo_path(EVENTS), -1, &c, &sel));
    ASSERT(sel.n > 0);
    size_t acc = 0;
    for (size_t i = 0; i < sel.n; i++) {
        ASSERT(sel.v[i].code == 1 || sel.v[i].code == 8);
        ASSERT(strcmp(sel.v[i].date, "2013") >= 0);
        acc += sel.v[i].kind == DM_EV_ACCIDENT;
        double ib[4];
        dm_evidence_item_bounds(&sel.v[i], ib);
        ASSERT(ib[0] > -76 && ib[0] < -74 && ib[0] == ib[2] && ib[0] == sel.v[i].xy.xy[0]);
    }
    double b[4];
    ASSERT(dm_evidence_bounds(&all, b));
    ASSERT(b[0] < b[2] && b[1] < b[3]);
    dm_evidence_set_free(ctx, &all);
    dm_evidence_set_free(ctx, &old);
    dm_evidence_set_free(ctx, &sel);
}

TEST(evidence_refuses_bad_files)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    dmtest_write_file(dmtest_path("k.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2001\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"unicorn\",\"date\":\"2001\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}}]}");
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("k.geojson"), -1, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "feature 2");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "'kind'");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "unicorn");
    dm_evidence_set_free(ctx, &s);
    dmtest_write_file(dmtest_path("u.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}}]}");
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("u.geojson"), -1, NULL, &s));
    ASSERT_EQ(s.n, (size_t)1);
    dm_evidence_set_free(ctx, &s);
    dm_evidence_opts o = {0};
    o.until = "2010-01-01";
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("u.geojson"), -1, &o, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "feature 1: no field 'date'");
    dm_evidence_set_free(ctx, &s);
    dmtest_write_file(dmtest_path("d.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"31 Feb\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}}]}");
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("d.geojson"), -1, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "not a date");
    dm_evidence_set_free(ctx, &s);
    ASSERT_STATUS(DM_EIO, dm_evidence_read_file(ctx, dmtest_path("none.geojson"), -1, NULL, &s));
}

TEST(evidence_reads_csv_points_and_optional_labels)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    dmtest_write_file(dmtest_path("ev.csv"), "kind,date,code,lon,lat,label\n"
                                             "item,2010,4,-75.0,6.1,1\n"
                                             "accident,2011-03-02,1,-75.01,6.12,0\n");
    dm_evidence_opts o = {0};
    o.label_field = "label";
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("ev.csv"), -1, &o, &s));
    ASSERT_EQ(s.n, (size_t)2);
    ASSERT_EQ(s.n_labelled, (size_t)2);
    ASSERT_NEAR(s.v[1].xy.xy[0], -75.01, 1e-12);
    ASSERT_NEAR(s.v[1].xy.xy[1], 6.12, 1e-12);
    ASSERT_EQ(s.v[1].kind, DM_EV_ACCIDENT);
    ASSERT_NEAR(s.v[0].value, 1, 0);
    ASSERT_NEAR(s.v[1].value, 0, 0);
    dm_evidence_set_free(ctx, &s);
    /* a row whose label is empty is read, not labelled (NaN) */
    dmtest_write_file(dmtest_path("ev2.csv"), "kind,date,code,lon,lat,label\n"
                                              "item,2010,4,-75.0,6.1,1\n"
                                              "item,2011,4,-75.1,6.2,\n");
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("ev2.csv"), -1, &o, &s));
    ASSERT_EQ(s.n, (size_t)2);
    ASSERT_EQ(s.n_labelled, (size_t)1);
    ASSERT(isnan(s.v[1].value));
    dm_evidence_set_free(ctx, &s);
    /* a label field the file lacks: an error, unless it is optional */
    o.label_field = "truth";
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("ev.csv"), -1, &o, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "'truth' is missing");
    dm_evidence_set_free(ctx, &s);
    o.label_if_present = 1;
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("ev.csv"), -1, &o, &s));
    ASSERT_EQ(s.n, (size_t)2);
    ASSERT_EQ(s.n_labelled, (size_t)0);
    dm_evidence_set_free(ctx, &s);
    /* WKT column */
    dmtest_write_file(dmtest_path("w.csv"), "kind,date,WKT\nitem,2010,\"POINT (-74.5 6.3)\"\n");
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("w.csv"), -1, NULL, &s));
    ASSERT_EQ(s.n, (size_t)1);
    ASSERT_NEAR(s.v[0].xy.xy[0], -74.5, 1e-12);
    dm_evidence_set_free(ctx, &s);
    /* no coordinates: the error says what a CSV needs */
    dmtest_write_file(dmtest_path("n.csv"), "kind,date,easting\nitem,2010,5\n");
    ASSERT_STATUS(DM_EGEOM, dm_evidence_read_file(ctx, dmtest_path("n.csv"), -1, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "n.csv: feature 1 has no geometry");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "lon and lat columns");
    dm_evidence_set_free(ctx, &s);
}

TEST(evidence_aoi_must_be_polygons)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_geom *g = NULL;
    ASSERT_OK(dm_read_polygons(ctx, dmtest_repo_path("tests/data/colombia/aoi.geojson"), &g));
    double b[4];
    ASSERT(dm_geom_bounds(g, b));
    ASSERT_NEAR(b[0], -75.244, 0.01);
    dm_geom_free(g);
    ASSERT_STATUS(DM_EGEOM, dm_read_polygons(ctx, dmtest_repo_path(EVENTS), &g));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no polygon");
    dmtest_write_file(dmtest_path("e.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    ASSERT_STATUS(DM_EGEOM, dm_read_polygons(ctx, dmtest_path("e.geojson"), &g));
}

static void insert(dm_store *s, const char *layer, const char *wkt, const char *const *kv)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    for (; kv && kv[0]; kv += 2)
        ASSERT_OK(dm_row_set(r, kv[0], kv[1]));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

TEST(evidence_from_store_weights_and_dates)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("e.gpkg"), DM_STORE_CREATE, &s));
    const char *hz[] = {"hazard_type", "SHA", "reliability", "1", "reported_date", "2010", NULL};
    insert(s, "hazards", "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.91, 46.9 39.9))", hz);
    const char *it[] = {"category", "AP", "found_date", "2015-03-01", "quantity", "3", NULL};
    insert(s, "items", "POINT(46.905 39.905)", it);
    const char *ra[] = {"outcome", "cleared", "method", "manual", "date", "2011", NULL};
    insert(s, "release_areas", "POLYGON((46.92 39.9, 46.93 39.9, 46.93 39.91, 46.92 39.91, 46.92 39.9))", ra);
    const char *fe[] = {"class", "road", NULL};
    insert(s, "features", "LINESTRING(46.8 39.8, 47 40)", fe);
    dm_evidence_set ev;
    dm_evidence_set_init(&ev);
    ASSERT_OK(dm_evidence_read_store(ctx, s, NULL, &ev));
    ASSERT_EQ(ev.n, (size_t)4);
    int seen = 0;
    for (size_t i = 0; i < ev.n; i++) {
        const dm_evidence *e = &ev.v[i];
        if (e->kind == DM_EV_HAZARD) {
            ASSERT_NEAR(e->weight, 1.0, 1e-9); /* reliability 1 = best */
            ASSERT(strlen(e->uuid) == 36);
            seen |= 1;
        } else if (e->kind == DM_EV_ITEM) {
            ASSERT_NEAR(e->value, 3, 1e-9);
            seen |= 2;
        } else if (e->kind == DM_EV_CLEARED) {
            ASSERT(e->p_detect > 0.9);
            seen |= 4;
        } else if (e->kind == DM_EV_FEATURE) {
            ASSERT_STREQ(e->cls, "road");
            seen |= 8;
        }
    }
    ASSERT_EQ(seen, 15);
    dm_evidence_set_free(ctx, &ev);
    dm_evidence_opts o = {0};
    o.until = "2012-12-31";
    ASSERT_OK(dm_evidence_read_store(ctx, s, &o, &ev));
    ASSERT_EQ(ev.n, (size_t)3); /* the 2015 item is later */
    dm_evidence_set_free(ctx, &ev);
    dm_store_close(s);
}

static char ev_logged[2048];

static void ev_keep_log(void *user, dm_log_level level, const char *msg)
{
    (void)user;
    size_t n = strlen(ev_logged);
    if (level == DM_LOG_WARN)
        snprintf(ev_logged + n, sizeof ev_logged - n, "%s\n", msg);
}

/* A hazard or cleared land given as a point or a line is read (it still
 * says something of the cells it touches) but warned of, once per kind and
 * file, naming the first such feature; polygons are not warned of. */
TEST(evidence_warns_of_areas_given_without_a_polygon)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_ctx_set_log(ctx, ev_keep_log, NULL);
    const char *path = dmtest_path("areas.geojson");
    dmtest_write_file(
        path, "{\"type\":\"FeatureCollection\",\"features\":["
              "{\"type\":\"Feature\",\"properties\":{\"kind\":\"hazard\"},\"geometry\":"
              "{\"type\":\"Polygon\",\"coordinates\":[[[46.1,40.1],[46.2,40.1],[46.2,40.2],"
              "[46.1,40.1]]]}},"
              "{\"type\":\"Feature\",\"properties\":{\"kind\":\"hazard\"},\"geometry\":"
              "{\"type\":\"Point\",\"coordinates\":[46.15,40.15]}},"
              "{\"type\":\"Feature\",\"properties\":{\"kind\":\"hazard\"},\"geometry\":"
              "{\"type\":\"Point\",\"coordinates\":[46.16,40.15]}},"
              "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\"},\"geometry\":"
              "{\"type\":\"Point\",\"coordinates\":[46.17,40.15]}},"
              "{\"type\":\"Feature\",\"properties\":{\"kind\":\"cleared\",\"method\":\"manual\"},"
              "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[46.1,40.1],[46.2,40.2]]}}"
              "]}");
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    ev_logged[0] = '\0';
    ASSERT_OK(dm_evidence_read_file(ctx, path, -1, NULL, &s));
    ASSERT_EQ(s.n, 5);
    ASSERT_CONTAINS(ev_logged, "areas.geojson: 2 hazard feature(s) without a polygon (the first: "
                               "feature 2)");
    ASSERT_CONTAINS(ev_logged, "1 cleared feature(s) without a polygon (the first: feature 5)");
    ASSERT(!strstr(ev_logged, "item"));
    dm_evidence_set_free(ctx, &s);
    /* polygons only: no warning */
    dmtest_write_file(path, "{\"type\":\"FeatureCollection\",\"features\":["
                            "{\"type\":\"Feature\",\"properties\":{\"kind\":\"hazard\"},\"geometry\":"
                            "{\"type\":\"Polygon\",\"coordinates\":[[[46.1,40.1],[46.2,40.1],"
                            "[46.2,40.2],[46.1,40.1]]]}}]}");
    ev_logged[0] = '\0';
    ASSERT_OK(dm_evidence_read_file(ctx, path, -1, NULL, &s));
    ASSERT_STREQ(ev_logged, "");
    dm_evidence_set_free(ctx, &s);
    dm_ctx_set_log(ctx, NULL, NULL);
}

/* An event type code of 1.5 was cut to 1 (and counted by a term of codes
 * [1]); 1e20 overflowed the integer. Codes are whole numbers. */
TEST(evidence_refuses_codes_that_are_not_whole_numbers)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *bad[] = {"1.5", "1e20", "-4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"type\":\"FeatureCollection\",\"features\":["
                 "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":4},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,46]}},"
                 "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"code\":%s},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,46.01]}}]}",
                 bad[i]);
        dmtest_write_file(dmtest_path("c.geojson"), json);
        dm_evidence_set s;
        dm_evidence_set_init(&s);
        ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("c.geojson"), -1, NULL, &s));
        ASSERT_CONTAINS(dmtest_ctx_msg(), "c.geojson: feature 2: field 'code'");
        ASSERT_CONTAINS(dmtest_ctx_msg(), "must be a whole number");
        dm_evidence_set_free(ctx, &s);
    }
    /* a whole number in a real column reads */
    dmtest_write_file(dmtest_path("c.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":4.0},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,46]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":8.5e0},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,46]}}]}");
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("c.geojson"), -1, NULL, &s));
    dm_evidence_set_free(ctx, &s);
    dmtest_write_file(dmtest_path("c.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"code\":4.0},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[10,46]}}]}");
    dm_evidence_set_init(&s);
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("c.geojson"), -1, NULL, &s));
    ASSERT_EQ(s.n, 1);
    ASSERT_EQ(s.v[0].code, 4);
    dm_evidence_set_free(ctx, &s);
}

/* A set holds its items' texts and coordinates itself: a point takes no heap
 * block of its own, equal texts share one copy, the caller's strings are
 * copied (and cut to the limits), and items stay valid as the set grows. */
TEST(evidence_set_holds_texts_and_points_compactly)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.kind = DM_EV_DETECTION;
    e.code = -1;
    e.weight = 1;
    char ord[8];
    size_t blocks0 = dm_ctx_live_blocks(ctx);
    const size_t n = 20000;
    for (size_t i = 0; i < n; i++) {
        snprintf(ord, sizeof ord, "%s", i % 2 ? "AP" : "AT");
        e.ordnance = ord;
        e.cls = i == 7 ? "a_class_name_longer_than_twenty_three" : NULL;
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 20.0 + (double)i * 1e-5, 45.0, &g));
        ASSERT_OK(dm_evidence_add(ctx, &s, &e, g));
        dm_geom_free(g);
        memset(ord, 'x', sizeof ord - 1); /* the set kept its own copy */
    }
    ASSERT_EQ(s.n, n);
    /* no block per item: the array, the pool's few blocks and its table */
    size_t blocks = dm_ctx_live_blocks(ctx) - blocks0;
    ASSERT_MSG(blocks < 16, "%zu heap blocks for %zu points", blocks, n);
    ASSERT_STREQ(s.v[0].ordnance, "AT");
    ASSERT_STREQ(s.v[1].ordnance, "AP");
    ASSERT(s.v[1].ordnance == s.v[n - 1].ordnance); /* one copy of "AP" */
    ASSERT_STREQ(s.v[7].cls, "a_class_name_longer_tha"); /* cut to DM_EV_CLS_MAX bytes */
    ASSERT_EQ(strlen(s.v[7].cls), (size_t)DM_EV_CLS_MAX);
    ASSERT_STREQ(s.v[8].cls, "");
    ASSERT_STREQ(s.v[8].uuid, ""); /* no uuid for items not from a database */
    /* the first point is where it was, after the array moved many times */
    ASSERT_EQ(s.v[0].xy.n_xy, (size_t)1);
    ASSERT_EQ(s.v[0].xy.n_parts, (size_t)1);
    ASSERT_EQ(s.v[0].xy.kind[0], 0);
    ASSERT_EQ(s.v[0].xy.start[1], (size_t)1);
    ASSERT_NEAR(s.v[0].xy.xy[0], 20.0, 0);
    ASSERT_NEAR(s.v[n - 1].xy.xy[0], 20.0 + (double)(n - 1) * 1e-5, 0);

    /* a polygon with a hole keeps its parts */
    dm_geom *poly = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 2,1 1))", &poly));
    e.kind = DM_EV_HAZARD;
    ASSERT_OK(dm_evidence_add(ctx, &s, &e, poly));
    dm_geom_free(poly);
    const dm_coords *c = &s.v[n].xy;
    ASSERT_EQ(c->n_parts, (size_t)2);
    ASSERT_EQ(c->n_xy, (size_t)10);
    ASSERT_EQ(c->kind[0], 2);
    ASSERT_EQ(c->kind[1], 3);
    ASSERT_EQ(c->start[1], (size_t)5);
    ASSERT_EQ(c->start[2], (size_t)10);
    ASSERT_NEAR(c->xy[2 * 6], 2.0, 0);
    double pb[4];
    dm_evidence_item_bounds(&s.v[n], pb);
    ASSERT(pb[0] == 0 && pb[1] == 0 && pb[2] == 4 && pb[3] == 4);
    /* a coordinate that is no longitude adds nothing */
    dm_geom *bad = NULL;
    ASSERT_OK(dm_geom_point(ctx, 500000, 45, &bad));
    ASSERT_STATUS(DM_EGEOM, dm_evidence_add(ctx, &s, &e, bad));
    dm_geom_free(bad);
    ASSERT_EQ(s.n, n + 1);
    dm_evidence_set_free(ctx, &s);
    ASSERT_EQ(dm_ctx_live_blocks(ctx), blocks0);
    ASSERT(s.v == NULL && s.n == 0 && s.pool == NULL);
}

/* A map of a set with items left out (ev_skip) is the map of a set without
 * them, to the bit: the calibration's folds map subsets of millions of items
 * that way, without copying them. */
TEST(evidence_skipped_items_map_as_a_smaller_set)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set all, part;
    dm_evidence_set_init(&all);
    dm_evidence_set_init(&part);
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_repo_path(EVENTS), -1, NULL, &all));
    unsigned char *skip = calloc(all.n, 1);
    ASSERT(skip);
    for (size_t i = 0; i < all.n; i++) {
        skip[i] = i % 3 == 0 || all.v[i].kind == DM_EV_ACCIDENT;
        if (skip[i])
            continue;
        dm_evidence e = all.v[i];
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, e.xy.xy[0], e.xy.xy[1], &g));
        ASSERT_OK(dm_evidence_add(ctx, &part, &e, g));
        dm_geom_free(g);
    }
    ASSERT(part.n > 100 && part.n < all.n * 2 / 3);
    dm_grid g;
    double b[4];
    ASSERT(dm_evidence_bounds(&all, b));
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32618", &t));
    double xs[2] = {b[0], b[2]}, ys[2] = {b[1], b[3]};
    ASSERT_OK(dm_transform_xy(t, xs, ys, 2));
    dm_transform_free(t);
    double gb[4] = {xs[0], ys[0], xs[1], ys[1]};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", gb, 250, &g));
    size_t n = dm_grid_cells(&g);
    float *a = dm_raster_alloc(n), *c = dm_raster_alloc(n);
    dm_risk_model m;
    dm_risk_model_default(&m);
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &part;
    p.p_out = a;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    p.ev = &all;
    p.ev_skip = skip;
    p.p_out = c;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    ASSERT(memcmp(a, c, n * sizeof *a) == 0);
    /* and the items skipped did count without it */
    p.ev_skip = NULL;
    ASSERT_OK(dm_risk_map(ctx, &m, &p, NULL));
    ASSERT(memcmp(a, c, n * sizeof *a) != 0);
    dm_raster_free(a, n);
    dm_raster_free(c, n);
    free(skip);
    dm_evidence_set_free(ctx, &all);
    dm_evidence_set_free(ctx, &part);
}

/* FILE:LAYER reads one layer of a file of several (evidence, labels, areas),
 * as the error of a file of several layers says: it was "cannot open". */
TEST(evidence_reads_one_layer_named_file_colon_layer)
{
    dm_ctx *ctx = dmtest_ctx();
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2001\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"kind\":\"accident\",\"date\":\"2002\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75.1,6.1]}}]}");
    dmtest_write_file(dmtest_path("other.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-75.2,5.9],[-74.9,5.9],"
                      "[-74.9,6.2],[-75.2,6.2],[-75.2,5.9]]]}}]}");
    ASSERT_EQ(dmtest_sh(NULL, "cd '%s' && ogr2ogr -q -f GPKG two.gpkg ev.geojson -nln events && "
                              "ogr2ogr -q -update two.gpkg other.geojson -nln area",
                        dmtest_tmpdir()),
              0);
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    char p[4200];
    snprintf(p, sizeof p, "%s:events", dmtest_path("two.gpkg"));
    ASSERT_OK(dm_evidence_read_file(ctx, p, -1, NULL, &s));
    ASSERT_EQ(s.n, (size_t)2);
    ASSERT_EQ(s.v[1].kind, DM_EV_ACCIDENT);
    dm_evidence_set_free(ctx, &s);
    /* the whole file: the area layer has no kind */
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("two.gpkg"), -1, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "FILE:LAYER");
    dm_evidence_set_free(ctx, &s);
    snprintf(p, sizeof p, "%s:nosuch", dmtest_path("two.gpkg"));
    ASSERT_STATUS(DM_ENOTFOUND, dm_evidence_read_file(ctx, p, -1, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no layer 'nosuch'");
    dm_evidence_set_free(ctx, &s);
    dm_geom *aoi = NULL;
    snprintf(p, sizeof p, "%s:area", dmtest_path("two.gpkg"));
    ASSERT_OK(dm_read_polygons(ctx, p, &aoi));
    ASSERT(aoi != NULL);
    dm_geom_free(aoi);
}

/* GDAL read the GeoJSON dates "15/06/21" and "15-06-21" as 2015-06-21,
 * where a day-first writer means 15 June 2021: six years of age in silence.
 * The text is read as written: a year of two digits is refused, naming the
 * feature and the text; "2021-6-5" is still 5 June 2021. */
TEST(evidence_reads_geojson_dates_as_written)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *bad[] = {"15/06/21", "15-06-21", "2021-02-30"};
    char text[1024];
    for (int i = 0; i < 3; i++) {
        snprintf(text, sizeof text,
                 "{\"type\":\"FeatureCollection\",\"features\":["
                 "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"2020-01-01\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}},"
                 "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"%s\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}}]}",
                 bad[i]);
        dmtest_write_file(dmtest_path("d.geojson"), text);
        dm_evidence_set s;
        dm_evidence_set_init(&s);
        ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("d.geojson"), -1, NULL, &s));
        ASSERT_CONTAINS(dmtest_ctx_msg(), "feature 2: field 'date': not a date");
        ASSERT_CONTAINS(dmtest_ctx_msg(), bad[i]);
        dm_evidence_set_free(ctx, &s);
    }
    const char *good[] = {"2021-6-5", "2021/06/05", "05/06/2021", "2021-06-05T23:30:00Z"};
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof text,
                 "{\"type\":\"FeatureCollection\",\"features\":["
                 "{\"type\":\"Feature\",\"properties\":{\"kind\":\"item\",\"date\":\"%s\"},"
                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-75,6]}}]}",
                 good[i]);
        dmtest_write_file(dmtest_path("g.geojson"), text);
        dm_evidence_set s;
        dm_evidence_set_init(&s);
        ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("g.geojson"), -1, NULL, &s));
        ASSERT_EQ(s.n, (size_t)1);
        ASSERT_STREQ(s.v[0].date, "2021-06-05");
        dm_evidence_set_free(ctx, &s);
    }
}

/* A demine layer read as evidence (DB.gpkg:items) is dated by its own
 * field, an item by found_date: a date filter takes the finds of its
 * years (it was refused, 'date' being empty in every row). */
TEST(evidence_file_of_a_demine_layer_is_dated_by_its_own_field)
{
    dm_ctx *ctx = dmtest_ctx();
    dmtest_write_file(dmtest_path("finds.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"found_date\":\"2020-05-01\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47,40]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\",\"found_date\":\"2023-05-01\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.01,40]}}]}");
    dm_evidence_opts o = {0};
    o.from = "2022-01-01";
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    ASSERT_OK(dm_evidence_read_file(ctx, dmtest_path("finds.geojson"), DM_EV_ITEM, &o, &s));
    ASSERT_EQ(s.n, (size_t)1);
    ASSERT_STREQ(s.v[0].date, "2023-05-01");
    dm_evidence_set_free(ctx, &s);
    /* a file with no date field of any kind says so */
    dmtest_write_file(dmtest_path("nodate.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47,40]}}]}");
    dm_evidence_set_init(&s);
    ASSERT_STATUS(DM_EPARSE, dm_evidence_read_file(ctx, dmtest_path("nodate.geojson"), DM_EV_ITEM, &o, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no field 'date' (nor found_date or end_date)");
    dm_evidence_set_free(ctx, &s);
}

/* A file that is not there is said to be missing, not of an unknown
 * format: evidence, a route to check, sensor data. */
TEST(evidence_missing_file_is_said_missing)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_evidence_set s;
    dm_evidence_set_init(&s);
    ASSERT_STATUS(DM_EIO, dm_evidence_read_file(ctx, dmtest_path("nosuch.geojson"), DM_EV_ITEM, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "nosuch.geojson: No such file or directory");
    dm_evidence_set_free(ctx, &s);
    dmtest_write_file(dmtest_path("notvector.geojson"), "this is not json");
    dm_evidence_set_init(&s);
    ASSERT_STATUS(DM_EIO, dm_evidence_read_file(ctx, dmtest_path("notvector.geojson"), DM_EV_ITEM, NULL, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "notvector.geojson: cannot open as a vector file");
    dm_evidence_set_free(ctx, &s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "route check --line %s --risk %s", dmtest_path("noline.geojson"),
                            dmtest_path("no.tif")),
              3);
    ASSERT_CONTAINS(out, "noline.geojson: No such file or directory");
    free(out);
    /* a line in metres in a GeoJSON (always WGS 84): the point is named */
    dmtest_write_file(dmtest_path("utm.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
                      "[[500000,4400000],[500100,4400100]]}}]}");
    double *xy = NULL;
    size_t n = 0;
    ASSERT_STATUS(DM_EPROJ, dm_route_read_line(ctx, dmtest_path("utm.geojson"), &xy, &n));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "point 1 (500000, 4400000) is no longitude and latitude");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "a GeoJSON is always in WGS 84");
    ASSERT(!xy);
}
