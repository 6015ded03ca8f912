/* SPDX-License-Identifier: MIT
 *
 * store_reports.c -- the review of a field report (an activity submitted as a
 * draft, with its items and perhaps a proposed hazard): approval or rejection,
 * with a reason, attributed to the reviewer, in one write transaction. The
 * server's review queue and `demine reports` both decide through here, so
 * that the rules are the same whoever reviews: a draft only, its status read
 * inside the transaction (two reviewers at once: the first decision stands),
 * a rejection needs a reason, the change log says "approved by NAME: text",
 * and the hazard a report proposes is created on approval (or marked
 * rejected) in the same transaction. A draft sent by mistake is withdrawn
 * with its items and proposal; while rows of other layers name it (release
 * areas, hazard links added to it) it is not, and the refusal names them.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The activity's status (NULL, an activity never submitted as a report,
 * reads "approved", as the review queue has always read it) and ref into
 * status and ref. DM_ENOTFOUND when the row is gone. */
static dm_status read_report(dm_store *s, const char *uuid, char status[16], char *ref, size_t n_ref)
{
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "activities", &sel, &c);
    if (st)
        return st;
    int rc = dm_cursor_next(c);
    if (rc == 1) {
        const char *stt = dm_cursor_text(c, "status"), *r = dm_cursor_text(c, "ref");
        snprintf(status, 16, "%s", stt ? stt : "approved");
        snprintf(ref, n_ref, "%s", r ? r : "");
    }
    dm_cursor_free(c);
    if (rc < 0)
        return DM_ESQL;
    if (rc == 0)
        return dm__fail(s->ctx, DM_ENOTFOUND, "no report %s", uuid);
    return DM_OK;
}

/* A refusal of the data (the caller's, or what the report holds) as opposed
 * to a failure of the database. */
static int refusal(dm_status st)
{
    return st == DM_EINVAL || st == DM_EPARSE || st == DM_ENOTFOUND || st == DM_ECONFLICT || st == DM_EGEOM;
}

