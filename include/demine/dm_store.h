/* SPDX-License-Identifier: MIT
 *
 * dm_store.h -- the national database: one GeoPackage file holding every
 * layer of dm_model.h, an append-only change log, and transactions.
 *
 * Writes go through dm_row objects: set field values as text (checked and
 * normalised against the layer's definition on insert), attach a WGS 84
 * geometry, insert. Every insert, update and delete is logged with the
 * context's author, the time and the old and new values. A store is used by
 * one thread at a time; open one store per thread.
 */
#ifndef DM_STORE_H
#define DM_STORE_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"
#include "demine/dm_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_store dm_store;

#define DM_STORE_READONLY 0x01u
#define DM_STORE_CREATE 0x02u /* create a new database; fails if the file exists */

/* Open (or with DM_STORE_CREATE, create) the database at path.
 * Errors: DM_EIO (cannot open, or exists with CREATE), DM_ESCHEMA (not a
 * demine GeoPackage, or newer schema), DM_EBUSY (locked).
 * Ownership: *out is the caller's; release with dm_store_close(). */
DM_API dm_status dm_store_open(dm_ctx *ctx, const char *path, unsigned flags, dm_store **out);
DM_API void dm_store_close(dm_store *s);
DM_API const char *dm_store_path(const dm_store *s);
DM_API dm_ctx *dm_store_ctx(const dm_store *s);
/* 1 when the database can be written (opened read-write and the file
 * allows it), 0 otherwise. */
DM_API int dm_store_writable(const dm_store *s);
/* A file's path as the database keeps it: relative to the database's
 * directory when the file lies there or below (so that a copied directory
 * still finds its own files), else absolute. dm_free the result (NULL: out
 * of memory). */
DM_API char *dm_store_relative_path(const dm_store *s, const char *path);
/* A path kept by the database, made usable: relative paths are taken from
 * the database's directory. dm_free the result. */
DM_API char *dm_store_resolve_path(const dm_store *s, const char *path);

/* ---- backup ---- */
typedef struct dm_backup_result {
    uint64_t pages; /* database pages copied */
    uint64_t bytes; /* the copy's size */
} dm_backup_result;

/* A consistent copy of the database at path (which must not exist), taken
 * while others may be writing to it (the server, in WAL mode): one read
 * snapshot, SQLite's online backup, the copy made a single file (no -wal
 * beside it), its integrity checked and synced to disk. Progress "backup".
 * On failure nothing is left at path. res may be NULL.
 * Errors: DM_EIO (path exists, cannot write), DM_EBUSY (locked for a
 * minute), DM_ESCHEMA (the copy fails its integrity check), DM_EINVAL
 * (inside a transaction). */
DM_API dm_status dm_store_backup(dm_store *s, const char *path, dm_backup_result *res);

/* Transactions nest (savepoints). Everything between begin and commit is
 * atomic; rollback undoes it, change log included. */
DM_API dm_status dm_store_begin(dm_store *s);
DM_API dm_status dm_store_commit(dm_store *s);
DM_API dm_status dm_store_rollback(dm_store *s);

/* ---- rows ---- */
typedef struct dm_row dm_row;

/* A new empty row for a layer. Owned by the caller; dm_row_free(). */
DM_API dm_row *dm_row_new(dm_ctx *ctx, const dm_layer_def *layer);
DM_API void dm_row_free(dm_row *r);
DM_API void dm_row_clear(dm_row *r);
DM_API const dm_layer_def *dm_row_layer(const dm_row *r);
/* Set a field from text (NULL = SQL NULL). Unknown fields give DM_ENOTFOUND.
 * The value is checked and normalised when the row is written. */
DM_API dm_status dm_row_set(dm_row *r, const char *field, const char *value);
DM_API dm_status dm_row_set_real(dm_row *r, const char *field, double v);
DM_API dm_status dm_row_set_int(dm_row *r, const char *field, long long v);
/* Attach a WGS 84 geometry; takes ownership (NULL clears). */
DM_API void dm_row_set_geom(dm_row *r, dm_geom *g);
/* Give the row a known uuid instead of a new one (imports of exported data). */
DM_API dm_status dm_row_set_uuid(dm_row *r, const char *uuid);
/* Value as set, or NULL. Borrowed until the row changes. */
DM_API const char *dm_row_get(const dm_row *r, const char *field);

