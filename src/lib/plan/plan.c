/* SPDX-License-Identifier: MIT
 *
 * plan.c -- the planning engine on plain structs: routes from risk, costs,
 * value and priority, a greedy priority scheduler over teams with working-day
 * calendars and its cost at the teams' own day rates, a Monte Carlo forecast
 * that samples each hazard's contamination (Bernoulli on p, Poisson on the
 * items) and reschedules, and the donor's comparison with clearing every
 * suspected hectare.
 */
#include "core/dm_internal.h"
#include "plan/plan_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *dm_route_name(dm_route r)
{
    static const char *n[] = {"cancel", "reduce", "clear"};
    return (unsigned)r < DM_ROUTES ? n[r] : "?";
}

const char *dm_team_kind_name(dm_team_kind k)
{
    static const char *n[] = {"manual", "mechanical", "dogs", "survey"};
    return (unsigned)k < DM_TEAM_KINDS ? n[k] : "?";
}

int dm_team_kind_parse(const char *s)
{
    for (int k = 0; k < DM_TEAM_KINDS; k++)
        if (s && !dm__strcasecmp(s, dm_team_kind_name((dm_team_kind)k)))
            return k;
    return -1;
}

/* ---- calendar ---------------------------------------------------------- */

int dm_plan_date_parse(const char *s, char out[11])
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return dm_date_parse(s, out);
}

void dm__civil_date(long days, char out[11])
{
    /* days since 1970-01-01 -> Y-M-D (Howard Hinnant's algorithm) */
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

/* Calendar day (days since epoch) of working day `wd` counted from start. */
long dm__workday_date(long start_days, int wdw, long wd)
{
    long dow = ((start_days % 7) + 7 + 3) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */
    long monday = start_days - dow;
    long off = dow < wdw ? dow : wdw;
    long k = wd + off;
    return monday + (k / wdw) * 7 + (k % wdw);
}

/* ---- random numbers (splitmix64 + xoshiro-like simple generator) -------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unif(uint64_t *s) { return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0); }

static long rng_poisson(uint64_t *s, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 30) {
        /* normal approximation */
        double u1 = rng_unif(s), u2 = rng_unif(s);
        if (u1 < 1e-300)
            u1 = 1e-300;
        double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
        long v = lround(lambda + sqrt(lambda) * z);
        return v < 0 ? 0 : v;
    }
    double l = exp(-lambda), p = 1;
    long k = 0;
    do {
        k++;
        p *= rng_unif(s);
    } while (p > l);
    return k - 1;
}

/* ---- configuration ----------------------------------------------------- */

void dm_plan_config_default(dm_plan_config *c)
{
    memset(c, 0, sizeof *c);
    c->p_cancel = 0.05;
    c->items_cancel = 0.25;
    c->p_clear = 0.90;
    c->density_clear = 50.0; /* a minefield throughout: doctrinal fields hold hundreds per ha */
    c->p_high = 0.50;
    c->usd_ha[DM_ROUTE_CANCEL] = 150;
    c->usd_ha[DM_ROUTE_REDUCE] = 4000;
    c->usd_ha[DM_ROUTE_CLEAR] = 25000;
    c->usd_item = 600;
    c->ts_clear_share = 0.15;
    c->ts_ha_per_item = 0.05;
    c->ts_speed = 5;
    c->nts_find = 0.5;
    c->detect[DM_ROUTE_CANCEL] = 0.0;
    c->detect[DM_ROUTE_REDUCE] = 0.95;
    c->detect[DM_ROUTE_CLEAR] = 0.996;
    c->release_weight = 0.01;
    c->dist_accident_m = 1000;
    c->dist_settlement_m = 3000;
    c->dist_house_m = 500;
    c->dist_road_m = 200;
    c->dist_infra_m = 500;
    c->dist_farm_m = 300;
    c->w_base = 1;
    c->w_accident = 3;
    c->w_returning = 0.5;
    c->w_population = 0.5;
    c->w_house = 0.3;
    c->w_road = 2;
    c->w_infra = 1;
    c->w_farm = 1;
    c->start_date[0] = 0;
    c->work_days_week = 5;
    c->chunk_days = 40;
    c->budget_usd = 0;
    c->horizon_years = 0;
    c->calibration_sd = 0.3;
    c->samples = 100;
    c->seed = 1;
}

