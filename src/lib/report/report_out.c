/* SPDX-License-Identifier: MIT
 *
 * report_out.c -- writes the national status report: a PDF of A4 pages
 * (cairo_pdf_surface) or an HTML page with the same figures embedded as
 * base64 PNG images, the key figures, the table by district, the plan
 * summary, the donor comparison and the first priorities.
 */
#include "report/report_internal.h"

#include <cairo-pdf.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW 595.0
#define PH 842.0

/* Text at (x, y), cut with an ellipsis to max_w points (0: page width). */
static void txt_w(cairo_t *cr, double x, double y, double size, int bold, const char *s0, double max_w)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char buf[1024];
    const char *s = dm__rep_text(cr, s0, max_w > 0 ? max_w : PW - 40 - x, buf, sizeof buf);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

static void txt(cairo_t *cr, double x, double y, double size, int bold, const char *s)
{
    txt_w(cr, x, y, size, bold, s, 0);
}

/* Text at (x, y) wrapped at spaces to the page width, each further line
 * indented and dy lower, at most three lines (the last cut with an
 * ellipsis). Returns the lines drawn. */
static int txt_wrap(cairo_t *cr, double x, double y, double size, int bold, const char *s, double dy)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char buf[1024];
    int n = 0;
    while (*s) {
        double xi = n ? x + 12 : x, max_w = PW - 40 - xi;
        size_t len = strlen(s), cut = len;
        if (n < 2) {
            /* the longest part that ends before a space and fits */
            snprintf(buf, sizeof buf, "%s", s);
            cairo_text_extents_t e;
            cairo_text_extents(cr, buf, &e);
            while (e.x_advance > max_w) {
                size_t k = cut - 1; /* before the last break: progress each time */
                while (k > 0 && s[k] != ' ')
                    k--;
                while (k > 0 && s[k - 1] == ' ')
                    k--;
                if (k == 0)
                    break;
                cut = k;
                snprintf(buf, sizeof buf, "%.*s", (int)cut, s);
                cairo_text_extents(cr, buf, &e);
            }
            if (cut == 0 || e.x_advance > max_w)
                cut = len; /* no space to break at: cut with an ellipsis */
        }
        snprintf(buf, sizeof buf, "%.*s", (int)cut, s);
        txt_w(cr, xi, y + n * dy, size, bold, buf, max_w);
        n++;
        s += cut;
        while (*s == ' ')
            s++;
    }
    return n;
}

static void txt_r(cairo_t *cr, double x, double y, double size, const char *s0)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char buf[1024];
    const char *s = dm__rep_text(cr, s0, 0, buf, sizeof buf);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.x_advance, y);
    cairo_show_text(cr, s);
}

/* ---- the key figures, as lines shared by both formats ------------------- */

typedef struct lines {
    char l[24][400];
    int n;
} lines;

