/* SPDX-License-Identifier: MIT
 *
 * store_internal.h -- the store's layout, shared by the store files and by
 * library modules that query the database directly (statistics, checks,
 * evidence gathering). Nothing outside src/lib sees SQLite.
 */
#ifndef DM_STORE_INTERNAL_H
#define DM_STORE_INTERNAL_H

#include <sqlite3.h>

#include "core/dm_internal.h"

/* 2: hazards proposed in field reports (report_proposals), predicted
 * mines flagged in cancelled land (predicted_mines.in_cancelled): a build of
 * schema 1 would approve a report and leave its hazard unmade.
 * 3: edits made outside demine logged by triggers (store_outside.c), which
 * an older build's writes would set off (each logged twice).
 * A database of an older schema is brought up on its next read-write open. */
#define DM_SCHEMA_VERSION 3
/* the uuid column's default, which QGIS puts in a row it adds and a trigger
 * replaces by a uuid (store_outside.c) */
#define DM__UUID_PLACEHOLDER "given on save"
/* what sqlite_source_id() begins with on a connection of ours
 * (store_open.c): the triggers of store_outside.c leave the writes of such
 * a connection alone (they log themselves) */
#define DM__OUR_CONNECTION "demine"
#define DM_SRS_WGS84 4326

struct dm_store {
    dm_ctx *ctx;
    sqlite3 *db;
    char *path;
    unsigned flags;
    int depth;                  /* open savepoints */
    int lifecycle;              /* dm_hazard_set_status is writing a hazard's status */
    sqlite3_stmt **insert_stmt; /* per layer, prepared on first use */
    sqlite3_stmt *log_stmt;
    sqlite3_stmt **resolve_stmt; /* per layer, DM__RESOLVE_FORMS forms (uuid, prefix, ref, ref in any case) */
#define DM__RESOLVE_FORMS 4
};

/* Record a SQLite failure on the context ("SQLite: <message>"); maps
 * SQLITE_BUSY/LOCKED to DM_EBUSY. */
dm_status dm__sql_fail(dm_store *s, int rc, const char *what);
/* Run SQL with no results. */
dm_status dm__sql_exec(dm_store *s, const char *sql);
/* The default QGIS styles of the map layers (store_styles.c). */
dm_status dm__store_add_styles(dm_store *s);
/* Prepare a statement or fail with a message. */
dm_status dm__sql_prepare(dm_store *s, const char *sql, sqlite3_stmt **st);
/* The index of a layer in the model table. */
size_t dm__layer_index(const dm_layer_def *l);
/* Append one change-log entry. old_json/new_json may be NULL. */
dm_status dm__store_log(dm_store *s, const char *layer, const char *uuid, const char *op,
                        const char *old_json, const char *new_json, const char *reason);
/* Provenance an insert keeps instead of now and the context's author (an
 * import of an export): time stamps as 2024-05-01T10:00:00.000Z; NULL for
 * the default. */
dm_status dm__row_set_provenance(dm_row *r, const char *created, const char *updated,
                                 const char *author);
/* The bounds (min x, min y, max x, max y, WGS 84) of every geometry of the
 * map layers but the demo's truth: 1 when there is one, 0 when there is
 * none, -1 on a read error. */
int dm__store_extent(dm_store *s, double b[4]);
/* A hazard's remaining area within its estimate (beyond rounding: 1 % and
 * 0.01 ha), as insert and edit check it; an error naming the field.
 * est_from_polygon: the estimate is the polygon's area, none given (as an
 * insert takes it), and the message says so. */
dm_status dm__hazard_areas_check(dm_ctx *ctx, double left, double est, int est_from_polygon);
/* The uuids of the rows of layer whose activity_id is activity (with
 * unlinked_only, those naming no hazard); n_out of them, free() the array. */
dm_status dm__activity_rows(dm_store *s, const char *layer, const char *activity, int unlinked_only,
                            char (**out)[37], size_t *n_out);
/* dm_cursor_geom without naming the row in its error (for callers that
 * name it themselves: check). */
dm_status dm__cursor_geom_unnamed(dm_cursor *c, dm_geom **out);
/* Check and normalise a row; for_insert also demands required fields. */
dm_status dm__row_check(dm_store *s, dm_row *r, int for_insert);
/* Create every table of a fresh database. */
dm_status dm__store_create_schema(dm_store *s);
/* Bring an older database up to this build's model (new tables, columns). */
dm_status dm__store_migrate(dm_store *s);
/* The table of hazards proposed in field reports and its trigger, when the
 * database lacks them (store_proposals.c). Run by the schema of a new
 * database and by the migration of an older one. */
dm_status dm__store_add_proposals(dm_store *s);
/* Whether the rows of layer rl that point at a row of layer l go with it
 * when it is deleted (its life-cycle history, the outputs an analysis
 * wrote about it), rather than keep it from being deleted. */
int dm__goes_with_it(const dm_layer_def *l, const dm_layer_def *rl);
/* The triggers that log edits made by other programs (QGIS, sqlite3) and
 * give a row they add its uuid (store_outside.c), when the database lacks
 * them or has those of another model. Run by the schema of a new database
 * and by the migration of an older one; no write when they are there. */
dm_status dm__store_add_outside_log(dm_store *s);
/* The geometry a trigger of store_outside.c logged ("geom_gpkg": a
 * GeoPackage blob in hex). */
dm_status dm__outside_geom(dm_ctx *ctx, const char *hex, dm_geom **out);
/* A history (dm_store_history_json's array, malloc'd with dm_malloc, replaced)
 * with the triggers' "geom_gpkg" values as "geom" in WKT, as demine logs
 * its own. */
dm_status dm__outside_history(dm_ctx *ctx, char **json);
/* The fields' descriptions and closed lists of values in the GeoPackage
 * schema extension, which QGIS offers as drop-down lists
 * (store_domains.c); no write when they are up to date. */
dm_status dm__store_add_domains(dm_store *s);
/* The pending proposal of the activity (a draft report being deleted: the
 * trigger takes the proposal away), if any, kept in *old_json (the
 * activity's last values for the change log; malloc'd, replaced) as
 * "report_proposal": {"feature", "created", "author"}. */
dm_status dm__proposal_keep(dm_store *s, const char *activity, char **old_json);
/* After the activity was restored from old_json (its deletion's last
 * values): its proposal kept there put back, pending, unless it has one. */
dm_status dm__proposal_restore(dm_store *s, const char *activity, const char *old_json);
/* The GeoPackage column type of a field. */
const char *dm__sql_type(const dm_field_def *f);

#endif
