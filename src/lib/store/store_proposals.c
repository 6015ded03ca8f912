/* SPDX-License-Identifier: MIT
 *
 * store_proposals.c -- hazards proposed in field reports. A survey team
 * that finds a new suspected area says so in its report; the hazard it
 * proposes waits in the attribute table report_proposals (one row per
 * report's activity: the hazard as a GeoJSON Feature, its state, who
 * proposed it and who decided), never in the hazards layer, so that the risk
 * map, the statistics, the public danger zones and every other reader of
 * hazards see nothing of a draft. Approving the report creates the hazard
 * and points the report's activity and items at it; rejecting it creates
 * nothing. Either way the proposal stays, for the record.
 *
 * A proposal is checked when it is made as the hazard itself would be when
 * inserted (dm_store_insert in a savepoint, read back, rolled back), and
 * again when it is applied: a ref taken meanwhile refuses the approval.
 */
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The table, registered as a GeoPackage attribute table as dm_meta and the
 * change log are (GDAL and QGIS list it), and a trigger that takes away a
 * pending proposal with its activity when a draft report is deleted (by any
 * tool): no proposal is left naming nothing. A decided one stays. */
static const char *proposals_sql =
    "CREATE TABLE IF NOT EXISTS report_proposals (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
    "activity_uuid TEXT NOT NULL UNIQUE, feature TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending' "
    "CHECK (status IN ('pending','applied','rejected')), hazard_uuid TEXT, created DATETIME NOT NULL, "
    "author TEXT NOT NULL, decided DATETIME, decided_by TEXT);"
    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES "
    "('report_proposals', 'attributes', 'report_proposals', 'hazards proposed in field reports: pending until "
    "the report is reviewed, then applied (the hazard created) or rejected');"
    "CREATE TRIGGER IF NOT EXISTS report_proposals_go_with_their_report AFTER DELETE ON activities BEGIN "
    "DELETE FROM report_proposals WHERE activity_uuid = OLD.uuid AND status = 'pending'; END;";

/* 1 when the database has the table (a database made before proposals and
 * opened read-only has not), 0 when not, negative on error. */
static int has_table(dm_store *s)
{
    sqlite3_stmt *q = NULL;
    if (dm__sql_prepare(s,
                        "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                        "'report_proposals') + (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                        "name = 'report_proposals_go_with_their_report')",
                        &q))
        return -1;
    int rc = sqlite3_step(q), n = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) {
        dm__sql_fail(s, rc, "report_proposals");
        return -1;
    }
    return n == 2 ? 1 : n == 1 ? 2 : 0; /* 2: the table without its trigger */
}

dm_status dm__store_add_proposals(dm_store *s)
{
    int have = has_table(s);
    if (have < 0)
        return DM_ESQL;
    if (have == 1)
        return DM_OK; /* the common case, on every open: no write */
    if (!sqlite3_get_autocommit(s->db))
        return dm__sql_exec(s, proposals_sql); /* a new database's schema, in its transaction */
    dm_status st = dm_store_begin(s);
    if (!st)
        st = dm__sql_exec(s, proposals_sql);
    if (!st)
        return dm_store_commit(s);
    dm_store_rollback(s);
    return st;
}

/* ============================== checking ============================== */

/* The row read back as a GeoJSON Feature: the fields that have a value as
 * properties (not the uuid, nor the time stamps and author, which the
 * hazard gets when it is made), and the geometry. */
static dm_status feature_of(dm_store *s, const char *row_json, char **out)
{
    json_error_t je;
    json_t *o = json_loads(row_json, 0, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return dm__fail(s->ctx, DM_EINTERNAL, "hazard proposal: the row read back is not JSON: %s", je.text);
    }
    json_t *props = json_object(), *f = json_object();
    json_t *geom = json_incref(json_object_get(o, "geometry"));
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (json_is_null(v) || !strcmp(k, "uuid") || !strcmp(k, "geometry") || !strcmp(k, "created") ||
            !strcmp(k, "updated") || !strcmp(k, "author"))
            continue;
        json_object_set(props, k, v);
    }
    json_decref(o);
    json_object_set_new(f, "type", json_string("Feature"));
    json_object_set_new(f, "properties", props);
    json_object_set_new(f, "geometry", geom ? geom : json_null());
    /* 15 digits: 46.95 reads 46.95, not 46.950000000000003 (the
     * hazard made from it differs by less than a micrometre) */
    char *text = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(f);
    *out = text ? dm_strdup(s->ctx, text) : NULL;
    free(text);
    return *out ? DM_OK : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
}

