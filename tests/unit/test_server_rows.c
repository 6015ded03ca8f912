/* SPDX-License-Identifier: MIT
 *
 * test_server_rows.c -- creating and deleting rows over the HTTP API, end
 * to end on 127.0.0.1 with curl: POST /api/{layer} (a hazard read back with
 * its areas from the polygon, its author and reason in the change log; the
 * refusals, each naming the field, with nothing stored) and DELETE
 * /api/{layer}/{id} (If-Match, a reason, refused while other rows point at
 * the row); undoing a deletion (GET /api/deleted, POST
 * /api/{layer}/{uuid}/restore); and the staff map's "New", "Delete" and
 * "Undo" in headless Chromium (tests/browser/create.test.js, undo.test.js;
 * skipped, saying so, without Chromium).
 */
#include "srvtest.h"

/* ============================== fixture ============================== */

/* The ETag of a row as GET gives it. */
static void etag_of(const char *path, const char *token, char etag[64])
{
    char *out = NULL, *hdr = NULL;
    ASSERT_EQ(srvtest_req("GET", path, token, NULL, NULL, &out, &hdr), 200);
    ASSERT_MSG(srvtest_header_value(hdr, "ETag", etag, 64), "no ETag for %s", path);
    free(out);
    free(hdr);
}

#define SQUARE                                                                                                         \
    "{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.95],[46.96,39.95],[46.96,39.96],[46.95,39.96],[46.95,39.95]]]}"

/* ============================== tests ============================== */

/* A hazard reported by phone, entered as a GeoJSON Feature: 201 with its
 * uuid and ref, Location and ETag; read back with its fields, the areas
 * from its polygon (est_area_ha, and remaining_area_ha as all of it while
 * open), the user as author and the reason in the change log. A release
 * area names its hazard by ref. */
