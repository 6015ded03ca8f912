/* SPDX-License-Identifier: MIT
 *
 * sensors_import.c -- flights and detections from GeoJSON, GeoPackage or CSV
 * (through OGR) into the database: every record is read and checked first,
 * then everything is written in one transaction. Re-importing is idempotent:
 * known flights (same ref, or same footprint and date) and known detections
 * (same flight, position, class and confidence) are skipped. Sensors and
 * flights may be named by their uuid (demine's own exports); a detection
 * must belong to its flight's sensor.
 */
#include "core/dm_internal.h"
#include "sensors/sensors_internal.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct in_flight {
    long feat;
    char ref[128], sensor[128], kind[32], date[11], org[128];
    char alt[32], gsd[32];
    char sensor_field[24]; /* the field that named the sensor */
    char src_uuid[37];     /* the file's `uuid` (an export of demine), kept when free */
    char suuid[37];        /* the sensor's uuid in the database */
    dm_geom *geom;
    char uuid[37]; /* in the database (existing or new) */
    int existing;
    long n_det;
} in_flight;

typedef struct in_det {
    long feat;
    double lon, lat;
    char flight[128], sensor[128], category[16], model[128], date[11];
    char flight_field[24], sensor_field[24]; /* the fields that named them */
    char src_uuid[37];                       /* the file's `uuid`, kept when free */
    double conf, pos_err;                    /* pos_err NAN when absent */
    int flight_idx;       /* index in the file's flights, or -1 (database flight) */
    char flight_uuid[37];
    int dup; /* the same detection as an earlier one of the file */
} in_det;

typedef struct imp {
    dm_store *s;
    dm_ctx *ctx;
    const char *path;
    int csv;
    int mag; /* a processed magnetometer survey: feature 0 is its flight, n its target n */
    in_flight *fl;
    size_t nfl, capfl;
    in_det *dt;
    size_t ndt, capdt;
} imp;

/* The largest footprint a flight may have (1000 km^2). */
#define SENSORS_MAX_FOOTPRINT_HA 100000.0

/* A YYYY-MM-DD date after tomorrow (UTC): a flight or detection cannot be
 * dated later (one day of slack for time zones ahead of UTC); `demine
 * check` flags such dates as errors. */
static int date_in_future(const char *ymd)
{
    time_t t = time(NULL) + 86400;
    struct tm tm;
    char tomorrow[16];
    if (!gmtime_r(&t, &tm) || !strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm))
        return 0;
    return strcmp(ymd, tomorrow) > 0;
}

static const char *where(const imp *im, long feat, char *buf, size_t n)
{
    if (im->mag && feat == 0)
        snprintf(buf, n, "%s", im->path);
    else if (im->mag)
        snprintf(buf, n, "%s: target %ld", im->path, feat);
    else if (im->csv)
        snprintf(buf, n, "%s: line %ld", im->path, feat + 1);
    else
        snprintf(buf, n, "%s: feature %ld", im->path, feat);
    return buf;
}

/* The first of names that f holds a value in (its name in *which when not NULL). */
static const char *field_str_at(OGRFeatureH f, const char *const *names, const char **which)
{
    OGRFeatureDefnH d = OGR_F_GetDefnRef(f);
    for (; *names; names++) {
        int i = OGR_FD_GetFieldIndex(d, *names);
        if (i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i)) {
            const char *v = OGR_F_GetFieldAsString(f, i);
            while (v && (*v == ' ' || *v == '\t'))
                v++;
            if (v && *v) {
                if (which)
                    *which = *names;
                return v;
            }
        }
    }
    return NULL;
}

static const char *field_str(OGRFeatureH f, const char *const *names)
{
    return field_str_at(f, names, NULL);
}

/* Copy the field's value (or fallback) to dst and the name of the field that
 * gave it to fname (fallback_name when the fallback was taken). */
static void copy_field_at(char *dst, size_t n, OGRFeatureH f, const char *const *names,
                          const char *fallback, char *fname, size_t fn, const char *fallback_name)
{
    const char *which = NULL;
    const char *v = field_str_at(f, names, &which);
    dm__strlcpy(dst, v ? v : fallback ? fallback : "", n);
    if (fname)
        dm__strlcpy(fname, v ? which : fallback_name ? fallback_name : names[0], fn);
}

static void copy_field(char *dst, size_t n, OGRFeatureH f, const char *const *names,
                       const char *fallback)
{
    copy_field_at(dst, n, f, names, fallback, NULL, 0, NULL);
}

/* A uuid as demine writes them (8-4-4-4-12 hexadecimal digits): the
 * sensor_id and flight_id of demine's own exports. */
static int is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

static int parse_real(const char *s, double *v)
{
    if (!s)
        return 1; /* absent */
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (errno || *end || !isfinite(*v))
        return -1;
    return 0;
}

/* "field 'name'", or the option itself ("--sensor") when an option gave the value. */
static const char *field_label(const char *name, char buf[48])
{
    if (!name || !*name)
        name = "sensor";
    if (name[0] == '-')
        snprintf(buf, 48, "%s", name);
    else
        snprintf(buf, 48, "field '%.30s'", name);
    return buf;
}

/* A uuid in the lower case demine stores them in. */
static void uuid_lower(char dst[37], const char *src)
{
    for (int i = 0; i < 36; i++)
        dst[i] = (char)(src[i] >= 'A' && src[i] <= 'F' ? src[i] - 'A' + 'a' : src[i]);
    dst[36] = 0;
}

/* The sensor whose field is value; 1 found (uuid, kind and name filled when
 * not NULL), 0 not, -1 error. */
static int find_sensor_by(dm_store *s, const char *field, const char *value, char uuid[37],
                          char kind[32], char name[128])
{
    dm_cursor *c = NULL;
    if (sensors__select_eq(s, "sensors", field, value, NULL, &c))
        return -1;
    int r = dm_cursor_next(c);
    if (r == 1) {
        dm__strlcpy(uuid, dm_cursor_uuid(c), 37);
        if (kind) {
            const char *k = dm_cursor_text(c, "kind");
            dm__strlcpy(kind, k ? k : "", 32);
        }
        if (name) {
            const char *n = dm_cursor_text(c, "name");
            dm__strlcpy(name, n ? n : "", 128);
        }
    }
    dm_cursor_free(c);
    return r;
}

