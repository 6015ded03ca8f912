/* SPDX-License-Identifier: MIT
 *
 * evidence.c -- evidence sets and the file reader: any OGR vector file in
 * the evidence schema (kind, date, code, ordnance, municipality, ...),
 * transformed to WGS 84 and flattened to coordinates for rasterising; the
 * spot files of `risk spots` (read strictly, and copied with their labels).
 * Every refusal names the file, the feature number and the field.
 */
#include "core/dm_internal.h"
#include "demine/dm_evidence.h"
#include "io/io_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void dm__gdal_init(void);

static const char *kind_names[DM_EV_KIND_COUNT] = {
    "accident", "item", "suspected", "report", "detection", "hazard", "record", "cleared", "feature"};

const char *dm_ev_kind_name(dm_ev_kind k)
{
    return (unsigned)k < DM_EV_KIND_COUNT ? kind_names[k] : NULL;
}

int dm_ev_kind_parse(const char *s)
{
    if (!s)
        return -1;
    static const struct { const char *a; int k; } alias[] = {
        {"accidents", DM_EV_ACCIDENT}, {"items", DM_EV_ITEM}, {"find", DM_EV_ITEM},
        {"reports", DM_EV_REPORT}, {"detections", DM_EV_DETECTION}, {"hazards", DM_EV_HAZARD},
        {"records", DM_EV_RECORD}, {"minefield_record", DM_EV_RECORD}, {"release", DM_EV_CLEARED},
        {"released", DM_EV_CLEARED}, {"release_areas", DM_EV_CLEARED}, {"features", DM_EV_FEATURE}};
    char head[32];
    /* a spreadsheet's stray spaces around the kind (" ITEM ") are no part of it */
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strcspn(s, ":");
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= sizeof head)
        return -1;
    memcpy(head, s, n);
    head[n] = '\0';
    for (int k = 0; k < DM_EV_KIND_COUNT; k++)
        if (!dm__strcasecmp(head, kind_names[k]))
            return k;
    for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++)
        if (!dm__strcasecmp(head, alias[k].a))
            return alias[k].k;
    return -1;
}

/* ---- the set's storage ----
 *
 * Items point into blocks that never move: the coordinates of each item
 * (a point shares the one part table of all points), and its texts, the
 * short ones (ordnance, class, group) interned in a hash table so that
 * every item with the same text shares one copy. A uuid is kept only for a
 * database row. Blocks are freed with the set. */
typedef struct pool_block {
    struct pool_block *next;
    size_t used, size; /* bytes of data: 8-aligned after the header */
} pool_block;

struct dm_evidence_pool {
    pool_block *head;     /* the block being filled (large requests get their own, behind it) */
    const char **tab;     /* interned texts, open addressing; NULL = free slot */
    size_t tab_n, tab_cap;
};

#define POOL_BLOCK (1u << 20)

/* The part table of every single point: one part of kind 0 (read-only). */
static size_t point_start[2] = {0, 1};
static unsigned char point_kind[1] = {0};

/* size bytes aligned to align, held until the set is freed; NULL when out
 * of memory. */
static void *pool_alloc(dm_ctx *ctx, struct dm_evidence_pool *p, size_t size, size_t align)
{
    pool_block *b = p->head;
    if (b) {
        size_t at = (b->used + align - 1) / align * align;
        if (at <= b->size && size <= b->size - at) {
            b->used = at + size;
            return (char *)(b + 1) + at;
        }
    }
    if (size > POOL_BLOCK / 4) { /* a block of its own, kept behind the one being filled */
        pool_block *nb = dm_malloc(ctx, sizeof *nb + size);
        if (!nb)
            return NULL;
        nb->size = nb->used = size;
        nb->next = b ? b->next : NULL;
        if (b)
            b->next = nb;
        else
            p->head = nb;
        return nb + 1;
    }
    pool_block *nb = dm_malloc(ctx, sizeof *nb + POOL_BLOCK);
    if (!nb)
        return NULL;
    nb->size = POOL_BLOCK;
    nb->used = size;
    nb->next = b;
    p->head = nb;
    return nb + 1;
}

static uint64_t text_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* s cut to max bytes, held by the pool: interned (one copy per distinct
 * text) or, for unique texts (uuids), copied. "" for NULL or empty. */
