/* SPDX-License-Identifier: MIT
 *
 * hazard_internal.h -- what a hazard's completion report shares between its
 * gathering (hazard_data.c, from the store) and its drawing
 * (hazard_report.c): the hazard, its land release figures, activities,
 * inspections, finds, accidents, life cycle and turning points.
 */
#ifndef DM_HAZARD_INTERNAL_H
#define DM_HAZARD_INTERNAL_H

#include "core/dm_internal.h"

#include "demine/dm_geom.h"
#include "demine/dm_store.h"

/* one vertex of a ring: its number, degrees and UTM metres, the distance
 * (m) and true bearing (degrees) to the next vertex of the ring */
typedef struct hz_point {
    int no;
    double lon, lat, e, n, dist, bearing;
} hz_point;

typedef struct hz_activity {
    char uuid[37], ref[64], type[16], org[96], start[11], end[11], method[96];
    double cancelled, reduced, cleared; /* as the activity records them, ha (-1 none) */
    long items;                         /* items it found (quantities) */
    char inspects[37];                  /* qc: the activity it checks */
} hz_activity;

typedef struct hz_release {
    char activity[37], date[11];
    int rank;      /* 0 cleared, 1 reduced, 2 cancelled, 3 unknown */
    double ha;     /* land it adds, counted once */
    dm_coords c;   /* its polygon, degrees */
} hz_release;

typedef struct hz_item {
    char category[8], model[64], fate[24];
    long qty;
    double lon, lat;
} hz_item;

typedef struct hz_accident {
    char ref[64], date[11], device[64];
    long killed, injured, victims;
    int demining;
    double lon, lat, dist_m; /* 0 inside the hazard */
} hz_accident;

/* a feature of the map around the hazard, for orientation */
enum { HZ_F_SETTLEMENT, HZ_F_WATER, HZ_F_ROAD, HZ_F_TRACK, HZ_F_BUILDING };
typedef struct hz_feat {
    int cls;
    dm_coords c;
    double cx, cy;
    char name[96];
} hz_feat;

typedef struct hz_status {
    char date[11], from[20], to[20], author[64];
    char reason[300];
} hz_status;

typedef struct hz_data {
    dm_ctx *ctx;
    char uuid[37], ref[200], name[200], type[8], status[20], status_date[11];
    char district[128], settlement[128], organisation[128], ordnance[64], reported[11];
    char date[11];   /* the report's */
    int utm_epsg;
    double est_ha, remaining_ha, released_ha, route_ha[3]; /* cleared, reduced, cancelled */
    double unknown_ha;     /* release areas without an outcome the store knows */
    int remaining_stored;  /* remaining_ha as the hazard records it (else computed) */
    double p_contam, expected_items; /* NAN: no risk map written back */
    double bounds[4];      /* the map's extent, degrees */
    dm_coords poly;        /* the hazard's polygon, degrees */
    hz_point *tp;          /* its turning points, ring by ring */
    size_t n_tp;
    size_t *tp_ring;       /* n_ring + 1 starts into tp */
    size_t n_ring;
    hz_point *rp;          /* those of the land remaining (none when all or none is released) */
    size_t n_rp;
    size_t *rp_ring;
    size_t n_rring;
    hz_release *rel;
    size_t n_rel;
    hz_activity *act;      /* work on the hazard, then the inspections of it */
    size_t n_act, n_work;
    long n_pending;        /* field reports on it awaiting review (drafts), not counted */
    char pending[300];     /* their refs, up to 5 */
    hz_item *item;
    size_t n_item;
    long items_total;
    hz_accident *acc;
    size_t n_acc;
    hz_status *hist;
    size_t n_hist;
    hz_feat *feat;         /* roads, rivers, settlements, buildings about it */
    size_t n_feat;
} hz_data;

/* Gather the hazard id (ref, uuid or uuid prefix) into d (zeroed first).
 * DM_ENOTFOUND names id and the refs close to it. */
dm_status dm__hazard_gather(dm_store *s, const char *id, const char *date, hz_data *d);
void dm__hazard_free(hz_data *d);

/* 1 when the hazard is released: closed or handed over. */
int dm__hazard_released(const hz_data *d);

#endif