TEST(rows_create_a_hazard_and_read_it_back)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], *out = NULL, *hdr = NULL;
    srvtest_login("ana", "analystpw1", ana);
    long before = srvtest_rows_of("hazards");
    int code = srvtest_req("POST", "/api/hazards", ana, NULL,
                   "{\"type\":\"Feature\",\"properties\":{\"ref\":\"PH-0001\",\"hazard_type\":\"SHA\","
                   "\"ordnance\":\"AP,AT\",\"reliability\":3,\"reported_date\":\"2025-05-01\",\"settlement\":\"Kend\"},"
                   "\"geometry\":" SQUARE ",\"reason\":\"  phoned in by the village head  \"}",
                   &out, &hdr);
    ASSERT_MSG(code == 201, "create: %d %s", code, out);
    ASSERT_CONTAINS(out, "\"ref\":\"PH-0001\"");
    char uuid[37];
    const char *p = strstr(out, "\"uuid\":\"");
    ASSERT(p);
    memcpy(uuid, p + 8, 36);
    uuid[36] = '\0';
    char loc[200], tag[64], want[200];
    ASSERT(srvtest_header_value(hdr, "Location", loc, sizeof loc));
    snprintf(want, sizeof want, "hazards/%s", uuid);
    ASSERT_STREQ(loc, want);
    ASSERT(srvtest_header_value(hdr, "ETag", tag, sizeof tag));
    free(out);
    free(hdr);
    ASSERT_EQ(srvtest_rows_of("hazards"), before + 1);

    /* read back: the ETag is the row's, the fields as sent, normalised */
    char path[200], tag2[64];
    snprintf(path, sizeof path, "/api/hazards/%s", uuid);
    etag_of(path, ana, tag2);
    ASSERT_STREQ(tag, tag2);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/PH-0001", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"hazard_type\":\"SHA\"");
    ASSERT_CONTAINS(out, "\"ordnance\":\"AP,AT\"");
    ASSERT_CONTAINS(out, "\"reliability\":3");
    ASSERT_CONTAINS(out, "\"settlement\":\"Kend\"");
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT_CONTAINS(out, "\"MultiPolygon\"");
    /* the areas follow from the polygon */
    dm_geom *g = NULL;
    double ha = 0;
    ASSERT_OK(dm_geom_from_geojson(dmtest_ctx(), SQUARE, &g));
    ASSERT_OK(dm_geom_area_ha(dmtest_ctx(), g, &ha));
    dm_geom_free(g);
    ASSERT(ha > 80 && ha < 100);
    ASSERT_NEAR(srvtest_num_after(out, "\"est_area_ha\":"), ha, 1e-3);
    ASSERT_NEAR(srvtest_num_after(out, "\"remaining_area_ha\":"), ha, 1e-3);
    free(out);

    /* the change log: inserted by ana, the reason (trimmed) with her name */
    char *h = srvtest_history_of(uuid);
    ASSERT_CONTAINS(h, "\"op\":\"insert\"");
    ASSERT_CONTAINS(h, "\"author\":\"ana\"");
    ASSERT_CONTAINS(h, "\"reason\":\"phoned in by the village head\"");
    ASSERT(!strstr(h, "\"author\":\"anonymous\""));
    /* one entry: the reason is on the insertion itself */
    ASSERT(!strstr(h, "\"op\":\"update\""));
    free(h);

    /* a closed hazard keeps nothing remaining; a flat object of fields is
     * taken as a feature's properties */
    code = srvtest_req("POST", "/api/hazards", ana, NULL,
               "{\"hazard_type\":\"CHA\",\"status\":\"closed\",\"est_area_ha\":2.5,\"geometry\":" SQUARE
               ",\"reason\":\"from the 2019 survey\"}",
               &out, NULL);
    ASSERT_MSG(code == 201, "flat: %d %s", code, out);
    ASSERT(!strstr(out, "\"ref\""));
    char u2[37];
    memcpy(u2, strstr(out, "\"uuid\":\"") + 8, 36);
    u2[36] = '\0';
    free(out);
    snprintf(path, sizeof path, "/api/hazards/%s", u2);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
    ASSERT_NEAR(srvtest_num_after(out, "\"est_area_ha\":"), 2.5, 1e-9);
    ASSERT_NEAR(srvtest_num_after(out, "\"remaining_area_ha\":"), 0, 1e-9);
    free(out);

    /* a release area naming its hazard by ref: stored as the hazard's uuid */
    code = srvtest_req("POST", "/api/release_areas", ana, NULL,
               "{\"type\":\"Feature\",\"properties\":{\"outcome\":\"cancelled\",\"hazard_id\":\"PH-0001\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.95],[46.955,39.95],[46.955,39.955],"
               "[46.95,39.95]]]},\"reason\":\"NTS cancelled the corner\"}",
               &out, NULL);
    ASSERT_MSG(code == 201, "release area: %d %s", code, out);
    char ra[37];
    memcpy(ra, strstr(out, "\"uuid\":\"") + 8, 36);
    ra[36] = '\0';
    free(out);
    snprintf(path, sizeof path, "/api/release_areas/%s", ra);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
    char hz[80];
    snprintf(hz, sizeof hz, "\"hazard_id\":\"%s\"", uuid);
    ASSERT_CONTAINS(out, hz);
    ASSERT(srvtest_num_after(out, "\"area_ha\":") > 1);
    free(out);
    /* an admin may too; the map feature of any geometry type */
    char adm[65];
    srvtest_login("adm", "adminpw123", adm);
    code = srvtest_req("POST", "/api/features", adm, NULL,
               "{\"class\":\"bridge\",\"name\":\"Old bridge\",\"geometry\":{\"type\":\"LineString\","
               "\"coordinates\":[[46.95,39.95],[46.951,39.951]]},\"reason\":\"seen on the site visit\"}",
               &out, NULL);
    ASSERT_MSG(code == 201, "feature: %d %s", code, out);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/features?class=bridge", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"name\":\"Old bridge\"");
    ASSERT_CONTAINS(out, "\"LineString\"");
    free(out);
    srvtest_stop_server();
}

/* Every refusal names what is wrong and stores nothing: a value not of its
 * enumeration, the wrong geometry type, a polygon crossing itself, a date
 * in the future, a reference to nothing, no reason (422); a ref another
 * row has (409); a field user, the demo truth, activities and items (which
 * come as reports) (403); no session (401); no JSON (400). */
