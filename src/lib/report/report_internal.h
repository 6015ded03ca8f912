/* SPDX-License-Identifier: MIT
 *
 * report_internal.h -- what the report files share: the data gathered from
 * the store (statistics, plan, hazard and district outlines, risk raster)
 * and the figure drawing functions used by both the PDF and the HTML writer;
 * the HTML page helpers the hazard report (hazard_report.c) shares.
 */
#ifndef DM_REPORT_INTERNAL_H
#define DM_REPORT_INTERNAL_H

#include "core/dm_internal.h"

#include <cairo.h>
#include <jansson.h>

/* The districts a report is of: names (any case) of districts, or with
 * exclude every district but these; n 0: every district. A row's district is
 * that of the table by district (dm_stats_json): its own field district (a
 * release area's and a find's: its hazard's), else the polygon of layer
 * districts that holds it. */
typedef struct rep_scope {
    const char *const *names;
    size_t n;
    int exclude;
} rep_scope;

/* Whether a row of district (NULL: none) is of scope's districts: always
 * when sc is NULL or names none; else when district is one named (any
 * case), or with exclude when it is none of them (a row of no district
 * then included). */
int dm__rep_in_scope(const rep_scope *sc, const char *district);

/* dm_stats_json of the rows of scope's districts alone (NULL: all): their
 * hazards, release areas, finds, accidents and the victims of those, the
 * activities with a release area or find among them, and the field reports
 * not approved ("not_approved") of the districts, with their finds (a
 * report's district: its hazard's, else the one its land lies in). With
 * hazards, *hazards gets the uuids of the hazards counted, sorted
 * (dm_free), and *n_hazards their number. */
dm_status dm__stats_json_scope(dm_store *s, dm_stats_by by, const rep_scope *scope, char **json,
                               char (**hazards)[37], size_t *n_hazards);

/* "A, B, C" of up to 10 names (field field, each once) of rows of layer
 * (those with class cls when cls is set), "... and N more" after them;
 * "none" when there are none. Into out (n bytes). */
void dm__rep_known_names(dm_store *s, const char *layer, const char *field, const char *cls, char *out, size_t n);

/* A district named by the user, as the public map and the report of some
 * districts find it (any case): its polygon in layer districts, or, when that
 * layer has none of the name, the area of the hazards whose field district
 * names it (their bounds with a 500 m margin; a warning says so). */
typedef struct rep_district {
    char name[128]; /* as the database writes it */
    dm_geom *area;  /* its polygon (the caller's to free), or NULL */
    double b[4];    /* the polygon's bounds, or its hazards' with the margin */
    long n_hz;      /* without a polygon: the hazards that name it */
} rep_district;

/* Find district name into *out. DM_ENOTFOUND naming up to 10 known names of
 * layer districts and of the hazards' field district when nothing has that
 * name; DM_EGEOM when its row in districts has no polygon and no hazard
 * names it. */
dm_status dm__rep_find_district(dm_store *s, const char *name, rep_district *out);

typedef struct rep_shape {
    size_t first, n_parts; /* parts in rep_data.part_start */
    int cls;               /* status (0 open, 1 partly released, 2 closed, 3 handed over) or -1 */
    int route;             /* planned route, -1 none */
    long rank;             /* plan rank, 0 none */
    double cx, cy;
} rep_shape;