dm_status dm_report_review(dm_store *s, const char *id, int approve, const char *reviewer, const char *reason,
                           dm_report_review_result *out)
{
    dm_report_review_result spare;
    if (!out)
        out = &spare;
    memset(out, 0, sizeof *out);
    out->refused = DM_REVIEW_FAILED;
    if (!s)
        return DM_EINVAL;
    if (!reviewer || !*reviewer)
        reviewer = dm_ctx_author(s->ctx);
    /* the reason, trimmed: a rejection needs one, an approval's of white
     * space only is none */
    char *text = NULL;
    if (reason) {
        text = dm_strdup(s->ctx, reason);
        if (!text)
            return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        dm_text_trim(text);
    }
    const char *who = id && *id ? id : "(none)";
    if (!approve && (!text || !*text)) {
        out->refused = DM_REVIEW_NO_REASON;
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_EINVAL, "report %s: a rejection needs a reason%s", who,
                        reason ? " (it was empty or white space only)" : "");
    }
    if (text && strlen(text) > DM_REPORT_REASON_MAX) {
        out->refused = DM_REVIEW_LONG_REASON;
        size_t len = strlen(text);
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_EINVAL, "report %s: the reason is %zu characters long, at most %d are kept",
                        who, len, DM_REPORT_REASON_MAX);
    }
    const char *verdict = approve ? "approved" : "rejected";
    size_t n_why = strlen(verdict) + strlen(reviewer) + (text ? strlen(text) : 0) + 8;
    char *why = dm_malloc(s->ctx, n_why);
    if (!why) {
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    snprintf(why, n_why, "%s by %s%s%s", verdict, reviewer, text && *text ? ": " : "", text ? text : "");
    dm_free(s->ctx, text);
    snprintf(out->reason, sizeof out->reason, "%s", why);

    dm_row *r = dm_row_new(s->ctx, dm_layer_find("activities"));
    dm_status st = r ? dm_row_set(r, "status", verdict) : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    /* The status is read inside the write transaction (BEGIN IMMEDIATE):
     * two reviewers deciding the same draft at once are serialised, and the
     * second is told it is no longer a draft instead of overwriting the
     * first's decision. */
    if (!st)
        st = dm_store_begin(s);
    if (st) {
        dm_row_free(r);
        dm_free(s->ctx, why);
        return st;
    }
    char status[16] = "", ref[200] = "";
    st = dm_store_resolve(s, "activities", id, NULL, out->uuid);
    if (st == DM_ENOTFOUND)
        dm__fail(s->ctx, st, "no report (activity) with id or ref '%s'", id);
    if (!st)
        st = read_report(s, out->uuid, status, ref, sizeof ref);
    if (st) {
        if (st == DM_ENOTFOUND || st == DM_EINVAL || st == DM_ECONFLICT)
            out->refused = DM_REVIEW_NOT_FOUND; /* no such report, or an id naming several */
        goto done;
    }
    snprintf(out->status, sizeof out->status, "%s", status);
    snprintf(out->ref, sizeof out->ref, "%s", ref);
    if (strcmp(status, "draft")) {
        out->refused = DM_REVIEW_NOT_DRAFT;
        st = dm__fail(s->ctx, DM_ECONFLICT, "report %s is %s, not a draft awaiting review", out->uuid, status);
        goto done;
    }
    /* the hazard the report proposes: created on approval (attributed to
     * the context's author, the activity and items pointed at it), none on
     * rejection; a hazard that can no longer be made (its ref taken since)
     * refuses the approval, nothing changed */
    if (approve) {
        dm_proposal p;
        int found = dm_proposal_get(s, out->uuid, 0, &p);
        if (found < 0) {
            st = DM_ESQL;
            goto done;
        }
        size_t n_hz = strlen(ref) + strlen(p.author) + strlen(reviewer) + 120;
        char *hz_why = dm_malloc(s->ctx, n_hz);
        if (!hz_why) {
            st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        /* "proposed in report REF (or uuid) by SUBMITTER, approved by REVIEWER" */
        snprintf(hz_why, n_hz, "proposed in report %s by %s, approved by %s", ref[0] ? ref : out->uuid,
                 found && p.author[0] ? p.author : "(unknown)", reviewer);
        st = dm_proposal_apply(s, out->uuid, hz_why, out->hazard);
        dm_free(s->ctx, hz_why);
        if (st) {
            out->hazard[0] = '\0';
            if (refusal(st)) {
                out->refused = DM_REVIEW_PROPOSAL;
                dm__wrap(s->ctx, "report %s is not approved (nothing changed)", out->uuid);
            }
            goto done;
        }
    } else if ((st = dm_proposal_reject(s, out->uuid)))
        goto done;
    st = dm_store_update(s, out->uuid, r, why);
    if (!st)
        st = dm_store_commit(s);
done:
    if (st) {
        dm_store_rollback(s); /* a failed commit leaves the transaction open */
        out->hazard[0] = '\0';
    } else {
        out->refused = DM_REVIEW_DONE;
        snprintf(out->status, sizeof out->status, "%s", verdict);
    }
    dm_row_free(r);
    dm_free(s->ctx, why);
    return st;
}

/* ============================== withdrawal ============================== */

/* The author of uuid's first insertion in the change log into sender ("" when
 * the log has none: a row written by another tool). */
static dm_status sender_of(dm_store *s, const char *uuid, char *sender, size_t n)
{
    sender[0] = '\0';
    sqlite3_stmt *q = NULL;
    dm_status st = dm__sql_prepare(
        s, "SELECT author FROM change_log WHERE uuid = ?1 AND op = 'insert' ORDER BY seq LIMIT 1", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(q, 0);
        snprintf(sender, n, "%s", a ? a : "");
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "change log");
}

/* The rows a withdrawal names, at most. */
#define WITHDRAW_NAMED 5

/* The rows of layer rl whose field f names target, appended to msg (the
 * first WITHDRAW_NAMED of all, by layer, uuid, ref and last writer; "of
 * item X" when target is one of the report's items) and counted in *n. */
static dm_status rows_naming(dm_store *s, const dm_layer_def *rl, const dm_field_def *f, const char *target,
                             int is_item, dm_buf *msg, long *n)
{
    const char *ff[1] = {f->name}, *vv[1] = {target};
    dm_select sel = {0};
    sel.eq_field = ff;
    sel.eq_value = vv;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, rl->name, &sel, &c);
    if (st)
        return st;
    int rc, has_ref = dm_field_find(rl, "ref") != NULL;
    while ((rc = dm_cursor_next(c)) == 1) {
        if ((*n)++ >= WITHDRAW_NAMED)
            continue;
        const char *ref = has_ref ? dm_cursor_text(c, "ref") : NULL, *author = dm_cursor_text(c, "author");
        dm__buf_printf(msg, "%s%s %s", *n > 1 ? ", " : "", rl->name, dm_cursor_uuid(c));
        if (ref && *ref)
            dm__buf_printf(msg, " (%s)", ref);
        if (is_item)
            dm__buf_printf(msg, " of its item %.8s", target);
        if (author && *author)
            dm__buf_printf(msg, " by %s", author);
    }
    dm_cursor_free(c);
    return rc < 0 ? DM_ESQL : DM_OK;
}