TEST(rows_create_refusals_store_nothing)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], adm[65], *out = NULL;
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("adm", "adminpw123", adm);
    /* /api/layers says where the caller may add rows, as POST decides */
    char *ls = NULL;
    ASSERT_EQ(srvtest_req("GET", "/api/layers", ana, NULL, NULL, &ls, NULL), 200);
    ASSERT_CONTAINS(ls, "{\"name\":\"hazards\",\"title\":\"Hazard areas (SHA/CHA)\",\"geometry\":\"MULTIPOLYGON\","
                        "\"sensitive\":false,\"writable\":true");
    ASSERT(strstr(ls, "{\"name\":\"activities\""));
    ASSERT(strstr(strstr(ls, "{\"name\":\"activities\""), "\"writable\":false"));
    ASSERT(strstr(strstr(ls, "{\"name\":\"activities\""), "\"writable\":false") <
           strstr(strstr(ls, "{\"name\":\"activities\""), "\"fields\""));
    free(ls);
    ASSERT_EQ(srvtest_req("GET", "/api/layers", fld, NULL, NULL, &ls, NULL), 200);
    ASSERT(!strstr(ls, "\"writable\":true"));
    ASSERT_CONTAINS(ls, "\"writable\":false");
    free(ls);
    long hz = srvtest_rows_of("hazards"), ra = srvtest_rows_of("release_areas"), it = srvtest_rows_of("items"), ac = srvtest_rows_of("activities");
    const struct {
        const char *layer, *tok, *body;
        int want;
        const char *says;
    } cases[] = {
        {"hazards", ana, "{\"hazard_type\":\"XHA\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 422,
         "field 'hazard_type': 'XHA' is not one of SHA|CHA"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"reliability\":9,\"geometry\":" SQUARE ",\"reason\":\"r\"}", 422,
         "field 'reliability'"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"colour\":\"red\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 422,
         "colour"},
        {"hazards", ana,
         "{\"hazard_type\":\"SHA\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]},\"reason\":\"r\"}",
         422, "geometry: a POINT, but layer hazards holds MULTIPOLYGON"},
        {"hazards", ana,
         "{\"hazard_type\":\"SHA\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.95],[46.96,39.96],"
         "[46.96,39.95],[46.95,39.96],[46.95,39.95]]]},\"reason\":\"r\"}",
         422, "geometry: invalid (Self-intersection"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"reason\":\"r\"}", 422, "geometry: missing"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"reported_date\":\"2099-01-01\",\"geometry\":" SQUARE
                         ",\"reason\":\"r\"}",
         422, "field 'reported_date': 2099-01-01 is in the future"},
        {"hazards", ana, "{\"ref\":\"H-1\",\"hazard_type\":\"SHA\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 409,
         "already has ref 'H-1'"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"geometry\":" SQUARE "}", 422, "reason: a new row needs a reason"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"geometry\":" SQUARE ",\"reason\":\"   \"}", 422,
         "reason: a new row needs a reason"},
        {"hazards", ana, "{\"hazard_type\":\"SHA\",\"geometry\":" SQUARE ",\"reason\":5}", 422,
         "reason: expected a string"},
        {"hazards", ana, "{\"hazard_type\":", 400, "not valid JSON"},
        {"release_areas", ana,
         "{\"outcome\":\"cleared\",\"hazard_id\":\"NO-SUCH\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 422,
         "field 'hazard_id': no hazards with id or ref 'NO-SUCH'"},
        {"hazards", fld, "{\"hazard_type\":\"SHA\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 403,
         "the field role may not"},
        {"hazards", NULL, "{\"hazard_type\":\"SHA\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 401, "login"},
        {"truth_items", ana, "{\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]},\"reason\":\"r\"}", 403,
         "truth"},
        {"truth_items", adm, "{\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]},\"reason\":\"r\"}", 403,
         "truth"},
        {"plan_tasks", adm, "{\"reason\":\"r\"}", 403, "demine plan"},
        {"activities", ana, "{\"activity_type\":\"nts\",\"geometry\":" SQUARE ",\"reason\":\"r\"}", 403,
         "POST /api/reports"},
        {"items", ana, "{\"category\":\"AP\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]},"
                       "\"reason\":\"r\"}",
         403, "POST /api/reports"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/%s", cases[i].layer);
        int code = srvtest_req("POST", path, cases[i].tok, NULL, cases[i].body, &out, NULL);
        ASSERT_MSG(code == cases[i].want, "case %zu (%s): %d, expected %d: %s", i, cases[i].body, code,
                   cases[i].want, out);
        ASSERT_MSG(strstr(out, cases[i].says), "case %zu: expected \"%s\" in %s", i, cases[i].says, out);
        free(out);
    }
    ASSERT_EQ(srvtest_rows_of("hazards"), hz);
    ASSERT_EQ(srvtest_rows_of("release_areas"), ra);
    ASSERT_EQ(srvtest_rows_of("items"), it);
    ASSERT_EQ(srvtest_rows_of("activities"), ac);
    ASSERT_EQ(srvtest_rows_of("truth_items"), 0);
    srvtest_stop_server();
}

/* DELETE needs If-Match (428) and a reason (400); a stale tag is 412; a row
 * others point at is refused (409) naming them, as `demine delete` does;
 * a field user gets 403. A row nothing points at is deleted (200), gone
 * after (404), its last values kept in the change log with the user and the
 * reason. */
TEST(rows_delete_needs_if_match_and_a_reason_and_refuses_linked_rows)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], *out = NULL, tag[64], hdr_im[120];
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    long hz = srvtest_rows_of("hazards");

    etag_of("/api/hazards/H-2", ana, tag);
    snprintf(hdr_im, sizeof hdr_im, "If-Match: %s", tag);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, NULL, "{\"reason\":\"entered twice\"}", &out, NULL), 428);
    ASSERT_CONTAINS(out, "If-Match is required");
    free(out);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, hdr_im, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "reason: a deletion needs a reason");
    free(out);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, hdr_im, "{\"reason\":\" \"}", &out, NULL), 400);
    ASSERT_CONTAINS(out, "reason:");
    free(out);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, "If-Match: \"r0000000000000000\"", "{\"reason\":\"entered twice\"}",
                  &out, NULL),
              412);
    ASSERT_CONTAINS(out, "has changed since you read it");
    free(out);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", fld, hdr_im, "{\"reason\":\"entered twice\"}", &out, NULL), 403);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz);

    /* H-1 has an item: refused, naming it */
    char tag1[64], im1[120];
    etag_of("/api/hazards/H-1", ana, tag1);
    snprintf(im1, sizeof im1, "If-Match: %s", tag1);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-1", ana, im1, "{\"reason\":\"wrong\"}", &out, NULL), 409);
    ASSERT_CONTAINS(out, "hazards H-1 is referred to by 1 row of items (hazard_id)");
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz);

    /* H-2: deleted, gone, logged */
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2", ana, NULL, NULL, &out, NULL), 200);
    char uuid[37];
    memcpy(uuid, strstr(out, "\"uuid\":\"") + 8, 36);
    uuid[36] = '\0';
    free(out);
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, hdr_im, "{\"reason\":\"entered twice\"}", &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"deleted\":true");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2", ana, NULL, NULL, &out, NULL), 404);
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz - 1);
    char *h = srvtest_history_of(uuid);
    const char *del = strstr(h, "\"op\":\"delete\"");
    ASSERT_MSG(del, "no delete in %s", h);
    ASSERT_CONTAINS(h, "\"reason\":\"entered twice\"");
    ASSERT_CONTAINS(h, "\"author\":\"ana\"");
    ASSERT_CONTAINS(h, "\"ref\":\"H-2\""); /* its last values */
    free(h);
    /* its history stays readable over HTTP by its uuid (reviewers), as the
     * change log keeps it; not in another layer, nor for a field user */
    char path[160];
    snprintf(path, sizeof path, "/api/hazards/%s/history", uuid);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"op\":\"delete\"");
    ASSERT_CONTAINS(out, "\"reason\":\"entered twice\"");
    free(out);
    snprintf(path, sizeof path, "/api/features/%s/history", uuid);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 404);
    free(out);
    snprintf(path, sizeof path, "/api/hazards/%s/history", uuid);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 404);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/not-a-uuid/history", ana, NULL, NULL, &out, NULL), 404);
    ASSERT_CONTAINS(out, "whole uuid");
    free(out);
    /* a second delete of it: 404 */
    ASSERT_EQ(srvtest_req("DELETE", "/api/hazards/H-2", ana, hdr_im, "{\"reason\":\"entered twice\"}", &out, NULL), 404);
    free(out);
    /* the item first, then H-1: the item is a report's, not deleted here */
    ASSERT_EQ(srvtest_req("DELETE", "/api/items/x", ana, hdr_im, "{\"reason\":\"r\"}", &out, NULL), 403);
    free(out);
    srvtest_stop_server();
}

