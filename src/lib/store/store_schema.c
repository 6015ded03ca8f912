/* SPDX-License-Identifier: MIT
 *
 * store_schema.c -- the GeoPackage tables of a new database: the OGC
 * metadata tables, one feature or attribute table per layer of the model
 * with its R-tree spatial index, the change log, the metadata table and the
 * hazards proposed in field reports (store_proposals.c) and the triggers
 * that log edits made by other programs (store_outside.c), the fields'
 * lists of values for QGIS (store_domains.c); and the migration
 * of a database made by an older build (new tables, new columns).
 *
 * The spatial index follows the GeoPackage "gpkg_rtree_index" extension, so
 * GDAL and QGIS use it; its triggers call ST_MinX & co., which
 * store_sqlfunc.c provides on our own connections (GDAL and QGIS provide
 * theirs).
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char *gpkg_core_sql =
    "PRAGMA application_id = 1196444487;" /* 'GPKG' */
    "PRAGMA user_version = 10300;"
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY "
    "KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT "
    "NOT NULL, description TEXT);"
    "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, "
    "'undefined', 'undefined cartesian coordinate reference system');"
    "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, "
    "'undefined', 'undefined geographic coordinate reference system');"
    "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, "
    "'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS "
    "84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],"
    "PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,"
    "AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],"
    "AUTHORITY[\"EPSG\",\"4326\"]]', 'longitude/latitude coordinates in decimal degrees on the "
    "WGS 84 spheroid');"
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
    "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y "
    "DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT "
    "NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT "
    "uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) "
    "REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT "
    "NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, "
    "column_name, extension_name));"
    "CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT "
    "NULL, min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT "
    "NULL, CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES "
    "gpkg_contents(table_name), CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL, "
    "matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL, "
    "tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL, "
    "CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level), CONSTRAINT fk_tmm_table_name FOREIGN "
    "KEY (table_name) REFERENCES gpkg_contents(table_name));";

static const char *demine_sys_sql =
    "CREATE TABLE dm_meta (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value "
    "TEXT);"
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES "
    "('dm_meta', 'attributes', 'dm_meta', 'demine database metadata');"
    "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time DATETIME NOT NULL, "
    "author TEXT NOT NULL, layer TEXT NOT NULL, uuid TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN "
    "('insert','update','delete')), reason TEXT, old_values TEXT, new_values TEXT);"
    "CREATE INDEX change_log_uuid ON change_log(uuid);"
    "CREATE INDEX change_log_deletes ON change_log(seq) WHERE op = 'delete';"
    "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN SELECT RAISE(ABORT, "
    "'the change log is append-only'); END;"
    "CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log BEGIN SELECT RAISE(ABORT, "
    "'the change log is append-only'); END;"
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES "
    "('change_log', 'attributes', 'change_log', 'append-only log of every change: who, when, "
    "what');";

const char *dm__sql_type(const dm_field_def *f)
{
    switch (f->type) {
    case DM_FT_INT: return "INTEGER";
    case DM_FT_REAL: return "REAL";
    case DM_FT_DATE: return "DATE";
    case DM_FT_BOOL: return "BOOLEAN";
    default: return "TEXT";
    }
}

