/* SPDX-License-Identifier: MIT
 *
 * gtiff.c -- GeoTIFF output (tiled, compressed, with overviews, so that the
 * maps open fast in QGIS) and raster input through GDAL: reading a band
 * with its grid, and warping any georeferenced raster onto a dm_grid.
 */
#include "core/dm_internal.h"
#include "raster/raster_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <math.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_init(void)
{
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    /* bound GDAL's block cache (default: 5 % of RAM) so that memory stays
     * flat whatever the raster size; GDAL_CACHEMAX still overrides */
    if (!CPLGetConfigOption("GDAL_CACHEMAX", NULL))
        GDALSetCacheMax64((GIntBig)256 << 20);
}

void dm__gdal_init(void) { pthread_once(&gdal_once, gdal_init); }

struct dm_gtiff {
    dm_ctx *ctx;
    GDALDatasetH ds;
    char *path;
    int nbands;
};

const char *dm__gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "unknown GDAL error";
}

dm_status dm_gtiff_create(dm_ctx *ctx, const char *path, const dm_grid *g, int nbands,
                          const char *const *names, float nodata, int compress, dm_gtiff **out)
{
    *out = NULL;
    dm__gdal_init();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return dm__fail(ctx, DM_EGDAL, "GDAL has no GTiff driver");
    const char *comp = "LZW";
    const char *list = GDALGetMetadataItem(drv, GDAL_DMD_CREATIONOPTIONLIST, NULL);
    if (list && strstr(list, "ZSTD"))
        comp = "ZSTD";
    char **opt = NULL;
    opt = CSLSetNameValue(opt, "TILED", "YES");
    opt = CSLSetNameValue(opt, "BLOCKXSIZE", "256");
    opt = CSLSetNameValue(opt, "BLOCKYSIZE", "256");
    if (compress) {
        opt = CSLSetNameValue(opt, "COMPRESS", comp);
        opt = CSLSetNameValue(opt, "PREDICTOR", "3");
        if (!strcmp(comp, "ZSTD"))
            opt = CSLSetNameValue(opt, "ZSTD_LEVEL", "1"); /* fast; the predictor does most */
    }
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    opt = CSLSetNameValue(opt, "NUM_THREADS", "ALL_CPUS");
    if (nbands > 1)
        opt = CSLSetNameValue(opt, "INTERLEAVE", "BAND");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, g->nx, g->ny, nbands, GDT_Float32, opt);
    CSLDestroy(opt);
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot create GeoTIFF: %s", path, dm__gdal_msg());
    double gt[6] = {g->x0, g->cell, 0, g->y0, 0, -g->cell};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(srs, g->crs) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        GDALClose(ds);
        return dm__fail(ctx, DM_EPROJ, "%s: unknown CRS '%s'", path, g->crs);
    }
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    for (int b = 1; b <= nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        GDALSetRasterNoDataValue(band, nodata);
        if (names && names[b - 1])
            GDALSetDescription(band, names[b - 1]);
    }
    dm_gtiff *w = dm_calloc(ctx, 1, sizeof *w);
    char *p = w ? dm_strdup(ctx, path) : NULL;
    if (!w || !p) {
        dm_free(ctx, w);
        GDALClose(ds);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    w->ctx = ctx;
    w->ds = ds;
    w->path = p;
    w->nbands = nbands;
    *out = w;
    return DM_OK;
}

/* Write whole 256 x 256 blocks straight to the driver, bypassing GDAL's
 * block cache (which would allocate and fault in a copy of the raster). */
