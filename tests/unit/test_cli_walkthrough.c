/* SPDX-License-Identifier: MIT
 *
 * test_cli_walkthrough.c -- small things a new user met walking through the
 * commands: a total of one said in the singular ("1 of 1 open hazard"), and
 * status --date read as every other date option reads a date.
 */
#include "dmtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row of layer (districts or hazards) with a square polygon. */
static void put_square(dm_store *s, const char *layer, const char *name, const char *ref, double x0, double y0,
                       double d)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    if (name)
        ASSERT_OK(dm_row_set(r, "name", name));
    if (ref) {
        ASSERT_OK(dm_row_set(r, "ref", ref));
        ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
        ASSERT_OK(dm_row_set(r, "status", "open"));
        ASSERT_OK(dm_row_set(r, "reported_date", "2020-01-10"));
    }
    char wkt[300];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f))", x0, y0, x0 + d, y0,
             x0 + d, y0 + d, x0, y0 + d, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

/* "N of M <noun>s" says M's noun in the singular when M is 1: a database of
 * one open hazard planned by its district is "1 of the 1 open hazard", not
 * "1 of the 1 open hazards" */
TEST(cli_of_totals_of_one_are_singular)
{
    char db[1024];
    snprintf(db, sizeof db, "%s", dmtest_path("one.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_CREATE, &s));
    put_square(s, "districts", "North", NULL, 47.0, 39.95, 0.1);
    put_square(s, "hazards", NULL, "N-1", 47.01, 39.96, 0.005);
    dm_store_close(s);
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --prior --samples 0 --start 2026-11-30 --no-write --csv '%s' "
                                 "--out-json '%s' --district north",
                           db, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "planning 1 of the 1 open hazard, those of the district North");
    ASSERT(!strstr(out, "1 of the 1 open hazards"));
    free(out);
}

static long status_rows(const char *db)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' 'select count(*) from hazard_status'", db), 0);
    long n = strtol(out, NULL, 10);
    free(out);
    return n;
}

/* status --date is read by the CLI as plan --start, qc --from and every other
 * date option read a date: the same message for a date that is none, given
 * before the database is touched; the forms it took before (day first, a
 * slashed ISO date, a time after the date) still pass, stored as the day */
TEST(status_date_reads_as_every_date_option)
{
    char db[1024];
    snprintf(db, sizeof db, "%s", dmtest_path("st.gpkg"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), db, DM_STORE_CREATE, &s));
    put_square(s, "hazards", NULL, "H-1", 47.01, 39.96, 0.005);
    dm_store_close(s);
    long before = status_rows(db);
    ASSERT_DEMINE(2,
                  "demine status: --date: '2021-02-30' is not a date from 1800-01-01 to 2200-12-31 (YYYY-MM-DD, "
                  "YYYY-MM or YYYY; or day first: 12.05.2026)",
                  "status '%s' H-1 partly_released --date 2021-02-30 --reason x", db);
    ASSERT_DEMINE(2, "--date: '12 May 2021' is not a date from 1800-01-01",
                  "status '%s' H-1 partly_released --date '12 May 2021' --reason x", db);
    ASSERT_DEMINE(2, "--date: '2021-13-01' is not a date", "status '%s' --settle --date 2021-13-01", db);
    ASSERT_EQ(status_rows(db), before);
    ASSERT_DEMINE(0, "is now partly_released", "status '%s' H-1 partly_released --date 12.05.2021 --reason x", db);
    ASSERT_DEMINE(0, "is now open", "status '%s' H-1 open --date 2021/06/01 --reason y", db);
    ASSERT_DEMINE(0, "is now closed", "status '%s' H-1 closed --date '2021-07-01T10:00' --reason z", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 '%s' \"select group_concat(date, ' ') from (select date from hazard_status "
                              "where date like '2021-%%' order by date)\"",
                        db),
              0);
    ASSERT_CONTAINS(out, "2021-05-12 2021-06-01 2021-07-01");
    free(out);
}
