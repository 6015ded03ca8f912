/* SPDX-License-Identifier: MIT
 *
 * dm_plan.h -- land release planning: for every open hazard a route (cancel
 * by non-technical survey, reduce by technical survey, full clearance) from
 * its risk, its expected cost and time, its value to people, a priority, a
 * schedule over teams with working-day calendars, a Monte Carlo forecast of
 * end dates and costs, and the donor's comparison of clearing everything
 * against risk-based release. The engine works on plain structs; gathering
 * hazards and value criteria from a store and writing the plan back are
 * separate calls. Defaults and formulas are documented in docs/plan.md.
 */
#ifndef DM_PLAN_H
#define DM_PLAN_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_route { DM_ROUTE_CANCEL = 0, DM_ROUTE_REDUCE = 1, DM_ROUTE_CLEAR = 2 } dm_route;
#define DM_ROUTES 3
/* "cancel", "reduce", "clear". */
DM_API const char *dm_route_name(dm_route r);

typedef enum dm_team_kind {
    DM_TEAM_MANUAL = 0,
    DM_TEAM_MECHANICAL = 1,
    DM_TEAM_DOGS = 2,
    DM_TEAM_SURVEY = 3
} dm_team_kind;
#define DM_TEAM_KINDS 4
/* "manual", "mechanical", "dogs", "survey"; parse returns -1 when unknown. */
DM_API const char *dm_team_kind_name(dm_team_kind k);
DM_API int dm_team_kind_parse(const char *s);

typedef struct dm_plan_config {
    /* routing: cancel when p < p_cancel and expected items < items_cancel;
     * clear when p >= p_clear and expected items per ha >= density_clear;
     * otherwise reduce. High-risk land: p >= p_high or routed to clearance. */
    double p_cancel, items_cancel, p_clear, density_clear, p_high;
    /* costs (USD): per hectare of each route, per item destroyed */
    double usd_ha[DM_ROUTES];
    double usd_item;
    /* share of a reduced hazard that is then cleared when it holds items:
     * ts_clear_share plus ts_ha_per_item hectares around each expected item */
    double ts_clear_share, ts_ha_per_item;
    /* technical survey covers ts_speed times a team's clearance rate */
    double ts_speed;
    /* P(NTS finds evidence | hazard holds items): escalated to TS + clearance */
    double nts_find;
    /* P(an item is found | route), for risk removed and residual risk */
    double detect[DM_ROUTES];
    /* risk-removed units credited per hectare released (so survey counts) */
    double release_weight;
    /* value criteria: search distances (m) and weights */
    double dist_accident_m, dist_settlement_m, dist_house_m, dist_road_m, dist_infra_m,
        dist_farm_m;
    double w_base, w_accident, w_returning, w_population, w_house, w_road, w_infra, w_farm;
    /* schedule */
    char start_date[11];  /* YYYY-MM-DD; "" = today */
    int work_days_week;   /* 1-7, counted from Monday */
    double chunk_days;    /* largest piece of work given to one team at a time */
    double budget_usd;    /* 0 = unlimited */
    double horizon_years; /* 0 = unlimited */
    /* forecast: calibration_sd is the spread (log scale) of a factor on the
     * risk map's expected items, drawn once per sample and shared by all
     * hazards: the map's own calibration error */
    double calibration_sd;
    int samples;
    uint64_t seed;
    /* the hazards planned when not every open one: "the districts Fuzuli,
     * Jabrayil", "every district but Zangilan"; "" = all. The JSON's
     * scope, which the report names. */
    char scope[256];
} dm_plan_config;

/* A plan date: exactly YYYY-MM-DD, a real day (not 23/11/2026, which other
 * commands take, nor a time after it). 1 and out filled when valid. */
DM_API int dm_plan_date_parse(const char *s, char out[11]);

/* Fill cfg with the documented defaults (config/plan-default.json). */
DM_API void dm_plan_config_default(dm_plan_config *cfg);
/* Override cfg from a JSON file of the shape of config/plan-default.json
 * (any subset of keys). Unknown keys and out-of-range values give DM_EPARSE
 * naming the file and key; DM_EIO when unreadable. */
DM_API dm_status dm_plan_config_load(dm_ctx *ctx, const char *path, dm_plan_config *cfg);
/* Check a configuration; DM_EINVAL naming the key. */
DM_API dm_status dm_plan_config_check(dm_ctx *ctx, const dm_plan_config *cfg);

/* The slowest team rate accepted: 0.001 ha (10 m2) a working day. */
#define DM_PLAN_MIN_HA_DAY 0.001

typedef struct dm_plan_team {
    char name[48];
    dm_team_kind kind;
    double ha_day;  /* hectares per working day (clearance, or NTS for survey) */
    double usd_day; /* cost per working day; 0 = unknown (no day-rate cost) */
} dm_plan_team;

