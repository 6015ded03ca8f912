/* SPDX-License-Identifier: MIT
 *
 * test_server_qc.c -- GET /api/qc: the detection probabilities quality
 * control measured (demine qc) for the staff: every organisation's for an
 * analyst, a field user's own organisation's alone; GET /api/eore: the
 * settlements risk education has not reached, ranked (demine eore).
 */
#include "srvtest.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

/* HALO and Bravo each cleared a field by hand; one inspection of each,
 * Bravo's finding an item its clearance missed. */
static void add_inspections(void)
{
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
}

TEST(server_qc_gives_each_organisation_its_own_rates)
{
    srvtest_setup_db();
    add_inspections();
    srvtest_start_server();
    char ana[65], fld[65], *out = NULL;
    srvtest_login("ana", "analystpw1", ana);
    srvtest_login("fld", "fieldpw12", fld);
    /* not without a session */
    ASSERT_EQ(srvtest_req("GET", "/api/qc", NULL, NULL, NULL, &out, NULL), 401);
    free(out);
    /* the analyst: both organisations, Bravo's missed item */
    ASSERT_EQ(srvtest_req("GET", "/api/qc", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"HALO\"");
    ASSERT_CONTAINS(out, "\"Bravo\"");
    ASSERT_CONTAINS(out, "\"inspections\":2");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/qc?org=bravo", ana, NULL, NULL, &out, NULL), 200);
    ASSERT(!strstr(out, "\"HALO\""));
    ASSERT_CONTAINS(out, "\"Bravo\"");
    free(out);
    /* the field user of HALO: HALO's alone, whatever it asks */
    ASSERT_EQ(srvtest_req("GET", "/api/qc?org=Bravo", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"HALO\"");
    ASSERT(!strstr(out, "Bravo"));
    free(out);
    /* dates */
    ASSERT_EQ(srvtest_req("GET", "/api/qc?from=2024-01-01", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"inspections\":0");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/qc?from=yesterday", ana, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "from: not a date: 'yesterday'");
    free(out);
    ASSERT_EQ(srvtest_req("POST", "/api/qc", ana, NULL, "{}", &out, NULL), 405);
    free(out);
    srvtest_stop_server();
}

/* GET /api/eore: the settlements no risk education reached, ranked, for
 * the staff (a login needed; the public gets none of it). Settlement S near
 * hazard H-1 of the test database, no session: first, ranked 1. */
TEST(server_eore_ranks_the_settlements_not_reached)
{
    srvtest_setup_db();
    dmtest_write_file(dmtest_path("s.csv"),
                      "class,name,population,returning,lon,lat\n"
                      "settlement,Near,800,100,46.903,39.903\n"
                      "settlement,Reached,500,0,46.904,39.904\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import t.gpkg --layer features s.csv");
    dmtest_write_file(dmtest_path("e.csv"), "date,settlement,women,girls\n2025-05-01,Reached,20,10\n");
    ASSERT_DEMINE(0, "imported 1 row", "import t.gpkg --layer eore_sessions e.csv");
    srvtest_start_server();
    char fld[65], *out = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    ASSERT_EQ(srvtest_req("GET", "/api/eore", NULL, NULL, NULL, &out, NULL), 401);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/eore?date=2025-06-01", fld, NULL, NULL, &out, NULL), 200);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j, "%s", out);
    free(out);
    json_t *first = json_array_get(json_object_get(j, "ranking"), 0);
    ASSERT_STREQ(json_string_value(json_object_get(first, "name")), "Near");
    ASSERT_EQ(json_integer_value(json_object_get(first, "rank")), 1);
    json_t *second = json_array_get(json_object_get(j, "ranking"), 1);
    ASSERT_STREQ(json_string_value(json_object_get(second, "name")), "Reached");
    ASSERT_EQ(json_integer_value(json_object_get(second, "rank")), 0);
    json_decref(j);
    ASSERT_EQ(srvtest_req("GET", "/api/eore?within=0", fld, NULL, NULL, &out, NULL), 400);
    ASSERT_CONTAINS(out, "within: kilometres");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/eore?district=Nowhere", fld, NULL, NULL, &out, NULL), 404);
    ASSERT_CONTAINS(out, "Nowhere");
    free(out);
    srvtest_stop_server();
}