/* Check every value and the geometry of r against its layer; the first
 * problem is reported as DM_EPARSE/DM_EGEOM "field 'x': reason". */
DM_API dm_status dm_row_check(dm_store *s, dm_row *r);

/* Insert r (checked first). Writes the new uuid to uuid_out when not NULL.
 * Refused like an edit: a ref another row of the layer has or a uuid already
 * there (DM_ECONFLICT, naming that row), a date after tomorrow or before 1900
 * outside the plan's tables, an activity ending before it starts. A release
 * area without area_ha, or a hazard without est_area_ha, gets its polygon's
 * area. */
DM_API dm_status dm_store_insert(dm_store *s, dm_row *r, char uuid_out[37]);
/* dm_store_insert with a reason written on the insertion's change-log entry
 * (why the row was added: "reported by phone by the village head"); NULL or
 * "" for none. */
DM_API dm_status dm_store_insert_reason(dm_store *s, dm_row *r, char uuid_out[37], const char *reason);
/* The row of r's layer that inserting r collides with: the one with r's uuid
 * (when r carries one; *by_uuid set to 1), else one with r's ref. 1 with its
 * uuid in owner, 0 when none, negative on error (message in the context). */
DM_API int dm_store_existing(dm_store *s, const dm_row *r, char owner[37], int *by_uuid);
/* Update the row `id` (uuid or ref) of r's layer with the fields set in r
 * (and its geometry when set). Logs old and new values with the reason. A
 * new geometry brings the areas that follow from it unless r sets them: a
 * release area's area_ha, a hazard's est_area_ha, and its remaining_area_ha
 * moved as much as the estimate (land already released stays released; a
 * closed or handed-over hazard keeps 0, an unknown one stays unknown). */
DM_API dm_status dm_store_update(dm_store *s, const char *id, dm_row *r, const char *reason);
/* dm_store_update, but a row whose stored values already are those of r
 * (every field r sets, and its geometry when set) is left as it is: not
 * written (its `updated` time stays), nothing logged; *changed says which
 * (changed may be NULL: then always written, as dm_store_update). */
DM_API dm_status dm_store_update_if_changed(dm_store *s, const char *id, dm_row *r, const char *reason,
                                            int *changed);
/* Delete a row; the log keeps its last values. */
DM_API dm_status dm_store_delete(dm_store *s, const char *layer, const char *id,
                                 const char *reason);
/* Put back a deleted row from the change log (its last values, its uuid, the
 * time it was first created), checked and logged as an insertion with the
 * reason ("restored: REASON"); a hazard's life-cycle rows deleted with it
 * come back too, and so do an activity's items deleted for the same reason
 * (the change-log reason of the activity's deletion: a withdrawn report's,
 * dm_report_withdraw) and the pending hazard proposal its deletion took
 * away (pending again, with its first author and time, unless the activity
 * has a proposal again). uuid is the row's whole uuid. *layer_out (may be NULL) is
 * its layer. DM_ENOTFOUND when the log holds no such row, DM_ECONFLICT when
 * it is not deleted; a row it refers to that is gone meanwhile, or a ref
 * taken since, refuses it as an insertion would. One transaction. */
DM_API dm_status dm_store_restore(dm_store *s, const char *uuid, const char *reason,
                                  const dm_layer_def **layer_out);
/* dm_store_restore with n_set values set over the row's last ones
 * (fields[i] = values[i]; "" empties it), checked with them: a row whose
 * last values demine refuses (a status typed in QGIS) comes back mended.
 * DM_EINVAL for a field the layer lacks. */
DM_API dm_status dm_store_restore_set(dm_store *s, const char *uuid, const char *reason, const char *const *fields,
                                      const char *const *values, size_t n_set, const dm_layer_def **layer_out);