static void add(lines *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(lines *L, const char *fmt, ...)
{
    if (L->n >= 24)
        return;
    va_list ap;
    va_start(ap, fmt);
    char b[1024];
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    dm__rep_text(NULL, b, 0, L->l[L->n++], sizeof L->l[0]); /* cut on a character */
}

/* The funded schedule at the teams' own day rates (cost_usd_day), beside
 * the unit-rate cost; "unknown" when the plan could not cost it (a team
 * that works has rate 0), never USD 0. */
static void day_rate_line(lines *L, json_t *p, json_t *dr, int budget)
{
    double usd;
    const char *rates = json_string_value(json_object_get(dr, "rates")); /* plans since that key */
    if (!dm__jday(dr, "cost_usd", &usd)) {
        const char *first = json_string_value(json_object_get(dr, "first_unrated"));
        double lower;
        if (rates && !strcmp(rates, "some") && dm__jday(dr, "cost_usd_lower_bound", &lower)) {
            /* some teams have a rate: what they cost is a lower bound, and so
             * is the forecast's band */
            json_t *fc = json_object_get(p, "forecast"),
                   *bd = json_object_get(fc, "day_rate_cost_usd_lower_bound");
            double b10, b90;
            char band[120] = "", u[40], ub[80];
            if (dm__jnum(fc, "samples") > 0 && dm__jday(bd, "p10", &b10) && dm__jday(bd, "p90", &b90))
                snprintf(band, sizeof band, "; P10-P90 at least %s", dm__rep_usd_band(ub, sizeof ub, b10, b90));
            if (budget) {
                char all[48];
                add(L, "At the teams' day rates: at least USD %s for the funded hazards, %s for all "
                       "(lower bounds: %.0f of %.0f teams have no day rate)%s; %.0f team-days",
                    dm__rep_usd(u, sizeof u, lower),
                    dm__day_m(all, sizeof all, json_object_get(json_object_get(p, "comparison"), "risk_based"),
                              "day_rate_cost_usd"),
                    dm__jnum(dr, "teams_without_rate"), dm__jnum(p, "teams"), band, dm__jnum(dr, "team_days"));
            } else
                add(L, "At the teams' day rates: at least USD %s (lower bound: %.0f of %.0f teams have "
                       "no day rate)%s; %.0f team-days",
                    dm__rep_usd(u, sizeof u, lower), dm__jnum(dr, "teams_without_rate"), dm__jnum(p, "teams"), band,
                    dm__jnum(dr, "team_days"));
            add(L, "Teams with no day rate (cost_usd_day 0) that work in the schedule: %.0f%s%s",
                dm__jnum(dr, "unrated_teams"), first ? ", the first " : "", first ? first : "");
            double kept;
            if (dm__jday(dr, "kept_cost_usd_lower_bound", &kept) && kept > lower + 0.005)
                add(L, "With each team kept from the start to its last task: at least USD %s; "
                       "%.0f team-days",
                    dm__rep_usd(u, sizeof u, kept), dm__jnum(dr, "kept_team_days"));
            return;
        }
        if (rates && !strcmp(rates, "none"))
            add(L, "At the teams' day rates: unknown (no team has a day rate: cost_usd_day is 0 for "
                   "all %.0f)",
                dm__jnum(p, "teams"));
        else if (first)
            add(L, "At the teams' day rates: unknown (cost_usd_day is 0 for %.0f team(s) that "
                   "work, the first %s)",
                dm__jnum(dr, "unrated_teams"), first);
        else
            add(L, "At the teams' day rates: unknown (no team has a cost_usd_day)");
        return;
    }
    /* the forecast's band, when it was sampled and is known */
    json_t *fc = json_object_get(p, "forecast"), *bd = json_object_get(fc, "day_rate_cost_usd");
    double b10, b90;
    char band[120] = "", u[40], u2[40], ub[80];
    if (dm__jnum(fc, "samples") > 0 && dm__jday(bd, "p10", &b10) && dm__jday(bd, "p90", &b90))
        snprintf(band, sizeof band, " (P10-P90 %s)", dm__rep_usd_band(ub, sizeof ub, b10, b90));
    if (budget) {
        char all[48];
        add(L, "At the teams' day rates: USD %s for the funded hazards%s, %s for all; "
               "%.0f team-days",
            dm__rep_usd(u, sizeof u, usd), band,
            dm__day_m(all, sizeof all,
                      json_object_get(json_object_get(p, "comparison"), "risk_based"),
                      "day_rate_cost_usd"),
            dm__jnum(dr, "team_days"));
    } else
        add(L, "At the teams' day rates: USD %s%s; %.0f team-days, USD %s of it for "
               "the items",
            dm__rep_usd(u, sizeof u, usd), band, dm__jnum(dr, "team_days"),
            dm__rep_usd(u2, sizeof u2, dm__jnum(dr, "items_cost_usd")));
    /* teams kept from the start to their last task (plans since that figure) */
    double kept, kept_days = dm__jnum(dr, "kept_team_days"), days = dm__jnum(dr, "team_days");
    if (dm__jday(dr, "kept_cost_usd", &kept) && kept > usd + 0.005 && kept_days > 0)
        add(L, "With each team kept from the start to its last task: USD %s; %.0f team-days, "
               "%.0f%% at work",
            dm__rep_usd(u, sizeof u, kept), kept_days, 100.0 * days / kept_days);
    if (rates && !strcmp(rates, "some"))
        add(L, "(%.0f of %.0f teams have no day rate; none of them works in the schedule)",
            dm__jnum(dr, "teams_without_rate"), dm__jnum(p, "teams"));
}

/* Teams listed that get no task: what they would cost if kept on contract
 * to the end of the plan, which no other figure counts. */
static void idle_line(lines *L, json_t *p)
{
    json_t *it = json_object_get(p, "idle_teams"), *names = json_object_get(it, "names");
    if (!it || !(dm__jnum(it, "teams") > 0))
        return;
    char nm[120] = "";
    size_t len = 0, k;
    json_t *v;
    json_array_foreach(names, k, v)
    {
        const char *s = json_string_value(v);
        int w = k < 4 && s ? snprintf(nm + len, sizeof nm - len, "%s%s", k ? ", " : "", s) : -1;
        if (w < 0 || (size_t)w >= sizeof nm - len) {
            nm[len] = 0;
            snprintf(nm + len, sizeof nm - len, "%s...", len ? ", " : "");
            break;
        }
        len += (size_t)w;
    }
    double usd, lower, all;
    char c[64], u[40];
    if (dm__jday(it, "cost_usd", &usd))
        snprintf(c, sizeof c, "USD %s", dm__rep_usd(u, sizeof u, usd));
    else if (dm__jday(it, "cost_usd_lower_bound", &lower))
        snprintf(c, sizeof c, "at least USD %s", dm__rep_usd(u, sizeof u, lower));
    else
        snprintf(c, sizeof c, "an unknown sum (no day rate)");
    add(L, "Idle teams: %.0f of %.0f get no task (%s), in none of the costs above",
        dm__jnum(it, "teams"), dm__jnum(p, "teams"), nm);
    /* the period they are costed over (plans since "period"): to the plan's
     * end, or to the horizon when it comes first */
    const char *per = json_string_value(json_object_get(it, "period")),
               *until = json_string_value(json_object_get(it, "until"));
    char to[96];
    double each = dm__jnum(it, "days_each");
    const char *wd = each == 1 ? "working day" : "working days";
    int horizon = per && !strcmp(per, "horizon");
    if (horizon && !(each > 0)) {
        /* a horizon that ends before the first working day does: no day to
         * keep them for, as the plan's text says (not "0 working days" at
         * USD 0) */
        add(L, "Idle teams kept on contract to the %g-year horizon: nothing, it holds less than one working day "
               "(the first, %s, ends after it)",
            dm__jnum(json_object_get(p, "config"), "horizon_years"), until ? until : "?");
        return;
    }
    if (horizon)
        snprintf(to, sizeof to, "to the %g-year horizon (%s, %.0f %s each)",
                 dm__jnum(json_object_get(p, "config"), "horizon_years"), until ? until : "?", each, wd);
    else if (until)
        snprintf(to, sizeof to, "to the plan's end (%s, %.0f %s each)", until, each, wd);
    else
        snprintf(to, sizeof to, "to the plan's end (%.0f %s each)", each, wd);
    /* every team kept over the same period: the working ones to their last
     * task, or to the horizon when it comes first (plans since then give
     * its team-days) */
    char a[48];
    if (json_object_get(it, "kept_with_idle_team_days") &&
        (dm__jday(it, "kept_with_idle_cost_usd", &all) || dm__jday(it, "kept_with_idle_cost_usd_lower_bound", &all)))
        add(L, "Idle teams kept on contract %s: %s; every team kept %s: %s (%.0f team-days%s)", to, c,
            horizon ? "to the horizon, the working ones to their last task if sooner"
                    : "(the working ones to their last task)",
            dm__day_m(a, sizeof a, it, "kept_with_idle_cost_usd"), dm__jnum(it, "kept_with_idle_team_days"),
            horizon ? ", the items destroyed by then" : "");
    else if (!horizon && dm__jday(it, "kept_with_idle_cost_usd", &all))
        add(L, "Idle teams kept on contract %s: %s; every team kept: USD %s", to, c, dm__rep_usd(u, sizeof u, all));
    else
        add(L, "Idle teams kept on contract %s: %s", to, c);
}

/* The part of a plan of more districts (REP_PLAN_WIDER) that is in the
 * districts of the report, summed from its tasks, and what of the plan is
 * not theirs. */
static void part_lines(const rep_data *d, lines *L)
{
    const struct rep_part *q = &d->part;
    json_t *p = d->plan;
    const char *start = json_string_value(json_object_get(p, "start"));
    char u1[40], u2[40], c[200], dr[200] = "";
    add(L, "Plan from %s, of %s: %ld of its %ld open hazard%s %s in %s, %.1f ha, %.0f expected item%s",
        start ? start : "?", d->plan_scope, d->plan_in, d->plan_n, d->plan_n == 1 ? "" : "s",
        d->plan_in == 1 ? "is" : "are", d->scope, q->ha, q->items, q->items > 0.5 && q->items < 1.5 ? "" : "s");
    if (d->unplanned[0])
        add(L, "Not in the stored plan (of %s): %s", d->plan_scope, d->unplanned);
    if (q->funded)
        add(L, "Their routes: cancel %.1f ha, reduce %.1f ha, full clearance %.1f ha; their land released by %s in "
               "the plan's schedule",
            q->route_ha[0], q->route_ha[1], q->route_ha[2], q->end[0] ? q->end : "?");
    else
        add(L, "Their routes: cancel %.1f ha, reduce %.1f ha, full clearance %.1f ha; none of them funded by the "
               "plan's budget",
            q->route_ha[0], q->route_ha[1], q->route_ha[2]);
    if (q->unfunded && q->funded)
        snprintf(c, sizeof c, "USD %s for the %ld funded, USD %s for all (%ld unfunded by the plan's budget)",
                 dm__rep_usd(u1, sizeof u1, q->funded_cost), q->funded, dm__rep_usd(u2, sizeof u2, q->cost),
                 q->unfunded);
    else
        snprintf(c, sizeof c, "USD %s", dm__rep_usd(u1, sizeof u1, q->cost));
    if (json_object_get(p, "day_rate") && q->funded) {
        if (!q->day_unknown)
            snprintf(dr, sizeof dr, "; at the teams' day rates USD %s", dm__rep_usd(u2, sizeof u2, q->day));
        else if (q->day > 0)
            snprintf(dr, sizeof dr, "; at the teams' day rates at least USD %s (some of their teams have no day "
                                    "rate)",
                     dm__rep_usd(u2, sizeof u2, q->day));
        else
            snprintf(dr, sizeof dr, "; at the teams' day rates unknown (their teams have no day rate)");
    }
    add(L, "Their cost at unit rates %s%s", c, dr);
    add(L, "The plan's years, forecast, total cost and the donor's comparison are of %s, not of %s: "
           "demine plan DB %s makes a plan of these alone",
        d->plan_scope, d->scope, d->scope_opt);
}

static void key_figures(const rep_data *d, lines *L)
{
    json_t *hz = json_object_get(d->stats, "hazards"), *bt = json_object_get(hz, "by_type");
    json_t *rel = json_object_get(d->stats, "released"), *vic = json_object_get(d->stats, "victims");
    json_t *it = json_object_get(d->stats, "items");
    memset(L, 0, sizeof *L);
    add(L, "Hazardous areas: %lld (SHA %.0f, CHA %.0f); %.1f ha still to release",
        (long long)json_integer_value(json_object_get(hz, "count")),
        dm__jnum(json_object_get(bt, "SHA"), "count"), dm__jnum(json_object_get(bt, "CHA"), "count"),
        dm__jnum(hz, "remaining_ha"));
    if (json_object_get(rel, "unknown_ha"))
        add(L, "Land released: %.1f ha (cancelled %.1f, reduced %.1f, cleared %.1f, outcome "
               "missing or unknown %.1f)",
            dm__jnum(rel, "total_ha"), dm__jnum(rel, "cancelled_ha"), dm__jnum(rel, "reduced_ha"),
            dm__jnum(rel, "cleared_ha"), dm__jnum(rel, "unknown_ha"));
    else
        add(L, "Land released: %.1f ha (cancelled %.1f, reduced %.1f, cleared %.1f)",
            dm__jnum(rel, "total_ha"), dm__jnum(rel, "cancelled_ha"), dm__jnum(rel, "reduced_ha"),
            dm__jnum(rel, "cleared_ha"));
    /* not "and destroyed": a find may be removed, stored or of unknown fate */
    add(L, "Explosive ordnance found: %.0f items", dm__jnum(it, "total"));
    add(L, "Casualties: %.0f (killed %.0f, injured %.0f; civilians %.0f, deminers %.0f, military %.0f, "
           "children %.0f)",
        dm__jnum(vic, "total"), dm__jnum(vic, "killed"), dm__jnum(vic, "injured"),
        dm__jnum(vic, "civilian"), dm__jnum(vic, "deminer"), dm__jnum(vic, "military"),
        dm__jnum(vic, "children"));
    json_t *eo = json_object_get(d->stats, "eore");
    if (dm__jnum(eo, "sessions") > 0)
        add(L, "Risk education: %.0f people reached in %.0f sessions (men %.0f, women %.0f, boys %.0f, girls %.0f)",
            dm__jnum(eo, "beneficiaries"), dm__jnum(eo, "sessions"), dm__jnum(eo, "men"), dm__jnum(eo, "women"),
            dm__jnum(eo, "boys"), dm__jnum(eo, "girls"));
    /* field reports sent and not approved yet: their land and finds are in
     * no figure above */
    json_t *na = json_object_get(d->stats, "not_approved");
    double n_draft = dm__jnum(na, "drafts"), n_rej = dm__jnum(na, "rejected"), n_items = dm__jnum(na, "items");
    if (n_draft > 0 || n_rej > 0) {
        char rej[80] = "", its[80] = "";
        if (n_rej > 0)
            snprintf(rej, sizeof rej, "%s%.0f rejected", n_draft > 0 ? " and " : "", n_rej);
        if (n_items > 0)
            snprintf(its, sizeof its, ", with %.0f item%s found", n_items, n_items == 1 ? "" : "s");
        if (n_draft > 0)
            add(L, "Not in these figures: %.0f field report%s awaiting review%s%s (demine reports DB)", n_draft,
                n_draft == 1 ? "" : "s", rej, its);
        else
            add(L, "Not in these figures: %s field report%s%s (demine reports DB --status rejected)", rej,
                n_rej == 1 ? "" : "s", its);
    }
    if (!d->plan) {
        if (d->scoped)
            add(L, "No land release plan yet (demine plan DB %s).", d->scope_opt);
        else
            add(L, "No land release plan yet (demine plan DB --teams TEAMS.csv).");
        return;
    }
    json_t *p = d->plan, *ro = json_object_get(p, "routes");
    if (d->plan_fit == REP_PLAN_OTHER) {
        /* a plan of other districts: none of it here */
        const char *st = json_string_value(json_object_get(p, "start"));
        add(L, "No plan of %s: the stored plan (from %s) is of %s, none of whose %ld hazards is in it; "
               "demine plan DB %s makes one",
            d->scope, st ? st : "?", d->plan_scope, d->plan_n, d->scope_opt);
        return;
    }
    if (dm__rep_no_plan(d)) {
        /* a plan of no hazard: no page of zeros */
        const char *st = json_string_value(json_object_get(p, "start"));
        add(L, "Plan from %s: %s", st ? st : "?", dm__rep_no_plan(d));
        return;
    }
    if (d->plan_fit == REP_PLAN_WIDER) {
        part_lines(d, L);
        return;
    }
    /* a plan of some districts (--district) says which */
    const char *scope = json_string_value(json_object_get(p, "scope"));
    add(L, "Plan from %s: %.0f open hazard%s%s%s%s, %.1f ha, %.0f expected items, %.0f teams",
        json_string_value(json_object_get(p, "start")), dm__jnum(p, "hazards"), dm__jnum(p, "hazards") == 1 ? "" : "s",
        scope ? " (" : "", scope ? scope : "", scope ? ")" : "", dm__jnum(p, "area_ha"), dm__jnum(p, "expected_items"),
        dm__jnum(p, "teams"));
    /* a report of more districts than the plan: those it leaves out */
    if (d->unplanned[0])
        add(L, "Not in the stored plan (of %s): %s", d->plan_scope, d->unplanned);
    /* land reduced by technical survey is partly cleared: say how much is
     * cleared in all, the figure the donor comparison gives */
    double clear_ha = dm__jnum(json_object_get(ro, "clear"), "area_ha"),
           cleared = dm__jnum(json_object_get(json_object_get(p, "comparison"), "risk_based"), "clear_ha");
    if (cleared > clear_ha + 0.05)
        add(L, "Routes: cancel %.1f ha, reduce %.1f ha, full clearance %.1f ha; %.1f ha cleared in all (technical "
               "survey clears part of the land it reduces)",
            dm__jnum(json_object_get(ro, "cancel"), "area_ha"), dm__jnum(json_object_get(ro, "reduce"), "area_ha"),
            clear_ha, cleared);
    else
        add(L, "Routes: cancel %.1f ha, reduce %.1f ha, full clearance %.1f ha",
            dm__jnum(json_object_get(ro, "cancel"), "area_ha"), dm__jnum(json_object_get(ro, "reduce"), "area_ha"),
            clear_ha);
    json_t *hi = json_object_get(p, "high_risk"), *al = json_object_get(p, "all");
    json_t *fc = json_object_get(p, "forecast");
    json_t *yh = json_object_get(fc, "years_high"), *ya = json_object_get(fc, "years_all"),
           *co = json_object_get(fc, "cost_usd");
    /* a plan made with --samples 0 has no forecast: no band, never "P10-P90 0-0" */
    int sampled = dm__jnum(fc, "samples") > 0;
    char bh[64] = "", ba[64] = "", bc[120] = "", ub[80], u1[40], u2[40];
    if (sampled) {
        snprintf(bh, sizeof bh, "; P10-P90 %.1f-%.1f", dm__jnum(yh, "p10"), dm__jnum(yh, "p90"));
        snprintf(ba, sizeof ba, "; P10-P90 %.1f-%.1f", dm__jnum(ya, "p10"), dm__jnum(ya, "p90"));
        snprintf(bc, sizeof bc, " (P10-P90 %s)",
                 dm__rep_usd_band(ub, sizeof ub, dm__jnum(co, "p10"), dm__jnum(co, "p90")));
    }
    /* no high-risk hazard funded (a small budget) or none at all: no date
     * for it, as the plan's text says */
    if (json_is_number(json_object_get(hi, "hazards")) && !(dm__jnum(hi, "hazards") > 0))
        add(L, "High-risk land: none %s", dm__jnum(p, "funded") < dm__jnum(p, "hazards") ? "funded" : "in the plan");
    else
        add(L, "High-risk land released by %s (%.1f years%s)", json_string_value(json_object_get(hi, "end")),
            dm__jnum(hi, "years"), bh);
    /* with a budget that leaves hazards unfunded, the date is that of the funded land */
    add(L, "%s land released by %s (%.1f years%s)",
        dm__jnum(p, "funded") < dm__jnum(p, "hazards") && json_object_get(p, "funded") ? "All funded" : "All",
        json_string_value(json_object_get(al, "end")), dm__jnum(al, "years"), ba);
    if (sampled && dm__jnum(fc, "samples_stopped") > 0)
        add(L, "In %.0f of %.0f forecast samples the schedule passes %s, where the plan stops it: the band's "
               "upper years are counted to then",
            dm__jnum(fc, "samples_stopped"), dm__jnum(fc, "samples"),
            json_string_value(json_object_get(fc, "stopped_at")) ? json_string_value(json_object_get(fc, "stopped_at"))
                                                                 : "2200-12-31");
    /* samples whose finds in cancelled land no team in the plan can survey and clear */
    if (sampled && dm__jnum(fc, "samples_beyond_teams") > 0)
        add(L, "In %.0f of %.0f forecast samples survey finds items that no team in the plan can survey and "
               "clear: left out of the forecast",
            dm__jnum(fc, "samples_beyond_teams"), dm__jnum(fc, "samples"));
    /* a plan made with --horizon: the land that ends beyond it */
    double hy = dm__jnum(json_object_get(p, "config"), "horizon_years");
    json_t *bh_ = json_object_get(p, "beyond_horizon");
    if (hy > 0 && bh_) {
        json_t *idle = json_object_get(p, "idle_teams");
        const char *per = json_string_value(json_object_get(idle, "period"));
        if (dm__jnum(bh_, "hazards") > 0)
            add(L, "Beyond the %g-year horizon: %.0f hazard%s (%.1f ha) end%s later%s", hy, dm__jnum(bh_, "hazards"),
                dm__jnum(bh_, "hazards") == 1 ? "" : "s", dm__jnum(bh_, "area_ha"), dm__jnum(bh_, "hazards") == 1 ? "s" : "",
                per && !strcmp(per, "horizon") && !(dm__jnum(idle, "days_each") > 0)
                    ? " (it holds less than one working day: every hazard ends after it)"
                    : "");
        else
            add(L, "Every funded hazard ends within the %g-year horizon", hy);
    }
    /* the forecast's band covers the funded hazards: pair it with their cost */
    double all_cost = dm__jnum(p, "cost_usd"), funded_cost = dm__jnum(p, "funded_cost_usd");
    if (!(funded_cost >= 0) || !json_object_get(p, "funded_cost_usd"))
        funded_cost = all_cost;
    if (funded_cost < all_cost - 0.005)
        add(L, "Expected cost at unit rates USD %s for the %.0f funded hazard%s%s of "
               "USD %s for all; residual risk %.1f expected items in released land, %.1f in "
               "unfunded hazards",
            dm__rep_usd(u1, sizeof u1, funded_cost), dm__jnum(p, "funded"),
            dm__jnum(p, "funded") == 1 ? "" : "s", bc, dm__rep_usd(u2, sizeof u2, all_cost),
            dm__jnum(p, "residual_items"),
            dm__jnum(p, "unfunded_items"));
    else
        add(L, "Expected cost at unit rates USD %s%s; residual risk %.1f expected items",
            dm__rep_usd(u1, sizeof u1, funded_cost), bc,
            dm__jnum(p, "residual_items"));
    json_t *cmp = json_object_get(p, "comparison"), *f = json_object_get(cmp, "full_clearance"),
           *r = json_object_get(cmp, "risk_based");
    /* plans made before the day rates have no "day_rate": their lines stay as they were */
    json_t *dr = json_object_get(p, "day_rate");
    if (dr)
        day_rate_line(L, p, dr, funded_cost < all_cost - 0.005);
    /* a plan made with --budget: what it funds, and whether the funded
     * schedule costs more at the teams' day rates, as the plan's text says */
    double budget = dm__jnum(json_object_get(p, "config"), "budget_usd");
    if (budget > 0) {
        char ub1[40], ub2[40], over[160] = "";
        double dc;
        if (dm__jday(dr, "cost_usd", &dc) && dc > budget)
            snprintf(over, sizeof over, "; the funded schedule costs USD %s at the teams' day rates, over it",
                     dm__rep_usd(ub2, sizeof ub2, dc));
        else if (!dm__jday(dr, "cost_usd", &dc) && dm__jday(dr, "cost_usd_lower_bound", &dc) && dc > budget)
            snprintf(over, sizeof over, "; the funded schedule costs at least USD %s at the teams' day rates, over it",
                     dm__rep_usd(ub2, sizeof ub2, dc));
        add(L, "Budget USD %s at unit rates: %.0f of %.0f hazards funded%s", dm__rep_usd(ub1, sizeof ub1, budget),
            dm__jnum(p, "funded"), dm__jnum(p, "hazards"), over);
    }
    idle_line(L, p);
    /* full clearance with no team that clears in the team file: no years;
     * a schedule the plan stopped at its last date (2200-12-31) took longer */
    char fy[64], ry[64];
    if (json_is_number(json_object_get(f, "years")) && dm__jnum(f, "years") >= 0)
        snprintf(fy, sizeof fy, "%s%.1f years", json_object_get(f, "stopped_at") ? "over " : "", dm__jnum(f, "years"));
    else
        snprintf(fy, sizeof fy, "no team clears (years unknown)");
    snprintf(ry, sizeof ry, "%s%.1f years", json_object_get(r, "stopped_at") ? "over " : "", dm__jnum(r, "years"));
    add(L, "Clearing every suspected hectare: %s, USD %s; risk-based: %s, USD %s (unit "
           "rates)",
        fy, dm__rep_usd(u1, sizeof u1, dm__jnum(f, "cost_usd")), ry,
        dm__rep_usd(u2, sizeof u2, dm__jnum(r, "cost_usd")));
    const char *stop = json_string_value(json_object_get(f, "stopped_at"));
    if (!stop)
        stop = json_string_value(json_object_get(r, "stopped_at"));
    if (stop)
        add(L, "The %s schedule passes %s, where the plan stops it: its years are counted to then and its "
               "cost at the teams' day rates is unknown",
            json_object_get(f, "stopped_at") && json_object_get(r, "stopped_at") ? "full-clearance and risk-based"
            : json_object_get(f, "stopped_at")                                   ? "full-clearance"
                                                                                 : "risk-based",
            stop);
    if (dr) {
        char b1[48], b2[48];
        double lb;
        int bound = (!dm__jday(f, "day_rate_cost_usd", &lb) && dm__jday(f, "day_rate_cost_usd_lower_bound", &lb)) ||
                    (!dm__jday(r, "day_rate_cost_usd", &lb) && dm__jday(r, "day_rate_cost_usd_lower_bound", &lb));
        char why[80] = "";
        if (bound)
            snprintf(why, sizeof why, " (lower bounds: %.0f of %.0f teams have no day rate)",
                     dm__jnum(dr, "teams_without_rate"), dm__jnum(p, "teams"));
        add(L, "At the teams' day rates: clearing every suspected hectare %s, risk-based %s%s",
            dm__day_m(b1, sizeof b1, f, "day_rate_cost_usd"),
            dm__day_m(b2, sizeof b2, r, "day_rate_cost_usd"), why);
    }
}

/* ---- PDF --------------------------------------------------------------- */

static void page_header(cairo_t *cr, const rep_data *d, int page, const char *section)
{
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    txt(cr, 40, 40, 14, 1, section);
    char b[800];
    snprintf(b, sizeof b, "%s - %s - %s - page %d", d->title, d->db, d->date, page);
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    txt(cr, 40, PH - 24, 7.5, 0, b);
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, 40, 48);
    cairo_line_to(cr, PW - 40, 48);
    cairo_stroke(cr);
}

