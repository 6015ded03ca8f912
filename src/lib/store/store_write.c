/* SPDX-License-Identifier: MIT
 *
 * store_write.c -- rows and every write to the database: checking a row
 * against its layer, insert, update, delete, and the change log that records
 * each of them with author, time, reason, old and new values.
 *
 * Nothing is overwritten without a log entry: update and delete read the
 * old values first and keep them in the log.
 */
#include "store_internal.h"

#include "geom/geom_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dm_row {
    dm_ctx *ctx;
    const dm_layer_def *layer;
    char **value;       /* per field; NULL = SQL NULL */
    unsigned char *set; /* per field: was it set? */
    dm_geom *geom;
    int geom_set;
    char uuid[37];
    /* provenance carried from another database (imports of an export);
     * empty: now and the context's author */
    char created[25], updated[25];
    char *author;
};

dm_row *dm_row_new(dm_ctx *ctx, const dm_layer_def *layer)
{
    dm_row *r = dm_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    r->ctx = ctx;
    r->layer = layer;
    r->value = dm_calloc(ctx, layer->n_fields ? layer->n_fields : 1, sizeof *r->value);
    r->set = dm_calloc(ctx, layer->n_fields ? layer->n_fields : 1, 1);
    if (!r->value || !r->set) {
        dm_row_free(r);
        return NULL;
    }
    return r;
}

void dm_row_clear(dm_row *r)
{
    for (size_t i = 0; i < r->layer->n_fields; i++) {
        dm_free(r->ctx, r->value[i]);
        r->value[i] = NULL;
        r->set[i] = 0;
    }
    dm_geom_free(r->geom);
    r->geom = NULL;
    r->geom_set = 0;
    r->uuid[0] = '\0';
    r->created[0] = r->updated[0] = '\0';
    dm_free(r->ctx, r->author);
    r->author = NULL;
}

void dm_row_free(dm_row *r)
{
    if (!r)
        return;
    if (r->value && r->set)
        dm_row_clear(r);
    dm_free(r->ctx, r->value);
    dm_free(r->ctx, r->set);
    dm_free(r->ctx, r);
}

const dm_layer_def *dm_row_layer(const dm_row *r) { return r->layer; }

static int field_index(const dm_layer_def *l, const char *name)
{
    for (size_t i = 0; i < l->n_fields; i++)
        if (!strcmp(l->fields[i].name, name))
            return (int)i;
    for (size_t i = 0; i < l->n_fields; i++)
        if (!dm__strcasecmp(l->fields[i].name, name))
            return (int)i;
    return -1;
}

dm_status dm_row_set(dm_row *r, const char *field, const char *value)
{
    int i = field_index(r->layer, field);
    if (i < 0) {
        char hint[600];
        return dm__fail(r->ctx, DM_ENOTFOUND, "layer %s has no field '%s'%s", r->layer->name, field,
                        dm__field_hint(r->layer, field, hint, sizeof hint));
    }
    char *copy = NULL;
    if (value && !(copy = dm_strdup(r->ctx, value)))
        return DM_ENOMEM;
    dm_free(r->ctx, r->value[i]);
    r->value[i] = copy;
    r->set[i] = 1;
    return DM_OK;
}

dm_status dm_row_set_real(dm_row *r, const char *field, double v)
{
    char b[64];
    if (!isfinite(v))
        return dm_row_set(r, field, NULL);
    snprintf(b, sizeof b, "%.17g", v);
    return dm_row_set(r, field, b);
}

dm_status dm_row_set_int(dm_row *r, const char *field, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    return dm_row_set(r, field, b);
}

void dm_row_set_geom(dm_row *r, dm_geom *g)
{
    dm_geom_free(r->geom);
    r->geom = g;
    r->geom_set = 1;
}

dm_status dm_row_set_uuid(dm_row *r, const char *uuid)
{
    if (!uuid || strlen(uuid) != 36)
        return dm__fail(r->ctx, DM_EPARSE, "'%s' is not a uuid", uuid ? uuid : "(null)");
    memcpy(r->uuid, uuid, 37);
    return DM_OK;
}

/* "2024-05-01T10:00:00.000Z" */
static int is_stamp(const char *t)
{
    static const char form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (!t || strlen(t) != sizeof form - 1)
        return 0;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != form[i])
            return 0;
    return 1;
}

dm_status dm__row_set_provenance(dm_row *r, const char *created, const char *updated,
                                 const char *author)
{
    if ((created && !is_stamp(created)) || (updated && !is_stamp(updated)))
        return dm__fail(r->ctx, DM_EPARSE, "field '%s': '%s' is not a time stamp",
                        created && !is_stamp(created) ? "created" : "updated",
                        created && !is_stamp(created) ? created : updated);
    char *a = NULL;
    if (author && !(a = dm_strdup(r->ctx, author)))
        return DM_ENOMEM;
    dm__strlcpy(r->created, created ? created : "", sizeof r->created);
    dm__strlcpy(r->updated, updated ? updated : "", sizeof r->updated);
    dm_free(r->ctx, r->author);
    r->author = a;
    return DM_OK;
}

const char *dm_row_get(const dm_row *r, const char *field)
{
    int i = field_index(r->layer, field);
    return i >= 0 ? r->value[i] : NULL;
}

/* ============================ checking a row ============================ */

/* Bring a geometry to the layer's type: POLYGON -> MULTIPOLYGON, a
 * single-part multi-geometry -> its part for POINT and LINESTRING layers. */
