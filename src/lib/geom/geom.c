/* SPDX-License-Identifier: MIT
 *
 * geom.c -- dm_geom: a thin owner of a GEOS geometry, with construction,
 * WKB/WKT/GeoPackage conversion, validity and planar operations.
 *
 * Coordinate transforms and metric areas are in crs.c; this file never
 * touches PROJ.
 */
#include "geom_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct geos_slot {
    GEOSContextHandle_t h;
    char msg[512];
} geos_slot;

static void geos_msg(const char *msg, void *user)
{
    geos_slot *s = user;
    dm__strlcpy(s->msg, msg ? msg : "", sizeof s->msg);
}

static void geos_slot_free(void *p)
{
    geos_slot *s = p;
    GEOS_finish_r(s->h);
    free(s);
}

GEOSContextHandle_t dm__geos(dm_ctx *ctx)
{
    geos_slot *s = dm__ctx_slot(ctx, DM__SLOT_GEOS);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return NULL;
        s->h = GEOS_init_r();
        GEOSContext_setErrorMessageHandler_r(s->h, geos_msg, s);
        GEOSContext_setNoticeMessageHandler_r(s->h, NULL, NULL);
        dm__ctx_set_slot(ctx, DM__SLOT_GEOS, s, geos_slot_free);
    }
    return s->h;
}

const char *dm__geos_msg(dm_ctx *ctx)
{
    geos_slot *s = dm__ctx_slot(ctx, DM__SLOT_GEOS);
    return s ? s->msg : "";
}

dm_status dm__geom_wrap(dm_ctx *ctx, GEOSGeometry *g, dm_geom **out)
{
    *out = NULL;
    if (!g)
        return dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
    dm_geom *r = malloc(sizeof *r);
    if (!r) {
        GEOSGeom_destroy_r(dm__geos(ctx), g);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    r->ctx = ctx;
    r->g = g;
    *out = r;
    return DM_OK;
}

void dm_geom_free(dm_geom *g)
{
    if (!g)
        return;
    GEOSGeom_destroy_r(dm__geos(g->ctx), g->g);
    free(g);
}

dm_status dm_geom_clone(dm_ctx *ctx, const dm_geom *g, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSGeom_clone_r(dm__geos(ctx), g->g), out);
}

/* ============================ WKT and WKB ============================ */

/* GEOS's complaints about a polygon ring in plain words: what is wrong and
 * how to mend it; NULL for any other message. */
static const char *plain_ring_msg(const char *geos)
{
    if (strstr(geos, "do not form a closed linestring"))
        return "a polygon ring is not closed: its last point is not its first (repeat the first point at its end)";
    if (strstr(geos, "Invalid number of points in LinearRing"))
        return "a polygon ring has fewer than three corners (a ring needs three or more, and its first point "
               "again at its end)";
    return NULL;
}

dm_status dm_geom_from_wkt(dm_ctx *ctx, const char *wkt, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, wkt);
    GEOSWKTReader_destroy_r(h, r);
    if (!g) {
        const char *plain = plain_ring_msg(dm__geos_msg(ctx));
        if (plain)
            return dm__fail(ctx, DM_EGEOM, "geometry: %s", plain);
        return dm__fail(ctx, DM_EPARSE, "bad WKT: %s", dm__geos_msg(ctx));
    }
    return dm__geom_wrap(ctx, g, out);
}

dm_status dm_geom_from_wkb(dm_ctx *ctx, const unsigned char *wkb, size_t len, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSWKBReader *r = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = GEOSWKBReader_read_r(h, r, wkb, len);
    GEOSWKBReader_destroy_r(h, r);
    if (!g) {
        const char *plain = plain_ring_msg(dm__geos_msg(ctx));
        if (plain)
            return dm__fail(ctx, DM_EGEOM, "geometry: %s", plain);
        return dm__fail(ctx, DM_EPARSE, "bad WKB: %s", dm__geos_msg(ctx));
    }
    return dm__geom_wrap(ctx, g, out);
}

