/* SPDX-License-Identifier: MIT
 *
 * srv_reports.c -- field reports: submission (an activity with its polygon
 * and the items found, checked exactly as imports check rows, stored as a
 * draft in one transaction), the review queue, and approval or rejection
 * with a reason (trimmed; a rejection's may not be blank), decided by the
 * library's dm_report_review as `demine reports` decides. Every write is
 * attributed to the logged-in user in the change log. The queue names each
 * report's last review (who, when, the reason), read from the change log:
 * a field team sees why its report was rejected.
 *
 * A report may propose a new hazard (a suspected area the team found): it
 * is checked when the report comes as POST /api/hazards would check it,
 * and kept aside (dm_proposal_*: never in the hazards layer while the
 * report is a draft); approval creates it, attributed to the reviewer, and
 * points the report's activity and items at it; rejection creates none.
 *
 * A draft sent by mistake is withdrawn (POST /api/reports/{id}/withdraw) by
 * its sender or a reviewer: deleted with its items and its proposal, logged
 * (dm_report_withdraw), and `demine restore` of its activity brings it back.
 */
#include "srv.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A date field of a report after tomorrow (UTC): 1 with the reason in err. */
static int future_date(const dm_row *r, const char *what, const char *field, long tomorrow,
                       char *err, size_t n)
{
    const char *v = dm_row_get(r, field);
    char d[11];
    if (!v || !dm_date_parse(v, d))
        return 0; /* missing or malformed: the store's check says so */
    if (dm_date_days(d) <= tomorrow)
        return 0;
    snprintf(err, n, "%s: field '%s': %s is in the future (after tomorrow)", what, field, d);
    return 1;
}

/* The figures of a report that the store's per-field checks cannot see: a
 * released area larger than the report's polygon (1 %% + 0.01 ha allowed for
 * rounding) or negative, the three routes together larger than the polygon,
 * a start after the end, and dates after tomorrow. 0 when all is well,
 * otherwise 1 with the reason (naming the field and the figures) in err. */
static int check_report(const srv_report *rep, char *err, size_t n)
{
    static const char *areas[] = {"area_cancelled_ha", "area_reduced_ha", "area_cleared_ha"};
    double ha = rep->activity_ha, sum = 0, limit = ha * 1.01 + 0.01;
    for (size_t i = 0; i < 3; i++) {
        const char *v = dm_row_get(rep->activity, areas[i]);
        if (!v)
            continue;
        char *end = NULL;
        double a = strtod(v, &end);
        if (end == v || !isfinite(a))
            continue; /* not a number: the store's check names it */
        if (a < 0) {
            snprintf(err, n, "activity: field '%s': %g ha is negative", areas[i], a);
            return 1;
        }
        if (isfinite(ha) && a > limit) {
            snprintf(err, n,
                     "activity: field '%s': %g ha is larger than the report's polygon (%.2f ha)",
                     areas[i], a, ha);
            return 1;
        }
        sum += a;
    }
    if (isfinite(ha) && sum > limit) {
        snprintf(err, n,
                 "activity: fields 'area_cancelled_ha' + 'area_reduced_ha' + 'area_cleared_ha': "
                 "%g ha together is larger than the report's polygon (%.2f ha)",
                 sum, ha);
        return 1;
    }
    const char *v = dm_row_get(rep->activity, "depth_cm");
    if (v && strtod(v, NULL) < 0) {
        snprintf(err, n, "activity: field 'depth_cm': %s cm is negative", v);
        return 1;
    }
    char now[21], today[11];
    dm_now_iso(now);
    snprintf(today, sizeof today, "%.10s", now);
    long tomorrow = dm_date_days(today) + 1;
    if (future_date(rep->activity, "activity", "start_date", tomorrow, err, n) ||
        future_date(rep->activity, "activity", "end_date", tomorrow, err, n))
        return 1;
    const char *sd = dm_row_get(rep->activity, "start_date");
    const char *ed = dm_row_get(rep->activity, "end_date");
    char a[11], b[11];
    if (sd && ed && dm_date_parse(sd, a) && dm_date_parse(ed, b) && strcmp(a, b) > 0) {
        snprintf(err, n, "activity: field 'start_date': %s is after the end_date %s", a, b);
        return 1;
    }
    for (size_t i = 0; i < rep->n_items; i++) {
        char what[32];
        snprintf(what, sizeof what, "items[%zu]", i);
        if (future_date(rep->items[i], what, "found_date", tomorrow, err, n))
            return 1;
        const char *q = dm_row_get(rep->items[i], "quantity");
        if (q) {
            char *end = NULL;
            double x = strtod(q, &end);
            if (end != q && isfinite(x) && (x < 1 || x != floor(x))) {
                snprintf(err, n, "%s: field 'quantity': %s is not a whole number of 1 or more",
                         what, q);
                return 1;
            }
        }
    }
    return 0;
}

