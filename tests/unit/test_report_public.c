/* SPDX-License-Identifier: MIT
 *
 * test_report_public.c -- the printable public danger map (demine report
 * --public): a valid one-page PDF with the title, the safety messages in
 * both languages, the date of the data and the zone count; none of the
 * database's hazard refs, names or notes, item models, accident or victim
 * text, records or front lines; the zone count of a district is the zones
 * that meet its polygon; an area without zones says so; bad input is
 * refused with exit 2 naming what is known.
 */
#include "dmtest.h"

#include <cairo.h>
#include <ctype.h>
#include <time.h>
#include <unistd.h>

/* The PDF's text (pdftotext -raw) with every run of white space made one
 * space, so that wrapped lines read as the sentences drawn. */
static char *pdf_text(const char *pdf)
{
    char *out = NULL;
    int rc = dmtest_sh(&out, "pdftotext -raw '%s' -", pdf);
    ASSERT_MSG(rc == 0, "pdftotext failed: %s", out);
    char *w = out;
    int sp = 0;
    for (const char *r = out; *r; r++) {
        if (isspace((unsigned char)*r)) {
            sp = 1;
            continue;
        }
        if (sp && w > out)
            *w++ = ' ';
        sp = 0;
        *w++ = *r;
    }
    *w = 0;
    return out;
}

static void assert_pdf(const char *pdf)
{
    char *head = dmtest_read_file(pdf);
    ASSERT(head);
    ASSERT_MSG(!strncmp(head, "%PDF-", 5), "%s is not a PDF", pdf);
    free(head);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pdfinfo '%s'", pdf), 0);
    const char *pg = strstr(out, "Pages:");
    ASSERT(pg);
    ASSERT_EQ(strtol(pg + 6, NULL, 10), 1);
    free(out);
}

/* The number in "N danger zone(s) in this area", -1 when the page says
 * there is none. */
static int zone_count(const char *text)
{
    if (strstr(text, "No known danger zone in this area"))
        return -1;
    for (const char *p = strstr(text, " danger zone"); p; p = strstr(p + 1, " danger zone")) {
        const char *q = p;
        while (q > text && isdigit((unsigned char)q[-1]))
            q--;
        if (q < p && (q == text || q[-1] == ' ')) /* "N danger zone(s) in this area" */
            return (int)strtol(q, NULL, 10);
    }
    dmtest_fail(__FILE__, __LINE__, "no zone count in: %.2000s", text);
    return -2;
}

/* Pixels of the zones' red on the page (rendered at 40 dpi). */
static long red_pixels(const char *pdf)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pdftoppm -r 40 -png -singlefile '%s' '%s'", pdf, dmtest_path("pub")), 0);
    free(out);
    cairo_surface_t *s = cairo_image_surface_create_from_png(dmtest_path("pub.png"));
    ASSERT(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    long n = 0;
    for (int y = h / 6; y < h * 2 / 3; y++) /* the map, under the red title band */
        for (int x = 0; x < w; x++) {
            uint32_t v = ((const uint32_t *)(px + (size_t)y * stride))[x];
            int r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
            n += r > 180 && g < 150 && b < 150;
        }
    cairo_surface_destroy(s);
    return n;
}

/* The zones of the database (as the web map makes them) that meet geometry
 * area, or all of them when area is NULL. */
