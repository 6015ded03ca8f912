/* SPDX-License-Identifier: MIT
 *
 * test_plan_planner.c -- `demine plan` as an operations planner reads it: a
 * small database built with init and import, planned with a team file, and
 * what the text, CSV and JSON say about what comes first, by which team,
 * when it ends, what the budget funds and what it leaves out.
 */
#include "dmtest.h"

#include <jansson.h>

/* Five hazards in three districts (imported as GeoJSON) and a team file of
 * four teams: H-1 and H-4 high-risk CHAs, the others SHAs. Returns the
 * database's path. */
static const char *planner_db(void)
{
    static char db[1024]; /* dmtest_path's buffers are reused */
    snprintf(db, sizeof db, "%s", dmtest_path("small.gpkg"));
    const char *gj = dmtest_path("haz.geojson");
    static const struct {
        const char *ref, *type, *status, *ord, *cls, *district;
        int rel;
        double x, y, d;
    } hz[5] = {
        {"H-1", "CHA", "open", "AP", "M1", "Fuzuli", 2, 46.90, 39.60, 0.002},
        {"H-2", "SHA", "open", "AT", "M3", "Fuzuli", 3, 46.92, 39.61, 0.004},
        {"H-3", "SHA", "open", "UXO", "M4", "Jabrayil", 5, 46.95, 39.55, 0.01},
        {"H-4", "CHA", "partly_released", "AP", "M2", "Jabrayil", 2, 46.97, 39.56, 0.003},
        {"H-5", "SHA", "open", "AP", "M4", "Zangilan", 4, 46.99, 39.50, 0.006},
    };
    char buf[8192];
    size_t o = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 5; i++) {
        double x = hz[i].x, y = hz[i].y, d = hz[i].d;
        o += (size_t)snprintf(buf + o, sizeof buf - o,
                              "%s{\"type\":\"Feature\",\"properties\":{\"ref\":\"%s\",\"hazard_type\":\"%s\","
                              "\"status\":\"%s\",\"ordnance\":\"%s\",\"classification\":\"%s\","
                              "\"reliability\":%d,\"district\":\"%s\"},\"geometry\":{\"type\":\"MultiPolygon\","
                              "\"coordinates\":[[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]]}}",
                              i ? "," : "", hz[i].ref, hz[i].type, hz[i].status, hz[i].ord, hz[i].cls, hz[i].rel,
                              hz[i].district, x, y, x + d, y, x + d, y + d, x, y + d, x, y);
    }
    snprintf(buf + o, sizeof buf - o, "]}");
    dmtest_write_file(gj, buf);
    dmtest_write_file(dmtest_path("teams.csv"), "name,method,capacity_ha_day,cost_usd_day,count\n"
                                                "Alpha,manual,0.1,1800,2\nBravo,mechanical,0.6,5500,1\n"
                                                "Scout,survey,15,900,1\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "init '%s'", db);
    if (rc == 0) {
        free(out);
        rc = dmtest_demine(&out, "import '%s' --layer hazards '%s'", db, gj);
    }
    if (rc != 0)
        fprintf(stderr, "planner_db: %s\n", out);
    free(out);
    return rc == 0 ? db : NULL;
}

/* `demine plan` of the planner's database with extra options, written to
 * p.csv and p.json; the output in *out, the exit code returned. */
static int plan_small(char **out, const char *db, const char *extra)
{
    return dmtest_demine(out,
                         "plan '%s' --prior --teams '%s' --start 2026-11-30 --samples 10 --csv '%s' "
                         "--out-json '%s' %s",
                         db, dmtest_path("teams.csv"), dmtest_path("p.csv"), dmtest_path("p.json"), extra);
}

/* Under a budget that funds one hazard of five, the end line gives the
 * end of the funded land, not "all land", and the high-risk hazards funded
 * of all of them (H-4, high-risk too, is left out). */
