/* SPDX-License-Identifier: MIT
 *
 * test_plan.c -- the land release planner: routes from risk, costs, value,
 * priority order, the working-day scheduler, budgets, the forecast bands,
 * the donor comparison, team and configuration files with bad rows, the
 * store round trip and the quality figure on the demo's hidden truth.
 */
#include "dmtest.h"

#include <jansson.h>

static dm_plan_hazard hz(const char *ref, double area, double p, double items)
{
    dm_plan_hazard h;
    memset(&h, 0, sizeof h);
    snprintf(h.ref, sizeof h.ref, "%s", ref);
    snprintf(h.uuid, sizeof h.uuid, "uuid-%s", ref);
    snprintf(h.type, sizeof h.type, "SHA");
    h.area_ha = area;
    h.p = p;
    h.items = items;
    return h;
}

static dm_plan_team team(const char *name, dm_team_kind k, double ha_day, double usd_day)
{
    dm_plan_team t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", name);
    t.kind = k;
    t.ha_day = ha_day;
    t.usd_day = usd_day;
    return t;
}

static void cfg_test(dm_plan_config *c)
{
    dm_plan_config_default(c);
    snprintf(c->start_date, sizeof c->start_date, "2026-01-05"); /* a Monday */
    c->samples = 50;
}

TEST(plan_routes_costs_and_priority)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard h[4] = {hz("LOW", 10, 0.02, 0.01), hz("MID", 10, 0.5, 3),
                           hz("DENSE", 4, 0.99, 400), hz("DENSE-FAR", 4, 0.99, 400)};
    h[2].accidents = 2; /* civilian accidents nearby: more value */
    dm_plan_team t[3] = {team("S", DM_TEAM_SURVEY, 20, 1000), team("M", DM_TEAM_MANUAL, 0.1, 2000),
                         team("X", DM_TEAM_MECHANICAL, 0.5, 6000)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_CANCEL);
    ASSERT_EQ(r->route[1], DM_ROUTE_REDUCE);
    ASSERT_EQ(r->route[2], DM_ROUTE_CLEAR);
    /* cost: cancel = area x NTS rate; clear = area x rate + items x detect x item cost */
    ASSERT_NEAR(r->cost[0], 10 * c.usd_ha[DM_ROUTE_CANCEL], 1e-6);
    ASSERT_NEAR(r->cost[2], 4 * c.usd_ha[DM_ROUTE_CLEAR] + 400 * c.detect[DM_ROUTE_CLEAR] * c.usd_item,
                1e-6);
    /* reduce costs TS on all the area plus the expected follow-up clearance */
    ASSERT(r->cost[1] > 10 * c.usd_ha[DM_ROUTE_REDUCE]);
    ASSERT(r->cost[1] < 10 * c.usd_ha[DM_ROUTE_CLEAR]);
    /* value: accidents count */
    ASSERT_NEAR(r->value[2] - r->value[3], 2 * c.w_accident, 1e-9);
    ASSERT(r->rank[2] < r->rank[3]);
    /* every hazard funded and scheduled; the cancelled one by the survey team */
    ASSERT_EQ(r->n_funded, 4);
    int saw_survey = 0;
    for (size_t k = 0; k < r->n_tasks; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        if (tk->stage == DM_ROUTE_CANCEL) {
            ASSERT_EQ(t[tk->team].kind, DM_TEAM_SURVEY);
            saw_survey = 1;
        } else
            ASSERT(t[tk->team].kind != DM_TEAM_SURVEY);
        ASSERT(tk->end_wd > tk->start_wd);
        ASSERT(strcmp(tk->start, tk->end) <= 0);
    }
    ASSERT(saw_survey);
    /* residual risk: only the cancelled and the TS-missed expected items */
    ASSERT_NEAR(r->residual_items,
                0.01 + 3 * (1 - c.detect[DM_ROUTE_REDUCE]) + 800 * (1 - c.detect[DM_ROUTE_CLEAR]),
                1e-9);
    /* donor: clearing everything costs more than risk-based release */
    ASSERT(r->full_cost > r->rb_cost);
    ASSERT(r->full_clear_ha > r->rb_clear_ha);
    ASSERT(r->mc_cost.p10 <= r->mc_cost.p50 && r->mc_cost.p50 <= r->mc_cost.p90);
    ASSERT(r->mc_years_all.p10 <= r->mc_years_all.p90);
    dm_plan_result_free(ctx, r);
}

TEST(plan_schedule_working_days)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 100;
    /* two clearance hazards of 10 ha, one manual team of 1 ha/day: 20 working
     * days from Monday 2026-01-05, the last one Friday 2026-01-30 */
    dm_plan_hazard h[2] = {hz("A", 10, 1, 1000), hz("B", 10, 1, 1000)};
    dm_plan_team t[1] = {team("M1", DM_TEAM_MANUAL, 1, 1000)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 1, &r));
    ASSERT_EQ(r->n_tasks, 2);
    ASSERT_STREQ(r->tasks[0].start, "2026-01-05");
    ASSERT_STREQ(r->tasks[0].end, "2026-01-16");
    ASSERT_STREQ(r->tasks[1].start, "2026-01-19");
    ASSERT_STREQ(r->end_all, "2026-01-30");
    ASSERT_NEAR(r->team_days[0], 20, 1e-9);
    dm_plan_result_free(ctx, r);
    /* two teams: in parallel, done in 10 working days */
    dm_plan_team t2[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("M2", DM_TEAM_MANUAL, 1, 1000)};
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t2, 2, &r));
    ASSERT_STREQ(r->end_all, "2026-01-16");
    dm_plan_result_free(ctx, r);
    /* six working days a week end sooner */
    c.work_days_week = 6;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 1, &r));
    ASSERT_STREQ(r->end_all, "2026-01-27"); /* 20 days Mon-Sat from 5 Jan */
    dm_plan_result_free(ctx, r);
}

TEST(plan_budget_and_missing_teams)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard h[3] = {hz("A", 10, 1, 50), hz("B", 1, 1, 10), hz("C", 2, 0.01, 0.01)};
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 100)};
    dm_plan_result *r = NULL;
    /* a budget below the cheapest task is impossible, and says which task */
    c.budget_usd = 10;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 3, t, 2, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "budget USD 10 cannot fund");
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "C");
    /* a budget for the small ones only */
    c.budget_usd = 60000;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 2, &r));
    ASSERT(r->n_funded >= 1 && r->n_funded < 3);
    ASSERT(r->funded_cost <= 60000);
    ASSERT(!r->funded[0]);
    ASSERT_EQ(r->end_wd[0], -1);
    dm_plan_result_free(ctx, r);
    /* no survey team for a hazard to cancel */
    c.budget_usd = 0;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 3, t, 1, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "add a team with method survey");
    /* bad risk values name the hazard */
    h[1].p = 1.5;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 3, t, 2, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "hazard B");
}

TEST(plan_forecast_bands_widen_with_uncertainty)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 200;
    c.calibration_sd = 0;
    dm_plan_hazard h[40];
    for (int i = 0; i < 40; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "H%d", i);
        h[i] = hz(ref, 5, i % 2 ? 0.5 : 0.05, i % 2 ? 2 : 0.02); /* TS and NTS */
    }
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 0.5, 1000), team("S", DM_TEAM_SURVEY, 10, 100)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 40, t, 2, &r));
    /* the expected cost sits inside the sampled band, which is not a point */
    ASSERT(r->mc_cost.p10 < r->mc_cost.p90);
    ASSERT(r->mc_cost.p10 <= r->total_cost * 1.05 && r->total_cost * 0.95 <= r->mc_cost.p90);
    double w0 = r->mc_cost.p90 - r->mc_cost.p10;
    /* same seed, same bands */
    dm_plan_result *r2 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 40, t, 2, &r2));
    ASSERT_NEAR(r2->mc_cost.p50, r->mc_cost.p50, 1e-9);
    dm_plan_result_free(ctx, r2);
    /* calibration uncertainty widens the band */
    c.calibration_sd = 0.8;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 40, t, 2, &r2));
    ASSERT(r2->mc_cost.p90 - r2->mc_cost.p10 > w0);
    dm_plan_result_free(ctx, r2);
    dm_plan_result_free(ctx, r);
}

TEST(plan_team_file_errors_name_line_and_field)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_team *t = NULL;
    size_t n = 0;
    const char *p = dmtest_path("teams.csv");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,0.08,2000,3\n"
                         "S,survey,20,1200\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 4);
    ASSERT_STREQ(t[0].name, "M-1");
    ASSERT_EQ(t[3].kind, DM_TEAM_SURVEY);
    dm_free(ctx, t);
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,-0.5,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'capacity_ha_day'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,1,2000\n"
                         "R,robots,1,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":3: field 'method': unknown method 'robots'");
    dmtest_write_file(p, "name,capacity_ha_day,cost_usd_day\nM,1,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no column 'method'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,dogs,1,abc\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "field 'cost_usd_day'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,dogs,1,10\nS,survey,9,9\n"
                         "M,manual,1,10\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":4: field 'name': team 'M' already listed on line 2");
    ASSERT_STATUS(DM_EIO, dm_plan_teams_load(ctx, dmtest_path("none.csv"), &t, &n));
    /* the shipped default team set loads: 50 teams */
    ASSERT_OK(dm_plan_teams_load(ctx, dmtest_repo_path("config/teams-default.csv"), &t, &n));
    ASSERT_EQ(n, 50);
    /* and the built-in set, a plan's without --teams, is the same team by team */
    dm_plan_team *b = NULL;
    size_t nb = 0;
    ASSERT_OK(dm_plan_teams_default(ctx, &b, &nb));
    ASSERT_EQ(nb, n);
    for (size_t i = 0; i < n; i++) {
        ASSERT_STREQ(b[i].name, t[i].name);
        ASSERT_EQ(b[i].kind, t[i].kind);
        ASSERT_NEAR(b[i].ha_day, t[i].ha_day, 0);
        ASSERT_NEAR(b[i].usd_day, t[i].usd_day, 0);
    }
    dm_free(ctx, b);
    dm_free(ctx, t);
}

TEST(plan_config_file)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c, d;
    dm_plan_config_default(&d);
    /* the documented defaults file equals the built-in defaults */
    dm_plan_config_default(&c);
    c.p_clear = 0.1;
    c.usd_ha[2] = 1;
    ASSERT_OK(dm_plan_config_load(ctx, dmtest_repo_path("config/plan-default.json"), &c));
    ASSERT_NEAR(c.p_clear, d.p_clear, 0);
    ASSERT_NEAR(c.usd_ha[2], d.usd_ha[2], 0);
    ASSERT_NEAR(c.density_clear, d.density_clear, 0);
    ASSERT_NEAR(c.calibration_sd, d.calibration_sd, 0);
    ASSERT_EQ(c.samples, d.samples);
    const char *p = dmtest_path("c.json");
    dmtest_write_file(p, "{\"p_clear\": 0.8, \"usd_per_ha\": {\"clear\": 30000}}");
    ASSERT_OK(dm_plan_config_load(ctx, p, &c));
    ASSERT_NEAR(c.p_clear, 0.8, 0);
    ASSERT_NEAR(c.usd_ha[2], 30000, 0);
    dmtest_write_file(p, "{\"p_clean\": 0.8}");
    ASSERT_STATUS(DM_EPARSE, dm_plan_config_load(ctx, p, &c));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "unknown key 'p_clean'");
    dmtest_write_file(p, "{\"p_cancel\": 1.5}");
    ASSERT(dm_plan_config_load(ctx, p, &c) != DM_OK);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "'p_cancel'");
    dmtest_write_file(p, "{\"usd_per_ha\": {\"sweep\": 3}}");
    ASSERT_STATUS(DM_EPARSE, dm_plan_config_load(ctx, p, &c));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "usd_per_ha.sweep");
}

TEST(plan_cli_needs_risk_map_or_prior)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    const char *teams = dmtest_repo_path("config/teams-default.csv");
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s'", db, teams);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "no risk map yet: run demine risk map DB first");
    free(out);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --budget -5", db, teams);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--budget");
    free(out);
    dmtest_write_file(dmtest_path("bad.csv"), "name,method,capacity_ha_day,cost_usd_day\n"
                                              "A,manual,1,100\nB,manual,-1,100\n");
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior", db, dmtest_path("bad.csv"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "bad.csv:3: field 'capacity_ha_day'");
    free(out);
    /* without --teams: the default set, said so, the same plan as with its file */
    char *a = NULL, *b = NULL;
    rc = dmtest_demine(&a, "plan '%s' --prior --no-write --start 2026-01-05 --samples 5 --json", db);
    ASSERT_MSG(rc == 0, "plan failed: %s", a);
    ASSERT_CONTAINS(a, "note: no --teams: planned with the default team set");
    rc = dmtest_demine(&b, "plan '%s' --teams '%s' --prior --no-write --start 2026-01-05 --samples 5 --json",
                       db, teams);
    ASSERT_EQ(rc, 0);
    const char *ja = strchr(a, '{'), *jb = strchr(b, '{');
    ASSERT(ja && jb);
    ASSERT_STREQ(ja, jb);
    free(a);
    free(b);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --budget 1", db, teams);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "cannot fund even the cheapest hazard");
    free(out);
    /* with the prior: a plan in the database, the CSV and the JSON */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --start 2026-01-05 --samples 20 "
                             "--csv '%s' --out-json '%s' --horizon 15",
                       db, teams, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "clear every suspected hectare");
    free(out);
    char *csv = dmtest_read_file(dmtest_path("p.csv"));
    ASSERT_CONTAINS(csv, "rank,hazard,hazard_uuid,district,route,stage,team,method,start,end");
    ASSERT_CONTAINS(csv, ",2026-01-05,"); /* work starts on the first day */
    long lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    free(csv);
    char *js = dmtest_read_file(dmtest_path("p.json"));
    ASSERT_CONTAINS(js, "\"comparison\":{\"full_clearance\"");
    ASSERT_CONTAINS(js, "\"forecast\":{\"samples\":20");
    free(js);
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    long n = 0;
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n));
    ASSERT_EQ(n, lines - 1); /* one row per task line */
    char *meta = NULL;
    ASSERT_OK(dm_store_meta_get(s, "plan", &meta));
    ASSERT_CONTAINS(meta, "\"routes\"");
    dm_free(ctx, meta);
    dm_store_close(s);
    /* planning again replaces the plan */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --csv '%s' "
                             "--out-json '%s' --horizon 15", db, teams, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_EQ(rc, 0);
    /* a start already past is said (the test's date is before any run of it) */
    ASSERT_CONTAINS(out, "note: --start 2026-01-05 is before today (");
    free(out);
    /* no samples, no forecast: its bands are null, not 0 to 0 */
    ASSERT_EQ(dmtest_sh(&out, "cat '%s'", dmtest_path("p.json")), 0);
    ASSERT_CONTAINS(out, "\"forecast\":{\"samples\":0,\"samples_beyond_teams\":0,\"samples_stopped\":0,"
                         "\"years_high\":null,\"years_all\":null,\"cost_usd\":null,\"day_rate_cost_usd\":null}");
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    long n2 = 0;
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n2));
    ASSERT_EQ(n2, n);
    dm_store_close(s);
    /* planned dates lie in the future by design: check accepts them */
    dmtest_demine(&out, "check '%s' --max 0", db);
    ASSERT(!strstr(out, "plan_tasks"));
    free(out);
}

