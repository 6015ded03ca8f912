/* SPDX-License-Identifier: MIT
 *
 * test_migration.c -- moving a national database from IMSMA NG to demine as
 * an information management officer does it: `demine check FILE` before
 * each import, the import of hazards, activities, release areas and items
 * from IMSMA-style exports (tests/data/migration/, written for these tests:
 * Karabakh places, no programme's data), and the mistakes such exports
 * carry (areas in m² read as hectares, an area of 0, Shapefile-cut column
 * names, a header row below a title, Excel date serials).
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void make_db(void)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
}

static const char *land_csv(void) { return dmtest_repo_path("tests/data/migration/land.csv"); }

/* IMSMA's areas in m² said to be hectares: the check compares them with
 * the polygons, as `check DB` does once they are imported, and names the
 * unit and the --map that reads them so. */
TEST(check_file_area_in_m2_read_as_hectares_is_named)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out,
                            "check %s --layer hazards --map 'Estimated Area=est_area_ha' "
                            "--map 'Remaining Area=remaining_area_ha' --map District=district",
                            land_csv()),
              0);
    ASSERT_CONTAINS(out, "feature 1 (line 2) AZ-L-0001: est_area_ha is 30000.00 ha but the polygon measures");
    ASSERT_CONTAINS(out, "about 10 000 times the polygon: square metres read as hectares? --map "
                         "'Estimated Area=est_area_m2' reads the column so");
    free(out);
    /* said in m²: nothing to say */
    ASSERT_EQ(dmtest_demine(&out,
                            "check %s --layer hazards --map 'Estimated Area=est_area_m2' "
                            "--map 'Remaining Area=remaining_area_m2'",
                            land_csv()),
              0);
    ASSERT_MSG(!strstr(out, "area_mismatch"), "unexpected warning:\n%s", out);
    free(out);
}

/* An area of 0 (IMSMA's "not measured") against a polygon of 6 ha: named
 * by the check of the file, and by the check of the database with the edit
 * that mends it. */
TEST(check_area_of_zero_is_named_in_file_and_database)
{
    make_db();
    dmtest_write_file(dmtest_path("z.csv"),
                      "Land ID,Land classification,Estimated Area,WKT\n"
                      "AZ-L-0009,Suspected hazardous areas (SHA),0,"
                      "\"POLYGON((47.15 39.6,47.1535 39.6,47.1535 39.6018,47.15 39.6018,47.15 39.6))\"\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check z.csv --layer hazards --map 'Estimated Area=est_area_m2'"), 0);
    ASSERT_CONTAINS(out, "AZ-L-0009: est_area_ha is 0.00 ha but the polygon measures");
    ASSERT_CONTAINS(out, "an area not measured given as 0? Leave it empty");
    free(out);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer hazards z.csv --map 'Estimated Area=est_area_m2'");
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT_CONTAINS(out, "`demine edit DB AZ-L-0009 est_area_ha=");
    free(out);
}

/* A land layer saved as a Shapefile in UTM 38N (as IMSMA or ArcGIS save
 * it): the format cuts "Land classification" to "Land class" and "Estimated
 * Area" to "Estimated", still read as IMSMA's columns. */
TEST(import_imsma_shapefile_with_cut_column_names)
{
    make_db();
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -q -t_srs EPSG:32638 -lco ENCODING=UTF-8 land.shp %s 2>/dev/null",
                        dmtest_repo_path("tests/data/migration/land.geojson")),
              0);
    char *out = NULL;
    /* the unit of the cut area columns is still to be said, by their names */
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards land.shp"), 2);
    ASSERT_CONTAINS(out, "column 'Estimated' is IMSMA's est_area_ha");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards land.shp --map Estimated=est_area_m2 "
                                  "--map Remaining=remaining_area_m2"),
              0);
    ASSERT_CONTAINS(out, "'Land class' (IMSMA's land_classification, its name cut by the Shapefile) as "
                         "hazard_type");
    ASSERT_CONTAINS(out, "imported 3 rows");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg hazards --where ref=AZ-L-0001 --json"), 0);
    ASSERT_CONTAINS(out, "\"hazard_type\":\"CHA\"");
    ASSERT_CONTAINS(out, "\"est_area_ha\":3");
    free(out);
}

