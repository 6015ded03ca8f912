/* SPDX-License-Identifier: MIT
 *
 * test_report.c -- the national report: the PDF is rendered page by page to
 * PNG with pdftoppm and the pixels are checked for real content (ink, the
 * status and route colours of the maps), its text with pdftotext; the HTML
 * page carries its embedded figures and tables; bad paths are refused; the
 * plan's cost at the teams' day rates stands beside the unit-rate cost, as
 * "unknown" when the plan could not cost it, and plans made before it still
 * render as they did.
 */
#include "dmtest.h"

#include "report/report_internal.h"

#include <cairo.h>
#include <jansson.h>
#include <unistd.h>

typedef struct ink {
    double ink;      /* share of non-white pixels */
    long red, green; /* pixels of the map's "open"/"clear" red and "cancel" green */
    long colour;     /* strongly coloured pixels of any hue */
} ink;

static ink page_ink(const char *png)
{
    ink k = {0};
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    ASSERT_MSG(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cannot read %s", png);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    long n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v = ((const uint32_t *)(px + (size_t)y * stride))[x];
            int r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
            if (r < 240 || g < 240 || b < 240)
                n++;
            if (r > 180 && g < 90 && b < 90)
                k.red++;
            if (g > 150 && r < 140 && b < 140)
                k.green++;
            int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
            int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
            if (mx - mn > 80)
                k.colour++;
        }
    k.ink = (double)n / ((double)w * h);
    cairo_surface_destroy(s);
    return k;
}

static void plan_prior(const char *db)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 20 --start 2026-01-05 "
                                 "--csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
}

TEST(report_pdf_pages_have_maps_charts_and_text)
{
    const char *db = dmtest_demo_db();
    plan_prior(db);
    const char *pdf = dmtest_path("report.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s' --date 2026-06-30", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    rc = dmtest_sh(&out, "pdfinfo '%s'", pdf);
    ASSERT_EQ(rc, 0);
    const char *pg = strstr(out, "Pages:");
    ASSERT(pg);
    ASSERT_EQ(strtol(pg + 6, NULL, 10), 4);
    free(out);
    rc = dmtest_sh(&out, "pdftoppm -r 40 -png '%s' '%s'", pdf, dmtest_path("pg"));
    ASSERT_EQ(rc, 0);
    free(out);
    ink k[4];
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "pg-%d.png", i + 1);
        k[i] = page_ink(dmtest_path(name));
        ASSERT_MSG(k[i].ink > 0.03, "page %d is nearly blank (%.3f ink)", i + 1, k[i].ink);
    }
    /* page 1: the status map shows open hazards in red */
    ASSERT_MSG(k[0].red > 200, "no open hazards drawn on page 1 (%ld red pixels)", k[0].red);
    /* page 2: no risk map here, so the colour is the plan map's routes */
    ASSERT_MSG(k[1].colour > 200, "no planned routes on page 2 (%ld)", k[1].colour);
    /* page 3: four charts with bars */
    ASSERT_MSG(k[2].ink > 0.08, "charts page too empty (%.3f)", k[2].ink);
    ASSERT_MSG(k[2].green > 200, "no bars on the charts page (%ld)", k[2].green);
    rc = dmtest_sh(&out, "pdftotext -layout '%s' -", pdf);
    ASSERT_EQ(rc, 0);
    ASSERT_CONTAINS(out, "National mine action status report");
    ASSERT_CONTAINS(out, "2026-06-30");
    ASSERT_CONTAINS(out, "Hazardous areas by status");
    ASSERT_CONTAINS(out, "Land released per year");
    ASSERT_CONTAINS(out, "Casualties per year");
    ASSERT_CONTAINS(out, "Status by district");
    ASSERT_CONTAINS(out, "Aghdam");
    ASSERT_CONTAINS(out, "First priorities of the plan");
    ASSERT_CONTAINS(out, "Clearing every suspected hectare");
    /* no risk map in this database: said so */
    ASSERT_CONTAINS(out, "no risk map yet");
    free(out);
}

/* An empty database (demine init): a report of zeros that says why the
 * maps are empty, not a blank frame. */
TEST(report_on_an_empty_database)
{
    const char *db = dmtest_path("empty.gpkg");
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    const char *pdf = dmtest_path("e.pdf");
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", pdf), 0);
    ASSERT_CONTAINS(out, "Hazardous areas: 0");
    ASSERT_CONTAINS(out, "no hazardous areas recorded");
    ASSERT_CONTAINS(out, "No land release plan yet");
    ASSERT_CONTAINS(out, "no risk map yet");
    /* no district: the table says none, not headings over no row */
    ASSERT_CONTAINS(out, "Status by district\nnone\n");
    ASSERT(!strstr(out, "remain ha"));
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("e.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *html = dmtest_read_file(dmtest_path("e.html"));
    ASSERT(html);
    ASSERT_CONTAINS(html, "<h2>Status by district</h2>\n<p>none</p>\n<h2>First priorities");
    ASSERT(!strstr(html, "<th>district</th>"));
    free(html);
    /* without --out: beside the database, named after it */
    rc = dmtest_demine(&out, "report '%s'", db);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    ASSERT_CONTAINS(out, "empty-report.pdf");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", dmtest_path("empty-report.pdf")), 0);
    ASSERT_CONTAINS(out, "Hazardous areas: 0");
    free(out);
    rc = dmtest_demine(&out, "report '%s' --public", db);
    ASSERT_MSG(rc == 0, "report --public failed: %s", out);
    ASSERT_CONTAINS(out, "empty-danger-map.pdf: 0 danger zones");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdfinfo '%s' | awk '/^Pages:/ {print \"pages=\" $2}'",
                        dmtest_path("empty-danger-map.pdf")),
              0);
    ASSERT_CONTAINS(out, "pages=1\n");
    free(out);
}

TEST(report_without_plan_says_so)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("r.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    rc = dmtest_sh(&out, "pdftotext '%s' -", pdf);
    ASSERT_EQ(rc, 0);
    ASSERT_CONTAINS(out, "No land release plan yet");
    ASSERT_CONTAINS(out, "Hazardous areas");
    free(out);
}

TEST(report_html_embeds_figures)
{
    const char *db = dmtest_demo_db();
    plan_prior(db);
    const char *html = dmtest_path("report.html");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s' --title 'Test report'", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(html);
    ASSERT(h);
    ASSERT_CONTAINS(h, "<title>Test report</title>");
    int imgs = 0;
    for (const char *p = h; (p = strstr(p, "src=\"data:image/png;base64,iVBORw0KGgo")); p++)
        imgs++;
    ASSERT_EQ(imgs, 8);
    ASSERT_CONTAINS(h, "<td>Aghdam</td>");
    ASSERT_CONTAINS(h, "First priorities of the plan");
    ASSERT(strlen(h) > 100000); /* real images, not placeholders */
    free(h);
}

TEST(report_bad_output)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("r.docx"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, ".pdf or .html");
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out /nonexistent/dir/r.pdf", db);
    ASSERT_EQ(rc, 3);
    ASSERT_CONTAINS(out, "r.pdf: cannot write the report: directory /nonexistent/dir does not exist");
    free(out);
    /* the database is never written over: through a link named .pdf, or a
     * database whose name ends in .html (it was, and was lost) */
    ASSERT_EQ(dmtest_sh(&out, "ln -s '%s' '%s' && cp '%s' '%s'", db, dmtest_path("link.pdf"), db,
                        dmtest_path("db.html")),
              0);
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("link.pdf"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "link.pdf is the database: not writing the report over it");
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", dmtest_path("db.html"), dmtest_path("db.html"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "is the database");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' 'SELECT count(*) > 0 FROM hazards'", db), 0);
    ASSERT_CONTAINS(out, "1");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' 'SELECT count(*) > 0 FROM hazards'", dmtest_path("db.html")), 0);
    ASSERT_CONTAINS(out, "1");
    free(out);
    /* an old report stays whole when a new one fails, and no .part is left */
    ASSERT_EQ(dmtest_sh(&out, "ls '%s'.part 2>/dev/null | wc -l", dmtest_path("db.html")), 0);
    ASSERT_CONTAINS(out, "0");
    free(out);
    /* --date reads a date as every date option does (day first too), but
     * not a day that is none */
    rc = dmtest_demine(&out, "report '%s' --out '%s' --date 31/02/2026", db, dmtest_path("d.pdf"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--date: '31/02/2026' is not a date");
    free(out);
}

TEST(stats_count_an_accident_as_civilian_only_when_civilians_were_hit)
{
    /* outside demining: a civilian victim, soldiers only, no victim recorded */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("acc.gpkg"), DM_STORE_CREATE, &s));
    const char *victims[3][2] = {{"civilian", "military"}, {"military", "military"}, {NULL, NULL}};
    for (int k = 0; k < 3; k++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("accidents"));
        ASSERT_OK(dm_row_set(r, "date", "2021-04-01"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 46.9 + 0.01 * k, 39.9, &g));
        dm_row_set_geom(r, g);
        char uuid[37];
        ASSERT_OK(dm_store_insert(s, r, uuid));
        dm_row_free(r);
        for (int v = 0; v < 2 && victims[k][v]; v++) {
            r = dm_row_new(ctx, dm_layer_find("victims"));
            ASSERT_OK(dm_row_set(r, "accident_id", uuid));
            ASSERT_OK(dm_row_set(r, "category", victims[k][v]));
            ASSERT_OK(dm_row_set(r, "outcome", "injured"));
            ASSERT_OK(dm_store_insert(s, r, NULL));
            dm_row_free(r);
        }
    }
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_NONE, &json));
    dm_store_close(s);
    const char *y = strstr(json, "\"2021\"");
    ASSERT(y);
    const char *ca = strstr(y, "\"civilian_accidents\":"), *ma = strstr(y, "\"military_accidents\":");
    ASSERT_MSG(ca && strtod(ca + 21, NULL) == 2, "%s", json);
    ASSERT_MSG(ma && strtod(ma + 21, NULL) == 1, "%s", json);
    dm_free(ctx, json);
}

