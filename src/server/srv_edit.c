/* SPDX-License-Identifier: MIT
 *
 * srv_edit.c -- editing one row over HTTP (PATCH /api/{layer}/{id}) with
 * optimistic concurrency: every single-row answer carries an ETag, a hash of
 * the row as stored (fields, geometry, created, updated, author); an edit
 * must name the ETag it was made from (If-Match) and is refused with 412
 * when the row has changed since, so that two people editing the same row
 * cannot silently overwrite each other. The tag is compared and the row
 * written in one write transaction. The change goes through dm_store_update:
 * checked as `demine edit` checks it and logged with the user and the reason.
 * An edit of a layer the risk map is made from (the evidence) asks for a
 * background refresh of the map, as an approved field report does.
 *
 * New rows (POST /api/{layer}) and deletions (DELETE /api/{layer}/{id})
 * are made here too, by analysts and admins, in the layers staff maintain
 * by hand: not the demo truth, the plan, nor what engines and reviews write
 * (activities and items come as field reports, a hazard's status history
 * with its life cycle, record matches and predicted mines from `demine
 * records verify` and `demine patterns`). A new row is checked as `demine
 * import` checks it (dm_store_insert) and logged with the user and the
 * reason; a deletion names the tag it was decided on (If-Match) and is
 * refused, naming them, while other rows point at the row (dm_store_delete).
 *
 * A deletion is undone here too: GET /api/deleted lists the rows deleted and
 * not put back since (from the change log), and POST
 * /api/{layer}/{uuid}/restore puts one back (dm_store_restore: its last
 * values, its uuid, checked and logged as an insertion with the reason).
 */
#include "srv.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64-bit FNV-1a, continued from h. */
static unsigned long long fnv1a(unsigned long long h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h ^ 0xff; /* a separator: ("ab", "c") and ("a", "bc") differ */
}

dm_status srv_row_etag(srv_req *rq, dm_cursor *c, char etag[48])
{
    char *json = NULL;
    dm_status st = dm_cursor_json(c, 1, &json);
    if (st)
        return st;
    unsigned long long h = fnv1a(14695981039346656037ull, json);
    static const char *meta[] = {"created", "updated", "author"};
    for (int i = 0; i < 3; i++)
        h = fnv1a(h, dm_cursor_text(c, meta[i]));
    dm_free(rq->t->ctx, json);
    snprintf(etag, 48, "\"r%016llx\"", h);
    return DM_OK;
}

/* Select the row uuid of layer l; 1 with *c on it, 0 when it is gone,
 * negative on error (message in the context). */
static int row_cursor(srv_req *rq, const dm_layer_def *l, const char *uuid, dm_cursor **c)
{
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    *c = NULL;
    if (dm_store_select(rq->t->store, l->name, &sel, c))
        return -1;
    int r = dm_cursor_next(*c);
    if (r != 1) {
        dm_cursor_free(*c);
        *c = NULL;
    }
    return r;
}

/* The reason trimmed of white space at either end, in place; NULL when none
 * is left. */
static char *trimmed(char *s)
{
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return *s ? s : NULL;
}

/* The layers the risk map reads its evidence from (dm_evidence_read_store:
 * src/lib/evidence/evidence_store.c and the sensor evidence) and calibrates
 * on (hazards, items). */
static const char *const evidence_layers[] = {
    "features", "hazards", "records", "items", "accidents", "events", "release_areas", "activities",
    "predicted_mines", "sensors", "sensor_rates", "flights", "detections"};

/* Does the row (as it is after the edit) feed the risk map? Activities do
 * only once approved: a draft or rejected report is no evidence, and an
 * edit cannot change a report's status. */
static int feeds_risk_map(const dm_layer_def *l, dm_cursor *c)
{
    for (size_t i = 0; i < sizeof evidence_layers / sizeof evidence_layers[0]; i++) {
        if (strcmp(l->name, evidence_layers[i]))
            continue;
        if (!strcmp(l->name, "activities")) {
            const char *st = dm_cursor_text(c, "status");
            return !st || !strcmp(st, "approved");
        }
        return 1;
    }
    return 0;
}

