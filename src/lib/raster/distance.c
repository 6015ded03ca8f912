/* SPDX-License-Identifier: MIT
 *
 * distance.c -- dm_raster_distance, the distance raster file to file: the
 * input is read by every thread at once (one GDAL handle each, whole bands
 * of block rows, no block cache) and each band of raw values goes straight
 * into the column pass of the distance transform, then the envelope pass
 * and a tiled GeoTIFF written block by block.
 */
#include "core/dm_internal.h"
#include "raster/raster_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#pragma GCC diagnostic pop
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct dist_job {
    dm_ctx *ctx;
    const char *path;
    int band;
    dm__edt *e;
    int bw, bh;   /* unit of reading: a block, or (rows mode) bw = nx, bh = 1 */
    int rows;     /* read whole bands with GDALRasterIO instead of blocks */
    GDALDataType type;
    int size;     /* bytes per value */
    const double *vals;
    int nv;
    uint8_t is_src[256]; /* Byte rasters: value -> source; others: 0/1 flags */
    atomic_int next;
    pthread_t main_tid; /* reports progress */
    pthread_mutex_t mu;
    atomic_int failed;
    char msg[512];
} dist_job;

/* Non-Byte values to 0/1 source flags (the comparisons of the float values
 * that dm_raster_read would give). */
static void flag_row(const dist_job *j, const void *src, int w, float *tmp, uint8_t *dst)
{
    GDALCopyWords((void *)src, j->type, j->size, tmp, GDT_Float32, 4, w);
    for (int x = 0; x < w; x++) {
        int s = 0;
        if (!j->nv)
            s = tmp[x] != 0 && !isnan(tmp[x]);
        for (int q = 0; q < j->nv; q++)
            s |= tmp[x] == (float)j->vals[q];
        dst[x] = (uint8_t)s;
    }
}

/* Read band k's block column bx (all its block rows stacked) into raw. */
static int read_band(dist_job *j, GDALRasterBandH b, int k, int bx, uint8_t *raw)
{
    dm__edt *e = j->e;
    int y0 = k * e->band_h, h = e->ny - y0 < e->band_h ? e->ny - y0 : e->band_h;
    if (j->rows)
        return GDALRasterIO(b, GF_Read, 0, y0, e->nx, h, raw, e->nx, h, j->type, 0, 0) == CE_None;
    size_t blk = (size_t)j->bw * j->bh * j->size;
    for (int r = 0; r * j->bh < h; r++)
        if (GDALReadBlock(b, bx, y0 / j->bh + r, raw + r * blk) != CE_None)
            return 0;
    return 1;
}

static void *dist_worker(void *arg)
{
    dist_job *j = arg;
    dm__edt *e = j->e;
    int main_thread = pthread_equal(pthread_self(), j->main_tid);
    GDALDatasetH ds = GDALOpen(j->path, GA_ReadOnly);
    size_t cells = (size_t)j->bw * e->band_h;
    uint8_t *raw = malloc(cells * j->size), *mask = NULL;
    float *tmp = NULL;
    if (j->type != GDT_Byte) {
        mask = malloc(cells);
        tmp = malloc((size_t)j->bw * sizeof *tmp);
    }
    int ok = ds && raw && (j->type == GDT_Byte || (mask && tmp));
    GDALRasterBandH b = ok ? GDALGetRasterBand(ds, j->band) : NULL;
    int bcols = (e->nx + j->bw - 1) / j->bw;
    while (ok) {
        int k = atomic_fetch_add(&j->next, 1);
        if (k >= e->nbands || atomic_load(&j->failed))
            break;
        int h = e->ny - k * e->band_h < e->band_h ? e->ny - k * e->band_h : e->band_h;
        for (int bx = 0; bx < bcols && ok; bx++) {
            if (!(ok = read_band(j, b, k, bx, raw)))
                break;
            int xw = e->nx - bx * j->bw < j->bw ? e->nx - bx * j->bw : j->bw;
            const uint8_t *src = raw;
            if (mask) {
                for (int y = 0; y < h; y++)
                    flag_row(j, raw + (size_t)y * j->bw * j->size, xw, tmp,
                             mask + (size_t)y * j->bw);
                src = mask;
            }
            /* strips of 256 columns keep the two sweeps in cache */
            for (int x = 0; x < xw; x += 256)
                dm__edt_cols_u8(e, k, bx * j->bw + x, xw - x < 256 ? xw - x : 256, src + x,
                                (size_t)j->bw, j->is_src);
        }
        if (main_thread)
            dm__progress(j->ctx, "distance: reading", (uint64_t)k + 1, (uint64_t)e->nbands);
    }
    if (!ok) {
        pthread_mutex_lock(&j->mu);
        if (!atomic_load(&j->failed)) {
            atomic_store(&j->failed, 1);
            dm__strlcpy(j->msg, ds ? dm__gdal_msg() : "out of memory or cannot open", sizeof j->msg);
        }
        pthread_mutex_unlock(&j->mu);
    }
    if (ds)
        GDALClose(ds);
    free(raw);
    free(mask);
    free(tmp);
    return NULL;
}