/* Find a sensor by name; 1 found (uuid filled), 0 not, -1 error. */
static int find_sensor(dm_store *s, const char *name, char uuid[37], char kind[32])
{
    return find_sensor_by(s, "name", name, uuid, kind, NULL);
}

/* A sensor named in an import file: by uuid (demine's exports give
 * sensor_id), else by name. 1 found, 0 not, -1 error. */
static int find_sensor_named(dm_store *s, const char *value, char uuid[37], char kind[32],
                             char name[128])
{
    if (is_uuid(value)) {
        char u[37];
        uuid_lower(u, value);
        int r = find_sensor_by(s, "uuid", u, uuid, kind, name);
        if (r)
            return r;
    }
    return find_sensor_by(s, "name", value, uuid, kind, name);
}

/* The name of the sensor with this uuid (the uuid itself when it has none). */
static const char *sensor_name(dm_store *s, const char *uuid, char name[128])
{
    char u[37];
    if (find_sensor_by(s, "uuid", uuid, u, NULL, name) != 1 || !*name)
        dm__strlcpy(name, uuid, 128);
    dm_ctx_clear_error(dm_store_ctx(s));
    return name;
}

dm_status dm_sensor_upsert(dm_store *s, const char *name, const char *kind, const char *classes,
                           double p_detect, double false_alarms_ha, double position_error_m,
                           char uuid_out[37])
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (!name || !*name)
        return dm__fail(ctx, DM_EINVAL, "a sensor needs a name");
    /* negative means "keep or kind default"; NaN or infinity is no rate */
    if (isnan(p_detect) || p_detect > 1)
        return dm__fail(ctx, DM_EINVAL, "sensor '%s': field 'p_detect': %g is outside 0-1", name,
                        p_detect);
    if (isnan(false_alarms_ha) || isinf(false_alarms_ha))
        return dm__fail(ctx, DM_EINVAL,
                        "sensor '%s': field 'false_alarms_ha': %g is not a rate per hectare", name,
                        false_alarms_ha);
    if (isnan(position_error_m) || position_error_m > 1000)
        return dm__fail(ctx, DM_EINVAL,
                        "sensor '%s': field 'position_error_m': %g is not a distance in metres "
                        "(0-1000)",
                        name, position_error_m);
    unsigned set = 0, dset;
    int surf;
    double pd, far, pe;
    sensors__kind_defaults(kind, &dset, &surf, &pd, &far, &pe);
    if (classes && dm_class_set_parse(classes, &set))
        return dm__fail(ctx, DM_EPARSE, "field 'classes_seen': unknown ordnance class in '%s'",
                        classes);
    if (!classes)
        set = dset;
    char uuid[37] = "";
    int found = find_sensor(s, name, uuid, NULL);
    if (found < 0)
        return dm_ctx_errcode(ctx);
    dm_row *r = dm_row_new(ctx, dm_layer_find("sensors"));
    if (!r)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    char cls[64] = "";
    for (int c = 0; c < DM_CLASS_COUNT; c++)
        if (set & (1u << c)) {
            size_t l = strlen(cls);
            snprintf(cls + l, sizeof cls - l, "%s%s", l ? "," : "", dm_class_name(c));
        }
    dm_status st = dm_row_set(r, "name", name);
    if (!st && (kind || !found))
        st = dm_row_set(r, "kind", kind ? kind : "other");
    if (!st && (classes || !found))
        st = dm_row_set(r, "classes_seen", *cls ? cls : NULL);
    if (!st && !found)
        st = dm_row_set_int(r, "surface_only", surf);
    if (!st && (p_detect >= 0 || !found))
        st = dm_row_set_real(r, "p_detect", p_detect >= 0 ? p_detect : pd);
    if (!st && (false_alarms_ha >= 0 || !found))
        st = dm_row_set_real(r, "false_alarms_ha", false_alarms_ha >= 0 ? false_alarms_ha : far);
    if (!st && (position_error_m >= 0 || !found))
        st = dm_row_set_real(r, "position_error_m", position_error_m >= 0 ? position_error_m : pe);
    if (!st)
        st = found ? dm_store_update(s, uuid, r, "sensor settings") : dm_store_insert(s, r, uuid);
    dm_row_free(r);
    if (st)
        return dm__wrap(ctx, "sensor '%s'", name);
    if (uuid_out)
        memcpy(uuid_out, uuid, 37);
    return DM_OK;
}

/* Flight in the database whose field ("ref" or "uuid") is value: 1 (uuid
 * filled, and geom, date, its ref and its sensor's uuid when not NULL), 0,
 * -1 error. */
static int find_flight_by(dm_store *s, const char *field, const char *value, char uuid[37],
                          dm_geom **geom, char date[11], char ref[128], char sensor[37])
{
    dm_cursor *c = NULL;
    if (sensors__select_eq(s, "flights", field, value, NULL, &c))
        return -1;
    int r = dm_cursor_next(c);
    if (r == 1) {
        dm__strlcpy(uuid, dm_cursor_uuid(c), 37);
        if (geom && dm_cursor_geom(c, geom))
            r = -1;
        if (date) {
            const char *d = dm_cursor_text(c, "date");
            dm__strlcpy(date, d ? d : "", 11);
        }
        if (ref) {
            const char *v = dm_cursor_text(c, "ref");
            dm__strlcpy(ref, v ? v : "", 128);
        }
        if (sensor) {
            const char *v = dm_cursor_text(c, "sensor_id");
            dm__strlcpy(sensor, v ? v : "", 37);
        }
    }
    dm_cursor_free(c);
    return r;
}

/* Flight in the database with this ref: 1 (uuid filled), 0, -1 error. */
static int find_flight_ref(dm_store *s, const char *ref, char uuid[37], dm_geom **geom,
                           char date[11])
{
    return find_flight_by(s, "ref", ref, uuid, geom, date, NULL, NULL);
}

/* A flight a detection names: by ref, else by uuid (demine's exports give
 * flight_id). */
static int find_flight_named(dm_store *s, const char *value, char uuid[37], dm_geom **geom, char date[11])
{
    int r = find_flight_ref(s, value, uuid, geom, date);
    if (r == 0 && is_uuid(value)) {
        char u[37];
        uuid_lower(u, value);
        r = find_flight_by(s, "uuid", u, uuid, geom, date, NULL, NULL);
    }
    return r;
}