int srv_handle_edit(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id)
{
    /* writing rows is the reviewers' right (analyst, admin); field users
     * submit reports, which are reviewed */
    if (srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    if (!srv_layer_readable(rq->user.role, l))
        return srv_error(rs, 403, "the %s role may not edit layer %s", dm_role_name(rq->user.role),
                         l->name);
    const char *if_match = srv_header(rq, "If-Match");
    if (!if_match || !*if_match)
        return srv_error(rs, 428,
                         "If-Match is required: send the ETag of %s %s as last read (GET /api/%s/%s), "
                         "so that a change made since is not overwritten",
                         l->name, id, l->name, id);
    dm_ctx *ctx = rq->t->ctx;
    dm_store *s = rq->t->store;
    srv_patch p;
    dm_status st = srv_patch_parse(ctx, l, rq->body, rq->body_len, &p);
    if (st)
        return srv_error(rs, st == DM_ENOMEM ? 500 : 400, "%s %s: %s", l->name, id, p.err);
    char *why = trimmed(p.reason);
    if (!why) {
        srv_patch_free(&p);
        return srv_error(rs, 400, "reason: an edit needs a reason (it goes to the change log with "
                                  "your name)");
    }
    if (strlen(why) > 2000) { /* as a review's: the change log keeps every one */
        srv_patch_free(&p);
        return srv_error(rs, 400, "reason: at most 2000 characters");
    }
    char uuid[37];
    if ((st = dm_store_resolve(s, l->name, id, NULL, uuid))) {
        srv_patch_free(&p);
        return srv_fail(rs, rq, st);
    }
    /* The tag is compared inside the write transaction (BEGIN IMMEDIATE):
     * of two edits made from the same tag, the second sees the first's
     * change and gets 412. */
    if ((st = dm_store_begin(s))) {
        srv_patch_free(&p);
        return srv_fail(rs, rq, st);
    }
    dm_cursor *c = NULL;
    char etag[48] = "";
    int found = row_cursor(rq, l, uuid, &c);
    if (found == 1) {
        st = srv_row_etag(rq, c, etag);
        dm_cursor_free(c);
    } else
        st = found < 0 ? DM_ESQL : DM_OK;
    if (st || found != 1) {
        dm_store_rollback(s);
        srv_patch_free(&p);
        return st ? srv_fail(rs, rq, st) : srv_error(rs, 404, "no %s '%s'", l->name, id);
    }
    if (!srv_if_match(if_match, etag)) {
        dm_store_rollback(s);
        srv_patch_free(&p);
        memcpy(rs->etag, etag, sizeof rs->etag);
        return srv_error(rs, 412,
                         "%s %s has changed since the version you edited (If-Match %s; it is now "
                         "%s): read it again and redo the edit",
                         l->name, id, if_match, etag);
    }
    int changed = 1; /* a save of the values the row has: nothing written, logged or redone */
    st = dm_store_update_if_changed(s, uuid, p.row, why, &changed);
    srv_patch_free(&p);
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s); /* a failed commit leaves the transaction open */
        int code = srv_status_of(st);
        if (code == 400 || code == 404 || code == 422) /* a value refused: the field is named */
            return srv_error(rs, 400, "%s %s: %s", l->name, id, dm_ctx_errmsg(ctx));
        return srv_fail(rs, rq, st);
    }
    if (changed)
        srv_bump_generation();
    /* the row as it is now, with its new tag */
    srv_buf b;
    sb_init(&b);
    found = row_cursor(rq, l, uuid, &c);
    if (found != 1)
        return found < 0 ? srv_fail(rs, rq, DM_ESQL) : srv_error(rs, 404, "no %s '%s'", l->name, id);
    st = srv_emit_feature(rq, &b, c, l, 0, 1);
    if (!st)
        st = srv_row_etag(rq, c, rs->etag);
    int evidence = !st && changed && feeds_risk_map(l, c);
    dm_cursor_free(c);
    if (st) {
        sb_free(&b);
        return srv_fail(rs, rq, st);
    }
    /* the evidence changed: redo the last risk map in the background, as an
     * approved report does (Risk-Refresh says it started or was queued) */
    char *opts = NULL;
    if (evidence && dm_store_meta_get(s, "risk_map_options", &opts) == DM_OK && opts) {
        char asked[96];
        snprintf(asked, sizeof asked, "%s %.40s edited", l->name, id);
        int rc = srv_refresh_request(rq->cfg->db, asked, rq->user.name);
        if (rc >= 0)
            rs->risk_refresh = rc ? "queued" : "started";
    }
    dm_free(ctx, opts);
    return srv_jbuf(rs, 200, &b);
}