/* The rows deleted and not restored since (their last change-log entry is a
 * deletion) of layer (NULL: every layer), newest first, as JSON
 * {"deleted": [{uuid, layer, time, author, reason, ref (when the row had
 * one), label}], count, offset, limit, total, next_offset (when more
 * follow)}; the label is a few words from the row's last values (its ref,
 * name and kind, no personal data). limit <= 0: no limit. *json is freed
 * with dm_free. */
DM_API dm_status dm_store_deleted_json(dm_store *s, const char *layer, long limit, long offset, char **json);
/* The same for the n_layers layers named (at most 200; none: every layer). */
DM_API dm_status dm_store_deleted_json_in(dm_store *s, const char *const *layers, size_t n_layers, long limit,
                                          long offset, char **json);
/* What the change log last says of the row uuid (its whole uuid): its layer
 * name into layer and whether that entry is a deletion. DM_ENOTFOUND when
 * the log holds nothing of it. */
DM_API dm_status dm_store_log_state(dm_store *s, const char *uuid, char layer[64], int *deleted);

/* Resolve a uuid, a unique uuid prefix (8+ characters) or a `ref` value to
 * the row's layer and full uuid. Searches every layer when layer is NULL. */
DM_API dm_status dm_store_resolve(dm_store *s, const char *layer, const char *id,
                                  const dm_layer_def **layer_out, char uuid_out[37]);
/* The ref of the row uuid of layer, whole, into *out (dm_free it; NULL when
 * the row has none, or the layer no ref field). Errors: DM_ENOTFOUND when
 * the layer has no such row; those of reading. */
DM_API dm_status dm_store_ref_of(dm_store *s, const char *layer, const char *uuid, char **out);

/* ---- reading ---- */
typedef struct dm_select {
    const double *bbox;        /* minx, miny, maxx, maxy (WGS 84) or NULL */
    const char *const *eq_field; /* field = value filters, n_eq of them */
    const char *const *eq_value;
    size_t n_eq;
    const char *until;         /* only rows whose layer date <= this date */
    const char *order_by;      /* a field name, or NULL for insertion order */
    long limit, offset;        /* limit <= 0: no limit */
    int reviewed;              /* leave out what review has not accepted: activities
                                * that are drafts or rejected, and rows of a layer with
                                * an activity_id (items, release areas...) that belong
                                * to one */
} dm_select;

typedef struct dm_cursor dm_cursor;
/* Iterate over rows of a layer. opts may be NULL. Field names in opts are
 * checked against the layer (no SQL is taken from the caller). */
DM_API dm_status dm_store_select(dm_store *s, const char *layer, const dm_select *opts,
                                 dm_cursor **out);
/* 1: a row is ready; 0: done; negative: error (message in ctx). */
DM_API int dm_cursor_next(dm_cursor *c);
DM_API const char *dm_cursor_uuid(dm_cursor *c);
/* Field value as text; NULL for SQL NULL or unknown field. Borrowed until
 * the next dm_cursor_next(). "created", "updated", "author" work too. */
DM_API const char *dm_cursor_text(dm_cursor *c, const char *field);
/* Field value as a number; if_null for SQL NULL, an unknown field, or text
 * that is not wholly a number (a value another tool wrote: "abc" is not 0;
 * `demine check` reports it). */
DM_API double dm_cursor_real(dm_cursor *c, const char *field, double if_null);
/* The row's geometry (owned by the caller) or NULL when it has none. */
DM_API dm_status dm_cursor_geom(dm_cursor *c, dm_geom **out);
/* The row's geometry as the file stores it (GeoPackage binary), borrowed
 * until the next dm_cursor_next(); NULL and *n 0 when it has none. Tells
 * whether a geometry changed without reading it. */
DM_API const void *dm_cursor_geom_bytes(dm_cursor *c, size_t *n);
/* The row as a JSON object (fields, plus "uuid"; plus "geometry" as GeoJSON
 * when with_geom). Caller frees with dm_free(ctx, ...). */