typedef struct rep_data {
    dm_ctx *ctx;
    char title[160], date[11], db[256];
    json_t *stats;  /* dm_stats_json by district */
    json_t *plan;   /* meta "plan" or NULL */
    /* outlines in lon/lat: points, parts */
    double *xy;
    size_t n_xy, cap_xy;
    size_t *part_start; /* n_parts + 1 */
    size_t n_parts, cap_parts;
    rep_shape *hz, *dist;
    size_t n_hz, n_dist, cap_hz, cap_dist;
    double view[4]; /* lon/lat bounds drawn */
    /* risk raster warped to lon/lat, as an image */
    cairo_surface_t *risk;
    double risk_bbox[4], risk_max;
    double risk_cell_m;      /* the map's cell (0 when not in metres) */
    int risk_uncalibrated;   /* no cleared land or checked spots to calibrate on */
    char risk_note[200];
    /* burn-down: cumulative hectares released by date (plan tasks) */
    double *bd_day, *bd_ha;
    size_t n_bd;
    double bd_total;
    long bd_start;
    /* a report of some districts (dm_report_opts.districts): their hazards
     * alone in hz; the districts' shapes in dist have cls 1 and the others
     * 0 (-1 in a report of every district) */
    int scoped;
    rep_scope sc;
    char scope[300];     /* "the district Fuzuli", "the districts A, B", "every district but C" */
    char scope_opt[300]; /* the options of demine plan that plan them: "--district Fuzuli" */
    int veil;            /* the polygons of the districts hold all of them: the rest is veiled */
    /* the stored plan against those districts */
    int plan_fit;          /* REP_PLAN_OWN, REP_PLAN_WIDER or REP_PLAN_OTHER */
    long plan_in, plan_n;  /* the plan's hazards in the districts, and all of them */
    char plan_scope[300];  /* the plan's own scope: its key "scope", or "every district" */
    char no_plan[700];     /* REP_PLAN_OTHER: why no plan is shown */
    char unplanned[400];   /* districts of the report with land to release the plan has none of */
    struct rep_part {      /* REP_PLAN_WIDER: the plan's tasks of the districts' hazards */
        double ha, items, cost, funded_cost, day, route_ha[3];
        int day_unknown;   /* a funded task has no day-rate cost */
        long funded, unfunded;
        char end[11];
    } part;
} rep_data;

/* How the stored plan stands to the districts of the report: all its
 * hazards are in them (every plan of a national report), some, or none. */
enum { REP_PLAN_OWN = 0, REP_PLAN_WIDER, REP_PLAN_OTHER };

dm_status dm__report_gather(dm_store *s, const dm_report_opts *o, rep_data *d);
void dm__report_free(rep_data *d);