TEST(plan_cli_end_under_a_budget_is_the_funded_lands)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "(1 hazard funded, USD 39,353)");
    /* a span under a month in days (it read "0.0 years") */
    ASSERT_CONTAINS(out, "  end:      high-risk land (1 of 2 hazards funded) 2026-12-02 (3 days); all funded "
                         "land 2026-12-02 (3 days)");
    ASSERT_CONTAINS(out, " days, all funded ");
    ASSERT(!strstr(out, "0.0 years"));
    ASSERT(!strstr(out, "; all land"));
    free(out);
    /* without a budget, every hazard: as before */
    rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  end:      high-risk land (2 hazards) ");
    ASSERT_CONTAINS(out, "; all land 2027-04-21");
    free(out);
}

/* A budget says what it funds, what is left of it and the first hazard by
 * priority it leaves out with its cost (the sum to ask for to go one
 * hazard further), in the text and in the JSON's budget. */
TEST(plan_cli_says_what_the_budget_leaves_and_the_first_left_out)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  budget:   USD 0.10 M at unit rates funds 1 of 5 hazards (USD 39,353), USD 60,647 left;\n"
                         "            the first left out, H-4 (rank 2, reduce), costs USD 80,032\n");
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *b = json_object_get(root, "budget");
    ASSERT_NEAR(json_number_value(json_object_get(b, "usd")), 100000, 1e-6);
    ASSERT_EQ(json_integer_value(json_object_get(b, "funded")), 1);
    ASSERT_NEAR(json_number_value(json_object_get(b, "left_usd")), 100000 - 39352.5, 1);
    json_t *f = json_object_get(b, "first_unfunded");
    ASSERT_STREQ(json_string_value(json_object_get(f, "hazard")), "H-4");
    ASSERT_EQ(json_integer_value(json_object_get(f, "rank")), 2);
    ASSERT_NEAR(json_number_value(json_object_get(f, "cost_usd")), 80032, 1);
    json_decref(root);
    /* without a budget: no budget key, and no budget line */
    rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT(!strstr(out, "budget:"));
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT(!json_object_get(root, "budget"));
    json_decref(root);
}

/* Each hazard of the JSON's priorities says when it is worked and by whom:
 * the first and last working day of its tasks and its teams; an unfunded
 * one has null dates and no team. */
TEST(plan_priorities_give_each_hazards_dates_and_teams)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *pr = json_object_get(root, "priorities"), *tasks = json_object_get(root, "tasks");
    ASSERT_EQ(json_array_size(pr), 5);
    for (size_t k = 0; k < json_array_size(pr); k++) {
        json_t *p = json_array_get(pr, k);
        const char *ref = json_string_value(json_object_get(p, "hazard"));
        const char *st = json_string_value(json_object_get(p, "start"));
        const char *en = json_string_value(json_object_get(p, "end"));
        ASSERT_MSG(st && en, "%s has no dates", ref);
        /* the same as its tasks' first start and last end; every team of its tasks listed */
        const char *ts = NULL, *te = NULL;
        json_t *teams = json_object_get(p, "teams");
        for (size_t q = 0; q < json_array_size(tasks); q++) {
            json_t *t = json_array_get(tasks, q);
            if (strcmp(json_string_value(json_object_get(t, "hazard")), ref))
                continue;
            const char *a = json_string_value(json_object_get(t, "start"));
            const char *e = json_string_value(json_object_get(t, "end"));
            if (!ts || strcmp(a, ts) < 0)
                ts = a;
            if (!te || strcmp(e, te) > 0)
                te = e;
            int found = 0;
            for (size_t m = 0; m < json_array_size(teams); m++)
                found |= !strcmp(json_string_value(json_array_get(teams, m)),
                                 json_string_value(json_object_get(t, "team")));
            ASSERT_MSG(found, "%s: team %s not listed", ref, json_string_value(json_object_get(t, "team")));
        }
        ASSERT_STREQ(st, ts);
        ASSERT_STREQ(en, te);
        if (!strcmp(ref, "H-4")) {
            ASSERT_STREQ(st, "2026-11-30");
            ASSERT_STREQ(en, "2026-12-25");
            ASSERT_EQ(json_array_size(teams), 2);
            ASSERT_STREQ(json_string_value(json_array_get(teams, 0)), "Alpha-1");
            ASSERT_STREQ(json_string_value(json_array_get(teams, 1)), "Bravo");
        }
    }
    json_decref(root);
    /* under a budget the unfunded ones have none */
    rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    pr = json_object_get(root, "priorities");
    int unfunded = 0;
    for (size_t k = 0; k < json_array_size(pr); k++) {
        json_t *p = json_array_get(pr, k);
        if (json_is_true(json_object_get(p, "funded")))
            continue;
        unfunded++;
        ASSERT(json_is_null(json_object_get(p, "start")));
        ASSERT(json_is_null(json_object_get(p, "end")));
        ASSERT_EQ(json_array_size(json_object_get(p, "teams")), 0);
    }
    ASSERT_EQ(unfunded, 4);
    json_decref(root);
}

