/* SPDX-License-Identifier: MIT
 *
 * test_bad_input.c -- malformed files given to import, check and risk map
 * --evidence: each is refused with a message naming the file, the row (or
 * line) and the column or what is wrong, and the database is left as it
 * was. A file that is no file (a pipe) is refused rather than waited on.
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the database holds, for "left unchanged": rows of accidents, items
 * and hazards, and the change log. */
static char *db_state(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 db.gpkg 'select (select count(*) from accidents), (select count(*) "
                              "from items), (select count(*) from hazards), (select count(*) from change_log)'"),
              0);
    return out;
}

static void make_db(void)
{
    ASSERT_DEMINE(0, NULL, "init db.gpkg");
}

/* A quote opening a CSV value and never closed swallowed the rest of the
 * file into that value: the rows after it were imported as one, silently.
 * Refused by import and check, naming the line and the column. */
TEST(csv_quote_never_closed_is_refused)
{
    make_db();
    dmtest_write_file(dmtest_path("acc.csv"), "lon,lat,date,killed,injured,device\n"
                                 "47.05,39.95,2022-05-01,0,1,PMN\n"
                                 "47.06,39.95,2022-05-02,0,1,\"PMN\n"
                                 "47.07,39.95,2022-05-03,0,1,PMN\n");
    char *before = db_state();
    ASSERT_DEMINE(2, "acc.csv: line 3, column 'device': a quote (\") opens the value and is never closed",
                  "import db.gpkg --layer accidents acc.csv");
    char *after = db_state();
    ASSERT_STREQ(after, before);
    free(after);
    free(before);
    ASSERT_DEMINE(2, "line 3, column 'device': a quote (\") opens the value", "check acc.csv --layer accidents");
}

/* A row with a value past the header's last column lost the value (GDAL
 * drops it) and was imported; now refused naming the feature, the line and
 * the columns. A row of fewer values is a spreadsheet's empty cells at the
 * end: imported. Empty values past the header lose nothing and pass. */
TEST(csv_value_past_the_header_is_refused)
{
    make_db();
    dmtest_write_file(dmtest_path("more.csv"), "lon,lat,date,killed,injured,device\n"
                                  "47.05,39.95,2022-05-01,0,1,PMN\n"
                                  "47.06,39.95,2022-05-02,0,1,PMN,2 more\n");
    char *before = db_state();
    ASSERT_DEMINE(2,
                  "more.csv: feature 2 (line 3) has a value in column 7, but the header names 6 columns "
                  "(the last column 'device'): a value would be lost",
                  "import db.gpkg --layer accidents more.csv");
    char *after = db_state();
    ASSERT_STREQ(after, before);
    free(after);
    free(before);
    ASSERT_DEMINE(2, "feature 2 (line 3) has a value in column 7", "check more.csv --layer accidents");
    dmtest_write_file(dmtest_path("fewer.csv"), "lon,lat,date,killed,injured,device\n"
                                   "47.05,39.95,2022-05-01,0,1,PMN,,\n"
                                   "47.06,39.95,2022-05-02,0\n");
    ASSERT_DEMINE(0, "imported 2 rows", "import db.gpkg --layer accidents fewer.csv");
}

/* A NUL byte in a CSV cut the value short where it stood (PM\0N read as
 * PM); a UTF-16 file has one in every other byte */
TEST(csv_nul_byte_is_refused)
{
    make_db();
    FILE *f = fopen(dmtest_path("nul.csv"), "wb");
    ASSERT(f);
    static const char text[] = "lon,lat,date,killed,injured,device\n47.05,39.95,2022-05-01,0,1,PM\0N\n";
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    char *before = db_state();
    ASSERT_DEMINE(2, "nul.csv: feature 1 (line 2), column 'device': a NUL byte (0x00)",
                  "import db.gpkg --layer accidents nul.csv");
    char *after = db_state();
    ASSERT_STREQ(after, before);
    free(after);
    free(before);
}

/* A pipe given as the file kept import, check and risk map waiting for a
 * writer for ever */
TEST(a_pipe_is_refused_not_waited_on)
{
    make_db();
    ASSERT_EQ(mkfifo(dmtest_path("pipe.csv"), 0600), 0);
    const char *bin = getenv("DEMINE_BIN");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "timeout 30 '%s' import db.gpkg --layer accidents pipe.csv 2>&1", bin ? bin : "demine"),
              2);
    ASSERT_CONTAINS(out, "pipe.csv: not a file but a pipe (FIFO)");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "timeout 30 '%s' check pipe.csv --layer accidents 2>&1", bin ? bin : "demine"), 2);
    ASSERT_CONTAINS(out, "pipe.csv: not a file but a pipe (FIFO)");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "timeout 30 '%s' risk map db.gpkg --out r.tif --evidence pipe.csv 2>&1",
                        bin ? bin : "demine"),
              2);
    ASSERT_CONTAINS(out, "pipe.csv: not a file but a pipe (FIFO)");
    free(out);
}

