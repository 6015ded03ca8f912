/* SPDX-License-Identifier: MIT
 *
 * test_eore.c -- explosive ordnance risk education: the layer eore_sessions
 * (and its migration into an older database), `demine eore` (which
 * settlements near danger no session reached, sessions matched by name and
 * by distance, the ranking, bad input) and the EORE figures of the
 * statistics.
 */
#include "dmtest.h"

#include "demine/demine.h"
#include "demine/dm_eore.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A square of side d degrees at (x, y) as WKT. */
static const char *square(double x, double y, double d, char *buf, size_t n)
{
    snprintf(buf, n, "\"POLYGON((%.4f %.4f,%.4f %.4f,%.4f %.4f,%.4f %.4f,%.4f %.4f))\"", x, y, x + d, y, x + d,
             y + d, x, y + d, x, y);
    return buf;
}

/* Five settlements along 39.90 N (0.01 degree of longitude is 853 m):
 *   Alpha (1000 + 200 returning) with hazard H1 430 m east and an accident;
 *   Zeta, no population recorded, 300 m east of H1;
 *   Beta (5000) with H2 near it, reached by a session naming it "beta";
 *   Gamma (300) with H3 near it, reached by a session point 260 m away;
 *   Delta (100), far, near a closed hazard alone: no danger.
 * Sessions: one of 2020 in Alpha (before the default since), one naming
 * a settlement that is none. */
static void make_db(void)
{
    char a[200], b[200], c[200], d[200], e[200], h1[200], h2[200], h3[200], h4[200];
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    char *txt = NULL;
    if (asprintf(&txt,
                 "class,name,population,returning,wkt\n"
                 "settlement,Alpha,1000,200,%s\n"
                 "settlement,Zeta,,,%s\n"
                 "settlement,Beta,5000,0,%s\n"
                 "settlement,Gamma,300,0,%s\n"
                 "settlement,Delta,100,0,%s\n",
                 square(46.900, 39.900, 0.005, a, sizeof a), square(46.9155, 39.900, 0.003, e, sizeof e),
                 square(46.950, 39.900, 0.005, b, sizeof b), square(47.000, 39.900, 0.005, c, sizeof c),
                 square(47.200, 40.100, 0.005, d, sizeof d)) < 0)
        ASSERT(0);
    dmtest_write_file(dmtest_path("s.csv"), txt);
    free(txt);
    ASSERT_DEMINE(0, "imported 5 rows", "import db.gpkg --layer features s.csv");
    if (asprintf(&txt,
                 "ref,hazard_type,status,est_area_ha,remaining_area_ha,wkt\n"
                 "H1,CHA,open,10,8,%s\n"
                 "H2,SHA,open,6,5,%s\n"
                 "H3,SHA,partly_released,4,3,%s\n"
                 "H4,SHA,closed,20,0,%s\n",
                 square(46.910, 39.900, 0.002, h1, sizeof h1), square(46.960, 39.900, 0.002, h2, sizeof h2),
                 square(47.010, 39.900, 0.002, h3, sizeof h3), square(47.210, 40.100, 0.002, h4, sizeof h4)) < 0)
        ASSERT(0);
    dmtest_write_file(dmtest_path("h.csv"), txt);
    free(txt);
    ASSERT_DEMINE(0, "imported 4 rows", "import db.gpkg --layer hazards h.csv");
    dmtest_write_file(dmtest_path("a.csv"), "date,killed,injured,demining,lon,lat\n"
                                            "2024-01-10,1,2,no,46.911,39.901\n"
                                            "2015-06-01,3,0,no,46.911,39.901\n"
                                            "2024-02-01,0,1,yes,46.961,39.901\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer accidents a.csv");
}

static void add_sessions(void)
{
    /* by name, any case, no point */
    dmtest_write_file(dmtest_path("e1.csv"), "date,settlement,district,delivery,men,women,boys,girls,organisation\n"
                                             "2024-05-01,beta,,school,10,12,5,6,Safe Point\n"
                                             "2020-04-01,ALPHA,,session,4,4,0,0,ANAMA\n"
                                             "2024-06-01,Nowhere,,media,0,0,0,0,ANAMA\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer eore_sessions e1.csv");
    /* by its point, 260 m east of Gamma, no name */
    dmtest_write_file(dmtest_path("e2.csv"), "date,delivery,men,women,boys,girls,lon,lat\n"
                                             "2025-03-01,door_to_door,3,7,2,1,47.008,39.903\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer eore_sessions e2.csv");
}