/* The text says what comes first: the first hazards by priority with their
 * route, area, teams, dates and cost, and which the budget leaves out. */
TEST(plan_cli_lists_the_first_priorities_with_teams_and_dates)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  first:    1. H-1 (Fuzuli): reduce (TS) 3.8 ha by Bravo, 2026-11-30 to 2026-12-02, "
                         "USD 39,353\n"
                         "            2. H-4 (Jabrayil): reduce (TS) 8.6 ha by Alpha-1, Bravo, 2026-11-30 to "
                         "2026-12-25, USD 80,032\n");
    ASSERT_CONTAINS(out, "            5. H-3 (Jabrayil): reduce (TS) 95.4 ha by Alpha-1, Alpha-2, Bravo, 2027-02-17 to "
                         "2027-04-21, USD 0.43 M\n  written:");
    free(out);
    rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "            2. H-4 (Jabrayil): reduce (TS) 8.6 ha, USD 80,032: not funded\n");

    free(out);
}

/* --horizon names the hazards that end after it, by priority, with the day
 * each ends (it gave their number and hectares alone), in the text and the
 * JSON; one hazard is "1 hazard ... ends", not "1 hazards ... end". */
TEST(plan_cli_names_the_hazards_beyond_the_horizon)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--horizon 0.25");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  horizon:  1 hazard (95.4 ha) ends after 0.25 years\n            H-3 (ends 2027-04-21)\n");
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *bh = json_object_get(root, "beyond_horizon");
    ASSERT_EQ(json_integer_value(json_object_get(bh, "hazards")), 1);
    json_t *names = json_object_get(bh, "names");
    ASSERT_EQ(json_array_size(names), 1);
    ASSERT_STREQ(json_string_value(json_object_get(json_array_get(names, 0), "hazard")), "H-3");
    ASSERT_STREQ(json_string_value(json_object_get(json_array_get(names, 0), "end")), "2027-04-21");
    ASSERT_EQ(json_integer_value(json_object_get(json_array_get(names, 0), "rank")), 5);
    json_decref(root);
    /* a horizon after every end: none named */
    rc = plan_small(&out, db, "--horizon 1");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  horizon:  every hazard ends within the 1-year horizon\n");
    ASSERT(!strstr(out, "0 hazards (0.0 ha) end"));
    free(out);
    rc = plan_small(&out, db, "--budget 100000 --horizon 0.5");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  horizon:  every funded hazard ends within the 0.5-year horizon\n");
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT_EQ(json_array_size(json_object_get(json_object_get(root, "beyond_horizon"), "names")), 0);
    json_decref(root);
}

/* The hazards a budget leaves out follow the tasks in priority order, in
 * the CSV and in the plan_tasks layer (they came in the database's order:
 * ranks 3, 5, 2, 4). */
