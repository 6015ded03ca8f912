/* SPDX-License-Identifier: MIT
 *
 * store_restore.c -- undoing a deletion: a row deleted by mistake is put
 * back from the change log, which keeps its last values, with its uuid (so
 * that what named it names it again) and the time it was first created. A
 * hazard's life-cycle history, deleted with it, comes back with it; so do
 * the items of an activity deleted with it (a withdrawn field report's) and
 * the hazard its report proposed, pending again. The
 * restoration is an insertion like any other: checked, and logged with the
 * reason.
 */
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last change-log entry of uuid: its layer, operation and old values
 * (malloc'd), and the time of its first insertion ("" when none). 0 when
 * the log holds nothing of uuid. */
static int last_entry(dm_store *s, const char *uuid, char layer[64], char op[16], char **old,
                      char created[25], dm_status *st)
{
    *old = NULL;
    layer[0] = op[0] = created[0] = '\0';
    sqlite3_stmt *q = NULL;
    *st = dm__sql_prepare(s,
                          "SELECT layer, op, old_values, (SELECT time FROM change_log WHERE uuid = ?1 AND "
                          "op = 'insert' ORDER BY seq LIMIT 1) FROM change_log WHERE uuid = ?1 ORDER BY seq DESC "
                          "LIMIT 1",
                          &q);
    if (*st)
        return 0;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        snprintf(layer, 64, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(op, 16, "%s", (const char *)sqlite3_column_text(q, 1));
        if (sqlite3_column_type(q, 2) == SQLITE_TEXT && !(*old = strdup((const char *)sqlite3_column_text(q, 2))))
            *st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        if (sqlite3_column_type(q, 3) == SQLITE_TEXT)
            snprintf(created, 25, "%s", (const char *)sqlite3_column_text(q, 3));
    } else if (rc != SQLITE_DONE)
        *st = dm__sql_fail(s, rc, "change log");
    sqlite3_finalize(q);
    return found;
}

/* The row's geometry as a trigger of store_outside.c logged it. */
static dm_status set_geom_hex(dm_store *s, dm_row *r, const char *hex)
{
    dm_geom *g = NULL;
    dm_status st = dm__outside_geom(s->ctx, hex, &g);
    if (!st)
        dm_row_set_geom(r, g);
    return st;
}

/* Put back the deleted row uuid; its layer in *lo. */
/* The values set over a row's last ones as it is put back (a value typed
 * in QGIS that demine refuses). */
typedef struct restore_set {
    const char *const *fields, *const *values;
    size_t n;
} restore_set;

static dm_status restore_one_set(dm_store *s, const char *uuid, const char *why, const dm_layer_def **lo,
                                 const restore_set *set);

static dm_status restore_one(dm_store *s, const char *uuid, const char *why, const dm_layer_def **lo)
{
    return restore_one_set(s, uuid, why, lo, NULL);
}

static dm_status restore_one_set(dm_store *s, const char *uuid, const char *why, const dm_layer_def **lo,
                                 const restore_set *set)
{
    char layer[64], op[16], created[25];
    char *old = NULL;
    dm_status st = DM_OK;
    int found = last_entry(s, uuid, layer, op, &old, created, &st);
    if (st) {
        free(old);
        return st;
    }
    const dm_layer_def *l = found ? dm_layer_find(layer) : NULL;
    if (!found || !l) {
        free(old);
        return dm__fail(s->ctx, DM_ENOTFOUND, "%s: the change log holds no row with this uuid", uuid);
    }
    if (strcmp(op, "delete")) {
        free(old);
        return dm__fail(s->ctx, DM_ECONFLICT, "%s %s is not deleted (its last change is an %s): nothing to restore",
                        l->name, uuid, op);
    }
    json_error_t err;
    json_t *o = old ? json_loads(old, 0, &err) : NULL;
    free(old);
    if (!json_is_object(o)) {
        json_decref(o);
        return dm__fail(s->ctx, DM_EPARSE, "%s %s: the change log's last values cannot be read", l->name, uuid);
    }
    dm_row *r = dm_row_new(s->ctx, l);
    if (!r) {
        json_decref(o);
        return DM_ENOMEM;
    }
    for (size_t i = 0; i < l->n_fields && !st; i++) {
        json_t *v = json_object_get(o, l->fields[i].name);
        const char *f = l->fields[i].name;
        if (!v || json_is_null(v))
            continue;
        if (json_is_string(v))
            st = dm_row_set(r, f, json_string_value(v));
        else if (json_is_integer(v))
            st = dm_row_set_int(r, f, (long long)json_integer_value(v));
        else if (json_is_real(v))
            st = dm_row_set_real(r, f, json_real_value(v));
        else if (json_is_boolean(v))
            st = dm_row_set(r, f, json_is_true(v) ? "1" : "0");
    }
    const char *wkt = json_string_value(json_object_get(o, "geom"));
    const char *hex = json_string_value(json_object_get(o, "geom_gpkg"));
    if (!st && wkt && l->geom_type) {
        dm_geom *g = NULL;
        st = dm_geom_from_wkt(s->ctx, wkt, &g);
        if (!st)
            dm_row_set_geom(r, g);
    } else if (!st && hex && *hex && l->geom_type) /* deleted outside demine (store_outside.c) */
        st = set_geom_hex(s, r, hex);
    json_decref(o);
    for (size_t i = 0; !st && set && i < set->n; i++) {
        if (!dm_field_find(l, set->fields[i])) {
            char hint[300];
            st = dm__fail(s->ctx, DM_EINVAL, "%s %s: --set %s: no such field%s", l->name, uuid, set->fields[i],
                          dm__field_hint(l, set->fields[i], hint, sizeof hint));
        } else
            st = dm_row_set(r, set->fields[i], set->values[i] && *set->values[i] ? set->values[i] : NULL);
    }
    if (!st)
        st = dm_row_set_uuid(r, uuid);
    if (!st && created[0])
        st = dm__row_set_provenance(r, created, NULL, NULL);
    if (!st)
        st = dm_store_insert_reason(s, r, NULL, why);
    dm_row_free(r);
    if (!st && lo)
        *lo = l;
    return st;
}

/* The rows whose uuids the prepared, bound query q lists, put back when
 * they are still deleted (one restored or entered again since stays as it
 * is); q is finalized. */
static dm_status restore_listed(dm_store *s, sqlite3_stmt *q, const char *why)
{
    char (*ids)[37] = NULL;
    size_t n = 0, cap = 0;
    dm_status st = DM_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(ids, cap * sizeof *ids);
            if (!p) {
                st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
                break;
            }
            ids = p;
        }
        snprintf(ids[n++], 37, "%s", (const char *)sqlite3_column_text(q, 0));
    }
    if (!st && rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "change log");
    sqlite3_finalize(q);
    for (size_t i = 0; i < n && !st; i++) {
        char layer[64], op[16], created[25];
        char *last = NULL;
        if (last_entry(s, ids[i], layer, op, &last, created, &st) && !st && !strcmp(op, "delete"))
            st = restore_one(s, ids[i], why, NULL);
        free(last);
    }
    free(ids);
    return st;
}