dm_status dm_geom_to_wkb(dm_ctx *ctx, const dm_geom *g, unsigned char **wkb, size_t *len)
{
    *wkb = NULL;
    *len = 0;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setOutputDimension_r(h, w, 2);
    size_t n = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(h, w, g->g, &n);
    GEOSWKBWriter_destroy_r(h, w);
    if (!buf)
        return dm__fail(ctx, DM_EGEOM, "cannot write WKB: %s", dm__geos_msg(ctx));
    unsigned char *copy = dm_malloc(ctx, n);
    if (copy)
        memcpy(copy, buf, n);
    GEOSFree_r(h, buf);
    if (!copy)
        return DM_ENOMEM;
    *wkb = copy;
    *len = n;
    return DM_OK;
}

dm_status dm_geom_to_wkt(dm_ctx *ctx, const dm_geom *g, int decimals, char **wkt)
{
    *wkt = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(h);
    GEOSWKTWriter_setTrim_r(h, w, 1);
    GEOSWKTWriter_setRoundingPrecision_r(h, w, decimals);
    GEOSWKTWriter_setOutputDimension_r(h, w, 2);
    char *s = GEOSWKTWriter_write_r(h, w, g->g);
    GEOSWKTWriter_destroy_r(h, w);
    if (!s)
        return dm__fail(ctx, DM_EGEOM, "cannot write WKT: %s", dm__geos_msg(ctx));
    *wkt = dm_strdup(ctx, s);
    GEOSFree_r(h, s);
    return *wkt ? DM_OK : DM_ENOMEM;
}

/* GEOS 3.11 crashes on some malformed GeoJSON (empty positions), so the
 * nesting is checked first: depth 0 is a position of 2-3 finite numbers;
 * `min` is the least number of members a depth-1 array needs. */
static int coords_ok(json_t *c, int depth, size_t min, int *budget)
{
    if (!json_is_array(c) || --*budget < 0)
        return 0;
    size_t n = json_array_size(c);
    if (depth == 0) {
        if (n < 2 || n > 3)
            return 0;
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(c, i);
            if (!json_is_number(v) || !isfinite(json_number_value(v)))
                return 0;
        }
        return 1;
    }
    if (n == 0 || (depth == 1 && n < min))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!coords_ok(json_array_get(c, i), depth - 1, min, budget))
            return 0;
    return 1;
}

static int geojson_ok(json_t *g, int level, int *budget)
{
    static const struct {
        const char *type;
        int depth;
        size_t min;
    } kinds[] = {{"Point", 0, 0},           {"MultiPoint", 1, 1}, {"LineString", 1, 2},
                 {"MultiLineString", 2, 2}, {"Polygon", 2, 4},    {"MultiPolygon", 3, 4}};
    json_t *t = json_object_get(g, "type");
    if (!json_is_object(g) || !json_is_string(t))
        return 0;
    const char *type = json_string_value(t);
    if (!strcmp(type, "GeometryCollection")) {
        json_t *gs = json_object_get(g, "geometries");
        if (level > 2 || !json_is_array(gs))
            return 0;
        for (size_t i = 0; i < json_array_size(gs); i++)
            if (!geojson_ok(json_array_get(gs, i), level + 1, budget))
                return 0;
        return 1;
    }
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (!strcmp(type, kinds[k].type))
            return coords_ok(json_object_get(g, "coordinates"), kinds[k].depth, kinds[k].min,
                             budget);
    return 0;
}

dm_status dm_geom_from_geojson(dm_ctx *ctx, const char *json, dm_geom **out)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loads(json, 0, &jerr);
    if (!root)
        return dm__fail(ctx, DM_EPARSE, "bad GeoJSON: %s (line %d)", jerr.text, jerr.line);
    int budget = 10000000; /* positions and arrays */
    int ok = geojson_ok(root, 0, &budget);
    json_decref(root);
    if (!ok)
        return dm__fail(ctx, DM_EPARSE,
                        "bad GeoJSON geometry: a type with coordinates of the wrong nesting, "
                        "empty positions or non-numbers");
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSGeoJSONReader *r = GEOSGeoJSONReader_create_r(h);
    GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(h, r, json);
    GEOSGeoJSONReader_destroy_r(h, r);
    if (!g)
        return dm__fail(ctx, DM_EPARSE, "bad GeoJSON geometry: %s", dm__geos_msg(ctx));
    return dm__geom_wrap(ctx, g, out);
}

