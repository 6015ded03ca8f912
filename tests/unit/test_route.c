/* SPDX-License-Identifier: MIT
 *
 * test_route.c -- the route engine: the bucket-queue search against a plain
 * binary-heap Dijkstra on random grids, risk figures against hand-computed
 * values on small synthetic risk maps (GeoTIFFs written here with GDAL),
 * cleared roads, lines in other CRSs, bad input, and the command line.
 */
#include "dmtest.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <float.h>

/* ============================ reference search ============================ */

typedef struct ref_item {
    double d;
    size_t i;
} ref_item;

/* Dijkstra with a binary heap in double precision, same step model. */
static double ref_dijkstra(const float *f, size_t w, size_t h, double cell, size_t s, size_t t)
{
    size_t n = w * h, hn = 0, hcap = 16 * n + 16;
    double *dist = malloc(n * sizeof *dist);
    char *done = calloc(n, 1);
    ref_item *heap = malloc(hcap * sizeof *heap);
    for (size_t i = 0; i < n; i++)
        dist[i] = INFINITY;
    dist[s] = 0;
    heap[hn++] = (ref_item){0, s};
    static const int dc[8] = {1, -1, 0, 0, 1, -1, 1, -1}, dr[8] = {0, 0, 1, -1, 1, 1, -1, -1};
    while (hn) {
        ref_item top = heap[0], last = heap[--hn];
        size_t k = 0;
        for (;;) {
            size_t c = 2 * k + 1;
            if (c >= hn)
                break;
            if (c + 1 < hn && heap[c + 1].d < heap[c].d)
                c++;
            if (last.d <= heap[c].d)
                break;
            heap[k] = heap[c];
            k = c;
        }
        if (hn)
            heap[k] = last;
        if (done[top.i])
            continue;
        done[top.i] = 1;
        if (top.i == t)
            break;
        long r = (long)(top.i / w), c = (long)(top.i % w);
        for (int m = 0; m < 8; m++) {
            long rr = r + dr[m], cc = c + dc[m];
            if (rr < 0 || cc < 0 || rr >= (long)h || cc >= (long)w)
                continue;
            size_t j = (size_t)rr * w + (size_t)cc;
            if (!(f[j] <= FLT_MAX) || done[j])
                continue;
            double nd = top.d + ((double)f[top.i] + f[j]) / 2 * cell * (m < 4 ? 1 : M_SQRT2);
            if (nd < dist[j]) {
                dist[j] = nd;
                size_t q = hn++;
                ASSERT(hn < hcap);
                while (q > 0 && heap[(q - 1) / 2].d > nd) {
                    heap[q] = heap[(q - 1) / 2];
                    q = (q - 1) / 2;
                }
                heap[q] = (ref_item){nd, j};
            }
        }
    }
    double d = dist[t];
    free(dist);
    free(done);
    free(heap);
    return d;
}

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Run our search on f and check it against the reference: same cost to
 * rounding, a connected path from s to t over passable cells whose summed
 * step costs equal the reported cost. */
static void check_search(const float *f, size_t w, size_t h, double cell, size_t c0, size_t r0,
                         size_t c1, size_t r1)
{
    dm_ctx *ctx = dmtest_ctx();
    double ref = ref_dijkstra(f, w, h, cell, r0 * w + c0, r1 * w + c1);
    /* one front, then two fronts meeting in the middle (one thread each) */
    for (int threads = 1; threads <= 2; threads++) {
        dm_ctx_set_threads(ctx, threads);
        dm_route_grid *g = NULL;
        ASSERT_OK(dm_route_grid_new(ctx, w, h, cell, &g));
        for (size_t r = 0; r < h; r++)
            dm_route_grid_set_row(g, r, f + r * w);
        dm_route_path *p = NULL;
        ASSERT_OK(dm_route_grid_search(ctx, g, c0, r0, c1, r1, &p));
        ASSERT_NEAR(p->cost, ref, 1e-5 * ref + 1e-9);
        ASSERT_EQ(p->col[0], c0);
        ASSERT_EQ(p->row[0], r0);
        ASSERT_EQ(p->col[p->n - 1], c1);
        ASSERT_EQ(p->row[p->n - 1], r1);
        double sum = 0;
        for (size_t k = 1; k < p->n; k++) {
            long dc = (long)p->col[k] - (long)p->col[k - 1],
                 dr = (long)p->row[k] - (long)p->row[k - 1];
            ASSERT(labs(dc) <= 1 && labs(dr) <= 1 && (dc || dr));
            float fa = f[p->row[k - 1] * w + p->col[k - 1]], fb = f[p->row[k] * w + p->col[k]];
            ASSERT(fa <= FLT_MAX && fb <= FLT_MAX);
            sum += ((double)fa + fb) / 2 * cell * (dc && dr ? M_SQRT2 : 1);
        }
        ASSERT_NEAR(sum, p->cost, 1e-9 * sum);
        dm_route_path_free(ctx, p);
        dm_route_grid_free(g);
    }
}

TEST(route_search_matches_binary_heap_dijkstra)
{
    for (int seed = 1; seed <= 6; seed++) {
        rng_state = (uint64_t)seed * 7919u;
        size_t w = 40 + (size_t)(urand() * 60), h = 30 + (size_t)(urand() * 60);
        float *f = malloc(w * h * sizeof *f);
        for (size_t i = 0; i < w * h; i++)
            f[i] = urand() < 0.15 ? INFINITY : (float)(1 + 5 * urand());
        size_t c0 = 0, r0 = 0, c1 = w - 1, r1 = h - 1;
        f[0] = 1;
        f[w * h - 1] = 1;
        if (ref_dijkstra(f, w, h, 10, 0, w * h - 1) < INFINITY)
            check_search(f, w, h, 10, c0, r0, c1, r1);
        /* and between two inner points */
        c0 = w / 3;
        r0 = h / 2;
        c1 = w - 2;
        r1 = 1;
        f[r0 * w + c0] = 2;
        f[r1 * w + c1] = 2;
        if (ref_dijkstra(f, w, h, 2.5, r0 * w + c0, r1 * w + c1) < INFINITY)
            check_search(f, w, h, 2.5, c0, r0, c1, r1);
        free(f);
    }
}

