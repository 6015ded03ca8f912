/* SPDX-License-Identifier: MIT
 *
 * test_import_imsma.c -- moving data from IMSMA and other systems that record
 * areas in square metres: area columns named with their unit, --map targets
 * and --unit naming it, the IMSMA NG columns and classifications recognised
 * (tests/data/imsma/), refusals naming file, feature and field, and `demine
 * check FILE` reading the file as the import does.
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void make_db(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init db.gpkg"), 0);
    free(out);
}

/* The value of field of the row of layer whose ref is ref, as `list --json`
 * prints it (NAN when the field is null, the test fails when no such row). */
static double field_of(const char *layer, const char *ref, const char *field)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg %s --json", layer), 0);
    char key[128];
    snprintf(key, sizeof key, "\"ref\":\"%s\"", ref);
    char *row = strstr(out, key);
    ASSERT_MSG(row, "no row %s in %s", ref, out);
    char *end = strchr(row, '}');
    snprintf(key, sizeof key, "\"%s\":", field);
    char *p = strstr(row, key);
    ASSERT_MSG(p && (!end || p < end), "no %s in row %s", field, ref);
    p += strlen(key);
    double v = strncmp(p, "null", 4) ? strtod(p, NULL) : NAN;
    free(out);
    return v;
}

static char *text_of(const char *layer, const char *ref, const char *field, char *buf, size_t n)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg %s --json", layer), 0);
    char key[128];
    snprintf(key, sizeof key, "\"ref\":\"%s\"", ref);
    char *row = strstr(out, key);
    ASSERT_MSG(row, "no row %s in %s", ref, out);
    snprintf(key, sizeof key, "\"%s\":\"", field);
    char *p = strstr(row, key);
    ASSERT_MSG(p, "no text %s in row %s", field, ref);
    p += strlen(key);
    size_t k = 0;
    while (p[k] && p[k] != '"' && k + 1 < n) {
        buf[k] = p[k];
        k++;
    }
    buf[k] = '\0';
    free(out);
    return buf;
}

static long rows_of(const char *layer)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --json"), 0);
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", layer);
    char *p = strstr(out, key);
    ASSERT_MSG(p, "no %s in %s", layer, out);
    long n = strtol(p + strlen(key), NULL, 10);
    free(out);
    return n;
}

static long count_of(const char *hay, const char *needle)
{
    long n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#define SQUARE "POLYGON((46.900 39.900,46.901 39.900,46.901 39.901,46.900 39.901,46.900 39.900))"

TEST(import_area_m2_column_is_hectares_said_once)
{
    make_db();
    dmtest_write_file(dmtest_path("h.csv"), "ref,hazard_type,area_m2,remaining_area_sqm,wkt\n"
                                            "H-1,SHA,12500,10000,\"" SQUARE "\"\n"
                                            "H-2,CHA,30000,30000,\"" SQUARE "\"\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv"), 0);
    ASSERT_CONTAINS(out, "areas converted to hectares: 'area_m2' (m\xC2\xB2) into est_area_ha, "
                         "'remaining_area_sqm' (m\xC2\xB2) into remaining_area_ha");
    ASSERT_EQ(count_of(out, "converted to hectares"), 1);
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "est_area_ha"), 1.25, 1e-9);
    ASSERT_NEAR(field_of("hazards", "H-1", "remaining_area_ha"), 1.0, 1e-9);
    ASSERT_NEAR(field_of("hazards", "H-2", "est_area_ha"), 3.0, 1e-9);
}

TEST(import_area_column_with_unit_in_brackets_and_km2)
{
    make_db();
    /* a GeoJSON's "Area (m²)"; release areas' "Area [km2]" */
    dmtest_write_file(dmtest_path("h.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"ref\":\"H-1\",\"hazard_type\":\"SHA\",\"Area (m\xC2\xB2)\":4200},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.901,39.90],"
                      "[46.901,39.901],[46.90,39.901],[46.90,39.90]]]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    ASSERT_CONTAINS(out, "'Area (m\xC2\xB2)' (m\xC2\xB2) into est_area_ha");
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "est_area_ha"), 0.42, 1e-9);
    dmtest_write_file(dmtest_path("r.csv"), "outcome,Area [km2],wkt\n"
                                            "cleared,0.0123,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer release_areas r.csv"), 0);
    ASSERT_CONTAINS(out, "'Area [km2]' (km\xC2\xB2) into area_ha");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg release_areas --json"), 0);
    ASSERT_CONTAINS(out, "\"area_ha\":1.23");
    free(out);
}

