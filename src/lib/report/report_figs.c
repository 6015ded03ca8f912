/* SPDX-License-Identifier: MIT
 *
 * report_figs.c -- the report's figures drawn with cairo into any surface
 * (PDF page or PNG image): maps of hazards by status, the risk map and the
 * plan's routes; bar charts of land released, items found and casualties per
 * year; the plan's burn-down and the donor comparison.
 */
#include "report/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb C_STATUS[4] = {{0.84, 0.15, 0.16}, {0.99, 0.55, 0.15}, {0.45, 0.68, 0.35},
                                {0.25, 0.50, 0.75}};
static const rgb C_ROUTE[3] = {{0.40, 0.74, 0.39}, {0.99, 0.68, 0.20}, {0.80, 0.10, 0.12}};
static const rgb C_SERIES[6] = {{0.40, 0.74, 0.39}, {0.99, 0.68, 0.20}, {0.80, 0.10, 0.12},
                                {0.25, 0.50, 0.75}, {0.55, 0.35, 0.65}, {0.5, 0.5, 0.5}};

static void set(cairo_t *cr, rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

const char *dm__rep_text(cairo_t *cr, const char *s, double max_w, char *out, size_t n)
{
    static const char ell[] = "\xE2\x80\xA6"; /* ... as one character */
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int cut = 0;
    while (*p) {
        size_t k = dm__utf8_char((const char *)p);
        const char *c = k ? (const char *)p : "?";
        size_t kc = k ? k : 1;
        if (o + kc + sizeof ell > n) {
            cut = 1;
            break;
        }
        memcpy(out + o, c, kc);
        o += kc;
        p += k ? k : 1;
    }
    out[o] = 0;
    if (cut)
        memcpy(out + o, ell, sizeof ell);
    if (max_w > 0 && cr) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, out, &e);
        if (e.x_advance > max_w) {
            /* drop characters from the end until the text and an ellipsis fit */
            while (o > 0) {
                do
                    o--;
                while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80);
                while (o > 0 && out[o - 1] == ' ')
                    o--;
                memcpy(out + o, ell, sizeof ell);
                cairo_text_extents(cr, out, &e);
                if (e.x_advance <= max_w)
                    break;
            }
        }
    }
    return out;
}

static void text(cairo_t *cr, double x, double y, double size, int bold, const char *s0, int align)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    char buf[1024];
    const char *s = dm__rep_text(cr, s0, 0, buf, sizeof buf);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double dx = align == 1 ? -e.x_advance / 2 : align == 2 ? -e.x_advance : 0;
    cairo_move_to(cr, x + dx, y);
    cairo_show_text(cr, s);
}

static void title(cairo_t *cr, double x, double y, double w, const char *s)
{
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text(cr, x + w / 2, y + 13, 11, 1, s, 1);
}

static void note(cairo_t *cr, double x, double y, double w, double h, const char *s)
{
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 9);
    char buf[1024];
    cairo_text_extents_t e;
    cairo_text_extents(cr, dm__rep_text(NULL, s, 0, buf, sizeof buf), &e);
    /* too wide for the figure: two lines, broken at the space nearest the
     * middle */
    size_t len = strlen(buf), cut = 0;
    if (e.x_advance > w - 10)
        for (size_t k = 1; k < len; k++)
            if (buf[k] == ' ' && (!cut || (k > len / 2 ? k - len / 2 : len / 2 - k) <
                                              (cut > len / 2 ? cut - len / 2 : len / 2 - cut)))
                cut = k;
    if (!cut) {
        text(cr, x + w / 2, y + h / 2, 9, 0, s, 1);
        return;
    }
    buf[cut] = 0;
    text(cr, x + w / 2, y + h / 2 - 6, 9, 0, buf, 1);
    text(cr, x + w / 2, y + h / 2 + 6, 9, 0, buf + cut + 1, 1);
}

/* ---- maps -------------------------------------------------------------- */

typedef struct mapx {
    double ox, oy, s, kx, v0, v3;
} mapx;