/* Under a budget the forecast's cost band covers the funded hazards only:
 * the report pairs it with their cost, gives the cost of all beside it and
 * the items left in unfunded hazards. */
TEST(report_pairs_a_budget_plans_cost_band_with_the_funded_cost)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 20 --start 2026-01-05 "
                                 "--budget 2000000 --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("b.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    char *pj = dmtest_read_file(dmtest_path("b.json"));
    ASSERT(pj);
    const char *fc = strstr(pj, "\"funded_cost_usd\":"), *ac = strstr(pj, "\"cost_usd\":");
    ASSERT(fc && ac);
    double funded = strtod(fc + 18, NULL), all = strtod(ac + 11, NULL);
    ASSERT(funded > 0 && funded < all);
    free(pj);
    const char *html = dmtest_path("budget.html");
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(html), want[128];
    ASSERT(h);
    snprintf(want, sizeof want, "Expected cost at unit rates USD %.2f M for the ", funded / 1e6);
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "of USD %.2f M for all", all / 1e6);
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "in unfunded hazards");
    free(h);
}

/* An outcome another tool wrote ("Cleared ", "burnt") was counted in the
 * total released but in none of cancelled / reduced / cleared, so the three
 * did not add up to it. */
TEST(stats_release_routes_add_up_to_the_total)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -q %s -sql \"UPDATE release_areas SET outcome = 'Cleared ' "
                              "WHERE fid IN (SELECT fid FROM release_areas WHERE outcome = 'cleared' "
                              "LIMIT 2)\" && ogrinfo -q %s -sql \"UPDATE release_areas SET outcome "
                              "= 'burnt' WHERE fid = (SELECT fid FROM release_areas WHERE outcome = "
                              "'reduced' LIMIT 1)\"",
                        db, db),
              0);
    free(out);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_NONE, &json));
    dm_store_close(s);
    ASSERT(!strstr(json, "Cleared _ha"));
    double part[4] = {0}, total = -1;
    const char *keys[] = {"\"cancelled_ha\":", "\"reduced_ha\":", "\"cleared_ha\":", "\"unknown_ha\":"};
    const char *rel = strstr(json, "\"released\":");
    ASSERT(rel);
    for (int i = 0; i < 4; i++) {
        const char *k = strstr(rel, keys[i]);
        ASSERT_MSG(k, "no %s in %s", keys[i], rel);
        part[i] = strtod(k + strlen(keys[i]), NULL);
    }
    const char *t = strstr(rel, "\"total_ha\":");
    ASSERT(t);
    total = strtod(t + strlen("\"total_ha\":"), NULL);
    ASSERT(part[3] > 0);
    ASSERT_NEAR(part[0] + part[1] + part[2] + part[3], total, 1e-6);
    dm_free(ctx, json);
    ASSERT_EQ(dmtest_demine(&out, "stats %s", db), 0);
    ASSERT_CONTAINS(out, "outcome missing or unknown");
    free(out);
    /* the report's table by district has the column too, and the PDF says
     * how much is in none of its columns */
    ASSERT_EQ(dmtest_demine(&out, "report %s --out %s", db, dmtest_path("r.html")), 0);
    free(out);
    char *h = dmtest_read_file(dmtest_path("r.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "<th>outcome unknown ha</th>");
    free(h);
    ASSERT_EQ(dmtest_demine(&out, "report %s --out %s", db, dmtest_path("r.pdf")), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext %s -", dmtest_path("r.pdf")), 0);
    char want[160];
    snprintf(want, sizeof want, "in no column above: %.1f ha", part[3]);
    ASSERT_CONTAINS(out, want);
    free(out);
}

static void put_release(dm_store *s, const char *hazard, const char *outcome, const char *date,
                        double x0, double y0, double d)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(r, "hazard_id", hazard));
    ASSERT_OK(dm_row_set(r, "outcome", outcome));
    ASSERT_OK(dm_row_set(r, "date", date));
    char wkt[300];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f))",
             x0, y0, x0 + d, y0, x0 + d, y0 + d, x0, y0 + d, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

static double json_at(const char *json, const char *obj, const char *key)
{
    const char *p = strstr(json, obj);
    ASSERT_MSG(p, "no %s in %s", obj, json);
    const char *k = strstr(p, key);
    ASSERT_MSG(k, "no %s after %s in %s", key, obj, json);
    return strtod(k + strlen(key), NULL);
}

/* Overlapping release areas of one hazard count their land once: the
 * overlap goes to the route that wins (cleared, then reduced, then
 * cancelled), and the tables by year and method carry an outcome-unknown
 * column so that each adds up to the headline. */
TEST(stats_overlapping_release_areas_count_land_once)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("ov.gpkg"), DM_STORE_CREATE, &s));
    dm_row *h = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(h, "ref", "H-1"));
    ASSERT_OK(dm_row_set(h, "hazard_type", "SHA"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((30 10, 30.01 10, 30.01 10.01, 30 10.01, 30 10))", &g));
    dm_row_set_geom(h, g);
    char hz[37];
    ASSERT_OK(dm_store_insert(s, h, hz));
    dm_row_free(h);
    /* A cleared, B reduced half over A, C cancelled exactly on A, D
     * cleared and apart */
    put_release(s, hz, "cleared", "2021-03-01", 30.000, 10.000, 0.002);
    put_release(s, hz, "reduced", "2020-03-01", 30.001, 10.000, 0.002);
    put_release(s, hz, "cancelled", "2019-03-01", 30.000, 10.000, 0.002);
    put_release(s, hz, "cleared", "2022-03-01", 30.005, 10.005, 0.002);
    double sq = 0;
    dm_geom *one = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((30 10, 30.002 10, 30.002 10.002, 30 10.002, 30 10))",
                               &one));
    ASSERT_OK(dm_geom_area_ha(ctx, one, &sq));
    dm_geom_free(one);
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_NONE, &json));
    dm_store_close(s);
    double cleared = json_at(json, "\"released\":", "\"cleared_ha\":");
    double reduced = json_at(json, "\"released\":", "\"reduced_ha\":");
    double cancelled = json_at(json, "\"released\":", "\"cancelled_ha\":");
    double total = json_at(json, "\"released\":", "\"total_ha\":");
    ASSERT_NEAR(cleared, 2 * sq, sq * 0.01);
    ASSERT_NEAR(reduced, sq / 2, sq * 0.01);
    ASSERT_NEAR(cancelled, 0, 1e-9);
    ASSERT_NEAR(total, 2.5 * sq, sq * 0.01);
    ASSERT_NEAR(json_at(json, "\"2019\":", "\"cancelled_ha\":"), 0, 1e-9);
    ASSERT_NEAR(json_at(json, "\"2020\":", "\"reduced_ha\":"), sq / 2, sq * 0.01);
    dm_free(ctx, json);
    /* an outcome another tool wrote that is no route: its own column */
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -q %s -sql \"UPDATE release_areas SET outcome = 'burnt' "
                              "WHERE date = '2022-03-01'\"",
                        dmtest_path("ov.gpkg")),
              0);
    free(out);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("ov.gpkg"), DM_STORE_READONLY, &s));
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_NONE, &json));
    dm_store_close(s);
    /* every row of the year table now has the four columns */
    ASSERT_NEAR(json_at(json, "\"2021\":", "\"unknown_ha\":"), 0, 1e-9);
    ASSERT_NEAR(json_at(json, "\"2022\":", "\"cleared_ha\":"), 0, 1e-9);
    ASSERT_NEAR(json_at(json, "\"2022\":", "\"unknown_ha\":"), sq, sq * 0.01);
    ASSERT_NEAR(json_at(json, "\"released\":", "\"unknown_ha\":"), sq, sq * 0.01);
    dm_free(ctx, json);
    ASSERT_EQ(dmtest_demine(&out, "stats %s", dmtest_path("ov.gpkg")), 0);
    ASSERT_CONTAINS(out, "cleared      unknown");
    /* the 2022 row: nothing in the routes, the polygon under unknown */
    const char *row = strstr(out, "\n2022 ");
    ASSERT_MSG(row, "no 2022 row in %s", out);
    char want[64];
    snprintf(want, sizeof want, "%12.2f %12.2f %12.2f %12.2f", 0.0, 0.0, 0.0, sq);
    ASSERT_MSG(strstr(row, want) != NULL, "expected '%s' in %s", want, row);
    free(out);
}

/* A plan made with the given team file (the default teams when NULL); its
 * JSON, written to p.json, is returned parsed. */
static json_t *plan_with(const char *db, const char *teams)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 20 --start 2026-01-05 "
                                 "--csv '%s' --out-json '%s'",
                           db, teams ? teams : dmtest_repo_path("config/teams-default.csv"),
                           dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *j = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(j, "p.json: %s", err.text);
    return j;
}

static char *report_html(const char *db, const char *name)
{
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path(name));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(dmtest_path(name));
    ASSERT(h);
    return h;
}

/* With the teams' day rates known, the report gives the funded schedule's
 * cost at those rates beside the unit-rate cost (key figures, PDF and HTML),
 * each priority's day-rate cost and both schedules of the comparison. */