dm_status dm_plan_config_check(dm_ctx *ctx, const dm_plan_config *c)
{
#define NEED(cond, key, what)                                                                      \
    if (!(cond))                                                                                   \
        return dm__fail(ctx, DM_EINVAL, "plan config: '%s' %s", key, what);
    NEED(c->p_cancel >= 0 && c->p_cancel <= 1, "p_cancel", "must be in [0, 1]");
    NEED(c->p_clear >= 0 && c->p_clear <= 1, "p_clear", "must be in [0, 1]");
    NEED(c->p_high >= 0 && c->p_high <= 1, "p_high", "must be in [0, 1]");
    NEED(c->p_cancel <= c->p_clear, "p_cancel", "must not exceed p_clear");
    NEED(c->items_cancel >= 0, "items_cancel", "must be >= 0");
    NEED(c->density_clear >= 0, "density_clear", "must be >= 0");
    /* the route's own key: usd_per_ha.clear, detect.reduce */
    static const char *uk[DM_ROUTES] = {"usd_per_ha.cancel", "usd_per_ha.reduce", "usd_per_ha.clear"};
    static const char *dk[DM_ROUTES] = {"detect.cancel", "detect.reduce", "detect.clear"};
    for (int r = 0; r < DM_ROUTES; r++) {
        NEED(c->usd_ha[r] >= 0 && isfinite(c->usd_ha[r]), uk[r], "must be >= 0");
        NEED(c->detect[r] >= 0 && c->detect[r] <= 1, dk[r], "must be in [0, 1]");
    }
    NEED(c->items_cancel <= 1e9, "items_cancel", "must be at most 1e9");
    NEED(c->density_clear <= 1e9, "density_clear", "must be at most 1e9 items a hectare");
    for (int r = 0; r < DM_ROUTES; r++)
        NEED(c->usd_ha[r] <= 1e9, uk[r], "must be at most USD 1e9 a hectare");
    NEED(c->usd_item >= 0 && c->usd_item <= 1e9, "usd_per_item", "must be USD 0 to 1e9");
    NEED(c->ts_clear_share >= 0 && c->ts_clear_share <= 1, "ts_clear_share", "must be in [0, 1]");
    NEED(c->ts_ha_per_item >= 0 && c->ts_ha_per_item <= 1e4, "ts_ha_per_item", "must be 0 to 10000 ha");
    /* a technical survey many thousand times slower than clearance would cut
     * a hazard into more pieces than the schedule can count */
    NEED(c->ts_speed >= 0.01 && c->ts_speed <= 1e4, "ts_speed", "must be 0.01 to 10000 (times the clearance rate)");
    NEED(c->release_weight >= 0 && c->release_weight <= 1e6, "release_weight", "must be 0 to 1e6");
    {
        /* value: distances in metres and weights, none negative (a negative
         * weight would make a hazard's value, and its priority, negative) */
        const double dist[6] = {c->dist_accident_m, c->dist_settlement_m, c->dist_house_m,
                                c->dist_road_m,     c->dist_infra_m,      c->dist_farm_m};
        static const char *dn[6] = {"dist_accident_m", "dist_settlement_m", "dist_house_m",
                                    "dist_road_m",     "dist_infra_m",      "dist_farm_m"};
        for (int k = 0; k < 6; k++)
            NEED(dist[k] >= 0 && dist[k] <= 1e5, dn[k], "must be 0 to 100000 m");
        const double wt[8] = {c->w_base, c->w_accident, c->w_returning, c->w_population,
                              c->w_house, c->w_road,     c->w_infra,     c->w_farm};
        static const char *wn[8] = {"w_base", "w_accident", "w_returning", "w_population",
                                    "w_house", "w_road",     "w_infra",     "w_farm"};
        for (int k = 0; k < 8; k++)
            NEED(wt[k] >= 0 && wt[k] <= 1e6, wn[k], "must be 0 to 1e6");
    }
    NEED(c->chunk_days <= 1e5, "chunk_days", "must be at most 100000");
    NEED(c->nts_find >= 0 && c->nts_find <= 1, "nts_find", "must be in [0, 1]");
    NEED(c->work_days_week >= 1 && c->work_days_week <= 7, "work_days_week", "must be 1-7");
    NEED(c->chunk_days >= 1, "chunk_days", "must be >= 1");
    NEED(c->budget_usd >= 0 && isfinite(c->budget_usd), "budget_usd",
         "must be a positive number of dollars");
    NEED(c->horizon_years >= 0 && c->horizon_years <= 200, "horizon_years", "must be 0-200");
    NEED(c->calibration_sd >= 0 && c->calibration_sd <= 3, "calibration_sd", "must be 0-3");
    NEED(c->samples >= 0 && c->samples <= 100000, "samples", "must be 0-100000");
    if (c->start_date[0]) {
        char d[11];
        NEED(dm_plan_date_parse(c->start_date, d), "start_date", "must be a date YYYY-MM-DD from 1800-01-01 to 2200-12-31");
    }
#undef NEED
    return DM_OK;
}

/* ---- routing, cost, value ---------------------------------------------- */

/* A confirmed hazardous area is one with direct evidence of explosive
 * ordnance, and so is a hazard where items were found: non-technical
 * survey cannot cancel it, whatever the map says (a map not yet calibrated
 * on cleared land can put its p far too low); technical survey at the
 * least. */
static dm_route choose_route(const dm_plan_config *c, const dm_plan_hazard *h)
{
    double dens = h->area_ha > 0 ? h->items / h->area_ha : h->items;
    if (h->p < c->p_cancel && h->items < c->items_cancel && strcmp(h->type, "CHA") && !(h->finds > 0))
        return DM_ROUTE_CANCEL;
    if (h->p >= c->p_clear && dens >= c->density_clear)
        return DM_ROUTE_CLEAR;
    return DM_ROUTE_REDUCE;
}

/* Share of a reduced hazard cleared after technical survey, given it holds
 * items: a base share plus a footprint around each item expected. */
static double ts_share(const dm_plan_config *c, const dm_plan_hazard *h)
{
    double cond = h->p > 0 ? h->items / h->p : h->items; /* items if contaminated */
    double sh = c->ts_clear_share + (h->area_ha > 0 ? cond * c->ts_ha_per_item / h->area_ha : 0);
    return sh > 1 ? 1 : sh;
}

/* The cost of the items a route destroys (none by NTS). */
static double items_cost(const dm_plan_config *c, const dm_plan_hazard *h, dm_route r)
{
    return r != DM_ROUTE_CANCEL ? h->items * c->detect[r] * c->usd_item : 0;
}

static double route_cost(const dm_plan_config *c, const dm_plan_hazard *h, dm_route r)
{
    double cost = h->area_ha * c->usd_ha[r];
    if (r == DM_ROUTE_REDUCE)
        cost += h->p * ts_share(c, h) * h->area_ha * c->usd_ha[DM_ROUTE_CLEAR];
    return cost + items_cost(c, h, r);
}

/* A schedule's cost at the teams' own day rates: the working days each team
 * is busy times its cost_usd_day, plus the items' cost. -1 (unknown) when no
 * team has a rate, or a team that works has none. *lower (when not NULL):
 * the same over the teams that have a rate, the figure when it is known, a
 * lower bound when a team that works has none, -1 when no team has one. */
