/* SPDX-License-Identifier: MIT
 *
 * cmd_plan.c -- `demine plan DB [--teams TEAMS.csv]`: the land release plan
 * (route, cost at unit rates and at the teams' day rates, value, priority,
 * schedule, forecast, donor comparison) into
 * the plan_tasks layer, a CSV task list and a JSON summary; --evaluate
 * scores the routes against a demo database's truth.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *help =
    "usage: demine plan DB [--teams TEAMS.csv] [--budget USD] [--horizon YEARS]\n"
    "                   [--district NAME... | --exclude-district NAME...]\n"
    "                   [--config FILE] [--prior] [--start YYYY-MM-DD] [--samples N]\n"
    "                   [--csv FILE] [--out-json FILE] [--force] [--no-write] [--evaluate] [--json]\n\n"
    "Plan the release of every open hazard of DB from its risk (p_contam and\n"
    "expected_items written by `demine risk map`):\n"
    "  route     cancel by non-technical survey, reduce by technical survey or full\n"
    "            clearance, from configurable thresholds on p and items per hectare;\n"
    "  cost      per-hectare rates by route plus a cost per item; time from team rates;\n"
    "            beside it the schedule at the teams' own day rates (cost_usd_day);\n"
    "  value     accidents, people waiting to return, houses, roads, infrastructure and\n"
    "            farm land near the hazard (configurable distances and weights);\n"
    "  priority  value x risk removed / cost; teams are given work in that order, each\n"
    "            with its own calendar of working days;\n"
    "  forecast  P10/P50/P90 of the years to release high-risk and all land and of the\n"
    "            cost, sampling each hazard's contamination from its risk;\n"
    "  donor     clearing every suspected hectare vs risk-based release.\n\n"
    "  --teams FILE     CSV: name,method,capacity_ha_day,cost_usd_day[,count]; method is\n"
    "                   manual, mechanical, dogs or survey; cost_usd_day 0 or blank is\n"
    "                   unknown (default: the 50 teams of config/teams-default.csv, built in)\n"
    "  --budget USD     fund hazards in priority order up to this sum at unit rates\n"
    "                   (a schedule dearer at the teams' day rates is reported)\n"
    "  --horizon YEARS  report the hazards that would end later\n"
    "  --district NAME  plan the open hazards of this district alone (repeatable; any case);\n"
    "                   a hazard's district is its field district, else the polygon of\n"
    "                   layer districts that holds it, as stats --by district counts it\n"
    "  --exclude-district NAME\n"
    "                   leave this district's hazards out of the plan (repeatable)\n"
    "  --config FILE    override defaults (keys of config/plan-default.json)\n"
    "  --prior          without a risk map, use a prior from hazard type, classification\n"
    "                   and reliability (docs/plan.md)\n"
    "  --start DATE     first working day (default today; day first 12.05.2026 too)\n"
    "  --samples N      forecast samples (default 100)\n"
    "  --csv FILE       task list (default: DB name with -plan.csv)\n"
    "  --out-json FILE  summary and tasks as JSON (default: DB name with -plan.json)\n"
    "  --force          replace --csv / --out-json files that are not plan files\n"
    "                   (a plan's own files are replaced when it is run again)\n"
    "  --no-write       leave the database unchanged (no plan_tasks, no meta);\n"
    "                   --dry-run, as records verify and patterns say it, is the same\n"
    "  --evaluate       demo databases: true items found by the routes, residual risk\n"
    "  --json           print the summary as JSON\n";

/* A sum of dollars for the text output: "1.23 M" from USD 0.1 M up, the
 * dollars themselves below ("4,800"), so that a small plan (a budget of a
 * few team-days) reads "USD 1,200", not "USD 0.00 M". From a ring of
 * buffers: several may be used in one printf. */
static const char *mus(double v)
{
    static char ring[12][40];
    static unsigned next;
    return dm_plan_usd_text(ring[next++ % 12], sizeof ring[0], v);
}

/* Team-days worked: fractions of a day (one team's pieces may share a
 * day), so a small plan's 0.6 team-days do not read "1"; whole from 10.
 * Under 0.05 (a team of huge capacity) two significant digits, so that
 * work costed at a high day rate never reads "0 team-days". */
static const char *tdays(double v)
{
    static char ring[6][32];
    static unsigned next;
    char *b = ring[next++ % 6];
    if (v > 0 && v < 0.001)
        snprintf(b, sizeof ring[0], "<0.001");
    else if (v > 0 && v < 0.05)
        snprintf(b, sizeof ring[0], "%.2g", v);
    else if (v >= 10 || fabs(v - round(v)) < 0.05)
        snprintf(b, sizeof ring[0], "%.0f", v);
    else
        snprintf(b, sizeof ring[0], "%.1f", v);
    return b;
}

/* A P10 / P50 / P90 triple of dollars in one unit: millions when the
 * largest is USD 0.1 M or more, dollars below. */
static const char *mus3(char *buf, size_t n, dm_band v)
{
    if (v.p90 >= 1e5)
        snprintf(buf, n, "%.2f / %.2f / %.2f M", v.p10 / 1e6, v.p50 / 1e6, v.p90 / 1e6);
    else {
        const char *a = mus(v.p10), *b = mus(v.p50), *c = mus(v.p90);
        snprintf(buf, n, "%s / %s / %s", a, b, c);
    }
    return buf;
}

/* A cost at the teams' day rates, its lower bound ("at least") when some
 * teams that work have no rate, or "unknown". */
static const char *day_m(char *buf, size_t n, double usd, double lower)
{
    if (usd >= 0)
        snprintf(buf, n, "USD %s", mus(usd));
    else if (lower >= 0)
        snprintf(buf, n, "at least USD %s", mus(lower));
    else
        snprintf(buf, n, "unknown");
    return buf;
}