/* Read a team file: CSV with header name,method,capacity_ha_day,cost_usd_day
 * and an optional count column (that many teams named NAME-1..NAME-n); a
 * blank cost_usd_day is 0, unknown.
 * Errors (DM_EPARSE) name the file, line and field: unknown method, capacity
 * below DM_PLAN_MIN_HA_DAY, bad number, missing, unknown or repeated column,
 * more fields than the header, a team name given twice (also as NAME-n of a
 * count) or too long. *out is freed with dm_free. */
DM_API dm_status dm_plan_teams_load(dm_ctx *ctx, const char *path, dm_plan_team **out,
                                    size_t *n);

/* The default team set (config/teams-default.csv, built in: 24 manual, 8
 * mechanical, 8 dog and 10 survey teams at typical rates), for a plan made
 * without a team file. *out is freed with dm_free. */
DM_API dm_status dm_plan_teams_default(dm_ctx *ctx, dm_plan_team **out, size_t *n);

/* Room for a hazard's ref and district (bytes, with the terminating 0):
 * names in Cyrillic or Azerbaijani letters take two bytes a letter, so that a
 * ref of 120 letters fits whole; longer text is cut on a character. */
#define DM_PLAN_NAME_MAX 256

typedef struct dm_plan_hazard {
    char uuid[37];
    char ref[DM_PLAN_NAME_MAX];
    char district[DM_PLAN_NAME_MAX];
    char type[4];      /* SHA / CHA */
    double area_ha;    /* remaining area */
    double p;          /* P(holds any item) */
    double items;      /* expected items */
    double lon, lat;   /* centroid */
    double bbox[4];
    /* value criteria (gathered or set by the caller) */
    double accidents, returning, population, houses, roads, infra, farm;
    /* items found that name it (hazard_id): direct evidence, so it is
     * never cancelled, as a CHA is not */
    double finds;
} dm_plan_hazard;

typedef struct dm_plan_task {
    size_t hazard;     /* index into the hazard array */
    int stage;         /* route of this piece: cancel (NTS), reduce (TS), clear */
    int team;          /* index into the team array */
    long start_wd, end_wd; /* working days from the start, end exclusive */
    /* the same in fractions of a working day: a team that ends a piece part
     * way through a day starts its next piece then, so consecutive pieces of
     * one team may share a day; end_day - start_day is the team-days it
     * works on the piece (start_wd = floor(start_day), end_wd = the day
     * after the one end_day falls in) */
    double start_day, end_day;
    char start[11], end[11]; /* calendar dates (end = last working day) */
    double area_ha, cost_usd; /* cost_usd at the unit rates (usd_per_ha) */
    /* at the team's own rate: (end_wd - start_wd) x usd_day, plus the items'
     * cost on the stage that destroys them; -1 when the team's rate is 0 */
    double day_cost_usd;
    /* a lower bound of it: day_cost_usd when known, the items' cost alone
     * when the team has no rate and other teams have one, -1 when no team
     * has a rate (the tasks' bounds add up to day_cost_lower) */
    double day_cost_lower_usd;
} dm_plan_task;

/* A P10 / P50 / P90 triple. */
typedef struct dm_band {
    double p10, p50, p90;
} dm_band;