static dm_status write_blocks(dm_gtiff *w, GDALRasterBandH b, int i0, int j0, int nx, int ny,
                              const float *data)
{
    int W = GDALGetRasterXSize(w->ds), H = GDALGetRasterYSize(w->ds);
    float *blk = malloc(256 * 256 * sizeof *blk);
    if (!blk)
        return dm__fail(w->ctx, DM_ENOMEM, "out of memory");
    for (int by = j0 / 256; by * 256 < j0 + ny; by++)
        for (int bx = i0 / 256; bx * 256 < i0 + nx; bx++) {
            int h = H - by * 256 < 256 ? H - by * 256 : 256;
            int ww = W - bx * 256 < 256 ? W - bx * 256 : 256;
            if (h < 256 || ww < 256)
                memset(blk, 0, 256 * 256 * sizeof *blk);
            for (int y = 0; y < h; y++)
                memcpy(blk + (size_t)y * 256,
                       data + (size_t)(by * 256 + y - j0) * nx + (bx * 256 - i0),
                       (size_t)ww * sizeof *blk);
            if (GDALWriteBlock(b, bx, by, blk) != CE_None) {
                free(blk);
                return dm__fail(w->ctx, DM_EIO, "%s: write failed: %s", w->path, dm__gdal_msg());
            }
        }
    free(blk);
    return DM_OK;
}

dm_status dm_gtiff_write(dm_gtiff *w, int band, int i0, int j0, int nx, int ny, const float *data)
{
    if (band < 1 || band > w->nbands)
        return dm__fail(w->ctx, DM_EINVAL, "no band %d", band);
    CPLErrorReset();
    int W = GDALGetRasterXSize(w->ds), H = GDALGetRasterYSize(w->ds);
    if (i0 % 256 == 0 && j0 % 256 == 0 && (nx % 256 == 0 || i0 + nx == W) &&
        (ny % 256 == 0 || j0 + ny == H))
        return write_blocks(w, GDALGetRasterBand(w->ds, band), i0, j0, nx, ny, data);
    if (GDALRasterIO(GDALGetRasterBand(w->ds, band), GF_Write, i0, j0, nx, ny, (void *)data, nx,
                     ny, GDT_Float32, 0, 0) != CE_None)
        return dm__fail(w->ctx, DM_EIO, "%s: write failed: %s", w->path, dm__gdal_msg());
    return DM_OK;
}

dm_status dm__gtiff_write_block(dm_gtiff *w, int band, int bx, int by, const float *blk)
{
    CPLErrorReset();
    if (GDALWriteBlock(GDALGetRasterBand(w->ds, band), bx, by, (void *)blk) != CE_None)
        return dm__fail(w->ctx, DM_EIO, "%s: write failed: %s", w->path, dm__gdal_msg());
    return DM_OK;
}

dm_status dm_gtiff_set_meta(dm_gtiff *w, const char *key, const char *value)
{
    GDALSetMetadataItem(w->ds, key, value, NULL);
    return DM_OK;
}

dm_status dm_raster_get_meta(dm_ctx *ctx, const char *path, const char *key, char **out)
{
    *out = NULL;
    dm__gdal_init();
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot open as a raster: %s", path, dm__gdal_msg());
    const char *v = GDALGetMetadataItem(ds, key, NULL);
    dm_status st = DM_OK;
    if (v && !(*out = dm_strdup(ctx, v)))
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
    GDALClose(ds);
    return st;
}

/* Fill an overview level from the level below it (the base band or the
 * previous overview), each cell the highest value of the 2 x 2 cells under
 * it, nodata and NaN left out (nodata where all four are). A risk map's
 * overview thus keeps a single dangerous cell visible when zoomed out: an
 * average would fade one 10 m cell into its 2.5 km neighbourhood. Strips
 * of 256 output rows: memory is three strips of the source's width. */
