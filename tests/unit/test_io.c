/* SPDX-License-Identifier: MIT
 *
 * test_io.c -- import and export through the command line: every supported
 * kind of source, field mapping, CRS handling, the all-or-nothing rule for
 * bad files, round trips, and the check, list, show and stats commands.
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *hazards_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"AGD-1\",\"hazard_type\":\"SHA\","
    "\"status\":\"open\",\"ordnance\":\"AP\",\"district\":\"Aghdam\",\"reported_date\":\"2021-03-"
    "04\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.91,39.90],[46.91,39.91]"
    ","
    "[46.90,39.91],[46.90,39.90]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"AGD-2\",\"hazard_type\":\"CHA\","
    "\"status\":\"partly released\",\"ordnance\":\"AT,AP\",\"district\":\"Aghdam\"},"
    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[46.92,39.90],[46.93,39.90],[46.93,"
    "39.91],"
    "[46.92,39.90]]]]}}]}";

static void make_db(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init db.gpkg"), 0);
    free(out);
}

static long count_rows(const char *layer)
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

TEST(import_geojson_hazards_and_show_history)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 2);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg AGD-2"), 0);
    ASSERT_CONTAINS(out, "partly_released");
    ASSERT_CONTAINS(out, "MULTIPOLYGON");
    ASSERT_CONTAINS(out, "insert");
    free(out);
}

TEST(import_is_all_or_nothing_and_names_feature_and_field)
{
    make_db();
    dmtest_write_file(
        dmtest_path("bad.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},\"geometry\":"
        "{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}},"
        "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"depth_cm\":\"deep\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.91,39.9]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items bad.geojson"), 2);
    ASSERT_CONTAINS(out, "bad.geojson: feature 2: field 'depth_cm': 'deep' is not a number");
    free(out);
    ASSERT_EQ(count_rows("items"), 0);
    /* the change log is untouched too */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'select count(*) from change_log'"), 0);
    ASSERT_CONTAINS(out, "0");
    free(out);
}

TEST(import_rejects_invalid_polygons_unless_repaired)
{
    make_db();
    dmtest_write_file(
        dmtest_path("bow.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"hazard_type\":\"SHA\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.9,39.9],[46.91,39.91],[46.91,39.9],[46.9,39.91],[46.9,39.9]]]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards bow.geojson"), 4);
    ASSERT_CONTAINS(out, "feature 1: geometry: invalid (Self-intersection");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 0);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards --repair bow.geojson"), 0);
    ASSERT_CONTAINS(out, "repaired geometry (Self-intersection");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 1);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT_CONTAINS(out, "0 errors");
    free(out);
}

TEST(import_csv_in_utm_with_crs_option)
{
    make_db();
    dmtest_write_file(dmtest_path("items.csv"), "easting,northing,category,model,found_date\n"
                                                "500000,4420000,AT,TM-62M,2022-05-01\n"
                                                "500010,4420005,AP,PMN-2,2022-05-02\n");
    char *out = NULL;
    /* Without a CRS the coordinates are no longitude/latitude: refused. */
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items items.csv"), 4);
    ASSERT_CONTAINS(out, "wrong or missing CRS");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items --crs EPSG:32638 items.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --layer items --json"), 0);
    /* 500000 E in zone 38 is the central meridian, 45 E */
    ASSERT_CONTAINS(out, "\"coordinates\":[45.0");
    ASSERT_CONTAINS(out, "TM-62M");
    free(out);
}

TEST(import_kobo_and_odk_exports_without_editing)
{
    make_db();
    dmtest_write_file(
        dmtest_path("kobo.csv"),
        "start,end,today,item_group/category,item_group/model,location,_location_latitude,"
        "_location_longitude,_location_altitude,_location_precision,_id,_uuid,"
        "_submission_time,_validation_status\n"
        "2023-01-01T08:00:00,2023-01-01T08:05:00,2023-01-01,UXO,OF-462,"
        "39.95 46.95 0 5,39.95,46.95,0,5,1,abc,2023-01-01T09:00:00,\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items kobo.csv"), 0);
    free(out);
    dmtest_write_file(
        dmtest_path("odk.csv"),
        "SubmissionDate,date,kind,gps-Latitude,gps-Longitude,gps-Altitude,gps-Accuracy,"
        "meta-instanceID,KEY\n"
        "2023-02-01,2023-01-30,suspected,39.96,46.96,0,4,uuid:1,uuid:1\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer events odk.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("geo.csv"),
                      "_geolocation,date,kind\n\"[39.97, 46.97]\",2023-01-30,report\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer events geo.csv"), 0);
    free(out);
    ASSERT_EQ(count_rows("items"), 1);
    ASSERT_EQ(count_rows("events"), 2);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --layer events --json"), 0);
    ASSERT_CONTAINS(out, "\"coordinates\":[46.96,39.96]");
    ASSERT_CONTAINS(out, "\"coordinates\":[46.97,39.97]");
    free(out);
}

TEST(import_unknown_fields_and_mapping)
{
    make_db();
    dmtest_write_file(
        dmtest_path("f.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"type\":\"cemetery\",\"label\":\"Old cemetery\",\"colour\":\"red\"},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer features f.geojson"), 2);
    ASSERT_CONTAINS(out, "field 'type' is not a field of layer features");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer nosuch f.geojson"), 2);
    ASSERT_CONTAINS(out, "unknown layer 'nosuch' (layers: organisations, districts, hazards,");
    free(out);
    /* a typo of a layer names the one meant, in every command that takes one */
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer featurs f.geojson"), 2);
    ASSERT_CONTAINS(out, "unknown layer 'featurs' (did you mean 'features'?");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg hazrds"), 2);
    ASSERT_CONTAINS(out, "unknown layer 'hazrds' (did you mean 'hazards'?");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer itemz x.geojson"), 2);
    ASSERT_CONTAINS(out, "unknown layer 'itemz' (did you mean 'items'?");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check f.geojson --layer acidents"), 2);
    ASSERT_CONTAINS(out, "unknown layer 'acidents' (did you mean 'accidents'?");
    free(out);
    ASSERT_EQ(dmtest_demine(&out,
                            "import db.gpkg --layer features --map type=class --map label=name "
                            "--map colour=- f.geojson"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --layer features --json"), 0);
    ASSERT_CONTAINS(out, "\"class\":\"cemetery\"");
    ASSERT_CONTAINS(out, "\"name\":\"Old cemetery\"");
    free(out);
}

TEST(import_bad_files_change_nothing)
{
    make_db();
    char *out = NULL;
    dmtest_write_file(dmtest_path("garbage.geojson"), "{\"type\": \"FeatureCollection\", \"feat");
    ASSERT(dmtest_demine(&out, "import db.gpkg --layer items garbage.geojson") != 0);
    ASSERT_CONTAINS(out, "garbage.geojson");
    free(out);
    dmtest_write_file(dmtest_path("nonnum.csv"), "lon,lat,category\n46.9,abc,AP\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items nonnum.csv"), 4);
    ASSERT_CONTAINS(out, "feature 1 (line 2): geometry: coordinate column 'lat': 'abc' is neither a number nor "
                         "degrees");
    free(out);
    /* a row without coordinates, or with one of the two, names the columns */
    dmtest_write_file(dmtest_path("nocoord.csv"), "Longitude,Latitude,category\n46.9,39.8,AP\n,,AP\n46.8,,AP\n");
    ASSERT_DEMINE(4, "nocoord.csv: feature 2 (line 3): geometry: no coordinates: columns 'Longitude' and "
                     "'Latitude' have no value, and layer items needs a geometry",
                  "import db.gpkg --layer items nocoord.csv");
    ASSERT_EQ(dmtest_demine(&out, "check nocoord.csv --layer items"), 4);
    ASSERT_CONTAINS(out, "feature 3 (line 4): geometry: coordinate column 'Latitude' has no value (column "
                         "'Longitude' has one)");
    free(out);
    dmtest_write_file(dmtest_path("empty.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                      "\"properties\":{\"category\":\"AP\"},\"geometry\":{\"type\":\"Point\","
                      "\"coordinates\":[]}}]}");
    ASSERT(dmtest_demine(&out, "import db.gpkg --layer items empty.geojson") != 0);
    free(out);
    dmtest_write_file(dmtest_path("nogeom.csv"), "category,model\nAP,PMN-2\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items nogeom.csv"), 4);
    ASSERT_CONTAINS(out, "no geometry and no coordinate columns");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items missing.geojson"), 3);
    ASSERT_CONTAINS(out, "missing.geojson: no such file");
    free(out);
    dmtest_write_file(dmtest_path("notdb.gpkg"), "not a database at all, just text\n");
    ASSERT_EQ(dmtest_demine(&out, "import notdb.gpkg --layer items nonnum.csv"), 4);
    ASSERT_CONTAINS(out, "not a GeoPackage");
    free(out);
    ASSERT_EQ(count_rows("items"), 0);
}

TEST(import_into_locked_database_fails_cleanly)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    /* hold a write lock for 20 s from another process (the busy timeout is 5 s) */
    ASSERT_EQ(dmtest_sh(NULL, "(sqlite3 db.gpkg 'BEGIN EXCLUSIVE; SELECT 1;' "
                              "'.shell sleep 20' >/dev/null 2>&1 &) ; sleep 0.5"),
              0);
    int rc = dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson");
    ASSERT_EQ(rc, 3);
    ASSERT_CONTAINS(out, "locked");
    free(out);
}

TEST(colombian_evidence_imports_directly)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer events '%s'",
                            dmtest_repo_path("tests/data/colombia/events.geojson")),
              0);
    ASSERT_CONTAINS(out, "imported 711 rows");
    free(out);
    ASSERT_EQ(
        dmtest_demine(&out, "list db.gpkg --layer events --where municipality=GRANADA --json"), 0);
    ASSERT_CONTAINS(out, "\"date\":\"");
    ASSERT_CONTAINS(out, "-01-01\"");
    free(out);
}

static void assert_same_geoms(const char *a, const char *b)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *sa = NULL, *sb = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path(a), DM_STORE_READONLY, &sa));
    ASSERT_OK(dm_store_open(ctx, dmtest_path(b), DM_STORE_READONLY, &sb));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(sa, "hazards", NULL, &c));
    int n = 0;
    while (dm_cursor_next(c) == 1) {
        const char *f[1] = {"uuid"}, *v[1] = {dm_cursor_uuid(c)};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        dm_cursor *d = NULL;
        ASSERT_OK(dm_store_select(sb, "hazards", &sel, &d));
        ASSERT_EQ(dm_cursor_next(d), 1);
        dm_geom *ga = NULL, *gb = NULL, *x = NULL, *y = NULL;
        ASSERT_OK(dm_cursor_geom(c, &ga));
        ASSERT_OK(dm_cursor_geom(d, &gb));
        ASSERT_OK(dm_geom_difference(ctx, ga, gb, &x));
        ASSERT_OK(dm_geom_difference(ctx, gb, ga, &y));
        ASSERT(dm_geom_area(x) < 1e-12 && dm_geom_area(y) < 1e-12);
        ASSERT_NEAR(dm_geom_area(ga), dm_geom_area(gb), 1e-12);
        dm_geom_free(ga);
        dm_geom_free(gb);
        dm_geom_free(x);
        dm_geom_free(y);
        dm_cursor_free(d);
        n++;
    }
    dm_cursor_free(c);
    ASSERT_EQ(n, 2);
    dm_store_close(sa);
    dm_store_close(sb);
}

/* Export every supported format and import it back into a fresh database:
 * the same rows, uuids and geometries come back. */
TEST(round_trip_import_export_import)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    const char *exts[] = {"geojson", "gpkg", "csv", "kml", "fgb", "shp"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards out.%s", exts[i]), 0);
        free(out);
        ASSERT_EQ(dmtest_demine(&out, "init db2.gpkg"), 0);
        free(out);
        int rc = dmtest_demine(
            &out, "import db2.gpkg --layer hazards %s out.%s",
            !strcmp(exts[i], "kml") || !strcmp(exts[i], "shp") ? "--ignore-unknown" : "", exts[i]);
        ASSERT_MSG(rc == 0, "re-import of .%s failed: %s", exts[i], out);
        free(out);
        char *a = NULL, *b = NULL;
        ASSERT_EQ(dmtest_sh(&a,
                            "sqlite3 db.gpkg \"select uuid, ref, hazard_type, status, ordnance, "
                            "reported_date, hex(geom) from hazards order by uuid\""),
                  0);
        ASSERT_EQ(dmtest_sh(&b,
                            "sqlite3 db2.gpkg \"select uuid, ref, hazard_type, status, ordnance, "
                            "reported_date, hex(geom) from hazards order by uuid\""),
                  0);
        if (!strcmp(exts[i], "kml") || !strcmp(exts[i], "shp")) {
            /* KML and Shapefile may rename fields and reorder ring vertices:
             * the same uuids must come back with the same shapes. */
            assert_same_geoms("db.gpkg", "db2.gpkg");
        } else
            ASSERT_STREQ(a, b);
        free(a);
        free(b);
        ASSERT_EQ(dmtest_sh(NULL, "rm -rf db2.gpkg out.*"), 0);
    }
}

TEST(export_refuses_to_overwrite_and_unknown_format)
{
    make_db();
    char *out = NULL;
    dmtest_write_file(dmtest_path("exists.geojson"), "x");
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards exists.geojson"), 3);
    ASSERT_CONTAINS(out, "already exists");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards out.xyz"), 2);
    ASSERT_CONTAINS(out, "unknown output format");
    free(out);
}

TEST(export_writes_the_layers_qgis_style_beside_the_file)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards hz.geojson"), 0);
    ASSERT_CONTAINS(out, "(QGIS style hz.qml)");
    free(out);
    char *qml = dmtest_read_file(dmtest_path("hz.qml"));
    ASSERT(qml && strstr(qml, "<renderer-v2 type=\"RuleRenderer\""));
    free(qml);
    /* the same style as the database's own */
    char *db = NULL;
    ASSERT_EQ(dmtest_sh(&db, "sqlite3 db.gpkg \"SELECT 'same:' || (styleQML = CAST(readfile("
                             "'hz.qml') AS TEXT)) FROM layer_styles WHERE f_table_name = "
                             "'hazards'\""),
              0);
    ASSERT_CONTAINS(db, "same:1");
    free(db);
    /* a style already there is the user's: kept */
    dmtest_write_file(dmtest_path("acc.qml"), "<qgis>mine</qgis>");
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer accidents acc.gpkg"), 0);
    ASSERT(!strstr(out, "QGIS style"));
    free(out);
    qml = dmtest_read_file(dmtest_path("acc.qml"));
    ASSERT_STREQ(qml, "<qgis>mine</qgis>");
    free(qml);
    /* Shapefile cuts field names to 10 characters, which the rules would
     * miss; a table has nothing to draw: no style for either */
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards hz2.shp"), 0);
    free(out);
    ASSERT(access(dmtest_path("hz2.qml"), F_OK) != 0);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer victims v.geojson"), 0);
    free(out);
    ASSERT(access(dmtest_path("v.qml"), F_OK) != 0);
}

TEST(ogrinfo_sees_every_layer_in_wgs84)
{
    make_db();
    char *out = NULL;
    if (dmtest_sh(&out, "command -v ogrinfo") != 0) {
        free(out);
        dmtest_fail(__FILE__, __LINE__, "ogrinfo is not installed (gdal-bin)");
    }
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -so db.gpkg hazards"), 0);
    ASSERT_CONTAINS(out, "Geometry: Multi Polygon");
    ASSERT_CONTAINS(out, "ID[\"EPSG\",4326]");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro db.gpkg"), 0);
    ASSERT_CONTAINS(out, "items (Point)");
    ASSERT_CONTAINS(out, "record_rows (Line String)");
    ASSERT_CONTAINS(out, "victims (None)");
    free(out);
    /* rows, their change log and a user, read back without a warning:
     * DATETIME values in the GeoPackage's own form, with milliseconds */
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out,
                        "DM_TEST_PW=longpassword1 '%s' user add db.gpkg ann --role admin "
                        "--password-env DM_TEST_PW",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -al -q db.gpkg hazards change_log 2>&1"), 0);
    ASSERT_CONTAINS(out, "created (DateTime)");
    ASSERT_MSG(!strstr(out, "Warning"), "ogrinfo warns: %.300s", strstr(out, "Warning"));
    free(out);
    /* the server's tables of password and token hashes are no layers: QGIS
     * and GDAL do not list them, and the file stays a valid GeoPackage */
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro db.gpkg"), 0);
    /* (": sessions", as ogrinfo names a layer: eore_sessions is one) */
    ASSERT(strstr(out, "hazards") && !strstr(out, ": users") && !strstr(out, ": sessions"));
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT count(*) FROM users WHERE name = 'ann'\""),
              0);
    ASSERT_CONTAINS(out, "1");
    free(out);
}

