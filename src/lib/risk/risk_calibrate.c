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
 * intensity. Spot checks (risk spots), drawn at random in every class of
 * the map, then recalibrate it without that choice's bias: a level and a
 * power fitted on what the teams found where.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Pseudo-items of the gamma prior on the factor (mean 1): with fewer items
 * found or predicted than this, the factor stays near 1. */
#define PRIOR_ITEMS 10.0
/* A method that finds at least this share of items searched the ground. */
#define MIN_P_DETECT 0.85
#define MAX_FACTOR 1000.0
#define MIN_FACTOR 0.001
/* Pseudo-cells of the prior on the items per cell holding any (mean 1). */
#define PRIOR_CLUSTER_CELLS 5.0

static int point_of(const dm_evidence *e, double *x, double *y);

static int cmp_i64(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Items come in clusters (rows, patterns, a stockpile): the finds in the
 * searched land, against the cells of g holding them, say how many items a
 * cell holding any holds, at this cell size. */
static dm_status cluster_size(dm_ctx *ctx, const dm_evidence_set *ev, const long *zi,
                              const dm_grid *g, dm_transform *tr, dm_risk_calibration *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->n; i++)
        n += zi[i] >= 0 && ev->v[i].kind == DM_EV_ITEM;
    out->cluster = 1.0;
    if (!n)
        return DM_OK;
    long long *key = dm_calloc(ctx, n, sizeof *key);
    if (!key)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    double items = 0;
    size_t k = 0;
    dm_status st = DM_OK;
    for (size_t i = 0; i < ev->n && !st; i++) {
        const dm_evidence *e = &ev->v[i];
        double x, y;
        if (zi[i] < 0 || e->kind != DM_EV_ITEM || !point_of(e, &x, &y))
            continue;
        if ((st = dm_transform_xy(tr, &x, &y, 1)))
            break;
        long long ci = (long long)floor((x - g->x0) / g->cell);
        long long cj = (long long)floor((g->y0 - y) / g->cell);
        key[k++] = cj * 4294967296LL + ci;
        items += e->value > 0 ? e->value : 1;
    }
    if (!st && k) {
        qsort(key, k, sizeof *key, cmp_i64);
        size_t cells = 1;
        for (size_t i = 1; i < k; i++)
            cells += key[i] != key[i - 1];
        out->find_cells = cells;
        out->cluster = (items + PRIOR_CLUSTER_CELLS) / ((double)cells + PRIOR_CLUSTER_CELLS);
        if (out->cluster < 1)
            out->cluster = 1;
    }
    dm_free(ctx, key);
    return st;
}

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

/* Cleared or surveyed land with no method recorded: dm__method_p_detect's
 * 0.5 (0.25 once halved for a cancellation, which searched nothing). */
