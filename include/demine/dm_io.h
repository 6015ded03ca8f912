/* SPDX-License-Identifier: MIT
 *
 * dm_io.h -- importing any file GDAL reads into a layer of the database, and
 * exporting a layer to any format GDAL writes.
 *
 * An import is one transaction: the first bad feature rejects the whole file
 * with a message naming the file, the feature number and the field, and the
 * database is left as it was.
 */
#ifndef DM_IO_H
#define DM_IO_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_import_opts {
    const char *layer;     /* target layer (required), e.g. "hazards" */
    const char *src_layer; /* layer inside the file (default: the first) */
    /* field mapping: source name -> layer field ("-" drops the source field) */
    const char *const *map_from;
    const char *const *map_to;
    size_t n_map;
    /* constant values for fields the file lacks: field=value */
    const char *const *set_field;
    const char *const *set_value;
    size_t n_set;
    const char *x_field, *y_field; /* coordinate columns (CSV); detected when NULL */
    const char *geom_field;        /* WKT or ODK geopoint/geotrace/geoshape column */
    const char *src_crs;           /* CRS of the file when it has none, or to override */
    int repair;                    /* make invalid geometries valid (GEOS) and log it */
    int ignore_unknown;            /* drop source fields the layer does not have */
    int skip_existing;             /* skip (and count) rows whose uuid or ref the layer has */
    const char *encoding;          /* the file's text encoding when not UTF-8 and the file does
                                      not say (a Shapefile without .cpg): "CP1251", "CP866" */
    /* "point", "line" or "polygon" (NULL: every feature): import only the
     * features of that kind of geometry and leave out (counting them) the
     * others, e.g. the finds (points) of a file that also holds the hazard's
     * outline (a polygon). A feature without geometry is of no kind and is
     * not left out (no run would import it): it is imported when the layer
     * takes rows without geometry, and rejects the file (DM_EGEOM, naming
     * the feature) when the layer needs one. A closed line counts as a
     * polygon when the layer holds polygons (it imports as the polygon it
     * encloses). DM_EINVAL for another word or a layer without geometry. */
    const char *only_geometry;
    /* exchange x and y of every geometry read (a file written latitude
     * first), before its CRS is applied and anything is checked */
    int swap_xy;
    /* the unit ("m2", "km2", "ha"; also "m²", "sqm", "km²", ...) of the
     * areas whose column's name says none: the columns recognised by the
     * names IMSMA gives them (Estimated Area, Remaining Area, Cancelled
     * Area, Reduced Area with and without technical asset, Cleared Area),
     * and those map_to takes into an area in hectares (est_area_ha,
     * area_cleared_ha, ...); converted to hectares. NULL: IMSMA's area
     * columns are refused (DM_EPARSE, naming each) until their unit is
     * said, here or by a map_to target named in it (est_area_m2), and
     * map_to's hectares are hectares. A target named in a unit keeps its
     * own. DM_EINVAL for another word, or when no column of the file is of
     * those it applies to (a check warns instead). */
    const char *area_unit;
} dm_import_opts;

/* Kinds of geometry, as dm_import_result counts the features left out. */
enum {
    DM_IMPORT_KIND_NONE = 0, /* no geometry */
    DM_IMPORT_KIND_POINT,    /* Point, MultiPoint */
    DM_IMPORT_KIND_LINE,     /* LineString, MultiLineString, curves */
    DM_IMPORT_KIND_POLYGON,  /* Polygon, MultiPolygon, surfaces */
    DM_IMPORT_KIND_OTHER,    /* a geometry collection */
    DM_IMPORT_KINDS
};

typedef struct dm_import_result {
    long rows;     /* rows inserted */
    long repaired; /* geometries made valid */
    long ignored_fields;
    long skipped; /* rows already in the layer (skip_existing) */
    long left_out; /* features not of opts->only_geometry's kind, not imported */
    long left_out_kinds[DM_IMPORT_KINDS]; /* left_out by kind (DM_IMPORT_KIND_*) */
} dm_import_result;

/* counts (indexed by DM_IMPORT_KIND_*) as words into buf: "2 points, 1
 * polygon and 1 without geometry" ("no features" when all are 0). Returns buf. */
DM_API const char *dm_import_kinds_text(const long *counts, char *buf, size_t n);

/* Import path into the store. See the file comment for the guarantees.
 * Errors: DM_EIO (cannot read), DM_EPARSE (bad value), DM_EGEOM (bad
 * geometry), DM_EPROJ (CRS), DM_ENOTFOUND (unknown layer or field),
 * DM_ECONFLICT (a uuid or ref already in the layer, unless skip_existing,
 * or twice in the file). */
DM_API dm_status dm_import_file(dm_store *s, const char *path, const dm_import_opts *opts,
                                dm_import_result *res);

typedef struct dm_export_opts {
    const char *format; /* GDAL driver short name; NULL = from the extension */
    int no_personal;    /* leave out the fields dm_field_is_personal names */
    const dm_select *select;
} dm_export_opts;

/* Export one layer to path (created; an existing file is an error, and for
 * a Shapefile an existing side file .dbf/.shx/.prj/.cpg/... too). Each row
 * carries its uuid, created, updated and author, which dm_import reads back.
 * Writes *n_rows when not NULL. On failure every file the export created is
 * removed, and none that existed before. Beside a GeoJSON, GeoPackage or
 * FlatGeobuf file it writes the layer's QGIS style (dm_qgis_style_path),
 * unless a file is already there. */
DM_API dm_status dm_export_layer(dm_store *s, const char *layer, const char *path,
                                 const dm_export_opts *opts, long *n_rows);

/* GDAL driver short name for a file extension (".geojson" -> "GeoJSON"), or
 * NULL when unknown. */
DM_API const char *dm_driver_for_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif /* DM_IO_H */