/* Share of a's area not covered by b, plus the reverse, relative to a. */
static double geom_mismatch(dm_ctx *ctx, const dm_geom *a, const dm_geom *b)
{
    dm_geom *d1 = NULL, *d2 = NULL;
    double aa = dm_geom_area(a), r = 1;
    if (aa > 0 && !dm_geom_difference(ctx, a, b, &d1) && !dm_geom_difference(ctx, b, a, &d2))
        r = (dm_geom_area(d1) + dm_geom_area(d2)) / aa;
    dm_geom_free(d1);
    dm_geom_free(d2);
    dm_ctx_clear_error(ctx);
    return r;
}

/* A ref-less flight in the database with the same footprint and date. */
static int find_flight_geom(dm_store *s, const dm_geom *g, const char *date, char uuid[37])
{
    double b[4];
    if (!dm_geom_bounds(g, b))
        return 0;
    dm_cursor *c = NULL;
    if (sensors__select_eq(s, "flights", "date", date && *date ? date : NULL, b, &c))
        return -1;
    int r, found = 0;
    while ((r = dm_cursor_next(c)) == 1) {
        dm_geom *h = NULL;
        if (dm_cursor_geom(c, &h)) {
            found = -1;
            break;
        }
        if (h && geom_mismatch(dm_store_ctx(s), g, h) < 1e-6) {
            dm__strlcpy(uuid, dm_cursor_uuid(c), 37);
            found = 1;
        }
        dm_geom_free(h);
        if (found)
            break;
    }
    if (r < 0)
        found = -1;
    dm_cursor_free(c);
    return found;
}

/* Is there a detection with this uuid? 1, 0, -1 error. */
static int find_det_uuid(dm_store *s, const char *uuid, char out[37])
{
    dm_cursor *c = NULL;
    if (sensors__select_eq(s, "detections", "uuid", uuid, NULL, &c))
        return -1;
    int r = dm_cursor_next(c);
    if (r == 1)
        dm__strlcpy(out, dm_cursor_uuid(c), 37);
    dm_cursor_free(c);
    return r;
}

/* Is the same detection already stored for this flight? */
static int detection_known(dm_store *s, const in_det *d)
{
    double e = 1e-7, b[4] = {d->lon - e, d->lat - e, d->lon + e, d->lat + e};
    dm_cursor *c = NULL;
    if (sensors__select_eq(s, "detections", "flight_id", d->flight_uuid, b, &c))
        return -1;
    int r, known = 0;
    while (!known && (r = dm_cursor_next(c)) == 1) {
        const char *cat = dm_cursor_text(c, "category");
        double conf = dm_cursor_real(c, "confidence", -1);
        int same_cat = (!cat && !*d->category) || (cat && !dm__strcasecmp(cat, d->category));
        if (same_cat && fabs(conf - d->conf) < 1e-9)
            known = 1;
    }
    dm_cursor_free(c);
    return known;
}

static int point_in(const dm_geom *poly, double lon, double lat, dm_ctx *ctx, double tol_deg)
{
    dm_geom *p = NULL;
    if (dm_geom_point(ctx, lon, lat, &p))
        return 0;
    int in = dm_geom_intersects(poly, p) || (tol_deg > 0 && dm_geom_distance(poly, p) <= tol_deg);
    dm_geom_free(p);
    return in;
}