TEST(report_shows_the_plans_cost_at_the_teams_day_rates)
{
    const char *db = dmtest_demo_db();
    json_t *pj = plan_with(db, NULL);
    json_t *dr = json_object_get(pj, "day_rate");
    ASSERT(json_is_number(json_object_get(dr, "cost_usd")));
    double usd = json_number_value(json_object_get(dr, "cost_usd"));
    ASSERT(usd > 0);
    json_t *cmp = json_object_get(pj, "comparison");
    double full = json_number_value(
        json_object_get(json_object_get(cmp, "full_clearance"), "day_rate_cost_usd"));
    json_t *band = json_object_get(json_object_get(pj, "forecast"), "day_rate_cost_usd");
    json_t *first = json_array_get(json_object_get(pj, "priorities"), 0);
    double hz = json_number_value(json_object_get(first, "day_rate_cost_usd"));
    double hz_unit = json_number_value(json_object_get(first, "cost_usd"));
    ASSERT(hz > 0 && full > 0);
    char want[200];
    char *h = report_html(db, "dr.html");
    snprintf(want, sizeof want, "At the teams' day rates: USD %.2f M (P10-P90 %.2f-%.2f M)",
             usd / 1e6, json_number_value(json_object_get(band, "p10")) / 1e6,
             json_number_value(json_object_get(band, "p90")) / 1e6);
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "%.0f team-days",
             json_number_value(json_object_get(dr, "team_days")));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "clearing every suspected hectare USD %.2f M", full / 1e6);
    ASSERT_CONTAINS(h, want);
    /* teams kept until their last task: dearer than the days worked */
    double kept = json_number_value(json_object_get(dr, "kept_cost_usd"));
    double kdays = json_number_value(json_object_get(dr, "kept_team_days"));
    ASSERT(kept > usd && kdays > json_number_value(json_object_get(dr, "team_days")));
    snprintf(want, sizeof want, "With each team kept from the start to its last task: USD %.2f M; %.0f team-days",
             kept / 1e6, kdays);
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "<th>cost USD</th><th>day-rate cost USD</th></tr>");
    snprintf(want, sizeof want, "<td>%.0f</td><td>%.0f</td></tr>", hz_unit, hz);
    ASSERT_CONTAINS(h, want);
    ASSERT(!strstr(h, "unknown"));
    free(h);
    /* the PDF says the same */
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("dr.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", dmtest_path("dr.pdf")), 0);
    snprintf(want, sizeof want, "At the teams' day rates: USD %.2f M", usd / 1e6);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "day-rate USD");
    free(out);
    json_decref(pj);
}

/* Rates of 0 mean unknown: the plan's day-rate figures are null and the
 * report says "unknown", never USD 0. */
TEST(report_says_unknown_when_the_teams_have_no_day_rate)
{
    const char *db = dmtest_demo_db();
    const char *teams = dmtest_path("zero.csv");
    dmtest_write_file(teams, "name,method,capacity_ha_day,cost_usd_day,count\n"
                             "MAN,manual,0.08,0,24\nMECH,mechanical,0.5,0,8\n"
                             "DOG,dogs,0.25,0,8\nNTS,survey,20,0,10\n");
    json_t *pj = plan_with(db, teams);
    ASSERT(json_is_null(json_object_get(json_object_get(pj, "day_rate"), "cost_usd")));
    size_t np = json_array_size(json_object_get(pj, "priorities"));
    ASSERT(np > 0);
    json_decref(pj);
    char *h = report_html(db, "zero.html");
    /* no team has a rate: said so, not "0 for 40 teams that work" */
    ASSERT_CONTAINS(h, "At the teams' day rates: unknown (no team has a day rate: cost_usd_day is 0 for all 50)");
    ASSERT_CONTAINS(h, "clearing every suspected hectare unknown, risk-based unknown");
    ASSERT(!strstr(h, "day rates: USD"));
    ASSERT(!strstr(h, "USD 0.00 M"));
    /* every priority row: unknown in the day-rate column */
    int rows = 0;
    for (const char *p = h; (p = strstr(p, "<td>unknown</td></tr>")); p++)
        rows++;
    ASSERT_EQ(rows, (int)(np < 20 ? np : 20));
    free(h);
}

/* A plan summary written before the day rates existed (no "day_rate" key,
 * no day-rate figures) still renders, with no day-rate line or column. */
TEST(report_renders_a_plan_made_before_day_rates)
{
    const char *db = dmtest_demo_db();
    json_t *pj = plan_with(db, NULL);
    json_decref(pj);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    char *js = NULL;
    ASSERT_OK(dm_store_meta_get(s, "plan", &js));
    ASSERT(js);
    json_error_t err;
    json_t *p = json_loads(js, 0, &err);
    dm_free(ctx, js);
    ASSERT(p);
    json_object_del(p, "day_rate");
    json_object_del(json_object_get(p, "forecast"), "day_rate_cost_usd");
    json_t *cmp = json_object_get(p, "comparison");
    json_object_del(json_object_get(cmp, "full_clearance"), "day_rate_cost_usd");
    json_object_del(json_object_get(cmp, "risk_based"), "day_rate_cost_usd");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(p, "team_use"), k, v)
        json_object_del(v, "day_rate_cost_usd");
    size_t i;
    json_array_foreach(json_object_get(p, "priorities"), i, v)
        json_object_del(v, "day_rate_cost_usd");
    char *old = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    ASSERT(old && !strstr(old, "day_rate"));
    ASSERT_OK(dm_store_meta_set(s, "plan", old));
    free(old);
    dm_store_close(s);
    char *h = report_html(db, "old.html");
    ASSERT_CONTAINS(h, "Expected cost at unit rates USD ");
    ASSERT_CONTAINS(h, "Clearing every suspected hectare: ");
    ASSERT_CONTAINS(h, "<th>cost USD</th></tr>");
    ASSERT(!strstr(h, "day rate") && !strstr(h, "day-rate") && !strstr(h, "unknown"));
    free(h);
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("old.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", dmtest_path("old.pdf")), 0);
    ASSERT_CONTAINS(out, "First priorities of the plan");
    ASSERT(!strstr(out, "day rate") && !strstr(out, "day-rate"));
    free(out);
}

/* District names in Cyrillic, Armenian and Azerbaijani, one longer than the
 * statistics' name fields (cut inside a character there) and one in a legacy
 * code page (not UTF-8): a name cut inside a character put cairo into an
 * error state, so that the rest of page 4 (the priorities and the donor's
 * chart) was silently left blank, and the long name was two districts in
 * the statistics. Now every page is whole, names are cut on a character with
 * an ellipsis to the column, and each district is one group. */
TEST(report_renders_long_and_non_latin_district_names)
{
    const char *db = dmtest_demo_db();
    static const char *longname = "Ходжавендский район Нагорного Карабаха и все прилегающие территории "
                                  "вдоль бывшей линии соприкосновения";
    char *out = NULL;
    int rc = dmtest_sh(&out,
                       "ogrinfo -q '%s' -sql \"UPDATE districts SET name = '%s' WHERE name = 'Khojavend'\" && "
                       "ogrinfo -q '%s' -sql \"UPDATE hazards SET district = '%s' WHERE district = 'Khojavend'\" && "
                       "ogrinfo -q '%s' -sql \"UPDATE districts SET name = 'Խոջալուի շրջան' WHERE name = 'Khojaly'\" && "
                       "ogrinfo -q '%s' -sql \"UPDATE hazards SET district = 'Խոջալուի շրջան' WHERE district = 'Khojaly'\" && "
                       "ogrinfo -q '%s' -sql \"UPDATE hazards SET district = 'Ağdam rayonu' WHERE district = 'Aghdam'\" && "
                       "ogrinfo -q '%s' -sql \"UPDATE hazards SET district = X'CAE5EBFCE1E0E4E6E0F0' WHERE district = 'Aghjabadi'\"",
                       db, longname, db, longname, db, db, db, db);
    ASSERT_MSG(rc == 0, "ogrinfo: %s", out);
    free(out);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_DISTRICT, &json));
    dm_store_close(s);
    json_error_t err;
    json_t *root = json_loads(json, 0, &err);
    ASSERT_MSG(root, "stats JSON: %s", err.text);
    json_t *groups = json_object_get(root, "groups");
    int n_long = 0, n_int = 0;
    double hazards = 0;
    const char *k;
    json_t *g;
    json_object_foreach(groups, k, g)
    {
        if (!strncmp(k, "Ходжавендский район Нагорного Карабаха", strlen("Ходжавендский район Нагорного Карабаха")))
            n_long++;
        hazards += json_number_value(json_object_get(g, "hazards"));
        /* counts are whole numbers in the JSON ("hazards": 3, not 3.0) */
        json_t *nh = json_object_get(g, "hazards");
        ASSERT_MSG(!nh || json_is_integer(nh), "group %s: hazards is not an integer", k);
        n_int += nh != NULL;
    }
    ASSERT_EQ(n_long, 1);
    ASSERT(n_int > 0);
    ASSERT(json_object_get(groups, "Խոջալուի շրջան"));
    ASSERT(json_object_get(groups, "??????????")); /* the code page's bytes, shown as such */
    ASSERT_NEAR(hazards, json_number_value(json_object_get(json_object_get(root, "hazards"), "count")), 1e-9);
    json_decref(root);
    dm_free(ctx, json);
    plan_prior(db);
    const char *pdf = dmtest_path("names.pdf");
    rc = dmtest_demine(&out, "report '%s' --out '%s' --title 'Hesabat — Отчёт — Զեկույց'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", pdf), 0);
    ASSERT_CONTAINS(out, "Hesabat — Отчёт — Զեկույց");
    ASSERT_CONTAINS(out, "Խոջալուի շրջան");
    ASSERT_CONTAINS(out, "Ağdam rayonu");
    ASSERT_CONTAINS(out, "Ходжавендский район…"); /* cut to its column */
    ASSERT_CONTAINS(out, "First priorities of the plan");
    ASSERT_CONTAINS(out, "Years to finish"); /* the donor's chart, last on page 4 */
    free(out);
    const char *html = dmtest_path("names.html");
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(html);
    ASSERT_CONTAINS(h, longname);
    ASSERT_CONTAINS(h, "<td>Խոջալուի շրջան</td>");
    free(h);
}

/* A plan made with --samples 0 has no forecast: the plan's text and the
 * report give no P10-P90 band (it read "P10-P90 0.0-0.0", a finish at once). */