/* The hazard a report proposes, made ready as POST /api/hazards makes a
 * new one, with what a field team may not decide left out: it is open
 * (its life cycle is the analysts'), and the risk map's figures are the
 * risk map's. Its organisation is the report's (org; whatever a field user
 * wrote), its reported date the report's end (or start) date, else today.
 * 0 when ready, otherwise 1 with the refusal in err. */
static int prepare_hazard(srv_report *rep, const char *org, int field_user, char *err, size_t n)
{
    dm_row *h = rep->hazard;
    const char *hz = dm_row_get(rep->activity, "hazard_id");
    if (hz) {
        snprintf(err, n,
                 "activity: field 'hazard_id': the report proposes a new hazard (\"hazard\"), so its activity "
                 "cannot also name one ('%.60s'): send one or the other",
                 hz);
        return 1;
    }
    const char *status = dm_row_get(h, "status");
    if (status && strcmp(status, "open")) {
        snprintf(err, n,
                 "hazard: field 'status': a proposed hazard is open ('%.40s' is not for a report: a hazard's life "
                 "cycle is moved by analysts)",
                 status);
        return 1;
    }
    const dm_layer_def *l = dm_row_layer(h);
    for (size_t i = 0; i < l->n_fields; i++)
        if ((l->fields[i].flags & DM_FIELD_COMPUTED) && dm_row_get(h, l->fields[i].name)) {
            snprintf(err, n, "hazard: field '%s': computed by demine (the risk map), not reported",
                     l->fields[i].name);
            return 1;
        }
    dm_status st = DM_OK;
    if (field_user || !dm_row_get(h, "organisation"))
        st = dm_row_set(h, "organisation", org);
    if (!st && !dm_row_get(h, "reported_date")) {
        const char *d = dm_row_get(rep->activity, "end_date");
        char today[21];
        if (!d)
            d = dm_row_get(rep->activity, "start_date");
        if (!d) {
            dm_now_iso(today);
            today[10] = '\0';
            d = today;
        }
        st = dm_row_set(h, "reported_date", d);
    }
    if (!st)
        st = srv_hazard_remaining(h, rep->hazard_ha);
    if (st) {
        snprintf(err, n, "hazard: %s", st == DM_ENOMEM ? "out of memory" : "cannot be prepared");
        return 1;
    }
    return 0;
}

/* A store message fit for the API: "; use --repair to fix" is the
 * command line's. */
static const char *api_msg(dm_ctx *ctx, char *buf, size_t n)
{
    snprintf(buf, n, "%s", dm_ctx_errmsg(ctx));
    char *cli = strstr(buf, "; use --repair to fix");
    if (cli)
        *cli = '\0';
    return buf;
}