/* Team use per method, as team_use of the JSON: teams, days worked and
 * their cost at the teams' day rates (the items apart); a method with a
 * working team that has no rate is "at least" the cost of its rated teams,
 * or said to have no rate when none of its teams has one. */
static void print_team_use(const dm_plan_result *r, const dm_plan_team *t)
{
    dm_plan_team_use use[DM_TEAM_KINDS];
    dm_plan_team_use_of(r, t, use);
    int first = 1;
    for (int k = 0; k < DM_TEAM_KINDS; k++) {
        const dm_plan_team_use *u = &use[k];
        if (!u->teams)
            continue;
        char cost[128] = ""; /* no rate in the file: said on the cost line */
        if (u->rated && u->cost_usd >= 0)
            snprintf(cost, sizeof cost, ", USD %s at their day rates", mus(u->cost_usd));
        else if (u->rated && u->without_rate < u->teams)
            snprintf(cost, sizeof cost, ", at least USD %s at their day rates (%zu of %zu %s no day rate: %s "
                     "team-days)",
                     mus(u->lower_usd), u->without_rate, u->teams, u->without_rate == 1 ? "has" : "have",
                     tdays(u->unrated_days));
        else if (u->rated)
            snprintf(cost, sizeof cost, ", %s (not in the lower bound)",
                     u->teams == 1 ? "it has no day rate" : "none of them has a day rate");
        /* a method none of whose teams gets a task: said so, not "0
         * team-days, USD 0 at their day rates" */
        if (u->idle == u->teams) {
            printf("  %s %-10s %zu team%s, %s\n", first ? "teams:   " : "         ",
                   dm_team_kind_name((dm_team_kind)k), u->teams, u->teams == 1 ? "" : "s",
                   u->teams == 1 ? "no task (the plan needs no work of its method)"
                                 : "no task for any (the plan needs no work of their method)");
            first = 0;
            continue;
        }
        char idle[48] = "";
        if (u->idle)
            snprintf(idle, sizeof idle, ", %zu without a task", u->idle);
        printf("  %s %-10s %zu team%s, %s team-day%s%s%s\n", first ? "teams:   " : "         ",
               dm_team_kind_name((dm_team_kind)k), u->teams, u->teams == 1 ? "" : "s", tdays(u->team_days),
               !strcmp(tdays(u->team_days), "1") ? "" : "s", cost, idle);
        first = 0;
    }
}

/* The plan by district (as the JSON's districts): hazards, hectares, cost
 * at unit rates and the day its land is done, or under a budget what is
 * funded of it. Up to 15 districts, by name. */
#define DISTRICTS_SHOWN 15
static void print_districts(const dm_plan_result *r, const dm_plan_hazard *h)
{
    size_t done = 0, shown = 0, groups = 0;
    int partial = r->n_funded < r->n;
    /* each hazard's last working day */
    const char **last = calloc(r->n ? r->n : 1, sizeof *last);
    if (!last)
        return;
    for (size_t q = 0; q < r->n_tasks; q++) {
        size_t i = r->tasks[q].hazard;
        if (i < r->n && (!last[i] || strcmp(r->tasks[q].end, last[i]) > 0))
            last[i] = r->tasks[q].end;
    }
    /* each district once, in name order: pick the least name not yet shown */
    const char *prev = NULL;
    while (done < r->n) {
        const char *name = NULL;
        for (size_t i = 0; i < r->n; i++)
            if ((!prev || strcmp(h[i].district, prev) > 0) && (!name || strcmp(h[i].district, name) < 0))
                name = h[i].district;
        if (!name)
            break;
        size_t nh = 0, nf = 0;
        double area = 0, cost = 0, fcost = 0;
        const char *end = NULL;
        for (size_t i = 0; i < r->n; i++) {
            if (strcmp(h[i].district, name))
                continue;
            nh++;
            area += h[i].area_ha;
            cost += r->cost[i];
            if (!r->funded[i])
                continue;
            nf++;
            fcost += r->cost[i];
            if (last[i] && (!end || strcmp(last[i], end) > 0))
                end = last[i];
        }
        done += nh;
        groups++;
        prev = name;
        if (shown == DISTRICTS_SHOWN)
            continue;
        printf("  %s %-14s ", shown ? "          " : "districts:", name[0] ? name : "(no district)");
        if (!partial)
            printf("%zu hazard%s, %.1f ha, USD %s, done %s\n", nh, nh == 1 ? "" : "s", area, mus(cost),
                   end ? end : "-");
        else if (nf)
            printf("%zu of %zu hazard%s funded, %.1f ha, USD %s of USD %s, funded land done %s\n", nf, nh,
                   nh == 1 ? "" : "s", area, mus(fcost), mus(cost), end ? end : "-");
        else
            printf("none of %zu hazard%s funded, %.1f ha, USD %s\n", nh, nh == 1 ? "" : "s", area, mus(cost));
        shown++;
    }
    if (groups > shown)
        printf("             ... and %zu more districts (the JSON's districts)\n", groups - shown);
    free(last);
}

/* The first hazards by priority, as a planner asks: what comes first, by
 * which team, when it is done and what it costs (at unit rates); the whole
 * list is in the CSV and JSON. */
