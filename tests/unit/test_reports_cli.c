/* SPDX-License-Identifier: MIT
 *
 * test_reports_cli.c -- the review of field reports outside the server: the
 * library's dm_report_review (a draft only, a rejection's reason, the change
 * log's "approved by NAME: text", a proposed hazard created on approval or
 * refused with nothing changed when its ref is taken), its dm_report_withdraw
 * (a draft only, by its sender or a reviewer, its items and proposal deleted
 * and logged, all brought back by dm_store_restore of the activity) and
 * `demine reports` (list, show, approve, reject, withdraw) on the small demo's
 * draft and on a database with a report that proposes a hazard.
 */
#include "dmtest.h"

#include <jansson.h>

/* ============================== fixture ============================== */

static void insert_row(dm_store *s, const char *layer, const char *wkt, const char **kv, char uuid[37])
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    for (int i = 0; kv[i]; i += 2)
        ASSERT_OK(dm_row_set(r, kv[i], kv[i + 1]));
    if (wkt) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        dm_row_set_geom(r, g);
    }
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
}

/* A database with hazard H-1 and a draft report NTS-7 of HALO sent by fld:
 * an activity, two items (one in H-1), and, when propose, a proposed hazard
 * ref (the "Upper orchard"). The activity's uuid in act. */
static const char *report_db(int propose, const char *ref, char act[37])
{
    dm_ctx *ctx = dmtest_ctx();
    const char *path = dmtest_path("r.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, path, DM_STORE_CREATE, &s));
    char h1[37], u[37];
    const char *hz[] = {"ref", "H-1", "hazard_type", "CHA", "status", "open", NULL};
    insert_row(s, "hazards", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", hz, h1);
    ASSERT_OK(dm_ctx_set_author(ctx, "fld"));
    ASSERT_OK(dm_store_begin(s));
    const char *a[] = {"ref", "NTS-7", "activity_type", "nts", "status", "draft", "organisation", "HALO",
                       "start_date", "2025-06-01", "end_date", "2025-06-03", NULL};
    insert_row(s, "activities", "POLYGON((46.95 39.95, 46.96 39.95, 46.96 39.96, 46.95 39.96, 46.95 39.95))", a,
               act);
    const char *i1[] = {"category", "AP", "model", "PMN-2", "activity_id", act, "found_date", "2025-06-02", NULL};
    insert_row(s, "items", "POINT(46.952 39.952)", i1, u);
    const char *i2[] = {"category", "AT", "model", "TM-62M", "activity_id", act, "hazard_id", h1, NULL};
    insert_row(s, "items", "POINT(46.905 39.905)", i2, u);
    if (propose) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
        ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
        ASSERT_OK(dm_row_set(r, "name", "Upper orchard"));
        ASSERT_OK(dm_row_set(r, "ref", ref));
        ASSERT_OK(dm_row_set(r, "organisation", "HALO"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(
            ctx, "POLYGON((46.951 39.951, 46.954 39.951, 46.954 39.954, 46.951 39.954, 46.951 39.951))", &g));
        dm_row_set_geom(r, g);
        char *feature = NULL;
        ASSERT_OK(dm_proposal_check(s, r, &feature));
        ASSERT_OK(dm_proposal_put(s, act, feature));
        dm_free(ctx, feature);
        dm_row_free(r);
    }
    ASSERT_OK(dm_store_commit(s));
    dm_store_close(s);
    ASSERT_OK(dm_ctx_set_author(ctx, "tester"));
    return path;
}

/* The activity's status, hazard_id (or "") into the buffers. */
static void activity_state(dm_store *s, const char *uuid, char status[16], char hazard[37])
{
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "activities", &sel, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    const char *st = dm_cursor_text(c, "status"), *hz = dm_cursor_text(c, "hazard_id");
    snprintf(status, 16, "%s", st ? st : "");
    snprintf(hazard, 37, "%s", hz ? hz : "");
    dm_cursor_free(c);
}

static long count(dm_store *s, const char *layer, const char *field, const char *value)
{
    const char *f[1] = {field}, *v[1] = {value};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = field ? 1 : 0;
    long n = -1;
    ASSERT_OK(dm_store_count(s, layer, &sel, &n));
    return n;
}

/* ============================== the library ============================== */

TEST(report_review_approves_once_and_applies_the_proposal)
{
    dm_ctx *ctx = dmtest_ctx();
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT_OK(dm_ctx_set_author(ctx, "ana"));
    dm_report_review_result res;
    ASSERT_OK(dm_report_review(s, "nts-7", 1, NULL, "  checked on site \n", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_DONE);
    ASSERT_STREQ(res.uuid, act);
    ASSERT_STREQ(res.ref, "NTS-7");
    ASSERT_STREQ(res.status, "approved");
    ASSERT_STREQ(res.reason, "approved by ana: checked on site");
    ASSERT_EQ(strlen(res.hazard), 36);
    char status[16], hz[37];
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "approved");
    ASSERT_STREQ(hz, res.hazard);
    /* the item without a hazard points at the new one; the one in H-1 stays */
    ASSERT_EQ(count(s, "items", "hazard_id", res.hazard), 1);
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 2);
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);
    ASSERT_STREQ(p.status, "applied");
    ASSERT_STREQ(p.decided_by, "ana");
    char *h = NULL;
    ASSERT_OK(dm_store_history_json(s, res.hazard, &h));
    ASSERT_CONTAINS(h, "proposed in report NTS-7 by fld, approved by ana");
    dm_free(ctx, h);
    ASSERT_OK(dm_store_history_json(s, act, &h));
    ASSERT_CONTAINS(h, "\"reason\":\"approved by ana: checked on site\"");
    dm_free(ctx, h);
    /* a second review, either way, is refused and changes nothing */
    ASSERT_STATUS(DM_ECONFLICT, dm_report_review(s, act, 0, "bob", "too late", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NOT_DRAFT);
    ASSERT_STREQ(res.status, "approved");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "is approved, not a draft awaiting review");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), act);
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "approved");
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 2);
    dm_store_close(s);
}

