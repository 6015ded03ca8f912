/* SPDX-License-Identifier: MIT
 *
 * test_route_check_public.c -- `demine route check DB --line F --public`:
 * the line is judged as the public map judges it (on the 50 m blocks),
 * also when the database is given. It was refused with "the start point
 * 0,0 lies outside the risk map": the public zones' search window was made
 * of --from and --to, which a line check has not.
 */
#include "dmtest.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gdal.h>
#pragma GCC diagnostic pop

#define RX0 600000.0
#define RY0 4470000.0
#define RCELL 10.0

/* A 100 x 60 map of p 1e-5, one risky cell (p 0.2) at column 50, row 31. */
static void write_one_cell_map(const char *path)
{
    const int w = 100, h = 60;
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, w, h, 2, GDT_Float32, NULL);
    ASSERT(ds);
    double gt[6] = {RX0, RCELL, 0, RY0, 0, -RCELL};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    float *p = malloc((size_t)w * h * sizeof *p), *d = malloc((size_t)w * h * sizeof *d);
    for (int i = 0; i < w * h; i++) {
        p[i] = i == 31 * w + 50 ? 0.2f : 1e-5f;
        d[i] = -logf(1 - p[i]) * 100.0f;
    }
    ASSERT(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, w, h, p, w, h, GDT_Float32, 0, 0) ==
           CE_None);
    ASSERT(GDALRasterIO(GDALGetRasterBand(ds, 2), GF_Write, 0, 0, w, h, d, w, h, GDT_Float32, 0, 0) ==
           CE_None);
    GDALClose(ds);
    free(p);
    free(d);
}

static void map_ll(double c, double r, double *lon, double *lat)
{
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &t));
    *lon = RX0 + c * RCELL;
    *lat = RY0 - r * RCELL;
    ASSERT_OK(dm_transform_xy(t, lon, lat, 1));
    dm_transform_free(t);
}

TEST(route_check_public_with_the_database)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *map = dmtest_path("risk.tif");
    write_one_cell_map(map);
    const char *db = dmtest_path("db.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", map));
    dm_store_close(s);
    /* a line along row 33.5, 25 m beside the risky cell: on the 10 m map it
     * never crosses it, on the public 50 m blocks it does */
    double lon0, lat0, lon1, lat1;
    map_ll(10.5, 33.5, &lon0, &lat0);
    map_ll(90.5, 33.5, &lon1, &lat1);
    const char *line = dmtest_path("line.geojson");
    char text[512];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
             "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.9f,%.9f],[%.9f,%.9f]]}}]}",
             lon0, lat0, lon1, lat1);
    dmtest_write_file(line, text);

    char *staff = NULL, *pub_db = NULL, *pub_map = NULL;
    int rc = dmtest_demine(&staff, "route check %s --line %s --json", db, line);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, staff);
    rc = dmtest_demine(&pub_db, "route check %s --line %s --public --json", db, line);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, pub_db);
    ASSERT(!strstr(pub_db, "outside the risk map"));
    ASSERT_CONTAINS(pub_db, "\"verdict\"");
    ASSERT(!strstr(pub_db, "\"stretches\"")); /* the public answer: no per-cell figures */
    /* the same answer as with the map alone */
    rc = dmtest_demine(&pub_map, "route check --risk %s --line %s --public --json", map, line);
    ASSERT_MSG(rc == 0, "exit %d: %s", rc, pub_map);
    ASSERT_STREQ(pub_db, pub_map);
    /* judged on the blocks: the risky cell's block is crossed, so the public
     * verdict is high where the staff line, which never met p 0.2, is low */
    const char *mp = strstr(staff, "\"max_p\":");
    ASSERT(mp);
    ASSERT(strtod(mp + 8, NULL) < 0.01);
    ASSERT_CONTAINS(staff, "\"verdict\":\"low\"");
    ASSERT_CONTAINS(pub_db, "\"verdict\":\"high\"");
    free(staff);
    free(pub_db);
    free(pub_map);
}
