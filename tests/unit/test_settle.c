/* SPDX-License-Identifier: MIT
 *
 * test_settle.c -- `demine status DB --settle` (dm_hazards_settle): release
 * areas imported after their hazards leave remaining_area_ha empty; settling
 * records each open hazard's estimate less the land released (as the
 * statistics measure it, which therefore do not move) and moves an open one
 * to partly_released, closes none, lists those with nothing left, and
 * leaves the database as it was on --dry-run and on any failure, through
 * the command line (a date before a hazard's report) and through the
 * library (every allocation failed in turn).
 */
#include "dmtest.h"

#include <jansson.h>
#include <sqlite3.h>
#include <string.h>

/* KH-1 open, two overlapping release areas (cleared, then cancelled over
 * half of it: 7.21 ha counted once); KH-2 with its remaining area given;
 * KH-3 partly released, all of its 4 ha and more released; KH-4 open,
 * reported in 2022, a reduced strip approved and one of a field report
 * awaiting review (not counted); KH-5 closed. */
static const char *hazards_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-1\",\"hazard_type\":\"CHA\",\"status\":\"open\","
    "\"est_area_ha\":20,\"reported_date\":\"2019-03-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.8,13.0],[102.804,13.0],[102.804,13.004],[102.8,13.004],[102.8,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-2\",\"hazard_type\":\"SHA\",\"status\":\"open\","
    "\"est_area_ha\":20,\"remaining_area_ha\":15},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.81,13.0],[102.814,13.0],[102.814,13.004],[102.81,13.004],[102.81,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-3\",\"hazard_type\":\"SHA\",\"status\":\"partly_released\","
    "\"est_area_ha\":4},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.82,13.0],[102.822,13.0],[102.822,13.002],[102.82,13.002],[102.82,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-4\",\"hazard_type\":\"SHA\",\"status\":\"open\","
    "\"est_area_ha\":10,\"reported_date\":\"2022-06-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.83,13.0],[102.833,13.0],[102.833,13.003],[102.83,13.003],[102.83,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-5\",\"hazard_type\":\"SHA\",\"status\":\"closed\","
    "\"est_area_ha\":5},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.84,13.0],[102.842,13.0],[102.842,13.002],[102.84,13.002],[102.84,13.0]]]}}]}";

static const char *activities_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"ref\":\"FR-9\",\"activity_type\":\"clearance\",\"status\":\"draft\","
    "\"hazard_id\":\"KH-4\",\"start_date\":\"2023-04-01\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.831,13.0],[102.833,13.0],[102.833,13.003],[102.831,13.003],[102.831,13.0]]]}}]}";

static const char *release_geojson =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-1\",\"outcome\":\"cleared\",\"area_ha\":4.5,"
    "\"date\":\"2023-02-20\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.8,13.0],[102.802,13.0],[102.802,13.002],[102.8,13.002],[102.8,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-1\",\"outcome\":\"cancelled\",\"date\":\"2023-01-10\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.801,13.0],[102.803,13.0],[102.803,13.002],[102.801,13.002],[102.801,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-2\",\"outcome\":\"cleared\",\"date\":\"2023-02-21\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.81,13.0],[102.812,13.0],[102.812,13.002],[102.81,13.002],[102.81,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-3\",\"outcome\":\"cleared\",\"date\":\"2023-03-01\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.82,13.0],[102.822,13.0],[102.822,13.002],[102.82,13.002],[102.82,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-4\",\"outcome\":\"reduced\",\"date\":\"2023-03-05\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.83,13.0],[102.831,13.0],[102.831,13.002],[102.83,13.002],[102.83,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-4\",\"activity_id\":\"FR-9\",\"outcome\":\"cleared\","
    "\"date\":\"2023-04-02\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.831,13.0],[102.833,13.0],[102.833,13.003],[102.831,13.003],[102.831,13.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-5\",\"outcome\":\"cleared\",\"date\":\"2023-03-07\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[102.84,13.0],[102.842,13.0],[102.842,13.002],[102.84,13.002],[102.84,13.0]]]}}]}";

/* The database: hazards first, release areas imported after them. Its
 * path is kept (dmtest_path's buffers are reused). */
static const char *make_db(const char *name)
{
    static char db[1024];
    snprintf(db, sizeof db, "%s", dmtest_path(name));
    dmtest_write_file(dmtest_path("hz.geojson"), hazards_geojson);
    dmtest_write_file(dmtest_path("act.geojson"), activities_geojson);
    dmtest_write_file(dmtest_path("rel.geojson"), release_geojson);
    ASSERT_DEMINE(0, NULL, "init '%s'", db);
    ASSERT_DEMINE(0, "imported 5 rows", "import '%s' --layer hazards '%s'", db, dmtest_path("hz.geojson"));
    ASSERT_DEMINE(0, "imported 1 row ", "import '%s' --layer activities '%s'", db, dmtest_path("act.geojson"));
    ASSERT_DEMINE(0, "imported 7 rows", "import '%s' --layer release_areas '%s'", db, dmtest_path("rel.geojson"));
    return db;
}

