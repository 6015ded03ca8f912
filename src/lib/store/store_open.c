/* SPDX-License-Identifier: MIT
 *
 * store_open.c -- opening and creating databases, checking that a file is a
 * demine GeoPackage, transactions, metadata, and the SQL functions that the
 * GeoPackage spatial-index triggers need.
 */
#include "store_internal.h"

#include "geom/geom_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

dm_status dm__sql_fail(dm_store *s, int rc, const char *what)
{
    int base = rc & 0xff;
    dm_status code = (base == SQLITE_BUSY || base == SQLITE_LOCKED) ? DM_EBUSY
                     : (base == SQLITE_CORRUPT || base == SQLITE_NOTADB) ? DM_ESCHEMA
                     : (base == SQLITE_NOMEM)                            ? DM_ENOMEM
                     : (base == SQLITE_READONLY || base == SQLITE_IOERR || base == SQLITE_CANTOPEN ||
                        base == SQLITE_FULL)
                         ? DM_EIO
                         : DM_ESQL;
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if (code == DM_EBUSY)
        return dm__fail(s->ctx, code,
                        "the database %s is locked by another program writing to it (QGIS "
                        "editing a layer, another demine command): nothing was changed; try again "
                        "when it is done (%s: %s)",
                        s->path, what, msg);
    return dm__fail(s->ctx, code, "%s: %s: %s", s->path, what, msg);
}

dm_status dm__sql_exec(dm_store *s, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        dm_status st = dm__sql_fail(s, rc, "SQL");
        if (err && st != DM_EBUSY) /* a lock's message says what to do */
            dm__fail(s->ctx, st, "%s: SQL: %s", s->path, err);
        sqlite3_free(err);
        return st;
    }
    return DM_OK;
}

dm_status dm__sql_prepare(dm_store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return dm__sql_fail(s, rc, "prepare");
    }
    return DM_OK;
}

size_t dm__layer_index(const dm_layer_def *l)
{
    for (size_t i = 0; i < dm_layer_count(); i++)
        if (dm_layer_at(i) == l)
            return i;
    return 0;
}

/* ===================== SQL functions for R-tree triggers ===================== */

static int blob_env(sqlite3_context *c, sqlite3_value *v, double env[4])
{
    if (sqlite3_value_type(v) != SQLITE_BLOB)
        return 0;
    const unsigned char *b = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v);
    if (dm_gpkg_envelope(b, (size_t)n, env))
        return 1;
    /* No envelope in the header (points written by other software): parse. */
    dm_ctx *ctx = sqlite3_user_data(c);
    dm_geom *g = NULL;
    if (dm_geom_from_gpkg(ctx, b, (size_t)n, &g) != DM_OK)
        return 0;
    double bb[4];
    int ok = dm_geom_bounds(g, bb);
    dm_geom_free(g);
    if (!ok)
        return 0;
    env[0] = bb[0];
    env[1] = bb[2];
    env[2] = bb[1];
    env[3] = bb[3];
    return 1;
}

static void st_env(sqlite3_context *c, int argc, sqlite3_value **argv, int which)
{
    double env[4];
    if (argc != 1 || !blob_env(c, argv[0], env)) {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_result_double(c, env[which]);
}

static void st_minx(sqlite3_context *c, int n, sqlite3_value **v) { st_env(c, n, v, 0); }
static void st_maxx(sqlite3_context *c, int n, sqlite3_value **v) { st_env(c, n, v, 1); }
static void st_miny(sqlite3_context *c, int n, sqlite3_value **v) { st_env(c, n, v, 2); }
static void st_maxy(sqlite3_context *c, int n, sqlite3_value **v) { st_env(c, n, v, 3); }

static void st_isempty(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    if (argc != 1 || sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_null(c);
        return;
    }
    const unsigned char *b = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    if (n < 8 || b[0] != 'G' || b[1] != 'P') {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_result_int(c, (b[3] & 0x10) ? 1 : 0);
}

/* sqlite_source_id() on a connection of ours: the library's own, after
 * DM__OUR_CONNECTION. The triggers that log other programs' edits
 * (store_outside.c) look for it and leave our writes, which log
 * themselves, alone; every other program's SQLite answers its plain id.
 * (A function of SQLite's own, in every build: a name only we defined
 * would fail other programs' writes; pragma_database_list, tried first,
 * cost an import 10 % in preparing its PRAGMA for every row.) */
static void our_source_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    char id[160];
    snprintf(id, sizeof id, "%s %s", DM__OUR_CONNECTION, sqlite3_sourceid());
    sqlite3_result_text(c, id, -1, SQLITE_TRANSIENT);
}

static int register_functions(sqlite3 *db, dm_ctx *ctx)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    int rc = sqlite3_create_function(db, "sqlite_source_id", 0, flags, ctx, our_source_id, NULL, NULL);
    rc |= sqlite3_create_function(db, "ST_MinX", 1, flags, ctx, st_minx, NULL, NULL);
    rc |= sqlite3_create_function(db, "ST_MaxX", 1, flags, ctx, st_maxx, NULL, NULL);
    rc |= sqlite3_create_function(db, "ST_MinY", 1, flags, ctx, st_miny, NULL, NULL);
    rc |= sqlite3_create_function(db, "ST_MaxY", 1, flags, ctx, st_maxy, NULL, NULL);
    rc |= sqlite3_create_function(db, "ST_IsEmpty", 1, flags, ctx, st_isempty, NULL, NULL);
    return rc;
}