static int zones_meeting(const char *db, const char *district)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    dm_geom *area = NULL;
    if (district) {
        const char *f[1] = {"name"}, *v[1] = {district};
        dm_select sel;
        memset(&sel, 0, sizeof sel);
        sel.eq_field = f, sel.eq_value = v, sel.n_eq = 1;
        dm_cursor *c = NULL;
        ASSERT_OK(dm_store_select(s, "districts", &sel, &c));
        ASSERT_EQ(dm_cursor_next(c), 1);
        ASSERT_OK(dm_cursor_geom(c, &area));
        dm_cursor_free(c);
        ASSERT(area);
    }
    const dm_danger_opts o = {100, 25, 50};
    dm_geom *z = NULL;
    ASSERT_OK(dm_danger_zones(s, &o, &z));
    ASSERT(z);
    dm_coords co;
    ASSERT_OK(dm_geom_coords(ctx, z, &co));
    int n = 0;
    for (size_t k = 0; k < co.n_parts; k++) {
        if (co.kind[k] != 2)
            continue;
        dm_geom *poly = NULL;
        ASSERT_OK(dm_geom_polygon(ctx, co.xy + 2 * co.start[k], co.start[k + 1] - co.start[k], &poly));
        n += !area || dm_geom_intersects(poly, area);
        dm_geom_free(poly);
    }
    dm_coords_free(ctx, &co);
    dm_geom_free(z);
    dm_geom_free(area);
    dm_store_close(s);
    return n;
}

/* Every text value of length 4 or more of a layer's fields, checked to be
 * absent from text. Returns the values checked. */
static int assert_absent(const char *db, const char *layer, const char *const *fields, const char *text)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, layer, NULL, &c));
    int n = 0;
    while (dm_cursor_next(c) == 1)
        for (const char *const *f = fields; *f; f++) {
            const char *v = dm_cursor_text(c, *f);
            if (!v || strlen(v) < 4)
                continue;
            ASSERT_MSG(!strstr(text, v), "the public map shows %s.%s '%s'", layer, *f, v);
            n++;
        }
    dm_cursor_free(c);
    dm_store_close(s);
    return n;
}

TEST(public_map_is_a_pdf_with_title_messages_date_and_zones)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("public.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --public --out '%s' --date 2026-06-30", db, pdf);
    ASSERT_MSG(rc == 0, "report --public failed: %s", out);
    ASSERT_CONTAINS(out, "danger zones in the area");
    free(out);
    assert_pdf(pdf);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Danger from mines and unexploded ordnance");
    ASSERT_CONTAINS(t, "Mina və partlamamış hərbi sursat təhlükəsi");
    size_t n = 0;
    const dm_danger_message *m = dm_danger_messages(&n);
    ASSERT_EQ(n, 5);
    for (size_t i = 0; i < n; i++) {
        ASSERT_CONTAINS(t, m[i].en);
        ASSERT_CONTAINS(t, m[i].az);
    }
    ASSERT_CONTAINS(t, "Zones are approximate; ground outside them is not proven safe.");
    ASSERT_CONTAINS(t, "Zonalar təxminidir");
    ASSERT_CONTAINS(t, "Danger zones as of 20");
    ASSERT_CONTAINS(t, "Printed 2026-06-30");
    /* settlement names as labels, grid degrees to match a GPS */
    ASSERT_CONTAINS(t, "Shelli");
    ASSERT_CONTAINS(t, "°E");
    ASSERT_CONTAINS(t, "°N");
    ASSERT_CONTAINS(t, " km");
    /* the whole extent of the zones: every zone counted */
    int all = zones_meeting(db, NULL);
    ASSERT(all > 3);
    ASSERT_EQ(zone_count(t), all);
    ASSERT_MSG(red_pixels(pdf) > 300, "no danger zones drawn (%ld red pixels)", red_pixels(pdf));
    free(t);
}

/* Only what the public map shows: no hazard ref, name or note, no item
 * model, no accident or victim text, no record, no front line. */