typedef struct dm_plan_result {
    size_t n;           /* hazards */
    dm_route *route;
    double *cost, *days, *value, *risk_removed, *priority;
    long *rank;         /* 1 = first */
    int *funded;        /* within the budget */
    long *start_wd, *end_wd; /* -1 when not funded */
    dm_plan_task *tasks;
    size_t n_tasks;
    char start[11];
    /* expected plan */
    double area_route[DM_ROUTES], items_route[DM_ROUTES], n_route[DM_ROUTES];
    double total_area_ha, total_items, total_cost, funded_cost;
    size_t n_funded, n_high;
    double years_high, years_all; /* from start to the last working day */
    char end_high[11], end_all[11];
    double residual_items; /* expected items left in released land (funded hazards) */
    double unfunded_items; /* expected items in hazards the budget does not fund */
    size_t n_late;         /* funded hazards ending after the horizon */
    double late_ha;
    /* forecast (Monte Carlo over contamination) */
    int samples;
    dm_band mc_years_high, mc_years_all, mc_cost;
    /* donor comparison, over every hazard whatever the budget */
    double full_years, full_cost, full_clear_ha;
    double rb_years, rb_cost, rb_clear_ha;
    /* team use: working days busy per team (n_teams entries) */
    double *team_days;
    size_t n_teams;
    /* cost at the teams' own day rates (cost_usd_day): the working days each
     * team spends in a schedule times its rate, plus the items' cost. -1 when
     * unknown: no team has a rate, or a team that works has rate 0. */
    double *day_cost;      /* per hazard, the sum of its tasks; -1 also when unfunded */
    double day_cost_total; /* the funded schedule */
    double day_items_cost; /* its items' cost (part of day_cost_total) */
    size_t n_unrated;      /* teams working in it with no rate (cost_usd_day 0) */
    double rb_day_cost, full_day_cost; /* the donor comparison's two schedules */
    dm_band mc_day_cost;               /* forecast; all -1 when unknown */
    /* the funded schedule with every team that works kept, and paid, from
     * the start until its last task, the days it waits between tasks
     * included: working days per team (n_teams entries, 0 for a team with
     * no task) and their cost at the teams' rates plus the items' (-1 when
     * unknown, as day_cost_total) */
    double *team_kept_days;
    double kept_cost_total;
    /* rates: teams listed with no day rate (cost_usd_day 0), and lower
     * bounds of the two figures above: the days of the teams that have a
     * rate times that rate plus the items, equal to the figure when it is
     * known, a lower bound when a team that works has no rate, -1 when no
     * team has a rate */
    size_t n_rateless;
    double day_cost_lower, kept_cost_lower;
    /* teams listed that get no task in the funded schedule (team_days 0):
     * what they would cost if kept on contract from the start to the end of
     * all land (span_days working days), or to the horizon when it comes
     * first (idle_days each, below). Not
     * part of any figure above. idle_cost is -1 when unknown (an idle team
     * has no rate), idle_cost_lower counts the idle teams that have one
     * (-1 when none has). */
    long span_days;
    size_t n_idle;
    double idle_cost, idle_cost_lower;
    /* lower bounds of the donor comparison's two day-rate costs and of the
     * forecast's band, as day_cost_lower: the figure when it is known, the
     * teams that have a rate plus the items when a team that works has none,
     * -1 when no team has a rate (the band: the P10/P50/P90 of each sample's
     * bound, so each is at most the unknown figure's) */
    double rb_day_cost_lower, full_day_cost_lower;
    dm_band mc_day_cost_lower;
    /* the period the idle teams are costed over: idle_days working days
     * each, to idle_until (the last working day): the plan's span, or the
     * horizon's working days when cfg->horizon_years ends before the plan
     * (idle_to_horizon 1). idle_cost and idle_cost_lower cover it. */
    long idle_days;
    char idle_until[11];
    int idle_to_horizon;
    /* every team kept over that period, the idle ones and those that work:
     * to the plan's end, each working team to its last task (kept_cost_total
     * plus idle_cost); to the horizon, each working team to its last task or
     * the horizon, whichever comes first, plus the items destroyed by the
     * horizon (each task's share of them by its working days within it).
     * kept_all_days: the team-days; kept_all_cost -1 when unknown (a team
     * kept has no rate), kept_all_lower over the teams that have a rate (-1
     * when none has). */
    double kept_all_days, kept_all_cost, kept_all_lower;
    /* per hazard (n entries), a lower bound of day_cost when a team that
     * works on it has no rate: its tasks by teams with a rate at that rate,
     * plus its items; day_cost when known; -1 when unfunded or no team has
     * a rate */
    double *day_cost_lower_hz;
    /* forecast samples in which non-technical survey finds items in a
     * cancelled hazard and no team in the file can do the technical survey
     * and clearance that follow (survey teams alone): that work is left out
     * of the sample's years and costs */
    int mc_beyond_teams;
    /* the schedules that would pass 2200-12-31, the last date the database
     * holds, are stopped there (the expected plan is refused instead):
     * full_stopped / rb_stopped 1 for the donor comparison's schedules
     * (their years are those to that date, their day-rate cost -1, its
     * lower bound -1), mc_stopped the forecast samples stopped (their
     * years are those to that date, their day-rate cost left out) */
    int full_stopped, rb_stopped, mc_stopped;
} dm_plan_result;

/* Plan hazards h[0..n) with teams t[0..nt). Errors: DM_EINVAL (bad config,
 * no team able to do a needed route, a budget that cannot fund the cheapest
 * task). Progress under "plan" and "forecast". *out: dm_plan_result_free. */
DM_API dm_status dm_plan_run(dm_ctx *ctx, const dm_plan_config *cfg, const dm_plan_hazard *h,
                             size_t n, const dm_plan_team *t, size_t nt, dm_plan_result **out);
DM_API void dm_plan_result_free(dm_ctx *ctx, dm_plan_result *r);

/* A sum of dollars as the plan and the report write it: "1.23 M" from
 * USD 0.1 M up (and for a negative or non-finite value), the dollars below
 * with thousands separated ("4,800"), so a small plan does not read "USD
 * 0.00 M". Returns buf. */