TEST(route_search_wide_cost_range_uses_exact_order)
{
    /* costs from 1 to 1e6 per metre: too many buckets for Dial's queue, so
     * the current bucket is ordered by a heap; still exact */
    rng_state = 42;
    size_t w = 120, h = 90;
    float *f = malloc(w * h * sizeof *f);
    for (size_t i = 0; i < w * h; i++) {
        double u = urand();
        f[i] = u < 0.1 ? INFINITY : (float)pow(10, 6 * urand());
    }
    f[0] = 1;
    f[w * h - 1] = 1;
    check_search(f, w, h, 10, 0, 0, w - 1, h - 1);
    free(f);
}

TEST(route_search_bad_endpoints_and_no_path)
{
    dm_ctx *ctx = dmtest_ctx();
    size_t w = 20, h = 10;
    dm_route_grid *g = NULL;
    ASSERT_OK(dm_route_grid_new(ctx, w, h, 1, &g));
    float row[20];
    for (size_t r = 0; r < h; r++) {
        for (size_t c = 0; c < w; c++)
            row[c] = c == 10 ? INFINITY : 1.0f; /* a wall across the grid */
        dm_route_grid_set_row(g, r, row);
    }
    dm_route_path *p = NULL;
    ASSERT_STATUS(DM_ENOTFOUND, dm_route_grid_search(ctx, g, 0, 0, 19, 9, &p));
    ASSERT(p == NULL);
    ASSERT_STATUS(DM_EINVAL, dm_route_grid_search(ctx, g, 10, 3, 0, 0, &p));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "impassable");
    ASSERT_STATUS(DM_EINVAL, dm_route_grid_search(ctx, g, 0, 0, 20, 0, &p));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "outside");
    /* same cell: a path of one cell, cost 0 */
    ASSERT_OK(dm_route_grid_search(ctx, g, 3, 3, 3, 3, &p));
    ASSERT_EQ(p->n, 1);
    ASSERT_NEAR(p->cost, 0, 0);
    dm_route_path_free(ctx, p);
    dm_route_grid_free(g);
}

/* ============================ synthetic risk maps ============================ */

#define X0 600000.0
#define Y0 4470000.0
#define CELL 10.0

typedef float (*risk_fn)(int c, int r);

static void write_map(const char *path, int w, int h, risk_fn fn, int nodata)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = GDALCreate(drv, path, w, h, 2, GDT_Float32, NULL);
    ASSERT(ds);
    double gt[6] = {X0, CELL, 0, Y0, 0, -CELL};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    float *p = malloc((size_t)w * h * sizeof *p), *d = malloc((size_t)w * h * sizeof *d);
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            p[r * w + c] = fn(c, r);
            d[r * w + c] = p[r * w + c] < 0 ? -9999.0f : -logf(1 - p[r * w + c]) * 100.0f;
        }
    GDALRasterBandH b1 = GDALGetRasterBand(ds, 1), b2 = GDALGetRasterBand(ds, 2);
    if (nodata) {
        GDALSetRasterNoDataValue(b1, -9999);
        GDALSetRasterNoDataValue(b2, -9999);
        for (int i = 0; i < w * h; i++)
            if (p[i] < 0)
                p[i] = -9999;
    }
    ASSERT(GDALRasterIO(b1, GF_Write, 0, 0, w, h, p, w, h, GDT_Float32, 0, 0) == CE_None);
    ASSERT(GDALRasterIO(b2, GF_Write, 0, 0, w, h, d, w, h, GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
    free(p);
    free(d);
}

/* WGS 84 of a point given in cells (column, row; fractions allowed). */
static void cell_ll(double c, double r, double *lon, double *lat)
{
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &t));
    *lon = X0 + c * CELL;
    *lat = Y0 - r * CELL;
    ASSERT_OK(dm_transform_xy(t, lon, lat, 1));
    dm_transform_free(t);
}

/* A 100 x 60 map, p = 0.001 everywhere, with a minefield band (p = 0.3) over
 * columns 45..54 except a gap (rows 50..53, p = 0.01). */
static float band_map(int c, int r)
{
    if (c >= 45 && c <= 54)
        return r >= 50 && r <= 53 ? 0.01f : 0.3f;
    return 0.001f;
}

static float uniform_map(int c, int r)
{
    (void)c;
    (void)r;
    return 0.02f;
}

/* nodata (< 0) over the left half of rows 20..39 */
static float hole_map(int c, int r)
{
    return (r >= 20 && r < 40 && c < 50) ? -1.0f : 0.001f;
}

TEST(route_find_goes_through_the_gap)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, band_map, 0);
    double lon0, lat0, lon1, lat1;
    cell_ll(10.5, 10.5, &lon0, &lat0);
    cell_ll(90.5, 10.5, &lon1, &lat1);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.avoid_above = 0.1;
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT(r->found);
    ASSERT_NEAR(r->max_p, 0.01, 1e-6); /* crossed the band through the gap */
    ASSERT_NEAR(r->impassable_m, 0, 0);
    ASSERT(r->length_m > 800 && r->length_m < 1400);
    ASSERT_NEAR(r->p_none, exp(-r->items), 1e-12);
    /* at least the 100 m of the gap at p = 0.01 */
    ASSERT(r->items >= -log(1 - 0.01) * 10 * 0.999);
    ASSERT(r->n_stretches >= 1);
    ASSERT_NEAR(r->stretches[0].max_p, 0.01, 1e-6);
    for (size_t i = 1; i < r->n_stretches; i++)
        ASSERT(r->stretches[i].items <= r->stretches[i - 1].items);
    ASSERT_NEAR(r->lonlat[0], lon0, 1e-9);
    ASSERT_NEAR(r->lonlat[2 * r->n_pts - 1], lat1, 1e-9);
    ASSERT_NEAR(r->chainage_m[r->n_pts - 1], r->length_m, 1e-6);
    /* the route's own figures, checked as a line, are the same */
    dm_route_result *c = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, r->lonlat, r->n_pts, NULL, &o, &c));
    ASSERT_NEAR(c->items, r->items, 1e-9 * r->items);
    ASSERT_NEAR(c->length_m, r->length_m, 1e-6);
    ASSERT(!c->found);
    /* without a threshold and a low risk weight, the straight way is cheaper */
    o.avoid_above = 1;
    o.risk_weight = 1;
    dm_route_result *s = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &s));
    ASSERT_NEAR(s->max_p, 0.3, 1e-6);
    ASSERT_NEAR(s->length_m, 800, 1e-6);
    dm_route_result_free(ctx, s);
    dm_route_result_free(ctx, c);
    dm_route_result_free(ctx, r);
}

