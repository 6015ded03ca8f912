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