DM_API const char *dm_plan_usd_text(char *buf, size_t n, double usd);

/* Team use per method (JSON team_use, the text's "teams:" lines): the teams
 * of the method, their working days, those without a task, those with no
 * day rate and their days, and the cost of the days at the teams' rates
 * (items apart): cost_usd -1 when a team that works has no rate (or no
 * team of the plan has one); lower_usd the rated teams' days (a lower
 * bound then); rated 1 when some team of the plan has a rate. */
typedef struct dm_plan_team_use {
    size_t teams, idle, without_rate;
    double team_days, unrated_days;
    double cost_usd, lower_usd;
    int rated;
} dm_plan_team_use;
DM_API void dm_plan_team_use_of(const dm_plan_result *r, const dm_plan_team *t,
                                dm_plan_team_use use[DM_TEAM_KINDS]);

/* Gather the open (open or partly released) hazards of a store with their
 * risk (p_contam, expected_items) and value criteria from features and
 * accidents. When every hazard lacks a risk: DM_ENOTFOUND "no risk map yet"
 * unless use_prior, which fills a prior from type, classification and
 * reliability (docs/plan.md). A hazard's district is the one the table by
 * district (demine stats --by district) counts it in: its field district,
 * else the name of the polygon of layer districts that holds its centre,
 * else none (""). *out is freed with dm_free. */
DM_API dm_status dm_plan_gather(dm_store *s, const dm_plan_config *cfg, int use_prior,
                                dm_plan_hazard **out, size_t *n);

/* The hazards of some districts (demine plan --district NAME, or with
 * exclude --exclude-district NAME): keep in h (n_names names, any case)
 * those whose district (dm_plan_gather's) is one named, or with exclude
 * those whose district is none of them, as demine report DB --district
 * counts them; *n becomes the number kept. scope (scope_n bytes, for
 * dm_plan_config.scope) gets "the district Fuzuli", "the districts A, B" or
 * "every district but A", each name once as the database writes it (a
 * polygon's name, else a hazard's). DM_ENOTFOUND when a name is no
 * district's of layer districts nor of any hazard's field district (the
 * message names up to ten known ones of each), or, without exclude, when no
 * open hazard of h is in a district named (naming theirs); DM_EINVAL when
 * nothing is left to plan. h and *n are unchanged on error. */
DM_API dm_status dm_plan_select_districts(dm_store *s, dm_plan_hazard *h, size_t *n, const char *const *names,
                                          size_t n_names, int exclude, char *scope, size_t scope_n);

/* Replace the plan_tasks layer with the plan (one row per task, plus one per
 * unfunded hazard) and store the summary JSON in meta key "plan", in one
 * transaction. */
DM_API dm_status dm_plan_write_store(dm_store *s, const dm_plan_config *cfg,
                                     const dm_plan_hazard *h, const dm_plan_team *t,
                                     const dm_plan_result *r);

/* The summary (and with tasks, the task list) as JSON. Free with dm_free. */
DM_API dm_status dm_plan_json(dm_ctx *ctx, const dm_plan_config *cfg, const dm_plan_hazard *h,
                              const dm_plan_team *t, const dm_plan_result *r, int with_tasks,
                              char **json);
/* Whether a plan file may be written over path: the task list of
 * dm_plan_write_csv (csv 1) or the summary of dm_plan_json (csv 0). DM_OK
 * when path does not exist, is empty or is such a file demine wrote (the
 * CSV's header line; a JSON object with the summary's top-level keys);
 * DM_ECONFLICT naming path otherwise; DM_EIO when it cannot be read. A plan
 * run again replaces its files, never another file given by mistake. */
DM_API dm_status dm_plan_output_check(dm_ctx *ctx, const char *path, int csv);

/* Write the task list as CSV (one line per task). DM_EIO when unwritable. */
DM_API dm_status dm_plan_write_csv(dm_ctx *ctx, const char *path, const dm_plan_hazard *h,
                                   const dm_plan_team *t, const dm_plan_result *r);

/* Score the routes against the demo truth: true items inside the open
 * hazards by route (found = reduce or clear, left = cancel). */
typedef struct dm_plan_eval {
    long items_in_hazards, items_found, items_left, items_outside;
    double found_share;      /* items_found / items_in_hazards */
    double clear_area_share; /* area routed to clearance / suspected area */
    double area_ha, clear_ha, reduce_ha, cancel_ha;
} dm_plan_eval;
/* DM_ENOTFOUND when the store has no truth_items. */
DM_API dm_status dm_plan_evaluate(dm_store *s, const dm_plan_hazard *h, const dm_plan_result *r,
                                  dm_plan_eval *out);

#ifdef __cplusplus
}
#endif
#endif /* DM_PLAN_H */