TEST(plan_unfunded_rows_come_in_priority_order)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    char *csv = dmtest_read_file(dmtest_path("p.csv"));
    ASSERT(csv);
    long prev = 0;
    int rows = 0;
    for (char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        long rank = strtol(line + 1, NULL, 10);
        ASSERT_MSG(rank >= prev, "rank %ld after %ld in the CSV:\n%s", rank, prev, csv);
        prev = rank;
        rows++;
    }
    ASSERT_EQ(rows, 6); /* H-1's two tasks, four unfunded */
    free(csv);
    rc = dmtest_sh(&out, "sqlite3 '%s' \"SELECT rank FROM plan_tasks ORDER BY fid\"", db);
    ASSERT_MSG(rc == 0, "%s", out);
    ASSERT_STREQ(out, "1\n1\n2\n3\n4\n5\n");
    free(out);
}

/* A budget too small for any hazard names the cheapest hazard and its cost
 * as the plan writes dollars (it said "the cheapest task ... USD 39353"). */
TEST(plan_cli_budget_below_every_hazard_names_the_cheapest)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--budget 1000");
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "budget USD 1,000 cannot fund even the cheapest hazard, H-1 (reduce, USD 39,353 at unit "
                         "rates): a budget funds whole hazards; give at least that");
    free(out);
}

/* A district is planned alone (--district) or left out
 * (--exclude-district), in any case, and the choice is named with the
 * districts as the database writes them; a name that is no district's is
 * refused naming the known ones, a district no open hazard is in is refused
 * naming those of the open hazards, as is leaving nothing to plan. */
TEST(plan_cli_plans_or_leaves_out_districts)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--exclude-district jabrayil");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "plan from 2026-11-30: 3 open hazards (every district but Jabrayil), 53.4 ha");
    ASSERT_CONTAINS(out, "note: --exclude-district: planning 3 of the 5 open hazards, those of every district but "
                         "Jabrayil;");
    ASSERT(!strstr(out, "H-3") && !strstr(out, "H-4"));
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT_EQ(json_integer_value(json_object_get(root, "hazards")), 3);
    json_t *pr = json_object_get(root, "priorities");
    for (size_t k = 0; k < json_array_size(pr); k++)
        ASSERT(strcmp(json_string_value(json_object_get(json_array_get(pr, k), "district")), "Jabrayil"));
    json_decref(root);
    rc = dmtest_sh(&out,
                   "sqlite3 '%s' \"SELECT DISTINCT h.ref FROM plan_tasks t JOIN hazards h ON h.uuid = t.hazard_id "
                   "ORDER BY h.ref\"",
                   db);
    ASSERT_STREQ(out, "H-1\nH-2\nH-5\n");
    free(out);
    rc = plan_small(&out, db, "--district Fuzuli --district ZANGILAN --district fuzuli");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "plan from 2026-11-30: 3 open hazards (the districts Fuzuli, Zangilan), 53.4 ha");
    free(out);
    /* a misspelling: the known districts of the polygons (none here) and
     * of the hazards' field, as the report of a district says them */
    ASSERT_EQ(plan_small(&out, db, "--district Fizuli"), 2);
    ASSERT_CONTAINS(out, "--district 'Fizuli': no district 'Fizuli' in layer districts (field name) nor in layer "
                         "hazards (field district); known: in districts none; in hazards Fuzuli, Jabrayil, "
                         "Zangilan\n");
    free(out);
    ASSERT_EQ(plan_small(&out, db, "--exclude-district Fizuli"), 2);
    ASSERT_CONTAINS(out, "--exclude-district 'Fizuli': no district 'Fizuli' in layer districts");
    free(out);
    ASSERT_EQ(plan_small(&out, db, "--exclude-district Fuzuli --exclude-district Jabrayil --exclude-district Zangilan"),
              2);
    ASSERT_CONTAINS(out, ": --exclude-district leaves none of the 5 open hazards to plan");
    free(out);
    ASSERT_EQ(plan_small(&out, db, "--district Fuzuli --exclude-district Zangilan"), 2);
    ASSERT_CONTAINS(out, "give --district or --exclude-district, not both");
    free(out);
    /* a district of the database with no open hazard: nothing of it to
     * plan, and nothing to leave out */
    ASSERT_DEMINE(0, NULL, "status '%s' H-5 closed --reason test", db);
    ASSERT_EQ(plan_small(&out, db, "--district zangilan"), 2);
    ASSERT_CONTAINS(out, "--district 'zangilan': no open hazard is in the district Zangilan (a hazard's district is "
                         "its field district, else the district polygon that holds it); the open hazards are in "
                         "Fuzuli, Jabrayil\n");
    free(out);
    rc = plan_small(&out, db, "--exclude-district Zangilan --no-write");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "note: --exclude-district: planning 4 of the 4 open hazards, those of every district but "
                         "Zangilan;");
    free(out);
}