TEST(import_map_target_and_unit_option_name_the_unit)
{
    make_db();
    dmtest_write_file(dmtest_path("h.csv"), "ref,hazard_type,Surface,Left,wkt\n"
                                            "H-1,SHA,12500,2500,\"" SQUARE "\"\n");
    char *out = NULL;
    /* named in its unit by the --map target */
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv --map Surface=est_area_m2 "
                                  "--map Left=remaining_area_m2"),
              0);
    ASSERT_CONTAINS(out, "'Surface' (m\xC2\xB2) into est_area_ha");
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "est_area_ha"), 1.25, 1e-9);
    ASSERT_NEAR(field_of("hazards", "H-1", "remaining_area_ha"), 0.25, 1e-9);
    /* --unit names the unit of every area --map takes */
    dmtest_sh(&out, "rm -f db.gpkg");
    free(out);
    make_db();
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv --map 'Surface=est_area_ha' "
                                  "--map 'Left=remaining_area_ha' --unit m2"),
              0);
    ASSERT_CONTAINS(out, "'Left' (m\xC2\xB2) into remaining_area_ha");
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "est_area_ha"), 1.25, 1e-9);
    ASSERT_NEAR(field_of("hazards", "H-1", "remaining_area_ha"), 0.25, 1e-9);
    /* without a unit the same columns are hectares: 12500 ha */
    dmtest_sh(&out, "rm -f db.gpkg");
    free(out);
    make_db();
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv --map 'Surface=est_area_ha' "
                                  "--map 'Left=remaining_area_ha'"),
              0);
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "est_area_ha"), 12500, 1e-9);
}

TEST(import_unit_without_an_area_column_and_bad_unit_are_refused)
{
    make_db();
    dmtest_write_file(dmtest_path("h.csv"), "ref,hazard_type,wkt\nH-1,SHA,\"" SQUARE "\"\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv --unit m2"), 2);
    ASSERT_CONTAINS(out, "h.csv: --unit m2: no column of the file is an area it applies to: IMSMA's areas");
    free(out);
    /* a column named with its unit says its own: --unit is of no column */
    dmtest_write_file(dmtest_path("m.csv"), "ref,hazard_type,area_m2,wkt\nH-1,SHA,12500,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards m.csv --unit km2"), 2);
    ASSERT_CONTAINS(out, "--unit km2: no column of the file is an area it applies to");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv --map ref=ref --unit acres"), 2);
    ASSERT_CONTAINS(out, "--unit acres: expected m2, km2 or ha");
    free(out);
    ASSERT_EQ(rows_of("hazards"), 0);
    /* checked, it is a warning */
    ASSERT_EQ(dmtest_demine(&out, "check h.csv --layer hazards --unit m2"), 0);
    ASSERT_CONTAINS(out, "--unit m2: no column of the file is an area it applies to");
    free(out);
}

TEST(import_area_in_m2_not_a_number_names_file_feature_and_field)
{
    make_db();
    dmtest_write_file(dmtest_path("h.csv"), "ref,hazard_type,area_m2,wkt\n"
                                            "H-1,SHA,12500,\"" SQUARE "\"\n"
                                            "H-2,SHA,about 3 ha,\"" SQUARE "\"\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.csv"), 2);
    ASSERT_CONTAINS(out, "h.csv: feature 2 (line 3) H-2: field 'est_area_ha': 'about 3 ha' is not a number");
    free(out);
    ASSERT_EQ(rows_of("hazards"), 0); /* one transaction: H-1 is not there either */
}

