/* SPDX-License-Identifier: MIT
 *
 * test_raster.c -- the raster core: exact distance transform against brute
 * force, Gaussian kernels, rasterising, tiles and GeoTIFF round trips.
 */
#include "dmtest.h"

#include <math.h>
#include <stdlib.h>

static float brute(const unsigned char *src, int nx, int ny, int x, int y)
{
    double best = INFINITY;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            if (src[j * nx + i]) {
                double d = (double)(i - x) * (i - x) + (double)(j - y) * (j - y);
                if (d < best)
                    best = d;
            }
    return (float)sqrt(best);
}

TEST(raster_edt_matches_brute_force)
{
    dm_ctx *ctx = dmtest_ctx();
    const int nx = 97, ny = 61;
    unsigned char *src = calloc(nx * ny, 1);
    float *f = dm_raster_alloc(nx * ny);
    srand(7);
    for (int k = 0; k < 40; k++)
        src[rand() % (nx * ny)] = 1;
    for (int trial = 0; trial < 2; trial++) {
        for (int k = 0; k < nx * ny; k++)
            f[k] = src[k] ? 0.0f : 1.0f;
        ASSERT_OK(dm_edt(ctx, f, nx, ny, INFINITY, trial ? 3 : 1));
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
                ASSERT_NEAR(f[y * nx + x], brute(src, nx, ny, x, y), 1e-4);
    }
    /* capped */
    for (int k = 0; k < nx * ny; k++)
        f[k] = src[k] ? 0.0f : 1.0f;
    ASSERT_OK(dm_edt(ctx, f, nx, ny, 5.0f, 2));
    for (int k = 0; k < nx * ny; k++)
        ASSERT(f[k] <= 5.0f + 1e-6f);
    /* no source at all */
    for (int k = 0; k < nx * ny; k++)
        f[k] = 1.0f;
    ASSERT_OK(dm_edt(ctx, f, nx, ny, 9.0f, 2));
    ASSERT_NEAR(f[123], 9.0, 1e-6);
    dm_raster_free(f, nx * ny);
    free(src);
}

TEST(raster_gauss_blur_is_a_gaussian)
{
    dm_ctx *ctx = dmtest_ctx();
    const int n = 201;
    float *f = dm_raster_alloc(n * n);
    for (int k = 0; k < n * n; k++)
        f[k] = 0;
    f[100 * n + 100] = 1.0f;
    double sigma = 8.0;
    ASSERT_OK(dm_gauss_blur(ctx, f, n, n, sigma, 2));
    double sum = 0, var = 0;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            sum += f[y * n + x];
            var += f[y * n + x] * (double)(x - 100) * (x - 100);
        }
    ASSERT_NEAR(sum, 1.0, 1e-3);
    ASSERT_NEAR(sqrt(var / sum), sigma, 0.5);
    /* peak close to the 2-D Gaussian's 1/(2 pi sigma^2) */
    ASSERT_NEAR(f[100 * n + 100], 1.0 / (2 * M_PI * sigma * sigma), 0.0004);
    int reach = dm_gauss_reach(sigma);
    ASSERT(reach >= 2 * sigma && reach <= 4 * sigma);
    ASSERT_EQ(f[100 * n + 100 + reach + 1], 0.0f);
    ASSERT(f[100 * n + 100 + reach - 1] > 0.0f);
    ASSERT_STATUS(DM_EINVAL, dm_gauss_blur(ctx, f, n, n, -1, 1));
    dm_raster_free(f, n * n);
}

