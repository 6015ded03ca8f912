/* SPDX-License-Identifier: MIT
 *
 * test_server_public.c -- the public danger map's endpoints end to end
 * (`demine serve`, curl): "how far am I from danger" measured in the
 * point's own UTM zone on a database with hazards on two continents, and
 * the public route on a database with no risk map yet, answered in plain
 * words a page can tell apart from a failure.
 */
#include "srvtest.h"

#include <math.h>

/* A hazard of 100 m x 100 m in Colombia (west edge at lon -74.05, lat 4.6
 * to its north edge, on UTM zone 18N), added to the fixture's two in
 * Azerbaijan; into *east_x, *y the middle of its east edge in metres of
 * that zone. */
static void add_colombian_hazard(double *east_x, double *y)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_transform *fwd = NULL, *back = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32618", &fwd));
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32618", "EPSG:4326", &back));
    double x0 = -74.05, y1 = 4.6;
    ASSERT_OK(dm_transform_xy(fwd, &x0, &y1, 1));
    double xy[10] = {x0, y1 - 100, x0 + 100, y1 - 100, x0 + 100, y1, x0, y1, x0, y1 - 100};
    for (int i = 0; i < 5; i++)
        ASSERT_OK(dm_transform_xy(back, &xy[2 * i], &xy[2 * i + 1], 1));
    char wkt[400];
    snprintf(wkt, sizeof wkt, "POLYGON((%.8f %.8f,%.8f %.8f,%.8f %.8f,%.8f %.8f,%.8f %.8f))", xy[0], xy[1], xy[2],
             xy[3], xy[4], xy[5], xy[6], xy[7], xy[0], xy[1]);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), 0, &s));
    char u[37];
    const char *kv[] = {"ref", "H-CO", "hazard_type", "CHA", "status", "open", NULL};
    srvtest_insert_wkt(s, "hazards", wkt, kv, u);
    dm_store_close(s);
    *east_x = x0 + 100;
    *y = y1 - 50;
    dm_transform_free(fwd);
    dm_transform_free(back);
}

/* The library's own answer for (lon, lat) on the database's zones
 * (dm_danger_locate: in the point's UTM zone). */
static double library_distance(double lon, double lat)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    dm_geom *z = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    dm_danger_opts o = {100, 25, 50};
    ASSERT_OK(dm_danger_zones(s, &o, &z));
    int inside = 0;
    double d = -1;
    ASSERT_OK(dm_danger_locate(ctx, z, lon, lat, &inside, &d));
    dm_geom_free(z);
    dm_store_close(s);
    return d;
}

/* GET /api/public/check at (lon, lat): the body (malloc'd). */
static char *check(double lon, double lat)
{
    char q[128], *out = NULL;
    snprintf(q, sizeof q, "/api/public/check?lon=%.7f&lat=%.7f", lon, lat);
    int code = srvtest_req("GET", q, NULL, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 200, "%s: %d %s", q, code, out);
    return out;
}

/* Hazards in Azerbaijan (lon 47) and Colombia (lon -74): the check measured
 * every distance in the UTM zone of the middle of all the zones (lon -14),
 * and a point 499 m east of the Colombian hazard (about 370 m from its
 * zone) was 700 m away, "unknown" instead of "caution". */
TEST(server_public_check_measures_in_the_points_own_utm_zone)
{
    srvtest_setup_db();
    double ex, ey;
    add_colombian_hazard(&ex, &ey);
    dm_transform *back = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32618", "EPSG:4326", &back));
    double lon = ex + 499, lat = ey;
    ASSERT_OK(dm_transform_xy(back, &lon, &lat, 1));
    dm_transform_free(back);
    double want = library_distance(lon, lat);
    ASSERT_MSG(want > 340 && want < 400, "the library puts the point %.1f m from the zone", want);
    srvtest_start_server();
    char *out = check(lon, lat);
    ASSERT_CONTAINS(out, "\"inside\":false");
    ASSERT_CONTAINS(out, "\"far\":false,\"level\":\"caution\"");
    double got = srvtest_num_after(out, "\"distance_m\":");
    ASSERT_MSG(got == ceil(want / 50) * 50, "distance %.0f m, the library's %.1f m (rounded up to 50 m: %.0f)", got,
               want, ceil(want / 50) * 50);
    free(out);
    /* inside the Colombian hazard */
    double in_lon = ex - 50, in_lat = ey;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32618", "EPSG:4326", &back));
    ASSERT_OK(dm_transform_xy(back, &in_lon, &in_lat, 1));
    dm_transform_free(back);
    out = check(in_lon, in_lat);
    ASSERT_CONTAINS(out, "\"inside\":true,\"distance_m\":0,\"far\":false,\"level\":\"danger\"");
    free(out);
    /* in Azerbaijan, 1 km east of H-1 (its zone 100-150 m nearer), as the
     * library has it; asked after Colombia, by the same threads */
    want = library_distance(46.9217, 39.905);
    out = check(46.9217, 39.905);
    got = srvtest_num_after(out, "\"distance_m\":");
    ASSERT_MSG(got == ceil(want / 50) * 50, "distance %.0f m, the library's %.1f m", got, want);
    ASSERT_CONTAINS(out, "\"far\":false");
    free(out);
    /* between the two, in the Atlantic: far, with no distance */
    out = check(-30, 10);
    ASSERT_CONTAINS(out, "\"inside\":false,\"distance_m\":null,\"far\":true,\"level\":\"unknown\"");
    free(out);
    /* and Colombia again, after the other UTM zones */
    out = check(lon, lat);
    ASSERT_CONTAINS(out, "\"level\":\"caution\"");
    free(out);
    srvtest_stop_server();
}

/* The public route with no risk map yet: the page said "Error: no answer".
 * The answer is a 404 with the code no_risk_map, which the page tells apart
 * from "no way between them" (404 too) and says in plain words; staff still
 * read the reason. */
TEST(server_public_route_without_a_risk_map_says_the_planner_is_not_there_yet)
{
    srvtest_setup_db();
    srvtest_start_server();
    char *out = NULL, ana[65];
    int code = srvtest_req("GET", "/api/public/route?from=46.95,39.95&to=46.96,39.95", NULL, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 404, "%d %s", code, out);
    ASSERT_CONTAINS(out, "\"code\":\"no_risk_map\"");
    ASSERT_CONTAINS(out, "\"status\":404");
    ASSERT_CONTAINS(out, "not available for this area yet");
    ASSERT(!strstr(out, "no route")); /* the page's "no safe way" */
    free(out);
    /* a way with no risk map is no way that keeps clear: the same for a
     * point in a zone */
    code = srvtest_req("GET", "/api/public/route?from=46.905,39.905&to=46.92,39.905", NULL, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 404, "%d %s", code, out);
    ASSERT_CONTAINS(out, "\"code\":\"no_risk_map\"");
    free(out);
    srvtest_login("ana", "analystpw1", ana);
    code = srvtest_req("GET", "/api/route?from=46.95,39.95&to=46.96,39.95", ana, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 404, "%d %s", code, out);
    ASSERT(!strstr(out, "no_risk_map"));
    free(out);
    srvtest_stop_server();
}