dm_status dm_geom_to_geojson(dm_ctx *ctx, const dm_geom *g, char **json)
{
    *json = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(h);
    char *s = GEOSGeoJSONWriter_writeGeometry_r(h, w, g->g, -1);
    GEOSGeoJSONWriter_destroy_r(h, w);
    if (!s)
        return dm__fail(ctx, DM_EGEOM, "cannot write GeoJSON: %s", dm__geos_msg(ctx));
    *json = dm_strdup(ctx, s);
    GEOSFree_r(h, s);
    return *json ? DM_OK : DM_ENOMEM;
}

/* ======================== GeoPackage binary ======================== */
/* Header: 'G','P', version 0, flags, int32 srs_id, envelope. flags bit 0:
 * byte order (1 = little endian); bits 1-3: envelope kind (1 = xy, 32
 * bytes); bit 4: empty geometry. */

static double rd_f64(const unsigned char *p, int le)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = le ? p[i] : p[7 - i];
    double v;
    memcpy(&v, b, 8); /* host is little endian on every supported target */
    return v;
}

static size_t gpkg_header_len(const unsigned char *blob, size_t len)
{
    if (len < 8 || blob[0] != 'G' || blob[1] != 'P')
        return 0;
    int env = (blob[3] >> 1) & 7;
    static const size_t env_len[] = {0, 32, 48, 48, 64};
    if (env > 4)
        return 0;
    size_t hl = 8 + env_len[env];
    return hl <= len ? hl : 0;
}

int dm_gpkg_envelope(const unsigned char *blob, size_t len, double env[4])
{
    size_t hl = gpkg_header_len(blob, len);
    if (!hl || (blob[3] & 0x10))
        return 0;
    int kind = (blob[3] >> 1) & 7;
    int le = blob[3] & 1;
    if (kind >= 1) {
        for (int i = 0; i < 4; i++)
            env[i] = rd_f64(blob + 8 + 8 * i, le);
        return 1;
    }
    return 0;
}

dm_status dm_geom_from_gpkg(dm_ctx *ctx, const unsigned char *blob, size_t len, dm_geom **out)
{
    *out = NULL;
    size_t hl = gpkg_header_len(blob, len);
    if (!hl)
        return dm__fail(ctx, DM_EPARSE, "not a GeoPackage geometry blob");
    return dm_geom_from_wkb(ctx, blob + hl, len - hl, out);
}

dm_status dm_geom_to_gpkg(dm_ctx *ctx, const dm_geom *g, int srs_id, unsigned char **blob,
                          size_t *len)
{
    *blob = NULL;
    *len = 0;
    unsigned char *wkb = NULL;
    size_t wlen = 0;
    dm_status st = dm_geom_to_wkb(ctx, g, &wkb, &wlen);
    if (st)
        return st;
    int empty = dm_geom_is_empty(g);
    size_t hl = empty ? 8 : 40;
    unsigned char *b = dm_malloc(ctx, hl + wlen);
    if (!b) {
        dm_free(ctx, wkb);
        return DM_ENOMEM;
    }
    b[0] = 'G';
    b[1] = 'P';
    b[2] = 0;
    b[3] = empty ? (unsigned char)(0x10 | 1) : (unsigned char)((1 << 1) | 1);
    int32_t srs = srs_id;
    memcpy(b + 4, &srs, 4);
    if (!empty) {
        double bb[4];
        dm_geom_bounds(g, bb);
        double env[4] = {bb[0], bb[2], bb[1], bb[3]};
        memcpy(b + 8, env, 32);
    }
    memcpy(b + hl, wkb, wlen);
    dm_free(ctx, wkb);
    *blob = b;
    *len = hl + wlen;
    return DM_OK;
}

/* ============================ construction ============================ */