/* A workbook saved under .csv, and a CSV renamed .xlsx, are named for what
 * their bytes are, with the extension to give (not "a NUL byte", nor "not a
 * vector file" alone); a folder of no data says it is a folder */
TEST(a_file_whose_bytes_are_another_format_says_which)
{
    make_db();
    FILE *f = fopen(dmtest_path("book.csv"), "wb");
    ASSERT(f);
    static const char zip[] = "PK\003\004\024\000\000\000\010\000rest of a workbook";
    fwrite(zip, 1, sizeof zip - 1, f);
    fclose(f);
    ASSERT_DEMINE(2, "book.csv: not a CSV file: its bytes are those of a ZIP archive (an XLSX workbook",
                  "import db.gpkg --layer accidents book.csv");
    dmtest_write_file(dmtest_path("sheet.xlsx"), "lon,lat,date,killed,injured\n47.05,39.95,2022-05-01,0,1\n");
    ASSERT_DEMINE(2, "sheet.xlsx: not a vector file GDAL can read: its bytes are those of text in columns (a CSV: "
                     "give it the extension .csv)",
                  "import db.gpkg --layer accidents sheet.xlsx");
    ASSERT_EQ(mkdir(dmtest_path("nothing.geojson"), 0700), 0);
    ASSERT_DEMINE(2, "nothing.geojson: a folder holding no vector file GDAL can read",
                  "import db.gpkg --layer items nothing.geojson");
}

/* A GPX of a track alone imported into items took its empty first layer
 * (waypoints): "0 rows imported" and no error. Refused, naming the layers
 * that hold features. A file of no feature at all (an empty
 * FeatureCollection) imports nothing with a warning, rather than blaming a
 * required field no column gives. */
TEST(a_file_of_no_feature_where_asked_says_so)
{
    make_db();
    dmtest_write_file(dmtest_path("track.gpx"),
                      "<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"x\" "
                      "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><name>t</name><trkseg>"
                      "<trkpt lat=\"39.95\" lon=\"47.05\"><time>2022-05-01T00:00:00Z</time></trkpt>"
                      "<trkpt lat=\"39.96\" lon=\"47.06\"><time>2022-05-01T00:01:00Z</time></trkpt>"
                      "</trkseg></trk></gpx>");
    ASSERT_DEMINE(2,
                  "track.gpx: its first layer 'waypoints' holds no feature; 'tracks', 'track_points' do: "
                  "import one with --src-layer NAME",
                  "import db.gpkg --layer items track.gpx --set category=AP");
    dmtest_write_file(dmtest_path("none.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    char *before = db_state();
    ASSERT_DEMINE(0, "none.geojson: no features to import", "import db.gpkg --layer items none.geojson");
    char *after = db_state();
    ASSERT_STREQ(after, before);
    free(after);
    free(before);
    ASSERT_DEMINE(0, "0 errors", "check none.geojson --layer items");
}

static const char *polygon_file(const char *ring)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"ref\":\"H-1\","
             "\"hazard_type\":\"SHA\",\"status\":\"open\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
             "[%s]}}]}",
             ring);
    return buf;
}

/* A polygon ring of two points, or one not closed, was refused as "bad WKB:
 * IllegalArgumentException: ..."; now the ring and what is wrong are named
 * (and --repair closes a ring left open); a NaN vertex is named as such, not
 * offered to --repair */
TEST(polygon_rings_that_are_no_rings_are_named)
{
    make_db();
    char *before = db_state();
    dmtest_write_file(dmtest_path("two.geojson"), polygon_file("[[47.05,39.95],[47.06,39.95]]"));
    ASSERT_DEMINE(4, "two.geojson: feature 1 H-1: geometry: the outline, ring 1 of polygon 1 has 2 points: a ring "
                     "needs three corners or more",
                  "import db.gpkg --layer hazards two.geojson");
    dmtest_write_file(dmtest_path("open.geojson"), polygon_file("[[47.05,39.95],[47.06,39.95],[47.06,39.96],[47.05,39.96]]"));
    ASSERT_DEMINE(4,
                  "open.geojson: feature 1 H-1: geometry: the outline, ring 1 of polygon 1 is not closed: its last "
                  "point (47.05 39.96) is not its first (47.05 39.95); --repair closes it",
                  "import db.gpkg --layer hazards open.geojson");
    ASSERT_DEMINE(4, "ring 1 of polygon 1 is not closed", "check open.geojson --layer hazards");
    dmtest_write_file(dmtest_path("nan.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                                     "\"properties\":{\"ref\":\"H-2\",\"hazard_type\":\"SHA\",\"status\":\"open\"},"
                                     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.05,39.95],[NaN,39.95],"
                                     "[47.06,39.96],[47.05,39.95]]]}}]}");
    ASSERT_DEMINE(4, "nan.geojson: feature 1 H-2: geometry: vertex 2 is (nan 39.95): a coordinate that is no number",
                  "import db.gpkg --layer hazards nan.geojson --repair");
    char *after = db_state();
    ASSERT_STREQ(after, before);
    free(after);
    free(before);
    ASSERT_DEMINE(0, "imported 1 row", "import db.gpkg --layer hazards open.geojson --repair");
}