dm_status dm_proposal_check(dm_store *s, dm_row *r, char **feature)
{
    if (feature)
        *feature = NULL;
    if (!r || strcmp(dm_row_layer(r)->name, "hazards"))
        return dm__fail(s->ctx, DM_EINVAL, "a proposed hazard is a row of the hazards layer");
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    char uuid[37];
    st = dm_store_insert(s, r, uuid);
    char *json = NULL;
    if (!st && feature) {
        const char *f[1] = {"uuid"}, *v[1] = {uuid};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        dm_cursor *c = NULL;
        st = dm_store_select(s, "hazards", &sel, &c);
        if (!st) {
            int rc = dm_cursor_next(c);
            if (rc == 1)
                st = dm_cursor_json(c, 1, &json);
            else
                st = rc < 0 ? DM_ESQL : dm__fail(s->ctx, DM_EINTERNAL, "hazard proposal: not read back");
        }
        dm_cursor_free(c);
    }
    /* nothing stays: the insertion, its change-log entry and the row's
     * number are undone */
    dm_store_rollback(s);
    if (!st && feature)
        st = feature_of(s, json, feature);
    dm_free(s->ctx, json);
    return st;
}

/* ============================== keeping ============================== */

dm_status dm_proposal_put(dm_store *s, const char *activity, const char *feature)
{
    if (!activity || !feature)
        return dm__fail(s->ctx, DM_EINVAL, "hazard proposal: no activity or no feature");
    const dm_layer_def *l = NULL;
    char uuid[37];
    dm_status st = dm_store_resolve(s, "activities", activity, &l, uuid);
    if (st)
        return st;
    if (strcmp(uuid, activity))
        return dm__fail(s->ctx, DM_ENOTFOUND, "hazard proposal: no activity with uuid %s", activity);
    if (has_table(s) < 1)
        return dm__fail(s->ctx, DM_ESCHEMA, "%s: no report_proposals table (the database is read-only)",
                        s->path);
    sqlite3_stmt *q = NULL;
    st = dm__sql_prepare(s,
                         "INSERT INTO report_proposals (activity_uuid, feature, status, created, author) "
                         "VALUES (?1, ?2, 'pending', ?3, ?4)",
                         &q);
    if (st)
        return st;
    char now[25];
    dm__now_gpkg(now);
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, feature, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, dm_ctx_author(s->ctx), -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return DM_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return dm__fail(s->ctx, DM_ECONFLICT, "activity %s already proposes a hazard", uuid);
    return dm__sql_fail(s, rc, "report_proposals");
}

static void copy_col(sqlite3_stmt *q, int col, char *out, size_t n)
{
    const char *v = (const char *)sqlite3_column_text(q, col);
    snprintf(out, n, "%s", v ? v : "");
}

int dm_proposal_get(dm_store *s, const char *activity, int with_feature, dm_proposal *out)
{
    memset(out, 0, sizeof *out);
    int have = has_table(s);
    if (have <= 0)
        return have; /* a database older than proposals proposes nothing */
    sqlite3_stmt *q = NULL;
    if (dm__sql_prepare(s,
                        "SELECT activity_uuid, status, hazard_uuid, created, author, decided, decided_by, feature "
                        "FROM report_proposals WHERE activity_uuid = ?1",
                        &q))
        return -1;
    sqlite3_bind_text(q, 1, activity ? activity : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        copy_col(q, 0, out->activity, sizeof out->activity);
        copy_col(q, 1, out->status, sizeof out->status);
        copy_col(q, 2, out->hazard, sizeof out->hazard);
        copy_col(q, 3, out->created, sizeof out->created);
        copy_col(q, 4, out->author, sizeof out->author);
        copy_col(q, 5, out->decided, sizeof out->decided);
        copy_col(q, 6, out->decided_by, sizeof out->decided_by);
        if (with_feature) {
            out->feature = dm_strdup(s->ctx, (const char *)sqlite3_column_text(q, 7));
            if (!out->feature) {
                dm__fail(s->ctx, DM_ENOMEM, "out of memory");
                found = -1;
            }
        }
    } else if (rc != SQLITE_DONE) {
        dm__sql_fail(s, rc, "report_proposals");
        found = -1;
    }
    sqlite3_finalize(q);
    return found;
}

void dm_proposal_clear(dm_store *s, dm_proposal *p)
{
    if (!p)
        return;
    dm_free(s ? s->ctx : NULL, p->feature);
    p->feature = NULL;
}

/* ============================== deciding ============================== */

