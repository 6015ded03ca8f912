/* SPDX-License-Identifier: MIT
 *
 * test_geom.c -- geometry helpers: GeoJSON, GeoPackage blobs, areas in
 * hectares, transforms, validity with the place of the fault.
 */
#include "dmtest.h"

TEST(geojson_rejects_malformed_geometries_without_crashing)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *bad[] = {
        "{\"type\":\"Point\",\"coordinates\":[]}",
        "{\"type\":\"LineString\",\"coordinates\":[[]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,4]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,4],[5,\"x\"],[1,2]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[]]]}",
        "{\"type\":\"Circle\",\"coordinates\":[1,2]}",
        "{\"type\":\"Point\"}",
        "[1,2]",
        "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinates\":[]}]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dm_geom *g = NULL;
        ASSERT_STATUS(DM_EPARSE, dm_geom_from_geojson(ctx, bad[i], &g));
        ASSERT(g == NULL);
    }
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_geojson(
        ctx, "{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.91,39.9],[46.91,39.91],[46.9,39.9]]]}",
        &g));
    ASSERT_EQ(dm_geom_type_of(g), DM_GEOM_POLYGON);
    char *js = NULL;
    ASSERT_OK(dm_geom_to_geojson(ctx, g, &js));
    ASSERT_CONTAINS(js, "\"Polygon\"");
    dm_free(ctx, js);
    dm_geom_free(g);
}

TEST(gpkg_blob_round_trip_and_envelope)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_geom *g = NULL, *back = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "LINESTRING (46.9 39.9, 47.0 40.1)", &g));
    unsigned char *blob = NULL;
    size_t len = 0;
    ASSERT_OK(dm_geom_to_gpkg(ctx, g, 4326, &blob, &len));
    double env[4];
    ASSERT(dm_gpkg_envelope(blob, len, env));
    ASSERT_NEAR(env[0], 46.9, 1e-12); /* minx, maxx, miny, maxy */
    ASSERT_NEAR(env[1], 47.0, 1e-12);
    ASSERT_NEAR(env[2], 39.9, 1e-12);
    ASSERT_NEAR(env[3], 40.1, 1e-12);
    ASSERT_OK(dm_geom_from_gpkg(ctx, blob, len, &back));
    ASSERT_NEAR(dm_geom_length(back), dm_geom_length(g), 1e-12);
    dm_geom_free(back);
    ASSERT_STATUS(DM_EPARSE, dm_geom_from_gpkg(ctx, (const unsigned char *)"XX", 2, &back));
    ASSERT(back == NULL);
    dm_free(ctx, blob);
    dm_geom_free(g);
}

TEST(areas_in_hectares_and_utm_zone)
{
    dm_ctx *ctx = dmtest_ctx();
    ASSERT_EQ(dm_utm_epsg(46.9, 39.9), 32638);
    ASSERT_EQ(dm_utm_epsg(-75.0, 6.0), 32618);
    ASSERT_EQ(dm_utm_epsg(-75.0, -6.0), 32718);
    /* a 100 m x 100 m square built in UTM 38N is 1 ha back in WGS 84 */
    dm_transform *to = NULL, *back = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32638", "EPSG:4326", &to));
    double xy[] = {600000, 4420000, 600100, 4420000, 600100, 4420100, 600000, 4420100};
    dm_geom *u = NULL, *w = NULL;
    ASSERT_OK(dm_geom_polygon(ctx, xy, 4, &u));
    ASSERT_OK(dm_geom_transform(ctx, to, u, &w));
    double ha = 0, m = 0;
    ASSERT_OK(dm_geom_area_ha(ctx, w, &ha));
    ASSERT_NEAR(ha, 1.0, 1e-4);
    ASSERT_OK(dm_geom_length_m(ctx, w, &m));
    ASSERT_NEAR(m, 400.0, 0.01);
    ASSERT_STATUS(DM_EPROJ, dm_transform_new(ctx, "EPSG:999999", "EPSG:4326", &back));
    dm_geom_free(u);
    dm_geom_free(w);
    dm_transform_free(to);
}