TEST(public_map_shows_nothing_of_hazards_items_accidents_or_records)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("pub-safe.pdf");
    ASSERT_DEMINE(0, NULL, "report '%s' --public --out '%s'", db, pdf);
    char *t = pdf_text(pdf);
    ASSERT(!strstr(t, "KHV-"));
    ASSERT(!strstr(t, "AGJ-"));
    ASSERT(!strstr(t, "-SHA-"));
    ASSERT(!strstr(t, "-CHA-"));
    static const char *const hz[] = {"ref", "name", "notes", "organisation", NULL};
    static const char *const it[] = {"model", NULL};
    static const char *const ac[] = {"device", "activity_at_time", "notes", NULL};
    static const char *const vi[] = {"name", NULL};
    static const char *const rec[] = {"ref", "source", "mine_types", NULL};
    int n = assert_absent(db, "hazards", hz, t);
    ASSERT_MSG(n > 50, "only %d hazard values checked", n);
    ASSERT(assert_absent(db, "items", it, t) > 0);
    ASSERT(assert_absent(db, "accidents", ac, t) > 0);
    ASSERT(assert_absent(db, "victims", vi, t) > 0);
    assert_absent(db, "records", rec, t);
    /* front lines and military positions: their names never printed */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "features", NULL, &c));
    int fl = 0;
    while (dm_cursor_next(c) == 1) {
        const char *cls = dm_cursor_text(c, "class"), *name = dm_cursor_text(c, "name");
        if (cls && (!strcmp(cls, "front_line") || !strcmp(cls, "military_position")) && name && *name) {
            ASSERT_MSG(!strstr(t, name), "the public map names the %s '%s'", cls, name);
            fl++;
        }
    }
    dm_cursor_free(c);
    dm_store_close(s);
    ASSERT(fl > 0);
    free(t);
}

/* --district: the page is the district's, and its count is the zones that
 * meet the district's polygon, fewer than all. */
TEST(public_map_of_a_district_counts_its_zones)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("pub-d.pdf");
    ASSERT_DEMINE(0, NULL, "report '%s' --public --out '%s' --district aghdam --lang en", db, pdf);
    assert_pdf(pdf);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Danger from mines and unexploded ordnance: Aghdam");
    ASSERT_CONTAINS(t, "District Aghdam");
    int want = zones_meeting(db, "Aghdam"), all = zones_meeting(db, NULL);
    ASSERT(want > 0 && want < all);
    ASSERT_EQ(zone_count(t), want);
    /* English only */
    ASSERT(!strstr(t, "Təhlükə"));
    ASSERT(!strstr(t, "Mina və"));
    free(t);
    /* Azerbaijani only */
    ASSERT_DEMINE(0, NULL, "report '%s' --public --out '%s' --district Aghdam --lang az", db, pdf);
    t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Mina və partlamamış hərbi sursat təhlükəsi: Aghdam");
    ASSERT_CONTAINS(t, "Aghdam rayonu");
    ASSERT_CONTAINS(t, "təhlükə zonası");
    ASSERT(!strstr(t, "Danger from mines"));
    ASSERT(!strstr(t, "Zones are approximate"));
    free(t);
}

/* A settlement and 3 km about it: the page names it in the title. */
TEST(public_map_of_a_settlement)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("pub-s.pdf");
    ASSERT_DEMINE(0, NULL, "report '%s' --public --out '%s' --settlement shelli --around 2", db, pdf);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Danger from mines and unexploded ordnance: Shelli");
    ASSERT_CONTAINS(t, "2 km around Shelli");
    ASSERT(zone_count(t) != 0);
    free(t);
}

/* An area with no zone says so plainly, on the page and on the map. */
TEST(public_map_of_an_area_without_zones_says_so)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("pub-none.pdf");
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --public --out '%s' --bbox 10,10,10.05,10.05", db, pdf);
    ASSERT_MSG(rc == 0, "%s", out);
    ASSERT_CONTAINS(out, ": 0 danger zones");
    free(out);
    assert_pdf(pdf);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "No known danger zone in this area");
    ASSERT_CONTAINS(t, "Bu ərazidə məlum təhlükə zonası yoxdur");
    ASSERT_EQ(zone_count(t), -1);
    ASSERT_CONTAINS(t, "Never touch, move or pick up an unknown object.");
    free(t);
    /* a database with no hazard at all */
    const char *empty = dmtest_path("pub-empty.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", empty);
    ASSERT_DEMINE(0, NULL, "report '%s' --public --out '%s'", empty, pdf);
    assert_pdf(pdf);
    t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "No known danger zone in this area");
    ASSERT_CONTAINS(t, "No hazardous area is recorded");
    ASSERT_CONTAINS(t, dm_danger_message_text("signs", 1));
    free(t);
}

