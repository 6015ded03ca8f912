/* SPDX-License-Identifier: MIT
 *
 * rows.c -- rows of mines found among clutter: a Hough vote over directions
 * (the direction whose across-offsets pile up most sharply), peaks of the
 * offset histogram as rows, spacing from the gaps between neighbours, and
 * the extension of the rows into ground not yet searched as predicted mine
 * positions with an uncertainty and a probability.
 */
#include "records_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HBINS 8192u

static double offset_score(const double *xy, size_t n, double nx, double ny, double bin,
                           unsigned *h)
{
    memset(h, 0, HBINS * sizeof *h);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        long b = (long)floor((xy[2 * i] * nx + xy[2 * i + 1] * ny) / bin);
        unsigned k = (unsigned)(b & (long)(HBINS - 1));
        /* a find counts in its bin and half in the neighbours (noise) */
        s += 2.0 * h[k] + 0.5 * (h[(k + 1) & (HBINS - 1)] + h[(k - 1) & (HBINS - 1)]);
        h[k]++;
    }
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Along-row positions of row r's members into t; returns their number. */
static size_t row_ts(const double *p, size_t n, const double *off, const dm_row_fit *r, double width,
                     double *t)
{
    size_t m = 0;
    for (size_t q = 0; q < n; q++)
        if (fabs(off[q] - r->offset) <= width)
            t[m++] = p[2 * q] * r->ux + p[2 * q + 1] * r->uy;
    return m;
}

/* Spacing of a group of rows (a bitmask over rows) by a joint periodogram:
 * the spacing s in [0.75, 1.3] x guess that maximises the summed phase
 * coherence |sum exp(2 pi i t / s)| of the rows (each row its own phase),
 * then joint least squares on the mine numbers. Sets spacing, t0, sd_along. */
static void group_spacing(const double *p, size_t n, const double *off, dm_row_fit *rows, size_t nr,
                          const unsigned char *in, double guess, double width, double *t)
{
    double best = -1, bs = guess;
    for (double s = 0.75 * guess; s <= 1.3 * guess; s += 0.002 * guess) {
        double tot = 0;
        for (size_t i = 0; i < nr; i++) {
            if (!in[i])
                continue;
            size_t m = row_ts(p, n, off, &rows[i], width, t);
            double c = 0, sn = 0, w = 2 * M_PI / s;
            for (size_t k = 0; k < m; k++) {
                c += cos(w * t[k]);
                sn += sin(w * t[k]);
            }
            tot += hypot(c, sn);
        }
        if (tot > best) {
            best = tot;
            bs = s;
        }
    }
    /* phases, then joint least squares t = t0_i + s k */
    for (int it = 0; it < 3; it++) {
        double num = 0, den = 0;
        for (size_t i = 0; i < nr; i++) {
            if (!in[i])
                continue;
            dm_row_fit *r = &rows[i];
            size_t m = row_ts(p, n, off, r, width, t);
            if (it == 0) {
                double c = 0, sn = 0, w = 2 * M_PI / bs;
                for (size_t k = 0; k < m; k++) {
                    c += cos(w * t[k]);
                    sn += sin(w * t[k]);
                }
                r->t0 = atan2(sn, c) / w;
            }
            double tb = 0, kb = 0;
            for (size_t k = 0; k < m; k++) {
                tb += t[k];
                kb += round((t[k] - r->t0) / bs);
            }
            tb /= (double)m;
            kb /= (double)m;
            for (size_t k = 0; k < m; k++) {
                double kk = round((t[k] - r->t0) / bs);
                num += (kk - kb) * (t[k] - tb);
                den += (kk - kb) * (kk - kb);
            }
        }
        double ns = den > 0 ? num / den : bs;
        if (!(ns > 0.3) || fabs(ns - bs) > 0.1 * bs)
            ns = bs;
        for (size_t i = 0; i < nr; i++) {
            if (!in[i])
                continue;
            dm_row_fit *r = &rows[i];
            size_t m = row_ts(p, n, off, r, width, t);
            double sr = 0;
            for (size_t k = 0; k < m; k++)
                sr += t[k] - round((t[k] - r->t0) / bs) * ns;
            r->t0 = sr / (double)m;
        }
        bs = ns;
    }
    for (size_t i = 0; i < nr; i++) {
        if (!in[i])
            continue;
        dm_row_fit *r = &rows[i];
        size_t m = row_ts(p, n, off, r, width, t);
        double ra = 0;
        for (size_t k = 0; k < m; k++) {
            double e = t[k] - (r->t0 + round((t[k] - r->t0) / bs) * bs);
            ra += e * e;
        }
        r->spacing = bs;
        r->sd_along = sqrt(ra / (double)m);
    }
}

