/* SPDX-License-Identifier: MIT
 *
 * test_store.c -- the store: creating databases, inserting, updating and
 * deleting rows, the change log, transactions and refusals of bad rows.
 */
#include "dmtest.h"
#include "store/store_internal.h" /* the connection, to have SQLite roll a transaction back */

#include <time.h>

static dm_store *new_store(void)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    return s;
}

static dm_row *hazard_row(const char *ref, const char *wkt)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "ref", ref));
    ASSERT_OK(dm_row_set(r, "hazard_type", "sha"));
    ASSERT_OK(dm_row_set(r, "ordnance", "ap, AT"));
    ASSERT_OK(dm_row_set(r, "reported_date", "2021"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    return r;
}

TEST(store_insert_normalises_and_logs)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-1", "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.91, 46.9 39.9))");
    char uuid[37];
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "hazard_type"), "SHA");
    ASSERT_STREQ(dm_cursor_text(c, "ordnance"), "AP,AT");
    ASSERT_STREQ(dm_cursor_text(c, "reported_date"), "2021-01-01");
    ASSERT_STREQ(dm_cursor_uuid(c), uuid);
    dm_geom *g = NULL;
    ASSERT_OK(dm_cursor_geom(c, &g));
    ASSERT_EQ(dm_geom_type_of(g), DM_GEOM_MULTIPOLYGON);
    double ha = 0;
    ASSERT_OK(dm_geom_area_ha(ctx, g, &ha));
    ASSERT_NEAR(ha, 95.0, 2.0); /* ~0.01 deg x 0.01 deg at 39.9 N */
    dm_geom_free(g);
    ASSERT_EQ(dm_cursor_next(c), 0);
    dm_cursor_free(c);
    char *hist = NULL;
    ASSERT_OK(dm_store_history_json(s, uuid, &hist));
    ASSERT_CONTAINS(hist, "\"op\":\"insert\"");
    ASSERT_CONTAINS(hist, "\"author\":\"tester\"");
    dm_free(ctx, hist);
    dm_store_close(s);
}

TEST(store_update_and_delete_keep_old_values)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-2", "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.9))");
    char uuid[37];
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
    ASSERT_OK(dm_hazard_set_status(s, "H-2", "partly released", NULL, "technical survey"));
    ASSERT_OK(dm_store_delete(s, "hazards", uuid, "duplicate"));
    char *hist = NULL;
    ASSERT_OK(dm_store_history_json(s, uuid, &hist));
    ASSERT_CONTAINS(hist, "\"new\":{\"status\":\"partly_released\"}");
    ASSERT_CONTAINS(hist, "\"reason\":\"technical survey\"");
    ASSERT_CONTAINS(hist, "\"op\":\"delete\"");
    ASSERT_CONTAINS(hist, "\"ref\":\"H-2\"");
    dm_free(ctx, hist);
    long n = -1;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    dm_store_close(s);
}

/* A save of the values a row already has (a date typed day first, a
 * number as text, the same polygon) writes and logs nothing, and says so;
 * one value that differs writes the row and logs that value alone. */
/* How many changes the log holds of row uuid. */
static long changes_of(dm_store *s, const char *uuid)
{
    char *hist = NULL;
    ASSERT_OK(dm_store_history_json(s, uuid, &hist));
    long n = 0;
    for (const char *p = hist; (p = strstr(p, "\"op\":")); p++)
        n++;
    dm_free(dmtest_ctx(), hist);
    return n;
}

TEST(store_update_of_the_same_values_changes_nothing)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    const char *wkt = "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.91, 46.9 39.9))";
    dm_row *r = hazard_row("H-7", wkt);
    ASSERT_OK(dm_row_set(r, "reliability", "3"));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "94.9325"));
    char uuid[37];
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
    long logged0 = changes_of(s, uuid), logged = -1;
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "reported_date", "01.01.2021"));
    ASSERT_OK(dm_row_set(r, "reliability", "3"));
    ASSERT_OK(dm_row_set(r, "ordnance", "AT,AP"));
    int changed = -1;
    ASSERT_OK(dm_store_update_if_changed(s, "H-7", r, "same", &changed));
    ASSERT_EQ(changed, 0);
    dm_row_free(r);
    logged = changes_of(s, uuid);
    ASSERT_EQ(logged, logged0);
    /* one value differs: written, and logged */
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "reliability", "3"));
    ASSERT_OK(dm_row_set(r, "source_grade", "B"));
    ASSERT_OK(dm_store_update_if_changed(s, "H-7", r, "graded", &changed));
    ASSERT_EQ(changed, 1);
    dm_row_free(r);
    logged = changes_of(s, uuid);
    ASSERT_EQ(logged, logged0 + 1);
    /* dm_store_update writes whatever the values */
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "source_grade", "B"));
    ASSERT_OK(dm_store_update(s, "H-7", r, "again"));
    dm_row_free(r);
    logged = changes_of(s, uuid);
    ASSERT_EQ(logged, logged0 + 2);
    dm_store_close(s);
    /* the command line says so */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "edit '%s' H-7 reliability=3 --reason same", dmtest_path("t.gpkg")), 0);
    ASSERT_CONTAINS(out, "unchanged hazards");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit '%s' H-7 reliability=4 --reason new", dmtest_path("t.gpkg")), 0);
    ASSERT_CONTAINS(out, "updated hazards");
    free(out);
}

TEST(store_refuses_bad_rows_and_rolls_back)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    ASSERT_OK(dm_store_begin(s));
    dm_row *r = hazard_row("H-3", "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.9))");
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    /* a bow-tie polygon is invalid */
    r = hazard_row("H-4", "POLYGON((46.9 39.9, 46.91 39.91, 46.91 39.9, 46.9 39.91, 46.9 39.9))");
    ASSERT_STATUS(DM_EGEOM, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "Self-intersection");
    dm_row_free(r);
    r = hazard_row("H-5", "POLYGON((46.9 39.9, 46.91 39.9, 46.91 39.91, 46.9 39.9))");
    ASSERT_OK(dm_row_set(r, "reliability", "9"));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'reliability'");
    dm_row_free(r);
    r = hazard_row("H-6", "POLYGON((500000 4400000, 500100 4400000, 500100 4400100, 500000 4400000))");
    ASSERT_STATUS(DM_EGEOM, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "WGS 84");
    dm_row_free(r);
    ASSERT_OK(dm_store_rollback(s));
    long n = -1;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    (void)ctx;
    dm_store_close(s);
}

TEST(change_log_is_append_only)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init db.gpkg"), 0);
    free(out);
    int rc = dmtest_sh(&out, "sqlite3 db.gpkg \"INSERT INTO change_log (time, author, layer, uuid, "
                             "op) VALUES ('t', 'a', 'hazards', 'u', 'insert'); DELETE FROM "
                             "change_log\"");
    ASSERT(rc != 0);
    ASSERT_CONTAINS(out, "append-only");
    free(out);
}

TEST(init_refuses_to_overwrite_and_rejects_non_databases)
{
    char *out = NULL;
    dmtest_write_file(dmtest_path("x.gpkg"), "hello, not a database\n");
    ASSERT_EQ(dmtest_demine(&out, "init x.gpkg"), 3);
    ASSERT_CONTAINS(out, "already exists");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list x.gpkg"), 4);
    ASSERT_CONTAINS(out, "not a GeoPackage");
    free(out);
}

TEST(uuids_are_version_7_and_time_ordered)
{
    char prev[37] = "", cur[37];
    for (int i = 0; i < 5000; i++) {
        dm_uuid_new(cur);
        ASSERT_EQ(strlen(cur), 36);
        ASSERT_EQ(cur[14], '7');
        ASSERT(strchr("89ab", cur[19]) != NULL);
        ASSERT_MSG(strcmp(prev, cur) < 0, "%s !< %s", prev, cur);
        memcpy(prev, cur, sizeof cur);
    }
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

TEST(new_databases_open_styled_in_qgis_and_keep_the_users_styles)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init st.gpkg"), 0);
    free(out);
    /* QGIS's own table, registered so that GDAL lists it */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 st.gpkg \"SELECT data_type FROM gpkg_contents WHERE "
                              "table_name = 'layer_styles'\""),
              0);
    ASSERT_CONTAINS(out, "attributes");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 st.gpkg \"SELECT group_concat(f_table_name) FROM "
                              "(SELECT f_table_name FROM layer_styles WHERE useAsDefault AND "
                              "f_geometry_column = 'geom' AND f_table_catalog = '' ORDER BY 1)\""),
              0);
    ASSERT_CONTAINS(out, "accidents,activities,");
    ASSERT_CONTAINS(out, ",hazards,items,");
    ASSERT_CONTAINS(out, ",release_areas,");
    ASSERT(!strstr(out, "victims") && !strstr(out, "features")); /* no table, mixed geometry */
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 st.gpkg \"SELECT styleQML FROM layer_styles WHERE "
                              "f_table_name = 'hazards'\""),
              0);
    ASSERT_CONTAINS(out, "<renderer-v2 type=\"RuleRenderer\"");
    ASSERT_CONTAINS(out, "&quot;hazard_type&quot; = 'CHA'");
    ASSERT_EQ(count(out, "<rule "), 4);
    ASSERT_EQ(count(out, "<symbol "), 4);
    ASSERT_EQ(count(out, "<symbol "), count(out, "</symbol>"));
    ASSERT_EQ(count(out, "<layer "), count(out, "</layer>"));
    ASSERT(!strstr(out, "layerGeometryType")); /* QGIS would refuse it on another geometry */
    free(out);
    /* a style the user saved from QGIS stays; a missing one comes back */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 st.gpkg \"UPDATE layer_styles SET styleQML = '<qgis>mine"
                              "</qgis>', owner = 'me' WHERE f_table_name = 'accidents'; DELETE "
                              "FROM layer_styles WHERE f_table_name = 'items'\""),
              0);
    free(out);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("st.gpkg"), 0, &s));
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 st.gpkg \"SELECT f_table_name, owner, count(*) FROM "
                              "layer_styles WHERE f_table_name IN ('accidents', 'items') GROUP "
                              "BY 1 ORDER BY 1\""),
              0);
    ASSERT_CONTAINS(out, "accidents|me|1");
    ASSERT_CONTAINS(out, "items|demine|1");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list st.gpkg"), 0);
    ASSERT_CONTAINS(out, "hazards");
    free(out);
}