/* The proposal's decision: status and, when applied, the hazard made. */
static dm_status decide(dm_store *s, const char *activity, const char *status, const char *hazard)
{
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s,
                                   "UPDATE report_proposals SET status = ?2, hazard_uuid = ?3, decided = ?4, "
                                   "decided_by = ?5 WHERE activity_uuid = ?1 AND status = 'pending'",
                                   &q);
    if (st)
        return st;
    char now[25];
    dm__now_gpkg(now);
    sqlite3_bind_text(q, 1, activity, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
    if (hazard)
        sqlite3_bind_text(q, 3, hazard, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, dm_ctx_author(s->ctx), -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "report_proposals");
}

/* The hazard row of a proposal's Feature. */
static dm_status row_of(dm_store *s, const char *activity, const char *feature, dm_row **out)
{
    *out = NULL;
    json_error_t je;
    json_t *f = json_loads(feature, 0, &je);
    json_t *props = json_object_get(f, "properties"), *geom = json_object_get(f, "geometry");
    if (!json_is_object(props)) {
        json_decref(f);
        return dm__fail(s->ctx, DM_EPARSE, "report_proposals: the hazard proposed by activity %s cannot be read",
                        activity);
    }
    const dm_layer_def *l = dm_layer_find("hazards");
    dm_row *r = dm_row_new(s->ctx, l);
    dm_status st = r ? DM_OK : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v)
    {
        if (st)
            break;
        if (json_is_string(v))
            st = dm_row_set(r, k, json_string_value(v));
        else if (json_is_integer(v))
            st = dm_row_set_int(r, k, (long long)json_integer_value(v));
        else if (json_is_real(v))
            st = dm_row_set_real(r, k, json_real_value(v));
        else if (json_is_boolean(v))
            st = dm_row_set(r, k, json_is_true(v) ? "1" : "0");
        if (st == DM_ENOTFOUND) /* a field this build does not know */
            st = dm__fail(s->ctx, DM_EPARSE, "report_proposals: activity %s: field '%s': not a field of hazards",
                          activity, k);
    }
    if (!st && json_is_object(geom)) {
        char *text = json_dumps(geom, JSON_COMPACT);
        dm_geom *g = NULL;
        st = text ? dm_geom_from_geojson(s->ctx, text, &g) : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        free(text);
        if (!st)
            dm_row_set_geom(r, g);
    }
    json_decref(f);
    if (st) {
        dm_row_free(r);
        return st;
    }
    *out = r;
    return DM_OK;
}

dm_status dm__activity_rows(dm_store *s, const char *layer, const char *activity, int unlinked_only,
                            char (**out)[37], size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    const char *f[1] = {"activity_id"}, *v[1] = {activity};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, layer, &sel, &c);
    size_t cap = 0;
    int rc;
    while (!st && (rc = dm_cursor_next(c)) != 0) {
        if (rc < 0) {
            st = DM_ESQL;
            break;
        }
        if (unlinked_only && dm_cursor_text(c, "hazard_id"))
            continue;
        if (*n_out == cap) {
            cap = cap ? cap * 2 : 16;
            char(*grown)[37] = realloc(*out, cap * sizeof **out);
            if (!grown) {
                st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            *out = grown;
        }
        snprintf((*out)[(*n_out)++], 37, "%s", dm_cursor_uuid(c));
    }
    dm_cursor_free(c);
    if (st) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    return st;
}

/* Point the row uuid of layer at the hazard. */
static dm_status link_row(dm_store *s, const char *layer, const char *uuid, const char *hazard, const char *reason)
{
    dm_row *r = dm_row_new(s->ctx, dm_layer_find(layer));
    if (!r)
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    dm_status st = dm_row_set(r, "hazard_id", hazard);
    if (!st)
        st = dm_store_update(s, uuid, r, reason);
    dm_row_free(r);
    return st;
}

dm_status dm_proposal_apply(dm_store *s, const char *activity, const char *reason, char hazard_out[37])
{
    hazard_out[0] = '\0';
    dm_proposal p;
    int found = dm_proposal_get(s, activity, 1, &p);
    if (found < 0)
        return DM_ESQL;
    if (!found || strcmp(p.status, "pending")) {
        dm_proposal_clear(s, &p);
        return DM_OK; /* nothing proposed, or decided already */
    }
    dm_row *r = NULL;
    dm_status st = row_of(s, p.activity, p.feature, &r);
    dm_proposal_clear(s, &p);
    if (st)
        return st;
    if ((st = dm_store_begin(s))) {
        dm_row_free(r);
        return st;
    }
    char hz[37];
    st = dm_store_insert_reason(s, r, hz, reason);
    dm_row_free(r);
    if (st)
        dm__wrap(s->ctx, "the hazard the report proposes");
    /* the report's activity (unless it names a hazard: then that is the one
     * worked on) and its items that name none */
    char(*items)[37] = NULL;
    size_t n = 0;
    if (!st) {
        dm_cursor *c = NULL;
        const char *f[1] = {"uuid"}, *v[1] = {activity};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        st = dm_store_select(s, "activities", &sel, &c);
        int rc = st ? -1 : dm_cursor_next(c);
        int named = rc == 1 && dm_cursor_text(c, "hazard_id");
        dm_cursor_free(c);
        if (!st && rc != 1)
            st = rc < 0 ? DM_ESQL : dm__fail(s->ctx, DM_ENOTFOUND, "no activity %s", activity);
        if (!st && !named)
            st = link_row(s, "activities", activity, hz, reason);
    }
    if (!st)
        st = dm__activity_rows(s, "items", activity, 1, &items, &n);
    for (size_t i = 0; !st && i < n; i++)
        st = link_row(s, "items", items[i], hz, reason);
    free(items);
    if (!st)
        st = decide(s, activity, "applied", hz);
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    memcpy(hazard_out, hz, 37);
    return DM_OK;
}