static int submit(srv_req *rq, srv_resp *rs)
{
    if (srv_need_role(rq, rs, DM_ROLE_FIELD))
        return 0;
    dm_ctx *ctx = rq->t->ctx;
    dm_store *s = rq->t->store;
    srv_report rep;
    dm_status st = srv_report_parse(ctx, rq->body, rq->body_len, &rep);
    if (st)
        return srv_error(rs, st == DM_ENOMEM ? 500 : 422, "%s", rep.err);
    char why[600];
    if (check_report(&rep, why, sizeof why)) {
        srv_report_free(&rep);
        return srv_error(rs, 422, "%s", why);
    }
    /* A report is a draft of the submitter's organisation until reviewed. */
    const char *org = dm_row_get(rep.activity, "organisation");
    if (rq->user.role == DM_ROLE_FIELD || !org || !*org)
        org = rq->user.organisation[0] ? rq->user.organisation : NULL;
    char orgcopy[128] = "";
    if (org)
        snprintf(orgcopy, sizeof orgcopy, "%s", org);
    st = dm_row_set(rep.activity, "status", "draft");
    if (!st)
        st = dm_row_set(rep.activity, "organisation", orgcopy[0] ? orgcopy : NULL);
    if (st) {
        srv_report_free(&rep);
        return srv_fail(rs, rq, st);
    }
    if (!dm_row_get(rep.activity, "activity_type")) {
        srv_report_free(&rep);
        return srv_error(rs, 422, "activity: field 'activity_type': required but missing");
    }
    /* a field user's proposal is of its own organisation, as its report */
    if (rep.hazard && prepare_hazard(&rep, orgcopy[0] ? orgcopy : NULL, rq->user.role == DM_ROLE_FIELD, why,
                                     sizeof why)) {
        srv_report_free(&rep);
        return srv_error(rs, 422, "%s", why);
    }
    char uuid[37] = "", what[40] = "activity";
    if ((st = dm_store_begin(s))) {
        srv_report_free(&rep);
        return srv_fail(rs, rq, st);
    }
    st = dm_store_insert(s, rep.activity, uuid);
    const char *hazard = dm_row_get(rep.activity, "hazard_id");
    char hz[64] = "";
    if (hazard)
        snprintf(hz, sizeof hz, "%s", hazard);
    for (size_t i = 0; !st && i < rep.n_items; i++) {
        snprintf(what, sizeof what, "items[%zu]", i);
        dm_row *it = rep.items[i];
        st = dm_row_set(it, "activity_id", uuid);
        if (!st && hz[0] && !dm_row_get(it, "hazard_id"))
            st = dm_row_set(it, "hazard_id", hz);
        if (!st && !dm_row_get(it, "found_date") && dm_row_get(rep.activity, "end_date"))
            st = dm_row_set(it, "found_date", dm_row_get(rep.activity, "end_date"));
        if (!st)
            st = dm_store_insert(s, it, NULL);
    }
    /* the proposed hazard: checked as its insertion would be (nothing of
     * it stays in the hazards layer), kept aside until the review */
    int proposes = rep.hazard != NULL;
    if (!st && proposes) {
        char *feature = NULL;
        snprintf(what, sizeof what, "hazard");
        st = dm_proposal_check(s, rep.hazard, &feature);
        if (!st)
            st = dm_proposal_put(s, uuid, feature);
        dm_free(ctx, feature);
    }
    if (!st)
        st = dm_store_commit(s);
    size_t n_items = rep.n_items;
    char ref[200] = "";
    if (st == DM_ECONFLICT && !strcmp(what, "activity") && dm_row_get(rep.activity, "ref") &&
        strstr(dm_ctx_errmsg(ctx), "already has ref"))
        snprintf(ref, sizeof ref, "%s", dm_row_get(rep.activity, "ref"));
    srv_report_free(&rep);
    if (st && ref[0] && rq->user.role == DM_ROLE_FIELD) {
        /* the ref taken, perhaps by another organisation's draft, which a
         * field user may not see: its uuid is not said */
        dm_store_rollback(s);
        return srv_error(rs, 409, "activity: field 'ref': '%s' is already the ref of a report or activity: give "
                         "this report another ref", ref);
    }
    if (st) {
        dm_store_rollback(s);
        int code = srv_status_of(st);
        if (code == 400 || code == 404 || st == DM_EINVAL || (proposes && !strcmp(what, "hazard") && code == 409))
            code = 422; /* the report names something that is wrong or unknown (a ref taken) */
        char msg[700];
        return srv_error(rs, code, "%s: %s", what, api_msg(ctx, msg, sizeof msg));
    }
    srv_bump_generation();
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"status\":\"draft\",\"items\":%zu,\"proposes_hazard\":%s}", uuid, n_items,
              proposes ? "true" : "false");
    return srv_jbuf(rs, 201, &b);
}

/* The report's activity row, if the user may see it; 404/403 in rs if not. */
static int load_report(srv_req *rq, srv_resp *rs, const char *id, char uuid[37], char status[16])
{
    dm_status st = dm_store_resolve(rq->t->store, "activities", id, NULL, uuid);
    if (st == DM_ENOTFOUND) {
        srv_error_no_row(rs, "report (activity)", id);
        return 0;
    }
    if (st) {
        srv_fail(rs, rq, st);
        return 0;
    }
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    if ((st = dm_store_select(rq->t->store, "activities", &sel, &c))) {
        srv_fail(rs, rq, st);
        return 0;
    }
    int ok = dm_cursor_next(c) == 1;
    const char *stt = ok ? dm_cursor_text(c, "status") : NULL;
    const char *org = ok ? dm_cursor_text(c, "organisation") : NULL;
    snprintf(status, 16, "%s", stt ? stt : "approved");
    if (ok && rq->user.role < DM_ROLE_ANALYST)
        ok = org && rq->user.organisation[0] && !strcmp(org, rq->user.organisation);
    dm_cursor_free(c);
    if (!ok) { /* another organisation's report: as if there were none */
        srv_error_no_row(rs, "report (activity)", id);
        return 0;
    }
    return 1;
}