/* Several IMSMA areas without their unit: one error names them all, with
 * every --map to copy, and the check does not add a warning per row for
 * the areas it then cannot compare with the polygons. */
TEST(imsma_areas_without_unit_are_named_together)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check %s --layer hazards --map District=district", land_csv()), 4);
    ASSERT_CONTAINS(out, "column 'Estimated Area' is IMSMA's est_area_ha, in the unit the programme chose");
    ASSERT_CONTAINS(out, "and so is 'Remaining Area' (remaining_area_ha)");
    ASSERT_CONTAINS(out, "--map 'Estimated Area=est_area_m2' --map 'Remaining Area=remaining_area_m2' for m");
    ASSERT_MSG(!strstr(out, "area_mismatch"), "a warning per row:\n%s", out);
    free(out);
    dmtest_write_file(dmtest_path("a.csv"),
                      "Hazard reduction ID,Type of activity,Cancelled Area,Reduced Area with technical asset,"
                      "Reduced Area without technical asset,Cleared Area\n"
                      "AZ-HR-0001,Technical survey,,700,300,\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv --map 'Cleared Area=area_cleared_m2'"),
              2);
    ASSERT_CONTAINS(out, "a.csv: column 'Cancelled Area' is IMSMA's area_cancelled_ha");
    ASSERT_CONTAINS(out, "and so are 'Reduced Area with technical asset' (area_reduced_ha), 'Reduced Area "
                         "without technical asset' (area_reduced_ha)");
    free(out);
}

static void import_land(void)
{
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer hazards %s --map 'Estimated Area=est_area_m2' "
                                        "--map 'Remaining Area=remaining_area_m2'",
                  land_csv());
}

#define ACT_UNITS                                                                                  \
    "--map 'Cancelled Area=area_cancelled_m2' --map 'Reduced Area with technical asset=area_reduced_m2' " \
    "--map 'Reduced Area without technical asset=area_reduced_m2' --map 'Cleared Area=area_cleared_m2'"

/* IMSMA's ids of the Land and the Activity a row belongs to ('Land ID',
 * 'Hazard reduction ID') link activities, released land and finds to their
 * hazard and activity; a link to a Land not imported is named. */
TEST(import_imsma_links_by_land_and_activity_ids)
{
    make_db();
    import_land();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities %s " ACT_UNITS,
                            dmtest_repo_path("tests/data/migration/activities.csv")),
              0);
    ASSERT_CONTAINS(out, "'Land ID' as hazard_id");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer release_areas %s",
                            dmtest_repo_path("tests/data/migration/release.csv")),
              0);
    ASSERT_CONTAINS(out, "'Hazard reduction ID' as activity_id, 'Land ID' as hazard_id");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg AZ-L-0001"), 0);
    ASSERT_CONTAINS(out, "AZ-HR-0001 nts 2022-03-01 (via hazard_id)");
    ASSERT_CONTAINS(out, "cleared 2022-07-01 0.87 (via hazard_id)");
    free(out);
    dmtest_write_file(dmtest_path("r.csv"), "Hazard reduction ID,Land ID,outcome,date,WKT\n"
                                            "AZ-HR-0003,AZ-L-0999,Reduced,2023-06-05,\"POLYGON((47.15 39.6,"
                                            "47.1535 39.6,47.1535 39.6009,47.15 39.6009,47.15 39.6))\"\n");
    ASSERT_EQ(dmtest_demine(&out, "check r.csv --layer release_areas --db db.gpkg"), 4);
    ASSERT_CONTAINS(out, "feature 1 (line 2): field 'hazard_id': no hazards with id or ref 'AZ-L-0999'");
    free(out);
}