/* Rows of one field share their spacing: rows whose median gap is within
 * 25% of the median over rows are fitted together, the others alone. */
static void fit_spacings(const double *p, size_t n, const double *off, dm_row_fit *rows, size_t nr,
                         double width, double *t)
{
    double sps[64];
    unsigned char in[64];
    size_t ns = 0;
    if (nr > 64)
        nr = 64;
    for (size_t i = 0; i < nr; i++)
        if (rows[i].spacing > 0)
            sps[ns++] = rows[i].spacing;
    if (!ns)
        return;
    double med = dm__quantile(sps, ns, 0.5);
    for (size_t i = 0; i < nr; i++)
        in[i] = rows[i].spacing > 0 && fabs(rows[i].spacing - med) <= 0.25 * med;
    group_spacing(p, n, off, rows, nr, in, med, width, t);
    for (size_t i = 0; i < nr; i++) {
        if (!(rows[i].spacing > 0) || fabs(rows[i].spacing - med) <= 0.25 * med)
            continue;
        memset(in, 0, sizeof in);
        in[i] = 1;
        group_spacing(p, n, off, rows, nr, in, rows[i].spacing, width, t);
    }
}

/* Rows along direction theta (centred points p): the densest offset window
 * first, in turn, each row's offset the mean of its members. Fills off
 * (each point's offset across), used (on a row), rows; returns their
 * number and in *members the points on them. so, mem and t are scratch
 * (n each). */
static size_t form_rows(const double *p, size_t n, double theta, double mx, double my, const dm_rows_opts *opts,
                        double *off, unsigned char *used, double *so, size_t *mem, double *t, dm_row_fit *rows,
                        size_t max_rows, size_t *members)
{
    dm_rows_opts o = *opts;
    double ux = cos(theta), uy = sin(theta), nx = -uy, ny = ux;
    for (size_t i = 0; i < n; i++)
        off[i] = p[2 * i] * nx + p[2 * i + 1] * ny;
    memset(used, 0, n);
    size_t nr = 0;
    *members = 0;
    while (nr < max_rows) {
        size_t ns = 0;
        for (size_t i = 0; i < n; i++)
            if (!used[i])
                so[ns++] = off[i];
        if (ns < (size_t)o.min_points)
            break;
        qsort(so, ns, sizeof *so, cmp_double);
        size_t bi = 0, bc = 0, j = 0;
        for (size_t i = 0; i < ns; i++) {
            while (so[i] - so[j] > 2 * o.row_width_m)
                j++;
            if (i - j + 1 > bc) {
                bc = i - j + 1;
                bi = j;
            }
        }
        if (bc < (size_t)o.min_points)
            break;
        /* the window's median, then members within the row's half-width */
        double c = so[bi + bc / 2];
        size_t nm = 0;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && fabs(off[i] - c) <= o.row_width_m)
                mem[nm++] = i;
        double mo = 0;
        for (size_t k = 0; k < nm; k++)
            mo += off[mem[k]];
        mo /= (double)nm;
        double sa = 0;
        for (size_t k = 0; k < nm; k++) {
            used[mem[k]] = 1;
            sa += (off[mem[k]] - mo) * (off[mem[k]] - mo);
            t[k] = p[2 * mem[k]] * ux + p[2 * mem[k] + 1] * uy;
        }
        dm_row_fit *r = &rows[nr++];
        memset(r, 0, sizeof *r);
        r->ux = ux;
        r->uy = uy;
        r->x0 = mx + nx * mo;
        r->y0 = my + ny * mo;
        r->offset = mo;
        r->n = (int)nm;
        *members += nm;
        r->sd_across = nm > 1 ? sqrt(sa / (double)(nm - 1)) : 0;
        qsort(t, nm, sizeof *t, cmp_double);
        r->tmin = t[0];
        r->tmax = t[nm - 1];
        /* a first guess of the spacing: the median gap (refined below) */
        size_t ng = 0;
        for (size_t k = 0; k + 1 < nm; k++)
            if (t[k + 1] - t[k] > 0.4)
                so[ng++] = t[k + 1] - t[k];
        if (ng >= 2)
            r->spacing = dm__quantile(so, ng, 0.5);
    }
    return nr;
}

