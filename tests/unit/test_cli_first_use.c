/* SPDX-License-Identifier: MIT
 *
 * test_cli_first_use.c -- what a new user meets when a command is given
 * wrong or a file is not what it should be: a file that is not there, an
 * output format known by its driver's name only (MapInfo), a status typed
 * in another case, a mistyped command, a database copied without its risk
 * map, and the transcripts of the docs that must read as the program
 * prints.
 */
#include "dmtest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *hazard_db(void)
{
    const char *db = dmtest_path("w.gpkg");
    const char *gj = dmtest_path("h.geojson");
    dmtest_write_file(gj, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                          "{\"ref\":\"H-1\",\"hazard_type\":\"SHA\",\"status\":\"open\",\"reliability\":3,"
                          "\"reported_date\":\"2024-03-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                          "[[[46.9,40.0],[46.91,40.0],[46.91,40.01],[46.9,40.01],[46.9,40.0]]]}}]}");
    ASSERT_DEMINE(0, "created", "init '%s'", db);
    ASSERT_DEMINE(0, "imported 1 row", "import '%s' --layer hazards '%s'", db, gj);
    return db;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

TEST(import_and_check_of_a_file_not_there_say_so)
{
    const char *db = hazard_db();
    const char *none = dmtest_path("hazrds.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer hazards '%s'", db, none), 3);
    ASSERT_CONTAINS(out, "hazrds.csv: no such file");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check '%s' --layer hazards", none), 3);
    ASSERT_CONTAINS(out, "hazrds.csv: no such file");
    free(out);
}

TEST(export_names_format_for_an_extension_it_does_not_know)
{
    const char *db = hazard_db();
    const char *tab = dmtest_path("h.tab");
    ASSERT_DEMINE(2, "--format", "export '%s' --layer hazards '%s'", db, tab);
    ASSERT(!exists(tab));
}

TEST(export_to_mapinfo_with_its_driver_name)
{
    /* MapInfo has no 64-bit integers: whole numbers go as 32-bit ones */
    const char *db = hazard_db();
    const char *tab = dmtest_path("h.tab");
    ASSERT_DEMINE(0, "exported 1 row of hazards", "export '%s' --layer hazards '%s' --format 'MapInfo File'", db,
                  tab);
    ASSERT(exists(tab));
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -al '%s' 2>&1", tab), 0);
    ASSERT_CONTAINS(out, "ref (String) = H-1");
    ASSERT_CONTAINS(out, "reliability (Integer) = 3");
    free(out);
}

TEST(status_says_the_status_as_stored)
{
    const char *db = hazard_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "status '%s' H-1 Partly_Released --date 2024-05-01", db), 0);
    ASSERT_CONTAINS(out, "hazard H-1 is now partly_released\n");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show '%s' H-1", db), 0);
    ASSERT_CONTAINS(out, "partly_released");
    free(out);
}

TEST(an_unknown_command_is_not_given_a_far_fetched_guess)
{
    char *out = NULL;
    /* two letters of four wrong: no likeness */
    ASSERT_EQ(dmtest_demine(&out, "nope x.gpkg"), 2);
    ASSERT_CONTAINS(out, "unknown command 'nope'\n");
    ASSERT(!strstr(out, "did you mean"));
    free(out);
    /* a transposition or a letter left out still names the command */
    ASSERT_DEMINE(2, "did you mean 'demine plan'?", "plna x.gpkg");
    ASSERT_DEMINE(2, "did you mean 'demine list'?", "lsit x.gpkg");
    ASSERT_DEMINE(2, "did you mean 'demine stats'?", "stat x.gpkg");
    ASSERT_DEMINE(2, "did you mean 'demine form'?", "frm items");
}

TEST(backup_says_when_the_risk_map_it_names_is_not_there)
{
    const char *db = hazard_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "w-risk.tif"));
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "backup '%s' '%s'", db, dmtest_path("b1.gpkg")), 0);
    ASSERT_CONTAINS(out, "the risk map the database names is not there:");
    ASSERT(!strstr(out, "is a separate file"));
    free(out);
    dmtest_write_file(dmtest_path("w-risk.tif"), "x");
    ASSERT_EQ(dmtest_demine(&out, "backup '%s' '%s'", db, dmtest_path("b2.gpkg")), 0);
    ASSERT_CONTAINS(out, "the risk map is a separate file, not in the backup:");
    free(out);
}

