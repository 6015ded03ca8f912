/* SPDX-License-Identifier: MIT
 *
 * dm_tiles.h -- the risk map as web tiles and point/line queries: reads the
 * risk GeoTIFF (band 1: probability of contamination 0-1; any projected or
 * geographic CRS), renders 256 px XYZ tiles in Web Mercator (EPSG:3857) as
 * PNG with a transparent-yellow-to-red ramp, and samples values at a WGS 84
 * point or along a line.
 *
 * A dm_riskmap holds an open GDAL dataset: use it from one thread; open one
 * per thread.
 */
#ifndef DM_TILES_H
#define DM_TILES_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_riskmap dm_riskmap;

/* Open a risk GeoTIFF. Errors: DM_EIO (cannot open), DM_EPROJ (no CRS).
 * Ownership: *out is the caller's; dm_riskmap_free(). */
DM_API dm_status dm_riskmap_open(dm_ctx *ctx, const char *path, dm_riskmap **out);
/* The path of the risk map of a database: dm_meta key "risk_map", taken
 * relative to the database's directory when not absolute. DM_ENOTFOUND when
 * no risk map was made yet. Caller frees *path with dm_free. */
DM_API dm_status dm_riskmap_path(dm_store *s, char **path);
DM_API void dm_riskmap_free(dm_riskmap *r);

/* Render tile z/x/y (z 0-24, x and y 0..2^z-1; DM_EINVAL otherwise) as a 256 x
 * 256 PNG; tiles outside the raster are fully transparent. *png is freed
 * with dm_free(ctx, ...). */
DM_API dm_status dm_riskmap_tile_png(dm_riskmap *r, int z, int x, int y, unsigned char **png,
                                     size_t *len);

/* Value at a WGS 84 point; *v is NaN outside the raster or on nodata. */
DM_API dm_status dm_riskmap_value(dm_riskmap *r, double lon, double lat, double *v);

/* Sample along a WGS 84 line of n points (xy pairs) every step_m metres
 * (at most 2000 samples). JSON: {"length_m", "max", "mean", "samples":
 * [[distance_m, value|null], ...]}. Free with dm_free. */
DM_API dm_status dm_riskmap_profile_json(dm_riskmap *r, const double *xy, size_t n,
                                         double step_m, char **json);

#ifdef __cplusplus
}
#endif
#endif /* DM_TILES_H */
