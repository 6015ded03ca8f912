/* SPDX-License-Identifier: MIT
 *
 * import.c -- reading any vector file GDAL opens (GeoJSON, GeoPackage,
 * Shapefile, KML, CSV with coordinate columns, KoboToolbox and ODK exports)
 * into one layer of the database, in one transaction.
 *
 * Source fields are matched to the layer's fields by name (case-insensitive,
 * form group prefixes dropped) or by an explicit mapping; form metadata
 * columns are ignored; anything else unknown stops the import. Every value
 * and geometry is checked by the store exactly as any other write is.
 */
#include "io_internal.h"

#include "demine/dm_io.h"
#include "store/store_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Where a source field goes when not to a field of the layer. created,
 * updated and author are every row's provenance, which an export writes:
 * an exported layer imports into another database with them. */
enum { SRC_DROP = -1, SRC_UUID = -2, SRC_COORD = -3, SRC_CREATED = -4, SRC_UPDATED = -5,
       SRC_AUTHOR = -6 };
static const char *const provenance[] = {"created", "updated", "author"};

typedef struct import_state {
    dm_store *s;
    dm_ctx *ctx;
    const dm_layer_def *layer;
    const dm_import_opts *o;
    const char *path;
    OGRLayerH ol;
    int n_src;
    int *target;  /* per source field: layer field index or SRC_* */
    int is_csv;
    /* coordinates from columns */
    int x_col, y_col;      /* numeric x/y columns */
    int latlon_col;        /* Kobo "_geolocation" "[lat, lon]" */
    int geom_col;          /* WKT or ODK geopoint/geotrace/geoshape text */
    OGRCoordinateTransformationH oct;
    OGRSpatialReferenceH src_srs, wgs84;
    long zm_n, zm_first; /* features with Z or M coordinates, the first of them */
} import_state;

/* ------------------------- rows of this import ------------------------- */

/* The uuids inserted so far, with their feature numbers: a row colliding
 * with one of them repeats a ref or uuid of the file itself (an error even
 * with skip_existing), not a row already in the database. */
typedef struct seen_set {
    char (*uuid)[37];
    long *feature;
    size_t n, cap; /* cap: a power of two, 0 before the first row */
} seen_set;

static size_t seen_hash(const char *uuid)
{
    size_t h = 14695981039346656037u & (size_t)-1;
    for (; *uuid; uuid++)
        h = (h ^ (unsigned char)*uuid) * (size_t)1099511628211u;
    return h;
}

static int seen_add(seen_set *t, const char *uuid, long feature)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 1024;
        char (*u)[37] = calloc(nc, sizeof *u);
        long *f = calloc(nc, sizeof *f);
        if (!u || !f) {
            free(u);
            free(f);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->feature[i])
                continue;
            size_t j = seen_hash(t->uuid[i]) & (nc - 1);
            while (f[j])
                j = (j + 1) & (nc - 1);
            memcpy(u[j], t->uuid[i], 37);
            f[j] = t->feature[i];
        }
        free(t->uuid);
        free(t->feature);
        t->uuid = u;
        t->feature = f;
        t->cap = nc;
    }
    size_t j = seen_hash(uuid) & (t->cap - 1);
    while (t->feature[j])
        j = (j + 1) & (t->cap - 1);
    memcpy(t->uuid[j], uuid, 37);
    t->feature[j] = feature;
    t->n++;
    return 0;
}

/* The feature number that inserted uuid, or 0. */
static long seen_find(const seen_set *t, const char *uuid)
{
    if (!t->cap)
        return 0;
    for (size_t j = seen_hash(uuid) & (t->cap - 1); t->feature[j]; j = (j + 1) & (t->cap - 1))
        if (!strcmp(t->uuid[j], uuid))
            return t->feature[j];
    return 0;
}

/* ---------------------------- field matching ---------------------------- */

static const char *base_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* Columns added by KoboToolbox, ODK Central/Collect and GIS exports that
 * carry no mine action data. */
static int is_form_metadata(const char *name)
{
    static const char *meta[] = {
        "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
        "username", "audit", "instanceID", "instanceName", "__version__", "SubmissionDate",
        "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
        "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "meta-instanceID",
        "created", "updated", "author", "fid", "ogc_fid", "id_0",
    };
    if (name[0] == '_')
        return 1;
    if (!strncmp(name, "meta/", 5) || !strncmp(name, "meta-", 5) || !strncmp(name, "formhub/", 8))
        return 1;
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if (!dm__strcasecmp(name, meta[i]))
            return 1;
    return 0;
}

static int name_is(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!dm__strcasecmp(name, *list))
            return 1;
    return 0;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !dm__strcasecmp(s + n - m, suffix);
}

static int find_col(import_state *st, const char *name)
{
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st->ol), i));
        if (!dm__strcasecmp(f, name) || !dm__strcasecmp(base_name(f), name))
            return i;
    }
    return -1;
}