#define FIRST_SHOWN 10
static void print_first(const dm_plan_result *r, const dm_plan_hazard *h, const dm_plan_team *t,
                        const char *csv_path)
{
    size_t shown = r->n < FIRST_SHOWN ? r->n : FIRST_SHOWN;
    unsigned char *seen = malloc(r->n_teams ? r->n_teams : 1); /* teams named for one hazard */
    if (!seen)
        return;
    for (size_t k = 0; k < shown; k++) {
        memset(seen, 0, r->n_teams ? r->n_teams : 1);
        size_t i = r->n;
        for (size_t q = 0; q < r->n && i == r->n; q++)
            if (r->rank[q] == (long)k + 1)
                i = q;
        if (i == r->n)
            break;
        const char *first = NULL, *last = NULL;
        char teams[160] = "";
        size_t len = 0, nteams = 0, listed = 0;
        for (size_t q = 0; q < r->n_tasks; q++) {
            const dm_plan_task *tk = &r->tasks[q];
            if (tk->hazard != i)
                continue;
            if (!first || strcmp(tk->start, first) < 0)
                first = tk->start;
            if (!last || strcmp(tk->end, last) > 0)
                last = tk->end;
            if (tk->team < 0 || (size_t)tk->team >= r->n_teams || seen[tk->team])
                continue;
            seen[tk->team] = 1;
            nteams++;
            if (listed < 3) {
                int n = snprintf(teams + len, sizeof teams - len, "%s%s", listed ? ", " : "", t[tk->team].name);
                if (n > 0 && (size_t)n < sizeof teams - len) {
                    len += (size_t)n;
                    listed++;
                }
            }
        }
        char more[32] = "";
        if (nteams > listed)
            snprintf(more, sizeof more, " and %zu more", nteams - listed);
        printf("  %s %2ld. %s%s%s%s: %s %.1f ha", k ? "        " : "first:  ", r->rank[i],
               h[i].ref[0] ? h[i].ref : h[i].uuid, h[i].district[0] ? " (" : "", h[i].district,
               h[i].district[0] ? ")" : "",
               r->route[i] == DM_ROUTE_CANCEL ? "cancel (NTS)"
               : r->route[i] == DM_ROUTE_REDUCE ? "reduce (TS)"
                                                : "clear",
               h[i].area_ha);
        if (first)
            printf(" by %s%s, %s to %s, USD %s\n", teams, more, first, last, mus(r->cost[i]));
        else
            printf(", USD %s: not funded\n", mus(r->cost[i]));
    }
    free(seen);
    if (r->n > shown)
        printf("            (the first %zu of %zu by priority; every hazard and task in %s)\n", shown, r->n, csv_path);
}


/* A span of years as a planner reads it: in years from one year, in months
 * from one month, else in days ("0.0 years" said nothing of a plan of two
 * weeks). scale turns years into the unit returned. */
static const char *span_unit(double years, double *scale)
{
    if (!(years < 1))
        return *scale = 1, "years";
    if (years * 12 >= 1)
        return *scale = 12, "months";
    return *scale = 365.25, "days";
}