static double district_table(cairo_t *cr, const rep_data *d, double y)
{
    static const char *hd[] = {"district", "hazards", "SHA ha", "CHA ha", "remain ha",
                               "cancel ha", "reduce ha", "clear ha", "items", "accidents"};
    static const char *keys[] = {NULL, "hazards", "sha_ha", "cha_ha", "remaining_ha",
                                 "cancelled_ha", "reduced_ha", "cleared_ha", "items", "accidents"};
    double cx[10] = {40, 170, 215, 262, 309, 356, 403, 450, 497, 555};
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    txt(cr, 40, y, 11, 1, "Status by district");
    y += 16;
    /* nothing recorded: say so, not headings over no row */
    if (!json_object_size(json_object_get(d->stats, "groups"))) {
        txt(cr, 40, y, 8, 0, "none");
        return y + 12;
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    for (int k = 0; k < 10; k++) {
        if (k == 0)
            txt(cr, cx[0], y, 7.5, 1, hd[0]);
        else
            txt_r(cr, cx[k], y, 7.5, hd[k]);
    }
    y += 4;
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, 40, y);
    cairo_line_to(cr, PW - 40, y);
    cairo_stroke(cr);
    y += 10;
    const char *name;
    json_t *g;
    json_object_foreach(json_object_get(d->stats, "groups"), name, g)
    {
        if (y > PH - 60)
            break;
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        char b[64];
        txt_w(cr, cx[0], y, 7.5, 0, name, 100); /* up to the hazards column */
        for (int k = 1; k < 10; k++) {
            double v = dm__jnum(g, keys[k]);
            snprintf(b, sizeof b, k == 1 || k >= 8 ? "%.0f" : "%.1f", v);
            txt_r(cr, cx[k], y, 7.5, b);
        }
        y += 11;
    }
    /* released land whose outcome is missing or unknown is in no column:
     * say how much, so that the columns are not read as the whole */
    json_t *rel = json_object_get(d->stats, "released");
    if (json_object_get(rel, "unknown_ha") && y <= PH - 60) {
        char b[160];
        snprintf(b, sizeof b,
                 "Released land with its outcome missing or unknown, in no column above: %.1f ha",
                 dm__jnum(rel, "unknown_ha"));
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        txt(cr, 40, y, 7.5, 0, b);
        y += 11;
    }
    return y;
}