/* Find coordinate columns for files without a geometry column. */
static void detect_coords(import_state *st)
{
    static const char *xs[] = {"lon", "longitude", "long", "lng", "x", "easting", "xcoord", NULL};
    static const char *ys[] = {"lat", "latitude", "y", "northing", "ycoord", NULL};
    static const char *wkts[] = {"wkt", "geometry", "geom", "the_geom", "wkt_geom", NULL};
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    st->x_col = st->y_col = st->latlon_col = st->geom_col = -1;
    if (st->o->x_field || st->o->y_field) {
        st->x_col = st->o->x_field ? find_col(st, st->o->x_field) : -1;
        st->y_col = st->o->y_field ? find_col(st, st->o->y_field) : -1;
        return;
    }
    if (st->o->geom_field) {
        st->geom_col = find_col(st, st->o->geom_field);
        return;
    }
    for (int i = 0; i < st->n_src; i++) {
        const char *f = base_name(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
        if (st->x_col < 0 && name_is(f, xs))
            st->x_col = i;
        if (st->y_col < 0 && name_is(f, ys))
            st->y_col = i;
    }
    if (st->x_col >= 0 && st->y_col >= 0)
        return;
    /* KoboToolbox "_q_longitude"/"_q_latitude", ODK Central "q-Longitude"/"q-Latitude". */
    st->x_col = st->y_col = -1;
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (st->x_col < 0 && (ends_with_ci(f, "_longitude") || ends_with_ci(f, "-longitude")))
            st->x_col = i;
        if (st->y_col < 0 && (ends_with_ci(f, "_latitude") || ends_with_ci(f, "-latitude")))
            st->y_col = i;
    }
    if (st->x_col >= 0 && st->y_col >= 0) {
        /* The geopoint's other parts ("q", altitude, accuracy) are redundant. */
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, st->y_col));
        char q[256], name[300];
        dm__strlcpy(q, f[0] == '_' ? f + 1 : f, sizeof q);
        size_t n = strlen(q);
        if (n > 9)
            q[n - 9] = '\0';
        static const char *parts[] = {"%s", "_%s_altitude", "_%s_precision", "%s-Altitude",
                                      "%s-Accuracy"};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            snprintf(name, sizeof name, parts[k], q);
            int col = find_col(st, name);
            if (col >= 0)
                st->target[col] = SRC_COORD;
        }
        return;
    }
    st->x_col = st->y_col = -1;
    for (int i = 0; i < st->n_src; i++) {
        const char *f = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        if (!dm__strcasecmp(f, "_geolocation"))
            st->latlon_col = i;
        else if (st->geom_col < 0 && name_is(base_name(f), wkts))
            st->geom_col = i;
    }
}

/* Shapefiles cut field names to 10 characters: accept a cut name when it
 * is the start of exactly one field. */
static const dm_field_def *truncated_match(const dm_layer_def *l, const char *name)
{
    const dm_field_def *found = NULL;
    for (size_t i = 0; i < l->n_fields; i++)
        if (!strncasecmp(l->fields[i].name, name, 10)) {
            if (found)
                return NULL;
            found = &l->fields[i];
        }
    return found;
}