/* The hazard a report proposes, as JSON members: "proposed_hazard" (the
 * hazard as a GeoJSON Feature, or null), "proposal_status" ("pending",
 * "applied", "rejected", or null) and "created_hazard" (the uuid of the
 * hazard its approval created, or null). */
static dm_status emit_proposal(srv_req *rq, srv_buf *b, const char *uuid)
{
    dm_proposal p;
    int found = dm_proposal_get(rq->t->store, uuid, 1, &p);
    if (found < 0)
        return DM_ESQL;
    sb_puts(b, ",\"proposed_hazard\":");
    sb_puts(b, found && p.feature ? p.feature : "null");
    sb_puts(b, ",\"proposal_status\":");
    sb_json_str(b, found ? p.status : NULL);
    sb_puts(b, ",\"created_hazard\":");
    sb_json_str(b, found && p.hazard[0] ? p.hazard : NULL);
    dm_proposal_clear(rq->t->store, &p);
    return DM_OK;
}

static int show(srv_req *rq, srv_resp *rs, const char *id)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_role(rq, rs, DM_ROLE_FIELD))
        return 0;
    char uuid[37], status[16];
    if (!load_report(rq, rs, id, uuid, status))
        return 0;
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"activity\":");
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(rq->t->store, "activities", &sel, &c);
    if (!st && dm_cursor_next(c) == 1)
        st = srv_emit_feature(rq, &b, c, dm_layer_find("activities"), 0, 1);
    dm_cursor_free(c);
    c = NULL;
    sb_puts(&b, ",\"items\":{\"type\":\"FeatureCollection\",\"features\":[");
    f[0] = "activity_id";
    if (!st)
        st = dm_store_select(rq->t->store, "items", &sel, &c);
    int n = 0;
    while (!st && dm_cursor_next(c) == 1) {
        if (n++)
            sb_puts(&b, ",");
        st = srv_emit_feature(rq, &b, c, dm_layer_find("items"), 0, 1);
    }
    dm_cursor_free(c);
    sb_puts(&b, "]}");
    if (!st)
        st = emit_proposal(rq, &b, uuid);
    sb_puts(&b, ",\"history\":");
    char *h = NULL;
    if (!st)
        st = dm_store_history_json(rq->t->store, uuid, &h);
    if (h)
        sb_puts(&b, h);
    dm_free(rq->t->ctx, h);
    sb_puts(&b, "}");
    if (st) {
        sb_free(&b);
        return srv_fail(rs, rq, st);
    }
    return srv_jbuf(rs, 200, &b);
}

/* Who sent a report and its last review, from its change log, as JSON
 * members: `"submitted_by"` (the author of its insertion; the row's own
 * "author" is its last writer, the reviewer once reviewed) and
 * `"review":{"status","by","time","reason"}` (the reason as the reviewer
 * wrote it, without the "rejected by NAME: " the log adds; null without
 * one), or `"review":null` when it was never approved or rejected. */