/* The hazard_status rows of hazard uuid deleted with it (their last entry
 * a deletion naming it), put back. */
static dm_status restore_status_history(dm_store *s, const char *uuid, const char *why)
{
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s,
                                   "SELECT DISTINCT uuid FROM change_log WHERE layer = 'hazard_status' AND "
                                   "op = 'delete' AND json_extract(old_values, '$.hazard_id') = ?",
                                   &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    return restore_listed(s, q, why);
}

/* What an activity's deletion took with it, put back: the items deleted
 * for the same reason (a report's withdrawal deletes its items, then its
 * activity, each with the reason "withdrawn by NAME: text"; items deleted
 * one by one before, for reasons of their own, stay deleted) and the
 * pending hazard proposal its log entry keeps (dm__proposal_keep). */
static dm_status restore_report(dm_store *s, const char *uuid, const char *why)
{
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s,
                                   "SELECT old_values, reason FROM change_log WHERE uuid = ?1 AND op = 'delete' "
                                   "ORDER BY seq DESC LIMIT 1",
                                   &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    char *old = NULL, *gone_why = NULL;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) == SQLITE_TEXT && !(old = strdup((const char *)sqlite3_column_text(q, 0))))
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        if (!st && sqlite3_column_type(q, 1) == SQLITE_TEXT &&
            !(gone_why = strdup((const char *)sqlite3_column_text(q, 1))))
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    } else if (rc != SQLITE_DONE)
        st = dm__sql_fail(s, rc, "change log");
    sqlite3_finalize(q);
    q = NULL;
    if (!st && gone_why)
        st = dm__sql_prepare(s,
                             "SELECT DISTINCT uuid FROM change_log WHERE layer = 'items' AND op = 'delete' AND "
                             "json_extract(old_values, '$.activity_id') = ?1 AND reason = ?2",
                             &q);
    if (!st && q) {
        sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, gone_why, -1, SQLITE_STATIC);
        st = restore_listed(s, q, why);
    }
    if (!st)
        st = dm__proposal_restore(s, uuid, old);
    free(old);
    free(gone_why);
    return st;
}

dm_status dm_store_restore(dm_store *s, const char *uuid, const char *reason, const dm_layer_def **layer_out)
{
    return dm_store_restore_set(s, uuid, reason, NULL, NULL, 0, layer_out);
}

dm_status dm_store_restore_set(dm_store *s, const char *uuid, const char *reason, const char *const *fields,
                               const char *const *values, size_t n_set, const dm_layer_def **layer_out)
{
    restore_set set = {fields, values, n_set};
    if (layer_out)
        *layer_out = NULL;
    if (!uuid || strlen(uuid) != 36)
        return dm__fail(s->ctx, DM_EINVAL, "restore: '%s' is not a whole uuid (a deleted row has no ref to find it by)",
                        uuid ? uuid : "");
    char id[37];
    for (int i = 0; i < 36; i++)
        id[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] - 'A' + 'a' : uuid[i]);
    id[36] = '\0';
    char why[2100];
    snprintf(why, sizeof why, "restored%s%s", reason && reason[0] ? ": " : "", reason ? reason : "");
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    const dm_layer_def *l = NULL;
    st = restore_one_set(s, id, why, &l, &set);
    if (!st && !strcmp(l->name, "hazards"))
        st = restore_status_history(s, id, why);
    else if (!st && !strcmp(l->name, "activities"))
        st = restore_report(s, id, why);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    if ((st = dm_store_commit(s)))
        return st;
    if (layer_out)
        *layer_out = l;
    return DM_OK;
}