DM_API dm_status dm_cursor_json(dm_cursor *c, int with_geom, char **json);
DM_API void dm_cursor_free(dm_cursor *c);

/* Rows in a layer (matching opts when given). */
DM_API dm_status dm_store_count(dm_store *s, const char *layer, const dm_select *opts, long *n);
/* 1 when the database has layer's table. A database made before a layer
 * was added gets it on its next read-write open; opened read-only it has
 * none, and dm_store_select and dm_store_count read it as empty. */
DM_API int dm_store_has_layer(dm_store *s, const char *layer);
/* The bounds of a layer's geometries in degrees (west, south, east, north),
 * from its spatial index; *found 0 when the layer has no geometry or none
 * is set. */
DM_API dm_status dm_store_layer_bounds(dm_store *s, const char *layer, double b[4], int *found);

/* ---- history ---- */
/* The change log of one row, oldest first, as a JSON array of
 * {seq, time, author, op, reason, old, new}. Free with dm_free. */
DM_API dm_status dm_store_history_json(dm_store *s, const char *uuid, char **json);
/* The time of the latest change to layer (an insertion, edit or deletion,
 * from the change log), as "YYYY-MM-DDTHH:MM:SS.sssZ" in out, or "" when the
 * log holds none. */
DM_API dm_status dm_store_last_change(dm_store *s, const char *layer, char out[25]);

/* ---- hazard life cycle ---- */
/* Move hazard `id` to status `to` (open, partly_released, closed,
 * handed_over) on `date` (YYYY-MM-DD; NULL = today) for `reason`: updates
 * the hazard and adds a dated hazard_status row, in one transaction.
 * Allowed: open -> partly_released -> closed -> handed_over (steps may be
 * skipped forward); going back (reopening on new evidence) needs a reason.
 * Errors: DM_ENOTFOUND, DM_EINVAL (same status, bad date, backwards without
 * reason, date before the last change). */
DM_API dm_status dm_hazard_set_status(dm_store *s, const char *id, const char *to,
                                      const char *date, const char *reason);

/* ---- land released from hazards ---- */
/* One release area as its land is counted (dm_release_count). */
typedef struct dm_release_piece {
    const char *hazard; /* the uuid of the hazard it names; NULL or "": none (those form one group) */
    int rank;           /* 0 cleared, 1 reduced, 2 cancelled, 3 outcome unknown (dm_release_rank) */
    const char *date;   /* NULL: after every dated one */
    const dm_geom *g;   /* its polygon; NULL: it counts ha as given */
    double ha;          /* in: its polygon's area; out: the land it adds */
} dm_release_piece;
/* The rank of an outcome as the store keeps it ("cleared" 0, "reduced" 1,
 * "cancelled" 2; anything else or NULL 3). */
DM_API int dm_release_rank(const char *outcome);
/* Land counted once: within a hazard the part of a polygon already counted
 * is taken out of its ha, the routes taken in the order cleared, reduced,
 * cancelled, outcome unknown, within a route the earlier release first,
 * then in the order of p. A polygon GEOS cannot combine counts whole.
 * Errors: DM_ENOMEM (p unchanged). */
DM_API dm_status dm_release_count(dm_ctx *ctx, dm_release_piece *p, size_t n);

typedef struct dm_hazard_released {
    char hazard[37];         /* the hazard's uuid */
    double ha;               /* land released from it, counted once */
    size_t n_areas;          /* the release areas that count */
    char first_date[11], last_date[11]; /* their dates; "" when none is dated */
} dm_hazard_released;
/* The land released from each hazard as `demine stats` counts it: the
 * release areas naming it (hazard_id) but those of an activity not
 * approved (a draft or rejected field report, or an activity_id naming
 * none), each its polygon's area in hectares (in its UTM zone; none
 * without a polygon), overlaps counted once (dm_release_count). The
 * statistics, the plan and check take it off the estimate of an open
 * hazard without remaining_area_ha (release areas imported after it).
 * *out (n_out entries, sorted by hazard uuid, one for each hazard a
 * release area counts for; NULL when none) is freed with dm_free. */
