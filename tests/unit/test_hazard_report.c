/* SPDX-License-Identifier: MIT
 *
 * test_hazard_report.c -- `demine report DB --hazard REF`
 * (dm_report_hazard): the completion report and handover certificate of one
 * hazard of a small database made here. Its PDF is read back with pdfinfo
 * (pages) and pdftotext: the turning points are the polygon's vertices in
 * degrees and in UTM metres, the land estimated is the land cancelled,
 * reduced, cleared and remaining, the quality control inspection that found
 * an item failed, the accident near the hazard is listed and the far one
 * not; a hazard not released gets a DRAFT certificate saying what remains;
 * an unknown hazard is refused naming it and the refs close to it, and a
 * file neither .pdf nor .html is refused. The same report as one HTML page
 * (--out FILE.html): the same turning points and areas in HTML tables, the
 * map an embedded PNG, the hazard's name escaped, the DRAFT notice only
 * while the hazard is not released.
 */
#include "dmtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HZ-1: five vertices, released by a cancelled west half (NTS-1) and a
 * cleared east half (CL-1, 3 items found, checked by QC-1, which found one
 * more); closed, then handed over. HZ-2: open, a reduced strip. */
static const double hz1[5][2] = {
    {47.000000, 40.000000}, {47.004000, 40.000000}, {47.004500, 40.002100}, {47.004000, 40.004000},
    {47.000000, 40.004000}};

static const char *hazards_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"HZ-1\",\"name\":\"North field\",\"hazard_type\":\"CHA\","
    "\"district\":\"Fuzuli\",\"settlement\":\"Alkhanli\",\"reported_date\":\"2021-04-01\",\"ordnance\":\"AP\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.0,40.0],[47.004,40.0],[47.0045,40.0021],"
    "[47.004,40.004],[47.0,40.004],[47.0,40.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"HZ-2\",\"hazard_type\":\"SHA\",\"reported_date\":\"2021-05-01\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.01,40.0],[47.013,40.0],[47.013,40.003],"
    "[47.01,40.003],[47.01,40.0]]]}}]}";

static const char *activities_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"NTS-1\",\"activity_type\":\"nts\",\"organisation\":\"ANAMA\","
    "\"hazard_id\":\"HZ-1\",\"start_date\":\"2022-03-01\",\"end_date\":\"2022-03-05\",\"method\":\"interview\","
    "\"area_cancelled_ha\":17.1},\"geometry\":null},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"CL-1\",\"activity_type\":\"clearance\",\"organisation\":"
    "\"Demining Co\",\"hazard_id\":\"HZ-1\",\"start_date\":\"2022-04-01\",\"end_date\":\"2022-06-30\",\"method\":"
    "\"manual\",\"area_cleared_ha\":18.8},\"geometry\":null},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"TS-2\",\"activity_type\":\"ts\",\"organisation\":\"ANAMA\","
    "\"hazard_id\":\"HZ-2\",\"start_date\":\"2022-05-01\"},\"geometry\":null}]}";

static const char *qc_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"QC-1\",\"activity_type\":\"qc\",\"organisation\":\"ANAMA QA\","
    "\"inspects_id\":\"CL-1\",\"start_date\":\"2022-07-10\",\"end_date\":\"2022-07-11\"},\"geometry\":null}]}";

static const char *release_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"HZ-1\",\"activity_id\":\"NTS-1\",\"outcome\":"
    "\"cancelled\",\"date\":\"2022-03-05\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[47.0,40.0],[47.002,40.0],[47.002,40.004],[47.0,40.004],[47.0,40.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"HZ-1\",\"activity_id\":\"CL-1\",\"outcome\":\"cleared\","
    "\"date\":\"2022-06-30\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[47.002,40.0],[47.004,40.0],[47.0045,40.0021],[47.004,40.004],[47.002,40.004],[47.002,40.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"HZ-2\",\"activity_id\":\"TS-2\",\"outcome\":\"reduced\","
    "\"date\":\"2022-05-20\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[47.01,40.0],[47.011,40.0],[47.011,40.003],[47.01,40.003],[47.01,40.0]]]}}]}";

