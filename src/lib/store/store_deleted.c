/* SPDX-License-Identifier: MIT
 *
 * store_deleted.c -- the rows deleted and not put back since, read from the
 * change log: a row is deleted while its last entry there is a deletion
 * (a restoration, or an import of it again, logs an insertion after it).
 * The list is what a reviewer looks through to undo a deletion made by
 * mistake (dm_store_restore): each row's layer, when, who and why, and a
 * few words from its last values to know it by.
 *
 * The change log is indexed on uuid only: the deletions are found by one
 * pass over the log (newest first, stopping at the page's end), each kept
 * when no later entry of its uuid follows (a look-up on the uuid index).
 */
#include "store_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The WHERE clause of the deletions still in force, with n_layers
 * placeholders for the layers (none: every layer). */
static void where_deleted(dm_buf *b, size_t n_layers)
{
    dm__buf_puts(b, " FROM change_log c WHERE c.op = 'delete'");
    if (n_layers) {
        dm__buf_puts(b, " AND c.layer IN (");
        for (size_t i = 0; i < n_layers; i++)
            dm__buf_puts(b, i ? ",?" : "?");
        dm__buf_puts(b, ")");
    }
    dm__buf_puts(b, " AND NOT EXISTS (SELECT 1 FROM change_log d WHERE d.uuid = c.uuid AND d.seq > c.seq)");
}

/* A value of the last values as a short text ("" when none or not a plain
 * value), into out. */
static void value_text(json_t *o, const char *field, char *out, size_t n)
{
    json_t *v = json_object_get(o, field);
    out[0] = '\0';
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%g", json_real_value(v));
}

/* A few words to know a deleted row by: its ref, its name and its kind
 * (hazard type, class, kind or category), those it has, from its last
 * values; personal data is left out. *ref gets the ref when the layer has
 * one. */
static void label_of(const dm_layer_def *l, const char *old, char *label, size_t n, char *ref, size_t nref)
{
    label[0] = ref[0] = '\0';
    json_error_t err;
    json_t *o = old ? json_loads(old, 0, &err) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        return;
    }
    static const char *const words[] = {"ref", "name", "hazard_type", "class", "kind", "category", "activity_type",
                                        "outcome"};
    int kinds = 0;
    size_t len = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0] && len + 1 < n; i++) {
        const dm_field_def *f = l ? dm_field_find(l, words[i]) : NULL;
        if (l && (!f || (f->flags & DM_FIELD_PERSONAL)))
            continue;
        if (!l && i >= 2)
            break; /* a layer this build does not know: its ref and name alone */
        if (i >= 2 && kinds)
            continue; /* one word of its kind is enough */
        char v[120];
        value_text(o, words[i], v, sizeof v);
        if (!v[0])
            continue;
        if (i == 0)
            snprintf(ref, nref, "%s", v);
        if (i >= 2)
            kinds = 1;
        int w = snprintf(label + len, n - len, "%s%s", len ? " " : "", v);
        len = w < 0 || (size_t)w >= n - len ? n - 1 : len + (size_t)w;
    }
    json_decref(o);
}

static void bind_layers(sqlite3_stmt *q, const char *const *layers, size_t n_layers)
{
    for (size_t i = 0; i < n_layers; i++)
        sqlite3_bind_text(q, (int)i + 1, layers[i], -1, SQLITE_STATIC);
}

dm_status dm_store_deleted_json_in(dm_store *s, const char *const *layers, size_t n_layers, long limit, long offset,
                                   char **json)
{
    *json = NULL;
    if (n_layers > 200)
        return dm__fail(s->ctx, DM_EINVAL, "deleted rows: at most 200 layers at a time");
    if (offset < 0)
        offset = 0;
    /* the total */
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "SELECT count(*)");
    where_deleted(&b, n_layers);
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (st)
        return st;
    bind_layers(q, layers, n_layers);
    int rc = sqlite3_step(q);
    long total = rc == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return dm__sql_fail(s, rc, "change log (deleted rows)");

    /* the page, newest first */
    dm__buf_init(&b);
    dm__buf_puts(&b, "SELECT c.uuid, c.layer, c.time, c.author, c.reason, c.old_values");
    where_deleted(&b, n_layers);
    dm__buf_puts(&b, " ORDER BY c.seq DESC LIMIT ? OFFSET ?");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    st = dm__sql_prepare(s, b.data, &q);
    dm__buf_free(&b);
    if (st)
        return st;
    bind_layers(q, layers, n_layers);
    sqlite3_bind_int64(q, (int)n_layers + 1, limit > 0 ? limit : -1);
    sqlite3_bind_int64(q, (int)n_layers + 2, offset);
    dm__buf_init(&b);
    dm__buf_puts(&b, "{\"deleted\":[");
    long n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *layer = (const char *)sqlite3_column_text(q, 1);
        const char *old = (const char *)sqlite3_column_text(q, 5);
        char label[240], ref[120];
        label_of(layer ? dm_layer_find(layer) : NULL, old, label, sizeof label, ref, sizeof ref);
        dm__buf_puts(&b, n ? ",{\"uuid\":" : "{\"uuid\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 0));
        dm__buf_puts(&b, ",\"layer\":");
        dm__buf_json_str(&b, layer);
        dm__buf_puts(&b, ",\"time\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 2));
        dm__buf_puts(&b, ",\"author\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 3));
        dm__buf_puts(&b, ",\"reason\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 4));
        if (ref[0]) {
            dm__buf_puts(&b, ",\"ref\":");
            dm__buf_json_str(&b, ref);
        }
        dm__buf_puts(&b, ",\"label\":");
        dm__buf_json_str(&b, label);
        dm__buf_puts(&b, "}");
        n++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        dm__buf_free(&b);
        return dm__sql_fail(s, rc, "change log (deleted rows)");
    }
    dm__buf_printf(&b, "],\"count\":%ld,\"offset\":%ld,\"limit\":%ld,\"total\":%ld", n, offset, limit > 0 ? limit : 0,
                   total);
    if (offset + n < total)
        dm__buf_printf(&b, ",\"next_offset\":%ld", offset + n);
    dm__buf_puts(&b, "}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    *json = dm_strdup(s->ctx, b.data);
    dm__buf_free(&b);
    return *json ? DM_OK : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
}

dm_status dm_store_deleted_json(dm_store *s, const char *layer, long limit, long offset, char **json)
{
    const char *one[1] = {layer};
    return dm_store_deleted_json_in(s, layer ? one : NULL, layer ? 1 : 0, limit, offset, json);
}

dm_status dm_store_log_state(dm_store *s, const char *uuid, char layer[64], int *deleted)
{
    layer[0] = '\0';
    *deleted = 0;
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(s, "SELECT layer, op FROM change_log WHERE uuid = ? ORDER BY seq DESC LIMIT 1", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        snprintf(layer, 64, "%s", (const char *)sqlite3_column_text(q, 0));
        *deleted = !strcmp((const char *)sqlite3_column_text(q, 1), "delete");
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW)
        return DM_OK;
    if (rc == SQLITE_DONE)
        return dm__fail(s->ctx, DM_ENOTFOUND, "%s: the change log holds no row with this uuid", uuid);
    return dm__sql_fail(s, rc, "change log");
}
