/* SPDX-License-Identifier: MIT
 *
 * register.c -- robust rigid registration of a recorded point set onto the
 * points clearance found: a vote over rotations and translations (every
 * record-find pair votes for the shift that would match it) picks the pose,
 * trimmed ICP with closed-form 2D Procrustes refines it; poses are compared
 * by their inliers, record points matched one to one with finds. Also the
 * grid index and quantiles the records engines share.
 */
#include "records_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- grid index ---------------------------------------------------------- */

dm_status dm__grid_build(dm_ctx *ctx, dm__grid *g, const double *xy, size_t n, double cell)
{
    memset(g, 0, sizeof *g);
    g->xy = xy;
    g->n = n;
    g->cell = cell > 0 ? cell : 1;
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        b[0] = fmin(b[0], xy[2 * i]);
        b[1] = fmin(b[1], xy[2 * i + 1]);
        b[2] = fmax(b[2], xy[2 * i]);
        b[3] = fmax(b[3], xy[2 * i + 1]);
    }
    if (!n)
        b[0] = b[1] = b[2] = b[3] = 0;
    /* keep the grid to a bounded number of cells */
    /* keep the grid in proportion to the points (outliers far away would
     * otherwise make it huge); bigger cells stay correct, only slower */
    double cap = 4.0 * (double)n + 4096;
    while (((b[2] - b[0]) / g->cell + 1) * ((b[3] - b[1]) / g->cell + 1) > cap)
        g->cell *= 2;
    g->x0 = b[0];
    g->y0 = b[1];
    g->nx = (long)((b[2] - b[0]) / g->cell) + 1;
    g->ny = (long)((b[3] - b[1]) / g->cell) + 1;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    g->start = dm_calloc(ctx, nc + 1, sizeof *g->start);
    g->idx = dm_malloc(ctx, (n ? n : 1) * sizeof *g->idx);
    if (!g->start || !g->idx) {
        dm__grid_free(ctx, g);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        long cx = (long)((xy[2 * i] - g->x0) / g->cell), cy = (long)((xy[2 * i + 1] - g->y0) / g->cell);
        g->start[(size_t)cy * (size_t)g->nx + (size_t)cx + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = dm_malloc(ctx, (nc ? nc : 1) * sizeof *fill);
    if (!fill) {
        dm__grid_free(ctx, g);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    memcpy(fill, g->start, nc * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        long cx = (long)((xy[2 * i] - g->x0) / g->cell), cy = (long)((xy[2 * i + 1] - g->y0) / g->cell);
        g->idx[fill[(size_t)cy * (size_t)g->nx + (size_t)cx]++] = i;
    }
    dm_free(ctx, fill);
    return DM_OK;
}

void dm__grid_free(dm_ctx *ctx, dm__grid *g)
{
    dm_free(ctx, g->start);
    dm_free(ctx, g->idx);
    g->start = g->idx = NULL;
}

size_t dm__grid_nearest(const dm__grid *g, double x, double y, double maxd, double *d)
{
    size_t best = (size_t)-1;
    double bd = INFINITY;
    if (g->n && g->start) {
        long r = (long)ceil(maxd / g->cell);
        long cx = (long)floor((x - g->x0) / g->cell), cy = (long)floor((y - g->y0) / g->cell);
        long x0 = cx - r < 0 ? 0 : cx - r, x1 = cx + r >= g->nx ? g->nx - 1 : cx + r;
        long y0 = cy - r < 0 ? 0 : cy - r, y1 = cy + r >= g->ny ? g->ny - 1 : cy + r;
        for (long j = y0; j <= y1; j++)
            for (long i = x0; i <= x1; i++) {
                size_t c = (size_t)j * (size_t)g->nx + (size_t)i;
                for (size_t k = g->start[c]; k < g->start[c + 1]; k++) {
                    size_t p = g->idx[k];
                    double dd = hypot(g->xy[2 * p] - x, g->xy[2 * p + 1] - y);
                    if (dd < bd) {
                        bd = dd;
                        best = p;
                    }
                }
            }
    }
    if (bd > maxd) {
        bd = INFINITY;
        best = (size_t)-1;
    }
    if (d)
        *d = bd;
    return best;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double dm__quantile(double *v, size_t n, double q)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

/* ---- rigid transforms ---------------------------------------------------- */

void dm_rigid_apply(const dm_rigid *t, double *x, double *y)
{
    double c = cos(t->ang), s = sin(t->ang), rx = *x - t->cx, ry = *y - t->cy;
    *x = t->cx + rx * c - ry * s + t->dx;
    *y = t->cy + rx * s + ry * c + t->dy;
}

/* Record points moved by t that have a find within tol, each find
 * confirming one record point (a one-to-one matching: a row of record
 * points 1 m apart over one find counts once). Returns (size_t)-1 when out
 * of memory. */
static size_t count_inliers(dm_ctx *ctx, const dm__grid *gb, const double *a, size_t na, const dm_rigid *t,
                            double tol)
{
    double *m = dm_malloc(ctx, (na ? na : 1) * 2 * sizeof *m);
    size_t *mate = dm_malloc(ctx, (na ? na : 1) * sizeof *mate), k = 0;
    if (!m || !mate) {
        dm_free(ctx, m);
        dm_free(ctx, mate);
        return (size_t)-1;
    }
    for (size_t i = 0; i < na; i++) {
        m[2 * i] = a[2 * i];
        m[2 * i + 1] = a[2 * i + 1];
        dm_rigid_apply(t, &m[2 * i], &m[2 * i + 1]);
    }
    if (dm__match_grid(ctx, gb, m, na, tol, 0, mate, &k))
        k = (size_t)-1;
    dm_free(ctx, m);
    dm_free(ctx, mate);
    return k;
}

/* Record points near a find plus finds near a moved record point: the
 * second half breaks ties between a pose and its alias one spacing along
 * a row when finds are missing. Returns (size_t)-1 when out of memory. */
static size_t score_sym(dm_ctx *ctx, const dm__grid *gb, const double *a, size_t na, const double *b,
                        size_t nb, const dm_rigid *t, double tol)
{
    size_t k = count_inliers(ctx, gb, a, na, t, tol);
    if (k == (size_t)-1)
        return k;
    double *m = dm_malloc(ctx, (na ? na : 1) * 2 * sizeof *m);
    if (!m)
        return (size_t)-1;
    for (size_t i = 0; i < na; i++) {
        m[2 * i] = a[2 * i];
        m[2 * i + 1] = a[2 * i + 1];
        dm_rigid_apply(t, &m[2 * i], &m[2 * i + 1]);
    }
    dm__grid ga;
    if (dm__grid_build(ctx, &ga, m, na, tol)) {
        dm_free(ctx, m);
        return (size_t)-1;
    }
    for (size_t j = 0; j < nb; j++) {
        double d;
        dm__grid_nearest(&ga, b[2 * j], b[2 * j + 1], tol, &d);
        k += d <= tol;
    }
    dm__grid_free(ctx, &ga);
    dm_free(ctx, m);
    return k;
}

typedef struct pair {
    double d;
    size_t a, b;
} pair;

static int cmp_pair(const void *x, const void *y)
{
    double a = ((const pair *)x)->d, b = ((const pair *)y)->d;
    return (a > b) - (a < b);
}

/* Trimmed ICP from t: match each a to its nearest b within r, keep the
 * closest 80%, solve Procrustes; r shrinks towards tol. */
static dm_status icp(dm_ctx *ctx, const dm__grid *gb, const double *a, size_t na, const double *b,
                     double tol, double max_rot, dm_rigid *t)
{
    pair *pr = dm_malloc(ctx, (na ? na : 1) * sizeof *pr);
    if (!pr)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    double r = 2 * tol;
    for (int it = 0; it < 20; it++) {
        size_t np = 0;
        for (size_t i = 0; i < na; i++) {
            double x = a[2 * i], y = a[2 * i + 1], d;
            dm_rigid_apply(t, &x, &y);
            size_t j = dm__grid_nearest(gb, x, y, r, &d);
            if (j != (size_t)-1)
                pr[np++] = (pair){d, i, j};
        }
        if (np < 3)
            break;
        qsort(pr, np, sizeof *pr, cmp_pair);
        size_t keep = np * 8 / 10;
        if (keep < 3)
            keep = np;
        double ma[2] = {0, 0}, mb[2] = {0, 0};
        for (size_t k = 0; k < keep; k++) {
            ma[0] += a[2 * pr[k].a];
            ma[1] += a[2 * pr[k].a + 1];
            mb[0] += b[2 * pr[k].b];
            mb[1] += b[2 * pr[k].b + 1];
        }
        ma[0] /= (double)keep;
        ma[1] /= (double)keep;
        mb[0] /= (double)keep;
        mb[1] /= (double)keep;
        double sc = 0, ss = 0;
        for (size_t k = 0; k < keep; k++) {
            double ax = a[2 * pr[k].a] - ma[0], ay = a[2 * pr[k].a + 1] - ma[1];
            double bx = b[2 * pr[k].b] - mb[0], by = b[2 * pr[k].b + 1] - mb[1];
            sc += ax * bx + ay * by;
            ss += ax * by - ay * bx;
        }
        double ang = keep >= 3 && (sc != 0 || ss != 0) ? atan2(ss, sc) : 0;
        if (ang > max_rot) ang = max_rot;
        if (ang < -max_rot) ang = -max_rot;
        dm_rigid nt = {mb[0] - ma[0], mb[1] - ma[1], ang, ma[0], ma[1]};
        double moved = hypot(nt.dx - t->dx, nt.dy - t->dy) + fabs(nt.ang - t->ang) * 100;
        /* express the new transform about the same centre for the comparison */
        *t = nt;
        if (r > tol)
            r = fmax(tol, r * 0.8);
        else if (moved < 1e-3)
            break;
    }
    dm_free(ctx, pr);
    return DM_OK;
}

#define VOTE_BIN 2.0
#define MAX_A 200
#define MAX_B 300
#define N_CAND 12

typedef struct cand {
    int votes;
    dm_rigid t;
} cand;

dm_status dm_register_rigid(dm_ctx *ctx, const double *a, size_t na, const double *b, size_t nb,
                            double tol, double max_shift, double max_rot, dm_rigid *out,
                            size_t *inliers)
{
    if (!out || (na && !a) || (nb && !b) || !(tol > 0))
        return dm__fail(ctx, DM_EINVAL, "registration: bad arguments");
    double cx = 0, cy = 0;
    for (size_t i = 0; i < na; i++) {
        cx += a[2 * i];
        cy += a[2 * i + 1];
    }
    if (na) {
        cx /= (double)na;
        cy /= (double)na;
    }
    *out = (dm_rigid){0, 0, 0, cx, cy};
    if (inliers)
        *inliers = 0;
    if (na == 0 || nb == 0)
        return DM_OK;
    dm__grid gb;
    dm_status st = dm__grid_build(ctx, &gb, b, nb, tol);
    if (st)
        return st;
    size_t best_in = count_inliers(ctx, &gb, a, na, out, tol);
    if (best_in == (size_t)-1) {
        dm__grid_free(ctx, &gb);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    if (na < 3 || nb < 3) {
        if (inliers)
            *inliers = best_in;
        dm__grid_free(ctx, &gb);
        return DM_OK;
    }
    if (!(max_shift > 0))
        max_shift = 300;
    long nbin = (long)(2 * max_shift / VOTE_BIN) + 3;
    int *h = dm_malloc(ctx, (size_t)nbin * (size_t)nbin * sizeof *h);
    if (!h) {
        dm__grid_free(ctx, &gb);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    size_t sa = na > MAX_A ? (na + MAX_A - 1) / MAX_A : 1, sb = nb > MAX_B ? (nb + MAX_B - 1) / MAX_B : 1;
    double step = 1.0 * M_PI / 180;
    int nang = max_rot > 0 ? (int)(max_rot / step) : 0;
    cand cands[N_CAND];
    memset(cands, 0, sizeof cands);
    for (int k = -nang; k <= nang; k++) {
        double ang = k * step, c = cos(ang), s = sin(ang);
        memset(h, 0, (size_t)nbin * (size_t)nbin * sizeof *h);
        for (size_t i = 0; i < na; i += sa) {
            double rx = a[2 * i] - cx, ry = a[2 * i + 1] - cy;
            double x = cx + rx * c - ry * s, y = cy + rx * s + ry * c;
            for (size_t j = 0; j < nb; j += sb) {
                double dx = b[2 * j] - x, dy = b[2 * j + 1] - y;
                if (fabs(dx) >= max_shift || fabs(dy) >= max_shift)
                    continue;
                long bx = (long)((dx + max_shift) / VOTE_BIN) + 1, by = (long)((dy + max_shift) / VOTE_BIN) + 1;
                h[by * nbin + bx]++;
            }
        }
        /* peaks of the 3x3-summed vote */
        for (long y = 1; y + 1 < nbin; y++)
            for (long x = 1; x + 1 < nbin; x++) {
                if (!h[y * nbin + x])
                    continue;
                int v = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        v += h[(y + dy) * nbin + x + dx];
                int w = 0;
                for (int q = 1; q < N_CAND; q++)
                    if (cands[q].votes < cands[w].votes)
                        w = q;
                if (v <= cands[w].votes)
                    continue;
                /* one candidate per angle and neighbourhood */
                int dup = -1;
                for (int q = 0; q < N_CAND; q++)
                    if (cands[q].votes && cands[q].t.ang == ang &&
                        fabs(cands[q].t.dx - ((x - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2)) < 1.5 * VOTE_BIN &&
                        fabs(cands[q].t.dy - ((y - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2)) < 1.5 * VOTE_BIN)
                        dup = q;
                if (dup >= 0) {
                    if (v > cands[dup].votes)
                        cands[dup] = (cand){v, {(x - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2,
                                                (y - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2, ang, cx, cy}};
                    continue;
                }
                cands[w] = (cand){v, {(x - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2,
                                      (y - 1) * VOTE_BIN - max_shift + VOTE_BIN / 2, ang, cx, cy}};
            }
        dm__progress(ctx, "registration", (uint64_t)(k + nang), (uint64_t)(2 * nang + 1));
    }
    dm_free(ctx, h);
    /* refine the identity and every candidate; keep the pose with most
     * inliers, preferring the identity unless a pose clearly beats it */
    dm_rigid best = *out;
    st = icp(ctx, &gb, a, na, b, tol, max_rot, &best);
    size_t bi = st ? 0 : count_inliers(ctx, &gb, a, na, &best, tol);
    if (bi == (size_t)-1)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (st || bi < best_in) {
        best = *out;
        bi = best_in;
    }
    size_t id_in = bi, bs = st ? 0 : score_sym(ctx, &gb, a, na, b, nb, &best, tol);
    if (bs == (size_t)-1)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (int q = 0; q < N_CAND && !st; q++) {
        if (!cands[q].votes)
            continue;
        dm_rigid t = cands[q].t;
        st = icp(ctx, &gb, a, na, b, tol, max_rot, &t);
        if (st)
            break;
        size_t in = count_inliers(ctx, &gb, a, na, &t, tol);
        size_t sc = score_sym(ctx, &gb, a, na, b, nb, &t, tol);
        if (in == (size_t)-1 || sc == (size_t)-1) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            break;
        }
        if (sc > bs && in >= id_in + 3 && (double)in >= 1.1 * (double)id_in) {
            bi = in;
            bs = sc;
            best = t;
        }
    }
    /* aliases: a row's pose one spacing along scores almost as well; look
     * around the best for a pose that matches both ways better */
    if (!st && (best.dx != 0 || best.dy != 0 || best.ang != 0)) {
        dm_rigid base = best;
        for (int j = -8; j <= 8 && !st; j++)
            for (int i = -8; i <= 8; i++) {
                if (!i && !j)
                    continue;
                dm_rigid t = base;
                t.dx += i;
                t.dy += j;
                size_t sc = score_sym(ctx, &gb, a, na, b, nb, &t, tol);
                if (sc == (size_t)-1) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    break;
                }
                if (sc <= bs)
                    continue;
                st = icp(ctx, &gb, a, na, b, tol, max_rot, &t);
                if (st)
                    break;
                size_t in = count_inliers(ctx, &gb, a, na, &t, tol);
                sc = score_sym(ctx, &gb, a, na, b, nb, &t, tol);
                if (in == (size_t)-1 || sc == (size_t)-1) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    break;
                }
                if (sc > bs && in >= id_in + 3) {
                    bs = sc;
                    bi = in;
                    best = t;
                }
            }
    }
    dm__grid_free(ctx, &gb);
    if (st)
        return st;
    *out = best;
    if (inliers)
        *inliers = bi;
    return DM_OK;
}