TEST(check_reports_faults_in_a_file)
{
    dmtest_write_file(
        dmtest_path("bad.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"A\",\"reported_date\":\"2091-01-01\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.91,39.91],"
        "[46.91,39.9],[46.9,39.91],[46.9,39.9]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"B\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.92,39.92],[46.93,39.92],[46.93,39.93],[46.92,39.93],[46.92,39.92]]]}"
        "},"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"C\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.925,39.92],[46.935,39.92],[46.935,39.93],[46.925,39.93],[46.925,39."
        "92]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"D\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.92,39.92],[46.93,39.92],[46.93,39.93],[46.92,39.93],[46.92,39.92]]]}"
        "},"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"E\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[46.9,39.9],[47.9,39.9],[46.9,39.9],[46.9,39.9]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"F\"},\"geometry\":{\"type\":"
        "\"LineString\","
        "\"coordinates\":[[46.9,39.9],[46.95,39.9],[46.951,39.9]]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check bad.geojson --layer hazards --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"invalid_geometry\"");
    ASSERT_CONTAINS(out, "Self-intersection at 46.9050000 39.9050000");
    ASSERT_CONTAINS(out, "\"code\":\"future_date\"");
    ASSERT_CONTAINS(out, "\"code\":\"too_few_vertices\"");
    ASSERT_CONTAINS(out, "\"code\":\"duplicate\",\"layer\":\"hazards\",\"id\":\"feature 4\"");
    ASSERT_CONTAINS(out, "\"code\":\"overlap\"");
    ASSERT_CONTAINS(out, "\"code\":\"vertex_jump\",\"layer\":\"hazards\",\"id\":\"feature 5\"");
    ASSERT(!strstr(out, "\"vertex_jump\",\"layer\":\"hazards\",\"id\":\"feature 6\"")); /* 4.3 km is no jump */
    /* what the import refuses: a line for a layer of polygons, a required
     * field no column gives (once, not once a row) */
    ASSERT_CONTAINS(out, "\"id\":\"feature 6\",\"ref\":\"F\",\"message\":\"geometry: a LINESTRING, but "
                         "layer hazards holds MULTIPOLYGON");
    ASSERT_CONTAINS(out, "field 'hazard_type' is required, and no column of the file gives it");
    ASSERT(!strstr(out, "hazard_type': required but missing"));
    free(out);
}

/* `check FILE` reads a CSV as `import` does: its coordinate columns, and
 * everything the import refuses, each fault named by feature, line and
 * field rather than the first alone; rows repeated within the file. */
TEST(check_reads_a_csv_as_import_does)
{
    dmtest_write_file(dmtest_path("f.csv"),
                      "category,model,lat,lon,found_date\n"
                      "AP,PMN-2,39.80,46.70,2021-05-12\n"
                      "AT,TM-62,39.81,46.71,2021-05-12\n"
                      "AP,PMN-2,39.80,46.70,2021-05-12\n"
                      "AP,PMN-2,46.72,39.82,2021-05-12\n"
                      "AP,PMN-2,39.8x,46.73,2021-05-12\n"
                      "AP,PMN-2,39.83,46.74,2091-05-12\n"
                      "ZZ,PMN-2,39.84,46.75,2021-05-12\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check f.csv --layer items --json"), 4);
    ASSERT_CONTAINS(out, "\"rows_checked\":7,\"errors\":4,\"warnings\":1");
    ASSERT_CONTAINS(out, "\"code\":\"duplicate\",\"layer\":\"items\",\"id\":\"feature 3 (line 4)\"");
    ASSERT_CONTAINS(out, "repeats feature 1 (line 2) value for value");
    ASSERT_CONTAINS(out, "\"code\":\"swapped_coordinates\",\"layer\":\"items\",\"id\":\"feature 4 "
                         "(line 5)\"");
    ASSERT_CONTAINS(out, "'lon' 39.820000 and 'lat' 46.720000 lie away from the file's other points");
    ASSERT_CONTAINS(out, "\"code\":\"bad_coordinate\",\"layer\":\"items\",\"id\":\"feature 5 (line 6)\"");
    ASSERT_CONTAINS(out, "\"code\":\"future_date\",\"layer\":\"items\",\"id\":\"feature 6 (line 7)\"");
    ASSERT_CONTAINS(out, "\"code\":\"bad_value\",\"layer\":\"items\",\"id\":\"feature 7 (line 8)\","
                         "\"ref\":null,\"message\":\"field 'category': 'ZZ' is not one of");
    free(out);
    /* the import refuses the same rows: the swapped one too */
    make_db();
    ASSERT_DEMINE(4, "f.csv: feature 5 (line 6): geometry: coordinate column 'lat': '39.8x' is neither",
                  "import db.gpkg --layer items f.csv");
    ASSERT_EQ(dmtest_sh(NULL, "sed -e '/39.8x/d' -e '/2091/d' -e '/^ZZ/d' f.csv > g.csv"), 0);
    ASSERT_DEMINE(4, "g.csv: feature 4 (line 5): geometry: 'lon' 39.820000 and 'lat' 46.720000 lie away",
                  "import db.gpkg --layer items g.csv");
    ASSERT_EQ(count_rows("items"), 0);
    /* a clean file: European Excel (semicolons, decimal commas, day first),
     * degrees, minutes and seconds: exit 0, and its points are read */
    dmtest_write_file(dmtest_path("ok.csv"),
                      "category;lat;lon;found_date\n"
                      "AP;39,8123;46,7512;12.05.2021\n"
                      "AT;N 39 48.8;E 46 45.1;13.05.2021\n"
                      "AP;39,8200;46,7600;14.05.2021\n");
    ASSERT_DEMINE(0, "ok.csv: 3 rows checked, 0 errors, 0 warnings", "check ok.csv --layer items");
    ASSERT_DEMINE(0, "ok.csv: 3 rows checked, 0 errors, 0 warnings", "check ok.csv");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer items ok.csv");
    /* no layer named: the coordinates are still read (projected ones
     * without a CRS are named), the columns none refused */
    dmtest_write_file(dmtest_path("utm.csv"), "what,easting,northing\nAP,675000,4410000\n");
    ASSERT_DEMINE(4, "look like UTM", "check utm.csv");
    ASSERT_DEMINE(0, "1 row checked, 0 errors", "check utm.csv --crs EPSG:32638");
    /* the options of import: --map, --x/--y, unknown fields named each */
    dmtest_write_file(dmtest_path("m.csv"), "kind,colour,shape,lat,lon\nAP,red,round,39.8,46.7\n");
    ASSERT_EQ(dmtest_demine(&out, "check m.csv --layer items"), 4);
    ASSERT_CONTAINS(out, "field 'kind' is not a field of layer items");
    ASSERT_CONTAINS(out, "field 'colour' is not a field of layer items");
    free(out);
    ASSERT_DEMINE(0, "0 errors",
                  "check m.csv --layer items --map kind=category --map colour=- --map shape=-");
    ASSERT_DEMINE(2, "--map and --set need --layer", "check m.csv --map kind=category");
    /* a column of the layer's words in another order, or a letter off: the
     * field it means, and the --map that takes it */
    dmtest_write_file(dmtest_path("near.csv"), "category,lat,lon,date_found\nAP,39.8,46.7,2021-05-12\n");
    ASSERT_DEMINE(2, "field 'date_found' is not a field of layer items (did you mean 'found_date'?), and feature 1 "
                     "(line 2) has '2021-05-12' in it; map it with --map 'date_found=found_date'",
                  "import db.gpkg --layer items near.csv");
    ASSERT_DEMINE(4, "map it with --map 'date_found=found_date'", "check near.csv --layer items");
    dmtest_write_file(dmtest_path("near2.csv"), "catgory,lat,lon\nAP,39.8,46.7\n");
    ASSERT_DEMINE(2, "(did you mean 'category'?)", "import db.gpkg --layer items near2.csv");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer items near.csv --map date_found=found_date");
    /* swapped against the database the file is meant for (--db) */
    dmtest_write_file(dmtest_path("sw.csv"), "category,lat,lon\nAP,46.805,39.805\nAT,46.81,39.8\n");
    ASSERT_DEMINE(0, "0 errors", "check sw.csv --layer items");
    ASSERT_DEMINE(4, "columns 'lon' and 'lat' exchanged: they look swapped",
                  "check sw.csv --layer items --db db.gpkg");
}

TEST(check_file_takes_tomorrow_as_the_import_does)
{
    /* The store takes dates up to tomorrow (UTC), for time zones ahead of
     * it; a check that called tomorrow "in the future" would fail a file the
     * import takes. */
    char tomorrow[16], later[16];
    time_t t = time(NULL) + 86400;
    struct tm tm;
    ASSERT(gmtime_r(&t, &tm) != NULL);
    strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm);
    t += 2 * 86400;
    ASSERT(gmtime_r(&t, &tm) != NULL);
    strftime(later, sizeof later, "%Y-%m-%d", &tm);
    char csv[256];
    snprintf(csv, sizeof csv, "lon,lat,category,model,found_date\n46.9,39.9,AP,PMN,%s\n", tomorrow);
    dmtest_write_file(dmtest_path("t.csv"), csv);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check t.csv --layer items --json"), 0);
    ASSERT(!strstr(out, "future_date"));
    free(out);
    snprintf(csv, sizeof csv, "lon,lat,category,model,found_date\n46.9,39.9,AP,PMN,%s\n", later);
    dmtest_write_file(dmtest_path("t.csv"), csv);
    ASSERT_EQ(dmtest_demine(&out, "check t.csv --layer items --json"), 4);
    ASSERT_CONTAINS(out, "future_date");
    free(out);
}

TEST(check_database_finds_items_outside_hazards_and_bad_dates)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type,start_date,end_date,hazard_id\nT-1,"
                                            "clearance,2023-05-01,2023-05-02,AGD-1\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 0);
    free(out);
    /* the store refuses an end before the start; another tool writes one */
    ASSERT_EQ(dmtest_sh(NULL,
                        "cd '%s' && sqlite3 db.gpkg \"DROP TRIGGER IF EXISTS "
                        "rtree_activities_geom_update3; DROP TRIGGER IF EXISTS "
                        "rtree_activities_geom_update4; UPDATE activities SET end_date = "
                        "'2023-04-01'\"",
                        dmtest_tmpdir()),
              0);
    dmtest_write_file(dmtest_path("i.csv"), "lon,lat,category,hazard_id,activity_id,found_date\n"
                                            "46.905,39.905,AP,AGD-1,T-1,2023-04-15\n"
                                            "46.95,39.95,AP,AGD-1,T-1,2022-01-01\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items i.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"date_order\",\"layer\":\"activities\"");
    ASSERT_CONTAINS(out, "\"code\":\"item_outside_hazard\"");
    ASSERT_CONTAINS(out, "found 2022-01-01, outside its activity");
    free(out);
}

/* Values written by another tool straight into the file (the store refuses
 * them) are errors of `check`: text in a number column, a number out of its
 * range, an unknown status; valid rows raise nothing. */
TEST(check_database_finds_values_written_by_other_tools)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 0);
    ASSERT(!strstr(out, "bad_value"));
    free(out);
    int rc = dmtest_sh(&out,
                       "cd '%s' && sqlite3 db.gpkg \"DROP TRIGGER IF EXISTS "
                       "rtree_hazards_geom_update3; DROP TRIGGER IF EXISTS "
                       "rtree_hazards_geom_update4; UPDATE hazards SET reliability = 'abc', "
                       "p_contam = 1.5, status = 'bogus' WHERE ref = 'AGD-1'\"",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 4);
    ASSERT_CONTAINS(out, "AGD-1: field 'reliability': 'abc' is not a number");
    ASSERT_CONTAINS(out, "AGD-1: field 'p_contam'");
    ASSERT_CONTAINS(out, "AGD-1: field 'status'");
    ASSERT_CONTAINS(out, "bad_value");
    free(out);
}

/* Two rows under one ref (the store refuses it; another tool writes it):
 * check names each ref used twice. */
TEST(check_database_finds_refs_used_twice)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg"), 0);
    ASSERT(!strstr(out, "duplicate_ref"));
    free(out);
    /* the store refuses a second AGD-1; another tool writes one */
    ASSERT_EQ(dmtest_sh(NULL,
                        "cd '%s' && sqlite3 db.gpkg \"DROP TRIGGER IF EXISTS "
                        "rtree_hazards_geom_update3; DROP TRIGGER IF EXISTS "
                        "rtree_hazards_geom_update4; UPDATE hazards SET ref = 'AGD-1' "
                        "WHERE ref = 'AGD-2'\"",
                        dmtest_tmpdir()),
              0);
    ASSERT_EQ(dmtest_demine(&out, "check db.gpkg --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"duplicate_ref\",\"layer\":\"hazards\"");
    ASSERT_CONTAINS(out, "ref 'AGD-1' is also the ref of row");
    ASSERT_CONTAINS(out, "(2 rows share it)");
    free(out);
}

TEST(stats_counts_release_items_and_casualties)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    dmtest_write_file(dmtest_path("a.csv"),
                      "ref,activity_type,start_date,end_date,hazard_id,organisation,method\n"
                      "T-1,clearance,2023-04-01,2023-05-01,AGD-1,ANAMA,manual\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("r.csv"),
                      "wkt,activity_id,hazard_id,outcome,date,method\n"
                      "\"POLYGON((46.90 39.90,46.905 39.90,46.905 39.905,46.90 39.905,46.90 "
                      "39.90))\",T-1,AGD-1,cleared,2023-05-01,manual\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer release_areas r.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("acc.csv"),
                      "ref_,lon,lat,date,killed,injured\nx,46.9,39.9,2022-06-01,1,2\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents --map ref_=- acc.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --json --by district"), 0);
    ASSERT_CONTAINS(out, "\"count\": 2");
    ASSERT_CONTAINS(out, "\"Aghdam\"");
    ASSERT_CONTAINS(out, "\"2023\": {\"cleared_ha\": 23."); /* 0.005 deg squared ~ 23.8 ha */
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --by year"), 0);
    ASSERT_CONTAINS(out, "Land released:");
    ASSERT_CONTAINS(out, "Accidents: 1");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats db.gpkg --by nonsense"), 2);
    free(out);
}

TEST(every_command_has_help)
{
    const char *cmds[] = {"init",         "import",       "export",        "list",
                          "show",         "check",        "stats",         "risk",
                          "risk map",     "risk eval",    "risk fit",      "risk spots",
                          "risk refresh", "risk explain", "risk distance", "risk sum"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *out = NULL;
        ASSERT_EQ(dmtest_demine(&out, "%s --help", cmds[i]), 0);
        ASSERT_CONTAINS(out, "usage: demine");
        /* help is printed as it is written: a printf escape would show */
        ASSERT_MSG(!strstr(out, "%%"), "'%s --help' prints %%%%", cmds[i]);
        free(out);
    }
}

/* A command in `demine --help` that README.md's table does not name is one a
 * user cannot find in the documentation. */
TEST(readme_names_every_command)
{
    char *out = NULL, *readme = dmtest_read_file(dmtest_repo_path("README.md"));
    ASSERT(readme != NULL);
    ASSERT_EQ(dmtest_demine(&out, "--help"), 0);
    int n = 0;
    for (char *line = strstr(out, "\n  "); line; line = strstr(line + 1, "\n  ")) {
        char name[32], want[48];
        if (sscanf(line + 3, "%31[a-z]", name) != 1)
            continue;
        snprintf(want, sizeof want, "`demine %s", name);
        ASSERT_MSG(strstr(readme, want), "README.md does not name `demine %s`", name);
        n++;
    }
    ASSERT(n >= 20);
    free(out);
    free(readme);
}