static dm_status read_feature(imp *im, OGRFeatureH f, long feat, dm_transform *tr,
                              const dm_sensor_import_opts *o)
{
    dm_ctx *ctx = im->ctx;
    char w[600];
    static const char *const k_ref[] = {"ref", "flight_ref", "flight", "flight_id", "name", NULL};
    static const char *const k_flight[] = {"flight", "flight_ref", "flight_id", NULL};
    static const char *const k_sensor[] = {"sensor", "sensor_name", "sensor_id", NULL};
    static const char *const k_kind[] = {"sensor_kind", "kind", NULL};
    static const char *const k_date[] = {"date", "flight_date", "datetime", "time", NULL};
    static const char *const k_alt[] = {"altitude_m", "altitude", "alt", NULL};
    static const char *const k_gsd[] = {"gsd_cm", "gsd", NULL};
    static const char *const k_org[] = {"organisation", "organization", "operator", NULL};
    static const char *const k_conf[] = {"confidence", "conf", "score_0_1", "probability", NULL};
    static const char *const k_cat[] = {"category", "class", "ordnance", NULL};
    static const char *const k_model[] = {"model_version", "model", NULL};
    static const char *const k_perr[] = {"position_error_m", "position_error", "pos_err", NULL};
    static const char *const k_uuid[] = {"uuid", NULL};
    OGRGeometryH og = OGR_F_GetGeometryRef(f);
    if (!og || OGR_G_IsEmpty(og))
        return dm__fail(ctx, DM_EPARSE,
                        "%s: no geometry (a footprint polygon or a detection point%s)",
                        where(im, feat, w, sizeof w),
                        im->csv ? "; CSV files need lon,lat columns or a wkt column" : "");
    OGR_G_FlattenTo2D(og);
    int wkbsize = OGR_G_WkbSize(og);
    unsigned char *wkb = dm_malloc(ctx, (size_t)wkbsize);
    if (!wkb)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    OGR_G_ExportToWkb(og, wkbNDR, wkb);
    dm_geom *g = NULL, *g2 = NULL;
    dm_status st = dm_geom_from_wkb(ctx, wkb, (size_t)wkbsize, &g);
    dm_free(ctx, wkb);
    if (st)
        return dm__wrap(ctx, "%s", where(im, feat, w, sizeof w));
    if (tr) {
        st = dm_geom_transform(ctx, tr, g, &g2);
        dm_geom_free(g);
        if (st)
            return dm__wrap(ctx, "%s", where(im, feat, w, sizeof w));
        g = g2;
    }
    double b[4];
    dm_geom_bounds(g, b);
    if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: coordinates (%.6g, %.6g) are not longitude/latitude; the file "
                        "declares no CRS, so they were read as WGS 84",
                        where(im, feat, w, sizeof w), b[0], b[1]);
    }
    dm_geom_type t = dm_geom_type_of(g);
    char date[11] = "", dbuf[64] = "";
    const char *dv = field_str(f, k_date);
    if (dv) {
        /* OGR writes its Date fields as YYYY/MM/DD */
        dm__strlcpy(dbuf, dv, sizeof dbuf);
        if (strlen(dbuf) >= 10 && dbuf[4] == '/' && dbuf[7] == '/')
            dbuf[4] = dbuf[7] = '-';
        dv = dbuf;
    }
    if (dv && !dm_date_parse(dv, date)) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EPARSE, "%s: field 'date': '%s' is not a date",
                        where(im, feat, w, sizeof w), dv);
    }
    if (!dv && o && o->date && !dm_date_parse(o->date, date)) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EINVAL, "--date '%s' is not a date", o->date);
    }
    if (*date && date_in_future(date)) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EPARSE, "%s: %s %s is in the future",
                        where(im, feat, w, sizeof w), dv ? "field 'date':" : "--date", date);
    }
    if (t == DM_GEOM_POLYGON || t == DM_GEOM_MULTIPOLYGON) {
        char why[128];
        if (!dm_geom_is_valid(g, why, sizeof why, NULL, NULL)) {
            dm_geom *v = NULL;
            if (dm_geom_make_valid(ctx, g, &v)) {
                dm_geom_free(g);
                return dm__wrap(ctx, "%s", where(im, feat, w, sizeof w));
            }
            dm__log(ctx, DM_LOG_WARN, "%s: footprint invalid (%s), repaired",
                    where(im, feat, w, sizeof w), why);
            dm_geom_free(g);
            g = v;
        }
        if (dm_geom_is_empty(g) || dm_geom_area(g) <= 0) {
            dm_geom_free(g);
            return dm__fail(ctx, DM_EPARSE, "%s: the flight footprint is empty",
                            where(im, feat, w, sizeof w));
        }
        {
            /* negative evidence over a country (an area of interest or a
             * bounding box given as the footprint) would lower the odds
             * everywhere: no survey flight covers 1000 km^2 */
            double ha = NAN;
            if (dm_geom_area_ha(ctx, g, &ha) != DM_OK)
                ha = NAN;
            dm_ctx_clear_error(ctx);
            if (!(ha <= SENSORS_MAX_FOOTPRINT_HA)) {
                dm_geom_free(g);
                if (isfinite(ha))
                    return dm__fail(ctx, DM_EPARSE,
                                    "%s: the flight footprint covers %.0f km^2, more than any "
                                    "survey flight (%.0f km^2): give the ground that was flown, "
                                    "not an area of interest",
                                    where(im, feat, w, sizeof w), ha / 100,
                                    SENSORS_MAX_FOOTPRINT_HA / 100);
                return dm__fail(ctx, DM_EPARSE,
                                "%s: the flight footprint spans too much of the globe to measure "
                                "(more than any survey flight, %.0f km^2)",
                                where(im, feat, w, sizeof w), SENSORS_MAX_FOOTPRINT_HA / 100);
            }
        }
        if (im->nfl == im->capfl) {
            size_t nc = im->capfl ? 2 * im->capfl : 16;
            in_flight *p = dm_realloc(ctx, im->fl, nc * sizeof *p);
            if (!p) {
                dm_geom_free(g);
                return dm__fail(ctx, DM_ENOMEM, "out of memory");
            }
            im->fl = p;
            im->capfl = nc;
        }
        in_flight *fl = &im->fl[im->nfl];
        memset(fl, 0, sizeof *fl);
        fl->feat = feat;
        fl->geom = g;
        im->nfl++;
        copy_field(fl->ref, sizeof fl->ref, f, k_ref, NULL);
        copy_field_at(fl->sensor, sizeof fl->sensor, f, k_sensor, o ? o->sensor : NULL,
                      fl->sensor_field, sizeof fl->sensor_field, "--sensor");
        const char *uv = field_str(f, k_uuid);
        if (is_uuid(uv))
            uuid_lower(fl->src_uuid, uv);
        copy_field(fl->kind, sizeof fl->kind, f, k_kind, NULL);
        copy_field(fl->org, sizeof fl->org, f, k_org, NULL);
        copy_field(fl->alt, sizeof fl->alt, f, k_alt, NULL);
        copy_field(fl->gsd, sizeof fl->gsd, f, k_gsd, NULL);
        memcpy(fl->date, date, sizeof date);
        if (!*fl->sensor)
            return dm__fail(ctx, DM_EPARSE,
                            "%s: field 'sensor': missing (name the sensor flown, or give "
                            "--sensor)",
                            where(im, feat, w, sizeof w));
        double v;
        if (parse_real(*fl->alt ? fl->alt : NULL, &v) < 0)
            return dm__fail(ctx, DM_EPARSE, "%s: field 'altitude_m': '%s' is not a number",
                            where(im, feat, w, sizeof w), fl->alt);
        if (parse_real(*fl->gsd ? fl->gsd : NULL, &v) < 0)
            return dm__fail(ctx, DM_EPARSE, "%s: field 'gsd_cm': '%s' is not a number",
                            where(im, feat, w, sizeof w), fl->gsd);
        return DM_OK;
    }
    if (t != DM_GEOM_POINT) {
        dm_geom_free(g);
        return dm__fail(ctx, DM_EPARSE,
                        "%s: a %s is neither a flight footprint (polygon) nor a detection (point)",
                        where(im, feat, w, sizeof w), dm_geom_type_name(t));
    }
    double lon, lat;
    dm_geom_centroid_xy(g, &lon, &lat);
    dm_geom_free(g);
    if (im->ndt == im->capdt) {
        size_t nc = im->capdt ? 2 * im->capdt : 64;
        in_det *p = dm_realloc(ctx, im->dt, nc * sizeof *p);
        if (!p)
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        im->dt = p;
        im->capdt = nc;
    }
    in_det *d = &im->dt[im->ndt++];
    memset(d, 0, sizeof *d);
    d->feat = feat;
    d->lon = lon;
    d->lat = lat;
    d->flight_idx = -1;
    memcpy(d->date, date, sizeof date);
    copy_field_at(d->flight, sizeof d->flight, f, k_flight, o ? o->flight_ref : NULL,
                  d->flight_field, sizeof d->flight_field, "--flight-ref");
    if (o && o->flight_ref && *o->flight_ref) {
        dm__strlcpy(d->flight, o->flight_ref, sizeof d->flight);
        dm__strlcpy(d->flight_field, "--flight-ref", sizeof d->flight_field);
    }
    copy_field_at(d->sensor, sizeof d->sensor, f, k_sensor, NULL, d->sensor_field,
                  sizeof d->sensor_field, NULL);
    const char *uv = field_str(f, k_uuid);
    if (is_uuid(uv))
        uuid_lower(d->src_uuid, uv);
    copy_field(d->model, sizeof d->model, f, k_model, NULL);
    const char *cat = field_str(f, k_cat);
    if (cat) {
        int ci = dm_class_index(cat);
        if (ci < 0)
            return dm__fail(ctx, DM_EPARSE,
                            "%s: field 'category': '%s' is not an ordnance class "
                            "(AP, AT, UXO, AXO, IED, SUB, other)",
                            where(im, feat, w, sizeof w), cat);
        dm__strlcpy(d->category, dm_class_name(ci), sizeof d->category);
    }
    const char *cv = field_str(f, k_conf);
    int pr = parse_real(cv, &d->conf);
    if (pr > 0)
        return dm__fail(ctx, DM_EPARSE, "%s: field 'confidence': missing",
                        where(im, feat, w, sizeof w));
    if (pr < 0)
        return dm__fail(ctx, DM_EPARSE, "%s: field 'confidence': '%s' is not a number",
                        where(im, feat, w, sizeof w), cv);
    if (d->conf < 0 || d->conf > 1)
        return dm__fail(ctx, DM_EPARSE, "%s: field 'confidence': %g is outside 0-1",
                        where(im, feat, w, sizeof w), d->conf);
    const char *pe = field_str(f, k_perr);
    d->pos_err = NAN;
    if (parse_real(pe, &d->pos_err) < 0 || (pe && (d->pos_err < 0 || d->pos_err > 1000)))
        return dm__fail(ctx, DM_EPARSE,
                        "%s: field 'position_error_m': '%s' is not a distance in metres (0-1000)",
                        where(im, feat, w, sizeof w), pe);
    return DM_OK;
}

