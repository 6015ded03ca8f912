/* SPDX-License-Identifier: MIT
 *
 * records_internal.h -- what the records engines share: a uniform grid index
 * over points for nearest-neighbour look-ups, and small statistics helpers.
 */
#ifndef DM_RECORDS_INTERNAL_H
#define DM_RECORDS_INTERNAL_H

#include "core/dm_internal.h"
#include "demine/dm_records.h"

#include <stddef.h>

typedef struct dm__grid {
    const double *xy;
    size_t n;
    double x0, y0, cell;
    long nx, ny;
    size_t *start; /* nx*ny + 1 */
    size_t *idx;
} dm__grid;

/* Index n points with square cells of side cell (> 0). */
dm_status dm__grid_build(dm_ctx *ctx, dm__grid *g, const double *xy, size_t n, double cell);
void dm__grid_free(dm_ctx *ctx, dm__grid *g);
/* Nearest indexed point to (x, y) within maxd: its index, or (size_t)-1;
 * *d receives the distance (INFINITY when none). */
size_t dm__grid_nearest(const dm__grid *g, double x, double y, double maxd, double *d);

/* dm_match_points of a with the points gb indexes (b = gb->xy; any cell
 * size, a cell near tol is fastest). Without nearest_first the pairs are
 * not taken nearest first (faster; the same number of pairs). */
dm_status dm__match_grid(dm_ctx *ctx, const dm__grid *gb, const double *a, size_t na, double tol,
                         int nearest_first, size_t *mate, size_t *matched);

/* Quantile q (0..1) of v (n values; sorted in place). NAN when n == 0. */
double dm__quantile(double *v, size_t n, double q);

#endif

/* ---- store glue (gather.c) ---------------------------------------------- */
#include "demine/dm_store.h"

/* A point row of a layer, in the local metric frame. */
typedef struct dm__rpt {
    double x, y;
    char uuid[37];
    char *a, *b, *c; /* up to three text fields (dm_strdup'ed, may be NULL) */
} dm__rpt;

typedef struct dm__frame {
    dm_transform *fwd, *inv; /* WGS 84 -> UTM, UTM -> WGS 84 */
    int epsg;
} dm__frame;

/* A UTM frame for the centre of a layer's rows (or lon/lat 0, 0). */
dm_status dm__frame_for(dm_store *s, const char *layer, dm__frame *f);
void dm__frame_free(dm__frame *f);
/* 1 when a geometry's bounds lie in WGS 84 ranges. */
int dm__wgs84_bounds(const dm_geom *g);

/* Every point row of `layer` (optionally filtered by one field = value) with
 * up to three fields. Rows whose geometry is missing or not in WGS 84 are
 * counted in *bad (may be NULL) and skipped. Free with dm__rpts_free. */
dm_status dm__load_points(dm_store *s, const dm__frame *f, const char *layer, const char *eq_field,
                          const char *eq_value, const char *fa, const char *fb, const char *fc,
                          dm__rpt **out, size_t *n, size_t *bad);
void dm__rpts_free(dm_ctx *ctx, dm__rpt *p, size_t n);

/* Point-in-polygon over a (multi)polygon's rings by the even-odd rule, with
 * bounding boxes per ring: much faster than a GEOS call per point. */
typedef struct dm__poly {
    dm_coords c;
    double *rb; /* 4 per part */
    double b[4];
    int empty;
} dm__poly;

/* g may be NULL (an empty polygon: contains nothing). */
dm_status dm__poly_init(dm_ctx *ctx, const dm_geom *g, dm__poly *p);
int dm__poly_has(const dm__poly *p, double x, double y);
void dm__poly_free(dm_ctx *ctx, dm__poly *p);

/* ---- mines implied by record rows (rows_implied.c) ---------------------- */

#define DM__ROW_MINES_MAX 100000        /* mines derived from one row, at most */
#define DM__RECORD_ROW_MINES_MAX 1000000 /* from the rows of one record */

/* Told of a row used with a prior, or not used: rec is the record's uuid,
 * msg says which row and why (without the record). */
typedef void (*dm__rows_warn)(void *user, const char *rec, const char *msg);

/* The mines implied by the rows (record_rows) of one record (record: its
 * uuid) or of all (NULL) that have no recorded mine (record_mines): a row
 * whose record has no recorded mine, or whose row_no no recorded mine of
 * the record gives (when every recorded mine of the record gives one).
 * Along the whole polyline: `count` evenly from start to end (1: the
 * middle), else every `spacing_m` from the start, else the doctrinal
 * spacing of the row's category (AP 1 m, else 5 m; warned of). A row
 * giving more than DM__ROW_MINES_MAX mines, or beyond
 * DM__RECORD_ROW_MINES_MAX for its record, is warned of and not used.
 * Points in the frame f with an empty uuid (no record_mines row), a =
 * record_id, b = mine_type, c = category; free with dm__rpts_free. */
dm_status dm__rows_implied(dm_store *s, const dm__frame *f, const char *record, dm__rows_warn warn, void *user,
                           dm__rpt **out, size_t *n);
/* Append add (nadd points, taken over and freed) to *v (*n points). */
dm_status dm__rpts_append(dm_ctx *ctx, dm__rpt **v, size_t *n, dm__rpt *add, size_t nadd);