/* Refuse (DM_ECONFLICT) the withdrawal of the report activity (ref, or
 * uuid when it has none), whose items are items[n_items], while rows of
 * other layers point at it: those naming the activity but its items (the
 * land it released and the hazards it worked on, which an analyst, an
 * import or QGIS added: no part of what was sent, and not put back with it
 * by a restoration) and those naming an item that do not go with the item
 * (dm__goes_with_it). The message names them (layer, uuid, ref, last
 * writer) and what to do. */
static dm_status refuse_pointed_at(dm_store *s, const char *activity, const char *ref, char (*items)[37],
                                   size_t n_items)
{
    const dm_layer_def *item_layer = dm_layer_find("items");
    dm_buf msg;
    dm__buf_init(&msg);
    long n = 0;
    dm_status st = DM_OK;
    for (size_t i = 0; i < dm_layer_count() && !st; i++) {
        const dm_layer_def *rl = dm_layer_at(i);
        for (size_t k = 0; k < rl->n_fields && !st; k++) {
            const dm_field_def *f = &rl->fields[k];
            if (f->type != DM_FT_REF || !f->ref_layer)
                continue;
            if (!strcmp(f->ref_layer, "activities") && rl != item_layer)
                st = rows_naming(s, rl, f, activity, 0, &msg, &n);
            else if (!strcmp(f->ref_layer, "items") && !dm__goes_with_it(item_layer, rl))
                for (size_t j = 0; j < n_items && !st; j++)
                    st = rows_naming(s, rl, f, items[j], 1, &msg, &n);
        }
    }
    if (!st && msg.oom)
        st = dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    if (!st && n > 0) {
        char more[48] = "";
        if (n > WITHDRAW_NAMED)
            snprintf(more, sizeof more, " and %ld more", n - WITHDRAW_NAMED);
        st = dm__fail(s->ctx, DM_ECONFLICT,
                      "report %s is not withdrawn: %ld %s at it: %s%s. A withdrawal takes the report (its "
                      "activity, its items and the hazard it proposes), not the rows of other layers that name "
                      "it; delete %s or point %s at another activity (an analyst or an admin may), then withdraw "
                      "it again. Nothing changed",
                      ref[0] ? ref : activity, n, n == 1 ? "row of another layer points" : "rows of other layers point",
                      msg.data, more, n == 1 ? "it" : "them", n == 1 ? "it" : "them");
    }
    dm__buf_free(&msg);
    return st;
}