static dm_status create_layer(dm_store *s, const dm_layer_def *l)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "CREATE TABLE \"%s\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                       "uuid TEXT NOT NULL UNIQUE DEFAULT '" DM__UUID_PLACEHOLDER "'",
                   l->name);
    if (l->geom_type)
        dm__buf_printf(&b, ", geom %s", l->geom_type);
    for (size_t i = 0; i < l->n_fields; i++)
        dm__buf_printf(&b, ", \"%s\" %s", l->fields[i].name, dm__sql_type(&l->fields[i]));
    dm__buf_puts(&b, ", created DATETIME, updated DATETIME, author TEXT);");
    for (size_t i = 0; i < l->n_fields; i++)
        if (l->fields[i].type == DM_FT_REF || !strcmp(l->fields[i].name, "ref"))
            dm__buf_printf(&b, "CREATE INDEX \"%s_%s\" ON \"%s\"(\"%s\");", l->name,
                           l->fields[i].name, l->name, l->fields[i].name);
    dm__buf_printf(&b,
                   "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                   "srs_id) VALUES ('%s', '%s', '%s', '%s', %s);",
                   l->name, l->geom_type ? "features" : "attributes", l->name, l->desc,
                   l->geom_type ? "4326" : "NULL");
    if (l->geom_type) {
        const char *t = l->name;
        dm__buf_printf(&b,
                       "INSERT INTO gpkg_geometry_columns VALUES ('%s', 'geom', '%s', 4326, 0, 0);"
                       "INSERT INTO gpkg_extensions VALUES ('%s', 'geom', 'gpkg_rtree_index', "
                       "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');"
                       "CREATE VIRTUAL TABLE \"rtree_%s_geom\" USING rtree(id, minx, maxx, miny, "
                       "maxy);",
                       t, l->geom_type, t, t);
        const char *ins = "INSERT OR REPLACE INTO \"rtree_%s_geom\" VALUES (NEW.fid, "
                          "ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), "
                          "ST_MaxY(NEW.geom));";
        dm__buf_printf(&b,
                       "CREATE TRIGGER \"rtree_%s_geom_insert\" AFTER INSERT ON \"%s\" WHEN "
                       "(new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom)) BEGIN ",
                       t, t);
        dm__buf_printf(&b, ins, t);
        dm__buf_printf(&b,
                       " END; CREATE TRIGGER \"rtree_%s_geom_update1\" AFTER UPDATE OF geom ON "
                       "\"%s\" WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT "
                       "ST_IsEmpty(NEW.geom)) BEGIN ",
                       t, t);
        dm__buf_printf(&b, ins, t);
        dm__buf_printf(&b,
                       " END; CREATE TRIGGER \"rtree_%s_geom_update2\" AFTER UPDATE OF geom ON "
                       "\"%s\" WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR "
                       "ST_IsEmpty(NEW.geom)) BEGIN DELETE FROM \"rtree_%s_geom\" WHERE id = "
                       "OLD.fid; END;",
                       t, t, t);
        dm__buf_printf(&b,
                       "CREATE TRIGGER \"rtree_%s_geom_update3\" AFTER UPDATE ON \"%s\" WHEN "
                       "OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom)) "
                       "BEGIN DELETE FROM \"rtree_%s_geom\" WHERE id = OLD.fid; ",
                       t, t, t);
        dm__buf_printf(&b, ins, t);
        dm__buf_printf(&b,
                       " END; CREATE TRIGGER \"rtree_%s_geom_update4\" AFTER UPDATE ON \"%s\" "
                       "WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom)) "
                       "BEGIN DELETE FROM \"rtree_%s_geom\" WHERE id IN (OLD.fid, NEW.fid); END;",
                       t, t, t);
        dm__buf_printf(&b,
                       "CREATE TRIGGER \"rtree_%s_geom_delete\" AFTER DELETE ON \"%s\" WHEN "
                       "old.geom NOT NULL BEGIN DELETE FROM \"rtree_%s_geom\" WHERE id = "
                       "OLD.fid; END;",
                       t, t, t);
    }
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    dm_status st = dm__sql_exec(s, b.data);
    dm__buf_free(&b);
    return st;
}

dm_status dm__store_create_schema(dm_store *s)
{
    dm_status st = dm__sql_exec(s, gpkg_core_sql);
    if (!st)
        st = dm__sql_exec(s, demine_sys_sql);
    for (size_t i = 0; !st && i < dm_layer_count(); i++)
        st = create_layer(s, dm_layer_at(i));
    if (!st)
        st = dm__store_add_styles(s);
    if (!st)
        st = dm__store_add_proposals(s);
    if (!st)
        st = dm__store_add_outside_log(s);
    if (!st)
        st = dm__store_add_domains(s);
    if (!st) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO dm_meta (key, value) VALUES ('schema_version', '%d'),"
                 "('software', 'demine " DM_VERSION_STRING "');",
                 DM_SCHEMA_VERSION);
        st = dm__sql_exec(s, sql);
    }
    return st;
}