/* The heading of the priorities: in a plan of more districts than the
 * report's, theirs by their rank in it. */
static const char *prio_title(const rep_data *d, char *b, size_t n)
{
    if (d->plan_fit != REP_PLAN_WIDER)
        return "First priorities of the plan";
    snprintf(b, n, "Priorities in %s, by their rank in the plan of %s", d->scope, d->plan_scope);
    return b;
}

/* What the report is of, under its title: a report of some districts. */
static const char *scope_line(const rep_data *d, char *b, size_t n)
{
    snprintf(b, n, "Of %s%s: the hazards, land released, finds and accidents there (a row's district is its "
                   "field district, else the district polygon it lies in)",
             d->scope, d->sc.exclude ? "" : " alone");
    return b;
}

static double priority_table(cairo_t *cr, const rep_data *d, double y)
{
    char ttl[800];
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    txt(cr, 40, y, 11, 1, prio_title(d, ttl, sizeof ttl));
    y += 16;
    json_t *pr = d->plan ? json_object_get(d->plan, "priorities") : NULL;
    if (!json_array_size(pr)) {
        const char *why = dm__rep_no_plan(d);
        txt(cr, 40, y, 8, 0, why ? why : "no plan yet");
        return y + 12;
    }
    static const char *hd[] = {"rank", "hazard", "district", "route", "area ha", "p",
                               "items", "value", "cost USD", "day-rate USD"};
    double cx[10] = {60, 70, 170, 260, 340, 380, 430, 480, 555, 555};
    /* plans with day rates: one more column, the hazard's cost at the teams' rates */
    int dr = json_object_get(d->plan, "day_rate") != NULL, nc = dr ? 10 : 9;
    if (dr) {
        static const double cd[10] = {60, 70, 165, 245, 320, 350, 390, 430, 485, 555};
        memcpy(cx, cd, sizeof cx);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    for (int k = 0; k < nc; k++) {
        if (k == 1 || k == 2 || k == 3)
            txt(cr, cx[k], y, 7.5, 1, hd[k]);
        else
            txt_r(cr, cx[k], y, 7.5, hd[k]);
    }
    y += 4;
    cairo_move_to(cr, 40, y);
    cairo_line_to(cr, PW - 40, y);
    cairo_stroke(cr);
    y += 10;
    size_t i;
    json_t *o;
    json_array_foreach(pr, i, o)
    {
        if (i >= 20 || y > PH - 60)
            break;
        char b[64];
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        snprintf(b, sizeof b, "%.0f", dm__jnum(o, "rank"));
        txt_r(cr, cx[0], y, 7.5, b);
        txt_w(cr, cx[1], y, 7.5, 0, json_string_value(json_object_get(o, "hazard")), cx[2] - cx[1] - 5);
        const char *ds = json_string_value(json_object_get(o, "district"));
        txt_w(cr, cx[2], y, 7.5, 0, ds ? ds : "", cx[3] - cx[2] - 5);
        const char *rt = json_string_value(json_object_get(o, "route"));
        txt(cr, cx[3], y, 7.5, 0, rt ? rt : "");
        snprintf(b, sizeof b, "%.1f", dm__jnum(o, "area_ha"));
        txt_r(cr, cx[4], y, 7.5, b);
        snprintf(b, sizeof b, "%.2f", dm__jnum(o, "p_contam"));
        txt_r(cr, cx[5], y, 7.5, b);
        snprintf(b, sizeof b, "%.1f", dm__jnum(o, "expected_items"));
        txt_r(cr, cx[6], y, 7.5, b);
        snprintf(b, sizeof b, "%.1f", dm__jnum(o, "value"));
        txt_r(cr, cx[7], y, 7.5, b);
        snprintf(b, sizeof b, "%.0f", floor(dm__jnum(o, "cost_usd") + 0.5)); /* half up, as the plan */
        txt_r(cr, cx[8], y, 7.5, b);
        double v;
        if (dr) {
            if (dm__jday(o, "day_rate_cost_usd", &v))
                snprintf(b, sizeof b, "%.0f", floor(v + 0.5));
            else if (dm__jday(o, "day_rate_cost_usd_lower_bound", &v)) { /* a team on it has no rate */
                snprintf(b, sizeof b, "at least %.0f", v);
                /* a sum too wide for the column beside the unit-rate cost: the sign */
                cairo_text_extents_t e;
                cairo_set_font_size(cr, 7.5);
                cairo_text_extents(cr, b, &e);
                if (e.x_advance > cx[9] - cx[8] - 6)
                    snprintf(b, sizeof b, "\xE2\x89\xA5 %.0f", v);
            } else if (json_is_false(json_object_get(o, "funded")))
                snprintf(b, sizeof b, "unfunded"); /* left out by the budget: no schedule */
            else
                snprintf(b, sizeof b, "unknown");
            txt_r(cr, cx[9], y, 7.5, b);
        }
        y += 11;
    }
    return y;
}

static dm_status write_pdf(dm_ctx *ctx, const rep_data *d, const char *path)
{
    cairo_surface_t *sf = cairo_pdf_surface_create(path, PW, PH);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t cs0 = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        return dm__fail(ctx, DM_EIO, "%s: cannot write the PDF: %s", path, cairo_status_to_string(cs0));
    }
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "demine " DM_VERSION_STRING);
    cairo_t *cr = cairo_create(sf);
    /* 1: title, key figures, hazards by status */
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    double tsize = 18;
    if (d->scoped) {
        /* the names of its districts: smaller, down to 12 points, rather than cut */
        cairo_text_extents_t e;
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
        cairo_set_font_size(cr, tsize);
        cairo_text_extents(cr, d->title, &e);
        if (e.x_advance > PW - 80)
            tsize = fmax(12, floor(tsize * (PW - 80) / e.x_advance * 10) / 10);
    }
    txt(cr, 40, 50, tsize, 1, d->title);
    char b[800];
    snprintf(b, sizeof b, "Database %s, %s", d->db, d->date);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    txt(cr, 40, 68, 9, 0, b);
    double y = 92;
    if (d->scoped) {
        txt_wrap(cr, 40, 80, 8.5, 0, scope_line(d, b, sizeof b), 11);
        y = 106;
    }
    lines L;
    key_figures(d, &L);
    for (int i = 0; i < L.n; i++) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        int nl = txt_wrap(cr, 40, y, 8.5, i == 0 || i == 4, L.l[i], 11); /* a long figure wraps, not cut */
        y += 12.5 + 11 * (nl > 1 ? nl - 1 : 0);
    }
    dm__fig_map_status(cr, d, 40, y + 6, PW - 80, PH - y - 50);
    snprintf(b, sizeof b, "%s - %s - %s - page 1", d->title, d->db, d->date);
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    txt(cr, 40, PH - 24, 7.5, 0, b);
    cairo_show_page(cr);
    /* 2: risk map and plan */
    page_header(cr, d, 2, "Risk map and land release plan");
    dm__fig_map_risk(cr, d, 40, 58, PW - 80, 370);
    dm__fig_map_plan(cr, d, 40, 438, PW - 80, 370);
    cairo_show_page(cr);
    /* 3: charts */
    page_header(cr, d, 3, "Land release, ordnance, casualties and the forecast");
    double cw = (PW - 80 - 20) / 2, ch = 330;
    dm__fig_released(cr, d, 40, 60, cw, ch);
    dm__fig_items(cr, d, 40 + cw + 20, 60, cw, ch);
    dm__fig_casualties(cr, d, 40, 60 + ch + 20, cw, ch);
    dm__fig_burndown(cr, d, 40 + cw + 20, 60 + ch + 20, cw, ch);
    cairo_show_page(cr);
    /* 4: tables, donor comparison */
    page_header(cr, d, 4, "Districts, priorities and the donor's comparison");
    y = district_table(cr, d, 72);
    y = priority_table(cr, d, y + 18);
    if (y < PH - 260)
        dm__fig_donor(cr, d, 40, y + 14, PW - 80, fmin(240, PH - y - 60));
    cairo_show_page(cr);
    /* a drawing error stops all drawing after it: a report with pages left
     * blank is an error, not a report */
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return dm__fail(ctx, DM_EIO, "%s: writing the PDF failed: %s", path,
                        cairo_status_to_string(cs));
    return DM_OK;
}

