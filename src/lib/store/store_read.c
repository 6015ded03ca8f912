/* SPDX-License-Identifier: MIT
 *
 * store_read.c -- reading the database: resolving ids, cursors over a
 * layer's rows with bounding-box, equality and date filters, counts, rows as
 * JSON and the change history of a row.
 *
 * Callers never pass SQL: filters name fields, which are checked against the
 * model before they reach a statement.
 */
#include "store_internal.h"

#include "geom/geom_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dm_cursor {
    dm_store *s;
    const dm_layer_def *layer;
    sqlite3_stmt *q;
    int geom_col;  /* -1 when the layer has none */
    int field_col; /* first field column */
};

/* ================================ resolving ================================ */

/* The field a person names a row of l by besides its uuid: its ref, else
 * the name a layer requires (a sensor's, an organisation's, a district's);
 * NULL when none. */
static const char *key_field(const dm_layer_def *l)
{
    if (dm_field_find(l, "ref"))
        return "ref";
    const dm_field_def *n = dm_field_find(l, "name");
    return n && (n->flags & DM_FIELD_REQUIRED) && n->type == DM_FT_TEXT ? "name" : NULL;
}

/* Look for id in one layer: exact uuid, then uuid prefix (8+ chars, in
 * either case: uuids are stored in lower case), then ref (key_field: a
 * sensor's name); with nocase, ref in any case only (khv-r-0026 for
 * KHV-R-0026). Returns 1 found, 0 not found, -1 ambiguous, -2 SQL error. */
static int table_missing(dm_store *s, const dm_layer_def *l);

static int resolve_in(dm_store *s, const dm_layer_def *l, const char *id, int nocase, char uuid[37])
{
    static const char *forms[DM__RESOLVE_FORMS] = {
        "SELECT uuid FROM \"%s\" WHERE uuid = ?1 LIMIT 2",
        "SELECT uuid FROM \"%s\" WHERE uuid >= ?1 AND uuid < ?1 || 'g' LIMIT 2",
        "SELECT uuid FROM \"%s\" WHERE \"%s\" = ?1 LIMIT 2",
        "SELECT uuid FROM \"%s\" WHERE \"%s\" = ?1 COLLATE NOCASE LIMIT 2",
    };
    const char *key = key_field(l);
    size_t n = strlen(id);
    size_t li = dm__layer_index(l);
    char lower[37] = "";
    if (n < sizeof lower)
        for (size_t i = 0; i <= n; i++)
            lower[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] - 'A' + 'a' : id[i]);
    for (int k = nocase ? 3 : 0; k < (nocase ? 4 : 3); k++) {
        if (k == 1 && (n < 8 || n >= 36))
            continue;
        if (k >= 2 && !key)
            continue;
        /* Statements are kept per layer and form: imports resolve a
         * reference for every row. */
        sqlite3_stmt **q = &s->resolve_stmt[li * DM__RESOLVE_FORMS + (size_t)k];
        if (!*q) {
            char sql[300];
            snprintf(sql, sizeof sql, forms[k], l->name, key ? key : "ref");
            if (sqlite3_prepare_v2(s->db, sql, -1, q, NULL) != SQLITE_OK)
                return table_missing(s, l) ? 0 : -2; /* a layer added since: no rows */
        }
        sqlite3_bind_text(*q, 1, k < 2 && lower[0] ? lower : id, -1, SQLITE_STATIC);
        int found = 0, rc;
        while ((rc = sqlite3_step(*q)) == SQLITE_ROW) {
            if (found++ == 0)
                dm__strlcpy(uuid, (const char *)sqlite3_column_text(*q, 0), 37);
        }
        sqlite3_reset(*q);
        sqlite3_clear_bindings(*q);
        if (rc != SQLITE_DONE)
            return -2;
        if (found == 1)
            return 1;
        if (found > 1)
            return -1;
    }
    return 0;
}