DM_API dm_status dm_hazards_released(dm_store *s, dm_hazard_released **out, size_t *n_out);
/* The entry of the hazard uuid in v (n entries of dm_hazards_released), or NULL. */
DM_API const dm_hazard_released *dm_hazard_released_find(const dm_hazard_released *v, size_t n,
                                                         const char *uuid);

typedef struct dm_settle_row {
    char uuid[37], ref[200]; /* the hazard ("" without a ref) */
    double est_ha;           /* its estimate: est_area_ha, else its polygon's area */
    double released_ha;      /* the land released from it (dm_hazards_released) */
    double remaining_ha;     /* what is left, as recorded: est_ha - released_ha, 0 below 0.005 ha */
    size_t n_areas;          /* release areas that released it */
    char first_date[11], last_date[11];  /* their dates ("" when none is dated) */
    char status_before[20], status_after[20]; /* open -> partly_released; partly_released stays */
} dm_settle_row;
/* Record the land released from hazards by release areas imported after
 * them: every hazard open or partly_released (or without a status) with
 * no remaining_area_ha and land released from it (dm_hazards_released)
 * gets remaining_area_ha = its estimate less that land (0 when nothing is
 * left: such a hazard is not closed, which is a person's decision), and an
 * open one moves to partly_released through its life cycle
 * (dm_hazard_set_status on date, NULL today). Each change is logged with
 * reason (NULL or blank: a reason of its own) followed by the figures. One
 * transaction (a savepoint of the caller's when there is one): on failure
 * nothing changed and the message names the hazard. dry_run: nothing
 * written, the rows say what would change (the store may be read-only).
 * *out (n_out rows, in the layer's order; NULL when none) is freed with
 * dm_free. Errors: those of dm_store_update and dm_hazard_set_status
 * (a date before a hazard's report or last change: DM_EINVAL), DM_EBUSY. */
DM_API dm_status dm_hazards_settle(dm_store *s, int dry_run, const char *date, const char *reason,
                                   dm_settle_row **out, size_t *n_out);

/* ---- hazards proposed in field reports ---- */
/* A field report (a draft activity) may propose a new hazard: the proposal
 * waits in the attribute table report_proposals, never in the hazards
 * layer (the risk map, statistics and public danger zones read that), until
 * the report is reviewed. Approval creates the hazard (dm_proposal_apply),
 * rejection creates none (dm_proposal_reject); either way the proposal
 * stays, for the record. A pending proposal goes with its activity when
 * that is deleted; a deletion through dm_store_delete keeps it in the
 * change log's entry of the activity ("report_proposal" in its old values),
 * and dm_store_restore of the activity brings it back, pending. */

/* Check the hazard row r as dm_store_insert checks a new row (fields,
 * required ones, geometry, a ref another hazard has, impossible dates) and
 * leave nothing: it is inserted in a savepoint, read back and rolled back,
 * change log included. r gets what an insertion gives (est_area_ha from its
 * polygon). *feature (may be NULL: check only) gets the row as it would be
 * stored, as a GeoJSON Feature (the fields with a value, the geometry; no
 * uuid nor time stamps); free with dm_free. Errors: those of
 * dm_store_insert, DM_EINVAL when r is not a hazard. */
DM_API dm_status dm_proposal_check(dm_store *s, dm_row *r, char **feature);
/* Keep feature (a hazard as a GeoJSON Feature, as dm_proposal_check gives
 * it) as the pending proposal of the activity whose whole uuid is
 * activity, with the context's author. Inside the caller's transaction
 * when there is one. Errors: DM_ENOTFOUND (no such activity), DM_ECONFLICT
 * (it proposes one already), DM_ESCHEMA (a database older than proposals
 * opened read-only). */
DM_API dm_status dm_proposal_put(dm_store *s, const char *activity, const char *feature);