/* Numbers another tool wrote as text: a whole number reads as itself, "abc"
 * or "12 m" as missing (SQLite alone reads them as 0 and 12). */
TEST(store_reads_text_in_a_number_column_as_missing_unless_a_number)
{
    dm_store *s = new_store();
    const char *refs[4] = {"H-1", "H-2", "H-3", "H-4"};
    for (int i = 0; i < 4; i++) {
        char wkt[160];
        double x = 46.9 + 0.02 * i;
        snprintf(wkt, sizeof wkt, "POLYGON((%.2f 39.9, %.2f 39.9, %.2f 39.91, %.2f 39.91, %.2f 39.9))",
                 x, x + 0.01, x + 0.01, x, x);
        dm_row *r = hazard_row(refs[i], wkt);
        char uuid[37];
        ASSERT_OK(dm_store_insert(s, r, uuid));
        dm_row_free(r);
    }
    dm_store_close(s);
    char *out = NULL;
    int rc = dmtest_sh(&out, "cd '%s' && sqlite3 t.gpkg \"DROP TRIGGER IF EXISTS "
                             "rtree_hazards_geom_update3; DROP TRIGGER IF EXISTS "
                             "rtree_hazards_geom_update4; UPDATE hazards SET p_contam = 'abc' WHERE "
                             "ref = 'H-1'; UPDATE hazards SET p_contam = ' 0.25 ' WHERE ref = 'H-2'; "
                             "UPDATE hazards SET p_contam = '12 m' WHERE ref = 'H-3'; "
                             "UPDATE hazards SET p_contam = 0.5 WHERE ref = 'H-4'\"",
                       dmtest_tmpdir());
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    int seen = 0;
    while (dm_cursor_next(c) == 1) {
        const char *ref = dm_cursor_text(c, "ref");
        double v = dm_cursor_real(c, "p_contam", -1);
        if (!strcmp(ref, "H-1") || !strcmp(ref, "H-3"))
            ASSERT_NEAR(v, -1, 0);
        else if (!strcmp(ref, "H-2"))
            ASSERT_NEAR(v, 0.25, 1e-12);
        else
            ASSERT_NEAR(v, 0.5, 1e-12);
        seen++;
    }
    ASSERT_EQ(seen, 4);
    dm_cursor_free(c);
    dm_store_close(s);
}

TEST(list_refuses_bad_limits_filters_and_boxes)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --limit -1", db), 2);
    ASSERT_CONTAINS(out, "--limit must be 0");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --offset -3", db), 2);
    free(out);
    /* an offset without a limit: the rows from there on (it was ignored) */
    char *all = NULL;
    ASSERT_EQ(dmtest_demine(&all, "list %s --layer hazards --json", db), 0);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --json --offset 2", db), 0);
    int n_all = 0, n_off = 0;
    for (const char *p = all; (p = strstr(p, "\"uuid\"")); p++)
        n_all++;
    for (const char *p = out; (p = strstr(p, "\"uuid\"")); p++)
        n_off++;
    ASSERT(n_all > 2);
    ASSERT_EQ(n_off, n_all - 2);
    free(all);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --limit 99999999999999999999", db), 2);
    ASSERT_CONTAINS(out, "out of range");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where nosuch=1", db), 2);
    ASSERT_CONTAINS(out, "no field 'nosuch' (fields: ref, name, hazard_type, status,");
    free(out);
    /* a typo names the field meant, in list and in edit */
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where stauts=open", db), 2);
    ASSERT_CONTAINS(out, "no field 'stauts' (did you mean 'status'?)");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' 'SELECT ref FROM hazards ORDER BY ref LIMIT 1'", db), 0);
    char ref[64];
    snprintf(ref, sizeof ref, "%.*s", (int)strcspn(out, "\n"), out);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit %s %s reliabilty=3 --reason typo", db, ref), 2);
    ASSERT_CONTAINS(out, "no field 'reliabilty' (did you mean 'reliability'?)");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where =open", db), 2);
    free(out);
    /* a value no row can hold is an error naming the field, not an empty list */
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where status==open", db), 2);
    ASSERT_CONTAINS(out, "field 'status'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where reliability=high", db), 2);
    ASSERT_CONTAINS(out, "field 'reliability'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --bbox 48,39,46,41", db), 2);
    ASSERT_CONTAINS(out, "west must not exceed east");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --bbox nan,39,48,41", db), 2);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --bbox 46,39,48,41junk", db), 2);
    free(out);
}

/* `list DB LAYER` is `list DB --layer LAYER`; two different layers or a
 * third argument are refused */
TEST(list_takes_the_layer_as_its_second_argument)
{
    const char *db = dmtest_demo_db();
    char *a = NULL, *b = NULL;
    ASSERT_EQ(dmtest_demine(&a, "list %s organisations --json", db), 0);
    ASSERT_EQ(dmtest_demine(&b, "list %s --layer organisations --json", db), 0);
    ASSERT_CONTAINS(a, "\"name\":\"ANAMA\"");
    ASSERT_STREQ(a, b);
    free(a);
    free(b);
    ASSERT_EQ(dmtest_demine(&a, "list %s organisations --layer organisations --limit 1", db), 0);
    free(a);
    ASSERT_EQ(dmtest_demine(&a, "list %s organisations --layer hazards", db), 2);
    ASSERT_CONTAINS(a, "two layers named");
    free(a);
    ASSERT_EQ(dmtest_demine(&a, "list %s hazards items", db), 2);
    ASSERT_CONTAINS(a, "at most one LAYER");
    free(a);
}

TEST(cli_suggests_the_command_meant_and_help_takes_one)
{
    char *out = NULL;
    /* a subcommand typed alone, and a typo, name the command meant */
    ASSERT_EQ(dmtest_demine(&out, "verify x.gpkg"), 2);
    ASSERT_CONTAINS(out, "unknown command 'verify'; did you mean 'demine records verify'?");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "improt x.gpkg"), 2);
    ASSERT_CONTAINS(out, "did you mean 'demine import'?");
    free(out);
    /* nothing close: no guess */
    ASSERT_EQ(dmtest_demine(&out, "xyz"), 2);
    ASSERT_CONTAINS(out, "unknown command 'xyz'\n");
    ASSERT(!strstr(out, "did you mean"));
    free(out);
    /* `demine help CMD` is the command's own help */
    ASSERT_EQ(dmtest_demine(&out, "help stats"), 0);
    ASSERT_CONTAINS(out, "usage: demine stats DB");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "help"), 0);
    ASSERT_CONTAINS(out, "'demine help COMMAND'");
    free(out);
}

/* show's link lines give real numbers to 6 significant digits (a match's
 * offset read 2.87331630611798) */
TEST(show_link_lines_round_real_numbers)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "records verify %s", db), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer record_matches --limit 1 --json", db), 0);
    const char *it = strstr(out, "\"record_id\":\"");
    ASSERT_MSG(it, "no record match in:\n%s", out);
    char item[37];
    snprintf(item, sizeof item, "%.36s", it + 13);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show %s %s", db, item), 0);
    const char *line = strstr(out, "<- record_matches");
    ASSERT_MSG(line, "no match linked in:\n%s", out);
    size_t len = strcspn(line, "\n");
    int run = 0, longest = 0;
    for (size_t i = 0; i < len; i++) {
        run = line[i] >= '0' && line[i] <= '9' ? run + 1 : 0;
        /* uuids hold runs of 12 hex digits; count only after a decimal point */
        if (i && line[i - run] == '.' && run > longest)
            longest = run;
    }
    ASSERT_MSG(longest <= 6, "a number with %d decimals in: %.*s", longest, (int)len, line);
    free(out);
}

TEST(list_table_shows_whole_status_values)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where status=partly_released --limit 1", db), 0);
    /* the column is as wide as the longest status: the value is not cut */
    ASSERT_CONTAINS(out, " partly_released ");
    ASSERT_CONTAINS(out, "hazard_type");
    free(out);
}

/* show names the rows linked to a row by their ref and first fields, and
 * says how many it left out of a long list rather than cutting it silently */