static dm_status conform_geom(dm_row *r)
{
    dm_ctx *ctx = r->ctx;
    const char *want = r->layer->geom_type;
    dm_geom_type t = dm_geom_type_of(r->geom);
    GEOSContextHandle_t h = dm__geos(ctx);
    if (!strcmp(want, "GEOMETRY"))
        return DM_OK;
    if (!strcmp(want, "MULTIPOLYGON")) {
        if (t == DM_GEOM_MULTIPOLYGON)
            return DM_OK;
        if (t == DM_GEOM_POLYGON) {
            dm_geom *part = NULL, *multi = NULL;
            dm_status st = dm_geom_clone(ctx, r->geom, &part);
            if (!st)
                st = dm_geom_collect(ctx, DM_GEOM_MULTIPOLYGON, &part, 1, &multi);
            if (st)
                return st;
            dm_row_set_geom(r, multi);
            return DM_OK;
        }
    } else if (!strcmp(want, "POINT") || !strcmp(want, "LINESTRING")) {
        dm_geom_type single = !strcmp(want, "POINT") ? DM_GEOM_POINT : DM_GEOM_LINESTRING;
        dm_geom_type multi = single == DM_GEOM_POINT ? DM_GEOM_MULTIPOINT : DM_GEOM_MULTILINESTRING;
        if (t == single)
            return DM_OK;
        if (t == multi && GEOSGetNumGeometries_r(h, r->geom->g) == 1) {
            dm_geom *part = NULL;
            dm_status st = dm__geom_wrap(ctx, GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, r->geom->g, 0)),
                                         &part);
            if (st)
                return st;
            dm_row_set_geom(r, part);
            return DM_OK;
        }
    }
    return dm__fail(ctx, DM_EGEOM, "a %s, but layer %s holds %s", dm_geom_type_name(t),
                    r->layer->name, want);
}

/* A hazard's remaining area is land of its estimate still to release: more
 * remaining than estimated would have statistics print "12.50 ha, 500.00 ha
 * remaining" and the plan schedule the 500 ha. Allowed over by what rounding
 * gives (1% and 0.01 ha, as `demine check` allows). How the estimate came:
 * AREAS_ROW both are the row's values, AREAS_STORED_EST the remaining area
 * given against the stored estimate, AREAS_STORED_LEFT the estimate given
 * against the stored remaining area, AREAS_POLYGON the estimate the
 * polygon's area (none given). */
enum { AREAS_ROW, AREAS_STORED_EST, AREAS_STORED_LEFT, AREAS_POLYGON };

static dm_status remaining_in_estimate(dm_ctx *ctx, double left, double est, int how)
{
    if (!isfinite(left) || !isfinite(est) || left <= est * 1.01 + 0.01)
        return DM_OK;
    if (how == AREAS_STORED_LEFT)
        return dm__fail(ctx, DM_EPARSE,
                        "field 'est_area_ha': %g ha is less than the hazard's remaining_area_ha %g ha "
                        "(give remaining_area_ha too)",
                        est, left);
    return dm__fail(ctx, DM_EPARSE, "field 'remaining_area_ha': %g ha is more than %sest_area_ha %g ha%s", left,
                    how == AREAS_STORED_EST ? "the hazard's " : "", est,
                    how == AREAS_POLYGON ? " (its polygon's area, no est_area_ha given)" : "");
}

dm_status dm__hazard_areas_check(dm_ctx *ctx, double left, double est, int est_from_polygon)
{
    return remaining_in_estimate(ctx, left, est, est_from_polygon ? AREAS_POLYGON : AREAS_ROW);
}

/* Both areas given in r: the remaining one within the estimate. */
static dm_status row_areas_in_order(dm_row *r)
{
    if (strcmp(r->layer->name, "hazards"))
        return DM_OK;
    const char *est = dm_row_get(r, "est_area_ha"), *left = dm_row_get(r, "remaining_area_ha");
    if (!est || !left)
        return DM_OK;
    return remaining_in_estimate(r->ctx, strtod(left, NULL), strtod(est, NULL), AREAS_ROW);
}

dm_status dm__row_check(dm_store *s, dm_row *r, int for_insert)
{
    dm_ctx *ctx = r->ctx;
    const dm_layer_def *l = r->layer;
    char norm[4096];
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *f = &l->fields[i];
        if (!r->set[i] || !r->value[i])
            continue;
        /* Empty text means "no value" for every type. */
        const char *v = r->value[i];
        while (*v == ' ' || *v == '\t')
            v++;
        if (!*v) {
            dm_free(ctx, r->value[i]);
            r->value[i] = NULL;
            continue;
        }
        if (dm_field_normalise(ctx, f, r->value[i], norm, sizeof norm))
            return dm__wrap(ctx, "field '%s'", f->name);
        if (f->type == DM_FT_REF && s) {
            const dm_layer_def *rl = dm_layer_find(f->ref_layer);
            char uuid[37];
            if (dm_store_resolve(s, rl ? rl->name : f->ref_layer, norm, NULL, uuid)) {
                if (dm_ctx_errcode(ctx) == DM_ENOTFOUND)
                    return dm__fail(ctx, DM_ENOTFOUND, "field '%s': no %s with id or ref '%s'",
                                    f->name, f->ref_layer, norm);
                return dm__wrap(ctx, "field '%s'", f->name);
            }
            dm__strlcpy(norm, uuid, sizeof norm);
        }
        if (strcmp(norm, r->value[i])) {
            char *copy = dm_strdup(ctx, norm);
            if (!copy)
                return DM_ENOMEM;
            dm_free(ctx, r->value[i]);
            r->value[i] = copy;
        }
    }
    dm_status ast = row_areas_in_order(r);
    if (ast)
        return ast;
    if (for_insert)
        for (size_t i = 0; i < l->n_fields; i++)
            if ((l->fields[i].flags & DM_FIELD_REQUIRED) && !r->value[i])
                return dm__fail(ctx, DM_EPARSE, "field '%s': required but missing",
                                l->fields[i].name);
    if (!l->geom_type) {
        if (r->geom)
            return dm__fail(ctx, DM_EGEOM, "layer %s has no geometry", l->name);
        return DM_OK;
    }
    if (!r->geom) {
        if (for_insert && l->geom_required)
            return dm__fail(ctx, DM_EGEOM, "geometry: missing (layer %s needs one)", l->name);
        return DM_OK;
    }
    if (dm_geom_is_empty(r->geom))
        return dm__fail(ctx, DM_EGEOM, "geometry: empty");
    double b[4];
    dm_geom_bounds(r->geom, b);
    if (!isfinite(b[0]) || !isfinite(b[1]) || !isfinite(b[2]) || !isfinite(b[3]) || b[0] < -180 ||
        b[2] > 180 || b[1] < -90 || b[3] > 90)
        return dm__fail(ctx, DM_EGEOM,
                        "geometry: coordinates (%.6g, %.6g)-(%.6g, %.6g) are not longitude/latitude "
                        "in WGS 84 (wrong or missing CRS?)",
                        b[0], b[1], b[2], b[3]);
    dm_status st = conform_geom(r);
    if (st)
        return dm__wrap(ctx, "geometry");
    char why[256];
    double x = 0, y = 0;
    if (!dm_geom_is_valid(r->geom, why, sizeof why, &x, &y))
        return dm__fail(ctx, DM_EGEOM, "geometry: invalid (%s at %.7f %.7f); use --repair to fix",
                        why, x, y);
    return DM_OK;
}