static dm_status max_level(dm_gtiff *w, GDALRasterBandH src, GDALRasterBandH dst, int has_nd,
                           double nd)
{
    int sx = GDALGetRasterBandXSize(src), sy = GDALGetRasterBandYSize(src);
    int dx = GDALGetRasterBandXSize(dst), dy = GDALGetRasterBandYSize(dst);
    const int strip = 256;
    if (dx != (sx + 1) / 2 || dy != (sy + 1) / 2)
        return dm__fail(w->ctx, DM_EGDAL, "%s: overviews: a level of %d x %d under one of %d x %d",
                        w->path, sx, sy, dx, dy);
    float *in = malloc((size_t)sx * 2 * strip * sizeof *in);
    float *out = malloc((size_t)dx * strip * sizeof *out);
    dm_status st = DM_OK;
    if (!in || !out)
        st = dm__fail(w->ctx, DM_ENOMEM, "out of memory");
    float fnd = (float)nd;
    for (int y0 = 0; !st && y0 < dy; y0 += strip) {
        int ny = dy - y0 < strip ? dy - y0 : strip;
        int r0 = 2 * y0, nr = 2 * ny;
        if (r0 + nr > sy)
            nr = sy - r0;
        if (nr <= 0)
            break;
        if (GDALRasterIO(src, GF_Read, 0, r0, sx, nr, in, sx, nr, GDT_Float32, 0, 0) != CE_None) {
            st = dm__fail(w->ctx, DM_EIO, "%s: overviews: read failed: %s", w->path, dm__gdal_msg());
            break;
        }
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < dx; x++) {
                float m = 0;
                int any = 0;
                for (int k = 0; k < 4; k++) {
                    int r = 2 * y + (k >> 1), c = 2 * x + (k & 1);
                    if (r >= nr || c >= sx)
                        continue;
                    float v = in[(size_t)r * sx + c];
                    if (isnan(v) || (has_nd && v == fnd))
                        continue;
                    if (!any || v > m)
                        m = v, any = 1;
                }
                out[(size_t)y * dx + x] = any ? m : (has_nd ? fnd : NAN);
            }
        if (GDALRasterIO(dst, GF_Write, 0, y0, dx, ny, out, dx, ny, GDT_Float32, 0, 0) != CE_None)
            st = dm__fail(w->ctx, DM_EIO, "%s: overviews: write failed: %s", w->path,
                          dm__gdal_msg());
    }
    free(in);
    free(out);
    return st;
}

dm_status dm_gtiff_close(dm_gtiff *w, int with_overviews)
{
    if (!w)
        return DM_OK;
    dm_ctx *ctx = w->ctx;
    dm_status st = DM_OK;
    if (with_overviews) {
        int nx = GDALGetRasterXSize(w->ds), ny = GDALGetRasterYSize(w->ds);
        int levels[16], n = 0;
        for (int f = 2; n < 16 && (nx / f >= 128 || ny / f >= 128); f *= 2)
            levels[n++] = f;
        if (n) {
            CPLSetConfigOption("COMPRESS_OVERVIEW", "ZSTD");
            CPLSetConfigOption("ZSTD_LEVEL_OVERVIEW", "1");
            CPLSetConfigOption("PREDICTOR_OVERVIEW", "3");
            CPLSetConfigOption("GDAL_NUM_THREADS", "ALL_CPUS");
            CPLErrorReset();
            /* the levels are made empty, then filled by max_level: GDAL
             * offers no maximum for overviews */
            if (GDALBuildOverviews(w->ds, "NONE", n, levels, 0, NULL, NULL, NULL) != CE_None)
                st = dm__fail(ctx, DM_EGDAL, "%s: overviews failed: %s", w->path, dm__gdal_msg());
            for (int b = 1; !st && b <= w->nbands; b++) {
                GDALRasterBandH band = GDALGetRasterBand(w->ds, b);
                int has_nd = 0;
                double nd = GDALGetRasterNoDataValue(band, &has_nd);
                GDALRasterBandH prev = band;
                for (int o = 0; !st && o < GDALGetOverviewCount(band); o++) {
                    GDALRasterBandH ov = GDALGetOverview(band, o);
                    st = max_level(w, prev, ov, has_nd, nd);
                    GDALFlushRasterCache(ov);
                    prev = ov;
                }
            }
        }
    }
    CPLErrorReset();
    GDALClose(w->ds);
    if (st == DM_OK && CPLGetLastErrorType() >= CE_Failure)
        st = dm__fail(ctx, DM_EIO, "%s: close failed: %s", w->path, dm__gdal_msg());
    dm_free(ctx, w->path);
    dm_free(ctx, w);
    return st;
}