TEST(show_labels_links_and_counts_those_left_out)
{
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    char ref[64] = "", uuid[37] = "";
    long most = 0;
    while (dm_cursor_next(c) == 1) {
        const char *f[1] = {"hazard_id"}, *v[1] = {dm_cursor_uuid(c)};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        long n = 0;
        ASSERT_OK(dm_store_count(s, "items", &sel, &n));
        if (n > most) {
            most = n;
            snprintf(ref, sizeof ref, "%s", dm_cursor_text(c, "ref"));
            snprintf(uuid, sizeof uuid, "%s", dm_cursor_uuid(c));
        }
    }
    dm_cursor_free(c);
    dm_store_close(s);
    ASSERT(most > 50); /* the demo has a hazard with many finds */
    char *out = NULL, want[256];
    ASSERT_EQ(dmtest_demine(&out, "show %s %s", db, ref), 0);
    snprintf(want, sizeof want, "<- items            ... and %ld more: demine list DB --layer items --where hazard_id=%s",
             most - 50, uuid);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, " (via hazard_id)");
    free(out);
    /* JSON lists every link */
    ASSERT_EQ(dmtest_demine(&out, "show %s %s --json", db, ref), 0);
    long links = 0;
    for (const char *p = out; (p = strstr(p, "\"layer\":\"items\"")); p++)
        links++;
    ASSERT_EQ(links, most);
    free(out);
    /* a reference field names the row it points to */
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer items --where hazard_id=%s --limit 1 --json", db, uuid), 0);
    char item[37] = "";
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    snprintf(item, sizeof item, "%.36s", u + 8);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show %s %s", db, item), 0);
    snprintf(want, sizeof want, "-> hazards %s", ref);
    ASSERT_CONTAINS(out, want);
    free(out);
}

/* show of a deleted row's uuid: what it was, who deleted it and why, from
 * the change log (delete says the row is kept there) */
TEST(show_a_deleted_row_from_the_change_log)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer features --where class=settlement --limit 1 --json", db), 0);
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%.36s", u + 8);
    const char *nm = strstr(out, "\"name\":\"");
    ASSERT(nm);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(nm + 8, "\""), nm + 8);
    free(out);
    ASSERT_DEMINE(0, "kept in the change log", "delete %s %s --reason 'drawn twice'", db, uuid);
    ASSERT_EQ(dmtest_demine(&out, "show %s %s", db, uuid), 0);
    ASSERT_CONTAINS(out, "features ");
    ASSERT_CONTAINS(out, ": DELETED ");
    ASSERT_CONTAINS(out, ": drawn twice");
    ASSERT_CONTAINS(out, name);
    ASSERT_CONTAINS(out, " delete ");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "show %s %s --json", db, uuid), 0);
    ASSERT_CONTAINS(out, "\"deleted\":true");
    ASSERT_CONTAINS(out, "\"class\":\"settlement\"");
    free(out);
    /* a uuid nobody ever had is still "no row" */
    ASSERT_EQ(dmtest_demine(&out, "show %s 00000000-0000-4000-8000-000000000000", db), 2);
    ASSERT_CONTAINS(out, "no row");
    free(out);
}

/* restore puts a deleted row back from the change log: its values, uuid and
 * creation time, a hazard with its life-cycle history; a row whose hazard
 * is gone meanwhile is refused naming it, and nothing changes */
TEST(restore_puts_back_a_deleted_row_with_its_history)
{
    const char *db = dmtest_path("restore.gpkg");
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    dmtest_write_file(dmtest_path("rh.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"R-1\",\"hazard_type\":\"SHA\","
                      "\"reported_date\":\"2023-03-01\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.91,39.90],"
                      "[46.91,39.91],[46.90,39.91],[46.90,39.90]]]}},"
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"R-2\",\"hazard_type\":\"CHA\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.90],[46.96,39.90],"
                      "[46.96,39.91],[46.95,39.91],[46.95,39.90]]]}}]}");
    ASSERT_DEMINE(0, NULL, "import '%s' --layer hazards '%s'", db, dmtest_path("rh.geojson"));
    ASSERT_DEMINE(0, NULL, "status '%s' R-1 closed --date 2024-02-01 --reason 'cleared'", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "show '%s' R-1 --json", db), 0);
    char uuid[37], created[32];
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    snprintf(uuid, sizeof uuid, "%.36s", u + 8);
    const char *c = strstr(out, "\"created\":\"");
    ASSERT(c);
    snprintf(created, sizeof created, "%.16s", c + 11); /* to the minute: the log stamps its own time */
    free(out);
    dm_store *s = NULL;
    long st_before = 0, n = 0;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_count(s, "hazard_status", NULL, &st_before));
    dm_store_close(s);
    ASSERT(st_before >= 1);
    ASSERT_DEMINE(0, NULL, "delete '%s' R-1 --reason 'wrong district'", db);
    ASSERT_DEMINE(2, "--reason is required", "restore '%s' %s", db, uuid);
    ASSERT_DEMINE(0, "restored hazards", "restore '%s' %s --reason 'deleted by mistake'", db, uuid);
    ASSERT_EQ(dmtest_demine(&out, "show '%s' R-1 --json", db), 0);
    ASSERT_CONTAINS(out, "\"status\":\"closed\"");
    ASSERT_CONTAINS(out, created); /* first created, not now */
    ASSERT_CONTAINS(out, "restored: deleted by mistake");
    free(out);
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_count(s, "hazard_status", NULL, &n));
    ASSERT_EQ(n, st_before); /* its life cycle came back with it */
    dm_store_close(s);
    /* not deleted: nothing to restore */
    ASSERT_DEMINE(2, "is not deleted", "restore '%s' %s --reason again", db, uuid);
    ASSERT_DEMINE(2, "holds no row", "restore '%s' 00000000-0000-4000-8000-000000000000 --reason x", db);
    /* an item of R-2, deleted, then R-2 deleted: the item cannot come back
     * pointing at nothing */
    dmtest_write_file(dmtest_path("ri.csv"), "category,hazard_id,lat,lon\nAP,R-2,39.905,46.955\n");
    ASSERT_DEMINE(0, NULL, "import '%s' --layer items '%s'", db, dmtest_path("ri.csv"));
    ASSERT_EQ(dmtest_demine(&out, "list '%s' --layer items --json", db), 0);
    char item[37];
    u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    snprintf(item, sizeof item, "%.36s", u + 8);
    free(out);
    ASSERT_DEMINE(0, NULL, "delete '%s' %s --reason 'test'", db, item);
    ASSERT_DEMINE(0, NULL, "delete '%s' R-2 --reason 'test'", db);
    ASSERT_EQ(dmtest_demine(&out, "restore '%s' %s --reason 'back'", db, item), 2);
    ASSERT_CONTAINS(out, "hazard_id");
    free(out);
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_count(s, "items", NULL, &n));
    ASSERT_EQ(n, 0);
    dm_store_close(s);
}

TEST(select_filters_take_values_as_edit_does)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_demo_db(), DM_STORE_READONLY, &s));
    long open_lower = 0, open_upper = 0, n = 0;
    const char *f[1] = {"status"}, *v[1] = {"open"};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    ASSERT_OK(dm_store_count(s, "hazards", &sel, &open_lower));
    ASSERT(open_lower > 0);
    v[0] = "OPEN";
    ASSERT_OK(dm_store_count(s, "hazards", &sel, &open_upper));
    ASSERT_EQ(open_upper, open_lower);
    v[0] = "opne";
    ASSERT_STATUS(DM_EPARSE, dm_store_count(s, "hazards", &sel, &n));
    /* a reference filter takes the ref of the row it points to */
    dm_cursor *c = NULL;
    const char *af[1] = {"activity_type"}, *av[1] = {"clearance"};
    sel.eq_field = af;
    sel.eq_value = av;
    ASSERT_OK(dm_store_select(s, "activities", &sel, &c));
    char hazard[37] = "";
    while (dm_cursor_next(c) == 1 && !hazard[0])
        if (dm_cursor_text(c, "hazard_id"))
            snprintf(hazard, sizeof hazard, "%s", dm_cursor_text(c, "hazard_id"));
    dm_cursor_free(c);
    ASSERT(hazard[0]);
    const char *hf[1] = {"uuid"}, *hv[1] = {hazard};
    sel.eq_field = hf;
    sel.eq_value = hv;
    ASSERT_OK(dm_store_select(s, "hazards", &sel, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    char ref[64];
    snprintf(ref, sizeof ref, "%s", dm_cursor_text(c, "ref"));
    dm_cursor_free(c);
    long by_uuid = 0, by_ref = 0;
    const char *rf[1] = {"hazard_id"}, *rv[1] = {hazard};
    sel.eq_field = rf;
    sel.eq_value = rv;
    ASSERT_OK(dm_store_count(s, "activities", &sel, &by_uuid));
    rv[0] = ref;
    ASSERT_OK(dm_store_count(s, "activities", &sel, &by_ref));
    ASSERT(by_uuid > 0);
    ASSERT_EQ(by_ref, by_uuid);
    rv[0] = "NO-SUCH-HAZARD";
    ASSERT_STATUS(DM_ENOTFOUND, dm_store_count(s, "activities", &sel, &n));
    /* an empty value matches rows without one */
    long all = 0, with = 0, without = 0;
    ASSERT_OK(dm_store_count(s, "activities", NULL, &all));
    rv[0] = "";
    ASSERT_OK(dm_store_count(s, "activities", &sel, &without));
    ASSERT(without < all);
    const char *nf[1] = {"hazard_id"}, *nv[1] = {NULL};
    sel.eq_field = nf;
    sel.eq_value = nv;
    ASSERT_OK(dm_store_count(s, "activities", &sel, &with));
    ASSERT_EQ(with, without);
    /* a box the wrong way round is refused */
    double bb[4] = {48, 39, 46, 41};
    dm_select bs = {0};
    bs.bbox = bb;
    ASSERT_STATUS(DM_EINVAL, dm_store_count(s, "hazards", &bs, &n));
    dm_store_close(s);
}

static const char *square(double x, double y)
{
    static char b[4][200];
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof b[k], "POLYGON((%g %g, %g %g, %g %g, %g %g, %g %g))", x, y, x + 0.01, y,
             x + 0.01, y + 0.01, x, y + 0.01, x, y);
    return b[k];
}