TEST(route_check_straight_line_figures)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    /* 500 m east along the middle of row 30: lambda = -ln(1 - 0.02) per 10 m */
    double xy[4];
    cell_ll(20.5, 30.5, &xy[0], &xy[1]);
    cell_ll(70.5, 30.5, &xy[2], &xy[3]);
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, NULL, &r));
    ASSERT_NEAR(r->length_m, 500, 1e-3);
    double want = -log(1 - 0.02f) * 50;
    ASSERT_NEAR(r->items, want, 1e-4 * want);
    ASSERT_NEAR(r->p_none, exp(-want), 1e-4);
    ASSERT_STREQ(r->verdict, "high");
    ASSERT_EQ(r->n_stretches, 5);
    ASSERT_NEAR(r->stretches[0].to_m - r->stretches[0].from_m, 100, 1e-9);
    /* the same line in UTM gives the same figures */
    double utm[4] = {X0 + 20.5 * CELL, Y0 - 30.5 * CELL, X0 + 70.5 * CELL, Y0 - 30.5 * CELL};
    dm_route_result *u = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, utm, 2, "EPSG:32638", NULL, &u));
    ASSERT_NEAR(u->items, r->items, 1e-6 * want);
    /* a diagonal through cell corners: each cell crossed for its diagonal */
    double d[4];
    cell_ll(20, 20, &d[0], &d[1]);
    cell_ll(30, 30, &d[2], &d[3]);
    dm_route_result *dg = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, d, 2, NULL, NULL, &dg));
    ASSERT_NEAR(dg->length_m, 100 * M_SQRT2, 1e-3);
    ASSERT_NEAR(dg->items, -log(1 - 0.02f) * 10 * M_SQRT2, 1e-4);
    dm_route_result_free(ctx, dg);
    dm_route_result_free(ctx, u);
    dm_route_result_free(ctx, r);
}

TEST(route_cleared_roads_are_preferred_and_safe)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    double lon0, lat0, lon1, lat1;
    cell_ll(10.5, 30.5, &lon0, &lat0);
    cell_ll(90.5, 30.5, &lon1, &lat1);
    /* a cleared road a little north, from column 5 to 95 along row 25 */
    double rxy[4];
    cell_ll(5.5, 25.5, &rxy[0], &rxy[1]);
    cell_ll(95.5, 25.5, &rxy[2], &rxy[3]);
    size_t start[2] = {0, 2};
    dm_route_roads roads = {rxy, 2, start, 1};
    dm_route_result *plain = NULL, *road = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, NULL, &plain));
    ASSERT_OK(dm_route_find(ctx, map, &roads, lon0, lat0, lon1, lat1, NULL, &road));
    ASSERT_NEAR(plain->road_m, 0, 0);
    ASSERT(road->road_m > 600);
    ASSERT(road->items < plain->items / 3);
    ASSERT(road->cost < plain->cost);
    dm_route_result_free(ctx, plain);
    dm_route_result_free(ctx, road);
}

TEST(route_roads_and_risk_map_from_store)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("db.gpkg"), DM_STORE_CREATE, &s));
    char *path = NULL;
    ASSERT_STATUS(DM_ENOTFOUND, dm_route_risk_path(s, &path));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "risk_map");
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "/some/risk.tif"));
    ASSERT_OK(dm_route_risk_path(s, &path));
    ASSERT_STREQ(path, "/some/risk.tif");
    dm_free(ctx, path);
    const char *rows[][3] = {{"road", "1", "LINESTRING(46.2 40.3, 46.21 40.31, 46.22 40.3)"},
                             {"track", "1", "LINESTRING(46.3 40.3, 46.31 40.31)"},
                             {"road", "0", "LINESTRING(46.4 40.3, 46.41 40.31)"},
                             {"river", "1", "LINESTRING(46.5 40.3, 46.51 40.31)"}};
    for (size_t i = 0; i < 4; i++) {
        dm_row *row = dm_row_new(ctx, dm_layer_find("features"));
        ASSERT_OK(dm_row_set(row, "class", rows[i][0]));
        ASSERT_OK(dm_row_set(row, "cleared", rows[i][1]));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, rows[i][2], &g));
        dm_row_set_geom(row, g);
        ASSERT_OK(dm_store_insert(s, row, NULL));
        dm_row_free(row);
    }
    dm_route_roads *roads = NULL;
    ASSERT_OK(dm_route_roads_from_store(s, &roads));
    ASSERT_EQ(roads->n_lines, 2);
    ASSERT_EQ(roads->n_xy, 5);
    ASSERT_NEAR(roads->xy[0], 46.2, 1e-9);
    ASSERT_NEAR(roads->xy[6], 46.3, 1e-9);
    dm_route_roads_free(ctx, roads);
    dm_store_close(s);
}

TEST(route_bad_input_gives_clear_answers)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, band_map, 0);
    double lon0, lat0, lon1, lat1, lonx, latx, lonb, latb;
    cell_ll(10.5, 10.5, &lon0, &lat0);
    cell_ll(90.5, 10.5, &lon1, &lat1);
    cell_ll(150, 10, &lonx, &latx);
    cell_ll(50.5, 10.5, &lonb, &latb);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.avoid_above = 0.1;
    dm_route_result *r = NULL;
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, lon0, lat0, lonx, latx, &o, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "end point");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "outside the risk map");
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, lonb, latb, lon1, lat1, &o, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "start point");
    /* which rule holds it, with the cell's probability */
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "impassable cell: probability 0.3, above --avoid-above 0.1");
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, lon0, lat0, lon0, lat0, &o, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "same point");
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, 200, lat0, lon1, lat1, &o, &r));
    o.avoid_above = 0.005; /* closes the gap too */
    ASSERT_STATUS(DM_ENOTFOUND, dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no path");
    o.avoid_above = 2;
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "avoid-above");
    ASSERT_STATUS(DM_EIO, dm_route_find(ctx, dmtest_path("missing.tif"), NULL, lon0, lat0, lon1,
                                        lat1, NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "missing.tif");
    ASSERT(r == NULL);
    /* lines: too short, wholly outside, bad CRS */
    double one[2] = {lon0, lat0};
    ASSERT_STATUS(DM_EINVAL, dm_route_check(ctx, map, NULL, one, 1, NULL, NULL, &r));
    double far[4] = {10, 10, 10.1, 10.1};
    ASSERT_STATUS(DM_EINVAL, dm_route_check(ctx, map, NULL, far, 2, NULL, NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "wholly outside");
    double xy[4] = {lon0, lat0, lon1, lat1};
    ASSERT_STATUS(DM_EPROJ, dm_route_check(ctx, map, NULL, xy, 2, "EPSG:999999", NULL, &r));
    /* a map in geographic coordinates is refused */
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("GTiff"), dmtest_path("ll.tif"), 4, 4, 1, GDT_Float32, NULL);
    double gt[6] = {46, 0.001, 0, 40, 0, -0.001};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 4326);
    GDALClose(ds);
    ASSERT_STATUS(DM_EPROJ,
                  dm_route_check(ctx, dmtest_path("ll.tif"), NULL, xy, 2, NULL, NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "projected");
}