/* ============================ open and close ============================ */

static dm_status check_schema(dm_store *s)
{
    sqlite3_stmt *st = NULL;
    /* Reading the first page tells a non-SQLite file apart quickly. */
    int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM dm_meta WHERE key='schema_version'", -1,
                                &st, NULL);
    if (rc != SQLITE_OK) {
        int base = rc & 0xff;
        if (base == SQLITE_NOTADB || base == SQLITE_CORRUPT)
            return dm__fail(s->ctx, DM_ESCHEMA, "%s: not a GeoPackage (not even an SQLite file)",
                            s->path);
        if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
            return dm__sql_fail(s, rc, "open");
        return dm__fail(s->ctx, DM_ESCHEMA,
                        "%s: not a demine database (no dm_meta table): another program's GeoPackage "
                        "or SQLite file; create a database with 'demine init NEW.gpkg' and bring "
                        "its layers in with 'demine import NEW.gpkg --layer LAYER %s'",
                        s->path, s->path);
    }
    rc = sqlite3_step(st);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dm__sql_fail(s, rc, "open");
    if (version < 1)
        return dm__fail(s->ctx, DM_ESCHEMA, "%s: not a demine database (no schema version)",
                        s->path);
    if (version > DM_SCHEMA_VERSION)
        return dm__fail(s->ctx, DM_ESCHEMA,
                        "%s: made by a newer demine (schema %d; this build knows %d)", s->path,
                        version, DM_SCHEMA_VERSION);
    return DM_OK;
}

