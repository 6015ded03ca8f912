/* SPDX-License-Identifier: MIT
 *
 * test_check.c -- `demine check` of a database: faults that another tool
 * writes past the store (a victim whose accident is gone or missing, a link
 * to a hazard that does not exist) and an activity drawn outside the hazard
 * it worked on; a sound database raises none of them.
 */
#include "dmtest.h"

#include <jansson.h>
#include <string.h>

static const char *hazard_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"AGD-1\",\"hazard_type\":\"SHA\","
    "\"status\":\"open\",\"ordnance\":\"AP\",\"reported_date\":\"2021-03-04\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.91,39.90],[46.91,39.91],"
    "[46.90,39.91],[46.90,39.90]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"AGD-2\",\"hazard_type\":\"SHA\","
    "\"status\":\"open\",\"ordnance\":\"AP\",\"reported_date\":\"2021-03-04\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.90],[46.96,39.90],[46.96,39.91],"
    "[46.95,39.91],[46.95,39.90]]]}}]}";

/* T-1 inside AGD-1; T-2 linked to AGD-1 but drawn on AGD-2's ground. */
static const char *activity_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-1\",\"activity_type\":\"clearance\","
    "\"start_date\":\"2023-05-01\",\"end_date\":\"2023-05-20\",\"hazard_id\":\"AGD-1\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.901,39.901],[46.905,39.901],"
    "[46.905,39.905],[46.901,39.905],[46.901,39.901]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-2\",\"activity_type\":\"clearance\","
    "\"start_date\":\"2023-06-01\",\"end_date\":\"2023-06-20\",\"hazard_id\":\"AGD-1\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.951,39.901],[46.955,39.901],"
    "[46.955,39.905],[46.951,39.905],[46.951,39.901]]]}}]}";

static void build_db(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init db.gpkg"), 0);
    free(out);
    dmtest_write_file(dmtest_path("h.geojson"), hazard_geojson);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    dmtest_write_file(dmtest_path("acc.csv"), "lon,lat,date,killed,injured\n"
                                              "46.93,39.93,2022-04-01,1,1\n"
                                              "46.94,39.94,2022-05-01,0,1\n");
    int rc = dmtest_demine(&out, "import db.gpkg --layer accidents acc.csv");
    ASSERT_MSG(rc == 0, "import accidents: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cd '%s' && sqlite3 db.gpkg \"SELECT uuid FROM accidents ORDER BY date\"",
                        dmtest_tmpdir()),
              0);
    char a1[37] = "", a2[37] = "";
    ASSERT(strlen(out) >= 74);
    memcpy(a1, out, 36);
    memcpy(a2, out + 37, 36);
    free(out);
    char csv[512];
    snprintf(csv, sizeof csv,
             "accident_id,outcome,category\n%s,killed,civilian\n%s,injured,civilian\n%s,injured,civilian\n",
             a1, a1, a2);
    dmtest_write_file(dmtest_path("v.csv"), csv);
    rc = dmtest_demine(&out, "import db.gpkg --layer victims v.csv");
    ASSERT_MSG(rc == 0, "import victims: %s", out);
    free(out);
}

/* A victim whose accident was deleted by another tool (which refuses it
 * while the victim points at it: the link taken off first and put back
 * after), one whose accident
 * was emptied, an item naming a hazard that does not exist: errors naming
 * the row and the field. The sound database raises none. */
TEST(check_database_finds_links_to_rows_that_do_not_exist)
{
    build_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 0);
    ASSERT(!strstr(out, "dangling_ref"));
    ASSERT(!strstr(out, "missing_value"));
    free(out);
    int rc = dmtest_sh(&out,
                       "cd '%s' && sqlite3 db.gpkg \"DROP TRIGGER IF EXISTS rtree_accidents_geom_delete; "
                       "CREATE TEMP TABLE gone AS SELECT v.uuid AS v, a.uuid AS a FROM victims v JOIN accidents a "
                       "ON a.uuid = v.accident_id WHERE a.date = '2022-05-01'; "
                       "UPDATE victims SET accident_id = NULL WHERE uuid IN (SELECT v FROM gone); "
                       "DELETE FROM accidents WHERE date = '2022-05-01'; "
                       "UPDATE victims SET accident_id = (SELECT a FROM gone WHERE v = victims.uuid) WHERE uuid IN "
                       "(SELECT v FROM gone); "
                       "UPDATE victims SET accident_id = NULL WHERE outcome = 'killed'\"",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"dangling_ref\",\"layer\":\"victims\"");
    ASSERT_CONTAINS(out, "field 'accident_id': the row of accidents it names was deleted; `demine restore DB ");
    ASSERT_CONTAINS(out, "\"code\":\"missing_value\",\"layer\":\"victims\"");
    ASSERT_CONTAINS(out, "field 'accident_id' is required but empty");
    /* the one victim still linked is sound: exactly one of each */
    const char *p = strstr(out, "dangling_ref");
    ASSERT(p && !strstr(p + 1, "dangling_ref"));
    p = strstr(out, "missing_value");
    ASSERT(p && !strstr(p + 1, "missing_value"));
    free(out);
}