static dm_status open_georef(dm_ctx *ctx, const char *path, GDALDatasetH *out, double gt[6])
{
    dm__gdal_init();
    CPLErrorReset();
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds)
        return dm__fail(ctx, DM_EIO, "%s: cannot open raster: %s", path, dm__gdal_msg());
    const char *wkt = GDALGetProjectionRef(ds);
    if (GDALGetGeoTransform(ds, gt) != CE_None || !wkt || !*wkt) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: raster has no georeference (no geotransform or no CRS)", path);
    }
    if (GDALGetRasterCount(ds) < 1) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EPARSE, "%s: raster has no band", path);
    }
    *out = ds;
    return DM_OK;
}

/* Read a band block by block (no block cache: each block is converted to
 * float straight into the destination). */
static CPLErr read_blocks(GDALRasterBandH b, int nx, int ny, float *out)
{
    int bw, bh;
    GDALGetBlockSize(b, &bw, &bh);
    GDALDataType t = GDALGetRasterDataType(b);
    int sz = GDALGetDataTypeSizeBytes(t);
    if (bw <= 0 || bh <= 0 || GDALDataTypeIsComplex(t) || (size_t)bw * bh > ((size_t)64 << 20))
        return GDALRasterIO(b, GF_Read, 0, 0, nx, ny, out, nx, ny, GDT_Float32, 0, 0);
    void *blk = malloc((size_t)bw * bh * (size_t)sz);
    if (!blk)
        return CE_Failure;
    for (int by = 0; by * bh < ny; by++)
        for (int bx = 0; bx * bw < nx; bx++) {
            if (GDALReadBlock(b, bx, by, blk) != CE_None) {
                free(blk);
                return CE_Failure;
            }
            int h = ny - by * bh < bh ? ny - by * bh : bh, w = nx - bx * bw < bw ? nx - bx * bw : bw;
            for (int y = 0; y < h; y++)
                GDALCopyWords((char *)blk + (size_t)y * bw * sz, t, sz,
                              out + (size_t)(by * bh + y) * nx + (size_t)bx * bw, GDT_Float32, 4, w);
        }
    free(blk);
    return CE_None;
}

/* The band's scale and offset (an Int16 of elevation in half metres from
 * 1000 m: value = raw * 0.5 + 1000) applied to the values read; NaN stays. */
static void apply_scale(GDALRasterBandH b, float *v, size_t n)
{
    int hs = 0, ho = 0;
    double sc = GDALGetRasterScale(b, &hs), off = GDALGetRasterOffset(b, &ho);
    if (!hs || !isfinite(sc))
        sc = 1;
    if (!ho || !isfinite(off))
        off = 0;
    if (sc == 1 && off == 0)
        return;
    for (size_t k = 0; k < n; k++)
        v[k] = (float)(v[k] * sc + off);
}