static json_t *eore_json(const char *args)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "eore db.gpkg --json --date 2025-06-01 %s", args);
    ASSERT_MSG(rc == 0, "eore: %s", out);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "eore --json: %s: %s", err.text, out);
    free(out);
    return j;
}

static json_t *settlement(json_t *j, const char *name)
{
    json_t *arr = json_object_get(j, "ranking");
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(arr, i), "name")), name))
            return json_array_get(arr, i);
    return NULL;
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

TEST(eore_ranks_settlements_not_reached_above_those_reached)
{
    make_db();
    add_sessions();
    json_t *j = eore_json("");
    /* no risk map: danger in hectares */
    ASSERT_STREQ(json_string_value(json_object_get(j, "danger")), "remaining_ha");
    ASSERT_STREQ(json_string_value(json_object_get(j, "since")), "2023-03-01"); /* 2 years before 2025-03-01 */
    ASSERT_EQ(num(j, "settlements"), 5);
    ASSERT_EQ(num(j, "near_danger"), 4); /* Delta: a closed hazard alone */
    ASSERT_EQ(num(j, "reached"), 2);
    ASSERT_EQ(num(j, "not_reached"), 2);
    ASSERT_EQ(num(j, "people_not_reached"), 1200);
    ASSERT_EQ(num(j, "sessions"), 4);
    ASSERT_EQ(num(j, "sessions_unmatched"), 1);
    json_t *arr = json_object_get(j, "ranking");
    ASSERT_EQ(json_array_size(arr), 4);
    /* Alpha, not reached since 2023-03-01, ranks first, above Beta (more
     * people and as much danger, but reached) */
    json_t *alpha = json_array_get(arr, 0);
    ASSERT_STREQ(json_string_value(json_object_get(alpha, "name")), "Alpha");
    ASSERT_EQ(num(alpha, "rank"), 1);
    ASSERT_EQ(num(alpha, "people"), 1200);
    ASSERT_EQ(num(alpha, "hazards"), 1);
    ASSERT_NEAR(num(alpha, "remaining_ha"), 8, 1e-9);
    ASSERT_EQ(num(alpha, "accidents"), 1); /* not the one of 2015, nor the demining one */
    ASSERT_EQ(num(alpha, "killed"), 1);
    ASSERT_EQ(num(alpha, "injured"), 2);
    ASSERT_NEAR(num(alpha, "danger"), 8 + DM_EORE_ACCIDENT_WEIGHT, 1e-9);
    ASSERT_NEAR(num(alpha, "priority"), 1200 * (8 + DM_EORE_ACCIDENT_WEIGHT), 1e-6);
    ASSERT_STREQ(json_string_value(json_object_get(alpha, "last_session")), "2020-04-01");
    ASSERT_CONTAINS(json_string_value(json_object_get(alpha, "note")), "last reached 2020-04-01");
    /* Zeta: no population, listed with its danger and a note */
    json_t *zeta = json_array_get(arr, 1);
    ASSERT_STREQ(json_string_value(json_object_get(zeta, "name")), "Zeta");
    ASSERT_EQ(num(zeta, "rank"), 2);
    ASSERT_EQ(num(zeta, "priority"), 0);
    ASSERT(num(zeta, "danger") > 0);
    ASSERT_CONTAINS(json_string_value(json_object_get(zeta, "note")), "no population recorded");
    /* Beta: matched by its name in another case; Gamma by the point */
    json_t *beta = settlement(j, "Beta"), *gamma = settlement(j, "Gamma");
    ASSERT(beta && gamma);
    ASSERT(json_is_true(json_object_get(beta, "reached")));
    ASSERT(json_is_null(json_object_get(beta, "rank")));
    ASSERT_EQ(num(beta, "sessions"), 1);
    ASSERT_EQ(num(beta, "reached_people"), 33);
    ASSERT_EQ(num(beta, "girls"), 6);
    ASSERT(json_is_true(json_object_get(gamma, "reached")));
    ASSERT_EQ(num(gamma, "reached_people"), 13);
    ASSERT_NEAR(num(gamma, "remaining_ha"), 3, 1e-9); /* partly released counts */
    ASSERT_STREQ(json_string_value(json_object_get(json_array_get(arr, 2), "name")), "Beta");
    json_decref(j);

    /* --since before the 2020 session: Alpha reached too */
    j = eore_json("--since 2020-01-01");
    ASSERT_EQ(num(j, "reached"), 3);
    ASSERT(json_is_true(json_object_get(settlement(j, "Alpha"), "reached")));
    json_decref(j);
    /* --within 0.3 km: H1 is 430 m from Alpha, out of reach */
    j = eore_json("--within 0.3");
    ASSERT(!settlement(j, "Alpha"));
    ASSERT(settlement(j, "Zeta"));
    json_decref(j);

    /* the text: the table, the summary and the notes */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "eore db.gpkg --date 2025-06-01"), 0);
    ASSERT_CONTAINS(out, "no risk map");
    ASSERT_CONTAINS(out, "settlements near danger: 4 of 5; reached since 2023-03-01: 2; not reached: 2, with 1200 "
                         "people");
    ASSERT_CONTAINS(out, "2024-06-01 in 'Nowhere'");
    ASSERT(strstr(out, "Alpha") < strstr(out, "Beta"));
    free(out);
    /* the CSV, never over a file */
    ASSERT_DEMINE(0, "wrote r.csv (4 settlements)", "eore db.gpkg --date 2025-06-01 --csv r.csv");
    char *csv = dmtest_read_file(dmtest_path("r.csv"));
    ASSERT(csv != NULL);
    ASSERT_CONTAINS(csv, "\n1,Alpha,,1000,200,1200,1,8.00,,1,1,2,0,");
    free(csv);
    ASSERT_DEMINE(3, "it exists", "eore db.gpkg --csv r.csv");
}