static dm_status map_fields(import_state *st)
{
    const dm_import_opts *o = st->o;
    const dm_layer_def *l = st->layer;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(st->ol);
    for (size_t k = 0; k < o->n_map; k++)
        if (strcmp(o->map_to[k], "-") && !dm_field_find(l, o->map_to[k]))
            return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --map %s=%s: layer %s has no field '%s'",
                            st->path, o->map_from[k], o->map_to[k], l->name, o->map_to[k]);
    for (size_t k = 0; k < o->n_set; k++)
        if (!dm_field_find(l, o->set_field[k]))
            return dm__fail(st->ctx, DM_ENOTFOUND, "%s: --set %s: layer %s has no field '%s'",
                            st->path, o->set_field[k], l->name, o->set_field[k]);
    for (int i = 0; i < st->n_src; i++) {
        if (st->target[i] == SRC_COORD)
            continue;
        const char *full = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
        const char *name = base_name(full);
        st->target[i] = SRC_DROP;
        int mapped = 0;
        for (size_t k = 0; k < o->n_map; k++) {
            if (dm__strcasecmp(o->map_from[k], full) && dm__strcasecmp(o->map_from[k], name))
                continue;
            mapped = 1;
            if (strcmp(o->map_to[k], "-")) {
                const dm_field_def *f = dm_field_find(l, o->map_to[k]);
                st->target[i] = (int)(f - l->fields);
            }
        }
        if (mapped)
            continue;
        if (i == st->x_col || i == st->y_col || i == st->latlon_col || i == st->geom_col) {
            st->target[i] = SRC_COORD;
            continue;
        }
        const dm_field_def *f = dm_field_find(l, name);
        if (!f && strlen(name) == 10)
            f = truncated_match(l, name);
        if (f) {
            st->target[i] = (int)(f - l->fields);
            continue;
        }
        if (!dm__strcasecmp(name, "uuid")) {
            st->target[i] = SRC_UUID;
            continue;
        }
        for (int k = 0; k < 3 && st->target[i] == SRC_DROP; k++)
            if (!dm__strcasecmp(name, provenance[k]))
                st->target[i] = SRC_CREATED - k;
        if (st->target[i] != SRC_DROP)
            continue;
        if (is_form_metadata(full) || is_form_metadata(name))
            continue;
        if (st->is_csv && !dm__strcasecmp(name, "WKT"))
            continue; /* the CSV driver's geometry column */
        if (o->ignore_unknown)
            continue;
        dm_buf b;
        dm__buf_init(&b);
        for (size_t k = 0; k < l->n_fields; k++)
            dm__buf_printf(&b, "%s%s", k ? ", " : "", l->fields[k].name);
        dm__fail(st->ctx, DM_ENOTFOUND,
                 "%s: field '%s' is not a field of layer %s (its fields: %s); map it with --map "
                 "'%s=FIELD', drop it with --map '%s=-', or pass --ignore-unknown",
                 st->path, full, l->name, b.data ? b.data : "", full, full);
        dm__buf_free(&b);
        return DM_ENOTFOUND;
    }
    /* Two source fields into one layer field: the second overwrote the
     * first in every row. */
    for (int i = 0; i < st->n_src; i++)
        for (int j = i + 1; j < st->n_src; j++)
            if (st->target[i] >= 0 && st->target[i] == st->target[j]) {
                const char *a = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
                const char *b = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, j));
                return dm__fail(st->ctx, DM_EINVAL,
                                "%s: fields '%s' and '%s' both go to field '%s' of layer %s; "
                                "drop one with --map '%s=-' or map it elsewhere",
                                st->path, a, b, l->fields[st->target[i]].name, l->name, a);
            }
    return DM_OK;
}

/* ------------------------------ geometry ------------------------------ */

static dm_status setup_crs(import_state *st, int native)
{
    dm_ctx *ctx = st->ctx;
    st->wgs84 = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(st->wgs84, 4326);
    OSRSetAxisMappingStrategy(st->wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    if (st->o->src_crs) {
        st->src_srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(st->src_srs, st->o->src_crs) != OGRERR_NONE)
            return dm__fail(ctx, DM_EPROJ, "%s: --crs '%s' is not a coordinate reference system",
                            st->path, st->o->src_crs);
    } else if (native && OGR_L_GetSpatialRef(st->ol)) {
        st->src_srs = OSRClone(OGR_L_GetSpatialRef(st->ol));
    }
    if (!st->src_srs)
        return DM_OK; /* assumed WGS 84; range checks catch projected coordinates */
    OSRSetAxisMappingStrategy(st->src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRIsSame(st->src_srs, st->wgs84))
        return DM_OK;
    st->oct = OCTNewCoordinateTransformation(st->src_srs, st->wgs84);
    if (!st->oct)
        return dm__fail(ctx, DM_EPROJ, "%s: cannot transform from the file's CRS to WGS 84",
                        st->path);
    return DM_OK;
}

static int parse_num(const char *s, double *v)
{
    char *end = NULL;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    *v = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    return end && !*end && isfinite(*v);
}

/* ODK text geometries: "lat lon alt acc" points separated by ';'. One point
 * is a point, several a line, a closed list a polygon. */
static OGRGeometryH parse_odk(const char *s)
{
    /* as many points as there are ';'-separated parts (a walked geotrace
     * holds thousands: they were cut at 4096) */
    size_t cap = 1;
    for (const char *q = s; *q; q++)
        cap += *q == ';';
    double *xy = malloc(2 * cap * sizeof *xy);
    if (!xy)
        return NULL;
    size_t n = 0;
    const char *p = s;
    while (*p && n < cap) {
        char *end = NULL;
        double lat = strtod(p, &end);
        if (end == p) {
            free(xy);
            return NULL;
        }
        p = end;
        double lon = strtod(p, &end);
        if (end == p) {
            free(xy);
            return NULL;
        }
        p = end;
        xy[2 * n] = lon;
        xy[2 * n + 1] = lat;
        n++;
        const char *semi = strchr(p, ';');
        if (!semi)
            break;
        p = semi + 1;
        while (isspace((unsigned char)*p))
            p++;
    }
    OGRGeometryH g = NULL;
    if (n == 1) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, xy[0], xy[1]);
    } else if (n > 1) {
        int closed = n >= 4 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];
        OGRGeometryH line = OGR_G_CreateGeometry(closed ? wkbLinearRing : wkbLineString);
        for (size_t i = 0; i < n; i++)
            OGR_G_SetPoint_2D(line, (int)i, xy[2 * i], xy[2 * i + 1]);
        g = line;
        if (closed) {
            g = OGR_G_CreateGeometry(wkbPolygon);
            OGR_G_AddGeometryDirectly(g, line);
        }
    }
    free(xy);
    return g;
}

