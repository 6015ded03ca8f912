/* SPDX-License-Identifier: MIT
 *
 * dm_raster.h -- grids, tiles with halos, rasterising, the exact Euclidean
 * distance transform, Gaussian kernels and GeoTIFF input and output.
 *
 * A raster here is a plain row-major float array (row 0 at the top) over a
 * dm_grid of square cells. Engines work tile by tile: each tile is computed
 * on its own window grown by a halo wide enough that every term reaching
 * into the tile is exact, so a whole country never has to fit in memory.
 */
#ifndef DM_RASTER_H
#define DM_RASTER_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A north-up grid of square cells. (x0, y0) is the top-left corner; cell
 * (col i, row j) covers [x0 + i*cell, x0 + (i+1)*cell] x [y0 - (j+1)*cell,
 * y0 - j*cell]. crs is "EPSG:n" (or any short PROJ string). */
typedef struct dm_grid {
    double x0, y0;
    double cell;
    int nx, ny;
    char crs[64];
} dm_grid;

/* Snap bounds (minx, miny, maxx, maxy in crs units) outward to multiples of
 * cell and fill *g. Errors: DM_EINVAL for a non-positive cell, empty or
 * non-finite bounds, or more than 2^31 cells on a side. */
DM_API dm_status dm_grid_from_bounds(dm_ctx *ctx, const char *crs, const double b[4],
                                     double cell, dm_grid *g);
/* Number of cells (nx * ny). */
DM_API size_t dm_grid_cells(const dm_grid *g);
/* The sub-grid of g starting at (col i0, row j0) with nx x ny cells (may
 * extend outside g: used for tiles with halos). */
DM_API dm_grid dm_grid_window(const dm_grid *g, int i0, int j0, int nx, int ny);

/* A tile: the core window [i0, i0+nx) x [j0, j0+ny) and the core grown by
 * halo cells on every side (clipped to nothing: halos may reach outside
 * the grid, where sources still count). */
typedef struct dm_tile {
    int i0, j0, nx, ny;     /* core, in grid cells */
    int hi0, hj0, hnx, hny; /* core plus halo */
} dm_tile;

/* Split g into tiles of at most `size` cells a side with `halo` cells of
 * halo. *tiles is allocated with dm_malloc (free with dm_free). */
DM_API dm_status dm_grid_tiles(dm_ctx *ctx, const dm_grid *g, int size, int halo,
                               dm_tile **tiles, size_t *n);

/* Float buffers for rasters. Large ones are mapped and populated at once
 * (page-aligned; DEMINE_HUGEPAGES=1 advises transparent huge pages). Not
 * counted in the context's accounting. NULL when out of memory. Free with
 * dm_raster_free, giving the same n_cells. */
DM_API float *dm_raster_alloc(size_t n_cells);
DM_API void dm_raster_free(float *p, size_t n_cells);

/* ---- rasterising (coordinates already in the grid's CRS) ---- */
typedef enum dm_burn_op {
    DM_BURN_SET = 0, /* cell = value */
    DM_BURN_ADD = 1, /* cell += value */
    DM_BURN_MAX = 2  /* cell = max(cell, value) */
} dm_burn_op;

/* Burn every part of c into buf over grid g: points mark their cell, lines
 * every cell they pass through, polygon rings (kinds 2 and 3, even-odd over
 * all rings of c) the cells whose centres are inside; with all_touched,
 * polygons also mark the cells their boundary crosses. Parts outside the
 * grid are clipped. */
DM_API void dm_burn_coords(const dm_grid *g, const dm_coords *c, float value, dm_burn_op op,
                           int all_touched, float *buf);

/* The cells of g whose centre lies inside the polygons of area (WGS 84), as
 * a 0/1 byte per cell (malloc'd, free()). Errors: DM_ENOMEM, those of the
 * coordinate transform. */
DM_API dm_status dm_raster_mask_area(dm_ctx *ctx, const dm_geom *area, const dm_grid *g,
                                     unsigned char **out);

/* ---- distance transform ---- */
/* Exact Euclidean distance transform (Felzenszwalb-Huttenlocher lower
 * envelope of parabolas, in exact integer arithmetic), multithreaded. In: f[k] = 0 at source cells and
 * anything > 0 elsewhere. Out: f[k] = distance in cells to the nearest
 * source, capped at `cap_cells` (use INFINITY for none; cells with no
 * source anywhere get cap_cells or INFINITY). threads <= 0: all cores. */
DM_API dm_status dm_edt(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells, int threads);
/* The same, the distances multiplied by scale (e.g. the cell size). */
DM_API dm_status dm_edt_scaled(dm_ctx *ctx, float *f, int nx, int ny, float cap_cells,
                               float scale, int threads);

/* ---- kernels ---- */
/* Convolve buf (nx x ny, zero outside) with a Gaussian of sigma cells,
 * approximated by three box filters (Wells 1986; constant time per cell
 * whatever sigma). The kernel sums to 1. Multithreaded. */