/* The change log records `--author`, then $DEMINE_AUTHOR, then $USER: user's help
 * said $USER alone. */
TEST(user_help_names_the_author_recorded)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "user --help"), 0);
    ASSERT_CONTAINS(out, "--author");
    ASSERT_CONTAINS(out, "DEMINE_AUTHOR");
    free(out);
}

TEST(edit_delete_and_hazard_life_cycle_are_logged)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "--author alice edit db.gpkg AGD-1 settlement=Giyasli "
                                  "reliability=2 --reason 'NTS visit'"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit db.gpkg AGD-1 reliability=9"), 2);
    ASSERT_CONTAINS(out, "field 'reliability'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "--author bob status db.gpkg AGD-1 partly_released --date "
                                  "2023-05-01 --reason 'technical survey'"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "status db.gpkg AGD-1 closed --date 2023-04-01"), 2);
    ASSERT_CONTAINS(out, "before the hazard's last change");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "status db.gpkg AGD-1 open --date 2023-06-01"), 2);
    ASSERT_CONTAINS(out, "needs a reason");
    free(out);
    /* a reason of spaces (a no-break space too) is no reason */
    ASSERT_EQ(
        dmtest_demine(&out, "status db.gpkg AGD-1 open --date 2023-06-01 --reason ' \xc2\xa0 '"),
        2);
    ASSERT_CONTAINS(out, "needs a reason");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "status db.gpkg AGD-1 closed --date 2023-07-01 --reason cleared"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg AGD-1"), 0);
    ASSERT_CONTAINS(out, "by alice: NTS visit");
    ASSERT_CONTAINS(out, "settlement: null -> \"Giyasli\"");
    ASSERT_CONTAINS(out, "by bob: technical survey");
    ASSERT_CONTAINS(out, "status: \"partly_released\" -> \"closed\"");
    ASSERT_CONTAINS(out, "<- hazard_status"); /* the dated history rows link back */
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "delete db.gpkg AGD-2"), 2);
    ASSERT_CONTAINS(out, "--reason is required");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "delete db.gpkg AGD-2 --reason '  '"), 2);
    ASSERT_CONTAINS(out, "--reason is required");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "delete db.gpkg AGD-2 --reason duplicate"), 0);
    free(out);
    ASSERT_EQ(count_rows("hazards"), 1);
    ASSERT_EQ(dmtest_sh(&out,
                        "sqlite3 db.gpkg \"select op, reason from change_log where layer='hazards' "
                        "order by seq\""),
              0);
    ASSERT_CONTAINS(out, "delete|duplicate");
    free(out);
}

TEST(database_passes_the_geopackage_validator)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer events '%s'",
                            dmtest_repo_path("tests/data/colombia/events.geojson")),
              0);
    free(out);
    const char *v = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
    ASSERT_MSG(dmtest_sh(NULL, "test -f %s", v) == 0, "python3-gdal's validate_gpkg.py is missing");
    int rc = dmtest_sh(&out, "python3 %s db.gpkg", v);
    ASSERT_MSG(rc == 0, "validate_gpkg.py: %s", out);
    free(out);
}

/* A Latin-1 (or Windows-1252) CSV was stored byte for byte: text that is
 * not UTF-8 in the database. It is refused naming file, line and field. */
TEST(import_refuses_text_that_is_not_utf8)
{
    make_db();
    dmtest_write_file(dmtest_path("latin1.csv"),
                      "lon,lat,category,model\n46.9,39.9,AP,PMN-2\n46.9,39.9,AP,PMN-\xe9t\xe9\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items latin1.csv"), 2);
    ASSERT_CONTAINS(out,
                    "latin1.csv: feature 2 (line 3): field 'model': byte 5 (0xE9) is not UTF-8");
    free(out);
    ASSERT_EQ(count_rows("items"), 0);
    /* UTF-8 text, and a UTF-8 byte order mark, are fine */
    dmtest_write_file(dmtest_path("utf8.csv"),
                      "\xef\xbb\xbflon,lat,category,model\n46.9,39.9,AP,PMN-\xc3\xa9t\xc3\xa9\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items utf8.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'select model from items'"), 0);
    ASSERT_CONTAINS(out, "PMN-\xc3\xa9t\xc3\xa9");
    free(out);
}

/* The line named for a bad CSV record was "feature + 1": wrong after a
 * quoted value holding line breaks or a blank line. A row of empty
 * values (",,,") is skipped, not refused for lack of coordinates. */
TEST(import_csv_names_the_real_line_and_skips_empty_rows)
{
    make_db();
    dmtest_write_file(dmtest_path("q.csv"),
                      "lon,lat,category,model\r\n"
                      "46.9,39.9,AP,\"PMN-2, with a comma\r\nand a line break\"\r\n"
                      "\r\n"
                      ",,,\r\n"
                      "46.91,39.91,AT,TM-62\r\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items q.csv"), 0);
    ASSERT_CONTAINS(out, "skipped 1 empty row");
    free(out);
    ASSERT_EQ(count_rows("items"), 2);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"select model from items where category='AP'\""),
              0);
    ASSERT_CONTAINS(out, "PMN-2, with a comma");
    ASSERT_CONTAINS(out, "and a line break");
    free(out);
    dmtest_write_file(dmtest_path("bad.csv"), "lon;lat;category;model\n"
                                              "46.9;39.9;AP;\"PMN-2\nsecond line\nthird line\"\n"
                                              "\n"
                                              "46.9;39.9;XX;TM-62\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items bad.csv"), 2);
    ASSERT_CONTAINS(out, "bad.csv: feature 2 (line 6): field 'category': 'XX' is not one of");
    free(out);
    ASSERT_EQ(count_rows("items"), 2);
}

/* "2021/05/06 villagers reported ..." in a text field was taken for a
 * date: rewritten to 2021-05-06 and cut to 63 bytes. */
TEST(import_keeps_text_that_starts_like_a_date_whole)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"),
                      "lon,lat,date,notes\n46.9,39.9,2020/03/04,2021/05/06 villagers reported "
                      "mines near the road to the school and near the cemetery\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer accidents acc.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'select date, notes from accidents'"), 0);
    ASSERT_CONTAINS(out, "2020-03-04|2021/05/06 villagers reported mines near the road to the "
                         "school and near the cemetery");
    free(out);
}

/* ODK geotraces longer than 4096 points were cut there without a word. */
TEST(import_odk_geotrace_keeps_every_point)
{
    make_db();
    FILE *f = fopen(dmtest_path("trace.csv"), "w");
    ASSERT(f);
    fprintf(f, "class,trace\nroad,\"");
    for (int i = 0; i < 5000; i++)
        fprintf(f, "%s%.6f %.6f 0 5", i ? ";" : "", 39.9 + i * 1e-5, 46.9 + i * 1e-5);
    fprintf(f, "\"\n");
    fclose(f);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer features --geom-field trace trace.csv"),
              0);
    free(out);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("db.gpkg"), DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "features", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    dm_geom *g = NULL;
    ASSERT_OK(dm_cursor_geom(c, &g));
    unsigned char *wkb = NULL;
    size_t len = 0;
    ASSERT_OK(dm_geom_to_wkb(ctx, g, &wkb, &len));
    ASSERT_EQ((long)len, 9 + 16 * 5000L); /* a 2D linestring of 5000 points */
    dm_free(ctx, wkb);
    dm_geom_free(g);
    dm_cursor_free(c);
    dm_store_close(s);
}

/* A layer without geometry "exported" to OUT.shp wrote only OUT.dbf (and
 * again next time); a mixed layer failed half way through. */
TEST(export_to_shapefile_refuses_layers_it_cannot_hold)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer sensors s.shp"), 2);
    ASSERT_CONTAINS(out, "s.shp: layer sensors has no geometry");
    free(out);
    ASSERT(access(dmtest_path("s.dbf"), F_OK) != 0);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer features f.shp"), 2);
    ASSERT_CONTAINS(out, "cannot hold");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer sensors s.csv"), 0);
    free(out);
}

/* --map type=model on a file that also has a model column sent both into
 * model: the file's model was overwritten in every row without a word. */
TEST(import_refuses_two_source_fields_for_one_field)
{
    make_db();
    dmtest_write_file(dmtest_path("m.csv"),
                      "lon,lat,category,model,type\n46.9,39.9,AP,PMN-2,TM-62\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items --map type=model m.csv"), 2);
    ASSERT_CONTAINS(out,
                    "m.csv: fields 'model' and 'type' both go to field 'model' of layer items");
    free(out);
    ASSERT_EQ(count_rows("items"), 0);
    ASSERT_EQ(
        dmtest_demine(&out, "import db.gpkg --layer items --map type=model --map model=- m.csv"),
        0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'select model from items'"), 0);
    ASSERT_CONTAINS(out, "TM-62");
    free(out);
}

/* import --json printed the file name unescaped: a name with a quote made
 * the output invalid JSON. */
TEST(import_json_output_escapes_the_file_name)
{
    make_db();
    dmtest_write_file(dmtest_path("it \"1\".csv"), "lon,lat,category\n46.9,39.9,AP\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items --json 'it \"1\".csv'"), 0);
    ASSERT_CONTAINS(out, "{\"file\":\"it \\\"1\\\".csv\",\"layer\":\"items\",\"rows\":1");
    free(out);
}

/* A ref already in the layer, or used twice in one file, is refused naming
 * the file, the feature, the ref and the row that has it; nothing is
 * written. Importing the same file twice no longer doubles its rows. */
TEST(import_refuses_refs_already_in_the_database_or_twice_in_the_file)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 2);
    ASSERT_CONTAINS(out, "h.geojson: feature 1 AGD-1: field 'ref': hazards ");
    ASSERT_CONTAINS(out, "already has ref 'AGD-1'");
    ASSERT_CONTAINS(out, "--skip-existing");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 2);
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type\nT-1,ts\nT-2,ts\nT-1,clearance\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 2);
    ASSERT_CONTAINS(out, "a.csv: feature 3 (line 4) T-1: field 'ref': 'T-1' is also the ref of "
                         "feature 1 (line 2) of this file");
    free(out);
    ASSERT_EQ(count_rows("activities"), 0);
    /* --skip-existing does not hide a file that names two rows alike */
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities --skip-existing a.csv"), 2);
    ASSERT_CONTAINS(out, "is also the ref of feature 1 (line 2) of this file");
    free(out);
    ASSERT_EQ(count_rows("activities"), 0);
}

/* --skip-existing imports an updated file: rows whose ref or uuid is already
 * in the layer are skipped (not changed) and counted, new ones inserted. */
TEST(import_skip_existing_adds_only_new_rows)
{
    make_db();
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type\nT-1,ts\nT-2,ts\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 0);
    free(out);
    dmtest_write_file(dmtest_path("a2.csv"),
                      "ref,activity_type\nT-1,clearance\nT-3,ts\nT-2,ts\nT-4,nts\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities --skip-existing a2.csv"), 0);
    ASSERT_CONTAINS(out, "imported 2 rows into activities from a2.csv");
    ASSERT_CONTAINS(out, "skipped 2 rows already in activities");
    free(out);
    ASSERT_EQ(count_rows("activities"), 4);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg T-1"), 0);
    ASSERT(!strstr(out, "clearance")); /* skipped, not updated */
    free(out);
    ASSERT_EQ(
        dmtest_demine(&out, "import db.gpkg --layer activities --skip-existing --json a2.csv"), 0);
    ASSERT_CONTAINS(out, "\"rows\":0");
    ASSERT_CONTAINS(out, "\"skipped\":4");
    free(out);
    ASSERT_EQ(count_rows("activities"), 4);
}

/* A file carrying uuids already in the database (an export imported back)
 * is refused naming the uuid, unless --skip-existing; a uuid twice in one
 * file is refused naming both features. */
TEST(import_of_an_export_refuses_uuids_already_there_or_skips_them)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards out.geojson"), 0);
    free(out);
    char *uuid = NULL;
    ASSERT_EQ(dmtest_sh(&uuid, "sqlite3 db.gpkg \"select uuid from hazards where ref='AGD-1'\""),
              0);
    uuid[strcspn(uuid, "\n")] = '\0';
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards out.geojson"), 2);
    ASSERT_CONTAINS(out, "out.geojson: feature 1 AGD-1: hazards: a row with uuid");
    ASSERT_CONTAINS(out, uuid);
    ASSERT_CONTAINS(out, "--skip-existing");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 2);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards --skip-existing out.geojson"), 0);
    ASSERT_CONTAINS(out, "imported 0 rows");
    ASSERT_CONTAINS(out, "skipped 2 rows already in hazards");
    free(out);
    ASSERT_EQ(count_rows("hazards"), 2);
    /* one uuid twice in a file bound for an empty database */
    ASSERT_EQ(dmtest_demine(&out, "init db3.gpkg"), 0);
    free(out);
    dmtest_write_file(dmtest_path("two.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"uuid\":"
                      "\"0190a8f0-0000-7000-8000-000000000001\",\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"uuid\":"
                      "\"0190a8f0-0000-7000-8000-000000000001\",\"category\":\"AT\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.91,39.9]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import db3.gpkg --layer items --skip-existing two.geojson"), 2);
    ASSERT_CONTAINS(out, "two.geojson: feature 2: uuid 0190a8f0-0000-7000-8000-000000000001 is "
                         "also the uuid of feature 1 of this file");
    free(out);
    free(uuid);
}

/* Dates an edit refuses are refused on import too, naming the file, the
 * feature and the field; nothing is written. */
TEST(import_refuses_future_dates_and_an_activity_ending_before_it_starts)
{
    make_db();
    dmtest_write_file(dmtest_path("a.csv"), "ref,activity_type,start_date,end_date\n"
                                            "T-1,ts,2023-05-01,2023-05-02\n"
                                            "T-2,ts,2023-05-01,2099-05-02\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities a.csv"), 2);
    ASSERT_CONTAINS(out,
                    "a.csv: feature 2 (line 3) T-2: field 'end_date': 2099-05-02 is in the future");
    free(out);
    dmtest_write_file(dmtest_path("b.csv"), "ref,activity_type,start_date,end_date\n"
                                            "T-1,ts,2023-05-01,2023-04-01\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities b.csv"), 2);
    ASSERT_CONTAINS(out, "b.csv: feature 1 (line 2) T-1: field 'end_date': 2023-04-01 is before the "
                         "start_date 2023-05-01");
    free(out);
    dmtest_write_file(dmtest_path("c.csv"),
                      "lon,lat,category,found_date\n46.9,39.9,AP,1899-12-31\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items c.csv"), 2);
    ASSERT_CONTAINS(out,
                    "c.csv: feature 1 (line 2): field 'found_date': 1899-12-31 is before 1900");
    free(out);
    ASSERT_EQ(count_rows("activities"), 0);
    ASSERT_EQ(count_rows("items"), 0);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Heights and measures the layers do not store are dropped with one warning
 * per file naming the file, how many features had them and the first; the
 * import goes through with 2D geometries. */