TEST(report_of_a_plan_without_forecast_gives_no_band)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 "
                                 "--csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "forecast: none (--samples 0)");
    ASSERT(!strstr(out, "P10/P50/P90"));
    free(out);
    const char *pdf = dmtest_path("nb.pdf");
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", pdf), 0);
    ASSERT_CONTAINS(out, "All land released by");
    ASSERT_CONTAINS(out, "no forecast: the plan was made with 0 samples");
    ASSERT_MSG(!strstr(out, "P10-P90"), "a band of a plan without forecast:\n%s", out);
    free(out);
}

/* Some teams with a day rate, some without: the report gives the cost of
 * those that have one as a lower bound, saying how many have none (not
 * "unknown" as when no team has a rate); teams that get no task are given
 * apart, with what they cost if kept, and said to be in none of the costs. */
TEST(report_gives_a_lower_bound_and_the_idle_teams)
{
    const char *db = dmtest_demo_db();
    const char *teams = dmtest_path("some.csv");
    dmtest_write_file(teams, "name,method,capacity_ha_day,cost_usd_day,count\n"
                             "MAN,manual,0.08,2000,24\nMECH,mechanical,0.5,0,8\n"
                             "DOG,dogs,0.25,2500,8\nNTS,survey,20,1200,10\n");
    json_t *pj = plan_with(db, teams);
    json_t *dr = json_object_get(pj, "day_rate"), *it = json_object_get(pj, "idle_teams");
    ASSERT(json_is_null(json_object_get(dr, "cost_usd")));
    double lower = json_number_value(json_object_get(dr, "cost_usd_lower_bound"));
    ASSERT(lower > 0);
    double idle = json_number_value(json_object_get(it, "teams"));
    ASSERT(idle > 0); /* the prior cancels nothing: the survey teams wait */
    double idle_usd = json_number_value(json_object_get(it, "cost_usd"));
    ASSERT(idle_usd > 0);
    char want[300];
    char *h = report_html(db, "some.html");
    snprintf(want, sizeof want,
             "At the teams' day rates: at least USD %.2f M (lower bound: 8 of 50 teams have no day rate)",
             lower / 1e6);
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "work in the schedule: 8, the first MECH-1");
    ASSERT(!strstr(h, "At the teams' day rates: unknown"));
    snprintf(want, sizeof want, "Idle teams: %.0f of 50 get no task (NTS-1, NTS-2, NTS-3, NTS-4, ...), in none of the costs above",
             idle);
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want,
             "Idle teams kept on contract to the plan's end (%s, %.0f working days each): USD %.2f M",
             json_string_value(json_object_get(it, "until")), json_number_value(json_object_get(it, "days_each")),
             idle_usd / 1e6);
    ASSERT_CONTAINS(h, want);
    /* the forecast's band and the donor comparison: lower bounds too */
    json_t *bd = json_object_get(json_object_get(pj, "forecast"), "day_rate_cost_usd_lower_bound");
    json_t *cmp = json_object_get(pj, "comparison");
    snprintf(want, sizeof want, "(lower bound: 8 of 50 teams have no day rate); P10-P90 at least %.2f-%.2f M;",
             json_number_value(json_object_get(bd, "p10")) / 1e6, json_number_value(json_object_get(bd, "p90")) / 1e6);
    ASSERT_CONTAINS(h, want);
    char donor[300];
    json_t *fcl = json_object_get(cmp, "full_clearance"), *rbl = json_object_get(cmp, "risk_based");
    snprintf(donor, sizeof donor,
             "At the teams' day rates: clearing every suspected hectare at least USD %.2f M, risk-based at least "
             "USD %.2f M (lower bounds: 8 of 50 teams have no day rate)",
             json_number_value(json_object_get(fcl, "day_rate_cost_usd_lower_bound")) / 1e6,
             json_number_value(json_object_get(rbl, "day_rate_cost_usd_lower_bound")) / 1e6);
    ASSERT_CONTAINS(h, donor);
    /* the routes' hectares and the land cleared in all, as the comparison
     * counts it (the prior routes every hazard to reduction, part cleared) */
    json_t *ro = json_object_get(json_object_get(pj, "routes"), "reduce");
    double red = json_number_value(json_object_get(ro, "area_ha"));
    snprintf(want, sizeof want, "reduce %.1f ha, full clearance 0.0 ha; %.1f ha cleared in all", red,
             json_number_value(json_object_get(rbl, "clear_ha")));
    ASSERT(json_number_value(json_object_get(rbl, "clear_ha")) > 0.1);
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "risk-based: ");
    ASSERT_CONTAINS(h, " M (unit rates)");
    free(h);
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("some.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", dmtest_path("some.pdf")), 0);
    snprintf(want, sizeof want, "at least USD %.2f M (lower bound: 8 of 50 teams have no day rate)", lower / 1e6);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "in none of the costs above");
    ASSERT_CONTAINS(out, "Idle teams kept on contract to the plan's end");
    ASSERT_CONTAINS(out, "risk-based at least USD");
    ASSERT_CONTAINS(out, "day rates, at least"); /* the donor chart's bars */
    ASSERT(!strstr(out, "day rates: unknown") && !strstr(out, "risk-based unknown"));
    /* a key figure wider than the page wraps, never cut with an ellipsis */
    ASSERT(!strstr(out, "\xE2\x80\xA6"));
    free(out);
    json_decref(pj);
    /* with a horizon shorter than the plan, the idle teams to the horizon */
    char tf[512], pc[512];
    snprintf(tf, sizeof tf, "%s", dmtest_path("some.csv"));
    snprintf(pc, sizeof pc, "%s", dmtest_path("p.csv"));
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 --horizon 0.1 "
                             "--csv '%s' --out-json '%s'",
                       db, tf, pc, dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    pj = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(pj, "%s", err.text);
    it = json_object_get(pj, "idle_teams");
    h = report_html(db, "horizon.html");
    snprintf(want, sizeof want,
             "Idle teams kept on contract to the 0.1-year horizon (%s, %.0f working days each): USD %.2f M",
             json_string_value(json_object_get(it, "until")), json_number_value(json_object_get(it, "days_each")),
             json_number_value(json_object_get(it, "cost_usd")) / 1e6);
    ASSERT_CONTAINS(h, want);
    free(h);
    json_decref(pj);
}

/* A plan of no open hazard (every hazard closed, or none recorded): the
 * report says there is nothing to plan, in the key figures, the priorities
 * and the figures, not a page of zeros ("released by <start> (0.0 years;
 * P10-P90 0.0-0.0)", "USD 0.00 M") nor "no plan yet". */
TEST(report_of_a_plan_with_nothing_to_plan_says_so)
{
    const char *db = dmtest_path("none.gpkg");
    char *out = NULL;
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    ASSERT_DEMINE(0, "nothing to plan", "plan '%s' --teams '%s' --start 2026-01-05", db,
                  dmtest_repo_path("config/teams-default.csv"));
    const char *pdf = dmtest_path("none.pdf");
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", pdf), 0);
    ASSERT_CONTAINS(out, "Plan from 2026-01-05: nothing to plan: no open hazard with land left to release");
    ASSERT_MSG(!strstr(out, "P10-P90") && !strstr(out, "USD 0.00 M") && !strstr(out, "no plan yet") &&
                   !strstr(out, "Idle teams"),
               "a page of zeros:\n%s", out);
    free(out);
    char *h = report_html(db, "none.html");
    ASSERT_CONTAINS(h, "Nothing to plan: no open hazard with land left to release.");
    ASSERT(!strstr(h, "P10-P90") && !strstr(h, "No plan yet"));
    free(h);
}

/* A priority worked partly by a team without a day rate reads as a lower
 * bound in its day-rate column ("at least", HTML and PDF), not "unknown";
 * with --horizon, "every team kept" is costed to the horizon and says so. */
TEST(report_priorities_lower_bound_and_every_team_kept_to_the_horizon)
{
    const char *db = dmtest_demo_db();
    const char *teams = dmtest_path("some.csv");
    dmtest_write_file(teams, "name,method,capacity_ha_day,cost_usd_day,count\n"
                             "MAN,manual,0.08,2000,24\nMECH,mechanical,0.5,0,8\n"
                             "DOG,dogs,0.25,2500,8\nNTS,survey,20,1200,10\n");
    json_t *pj = plan_with(db, teams);
    json_t *pr = json_object_get(pj, "priorities"), *first = NULL;
    for (size_t k = 0; k < json_array_size(pr) && k < 20 && !first; k++)
        if (json_is_null(json_object_get(json_array_get(pr, k), "day_rate_cost_usd")))
            first = json_array_get(pr, k);
    ASSERT_MSG(first, "no priority worked by a team without a rate");
    double lb = json_number_value(json_object_get(first, "day_rate_cost_usd_lower_bound"));
    ASSERT(lb > 0);
    char want[400];
    char *h = report_html(db, "prio.html");
    snprintf(want, sizeof want, "<td>%.0f</td><td>at least %.0f</td></tr>",
             json_number_value(json_object_get(first, "cost_usd")), lb);
    ASSERT_CONTAINS(h, want);
    ASSERT(!strstr(h, "<td>unknown</td>"));
    free(h);
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("prio.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -layout '%s' -", dmtest_path("prio.pdf")), 0);
    snprintf(want, sizeof want, "at least %.0f\n", lb);
    ASSERT_CONTAINS(out, want);
    ASSERT(!strstr(out, "unknown"));
    free(out);
    json_decref(pj);
    /* every team rated, a horizon shorter than the plan */
    char pc[512];
    snprintf(pc, sizeof pc, "%s", dmtest_path("p.csv"));
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 --horizon 0.1 "
                             "--csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), pc, dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    pj = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(pj, "%s", err.text);
    json_t *it = json_object_get(pj, "idle_teams");
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    snprintf(want, sizeof want,
             "every team kept to the horizon, the working ones to their last task if sooner: USD %.2f M "
             "(%.0f team-days, the items destroyed by then)",
             json_number_value(json_object_get(it, "kept_with_idle_cost_usd")) / 1e6,
             json_number_value(json_object_get(it, "kept_with_idle_team_days")));
    h = report_html(db, "horizon.html");
    ASSERT_CONTAINS(h, want);
    /* and the land that ends beyond the horizon */
    json_t *bz = json_object_get(pj, "beyond_horizon");
    ASSERT(json_number_value(json_object_get(bz, "hazards")) > 0);
    snprintf(want, sizeof want, "Beyond the 0.1-year horizon: %.0f hazards (%.1f ha) end later",
             json_number_value(json_object_get(bz, "hazards")), json_number_value(json_object_get(bz, "area_ha")));
    ASSERT_CONTAINS(h, want);
    free(h);
    json_decref(pj);
}