static mapx map_frame(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    mapx m;
    double lat0 = (d->view[1] + d->view[3]) / 2;
    m.kx = cos(lat0 * M_PI / 180);
    double gw = (d->view[2] - d->view[0]) * m.kx, gh = d->view[3] - d->view[1];
    double sx = w / gw, sy = h / gh;
    m.s = sx < sy ? sx : sy;
    m.ox = x + (w - gw * m.s) / 2;
    m.oy = y + (h - gh * m.s) / 2;
    m.v0 = d->view[0];
    m.v3 = d->view[3];
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.95);
    cairo_rectangle(cr, m.ox, m.oy, gw * m.s, gh * m.s);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    return m;
}

static double mx_(const mapx *m, double lon) { return m->ox + (lon - m->v0) * m->kx * m->s; }
static double my_(const mapx *m, double lat) { return m->oy + (m->v3 - lat) * m->s; }

static void shape_path(cairo_t *cr, const rep_data *d, const mapx *m, const rep_shape *sh)
{
    for (size_t p = sh->first; p < sh->first + sh->n_parts; p++) {
        size_t a = d->part_start[p], b = d->part_start[p + 1];
        for (size_t k = a; k < b; k++) {
            double X = mx_(m, d->xy[2 * k]), Y = my_(m, d->xy[2 * k + 1]);
            if (k == a)
                cairo_move_to(cr, X, Y);
            else
                cairo_line_to(cr, X, Y);
        }
        cairo_close_path(cr);
    }
}

/* The path of the districts of a report of some districts (dist cls 1). */
static void scope_path(cairo_t *cr, const rep_data *d, const mapx *m)
{
    for (size_t i = 0; i < d->n_dist; i++)
        if (d->dist[i].cls == 1)
            shape_path(cr, d, m, &d->dist[i]);
}

static void draw_districts(cairo_t *cr, const rep_data *d, const mapx *m)
{
    cairo_new_path(cr);
    cairo_rectangle(cr, m->ox, m->oy, (d->view[2] - d->view[0]) * m->kx * m->s,
                    (d->view[3] - d->view[1]) * m->s);
    cairo_clip(cr);
    if (d->veil) {
        /* a report of some districts: the land around them veiled */
        cairo_save(cr);
        cairo_new_path(cr);
        cairo_rectangle(cr, m->ox, m->oy, (d->view[2] - d->view[0]) * m->kx * m->s,
                        (d->view[3] - d->view[1]) * m->s);
        scope_path(cr, d, m);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        cairo_set_source_rgba(cr, 0.55, 0.55, 0.55, 0.22);
        cairo_fill(cr);
        cairo_restore(cr);
    }
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.6);
    for (size_t i = 0; i < d->n_dist; i++) {
        if (d->dist[i].cls == 1)
            continue;
        shape_path(cr, d, m, &d->dist[i]);
        cairo_stroke(cr);
    }
    /* the districts of the report: their edge, darker */
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1.4);
    for (size_t i = 0; i < d->n_dist; i++) {
        if (d->dist[i].cls != 1)
            continue;
        shape_path(cr, d, m, &d->dist[i]);
        cairo_stroke(cr);
    }
}

/* Hazards, filled by colour_of (NULL colour: outline only); small hazards get
 * a dot so they stay visible at national scale. */
static void draw_hazards(cairo_t *cr, const rep_data *d, const mapx *m,
                         int (*colour_of)(const rep_shape *, rgb *))
{
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t i = 0; i < d->n_hz; i++) {
        rgb c;
        int has = colour_of ? colour_of(&d->hz[i], &c) : 0;
        shape_path(cr, d, m, &d->hz[i]);
        if (has) {
            cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.85);
            cairo_fill_preserve(cr);
        }
        cairo_set_source_rgba(cr, 0.2, 0.2, 0.2, has ? 0.6 : 0.8);
        cairo_set_line_width(cr, 0.3);
        cairo_stroke(cr);
        if (has) {
            cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.9);
            cairo_arc(cr, mx_(m, d->hz[i].cx), my_(m, d->hz[i].cy), 1.0, 0, 2 * M_PI);
            cairo_fill(cr);
        }
    }
}