static dm_status emit_review(srv_req *rq, srv_buf *b, const char *uuid)
{
    char *h = NULL;
    dm_status st = dm_store_history_json(rq->t->store, uuid, &h);
    if (st)
        return st;
    json_t *arr = json_loads(h, 0, NULL), *last = NULL, *first = NULL;
    dm_free(rq->t->ctx, h);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *op = json_string_value(json_object_get(e, "op"));
        if (!first && op && !strcmp(op, "insert"))
            first = e;
        const char *to = json_string_value(json_object_get(json_object_get(e, "new"), "status"));
        if (op && !strcmp(op, "update") && to && (!strcmp(to, "approved") || !strcmp(to, "rejected")))
            last = e;
    }
    sb_puts(b, ",\"submitted_by\":");
    sb_json_str(b, first ? json_string_value(json_object_get(first, "author")) : NULL);
    if (!last) {
        sb_puts(b, ",\"review\":null");
        json_decref(arr);
        return DM_OK;
    }
    const char *to = json_string_value(json_object_get(json_object_get(last, "new"), "status"));
    const char *by = json_string_value(json_object_get(last, "author"));
    const char *why = json_string_value(json_object_get(last, "reason"));
    /* "rejected by ana: the polygon is outside the task" -> the reviewer's words */
    if (why && by) {
        size_t nt = strlen(to), nb = strlen(by);
        if (!strncmp(why, to, nt) && !strncmp(why + nt, " by ", 4) && !strncmp(why + nt + 4, by, nb)) {
            const char *rest = why + nt + 4 + nb;
            if (!*rest)
                why = NULL;
            else if (!strncmp(rest, ": ", 2))
                why = rest + 2;
        }
    }
    sb_puts(b, ",\"review\":{\"status\":");
    sb_json_str(b, to);
    sb_puts(b, ",\"by\":");
    sb_json_str(b, by);
    sb_puts(b, ",\"time\":");
    sb_json_str(b, json_string_value(json_object_get(last, "time")));
    sb_puts(b, ",\"reason\":");
    sb_json_str(b, why && *why ? why : NULL);
    sb_puts(b, "}");
    json_decref(arr);
    return DM_OK;
}

static int list(srv_req *rq, srv_resp *rs)
{
    if (srv_need_role(rq, rs, DM_ROLE_FIELD))
        return 0;
    const char *want = srv_arg(rq, "status");
    if (!want)
        want = "draft";
    if (strcmp(want, "draft") && strcmp(want, "approved") && strcmp(want, "rejected") &&
        strcmp(want, "all"))
        return srv_error(rs, 400, "status: draft, approved, rejected or all");
    const char *f[2], *v[2];
    size_t n_eq = 0;
    if (strcmp(want, "all")) {
        f[n_eq] = "status";
        v[n_eq++] = want;
    }
    /* mine=1: the user's organisation's reports only, whatever the role (a
     * field user sees no other's anyway) */
    const char *mine = srv_arg(rq, "mine");
    if (mine && strcmp(mine, "0") && strcmp(mine, "1"))
        return srv_error(rs, 400, "mine: 0 or 1 (got '%.40s')", mine);
    if (rq->user.role < DM_ROLE_ANALYST || (mine && !strcmp(mine, "1"))) {
        f[n_eq] = "organisation";
        v[n_eq++] = rq->user.organisation;
    }
    /* paged like the layers: a queue of years of approved reports is long */
    long limit = 1000, offset = 0, total = -1;
    const char *a;
    if ((a = srv_arg(rq, "limit")) && !srv_parse_long(a, 1, 10000, &limit))
        return srv_error(rs, 400, "limit: a whole number 1-10000");
    if ((a = srv_arg(rq, "offset")) && !srv_parse_long(a, 0, 1000000000L, &offset))
        return srv_error(rs, 400, "offset: a whole number 0-1000000000");
    /* order=newest: the last stored first (a team's list opens on what it
     * sent last, however long its past), paged from that end */
    int newest = 0;
    if ((a = srv_arg(rq, "order"))) {
        if (strcmp(a, "oldest") && strcmp(a, "newest"))
            return srv_error(rs, 400, "order: oldest (the default) or newest (got '%.40s')", a);
        newest = !strcmp(a, "newest");
    }
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = n_eq;
    dm_status st = dm_store_count(rq->t->store, "activities", &sel, &total);
    if (st)
        return srv_fail(rs, rq, st);
    sel.limit = limit;
    sel.offset = offset;
    if (newest) { /* rows [total - offset - limit, total - offset) of the stored order, turned round */
        long end = total - offset;
        sel.offset = end > limit ? end - limit : 0;
        sel.limit = end > 0 ? end - sel.offset : 0;
    }
    dm_cursor *c = NULL;
    if (sel.limit > 0 && (st = dm_store_select(rq->t->store, "activities", &sel, &c)))
        return srv_fail(rs, rq, st);
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    size_t *at = newest && sel.limit > 0 ? malloc((size_t)sel.limit * sizeof *at) : NULL; /* where each begins */
    if (newest && sel.limit > 0 && !at) {
        dm_cursor_free(c);
        sb_free(&b);
        return srv_json(rs, 500, NULL);
    }
    int n = 0;
    while (!st && c && dm_cursor_next(c) == 1) {
        if (at && n < sel.limit)
            at[n] = b.len + (n > 0);
        if (n++)
            sb_puts(&b, ",");
        st = srv_emit_feature(rq, &b, c, dm_layer_find("activities"), 0, 1);
        /* the feature's closing brace gives way to its review */
        if (!st && !b.oom && b.len && b.data[b.len - 1] == '}') {
            b.len--;
            /* and the hazard it proposes, if any (its state) */
            dm_proposal p;
            int found = dm_proposal_get(rq->t->store, dm_cursor_uuid(c), 0, &p);
            if (found < 0)
                st = DM_ESQL;
            sb_printf(&b, ",\"proposes_hazard\":%s", found > 0 ? "true" : "false");
            if (found > 0) {
                sb_puts(&b, ",\"proposal_status\":");
                sb_json_str(&b, p.status);
            }
            if (!st)
                st = emit_review(rq, &b, dm_cursor_uuid(c));
            sb_puts(&b, "}");
        }
    }
    dm_cursor_free(c);
    if (at && !st && !b.oom && n > 1 && n <= sel.limit) { /* the features the other way round */
        srv_buf r;
        sb_init(&r);
        size_t head = at[0], tail = b.len;
        sb_add(&r, b.data, head);
        for (int i = n - 1; i >= 0; i--) {
            size_t from = at[i], to = i == n - 1 ? tail : at[i + 1] - 1; /* without the comma */
            if (i != n - 1)
                sb_puts(&r, ",");
            sb_add(&r, b.data + from, to - from);
        }
        sb_free(&b);
        b = r; /* out of memory: srv_jbuf's 500 */
    }
    free(at);
    sb_printf(&b, "],\"count\":%d,\"offset\":%ld,\"limit\":%ld,\"total\":%ld", n, offset, limit,
              total);
    if (offset + n < total)
        sb_printf(&b, ",\"next_offset\":%ld", offset + n);
    sb_puts(&b, "}");
    if (st) {
        sb_free(&b);
        return srv_fail(rs, rq, st);
    }
    return srv_jbuf(rs, 200, &b);
}