/* The date of the data is the latest change to the hazards as the change
 * log holds it: hazards imported with their old stamps (as `export` writes
 * them) and one deleted today read today, not the rows' last "updated". */
TEST(public_map_dates_the_zones_by_their_last_change)
{
    const char *db = dmtest_path("pub-date.gpkg"), *pdf = dmtest_path("pub-date.pdf");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    dmtest_write_file(dmtest_path("hz.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"D-1\",\"hazard_type\":\"SHA\","
                      "\"created\":\"2024-01-05T10:00:00Z\",\"updated\":\"2024-01-05T10:00:00Z\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.91,39.90],"
                      "[46.91,39.91],[46.90,39.91],[46.90,39.90]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"D-2\",\"hazard_type\":\"SHA\","
                      "\"created\":\"2024-01-05T10:00:00Z\",\"updated\":\"2024-01-05T10:00:00Z\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.90],[46.96,39.90],"
                      "[46.96,39.91],[46.95,39.91],[46.95,39.90]]]}}]}");
    ASSERT_DEMINE(0, NULL, "import '%s' --layer hazards '%s'", db, dmtest_path("hz.geojson"));
    ASSERT_DEMINE(0, NULL, "delete '%s' D-2 --reason 'entered twice'", db);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char want[64];
    strftime(want, sizeof want, "Danger zones as of %Y-%m-%d", &tm);
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --public --out '%s' --lang en", db, pdf);
    ASSERT_MSG(rc == 0, "%s", out);
    free(out);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, want);
    ASSERT(!strstr(t, "2024-01-05"));
    free(t);
}

/* Bad input: exit 2 and a message that says what is known or expected;
 * no file is left behind. */
TEST(public_map_refuses_bad_input)
{
    const char *db = dmtest_demo_db();
    const char *pdf = dmtest_path("pub-bad.pdf");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --district Nowhere", db, pdf), 2);
    ASSERT_CONTAINS(out, "no district 'Nowhere'");
    ASSERT_CONTAINS(out, "Aghdam");
    ASSERT_CONTAINS(out, "Khojaly");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --settlement Nowhere", db, pdf), 2);
    ASSERT_CONTAINS(out, "no settlement 'Nowhere'");
    ASSERT_CONTAINS(out, "Shelli");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s'", db, dmtest_path("pub.html")), 2);
    ASSERT_CONTAINS(out, ".pdf");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --bbox 500000,4400000,510000,4410000", db, pdf),
              2);
    ASSERT_CONTAINS(out, "not in degrees");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --bbox 47.1,39.9,47.0,40.0", db, pdf), 2);
    ASSERT_CONTAINS(out, "west less than east");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --bbox 47,39.9", db, pdf), 2);
    ASSERT_CONTAINS(out, "W,S,E,N");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --lang fr", db, pdf), 2);
    ASSERT_CONTAINS(out, "az, en or both");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s' --district Aghdam --settlement Shelli", db, pdf),
              2);
    ASSERT_CONTAINS(out, "one area");
    free(out);
    /* (--district alone is the status report of a district: test_report.c) */
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --out '%s' --settlement Shelli", db, pdf), 2);
    ASSERT_CONTAINS(out, "--settlement needs --public");
    free(out);
    ASSERT(access(pdf, F_OK) != 0);
    ASSERT(access(dmtest_path("pub-bad.pdf.part"), F_OK) != 0);
    /* a directory that does not exist: named, not the scratch file */
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s/none/map.pdf'", db, dmtest_tmpdir()), 3);
    ASSERT_CONTAINS(out, "none does not exist");
    ASSERT(!strstr(out, ".part"));
    free(out);
}

/* The messages live in the library: five, each in both languages, the
 * Azerbaijani with its own letters. */