dm_status dm__raster_open_grid(dm_ctx *ctx, const char *path, int band, void **dsp, dm_grid *g)
{
    GDALDatasetH ds;
    double gt[6];
    dm_status st = open_georef(ctx, path, &ds, gt);
    if (st)
        return st;
    if (gt[2] != 0 || gt[4] != 0 || gt[5] >= 0 || fabs(fabs(gt[5]) - gt[1]) > 1e-6 * gt[1]) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EPARSE, "%s: raster is rotated or has non-square cells", path);
    }
    if (band < 1 || band > GDALGetRasterCount(ds)) {
        GDALClose(ds);
        return dm__fail(ctx, DM_ENOTFOUND, "%s: no band %d", path, band);
    }
    memset(g, 0, sizeof *g);
    g->x0 = gt[0];
    g->y0 = gt[3];
    g->cell = gt[1];
    g->nx = GDALGetRasterXSize(ds);
    g->ny = GDALGetRasterYSize(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    const char *auth = srs ? OSRGetAuthorityCode(srs, NULL) : NULL;
    const char *name = srs ? OSRGetAuthorityName(srs, NULL) : NULL;
    if (auth && name)
        snprintf(g->crs, sizeof g->crs, "%s:%s", name, auth);
    else if (srs) {
        /* no authority: fall back on an identified EPSG code if any */
        if (OSRAutoIdentifyEPSG(srs) == OGRERR_NONE && OSRGetAuthorityCode(srs, NULL))
            snprintf(g->crs, sizeof g->crs, "EPSG:%s", OSRGetAuthorityCode(srs, NULL));
    }
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!g->crs[0]) {
        GDALClose(ds);
        return dm__fail(ctx, DM_EPARSE, "%s: CRS has no EPSG code", path);
    }
    *dsp = ds;
    return DM_OK;
}

dm_status dm_raster_grid(dm_ctx *ctx, const char *path, dm_grid *g)
{
    void *h;
    dm_status st = dm__raster_open_grid(ctx, path, 1, &h, g);
    if (!st)
        GDALClose((GDALDatasetH)h);
    return st;
}

dm_status dm_raster_read(dm_ctx *ctx, const char *path, int band, dm_grid *g, float **data)
{
    *data = NULL;
    void *h;
    dm_status st = dm__raster_open_grid(ctx, path, band, &h, g);
    if (st)
        return st;
    GDALDatasetH ds = h;
    size_t n = dm_grid_cells(g);
    float *buf = dm_raster_alloc(n);
    if (!buf) {
        GDALClose(ds);
        return dm__fail(ctx, DM_ENOMEM, "%s: out of memory for %zu cells", path, n);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, band);
    CPLErrorReset();
    if (read_blocks(b, g->nx, g->ny, buf) != CE_None) {
        dm_raster_free(buf, n);
        GDALClose(ds);
        return dm__fail(ctx, DM_EIO, "%s: read failed: %s", path, dm__gdal_msg());
    }
    int has_nd = 0;
    double nd = GDALGetRasterNoDataValue(b, &has_nd);
    if (has_nd)
        for (size_t k = 0; k < n; k++)
            if (buf[k] == (float)nd)
                buf[k] = NAN;
    apply_scale(b, buf, n);
    GDALClose(ds);
    *data = buf;
    return DM_OK;
}