/* The staff web map (tests/browser/create.test.js): an analyst draws a
 * hazard, fills the form built from /api/layers, saves, and the hazard is
 * on the map; a refused value shows the server's message naming the field;
 * a hazard is deleted from its panel with a reason, and a linked one's
 * refusal is shown; a field user sees neither New nor Delete. Skipped,
 * saying so, without Chromium. */
TEST(rows_browser_new_and_delete)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: rows_browser_new_and_delete needs chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    srvtest_setup_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 150 node create.test.js", root, srvtest_base);
    ASSERT_MSG(rc == 0, "browser create test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "create test passed");
    free(out);
    /* what the page stored: the hazard drawn, with the reason typed */
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    const char *f[1] = {"ref"}, *v[1] = {"WEB-0001"};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    long n = 0;
    ASSERT_OK(dm_store_count(s, "hazards", &sel, &n));
    ASSERT_EQ(n, 1);
    dm_store_close(s);
    srvtest_stop_server();
}

/* The uuid after "uuid":" in a JSON answer. */
static void uuid_in(const char *json, char uuid[37])
{
    const char *p = strstr(json, "\"uuid\":\"");
    ASSERT_MSG(p, "no uuid in %s", json);
    memcpy(uuid, p + 8, 36);
    uuid[36] = '\0';
}