static const char *items_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"model\":\"PMN-2\",\"fate\":\"destroyed_in_situ\","
    "\"hazard_id\":\"HZ-1\",\"activity_id\":\"CL-1\",\"quantity\":2},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.003,40.001]}},"
    "{\"type\":\"Feature\",\"properties\":{\"category\":\"AP\",\"model\":\"PMN-2\",\"fate\":\"destroyed_in_situ\","
    "\"hazard_id\":\"HZ-1\",\"activity_id\":\"CL-1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.0032,40.0015]}},"
    "{\"type\":\"Feature\",\"properties\":{\"category\":\"UXO\",\"model\":\"VOG-17\",\"fate\":\"removed\","
    "\"hazard_id\":\"HZ-1\",\"activity_id\":\"QC-1\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.0035,40.003]}}]}";

/* ACC-1 40 m east of HZ-1's vertex 2, ACC-FAR 1 km away */
static const char *accidents_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"ACC-1\",\"date\":\"2020-08-01\",\"device\":\"PMN-2\","
    "\"killed\":1,\"injured\":2},\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.00447,40.0002]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"ACC-FAR\",\"date\":\"2020-09-01\",\"killed\":0,\"injured\":1},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[47.02,40.01]}}]}";

static const char *make_db(void)
{
    static char db[1024];
    snprintf(db, sizeof db, "%s", dmtest_path("hr.gpkg"));
    const struct {
        const char *layer, *name, *text;
    } files[] = {{"hazards", "h.geojson", hazards_geojson},           {"activities", "a.geojson", activities_geojson},
                 {"activities", "q.geojson", qc_geojson},             {"release_areas", "r.geojson", release_geojson},
                 {"items", "i.geojson", items_geojson},               {"accidents", "c.geojson", accidents_geojson}};
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        dmtest_write_file(dmtest_path(files[i].name), files[i].text);
        ASSERT_DEMINE(0, "imported", "import '%s' --layer %s '%s'", db, files[i].layer, dmtest_path(files[i].name));
    }
    ASSERT_DEMINE(0, NULL, "status '%s' HZ-1 partly_released --date 2022-03-05 --reason 'cancelled by NTS-1'", db);
    ASSERT_DEMINE(0, NULL, "status '%s' HZ-1 closed --date 2022-07-15 --reason 'cleared by CL-1'", db);
    ASSERT_DEMINE(0, NULL, "status '%s' HZ-1 handed_over --date 2022-08-01 --reason 'handed to Alkhanli'", db);
    return db;
}

static int pdf_pages(const char *pdf)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pdfinfo '%s'", pdf), 0);
    const char *p = strstr(out, "Pages:");
    ASSERT_MSG(p, "pdfinfo gave no page count: %s", out);
    int n = (int)strtol(p + 6, NULL, 10);
    free(out);
    return n;
}

/* The PDF's text, its layout kept (one table row a line). */
__attribute__((noinline)) static char *pdf_text(const char *pdf)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", pdf), 0);
    return out;
}

/* The line of text starting (after blanks) with the word w, from p on; its
 * copy in line (n bytes), or NULL. */