/* An activity linked to AGD-1 but drawn on other ground is named; the one
 * inside its hazard is not. */
TEST(check_database_finds_an_activity_outside_its_hazard)
{
    build_db();
    dmtest_write_file(dmtest_path("a.geojson"), activity_geojson);
    char *out = NULL;
    int rc = dmtest_demine(&out, "import db.gpkg --layer activities a.geojson");
    ASSERT_MSG(rc == 0, "import activities: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 0); /* a warning */
    ASSERT_CONTAINS(out, "\"code\":\"activity_outside_hazard\"");
    ASSERT_CONTAINS(out, "\"ref\":\"T-2\"");
    ASSERT_CONTAINS(out, "100% of its");
    ASSERT(!strstr(out, "\"ref\":\"T-1\""));
    free(out);
    /* linked to the hazard it lies in as well (activity_hazards), T-2 is sound */
    dmtest_write_file(dmtest_path("l.csv"), "activity_id,hazard_id\nT-2,AGD-2\n");
    rc = dmtest_demine(&out, "import db.gpkg --layer activity_hazards l.csv");
    ASSERT_MSG(rc == 0, "import links: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 0);
    ASSERT(!strstr(out, "activity_outside_hazard"));
    free(out);
}

/* Victims' names and ages are personal data: check labels a victim by a
 * short uuid, never by its name, and a refused age is said without its
 * value, in the text and the JSON, of a database and of a file. */
TEST(check_names_no_victim_and_quotes_no_age)
{
    build_db();
    char *out = NULL;
    int rc = dmtest_sh(&out,
                       "cd '%s' && sqlite3 db.gpkg \"UPDATE victims SET name = 'Aysel Mammadova', age = 137 "
                       "WHERE outcome = 'killed'; UPDATE victims SET name = 'Rauf Aliyev', accident_id = "
                       "'0a1b2c3d-0000-4000-8000-000000000000' WHERE outcome = 'injured'\"",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cd '%s' && sqlite3 db.gpkg \"SELECT uuid FROM victims WHERE outcome = 'killed'\"",
                        dmtest_tmpdir()),
              0);
    char killed[9] = "";
    memcpy(killed, out, 8);
    free(out);
    for (int json = 0; json < 2; json++) {
        rc = dmtest_demine(&out, "check db.gpkg%s", json ? " --json" : "");
        ASSERT_MSG(rc != 0, "check found nothing: %s", out);
        ASSERT_CONTAINS(out, "dangling_ref");
        ASSERT_CONTAINS(out, "field 'age': not a whole number from 0 to 120 (the value is personal data: not shown)");
        ASSERT_CONTAINS(out, killed);
        ASSERT(!strstr(out, "Aysel"));
        ASSERT(!strstr(out, "Mammadova"));
        ASSERT(!strstr(out, "Rauf"));
        ASSERT(!strstr(out, "137"));
        free(out);
    }
    /* a file of victims, checked before import: its name column labels no
     * row, and neither a refused age nor an unknown column is quoted */
    dmtest_write_file(dmtest_path("vf.csv"), "accident_id,outcome,name,age,surname\n"
                                             ",killed,Leyla Huseynova,141,Huseynova\n");
    rc = dmtest_demine(&out, "check vf.csv --layer victims");
    ASSERT_MSG(rc != 0, "check found nothing: %s", out);
    ASSERT_CONTAINS(out, "field 'age': not a whole number from 0 to 120");
    ASSERT_CONTAINS(out, "field 'surname'");
    ASSERT_CONTAINS(out, "feature 1");
    ASSERT(!strstr(out, "Leyla"));
    ASSERT(!strstr(out, "Huseynova"));
    ASSERT(!strstr(out, "141"));
    free(out);
}

/* A column the layer lacks and coordinates swapped in one row are issues of
 * that row: they name it by its ref as the other issues do (they named only
 * "feature 1"), in the report and in its JSON. */
TEST(check_names_the_row_of_an_unknown_column_and_of_swapped_coordinates)
{
    dmtest_write_file(dmtest_path("f.csv"), "name,class,lon,lat,colour\n"
                                            "Well 1,well,44.60,40.10,red\n"
                                            "Well 2,well,44.61,40.11,\n"
                                            "Well 3,well,40.12,44.62,\n"
                                            "Well 4,well,44.63,40.13,\n"
                                            "Well 5,well,44.64,40.14,\n"
                                            "Well 6,well,44.65,40.15,\n");
    dm_ctx *ctx = dmtest_ctx();
    dm_check_report r;
    ASSERT_OK(dm_check_file(ctx, dmtest_path("f.csv"), "features", &r));
    int unknown = 0, swapped = 0;
    for (size_t k = 0; k < r.n; k++) {
        const dm_check_issue *is = &r.issues[k];
        if (!strcmp(is->code, "unknown_field")) {
            ASSERT_CONTAINS(is->message, "'colour'");
            ASSERT_STREQ(is->ref, "Well 1");
            unknown++;
        } else if (!strcmp(is->code, "swapped_coordinates")) {
            ASSERT_STREQ(is->ref, "Well 3");
            swapped++;
        }
    }
    ASSERT_EQ(unknown, 1);
    ASSERT_EQ(swapped, 1);
    char *js = NULL;
    ASSERT_OK(dm_check_report_json(ctx, &r, &js));
    ASSERT_CONTAINS(js, "\"code\":\"unknown_field\",\"layer\":\"features\",\"id\":\"feature 1 (line 2)\","
                        "\"ref\":\"Well 1\"");
    ASSERT_CONTAINS(js, "\"code\":\"swapped_coordinates\",\"layer\":\"features\",\"id\":\"feature 3 (line 4)\","
                        "\"ref\":\"Well 3\"");
    dm_free(ctx, js);
    dm_check_report_free(ctx, &r);
    ASSERT_DEMINE(4, "unknown_field        features feature 1 (line 2) Well 1: field 'colour'",
                  "check f.csv --layer features");
    ASSERT_DEMINE(4, "swapped_coordinates  features feature 3 (line 4) Well 3: geometry",
                  "check f.csv --layer features");
}

/* A file of hazards whose remaining area exceeds its estimate: the import
 * refuses it, so the check of the file names the feature and both areas
 * before an import is tried (within rounding is no error). */
TEST(check_of_a_file_names_a_remaining_area_above_the_estimate)
{
    dmtest_write_file(dmtest_path("hz.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-1\",\"hazard_type\":\"SHA\","
                      "\"est_area_ha\":12.5,\"remaining_area_ha\":500},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":[[[47,39.9],[47.01,39.9],[47.01,39.91],[47,39.91],[47,39.9]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-2\",\"hazard_type\":\"SHA\","
                      "\"est_area_ha\":12.5,\"remaining_area_ha\":12.55},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":[[[47.1,39.9],[47.11,39.9],[47.11,39.91],[47.1,39.91],[47.1,39.9]]]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check %s --layer hazards", dmtest_path("hz.geojson")), 4);
    ASSERT_CONTAINS(out, "feature 1 T-1: field 'remaining_area_ha': 500 ha is more than est_area_ha 12.5 ha");
    ASSERT(!strstr(out, "T-2:"));
    ASSERT_CONTAINS(out, "2 rows checked, 1 error,");
    free(out);
    /* no estimate given: the import takes the polygon's area (about 0.95
     * ha here), and the check measures against it as well */
    dmtest_write_file(dmtest_path("hz2.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-3\",\"hazard_type\":\"SHA\","
                      "\"remaining_area_ha\":500},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[46.9,39.9],[46.901,39.9],[46.901,39.901],[46.9,39.901],[46.9,39.9]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-4\",\"hazard_type\":\"SHA\","
                      "\"remaining_area_ha\":0.9},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[46.91,39.9],[46.911,39.9],[46.911,39.901],[46.91,39.901],[46.91,39.9]]]}}]}");
    const char *msg = "feature 1 T-3: field 'remaining_area_ha': 500 ha is more than est_area_ha 0.9494 ha (its "
                      "polygon's area, no est_area_ha given)";
    ASSERT_EQ(dmtest_demine(&out, "check %s --layer hazards", dmtest_path("hz2.geojson")), 4);
    ASSERT_CONTAINS(out, msg);
    ASSERT(!strstr(out, "T-4:"));
    free(out);
    /* the import refuses it with the same words */
    ASSERT_DEMINE(0, NULL, "init %s", dmtest_path("hz2.gpkg"));
    ASSERT_EQ(dmtest_demine(&out, "import %s --layer hazards %s", dmtest_path("hz2.gpkg"), dmtest_path("hz2.geojson")),
              2);
    ASSERT_CONTAINS(out, "hz2.geojson: feature 1 T-3: field 'remaining_area_ha': 500 ha is more than est_area_ha "
                         "0.9494 ha");
    free(out);
}

/* What an edit in QGIS (GDAL's driver) can leave that demine's readers
 * would miscount: a status in another case ('Closed': the statistics count
 * it apart, the plan and the danger zones not at all), a hazard closed with
 * land still to release, one open with none, and a single polygon in the
 * layer of multipolygons, which an export to FlatGeobuf now writes as the
 * layer's type. */
TEST(check_database_names_what_an_edit_in_another_program_left)
{
    build_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT(!strstr(out, "status_area") && !strstr(out, "must be written") && !strstr(out, "geometry_type"));
    free(out);
    dmtest_write_file(dmtest_path("h3.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"ref\":\"AGD-3\",\"hazard_type\":\"SHA\",\"status\":\"open\",\"est_area_ha\":120,"
                      "\"remaining_area_ha\":0},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.0,39.9],"
                      "[47.01,39.9],[47.01,39.91],[47.0,39.91],[47.0,39.9]]]}}]}");
    int rc = dmtest_sh(&out,
                       "cd '%s' && ogrinfo -q db.gpkg -sql \"UPDATE hazards SET status = 'Closed' WHERE ref = "
                       "'AGD-1'\" && ogrinfo -q db.gpkg -sql \"UPDATE hazards SET status = 'closed', "
                       "remaining_area_ha = 3 WHERE ref = 'AGD-2'\" && ogr2ogr -append -nln hazards db.gpkg "
                       "h3.geojson 2>&1",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "gdal: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 4);
    ASSERT_CONTAINS(out, "AGD-1: field 'status': 'Closed' must be written 'closed'");
    ASSERT_CONTAINS(out, "AGD-2: status closed but remaining_area_ha 3.00: a closed hazard has no land left");
    ASSERT_CONTAINS(out, "AGD-3: status open but remaining_area_ha 0: the plan leaves it out");
    ASSERT_CONTAINS(out, "AGD-3: a POLYGON in a layer of MULTIPOLYGONs");
    /* the imported ones are multipolygons: only AGD-3 is named */
    const char *p = strstr(out, "geometry_type");
    ASSERT(p && !strstr(p + 1, "geometry_type"));
    free(out);
    rc = dmtest_demine(&out, "export db.gpkg --layer hazards '%s'", dmtest_path("hz.fgb"));
    ASSERT_MSG(rc == 0, "%s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -so '%s' -al", dmtest_path("hz.fgb")), 0);
    ASSERT_CONTAINS(out, "Geometry: Multi Polygon");
    ASSERT_CONTAINS(out, "Feature Count: 3");
    free(out);
}

/* A hazard's ref typed into a find's hazard_id in QGIS (a link holds the
 * uuid): check and show both say whose ref it is, rather than show calling
 * it a link to nothing. */
TEST(check_and_show_agree_on_a_ref_typed_where_a_uuid_goes)
{
    build_db();
    char *out = NULL;
    dmtest_write_file(dmtest_path("it.csv"), "lon,lat,category,hazard_id\n46.905,39.905,AP,AGD-1\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items it.csv"), 0);
    free(out);
    int rc = dmtest_sh(&out, "cd '%s' && ogrinfo -q db.gpkg -sql \"UPDATE items SET hazard_id = 'AGD-1'\" 2>&1",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "%s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cd '%s' && sqlite3 db.gpkg 'SELECT uuid FROM items'", dmtest_tmpdir()), 0);
    char item[37];
    snprintf(item, sizeof item, "%.36s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 4);
    ASSERT_CONTAINS(out, "'AGD-1' is not the uuid of a row of hazards");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg %s", item), 0);
    ASSERT_CONTAINS(out, "hazard_id          AGD-1   -> hazards (not a uuid: the ref of hazards ");
    ASSERT(!strstr(out, "no such row"));
    free(out);
    /* a uuid the database never held: a link to nothing, said so */
    rc = dmtest_sh(&out,
                   "cd '%s' && ogrinfo -q db.gpkg -sql \"UPDATE items SET hazard_id = "
                   "'00000000-0000-4000-8000-000000000000'\" 2>&1",
                   dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "%s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 4);
    ASSERT_CONTAINS(out, "field 'hazard_id': no row of hazards has the uuid '00000000-0000-4000-8000-000000000000' "
                         "(deleted?)");
    free(out);
}

/* Land released from an open hazard that has no remaining_area_ha (release
 * areas imported after their hazards): the statistics and the plan count
 * all of it as still to release; check says so, with what is left. */
TEST(check_database_names_released_land_left_in_the_remaining_area)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", dmtest_path("rel.gpkg")), 0);
    free(out);
    dmtest_write_file(dmtest_path("hz.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-1\",\"hazard_type\":\"CHA\",\"status\":"
                      "\"open\",\"est_area_ha\":20},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[102.8,13.0],"
                      "[102.804,13.0],[102.804,13.004],[102.8,13.004],[102.8,13.0]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-2\",\"hazard_type\":\"SHA\",\"status\":"
                      "\"open\",\"est_area_ha\":20,\"remaining_area_ha\":15},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":[[[102.81,13.0],[102.814,13.0],[102.814,13.004],[102.81,13.004],"
                      "[102.81,13.0]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer hazards '%s'", dmtest_path("rel.gpkg"), dmtest_path("hz.geojson")),
              0);
    free(out);
    dmtest_write_file(dmtest_path("rel.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-1\",\"outcome\":\"cleared\",\"area_ha\":"
                      "4.5,\"date\":\"2023-02-20\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[102.8,13.0],"
                      "[102.802,13.0],[102.802,13.002],[102.8,13.002],[102.8,13.0]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-2\",\"outcome\":\"cleared\",\"area_ha\":"
                      "5,\"date\":\"2023-02-21\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[102.81,13.0],"
                      "[102.812,13.0],[102.812,13.002],[102.81,13.002],[102.81,13.0]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer release_areas '%s'", dmtest_path("rel.gpkg"),
                            dmtest_path("rel.geojson")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check '%s'", dmtest_path("rel.gpkg")), 0);
    /* the land released is its polygon's, as the statistics measure it
     * (area_ha says 4.5) */
    ASSERT_CONTAINS(out, "KH-1: 4.80 ha were released from it (release_areas) but it has no remaining_area_ha: the "
                         "statistics and the plan take its 20.00 ha less that land; record what is left, for every "
                         "such hazard at once with `demine status DB --settle` (`--dry-run` shows it first), or for "
                         "this one with `demine edit DB KH-1 remaining_area_ha=15.20` and `demine status` "
                         "partly_released");
    ASSERT(!strstr(out, "KH-2:")); /* its remaining area is given */
    free(out);
    /* the statistics and the plan take KH-1's estimate less the released
     * polygon (its area measured, as the statistics' released land is) */
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --json", dmtest_path("rel.gpkg")), 0);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    ASSERT_MSG(j != NULL, "%s", out);
    double rel = json_number_value(json_object_get(json_object_get(j, "released"), "total_ha"));
    double rem = json_number_value(json_object_get(json_object_get(j, "hazards"), "remaining_ha"));
    double cha = json_number_value(
        json_object_get(json_object_get(json_object_get(json_object_get(j, "hazards"), "by_type"), "CHA"), "remaining_ha"));
    ASSERT_MSG(rel > 9 && rel < 10.5, "released %g", rel); /* the two polygons, about 4.9 ha each */
    double rel1 = rel / 2;
    ASSERT_NEAR(cha, 20 - rel1, 0.05);
    ASSERT_NEAR(rem, 20 - rel1 + 15, 0.05); /* KH-2 keeps its own */
    json_decref(j);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --samples 0 --no-write", dmtest_path("rel.gpkg")), 0);
    char want[64];
    snprintf(want, sizeof want, "2 open hazards, %.1f ha,", 20 - rel1 + 15);
    ASSERT_CONTAINS(out, want);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit '%s' KH-1 remaining_area_ha=15.50 --reason 'after clearance'",
                            dmtest_path("rel.gpkg")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check '%s'", dmtest_path("rel.gpkg")), 0);
    ASSERT(!strstr(out, "remaining_missing"));
    free(out);
}