TEST(import_remaining_above_estimate_compares_hectares)
{
    make_db();
    /* 9000 m² left of 12500 m²: within; as raw numbers it would be too */
    dmtest_write_file(dmtest_path("ok.csv"), "ref,hazard_type,est_area_ha,remaining_area_m2,wkt\n"
                                             "H-1,SHA,1.25,9000,\"" SQUARE "\"\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards ok.csv"), 0);
    free(out);
    ASSERT_NEAR(field_of("hazards", "H-1", "remaining_area_ha"), 0.9, 1e-9);
    /* 2 ha left of an estimate of 12500 m² (1.25 ha): refused */
    dmtest_write_file(dmtest_path("bad.csv"), "ref,hazard_type,est_area_m2,remaining_area_ha,wkt\n"
                                              "H-2,SHA,12500,2,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards bad.csv"), 2);
    ASSERT_CONTAINS(out, "bad.csv: feature 1 (line 2) H-2");
    ASSERT_CONTAINS(out, "remaining_area_ha");
    free(out);
}

TEST(import_imsma_land_needs_the_unit_of_its_areas)
{
    make_db();
    char *out = NULL;
    const char *land = dmtest_repo_path("tests/data/imsma/land.csv");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards %s", land), 2);
    ASSERT_CONTAINS(out, "land.csv: column 'Estimated Area' is IMSMA's est_area_ha, in the unit the programme "
                         "chose");
    ASSERT_CONTAINS(out, "say the unit of all with --unit m2 (or km2, ha), or name each in its unit: "
                         "--map 'Estimated Area=est_area_m2' --map 'Remaining Area=remaining_area_m2'");
    free(out);
    ASSERT_EQ(rows_of("hazards"), 0);
    ASSERT_EQ(dmtest_demine(&out,
                            "import db.gpkg --layer hazards %s --map 'Estimated Area=est_area_m2' "
                            "--map 'Remaining Area=remaining_area_m2'",
                            land),
              0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    ASSERT_CONTAINS(out, "IMSMA columns recognised: 'Land ID' as ref, 'Land name' as name, "
                         "'Land classification' as hazard_type");
    ASSERT_CONTAINS(out, "'Estimated Area' (m\xC2\xB2) into est_area_ha");
    free(out);
    char buf[64];
    ASSERT_STREQ(text_of("hazards", "LND-0001", "hazard_type", buf, sizeof buf), "SHA");
    ASSERT_STREQ(text_of("hazards", "LND-0002", "hazard_type", buf, sizeof buf), "CHA");
    ASSERT_STREQ(text_of("hazards", "LND-0002", "name", buf, sizeof buf), "Orchard");
    ASSERT_NEAR(field_of("hazards", "LND-0001", "est_area_ha"), 1.25, 1e-9);
    ASSERT_NEAR(field_of("hazards", "LND-0002", "est_area_ha"), 0.86, 1e-9);
    ASSERT_NEAR(field_of("hazards", "LND-0002", "remaining_area_ha"), 0.43, 1e-9);
}

TEST(import_imsma_activities_types_and_reduced_areas_add_up)
{
    make_db();
    char *out = NULL;
    const char *acts = dmtest_repo_path("tests/data/imsma/activities.csv");
    ASSERT_EQ(dmtest_demine(&out,
                            "import db.gpkg --layer activities %s --map 'Cancelled Area=area_cancelled_ha' "
                            "--map 'Reduced Area with technical asset=area_reduced_ha' "
                            "--map 'Reduced Area without technical asset=area_reduced_ha' "
                            "--map 'Cleared Area=area_cleared_ha' --unit m2",
                            acts),
              0);
    ASSERT_CONTAINS(out, "imported 5 rows");
    ASSERT_CONTAINS(out, "'Hazard reduction ID' as ref, 'Type of activity' as activity_type");
    free(out);
    char buf[64];
    ASSERT_STREQ(text_of("activities", "ACT-01", "activity_type", buf, sizeof buf), "nts");
    ASSERT_STREQ(text_of("activities", "ACT-02", "activity_type", buf, sizeof buf), "ts");
    ASSERT_STREQ(text_of("activities", "ACT-03", "activity_type", buf, sizeof buf), "clearance");
    ASSERT_STREQ(text_of("activities", "ACT-04", "activity_type", buf, sizeof buf), "eod");
    ASSERT_STREQ(text_of("activities", "ACT-05", "activity_type", buf, sizeof buf), "handover");
    ASSERT_STREQ(text_of("activities", "ACT-03", "start_date", buf, sizeof buf), "2021-05-02");
    ASSERT_NEAR(field_of("activities", "ACT-01", "area_cancelled_ha"), 0.5, 1e-9);
    /* 2000 m² with a technical asset and 500 m² without */
    ASSERT_NEAR(field_of("activities", "ACT-02", "area_reduced_ha"), 0.25, 1e-9);
    ASSERT_NEAR(field_of("activities", "ACT-03", "area_cleared_ha"), 0.43, 1e-9);
}

TEST(import_imsma_classification_without_equivalent_is_refused)
{
    make_db();
    char *out = NULL;
    const char *acts = dmtest_repo_path("tests/data/imsma/activities_progress.csv");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities %s --map 'Cleared Area=area_cleared_m2'", acts),
              2);
    ASSERT_CONTAINS(out, "activities_progress.csv: feature 2 (line 3) ACT-12: field 'activity_type': "
                         "'Progress Report' is an IMSMA classification demine has no activity_type for");
    free(out);
    ASSERT_EQ(rows_of("activities"), 0);
    /* a land classification with no hazard type: refused the same way */
    dmtest_write_file(dmtest_path("ind.csv"), "Land ID,Land classification,wkt\n"
                                              "LND-9,Indication,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards ind.csv"), 2);
    ASSERT_CONTAINS(out, "ind.csv: feature 1 (line 2) LND-9: field 'hazard_type': 'Indication' is an IMSMA "
                         "classification");
    free(out);
    ASSERT_EQ(rows_of("hazards"), 0);
    /* Post clearance: refused too, with the way to import such rows as
     * quality control inspections when that is what they are */
    dmtest_write_file(dmtest_path("pc.csv"), "Hazard reduction ID,Type of activity,Start date,wkt\n"
                                             "PC-1,Post clearance,2024-01-01,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities pc.csv"), 2);
    ASSERT_CONTAINS(out, "'Post clearance' is an IMSMA classification demine has no activity_type for");
    ASSERT_CONTAINS(out, "import them apart as such with --map 'Type of activity=-' --set activity_type=qc");
    free(out);
    ASSERT_EQ(rows_of("activities"), 0);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities pc.csv --map 'Type of activity=-' --set "
                                  "activity_type=qc"),
              0);
    free(out);
    char buf[64];
    ASSERT_STREQ(text_of("activities", "PC-1", "activity_type", buf, sizeof buf), "qc");
}