static const char *pool_text(dm_ctx *ctx, struct dm_evidence_pool *p, const char *s, size_t max,
                             int intern)
{
    if (!s || !*s)
        return "";
    size_t n = strnlen(s, max);
    if (!intern) {
        char *c = pool_alloc(ctx, p, n + 1, 1);
        if (c) {
            memcpy(c, s, n);
            c[n] = '\0';
        }
        return c;
    }
    if (2 * (p->tab_n + 1) > p->tab_cap) {
        size_t cap = p->tab_cap ? 2 * p->tab_cap : 64;
        const char **t = dm_calloc(ctx, cap, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < p->tab_cap; i++)
            if (p->tab[i]) {
                size_t k = text_hash(p->tab[i], strlen(p->tab[i])) & (cap - 1);
                while (t[k])
                    k = (k + 1) & (cap - 1);
                t[k] = p->tab[i];
            }
        dm_free(ctx, p->tab);
        p->tab = t;
        p->tab_cap = cap;
    }
    size_t k = text_hash(s, n) & (p->tab_cap - 1);
    for (; p->tab[k]; k = (k + 1) & (p->tab_cap - 1))
        if (!strncmp(p->tab[k], s, n) && p->tab[k][n] == '\0')
            return p->tab[k];
    char *c = pool_alloc(ctx, p, n + 1, 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    p->tab[k] = c;
    p->tab_n++;
    return c;
}

void dm_evidence_set_init(dm_evidence_set *s) { memset(s, 0, sizeof *s); }

void dm_evidence_set_free(dm_ctx *ctx, dm_evidence_set *s)
{
    if (s->pool) {
        for (pool_block *b = s->pool->head, *nx; b; b = nx) {
            nx = b->next;
            dm_free(ctx, b);
        }
        dm_free(ctx, s->pool->tab);
        dm_free(ctx, s->pool);
    }
    dm_free(ctx, s->v);
    memset(s, 0, sizeof *s);
}

/* Append a copy of e with the coordinates c (WGS 84), copied into the set. */
static dm_status evidence_add_coords(dm_ctx *ctx, dm_evidence_set *s, const dm_evidence *e,
                                     const dm_coords *c)
{
    if (!c->n_xy)
        return DM_OK; /* empty geometry: nothing to add */
    for (size_t k = 0; k < c->n_xy; k++) {
        double x = c->xy[2 * k], y = c->xy[2 * k + 1];
        if (!isfinite(x) || !isfinite(y))
            return dm__fail(ctx, DM_EGEOM, "non-finite coordinate");
        if (x < -180 || x > 180 || y < -90 || y > 90)
            return dm__fail(ctx, DM_EGEOM,
                            "coordinate (%g, %g) is not a longitude and latitude (a file in "
                            "another CRS must say so)",
                            x, y);
    }
    if (!s->pool && !(s->pool = dm_calloc(ctx, 1, sizeof *s->pool)))
        return dm__fail(ctx, DM_ENOMEM, "out of memory for evidence");
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        if (cap > SIZE_MAX / sizeof *s->v)
            return dm__fail(ctx, DM_ENOMEM, "out of memory for evidence");
        dm_evidence *v = dm_realloc(ctx, s->v, cap * sizeof *v);
        if (!v)
            return dm__fail(ctx, DM_ENOMEM, "out of memory for evidence");
        s->v = v;
        s->cap = cap;
    }
    struct dm_evidence_pool *p = s->pool;
    dm_evidence d = *e;
    d.ordnance = pool_text(ctx, p, e->ordnance, DM_EV_ORDNANCE_MAX, 1);
    d.cls = pool_text(ctx, p, e->cls, DM_EV_CLS_MAX, 1);
    d.group = pool_text(ctx, p, e->group, DM_EV_GROUP_MAX, 1);
    d.uuid = pool_text(ctx, p, e->uuid, 36, 0);
    d.date[sizeof d.date - 1] = '\0';
    memset(&d.xy, 0, sizeof d.xy);
    d.xy.n_xy = c->n_xy;
    d.xy.n_parts = c->n_parts;
    d.xy.xy = pool_alloc(ctx, p, c->n_xy * 2 * sizeof *d.xy.xy, sizeof(double));
    if (c->n_parts == 1 && c->kind[0] == 0 && c->n_xy == 1) {
        d.xy.start = point_start;
        d.xy.kind = point_kind;
    } else {
        d.xy.start = pool_alloc(ctx, p, (c->n_parts + 1) * sizeof *d.xy.start, sizeof(size_t));
        d.xy.kind = pool_alloc(ctx, p, c->n_parts ? c->n_parts : 1, 1);
        if (d.xy.start)
            memcpy(d.xy.start, c->start, (c->n_parts + 1) * sizeof *d.xy.start);
        if (d.xy.kind && c->n_parts)
            memcpy(d.xy.kind, c->kind, c->n_parts);
    }
    if (!d.ordnance || !d.cls || !d.group || !d.uuid || !d.xy.xy || !d.xy.start || !d.xy.kind)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for evidence");
    memcpy(d.xy.xy, c->xy, c->n_xy * 2 * sizeof *d.xy.xy);
    s->v[s->n++] = d;
    return DM_OK;
}

dm_status dm_evidence_add(dm_ctx *ctx, dm_evidence_set *s, const dm_evidence *e, const dm_geom *g)
{
    dm_coords c;
    dm_status st = dm_geom_coords(ctx, g, &c);
    if (st)
        return st;
    st = evidence_add_coords(ctx, s, e, &c);
    dm_coords_free(ctx, &c);
    return st;
}

void dm_evidence_item_bounds(const dm_evidence *e, double b[4])
{
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (size_t k = 0; k < e->xy.n_xy; k++) {
        double x = e->xy.xy[2 * k], y = e->xy.xy[2 * k + 1];
        b[0] = fmin(b[0], x), b[1] = fmin(b[1], y), b[2] = fmax(b[2], x), b[3] = fmax(b[3], y);
    }
}

int dm_evidence_bounds(const dm_evidence_set *s, double b[4])
{
    if (!s->n)
        return 0;
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        double e[4];
        dm_evidence_item_bounds(&s->v[i], e);
        b[0] = fmin(b[0], e[0]), b[1] = fmin(b[1], e[1]);
        b[2] = fmax(b[2], e[2]), b[3] = fmax(b[3], e[3]);
    }
    return 1;
}

/* Probability that a method finds an item that is there. Methods used
 * together multiply their misses, up to a cap: the items one method
 * misses (deep, low-metal, in rubble or roots) are the ones the next is
 * likely to miss too, so no combination is taken to miss less than
 * clearance to standard does (1 item in 250; docs/risk.md). */
#define P_DETECT_COMBINED_MAX 0.996

double dm__method_p_detect(const char *methods);
double dm__method_p_detect(const char *methods)
{
    static const struct { const char *m; double p; } t[] = {
        {"manual", 0.98}, {"mechanical", 0.9}, {"dogs", 0.9}, {"magnetometer", 0.9},
        {"drone", 0.5}, {"visual", 0.3}, {"interview", 0.2}, {"records", 0.2}, {"other", 0.5}};
    if (!methods || !*methods)
        return 0.5;
    double miss = 1.0;
    const char *p = methods;
    while (*p) {
        size_t n = strcspn(p, ",;| ");
        for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
            if (strlen(t[k].m) == n && !strncmp(p, t[k].m, n))
                miss *= 1.0 - t[k].p;
        p += n;
        while (*p == ',' || *p == ';' || *p == '|' || *p == ' ')
            p++;
    }
    if (miss >= 1.0)
        return 0.5;
    return fmin(1.0 - miss, P_DETECT_COMBINED_MAX);
}