/* ---- HTML -------------------------------------------------------------- */

static cairo_status_t png_sink(void *closure, const unsigned char *data, unsigned int len)
{
    dm_buf *b = closure;
    dm__buf_add(b, (const char *)data, len);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static void base64(dm_buf *out, const unsigned char *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        q[0] = t[(v >> 18) & 63];
        q[1] = t[(v >> 12) & 63];
        q[2] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? t[v & 63] : '=';
        dm__buf_add(out, q, 4);
    }
}

void dm__html_img(dm_buf *h, cairo_surface_t *img, double w, const char *alt)
{
    dm_buf png;
    dm__buf_init(&png);
    cairo_surface_write_to_png_stream(img, png_sink, &png);
    dm__buf_printf(h, "<figure><img width=\"%.0f\" alt=\"", w);
    dm__html_esc(h, alt);
    dm__buf_puts(h, "\" src=\"data:image/png;base64,");
    base64(h, (const unsigned char *)png.data, png.len);
    dm__buf_puts(h, "\"></figure>\n");
    if (png.oom)
        h->oom = 1;
    dm__buf_free(&png);
}

static void html_fig(dm_buf *h, const rep_data *d, rep_fig_fn fn, double w, double hh,
                     const char *alt)
{
    const double sc = 2; /* sharp on high-density screens */
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(w * sc), (int)(hh * sc));
    cairo_t *cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, sc, sc);
    fn(cr, d, 0, 0, w, hh);
    cairo_destroy(cr);
    dm__html_img(h, img, w, alt);
    cairo_surface_destroy(img);
}