TEST(import_drops_z_and_m_with_one_warning_per_file)
{
    make_db();
    dmtest_write_file(dmtest_path("z.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},\"geometry\":"
                      "{\"type\":\"Point\",\"coordinates\":[46.9,39.9]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\"},\"geometry\":"
                      "{\"type\":\"Point\",\"coordinates\":[46.91,39.9,812.5]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\"},\"geometry\":"
                      "{\"type\":\"Point\",\"coordinates\":[46.92,39.9,815]}}]}");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items z.geojson"), 0);
    ASSERT_CONTAINS(out, "imported 3 rows");
    ASSERT_CONTAINS(out, "warning: z.geojson: Z (height) or M (measure) coordinates dropped from 2 "
                         "features (the first: feature 2): layer items keeps x and y only");
    ASSERT_EQ(count_of(out, "coordinates dropped"), 1);
    free(out);
    dmtest_write_file(dmtest_path("zm.csv"), "category,wkt\nAP,POINT ZM (46.93 39.9 3 4)\n"
                                             "AT,POINT M (46.94 39.9 4)\nAT,POINT (46.95 39.9)\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items zm.csv"), 0);
    ASSERT_CONTAINS(out, "warning: zm.csv: Z (height) or M (measure) coordinates dropped from 2 "
                         "features (the first: feature 1 (line 2))");
    ASSERT_EQ(count_of(out, "coordinates dropped"), 1);
    free(out);
    /* a file without them: no warning */
    dmtest_write_file(dmtest_path("xy.csv"), "category,wkt\nAP,POINT (46.96 39.9)\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items xy.csv"), 0);
    ASSERT(!strstr(out, "warning"));
    free(out);
    ASSERT_EQ(count_rows("items"), 7);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -ro -q db.gpkg -sql 'select geom from items' | grep -c "
                              "'POINT (4'"),
              0);
    ASSERT_CONTAINS(out, "7");
    free(out);
}

/* Names in the test directory starting with "out", one a line. */
static char *out_files(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ls -1 | grep '^out' || true"), 0);
    return out;
}

/* A failed export removes every file it created (a Shapefile's .shp, .shx,
 * .dbf, .prj) and none that was there before; one that would overwrite or
 * delete a file there is refused. Reproducers: a row the driver refuses (a
 * point another tool wrote into the hazards), a file size limit (a full
 * disk), which the GeoJSON driver does not even notice. */
TEST(failed_export_leaves_no_files_behind)
{
    const char *db = dmtest_demo_db();
    const char *bin = getenv("DEMINE_BIN");
    char *out = NULL;
    dmtest_write_file(dmtest_path("out.txt"), "notes");
    dmtest_write_file(dmtest_path("out.shp.xml"), "<metadata/>");
    /* the disk fills up half way */
    const char *exts[] = {"shp", "geojson", "gpkg", "csv"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        int rc = dmtest_sh(&out,
                           "trap '' XFSZ; ulimit -f 8; '%s' export '%s' --layer hazards "
                           "out.%s",
                           bin ? bin : "demine", db, exts[i]);
        ASSERT_MSG(rc == 3 || rc == 4, "export to .%s under a size limit: %d: %s", exts[i], rc,
                   out);
        ASSERT_CONTAINS(out, "demine export: error: out.");
        free(out);
        out = out_files();
        ASSERT_STREQ(out, "out.shp.xml\nout.txt\n");
        free(out);
    }
    /* a feature the driver refuses: the error names the file, the feature
     * and the row */
    char drop[1000] = "";
    for (int k = 1; k <= 7; k++)
        snprintf(drop + strlen(drop), sizeof drop - strlen(drop),
                 "DROP TRIGGER IF EXISTS rtree_hazards_geom_update%d; ", k);
    int rc = dmtest_sh(&out,
                       "sqlite3 '%s' \"%s"
                       "UPDATE hazards SET geom = (SELECT geom FROM items LIMIT 1) WHERE "
                       "fid = (SELECT fid FROM hazards ORDER BY fid LIMIT 1 OFFSET 3)\"",
                       db, drop);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "export '%s' --layer hazards out.shp", db), 4);
    ASSERT_CONTAINS(out, "out.shp: cannot write feature 4 (hazards ");
    ASSERT_CONTAINS(out, "non-polygon (POINT) geometry");
    free(out);
    out = out_files();
    ASSERT_STREQ(out, "out.shp.xml\nout.txt\n");
    free(out);
    /* FlatGeobuf drops features without geometry: refused, not written short */
    ASSERT_EQ(dmtest_demine(&out, "export '%s' --layer victims out.fgb", db), 2);
    ASSERT_CONTAINS(out, "out.fgb: layer victims has no geometry, and FlatGeobuf keeps only");
    free(out);
    out = out_files();
    ASSERT_STREQ(out, "out.shp.xml\nout.txt\n");
    free(out);
    /* files a Shapefile would overwrite or delete are not touched */
    const char *sides[] = {"out.dbf", "out.qix"};
    for (size_t i = 0; i < 2; i++) {
        dmtest_write_file(dmtest_path(sides[i]), "keep");
        ASSERT_EQ(dmtest_demine(&out, "export '%s' --layer items out.shp", db), 3);
        ASSERT_CONTAINS(out, sides[i]);
        ASSERT_CONTAINS(out, "already exists");
        free(out);
        out = dmtest_read_file(dmtest_path(sides[i]));
        ASSERT_STREQ(out, "keep");
        free(out);
        ASSERT_EQ(access(dmtest_path("out.shp"), F_OK), -1);
        remove(dmtest_path(sides[i]));
    }
    /* and a good export still works beside the files already there */
    ASSERT_EQ(dmtest_demine(&out, "export '%s' --layer items out.shp", db), 0);
    free(out);
    out = out_files();
    ASSERT_STREQ(out, "out.cpg\nout.dbf\nout.prj\nout.shp\nout.shp.xml\nout.shx\nout.txt\n");
    free(out);
}

/* created, updated and author, which an export writes, come back with the
 * rows on import into another database (the change log there records the
 * import itself); times are read as ISO 8601 and refused, naming the file,
 * feature and field, when they are not times or not possible. */
TEST(export_import_round_trip_keeps_created_updated_and_author)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "--author alice import db.gpkg --layer hazards h.geojson"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "--author carol edit db.gpkg AGD-1 settlement=Giyasli"), 0);
    free(out);
    char *want = NULL;
    ASSERT_EQ(dmtest_sh(&want, "sqlite3 db.gpkg 'select uuid, created, updated, author from "
                               "hazards order by uuid'"),
              0);
    ASSERT_CONTAINS(want, "|carol\n");
    ASSERT_CONTAINS(want, "|alice\n");
    const char *exts[] = {"geojson", "gpkg", "csv", "shp", "fgb"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        ASSERT_EQ(dmtest_demine(&out, "export db.gpkg --layer hazards out.%s", exts[i]), 0);
        free(out);
        ASSERT_EQ(dmtest_demine(&out, "init db2.gpkg"), 0);
        free(out);
        int rc = dmtest_demine(&out, "--author bob import db2.gpkg --layer hazards out.%s %s",
                               exts[i], !strcmp(exts[i], "shp") ? "--ignore-unknown" : "");
        ASSERT_MSG(rc == 0, "import of .%s: %s", exts[i], out);
        free(out);
        ASSERT_EQ(dmtest_sh(&out, "sqlite3 db2.gpkg 'select uuid, created, updated, author from "
                                  "hazards order by uuid'"),
                  0);
        ASSERT_MSG(!strcmp(out, want), ".%s: %s instead of %s", exts[i], out, want);
        free(out);
        /* the change log says who imported them, and when */
        ASSERT_EQ(
            dmtest_sh(&out, "sqlite3 db2.gpkg \"select distinct op, author from change_log\""), 0);
        ASSERT_STREQ(out, "insert|bob\n");
        free(out);
        ASSERT_EQ(dmtest_sh(NULL, "rm -rf db2.gpkg out.*"), 0);
    }
    free(want);
    /* times with a zone, a date alone, one of the two missing */
    dmtest_write_file(dmtest_path("p.csv"),
                      "lon,lat,category,created,updated,author\n"
                      "46.9,39.9,AP,2024-05-01 12:00:00+02:00,2024-06-01T08:30:00.5Z,  dana \n"
                      "46.9,39.91,AT,2023-01-02,,\n"
                      "46.9,39.92,AT,,,erin\n");
    ASSERT_EQ(dmtest_demine(&out, "--author bob import db.gpkg --layer items p.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"select created, updated, author from items "
                              "order by fid limit 2\""),
              0);
    ASSERT_STREQ(out, "2024-05-01T10:00:00.000Z|2024-06-01T08:30:00.500Z|dana\n"
                      "2023-01-02T00:00:00.000Z|2023-01-02T00:00:00.000Z|bob\n");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"select author, created > '2025' from items "
                              "order by fid limit 1 offset 2\""),
              0);
    ASSERT_STREQ(out, "erin|1\n");
    free(out);
    /* refusals name the file, feature and field; nothing is written */
    struct {
        const char *row, *msg;
    } bad[] = {
        {"46.9,39.9,AP,last week,,", "bad.csv: feature 1 (line 2): field 'created': 'last week' "
                                     "is not a date or time"},
        {"46.9,39.9,AP,2024-02-30,,", "field 'created': '2024-02-30' is not a date or time"},
        {"46.9,39.9,AP,2099-01-01T00:00:00Z,,", "field 'created': 2099-01-01T00:00:00.000Z is in "
                                                "the future"},
        {"46.9,39.9,AP,1850-01-01,,", "field 'created': 1850-01-01T00:00:00.000Z is before 1900"},
        {"46.9,39.9,AP,2024-05-01,2024-04-01,", "field 'updated': 2024-04-01T00:00:00.000Z is "
                                                "before the created 2024-05-01T00:00:00.000Z"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[300];
        snprintf(text, sizeof text, "lon,lat,category,created,updated,author\n%s\n", bad[i].row);
        dmtest_write_file(dmtest_path("bad.csv"), text);
        ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items bad.csv"), 2);
        ASSERT_CONTAINS(out, bad[i].msg);
        free(out);
    }
    ASSERT_EQ(count_rows("items"), 3);
    /* a column that is no provenance is dropped with --map */
    dmtest_write_file(dmtest_path("bad.csv"),
                      "lon,lat,category,created\n46.9,39.93,AP,last week\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items bad.csv"), 2);
    ASSERT_CONTAINS(out, "drop it with --map 'created=-'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items bad.csv --map created=-"), 0);
    free(out);
    ASSERT_EQ(count_rows("items"), 4);
}

/* The values of one field of a layer's rows, in order of rowid, one a line. */
static char *column(const char *db, const char *sql)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"%s\"", db, sql), 0);
    return out;
}

/* A CSV saved by a European Excel: byte order mark, semicolons, decimal
 * commas, dates day first; and a comma CSV with thousands separators. */
TEST(import_european_csv_decimal_commas_thousands_and_day_first_dates)
{
    make_db();
    dmtest_write_file(dmtest_path("eu.csv"), "\xEF\xBB\xBF"
                                             "category;lat;lon;depth_cm;found_date\n"
                                             "AP;39,8123;46,7512;5,5;12.05.2021\n"
                                             "AT;39,8130;46,7520;1,500;5.3.2021\n"
                                             "AP;39.8140;46.7530;12;2021/05/12\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer items eu.csv");
    char *out = column("db.gpkg", "select depth_cm || ' ' || found_date from items order by rowid");
    /* "1,500" in a file of decimal commas is one and a half */
    ASSERT_STREQ(out, "5.5 2021-05-12\n1.5 2021-03-05\n12.0 2021-05-12\n");
    free(out);
    ASSERT_DEMINE(0, "\"coordinates\":[46.7512,39.8123]", "list db.gpkg --layer items --json");
    dmtest_write_file(dmtest_path("us.csv"),
                      "hazard_type,est_area_ha,wkt\n"
                      "CHA,\"1,500\",\"POLYGON((46.7 39.8,46.71 39.8,46.71 39.81,46.7 39.8))\"\n"
                      "CHA,\"1,500.25\",\"POLYGON((46.8 39.8,46.81 39.8,46.81 39.81,46.8 39.8))\"\n"
                      "CHA,12 500,\"POLYGON((46.9 39.8,46.91 39.8,46.91 39.81,46.9 39.8))\"\n"
                      "CHA,\"12,5\",\"POLYGON((47.0 39.8,47.01 39.8,47.01 39.81,47.0 39.8))\"\n");
    ASSERT_DEMINE(0, "imported 4 rows", "import db.gpkg --layer hazards us.csv");
    out = column("db.gpkg", "select est_area_ha from hazards order by rowid");
    ASSERT_STREQ(out, "1500.0\n1500.25\n12500.0\n12.5\n");
    free(out);
    /* what is no number stays refused, naming the value */
    dmtest_write_file(dmtest_path("bad.csv"),
                      "hazard_type,est_area_ha,wkt\n"
                      "CHA,\"1,5,6\",\"POLYGON((46.7 39.8,46.71 39.8,46.71 39.81,46.7 39.8))\"\n");
    ASSERT_DEMINE(2, "bad.csv: feature 1 (line 2): field 'est_area_ha': '1,5,6' is not a number",
                  "import db.gpkg --layer hazards bad.csv");
    dmtest_write_file(dmtest_path("date.csv"),
                      "category,lat,lon,found_date\nAP,39.8,46.7,31.02.2021\n");
    ASSERT_DEMINE(2, "field 'found_date': '31.02.2021' is not a valid date",
                  "import db.gpkg --layer items date.csv");
    ASSERT_EQ(count_rows("items"), 3);
}

TEST(import_coordinates_in_degrees_minutes_seconds)
{
    make_db();
    /* as typed from a GPS or an old record; N/S and E/W say which is which,
     * whatever the columns are called */
    dmtest_write_file(dmtest_path("dms.csv"), "category,lat,lon\n"
                                              "AP,\"40\xC2\xB0"
                                              "12'30\"\"N\",\"46\xC2\xB0"
                                              "45'10\"\"E\"\n"
                                              "AP,N 40 12.5,E 46 45.5\n"
                                              "AP,\"46\xC2\xB0"
                                              "45'10\"\" \xD0\xB2.\xD0\xB4.\",\"40\xC2\xB0"
                                              "12'30\"\" "
                                              "\xD1\x81.\xD1\x88.\"\n"
                                              "AP,40.2083\xC2\xB0N,46.7528\xC2\xB0"
                                              "E\n");
    ASSERT_DEMINE(0, "imported 4 rows", "import db.gpkg --layer items dms.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -q -al db.gpkg items | grep POINT"), 0);
    ASSERT_CONTAINS(out, "POINT (46.7527777777778 40.2083333333333)");
    ASSERT_CONTAINS(out, "POINT (46.7583333333333 40.2083333333333)");
    free(out);
    dmtest_write_file(dmtest_path("both.csv"), "category,lat,lon\nAP,40 12 30 N,46 45 10 N\n");
    ASSERT_DEMINE(4, "both.csv: feature 1 (line 2): geometry: the hemisphere letters",
                  "import db.gpkg --layer items both.csv");
    ASSERT_EQ(count_rows("items"), 4);
}

/* The seconds mark typed plainly (39°54'10"N, not "39°54'10""N"): GDAL's
 * CSV reader took the '"' for a quote, the columns shifted, and the error
 * blamed 'lon': 'AP'. The fields are read as a spreadsheet reads them, a
 * quoted note spanning lines stays one field, and the lines an error names
 * are the file's. */
TEST(import_csv_degrees_minutes_seconds_with_plain_seconds_marks)
{
    make_db();
    dmtest_write_file(dmtest_path("dms.csv"), "lat,lon,category,found_date,model\n"
                                              "39\xC2\xB0"
                                              "54'10\"N,47\xC2\xB0"
                                              "00'30\"E,AP,2024-05-01,PMN-2\n"
                                              "39\xC2\xB0"
                                              "54'12\"N,47\xC2\xB0"
                                              "00'31\"E,AT,2024-05-02,\"TM-62, \"\"a\"\"\nby the well\"\n"
                                              "39 54 14 N,47 00 32 E,AP,2024-05-03,PMN-1\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "mkdir -p tmpd && TMPDIR=\"$PWD/tmpd\" \"$DEMINE_BIN\" check dms.csv --layer items"),
              0);
    ASSERT_CONTAINS(out, "3 rows checked, 0 errors");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "TMPDIR=\"$PWD/tmpd\" \"$DEMINE_BIN\" import db.gpkg --layer items dms.csv && ls -A tmpd"),
              0);
    ASSERT_STREQ(out, "imported 3 rows into items from dms.csv\n"); /* and the copy read is gone */
    free(out);
    out = column("db.gpkg", "select category || ' ' || found_date || ' ' || replace(model, char(10), '|') "
                            "from items order by found_date");
    ASSERT_STREQ(out, "AP 2024-05-01 PMN-2\nAT 2024-05-02 TM-62, \"a\"|by the well\nAP 2024-05-03 PMN-1\n");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -q -al db.gpkg items | grep POINT"), 0);
    ASSERT_CONTAINS(out, "POINT (47.0083333333333 39.9027777777778)");
    ASSERT_CONTAINS(out, "POINT (47.0086111111111 39.9033333333333)");
    ASSERT_CONTAINS(out, "POINT (47.0088888888889 39.9038888888889)");
    free(out);
    /* a fault after a note of two lines is named by its own line */
    dmtest_write_file(dmtest_path("dms2.csv"), "lat;lon;category;found_date;model\n"
                                               "39\xC2\xB0"
                                               "54'12\"N;47\xC2\xB0"
                                               "00'31\"E;AT;2024-05-02;\"TM-62\nby the well\"\n"
                                               "39\xC2\xB0"
                                               "54'14\"N;47\xC2\xB0"
                                               "00'32\"E;AP;2024-13-40;PMN-1\n");
    ASSERT_DEMINE(2, "dms2.csv: feature 2 (line 4): field 'found_date': '2024-13-40'",
                  "import db.gpkg --layer items dms2.csv");
    ASSERT_DEMINE(4, "items feature 2 (line 4)", "check dms2.csv --layer items");
    ASSERT_EQ(count_rows("items"), 3);
}