TEST(check_file_reads_units_and_imsma_as_import)
{
    char *out = NULL;
    const char *land = dmtest_repo_path("tests/data/imsma/land.csv");
    /* the unit not said: an error of the check too */
    ASSERT_EQ(dmtest_demine(&out, "check %s --layer hazards", land), 4);
    ASSERT_CONTAINS(out, "column 'Estimated Area' is IMSMA's est_area_ha");
    free(out);
    ASSERT_EQ(dmtest_demine(&out,
                            "check %s --layer hazards --map 'Estimated Area=est_area_ha' "
                            "--map 'Remaining Area=remaining_area_ha' --unit m2",
                            land),
              0);
    ASSERT_CONTAINS(out, "areas converted to hectares, as import converts them: 'Estimated Area' (m\xC2\xB2) "
                         "into est_area_ha");
    ASSERT_CONTAINS(out, "IMSMA columns recognised: 'Land ID' as ref");
    ASSERT_CONTAINS(out, "0 errors");
    free(out);
    /* converted, a remaining area above the estimate is seen as the import
     * sees it: 2 ha left of 12500 m² */
    dmtest_write_file(dmtest_path("bad.csv"), "ref,hazard_type,area_m2,remaining_area_ha,wkt\n"
                                              "H-2,SHA,12500,2,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "check bad.csv --layer hazards"), 4);
    ASSERT_CONTAINS(out, "remaining_area_ha");
    free(out);
    dmtest_write_file(dmtest_path("ok.csv"), "ref,hazard_type,area_m2,remaining_area_ha,wkt\n"
                                             "H-2,SHA,30000,2,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "check ok.csv --layer hazards"), 0);
    free(out);
}

/* The refusal of IMSMA's areas without their unit says --unit, which then
 * converts them, with no --map */
TEST(import_imsma_areas_take_the_unit_option_alone)
{
    make_db();
    char *out = NULL;
    const char *land = dmtest_repo_path("tests/data/imsma/land.csv");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards %s --unit m2", land), 0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    ASSERT_CONTAINS(out, "areas converted to hectares: 'Estimated Area' (m\xC2\xB2) into est_area_ha, "
                         "'Remaining Area' (m\xC2\xB2) into remaining_area_ha");
    free(out);
    ASSERT_NEAR(field_of("hazards", "LND-0001", "est_area_ha"), 1.25, 1e-9);
    ASSERT_NEAR(field_of("hazards", "LND-0002", "est_area_ha"), 0.86, 1e-9);
    ASSERT_NEAR(field_of("hazards", "LND-0002", "remaining_area_ha"), 0.43, 1e-9);
    /* the activities' areas, the reduced ones added up */
    const char *acts = dmtest_repo_path("tests/data/imsma/activities.csv");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities %s --unit m2", acts), 0);
    ASSERT_CONTAINS(out, "imported 5 rows");
    free(out);
    ASSERT_NEAR(field_of("activities", "ACT-01", "area_cancelled_ha"), 0.5, 1e-9);
    ASSERT_NEAR(field_of("activities", "ACT-02", "area_reduced_ha"), 0.25, 1e-9);
    ASSERT_NEAR(field_of("activities", "ACT-03", "area_cleared_ha"), 0.43, 1e-9);
    /* km2; a --map target named in a unit keeps its own; ha is as read */
    dmtest_sh(&out, "rm -f db.gpkg");
    free(out);
    make_db();
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards %s --unit km2 --map 'Remaining Area=remaining_area_m2'",
                            land),
              0);
    free(out);
    ASSERT_NEAR(field_of("hazards", "LND-0001", "est_area_ha"), 1250000, 1e-6);
    ASSERT_NEAR(field_of("hazards", "LND-0001", "remaining_area_ha"), 1.25, 1e-9);
    dmtest_write_file(dmtest_path("ha.csv"), "Land ID,Land classification,Estimated Area,WKT\n"
                                             "LND-9,Suspected hazardous areas (SHA),1.5,\"" SQUARE "\"\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards ha.csv --unit ha"), 0);
    free(out);
    ASSERT_NEAR(field_of("hazards", "LND-9", "est_area_ha"), 1.5, 1e-9);
    /* the check reads them so too */
    ASSERT_EQ(dmtest_demine(&out, "check %s --layer hazards --unit m2", land), 0);
    ASSERT_CONTAINS(out, "'Estimated Area' (m\xC2\xB2) into est_area_ha");
    ASSERT_CONTAINS(out, "0 errors");
    free(out);
    /* and the help says so */
    ASSERT_EQ(dmtest_demine(&out, "import --help"), 0);
    ASSERT_CONTAINS(out, "--unit m2|km2|ha     the unit of the area columns whose name says none: IMSMA's");
    ASSERT_CONTAINS(out, "say it, for all of them (--unit\nm2)");
    free(out);
}

