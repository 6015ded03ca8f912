/* SPDX-License-Identifier: MIT
 *
 * test_server_proposals.c -- a field report that proposes a new hazard (a
 * suspected area a survey team found), end to end on 127.0.0.1 with curl:
 * nothing in the hazards layer while the report is a draft; approval
 * creates exactly one hazard, attributed to the reviewer with the report
 * and its submitter in the change log, and links the activity and its
 * items to it; rejection creates none; a proposal POST /api/hazards would
 * refuse is refused (422 naming the field) with nothing stored; a ref taken
 * between the report and its approval refuses the approval (409), nothing
 * changed. In the library: the proposals table of a database made before
 * it (migrated on a read-write open, absent but harmless read-only), and a
 * pending proposal deleted with its draft. A draft withdrawn by its sender
 * (POST /api/reports/{id}/withdraw) and restored. The form and the review queue
 * in headless Chromium (tests/browser/proposals.test.js; skipped, saying
 * so, without Chromium).
 */
#include "srvtest.h"

/* ============================== fixture ============================== */

#define SQUARE                                                                                                         \
    "{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.95],[46.96,39.95],[46.96,39.96],[46.95,39.96],[46.95,39.95]]]}"


/* A smaller square inside SQUARE: the area a survey team found suspect. */
#define INNER                                                                                                          \
    "{\"type\":\"Polygon\",\"coordinates\":[[[46.951,39.951],[46.954,39.951],[46.954,39.954],[46.951,39.954],"       \
    "[46.951,39.951]]]}"

/* A number the sqlite3 shell prints for a query of t.gpkg. */
static long sql_count(const char *sql)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"%s\"", sql), 0);
    long n = strtol(out, NULL, 10);
    free(out);
    return n;
}

/* The uuid following key ("\"uuid\":\"") in json. */
static void uuid_after(const char *json, const char *key, char uuid[37])
{
    const char *p = strstr(json, key);
    ASSERT_MSG(p, "no %s in %s", key, json);
    memcpy(uuid, p + strlen(key), 36);
    uuid[36] = '\0';
}

/* A clearance report of the area SQUARE with two items, the second in
 * hazard H-2; hazard (a JSON value, or NULL) is the hazard it proposes,
 * act_extra more members of the activity's properties ("" for none). */
static char *report_body(const char *ref, const char *hazard, const char *act_extra)
{
    char *b = malloc(4096);
    snprintf(b, 4096,
             "{\"activity\":{\"type\":\"Feature\",\"properties\":{\"activity_type\":\"nts\",\"ref\":\"%s\","
             "\"start_date\":\"2025-06-01\",\"end_date\":\"2025-06-03\"%s},\"geometry\":" SQUARE "},"
             "\"items\":[{\"category\":\"AP\",\"model\":\"PMN-2\",\"geometry\":{\"type\":\"Point\","
             "\"coordinates\":[46.952,39.952]}},{\"category\":\"AT\",\"hazard_id\":\"H-2\",\"geometry\":{\"type\":"
             "\"Point\",\"coordinates\":[46.955,39.955]}}]%s%s}",
             ref, act_extra, hazard ? ",\"hazard\":" : "", hazard ? hazard : "");
    return b;
}

static long hazard_log_entries(void)
{
    return sql_count("SELECT count(*) FROM change_log WHERE layer = 'hazards'");
}

/* ============================== tests ============================== */

/* A survey team proposes a new suspected area with its report: nothing of
 * it is in the hazards layer (nor its change log) while the report is a
 * draft, though the report shows it and the queue flags it; the field user
 * cannot approve it; an analyst's approval creates exactly one hazard, of
 * the report's organisation, attributed to the analyst, with the report and
 * its submitter in the change log, and points the activity and the item
 * that named no hazard at it (the other keeps H-2); a second approval is
 * refused and creates nothing. */