TEST(plan_gather_value_criteria_from_store)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard *h = NULL;
    size_t n = 0;
    ASSERT_STATUS(DM_ENOTFOUND, dm_plan_gather(s, &c, 0, &h, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "no risk map yet");
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n));
    ASSERT(n > 10);
    double acc = 0, houses = 0, roads = 0, area = 0;
    for (size_t i = 0; i < n; i++) {
        acc += h[i].accidents;
        houses += h[i].houses;
        roads += h[i].roads;
        area += h[i].area_ha;
        ASSERT(h[i].p > 0 && h[i].p <= 1);
    }
    ASSERT(acc > 0 && houses > 0 && roads > 0 && area > 0);
    /* a farther search finds at least as many houses */
    dm_plan_config c2 = c;
    c2.dist_house_m = 3000;
    dm_plan_hazard *h2 = NULL;
    size_t n2 = 0;
    ASSERT_OK(dm_plan_gather(s, &c2, 1, &h2, &n2));
    double houses2 = 0;
    for (size_t i = 0; i < n2; i++)
        houses2 += h2[i].houses;
    ASSERT(houses2 > houses);
    dm_free(ctx, h2);
    /* a risk set on one hazard only: the others are named as missing */
    const dm_layer_def *l = dm_layer_find("hazards");
    dm_row *r = dm_row_new(ctx, l);
    ASSERT_OK(dm_row_set_real(r, "p_contam", 0.5));
    ASSERT_OK(dm_row_set_real(r, "expected_items", 2));
    ASSERT_OK(dm_store_update(s, h[0].uuid, r, "test"));
    dm_row_free(r);
    dm_free(ctx, h);
    ASSERT_STATUS(DM_ENOTFOUND, dm_plan_gather(s, &c, 0, &h, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "has no p_contam");
    dm_store_close(s);
}

/* The quality figure on the demo's hidden truth: the real risk map, the
 * default routes; at least 95% of the true items inside the open hazards
 * fall in land sent to technical survey or clearance, while full clearance
 * takes under half of the suspected area. */
TEST(plan_demo_quality_with_risk_map)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "-q risk map '%s' --out '%s'", db, dmtest_path("risk.tif"));
    ASSERT_MSG(rc == 0, "risk map failed: %s", out);
    free(out);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --samples 10 --evaluate --json --no-write "
                             "--csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                       dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    const char *e = strstr(out, "\"evaluation\":");
    ASSERT(e);
    double found = -1, clear = -1;
    const char *f = strstr(e, "\"found_share\":"), *c = strstr(e, "\"clear_area_share\":");
    ASSERT(f && c);
    found = strtod(f + strlen("\"found_share\":"), NULL);
    clear = strtod(c + strlen("\"clear_area_share\":"), NULL);
    ASSERT_MSG(found >= 0.95, "items found %.3f < 0.95", found);
    ASSERT_MSG(clear < 0.5, "full clearance on %.3f of the suspected area", clear);
    free(out);
}

/* The outputs never overwrite the database, the inputs or each other, and a
 * run that cannot write its files leaves the database's plan as it was. */
TEST(plan_cli_outputs_protect_db_inputs_and_old_plan)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    const char *teams = dmtest_path("teams.csv");
    char *deft = dmtest_read_file(dmtest_repo_path("config/teams-default.csv"));
    ASSERT(deft);
    dmtest_write_file(teams, deft);
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --csv '%s'", db, teams,
                           db);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "is the database");
    free(out);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --csv '%s' --out-json '%s'",
                       db, teams, dmtest_path("p.csv"), teams);
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "is the team file");
    free(out);
    /* the two outputs naming one file, even spelt two ways */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --csv '%s' --out-json '%s'",
                       db, teams, dmtest_path("same.out"), dmtest_path("./same.out"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--csv and --out-json name the same file");
    free(out);
    ASSERT(!dmtest_read_file(dmtest_path("same.out")));
    char *now = dmtest_read_file(teams);
    ASSERT_STREQ(now, deft);
    free(now);
    free(deft);
    /* the database is intact and holds no plan yet */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    long n = -1;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n));
    ASSERT_EQ(n, 0);
    dm_store_close(s);
    /* an unwritable task list: error, and no plan written */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --csv '%s/no/dir/p.csv' "
                             "--out-json '%s'",
                       db, teams, dmtest_tmpdir(), dmtest_path("p.json"));
    ASSERT_EQ(rc, 3);
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_store_count(s, "plan_tasks", NULL, &n));
    ASSERT_EQ(n, 0);
    dm_store_close(s);
    ASSERT(!dmtest_read_file(dmtest_path("p.json")));
}

/* Team file rows that would silently change the team set are refused with
 * the line and field: an unknown (misspelt) column, a column twice, more
 * fields than the header, a name listed and produced by a count, a rate so
 * small the schedule cannot end, a hexadecimal number. A spreadsheet's byte
 * order mark is not part of the first column's name. */
TEST(plan_team_file_refuses_ambiguous_rows)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_team *t = NULL;
    size_t n = 0;
    const char *p = dmtest_path("teams.csv");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,cout\nM,manual,0.08,2000,24\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":1: header: unknown column 'cout'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count,count\nM,manual,1,2,3,4\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "column 'count' given twice");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,1,2000,3\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: 5 fields but the header has 4 columns");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,1,2000,2\n"
                         "M-2,dogs,1,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":3: field 'name': team 'M-2' is named twice");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,1e-300,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'capacity_ha_day'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,0x10,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'capacity_ha_day'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\n"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ-north,manual,1,2000,2\n"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ-south,manual,1,2000,2\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n)); /* long names are not cut into one */
    ASSERT_EQ(n, 4);
    ASSERT_STREQ(t[2].name, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ-south-1");
    dm_free(ctx, t);
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\n"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ-north-west,manual,1,2000,2\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'name'");
    dmtest_write_file(p, "\xEF\xBB\xBFname,method,capacity_ha_day,cost_usd_day\nM,manual,1,2000\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 1);
    dm_free(ctx, t);
    /* the engine refuses a runaway rate from the API too */
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard h[1] = {hz("A", 10, 1, 1000)};
    dm_plan_team tt[1] = {team("M1", DM_TEAM_MANUAL, 1e-12, 1000)};
    dm_plan_result *r = NULL;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 1, tt, 1, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "team 1 'M1'");
}

/* Team files as spreadsheets write them: quoted names holding commas and
 * quotes, semicolons with decimal commas (a comma-decimal locale), tabs,
 * Windows line endings, names in Cyrillic and Azerbaijani; a quote left open
 * is refused naming the line. */
TEST(plan_team_file_quotes_semicolons_and_decimal_commas)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_team *t = NULL;
    size_t n = 0;
    const char *p = dmtest_path("teams.csv");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\r\n"
                         "\"Team A, North\",manual,0.08,2000,2\r\n"
                         "\"The \"\"Best\"\" team\" , survey , 20 , \"1200\"\r\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 3);
    ASSERT_STREQ(t[1].name, "Team A, North-2");
    ASSERT_STREQ(t[2].name, "The \"Best\" team");
    ASSERT_EQ(t[2].kind, DM_TEAM_SURVEY);
    ASSERT_NEAR(t[2].usd_day, 1200, 1e-9);
    dm_free(ctx, t);
    dmtest_write_file(p, "\xEF\xBB\xBFname;method;capacity_ha_day;cost_usd_day;count\r\n"
                         "\xD0\x9A\xD0\xBE\xD0\xBC\xD0\xB0\xD0\xBD\xD0\xB4\xD0\xB0;manual;0,08;2000,5;3\r\n"
                         "Qrup A\xC4\x9F"
                         "dam;survey;20;1200\r\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 4);
    ASSERT_STREQ(t[0].name, "\xD0\x9A\xD0\xBE\xD0\xBC\xD0\xB0\xD0\xBD\xD0\xB4\xD0\xB0-1");
    ASSERT_NEAR(t[0].ha_day, 0.08, 1e-12);
    ASSERT_NEAR(t[0].usd_day, 2000.5, 1e-9);
    ASSERT_STREQ(t[3].name, "Qrup A\xC4\x9F"
                            "dam");
    dm_free(ctx, t);
    dmtest_write_file(p, "name\tmethod\tcapacity_ha_day\tcost_usd_day\nM\tmanual\t0,5\t100\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 1);
    ASSERT_NEAR(t[0].ha_day, 0.5, 1e-12);
    dm_free(ctx, t);
    /* in a comma file a decimal comma is two fields, never 0.08 silently */
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,0,08,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: 5 fields but the header has 4 columns");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,1,2000\n"
                         "\"Team B,manual,1,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "teams.csv:3: a quote (\") is not closed");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\n\"Team\" B,manual,1,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "teams.csv:2: text after a closing quote");
    /* a name saved in a legacy code page (Windows-1251) is refused, not
     * written into the database and the JSON as invalid text */
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,1,2000\n"
                         "\xCA\xEE\xEC\xE0\xED\xE4\xE0,survey,20,1200\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "teams.csv:3: field 'name': not UTF-8 text");
}

/* Under a budget the donor comparison still compares the same land (every
 * hazard, both ways); the residual counts released land only, the unfunded
 * hazards' items apart. A task's cost is its stage's: technical survey at
 * the TS rate, the follow-up clearance at the clearance rate with the items,
 * and the tasks add up to the funded cost. */
TEST(plan_budget_comparison_residual_and_task_costs)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    dm_plan_hazard h[3] = {hz("A", 10, 1, 50), hz("B", 1, 0.5, 2), hz("C", 2, 0.01, 0.01)};
    h[1].accidents = 5; /* B first */
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 100)};
    dm_plan_result *all = NULL, *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 2, &all));
    c.budget_usd = 60000;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 2, &r));
    ASSERT(!r->funded[0] && r->funded[1]);
    /* the comparison does not depend on the budget */
    ASSERT_NEAR(r->rb_cost, all->rb_cost, 1e-6);
    ASSERT_NEAR(r->rb_cost, r->total_cost, 1e-6);
    ASSERT_NEAR(r->rb_years, all->rb_years, 1e-9);
    ASSERT_NEAR(r->rb_clear_ha, all->rb_clear_ha, 1e-9);
    ASSERT_NEAR(r->full_cost, all->full_cost, 1e-6);
    /* the residual: funded hazards only; A's 50 items are unfunded */
    double want = 0;
    for (int i = 0; i < 3; i++)
        if (r->funded[i])
            want += h[i].items * (1 - c.detect[r->route[i]]);
    ASSERT_NEAR(r->residual_items, want, 1e-9);
    ASSERT_NEAR(r->unfunded_items, 50, 1e-9);
    /* task costs by stage */
    double sum = 0, ts_cost = 0, ts_ha = 0, cl_cost = 0, cl_ha = 0;
    for (size_t k = 0; k < r->n_tasks; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        sum += tk->cost_usd;
        if (tk->hazard == 1 && tk->stage == DM_ROUTE_REDUCE) {
            ts_cost += tk->cost_usd;
            ts_ha += tk->area_ha;
        } else if (tk->hazard == 1 && tk->stage == DM_ROUTE_CLEAR) {
            cl_cost += tk->cost_usd;
            cl_ha += tk->area_ha;
        }
    }
    ASSERT_NEAR(sum, r->funded_cost, 1e-6);
    ASSERT_NEAR(ts_ha, 1, 1e-9);
    ASSERT_NEAR(ts_cost, c.usd_ha[DM_ROUTE_REDUCE], 1e-6);
    ASSERT(cl_ha > 0);
    ASSERT_NEAR(cl_cost, cl_ha * c.usd_ha[DM_ROUTE_CLEAR] + 2 * c.detect[DM_ROUTE_REDUCE] * c.usd_item,
                1e-6);
    dm_plan_result_free(ctx, r);
    dm_plan_result_free(ctx, all);
}

/* Teams far too few for the land: a clear error, not dates of a wrapped year. */
TEST(plan_refuses_dates_past_2200)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    dm_plan_hazard h[1] = {hz("HUGE", 5000, 1, 1e6)};
    dm_plan_team t[1] = {team("M1", DM_TEAM_MANUAL, 0.001, 1000)};
    dm_plan_result *r = NULL;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 1, t, 1, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "after 2200-12-31");
    /* a plan ending in 2201-2300 was computed, then refused when its dates
     * were written to the database: refused here, naming the limit */
    h[0] = hz("SLOW", 50, 1, 1e4);
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 1, t, 1, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "the last date the database holds");
    /* and one ending just before it is planned */
    h[0] = hz("SLOW", 40, 1, 1e4);
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 1, &r));
    ASSERT(strcmp(r->end_all, "2200-12-31") <= 0);
    ASSERT(strcmp(r->end_all, "2150-01-01") > 0);
    dm_plan_result_free(ctx, r);
}

/* The config's start date is exactly YYYY-MM-DD: "01/02/2026" and a time
 * after the date are refused there; --start reads a date as every date
 * option of the command line does, and refuses a day that is none. */
TEST(plan_start_date_is_strict)
{
    char d[11];
    ASSERT(dm_plan_date_parse("2026-11-23", d));
    ASSERT_STREQ(d, "2026-11-23");
    ASSERT(!dm_plan_date_parse("23/11/2026", d));
    ASSERT(!dm_plan_date_parse("2026-11-23T10:00", d));
    ASSERT(!dm_plan_date_parse("2026/11/23", d));
    ASSERT(!dm_plan_date_parse("2026-02-30", d));
    ASSERT(!dm_plan_date_parse("2026-11", d));
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    dm_plan_config_default(&c);
    const char *p = dmtest_path("c.json");
    dmtest_write_file(p, "{\"start_date\": \"01/02/2026\"}");
    ASSERT_STATUS(DM_EPARSE, dm_plan_config_load(ctx, p, &c));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "'start_date'");
    char *out = NULL;
    /* --start reads a date as every date option does (day first too), but
     * not a day that is none */
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --start 30.02.2026", dmtest_demo_db(),
                           dmtest_repo_path("config/teams-default.csv"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "--start must be a date (YYYY-MM-DD, or day first: 12.05.2026)");
    free(out);
    /* a well-formed date past the dates a database holds names the range */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --start 2201-01-05", dmtest_demo_db(),
                       dmtest_repo_path("config/teams-default.csv"));
    ASSERT_EQ(rc, 2);
    ASSERT_CONTAINS(out, "from 1800-01-01 to 2200-12-31, not '2201-01-05'");
    free(out);
}

/* A hazard whose area or risk is text or negative is named with its field,
 * not read as 0 or replaced by another area. */
TEST(plan_gather_refuses_bad_hazard_numbers)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard *h = NULL;
    size_t n = 0;
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n));
    ASSERT(n > 0);
    char uuid[37], ref[DM_PLAN_NAME_MAX];
    snprintf(uuid, sizeof uuid, "%s", h[0].uuid);
    snprintf(ref, sizeof ref, "%s", h[0].ref[0] ? h[0].ref : h[0].uuid);
    dm_free(ctx, h);
    dm_store_close(s);
    /* values the store refuses, as an edit outside demine leaves them (the
     * test copy's update triggers need SpatiaLite functions: dropped) */
    char *out = NULL;
    int rc = dmtest_sh(&out, "sqlite3 '%s' \"DROP TRIGGER IF EXISTS rtree_hazards_geom_update3; "
                             "DROP TRIGGER IF EXISTS rtree_hazards_geom_update4; UPDATE hazards SET "
                             "remaining_area_ha = -2 WHERE uuid = '%s'\"",
                       db, uuid);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT(dm_plan_gather(s, &c, 1, &h, &n) != DM_OK);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ref);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "field 'remaining_area_ha'");
    dm_store_close(s);
    rc = dmtest_sh(&out, "sqlite3 '%s' \"UPDATE hazards SET remaining_area_ha = NULL, p_contam = "
                         "'abc', expected_items = 1 WHERE uuid = '%s'\"",
                   db, uuid);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT(dm_plan_gather(s, &c, 1, &h, &n) != DM_OK);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "field 'p_contam': 'abc' is not a number");
    dm_store_close(s);
}

static char plan_logged[1024];

static void plan_keep_log(void *user, dm_log_level level, const char *msg)
{
    (void)user;
    size_t n = strlen(plan_logged);
    if (level == DM_LOG_WARN)
        snprintf(plan_logged + n, sizeof plan_logged - n, "%s\n", msg);
}

/* An open hazard with no area left to release has no task to plan: it is
 * left out (not costed, not counted as high-risk land) with a warning that
 * names it and says what to do. */
