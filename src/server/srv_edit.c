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
 */
#include "srv.h"

#include <ctype.h>
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
    st = dm_store_update(s, uuid, p.row, why);
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
    int evidence = !st && feeds_risk_map(l, c);
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
