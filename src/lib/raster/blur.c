/* SPDX-License-Identifier: MIT
 *
 * blur.c -- Gaussian kernels by three successive box filters (Wells 1986):
 * the cost per cell does not depend on the kernel's width, which matters at
 * 10 m cells with kernels of kilometres. Horizontal passes run row by row,
 * vertical passes as running sums over strips of columns (row-major memory).
 */
#include "core/dm_internal.h"
#include "demine/dm_raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Box radii whose three passes best match a Gaussian of sigma cells. */
static void box_radii(double sigma, int r[3])
{
    const int n = 3;
    double wideal = sqrt(12.0 * sigma * sigma / n + 1.0);
    int wl = (int)floor(wideal);
    if (wl % 2 == 0)
        wl--;
    if (wl < 1)
        wl = 1;
    int wu = wl + 2;
    double mideal = (12.0 * sigma * sigma - n * wl * wl - 4.0 * n * wl - 3.0 * n) / (-4.0 * wl - 4.0);
    int m = (int)lround(mideal);
    for (int i = 0; i < n; i++)
        r[i] = ((i < m ? wl : wu) - 1) / 2;
}

int dm_gauss_reach(double sigma_cells)
{
    int r[3];
    box_radii(sigma_cells, r);
    return r[0] + r[1] + r[2];
}

typedef struct blur_job {
    const float *src;
    float *dst;
    int nx, ny, r, strip;
    int failed;
} blur_job;

static void box_h(void *arg, size_t k)
{
    blur_job *j = arg;
    int y0 = (int)k * j->strip, y1 = y0 + j->strip < j->ny ? y0 + j->strip : j->ny;
    int n = j->nx, r = j->r;
    double inv = 1.0 / (2 * r + 1);
    for (int y = y0; y < y1; y++) {
        const float *s = j->src + (size_t)y * n;
        float *d = j->dst + (size_t)y * n;
        double acc = 0;
        for (int x = 0; x < r && x < n; x++)
            acc += s[x];
        for (int x = 0; x < n; x++) {
            if (x + r < n)
                acc += s[x + r];
            d[x] = (float)(acc * inv);
            if (x - r >= 0)
                acc -= s[x - r];
        }
    }
}

static void box_v(void *arg, size_t k)
{
    blur_job *j = arg;
    int x0 = (int)k * j->strip, x1 = x0 + j->strip < j->nx ? x0 + j->strip : j->nx;
    int w = x1 - x0, n = j->ny, r = j->r;
    size_t nx = (size_t)j->nx;
    double inv = 1.0 / (2 * r + 1);
    double *acc = calloc((size_t)w, sizeof *acc);
    if (!acc) {
        j->failed = 1;
        return;
    }
    for (int y = 0; y < r && y < n; y++) {
        const float *s = j->src + (size_t)y * nx + x0;
        for (int x = 0; x < w; x++)
            acc[x] += s[x];
    }
    for (int y = 0; y < n; y++) {
        if (y + r < n) {
            const float *s = j->src + (size_t)(y + r) * nx + x0;
            for (int x = 0; x < w; x++)
                acc[x] += s[x];
        }
        float *d = j->dst + (size_t)y * nx + x0;
        for (int x = 0; x < w; x++)
            d[x] = (float)(acc[x] * inv);
        if (y - r >= 0) {
            const float *s = j->src + (size_t)(y - r) * nx + x0;
            for (int x = 0; x < w; x++)
                acc[x] -= s[x];
        }
    }
    free(acc);
}

dm_status dm_gauss_blur(dm_ctx *ctx, float *buf, int nx, int ny, double sigma_cells, int threads)
{
    return dm_gauss_blur_ws(ctx, buf, NULL, nx, ny, sigma_cells, threads);
}

dm_status dm_gauss_blur_ws(dm_ctx *ctx, float *buf, float *work, int nx, int ny,
                           double sigma_cells, int threads)
{
    if (nx <= 0 || ny <= 0)
        return DM_OK;
    if (!(sigma_cells >= 0) || !isfinite(sigma_cells))
        return dm__fail(ctx, DM_EINVAL, "kernel width must be >= 0 (got %g cells)", sigma_cells);
    int r[3];
    box_radii(sigma_cells, r);
    if (r[0] + r[1] + r[2] == 0)
        return DM_OK;
    size_t n = (size_t)nx * ny;
    float *tmp = work ? work : dm_raster_alloc(n);
    if (!tmp)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for a %d x %d kernel buffer", nx, ny);
    blur_job j = {0};
    j.nx = nx;
    j.ny = ny;
    for (int p = 0; p < 3; p++) {
        if (r[p] == 0)
            continue;
        j.r = r[p];
        j.src = buf;
        j.dst = tmp;
        j.strip = 16;
        dm_parallel_for(threads, ((size_t)ny + 15) / 16, box_h, &j);
        j.src = tmp;
        j.dst = buf;
        j.strip = 512;
        dm_parallel_for(threads, ((size_t)nx + 511) / 512, box_v, &j);
    }
    if (!work)
        dm_raster_free(tmp, n);
    if (j.failed)
        return dm__fail(ctx, DM_ENOMEM, "out of memory in the kernel");
    return DM_OK;
}