/* The deletions of the change log, indexed apart (the undo list,
 * store_deleted.c, reads them alone: 8 ms, not 70 ms, among 325,000 log
 * entries), added to a database made before the index. */
static dm_status add_deletes_index(dm_store *s)
{
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'change_log_deletes'", &q);
    if (st)
        return st;
    int have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (have)
        return DM_OK; /* on every open: no write */
    st = dm_store_begin(s);
    if (!st)
        st = dm__sql_exec(s, "CREATE INDEX IF NOT EXISTS change_log_deletes ON change_log(seq) WHERE op = 'delete'");
    if (!st)
        return dm_store_commit(s);
    dm_store_rollback(s);
    return st;
}

dm_status dm__store_migrate(dm_store *s)
{
    /* Layers added to the model after a database was made get their tables
     * now; existing tables gain missing columns. */
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", l->name);
        sqlite3_stmt *q = NULL;
        dm_status st = dm__sql_prepare(s, sql, &q);
        if (st)
            return st;
        char have[128][64];
        int n = 0;
        while (sqlite3_step(q) == SQLITE_ROW && n < 128)
            dm__strlcpy(have[n++], (const char *)sqlite3_column_text(q, 0), 64);
        sqlite3_finalize(q);
        if (n == 0) {
            st = create_layer(s, l);
            if (st)
                return st;
            continue;
        }
        for (size_t k = 0; k < l->n_fields; k++) {
            int found = 0;
            for (int j = 0; j < n && !found; j++)
                found = !strcmp(have[j], l->fields[k].name);
            if (found)
                continue;
            snprintf(sql, sizeof sql, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", l->name,
                     l->fields[k].name, dm__sql_type(&l->fields[k]));
            st = dm__sql_exec(s, sql);
            if (st)
                return st;
            /* indexed as create_layer indexes it: a ref or a link added
             * to a layer is looked up for every row an import links to it
             * (and a ref for --skip-existing) */
            if (l->fields[k].type == DM_FT_REF || !strcmp(l->fields[k].name, "ref")) {
                snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS \"%s_%s\" ON \"%s\"(\"%s\")", l->name,
                         l->fields[k].name, l->name, l->fields[k].name);
                if ((st = dm__sql_exec(s, sql)))
                    return st;
            }
        }
    }
    /* hazards proposed in field reports (store_proposals.c): a table and
     * a trigger on activities, added alike to a database made before them */
    dm_status st = dm__store_add_styles(s);
    if (!st)
        st = add_deletes_index(s);
    if (!st)
        st = dm__store_add_proposals(s);
    if (!st)
        st = dm__store_add_outside_log(s);
    if (!st)
        st = dm__store_add_domains(s);
    if (!st) { /* what it has now is this build's schema */
        sqlite3_stmt *q = NULL;
        int version = DM_SCHEMA_VERSION;
        st = dm__sql_prepare(s, "SELECT CAST(value AS INTEGER) FROM dm_meta WHERE key = 'schema_version'", &q);
        if (!st && sqlite3_step(q) == SQLITE_ROW)
            version = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        /* written only when older: an open must not need the write lock
         * (another program writing would make it fail) */
        if (!st && version < DM_SCHEMA_VERSION) {
            char sql[160];
            snprintf(sql, sizeof sql, "UPDATE dm_meta SET value = '%d' WHERE key = 'schema_version'",
                     DM_SCHEMA_VERSION);
            st = dm__sql_exec(s, sql);
        }
    }
    return st;
}