static GEOSCoordSequence *make_seq(GEOSContextHandle_t h, const double *xy, size_t n, int close)
{
    size_t m = n;
    if (close && n > 0 && (xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1]))
        m = n + 1;
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)m, 2);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        GEOSCoordSeq_setXY_r(h, s, (unsigned)i, xy[2 * i], xy[2 * i + 1]);
    if (m > n)
        GEOSCoordSeq_setXY_r(h, s, (unsigned)n, xy[0], xy[1]);
    return s;
}

dm_status dm_geom_point(dm_ctx *ctx, double x, double y, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSGeom_createPointFromXY_r(dm__geos(ctx), x, y), out);
}

dm_status dm_geom_linestring(dm_ctx *ctx, const double *xy, size_t n, dm_geom **out)
{
    *out = NULL;
    if (n < 2)
        return dm__fail(ctx, DM_EGEOM, "a line needs at least 2 points, got %zu", n);
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSCoordSequence *s = make_seq(h, xy, n, 0);
    return dm__geom_wrap(ctx, s ? GEOSGeom_createLineString_r(h, s) : NULL, out);
}

dm_status dm_geom_polygon(dm_ctx *ctx, const double *xy, size_t n, dm_geom **out)
{
    *out = NULL;
    if (n < 3)
        return dm__fail(ctx, DM_EGEOM, "a polygon needs at least 3 points, got %zu", n);
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSCoordSequence *s = make_seq(h, xy, n, 1);
    GEOSGeometry *ring = s ? GEOSGeom_createLinearRing_r(h, s) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
    return dm__geom_wrap(ctx, poly, out);
}

dm_status dm_geom_collect(dm_ctx *ctx, dm_geom_type type, dm_geom **parts, size_t n, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    int gt = type == DM_GEOM_MULTIPOINT        ? GEOS_MULTIPOINT
             : type == DM_GEOM_MULTILINESTRING ? GEOS_MULTILINESTRING
             : type == DM_GEOM_MULTIPOLYGON    ? GEOS_MULTIPOLYGON
                                               : GEOS_GEOMETRYCOLLECTION;
    GEOSGeometry **gs = calloc(n ? n : 1, sizeof *gs);
    if (!gs) {
        for (size_t i = 0; i < n; i++)
            dm_geom_free(parts[i]);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        gs[i] = parts[i]->g;
        free(parts[i]);
        parts[i] = NULL;
    }
    GEOSGeometry *c = GEOSGeom_createCollection_r(h, gt, gs, (unsigned)n);
    if (!c)
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(h, gs[i]);
    free(gs);
    return dm__geom_wrap(ctx, c, out);
}

/* ============================= properties ============================= */

dm_geom_type dm_geom_type_of(const dm_geom *g)
{
    switch (GEOSGeomTypeId_r(dm__geos(g->ctx), g->g)) {
    case GEOS_POINT: return DM_GEOM_POINT;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: return DM_GEOM_LINESTRING;
    case GEOS_POLYGON: return DM_GEOM_POLYGON;
    case GEOS_MULTIPOINT: return DM_GEOM_MULTIPOINT;
    case GEOS_MULTILINESTRING: return DM_GEOM_MULTILINESTRING;
    case GEOS_MULTIPOLYGON: return DM_GEOM_MULTIPOLYGON;
    case GEOS_GEOMETRYCOLLECTION: return DM_GEOM_COLLECTION;
    default: return DM_GEOM_UNKNOWN;
    }
}

const char *dm_geom_type_name(dm_geom_type t)
{
    static const char *names[] = {"GEOMETRY",        "POINT",           "LINESTRING",
                                  "POLYGON",         "MULTIPOINT",      "MULTILINESTRING",
                                  "MULTIPOLYGON",    "GEOMETRYCOLLECTION"};
    return (unsigned)t < 8 ? names[t] : "GEOMETRY";
}

int dm_geom_is_empty(const dm_geom *g) { return GEOSisEmpty_r(dm__geos(g->ctx), g->g) == 1; }

int dm_geom_bounds(const dm_geom *g, double b[4])
{
    if (dm_geom_is_empty(g))
        return 0;
    GEOSContextHandle_t h = dm__geos(g->ctx);
    GEOSGeom_getXMin_r(h, g->g, &b[0]);
    GEOSGeom_getYMin_r(h, g->g, &b[1]);
    GEOSGeom_getXMax_r(h, g->g, &b[2]);
    GEOSGeom_getYMax_r(h, g->g, &b[3]);
    return 1;
}