static const char *span_text(char *b, size_t n, double years)
{
    double k;
    const char *u = span_unit(years, &k);
    if (k == 365.25)
        snprintf(b, n, "%.0f day%s", years * k, floor(years * k + 0.5) == 1 ? "" : "s");
    else
        snprintf(b, n, "%.1f %s", years * k, u);
    return b;
}
static void print_summary(const dm_plan_result *r, const dm_plan_config *cfg,
                          const dm_plan_hazard *h, const dm_plan_team *t)
{
    char b1[96], b2[48];
    /* a start on a day off (a weekend with 5 working days a week): the
     * work begins on the next working day, said */
    char first_wd[64] = "";
    {
        static const char *const dn[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                           "Sunday"};
        long d = dm_date_days(r->start), dow = ((d % 7) + 7 + 3) % 7; /* 0 = Monday */
        if (dow >= cfg->work_days_week) {
            long next = d + (7 - dow);
            char ymd[16];
            time_t tt = (time_t)next * 86400;
            struct tm tm;
            if (gmtime_r(&tt, &tm) && strftime(ymd, sizeof ymd, "%Y-%m-%d", &tm))
                snprintf(first_wd, sizeof first_wd, " (a %s: work begins %s)", dn[dow], ymd);
        }
    }
    /* a plan of some districts says which, as the report's plan line does */
    printf("plan from %s%s: %zu open hazard%s%s%s%s, %.1f ha, %.0f expected %s; %zu team%s\n", r->start, first_wd,
           r->n, r->n == 1 ? "" : "s", cfg->scope[0] ? " (" : "", cfg->scope, cfg->scope[0] ? ")" : "",
           r->total_area_ha, r->total_items, cli_plural(r->total_items, "item", "items"), r->n_teams,
           r->n_teams == 1 ? "" : "s");
    printf("  routes:   cancel %.0f %s (%.1f ha), reduce %.0f (%.1f ha), clear %.0f (%.1f ha)",
           r->n_route[0], r->n_route[0] == 1 ? "hazard" : "hazards", r->area_route[0], r->n_route[1],
           r->area_route[1], r->n_route[2], r->area_route[2]);
    /* technical survey clears part of the land it reduces: the land cleared in all */
    if (r->rb_clear_ha > r->area_route[2] + 0.05)
        printf("; %.1f ha cleared in all", r->rb_clear_ha);
    printf("\n");
    printf("  cost:     USD %s expected at unit rates (%zu hazard%s funded, USD %s)\n", mus(r->total_cost),
           r->n_funded, r->n_funded == 1 ? "" : "s", mus(r->funded_cost));
    /* the funded schedule at the teams' own cost_usd_day */
    double days = 0;
    const char *unrated = NULL;
    int rated = 0;
    for (size_t j = 0; j < r->n_teams; j++) {
        days += r->team_days[j];
        rated |= t[j].usd_day > 0;
        if (!unrated && r->team_days[j] > 0 && !(t[j].usd_day > 0))
            unrated = t[j].name;
    }
    if (r->day_cost_total >= 0) {
        printf("            USD %s at the teams' day rates (%s team-days of the schedule, "
               "USD %s for the items)\n",
               mus(r->day_cost_total), tdays(days), mus(r->day_items_cost));
        /* with each team kept from the start to its last task: when it differs */
        double kept = 0;
        for (size_t j = 0; j < r->n_teams; j++)
            kept += r->team_kept_days[j];
        if (r->kept_cost_total > r->day_cost_total + 0.005)
            printf("            USD %s with each team kept from the start to its last task "
                   "(%.0f team-days, %.0f%% at work)\n",
                   mus(r->kept_cost_total), kept, kept > 0 ? 100.0 * days / kept : 0);
        if (r->n_rateless)
            printf("            (%zu of %zu %s have no day rate, none of them works in the "
                   "schedule)\n",
                   r->n_rateless, r->n_teams, cli_plural((double)r->n_teams, "team", "teams"));
    } else if (!rated)
        printf("            at the teams' day rates: unknown (cost_usd_day is 0 for every team)\n");
    else {
        /* some teams have a rate: what they cost is a lower bound */
        printf("            at least USD %s at the teams' day rates (lower bound: %zu of %zu %s "
               "have no day rate, %zu of them work%s%s; %s team-days, USD %s for the items)\n",
               mus(r->day_cost_lower), r->n_rateless, r->n_teams, cli_plural((double)r->n_teams, "team", "teams"),
               r->n_unrated,
               unrated ? ", the first " : "", unrated ? unrated : "", tdays(days), mus(r->day_items_cost));
        double kept = 0;
        for (size_t j = 0; j < r->n_teams; j++)
            kept += r->team_kept_days[j];
        if (r->kept_cost_lower > r->day_cost_lower + 0.005)
            printf("            at least USD %s with each team kept from the start to its last "
                   "task (%.0f team-days, %.0f%% at work)\n",
                   mus(r->kept_cost_lower), kept, kept > 0 ? 100.0 * days / kept : 0);
    }
    print_team_use(r, t);
    /* teams that get no task are in none of the costs above: what they cost
     * if kept on contract to the end of the plan */
    if (r->n_idle) {
        char names[160] = "";
        size_t shown = 0, len = 0;
        for (size_t j = 0; j < r->n_teams && shown < 4; j++)
            if (!(r->team_days[j] > 0)) {
                int k = snprintf(names + len, sizeof names - len, "%s%s", shown ? ", " : "", t[j].name);
                if (k < 0 || (size_t)k >= sizeof names - len) {
                    names[len] = 0;
                    break;
                }
                len += (size_t)k;
                shown++;
            }
        char idle[96];
        if (r->idle_cost >= 0)
            snprintf(idle, sizeof idle, "USD %s", mus(r->idle_cost));
        else if (r->idle_cost_lower >= 0)
            snprintf(idle, sizeof idle, "at least USD %s (some have no day rate)", mus(r->idle_cost_lower));
        else
            snprintf(idle, sizeof idle, "an unknown sum (they have no day rate)");
        /* the period: to the plan's end, or to the horizon when it comes first */
        char until[96];
        if (r->idle_to_horizon)
            snprintf(until, sizeof until, "to the %g-year horizon, %s", cfg->horizon_years, r->idle_until);
        else
            snprintf(until, sizeof until, "to the plan's end, %s", r->idle_until);
        printf("  idle:     %zu of %zu %s get no task (%s%s), in none of the costs above:\n",
               r->n_idle, r->n_teams, cli_plural((double)r->n_teams, "team", "teams"), names,
               shown < r->n_idle ? ", ..." : "");
        /* a horizon that ends before the first working day does: no day to
         * keep them for (not "0 working days") */
        if (r->idle_to_horizon && r->idle_days <= 0)
            printf("            nothing if kept on contract to the %g-year horizon: it holds less than one "
                   "working day (the first, %s, ends after it)",
                   cfg->horizon_years, r->idle_until);
        else
            printf("            %s if kept on contract %s (%ld working day%s each)", idle, until, r->idle_days,
                   r->idle_days == 1 ? "" : "s");
        /* every team kept over the same period: the working ones to their
         * last task, or to the horizon when it comes first */
        if (!(r->idle_to_horizon && r->idle_days <= 0) && (r->kept_all_cost >= 0 || r->kept_all_lower >= 0)) {
            char all[48];
            if (r->idle_to_horizon)
                printf(";\n            %s with every team kept to the horizon, %s (the working ones to "
                       "their last task if sooner; %.0f team-days and the items destroyed by then)",
                       day_m(all, sizeof all, r->kept_all_cost, r->kept_all_lower), r->idle_until,
                       r->kept_all_days);
            else
                printf(";\n            %s with every team kept (the idle ones to the plan's end, the others "
                       "to their last task; %.0f team-days)",
                       day_m(all, sizeof all, r->kept_all_cost, r->kept_all_lower), r->kept_all_days);
        }
        printf("\n");
    }
    /* what the budget funds, what is left of it, and the first hazard by
     * priority it leaves out with what that one would cost: the sum to ask
     * for to go one hazard further */
    if (cfg->budget_usd > 0) {
        long first_rank = 0;
        size_t first = 0;
        for (size_t i = 0; i < r->n; i++)
            if (!r->funded[i] && (!first_rank || r->rank[i] < first_rank)) {
                first_rank = r->rank[i];
                first = i;
            }
        printf("  budget:   USD %s at unit rates funds %zu of %zu hazard%s (USD %s), USD %s left",
               mus(cfg->budget_usd), r->n_funded, r->n, r->n == 1 ? "" : "s", mus(r->funded_cost),
               mus(cfg->budget_usd - r->funded_cost));
        if (first_rank)
            printf(";\n            the first left out, %s (rank %ld, %s), costs USD %s",
                   h[first].ref[0] ? h[first].ref : h[first].uuid, first_rank, dm_route_name(r->route[first]),
                   mus(r->cost[first]));
        printf("\n");
    }
    if (cfg->budget_usd > 0 && r->day_cost_total > cfg->budget_usd)
        printf("            the funded schedule costs USD %s at the teams' day rates, over "
               "the budget of USD %s (--budget funds at unit rates: docs/plan.md)\n",
               mus(r->day_cost_total), mus(cfg->budget_usd));
    else if (cfg->budget_usd > 0 && r->day_cost_total < 0 && r->day_cost_lower > cfg->budget_usd)
        printf("            the funded schedule costs at least USD %s at the teams' day rates (some "
               "teams have none), over the budget of USD %s (--budget funds at unit rates: docs/plan.md)\n",
               mus(r->day_cost_lower), mus(cfg->budget_usd));
    if (r->n_funded < r->n)
        printf("  residual: %.1f expected items left in released land; %.1f in the %zu unfunded "
               "hazards\n",
               r->residual_items, r->unfunded_items, r->n - r->n_funded);
    else
        printf("  residual: %.1f expected items left in released land\n", r->residual_items);
    /* no high-risk hazard funded (a small budget): no date for it. Under a
     * budget that leaves hazards out the dates are those of the funded
     * land, and the high-risk hazards funded are counted against all of
     * them: "all land" would read as every hazard released then */
    int partial = r->n_funded < r->n;
    size_t all_high = 0;
    for (size_t i = 0; i < r->n; i++)
        all_high += h[i].p >= cfg->p_high || r->route[i] == DM_ROUTE_CLEAR;
    const char *all_land = partial ? "all funded land" : "all land";
    char sp1[40], sp2[40];
    if (r->n_high == 0)
        printf("  end:      high-risk land: none %s; %s %s (%s)\n",
               partial ? "funded" : "in the plan", all_land, r->end_all, span_text(sp2, sizeof sp2, r->years_all));
    else if (partial)
        printf("  end:      high-risk land (%zu of %zu %s funded) %s (%s); %s %s (%s)\n",
               r->n_high, all_high, cli_plural((double)all_high, "hazard", "hazards"), r->end_high,
               span_text(sp1, sizeof sp1, r->years_high), all_land, r->end_all, span_text(sp2, sizeof sp2, r->years_all));
    else
        printf("  end:      high-risk land (%zu hazard%s) %s (%s); %s %s (%s)\n",
               r->n_high, r->n_high == 1 ? "" : "s", r->end_high, span_text(sp1, sizeof sp1, r->years_high),
               all_land, r->end_all, span_text(sp2, sizeof sp2, r->years_all));
    if (cfg->horizon_years > 0 && r->n_late == 0)
        printf("  horizon:  every %shazard ends within the %g-year horizon\n", partial ? "funded " : "",
               cfg->horizon_years);
    else if (cfg->horizon_years > 0) {
        printf("  horizon:  %zu hazard%s (%.1f ha) end%s after %g year%s%s\n", r->n_late, r->n_late == 1 ? "" : "s",
               r->late_ha, r->n_late == 1 ? "s" : "", cfg->horizon_years, cfg->horizon_years == 1 ? "" : "s",
               r->idle_to_horizon && r->idle_days <= 0 ? " (less than one working day: every hazard ends after it)"
                                                       : "");
        /* which: the first by priority with the day each ends, as the
         * plan counts them (its last working day more than the horizon's
         * years after the start) */
        long d0 = dm_date_days(r->start);
        size_t named = 0;
        for (long rank = 1; rank <= (long)r->n && named < 5 && r->n_late; rank++) {
            size_t i = r->n;
            for (size_t q = 0; q < r->n && i == r->n; q++)
                if (r->rank[q] == rank)
                    i = q;
            const char *last = NULL;
            for (size_t q = 0; i < r->n && q < r->n_tasks; q++)
                if (r->tasks[q].hazard == i && (!last || strcmp(r->tasks[q].end, last) > 0))
                    last = r->tasks[q].end;
            if (!last || !((double)(dm_date_days(last) + 1 - d0) / 365.25 > cfg->horizon_years))
                continue;
            printf("%s%s (ends %s)", named ? ", " : "            ", h[i].ref[0] ? h[i].ref : h[i].uuid, last);
            named++;
        }
        if (named)
            printf("%s\n", r->n_late > named ? ", ... (the first by priority; the end of each in the CSV)" : "");
    }
    if (r->samples <= 0)
        printf("  forecast: none (--samples 0)\n");
    else {
        /* each triple in the unit its P90 reads best in */
        double kh, ka;
        const char *uh = span_unit(r->mc_years_high.p90, &kh), *ua = span_unit(r->mc_years_all.p90, &ka);
        int dh = kh == 365.25, da = ka == 365.25;
        printf("  forecast: (%d samples) high-risk %.*f / %.*f / %.*f %s, all%s %.*f / %.*f / %.*f "
               "%s, cost USD %s (P10/P50/P90)\n",
               r->samples, dh ? 0 : 1, r->mc_years_high.p10 * kh, dh ? 0 : 1, r->mc_years_high.p50 * kh, dh ? 0 : 1,
               r->mc_years_high.p90 * kh, uh, partial ? " funded" : "", da ? 0 : 1, r->mc_years_all.p10 * ka,
               da ? 0 : 1, r->mc_years_all.p50 * ka, da ? 0 : 1, r->mc_years_all.p90 * ka, ua,
               mus3(b1, sizeof b1, r->mc_cost));
    }
    if (r->mc_beyond_teams > 0)
        printf("            in %d of %d %s survey finds items that no team in the file can survey and "
               "clear: left out of these figures (add manual, mechanical or dog teams)\n",
               r->mc_beyond_teams, r->samples, cli_plural(r->samples, "sample", "samples"));
    if (r->samples > 0 && r->mc_day_cost.p10 >= 0)
        printf("            cost at the teams' day rates USD %s (P10/P50/P90)\n",
               mus3(b1, sizeof b1, r->mc_day_cost));
    else if (r->samples > 0 && r->mc_day_cost_lower.p10 >= 0)
        printf("            cost at the teams' day rates at least USD %s (P10/P50/P90; "
               "lower bounds: %zu of %zu %s have no day rate)\n",
               mus3(b1, sizeof b1, r->mc_day_cost_lower),
               r->n_rateless, r->n_teams, cli_plural((double)r->n_teams, "team", "teams"));
    if (r->mc_stopped > 0)
        printf("            in %d of %d %s the schedule passes 2200-12-31, the last date the database "
               "holds: stopped there, their years counted to it (at least %.1f), their day-rate cost left out "
               "(add teams or faster ones)\n",
               r->mc_stopped, r->samples, cli_plural(r->samples, "sample", "samples"), r->mc_years_all.p90);
    /* full clearance with no team that clears has no years; a schedule
     * passing 2200-12-31 is stopped there */
    char fy[64], ry[64];
    if (r->full_stopped)
        snprintf(fy, sizeof fy, "over %.1f years", r->full_years);
    else if (r->full_years >= 0)
        snprintf(fy, sizeof fy, "%.1f years", r->full_years);
    else
        snprintf(fy, sizeof fy, "no team clears (years unknown)");
    snprintf(ry, sizeof ry, "%s%.1f years", r->rb_stopped ? "over " : "", r->rb_years);
    printf("  donor:    (every open hazard, whatever the budget; unit rates, then day rates)\n"
           "            clear every suspected hectare: %s, USD %s, %s (%.1f ha "
           "cleared)\n"
           "            risk-based release:            %s, USD %s, %s (%.1f ha "
           "cleared)\n",
           fy, mus(r->full_cost), day_m(b1, sizeof b1, r->full_day_cost, r->full_day_cost_lower),
           r->full_clear_ha, ry, mus(r->rb_cost),
           day_m(b2, sizeof b2, r->rb_day_cost, r->rb_day_cost_lower), r->rb_clear_ha);
    if ((r->full_day_cost < 0 && r->full_day_cost_lower >= 0) || (r->rb_day_cost < 0 && r->rb_day_cost_lower >= 0))
        printf("            (\"at least\": lower bounds, %zu of %zu %s have no day rate)\n", r->n_rateless,
               r->n_teams, cli_plural((double)r->n_teams, "team", "teams"));
    /* risk-based release may still take longer: technical survey of every
     * reduced hectare comes before the clearance it calls for, and with a
     * likely contaminated hazard that clearance is most of it */
    if (r->full_years >= 0 && !r->full_stopped && !r->rb_stopped && r->rb_years > r->full_years + 1e-9)
        printf("            (risk-based release takes longer here: technical survey of %.1f ha comes before "
               "the clearance of %.1f ha it expects; full clearance skips the survey)\n",
               r->area_route[DM_ROUTE_REDUCE], r->rb_clear_ha - r->area_route[DM_ROUTE_CLEAR]);
    if (r->full_stopped || r->rb_stopped)
        printf("            (\"over\": %s passes 2200-12-31, the last date the database holds, and is stopped "
               "there; its day-rate cost is unknown)\n",
               r->full_stopped && r->rb_stopped ? "each schedule"
               : r->full_stopped                ? "clearing every suspected hectare"
                                                : "risk-based release");
}

