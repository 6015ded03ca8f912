/* SPDX-License-Identifier: MIT
 *
 * risk_eval.c -- how well a map predicts: the share of truth events that
 * fall in the riskiest 5, 10 and 20 % of the area (recall), the predictive
 * accuracy index (recall / area share), the whole capture curve and its
 * area, and AUC-ROC, Brier score and a reliability table (does a cell
 * given p = 0.3 turn out positive three times in ten?) over labelled
 * cells. Ties in the map are shared out in proportion, so a flat map
 * scores as random.
 */
#include "core/dm_internal.h"
#include "demine/dm_risk.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Order-preserving key of a float, descending: smaller key = larger value. */
static inline uint32_t desc_key(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return ~u;
}

/* LSD radix sort of 32-bit keys in two passes of 16 bits. */
static int radix_sort(uint32_t *a, size_t n)
{
    uint32_t *t = malloc((n ? n : 1) * sizeof *t);
    size_t *cnt = malloc(65536 * sizeof *cnt);
    if (!t || !cnt) {
        free(t);
        free(cnt);
        return -1;
    }
    for (int shift = 0; shift < 32; shift += 16) {
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(a[i] >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            t[cnt[(a[i] >> shift) & 0xFFFF]++] = a[i];
        memcpy(a, t, n * sizeof *a);
    }
    free(t);
    free(cnt);
    return 0;
}

/* Equal-count bins of the c finite labelled values by probability: mean p,
 * observed share, and their count-weighted mean gap (expected calibration
 * error). Returns -1 when out of memory. */
static int reliability(const double *p, const double *y, size_t n, size_t c, dm_risk_eval *out)
{
    sy *v = malloc(c * sizeof *v);
    if (!v)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(p[i])) {
            v[m].s = p[i];
            v[m++].y = y[i] > 0.5;
        }
    qsort(v, m, sizeof *v, cmp_sy);
    size_t nb = m < DM_RISK_CAL_BINS ? m : DM_RISK_CAL_BINS;
    double gap = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t lo = b * m / nb, hi = (b + 1) * m / nb;
        double sp = 0, so = 0;
        for (size_t k = lo; k < hi; k++)
            sp += v[k].s, so += v[k].y;
        out->bin_n[b] = hi - lo;
        out->bin_p[b] = sp / (double)(hi - lo);
        out->bin_obs[b] = so / (double)(hi - lo);
        gap += fabs(sp - so);
    }
    out->n_bins = nb;
    out->ece = gap / (double)m;
    free(v);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* First index in sorted a[0..n) with a[i] >= k (lower) or > k (upper). */
static size_t bound(const uint32_t *a, size_t n, uint32_t k, int upper)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (upper ? a[mid] <= k : a[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

dm_status dm_risk_evaluate(dm_ctx *ctx, const dm_grid *g, const float *map,
                           const unsigned char *mask, const double *truth_xy, size_t nt,
                           const double *lab_p, const double *lab_y, size_t nl, dm_risk_eval *out)
{
    memset(out, 0, sizeof *out);
    out->auc = out->brier = out->ece = NAN;
    size_t N = dm_grid_cells(g);
    out->n_truth = nt;
    uint32_t *ek = malloc((nt ? nt : 1) * sizeof *ek);
    if (!ek)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu truth points", nt);
    size_t ne = 0;
    for (size_t i = 0; i < nt; i++) {
        double fx = (truth_xy[2 * i] - g->x0) / g->cell, fy = (g->y0 - truth_xy[2 * i + 1]) / g->cell;
        if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
            continue;
        size_t k = (size_t)(int)fy * g->nx + (size_t)(int)fx;
        if ((mask && !mask[k]) || !isfinite(map[k]))
            continue;
        ek[ne++] = desc_key(map[k]);
    }
    out->n_truth_inside = ne;
    qsort(ek, ne, sizeof *ek, cmp_u32);
    size_t m = 0;
    for (size_t k = 0; k < N; k++)
        if ((!mask || mask[k]) && isfinite(map[k]))
            m++;
    out->n_cells = m;
    if (!m) {
        free(ek);
        return dm__fail(ctx, DM_EINVAL,
                        "the area scored holds none of the map's cells (does the area overlap "
                        "the map?)");
    }
    uint32_t *keys = malloc((m ? m : 1) * sizeof *keys);
    if (!keys) {
        free(ek);
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", m);
    }
    m = 0;
    for (size_t k = 0; k < N; k++)
        if ((!mask || mask[k]) && isfinite(map[k]))
            keys[m++] = desc_key(map[k]);
    if (radix_sort(keys, m)) {
        free(keys);
        free(ek);
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu cells", m);
    }
    /* capture at 0..100 % of the area; a tie group straddling the cut is
     * shared in proportion */
    double tot = (double)ne;
    out->capture[0] = 0;
    for (int p = 1; p <= 100; p++) {
        if (!m || tot == 0) {
            out->capture[p] = tot > 0 ? 1.0 : 0.0;
            continue;
        }
        double pos = (double)p / 100.0 * (double)m;
        if (pos >= (double)m) {
            out->capture[p] = 1.0;
            continue;
        }
        uint32_t kc = keys[(size_t)pos];
        size_t lo = bound(keys, m, kc, 0), hi = bound(keys, m, kc, 1);
        size_t e_less = bound(ek, ne, kc, 0), e_eq = bound(ek, ne, kc, 1) - e_less;
        double frac = hi > lo ? (pos - (double)lo) / (double)(hi - lo) : 0;
        out->capture[p] = ((double)e_less + (double)e_eq * frac) / tot;
    }
    free(keys);
    free(ek);
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
    if (ne == 0) { /* nothing to capture: no recall, rather than a recall of 0 */
        for (int p = 0; p <= 100; p++)
            out->capture[p] = NAN;
        out->recall5 = out->recall10 = out->recall20 = NAN;
        out->pai5 = out->pai10 = out->pai20 = out->capture_auc = NAN;
    }
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
        if (c && reliability(lab_p, lab_y, nl, c, out))
            return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu labelled cells", c);
    }
    return DM_OK;
}
