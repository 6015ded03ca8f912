/* SPDX-License-Identifier: MIT
 *
 * dm_geom.h -- geometries (GEOS underneath), coordinate transforms (PROJ
 * underneath), validity checks and areas in hectares.
 *
 * Stored geometries are in WGS 84 (EPSG:4326, longitude first). Areas and
 * lengths are computed in the local UTM zone of the geometry's centre.
 * A dm_geom remembers the context it was made with; use it from the thread
 * that owns that context.
 */
#ifndef DM_GEOM_H
#define DM_GEOM_H

#include "demine/dm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_geom dm_geom;

typedef enum dm_geom_type {
    DM_GEOM_UNKNOWN = 0,
    DM_GEOM_POINT = 1,
    DM_GEOM_LINESTRING = 2,
    DM_GEOM_POLYGON = 3,
    DM_GEOM_MULTIPOINT = 4,
    DM_GEOM_MULTILINESTRING = 5,
    DM_GEOM_MULTIPOLYGON = 6,
    DM_GEOM_COLLECTION = 7
} dm_geom_type;

/* ---- construction and conversion (results owned by the caller) ---- */
DM_API dm_status dm_geom_from_wkt(dm_ctx *ctx, const char *wkt, dm_geom **out);
DM_API dm_status dm_geom_from_wkb(dm_ctx *ctx, const unsigned char *wkb, size_t len,
                                  dm_geom **out);
/* GeoPackage binary (header + WKB). */
DM_API dm_status dm_geom_from_gpkg(dm_ctx *ctx, const unsigned char *blob, size_t len,
                                   dm_geom **out);
DM_API dm_status dm_geom_point(dm_ctx *ctx, double x, double y, dm_geom **out);
/* xy holds n (x, y) pairs. */
DM_API dm_status dm_geom_linestring(dm_ctx *ctx, const double *xy, size_t n, dm_geom **out);
/* One outer ring of n pairs; closed automatically if the last differs. */
DM_API dm_status dm_geom_polygon(dm_ctx *ctx, const double *xy, size_t n, dm_geom **out);
/* Make a multi-geometry or collection from parts. Takes ownership of every
 * part and of the array's elements (not the array), even on failure. */
DM_API dm_status dm_geom_collect(dm_ctx *ctx, dm_geom_type type, dm_geom **parts, size_t n,
                                 dm_geom **out);
DM_API dm_status dm_geom_clone(dm_ctx *ctx, const dm_geom *g, dm_geom **out);
DM_API void dm_geom_free(dm_geom *g);

/* WKB (little-endian, 2D) and WKT; free the results with dm_free(ctx, ...). */
DM_API dm_status dm_geom_to_wkb(dm_ctx *ctx, const dm_geom *g, unsigned char **wkb, size_t *len);
DM_API dm_status dm_geom_to_wkt(dm_ctx *ctx, const dm_geom *g, int decimals, char **wkt);
/* GeoJSON geometry objects (RFC 7946 coordinates, longitude first). */
DM_API dm_status dm_geom_from_geojson(dm_ctx *ctx, const char *json, dm_geom **out);
DM_API dm_status dm_geom_to_geojson(dm_ctx *ctx, const dm_geom *g, char **json);
/* GeoPackage binary with envelope, for srs_id. */
DM_API dm_status dm_geom_to_gpkg(dm_ctx *ctx, const dm_geom *g, int srs_id, unsigned char **blob,
                                 size_t *len);
/* Read the envelope of a GeoPackage blob without parsing its WKB (fast).
 * Returns 1 and fills minx, maxx, miny, maxy; 0 when empty or malformed. */
DM_API int dm_gpkg_envelope(const unsigned char *blob, size_t len, double env[4]);

/* ---- properties ---- */
DM_API dm_geom_type dm_geom_type_of(const dm_geom *g);
DM_API const char *dm_geom_type_name(dm_geom_type t); /* "POINT", "MULTIPOLYGON", ... */
DM_API int dm_geom_is_empty(const dm_geom *g);
/* minx, miny, maxx, maxy. Returns 0 for an empty geometry. */
DM_API int dm_geom_bounds(const dm_geom *g, double b[4]);
DM_API size_t dm_geom_num_points(const dm_geom *g);
/* Planar area and length in the geometry's own units. */
DM_API double dm_geom_area(const dm_geom *g);
DM_API double dm_geom_length(const dm_geom *g);
/* Centroid coordinates; returns 0 for an empty geometry. */
DM_API int dm_geom_centroid_xy(const dm_geom *g, double *x, double *y);

/* Validity. Returns 1 when valid; otherwise 0 and, when reason is given, a
 * description ("Self-intersection") and where the fault is (x, y). */