typedef struct dm_proposal {
    char activity[37]; /* the report's activity */
    char status[12];   /* "pending", "applied" or "rejected" */
    char hazard[37];   /* the hazard created on approval; "" otherwise */
    char created[25], author[128];   /* when and by whom it was proposed */
    char decided[25], decided_by[128]; /* "" while pending */
    char *feature;     /* the hazard as a GeoJSON Feature when asked for;
                        * release with dm_proposal_clear */
} dm_proposal;

/* The proposal of the activity (its whole uuid): 1 with it in *out (its
 * feature too when with_feature), 0 when there is none (also in a database
 * older than proposals, opened read-only), negative on error (message in
 * the context). */
DM_API int dm_proposal_get(dm_store *s, const char *activity, int with_feature, dm_proposal *out);
DM_API void dm_proposal_clear(dm_store *s, dm_proposal *p);
/* Approve the pending proposal of the activity: the hazard is inserted
 * (checked again: a ref taken since refuses it with DM_ECONFLICT; the
 * context's author, reason on its insertion), set as the hazard_id of the
 * activity (unless it names one) and of its items that name none (the
 * reason on those edits too), and the proposal marked applied with the
 * hazard's uuid and the context's author. All or nothing, in a savepoint
 * of the caller's transaction when there is one. hazard_out gets the new
 * hazard's uuid, or "" when the activity has no pending proposal (nothing
 * done). */
DM_API dm_status dm_proposal_apply(dm_store *s, const char *activity, const char *reason, char hazard_out[37]);
/* Mark the pending proposal of the activity rejected (by the context's
 * author); nothing to do when it has none. */
DM_API dm_status dm_proposal_reject(dm_store *s, const char *activity);

/* ---- reviewing field reports ---- */
/* A field report is an activity with status "draft" (its items point at it
 * by activity_id; it may propose a hazard, above). Reviewing approves it
 * (status "approved": its finds count as evidence) or rejects it (status
 * "rejected"), once. */

#define DM_REPORT_REASON_MAX 2000 /* bytes of a review's reason, once trimmed */

/* What refused a review (DM_REVIEW_DONE when it was made). */
typedef enum dm_review_refusal {
    DM_REVIEW_DONE = 0,
    DM_REVIEW_NO_REASON,   /* a rejection without a reason (none, or white space only) */
    DM_REVIEW_LONG_REASON, /* a reason longer than DM_REPORT_REASON_MAX */
    DM_REVIEW_NOT_FOUND,   /* the id names no activity (or several) */
    DM_REVIEW_NOT_DRAFT,   /* the report is not a draft: its status in status */
    DM_REVIEW_PROPOSAL,    /* the hazard it proposes cannot be made (its ref taken since, ...) */
    DM_REVIEW_FAILED,      /* the database failed (locked, I/O, out of memory) */
    DM_REVIEW_NOT_SUBMITTER /* a withdrawal by someone other than the report's sender */
} dm_review_refusal;

typedef struct dm_report_review_result {
    dm_review_refusal refused;
    char uuid[37];      /* the report's activity ("" when not found) */
    char ref[200];      /* its ref ("" without one) */
    char status[16];    /* its status now: the new one when reviewed, the one it
                         * has when refused (DM_REVIEW_NOT_DRAFT: "approved",
                         * "rejected"...; an activity without a status reads
                         * "approved"); "" when not found */
    char hazard[37];    /* the hazard its approval created from its proposal; "" otherwise */
    char reason[2400];  /* the change-log reason: "approved by NAME: text" (cut
                         * here only past 2400 bytes; the log has it whole) */
} dm_report_review_result;