static void legend(cairo_t *cr, double x, double y, const char *const *names, const rgb *cols,
                   int n)
{
    for (int i = 0; i < n; i++) {
        set(cr, cols[i]);
        cairo_rectangle(cr, x, y + i * 12 - 7, 9, 8);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        text(cr, x + 13, y + i * 12, 8, 0, names[i], 0);
    }
}

static void scale_bar(cairo_t *cr, const mapx *m, double x, double y)
{
    /* kilometres per point at the map's scale */
    double m_per_pt = 111320.0 / m->s;
    double target = m_per_pt * 80, nice = 1;
    while (nice * 10 <= target)
        nice *= 10;
    if (nice * 5 <= target)
        nice *= 5;
    else if (nice * 2 <= target)
        nice *= 2;
    double len = nice / m_per_pt;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + len, y);
    cairo_stroke(cr);
    char b[32];
    if (nice >= 1000)
        snprintf(b, sizeof b, "%g km", nice / 1000);
    else
        snprintf(b, sizeof b, "%g m", nice);
    text(cr, x + len + 4, y + 3, 8, 0, b, 0);
}

static int col_status(const rep_shape *s, rgb *c)
{
    *c = C_STATUS[s->cls < 0 ? 0 : s->cls & 3];
    return 1;
}

static int col_route(const rep_shape *s, rgb *c)
{
    if (s->route < 0)
        return 0;
    *c = C_ROUTE[s->route];
    return 1;
}

void dm__fig_map_status(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    title(cr, x, y, w, "Hazardous areas by status");
    mapx m = map_frame(cr, d, x, y + 20, w, h - 24);
    cairo_save(cr);
    draw_districts(cr, d, &m);
    draw_hazards(cr, d, &m, col_status);
    cairo_restore(cr);
    if (!d->n_hz)
        note(cr, x, y + 20, w, h - 24, "no hazardous areas recorded");
    static const char *names[4] = {"open", "partly released", "closed", "handed over"};
    legend(cr, m.ox + 6, m.oy + 12, names, C_STATUS, 4);
    scale_bar(cr, &m, m.ox + 8, y + h - 12);
}