static const char *field_str(OGRFeatureH f, OGRFeatureDefnH d, const char *name)
{
    int i = OGR_FD_GetFieldIndex(d, name);
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    return OGR_F_GetFieldAsString(f, i);
}

/* A number from field i: 1 read, 0 absent or empty, -1 not a number. */
static int field_num_at(OGRFeatureH f, OGRFeatureDefnH d, int i, double *v)
{
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return 0;
    OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, i));
    if (t == OFTInteger || t == OFTInteger64) { /* as its text would read, without printing it */
        *v = (double)OGR_F_GetFieldAsInteger64(f, i);
        return 1;
    }
    const char *s = OGR_F_GetFieldAsString(f, i);
    if (!s || !*s)
        return 0;
    char *end;
    double x = strtod(s, &end);
    if (*end || !isfinite(x))
        return -1;
    *v = x;
    return 1;
}

static int field_num(OGRFeatureH f, OGRFeatureDefnH d, const char *name, double *v)
{
    return field_num_at(f, d, OGR_FD_GetFieldIndex(d, name), v);
}

/* 1 when the date (YYYY-MM-DD) is after tomorrow (UTC; a day of slack for
 * the time zones ahead of it). */
static int date_after_tomorrow(const char *ymd)
{
    time_t t = time(NULL) + 86400;
    struct tm tm;
    char tomorrow[16];
    if (!gmtime_r(&t, &tm) || !strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm))
        return 0;
    return strcmp(ymd, tomorrow) > 0;
}

/* Date filter: 1 keep, 0 drop, -1 error (undated with a filter). */
static int date_keep(const dm_evidence_opts *o, const char *ymd)
{
    if (!o || (!o->until && !o->from))
        return 1;
    if (!ymd[0])
        return o->undated_ok ? 1 : -1;
    if (o->until && strcmp(ymd, o->until) > 0)
        return 0;
    if (o->from && strcmp(ymd, o->from) < 0)
        return 0;
    return 1;
}

static int code_keep(const dm_evidence_opts *o, int code)
{
    if (!o || !o->n_codes)
        return 1;
    for (size_t i = 0; i < o->n_codes; i++)
        if (o->codes[i] == code)
            return 1;
    return 0;
}