TEST(eore_ranks_by_expected_items_with_a_risk_map)
{
    make_db();
    add_sessions();
    /* as the risk map writes them */
    ASSERT_DEMINE(0, NULL, "edit db.gpkg H1 expected_items=2.5 p_contam=0.5 --reason 'risk map'");
    ASSERT_DEMINE(0, NULL, "edit db.gpkg H2 expected_items=40 p_contam=0.9 --reason 'risk map'");
    ASSERT_DEMINE(0, NULL, "edit db.gpkg H3 expected_items=1 p_contam=0.3 --reason 'risk map'");
    json_t *j = eore_json("");
    ASSERT_STREQ(json_string_value(json_object_get(j, "danger")), "expected_items");
    json_t *alpha = settlement(j, "Alpha");
    ASSERT_NEAR(num(alpha, "expected_items"), 2.5, 1e-9);
    ASSERT_NEAR(num(alpha, "danger"), 2.5 + DM_EORE_ACCIDENT_WEIGHT, 1e-9);
    ASSERT_NEAR(num(alpha, "priority"), 1200 * (2.5 + DM_EORE_ACCIDENT_WEIGHT), 1e-6);
    json_decref(j);
}

/* Each settlement's place in the JSON and the CSV: a polygon's centroid,
 * and a point imported in UTM 38N (EPSG:32638) given back in WGS 84. */
TEST(eore_gives_each_settlement_its_lon_lat)
{
    make_db();
    /* 47.0061 E 39.9073 N, 430 m from H3, as cs2cs puts it in UTM 38N */
    dmtest_write_file(dmtest_path("u.csv"), "class,name,population,x,y\n"
                                            "settlement,Utm,40,671477.6987,4419394.8511\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer features --x x --y y --crs EPSG:32638 u.csv");
    json_t *j = eore_json("");
    json_t *alpha = settlement(j, "Alpha"), *utm = settlement(j, "Utm");
    ASSERT(alpha && utm);
    /* Alpha: the square of 0.005 degree at 46.900 E 39.900 N */
    ASSERT_NEAR(num(alpha, "lon"), 46.9025, 1e-5);
    ASSERT_NEAR(num(alpha, "lat"), 39.9025, 1e-5);
    ASSERT_NEAR(num(utm, "lon"), 47.0061, 1e-5);
    ASSERT_NEAR(num(utm, "lat"), 39.9073, 1e-5);
    /* every settlement listed has them */
    json_t *arr = json_object_get(j, "ranking");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        ASSERT(json_is_number(json_object_get(o, "lon")) && json_is_number(json_object_get(o, "lat")));
    }
    json_decref(j);
    /* the CSV: two columns more, at the end, to 6 decimals */
    ASSERT_DEMINE(0, "wrote r.csv (5 settlements)", "eore db.gpkg --date 2025-06-01 --csv r.csv");
    char *csv = dmtest_read_file(dmtest_path("r.csv"));
    ASSERT(csv != NULL);
    ASSERT_CONTAINS(csv, ",danger,priority,note,lon,lat\n");
    const char *a = strstr(csv, ",Alpha,"), *nl = a ? strchr(a, '\n') : NULL;
    ASSERT(a && nl);
    ASSERT_MSG(nl - a > 20 && !strncmp(nl - 20, ",46.902500,39.902500", 20), "Alpha's row: %.*s", (int)(nl - a),
               a);
    /* Utm's row: its last two fields */
    const char *u = strstr(csv, ",Utm,");
    ASSERT(u);
    char row[512];
    snprintf(row, sizeof row, "%.*s", (int)strcspn(u, "\n"), u);
    char *c1 = strrchr(row, ',');
    ASSERT(c1);
    *c1 = 0;
    char *c2 = strrchr(row, ',');
    ASSERT(c2);
    double lon = strtod(c2 + 1, NULL), lat = strtod(c1 + 1, NULL);
    ASSERT_NEAR(lon, 47.0061, 1e-5);
    ASSERT_NEAR(lat, 39.9073, 1e-5);
    free(csv);
}