DM_API int dm_geom_is_valid(const dm_geom *g, char *reason, size_t reason_len, double *x,
                            double *y);
/* A valid version of g (GEOS MakeValid); polygons stay polygons where possible. */
DM_API dm_status dm_geom_make_valid(dm_ctx *ctx, const dm_geom *g, dm_geom **out);

/* ---- operations (planar; results owned by the caller) ---- */
DM_API dm_status dm_geom_buffer(dm_ctx *ctx, const dm_geom *g, double dist, dm_geom **out);
DM_API dm_status dm_geom_union(dm_ctx *ctx, const dm_geom *a, const dm_geom *b, dm_geom **out);
/* Union of many (cascaded). Does not take ownership. */
DM_API dm_status dm_geom_union_all(dm_ctx *ctx, dm_geom *const *gs, size_t n, dm_geom **out);
DM_API dm_status dm_geom_intersection(dm_ctx *ctx, const dm_geom *a, const dm_geom *b,
                                      dm_geom **out);
DM_API dm_status dm_geom_difference(dm_ctx *ctx, const dm_geom *a, const dm_geom *b,
                                    dm_geom **out);
DM_API dm_status dm_geom_simplify(dm_ctx *ctx, const dm_geom *g, double tol, dm_geom **out);
DM_API int dm_geom_intersects(const dm_geom *a, const dm_geom *b);
DM_API int dm_geom_contains(const dm_geom *a, const dm_geom *b);
DM_API double dm_geom_distance(const dm_geom *a, const dm_geom *b);

/* Flattened coordinates of any geometry, for engines that rasterise or
 * measure: xy holds all vertices; part i spans xy pairs
 * [start[i], start[i+1]) and has kind: 0 point, 1 line, 2 outer ring,
 * 3 inner ring. Free with dm_coords_free. */
typedef struct dm_coords {
    double *xy;
    size_t n_xy; /* number of pairs */
    size_t *start; /* n_parts + 1 entries */
    unsigned char *kind;
    size_t n_parts;
} dm_coords;
DM_API dm_status dm_geom_coords(dm_ctx *ctx, const dm_geom *g, dm_coords *out);
DM_API void dm_coords_free(dm_ctx *ctx, dm_coords *c);

/* ---- coordinate reference systems ---- */
typedef struct dm_transform dm_transform;

/* A transform between two CRS given as "EPSG:n", WKT or PROJ strings. Axis
 * order is always x = easting/longitude, y = northing/latitude. */
DM_API dm_status dm_transform_new(dm_ctx *ctx, const char *from, const char *to,
                                  dm_transform **out);
DM_API void dm_transform_free(dm_transform *t);
/* Transform n pairs in place. Fails on any non-finite result. */
DM_API dm_status dm_transform_xy(dm_transform *t, double *x, double *y, size_t n);
/* Transform a whole geometry into a new one. */
DM_API dm_status dm_geom_transform(dm_ctx *ctx, dm_transform *t, const dm_geom *g,
                                   dm_geom **out);
/* A CRS a grid in metres can use: known, projected, with metre axes.
 * DM_EPROJ with a message naming the CRS otherwise (unknown, geographic in
 * degrees, or projected in feet). With norm, writes its short form there:
 * "AUTH:CODE" when the CRS has one (a name or WKT of an EPSG CRS becomes
 * "EPSG:n"), else the definition itself if it fits in norm_size. */
DM_API dm_status dm_crs_require_metres(dm_ctx *ctx, const char *crs, char *norm,
                                       size_t norm_size);
/* How well a projected CRS suits a place: *areal the factor by which it
 * scales areas at (lon, lat) (1 for none; NaN when PROJ cannot say),
 * *in_area 1 when the place lies in the CRS's area of use, 0 when not, -1
 * when the CRS declares none. Errors: DM_EPROJ (unknown CRS). */
DM_API dm_status dm_crs_fit(dm_ctx *ctx, const char *crs, double lon, double lat, double *areal,
                            int *in_area);
/* EPSG code of the UTM zone holding (lon, lat): 326zz north, 327zz south. */
DM_API int dm_utm_epsg(double lon, double lat);
/* Area in hectares and length in metres of a WGS 84 geometry, computed in the
 * UTM zone of its centre. */
DM_API dm_status dm_geom_area_ha(dm_ctx *ctx, const dm_geom *g, double *ha);
DM_API dm_status dm_geom_length_m(dm_ctx *ctx, const dm_geom *g, double *m);
/* Great-circle distance in metres between two WGS 84 points. */
DM_API double dm_haversine_m(double lon1, double lat1, double lon2, double lat2);

#ifdef __cplusplus
}
#endif
#endif /* DM_GEOM_H */