/* Figures draw into the box (x, y, w, h) of cr. */
typedef void (*rep_fig_fn)(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_map_status(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_map_risk(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_map_plan(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_released(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_items(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_casualties(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_burndown(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);
void dm__fig_donor(cairo_t *cr, const rep_data *d, double x, double y, double w, double h);

/* Text the report draws, made safe for cairo: s copied into out (n bytes)
 * as valid UTF-8, each invalid byte (text in a legacy code page, a name cut
 * by bytes) replaced by '?', and cut on a character, with an ellipsis, so
 * that at the current font it is at most max_w points wide (max_w <= 0: no
 * limit). cairo refuses invalid UTF-8 by putting the whole drawing into an
 * error state, so that nothing more is drawn. Returns out. */
const char *dm__rep_text(cairo_t *cr, const char *s, double max_w, char *out, size_t n);

/* Why the report shows no plan: "nothing to plan: ..." when the stored plan
 * covers no open hazard (every hazard closed or none recorded), "no plan
 * yet (...)" when there is none, d->no_plan when none of its hazards is in
 * the report's districts; NULL when the plan has hazards. */
const char *dm__rep_no_plan(const rep_data *d);

/* A sum of dollars as the plan's text output writes it: "1.23 M" from USD
 * 0.1 M up, the dollars themselves below ("4,800"), so that a small plan
 * does not read "USD 0.00 M". Written into buf (n bytes, 40 is enough);
 * returns buf. The band gives P10 and P90 in one unit, millions when the
 * larger is USD 0.1 M or more ("12.29-16.89 M", "4,800-7,200"). */
const char *dm__rep_usd(char *buf, size_t n, double v);
const char *dm__rep_usd_band(char *buf, size_t n, double lo, double hi);

/* Whether the report or map may be written over path: DM_OK when path does
 * not exist, is empty, is a file demine wrote (pdf: a PDF whose Creator is
 * "demine ..."; else an HTML page with demine's generator meta or closing
 * line), or force is set; DM_ECONFLICT naming path and what (the kind of
 * file written, "report", "map") otherwise; DM_EIO when it exists but
 * cannot be read. */
dm_status dm__rep_may_replace(dm_ctx *ctx, const char *path, int pdf, int force, const char *what);

/* ---- HTML pages (report_out.c), of the national and the hazard report ---- */

/* s into b as HTML text or attribute value: made valid UTF-8 as
 * dm__rep_text makes it, < > & " as entities (NULL: nothing). */
void dm__html_esc(dm_buf *b, const char *s);
/* The start of a page: doctype, charset, demine's generator meta (by which
 * dm__rep_may_replace knows the page), title (escaped), the style sheet css,
 * up to and with <body>; lang the page's language ("en"). */
void dm__html_head(dm_buf *b, const char *lang, const char *title, const char *css);
/* img as an embedded base64 PNG in a <figure>, w CSS pixels wide, alt
 * escaped; b->oom set when the PNG could not be made. */
void dm__html_img(dm_buf *b, cairo_surface_t *img, double w, const char *alt);
/* The closing line ("Made by demine ...") and </html> added to b, then b
 * written to path and freed. DM_ENOMEM when b ran out of memory, DM_EIO. */
dm_status dm__html_save(dm_ctx *ctx, dm_buf *b, const char *path);

/* ---- drawing (report_draw.c) the public map and the hazard report share ---- */

/* The report's font (sans-serif) at size points, bold or not. */
void dm__rep_font(cairo_t *cr, double size, int bold);
/* How far s advances in the current font, in points. */
double dm__rep_text_w(cairo_t *cr, const char *s);
/* s0 (made safe by dm__rep_text) at (x, y) in the current font, aligned left
 * (0), centred (1) or right (2), cut with an ellipsis to max_w points (<= 0:
 * no limit). Returns its width. */
double dm__rep_show(cairo_t *cr, double x, double y, const char *s0, int align, double max_w);
/* s0 (its first cap - 1 bytes at most, cap up to 3000) wrapped at spaces into
 * width w from (x, y), lines lh apart, in the current font; drawn when draw
 * is set, measured otherwise. Returns the y under the last line. */
double dm__rep_wrap(cairo_t *cr, double x, double y, double w, double lh, const char *s0, size_t cap,
                    int draw);

/* A map's frame on the page: the box (ox, oy, fw, fh) in points showing view
 * (west, south, east, north in degrees) at s points per degree of latitude,
 * kx the cosine of the middle latitude (a degree of longitude is kx * s). */
typedef struct rep_frame {
    double ox, oy, fw, fh, view[4], s, kx;
} rep_frame;

/* The view of f fitted to the bounds a (west, south, east, north) with a
 * margin of margin times their larger side, at least min_m metres, widened
 * or heightened to fill a frame of fw x fh points: view, s, kx, fw and fh set,
 * ox and oy 0. */
void dm__rep_fit_view(rep_frame *f, const double a[4], double fw, double fh, double margin,
                      double min_m);

/* How the graticule looks: its labels' font size, its lines' opacity, the
 * labels' baseline under the frame; the grid step in degrees is the first of
 * the 1-2-5 steps from step_min to step_max (0.0005 to 10) with at most 6
 * lines, else twice step_max; the degrees have at least min_decimals. */
typedef struct rep_grid_style {
    double font, alpha, below, step_min, step_max;
    int min_decimals;
} rep_grid_style;

/* Graticule lines with their degrees at the four edges of f. */
void dm__rep_map_grid(cairo_t *cr, const rep_frame *f, const rep_grid_style *g);
/* A scale bar in the lower left corner of f, about 110 points long. */
void dm__rep_map_scale(cairo_t *cr, const rep_frame *f);
/* A north arrow in the upper right corner of f. */
void dm__rep_map_north(cairo_t *cr, const rep_frame *f);
/* s (valid UTF-8) in the current font with its baseline starting at (x, y),
 * with a white halo width points wide, the letters grey (0 black). */
void dm__rep_halo(cairo_t *cr, double x, double y, const char *s, double width, double grey);

double dm__jnum(json_t *o, const char *k);
/* A cost of the plan at the teams' day rates (key k of o): 1 with *usd when
 * it is a number, 0 when it is null (unknown) or missing. */
int dm__jday(json_t *o, const char *k, double *usd);
/* The same as text: "USD 1.23 M" ("USD 4,800" under USD 0.1 M), "at least
 * USD 1.23 M" when unknown but the plan gives k_lower_bound (some teams
 * have no day rate), or "unknown" (never USD 0). */
const char *dm__day_m(char *buf, size_t n, json_t *o, const char *k);

#endif