TEST(eore_bad_input_is_named)
{
    make_db();
    ASSERT_DEMINE(2, "--within 0: the distance must be more than 0 km", "eore db.gpkg --within 0");
    ASSERT_DEMINE(2, "the distance must be more than 0 km", "eore db.gpkg --within -1");
    ASSERT_DEMINE(2, "--within expects a number", "eore db.gpkg --within two");
    ASSERT_DEMINE(2, "--since: '2024-13-01' is not a date", "eore db.gpkg --since 2024-13-01");
    ASSERT_DEMINE(2, "--top", "eore db.gpkg --top -3");
    ASSERT_DEMINE(2, "expected DB", "eore");
    /* a district nothing names: the known ones named */
    ASSERT_DEMINE(2, "no district 'Fizuli'", "eore db.gpkg --district Fizuli");
    /* no settlement at all */
    ASSERT_DEMINE(0, NULL, "init empty.gpkg");
    ASSERT_DEMINE(2, "no settlement in layer features (class settlement)", "eore empty.gpkg");
    /* no session: nothing is reached, said so */
    ASSERT_DEMINE(0, "sessions: none recorded (layer eore_sessions is empty)", "eore db.gpkg --date 2025-06-01");
}

TEST(eore_district_chooses_its_settlements)
{
    make_db();
    char dist[200], *txt = NULL;
    if (asprintf(&txt, "name,wkt\nEast,%s\n", square(46.94, 39.89, 0.1, dist, sizeof dist)) < 0)
        ASSERT(0);
    dmtest_write_file(dmtest_path("d.csv"), txt);
    free(txt);
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer districts d.csv");
    add_sessions();
    json_t *j = eore_json("--district east");
    ASSERT_STREQ(json_string_value(json_object_get(j, "district")), "East");
    ASSERT_EQ(num(j, "settlements"), 2); /* Beta and Gamma */
    ASSERT(!settlement(j, "Alpha"));
    ASSERT_STREQ(json_string_value(json_object_get(settlement(j, "Beta"), "district")), "East");
    json_decref(j);
    ASSERT_DEMINE(2, "known: in districts East", "eore db.gpkg --district West");
}

/* A database made before eore_sessions: read-only it reads as no session;
 * its next read-write open (an import) gives it the layer. */
TEST(eore_sessions_migrate_into_an_older_database)
{
    make_db();
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 db.gpkg \"DROP TABLE eore_sessions; DROP TABLE rtree_eore_sessions_geom; "
                              "DELETE FROM gpkg_contents WHERE table_name = 'eore_sessions'; DELETE FROM "
                              "gpkg_geometry_columns WHERE table_name = 'eore_sessions'; DELETE FROM gpkg_extensions "
                              "WHERE table_name = 'eore_sessions'; DELETE FROM layer_styles WHERE f_table_name = "
                              "'eore_sessions'; DELETE FROM gpkg_data_columns WHERE table_name = 'eore_sessions'; "
                              "DELETE FROM gpkg_data_column_constraints WHERE constraint_name LIKE "
                              "'dm_eore_sessions%%'; UPDATE dm_meta SET value = '0' WHERE key = 'schema_domains'\""),
              0);
    ASSERT_DEMINE(0, "layer eore_sessions is not in this database yet", "eore db.gpkg --date 2025-06-01");
    ASSERT_DEMINE(0, "\"eore\": {\"beneficiaries\": 0", "stats db.gpkg --json");
    add_sessions();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM eore_sessions; SELECT count(*) FROM "
                              "layer_styles WHERE f_table_name = 'eore_sessions'; SELECT count(*) FROM "
                              "gpkg_data_column_constraints WHERE constraint_name = 'dm_eore_sessions_delivery'; "
                              "SELECT count(*) FROM sqlite_master WHERE name = 'dm_outside_eore_sessions_insert'\""),
              0);
    ASSERT_STREQ(out, "4\n1\n6\n1\n");
    free(out);
    ASSERT_DEMINE(0, "0 errors", "check db.gpkg");
    ASSERT_DEMINE(0, "reached since 2023-03-01: 2", "eore db.gpkg --date 2025-06-01");
}