/* Casualties in 2021 and 2023, none in 2022, soldiers among them: the chart
 * runs 2021, 2022, 2023 (a year without casualties is a bar of 0, not left
 * off the axis) with a bar for the military, and the key figures count them,
 * so the chart and the headline add up to the same people. */
TEST(report_casualties_count_every_victim_and_every_year)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    const char *db = dmtest_path("cas.gpkg");
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    const char *dates[2] = {"2021-04-01", "2023-06-01"};
    for (int k = 0; k < 2; k++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("accidents"));
        ASSERT_OK(dm_row_set(r, "date", dates[k]));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_point(ctx, 46.9 + 0.01 * k, 39.9, &g));
        dm_row_set_geom(r, g);
        char uuid[37];
        ASSERT_OK(dm_store_insert(s, r, uuid));
        dm_row_free(r);
        for (int v = 0; v < 2; v++) {
            r = dm_row_new(ctx, dm_layer_find("victims"));
            ASSERT_OK(dm_row_set(r, "accident_id", uuid));
            ASSERT_OK(dm_row_set(r, "category", v ? "military" : "civilian"));
            ASSERT_OK(dm_row_set(r, "outcome", "injured"));
            ASSERT_OK(dm_store_insert(s, r, NULL));
            dm_row_free(r);
        }
    }
    dm_store_close(s);
    const char *pdf = dmtest_path("cas.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --out '%s'", db, pdf);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", pdf), 0);
    ASSERT_CONTAINS(out, "Casualties: 4 (killed 0, injured 4; civilians 2, deminers 0, military 2,");
    /* no items, no land released: 2022 can only be the casualties' axis */
    ASSERT_CONTAINS(out, "2021");
    ASSERT_CONTAINS(out, "2022");
    ASSERT_CONTAINS(out, "2023");
    ASSERT_CONTAINS(out, "military");
    free(out);
    rc = dmtest_demine(&out, "stats '%s'", db);
    ASSERT_EQ(rc, 0);
    ASSERT_CONTAINS(out, "civilians deminers military");
    /* the table by year has the year without accidents, as the chart does */
    ASSERT_CONTAINS(out, "\n2021               1        0        2         1        0        1\n"
                         "2022               0        0        0         0        0        0\n"
                         "2023               1        0        2         1        0        1\n");
    free(out);
}

/* Dollars as the plan's text writes a sum under USD 0.1 M: "19,581". */
static const char *dollars(char *b, size_t n, double v)
{
    char d[32];
    snprintf(d, sizeof d, "%.0f", floor(v + 0.5)); /* half a dollar up */
    size_t len = strlen(d), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            b[o++] = ',';
        b[o++] = d[i];
    }
    b[o] = 0;
    return b;
}

/* The PDF's text on one line: a key figure wraps over lines. */
static char *pdf_text_flat(const char *pdf)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pdftotext -raw '%s' - | tr -s ' \\n' '  '", pdf), 0);
    return out;
}

/* A small budget: the sums under USD 0.1 M are written in dollars, as the
 * plan's text writes them ("USD 19,581", not "USD 0.02 M"), with the budget
 * and what it funds; with no high-risk hazard funded there is no date for
 * high-risk land. */
TEST(report_writes_a_small_plans_sums_in_dollars)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 20 --start 2026-01-05 "
                                 "--budget 20000 --csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("small.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *pj = json_load_file(dmtest_path("small.json"), 0, &err);
    ASSERT_MSG(pj, "%s", err.text);
    double funded = json_number_value(json_object_get(pj, "funded_cost_usd"));
    ASSERT(funded > 0 && funded <= 20000);
    char want[300], b1[40], b2[40];
    double n_funded = json_number_value(json_object_get(pj, "funded"));
    snprintf(want, sizeof want, "Expected cost at unit rates USD %s for the %.0f funded hazard%s (P10-P90 ",
             dollars(b1, sizeof b1, funded), n_funded, n_funded == 1 ? "" : "s");
    char *h = report_html(db, "small.html");
    ASSERT_CONTAINS(h, want);
    /* a hazard the budget leaves out has no cost at the day rates: said
     * unfunded in the priorities, not "unknown" */
    ASSERT(n_funded < json_number_value(json_object_get(pj, "hazards")));
    ASSERT_CONTAINS(h, "<td>unfunded</td>");
    ASSERT(!strstr(h, "<td>unknown</td>"));
    json_t *band = json_object_get(json_object_get(pj, "forecast"), "cost_usd");
    double p90 = json_number_value(json_object_get(band, "p90"));
    if (p90 < 1e5) {
        snprintf(want, sizeof want, "(P10-P90 %s-%s)",
                 dollars(b1, sizeof b1, json_number_value(json_object_get(band, "p10"))), dollars(b2, sizeof b2, p90));
        ASSERT_CONTAINS(h, want);
    }
    snprintf(want, sizeof want, "Budget USD 20,000 at unit rates: %.0f of %.0f hazards funded",
             json_number_value(json_object_get(pj, "funded")), json_number_value(json_object_get(pj, "hazards")));
    ASSERT_CONTAINS(h, want);
    double dc = json_number_value(json_object_get(json_object_get(pj, "day_rate"), "cost_usd"));
    if (dc > 20000) {
        snprintf(want, sizeof want, "the funded schedule costs USD %s at the teams' day rates, over it",
                 dollars(b1, sizeof b1, dc));
        ASSERT_CONTAINS(h, want);
    }
    if (json_number_value(json_object_get(json_object_get(pj, "high_risk"), "hazards")) == 0) {
        ASSERT_CONTAINS(h, "High-risk land: none funded");
        ASSERT(!strstr(h, "High-risk land released by"));
    }
    ASSERT_CONTAINS(h, "All funded land released by");
    ASSERT(!strstr(h, "USD 0.00 M"));
    ASSERT(!strstr(h, "USD 0.01 M"));
    ASSERT(!strstr(h, "USD 0.02 M"));
    free(h);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("small.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *t = pdf_text_flat(dmtest_path("small.pdf"));
    snprintf(want, sizeof want, "Expected cost at unit rates USD %s for the", dollars(b1, sizeof b1, funded));
    ASSERT_CONTAINS(t, want);
    ASSERT_CONTAINS(t, "Budget USD 20,000 at unit rates");
    ASSERT(!strstr(t, "USD 0.00 M"));
    free(t);
    json_decref(pj);
}

/* A horizon that holds less than one working day keeps no team for any
 * day: the report says so as the plan's text does, not "0 working days
 * each: USD 0.00 M", and that every hazard ends after it. */
TEST(report_of_a_horizon_under_one_working_day_says_so)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                                 "--horizon 0.001 --csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("hz.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *pj = json_load_file(dmtest_path("hz.json"), 0, &err);
    ASSERT_MSG(pj, "%s", err.text);
    json_t *it = json_object_get(pj, "idle_teams");
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    ASSERT_EQ(json_integer_value(json_object_get(it, "days_each")), 0);
    ASSERT(json_number_value(json_object_get(it, "teams")) > 0);
    const char *want = "Idle teams kept on contract to the 0.001-year horizon: nothing, it holds less than one "
                       "working day (the first, 2026-01-05, ends after it)";
    char *h = report_html(db, "hz.html");
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "end later (it holds less than one working day: every hazard ends after it)");
    ASSERT(!strstr(h, "0 working days"));
    ASSERT(!strstr(h, "USD 0.00 M"));
    free(h);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("hz.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *t = pdf_text_flat(dmtest_path("hz.pdf"));
    ASSERT_CONTAINS(t, want);
    ASSERT(!strstr(t, "0 working days"));
    ASSERT(!strstr(t, "USD 0.00 M"));
    free(t);
    json_decref(pj);
}

/* An empty database: stats says "none" where there is nothing, not tables
 * of headings alone; a database of one open hazard lists it by status. */
TEST(stats_of_an_empty_database_prints_no_empty_tables)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", dmtest_path("st0.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats '%s'", dmtest_path("st0.gpkg")), 0);
    ASSERT_CONTAINS(out, "Hazard areas: 0 ");
    ASSERT_CONTAINS(out, "by status: none");
    ASSERT_CONTAINS(out, "by category: none");
    ASSERT(!strstr(out, "released by year"));
    ASSERT(!strstr(out, "released by method"));
    ASSERT(!strstr(out, "year       accidents"));
    ASSERT(!strstr(out, " nan") && !strstr(out, "-nan") && !strstr(out, " inf"));
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --by district", dmtest_path("st0.gpkg")), 0);
    ASSERT_CONTAINS(out, "by district: none");
    free(out);
}

/* --title "" is the default title, not a report headed by nothing; a date
 * outside the range the database holds says the range. */
TEST(report_blank_title_and_date_out_of_range)
{
    char *out = NULL;
    const char *db = dmtest_path("t0.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", db), 0);
    free(out);
    int rc = dmtest_demine(&out, "report '%s' --out '%s' --title '  '", db, dmtest_path("t0.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(dmtest_path("t0.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "<h1>National mine action status report</h1>");
    free(h);
    ASSERT_DEMINE(2, "--date: '1700-01-01' is not a date from 1800-01-01 to 2200-12-31",
                  "report '%s' --out '%s' --date 1700-01-01", db, dmtest_path("t0.pdf"));
}

