/* SPDX-License-Identifier: MIT
 *
 * risk_fit.c -- learning a model's weights: L2-regularised logistic
 * regression solved by Newton's method (few terms, so exact), the penalty
 * chosen by spatial block cross-validation (whole blocks of land held out
 * together, so that nearby cells do not leak into their own test), then a
 * final fit on every sample. The penalty pulls the weights towards zero or,
 * when asked, towards the base model's own weights, so that a few local
 * samples adjust a sound model instead of replacing it. A fit that the
 * cross-validation cannot score (too few labels, or all in one fold) is
 * refused rather than reported as validated.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Solve A x = b (n x n, symmetric positive definite) by Cholesky; 0 on success. */
static int chol_solve(double *A, double *b, int n)
{
    for (int j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (int k = 0; k < j; k++)
            s -= A[j * n + k] * A[j * n + k];
        if (!(s > 1e-12))
            return -1;
        A[j * n + j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (int k = 0; k < j; k++)
                t -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = t / A[j * n + j];
        }
    }
    for (int i = 0; i < n; i++) {
        double t = b[i];
        for (int k = 0; k < i; k++)
            t -= A[i * n + k] * b[k];
        b[i] = t / A[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double t = b[i];
        for (int k = i + 1; k < n; k++)
            t -= A[k * n + i] * b[k];
        b[i] = t / A[i * n + i];
    }
    return 0;
}

typedef struct design {
    const dm_risk_sample *s;
    size_t n;
    int p;            /* terms */
    const double *mu, *sd;
    const unsigned char *active; /* term used */
    const double *prior;         /* standardised weights shrunk towards (NULL: 0) */
} design;

static inline double zval(const design *d, size_t i, int k)
{
    return ((double)d->s[i].x[k] - d->mu[k]) / d->sd[k];
}

/* Fit beta (p + 1: intercept first) on samples where use(i). */
static int newton(const design *d, const int *fold, int skip, double lambda, double *beta)
{
    int P = d->p + 1;
    double *H = malloc((size_t)P * P * sizeof *H), *g = malloc((size_t)P * sizeof *g);
    double *z = malloc((size_t)P * sizeof *z);
    if (!H || !g || !z) {
        free(H), free(g), free(z);
        return -1;
    }
    memset(beta, 0, (size_t)P * sizeof *beta);
    if (d->prior)
        for (int k = 0; k < d->p; k++)
            beta[k + 1] = d->active[k] ? d->prior[k] : 0;
    double W = 0, Wy = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!fold || fold[i] != skip) {
            W += d->s[i].w;
            Wy += d->s[i].w * d->s[i].y;
        }
    if (W <= 0 || Wy <= 0 || Wy >= W) {
        free(H), free(g), free(z);
        return -1;
    }
    beta[0] = log(Wy / (W - Wy));
    if (d->prior) { /* the intercept that matches the base rate under the prior */
        double m = 0;
        for (size_t i = 0; i < d->n; i++)
            if (!fold || fold[i] != skip)
                for (int k = 0; k < d->p; k++)
                    m += d->s[i].w * beta[k + 1] * (d->active[k] ? zval(d, i, k) : 0);
        beta[0] -= m / W;
    }
    double lam = lambda * W;
    int rc = 0;
    for (int it = 0; it < 60; it++) {
        memset(H, 0, (size_t)P * P * sizeof *H);
        memset(g, 0, (size_t)P * sizeof *g);
        for (size_t i = 0; i < d->n; i++) {
            if (fold && fold[i] == skip)
                continue;
            z[0] = 1;
            double eta = beta[0];
            for (int k = 0; k < d->p; k++) {
                z[k + 1] = d->active[k] ? zval(d, i, k) : 0;
                eta += beta[k + 1] * z[k + 1];
            }
            double mu = 1 / (1 + exp(-eta)), w = d->s[i].w;
            double r = w * (d->s[i].y - mu), h = w * mu * (1 - mu);
            for (int a = 0; a < P; a++) {
                g[a] += r * z[a];
                for (int b = 0; b <= a; b++)
                    H[a * P + b] += h * z[a] * z[b];
            }
        }
        for (int a = 0; a < P; a++)
            for (int b = a + 1; b < P; b++)
                H[a * P + b] = H[b * P + a];
        for (int k = 1; k < P; k++) {
            H[k * P + k] += lam + (d->active[k - 1] ? 0 : 1);
            g[k] -= lam * (beta[k] - (d->prior ? d->prior[k - 1] : 0));
        }
        H[0] += 1e-9 * W;
        if (chol_solve(H, g, P)) {
            rc = -1;
            break;
        }
        double step = 0;
        for (int a = 0; a < P; a++)
            step = fmax(step, fabs(g[a]));
        double damp = step > 2.0 ? 2.0 / step : 1.0; /* trust region: no wild first steps */
        for (int a = 0; a < P; a++)
            beta[a] += damp * g[a];
        if (step < 1e-7)
            break;
    }
    free(H), free(g), free(z);
    return rc;
}

