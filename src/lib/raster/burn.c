/* SPDX-License-Identifier: MIT
 *
 * burn.c -- rasterising flattened geometries (dm_coords) onto a grid:
 * points into their cell, lines by exact grid traversal (Amanatides-Woo)
 * after clipping to the grid, polygons by scanlines through cell centres
 * with the even-odd rule over all rings; and the mask of an area's cells.
 */
#include "core/dm_internal.h"
#include "demine/dm_raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline void put(float *buf, size_t k, float v, dm_burn_op op)
{
    switch (op) {
    case DM_BURN_SET: buf[k] = v; break;
    case DM_BURN_ADD: buf[k] += v; break;
    case DM_BURN_MAX: if (v > buf[k]) buf[k] = v; break;
    }
}

static void burn_point(const dm_grid *g, double x, double y, float v, dm_burn_op op, float *buf)
{
    double fx = (x - g->x0) / g->cell, fy = (g->y0 - y) / g->cell;
    if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
        return;
    put(buf, (size_t)(int)fy * g->nx + (size_t)(int)fx, v, op);
}

/* Clip the segment (in cell units) to [0,nx] x [0,ny]; 0 when outside. */
static int clip(double *ax, double *ay, double *bx, double *by, double nx, double ny)
{
    double t0 = 0, t1 = 1, dx = *bx - *ax, dy = *by - *ay;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {*ax, nx - *ax, *ay, ny - *ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    double x0 = *ax + t0 * dx, y0 = *ay + t0 * dy;
    *bx = *ax + t1 * dx;
    *by = *ay + t1 * dy;
    *ax = x0;
    *ay = y0;
    return 1;
}

static void burn_segment(const dm_grid *g, double x0, double y0, double x1, double y1, float v,
                         dm_burn_op op, float *buf)
{
    double ax = (x0 - g->x0) / g->cell, ay = (g->y0 - y0) / g->cell;
    double bx = (x1 - g->x0) / g->cell, by = (g->y0 - y1) / g->cell;
    if (!isfinite(ax + ay + bx + by) || !clip(&ax, &ay, &bx, &by, g->nx, g->ny))
        return;
    int i = (int)floor(ax), j = (int)floor(ay);
    int ie = (int)floor(bx), je = (int)floor(by);
    /* clipping can leave a coordinate a rounding error outside the grid */
    i = i < 0 ? 0 : i >= g->nx ? g->nx - 1 : i;
    j = j < 0 ? 0 : j >= g->ny ? g->ny - 1 : j;
    ie = ie < 0 ? 0 : ie >= g->nx ? g->nx - 1 : ie;
    je = je < 0 ? 0 : je >= g->ny ? g->ny - 1 : je;
    double dx = bx - ax, dy = by - ay;
    int si = dx > 0 ? 1 : -1, sj = dy > 0 ? 1 : -1;
    double tdx = dx != 0 ? fabs(1.0 / dx) : INFINITY, tdy = dy != 0 ? fabs(1.0 / dy) : INFINITY;
    double tmx = dx > 0 ? (i + 1 - ax) * tdx : dx < 0 ? (ax - i) * tdx : INFINITY;
    double tmy = dy > 0 ? (j + 1 - ay) * tdy : dy < 0 ? (ay - j) * tdy : INFINITY;
    size_t steps = (size_t)(abs(ie - i) + abs(je - j));
    put(buf, (size_t)j * g->nx + i, v, op);
    for (size_t s = 0; s < steps; s++) {
        if (tmx < tmy) {
            tmx += tdx;
            i += si;
        } else {
            tmy += tdy;
            j += sj;
        }
        if (i < 0 || j < 0 || i >= g->nx || j >= g->ny)
            break;
        put(buf, (size_t)j * g->nx + i, v, op);
    }
}

typedef struct xcut {
    double *x;
    size_t n, cap;
} xcut;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void burn_rings(const dm_grid *g, const dm_coords *c, float v, dm_burn_op op, float *buf)
{
    double miny = INFINITY, maxy = -INFINITY;
    size_t n_edges = 0;
    for (size_t p = 0; p < c->n_parts; p++) {
        if (c->kind[p] < 2)
            continue;
        for (size_t k = c->start[p]; k < c->start[p + 1]; k++) {
            double y = c->xy[2 * k + 1];
            if (y < miny) miny = y;
            if (y > maxy) maxy = y;
        }
        n_edges += c->start[p + 1] - c->start[p];
    }
    if (!n_edges)
        return;
    /* rows whose centre lies in [miny, maxy] */
    int j0 = (int)ceil((g->y0 - maxy) / g->cell - 0.5), j1 = (int)floor((g->y0 - miny) / g->cell - 0.5);
    if (j0 < 0) j0 = 0;
    if (j1 > g->ny - 1) j1 = g->ny - 1;
    if (j0 > j1)
        return;
    double *xs = malloc((n_edges + 2) * sizeof *xs);
    if (!xs)
        return;
    for (int j = j0; j <= j1; j++) {
        double yc = g->y0 - (j + 0.5) * g->cell;
        size_t m = 0;
        for (size_t p = 0; p < c->n_parts; p++) {
            if (c->kind[p] < 2)
                continue;
            size_t s = c->start[p], e = c->start[p + 1];
            if (e - s < 3)
                continue;
            for (size_t k = s; k < e; k++) {
                size_t k2 = k + 1 < e ? k + 1 : s;
                double ax = c->xy[2 * k], ay = c->xy[2 * k + 1];
                double bx = c->xy[2 * k2], by = c->xy[2 * k2 + 1];
                if ((ay <= yc) == (by <= yc))
                    continue;
                xs[m++] = ax + (yc - ay) * (bx - ax) / (by - ay);
            }
        }
        if (m < 2)
            continue;
        qsort(xs, m, sizeof *xs, cmp_double);
        for (size_t q = 0; q + 1 < m; q += 2) {
            /* cells whose centre x in [xs[q], xs[q+1]) */
            double a = (xs[q] - g->x0) / g->cell - 0.5, b = (xs[q + 1] - g->x0) / g->cell - 0.5;
            long i0 = (long)ceil(a), i1 = (long)ceil(b) - 1;
            if (i0 < 0) i0 = 0;
            if (i1 > g->nx - 1) i1 = g->nx - 1;
            float *row = buf + (size_t)j * g->nx;
            for (long i = i0; i <= i1; i++)
                put(row, (size_t)i, v, op);
        }
    }
    free(xs);
}

void dm_burn_coords(const dm_grid *g, const dm_coords *c, float value, dm_burn_op op,
                    int all_touched, float *buf)
{
    int has_rings = 0;
    for (size_t p = 0; p < c->n_parts; p++) {
        size_t s = c->start[p], e = c->start[p + 1];
        if (c->kind[p] == 0) {
            for (size_t k = s; k < e; k++)
                burn_point(g, c->xy[2 * k], c->xy[2 * k + 1], value, op, buf);
        } else if (c->kind[p] == 1 || (all_touched && op != DM_BURN_ADD)) {
            if (e - s == 1)
                burn_point(g, c->xy[2 * s], c->xy[2 * s + 1], value, op, buf);
            for (size_t k = s; k + 1 < e; k++)
                burn_segment(g, c->xy[2 * k], c->xy[2 * k + 1], c->xy[2 * k + 2], c->xy[2 * k + 3],
                             value, op, buf);
        }
        if (c->kind[p] >= 2)
            has_rings = 1;
    }
    if (has_rings)
        burn_rings(g, c, value, op, buf);
}

dm_status dm_raster_mask_area(dm_ctx *ctx, const dm_geom *area, const dm_grid *g,
                              unsigned char **out)
{
    *out = NULL;
    size_t n = dm_grid_cells(g);
    float *f = dm_raster_alloc(n);
    unsigned char *mask = malloc(n ? n : 1);
    dm_coords c = {0};
    dm_transform *t = NULL;
    dm_status st = (!f || !mask) ? dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", n) : DM_OK;
    if (!st)
        st = dm_geom_coords(ctx, area, &c);
    if (!st)
        st = dm_transform_new(ctx, "EPSG:4326", g->crs, &t);
    if (!st)
        for (size_t k = 0; k < c.n_xy && !st; k++)
            st = dm_transform_xy(t, &c.xy[2 * k], &c.xy[2 * k + 1], 1);
    if (!st) {
        memset(f, 0, n * sizeof *f);
        dm_burn_coords(g, &c, 1.0f, DM_BURN_SET, 0, f);
        for (size_t k = 0; k < n; k++)
            mask[k] = f[k] > 0;
        *out = mask;
        mask = NULL;
    }
    dm_transform_free(t);
    dm_coords_free(ctx, &c);
    dm_raster_free(f, n);
    free(mask);
    return st;
}
