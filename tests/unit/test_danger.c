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

/* A hazard from its outline in metres on UTM zone epsg (n points, closed). */
static void add_utm_hz(dm_store *s, const char *ref, int epsg, const double *xy, size_t n)
{
    dm_ctx *ctx = dmtest_ctx();
    char crs[32];
    snprintf(crs, sizeof crs, "EPSG:%d", epsg);
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, crs, "EPSG:4326", &t));
    double *ll = malloc(2 * n * sizeof *ll), *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        x[i] = xy[2 * i], y[i] = xy[2 * i + 1];
    ASSERT_OK(dm_transform_xy(t, x, y, n));
    for (size_t i = 0; i < n; i++)
        ll[2 * i] = x[i], ll[2 * i + 1] = y[i];
    dm_transform_free(t);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_polygon(ctx, ll, n, &g));
    free(ll), free(x), free(y);
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", ref));
    ASSERT_OK(dm_row_set(r, "hazard_type", "CHA"));
    ASSERT_OK(dm_row_set(r, "status", "open"));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

/* The ground (m2) of the hazard ref's margin of m metres, measured on the UTM
 * zone of the hazard itself, that the zones z leave out. */
static double margin_left_out(dm_store *s, const char *ref, const dm_geom *z, double m)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *f[] = {"ref"}, *v[] = {ref};
    dm_select sel;
    memset(&sel, 0, sizeof sel);
    sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", &sel, &c));
    ASSERT(dm_cursor_next(c) == 1);
    dm_geom *g = NULL;
    ASSERT_OK(dm_cursor_geom(c, &g));
    dm_cursor_free(c);
    double b[4];
    ASSERT(dm_geom_bounds(g, b));
    char crs[32];
    snprintf(crs, sizeof crs, "EPSG:%d", dm_utm_epsg((b[0] + b[2]) / 2, (b[1] + b[3]) / 2));
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", crs, &t));
    dm_geom *gu = NULL, *zu = NULL, *gb = NULL, *out = NULL;
    ASSERT_OK(dm_geom_transform(ctx, t, g, &gu));
    ASSERT_OK(dm_geom_transform(ctx, t, z, &zu));
    ASSERT_OK(dm_geom_buffer(ctx, gu, m, &gb));
    ASSERT_OK(dm_geom_difference(ctx, gb, zu, &out));
    double a = dm_geom_is_empty(out) ? 0 : dm_geom_area(out);
    dm_geom_free(g), dm_geom_free(gu), dm_geom_free(zu), dm_geom_free(gb), dm_geom_free(out);
    dm_transform_free(t);
    return a;
}

/* A spot hazard drawn a metre around one item gave the 50 m cells it
 * touched: at a corner of four cells, four, and the zone's centre was the
 * item to a metre (at an edge, one coordinate). Wherever the item lies in
 * its cell, the zone is now the same, and keeps the full margin. */
TEST(danger_zone_of_a_spot_hazard_is_the_same_wherever_in_its_cell)
{
    dm_ctx *ctx = dmtest_ctx();
    /* the cell [600000, 600050) x [4420000, 4420050) of UTM 38N */
    const double at[][2] = {{25, 25}, {0.2, 0.2}, {49.8, 49.8}, {0.2, 49.8}, {49.8, 0.2}, {25, 0.2}, {49.8, 25}};
    double b0[4] = {0}, a0 = 0;
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "spot%zu.gpkg", k);
        dm_store *s = NULL;
        ASSERT_OK(dm_store_open(ctx, dmtest_path(name), DM_STORE_CREATE, &s));
        double x = 600000 + at[k][0], y = 4420000 + at[k][1];
        double xy[10] = {x - 0.5, y - 0.5, x + 0.5, y - 0.5, x + 0.5, y + 0.5, x - 0.5, y + 0.5, x - 0.5, y - 0.5};
        add_utm_hz(s, "SPOT", 32638, xy, 5);
        dm_geom *z = NULL;
        ASSERT_OK(dm_danger_zones(s, NULL, &z));
        ASSERT(z);
        double b[4], a = 0;
        ASSERT(dm_geom_bounds(z, b));
        ASSERT_OK(dm_geom_area_ha(ctx, z, &a));
        if (k == 0)
            memcpy(b0, b, sizeof b), a0 = a;
        for (int i = 0; i < 4; i++)
            ASSERT_MSG(fabs(b[i] - b0[i]) < 1e-7, "an item %.1f m, %.1f m into its cell moves the zone (%s edge: %.7f, "
                       "not %.7f)", at[k][0], at[k][1], (const char *[]){"west", "south", "east", "north"}[i], b[i],
                       b0[i]);
        ASSERT_NEAR(a, a0, 1e-6);
        dm_geom_free(z);
        dm_store_close(s);
    }
}