/* One team or one hazard reads in the singular ("1 team", not "1 teams"),
 * and a method none of whose teams gets a task says so rather than "0
 * team-days, USD 0 at their day rates". */
TEST(plan_cli_one_team_and_a_method_with_no_task)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--district Zangilan");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "plan from 2026-11-30: 1 open hazard (the district Zangilan), 34.4 ha, 1 expected item; "
                         "4 teams\n");
    ASSERT_CONTAINS(out, "            survey     1 team, no task (the plan needs no work of its method)\n");
    ASSERT(!strstr(out, "USD 0 at their day rates"));
    free(out);
    dmtest_write_file(dmtest_path("one.csv"), "name,method,capacity_ha_day,cost_usd_day\nSolo,mechanical,0.6,5500\n");
    rc = dmtest_demine(&out, "plan '%s' --prior --teams '%s' --start 2026-11-30 --samples 0 --no-write --csv '%s' "
                             "--out-json '%s'",
                       db, dmtest_path("one.csv"), dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "5 open hazards, 157.4 ha, 26 expected items; 1 team\n");
    free(out);
}

/* The plan by district: each district's hazards, hectares, cost and the
 * day its land is done (under a budget, what is funded of it), in the text
 * and the JSON's districts. */
TEST(plan_cli_gives_the_plan_by_district)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  districts: Fuzuli         2 hazards, 19.1 ha, USD 0.13 M, done 2027-01-13\n"
                         "             Jabrayil       2 hazards, 104.0 ha, USD 0.51 M, done 2027-04-21\n"
                         "             Zangilan       1 hazard, 34.4 ha, USD 0.16 M, done 2027-02-22\n");
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *d = json_object_get(root, "districts");
    ASSERT_EQ(json_array_size(d), 3);
    double area = 0, cost = 0;
    for (size_t k = 0; k < 3; k++) {
        area += json_number_value(json_object_get(json_array_get(d, k), "area_ha"));
        cost += json_number_value(json_object_get(json_array_get(d, k), "cost_usd"));
    }
    ASSERT_NEAR(area, json_number_value(json_object_get(root, "area_ha")), 0.01);
    ASSERT_NEAR(cost, json_number_value(json_object_get(root, "cost_usd")), 0.1);
    json_t *jab = json_array_get(d, 1);
    ASSERT_STREQ(json_string_value(json_object_get(jab, "district")), "Jabrayil");
    ASSERT_STREQ(json_string_value(json_object_get(jab, "end")), "2027-04-21");
    ASSERT_EQ(json_integer_value(json_object_get(jab, "hazards")), 2);
    json_decref(root);
    rc = plan_small(&out, db, "--budget 100000");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  districts: Fuzuli         1 of 2 hazards funded, 19.1 ha, USD 39,353 of USD 0.13 M, funded "
                         "land done 2026-12-02\n"
                         "             Jabrayil       none of 2 hazards funded, 104.0 ha, USD 0.51 M\n");
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    jab = json_array_get(json_object_get(root, "districts"), 1);
    ASSERT_EQ(json_integer_value(json_object_get(jab, "funded")), 0);
    ASSERT(json_is_null(json_object_get(jab, "end")));
    json_decref(root);
}

/* --prior says when it fills some hazards only (the others keep the risk
 * map's values) and when it fills none; and a hazard under the prior whose
 * land was partly released has the expected items of the land left (the
 * prior counts them by the hectare), not of its whole estimate. */