static void imp_free(imp *im)
{
    for (size_t i = 0; i < im->nfl; i++)
        dm_geom_free(im->fl[i].geom);
    dm_free(im->ctx, im->fl);
    dm_free(im->ctx, im->dt);
}

/* The sensor `name` (a name, or the uuid of a sensor in the database) given
 * in field: its uuid, created (kind `kind`, or other) when the database has
 * no sensor of that name. A uuid that is no sensor's is refused: it names a
 * sensor of another database, not a new one. */
static dm_status resolve_sensor(imp *im, const char *name, const char *kind, const char *field,
                                char uuid[37], dm_sensor_import_stats *stats)
{
    char have[32] = "", sname[128] = "";
    int r = find_sensor_named(im->s, name, uuid, have, sname);
    if (r < 0)
        return dm_ctx_errcode(im->ctx);
    if (r == 1) {
        /* a magnetometer survey filed under a camera would lower the odds
         * of surface AP mines as the camera would */
        if (kind && *kind && *have && dm__strcasecmp(have, "other") && dm__strcasecmp(kind, have))
            return dm__fail(im->ctx, DM_ECONFLICT,
                            "field 'sensor_kind': sensor '%s' is a %s in the database, not a "
                            "%s; name the sensor flown",
                            *sname ? sname : name, have, kind);
        return DM_OK;
    }
    char fl[48];
    if (is_uuid(name))
        return dm__fail(im->ctx, DM_ENOTFOUND,
                        "%s: no sensor with uuid %s in the database (import the sensors layer "
                        "of the database the file comes from first: demine import DB --layer "
                        "sensors FILE; or name the sensor)",
                        field_label(field, fl), name);
    const char *k = kind && *kind ? kind : "other";
    if (!kind || !*kind)
        dm__log(im->ctx, DM_LOG_WARN,
                "%s: sensor '%s' is new and its kind is not given (field sensor_kind); created "
                "as 'other', which lowers no odds until `demine sensors add` sets its kind",
                im->path, name);
    dm_status st = dm_sensor_upsert(im->s, name, k, NULL, -1, -1, -1, uuid);
    if (!st && stats)
        stats->sensors_added++;
    return st;
}

/* Order of detections by flight, position, class and confidence. */
static int cmp_det(const void *pa, const void *pb)
{
    const in_det *a = *(const in_det *const *)pa, *b = *(const in_det *const *)pb;
    if (a->flight_idx != b->flight_idx)
        return a->flight_idx < b->flight_idx ? -1 : 1;
    if (a->lon != b->lon)
        return a->lon < b->lon ? -1 : 1;
    if (a->lat != b->lat)
        return a->lat < b->lat ? -1 : 1;
    int c = dm__strcasecmp(a->category, b->category);
    if (c)
        return c;
    if (a->conf != b->conf)
        return a->conf < b->conf ? -1 : 1;
    return a->feat < b->feat ? -1 : a->feat > b->feat;
}

/* Mark the detections of a file's own flights that repeat an earlier one
 * (same flight, position, class and confidence): the database check does
 * not see them, as a new flight has no stored detections to compare. */
static dm_status mark_duplicates(imp *im)
{
    if (im->ndt < 2)
        return DM_OK;
    in_det **ix = malloc(im->ndt * sizeof *ix);
    if (!ix)
        return dm__fail(im->ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < im->ndt; i++)
        ix[i] = &im->dt[i];
    qsort(ix, im->ndt, sizeof *ix, cmp_det);
    for (size_t i = 1; i < im->ndt; i++) {
        const in_det *a = ix[i - 1];
        in_det *b = ix[i];
        if (a->flight_idx >= 0 && a->flight_idx == b->flight_idx && a->lon == b->lon &&
            a->lat == b->lat && !dm__strcasecmp(a->category, b->category) && a->conf == b->conf)
            b->dup = 1;
    }
    free(ix);
    return DM_OK;
}