TEST(hazard_status_changes_only_through_its_life_cycle)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-7", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "95"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "95"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    /* an edit of the status would skip the dated history */
    dm_row *u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "status", "closed"));
    ASSERT_STATUS(DM_EINVAL, dm_store_update(s, "H-7", u, "cleared"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'status'");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "life cycle");
    dm_row_free(u);
    /* dates after tomorrow or before the hazard was reported are refused */
    ASSERT_STATUS(DM_EINVAL, dm_hazard_set_status(s, "H-7", "closed", "2099-01-01", "cleared"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "in the future");
    ASSERT_STATUS(DM_EINVAL, dm_hazard_set_status(s, "H-7", "closed", "2019-05-01", "cleared"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "before the hazard was reported");
    long n = -1;
    ASSERT_OK(dm_store_count(s, "hazard_status", NULL, &n));
    ASSERT_EQ(n, 0);
    /* handed over (straight from open) leaves no land remaining */
    ASSERT_OK(dm_hazard_set_status(s, "H-7", "handed_over", "2023-01-01", "cancelled and handed over"));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "status"), "handed_over");
    ASSERT_NEAR(dm_cursor_real(c, "remaining_area_ha", -1), 0, 0);
    dm_cursor_free(c);
    dm_store_close(s);
}

TEST(edit_refuses_a_ref_another_row_has)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-8", square(46.9, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = hazard_row("H-9", square(46.95, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_row *u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "ref", "H-8"));
    ASSERT_STATUS(DM_ECONFLICT, dm_store_update(s, "H-9", u, "typo"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'ref'");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "already has ref 'H-8'");
    /* its own ref again is no conflict */
    ASSERT_OK(dm_row_set(u, "ref", "H-9"));
    ASSERT_OK(dm_store_update(s, "H-9", u, "same"));
    dm_row_free(u);
    char uuid[37];
    ASSERT_OK(dm_store_resolve(s, "hazards", "H-8", NULL, uuid));
    dm_store_close(s);
}

TEST(delete_refuses_rows_still_referred_to_and_takes_a_hazards_history)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-10", square(46.9, 39.9));
    char hz[37], act[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    ASSERT_OK(dm_hazard_set_status(s, "H-10", "partly_released", "2022-01-01", "survey"));
    r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "ref", "TS-1"));
    ASSERT_OK(dm_row_set(r, "activity_type", "ts"));
    ASSERT_OK(dm_row_set(r, "hazard_id", "H-10"));
    ASSERT_OK(dm_store_insert(s, r, act));
    dm_row_free(r);
    ASSERT_STATUS(DM_ECONFLICT, dm_store_delete(s, "hazards", "H-10", "duplicate"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "1 row of activities (hazard_id)");
    long n = -1;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 1);
    ASSERT_OK(dm_store_count(s, "hazard_status", NULL, &n));
    ASSERT_EQ(n, 1);
    /* once nothing else points at it, its history goes with it, logged */
    ASSERT_OK(dm_store_delete(s, "activities", "TS-1", "entered twice"));
    ASSERT_OK(dm_store_delete(s, "hazards", "H-10", "duplicate"));
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(dm_store_count(s, "hazard_status", NULL, &n));
    ASSERT_EQ(n, 0);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"select layer || ':' || reason from change_log "
                              "where op = 'delete' order by seq\""),
              0);
    ASSERT_CONTAINS(out, "activities:entered twice\nhazard_status:duplicate\nhazards:duplicate");
    free(out);
}

/* A write whose change-log entry fails leaves the database as it was: the
 * row and its log entry go together. */
TEST(failed_writes_leave_the_database_unchanged)
{
    char *out = NULL;
    const char *db = dmtest_demo_db();
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"CREATE TRIGGER boom BEFORE INSERT ON change_log WHEN "
                              "NEW.reason = 'boom' OR NEW.new_values LIKE '%%BOOM%%' BEGIN SELECT "
                              "RAISE(ABORT, 'no log'); END\"",
                        db),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select ref, name from hazards order by fid limit 1\"", db), 0);
    char ref[64] = "", name[200] = "";
    char *bar = strchr(out, '|');
    ASSERT(bar);
    *bar = '\0';
    snprintf(ref, sizeof ref, "%s", out);
    snprintf(name, sizeof name, "%s", bar + 1);
    name[strcspn(name, "\n")] = '\0';
    free(out);
    ASSERT(dmtest_demine(&out, "edit %s %s name=changed --reason boom", db, ref) != 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select name from hazards where ref = '%s'\"", db, ref), 0);
    ASSERT_CONTAINS(out, name);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select count(*) from hazards\"", db), 0);
    long before = strtol(out, NULL, 10);
    free(out);
    /* a hazard whose history is deleted with it */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select ref from hazards h where (select count(*) from "
                              "hazard_status s where s.hazard_id = h.uuid) > 0 and not exists "
                              "(select 1 from activities a where a.hazard_id = h.uuid) and not "
                              "exists (select 1 from activity_hazards a where a.hazard_id = h.uuid) "
                              "and not exists (select 1 from release_areas a where a.hazard_id = "
                              "h.uuid) and not exists (select 1 from items a where a.hazard_id = "
                              "h.uuid) limit 1\"",
                        db),
              0);
    char lone[64];
    snprintf(lone, sizeof lone, "%s", out);
    lone[strcspn(lone, "\n")] = '\0';
    free(out);
    ASSERT(lone[0]);
    ASSERT(dmtest_demine(&out, "delete %s %s --reason boom", db, lone) != 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select count(*) from hazards; select count(*) from "
                              "hazard_status s join hazards h on h.uuid = s.hazard_id where h.ref = "
                              "'%s'\"",
                        db, lone),
              0);
    ASSERT_EQ(strtol(out, NULL, 10), before);
    ASSERT(strtol(strchr(out, '\n') + 1, NULL, 10) > 0);
    free(out);
    /* an insert outside any transaction */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_row *r = hazard_row("BOOM-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "notes", "BOOM"));
    ASSERT(dm_store_insert(s, r, NULL) != DM_OK);
    dm_row_free(r);
    char uuid[37];
    ASSERT_STATUS(DM_ENOTFOUND, dm_store_resolve(s, "hazards", "BOOM-1", NULL, uuid));
    dm_store_close(s);
}

/* Closing sets the remaining area to 0; reopening on new evidence gives the
 * land back (the estimate less what was released), or an open hazard counts
 * 0 ha in the statistics and the plan. */
TEST(reopened_hazard_has_land_to_release_again)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-11", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "95"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "95"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(r, "hazard_id", "H-11"));
    ASSERT_OK(dm_row_set(r, "outcome", "cancelled"));
    ASSERT_OK(dm_row_set(r, "area_ha", "20"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46.9 39.9, 46.902 39.9, 46.902 39.91, 46.9 39.91, 46.9 39.9))", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    ASSERT_OK(dm_hazard_set_status(s, "H-11", "closed", "2023-01-01", "cleared"));
    ASSERT_OK(dm_hazard_set_status(s, "H-11", "open", "2023-06-01", "a mine found"));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazards", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "status"), "open");
    ASSERT_NEAR(dm_cursor_real(c, "remaining_area_ha", -1), 95 - 20, 0.01);
    dm_cursor_free(c);
    dm_store_close(s);
}

/* uuids made in the same second share their first characters: a prefix
 * (or a ref) naming rows of two layers is ambiguous, not the first layer's
 * (delete by prefix could remove the wrong row). */
TEST(resolve_refuses_a_prefix_or_ref_naming_rows_of_two_layers)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("X-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set_uuid(r, "01a20922-80ae-7000-8fbe-38b4322fc9e8"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set_uuid(r, "01a20922-8175-7000-808f-8077137610fc"));
    ASSERT_OK(dm_row_set(r, "ref", "X-1"));
    ASSERT_OK(dm_row_set(r, "activity_type", "nts"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    char uuid[37];
    const dm_layer_def *l = NULL;
    ASSERT_STATUS(DM_ECONFLICT, dm_store_resolve(s, NULL, "01a20922-8", &l, uuid));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "hazards 01a20922-80ae");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "activities 01a20922-8175");
    ASSERT_STATUS(DM_ECONFLICT, dm_store_resolve(s, NULL, "X-1", &l, uuid));
    /* more of the uuid, the whole uuid, or the layer settle it */
    ASSERT_OK(dm_store_resolve(s, NULL, "01a20922-80", &l, uuid));
    ASSERT_STREQ(l->name, "hazards");
    ASSERT_OK(dm_store_resolve(s, NULL, "01a20922-8175-7000-808f-8077137610fc", &l, uuid));
    ASSERT_STREQ(l->name, "activities");
    ASSERT_OK(dm_store_resolve(s, "activities", "X-1", &l, uuid));
    ASSERT_STREQ(uuid, "01a20922-8175-7000-808f-8077137610fc");
    dm_store_close(s);
}