TEST(raster_burn_polygon_line_point)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {0, 0, 100, 100};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32638", b, 1.0, &g));
    ASSERT_EQ(g.nx, 100);
    ASSERT_EQ(g.ny, 100);
    float *f = dm_raster_alloc(100 * 100);
    for (int k = 0; k < 10000; k++)
        f[k] = 0;
    dm_geom *poly = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx,
                               "POLYGON((10 10, 60 10, 60 50, 10 50, 10 10),"
                               "(20 20, 30 20, 30 30, 20 30, 20 20))",
                               &poly));
    dm_coords c;
    ASSERT_OK(dm_geom_coords(ctx, poly, &c));
    dm_burn_coords(&g, &c, 1.0f, DM_BURN_ADD, 0, f);
    double area = 0;
    for (int k = 0; k < 10000; k++)
        area += f[k];
    ASSERT_NEAR(area, 50 * 40 - 100, 0.5);
    /* cell (col 15, row 100-15-1) is inside; the hole is empty */
    ASSERT_EQ(f[(100 - 16) * 100 + 15], 1.0f);
    ASSERT_EQ(f[(100 - 26) * 100 + 25], 0.0f);
    dm_coords_free(ctx, &c);
    dm_geom_free(poly);
    for (int k = 0; k < 10000; k++)
        f[k] = 0;
    dm_geom *line = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "LINESTRING(-50 0.5, 150.5 0.5)", &line));
    ASSERT_OK(dm_geom_coords(ctx, line, &c));
    dm_burn_coords(&g, &c, 2.0f, DM_BURN_MAX, 0, f);
    double s = 0;
    for (int k = 0; k < 10000; k++)
        s += f[k];
    ASSERT_NEAR(s, 200.0, 1e-6); /* the whole bottom row, clipped */
    ASSERT_EQ(f[99 * 100 + 0], 2.0f);
    dm_coords_free(ctx, &c);
    dm_geom_free(line);
    /* a diagonal touches at least one cell per row */
    for (int k = 0; k < 10000; k++)
        f[k] = 0;
    ASSERT_OK(dm_geom_from_wkt(ctx, "LINESTRING(0.3 0.2, 99.6 99.9)", &line));
    ASSERT_OK(dm_geom_coords(ctx, line, &c));
    dm_burn_coords(&g, &c, 1.0f, DM_BURN_SET, 0, f);
    for (int y = 0; y < 100; y++) {
        double row = 0;
        for (int x = 0; x < 100; x++)
            row += f[y * 100 + x];
        ASSERT(row >= 1);
    }
    dm_coords_free(ctx, &c);
    dm_geom_free(line);
    dm_raster_free(f, 10000);
}

TEST(raster_tiles_cover_grid_once)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {0, 0, 1030, 770};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 10.0, &g));
    dm_tile *t = NULL;
    size_t n = 0;
    ASSERT_OK(dm_grid_tiles(ctx, &g, 25, 4, &t, &n));
    ASSERT_EQ(n, (size_t)(5 * 4));
    long cells = 0;
    for (size_t k = 0; k < n; k++) {
        cells += (long)t[k].nx * t[k].ny;
        ASSERT_EQ(t[k].hi0, t[k].i0 - 4);
        ASSERT_EQ(t[k].hny, t[k].ny + 8);
    }
    ASSERT_EQ(cells, (long)g.nx * g.ny);
    dm_free(ctx, t);
    double bad[4] = {0, 0, 0, 10};
    ASSERT_STATUS(DM_EINVAL, dm_grid_from_bounds(ctx, "EPSG:32618", bad, 10.0, &g));
    ASSERT_STATUS(DM_EINVAL, dm_grid_from_bounds(ctx, "EPSG:32618", b, 0.0, &g));
}