static double day_rate_cost_lb(const dm_plan_team *t, size_t nt, const double *busy, double items,
                               double *lower)
{
    int rated = 0, unrated_works = 0;
    double c = items;
    for (size_t j = 0; j < nt; j++) {
        if (t[j].usd_day > 0)
            rated = 1;
        if (busy[j] > 0) {
            if (!(t[j].usd_day > 0))
                unrated_works = 1;
            else
                c += busy[j] * t[j].usd_day;
        }
    }
    if (lower)
        *lower = rated ? c : -1;
    return rated && !unrated_works ? c : -1;
}

double dm__plan_value(const dm_plan_config *c, const dm_plan_hazard *h)
{
    return c->w_base + c->w_accident * h->accidents + c->w_returning * h->returning / 100.0 +
           c->w_population * h->population / 1000.0 + c->w_house * h->houses / 10.0 +
           c->w_road * (h->roads > 0 ? 1 : 0) + c->w_infra * h->infra + c->w_farm * h->farm;
}

/* ---- scheduler ----------------------------------------------------------
 * A job is work of one stage on one hazard; a hazard's jobs run in order
 * (TS before the clearance it calls for). Each job is cut into pieces of at
 * most chunk_days team-days; each piece goes to the eligible team that is
 * free first. Hazards are taken in priority order. */

static int eligible(dm_team_kind k, int stage)
{
    if (stage == DM_ROUTE_CANCEL)
        return k == DM_TEAM_SURVEY;
    return k != DM_TEAM_SURVEY;
}

static double team_rate(const dm_plan_config *c, const dm_plan_team *t, int stage)
{
    return stage == DM_ROUTE_REDUCE ? t->ha_day * c->ts_speed : t->ha_day;
}

typedef struct sched {
    const dm_plan_config *cfg;
    const dm_plan_team *teams;
    size_t nt;
    double *free_at; /* per team: the working day (a fraction of one) it is free from */
    double *busy;    /* per team working days */
    /* optional task output */
    dm_plan_task *tasks;
    size_t n_tasks, cap_tasks;
    dm_ctx *ctx;
    int record, oom;
    /* when > 0: a piece that would start on or after this working day
     * stops the schedule (-3), so that a plan beyond the dates the
     * database holds is refused before it is cut into millions of pieces */
    long limit_wd;
} sched;

/* The working day after the one a time `x` (in working days) ends in: the
 * exclusive end of the days it touches (2.0 ends in day 1, 2.3 in day 2). */
static long wd_end(double x)
{
    long e = (long)ceil(x - 1e-9);
    return e > 0 ? e : 0;
}

/* Schedule `ha` of `stage` on hazard hi, not before `after`; returns the
 * time the job ends, in working days (a fraction of one: a team that ends
 * a piece part way through a day starts its next one then, so that one
 * team's consecutive pieces share the day). cost_per_ha spreads the job's
 * cost over its pieces when tasks are recorded. */
static double sched_job(sched *s, size_t hi, int stage, double ha, double after, double cost_per_ha)
{
    double end = after;
    double left = ha;
    while (left > 1e-9) {
        int best = -1;
        double best_free = 0;
        for (size_t j = 0; j < s->nt; j++) {
            if (!eligible(s->teams[j].kind, stage))
                continue;
            double f = s->free_at[j] > after ? s->free_at[j] : after;
            if (best < 0 || f < best_free ||
                (f == best_free && team_rate(s->cfg, &s->teams[j], stage) >
                                       team_rate(s->cfg, &s->teams[best], stage))) {
                best = (int)j;
                best_free = f;
            }
        }
        if (best < 0)
            return -1;
        if (s->limit_wd > 0 && best_free >= (double)s->limit_wd)
            return -3;
        double rate = team_rate(s->cfg, &s->teams[best], stage);
        double take = s->cfg->chunk_days * rate;
        if (take > left)
            take = left;
        double dur = take / rate;
        double st = best_free;
        s->free_at[best] = st + dur;
        s->busy[best] += dur;
        if (st + dur > end)
            end = st + dur;
        left -= take;
        if (s->record) {
            if (s->n_tasks == s->cap_tasks) {
                size_t nc = s->cap_tasks ? s->cap_tasks * 2 : 1024;
                dm_plan_task *nt = dm_realloc(s->ctx, s->tasks, nc * sizeof *nt);
                if (!nt) {
                    s->oom = 1;
                    continue;
                }
                s->tasks = nt;
                s->cap_tasks = nc;
            }
            dm_plan_task *t = &s->tasks[s->n_tasks++];
            memset(t, 0, sizeof *t);
            t->hazard = hi;
            t->stage = stage;
            t->team = best;
            t->start_day = st;
            t->end_day = st + dur;
            t->start_wd = (long)floor(st + 1e-9);
            t->end_wd = wd_end(st + dur);
            if (t->end_wd <= t->start_wd)
                t->end_wd = t->start_wd + 1;
            t->area_ha = take;
            t->cost_usd = take * cost_per_ha;
        }
    }
    return end;
}

typedef struct work {
    /* per hazard, for one scenario: ha per stage, in stage order */
    double ha[DM_ROUTES];
} work;

/* Run the schedule of hazards in `order` (only those with funded[i]) and
 * fill end[i] (exclusive working day, or -1). Returns the latest end, or -2
 * when some needed stage has no team. */
static long run_schedule(sched *s, const size_t *order, size_t n, const int *funded,
                         const work *w, long *end, const double *cost_per_ha)
{
    memset(s->free_at, 0, s->nt * sizeof *s->free_at);
    memset(s->busy, 0, s->nt * sizeof *s->busy);
    long last = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        end[i] = -1;
        if (funded && !funded[i])
            continue;
        double at = 0;
        for (int st = 0; st < DM_ROUTES; st++) {
            if (w[i].ha[st] <= 0)
                continue;
            double e = sched_job(s, i, st, w[i].ha[st], at, cost_per_ha ? cost_per_ha[i * DM_ROUTES + st] : 0);
            if (e < 0)
                return e < -2.5 ? -3 : -2;
            at = e;
        }
        end[i] = wd_end(at);
        if (end[i] > last)
            last = end[i];
    }
    return last;
}

