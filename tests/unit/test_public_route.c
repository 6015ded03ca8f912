/* SPDX-License-Identifier: MIT
 *
 * test_public_route.c -- routes for the public (dm_route_opts_public): they
 * are planned and judged on the risk map generalised to 50 m blocks with
 * values rounded up to two steps a decade, so two maps that differ only in
 * where (or how strongly, within a step) a dangerous cell lies inside its
 * block give the same answer, while the staff's fine route tells them
 * apart; they keep out of areas to avoid (the public danger zones) except
 * on cleared roads. The server's side (rate limit, zones) is in
 * test_server.c.
 */
#include "dmtest.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gdal.h>
#pragma GCC diagnostic pop

#define X0 600000.0
#define Y0 4470000.0
#define CELL 10.0
#define BG 0.000001f

/* A w x h map of 10 m cells (block-aligned at 50 m): background BG, a wall
 * of p = 0.5 over columns 95..104 from row 20 down when wall, and one more
 * cell (mc, mr) of probability mp when mp > 0. */
static void write_map(const char *path, int w, int h, int wall, int mc, int mr, float mp)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, w, h, 1, GDT_Float32, NULL);
    ASSERT(ds);
    double gt[6] = {X0, CELL, 0, Y0, 0, -CELL};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    float *row = malloc((size_t)w * sizeof *row);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, -1);
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++)
            row[c] = wall && c >= 95 && c <= 104 && r >= 20 ? 0.5f : BG;
        if (mp > 0 && r == mr)
            row[mc] = mp;
        ASSERT(GDALRasterIO(b, GF_Write, 0, r, w, 1, row, w, 1, GDT_Float32, 0, 0) == CE_None);
    }
    free(row);
    GDALClose(ds);
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

/* The route from W to E on map as GeoJSON (public form or full). */
static char *route_json(const char *map, const dm_route_opts *o, int public_only)
{
    dm_ctx *ctx = dmtest_ctx();
    double lon0, lat0, lon1, lat1;
    cell_ll(20.5, 100.5, &lon0, &lat0);
    cell_ll(179.5, 100.5, &lon1, &lat1);
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, o, &r));
    char *json = NULL, *copy;
    ASSERT_OK(dm_route_result_geojson(ctx, r, public_only, &json));
    copy = strdup(json);
    dm_free(ctx, json);
    dm_route_result_free(ctx, r);
    return copy;
}

/* The highest cell probability a route's line crosses on map, at full
 * resolution. */
static double fine_max_p(const char *map, const dm_route_opts *po)
{
    dm_ctx *ctx = dmtest_ctx();
    double lon0, lat0, lon1, lat1;
    cell_ll(20.5, 100.5, &lon0, &lat0);
    cell_ll(179.5, 100.5, &lon1, &lat1);
    dm_route_result *r = NULL, *c = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, po, &r));
    ASSERT_OK(dm_route_check(ctx, map, NULL, r->lonlat, r->n_pts, NULL, NULL, &c));
    double p = c->max_p;
    dm_route_result_free(ctx, c);
    dm_route_result_free(ctx, r);
    return p;
}

TEST(public_route_is_the_same_wherever_in_its_block_a_mine_lies)
{
    /* a wall with a gap at its north end; one mine in the gap, in the block
     * of columns 100..104 and rows 15..19, at two places and two strengths */
    const char *a = strdup(dmtest_path("a.tif")), *b = strdup(dmtest_path("b.tif"));
    const char *c = strdup(dmtest_path("c.tif")), *none = strdup(dmtest_path("none.tif"));
    write_map(a, 200, 200, 1, 100, 16, 0.5f);
    write_map(b, 200, 200, 1, 103, 19, 0.5f);
    write_map(c, 200, 200, 1, 103, 19, 0.9f);
    write_map(none, 200, 200, 1, 0, 0, 0);
    dm_route_opts staff, pub;
    dm_route_opts_default(&staff);
    dm_route_opts_public(&pub);
    ASSERT_NEAR(pub.block_m, 50, 0);
    /* the staff's route bends around the mine's own cell: its line tells
     * where in the block the mine lies */
    char *sa = route_json(a, &staff, 0), *sb = route_json(b, &staff, 0);
    ASSERT(strcmp(sa, sb) != 0);
    char *sa_pub = route_json(a, &staff, 1), *sb_pub = route_json(b, &staff, 1);
    ASSERT(strcmp(sa_pub, sb_pub) != 0); /* even its public form (line and verdict) */
    /* the public route is the same, byte for byte */
    char *pa = route_json(a, &pub, 1), *pb = route_json(b, &pub, 1), *pc = route_json(c, &pub, 1);
    ASSERT_STREQ(pa, pb);
    ASSERT_STREQ(pa, pc);
    ASSERT_CONTAINS(pa, "\"verdict\":\"low\"");
    ASSERT(!strstr(pa, "p_none") && !strstr(pa, "max_p") && !strstr(pa, "stretch"));
    /* ... but the block still counts: without the mine the route differs */
    char *pn = route_json(none, &pub, 1);
    ASSERT(strcmp(pa, pn) != 0);
    /* and it keeps clear of the mine's whole block: at full resolution its
     * line crosses nothing above the background */
    ASSERT(fine_max_p(a, &pub) < 2 * BG);
    ASSERT(fine_max_p(b, &pub) < 2 * BG);
    free(sa), free(sb), free(sa_pub), free(sb_pub), free(pa), free(pb), free(pc), free(pn);
    free((char *)a), free((char *)b), free((char *)c), free((char *)none);
}