TEST(raster_geotiff_round_trip_and_warp)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {500000, 600000, 503000, 602000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 10.0, &g));
    size_t n = dm_grid_cells(&g);
    float *a = dm_raster_alloc(n), *c = dm_raster_alloc(n);
    for (size_t k = 0; k < n; k++) {
        a[k] = (float)(k % g.nx);
        c[k] = (float)(k / g.nx);
    }
    const char *names[2] = {"p_any", "items_ha"};
    dm_gtiff *w = NULL;
    ASSERT_OK(dm_gtiff_create(ctx, dmtest_path("r.tif"), &g, 2, names, -9999, 1, &w));
    ASSERT_OK(dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, a));
    ASSERT_OK(dm_gtiff_write(w, 2, 0, 0, g.nx, g.ny, c));
    ASSERT_OK(dm_gtiff_set_meta(w, "model", "test"));
    ASSERT_OK(dm_gtiff_close(w, 1));
    dm_grid r;
    float *back = NULL;
    ASSERT_OK(dm_raster_read(ctx, dmtest_path("r.tif"), 2, &r, &back));
    ASSERT_EQ(r.nx, g.nx);
    ASSERT_EQ(r.ny, g.ny);
    ASSERT_NEAR(r.x0, g.x0, 1e-6);
    ASSERT_STREQ(r.crs, "EPSG:32618");
    for (size_t k = 0; k < n; k += 97)
        ASSERT_EQ(back[k], c[k]);
    dm_raster_free(back, n);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "gdalinfo %s", dmtest_path("r.tif")), 0);
    ASSERT_CONTAINS(out, "Overviews");
    ASSERT_CONTAINS(out, "Block=256x256");
    free(out);
    /* warp the file onto a shifted, coarser grid: bilinear of a linear ramp */
    dm_grid g2;
    double b2[4] = {500500, 600500, 502500, 601500};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b2, 20.0, &g2));
    float *wp = dm_raster_alloc(dm_grid_cells(&g2));
    ASSERT_OK(dm_raster_warp(ctx, dmtest_path("r.tif"), &g2, wp));
    /* column i of g2 has centre x = 500500 + 20 i + 10 -> source column (50 + 2i + 1) - 0.5 */
    ASSERT_NEAR(wp[5 * g2.nx + 10], 50 + 20 + 0.5, 0.6);
    dm_raster_free(wp, dm_grid_cells(&g2));
    /* no georeference */
    ASSERT_EQ(dmtest_sh(&out, "gdal_create -q -of GTiff -outsize 8 8 -bands 1 %s",
                        dmtest_path("plain.tif")),
              0);
    free(out);
    ASSERT_STATUS(DM_EPARSE, dm_raster_read(ctx, dmtest_path("plain.tif"), 1, &r, &back));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no georeference");
    ASSERT_STATUS(DM_EPARSE, dm_raster_warp(ctx, dmtest_path("plain.tif"), &g2, c));
    dmtest_write_file(dmtest_path("bad.tif"), "not a raster");
    ASSERT_STATUS(DM_EIO, dm_raster_read(ctx, dmtest_path("bad.tif"), 1, &r, &back));
    dm_raster_free(a, n);
    dm_raster_free(c, n);
}

/* The overviews keep the highest value beneath each cell, nodata left
 * out: one dangerous cell stays visible zoomed out. */
TEST(raster_geotiff_overviews_keep_the_highest_cell)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {500000, 600000, 506000, 604000};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 10.0, &g));
    ASSERT_EQ(g.nx, 600);
    size_t n = dm_grid_cells(&g);
    float *a = dm_raster_alloc(n);
    for (size_t k = 0; k < n; k++)
        a[k] = 0.001f;
    for (int j = 0; j < 10; j++)
        for (int i = 0; i < 10; i++)
            a[(size_t)j * g.nx + i] = -9999;
    a[(size_t)77 * g.nx + 123] = 0.9f;
    dm_gtiff *w = NULL;
    ASSERT_OK(dm_gtiff_create(ctx, dmtest_path("ovr.tif"), &g, 1, NULL, -9999, 1, &w));
    ASSERT_OK(dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, a));
    ASSERT_OK(dm_gtiff_close(w, 1));
    dm_raster_free(a, n);
    char *out = NULL;
    /* the second level: factor 4 */
    ASSERT_EQ(dmtest_sh(&out, "gdal_translate -q -ovr 1 %s %s", dmtest_path("ovr.tif"),
                        dmtest_path("ovr4.tif")),
              0);
    free(out);
    dm_grid r;
    float *o = NULL;
    ASSERT_OK(dm_raster_read(ctx, dmtest_path("ovr4.tif"), 1, &r, &o));
    ASSERT_EQ(r.nx, 150);
    ASSERT_EQ(r.ny, 100);
    ASSERT_NEAR(o[(77 / 4) * r.nx + 123 / 4], 0.9, 1e-6);   /* not 0.9 / 16 */
    ASSERT_NEAR(o[(77 / 4) * r.nx + 123 / 4 + 1], 0.001, 1e-6);
    ASSERT(isnan(o[0]));                                    /* all nodata beneath */
    ASSERT_NEAR(o[2], 0.001, 1e-6);                         /* half nodata beneath */
    ASSERT_NEAR(o[2 * r.nx + 2], 0.001, 1e-6);
    dm_raster_free(o, (size_t)r.nx * r.ny);
}