TEST(plan_leaves_out_open_hazards_with_no_area_left)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard *h = NULL;
    size_t n0 = 0, n1 = 0;
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n0));
    ASSERT(n0 > 1);
    char uuid[37], ref[DM_PLAN_NAME_MAX];
    snprintf(uuid, sizeof uuid, "%s", h[0].uuid);
    snprintf(ref, sizeof ref, "%s", h[0].ref[0] ? h[0].ref : h[0].uuid);
    dm_free(ctx, h);
    dm_store_close(s);
    char *out = NULL;
    int rc = dmtest_sh(&out, "sqlite3 '%s' \"DROP TRIGGER IF EXISTS rtree_hazards_geom_update3; "
                             "DROP TRIGGER IF EXISTS rtree_hazards_geom_update4; UPDATE hazards SET "
                             "remaining_area_ha = 0 WHERE uuid = '%s'\"",
                       db, uuid);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    plan_logged[0] = '\0';
    dm_ctx_set_log(ctx, plan_keep_log, NULL);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n1));
    dm_ctx_set_log(ctx, NULL, NULL);
    ASSERT_EQ(n1, n0 - 1);
    for (size_t i = 0; i < n1; i++)
        ASSERT(strcmp(h[i].uuid, uuid) != 0);
    ASSERT_CONTAINS(plan_logged, "1 open hazard(s) with no area left to release");
    ASSERT_CONTAINS(plan_logged, ref);
    dm_free(ctx, h);
    dm_store_close(s);
}

/* The schedule at the teams' own day rates (cost_usd_day): each task is the
 * days its team works on it times the team's rate, plus the items' cost on
 * the stage that destroys them. Doubling one team's rate raises that cost by
 * exactly its days times the difference, and changes neither the schedule,
 * the unit-rate cost nor what a budget funds. */
TEST(plan_day_rate_cost_follows_the_teams_rates)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 30;
    dm_plan_hazard h[4] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01),
                           hz("D", 2, 0.99, 300)};
    dm_plan_team t[3] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 0.5, 2000),
                         team("S", DM_TEAM_SURVEY, 10, 100)};
    dm_plan_result *r = NULL, *r2 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r));
    ASSERT_EQ(r->route[2], DM_ROUTE_CANCEL);
    ASSERT_EQ(r->route[3], DM_ROUTE_CLEAR);
    /* the items' cost is the unit-rate model's: items x detect x usd_per_item */
    double items = 0, want = 0;
    for (int i = 0; i < 4; i++)
        if (r->route[i] != DM_ROUTE_CANCEL)
            items += h[i].items * c.detect[r->route[i]] * c.usd_item;
    ASSERT_NEAR(r->day_items_cost, items, 1e-6);
    for (size_t j = 0; j < 3; j++)
        want += r->team_days[j] * t[j].usd_day;
    ASSERT(r->team_days[1] > 0 && r->team_days[2] > 0);
    ASSERT_NEAR(r->day_cost_total, want + items, 1e-6);
    ASSERT_EQ(r->n_unrated, 0);
    /* per task: the days (fractions of a day) its team works on it, items
     * on the hazard's last stage */
    double sum = 0, per_hz[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < r->n_tasks; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        double d = (tk->end_day - tk->start_day) * t[tk->team].usd_day;
        ASSERT(tk->end_wd - tk->start_wd >= tk->end_day - tk->start_day - 1e-9);
        if (tk->hazard == 2)
            ASSERT_NEAR(tk->day_cost_usd, d, 1e-9); /* NTS destroys no item */
        if (tk->hazard == 1 && tk->stage == DM_ROUTE_REDUCE)
            ASSERT_NEAR(tk->day_cost_usd, d, 1e-9); /* the items go to the follow-up clearance */
        ASSERT(tk->day_cost_usd >= d - 1e-9);
        sum += tk->day_cost_usd;
        per_hz[tk->hazard] += tk->day_cost_usd;
    }
    ASSERT_NEAR(sum, r->day_cost_total, 1e-6);
    for (int i = 0; i < 4; i++)
        ASSERT_NEAR(r->day_cost[i], per_hz[i], 1e-6);
    /* everything funded: the risk-based comparison is this schedule */
    ASSERT_NEAR(r->rb_day_cost, r->day_cost_total, 1e-6);
    ASSERT(r->full_day_cost > r->rb_day_cost);
    ASSERT(r->mc_day_cost.p10 > 0 && r->mc_day_cost.p10 <= r->mc_day_cost.p50 &&
           r->mc_day_cost.p50 <= r->mc_day_cost.p90);

    /* the mechanical team's rate doubled */
    t[1].usd_day = 4000;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r2));
    ASSERT_EQ(r2->n_tasks, r->n_tasks);
    for (size_t j = 0; j < 3; j++)
        ASSERT_NEAR(r2->team_days[j], r->team_days[j], 0);
    ASSERT_NEAR(r2->day_cost_total - r->day_cost_total, r->team_days[1] * 2000, 1e-6);
    ASSERT_NEAR(r2->total_cost, r->total_cost, 0);
    ASSERT(r2->full_day_cost > r->full_day_cost);
    ASSERT(r2->mc_day_cost.p50 > r->mc_day_cost.p50);
    ASSERT_NEAR(r2->mc_cost.p50, r->mc_cost.p50, 0); /* unit rates: unchanged */
    dm_plan_result_free(ctx, r2);

    /* --budget funds at the unit rates: dearer day rates fund the same
     * hazards, and the schedule at day rates may then exceed the budget */
    t[1].usd_day = 200000;
    c.budget_usd = 300000;
    dm_plan_result *b1 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &b1));
    ASSERT(b1->n_funded >= 1 && b1->n_funded < 4);
    t[1].usd_day = 2000;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r2));
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(b1->funded[i], r2->funded[i]);
    ASSERT_NEAR(b1->funded_cost, r2->funded_cost, 0);
    ASSERT(b1->funded_cost <= c.budget_usd);
    ASSERT(b1->day_cost_total > c.budget_usd);
    for (int i = 0; i < 4; i++)
        if (!b1->funded[i])
            ASSERT_NEAR(b1->day_cost[i], -1, 0); /* not scheduled: no day-rate cost */
    dm_plan_result_free(ctx, b1);
    dm_plan_result_free(ctx, r2);
    dm_plan_result_free(ctx, r);
}

/* A team file with cost_usd_day 0 for every team (costs unknown) plans as
 * before and says the day-rate cost is unknown rather than 0; one working
 * team without a rate makes the total unknown, its own tasks too, while the
 * others' tasks keep their cost. */
TEST(plan_day_rate_cost_unknown_when_rates_are_zero)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 10;
    dm_plan_hazard h[3] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01)};
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 100)};
    dm_plan_team z[2] = {team("M1", DM_TEAM_MANUAL, 1, 0), team("S", DM_TEAM_SURVEY, 10, 0)};
    dm_plan_result *r = NULL, *r0 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 2, &r));
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, z, 2, &r0));
    /* today's plan: same routes, costs, schedule, forecast */
    ASSERT_NEAR(r0->total_cost, r->total_cost, 0);
    ASSERT_NEAR(r0->mc_cost.p50, r->mc_cost.p50, 0);
    ASSERT_EQ(r0->n_tasks, r->n_tasks);
    ASSERT_STREQ(r0->end_all, r->end_all);
    for (size_t k = 0; k < r0->n_tasks; k++) {
        ASSERT_NEAR(r0->tasks[k].cost_usd, r->tasks[k].cost_usd, 0);
        ASSERT_NEAR(r0->tasks[k].day_cost_usd, -1, 0);
    }
    /* and the day-rate cost unknown, nowhere 0 */
    ASSERT_NEAR(r0->day_cost_total, -1, 0);
    ASSERT_NEAR(r0->rb_day_cost, -1, 0);
    ASSERT_NEAR(r0->full_day_cost, -1, 0);
    ASSERT_NEAR(r0->mc_day_cost.p50, -1, 0);
    for (int i = 0; i < 3; i++)
        ASSERT_NEAR(r0->day_cost[i], -1, 0);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, z, r0, 1, &js));
    ASSERT_CONTAINS(js, "\"day_rate\":{\"cost_usd\":null,");
    ASSERT_CONTAINS(js, "\"risk_based\":{");
    ASSERT(!strstr(js, "\"day_rate_cost_usd\":0"));
    ASSERT(!strstr(js, "\"day_rate_cost_usd\":{"));
    dm_free(ctx, js);
    const char *p = dmtest_path("zero.csv");
    ASSERT_OK(dm_plan_write_csv(ctx, p, h, z, r0));
    char *csv = dmtest_read_file(p);
    ASSERT_CONTAINS(csv, ",expected_items,team_days,day_rate_cost_usd,day_rate_cost_usd_lower_bound\n");
    for (const char *l = strchr(csv, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        const char *e = strchr(l + 1, '\n');
        ASSERT(e && e[-1] == ',' && e[-2] == ','); /* an empty day-rate cost and bound, not 0.00 */
    }
    free(csv);
    /* with rates: numbers in the same places */
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 1, &js));
    ASSERT(!strstr(js, "null"));
    dm_free(ctx, js);
    ASSERT_OK(dm_plan_write_csv(ctx, p, h, t, r));
    csv = dmtest_read_file(p);
    ASSERT(!strstr(csv, ",,\n")); /* a cost, and no bound beside a known cost */
    free(csv);
    dm_plan_result_free(ctx, r0);
    /* only the survey team without a rate: the total is unknown, the manual
     * team's tasks keep their cost */
    z[0].usd_day = 1000;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, z, 2, &r0));
    ASSERT_NEAR(r0->day_cost_total, -1, 0);
    ASSERT_EQ(r0->n_unrated, 1);
    for (size_t k = 0; k < r0->n_tasks; k++)
        ASSERT_NEAR(r0->tasks[k].day_cost_usd,
                    r0->tasks[k].team == 1 ? -1 : r->tasks[k].day_cost_usd, 1e-9);
    ASSERT_NEAR(r0->day_cost[0], r->day_cost[0], 1e-6);
    ASSERT_NEAR(r0->day_cost[2], -1, 0);
    ASSERT_NEAR(r0->full_day_cost, r->full_day_cost, 1e-6); /* survey teams idle */
    dm_plan_result_free(ctx, r0);
    dm_plan_result_free(ctx, r);
}

/* The command line prints the day-rate cost beside the unit-rate estimate,
 * "unknown" for a team file of zero rates, and a budget the schedule
 * exceeds at the teams' day rates. */
TEST(plan_cli_reports_day_rate_cost)
{
    const char *db = dmtest_demo_db();
    const char *zero = dmtest_path("zero.csv"), *dear = dmtest_path("dear.csv");
    dmtest_write_file(zero, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,0,24\nMECH,mechanical,0.5,0,8\nNTS,survey,20,0,10\n");
    dmtest_write_file(dear, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,20000,24\nMECH,mechanical,0.5,60000,8\n"
                            "NTS,survey,20,12000,10\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, zero, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "at the teams' day rates: unknown (cost_usd_day is 0 for every team)");
    ASSERT_CONTAINS(out, "USD ");
    ASSERT(!strstr(out, "USD 0.00 M"));
    free(out);
    char *js = dmtest_read_file(dmtest_path("p.json"));
    ASSERT_CONTAINS(js, "\"day_rate\":{\"cost_usd\":null");
    free(js);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s' --json",
                       db, dear, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    const char *d = strstr(out, "\"day_rate\":{\"cost_usd\":");
    ASSERT(d);
    double day = strtod(d + strlen("\"day_rate\":{\"cost_usd\":"), NULL);
    const char *u = strstr(out, "\"funded_cost_usd\":");
    ASSERT(u);
    double unit = strtod(u + strlen("\"funded_cost_usd\":"), NULL);
    ASSERT_MSG(day > unit, "day rates x10: USD %.0f, unit rates USD %.0f", day, unit);
    free(out);
    /* a budget funds at the unit rates; the dearer schedule is reported */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s' --budget %.0f",
                       db, dear, dmtest_path("p.csv"), dmtest_path("p.json"), unit / 2);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "at the teams' day rates (");
    ASSERT_CONTAINS(out, "over the budget of USD");
    free(out);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                       dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "at the teams' day rates (");
    ASSERT(!strstr(out, "over the budget"));
    free(out);
    char *csv = dmtest_read_file(dmtest_path("p.csv"));
    ASSERT_CONTAINS(csv, ",team_days,day_rate_cost_usd,day_rate_cost_usd_lower_bound\n");
    free(csv);
    /* the plan written to the database: each task's day-rate cost, adding
     * up to the schedule's */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 --json",
                       db, dmtest_path("dear.csv")); /* dmtest_path's buffers rotate */
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    d = strstr(out, "\"day_rate\":{\"cost_usd\":");
    ASSERT(d);
    day = strtod(d + strlen("\"day_rate\":{\"cost_usd\":"), NULL);
    free(out);
    rc = dmtest_sh(&out, "sqlite3 '%s' \"SELECT count(*), count(day_rate_cost_usd), "
                         "sum(day_rate_cost_usd) FROM plan_tasks WHERE stage != 'unfunded'\"", db);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    long n = 0, n_cost = 0;
    double sum = 0;
    ASSERT_EQ(sscanf(out, "%ld|%ld|%lf", &n, &n_cost, &sum), 3);
    free(out);
    ASSERT(n > 0);
    ASSERT_EQ(n_cost, n);
    ASSERT_NEAR(sum, day, 1e-6 * day + 1);
}

/* Teams kept from the start to their last task: each working team's kept
 * days are the end of its last task (waiting between tasks included), a
 * team with no task is not kept, and the cost is those days at the teams'
 * rates plus the items', never below the days-worked cost. */
TEST(plan_day_rate_cost_with_teams_kept_until_their_last_task)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 10;
    /* A must be surveyed (technical survey) before its clearance: the
     * clearing team waits while the other works */
    dm_plan_hazard h[4] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01),
                           hz("D", 2, 0.99, 300)};
    dm_plan_team t[4] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 0.5, 2000),
                         team("S", DM_TEAM_SURVEY, 10, 100), team("S2", DM_TEAM_SURVEY, 10, 300)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 4, &r));
    double last[4] = {0, 0, 0, 0}, want = r->day_items_cost, kept = 0, worked = 0;
    for (size_t k = 0; k < r->n_tasks; k++)
        if ((double)r->tasks[k].end_wd > last[r->tasks[k].team])
            last[r->tasks[k].team] = (double)r->tasks[k].end_wd;
    for (size_t j = 0; j < 4; j++) {
        ASSERT_NEAR(r->team_kept_days[j], last[j], 0);
        ASSERT(r->team_kept_days[j] >= r->team_days[j]);
        want += last[j] * t[j].usd_day;
        kept += last[j];
        worked += r->team_days[j];
    }
    ASSERT_NEAR(r->team_kept_days[3], 0, 0); /* one cancellation: S2 never works */
    ASSERT_NEAR(r->team_days[3], 0, 0);
    ASSERT_NEAR(r->kept_cost_total, want, 1e-6);
    ASSERT(r->kept_cost_total >= r->day_cost_total);
    ASSERT(kept > worked); /* someone waited */
    /* in the JSON */
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *dr = json_object_get(root, "day_rate");
    ASSERT_NEAR(json_number_value(json_object_get(dr, "kept_team_days")), kept, 0);
    ASSERT_NEAR(json_number_value(json_object_get(dr, "kept_cost_usd")), want, 0.01);
    json_decref(root);
    dm_free(ctx, js);
    /* a working team without a rate: unknown, as the days-worked cost */
    t[1].usd_day = 0;
    dm_plan_result *r0 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 4, &r0));
    ASSERT_NEAR(r0->kept_cost_total, -1, 0);
    dm_plan_result_free(ctx, r0);
    dm_plan_result_free(ctx, r);
}

/* Every team has a rate and the teams kept cost no more than the days worked
 * (fast teams, each busy to its last task): the day-rate cost is given once,
 * never followed by "unknown". */
