/* SPDX-License-Identifier: MIT
 *
 * store_domains.c -- what QGIS needs to edit the layers by demine's rules:
 * every field's description and every closed list of values, in the
 * GeoPackage "schema" extension (gpkg_data_columns and
 * gpkg_data_column_constraints, http://www.geopackage.org/spec/#extension_schema).
 * GDAL reads a list as a coded field domain and QGIS opens the field with a
 * drop-down of its values (a hazard's status, an item's category, a release
 * area's outcome), so a value demine would refuse cannot be typed there.
 * Lists of several values at once (methods: "manual,mechanical") and
 * numeric ranges are left to `demine check`: QGIS would offer one value, or
 * a spin box without decimals.
 *
 * The rows are the model's (src/lib/model/model.c), named dm_<layer>_<field>;
 * a fingerprint of them in dm_meta ("schema_domains") tells an open whether
 * they are up to date without writing.
 */
#include "store_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc "
    "PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name));"
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, "
    "max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, "
    "constraint_type, value));"
    "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
    "VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
    "'read-write'), ('gpkg_data_column_constraints', NULL, 'gpkg_schema', "
    "'http://www.geopackage.org/spec/#extension_schema', 'read-write');";

/* s as an SQL string literal ('' around, quotes doubled). */
static void sql_str(dm_buf *b, const char *s)
{
    if (!s) {
        dm__buf_puts(b, "NULL");
        return;
    }
    dm__buf_puts(b, "'");
    for (const char *p = s; *p; p++)
        dm__buf_puts(b, *p == '\'' ? "''" : (char[]){*p, 0});
    dm__buf_puts(b, "'");
}

/* The rows of every layer's fields and lists, as INSERT statements. */
static void model_rows(dm_buf *b)
{
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        for (size_t k = 0; k < l->n_fields; k++) {
            const dm_field_def *f = &l->fields[k];
            int list = f->type == DM_FT_ENUM && f->values && *f->values;
            char cname[160];
            snprintf(cname, sizeof cname, "dm_%s_%s", l->name, f->name);
            dm__buf_puts(b, "INSERT INTO gpkg_data_columns (table_name, column_name, name, description, "
                            "constraint_name) VALUES (");
            sql_str(b, l->name);
            dm__buf_puts(b, ", ");
            sql_str(b, f->name);
            dm__buf_puts(b, ", ");
            sql_str(b, f->name);
            dm__buf_puts(b, ", ");
            sql_str(b, f->desc);
            dm__buf_puts(b, ", ");
            sql_str(b, list ? cname : NULL);
            dm__buf_puts(b, ");");
            if (!list)
                continue;
            for (const char *p = f->values; *p;) {
                size_t n = strcspn(p, "|");
                char v[128];
                snprintf(v, sizeof v, "%.*s", (int)(n < sizeof v ? n : sizeof v - 1), p);
                dm__buf_puts(b, "INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, "
                                "value, description) VALUES (");
                sql_str(b, cname);
                dm__buf_puts(b, ", 'enum', ");
                sql_str(b, v);
                dm__buf_puts(b, ", ");
                sql_str(b, v);
                dm__buf_puts(b, ");");
                p += n + (p[n] == '|');
            }
        }
    }
}

dm_status dm__store_add_domains(dm_store *s)
{
    dm_buf rows;
    dm__buf_init(&rows);
    model_rows(&rows);
    if (rows.oom) {
        dm__buf_free(&rows);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the rows */
    for (size_t i = 0; i < rows.len; i++)
        h = (h ^ (unsigned char)rows.data[i]) * 1099511628211ull;
    char want[32];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)h);
    char *have = NULL;
    dm_status st = dm_store_meta_get(s, "schema_domains", &have);
    int same = !st && have && !strcmp(have, want);
    dm_free(s->ctx, have);
    if (st || same) {
        dm__buf_free(&rows);
        return st; /* the common case, on every open: no write */
    }
    int new_db = !sqlite3_get_autocommit(s->db);
    if (!new_db)
        st = dm_store_begin(s);
    if (!st)
        st = dm__sql_exec(s, schema_sql);
    dm_buf del;
    dm__buf_init(&del);
    for (size_t i = 0; i < dm_layer_count(); i++) {
        dm__buf_puts(&del, "DELETE FROM gpkg_data_columns WHERE table_name = ");
        sql_str(&del, dm_layer_at(i)->name);
        dm__buf_puts(&del, ";");
    }
    dm__buf_puts(&del, "DELETE FROM gpkg_data_column_constraints WHERE constraint_name LIKE 'dm\\_%' ESCAPE '\\';");
    if (!st)
        st = del.oom ? dm__fail(s->ctx, DM_ENOMEM, "out of memory") : dm__sql_exec(s, del.data);
    dm__buf_free(&del);
    if (!st)
        st = dm__sql_exec(s, rows.data);
    dm__buf_free(&rows);
    if (!st)
        st = dm_store_meta_set(s, "schema_domains", want);
    if (new_db)
        return st;
    if (!st)
        return dm_store_commit(s);
    dm_store_rollback(s);
    return st;
}
