/* SPDX-License-Identifier: MIT
 *
 * dm_danger.h -- the public danger map: hazard areas that are not yet
 * released, buffered, merged and simplified, so residents can be warned
 * without revealing item positions, records or anything personal.
 */
#ifndef DM_DANGER_H
#define DM_DANGER_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_danger_opts {
    double buffer_m;   /* safety margin around each hazard (default 100), kept
                        * whole after the simplification */
    double simplify_m; /* generalisation tolerance (default 25) */
    double cell_m;     /* each hazard becomes the cells of this grid it touches
                        * before the margin (default 50): no zone gives away
                        * where in its cell a small hazard lies */
} dm_danger_opts;

/* The danger zones of a database as one WGS 84 (multi)polygon, or *out =
 * NULL when no open hazard exists. Hazards with status closed or
 * handed_over are left out, and so is the land released by reviewed work
 * (release_areas whose activity is neither a draft nor rejected): it is
 * taken out of the hazards first. Each hazard is drawn on its own UTM zone
 * (that of its middle): it becomes the cells of the 50 m grid anchored at
 * that zone's origin that it touches, buffered there by the margin plus the
 * simplification tolerance, so that the 100 m margin is kept whole around
 * every cell once the merged zones are simplified. opts may be NULL.
 * Caller frees *out. */
DM_API dm_status dm_danger_zones(dm_store *s, const dm_danger_opts *opts, dm_geom **out);

/* The danger zones that meet bbox (W, S, E, N, WGS 84), each whole, as
 * dm_danger_zones draws them (the same 50 m grid on each hazard's own UTM
 * zone, whatever the box; the same zone areas within 0.1%:
 * the simplification may take other vertices), made only from the hazards
 * near them: for a map of one district rather than the country. *out is
 * NULL when none meets the box; bbox NULL is dm_danger_zones.
 * Errors: DM_EINVAL (a bbox not in degrees, or west above east), those of
 * dm_danger_zones. Caller frees *out. */
DM_API dm_status dm_danger_zones_in(dm_store *s, const dm_danger_opts *opts, const double *bbox, dm_geom **out);

/* The same as a GeoJSON FeatureCollection: one feature per zone with only
 * the properties {"zone": n, "area_ha": a}. Free with dm_free. */
DM_API dm_status dm_danger_zones_json(dm_store *s, const dm_danger_opts *opts, char **json);

/* Where (lon, lat) stands relative to zones (a geometry from
 * dm_danger_zones, may be NULL): *inside 1 or 0, *distance_m to the nearest
 * zone edge, measured in the point's own UTM zone (0 inside; -1 when there
 * are no zones). */
DM_API dm_status dm_danger_locate(dm_ctx *ctx, const dm_geom *zones, double lon, double lat,
                                  int *inside, double *distance_m);

/* The safety messages of the public danger map: each an id ("danger",
 * "caution", "unknown", "touch", "signs") and its text in English and
 * Azerbaijani (UTF-8). The table is static: never freed; *n gets the
 * number of messages (n may be NULL). */
typedef struct dm_danger_message {
    const char *id, *en, *az;
} dm_danger_message;
DM_API const dm_danger_message *dm_danger_messages(size_t *n);
/* The text of message id in Azerbaijani (az != 0) or English; NULL for an
 * unknown id. Static. */
DM_API const char *dm_danger_message_text(const char *id, int az);

#ifdef __cplusplus
}
#endif
#endif /* DM_DANGER_H */