/* A ref typed in another case (khv-r-0026) or a uuid prefix in capitals
 * finds its row when nothing is written exactly so; a prefix too short to
 * be looked up says how long it must be. */
TEST(resolve_takes_refs_in_any_case_and_says_a_prefix_is_too_short)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("KHV-SHA-7", square(46.9, 39.9));
    ASSERT_OK(dm_row_set_uuid(r, "01a20922-80ae-7000-8fbe-38b4322fc9e8"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set_uuid(r, "01a20922-8175-7000-808f-8077137610fc"));
    ASSERT_OK(dm_row_set(r, "ref", "khv-sha-8"));
    ASSERT_OK(dm_row_set(r, "activity_type", "nts"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    char uuid[37];
    const dm_layer_def *l = NULL;
    ASSERT_OK(dm_store_resolve(s, NULL, "khv-sha-7", &l, uuid));
    ASSERT_STREQ(l->name, "hazards");
    ASSERT_OK(dm_store_resolve(s, "hazards", "Khv-Sha-7", &l, uuid));
    ASSERT_STREQ(uuid, "01a20922-80ae-7000-8fbe-38b4322fc9e8");
    ASSERT_OK(dm_store_resolve(s, NULL, "01A20922-80AE", &l, uuid));
    ASSERT_STREQ(l->name, "hazards");
    /* written exactly so in one layer: that row, though another case would match elsewhere */
    r = hazard_row("khv-sha-8", square(47.0, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "ref", "KHV-SHA-9"));
    ASSERT_OK(dm_row_set(r, "activity_type", "nts"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = hazard_row("khv-sha-9", square(47.1, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    ASSERT_OK(dm_store_resolve(s, NULL, "KHV-SHA-9", &l, uuid));
    ASSERT_STREQ(l->name, "activities");
    /* two rows of other cases, in two layers: ambiguous */
    ASSERT_STATUS(DM_ECONFLICT, dm_store_resolve(s, NULL, "Khv-Sha-8", &l, uuid));
    ASSERT_STATUS(DM_ENOTFOUND, dm_store_resolve(s, NULL, "01a209", &l, uuid));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "at least 8 characters");
    ASSERT_STATUS(DM_ENOTFOUND, dm_store_resolve(s, NULL, "KHV-R-1", &l, uuid));
    ASSERT(!strstr(dmtest_ctx_msg(), "8 characters"));
    dm_store_close(s);
}

/* An edit wrote what `demine check` then called errors: an activity ending
 * before it starts, dates in the future. */
TEST(edit_refuses_future_dates_and_an_activity_ending_before_it_starts)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "ref", "TS-2"));
    ASSERT_OK(dm_row_set(r, "activity_type", "ts"));
    ASSERT_OK(dm_row_set(r, "start_date", "2023-05-01"));
    ASSERT_OK(dm_row_set(r, "end_date", "2023-05-24"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_row *u = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(u, "end_date", "2020-01-01"));
    ASSERT_STATUS(DM_EPARSE, dm_store_update(s, "TS-2", u, "typo"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "before it starts");
    dm_row_free(u);
    u = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(u, "start_date", "2099-01-01"));
    ASSERT_STATUS(DM_EPARSE, dm_store_update(s, "TS-2", u, "typo"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'start_date': 2099-01-01 is in the future");
    dm_row_free(u);
    /* both ends moved together are fine */
    u = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(u, "start_date", "2022-01-10"));
    ASSERT_OK(dm_row_set(u, "end_date", "2022-02-01"));
    ASSERT_OK(dm_store_update(s, "TS-2", u, "dates from the field report"));
    dm_row_free(u);
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "activities", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    ASSERT_STREQ(dm_cursor_text(c, "start_date"), "2022-01-10");
    ASSERT_STREQ(dm_cursor_text(c, "end_date"), "2022-02-01");
    dm_cursor_free(c);
    dm_store_close(s);
}

/* edit, delete and status failures name the database, the row as typed and
 * the field; a delete refused for the rows pointing at it names them. */
TEST(edit_delete_status_errors_name_database_row_and_field)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"select h.ref from hazards h join activities a on "
                              "a.hazard_id = h.uuid limit 1\"",
                        db),
              0);
    char ref[64];
    snprintf(ref, sizeof ref, "%s", out);
    ref[strcspn(ref, "\n")] = '\0';
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit %s %s reliability=9", db, ref), 2);
    ASSERT_CONTAINS(out, db);
    ASSERT_CONTAINS(out, ref);
    ASSERT_CONTAINS(out, "field 'reliability'");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "delete %s %s --reason duplicate", db, ref), 2);
    ASSERT_CONTAINS(out, ref);
    ASSERT_CONTAINS(out, "activities (hazard_id)");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "status %s %s closed --date 2099-01-01", db, ref), 2);
    ASSERT_CONTAINS(out, db);
    ASSERT_CONTAINS(out, "in the future");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit %s %s status=closed", db, ref), 2);
    ASSERT_CONTAINS(out, "demine status");
    free(out);
}

/* An insert refuses a ref another row of the layer has, naming that row (a
 * ref names one row); another layer's ref is no conflict. */
TEST(insert_refuses_a_ref_another_row_has)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    char first[37];
    ASSERT_OK(dm_store_insert(s, r, first));
    dm_row_free(r);
    r = hazard_row(" H-1 ", square(46.95, 39.9));
    ASSERT_STATUS(DM_ECONFLICT, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'ref'");
    ASSERT_CONTAINS(dmtest_ctx_msg(), "already has ref 'H-1'");
    ASSERT_CONTAINS(dmtest_ctx_msg(), first);
    dm_row_free(r);
    long n = 0;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 1);
    /* the same ref in another layer is fine */
    dm_row *a = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(a, "ref", "H-1"));
    ASSERT_OK(dm_row_set(a, "activity_type", "ts"));
    ASSERT_OK(dm_store_insert(s, a, NULL));
    dm_row_free(a);
    dm_store_close(s);
}

/* An insert refuses what an edit refuses: a date after tomorrow or before
 * 1900, an activity ending before it starts; the plan's tables hold future
 * dates by design. */
TEST(insert_refuses_future_dates_and_an_activity_ending_before_it_starts)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "reported_date", "2099-01-01"));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'reported_date': 2099-01-01 is in the future");
    ASSERT_OK(dm_row_set(r, "reported_date", "1850-01-01"));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'reported_date': 1850-01-01 is before 1900");
    dm_row_free(r);
    dm_row *a = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(a, "ref", "TS-1"));
    ASSERT_OK(dm_row_set(a, "activity_type", "ts"));
    ASSERT_OK(dm_row_set(a, "start_date", "2023-05-01"));
    ASSERT_OK(dm_row_set(a, "end_date", "2023-04-01"));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, a, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'end_date': 2023-04-01 is before the start_date 2023-05-01");
    ASSERT_OK(dm_row_set(a, "end_date", "2023-05-01"));
    ASSERT_OK(dm_store_insert(s, a, NULL));
    dm_row_free(a);
    long n = 0;
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    /* today is fine */
    char today[16];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    r = hazard_row("H-2", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "reported_date", today));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_store_close(s);
}

/* One REAL field of the row uuid of layer (NAN when empty). */
static double row_real(dm_store *s, const char *layer, const char *uuid, const char *field)
{
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, layer, &sel, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    double x = dm_cursor_real(c, field, NAN);
    dm_cursor_free(c);
    return x;
}

static double wkt_ha(const char *wkt)
{
    dm_geom *g = NULL;
    double ha = 0;
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &g));
    ASSERT_OK(dm_geom_area_ha(dmtest_ctx(), g, &ha));
    dm_geom_free(g);
    return ha;
}

/* Update r's geometry from WKT (and the fields set on it) and free it. */
static dm_status update_geom(dm_store *s, const char *uuid, dm_row *r, const char *wkt)
{
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &g));
    dm_row_set_geom(r, g);
    dm_status st = dm_store_update(s, uuid, r, "redrawn");
    dm_row_free(r);
    return st;
}

static const char *rect(double x, double y, double w)
{
    static char b[4][200];
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof b[k], "POLYGON((%g %g, %g %g, %g %g, %g %g, %g %g))", x, y, x + w, y,
             x + w, y + 0.01, x, y + 0.01, x, y);
    return b[k];
}

/* A new geometry brings the areas that follow from it (a hazard's estimate
 * and remaining area, a release area's area), unless the same edit gives
 * them; land already released stays released, a closed hazard keeps none
 * remaining, an activity's released areas stay. */