/* Write checked flights and detections (inside the caller's transaction). */
static dm_status write_all(imp *im, dm_sensor_import_stats *stats)
{
    dm_ctx *ctx = im->ctx;
    char w[600];
    dm_status st = DM_OK;
    const dm_layer_def *lf = dm_layer_find("flights"), *ld = dm_layer_find("detections");
    for (size_t i = 0; i < im->nfl; i++) {
        in_flight *fl = &im->fl[i];
        char *suuid = fl->suuid;
        if ((st = resolve_sensor(im, fl->sensor, fl->kind, fl->sensor_field, suuid, stats)))
            return dm__wrap(ctx, "%s", where(im, fl->feat, w, sizeof w));
        int r = 0, by_uuid = 0;
        char osensor[37] = "";
        dm_geom *old = NULL;
        char odate[11] = "";
        /* an exported flight comes back to its own row (its uuid), else
         * to the flight with its ref */
        if (*fl->src_uuid) {
            r = find_flight_by(im->s, "uuid", fl->src_uuid, fl->uuid, &old, odate, NULL, osensor);
            by_uuid = r == 1;
        }
        if (r == 0 && *fl->ref)
            r = find_flight_by(im->s, "ref", fl->ref, fl->uuid, &old, odate, NULL, osensor);
        if (*fl->ref || by_uuid) {
            if (r == 1) {
                double mis = old ? geom_mismatch(ctx, fl->geom, old) : 1;
                dm_geom_free(old);
                old = NULL;
                long twin = -1;
                for (size_t j = 0; j < i && twin < 0; j++)
                    if (!im->fl[j].existing && !strcmp(im->fl[j].uuid, fl->uuid))
                        twin = im->fl[j].feat;
                if (twin >= 0 && (mis > 0.01 || (*fl->date && *odate && strcmp(fl->date, odate))))
                    return dm__fail(ctx, DM_ECONFLICT,
                                    "%s: flight '%s' is given twice in the file (also %s %ld) "
                                    "with another %s; give each flight its own ref",
                                    where(im, fl->feat, w, sizeof w), fl->ref,
                                    im->csv ? "line" : "feature", im->csv ? twin + 1 : twin,
                                    mis > 0.01 ? "footprint" : "date");
                if (mis > 0.01 || (*fl->date && *odate && strcmp(fl->date, odate)))
                    return dm__fail(ctx, DM_ECONFLICT,
                                    "%s: flight '%s' is already in the database with another "
                                    "%s; give this flight another ref",
                                    where(im, fl->feat, w, sizeof w), *fl->ref ? fl->ref : fl->uuid,
                                    mis > 0.01 ? "footprint" : "date");
                /* its detections would be filed under the sensor of the file */
                if (*osensor && strcmp(osensor, suuid)) {
                    char a[128], b[128], lb[48];
                    return dm__fail(ctx, DM_ECONFLICT,
                                    "%s: %s: flight '%s' is already in the database, "
                                    "flown with sensor '%s', not '%s'",
                                    where(im, fl->feat, w, sizeof w), field_label(fl->sensor_field, lb),
                                    *fl->ref ? fl->ref : fl->uuid, sensor_name(im->s, osensor, a),
                                    sensor_name(im->s, suuid, b));
                }
            }
        } else {
            r = find_flight_geom(im->s, fl->geom, fl->date, fl->uuid);
        }
        dm_geom_free(old);
        if (r < 0)
            return dm__wrap(ctx, "%s", where(im, fl->feat, w, sizeof w));
        if (r == 1) {
            fl->existing = 1;
            if (stats)
                stats->flights_skipped++;
            continue;
        }
        dm_row *row = dm_row_new(ctx, lf);
        dm_geom *g = NULL;
        if (!row || dm_geom_clone(ctx, fl->geom, &g)) {
            dm_row_free(row);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
        dm_row_set_geom(row, g);
        st = dm_row_set(row, "sensor_id", suuid);
        if (!st && *fl->src_uuid) /* free: looked up above */
            st = dm_row_set_uuid(row, fl->src_uuid);
        if (!st && *fl->ref)
            st = dm_row_set(row, "ref", fl->ref);
        if (!st && *fl->date)
            st = dm_row_set(row, "date", fl->date);
        if (!st && *fl->alt)
            st = dm_row_set(row, "altitude_m", fl->alt);
        if (!st && *fl->gsd)
            st = dm_row_set(row, "gsd_cm", fl->gsd);
        if (!st && *fl->org)
            st = dm_row_set(row, "organisation", fl->org);
        if (!st)
            st = dm_store_insert(im->s, row, fl->uuid);
        dm_row_free(row);
        if (st)
            return dm__wrap(ctx, "%s", where(im, fl->feat, w, sizeof w));
        if (stats)
            stats->flights_added++;
    }
    if ((st = mark_duplicates(im)))
        return st;
    for (size_t i = 0; i < im->ndt; i++) {
        in_det *d = &im->dt[i];
        char suuid[37] = "";
        dm__progress(ctx, "sensors import: writing detections", (uint64_t)i + 1,
                     (uint64_t)im->ndt);
        const in_flight *fl = d->flight_idx >= 0 ? &im->fl[d->flight_idx] : NULL;
        if (fl)
            memcpy(d->flight_uuid, fl->uuid, 37);
        /* the flight's sensor: the file's for a new flight, the stored one
         * for a flight the database holds */
        char fsu[37] = "", fref[128] = "", fu[37];
        if (fl && !fl->existing) {
            memcpy(fsu, fl->suuid, 37);
            dm__strlcpy(fref, fl->ref, sizeof fref);
        } else if (find_flight_by(im->s, "uuid", d->flight_uuid, fu, NULL, NULL, fref, fsu) < 0) {
            return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
        }
        if (*d->sensor && *fsu) {
            /* a detection is evidence of its flight's sensor: filed under
             * another, it would raise the odds as that sensor would (and a
             * name the database lacks would make a sensor that sees nothing) */
            char dname[128] = "", kind[32];
            int r = find_sensor_named(im->s, d->sensor, suuid, kind, dname);
            if (r < 0)
                return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
            if (r == 0 || strcmp(suuid, fsu)) {
                char fname[128], lb[48];
                return dm__fail(ctx, DM_ECONFLICT,
                                "%s: %s: sensor '%s'%s is not its flight's: flight '%s' "
                                "was flown with '%s' (a detection belongs to the sensor of its "
                                "flight; give the other sensor's detections its own flight)",
                                where(im, d->feat, w, sizeof w), field_label(d->sensor_field, lb),
                                r ? dname : d->sensor, r ? "" : " (not in the database)",
                                *fref ? fref : d->flight_uuid, sensor_name(im->s, fsu, fname));
            }
        } else if (*d->sensor) {
            /* a flight stored without a sensor: the detection names it */
            if ((st = resolve_sensor(im, d->sensor, NULL, d->sensor_field, suuid, stats)))
                return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
        } else {
            memcpy(suuid, fsu, 37);
        }
        int known = d->dup ? 1 : (fl && !fl->existing) ? 0 : detection_known(im->s, d);
        if (known < 0)
            return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
        if (known) {
            if (stats)
                stats->detections_skipped++;
            continue;
        }
        dm_row *row = dm_row_new(ctx, ld);
        dm_geom *g = NULL;
        if (!row || dm_geom_point(ctx, d->lon, d->lat, &g)) {
            dm_row_free(row);
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
        }
        dm_row_set_geom(row, g);
        st = dm_row_set(row, "flight_id", d->flight_uuid);
        if (!st && *suuid)
            st = dm_row_set(row, "sensor_id", suuid);
        if (!st && *d->src_uuid && !d->dup) {
            /* an exported detection keeps its uuid when the database has no row of it */
            char ou[37];
            int r = find_det_uuid(im->s, d->src_uuid, ou);
            if (r < 0)
                st = dm_ctx_errcode(ctx);
            else if (r == 0)
                st = dm_row_set_uuid(row, d->src_uuid);
        }
        if (!st && *d->category)
            st = dm_row_set(row, "category", d->category);
        if (!st)
            st = dm_row_set_real(row, "confidence", d->conf);
        if (!st && *d->model)
            st = dm_row_set(row, "model_version", d->model);
        if (!st && isfinite(d->pos_err))
            st = dm_row_set_real(row, "position_error_m", d->pos_err);
        const char *date = *d->date ? d->date : fl && *fl->date ? fl->date : NULL;
        if (!st && date)
            st = dm_row_set(row, "date", date);
        if (!st)
            st = dm_store_insert(im->s, row, NULL);
        dm_row_free(row);
        if (st)
            return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
        if (stats)
            stats->detections_added++;
    }
    return DM_OK;
}

/* write_all in one transaction, rolled back on an error (its message kept);
 * then the flights that brought no detection are counted. */
static dm_status write_in_transaction(imp *im, dm_sensor_import_stats *stats)
{
    dm_status st = dm_store_begin(im->s);
    if (st)
        return st;
    st = write_all(im, stats);
    if (st) {
        char msg[1024];
        dm__strlcpy(msg, dm_ctx_errmsg(im->ctx), sizeof msg);
        dm_store_rollback(im->s);
        return dm__fail(im->ctx, st, "%s", msg);
    }
    st = dm_store_commit(im->s);
    if (!st && stats)
        for (size_t i = 0; i < im->nfl; i++)
            if (!im->fl[i].n_det && !im->fl[i].existing)
                stats->empty_flights++;
    /* a flight without a date counts at every --until (also one before it
     * was flown): said, so that a footprint file without dates is noticed */
    size_t undated = 0, first = 0;
    for (size_t i = 0; !st && i < im->nfl; i++)
        if (!im->fl[i].existing && !*im->fl[i].date && !undated++)
            first = i;
    if (undated) {
        char w[600];
        dm__log(im->ctx, DM_LOG_WARN,
                "%zu flight%s added without a date (the first, %s; give a 'date' field or --date): "
                "%s count%s as flown before any --until date",
                undated, undated > 1 ? "s" : "", where(im, im->fl[first].feat, w, sizeof w),
                undated > 1 ? "they" : "it", undated > 1 ? "" : "s");
    }
    return st;
}

/* A detection dated before the flight that made it: at an --until between
 * the two it would count without its flight (a typing or time-zone slip of
 * more than a day, or a detection filed under the wrong flight). */
static dm_status check_det_date(imp *im, const in_det *d, const char *flight, const char *fdate)
{
    if (!*d->date || !fdate || !*fdate || strcmp(d->date, fdate) >= 0)
        return DM_OK;
    char w[600];
    return dm__fail(im->ctx, DM_EPARSE,
                    "%s: field 'date': %s is before the date of its flight '%s' (%s): a detection "
                    "cannot precede the flight that made it",
                    where(im, d->feat, w, sizeof w), d->date, flight, fdate);
}

/* Attach each detection to a flight: by ref (in the file or the database),
 * else the file's flight whose footprint holds it. */
static dm_status link_detections(imp *im)
{
    dm_ctx *ctx = im->ctx;
    dm_status st;
    char w[600];
    for (size_t i = 0; i < im->ndt; i++) {
        in_det *d = &im->dt[i];
        /* tolerance: the position error, at least 0.5 m, in degrees */
        double tol_m = isfinite(d->pos_err) && d->pos_err > 0.5 ? d->pos_err : 0.5;
        double tol = tol_m / 111320.0;
        if (*d->flight) {
            /* by ref, or by the uuid an export of demine gives */
            int by_uuid = is_uuid(d->flight);
            char fu[37] = "";
            if (by_uuid)
                uuid_lower(fu, d->flight);
            for (size_t k = 0; k < im->nfl && d->flight_idx < 0; k++)
                if (!strcmp(im->fl[k].ref, d->flight))
                    d->flight_idx = (int)k;
            for (size_t k = 0; by_uuid && k < im->nfl && d->flight_idx < 0; k++)
                if (!strcmp(im->fl[k].src_uuid, fu))
                    d->flight_idx = (int)k;
            const dm_geom *poly = d->flight_idx >= 0 ? im->fl[d->flight_idx].geom : NULL;
            dm_geom *dbpoly = NULL;
            char fdate[11] = "";
            if (poly)
                memcpy(fdate, im->fl[d->flight_idx].date, sizeof fdate);
            if (!poly) {
                int r = find_flight_named(im->s, d->flight, d->flight_uuid, &dbpoly, fdate);
                if (r < 0)
                    return dm__wrap(ctx, "%s", where(im, d->feat, w, sizeof w));
                char lb[48];
                if (r == 0 && by_uuid)
                    return dm__fail(ctx, DM_ENOTFOUND,
                                    "%s: %s: no flight with uuid %s (or ref '%s') in the file "
                                    "or the database (import the flights first)",
                                    where(im, d->feat, w, sizeof w), field_label(d->flight_field, lb),
                                    d->flight, d->flight);
                if (r == 0)
                    return dm__fail(ctx, DM_ENOTFOUND,
                                    "%s: %s: no flight '%s' in the file or the database",
                                    where(im, d->feat, w, sizeof w), field_label(d->flight_field, lb),
                                    d->flight);
                poly = dbpoly;
            }
            int in = poly && point_in(poly, d->lon, d->lat, ctx, tol);
            dm_geom_free(dbpoly);
            if (!in)
                return dm__fail(ctx, DM_EPARSE,
                                "%s: detection at (%.7f, %.7f) lies outside the footprint of "
                                "flight '%s'",
                                where(im, d->feat, w, sizeof w), d->lon, d->lat, d->flight);
            if ((st = check_det_date(im, d, d->flight, fdate)))
                return st;
        } else {
            for (size_t k = 0; k < im->nfl && d->flight_idx < 0; k++)
                if (point_in(im->fl[k].geom, d->lon, d->lat, ctx, tol))
                    d->flight_idx = (int)k;
            if (d->flight_idx < 0)
                return dm__fail(ctx, DM_EPARSE,
                                "%s: detection at (%.7f, %.7f) lies outside every flight "
                                "footprint (give its flight in a 'flight' field or --flight-ref)",
                                where(im, d->feat, w, sizeof w), d->lon, d->lat);
            const in_flight *fl = &im->fl[d->flight_idx];
            if ((st = check_det_date(im, d, *fl->ref ? fl->ref : "(no ref)", fl->date)))
                return st;
        }
        if (d->flight_idx >= 0)
            im->fl[d->flight_idx].n_det++;
    }
    return DM_OK;
}

dm_status dm_sensors_import(dm_store *s, const char *path, const dm_sensor_import_opts *opts,
                            dm_sensor_import_stats *stats)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (stats)
        memset(stats, 0, sizeof *stats);
    sensors__gdal_init();
    char **oo = NULL;
    oo = CSLAddString(oo, "X_POSSIBLE_NAMES=lon,longitude,long,lng,x");
    oo = CSLAddString(oo, "Y_POSSIBLE_NAMES=lat,latitude,y");
    oo = CSLAddString(oo, "GEOM_POSSIBLE_NAMES=wkt,geometry,footprint,geom");
    oo = CSLAddString(oo, "KEEP_GEOM_COLUMNS=NO");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds =
        GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, (const char *const *)oo, NULL);
    CPLPopErrorHandler();
    CSLDestroy(oo);
    if (!ds)
        return dm__vector_open_fail(ctx, path, NULL, CPLGetLastErrorMsg());
    imp im = {0};
    im.s = s;
    im.ctx = ctx;
    im.path = path;
    const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    im.csv = drv && !strcmp(drv, "CSV");
    dm_status st = DM_OK;
    int nl = GDALDatasetGetLayerCount(ds);
    long total = 0;
    for (int li = 0; li < nl && !st; li++) {
        OGRLayerH lay = GDALDatasetGetLayer(ds, li);
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lay);
        dm_transform *tr = NULL;
        if (srs) {
            const char *auth = OSRGetAuthorityCode(srs, NULL);
            int is4326 = OSRIsGeographic(srs) && auth && !strcmp(auth, "4326");
            if (!is4326) {
                char *wkt = NULL;
                OSRExportToWkt(srs, &wkt);
                st = dm_transform_new(ctx, wkt, "EPSG:4326", &tr);
                CPLFree(wkt);
                if (st) {
                    st = dm__wrap(ctx, "%s: layer %d CRS", path, li + 1);
                    break;
                }
            }
        }
        OGR_L_ResetReading(lay);
        OGRFeatureH f;
        long feat = 0;
        GIntBig nfeat = OGR_L_GetFeatureCount(lay, 0); /* -1 when not cheap to know */
        while (!st && (f = OGR_L_GetNextFeature(lay))) {
            feat++;
            total++;
            st = read_feature(&im, f, im.csv ? feat : feat, tr, opts);
            OGR_F_Destroy(f);
            if (nfeat > 0)
                dm__progress(ctx, "sensors import: reading", (uint64_t)feat, (uint64_t)nfeat);
        }
        dm_transform_free(tr);
    }
    GDALClose(ds);
    if (!st && total == 0)
        st = dm__fail(ctx, DM_EPARSE, "%s: no flights or detections in the file", path);
    if (!st && im.nfl == 0 && !(opts && opts->flight_ref)) {
        int any_ref = 0;
        for (size_t i = 0; i < im.ndt; i++)
            any_ref |= im.dt[i].flight[0] != 0;
        if (!any_ref)
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: detections without any flight: add the flight footprint to the "
                          "file, a 'flight' field, or --flight-ref",
                          path);
    }
    if (!st)
        st = link_detections(&im);
    if (!st)
        st = write_in_transaction(&im, stats);
    imp_free(&im);
    return st;
}

