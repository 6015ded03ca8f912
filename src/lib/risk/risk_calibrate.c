/* SPDX-License-Identifier: MIT
 *
 * risk_calibrate.c -- calibration of the expected number of items against
 * finished searches of the ground. The model's weights rank land well, but
 * its intercept sets how many items a hectare holds, and a hand-set or
 * fitted intercept can be off by an order of magnitude. Land that was
 * physically searched (manual, mechanical, dogs...) tells the truth: the
 * items found there, divided by the method's detection probability, against
 * what the model predicts there *before* the search (the map computed
 * without the released land and without the finds inside it, two-fold over
 * a checkerboard of ~1 km blocks so that neighbouring finds stay known).
 * The ratio, shrunk towards 1 when little was searched, scales the
 * intensity.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <math.h>
#include <string.h>

/* Pseudo-items of the gamma prior on the factor (mean 1): with fewer items
 * found or predicted than this, the factor stays near 1. */
#define PRIOR_ITEMS 10.0
/* A method that finds at least this share of items searched the ground. */
#define MIN_P_DETECT 0.85
#define MAX_FACTOR 1000.0
#define MIN_FACTOR 0.001

/* Even-odd test of a point against the rings of c (outer and inner). */
static int inside_rings(const dm_coords *c, double x, double y)
{
    int in = 0;
    for (size_t k = 0; k < c->n_parts; k++) {
        if (c->kind[k] < 2)
            continue;
        size_t a = c->start[k], b = c->start[k + 1];
        for (size_t i = a, j = b - 1; i < b; j = i++) {
            double xi = c->xy[2 * i], yi = c->xy[2 * i + 1];
            double xj = c->xy[2 * j], yj = c->xy[2 * j + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

static int has_ring(const dm_coords *c)
{
    for (size_t k = 0; k < c->n_parts; k++)
        if (c->kind[k] >= 2)
            return 1;
    return 0;
}

static int is_zone(const dm_evidence *e)
{
    return e->kind == DM_EV_CLEARED && e->p_detect >= MIN_P_DETECT && has_ring(&e->xy);
}

static int point_of(const dm_evidence *e, double *x, double *y)
{
    if (e->xy.n_parts != 1 || e->xy.kind[0] != 0 || e->xy.n_xy < 1)
        return 0;
    *x = e->xy.xy[0], *y = e->xy.xy[1];
    return 1;
}

/* The fold (0 or 1) of a point: a checkerboard of blocks of 0.01 degree. */
static int block_fold(double lon, double lat)
{
    return (int)(((long long)floor(lon * 100.0) + (long long)floor(lat * 100.0)) & 1);
}

/* The zone (index into z) holding the point, or -1. */
static long zone_of(const dm_evidence_set *ev, const size_t *z, size_t nz, double x, double y)
{
    for (size_t k = 0; k < nz; k++) {
        const dm_evidence *e = &ev->v[z[k]];
        if (x < e->bounds[0] || x > e->bounds[2] || y < e->bounds[1] || y > e->bounds[3])
            continue;
        if (inside_rings(&e->xy, x, y))
            return (long)k;
    }
    return -1;
}

dm_status dm_risk_calibrate(dm_ctx *ctx, const dm_risk_model *m, const dm_risk_params *p,
                            dm_risk_calibration *out)
{
    memset(out, 0, sizeof *out);
    out->factor = 1.0;
    if (!p || !p->ev || !p->grid)
        return dm__fail(ctx, DM_EINVAL, "risk calibration needs evidence and a grid");
    const dm_evidence_set *ev = p->ev;
    size_t *z = dm_calloc(ctx, ev->n + 1, sizeof *z), nz = 0;
    if (!z)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    /* both sets borrow the coordinates of ev (shallow copies, freed with dm_free) */
    dm_evidence_set pre = {0}, zones = {0};
    dm_risk_zone_result *zr = NULL;
    dm_transform *tr = NULL;
    long *zi = NULL;      /* per evidence: the searched polygon holding it, or -1 */
    size_t *zk = NULL;    /* per zone of a fold: its index in z */
    int *zfold = NULL;    /* per searched polygon: its fold */
    double *zfound = NULL; /* per searched polygon: items found, over p_detect */
    for (size_t i = 0; i < ev->n; i++)
        if (is_zone(&ev->v[i]))
            z[nz++] = i;
    if (!nz)
        goto done;
    pre.v = dm_calloc(ctx, ev->n, sizeof *pre.v);
    zones.v = dm_calloc(ctx, nz, sizeof *zones.v);
    zr = dm_calloc(ctx, nz, sizeof *zr);
    zi = dm_calloc(ctx, ev->n, sizeof *zi);
    zk = dm_calloc(ctx, nz, sizeof *zk);
    zfold = dm_calloc(ctx, nz, sizeof *zfold);
    zfound = dm_calloc(ctx, nz, sizeof *zfound);
    if (!pre.v || !zones.v || !zr || !zi || !zk || !zfold || !zfound) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    /* the finds inside the searched land are the outcome; everything else
     * known, except the released land itself, is what the model had before.
     * Two-fold: the land is cut in a checkerboard of blocks of ~1 km, and
     * each half is predicted with the finds of the other half kept (a
     * neighbouring clearance is known when a field is searched). */
    double found = 0, predicted = 0, area = 0, b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t k = 0; k < nz; k++) {
        const dm_evidence *e = &ev->v[z[k]];
        b[0] = fmin(b[0], e->bounds[0]), b[1] = fmin(b[1], e->bounds[1]);
        b[2] = fmax(b[2], e->bounds[2]), b[3] = fmax(b[3], e->bounds[3]);
    }
    /* only the grid's cells around the searched land are computed */
    const dm_grid *g = p->grid;
    double cx[4] = {b[0], b[2], b[0], b[2]}, cy[4] = {b[1], b[1], b[3], b[3]};
    if ((st = dm_transform_new(ctx, "EPSG:4326", g->crs, &tr)) ||
        (st = dm_transform_xy(tr, cx, cy, 4)))
        goto done;
    double gx0 = fmin(fmin(cx[0], cx[1]), fmin(cx[2], cx[3]));
    double gx1 = fmax(fmax(cx[0], cx[1]), fmax(cx[2], cx[3]));
    double gy0 = fmin(fmin(cy[0], cy[1]), fmin(cy[2], cy[3]));
    double gy1 = fmax(fmax(cy[0], cy[1]), fmax(cy[2], cy[3]));
    int i0 = (int)floor((gx0 - g->x0) / g->cell) - 1, i1 = (int)ceil((gx1 - g->x0) / g->cell) + 1;
    int j0 = (int)floor((g->y0 - gy1) / g->cell) - 1, j1 = (int)ceil((g->y0 - gy0) / g->cell) + 1;
    i0 = i0 < 0 ? 0 : i0, j0 = j0 < 0 ? 0 : j0;
    i1 = i1 > g->nx ? g->nx : i1, j1 = j1 > g->ny ? g->ny : j1;
    if (i0 >= i1 || j0 >= j1)
        goto done; /* no searched land on the map */
    dm_grid sub = dm_grid_window(g, i0, j0, i1 - i0, j1 - j0);
    /* each find belongs to the first searched polygon holding it, and is
     * left out (and counted as found) in that polygon's fold only */
    for (size_t i = 0; i < ev->n; i++) {
        const dm_evidence *e = &ev->v[i];
        double x, y;
        zi[i] = -1;
        if ((e->kind == DM_EV_ITEM || e->kind == DM_EV_RECORD) && point_of(e, &x, &y))
            zi[i] = zone_of(ev, z, nz, x, y);
        if (zi[i] >= 0 && e->kind == DM_EV_ITEM)
            zfound[zi[i]] += (e->value > 0 ? e->value : 1) / ev->v[z[zi[i]]].p_detect;
    }
    for (size_t k = 0; k < nz; k++) {
        const dm_evidence *e = &ev->v[z[k]];
        zfold[k] = block_fold((e->bounds[0] + e->bounds[2]) / 2, (e->bounds[1] + e->bounds[3]) / 2);
    }
    for (int fold = 0; fold < 2; fold++) {
        pre.n = zones.n = 0;
        for (size_t i = 0; i < ev->n; i++) {
            const dm_evidence *e = &ev->v[i];
            if (e->kind == DM_EV_CLEARED || (zi[i] >= 0 && zfold[zi[i]] == fold))
                continue;
            pre.v[pre.n++] = *e;
        }
        for (size_t k = 0; k < nz; k++)
            if (zfold[k] == fold) {
                zk[zones.n] = k;
                zones.v[zones.n++] = ev->v[z[k]];
            }
        if (!zones.n)
            continue;
        dm_risk_params q = *p;
        q.grid = &sub;
        q.aoi = NULL;
        q.ev = &pre;
        q.out_path = NULL;
        q.p_out = q.items_out = NULL;
        q.x_out = NULL;
        q.zones = &zones;
        q.zone_out = zr;
        q.items_factor = 1.0;
        q.stage = fold ? "risk calibration 2/2" : "risk calibration 1/2";
        dm_risk_stats rs;
        if ((st = dm_risk_map(ctx, m, &q, &rs)))
            goto done;
        for (size_t k = 0; k < zones.n; k++) {
            if (zr[k].cells <= 0)
                continue; /* outside the grid: neither found nor predicted counts */
            predicted += zr[k].expected_items;
            found += zfound[zk[k]];
            area += zr[k].area_ha;
            out->zones++;
        }
    }
    out->area_ha = area;
    out->found = found;
    out->predicted = predicted;
    if (out->zones) {
        double f = (found + PRIOR_ITEMS) / (predicted + PRIOR_ITEMS);
        out->factor = f > MAX_FACTOR ? MAX_FACTOR : f < MIN_FACTOR ? MIN_FACTOR : f;
    }
done:
    dm_transform_free(tr);
    dm_free(ctx, zi);
    dm_free(ctx, zk);
    dm_free(ctx, zfold);
    dm_free(ctx, zfound);
    dm_free(ctx, zr);
    dm_free(ctx, z);
    dm_free(ctx, pre.v);
    dm_free(ctx, zones.v);
    return st;
}