/* The zone was the cells buffered by 100 m, then simplified by 25 m: the
 * simplification cut the rounded corners, and a spot hazard near a corner
 * of its cell kept 78 m of its margin. The margin is kept whole. */
TEST(danger_zone_keeps_its_whole_margin_once_simplified)
{
    dm_ctx *ctx = dmtest_ctx();
    const double at[][2] = {{25, 25}, {0.6, 0.6}, {49.4, 49.4}, {30, 49.4}};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "margin%zu.gpkg", k);
        dm_store *s = NULL;
        ASSERT_OK(dm_store_open(ctx, dmtest_path(name), DM_STORE_CREATE, &s));
        double x = 600000 + at[k][0], y = 4420000 + at[k][1];
        double xy[10] = {x - 0.5, y - 0.5, x + 0.5, y - 0.5, x + 0.5, y + 0.5, x - 0.5, y + 0.5, x - 0.5, y - 0.5};
        add_utm_hz(s, "SPOT", 32638, xy, 5);
        /* and a field of 430 x 170 m */
        double fx = 601013, fy = 4421007;
        double f[10] = {fx, fy, fx + 430, fy, fx + 430, fy + 170, fx, fy + 170, fx, fy};
        add_utm_hz(s, "FIELD", 32638, f, 5);
        dm_geom *z = NULL;
        ASSERT_OK(dm_danger_zones(s, NULL, &z));
        ASSERT(z);
        double lost = margin_left_out(s, "SPOT", z, 100);
        ASSERT_MSG(lost < 1, "%.0f m2 of the spot's 100 m margin is left out", lost);
        lost = margin_left_out(s, "FIELD", z, 100);
        ASSERT_MSG(lost < 1, "%.0f m2 of the field's 100 m margin is left out", lost);
        dm_geom_free(z);
        dm_store_close(s);
    }
}

/* A hazard partly released: the land released (reviewed) is no longer
 * shown as dangerous to those who go back to it (the whole outline was
 * drawn). The margin is kept around the part not released; land released
 * in a report still a draft is not taken out. */
TEST(danger_zones_leave_out_the_land_released)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("rel.gpkg"), DM_STORE_CREATE, &s));
    add_hz(s, "PART-1", 47.00, 40.00, 47.01, 40.01);
    char hz[37];
    {
        const char *f[] = {"ref"}, *v[] = {"PART-1"};
        dm_select sel;
        memset(&sel, 0, sizeof sel);
        sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, "hazards", &sel, &c));
        ASSERT(dm_cursor_next(c) == 1);
        snprintf(hz, sizeof hz, "%s", dm_cursor_uuid(c));
        dm_cursor_free(c);
    }
    /* a draft survey that would release the south strip */
    char act[37];
    dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "activity_type", "nts"));
    ASSERT_OK(dm_row_set(r, "status", "draft"));
    ASSERT_OK(dm_store_insert(s, r, act));
    dm_row_free(r);
    const struct {
        double x0, y0, x1, y1;
        const char *activity;
    } rel[] = {{47.00, 40.00, 47.007, 40.01, NULL}, {47.007, 40.00, 47.01, 40.002, act}};
    for (int i = 0; i < 2; i++) {
        char wkt[256];
        snprintf(wkt, sizeof wkt, "MULTIPOLYGON(((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f)))", rel[i].x0,
                 rel[i].y0, rel[i].x1, rel[i].y0, rel[i].x1, rel[i].y1, rel[i].x0, rel[i].y1, rel[i].x0, rel[i].y0);
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        r = dm_row_new(ctx, dm_layer_find("release_areas"));
        ASSERT_OK(dm_row_set(r, "hazard_id", hz));
        ASSERT_OK(dm_row_set(r, "outcome", "cancelled"));
        if (rel[i].activity)
            ASSERT_OK(dm_row_set(r, "activity_id", rel[i].activity));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, NULL));
        dm_row_free(r);
    }
    dm_geom *z = NULL, *west = NULL, *east = NULL, *south = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &z));
    ASSERT(z);
    /* 4 to 5 hundred metres from the part not released */
    ASSERT_OK(dm_geom_point(ctx, 47.0015, 40.005, &west));
    ASSERT_OK(dm_geom_point(ctx, 47.0085, 40.006, &east));
    ASSERT_OK(dm_geom_point(ctx, 47.0085, 40.0005, &south));
    ASSERT_MSG(!dm_geom_intersects(z, west), "land released is shown as a danger zone");
    ASSERT(dm_geom_intersects(z, east));
    ASSERT_MSG(dm_geom_intersects(z, south), "land a draft report releases is taken out of the zones");
    dm_geom_free(west), dm_geom_free(east), dm_geom_free(south);
    /* the window's zones agree */
    double box[4] = {46.99, 39.99, 47.02, 40.02};
    dm_geom *in = NULL;
    ASSERT_OK(dm_danger_zones_in(s, NULL, box, &in));
    ASSERT(in);
    double a = area_in(ctx, z, box), b = area_in(ctx, in, box);
    ASSERT_MSG(fabs(a - b) <= 0.001 * a, "the window's zones %g, the country's %g", b, a);
    dm_geom_free(in);
    dm_geom_free(z);
    dm_store_close(s);
}