/* What the plan assumed that the user may not have meant: a start in the
 * past (--start, or the --config file's start_date) plans work as if it had
 * begun then, as its dates (and a "done by" already passed) could mislead;
 * no --teams plans with the default team set. */
static void plan_notes(const dm_plan_config *cfg, const char *start, const char *teams_path)
{
    time_t now = time(NULL);
    struct tm tm;
    char today[16];
    if (cfg->start_date[0] && gmtime_r(&now, &tm) && strftime(today, sizeof today, "%Y-%m-%d", &tm) &&
        strcmp(cfg->start_date, today) < 0)
        fprintf(stderr,
                "note: %s %s is before today (%s): the plan's dates run from then, as if the work "
                "had begun that day\n",
                start ? "--start" : "the --config file's start_date", cfg->start_date, today);
    if (!teams_path)
        fprintf(stderr, "note: no --teams: planned with the default team set (24 manual, 8 mechanical, 8 dog "
                        "and 10 survey teams at typical rates, config/teams-default.csv); give your own "
                        "with --teams FILE\n");
}

static int run_plan(dm_ctx *ctx, int argc, char **argv)
{
    const char *db = NULL, *teams_path = NULL, *cfg_path = NULL, *csv = NULL, *jout = NULL;
    const char *start = NULL;
    double budget = -1, horizon = -1;
    long samples = -1;
    int prior = 0, nowrite = 0, evaluate = 0, json = 0, force = 0;
    /* districts to plan alone (--district) or to leave out (--exclude-district) */
    enum { MAX_DISTRICTS = 64 };
    const char *districts[MAX_DISTRICTS];
    int n_districts = 0, exclude = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
#define NEEDV(opt)                                                                                 \
    if (!val)                                                                                      \
        return cli_usage_error("plan", "%s needs a value", opt);                                   \
    i++;
        if (cli_is_help(a))
            return cli_help(help);
        else if (!strcmp(a, "--teams")) {
            NEEDV(a);
            teams_path = val;
        } else if (!strcmp(a, "--config")) {
            NEEDV(a);
            cfg_path = val;
        } else if (!strcmp(a, "--csv")) {
            NEEDV(a);
            csv = val;
        } else if (!strcmp(a, "--out-json")) {
            NEEDV(a);
            jout = val;
        } else if (!strcmp(a, "--start")) {
            NEEDV(a);
            start = val;
        } else if (!strcmp(a, "--budget")) {
            NEEDV(a);
            if (!cli_parse_double("plan", a, val, &budget))
                return 2;
            if (!(budget > 0) || !isfinite(budget))
                return cli_usage_error("plan", "--budget must be a positive sum of dollars, not '%s'",
                                       val);
        } else if (!strcmp(a, "--district") || !strcmp(a, "--exclude-district")) {
            NEEDV(a);
            int ex = !strcmp(a, "--exclude-district");
            if (exclude >= 0 && exclude != ex)
                return cli_usage_error("plan", "give --district or --exclude-district, not both");
            if (!val[0])
                return cli_usage_error("plan", "%s needs a district's name", a);
            if (n_districts == MAX_DISTRICTS)
                return cli_usage_error("plan", "at most %d districts with %s", MAX_DISTRICTS, a);
            exclude = ex;
            districts[n_districts++] = val;
        } else if (!strcmp(a, "--horizon")) {
            NEEDV(a);
            if (!cli_parse_double("plan", a, val, &horizon))
                return 2;
            if (!(horizon > 0 && horizon <= 200))
                return cli_usage_error("plan", "--horizon must be a number of years in (0, 200], not '%s'",
                                       val);
        } else if (!strcmp(a, "--samples")) {
            NEEDV(a);
            if (!cli_parse_long("plan", a, val, &samples))
                return 2;
            if (samples < 0 || samples > 100000)
                return cli_usage_error("plan", "--samples must be 0-100000");
        } else if (!strcmp(a, "--prior"))
            prior = 1;
        else if (!strcmp(a, "--no-write") || !strcmp(a, "--dry-run")) /* as records and patterns say it */
            nowrite = 1;
        else if (!strcmp(a, "--force"))
            force = 1;
        else if (!strcmp(a, "--evaluate"))
            evaluate = 1;
        else if (!strcmp(a, "--json"))
            json = 1;
        else if (a[0] == '-' && a[1])
            return cli_unknown_option_in("plan", a, help);
        else if (!db)
            db = a;
        else
            return cli_usage_error("plan", "expected one database, got '%s' too", a);
#undef NEEDV
    }
    if (!db)
        return cli_usage_error("plan", "expected DB");
    /* the outputs must not overwrite the database, the inputs or each other */
    char *csv_def = csv ? NULL : cli_sibling(db, "-plan.csv");
    char *json_def = jout ? NULL : cli_sibling(db, "-plan.json");
    const char *csv_path = csv ? csv : csv_def, *json_path = jout ? jout : json_def;
    if (!csv_path || !json_path) {
        free(csv_def);
        free(json_def);
        fprintf(stderr, "demine plan: error: out of memory\n");
        return 1;
    }
    {
        const char *const in[3] = {db, teams_path, cfg_path};
        const char *const what[3] = {"database", "team file", "configuration file"};
        const char *const outp[2] = {csv_path, json_path};
        const char *const opt[2] = {"--csv", "--out-json"};
        if (cli_outputs_clash("plan", 2, opt, outp, 3, what, in)) {
            free(csv_def);
            free(json_def);
            return 2;
        }
        /* a plan run again replaces its own files; another file of that
         * name is refused before any work, unless --force */
        for (int k = 0; k < 2 && !force; k++) {
            dm_status cs = dm_plan_output_check(ctx, outp[k], k == 0);
            if (cs) {
                if (cs == DM_ECONFLICT)
                    fprintf(stderr, "demine plan: error: %s%s%s%s; give --force to replace it\n",
                            dm_ctx_errmsg(ctx), (k ? jout : csv) ? " (" : "", (k ? jout : csv) ? opt[k] : "",
                            (k ? jout : csv) ? ")" : "");
                else
                    fprintf(stderr, "demine plan: error: %s\n", dm_ctx_errmsg(ctx));
                free(csv_def);
                free(json_def);
                return cli_exit_code(cs);
            }
        }
    }

    dm_plan_config cfg;
    dm_plan_config_default(&cfg);
    dm_status st;
    if (cfg_path && (st = dm_plan_config_load(ctx, cfg_path, &cfg))) {
        free(csv_def);
        free(json_def);
        return cli_fail(ctx, "plan", st);
    }
    if (budget > 0)
        cfg.budget_usd = budget;
    if (horizon > 0)
        cfg.horizon_years = horizon;
    if (samples >= 0)
        cfg.samples = (int)samples;
    if (start) {
        char d[11];
        /* read as every date option reads it (day first 12.05.2026 too) */
        if (!cli_date(ctx, start, 0, d)) {
            free(csv_def);
            free(json_def);
            return cli_usage_error("plan",
                                   "--start must be a date (YYYY-MM-DD, or day first: 12.05.2026) from "
                                   "1800-01-01 to 2200-12-31, not '%s'",
                                   start);
        }
        memcpy(cfg.start_date, d, sizeof d);
    }
    dm_plan_team *teams = NULL;
    size_t nt = 0;
    /* without a team file, the default set (config/teams-default.csv) */
    st = teams_path ? dm_plan_teams_load(ctx, teams_path, &teams, &nt) : dm_plan_teams_default(ctx, &teams, &nt);
    if (st) {
        free(csv_def);
        free(json_def);
        return cli_fail(ctx, "plan", st);
    }

    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "plan", db, nowrite ? DM_STORE_READONLY : 0, &s);
    if (rc) {
        free(csv_def);
        free(json_def);
        dm_free(ctx, teams);
        return rc;
    }
    dm_plan_hazard *h = NULL;
    size_t n = 0;
    dm_plan_result *r = NULL;
    char *js = NULL;
    /* the files are written beside their final names first and renamed once
     * the database holds the plan: a failed run changes neither */
    char *csv_tmp = malloc(strlen(csv_path) + 6), *json_tmp = malloc(strlen(json_path) + 6);
    int tmp_made = 0;
    if (!csv_tmp || !json_tmp) {
        fprintf(stderr, "demine plan: error: out of memory\n");
        rc = 1;
    } else {
        snprintf(csv_tmp, strlen(csv_path) + 6, "%s.part", csv_path);
        snprintf(json_tmp, strlen(json_path) + 6, "%s.part", json_path);
        st = dm_plan_gather(s, &cfg, prior, &h, &n);
    }
    /* the notes once the inputs are read: a missing database or risk map is
     * said first and alone */
    if (!st && !rc)
        plan_notes(&cfg, start, teams_path);
    if (!st && !rc && n_districts) {
        /* a hazard's district as the report of a district counts it (its
         * field, else the district polygon that holds it); the choice named
         * in the text, the JSON (scope) and the report */
        size_t total = n;
        st = dm_plan_select_districts(s, h, &n, districts, (size_t)n_districts, exclude, cfg.scope,
                                      sizeof cfg.scope);
        if (!st)
            fprintf(stderr, "note: %s: planning %zu of the %zu open %s, those of %s; the plan's files and "
                            "plan_tasks hold these alone\n",
                    exclude ? "--exclude-district" : "--district", n, total,
                    cli_plural((double)total, "hazard", "hazards"), cfg.scope);
    }
    if (!st && !rc)
        st = dm_plan_run(ctx, &cfg, h, n, teams, nt, &r);
    if (!st && !rc) {
        tmp_made = 1;
        st = dm_plan_write_csv(ctx, csv_tmp, h, teams, r);
    }
    if (!st && !rc)
        st = dm_plan_json(ctx, &cfg, h, teams, r, 1, &js);
    if (!st && !rc) {
        FILE *f = fopen(json_tmp, "w");
        int ok = f && fputs(js, f) >= 0;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok) {
            fprintf(stderr, "demine plan: error: cannot write %s\n", json_path);
            rc = 3;
        }
    }
    if (!st && !rc && !nowrite)
        st = dm_plan_write_store(s, &cfg, h, teams, r);
    if (!st && !rc) {
        if (rename(csv_tmp, csv_path) != 0) {
            fprintf(stderr, "demine plan: error: cannot write %s\n", csv_path);
            rc = 3;
        } else if (rename(json_tmp, json_path) != 0) {
            fprintf(stderr, "demine plan: error: cannot write %s\n", json_path);
            rc = 3;
        } else
            tmp_made = 0;
    }
    if (tmp_made) {
        remove(csv_tmp);
        remove(json_tmp);
    }
    free(csv_tmp);
    free(json_tmp);
    dm_plan_eval ev;
    int have_ev = 0;
    if (!st && !rc && evaluate) {
        st = dm_plan_evaluate(s, h, r, &ev);
        have_ev = !st;
    }
    if (st)
        rc = cli_fail(ctx, "plan", st);
    else if (!rc) {
        if (json) {
            dm_free(ctx, js);
            js = NULL;
            st = dm_plan_json(ctx, &cfg, h, teams, r, 0, &js);
            if (st)
                rc = cli_fail(ctx, "plan", st);
            else if (have_ev) {
                js[strlen(js) - 1] = 0;
                printf("%s,\"evaluation\":{\"items_in_hazards\":%ld,\"items_found\":%ld,"
                       "\"items_left\":%ld,\"items_outside_hazards\":%ld,\"found_share\":%.4f,"
                       "\"clear_area_share\":%.4f}}\n",
                       js, ev.items_in_hazards, ev.items_found, ev.items_left, ev.items_outside,
                       ev.found_share, ev.clear_area_share);
            } else
                printf("%s\n", js);
        } else if (n == 0) {
            /* a plan of zeros says nothing: say why there is nothing to do */
            printf("nothing to plan: %s has no open hazard with land left to release (every hazard "
                   "is closed or handed over, or none is recorded)\n",
                   db);
            printf("  written:  %s, %s%s (empty)\n", csv_path, json_path,
                   nowrite ? "" : ", layer plan_tasks");
        } else {
            print_summary(r, &cfg, h, teams);
            print_districts(r, h);
            print_first(r, h, teams, csv_path);
            printf("  written:  %s, %s%s\n", csv_path, json_path,
                   nowrite ? "" : ", layer plan_tasks");
            if (have_ev)
                printf("evaluation against the demo truth: %ld true items in the open hazards;\n"
                       "  found by the routes (reduce/clear): %ld (%.1f%%); left in cancelled land "
                       "(residual risk): %ld\n"
                       "  full clearance on %.1f%% of the suspected area (%.1f of %.1f ha); %ld "
                       "true items lie outside every open hazard\n",
                       ev.items_in_hazards, ev.items_found, 100 * ev.found_share, ev.items_left,
                       100 * ev.clear_area_share, ev.clear_ha, ev.area_ha, ev.items_outside);
        }
    }
    free(csv_def);
    free(json_def);
    dm_free(ctx, js);
    dm_plan_result_free(ctx, r);
    dm_free(ctx, h);
    dm_free(ctx, teams);
    dm_store_close(s);
    return rc;
}

CLI_COMMAND(plan, "plan", run_plan, "land release plan: routes, costs, priorities, schedule")