/* The direction the rows' members line up along best (least squares): the
 * principal axis of their scatter about each row's own centre, pooled over
 * the rows of 3 or more finds. Returns theta unchanged when the rows give no
 * direction. */
static double pooled_direction(const double *p, size_t n, const double *off, const dm_row_fit *rows, size_t nr,
                               double width, double theta)
{
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < nr; i++) {
        if (rows[i].n < 3)
            continue;
        double cx = 0, cy = 0;
        size_t m = 0;
        for (size_t q = 0; q < n; q++)
            if (fabs(off[q] - rows[i].offset) <= width) {
                cx += p[2 * q];
                cy += p[2 * q + 1];
                m++;
            }
        if (m < 3)
            continue;
        cx /= (double)m;
        cy /= (double)m;
        for (size_t q = 0; q < n; q++)
            if (fabs(off[q] - rows[i].offset) <= width) {
                double dx = p[2 * q] - cx, dy = p[2 * q + 1] - cy;
                sxx += dx * dx;
                sxy += dx * dy;
                syy += dy * dy;
            }
    }
    if (!(sxx + syy > 0))
        return theta;
    double a = 0.5 * atan2(2 * sxy, sxx - syy);
    while (a - theta > M_PI / 2)
        a -= M_PI;
    while (a - theta < -M_PI / 2)
        a += M_PI;
    return a;
}

