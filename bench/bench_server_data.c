/* SPDX-License-Identifier: MIT
 *
 * bench_server_data.c -- builds the data set of bench/server.bench.sh: a
 * database with a few hundred hazards, activities and a few thousand items
 * over a 30 x 30 km area, and a 3000 x 3000 risk GeoTIFF registered as the
 * database's risk map. Usage: bench_server_data DB TIF
 */
#include "demine/demine.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int die(dm_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_server_data: %s: %s\n", what, dm_ctx_errmsg(ctx));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_server_data DB TIF\n");
        return 2;
    }
    dm_ctx *ctx = dm_ctx_new();
    dm_store *s = NULL;
    if (dm_store_open(ctx, argv[1], DM_STORE_CREATE, &s))
        return die(ctx, "create");
    srand(7);
    double x0 = 46.70, y0 = 39.70; /* 0.35 x 0.27 degrees */
    dm_store_begin(s);
    for (int i = 0; i < 400; i++) {
        double cx = x0 + 0.35 * rand() / RAND_MAX, cy = y0 + 0.27 * rand() / RAND_MAX;
        double r = 0.001 + 0.004 * rand() / RAND_MAX;
        double xy[20];
        for (int k = 0; k < 10; k++) {
            double a = 2 * M_PI * k / 10, rr = r * (0.7 + 0.3 * rand() / RAND_MAX);
            xy[2 * k] = cx + rr * cos(a);
            xy[2 * k + 1] = cy + rr * sin(a);
        }
        dm_geom *g = NULL;
        dm_row *row = dm_row_new(ctx, dm_layer_find("hazards"));
        char ref[32];
        snprintf(ref, sizeof ref, "BH-%04d", i);
        dm_row_set(row, "ref", ref);
        dm_row_set(row, "hazard_type", i % 3 ? "SHA" : "CHA");
        dm_row_set(row, "status", i % 7 == 0 ? "closed" : i % 5 == 0 ? "partly_released" : "open");
        dm_row_set_real(row, "est_area_ha", 5 + i % 50);
        if (dm_geom_polygon(ctx, xy, 10, &g))
            return die(ctx, "polygon");
        dm_row_set_geom(row, g);
        char uuid[37];
        if (dm_store_insert(s, row, uuid))
            return die(ctx, "hazard");
        dm_row_free(row);
        for (int k = 0; k < 8; k++) {
            dm_row *it = dm_row_new(ctx, dm_layer_find("items"));
            dm_row_set(it, "category", k % 4 ? "AP" : "AT");
            dm_row_set(it, "hazard_id", uuid);
            dm_geom *p = NULL;
            dm_geom_point(ctx, cx + r * 0.5 * (rand() / (double)RAND_MAX - 0.5),
                          cy + r * 0.5 * (rand() / (double)RAND_MAX - 0.5), &p);
            dm_row_set_geom(it, p);
            if (dm_store_insert(s, it, NULL))
                return die(ctx, "item");
            dm_row_free(it);
        }
        if (i % 4 == 0) {
            dm_row *ac = dm_row_new(ctx, dm_layer_find("activities"));
            dm_row_set(ac, "activity_type", "clearance");
            dm_row_set(ac, "hazard_id", uuid);
            dm_row_set_real(ac, "area_cleared_ha", 1 + i % 9);
            dm_geom *g2 = NULL;
            dm_geom_polygon(ctx, xy, 10, &g2);
            dm_row_set_geom(ac, g2);
            if (dm_store_insert(s, ac, NULL))
                return die(ctx, "activity");
            dm_row_free(ac);
        }
    }
    dm_store_meta_set(s, "risk_map", argv[2]);
    if (dm_store_commit(s))
        return die(ctx, "commit");
    dm_store_close(s);
    dm_ctx_free(ctx);

    GDALAllRegister();
    char **opts = NULL;
    opts = CSLSetNameValue(opts, "TILED", "YES");
    opts = CSLSetNameValue(opts, "COMPRESS", "LZW");
    int n = 3000;
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), argv[2], n, n, 1, GDT_Float32, opts);
    CSLDestroy(opts);
    if (!ds) {
        fprintf(stderr, "bench_server_data: cannot create %s\n", argv[2]);
        return 1;
    }
    double gt[6] = {x0, 0.35 / n, 0, y0 + 0.27, 0, -0.27 / n};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    float *row = malloc(sizeof(float) * (size_t)n);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, -1);
    for (int yy = 0; yy < n; yy++) {
        for (int xx = 0; xx < n; xx++)
            row[xx] = (float)(0.5 + 0.5 * sin(xx / 97.0) * cos(yy / 83.0));
        if (GDALRasterIO(b, GF_Write, 0, yy, n, 1, row, n, 1, GDT_Float32, 0, 0) != CE_None)
            return 1;
    }
    free(row);
    int levels[] = {2, 4, 8, 16};
    if (GDALBuildOverviews(ds, "AVERAGE", 4, levels, 0, NULL, NULL, NULL) != CE_None)
        fprintf(stderr, "bench_server_data: no overviews\n");
    GDALClose(ds);
    printf("wrote %s and %s\n", argv[1], argv[2]);
    return 0;
}
