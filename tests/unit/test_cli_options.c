/* SPDX-License-Identifier: MIT
 *
 * test_cli_options.c -- how the command line answers options given wrong:
 * mistyped (the option meant), ambiguous, missing their value, demine's own
 * options after the command (they go before it), a command's before it, and
 * --crs given as a bare EPSG code.
 */
#include "dmtest.h"

TEST(cli_names_the_option_meant_and_where_it_goes)
{
    /* a typo names the option meant and the help, with demine's prefix */
    ASSERT_DEMINE(2, "demine edit: unknown option '--resaon' (did you mean '--reason'?)\n(see 'demine edit --help')",
                  "edit t.gpkg H-1 notes=x --resaon x");
    ASSERT_DEMINE(2, "demine stats: unknown option '--jsno' (did you mean '--json'?)", "stats t.gpkg --jsno");
    ASSERT_DEMINE(2, "demine records: unknown option '--tolerence' (did you mean '--tolerance'?)",
                  "records verify t.gpkg --tolerence 5");
    ASSERT_DEMINE(2, "demine edit: unknown option '-reason' (did you mean '--reason'?)", "edit t.gpkg H-1 -reason x");
    /* nothing close: no guess */
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "edit t.gpkg H-1 notes=x --frobnicate"), 2);
    ASSERT_CONTAINS(out, "demine edit: unknown option '--frobnicate'\n");
    ASSERT(!strstr(out, "did you mean"));
    ASSERT(!strstr(out, "unrecognized"));
    free(out);
    /* demine's own options go before the command */
    ASSERT_DEMINE(2, "demine edit: --author is an option of demine itself: it goes before the command: "
                     "`demine --author NAME edit ...`",
                  "edit t.gpkg H-1 notes=x --author bob");
    ASSERT_DEMINE(2, "`demine -q stats ...`", "stats t.gpkg -q");
    /* commands parsing their options by hand say so too */
    ASSERT_DEMINE(2, "`demine --author NAME mag ...`", "mag lines.csv --author bob");
    /* and name the option meant from their help */
    ASSERT_DEMINE(2, "demine plan: unknown option '--sampels' (did you mean '--samples'?)\n(see 'demine plan --help')",
                  "plan t.gpkg --sampels 10");
    ASSERT_DEMINE(2, "demine risk map: unknown option '--cel' (did you mean '--cell'?)", "risk map t.gpkg --cel 20");
    ASSERT_DEMINE(2, "demine risk eval: unknown option '--truht' (did you mean '--truth'?)", "risk eval r.tif --truht a");
    ASSERT_DEMINE(2, "demine route: unknown option '--form' (did you mean '--from'?)", "route t.gpkg --form 1,2");
    ASSERT_DEMINE(2, "demine serve: unknown option '--prot' (did you mean '--port'?)", "serve t.gpkg --prot 8080");
    ASSERT_DEMINE(2, "demine report: unknown option '--publik' (did you mean '--public'?)", "report t.gpkg --publik");
    ASSERT_DEMINE(2, "demine plan: --author is an option of demine itself", "plan t.gpkg --author bob");
    /* a command's option before the command */
    ASSERT_DEMINE(2, "a command's options go after the command", "--reason x edit t.gpkg H-1");
    ASSERT_DEMINE(2, "demine: --author needs a NAME", "--author");
    /* abbreviations: ambiguous ones name the options, values are named */
    ASSERT_DEMINE(2, "demine edit: option '--re' is ambiguous: '--reason', '--repair'", "edit t.gpkg H-1 --re x");
    ASSERT_DEMINE(2, "demine edit: option '--reason' needs a value", "edit t.gpkg H-1 notes=x --reason");
    ASSERT_DEMINE(2, "demine edit: option '--repair' takes no value", "edit t.gpkg H-1 --repair=yes");
}

/* `--crs 32638` (a bare EPSG code) is EPSG:32638 for every command; it was
 * refused as "not a coordinate reference system". */
TEST(crs_takes_a_bare_epsg_code)
{
    ASSERT_DEMINE(0, "created", "init c.gpkg");
    dmtest_write_file(dmtest_path("pts.csv"), "x,y,category\n500000,4420000,AP\n");
    ASSERT_DEMINE(0, "imported 1 row into items", "--author qa import c.gpkg --layer items --x x --y y --crs 32638 pts.csv");
    ASSERT_DEMINE(0, "imported 1 row into items", "--author qa import c.gpkg --layer items --x x --y y --crs=32638 pts.csv");
    /* the same point as EPSG:32638 gives */
    ASSERT_DEMINE(0, "imported 1 row into items",
                  "--author qa import c.gpkg --layer items --x x --y y --crs EPSG:32638 pts.csv");
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 c.gpkg 'SELECT count(DISTINCT hex(geom)) || \" \" || count(*) FROM items'"), 0);
    ASSERT_STREQ(out, "1 3\n");
    free(out);
}