TEST(route_nodata_is_impassable_unless_given_a_probability)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, hole_map, 1);
    double lon0, lat0, lon1, lat1;
    cell_ll(20.5, 10.5, &lon0, &lat0);
    cell_ll(20.5, 50.5, &lon1, &lat1);
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, NULL, &r));
    ASSERT_NEAR(r->nodata_m, 0, 0);
    ASSERT(r->length_m > 600); /* around the hole */
    dm_route_result_free(ctx, r);
    double hx, hy;
    cell_ll(20.5, 30.5, &hx, &hy);
    ASSERT_STATUS(DM_EINVAL, dm_route_find(ctx, map, NULL, hx, hy, lon1, lat1, NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "impassable cell: the map has no data there; --nodata-p");
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.nodata_p = 0.001;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT_NEAR(r->length_m, 400, 1e-6);
    ASSERT_NEAR(r->nodata_m, 200, 1e-6);
    dm_route_result_free(ctx, r);
    /* a check straight through the hole says so */
    double xy[4] = {lon0, lat0, lon1, lat1};
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, NULL, &r));
    ASSERT_NEAR(r->nodata_m, 200, 1e-3);
    ASSERT_STREQ(r->verdict, "blocked");
    dm_route_result_free(ctx, r);
}

TEST(route_density_model_uses_band_2)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    double xy[4];
    cell_ll(20.5, 30.5, &xy[0], &xy[1]);
    cell_ll(70.5, 30.5, &xy[2], &xy[3]);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.model = DM_ROUTE_MODEL_DENSITY;
    o.swath_m = 2;
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &r));
    /* band 2 = -ln(1 - 0.02) * 100 items/ha: 500 m x 2 m = 0.1 ha */
    double want = -log(1 - 0.02f) * 100 * 0.1;
    ASSERT_NEAR(r->items, want, 1e-4 * want);
    dm_route_result_free(ctx, r);
}

/* A map made with items in clusters (DEMINE_CALIBRATION "cluster": 3 items
 * a cell holding any): band 1 gives the chance of meeting any, so P(none) is
 * unchanged while the expected items met are three times the rate; band 2
 * counts items, so the density model's P(none) uses a third of them. */
TEST(route_counts_items_in_clusters)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    double xy[4];
    cell_ll(20.5, 30.5, &xy[0], &xy[1]);
    cell_ll(70.5, 30.5, &xy[2], &xy[3]);
    dm_route_result *plain = NULL, *cl = NULL, *dens = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, NULL, &plain));
    ASSERT_NEAR(plain->cluster, 1, 0);
    GDALDatasetH ds = GDALOpen(map, GA_Update);
    ASSERT(ds);
    GDALSetMetadataItem(ds, "DEMINE_CALIBRATION", "{\"factor\":2,\"cluster\":3}", NULL);
    GDALClose(ds);
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, NULL, &cl));
    double rate = -log(1 - 0.02f) * 50;
    ASSERT_NEAR(cl->cluster, 3, 1e-12);
    ASSERT_NEAR(cl->items, 3 * rate, 1e-4 * rate);
    ASSERT_NEAR(cl->p_none, exp(-rate), 1e-6);
    ASSERT_NEAR(cl->p_none, plain->p_none, 1e-12);
    ASSERT_STREQ(cl->verdict, plain->verdict);
    ASSERT(cl->n_stretches > 0);
    ASSERT_NEAR(cl->stretches[0].items, 3 * plain->stretches[0].items, 1e-9);
    ASSERT_NEAR(cl->stretches[0].p_any, -expm1(-plain->stretches[0].items), 1e-9);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.model = DM_ROUTE_MODEL_DENSITY;
    o.swath_m = 2;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &dens));
    double items = -log(1 - 0.02f) * 100 * 0.1;
    ASSERT_NEAR(dens->items, items, 1e-4 * items);
    ASSERT_NEAR(dens->p_none, exp(-items / 3), 1e-6);
    dm_route_result_free(ctx, dens);
    dm_route_result_free(ctx, cl);
    dm_route_result_free(ctx, plain);
}

TEST(route_read_line_in_another_crs)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    const char *line = dmtest_path("lane.geojson");
    char text[1024];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
             "{\"name\":\"urn:ogc:def:crs:EPSG::32638\"}},\"features\":[{\"type\":\"Feature\","
             "\"properties\":{},\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
             "[[%.3f,%.3f],[%.3f,%.3f]]}}]}",
             X0 + 20.5 * CELL, Y0 - 30.5 * CELL, X0 + 70.5 * CELL, Y0 - 30.5 * CELL);
    dmtest_write_file(line, text);
    double *xy = NULL;
    size_t n = 0;
    ASSERT_OK(dm_route_read_line(ctx, line, &xy, &n));
    ASSERT_EQ(n, 2);
    ASSERT(xy[0] > 46 && xy[0] < 47 && xy[1] > 40 && xy[1] < 41); /* now WGS 84 */
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, n, NULL, NULL, &r));
    ASSERT_NEAR(r->length_m, 500, 1e-3);
    dm_route_result_free(ctx, r);
    dm_free(ctx, xy);
    /* no line in the file */
    dmtest_write_file(dmtest_path("pt.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                      "[46,40]}}]}");
    ASSERT_STATUS(DM_EPARSE, dm_route_read_line(ctx, dmtest_path("pt.geojson"), &xy, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no line");
    ASSERT_STATUS(DM_EIO, dm_route_read_line(ctx, dmtest_path("none.geojson"), &xy, &n));
}

/* Two lanes in one file: joined in file order, the gap between them would be
 * judged as a stretch walked. Lines that meet are joined; lines that do not
 * are refused, naming the feature and the gap. */
TEST(route_read_line_refuses_parts_that_do_not_meet)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *line = dmtest_path("lanes.geojson");
    char text[1024];
    const char *fmt = "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                      "{\"name\":\"urn:ogc:def:crs:EPSG::32638\"}},\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\","
                      "\"coordinates\":[[%.3f,%.3f],[%.3f,%.3f]]}},"
                      "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"LineString\","
                      "\"coordinates\":[[%.3f,%.3f],[%.3f,%.3f]]}}]}";
    /* the second lane begins where the first ends: one line of 3 points */
    snprintf(text, sizeof text, fmt, X0, Y0, X0 + 100, Y0, X0 + 100, Y0, X0 + 100, Y0 - 100);
    dmtest_write_file(line, text);
    double *xy = NULL;
    size_t n = 0;
    ASSERT_OK(dm_route_read_line(ctx, line, &xy, &n));
    ASSERT_EQ(n, 3);
    dm_free(ctx, xy);
    /* the second lane begins 1 km away: refused */
    snprintf(text, sizeof text, fmt, X0, Y0, X0 + 100, Y0, X0 + 1100, Y0, X0 + 1200, Y0);
    dmtest_write_file(line, text);
    xy = NULL;
    ASSERT_STATUS(DM_EINVAL, dm_route_read_line(ctx, line, &xy, &n));
    ASSERT(xy == NULL);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "lanes.geojson: feature 2");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "the line begins 99"); /* 1 km of UTM grid, on the ground */
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "m from where the line before it (feature 1) ends");
    /* the same in a request body (MultiLineString) */
    double a[2], b[2], c[2];
    cell_ll(20.5, 30.5, &a[0], &a[1]);
    cell_ll(45.5, 30.5, &b[0], &b[1]);
    cell_ll(70.5, 30.5, &c[0], &c[1]);
    snprintf(text, sizeof text,
             "{\"type\":\"MultiLineString\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f]],"
             "[[%.9f,%.9f],[%.9f,%.9f]]]}",
             a[0], a[1], a[0], a[1] + 1e-6, c[0], c[1], b[0], b[1]);
    dm_route_result *r = NULL;
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    ASSERT_STATUS(DM_EINVAL, dm_route_check_geojson(ctx, map, NULL, text, NULL, &r));
    ASSERT(r == NULL);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "part 2 begins");
}