TEST(plan_cli_known_day_rate_cost_is_not_also_unknown)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    const char *teams = dmtest_path("fast.csv");
    dmtest_write_file(teams, "name,method,capacity_ha_day,cost_usd_day\nM,manual,100000,2000\n"
                             "S,survey,100000,1200\n");
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, teams, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "at the teams' day rates (");
    ASSERT_MSG(!strstr(out, "unknown"), "a known cost reported unknown too:\n%s", out);
    free(out);
}

/* A database with no open hazard: the plan says there is nothing to plan
 * (not a page of zeros) and still replaces an older plan with an empty one. */
TEST(plan_cli_with_no_open_hazard_says_nothing_to_plan)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init %s", dmtest_path("none.gpkg")), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "plan %s --teams %s", dmtest_path("none.gpkg"),
                            dmtest_repo_path("config/teams-default.csv")),
              0);
    ASSERT_CONTAINS(out, "nothing to plan: ");
    ASSERT_CONTAINS(out, "has no open hazard with land left to release");
    ASSERT(!strstr(out, "USD 0.00 M"));
    free(out);
    ASSERT_DEMINE(0, "plan_tasks", "list %s", dmtest_path("none.gpkg"));
}

/* A team listed that gets no task is in none of the plan's costs (it need
 * not be hired for this schedule), but a programme that keeps it on
 * contract pays it: the plan reports it beside, with the working days to
 * the plan's end and what they cost, and says the totals leave it out. */
TEST(plan_idle_teams_are_costed_beside_the_plan)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 10;
    dm_plan_hazard h[4] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01),
                           hz("D", 2, 0.99, 300)};
    dm_plan_team t[4] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 0.5, 2000),
                         team("S", DM_TEAM_SURVEY, 10, 100), team("S2", DM_TEAM_SURVEY, 10, 300)};
    dm_plan_result *r = NULL, *r3 = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 4, &r));
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r3)); /* the same plan without S2 */
    long span = 0;
    for (size_t k = 0; k < r->n_tasks; k++) {
        ASSERT(r->tasks[k].team != 3);
        if (r->tasks[k].end_wd > span)
            span = r->tasks[k].end_wd;
    }
    ASSERT(span > 0);
    ASSERT_EQ(r->n_idle, 1);
    ASSERT_EQ(r->span_days, span);
    ASSERT_NEAR(r->idle_cost, (double)span * 300, 1e-9);
    ASSERT_NEAR(r->idle_cost_lower, r->idle_cost, 0);
    /* the totals are those of the schedule, as if S2 were not listed */
    ASSERT_NEAR(r->day_cost_total, r3->day_cost_total, 1e-9);
    ASSERT_NEAR(r->kept_cost_total, r3->kept_cost_total, 1e-9);
    ASSERT_EQ(r3->n_idle, 0);
    ASSERT_NEAR(r3->idle_cost, 0, 0);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *it = json_object_get(root, "idle_teams");
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    ASSERT_NEAR(json_number_value(json_object_get(it, "teams")), 1, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "days_each")), (double)span, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "team_days")), (double)span, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "cost_usd")), (double)span * 300, 0.01);
    ASSERT(json_is_false(json_object_get(it, "included_in_costs")));
    ASSERT_NEAR(json_number_value(json_object_get(it, "kept_with_idle_cost_usd")),
                r->kept_cost_total + (double)span * 300, 0.01);
    ASSERT_EQ(json_array_size(json_object_get(it, "names")), 1);
    ASSERT_STREQ(json_string_value(json_array_get(json_object_get(it, "names"), 0)), "S2");
    /* the existing keys keep their meaning: the schedule without S2 */
    ASSERT_NEAR(json_number_value(json_object_get(json_object_get(root, "day_rate"), "cost_usd")),
                r3->day_cost_total, 0.01);
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* the idle team has no rate: what it costs is unknown, the schedule's
     * cost is not (the team does not work) */
    t[3].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 4, &r));
    ASSERT_EQ(r->n_idle, 1);
    ASSERT_NEAR(r->idle_cost, -1, 0);
    ASSERT_NEAR(r->idle_cost_lower, -1, 0);
    ASSERT_NEAR(r->day_cost_total, r3->day_cost_total, 1e-9);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    dm_free(ctx, js);
    it = json_object_get(root, "idle_teams");
    ASSERT(json_is_null(json_object_get(it, "cost_usd")));
    ASSERT(json_is_null(json_object_get(it, "kept_with_idle_cost_usd")));
    ASSERT(!json_object_get(it, "cost_usd_lower_bound"));
    ASSERT_STREQ(json_string_value(json_object_get(json_object_get(root, "day_rate"), "rates")), "some");
    json_decref(root);
    dm_plan_result_free(ctx, r);
    dm_plan_result_free(ctx, r3);
}

/* "No rates" (every team 0: costs unknown) and "some unrated" (a team that
 * works has no rate: the cost of the others is a lower bound) are told
 * apart, in the engine and in the JSON. */
TEST(plan_day_rate_lower_bound_when_some_teams_have_no_rate)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 10;
    dm_plan_hazard h[3] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01)};
    dm_plan_team t[3] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 0),
                         team("M2", DM_TEAM_MANUAL, 1, 0)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 3, &r));
    ASSERT(r->team_days[0] > 0 && r->team_days[1] > 0 && r->team_days[2] > 0);
    ASSERT_NEAR(r->day_cost_total, -1, 0); /* unknown, as before */
    ASSERT_EQ(r->n_unrated, 2);
    ASSERT_EQ(r->n_rateless, 2);
    ASSERT_NEAR(r->day_cost_lower, r->team_days[0] * 1000 + r->day_items_cost, 1e-6);
    ASSERT_NEAR(r->kept_cost_lower, r->team_kept_days[0] * 1000 + r->day_items_cost, 1e-6);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *dr = json_object_get(root, "day_rate");
    dm_free(ctx, js);
    ASSERT(json_is_null(json_object_get(dr, "cost_usd")));
    ASSERT_STREQ(json_string_value(json_object_get(dr, "rates")), "some");
    ASSERT_NEAR(json_number_value(json_object_get(dr, "teams_without_rate")), 2, 0);
    ASSERT_NEAR(json_number_value(json_object_get(dr, "cost_usd_lower_bound")), r->day_cost_lower, 0.01);
    ASSERT_NEAR(json_number_value(json_object_get(dr, "kept_cost_usd_lower_bound")), r->kept_cost_lower,
                0.01);
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* no rates at all: unknown, no bound */
    t[0].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 3, &r));
    ASSERT_NEAR(r->day_cost_lower, -1, 0);
    ASSERT_NEAR(r->kept_cost_lower, -1, 0);
    ASSERT_EQ(r->n_rateless, 3);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    dm_free(ctx, js);
    dr = json_object_get(root, "day_rate");
    ASSERT_STREQ(json_string_value(json_object_get(dr, "rates")), "none");
    ASSERT(!json_object_get(dr, "cost_usd_lower_bound"));
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* every team rated: the figure itself, no bound */
    t[0].usd_day = t[1].usd_day = t[2].usd_day = 500;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 3, t, 3, &r));
    ASSERT(r->day_cost_total > 0);
    ASSERT_NEAR(r->day_cost_lower, r->day_cost_total, 0);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    dm_free(ctx, js);
    dr = json_object_get(root, "day_rate");
    ASSERT_STREQ(json_string_value(json_object_get(dr, "rates")), "all");
    ASSERT(!json_object_get(dr, "cost_usd_lower_bound"));
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* The command line says which: a lower bound naming how many teams have no
 * rate, or unknown when none has; and the idle teams, apart from the costs. */
TEST(plan_cli_reports_idle_teams_and_lower_bounds)
{
    const char *db = dmtest_demo_db();
    const char *some = dmtest_path("some.csv");
    dmtest_write_file(some, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,2000,24\nMECH,mechanical,0.5,0,8\n"
                            "DOG,dogs,0.25,2500,8\nNTS,survey,20,0,10\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, some, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "at least USD ");
    ASSERT_CONTAINS(out, "(lower bound: 18 of 50 teams have no day rate, 8 of them work, the first MECH-1;");
    ASSERT(!strstr(out, "at the teams' day rates: unknown"));
    free(out);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                       dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "p.json: %s", err.text);
    /* the idle teams are those of no task */
    size_t k;
    json_t *tk;
    int used[64] = {0};
    json_array_foreach(json_object_get(root, "tasks"), k, tk)
    {
        const char *tn = json_string_value(json_object_get(tk, "team"));
        static const char *pre[4] = {"MAN-", "MECH-", "DOG-", "NTS-"};
        static const int base[4] = {0, 24, 32, 40};
        for (int m = 0; m < 4; m++)
            if (!strncmp(tn, pre[m], strlen(pre[m])))
                used[base[m] + (int)strtol(tn + strlen(pre[m]), NULL, 10) - 1] = 1;
    }
    int idle = 0;
    for (int j = 0; j < 50; j++)
        idle += !used[j];
    json_t *it = json_object_get(root, "idle_teams");
    ASSERT_NEAR(json_number_value(json_object_get(it, "teams")), idle, 0);
    ASSERT(idle > 0); /* the prior cancels nothing: survey teams wait */
    char want[160];
    snprintf(want, sizeof want, "idle:     %d of 50 teams get no task (", idle);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "in none of the costs above");
    snprintf(want, sizeof want, "USD %.2f M if kept on contract to the plan's end, %s (%.0f working days each)",
             json_number_value(json_object_get(it, "cost_usd")) / 1e6,
             json_string_value(json_object_get(it, "until")), json_number_value(json_object_get(it, "days_each")));
    ASSERT_CONTAINS(out, want);
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "plan");
    ASSERT_STREQ(json_string_value(json_object_get(it, "until")),
                 json_string_value(json_object_get(json_object_get(root, "all"), "end")));
    json_decref(root);
    free(out);
}

/* Refs and districts in Azerbaijani and Cyrillic letters (two bytes each)
 * longer than 64 bytes are kept whole by the plan: in the hazards gathered,
 * the JSON and the CSV (they were cut at 47 and 63 bytes). */
TEST(plan_keeps_long_non_latin_refs_and_districts_whole)
{
    static const char *ref = "Ağdam-Şıxbabalı-ТЕХНИКИ-ТӘДГИГАТ-САҺӘСИ-Ҹәнуб-Гәрби-Јамаҹ-ƏLAVƏ-0025";
    static const char *dist = "Ходжавендский район Нагорного Карабаха — Xocavənd rayonu, Ağdərə və Şuşa arası";
    ASSERT(strlen(ref) > 100 && strlen(dist) > 120);
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard *h = NULL;
    size_t n = 0;
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n));
    ASSERT(n > 0);
    char uuid[37];
    snprintf(uuid, sizeof uuid, "%s", h[0].uuid);
    dm_free(ctx, h);
    dm_store_close(s);
    char *out = NULL;
    int rc = dmtest_sh(&out, "ogrinfo -q '%s' -sql \"UPDATE hazards SET ref = '%s', district = '%s' WHERE uuid = '%s'\"",
                       db, ref, dist, uuid);
    ASSERT_MSG(rc == 0, "ogrinfo: %s", out);
    free(out);
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_READONLY, &s));
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n));
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(h[i].uuid, uuid)) {
            ASSERT_STREQ(h[i].ref, ref);
            ASSERT_STREQ(h[i].district, dist);
            found = 1;
        }
    ASSERT(found);
    dm_free(ctx, h);
    dm_store_close(s);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                       dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    char *js = dmtest_read_file(dmtest_path("p.json")), *csv = dmtest_read_file(dmtest_path("p.csv"));
    char want[512];
    snprintf(want, sizeof want, "\"hazard\":\"%s\",\"district\":\"%s\"", ref, dist);
    ASSERT_CONTAINS(js, want);
    snprintf(want, sizeof want, ",%s,%s,", ref, uuid);
    ASSERT_CONTAINS(csv, want);
    snprintf(want, sizeof want, ",\"%s\",", dist); /* quoted: it holds a comma */
    ASSERT_CONTAINS(csv, want);
    free(js);
    free(csv);
}

/* When some teams that work have no day rate, the donor comparison's two
 * schedules and the forecast's band are lower bounds too (the teams that
 * have a rate plus the items), not "unknown": the same schedules with the
 * rateless teams at a rate of next to nothing cost the bound, at a real
 * rate more. The existing keys stay null; the bounds have keys of their own. */
TEST(plan_donor_comparison_and_forecast_give_lower_bounds)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 20;
    c.budget_usd = 0;
    dm_plan_hazard h[4] = {hz("A", 10, 1, 50), hz("B", 3, 0.5, 2), hz("C", 2, 0.01, 0.01),
                           hz("D", 4, 0.99, 300)};
    dm_plan_team t[3] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 0),
                         team("M2", DM_TEAM_MANUAL, 1, 0)};
    dm_plan_result *r = NULL, *eps = NULL, *real = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r));
    ASSERT(r->team_days[2] > 0); /* M2 works: the figures are unknown */
    t[1].usd_day = t[2].usd_day = 1e-9;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &eps));
    t[1].usd_day = 300;
    t[2].usd_day = 800;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &real));
    ASSERT_NEAR(r->full_day_cost, -1, 0);
    ASSERT_NEAR(r->rb_day_cost, -1, 0);
    ASSERT_NEAR(r->mc_day_cost.p50, -1, 0);
    ASSERT(eps->full_day_cost > 0 && eps->rb_day_cost > 0 && eps->mc_day_cost.p10 > 0);
    ASSERT_NEAR(r->full_day_cost_lower, eps->full_day_cost, 1e-3);
    ASSERT_NEAR(r->rb_day_cost_lower, eps->rb_day_cost, 1e-3);
    ASSERT_NEAR(r->mc_day_cost_lower.p10, eps->mc_day_cost.p10, 1e-3);
    ASSERT_NEAR(r->mc_day_cost_lower.p50, eps->mc_day_cost.p50, 1e-3);
    ASSERT_NEAR(r->mc_day_cost_lower.p90, eps->mc_day_cost.p90, 1e-3);
    ASSERT(r->full_day_cost_lower < real->full_day_cost - 1);
    ASSERT(r->rb_day_cost_lower < real->rb_day_cost - 1);
    ASSERT(r->mc_day_cost_lower.p90 < real->mc_day_cost.p90 - 1);
    /* JSON: the old keys null, the bounds beside */
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    json_t *cmp = json_object_get(root, "comparison"), *fc = json_object_get(root, "forecast");
    json_t *f = json_object_get(cmp, "full_clearance"), *rb = json_object_get(cmp, "risk_based");
    ASSERT(json_is_null(json_object_get(f, "day_rate_cost_usd")));
    ASSERT(json_is_null(json_object_get(rb, "day_rate_cost_usd")));
    ASSERT(json_is_null(json_object_get(fc, "day_rate_cost_usd")));
    ASSERT_NEAR(json_number_value(json_object_get(f, "day_rate_cost_usd_lower_bound")), r->full_day_cost_lower,
                0.01);
    ASSERT_NEAR(json_number_value(json_object_get(rb, "day_rate_cost_usd_lower_bound")), r->rb_day_cost_lower,
                0.01);
    json_t *bd = json_object_get(fc, "day_rate_cost_usd_lower_bound");
    ASSERT_NEAR(json_number_value(json_object_get(bd, "p10")), r->mc_day_cost_lower.p10, 0.01);
    ASSERT_NEAR(json_number_value(json_object_get(bd, "p90")), r->mc_day_cost_lower.p90, 0.01);
    json_decref(root);
    /* every team rated: the figures, no bound keys */
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, real, 0, &js));
    root = json_loads(js, 0, &err);
    dm_free(ctx, js);
    cmp = json_object_get(root, "comparison");
    ASSERT(!json_object_get(json_object_get(cmp, "full_clearance"), "day_rate_cost_usd_lower_bound"));
    ASSERT(!json_object_get(json_object_get(root, "forecast"), "day_rate_cost_usd_lower_bound"));
    json_decref(root);
    dm_plan_result_free(ctx, r);
    dm_plan_result_free(ctx, eps);
    dm_plan_result_free(ctx, real);
    /* no team rated: unknown, no bound */
    t[0].usd_day = t[1].usd_day = t[2].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 3, &r));
    ASSERT_NEAR(r->full_day_cost_lower, -1, 0);
    ASSERT_NEAR(r->rb_day_cost_lower, -1, 0);
    ASSERT_NEAR(r->mc_day_cost_lower.p50, -1, 0);
    dm_plan_result_free(ctx, r);
}