TEST(proposals_wait_for_approval_which_creates_one_linked_hazard)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], ana[65], *out = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("ana", "analystpw1", ana);
    long hz0 = srvtest_rows_of("hazards"), log0 = hazard_log_entries();
    char *body = report_body("NTS-7",
                             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"SHA-NEW-1\",\"name\":\"Upper orchard\","
                             "\"hazard_type\":\"SHA\",\"ordnance\":\"AP\",\"organisation\":\"Someone else\"},"
                             "\"geometry\":" INNER "}",
                             "");
    int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
    free(body);
    ASSERT_MSG(code == 201, "submit: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"proposes_hazard\":true");
    char act[37];
    uuid_after(out, "\"uuid\":\"", act);
    free(out);

    /* nothing in the hazards layer, its change log, nor what reads it */
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0);
    ASSERT_EQ(hazard_log_entries(), log0);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/SHA-NEW-1", ana, NULL, NULL, &out, NULL), 404);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards", ana, NULL, NULL, &out, NULL), 200);
    ASSERT(!strstr(out, "SHA-NEW-1"));
    free(out);
    ASSERT_EQ(sql_count("SELECT count(*) FROM report_proposals WHERE status = 'pending'"), 1);

    /* the report shows it: its fields, the report's organisation */
    char path[200];
    snprintf(path, sizeof path, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    const char *ph = strstr(out, "\"proposed_hazard\":{\"type\":\"Feature\"");
    ASSERT_MSG(ph, "no proposed hazard in %s", out);
    ASSERT_CONTAINS(ph, "\"ref\":\"SHA-NEW-1\"");
    ASSERT_CONTAINS(ph, "\"name\":\"Upper orchard\"");
    ASSERT_CONTAINS(ph, "\"organisation\":\"HALO\"");
    ASSERT(!strstr(out, "Someone else"));
    ASSERT_CONTAINS(ph, "\"est_area_ha\":");
    ASSERT_CONTAINS(out, "\"proposal_status\":\"pending\"");
    ASSERT_CONTAINS(out, "\"created_hazard\":null");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=draft", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"proposes_hazard\":true");
    ASSERT_CONTAINS(out, "\"proposal_status\":\"pending\"");
    free(out);

    /* a field user may not approve */
    snprintf(path, sizeof path, "/api/reports/%s/approve", act);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{}", &out, NULL), 403);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0);

    code = srvtest_req("POST", path, ana, NULL, "{\"reason\":\"seen on the photos\"}", &out, NULL);
    ASSERT_MSG(code == 200, "approve: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"status\":\"approved\"");
    char hz[37];
    uuid_after(out, "\"created_hazard\":\"", hz);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0 + 1);
    ASSERT_EQ(hazard_log_entries(), log0 + 1);

    /* the hazard: as proposed, attributed to the reviewer, areas from its
     * polygon (all of it remaining: it is open) */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/SHA-NEW-1", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, hz);
    ASSERT_CONTAINS(out, "\"hazard_type\":\"SHA\"");
    ASSERT_CONTAINS(out, "\"organisation\":\"HALO\"");
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT_CONTAINS(out, "\"reported_date\":\"2025-06-03\"");
    double est = srvtest_num_after(out, "\"est_area_ha\":");
    ASSERT(est > 5 && est < 15);
    ASSERT_NEAR(srvtest_num_after(out, "\"remaining_area_ha\":"), est, 1e-6);
    free(out);
    char *h = srvtest_history_of(hz);
    ASSERT_CONTAINS(h, "\"op\":\"insert\"");
    ASSERT_CONTAINS(h, "proposed in report NTS-7 by fld, approved by ana");
    free(h);

    /* the activity and the item that named no hazard point at it */
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM activities WHERE uuid = '%s' AND hazard_id = '%s' AND status = "
                              "'approved'", act, hz);
    ASSERT_EQ(sql_count(sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM items WHERE activity_id = '%s' AND hazard_id = '%s'", act, hz);
    ASSERT_EQ(sql_count(sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM items WHERE activity_id = '%s' AND hazard_id = (SELECT uuid FROM "
                              "hazards WHERE ref = 'H-2')", act);
    ASSERT_EQ(sql_count(sql), 1);

    /* the report says what became of it; a second approval changes nothing */
    snprintf(path, sizeof path, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"proposal_status\":\"applied\"");
    char want[80];
    snprintf(want, sizeof want, "\"created_hazard\":\"%s\"", hz);
    ASSERT_CONTAINS(out, want);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", act);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{}", &out, NULL), 409);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0 + 1);
    srvtest_stop_server();
}

/* A rejected report's proposal creates no hazard and stays, rejected, for
 * the record. A proposal without a polygon of its own, sent as a flat
 * object of fields, is the activity's area. */