TEST(grid_crs_must_count_in_metres)
{
    dm_ctx *ctx = dmtest_ctx();
    char n[64];
    ASSERT_OK(dm_crs_require_metres(ctx, "EPSG:32638", n, sizeof n));
    ASSERT_STREQ(n, "EPSG:32638");
    /* a name or a WKT of an EPSG CRS comes back as its code */
    ASSERT_OK(dm_crs_require_metres(ctx, "WGS 84 / UTM zone 38N", n, sizeof n));
    ASSERT_STREQ(n, "EPSG:32638");
    /* a PROJ string without +type=crs is still a CRS; kept as given */
    ASSERT_OK(dm_crs_require_metres(ctx, "+proj=utm +zone=38 +datum=WGS84", n, sizeof n));
    ASSERT_STREQ(n, "+proj=utm +zone=38 +datum=WGS84");
    ASSERT_STATUS(DM_EPROJ, dm_crs_require_metres(ctx, "EPSG:4326", n, sizeof n));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "degrees");
    ASSERT_STATUS(DM_EPROJ, dm_crs_require_metres(ctx, "EPSG:2227", n, sizeof n));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "foot");
    /* PROJ would read "foo" as part of "Amersfoort": refused */
    ASSERT_STATUS(DM_EPROJ, dm_crs_require_metres(ctx, "foo", n, sizeof n));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "unknown CRS 'foo'");
    ASSERT_STATUS(DM_EPROJ, dm_crs_require_metres(ctx, "EPSG:999999", NULL, 0));
}

TEST(validity_reports_where_the_fault_is_and_repairs)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_geom *g = NULL, *v = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))", &g));
    char why[128];
    double x = 0, y = 0;
    ASSERT(!dm_geom_is_valid(g, why, sizeof why, &x, &y));
    ASSERT_CONTAINS(why, "Self-intersection");
    ASSERT_NEAR(x, 1.0, 1e-9);
    ASSERT_NEAR(y, 1.0, 1e-9);
    ASSERT_OK(dm_geom_make_valid(ctx, g, &v));
    ASSERT(dm_geom_is_valid(v, NULL, 0, NULL, NULL));
    ASSERT_NEAR(dm_geom_area(v), 2.0, 1e-9);
    dm_geom_free(g);
    dm_geom_free(v);
}

TEST(dates_parse_and_reject_impossible_ones)
{
    char out[11];
    ASSERT(dm_date_parse("2012", out));
    ASSERT_STREQ(out, "2012-01-01");
    ASSERT(dm_date_parse("2021-03", out));
    ASSERT_STREQ(out, "2021-03-01");
    ASSERT(dm_date_parse("2020-02-29T10:00:00Z", out));
    ASSERT_STREQ(out, "2020-02-29");
    ASSERT(dm_date_parse("2022/05/04", out)); /* GDAL's form of date fields */
    ASSERT_STREQ(out, "2022-05-04");
    ASSERT(!dm_date_parse("2022/05-04", out));
    ASSERT(dm_date_parse("04/05/2022", out));
    ASSERT_STREQ(out, "2022-05-04");
    ASSERT(!dm_date_parse("2021-02-29", out));
    ASSERT(!dm_date_parse("2021-13-01", out));
    ASSERT(!dm_date_parse("yesterday", out));
    ASSERT(!dm_date_parse("20211", out));
    /* the end of a range: the last day of the year or month named */
    ASSERT(dm_date_parse_end("2012", out));
    ASSERT_STREQ(out, "2012-12-31");
    ASSERT(dm_date_parse_end("2024-02", out));
    ASSERT_STREQ(out, "2024-02-29");
    ASSERT(dm_date_parse_end("2023-02", out));
    ASSERT_STREQ(out, "2023-02-28");
    ASSERT(dm_date_parse_end("2023-06-15", out));
    ASSERT_STREQ(out, "2023-06-15");
    ASSERT(!dm_date_parse_end("2023-13", out));
    ASSERT(!dm_date_parse_end("yesterday", out));
    ASSERT_EQ(dm_date_days("1970-01-02"), 1);
    ASSERT_EQ(dm_date_days("2000-03-01") - dm_date_days("2000-02-28"), 2);
}

/* Trimming takes ASCII and Unicode spaces off both ends only; blank means
 * nothing else is left. */
TEST(text_trim_and_blank_know_unicode_spaces)
{
    char a[] = " \t\xc2\xa0 reason \xe3\x80\x80\n";
    ASSERT_STREQ(dm_text_trim(a), "reason");
    char b[] = "\xe2\x80\x89two words\xe2\x80\xaf";
    ASSERT_STREQ(dm_text_trim(b), "two words");
    char c[] = "r\xc3\xa9sum\xc3\xa9"; /* accents are not spaces */
    ASSERT_STREQ(dm_text_trim(c), "r\xc3\xa9sum\xc3\xa9");
    char d[] = "\xef\xbb\xbf \xe2\x80\x8b";
    ASSERT_STREQ(dm_text_trim(d), "");
    ASSERT(dm_text_trim(NULL) == NULL);
    ASSERT(dm_text_blank(NULL));
    ASSERT(dm_text_blank(""));
    ASSERT(dm_text_blank(" \xc2\xa0\t"));
    ASSERT(!dm_text_blank(" x "));
    ASSERT(!dm_text_blank("\xe2\x80\x90")); /* a hyphen (U+2010) is not a space */
}
