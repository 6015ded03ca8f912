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
    int have_mem = raw && (j->type == GDT_Byte || (mask && tmp));
    int ok = ds && have_mem;
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
            dm__strlcpy(j->msg, !have_mem ? "out of memory" : dm__gdal_msg(), sizeof j->msg);
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

/* ---- envelope pass streamed out: block rows computed on every core into a
 * small pool of buffers (one row of 256 x 256 tiles each), written in order
 * by the calling thread as soon as they are ready ---- */
#define POOL 6

typedef struct out_job {
    dm__edt *e;
    int nby, bcols, nbuf;
    float *buf[POOL];
    int free_[POOL], nfree;
    int *ready; /* per block row: its buffer once computed, else -1 */
    int next;   /* next block row to compute */
    int failed;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} out_job;

static void *out_worker(void *arg)
{
    out_job *j = arg;
    dm__edt *e = j->e;
    dm__edt_scratch s;
    int ok = dm__edt_scratch_init(NULL, &s, e->nx) == DM_OK;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (ok && !j->failed && j->next < j->nby && !j->nfree)
            pthread_cond_wait(&j->cv, &j->mu);
        if (!ok || j->failed || j->next >= j->nby) {
            if (!ok)
                j->failed = 1;
            pthread_cond_broadcast(&j->cv);
            pthread_mutex_unlock(&j->mu);
            break;
        }
        int by = j->next++, b = j->free_[--j->nfree];
        pthread_mutex_unlock(&j->mu);
        float *out = j->buf[b];
        int y0 = by * 256, h = e->ny - y0 < 256 ? e->ny - y0 : 256;
        for (int y = 0; y < h; y++)
            dm__edt_row(e, y0 + y, out + (size_t)y * 256, 1, &s);
        if (h < 256) /* below the raster: zeros, not stale rows */
            for (int bx = 0; bx < j->bcols; bx++)
                memset(out + (size_t)bx * 65536 + (size_t)h * 256, 0,
                       (size_t)(256 - h) * 256 * sizeof *out);
        pthread_mutex_lock(&j->mu);
        j->ready[by] = b;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    dm__edt_scratch_free(&s);
    return NULL;
}

static dm_status stream_out(dm_ctx *ctx, dm__edt *e, dm_gtiff *w, int threads)
{
    out_job j;
    memset(&j, 0, sizeof j);
    j.e = e;
    j.nby = (e->ny + 255) / 256;
    j.bcols = (e->nx + 255) / 256;
    if (threads > 16)
        threads = 16;
    j.nbuf = threads + 2 < POOL ? threads + 2 : POOL;
    if (j.nbuf > j.nby)
        j.nbuf = j.nby;
    j.ready = malloc((size_t)j.nby * sizeof *j.ready);
    int ok = j.ready != NULL;
    for (int b = 0; b < j.nbuf && ok; b++) {
        /* zeroed: the tile columns right of the raster stay 0 */
        ok = (j.buf[b] = dm__raster_alloc_opt((size_t)j.bcols * 65536, 1)) != NULL;
        if (ok && (size_t)j.bcols * 65536 * sizeof(float) < ((size_t)2 << 20))
            memset(j.buf[b], 0, (size_t)j.bcols * 65536 * sizeof(float));
        j.free_[j.nfree++] = b;
    }
    dm_status st = DM_OK;
    if (!ok) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory for the output blocks");
        goto done;
    }
    for (int k = 0; k < j.nby; k++)
        j.ready[k] = -1;
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    pthread_t tid[16];
    int started = 0;
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tid[started], NULL, out_worker, &j) == 0)
            started++;
    if (!started)
        st = dm__fail(ctx, DM_ENOMEM, "cannot start threads for the distance transform");
    for (int by = 0; by < j.nby && !st; by++) {
        pthread_mutex_lock(&j.mu);
        while (j.ready[by] < 0 && !j.failed)
            pthread_cond_wait(&j.cv, &j.mu);
        int b = j.ready[by];
        pthread_mutex_unlock(&j.mu);
        if (b < 0)
            break;
        for (int bx = 0; bx < j.bcols && !st; bx++)
            st = dm__gtiff_write_block(w, 1, bx, by, j.buf[b] + (size_t)bx * 65536);
        pthread_mutex_lock(&j.mu);
        if (st)
            j.failed = 1;
        j.free_[j.nfree++] = b;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
        dm__progress(ctx, "distance: writing", (uint64_t)by + 1, (uint64_t)j.nby);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    if (!st && j.failed)
        st = dm__fail(ctx, DM_ENOMEM, "out of memory in the distance transform");
    pthread_cond_destroy(&j.cv);
    pthread_mutex_destroy(&j.mu);
done:
    for (int b = 0; b < j.nbuf; b++)
        dm_raster_free(j.buf[b], (size_t)j.bcols * 65536);
    free(j.ready);
    return st;
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
    /* distances are in the CRS's units: degrees (north-south and east-west
     * ones of different lengths) or feet are not the metres --max and the
     * risk terms count in */
    if ((st = dm_crs_require_metres(ctx, g.crs, NULL, 0))) {
        char why[400];
        dm__strlcpy(why, dm_ctx_errmsg(ctx), sizeof why);
        GDALClose(ds);
        return dm__fail(ctx, st, "%s: %s; reproject it first (gdalwarp -t_srs with its UTM zone)",
                        in, why);
    }
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

    dm__edt e;
    if ((st = dm__edt_init(ctx, &e, NULL, g.nx, g.ny, band_h)))
        return dm__wrap(ctx, "%s", in);
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
    /* a band with a source in a column has its offset in top: none finite,
     * no source anywhere, and no distance to give but the cap */
    int any = 0;
    for (size_t k = 0; !st && !any && k < (size_t)e.nbands * (size_t)e.nx; k++)
        any = isfinite(e.top[k]);
    if (!st && !any) {
        char what[160] = "any non-zero value";
        if (nv) {
            size_t len = (size_t)snprintf(what, sizeof what, "values");
            for (int q = 0; q < nv && len < sizeof what; q++)
                len += (size_t)snprintf(what + len, sizeof what - len, "%s%g", q ? "," : " ",
                                        vals[q]);
        }
        if (isfinite(max_dist))
            dm__log(ctx, DM_LOG_WARN, "%s: no source cell in %s (%s): every cell gets the cap %g",
                    out, in, what, max_dist);
        else
            dm__log(ctx, DM_LOG_WARN, "%s: no source cell in %s (%s): every cell gets nodata (-1)",
                    out, in, what);
    }
    dm_gtiff *w = NULL;
    const char *names[1] = {"distance"};
    if (!st)
        st = dm_gtiff_create(ctx, out, &g, 1, names, -1.0f, compress, &w);
    if (!st && !any && !isfinite(max_dist)) {
        float *nd = malloc((size_t)65536 * sizeof *nd);
        if (!nd)
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        for (int k = 0; nd && k < 65536; k++)
            nd[k] = -1.0f;
        for (int by = 0; !st && by < (g.ny + 255) / 256; by++)
            for (int bx = 0; !st && bx < (g.nx + 255) / 256; bx++)
                st = dm__gtiff_write_block(w, 1, bx, by, nd);
        free(nd);
    } else if (!st) {
        dm__edt_join(&e, isfinite(max_dist) ? (float)(max_dist / g.cell) : INFINITY,
                     (float)g.cell);
        st = stream_out(ctx, &e, w, threads);
    }
    if (w) {
        dm_status s2 = dm_gtiff_close(w, 0);
        if (!st)
            st = s2;
    }
    dm__edt_free(&e);
    return st;
}