static void import_activities_and_release(void)
{
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer activities %s " ACT_UNITS,
                  dmtest_repo_path("tests/data/migration/activities.csv"));
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer release_areas %s",
                  dmtest_repo_path("tests/data/migration/release.csv"));
}

/* An export's Remaining Area left at the estimate though release areas
 * released land: settling leaves such hazards as they are, and says so;
 * the check names each, with the figures and the way to settle it. */
TEST(remaining_area_recorded_before_the_release_is_named)
{
    make_db();
    import_land();
    import_activities_and_release();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "status db.gpkg --settle --dry-run"), 0);
    ASSERT_CONTAINS(out, "left as recorded: 2 open hazards whose remaining_area_ha, with the land released from "
                         "them, add up to more than their estimate");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT_CONTAINS(out, "AZ-L-0001: remaining_area_ha 3.00 and the 2.84 ha released from it (release_areas) add "
                         "up to more than its estimate of 3.00 ha");
    ASSERT_CONTAINS(out, "`demine edit DB AZ-L-0001 remaining_area_ha=`");
    ASSERT_CONTAINS(out, "AZ-L-0002: remaining_area_ha 6.00");
    ASSERT_MSG(!strstr(out, "AZ-L-0003: remaining_area_ha"), "AZ-L-0003 released nothing:\n%s", out);
    free(out);
    /* the way the check gives: emptied, settled, named no more */
    ASSERT_DEMINE(0, NULL, "edit db.gpkg AZ-L-0001 remaining_area_ha= --reason 'IMSMA remaining area not updated'");
    ASSERT_DEMINE(0, "settled 1 hazard", "status db.gpkg --settle --reason 'released land recorded in IMSMA'");
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT_MSG(!strstr(out, "AZ-L-0001: remaining_area_ha"), "still named:\n%s", out);
    free(out);
}

/* The migration the documentation gives: the hazards without IMSMA's
 * Remaining Area, their release areas after them, then --settle. */
TEST(migration_without_remaining_area_settles_every_hazard)
{
    make_db();
    ASSERT_DEMINE(0, "imported 3 rows",
                  "import db.gpkg --layer hazards %s --map 'Estimated Area=est_area_m2' --map 'Remaining Area=-'",
                  land_csv());
    import_activities_and_release();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "status db.gpkg --settle"), 0);
    ASSERT_CONTAINS(out, "settled 2 hazards");
    ASSERT_MSG(!strstr(out, "left as recorded"), "%s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT_MSG(!strstr(out, "remaining_stale") && !strstr(out, "remaining_missing"), "%s", out);
    free(out);
}

/* Each imported row's change log names the file it came from. */
TEST(import_logs_the_file_each_row_came_from)
{
    make_db();
    import_land();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg AZ-L-0002"), 0);
    ASSERT_CONTAINS(out, "insert   by ");
    ASSERT_CONTAINS(out, ": import of ");
    ASSERT_CONTAINS(out, "tests/data/migration/land.csv");
    free(out);
}

/* A column mapped to uuid that holds another system's id says so and
 * where such an id goes (the accidents' ref); a victim refused is named
 * by its feature, never by its name. */
TEST(import_accidents_ids_and_victims_errors_name_no_one)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"), "Accident ID,date,killed,injured,lat,lon\n"
                                              "AZ-ACC-001,2022-04-11,1,0,39.9601,46.9201\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents acc.csv --map 'Accident ID=uuid'"), 2);
    ASSERT_CONTAINS(out, "feature 1 (line 2): column 'Accident ID' gives the row's uuid: 'AZ-ACC-001' is not a "
                         "uuid");
    ASSERT_CONTAINS(out, "an id of another system goes to ref: --map 'Accident ID=ref'");
    free(out);
    dmtest_write_file(dmtest_path("acc.csv"), "Accident ID,date,killed,injured,lat,lon\n"
                                              "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,2022-04-11,1,0,39.9601,46.9201\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents acc.csv --map 'Accident ID=uuid'");
    dmtest_write_file(dmtest_path("v.csv"), "Accident ID,Name,Sex,Age,Outcome\n"
                                            "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,Gülşən Məmmədova,Female,34,Killed\n"
                                            "AZ-ACC-001,Rəşad Quliyev,Male,41,Injured\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer victims v.csv --map 'Accident ID=accident_id'"), 2);
    ASSERT_CONTAINS(out, "v.csv: feature 2 (line 3): field 'accident_id': no accidents with id or ref 'AZ-ACC-001'");
    ASSERT_MSG(!strstr(out, "Quliyev") && !strstr(out, "Məmmədova"), "a victim named:\n%s", out);
    free(out);
}