/* ---- magnetometer surveys into the database ----------------------------- */

dm_status dm_mag_import(dm_store *s, const dm_mag_result *r, const char *source,
                        const char *flight_ref, const char *sensor, const char *date,
                        dm_sensor_import_stats *stats)
{
    dm_ctx *ctx = dm_store_ctx(s);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!r->coverage)
        return dm__fail(ctx, DM_EINVAL, "the survey has no coverage polygon");
    if (!flight_ref || !*flight_ref)
        return dm__fail(ctx, DM_EINVAL, "a magnetometer survey needs a flight ref (--flight-ref)");
    char d[11] = "";
    if (date && !dm_date_parse(date, d))
        return dm__fail(ctx, DM_EINVAL, "'%s' is not a date", date);
    if (*d && date_in_future(d))
        return dm__fail(ctx, DM_EINVAL, "--date %s is in the future", d);
    imp im = {0};
    im.s = s;
    im.ctx = ctx;
    im.path = source && *source ? source : "magnetometer survey";
    im.mag = 1;
    im.fl = dm_calloc(ctx, 1, sizeof *im.fl);
    im.dt = dm_calloc(ctx, r->n_targets ? r->n_targets : 1, sizeof *im.dt);
    if (!im.fl || !im.dt) {
        imp_free(&im);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    im.nfl = 1;
    in_flight *fl = &im.fl[0];
    dm__strlcpy(fl->ref, flight_ref, sizeof fl->ref);
    dm__strlcpy(fl->sensor, sensor && *sensor ? sensor : "magnetometer", sizeof fl->sensor);
    dm__strlcpy(fl->kind, "magnetometer", sizeof fl->kind);
    memcpy(fl->date, d, sizeof d);
    dm_status st = dm_geom_clone(ctx, r->coverage, &fl->geom);
    for (size_t i = 0; !st && i < r->n_targets; i++) {
        in_det *t = &im.dt[im.ndt++];
        t->feat = (long)i + 1;
        t->lon = r->targets[i].lon;
        t->lat = r->targets[i].lat;
        t->conf = floor(sensors__mag_confidence(r->targets[i].snr) * 1e6 + 0.5) / 1e6;
        t->pos_err = NAN;
        t->flight_idx = 0;
        dm__strlcpy(t->flight, flight_ref, sizeof t->flight);
        dm__strlcpy(t->model, "demine-mag-1", sizeof t->model);
        memcpy(t->date, d, sizeof d);
        fl->n_det++;
    }
    if (!st)
        st = write_in_transaction(&im, stats);
    imp_free(&im);
    return st;
}
