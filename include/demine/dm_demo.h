/* SPDX-License-Identifier: MIT
 *
 * dm_demo.h -- a synthetic but realistic Karabakh scenario for tests, demos
 * and benchmarks: settlements, roads, rivers, a former front line with
 * doctrinal minefields, nuisance mines and UXO (the truth, kept in truth_*
 * layers), and what an agency would hold of it: minefield records with
 * Karabakh-like errors, hazards, accidents, surveys and clearance with finds.
 */
#ifndef DM_DEMO_H
#define DM_DEMO_H

#include "demine/dm_core.h"
#include "demine/dm_evidence.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_demo_scale {
    DM_DEMO_SMALL = 0,   /* about 100 km2 east of Aghdam; seconds; for tests */
    DM_DEMO_NATIONAL = 1 /* about 8,000 km2 (lon 46.43-47.67, lat 39.4-40.1) */
} dm_demo_scale;

typedef struct dm_demo_opts {
    dm_demo_scale scale;
    uint64_t seed; /* same seed and scale: same content (timestamps aside) */
} dm_demo_opts;

/* What was generated, and the error figures the scenario actually has. */
typedef struct dm_demo_summary {
    double area_km2;
    long organisations, districts, features, truth_minefields, truth_items;
    long records, record_rows, record_mines, hazards, hazard_status;
    long activities, activity_hazards, release_areas, items, accidents, victims;
    long events, sensors, flights, detections;
    long proposals; /* field reports awaiting review that propose a new hazard */
    long qc_inspections; /* of activities: the quality control inspections (type qc) */
    long eore_sessions;  /* risk education sessions (layer eore_sessions) */
    /* share of recorded mines (record_mines) within 5 m of a real mine */
    double record_accuracy_5m;
    /* share of accidents outside every record perimeter */
    double accidents_outside_records;
    /* share of hazard area that lies inside a real minefield */
    double hazard_mined_share;
    /* share of truth items inside some hazard */
    double items_in_hazards;
    double seconds;
} dm_demo_summary;

/* Generate the scenario into s (normally a new, empty database) in one
 * transaction: all or nothing. Geometries are built in UTM 38N (EPSG:32638)
 * and stored in WGS 84. Also writes dm_meta keys "demo_scale", "demo_seed",
 * "demo_record_accuracy_5m", "demo_accidents_outside_records" and
 * "demo_hazard_mined_share". Progress goes to the context's sink as
 * "demo". summary may be NULL.
 * Errors: DM_EINVAL (bad options), DM_ECONFLICT (the database already holds
 * demo rows with the same uuids), store and geometry errors. */
DM_API dm_status dm_demo_generate(dm_ctx *ctx, dm_store *s, const dm_demo_opts *opts,
                                  dm_demo_summary *summary);

/* Play the field teams: search each of n spots (from dm_spots_read) against
 * the demo's hidden truth and set its label to 1 when an emplaced item not
 * yet found (no find within 1 m) lies in its cell (cell_m square in the
 * local UTM zone), else 0; *found counts the 1s. For training and the demo
 * only. Errors: DM_ENOTFOUND (no truth_items: not a demo database). */
DM_API dm_status dm_demo_search_spots(dm_ctx *ctx, dm_store *s, dm_spot *spots, size_t n,
                                      size_t *found);

#ifdef __cplusplus
}
#endif
#endif /* DM_DEMO_H */