dm_status dm_rows_fit(dm_ctx *ctx, const double *xy, size_t n, const dm_rows_opts *opts,
                      dm_row_fit *rows, size_t max_rows, size_t *n_rows)
{
    if (!n_rows || (n && !xy) || (max_rows && !rows))
        return dm__fail(ctx, DM_EINVAL, "rows: bad arguments");
    *n_rows = 0;
    dm_rows_opts o = {0.5, 1.0, 3, 0, 0};
    if (opts) {
        o = *opts;
        if (!(o.bin_m > 0)) o.bin_m = 0.5;
        if (!(o.row_width_m > 0)) o.row_width_m = 1.0;
        if (o.min_points < 2) o.min_points = 3;
    }
    if (n < (size_t)o.min_points || !max_rows)
        return DM_OK;
    /* centre the points: offsets stay small */
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += xy[2 * i];
        my += xy[2 * i + 1];
    }
    mx /= (double)n;
    my /= (double)n;
    double *p = dm_malloc(ctx, n * 2 * sizeof *p);
    double *off = dm_malloc(ctx, n * sizeof *off);
    unsigned char *used = dm_calloc(ctx, n, 1);
    unsigned *h = dm_malloc(ctx, HBINS * sizeof *h);
    size_t *mem = dm_malloc(ctx, n * sizeof *mem);
    double *t = dm_malloc(ctx, n * sizeof *t);
    dm_status st = DM_OK;
    if (!p || !off || !used || !h || !mem || !t) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = xy[2 * i] - mx;
        p[2 * i + 1] = xy[2 * i + 1] - my;
    }
    /* direction of the rows */
    double theta = o.prior_angle, best = -1;
    if (!o.have_prior || n >= (size_t)(2 * o.min_points)) {
        for (int k = 0; k < 360; k++) {
            double a = k * M_PI / 360, s = offset_score(p, n, -sin(a), cos(a), o.bin_m, h);
            if (s > best) {
                best = s;
                theta = a;
            }
        }
        /* refine around the best */
        double base = theta;
        for (int k = -10; k <= 10; k++) {
            double a = base + k * M_PI / 3600, s = offset_score(p, n, -sin(a), cos(a), o.bin_m / 2, h);
            if (k == -10 || s > best) {
                best = s;
                theta = a;
            }
        }
    }
    /* rows: densest offset window first; then the direction refined by
     * least squares on the rows' members (the vote's bins leave it up to
     * half a degree off on a straight row: 1.3 m across at 150 m), kept
     * when the rows then hold at least as many finds */
    double *so = dm_malloc(ctx, n * sizeof *so);
    if (!so) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    size_t members = 0, nr = form_rows(p, n, theta, mx, my, &o, off, used, so, mem, t, rows, max_rows, &members);
    if (nr && (!o.have_prior || n >= (size_t)(2 * o.min_points))) {
        double th2 = pooled_direction(p, n, off, rows, nr, o.row_width_m, theta);
        if (th2 != theta && fabs(th2 - theta) < M_PI / 180) {
            dm_row_fit *r2 = dm_malloc(ctx, max_rows * sizeof *r2);
            if (!r2) {
                dm_free(ctx, so);
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto done;
            }
            size_t m2 = 0, nr2 = form_rows(p, n, th2, mx, my, &o, off, used, so, mem, t, r2, max_rows, &m2);
            if (nr2 && m2 >= members) {
                memcpy(rows, r2, nr2 * sizeof *rows);
                nr = nr2;
                theta = th2;
            } else
                form_rows(p, n, theta, mx, my, &o, off, used, so, mem, t, rows, max_rows, &members);
            dm_free(ctx, r2);
        }
    }
    dm_free(ctx, so);
    /* rows of one field share their spacing: refit the rows whose spacing
     * is near the median together */
    fit_spacings(p, n, off, rows, nr, o.row_width_m, t);
    /* sort by offset */
    for (size_t i = 1; i < nr; i++)
        for (size_t k = i; k > 0 && rows[k].offset < rows[k - 1].offset; k--) {
            dm_row_fit tmp = rows[k];
            rows[k] = rows[k - 1];
            rows[k - 1] = tmp;
        }
    *n_rows = nr;
done:
    dm_free(ctx, p);
    dm_free(ctx, off);
    dm_free(ctx, used);
    dm_free(ctx, h);
    dm_free(ctx, mem);
    dm_free(ctx, t);
    return st;
}

typedef struct pvec {
    dm_predicted *v;
    size_t n, cap;
} pvec;