/* One small hazard: every sum is under USD 0.1 M, so the donor chart's
 * cost is drawn in dollars (bars of 0.006 on an axis of millions say
 * nothing), and a single hazard beyond the horizon is "1 hazard ... ends". */
TEST(report_of_one_small_hazard_charts_dollars)
{
    char *out = NULL;
    const char *db = dmtest_path("tiny.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", db), 0);
    free(out);
    dmtest_write_file(dmtest_path("tiny.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"ref\":\"AGD-T\",\"hazard_type\":\"CHA\",\"status\":\"open\",\"ordnance\":\"AP\","
                      "\"reported_date\":\"2021-03-04\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                      "[[[46.900,39.900],[46.9005,39.900],[46.9005,39.9005],[46.900,39.9005],[46.900,39.900]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer hazards '%s'", db, dmtest_path("tiny.geojson")), 0);
    free(out);
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 --horizon 0.001 "
                                 "--csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("tiny.csv"),
                           dmtest_path("tiny.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("tiny.pdf"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *t = pdf_text_flat(dmtest_path("tiny.pdf"));
    ASSERT_CONTAINS(t, "1 open hazard,");
    ASSERT_CONTAINS(t, "Beyond the 0.001-year horizon: 1 hazard (");
    ASSERT_CONTAINS(t, "ha) ends later");
    ASSERT_CONTAINS(t, "Cost, USD ");
    ASSERT(!strstr(t, "USD million"));
    ASSERT(!strstr(t, " M;") && !strstr(t, " M ("));
    free(t);
}

/* stats --by names every group whole, however long (two organisations
 * sharing their first 22 letters were one name twice), and pads by letters,
 * not bytes, never cutting an Azerbaijani letter of two bytes in half */
TEST(stats_by_organisation_names_each_whole_and_aligned)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "ogrinfo -q %s -sql \"UPDATE hazards SET organisation = "
                              "'Azərbaycan Minatəmizləmə Agentliyi şöbə 1' WHERE fid IN (SELECT fid "
                              "FROM hazards LIMIT 2)\" && ogrinfo -q %s -sql \"UPDATE hazards SET "
                              "organisation = 'Azərbaycan Minatəmizləmə Agentliyi şöbə 2' WHERE fid = "
                              "(SELECT max(fid) FROM hazards)\"",
                        db, db),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats %s --by organisation", db), 0);
    const char *a = strstr(out, "\nAzərbaycan Minatəmizləmə Agentliyi şöbə 1 ");
    const char *b = strstr(out, "\nAzərbaycan Minatəmizləmə Agentliyi şöbə 2 ");
    ASSERT_MSG(a && b, "%s", out);
    /* every row of the table is as many letters long as its heading */
    const char *t = strstr(out, "\nby organisation:\n");
    ASSERT(t);
    t = strchr(t + 1, '\n') + 1; /* the heading */
    int col = -1;
    for (const char *line = t; *line; line = strchr(line, '\n') + 1) {
        const char *e = strchr(line, '\n');
        if (!e || e == line)
            break;
        int letters = 0;
        for (const char *p = line; p < e; p++)
            if (((unsigned char)*p & 0xC0) != 0x80)
                letters++;
        if (col < 0)
            col = letters;
        ASSERT_MSG(letters == col, "row of %d letters, heading of %d:\n%s", letters, col, out);
    }
    free(out);
}

/* stats counts approved data only; what it leaves out (a field report
 * awaiting review and its items, which list counts among the rows) it says,
 * so that the two counts can be squared */
TEST(stats_says_what_of_reports_under_review_it_leaves_out)
{
    const char *db = dmtest_demo_db();
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    long rows = 0, drafts = 0;
    ASSERT_OK(dm_store_count(s, "items", NULL, &rows));
    const char *f[1] = {"status"}, *v[1] = {"draft"};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    ASSERT_OK(dm_store_count(s, "activities", &sel, &drafts));
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_NONE, &json));
    dm_store_close(s);
    /* the demo leaves two reports in the queue: a clearance with its finds
     * and a survey proposing a new hazard */
    ASSERT_EQ(drafts, 2);
    const char *na = strstr(json, "\"not_approved\"");
    ASSERT_MSG(na, "%s", json);
    const char *d = strstr(na, "\"drafts\""), *it = strstr(na, "\"items\"");
    ASSERT(d && it);
    ASSERT_NEAR(strtod(strchr(d, ':') + 1, NULL), 2, 0);
    long left_out = (long)strtod(strchr(it, ':') + 1, NULL);
    ASSERT(left_out > 0);
    const char *items = strstr(json, "\"items\"");
    ASSERT(items);
    const char *total = strstr(items, "\"total\"");
    ASSERT(total);
    /* quantities are 1 a row in the demo: counted + left out = the rows */
    ASSERT_EQ((long)strtod(strchr(total, ':') + 1, NULL) + left_out, rows);
    dm_free(ctx, json);
    char *out = NULL, want[120];
    ASSERT_EQ(dmtest_demine(&out, "stats %s", db), 0);
    snprintf(want, sizeof want, "not counted: %ld item%s of 2 field reports awaiting review\n", left_out,
             left_out == 1 ? "" : "s");
    ASSERT_CONTAINS(out, want);
    free(out);
    /* once approved, nothing is left out */
    ASSERT_EQ(dmtest_approve_drafts(db), 2);
    ASSERT_EQ(dmtest_demine(&out, "stats %s", db), 0);
    ASSERT(!strstr(out, "not counted"));
    free(out);
}

/* the field reports awaiting review are counted in the statistics and the
 * report of the districts they are of (their hazard's, else the district
 * their land lies in): over the districts they add up to the nation's, and
 * the report says what its figures leave out */
TEST(reports_under_review_are_counted_in_their_district)
{
    const char *db = dmtest_demo_db();
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char *json = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_DISTRICT, &json));
    json_t *all = json_loads(json, 0, NULL);
    dm_free(ctx, json);
    ASSERT(all);
    json_t *na = json_object_get(all, "not_approved");
    double drafts = json_number_value(json_object_get(na, "drafts"));
    double items = json_number_value(json_object_get(na, "items"));
    ASSERT_NEAR(drafts, 2, 0);
    ASSERT(items > 0);
    double sum_d = 0, sum_i = 0;
    int with = 0, without = 0;
    char with_name[64] = "", without_name[64] = "";
    const char *name;
    json_t *g;
    json_object_foreach(json_object_get(all, "groups"), name, g)
    {
        const char *one[1] = {name};
        char *dj = NULL;
        ASSERT_OK(dm_stats_json_districts(s, DM_STATS_BY_NONE, one, 1, 0, &dj));
        json_t *d = json_loads(dj, 0, NULL);
        dm_free(ctx, dj);
        ASSERT(d);
        json_t *dn = json_object_get(d, "not_approved");
        double nd = json_number_value(json_object_get(dn, "drafts"));
        sum_d += nd;
        sum_i += json_number_value(json_object_get(dn, "items"));
        if (nd > 0 && !with++)
            dm__strlcpy(with_name, name, sizeof with_name);
        if (nd == 0 && !without++)
            dm__strlcpy(without_name, name, sizeof without_name);
        json_decref(d);
    }
    json_decref(all);
    dm_store_close(s);
    ASSERT_NEAR(sum_d, drafts, 0);
    ASSERT_NEAR(sum_i, items, 0);
    ASSERT(with > 0 && without > 0);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats %s --district '%s'", db, with_name), 0);
    ASSERT_CONTAINS(out, "awaiting review");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "stats %s --district '%s'", db, without_name), 0);
    ASSERT(!strstr(out, "awaiting review"));
    free(out);
    /* the report says it, nationally and of the district; not once approved */
    const char *html = dmtest_path("na.html");
    ASSERT_EQ(dmtest_demine(&out, "report %s --out %s", db, html), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cat %s", html), 0);
    ASSERT_CONTAINS(out, "Not in these figures: 2 field reports awaiting review");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report %s --district '%s' --out %s --force", db, with_name, html), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cat %s", html), 0);
    ASSERT_CONTAINS(out, "field report");
    ASSERT_CONTAINS(out, "awaiting review");
    free(out);
    ASSERT_EQ(dmtest_approve_drafts(db), 2);
    ASSERT_EQ(dmtest_demine(&out, "report %s --out %s --force", db, html), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "cat %s", html), 0);
    ASSERT(!strstr(out, "Not in these figures"));
    free(out);
}

/* the report's key figures say items found, as stats does, not "found and
 * destroyed": the demo's finds include items removed (fate), not destroyed */
