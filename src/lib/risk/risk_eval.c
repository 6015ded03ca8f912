/* SPDX-License-Identifier: MIT
 *
 * risk_eval.c -- how well a map predicts: the share of truth events that
 * fall in the riskiest 5, 10 and 20 % of the area (recall), the predictive
 * accuracy index (recall / area share), the whole capture curve and its
 * area, and AUC-ROC and Brier score over labelled cells. Ties in the map
 * are shared out in proportion, so a flat map scores as random.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct vc {
    float v;
    float n; /* truth events in the cell */
} vc;

static int cmp_vc_desc(const void *a, const void *b)
{
    float x = ((const vc *)a)->v, y = ((const vc *)b)->v;
    return (x < y) - (x > y);
}

typedef struct sy {
    double s, y;
} sy;

static int cmp_sy(const void *a, const void *b)
{
    double x = ((const sy *)a)->s, y = ((const sy *)b)->s;
    return (x > y) - (x < y);
}

double dm_auc(const double *s, const double *y, size_t n)
{
    sy *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NAN;
    size_t m = 0;
    double npos = 0, nneg = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(s[i]))
            continue;
        v[m].s = s[i];
        v[m].y = y[i] > 0.5;
        npos += v[m].y;
        nneg += 1 - v[m].y;
        m++;
    }
    if (npos == 0 || nneg == 0) {
        free(v);
        return NAN;
    }
    qsort(v, m, sizeof *v, cmp_sy);
    double rsum = 0;
    for (size_t i = 0; i < m;) {
        size_t e = i;
        double p = 0;
        while (e < m && v[e].s == v[i].s) {
            p += v[e].y;
            e++;
        }
        double mid = (i + 1 + e) / 2.0; /* mean rank of the tie group (1-based) */
        rsum += p * mid;
        i = e;
    }
    free(v);
    return (rsum - npos * (npos + 1) / 2) / (npos * nneg);
}

dm_status dm_risk_evaluate(dm_ctx *ctx, const dm_grid *g, const float *map,
                           const unsigned char *mask, const double *truth_xy, size_t nt,
                           const double *lab_p, const double *lab_y, size_t nl, dm_risk_eval *out)
{
    memset(out, 0, sizeof *out);
    out->auc = out->brier = NAN;
    size_t N = dm_grid_cells(g);
    float *cnt = calloc(N ? N : 1, sizeof *cnt);
    if (!cnt)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", N);
    out->n_truth = nt;
    for (size_t i = 0; i < nt; i++) {
        double fx = (truth_xy[2 * i] - g->x0) / g->cell, fy = (g->y0 - truth_xy[2 * i + 1]) / g->cell;
        if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
            continue;
        size_t k = (size_t)(int)fy * g->nx + (size_t)(int)fx;
        if ((mask && !mask[k]) || !isfinite(map[k]))
            continue;
        cnt[k] += 1;
        out->n_truth_inside++;
    }
    size_t m = 0;
    for (size_t k = 0; k < N; k++)
        if ((!mask || mask[k]) && isfinite(map[k]))
            m++;
    out->n_cells = m;
    vc *v = malloc((m ? m : 1) * sizeof *v);
    if (!v) {
        free(cnt);
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", m);
    }
    m = 0;
    for (size_t k = 0; k < N; k++)
        if ((!mask || mask[k]) && isfinite(map[k])) {
            v[m].v = map[k];
            v[m].n = cnt[k];
            m++;
        }
    free(cnt);
    qsort(v, m, sizeof *v, cmp_vc_desc);
    double tot = (double)out->n_truth_inside;
    /* capture curve at 0..100 % with proportional sharing of ties */
    size_t i = 0;
    double cum = 0;
    int next = 1;
    out->capture[0] = 0;
    while (i < m && tot > 0) {
        size_t e = i;
        double ev = 0;
        while (e < m && v[e].v == v[i].v) {
            ev += v[e].n;
            e++;
        }
        /* group spans area shares [i/m, e/m) */
        while (next <= 100 && (double)next / 100.0 * m <= e) {
            double a = (double)next / 100.0 * m;
            out->capture[next] = (cum + ev * (a - i) / (double)(e - i)) / tot;
            next++;
        }
        cum += ev;
        i = e;
    }
    for (; next <= 100; next++)
        out->capture[next] = tot > 0 ? 1.0 : 0.0;
    free(v);
    out->recall5 = out->capture[5];
    out->recall10 = out->capture[10];
    out->recall20 = out->capture[20];
    out->pai5 = out->recall5 / 0.05;
    out->pai10 = out->recall10 / 0.10;
    out->pai20 = out->recall20 / 0.20;
    double a = 0;
    for (int k = 1; k <= 100; k++)
        a += (out->capture[k] + out->capture[k - 1]) / 2 * 0.01;
    out->capture_auc = a;
    if (nl) {
        out->auc = dm_auc(lab_p, lab_y, nl);
        double b = 0;
        size_t c = 0;
        for (size_t q = 0; q < nl; q++)
            if (isfinite(lab_p[q])) {
                double d = lab_p[q] - (lab_y[q] > 0.5);
                b += d * d;
                c++;
                if (lab_y[q] > 0.5)
                    out->n_pos++;
                else
                    out->n_neg++;
            }
        out->brier = c ? b / c : NAN;
    }
    return DM_OK;
}