/* With --horizon shorter than the plan, idle teams are costed to the
 * horizon (the programme plans that far), and the plan says which period
 * the figure covers; a horizon beyond the plan's end changes nothing. */
TEST(plan_idle_teams_are_costed_to_the_horizon)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    ASSERT_EQ(c.work_days_week, 5);
    dm_plan_hazard h[2] = {hz("A", 1500, 1, 50), hz("B", 1000, 0.99, 300)};
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 2, &r));
    ASSERT_EQ(r->n_idle, 1);
    ASSERT(r->span_days > 200);
    ASSERT_EQ(r->idle_days, r->span_days);
    ASSERT_EQ(r->idle_to_horizon, 0);
    ASSERT_STREQ(r->idle_until, r->end_all);
    ASSERT_NEAR(r->idle_cost, (double)r->span_days * 400, 1e-6);
    long span = r->span_days;
    dm_plan_result_free(ctx, r);
    /* a quarter year from Monday 2026-01-05: 13 weeks, 65 working days, to
     * Friday 2026-04-03 */
    c.horizon_years = 0.25;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 2, &r));
    ASSERT_EQ(r->span_days, span);
    ASSERT_EQ(r->idle_days, 65);
    ASSERT_EQ(r->idle_to_horizon, 1);
    ASSERT_STREQ(r->idle_until, "2026-04-03");
    ASSERT_NEAR(r->idle_cost, 65.0 * 400, 1e-6);
    ASSERT(r->n_late > 0);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *it = json_object_get(root, "idle_teams");
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    ASSERT_STREQ(json_string_value(json_object_get(it, "until")), "2026-04-03");
    ASSERT_NEAR(json_number_value(json_object_get(it, "days_each")), 65, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "plan_days")), (double)span, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "cost_usd")), 65.0 * 400, 0.01);
    /* every team kept to the horizon too (M1 works on beyond it; the
     * technical survey there destroys no item by then) */
    ASSERT_NEAR(json_number_value(json_object_get(it, "kept_with_idle_cost_usd")), 65.0 * 1000 + 65.0 * 400, 0.01);
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* a horizon beyond the plan's end: to the plan's end */
    c.horizon_years = 20;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 2, &r));
    ASSERT_EQ(r->idle_days, span);
    ASSERT_EQ(r->idle_to_horizon, 0);
    dm_plan_result_free(ctx, r);
}

/* The command line gives the bounds of the donor comparison and the
 * forecast, and the idle teams' period under --horizon. */
TEST(plan_cli_gives_donor_and_forecast_bounds_and_the_idle_period)
{
    const char *db = dmtest_demo_db();
    const char *some = dmtest_path("some.csv");
    dmtest_write_file(some, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,2000,24\nMECH,mechanical,0.5,0,8\n"
                            "DOG,dogs,0.25,2500,8\nNTS,survey,20,1200,10\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 --horizon 0.1 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, some, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *cmp = json_object_get(root, "comparison"), *it = json_object_get(root, "idle_teams");
    json_t *bd = json_object_get(json_object_get(root, "forecast"), "day_rate_cost_usd_lower_bound");
    char want[300];
    snprintf(want, sizeof want, "cost at the teams' day rates at least USD %.2f / %.2f / %.2f M (P10/P50/P90; "
                                "lower bounds: 8 of 50 teams have no day rate)",
             json_number_value(json_object_get(bd, "p10")) / 1e6, json_number_value(json_object_get(bd, "p50")) / 1e6,
             json_number_value(json_object_get(bd, "p90")) / 1e6);
    ASSERT_CONTAINS(out, want);
    snprintf(want, sizeof want, "USD %.2f M, at least USD %.2f M (",
             json_number_value(json_object_get(json_object_get(cmp, "full_clearance"), "cost_usd")) / 1e6,
             json_number_value(json_object_get(json_object_get(cmp, "full_clearance"),
                                               "day_rate_cost_usd_lower_bound")) / 1e6);
    ASSERT_CONTAINS(out, want);
    snprintf(want, sizeof want, "USD %.2f M, at least USD %.2f M (",
             json_number_value(json_object_get(json_object_get(cmp, "risk_based"), "cost_usd")) / 1e6,
             json_number_value(json_object_get(json_object_get(cmp, "risk_based"),
                                               "day_rate_cost_usd_lower_bound")) / 1e6);
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "(\"at least\": lower bounds, 8 of 50 teams have no day rate)");
    /* the routes line gives the land cleared in all, as the donor line does */
    snprintf(want, sizeof want, "clear 0 (0.0 ha); %.1f ha cleared in all\n",
             json_number_value(json_object_get(json_object_get(cmp, "risk_based"), "clear_ha")));
    ASSERT_CONTAINS(out, want);
    ASSERT(!strstr(out, "unknown"));
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    snprintf(want, sizeof want, "if kept on contract to the 0.1-year horizon, %s (%.0f working days each)",
             json_string_value(json_object_get(it, "until")), json_number_value(json_object_get(it, "days_each")));
    ASSERT_CONTAINS(out, want);
    ASSERT(json_number_value(json_object_get(it, "days_each")) < json_number_value(json_object_get(it, "plan_days")));
    json_decref(root);
    free(out);
}

/* With --horizon shorter than the plan, "every team kept" costs every team
 * to the horizon: the working ones to their last task or the horizon,
 * whichever comes first, the idle ones to the horizon, and the items
 * destroyed by then (a piece that straddles the horizon by its days). */
TEST(plan_every_team_kept_is_costed_to_the_horizon)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    /* 100 ha of minefield throughout: clearance at 1 ha a day, pieces of 40,
     * 40 and 20 days from Monday 2026-01-05 */
    dm_plan_hazard h[1] = {hz("C", 100, 0.99, 6000)};
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 2, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_CLEAR);
    ASSERT_EQ(r->n_tasks, 3);
    ASSERT_EQ(r->span_days, 100);
    double items = 6000 * 0.996 * 600;
    ASSERT_NEAR(r->day_items_cost, items, 1e-6);
    /* to the plan's end: the working team to its last task, the idle one to the end */
    ASSERT_EQ(r->idle_to_horizon, 0);
    ASSERT_NEAR(r->kept_all_days, 200, 0);
    ASSERT_NEAR(r->kept_all_cost, r->kept_cost_total + r->idle_cost, 1e-6);
    ASSERT_NEAR(r->kept_all_cost, 100 * 1000 + 100 * 400 + items, 1e-6);
    dm_plan_result_free(ctx, r);
    /* a quarter year: 65 working days, to Friday 2026-04-03; the second
     * piece (days 40-80) is 25 of its 40 days within, the third none */
    c.horizon_years = 0.25;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 2, &r));
    ASSERT_EQ(r->idle_to_horizon, 1);
    ASSERT_EQ(r->idle_days, 65);
    ASSERT_NEAR(r->kept_cost_total, 100 * 1000 + items, 1e-6); /* to its last task, as before */
    double want = 65 * 1000 + 65 * 400 + items * (0.4 + 0.4 * 25 / 40);
    ASSERT_NEAR(r->kept_all_days, 130, 0);
    ASSERT_NEAR(r->kept_all_cost, want, 1e-6);
    ASSERT_NEAR(r->kept_all_lower, want, 1e-6);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *it = json_object_get(root, "idle_teams");
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    ASSERT_NEAR(json_number_value(json_object_get(it, "kept_with_idle_cost_usd")), want, 0.01);
    ASSERT_NEAR(json_number_value(json_object_get(it, "kept_with_idle_team_days")), 130, 0);
    ASSERT(!json_object_get(it, "kept_with_idle_cost_usd_lower_bound"));
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* the idle team without a rate: unknown, the working team's part a lower bound */
    t[1].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 2, &r));
    ASSERT_NEAR(r->kept_all_cost, -1, 0);
    ASSERT_NEAR(r->kept_all_lower, want - 65 * 400, 1e-6);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    it = json_object_get(root, "idle_teams");
    dm_free(ctx, js);
    ASSERT(json_is_null(json_object_get(it, "kept_with_idle_cost_usd")));
    ASSERT_NEAR(json_number_value(json_object_get(it, "kept_with_idle_cost_usd_lower_bound")), want - 65 * 400, 0.01);
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* The command line names the period of "every team kept" under --horizon. */
TEST(plan_cli_every_team_kept_to_the_horizon)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --horizon 0.05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "end after 0.05 years\n"); /* the horizon as given, not rounded to 0.1 */
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *it = json_object_get(root, "idle_teams"), *dr = json_object_get(root, "day_rate");
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    double all = json_number_value(json_object_get(it, "kept_with_idle_cost_usd"));
    double days = json_number_value(json_object_get(it, "kept_with_idle_team_days"));
    /* no team is kept beyond the horizon */
    ASSERT(days <= 50 * json_number_value(json_object_get(it, "days_each")));
    ASSERT(all < json_number_value(json_object_get(dr, "kept_cost_usd")));
    char want[300];
    snprintf(want, sizeof want,
             "USD %.2f M with every team kept to the horizon, %s (the working ones to their last task if sooner; "
             "%.0f team-days and the items destroyed by then)",
             all / 1e6, json_string_value(json_object_get(it, "until")), days);
    ASSERT_CONTAINS(out, want);
    json_decref(root);
    free(out);
}

/* A hazard worked partly by a team without a day rate: its day-rate cost is
 * unknown, and the plan gives a lower bound (the teams that have a rate and
 * the items), as the plan's own figures do; known costs carry no bound. */
TEST(plan_priorities_give_a_hazards_lower_bound)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 10;
    /* 100 ha of clearance shared by both clearing teams (pieces of 10 days) */
    dm_plan_hazard h[2] = {hz("A", 100, 0.99, 6000), hz("B", 1, 0.01, 0.01)};
    dm_plan_team t[3] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 1, 0),
                         team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 3, &r));
    ASSERT(r->team_days[0] > 0 && r->team_days[1] > 0);
    ASSERT_NEAR(r->day_cost[0], -1, 0);
    double want = 6000 * 0.996 * 600 + r->team_days[0] * 1000;
    ASSERT_NEAR(r->day_cost_lower_hz[0], want, 1e-6);
    ASSERT(r->day_cost[1] > 0); /* B: surveyed by S, known */
    ASSERT_NEAR(r->day_cost_lower_hz[1], r->day_cost[1], 1e-9);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err), *pr = json_object_get(root, "priorities");
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    int seen = 0;
    for (size_t k = 0; k < json_array_size(pr); k++) {
        json_t *o = json_array_get(pr, k);
        const char *name = json_string_value(json_object_get(o, "hazard"));
        if (!strcmp(name, "A")) {
            ASSERT(json_is_null(json_object_get(o, "day_rate_cost_usd")));
            ASSERT_NEAR(json_number_value(json_object_get(o, "day_rate_cost_usd_lower_bound")), want, 0.01);
            seen++;
        } else {
            ASSERT(json_number_value(json_object_get(o, "day_rate_cost_usd")) > 0);
            ASSERT(!json_object_get(o, "day_rate_cost_usd_lower_bound"));
            seen++;
        }
    }
    ASSERT_EQ(seen, 2);
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* no team with a rate: no bound, unknown */
    t[0].usd_day = t[2].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 3, &r));
    ASSERT_NEAR(r->day_cost_lower_hz[0], -1, 0);
    ASSERT_NEAR(r->day_cost_lower_hz[1], -1, 0);
    dm_plan_result_free(ctx, r);
}

/* An open hazard with no area recorded at all (no remaining_area_ha, no
 * est_area_ha, no polygon) is left out with its own warning: its area is
 * unknown, not zero, and "no area left to release" would tell the user to
 * close land nobody has measured. */
TEST(plan_names_open_hazards_with_no_area_recorded)
{
    dm_ctx *ctx = dmtest_ctx();
    const char *db = dmtest_demo_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    dm_plan_config c;
    cfg_test(&c);
    dm_plan_hazard *h = NULL;
    size_t n0 = 0, n1 = 0;
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n0));
    ASSERT(n0 > 2);
    char uuid[37], ref[DM_PLAN_NAME_MAX], uuid2[37];
    snprintf(uuid, sizeof uuid, "%s", h[0].uuid);
    snprintf(ref, sizeof ref, "%s", h[0].ref[0] ? h[0].ref : h[0].uuid);
    snprintf(uuid2, sizeof uuid2, "%s", h[1].uuid);
    dm_free(ctx, h);
    dm_store_close(s);
    char *out = NULL;
    /* the first without any area; the second without the fields but with its polygon */
    int rc = dmtest_sh(&out, "sqlite3 '%s' \"DROP TRIGGER IF EXISTS rtree_hazards_geom_update1; "
                             "DROP TRIGGER IF EXISTS rtree_hazards_geom_update2; "
                             "DROP TRIGGER IF EXISTS rtree_hazards_geom_update3; "
                             "DROP TRIGGER IF EXISTS rtree_hazards_geom_update4; UPDATE hazards SET "
                             "remaining_area_ha = NULL, est_area_ha = NULL, geom = NULL WHERE uuid = '%s'; "
                             "UPDATE hazards SET remaining_area_ha = NULL, est_area_ha = NULL WHERE uuid = '%s'\"",
                       db, uuid, uuid2);
    ASSERT_MSG(rc == 0, "sqlite3: %s", out);
    free(out);
    plan_logged[0] = '\0';
    dm_ctx_set_log(ctx, plan_keep_log, NULL);
    ASSERT_OK(dm_store_open(ctx, db, 0, &s));
    ASSERT_OK(dm_plan_gather(s, &c, 1, &h, &n1));
    dm_ctx_set_log(ctx, NULL, NULL);
    ASSERT_EQ(n1, n0 - 1);
    int polygon = 0;
    for (size_t i = 0; i < n1; i++) {
        ASSERT(strcmp(h[i].uuid, uuid) != 0);
        if (!strcmp(h[i].uuid, uuid2)) {
            polygon = 1;
            ASSERT(h[i].area_ha > 0); /* from its polygon */
        }
    }
    ASSERT(polygon);
    ASSERT_CONTAINS(plan_logged, "1 open hazard(s) with no area recorded");
    ASSERT_CONTAINS(plan_logged, ref);
    ASSERT(!strstr(plan_logged, "no area left to release"));
    dm_free(ctx, h);
    dm_store_close(s);
}

/* A budget plan whose day-rate cost is only known as a lower bound (some
 * teams have no rate) still says when that bound is over the budget. */
TEST(plan_cli_says_a_lower_bound_over_the_budget)
{
    const char *db = dmtest_demo_db();
    const char *dear = dmtest_path("dear.csv");
    dmtest_write_file(dear, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,40000,24\nMECH,mechanical,0.5,0,8\nNTS,survey,20,1200,10\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --budget 2000000 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, dear, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *dr = json_object_get(root, "day_rate");
    ASSERT(json_is_null(json_object_get(dr, "cost_usd")));
    double lb = json_number_value(json_object_get(dr, "cost_usd_lower_bound"));
    ASSERT(lb > 2000000);
    char want[300];
    snprintf(want, sizeof want,
             "            the funded schedule costs at least USD %.2f M at the teams' day rates (some teams have "
             "none), over the budget of USD 2.00 M",
             lb / 1e6);
    ASSERT_CONTAINS(out, want);
    json_decref(root);
    free(out);
}

/* Survey teams alone, every hazard cancelled: the plan is made, and the
 * donor comparison's full clearance, which no team can do, has no years
 * (null, "no team clears"), never "-1.0 years". */
TEST(plan_full_clearance_without_clearing_teams_has_no_years)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 5;
    dm_plan_hazard h[2] = {hz("A", 10, 0.01, 0.01), hz("B", 5, 0.02, 0.05)};
    dm_plan_team t[1] = {team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 1, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_CANCEL);
    ASSERT_EQ(r->route[1], DM_ROUTE_CANCEL);
    ASSERT(r->full_years < 0);
    ASSERT(r->full_cost > 0); /* the unit-rate cost needs no team */
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    json_t *fc = json_object_get(json_object_get(root, "comparison"), "full_clearance");
    ASSERT(json_is_null(json_object_get(fc, "years")));
    ASSERT(json_is_null(json_object_get(fc, "day_rate_cost_usd")));
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* Survey teams alone: a forecast sample whose survey finds items in a
 * cancelled hazard cannot have them surveyed and cleared. That work is left
 * out and counted; it does not end the sample's schedule early (all land in
 * 0 years) nor cut its costs to the part scheduled before. */