/* Approve or reject a report. The review's rules (a draft only, its status
 * read inside the write transaction, a rejection's reason, the change-log
 * reason "approved by NAME: text", the hazard the report proposes created or
 * rejected in the same transaction) are the library's (dm_report_review),
 * as `demine reports approve|reject` applies them; here are the HTTP side's:
 * the role (an analyst or an admin, who sees every organisation's reports),
 * the answer, the generation and the risk map's refresh. */
static int review(srv_req *rq, srv_resp *rs, const char *id, int approve)
{
    if (!srv_method_is(rq, rs, "POST") || srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    int bad = 0;
    char *reason = srv_json_get_str(rq->body, rq->body_len, "reason", &bad);
    if (bad) {
        free(reason);
        return srv_error(rs, 400, "%s; expected a JSON body {\"reason\": \"...\"}",
                         bad == 2 ? "reason: expected a string" : "the body is not a JSON object");
    }
    dm_store *s = rq->t->store;
    dm_report_review_result res;
    dm_status st = dm_report_review(s, id, approve, rq->user.name, reason, &res);
    int given = reason != NULL;
    free(reason);
    if (st) {
        char msg[800];
        switch (res.refused) {
        case DM_REVIEW_NO_REASON:
            return srv_error(rs, 400,
                             "reason: a rejection needs a reason%s: {\"reason\": \"why it is "
                             "rejected\"}",
                             given ? " (it was empty or white space only)" : "");
        case DM_REVIEW_LONG_REASON: return srv_error(rs, 400, "reason: at most %d characters", DM_REPORT_REASON_MAX);
        case DM_REVIEW_NOT_DRAFT:
            return srv_error(rs, 409, "report %s is %s, not a draft awaiting review", res.uuid, res.status);
        case DM_REVIEW_PROPOSAL:
            /* the hazard can no longer be made (its ref taken since): nothing changed */
            return srv_error(rs, st == DM_ECONFLICT ? 409 : 422, "%s", api_msg(rq->t->ctx, msg, sizeof msg));
        default: return srv_fail(rs, rq, st);
        }
    }
    srv_bump_generation();
    /* an approved report is new evidence: refresh the risk map if there is one */
    char *opts = NULL;
    int refreshing = 0;
    if (approve && dm_store_meta_get(s, "risk_map_options", &opts) == DM_OK && opts)
        refreshing = srv_refresh_request(rq->cfg->db, "report approved", rq->user.name) >= 0;
    dm_free(rq->t->ctx, opts);
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"status\":\"%s\",\"reason\":", res.uuid, res.status);
    sb_json_str(&b, res.reason);
    sb_puts(&b, ",\"created_hazard\":");
    sb_json_str(&b, res.hazard[0] ? res.hazard : NULL);
    sb_printf(&b, ",\"risk_refresh\":%s}", refreshing ? "true" : "false");
    return srv_jbuf(rs, 200, &b);
}