dm_status dm_row_check(dm_store *s, dm_row *r) { return dm__row_check(s, r, 1); }

/* ============================== JSON of values ============================== */

static void json_value(dm_buf *b, const dm_field_def *f, const char *v)
{
    if (!v) {
        dm__buf_puts(b, "null");
        return;
    }
    if (f->type == DM_FT_INT || f->type == DM_FT_REAL || f->type == DM_FT_BOOL)
        dm__buf_puts(b, v);
    else
        dm__buf_json_str(b, v);
}

/* The row's set values (and geometry as WKT) as a JSON object. */
static dm_status row_json(dm_row *r, int only_set, dm_buf *b)
{
    const dm_layer_def *l = r->layer;
    dm__buf_puts(b, "{");
    int first = 1;
    for (size_t i = 0; i < l->n_fields; i++) {
        if (only_set && !r->set[i])
            continue;
        dm__buf_printf(b, "%s\"%s\":", first ? "" : ",", l->fields[i].name);
        json_value(b, &l->fields[i], r->value[i]);
        first = 0;
    }
    if (r->geom_set) {
        char *wkt = NULL;
        if (r->geom && dm_geom_to_wkt(r->ctx, r->geom, 7, &wkt))
            return dm_ctx_errcode(r->ctx);
        dm__buf_printf(b, "%s\"geom\":", first ? "" : ",");
        dm__buf_json_str(b, wkt);
        dm_free(r->ctx, wkt);
    }
    dm__buf_puts(b, "}");
    return b->oom ? dm__fail(r->ctx, DM_ENOMEM, "out of memory") : DM_OK;
}

dm_status dm__store_log(dm_store *s, const char *layer, const char *uuid, const char *op,
                        const char *old_json, const char *new_json, const char *reason)
{
    if (!s->log_stmt) {
        dm_status st = dm__sql_prepare(s,
                                       "INSERT INTO change_log (time, author, layer, uuid, op, "
                                       "reason, old_values, new_values) VALUES (?,?,?,?,?,?,?,?)",
                                       &s->log_stmt);
        if (st)
            return st;
    }
    char now[25];
    dm__now_gpkg(now);
    sqlite3_stmt *q = s->log_stmt;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, dm_ctx_author(s->ctx), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, layer, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, op, -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(q, 6, reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 6);
    if (old_json)
        sqlite3_bind_text(q, 7, old_json, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 7);
    if (new_json)
        sqlite3_bind_text(q, 8, new_json, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 8);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "change log");
}

/* ================================ insert ================================ */

static void bind_value(sqlite3_stmt *q, int col, const dm_field_def *f, const char *v)
{
    if (!v)
        sqlite3_bind_null(q, col);
    else if (f->type == DM_FT_INT || f->type == DM_FT_BOOL)
        sqlite3_bind_int64(q, col, strtoll(v, NULL, 10));
    else if (f->type == DM_FT_REAL)
        sqlite3_bind_double(q, col, strtod(v, NULL));
    else
        sqlite3_bind_text(q, col, v, -1, SQLITE_TRANSIENT);
}

static dm_status bind_geom(dm_store *s, sqlite3_stmt *q, int col, const dm_geom *g)
{
    if (!g) {
        sqlite3_bind_null(q, col);
        return DM_OK;
    }
    unsigned char *blob = NULL;
    size_t len = 0;
    dm_status st = dm_geom_to_gpkg(s->ctx, g, DM_SRS_WGS84, &blob, &len);
    if (st)
        return st;
    sqlite3_bind_blob(q, col, blob, (int)len, SQLITE_TRANSIENT);
    dm_free(s->ctx, blob);
    return DM_OK;
}

static dm_status insert_row(dm_store *s, dm_row *r, char uuid_out[37], const char *reason);
static dm_status set_area(dm_store *s, dm_row *r, int i, double ha);
static dm_status ref_unique(dm_store *s, const dm_layer_def *l, const char *ref,
                            const char *self);
static dm_status dates_possible(dm_store *s, dm_row *r);

/* A new activity must not end before it starts. */
static dm_status activity_ends_after_start(dm_store *s, dm_row *r)
{
    if (strcmp(r->layer->name, "activities"))
        return DM_OK;
    const char *a = dm_row_get(r, "start_date"), *b = dm_row_get(r, "end_date");
    if (a && b && strcmp(b, a) < 0)
        return dm__fail(s->ctx, DM_EPARSE, "field 'end_date': %s is before the start_date %s", b,
                        a);
    return DM_OK;
}

/* A new detection's sensor must be its flight's (when both are named and
 * the flight has one): a detection filed under another sensor takes that
 * sensor's rates into the risk map. The sensors import checks it with file
 * and line; this catches every other way in (`import --layer detections`,
 * the API). */