/* ============================ new rows, deletions ============================ */

int srv_layer_writable(dm_role role, const dm_layer_def *l, char *why, size_t n)
{
    if (role < DM_ROLE_ANALYST) {
        snprintf(why, n, "the %s role may not create or delete rows (needs analyst)", dm_role_name(role));
        return 0;
    }
    if ((l->flags & DM_LAYER_TRUTH) || !srv_layer_readable(role, l)) {
        snprintf(why, n, "layer %s is the demo scenario's truth, for evaluation only: rows are not added or "
                         "deleted over the API", l->name);
        return 0;
    }
    if (l->flags & DM_LAYER_SYSTEM) {
        snprintf(why, n, "layer %s is written by demine itself (demine plan)", l->name);
        return 0;
    }
    static const struct {
        const char *layer, *why;
    } by_others[] = {
        {"activities", "activities come as field reports, reviewed before they count: POST /api/reports"},
        {"items", "items found come with their activity as a field report: POST /api/reports"},
        {"hazard_status", "a hazard's status history is written by its life cycle (demine status)"},
        {"record_matches", "record matches are written by demine records verify"},
        {"predicted_mines", "predicted mines are written by demine patterns"},
    };
    for (size_t i = 0; i < sizeof by_others / sizeof by_others[0]; i++)
        if (!strcmp(l->name, by_others[i].layer)) {
            snprintf(why, n, "%s", by_others[i].why);
            return 0;
        }
    return 1;
}

int srv_layer_restorable(dm_role role, const dm_layer_def *l, char *why, size_t n)
{
    if (srv_layer_writable(role, l, why, n))
        return 1;
    /* the rows of a field report are not made or deleted one by one over
     * the API, but one deleted (in QGIS, by `demine delete`) is put back as
     * it was, as `demine restore` does; a withdrawn report comes back whole
     * through its activity */
    return role >= DM_ROLE_ANALYST && (!strcmp(l->name, "items") || !strcmp(l->name, "activities"));
}

/* A reason trimmed and checked: NULL with the refusal in rs when it is
 * missing, blank or too long. */
static char *reason_of(srv_resp *rs, int code, char *reason, const char *what)
{
    char *why = trimmed(reason);
    if (!why) {
        srv_error(rs, code, "reason: %s needs a reason (it goes to the change log with your name)", what);
        return NULL;
    }
    if (strlen(why) > 2000) {
        srv_error(rs, code, "reason: at most 2000 characters");
        return NULL;
    }
    return why;
}

/* After a change to the evidence, redo the last risk map in the background
 * (Risk-Refresh says it started or was queued). */
static void ask_refresh(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id, const char *what)
{
    char *opts = NULL;
    if (dm_store_meta_get(rq->t->store, "risk_map_options", &opts) == DM_OK && opts) {
        char asked[96];
        snprintf(asked, sizeof asked, "%s %.40s %s", l->name, id, what);
        int rc = srv_refresh_request(rq->cfg->db, asked, rq->user.name);
        if (rc >= 0)
            rs->risk_refresh = rc ? "queued" : "started";
    }
    dm_free(rq->t->ctx, opts);
    dm_ctx_clear_error(rq->t->ctx);
}

/* A new hazard's remaining area follows from its state: all of the
 * estimate while open, none once closed or handed over; unknown (left
 * empty) when partly released, or when the estimate is unknown. A hazard
 * proposed in a field report gets it the same way (srv_reports.c). */