static int push(dm_ctx *ctx, pvec *pv, dm_predicted p)
{
    if (pv->n == pv->cap) {
        size_t nc = pv->cap ? pv->cap * 2 : 256;
        dm_predicted *nv = dm_realloc(ctx, pv->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        pv->v = nv;
        pv->cap = nc;
    }
    pv->v[pv->n++] = p;
    return 0;
}

/* Positions every spacing along row r: p = 0.9 * pscale on its own finds'
 * span, 0.75 * pscale on the field's span [lo, hi]; beyond it, up to
 * `reach`, p halves every `fade` metres and falls by 0.3 for every position
 * already searched in vain on the way out (the row has likely ended). */
static int row_predict(dm_ctx *ctx, pvec *pv, const dm_row_fit *r, int row, double lo, double hi,
                       double reach, double fade, double pscale, double sd_along,
                       double (*searched)(void *, double, double, double), void *user)
{
    double sp = r->spacing;
    if (!(sp > 0.3) || !(hi >= lo) || (hi - lo + 2 * reach) / sp > 1e5)
        return 0;
    /* the span's places run from the mine number nearest lo to the one
     * nearest hi: its end finds are no places searched in vain beyond it
     * (with ceil and floor, rounding put an end find one step outside:
     * one end of a row started at 0.3 times the other's p) */
    double kl = ceil((lo - r->t0) / sp - 0.5), kh = floor((hi - r->t0) / sp + 0.5);
    for (int dir = 0; dir < 3; dir++) {
        /* 0: the span; 1: outwards above hi; 2: outwards below lo */
        double k = dir == 0 ? kl : dir == 1 ? kh + 1 : kl - 1, misses = 0;
        for (;; k += dir == 2 ? -1 : 1) {
            double tt = r->t0 + k * sp;
            if (dir == 0 && k > kh)
                break;
            double d = tt < lo ? lo - tt : tt > hi ? tt - hi : 0;
            if (d > reach)
                break;
            double x = r->x0 + r->ux * tt, y = r->y0 + r->uy * tt;
            double sig = hypot(fmax(0.3, fmax(r->sd_across, sd_along)), 0.015 * d);
            int own = tt >= r->tmin - sp / 2 && tt <= r->tmax + sp / 2;
            double pp = pscale * (own ? 0.9 : 0.75) * pow(0.5, d / fade) * pow(0.3, misses);
            double done = searched ? searched(user, x, y, sig) : 0;
            if (done >= 0.9) {
                misses += dir != 0;
                continue;
            }
            /* what searching part of its ground in vain leaves */
            pp = pp * (1 - done) / (1 - pp * done);
            if (pp < 0.01) {
                if (dir)
                    break;
                continue;
            }
            if (push(ctx, pv, (dm_predicted){x, y, sig, pp, row}))
                return -1;
        }
    }
    return 0;
}

dm_status dm_rows_predict(dm_ctx *ctx, const dm_row_fit *rows, size_t n_rows, double reach_m,
                          double fade_m, double (*searched)(void *, double, double, double), void *user,
                          dm_predicted **out, size_t *n_out)
{
    if (!out || !n_out || (n_rows && !rows))
        return dm__fail(ctx, DM_EINVAL, "predict: bad arguments");
    *out = NULL;
    *n_out = 0;
    if (!(reach_m >= 0)) reach_m = 150;
    if (!(fade_m > 0)) fade_m = 40;
    pvec pv = {0};
    /* the extent of the field along the rows: rows of one field run together */
    double fmin_ = INFINITY, fmax_ = -INFINITY;
    for (size_t i = 0; i < n_rows; i++) {
        fmin_ = fmin(fmin_, rows[i].tmin);
        fmax_ = fmax(fmax_, rows[i].tmax);
    }
    for (size_t i = 0; i < n_rows; i++) {
        const dm_row_fit *r = &rows[i];
        /* a row is likely to run as far as its neighbours' finds */
        double lo = fmin(r->tmin, fmin_), hi = fmax(r->tmax, fmax_);
        if (row_predict(ctx, &pv, r, (int)i, lo, hi, reach_m, fade_m, 1, r->sd_along, searched, user)) {
            dm_free(ctx, pv.v);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
    }
    /* one more row on each side when the rows are regularly spaced */
    if (n_rows >= 2) {
        double sep = (rows[n_rows - 1].offset - rows[0].offset) / (double)(n_rows - 1);
        int regular = sep > 1.5;
        for (size_t i = 1; i < n_rows && regular; i++) {
            double d = rows[i].offset - rows[i - 1].offset;
            regular = fabs(d - sep) < 0.35 * sep;
        }
        for (int side = -1; side <= 1 && regular; side += 2) {
            dm_row_fit r = side < 0 ? rows[0] : rows[n_rows - 1];
            double nx = -r.uy, ny = r.ux;
            r.x0 += nx * sep * side;
            r.y0 += ny * sep * side;
            r.t0 += r.spacing / 2;
            if (row_predict(ctx, &pv, &r, -1, fmin_, fmax_, reach_m, fade_m, 0.3, r.spacing / 2, searched, user)) {
                dm_free(ctx, pv.v);
                return dm__fail(ctx, DM_ENOMEM, "out of memory");
            }
        }
    }
    *out = pv.v;
    *n_out = pv.n;
    return DM_OK;
}