__attribute__((noinline)) static const char *line_starting(const char *text, const char *w, char *line, size_t n)
{
    size_t lw = strlen(w);
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (q < p + len && *q == ' ')
            q++;
        if ((size_t)(p + len - q) >= lw && !strncmp(q, w, lw) && (q[lw] == ' ' || q + lw == p + len)) {
            snprintf(line, n, "%.*s", (int)len, p);
            return line;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

/* The first number after label on its line. */
__attribute__((noinline)) static double figure(const char *text, const char *label)
{
    const char *p = strstr(text, label);
    ASSERT_MSG(p, "no '%s' in the report", label);
    p += strlen(label);
    while (*p && *p != '\n' && !(*p >= '0' && *p <= '9') && *p != '-')
        p++;
    ASSERT_MSG(*p && *p != '\n', "no figure after '%s'", label);
    return strtod(p, NULL);
}

/* The square metres on the line of label: the number after its hectares,
 * its thousands separated by commas. */
__attribute__((noinline)) static double square_metres(const char *text, const char *label)
{
    const char *p = strstr(text, label);
    ASSERT_MSG(p, "no '%s' in the report", label);
    p = strchr(p + strlen(label), '.'); /* the hectares' decimals */
    ASSERT(p);
    p += 3;
    while (*p == ' ')
        p++;
    double v = 0;
    for (; *p && *p != ' ' && *p != '\n'; p++)
        if (*p >= '0' && *p <= '9')
            v = v * 10 + (*p - '0');
    return v;
}

TEST(hazard_report_released_hazard_certificate)
{
    const char *db = make_db();
    const char *pdf = dmtest_path("hz1.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --hazard hz-1 --out '%s' --date 2026-11-20", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    ASSERT_CONTAINS(out, "hazard report of HZ-1 written to");
    ASSERT_CONTAINS(out, "3 pages");
    ASSERT_MSG(!strstr(out, "DRAFT"), "a handed-over hazard's certificate is no draft: %s", out);
    free(out);
    /* the map and figures, the sections, the certificate */
    ASSERT_EQ(pdf_pages(pdf), 3);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Hazard completion report: HZ-1");
    ASSERT_CONTAINS(t, "North field");
    ASSERT_CONTAINS(t, "handed over since 2022-08-01");
    ASSERT_CONTAINS(t, "Report date 2026-11-20");
    ASSERT_CONTAINS(t, "UTM zone 38N (EPSG:32638)");
    ASSERT_CONTAINS(t, "Handover certificate");
    ASSERT_CONTAINS(t, "For the national authority (quality assurance)");
    ASSERT_CONTAINS(t, "For the local authority / land user");
    ASSERT_MSG(!strstr(t, "DRAFT"), "DRAFT on a handed-over hazard's report");
    ASSERT_MSG(!strstr(t, "Not accounted"), "land not accounted for where the release areas cover it all");

    /* turning points: the polygon's vertices, numbered in order, in degrees
     * and in UTM zone 38N */
    dm_ctx *ctx = dmtest_ctx();
    dm_transform *tr = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32638", &tr));
    char line[512], no[16], want[64];
    const char *tps = strstr(t, "Easting (m)"); /* the table, not the map's labels */
    ASSERT_MSG(tps, "no table of turning points");
    for (int i = 0; i < 5; i++) {
        snprintf(no, sizeof no, "%d", i + 1);
        ASSERT_MSG(line_starting(tps, no, line, sizeof line), "no turning point %d in:\n%.3000s", i + 1, t);
        snprintf(want, sizeof want, "%.6f", hz1[i][1]);
        ASSERT_MSG(strstr(line, want), "turning point %d: latitude %s not in '%s'", i + 1, want, line);
        snprintf(want, sizeof want, "%.6f", hz1[i][0]);
        ASSERT_MSG(strstr(line, want), "turning point %d: longitude %s not in '%s'", i + 1, want, line);
        double e = hz1[i][0], n = hz1[i][1];
        ASSERT_OK(dm_transform_xy(tr, &e, &n, 1));
        snprintf(want, sizeof want, "%.1f", e);
        ASSERT_MSG(strstr(line, want), "turning point %d: easting %s not in '%s'", i + 1, want, line);
        snprintf(want, sizeof want, "%.1f", n);
        ASSERT_MSG(strstr(line, want), "turning point %d: northing %s not in '%s'", i + 1, want, line);
    }
    dm_transform_free(tr);
    ASSERT_MSG(!line_starting(tps, "6", line, sizeof line), "a sixth turning point of a five-vertex polygon: %s", line);

    /* the land adds up: estimated = cancelled + reduced + cleared + remaining */
    double est = figure(t, "Estimated (the hazard's area)"), canc = figure(t, "Cancelled by non-technical survey"),
           red = figure(t, "Reduced by technical survey"), clr = figure(t, "Cleared  "),
           rem = figure(t, "Remaining (as recorded)");
    ASSERT_MSG(est > 14 && est < 18, "estimate %.2f ha", est);
    ASSERT_MSG(canc > 7 && clr > 7, "cancelled %.2f, cleared %.2f", canc, clr);
    ASSERT_NEAR(red, 0, 1e-9);
    ASSERT_NEAR(rem, 0, 1e-9);
    ASSERT_NEAR(est, canc + red + clr + rem, 0.011);
    /* in square metres too: 10 000 times the hectares, to rounding */
    ASSERT_CONTAINS(t, "square metres");
    double m2 = square_metres(t, "Estimated (the hazard's area)");
    ASSERT_NEAR(m2, est * 10000, 51);
    /* activities, the inspection that found a missed item, the finds */
    ASSERT_CONTAINS(t, "NTS-1");
    ASSERT_CONTAINS(t, "Demining Co");
    ASSERT_MSG(line_starting(t, "QC-1", line, sizeof line), "no inspection row");
    ASSERT_MSG(strstr(line, "CL-1") && strstr(line, "failed"), "QC-1 row: '%s'", line);
    ASSERT_CONTAINS(t, "4 items found at 3 points");
    ASSERT_MSG(line_starting(strstr(t, "Items found"), "AP", line, sizeof line) && strstr(line, "PMN-2") && strstr(line, " 3"),
               "items by model: '%s'", line);
    /* the accident 40 m away, not the one 1 km away */
    ASSERT_MSG(line_starting(t, "ACC-1", line, sizeof line), "no accident ACC-1 in:\n%.4000s", t);
    ASSERT_MSG(strstr(line, "2020-08-01") && strstr(line, " m"), "accident row: '%s'", line);
    ASSERT_MSG(!strstr(t, "ACC-FAR"), "an accident 1 km away listed");
    /* residual risk and life cycle */
    ASSERT_CONTAINS(t, "No risk map");
    ASSERT_CONTAINS(t, "cleared by CL-1");
    ASSERT_CONTAINS(t, "handed to Alkhanli");
    free(t);
}

TEST(hazard_report_draft_when_not_released)
{
    const char *db = make_db();
    const char *pdf = dmtest_path("hz2.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --hazard HZ-2 --out '%s' --lang both", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    ASSERT_CONTAINS(out, "the certificate is a DRAFT");
    free(out);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "DRAFT - hazard not released");
    ASSERT_CONTAINS(t, "What remains:");
    ASSERT_CONTAINS(t, "open activities: TS-2 (ts)");
    /* the Azerbaijani texts beside the English */
    ASSERT_CONTAINS(t, "Təhvil-təslim aktı");
    /* remaining computed from the release area, and its outline given */
    double est = figure(t, "Estimated (the hazard's area)"), red = figure(t, "Reduced by technical survey"),
           rem = figure(t, "Remaining (estimate less land released)");
    ASSERT_MSG(red > 2.5 && red < 3.2, "reduced %.2f", red);
    ASSERT_NEAR(est, red + rem, 0.011);
    ASSERT_CONTAINS(t, "The land remaining: the hazard's polygon less the release areas");
    char line[512];
    ASSERT_MSG(line_starting(strstr(t, "The land remaining:"), "R1", line, sizeof line),
               "no remaining turning point R1");
    free(t);
    /* the certificate in Azerbaijani alone */
    ASSERT_DEMINE(0, "DRAFT", "report '%s' --hazard HZ-2 --out '%s' --lang az --force", db, pdf);
    t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Təhvil-təslim aktı");
    ASSERT_CONTAINS(t, "LAYİHƏ - ərazi azad edilməyib");
    ASSERT_CONTAINS(t, "Qalan:");
    ASSERT_MSG(!strstr(t, "Handover certificate"), "English certificate title with --lang az");
    free(t);
}

/* A long list of activities continues on the next page under its header,
 * and the certificate stays the last page. */
TEST(hazard_report_long_tables_continue_on_the_next_page)
{
    const char *db = make_db();
    size_t cap = 80 * 400, o = 0;
    char *gj = malloc(cap);
    ASSERT(gj);
    o += (size_t)snprintf(gj + o, cap - o, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 80; i++)
        o += (size_t)snprintf(gj + o, cap - o,
                              "%s{\"type\":\"Feature\",\"properties\":{\"ref\":\"EOD-%02d\",\"activity_type\":"
                              "\"eod\",\"organisation\":\"Team %d\",\"hazard_id\":\"HZ-2\",\"start_date\":"
                              "\"2022-06-%02d\"},\"geometry\":null}",
                              i ? "," : "", i, i, i % 28 + 1);
    snprintf(gj + o, cap - o, "]}");
    dmtest_write_file(dmtest_path("eod.geojson"), gj);
    free(gj);
    ASSERT_DEMINE(0, "imported 80 rows", "import '%s' --layer activities '%s'", db, dmtest_path("eod.geojson"));
    const char *pdf = dmtest_path("long.pdf");
    ASSERT_DEMINE(0, "written", "report '%s' --hazard HZ-2 --out '%s'", db, pdf);
    int pages = pdf_pages(pdf);
    ASSERT_MSG(pages >= 4, "81 activities on %d pages", pages);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Activities (continued)");
    ASSERT_CONTAINS(t, "EOD-00");
    ASSERT_CONTAINS(t, "EOD-79");
    free(t);
    char *last = NULL;
    ASSERT_EQ(dmtest_sh(&last, "pdftotext -f %d -l %d '%s' -", pages, pages, pdf), 0);
    ASSERT_CONTAINS(last, "Handover certificate");
    ASSERT_CONTAINS(last, "and 73 more");
    ASSERT_MSG(!strstr(last, "Team 7"), "the activities table on the certificate's page");
    free(last);
}

TEST(hazard_report_refuses_unknown_hazard_and_other_files)
{
    const char *db = make_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --hazard HZ-9 --out '%s'", db, dmtest_path("x.pdf"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "no hazard with ref or id 'HZ-9'");
    ASSERT_CONTAINS(out, "did you mean HZ-1, HZ-2");
    free(out);
    ASSERT_MSG(dmtest_sh(&out, "test -e '%s'", dmtest_path("x.pdf")) != 0, "a file written for an unknown hazard");
    free(out);
    ASSERT_DEMINE(2, "--hazard writes a printable A4 PDF or one HTML page: name the file .pdf or .html, not",
                  "report '%s' --hazard HZ-1 --out '%s'", db, dmtest_path("x.txt"));
    ASSERT_DEMINE(2, "--public does not go with --hazard", "report '%s' --hazard HZ-1 --public", db);
    ASSERT_DEMINE(2, "--lang is en, az or both", "report '%s' --hazard HZ-1 --lang fr", db);
    ASSERT_DEMINE(2, "--lang needs --public or --hazard", "report '%s' --lang az", db);
    /* by default beside the database; a file of the user's only with --force */
    ASSERT_DEMINE(0, "hr-hazard-HZ-1.pdf", "report '%s' --hazard hz-1", db);
    dmtest_write_file(dmtest_path("mine.pdf"), "not a report");
    ASSERT_DEMINE(2, "give --force to replace it", "report '%s' --hazard HZ-1 --out '%s'", db,
                  dmtest_path("mine.pdf"));
    ASSERT_DEMINE(0, "written", "report '%s' --hazard HZ-1 --out '%s' --force", db, dmtest_path("mine.pdf"));
    ASSERT_DEMINE(0, "--hazard REF", "report --help");
}

/* The number in the HTML table cell after the row's first cell label. */
__attribute__((noinline)) static double html_cell(const char *html, const char *label)
{
    char td[200];
    snprintf(td, sizeof td, "<td>%s</td><td class=\"r\">", label);
    const char *p = strstr(html, td);
    ASSERT_MSG(p, "no row '%s' in the HTML table", label);
    return strtod(p + strlen(td), NULL);
}

TEST(hazard_report_html_page)
{
    const char *db = make_db();
    /* a name no page may take as markup */
    ASSERT_DEMINE(0, NULL, "edit '%s' HZ-1 'name=<script>alert(1)</script> & \"North\"' --reason test", db);
    const char *html = dmtest_path("hz1.html");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --hazard hz-1 --out '%s' --date 2026-11-20", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    ASSERT_CONTAINS(out, "hazard report of HZ-1 written to");
    ASSERT_CONTAINS(out, "one HTML page");
    ASSERT_MSG(!strstr(out, "DRAFT"), "a handed-over hazard's certificate is no draft: %s", out);
    free(out);
    char *t = dmtest_read_file(html);
    ASSERT(t);
    ASSERT_MSG(!strncmp(t, "<!DOCTYPE html>", 15), "not an HTML page: %.60s", t);
    ASSERT_CONTAINS(t, "<meta name=\"generator\" content=\"demine ");
    ASSERT_CONTAINS(t, "<h1>Hazard completion report: HZ-1</h1>");
    ASSERT_CONTAINS(t, "Report date</th><td>2026-11-20</td>");
    /* the name escaped, in the header and on the certificate; no script,
     * nothing fetched from elsewhere */
    ASSERT_CONTAINS(t, "<p class=\"name\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;North&quot;</p>");
    ASSERT_CONTAINS(t, "<td>HZ-1 - &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;North&quot; (CHA)</td>");
    ASSERT_MSG(!strstr(t, "<script"), "a <script> in the page");
    ASSERT_MSG(!strstr(t, "src=\"http") && !strstr(t, "<link"), "the page fetches something");
    /* the map: one embedded PNG of some size */
    const char *img = strstr(t, "<img ");
    ASSERT_MSG(img, "no image");
    ASSERT_MSG(!strstr(img + 1, "<img "), "more than one image");
    const char *src = strstr(img, "src=\"data:image/png;base64,iVBORw0KGgo"); /* the PNG signature */
    ASSERT_MSG(src, "the map is not an embedded PNG: %.200s", img);
    src += strlen("src=\"data:image/png;base64,");
    const char *end = strchr(src, '"');
    ASSERT_MSG(end && end - src > 20000, "a map of %ld bytes of base64", end ? (long)(end - src) : -1L);
    /* the turning points, a row each: number, degrees, UTM metres */
    dm_ctx *ctx = dmtest_ctx();
    dm_transform *tr = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:4326", "EPSG:32638", &tr));
    for (int i = 0; i < 5; i++) {
        double e = hz1[i][0], n = hz1[i][1];
        ASSERT_OK(dm_transform_xy(tr, &e, &n, 1));
        char row[300];
        snprintf(row, sizeof row,
                 "<tr><td>%d</td><td class=\"r\">%.6f</td><td class=\"r\">%.6f</td><td class=\"r\">%.1f</td>"
                 "<td class=\"r\">%.1f</td>",
                 i + 1, hz1[i][1], hz1[i][0], e, n);
        ASSERT_MSG(strstr(t, row), "no turning point row %s", row);
    }
    dm_transform_free(tr);
    ASSERT_MSG(!strstr(t, "<tr><td>6</td>"), "a sixth turning point of a five-vertex polygon");
    /* the land adds up, as in the PDF */
    double est = html_cell(t, "Estimated (the hazard's area)"), canc = html_cell(t, "Cancelled by non-technical survey"),
           red = html_cell(t, "Reduced by technical survey"), clr = html_cell(t, "Cleared"),
           rem = html_cell(t, "Remaining (as recorded)");
    ASSERT_MSG(est > 14 && est < 18, "estimate %.2f ha", est);
    ASSERT_MSG(canc > 7 && clr > 7, "cancelled %.2f, cleared %.2f", canc, clr);
    ASSERT_NEAR(red, 0, 1e-9);
    ASSERT_NEAR(rem, 0, 1e-9);
    ASSERT_NEAR(est, canc + red + clr + rem, 0.011);
    ASSERT_CONTAINS(t, "<th class=\"r\">square metres</th>");
    /* the other sections as tables */
    ASSERT_CONTAINS(t, "<tr><td>QC-1</td><td>CL-1</td>");
    ASSERT_CONTAINS(t, "4 items found at 3 points.");
    ASSERT_CONTAINS(t, "<tr><td>ACC-1</td><td>2020-08-01</td>");
    ASSERT_MSG(!strstr(t, "ACC-FAR"), "an accident 1 km away listed");
    ASSERT_CONTAINS(t, "handed to Alkhanli");
    /* the certificate, printed on a page of its own, naming no page */
    const char *cert = strstr(t, "<section class=\"cert\">");
    ASSERT_MSG(cert, "no certificate section");
    ASSERT_CONTAINS(t, ".cert{position:relative;overflow:hidden;break-before:page;page-break-before:always");
    ASSERT_CONTAINS(cert, "Handover certificate");
    ASSERT_CONTAINS(cert, "bounded by the turning points listed in this report");
    ASSERT_CONTAINS(cert, "For the national authority (quality assurance)");
    ASSERT_MSG(!strstr(cert, "page 2"), "the certificate names a page of the PDF");
    ASSERT_MSG(!strstr(t, "DRAFT"), "DRAFT on a handed-over hazard's page");
    free(t);
    /* run again: its own page replaced; a page of the user's kept */
    ASSERT_DEMINE(0, "one HTML page", "report '%s' --hazard HZ-1 --out '%s'", db, html);
    dmtest_write_file(dmtest_path("mine.html"), "<html>notes</html>");
    ASSERT_DEMINE(2, "give --force to replace it", "report '%s' --hazard HZ-1 --out '%s'", db,
                  dmtest_path("mine.html"));

    /* an open hazard: the page and its certificate say DRAFT and what
     * remains; with --lang az the certificate is in Azerbaijani alone */
    html = dmtest_path("hz2.html");
    ASSERT_DEMINE(0, "the certificate is a DRAFT", "report '%s' --hazard HZ-2 --out '%s' --lang az", db, html);
    t = dmtest_read_file(html);
    ASSERT(t);
    ASSERT_CONTAINS(t, "<p class=\"draft\">DRAFT - hazard not released</p>");
    cert = strstr(t, "<section class=\"cert\" lang=\"az\">");
    ASSERT_MSG(cert, "no certificate section in Azerbaijani");
    ASSERT_CONTAINS(cert, "<div class=\"wm\" aria-hidden=\"true\">LAYİHƏ</div>");
    ASSERT_CONTAINS(cert, "Təhvil-təslim aktı");
    ASSERT_CONTAINS(cert, "LAYİHƏ - ərazi azad edilməyib");
    ASSERT_CONTAINS(cert, "Qalan:");
    ASSERT_CONTAINS(cert, "açıq fəaliyyətlər: TS-2 (ts)");
    ASSERT_MSG(!strstr(t, "Handover certificate"), "English certificate title with --lang az");
    double e2 = html_cell(t, "Estimated (the hazard's area)"), r2 = html_cell(t, "Reduced by technical survey"),
           m2 = html_cell(t, "Remaining (estimate less land released)");
    ASSERT_MSG(r2 > 2.5 && r2 < 3.2, "reduced %.2f", r2);
    ASSERT_NEAR(e2, r2 + m2, 0.011);
    ASSERT_CONTAINS(t, "<tr><td>R1</td>");
    free(t);
    /* in English: the notice and what remains */
    ASSERT_DEMINE(0, "DRAFT", "report '%s' --hazard HZ-2 --out '%s' --force", db, html);
    t = dmtest_read_file(html);
    ASSERT(t);
    cert = strstr(t, "<section class=\"cert\">");
    ASSERT_MSG(cert, "no certificate section");
    ASSERT_CONTAINS(cert, "<div class=\"wm\" aria-hidden=\"true\">DRAFT</div>");
    ASSERT_CONTAINS(cert, "<p class=\"draft\">DRAFT - hazard not released</p>");
    ASSERT_CONTAINS(cert, "What remains:");
    free(t);
}