TEST(import_refuses_latitude_and_longitude_swapped_against_the_data)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer hazards h.geojson");
    dmtest_write_file(dmtest_path("sw.csv"), "category,lat,lon\nAP,46.905,39.905\nAT,46.91,39.9\n");
    ASSERT_DEMINE(4, "columns 'lon' and 'lat' exchanged: they look swapped",
                  "import db.gpkg --layer items sw.csv");
    ASSERT_EQ(count_rows("items"), 0);
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items --x lat --y lon sw.csv");
    ASSERT_DEMINE(0, "\"coordinates\":[46.905,39.905]", "list db.gpkg --layer items --json");
}

/* A GeoJSON (or any file with its own geometries) whose points have
 * latitude first was imported silently, and `check --db` found nothing: the
 * swapped check was made on CSV columns alone. */
TEST(import_refuses_swapped_points_of_a_geojson_as_of_a_csv)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer hazards h.geojson");
    dmtest_write_file(dmtest_path("sw.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[39.905,46.905]}}]}");
    ASSERT_DEMINE(4, "sw.geojson: the points (longitude 39.9050..39.9050, latitude 46.9050..46.9050) lie away "
                     "from the database's data",
                  "import db.gpkg --layer items sw.geojson");
    ASSERT_DEMINE(4, "latitude and longitude exchanged: they look swapped; --swap-xy exchanges them, "
                     "--crs EPSG:4326 takes them as they are",
                  "import db.gpkg --layer items sw.geojson");
    ASSERT_EQ(count_rows("items"), 0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check sw.geojson --layer items --db db.gpkg --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"swapped_coordinates\",\"layer\":\"items\"");
    ASSERT_CONTAINS(out, "takes them as they are"); /* the fix fits the check's message */
    free(out);
    /* one point of the file swapped against the others */
    dmtest_write_file(dmtest_path("rows.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.901,39.901]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.902,39.902]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[39.903,46.903]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.904,39.904]}}]}");
    ASSERT_DEMINE(4, "rows.geojson: feature 3: geometry: the point 39.903000 46.903000 (longitude latitude) lies "
                     "away from the file's other points (longitude 46.9010..46.9040, latitude 39.9010..39.9040) "
                     "and among them exchanged: latitude and longitude look swapped in this feature; exchange "
                     "them in the file, or pass --crs EPSG:4326 to take every point as it is",
                  "import db.gpkg --layer items rows.geojson");
    ASSERT_DEMINE(4, "items feature 3: geometry: the point 39.903000 46.903000",
                  "check rows.geojson --layer items");
    ASSERT_EQ(count_rows("items"), 0);
    /* exchanged: --swap-xy puts the point where it belongs (a check with
     * it finds nothing), and a file already right is refused with it */
    ASSERT_DEMINE(0, "0 errors", "check sw.geojson --layer items --db db.gpkg --swap-xy");
    dmtest_write_file(dmtest_path("ok.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.906,39.906]}}]}");
    ASSERT_DEMINE(4, "they look swapped, and --swap-xy swapped them: leave it out",
                  "import db.gpkg --layer items --swap-xy ok.geojson");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer items --swap-xy sw.geojson");
    /* columns a CSV names are exchanged by naming them the other way: with
     * --x/--y, --swap-xy is refused (it would pass the swapped check by) */
    dmtest_write_file(dmtest_path("ok.csv"), "category,lon,lat\nAP,46.905,39.905\nAT,46.906,39.906\n");
    ASSERT_DEMINE(2, "--swap-xy with --x/--y: name the columns the other way round instead (--x lat --y lon)",
                  "import db.gpkg --layer items --swap-xy --x lon --y lat ok.csv");
    ASSERT_DEMINE(4, "they look swapped, and --swap-xy swapped them: leave it out",
                  "import db.gpkg --layer items --swap-xy ok.csv");
    ASSERT_DEMINE(0, "\"coordinates\":[46.905,39.905]", "list db.gpkg --layer items --json");
    /* the file's coordinates taken as they are */
    ASSERT_DEMINE(0, "imported 4 rows", "import db.gpkg --layer items --crs EPSG:4326 rows.geojson");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer items --crs EPSG:4326 sw.geojson");
}

TEST(import_names_the_crs_projected_coordinates_look_like)
{
    make_db();
    dmtest_write_file(dmtest_path("gk.csv"), "category,x,y\nAP,8575000,4410000\n");
    ASSERT_DEMINE(4, "Gauss-Kruger zone 8: --crs EPSG:28408",
                  "import db.gpkg --layer items gk.csv");
    dmtest_write_file(dmtest_path("sov.csv"), "category,x,y\nAP,4410000,8575000\n");
    ASSERT_DEMINE(4, "X the northing and Y the easting", "import db.gpkg --layer items sov.csv");
    dmtest_write_file(dmtest_path("utm.csv"), "category,easting,northing\nAP,675000,4410000\n");
    ASSERT_DEMINE(4, "look like UTM", "import db.gpkg --layer items utm.csv");
    ASSERT_EQ(count_rows("items"), 0);
    /* with the CRS named, the Soviet order is read as it is meant */
    ASSERT_DEMINE(0, "imported 1 row into",
                  "import db.gpkg --layer items --crs EPSG:28408 --x y --y x sov.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --layer items --json"), 0);
    /* 575000 in zone 8 is 75 km east of 45 E: about 45.88 E, 39.8 N */
    ASSERT_CONTAINS(out, "\"coordinates\":[45.8");
    ASSERT_CONTAINS(out, ",39.8");
    free(out);
}

static const char *kml_folders =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>Survey</name>\n"
    "<Folder><name>A\xC4\x9F"
    "dam</name><Placemark><name></name>"
    "<ExtendedData><Data name=\"category\"><value>AP</value></Data><Data name=\"model\"><value>"
    "\xD0\x9F\xD0\x9C\xD0\x9D-2</value></Data><Data name=\"found_date\"><value>12.05.2021</value>"
    "</Data></ExtendedData><Point><coordinates>46.7512,39.8123,0</coordinates></Point></Placemark>"
    "</Folder>\n"
    "<Folder><name>F\xC3\xBCzuli</name><Placemark>"
    "<ExtendedData><Data name=\"category\"><value>AT</value></Data><Data name=\"model\"><value>"
    "TM-62M</value></Data></ExtendedData><Point><coordinates>47.1,39.6,0</coordinates></Point>"
    "</Placemark></Folder></Document></kml>\n";

TEST(import_kml_takes_every_folder_and_ignores_empty_kml_fields)
{
    make_db();
    dmtest_write_file(dmtest_path("f.kml"), kml_folders);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items f.kml"), 0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    /* heights of 0 lose nothing: no warning */
    ASSERT(!strstr(out, "Z (height)"));
    free(out);
    out = column("db.gpkg", "select category || ' ' || model || ' ' || ifnull(found_date, '-') "
                            "from items order by rowid");
    ASSERT_STREQ(out, "AP \xD0\x9F\xD0\x9C\xD0\x9D-2 2021-05-12\nAT TM-62M -\n");
    free(out);
    /* a placemark's name, which the layer has no field for, is dropped
     * with one warning naming the folder, the feature and how to keep it */
    ASSERT_EQ(dmtest_sh(NULL, "sed 's#<name></name>#<name>1</name>#' f.kml > g.kml"), 0);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items g.kml"), 0);
    ASSERT_CONTAINS(out, "imported 2 rows");
    ASSERT_CONTAINS(out, "layer 'A\xC4\x9F"
                         "dam': field 'Name' of the placemarks (feature 1: '1') is not a field of "
                         "layer items: dropped; keep it with --map 'Name=FIELD'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items --map Name=- g.kml"), 0);
    ASSERT(!strstr(out, "field 'Name'"));
    free(out);
    /* any other KML field with a value is data: it must be mapped */
    ASSERT_EQ(dmtest_sh(NULL, "sed 's#name=\"model\"#name=\"colour\"#' f.kml > h.kml"), 0);
    ASSERT_DEMINE(2, "field 'colour' is not a field of layer items", "import db.gpkg --layer items h.kml");
}

/* A KML folder (a minefield, a district) is kept: in notes after
 * "folder: ", or where --map folder=FIELD says; the document's own
 * placemarks are in no folder. */