TEST(new_geometry_brings_the_areas_that_follow_from_it)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    char h1[37], h2[37], h3[37], ra[37], act[37];
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "95"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "75")); /* 20 ha released */
    ASSERT_OK(dm_store_insert(s, r, h1));
    dm_row_free(r);
    r = hazard_row("H-2", square(46.95, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "95"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "95"));
    ASSERT_OK(dm_store_insert(s, r, h2));
    dm_row_free(r);
    r = hazard_row("H-3", square(47.0, 39.9)); /* no areas recorded */
    ASSERT_OK(dm_store_insert(s, r, h3));
    dm_row_free(r);
    ASSERT_OK(dm_hazard_set_status(s, "H-2", "closed", "2023-01-01", "cleared"));

    /* smaller polygon: the estimate follows, 20 ha stay released */
    double half = wkt_ha(rect(46.9, 39.9, 0.005));
    ASSERT(half > 40 && half < 50);
    ASSERT_OK(update_geom(s, h1, dm_row_new(ctx, dm_layer_find("hazards")), rect(46.9, 39.9, 0.005)));
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), half, 1e-3);
    ASSERT_NEAR(row_real(s, "hazards", h1, "remaining_area_ha"), half - 20, 1e-3);
    /* an estimate given in the same edit stands; the remaining area follows it */
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "60"));
    ASSERT_OK(update_geom(s, h1, r, square(46.9, 39.9)));
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), 60, 1e-9);
    ASSERT_NEAR(row_real(s, "hazards", h1, "remaining_area_ha"), 40, 1e-3);
    /* a remaining area given stands; a polygon smaller than the land
     * released leaves nothing remaining */
    r = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "5"));
    ASSERT_OK(update_geom(s, h1, r, square(46.9, 39.9)));
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), wkt_ha(square(46.9, 39.9)), 1e-3);
    ASSERT_NEAR(row_real(s, "hazards", h1, "remaining_area_ha"), 5, 1e-9);
    double tiny = wkt_ha(rect(46.9, 39.9, 0.0005));
    ASSERT_OK(update_geom(s, h1, dm_row_new(ctx, dm_layer_find("hazards")), rect(46.9, 39.9, 0.0005)));
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), tiny, 1e-3);
    ASSERT_NEAR(row_real(s, "hazards", h1, "remaining_area_ha"), 0, 1e-9);
    /* closed: the estimate follows, nothing remains */
    ASSERT_OK(update_geom(s, h2, dm_row_new(ctx, dm_layer_find("hazards")), rect(46.95, 39.9, 0.02)));
    ASSERT_NEAR(row_real(s, "hazards", h2, "est_area_ha"), wkt_ha(rect(46.95, 39.9, 0.02)), 1e-3);
    ASSERT_NEAR(row_real(s, "hazards", h2, "remaining_area_ha"), 0, 1e-9);
    /* no remaining area recorded: it stays unknown */
    ASSERT_OK(update_geom(s, h3, dm_row_new(ctx, dm_layer_find("hazards")), rect(47.0, 39.9, 0.005)));
    ASSERT_NEAR(row_real(s, "hazards", h3, "est_area_ha"), wkt_ha(rect(47.0, 39.9, 0.005)), 1e-3);
    ASSERT(isnan(row_real(s, "hazards", h3, "remaining_area_ha")));

    /* a release area's area follows its polygon unless given */
    r = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(r, "outcome", "cleared"));
    ASSERT_OK(dm_row_set(r, "area_ha", "95"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, square(47.1, 39.9), &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, ra));
    dm_row_free(r);
    ASSERT_OK(update_geom(s, ra, dm_row_new(ctx, dm_layer_find("release_areas")), rect(47.1, 39.9, 0.005)));
    ASSERT_NEAR(row_real(s, "release_areas", ra, "area_ha"), wkt_ha(rect(47.1, 39.9, 0.005)), 1e-3);
    r = dm_row_new(ctx, dm_layer_find("release_areas"));
    ASSERT_OK(dm_row_set(r, "area_ha", "12.5"));
    ASSERT_OK(update_geom(s, ra, r, square(47.1, 39.9)));
    ASSERT_NEAR(row_real(s, "release_areas", ra, "area_ha"), 12.5, 1e-9);

    /* an activity's released areas are not the area worked: they stay */
    r = dm_row_new(ctx, dm_layer_find("activities"));
    ASSERT_OK(dm_row_set(r, "activity_type", "clearance"));
    ASSERT_OK(dm_row_set(r, "area_cleared_ha", "3"));
    ASSERT_OK(dm_geom_from_wkt(ctx, square(47.2, 39.9), &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, act));
    dm_row_free(r);
    ASSERT_OK(update_geom(s, act, dm_row_new(ctx, dm_layer_find("activities")), rect(47.2, 39.9, 0.005)));
    ASSERT_NEAR(row_real(s, "activities", act, "area_cleared_ha"), 3, 1e-9);

    /* the change log keeps the old and new areas */
    char *hist = NULL;
    ASSERT_OK(dm_store_history_json(s, h2, &hist));
    ASSERT_CONTAINS(hist, "\"est_area_ha\":95");
    dm_free(ctx, hist);
    dm_store_close(s);
}

/* `demine edit --wkt`: the areas follow the new polygon; a geometry the
 * layer does not hold or bad WKT is refused naming the layer and field (or
 * the option), and changes nothing. */
TEST(edit_wkt_updates_areas_and_refuses_other_geometry_types)
{
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "95"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "95"));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "edit t.gpkg H-1 --wkt 'POINT(46.9 39.9)'"), 4);
    ASSERT_CONTAINS(out, "t.gpkg: H-1: geometry: a POINT, but layer hazards holds MULTIPOLYGON");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit t.gpkg H-1 --wkt 'POLYGON((46.9 39.9'"), 2);
    ASSERT_CONTAINS(out, "t.gpkg: H-1: --wkt: bad WKT");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg 'select est_area_ha, remaining_area_ha from hazards; "
                              "select count(*) from change_log'"),
              0);
    ASSERT_STREQ(out, "95.0|95.0\n1\n");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "edit t.gpkg H-1 --wkt '%s' --reason 'NTS'", rect(46.9, 39.9, 0.005)), 0);
    free(out);
    double half = wkt_ha(rect(46.9, 39.9, 0.005));
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg 'select est_area_ha, remaining_area_ha from hazards'"), 0);
    char want[64];
    snprintf(want, sizeof want, "%.4f|%.4f", half, half);
    char got[64];
    double a = 0, b = 0;
    ASSERT_EQ(sscanf(out, "%lf|%lf", &a, &b), 2);
    snprintf(got, sizeof got, "%.4f|%.4f", a, b);
    ASSERT_STREQ(got, want);
    free(out);
}

/* A release area inserted (or imported) without area_ha, or a hazard
 * without est_area_ha, gets its polygon's area: statistics read the field,
 * and an empty one counted as 0 ha released. A value given stands. */
TEST(insert_takes_a_missing_area_from_the_polygon)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    char h[37], h_given[37], ra[37], ra_given[37];
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_store_insert(s, r, h));
    dm_row_free(r);
    r = hazard_row("H-2", square(46.95, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "40"));
    ASSERT_OK(dm_store_insert(s, r, h_given));
    dm_row_free(r);
    double ha = wkt_ha(square(46.9, 39.9));
    ASSERT(ha > 80 && ha < 100);
    ASSERT_NEAR(row_real(s, "hazards", h, "est_area_ha"), ha, 1e-3);
    ASSERT_NEAR(row_real(s, "hazards", h_given, "est_area_ha"), 40, 1e-9);
    ASSERT(isnan(row_real(s, "hazards", h, "remaining_area_ha")));
    const char *wkts[2] = {rect(47.1, 39.9, 0.005), rect(47.2, 39.9, 0.005)};
    char *ids[2] = {ra, ra_given};
    for (int k = 0; k < 2; k++) {
        r = dm_row_new(ctx, dm_layer_find("release_areas"));
        ASSERT_OK(dm_row_set(r, "outcome", "cleared"));
        if (k)
            ASSERT_OK(dm_row_set(r, "area_ha", "1.5"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkts[k], &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_store_insert(s, r, ids[k]));
        dm_row_free(r);
    }
    ASSERT_NEAR(row_real(s, "release_areas", ra, "area_ha"), wkt_ha(rect(47.1, 39.9, 0.005)), 1e-3);
    ASSERT_NEAR(row_real(s, "release_areas", ra_given, "area_ha"), 1.5, 1e-9);
    dm_store_close(s);
}

/* A detection filed under another sensor than its flight's would take that
 * sensor's rates into the risk map: every way in (import --layer detections,
 * the API, an edit) refuses it, naming both sensors and the flight. */