void dm__fig_map_risk(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    char ttl[200], cell[32] = "";
    if (d->risk_cell_m > 0)
        snprintf(cell, sizeof cell, " %g m", d->risk_cell_m);
    if (d->risk_uncalibrated) /* the full title and this would not fit */
        snprintf(ttl, sizeof ttl, "Risk map of%s cells, log scale: not calibrated on cleared land, a ranking only",
                 cell);
    else
        snprintf(ttl, sizeof ttl, "Risk map: probability a%s cell holds an item (log scale)", cell);
    title(cr, x, y, w, ttl);
    mapx m = map_frame(cr, d, x, y + 20, w, h - 24);
    if (d->risk) {
        int iw = cairo_image_surface_get_width(d->risk), ih = cairo_image_surface_get_height(d->risk);
        double X0 = mx_(&m, d->risk_bbox[0]), Y0 = my_(&m, d->risk_bbox[3]);
        double X1 = mx_(&m, d->risk_bbox[2]), Y1 = my_(&m, d->risk_bbox[1]);
        cairo_save(cr);
        cairo_rectangle(cr, m.ox, m.oy, (d->view[2] - d->view[0]) * m.kx * m.s,
                        (d->view[3] - d->view[1]) * m.s);
        cairo_clip(cr);
        if (d->veil) { /* the risk of the districts of the report alone */
            cairo_new_path(cr);
            scope_path(cr, d, &m);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
            cairo_clip(cr);
        }
        cairo_translate(cr, X0, Y0);
        cairo_scale(cr, (X1 - X0) / iw, (Y1 - Y0) / ih);
        cairo_set_source_surface(cr, d->risk, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_paint(cr);
        cairo_restore(cr);
    }
    cairo_save(cr);
    draw_districts(cr, d, &m);
    draw_hazards(cr, d, &m, NULL);
    cairo_restore(cr);
    if (d->risk) {
        /* colour bar */
        double bx = m.ox + 8, by = m.oy + 8;
        for (int i = 0; i < 100; i++) {
            double t = i / 99.0, r = t > 0.7 ? 1.0 - (t - 0.7) * 1.2 : 1.0, g = 1.0 - 0.85 * t,
                   b = 0.6 * (1 - t) * (1 - t);
            cairo_set_source_rgba(cr, r, g, b, 0.15 + 0.85 * t);
            cairo_rectangle(cr, bx + i * 0.8, by, 0.9, 7);
            cairo_fill(cr);
        }
        char lbl[64];
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        snprintf(lbl, sizeof lbl, "%.0e", d->risk_max * 1e-4);
        text(cr, bx, by + 16, 7, 0, lbl, 0);
        snprintf(lbl, sizeof lbl, "%.2g", d->risk_max);
        text(cr, bx + 80, by + 16, 7, 0, lbl, 2);
    } else
        note(cr, x, y + 20, w, h - 24, d->risk_note);
    scale_bar(cr, &m, m.ox + 8, y + h - 12);
}

void dm__fig_map_plan(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    /* a plan wider than the report's districts: its routes here, and the
     * first of them by their rank in it */
    title(cr, x, y, w, d->plan_fit == REP_PLAN_WIDER ? "Land release plan: routes here and the first by the plan's rank"
                                                     : "Land release plan: recommended route and top priorities");
    mapx m = map_frame(cr, d, x, y + 20, w, h - 24);
    int any = 0;
    for (size_t i = 0; i < d->n_hz; i++)
        any |= d->hz[i].route >= 0;
    cairo_save(cr);
    draw_districts(cr, d, &m);
    draw_hazards(cr, d, &m, col_route);
    cairo_restore(cr);
    if (!any) {
        const char *why = dm__rep_no_plan(d);
        note(cr, x, y + 20, w, h - 24, why ? why : "no plan yet (demine plan DB --teams TEAMS.csv)");
        return;
    }
    /* label the ten first priorities (of a report of some districts: the ten
     * first of theirs) */
    long last = 10;
    if (d->scoped) {
        long best[10];
        int nb = 0;
        for (size_t i = 0; i < d->n_hz; i++) {
            long r = d->hz[i].rank;
            if (r < 1 || (nb == 10 && r >= best[9]))
                continue;
            int k = nb < 10 ? nb++ : 9;
            for (; k > 0 && best[k - 1] > r; k--)
                best[k] = best[k - 1];
            best[k] = r;
        }
        last = nb ? best[nb - 1] : 0;
    }
    for (size_t i = 0; i < d->n_hz; i++) {
        if (d->hz[i].rank < 1 || d->hz[i].rank > last)
            continue;
        char b[24];
        snprintf(b, sizeof b, "%ld", d->hz[i].rank);
        double X = mx_(&m, d->hz[i].cx), Y = my_(&m, d->hz[i].cy), rad = 5;
        if (d->scoped) { /* ranks in a plan of more districts run to hundreds */
            cairo_text_extents_t e;
            cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
            cairo_set_font_size(cr, 6.5);
            cairo_text_extents(cr, b, &e);
            rad = fmax(5, e.x_advance / 2 + 1.5);
        }
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_new_path(cr);
        cairo_arc(cr, X, Y - 3, rad, 0, 2 * M_PI);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        text(cr, X, Y, 6.5, 1, b, 1);
    }
    static const char *names[3] = {"cancel (non-technical survey)", "reduce (technical survey)",
                                   "full clearance"};
    legend(cr, m.ox + 6, m.oy + 12, names, C_ROUTE, 3);
    scale_bar(cr, &m, m.ox + 8, y + h - 12);
}

/* ---- charts ------------------------------------------------------------ */

static double nice_step(double maxv)
{
    if (maxv <= 0)
        return 1;
    double raw = maxv / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void fmt_num(char *b, size_t n, double v)
{
    if (fabs(v) >= 1e6)
        snprintf(b, n, "%gM", v / 1e6);
    else if (fabs(v) >= 1e4)
        snprintf(b, n, "%gk", v / 1e3);
    else
        snprintf(b, n, "%g", v);
}

/* The value axis of a plot at (px, py), pw x ph, in a figure whose left
 * edge is x: a labelled grid line every step from 0 to top, and ylabel
 * along the side. */
static void y_axis(cairo_t *cr, double x, double px, double py, double pw, double ph, double top,
                   double step, const char *ylabel)
{
    cairo_set_line_width(cr, 0.4);
    for (double t = 0; t <= top + 1e-9; t += step) {
        double Y = py + ph - t / top * ph;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, px, Y);
        cairo_line_to(cr, px + pw, Y);
        cairo_stroke(cr);
        char b[32];
        fmt_num(b, sizeof b, t);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        text(cr, px - 4, Y + 3, 7, 0, b, 2);
    }
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_translate(cr, x + 8, py + ph / 2);
    cairo_rotate(cr, -M_PI / 2);
    text(cr, 0, 0, 7.5, 0, ylabel, 1);
    cairo_restore(cr);
}

/* Bars per category label: values[k * ns + j], stacked or side by side. */
static void bar_chart(cairo_t *cr, double x, double y, double w, double h, const char *ttl,
                      const char *ylabel, const char *const *labels, int nk,
                      const char *const *series, int ns, const double *values, int stacked)
{
    title(cr, x, y, w, ttl);
    double px = x + 42, py = y + 24, pw = w - 52, ph = h - 24 - 44;
    if (nk == 0) {
        note(cr, x, y, w, h, "no data");
        return;
    }
    double maxv = 0;
    for (int k = 0; k < nk; k++) {
        double s = 0;
        for (int j = 0; j < ns; j++) {
            double v = values[k * ns + j];
            s = stacked ? s + v : fmax(s, v);
        }
        maxv = fmax(maxv, s);
    }
    double step = nice_step(maxv), top = step * ceil(maxv / step);
    if (top <= 0)
        top = step;
    y_axis(cr, x, px, py, pw, ph, top, step, ylabel);
    double slot = pw / nk, bw = slot * 0.7;
    for (int k = 0; k < nk; k++) {
        double bx = px + k * slot + (slot - bw) / 2, base = 0;
        for (int j = 0; j < ns; j++) {
            double v = values[k * ns + j];
            if (v <= 0)
                continue;
            set(cr, C_SERIES[j % 6]);
            if (stacked) {
                cairo_rectangle(cr, bx, py + ph - (base + v) / top * ph, bw, v / top * ph);
                base += v;
            } else {
                double sw = bw / ns;
                cairo_rectangle(cr, bx + j * sw, py + ph - v / top * ph, sw, v / top * ph);
            }
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        if (nk <= 16 || k % ((nk + 15) / 16) == 0)
            text(cr, px + k * slot + slot / 2, py + ph + 10, 7, 0, labels[k], 1);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);
    /* legend in one row under the axis */
    double lx = px;
    for (int j = 0; j < ns; j++) {
        set(cr, C_SERIES[j % 6]);
        cairo_rectangle(cr, lx, py + ph + 20, 8, 7);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        text(cr, lx + 11, py + ph + 27, 7.5, 0, series[j], 0);
        cairo_text_extents_t e;
        cairo_text_extents(cr, series[j], &e);
        lx += e.x_advance + 22;
    }
}

#define MAXK 64

/* Years of an object {year: {...}} in order, at most MAXK: every year from
 * the first to the last, those without data included (a year with no
 * casualties is a bar of 0, not a year left off the axis), then keys that
 * are no year ("(no date)"). Labels of years not in the object are written
 * to fill. */
static int years_of(json_t *o, const char **labels, char (*fill)[8])
{
    int n = 0, lo = 0, hi = -1;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strlen(k) == 4 && strspn(k, "0123456789") == 4) {
            int yr = (int)strtol(k, NULL, 10);
            if (hi < lo)
                lo = hi = yr;
            else if (yr < lo)
                lo = yr;
            else if (yr > hi)
                hi = yr;
        }
    }
    int others = 0;
    json_object_foreach(o, k, v)
    {
        if (!(strlen(k) == 4 && strspn(k, "0123456789") == 4))
            others++;
    }
    if (hi >= lo && hi - lo + 1 + others <= MAXK) {
        for (int yr = lo; yr <= hi; yr++) {
            snprintf(fill[n], sizeof fill[n], "%d", yr);
            json_object_foreach(o, k, v)
            {
                if (!strcmp(k, fill[n]))
                    break;
            }
            labels[n] = k ? k : fill[n];
            n++;
        }
        json_object_foreach(o, k, v)
        {
            if (!(strlen(k) == 4 && strspn(k, "0123456789") == 4))
                labels[n++] = k;
        }
        return n;
    }
    json_object_foreach(o, k, v)
    {
        if (n < MAXK)
            labels[n++] = k;
    }
    /* keys are years: sort as strings */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(labels[j - 1], labels[j]) > 0; j--) {
            const char *t = labels[j];
            labels[j] = labels[j - 1];
            labels[j - 1] = t;
        }
    return n;
}