TEST(import_kml_keeps_each_placemarks_folder)
{
    make_db();
    dmtest_write_file(
        dmtest_path("h.kml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>Survey 2021</name>\n"
        "<Placemark><name>H0</name><Polygon><outerBoundaryIs><LinearRing><coordinates>46.70,39.80 "
        "46.71,39.80 46.71,39.81 46.70,39.80</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark>\n"
        "<Folder><name>A\xC4\x9F" "dam MF-7</name><Placemark><name>H1</name><ExtendedData><Data "
        "name=\"notes\"><value>fenced</value></Data></ExtendedData><Polygon><outerBoundaryIs>"
        "<LinearRing><coordinates>46.80,39.80 46.81,39.80 46.81,39.81 46.80,39.80</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon></Placemark>\n"
        "<Placemark><name>H2</name><Polygon><outerBoundaryIs><LinearRing><coordinates>46.90,39.80 "
        "46.91,39.80 46.91,39.81 46.90,39.80</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Folder></Document></kml>\n");
    ASSERT_DEMINE(0, "imported 3 rows",
                  "import db.gpkg --layer hazards --map Name=name --set hazard_type=SHA h.kml");
    char *out = column("db.gpkg", "select name || ': ' || ifnull(notes, '-') from hazards order by name");
    ASSERT_STREQ(out, "H0: -\nH1: fenced; folder: A\xC4\x9F" "dam MF-7\nH2: folder: A\xC4\x9F" "dam MF-7\n");
    free(out);
    /* elsewhere with --map; a layer without notes warns that it is lost */
    ASSERT_DEMINE(0, "imported 3 rows",
                  "import db.gpkg --layer features --map Name=name --map notes=- --map folder=subtype "
                  "--set class=other h.kml");
    out = column("db.gpkg", "select name || ': ' || ifnull(subtype, '-') from features order by name");
    ASSERT_STREQ(out, "H0: -\nH1: A\xC4\x9F" "dam MF-7\nH2: A\xC4\x9F" "dam MF-7\n");
    free(out);
    ASSERT_DEMINE(0, "the placemarks lie in 1 folder (the first 'A\xC4\x9F" "dam MF-7'), and layer "
                     "features has no field for the folder: keep it with --map folder=FIELD",
                  "import db.gpkg --layer features --map Name=name --map notes=- --set class=other h.kml");
    /* check warns of it as import does */
    ASSERT_DEMINE(0, "folder_dropped", "check h.kml --layer features --map Name=name --map notes=- "
                                       "--set class=other --json");
}

/* Google Earth's folders nest (a sector, its minefields): a placemark keeps
 * its folder's whole path, so that two minefields of the same name in two
 * sectors stay apart; GDAL names each folder's layer by its own name alone
 * ("Minefield 3", "Minefield 3 (#2)"). */
TEST(import_kml_keeps_the_whole_path_of_nested_folders)
{
    make_db();
    const char *kml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>Survey</name>\n"
        "<Folder><name>Sector A</name>\n"
        "<Placemark><name>A0</name><Point><coordinates>46.70,39.80,0</coordinates></Point></Placemark>\n"
        "<Folder><name>Minefield 3</name><Placemark><name>A3</name><Point><coordinates>46.71,39.80,0"
        "</coordinates></Point></Placemark></Folder>\n"
        "<Folder><name><![CDATA[Minefield 4 & 5]]></name><Placemark><name>A4</name><Point><coordinates>"
        "46.72,39.80,0</coordinates></Point></Placemark></Folder></Folder>\n"
        "<Folder><name>Sector B</name><Folder><name>Minefield 3</name><Placemark><name>B3</name><Point>"
        "<coordinates>46.73,39.80,0</coordinates></Point></Placemark></Folder></Folder>\n"
        "</Document></kml>\n";
    dmtest_write_file(dmtest_path("n.kml"), kml);
    ASSERT_DEMINE(0, "imported 4 rows",
                  "import db.gpkg --layer items --set category=AP --map Name=- --map folder=model n.kml");
    char *out = column("db.gpkg", "select model from items order by model");
    ASSERT_STREQ(out, "Sector A\nSector A/Minefield 3\nSector A/Minefield 4 & 5\nSector B/Minefield 3\n");
    free(out);
    /* the same from a KMZ (Google Earth's "Save Place As") */
    ASSERT_EQ(dmtest_sh(NULL, "python3 -c \"import zipfile; zipfile.ZipFile('n.kmz', 'w').write('n.kml', "
                              "'doc.kml')\""),
              0);
    ASSERT_DEMINE(0, "imported 4 rows",
                  "import db.gpkg --layer items --set category=AT --map Name=- --map folder=model n.kmz");
    out = column("db.gpkg", "select model from items where category = 'AT' order by model");
    ASSERT_STREQ(out, "Sector A\nSector A/Minefield 3\nSector A/Minefield 4 & 5\nSector B/Minefield 3\n");
    free(out);
    /* a layer without a field for it names the first folder by its path */
    ASSERT_DEMINE(0, "the placemarks lie in 4 folders (the first 'Sector A')",
                  "import db.gpkg --layer items --set category=AP --map Name=- n.kml");
}

TEST(import_gpx_waypoints_dated_by_their_time)
{
    make_db();
    dmtest_write_file(dmtest_path("w.gpx"),
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<gpx version=\"1.1\" creator=\"GPSMAP 66\" "
                      "xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
                      "<wpt lat=\"39.8123\" lon=\"46.7512\"><ele>512.3</ele>"
                      "<time>2021-05-12T08:30:00Z</time><name>001</name><cmt>PMN-2</cmt>"
                      "<sym>Flag, Blue</sym></wpt>\n"
                      "<wpt lat=\"39.8130\" lon=\"46.7520\"><ele>515.1</ele>"
                      "<time>2021-05-13T09:10:00Z</time><name>002</name></wpt>\n</gpx>\n");
    /* a comment is data; the waypoint's name is dropped, with a warning */
    ASSERT_DEMINE(2, "field 'cmt' is not a field of layer items",
                  "import db.gpkg --layer items --set category=AP w.gpx");
    ASSERT_DEMINE(0, "field 'name' of the waypoints (feature 1: '001') is not a field of layer items: "
                     "dropped; keep it with --map 'name=FIELD'",
                  "check w.gpx --layer items --set category=AP --map cmt=model");
    ASSERT_DEMINE(0, "field 'name' of the waypoints (feature 1: '001') is not a field of layer items",
                  "import db.gpkg --layer items --set category=AP --map cmt=model w.gpx");
    char *out = column("db.gpkg", "select found_date || ' ' || ifnull(model, '-') from items "
                                  "order by rowid");
    ASSERT_STREQ(out, "2021-05-12 PMN-2\n2021-05-13 -\n");
    free(out);
}

TEST(import_cp1251_shapefile_with_or_without_its_cpg)
{
    make_db();
    dmtest_write_file(
        dmtest_path("h.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"ref\":\"AGD-1\",\"hazard_type\":\"CHA\",\"name\":"
        "\"\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 \xD0\xBF\xD0\xBE\xD0\xBB"
        "\xD0\xB5\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.7,39.8],"
        "[46.71,39.8],[46.71,39.81],[46.7,39.8]]]}}]}");
    ASSERT_EQ(dmtest_sh(NULL,
                        "ogr2ogr -q -f 'ESRI Shapefile' -lco ENCODING=CP1251 cp.shp h.geojson "
                        "2>/dev/null && test -f cp.cpg"),
              0);
    ASSERT_DEMINE(0, "imported 1 row into", "import db.gpkg --layer hazards cp.shp");
    char *out = column("db.gpkg", "select name from hazards");
    ASSERT_STREQ(out, "\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 \xD0\xBF\xD0\xBE\xD0\xBB"
                      "\xD0\xB5\n");
    free(out);
    /* without the .cpg the bytes say which code page to name */
    ASSERT_EQ(dmtest_sh(NULL, "rm cp.cpg && sqlite3 db.gpkg 'delete from hazards'"), 0);
    ASSERT_DEMINE(2,
                  "cp.shp: feature 1 AGD-1: field 'name': byte 1 (0xCC) is not UTF-8: the file is in "
                  "another encoding, by its bytes likely Windows-1251 (Cyrillic); import it "
                  "with --encoding CP1251",
                  "import db.gpkg --layer hazards cp.shp");
    ASSERT_DEMINE(2, "--encoding nonsense: not an encoding",
                  "import db.gpkg --layer hazards --encoding nonsense cp.shp");
    ASSERT_DEMINE(0, "imported 1 row into", "import db.gpkg --layer hazards --encoding CP1251 cp.shp");
    out = column("db.gpkg", "select name from hazards");
    ASSERT_STREQ(out, "\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 \xD0\xBF\xD0\xBE\xD0\xBB"
                      "\xD0\xB5\n");
    free(out);
    /* the same for a CSV in the old code page */
    dmtest_write_file(dmtest_path("cp.csv"),
                      "category,model,lat,lon\nAP,\xCF\xCC\xCD-2,39.8,46.7\n");
    ASSERT_DEMINE(2, "likely Windows-1251", "import db.gpkg --layer items cp.csv");
    ASSERT_DEMINE(0, "imported 1 row into", "import db.gpkg --layer items --encoding CP1251 cp.csv");
    out = column("db.gpkg", "select model from items");
    ASSERT_STREQ(out, "\xD0\x9F\xD0\x9C\xD0\x9D-2\n");
    free(out);
}

/* A file in another code page read as UTF-8 has such text in many rows:
 * said once for each field, with how many features and the first, not
 * once a feature; the import is still refused whole. */
TEST(import_text_not_utf8_said_once_per_field_with_the_count)
{
    make_db();
    /* AGD-1 in plain ASCII, then four names and two settlements in Cyrillic */
    char js[8192];
    size_t len = (size_t)snprintf(js, sizeof js, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 1; i <= 5; i++)
        len += (size_t)snprintf(js + len, sizeof js - len,
                                "%s{\"type\":\"Feature\",\"properties\":{\"ref\":\"AGD-%d\",\"hazard_type\":\"CHA\","
                                "\"name\":\"%s %d\"%s},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                                "[[[46.7%d,39.8],[46.71%d,39.8],[46.71%d,39.81],[46.7%d,39.8]]]}}",
                                i > 1 ? "," : "", i,
                                i == 1 ? "Field" : "\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5", i,
                                i == 3 || i == 5 ? ",\"settlement\":\"\xD0\x90\xD0\xB3\xD0\xB4\xD0\xB0\xD0\xBC\"" : "",
                                i, i, i, i);
    snprintf(js + len, sizeof js - len, "]}");
    dmtest_write_file(dmtest_path("h.geojson"), js);
    ASSERT_EQ(dmtest_sh(NULL,
                        "ogr2ogr -q -f 'ESRI Shapefile' -lco ENCODING=CP1251 cp.shp h.geojson "
                        "2>/dev/null && rm cp.cpg"),
              0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer hazards cp.shp"), 2);
    ASSERT_CONTAINS(out, "cp.shp: text that is not UTF-8 in field 'name' of 4 features (the first: feature 2 "
                         "AGD-2, byte 1, 0xCC) and field 'settlement' of 2 features (the first: feature 3 AGD-3, "
                         "byte 1, 0xC0): the file is in another encoding, by its bytes likely Windows-1251 "
                         "(Cyrillic); import it with --encoding CP1251, or save it as UTF-8");
    ASSERT_EQ(count_of(out, "not UTF-8"), 1);
    free(out);
    ASSERT_EQ(count_rows("hazards"), 0); /* AGD-1, read before, is not there */
    /* the check: one error a field, not one a feature */
    ASSERT_EQ(dmtest_demine(&out, "check cp.shp --layer hazards"), 4);
    ASSERT_CONTAINS(out, "feature 2 AGD-2: field 'name': text that is not UTF-8 in 4 features (this the first, "
                         "byte 1 (0xCC)): the file is in another encoding, by its bytes likely Windows-1251 "
                         "(Cyrillic); import it with --encoding CP1251");
    ASSERT_CONTAINS(out, "feature 3 AGD-3: field 'settlement': text that is not UTF-8 in 2 features");
    ASSERT_EQ(count_of(out, "not UTF-8"), 2);
    ASSERT_CONTAINS(out, "5 rows checked, 2 errors");
    free(out);
    ASSERT_DEMINE(0, "imported 5 rows into", "import db.gpkg --layer hazards --encoding CP1251 cp.shp");
    out = column("db.gpkg", "select settlement from hazards where ref = 'AGD-5'");
    ASSERT_STREQ(out, "\xD0\x90\xD0\xB3\xD0\xB4\xD0\xB0\xD0\xBC\n");
    free(out);
}

TEST(import_closed_lines_as_polygons_and_warns_of_repeated_rows)
{
    make_db();
    dmtest_write_file(dmtest_path("l.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"CHA\"},\"geometry\":"
                      "{\"type\":\"LineString\",\"coordinates\":[[46.7,39.8],[46.71,39.8],"
                      "[46.71,39.81],[46.7,39.8]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"SHA\"},\"geometry\":"
                      "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[46.8,39.8],[46.81,39.8],"
                      "[46.81,39.81],[46.8,39.8]]],[[[46.9,39.8],[46.91,39.8],[46.91,39.81],"
                      "[46.9,39.8]]]]}}]}");
    ASSERT_DEMINE(0, "1 closed line taken as the polygon it encloses",
                  "-v import db.gpkg --layer hazards l.geojson");
    char *out = column("db.gpkg", "select hazard_type || ' ' || round(est_area_ha) from hazards "
                                  "order by rowid");
    ASSERT_STREQ(out, "CHA 48.0\nSHA 95.0\n");
    free(out);
    /* a line that does not close is no polygon */
    dmtest_write_file(dmtest_path("open.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"CHA\"},\"geometry\":"
                      "{\"type\":\"LineString\",\"coordinates\":[[46.7,39.8],[46.71,39.8],"
                      "[46.71,39.81]]}}]}");
    ASSERT_DEMINE(4, "open.geojson: feature 1: geometry: a LINESTRING, but layer hazards holds",
                  "import db.gpkg --layer hazards open.geojson");
    dmtest_write_file(dmtest_path("dup.csv"),
                      "category,model,lat,lon,found_date\n"
                      "AP,PMN-2,39.8,46.7,2021-05-12\nAT,TM-62,39.81,46.7,2021-05-12\n"
                      "AP,PMN-2,39.8,46.7,2021-05-12\n");
    ASSERT_DEMINE(0,
                  "1 row repeats an earlier row of the file, value for value and in the same "
                  "place (the first: feature 3 repeats feature 1 (line 4 repeats line 2))",
                  "import db.gpkg --layer items dup.csv");
    ASSERT_EQ(count_rows("items"), 3);
}

TEST(import_mixed_geometries_in_two_runs_with_only_geometry)
{
    /* a phone survey's export: finds as points, the hazard's outline as
     * polygons, in one file */
    make_db();
    dmtest_write_file(dmtest_path("mix.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"model\":\"PMN-1\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.705,39.805]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"CHA\",\"ref\":\"MIX-1\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.7,39.8],[46.71,39.8],"
                      "[46.71,39.81],[46.7,39.81],[46.7,39.8]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"model\":\"PMN-2\"},"
                      "\"geometry\":{\"type\":\"MultiPoint\",\"coordinates\":[[46.706,39.806]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"SHA\",\"ref\":\"MIX-2\"},"
                      "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[46.8,39.8],[46.81,39.8],"
                      "[46.81,39.81],[46.8,39.8]]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\",\"model\":\"TM-62\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.707,39.807]}}]}");
    /* without the option: refused whole, with what the file holds and the way out */
    ASSERT_DEMINE(4,
                  "mix.geojson: feature 2 MIX-1: geometry: a POLYGON, but layer items holds POINT; the file "
                  "holds 3 points and 2 polygons: import the points alone with --only-geometry point",
                  "import db.gpkg --layer items --ignore-unknown mix.geojson");
    ASSERT_DEMINE(4, "feature 1: geometry: a POINT, but layer hazards holds MULTIPOLYGON; the file "
                     "holds 3 points and 2 polygons: import the polygons alone with --only-geometry polygon",
                  "import db.gpkg --layer hazards --ignore-unknown mix.geojson");
    ASSERT_EQ(count_rows("items"), 0);
    ASSERT_EQ(count_rows("hazards"), 0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check mix.geojson --layer items --ignore-unknown --json"), 4);
    ASSERT_CONTAINS(out, "\"code\":\"geometry_kind\",\"layer\":\"items\"");
    ASSERT_CONTAINS(out, "2 features of the file are not points: import refuses the file; the file holds 3 "
                         "points and 2 polygons: import the points alone with --only-geometry point");
    free(out);
    /* the check with the option: the points pass, the polygons are counted */
    ASSERT_EQ(dmtest_demine(&out, "check mix.geojson --layer items --ignore-unknown --only-geometry point --json"),
              0);
    ASSERT_CONTAINS(out, "\"rows_checked\":3,\"errors\":0,\"warnings\":1");
    ASSERT_CONTAINS(out, "\"code\":\"left_out\",\"layer\":\"items\"");
    ASSERT_CONTAINS(out, "import leaves out 2 polygons (--only-geometry point takes only the points)");
    free(out);
    /* two runs: every feature once */
    ASSERT_DEMINE(0, "imported 3 rows into items from mix.geojson\nleft out 2 features: 2 polygons "
                     "(--only-geometry point)",
                  "import db.gpkg --layer items --ignore-unknown --only-geometry point mix.geojson");
    ASSERT_DEMINE(0, "\"rows\":2,\"skipped\":0,\"repaired\":0,\"left_out\":3}",
                  "import db.gpkg --layer hazards --ignore-unknown --only-geometry polygon --json "
                  "mix.geojson");
    out = column("db.gpkg", "select model from items order by model");
    ASSERT_STREQ(out, "PMN-1\nPMN-2\nTM-62\n");
    free(out);
    out = column("db.gpkg", "select ref || ' ' || hazard_type from hazards order by ref");
    ASSERT_STREQ(out, "MIX-1 CHA\nMIX-2 SHA\n");
    free(out);
    /* a word that is no kind, a layer without geometry */
    ASSERT_DEMINE(2, "--only-geometry area: expected point, line or polygon",
                  "import db.gpkg --layer items --only-geometry area mix.geojson");
    ASSERT_DEMINE(2, "--only-geometry point: layer victims holds no geometry",
                  "import db.gpkg --layer victims --only-geometry point mix.geojson");
    ASSERT_EQ(count_rows("items"), 3);
}

/* The README's case without --ignore-unknown: the polygon's fields (ref,
 * hazard_type, status) are no fields of items, but the polygon is left out,
 * so they are dropped as fields with no value are; a field of items' own
 * kind with a value the layer lacks is still refused, naming its feature. */
TEST(import_only_geometry_checks_the_fields_of_the_features_imported_alone)
{
    make_db();
    const char *mixed = "{\"type\":\"FeatureCollection\",\"features\":["
                        "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"found_date\":\"2024-05-01\"},"
                        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.01,39.90]}},"
                        "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\",\"found_date\":\"2024-05-02\"},"
                        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.011,39.901]}},"
                        "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-SHA-9\",\"hazard_type\":\"SHA\","
                        "\"status\":\"open\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.0,39.89],"
                        "[47.02,39.89],[47.02,39.91],[47.0,39.91],[47.0,39.89]]]}}]}";
    dmtest_write_file(dmtest_path("mixed.geojson"), mixed);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check mixed.geojson --layer items --only-geometry point --json"), 0);
    ASSERT_CONTAINS(out, "\"rows_checked\":2,\"errors\":0,\"warnings\":1");
    ASSERT_MSG(!strstr(out, "T-SHA-9"), "a left-out feature's value named: %s", out);
    free(out);
    ASSERT_DEMINE(0, "imported 2 rows into items from mixed.geojson\nleft out 1 feature: 1 polygon "
                     "(--only-geometry point)",
                  "import db.gpkg --layer items mixed.geojson --only-geometry point");
    ASSERT_DEMINE(0, "imported 1 row into hazards from mixed.geojson\nleft out 2 features: 2 points",
                  "import db.gpkg --layer hazards mixed.geojson --only-geometry polygon");
    out = column("db.gpkg", "select ref || ' ' || hazard_type || ' ' || status from hazards");
    ASSERT_STREQ(out, "T-SHA-9 SHA open\n");
    free(out);
    ASSERT_EQ(count_rows("items"), 2);
    /* a field with a value in a point imported is refused as before */
    dmtest_write_file(dmtest_path("mixed2.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-SHA-10\",\"hazard_type\":\"SHA\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.0,39.89],[47.02,39.89],"
                      "[47.02,39.91],[47.0,39.91],[47.0,39.89]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"hazard_type\":\"CHA\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.012,39.902]}}]}");
    ASSERT_DEMINE(2, "field 'hazard_type' is not a field of layer items (its fields: category, model, "
                     "condition, depth_cm, fate, found_date, activity_id, hazard_id, quantity), and feature 2 "
                     "has 'CHA' in it",
                  "import db.gpkg --layer items mixed2.geojson --only-geometry point");
    ASSERT_DEMINE(4, "items feature 2: field 'hazard_type' is not a field of layer items, and has 'CHA' in it",
                  "check mixed2.geojson --layer items --only-geometry point");
    ASSERT_EQ(count_rows("items"), 2);
}

/* A feature without geometry is of no kind: two runs with --only-geometry
 * (points into items, polygons into hazards) both left it out, and it was
 * lost, counted as "left out" twice. It is refused where the layer needs a
 * geometry, naming the file and the feature, and imported where the layer
 * takes rows without one. */