TEST(plan_prior_says_what_it_fills_and_follows_the_land_left)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "edit '%s' H-1 p_contam=0.5 expected_items=3 --reason test", db), 0);
    free(out);
    int rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "--prior: 4 of 5 open hazards have no p_contam/expected_items from the risk map and take "
                         "the prior (the first: H-2); the other keeps the map's");
    free(out);
    for (const char *r = "H-2 H-3 H-4 H-5"; *r; r += r[3] ? 4 : 3) {
        char ref[4] = {r[0], r[1], r[2], 0};
        ASSERT_EQ(dmtest_demine(&out, "edit '%s' %s p_contam=0.2 expected_items=1 --reason test", db, ref), 0);
        free(out);
    }
    rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "--prior: every open hazard has p_contam and expected_items from the risk map, which the "
                         "plan uses: the prior is for hazards without them");
    free(out);

    /* released land under the prior */
    const char *db2 = dmtest_path("rel.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", db2), 0);
    free(out);
    dmtest_write_file(dmtest_path("hz.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"ref\":\"KH-1\",\"hazard_type\":\"CHA\",\"status\":"
                      "\"open\",\"est_area_ha\":20},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[102.8,13.0],"
                      "[102.804,13.0],[102.804,13.004],[102.8,13.004],[102.8,13.0]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer hazards '%s'", db2, dmtest_path("hz.geojson")), 0);
    free(out);
    dmtest_write_file(dmtest_path("rel.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":["
                      "{\"type\":\"Feature\",\"properties\":{\"hazard_id\":\"KH-1\",\"outcome\":\"cleared\",\"area_ha\":"
                      "4.5,\"date\":\"2023-02-20\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[102.8,13.0],"
                      "[102.802,13.0],[102.802,13.002],[102.8,13.002],[102.8,13.0]]]}}]}");
    ASSERT_EQ(dmtest_demine(&out, "import '%s' --layer release_areas '%s'", db2, dmtest_path("rel.geojson")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --samples 0 --no-write --json --csv '%s' --out-json '%s' "
                                  "--teams '%s'",
                            db2, dmtest_path("r.csv"), dmtest_path("r.json"), dmtest_path("teams.csv")),
              0);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("r.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    double area = json_number_value(json_object_get(root, "area_ha"));
    double items = json_number_value(json_object_get(root, "expected_items"));
    ASSERT_MSG(area > 14.5 && area < 16, "area %g", area); /* 20 ha less about 4.8 released */
    ASSERT_NEAR(items, 0.8 * 2.0 * area, 0.01);             /* a CHA's prior: p 0.8, 2 items a hectare */
    json_decref(root);
    free(out);
}

/* A start on a day off says when the work begins (it read "plan from
 * 2026-11-28" while every task began on Monday 2026-11-30). */
TEST(plan_cli_start_on_a_day_off_says_when_work_begins)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --prior --teams '%s' --start 2026-11-28 --samples 0 --no-write --csv '%s' "
                                 "--out-json '%s'",
                           db, dmtest_path("teams.csv"), dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "plan from 2026-11-28 (a Saturday: work begins 2026-11-30): 5 open hazards");
    free(out);
    rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "plan from 2026-11-30: 5 open hazards");
    free(out);
}

/* A team file's column or a config key named as a planner would, or a
 * letter off, is refused naming the one meant. */