/* What settling may change, as text: each hazard's ref, status and
 * remaining area, the life-cycle rows and the change log's length. */
static char *state_of(const char *db)
{
    sqlite3 *h = NULL;
    ASSERT_EQ(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    ASSERT_EQ(sqlite3_prepare_v2(h,
                                 "SELECT (SELECT group_concat(s, ' ') FROM (SELECT ref || ':' || ifnull(status, '-') "
                                 "|| ':' || CASE WHEN remaining_area_ha IS NULL THEN '-' ELSE printf('%.4f', "
                                 "remaining_area_ha) END AS s FROM hazards ORDER BY fid)) || ' | status rows ' || (SELECT count(*) FROM hazard_status) || ' | log ' || "
                                 "(SELECT count(*) FROM change_log)",
                                 -1, &q, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    char *s = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(h);
    return s;
}

/* One number of the database (an SQL expression of one row). */
static double sql_num(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    ASSERT_EQ(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    ASSERT_MSG(sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    double v = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

static json_t *stats_of(const char *db)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "stats '%s' --json", db), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "%s", out);
    free(out);
    return j;
}

static double jnum(json_t *j, const char *a, const char *b, const char *c, const char *d)
{
    json_t *v = json_object_get(j, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    if (d)
        v = json_object_get(v, d);
    ASSERT_MSG(json_is_number(v), "no figure %s.%s.%s.%s", a, b ? b : "", c ? c : "", d ? d : "");
    return json_number_value(v);
}

TEST(settle_records_the_land_released_from_hazards_by_later_release_areas)
{
    const char *db = make_db("s.gpkg");
    char *out = NULL;
    /* check names the three open hazards with land released, and the
     * command that records them all */
    ASSERT_EQ(dmtest_demine(&out, "check '%s'", db), 0);
    ASSERT_CONTAINS(out, "KH-1: 7.21 ha were released from it");
    ASSERT_CONTAINS(out, "record what is left, for every such hazard at once with `demine status DB --settle`");
    ASSERT_CONTAINS(out, "KH-3: 4.80 ha were released from it");
    ASSERT_CONTAINS(out, "nothing is left: close it with `demine status DB KH-3 closed`");
    ASSERT_CONTAINS(out, "KH-4: 2.40 ha were released from it"); /* the draft's land not counted */
    ASSERT(!strstr(out, "KH-2:") && !strstr(out, "KH-5:"));
    free(out);
    json_t *before = stats_of(db);
    char *s0 = state_of(db);
    ASSERT_CONTAINS(s0, "KH-1:open:- KH-2:open:15.0000 KH-3:partly_released:- KH-4:open:- KH-5:closed:- "
                        "| status rows 0 |");

    /* --dry-run: the table, nothing written (not a byte of the file) */
    ASSERT_EQ(dmtest_sh(&out, "cp '%s' '%s'", db, dmtest_path("copy.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "status '%s' --settle --dry-run", db), 0);
    ASSERT_CONTAINS(out, "hazard  estimate_ha  released_ha  remaining_ha  status\n");
    ASSERT_CONTAINS(out, "KH-1          20.00         7.21         12.79  open -> partly_released\n");
    ASSERT_CONTAINS(out, "KH-3           4.00         4.80          0.00  partly_released (nothing left)\n");
    ASSERT_CONTAINS(out, "KH-4          10.00         2.40          7.60  open -> partly_released\n");
    ASSERT(!strstr(out, "KH-2") && !strstr(out, "KH-5"));
    ASSERT_CONTAINS(out, "would settle 3 hazards: remaining_area_ha to record, 2 to move to partly_released "
                         "(dry run: nothing written)");
    char want[1024];
    snprintf(want, sizeof want, "  demine status %s KH-3 closed --reason TEXT\n", db);
    ASSERT_CONTAINS(out, want);
    free(out);
    char *s1 = state_of(db);
    ASSERT_STREQ(s1, s0);
    free(s1);
    ASSERT_EQ(dmtest_sh(&out, "cmp '%s' '%s'", db, dmtest_path("copy.gpkg")), 0);
    free(out);
    /* the same as JSON */
    ASSERT_EQ(dmtest_demine(&out, "status '%s' --settle --dry-run --json", db), 0);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    ASSERT_MSG(j != NULL, "%s", out);
    ASSERT_EQ(json_integer_value(json_object_get(j, "count")), 3);
    ASSERT(json_is_true(json_object_get(j, "dry_run")));
    json_t *h3 = json_array_get(json_object_get(j, "hazards"), 1);
    ASSERT_STREQ(json_string_value(json_object_get(h3, "ref")), "KH-3");
    ASSERT(json_is_true(json_object_get(h3, "nothing_left")));
    ASSERT_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(j, "hazards"), 0), "release_areas")),
              2);
    json_decref(j);
    free(out);

    /* settle */
    ASSERT_EQ(dmtest_demine(&out, "--author tester status '%s' --settle --reason 'clearance records of 2023 imported'",
                            db),
              0);
    ASSERT_CONTAINS(out, "KH-1          20.00         7.21         12.79  open -> partly_released\n");
    ASSERT_CONTAINS(out, "settled 3 hazards: remaining_area_ha recorded, 2 moved to partly_released");
    ASSERT_CONTAINS(out, want); /* KH-3: the close to run */
    free(out);
    char *s2 = state_of(db);
    /* none closed; KH-2 (remaining given) and KH-5 (closed) untouched */
    ASSERT_MSG(strstr(s2, "KH-1:partly_released:12.79") && strstr(s2, "KH-2:open:15.0000 ") &&
                   strstr(s2, "KH-3:partly_released:0.0000 ") && strstr(s2, "KH-4:partly_released:7.598") &&
                   strstr(s2, "KH-5:closed:- | status rows 2 |"),
               "%s", s2);
    free(s2);
    /* as the statistics had it: the estimate less the land released */
    ASSERT_NEAR(sql_num(db, "SELECT remaining_area_ha FROM hazards WHERE ref = 'KH-1'"),
                jnum(before, "hazards", "by_type", "CHA", "remaining_ha"), 1e-4);
    /* logged as an edit: the values, the author, the reason and the figures */
    ASSERT_EQ(sql_num(db, "SELECT count(*) FROM change_log WHERE author = 'tester' AND layer = 'hazards' AND reason "
                          "LIKE 'clearance records of 2023 imported (demine status --settle: its estimate %'"),
              5);
    ASSERT_EQ(sql_num(db, "SELECT count(*) FROM change_log WHERE uuid = (SELECT uuid FROM hazards WHERE ref = "
                          "'KH-2')"),
              1);
    ASSERT_EQ(sql_num(db, "SELECT count(*) FROM hazard_status WHERE from_status = 'open' AND to_status = "
                          "'partly_released' AND date = date('now') AND reason LIKE 'clearance records%'"),
              2);
    ASSERT_EQ(dmtest_demine(&out, "show '%s' KH-1", db), 0);
    ASSERT_CONTAINS(out, "by tester: clearance records of 2023 imported (demine status --settle: its estimate 20.00 "
                         "ha, 7.21 ha released by 2 release areas dated 2023-01-10 to 2023-02-20, 12.79 ha left)");
    ASSERT_CONTAINS(out, "remaining_area_ha: null -> 12.79");
    ASSERT_CONTAINS(out, "status: \"open\" -> \"partly_released\"");
    free(out);

    /* check has nothing more to say of it */
    ASSERT_EQ(dmtest_demine(&out, "check '%s'", db), 0);
    ASSERT(!strstr(out, "remaining_missing"));
    free(out);
    /* the statistics already took the land off: their figures stay */
    json_t *after = stats_of(db);
    ASSERT_NEAR(jnum(after, "hazards", "remaining_ha", NULL, NULL), jnum(before, "hazards", "remaining_ha", NULL, NULL),
                1e-3);
    ASSERT_NEAR(jnum(after, "hazards", "by_type", "CHA", "remaining_ha"),
                jnum(before, "hazards", "by_type", "CHA", "remaining_ha"), 1e-3);
    ASSERT_NEAR(jnum(after, "hazards", "by_type", "SHA", "remaining_ha"),
                jnum(before, "hazards", "by_type", "SHA", "remaining_ha"), 1e-3);
    ASSERT_NEAR(jnum(after, "released", "total_ha", NULL, NULL), jnum(before, "released", "total_ha", NULL, NULL),
                1e-9);
    /* 20 - 7.21 + 15 + 0 + 10 - 2.40 */
    ASSERT_NEAR(jnum(after, "hazards", "remaining_ha", NULL, NULL), 35.39, 0.01);
    json_decref(before);
    json_decref(after);

    /* run again: nothing to do */
    ASSERT_EQ(dmtest_demine(&out, "status '%s' --settle", db), 0);
    ASSERT_CONTAINS(out, "no hazard to settle");
    free(out);
    free(s0);
}

/* A failure on the third hazard (a date before KH-4 was reported) after
 * the first was written leaves the database as it was. */
TEST(settle_failing_mid_way_changes_nothing)
{
    const char *db = make_db("f.gpkg");
    char *s0 = state_of(db), *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "status '%s' --settle --date 2021-01-01", db), 2);
    ASSERT_CONTAINS(out, "demine status: error: ");
    ASSERT_CONTAINS(out, "--settle: hazard KH-4: ");
    ASSERT_CONTAINS(out, "is before the hazard was reported (2022-06-01) (nothing changed)");
    free(out);
    char *s1 = state_of(db);
    ASSERT_STREQ(s1, s0);
    free(s1);
    /* a date after it: done, dated so */
    ASSERT_DEMINE(0, "settled 3 hazards", "status '%s' --settle --date 2023-06-30", db);
    ASSERT_EQ(sql_num(db, "SELECT count(*) FROM hazard_status WHERE date = '2023-06-30'"), 2);
    free(s0);
}

/* Options that go with --settle alone, and --settle with a hazard. */
TEST(settle_options)
{
    const char *db = make_db("o.gpkg");
    ASSERT_DEMINE(2, "--dry-run goes with --settle", "status '%s' KH-1 closed --dry-run", db);
    ASSERT_DEMINE(2, "--settle takes DB alone", "status '%s' KH-1 --settle", db);
    ASSERT_DEMINE(0, "--settle [--dry-run]", "status --help");
    ASSERT_DEMINE(0, "status     move a hazard along its life cycle (--settle: record released land)", "--help");
}

/* Through the library: every allocation failed in turn, the settling
 * either is done whole or changed nothing; done, its figures are those of
 * a run without failures. */
TEST(settle_is_all_or_nothing_when_allocations_fail)
{
    const char *db = make_db("a.gpkg");
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_settle_row *want = NULL;
    size_t n_want = 0;
    ASSERT_OK(dm_hazards_settle(s, 1, NULL, NULL, &want, &n_want));
    ASSERT_EQ(n_want, 3);
    dm_store_close(s);
    char *s0 = state_of(db);
    int failed_mid_way = 0, done = 0;
    for (long k = 1; k < 20000 && !done; k++) {
        ASSERT_OK(dm_store_open(ctx, db, 0, &s));
        dm_settle_row *v = NULL;
        size_t n = 0;
        dm_ctx_fail_alloc_after(ctx, k);
        dm_status st = dm_hazards_settle(s, 0, NULL, "test", &v, &n);
        dm_ctx_fail_alloc_after(ctx, 0);
        if (st) {
            /* the failure of a later hazard's write, the first one's done */
            if (strstr(dm_ctx_errmsg(ctx), "hazard KH-4"))
                failed_mid_way = 1;
            ASSERT(v == NULL && n == 0);
            dm_store_close(s);
            char *now = state_of(db);
            ASSERT_MSG(!strcmp(now, s0), "allocation %ld failed (%s) and left %s", k, dm_ctx_errmsg(ctx), now);
            free(now);
            continue;
        }
        done = 1;
        ASSERT_EQ(n, n_want);
        for (size_t i = 0; i < n; i++) {
            ASSERT_STREQ(v[i].uuid, want[i].uuid);
            ASSERT_NEAR(v[i].released_ha, want[i].released_ha, 1e-9);
            ASSERT_NEAR(v[i].remaining_ha, want[i].remaining_ha, 1e-9);
            ASSERT_STREQ(v[i].status_after, "partly_released");
        }
        dm_free(ctx, v);
        dm_store_close(s);
    }
    ASSERT(done);
    ASSERT(failed_mid_way);
    char *now = state_of(db);
    ASSERT_MSG(strstr(now, "KH-1:partly_released:12.79") && strstr(now, "status rows 2"), "%s", now);
    free(now);
    dm_free(ctx, want);
    free(s0);
}

/* dm_hazards_released measures as the statistics: the land of each hazard
 * counted once, the draft report's left out. */
TEST(released_land_is_the_statistics_measure)
{
    const char *db = make_db("r.gpkg");
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    dm_hazard_released *v = NULL;
    size_t n = 0;
    ASSERT_OK(dm_hazards_released(s, &v, &n));
    ASSERT_EQ(n, 5);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        total += v[i].ha;
        ASSERT(dm_hazard_released_find(v, n, v[i].hazard) == &v[i]);
    }
    ASSERT(dm_hazard_released_find(v, n, "00000000-0000-4000-8000-000000000000") == NULL);
    json_t *st = stats_of(db);
    ASSERT_NEAR(total, jnum(st, "released", "total_ha", NULL, NULL), 1e-6);
    json_decref(st);
    dm_free(ctx, v);
    dm_store_close(s);
}