TEST(import_only_geometry_loses_no_feature_without_geometry)
{
    make_db();
    dmtest_write_file(dmtest_path("mixn.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"model\":\"PMN-1\"},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.705,39.805]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_type\":\"CHA\",\"ref\":\"MIX-1\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.7,39.8],[46.71,39.8],"
                      "[46.71,39.81],[46.7,39.81],[46.7,39.8]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"category\":\"AT\",\"model\":\"TM-62\"},"
                      "\"geometry\":null}]}");
    ASSERT_DEMINE(4,
                  "mixn.geojson: feature 3: geometry: no geometry, and layer items needs one (--only-geometry "
                  "point leaves out the features of other kinds, not those without geometry, which no run "
                  "would import): give it a point, or take it out of the file",
                  "import db.gpkg --layer items --ignore-unknown --only-geometry point mixn.geojson");
    ASSERT_DEMINE(4, "mixn.geojson: feature 3: geometry: no geometry, and layer hazards needs one",
                  "import db.gpkg --layer hazards --ignore-unknown --only-geometry polygon mixn.geojson");
    ASSERT_EQ(count_rows("items"), 0);
    ASSERT_EQ(count_rows("hazards"), 0);
    /* the hint of a refusal without the option says so too */
    ASSERT_DEMINE(4,
                  "import the points alone with --only-geometry point (the others are left out and counted; "
                  "import them into their own layer with its --only-geometry); it does not leave out the 1 "
                  "without geometry, which layer items cannot hold: give it a geometry, or take it out of the "
                  "file",
                  "import db.gpkg --layer items --ignore-unknown mixn.geojson");
    /* check names it as import does */
    ASSERT_DEMINE(4, "items feature 3: geometry: no geometry, and layer items needs one",
                  "check mixn.geojson --layer items --ignore-unknown --only-geometry point");
    /* a layer that takes rows without geometry imports it with the polygons */
    ASSERT_DEMINE(0, "imported 2 rows into activities from mixn.geojson\nleft out 1 feature: 1 point "
                     "(--only-geometry polygon)",
                  "import db.gpkg --layer activities --ignore-unknown --set activity_type=nts "
                  "--only-geometry polygon mixn.geojson");
    char *out = column("db.gpkg", "select count(*) || ' ' || count(geom) from activities");
    ASSERT_STREQ(out, "2 1\n");
    free(out);
}

/* A file of 0 bytes (a download cut short) is said to be empty, not "not a
 * vector file", whatever its extension. */
TEST(import_refuses_an_empty_file_saying_so)
{
    make_db();
    const char *exts[] = {"csv", "geojson", "shp", "kml"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "empty.%s", exts[i]);
        dmtest_write_file(dmtest_path(name), "");
        ASSERT_DEMINE(2, "the file is empty (0 bytes)", "import db.gpkg --layer items %s", name);
        ASSERT_DEMINE(2, "the file is empty (0 bytes)", "check %s --layer items", name);
    }
    ASSERT_EQ(count_rows("items"), 0);
}

TEST(check_without_layer_orders_day_first_start_and_end_dates)
{
    dmtest_write_file(dmtest_path("d.csv"),
                      "name,start_date,end_date,lon,lat\n"
                      "a,12.05.2021,10.05.2021,46.7,39.8\n"
                      "b,01.05.2021,10.05.2021,46.71,39.8\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "check d.csv"), 4);
    ASSERT_CONTAINS(out, "date_order           file feature 1 (line 2) a: end_date (2021-05-10) is before "
                         "start_date (2021-05-12)");
    ASSERT_CONTAINS(out, "2 rows checked, 1 error,");
    free(out);
    dmtest_write_file(dmtest_path("e.csv"), "date_start,date_end,lon,lat\n2021-05-12,11.05.2021,46.7,39.8\n");
    ASSERT_DEMINE(4, "date_end (2021-05-11) is before date_start (2021-05-12)", "check e.csv");
}

TEST(export_keeps_non_ascii_text_in_every_format)
{
    make_db();
    const char *name = "\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 \xC2\xAB\xD0\xA8\xD1\x83"
                       "\xD1\x88\xD0\xB0\xC2\xBB"; /* Минное «Шуша» */
    const char *notes = "\xD5\x80\xD5\xA1\xD5\xB5 \xC9\x99 \xC4\x9F \xC4\xB1 \xC5\x9F "
                        "\\\"q\\\", c"; /* Հայ ə ğ ı ş "q", c */
    char gj[2048];
    snprintf(gj, sizeof gj,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
             "{\"ref\":\"A\xC4\x9E"
             "D-1\",\"hazard_type\":\"CHA\",\"name\":\"%s\",\"district\":"
             "\"A\xC4\x9F"
             "dam\",\"notes\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[46.7,39.8],[46.71,39.8],[46.71,39.81],[46.7,39.8]]]}}]}",
             name, notes);
    dmtest_write_file(dmtest_path("h.geojson"), gj);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer hazards h.geojson");
    char *want = column("db.gpkg", "select ref, name, district, notes from hazards");
    const char *exts[] = {"gpkg", "geojson", "shp", "csv", "kml", "xlsx"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        ASSERT_DEMINE(0, "exported 1 row of hazards", "export db.gpkg --layer hazards out.%s", exts[i]);
        ASSERT_DEMINE(0, NULL, "init db2.gpkg");
        ASSERT_DEMINE(0, "imported 1 row into", "import db2.gpkg --layer hazards out.%s", exts[i]);
        char *got = column("db2.gpkg", "select ref, name, district, notes from hazards");
        ASSERT_MSG(!strcmp(got, want), ".%s: %s != %s", exts[i], got, want);
        free(got);
        got = column("db2.gpkg", "select round(est_area_ha, 3) from hazards");
        char *was = column("db.gpkg", "select round(est_area_ha, 3) from hazards");
        ASSERT_STREQ(got, was);
        free(got);
        free(was);
        ASSERT_EQ(dmtest_sh(NULL, "rm -rf db2.gpkg out.*"), 0);
    }
    free(want);
    /* Excel reads a CSV as UTF-8 when it starts with the byte order mark */
    ASSERT_DEMINE(0, NULL, "export db.gpkg --layer hazards out.csv");
    char *csv = dmtest_read_file(dmtest_path("out.csv"));
    ASSERT(!strncmp(csv, "\xEF\xBB\xBF", 3));
    free(csv);
    /* a Shapefile's text holds 254 bytes: longer notes are cut at a
     * character, with a warning naming the first */
    char long_notes[1200] = "";
    for (size_t i = 0, n = 0; i < 60; i++)
        n += (size_t)snprintf(long_notes + n, sizeof long_notes - n, "\xC9\x99\xD0\xB6\xD5\xA1 ");
    ASSERT_DEMINE(0, NULL,
                  "edit db.gpkg A\xC4\x9E"
                  "D-1 'notes=%s' --reason long",
                  long_notes);
    ASSERT_DEMINE(0,
                  "a Shapefile's text holds 254 bytes: 1 value cut to it (the first: hazards "
                  "A\xC4\x9E"
                  "D-1 field notes, 419 bytes)",
                  "export db.gpkg --layer hazards cut.shp");
    ASSERT_DEMINE(0, NULL, "init db3.gpkg");
    ASSERT_DEMINE(0, "imported 1 row into", "import db3.gpkg --layer hazards cut.shp");
    char *got = column("db3.gpkg", "select length(cast(notes as blob)) from hazards");
    ASSERT_STREQ(got, "254\n"); /* 36 words and a whole first letter */
    free(got);
}

/* A spreadsheet's number columns: the driver's text of one number is
 * overwritten by the next, and both coordinates were the latitude. */
TEST(import_xlsx_number_coordinate_columns)
{
    make_db();
    dmtest_write_file(dmtest_path("a.csv"), "date,_location_latitude,_location_longitude,killed\n"
                                            "2021-05-10,39.8123,46.7512,1\n");
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -q -f XLSX a.xlsx a.csv -oo AUTODETECT_TYPE=YES"), 0);
    ASSERT_DEMINE(0, "imported 1 row into", "import db.gpkg --layer accidents a.xlsx");
    ASSERT_DEMINE(0, "\"coordinates\":[46.7512,39.8123]", "list db.gpkg --layer accidents --json");
}

/* Sharing with partners: the same fields are left out by export, list and
 * show --no-personal, from rows and from the history. */
TEST(no_personal_leaves_out_names_ages_and_accident_notes_everywhere)
{
    make_db();
    dmtest_write_file(dmtest_path("a.csv"), "date,lat,lon,killed,notes\n"
                                            "2021-05-10,39.8123,46.7512,1,\"Vardan P. herding\"\n");
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer accidents a.csv");
    char *uuid = column("db.gpkg", "select uuid from accidents");
    uuid[36] = '\0';
    char csv[256];
    snprintf(csv, sizeof csv,
             "accident_id,name,age,sex,outcome\n%s,Vardan Petrosyan,51,male,injured\n", uuid);
    dmtest_write_file(dmtest_path("v.csv"), csv);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer victims v.csv");
    char *vid = column("db.gpkg", "select uuid from victims");
    vid[36] = '\0';
    ASSERT_DEMINE(0, NULL, "edit db.gpkg %s name=Vardan --reason spelling", vid);
    char *out = NULL;
    const char *cmds[] = {"show db.gpkg %s --no-personal", "show db.gpkg %s --no-personal --json",
                          "list db.gpkg --layer victims --json --no-personal"};
    for (size_t i = 0; i < 3; i++) {
        ASSERT_EQ(dmtest_demine(&out, cmds[i], vid), 0);
        /* the age's field, not its digits: "51" may be part of a uuid or a time */
        ASSERT(!strstr(out, "Vardan") && !strstr(out, "\"age\"") && !strstr(out, "\n  age "));
        ASSERT_CONTAINS(out, "injured");
        free(out);
    }
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg %s", vid), 0);
    ASSERT_CONTAINS(out, "name: \"Vardan Petrosyan\" -> \"Vardan\"");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg %s --no-personal --json", uuid), 0);
    ASSERT(!strstr(out, "herding"));
    free(out);
    ASSERT_DEMINE(0, NULL, "export db.gpkg --layer accidents --no-personal a.geojson");
    out = dmtest_read_file(dmtest_path("a.geojson"));
    ASSERT(!strstr(out, "herding") && !strstr(out, "\"notes\""));
    ASSERT_CONTAINS(out, "\"killed\": 1");
    free(out);
    free(uuid);
    free(vid);
}

TEST(list_columns_count_letters_not_bytes)
{
    make_db();
    dmtest_write_file(dmtest_path("i.csv"),
                      "category,model,lat,lon\n"
                      "AP,\xD0\x9F\xD0\x9C\xD0\x9D-2 \xD0\xBF\xD1\x80\xD0\xB5"
                      "\xD1\x81\xD1\x81\xD0\xBE\xD0\xB2\xD0\xB0\xD1\x8F,39.8,46.7\n"
                      "AT,TM-62M,39.8,46.71\n");
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer items i.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list db.gpkg --layer items"), 0);
    /* "ПМН-2 прессовая" (15 letters, 29 bytes) padded to the text column's
     * 24 letters, and the next column where the ASCII row has it */
    ASSERT_CONTAINS(out, "  \xD0\x9F\xD0\x9C\xD0\x9D-2 \xD0\xBF\xD1\x80\xD0\xB5\xD1\x81\xD1\x81"
                         "\xD0\xBE\xD0\xB2\xD0\xB0\xD1\x8F           -");
    ASSERT_CONTAINS(out, "  TM-62M                    -");
    free(out);
}

/* A Kobo form with a repeat group (the victims of an accident) comes as two
 * sheets: the parent's submission id `_uuid` becomes the accident's uuid, and
 * the child sheet's `_submission__uuid` links each victim to it. A later
 * export of the same form skips the submissions already in. */
TEST(import_kobo_repeat_group_links_children_to_their_submission)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"),
                      "date,_geopoint_latitude,_geopoint_longitude,killed,injured,_uuid,_index\n"
                      "2021-05-12,39.81,46.75,0,2,6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01,1\n"
                      "2022-03-01,39.82,46.76,1,0,7a2d3b65-2c1f-4a5d-8b66-1e4d3c8b0f12,2\n");
    dmtest_write_file(dmtest_path("vic.csv"), "outcome,sex,_parent_index,_submission__uuid\n"
                                              "injured,male,1,6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01\n"
                                              "injured,female,1,6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01\n"
                                              "killed,male,2,7a2d3b65-2c1f-4a5d-8b66-1e4d3c8b0f12\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer accidents acc.csv --x _geopoint_longitude "
                                        "--y _geopoint_latitude --map _uuid=uuid --map _index=-");
    ASSERT_DEMINE(0, "imported 3 rows",
                  "import db.gpkg --layer victims vic.csv --map _submission__uuid=accident_id --map _parent_index=-");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "show db.gpkg 6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01"), 0);
    ASSERT_CONTAINS(out, "injured            2");
    const char *p = out;
    int links = 0;
    while ((p = strstr(p, "(via accident_id)")) != NULL) {
        links++;
        p++;
    }
    ASSERT_EQ(links, 2);
    free(out);
    /* the next download of the form holds the same submissions */
    ASSERT_DEMINE(2, "6f1c2a54-1b0e-4f4c-9a55-0d3c2b7a9e01 already exists",
                  "import db.gpkg --layer accidents acc.csv --x _geopoint_longitude --y _geopoint_latitude "
                  "--map _uuid=uuid --map _index=-");
    ASSERT_DEMINE(0, "skipped 2 rows", "import db.gpkg --layer accidents acc.csv --x _geopoint_longitude "
                                       "--y _geopoint_latitude --map _uuid=uuid --map _index=- --skip-existing");
    ASSERT_EQ(count_rows("accidents"), 2);
    /* two columns for the one uuid are refused */
    ASSERT_DEMINE(2, "both go to field 'uuid'",
                  "import db.gpkg --layer accidents acc.csv --x _geopoint_longitude --y _geopoint_latitude "
                  "--map _uuid=uuid --map _index=uuid");
}

/* A form's one-letter codes (F, M; K, I) are the values they begin, when
 * they begin one alone (C: cancelled or cleared is refused), and the long
 * names of short values (Non-Technical Survey) those values; a victim with
 * an age under 18 and no age group counts among the children. */
TEST(import_one_letter_codes_and_children_by_age)
{
    make_db();
    dmtest_write_file(dmtest_path("acc1.csv"), "date,lat,lon\n2021-05-12,39.81,46.75\n");
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer accidents acc1.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'SELECT uuid FROM accidents' | tr -d '\\n'"), 0);
    char acc[64];
    snprintf(acc, sizeof acc, "%s", out);
    free(out);
    char csv[400];
    snprintf(csv, sizeof csv, "accident_id,sex,age,outcome\n%s,F,9,I\n%s,m,34,K\n%s,f,,i\n", acc, acc, acc);
    dmtest_write_file(dmtest_path("v1.csv"), csv);
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer victims v1.csv");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT group_concat(sex || ' ' || outcome, ', ') FROM victims\""), 0);
    ASSERT_CONTAINS(out, "female injured, male killed, female injured");
    free(out);
    ASSERT_DEMINE(0, "victims 3 (killed 1, injured 2; civilians 3, deminers 0, military 0; women and girls 2, children 1)",
                  "stats db.gpkg");
    /* a letter that begins two values is no code */
    dmtest_write_file(dmtest_path("ra.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"outcome\":\"C\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.75,39.81],"
                      "[46.76,39.81],[46.76,39.82],[46.75,39.81]]]}}]}");
    ASSERT_DEMINE(2, "field 'outcome': 'C' is not one of", "import db.gpkg --layer release_areas ra.geojson");
    /* the long names of the short values, as other systems export them */
    dmtest_write_file(dmtest_path("ac.csv"), "ref,activity_type,start_date\nA-1,Non-Technical Survey,2024-01-01\n"
                                             "A-2,technical survey,2024-01-02\nA-3,Battle Area Clearance,2024-01-03\n"
                                             "A-4,Explosive Ordnance Disposal,2024-01-04\n");
    ASSERT_DEMINE(0, "imported 4 rows", "import db.gpkg --layer activities ac.csv");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT group_concat(activity_type, ' ') FROM activities WHERE ref "
                              "LIKE 'A-_'\""),
              0);
    ASSERT_CONTAINS(out, "nts ts bac eod");
    free(out);
    dmtest_write_file(dmtest_path("it2.csv"), "category,lat,lon\nAnti-personnel mine,39.81,46.75\n"
                                              "AT mine,39.81,46.76\nunexploded ordnance,39.81,46.77\n");
    ASSERT_DEMINE(0, "imported 3 rows", "import db.gpkg --layer items it2.csv");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT group_concat(category, ' ') FROM items\""), 0);
    ASSERT_CONTAINS(out, "AP AT UXO");
    free(out);
    /* a date of a year or a month alone is its first day, said (the day is not known) */
    dmtest_write_file(dmtest_path("acc2.csv"), "date,lat,lon\n2019,39.81,46.75\n2020-05,39.82,46.75\n"
                                               "2021-02-03,39.83,46.75\n");
    ASSERT_DEMINE(0, "2 dates have no day, a year or month alone (the first: feature 1 (line 2), field 'date'), "
                     "stored as each one's first day",
                  "import db.gpkg --layer accidents acc2.csv");
    ASSERT_DEMINE(0, "2 dates have no day, a year or month alone (this the first, field 'date')",
                  "check acc2.csv --layer accidents");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg \"SELECT group_concat(date, ' ') FROM accidents WHERE date < "
                              "'2021-01-01'\""),
              0);
    ASSERT_CONTAINS(out, "2019-01-01 2020-05-01");
    free(out);
}