TEST(proposals_rejected_create_no_hazard)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], ana[65], *out = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("ana", "analystpw1", ana);
    long hz0 = srvtest_rows_of("hazards"), log0 = hazard_log_entries();
    char *body = report_body("NTS-8", "{\"hazard_type\":\"CHA\",\"name\":\"Ridge\"}", "");
    int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
    free(body);
    ASSERT_MSG(code == 201, "submit: %d %s", code, out);
    char act[37], path[200];
    uuid_after(out, "\"uuid\":\"", act);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
    const char *ph = strstr(out, "\"proposed_hazard\":{");
    ASSERT_MSG(ph, "no proposed hazard in %s", out);
    ASSERT_CONTAINS(ph, "\"MultiPolygon\"");
    ASSERT_CONTAINS(ph, "46.96");
    ASSERT(srvtest_num_after(ph, "\"est_area_ha\":") > 80);
    free(out);

    snprintf(path, sizeof path, "/api/reports/%s/reject", act);
    code = srvtest_req("POST", path, ana, NULL, "{\"reason\":\"the ridge is farmed, no evidence\"}", &out, NULL);
    ASSERT_MSG(code == 200, "reject: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"created_hazard\":null");
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0);
    ASSERT_EQ(hazard_log_entries(), log0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM report_proposals WHERE status = 'rejected' AND hazard_uuid IS NULL AND "
                        "decided_by = 'ana'"),
              1);
    snprintf(path, sizeof path, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"proposal_status\":\"rejected\"");
    ASSERT_CONTAINS(out, "\"created_hazard\":null");
    free(out);
    /* a report without a proposal says so */
    body = report_body("NTS-9", NULL, "");
    ASSERT_EQ(srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL), 201);
    free(body);
    ASSERT_CONTAINS(out, "\"proposes_hazard\":false");
    uuid_after(out, "\"uuid\":\"", act);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"proposed_hazard\":null");
    ASSERT_CONTAINS(out, "\"proposal_status\":null");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=draft", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"proposes_hazard\":false");
    free(out);
    srvtest_stop_server();
}

/* A proposal POST /api/hazards would refuse is refused with the report:
 * 422 naming the hazard and its field, and nothing stored (no activity, no
 * item, no proposal, no hazard). So is one of a report whose activity
 * names a hazard already, and what a field team does not decide (a status
 * other than open, the risk map's figures). */
TEST(proposals_refused_store_nothing)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], *out = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    long hz0 = srvtest_rows_of("hazards"), log0 = hazard_log_entries();
    static const struct {
        const char *hazard, *act_extra, *want;
    } cases[] = {
        {"{\"hazard_type\":\"XYZ\",\"geometry\":" INNER "}", "", "hazard_type"},
        {"{\"name\":\"no type\",\"geometry\":" INNER "}", "", "hazard_type"},
        {"{\"hazard_type\":\"SHA\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.95,39.95]}}", "", "geometry"},
        {"{\"hazard_type\":\"SHA\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.95],[46.96,39.96],"
         "[46.96,39.95],[46.95,39.96],[46.95,39.95]]]}}",
         "", "geometry"},
        {"{\"hazard_type\":\"SHA\",\"ref\":\"H-1\",\"geometry\":" INNER "}", "", "ref"},
        {"{\"hazard_type\":\"SHA\",\"reported_date\":\"2999-01-01\",\"geometry\":" INNER "}", "", "reported_date"},
        {"{\"hazard_type\":\"SHA\",\"reliability\":\"high\",\"geometry\":" INNER "}", "", "reliability"},
        {"{\"hazard_type\":\"SHA\",\"colour\":\"red\",\"geometry\":" INNER "}", "", "colour"},
        {"{\"hazard_type\":\"SHA\",\"status\":\"closed\",\"geometry\":" INNER "}", "", "status"},
        {"{\"hazard_type\":\"SHA\",\"p_contam\":0.5,\"geometry\":" INNER "}", "", "p_contam"},
        {"{\"hazard_type\":\"SHA\",\"reason\":\"why not\",\"geometry\":" INNER "}", "", "reason"},
        {"\"SHA\"", "", "hazard"},
        {"{\"hazard_type\":\"SHA\",\"geometry\":" INNER "}", ",\"hazard_id\":\"H-2\"", "hazard_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = report_body("NTS-X", cases[i].hazard, cases[i].act_extra);
        int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
        free(body);
        ASSERT_MSG(code == 422, "case %zu: %d %s", i, code, out);
        ASSERT_MSG(strstr(out, "hazard") && strstr(out, cases[i].want), "case %zu does not name %s: %s", i,
                   cases[i].want, out);
        free(out);
    }
    ASSERT_EQ(srvtest_rows_of("activities"), 0);
    ASSERT_EQ(srvtest_rows_of("items"), 1);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0);
    ASSERT_EQ(hazard_log_entries(), log0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM report_proposals"), 0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM change_log WHERE layer IN ('activities', 'items')"), 1);
    srvtest_stop_server();
}

/* Two reports propose the same ref: both wait, the first approved makes
 * the hazard, and the second's approval is refused (409 naming the ref)
 * with nothing changed: still a draft, its item unlinked, its proposal
 * pending; it can still be rejected. */
