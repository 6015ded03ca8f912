/* SPDX-License-Identifier: MIT
 *
 * store_outside.c -- edits made to a database by other programs (QGIS,
 * GDAL, sqlite3): the database opens in QGIS as it is, and what an
 * information officer adds, changes or deletes there goes into the change
 * log too, so that its history is whole and a row deleted in QGIS can be
 * put back (dm_store_restore).
 *
 * Every layer has four triggers in plain SQL (no function of ours: other
 * programs do not have them):
 *   - after an insert: a row added without a uuid gets one (QGIS fills the
 *     column with its default, the placeholder DM__UUID_PLACEHOLDER, which
 *     the trigger replaces), and its created and updated times and author;
 *     the insertion is logged with the row's values;
 *   - after an update that changes a value, the geometry or the uuid: the
 *     old and new values of what changed are logged (under the new uuid),
 *     the row's updated time and author
 *     set, and a hazard whose status changed gets a row of its life cycle
 *     (hazard_status), as demine's own status changes do;
 *   - before a delete: refused while rows of other layers point at the
 *     row, as `demine delete` refuses it; else the row's last values are
 *     logged (a draft report's activity with the hazard it proposed, as a
 *     withdrawal keeps it), and the rows that go with it in `demine delete`
 *     (a hazard's life cycle, the plan's tasks for it) are deleted too;
 *   - after an update that writes the placeholder over a row's uuid: its
 *     own uuid is put back.
 * Geometry is logged as the GeoPackage blob in hex ("geom_gpkg"), where our
 * own entries have WKT ("geom"): SQLite alone cannot write WKT. A history
 * read gives it as WKT too (dm__outside_history), and a restoration reads
 * it (dm__outside_geom).
 *
 * demine's own writes log themselves (store_write.c) with more to say (the
 * user, the reason); the triggers leave them alone: on every connection of
 * ours SQLite's own sqlite_source_id() is replaced by one that begins with
 * DM__OUR_CONNECTION (dm_store_open), a mark of the connection itself:
 * nothing is written to say whose a write is, and another program's
 * connection cannot seem ours.
 */
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTSIDE_AUTHOR "outside demine"
#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
#define NOT_OURS "sqlite_source_id() NOT LIKE '" DM__OUR_CONNECTION " %'"
#define PLACEHOLDER "'" DM__UUID_PLACEHOLDER "'"
/* the uuid a row updated keeps: the placeholder written over it (QGIS's
 * attribute table) gives it back its own */
#define KEPT_UUID "CASE WHEN NEW.uuid IS " PLACEHOLDER " THEN OLD.uuid ELSE NEW.uuid END"
/* a random (version 4) uuid */
#define NEW_UUID                                                                                    \
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), "  \
    "2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || " \
    "'-' || hex(randomblob(6)))"

/* json_object(...) of the row's fields and geometry as alias (NEW or OLD)
 * has them, after its uuid (the SQL expression uuid) when not NULL. */
static void values_json(dm_buf *b, const dm_layer_def *l, const char *alias, const char *uuid)
{
    dm__buf_puts(b, "json_object(");
    if (uuid) {
        dm__buf_puts(b, "'uuid', ");
        dm__buf_puts(b, uuid);
        dm__buf_puts(b, l->n_fields || l->geom_type ? ", " : "");
    }
    /* a blob in a field (bytes another program wrote as they were) is
     * logged as the SQL literal X'..': JSON holds no blob, and the edit must
     * not fail for its log; so is an infinite number in a column that keeps
     * numbers (1e999, GDAL's inf), as text ('Inf'): SQLite's JSON would
     * write Inf, which is no JSON (the edit failed: "malformed JSON"), or
     * 9.0e+999, which jansson refuses (the history could not be read) */
    for (size_t i = 0; i < l->n_fields; i++) {
        const char *f = l->fields[i].name;
        dm__buf_printf(b, "%s'%s', CASE typeof(%s.\"%s\") WHEN 'blob' THEN 'X''' || hex(%s.\"%s\") || '''' ",
                       i ? ", " : "", f, alias, f, alias, f);
        if (strcmp(dm__sql_type(&l->fields[i]), "TEXT")) /* a text column turns numbers into text */
            dm__buf_printf(b,
                           "WHEN 'real' THEN CASE WHEN abs(%s.\"%s\") < 1e999 THEN %s.\"%s\" ELSE CAST(%s.\"%s\" "
                           "AS TEXT) END ",
                           alias, f, alias, f, alias, f);
        dm__buf_printf(b, "ELSE %s.\"%s\" END", alias, f);
    }
    if (l->geom_type)
        dm__buf_printf(b, "%s'geom_gpkg', CASE WHEN %s.geom IS NULL THEN NULL ELSE hex(%s.geom) END",
                       l->n_fields ? ", " : "", alias, alias);
    dm__buf_puts(b, ")");
}