/* The feature's geometry as an OGR geometry owned by the caller, or NULL
 * with *why set when it has none or it cannot be read. */
static OGRGeometryH feature_geom(import_state *st, OGRFeatureH f, const char **why)
{
    *why = NULL;
    if (st->x_col >= 0 || st->y_col >= 0) {
        if (st->x_col < 0 || st->y_col < 0) {
            *why = "only one coordinate column found";
            return NULL;
        }
        const char *xs = OGR_F_GetFieldAsString(f, st->x_col);
        const char *ys = OGR_F_GetFieldAsString(f, st->y_col);
        double x, y;
        if (!*xs && !*ys) {
            *why = "no coordinates";
            return NULL;
        }
        if (!parse_num(xs, &x) || !parse_num(ys, &y)) {
            *why = "coordinates are not numbers";
            return NULL;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, x, y);
        return g;
    }
    if (st->latlon_col >= 0) {
        const char *v = OGR_F_GetFieldAsString(f, st->latlon_col);
        double lat, lon;
        if (sscanf(v, " [ %lf , %lf ]", &lat, &lon) != 2) {
            *why = "_geolocation is not \"[lat, lon]\"";
            return NULL;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, lon, lat);
        return g;
    }
    if (st->geom_col >= 0) {
        const char *v = OGR_F_GetFieldAsString(f, st->geom_col);
        while (isspace((unsigned char)*v))
            v++;
        if (!*v) {
            *why = "no geometry";
            return NULL;
        }
        OGRGeometryH g = NULL;
        if (isalpha((unsigned char)*v)) {
            char *w = (char *)v;
            if (OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE) {
                *why = "geometry column is not valid WKT";
                return NULL;
            }
            return g;
        }
        g = parse_odk(v);
        if (!g)
            *why = "geometry column is neither WKT nor an ODK geopoint/geotrace/geoshape";
        return g;
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g) {
        *why = "no geometry";
        return NULL;
    }
    return OGR_G_Clone(g);
}

static dm_status convert_geom(import_state *st, OGRGeometryH og, dm_geom **out, long *repaired,
                              long feature_no)
{
    dm_ctx *ctx = st->ctx;
    *out = NULL;
    if (OGR_G_HasCurveGeometry(og, TRUE)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(og, 0, NULL);
        OGR_G_DestroyGeometry(og);
        og = lin;
    }
    /* The layers store 2D coordinates: heights and measures are dropped,
     * counted for one warning per file. */
    if (OGR_G_Is3D(og) || OGR_G_IsMeasured(og)) {
        if (!st->zm_n++)
            st->zm_first = feature_no;
        OGR_G_FlattenTo2D(og);
        OGR_G_SetMeasured(og, FALSE);
    }
    if (OGR_G_IsEmpty(og)) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_EGEOM, "geometry: empty");
    }
    if (st->oct && OGR_G_Transform(og, st->oct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_EPROJ, "geometry: cannot be transformed to WGS 84");
    }
    int n = OGR_G_WkbSize(og);
    unsigned char *wkb = malloc((size_t)n);
    if (!wkb) {
        OGR_G_DestroyGeometry(og);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    OGR_G_ExportToWkb(og, wkbNDR, wkb);
    OGR_G_DestroyGeometry(og);
    dm_geom *g = NULL;
    dm_status rc = dm_geom_from_wkb(ctx, wkb, (size_t)n, &g);
    free(wkb);
    if (rc)
        return dm__wrap(ctx, "geometry");
    char why[256];
    double x = 0, y = 0;
    if (st->o->repair && !dm_geom_is_valid(g, why, sizeof why, &x, &y)) {
        dm_geom *v = NULL;
        rc = dm_geom_make_valid(ctx, g, &v);
        dm_geom_free(g);
        if (rc)
            return dm__wrap(ctx, "geometry: cannot be repaired");
        g = v;
        (*repaired)++;
        dm__log(ctx, DM_LOG_INFO, "%s: feature %ld: repaired geometry (%s at %.7f %.7f)", st->path,
                feature_no, why, x, y);
    }
    *out = g;
    return DM_OK;
}

/* ------------------------------- values ------------------------------- */

/* The text of a source field as the store wants it: dates as ISO. Only a
 * DATE field's text is rewritten from "2012/03/04"; any other text is
 * passed whole (a note starting with a date was cut to 63 bytes). */