TEST(report_review_refusals_name_the_report_and_change_nothing)
{
    dm_ctx *ctx = dmtest_ctx();
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_report_review_result res;
    /* a rejection without a reason, or with white space only */
    ASSERT_STATUS(DM_EINVAL, dm_report_review(s, "NTS-7", 0, "ana", NULL, &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NO_REASON);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "report NTS-7: a rejection needs a reason");
    ASSERT_STATUS(DM_EINVAL, dm_report_review(s, "NTS-7", 0, "ana", " \t\n", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NO_REASON);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "white space only");
    /* a reason too long */
    char *longr = malloc(DM_REPORT_REASON_MAX + 2);
    memset(longr, 'x', DM_REPORT_REASON_MAX + 1);
    longr[DM_REPORT_REASON_MAX + 1] = '\0';
    ASSERT_STATUS(DM_EINVAL, dm_report_review(s, "NTS-7", 1, "ana", longr, &res));
    ASSERT_EQ(res.refused, DM_REVIEW_LONG_REASON);
    longr[DM_REPORT_REASON_MAX] = '\0'; /* 2000 is allowed */
    /* no such report */
    ASSERT_STATUS(DM_ENOTFOUND, dm_report_review(s, "NTS-99", 1, "ana", NULL, &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NOT_FOUND);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "NTS-99");
    /* the proposed hazard's ref taken since: the approval is refused, the
     * report stays a draft, its proposal pending */
    const char *kv[] = {"ref", "H-NEW", "hazard_type", "SHA", NULL};
    char taken[37];
    insert_row(s, "hazards", "POLYGON((46.80 39.80, 46.81 39.80, 46.81 39.81, 46.80 39.81, 46.80 39.80))", kv, taken);
    ASSERT_STATUS(DM_ECONFLICT, dm_report_review(s, "NTS-7", 1, "ana", longr, &res));
    ASSERT_EQ(res.refused, DM_REVIEW_PROPOSAL);
    ASSERT_EQ(res.hazard[0], '\0');
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "is not approved (nothing changed)");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "H-NEW");
    char status[16], hz[37];
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "draft");
    ASSERT_STREQ(hz, "");
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 2);
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);
    ASSERT_STREQ(p.status, "pending");
    /* a rejection with the longest reason: no hazard, the proposal rejected */
    ASSERT_OK(dm_report_review(s, act, 0, "ana", longr, &res));
    ASSERT_EQ(strlen(res.reason), strlen("rejected by ana: ") + DM_REPORT_REASON_MAX);
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "rejected");
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 2);
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);
    ASSERT_STREQ(p.status, "rejected");
    free(longr);
    dm_store_close(s);
}

