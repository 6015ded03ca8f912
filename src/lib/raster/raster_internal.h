/* SPDX-License-Identifier: MIT
 *
 * raster_internal.h -- the distance transform engine shared by dm_edt (float
 * sources in memory) and dm_raster_distance (sources read from a file): the
 * column pass runs band by band as data arrives (any order, any thread), the
 * envelope pass joins the bands and produces the distances.
 */
#ifndef DM_RASTER_INTERNAL_H
#define DM_RASTER_INTERNAL_H

#include "demine/dm_raster.h"

#include <stdint.h>

/* Distances being computed over f (nx x ny floats, row-major). The rows are
 * cut into bands of band_h rows (the last may be shorter); band k keeps, per
 * column, the offset of its first source from its top row (top) and of its
 * bottom row from its last source (bot), INFINITY when it has none. */
typedef struct dm__edt {
    float *f;
    int nx, ny, band_h, nbands;
    float *top, *bot; /* nbands * nx each */
} dm__edt;

/* Set up e over f (not owned). Errors: DM_EINVAL (empty raster, or sides too
 * long for exact integer arithmetic: more than 2^24 rows or about 1.6 million
 * cells a side), DM_ENOMEM. */
dm_status dm__edt_init(dm_ctx *ctx, dm__edt *e, float *f, int nx, int ny, int band_h);
void dm__edt_free(dm__edt *e);

/* Column pass of columns [x0, x0 + w) of band k from raw bytes: row y of the
 * band is src + y * stride, and a cell is a source when is_src[byte] != 0.
 * Writes the in-band column distances into f. Bands and column ranges may be
 * done in any order and on any thread, each exactly once. */
void dm__edt_cols_u8(dm__edt *e, int k, int x0, int w, const uint8_t *src, size_t stride,
                     const uint8_t is_src[256]);

/* The same with f itself as the sources (0 = source, anything else not). */
void dm__edt_cols_f32(dm__edt *e, int k, int x0, int w);

/* Once every band is done: join the bands, run the envelope pass and leave
 * in f the distance to the nearest source times scale, capped at cap_cells
 * (INFINITY: none; cells with no source anywhere get the cap). Frees nothing. */
dm_status dm__edt_finish(dm_ctx *ctx, dm__edt *e, float cap_cells, float scale, int threads);

/* dm_raster_alloc with (huge != 0) or without transparent huge pages,
 * whatever the environment says. Free with dm_raster_free. */
float *dm__raster_alloc_opt(size_t n_cells, int huge);

/* GDAL set up once (drivers, quiet errors, bounded block cache) and its
 * last error message. */
void dm__gdal_init(void);
const char *dm__gdal_msg(void);

/* Open a raster (a GDALDatasetH in *ds, to GDALClose) and read its grid:
 * north-up, square cells, a CRS with an EPSG code, band `band` present.
 * Errors: DM_EIO (cannot open), DM_EPARSE, DM_ENOTFOUND (no such band). */
dm_status dm__raster_open_grid(dm_ctx *ctx, const char *path, int band, void **ds, dm_grid *g);

#endif /* DM_RASTER_INTERNAL_H */
