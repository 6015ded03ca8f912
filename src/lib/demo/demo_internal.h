/* SPDX-License-Identifier: MIT
 *
 * demo_internal.h -- the in-memory scenario shared by the demo generator's
 * files: the seeded random stream, the world (terrain, settlements, roads,
 * rivers, front line), the truth (minefields and items), and what the agency
 * holds (records, hazards, activities, accidents), all in UTM 38N metres
 * until demo_write.c converts and stores them.
 */
#ifndef DM_DEMO_INTERNAL_H
#define DM_DEMO_INTERNAL_H

#include "core/dm_internal.h"

#include <stdint.h>

/* ---- random stream (xoshiro256** seeded by splitmix64) ---------------- */
typedef struct dd_rng {
    uint64_t s[4];
} dd_rng;

void dd_rng_seed(dd_rng *r, uint64_t seed, uint64_t stream);
uint64_t dd_u64(dd_rng *r);
double dd_unif(dd_rng *r);                     /* [0, 1) */
double dd_range(dd_rng *r, double a, double b); /* [a, b) */
int dd_int(dd_rng *r, int a, int b);           /* a..b inclusive */
double dd_normal(dd_rng *r);                   /* N(0, 1) */
int dd_chance(dd_rng *r, double p);
int dd_poisson(dd_rng *r, double mean);
/* A version-4 uuid from the stream. */
void dd_uuid(dd_rng *r, char out[37]);

/* ---- dates (days since 1970-01-01) ------------------------------------- */
long dd_days(int y, int m, int d);
void dd_date_str(long days, char out[11]);

/* ---- small geometry in metres ------------------------------------------ */
typedef struct dd_pts {
    double *xy; /* n pairs */
    int n;
} dd_pts;

int dd_pip(const double *xy, int n, double x, double y);
double dd_ring_area(const double *xy, int n);
void dd_bbox(const double *xy, int n, double b[4]);
double dd_seg_dist(double px, double py, double ax, double ay, double bx, double by, double *t);

/* ---- the scenario ------------------------------------------------------- */
enum { CAT_AP = 0, CAT_AT, CAT_UXO, CAT_AXO, CAT_IED, CAT_SUB, CAT_N };
enum { PAT_DOCTRINAL = 0, PAT_NUISANCE, PAT_SCATTERED };
extern const char *const dd_cat_name[CAT_N];
extern const char *const dd_pattern_name[3];

typedef struct dd_district {
    char name[32], code[8];
    long population;
    dd_pts ring;
    char uuid[37];
} dd_district;

typedef struct dd_settlement {
    char name[40];
    double x, y, r;
    long population, returning;
    int district, west;
    char uuid[37];
} dd_settlement;

typedef struct dd_house {
    double x, y, ang;
    int settlement;
} dd_house;

typedef struct dd_line {
    dd_pts p;
    int cls; /* roads: 0 primary, 1 secondary, 2 track */
    char name[96];
} dd_line;

typedef struct dd_bridge {
    double x, y, ux, uy;
    int road, river;
} dd_bridge;

typedef struct dd_cemetery {
    dd_pts ring;
    double x, y;
    int settlement;
} dd_cemetery;

typedef struct dd_mrow {
    double off, sp; /* offset across the field, spacing along */
    int cat, n;
    const char *model;
} dd_mrow;

#define DD_MAX_ROWS 8
typedef struct dd_minefield {
    int pattern, side; /* side: +1 west (formerly occupied), -1 east */
    double x0, y0, ux, uy, len; /* doctrinal: start and direction of the rows */
    int nrows;
    dd_mrow row[DD_MAX_ROWS];
    dd_pts ring;
    double b[4];
    size_t first, count; /* its items */
    int record;         /* -1 when none */
    char uuid[37];
} dd_minefield;

typedef struct dd_item {
    double x, y, depth;
    int cat, pattern, mf, row;
    const char *model;
    int found, accident;
    char uuid[37];
} dd_item;