TEST(store_refuses_a_detection_of_another_sensor_than_its_flight)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    char sa[37], sb[37], fl[37];
    const char *names[2] = {"H20T thermal", "MagArrow"};
    char *ids[2] = {sa, sb};
    for (int i = 0; i < 2; i++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("sensors"));
        ASSERT_OK(dm_row_set(r, "name", names[i]));
        ASSERT_OK(dm_row_set(r, "kind", i ? "magnetometer" : "thermal"));
        ASSERT_OK(dm_store_insert(s, r, ids[i]));
        dm_row_free(r);
    }
    dm_row *r = dm_row_new(ctx, dm_layer_find("flights"));
    ASSERT_OK(dm_row_set(r, "ref", "FL-1"));
    ASSERT_OK(dm_row_set(r, "sensor_id", sa));
    dm_geom *fg = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POLYGON((46.89 39.89,46.91 39.89,46.91 39.91,46.89 39.91,46.89 39.89))", &fg));
    dm_row_set_geom(r, fg);
    ASSERT_OK(dm_store_insert(s, r, fl));
    dm_row_free(r);
    const struct {
        const char *sensor;
        dm_status want;
    } cases[] = {{sb, DM_ECONFLICT}, {sa, DM_OK}, {NULL, DM_OK}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = dm_row_new(ctx, dm_layer_find("detections"));
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, "POINT(46.9 39.9)", &g));
        dm_row_set_geom(r, g);
        ASSERT_OK(dm_row_set(r, "flight_id", fl));
        if (cases[i].sensor)
            ASSERT_OK(dm_row_set(r, "sensor_id", cases[i].sensor));
        ASSERT_OK(dm_row_set(r, "confidence", "0.9"));
        ASSERT_STATUS(cases[i].want, dm_store_insert(s, r, NULL));
        dm_row_free(r);
        if (cases[i].want) {
            ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'sensor_id'");
            ASSERT_CONTAINS(dmtest_ctx_msg(), "'MagArrow' is not its flight's");
            ASSERT_CONTAINS(dmtest_ctx_msg(), "flight 'FL-1' was flown with 'H20T thermal'");
        }
    }
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "detections", NULL, &c));
    int n = 0;
    while (dm_cursor_next(c) > 0)
        n++;
    dm_cursor_free(c);
    ASSERT_EQ(n, 2);
    /* nor may an edit file one under another sensor; its own stays */
    ASSERT_OK(dm_store_select(s, "detections", NULL, &c));
    ASSERT_EQ(dm_cursor_next(c), 1);
    char du[37];
    snprintf(du, sizeof du, "%s", dm_cursor_text(c, "uuid"));
    dm_cursor_free(c);
    r = dm_row_new(ctx, dm_layer_find("detections"));
    ASSERT_OK(dm_row_set(r, "sensor_id", sb));
    ASSERT_STATUS(DM_ECONFLICT, dm_store_update(s, du, r, "typo"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "'MagArrow' is not its flight's");
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("detections"));
    ASSERT_OK(dm_row_set(r, "sensor_id", sa));
    ASSERT_OK(dm_row_set(r, "confidence", "0.5"));
    ASSERT_OK(dm_store_update(s, du, r, "checked"));
    dm_row_free(r);
    dm_store_close(s);
}

/* show's "created" line names the row's last writer as the one who updated
 * it, not as its creator: after another author's edit the creator (in the
 * history) and the last writer differ */
TEST(show_names_the_last_writer_as_the_updater_not_the_creator)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --limit 1 --json", db), 0);
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%.36s", u + 8);
    free(out);
    ASSERT_DEMINE(0, NULL, "--author 'Aysel Q' edit %s %s notes=checked --reason 'field visit'", db, uuid);
    ASSERT_EQ(dmtest_demine(&out, "show %s %s", db, uuid), 0);
    const char *line = strstr(out, "\n  created ");
    ASSERT(line);
    const char *end = strchr(line + 1, '\n');
    ASSERT(end);
    char buf[200];
    snprintf(buf, sizeof buf, "%.*s", (int)(end - line - 1), line + 1);
    ASSERT(!strstr(buf, "by Aysel Q,")); /* not its creator */
    ASSERT_CONTAINS(buf, ", updated ");
    ASSERT(strstr(buf, ", updated ") < strstr(buf, " by Aysel Q"));
    ASSERT(!strcmp(buf + strlen(buf) - strlen(" by Aysel Q"), " by Aysel Q"));
    /* the history names the creator and the editor */
    ASSERT_CONTAINS(out, "update   by Aysel Q: field visit");
    free(out);
}

/* the rows an analysis wrote about a row (plan's plan_tasks, patterns'
 * predicted_mines, records verify's record_matches) do not block its delete:
 * they go with it, each logged; a row of the agency's own data still does,
 * and then nothing is deleted */
TEST(delete_takes_the_analyses_rows_about_a_row_with_it)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-30", square(46.9, 39.9));
    char hz[37], it[37], pt[37];
    ASSERT_OK(dm_store_insert(s, r, hz));
    dm_row_free(r);
    for (int i = 0; i < 2; i++) {
        r = dm_row_new(ctx, dm_layer_find("plan_tasks"));
        ASSERT_OK(dm_row_set(r, "hazard_id", "H-30"));
        ASSERT_OK(dm_row_set(r, "route", "reduce"));
        ASSERT_OK(dm_row_set(r, "rank", i ? "2" : "1"));
        ASSERT_OK(dm_store_insert(s, r, pt));
        dm_row_free(r);
    }
    r = dm_row_new(ctx, dm_layer_find("predicted_mines"));
    ASSERT_OK(dm_row_set(r, "hazard_id", "H-30"));
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, "POINT(46.905 39.905)", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    r = dm_row_new(ctx, dm_layer_find("items"));
    ASSERT_OK(dm_row_set(r, "category", "AP"));
    ASSERT_OK(dm_row_set(r, "hazard_id", "H-30"));
    ASSERT_OK(dm_geom_from_wkt(ctx, "POINT(46.906 39.906)", &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, it));
    dm_row_free(r);
    /* the item is the agency's data: it names it, not the plan's rows */
    ASSERT_STATUS(DM_ECONFLICT, dm_store_delete(s, "hazards", "H-30", "duplicate"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "1 row of items (hazard_id)");
    ASSERT(!strstr(dmtest_ctx_msg(), "plan_tasks"));
    long n = -1;
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n));
    ASSERT_EQ(n, 2);
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, 1);
    ASSERT_OK(dm_store_delete(s, "items", it, "entered twice"));
    ASSERT_OK(dm_store_delete(s, "hazards", "H-30", "duplicate"));
    ASSERT_OK(dm_store_count(s, "hazards", NULL, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(dm_store_count(s, "predicted_mines", NULL, &n));
    ASSERT_EQ(n, 0);
    /* each logged with the reason */
    char *hist = NULL;
    ASSERT_OK(dm_store_history_json(s, pt, &hist));
    ASSERT_CONTAINS(hist, "\"op\":\"delete\"");
    ASSERT_CONTAINS(hist, "\"reason\":\"duplicate\"");
    dm_free(ctx, hist);
    dm_store_close(s);
}

/* on the demo: an item records verify matched to a recorded mine deletes
 * from the command line, its match with it */
TEST(delete_an_item_records_verify_matched)
{
    const char *db = dmtest_demo_db();
    ASSERT_DEMINE(0, NULL, "records verify %s", db);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "record_matches", NULL, &c));
    char item[37] = "";
    while (!item[0] && dm_cursor_next(c) == 1)
        if (dm_cursor_text(c, "item_id"))
            snprintf(item, sizeof item, "%s", dm_cursor_text(c, "item_id"));
    dm_cursor_free(c);
    dm_store_close(s);
    ASSERT(item[0]);
    ASSERT_DEMINE(0, NULL, "delete %s %s --reason 'entered twice'", db, item);
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_READONLY, &s));
    const char *f[1] = {"item_id"}, *v[1] = {item};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    long n = -1;
    ASSERT_OK(dm_store_count(s, "record_matches", &sel, &n));
    ASSERT_EQ(n, 0);
    ASSERT_OK(dm_store_count(s, "items", NULL, &n));
    ASSERT(n > 0);
    dm_store_close(s);
}

/* a database another program is writing to (QGIS editing a layer): the
 * command says so and what to do, and changes nothing (exit code 3) */
TEST(a_locked_database_is_named_with_what_to_do)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --limit 1 --json", db), 0);
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%.36s", u + 8);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "rm -f lock.txt; { ( printf \"BEGIN IMMEDIATE; UPDATE dm_meta SET "
                              "value = value; SELECT 'locked';\\n\"; sleep 7; echo 'ROLLBACK;' ) "
                              "| sqlite3 %s; } > lock.txt 2>&1 < /dev/null &",
                        db),
              0);
    free(out);
    int locked = 0;
    for (int i = 0; i < 100 && !locked; i++) {
        char *l = dmtest_read_file(dmtest_path("lock.txt"));
        locked = l && strstr(l, "locked");
        free(l);
        if (!locked)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    ASSERT(locked);
    int rc = dmtest_demine(&out, "edit %s %s notes=x --reason test", db, uuid);
    ASSERT_MSG(rc == 3, "exit %d: %s", rc, out);
    ASSERT_CONTAINS(out, "is locked by another program writing to it");
    ASSERT_CONTAINS(out, "nothing was changed; try again when it is done");
    ASSERT(!strstr(out, ": SQL: database is locked"));
    free(out);
}

/* list's table cuts a long value to its column and says so with "…",
 * so that a cut value is not read as the whole one; --json has it whole */