TEST(plan_cli_names_the_column_or_key_meant)
{
    const char *db = planner_db();
    ASSERT(db);
    dmtest_write_file(dmtest_path("t1.csv"), "team,method,capacity_ha_day,cost_usd_day\nA,manual,0.5,800\n");
    ASSERT_DEMINE(2, "unknown column 'team' (did you mean 'name'?)", "plan '%s' --teams '%s'", db,
                  dmtest_path("t1.csv"));
    dmtest_write_file(dmtest_path("t2.csv"), "name,method,capacity,cost_usd_day\nA,manual,0.5,800\n");
    ASSERT_DEMINE(2, "unknown column 'capacity' (did you mean 'capacity_ha_day'?)", "plan '%s' --teams '%s'", db,
                  dmtest_path("t2.csv"));
    dmtest_write_file(dmtest_path("c.json"), "{\"p_cancell\": 0.1}");
    ASSERT_DEMINE(2, "unknown key 'p_cancell' (did you mean 'p_cancel'?", "plan '%s' --config '%s'", db,
                  dmtest_path("c.json"));
    /* nothing near: the columns are listed, no guess */
    dmtest_write_file(dmtest_path("t3.csv"), "name,method,capacity_ha_day,cost_usd_day,zzz\nA,manual,0.5,800,1\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --teams '%s'", db, dmtest_path("t3.csv")), 2);
    ASSERT_CONTAINS(out, "unknown column 'zzz' (columns: name,method");
    ASSERT(!strstr(out, "did you mean"));
    free(out);
}

/* A plan of some districts says so in its JSON (scope) and in the report,
 * which otherwise reads as the national plan; a plan of all says nothing. */
TEST(plan_of_some_districts_is_named_in_the_json_and_report)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "--exclude-district Jabrayil");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT_STREQ(json_string_value(json_object_get(root, "scope")), "every district but Jabrayil");
    json_decref(root);
    char html[1024]; /* dmtest_path's buffers are reused */
    snprintf(html, sizeof html, "%s", dmtest_path("r.html"));
    ASSERT_DEMINE(0, NULL, "report '%s' --out '%s'", db, html);
    char *h = dmtest_read_file(html);
    ASSERT(h);
    ASSERT_CONTAINS(h, "3 open hazards (every district but Jabrayil), 53.4 ha");
    free(h);
    rc = plan_small(&out, db, "--district Fuzuli --force");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT_STREQ(json_string_value(json_object_get(root, "scope")), "the district Fuzuli");
    json_decref(root);
    rc = plan_small(&out, db, "--force");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT(!json_object_get(root, "scope"));
    json_decref(root);
    ASSERT_DEMINE(0, NULL, "report '%s' --out '%s' --force", db, html);
    h = dmtest_read_file(html);
    ASSERT(h && !strstr(h, "district but") && !strstr(h, "(the district"));
    free(h);
}

/* A remaining area recorded before the land released from it (an IMSMA
 * export whose Remaining Area was never brought up to date) is planned as
 * recorded, and said: remaining and released exceed the estimate. */
TEST(plan_says_a_remaining_area_recorded_before_its_release)
{
    const char *db = planner_db();
    ASSERT(db);
    char *out = NULL;
    int rc = plan_small(&out, db, "");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT(!strstr(out, "remaining_stale"));
    free(out);
    /* H-3 (0.01 deg square): its whole estimate still to release, then a
     * cleared quarter of it */
    rc = dmtest_sh(&out, "sqlite3 '%s' \"SELECT est_area_ha FROM hazards WHERE ref = 'H-3'\"", db);
    ASSERT_EQ(rc, 0);
    double est = strtod(out, NULL);
    free(out);
    ASSERT(est > 50);
    ASSERT_DEMINE(0, NULL, "edit '%s' H-3 remaining_area_ha=%.4f --reason test", db, est);
    dmtest_write_file(dmtest_path("ra.geojson"),
                      "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                      "{\"hazard_id\":\"H-3\",\"outcome\":\"cleared\",\"date\":\"2025-05-01\"},\"geometry\":"
                      "{\"type\":\"Polygon\",\"coordinates\":[[[46.95,39.55],[46.955,39.55],[46.955,39.555],"
                      "[46.95,39.555],[46.95,39.55]]]}}]}");
    ASSERT_DEMINE(0, NULL, "import '%s' --layer release_areas '%s'", db, dmtest_path("ra.geojson"));
    rc = plan_small(&out, db, "--force");
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "1 open hazard whose remaining_area_ha and the land released from it add up to more "
                         "than its estimate (the first, H-3: ");
    ASSERT_CONTAINS(out, "(remaining_stale)");
    free(out);
}