/* The same with the uuid, less the values the update left as they were. */
static void changed_json(dm_buf *b, const dm_layer_def *l, const char *alias)
{
    dm__buf_puts(b, "json_remove(");
    values_json(b, l, alias, strcmp(alias, "OLD") ? KEPT_UUID : "OLD.uuid");
    dm__buf_puts(b, ", CASE WHEN OLD.uuid IS " KEPT_UUID " THEN '$.uuid' ELSE '$.-' END");
    for (size_t i = 0; i < l->n_fields; i++)
        dm__buf_printf(b, ", CASE WHEN OLD.\"%s\" IS NEW.\"%s\" THEN '$.%s' ELSE '$.-' END",
                       l->fields[i].name, l->fields[i].name, l->fields[i].name);
    if (l->geom_type)
        dm__buf_puts(b, ", CASE WHEN OLD.geom IS NEW.geom THEN '$.geom_gpkg' ELSE '$.-' END");
    dm__buf_puts(b, ")");
}

/* The start of the change-log insertion of op on table t, before the old
 * and new values: "INSERT ... SELECT time, author, layer, uuid, op, reason, ". */
static void log_insert(dm_buf *b, const char *t, const char *uuid, const char *op, const char *reason)
{
    dm__buf_puts(b, "INSERT INTO change_log (time, author, layer, uuid, op, reason, old_values, "
                    "new_values) SELECT " NOW ", '" OUTSIDE_AUTHOR "', ");
    dm__buf_printf(b, "'%s', %s, '%s', '%s', ", t, uuid, op, reason);
}

/* The statements of a delete trigger that refuse the deletion of a row of
 * l while rows of other layers point at it, one for each layer and field
 * that can, as `demine delete` refuses it (dm_store_delete): a hazard
 * deleted in QGIS with its finds left pointing at it. The message, which
 * QGIS shows beside the feature it could not delete, must be a literal
 * (SQLite 3.40), so it names the layer and field but not the rows. */
static void refuse_referred(dm_buf *b, const dm_layer_def *l)
{
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *rl = dm_layer_at(i);
        if (dm__goes_with_it(l, rl))
            continue;
        for (size_t k = 0; k < rl->n_fields; k++) {
            const dm_field_def *f = &rl->fields[k];
            if (f->type != DM_FT_REF || !f->ref_layer || strcmp(f->ref_layer, l->name))
                continue;
            dm__buf_printf(b,
                           "SELECT RAISE(ABORT, 'demine: rows of %s (%s) point at this row of %s: delete them "
                           "or point them elsewhere first') WHERE EXISTS (SELECT 1 FROM \"%s\" WHERE \"%s\" = "
                           "OLD.uuid); ",
                           rl->name, f->name, l->name, rl->name, f->name);
        }
    }
}

/* The statements of a delete trigger that delete, each logged by its own
 * trigger, the rows that go with a deleted row of l as they go with it in
 * `demine delete`: a hazard's life-cycle history, the outputs an analysis
 * wrote about it (the next run rewrites them). */
static void delete_going_with(dm_buf *b, const dm_layer_def *l)
{
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *rl = dm_layer_at(i);
        if (!dm__goes_with_it(l, rl))
            continue;
        for (size_t k = 0; k < rl->n_fields; k++) {
            const dm_field_def *f = &rl->fields[k];
            if (f->type == DM_FT_REF && f->ref_layer && !strcmp(f->ref_layer, l->name))
                dm__buf_printf(b, "DELETE FROM \"%s\" WHERE \"%s\" = OLD.uuid; ", rl->name, f->name);
        }
    }
}

/* The triggers of layer l (names dm_outside_<layer>_insert, _update,
 * _delete, _uuid, and for hazards _status), each statement ending with
 * ';', in sql[5] (sql[4] empty for other layers). NOW and
 * NEW_UUID hold '%': they go in with dm__buf_puts, never in a format. */