static dm_status ogr_to_geom(dm_ctx *ctx, OGRGeometryH g, OGRCoordinateTransformationH ct,
                             dm_geom **out)
{
    *out = NULL;
    OGRGeometryH c = OGR_G_Clone(g);
    if (!c)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    if (ct && OGR_G_Transform(c, ct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(c);
        return dm__fail(ctx, DM_EPROJ, "cannot transform the geometry to WGS 84");
    }
    OGR_G_FlattenTo2D(c);
    int n = OGR_G_WkbSize(c);
    unsigned char *wkb = malloc((size_t)n);
    if (!wkb) {
        OGR_G_DestroyGeometry(c);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    OGR_G_ExportToWkb(c, wkbNDR, wkb);
    OGR_G_DestroyGeometry(c);
    dm_status st = dm_geom_from_wkb(ctx, wkb, (size_t)n, out);
    free(wkb);
    return st;
}

/* A feature's callback gets its geometry g in WGS 84, or, when the reader
 * asked for points and the feature is one in WGS 84 already, g NULL and its
 * longitude and latitude in pt (no geometry built for it). */
typedef dm_status (*feature_fn)(dm_ctx *ctx, void *user, OGRFeatureH f, OGRFeatureDefnH d,
                                dm_geom *g, const double *pt, long fid);

static dm_status for_each_feature(dm_ctx *ctx, const char *path, const char *only, feature_fn fn,
                                  void *user, int points)
{
    dm__gdal_init();
    CPLErrorReset();
    /* FILE:LAYER names one layer of a file of several, as the errors of a
     * file of several layers suggest (when FILE exists and FILE:LAYER not) */
    char file[4096];
    const char *open_path = path;
    const char *colon = strrchr(path, ':');
    if (!only && colon && colon > path && colon[1] && !strchr(colon, '/') &&
        (size_t)(colon - path) < sizeof file && access(path, F_OK) != 0) {
        memcpy(file, path, (size_t)(colon - path));
        file[colon - path] = '\0';
        if (access(file, F_OK) == 0) {
            open_path = file;
            only = colon + 1;
        }
    }
    /* a CSV gives its points as lon/lat (or x/y) columns or a WKT column */
    const char *drv = dm_driver_for_path(open_path);
    static const char *const csv_opts[] = {
        "X_POSSIBLE_NAMES=lon,longitude,long,lng,x", "Y_POSSIBLE_NAMES=lat,latitude,y",
        "GEOM_POSSIBLE_NAMES=wkt,geometry,geom", "KEEP_GEOM_COLUMNS=NO", NULL};
    /* GeoJSON dates as written: GDAL takes "15/06/21" and "15-06-21" for
     * 2015-06-21, where a day-first writer means 15 June 2021 (six years
     * of age in silence); the text goes to dm_date_parse, which refuses a
     * year of two digits */
    static const char *const geojson_opts[] = {"DATE_AS_STRING=YES", NULL};
    /* a pipe would keep the map waiting for a writer for ever; a CSV whose
     * rows GDAL would read wrong (a quote never closed, a value past the
     * header's columns, a NUL byte) is refused as import refuses it */
    if (dm__refuse_special_file(ctx, path, open_path, "give that"))
        return DM_EPARSE;
    if (drv && !strcmp(drv, "CSV")) {
        dm_status shape = dm__csv_check_shape(ctx, open_path);
        if (shape != DM_OK)
            return shape;
    }
    GDALDatasetH ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 drv && !strcmp(drv, "CSV")       ? csv_opts
                                 : drv && !strcmp(drv, "GeoJSON") ? geojson_opts
                                                                  : NULL,
                                 NULL);
    if (!ds) {
        return dm__vector_open_fail(ctx, path, open_path, CPLGetLastErrorMsg());
    }
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    dm_status st = DM_OK;
    for (int li = 0; li < GDALDatasetGetLayerCount(ds) && !st; li++) {
        OGRLayerH lay = GDALDatasetGetLayer(ds, li);
        if (only && dm__strcasecmp(only, OGR_L_GetName(lay)))
            continue;
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lay);
        OGRCoordinateTransformationH ct = NULL;
        if (srs && !OSRIsSame(srs, wgs)) {
            OGRSpatialReferenceH s2 = OSRClone(srs);
            OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
            ct = OCTNewCoordinateTransformation(s2, wgs);
            OSRDestroySpatialReference(s2);
            if (!ct) {
                st = dm__fail(ctx, DM_EPROJ, "%s: cannot transform layer %s to WGS 84", path,
                              OGR_L_GetName(lay));
                break;
            }
        }
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(lay);
        OGR_L_ResetReading(lay);
        OGRFeatureH f;
        long fno = 0;
        while (!st && (f = OGR_L_GetNextFeature(lay)) != NULL) {
            fno++;
            OGRGeometryH og = OGR_F_GetGeometryRef(f);
            if (!og || OGR_G_IsEmpty(og)) {
                st = dm__fail(ctx, DM_EGEOM, "%s: feature %ld has no geometry%s", path, fno,
                              drv && !strcmp(drv, "CSV")
                                  ? " (a CSV needs lon and lat columns, or a WKT column)"
                                  : "");
                OGR_F_Destroy(f);
                break;
            }
            dm_geom *g = NULL;
            if (points && !ct && wkbFlatten(OGR_G_GetGeometryType(og)) == wkbPoint) {
                double pt[2] = {OGR_G_GetX(og, 0), OGR_G_GetY(og, 0)};
                st = fn(ctx, user, f, d, NULL, pt, fno);
            } else if ((st = ogr_to_geom(ctx, og, ct, &g)))
                dm__wrap(ctx, "%s: feature %ld", path, fno);
            else {
                st = fn(ctx, user, f, d, g, NULL, fno);
                dm_geom_free(g);
            }
            OGR_F_Destroy(f);
        }
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
        /* in a file of several layers, say which one */
        size_t pl = strlen(path);
        const char *msg = st ? dm_ctx_errmsg(ctx) : NULL;
        if (msg && open_path == path && GDALDatasetGetLayerCount(ds) > 1 && !strncmp(msg, path, pl) &&
            msg[pl] == ':') {
            char rest[1024];
            dm__strlcpy(rest, msg + pl, sizeof rest);
            st = dm__fail(ctx, st, "%s (layer %s)%s%s", path, OGR_L_GetName(lay), rest,
                          only ? "" : " (every layer is read; FILE:LAYER reads one)");
        }
    }
    if (!st && only && !GDALDatasetGetLayerByName(ds, only))
        st = dm__fail(ctx, DM_ENOTFOUND, "%s: no layer '%s'", open_path, only);
    OSRDestroySpatialReference(wgs);
    GDALClose(ds);
    return st;
}

/* The fields of the evidence schema, looked up once per layer. */
enum { F_KIND, F_DATE, F_CODE, F_ORDNANCE, F_MUNICIPALITY, F_GROUP, F_CLASS, F_METHOD, F_WEIGHT,
       F_SIGMA, F_P_DETECT, F_FA_HA, F_LABEL, F_COUNT };

typedef struct file_ctx {
    const char *path;
    int default_kind;
    const dm_evidence_opts *o;
    dm_evidence_set *out;
    size_t no_area[DM_EV_KIND_COUNT]; /* hazards and cleared land given without a polygon */
    long first_no_area[DM_EV_KIND_COUNT];
    OGRFeatureDefnH defn; /* the layer whose field indexes fi holds */
    int fi[F_COUNT];
    const char *date_name; /* the field read as the date: 'date', else a demine layer's own */
} file_ctx;

static const char *field_str_at(OGRFeatureH f, int i)
{
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    return OGR_F_GetFieldAsString(f, i);
}

/* A date of a four-digit year first with a month and day of one digit
 * ("2021-6-5", "2021/6/5", as GDAL once read GeoJSON dates), normalised and
 * parsed; 1 when it is one. */
static int date_parse_unpadded(const char *s, char out[11])
{
    unsigned y, m, d;
    char sep1, sep2, rest;
    int n = sscanf(s, "%4u%c%2u%c%2u%c", &y, &sep1, &m, &sep2, &d, &rest);
    if (n != 5 || sep1 != sep2 || (sep1 != '-' && sep1 != '/') || !isdigit((unsigned char)s[5]) ||
        strlen(s) > 10 || !isdigit((unsigned char)s[strlen(s) - 1]))
        return 0;
    char buf[16];
    snprintf(buf, sizeof buf, "%04u-%02u-%02u", y % 10000u, m % 100u, d % 100u);
    return dm_date_parse(buf, out);
}