static const double *g_prio; /* qsort context (single-threaded use) */

static int cmp_prio(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (g_prio[i] > g_prio[j])
        return -1;
    if (g_prio[i] < g_prio[j])
        return 1;
    return i < j ? -1 : i > j;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static dm_band band_of(double *v, int n)
{
    dm_band b = {0, 0, 0};
    if (n <= 0)
        return b;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    b.p10 = v[(int)floor(0.1 * (n - 1) + 0.5)];
    b.p50 = v[(int)floor(0.5 * (n - 1) + 0.5)];
    b.p90 = v[(int)floor(0.9 * (n - 1) + 0.5)];
    return b;
}

void dm_plan_result_free(dm_ctx *ctx, dm_plan_result *r)
{
    if (!r)
        return;
    dm_free(ctx, r->route);
    dm_free(ctx, r->cost);
    dm_free(ctx, r->days);
    dm_free(ctx, r->value);
    dm_free(ctx, r->risk_removed);
    dm_free(ctx, r->priority);
    dm_free(ctx, r->rank);
    dm_free(ctx, r->funded);
    dm_free(ctx, r->start_wd);
    dm_free(ctx, r->end_wd);
    dm_free(ctx, r->tasks);
    dm_free(ctx, r->team_days);
    dm_free(ctx, r->team_kept_days);
    dm_free(ctx, r->day_cost);
    dm_free(ctx, r->day_cost_lower_hz);
    dm_free(ctx, r);
}

static double years_of(long start_days, int wdw, long end_wd)
{
    if (end_wd <= 0)
        return 0;
    long d = dm__workday_date(start_days, wdw, end_wd - 1) + 1;
    return (double)(d - start_days) / 365.25;
}

/* A schedule that ends (end_wd, exclusive) after 2200-12-31, the last date
 * the database holds. */
static int past_limit(long d0, int wdw, long end_wd)
{
    return end_wd > 0 && dm__workday_date(d0, wdw, end_wd - 1) > dm_date_days("2200-12-31");
}

static int is_high(const dm_plan_config *c, const dm_plan_hazard *h, dm_route r)
{
    return h->p >= c->p_high || r == DM_ROUTE_CLEAR;
}

/* The items' cost a task carries: its hazard's items on the stage that
 * destroys them (the last), spread over that stage's pieces by area, as the
 * unit-rate cost is; 0 for a piece of an earlier stage. */
static double task_items_cost(const dm_plan_config *cfg, const dm_plan_hazard *h, const dm_plan_result *r,
                              const work *w, const dm_plan_task *t)
{
    size_t i = t->hazard;
    for (int sg = t->stage + 1; sg < DM_ROUTES; sg++)
        if (w[i].ha[sg] > 0)
            return 0;
    return w[i].ha[t->stage] > 0 ? items_cost(cfg, &h[i], r->route[i]) * t->area_ha / w[i].ha[t->stage] : 0;
}

dm_status dm_plan_run(dm_ctx *ctx, const dm_plan_config *cfg, const dm_plan_hazard *h, size_t n,
                      const dm_plan_team *teams, size_t nt, dm_plan_result **out)
{
    *out = NULL;
    dm_status st = dm_plan_config_check(ctx, cfg);
    if (st)
        return st;
    if (nt == 0)
        return dm__fail(ctx, DM_EINVAL, "no teams to plan with");
    for (size_t j = 0; j < nt; j++)
        if (!(teams[j].ha_day >= DM_PLAN_MIN_HA_DAY && teams[j].ha_day <= 1e5) ||
            !(teams[j].usd_day >= 0) || (unsigned)teams[j].kind >= DM_TEAM_KINDS)
            return dm__fail(ctx, DM_EINVAL,
                            "team %zu '%s': capacity must be 0.001-100000 ha a day and cost >= 0",
                            j + 1, teams[j].name);
    for (size_t i = 0; i < n; i++)
        if (!(h[i].area_ha >= 0) || !(h[i].p >= 0 && h[i].p <= 1) || !(h[i].items >= 0))
            return dm__fail(ctx, DM_EINVAL,
                            "hazard %s: area, p_contam (0-1) and expected_items must be valid "
                            "(got %g ha, p %g, %g items)",
                            h[i].ref[0] ? h[i].ref : h[i].uuid, h[i].area_ha, h[i].p, h[i].items);

    dm_plan_result *r = dm_calloc(ctx, 1, sizeof *r);
    size_t *order = NULL;
    long *end = NULL;
    work *w = NULL;
    double *cph = NULL, *mc_a = NULL, *mc_h = NULL, *mc_c = NULL, *mc_d = NULL, *mc_dl = NULL;
    sched s;
    memset(&s, 0, sizeof s);
    if (!r)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    size_t nn = n ? n : 1;
    r->n = n;
    r->route = dm_calloc(ctx, nn, sizeof *r->route);
    r->cost = dm_calloc(ctx, nn, sizeof *r->cost);
    r->days = dm_calloc(ctx, nn, sizeof *r->days);
    r->value = dm_calloc(ctx, nn, sizeof *r->value);
    r->risk_removed = dm_calloc(ctx, nn, sizeof *r->risk_removed);
    r->priority = dm_calloc(ctx, nn, sizeof *r->priority);
    r->rank = dm_calloc(ctx, nn, sizeof *r->rank);
    r->funded = dm_calloc(ctx, nn, sizeof *r->funded);
    r->start_wd = dm_calloc(ctx, nn, sizeof *r->start_wd);
    r->end_wd = dm_calloc(ctx, nn, sizeof *r->end_wd);
    r->team_days = dm_calloc(ctx, nt, sizeof *r->team_days);
    r->team_kept_days = dm_calloc(ctx, nt, sizeof *r->team_kept_days);
    r->day_cost = dm_calloc(ctx, nn, sizeof *r->day_cost);
    r->day_cost_lower_hz = dm_calloc(ctx, nn, sizeof *r->day_cost_lower_hz);
    r->n_teams = nt;
    order = dm_calloc(ctx, nn, sizeof *order);
    end = dm_calloc(ctx, nn, sizeof *end);
    w = dm_calloc(ctx, nn, sizeof *w);
    cph = dm_calloc(ctx, nn * DM_ROUTES, sizeof *cph);
    s.free_at = dm_calloc(ctx, nt, sizeof *s.free_at);
    s.busy = dm_calloc(ctx, nt, sizeof *s.busy);
    int ns = cfg->samples;
    mc_a = dm_calloc(ctx, (size_t)ns + 1, sizeof *mc_a);
    mc_h = dm_calloc(ctx, (size_t)ns + 1, sizeof *mc_h);
    mc_c = dm_calloc(ctx, (size_t)ns + 1, sizeof *mc_c);
    mc_d = dm_calloc(ctx, (size_t)ns + 1, sizeof *mc_d);
    mc_dl = dm_calloc(ctx, (size_t)ns + 1, sizeof *mc_dl);
    if (!r->route || !r->cost || !r->days || !r->value || !r->risk_removed || !r->priority ||
        !r->rank || !r->funded || !r->start_wd || !r->end_wd || !r->team_days || !r->team_kept_days || !r->day_cost ||
        !r->day_cost_lower_hz ||
        !order || !end || !w || !cph || !s.free_at || !s.busy || !mc_a || !mc_h || !mc_c || !mc_d || !mc_dl) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory planning %zu hazards", n);
        goto done;
    }
    s.cfg = cfg;
    s.teams = teams;
    s.nt = nt;
    s.ctx = ctx;

    /* start date */
    char today[21];
    if (cfg->start_date[0])
        dm_date_parse(cfg->start_date, r->start);
    else {
        dm_now_iso(today);
        today[10] = 0;
        dm__strlcpy(r->start, today, sizeof r->start);
    }
    long d0 = dm_date_days(r->start);
    int wdw = cfg->work_days_week;
    /* every schedule stops at 2200-12-31, the last date the database holds:
     * the years to it, for the donor's schedules and the forecast samples
     * stopped there */
    double limit_years = (double)(dm_date_days("2200-12-31") + 1 - d0) / 365.25;

    /* which stages can be worked at all */
    int can[DM_ROUTES] = {0, 0, 0};
    double best_rate[DM_ROUTES] = {0, 0, 0};
    for (size_t j = 0; j < nt; j++)
        for (int sg = 0; sg < DM_ROUTES; sg++)
            if (eligible(teams[j].kind, sg)) {
                can[sg] = 1;
                double rt = team_rate(cfg, &teams[j], sg);
                if (rt > best_rate[sg])
                    best_rate[sg] = rt;
            }

    /* routes, costs, value, priority */
    double min_cost = -1;
    size_t min_i = 0;
    for (size_t i = 0; i < n; i++) {
        dm_route rt = choose_route(cfg, &h[i]);
        r->route[i] = rt;
        r->cost[i] = route_cost(cfg, &h[i], rt);
        r->value[i] = dm__plan_value(cfg, &h[i]);
        r->risk_removed[i] = h[i].items * cfg->detect[rt] + cfg->release_weight * h[i].area_ha;
        double c = r->cost[i] > 1 ? r->cost[i] : 1;
        r->priority[i] = r->value[i] * r->risk_removed[i] / c * 1e6; /* per million USD */
        w[i].ha[rt == DM_ROUTE_CLEAR ? DM_ROUTE_CLEAR : rt] = h[i].area_ha;
        if (rt == DM_ROUTE_REDUCE)
            w[i].ha[DM_ROUTE_CLEAR] = h[i].p * ts_share(cfg, &h[i]) * h[i].area_ha;
        for (int sg = 0; sg < DM_ROUTES; sg++) {
            if (w[i].ha[sg] > 0 && !can[sg]) {
                st = dm__fail(ctx, DM_EINVAL,
                              "hazard %s needs %s but no team can do it: add a team with method %s",
                              h[i].ref[0] ? h[i].ref : h[i].uuid,
                              sg == DM_ROUTE_CANCEL ? "non-technical survey"
                              : sg == DM_ROUTE_REDUCE ? "technical survey"
                                                      : "clearance",
                              sg == DM_ROUTE_CANCEL ? "survey" : "manual, mechanical or dogs");
                goto done;
            }
            if (w[i].ha[sg] > 0 && best_rate[sg] > 0)
                r->days[i] += w[i].ha[sg] / best_rate[sg];
        }
        /* the cost of a piece, per hectare of its stage: each stage at its
         * own rate, the items where they are destroyed (the last stage) */
        {
            double sc[DM_ROUTES] = {0, 0, 0};
            int lastsg = -1;
            for (int sg = 0; sg < DM_ROUTES; sg++)
                if (w[i].ha[sg] > 0) {
                    sc[sg] = w[i].ha[sg] * cfg->usd_ha[sg];
                    lastsg = sg;
                }
            if (lastsg >= 0) {
                double rest = r->cost[i] - sc[0] - sc[1] - sc[2];
                sc[lastsg] += rest;
            }
            for (int sg = 0; sg < DM_ROUTES; sg++)
                cph[i * DM_ROUTES + sg] = w[i].ha[sg] > 0 ? sc[sg] / w[i].ha[sg] : 0;
        }
        r->area_route[rt] += h[i].area_ha;
        r->items_route[rt] += h[i].items;
        r->n_route[rt] += 1;
        r->total_area_ha += h[i].area_ha;
        r->total_items += h[i].items;
        r->total_cost += r->cost[i];
        if (min_cost < 0 || r->cost[i] < min_cost) {
            min_cost = r->cost[i];
            min_i = i;
        }
        order[i] = i;
    }
    g_prio = r->priority;
    qsort(order, n, sizeof *order, cmp_prio);
    for (size_t k = 0; k < n; k++)
        r->rank[order[k]] = (long)k + 1;

    /* budget: fund in priority order while the money lasts */
    if (cfg->budget_usd > 0 && n > 0 && min_cost > cfg->budget_usd) {
        /* the budget funds whole hazards: name the cheapest, and what it
         * costs, in the plan's own way of writing dollars */
        char b1[48], b2[48];
        st = dm__fail(ctx, DM_EINVAL,
                      "budget USD %s cannot fund even the cheapest hazard, %s (%s, USD %s at unit rates): a "
                      "budget funds whole hazards; give at least that",
                      dm_plan_usd_text(b1, sizeof b1, cfg->budget_usd), h[min_i].ref[0] ? h[min_i].ref : h[min_i].uuid,
                      dm_route_name(choose_route(cfg, &h[min_i])), dm_plan_usd_text(b2, sizeof b2, min_cost));
        goto done;
    }
    double spent = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (cfg->budget_usd <= 0 || spent + r->cost[i] <= cfg->budget_usd) {
            r->funded[i] = 1;
            spent += r->cost[i];
            r->n_funded++;
        }
    }
    r->funded_cost = spent;
    for (size_t i = 0; i < n; i++) {
        if (r->funded[i])
            r->residual_items += h[i].items * (1 - cfg->detect[r->route[i]]);
        else
            r->unfunded_items += h[i].items;
    }

    /* the expected plan, with its task list; the database holds dates up
     * to 2200-12-31: a piece starting after it (the working days to it, a
     * little over) stops the schedule */
    s.record = 1;
    s.limit_wd = (dm_date_days("2200-12-31") - d0 + 1) * wdw / 7 + wdw + 1;
    if (s.limit_wd < 1)
        s.limit_wd = 1;
    long last = run_schedule(&s, order, n, r->funded, w, end, cph);
    if (s.oom) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory scheduling");
        goto done;
    }
    if (last == -3) {
        st = dm__fail(ctx, DM_EINVAL,
                      "the plan would end after 2200-12-31, the last date the database holds (more than "
                      "%ld working days from %s): add teams or faster ones",
                      (dm_date_days("2200-12-31") - d0 + 1) * wdw / 7, r->start);
        goto done;
    }
    r->tasks = s.tasks;
    r->n_tasks = s.n_tasks;
    s.tasks = NULL;
    s.cap_tasks = 0;
    s.record = 0;
    memcpy(r->team_days, s.busy, nt * sizeof *s.busy);
    for (size_t i = 0; i < n; i++) {
        r->start_wd[i] = r->end_wd[i] = -1;
        r->day_cost[i] = r->day_cost_lower_hz[i] = r->funded[i] ? 0 : -1;
        if (r->funded[i])
            r->day_items_cost += items_cost(cfg, &h[i], r->route[i]);
    }
    for (size_t k = 0; k < r->n_tasks; k++) {
        dm_plan_task *t = &r->tasks[k];
        size_t i = t->hazard;
        dm__civil_date(dm__workday_date(d0, wdw, t->start_wd), t->start);
        dm__civil_date(dm__workday_date(d0, wdw, t->end_wd - 1), t->end);
        if (r->start_wd[i] < 0 || t->start_wd < r->start_wd[i])
            r->start_wd[i] = t->start_wd;
        /* at the team's day rate: the days it works on the piece, and the
         * items where they are destroyed (the hazard's last stage), spread
         * over that stage's pieces by area as the unit-rate cost is */
        t->day_cost_usd = -1;
        double its = task_items_cost(cfg, h, r, w, t);
        if (teams[t->team].usd_day > 0)
            t->day_cost_usd = (t->end_day - t->start_day) * teams[t->team].usd_day + its;
        if (t->day_cost_usd < 0)
            r->day_cost[i] = -1;
        else if (r->day_cost[i] >= 0)
            r->day_cost[i] += t->day_cost_usd;
        /* the lower bound: a team with no rate adds its piece's items only */
        t->day_cost_lower_usd = t->day_cost_usd >= 0 ? t->day_cost_usd : its;
        r->day_cost_lower_hz[i] += t->day_cost_lower_usd;
    }
    r->day_cost_total = day_rate_cost_lb(teams, nt, r->team_days, r->day_items_cost, &r->day_cost_lower);
    /* kept from the start to the end of the day its last piece ends in:
     * whole days, as a team on contract is paid */
    for (size_t j = 0; j < nt; j++)
        r->team_kept_days[j] = r->team_days[j] > 0 ? (double)wd_end(s.free_at[j]) : 0;
    r->kept_cost_total = day_rate_cost_lb(teams, nt, r->team_kept_days, r->day_items_cost, &r->kept_cost_lower);
    int any_rated = 0, idle_unrated = 0, idle_rated = 0;
    for (size_t j = 0; j < nt; j++) {
        if (r->team_days[j] > 0 && !(teams[j].usd_day > 0))
            r->n_unrated++;
        if (!(teams[j].usd_day > 0))
            r->n_rateless++;
        else
            any_rated = 1;
    }
    if (!any_rated) {
        for (size_t i = 0; i < n; i++)
            r->day_cost_lower_hz[i] = -1;
        for (size_t k = 0; k < r->n_tasks; k++)
            r->tasks[k].day_cost_lower_usd = -1;
    }
    /* teams with no task, kept on contract from the start to the end of all
     * land, or to the horizon when the programme plans less far: not counted
     * above, reported beside */
    r->span_days = last > 0 ? last : 0;
    r->idle_days = r->span_days;
    if (cfg->horizon_years > 0) {
        /* the working days that end within the horizon, as n_late counts:
         * a task ending on working day e is late when years_of(e) > horizon */
        long hd = 0;
        while (hd < r->span_days && years_of(d0, wdw, hd + 1) <= cfg->horizon_years)
            hd++;
        if (hd < r->span_days) {
            r->idle_days = hd;
            r->idle_to_horizon = 1;
        }
    }
    dm__civil_date(dm__workday_date(d0, wdw, r->idle_days > 0 ? r->idle_days - 1 : 0), r->idle_until);
    for (size_t j = 0; j < nt; j++)
        if (!(r->team_days[j] > 0)) {
            r->n_idle++;
            if (teams[j].usd_day > 0) {
                r->idle_cost_lower += (double)r->idle_days * teams[j].usd_day;
                idle_rated = 1;
            } else
                idle_unrated = 1;
        }
    if (!any_rated || (idle_unrated && !idle_rated))
        r->idle_cost_lower = -1;
    r->idle_cost = any_rated && !idle_unrated ? r->idle_cost_lower : -1;
    /* every team kept over the idle teams' period: to the plan's end, the
     * working teams to their last task; to the horizon, the working teams
     * to their last task or the horizon, whichever comes first, and the
     * items destroyed by the horizon (each piece's share by its days) */
    {
        double items = r->day_items_cost, c = 0;
        int unknown = 0;
        if (r->idle_to_horizon) {
            items = 0;
            for (size_t k = 0; k < r->n_tasks; k++) {
                const dm_plan_task *t = &r->tasks[k];
                double hd = (double)r->idle_days;
                if (t->start_day >= hd || !(t->end_day > t->start_day))
                    continue;
                double e = t->end_day < hd ? t->end_day : hd;
                items += task_items_cost(cfg, h, r, w, t) * (e - t->start_day) / (t->end_day - t->start_day);
            }
        }
        r->kept_all_days = 0;
        for (size_t j = 0; j < nt; j++) {
            double kd = r->team_days[j] > 0 ? r->team_kept_days[j] : (double)r->idle_days;
            if (r->team_days[j] > 0 && r->idle_to_horizon && kd > (double)r->idle_days)
                kd = (double)r->idle_days;
            r->kept_all_days += kd;
            if (teams[j].usd_day > 0)
                c += kd * teams[j].usd_day;
            else if (kd > 0)
                unknown = 1;
        }
        r->kept_all_lower = any_rated ? c + items : -1;
        r->kept_all_cost = any_rated && !unknown ? c + items : -1;
    }
    long last_high = 0;
    for (size_t i = 0; i < n; i++) {
        r->end_wd[i] = end[i];
        if (end[i] >= 0 && is_high(cfg, &h[i], r->route[i])) {
            r->n_high++;
            if (end[i] > last_high)
                last_high = end[i];
        }
    }
    for (size_t i = 0; i < n; i++)
        if (cfg->horizon_years > 0 && end[i] > 0 && years_of(d0, wdw, end[i]) > cfg->horizon_years) {
            r->n_late++;
            r->late_ha += h[i].area_ha;
        }
    r->years_all = years_of(d0, wdw, last);
    r->years_high = years_of(d0, wdw, last_high);
    dm__civil_date(dm__workday_date(d0, wdw, last > 0 ? last - 1 : 0), r->end_all);
    dm__civil_date(dm__workday_date(d0, wdw, last_high > 0 ? last_high - 1 : 0), r->end_high);
    /* the database holds dates up to 2200 (dm_date_parse): a later end could
     * be computed but not stored */
    if (past_limit(d0, wdw, last)) {
        st = dm__fail(ctx, DM_EINVAL,
                      "the plan would take %.0f years (%ld working days), ending after "
                      "2200-12-31, the last date the database holds: add teams or faster ones",
                      r->years_all, last);
        goto done;
    }
    /* donor comparison: risk-based release of every hazard, whatever the
     * budget, against full clearance of every hazard (below) */
    {
        double items = 0;
        for (size_t i = 0; i < n; i++)
            items += items_cost(cfg, &h[i], r->route[i]);
        long lr = r->n_funded == n ? last : run_schedule(&s, order, n, NULL, w, end, NULL);
        r->rb_stopped = lr == -3 || past_limit(d0, wdw, lr);
        r->rb_years = r->rb_stopped ? limit_years : years_of(d0, wdw, lr);
        r->rb_day_cost = day_rate_cost_lb(teams, nt, r->n_funded == n ? r->team_days : s.busy, items,
                                          &r->rb_day_cost_lower);
        if (r->rb_stopped)
            r->rb_day_cost = r->rb_day_cost_lower = -1;
    }
    r->rb_cost = r->total_cost;
    for (size_t i = 0; i < n; i++)
        r->rb_clear_ha += w[i].ha[DM_ROUTE_CLEAR];
    dm__progress(ctx, "plan", 1, 1);

    /* donor comparison: full clearance of every suspected hectare */
    {
        work *wf = dm_calloc(ctx, nn, sizeof *wf);
        if (!wf) {
            st = dm__fail(ctx, DM_ENOMEM, "out of memory");
            goto done;
        }
        double items = 0;
        for (size_t i = 0; i < n; i++) {
            wf[i].ha[DM_ROUTE_CLEAR] = h[i].area_ha;
            r->full_cost += route_cost(cfg, &h[i], DM_ROUTE_CLEAR);
            r->full_clear_ha += h[i].area_ha;
            items += items_cost(cfg, &h[i], DM_ROUTE_CLEAR);
        }
        long lf = can[DM_ROUTE_CLEAR] ? run_schedule(&s, order, n, NULL, wf, end, NULL) : -2;
        dm_free(ctx, wf);
        r->full_stopped = lf == -3 || past_limit(d0, wdw, lf);
        r->full_years = r->full_stopped ? limit_years : lf >= 0 ? years_of(d0, wdw, lf) : -1;
        r->full_day_cost = lf >= 0 ? day_rate_cost_lb(teams, nt, s.busy, items, &r->full_day_cost_lower) : -1;
        if (lf < 0 || r->full_stopped)
            r->full_day_cost = r->full_day_cost_lower = -1;
    }

    /* forecast: sample contamination, reschedule */
    r->samples = ns;
    uint64_t rng = cfg->seed * 0x2545F4914F6CDD1Dull + 12345;
    work *ws = dm_calloc(ctx, nn, sizeof *ws);
    if (!ws) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    int day_known = 1, lower_known = 1;
    for (int k = 0; k < ns; k++) {
        double cost = 0, icost = 0;
        int beyond = 0;
        double u1 = rng_unif(&rng), u2 = rng_unif(&rng);
        double z = sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
        double fac = exp(cfg->calibration_sd * z);
        for (size_t i = 0; i < n; i++) {
            memset(&ws[i], 0, sizeof ws[i]);
            if (!r->funded[i])
                continue;
            const dm_plan_hazard *hz = &h[i];
            double pk = 1 - pow(1 - hz->p, fac), ik = hz->items * fac;
            int contam = rng_unif(&rng) < pk;
            long items = 0;
            if (contam) {
                double cond = pk > 0 ? ik / pk : ik;
                items = 1 + rng_poisson(&rng, cond > 1 ? cond - 1 : 0);
            }
            dm_route rt = r->route[i];
            ws[i].ha[rt] = hz->area_ha;
            cost += hz->area_ha * cfg->usd_ha[rt];
            if (rt == DM_ROUTE_CANCEL && contam && rng_unif(&rng) < cfg->nts_find) {
                if (!can[DM_ROUTE_REDUCE] || !can[DM_ROUTE_CLEAR]) {
                    /* found, but no team in the file can survey and clear
                     * it: left out of the sample, and counted */
                    beyond = 1;
                } else {
                    ws[i].ha[DM_ROUTE_REDUCE] = hz->area_ha;
                    cost += hz->area_ha * cfg->usd_ha[DM_ROUTE_REDUCE];
                    rt = DM_ROUTE_REDUCE;
                }
            }
            if (rt == DM_ROUTE_REDUCE && contam) {
                dm_plan_hazard hs; /* only what ts_share reads, not the names */
                hs.area_ha = hz->area_ha;
                hs.p = pk;
                hs.items = ik;
                ws[i].ha[DM_ROUTE_CLEAR] = ts_share(cfg, &hs) * hz->area_ha;
                cost += ws[i].ha[DM_ROUTE_CLEAR] * cfg->usd_ha[DM_ROUTE_CLEAR];
            }
            if (rt != DM_ROUTE_CANCEL)
                icost += (double)items * cfg->detect[rt] * cfg->usd_item;
        }
        cost += icost;
        r->mc_beyond_teams += beyond;
        long la = run_schedule(&s, order, n, r->funded, ws, end, NULL);
        long lh = 0;
        int stopped = la == -3 || past_limit(d0, wdw, la);
        for (size_t i = 0; i < n; i++)
            if (end[i] > lh && is_high(cfg, &h[i], r->route[i]))
                lh = end[i];
        mc_a[k] = stopped ? limit_years : years_of(d0, wdw, la);
        /* stopped before every high-risk hazard was scheduled: its end is
         * not known either, only that it is not before what was scheduled */
        mc_h[k] = stopped ? limit_years : years_of(d0, wdw, lh);
        mc_c[k] = cost;
        mc_d[k] = day_rate_cost_lb(teams, nt, s.busy, icost, &mc_dl[k]);
        if (stopped) {
            /* the days after the stop are not counted: no day-rate cost */
            r->mc_stopped++;
            mc_d[k] = mc_dl[k] = -1;
        }
        if (mc_d[k] < 0)
            day_known = 0;
        if (mc_dl[k] < 0)
            lower_known = 0;
        dm__progress(ctx, "forecast", (uint64_t)k + 1, (uint64_t)ns);
    }
    dm_free(ctx, ws);
    r->mc_years_all = band_of(mc_a, ns);
    r->mc_years_high = band_of(mc_h, ns);
    r->mc_cost = band_of(mc_c, ns);
    r->mc_day_cost = band_of(mc_d, ns);
    if (!day_known || (ns == 0 && r->day_cost_total < 0))
        r->mc_day_cost.p10 = r->mc_day_cost.p50 = r->mc_day_cost.p90 = -1;
    r->mc_day_cost_lower = band_of(mc_dl, ns);
    if (!lower_known || (ns == 0 && r->day_cost_lower < 0))
        r->mc_day_cost_lower.p10 = r->mc_day_cost_lower.p50 = r->mc_day_cost_lower.p90 = -1;

done:
    dm_free(ctx, order);
    dm_free(ctx, end);
    dm_free(ctx, w);
    dm_free(ctx, cph);
    dm_free(ctx, s.free_at);
    dm_free(ctx, s.busy);
    dm_free(ctx, s.tasks);
    dm_free(ctx, mc_a);
    dm_free(ctx, mc_h);
    dm_free(ctx, mc_c);
    dm_free(ctx, mc_d);
    dm_free(ctx, mc_dl);
    if (st) {
        dm_plan_result_free(ctx, r);
        return st;
    }
    *out = r;
    return DM_OK;
}