void dm__fig_released(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    json_t *by = json_object_get(d->stats, "released_by_year");
    const char *labels[MAXK];
    char fill[MAXK][8];
    int n = years_of(by, labels, fill);
    /* release areas whose outcome is missing or not a route get a bar of
     * their own (when there are any), so each year adds up to the headline */
    int ns = json_number_value(json_object_get(json_object_get(d->stats, "released"),
                                               "unknown_ha")) > 0
                 ? 4
                 : 3;
    double v[MAXK * 4];
    for (int k = 0; k < n; k++) {
        json_t *o = json_object_get(by, labels[k]);
        v[k * ns] = dm__jnum(o, "cancelled_ha");
        v[k * ns + 1] = dm__jnum(o, "reduced_ha");
        v[k * ns + 2] = dm__jnum(o, "cleared_ha");
        if (ns == 4)
            v[k * ns + 3] = dm__jnum(o, "unknown_ha");
    }
    static const char *series[4] = {"cancelled (NTS)", "reduced (TS)", "cleared",
                                    "outcome unknown"};
    bar_chart(cr, x, y, w, h, "Land released per year", "hectares", labels, n, series, ns,
              v, 1);
}

void dm__fig_items(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    json_t *by = json_object_get(json_object_get(d->stats, "items"), "by_year");
    const char *labels[MAXK];
    char fill[MAXK][8];
    int n = years_of(by, labels, fill);
    static const char *series[6] = {"AP", "AT", "UXO", "SUB", "IED", "other"};
    double v[MAXK * 6];
    for (int k = 0; k < n; k++) {
        json_t *o = json_object_get(by, labels[k]);
        for (int j = 0; j < 6; j++)
            v[k * 6 + j] = dm__jnum(o, series[j]);
        v[k * 6 + 5] += dm__jnum(o, "AXO");
    }
    bar_chart(cr, x, y, w, h, "Items found per year by type", "items", labels, n,
              series, 6, v, 1);
}