static dm_status ev_feature(dm_ctx *ctx, void *user, OGRFeatureH f, OGRFeatureDefnH d, dm_geom *g,
                            const double *pt, long fno)
{
    file_ctx *fc = user;
    const char *path = fc->path;
    int *fi = fc->fi;
    if (fc->defn != d) {
        static const char *const names[F_COUNT] = {
            "kind", "date", "code", "ordnance", "municipality", "group", "class", "method",
            "weight", "sigma_m", "p_detect", "false_alarms_ha", NULL};
        for (int k = 0; k < F_COUNT; k++)
            fi[k] = names[k] ? OGR_FD_GetFieldIndex(d, names[k]) : -1;
        if (fc->o && fc->o->label_field)
            fi[F_LABEL] = OGR_FD_GetFieldIndex(d, fc->o->label_field);
        /* a demine layer read as evidence (DB.gpkg:items) dates its rows by
         * their own field: an item when found, an activity when it ended */
        static const char *const dated[] = {"date", "found_date", "end_date"};
        fc->date_name = "date";
        for (size_t k = 1; fi[F_DATE] < 0 && k < sizeof dated / sizeof dated[0]; k++)
            if ((fi[F_DATE] = OGR_FD_GetFieldIndex(d, dated[k])) >= 0)
                fc->date_name = dated[k];
        fc->defn = d;
    }
    dm_evidence e;
    memset(&e, 0, sizeof e);
    e.code = -1;
    e.weight = 1.0;
    const char *ks = field_str_at(f, fi[F_KIND]);
    int kind = ks ? dm_ev_kind_parse(ks) : fc->default_kind;
    if (!ks && kind < 0)
        return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field 'kind' is missing", path, fno);
    if (kind < 0)
        return dm__fail(ctx, DM_EPARSE,
                        "%s: feature %ld: field 'kind': unknown kind '%.40s' (expected accident, "
                        "item, suspected, report, detection, hazard, record, cleared or feature)",
                        path, fno, ks);
    e.kind = (dm_ev_kind)kind;
    if (fc->o && fc->o->kinds_mask && !(fc->o->kinds_mask & (1u << e.kind)))
        return DM_OK;
    const char *ds = field_str_at(f, fi[F_DATE]), *dn = fc->date_name;
    if (ds && *ds && !dm_date_parse(ds, e.date) && !date_parse_unpadded(ds, e.date))
        return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s': not a date: '%.40s'", path,
                        fno, dn, ds);
    /* as the database refuses them: a date to come is a typo (2099, 2202),
     * and with the map dated by its latest evidence it aged every other
     * row by decades (the map of one such row was flat) */
    if (e.date[0] && date_after_tomorrow(e.date))
        return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s': %s is in the future", path,
                        fno, dn, e.date);
    if (e.date[0] && strcmp(e.date, "1900-01-01") < 0)
        return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s': %s is before 1900", path,
                        fno, dn, e.date);
    int keep = date_keep(fc->o, e.date);
    if (keep < 0 && fi[F_DATE] < 0)
        return dm__fail(ctx, DM_EPARSE,
                        "%s: feature %ld: no field 'date' (nor found_date or end_date), but a date "
                        "filter (--until/--from) was given",
                        path, fno);
    if (keep < 0)
        return dm__fail(ctx, DM_EPARSE,
                        "%s: feature %ld: field '%s' is empty but a date filter (--until/--from) "
                        "was given",
                        path, fno, dn);
    if (!keep)
        return DM_OK;
    double v;
    int r = field_num_at(f, d, fi[F_CODE], &v);
    if (r < 0)
        return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field 'code' is not a number", path, fno);
    if (r > 0 && !(v >= 0 && v <= 1e9 && v == floor(v)))
        return dm__fail(ctx, DM_EPARSE,
                        "%s: feature %ld: field 'code' must be a whole number from 0 (an event "
                        "type), got '%.40s'",
                        path, fno, field_str_at(f, fi[F_CODE]));
    if (r > 0)
        e.code = (int)v;
    if (!code_keep(fc->o, e.code))
        return DM_OK;
    /* the texts as the item keeps them (cut to their limits); copied into
     * the set by dm_evidence_add */
    char ordnance[DM_EV_ORDNANCE_MAX + 1] = "", group[DM_EV_GROUP_MAX + 1] = "",
         cls[DM_EV_CLS_MAX + 1] = "";
    e.ordnance = ordnance, e.group = group, e.cls = cls;
    const char *s;
    if ((s = field_str_at(f, fi[F_ORDNANCE])))
        dm__strlcpy(ordnance, s, sizeof ordnance);
    if ((s = field_str_at(f, fi[F_MUNICIPALITY])) || (s = field_str_at(f, fi[F_GROUP])))
        dm__strlcpy(group, s, sizeof group);
    if ((s = field_str_at(f, fi[F_CLASS])) || (s = field_str_at(f, fi[F_METHOD])))
        dm__strlcpy(cls, s, sizeof cls);
    if (e.kind == DM_EV_FEATURE && !cls[0]) {
        const char *colon = ks ? strchr(ks, ':') : NULL;
        if (colon)
            dm__strlcpy(cls, colon + 1, sizeof cls);
        else
            return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: a feature needs a 'class'", path, fno);
    }
    static const struct { const char *name; int field; size_t off; double lo, hi; } nums[] = {
        {"weight", F_WEIGHT, offsetof(dm_evidence, weight), 0, 1},
        {"sigma_m", F_SIGMA, offsetof(dm_evidence, sigma_m), 0, 1e5},
        {"p_detect", F_P_DETECT, offsetof(dm_evidence, p_detect), 0, 1},
        {"false_alarms_ha", F_FA_HA, offsetof(dm_evidence, fa_ha), 0, 1e6}};
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        r = field_num_at(f, d, fi[nums[k].field], &v);
        if (r < 0 || (r > 0 && (v < nums[k].lo || v > nums[k].hi)))
            return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s' must be a number in [%g, %g]",
                            path, fno, nums[k].name, nums[k].lo, nums[k].hi);
        if (r > 0)
            *(double *)((char *)&e + nums[k].off) = v;
    }
    if (e.kind == DM_EV_CLEARED && !(e.p_detect > 0))
        e.p_detect = dm__method_p_detect(e.cls);
    if (e.kind == DM_EV_DETECTION) {
        if (!(e.p_detect > 0))
            e.p_detect = 0.8;
        if (!(e.fa_ha > 0))
            e.fa_ha = 1.0;
        if (!(e.sigma_m > 0))
            e.sigma_m = 2.0;
    }
    e.value = 1.0;
    if (fc->o && fc->o->label_field &&
        !(fc->o->label_if_present && fi[F_LABEL] < 0)) {
        r = field_num_at(f, d, fi[F_LABEL], &v);
        if (r < 0)
            return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s' is not a number", path, fno,
                            fc->o->label_field);
        if (r == 0 && fi[F_LABEL] < 0)
            return dm__fail(ctx, DM_EPARSE, "%s: feature %ld: field '%s' is missing", path, fno,
                            fc->o->label_field);
        if (r == 0) /* empty in this row: not labelled (a spot not checked yet) */
            e.value = NAN;
        else {
            e.value = v;
            fc->out->n_labelled++;
        }
    }
    size_t before = fc->out->n;
    dm_status st;
    /* a ring that crosses itself leaves "inside" to the algorithm: refused,
     * as in an AOI, rather than mapped one way or another */
    if (g && (dm_geom_type_of(g) == DM_GEOM_POLYGON || dm_geom_type_of(g) == DM_GEOM_MULTIPOLYGON)) {
        char why[160];
        double x = NAN, y = NAN;
        if (!dm_geom_is_valid(g, why, sizeof why, &x, &y))
            return dm__fail(ctx, DM_EGEOM,
                            "%s: feature %ld: not a valid polygon (%s near %.6f, %.6f); fix it first "
                            "(QGIS: Fix geometries)",
                            path, fno, why, x, y);
    }
    if (g)
        st = dm_evidence_add(ctx, fc->out, &e, g);
    else { /* a point: no geometry built for it */
        size_t start[2] = {0, 1};
        unsigned char pk[1] = {0};
        dm_coords c = {(double *)pt, 1, start, pk, 1};
        st = evidence_add_coords(ctx, fc->out, &e, &c);
    }
    if (st)
        return dm__wrap(ctx, "%s: feature %ld", path, fno);
    if ((e.kind == DM_EV_HAZARD || e.kind == DM_EV_CLEARED) && fc->out->n > before) {
        const dm_coords *c = &fc->out->v[before].xy;
        int ring = 0;
        for (size_t k = 0; k < c->n_parts && !ring; k++)
            ring = c->kind[k] >= 2;
        if (!ring && !fc->no_area[e.kind]++)
            fc->first_no_area[e.kind] = fno;
    }
    return DM_OK;
}