/* The rows a file has inserted are remembered over thousands of rows (the
 * table grows many times): a ref or uuid repeated far down the file names
 * the feature that first had it, a uuid in the store's form or in another
 * (upper case) alike; nothing is written. */
TEST(import_names_a_repeat_of_a_feature_thousands_of_rows_before)
{
    make_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "{ echo ref,activity_type; seq 1 5000 | sed 's/.*/T-&,ts/'; "
                              "echo T-2,clearance; } > a.csv"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer activities --skip-existing a.csv"), 2);
    ASSERT_CONTAINS(out, "a.csv: feature 5001 (line 5002) T-2: field 'ref': 'T-2' is also the ref of "
                         "feature 2 (line 3) of this file");
    free(out);
    ASSERT_EQ(count_rows("activities"), 0);
    ASSERT_EQ(dmtest_sh(&out, "{ echo uuid,lon,lat,category; echo "
                              "ABCDEF00-0000-7000-8000-00000000000A,46.9,39.9,AP; seq 1 3000 | "
                              "awk '{printf \"0190a8f0-0000-7000-8000-%%012x,46.9,39.9,AP\\n\", $1}'; "
                              "echo ABCDEF00-0000-7000-8000-00000000000A,46.8,39.9,AT; } > u.csv; "
                              "sed '$d' u.csv > u2.csv; echo 0190a8f0-0000-7000-8000-000000000bb8,46.8,"
                              "39.9,AT >> u2.csv"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items u.csv"), 2);
    ASSERT_CONTAINS(out, "u.csv: feature 3002 (line 3003): uuid ABCDEF00-0000-7000-8000-00000000000A "
                         "is also the uuid of feature 1 (line 2) of this file");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items u2.csv"), 2);
    ASSERT_CONTAINS(out, "u2.csv: feature 3002 (line 3003): uuid 0190a8f0-0000-7000-8000-000000000bb8 "
                         "is also the uuid of feature 3001 (line 3002) of this file");
    free(out);
    ASSERT_EQ(count_rows("items"), 0);
    /* without the repeat the file imports whole */
    ASSERT_EQ(dmtest_sh(&out, "sed '$d' u2.csv > u3.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items u3.csv"), 0);
    ASSERT_CONTAINS(out, "imported 3001 rows");
    free(out);
    ASSERT_EQ(count_rows("items"), 3001);
}

/* An import larger than the page cache it is given (60,000 rows, some
 * 40 MB of pages: SQLite writes pages out before the commit) still leaves
 * the database as it was when its last row is refused. */
TEST(import_larger_than_its_cache_refused_at_the_end_leaves_the_database_unchanged)
{
    make_db();
    char *out = NULL;
    dmtest_write_file(dmtest_path("two.csv"), "lon,lat,category\n46.9,39.9,AP\n46.91,39.9,AT\n");
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items two.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "{ echo lon,lat,category,model,depth_cm,found_date; seq 1 60000 | "
                              "awk '{printf \"%%.6f,%%.6f,AP,PMN-2,%%d,2022-05-%%02d\\n\", 46.5 + ($1 %% 997) "
                              "/ 1000, 39.5 + ($1 %% 601) / 1000, $1 %% 20, 1 + $1 %% 28}'; echo "
                              "46.7,39.7,XYZ,PMN-2,5,2022-05-01; } > big.csv"),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items big.csv"), 2);
    ASSERT_CONTAINS(out, "big.csv: feature 60001 (line 60002): field 'category'");
    free(out);
    ASSERT_EQ(count_rows("items"), 2);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'PRAGMA integrity_check; SELECT count(*) FROM "
                              "change_log'; ls db.gpkg-journal db.gpkg-wal 2>&1 | grep -c 'No such'"),
              0);
    ASSERT_STREQ(out, "ok\n2\n2\n");
    free(out);
    /* the same file without its last row: every row in */
    ASSERT_EQ(dmtest_sh(&out, "sed '$d' big.csv > good.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "import db.gpkg --layer items good.csv"), 0);
    free(out);
    ASSERT_EQ(count_rows("items"), 60002);
}

/* A spreadsheet whose every cell is text (numbers stored as text, as some
 * systems export them): its first row still names the columns, which the
 * driver's own guess took for data (Field1, Field2, ...) */
TEST(import_xlsx_with_every_cell_text_reads_its_header)
{
    make_db();
    dmtest_write_file(dmtest_path("t.csv"), "category,model,found_date,lat,lon\n"
                                            "AP,PMN-2,2023-05-01,40.0012,47.0534\n"
                                            "AT,TM-62,2023-05-02,40.0021,47.0541\n");
    ASSERT_EQ(dmtest_sh(NULL, "ogr2ogr -q -f XLSX t.xlsx t.csv"), 0); /* every cell text */
    ASSERT_DEMINE(0, "2 rows checked, 0 errors", "check t.xlsx --layer items");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items t.xlsx");
    ASSERT_DEMINE(0, "\"coordinates\":[47.0534,40.0012]", "list db.gpkg --layer items --json");
    ASSERT_DEMINE(0, "\"model\":\"TM-62\"", "list db.gpkg --layer items --json");
}

/* A required field no column of the file gives (GPS waypoints into items,
 * which need a category): the import says so once, naming the file, the
 * field and both ways to give it, as check does */
TEST(import_names_a_required_field_no_column_gives_and_the_fix)
{
    make_db();
    dmtest_write_file(dmtest_path("wp.gpx"),
                      "<?xml version=\"1.0\"?>\n"
                      "<gpx version=\"1.1\" creator=\"t\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
                      "<wpt lat=\"40.001\" lon=\"47.05\"><time>2024-05-01T10:00:00Z</time></wpt>\n"
                      "<wpt lat=\"40.002\" lon=\"47.051\"><time>2024-05-01T11:00:00Z</time></wpt>\n"
                      "</gpx>\n");
    ASSERT_DEMINE(2,
                  "wp.gpx: field 'category' is required, and no column of the file gives it: name the "
                  "column with --map SRC=category, or give every row a value with --set category=VALUE",
                  "import db.gpkg --layer items wp.gpx");
    char *n = column("db.gpkg", "select count(*) from items");
    ASSERT_STREQ(n, "0\n");
    free(n);
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items wp.gpx --set category=AP");
}

/* A column the layer lacks, in a file of another code page: the refusal
 * quotes its value as that code page reads it, not as '' (the bytes that
 * are not UTF-8 cut away) */
TEST(import_quotes_an_unknown_columns_value_of_another_code_page)
{
    make_db();
    /* "Минное поле" in Windows-1251 */
    dmtest_write_file(dmtest_path("ru.csv"), "category,lon,lat,notes\n"
                                             "AP,47.05,40.0,\xCC\xE8\xED\xED\xEE\xE5 \xEF\xEE\xEB\xE5\n");
    ASSERT_DEMINE(2, "feature 1 (line 2) has '\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 "
                     "\xD0\xBF\xD0\xBE\xD0\xBB\xD0\xB5' in it",
                  "import db.gpkg --layer items ru.csv");
    ASSERT_DEMINE(2, "has '\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5", "import db.gpkg --layer items ru.csv --encoding CP1251");
    ASSERT_DEMINE(4, "and has '\xD0\x9C\xD0\xB8\xD0\xBD\xD0\xBD\xD0\xBE\xD0\xB5 \xD0\xBF\xD0\xBE\xD0\xBB\xD0\xB5' in it",
                  "check ru.csv --layer items");
}

/* A column of places as a map app or a phone copies them, "lat, lon"
 * (--geom-field), is read as ODK's "lat lon"; a decimal comma is not taken
 * for the separator */
TEST(import_geom_field_of_lat_comma_lon)
{
    make_db();
    dmtest_write_file(dmtest_path("g.csv"), "category,GPS\n"
                                            "AP,\"40.0123, 47.0456\"\n"
                                            "AT,\"40.0125,47.0458\"\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items g.csv --geom-field GPS");
    ASSERT_DEMINE(0, "\"coordinates\":[47.0456,40.0123]", "list db.gpkg --layer items --json");
    ASSERT_DEMINE(0, "\"coordinates\":[47.0458,40.0125]", "list db.gpkg --layer items --json");
    /* decimal commas and a space between: not read as "40, 0123" */
    dmtest_write_file(dmtest_path("d.csv"), "category,GPS\n"
                                            "AP,\"40,0123 47,0456\"\n");
    ASSERT_DEMINE(4, "nor \"lat, lon\"", "check d.csv --layer items --geom-field GPS");
}

/* stats, list, show and sensors list read a database the same way: a text
 * file, a GeoPackage of another program and a missing file give each the
 * same exit code and the same reason, naming the file. */
TEST(stats_refuses_what_is_no_database_as_list_and_show_do)
{
    dmtest_write_file(dmtest_path("t.txt"), "hello\n");
    dmtest_write_file(dmtest_path("empty.gpkg"), "");
    char *o = NULL;
    ASSERT_EQ(dmtest_sh(&o, "mkdir -p '%s'", dmtest_path("dir.gpkg")), 0);
    free(o);
    ASSERT_DEMINE(0, NULL, "init ok.gpkg");
    ASSERT_DEMINE(0, NULL, "export ok.gpkg --layer items other.gpkg");
    const char *cmds[] = {"stats %s", "list %s", "show %s X", "sensors list %s"};
    const struct {
        const char *file, *says;
        int rc;
    } cases[] = {{"t.txt", "t.txt: not a GeoPackage", 4},
                 {"other.gpkg", "other.gpkg: not a demine database", 4},
                 {"other.gpkg", "'demine import NEW.gpkg --layer LAYER", 4},
                 {"empty.gpkg", "empty.gpkg: an empty file, not a database", 4},
                 {"dir.gpkg", "dir.gpkg is a directory, not a database file", 3},
                 {"missing.gpkg", "missing.gpkg: no such database", 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
            char cmd[128];
            snprintf(cmd, sizeof cmd, cmds[k], cases[c].file);
            ASSERT_DEMINE(cases[c].rc, cases[c].says, "%s", cmd);
        }
}

/* Points of a WKT or ODK geopoint column were not in the swapped check: a
 * CSV whose WKT had latitude first was imported half a world away, as a
 * GeoJSON's was before. */
TEST(import_refuses_swapped_points_of_a_wkt_or_odk_column)
{
    make_db();
    dmtest_write_file(dmtest_path("h.geojson"), hazards_geojson);
    ASSERT_DEMINE(0, NULL, "import db.gpkg --layer hazards h.geojson");
    /* every point swapped against the database's data */
    dmtest_write_file(dmtest_path("wkt.csv"), "category,WKT\nAP,POINT (39.905 46.905)\nAT,POINT (39.91 46.91)\n");
    ASSERT_DEMINE(4, "wkt.csv: the points (longitude 39.9050..39.9100, latitude 46.9050..46.9100) lie away from "
                     "the database's data",
                  "import db.gpkg --layer items wkt.csv");
    ASSERT_DEMINE(4, "latitude and longitude exchanged: they look swapped",
                  "check wkt.csv --layer items --db db.gpkg");
    ASSERT_EQ(count_rows("items"), 0);
    /* one ODK geopoint ("lat lon alt acc") written longitude first */
    dmtest_write_file(dmtest_path("odk.csv"), "category,location\n"
                                              "AP,39.901 46.901 0 5\n"
                                              "AP,39.902 46.902 0 5\n"
                                              "AT,46.903 39.903 0 5\n"
                                              "AP,39.904 46.904 0 5\n");
    ASSERT_DEMINE(4, "odk.csv: feature 3 (line 4): geometry: the point 39.903000 46.903000 (longitude latitude) "
                     "lies away from the file's other points",
                  "import db.gpkg --layer items --geom-field location odk.csv");
    ASSERT_EQ(count_rows("items"), 0);
    /* a KoboToolbox export's _geolocation ("[lat, lon]") with one the other way round */
    dmtest_write_file(dmtest_path("kobo.csv"), "category,_geolocation\n"
                                               "AP,\"[39.901, 46.901]\"\n"
                                               "AP,\"[39.902, 46.902]\"\n"
                                               "AP,\"[39.903, 46.903]\"\n"
                                               "AT,\"[46.904, 39.904]\"\n");
    ASSERT_DEMINE(4, "kobo.csv: feature 4 (line 5): geometry: the point 39.904000 46.904000",
                  "import db.gpkg --layer items kobo.csv");
    ASSERT_EQ(count_rows("items"), 0);
    /* the right ones go in; with --crs the file's points are taken as they are */
    dmtest_write_file(dmtest_path("ok.csv"), "category,WKT\nAP,POINT (46.905 39.905)\nAT,POINT (46.91 39.91)\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items ok.csv");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer items --crs EPSG:4326 wkt.csv");
}

/* A folder without a name is a layer GDAL names "Layer<N>" (N its place
 * among its container's features): it was kept as "Layer0", losing the
 * folder it lies in; it is named by its path, "(unnamed)" for itself. A
 * folder truly named "Layer0" keeps its name ("Layer0 (#2)" to GDAL). */
TEST(import_kml_names_an_unnamed_folder_by_its_path)
{
    make_db();
    const char *kml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document><name>Survey</name>\n"
        "<Folder><name>Empty</name></Folder>\n"
        "<Folder><name>Sector A</name>\n"
        "<Folder><Placemark><name>M1</name><Point><coordinates>46.70,39.80</coordinates></Point></Placemark>"
        "</Folder>\n"
        "<Folder><name>Minefield 3</name><Placemark><name>M2</name><Point><coordinates>46.71,39.80"
        "</coordinates></Point></Placemark></Folder></Folder>\n"
        "<Folder><name>Layer0</name><Placemark><name>M3</name><Point><coordinates>46.72,39.80</coordinates>"
        "</Point></Placemark></Folder>\n"
        "<Folder><Placemark><name>M4</name><Point><coordinates>46.73,39.80</coordinates></Point></Placemark>"
        "</Folder>\n"
        "</Document></kml>\n";
    dmtest_write_file(dmtest_path("u.kml"), kml);
    ASSERT_DEMINE(0, "imported 4 rows",
                  "import db.gpkg --layer items --set category=AP --map Name=- --map folder=model u.kml");
    /* by longitude: M1 to M4 */
    char *out = column("db.gpkg", "select model from items order by (select minx from rtree_items_geom r "
                                  "where r.id = items.fid)");
    ASSERT_STREQ(out, "Sector A/(unnamed)\nSector A/Minefield 3\nLayer0\n(unnamed)\n");
    free(out);
    /* a Google Earth tour counts among the features before a folder; a
     * blank <name> is no name either */
    const char *kml2 =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\" xmlns:gx=\"http://www.google.com/kml/ext/2.2\">"
        "<Document><name>Survey</name>\n"
        "<Folder><name>Sector B</name><gx:Tour><name>fly</name></gx:Tour>\n"
        "<Folder><Placemark><name>M5</name><Point><coordinates>46.74,39.80</coordinates></Point></Placemark>"
        "</Folder></Folder>\n"
        "<Folder><name>  </name><Placemark><name>M6</name><Point><coordinates>46.75,39.80</coordinates></Point>"
        "</Placemark></Folder>\n"
        "</Document></kml>\n";
    dmtest_write_file(dmtest_path("t.kml"), kml2);
    ASSERT_DEMINE(0, "imported 2 rows",
                  "import db.gpkg --layer items --set category=AT --map Name=- --map folder=model t.kml");
    out = column("db.gpkg", "select model from items where category = 'AT' order by (select minx from "
                            "rtree_items_geom r where r.id = items.fid)");
    ASSERT_STREQ(out, "Sector B/(unnamed)\n(unnamed)\n");
    free(out);
}