static int is_unknown_search(const dm_evidence *e)
{
    return e->kind == DM_EV_CLEARED && (!e->cls || !*e->cls) && e->p_detect >= 0.5 &&
           e->p_detect < MIN_P_DETECT && has_ring(&e->xy);
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

/* The zone (index into z, bounds zb) holding the point, or -1. */
static long zone_of(const dm_evidence_set *ev, const size_t *z, const double *zb, size_t nz,
                    double x, double y)
{
    for (size_t k = 0; k < nz; k++) {
        const dm_evidence *e = &ev->v[z[k]];
        const double *b = zb + 4 * k;
        if (x < b[0] || x > b[2] || y < b[1] || y > b[3])
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
    out->factor = out->cluster = 1.0;
    if (!p || !p->ev || !p->grid)
        return dm__fail(ctx, DM_EINVAL, "risk calibration needs evidence and a grid");
    const dm_evidence_set *ev = p->ev;
    size_t *z = dm_calloc(ctx, ev->n + 1, sizeof *z), nz = 0;
    if (!z)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    dm_status st = DM_OK;
    /* the zones borrow the items of ev (shallow copies, freed with dm_free); what the
     * model had before is ev without the items of skip (no copy of a set of millions) */
    dm_evidence_set zones = {0};
    unsigned char *skip = NULL;
    dm_risk_zone_result *zr = NULL;
    dm_transform *tr = NULL;
    long *zi = NULL;      /* per evidence: the searched polygon holding it, or -1 */
    size_t *zk = NULL;    /* per zone of a fold: its index in z */
    int *zfold = NULL;    /* per searched polygon: its fold */
    double *zfound = NULL; /* per searched polygon: items found, over p_detect */
    double *zb = NULL;     /* per searched polygon: its bounds */
    for (size_t i = 0; i < ev->n; i++)
        if (!p->ev_skip || !p->ev_skip[i]) {
            if (is_zone(&ev->v[i]))
                z[nz++] = i;
            else if (is_unknown_search(&ev->v[i]))
                out->no_method++;
        }
    if (!nz)
        goto done;
    skip = dm_calloc(ctx, ev->n, sizeof *skip);
    zones.v = dm_calloc(ctx, nz, sizeof *zones.v);
    zr = dm_calloc(ctx, nz, sizeof *zr);
    zi = dm_calloc(ctx, ev->n, sizeof *zi);
    zk = dm_calloc(ctx, nz, sizeof *zk);
    zfold = dm_calloc(ctx, nz, sizeof *zfold);
    zfound = dm_calloc(ctx, nz, sizeof *zfound);
    zb = dm_calloc(ctx, 4 * nz, sizeof *zb);
    if (!skip || !zones.v || !zr || !zi || !zk || !zfold || !zfound || !zb) {
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
        const double *e = zb + 4 * k;
        dm_evidence_item_bounds(&ev->v[z[k]], zb + 4 * k);
        b[0] = fmin(b[0], e[0]), b[1] = fmin(b[1], e[1]);
        b[2] = fmax(b[2], e[2]), b[3] = fmax(b[3], e[3]);
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
        if ((e->kind == DM_EV_ITEM || e->kind == DM_EV_RECORD) && (!p->ev_skip || !p->ev_skip[i]) &&
            point_of(e, &x, &y))
            zi[i] = zone_of(ev, z, zb, nz, x, y);
        if (zi[i] >= 0 && e->kind == DM_EV_ITEM)
            zfound[zi[i]] += (e->value > 0 ? e->value : 1) / ev->v[z[zi[i]]].p_detect;
    }
    if ((st = cluster_size(ctx, ev, zi, g, tr, out)))
        goto done;
    for (size_t k = 0; k < nz; k++) {
        const double *e = zb + 4 * k;
        zfold[k] = block_fold((e[0] + e[2]) / 2, (e[1] + e[3]) / 2);
    }
    for (int fold = 0; fold < 2; fold++) {
        zones.n = 0;
        for (size_t i = 0; i < ev->n; i++)
            skip[i] = (p->ev_skip && p->ev_skip[i]) || ev->v[i].kind == DM_EV_CLEARED ||
                      (zi[i] >= 0 && zfold[zi[i]] == fold);
        for (size_t k = 0; k < nz; k++)
            if (zfold[k] == fold) {
                zk[zones.n] = k;
                zones.v[zones.n++] = ev->v[z[k]];
            }
        if (!zones.n)
            continue;
        dm_risk_params q = *p;
        q.grid = &sub;
        q.anchor_i = p->anchor_i + i0, q.anchor_j = p->anchor_j + j0;
        q.aoi = NULL;
        q.ev = ev;
        q.ev_skip = skip;
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
    dm_free(ctx, zb);
    dm_free(ctx, zr);
    dm_free(ctx, z);
    dm_free(ctx, skip);
    dm_free(ctx, zones.v);
    return st;
}

/* ---- recalibration by spot checks ---- */

#define SPOT_SD_LEVEL 1.0  /* prior sd of the log level at the pivot */
#define SPOT_SD_POWER 0.2  /* prior sd of the power around 1 */
#define SPOT_MIN_POWER 0.2
#define SPOT_MAX_POWER 2.0
#define SPOT_MIN_HA 1e-12 /* intensities below this count as this (log of 0) */

typedef struct spot_fit {
    const double *off, *lx, *y; /* offset (log area + pivot), centred log intensity, label */
    size_t n;
} spot_fit;

/* Penalised log-likelihood at th (level, power), with its gradient and
 * Fisher information when g and h are not NULL. */
static double spot_loglik(const spot_fit *f, const double th[2], double g[2], double h[3])
{
    double ll = -0.5 * (th[0] * th[0] / (SPOT_SD_LEVEL * SPOT_SD_LEVEL) +
                        (th[1] - 1) * (th[1] - 1) / (SPOT_SD_POWER * SPOT_SD_POWER));
    if (g) {
        g[0] = -th[0] / (SPOT_SD_LEVEL * SPOT_SD_LEVEL);
        g[1] = -(th[1] - 1) / (SPOT_SD_POWER * SPOT_SD_POWER);
        h[0] = 1 / (SPOT_SD_LEVEL * SPOT_SD_LEVEL), h[1] = 0;
        h[2] = 1 / (SPOT_SD_POWER * SPOT_SD_POWER);
    }
    for (size_t i = 0; i < f->n; i++) {
        double eta = f->off[i] + th[0] + th[1] * f->lx[i];
        double mu = exp(eta > 30 ? 30 : eta);
        double em1 = expm1(mu);
        double s, w = em1 > 0 ? mu * mu / em1 : mu; /* d loglik / d eta, Fisher information */
        if (f->y[i] > 0) {
            ll += log(-expm1(-mu));
            s = em1 > 0 ? mu / em1 : 1;
        } else {
            ll -= mu;
            s = -mu;
        }
        if (g) {
            g[0] += s, g[1] += s * f->lx[i];
            h[0] += w, h[1] += w * f->lx[i], h[2] += w * f->lx[i] * f->lx[i];
        }
    }
    return ll;
}

static double clamp_power(double b)
{
    return b < SPOT_MIN_POWER ? SPOT_MIN_POWER : b > SPOT_MAX_POWER ? SPOT_MAX_POWER : b;
}

dm_status dm_risk_spot_calibrate(dm_ctx *ctx, const dm_spot *s, size_t n, double cell_m,
                                 double cluster, dm_risk_spot_cal *out)
{
    double lc = log(cluster >= 1 ? cluster : 1.0);
    memset(out, 0, sizeof *out);
    out->factor = out->power = 1.0;
    size_t m = 0;
    double lp = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].label != 0 && s[i].label != 1) {
            out->ignored++;
            continue;
        }
        if (!(s[i].model_ha >= 0))
            return dm__fail(ctx, DM_EINVAL,
                            "spot %zu: no items_ha (or model_ha): the map's prediction there is "
                            "needed, so the spots must come from `risk spots` on a map with its "
                            "items band", i + 1);
        lp += log(fmax(s[i].model_ha, SPOT_MIN_HA));
        m++;
    }
    if (!m)
        return dm__fail(ctx, DM_EINVAL, "no spot labelled 0 or 1 (%zu not checked yet)", n);
    lp /= (double)m;
    double *buf = dm_calloc(ctx, 3 * m, sizeof *buf);
    if (!buf)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    spot_fit f = {buf, buf + m, buf + 2 * m, m};
    double *off = buf, *lx = buf + m, *y = buf + 2 * m;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].label != 0 && s[i].label != 1)
            continue;
        double c = s[i].cell_m > 0 ? s[i].cell_m : cell_m;
        double a = c * c / 1e4, mh = s[i].model_ha;
        off[k] = log(a) - lc + lp;
        lx[k] = log(fmax(mh, SPOT_MIN_HA)) - lp;
        y[k] = s[i].label;
        out->expected += -expm1(-mh * a * exp(-lc));
        out->positive += y[k] > 0;
        k++;
    }
    out->spots = m;
    /* Fisher scoring with step halving; the problem is concave in th */
    double th[2] = {0, 1}, g[2], h[3];
    double ll = spot_loglik(&f, th, g, h);
    for (int it = 0; it < 200; it++) {
        double det = h[0] * h[2] - h[1] * h[1];
        if (!(det > 0))
            break;
        double d0 = (h[2] * g[0] - h[1] * g[1]) / det, d1 = (h[0] * g[1] - h[1] * g[0]) / det;
        double t = 1, nt[2], nll = ll;
        for (int half = 0; half < 40; half++, t /= 2) {
            nt[0] = th[0] + t * d0, nt[1] = clamp_power(th[1] + t * d1);
            nll = spot_loglik(&f, nt, NULL, NULL);
            if (nll >= ll - 1e-12)
                break;
        }
        if (!(nll >= ll - 1e-12))
            break;
        double moved = fabs(nt[0] - th[0]) + fabs(nt[1] - th[1]);
        th[0] = nt[0], th[1] = nt[1];
        ll = spot_loglik(&f, th, g, h);
        if (moved < 1e-10)
            break;
    }
    out->pivot_ha = exp(lp);
    double det = h[0] * h[2] - h[1] * h[1]; /* posterior variance of the level: (H^-1)_00 */
    out->level_x90 = det > 0 ? exp(1.645 * sqrt(h[2] / det)) : NAN;
    out->power = th[1];
    out->factor = exp(th[0] + (1 - th[1]) * lp);
    for (size_t i = 0; i < m; i++)
        out->expected_after += -expm1(-exp(off[i] + th[0] + th[1] * lx[i]));
    dm_free(ctx, buf);
    return DM_OK;
}