/* Dates a spreadsheet kept as serial numbers (cells formatted as numbers):
 * refused naming the date each one is, in a CSV and in an XLSX file. */
TEST(excel_date_serials_are_named_as_such)
{
    make_db();
    dmtest_write_file(dmtest_path("a.csv"), "Hazard reduction ID,Type of activity,Start date,End date\n"
                                            "AZ-HR-0001,Non-technical survey,44621,44622\n"
                                            "AZ-HR-0002,Clearance,01.05.2022,01.07.2022\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check a.csv --layer activities"), 4);
    ASSERT_CONTAINS(out, "feature 1 (line 2) AZ-HR-0001: field 'start_date': '44621' is not a date but looks like "
                         "an Excel date serial number, 2022-03-01");
    ASSERT_CONTAINS(out, "field 'end_date': '44622' is not a date but looks like an Excel date serial number, "
                         "2022-03-02");
    ASSERT_CONTAINS(out, "2 rows checked, 2 errors");
    free(out);
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -q -f XLSX a.xlsx a.csv -oo AUTODETECT_TYPE=YES"), 0);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.xlsx"), 2);
    ASSERT_CONTAINS(out, "a.xlsx: feature 1 AZ-HR-0001: field 'start_date': '44621' is not a date but looks like "
                         "an Excel date serial number, 2022-03-01");
    free(out);
}

/* A sheet with a title above its column names: the names' row is named,
 * in an XLSX file (by its row) and in a CSV file (by its line). */
TEST(column_names_below_a_title_are_named)
{
    make_db();
    dmtest_write_file(dmtest_path("t.csv"), "Land export (IMSMA NG) 20.11.2026\n\n");
    ASSERT_EQ(dmtest_sh(NULL, "cat %s >> t.csv", land_csv()), 0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check t.csv --layer hazards"), 2);
    ASSERT_CONTAINS(out, "t.csv: the column names are on line 3 ('Land ID', 'Land name', 'Land classification', 'Estimated Area', ...), not on the first");
    free(out);
    /* an XLSX of the same rows: its title in A1, the names in row 3 */
    dmtest_write_file(dmtest_path("u.csv"), "A,B,C\nLand export 20.11.2026,,\n,,\n"
                                            "Land ID,Land classification,WKT\n"
                                            "AZ-L-0001,Suspected hazardous areas (SHA),"
                                            "\"POLYGON((46.92 39.96,46.9223 39.96,46.9223 39.9613,46.92 39.96))\"\n");
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -q -f XLSX u.xlsx u.csv -lco HEADERS=NO 2>/dev/null || "
                              "ogr2ogr -q -f XLSX u.xlsx u.csv"),
              0);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards u.xlsx"), 2);
    ASSERT_CONTAINS(out, "u.xlsx: the column names are on row ");
    ASSERT_CONTAINS(out, "('Land ID', 'Land classification', 'WKT'), not on the first");
    free(out);
    /* names on the first row: read as ever */
    ASSERT_DEMINE(0, NULL, "check %s --layer hazards --map 'Estimated Area=est_area_m2' "
                           "--map 'Remaining Area=remaining_area_m2'", land_csv());
}