dm_status dm_evidence_read_file(dm_ctx *ctx, const char *path, int default_kind,
                                const dm_evidence_opts *o, dm_evidence_set *out)
{
    file_ctx fc = {path, default_kind, o, out, {0}, {0}, NULL, {0}, "date"};
    dm_status st = for_each_feature(ctx, path, o ? o->layer : NULL, ev_feature, &fc, 1);
    /* a hazard or cleared land is an area: as a point or line it covers only
     * the cells it touches, which is rarely what the file meant */
    for (int k = 0; !st && k < DM_EV_KIND_COUNT; k++)
        if (fc.no_area[k])
            dm__log(ctx, DM_LOG_WARN,
                    "%s: %zu %s feature(s) without a polygon (the first: feature %ld): each "
                    "counts only for the cells it touches, not as an area",
                    path, fc.no_area[k], dm_ev_kind_name((dm_ev_kind)k), fc.first_no_area[k]);
    return st;
}

typedef struct poly_ctx {
    const char *path;
    dm_geom **parts;
    size_t n, cap;
    size_t skipped;     /* features that are not polygons (lines, points) */
    long first_skipped; /* the first of them */
    dm_geom_type skipped_type;
} poly_ctx;

static dm_status poly_feature(dm_ctx *ctx, void *user, OGRFeatureH f, OGRFeatureDefnH d,
                              dm_geom *g, const double *pt, long fno)
{
    poly_ctx *pc = user;
    dm_geom_type t = dm_geom_type_of(g);
    if (t != DM_GEOM_POLYGON && t != DM_GEOM_MULTIPOLYGON) {
        if (!pc->skipped++) {
            pc->first_skipped = fno;
            pc->skipped_type = t;
        }
        return DM_OK;
    }
    /* a ring that crosses itself leaves "inside" to the algorithm */
    char why[160];
    double x = NAN, y = NAN;
    if (!dm_geom_is_valid(g, why, sizeof why, &x, &y))
        return dm__fail(ctx, DM_EGEOM,
                        "%s: feature %ld: not a valid polygon (%s near %.6f, %.6f); fix it first "
                        "(QGIS: Fix geometries)",
                        pc->path, fno, why, x, y);
    /* a file in metres that does not say so is read as degrees: refuse it
     * here, naming the file, rather than as "coordinate 1 cannot be
     * transformed" later */
    double b[4];
    if (dm_geom_bounds(g, b) &&
        !(b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90 && b[0] <= b[2] && b[1] <= b[3]))
        return dm__fail(ctx, DM_EGEOM,
                        "%s: feature %ld: coordinates (%g, %g) to (%g, %g) are not longitudes and "
                        "latitudes (a file in another CRS must say so)",
                        pc->path, fno, b[0], b[1], b[2], b[3]);
    if (pc->n == pc->cap) {
        size_t cap = pc->cap ? pc->cap * 2 : 16;
        dm_geom **p = dm_realloc(ctx, pc->parts, cap * sizeof *p);
        if (!p)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        pc->parts = p;
        pc->cap = cap;
    }
    return dm_geom_clone(ctx, g, &pc->parts[pc->n++]);
}

