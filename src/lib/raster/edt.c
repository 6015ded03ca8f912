/* SPDX-License-Identifier: MIT
 *
 * edt.c -- exact Euclidean distance transform (Felzenszwalb and
 * Huttenlocher 2012): a column pass of running distances swept row by row
 * (cache friendly, vectorised), then along each row the lower envelope of
 * parabolas. Both passes run on all cores.
 */
#include "core/dm_internal.h"
#include "demine/dm_raster.h"

#include <math.h>
#include <stdlib.h>

typedef struct edt_job {
    float *f;
    int nx, ny;
    float cap2;
    int strip; /* columns per strip (pass 1) or rows per chunk (pass 2) */
    float scale; /* multiply the distances by this (cell size) */
    int failed;
} edt_job;

#if defined(__GNUC__) && !defined(__clang__)
#define HOT_LOOPS __attribute__((optimize("O3")))
#else
#define HOT_LOOPS
#endif

/* Pass 1: vertical distance (in cells) to the nearest source in the column,
 * written so that the compiler vectorises it. */
HOT_LOOPS static void edt_cols(void *arg, size_t k)
{
    edt_job *j = arg;
    int x0 = (int)k * j->strip, x1 = x0 + j->strip < j->nx ? x0 + j->strip : j->nx;
    size_t nx = (size_t)j->nx;
    float *f = j->f;
    for (int x = x0; x < x1; x++)
        f[x] = f[x] == 0.0f ? 0.0f : INFINITY;
    for (int y = 1; y < j->ny; y++) {
        float *restrict r = f + (size_t)y * nx;
        const float *restrict p = r - nx;
        for (int x = x0; x < x1; x++) {
            float up = p[x] + 1.0f, here = r[x];
            r[x] = here > 0.0f ? up : 0.0f;
        }
    }
    for (int y = j->ny - 2; y >= 0; y--) {
        float *restrict r = f + (size_t)y * nx;
        const float *restrict p = r + nx;
        for (int x = x0; x < x1; x++) {
            float c = p[x] + 1.0f, here = r[x];
            r[x] = c < here ? c : here;
        }
    }
}

/* Pass 2: lower envelope of parabolas along each row of squared column
 * distances. Parabola k has apex at v[k] and height f = h[k] - v[k]^2, so
 * that the squared distance at q is h[k] - 2 q v[k] + q^2 (all exact in
 * double for any raster that fits in memory). */
HOT_LOOPS static void edt_rows(void *arg, size_t k)
{
    edt_job *j = arg;
    int n = j->nx;
    int y0 = (int)k * j->strip, y1 = y0 + j->strip < j->ny ? y0 + j->strip : j->ny;
    int *v = malloc((size_t)n * sizeof *v);
    double *z = malloc(((size_t)n + 1) * sizeof *z);
    double *h = malloc((size_t)n * sizeof *h);
    if (!v || !z || !h) {
        j->failed = 1;
        free(v), free(z), free(h);
        return;
    }
    const double cap2 = j->cap2;
    const float sc = j->scale;
    const float capd = isfinite(cap2) ? (float)sqrt(cap2) * sc : INFINITY;
    for (int y = y0; y < y1; y++) {
        float *r = j->f + (size_t)y * (size_t)n;
        int m = -1;
        for (int q = 0; q < n; q++) {
            float gq = r[q];
            if (gq == INFINITY)
                continue;
            double dq = (double)q, hq = (double)gq * gq + dq * dq, s = -INFINITY;
            /* pop while the new parabola hides the top one from z[m] on:
             * (hq - h[m]) / (2 (q - v[m])) <= z[m], without dividing */
            while (m > 0 && hq - h[m] <= z[m] * (2.0 * (dq - v[m])))
                m--;
            if (m >= 0) {
                s = (hq - h[m]) / (2.0 * (dq - v[m]));
                if (m == 0 && s <= z[0]) /* z[0] = -inf: never */
                    m--;
            }
            if (m < 0)
                s = -INFINITY;
            m++;
            v[m] = q;
            h[m] = hq;
            z[m] = s;
        }
        if (m < 0) {
            for (int q = 0; q < n; q++)
                r[q] = capd;
            continue;
        }
        z[m + 1] = INFINITY;
        int e = 0;
        for (int q = 0; q < n; q++) {
            double dq = (double)q;
            while (z[e + 1] <= dq)
                e++;
            double d2 = h[e] - 2.0 * dq * v[e] + dq * dq;
            r[q] = d2 >= cap2 ? capd : sqrtf((float)d2) * sc;
        }
    }
    free(v), free(z), free(h);
}

dm_status dm_edt(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, int threads)
{
    return dm_edt_scaled(ctx, f, nx, ny, cap_cells, 1.0f, threads);
}

dm_status dm_edt_scaled(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, float scale,
                        int threads)
{
    if (nx <= 0 || ny <= 0)
        return dm__fail(ctx, DM_EINVAL, "distance transform of an empty raster (%d x %d)", nx, ny);
    edt_job j = {f, nx, ny, isfinite(cap_cells) ? cap_cells * cap_cells : INFINITY, 256, scale, 0};
    dm_parallel_for(threads, ((size_t)nx + 255) / 256, edt_cols, &j);
    j.strip = 32;
    dm_parallel_for(threads, ((size_t)ny + 31) / 32, edt_rows, &j);
    if (j.failed)
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    return DM_OK;
}