/* A --map of a column the file does not have was dropped without a word:
 * refused, naming the column meant or the columns there are; dropping
 * one that is not there (--map X=-) drops nothing and passes. */
TEST(import_map_of_a_column_the_file_lacks_is_refused)
{
    const char *db = dmtest_path("m.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    const char *csv = dmtest_path("it.csv");
    dmtest_write_file(csv, "lon,lat,found,kind\n46.9,39.6,2024-01-02,AP\n");
    ASSERT_DEMINE(2, "--map fund=found_date: the file has no column 'fund' (did you mean 'found'?)",
                  "import '%s' --layer items '%s' --map fund=found_date --map kind=category", db, csv);
    ASSERT_DEMINE(2, "the file has no column 'Nothing' (its columns: lon, lat, found, kind)",
                  "import '%s' --layer items '%s' --map Nothing=quantity --map found=found_date --map kind=category",
                  db, csv);
    ASSERT_DEMINE(2, "the file has no column 'fund'", "check '%s' --layer items --map fund=found_date", csv);
    ASSERT_DEMINE(0, NULL, "import '%s' --layer items '%s' --map found=found_date --map kind=category --map gone=-", db,
                  csv);
}

/* A file in another CRS (a Shapefile's .prj in UTM) is reprojected, and
 * said, so that a wrong .prj shows; one in WGS 84 says nothing of it. */
TEST(import_says_the_crs_it_reprojected_from)
{
    const char *db = dmtest_path("c.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    char gj[1024], utm[1024];
    snprintf(gj, sizeof gj, "%s", dmtest_path("h.geojson"));
    snprintf(utm, sizeof utm, "%s", dmtest_path("h38.gpkg"));
    dmtest_write_file(gj, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                          "{\"ref\":\"U-1\",\"hazard_type\":\"SHA\"},\"geometry\":{\"type\":\"Polygon\","
                          "\"coordinates\":[[[46.9,39.6],[46.91,39.6],[46.91,39.61],[46.9,39.61],[46.9,39.6]]]}}]}");
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -t_srs EPSG:32638 '%s' '%s'", utm, gj), 0);
    ASSERT_DEMINE(0, "coordinates reprojected from EPSG:32638 (WGS 84 / UTM zone 38N) to WGS 84",
                  "import '%s' --layer hazards '%s'", db, utm);
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "delete '%s' U-1 --reason test", db);
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer hazards '%s'", db, gj), 0);
    ASSERT(!strstr(out, "reprojected"));
    free(out);
}

/* 3/4/2024 is read day first (3 April), as written in the region, but a
 * US tool means 4 March: said once, by import and check; 25/4/2024 and
 * 12.05.2021 (dots) could be read one way only and say nothing. */
TEST(import_says_slash_dates_read_day_first_that_could_be_month_first)
{
    const char *db = dmtest_path("d.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    const char *csv = dmtest_path("d.csv");
    dmtest_write_file(csv, "lon,lat,found_date,category\n46.9,39.61,25/4/2024,AP\n46.9,39.6,3/4/2024,AP\n"
                           "46.9,39.62,12.05.2021,AP\n46.9,39.63,5/6/2023,AT\n");
    ASSERT_DEMINE(0, "2 dates read day first, as written here, though month first is a date too (the first: "
                     "'3/4/2024' as 2024-04-03, feature 2 (line 3), field 'found_date')",
                  "import '%s' --layer items '%s'", db, csv);
    ASSERT_DEMINE(0, "date_order", "check '%s' --layer items", csv);
    char *out = NULL;
    const char *csv2 = dmtest_path("d2.csv");
    dmtest_write_file(csv2, "lon,lat,found_date,category\n46.9,39.61,25/4/2024,AP\n46.9,39.62,12.05.2021,AP\n");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer items '%s'", db, csv2), 0);
    ASSERT(!strstr(out, "day first"));
    free(out);
}

/* A database made before a layer had its ref: a read-write open adds the
 * column with the index a new database has on it (each row an import links
 * by ref, and --skip-existing, looks it up), and the triggers that log
 * edits made outside demine name it again; read-only, it is left as it is. */
TEST(store_migration_adds_a_ref_with_its_index)
{
    make_db();
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 db.gpkg \"DROP TRIGGER dm_outside_hazards_insert; DROP TRIGGER "
                              "dm_outside_hazards_update; DROP TRIGGER dm_outside_hazards_delete; DROP INDEX "
                              "hazards_ref; ALTER TABLE hazards DROP COLUMN ref\""),
              0);
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "list db.gpkg hazards");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM pragma_table_info('hazards') WHERE name = "
                              "'ref'\""),
              0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer hazards %s --unit m2",
                  dmtest_repo_path("tests/data/imsma/land.csv"));
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                              "'hazards' AND sql LIKE '%%(\\\"ref\\\")%%'; EXPLAIN QUERY PLAN SELECT uuid FROM "
                              "hazards WHERE ref = 'LND-0002'\""),
              0);
    ASSERT_CONTAINS(out, "hazards_ref\n");
    ASSERT_CONTAINS(out, "USING INDEX hazards_ref (ref=?)");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT sql FROM sqlite_master WHERE name = "
                              "'dm_outside_hazards_update'\""),
              0);
    ASSERT_CONTAINS(out, "ref");
    free(out);
    /* the refs are there: an activity links to its hazard by its Land ID */
    dmtest_write_file(dmtest_path("a.csv"), "Hazard reduction ID,Type of activity,Land ID\n"
                                            "ACT-1,Technical survey,LND-0002\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer activities a.csv");
}