dm_status dm_raster_warp(dm_ctx *ctx, const char *path, const dm_grid *g, float *out)
{
    GDALDatasetH src;
    double gt[6];
    dm_status st = open_georef(ctx, path, &src, gt);
    if (st)
        return st;
    GDALDatasetH orig = NULL; /* kept open while the virtual band-1 raster refers to it */
    if (GDALGetRasterCount(src) > 1) { /* warp band 1 alone, through a virtual raster */
        char **targs = NULL;
        targs = CSLAddString(targs, "-of");
        targs = CSLAddString(targs, "VRT");
        targs = CSLAddString(targs, "-b");
        targs = CSLAddString(targs, "1");
        GDALTranslateOptions *to = GDALTranslateOptionsNew(targs, NULL);
        CSLDestroy(targs);
        GDALDatasetH one = GDALTranslate("", src, to, NULL);
        GDALTranslateOptionsFree(to);
        if (!one) {
            GDALClose(src);
            return dm__fail(ctx, DM_EGDAL, "%s: cannot select band 1: %s", path, dm__gdal_msg());
        }
        orig = src;
        src = one;
    }
    for (size_t k = 0, n = dm_grid_cells(g); k < n; k++)
        out[k] = NAN;
    char name[160];
    snprintf(name, sizeof name,
             "MEM:::DATAPOINTER=%p,PIXELS=%d,LINES=%d,BANDS=1,DATATYPE=Float32", (void *)out,
             g->nx, g->ny);
    GDALDatasetH dst = GDALOpen(name, GA_Update);
    if (!dst) {
        GDALClose(src);
        if (orig)
            GDALClose(orig);
        return dm__fail(ctx, DM_EGDAL, "cannot make an in-memory raster: %s", dm__gdal_msg());
    }
    double dgt[6] = {g->x0, g->cell, 0, g->y0, 0, -g->cell};
    GDALSetGeoTransform(dst, dgt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRSetFromUserInput(srs, g->crs) == OGRERR_NONE)
        OSRExportToWkt(srs, &wkt);
    OSRDestroySpatialReference(srs);
    if (!wkt) {
        GDALClose(dst);
        GDALClose(src);
        if (orig)
            GDALClose(orig);
        return dm__fail(ctx, DM_EPROJ, "unknown CRS '%s'", g->crs);
    }
    GDALSetProjection(dst, wkt);
    CPLFree(wkt);
    GDALSetRasterNoDataValue(GDALGetRasterBand(dst, 1), NAN);
    char **args = NULL;
    args = CSLAddString(args, "-r");
    args = CSLAddString(args, "bilinear");
    args = CSLAddString(args, "-dstnodata");
    args = CSLAddString(args, "nan");
    args = CSLAddString(args, "-wo");
    args = CSLAddString(args, "INIT_DEST=NO_DATA");
    GDALWarpAppOptions *wo = GDALWarpAppOptionsNew(args, NULL);
    CSLDestroy(args);
    int usage = 0;
    CPLErrorReset();
    GDALDatasetH r = GDALWarp(NULL, dst, 1, &src, wo, &usage);
    GDALWarpAppOptionsFree(wo);
    if (!r)
        st = dm__fail(ctx, DM_EGDAL, "%s: warp failed: %s", path, dm__gdal_msg());
    else /* the warp interpolates raw values: the scale applies after (it is linear) */
        apply_scale(GDALGetRasterBand(src, 1), out, dm_grid_cells(g));
    GDALClose(dst);
    GDALClose(src);
    if (orig)
        GDALClose(orig);
    return st;
}

/* ---- streaming weighted sum ---- */
typedef struct wsum_job {
    const char *const *paths;
    const double *w;
    int n, nx, ny, bcols, brows;
    GDALDatasetH out;
    pthread_mutex_t mu;
    int next;
    int failed;
    char msg[512];
} wsum_job;

#if defined(__GNUC__) && !defined(__clang__)
#define HOT_LOOPS __attribute__((optimize("O3")))
#else
#define HOT_LOOPS
#endif

/* acc (= or +=) wi x src + add over a block of h rows of w cells (rows of
 * 256), a nodata source cell making the sum NaN: branch free, so that it
 * vectorises. wi and add carry the band's scale and offset. */
HOT_LOOPS static void wsum_block(float *restrict acc, const float *restrict src, int w, int h,
                                 float wi, float add, int has, float nd, int first)
{
    for (int y = 0; y < h; y++) {
        float *restrict a = acc + y * 256;
        const float *restrict s = src + y * 256;
        if (!has && first)
            for (int x = 0; x < w; x++)
                a[x] = wi * s[x] + add;
        else if (!has)
            for (int x = 0; x < w; x++)
                a[x] += wi * s[x] + add;
        else if (first)
            for (int x = 0; x < w; x++)
                a[x] = s[x] == nd ? NAN : wi * s[x] + add;
        else
            for (int x = 0; x < w; x++)
                a[x] += s[x] == nd ? NAN : wi * s[x] + add;
    }
}

/* The block as written: NaN and the cells past the raster's edge as the
 * output's nodata (-9999). */
HOT_LOOPS static void wsum_finish(float *restrict acc, int w, int h)
{
    for (int y = 0; y < 256; y++)
        for (int x = 0; x < 256; x++) {
            float v = acc[y * 256 + x];
            acc[y * 256 + x] = (y >= h || x >= w || v != v) ? -9999.0f : v;
        }
}