TEST(docs_sensors_transcript_reads_as_the_import_prints)
{
    /* docs/sensors.md's walk through the synthetic surveys, its first steps */
    char *out = NULL;
    const char *dir = dmtest_tmpdir();
    const char *bin = getenv("DEMINE_BIN") ? getenv("DEMINE_BIN") : "demine";
    ASSERT_EQ(dmtest_sh(&out, "cd '%s' && '%s' init try.gpkg && '%s' detect synth ortho.tif --truth truth.csv && "
                              "'%s' detect ortho.tif --out d.geojson --flight-ref D-1 --sensor 'M3M multispectral' "
                              "--sensor-kind multispectral --date 2024-05-02 --truth truth.csv && "
                              "'%s' sensors import try.gpkg d.geojson 2>&1",
                        dir, bin, bin, bin, bin),
              0);
    char *doc = dmtest_read_file(dmtest_repo_path("docs/sensors.md"));
    ASSERT(doc);
    const char *line = strstr(out, "d.geojson: ");
    ASSERT(line);
    char said[512];
    snprintf(said, sizeof said, "%.*s", (int)strcspn(line, "\n"), line);
    ASSERT_CONTAINS(doc, said);
    free(doc);
    free(out);
}

TEST(check_help_says_what_max_does_as_it_does)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check --help"), 0);
    ASSERT_CONTAINS(out, "--max N lists the first N problems (default 50; 0: all)");
    free(out);
    /* a hazard of 2 ha drawn as 95: a warning, which --max 0 lists */
    const char *db = hazard_db();
    ASSERT_DEMINE(0, NULL, "edit '%s' H-1 est_area_ha=2", db);
    ASSERT_EQ(dmtest_demine(&out, "check '%s' --max 0", db), 0);
    ASSERT_CONTAINS(out, "area_mismatch");
    ASSERT(!strstr(out, "more (use --max 0"));
    free(out);
    /* two of them, one shown, the other counted */
    const char *gj = dmtest_path("h2.geojson");
    dmtest_write_file(gj, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                          "{\"ref\":\"H-2\",\"hazard_type\":\"SHA\",\"status\":\"open\",\"est_area_ha\":1},"
                          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                          "[[[46.92,40.0],[46.93,40.0],[46.93,40.01],[46.92,40.01],[46.92,40.0]]]}}]}");
    ASSERT_DEMINE(0, "imported 1 row", "import '%s' --layer hazards '%s'", db, gj);
    ASSERT_EQ(dmtest_demine(&out, "check '%s' --max 1", db), 0);
    ASSERT_CONTAINS(out, "... 1 more (use --max 0 or --json for all)");
    free(out);
}

TEST(date_options_read_day_first_dates_as_edit_does)
{
    /* plan --start took YYYY-MM-DD alone where status --date and edit take
     * 12.05.2026 too: every date option reads the same forms */
    const char *db = hazard_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --no-write --start 12.05.2026 --json --csv '%s' --out-json '%s'",
                            db, dmtest_path("p.csv"), dmtest_path("p.json")),
              0);
    ASSERT_CONTAINS(out, "\"start\":\"2026-05-12\"");
    free(out);
    ASSERT_DEMINE(2, "--start must be a date (YYYY-MM-DD, or day first: 12.05.2026)",
                  "plan '%s' --prior --no-write --start 31.02.2026", db);
    ASSERT_DEMINE(0, "Quality control of", "qc '%s' --from 01.03.2024 --to 31/12/2024", db);
    ASSERT_DEMINE(2, "--to: '31.04.2024' is not a date", "qc '%s' --to 31.04.2024", db);
    /* eore reads its dates, then finds no settlement in this database */
    ASSERT_DEMINE(2, "no settlement", "eore '%s' --since 12-05-2024 --date 1.6.2025", db);
    ASSERT_DEMINE(2, "--since: '12.5.24' is not a date", "eore '%s' --since 12.5.24", db);
    const char *html = dmtest_path("r.html");
    ASSERT_DEMINE(0, "report written", "report '%s' --out '%s' --date 12.05.2026", db, html);
    char *doc = dmtest_read_file(html);
    ASSERT(doc);
    ASSERT_CONTAINS(doc, "2026-05-12");
    free(doc);
    /* a year or a month alone still means its first (or, ending a range, last) day */
    ASSERT_DEMINE(0, "Quality control of", "qc '%s' --from 2024 --to 2024-02", db);
    ASSERT_DEMINE(2, "--from 2025-01-01 is after --to 2024-12-31", "qc '%s' --from 2025 --to 2024", db);
}