TEST(plan_forecast_counts_finds_no_team_can_follow_up)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 200;
    c.nts_find = 1;
    dm_plan_hazard h[4] = {hz("A", 100, 0.049, 0.2), hz("B", 100, 0.049, 0.2), hz("C", 100, 0.049, 0.2),
                           hz("D", 100, 0.049, 0.2)};
    dm_plan_team t[1] = {team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 4, t, 1, &r));
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(r->route[i], DM_ROUTE_CANCEL);
    ASSERT(r->mc_beyond_teams > 0 && r->mc_beyond_teams < 200);
    /* every sample surveys all 400 ha: 40 working days, 8 weeks */
    ASSERT_NEAR(r->mc_years_all.p10, r->years_all, 1e-9);
    ASSERT_NEAR(r->mc_years_all.p90, r->years_all, 1e-9);
    ASSERT_NEAR(r->mc_day_cost.p10, 40 * 400, 1e-6);
    ASSERT_NEAR(r->mc_cost.p10, 400 * 150, 1e-6);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    ASSERT_NEAR(json_number_value(json_object_get(json_object_get(root, "forecast"), "samples_beyond_teams")),
                r->mc_beyond_teams, 0);
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* A --horizon shorter than one working day keeps no team for any day: the
 * idle line says so rather than "0 working days" at "USD 0.00 M", and
 * every hazard ends after it. */
TEST(plan_cli_horizon_under_one_working_day)
{
    const char *db = dmtest_demo_db();
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --horizon 0.001 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"),
                           dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "nothing if kept on contract to the 0.001-year horizon: it holds less than one working "
                         "day (the first, 2026-01-05, ends after it)");
    ASSERT_CONTAINS(out, "end after 0.001 years (less than one working day: every hazard ends after it)");
    ASSERT(!strstr(out, "0 working days"));
    ASSERT(!strstr(out, "every team kept to the horizon"));
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *it = json_object_get(root, "idle_teams");
    ASSERT_STREQ(json_string_value(json_object_get(it, "period")), "horizon");
    ASSERT_NEAR(json_number_value(json_object_get(it, "days_each")), 0, 0);
    ASSERT_NEAR(json_number_value(json_object_get(it, "cost_usd")), 0, 0);
    ASSERT_EQ((long)json_integer_value(json_object_get(root, "hazards")),
              (long)json_integer_value(json_object_get(json_object_get(root, "beyond_horizon"), "hazards")));
    json_decref(root);
    free(out);
    /* one working day: said in the singular, with its date */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --horizon 0.004 "
                             "--no-write --csv '%s' --out-json '%s'",
                       db, dmtest_repo_path("config/teams-default.csv"), dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "to the 0.004-year horizon, 2026-01-05 (1 working day each)");
    free(out);
}

/* team_use says, per method, which teams have no day rate and how many days
 * they worked: the cost is null when one of them works, with a lower bound
 * (the method's rated teams) when other teams have a rate, as a hazard's;
 * the methods' costs and the items add up to the plan's figure or bound. */
TEST(plan_team_use_gives_unrated_teams_and_lower_bounds)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 10;
    dm_plan_hazard h[2] = {hz("A", 200, 0.99, 12000), hz("B", 1, 0.01, 0.01)};
    dm_plan_team t[5] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 1, 0),
                         team("D1", DM_TEAM_DOGS, 1, 500), team("D2", DM_TEAM_DOGS, 1, 0),
                         team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 5, &r));
    for (int j = 0; j < 4; j++)
        ASSERT_MSG(r->team_days[j] > 0, "team %d has no task", j);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    json_t *tu = json_object_get(root, "team_use");
    json_t *man = json_object_get(tu, "manual"), *mec = json_object_get(tu, "mechanical"),
           *dog = json_object_get(tu, "dogs"), *sur = json_object_get(tu, "survey");
    /* all rated: a cost, no flag, no bound */
    ASSERT_NEAR(json_number_value(json_object_get(man, "day_rate_cost_usd")), r->team_days[0] * 1000, 0.01);
    ASSERT_NEAR(json_number_value(json_object_get(man, "teams_without_rate")), 0, 0);
    ASSERT(!json_object_get(man, "day_rate_cost_usd_lower_bound"));
    /* none rated: null, flagged, bound 0 (other teams have rates) */
    ASSERT(json_is_null(json_object_get(mec, "day_rate_cost_usd")));
    ASSERT_NEAR(json_number_value(json_object_get(mec, "teams_without_rate")), 1, 0);
    ASSERT_NEAR(json_number_value(json_object_get(mec, "unrated_team_days")), r->team_days[1], 0);
    ASSERT_NEAR(json_number_value(json_object_get(mec, "day_rate_cost_usd_lower_bound")), 0, 0);
    /* one of two rated: null, the rated one's cost as the bound */
    ASSERT(json_is_null(json_object_get(dog, "day_rate_cost_usd")));
    ASSERT_NEAR(json_number_value(json_object_get(dog, "teams_without_rate")), 1, 0);
    ASSERT_NEAR(json_number_value(json_object_get(dog, "unrated_team_days")), r->team_days[3], 0);
    ASSERT_NEAR(json_number_value(json_object_get(dog, "day_rate_cost_usd_lower_bound")), r->team_days[2] * 500,
                0.01);
    ASSERT_NEAR(json_number_value(json_object_get(sur, "day_rate_cost_usd")), r->team_days[4] * 400, 0.01);
    /* the methods and the items add up to the plan's lower bound */
    json_t *dr = json_object_get(root, "day_rate");
    ASSERT(json_is_null(json_object_get(dr, "cost_usd")));
    double sum = json_number_value(json_object_get(dr, "items_cost_usd"));
    const char *k;
    json_t *v;
    json_object_foreach(tu, k, v)
    {
        json_t *x = json_object_get(v, "day_rate_cost_usd");
        sum += json_is_null(x) ? json_number_value(json_object_get(v, "day_rate_cost_usd_lower_bound"))
                               : json_number_value(x);
    }
    ASSERT_NEAR(sum, json_number_value(json_object_get(dr, "cost_usd_lower_bound")), 0.05);
    json_decref(root);
    dm_plan_result_free(ctx, r);
    /* no rate at all: every cost null, no bound, every team flagged */
    for (int j = 0; j < 5; j++)
        t[j].usd_day = 0;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 5, &r));
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    dm_free(ctx, js);
    json_object_foreach(json_object_get(root, "team_use"), k, v)
    {
        ASSERT(json_is_null(json_object_get(v, "day_rate_cost_usd")));
        ASSERT(!json_object_get(v, "day_rate_cost_usd_lower_bound"));
        ASSERT_NEAR(json_number_value(json_object_get(v, "teams_without_rate")),
                    json_number_value(json_object_get(v, "teams")), 0);
    }
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* The text output gives team use per method as the JSON does: a cost, a
 * lower bound naming the teams without a rate, or unknown. */
TEST(plan_cli_team_use_per_method)
{
    const char *db = dmtest_demo_db();
    const char *some = dmtest_path("some.csv");
    dmtest_write_file(some, "name,method,capacity_ha_day,cost_usd_day,count\n"
                            "MAN,manual,0.08,2000,24\nMECH,mechanical,0.5,0,8\n"
                            "DOG,dogs,0.25,2500,7\nDOGX,dogs,0.25,0,1\nNTS,survey,20,1200,10\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, some, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *tu = json_object_get(root, "team_use");
    json_t *man = json_object_get(tu, "manual"), *mec = json_object_get(tu, "mechanical"),
           *dog = json_object_get(tu, "dogs");
    char want[300];
    snprintf(want, sizeof want, "  teams:    manual     24 teams, %.0f team-days, USD %.2f M at their day rates\n",
             json_number_value(json_object_get(man, "team_days")),
             json_number_value(json_object_get(man, "day_rate_cost_usd")) / 1e6);
    ASSERT_CONTAINS(out, want);
    snprintf(want, sizeof want,
             "mechanical 8 teams, %.0f team-days, none of them has a day rate (not in the lower bound)\n",
             json_number_value(json_object_get(mec, "team_days")));
    ASSERT_CONTAINS(out, want);
    ASSERT(json_number_value(json_object_get(dog, "unrated_team_days")) > 0);
    snprintf(want, sizeof want,
             "dogs       8 teams, %.0f team-days, at least USD %.2f M at their day rates (1 of 8 has no day rate: "
             "%.0f team-days)\n",
             json_number_value(json_object_get(dog, "team_days")),
             json_number_value(json_object_get(dog, "day_rate_cost_usd_lower_bound")) / 1e6,
             json_number_value(json_object_get(dog, "unrated_team_days")));
    ASSERT_CONTAINS(out, want);
    ASSERT(!strstr(out, "unknown")); /* lower bounds, not unknown */
    json_decref(root);
    free(out);
}

/* A budget of a few team-days: the text gives the small sums in dollars
 * ("USD 2,252", "over the budget of USD 2,500"), never "USD 0.00 M", and
 * no date for high-risk land when none is funded. */
TEST(plan_cli_small_budget_reads_in_dollars)
{
    const char *db = dmtest_demo_db();
    const char *teams = dmtest_repo_path("config/teams-default.csv");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --no-write --csv '%s' "
                                 "--out-json '%s'",
                           db, teams, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    double min = -1;
    json_t *pr = json_object_get(root, "priorities");
    for (size_t k = 0; k < json_array_size(pr); k++) {
        double c = json_number_value(json_object_get(json_array_get(pr, k), "cost_usd"));
        if (min < 0 || c < min)
            min = c;
    }
    json_decref(root);
    ASSERT(min > 0 && min < 50000);
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 20 --start 2026-01-05 --no-write --csv '%s' "
                             "--out-json '%s' --budget %.0f",
                       db, teams, dmtest_path("p.csv"), dmtest_path("p.json"), ceil(min));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    double funded = json_number_value(json_object_get(root, "funded_cost_usd"));
    ASSERT(funded > 0 && funded <= ceil(min));
    /* the dollars with thousands separated by commas */
    char d[32], want[200];
    snprintf(d, sizeof d, "%.0f", funded);
    char sep[40];
    size_t n = strlen(d), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            sep[o++] = ',';
        sep[o++] = d[i];
    }
    sep[o] = 0;
    snprintf(want, sizeof want, "funded, USD %s)\n", sep);
    ASSERT_CONTAINS(out, want);
    ASSERT(!strstr(out, "0.00 M"));
    ASSERT(!strstr(out, "0.00 / 0.00"));
    if (json_integer_value(json_object_get(json_object_get(root, "high_risk"), "hazards")) == 0)
        ASSERT_CONTAINS(out, "  end:      high-risk land: none funded; all funded land ");
    json_decref(root);
    free(out);
}

/* A task of a team without a day rate carries its items' cost as a lower
 * bound in the CSV and the JSON task list, so that the tasks' costs, or
 * their bounds, add up to the plan's lower bound as the hazards' and the
 * methods' do. */
TEST(plan_task_lower_bounds_add_up_in_csv_and_json)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 10;
    dm_plan_hazard h[2] = {hz("A", 100, 0.99, 6000), hz("B", 1, 0.01, 0.01)};
    dm_plan_team t[3] = {team("M1", DM_TEAM_MANUAL, 1, 1000), team("X", DM_TEAM_MECHANICAL, 1, 0),
                         team("S", DM_TEAM_SURVEY, 10, 400)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 3, &r));
    ASSERT(r->day_cost_total < 0 && r->day_cost_lower > 0);
    double sum = 0;
    int unrated = 0;
    for (size_t k = 0; k < r->n_tasks; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        if (tk->team == 1) {
            unrated++;
            ASSERT_NEAR(tk->day_cost_usd, -1, 0);
            ASSERT(tk->day_cost_lower_usd > 0); /* the items it destroys */
        } else
            ASSERT_NEAR(tk->day_cost_lower_usd, tk->day_cost_usd, 0);
        sum += tk->day_cost_lower_usd;
    }
    ASSERT(unrated > 0);
    ASSERT_NEAR(sum, r->day_cost_lower, 1e-6);
    /* the CSV: the last column or the one before it adds up to the bound */
    const char *p = dmtest_path("lb.csv");
    ASSERT_OK(dm_plan_write_csv(ctx, p, h, t, r));
    char *csv = dmtest_read_file(p);
    double csum = 0;
    int rows = 0;
    for (char *l = strchr(csv, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        char *e = strchr(l + 1, '\n');
        ASSERT(e);
        char *last = e - 1;
        while (*last != ',')
            last--;
        char *prev = last - 1;
        while (*prev != ',')
            prev--;
        double cost = prev + 1 < last ? strtod(prev + 1, NULL) : -1;
        double bound = last + 1 < e ? strtod(last + 1, NULL) : -1;
        ASSERT((cost >= 0) != (bound >= 0)); /* one or the other */
        csum += cost >= 0 ? cost : bound;
        rows++;
    }
    free(csv);
    ASSERT_EQ(rows, (int)r->n_tasks);
    ASSERT_NEAR(csum, r->day_cost_lower, 0.05 * rows);
    /* the JSON task list */
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 1, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    dm_free(ctx, js);
    json_t *tasks = json_object_get(root, "tasks");
    double jsum = 0;
    for (size_t k = 0; k < json_array_size(tasks); k++) {
        json_t *o = json_array_get(tasks, k), *v = json_object_get(o, "day_rate_cost_usd");
        if (json_is_null(v))
            jsum += json_number_value(json_object_get(o, "day_rate_cost_usd_lower_bound"));
        else {
            ASSERT(!json_object_get(o, "day_rate_cost_usd_lower_bound"));
            jsum += json_number_value(v);
        }
    }
    ASSERT_NEAR(jsum, r->day_cost_lower, 0.05 * (double)r->n_tasks);
    json_decref(root);
    dm_plan_result_free(ctx, r);
}

/* Configuration values that would give infinite or negative figures, or a
 * technical survey so slow the schedule could not end, are refused naming
 * the key; a plan beyond 2200 is refused before it is scheduled whole. */
TEST(plan_config_refuses_values_that_break_the_figures)
{
    dm_ctx *ctx = dmtest_ctx();
    static const char *bad[][2] = {
        {"{\"usd_per_item\": 1e308}", "'usd_per_item'"},
        {"{\"usd_per_ha\": {\"clear\": 1e300}}", "'usd_per_ha.clear'"},
        {"{\"usd_per_ha\": {\"reduce\": -1}}", "'usd_per_ha.reduce'"},
        {"{\"detect\": {\"cancel\": 2}}", "'detect.cancel'"},
        {"{\"ts_speed\": 1e-300}", "'ts_speed'"},
        {"{\"w_base\": -5}", "'w_base'"},
        {"{\"w_accident\": 1e308}", "'w_accident'"},
        {"{\"dist_road_m\": -1}", "'dist_road_m'"},
        {"{\"release_weight\": -1}", "'release_weight'"},
        {"{\"ts_ha_per_item\": 1e308}", "'ts_ha_per_item'"},
    };
    const char *p = dmtest_path("bad.json");
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        dm_plan_config c;
        dm_plan_config_default(&c);
        dmtest_write_file(p, bad[k][0]);
        ASSERT_MSG(dm_plan_config_load(ctx, p, &c) != DM_OK, "accepted %s", bad[k][0]);
        ASSERT_CONTAINS(dm_ctx_errmsg(ctx), bad[k][1]);
        ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "bad.json");
    }
    /* the defaults and the edges pass */
    dm_plan_config c;
    dm_plan_config_default(&c);
    dmtest_write_file(p, "{\"ts_speed\": 0.01, \"w_base\": 0, \"release_weight\": 0}");
    ASSERT_OK(dm_plan_config_load(ctx, p, &c));
    /* with the slowest team a plan that would need millions of pieces is
     * stopped once it passes 2200, and said so */
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 1;
    dm_plan_hazard h[1] = {hz("HUGE", 100000, 1, 1e6)};
    dm_plan_team t[1] = {team("M1", DM_TEAM_MANUAL, 0.001, 1000)};
    dm_plan_result *r = NULL;
    ASSERT_STATUS(DM_EINVAL, dm_plan_run(ctx, &c, h, 1, t, 1, &r));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "would end after 2200-12-31, the last date the database holds");
    ASSERT(!r);
}