/* DELETE a row as read now (its ETag as If-Match), with a reason. */
static void delete_row(const char *path, const char *token, const char *reason)
{
    char tag[64], im[120], body[200], *out = NULL;
    etag_of(path, token, tag);
    snprintf(im, sizeof im, "If-Match: %s", tag);
    snprintf(body, sizeof body, "{\"reason\":\"%s\"}", reason);
    int code = srvtest_req("DELETE", path, token, im, body, &out, NULL);
    ASSERT_MSG(code == 200, "delete %s: %d %s", path, code, out);
    free(out);
}

/* Undoing a deletion: GET /api/deleted lists a deleted row with who, when,
 * why and a label (not one restored since, nor for a field user); POST
 * /api/hazards/{uuid}/restore puts it back with the same uuid, logged with
 * the reason; then 409 (not deleted). 404 for another layer's row or no
 * uuid, 400 without a reason, 403 for a field user; 422 naming the field
 * when the insertion is refused (its ref taken since, the hazard it points
 * at gone), with nothing changed. */
TEST(rows_deleted_list_and_restore)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], *out = NULL, *hdr = NULL, path[200], h2[37];
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"deleted\":[]");
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2", ana, NULL, NULL, &out, NULL), 200);
    uuid_in(out, h2);
    free(out);
    delete_row("/api/hazards/H-2", ana, "entered twice");
    long hz = srvtest_rows_of("hazards");

    /* listed, with who, when, why and a label */
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", ana, NULL, NULL, &out, NULL), 200);
    char want[300];
    snprintf(want, sizeof want, "{\"uuid\":\"%s\",\"layer\":\"hazards\",\"time\":\"", h2);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "\"author\":\"ana\",\"reason\":\"entered twice\",\"ref\":\"H-2\",\"label\":\"H-2 SHA\"");
    ASSERT_CONTAINS(out, "\"count\":1,\"offset\":0,\"limit\":1000,\"total\":1");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=hazards&limit=5", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, h2);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=features", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=nosuch", ana, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "layer: no layer 'nosuch'");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=truth_items", ana, NULL, NULL, &out, NULL), 403);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?limit=0", ana, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "limit:");
    free(out);
    /* a field user sees none of it, nor restores */
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", fld, NULL, NULL, &out, NULL), 403);
    ASSERT(!strstr(out, h2));
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", NULL, NULL, NULL, &out, NULL), 401);
    free(out);
    snprintf(path, sizeof path, "/api/hazards/%s/restore", h2);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":\"undo\"}", &out, NULL), 403);
    free(out);

    /* refusals change nothing */
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "reason: a restoration needs a reason");
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"  \"}", &out, NULL), 400);
    free(out);
    ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, &hdr), 405);
    char allow[64];
    ASSERT(srvtest_header_value(hdr, "Allow", allow, sizeof allow));
    ASSERT_STREQ(allow, "POST");
    free(out);
    free(hdr);
    snprintf(path, sizeof path, "/api/features/%s/restore", h2);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"undo\"}", &out, NULL), 404);
    free(out);
    ASSERT_EQ(srvtest_req("POST", "/api/hazards/00000000-0000-4000-8000-000000000000/restore", ana, NULL,
                  "{\"reason\":\"undo\"}", &out, NULL),
              404);
    free(out);
    ASSERT_EQ(srvtest_req("POST", "/api/hazards/H-2/restore", ana, NULL, "{\"reason\":\"undo\"}", &out, NULL), 404);
    ASSERT_CONTAINS(out, "whole uuid");
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz);

    /* restored: the same uuid, its values, the reason in the change log */
    snprintf(path, sizeof path, "/api/hazards/%s/restore", h2);
    int code = srvtest_req("POST", path, ana, NULL, "{\"reason\":\"undo\"}", &out, &hdr);
    ASSERT_MSG(code == 200, "restore: %d %s", code, out);
    snprintf(want, sizeof want, "{\"uuid\":\"%s\",\"layer\":\"hazards\",\"ref\":\"H-2\",\"restored\":true}", h2);
    ASSERT_STREQ(out, want);
    char tag[64];
    ASSERT(srvtest_header_value(hdr, "ETag", tag, sizeof tag));
    free(out);
    free(hdr);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz + 1);
    ASSERT_EQ(srvtest_req("GET", "/api/hazards/H-2", ana, NULL, NULL, &out, NULL), 200);
    char back[37];
    uuid_in(out, back);
    ASSERT_STREQ(back, h2);
    ASSERT_CONTAINS(out, "\"hazard_type\":\"SHA\"");
    free(out);
    char *h = srvtest_history_of(h2);
    ASSERT_CONTAINS(h, "\"reason\":\"restored: undo\"");
    free(h);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", ana, NULL, NULL, &out, NULL), 200);
    ASSERT(!strstr(out, h2));
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    /* not deleted: 409 */
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"undo\"}", &out, NULL), 409);
    ASSERT_CONTAINS(out, "is not deleted");
    free(out);

    /* its ref taken since: 422 naming it; still deleted, nothing added */
    delete_row("/api/hazards/H-2", ana, "entered twice after all");
    code = srvtest_req("POST", "/api/hazards", ana, NULL,
               "{\"ref\":\"H-2\",\"hazard_type\":\"CHA\",\"geometry\":" SQUARE ",\"reason\":\"the real H-2\"}", &out,
               NULL);
    ASSERT_MSG(code == 201, "create: %d %s", code, out);
    free(out);
    hz = srvtest_rows_of("hazards");
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"undo\"}", &out, NULL), 422);
    ASSERT_CONTAINS(out, "ref 'H-2'");
    free(out);
    ASSERT_EQ(srvtest_rows_of("hazards"), hz);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, h2);
    ASSERT_CONTAINS(out, "\"reason\":\"entered twice after all\"");
    free(out);

    /* the hazard it points at gone: 422 naming the field */
    code = srvtest_req("POST", "/api/release_areas", ana, NULL,
               "{\"outcome\":\"cancelled\",\"hazard_id\":\"H-2\",\"geometry\":" SQUARE ",\"reason\":\"NTS\"}", &out,
               NULL);
    ASSERT_MSG(code == 201, "release area: %d %s", code, out);
    char ra[37];
    uuid_in(out, ra);
    free(out);
    snprintf(path, sizeof path, "/api/release_areas/%s", ra);
    delete_row(path, ana, "wrong hazard");
    delete_row("/api/hazards/H-2", ana, "not a hazard after all");
    long nra = srvtest_rows_of("release_areas");
    snprintf(path, sizeof path, "/api/release_areas/%s/restore", ra);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"undo\"}", &out, NULL), 422);
    ASSERT_CONTAINS(out, "field 'hazard_id': no hazards with id or ref");
    free(out);
    ASSERT_EQ(srvtest_rows_of("release_areas"), nra);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=release_areas", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, ra);
    free(out);
    srvtest_stop_server();
}

