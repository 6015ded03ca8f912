/* SPDX-License-Identifier: MIT
 *
 * test_server_qceore.c -- quality control and risk education in the staff
 * web map's statistics (web/js/app.js), driven in headless Chromium
 * (tests/browser/qceore.test.js): each organisation's measured detection
 * probability (GET /api/qc), the settlements no risk education session
 * reached (GET /api/eore) and a click on one taking the map to it, the
 * layer eore_sessions, all in English and Azerbaijani; a field user's own
 * organisation's rates, none yet, and the server's refusal said. Skipped,
 * saying so, without Chromium.
 */
#include "srvtest.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HALO and Bravo each cleared a field by hand and were inspected, Bravo's
 * inspection finding an item its clearance missed (as in
 * tests/unit/test_server_qc.c); three settlements near hazard H-1, one of
 * them reached by a session; field users of HALO (fld), of Charlie (chl,
 * never inspected) and of no organisation (nob). */
static void qceore_db(void)
{
    srvtest_setup_db();
    dmtest_write_file(dmtest_path("acts.csv"),
                      "ref,activity_type,organisation,method,start_date,end_date,wkt\n"
                      "CLR-H,clearance,HALO,manual,2023-03-01,2023-04-01,\"POLYGON((46.900 39.900,46.902 "
                      "39.900,46.902 39.901,46.900 39.901,46.900 39.900))\"\n"
                      "CLR-B,clearance,Bravo,manual,2023-03-01,2023-04-01,\"POLYGON((46.910 39.900,46.912 "
                      "39.900,46.912 39.901,46.910 39.901,46.910 39.900))\"\n"
                      "QC-H,qc,NMAC,manual,2023-06-01,2023-06-01,\"POLYGON((46.9005 39.9002,46.9015 39.9002,"
                      "46.9015 39.9008,46.9005 39.9008,46.9005 39.9002))\"\n"
                      "QC-B,qc,NMAC,manual,2023-06-01,2023-06-01,\"POLYGON((46.9105 39.9002,46.9115 39.9002,"
                      "46.9115 39.9008,46.9105 39.9008,46.9105 39.9002))\"\n");
    ASSERT_DEMINE(0, "imported 4 rows", "import t.gpkg --layer activities acts.csv");
    ASSERT_DEMINE(0, NULL, "edit t.gpkg QC-H inspects_id=CLR-H --reason test");
    ASSERT_DEMINE(0, NULL, "edit t.gpkg QC-B inspects_id=CLR-B --reason test");
    dmtest_write_file(dmtest_path("items.csv"), "category,activity_id,found_date,lat,lon\n"
                                                "AP,QC-B,2023-06-01,39.9005,46.9110\n");
    ASSERT_DEMINE(0, "imported 1 row", "import t.gpkg --layer items items.csv");
    dmtest_write_file(dmtest_path("s.csv"), "class,name,population,returning,lon,lat\n"
                                            "settlement,Near,800,100,46.903,39.903\n"
                                            "settlement,Small,50,0,46.905,39.915\n"
                                            "settlement,Reached,500,0,46.904,39.904\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import t.gpkg --layer features s.csv");
    dmtest_write_file(dmtest_path("e.csv"), "date,settlement,delivery,women,girls,lon,lat\n"
                                            "2025-05-01,Reached,school,20,10,46.904,39.904\n");
    ASSERT_DEMINE(0, "imported 1 row", "import t.gpkg --layer eore_sessions e.csv");
    dmtest_write_file(dmtest_path("o.csv"), "name,kind\nCharlie,ngo\n");
    ASSERT_DEMINE(0, "imported 1 row", "import t.gpkg --layer organisations o.csv");
    char *out = NULL;
    const char *bin = getenv("DEMINE_BIN");
    /* `demine user add` gives every field user an organisation: one made
     * before it did has none (the server refuses it quality control) */
    ASSERT_EQ(dmtest_sh(&out,
                        "cd '%s' && export PW=fieldpw12; '%s' user add t.gpkg chl --role field --org Charlie "
                        "--password-env PW && '%s' user add t.gpkg nob --role field --org HALO --password-env PW && "
                        "sqlite3 t.gpkg \"UPDATE users SET organisation = NULL WHERE name = 'nob'\"",
                        dmtest_tmpdir(), bin, bin),
              0);
    free(out);
}

/* The server's answers the page shows. */
TEST(qceore_api_answers_the_page_reads)
{
    qceore_db();
    srvtest_start_server();
    char ana[65], nob[65], *out = NULL;
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("nob", "fieldpw12", nob);
    ASSERT_EQ(srvtest_req("GET", "/api/qc", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"organisation\":\"Bravo\"");
    ASSERT_CONTAINS(out, "\"missed\":1");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/qc", nob, NULL, NULL, &out, NULL), 403);
    ASSERT_CONTAINS(out, "user nob has none");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/eore", nob, NULL, NULL, &out, NULL), 200);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j, "%s", out);
    free(out);
    ASSERT_EQ(json_integer_value(json_object_get(j, "people_not_reached")), 950);
    json_t *first = json_array_get(json_object_get(j, "ranking"), 0);
    ASSERT_STREQ(json_string_value(json_object_get(first, "name")), "Near");
    /* each settlement's place, which the page flies to without reading
     * its row of layer features: Near's point, 46.903 E 39.903 N */
    ASSERT_NEAR(json_number_value(json_object_get(first, "lon")), 46.903, 1e-5);
    ASSERT_NEAR(json_number_value(json_object_get(first, "lat")), 39.903, 1e-5);
    json_t *arr = json_object_get(j, "ranking");
    ASSERT_EQ(json_array_size(arr), 3);
    for (size_t i = 0; i < json_array_size(arr); i++)
        ASSERT(json_is_number(json_object_get(json_array_get(arr, i), "lon")) &&
               json_is_number(json_object_get(json_array_get(arr, i), "lat")));
    /* the row by its uuid, the page's way when a ranking has none */
    char path[128], *row = NULL;
    snprintf(path, sizeof path, "/api/features/%s", json_string_value(json_object_get(first, "uuid")));
    json_decref(j);
    ASSERT_EQ(srvtest_req("GET", path, nob, NULL, NULL, &row, NULL), 200);
    ASSERT_CONTAINS(row, "46.903");
    free(row);
    srvtest_stop_server();
}

/* The statistics tab in a browser (tests/browser/qceore.test.js). */
TEST(qceore_browser_statistics_quality_control_and_risk_education)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: qceore_browser_statistics_quality_control_and_risk_education needs chromium and `npm ci` "
               "in tests/browser\n");
        return;
    }
    free(out);
    qceore_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 150 node qceore.test.js", root,
                       srvtest_base);
    ASSERT_MSG(rc == 0, "browser qc/eore test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "qceore test passed");
    free(out);
    srvtest_stop_server();
}