dm_status dm_store_resolve(dm_store *s, const char *layer, const char *id,
                           const dm_layer_def **layer_out, char uuid_out[37])
{
    if (layer_out)
        *layer_out = NULL;
    if (!id || !*id)
        return dm__fail(s->ctx, DM_EINVAL, "empty id");
    const dm_layer_def *only = NULL;
    if (layer && !(only = dm_layer_find(layer)))
        return dm__unknown_layer(s->ctx, layer);
    /* Without a layer, a uuid prefix or a ref found in one layer may also
     * name a row of another: that is ambiguous, not the first layer's. */
    const dm_layer_def *found = NULL;
    char first[37] = "";
    /* a ref in another case only when nothing is written exactly so */
    for (int nocase = 0; nocase < 2 && !found; nocase++) {
        for (size_t i = 0; i < dm_layer_count(); i++) {
            const dm_layer_def *l = only ? only : dm_layer_at(i);
            char u[37];
            int r = resolve_in(s, l, id, nocase, u);
            if (r == 1 && (only || !strcmp(u, id))) { /* a whole uuid is unique */
                dm__strlcpy(uuid_out, u, 37);
                if (layer_out)
                    *layer_out = l;
                return DM_OK;
            }
            if (r == 1 && found)
                return dm__fail(s->ctx, DM_ECONFLICT, "'%s' names %s %s and %s %s; give more of the uuid", id,
                                found->name, first, l->name, u);
            if (r == 1) {
                found = l;
                dm__strlcpy(first, u, sizeof first);
            }
            if (r == -1)
                return dm__fail(s->ctx, DM_ECONFLICT, "'%s' matches several %s; give more of the uuid", id,
                                l->name);
            if (r == -2)
                return dm__sql_fail(s, sqlite3_errcode(s->db), "resolve");
            if (only)
                break;
        }
    }
    if (found) {
        dm__strlcpy(uuid_out, first, 37);
        if (layer_out)
            *layer_out = found;
        return DM_OK;
    }
    size_t n = strlen(id), hex = strspn(id, "0123456789abcdefABCDEF-");
    return dm__fail(s->ctx, DM_ENOTFOUND, "no %s with id or ref '%s'%s", only ? only->name : "row", id,
                    n < 8 && hex == n ? " (a uuid prefix needs at least 8 characters)" : "");
}

/* ================================ selecting ================================ */

/* The values of a selection's field = value filters as stored: enums and
 * dates in their canonical form, numbers as numbers, references resolved
 * from a ref or uuid prefix to the uuid; blank means "no value" (NULL in
 * vals). A value no row can hold is an error naming the field, not an
 * empty result. vals[i] is freed by free_eq_values. */
static dm_status eq_values(dm_store *s, const dm_layer_def *l, const dm_select *o, char **vals)
{
    dm_ctx *ctx = s->ctx;
    for (size_t i = 0; o && i < o->n_eq; i++) {
        const char *f = o->eq_field[i], *v = o->eq_value[i];
        const dm_field_def *fd = f ? dm_field_find(l, f) : NULL;
        vals[i] = NULL;
        if (!f || (strcmp(f, "uuid") && !fd)) {
            char hint[600];
            return dm__fail(ctx, DM_EINVAL, "layer %s has no field '%s'%s", l->name, f ? f : "",
                            dm__field_hint(l, f, hint, sizeof hint));
        }
        if (dm_text_blank(v))
            continue;
        char norm[4096];
        if (!fd) { /* uuid: as given */
            dm__strlcpy(norm, v, sizeof norm);
        } else if (dm_field_normalise(ctx, fd, v, norm, sizeof norm)) {
            return dm__wrap(ctx, "layer %s, field '%s'", l->name, fd->name);
        } else if (fd->type == DM_FT_REF && strlen(norm) != 36) {
            char uuid[37];
            if (dm_store_resolve(s, fd->ref_layer, norm, NULL, uuid))
                return dm__wrap(ctx, "layer %s, field '%s'", l->name, fd->name);
            dm__strlcpy(norm, uuid, sizeof norm);
        }
        if (!(vals[i] = dm_strdup(ctx, norm)))
            return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    return DM_OK;
}

static void free_eq_values(dm_ctx *ctx, char **vals, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dm_free(ctx, vals[i]);
        vals[i] = NULL;
    }
}