DM_API dm_status dm_gauss_blur(dm_ctx *ctx, float *buf, int nx, int ny, double sigma_cells,
                               int threads);
/* The same with a caller-provided work buffer of nx * ny floats (no
 * allocation; work == NULL allocates). */
DM_API dm_status dm_gauss_blur_ws(dm_ctx *ctx, float *buf, float *work, int nx, int ny,
                                  double sigma_cells, int threads);
/* Half-width in cells beyond which the blur of dm_gauss_blur is exactly 0. */
DM_API int dm_gauss_reach(double sigma_cells);

/* ---- GeoTIFF ---- */
typedef struct dm_gtiff dm_gtiff;

/* Create a Float32 GeoTIFF (tiled 256 x 256, BIGTIFF when needed) over g
 * with nbands bands named by names[] (may be NULL). With compress, ZSTD
 * with the floating-point predictor (LZW when ZSTD is unavailable);
 * without, uncompressed. nodata is written as the nodata value.
 * Errors: DM_EGDAL, DM_EPROJ. */
DM_API dm_status dm_gtiff_create(dm_ctx *ctx, const char *path, const dm_grid *g, int nbands,
                                 const char *const *names, float nodata, int compress,
                                 dm_gtiff **out);
/* Write a window of one band (1-based); data is nx x ny row-major. */
DM_API dm_status dm_gtiff_write(dm_gtiff *w, int band, int i0, int j0, int nx, int ny,
                                const float *data);
/* Set a metadata item on the dataset (e.g. the model used). */
DM_API dm_status dm_gtiff_set_meta(dm_gtiff *w, const char *key, const char *value);
/* A metadata item of any GDAL raster: *out (dm_free) is NULL when the
 * raster has none. Errors: DM_EIO (cannot open). */
DM_API dm_status dm_raster_get_meta(dm_ctx *ctx, const char *path, const char *key, char **out);
/* Flush, build overviews (each cell the highest of the cells under it, so
 * that one dangerous cell stays visible zoomed out; factors 2..) when
 * with_overviews, and close. Always frees w. */
DM_API dm_status dm_gtiff_close(dm_gtiff *w, int with_overviews);

/* Read band `band` (1-based) of any GDAL raster with its grid. The raster
 * must be north-up with square-ish cells and a georeference; nodata cells
 * come back as NaN. *data is from dm_raster_alloc. Errors: DM_EIO (cannot
 * open), DM_EPARSE (no georeference, rotated), DM_EGDAL. */
DM_API dm_status dm_raster_read(dm_ctx *ctx, const char *path, int band, dm_grid *g,
                                float **data);
/* The grid of a raster without reading its cells; errors as dm_raster_read. */
DM_API dm_status dm_raster_grid(dm_ctx *ctx, const char *path, dm_grid *g);
/* Distance raster, file to file: the exact Euclidean distance (in the
 * raster's units) from every cell to the nearest cell of band `band` of
 * `in` whose value is one of vals[0..nv) (nv == 0: any non-zero value),
 * capped at max_dist (INFINITY: none). With no source at all, a warning,
 * and every cell gets the cap, or without one nodata (-1). Written to `out`
 * as a tiled Float32 GeoTIFF on the input's grid (ZSTD with compress). The
 * input is read and the transform run on `threads` threads (<= 0: the
 * context's), the output written as its block rows are done; memory: two
 * bytes per cell (on transparent huge pages unless DEMINE_HUGEPAGES=0) and
 * a few block rows.
 * Errors: as dm_raster_read, DM_EINVAL (raster too large for exact
 * arithmetic), DM_ENOMEM, DM_EGDAL (writing). */
DM_API dm_status dm_raster_distance(dm_ctx *ctx, const char *in, int band, const double *vals,
                                    int nv, double max_dist, const char *out, int compress,
                                    int threads);
/* Warp band 1 of any georeferenced raster onto g (bilinear), writing
 * g->nx * g->ny floats into out; cells outside the source or nodata come
 * back NaN. Errors as dm_raster_read. */
DM_API dm_status dm_raster_warp(dm_ctx *ctx, const char *path, const dm_grid *g, float *out);

/* out = sum of weights[i] * band 1 of paths[i] (n <= 32 rasters on the same
 * grid), streamed block by block on `threads` threads (<= 0: the context's);
 * nodata in any input gives nodata (-9999). Memory stays a few blocks per
 * thread whatever the size. Errors: DM_EINVAL (grids differ), DM_EIO,
 * DM_EPARSE (no georeference), DM_EGDAL. */
DM_API dm_status dm_raster_weighted_sum(dm_ctx *ctx, const char *out, const char *const *paths,
                                        const double *weights, int n, int compress, int threads);

/* Run fn(arg, k) for k in [0, n) on `threads` threads (<= 0: all cores). */
typedef void (*dm_parallel_fn)(void *arg, size_t k);
DM_API void dm_parallel_for(int threads, size_t n, dm_parallel_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif /* DM_RASTER_H */