/* IMSMA's accident ids (Accident ID, accident_localid) are the accidents'
 * refs, and their victims link to them by it, as activities link to their
 * hazards by Land ID; the next export imports with --skip-existing. */
TEST(import_accident_ids_as_refs_and_victims_link_by_them)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"), "Accident ID,date,killed,injured,lat,lon\n"
                                              "AZ-ACC-001,2022-04-11,1,1,39.9601,46.9201\n"
                                              "AZ-ACC-002,2022-05-02,0,1,39.9701,46.9301\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents acc.csv"), 0);
    ASSERT_CONTAINS(out, "IMSMA columns recognised: 'Accident ID' as ref");
    free(out);
    dmtest_write_file(dmtest_path("v.csv"), "Accident ID,Name,Sex,Outcome\n"
                                            "AZ-ACC-001,G\xc3\xbcl\xc5\x9f\xc9\x99n M\xc9\x99mm\xc9\x99" "dova,Female,Killed\n"
                                            "AZ-ACC-001,R\xc9\x99\xc5\x9f" "ad Quliyev,Male,Injured\n"
                                            "AZ-ACC-002,Anar Aliyev,Male,Injured\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer victims v.csv");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT a.ref, count(*) FROM victims v JOIN accidents a ON a.uuid = "
                              "v.accident_id GROUP BY a.ref ORDER BY a.ref\""),
              0);
    ASSERT_STREQ(out, "AZ-ACC-001|2\nAZ-ACC-002|1\n");
    free(out);
    /* the next export holds them again, and one more */
    dmtest_write_file(dmtest_path("acc2.csv"), "accident_localid,date,killed,injured,lat,lon\n"
                                               "AZ-ACC-001,2022-04-11,1,1,39.9601,46.9201\n"
                                               "AZ-ACC-002,2022-05-02,0,1,39.9701,46.9301\n"
                                               "AZ-ACC-003,2022-06-20,1,0,39.9801,46.9401\n");
    ASSERT_DEMINE(2, "already has ref 'AZ-ACC-001' (import with --skip-existing", "import db.gpkg --layer accidents acc2.csv");
    ASSERT_DEMINE(0, "skipped 2 rows already in accidents", "import db.gpkg --layer accidents acc2.csv --skip-existing");
    ASSERT_DEMINE(0, "AZ-ACC-003", "list db.gpkg accidents --where ref=AZ-ACC-003");
    /* a victim of an accident the database has not: named by its feature alone */
    dmtest_write_file(dmtest_path("v2.csv"), "Accident ID,Name,Outcome\nAZ-ACC-404,R. Quliyev,Killed\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer victims v2.csv"), 2);
    ASSERT_CONTAINS(out, "v2.csv: feature 1 (line 2): field 'accident_id': no accidents with id or ref 'AZ-ACC-404'");
    ASSERT_MSG(!strstr(out, "Quliyev"), "a victim named:\n%s", out);
    free(out);
}