/* A victims' export names its accident by IMSMA's accident id column
 * (Accident ID, the database's accident_localid): recognised as the
 * victim's accident_id, which names the accident (by its uuid here) */
TEST(import_imsma_victims_name_their_accident_by_its_id_column)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"), "uuid,date,killed,injured,lat,lon\n"
                                              "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,2022-04-11,1,1,39.9601,46.9201\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents acc.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("v.csv"), "Accident ID,Sex,Outcome\n"
                                            "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,Female,Killed\n"
                                            "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,Male,Injured\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer victims v.csv"), 0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    ASSERT_CONTAINS(out, "IMSMA columns recognised: 'Accident ID' as accident_id");
    free(out);
    dmtest_write_file(dmtest_path("v2.csv"), "accident_localid,Sex,Outcome\n"
                                             "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,Male,Killed\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer victims v2.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM victims WHERE accident_id = "
                              "'3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f'\""),
              0);
    ASSERT_STREQ(out, "3\n");
    free(out);
    /* one the database has not is refused naming the victim by its feature */
    dmtest_write_file(dmtest_path("v3.csv"), "Accident ID,Name,Outcome\nAZ-ACC-404,R. Quliyev,Killed\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer victims v3.csv"), 2);
    ASSERT_CONTAINS(out, "v3.csv: feature 1 (line 2): field 'accident_id': no accidents with id or ref 'AZ-ACC-404'");
    ASSERT_MSG(!strstr(out, "Quliyev"), "a victim named:\n%s", out);
    free(out);
}