static dm_status detection_sensor_is_flights(dm_store *s, dm_row *r)
{
    if (strcmp(r->layer->name, "detections"))
        return DM_OK;
    const char *fl = dm_row_get(r, "flight_id"), *se = dm_row_get(r, "sensor_id");
    if (!fl || !*fl || !se || !*se)
        return DM_OK;
    sqlite3_stmt *q = NULL;
    dm_status pst = dm__sql_prepare(s,
                                    "SELECT f.ref, f.sensor_id, (SELECT name FROM sensors WHERE uuid = f.sensor_id), "
                                    "(SELECT name FROM sensors WHERE uuid = ?2) FROM flights f WHERE f.uuid = ?1",
                                    &q);
    if (pst)
        return pst;
    sqlite3_bind_text(q, 1, fl, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, se, -1, SQLITE_STATIC);
    dm_status st = DM_OK;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 1) != SQLITE_NULL) {
        const char *fs = (const char *)sqlite3_column_text(q, 1);
        if (fs && *fs && strcmp(fs, se)) {
            const char *fref = (const char *)sqlite3_column_text(q, 0), *fname = (const char *)sqlite3_column_text(q, 2),
                       *sname = (const char *)sqlite3_column_text(q, 3);
            st = dm__fail(s->ctx, DM_ECONFLICT,
                          "field 'sensor_id': sensor '%s' is not its flight's: flight '%s' was flown with '%s'",
                          sname ? sname : se, fref ? fref : fl, fname ? fname : fs);
        }
    }
    sqlite3_finalize(q);
    return st;
}

int dm_store_existing(dm_store *s, const dm_row *r, char owner[37], int *by_uuid)
{
    const dm_layer_def *l = r->layer;
    if (by_uuid)
        *by_uuid = 0;
    char sql[200];
    sqlite3_stmt *q = NULL;
    int rc;
    if (r->uuid[0]) {
        snprintf(sql, sizeof sql, "SELECT uuid FROM \"%s\" WHERE uuid = ?", l->name);
        if (dm__sql_prepare(s, sql, &q))
            return -1;
        sqlite3_bind_text(q, 1, r->uuid, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            dm__strlcpy(owner, (const char *)sqlite3_column_text(q, 0), 37);
            sqlite3_finalize(q);
            if (by_uuid)
                *by_uuid = 1;
            return 1;
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            dm__sql_fail(s, rc, "read");
            return -1;
        }
    }
    int ri = field_index(l, "ref");
    if (ri < 0 || !r->value[ri])
        return 0;
    char norm[4096];
    if (dm_field_normalise(s->ctx, &l->fields[ri], r->value[ri], norm, sizeof norm))
        return 0; /* not a ref the store would keep: no row has it */
    snprintf(sql, sizeof sql, "SELECT uuid FROM \"%s\" WHERE ref = ? LIMIT 1", l->name);
    if (dm__sql_prepare(s, sql, &q))
        return -1;
    sqlite3_bind_text(q, 1, norm, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    int found = rc == SQLITE_ROW;
    if (found)
        dm__strlcpy(owner, (const char *)sqlite3_column_text(q, 0), 37);
    sqlite3_finalize(q);
    if (!found && rc != SQLITE_DONE) {
        dm__sql_fail(s, rc, "read");
        return -1;
    }
    return found;
}

dm_status dm_store_insert(dm_store *s, dm_row *r, char uuid_out[37])
{
    return dm_store_insert_reason(s, r, uuid_out, NULL);
}

dm_status dm_store_insert_reason(dm_store *s, dm_row *r, char uuid_out[37], const char *reason)
{
    /* The row and its change-log entry go in together. Inside a caller's
     * transaction (imports) the caller rolls back on failure. */
    if (s->depth > 0)
        return insert_row(s, r, uuid_out, reason);
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    st = insert_row(s, r, uuid_out, reason);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

/* A new release area without area_ha, or a hazard without est_area_ha,
 * gets its polygon's area: statistics, reports and the life cycle read the
 * field (an empty one counted as 0 ha released). */
static dm_status area_from_geometry(dm_store *s, dm_row *r)
{
    const dm_layer_def *l = r->layer;
    int hz = !strcmp(l->name, "hazards");
    if (!r->geom || (!hz && strcmp(l->name, "release_areas")))
        return DM_OK;
    int ai = field_index(l, hz ? "est_area_ha" : "area_ha");
    if (ai < 0 || r->value[ai])
        return DM_OK;
    double ha = 0;
    if (dm_geom_area_ha(s->ctx, r->geom, &ha))
        return dm__wrap(s->ctx, "geometry");
    return set_area(s, r, ai, ha);
}

/* A new hazard's estimate taken from its polygon (area_from_geometry):
 * the remaining area given must be within it too. */
static dm_status row_areas_in_polygon(dm_row *r)
{
    if (strcmp(r->layer->name, "hazards"))
        return DM_OK;
    const char *est = dm_row_get(r, "est_area_ha"), *left = dm_row_get(r, "remaining_area_ha");
    if (!est || !left)
        return DM_OK;
    return remaining_in_estimate(r->ctx, strtod(left, NULL), strtod(est, NULL), AREAS_POLYGON);
}

static dm_status insert_row(dm_store *s, dm_row *r, char uuid_out[37], const char *reason)
{
    const dm_layer_def *l = r->layer;
    dm_status st = dm__row_check(s, r, 1);
    if (st)
        return st;
    /* What an edit refuses, an insert refuses too: a ref another row of the
     * layer has (a row carrying its own uuid meets the uuid check below),
     * impossible dates, an activity ending before it starts. */
    int ri = field_index(l, "ref");
    if (ri >= 0 && (st = ref_unique(s, l, r->value[ri], r->uuid[0] ? r->uuid : NULL)))
        return st;
    if ((st = dates_possible(s, r)) || (st = activity_ends_after_start(s, r)) ||
        (st = detection_sensor_is_flights(s, r)))
        return st;
    int est_given = field_index(l, "est_area_ha") >= 0 && dm_row_get(r, "est_area_ha");
    if ((st = area_from_geometry(s, r)))
        return st;
    if (!est_given && (st = row_areas_in_polygon(r)))
        return st;
    size_t li = dm__layer_index(l);
    if (!s->insert_stmt[li]) {
        dm_buf b;
        dm__buf_init(&b);
        dm__buf_printf(&b, "INSERT INTO \"%s\" (uuid, created, updated, author", l->name);
        if (l->geom_type)
            dm__buf_puts(&b, ", geom");
        for (size_t i = 0; i < l->n_fields; i++)
            dm__buf_printf(&b, ", \"%s\"", l->fields[i].name);
        dm__buf_puts(&b, ") VALUES (?, ?, ?, ?");
        if (l->geom_type)
            dm__buf_puts(&b, ", ?");
        for (size_t i = 0; i < l->n_fields; i++)
            dm__buf_puts(&b, ", ?");
        dm__buf_puts(&b, ")");
        st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &s->insert_stmt[li]);
        dm__buf_free(&b);
        if (st)
            return st;
    }
    char uuid[37], now[25];
    if (r->uuid[0])
        memcpy(uuid, r->uuid, 37);
    else
        dm_uuid_new(uuid);
    dm__now_gpkg(now);
    sqlite3_stmt *q = s->insert_stmt[li];
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, r->created[0] ? r->created : now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, r->updated[0] ? r->updated : now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, r->author ? r->author : dm_ctx_author(s->ctx), -1, SQLITE_TRANSIENT);
    int col = 5;
    if (l->geom_type) {
        st = bind_geom(s, q, col++, r->geom);
        if (st) {
            sqlite3_reset(q);
            return st;
        }
    }
    for (size_t i = 0; i < l->n_fields; i++)
        bind_value(q, col++, &l->fields[i], r->value[i]);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return dm__fail(s->ctx, DM_ECONFLICT, "%s: a row with uuid %s already exists",
                            l->name, uuid);
        return dm__sql_fail(s, rc, "insert");
    }
    dm_buf b;
    dm__buf_init(&b);
    int had_geom = r->geom_set;
    r->geom_set = r->geom != NULL;
    st = row_json(r, 0, &b);
    r->geom_set = had_geom;
    if (!st)
        st = dm__store_log(s, l->name, uuid, "insert", NULL, b.data, reason && reason[0] ? reason : NULL);
    dm__buf_free(&b);
    if (st)
        return st;
    if (uuid_out)
        memcpy(uuid_out, uuid, 37);
    return DM_OK;
}