/* ============================== the command line ============================== */

TEST(reports_cli_lists_and_approves_the_demo_draft)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "reports '%s'", db), 0);
    ASSERT_CONTAINS(out, "REPORT");
    ASSERT_CONTAINS(out, "2 draft reports awaiting review");
    {   /* the next command to type names this database, not 'DB' */
        char next[1200];
        snprintf(next, sizeof next, "`demine reports %s show ID`", db);
        ASSERT_CONTAINS(out, next);
    }
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "reports '%s' list --json", db), 0);
    json_t *j = json_loads(out, 0, NULL);
    ASSERT(j);
    ASSERT_EQ(json_integer_value(json_object_get(j, "count")), 2);
    json_t *r = json_array_get(json_object_get(j, "reports"), 0);
    ASSERT_STREQ(json_string_value(json_object_get(r, "status")), "draft");
    ASSERT(json_is_null(json_object_get(r, "review")));
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%s", json_string_value(json_object_get(r, "uuid")));
    json_decref(j);
    free(out);
    /* approved by the CLI's author; with a risk map the refresh is named */
    ASSERT_DEMINE(0, NULL, "risk map '%s' --out '%s'", db, dmtest_path("risk.tif"));
    ASSERT_EQ(dmtest_demine(&out, "--author ana reports '%s' approve %.8s", db, uuid), 0);
    ASSERT_CONTAINS(out, " approved (approved by ana)");
    ASSERT_CONTAINS(out, "`demine risk refresh");
    free(out);
    ASSERT_DEMINE(0, "1 draft report awaiting review", "reports '%s'", db);
    ASSERT_DEMINE(2, "not a draft awaiting review", "--author ana reports '%s' approve %s", db, uuid);
    /* the demo's other draft: a survey proposing a hazard over a minefield
     * no hazard covers; approving it creates the hazard */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"SELECT count(*) FROM hazards WHERE ref LIKE '%%-SHA-9001'\"", db), 0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"SELECT ref FROM activities WHERE status = 'draft'\"", db), 0);
    char nts[64];
    snprintf(nts, sizeof nts, "%.*s", (int)strcspn(out, "\n"), out);
    free(out);
    ASSERT_MSG(strstr(nts, "-NTS-9001") != NULL, "the demo's survey report: %s", nts);
    ASSERT_DEMINE(0, "proposed hazard (pending)", "reports '%s' show %s", db, nts);
    ASSERT_EQ(dmtest_demine(&out, "--author ana reports '%s' approve %s", db, nts), 0);
    ASSERT_CONTAINS(out, "the hazard it proposed was created: ");
    ASSERT_CONTAINS(out, "-SHA-9001");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"SELECT count(*) FROM hazards WHERE ref LIKE '%%-SHA-9001'\"", db), 0);
    ASSERT_STREQ(out, "1\n");
    free(out);
    ASSERT_DEMINE(0, "no draft reports", "reports '%s'", db);
    /* --refresh redoes the map (a fresh copy of the demo, its draft again) */
    db = dmtest_demo_db();
    ASSERT_DEMINE(2, "--refresh is for approve", "reports '%s' list --refresh", db);
    ASSERT_DEMINE(0, NULL, "risk map '%s' --out '%s'", db, dmtest_path("risk2.tif"));
    ASSERT_EQ(dmtest_demine(&out, "--author ana reports '%s' approve %s --refresh", db, uuid), 0);
    ASSERT_CONTAINS(out, " approved (approved by ana)");
    ASSERT_CONTAINS(out, "risk map refreshed: ");
    ASSERT(!strstr(out, "`demine risk refresh"));
    free(out);
}