static double predict(const design *d, size_t i, const double *beta)
{
    double eta = beta[0];
    for (int k = 0; k < d->p; k++)
        if (d->active[k])
            eta += beta[k + 1] * zval(d, i, k);
    return eta;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

dm_status dm_risk_fit(dm_ctx *ctx, dm_risk_model *m, const dm_risk_sample *samples, size_t n,
                      dm_risk_fit_opts *o)
{
    int p = (int)m->n_terms;
    /* 0 is "not given"; anything else given must make sense */
    if (o && (o->folds == 1 || o->folds < 0))
        return dm__fail(ctx, DM_EINVAL, "cannot fit: folds must be at least 2 (got %d)", o->folds);
    if (o && (o->block_m < 0 || !isfinite(o->block_m)))
        return dm__fail(ctx, DM_EINVAL,
                        "cannot fit: the cross-validation block side must be > 0 metres (got %g)",
                        o->block_m);
    double block = o && o->block_m > 0 ? o->block_m : 10000;
    int folds = o && o->folds > 1 ? o->folds : 5;
    /* towards a base model, the ladder goes on to penalties that keep it */
    static const double ladder[] = {1e-5, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3, 10};
    const double *lams = o && o->n_lambdas ? o->lambdas : ladder;
    size_t nl = o && o->n_lambdas ? o->n_lambdas
                                  : sizeof ladder / sizeof ladder[0] - (o && o->shrink_to_base ? 0 : 3);
    double pos = 0, neg = 0;
    size_t npos = 0, nneg = 0;
    for (size_t i = 0; i < n; i++) {
        *(samples[i].y > 0.5 ? &pos : &neg) += samples[i].w;
        *(samples[i].y > 0.5 ? &npos : &nneg) += samples[i].w > 0;
    }
    if (pos <= 0 || neg <= 0)
        return dm__fail(ctx, DM_EINVAL,
                        "cannot fit: the labels need both positive and negative cells (%g "
                        "positive, %g negative)",
                        pos, neg);
    /* a fold is scored on held-out cells of both labels, with both left to
     * fit on: at least two of each per fold */
    if (npos < (size_t)(2 * folds) || nneg < (size_t)(2 * folds))
        return dm__fail(ctx, DM_EINVAL,
                        "cannot fit: %zu positive and %zu negative labelled cells; the %d-fold "
                        "cross-validation needs at least %d of each (2 per fold)",
                        npos, nneg, folds, 2 * folds);
    double *prior = NULL;
    double *mu = dm_calloc(ctx, (size_t)p + 1, sizeof *mu), *sd = dm_calloc(ctx, (size_t)p + 1, sizeof *sd);
    unsigned char *active = dm_calloc(ctx, (size_t)p + 1, 1);
    int *fold = dm_calloc(ctx, n ? n : 1, sizeof *fold);
    double *beta = dm_calloc(ctx, (size_t)p + 1, sizeof *beta);
    double *sc = dm_calloc(ctx, n ? n : 1, sizeof *sc), *yy = dm_calloc(ctx, n ? n : 1, sizeof *yy);
    dm_status st = DM_OK;
    if (!mu || !sd || !active || !fold || !beta || !sc || !yy) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    double W = pos + neg;
    for (int k = 0; k < p; k++) {
        double s = 0, s2 = 0;
        for (size_t i = 0; i < n; i++)
            s += samples[i].w * samples[i].x[k];
        s /= W;
        for (size_t i = 0; i < n; i++) {
            double dd = samples[i].x[k] - s;
            s2 += samples[i].w * dd * dd;
        }
        mu[k] = s;
        sd[k] = sqrt(s2 / W);
        active[k] = sd[k] > 1e-9;
        if (!active[k])
            sd[k] = 1;
    }
    /* A small area may lie in one or two blocks, leaving nothing to hold
     * out: halve the blocks until the samples span 2 x folds of them. */
    for (;;) {
        size_t nb = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t bx = (int64_t)floor(samples[i].bx / block), by = (int64_t)floor(samples[i].by / block);
            sc[i] = (double)(mix((uint64_t)bx * 0x9E3779B97F4A7C15ULL ^ (uint64_t)by) >> 11);
        }
        qsort(sc, n, sizeof *sc, cmp_double);
        for (size_t i = 0; i < n; i++)
            nb += !i || sc[i] != sc[i - 1];
        if (nb >= (size_t)(2 * folds) || block <= 100)
            break;
        block /= 2;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t bx = (int64_t)floor(samples[i].bx / block), by = (int64_t)floor(samples[i].by / block);
        fold[i] = (int)(mix((uint64_t)bx * 0x9E3779B97F4A7C15ULL ^ (uint64_t)by) % (uint64_t)folds);
    }
    if (o)
        o->block_used_m = block;
    if (o && o->shrink_to_base) {
        /* the base model's weight per unit of x, in the new standard units */
        if (!(prior = dm_calloc(ctx, (size_t)p + 1, sizeof *prior))) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        for (int k = 0; k < p; k++) {
            double bsd = m->terms[k].sd > 0 ? m->terms[k].sd : 1;
            prior[k] = active[k] ? m->terms[k].weight / bsd * sd[k] : 0;
        }
    }
    design d = {samples, n, p, mu, sd, active, prior};
    double best = INFINITY, best_lam = lams[0], best_auc = NAN;
    for (size_t li = 0; li < nl; li++) {
        double loss = 0, lw = 0, auc = 0;
        int nf = 0;
        for (int f = 0; f < folds; f++) {
            if (newton(&d, fold, f, lams[li], beta))
                continue;
            size_t c = 0;
            for (size_t i = 0; i < n; i++)
                if (fold[i] == f) {
                    double eta = predict(&d, i, beta), y = samples[i].y;
                    double v = y > 0.5 ? -eta : eta; /* log-loss = softplus(v), stable */
                    double l = (v > 0 ? v : 0) + log1p(exp(-fabs(v)));
                    loss += samples[i].w * l;
                    lw += samples[i].w;
                    sc[c] = eta;
                    yy[c++] = y;
                }
            double a = dm_auc(sc, yy, c);
            if (isfinite(a)) {
                auc += a;
                nf++;
            }
        }
        if (lw <= 0)
            continue;
        loss /= lw;
        dm__log(ctx, DM_LOG_INFO, "fit: lambda %g: held-out log-loss %.5f, AUC %.4f", lams[li],
                loss, nf ? auc / nf : NAN);
        if (loss < best) {
            best = loss;
            best_lam = lams[li];
            best_auc = nf ? auc / nf : NAN;
        }
    }
    /* the base model as it is, scored on the same held-out folds: does the
     * fit rank better than what it started from? */
    double base_auc = 0;
    int nbf = 0;
    for (int f = 0; f < folds; f++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            if (fold[i] == f) {
                double eta = 0;
                for (int k = 0; k < p; k++) {
                    double bsd = m->terms[k].sd > 0 ? m->terms[k].sd : 1;
                    double x = samples[i].x[k];
                    if (isfinite(x))
                        eta += m->terms[k].weight * (x - m->terms[k].mean) / bsd;
                }
                sc[c] = eta;
                yy[c++] = samples[i].y;
            }
        double a = c ? dm_auc(sc, yy, c) : NAN;
        if (isfinite(a)) {
            base_auc += a;
            nbf++;
        }
    }
    if (o)
        o->base_auc = nbf ? base_auc / nbf : NAN;
    if (!isfinite(best) || !isfinite(best_auc)) {
        /* a penalty chosen on folds that hold no positive cell (or none
         * at all) is a guess, and the fit would be reported as validated */
        st = dm__fail(ctx, DM_EINVAL,
                      "cannot fit: no fold of the %d-fold spatial cross-validation (blocks of %g "
                      "km) holds both positive and negative cells with both left to fit on "
                      "(%zu positive and %zu negative labelled cells); spread the labels over "
                      "more of the area, at least %d of each, or use smaller blocks",
                      folds, block / 1000, npos, nneg, 2 * folds);
        goto done;
    }
    if (newton(&d, NULL, -1, best_lam, beta)) {
        st = dm__fail(ctx, DM_EINVAL, "the fit did not converge (collinear or separable terms)");
        goto done;
    }
    m->intercept = beta[0];
    m->lambda = best_lam;
    for (int k = 0; k < p; k++) {
        if (!active[k] && prior) {
            /* the samples say nothing of this term (it is constant there):
             * it keeps its base weight, and the intercept takes back what it
             * adds at the samples' value */
            double bsd = m->terms[k].sd > 0 ? m->terms[k].sd : 1;
            m->intercept -= m->terms[k].weight * (mu[k] - m->terms[k].mean) / bsd;
            continue;
        }
        m->terms[k].mean = mu[k];
        m->terms[k].sd = sd[k];
        m->terms[k].weight = active[k] ? beta[k + 1] : 0;
    }
    if (o) {
        o->cv_loss = best;
        o->cv_auc = best_auc;
    }
done:
    dm_free(ctx, mu);
    dm_free(ctx, sd);
    dm_free(ctx, active);
    dm_free(ctx, fold);
    dm_free(ctx, beta);
    dm_free(ctx, prior);
    dm_free(ctx, sc);
    dm_free(ctx, yy);
    return st;
}