size_t dm_geom_num_points(const dm_geom *g)
{
    int n = GEOSGetNumCoordinates_r(dm__geos(g->ctx), g->g);
    return n > 0 ? (size_t)n : 0;
}

double dm_geom_area(const dm_geom *g)
{
    double a = 0;
    GEOSArea_r(dm__geos(g->ctx), g->g, &a);
    return a;
}

double dm_geom_length(const dm_geom *g)
{
    double l = 0;
    GEOSLength_r(dm__geos(g->ctx), g->g, &l);
    return l;
}

int dm_geom_centroid_xy(const dm_geom *g, double *x, double *y)
{
    if (dm_geom_is_empty(g))
        return 0;
    GEOSContextHandle_t h = dm__geos(g->ctx);
    GEOSGeometry *c = GEOSGetCentroid_r(h, g->g);
    if (!c)
        return 0;
    int ok = GEOSGeomGetX_r(h, c, x) == 1 && GEOSGeomGetY_r(h, c, y) == 1;
    GEOSGeom_destroy_r(h, c);
    return ok;
}

int dm_geom_is_valid(const dm_geom *g, char *reason, size_t reason_len, double *x, double *y)
{
    GEOSContextHandle_t h = dm__geos(g->ctx);
    char *why = NULL;
    GEOSGeometry *loc = NULL;
    char v = GEOSisValidDetail_r(h, g->g, 0, &why, &loc);
    if (v == 1)
        return 1;
    if (reason && reason_len)
        dm__strlcpy(reason, why ? why : "invalid geometry", reason_len);
    if (loc) {
        if (x)
            GEOSGeomGetX_r(h, loc, x);
        if (y)
            GEOSGeomGetY_r(h, loc, y);
        GEOSGeom_destroy_r(h, loc);
    } else {
        if (x)
            *x = NAN;
        if (y)
            *y = NAN;
    }
    if (why)
        GEOSFree_r(h, why);
    return 0;
}

dm_status dm_geom_make_valid(dm_ctx *ctx, const dm_geom *g, dm_geom **out)
{
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(h);
    GEOSMakeValidParams_setMethod_r(h, p, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(h, p, 0);
    GEOSGeometry *r = GEOSMakeValidWithParams_r(h, g->g, p);
    GEOSMakeValidParams_destroy_r(h, p);
    return dm__geom_wrap(ctx, r, out);
}

/* ============================= operations ============================= */

dm_status dm_geom_buffer(dm_ctx *ctx, const dm_geom *g, double dist, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSBuffer_r(dm__geos(ctx), g->g, dist, 8), out);
}

dm_status dm_geom_union(dm_ctx *ctx, const dm_geom *a, const dm_geom *b, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSUnion_r(dm__geos(ctx), a->g, b->g), out);
}

dm_status dm_geom_union_all(dm_ctx *ctx, dm_geom *const *gs, size_t n, dm_geom **out)
{
    *out = NULL;
    GEOSContextHandle_t h = dm__geos(ctx);
    GEOSGeometry **parts = calloc(n ? n : 1, sizeof *parts);
    if (!parts)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        parts[i] = GEOSGeom_clone_r(h, gs[i]->g);
    GEOSGeometry *c = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    if (!c)
        return dm__fail(ctx, DM_EGEOM, "GEOS: %s", dm__geos_msg(ctx));
    GEOSGeometry *u = GEOSUnaryUnion_r(h, c);
    GEOSGeom_destroy_r(h, c);
    return dm__geom_wrap(ctx, u, out);
}

dm_status dm_geom_intersection(dm_ctx *ctx, const dm_geom *a, const dm_geom *b, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSIntersection_r(dm__geos(ctx), a->g, b->g), out);
}

dm_status dm_geom_difference(dm_ctx *ctx, const dm_geom *a, const dm_geom *b, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSDifference_r(dm__geos(ctx), a->g, b->g), out);
}