TEST(reports_cli_approve_creates_the_proposed_hazard)
{
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "reports '%s' show NTS-7", db), 0);
    ASSERT_CONTAINS(out, "report NTS-7");
    ASSERT_CONTAINS(out, "PMN-2");
    ASSERT_CONTAINS(out, "H-1");               /* the item's hazard, by its ref */
    ASSERT_CONTAINS(out, "proposed hazard (pending)");
    ASSERT_CONTAINS(out, "Upper orchard");
    ASSERT_CONTAINS(out, "insert by fld");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "--author ana reports '%s' approve NTS-7 --reason 'seen on site'", db), 0);
    ASSERT_CONTAINS(out, "approved (approved by ana: seen on site)");
    ASSERT_CONTAINS(out, "the hazard it proposed was created: H-NEW");
    ASSERT(!strstr(out, "risk refresh")); /* no risk map here */
    free(out);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char status[16], hz[37];
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "approved");
    ASSERT_EQ(strlen(hz), 36);
    ASSERT_EQ(count(s, "hazards", "ref", "H-NEW"), 1);
    ASSERT_EQ(count(s, "items", "hazard_id", hz), 1);
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);
    ASSERT_STREQ(p.hazard, hz);
    ASSERT_STREQ(p.decided_by, "ana");
    dm_store_close(s);
    /* show --json says so */
    ASSERT_EQ(dmtest_demine(&out, "reports '%s' show %s --json", db, act), 0);
    json_t *j = json_loads(out, 0, NULL);
    ASSERT(j);
    ASSERT_STREQ(json_string_value(json_object_get(j, "proposal_status")), "applied");
    ASSERT_STREQ(json_string_value(json_object_get(j, "created_hazard")), hz);
    ASSERT_EQ(json_array_size(json_object_get(j, "items")), 2);
    ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "activity"), "status")), "approved");
    ASSERT(json_array_size(json_object_get(j, "history")) >= 3);
    json_decref(j);
    free(out);
    /* a second approval: no longer a draft, nothing changed */
    ASSERT_DEMINE(2, "is approved, not a draft awaiting review", "--author bob reports '%s' approve NTS-7", db);
    ASSERT_DEMINE(0, "approved by ana on ", "reports '%s' list --status approved", db);
    ASSERT_DEMINE(0, "no draft reports", "reports '%s'", db);
}

TEST(reports_cli_reject_needs_a_reason)
{
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    ASSERT_DEMINE(2, "reject needs --reason", "reports '%s' reject NTS-7", db);
    ASSERT_DEMINE(2, "white space only", "reports '%s' reject NTS-7 --reason '   '", db);
    ASSERT_DEMINE(0, "1 draft report", "reports '%s'", db);
    ASSERT_DEMINE(0, "rejected (rejected by ana: outside the task)",
                  "--author ana reports '%s' reject NTS-7 --reason 'outside the task'", db);
    ASSERT_DEMINE(2, "is rejected, not a draft awaiting review", "reports '%s' approve NTS-7", db);
    ASSERT_DEMINE(0, "rejected by ana on ", "reports '%s' list --status rejected", db);
    ASSERT_DEMINE(0, "proposed hazard (rejected)", "reports '%s' show NTS-7", db);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 1); /* none created */
    dm_store_close(s);
}

TEST(reports_cli_unknown_id_and_bad_usage)
{
    char act[37];
    const char *db = report_db(0, NULL, act);
    ASSERT_DEMINE(2, "no report (activity) with id or ref 'NOPE-1'", "reports '%s' show NOPE-1", db);
    ASSERT_DEMINE(2, "no report (activity) with id or ref 'NOPE-1'", "reports '%s' approve NOPE-1", db);
    ASSERT_DEMINE(2, "no report (activity) with id or ref 'NOPE-1'", "reports '%s' reject NOPE-1 --reason x", db);
    ASSERT_DEMINE(2, "needs the report's ID", "reports '%s' approve", db);
    ASSERT_DEMINE(2, "--status: draft, approved, rejected or all", "reports '%s' --status pending", db);
    ASSERT_DEMINE(2, "unknown subcommand 'accept'", "reports '%s' accept NTS-7", db);
    ASSERT_DEMINE(2, "--reason is for approve, reject and withdraw", "reports '%s' show NTS-7 --reason x", db);
    ASSERT_DEMINE(0, "demine reports DB approve ID", "help reports");
    /* the subcommand first reads as well */
    ASSERT_DEMINE(0, "approved by tester", "--author tester reports approve '%s' NTS-7", db);
    ASSERT_DEMINE(3, "no such database", "reports '%s' list", dmtest_path("missing.gpkg"));
}