typedef struct dd_recrow {
    int rec, row_no, cat, count;
    const char *model;
    double sp, x0, y0, x1, y1;
} dd_recrow;

typedef struct dd_recmine {
    int rec, row_no, cat;
    const char *model;
    double x, y;
} dd_recmine;

typedef struct dd_record {
    char ref[24], source[64], mine_types[96], notes[80];
    int mf; /* -1: a record of nothing that is there */
    int mode;
    long laid, handed;
    dd_pts ring;
    double b[4], refx, refy;
    int first_row, nrows, first_mine, nmines, mines_at, mines_ap;
    char uuid[37];
} dd_record;

enum { HZ_RECORD = 0, HZ_BELT, HZ_SETTLEMENT, HZ_REPORT };

typedef struct dd_hazard {
    char ref[24], name[112], ordnance[24], settlement[40], org[48], notes[96];
    int kind, cha, reliability, classification, district, mf, record;
    char grade;
    dd_pts ring;
    double b[4], area_ha, released_ha;
    long reported;
    int status; /* 0 open, 1 partly_released, 2 closed, 3 handed_over */
    char uuid[37];
} dd_hazard;

typedef struct dd_hstatus {
    int hazard, from, to;
    long date;
    const char *reason;
} dd_hstatus;

enum { ACT_NTS = 0, ACT_TS, ACT_CLEAR, ACT_EOD, ACT_BAC };
extern const char *const dd_act_name[5];

typedef struct dd_activity {
    char ref[24], org[48], method[48], notes[96];
    int type, hazard, draft;
    long start, end;
    double a_cancel, a_reduce, a_clear, depth;
    dm_geom *geom; /* UTM, owned */
    char uuid[37];
} dd_activity;

typedef struct dd_release {
    int activity, hazard, outcome; /* 0 cancelled, 1 reduced, 2 cleared */
    long date;
    char uuid[37];
} dd_release;

typedef struct dd_found {
    int item, activity, hazard;
    long date;
    double x, y;
    char uuid[37];
} dd_found;

typedef struct dd_accident {
    int item, demining, killed, injured, district, inside_record;
    long date;
    double x, y;
    const char *doing;
    char settlement[40];
    char uuid[37];
} dd_accident;

typedef struct dd_victim {
    int accident, female, age, category, killed;
    const char *doing;
    char name[48];
    char uuid[37];
} dd_victim;

typedef struct dd_report {
    double x, y;
    long date;
    int cat, founded, district;
    char settlement[40];
    char uuid[37];
} dd_report;

typedef struct dd_link {
    int activity, hazard;
} dd_link;

#define DD_VEC(T)                                                                                  \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

typedef struct dd_world {
    dm_ctx *ctx;
    int scale;
    uint64_t seed;
    dd_rng rng, ids;
    double x0, y0, x1, y1; /* UTM extent */
    double density;        /* mines scale factor */
    /* coordinate arena */
    void **chunks;
    size_t n_chunks, cap_chunks, chunk_used, chunk_size;
    char *chunk;
    DD_VEC(dd_district) districts;
    DD_VEC(dd_settlement) settlements;
    DD_VEC(dd_house) houses;
    DD_VEC(dd_line) roads;
    DD_VEC(dd_line) rivers;
    DD_VEC(dd_bridge) bridges;
    DD_VEC(dd_cemetery) cemeteries;
    dd_pts front;
    double *front_s; /* cumulative length at each vertex */
    DD_VEC(double) positions; /* x, y pairs of military positions */
    DD_VEC(dd_minefield) mfs;
    DD_VEC(dd_item) items;
    DD_VEC(dd_record) records;
    DD_VEC(dd_recrow) recrows;
    DD_VEC(dd_recmine) recmines;
    DD_VEC(dd_hazard) hazards;
    DD_VEC(dd_hstatus) hstatus;
    DD_VEC(dd_activity) acts;
    DD_VEC(dd_release) releases;
    DD_VEC(dd_found) found;
    DD_VEC(dd_accident) accidents;
    DD_VEC(dd_victim) victims;
    DD_VEC(dd_link) links;
    DD_VEC(dd_report) reports;
    /* item index: items sorted by grid cell */
    double cell;
    long gx, gy;
    size_t *cell_start; /* gx*gy+1 */
    size_t *cell_items;
    /* figures */
    double accuracy_5m, outside_records, mined_share, items_in_hazards;
} dd_world;