static void layer_triggers(const dm_layer_def *l, dm_buf sql[5])
{
    const char *t = l->name;

    /* insert */
    dm_buf *b = &sql[0];
    dm__buf_printf(b, "CREATE TRIGGER \"dm_outside_%s_insert\" AFTER INSERT ON \"%s\" WHEN ", t, t);
    dm__buf_puts(b, NOT_OURS);
    dm__buf_printf(b, " BEGIN UPDATE \"%s\" SET uuid = CASE WHEN NEW.uuid = '", t);
    dm__buf_puts(b, DM__UUID_PLACEHOLDER "' THEN " NEW_UUID " ELSE NEW.uuid END, created = "
                    "coalesce(NEW.created, " NOW "), updated = coalesce(NEW.updated, " NOW
                    "), author = coalesce(NEW.author, '" OUTSIDE_AUTHOR "') WHERE fid = NEW.fid; ");
    log_insert(b, t, "uuid", "insert", "added outside demine");
    dm__buf_puts(b, "NULL, ");
    values_json(b, l, "\"r\"", NULL);
    dm__buf_printf(b, " FROM \"%s\" AS \"r\" WHERE fid = NEW.fid; END;", t);

    /* update: only when a value, the geometry or the uuid changed (not
     * when the time stamps alone did, as the insert trigger's own update
     * does, which gives a uuid in place of the placeholder); a uuid changed
     * is logged as a value, under the new one */
    b = &sql[1];
    dm__buf_printf(b, "CREATE TRIGGER \"dm_outside_%s_update\" AFTER UPDATE ON \"%s\" WHEN ", t, t);
    dm__buf_puts(b, NOT_OURS " AND OLD.uuid IS NOT " PLACEHOLDER " AND (OLD.uuid IS NOT " KEPT_UUID);
    for (size_t i = 0; i < l->n_fields; i++)
        dm__buf_printf(b, " OR OLD.\"%s\" IS NOT NEW.\"%s\"", l->fields[i].name, l->fields[i].name);
    if (l->geom_type)
        dm__buf_puts(b, " OR OLD.geom IS NOT NEW.geom");
    dm__buf_puts(b, ") BEGIN ");
    log_insert(b, t, KEPT_UUID, "update", "changed outside demine");
    changed_json(b, l, "OLD");
    dm__buf_puts(b, ", ");
    changed_json(b, l, "NEW");
    dm__buf_printf(b, "; UPDATE \"%s\" SET updated = ", t);
    dm__buf_puts(b, NOW ", author = '" OUTSIDE_AUTHOR "' WHERE fid = NEW.fid; END;");

    /* delete: before, so that a draft report's proposal, which a trigger of
     * store_proposals.c takes away after the delete, is still there */
    b = &sql[2];
    dm__buf_printf(b, "CREATE TRIGGER \"dm_outside_%s_delete\" BEFORE DELETE ON \"%s\" WHEN ", t, t);
    dm__buf_puts(b, NOT_OURS " BEGIN ");
    refuse_referred(b, l);
    log_insert(b, t, "OLD.uuid", "delete", "deleted outside demine");
    if (!strcmp(t, "activities")) {
        dm__buf_puts(b, "json_patch(");
        values_json(b, l, "OLD", NULL);
        dm__buf_puts(b, ", coalesce((SELECT json_object('report_proposal', json_object('feature', "
                        "json(feature), 'created', created, 'author', author)) FROM report_proposals WHERE "
                        "activity_uuid = OLD.uuid AND status = 'pending'), '{}'))");
    } else
        values_json(b, l, "OLD", NULL);
    dm__buf_puts(b, ", NULL; ");
    delete_going_with(b, l);
    dm__buf_puts(b, "END;");

    /* the placeholder written over a row's uuid: its own back (kept, it
     * would refuse every row added after as a second one) */
    b = &sql[3];
    dm__buf_printf(b, "CREATE TRIGGER \"dm_outside_%s_uuid\" AFTER UPDATE OF uuid ON \"%s\" WHEN ", t, t);
    dm__buf_puts(b, NOT_OURS " AND NEW.uuid IS " PLACEHOLDER " AND OLD.uuid IS NOT " PLACEHOLDER);
    dm__buf_printf(b, " BEGIN UPDATE \"%s\" SET uuid = OLD.uuid WHERE fid = NEW.fid; END;", t);

    /* a hazard's status changed to one of the list, as `demine status`
     * changes it (hazard_lifecycle.c): a dated row of its life cycle, and
     * the land left to release that the new status means, unless the same
     * edit set it: none once closed or handed over, on reopening what the
     * estimate leaves once its released land is taken off (all of it when
     * nothing would be left). The area's own change is logged by the update
     * trigger, which it sets off. A status not in the list is left to
     * `demine check`, with no life-cycle row. */
    if (!strcmp(t, "hazards")) {
        b = &sql[4];
        dm__buf_puts(b, "CREATE TRIGGER \"dm_outside_hazards_status\" AFTER UPDATE OF status ON hazards WHEN ");
        dm__buf_puts(
            b, NOT_OURS " AND OLD.status IS NOT NEW.status AND NEW.status IN ('open', 'partly_released', "
                        "'closed', 'handed_over') BEGIN "
                        "INSERT INTO hazard_status (uuid, hazard_id, date, from_status, to_status, reason, created, "
                        "updated, author) VALUES (" NEW_UUID ", " KEPT_UUID ", date('now'), OLD.status, NEW.status, "
                        "'changed outside demine', " NOW ", " NOW ", '" OUTSIDE_AUTHOR "'); "
                        "UPDATE hazards SET remaining_area_ha = 0 WHERE fid = NEW.fid AND NEW.status IN ('closed', "
                        "'handed_over') AND coalesce(OLD.status, '') NOT IN ('closed', 'handed_over') AND "
                        "NEW.remaining_area_ha IS OLD.remaining_area_ha AND NEW.remaining_area_ha IS NOT 0; "
                        "UPDATE hazards SET remaining_area_ha = (SELECT CASE WHEN NEW.est_area_ha IS NULL THEN NULL "
                        "WHEN NEW.est_area_ha - total(area_ha) < 0.01 THEN NEW.est_area_ha ELSE "
                        "round((NEW.est_area_ha - total(area_ha)) * 10000) / 10000 END FROM release_areas WHERE "
                        "hazard_id = " KEPT_UUID ") WHERE fid = NEW.fid AND NEW.status IN ('open', "
                        "'partly_released') AND OLD.status IN ('closed', 'handed_over') AND NEW.remaining_area_ha "
                        "IS OLD.remaining_area_ha; END;");
    }
}