TEST(report_counts_items_found_not_destroyed)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select count(*) from items where fate <> 'destroyed_in_situ'\"", db), 0);
    ASSERT(atol(out) > 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report %s --out %s", db, dmtest_path("r.html")), 0);
    free(out);
    char *h = dmtest_read_file(dmtest_path("r.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "Explosive ordnance found: ");
    ASSERT(!strstr(h, "found and destroyed"));
    free(h);
}

/* A report run again replaces its last one (PDF or HTML, one written before
 * the HTML had its generator meta too); any other file of that name -- a
 * document of the user's given by mistake to --out -- is refused naming it
 * and --force, kept as it was, and no scratch file is left. An empty file
 * holds nothing to lose. */
TEST(report_replaces_only_a_report_it_wrote)
{
    const char *db = dmtest_path("rr.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    const char *pdf = dmtest_path("mine.pdf"), *html = dmtest_path("mine.html");
    dmtest_write_file(pdf, "keep\n");
    dmtest_write_file(html, "<html><body>my notes</body></html>\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --out '%s'", db, pdf), 2);
    ASSERT_CONTAINS(out, "mine.pdf exists and is not a PDF demine wrote: not replacing it");
    ASSERT_CONTAINS(out, "--force");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --out '%s'", db, html), 2);
    ASSERT_CONTAINS(out, "mine.html exists and is not an HTML page demine wrote");
    free(out);
    char *t = dmtest_read_file(pdf);
    ASSERT_STREQ(t, "keep\n");
    free(t);
    t = dmtest_read_file(html);
    ASSERT_STREQ(t, "<html><body>my notes</body></html>\n");
    free(t);
    /* a PDF of another program is not taken for a report */
    dmtest_write_file(pdf, "%PDF-1.5\n1 0 obj << /Creator (LibreOffice) /Producer (demine notes) >> endobj\n");
    ASSERT_DEMINE(2, "not replacing it", "report '%s' --out '%s'", db, pdf);
    /* --force replaces it; then the report is demine's, replaced without */
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s' --force", db, pdf);
    t = dmtest_read_file(pdf);
    ASSERT(t && !strncmp(t, "%PDF-", 5));
    free(t);
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s'", db, pdf);
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s' --force", db, html);
    t = dmtest_read_file(html);
    ASSERT_CONTAINS(t, "<meta name=\"generator\" content=\"demine ");
    free(t);
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s'", db, html);
    /* a report written before the generator meta: known by its closing line */
    dmtest_write_file(html, "<!DOCTYPE html>\n<html><body><h1>Report</h1>\n"
                            "<p><small>Made by demine 0.1.0.</small></p></body></html>\n");
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s'", db, html);
    /* an empty file */
    dmtest_write_file(pdf, "");
    ASSERT_DEMINE(0, "report written to", "report '%s' --out '%s'", db, pdf);
    ASSERT_EQ(dmtest_sh(&out, "ls '%s' | grep -c part", dmtest_tmpdir()), 1);
    ASSERT_CONTAINS(out, "0");
    free(out);
}

/* ---- the report of some districts (--district, --exclude-district) ---- */

static double jv(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

/* The statistics of one district are its row of the table by district,
 * whatever the case of its name; those of every district but one are the
 * others'. */
TEST(stats_of_a_district_equal_its_row_of_the_table_by_district)
{
    const char *db = dmtest_demo_db();
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    char *js = NULL;
    ASSERT_OK(dm_stats_json(s, DM_STATS_BY_DISTRICT, &js));
    json_t *all = json_loads(js, 0, NULL);
    dm_free(ctx, js);
    ASSERT(all);
    json_t *groups = json_object_get(all, "groups");
    ASSERT(json_object_size(groups) >= 3);
    const char *name;
    json_t *g;
    int checked = 0;
    json_object_foreach(groups, name, g)
    {
        char up[256];
        size_t k = 0;
        for (; name[k] && k + 1 < sizeof up; k++)
            up[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        up[k] = 0;
        const char *names[1] = {up};
        rep_scope sc = {names, 1, 0};
        char(*in)[37] = NULL;
        size_t n_in = 0;
        ASSERT_OK(dm__stats_json_scope(s, DM_STATS_BY_DISTRICT, &sc, &js, &in, &n_in));
        json_t *one = json_loads(js, 0, NULL);
        dm_free(ctx, js);
        ASSERT(one);
        json_t *hz = json_object_get(one, "hazards"), *rel = json_object_get(one, "released");
        ASSERT_EQ((double)n_in, jv(g, "hazards"));
        ASSERT_EQ(jv(hz, "count"), jv(g, "hazards"));
        ASSERT_NEAR(jv(hz, "remaining_ha"), jv(g, "remaining_ha"), 1e-6);
        ASSERT_NEAR(jv(rel, "cancelled_ha"), jv(g, "cancelled_ha"), 1e-6);
        ASSERT_NEAR(jv(rel, "reduced_ha"), jv(g, "reduced_ha"), 1e-6);
        ASSERT_NEAR(jv(rel, "cleared_ha"), jv(g, "cleared_ha"), 1e-6);
        ASSERT_EQ(jv(json_object_get(one, "items"), "total"), jv(g, "items"));
        ASSERT_EQ(jv(json_object_get(one, "accidents"), "count"), jv(g, "accidents"));
        ASSERT_EQ(jv(json_object_get(one, "victims"), "total"), jv(g, "victims"));
        /* its table by district: its row alone, as the database names it */
        json_t *og = json_object_get(one, "groups");
        ASSERT_EQ(json_object_size(og), 1);
        ASSERT(json_object_get(og, name));
        checked += jv(g, "hazards") > 0;
        json_decref(one);
        dm_free(ctx, in);
    }
    ASSERT(checked >= 3);
    /* every district but the first: the rest of the country */
    json_object_foreach(groups, name, g) break;
    const char *names[1] = {name};
    rep_scope ex = {names, 1, 1};
    ASSERT_OK(dm__stats_json_scope(s, DM_STATS_BY_DISTRICT, &ex, &js, NULL, NULL));
    json_t *rest = json_loads(js, 0, NULL);
    dm_free(ctx, js);
    ASSERT(rest);
    ASSERT_EQ(jv(json_object_get(rest, "hazards"), "count"),
              jv(json_object_get(all, "hazards"), "count") - jv(g, "hazards"));
    ASSERT_NEAR(jv(json_object_get(rest, "released"), "total_ha"),
                jv(json_object_get(all, "released"), "total_ha") - jv(g, "cancelled_ha") - jv(g, "reduced_ha") -
                    jv(g, "cleared_ha") - jv(g, "unknown_ha"),
                1e-6);
    ASSERT(!json_object_get(json_object_get(rest, "groups"), name));
    json_decref(rest);
    json_decref(all);
    dm_store_close(s);
}

static void put_polygon(dm_store *s, const char *layer, const char *field, const char *value, const char *ref,
                        double x0, double y0, double dx, double dy)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    if (value)
        ASSERT_OK(dm_row_set(r, field, value));
    if (ref) { /* a hazard */
        ASSERT_OK(dm_row_set(r, "ref", ref));
        ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
    }
    char wkt[300];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f))", x0, y0, x0 + dx,
             y0, x0 + dx, y0 + dy, x0, y0 + dy, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

/* A hazard is of the district its field names, else of the polygon that
 * holds it; the maps of a district's report show its hazards alone, on an
 * extent fitted to its polygon, its outline marked. */
TEST(report_of_a_district_maps_its_hazards_on_its_extent)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("two.gpkg"), DM_STORE_CREATE, &s));
    put_polygon(s, "districts", "name", "North", NULL, 47.0, 39.95, 0.1, 0.05);
    put_polygon(s, "districts", "name", "South", NULL, 47.0, 39.6, 0.1, 0.35);
    /* in North: one without a field (its polygon's), one naming North, one
     * naming South (its field's); in South: one naming South */
    put_polygon(s, "hazards", NULL, NULL, "N-1", 47.01, 39.96, 0.005, 0.005);
    put_polygon(s, "hazards", "district", "North", "N-2", 47.05, 39.97, 0.005, 0.005);
    put_polygon(s, "hazards", "district", "South", "S-1", 47.08, 39.98, 0.005, 0.005);
    put_polygon(s, "hazards", "district", "South", "S-2", 47.02, 39.65, 0.005, 0.005);
    dm_store_close(s);
    ASSERT_OK(dm_store_open(ctx, dmtest_path("two.gpkg"), DM_STORE_READONLY, &s));
    const char *names[1] = {"north"};
    dm_report_opts o;
    memset(&o, 0, sizeof o);
    o.districts = names;
    o.n_districts = 1;
    rep_data d;
    ASSERT_OK(dm__report_gather(s, &o, &d));
    ASSERT(d.scoped);
    ASSERT_STREQ(d.scope, "the district North");
    ASSERT_STREQ(d.title, "Mine action status report: North district");
    ASSERT_EQ(d.n_hz, 2);
    ASSERT(d.veil);
    int marked = 0;
    for (size_t i = 0; i < d.n_dist; i++)
        marked += d.dist[i].cls == 1;
    ASSERT_EQ(marked, 1);
    /* North's polygon with a margin, not the country's (down to 39.6) */
    ASSERT_MSG(d.view[0] < 47.0 && d.view[0] > 46.99 && d.view[2] > 47.1 && d.view[2] < 47.11, "%f %f", d.view[0],
               d.view[2]);
    ASSERT_MSG(d.view[1] < 39.95 && d.view[1] > 39.94 && d.view[3] > 40.0 && d.view[3] < 40.01, "%f %f", d.view[1],
               d.view[3]);
    ASSERT_EQ(jv(json_object_get(d.stats, "hazards"), "count"), 2);
    dm__report_free(&d);
    /* every district but North: S-1 (its field) and S-2 */
    o.exclude_districts = 1;
    ASSERT_OK(dm__report_gather(s, &o, &d));
    ASSERT_EQ(d.n_hz, 2);
    ASSERT_STREQ(d.scope, "every district but North");
    ASSERT(!d.veil);
    ASSERT(d.view[1] < 39.65);
    dm__report_free(&d);
    /* the whole country: as before */
    ASSERT_OK(dm__report_gather(s, NULL, &d));
    ASSERT(!d.scoped);
    ASSERT_EQ(d.n_hz, 4);
    for (size_t i = 0; i < d.n_dist; i++)
        ASSERT_EQ(d.dist[i].cls, -1);
    dm__report_free(&d);
    dm_store_close(s);
    /* the HTML report: North's row alone, South nowhere in its tables */
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --district NORTH --out '%s'", dmtest_path("two.gpkg"),
                           dmtest_path("n.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(dmtest_path("n.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "<h1>Mine action status report: North district</h1>");
    ASSERT_CONTAINS(h, "Of the district North alone");
    ASSERT_CONTAINS(h, "<li>Hazardous areas: 2 (");
    ASSERT_CONTAINS(h, "<tr><td>North</td><td>2</td>");
    ASSERT(!strstr(h, "<td>South</td>"));
    ASSERT_CONTAINS(h, "no plan yet (demine plan DB --district North).");
    free(h);
}