dm_status srv_hazard_remaining(dm_row *r, double polygon_ha)
{
    if (dm_row_get(r, "remaining_area_ha"))
        return DM_OK;
    const char *status = dm_row_get(r, "status");
    if (status && (!strcmp(status, "closed") || !strcmp(status, "handed_over")))
        return dm_row_set(r, "remaining_area_ha", "0");
    if (status && strcmp(status, "open"))
        return DM_OK; /* partly released (or a value the store refuses, naming it) */
    const char *est = dm_row_get(r, "est_area_ha");
    if (est)
        return dm_row_set(r, "remaining_area_ha", est); /* checked with the estimate */
    if (!isfinite(polygon_ha))
        return DM_OK;
    char v[64];
    snprintf(v, sizeof v, "%.17g", round(polygon_ha * 1e4) / 1e4); /* as the store rounds est_area_ha */
    return dm_row_set(r, "remaining_area_ha", v);
}

int srv_handle_create(srv_req *rq, srv_resp *rs, const dm_layer_def *l)
{
    if (srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    char why_not[300];
    if (!srv_layer_writable(rq->user.role, l, why_not, sizeof why_not))
        return srv_error(rs, 403, "%s", why_not);
    dm_ctx *ctx = rq->t->ctx;
    dm_store *s = rq->t->store;
    srv_create cr;
    dm_status st = srv_create_parse(ctx, l, rq->body, rq->body_len, &cr);
    if (st)
        return srv_error(rs, st == DM_ENOMEM ? 500 : st == DM_EPARSE ? 400 : 422, "new %s: %s", l->name, cr.err);
    char *why = reason_of(rs, 422, cr.reason, "a new row");
    if (!why) {
        srv_create_free(&cr);
        return 0;
    }
    if (!strcmp(l->name, "hazards") && (st = srv_hazard_remaining(cr.row, cr.area_ha))) {
        srv_create_free(&cr);
        return srv_fail(rs, rq, st);
    }
    char ref[200] = "";
    /* The row and the reason go in together: the insertion's change-log
     * entry holds its values, the user and the reason. */
    char uuid[37] = "";
    if ((st = dm_store_begin(s))) {
        srv_create_free(&cr);
        return srv_fail(rs, rq, st);
    }
    st = dm_store_insert_reason(s, cr.row, uuid, why);
    if (!st) {
        const char *r0 = dm_field_find(l, "ref") ? dm_row_get(cr.row, "ref") : NULL; /* as stored */
        if (r0)
            snprintf(ref, sizeof ref, "%s", r0);
    }
    srv_create_free(&cr);
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s); /* a failed commit leaves the transaction open */
        int code = srv_status_of(st);
        if (code == 400 || code == 404 || code == 422 || st == DM_EINVAL)
            code = 422; /* a value refused, or a reference to nothing: the field is named */
        if (code == 409 || code == 422) {
            /* "geometry: invalid (...); use --repair to fix": a command-line option */
            char msg[700];
            snprintf(msg, sizeof msg, "%s", dm_ctx_errmsg(ctx));
            char *cli = strstr(msg, "; use --repair to fix");
            if (cli)
                *cli = '\0';
            return srv_error(rs, code, "new %s: %s", l->name, msg);
        }
        return srv_fail(rs, rq, st);
    }
    srv_bump_generation();
    dm_cursor *c = NULL;
    int found = row_cursor(rq, l, uuid, &c);
    int evidence = 0;
    if (found == 1) {
        st = srv_row_etag(rq, c, rs->etag);
        evidence = feeds_risk_map(l, c);
        dm_cursor_free(c);
        if (st)
            rs->etag[0] = '\0';
    }
    dm_ctx_clear_error(ctx);
    snprintf(rs->location, sizeof rs->location, "%s/%s", l->name, uuid); /* relative: behind a proxy's prefix too */
    if (evidence)
        ask_refresh(rq, rs, l, ref[0] ? ref : uuid, "created");
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"layer\":\"%s\"", uuid, l->name);
    if (ref[0]) {
        sb_puts(&b, ",\"ref\":");
        sb_json_str(&b, ref);
    }
    sb_puts(&b, "}");
    return srv_jbuf(rs, 201, &b);
}