dm_status dm_store_open(dm_ctx *ctx, const char *path, unsigned flags, dm_store **out)
{
    *out = NULL;
    if (!path || !*path)
        return dm__fail(ctx, DM_EINVAL, "no database path given");
    if ((flags & DM_STORE_CREATE) && access(path, F_OK) == 0)
        return dm__fail(ctx, DM_EIO, "%s already exists; not overwriting it", path);
    if (!(flags & DM_STORE_CREATE) && access(path, F_OK) != 0)
        return dm__fail(ctx, DM_EIO, "%s: no such database (create one with 'demine init %s')",
                        path, path);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return dm__fail(ctx, DM_EIO, "%s is a directory, not a database file", path);
    if (!(flags & DM_STORE_CREATE) && stat(path, &sb) == 0 && sb.st_size == 0)
        return dm__fail(ctx, DM_ESCHEMA, "%s: an empty file, not a database (remove it, then create one with "
                        "'demine init %s')", path, path);
    dm_store *s = calloc(1, sizeof *s);
    if (!s)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    s->ctx = ctx;
    s->flags = flags;
    s->path = strdup(path);
    s->insert_stmt = calloc(dm_layer_count(), sizeof *s->insert_stmt);
    s->resolve_stmt = calloc(dm_layer_count() * DM__RESOLVE_FORMS, sizeof *s->resolve_stmt);
    if (!s->path || !s->insert_stmt || !s->resolve_stmt) {
        dm_store_close(s);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    int oflags = (flags & DM_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    dm_status st = DM_OK;
    if (rc != SQLITE_OK) {
        st = dm__sql_fail(s, rc, "open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* A large page cache keeps big imports from spilling pages to the file
     * in the middle of their transaction (each spill is a write call). */
    sqlite3_exec(s->db, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;", NULL, NULL,
                 NULL);
    sqlite3_extended_result_codes(s->db, 1);
    if (register_functions(s->db, ctx) != SQLITE_OK) {
        st = dm__sql_fail(s, SQLITE_ERROR, "register functions");
        goto fail;
    }
    if (flags & DM_STORE_CREATE) {
        st = dm__sql_exec(s, "PRAGMA page_size = 4096; BEGIN;");
        if (!st)
            st = dm__store_create_schema(s);
        if (!st)
            st = dm__sql_exec(s, "COMMIT;");
        if (st)
            goto fail;
    } else {
        st = check_schema(s);
        if (!st && !(flags & DM_STORE_READONLY))
            st = dm__store_migrate(s);
        if (st)
            goto fail;
    }
    *out = s;
    return DM_OK;
fail:
    dm_store_close(s);
    if (flags & DM_STORE_CREATE)
        unlink(path);
    return st;
}

void dm_store_close(dm_store *s)
{
    if (!s)
        return;
    if (s->insert_stmt)
        for (size_t i = 0; i < dm_layer_count(); i++)
            sqlite3_finalize(s->insert_stmt[i]);
    if (s->resolve_stmt)
        for (size_t i = 0; i < dm_layer_count() * DM__RESOLVE_FORMS; i++)
            sqlite3_finalize(s->resolve_stmt[i]);
    sqlite3_finalize(s->log_stmt);
    if (s->db) {
        while (s->depth > 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            s->depth = 0;
        }
        sqlite3_close_v2(s->db);
    }
    free(s->insert_stmt);
    free(s->resolve_stmt);
    free(s->path);
    free(s);
}

const char *dm_store_path(const dm_store *s) { return s->path; }
dm_ctx *dm_store_ctx(const dm_store *s) { return s->ctx; }
int dm_store_writable(const dm_store *s) { return sqlite3_db_readonly(s->db, "main") == 0; }

/* The database's directory, absolute, with its trailing slash. */
static int store_dir(const dm_store *s, char *dir, size_t size)
{
    char real[PATH_MAX];
    if (!realpath(s->path, real))
        return 0;
    char *slash = strrchr(real, '/');
    if (!slash || (size_t)(slash - real) + 2 > size)
        return 0;
    slash[1] = '\0';
    snprintf(dir, size, "%s", real);
    return 1;
}

char *dm_store_relative_path(const dm_store *s, const char *path)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *p = path;
    int found = realpath(path, real) != NULL;
    if (!found) { /* a file not written yet: its directory's real path */
        char d[PATH_MAX];
        snprintf(d, sizeof d, "%s", path);
        char *slash = strrchr(d, '/');
        const char *base = slash ? slash + 1 : path;
        if (slash)
            *slash = '\0';
        char rd[PATH_MAX];
        if (realpath(slash ? (d[0] ? d : "/") : ".", rd) &&
            strlen(rd) + strlen(base) + 2 <= sizeof real) {
            size_t a = strlen(rd);
            memcpy(real, rd, a);
            if (strcmp(rd, "/"))
                real[a++] = '/';
            memcpy(real + a, base, strlen(base) + 1);
            found = 1;
        }
    }
    if (store_dir(s, dir, sizeof dir) && found) {
        p = real;
        size_t dl = strlen(dir);
        if (!strncmp(real, dir, dl) && real[dl])
            p = real + dl; /* beside the database, or below: travels with it */
    }
    return dm_strdup(s->ctx, p);
}

char *dm_store_resolve_path(const dm_store *s, const char *path)
{
    char dir[PATH_MAX];
    if (!path)
        return NULL;
    if (path[0] == '/' || !store_dir(s, dir, sizeof dir))
        return dm_strdup(s->ctx, path);
    size_t n = strlen(dir) + strlen(path) + 1;
    char *out = dm_malloc(s->ctx, n);
    if (out)
        snprintf(out, n, "%s%s", dir, path);
    return out;
}

/* ============================== transactions ============================== */

/* A transaction of ours that SQLite rolled back by itself (a full disk,
 * an I/O error): what was written in it is gone, so what follows must not
 * go on as if in it (each statement would commit on its own). */
static dm_status lost_transaction(dm_store *s)
{
    if (s->depth > 0 && sqlite3_get_autocommit(s->db))
        return dm__fail(s->ctx, DM_EIO, "%s: the write was rolled back by SQLite (a full disk, an I/O error?): "
                        "nothing of it was kept",
                        s->path);
    return DM_OK;
}

dm_status dm_store_begin(dm_store *s)
{
    dm_status lost = lost_transaction(s);
    if (lost)
        return lost;
    char sql[64];
    if (s->depth == 0)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT dm_sp%d", s->depth);
    dm_status st = dm__sql_exec(s, sql);
    if (!st)
        s->depth++;
    return st;
}

dm_status dm_store_commit(dm_store *s)
{
    if (s->depth <= 0)
        return dm__fail(s->ctx, DM_EINVAL, "commit without begin");
    dm_status lost = lost_transaction(s);
    if (lost)
        return lost;
    char sql[64];
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE dm_sp%d", s->depth - 1);
    dm_status st = dm__sql_exec(s, sql);
    if (!st)
        s->depth--;
    return st;
}

dm_status dm_store_rollback(dm_store *s)
{
    if (s->depth <= 0)
        return DM_OK;
    if (sqlite3_get_autocommit(s->db)) { /* SQLite rolled it all back already */
        s->depth--;
        return DM_OK;
    }
    /* Keep the error message of whatever failed: rollback is a cleanup path. */
    if (s->depth == 1)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    else {
        char sql[80];
        snprintf(sql, sizeof sql, "ROLLBACK TO dm_sp%d; RELEASE dm_sp%d", s->depth - 1,
                 s->depth - 1);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    }
    s->depth--;
    return DM_OK;
}

/* ================================ metadata ================================ */

dm_status dm_store_meta_set(dm_store *s, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    dm_status r = dm__sql_prepare(
        s, "INSERT INTO dm_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
           "excluded.value",
        &st);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "metadata");
}

dm_status dm_store_meta_get(dm_store *s, const char *key, char **value)
{
    *value = NULL;
    sqlite3_stmt *st = NULL;
    dm_status r = dm__sql_prepare(s, "SELECT value FROM dm_meta WHERE key = ?", &st);
    if (r)
        return r;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *value = dm_strdup(s->ctx, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DM_OK : dm__sql_fail(s, rc, "metadata");
}