/* --budget takes a finite positive sum: "inf" is refused as the option, not
 * as a configuration key the user never wrote. */
TEST(plan_cli_budget_must_be_finite)
{
    const char *db = dmtest_demo_db();
    const char *vals[] = {"inf", "0", "-5", "nan"};
    for (size_t k = 0; k < 4; k++) {
        char *out = NULL;
        int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --no-write --budget %s", db,
                               dmtest_repo_path("config/teams-default.csv"), vals[k]);
        ASSERT_EQ(rc, 2);
        ASSERT_CONTAINS(out, "--budget must be a positive sum of dollars");
        ASSERT(!strstr(out, "budget_usd"));
        free(out);
    }
}

/* The donor comparison's schedules and the forecast samples stop at
 * 2200-12-31, as the expected plan does, instead of running on (a huge
 * unfunded hazard, one slow team, one-day pieces) or giving dates the
 * database cannot hold: their years are those to that date, flagged. */
TEST(plan_donor_and_forecast_schedules_stop_at_2200)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    c.chunk_days = 1;
    double limit_years = (double)(dm_date_days("2200-12-31") + 1 - dm_date_days("2026-01-05")) / 365.25;
    /* the budget funds the small hazard; the comparison covers the huge one too */
    dm_plan_hazard h[2] = {hz("SMALL", 1, 0.3, 1), hz("HUGE", 1e5, 0.3, 1)};
    dm_plan_team t[2] = {team("M1", DM_TEAM_MANUAL, 0.001, 1000), team("S1", DM_TEAM_SURVEY, 20, 500)};
    dm_plan_result *r = NULL;
    c.budget_usd = 1e6;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 2, &r));
    ASSERT_EQ(r->n_funded, 1);
    ASSERT(r->years_all < 10);
    ASSERT_EQ(r->rb_stopped, 1);
    ASSERT_EQ(r->full_stopped, 1);
    ASSERT_NEAR(r->rb_years, limit_years, 1e-9);
    ASSERT_NEAR(r->full_years, limit_years, 1e-9);
    ASSERT_NEAR(r->rb_day_cost, -1, 0); /* the days after the stop are not counted */
    ASSERT_NEAR(r->full_day_cost_lower, -1, 0);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    json_error_t err;
    json_t *root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *cmp = json_object_get(root, "comparison");
    ASSERT_STREQ(json_string_value(json_object_get(json_object_get(cmp, "full_clearance"), "stopped_at")),
                 "2200-12-31");
    ASSERT_STREQ(json_string_value(json_object_get(json_object_get(cmp, "risk_based"), "stopped_at")),
                 "2200-12-31");
    ASSERT(json_number_value(json_object_get(json_object_get(cmp, "risk_based"), "years")) < 175);
    json_decref(root);
    dm_free(ctx, js);
    dm_plan_result_free(ctx, r);
    /* all funded, nothing stopped: no flag */
    c.budget_usd = 0;
    h[1] = hz("MID", 10, 0.3, 1);
    ASSERT_OK(dm_plan_run(ctx, &c, h, 2, t, 2, &r));
    ASSERT_EQ(r->rb_stopped + r->full_stopped + r->mc_stopped, 0);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    ASSERT(!strstr(js, "stopped_at"));
    dm_free(ctx, js);
    dm_plan_result_free(ctx, r);

    /* forecast: a cancelled hazard of 1000 ha whose NTS finds items goes to
     * technical survey, 200,000 days of the slow team: those samples stop */
    c.samples = 40;
    c.chunk_days = 40;
    c.p_cancel = 0.6;
    c.items_cancel = 10;
    c.nts_find = 1;
    h[0] = hz("WIDE", 1000, 0.5, 1);
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 2, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_CANCEL);
    ASSERT(r->years_all < 1);
    ASSERT(r->mc_stopped > 0 && r->mc_stopped < 40);
    ASSERT_NEAR(r->mc_years_all.p90, limit_years, 1e-9);
    ASSERT(r->mc_years_all.p10 < 1);
    ASSERT_NEAR(r->mc_day_cost.p50, -1, 0);
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 0, &js));
    root = json_loads(js, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *fc = json_object_get(root, "forecast");
    ASSERT_EQ((int)json_integer_value(json_object_get(fc, "samples_stopped")), r->mc_stopped);
    ASSERT_STREQ(json_string_value(json_object_get(fc, "stopped_at")), "2200-12-31");
    json_decref(root);
    dm_free(ctx, js);
    dm_plan_result_free(ctx, r);
}

/* The command line says which schedule was stopped at 2200-12-31. */
TEST(plan_cli_says_when_a_schedule_stops_at_2200)
{
    const char *db = dmtest_demo_db();
    const char *slow = dmtest_path("slow.csv");
    dmtest_write_file(slow, "name,method,capacity_ha_day,cost_usd_day\nSLOW,manual,0.015,2000\nNTS,survey,20,1200\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, slow, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "clear every suspected hectare: over 175.0 years");
    ASSERT_CONTAINS(out, "(\"over\": clearing every suspected hectare passes 2200-12-31");
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *f = json_object_get(json_object_get(root, "comparison"), "full_clearance");
    ASSERT_STREQ(json_string_value(json_object_get(f, "stopped_at")), "2200-12-31");
    ASSERT(json_is_null(json_object_get(f, "day_rate_cost_usd")));
    json_decref(root);
    free(out);
    /* the report says it too, from the plan stored in the database */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 5 --start 2026-01-05", db, slow);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    free(out);
    rc = dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("r.html"));
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *html = dmtest_read_file(dmtest_path("r.html"));
    ASSERT(html);
    ASSERT_CONTAINS(html, "Clearing every suspected hectare: over 175.0 years");
    ASSERT_CONTAINS(html, "The full-clearance schedule passes 2200-12-31, where the plan stops it");
    free(html);
}

/* One team's consecutive pieces share a working day: a team that ends a
 * piece part way through a day starts the next then. On one small hazard
 * technical survey and its follow-up clearance fit in the one day full
 * clearance takes (each booked a whole day, risk-based took two), and the
 * task list, the team's days and the day-rate cost agree. */
TEST(plan_pieces_of_one_team_share_a_day)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_config c;
    cfg_test(&c);
    c.samples = 0;
    /* 0.08 ha: full clearance 1 day of the manual team; TS 0.2 day, then
     * 0.5 x 0.775 x 0.08 = 0.031 ha of clearance, 0.3875 day */
    dm_plan_hazard h[1] = {hz("SMALL", 0.08, 0.5, 0.5)};
    dm_plan_team t[1] = {team("M1", DM_TEAM_MANUAL, 0.08, 2000)};
    dm_plan_result *r = NULL;
    ASSERT_OK(dm_plan_run(ctx, &c, h, 1, t, 1, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_REDUCE);
    ASSERT_EQ(r->n_tasks, 2);
    const dm_plan_task *ts = &r->tasks[0], *cl = &r->tasks[1];
    ASSERT_EQ(ts->stage, DM_ROUTE_REDUCE);
    ASSERT_EQ(cl->stage, DM_ROUTE_CLEAR);
    ASSERT_NEAR(ts->end_day - ts->start_day, 0.2, 1e-9);
    ASSERT_NEAR(cl->start_day, ts->end_day, 1e-12);
    ASSERT_NEAR(cl->end_day - cl->start_day, 0.3875, 1e-9);
    ASSERT_STREQ(ts->start, "2026-01-05");
    ASSERT_STREQ(cl->start, "2026-01-05");
    ASSERT_STREQ(cl->end, "2026-01-05");
    ASSERT_STREQ(r->end_all, "2026-01-05");
    ASSERT(r->rb_years <= r->full_years);
    ASSERT_NEAR(r->full_years, 1 / 365.25, 1e-12);
    ASSERT_NEAR(r->team_days[0], 0.5875, 1e-9);
    ASSERT_NEAR(r->team_kept_days[0], 1, 0); /* kept on contract: the whole day */
    double items = 0.5 * 0.95 * 600;
    ASSERT_NEAR(r->day_cost_total, 0.5875 * 2000 + items, 1e-6);
    ASSERT_NEAR(ts->day_cost_usd + cl->day_cost_usd, r->day_cost_total, 1e-6);
    /* the CSV and the JSON give the same fractional team-days */
    ASSERT_OK(dm_plan_write_csv(ctx, dmtest_path("share.csv"), h, t, r));
    char *csv = dmtest_read_file(dmtest_path("share.csv"));
    ASSERT(csv);
    ASSERT_CONTAINS(csv, ",0.2000,");
    ASSERT_CONTAINS(csv, ",0.3875,");
    free(csv);
    char *js = NULL;
    ASSERT_OK(dm_plan_json(ctx, &c, h, t, r, 1, &js));
    ASSERT_CONTAINS(js, "\"team_days\":0.59,");
    ASSERT_CONTAINS(js, "\"team_days\":0.3875,");
    dm_free(ctx, js);
    dm_plan_result_free(ctx, r);
    /* two small hazards cleared by one team: the second starts where the
     * first ends, in the same day */
    dm_plan_hazard h2[2] = {hz("A", 0.04, 1, 100), hz("B", 0.04, 1, 100)};
    ASSERT_OK(dm_plan_run(ctx, &c, h2, 2, t, 1, &r));
    ASSERT_EQ(r->route[0], DM_ROUTE_CLEAR);
    ASSERT_EQ(r->n_tasks, 2);
    ASSERT_NEAR(r->tasks[1].start_day, 0.5, 1e-9);
    ASSERT_STREQ(r->end_all, "2026-01-05");
    ASSERT_NEAR(r->team_days[0], 1, 1e-9);
    dm_plan_result_free(ctx, r);
}

/* Risk-based release may still take longer than full clearance when the
 * clearance after technical survey is most of the land (every reduced
 * hazard cleared whole): the donor lines say why. */
TEST(plan_cli_says_why_risk_based_takes_longer)
{
    const char *db = dmtest_demo_db();
    const char *teams = dmtest_repo_path("config/teams-default.csv");
    const char *cfg = dmtest_path("whole.json");
    dmtest_write_file(cfg, "{\"p_clear\": 1, \"p_cancel\": 0, \"ts_clear_share\": 1, \"ts_speed\": 2}");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 --config '%s' "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, teams, cfg, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    json_error_t err;
    json_t *root = json_load_file(dmtest_path("p.json"), 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    json_t *cmp = json_object_get(root, "comparison");
    double fy = json_number_value(json_object_get(json_object_get(cmp, "full_clearance"), "years"));
    double ry = json_number_value(json_object_get(json_object_get(cmp, "risk_based"), "years"));
    ASSERT_MSG(ry > fy, "risk-based %g years, full clearance %g", ry, fy);
    ASSERT_CONTAINS(out, "(risk-based release takes longer here: technical survey of ");
    json_decref(root);
    free(out);
    /* the defaults: risk-based is sooner, no such line */
    rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 "
                             "--no-write --csv '%s' --out-json '%s'",
                       db, teams, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT(!strstr(out, "takes longer here"));
    free(out);
}

/* Numbers in a team file as import reads them: a decimal comma quoted in a
 * comma-separated file ("0,5"), thousands ("2,000", "12 500"), and in a
 * European Excel's semicolon CSV (byte order mark, CRLF) decimal commas
 * with thousands dots ("1.234,5"), where "1,500" is 1.5. */
TEST(plan_team_file_reads_numbers_as_import_does)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_team *t = NULL;
    size_t n = 0;
    const char *p = dmtest_path("teams-num.csv");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\n"
                         "M,manual,\"0,5\",\"2,000\",\"1\"\n"
                         "S,survey,\"12 500\",\"1,234.5\",2\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 3);
    ASSERT_NEAR(t[0].ha_day, 0.5, 1e-12);
    ASSERT_NEAR(t[0].usd_day, 2000, 1e-9);
    ASSERT_NEAR(t[1].ha_day, 12500, 1e-9);
    ASSERT_NEAR(t[1].usd_day, 1234.5, 1e-9);
    dm_free(ctx, t);
    dmtest_write_file(p, "\xEF\xBB\xBFname;method;capacity_ha_day;cost_usd_day\r\n"
                         "M;manual;0,5;1.234,5\r\n"
                         "D;dogs;1,500;2 500\r\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 2);
    ASSERT_NEAR(t[0].ha_day, 0.5, 1e-12);
    ASSERT_NEAR(t[0].usd_day, 1234.5, 1e-9);
    ASSERT_NEAR(t[1].ha_day, 1.5, 1e-12);
    ASSERT_NEAR(t[1].usd_day, 2500, 1e-9);
    dm_free(ctx, t);
    /* still refused: two decimal marks, a comma unquoted in a comma file */
    dmtest_write_file(p, "name;method;capacity_ha_day;cost_usd_day\nM;manual;0,5,5;2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'capacity_ha_day': '0,5,5'");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,0,5,2000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "a decimal comma? quote it");
}

/* `plan` run again replaces its own task list and summary (of this version
 * or an older one with fewer CSV columns); a file of the user's given to
 * --csv or --out-json is refused before any work, naming it and --force,
 * and kept as it was; --force replaces it. */
TEST(plan_cli_replaces_only_its_own_files)
{
    const char *db = dmtest_demo_db();
    const char *csv = dmtest_path("mine.csv"), *js = dmtest_path("mine.json");
    dmtest_write_file(csv, "keep\n");
    dmtest_write_file(js, "{\"start\":\"2026-01-01\",\"hazards\":1}\n");
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --samples 0 --no-write --csv '%s' --out-json '%s'", db, csv,
                            dmtest_path("new.json")),
              2);
    ASSERT_CONTAINS(out, "mine.csv exists and is not a plan task list demine wrote");
    ASSERT_CONTAINS(out, "(--csv); give --force to replace it");
    free(out);
    ASSERT(!dmtest_read_file(dmtest_path("new.json")));
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' --prior --samples 0 --no-write --csv '%s' --out-json '%s'", db,
                            dmtest_path("new.csv"), js),
              2);
    ASSERT_CONTAINS(out, "mine.json exists and is not a plan summary demine wrote");
    ASSERT_CONTAINS(out, "(--out-json); give --force to replace it");
    free(out);
    char *t = dmtest_read_file(csv);
    ASSERT_STREQ(t, "keep\n");
    free(t);
    t = dmtest_read_file(js);
    ASSERT_STREQ(t, "{\"start\":\"2026-01-01\",\"hazards\":1}\n");
    free(t);
    /* --force; then they are the plan's own and a second run replaces them */
    ASSERT_DEMINE(0, "written:", "plan '%s' --prior --samples 0 --no-write --csv '%s' --out-json '%s' --force", db,
                  csv, js);
    t = dmtest_read_file(csv);
    ASSERT(t && !strncmp(t, "rank,hazard,hazard_uuid,district,", 33));
    free(t);
    ASSERT_DEMINE(0, "written:", "plan '%s' --prior --samples 0 --no-write --csv '%s' --out-json '%s'", db, csv, js);
    dm_ctx *ctx = dmtest_ctx();
    ASSERT_OK(dm_plan_output_check(ctx, csv, 1));
    ASSERT_OK(dm_plan_output_check(ctx, js, 0));
    ASSERT_STATUS(DM_ECONFLICT, dm_plan_output_check(ctx, js, 1)); /* a summary is not a task list */
    ASSERT_STATUS(DM_ECONFLICT, dm_plan_output_check(ctx, csv, 0));
    /* the task list of an older version (16 columns), an empty file, no file */
    dmtest_write_file(csv, "rank,hazard,hazard_uuid,district,route,stage,team,method,start,end,area_ha,cost_usd,"
                           "value,priority,p_contam,expected_items\n1,A,u,D,clear,clear,M,manual,,,1,1,1,1,1,1\n");
    ASSERT_OK(dm_plan_output_check(ctx, csv, 1));
    dmtest_write_file(csv, "rank,hazard,hazard_uuid,district\n");
    ASSERT_STATUS(DM_ECONFLICT, dm_plan_output_check(ctx, csv, 1));
    dmtest_write_file(csv, "");
    ASSERT_OK(dm_plan_output_check(ctx, csv, 1));
    ASSERT_OK(dm_plan_output_check(ctx, dmtest_path("none.csv"), 1));
}