int srv_handle_delete(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id)
{
    if (srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    char why_not[300];
    if (!srv_layer_writable(rq->user.role, l, why_not, sizeof why_not))
        return srv_error(rs, 403, "%s", why_not);
    const char *if_match = srv_header(rq, "If-Match");
    if (!if_match || !*if_match)
        return srv_error(rs, 428,
                         "If-Match is required: send the ETag of %s %s as last read (GET /api/%s/%s), "
                         "so that a row changed since is not deleted unseen",
                         l->name, id, l->name, id);
    int bad = 0;
    char *reason = srv_json_get_str(rq->body, rq->body_len, "reason", &bad);
    if (bad) {
        free(reason);
        return srv_error(rs, 400, "%s; expected a JSON body {\"reason\": \"...\"}",
                         bad == 2 ? "reason: expected a string" : "the body is not a JSON object");
    }
    char *why = reason_of(rs, 400, reason, "a deletion");
    if (!why) {
        free(reason);
        return 0;
    }
    dm_ctx *ctx = rq->t->ctx;
    dm_store *s = rq->t->store;
    char uuid[37];
    dm_status st = dm_store_resolve(s, l->name, id, NULL, uuid);
    if (!st)
        st = dm_store_begin(s);
    if (st) {
        free(reason);
        return srv_fail(rs, rq, st);
    }
    /* the tag compared inside the write transaction, as an edit's */
    dm_cursor *c = NULL;
    char etag[48] = "";
    int evidence = 0;
    int found = row_cursor(rq, l, uuid, &c);
    if (found == 1) {
        st = srv_row_etag(rq, c, etag);
        evidence = feeds_risk_map(l, c);
        dm_cursor_free(c);
    } else
        st = found < 0 ? DM_ESQL : DM_OK;
    if (st || found != 1) {
        dm_store_rollback(s);
        free(reason);
        return st ? srv_fail(rs, rq, st) : srv_error(rs, 404, "no %s '%s'", l->name, id);
    }
    if (!srv_if_match(if_match, etag)) {
        dm_store_rollback(s);
        free(reason);
        memcpy(rs->etag, etag, sizeof rs->etag);
        return srv_error(rs, 412,
                         "%s %s has changed since you read it (If-Match %s; it is now %s): read it again "
                         "before deleting it",
                         l->name, id, if_match, etag);
    }
    st = dm_store_delete(s, l->name, id, why);
    free(reason);
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s);
        if (st == DM_ECONFLICT) /* "hazards H-1 is referred to by 2 rows of items (hazard_id); ..." */
            return srv_error(rs, 409, "%s", dm_ctx_errmsg(ctx));
        return srv_fail(rs, rq, st);
    }
    srv_bump_generation();
    if (evidence)
        ask_refresh(rq, rs, l, id, "deleted");
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"layer\":\"%s\",\"deleted\":true}", uuid, l->name);
    return srv_jbuf(rs, 200, &b);
}

/* ============================ undoing deletions ============================ */

int srv_handle_deleted(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    /* the layers the user may add rows to and delete rows from, and the
     * rows of field reports: what was deleted with them (a hazard's status
     * history) comes back with them */
    const char *names[128];
    size_t n = 0;
    char why_not[300];
    const char *s = srv_arg(rq, "layer");
    if (s) {
        const dm_layer_def *l = dm_layer_find(s);
        if (!l || strcmp(l->name, s))
            return srv_error(rs, 400, "layer: no layer '%.60s'", s);
        if (!srv_layer_restorable(rq->user.role, l, why_not, sizeof why_not))
            return srv_error(rs, 403, "%s", why_not);
        names[n++] = l->name;
    } else {
        for (size_t i = 0; i < dm_layer_count() && n < sizeof names / sizeof names[0]; i++)
            if (srv_layer_restorable(rq->user.role, dm_layer_at(i), why_not, sizeof why_not))
                names[n++] = dm_layer_at(i)->name;
    }
    long limit = 1000, offset = 0;
    if ((s = srv_arg(rq, "limit")) && !srv_parse_long(s, 1, 10000, &limit))
        return srv_error(rs, 400, "limit: a whole number 1-10000");
    if ((s = srv_arg(rq, "offset")) && !srv_parse_long(s, 0, 1000000000L, &offset))
        return srv_error(rs, 400, "offset: a whole number 0-1000000000");
    char *json = NULL;
    dm_status st = n ? dm_store_deleted_json_in(rq->t->store, names, n, limit, offset, &json) : DM_OK;
    if (st)
        return srv_fail(rs, rq, st);
    char *out = json ? strdup(json) : NULL;
    if (!n)
        out = strdup("{\"deleted\":[],\"count\":0,\"offset\":0,\"limit\":0,\"total\":0}");
    dm_free(rq->t->ctx, json);
    return srv_json(rs, 200, out);
}