/* ============================ update and delete ============================ */

/* The stored values of the given fields of one row, as a JSON object built
 * by SQLite (geometry as hex of its GeoPackage blob is not readable, so
 * it is left to the caller). */
static dm_status old_json(dm_store *s, const dm_layer_def *l, const char *uuid, dm_row *only,
                          char **out)
{
    *out = NULL;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "SELECT json_object(");
    int first = 1;
    for (size_t i = 0; i < l->n_fields; i++) {
        if (only && !only->set[i])
            continue;
        dm__buf_printf(&b, "%s'%s', \"%s\"", first ? "" : ", ", l->fields[i].name,
                       l->fields[i].name);
        first = 0;
    }
    dm__buf_printf(&b, ")%s FROM \"%s\" WHERE uuid = ?", l->geom_type ? ", geom" : "", l->name);
    sqlite3_stmt *q = NULL;
    dm_status st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        if (rc == SQLITE_DONE)
            return dm__fail(s->ctx, DM_ENOTFOUND, "%s: no row %s", l->name, uuid);
        return dm__sql_fail(s, rc, "read");
    }
    dm_buf o;
    dm__buf_init(&o);
    dm__buf_puts(&o, (const char *)sqlite3_column_text(q, 0));
    int with_geom = l->geom_type && (!only || only->geom_set);
    if (with_geom) {
        /* Replace the closing brace with the geometry as WKT. */
        char *wkt = NULL;
        if (sqlite3_column_type(q, 1) == SQLITE_BLOB) {
            dm_geom *g = NULL;
            if (dm_geom_from_gpkg(s->ctx, sqlite3_column_blob(q, 1),
                                  (size_t)sqlite3_column_bytes(q, 1), &g) == DM_OK) {
                dm_geom_to_wkt(s->ctx, g, 7, &wkt);
                dm_geom_free(g);
            }
        }
        o.len--;
        dm__buf_printf(&o, "%s\"geom\":", o.len > 1 ? "," : "");
        dm__buf_json_str(&o, wkt);
        dm__buf_puts(&o, "}");
        dm_free(s->ctx, wkt);
    }
    sqlite3_finalize(q);
    if (o.oom) {
        dm__buf_free(&o);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    *out = dm__buf_take(&o);
    return DM_OK;
}

/* A ref names one row of its layer: refuse giving a row the ref of another
 * (rows named by ref would become ambiguous). */
static dm_status ref_unique(dm_store *s, const dm_layer_def *l, const char *ref,
                            const char *self)
{
    if (!ref || !dm_field_find(l, "ref"))
        return DM_OK;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT uuid FROM \"%s\" WHERE ref = ?1 AND uuid IS NOT ?2 LIMIT 1",
             l->name);
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, sql, &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    if (self)
        sqlite3_bind_text(q, 2, self, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = dm__fail(s->ctx, DM_ECONFLICT, "field 'ref': %s %s already has ref '%s'", l->name,
                      (const char *)sqlite3_column_text(q, 0), ref);
    else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    return st;
}

static dm_status update_row(dm_store *s, const char *uuid, dm_row *r, const char *reason, int *changed);

/* Dates `demine check` calls errors are not written by an edit: after
 * tomorrow (one day of slack for time zones ahead of UTC) or before 1900.
 * System layers (the plan) hold future dates by design. */
static dm_status dates_possible(dm_store *s, dm_row *r)
{
    const dm_layer_def *l = r->layer;
    if (l->flags & DM_LAYER_SYSTEM)
        return DM_OK;
    time_t t = time(NULL) + 86400;
    struct tm tm;
    char tomorrow[16] = "9999-12-31";
    if (gmtime_r(&t, &tm))
        strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    for (size_t i = 0; i < l->n_fields; i++) {
        const char *v = r->value[i];
        if (l->fields[i].type != DM_FT_DATE || !r->set[i] || !v)
            continue;
        if (strcmp(v, tomorrow) > 0)
            return dm__fail(s->ctx, DM_EPARSE, "field '%s': %s is in the future",
                            l->fields[i].name, v);
        if (strcmp(v, "1900-01-01") < 0)
            return dm__fail(s->ctx, DM_EPARSE, "field '%s': %s is before 1900", l->fields[i].name,
                            v);
    }
    return DM_OK;
}