/* A database made before accidents had a ref gets it, with its index, on
 * its next read-write open; its accidents keep theirs (none) and their
 * victims. */
TEST(store_migration_gives_accidents_a_ref)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"), "uuid,date,killed,injured,lat,lon\n"
                                              "3f0c8a52-6a59-4d43-9a8e-1d2b3c4d5e6f,2022-04-11,1,0,39.9601,46.9201\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents acc.csv");
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 db.gpkg \"DROP TRIGGER dm_outside_accidents_insert; DROP TRIGGER "
                              "dm_outside_accidents_update; DROP TRIGGER dm_outside_accidents_delete; DROP INDEX "
                              "accidents_ref; ALTER TABLE accidents DROP COLUMN ref\""),
              0);
    dmtest_write_file(dmtest_path("acc2.csv"), "Accident ID,date,killed,injured,lat,lon\n"
                                               "AZ-ACC-001,2022-05-02,0,1,39.9701,46.9301\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents acc2.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT ifnull(ref, '-') FROM accidents ORDER BY fid; EXPLAIN QUERY "
                              "PLAN SELECT uuid FROM accidents WHERE ref = 'AZ-ACC-001'\""),
              0);
    ASSERT_CONTAINS(out, "-\nAZ-ACC-001\n");
    ASSERT_CONTAINS(out, "USING INDEX accidents_ref (ref=?)");
    free(out);
}

/* A database made before a layer was added (here eore_sessions), opened
 * read-only by the commands that only read: the layer reads as empty, in
 * the list of layers, its rows, a lookup by ref, an export, the check and
 * the statistics, and the file is left as it was; the first command that
 * writes makes the table. */
TEST(older_database_reads_a_layer_added_since_as_empty)
{
    make_db();
    ASSERT_EQ(dmtest_sh(NULL, "sqlite3 db.gpkg \"DROP TABLE eore_sessions; DROP TABLE rtree_eore_sessions_geom; "
                              "DELETE FROM gpkg_contents WHERE table_name = 'eore_sessions'; DELETE FROM "
                              "gpkg_geometry_columns WHERE table_name = 'eore_sessions'; DELETE FROM gpkg_extensions "
                              "WHERE table_name = 'eore_sessions'; DELETE FROM layer_styles WHERE f_table_name = "
                              "'eore_sessions'; DELETE FROM gpkg_data_columns WHERE table_name = 'eore_sessions'\""),
              0);
    ASSERT_DEMINE(0, "eore_sessions             0", "list db.gpkg");
    ASSERT_DEMINE(0, "uuid", "list db.gpkg eore_sessions");
    ASSERT_DEMINE(2, "no row with id or ref 'H-404'", "show db.gpkg H-404");
    ASSERT_DEMINE(0, "exported 0 rows of eore_sessions", "export db.gpkg --layer eore_sessions e.geojson");
    ASSERT_DEMINE(0, "0 errors", "check db.gpkg");
    ASSERT_DEMINE(0, "no session recorded", "stats db.gpkg");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM sqlite_master WHERE name = 'eore_sessions'\""),
              0);
    ASSERT_STREQ(out, "0\n");
    free(out);
    dmtest_write_file(dmtest_path("s.csv"), "date,settlement,women\n2024-05-01,Beta,12\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer eore_sessions s.csv");
    ASSERT_DEMINE(0, "eore_sessions             1", "list db.gpkg");
}