/* ============================== withdrawal ============================== */

/* The change log's entries, and those of one kind, of the database. */
static long log_rows(const char *db, const char *where)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"SELECT count(*) FROM change_log%s%s\"", db, where ? " WHERE " : "",
                        where ? where : ""),
              0);
    long n = strtol(out, NULL, 10);
    free(out);
    return n;
}

/* A draft withdrawn by its sender: refused to another field user, without a
 * reason, and changing nothing then; done, its items (but one deleted
 * before, for a reason of its own) and its pending proposal go, each
 * deletion logged "withdrawn by NAME: text"; dm_store_restore of the
 * activity brings back the activity (a draft), the items withdrawn with it
 * and the proposal, pending, as its sender made it; once approved, it is
 * no longer withdrawn by anyone, nothing changed. */
TEST(report_withdraw_by_its_sender_is_logged_and_restored)
{
    dm_ctx *ctx = dmtest_ctx();
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT_EQ(count(s, "items", "activity_id", act), 2);
    /* an item the team deleted before, as a duplicate: not the report's withdrawal */
    char dup[37];
    const char *i3[] = {"category", "AP", "activity_id", act, NULL};
    ASSERT_OK(dm_ctx_set_author(ctx, "fld"));
    insert_row(s, "items", "POINT(46.953 39.953)", i3, dup);
    ASSERT_OK(dm_store_delete(s, "items", dup, "entered twice"));
    long log0 = log_rows(db, NULL);

    dm_report_withdraw_result res;
    /* another field user of the organisation */
    ASSERT_OK(dm_ctx_set_author(ctx, "fld2"));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_report_withdraw(s, "NTS-7", NULL, "fld2", "not mine but wrong", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NOT_SUBMITTER);
    ASSERT_STREQ(res.sent_by, "fld");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "was sent by fld");
    /* no reason, white space only */
    ASSERT_OK(dm_ctx_set_author(ctx, "fld"));
    ASSERT_STATUS(DM_EINVAL, dm_report_withdraw(s, "NTS-7", NULL, "fld", NULL, &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NO_REASON);
    ASSERT_STATUS(DM_EINVAL, dm_report_withdraw(s, "NTS-7", NULL, "fld", " \t ", &res));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "a withdrawal needs a reason");
    ASSERT_STATUS(DM_ENOTFOUND, dm_report_withdraw(s, "NOPE-1", NULL, NULL, "x", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NOT_FOUND);
    /* nothing changed */
    ASSERT_EQ(log_rows(db, NULL), log0);
    ASSERT_EQ(count(s, "activities", "uuid", act), 1);
    ASSERT_EQ(count(s, "items", "activity_id", act), 2);
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);

    ASSERT_OK(dm_report_withdraw(s, "nts-7", NULL, "fld", "  sent for the wrong field \n", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_DONE);
    ASSERT_STREQ(res.uuid, act);
    ASSERT_STREQ(res.ref, "NTS-7");
    ASSERT_STREQ(res.status, "withdrawn");
    ASSERT_STREQ(res.reason, "withdrawn by fld: sent for the wrong field");
    ASSERT_EQ(res.n_items, 2);
    ASSERT_EQ(res.proposal, 1);
    ASSERT_EQ(count(s, "activities", "uuid", act), 0);
    ASSERT_EQ(count(s, "items", "activity_id", act), 0);
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 0);
    ASSERT_EQ(count(s, "hazards", NULL, NULL), 1);
    ASSERT_EQ(log_rows(db, "op = 'delete' AND reason = 'withdrawn by fld: sent for the wrong field'"), 3);
    ASSERT_EQ(log_rows(db, NULL), log0 + 3);
    /* the log keeps the proposal with the activity's last values */
    char *h = NULL;
    ASSERT_OK(dm_store_history_json(s, act, &h));
    ASSERT_CONTAINS(h, "\"op\":\"delete\"");
    ASSERT_CONTAINS(h, "\"report_proposal\":{\"feature\":");
    dm_free(ctx, h);
    /* gone: withdrawn once */
    ASSERT_STATUS(DM_ENOTFOUND, dm_report_withdraw(s, act, NULL, "fld", "again", &res));

    /* restored: the activity, the two items withdrawn with it (not the
     * duplicate), the proposal pending as fld made it */
    ASSERT_OK(dm_ctx_set_author(ctx, "ana"));
    const dm_layer_def *l = NULL;
    ASSERT_OK(dm_store_restore(s, act, "withdrawn by mistake", &l));
    ASSERT_STREQ(l->name, "activities");
    char status[16], hz[37];
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "draft");
    ASSERT_EQ(count(s, "items", "activity_id", act), 2);
    ASSERT_EQ(count(s, "items", "uuid", dup), 0);
    ASSERT_EQ(dm_proposal_get(s, act, 1, &p), 1);
    ASSERT_STREQ(p.status, "pending");
    ASSERT_STREQ(p.author, "fld");
    ASSERT_CONTAINS(p.feature, "\"ref\":\"H-NEW\"");
    ASSERT_CONTAINS(p.feature, "\"name\":\"Upper orchard\"");
    dm_proposal_clear(s, &p);

    /* and it is a report as before: its approval creates the hazard */
    ASSERT_OK(dm_report_review(s, act, 1, NULL, NULL, NULL));
    ASSERT_EQ(count(s, "hazards", "ref", "H-NEW"), 1);
    long log1 = log_rows(db, NULL);
    /* reviewed: no one withdraws it, nothing changed */
    ASSERT_STATUS(DM_ECONFLICT, dm_report_withdraw(s, act, NULL, "fld", "too late", &res));
    ASSERT_EQ(res.refused, DM_REVIEW_NOT_DRAFT);
    ASSERT_STREQ(res.status, "approved");
    ASSERT_STATUS(DM_ECONFLICT, dm_report_withdraw(s, act, NULL, NULL, "too late", &res));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "is approved, not a draft");
    ASSERT_EQ(log_rows(db, NULL), log1);
    ASSERT_EQ(count(s, "items", "activity_id", act), 2);
    activity_state(s, act, status, hz);
    ASSERT_STREQ(status, "approved");
    dm_store_close(s);
}