/* After an update, an activity must not end before it starts. */
static dm_status activity_dates_in_order(dm_store *s, const dm_layer_def *l, const char *uuid)
{
    if (strcmp(l->name, "activities"))
        return DM_OK;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s, "SELECT start_date, end_date FROM activities WHERE uuid = ? AND end_date < start_date",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = dm__fail(s->ctx, DM_EPARSE,
                      "activities %s: would end (end_date %s) before it starts (start_date %s)",
                      uuid, (const char *)sqlite3_column_text(q, 1),
                      (const char *)sqlite3_column_text(q, 0));
    else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    return st;
}

/* After an update of a detection's sensor or flight: its sensor must still
 * be its flight's, as on insert (detection_sensor_is_flights). */
static dm_status detection_sensor_in_order(dm_store *s, const dm_layer_def *l, const char *uuid)
{
    if (strcmp(l->name, "detections"))
        return DM_OK;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s,
        "SELECT COALESCE((SELECT name FROM sensors WHERE uuid = d.sensor_id), d.sensor_id), f.ref, "
        "COALESCE((SELECT name FROM sensors WHERE uuid = f.sensor_id), f.sensor_id) FROM detections d "
        "JOIN flights f ON f.uuid = d.flight_id WHERE d.uuid = ? AND NULLIF(d.sensor_id, '') IS NOT NULL "
        "AND NULLIF(f.sensor_id, '') IS NOT NULL AND d.sensor_id != f.sensor_id",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = dm__fail(s->ctx, DM_ECONFLICT,
                      "detections %s: field 'sensor_id': sensor '%s' is not its flight's: flight '%s' was flown "
                      "with '%s'",
                      uuid, (const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
                      (const char *)sqlite3_column_text(q, 2));
    else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    return st;
}

dm_status dm_store_update(dm_store *s, const char *id, dm_row *r, const char *reason)
{
    return dm_store_update_if_changed(s, id, r, reason, NULL);
}

dm_status dm_store_update_if_changed(dm_store *s, const char *id, dm_row *r, const char *reason, int *changed)
{
    const dm_layer_def *l = r->layer;
    char uuid[37];
    dm_status st = dm_store_resolve(s, l->name, id, NULL, uuid);
    if (st)
        return st;
    /* A hazard's status moves only along its life cycle, which dates it and
     * keeps its history (dm_hazard_set_status). */
    const char *status = dm_row_get(r, "status");
    if (!strcmp(l->name, "hazards") && !s->lifecycle) {
        int i = field_index(l, "status");
        if (i >= 0 && r->set[i])
            return dm__fail(s->ctx, DM_EINVAL,
                            "hazards %s: field 'status' changes through the hazard's life cycle "
                            "(demine status DB %s %s), which dates it and keeps its history",
                            id, id, status ? status : "STATUS");
    }
    if ((st = dm_store_begin(s)))
        return st;
    st = update_row(s, uuid, r, reason, changed);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

/* Set a derived area (hectares, to the square metre) on r, checked as the
 * field's own values are. */
static dm_status set_area(dm_store *s, dm_row *r, int i, double ha)
{
    const dm_field_def *f = &r->layer->fields[i];
    char v[64], norm[64];
    snprintf(v, sizeof v, "%.17g", round(ha * 1e4) / 1e4);
    if (dm_field_normalise(s->ctx, f, v, norm, sizeof norm))
        return dm__wrap(s->ctx, "field '%s' (from the geometry)", f->name);
    return dm_row_set(r, f->name, norm);
}

/* A new geometry brings the areas that follow from it, unless the same
 * update sets them: a release area's area_ha and a hazard's est_area_ha
 * become the polygon's area. A hazard's land already released
 * (est_area_ha - remaining_area_ha) stays released: remaining_area_ha moves
 * with the estimate, between 0 and the new estimate. A closed or handed-over
 * hazard keeps nothing remaining (its life cycle says so), and an unknown
 * remaining area stays unknown. An activity's areas are what its work
 * cancelled, reduced and cleared, which the area worked does not tell: they
 * stay as they are. */
static dm_status derive_areas(dm_store *s, const char *uuid, dm_row *r)
{
    const dm_layer_def *l = r->layer;
    int hz = !strcmp(l->name, "hazards");
    if (!r->geom_set || !r->geom || (!hz && strcmp(l->name, "release_areas")))
        return DM_OK;
    dm_ctx *ctx = s->ctx;
    double ha = 0;
    if (dm_geom_area_ha(ctx, r->geom, &ha))
        return dm__wrap(ctx, "geometry");
    int ai = field_index(l, hz ? "est_area_ha" : "area_ha");
    dm_status st = DM_OK;
    if (!r->set[ai] && (st = set_area(s, r, ai, ha)))
        return st;
    int ri = hz ? field_index(l, "remaining_area_ha") : -1;
    if (ri < 0 || r->set[ri])
        return DM_OK;
    sqlite3_stmt *q = NULL;
    if ((st = dm__sql_prepare(s,
                              "SELECT est_area_ha, remaining_area_ha, status, geom FROM hazards "
                              "WHERE uuid = ?",
                              &q)))
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    double old_est = NAN, old_left = NAN;
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 1) != SQLITE_NULL) {
        const char *status = (const char *)sqlite3_column_text(q, 2);
        old_left = sqlite3_column_double(q, 1);
        if (status && (!strcmp(status, "closed") || !strcmp(status, "handed_over")))
            old_left = NAN; /* nothing remains, whatever the polygon */
        if (sqlite3_column_type(q, 0) != SQLITE_NULL)
            old_est = sqlite3_column_double(q, 0);
        else if (sqlite3_column_type(q, 3) == SQLITE_BLOB) {
            /* no estimate: the old polygon's area stood for it */
            dm_geom *g = NULL;
            if (!dm_geom_from_gpkg(ctx, sqlite3_column_blob(q, 3),
                                   (size_t)sqlite3_column_bytes(q, 3), &g) &&
                dm_geom_area_ha(ctx, g, &old_est))
                old_est = NAN;
            dm_geom_free(g);
            dm_ctx_clear_error(ctx);
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    if (st || isnan(old_left) || isnan(old_est))
        return st;
    double est = r->value[ai] ? strtod(r->value[ai], NULL) : ha;
    double left = est - fmax(0, old_est - old_left);
    return set_area(s, r, ri, fmin(fmax(left, 0), fmax(est, 0)));
}

/* An update giving a hazard's estimate or its remaining area (derive_areas
 * done): the remaining area, given or stored, within the estimate, given,
 * from the new polygon or stored. A stored pair out of order (an older
 * database) does not stop edits of other fields. */
static dm_status areas_in_order(dm_store *s, const char *uuid, dm_row *r)
{
    const dm_layer_def *l = r->layer;
    if (strcmp(l->name, "hazards"))
        return DM_OK;
    int ai = field_index(l, "est_area_ha"), ri = field_index(l, "remaining_area_ha");
    if (ai < 0 || ri < 0 || !(r->set[ai] || r->set[ri]) || (r->set[ai] && !r->value[ai]) ||
        (r->set[ri] && !r->value[ri]))
        return DM_OK;
    if (r->set[ai] && r->set[ri]) /* both in the row: checked with it; from a new polygon here */
        return r->geom_set ? row_areas_in_polygon(r) : DM_OK;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, "SELECT est_area_ha, remaining_area_ha FROM hazards WHERE uuid = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        int col = r->set[ai] ? 1 : 0;
        if (sqlite3_column_type(q, col) != SQLITE_NULL) {
            double stored = sqlite3_column_double(q, col);
            if (r->set[ai])
                st = remaining_in_estimate(s->ctx, stored, strtod(r->value[ai], NULL), AREAS_STORED_LEFT);
            else
                st = remaining_in_estimate(s->ctx, strtod(r->value[ri], NULL), stored, AREAS_STORED_EST);
        }
    } else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "read");
    sqlite3_finalize(q);
    return st;
}

