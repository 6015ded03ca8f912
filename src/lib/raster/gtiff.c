/* SPDX-License-Identifier: MIT
 *
 * gtiff.c -- GeoTIFF output (tiled, compressed, with overviews, so that the
 * maps open fast in QGIS) and raster input through GDAL: reading a band
 * with its grid, and warping any georeferenced raster onto a dm_grid.
 */
#include "core/dm_internal.h"
#include "demine/dm_raster.h"

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
}

void dm__gdal_init(void);
void dm__gdal_init(void) { pthread_once(&gdal_once, gdal_init); }

struct dm_gtiff {
    dm_ctx *ctx;
    GDALDatasetH ds;
    char *path;
    int nbands;
};

static const char *gdal_msg(void)
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
    }
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    opt = CSLSetNameValue(opt, "NUM_THREADS", "ALL_CPUS");
    if (nbands > 1)
        opt = CSLSetNameValue(opt, "INTERLEAVE", "BAND");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, g->nx, g->ny, nbands, GDT_Float32, opt);
    CSLDestroy(opt);
    if (!ds)
        return dm__fail(ctx, DM_EGDAL, "%s: cannot create GeoTIFF: %s", path, gdal_msg());
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

dm_status dm_gtiff_write(dm_gtiff *w, int band, int i0, int j0, int nx, int ny, const float *data)
{
    if (band < 1 || band > w->nbands)
        return dm__fail(w->ctx, DM_EINVAL, "no band %d", band);
    CPLErrorReset();
    if (GDALRasterIO(GDALGetRasterBand(w->ds, band), GF_Write, i0, j0, nx, ny, (void *)data, nx,
                     ny, GDT_Float32, 0, 0) != CE_None)
        return dm__fail(w->ctx, DM_EGDAL, "%s: write failed: %s", w->path, gdal_msg());
    return DM_OK;
}

dm_status dm_gtiff_set_meta(dm_gtiff *w, const char *key, const char *value)
{
    GDALSetMetadataItem(w->ds, key, value, NULL);
    return DM_OK;
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
            CPLSetConfigOption("PREDICTOR_OVERVIEW", "3");
            CPLSetConfigOption("GDAL_NUM_THREADS", "ALL_CPUS");
            CPLErrorReset();
            if (GDALBuildOverviews(w->ds, "AVERAGE", n, levels, 0, NULL, NULL, NULL) != CE_None)
                st = dm__fail(ctx, DM_EGDAL, "%s: overviews failed: %s", w->path, gdal_msg());
        }
    }
    CPLErrorReset();
    GDALClose(w->ds);
    if (st == DM_OK && CPLGetLastErrorType() >= CE_Failure)
        st = dm__fail(ctx, DM_EGDAL, "%s: close failed: %s", w->path, gdal_msg());
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
        return dm__fail(ctx, DM_EIO, "%s: cannot open raster: %s", path, gdal_msg());
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

dm_status dm_raster_read(dm_ctx *ctx, const char *path, int band, dm_grid *g, float **data)
{
    *data = NULL;
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
    size_t n = dm_grid_cells(g);
    float *buf = dm_raster_alloc(n);
    if (!buf) {
        GDALClose(ds);
        return dm__fail(ctx, DM_ENOMEM, "%s: out of memory for %zu cells", path, n);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, band);
    CPLErrorReset();
    if (GDALRasterIO(b, GF_Read, 0, 0, g->nx, g->ny, buf, g->nx, g->ny, GDT_Float32, 0, 0) !=
        CE_None) {
        dm_raster_free(buf, n);
        GDALClose(ds);
        return dm__fail(ctx, DM_EGDAL, "%s: read failed: %s", path, gdal_msg());
    }
    int has_nd = 0;
    double nd = GDALGetRasterNoDataValue(b, &has_nd);
    if (has_nd)
        for (size_t k = 0; k < n; k++)
            if (buf[k] == (float)nd)
                buf[k] = NAN;
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
            return dm__fail(ctx, DM_EGDAL, "%s: cannot select band 1: %s", path, gdal_msg());
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
        return dm__fail(ctx, DM_EGDAL, "cannot make an in-memory raster: %s", gdal_msg());
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
        st = dm__fail(ctx, DM_EGDAL, "%s: warp failed: %s", path, gdal_msg());
    GDALClose(dst);
    GDALClose(src);
    if (orig)
        GDALClose(orig);
    return st;
}