/* A count below 0 is refused naming the field; a delivery not in the
 * list too. */
TEST(eore_sessions_refuse_bad_counts)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
    dmtest_write_file(dmtest_path("e.csv"), "date,settlement,men\n2024-05-01,Beta,-2\n");
    ASSERT_DEMINE(2, "men", "import db.gpkg --layer eore_sessions e.csv");
    dmtest_write_file(dmtest_path("f.csv"), "date,settlement,delivery\n2024-05-01,Beta,radio\n");
    ASSERT_DEMINE(2, "'radio' is not one of session|school|door_to_door", "import db.gpkg --layer eore_sessions f.csv");
    dmtest_write_file(dmtest_path("g.csv"), "settlement,men\nBeta,2\n");
    ASSERT_DEMINE(2, "date", "import db.gpkg --layer eore_sessions g.csv");
}

/* The statistics count the sessions and the people reached, by year and
 * by district; the national report gives them a key figure. */
TEST(eore_statistics_and_report)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg"), 0);
    ASSERT_CONTAINS(out, "Risk education (EORE): no session recorded");
    free(out);
    char dist[200], *txt = NULL;
    if (asprintf(&txt, "name,wkt\nEast,%s\n", square(46.94, 39.89, 0.1, dist, sizeof dist)) < 0)
        ASSERT(0);
    dmtest_write_file(dmtest_path("d.csv"), txt);
    free(txt);
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer districts d.csv");
    add_sessions();
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --json --by district"), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "%s", out);
    free(out);
    json_t *eo = json_object_get(j, "eore");
    ASSERT_EQ(num(eo, "sessions"), 4);
    ASSERT_EQ(num(eo, "beneficiaries"), 54);
    ASSERT_EQ(num(eo, "men"), 17);
    ASSERT_EQ(num(eo, "women"), 23);
    ASSERT_EQ(num(eo, "boys"), 7);
    ASSERT_EQ(num(eo, "girls"), 7);
    json_t *by = json_object_get(eo, "by_year");
    ASSERT_EQ(num(json_object_get(by, "2020"), "beneficiaries"), 8);
    ASSERT_EQ(num(json_object_get(by, "2024"), "sessions"), 2);
    ASSERT_EQ(num(json_object_get(by, "2025"), "girls"), 1);
    /* the session by its point lies in East; the others have no place */
    json_t *bd = json_object_get(eo, "by_district");
    ASSERT_EQ(num(json_object_get(bd, "East"), "sessions"), 1);
    ASSERT_EQ(num(json_object_get(bd, "East"), "beneficiaries"), 13);
    ASSERT_EQ(num(json_object_get(bd, "(unknown)"), "sessions"), 3);
    /* the groups of land release are as they were: no district of sessions alone */
    ASSERT(!json_object_get(json_object_get(j, "groups"), "(unknown)") ||
           num(json_object_get(json_object_get(j, "groups"), "(unknown)"), "hazards") > 0);
    json_decref(j);
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --district East --json"), 0);
    j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "%s", out);
    free(out);
    ASSERT_EQ(num(json_object_get(j, "eore"), "sessions"), 1);
    json_decref(j);
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg"), 0);
    ASSERT_CONTAINS(out, "Risk education (EORE): 4 sessions; 54 people reached (men 17, women 23, boys 7, girls 7)");
    free(out);
    ASSERT_DEMINE(0, NULL, "report db.gpkg --out r.html --date 2025-06-01");
    char *html = dmtest_read_file(dmtest_path("r.html"));
    ASSERT(html != NULL);
    ASSERT_CONTAINS(html, "Risk education: 54 people reached in 4 sessions (men 17, women 23, boys 7, girls 7)");
    free(html);
}

/* The demo holds sessions in some settlements: eore on it shows
 * settlements reached and settlements not reached. */
TEST(eore_on_the_demo_shows_reached_and_not_reached)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "eore '%s' --json --date 2025-11-25", db), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "%s", out);
    free(out);
    ASSERT(num(j, "sessions") > 0);
    ASSERT(num(j, "reached") >= 1);
    ASSERT(num(j, "not_reached") >= 1);
    ASSERT_EQ(num(j, "sessions_unmatched"), 0);
    json_decref(j);
}