TEST(proposals_ref_taken_since_refuses_the_approval)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], ana[65], *out = NULL, a1[37], a2[37], path[200];
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("ana", "analystpw1", ana);
    long hz0 = srvtest_rows_of("hazards");
    const char *hz = "{\"type\":\"Feature\",\"properties\":{\"ref\":\"DUP-1\",\"hazard_type\":\"SHA\"},\"geometry\":" INNER
                     "}";
    char *body = report_body("NTS-A", hz, "");
    ASSERT_EQ(srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL), 201);
    free(body);
    uuid_after(out, "\"uuid\":\"", a1);
    free(out);
    body = report_body("NTS-B", hz, "");
    ASSERT_EQ(srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL), 201);
    free(body);
    uuid_after(out, "\"uuid\":\"", a2);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", a1);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{}", &out, NULL), 200);
    free(out);
    long log1 = sql_count("SELECT count(*) FROM change_log");
    snprintf(path, sizeof path, "/api/reports/%s/approve", a2);
    int code = srvtest_req("POST", path, ana, NULL, "{}", &out, NULL);
    ASSERT_MSG(code == 409, "second approval: %d %s", code, out);
    ASSERT_CONTAINS(out, "DUP-1");
    ASSERT_CONTAINS(out, "ref");
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0 + 1);
    ASSERT_EQ(sql_count("SELECT count(*) FROM change_log"), log1);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM items WHERE activity_id = '%s' AND hazard_id IS NULL", a2);
    ASSERT_EQ(sql_count(sql), 1);
    snprintf(path, sizeof path, "/api/reports/%s", a2);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"status\":\"draft\"");
    ASSERT_CONTAINS(out, "\"proposal_status\":\"pending\"");
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", a2);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"the same area as NTS-A\"}", &out, NULL), 200);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz0 + 1);
    srvtest_stop_server();
}

/* In the library: a database made before proposals (no table, no trigger)
 * opens read-only with none and is migrated by a read-write open (the
 * table registered as a GeoPackage attribute table, which GDAL lists); a
 * proposal checked leaves nothing in the hazards layer nor its change log;
 * one per activity; a pending one goes with its draft when that is deleted;
 * an applied one makes the hazard once. */
TEST(store_proposals_migrate_and_follow_their_report)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    dm_store_close(s);
    ASSERT_EQ(sql_count("SELECT count(*) FROM gpkg_contents WHERE table_name = 'report_proposals' AND data_type = "
                        "'attributes'"),
              1);
    /* as an older build left it */
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"DROP TRIGGER report_proposals_go_with_their_report; DROP TABLE "
                              "report_proposals; DELETE FROM gpkg_contents WHERE table_name = 'report_proposals'\""),
              0);
    free(out);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    dm_proposal p;
    ASSERT_EQ(dm_proposal_get(s, "00000000-0000-0000-0000-000000000000", 1, &p), 0);
    ASSERT_OK(dm_proposal_reject(s, "00000000-0000-0000-0000-000000000000"));
    dm_store_close(s);
    ASSERT_EQ(sql_count("SELECT count(*) FROM sqlite_master WHERE name LIKE 'report_proposals%'"), 0);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), 0, &s));
    ASSERT_EQ(sql_count("SELECT count(*) FROM sqlite_master WHERE name IN ('report_proposals', "
                        "'report_proposals_go_with_their_report')"),
              2);
    ASSERT_EQ(sql_count("SELECT count(*) FROM gpkg_contents WHERE table_name = 'report_proposals'"), 1);

    /* two draft reports */
    char a1[37], a2[37];
    const char *act[] = {"activity_type", "nts", "status", "draft", NULL};
    srvtest_insert_wkt(s, "activities", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", act, a1);
    srvtest_insert_wkt(s, "activities", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", act, a2);
    const char *it[] = {"category", "AP", "activity_id", a2, NULL};
    char item[37];
    srvtest_insert_wkt(s, "items", "POINT(46.905 39.905)", it, item);

    /* checked: the feature as it would be stored, nothing left */
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    ASSERT_OK(dm_row_set(r, "ref", "P-1"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46.90 39.90, 46.905 39.90, 46.905 39.905, 46.90 39.90))", &g));
    dm_row_set_geom(r, g);
    char *feature = NULL;
    ASSERT_OK(dm_proposal_check(s, r, &feature));
    ASSERT_CONTAINS(feature, "\"type\":\"Feature\"");
    ASSERT_CONTAINS(feature, "\"ref\":\"P-1\"");
    ASSERT_CONTAINS(feature, "\"est_area_ha\":");
    ASSERT_CONTAINS(feature, "\"MultiPolygon\"");
    ASSERT(!strstr(feature, "\"uuid\""));
    long n = -1;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM change_log WHERE layer = 'hazards'"), 0);
    /* refused as an insertion would be */
    dm_row *bad = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(bad, "ref", "P-2"));
    ASSERT_STATUS(DM_EPARSE, dm_proposal_check(s, bad, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "hazard_type");
    dm_row_free(bad);

    ASSERT_OK(dm_proposal_put(s, a1, feature));
    ASSERT_OK(dm_proposal_put(s, a2, feature));
    ASSERT_STATUS(DM_ECONFLICT, dm_proposal_put(s, a1, feature));
    ASSERT_STATUS(DM_ENOTFOUND, dm_proposal_put(s, "00000000-0000-0000-0000-000000000000", feature));
    dm_free(ctx, feature);
    dm_row_free(r);
    ASSERT_EQ(dm_proposal_get(s, a1, 1, &p), 1);
    ASSERT_STREQ(p.status, "pending");
    ASSERT_STREQ(p.hazard, "");
    ASSERT_CONTAINS(p.feature, "\"ref\":\"P-1\"");
    dm_proposal_clear(s, &p);

    /* a draft deleted takes its pending proposal with it */
    ASSERT_OK(dm_store_delete(s, "activities", a1, "sent twice"));
    ASSERT_EQ(dm_proposal_get(s, a1, 0, &p), 0);

    /* applied: the hazard made once, the item linked */
    char hz[37];
    ASSERT_OK(dm_proposal_apply(s, a2, "proposed in report X by fld, approved by ana", hz));
    ASSERT_EQ(strlen(hz), 36);
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 1);
    ASSERT_EQ(dm_proposal_get(s, a2, 0, &p), 1);
    ASSERT_STREQ(p.status, "applied");
    ASSERT_STREQ(p.hazard, hz);
    char again[37];
    ASSERT_OK(dm_proposal_apply(s, a2, "again", again));
    ASSERT_STREQ(again, "");
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 1);
    const char *f[1] = {"uuid"}, *v[1] = {item};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "items", &sel, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "hazard_id"), hz);
    dm_cursor_free(c);
    dm_store_close(s);

    /* GDAL lists the table beside the layers */
    if (dmtest_sh(&out, "command -v ogrinfo") == 0) {
        free(out);
        ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro t.gpkg"), 0);
        ASSERT_CONTAINS(out, "report_proposals");
        ASSERT_CONTAINS(out, "hazards");
    }
    free(out);
}