/* The HTML report of a district under a plan of every district: its key
 * figures are its row of the table by district, its priorities are its
 * hazards by their rank in the plan, its part of the plan is the plan's
 * own figures of it, and the plan's dates and comparison are said to be of
 * every district. No hazard of another district is in it. */
TEST(report_of_a_district_gives_its_figures_and_its_part_of_a_national_plan)
{
    const char *db = dmtest_demo_db();
    json_t *pj = plan_with(db, NULL);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --by district --json", db), 0);
    json_t *st = json_loads(out, 0, NULL);
    free(out);
    ASSERT(st);
    json_t *g = json_object_get(json_object_get(st, "groups"), "Aghjabadi");
    ASSERT(g && jv(g, "hazards") > 0 && jv(g, "items") > 0 && jv(g, "accidents") > 0);
    int rc = dmtest_demine(&out, "report '%s' --district aghjabadi --out '%s' --date 2026-06-30", db,
                           dmtest_path("agj.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(dmtest_path("agj.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "<title>Mine action status report: Aghjabadi district</title>");
    char want[400];
    snprintf(want, sizeof want, "<li>Hazardous areas: %.0f (SHA ", jv(g, "hazards"));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "; %.1f ha still to release</li>", jv(g, "remaining_ha"));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "(cancelled %.1f, reduced %.1f, cleared %.1f)", jv(g, "cancelled_ha"),
             jv(g, "reduced_ha"), jv(g, "cleared_ha"));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "<li>Explosive ordnance found: %.0f items</li>", jv(g, "items"));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "<li>Casualties: %.0f (", jv(g, "victims"));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "<tr><td>Aghjabadi</td><td>%.0f</td>", jv(g, "hazards"));
    ASSERT_CONTAINS(h, want);
    /* no row, ref or figure of the other districts */
    const char *others[] = {"Aghdam", "Khojaly", "Khojavend", "AGD-", "KHJ-", "KHV-"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        ASSERT_MSG(!strstr(h, others[k]), "%s in the report of Aghjabadi", others[k]);
    ASSERT_CONTAINS(h, "<td>AGJ-");
    ASSERT_CONTAINS(h, "<h2>Priorities in the district Aghjabadi, by their rank in the plan of every district</h2>");
    /* its part of the plan: the plan's own row of it */
    json_t *pd = NULL, *e;
    size_t k;
    json_array_foreach(json_object_get(pj, "districts"), k, e)
    {
        if (!strcmp(json_string_value(json_object_get(e, "district")), "Aghjabadi"))
            pd = e;
    }
    ASSERT(pd);
    snprintf(want, sizeof want,
             "<li>Plan from 2026-01-05, of every district: %.0f of its %.0f open hazards %s in the district "
             "Aghjabadi, %.1f ha, %.0f expected items</li>",
             jv(pd, "hazards"), jv(pj, "hazards"), jv(pd, "hazards") == 1 ? "is" : "are", jv(pd, "area_ha"),
             jv(pd, "expected_items"));
    ASSERT_CONTAINS(h, want);
    char u[40];
    snprintf(want, sizeof want, "Their cost at unit rates USD %s", dm_plan_usd_text(u, sizeof u, jv(pd, "cost_usd")));
    ASSERT_CONTAINS(h, want);
    snprintf(want, sizeof want, "their land released by %s in the plan's schedule",
             json_string_value(json_object_get(pd, "end")));
    ASSERT_CONTAINS(h, want);
    ASSERT_CONTAINS(h, "The plan's years, forecast, total cost and the donor's comparison are of every district, "
                       "not of the district Aghjabadi: demine plan DB --district Aghjabadi makes a plan of these "
                       "alone");
    /* the national years and comparison are not given as the district's */
    ASSERT(!strstr(h, "High-risk land released by"));
    ASSERT(!strstr(h, "Clearing every suspected hectare:"));
    free(h);
    json_decref(pj);
    json_decref(st);
    /* the PDF: its title and what it is of on the cover, four pages */
    rc = dmtest_demine(&out, "report '%s' --district Aghjabadi --district Khojaly --date 2026-06-30", db);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    ASSERT_CONTAINS(out, "demo-report-Aghjabadi-Khojaly.pdf");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", dmtest_path("demo-report-Aghjabadi-Khojaly.pdf")), 0);
    ASSERT_CONTAINS(out, "Mine action status report: Aghjabadi and Khojaly districts");
    ASSERT_CONTAINS(out, "Of the districts Aghjabadi, Khojaly alone");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdfinfo '%s'", dmtest_path("demo-report-Aghjabadi-Khojaly.pdf")), 0);
    ASSERT_CONTAINS(out, "Pages:           4");
    free(out);
}

/* A plan of one district read by the report of another says there is no
 * plan of it, and shows none of the other's; by the report of its own
 * district it is shown whole; by a report of it and another, the other is
 * named as not in the plan. */
TEST(report_of_a_district_says_whose_the_stored_plan_is)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --prior --samples 20 --start 2026-01-05 --district Khojaly --csv '%s' "
                                 "--out-json '%s'",
                           db, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    char *h = NULL;
    rc = dmtest_demine(&out, "report '%s' --district Aghdam --out '%s'", db, dmtest_path("a.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    h = dmtest_read_file(dmtest_path("a.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "<li>No plan of the district Aghdam: the stored plan (from 2026-01-05) is of the district "
                       "Khojaly, none of whose 7 hazards is in it; demine plan DB --district Aghdam makes one</li>");
    ASSERT_CONTAINS(h, "<p>no plan of the district Aghdam: the stored plan is of the district Khojaly.</p>");
    ASSERT(!strstr(h, "KHJ-"));
    ASSERT(!strstr(h, "Clearing every suspected hectare"));
    free(h);
    rc = dmtest_demine(&out, "report '%s' --district Khojaly --out '%s'", db, dmtest_path("k.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    h = dmtest_read_file(dmtest_path("k.html"));
    ASSERT(h);
    ASSERT_CONTAINS(h, "open hazards (the district Khojaly)");
    ASSERT_CONTAINS(h, "<h2>First priorities of the plan</h2>");
    ASSERT_CONTAINS(h, "<td>KHJ-");
    ASSERT_CONTAINS(h, "Clearing every suspected hectare");
    ASSERT(!strstr(h, "Not in the stored plan"));
    free(h);
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --by district --json", db), 0);
    json_t *st = json_loads(out, 0, NULL);
    free(out);
    ASSERT(st);
    double agd = jv(json_object_get(json_object_get(st, "groups"), "Aghdam"), "remaining_ha");
    json_decref(st);
    rc = dmtest_demine(&out, "report '%s' --district Khojaly --district Aghdam --out '%s'", db, dmtest_path("ka.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    h = dmtest_read_file(dmtest_path("ka.html"));
    ASSERT(h);
    char want[200];
    snprintf(want, sizeof want, "<li>Not in the stored plan (of the district Khojaly): Aghdam (%.1f ha to release)</li>",
             agd);
    ASSERT_CONTAINS(h, want);
    free(h);
}

/* A district the database does not know is refused naming those it knows,
 * before anything is written; the options that do not go together are
 * refused. */
TEST(report_of_a_district_refuses_an_unknown_one)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    const char *html = dmtest_path("x.html");
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --district Agdam --out '%s'", db, html), 2);
    ASSERT_CONTAINS(out, "no district 'Agdam'");
    ASSERT_CONTAINS(out, "known: in districts Aghdam, Aghjabadi, Khojaly, Khojavend");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --district Aghdam --exclude-district Khojaly --out '%s'", db, html), 2);
    ASSERT_CONTAINS(out, "not both");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --exclude-district Agdam --out '%s'", db, html), 2);
    ASSERT_CONTAINS(out, "no district 'Agdam'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --district Aghdam --district Khojaly", db), 2);
    ASSERT_CONTAINS(out, "one district");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --exclude-district Aghdam", db), 2);
    ASSERT_CONTAINS(out, "--exclude-district is for the status report");
    free(out);
    ASSERT(access(html, F_OK) != 0);
    ASSERT(access(dmtest_path("x.html.part"), F_OK) != 0);
}

/* demine stats --district: the figures of a district alone, equal to its
 * row of the table by district, the choice named; a name no district has
 * is refused naming those known. */
TEST(stats_of_one_district_equal_its_row_of_the_table)
{
    const char *db = dmtest_demo_db();
    char dbp[1024];
    snprintf(dbp, sizeof dbp, "%s", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --by district --json", dbp), 0);
    json_error_t err;
    json_t *all = json_loads(out, 0, &err);
    free(out);
    ASSERT(all);
    json_t *row = json_object_get(json_object_get(all, "groups"), "Aghjabadi");
    ASSERT(row);
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --district aghjabadi --json", dbp), 0);
    json_t *one = json_loads(out, 0, &err);
    free(out);
    ASSERT(one);
    ASSERT_STREQ(json_string_value(json_object_get(one, "scope")), "the district Aghjabadi");
    json_t *hz = json_object_get(one, "hazards");
    ASSERT_EQ(json_integer_value(json_object_get(hz, "count")), json_integer_value(json_object_get(row, "hazards")));
    ASSERT_NEAR(json_number_value(json_object_get(json_object_get(one, "items"), "total")),
                json_number_value(json_object_get(row, "items")), 1e-9);
    ASSERT(json_integer_value(json_object_get(hz, "count")) <
           json_integer_value(json_object_get(json_object_get(all, "hazards"), "count")));
    json_decref(one);
    json_decref(all);
    ASSERT_DEMINE(0, "Statistics of every district but Aghjabadi alone", "stats '%s' --exclude-district Aghjabadi", dbp);
    ASSERT_DEMINE(2, "no district 'Aghjabad' in layer districts (field name) nor in layer hazards (field district); known:",
                  "stats '%s' --district Aghjabad", dbp);
    ASSERT_DEMINE(2, "do not go together", "stats '%s' --district Aghjabadi --exclude-district Aghdam", dbp);
}