dm_status dm_read_polygons(dm_ctx *ctx, const char *path, dm_geom **out)
{
    *out = NULL;
    poly_ctx pc = {0};
    pc.path = path;
    dm_status st = for_each_feature(ctx, path, NULL, poly_feature, &pc, 0);
    if (!st && !pc.n)
        st = dm__fail(ctx, DM_EGEOM, "%s: no polygon in the file (an area must be polygons)", path);
    if (!st && pc.skipped)
        dm__log(ctx, DM_LOG_WARN,
                "%s: %zu feature(s) that are not polygons (the first: feature %ld, a %s) are not "
                "part of the area",
                path, pc.skipped, pc.first_skipped, dm_geom_type_name(pc.skipped_type));
    if (st) {
        for (size_t i = 0; i < pc.n; i++)
            dm_geom_free(pc.parts[i]);
        dm_free(ctx, pc.parts);
        return st;
    }
    st = dm_geom_collect(ctx, DM_GEOM_COLLECTION, pc.parts, pc.n, out);
    dm_free(ctx, pc.parts);
    return st;
}

typedef struct spot_ctx {
    const char *path, *label_field;
    dm_spot *v;
    size_t n, cap;
} spot_ctx;

/* A numeric field of a spot: 1 read, 0 absent or empty; a value that is not
 * a number in [lo, hi] fails naming the spot and field. */
static int spot_num(dm_ctx *ctx, spot_ctx *sc, OGRFeatureH f, OGRFeatureDefnH d,
                    const dm_spot *s, const char *name, double lo, double hi, double *v,
                    dm_status *st)
{
    int r = field_num(f, d, name, v);
    if (r < 0 || (r > 0 && (*v < lo || *v > hi))) {
        *st = dm__fail(ctx, DM_EPARSE, "%s: feature %ld%s%s%s: field '%s' must be a number in [%g, %g]",
                       sc->path, s->feature, s->id[0] ? " (" : "", s->id, s->id[0] ? ")" : "",
                       name, lo, hi);
        return 0;
    }
    return r;
}

static dm_status spot_feature(dm_ctx *ctx, void *user, OGRFeatureH f, OGRFeatureDefnH d,
                              dm_geom *g, const double *pt, long fno)
{
    spot_ctx *sc = user;
    dm_spot s;
    memset(&s, 0, sizeof s);
    s.lon = s.lat = s.label = s.model_ha = s.cell_m = NAN;
    s.feature = fno;
    const char *id = field_str(f, d, "id");
    if (id)
        dm__strlcpy(s.id, id, sizeof s.id);
    char where[96];
    snprintf(where, sizeof where, "feature %ld%s%s%s", fno, s.id[0] ? " (" : "", s.id,
             s.id[0] ? ")" : "");
    dm_coords c;
    dm_status st = dm_geom_coords(ctx, g, &c);
    if (st)
        return dm__wrap(ctx, "%s: %s", sc->path, where);
    int point = c.n_parts == 1 && c.kind[0] == 0 && c.n_xy == 1;
    if (point)
        s.lon = c.xy[0], s.lat = c.xy[1];
    dm_coords_free(ctx, &c);
    if (!point)
        return dm__fail(ctx, DM_EGEOM, "%s: %s: a spot must be a point", sc->path, where);
    if (!(s.lon >= -180 && s.lon <= 180 && s.lat >= -90 && s.lat <= 90))
        return dm__fail(ctx, DM_EGEOM,
                        "%s: %s: coordinate (%g, %g) is not a longitude and latitude (a file in "
                        "another CRS must say so)",
                        sc->path, where, s.lon, s.lat);
    if (OGR_FD_GetFieldIndex(d, sc->label_field) < 0)
        return dm__fail(ctx, DM_EPARSE, "%s: %s: field '%s' is missing", sc->path, where,
                        sc->label_field);
    double v;
    int r = field_num(f, d, sc->label_field, &v);
    if (r == 0) {
        /* not checked yet */
    } else if (r < 0 || v < 0 || v != floor(v)) {
        const char *t = field_str(f, d, sc->label_field);
        if (t && (!dm__strcasecmp(t, "true") || !dm__strcasecmp(t, "false")))
            s.label = !dm__strcasecmp(t, "true");
        else
            return dm__fail(ctx, DM_EPARSE,
                            "%s: %s: field '%s' is '%s': it must be empty (not searched yet), 0 "
                            "(nothing found) or the number of items found",
                            sc->path, where, sc->label_field, t ? t : "");
    } else
        s.label = v >= 1 ? 1 : 0; /* a count of items: the spot held some */
    if (spot_num(ctx, sc, f, d, &s, "model_ha", 0, 1e9, &v, &st))
        s.model_ha = v;
    if (!st && spot_num(ctx, sc, f, d, &s, "cell_m", 1e-3, 1e6, &v, &st))
        s.cell_m = v;
    if (st)
        return st;
    for (size_t k = 0; k < sc->n; k++)
        if (sc->v[k].lon == s.lon && sc->v[k].lat == s.lat)
            return dm__fail(ctx, DM_EPARSE, "%s: %s: the same place as feature %ld%s%s%s",
                            sc->path, where, sc->v[k].feature, sc->v[k].id[0] ? " (" : "",
                            sc->v[k].id, sc->v[k].id[0] ? ")" : "");
    dm_spot *nv = dm__grow(ctx, sc->v, &sc->cap, sc->n, sizeof *nv, 64);
    if (!nv)
        return DM_ENOMEM;
    sc->v = nv;
    sc->v[sc->n++] = s;
    return DM_OK;
}