/* The SQL text sqlite_master holds of the trigger name (malloc'd), NULL
 * when there is none. */
static dm_status stored_sql(dm_store *s, const char *name, char **out)
{
    *out = NULL;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT)
        *out = dm_strdup(s->ctx, (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dm__sql_fail(s, rc, "triggers");
    return DM_OK;
}

/* 0 when the layer's table lacks the uuid placeholder and can be given it
 * (a database made before it: its uuid column as create_layer wrote it), 1
 * when not (it has it, or a column written otherwise, left as it is), -1
 * on error. */
static int has_uuid_default(dm_store *s, const char *table)
{
    sqlite3_stmt *q = NULL;
    if (dm__sql_prepare(s, "SELECT instr(sql, 'uuid TEXT NOT NULL UNIQUE,') = 0 FROM sqlite_master "
                           "WHERE type = 'table' AND name = ?",
                        &q))
        return -1;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), have = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        dm__sql_fail(s, rc, "tables");
        return -1;
    }
    return have;
}

/* The placeholder default given to the uuid column of tables made before
 * it: SQLite cannot ALTER a column's default, but allows the table's SQL
 * text to be changed for it (https://sqlite.org/lang_altertable.html,
 * section 7: a default changes nothing stored). */
static dm_status add_uuid_defaults(dm_store *s, const char *const *tables, size_t n)
{
    sqlite3_stmt *q = NULL;
    int version = 0;
    dm_status st = dm__sql_prepare(s, "PRAGMA schema_version", &q);
    if (st)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    st = dm__sql_exec(s, "PRAGMA writable_schema = ON");
    if (st)
        return st;
    st = dm__sql_prepare(s,
                         "UPDATE sqlite_master SET sql = replace(sql, 'uuid TEXT NOT NULL UNIQUE,', "
                         "'uuid TEXT NOT NULL UNIQUE DEFAULT ''" DM__UUID_PLACEHOLDER "'',') WHERE type = "
                         "'table' AND name = ? AND instr(sql, 'uuid TEXT NOT NULL UNIQUE,') > 0",
                         &q);
    for (size_t i = 0; !st && i < n; i++) {
        sqlite3_bind_text(q, 1, tables[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            st = dm__sql_fail(s, rc, "uuid default");
    }
    sqlite3_finalize(q);
    if (!st) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA schema_version = %d", version + 1);
        st = dm__sql_exec(s, sql);
    }
    sqlite3_exec(s->db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
    return st;
}

dm_status dm__store_add_outside_log(dm_store *s)
{
    size_t n = dm_layer_count();
    dm_buf want;
    dm__buf_init(&want);
    const char *stale[64];
    size_t n_stale = 0;
    int new_db = !sqlite3_get_autocommit(s->db);
    dm_status st = DM_OK;
    /* what is there and what should be: on every open, without a write when
     * they agree */
    for (size_t i = 0; !st && i < n; i++) {
        const dm_layer_def *l = dm_layer_at(i);
        dm_buf sql[5];
        for (int k = 0; k < 5; k++)
            dm__buf_init(&sql[k]);
        layer_triggers(l, sql);
        static const char *const ops[5] = {"insert", "update", "delete", "uuid", "status"};
        for (int k = 0; k < 5 && !st; k++) {
            if (sql[k].oom) {
                st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            if (!sql[k].len)
                continue; /* none of this kind for the layer */
            char name[128], *have = NULL;
            snprintf(name, sizeof name, "dm_outside_%s_%s", l->name, ops[k]);
            st = stored_sql(s, name, &have);
            /* sqlite_master keeps the text without the statement's ';' */
            size_t len = sql[k].len - 1;
            if (!st && !(have && strlen(have) == len && !strncmp(have, sql[k].data, len)))
                dm__buf_printf(&want, "DROP TRIGGER IF EXISTS \"%s\"; %s", name, sql[k].data);
            dm_free(s->ctx, have);
        }
        for (int k = 0; k < 5; k++)
            dm__buf_free(&sql[k]);
        int d = st ? 1 : has_uuid_default(s, l->name);
        if (d < 0)
            st = DM_ESQL;
        else if (!d && n_stale < sizeof stale / sizeof *stale)
            stale[n_stale++] = l->name;
    }
    if (!st && want.oom)
        st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    if (st || (!want.len && !n_stale)) {
        dm__buf_free(&want);
        return st; /* the common case, on every open: nothing to write */
    }
    if (!new_db)
        st = dm_store_begin(s);
    if (!st && n_stale)
        st = add_uuid_defaults(s, stale, n_stale);
    if (!st && want.len)
        st = dm__sql_exec(s, want.data);
    dm__buf_free(&want);
    if (new_db)
        return st;
    if (!st)
        return dm_store_commit(s);
    dm_store_rollback(s);
    return st;
}

dm_status dm__outside_geom(dm_ctx *ctx, const char *hex, dm_geom **out)
{
    *out = NULL;
    size_t n = strlen(hex) / 2;
    unsigned char *blob = malloc(n ? n : 1);
    if (!blob)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            free(blob);
            return dm__fail(ctx, DM_EPARSE, "the change log's geometry cannot be read");
        }
        blob[i] = (unsigned char)v;
    }
    dm_status st = dm_geom_from_gpkg(ctx, blob, n, out);
    free(blob);
    return st;
}

/* In one set of logged values, "geom_gpkg" as "geom" in WKT; one that
 * cannot be read is left as it is. */
static void values_as_ours(dm_ctx *ctx, json_t *o)
{
    const char *hex = json_string_value(json_object_get(o, "geom_gpkg"));
    if (!hex)
        return;
    dm_geom *g = NULL;
    char *wkt = NULL;
    if (!dm__outside_geom(ctx, hex, &g) && !dm_geom_to_wkt(ctx, g, 7, &wkt)) {
        json_object_set_new(o, "geom", json_string(wkt));
        json_object_del(o, "geom_gpkg");
    } else
        dm_ctx_clear_error(ctx);
    dm_free(ctx, wkt);
    dm_geom_free(g);
}

dm_status dm__outside_history(dm_ctx *ctx, char **json)
{
    if (!strstr(*json, "\"geom_gpkg\""))
        return DM_OK; /* nothing logged by the triggers, or no geometry */
    json_error_t err;
    json_t *arr = json_loads(*json, 0, &err), *e;
    if (!arr)
        return dm__fail(ctx, DM_EINTERNAL, "history: %s", err.text);
    size_t i;
    json_array_foreach(arr, i, e)
    {
        values_as_ours(ctx, json_object_get(e, "old"));
        values_as_ours(ctx, json_object_get(e, "new"));
    }
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(arr);
    if (!text)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    char *copy = dm_strdup(ctx, text);
    free(text);
    if (!copy)
        return DM_ENOMEM;
    dm_free(ctx, *json);
    *json = copy;
    return DM_OK;
}