TEST(danger_messages_in_both_languages)
{
    size_t n = 0;
    const dm_danger_message *m = dm_danger_messages(&n);
    ASSERT_EQ(n, 5);
    static const char *const ids[5] = {"danger", "caution", "unknown", "touch", "signs"};
    for (size_t i = 0; i < n; i++) {
        ASSERT_STREQ(m[i].id, ids[i]);
        ASSERT(strlen(m[i].en) > 20 && strlen(m[i].az) > 20);
        ASSERT(strcmp(m[i].en, m[i].az) != 0);
        ASSERT(m[i].en == dm_danger_message_text(ids[i], 0));
        ASSERT(m[i].az == dm_danger_message_text(ids[i], 1));
    }
    ASSERT(strstr(m[0].az, "ə") && strstr(m[3].az, "ş"));
    ASSERT(!dm_danger_message_text("nope", 0));
}

/* A district that the districts layer does not hold (a database of hazards
 * imported without district polygons) is the area of the hazards whose own
 * district field names it, with a margin, and the command says so; a name
 * neither holds is refused listing the names of both. */
TEST(public_map_of_a_district_named_only_by_its_hazards)
{
    const char *db = dmtest_path("pub-hzd.gpkg"), *pdf = dmtest_path("pub-hzd.pdf");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    dmtest_write_file(dmtest_path("hzd.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"T-1\",\"hazard_type\":\"SHA\","
                      "\"district\":\"Test\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.91,39.90],"
                      "[46.91,39.91],[46.90,39.91],[46.90,39.90]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"O-1\",\"hazard_type\":\"SHA\","
                      "\"district\":\"Other\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[47.30,40.30],[47.31,40.30],"
                      "[47.31,40.31],[47.30,40.31],[47.30,40.30]]]}}]}");
    ASSERT_DEMINE(0, NULL, "import '%s' --layer hazards '%s'", db, dmtest_path("hzd.geojson"));
    char *out = NULL;
    int rc = dmtest_demine(&out, "report '%s' --public --district test --out '%s' --lang en", db, pdf);
    ASSERT_MSG(rc == 0, "%s", out);
    ASSERT_CONTAINS(out, "district 'Test' has no row in layer districts: the map shows the area of its 1 hazard "
                         "(field district of layer hazards)");
    ASSERT_CONTAINS(out, ": 1 danger zone in the area");
    free(out);
    assert_pdf(pdf);
    char *t = pdf_text(pdf);
    ASSERT_CONTAINS(t, "Danger from mines and unexploded ordnance: Test");
    ASSERT_CONTAINS(t, "District Test");
    ASSERT_EQ(zone_count(t), 1); /* the other district's hazard, 50 km off, is not in its area */
    free(t);
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --district Nowhere --out '%s'", db, pdf), 2);
    ASSERT_CONTAINS(out, "no district 'Nowhere' in layer districts (field name) nor in layer hazards (field "
                         "district); known: in districts none; in hazards Other, Test");
    free(out);
}

/* The map run again replaces its last one, and a national report's PDF
 * (demine's too); a PDF of the user's is kept unless --force. */
TEST(public_map_replaces_only_a_pdf_demine_wrote)
{
    const char *db = dmtest_path("pub-rep.gpkg"), *pdf = dmtest_path("pub-mine.pdf");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    dmtest_write_file(pdf, "%PDF-1.4\n% a leaflet of the user's\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "report '%s' --public --out '%s'", db, pdf), 2);
    ASSERT_CONTAINS(out, "pub-mine.pdf exists and is not a PDF demine wrote: not replacing it with the danger map; "
                         "give --force to replace it");
    free(out);
    char *t = dmtest_read_file(pdf);
    ASSERT_STREQ(t, "%PDF-1.4\n% a leaflet of the user's\n");
    free(t);
    ASSERT_DEMINE(0, "public danger map written", "report '%s' --public --out '%s' --force", db, pdf);
    ASSERT_DEMINE(0, "public danger map written", "report '%s' --public --out '%s'", db, pdf);
    ASSERT_DEMINE(0, "report written", "report '%s' --out '%s'", db, pdf);
    ASSERT_DEMINE(0, "public danger map written", "report '%s' --public --out '%s'", db, pdf);
    assert_pdf(pdf);
}