/* The grid of a hazard was the UTM zone of the middle of all the hazards:
 * a hazard opened or closed far away moved the cells of every other (two
 * maps of the same hazard on two grids narrow down where it lies), and
 * hazards on two continents were drawn in a zone far from either, their
 * margin halved. Each hazard is now drawn on its own UTM zone. */
TEST(danger_zone_of_a_hazard_does_not_move_with_hazards_far_away)
{
    dm_ctx *ctx = dmtest_ctx();
    const double spot[10] = {600010, 4420010, 600012, 4420010, 600012, 4420012, 600010, 4420012, 600010, 4420010};
    double box[4] = {46.0, 39.8, 46.4, 40.1}, a[3] = {0}, bb[3][4];
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "far%d.gpkg", k);
        dm_store *s = NULL;
        ASSERT_OK(dm_store_open(ctx, dmtest_path(name), DM_STORE_CREATE, &s));
        add_utm_hz(s, "HERE", 32638, spot, 5);
        if (k == 1) /* another in zone 39: the middle of the two, 48.3 E, is in zone 39 */
            add_hz(s, "EAST", 50.40, 40.00, 50.41, 40.01);
        if (k == 2) /* and one in Colombia */
            add_hz(s, "COL", -75.90, 5.10, -75.899, 5.101);
        dm_geom *z = NULL, *clip = NULL;
        ASSERT_OK(dm_danger_zones(s, NULL, &z));
        ASSERT(z);
        a[k] = area_in(ctx, z, box);
        double xy[10] = {box[0], box[1], box[2], box[1], box[2], box[3], box[0], box[3], box[0], box[1]};
        dm_geom *bx = NULL;
        ASSERT_OK(dm_geom_polygon(ctx, xy, 5, &bx));
        ASSERT_OK(dm_geom_intersection(ctx, z, bx, &clip));
        ASSERT(dm_geom_bounds(clip, bb[k]));
        ASSERT_MSG(fabs(a[k] - a[0]) <= 1e-9 * a[0], "map %d: the zone is %.9g, alone %.9g", k, a[k], a[0]);
        for (int i = 0; i < 4; i++)
            ASSERT_NEAR(bb[k][i], bb[0][i], 1e-7);
        if (k == 2) {
            double lost = margin_left_out(s, "COL", z, 75);
            ASSERT_MSG(lost < 1, "the hazard far from the others: %.0f m2 of its first 75 m left out", lost);
        }
        dm_geom_free(bx), dm_geom_free(clip), dm_geom_free(z);
        dm_store_close(s);
    }
}

/* A hazard of 2 x 2 degrees: its edges, straight in degrees, were taken to
 * metres by their ends only, and 157 ha along its north edge were left out
 * of the zones. Every part of it is in them. */
TEST(danger_zone_of_a_huge_hazard_covers_it_all)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("huge.gpkg"), DM_STORE_CREATE, &s));
    add_hz(s, "HUGE", 46, 39, 48, 41);
    dm_geom *z = NULL, *g = NULL, *out = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &z));
    ASSERT(z);
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46 39,48 39,48 41,46 41,46 39))", &g));
    ASSERT_OK(dm_geom_difference(ctx, g, z, &out));
    double ha = 0;
    if (!dm_geom_is_empty(out))
        ASSERT_OK(dm_geom_area_ha(ctx, out, &ha));
    ASSERT_MSG(ha < 0.01, "%.1f ha of the hazard is left out of the zones", ha);
    dm_geom_free(z), dm_geom_free(g), dm_geom_free(out);
    dm_store_close(s);
}
