/* SPDX-License-Identifier: MIT
 *
 * demo_spots.c -- the field teams of the demo: search spots drawn by `risk
 * spots` against the scenario's hidden truth, so that training and `make
 * demo` can run the whole loop (draw, search, recalibrate) without a team
 * in the field. A spot holds an item when an emplaced item not yet found
 * (no find within a metre of it) lies in the spot's cell.
 */
#include "core/dm_internal.h"
#include "demine/dm_demo.h"
#include "demine/dm_geom.h"
#include "demine/dm_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The points of a layer in t's CRS (xy pairs, dm_free). */
static dm_status layer_points(dm_ctx *ctx, dm_store *s, const char *layer, dm_transform *t,
                              double **xy, size_t *n)
{
    *xy = NULL, *n = 0;
    size_t cap = 0;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, NULL, &c);
    int r = 0;
    while (!st && (r = dm_cursor_next(c)) == 1) {
        dm_geom *g = NULL;
        double b[4];
        if (dm_cursor_geom(c, &g) || !g || !dm_geom_bounds(g, b)) {
            dm_geom_free(g);
            continue;
        }
        dm_geom_free(g);
        if (*n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *v = dm_realloc(ctx, *xy, cap * 2 * sizeof *v);
            if (!v) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                break;
            }
            *xy = v;
        }
        (*xy)[2 * *n] = (b[0] + b[2]) / 2, (*xy)[2 * *n + 1] = (b[1] + b[3]) / 2;
        st = dm_transform_xy(t, &(*xy)[2 * *n], &(*xy)[2 * *n + 1], 1);
        (*n)++;
    }
    if (!st && r < 0)
        st = dm_ctx_errcode(ctx);
    dm_cursor_free(c);
    return st;
}

static int cmp_x(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* First index of sorted xy pairs with x >= v. */
static size_t lower_x(const double *xy, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xy[2 * mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

dm_status dm_demo_search_spots(dm_ctx *ctx, dm_store *s, dm_spot *spots, size_t n,
                               size_t *found)
{
    *found = 0;
    long nt = 0;
    dm_status st = dm_store_count(s, "truth_items", NULL, &nt);
    if (st)
        return st;
    if (nt == 0)
        return dm__fail(ctx, DM_ENOTFOUND, "%s: no truth_items (only demo databases have them)",
                        dm_store_path(s));
    if (!n)
        return DM_OK;
    char crs[32];
    snprintf(crs, sizeof crs, "EPSG:%d", dm_utm_epsg(spots[0].lon, spots[0].lat));
    dm_transform *t = NULL;
    double *truth = NULL, *finds = NULL;
    size_t ntr = 0, nf = 0;
    if ((st = dm_transform_new(ctx, "EPSG:4326", crs, &t)) ||
        (st = layer_points(ctx, s, "truth_items", t, &truth, &ntr)) ||
        (st = layer_points(ctx, s, "items", t, &finds, &nf)))
        goto done;
    qsort(truth, ntr, 2 * sizeof *truth, cmp_x);
    qsort(finds, nf, 2 * sizeof *finds, cmp_x);
    /* the items still in the ground: no find within a metre */
    size_t left = 0;
    for (size_t i = 0; i < ntr; i++) {
        double x = truth[2 * i], y = truth[2 * i + 1];
        int gone = 0;
        for (size_t k = lower_x(finds, nf, x - 1); k < nf && finds[2 * k] <= x + 1 && !gone; k++)
            gone = hypot(finds[2 * k] - x, finds[2 * k + 1] - y) <= 1.0;
        if (!gone)
            truth[2 * left] = x, truth[2 * left + 1] = y, left++;
    }
    for (size_t i = 0; i < n && !st; i++) {
        double x = spots[i].lon, y = spots[i].lat, h = (spots[i].cell_m > 0 ? spots[i].cell_m : 10) / 2;
        if ((st = dm_transform_xy(t, &x, &y, 1)))
            break;
        int hit = 0;
        for (size_t k = lower_x(truth, left, x - h); k < left && truth[2 * k] < x + h && !hit; k++)
            hit = fabs(truth[2 * k + 1] - y) < h;
        spots[i].label = hit;
        *found += (size_t)hit;
    }
done:
    dm_transform_free(t);
    dm_free(ctx, truth);
    dm_free(ctx, finds);
    return st;
}