/* 1 when the comma-separated values of set a are those of set b, in any
 * order ("AT,AP" and "AP,AT"). */
static int same_set(const char *a, const char *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        for (const char *p = x; *p;) {
            size_t n = strcspn(p, ",");
            int found = 0;
            for (const char *q = y; *q && !found;) {
                size_t m = strcspn(q, ",");
                found = m == n && !strncmp(p, q, n);
                q += m + (q[m] == ',');
            }
            if (!found)
                return 0;
            p += n + (p[n] == ',');
        }
    }
    return 1;
}

/* 1 when the values of the update (JSON, as row_json writes them) are
 * those stored (as old_json reads them): the same keys, numbers of equal
 * value, the same texts (a set's values in any order) and nulls, the same
 * geometry's WKT. */
static int same_values(const dm_layer_def *l, const char *old, const char *new)
{
    json_error_t e;
    json_t *a = json_loads(old, 0, &e), *b = json_loads(new, 0, &e);
    int same = a && b && json_object_size(a) == json_object_size(b);
    const char *k;
    json_t *va;
    json_object_foreach(a, k, va)
    {
        if (!same)
            break;
        json_t *vb = json_object_get(b, k);
        if (!vb)
            same = 0;
        else if (json_is_number(va) && json_is_number(vb))
            same = json_number_value(va) == json_number_value(vb);
        else if (json_is_string(va) && json_is_string(vb) && dm_field_find(l, k) &&
                 dm_field_find(l, k)->type == DM_FT_ENUMSET)
            same = same_set(json_string_value(va), json_string_value(vb));
        else
            same = json_equal(va, vb);
    }
    json_decref(a);
    json_decref(b);
    return same;
}

static dm_status update_row(dm_store *s, const char *uuid, dm_row *r, const char *reason, int *changed)
{
    if (changed)
        *changed = 1;
    const dm_layer_def *l = r->layer;
    dm_status st = dm__row_check(s, r, 0);
    if (st)
        return st;
    if ((st = derive_areas(s, uuid, r)))
        return st;
    if ((st = areas_in_order(s, uuid, r)))
        return st;
    int ri = field_index(l, "ref");
    if (ri >= 0 && r->set[ri] && (st = ref_unique(s, l, r->value[ri], uuid)))
        return st;
    if ((st = dates_possible(s, r)))
        return st;
    for (size_t i = 0; i < l->n_fields; i++)
        if (r->set[i] && !r->value[i] && (l->fields[i].flags & DM_FIELD_REQUIRED))
            return dm__fail(s->ctx, DM_EPARSE, "field '%s': required, cannot be emptied",
                            l->fields[i].name);
    if (r->geom_set && !r->geom && l->geom_required)
        return dm__fail(s->ctx, DM_EGEOM, "geometry: layer %s needs one", l->name);
    char *before = NULL;
    st = old_json(s, l, uuid, r, &before);
    if (st)
        return st;
    if (changed) { /* nothing differs: nothing written, nothing logged */
        dm_buf nb;
        dm__buf_init(&nb);
        st = row_json(r, 1, &nb);
        int same = !st && same_values(l, before, nb.data);
        dm__buf_free(&nb);
        if (st || same) {
            free(before);
            if (same)
                *changed = 0;
            return st;
        }
    }
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "UPDATE \"%s\" SET updated = ?, author = ?", l->name);
    if (r->geom_set && l->geom_type)
        dm__buf_puts(&b, ", geom = ?");
    for (size_t i = 0; i < l->n_fields; i++)
        if (r->set[i])
            dm__buf_printf(&b, ", \"%s\" = ?", l->fields[i].name);
    dm__buf_puts(&b, " WHERE uuid = ?");
    sqlite3_stmt *q = NULL;
    st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (st) {
        free(before);
        return st;
    }
    char now[25];
    dm__now_gpkg(now);
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, dm_ctx_author(s->ctx), -1, SQLITE_TRANSIENT);
    int col = 3;
    if (r->geom_set && l->geom_type)
        st = bind_geom(s, q, col++, r->geom);
    for (size_t i = 0; i < l->n_fields; i++)
        if (r->set[i])
            bind_value(q, col++, &l->fields[i], r->value[i]);
    sqlite3_bind_text(q, col, uuid, -1, SQLITE_TRANSIENT);
    int rc = st ? SQLITE_ERROR : sqlite3_step(q);
    sqlite3_finalize(q);
    if (!st && rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "update");
    if (!st && (dm_row_get(r, "start_date") || dm_row_get(r, "end_date")))
        st = activity_dates_in_order(s, l, uuid);
    if (!st && (dm_row_get(r, "sensor_id") || dm_row_get(r, "flight_id")))
        st = detection_sensor_in_order(s, l, uuid);
    if (!st) {
        dm_buf nb;
        dm__buf_init(&nb);
        st = row_json(r, 1, &nb);
        if (!st)
            st = dm__store_log(s, l->name, uuid, "update", before, nb.data, reason);
        dm__buf_free(&nb);
    }
    free(before);
    return st;
}