TEST(route_geojson_public_hides_the_cells)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, band_map, 0);
    double lon0, lat0, lon1, lat1;
    cell_ll(10.5, 10.5, &lon0, &lat0);
    cell_ll(90.5, 10.5, &lon1, &lat1);
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, NULL, &r));
    char *full = NULL, *pub = NULL, *js = NULL;
    ASSERT_OK(dm_route_result_geojson(ctx, r, 0, &full));
    ASSERT_OK(dm_route_result_geojson(ctx, r, 1, &pub));
    ASSERT_OK(dm_route_result_json(ctx, r, 0, &js));
    ASSERT_CONTAINS(full, "\"FeatureCollection\"");
    ASSERT_CONTAINS(full, "\"stretch\"");
    ASSERT_CONTAINS(full, "\"expected_items\"");
    ASSERT_CONTAINS(pub, "\"verdict\"");
    ASSERT_CONTAINS(pub, "\"LineString\"");
    ASSERT(!strstr(pub, "expected_items") && !strstr(pub, "max_p") && !strstr(pub, "stretch"));
    ASSERT_CONTAINS(js, "\"cells_settled\"");
    dm_geom *g = NULL; /* the GeoJSON parses (its first geometry) */
    const char *geo = strstr(full, "\"geometry\":");
    ASSERT(geo);
    char *end = strstr(geo, "}}");
    ASSERT(end);
    char buf[65536];
    size_t len = (size_t)(end - (geo + 11)) + 1;
    ASSERT(len < sizeof buf);
    memcpy(buf, geo + 11, len);
    buf[len] = 0;
    ASSERT_OK(dm_geom_from_geojson(ctx, buf, &g));
    ASSERT_EQ(dm_geom_num_points(g), r->n_pts);
    dm_geom_free(g);
    dm_free(ctx, full);
    dm_free(ctx, pub);
    dm_free(ctx, js);
    dm_route_result_free(ctx, r);
}

TEST(route_cli)
{
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, band_map, 0);
    double lon0, lat0, lon1, lat1;
    cell_ll(10.5, 10.5, &lon0, &lat0);
    cell_ll(90.5, 10.5, &lon1, &lat1);
    char *out = NULL;
    int rc = dmtest_demine(&out,
                           "route --risk %s --from %.9f,%.9f --to %.9f,%.9f --avoid-above 0.1"
                           " --out %s --json",
                           map, lon0, lat0, lon1, lat1, dmtest_path("r.geojson"));
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "\"verdict\"");
    ASSERT_CONTAINS(out, "\"expected_items\"");
    const char *lp = strstr(out, "\"length_m\":");
    ASSERT(lp);
    double found_len = strtod(lp + 11, NULL);
    free(out);
    char *gj = dmtest_read_file(dmtest_path("r.geojson"));
    ASSERT_CONTAINS(gj, "\"LineString\"");
    ASSERT_CONTAINS(gj, "\"stretch\"");
    free(gj);
    /* check the route it wrote: the route itself, not its stretches too */
    rc = dmtest_demine(&out, "route check --risk %s --line %s --json", map, dmtest_path("r.geojson"));
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    lp = strstr(out, "\"length_m\":");
    ASSERT(lp);
    ASSERT_NEAR(strtod(lp + 11, NULL), found_len, 0.1); /* 7 decimals: ~1 cm a vertex */
    free(out);
    rc = dmtest_demine(&out, "route check --risk %s --line %s", map, dmtest_path("r.geojson"));
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "line:");
    ASSERT_CONTAINS(out, "most dangerous stretches");
    free(out);
    rc = dmtest_demine(&out, "route --risk %s --from %.9f,%.9f --to 10,10", map, lon0, lat0);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "outside the risk map");
    ASSERT(!strstr(out, "swapped")); /* 10,10 read the other way is off the map too */
    free(out);
    /* latitude first, as a map app copies a place: the point read the other
     * way round is on the map, and the message says so */
    rc = dmtest_demine(&out, "route --risk %s --from %.9f,%.9f --to %.9f,%.9f", map, lat0, lon0, lon0, lat0);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "outside the risk map");
    ASSERT_CONTAINS(out, "were the two swapped?");
    free(out);
    rc = dmtest_demine(&out, "route --risk %s --from 46.1 --to 46,40", map);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "LON,LAT");
    free(out);
    rc = dmtest_demine(&out, "route --from 1,1 --to 2,2");
    ASSERT_EQ(rc, 2);
    free(out);
    rc = dmtest_demine(&out, "route --help");
    ASSERT_EQ(rc, 0);
    ASSERT_CONTAINS(out, "--avoid-above");
    free(out);
}