dm_status dm_raster_distance(dm_ctx *ctx, const char *in, int band, const double *vals, int nv,
                             double max_dist, const char *out, int compress, int threads)
{
    void *h;
    dm_grid g;
    dm_status st = dm__raster_open_grid(ctx, in, band, &h, &g);
    if (st)
        return st;
    GDALDatasetH ds = h;
    GDALRasterBandH b = GDALGetRasterBand(ds, band);
    dist_job j;
    memset(&j, 0, sizeof j);
    j.path = in;
    j.band = band;
    j.type = GDALGetRasterDataType(b);
    j.size = GDALGetDataTypeSizeBytes(j.type);
    j.vals = vals;
    j.nv = nv;
    GDALGetBlockSize(b, &j.bw, &j.bh);
    GDALClose(ds);
    if (GDALDataTypeIsComplex(j.type) || j.size <= 0)
        return dm__fail(ctx, DM_EINVAL, "%s: band %d holds complex values", in, band);
    /* blocks of sensible shape are read one by one; anything else (huge
     * strips, one block for the whole raster) as bands of rows */
    int band_h = 128;
    if (j.bw > 0 && j.bh > 0 && j.bh <= 1024 && (size_t)j.bw * j.bh * j.size <= ((size_t)16 << 20))
        band_h = j.bh >= 128 ? j.bh : j.bh * ((128 + j.bh - 1) / j.bh);
    else {
        j.rows = 1;
        j.bw = g.nx;
        j.bh = 1;
    }
    if (j.type == GDT_Byte) {
        if (!nv)
            memset(j.is_src + 1, 1, 255);
        for (int q = 0; q < nv; q++)
            if (vals[q] >= 0 && vals[q] <= 255 && vals[q] == (int)vals[q])
                j.is_src[(int)vals[q]] = 1;
    } else
        j.is_src[1] = 1;

    size_t n = dm_grid_cells(&g);
    /* one buffer, filled from end to end: on huge pages (unless
     * DEMINE_HUGEPAGES=0) mapping it costs a small fraction of the work */
    const char *hp = getenv("DEMINE_HUGEPAGES");
    float *f = dm__raster_alloc_opt(n, !(hp && hp[0] == '0'));
    if (!f)
        return dm__fail(ctx, DM_ENOMEM, "%s: out of memory for %zu cells", in, n);
    dm__edt e;
    if ((st = dm__edt_init(ctx, &e, f, g.nx, g.ny, band_h))) {
        dm_raster_free(f, n);
        return dm__wrap(ctx, "%s", in);
    }
    j.e = &e;
    j.ctx = ctx;
    j.main_tid = pthread_self();
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    pthread_mutex_init(&j.mu, NULL);
    if (threads <= 0)
        threads = dm_ctx_threads(ctx);
    int readers = threads < e.nbands ? threads : e.nbands;
    pthread_t tid[16];
    int started = 0;
    for (int t = 1; t < readers && t < 16; t++)
        if (pthread_create(&tid[started], NULL, dist_worker, &j) == 0)
            started++;
    dist_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.mu);
    if (atomic_load(&j.failed))
        st = dm__fail(ctx, DM_EGDAL, "%s: read failed: %s", in, j.msg);
    if (!st)
        st = dm__edt_finish(ctx, &e, isfinite(max_dist) ? (float)(max_dist / g.cell) : INFINITY,
                            (float)g.cell, threads);
    dm__edt_free(&e);
    dm_gtiff *w = NULL;
    const char *names[1] = {"distance"};
    if (!st)
        st = dm_gtiff_create(ctx, out, &g, 1, names, -1.0f, compress, &w);
    if (!st)
        st = dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, f);
    if (w) {
        dm_status s2 = dm_gtiff_close(w, 0);
        if (!st)
            st = s2;
    }
    dm_raster_free(f, n);
    return st;
}