static dm_status build_where(dm_store *s, const dm_layer_def *l, const dm_select *o,
                             char *const *vals, dm_buf *b)
{
    int n = 0;
    if (!o)
        return DM_OK;
    if (o->bbox) {
        const double *bb = o->bbox;
        for (int i = 0; i < 4; i++)
            if (!isfinite(bb[i]))
                return dm__fail(s->ctx, DM_EINVAL, "bbox: %g is not a coordinate", bb[i]);
        if (bb[0] > bb[2] || bb[1] > bb[3])
            return dm__fail(s->ctx, DM_EINVAL,
                            "bbox %g,%g,%g,%g: west must not exceed east nor south north "
                            "(W,S,E,N)",
                            bb[0], bb[1], bb[2], bb[3]);
        if (!l->geom_type)
            return dm__fail(s->ctx, DM_EINVAL, "layer %s has no geometry to filter by bbox",
                            l->name);
        dm__buf_printf(b,
                       " WHERE fid IN (SELECT id FROM \"rtree_%s_geom\" WHERE minx <= ?%d AND "
                       "maxx >= ?%d AND miny <= ?%d AND maxy >= ?%d)",
                       l->name, 3, 1, 4, 2);
        n++;
    }
    for (size_t i = 0; i < o->n_eq; i++) {
        const char *f = o->eq_field[i];
        const dm_field_def *fd = f ? dm_field_find(l, f) : NULL;
        if (!f || (strcmp(f, "uuid") && !fd)) {
            char hint[600];
            return dm__fail(s->ctx, DM_EINVAL, "layer %s has no field '%s'%s", l->name, f ? f : "",
                            dm__field_hint(l, f, hint, sizeof hint));
        }
        if (!vals || vals[i])
            dm__buf_printf(b, "%s\"%s\" = ?%zu", n++ ? " AND " : " WHERE ", fd ? fd->name : "uuid",
                           10 + i);
        else
            dm__buf_printf(b, "%s\"%s\" IS NULL", n++ ? " AND " : " WHERE ",
                           fd ? fd->name : "uuid");
    }
    if (o->until) {
        if (l->date_field)
            dm__buf_printf(b, "%s(\"%s\" IS NULL OR \"%s\" <= ?5)", n++ ? " AND " : " WHERE ",
                           l->date_field, l->date_field);
    }
    if (o->reviewed) {
        if (!strcmp(l->name, "activities"))
            dm__buf_printf(b, "%s(\"status\" IS NULL OR \"status\" NOT IN ('draft', 'rejected'))",
                           n++ ? " AND " : " WHERE ");
        else if (dm_field_find(l, "activity_id"))
            dm__buf_printf(b,
                           "%s(\"activity_id\" IS NULL OR \"activity_id\" NOT IN (SELECT uuid FROM "
                           "\"activities\" WHERE \"status\" IN ('draft', 'rejected')))",
                           n++ ? " AND " : " WHERE ");
    }
    if (o->order_by) {
        const dm_field_def *fd = dm_field_find(l, o->order_by);
        if (!fd && strcmp(o->order_by, "created") && strcmp(o->order_by, "updated"))
            return dm__fail(s->ctx, DM_EINVAL, "layer %s has no field '%s' to order by", l->name,
                            o->order_by);
        dm__buf_printf(b, " ORDER BY \"%s\", fid", fd ? fd->name : o->order_by);
    } else
        dm__buf_puts(b, " ORDER BY fid");
    if (o->limit > 0)
        dm__buf_printf(b, " LIMIT %ld OFFSET %ld", o->limit, o->offset > 0 ? o->offset : 0);
    else if (o->offset > 0) /* no limit, but an offset: the rest from there */
        dm__buf_printf(b, " LIMIT -1 OFFSET %ld", o->offset);
    return DM_OK;
}

static void bind_select(sqlite3_stmt *q, const dm_select *o, char *const *vals)
{
    if (!o)
        return;
    if (o->bbox)
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(q, i + 1, o->bbox[i]);
    if (o->until)
        sqlite3_bind_text(q, 5, o->until, -1, SQLITE_STATIC);
    for (size_t i = 0; i < o->n_eq; i++)
        if (vals[i])
            sqlite3_bind_text(q, (int)(10 + i), vals[i], -1, SQLITE_TRANSIENT);
}

/* Which of l's fields its table has (have[i] 1), for a database opened
 * read-only, which has not been brought up to date. */
static dm_status table_columns(dm_store *s, const dm_layer_def *l, unsigned char *have, int *exists)
{
    memset(have, 0, l->n_fields);
    *exists = 0;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, "SELECT name FROM pragma_table_info(?1)", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, l->name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 0);
        *exists = 1;
        for (size_t i = 0; c && i < l->n_fields; i++)
            if (!strcmp(c, l->fields[i].name))
                have[i] = 1;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "columns");
}

/* Whether layer l's table is not in the database: a layer added since a
 * database was made has its table made on the next read-write open. */