TEST(route_cli_uses_the_database_map_and_roads)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    const char *db = dmtest_path("db.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    char *out = NULL;
    double lon0, lat0, lon1, lat1, r0x, r0y, r1x, r1y;
    cell_ll(10.5, 30.5, &lon0, &lat0);
    cell_ll(90.5, 30.5, &lon1, &lat1);
    cell_ll(5.5, 25.5, &r0x, &r0y);
    cell_ll(95.5, 25.5, &r1x, &r1y);
    /* no risk map recorded yet */
    int rc =
        dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f", db, lon0, lat0, lon1, lat1);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "risk_map");
    free(out);
    ASSERT_OK(dm_store_meta_set(s, "risk_map", map));
    dm_row *row = dm_row_new(ctx, dm_layer_find("features"));
    ASSERT_OK(dm_row_set(row, "class", "road"));
    ASSERT_OK(dm_row_set(row, "cleared", "1"));
    char wkt[256];
    snprintf(wkt, sizeof wkt, "LINESTRING(%.9f %.9f, %.9f %.9f)", r0x, r0y, r1x, r1y);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(row, g);
    ASSERT_OK(dm_store_insert(s, row, NULL));
    dm_row_free(row);
    dm_store_close(s);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --json", db, lon0, lat0,
                       lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT(!strstr(out, "\"road_m\":0,"));
    ASSERT_CONTAINS(out, "\"road_m\":");
    free(out);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --json --no-roads", db, lon0,
                       lat0, lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "\"road_m\":0,");
    free(out);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --public", db, lon0, lat0,
                       lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "verdict");
    ASSERT(!strstr(out, "expected items"));
    free(out);
    /* an open hazard around the destination: the public answer keeps out of
     * the public danger zone it makes (no route), as /api/public/route does;
     * the staff route still reaches it */
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    row = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(row, "ref", "H-1"));
    ASSERT_OK(dm_row_set(row, "hazard_type", "SHA"));
    double h0x, h0y, h1x, h1y;
    cell_ll(85.5, 35.5, &h0x, &h0y);
    cell_ll(95.5, 25.5, &h1x, &h1y);
    snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", h0x,
             h0y, h1x, h0y, h1x, h1y, h0x, h1y, h0x, h0y);
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(row, g);
    ASSERT_OK(dm_store_insert(s, row, NULL));
    dm_row_free(row);
    dm_store_close(s);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --public", db, lon0, lat0,
                       lon1, lat1);
    ASSERT_MSG(rc != 0, "public route into a danger zone: exit %d: %s", rc, out);
    free(out);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f", db, lon0, lat0, lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    free(out);
    /* the server's bounds: no threshold of one's own, points at most 10 km apart */
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --public --avoid-above 0.5",
                       db, lon0, lat0, lon1, lat1);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--avoid-above is for staff routes");
    free(out);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --public", db, lon0, lat0,
                       lon0 + 0.2, lat0);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "the public route is for walking, at most 10 km");
    free(out);
}

/* A hazard polygon for the test maps: cells (c0, r0) to (c1, r1). */
static void add_hazard(dm_store *s, const char *ref, const char *status, double c0, double r0, double c1,
                       double r1)
{
    dm_ctx *ctx = dmtest_ctx();
    double ax, ay, bx, by;
    cell_ll(c0, r0, &ax, &ay);
    cell_ll(c1, r1, &bx, &by);
    char wkt[512];
    snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", ax, ay, bx,
             ay, bx, by, ax, by, ax, ay);
    dm_row *row = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(row, "ref", ref));
    ASSERT_OK(dm_row_set(row, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(row, "status", status));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(row, g);
    ASSERT_OK(dm_store_insert(s, row, NULL));
    dm_row_free(row);
}

/* The least dangerous route on a map of low probability per cell went
 * straight through a recorded hazard without a word (a staff route on the
 * national demo crossed an open SHA for 458 m). The hazards in force a path
 * enters are named with the metres inside; --avoid-hazards keeps out. */