void dm__fig_casualties(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    json_t *by = json_object_get(json_object_get(d->stats, "accidents"), "by_year");
    const char *labels[MAXK];
    char fill[MAXK][8];
    int n = years_of(by, labels, fill);
    /* every victim in one bar: soldiers too, so the bars add up to the headline */
    double v[MAXK * 3];
    for (int k = 0; k < n; k++) {
        json_t *o = json_object_get(by, labels[k]);
        v[k * 3] = dm__jnum(o, "civilian");
        v[k * 3 + 1] = dm__jnum(o, "deminer");
        v[k * 3 + 2] = dm__jnum(o, "military");
    }
    static const char *series[3] = {"civilian", "deminer", "military"};
    bar_chart(cr, x, y, w, h, "Casualties per year", "people", labels, n,
              series, 3, v, 0);
}

void dm__fig_burndown(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    title(cr, x, y, w, "Forecast: land still to release");
    if (!d->n_bd || dm__rep_no_plan(d)) {
        const char *why = dm__rep_no_plan(d);
        note(cr, x, y, w, h, why ? why : "no plan yet (demine plan DB --teams TEAMS.csv)");
        return;
    }
    double px = x + 42, py = y + 24, pw = w - 52, ph = h - 24 - 44;
    json_t *fc = json_object_get(d->plan, "forecast");
    /* the land of some districts in a wider plan: its band is the whole
     * plan's, not theirs */
    int part = d->plan_fit == REP_PLAN_WIDER;
    double p90 = part ? 0 : dm__jnum(json_object_get(fc, "years_all"), "p90");
    double span_y = fmax(((double)d->bd_day[d->n_bd - 1] - (double)d->bd_start) / 365.25, p90);
    if (span_y <= 0)
        span_y = 1;
    double total = d->bd_total;
    double step = nice_step(total), top = step * ceil(total / step);
    if (top <= 0)
        top = 1;
    y_axis(cr, x, px, py, pw, ph, top, step, "hectares remaining");
    /* year ticks */
    char start_s[11];
    const char *ps = json_string_value(json_object_get(d->plan, "start"));
    dm__strlcpy(start_s, ps ? ps : "2000-01-01", sizeof start_s);
    int y0 = (int)strtol(start_s, NULL, 10);
    double ystep = span_y > 12 ? 2 : span_y > 5 ? 1 : span_y > 2 ? 0.5 : 0.25;
    for (double t = 0; t <= span_y + 1e-9; t += ystep) {
        double X = px + t / span_y * pw;
        char b[16];
        if (ystep >= 1)
            snprintf(b, sizeof b, "%d", y0 + (int)t);
        else
            snprintf(b, sizeof b, "+%.2gy", t);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        text(cr, X, py + ph + 10, 7, 0, b, 1);
    }
    /* P10-P90 band of the end of all work */
    json_t *ya = json_object_get(fc, "years_all");
    double b10 = dm__jnum(ya, "p10"), b90 = dm__jnum(ya, "p90");
    int sampled = !part && dm__jnum(fc, "samples") > 0; /* --samples 0: no band, not one at year 0 */
    if (sampled) {
        cairo_set_source_rgba(cr, 0.25, 0.5, 0.75, 0.18);
        cairo_rectangle(cr, px + b10 / span_y * pw, py, fmax((b90 - b10) / span_y * pw, 1), ph);
        cairo_fill(cr);
    }
    /* the expected curve */
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.12);
    cairo_set_line_width(cr, 1.6);
    cairo_move_to(cr, px, py + ph - total / top * ph);
    for (size_t k = 0; k < d->n_bd; k++) {
        double t = ((double)d->bd_day[k] - (double)d->bd_start) / 365.25;
        cairo_line_to(cr, px + t / span_y * pw, py + ph - (total - d->bd_ha[k]) / top * ph);
    }
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, px, py + ph);
    cairo_line_to(cr, px + pw, py + ph);
    cairo_stroke(cr);
    char lg[160];
    if (part)
        snprintf(lg, sizeof lg, "line: this land in the plan's schedule (no band)");
    else if (sampled)
        snprintf(lg, sizeof lg, "line: expected; band: P10-P90 end (%.1f-%.1f years)", b10, b90);
    else
        snprintf(lg, sizeof lg, "line: expected (no forecast: the plan was made with 0 samples)");
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text(cr, px, py + ph + 27, 7.5, 0, lg, 0);
}