static int table_missing(dm_store *s, const dm_layer_def *l)
{
    if (dm_store_writable(s))
        return 0;
    sqlite3_stmt *q = NULL;
    if (dm__sql_prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &q)) {
        dm_ctx_clear_error(s->ctx);
        return 0;
    }
    sqlite3_bind_text(q, 1, l->name, -1, SQLITE_STATIC);
    int missing = sqlite3_step(q) != SQLITE_ROW;
    sqlite3_finalize(q);
    return missing;
}

int dm_store_has_layer(dm_store *s, const char *layer)
{
    const dm_layer_def *l = dm_layer_find(layer);
    return l && !table_missing(s, l);
}

/* A cursor of layer l over q (its columns: uuid, created, updated, author,
 * geom, then the fields), which it finalizes. */
static dm_status cursor_of(dm_store *s, const dm_layer_def *l, sqlite3_stmt *q, dm_cursor **out)
{
    dm_cursor *c = dm_calloc(s->ctx, 1, sizeof *c);
    if (!c) {
        sqlite3_finalize(q);
        return DM_ENOMEM;
    }
    c->s = s;
    c->layer = l;
    c->q = q;
    c->geom_col = l->geom_type ? 4 : -1;
    c->field_col = 5;
    *out = c;
    return DM_OK;
}

/* A cursor of no rows with layer l's columns. */
static dm_status empty_cursor(dm_store *s, const dm_layer_def *l, dm_cursor **out)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "SELECT NULL, NULL, NULL, NULL, NULL");
    for (size_t i = 0; i < l->n_fields; i++)
        dm__buf_puts(&b, ", NULL");
    dm__buf_puts(&b, " WHERE 0");
    sqlite3_stmt *q = NULL;
    dm_status st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (st)
        return st;
    return cursor_of(s, l, q, out);
}

dm_status dm_store_select(dm_store *s, const char *layer, const dm_select *opts, dm_cursor **out)
{
    *out = NULL;
    dm_status st0;
    const dm_layer_def *l = dm_layer_find(layer);
    if (!l)
        return dm__unknown_layer(s->ctx, layer);
    if (opts && opts->n_eq > 8)
        return dm__fail(s->ctx, DM_EINVAL, "too many filters");
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "SELECT uuid, created, updated, author");
    dm__buf_puts(&b, l->geom_type ? ", geom" : ", NULL");
    /* a database made before a field was added gets its column on its next
     * read-write open; read-only, the field reads as NULL (a quoted name of
     * no column is a string to SQLite: the field read as its own name) */
    unsigned char have[128];
    int ro = !dm_store_writable(s) && l->n_fields <= sizeof have, exists = 1;
    if (ro && (st0 = table_columns(s, l, have, &exists)))
        return st0;
    if (!exists) {
        /* a layer added since (its table made on the next read-write
         * open): no rows yet */
        dm__buf_free(&b);
        return empty_cursor(s, l, out);
    }
    for (size_t i = 0; i < l->n_fields; i++) {
        if (ro && !have[i])
            dm__buf_puts(&b, ", NULL");
        else
            dm__buf_printf(&b, ", \"%s\"", l->fields[i].name);
    }
    dm__buf_printf(&b, " FROM \"%s\"", l->name);
    char *vals[8] = {0};
    dm_status st = eq_values(s, l, opts, vals);
    if (!st)
        st = build_where(s, l, opts, vals, &b);
    sqlite3_stmt *q = NULL;
    if (!st)
        st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (!st)
        bind_select(q, opts, vals);
    free_eq_values(s->ctx, vals, opts ? opts->n_eq : 0);
    if (st)
        return st;
    return cursor_of(s, l, q, out);
}

int dm_cursor_next(dm_cursor *c)
{
    int rc = sqlite3_step(c->q);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    dm__sql_fail(c->s, rc, "read");
    return -1;
}

const char *dm_cursor_uuid(dm_cursor *c)
{
    return (const char *)sqlite3_column_text(c->q, 0);
}

static int column_of(dm_cursor *c, const char *field)
{
    if (!strcmp(field, "uuid"))
        return 0;
    if (!strcmp(field, "created"))
        return 1;
    if (!strcmp(field, "updated"))
        return 2;
    if (!strcmp(field, "author"))
        return 3;
    const dm_layer_def *l = c->layer;
    for (size_t i = 0; i < l->n_fields; i++)
        if (!strcmp(l->fields[i].name, field))
            return c->field_col + (int)i;
    return -1;
}