TEST(raster_cli_distance_and_sum)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_grid g;
    double b[4] = {500000, 600000, 500000 + 300 * 10, 600000 + 270 * 10};
    ASSERT_OK(dm_grid_from_bounds(ctx, "EPSG:32618", b, 10.0, &g));
    size_t n = dm_grid_cells(&g);
    float *a = dm_raster_alloc(n);
    for (size_t k = 0; k < n; k++)
        a[k] = 0;
    a[5 * g.nx + 7] = 3;      /* a source of value 3 */
    a[200 * g.nx + 250] = 1;  /* a source of value 1 */
    dm_gtiff *w = NULL;
    ASSERT_OK(dm_gtiff_create(ctx, dmtest_path("in.tif"), &g, 1, NULL, -9999, 0, &w));
    ASSERT_OK(dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, a));
    ASSERT_OK(dm_gtiff_close(w, 0));
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "risk distance %s %s --values 1", dmtest_path("in.tif"),
                            dmtest_path("d.tif")),
              0);
    free(out);
    dm_grid r;
    float *d = NULL;
    ASSERT_OK(dm_raster_read(ctx, dmtest_path("d.tif"), 1, &r, &d));
    ASSERT_EQ(r.nx, g.nx);
    /* only the value-1 source counts; distances in metres */
    ASSERT_NEAR(d[200 * g.nx + 250], 0, 1e-6);
    ASSERT_NEAR(d[5 * g.nx + 7], 10.0 * sqrt(195.0 * 195 + 243.0 * 243), 1e-2);
    ASSERT_NEAR(d[0], 10.0 * sqrt(200.0 * 200 + 250.0 * 250), 1e-2);
    dm_raster_free(d, n);
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 2 %s -0.5 %s", dmtest_path("s.tif"),
                            dmtest_path("in.tif"), dmtest_path("in.tif")),
              0);
    free(out);
    ASSERT_OK(dm_raster_read(ctx, dmtest_path("s.tif"), 1, &r, &d));
    ASSERT_NEAR(d[5 * g.nx + 7], 4.5, 1e-6);
    ASSERT_NEAR(d[200 * g.nx + 250], 1.5, 1e-6);
    ASSERT_NEAR(d[100], 0, 1e-6);
    dm_raster_free(d, n);
    /* a nodata cell in any input is nodata in the sum, and only there */
    a[10 * g.nx + 290] = -9999;
    ASSERT_OK(dm_gtiff_create(ctx, dmtest_path("nd.tif"), &g, 1, NULL, -9999, 0, &w));
    ASSERT_OK(dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, a));
    ASSERT_OK(dm_gtiff_close(w, 0));
    a[10 * g.nx + 290] = 0;
    ASSERT_EQ(dmtest_demine(&out, "risk sum %s 2 %s 1 %s", dmtest_path("s2.tif"),
                            dmtest_path("in.tif"), dmtest_path("nd.tif")),
              0);
    free(out);
    ASSERT_OK(dm_raster_read(ctx, dmtest_path("s2.tif"), 1, &r, &d));
    ASSERT(!isfinite(d[10 * g.nx + 290]) || d[10 * g.nx + 290] == -9999);
    ASSERT_NEAR(d[5 * g.nx + 7], 9, 1e-6);
    ASSERT_NEAR(d[10 * g.nx + 289], 0, 1e-6);
    ASSERT_NEAR(d[(size_t)(g.ny - 1) * g.nx + g.nx - 1], 0, 1e-6); /* the last, partial block */
    dm_raster_free(d, n);
    /* rasters on different grids are refused */
    dm_grid g2 = g;
    g2.x0 += 5;
    ASSERT_OK(dm_gtiff_create(ctx, dmtest_path("off.tif"), &g2, 1, NULL, -9999, 0, &w));
    ASSERT_OK(dm_gtiff_write(w, 1, 0, 0, g.nx, g.ny, a));
    ASSERT_OK(dm_gtiff_close(w, 0));
    ASSERT(dmtest_demine(&out, "risk sum %s 1 %s 1 %s", dmtest_path("x.tif"), dmtest_path("in.tif"),
                         dmtest_path("off.tif")) != 0);
    ASSERT_CONTAINS(out, "not on the grid");
    free(out);
    dm_raster_free(a, n);
}