/* A draft deleted as any row (`demine delete`, after its items) keeps its
 * pending proposal in the log too, and its restoration brings it back; a
 * proposal made again meanwhile is not replaced. */
TEST(report_deleted_as_a_row_gets_its_proposal_back)
{
    dm_ctx *ctx = dmtest_ctx();
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    const char *f[1] = {"activity_id"}, *v[1] = {act};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    char items[2][37];
    int n = 0;
    ASSERT_OK(dm_store_select(s, "items", &sel, &c));
    while (n < 2 && dm_cursor_next(c) == 1)
        snprintf(items[n++], 37, "%s", dm_cursor_uuid(c));
    dm_cursor_free(c);
    ASSERT_EQ(n, 2);
    for (int i = 0; i < n; i++)
        ASSERT_OK(dm_store_delete(s, "items", items[i], "wrong field"));
    ASSERT_OK(dm_store_delete(s, "activities", act, "wrong field"));
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 0);
    ASSERT_OK(dm_store_restore(s, act, "back", NULL));
    ASSERT_EQ(dm_proposal_get(s, act, 0, &p), 1);
    ASSERT_STREQ(p.status, "pending");
    ASSERT_STREQ(p.author, "fld");
    /* the items deleted for the same reason came back with it */
    ASSERT_EQ(count(s, "items", "activity_id", act), 2);
    dm_store_close(s);
}