const char *dm_cursor_text(dm_cursor *c, const char *field)
{
    int col = column_of(c, field);
    if (col < 0 || sqlite3_column_type(c->q, col) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(c->q, col);
}

double dm_cursor_real(dm_cursor *c, const char *field, double if_null)
{
    int col = column_of(c, field);
    int type = col < 0 ? SQLITE_NULL : sqlite3_column_type(c->q, col);
    if (type == SQLITE_NULL)
        return if_null;
    if (type == SQLITE_TEXT) { /* SQLite would read "abc" as 0 and "12 m" as 12 */
        const char *t = (const char *)sqlite3_column_text(c->q, col);
        char *end = NULL;
        double v = t ? strtod(t, &end) : 0;
        if (!t || end == t)
            return if_null;
        while (*end == ' ' || *end == '\t')
            end++;
        return *end ? if_null : v;
    }
    return sqlite3_column_double(c->q, col);
}

dm_status dm__cursor_geom_unnamed(dm_cursor *c, dm_geom **out)
{
    *out = NULL;
    if (c->geom_col < 0 || sqlite3_column_type(c->q, c->geom_col) != SQLITE_BLOB)
        return DM_OK;
    return dm_geom_from_gpkg(c->s->ctx, sqlite3_column_blob(c->q, c->geom_col),
                             (size_t)sqlite3_column_bytes(c->q, c->geom_col), out);
}

dm_status dm_cursor_geom(dm_cursor *c, dm_geom **out)
{
    dm_status st = dm__cursor_geom_unnamed(c, out);
    if (st && st != DM_ENOMEM) {
        /* another program wrote it (a SpatiaLite blob from QGIS's SQL, a
         * broken tool): which row, and where to find the others */
        const char *uuid = dm_cursor_text(c, "uuid");
        const char *ref = dm_field_find(c->layer, "ref") ? dm_cursor_text(c, "ref") : NULL;
        dm__wrap(c->s->ctx, "%s %s%s%s: the geometry cannot be read (demine check lists such rows)",
                 c->layer->name, uuid ? uuid : "?", ref ? " " : "", ref ? ref : "");
    }
    return st;
}

dm_status dm_store_ref_of(dm_store *s, const char *layer, const char *uuid, char **out)
{
    *out = NULL;
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    if (st)
        return st;
    int rc = dm_cursor_next(c);
    if (rc < 0)
        st = dm_ctx_errcode(s->ctx) ? dm_ctx_errcode(s->ctx) : DM_ESQL;
    else if (rc == 0)
        st = dm__fail(s->ctx, DM_ENOTFOUND, "%s: no row %s", layer, uuid);
    else {
        const dm_layer_def *l = dm_layer_find(layer);
        const char *r = l && dm_field_find(l, "ref") ? dm_cursor_text(c, "ref") : NULL;
        if (r && !(*out = dm_strdup(s->ctx, r)))
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    dm_cursor_free(c);
    return st;
}

const void *dm_cursor_geom_bytes(dm_cursor *c, size_t *n)
{
    *n = 0;
    if (c->geom_col < 0 || sqlite3_column_type(c->q, c->geom_col) != SQLITE_BLOB)
        return NULL;
    const void *p = sqlite3_column_blob(c->q, c->geom_col);
    *n = p ? (size_t)sqlite3_column_bytes(c->q, c->geom_col) : 0;
    return p;
}

dm_status dm_cursor_json(dm_cursor *c, int with_geom, char **json)
{
    *json = NULL;
    dm_ctx *ctx = c->s->ctx;
    const dm_layer_def *l = c->layer;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"uuid\":");
    dm__buf_json_str(&b, dm_cursor_uuid(c));
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *f = &l->fields[i];
        int col = c->field_col + (int)i;
        dm__buf_printf(&b, ",\"%s\":", f->name);
        int t = sqlite3_column_type(c->q, col);
        if (t == SQLITE_NULL)
            dm__buf_puts(&b, "null");
        else if (f->type == DM_FT_INT || f->type == DM_FT_BOOL)
            dm__buf_printf(&b, "%lld", (long long)sqlite3_column_int64(c->q, col));
        else if (f->type == DM_FT_REAL)
            dm__buf_json_num(&b, sqlite3_column_double(c->q, col));
        else
            dm__buf_json_str(&b, (const char *)sqlite3_column_text(c->q, col));
    }
    static const char *meta[] = {"created", "updated", "author"};
    for (int i = 0; i < 3; i++) {
        dm__buf_printf(&b, ",\"%s\":", meta[i]);
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(c->q, i + 1));
    }
    if (with_geom && c->geom_col >= 0) {
        dm_geom *g = NULL;
        char *gj = NULL;
        dm_status st = dm_cursor_geom(c, &g);
        if (!st && g)
            st = dm_geom_to_geojson(ctx, g, &gj);
        dm_geom_free(g);
        if (st) {
            dm__buf_free(&b);
            return st;
        }
        dm__buf_printf(&b, ",\"geometry\":%s", gj ? gj : "null");
        dm_free(ctx, gj);
    }
    dm__buf_puts(&b, "}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    *json = dm_strdup(ctx, b.data);
    dm__buf_free(&b);
    return *json ? DM_OK : DM_ENOMEM;
}