/* risk map --evidence read a CSV row's value past the header's columns as
 * nothing, and a NUL byte cut a coordinate short (39.9\0 5 read as 39.9):
 * refused as import refuses them */
TEST(evidence_csv_read_as_import_reads_it)
{
    make_db();
    dmtest_write_file(dmtest_path("ev.csv"), "kind,date,lon,lat\n"
                                "item,2022-05-01,47.05,39.95\n"
                                "item,2022-05-01,47.06,39.95,x\n");
    ASSERT_DEMINE(2, "ev.csv: feature 2 (line 3) has a value in column 5, but the header names 4 columns",
                  "risk map db.gpkg --out r.tif --evidence ev.csv");
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
}

/* A risk map's --aoi with a ring not closed said "bad WKB:
 * IllegalArgumentException ..."; now what is wrong, in plain words. */
TEST(risk_aoi_ring_not_closed_is_said_plainly)
{
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"kind\":\"item\",\"date\":\"2012\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                      "[46.92,39.92]}}]}");
    dmtest_write_file(dmtest_path("aoi.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.96,39.9],"
                      "[46.96,39.96],[46.9,39.96]]]}}]}");
    ASSERT_DEMINE(4, "aoi.geojson: feature 1: geometry: a polygon ring is not closed: its last point is not its first",
                  "risk map --evidence ev.geojson --aoi aoi.geojson --cell 50 --out r.tif");
    char *out = NULL;
    dmtest_demine(&out, "risk map --evidence ev.geojson --aoi aoi.geojson --cell 50 --out r.tif");
    ASSERT(out && !strstr(out, "WKB"));
    free(out);
    ASSERT(access(dmtest_path("r.tif"), F_OK) != 0);
}

/* Evidence given to the risk map: a kind with a spreadsheet's stray spaces
 * (" ITEM ") is the kind; a polygon whose ring crosses itself is refused
 * naming the feature and where, as in an AOI, not mapped one way or another;
 * a covariate that is a pipe is refused rather than waited on. */
TEST(risk_evidence_kinds_trimmed_crossing_polygons_and_pipe_covariates)
{
    const char *aoi = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.96,39.9],"
                      "[46.96,39.96],[46.9,39.96],[46.9,39.9]]]}}]}";
    dmtest_write_file(dmtest_path("aoi.geojson"), aoi);
    dmtest_write_file(dmtest_path("ev.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"kind\":\" ITEM \",\"date\":\"2012\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                      "[46.92,39.92]}}]}");
    ASSERT_DEMINE(0, "1 evidence item", "risk map --evidence ev.geojson --aoi aoi.geojson --cell 50 --out r.tif");
    dmtest_write_file(dmtest_path("bow.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"kind\":\"item\",\"date\":\"2012\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                      "[46.92,39.92]}},{\"type\":\"Feature\",\"properties\":{\"kind\":\"suspected\",\"date\":\"2012\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.95,39.95],[46.95,39.9],"
                      "[46.9,39.95],[46.9,39.9]]]}}]}");
    ASSERT_DEMINE(4, "bow.geojson: feature 2: not a valid polygon (Self-intersection near 46.925000, 39.925000)",
                  "risk map --evidence bow.geojson --aoi aoi.geojson --cell 50 --out r2.tif");
    ASSERT(access(dmtest_path("r2.tif"), F_OK) != 0);
    ASSERT_EQ(mkfifo(dmtest_path("elev.tif"), 0600), 0);
    const char *bin = getenv("DEMINE_BIN");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "timeout 30 '%s' risk map --evidence ev.geojson --aoi aoi.geojson --cell 50 "
                              "--covariate elev=elev.tif --out r3.tif 2>&1",
                        bin ? bin : "demine"),
              2);
    ASSERT_CONTAINS(out, "covariate 'elev': elev.tif: not a file but a pipe (FIFO)");
    free(out);
}