static const char *field_text(OGRFeatureH f, int i, dm_field_type target, char *buf, size_t n)
{
    OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(f, i);
    OGRFieldType t = OGR_Fld_GetType(fd);
    if (t == OFTDate || (t == OFTDateTime && target == DM_FT_DATE)) {
        int y, m, d, hh, mm, tz;
        float ss;
        if (OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &hh, &mm, &ss, &tz)) {
            snprintf(buf, n, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
            return buf;
        }
    }
    const char *v = OGR_F_GetFieldAsString(f, i);
    /* "2012/03/04" and "2012/03/04 10:00:00" from some drivers */
    if (target == DM_FT_DATE && strlen(v) >= 10 && strlen(v) < n &&
        isdigit((unsigned char)v[0]) && v[4] == '/' && v[7] == '/') {
        dm__strlcpy(buf, v, n);
        buf[4] = buf[7] = '-';
        return buf;
    }
    return v;
}

/* Offset of the first byte of v that is not part of valid UTF-8, or -1. */
static long bad_utf8_at(const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    for (long i = 0; p[i];) {
        unsigned c = p[i];
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3
                             : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len)
            return i;
        for (int k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
        if ((len == 3 && c == 0xE0 && p[i + 1] < 0xA0) || (len == 3 && c == 0xED && p[i + 1] >= 0xA0) ||
            (len == 4 && c == 0xF0 && p[i + 1] < 0x90) || (len == 4 && c == 0xF4 && p[i + 1] >= 0x90))
            return i;
        i += len;
    }
    return -1;
}

/* The line of a CSV file where data record no (1 = the first after the
 * header) starts, counting the lines of quoted values that hold line
 * breaks and the blank lines the CSV reader skips; 0 when not found. */
static long csv_line_of(const char *path, long no)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    long line = 1, rec = 0, found = 0; /* rec 0 is the header */
    int quoted = 0, at_start = 1, c;
    while ((c = getc(fp)) != EOF) {
        if (c == '\r') { /* CR LF or a lone CR ends a line */
            int d = getc(fp);
            if (d != '\n' && d != EOF)
                ungetc(d, fp);
            c = '\n';
        }
        if (c == '\n') {
            line++;
            if (!quoted && !at_start) {
                rec++;
                at_start = 1;
            }
            continue; /* a blank line is no record */
        }
        if (at_start && rec == no) {
            found = line;
            break;
        }
        at_start = 0;
        if (c == '"')
            quoted = !quoted;
    }
    fclose(fp);
    return found;
}

/* ---------------------------- provenance ---------------------------- */

/* A time in UTC as the store keeps it (2024-05-01T10:00:00.000Z), from its
 * parts and a zone offset in minutes east of UTC; 0 when not a time. */
static int stamp_make(int y, int mo, int d, int h, int mi, double sec, int east_min,
                      char out[25])
{
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || !(sec >= 0 && sec < 61) || east_min < -18 * 60 || east_min > 18 * 60)
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    time_t t0 = timegm(&tm);
    struct tm back;
    if (!gmtime_r(&t0, &back) || back.tm_mday != d) /* 31 April */
        return 0;
    int whole = (int)sec, ms = (int)((sec - whole) * 1000 + 0.5);
    if (ms == 1000)
        whole++, ms = 0;
    time_t t = t0 + h * 3600 + mi * 60 + whole - east_min * 60;
    struct tm u;
    if (!gmtime_r(&t, &u))
        return 0;
    char b[32];
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &u);
    snprintf(out, 25, "%.19s.%03dZ", b, ms);
    return 1;
}

/* An ISO 8601 date or date-time ("2024-05-01", "2024-05-01T10:00:00.123Z",
 * "2024-05-01 12:00:00+02:00"; UTC without a zone; '/' for '-' as some
 * drivers write them). */
static int stamp_parse(const char *v, char out[25])
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    char s1, s2;
    while (isspace((unsigned char)*v))
        v++;
    if (sscanf(v, "%4d%c%2d%c%2d%n", &y, &s1, &mo, &s2, &d, &n) != 5 || s1 != s2 ||
        (s1 != '-' && s1 != '/') || n != 10)
        return 0;
    const char *p = v + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return 0;
        p += 1 + m;
        if (*p == ':') {
            char *end = NULL;
            if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
                return 0;
            sec = strtod(p + 1, &end);
            p = end;
        }
    }
    int east = 0;
    if (*p == 'Z')
        p++;
    else if (*p == '+' || *p == '-') {
        int zh = 0, zm = 0, m = 0;
        if (sscanf(p + 1, "%2d%n", &zh, &m) != 1 || m != 2)
            return 0;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1])) {
            zm = (q[0] - '0') * 10 + (q[1] - '0');
            q += 2;
        }
        east = (zh * 60 + zm) * (*p == '-' ? -1 : 1);
        p = q;
    }
    while (isspace((unsigned char)*p))
        p++;
    return !*p && stamp_make(y, mo, d, h, mi, sec, east, out);
}