/* Grow a vector by one element (zeroed); NULL when out of memory. */
void *dd_grow(dd_world *w, void **v, size_t *n, size_t *cap, size_t elsz);
#define DD_PUSH(w, vec) ((__typeof__((vec).v))dd_grow((w), (void **)&(vec).v, &(vec).n, &(vec).cap, sizeof *(vec).v))

/* Coordinates that live as long as the world. */
double *dd_alloc_xy(dd_world *w, int n);
dm_status dd_pts_make(dd_world *w, dd_pts *p, int n);

/* Ring helpers (results in the arena). */
dm_status dd_rect(dd_world *w, dd_pts *out, double cx, double cy, double ux, double uy, double hl,
                  double hw);
dm_status dd_blob(dd_world *w, dd_pts *out, double cx, double cy, double r, int n, double irr);

/* Distance from the front line; side (+1 west, -1 east) and arc position. */
double dd_front_dist(const dd_world *w, double x, double y, int *side, double *s);
/* Point and unit tangent at arc position s of the front line. */
void dd_front_at(const dd_world *w, double s, double *x, double *y, double *ux, double *uy);
double dd_front_len(const dd_world *w);
int dd_district_at(const dd_world *w, double x, double y);
int dd_nearest_settlement(const dd_world *w, double x, double y, double *d);

/* Item spatial index (built after every truth item exists). */
dm_status dd_index_items(dd_world *w);
/* Visit items whose cell meets the box; stop when fn returns nonzero. */
int dd_items_in_box(const dd_world *w, const double b[4], int (*fn)(void *, size_t), void *user);
/* Set in[i] to 1 for every truth item i inside ring (whose bounds are b). */
void dd_mark_items_in(const dd_world *w, const dd_pts *ring, const double b[4], unsigned char *in);
/* Distance to the nearest truth item within maxd (or > maxd). */
double dd_nearest_item(const dd_world *w, double x, double y, double maxd, size_t *which);

/* An accident at truth item `item` (with its victims). */
dm_status dd_add_accident(dd_world *w, size_t item, long date, int demining, double x, double y);
/* 1 when (x, y) lies inside some record perimeter. */
int dd_in_record(const dd_world *w, double x, double y);
/* A polygon of n points around an ellipse with semi-axes a (along (ux, uy))
 * and b, its radius varying by up to irr. */
dm_status dd_ellipse(dd_world *w, dd_pts *out, double cx, double cy, double ux, double uy, double a,
                     double b, int n, double irr);

/* Generation stages, in order. */
dm_status dd_make_world(dd_world *w);
dm_status dd_make_mines(dd_world *w);
dm_status dd_make_records(dd_world *w);
dm_status dd_make_hazards(dd_world *w);
dm_status dd_make_activities(dd_world *w);
dm_status dd_make_accidents(dd_world *w);
/* Reports of items seen by the public (events), some unfounded. */
dm_status dd_make_reports(dd_world *w);
dm_status dd_write(dd_world *w, dm_store *s, dm_demo_summary *sum);
/* Sensors, their rates, flights and detections (written directly). */
dm_status dd_write_sensors(dd_world *w, dm_store *s, dm_transform *t, long counts[3]);
/* Risk education sessions in some settlements (demo_eore.c), from a random
 * stream of their own, written after the rest; *count of them. */
dm_status dd_write_eore(dd_world *w, dm_store *s, long *count);
/* Post-clearance inspections of some finished clearance tasks (demo_qc.c),
 * finding the truth items the clearance missed in their plots, from random
 * streams of their own, written after the rest; counted in sum (NULL: not). */
dm_status dd_write_qc(dd_world *w, dm_store *s, dm_demo_summary *sum);

#endif