TEST(route_names_the_hazards_it_enters_and_can_keep_out)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    const char *db = dmtest_path("db.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", map));
    add_hazard(s, "H-OPEN", "open", 40, 20, 60, 40);     /* 200 m across the straight way */
    add_hazard(s, "H-CLOSED", "closed", 70, 25, 75, 35); /* released: not named */
    dm_store_close(s);
    double lon0, lat0, lon1, lat1;
    cell_ll(10.5, 30.5, &lon0, &lat0);
    cell_ll(90.5, 30.5, &lon1, &lat1);
    char *out = NULL;
    int rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f", db, lon0, lat0, lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "WARNING: enters 1 hazard in force");
    ASSERT_CONTAINS(out, "H-OPEN");
    ASSERT(!strstr(out, "H-CLOSED"));
    free(out);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --json", db, lon0, lat0, lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    const char *in = strstr(out, "\"in_hazards_m\":");
    ASSERT(in);
    double m = strtod(in + 15, NULL);
    ASSERT_MSG(m > 190 && m < 215, "%g m inside", m);
    ASSERT_CONTAINS(out, "\"ref\":\"H-OPEN\",\"status\":\"open\"");
    const char *from = strstr(out, "\"from_m\":");
    ASSERT(from);
    double f = strtod(from + 9, NULL);
    ASSERT_MSG(f > 285 && f < 305, "enters at %g m", f);
    free(out);
    /* the straight line, to check */
    char line[1024];
    snprintf(line, sizeof line, "%s", dmtest_path("line.geojson"));
    char text[512];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
             "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]}}]}",
             lon0, lat0, lon1, lat1);
    dmtest_write_file(line, text);
    /* its western half released (cleared): only the rest counts */
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    {
        double ax, ay, bx, by;
        cell_ll(35, 15, &ax, &ay);
        cell_ll(50, 45, &bx, &by);
        char wkt[512];
        snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", ax, ay,
                 bx, ay, bx, by, ax, by, ax, ay);
        dm_row *row = dm_row_new(ctx, dm_layer_find("release_areas"));
        ASSERT_OK(dm_row_set(row, "outcome", "cleared"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        dm_row_set_geom(row, g);
        ASSERT_OK(dm_store_insert(s, row, NULL));
        dm_row_free(row);
    }
    dm_store_close(s);
    rc = dmtest_demine(&out, "route check %s --line %s --json", db, line);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    in = strstr(out, "\"in_hazards_m\":");
    ASSERT(in);
    m = strtod(in + 15, NULL);
    ASSERT_MSG(m > 90 && m < 110, "%g m inside the part not released", m);
    free(out);
    /* kept out: a longer way round, no hazard entered */
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --avoid-hazards --json", db, lon0, lat0,
                       lon1, lat1);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "\"in_hazards_m\":0,\"hazards_crossed\":[]");
    const char *len = strstr(out, "\"length_m\":");
    ASSERT(len);
    ASSERT_MSG(strtod(len + 11, NULL) > 830, "%s", out);
    free(out);
    /* a start inside, kept out: named as such */
    double ix, iy;
    cell_ll(50.5, 30.5, &ix, &iy);
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --avoid-hazards", db, ix, iy, lon1, lat1);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "lies on an impassable cell: in a hazard in force");
    free(out);
    /* a checked line names it too */
    rc = dmtest_demine(&out, "route check %s --line %s", db, line);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "H-OPEN");
    free(out);
    /* the public answer says nothing of hazards */
    rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --public --json", db, lon0, lat0 + 0.01,
                       lon1, lat1 + 0.01);
    ASSERT(!strstr(out ? out : "", "H-OPEN"));
    ASSERT(!strstr(out ? out : "", "hazards_crossed"));
    free(out);
    /* a hazard polygon crossing itself, written by another tool (the store
     * refuses it; `check` names it), made every route near it fail in GEOS:
     * it is made valid */
    {
        double ax, ay, bx, by;
        cell_ll(65, 28, &ax, &ay);
        cell_ll(75, 33, &bx, &by);
        char gj[1024];
        snprintf(gj, sizeof gj,
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                 "{\"uuid\":\"0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001\",\"ref\":\"H-BOWTIE\",\"hazard_type\":\"SHA\","
                 "\"status\":\"open\",\"est_area_ha\":1},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":"
                 "[[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]]}}]}",
                 ax, ay, bx, by, bx, ay, ax, by, ax, ay);
        dmtest_write_file(dmtest_path("bowtie.geojson"), gj);
        ASSERT_EQ(dmtest_sh(&out, "ogr2ogr -update -append %s %s -nln hazards 2>&1", db,
                            dmtest_path("bowtie.geojson")),
                  0);
        free(out);
        rc = dmtest_demine(&out, "route check %s --line %s", db, line);
        ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
        ASSERT_CONTAINS(out, "H-BOWTIE");
        free(out);
        rc = dmtest_demine(&out, "route %s --from %.9f,%.9f --to %.9f,%.9f --avoid-hazards", db, lon0, lat0 + 0.002,
                           lon1, lat1 + 0.002);
        ASSERT_MSG(rc == 0, "exit %d: %s", rc, out);
        free(out);
    }
    /* the option's bounds */
    rc = dmtest_demine(&out, "route --risk %s --from %.9f,%.9f --to %.9f,%.9f --avoid-hazards", map, lon0, lat0,
                       lon1, lat1);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--avoid-hazards needs the database");
    free(out);
}

TEST(route_grid_read_from_a_friction_raster)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("f.tif");
    write_map(map, 100, 60, band_map, 0);
    dm_route_grid *g = NULL;
    ASSERT_OK(dm_route_grid_read(ctx, map, 1, 0, &g));
    ASSERT_NEAR(dm_route_grid_get(g, 50, 10), 0.3, 1e-7);
    ASSERT_NEAR(dm_route_grid_get(g, 50, 51), 0.01, 1e-9);
    ASSERT_NEAR(dm_route_grid_get(g, 99, 59), 0.001, 1e-9);
    dm_route_path *p = NULL;
    ASSERT_OK(dm_route_grid_search(ctx, g, 0, 0, 99, 0, &p));
    /* cells of the pixel width (10 m); the same cost as the reference on the
     * same values; the detour through the gap is cheaper than the band */
    float *f = malloc(100 * 60 * sizeof *f);
    for (int r = 0; r < 60; r++)
        for (int c = 0; c < 100; c++)
            f[r * 100 + c] = band_map(c, r);
    double ref = ref_dijkstra(f, 100, 60, 10, 0, 99);
    free(f);
    ASSERT_NEAR(p->cost, ref, 1e-5 * ref);
    ASSERT(p->cost < 10 * (90 * 0.001 + 10 * 0.3 - 0.001));
    dm_route_path_free(ctx, p);
    dm_route_grid_free(g);
    ASSERT_STATUS(DM_EINVAL, dm_route_grid_read(ctx, map, 3, 0, &g));
    ASSERT_STATUS(DM_EIO, dm_route_grid_read(ctx, dmtest_path("no.tif"), 1, 0, &g));
}

TEST(route_check_geojson_request_body)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 100, 60, uniform_map, 0);
    double a[2], b[2], c[2];
    cell_ll(20.5, 30.5, &a[0], &a[1]);
    cell_ll(45.5, 30.5, &b[0], &b[1]);
    cell_ll(70.5, 30.5, &c[0], &c[1]);
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"MultiLineString\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f]],"
             "[[%.9f,%.9f],[%.9f,%.9f]]]}",
             a[0], a[1], b[0], b[1], b[0], b[1], c[0], c[1]);
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_check_geojson(ctx, map, NULL, body, NULL, &r));
    ASSERT_NEAR(r->length_m, 500, 1e-3);
    ASSERT_EQ(r->n_pts, 3);
    dm_route_result_free(ctx, r);
    ASSERT_STATUS(DM_EPARSE, dm_route_check_geojson(ctx, map, NULL,
                                                    "{\"type\":\"Point\","
                                                    "\"coordinates\":[46,40]}",
                                                    NULL, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "not a LineString");
    ASSERT_STATUS(DM_EPARSE, dm_route_check_geojson(ctx, map, NULL, "nonsense", NULL, &r));
}

/* The fingerprint a cache of the hazards to avoid is kept by: the same
 * while nothing it reads changes (a note on the map's metadata is not
 * such a change), another when a hazard closes, when land is released,
 * when a polygon changes, one edit right after another included. */