/* The provenance field i of feature f as a time stamp (text or a date-time
 * field of the file); 0 when not one. */
static int field_stamp(OGRFeatureH f, int i, char out[25])
{
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    if (t == OFTDateTime || t == OFTDate) {
        int y, mo, d, h, mi, tz;
        float sec;
        if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz))
            return 0;
        /* tz: 0 unknown, 1 local time (both taken as UTC), 100 UTC, else
         * 100 + quarter hours east */
        return stamp_make(y, mo, d, h, mi, sec, tz > 1 ? (tz - 100) * 15 : 0, out);
    }
    return stamp_parse(OGR_F_GetFieldAsString(f, i), out);
}

/* Keep the file's created, updated and author on the row: stamps between
 * 1900 and tomorrow, updated not before created (a missing one takes the
 * other's value). */
static dm_status set_provenance(import_state *st, OGRFeatureH f, dm_row *row)
{
    char stamp[2][25] = {"", ""}, who[256];
    const char *author = NULL;
    for (int i = 0; i < st->n_src; i++) {
        int t = st->target[i];
        if (t > SRC_CREATED || t < SRC_AUTHOR || !OGR_F_IsFieldSetAndNotNull(f, i))
            continue;
        const char *v = OGR_F_GetFieldAsString(f, i);
        const char *name = OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, i));
        if (t == SRC_AUTHOR) {
            long bad = bad_utf8_at(v);
            if (bad >= 0)
                return dm__fail(st->ctx, DM_EPARSE,
                                "field '%s': byte %ld (0x%02X) is not UTF-8 (save the file as "
                                "UTF-8)",
                                name, bad + 1, (unsigned)(unsigned char)v[bad]);
            while (isspace((unsigned char)*v))
                v++;
            size_t len = strlen(v);
            while (len && isspace((unsigned char)v[len - 1]))
                len--;
            if (len >= sizeof who)
                return dm__fail(st->ctx, DM_EPARSE, "field '%s': longer than %zu characters",
                                name, sizeof who - 1);
            memcpy(who, v, len);
            who[len] = '\0';
            if (len)
                author = who;
            continue;
        }
        int k = SRC_CREATED - t;
        if (!*v)
            continue;
        if (!field_stamp(f, i, stamp[k]))
            return dm__fail(st->ctx, DM_EPARSE,
                            "field '%s': '%s' is not a date or time (ISO 8601, e.g. "
                            "2024-05-01T10:00:00Z); drop it with --map '%s=-'",
                            name, v, name);
        time_t now = time(NULL) + 86400;
        struct tm tm;
        char tomorrow[32] = "9999";
        if (gmtime_r(&now, &tm))
            strftime(tomorrow, sizeof tomorrow, "%Y-%m-%dT23:59:59.999Z", &tm);
        if (strcmp(stamp[k], tomorrow) > 0)
            return dm__fail(st->ctx, DM_EPARSE, "field '%s': %s is in the future", name,
                            stamp[k]);
        if (strcmp(stamp[k], "1900-01-01") < 0)
            return dm__fail(st->ctx, DM_EPARSE, "field '%s': %s is before 1900", name, stamp[k]);
    }
    if (stamp[0][0] && stamp[1][0] && strcmp(stamp[1], stamp[0]) < 0)
        return dm__fail(st->ctx, DM_EPARSE, "field 'updated': %s is before the created %s",
                        stamp[1], stamp[0]);
    const char *created = stamp[0][0] ? stamp[0] : stamp[1][0] ? stamp[1] : NULL;
    const char *updated = stamp[1][0] ? stamp[1] : created;
    if (!created && !author)
        return DM_OK;
    return dm__row_set_provenance(row, created, updated, author);
}

static void cleanup(import_state *st)
{
    free(st->target);
    if (st->oct)
        OCTDestroyCoordinateTransformation(st->oct);
    if (st->src_srs)
        OSRDestroySpatialReference(st->src_srs);
    if (st->wgs84)
        OSRDestroySpatialReference(st->wgs84);
}

/* After an insert refused as a conflict: the row the feature collides with.
 * One inserted by an earlier feature of this file is an error naming that
 * feature; one already in the database is skipped under skip_existing, or
 * the store's refusal stands with a hint. */
static dm_status existing_row(import_state *st, const seen_set *seen, dm_row *row, int *skip)
{
    char owner[37];
    int by_uuid = 0;
    int e = dm_store_existing(st->s, row, owner, &by_uuid);
    if (e < 0)
        return dm_ctx_errcode(st->ctx);
    if (e == 0)
        return DM_ECONFLICT; /* another conflict: the store's message stands */
    long k = seen_find(seen, owner);
    if (k > 0) {
        char where[64] = "";
        long line = st->is_csv ? csv_line_of(st->path, k) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        if (by_uuid)
            return dm__fail(st->ctx, DM_ECONFLICT, "uuid %s is also the uuid of feature %ld%s of "
                            "this file", owner, k, where);
        return dm__fail(st->ctx, DM_ECONFLICT,
                        "field 'ref': '%s' is also the ref of feature %ld%s of this file",
                        dm_row_get(row, "ref"), k, where);
    }
    if (st->o->skip_existing) {
        *skip = 1;
        return DM_OK;
    }
    char msg[1024];
    dm__strlcpy(msg, dm_ctx_errmsg(st->ctx), sizeof msg);
    return dm__fail(st->ctx, DM_ECONFLICT,
                    "%s (import with --skip-existing to skip rows already in the layer)", msg);
}