TEST(public_route_figures_are_those_of_the_blocks)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("one.tif");
    /* one cell of p = 0.02 at (12, 12): its block is columns and rows 10..14 */
    write_map(map, 60, 60, 0, 12, 12, 0.02f);
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.block_m = 50;
    double xy[4];
    cell_ll(10.2, 10.5, &xy[0], &xy[1]);
    cell_ll(14.8, 10.5, &xy[2], &xy[3]);
    dm_route_result *fine = NULL, *blk = NULL, *next = NULL;
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, NULL, &fine));
    ASSERT_NEAR(fine->max_p, BG, 1e-9);
    /* the block takes its highest cell, rounded up to 10^-1.5 */
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &blk));
    ASSERT_NEAR(blk->max_p, pow(10, -1.5), 1e-6);
    ASSERT_STREQ(blk->verdict, "high");
    /* the next block north is the background */
    cell_ll(10.2, 9.5, &xy[0], &xy[1]);
    cell_ll(14.8, 9.5, &xy[2], &xy[3]);
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &next));
    ASSERT_NEAR(next->max_p, BG, 1e-9);
    ASSERT_STREQ(next->verdict, "low");
    dm_route_result_free(ctx, next);
    dm_route_result_free(ctx, blk);
    dm_route_result_free(ctx, fine);
    /* a value on the ladder stays; one above it goes up a step */
    write_map(map, 60, 60, 0, 12, 12, 0.01f);
    cell_ll(10.2, 10.5, &xy[0], &xy[1]);
    cell_ll(14.8, 10.5, &xy[2], &xy[3]);
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &blk));
    ASSERT_NEAR(blk->max_p, 0.01, 1e-6);
    dm_route_result_free(ctx, blk);
    write_map(map, 60, 60, 0, 12, 12, 0.0101f);
    ASSERT_OK(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &blk));
    ASSERT_NEAR(blk->max_p, pow(10, -1.5), 1e-6);
    dm_route_result_free(ctx, blk);
    /* a block size below a metre is refused */
    o.block_m = 0.5;
    ASSERT_EQ(dm_route_check(ctx, map, NULL, xy, 2, NULL, &o, &blk), DM_EINVAL);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "block size");
}

/* A band over columns 95..104 (UTM), from row r0 to the south edge, as a
 * polygon in EPSG:32638, shrunk by `in` metres. */
static dm_geom *band(double r0, double in)
{
    char wkt[300];
    double x0 = X0 + 950 + in, x1 = X0 + 1050 - in, y0 = Y0 - r0 * CELL - in, y1 = Y0 - 10000;
    snprintf(wkt, sizeof wkt, "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))", x0, y0, x1, y0, x1, y1,
             x0, y1, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &g));
    return g;
}

TEST(public_route_keeps_out_of_areas_to_avoid_except_on_cleared_roads)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("flat.tif");
    write_map(map, 200, 200, 0, 0, 0, 0);
    double lon0, lat0, lon1, lat1;
    cell_ll(20.5, 100.5, &lon0, &lat0);
    cell_ll(179.5, 100.5, &lon1, &lat1);
    dm_route_opts o;
    dm_route_opts_public(&o);
    /* without areas to avoid: straight across */
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT_NEAR(r->length_m, 1590, 1);
    dm_route_result_free(ctx, r);
    /* a zone from row 30 to the south edge: the route goes round its end */
    dm_geom *z = band(30, 0), *inside = band(30, 0.01);
    o.avoid = z;
    o.avoid_crs = "EPSG:32638";
    ASSERT_OK(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT(r->length_m > 1700);
    dm_geom *line = NULL, *utm = NULL;
    dm_transform *t = NULL;
    ASSERT_OK(dm_geom_linestring(ctx, r->lonlat, r->n_pts, &line));
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32638", &t));
    ASSERT_OK(dm_geom_transform(ctx, t, line, &utm));
    ASSERT(!dm_geom_intersects(utm, inside)); /* it may touch a corner, never cross */
    dm_geom_free(utm);
    dm_geom_free(line);
    dm_route_result_free(ctx, r);
    /* a point inside it gets no route, saying why */
    double li, ai;
    cell_ll(100.5, 100.5, &li, &ai);
    ASSERT_EQ(dm_route_find(ctx, map, NULL, lon0, lat0, li, ai, &o, &r), DM_EINVAL);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "area to avoid");
    /* a zone across the whole map: no way, unless a cleared road crosses it */
    dm_geom_free(z);
    dm_geom_free(inside);
    z = band(-1000, 0);
    o.avoid = z;
    ASSERT_EQ(dm_route_find(ctx, map, NULL, lon0, lat0, lon1, lat1, &o, &r), DM_ENOTFOUND);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "an area to avoid");
    double rxy[4];
    cell_ll(60.5, 120.5, &rxy[0], &rxy[1]);
    cell_ll(140.5, 120.5, &rxy[2], &rxy[3]);
    size_t start[2] = {0, 2};
    dm_route_roads roads = {rxy, 2, start, 1};
    ASSERT_OK(dm_route_find(ctx, map, &roads, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT(r->road_m >= 100);
    ASSERT_EQ(r->impassable_m, 0);
    dm_route_result_free(ctx, r);
    dm_transform_free(t);
    dm_geom_free(z);
}