TEST(list_marks_a_value_cut_to_its_column)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --limit 1 --json", db), 0);
    const char *u = strstr(out, "\"uuid\":\"");
    ASSERT(u);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%.36s", u + 8);
    free(out);
    ASSERT_DEMINE(0, NULL, "edit %s %s 'name=Şəki yolu boyunca minalanmış sahə' --reason test", db, uuid);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where uuid=%s", db, uuid), 0);
    ASSERT_CONTAINS(out, "  Şəki yolu boyunca minal\xE2\x80\xA6  "); /* 23 letters and the mark */
    free(out);
    /* a value that fits is printed whole, unmarked */
    ASSERT_DEMINE(0, NULL, "edit %s %s 'name=Şəki yolu' --reason test", db, uuid);
    ASSERT_EQ(dmtest_demine(&out, "list %s --layer hazards --where uuid=%s", db, uuid), 0);
    ASSERT_CONTAINS(out, "  Şəki yolu   ");
    ASSERT(!strstr(out, "\xE2\x80\xA6"));
    free(out);
}

/* status --date reads a date as edit and import do: day first too */
TEST(status_date_reads_day_first_as_edit_does)
{
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-40", square(46.9, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    ASSERT_OK(dm_hazard_set_status(s, "H-40", "partly_released", "12.05.2022", "survey"));
    ASSERT_STATUS(DM_EINVAL, dm_hazard_set_status(s, "H-40", "closed", "32.05.2022", "done"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "'32.05.2022' is not a date");
    ASSERT_OK(dm_hazard_set_status(s, "H-40", "closed", "2022-06-01", "done"));
    dm_cursor *c = NULL;
    ASSERT_OK(dm_store_select(s, "hazard_status", NULL, &c));
    int n = 0, may = 0;
    while (dm_cursor_next(c) == 1) {
        n++;
        const char *d = dm_cursor_text(c, "date");
        if (d && !strcmp(d, "2022-05-12"))
            may = 1;
    }
    dm_cursor_free(c);
    ASSERT(may);
    ASSERT(n >= 2);
    dm_store_close(s);
}

/* A hazard's remaining area is part of its estimate: more remaining than
 * estimated is refused (beyond rounding) on insert and edit, naming the row,
 * the field and both values, and changes nothing; an estimate cut below the
 * stored remaining area is refused too, an edit of another field of a hazard
 * already out of order is not. */
TEST(remaining_area_may_not_exceed_the_estimate)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = new_store();
    char h1[37];
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_row_set(r, "est_area_ha", "12.5"));
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "500"));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'remaining_area_ha': 500 ha is more than est_area_ha 12.5 ha");
    /* rounding is not an error: 12.51 of 12.5 */
    ASSERT_OK(dm_row_set(r, "remaining_area_ha", "12.51"));
    ASSERT_OK(dm_store_insert(s, r, h1));
    dm_row_free(r);
    /* no estimate given: the polygon's area is the estimate */
    double ha = wkt_ha(square(46.95, 39.9));
    r = hazard_row("H-2", square(46.95, 39.9));
    ASSERT_OK(dm_row_set_real(r, "remaining_area_ha", ha * 2));
    ASSERT_STATUS(DM_EPARSE, dm_store_insert(s, r, NULL));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "(its polygon's area, no est_area_ha given)");
    ASSERT_OK(dm_row_set_real(r, "remaining_area_ha", ha - 1));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);

    dm_row *u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "remaining_area_ha", "500"));
    ASSERT_STATUS(DM_EPARSE, dm_store_update(s, "H-1", u, "resurvey"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'remaining_area_ha': 500 ha is more than the hazard's est_area_ha 12.5 ha");
    dm_row_free(u);
    u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "est_area_ha", "5"));
    ASSERT_STATUS(DM_EPARSE, dm_store_update(s, "H-1", u, "resurvey"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "field 'est_area_ha': 5 ha is less than the hazard's remaining_area_ha 12.51 ha");
    /* both together, in order */
    ASSERT_OK(dm_row_set(u, "remaining_area_ha", "4"));
    ASSERT_OK(dm_store_update(s, "H-1", u, "resurvey"));
    dm_row_free(u);
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), 5, 1e-9);
    ASSERT_NEAR(row_real(s, "hazards", h1, "remaining_area_ha"), 4, 1e-9);
    /* a remaining area given with a new polygon: within the polygon's area */
    u = dm_row_new(ctx, dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(u, "remaining_area_ha", "500"));
    ASSERT_STATUS(DM_EPARSE, update_geom(s, h1, u, rect(46.9, 39.9, 0.005)));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "no est_area_ha given");
    ASSERT_NEAR(row_real(s, "hazards", h1, "est_area_ha"), 5, 1e-9);
    dm_store_close(s);

    /* a database written by another tool: other fields still edit */
    char *out = NULL;
    /* (the update triggers need SpatiaLite functions: dropped) */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"DROP TRIGGER IF EXISTS rtree_hazards_geom_update3; "
                              "DROP TRIGGER IF EXISTS rtree_hazards_geom_update4; "
                              "UPDATE hazards SET remaining_area_ha = 500 WHERE ref = 'H-1'\""),
              0);
    free(out);
    ASSERT_DEMINE(0, "updated hazards", "edit t.gpkg H-1 notes=fenced --reason 'site visit'");
    /* the command line names the database, the row, the field and both values */
    ASSERT_DEMINE(2, "demine edit: error: t.gpkg: H-2: field 'remaining_area_ha': 900 ha is more than the hazard's est_area_ha",
                  "edit t.gpkg H-2 remaining_area_ha=900 --reason x");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT count(*) FROM change_log WHERE reason = 'x'\""), 0);
    ASSERT_STREQ(out, "0\n");
    free(out);
}

/* `demine edit --wkt` of an invalid polygon: refused naming where, with
 * advice edit can follow; --repair makes it valid and says so. */
TEST(edit_repairs_an_invalid_wkt_with_repair)
{
    dm_store *s = new_store();
    dm_row *r = hazard_row("H-1", square(46.9, 39.9));
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
    dm_store_close(s);
    const char *bow = "POLYGON((46.9 39.9, 46.91 39.91, 46.91 39.9, 46.9 39.91, 46.9 39.9))";
    ASSERT_DEMINE(4, "geometry: invalid (Self-intersection at 46.9050000 39.9050000); use --repair to fix",
                  "edit t.gpkg H-1 --wkt '%s' --reason x", bow);
    ASSERT_DEMINE(0, "repaired geometry (Self-intersection at 46.9050000 39.9050000)",
                  "edit t.gpkg H-1 --wkt '%s' --repair --reason x", bow);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT est_area_ha FROM hazards\""), 0);
    double ha = strtod(out, NULL);
    free(out);
    /* the two triangles of the bow: half of the square's area */
    ASSERT_NEAR(ha, wkt_ha(square(46.9, 39.9)) / 2, 0.5);
    ASSERT_DEMINE(2, "--repair repairs the geometry given with --wkt", "edit t.gpkg H-1 notes=x --repair");
    /* stored valid: check finds nothing wrong with the geometry */
    ASSERT_EQ(dmtest_demine(&out, "check t.gpkg"), 0);
    ASSERT(!strstr(out, "invalid"));
    free(out);
}

/* The schema version says which build may open a database: a database of
 * schema 1 (before hazards proposed in reports) is brought to this build's
 * on a read-write open and left as it is read-only; one of a newer schema is
 * refused, naming both versions, and left untouched. */
TEST(store_schema_version_is_raised_on_a_read_write_open_and_a_newer_one_refused)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *p = dmtest_path("ver.gpkg");
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, p, DM_STORE_CREATE, &s));
    char *v = NULL;
    ASSERT_OK(dm_store_meta_get(s, "schema_version", &v));
    ASSERT_STREQ(v, "3");
    dm_free(ctx, v);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"UPDATE dm_meta SET value='1' WHERE key='schema_version'\"", p), 0);
    free(out);
    ASSERT_OK(dm_store_open(ctx, p, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_meta_get(s, "schema_version", &v));
    ASSERT_STREQ(v, "1");
    dm_free(ctx, v);
    dm_store_close(s);
    ASSERT_OK(dm_store_open(ctx, p, 0, &s));
    ASSERT_OK(dm_store_meta_get(s, "schema_version", &v));
    ASSERT_STREQ(v, "3");
    dm_free(ctx, v);
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"UPDATE dm_meta SET value='4' WHERE key='schema_version'\"", p), 0);
    free(out);
    ASSERT_STATUS(DM_ESCHEMA, dm_store_open(ctx, p, 0, &s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "made by a newer demine (schema 4; this build knows 3)");
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 %s \"SELECT value FROM dm_meta WHERE key='schema_version'\"", p), 0);
    ASSERT_CONTAINS(out, "4");
    free(out);
}

/* A transaction SQLite rolls back by itself (a full disk, an I/O error)
 * mid-way through nested writes (a bulk restore): the next begin or commit
 * says so, rather than go on with every statement committed on its own;
 * the rollbacks that follow close it, and the store works again. */
TEST(store_a_transaction_rolled_back_by_sqlite_is_not_gone_on_with)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("lost.gpkg"), DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_begin(s));
    ASSERT_OK(dm_store_begin(s));
    ASSERT(sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK); /* as SQLite does on a full disk */
    ASSERT_STATUS(DM_EIO, dm_store_begin(s));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "the write was rolled back by SQLite");
    ASSERT_STATUS(DM_EIO, dm_store_commit(s));
    ASSERT_OK(dm_store_rollback(s));
    ASSERT_OK(dm_store_rollback(s));
    ASSERT_EQ(s->depth, 0);
    ASSERT_OK(dm_store_begin(s));
    ASSERT_OK(dm_store_commit(s));
    dm_store_close(s);
}