/* Withdraw a draft (POST /api/reports/{id}/withdraw with {"reason"}): a
 * field team takes back a report sent by mistake. Deleted with its items by
 * the library (dm_report_withdraw: logged, one transaction, a draft only,
 * its status read inside the transaction); a field user withdraws the
 * reports it sent (others of its organisation: 403; of another, 404 as
 * for reading them), an analyst or an admin any draft. */
static int withdraw(srv_req *rq, srv_resp *rs, const char *id)
{
    if (!srv_method_is(rq, rs, "POST") || srv_need_role(rq, rs, DM_ROLE_FIELD))
        return 0;
    int bad = 0;
    char *reason = srv_json_get_str(rq->body, rq->body_len, "reason", &bad);
    if (bad) {
        free(reason);
        return srv_error(rs, 400, "%s; expected a JSON body {\"reason\": \"...\"}",
                         bad == 2 ? "reason: expected a string" : "the body is not a JSON object");
    }
    char uuid[37], status[16];
    if (!load_report(rq, rs, id, uuid, status)) {
        free(reason);
        return 0;
    }
    dm_report_withdraw_result res;
    dm_status st = dm_report_withdraw(rq->t->store, uuid, rq->user.name,
                                      rq->user.role < DM_ROLE_ANALYST ? rq->user.name : NULL, reason, &res);
    int given = reason != NULL;
    free(reason);
    if (st) {
        switch (res.refused) {
        case DM_REVIEW_NO_REASON:
            return srv_error(rs, 400,
                             "reason: a withdrawal needs a reason%s: {\"reason\": \"why the report is "
                             "withdrawn\"}",
                             given ? " (it was empty or white space only)" : "");
        case DM_REVIEW_LONG_REASON: return srv_error(rs, 400, "reason: at most %d characters", DM_REPORT_REASON_MAX);
        case DM_REVIEW_NOT_DRAFT:
            return srv_error(rs, 409, "report %s is %s, not a draft: a reviewed report is not withdrawn", res.uuid,
                             res.status);
        case DM_REVIEW_NOT_SUBMITTER:
            return srv_error(rs, 403, "report %s was sent by %s: only its sender, an analyst or an admin withdraws it",
                             res.uuid, res.sent_by[0] ? res.sent_by : "another tool");
        default: return srv_fail(rs, rq, st);
        }
    }
    srv_bump_generation();
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"uuid\":\"%s\",\"status\":\"withdrawn\",\"reason\":", res.uuid);
    sb_json_str(&b, res.reason);
    sb_printf(&b, ",\"items\":%zu,\"proposal_withdrawn\":%s}", res.n_items, res.proposal ? "true" : "false");
    return srv_jbuf(rs, 200, &b);
}

int srv_handle_reports(srv_req *rq, srv_resp *rs, char seg[][SRV_SEG], int n)
{
    if (n == 2) {
        if (!strcmp(rq->method, "POST"))
            return submit(rq, rs);
        if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD"))
            return list(rq, rs);
        rs->allow = "GET, HEAD, POST";
        return srv_error(rs, 405, "use GET to list reports or POST to submit one");
    }
    if (n == 3)
        return show(rq, rs, seg[2]);
    if (n == 4 && !strcmp(seg[3], "approve"))
        return review(rq, rs, seg[2], 1);
    if (n == 4 && !strcmp(seg[3], "reject"))
        return review(rq, rs, seg[2], 0);
    if (n == 4 && !strcmp(seg[3], "withdraw"))
        return withdraw(rq, rs, seg[2]);
    return srv_error(rs, 404, "no such report endpoint");
}