TEST(a_mistyped_subcommand_names_the_one_meant)
{
    /* as a mistyped command or option does */
    const char *db = hazard_db();
    ASSERT_DEMINE(2, "unknown subcommand 'aprove'; did you mean 'approve'? (list, show, approve, reject, withdraw)",
                  "reports '%s' aprove X --reason r", db);
    ASSERT_DEMINE(2, "did you mean 'approve'?", "reports aprove '%s' X --reason r", db);
    ASSERT_DEMINE(2, "did you mean 'map'?", "risk mpa '%s'", db);
    ASSERT_DEMINE(2, "did you mean 'list'?", "sensors lsit '%s'", db);
    ASSERT_DEMINE(2, "did you mean 'verify'?", "records verfy '%s'", db);
    ASSERT_DEMINE(2, "did you mean 'passwd'?", "user paswd '%s' bob", db);
    /* where the subcommand may be left out, a near miss that is no file */
    ASSERT_DEMINE(2, "did you mean 'record'?", "qc recrod '%s'", db);
    ASSERT_DEMINE(2, "did you mean 'check'?", "route chek '%s' --line x.geojson", db);
    ASSERT_DEMINE(2, "did you mean 'search-spots'?", "demo search-spot '%s' s.geojson --out o.geojson", db);
    ASSERT_DEMINE(2, "did you mean 'synth'?", "mag synt x.csv");
    /* nothing like one: the list alone */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "reports '%s' accept X", db), 2);
    ASSERT_CONTAINS(out, "unknown subcommand 'accept' (list, show, approve, reject, withdraw)");
    ASSERT(!strstr(out, "did you mean"));
    free(out);
    /* a database that is there is read as one */
    ASSERT_DEMINE(0, "Quality control of", "qc '%s'", db);
}

TEST(plan_says_a_missing_input_first_and_alone)
{
    /* its notes (no --teams, a start in the past) once the inputs are read */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "plan '%s'", dmtest_path("none.gpkg")), 3);
    ASSERT_CONTAINS(out, "no such database");
    ASSERT(!strstr(out, "note:"));
    free(out);
    const char *db = hazard_db();
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --start 2026-01-05", db), 2);
    ASSERT_CONTAINS(out, "no risk map yet");
    ASSERT(!strstr(out, "note:"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --no-write --start 2026-01-05", db), 0);
    ASSERT_CONTAINS(out, "note: no --teams: planned with the default team set");
    ASSERT_CONTAINS(out, "note: --start 2026-01-05 is before today");
    free(out);
}

TEST(demo_risk_education_sessions_each_have_their_district)
{
    /* the radio broadcasts named their settlement but not its district:
     * stats --by district counted one "(unknown)" session of 0 people */
    const char *db = dmtest_path("demo1.gpkg");
    ASSERT_DEMINE(0, "10 risk education sessions", "demo '%s'", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --by district", db), 0);
    ASSERT_CONTAINS(out, "Risk education (EORE): 10 sessions; 348 people reached");
    ASSERT_CONTAINS(out, "Aghdam                        6            226");
    ASSERT(!strstr(out, "(unknown)"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list '%s' eore_sessions --where delivery=media", db), 0);
    ASSERT_CONTAINS(out, "Aghdam");
    free(out);
}

TEST(a_count_of_one_is_said_in_the_singular)
{
    /* "1 hazards" in backup, "1 expected items" in plan */
    const char *db = dmtest_path("one.gpkg");
    const char *gj = dmtest_path("one.geojson");
    dmtest_write_file(gj, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                          "{\"ref\":\"H-1\",\"hazard_type\":\"SHA\",\"status\":\"open\",\"reliability\":3},"
                          "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                          "[[[46.9,40.0],[46.902,40.0],[46.902,40.01],[46.9,40.01],[46.9,40.0]]]}}]}");
    ASSERT_DEMINE(0, "created", "init '%s'", db);
    ASSERT_DEMINE(0, "imported 1 row", "import '%s' --layer hazards '%s'", db, gj);
    ASSERT_DEMINE(0, " MB, 1 hazard, 0 items, checked whole", "backup '%s' '%s'", db, dmtest_path("b.gpkg"));
    ASSERT_DEMINE(0, ": 1 open hazard, 19.0 ha, 1 expected item; 50 teams",
                  "plan '%s' --prior --no-write --csv '%s' --out-json '%s'", db, dmtest_path("p.csv"),
                  dmtest_path("p.json"));
    ASSERT_DEMINE(0, "one.geojson: 1 row checked, 0 errors, 0 warnings", "check '%s' --layer hazards", gj);
}