static void *wsum_worker(void *arg)
{
    wsum_job *j = arg;
    GDALDatasetH in[32] = {0};
    float *acc = malloc(256 * 256 * sizeof *acc), *buf = malloc(256 * 256 * sizeof *buf);
    int ok = acc && buf;
    for (int i = 0; i < j->n && ok; i++)
        ok = (in[i] = GDALOpen(j->paths[i], GA_ReadOnly)) != NULL;
    while (ok) {
        pthread_mutex_lock(&j->mu);
        int r = j->failed ? j->brows * j->bcols : j->next++;
        pthread_mutex_unlock(&j->mu);
        if (r >= j->brows * j->bcols)
            break;
        int by = r / j->bcols, bx = r % j->bcols;
        int h = j->ny - by * 256 < 256 ? j->ny - by * 256 : 256;
        int w = j->nx - bx * 256 < 256 ? j->nx - bx * 256 : 256;
        for (int i = 0; i < j->n && ok; i++) {
            GDALRasterBandH b = GDALGetRasterBand(in[i], 1);
            float *dst = i ? buf : acc;
            int bw = 0, bh = 0;
            GDALGetBlockSize(b, &bw, &bh);
            if (bw == 256 && bh == 256 && GDALGetRasterDataType(b) == GDT_Float32)
                ok = GDALReadBlock(b, bx, by, dst) == CE_None; /* no block cache */
            else
                ok = GDALRasterIO(b, GF_Read, bx * 256, by * 256, w, h, dst, w, h, GDT_Float32, 0,
                                  256 * sizeof(float)) == CE_None;
            int has = 0, hs = 0, ho = 0;
            float nd = (float)GDALGetRasterNoDataValue(b, &has);
            double sc = GDALGetRasterScale(b, &hs), off = GDALGetRasterOffset(b, &ho);
            if (!hs || !isfinite(sc))
                sc = 1;
            if (!ho || !isfinite(off))
                off = 0;
            if (ok)
                wsum_block(acc, dst, w, h, (float)(j->w[i] * sc), (float)(j->w[i] * off), has, nd,
                           i == 0);
        }
        if (!ok)
            break;
        wsum_finish(acc, w, h);
        pthread_mutex_lock(&j->mu);
        ok = GDALWriteBlock(GDALGetRasterBand(j->out, 1), bx, by, acc) == CE_None;
        pthread_mutex_unlock(&j->mu);
    }
    if (!ok) {
        pthread_mutex_lock(&j->mu);
        if (!j->failed) {
            j->failed = 1;
            dm__strlcpy(j->msg, dm__gdal_msg(), sizeof j->msg);
        }
        pthread_mutex_unlock(&j->mu);
    }
    for (int i = 0; i < j->n; i++)
        if (in[i])
            GDALClose(in[i]);
    free(acc);
    free(buf);
    return NULL;
}

/* A short name of a dataset's CRS for messages: "EPSG:32638", else its name. */
static void crs_label(OGRSpatialReferenceH srs, char *out, size_t n)
{
    const char *auth = srs ? OSRGetAuthorityName(srs, NULL) : NULL;
    const char *code = srs ? OSRGetAuthorityCode(srs, NULL) : NULL;
    const char *name = srs ? OSRGetName(srs) : NULL;
    if (auth && code)
        snprintf(out, n, "%s:%s", auth, code);
    else
        snprintf(out, n, "%s", name ? name : "an unnamed CRS");
}