void dm__html_esc(dm_buf *b, const char *s0)
{
    char u[2048];
    const char *s = dm__rep_text(NULL, s0, 0, u, sizeof u); /* valid UTF-8 */
    for (; *s; s++) {
        if (*s == '<')
            dm__buf_puts(b, "&lt;");
        else if (*s == '>')
            dm__buf_puts(b, "&gt;");
        else if (*s == '&')
            dm__buf_puts(b, "&amp;");
        else if (*s == '"')
            dm__buf_puts(b, "&quot;");
        else
            dm__buf_add(b, s, 1);
    }
}

void dm__html_head(dm_buf *h, const char *lang, const char *title, const char *css)
{
    dm__buf_printf(h, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"generator\" content=\"demine " DM_VERSION_STRING "\"><title>",
                   lang);
    dm__html_esc(h, title);
    dm__buf_puts(h, "</title><style>");
    dm__buf_puts(h, css);
    dm__buf_puts(h, "</style></head><body>\n");
}

dm_status dm__html_save(dm_ctx *ctx, dm_buf *h, const char *path)
{
    dm__buf_puts(h, "<p><small>Made by demine " DM_VERSION_STRING ".</small></p></body></html>\n");
    if (h->oom) {
        dm__buf_free(h);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing the report");
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        dm__buf_free(h);
        return dm__fail(ctx, DM_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    size_t w = fwrite(h->data, 1, h->len, f);
    int bad = w != h->len;
    if (fclose(f) != 0)
        bad = 1;
    dm__buf_free(h);
    return bad ? dm__fail(ctx, DM_EIO, "%s: write failed", path) : DM_OK;
}

static dm_status write_html(dm_ctx *ctx, const rep_data *d, const char *path)
{
    dm_buf h;
    dm__buf_init(&h);
    dm__html_head(&h, "en", d->title,
                  "body{font-family:sans-serif;max-width:960px;margin:2em auto;"
                  "color:#222}table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;"
                  "border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
                  "{text-align:left}figure{margin:1em 0}.row{display:flex;gap:12px;flex-wrap:wrap}");
    dm__buf_puts(&h, "<h1>");
    dm__html_esc(&h, d->title);
    dm__buf_puts(&h, "</h1>\n<p>Database ");
    dm__html_esc(&h, d->db);
    dm__buf_printf(&h, ", %s</p>\n", d->date);
    if (d->scoped) {
        char sl[800];
        dm__buf_puts(&h, "<p>");
        dm__html_esc(&h, scope_line(d, sl, sizeof sl));
        dm__buf_puts(&h, "</p>\n");
    }
    dm__buf_puts(&h, "<h2>Key figures</h2><ul>\n");
    lines L;
    key_figures(d, &L);
    for (int i = 0; i < L.n; i++) {
        dm__buf_puts(&h, "<li>");
        dm__html_esc(&h, L.l[i]);
        dm__buf_puts(&h, "</li>\n");
    }
    dm__buf_puts(&h, "</ul>\n<h2>Maps</h2>\n");
    html_fig(&h, d, dm__fig_map_status, 900, 620, "hazardous areas by status");
    html_fig(&h, d, dm__fig_map_risk, 900, 620, "risk map");
    html_fig(&h, d, dm__fig_map_plan, 900, 620, "land release plan");
    dm__buf_puts(&h, "<h2>Land release, ordnance, casualties, forecast</h2>\n<div class=\"row\">\n");
    html_fig(&h, d, dm__fig_released, 440, 300, "land released per year by method");
    html_fig(&h, d, dm__fig_items, 440, 300, "items found per year by type");
    html_fig(&h, d, dm__fig_casualties, 440, 300, "casualties per year");
    html_fig(&h, d, dm__fig_burndown, 440, 300, "forecast burn-down");
    /* released land whose outcome is missing or unknown: a column of its
     * own, so that each row's routes add up to what it released */
    int unk = json_object_get(json_object_get(d->stats, "released"), "unknown_ha") != NULL;
    json_t *groups = json_object_get(d->stats, "groups");
    dm__buf_puts(&h, "</div>\n<h2>Status by district</h2>\n");
    if (!json_object_size(groups))
        dm__buf_puts(&h, "<p>none</p>\n");
    else {
        dm__buf_puts(&h, "<table><tr><th>district</th><th>hazards</th><th>SHA ha</th><th>CHA ha</th>"
                         "<th>remaining ha</th><th>cancelled ha</th><th>reduced ha</th><th>cleared ha</th>");
        dm__buf_puts(&h, unk ? "<th>outcome unknown ha</th>" : "");
        dm__buf_puts(&h, "<th>items</th><th>accidents</th></tr>\n");
    }
    const char *name;
    json_t *g;
    json_object_foreach(groups, name, g)
    {
        dm__buf_puts(&h, "<tr><td>");
        dm__html_esc(&h, name);
        dm__buf_printf(&h,
                       "</td><td>%.0f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>"
                       "<td>%.1f</td><td>%.1f</td>",
                       dm__jnum(g, "hazards"), dm__jnum(g, "sha_ha"), dm__jnum(g, "cha_ha"),
                       dm__jnum(g, "remaining_ha"), dm__jnum(g, "cancelled_ha"),
                       dm__jnum(g, "reduced_ha"), dm__jnum(g, "cleared_ha"));
        if (unk)
            dm__buf_printf(&h, "<td>%.1f</td>", dm__jnum(g, "unknown_ha"));
        dm__buf_printf(&h, "<td>%.0f</td><td>%.0f</td></tr>\n", dm__jnum(g, "items"),
                       dm__jnum(g, "accidents"));
    }
    char ttl[800];
    dm__buf_puts(&h, json_object_size(groups) ? "</table>\n<h2>" : "<h2>");
    dm__html_esc(&h, prio_title(d, ttl, sizeof ttl));
    dm__buf_puts(&h, "</h2>\n");
    json_t *pr = d->plan ? json_object_get(d->plan, "priorities") : NULL;
    /* plans with day rates: one more column, the hazard's cost at the teams' rates */
    int dr = d->plan && json_object_get(d->plan, "day_rate");
    if (json_array_size(pr)) {
        dm__buf_puts(&h, "<table><tr><th>rank</th><th>hazard</th><th>district</th><th>route</th>"
                         "<th>area ha</th><th>p</th><th>expected items</th><th>value</th>"
                         "<th>cost USD</th>");
        dm__buf_puts(&h, dr ? "<th>day-rate cost USD</th></tr>\n" : "</tr>\n");
        size_t i;
        json_t *o;
        json_array_foreach(pr, i, o)
        {
            if (i >= 20)
                break;
            dm__buf_printf(&h, "<tr><td>%.0f</td><td>", dm__jnum(o, "rank"));
            dm__html_esc(&h, json_string_value(json_object_get(o, "hazard")));
            dm__buf_puts(&h, "</td><td>");
            dm__html_esc(&h, json_string_value(json_object_get(o, "district")));
            dm__buf_puts(&h, "</td><td>");
            dm__html_esc(&h, json_string_value(json_object_get(o, "route")));
            dm__buf_printf(&h, "</td><td>%.1f</td><td>%.2f</td><td>%.1f</td><td>%.1f</td>"
                               "<td>%.0f</td>",
                           dm__jnum(o, "area_ha"), dm__jnum(o, "p_contam"),
                           dm__jnum(o, "expected_items"), dm__jnum(o, "value"),
                           floor(dm__jnum(o, "cost_usd") + 0.5));
            double v;
            if (!dr)
                dm__buf_puts(&h, "</tr>\n");
            else if (dm__jday(o, "day_rate_cost_usd", &v))
                dm__buf_printf(&h, "<td>%.0f</td></tr>\n", floor(v + 0.5));
            else if (dm__jday(o, "day_rate_cost_usd_lower_bound", &v)) /* a team on it has no rate */
                dm__buf_printf(&h, "<td>at least %.0f</td></tr>\n", v);
            else if (json_is_false(json_object_get(o, "funded")))
                dm__buf_puts(&h, "<td>unfunded</td></tr>\n");
            else
                dm__buf_puts(&h, "<td>unknown</td></tr>\n");
        }
        dm__buf_puts(&h, "</table>\n");
    } else if (d->scoped && (!d->plan || d->plan_fit == REP_PLAN_OTHER)) {
        /* no plan of the report's districts: why, and how to make one */
        dm__buf_puts(&h, "<p>");
        dm__html_esc(&h, d->no_plan);
        dm__buf_puts(&h, ".</p>\n");
    } else if (dm__rep_no_plan(d) && d->plan)
        dm__buf_puts(&h, "<p>Nothing to plan: no open hazard with land left to release.</p>\n");
    else
        dm__buf_puts(&h, "<p>No plan yet (demine plan DB --teams TEAMS.csv).</p>\n");
    dm__buf_puts(&h, "<h2>Clearing everything vs risk-based land release</h2>\n");
    html_fig(&h, d, dm__fig_donor, 900, 280, "donor comparison");
    return dm__html_save(ctx, &h, path);
}

/* ---- replacing an older file ------------------------------------------ */

/* Whether the n bytes at p hold needle (nl bytes). */
static int has_bytes(const char *p, size_t n, const char *needle, size_t nl)
{
    for (size_t i = 0; n >= nl && i <= n - nl; i++)
        if (p[i] == needle[0] && !memcmp(p + i, needle, nl))
            return 1;
    return 0;
}

/* 1 when the PDF open as f names demine as its Creator (cairo writes the
 * Info dictionary as "/Creator (demine 0.1.0)"), read in pieces that overlap
 * so that a name across two pieces is found. */
static int pdf_by_demine(FILE *f)
{
    static const char tag[] = "/Creator (demine ";
    char buf[65536];
    size_t keep = 0, got;
    if (fread(buf, 1, 5, f) != 5 || memcmp(buf, "%PDF-", 5))
        return 0;
    while ((got = fread(buf + keep, 1, sizeof buf - keep, f)) > 0) {
        size_t n = keep + got;
        if (has_bytes(buf, n, tag, sizeof tag - 1))
            return 1;
        keep = sizeof tag - 2;
        memmove(buf, buf + n - keep, keep);
    }
    return 0;
}

/* 1 when the HTML page open as f (size bytes) is a report of demine: its
 * generator meta near the top or, in reports written before it had one,
 * its closing line. */
static int html_by_demine(FILE *f, long size)
{
    static const char gen[] = "<meta name=\"generator\" content=\"demine ";
    static const char made[] = "<p><small>Made by demine ";
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    if (has_bytes(buf, n, gen, sizeof gen - 1))
        return 1;
    if (size > (long)sizeof buf && fseek(f, size - (long)sizeof buf, SEEK_SET) == 0)
        n = fread(buf, 1, sizeof buf, f);
    return has_bytes(buf, n, made, sizeof made - 1);
}

dm_status dm__rep_may_replace(dm_ctx *ctx, const char *path, int pdf, int force, const char *what)
{
    if (force)
        return DM_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return DM_OK;
        return dm__fail(ctx, DM_EIO, "%s exists but cannot be read (%s): not replacing it with the %s", path,
                        strerror(errno), what);
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    rewind(f);
    int ours = size == 0 || (size > 0 && (pdf ? pdf_by_demine(f) : html_by_demine(f, size)));
    fclose(f);
    if (ours)
        return DM_OK;
    return dm__fail(ctx, DM_ECONFLICT, "%s exists and is not %s demine wrote: not replacing it with the %s",
                    path, pdf ? "a PDF" : "an HTML page", what);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !dm__strcasecmp(s + a - b, suf);
}

dm_status dm_report_write(dm_store *s, const char *path, const dm_report_opts *opts)
{
    dm_ctx *ctx = dm_store_ctx(s);
    int pdf = ends_with(path, ".pdf"), html = ends_with(path, ".html") || ends_with(path, ".htm");
    if (!pdf && !html)
        return dm__fail(ctx, DM_EINVAL, "%s: the report is written as .pdf or .html", path);
    /* the database itself (a link to it, a database named report.html) is
     * never written over */
    const char *dbp = dm_store_path(s);
    if (dbp && (!strcmp(dbp, path) || dm_same_file(dbp, path)))
        return dm__fail(ctx, DM_EINVAL, "%s is the database: not writing the report over it", path);
    /* a report run again replaces its last one; a file of the user's is not
     * lost to a mistyped --out */
    dm_status ms = dm__rep_may_replace(ctx, path, pdf, opts && opts->force, "report");
    if (ms)
        return ms;
    /* written beside its name and renamed once whole: a report that fails
     * leaves no half file and the old report as it was */
    size_t n = strlen(path) + 6;
    char *tmp = dm_malloc(ctx, n);
    if (!tmp)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    snprintf(tmp, n, "%s.part", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        const char *slash = strrchr(path, '/');
        dm_status fs;
        if (e == ENOENT && slash)
            fs = dm__fail(ctx, DM_EIO, "%s: cannot write the report: directory %.*s does not exist", path,
                          (int)(slash - path > 0 ? slash - path : 1), path);
        else
            fs = dm__fail(ctx, DM_EIO, "%s: cannot write the report: %s", path, strerror(e));
        dm_free(ctx, tmp);
        return fs;
    }
    fclose(f);
    rep_data d;
    dm_status st = dm__report_gather(s, opts, &d);
    if (!st) {
        dm__progress(ctx, "report", 0, 1);
        st = pdf ? write_pdf(ctx, &d, tmp) : write_html(ctx, &d, tmp);
        dm__progress(ctx, "report", 1, 1);
    }
    dm__report_free(&d);
    if (!st && rename(tmp, path) != 0)
        st = dm__fail(ctx, DM_EIO, "%s: cannot write the report: %s", path, strerror(errno));
    if (st)
        remove(tmp);
    dm_free(ctx, tmp);
    return st;
}

void dm_report_cleanup(void)
{
    cairo_debug_reset_static_data();
    /* fontconfig is loaded by cairo, not linked by demine: find it at run time */
    void (*fc_fini)(void);
    *(void **)&fc_fini = dlsym(RTLD_DEFAULT, "FcFini");
    if (fc_fini)
        fc_fini();
}