/* The database's whole state a refusal must leave as it was: the rows of
 * the report's layers, the proposals and the change log. */
static void state_of(char *buf, size_t n)
{
    snprintf(buf, n, "%ld/%ld/%ld/%ld", sql_count("SELECT count(*) FROM activities"),
             sql_count("SELECT count(*) FROM items"), sql_count("SELECT count(*) FROM report_proposals"),
             sql_count("SELECT count(*) FROM change_log"));
}

/* POST /api/reports/{id}/withdraw: a field user withdraws the draft it sent
 * (its activity, items and pending proposal deleted, each logged with
 * "withdrawn by fld: ..."); another field user of its organisation is
 * refused (403), as are a missing reason (400) and a reviewed report (409,
 * for an analyst too), each changing nothing; an analyst withdraws a field
 * user's draft; `demine restore` of the activity brings the report back, a
 * draft with its items and its proposal pending, which the queue shows. */
TEST(proposals_report_withdrawn_by_its_sender_and_restored)
{
    srvtest_setup_db();
    char *out = NULL;
    const char *bin = getenv("DEMINE_BIN");
    ASSERT_EQ(dmtest_sh(&out, "export PW=fieldpw34; '%s' user add t.gpkg fld2 --role field --org HALO --password-env PW",
                        bin),
              0);
    free(out);
    srvtest_start_server();
    char fld[65], fld2[65], ana[65];
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("fld2", "fieldpw34", fld2);
    srvtest_login("ana", "analystpw1", ana);
    char *body = report_body("NTS-7",
                             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"SHA-NEW-1\",\"hazard_type\":\"SHA\"},"
                             "\"geometry\":" INNER "}",
                             "");
    int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
    free(body);
    ASSERT_MSG(code == 201, "submit: %d %s", code, out);
    char act[37];
    uuid_after(out, "\"uuid\":\"", act);
    free(out);
    char path[200], before[100], after[100];
    snprintf(path, sizeof path, "/api/reports/%s/withdraw", act);
    state_of(before, sizeof before);

    /* refusals, nothing changed */
    ASSERT_EQ(srvtest_req("POST", path, fld2, NULL, "{\"reason\":\"wrong field\"}", &out, NULL), 403);
    ASSERT_CONTAINS(out, "was sent by fld");
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{}", &out, NULL), 400);
    ASSERT_CONTAINS(out, "a withdrawal needs a reason");
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":\"   \"}", &out, NULL), 400);
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":5}", &out, NULL), 400);
    free(out);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 405);
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, NULL, NULL, "{\"reason\":\"x\"}", &out, NULL), 401);
    free(out);
    state_of(after, sizeof after);
    ASSERT_STREQ(after, before);

    /* by its sender */
    code = srvtest_req("POST", path, fld, NULL, "{\"reason\":\" sent for the wrong field \"}", &out, NULL);
    ASSERT_MSG(code == 200, "withdraw: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"status\":\"withdrawn\"");
    ASSERT_CONTAINS(out, "\"reason\":\"withdrawn by fld: sent for the wrong field\"");
    ASSERT_CONTAINS(out, "\"items\":2");
    ASSERT_CONTAINS(out, "\"proposal_withdrawn\":true");
    free(out);
    char q[300];
    snprintf(q, sizeof q, "SELECT count(*) FROM activities WHERE uuid = '%s'", act);
    ASSERT_EQ(sql_count(q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM items WHERE activity_id = '%s'", act);
    ASSERT_EQ(sql_count(q), 0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM report_proposals"), 0);
    ASSERT_EQ(sql_count("SELECT count(*) FROM change_log WHERE op = 'delete' AND author = 'fld' AND reason = "
                        "'withdrawn by fld: sent for the wrong field'"),
              3);
    snprintf(q, sizeof q, "/api/reports/%s", act);
    ASSERT_EQ(srvtest_req("GET", q, fld, NULL, NULL, &out, NULL), 404);
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":\"again\"}", &out, NULL), 404);
    free(out);

    /* restored: a draft again, with its items and its proposal pending */
    ASSERT_EQ(dmtest_sh(&out, "'%s' --author ana restore t.gpkg %s --reason 'withdrawn by mistake'", bin, act), 0);
    free(out);
    ASSERT_EQ(srvtest_req("GET", q, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"status\":\"draft\"");
    ASSERT_CONTAINS(out, "\"proposal_status\":\"pending\"");
    ASSERT_CONTAINS(out, "\"ref\":\"SHA-NEW-1\"");
    free(out);
    snprintf(q, sizeof q, "SELECT count(*) FROM items WHERE activity_id = '%s'", act);
    ASSERT_EQ(sql_count(q), 2);
    ASSERT_EQ(sql_count("SELECT count(*) FROM report_proposals WHERE status = 'pending' AND author = 'fld'"), 1);

    /* reviewed: refused to its sender and to an analyst, nothing changed */
    snprintf(q, sizeof q, "/api/reports/%s/approve", act);
    ASSERT_EQ(srvtest_req("POST", q, ana, NULL, "{}", &out, NULL), 200);
    free(out);
    state_of(before, sizeof before);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":\"too late\"}", &out, NULL), 409);
    ASSERT_CONTAINS(out, "is approved, not a draft");
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"too late\"}", &out, NULL), 409);
    free(out);
    state_of(after, sizeof after);
    ASSERT_STREQ(after, before);

    /* an analyst withdraws a field user's draft */
    body = report_body("NTS-8", NULL, "");
    ASSERT_EQ(srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL), 201);
    free(body);
    uuid_after(out, "\"uuid\":\"", act);
    free(out);
    snprintf(path, sizeof path, "/api/reports/NTS-8/withdraw");
    code = srvtest_req("POST", path, ana, NULL, "{\"reason\":\"duplicate of NTS-7\"}", &out, NULL);
    ASSERT_MSG(code == 200, "withdraw by analyst: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"reason\":\"withdrawn by ana: duplicate of NTS-7\"");
    ASSERT_CONTAINS(out, "\"proposal_withdrawn\":false");
    free(out);
    snprintf(q, sizeof q, "SELECT count(*) FROM activities WHERE uuid = '%s'", act);
    ASSERT_EQ(sql_count(q), 0);
    srvtest_stop_server();
}