dm_status dm_raster_weighted_sum(dm_ctx *ctx, const char *out, const char *const *paths,
                                 const double *weights, int n, int compress, int threads)
{
    if (n < 1 || n > 32)
        return dm__fail(ctx, DM_EINVAL, "weighted sum of %d rasters (1 to 32)", n);
    GDALDatasetH first;
    double gt[6];
    dm_status st = open_georef(ctx, paths[0], &first, gt);
    if (st)
        return st;
    dm_grid g;
    memset(&g, 0, sizeof g);
    g.nx = GDALGetRasterXSize(first);
    g.ny = GDALGetRasterYSize(first);
    for (int i = 1; i < n; i++) {
        GDALDatasetH d;
        double gt2[6];
        if ((st = open_georef(ctx, paths[i], &d, gt2))) {
            GDALClose(first);
            return st;
        }
        int same = GDALGetRasterXSize(d) == g.nx && GDALGetRasterYSize(d) == g.ny;
        for (int k = 0; k < 6; k++)
            same &= fabs(gt[k] - gt2[k]) <= 1e-6 * (fabs(gt[1]) + fabs(gt[k]));
        /* the same numbers in two CRSs are two different places */
        OGRSpatialReferenceH s0 = OSRNewSpatialReference(GDALGetProjectionRef(first));
        OGRSpatialReferenceH s1 = OSRNewSpatialReference(GDALGetProjectionRef(d));
        int same_crs = s0 && s1 && OSRIsSame(s0, s1);
        char c0[96], c1[96];
        crs_label(s0, c0, sizeof c0);
        crs_label(s1, c1, sizeof c1);
        if (s0)
            OSRDestroySpatialReference(s0);
        if (s1)
            OSRDestroySpatialReference(s1);
        GDALClose(d);
        if (!same || !same_crs) {
            GDALClose(first);
            if (!same_crs)
                return dm__fail(ctx, DM_EINVAL, "%s is in %s but %s is in %s: not the same grid",
                                paths[i], c1, paths[0], c0);
            return dm__fail(ctx, DM_EINVAL, "%s is not on the grid of %s", paths[i], paths[0]);
        }
    }
    /* output on the same georeference */
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    char **opt = NULL;
    opt = CSLSetNameValue(opt, "TILED", "YES");
    opt = CSLSetNameValue(opt, "BLOCKXSIZE", "256");
    opt = CSLSetNameValue(opt, "BLOCKYSIZE", "256");
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    if (compress) {
        const char *list = GDALGetMetadataItem(drv, GDAL_DMD_CREATIONOPTIONLIST, NULL);
        opt = CSLSetNameValue(opt, "COMPRESS", list && strstr(list, "ZSTD") ? "ZSTD" : "LZW");
        opt = CSLSetNameValue(opt, "PREDICTOR", "3");
        opt = CSLSetNameValue(opt, "NUM_THREADS", "ALL_CPUS");
    }
    CPLErrorReset();
    GDALDatasetH o = GDALCreate(drv, out, g.nx, g.ny, 1, GDT_Float32, opt);
    CSLDestroy(opt);
    if (!o) {
        GDALClose(first);
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", out, dm__gdal_msg());
    }
    GDALSetGeoTransform(o, gt);
    GDALSetProjection(o, GDALGetProjectionRef(first));
    GDALSetRasterNoDataValue(GDALGetRasterBand(o, 1), -9999.0);
    GDALClose(first);
    wsum_job j;
    memset(&j, 0, sizeof j);
    j.paths = paths;
    j.w = weights;
    j.n = n;
    j.nx = g.nx;
    j.ny = g.ny;
    j.bcols = (g.nx + 255) / 256;
    j.brows = (g.ny + 255) / 256;
    j.out = o;
    pthread_mutex_init(&j.mu, NULL);
    if (threads <= 0)
        threads = dm_ctx_threads(ctx);
    if (threads > 16)
        threads = 16;
    pthread_t tid[16];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, wsum_worker, &j) == 0)
            started++;
    wsum_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.mu);
    CPLErrorReset();
    GDALClose(o);
    if (j.failed)
        return dm__fail(ctx, DM_EGDAL, "%s: weighted sum failed: %s", out, j.msg);
    if (CPLGetLastErrorType() >= CE_Failure)
        return dm__fail(ctx, DM_EIO, "%s: close failed: %s", out, dm__gdal_msg());
    return DM_OK;
}