/* The staff web map (tests/browser/undo.test.js): a hazard deleted from its
 * panel comes back with the Undo of the message, with the same uuid; deleted
 * again, it is in the "Deleted rows" list (layer, label, who, why) and
 * Restore, with a reason, puts it back; a field user sees no list. Skipped,
 * saying so, without Chromium. */
TEST(rows_browser_undo)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: rows_browser_undo needs chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    srvtest_setup_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 150 node undo.test.js", root, srvtest_base);
    ASSERT_MSG(rc == 0, "browser undo test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "undo test passed");
    free(out);
    /* what the page did: H-2 there, its change log holding both restorations */
    ASSERT_EQ(srvtest_rows_of("hazards"), 2);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    char layer[64], uuid[37];
    ASSERT_OK(dm_store_resolve(s, "hazards", "H-2", NULL, uuid));
    int deleted = 1;
    ASSERT_OK(dm_store_log_state(s, uuid, layer, &deleted));
    ASSERT_EQ(deleted, 0);
    dm_store_close(s);
    char *h = srvtest_history_of(uuid);
    ASSERT_CONTAINS(h, "\"reason\":\"restored: undo\"");
    ASSERT_CONTAINS(h, "\"reason\":\"restored: deleted by mistake\"");
    free(h);
    srvtest_stop_server();
}