dm_status dm_import_file(dm_store *s, const char *path, const dm_import_opts *o,
                         dm_import_result *res)
{
    dm_ctx *ctx = dm_store_ctx(s);
    dm_import_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    const dm_layer_def *layer = o->layer ? dm_layer_find(o->layer) : NULL;
    if (!layer) {
        dm_buf b;
        dm__buf_init(&b);
        for (size_t i = 0; i < dm_layer_count(); i++)
            dm__buf_printf(&b, "%s%s", i ? ", " : "", dm_layer_at(i)->name);
        dm__fail(ctx, DM_ENOTFOUND, "unknown layer '%s' (layers: %s)", o->layer ? o->layer : "",
                 b.data);
        dm__buf_free(&b);
        return DM_ENOTFOUND;
    }
    if (access(path, R_OK) != 0)
        return dm__fail(ctx, DM_EIO, "%s: cannot read the file", path);
    dm__gdal_capture cap;
    dm__gdal_begin(&cap);
    const char *drv = dm_driver_for_path(path);
    int is_csv = drv && !strcmp(drv, "CSV");
    const char *csv_opts[] = {"AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=YES", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 is_csv ? csv_opts : NULL, NULL);
    if (!ds) {
        dm__gdal_end(&cap);
        return dm__fail(ctx, DM_EPARSE, "%s: not a vector file GDAL can read%s%s", path,
                        cap.msg[0] ? ": " : "", cap.msg);
    }
    import_state st = {0};
    st.s = s;
    st.ctx = ctx;
    st.layer = layer;
    st.o = o;
    st.path = path;
    st.is_csv = is_csv;
    dm_status rc = DM_OK;
    if (o->src_layer) {
        st.ol = GDALDatasetGetLayerByName(ds, o->src_layer);
        if (!st.ol)
            rc = dm__fail(ctx, DM_ENOTFOUND, "%s: no layer '%s' in the file", path, o->src_layer);
    } else {
        st.ol = GDALDatasetGetLayerByName(ds, layer->name);
        if (!st.ol)
            st.ol = GDALDatasetGetLayer(ds, 0);
        if (!st.ol)
            rc = dm__fail(ctx, DM_EPARSE, "%s: the file holds no layer", path);
    }
    dm_row *row = NULL;
    seen_set seen = {0};
    int in_tx = 0;
    if (rc)
        goto done;
    st.n_src = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(st.ol));
    st.target = calloc((size_t)(st.n_src ? st.n_src : 1), sizeof *st.target);
    if (!st.target) {
        rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    int native = OGR_L_GetGeomType(st.ol) != wkbNone && !o->x_field && !o->y_field && !o->geom_field;
    st.x_col = st.y_col = st.latlon_col = st.geom_col = -1;
    if (layer->geom_type && !native)
        detect_coords(&st);
    if ((o->x_field && st.x_col < 0) || (o->y_field && st.y_col < 0) ||
        (o->geom_field && st.geom_col < 0)) {
        rc = dm__fail(ctx, DM_ENOTFOUND, "%s: coordinate column '%s' not found", path,
                      o->geom_field ? o->geom_field : st.x_col < 0 ? o->x_field : o->y_field);
        goto done;
    }
    if (layer->geom_type && layer->geom_required && !native && st.x_col < 0 && st.y_col < 0 &&
        st.latlon_col < 0 && st.geom_col < 0) {
        rc = dm__fail(ctx, DM_EGEOM,
                      "%s: no geometry and no coordinate columns found (layer %s needs "
                      "geometries); name them with --x and --y, or --geom-field",
                      path, layer->name);
        goto done;
    }
    if ((rc = map_fields(&st)) || (rc = setup_crs(&st, native)))
        goto done;
    row = dm_row_new(ctx, layer);
    if (!row) {
        rc = DM_ENOMEM;
        goto done;
    }
    if ((rc = dm_store_begin(s)))
        goto done;
    in_tx = 1;
    GIntBig total = OGR_L_GetFeatureCount(st.ol, FALSE);
    OGR_L_ResetReading(st.ol);
    OGRFeatureH f;
    long no = 0, empty = 0;
    char buf[64];
    while ((f = OGR_L_GetNextFeature(st.ol)) != NULL) {
        no++;
        dm_row_clear(row);
        /* A row with no value and no geometry (",,,," from a spreadsheet)
         * is no record: skipped and counted. */
        int blank = !OGR_F_GetGeometryRef(f);
        for (int i = 0; i < st.n_src && blank; i++)
            if (OGR_F_IsFieldSetAndNotNull(f, i) && *OGR_F_GetFieldAsString(f, i))
                blank = 0;
        if (blank) {
            OGR_F_Destroy(f);
            empty++;
            continue;
        }
        for (int i = 0; i < st.n_src && !rc; i++) {
            int t = st.target[i];
            if (t < 0 && t != SRC_UUID)
                continue;
            if (!OGR_F_IsFieldSetAndNotNull(f, i))
                continue;
            const char *v = field_text(f, i, t >= 0 ? layer->fields[t].type : DM_FT_TEXT, buf,
                                       sizeof buf);
            long bad = bad_utf8_at(v);
            if (bad >= 0) {
                const char *name =
                    OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(st.ol), i));
                rc = dm__fail(ctx, DM_EPARSE,
                              "field '%s': byte %ld (0x%02X) is not UTF-8 (the file "
                              "is in another encoding, e.g. Latin-1 or Windows-1252: save it as "
                              "UTF-8)",
                              t >= 0 ? layer->fields[t].name : name, bad + 1,
                              (unsigned)(unsigned char)v[bad]);
                break;
            }
            if (t == SRC_UUID) {
                if (*v)
                    rc = dm_row_set_uuid(row, v);
            } else
                rc = dm_row_set(row, layer->fields[t].name, v);
        }
        for (size_t k = 0; k < o->n_set && !rc; k++)
            if (!dm_row_get(row, o->set_field[k]))
                rc = dm_row_set(row, o->set_field[k], o->set_value[k]);
        if (!rc)
            rc = set_provenance(&st, f, row);
        if (!rc && layer->geom_type) {
            const char *why = NULL;
            OGRGeometryH og = feature_geom(&st, f, &why);
            if (og) {
                dm_geom *g = NULL;
                rc = convert_geom(&st, og, &g, &res->repaired, no);
                if (!rc)
                    dm_row_set_geom(row, g);
            } else if (layer->geom_required || (why && strcmp(why, "no geometry") &&
                                                strcmp(why, "no coordinates"))) {
                rc = dm__fail(ctx, DM_EGEOM, "geometry: %s", why ? why : "missing");
            }
        }
        OGR_F_Destroy(f);
        int skip = 0;
        if (!rc) {
            char uuid[37];
            rc = dm_store_insert(s, row, uuid);
            if (!rc && seen_add(&seen, uuid, no))
                rc = dm__fail(ctx, DM_ENOMEM, "out of memory");
            if (rc == DM_ECONFLICT)
                rc = existing_row(&st, &seen, row, &skip);
        }
        if (skip) {
            res->skipped++;
            continue;
        }
        if (rc) {
            long line = is_csv ? csv_line_of(path, no) : 0;
            if (line > 0)
                dm__wrap(ctx, "%s: feature %ld (line %ld)", path, no, line);
            else
                dm__wrap(ctx, "%s: feature %ld", path, no);
            goto done;
        }
        res->rows++;
        dm__progress(ctx, "import", (uint64_t)no, total > 0 ? (uint64_t)total : 0);
    }
    if (cap.msg[0] && !res->rows) {
        rc = dm__fail(ctx, DM_EPARSE, "%s: %s", path, cap.msg);
        goto done;
    }
    if (empty)
        dm__log(ctx, DM_LOG_INFO, "%s: skipped %ld empty row%s", path, empty, empty == 1 ? "" : "s");
    if (st.zm_n) {
        char where[64] = "";
        long line = is_csv ? csv_line_of(path, st.zm_first) : 0;
        if (line > 0)
            snprintf(where, sizeof where, " (line %ld)", line);
        dm__log(ctx, DM_LOG_WARN,
                "%s: Z (height) or M (measure) coordinates dropped from %ld feature%s (the "
                "first: feature %ld%s): layer %s keeps x and y only",
                path, st.zm_n, st.zm_n == 1 ? "" : "s", st.zm_first, where, layer->name);
    }
    if (res->rows == 0 && !res->skipped)
        dm__log(ctx, DM_LOG_WARN, "%s: no features to import", path);
    rc = dm_store_commit(s);
    in_tx = 0;
    if (total > 0)
        dm__progress(ctx, "import", (uint64_t)total, (uint64_t)total);
done:
    if (in_tx)
        dm_store_rollback(s);
    if (rc)
        res->rows = res->skipped = 0;
    free(seen.uuid);
    free(seen.feature);
    dm_row_free(row);
    cleanup(&st);
    GDALClose(ds);
    dm__gdal_end(&cap);
    return rc;
}