int srv_handle_restore(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id)
{
    if (srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    char why_not[300];
    if (!srv_layer_restorable(rq->user.role, l, why_not, sizeof why_not))
        return srv_error(rs, 403, "%s", why_not);
    int bad = 0;
    char *reason = srv_json_get_str(rq->body, rq->body_len, "reason", &bad);
    if (bad) {
        free(reason);
        return srv_error(rs, 400, "%s; expected a JSON body {\"reason\": \"...\"}",
                         bad == 2 ? "reason: expected a string" : "the body is not a JSON object");
    }
    char *why = reason_of(rs, 400, reason, "a restoration");
    if (!why) {
        free(reason);
        return 0;
    }
    /* a deleted row has no ref to find it by: its whole uuid names it */
    char uuid[37];
    size_t len = strlen(id);
    for (size_t i = 0; i < len && i < 36; i++)
        uuid[i] = (char)tolower((unsigned char)id[i]);
    uuid[len < 36 ? len : 36] = '\0';
    if (len != 36 || strspn(uuid, "0123456789abcdef-") != 36) {
        free(reason);
        return srv_error(rs, 404, "no deleted %s '%.60s' (a deleted row is named by its whole uuid: GET /api/deleted)",
                         l->name, id);
    }
    dm_ctx *ctx = rq->t->ctx;
    dm_store *s = rq->t->store;
    dm_status st = dm_store_begin(s);
    if (st) {
        free(reason);
        return srv_fail(rs, rq, st);
    }
    /* what the change log says of it, and the restoration, in one write
     * transaction: of two restorations at once, the second gets 409 */
    char layer[64];
    int deleted = 0;
    st = dm_store_log_state(s, uuid, layer, &deleted);
    if (st || strcmp(layer, l->name) || !deleted) {
        dm_store_rollback(s);
        free(reason);
        if (st && st != DM_ENOTFOUND)
            return srv_fail(rs, rq, st);
        dm_ctx_clear_error(ctx);
        if (st || strcmp(layer, l->name))
            return srv_error(rs, 404, "no deleted %s '%s'", l->name, uuid);
        return srv_error(rs, 409, "%s %s is not deleted: nothing to restore", l->name, uuid);
    }
    const dm_layer_def *lo = NULL;
    st = dm_store_restore(s, uuid, why, &lo);
    free(reason);
    if (!st)
        st = dm_store_commit(s);
    if (st) {
        dm_store_rollback(s);
        int code = srv_status_of(st);
        if (code == 400 || code == 404 || code == 409 || code == 422) {
            /* refused as an insertion: a row it points at gone, a ref taken
             * since (the field is named) */
            char msg[700];
            snprintf(msg, sizeof msg, "%s", dm_ctx_errmsg(ctx));
            char *cli = strstr(msg, "; use --repair to fix");
            if (cli)
                *cli = '\0';
            return srv_error(rs, 422, "restoring %s %s: %s", l->name, uuid, msg);
        }
        return srv_fail(rs, rq, st);
    }
    srv_bump_generation();
    dm_cursor *c = NULL;
    char ref[200] = "";
    int evidence = 0;
    if (row_cursor(rq, l, uuid, &c) == 1) {
        if (srv_row_etag(rq, c, rs->etag))
            rs->etag[0] = '\0';
        evidence = feeds_risk_map(l, c);
        const char *r0 = dm_field_find(l, "ref") ? dm_cursor_text(c, "ref") : NULL;
        if (r0)
            snprintf(ref, sizeof ref, "%s", r0);
        dm_cursor_free(c);
    }
    dm_ctx_clear_error(ctx);
    if (evidence)
        ask_refresh(rq, rs, l, ref[0] ? ref : uuid, "restored");
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"layer\":\"%s\"", uuid, l->name);
    if (ref[0]) {
        sb_puts(&b, ",\"ref\":");
        sb_json_str(&b, ref);
    }
    sb_puts(&b, ",\"restored\":true}");
    return srv_jbuf(rs, 200, &b);
}
