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
    int failed;
} edt_job;

/* Pass 1: vertical distance (in cells) to the nearest source in the column. */
static void edt_cols(void *arg, size_t k)
{
    edt_job *j = arg;
    int x0 = (int)k * j->strip, x1 = x0 + j->strip < j->nx ? x0 + j->strip : j->nx;
    size_t nx = (size_t)j->nx;
    float *f = j->f;
    for (int x = x0; x < x1; x++)
        f[x] = f[x] == 0.0f ? 0.0f : INFINITY;
    for (int y = 1; y < j->ny; y++) {
        float *r = f + (size_t)y * nx, *p = r - nx;
        for (int x = x0; x < x1; x++)
            r[x] = r[x] == 0.0f ? 0.0f : p[x] + 1.0f;
    }
    for (int y = j->ny - 2; y >= 0; y--) {
        float *r = f + (size_t)y * nx, *p = r + nx;
        for (int x = x0; x < x1; x++) {
            float c = p[x] + 1.0f;
            r[x] = c < r[x] ? c : r[x];
        }
    }
}

/* Pass 2: lower envelope of parabolas along each row of squared column
 * distances. */
static void edt_rows(void *arg, size_t k)
{
    edt_job *j = arg;
    int n = j->nx;
    int y0 = (int)k * j->strip, y1 = y0 + j->strip < j->ny ? y0 + j->strip : j->ny;
    int *v = malloc((size_t)n * sizeof *v);
    double *z = malloc(((size_t)n + 1) * sizeof *z);
    double *fq = malloc((size_t)n * sizeof *fq);
    if (!v || !z || !fq) {
        j->failed = 1;
        free(v), free(z), free(fq);
        return;
    }
    for (int y = y0; y < y1; y++) {
        float *r = j->f + (size_t)y * (size_t)n;
        int m = -1;
        for (int q = 0; q < n; q++) {
            if (!isfinite(r[q]))
                continue;
            double f = (double)r[q] * r[q];
            fq[q] = f;
            if (m < 0) {
                m = 0;
                v[0] = q;
                z[0] = -INFINITY;
                z[1] = INFINITY;
                continue;
            }
            double s;
            for (;;) {
                int p = v[m];
                s = ((f + (double)q * q) - (fq[p] + (double)p * p)) / (2.0 * (q - p));
                if (s <= z[m] && m > 0)
                    m--;
                else
                    break;
            }
            if (s <= z[m]) { /* m == 0 and the new parabola hides the first */
                v[0] = q;
                z[1] = INFINITY;
                continue;
            }
            m++;
            v[m] = q;
            z[m] = s;
            z[m + 1] = INFINITY;
        }
        if (m < 0) {
            float c = isfinite(j->cap2) ? sqrtf(j->cap2) : INFINITY;
            for (int q = 0; q < n; q++)
                r[q] = c;
            continue;
        }
        int e = 0;
        for (int q = 0; q < n; q++) {
            while (z[e + 1] < q)
                e++;
            double dq = (double)(q - v[e]);
            double d2 = dq * dq + fq[v[e]];
            if (d2 > j->cap2)
                d2 = j->cap2;
            r[q] = (float)sqrt(d2);
        }
    }
    free(v), free(z), free(fq);
}

dm_status dm_edt(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, int threads)
{
    if (nx <= 0 || ny <= 0)
        return dm__fail(ctx, DM_EINVAL, "distance transform of an empty raster (%d x %d)", nx, ny);
    edt_job j = {f, nx, ny, isfinite(cap_cells) ? cap_cells * cap_cells : INFINITY, 256, 0};
    dm_parallel_for(threads, ((size_t)nx + 255) / 256, edt_cols, &j);
    j.strip = 32;
    dm_parallel_for(threads, ((size_t)ny + 31) / 32, edt_rows, &j);
    if (j.failed)
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    return DM_OK;
}