TEST(plan_team_file_errors_state_the_accepted_range)
{
    /* a count or a day rate above what is taken names the range, not only its
     * lower end (10000 teams is a whole number >= 1, yet refused); an empty day
     * rate says how to write an unknown one */
    dm_ctx *ctx = dmtest_ctx();
    dm_plan_team *t = NULL;
    size_t n = 0;
    const char *p = dmtest_path("teams.csv");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,0.08,2000,100000\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'count': '100000' must be a whole number of teams, 1 to 10000");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,0.08,2000,0\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "'0' must be a whole number of teams, 1 to 10000");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,0.08,2e9\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'cost_usd_day': '2e9' must be dollars a day, 0 (unknown) to "
                                        "1000000000");
    /* a day rate left blank is unknown, as 0 is; a row cut short before it is refused */
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,0.08,,2\nD,dogs,0.5,\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 3);
    for (size_t i = 0; i < n; i++)
        ASSERT_NEAR(t[i].usd_day, 0, 0);
    dm_free(ctx, t);
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,0.08\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'cost_usd_day' is missing (0 or blank when the day rate is unknown)");
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day\nM,manual,,10\n");
    ASSERT_STATUS(DM_EPARSE, dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), ":2: field 'capacity_ha_day' is missing");
    ASSERT(!strstr(dm_ctx_errmsg(ctx), "unknown"));
    /* the limits themselves are taken */
    dmtest_write_file(p, "name,method,capacity_ha_day,cost_usd_day,count\nM,manual,0.08,1e9,10000\n");
    ASSERT_OK(dm_plan_teams_load(ctx, p, &t, &n));
    ASSERT_EQ(n, 10000);
    dm_free(ctx, t);
}

TEST(plan_cli_a_fraction_of_a_team_day_is_not_zero)
{
    /* a team of huge capacity at a high day rate works a fraction of a day:
     * its line gives that fraction beside the dollars it costs, never "0
     * team-days, USD 4.83 M" */
    const char *db = dmtest_demo_db();
    const char *big = dmtest_path("big.csv");
    dmtest_write_file(big, "name,method,capacity_ha_day,cost_usd_day\nA,manual,100000,1e9\nS,survey,20,1000\n");
    char *out = NULL;
    int rc = dmtest_demine(&out, "plan '%s' --teams '%s' --prior --samples 0 --start 2026-01-05 "
                                 "--no-write --csv '%s' --out-json '%s'",
                           db, big, dmtest_path("p.csv"), dmtest_path("p.json"));
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    const char *m = strstr(out, "manual     1 team, ");
    ASSERT_MSG(m != NULL, "%s", out);
    m += strlen("manual     1 team, ");
    double days = strtod(m, NULL);
    ASSERT_MSG(days > 0 && days < 0.05, "the manual team's days: %.40s", m);
    ASSERT(strncmp(m, "0 team-days", 11));
    free(out);
}

/* Direct evidence is never cancelled by survey: a CHA, and an SHA where an
 * item was found (linked by hazard_id, or lying in it with no link), go
 * to technical survey however low a map not yet calibrated puts them; an
 * SHA with nothing found is cancelled. The plan says the map was not
 * calibrated. */
TEST(plan_never_cancels_a_hazard_with_direct_evidence)
{
    const char *db = dmtest_path("evidence.gpkg");
    char *out = NULL;
    ASSERT_MSG(dmtest_demine(&out, "init '%s'", db) == 0, "%s", out);
    free(out);
    const char *hz = dmtest_path("hz.geojson");
    char gj[2048];
    snprintf(gj, sizeof gj,
             "{\"type\":\"FeatureCollection\",\"features\":["
             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"C-1\",\"hazard_type\":\"CHA\",\"status\":\"open\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[15.730,-12.770],[15.735,-12.770],"
             "[15.735,-12.775],[15.730,-12.775],[15.730,-12.770]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"S-LINKED\",\"hazard_type\":\"SHA\",\"status\":\"open\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[15.750,-12.770],[15.755,-12.770],"
             "[15.755,-12.775],[15.750,-12.775],[15.750,-12.770]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"S-IN\",\"hazard_type\":\"SHA\",\"status\":\"open\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[15.770,-12.770],[15.775,-12.770],"
             "[15.775,-12.775],[15.770,-12.775],[15.770,-12.770]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"ref\":\"S-NONE\",\"hazard_type\":\"SHA\",\"status\":\"open\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[15.790,-12.770],[15.795,-12.770],"
             "[15.795,-12.775],[15.790,-12.775],[15.790,-12.770]]]}}]}");
    dmtest_write_file(hz, gj);
    ASSERT_MSG(dmtest_demine(&out, "import '%s' --layer hazards '%s'", db, hz) == 0, "%s", out);
    free(out);
    /* S-LINKED's find lies outside it (found at its edge, recorded against it) */
    dmtest_write_file(dmtest_path("it.csv"), "category,lat,lon,hazard_id\nAP,-12.7760,15.7525,S-LINKED\n"
                                             "AP,-12.7725,15.7725,\n");
    ASSERT_MSG(dmtest_demine(&out, "import '%s' --layer items '%s'", db, dmtest_path("it.csv")) == 0, "%s", out);
    free(out);
    ASSERT_MSG(dmtest_demine(&out, "risk map '%s' --cell 20 --out '%s'", db, dmtest_path("r.tif")) == 0, "%s", out);
    ASSERT_CONTAINS(out, "note: not calibrated");
    free(out);
    /* all four as low as such a map can put them */
    for (int i = 0; i < 4; i++) {
        static const char *const r[4] = {"C-1", "S-LINKED", "S-IN", "S-NONE"};
        ASSERT_MSG(dmtest_demine(&out, "edit '%s' %s p_contam=0.01 expected_items=0.01 --reason low", db, r[i]) == 0,
                   "%s", out);
        free(out);
    }
    ASSERT_MSG(dmtest_demine(&out, "plan '%s' --samples 0 --csv '%s'", db, dmtest_path("p.csv")) == 0, "%s", out);
    ASSERT_CONTAINS(out, "the risk map was not calibrated");
    ASSERT_CONTAINS(out, "cancel 1 hazard");
    free(out);
    char *csv = dmtest_read_file(dmtest_path("p.csv"));
    ASSERT(csv != NULL);
    const char *refs[4] = {"C-1", "S-LINKED", "S-IN", "S-NONE"};
    const char *want[4] = {"reduce", "reduce", "reduce", "cancel"};
    for (int i = 0; i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, ",%s,", refs[i]);
        const char *line = strstr(csv, key);
        ASSERT_MSG(line != NULL, "%s not in %s", refs[i], csv);
        const char *eol = strchr(line, '\n');
        const char *r = strstr(line, want[i]);
        ASSERT_MSG(r && (!eol || r < eol), "%s: want %s in %.*s", refs[i], want[i], (int)(eol ? eol - line : 80),
                   line);
    }
    free(csv);
    /* the report's risk map says so too, with the map's own cell size */
    ASSERT_MSG(dmtest_demine(&out, "report '%s' --out '%s'", db, dmtest_path("r.pdf")) == 0, "%s", out);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "pdftotext '%s' -", dmtest_path("r.pdf")), 0);
    ASSERT_CONTAINS(out, "Risk map of 20 m cells, log scale: not calibrated on cleared land, a ranking only");
    free(out);
}

/* A row of layer districts or a hazard (ref given) with a square polygon;
 * a hazard's field district set only when district is. */
static void plan_put_square(dm_store *s, const char *layer, const char *name, const char *ref, const char *district,
                            double x0, double y0, double d)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    if (name)
        ASSERT_OK(dm_row_set(r, "name", name));
    if (ref) {
        ASSERT_OK(dm_row_set(r, "ref", ref));
        ASSERT_OK(dm_row_set(r, "hazard_type", "SHA"));
        ASSERT_OK(dm_row_set(r, "status", "open"));
    }
    if (district)
        ASSERT_OK(dm_row_set(r, "district", district));
    char wkt[300];
    snprintf(wkt, sizeof wkt, "POLYGON((%.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f, %.6f %.6f))", x0, y0, x0 + d, y0,
             x0 + d, y0 + d, x0, y0 + d, x0, y0);
    dm_geom *g = NULL;
    ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
    dm_row_set_geom(r, g);
    ASSERT_OK(dm_store_insert(s, r, NULL));
    dm_row_free(r);
}

/* A hazard without a district field is of the district polygon that holds
 * it, as the table by district (stats --by district) and the report of a
 * district count it: --district plans it, --exclude-district leaves it
 * out, the plan by district puts it under that district, and the report of
 * the district then shows the plan as covering its land. A name that is no
 * district's is refused naming the known ones of the polygons and of the
 * hazards' field. */
TEST(plan_takes_a_hazards_district_from_its_polygon)
{
    dm_ctx *ctx = dmtest_ctx();
    char db[1024], html[1024], pj[1024], pc[1024]; /* dmtest_path's buffers are reused */
    snprintf(db, sizeof db, "%s", dmtest_path("poly.gpkg"));
    snprintf(html, sizeof html, "%s", dmtest_path("r.html"));
    snprintf(pj, sizeof pj, "%s", dmtest_path("p.json"));
    snprintf(pc, sizeof pc, "%s", dmtest_path("p.csv"));
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, db, DM_STORE_CREATE, &s));
    plan_put_square(s, "districts", "North", NULL, NULL, 47.0, 39.95, 0.1);
    plan_put_square(s, "districts", "South", NULL, NULL, 47.0, 39.6, 0.1);
    plan_put_square(s, "districts", "East", NULL, NULL, 47.2, 39.6, 0.1);
    /* in North: N-1 without a field, N-2 naming it, S-1 naming South (its
     * field's); in South S-2 naming it; in East E-1 without a field */
    plan_put_square(s, "hazards", NULL, "N-1", NULL, 47.01, 39.96, 0.005);
    plan_put_square(s, "hazards", NULL, "N-2", "North", 47.05, 39.97, 0.005);
    plan_put_square(s, "hazards", NULL, "S-1", "South", 47.08, 39.98, 0.005);
    plan_put_square(s, "hazards", NULL, "S-2", "South", 47.02, 39.65, 0.005);
    plan_put_square(s, "hazards", NULL, "E-1", NULL, 47.25, 39.65, 0.005);
    dm_store_close(s);
    const char *opts = "--prior --samples 0 --start 2026-11-30 --force";
    char *out = NULL;
    /* the district North: N-1 (its polygon) and N-2 (its field) */
    int rc = dmtest_demine(&out, "plan '%s' %s --csv '%s' --out-json '%s' --district north", db, opts, pc, pj);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "note: --district: planning 2 of the 5 open hazards, those of the district North;");
    ASSERT_CONTAINS(out, ": 2 open hazards (the district North), ");
    ASSERT_CONTAINS(out, "  districts: North          2 hazards, ");
    ASSERT_CONTAINS(out, ". N-1 (North): ");
    ASSERT(!strstr(out, ". S-1 (") && !strstr(out, ". E-1 ("));
    free(out);
    json_error_t err;
    json_t *root = json_load_file(pj, 0, &err);
    ASSERT_MSG(root, "%s", err.text);
    ASSERT_EQ(json_integer_value(json_object_get(root, "hazards")), 2);
    ASSERT_STREQ(json_string_value(json_object_get(root, "scope")), "the district North");
    json_t *d = json_object_get(root, "districts");
    ASSERT_EQ(json_array_size(d), 1);
    ASSERT_STREQ(json_string_value(json_object_get(json_array_get(d, 0), "district")), "North");
    ASSERT_EQ(json_integer_value(json_object_get(json_array_get(d, 0), "hazards")), 2);
    json_decref(root);
    char *csv = dmtest_read_file(pc);
    ASSERT(csv);
    const char *row = strstr(csv, ",N-1,"); /* rank,hazard,hazard_uuid,district,... */
    ASSERT(row && !strncmp(row + 5 + 36, ",North,", 7));
    free(csv);
    /* the report of North: its two hazards, all of them in the plan */
    rc = dmtest_demine(&out, "report '%s' --district North --out '%s' --force", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    char *h = dmtest_read_file(html);
    ASSERT(h);
    ASSERT_CONTAINS(h, "<li>Hazardous areas: 2 (");
    ASSERT_CONTAINS(h, "<li>Plan from 2026-11-30: 2 open hazards (the district North), ");
    ASSERT(!strstr(h, "Not in the stored plan"));
    free(h);
    /* every district but North: S-1 and S-2 (their field), E-1 (its polygon) */
    rc = dmtest_demine(&out, "plan '%s' %s --csv '%s' --out-json '%s' --exclude-district NORTH", db, opts, pc, pj);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, ": 3 open hazards (every district but North), ");
    ASSERT(!strstr(out, ". N-1 (") && !strstr(out, ". N-2 ("));
    ASSERT_CONTAINS(out, ". E-1 (East): ");
    free(out);
    /* a district of hazards without a field alone: planned */
    rc = dmtest_demine(&out, "plan '%s' %s --csv '%s' --out-json '%s' --district east", db, opts, pc, pj);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, ": 1 open hazard (the district East), ");
    free(out);
    /* the plan of every district: by district, each hazard in its own */
    rc = dmtest_demine(&out, "plan '%s' %s --csv '%s' --out-json '%s'", db, opts, pc, pj);
    ASSERT_MSG(rc == 0, "plan failed: %s", out);
    ASSERT_CONTAINS(out, "  districts: East           1 hazard, ");
    ASSERT_CONTAINS(out, "             North          2 hazards, ");
    ASSERT_CONTAINS(out, "             South          2 hazards, ");
    ASSERT(!strstr(out, "(no district)"));
    free(out);
    /* the report of East under it: its hazard is in the plan */
    rc = dmtest_demine(&out, "report '%s' --district East --out '%s' --force", db, html);
    ASSERT_MSG(rc == 0, "report failed: %s", out);
    free(out);
    h = dmtest_read_file(html);
    ASSERT(h);
    ASSERT_CONTAINS(h, "<li>Plan from 2026-11-30, of every district: 1 of its 5 open hazards is in the district East");
    ASSERT(!strstr(h, "Not in the stored plan"));
    /* and its priorities name the district of its polygon (the field is empty) */
    ASSERT_CONTAINS(h, "</td><td>E-1</td><td>East</td>");
    free(h);
    /* a name no district has */
    ASSERT_EQ(dmtest_demine(&out, "plan '%s' %s --csv '%s' --out-json '%s' --district West", db, opts, pc, pj), 2);
    ASSERT_CONTAINS(out, "--district 'West': no district 'West' in layer districts (field name) nor in layer hazards "
                         "(field district); known: in districts East, North, South; in hazards North, South\n");
    free(out);
}