/* A find deleted in another program (QGIS) is in the undo list and put
 * back over the API, as `demine restore` does, though finds are not made or
 * deleted one by one there (they come with their field report). */
TEST(rows_a_find_deleted_in_qgis_is_listed_and_restored)
{
    srvtest_setup_db();
    srvtest_start_server();
    char ana[65], fld[65], *out = NULL, path[200];
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    char *uuid = NULL;
    ASSERT_EQ(dmtest_sh(&uuid, "cd '%s' && sqlite3 t.gpkg 'SELECT uuid FROM items LIMIT 1'", dmtest_tmpdir()), 0);
    uuid[strcspn(uuid, "\n")] = '\0';
    ASSERT_EQ(dmtest_sh(&out, "cd '%s' && ogrinfo -q t.gpkg -sql \"DELETE FROM items\" 2>&1", dmtest_tmpdir()), 0);
    free(out);
    ASSERT_EQ(srvtest_rows_of("items"), 0);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, uuid);
    ASSERT_CONTAINS(out, "\"layer\":\"items\"");
    ASSERT_CONTAINS(out, "\"author\":\"outside demine\",\"reason\":\"deleted outside demine\"");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/deleted?layer=items", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, uuid);
    free(out);
    snprintf(path, sizeof path, "/api/items/%s/restore", uuid);
    ASSERT_EQ(srvtest_req("POST", path, fld, NULL, "{\"reason\":\"undo\"}", &out, NULL), 403);
    free(out);
    ASSERT_EQ(srvtest_req("POST", path, ana, NULL, "{\"reason\":\"deleted in QGIS by mistake\"}", &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"restored\":true");
    free(out);
    ASSERT_EQ(srvtest_rows_of("items"), 1);
    /* making or deleting one over the API stays refused */
    ASSERT_EQ(srvtest_req("POST", "/api/items", ana, NULL, "{\"category\":\"AP\"}", &out, NULL), 403);
    ASSERT_CONTAINS(out, "field report");
    free(out);
    free(uuid);
    srvtest_stop_server();
}