TEST(route_hazards_stamp_changes_with_what_is_avoided)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("db.gpkg"), DM_STORE_CREATE, &s));
    uint64_t empty = 1, a = 0, b = 0;
    ASSERT_OK(dm_route_hazards_stamp(s, &empty));
    add_hazard(s, "H-A", "open", 40, 20, 60, 40);
    add_hazard(s, "H-B", "open", 70, 25, 75, 35);
    ASSERT_OK(dm_route_hazards_stamp(s, &a));
    ASSERT(a != empty);
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "elsewhere.tif"));
    ASSERT_OK(dm_route_hazards_stamp(s, &b));
    ASSERT(a == b);
    /* H-B closed: no longer avoided */
    ASSERT_OK(dm_hazard_set_status(s, "H-B", "closed", NULL, "cleared"));
    ASSERT_OK(dm_route_hazards_stamp(s, &b));
    ASSERT(b != a);
    dm_geom *hz = NULL;
    ASSERT_OK(dm_route_hazards_from_store(s, &hz));
    ASSERT(hz != NULL);
    double area_one = dm_geom_area(hz);
    dm_geom_free(hz);
    /* land released inside H-A */
    a = b;
    double ax, ay, bx, by;
    cell_ll(35, 15, &ax, &ay);
    cell_ll(50, 45, &bx, &by);
    char wkt[512];
    snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", ax, ay, bx, ay, bx,
             by, ax, by, ax, ay);
    dm_row *row = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(row, "outcome", "cleared"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(row, g);
    ASSERT_OK(dm_store_insert(s, row, NULL));
    dm_row_free(row);
    ASSERT_OK(dm_route_hazards_stamp(s, &b));
    ASSERT(b != a);
    ASSERT_OK(dm_route_hazards_from_store(s, &hz));
    ASSERT(hz && dm_geom_area(hz) < area_one * 0.75);
    dm_geom_free(hz);
    /* H-A's polygon made smaller, twice in a row */
    for (int k = 0; k < 2; k++) {
        a = b;
        cell_ll(40, 20, &ax, &ay);
        cell_ll(58 - 4 * k, 40, &bx, &by);
        snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))", ax, ay, bx, ay,
                 bx, by, ax, by, ax, ay);
        row = dm_row_new(ctx, dm_layer_find("hazards"));
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        dm_row_set_geom(row, g);
        ASSERT_OK(dm_store_update(s, "H-A", row, "resurveyed"));
        dm_row_free(row);
        ASSERT_OK(dm_route_hazards_stamp(s, &b));
        ASSERT_MSG(b != a, "edit %d not seen", k + 1);
    }
    /* a polygon moved by another tool (QGIS writes through GDAL) that
     * leaves the row's updated time and areas as they were */
    a = b;
    char *out = NULL;
    ASSERT_MSG(dmtest_sh(&out, "ogrinfo -q '%s' -sql \"UPDATE hazards SET geom = (SELECT geom FROM hazards WHERE "
                              "ref = 'H-B') WHERE ref = 'H-A'\"", dmtest_path("db.gpkg")) == 0,
               "ogrinfo: %s", out);
    free(out);
    ASSERT_OK(dm_route_hazards_stamp(s, &b));
    ASSERT_MSG(b != a, "a polygon changed by another tool not seen");
    dm_store_close(s);
}

/* `route --avoid-hazards` made the union of every hazard in force in the
 * country less all the land released, on every run (0.8 s on the national
 * demo), to lay the few near the route on its window. The hazards near a
 * route are read from its search window only: one outside it is never in
 * the shape, and the route is the same as around the whole country's. */
TEST(route_hazards_near_read_only_the_search_window)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_map(map, 400, 60, uniform_map, 0);
    const char *db = dmtest_path("db.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", map));
    add_hazard(s, "H-NEAR", "open", 40, 20, 60, 40);
    add_hazard(s, "H-FAR", "open", 340, 20, 360, 40); /* 2.8 km east of the window */
    double lon0, lat0, lon1, lat1, fx, fy, nx, ny;
    cell_ll(10.5, 30.5, &lon0, &lat0);
    cell_ll(90.5, 30.5, &lon1, &lat1);
    cell_ll(350, 30, &fx, &fy);
    cell_ll(50, 30, &nx, &ny);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.margin_m = 300;
    /* the box holds the window (cells 0..120 by 0..59, and a hair), not H-FAR */
    double box[4];
    ASSERT_OK(dm_route_search_box(ctx, map, lon0, lat0, lon1, lat1, &o, box));
    double wx, wy, ex, ey;
    cell_ll(0, 60, &wx, &wy);
    cell_ll(121, 0, &ex, &ey);
    ASSERT_MSG(box[0] <= wx && box[1] <= wy && box[2] >= ex && box[3] >= ey, "box %g,%g,%g,%g", box[0], box[1],
               box[2], box[3]);
    ASSERT_MSG(box[2] < fx - 0.02, "box east %g, H-FAR at %g", box[2], fx);
    dm_geom *all = NULL, *near = NULL, *pf = NULL, *pn = NULL;
    ASSERT_OK(dm_route_hazards_from_store(s, &all));
    ASSERT_OK(dm_route_hazards_near(s, NULL, lon0, lat0, lon1, lat1, &o, &near));
    ASSERT(all && near);
    ASSERT_OK(dm_geom_point(ctx, fx, fy, &pf));
    ASSERT_OK(dm_geom_point(ctx, nx, ny, &pn));
    ASSERT(dm_geom_intersects(all, pf) && dm_geom_intersects(all, pn));
    ASSERT(dm_geom_intersects(near, pn));
    ASSERT_MSG(!dm_geom_intersects(near, pf), "a hazard outside the search window was read");
    /* the same route around either (one front: on a uniform map, two pick
     * among paths of equal cost by their timing) */
    dm_route_result *ra = NULL, *rn = NULL;
    int threads = dm_ctx_threads(ctx);
    dm_ctx_set_threads(ctx, 1);
    o.avoid = all;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &ra));
    o.avoid = near;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &rn));
    dm_ctx_set_threads(ctx, threads);
    ASSERT_EQ(ra->n_pts, rn->n_pts);
    ASSERT(!memcmp(ra->lonlat, rn->lonlat, ra->n_pts * 2 * sizeof *ra->lonlat));
    ASSERT(ra->length_m > 830); /* round H-NEAR */
    dm_route_result_free(ctx, ra);
    dm_route_result_free(ctx, rn);
    /* nothing in force in a window away from both: none */
    dm_geom_free(near);
    cell_ll(180.5, 30.5, &lon0, &lat0);
    cell_ll(250.5, 30.5, &lon1, &lat1);
    ASSERT_OK(dm_route_hazards_near(s, map, lon0, lat0, lon1, lat1, &o, &near));
    ASSERT(near == NULL);
    /* a point off the map is refused, as by the route */
    ASSERT_EQ(dm_route_hazards_near(s, NULL, 10, 10, lon1, lat1, &o, &near), DM_EINVAL);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "outside the risk map");
    dm_geom_free(all);
    dm_geom_free(pf);
    dm_geom_free(pn);
    dm_store_close(s);
}