TEST(reports_cli_withdraw)
{
    char act[37];
    const char *db = report_db(1, "H-NEW", act);
    ASSERT_DEMINE(2, "withdraw needs --reason", "reports '%s' withdraw NTS-7", db);
    ASSERT_DEMINE(2, "no report (activity) with id or ref 'NOPE-1'", "reports '%s' withdraw NOPE-1 --reason x", db);
    ASSERT_DEMINE(0, "withdrawn (withdrawn by ana: sent twice): the activity and 2 items deleted, with the hazard it",
                  "--author ana reports '%s' withdraw NTS-7 --reason 'sent twice'", db);
    ASSERT_DEMINE(0, "no draft reports", "reports '%s'", db);
    /* asked for again, by ref: gone, and said how and how to bring it back */
    char hint[300];
    snprintf(hint, sizeof hint, "by ana: withdrawn by ana: sent twice; `demine restore %s %s --reason TEXT` brings it "
                                "back", db, act);
    ASSERT_DEMINE(2, hint, "reports '%s' withdraw NTS-7 --reason again", db);
    ASSERT_DEMINE(2, hint, "reports '%s' show NTS-7", db);
    ASSERT_DEMINE(2, hint, "--author ana reports '%s' approve NTS-7", db);
    /* `show` of the withdrawn draft names the hazard it proposed */
    ASSERT_DEMINE(0, "proposed hazard (pending when deleted, by fld at ", "show '%s' %s", db, act);
    ASSERT_DEMINE(0, "  ref                H-NEW\n", "show '%s' %s", db, act);
    ASSERT_DEMINE(0, "  geometry           MultiPolygon\n", "show '%s' %s", db, act);
    ASSERT_DEMINE(0, "", "restore '%s' %s --reason 'not twice after all'", db, act);
    ASSERT_DEMINE(0, "1 draft report", "reports '%s'", db);
    ASSERT_DEMINE(0, "proposed hazard (pending)", "reports '%s' show NTS-7", db);
    ASSERT_DEMINE(0, "approved by ana", "--author ana reports '%s' approve NTS-7", db);
    ASSERT_DEMINE(2, "is approved, not a draft", "reports '%s' withdraw NTS-7 --reason late", db);
}

TEST(reports_cli_list_names_the_hazard_a_report_is_about)
{
    /* the HAZARD column: the hazard a report proposes (new, pending; its ref
     * once approval created it), else the one its activity names (by ref),
     * not "-" for a report about a known hazard */
    char act[37];
    const char *db = report_db(0, NULL, act);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "reports '%s'", db), 0);
    ASSERT_CONTAINS(out, "HAZARD");
    ASSERT(!strstr(out, "H-1"));
    free(out);
    ASSERT_DEMINE(0, NULL, "edit '%s' NTS-7 hazard_id=H-1 --reason 'the report is about H-1'", db);
    ASSERT_EQ(dmtest_demine(&out, "reports '%s'", db), 0);
    const char *line = strstr(out, "NTS-7");
    ASSERT_MSG(line && strstr(line, "H-1"), "the report's line names its hazard: %s", out);
    free(out);
    remove(db);
    db = report_db(1, "H-NEW", act);
    ASSERT_DEMINE(0, "new, pending", "reports '%s'", db);
    ASSERT_DEMINE(0, NULL, "--author ana reports '%s' approve NTS-7", db);
    ASSERT_DEMINE(0, "H-NEW (new)", "reports '%s' list --status approved", db);
    /* a proposal without a ref: the hazard made is named by its uuid's start */
    remove(db);
    db = report_db(1, "H-NEW", act);
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 '%s' \"UPDATE report_proposals SET feature = "
                              "json_remove(feature, '$.properties.ref')\"", db),
              0);
    ASSERT_DEMINE(0, NULL, "--author ana reports '%s' approve NTS-7", db);
    char *hz = NULL;
    ASSERT_EQ(dmtest_sh(&hz, "sqlite3 '%s' \"SELECT substr(uuid, 1, 8) FROM hazards WHERE ref IS NULL\"", db), 0);
    ASSERT_EQ(strlen(hz), 9);
    hz[8] = '\0';
    ASSERT_EQ(dmtest_demine(&out, "reports '%s' list --status approved", db), 0);
    char want[32];
    snprintf(want, sizeof want, "%s (new)", hz);
    ASSERT_MSG(strstr(out, want) && !strstr(out, "new, applied"), "want %s in %s", want, out);
    free(out);
    free(hz);
}