void dm_cursor_free(dm_cursor *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->q);
    dm_free(c->s->ctx, c);
}

dm_status dm_store_count(dm_store *s, const char *layer, const dm_select *opts, long *n)
{
    *n = 0;
    const dm_layer_def *l = dm_layer_find(layer);
    if (!l)
        return dm__unknown_layer(s->ctx, layer);
    if (table_missing(s, l))
        return DM_OK; /* a layer added since: no rows yet */
    dm_select o = opts ? *opts : (dm_select){0};
    o.order_by = NULL;
    o.limit = 0;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "SELECT count(*) FROM \"%s\"", l->name);
    if (o.n_eq > 8)
        return dm__fail(s->ctx, DM_EINVAL, "too many filters");
    char *vals[8] = {0};
    dm_status st = eq_values(s, l, &o, vals);
    if (!st)
        st = build_where(s, l, &o, vals, &b);
    sqlite3_stmt *q = NULL;
    if (!st)
        st = b.oom ? DM_ENOMEM : dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (!st)
        bind_select(q, &o, vals);
    free_eq_values(s->ctx, vals, o.n_eq);
    if (st)
        return st;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? DM_OK : dm__sql_fail(s, rc, "count");
}

dm_status dm_store_history_json(dm_store *s, const char *uuid, char **json)
{
    *json = NULL;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s,
        "SELECT json_group_array(json_object('seq', seq, 'time', time, 'author', author, 'layer', "
        "layer, 'op', op, 'reason', reason, 'old', json(old_values), 'new', json(new_values))) "
        "FROM (SELECT * FROM change_log WHERE uuid = ? ORDER BY seq)",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *json = dm_strdup(s->ctx, (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return dm__sql_fail(s, rc, "history");
    if (!*json)
        return DM_ENOMEM;
    /* edits logged by the triggers of another program's writes: their
     * geometry in WKT, as ours */
    dm_status hs = dm__outside_history(s->ctx, json);
    if (hs) {
        dm_free(s->ctx, *json);
        *json = NULL;
    }
    return hs;
}

dm_status dm_store_last_change(dm_store *s, const char *layer, char out[25])
{
    out[0] = '\0';
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, "SELECT max(time) FROM change_log WHERE layer = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, layer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT)
        snprintf(out, 25, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? DM_OK : dm__sql_fail(s, rc, "last change");
}

dm_status dm_store_layer_bounds(dm_store *s, const char *layer, double b[4], int *found)
{
    *found = 0;
    const dm_layer_def *l = dm_layer_find(layer);
    if (!l)
        return dm__unknown_layer(s->ctx, layer);
    if (!l->geom_type)
        return DM_OK;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM \"rtree_%s_geom\"",
             l->name);
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, sql, &q);
    if (st)
        return st;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        for (int k = 0; k < 4; k++)
            b[k] = sqlite3_column_double(q, k);
        *found = 1;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "layer bounds");
}

int dm__store_extent(dm_store *s, double b[4])
{
    int found = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!l->geom_type || (l->flags & DM_LAYER_TRUTH))
            continue;
        double e[4];
        int has = 0;
        if (dm_store_layer_bounds(s, l->name, e, &has))
            return -1;
        if (!has)
            continue;
        if (!found) {
            memcpy(b, e, sizeof e);
            found = 1;
        } else {
            b[0] = fmin(b[0], e[0]);
            b[1] = fmin(b[1], e[1]);
            b[2] = fmax(b[2], e[2]);
            b[3] = fmax(b[3], e[3]);
        }
    }
    return found;
}