/* Rows of other layers that point at (layer, uuid): refuse the delete,
 * naming them, rather than leave them dangling. A hazard's own life-cycle
 * history (hazard_status) goes with it, each row logged, and so do the rows
 * an analysis wrote about it (records verify's record_matches, patterns'
 * predicted_mines, plan's plan_tasks): they are its output, rewritten by
 * the next run, and would otherwise have to be deleted one by one first. */
static dm_status delete_row(dm_store *s, const dm_layer_def *l, const char *uuid,
                            const char *reason);

int dm__goes_with_it(const dm_layer_def *l, const dm_layer_def *rl)
{
    if (!strcmp(l->name, "hazards") && !strcmp(rl->name, "hazard_status"))
        return 1;
    return !strcmp(rl->name, "record_matches") || !strcmp(rl->name, "predicted_mines") ||
           !strcmp(rl->name, "plan_tasks");
}

static dm_status count_refs(dm_store *s, const dm_layer_def *rl, const dm_field_def *f,
                            const char *uuid, long *n)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE \"%s\" = ?", rl->name,
             f->name);
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, sql, &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? DM_OK : dm__sql_fail(s, rc, "read");
}

/* Delete (logged) every row of rl whose field f names uuid. */
static dm_status delete_referring(dm_store *s, const dm_layer_def *rl, const dm_field_def *f,
                                  const char *uuid, const char *reason)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT uuid FROM \"%s\" WHERE \"%s\" = ?", rl->name, f->name);
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, sql, &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    char (*ids)[37] = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            void *p = dm_realloc(s->ctx, ids, nc * sizeof *ids);
            if (!p) {
                st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            ids = p;
            cap = nc;
        }
        dm__strlcpy(ids[n++], (const char *)sqlite3_column_text(q, 0), 37);
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < n && !st; i++)
        st = delete_row(s, rl, ids[i], reason);
    dm_free(s->ctx, ids);
    return st;
}

static dm_status delete_dependents(dm_store *s, const dm_layer_def *l, const char *id,
                                   const char *uuid, const char *reason)
{
    dm_buf msg;
    dm__buf_init(&msg);
    dm_status st = DM_OK;
    long total = 0;
    for (size_t i = 0; i < dm_layer_count() && !st; i++) {
        const dm_layer_def *rl = dm_layer_at(i);
        if (dm__goes_with_it(l, rl))
            continue; /* deleted with it below */
        for (size_t k = 0; k < rl->n_fields && !st; k++) {
            const dm_field_def *f = &rl->fields[k];
            if (f->type != DM_FT_REF || !f->ref_layer || strcmp(f->ref_layer, l->name))
                continue;
            long n = 0;
            if ((st = count_refs(s, rl, f, uuid, &n)) || !n)
                continue;
            dm__buf_printf(&msg, "%s%ld row%s of %s (%s)", total ? ", " : "", n, n == 1 ? "" : "s",
                           rl->name, f->name);
            total += n;
        }
    }
    if (!st && total)
        st = dm__fail(s->ctx, DM_ECONFLICT,
                      "%s %s is referred to by %s; delete them or point them elsewhere first",
                      l->name, id, msg.data ? msg.data : "other rows");
    dm__buf_free(&msg);
    for (size_t i = 0; i < dm_layer_count() && !st; i++) {
        const dm_layer_def *rl = dm_layer_at(i);
        if (!dm__goes_with_it(l, rl))
            continue;
        for (size_t k = 0; k < rl->n_fields && !st; k++) {
            const dm_field_def *f = &rl->fields[k];
            if (f->type == DM_FT_REF && f->ref_layer && !strcmp(f->ref_layer, l->name))
                st = delete_referring(s, rl, f, uuid, reason);
        }
    }
    return st;
}

dm_status dm_store_delete(dm_store *s, const char *layer, const char *id, const char *reason)
{
    const dm_layer_def *l = NULL;
    char uuid[37];
    dm_status st = dm_store_resolve(s, layer, id, &l, uuid);
    if (st)
        return st;
    if ((st = dm_store_begin(s)))
        return st;
    st = delete_dependents(s, l, id, uuid, reason);
    if (!st)
        st = delete_row(s, l, uuid, reason);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

static dm_status delete_row(dm_store *s, const dm_layer_def *l, const char *uuid,
                            const char *reason)
{
    dm_status st;
    char *before = NULL;
    st = old_json(s, l, uuid, NULL, &before);
    /* a draft report's pending hazard proposal, which the trigger takes
     * away with it, kept in the log for a restoration */
    if (!st && !strcmp(l->name, "activities"))
        st = dm__proposal_keep(s, uuid, &before);
    if (st) {
        free(before);
        return st;
    }
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE uuid = ?", l->name);
    sqlite3_stmt *q = NULL;
    st = dm__sql_prepare(s, sql, &q);
    if (!st) {
        sqlite3_bind_text(q, 1, uuid, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            st = dm__sql_fail(s, rc, "delete");
        sqlite3_finalize(q);
    }
    if (!st)
        st = dm__store_log(s, l->name, uuid, "delete", before, NULL, reason);
    free(before);
    return st;
}