/* A row an analyst adds to a draft (POST /api/LAYER), its uuid into uuid. */
static void add_to_draft(const char *token, const char *layer, const char *body, char uuid[37])
{
    char *out = NULL, path[64];
    snprintf(path, sizeof path, "/api/%s", layer);
    int code = srvtest_req("POST", path, token, NULL, body, &out, NULL);
    ASSERT_MSG(code == 201, "POST %s: %d %s", path, code, out);
    uuid_after(out, "\"uuid\":\"", uuid);
    free(out);
}

/* A draft that rows of other layers point at (a release area and a hazard
 * link an analyst added to it): its withdrawal is refused (409) naming
 * them (layer, uuid, who wrote them; five at most and how many more) and
 * what to do, to its sender and to an analyst, over the API and by `demine
 * reports withdraw`, nothing changed; once they are deleted (each logged)
 * it is withdrawn, with its items. */
TEST(proposals_withdrawal_names_the_rows_that_point_at_the_draft)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], ana[65];
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("ana", "analystpw1", ana);
    char *body = report_body("NTS-7", NULL, ""), *out = NULL;
    int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
    free(body);
    ASSERT_MSG(code == 201, "submit: %d %s", code, out);
    char act[37];
    uuid_after(out, "\"uuid\":\"", act);
    free(out);
    char b[1200], ra[37], link[37], h2[37];
    snprintf(b, sizeof b,
             "{\"type\":\"Feature\",\"properties\":{\"outcome\":\"cleared\",\"activity_id\":\"%s\"},"
             "\"geometry\":" INNER ",\"reason\":\"the cleared corner of NTS-7\"}",
             act);
    add_to_draft(ana, "release_areas", b, ra);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2", ana, NULL, NULL, &out, NULL), 200);
    uuid_after(out, "\"uuid\":\"", h2);
    free(out);
    snprintf(b, sizeof b, "{\"activity_id\":\"%s\",\"hazard_id\":\"%s\",\"reason\":\"NTS-7 worked on H-2 too\"}",
             act, h2);
    add_to_draft(ana, "activity_hazards", b, link);

    char path[200], before[100], after[100];
    snprintf(path, sizeof path, "/api/reports/%s/withdraw", act);
    state_of(before, sizeof before);
    long ras = srvtest_rows_of("release_areas");
    /* by its sender and by an analyst: 409 naming both rows, what to do */
    const char *tok[2] = {fld, ana};
    for (int i = 0; i < 2; i++) {
        code = srvtest_req("POST", path, tok[i], NULL, "{\"reason\":\"sent for the wrong field\"}", &out, NULL);
        ASSERT_MSG(code == 409, "withdraw: %d %s", code, out);
        ASSERT_CONTAINS(out, "report NTS-7 is not withdrawn: 2 rows of other layers point at it");
        char named[100];
        snprintf(named, sizeof named, "release_areas %s by ana", ra);
        ASSERT_CONTAINS(out, named);
        snprintf(named, sizeof named, "activity_hazards %s by ana", link);
        ASSERT_CONTAINS(out, named);
        ASSERT_CONTAINS(out, "delete them or point them at another activity (an analyst or an admin may), then "
                             "withdraw it again. Nothing changed");
        free(out);
    }
    /* the command line: the same words, and the commands that do it */
    const char *bin = getenv("DEMINE_BIN");
    ASSERT_EQ(dmtest_sh(&out, "'%s' --author ana reports t.gpkg withdraw NTS-7 --reason 'sent twice'", bin), 2);
    ASSERT_CONTAINS(out, "report NTS-7 is not withdrawn: 2 rows of other layers point at it");
    ASSERT_CONTAINS(out, ra);
    ASSERT_CONTAINS(out, "`demine delete t.gpkg UUID --reason TEXT` deletes it");
    free(out);
    state_of(after, sizeof after);
    ASSERT_STREQ(after, before);
    ASSERT_EQ(srvtest_rows_of("release_areas"), ras);

    /* more than five: five named, the others counted */
    for (int i = 0; i < 5; i++) {
        char more[37];
        snprintf(b, sizeof b,
                 "{\"type\":\"Feature\",\"properties\":{\"outcome\":\"reduced\",\"activity_id\":\"%s\"},"
                 "\"geometry\":" INNER ",\"reason\":\"strip %d\"}",
                 act, i + 1);
        add_to_draft(ana, "release_areas", b, more);
    }
    code = srvtest_req("POST", path, fld, NULL, "{\"reason\":\"sent for the wrong field\"}", &out, NULL);
    ASSERT_MSG(code == 409, "withdraw: %d %s", code, out);
    ASSERT_CONTAINS(out, "7 rows of other layers point at it");
    ASSERT_CONTAINS(out, " and 2 more. A withdrawal");
    int named = 0;
    for (const char *p = out; (p = strstr(p, "release_areas ")); p++)
        named++;
    for (const char *p = out; (p = strstr(p, "activity_hazards ")); p++)
        named++;
    ASSERT_EQ(named, 5);
    free(out);

    /* the analyst deletes what it added (logged): the draft is withdrawn */
    char q[300];
    snprintf(q, sizeof q, "SELECT uuid FROM release_areas WHERE activity_id = '%s' UNION ALL SELECT uuid FROM "
                          "activity_hazards WHERE activity_id = '%s'",
             act, act);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"%s\"", q), 0);
    char *save = NULL;
    int deleted = 0;
    for (char *id = strtok_r(out, "\n", &save); id; id = strtok_r(NULL, "\n", &save)) {
        char *res = NULL, *hdr = NULL, tag[80], if_match[100];
        snprintf(q, sizeof q, "/api/%s/%s", deleted < 6 ? "release_areas" : "activity_hazards", id);
        ASSERT_EQ(srvtest_req("GET", q, ana, NULL, NULL, &res, &hdr), 200);
        ASSERT(srvtest_header_value(hdr, "ETag", tag, sizeof tag));
        free(res);
        free(hdr);
        snprintf(if_match, sizeof if_match, "If-Match: %s", tag);
        code = srvtest_req("DELETE", q, ana, if_match, "{\"reason\":\"NTS-7 sent for the wrong field\"}", &res, NULL);
        ASSERT_MSG(code == 200, "DELETE %s: %d %s", q, code, res);
        free(res);
        deleted++;
    }
    free(out);
    ASSERT_EQ(deleted, 7);
    code = srvtest_req("POST", path, fld, NULL, "{\"reason\":\"sent for the wrong field\"}", &out, NULL);
    ASSERT_MSG(code == 200, "withdraw: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"items\":2");
    free(out);
    snprintf(q, sizeof q, "SELECT count(*) FROM activities WHERE uuid = '%s'", act);
    ASSERT_EQ(sql_count(q), 0);
    srvtest_stop_server();
}