dm_status dm_spots_read(dm_ctx *ctx, const char *path, const char *label_field, dm_spot **out,
                        size_t *n)
{
    *out = NULL, *n = 0;
    /* FILE:LAYER names one layer of a file of several */
    char file[4096];
    const char *layer = NULL;
    dm__strlcpy(file, path, sizeof file);
    char *colon = strrchr(file, ':');
    if (access(file, F_OK) != 0 && colon && colon > file && !strchr(colon, '/')) {
        *colon = '\0';
        layer = colon + 1;
    }
    if (access(file, F_OK) != 0)
        return dm__fail(ctx, DM_EIO, "%s: no such file", file);
    if (!layer) {
        dm__gdal_init();
        GDALDatasetH ds = GDALOpenEx(file, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        int nl = ds ? GDALDatasetGetLayerCount(ds) : 0;
        if (ds)
            GDALClose(ds);
        if (nl > 1)
            return dm__fail(ctx, DM_EINVAL, "%s holds %d layers: name the spots' as %s:LAYER",
                            file, nl, file);
    }
    spot_ctx sc = {file, label_field && *label_field ? label_field : "label", NULL, 0, 0};
    dm_status st = for_each_feature(ctx, file, layer, spot_feature, &sc, 0);
    if (st) {
        dm_free(ctx, sc.v);
        return st;
    }
    *out = sc.v, *n = sc.n;
    return DM_OK;
}

dm_status dm_spots_write_labels(dm_ctx *ctx, const char *in, const char *out,
                                const char *label_field, const dm_spot *s, size_t n)
{
    const char *lf = label_field && *label_field ? label_field : "label";
    const char *dot = strrchr(out, '.');
    if (!dot || (dm__strcasecmp(dot, ".geojson") && dm__strcasecmp(dot, ".json")))
        return dm__fail(ctx, DM_EINVAL, "%s: labelled spots are written as .geojson", out);
    dm__gdal_init();
    CPLErrorReset();
    const char *drv = dm_driver_for_path(in);
    static const char *const csv_opts[] = {
        "X_POSSIBLE_NAMES=lon,longitude,long,lng,x", "Y_POSSIBLE_NAMES=lat,latitude,y",
        "GEOM_POSSIBLE_NAMES=wkt,geometry,geom", "KEEP_GEOM_COLUMNS=NO", NULL};
    GDALDatasetH src = GDALOpenEx(in, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                  drv && !strcmp(drv, "CSV") ? csv_opts : NULL, NULL);
    if (!src)
        return dm__vector_open_fail(ctx, in, NULL, CPLGetLastErrorMsg());
    GDALDriverH gj = GDALGetDriverByName("GeoJSON");
    GDALDatasetH dst = gj ? GDALCreate(gj, out, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!dst) {
        GDALClose(src);
        return dm__fail(ctx, DM_EIO, "%s: cannot create: %s", out, CPLGetLastErrorMsg());
    }
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH ol = GDALDatasetCreateLayer(dst, "spots", wgs, wkbPoint, NULL);
    dm_status st = ol ? DM_OK : dm__fail(ctx, DM_EIO, "%s: cannot create the layer", out);
    size_t k = 0;
    for (int li = 0; !st && li < GDALDatasetGetLayerCount(src); li++) {
        OGRLayerH lay = GDALDatasetGetLayer(src, li);
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(lay);
        /* the fields of the first layer, the label an integer */
        if (li == 0) {
            for (int f = 0; f < OGR_FD_GetFieldCount(d); f++) {
                OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, f);
                if (!dm__strcasecmp(OGR_Fld_GetNameRef(fd), lf))
                    continue;
                OGR_L_CreateField(ol, fd, 1);
            }
            OGRFieldDefnH lfd = OGR_Fld_Create(lf, OFTInteger);
            OGR_L_CreateField(ol, lfd, 1);
            OGR_Fld_Destroy(lfd);
        }
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lay);
        OGRCoordinateTransformationH ct = NULL;
        if (srs && !OSRIsSame(srs, wgs)) {
            OGRSpatialReferenceH s2 = OSRClone(srs);
            OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
            ct = OCTNewCoordinateTransformation(s2, wgs);
            OSRDestroySpatialReference(s2);
        }
        OGRFeatureDefnH od = OGR_L_GetLayerDefn(ol);
        OGR_L_ResetReading(lay);
        OGRFeatureH f;
        while (!st && (f = OGR_L_GetNextFeature(lay)) != NULL) {
            if (k >= n) {
                OGR_F_Destroy(f);
                st = dm__fail(ctx, DM_EINVAL, "%s: more features than spots read", in);
                break;
            }
            OGRFeatureH nf = OGR_F_Create(od);
            OGR_F_SetFrom(nf, f, 1);
            OGRGeometryH g = OGR_F_GetGeometryRef(nf);
            if (g && ct)
                OGR_G_Transform(g, ct);
            int li2 = OGR_FD_GetFieldIndex(od, lf);
            if (s[k].label == 0 || s[k].label == 1)
                OGR_F_SetFieldInteger(nf, li2, (int)s[k].label);
            else
                OGR_F_SetFieldNull(nf, li2);
            if (OGR_L_CreateFeature(ol, nf) != OGRERR_NONE)
                st = dm__fail(ctx, DM_EIO, "%s: cannot write spot %zu", out, k + 1);
            OGR_F_Destroy(nf);
            OGR_F_Destroy(f);
            k++;
        }
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
    }
    if (!st && k != n)
        st = dm__fail(ctx, DM_EINVAL, "%s: %zu features for %zu spots", in, k, n);
    OSRDestroySpatialReference(wgs);
    GDALClose(src);
    CPLErrorReset();
    GDALClose(dst);
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = dm__fail(ctx, DM_EIO, "%s: %s", out, CPLGetLastErrorMsg());
    if (st)
        remove(out);
    return st;
}