dm_status dm_geom_simplify(dm_ctx *ctx, const dm_geom *g, double tol, dm_geom **out)
{
    return dm__geom_wrap(ctx, GEOSTopologyPreserveSimplify_r(dm__geos(ctx), g->g, tol), out);
}

int dm_geom_intersects(const dm_geom *a, const dm_geom *b)
{
    return GEOSIntersects_r(dm__geos(a->ctx), a->g, b->g) == 1;
}

int dm_geom_contains(const dm_geom *a, const dm_geom *b)
{
    return GEOSContains_r(dm__geos(a->ctx), a->g, b->g) == 1;
}

double dm_geom_distance(const dm_geom *a, const dm_geom *b)
{
    double d = NAN;
    GEOSDistance_r(dm__geos(a->ctx), a->g, b->g, &d);
    return d;
}

/* ========================= flattened coordinates ========================= */

typedef struct coords_builder {
    dm_ctx *ctx;
    dm_coords *c;
    size_t cap_xy, cap_parts;
    int failed;
} coords_builder;

static void cb_part(coords_builder *b, GEOSContextHandle_t h, const GEOSCoordSequence *s,
                    unsigned char kind)
{
    unsigned n = 0;
    if (b->failed || !s || !GEOSCoordSeq_getSize_r(h, s, &n))
        return;
    dm_coords *c = b->c;
    if (c->n_xy + n > b->cap_xy) {
        size_t cap = b->cap_xy ? b->cap_xy * 2 : 64;
        while (cap < c->n_xy + n)
            cap *= 2;
        double *xy = dm_realloc(b->ctx, c->xy, cap * 2 * sizeof *xy);
        if (!xy) {
            b->failed = 1;
            return;
        }
        c->xy = xy;
        b->cap_xy = cap;
    }
    if (c->n_parts + 2 > b->cap_parts) {
        size_t cap = b->cap_parts ? b->cap_parts * 2 : 8;
        size_t *st = dm_realloc(b->ctx, c->start, cap * sizeof *st);
        if (!st) {
            b->failed = 1;
            return;
        }
        c->start = st;
        unsigned char *k = dm_realloc(b->ctx, c->kind, cap);
        if (!k) {
            b->failed = 1;
            return;
        }
        c->kind = k;
        b->cap_parts = cap;
    }
    c->start[c->n_parts] = c->n_xy;
    c->kind[c->n_parts] = kind;
    for (unsigned i = 0; i < n; i++) {
        GEOSCoordSeq_getXY_r(h, s, i, &c->xy[2 * c->n_xy], &c->xy[2 * c->n_xy + 1]);
        c->n_xy++;
    }
    c->n_parts++;
    c->start[c->n_parts] = c->n_xy;
}

static void cb_geom(coords_builder *b, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(h, g);
    switch (t) {
    case GEOS_POINT:
        if (!GEOSisEmpty_r(h, g))
            cb_part(b, h, GEOSGeom_getCoordSeq_r(h, g), 0);
        break;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: cb_part(b, h, GEOSGeom_getCoordSeq_r(h, g), 1); break;
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(h, g))
            break;
        cb_part(b, h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 2);
        int ni = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < ni; i++)
            cb_part(b, h, GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g, i)), 3);
        break;
    }
    default: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            cb_geom(b, h, GEOSGetGeometryN_r(h, g, i));
    }
    }
}

dm_status dm_geom_coords(dm_ctx *ctx, const dm_geom *g, dm_coords *out)
{
    memset(out, 0, sizeof *out);
    coords_builder b = {ctx, out, 0, 0, 0};
    out->start = dm_calloc(ctx, 1, sizeof *out->start);
    if (!out->start)
        return DM_ENOMEM;
    b.cap_parts = 1;
    cb_geom(&b, dm__geos(ctx), g->g);
    if (b.failed) {
        dm_coords_free(ctx, out);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    return DM_OK;
}

void dm_coords_free(dm_ctx *ctx, dm_coords *c)
{
    dm_free(ctx, c->xy);
    dm_free(ctx, c->start);
    dm_free(ctx, c->kind);
    memset(c, 0, sizeof *c);
}