/* GET /api/reports?order=newest: the last stored first, paged from that
 * end (offset 0 the newest), with the same total and next_offset; order
 * other than oldest or newest is a 400. The staff map's "Our reports" asks
 * so, up to its cap at once, and says what it leaves out, offering the
 * older ones (tests/browser/myreports.test.js; skipped, saying so, without
 * Chromium). */
TEST(proposals_browser_our_reports_says_what_it_leaves_out)
{
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], *out = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    /* R-0, six activities imported for HALO, then */
    for (int i = 0; i < 4; i++) {
        if (i == 1) {
            dm_store *s = NULL;
            ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
            for (int k = 0; k < 6; k++) {
                char ref[16], u[37];
                snprintf(ref, sizeof ref, "OLD-%d", k);
                const char *kv[] = {"ref", ref, "activity_type", "clearance", "organisation", "HALO", NULL};
                srvtest_insert_wkt(s, "activities",
                                   "POLYGON((46.90 39.90, 46.901 39.90, 46.901 39.901, 46.90 39.90))", kv, u);
            }
            dm_store_close(s);
        }
        char ref[8];
        snprintf(ref, sizeof ref, "R-%d", i);
        char *body = report_body(ref, NULL, "");
        int code = srvtest_req("POST", "/api/reports", fld, NULL, body, &out, NULL);
        free(body);
        ASSERT_MSG(code == 201, "submit %s: %d %s", ref, code, out);
        free(out);
    }
    /* newest first, paged from the newest */
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=all&mine=1&order=newest&limit=4", fld, NULL, NULL, &out, NULL),
              200);
    const char *r3 = strstr(out, "\"ref\":\"R-3\""), *r2 = strstr(out, "\"ref\":\"R-2\""),
               *r1 = strstr(out, "\"ref\":\"R-1\""), *o5 = strstr(out, "\"ref\":\"OLD-5\"");
    ASSERT_MSG(r3 && r2 && r1 && o5 && r3 < r2 && r2 < r1 && r1 < o5, "newest four: %s", out);
    ASSERT(!strstr(out, "\"ref\":\"OLD-4\""));
    ASSERT_CONTAINS(out, "\"count\":4,\"offset\":0,\"limit\":4,\"total\":10,\"next_offset\":4");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=all&mine=1&order=newest&limit=4&offset=8", fld, NULL, NULL,
                          &out, NULL),
              200);
    const char *o0 = strstr(out, "\"ref\":\"OLD-0\""), *r0 = strstr(out, "\"ref\":\"R-0\"");
    ASSERT_MSG(o0 && r0 && o0 < r0, "oldest two, the newer first: %s", out);
    ASSERT_CONTAINS(out, "\"count\":2,\"offset\":8,\"limit\":4,\"total\":10}");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=all&order=newest&offset=10", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"features\":[],\"count\":0,\"offset\":10");
    free(out);
    /* the default, oldest first, as before */
    ASSERT_EQ(srvtest_req("GET", "/api/reports?status=all&limit=1", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"ref\":\"R-0\"");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/reports?order=latest", fld, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "order: oldest (the default) or newest (got 'latest')");
    free(out);

    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        srvtest_stop_server();
        printf("SKIPPED: the browser part of proposals_browser_our_reports_says_what_it_leaves_out needs chromium "
               "and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 100 node myreports.test.js", root,
                       srvtest_base);
    ASSERT_MSG(rc == 0, "browser test of our reports failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "our reports test passed");
    free(out);
    srvtest_stop_server();
}

/* The field report form proposes a hazard and the review queue shows and
 * approves it (tests/browser/proposals.test.js). Skipped, saying so,
 * without Chromium. */
TEST(proposals_browser_form_and_approval)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: proposals_browser_form_and_approval needs chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    srvtest_setup_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out,
                       "cd '%s/tests/browser' && DEMINE_URL=%s ARTIFACTS='%s/tests/browser/artifacts' "
                       "timeout 120 node proposals.test.js",
                       root, srvtest_base, root);
    ASSERT_MSG(rc == 0, "browser proposals test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "proposals test passed");
    free(out);
    srvtest_stop_server();
}