void dm__fig_donor(cairo_t *cr, const rep_data *d, double x, double y, double w, double h)
{
    json_t *cmp = d->plan ? json_object_get(d->plan, "comparison") : NULL;
    if (!cmp || dm__rep_no_plan(d)) {
        const char *why = dm__rep_no_plan(d);
        title(cr, x, y, w, "Clearing everything vs risk-based land release");
        note(cr, x, y, w, h, why ? why : "no plan yet");
        return;
    }
    if (d->plan_fit == REP_PLAN_WIDER) {
        /* the comparison of a plan of more districts: not theirs */
        char b[1000];
        snprintf(b, sizeof b, "the stored plan is of %s: its comparison is not of %s (demine plan DB %s)",
                 d->plan_scope, d->scope, d->scope_opt);
        title(cr, x, y, w, "Clearing everything vs risk-based land release");
        note(cr, x, y, w, h, b);
        return;
    }
    json_t *f = json_object_get(cmp, "full_clearance"), *r = json_object_get(cmp, "risk_based");
    static const char *series[2] = {"clear every suspected hectare", "risk-based release"};
    /* millions, or dollars when every sum is under USD 0.1 M (a small plan:
     * bars of 0.004 on an axis of millions say nothing), as the text does */
    double fd, rd, big = fmax(dm__jnum(f, "cost_usd"), dm__jnum(r, "cost_usd"));
    if (dm__jday(f, "day_rate_cost_usd", &fd) || dm__jday(f, "day_rate_cost_usd_lower_bound", &fd))
        big = fmax(big, fd);
    if (dm__jday(r, "day_rate_cost_usd", &rd) || dm__jday(r, "day_rate_cost_usd_lower_bound", &rd))
        big = fmax(big, rd);
    double unit = big >= 1e5 ? 1e6 : 1;
    const char *ul = unit > 1 ? "USD million" : "USD";
    const char *labels[2] = {"years", ul};
    double v[4] = {dm__jnum(f, "years"), dm__jnum(r, "years"), dm__jnum(f, "cost_usd") / unit,
                   dm__jnum(r, "cost_usd") / unit};
    /* full clearance with no team that clears has no years: no bar, named so */
    const char *yl[1] = {json_is_number(json_object_get(f, "years")) && v[0] >= 0
                             ? "years"
                             : "years (clear all: no team clears)"};
    if (!(v[0] >= 0))
        v[0] = 0;
    /* two small charts side by side, one per unit */
    bar_chart(cr, x, y, w / 2, h, "Years to finish", "years", yl, 1, series, 2, v, 0);
    if (!json_object_get(d->plan, "day_rate")) {
        /* a plan made before the day rates: the unit rates only */
        bar_chart(cr, x + w / 2, y, w / 2, h, "Cost", ul, labels + 1, 1, series, 2, v + 2, 0);
        return;
    }
    /* the cost at unit rates and at the teams' day rates; an unknown one has no
     * bar and is named so under its group */
    double c[4] = {v[2], v[3], 0, 0};
    int kf = dm__jday(f, "day_rate_cost_usd", &fd), kr = dm__jday(r, "day_rate_cost_usd", &rd);
    /* some teams have no day rate: the bar is the lower bound, named so */
    int lf = !kf && dm__jday(f, "day_rate_cost_usd_lower_bound", &fd),
        lr = !kr && dm__jday(r, "day_rate_cost_usd_lower_bound", &rd);
    kf |= lf;
    kr |= lr;
    if (kf)
        c[2] = fd / unit;
    if (kr)
        c[3] = rd / unit;
    const char *cl[2] = {"unit rates", kf && kr ? (lf || lr ? "day rates, at least (some teams unrated)"
                                                            : "teams' day rates")
                                       : kf     ? "day rates (risk-based: unknown)"
                                       : kr     ? "day rates (clear all: unknown)"
                                                : "day rates: unknown"};
    bar_chart(cr, x + w / 2, y, w / 2, h, unit > 1 ? "Cost, USD million" : "Cost, USD", ul, cl, 2, series, 2, c,
              0);
}