dm_status dm_proposal_reject(dm_store *s, const char *activity)
{
    int have = has_table(s);
    if (have < 0)
        return DM_ESQL;
    if (!have)
        return DM_OK;
    return decide(s, activity, "rejected", NULL);
}

/* ============================ deleting, restoring ============================ */

dm_status dm__proposal_keep(dm_store *s, const char *activity, char **old_json)
{
    if (!*old_json)
        return DM_OK;
    dm_proposal p;
    int found = dm_proposal_get(s, activity, 1, &p);
    if (found < 0)
        return DM_ESQL;
    if (!found || strcmp(p.status, "pending")) {
        dm_proposal_clear(s, &p);
        return DM_OK; /* a decided proposal stays in its table */
    }
    /* appended to the values as SQLite wrote them, which stay as they were */
    json_t *f = json_loads(p.feature ? p.feature : "", 0, NULL), *kept = json_object();
    json_object_set(kept, "feature", f);
    json_object_set_new(kept, "created", json_string(p.created));
    json_object_set_new(kept, "author", json_string(p.author));
    int readable = json_is_object(f);
    char *text = json_dumps(kept, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(kept);
    json_decref(f);
    dm_status st = DM_OK;
    size_t n = strlen(*old_json);
    while (n && (*old_json)[n - 1] != '}')
        n--;
    if (!readable || n < 2)
        st = dm__fail(s->ctx, DM_EINTERNAL, "activity %s: its hazard proposal cannot be kept for a restoration",
                      activity);
    else if (!text)
        st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    else {
        size_t m = n - 1 + strlen(text) + 24;
        char *grown = malloc(m);
        if (!grown)
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        else {
            snprintf(grown, m, "%.*s%s\"report_proposal\":%s}", (int)(n - 1), *old_json,
                     n > 2 ? "," : "", text);
            free(*old_json);
            *old_json = grown;
        }
    }
    free(text);
    dm_proposal_clear(s, &p);
    return st;
}

dm_status dm__proposal_restore(dm_store *s, const char *activity, const char *old_json)
{
    json_t *o = old_json ? json_loads(old_json, 0, NULL) : NULL;
    json_t *kept = json_object_get(o, "report_proposal");
    json_t *f = json_object_get(kept, "feature");
    if (!json_is_object(f)) {
        json_decref(o);
        return DM_OK; /* it proposed nothing pending when deleted */
    }
    dm_status st = DM_OK;
    int have = has_table(s);
    dm_proposal p;
    int found = have == 1 ? dm_proposal_get(s, activity, 0, &p) : 0;
    if (have < 0 || found < 0)
        st = DM_ESQL;
    else if (have != 1)
        st = dm__fail(s->ctx, DM_ESCHEMA, "%s: no report_proposals table: the hazard activity %s proposed cannot "
                      "be restored", s->path, activity);
    else if (!found) {
        char *feature = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        const char *created = json_string_value(json_object_get(kept, "created"));
        const char *author = json_string_value(json_object_get(kept, "author"));
        char now[25];
        dm__now_gpkg(now);
        sqlite3_stmt *q = NULL;
        if (!feature)
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        else
            st = dm__sql_prepare(s,
                                 "INSERT INTO report_proposals (activity_uuid, feature, status, created, author) "
                                 "VALUES (?1, ?2, 'pending', ?3, ?4)",
                                 &q);
        if (!st) {
            sqlite3_bind_text(q, 1, activity, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, feature, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, created && *created ? created : now, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, author && *author ? author : dm_ctx_author(s->ctx), -1, SQLITE_STATIC);
            int rc = sqlite3_step(q);
            if (rc != SQLITE_DONE)
                st = dm__sql_fail(s, rc, "report_proposals");
        }
        sqlite3_finalize(q);
        free(feature);
    }
    json_decref(o);
    return st;
}
