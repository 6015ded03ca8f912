/* SPDX-License-Identifier: MIT
 *
 * test_danger.c -- the public danger zones: a zone's area_ha is the ground
 * it covers, its holes left out.
 */
#include "dmtest.h"

#include <jansson.h>

/* A hazard ringed around a field of ~600 x 600 m: the zone has a hole, and
 * its area is the ring's, not the whole square's. */
TEST(danger_zone_area_leaves_out_its_holes)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("dz.gpkg"), DM_STORE_CREATE, &s));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx,
                               "POLYGON((46.90 39.90,46.92 39.90,46.92 39.92,46.90 39.92,46.90 39.90),"
                               "(46.9025 39.9025,46.9175 39.9025,46.9175 39.9175,46.9025 39.9175,"
                               "46.9025 39.9025))",
                               &g));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", "RING-1"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_geom *z = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &z));
    ASSERT(z);
    double true_ha = 0;
    ASSERT_OK(dm_geom_area_ha(ctx, z, &true_ha));
    dm_geom_free(z);
    char *json = NULL;
    ASSERT_OK(dm_danger_zones_json(s, NULL, &json));
    dm_store_close(s);
    json_error_t err;
    json_t *fc = json_loads(json, 0, &err);
    ASSERT_MSG(fc, "%s", err.text);
    json_t *f = json_array_get(json_object_get(fc, "features"), 0);
    ASSERT_EQ(json_array_size(json_object_get(fc, "features")), 1);
    /* the zone keeps its hole */
    ASSERT(json_array_size(json_object_get(json_object_get(f, "geometry"), "coordinates")) == 2);
    double ha = json_number_value(json_object_get(json_object_get(f, "properties"), "area_ha"));
    ASSERT_MSG(fabs(ha - true_ha) < 0.1 + 0.01 * true_ha, "area_ha %.1f, the zone measures %.1f", ha, true_ha);
    json_decref(fc);
    dm_free(ctx, json);
}

static void add_hz(dm_store *s, const char *ref, double x0, double y0, double x1, double y1)
{
    dm_ctx *ctx = dmtest_ctx();
    char wkt[256];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", x0, y0, x1, y0, x1, y1,
             x0, y1, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", ref));
    ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

static double area_in(dm_ctx *ctx, const dm_geom *z, const double *b)
{
    double xy[10] = {b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]};
    dm_geom *box = NULL, *in = NULL;
    ASSERT_OK(dm_geom_polygon(ctx, xy, 5, &box));
    ASSERT_OK(dm_geom_intersection(ctx, z, box, &in));
    double a = dm_geom_area(in);
    dm_geom_free(box);
    dm_geom_free(in);
    return a;
}

/* The public map of one district made the zones of the whole country (9 s
 * on the national demo). dm_danger_zones_in makes those that meet a box,
 * each whole, from the hazards near it: the same inside the box as the
 * country's, on the same grid (the UTM zone of all the hazards, 38, though
 * the box lies across 48 E, where zone 39 begins). */
TEST(danger_zones_in_a_box_are_the_country_s)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("dzw.gpkg"), DM_STORE_CREATE, &s));
    /* a chain of hazards 150 m apart running east out of the box (one zone),
     * odd shapes off the 50 m grid, and one far away */
    char ref[32];
    for (int i = 0; i < 12; i++) {
        snprintf(ref, sizeof ref, "CHAIN-%d", i);
        add_hz(s, ref, 47.9800 + i * 0.0040, 39.9000 + (i % 3) * 0.0007, 47.9823 + i * 0.0040,
               39.9017 + (i % 3) * 0.0007);
    }
    for (int i = 0; i < 6; i++) {
        snprintf(ref, sizeof ref, "SPOT-%d", i);
        add_hz(s, ref, 47.9763 + i * 0.0031, 39.9213 - i * 0.0017, 47.9767 + i * 0.0031, 39.9216 - i * 0.0017);
    }
    add_hz(s, "FAR", 47.50, 39.50, 47.51, 39.51);
    double box[4] = {47.975, 39.895, 48.005, 39.93};
    dm_geom *all = NULL, *in = NULL, *far = NULL, *east = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &all));
    ASSERT_OK(dm_danger_zones_in(s, NULL, box, &in));
    ASSERT(all && in);
    double a = area_in(ctx, all, box), b = area_in(ctx, in, box);
    ASSERT_MSG(a > 0 && fabs(a - b) <= 0.001 * a, "inside the box: %g against the country's %g", b, a);
    /* the far hazard's zone is not made; the chain's zone is whole, out of the box */
    ASSERT_OK(dm_geom_point(ctx, 47.505, 39.505, &far));
    ASSERT_OK(dm_geom_point(ctx, 48.0250, 39.9008, &east));
    ASSERT(dm_geom_intersects(all, far) && dm_geom_intersects(all, east));
    ASSERT_MSG(!dm_geom_intersects(in, far), "a zone far from the box was made");
    ASSERT_MSG(dm_geom_intersects(in, east), "the zone running out of the box was cut");
    double whole[4] = {47.96, 39.88, 48.04, 39.94};
    a = area_in(ctx, all, whole), b = area_in(ctx, in, whole);
    ASSERT_MSG(fabs(a - b) <= 0.001 * a, "the zones meeting the box: %g against the country's %g", b, a);
    dm_geom_free(in);
    /* a box with no zone: none; a box not in degrees: refused */
    double empty[4] = {47.7, 39.7, 47.71, 39.71};
    ASSERT_OK(dm_danger_zones_in(s, NULL, empty, &in));
    ASSERT(in == NULL);
    double bad[4] = {600000, 4400000, 610000, 4410000};
    ASSERT_EQ(dm_danger_zones_in(s, NULL, bad, &in), DM_EINVAL);
    dm_geom_free(all);
    dm_geom_free(far);
    dm_geom_free(east);
    dm_store_close(s);
}