/* Approve (approve != 0) or reject the field report `id` (uuid, uuid prefix
 * of 8+ characters or ref of an activity), in one transaction (a savepoint
 * of the caller's when there is one). reason is trimmed of white space; a
 * rejection needs one, an approval may have none. The activity's status is
 * read inside the write transaction (BEGIN IMMEDIATE) and must be "draft":
 * of two reviews of the same draft at once the first stands, the second is
 * refused. The change log records the new status with the reason
 * "approved by REVIEWER: text" ("rejected by ..."; without ": text" when
 * there is none); reviewer NULL or "" is the context's author, who is the
 * author of every write (dm_ctx_set_author). On approval a pending hazard
 * proposal is applied (dm_proposal_apply, with the reason "proposed in
 * report REF by SUBMITTER, approved by REVIEWER"), on rejection marked
 * rejected. Nothing changes unless all of it is done.
 * out (may be NULL) says what was done or what refused it. Errors, each
 * naming the report: DM_EINVAL (no reason for a rejection, a reason over
 * DM_REPORT_REASON_MAX, an empty id), DM_ENOTFOUND (no such activity, as
 * dm_store_resolve says), DM_ECONFLICT (not a draft, "report UUID is
 * approved, not a draft awaiting review"; an id naming several rows; the
 * proposed hazard's ref taken since), the errors of dm_proposal_apply
 * ("report UUID is not approved (nothing changed): ..."), DM_EBUSY. Asking
 * for a risk map refresh is the caller's (an approved report is new
 * evidence; see meta risk_map_options). */
DM_API dm_status dm_report_review(dm_store *s, const char *id, int approve, const char *reviewer,
                                  const char *reason, dm_report_review_result *out);

/* Withdraw the field report `id` (uuid, uuid prefix of 8+ characters or
 * ref of an activity): a draft sent by mistake is deleted with its items,
 * each through the logged deletion (dm_store_delete: the change log keeps
 * them, with the reason "withdrawn by NAME: text", and `demine restore` of
 * the activity brings them back), in one transaction (a savepoint of the
 * caller's when there is one). A pending hazard proposal goes with the
 * activity (the change log's entry of its deletion keeps it, for a
 * restoration). The status is read inside the write transaction: only a
 * draft is withdrawn; one approved or rejected meanwhile is refused.
 * reason is trimmed and required (at most DM_REPORT_REASON_MAX bytes).
 * by (NULL or "": the context's author) is who withdraws it, named in the
 * reason. sender, when not NULL, must be the report's sender (the author
 * of its insertion in the change log), else DM_EFORBIDDEN
 * (DM_REVIEW_NOT_SUBMITTER): a field team withdraws its own reports only;
 * NULL lets anyone (a reviewer) withdraw it. Any other row that points at
 * the activity or at one of its items refuses the withdrawal
 * (DM_ECONFLICT, naming them), nothing changed. out (may be NULL) says
 * what was done or what refused it: uuid, ref, status ("withdrawn" when
 * done), reason, and in n_items how many items were deleted. Errors as
 * dm_report_review's: DM_EINVAL (no reason, too long), DM_ENOTFOUND,
 * DM_ECONFLICT (not a draft: DM_REVIEW_NOT_DRAFT), DM_EFORBIDDEN, DM_EBUSY. */
typedef struct dm_report_withdraw_result {
    dm_review_refusal refused;
    char uuid[37], ref[200], status[16];
    char sent_by[128];  /* the author of its insertion ("" when the log has none) */
    size_t n_items;     /* items deleted with it */
    int proposal;       /* 1 when a pending hazard proposal went with it */
    char reason[2400];  /* the change-log reason, "withdrawn by NAME: text" */
} dm_report_withdraw_result;
DM_API dm_status dm_report_withdraw(dm_store *s, const char *id, const char *by, const char *sender,
                                    const char *reason, dm_report_withdraw_result *out);

/* ---- metadata (key/value) ---- */
DM_API dm_status dm_store_meta_set(dm_store *s, const char *key, const char *value);
/* Value or NULL; caller frees with dm_free. */
DM_API dm_status dm_store_meta_get(dm_store *s, const char *key, char **value);

/* ---- QGIS styles ---- */
/* The default QGIS style (QML) of a layer, as the database stores it in
 * layer_styles and as export writes beside a file; NULL for a layer drawn
 * without one (attribute tables, mixed geometries) or out of memory.
 * Caller frees with free(). */
DM_API char *dm_layer_style_qml(const char *layer);

#ifdef __cplusplus
}
#endif
#endif /* DM_STORE_H */