dm_status dm_report_withdraw(dm_store *s, const char *id, const char *by, const char *sender, const char *reason,
                             dm_report_withdraw_result *out)
{
    dm_report_withdraw_result spare;
    if (!out)
        out = &spare;
    memset(out, 0, sizeof *out);
    out->refused = DM_REVIEW_FAILED;
    if (!s)
        return DM_EINVAL;
    if (!by || !*by)
        by = dm_ctx_author(s->ctx);
    const char *who = id && *id ? id : "(none)";
    char *text = reason ? dm_strdup(s->ctx, reason) : NULL;
    if (reason && !text)
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    if (text)
        dm_text_trim(text);
    if (!text || !*text) {
        out->refused = DM_REVIEW_NO_REASON;
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_EINVAL, "report %s: a withdrawal needs a reason%s", who,
                        reason ? " (it was empty or white space only)" : "");
    }
    if (strlen(text) > DM_REPORT_REASON_MAX) {
        out->refused = DM_REVIEW_LONG_REASON;
        size_t len = strlen(text);
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_EINVAL, "report %s: the reason is %zu characters long, at most %d are kept",
                        who, len, DM_REPORT_REASON_MAX);
    }
    size_t n_why = strlen(by) + strlen(text) + 20;
    char *why = dm_malloc(s->ctx, n_why);
    if (!why) {
        dm_free(s->ctx, text);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    snprintf(why, n_why, "withdrawn by %s: %s", by, text);
    dm_free(s->ctx, text);
    snprintf(out->reason, sizeof out->reason, "%s", why);

    /* status and sender read inside the write transaction, as a review's */
    dm_status st = dm_store_begin(s);
    if (st) {
        dm_free(s->ctx, why);
        return st;
    }
    char status[16] = "", ref[200] = "";
    char(*items)[37] = NULL;
    size_t n = 0;
    st = dm_store_resolve(s, "activities", id, NULL, out->uuid);
    if (st == DM_ENOTFOUND)
        dm__fail(s->ctx, st, "no report (activity) with id or ref '%s'", id);
    if (!st)
        st = read_report(s, out->uuid, status, ref, sizeof ref);
    if (st) {
        if (st == DM_ENOTFOUND || st == DM_EINVAL || st == DM_ECONFLICT)
            out->refused = DM_REVIEW_NOT_FOUND;
        goto done;
    }
    snprintf(out->status, sizeof out->status, "%s", status);
    snprintf(out->ref, sizeof out->ref, "%s", ref);
    if ((st = sender_of(s, out->uuid, out->sent_by, sizeof out->sent_by)))
        goto done;
    if (strcmp(status, "draft")) {
        out->refused = DM_REVIEW_NOT_DRAFT;
        st = dm__fail(s->ctx, DM_ECONFLICT, "report %s is %s, not a draft: a reviewed report is not withdrawn",
                      out->uuid, status);
        goto done;
    }
    if (sender && strcmp(sender, out->sent_by)) {
        out->refused = DM_REVIEW_NOT_SUBMITTER;
        st = dm__fail(s->ctx, DM_EFORBIDDEN, "report %s was sent by %s: only its sender or a reviewer withdraws it",
                      out->uuid, out->sent_by[0] ? out->sent_by : "another tool (the change log names no sender)");
        goto done;
    }
    dm_proposal p;
    int found = dm_proposal_get(s, out->uuid, 0, &p);
    if (found < 0) {
        st = DM_ESQL;
        goto done;
    }
    out->proposal = found && !strcmp(p.status, "pending");
    /* the items first (they point at the activity), each logged with the
     * same reason: a restoration of the activity knows them by it */
    if ((st = dm__activity_rows(s, "items", out->uuid, 0, &items, &n)))
        goto done;
    /* rows of other layers naming the report (a release area, a hazard
     * link) stop it, named: nothing is deleted by the way */
    if ((st = refuse_pointed_at(s, out->uuid, ref, items, n)))
        goto done;
    for (size_t i = 0; !st && i < n; i++)
        st = dm_store_delete(s, "items", items[i], why);
    if (!st)
        st = dm_store_delete(s, "activities", out->uuid, why);
    if (st) {
        dm__wrap(s->ctx, "report %s is not withdrawn (nothing changed)", out->uuid);
        goto done;
    }
    out->n_items = n;
    st = dm_store_commit(s);
done:
    free(items);
    if (st) {
        dm_store_rollback(s);
        out->n_items = 0;
        out->proposal = 0;
    } else {
        out->refused = DM_REVIEW_DONE;
        snprintf(out->status, sizeof out->status, "withdrawn");
    }
    dm_free(s->ctx, why);
    return st;
}
