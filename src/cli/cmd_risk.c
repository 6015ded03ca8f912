/* SPDX-License-Identifier: MIT
 *
 * cmd_risk.c -- `demine risk map|fit|eval|distance|sum`: the risk map from
 * a database and/or evidence files, fitting a model's weights on labels,
 * scoring a map against later events and labelled cells, and two raster
 * tools (exact distance raster, weighted sum) used by the benchmarks.
 */
#include "cli.h"
#include "cli_table.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIST 64

static const char *help_risk =
    "usage: demine risk map [DB] [--out RISK.tif] [options]\n"
    "       demine risk refresh DB [--json]\n"
    "       demine risk explain DB --at LON,LAT [--json]\n"
    "       demine risk fit [DB] [--labels FILE] --out MODEL.json [options]\n"
    "       demine risk eval RISK.tif --truth FILE [--aoi FILE] [options]\n"
    "       demine risk spots RISK.tif --n N --out SPOTS.geojson [--aoi FILE] [--seed S]\n"
    "       demine risk distance IN.tif OUT.tif [--values 1,2,...] [--max M]\n"
    "       demine risk sum OUT.tif W1 A.tif [W2 B.tif ...]\n\n"
    "Each subcommand has --help. See docs/risk.md for every evidence term.\n";

static const char *help_map =
    "usage: demine risk map [DB] [--out RISK.tif] [options]\n\n"
    "Fuse the evidence of a database (features, hazards, records, items, accidents,\n"
    "events, released land, detections) and of evidence files into a risk map: a\n"
    "tiled, compressed GeoTIFF with overviews, band 1 the probability that a cell\n"
    "holds at least one item, band 2 the expected items per hectare. With DB, every\n"
    "hazard gets p_contam and expected_items, and the map's path is stored as the\n"
    "database's \"risk_map\".\n\n"
    "  --out FILE            the GeoTIFF to write (default: DB's name with -risk.tif;\n"
    "                        required without DB)\n"
    "  --aoi FILE            polygons of the area (default: the extent of all evidence\n"
    "                        grown by 1 km, i.e. every hazard and the demo's area)\n"
    "  --cell METRES         cell size (default 10)\n"
    "  --crs CRS             output CRS, projected in metres, e.g. EPSG:3116 (default:\n"
    "                        the UTM zone of the area's centre)\n"
    "  --until DATE          use only evidence dated on or before DATE (a year or a month\n"
    "                        means its last day: --until 2012 keeps all of 2012; day\n"
    "                        first 12.05.2012 too); a map\n"
    "                        of the past: DB's hazards and risk map are left as they are\n"
    "  --evidence FILE       evidence in the schema kind,date,code,ordnance,... (repeatable;\n"
    "                        FILE:LAYER reads one layer of a file of several)\n"
    "  --covariate NAME=RASTER  a raster for the model's covariate term NAME (repeatable;\n"
    "                        NAME=RASTER:BAND reads another band than the first)\n"
    "  --model MODEL.json    weights (default: the built-in default model)\n"
    "  --disable KIND        switch an evidence kind off (repeatable; ablation)\n"
    "  --disable-term NAME   switch one model term off (ablation)\n"
    "  --threads N, --tile CELLS, --mem-mb MB (default 2048)\n"
    "  --no-writeback        do not update the hazards of DB\n"
    "  --no-calibrate        keep the model's own item density (by default it is scaled\n"
    "                        so that land already searched holds what was found there)\n"
    "  --no-qc-rates         the methods' default detection probabilities for cleared\n"
    "                        land, not those quality control measured (demine qc)\n"
    "  --spots FILE          spots from `risk spots`, searched and labelled 1/0 by the\n"
    "                        teams: recalibrate the item density on them (repeatable;\n"
    "                        FILE:LAYER for one layer; refresh reads the files again)\n"
    "  --label-field F       the spots' label field (default label)\n"
    "  --json                print a summary as JSON\n";

static const char *help_eval =
    "usage: demine risk eval RISK.tif --truth FILE [options]\n"
    "       demine risk eval RISK.tif --labels FILE [options]\n\n"
    "Score a risk map: recall at 5/10/20 % of the area, PAI, the capture curve and\n"
    "its area for the truth events falling in the area; AUC-ROC, Brier score and a\n"
    "reliability table (labelled cells in ten equal groups by probability: the mean\n"
    "probability against the share labelled 1) when --labels is given.\n\n"
    "  --truth FILE          truth points (any OGR file; FILE:LAYER picks a layer,\n"
    "                        e.g. later.gpkg:items; a demo's database alone reads\n"
    "                        its hidden truth, truth_items)\n"
    "  --aoi FILE            polygons of the area scored (default: every map cell)\n"
    "  --from DATE --to DATE truth events dated in this window\n"
    "  --codes 1,4,8         only these event codes;  --kinds accident,item  only these kinds\n"
    "  --labels FILE         polygons or points with a 0/1 label\n"
    "  --label-field F       the label field (default label; other values are ignored)\n"
    "  --band N              the map band to score (default 1)\n"
    "  --plot FILE           draw the capture curve (and the reliability diagram with\n"
    "                        --labels) into FILE: .png, .pdf or .svg\n"
    "  --json                machine output\n";

static const char *help_fit =
    "usage: demine risk fit [DB] [--labels FILE] --out MODEL.json [options]\n\n"
    "Learn the weights of a model's terms by L2-regularised logistic regression, the\n"
    "penalty chosen by spatial block cross-validation. The penalty pulls each weight\n"
    "towards the base model's (--model, or the default model): a few labels adjust it,\n"
    "and a term the labels say nothing of keeps its weight. Labels are polygons or\n"
    "points with a 0/1 field (`label`, or the one --label-field names; other values\n"
    "are left out), or points without one (each cell holding a point is positive,\n"
    "every other cell of the area negative; --label-from/--label-to select them by\n"
    "date). With DB and no --labels, cells with items or accidents are positive and\n"
    "land released with nothing found negative; with --until, only those dated after\n"
    "it (so that they are not also the evidence).\n\n"
    "  --aoi FILE --cell M --crs CRS --until DATE --evidence FILE --covariate N=R\n"
    "                        as for `risk map` (cell default 100)\n"
    "  --labels FILE         labelled polygons or points (default with DB: its operations)\n"
    "  --label-field F       the labels' 0/1 field (default label)\n"
    "  --label-from D --label-to D  unlabelled points dated in this window\n"
    "  --codes 1,4,8, --kinds accident,item  only these label points\n"
    "  --model BASE.json     the terms to fit (default: the default model's)\n"
    "  --add-covariates      add a term for every --covariate given\n"
    "  --no-prior            pull the weights towards zero instead (a fit from scratch)\n"
    "  --block-km K          cross-validation block side (default 10)\n"
    "  --folds N             folds (default 5)\n"
    "  --out MODEL.json      where to write the fitted model (required)\n"
    "  --json                print a summary as JSON\n";

typedef struct opts {
    const char *db, *out, *aoi, *crs, *until, *model, *disable_term, *labels, *label_field;
    const char *label_from, *label_to, *truth, *from, *to, *plot;
    double cell;
    const char *ev[MAX_LIST];
    int n_ev;
    const char *spots[MAX_LIST];
    int n_spots;
    dm_risk_covariate cov[MAX_LIST];
    int n_cov;
    char *cov_buf[MAX_LIST];
    unsigned disabled;
    long threads, tile, mem_mb, folds, band;
    double block_km;
    int json, no_writeback, add_cov, no_calibrate, no_prior, no_qc_rates;
    int codes[MAX_LIST];
    size_t n_codes;
    unsigned kinds;
} opts;

static int parse_kinds(const char *cmd, const char *s, unsigned *mask)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    int any = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = dm_ev_kind_parse(t);
        if (k < 0)
            return cli_usage_error(cmd, "unknown evidence kind '%s' (accident, item, suspected, "
                                        "report, detection, hazard, record, cleared, feature)",
                                   t);
        *mask |= 1u << k;
        any = 1;
    }
    /* "" switched nothing off and selected nothing, in silence */
    if (!any)
        return cli_usage_error(cmd, "a list of evidence kinds is empty (accident, item, "
                                    "suspected, report, detection, hazard, record, cleared, feature)");
    return 0;
}

static int parse_args(const char *cmd, int argc, char **argv, opts *o, int npos, const char **pos)
{
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED()                                                                                     \
    do {                                                                                           \
        if (!v)                                                                                    \
            return cli_usage_error(cmd, "option %s needs a value", a);                            \
        i++;                                                                                       \
    } while (0)
        if (!strcmp(a, "--out")) { NEED(); o->out = v; }
        else if (!strcmp(a, "--aoi")) { NEED(); o->aoi = v; }
        else if (!strcmp(a, "--crs")) { NEED(); o->crs = v; }
        else if (!strcmp(a, "--until")) { NEED(); o->until = v; }
        else if (!strcmp(a, "--model")) { NEED(); o->model = v; }
        else if (!strcmp(a, "--labels")) { NEED(); o->labels = v; }
        else if (!strcmp(a, "--plot")) { NEED(); o->plot = v; }
        else if (!strcmp(a, "--label-field")) { NEED(); o->label_field = v; }
        else if (!strcmp(a, "--label-from")) { NEED(); o->label_from = v; }
        else if (!strcmp(a, "--label-to")) { NEED(); o->label_to = v; }
        else if (!strcmp(a, "--truth")) { NEED(); o->truth = v; }
        else if (!strcmp(a, "--from")) { NEED(); o->from = v; }
        else if (!strcmp(a, "--to")) { NEED(); o->to = v; }
        else if (!strcmp(a, "--disable-term")) {
            NEED();
            if (o->disable_term)
                return cli_usage_error(cmd, "--disable-term switches one term off: run once per "
                                            "term (scripts/ablation.sh does)");
            o->disable_term = v;
        }
        else if (!strcmp(a, "--json")) o->json = 1;
        else if (!strcmp(a, "--no-writeback")) o->no_writeback = 1;
        else if (!strcmp(a, "--no-calibrate")) o->no_calibrate = 1;
        else if (!strcmp(a, "--no-qc-rates")) o->no_qc_rates = 1;
        else if (!strcmp(a, "--add-covariates")) o->add_cov = 1;
        else if (!strcmp(a, "--no-prior")) o->no_prior = 1;
        else if (!strcmp(a, "--cell")) {
            NEED();
            if (!cli_parse_double(cmd, a, v, &o->cell))
                return 2;
            if (!(o->cell > 0))
                return cli_usage_error(cmd, "--cell must be > 0");
        } else if (!strcmp(a, "--block-km")) {
            NEED();
            if (!cli_parse_double(cmd, a, v, &o->block_km))
                return 2;
        } else if (!strcmp(a, "--threads") || !strcmp(a, "--tile") || !strcmp(a, "--mem-mb") ||
                   !strcmp(a, "--folds") || !strcmp(a, "--band")) {
            NEED();
            long *dst = !strcmp(a, "--threads") ? &o->threads
                        : !strcmp(a, "--tile")  ? &o->tile
                        : !strcmp(a, "--mem-mb") ? &o->mem_mb
                        : !strcmp(a, "--folds") ? &o->folds
                                                : &o->band;
            if (!cli_parse_long(cmd, a, v, dst))
                return 2;
            if (*dst <= 0)
                return cli_usage_error(cmd, "%s must be > 0", a);
        } else if (!strcmp(a, "--spots")) {
            NEED();
            if (o->n_spots == MAX_LIST)
                return cli_usage_error(cmd, "too many --spots files");
            o->spots[o->n_spots++] = v;
        } else if (!strcmp(a, "--evidence")) {
            NEED();
            if (o->n_ev == MAX_LIST)
                return cli_usage_error(cmd, "too many --evidence files");
            o->ev[o->n_ev++] = v;
        } else if (!strcmp(a, "--covariate")) {
            NEED();
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1])
                return cli_usage_error(cmd, "--covariate wants NAME=RASTER, got '%s'", v);
            if (o->n_cov == MAX_LIST)
                return cli_usage_error(cmd, "too many --covariate rasters");
            char *name = strdup(v);
            name[eq - v] = '\0';
            o->cov_buf[o->n_cov] = name;
            o->cov[o->n_cov].name = name;
            char *path = name + (eq - v) + 1;
            o->cov[o->n_cov].path = path;
            o->cov[o->n_cov].band = 0;
            /* RASTER:BAND, unless a file of that very name exists */
            char *colon = strrchr(path, ':');
            if (colon && colon > path && colon[1] && strspn(colon + 1, "0123456789") ==
                                                         strlen(colon + 1) &&
                access(path, F_OK) != 0) {
                long b = strtol(colon + 1, NULL, 10);
                if (b < 1 || b > 65535) {
                    free(name);
                    return cli_usage_error(cmd, "--covariate %s: the band counts from 1", v);
                }
                *colon = '\0';
                o->cov[o->n_cov].band = (int)b;
            }
            o->n_cov++;
            for (int c = 0; c + 1 < o->n_cov; c++)
                if (!strcmp(o->cov[c].name, name))
                    return cli_usage_error(cmd, "--covariate %s is given twice", name);
        } else if (!strcmp(a, "--disable")) {
            NEED();
            if (parse_kinds(cmd, v, &o->disabled))
                return 2;
        } else if (!strcmp(a, "--kinds")) {
            NEED();
            if (parse_kinds(cmd, v, &o->kinds))
                return 2;
        } else if (!strcmp(a, "--codes")) {
            NEED();
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v);
            char *save = NULL;
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                char *end;
                long c = strtol(t, &end, 10);
                if (*end || end == t || o->n_codes == MAX_LIST || c < INT_MIN || c > INT_MAX)
                    return cli_usage_error(cmd, "--codes wants integers like 1,4,8");
                o->codes[o->n_codes++] = (int)c;
            }
            if (!o->n_codes)
                return cli_usage_error(cmd, "--codes wants integers like 1,4,8, got '%s'", v);
        } else if (a[0] == '-' && a[1])
            return cli_unknown_option_in(cmd, a,
                                         !strcmp(cmd, "risk eval") ? help_eval
                                         : !strcmp(cmd, "risk fit") ? help_fit
                                                                     : help_map);
        else {
            if (np >= npos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[np++] = a;
        }
#undef NEED
    }
    return 0;
}

static void free_opts(opts *o)
{
    for (int i = 0; i < o->n_cov; i++)
        free(o->cov_buf[i]);
    o->n_cov = 0;
}

/* The options and up to npos positional arguments of cmd; on a usage error
 * (its exit code returned) what was parsed is freed. */
static int parse_opts(const char *cmd, int argc, char **argv, opts *o, int npos, const char **pos)
{
    int rc = parse_args(cmd, argc, argv, o, npos, pos);
    if (rc)
        free_opts(o);
    return rc;
}

/* A date option; the end of a range (--until, --to, --label-to) given as a
 * year or a month means its last day. */
/* What --truth FILE is when it names no layer: 0 not a demine database,
 * 1 one holding a demo's hidden truth (truth_items rows), 2 one without. */
static int demo_truth(dm_ctx *ctx, const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strcasecmp(dot, ".gpkg"))
        return 0;
    dm_store *s = NULL;
    if (dm_store_open(ctx, path, DM_STORE_READONLY, &s)) {
        dm_ctx_clear_error(ctx);
        return 0;
    }
    long n = 0;
    if (dm_store_count(s, "truth_items", NULL, &n))
        n = 0;
    dm_ctx_clear_error(ctx);
    dm_store_close(s);
    return n > 0 ? 1 : 2;
}

static int check_date(dm_ctx *ctx, const char *cmd, const char *opt, const char *s, char out[11])
{
    if (!s)
        return 0;
    int end = !strcmp(opt, "--until") || !strcmp(opt, "--to") || !strcmp(opt, "--label-to");
    /* read as every date option reads it: YYYY, YYYY-MM, YYYY-MM-DD, day first */
    return cli_parse_date(ctx, cmd, opt, s, end, out) ? 0 : 2;
}

/* --until after tomorrow (UTC) dates the map then: every event counts as
 * older by as much, and the kernels' half-life fades it. Said, not refused
 * (a map of a date to come is a forecast). */
static void warn_until_future(const char *cmd, const char *until)
{
    time_t t = time(NULL);
    struct tm tm;
    char today[16], tomorrow[16];
    if (!until[0] || !gmtime_r(&t, &tm) || !strftime(today, sizeof today, "%Y-%m-%d", &tm))
        return;
    t += 86400;
    if (!gmtime_r(&t, &tm) || !strftime(tomorrow, sizeof tomorrow, "%Y-%m-%d", &tm))
        return;
    if (strcmp(until, tomorrow) > 0)
        fprintf(stderr,
                "warning: %s: --until %s is after today (%s): the map is dated then, and every "
                "event counts as that much older (the kernels' half-life fades it)\n",
                cmd, until, today);
}

/* The evidence of the database and of the files, WGS 84. */
static dm_status load_evidence(dm_ctx *ctx, dm_store *s, const opts *o, const char *until,
                               dm_evidence_set *ev)
{
    dm_evidence_opts eo = {0};
    eo.until = until;
    dm_status st = DM_OK;
    if (s)
        st = dm_evidence_read_store(ctx, s, &eo, ev);
    for (int i = 0; i < o->n_ev && !st; i++)
        st = dm_evidence_read_file(ctx, o->ev[i], -1, &eo, ev);
    return st;
}

/* The kinds (with what = "kinds") or codes of the rows of `all`, with their
 * counts, as "item 120, accident 8" or "1 (300), 4 (80), none (3)". */
static void seen_list(const dm_evidence_set *all, int codes, char *buf, size_t n)
{
    int val[32];
    size_t cnt[32], nv = 0, more = 0;
    for (size_t i = 0; i < all->n; i++) {
        int v = codes ? all->v[i].code : (int)all->v[i].kind;
        size_t k = 0;
        while (k < nv && val[k] != v)
            k++;
        if (k == nv) {
            if (nv == 32) {
                more++;
                continue;
            }
            val[nv] = v, cnt[nv++] = 0;
        }
        cnt[k]++;
    }
    for (size_t a = 1; a < nv; a++) /* codes in order, kinds by count */
        for (size_t b = a; b > 0; b--) {
            int swap = codes ? val[b] < val[b - 1] : cnt[b] > cnt[b - 1];
            if (!swap)
                break;
            int tv = val[b];
            size_t tc = cnt[b];
            val[b] = val[b - 1], cnt[b] = cnt[b - 1];
            val[b - 1] = tv, cnt[b - 1] = tc;
        }
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < nv && len + 1 < n; k++) {
        int w;
        if (!codes)
            w = snprintf(buf + len, n - len, "%s%s %zu", k ? ", " : "",
                         dm_ev_kind_name((dm_ev_kind)val[k]), cnt[k]);
        else if (val[k] < 0)
            w = snprintf(buf + len, n - len, "%snone (%zu)", k ? ", " : "", cnt[k]);
        else
            w = snprintf(buf + len, n - len, "%s%d (%zu)", k ? ", " : "", val[k], cnt[k]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (more && len + 1 < n)
        snprintf(buf + len, n - len, ", and %zu %s of other values", more, cli_plural(more, "row", "rows"));
    if (!nv)
        snprintf(buf, n, "no rows at all");
}

/* The values of --codes (among the rows of the --kinds given) or of --kinds
 * that no row of s has, as "9" or "1,9" into buf; how many. The codes of
 * those rows are listed into seen. */
static int missing_values(const opts *o, const dm_evidence_set *s, int codes, char *buf, size_t n,
                          char *seen, size_t nseen)
{
    int count = 0;
    size_t len = 0;
    buf[0] = '\0';
    dm_evidence_set of_kinds = *s;
    dm_evidence *sub = NULL;
    if (codes && o->kinds && (sub = malloc((s->n ? s->n : 1) * sizeof *sub))) {
        of_kinds.v = sub;
        of_kinds.n = 0;
        for (size_t i = 0; i < s->n; i++)
            if (o->kinds & (1u << s->v[i].kind))
                sub[of_kinds.n++] = s->v[i];
    }
    size_t nval = codes ? o->n_codes : DM_EV_KIND_COUNT;
    for (size_t c = 0; c < nval; c++) {
        if (!codes && !(o->kinds & (1u << c)))
            continue;
        size_t i = 0;
        while (i < of_kinds.n &&
               (codes ? of_kinds.v[i].code != o->codes[c] : (size_t)of_kinds.v[i].kind != c))
            i++;
        if (i < of_kinds.n)
            continue;
        count++;
        if (len + 1 < n)
            len += codes ? (size_t)snprintf(buf + len, n - len, "%s%d", len ? "," : "", o->codes[c])
                         : (size_t)snprintf(buf + len, n - len, "%s%s", len ? "," : "",
                                            dm_ev_kind_name((dm_ev_kind)c));
    }
    if (count)
        seen_list(&of_kinds, codes, seen, nseen);
    free(sub);
    return count;
}

/* --codes and --kinds pick rows of the file `file`: `whole` holds all its
 * rows, `all` those the other filters (dates) keep, described by `what`,
 * and `kept` is how many --codes and --kinds left of them. A code or kind
 * the file has nowhere is most likely a typo (--codes 9 for 8): a warning
 * naming the option and what the file holds (a code only outside the date
 * window is not one). Nothing left at all is an error when refuse_empty
 * (nothing to score). Returns 0, or the exit code. */
static int check_selection(const char *cmd, const opts *o, const char *file, const char *what,
                           const dm_evidence_set *whole, const dm_evidence_set *all, size_t kept,
                           int refuse_empty)
{
    char miss[256], seen[512];
    if (refuse_empty && !kept && all->n) {
        char given[600] = "", kinds_seen[512], codes_seen[512];
        size_t gl = 0;
        if (o->n_codes) {
            int m = missing_values(o, all, 1, miss, sizeof miss, seen, sizeof seen);
            gl += (size_t)snprintf(given, sizeof given, "--codes%s%s", m ? " " : "", m ? miss : "");
        }
        if (o->kinds && gl + 1 < sizeof given) {
            int m = missing_values(o, all, 0, miss, sizeof miss, seen, sizeof seen);
            snprintf(given + gl, sizeof given - gl, "%s--kinds%s%s", gl ? " and " : "",
                     m ? " " : "", m ? miss : "");
        }
        seen_list(all, 1, codes_seen, sizeof codes_seen);
        seen_list(all, 0, kinds_seen, sizeof kinds_seen);
        fprintf(stderr,
                "demine %s: error: %s select%s none of the %zu rows of %s: nothing to %s "
                "(kinds there: %s; codes: %s)\n",
                cmd, given, o->n_codes && o->kinds ? "" : "s", all->n, what,
                strstr(cmd, "fit") ? "fit on" : "score", kinds_seen, codes_seen);
        return 2;
    }
    if (o->n_codes && missing_values(o, whole, 1, miss, sizeof miss, seen, sizeof seen)) {
        char kn[160] = "";
        size_t kk = 0;
        for (int k = 0; k < DM_EV_KIND_COUNT && kk + 1 < sizeof kn; k++)
            if (o->kinds & (1u << k))
                kk += (size_t)snprintf(kn + kk, sizeof kn - kk, "%s%s", kk ? "/" : "",
                                       dm_ev_kind_name((dm_ev_kind)k));
        fprintf(stderr, "warning: %s --codes %s: no %s%srow of %s has %s (codes there: %s)\n", cmd,
                miss, kn, kk ? " " : "", file, strchr(miss, ',') ? "these codes" : "that code",
                seen);
    }
    if (o->kinds && missing_values(o, whole, 0, miss, sizeof miss, seen, sizeof seen)) {
        seen_list(whole, 0, seen, sizeof seen);
        fprintf(stderr, "warning: %s --kinds %s: no row of %s is of %s (kinds there: %s)\n", cmd,
                miss, file, strchr(miss, ',') ? "these kinds" : "that kind", seen);
    }
    return 0;
}

static int run_map(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_map);
    opts o = {0};
    o.cell = 10;
    o.mem_mb = 2048;
    const char *pos[1] = {0};
    int rc = parse_opts("risk map", argc, argv, &o, 1, pos);
    if (rc)
        return rc;
    o.db = pos[0];
    char until[11] = "";
    if (check_date(ctx, "risk map", "--until", o.until, until)) {
        free_opts(&o);
        return 2;
    }
    warn_until_future("risk map", until);
    /* by default beside the database: d.gpkg -> d-risk.tif */
    char out_def[4096];
    if (!o.out && o.db) {
        char *p = cli_sibling(o.db, "-risk.tif");
        if (p && strlen(p) < sizeof out_def) {
            memcpy(out_def, p, strlen(p) + 1);
            o.out = out_def;
        }
        free(p);
    }
    if (!o.out) {
        free_opts(&o);
        return cli_usage_error("risk map", "--out RISK.tif is required without a database");
    }
    {
        const char *dot = o.out ? strrchr(o.out, '.') : NULL;
        if (o.out && (!dot || (strcasecmp(dot, ".tif") && strcasecmp(dot, ".tiff")))) {
            rc = cli_usage_error("risk map", "%s: the map is a GeoTIFF: name it .tif", o.out);
            free_opts(&o);
            return rc;
        }
    }
    {
        /* options of the other subcommands are mistakes here, not no-ops */
        const char *stray = o.labels ? "--labels" : o.plot ? "--plot" : o.truth ? "--truth"
                            : o.from ? "--from" : o.to ? "--to" : o.label_from ? "--label-from"
                            : o.label_to ? "--label-to" : o.add_cov ? "--add-covariates"
                            : o.no_prior ? "--no-prior" : o.n_codes ? "--codes" : o.kinds ? "--kinds"
                            : o.band ? "--band" : o.folds ? "--folds" : o.block_km ? "--block-km"
                            : o.label_field && !o.n_spots ? "--label-field (without --spots)"
                                                          : NULL;
        if (stray) {
            free_opts(&o);
            return cli_usage_error("risk map", "%s is not an option of risk map", stray);
        }
    }
    if (!o.db && !o.n_ev) {
        free_opts(&o);
        return cli_usage_error("risk map", "give a database and/or --evidence files");
    }
    if (o.threads)
        dm_ctx_set_threads(ctx, (int)o.threads);
    dm_store *s = NULL;
    if (o.db && (rc = cli_open_store(ctx, "risk map", o.db, 0, &s))) {
        free_opts(&o);
        return rc;
    }
    /* a map of the past (a backtest) is no map of the database's present:
     * written back, it replaced every hazard's p_contam and the database's
     * risk map, which plan, route and the server read, in silence */
    if (o.db && until[0] && !o.no_writeback) {
        fprintf(stderr,
                "note: risk map --until %s maps the past: the hazards of %s and its risk map are "
                "left as they are (as with --no-writeback; `risk refresh` maps the present)\n",
                until, o.db);
        o.no_writeback = 1;
    }
    dm_risk_update_opts u = {0};
    u.no_qc_rates = o.no_qc_rates;
    u.out_path = o.out;
    u.model_path = o.model;
    u.aoi_path = o.aoi;
    u.evidence_paths = o.ev;
    u.n_evidence = (size_t)o.n_ev;
    u.cov = o.cov;
    u.n_cov = (size_t)o.n_cov;
    u.cell = o.cell;
    u.crs = o.crs;
    u.until = until[0] ? until : NULL;
    u.disabled_kinds = o.disabled;
    u.disabled_term = o.disable_term;
    u.tile = (int)o.tile;
    u.mem_limit = (size_t)o.mem_mb << 20;
    u.no_writeback = o.no_writeback;
    u.no_calibrate = o.no_calibrate;
    u.spot_paths = o.spots;
    u.n_spots = (size_t)o.n_spots;
    u.spot_label_field = o.label_field;
    dm_risk_update_result r;
    /* interrupted (Ctrl-C, kill): no half-written map (OUT.PID.part) is left behind */
    cli_part_guard(o.out);
    dm_status st = dm_risk_update(ctx, s, &u, &r);
    cli_part_guard(NULL);
    if (st && s) {
        dm_store_close(s);
        s = NULL;
    }
    if (st == DM_ENOTFOUND && !o.aoi && !r.n_evidence) {
        free_opts(&o);
        if (until[0]) /* the files may hold rows, all of them later */
            return cli_usage_error("risk map",
                                   "no evidence dated on or before --until %s, and no --aoi: "
                                   "nothing to map",
                                   until);
        return cli_usage_error("risk map", "no evidence and no --aoi: nothing to map");
    }
    if (st) {
        free_opts(&o);
        return cli_fail(ctx, "risk map", st);
    }
    /* the detection probabilities quality control measured, used or not */
    dm_qc_result qr;
    memset(&qr, 0, sizeof qr);
    if (s) {
        dm_qc_opts qo = {0};
        qo.to = until[0] ? until : NULL;
        if (dm_qc_measure(s, &qo, &qr)) /* the map said why, and used the defaults */
            dm_ctx_clear_error(ctx);
    }
    const dm_grid *g = &r.grid;
    const dm_risk_stats *stats = &r.stats;
    const dm_risk_calibration *cal = &r.cal;
    const dm_risk_spot_cal *sc = &r.spot_cal;
    if (o.json) {
        printf("{\"out\":%s,\"cells\":%zu,\"nx\":%d,\"ny\":%d,\"cell_m\":%g,\"crs\":\"%s\","
               "\"evidence\":%zu,\"seconds\":%.3f,\"tiles\":%zu,\"threads\":%d,\"halo\":%d,"
               "\"work_mib\":%.1f,\"mean_p\":%.6g,\"max_p\":%.6g,\"hazards_updated\":%zu,"
               "\"calibration\":{\"zones\":%zu,\"area_ha\":%.4f,\"found\":%.4f,"
               "\"predicted\":%.4f,\"factor\":%.6g,\"cluster\":%.6g,\"find_cells\":%zu,"
               "\"no_method\":%zu},",
               cli_json_str(o.out), stats->cells, g->nx, g->ny, g->cell, g->crs, r.n_evidence,
               stats->seconds, stats->tiles, stats->threads, stats->halo,
               stats->peak_work_bytes / 1048576.0,
               stats->mean_p, stats->max_p, r.hazards_updated, cal->zones, cal->area_ha,
               cal->found, cal->predicted, cal->factor, cal->cluster, cal->find_cells,
               cal->no_method);
        if (sc->spots)
            printf("\"spots\":{\"labelled\":%zu,\"positive\":%zu,\"ignored\":%zu,"
                   "\"expected\":%.6g,\"expected_after\":%.6g,\"factor\":%.6g,\"power\":%.6g,"
                   "\"level_x90\":%.6g},",
                   sc->spots, sc->positive, sc->ignored, sc->expected, sc->expected_after,
                   sc->factor, sc->power, sc->level_x90);
        else
            printf("\"spots\":null,");
        if (qr.n_rates) {
            printf("\"qc_rates\":{\"used\":%s,\"rates\":[", o.no_qc_rates ? "false" : "true");
            for (size_t i = 0; i < qr.n_rates; i++)
                printf("%s{\"organisation\":%s,\"method\":%s,\"tasks\":%d,\"p\":%.6g,\"p_default\":%.6g}",
                       i ? "," : "", cli_json_str(qr.rates[i].org), cli_json_str(qr.rates[i].method),
                       qr.rates[i].tasks, qr.rates[i].p, qr.rates[i].p_default);
            printf("]},");
        } else
            printf("\"qc_rates\":null,");
        printf("\"changes\":");
        cli_risk_changes_print(s, &r, 1, "");
        printf(",\"top\":[");
        for (int k = 0; k < DM_RISK_TOP_N; k++) {
            printf("%s{\"share\":%g,\"p\":", k ? "," : "", stats->top_share[k]);
            if (isfinite(stats->top_p[k]))
                printf("%.6g}", stats->top_p[k]);
            else
                printf("null}");
        }
        char style[4200];
        if (dm_qgis_style_path(o.out, style, sizeof style) == 0 && access(style, F_OK) == 0)
            printf("],\"style\":%s}\n", cli_json_str(style));
        else
            printf("],\"style\":null}\n");
    } else {
        printf("risk map %s: %d x %d cells of %g m (%s), %zu evidence item%s, %.2f s on %d "
               "thread%s; mean p %.4g, max p %.4g",
               o.out, g->nx, g->ny, g->cell, g->crs, r.n_evidence, r.n_evidence == 1 ? "" : "s",
               stats->seconds, stats->threads, stats->threads == 1 ? "" : "s", stats->mean_p,
               stats->max_p);
        if (r.hazards_updated)
            printf("; %zu hazard%s updated", r.hazards_updated, r.hazards_updated == 1 ? "" : "s");
        printf("\n");
        if (isfinite(stats->top_p[2]) && isfinite(stats->top_p[0]))
            printf("the riskiest 10 %% of the area has p >= %.3g, the riskiest 1 %% p >= %.3g "
                   "(legend for QGIS in the .qml beside the map)\n",
                   stats->top_p[2], stats->top_p[0]);
        if (cal->zones)
            printf("calibrated on %zu searched areas (%.1f ha): %.0f items found where the model "
                   "predicted %.1f; item density x %.3g; %.2g items per cell holding any (the "
                   "finds fill %zu cells)\n",
                   cal->zones, cal->area_ha, cal->found, cal->predicted, cal->factor, cal->cluster,
                   cal->find_cells);
        if (!cal->zones && !sc->spots && !o.no_calibrate)
            /* the model's own intercept: on the demo scenarios 15 to 30
             * times below what their searched land held (docs/risk.md) */
            printf("note: not calibrated: no land cleared by a method that finds most items (manual, "
                   "mechanical, dogs, magnetometer) to measure the item density on, so items per ha "
                   "and the hazards' p_contam are the model's own, which ran 15 to 30 times too low "
                   "on the demo: read them as a ranking, not as odds, until the evidence holds cleared "
                   "land or checked spots (docs/risk.md)\n");
        if (qr.n_rates) {
            printf("%s", o.no_qc_rates ? "detection probabilities measured by quality control, not used "
                                         "(--no-qc-rates): "
                                       : "cleared land searched at the detection probabilities quality "
                                         "control measured (demine qc): ");
            for (size_t i = 0; i < qr.n_rates; i++)
                printf("%s%s %s %.3f (default %.3g)", i ? ", " : "", qr.rates[i].org, qr.rates[i].method,
                       qr.rates[i].p, qr.rates[i].p_default);
            printf("\n");
        }
        if (cal->no_method)
            printf("note: %zu area%s of cleared or surveyed land %s no method recorded and %s left "
                   "out of the calibration (how many items the search missed is unknown): "
                   "`demine list %s release_areas --where method=` and `... activities --where "
                   "method=` list them; `demine edit %s ID method=manual` (mechanical, dogs, "
                   "magnetometer) sets it\n",
                   cal->no_method, cal->no_method == 1 ? "" : "s",
                   cal->no_method == 1 ? "has" : "have", cal->no_method == 1 ? "is" : "are",
                   o.db ? o.db : "DB", o.db ? o.db : "DB");
        if (sc->spots) {
            printf("recalibrated on %zu checked spots: %zu held an item where the map before any "
                   "spots expected "
                   "%.1f; items per ha = %.3g x (density before the spots)^%.2f, its level "
                   "known to within x/%.2g (90 %%)\n",
                   sc->spots, sc->positive, sc->expected, sc->factor, sc->power, sc->level_x90);
            if (sc->positive < 10)
                printf("note: %zu %s little; the recalibration stays near "
                       "the map until more are checked (docs/risk.md)\n",
                       sc->positive, cli_plural(sc->positive, "spot with an item says", "spots with an item say"));
        }
        cli_risk_changes_print(s, &r, 0, "");
    }
    dm_qc_result_free(ctx, &qr);
    if (s)
        dm_store_close(s);
    free_opts(&o);
    return 0;
}

/* ---------------------------------------------------------------- eval */

/* Points of an evidence set in g's CRS (polygons: their vertices' mean). */
static dm_status points_in_grid(dm_ctx *ctx, const dm_evidence_set *ev, const dm_grid *g,
                                double **xy)
{
    *xy = malloc((ev->n ? ev->n : 1) * 2 * sizeof **xy);
    if (!*xy)
        return DM_ENOMEM;
    dm_transform *t = NULL;
    dm_status st = dm_transform_new(ctx, "EPSG:4326", g->crs, &t);
    for (size_t i = 0; i < ev->n && !st; i++) {
        const dm_coords *c = &ev->v[i].xy;
        double x = 0, y = 0;
        for (size_t k = 0; k < c->n_xy; k++)
            x += c->xy[2 * k], y += c->xy[2 * k + 1];
        x /= (double)c->n_xy;
        y /= (double)c->n_xy;
        st = dm_transform_xy(t, &x, &y, 1);
        (*xy)[2 * i] = x;
        (*xy)[2 * i + 1] = y;
    }
    dm_transform_free(t);
    return st;
}

/* Map value of each label: mean over the cells of a polygon (centre cell when
 * the polygon is smaller than a cell), the cell of a point. */
static dm_status label_values(dm_ctx *ctx, const dm_evidence_set *lab, const dm_grid *g,
                              const float *map, double *val)
{
    dm_transform *t = NULL;
    dm_status st = dm_transform_new(ctx, "EPSG:4326", g->crs, &t);
    if (st)
        return st;
    for (size_t i = 0; i < lab->n && !st; i++) {
        const dm_coords *c0 = &lab->v[i].xy;
        dm_coords c = *c0;
        c.xy = malloc(c0->n_xy * 2 * sizeof *c.xy);
        if (!c.xy) {
            st = DM_ENOMEM;
            break;
        }
        memcpy(c.xy, c0->xy, c0->n_xy * 2 * sizeof *c.xy);
        double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, mx = 0, my = 0;
        for (size_t k = 0; k < c.n_xy && !st; k++) {
            st = dm_transform_xy(t, &c.xy[2 * k], &c.xy[2 * k + 1], 1);
            b[0] = fmin(b[0], c.xy[2 * k]), b[1] = fmin(b[1], c.xy[2 * k + 1]);
            b[2] = fmax(b[2], c.xy[2 * k]), b[3] = fmax(b[3], c.xy[2 * k + 1]);
            mx += c.xy[2 * k], my += c.xy[2 * k + 1];
        }
        mx /= (double)c.n_xy, my /= (double)c.n_xy;
        val[i] = NAN;
        if (!st) {
            int i0 = (int)floor((b[0] - g->x0) / g->cell), i1 = (int)floor((b[2] - g->x0) / g->cell);
            int j0 = (int)floor((g->y0 - b[3]) / g->cell), j1 = (int)floor((g->y0 - b[1]) / g->cell);
            if (i0 < 0) i0 = 0;
            if (j0 < 0) j0 = 0;
            if (i1 >= g->nx) i1 = g->nx - 1;
            if (j1 >= g->ny) j1 = g->ny - 1;
            double s = 0;
            size_t n = 0;
            int poly = c.n_parts && c.kind[0] >= 2;
            if (poly && i0 <= i1 && j0 <= j1) {
                dm_grid w = dm_grid_window(g, i0, j0, i1 - i0 + 1, j1 - j0 + 1);
                size_t wn = dm_grid_cells(&w);
                float *f = calloc(wn, sizeof *f);
                if (f) {
                    dm_burn_coords(&w, &c, 1.0f, DM_BURN_SET, 0, f);
                    for (int jj = 0; jj < w.ny; jj++)
                        for (int ii = 0; ii < w.nx; ii++) {
                            float v = map[(size_t)(j0 + jj) * g->nx + i0 + ii];
                            if (f[(size_t)jj * w.nx + ii] > 0 && isfinite(v))
                                s += v, n++;
                        }
                    free(f);
                }
            }
            if (n)
                val[i] = s / (double)n;
            else {
                double fx = (mx - g->x0) / g->cell, fy = (g->y0 - my) / g->cell;
                if (fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny)
                    val[i] = map[(size_t)(int)fy * g->nx + (size_t)(int)fx];
            }
        }
        free(c.xy);
    }
    dm_transform_free(t);
    return st;
}

static int run_eval(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_eval);
    opts o = {0};
    o.band = 1;
    const char *pos[1] = {0};
    int rc = parse_opts("risk eval", argc, argv, &o, 1, pos);
    if (rc)
        return rc;
    {
        const char *stray = o.n_spots ? "--spots" : o.out ? "--out" : o.model ? "--model"
                            : o.n_ev ? "--evidence" : o.n_cov ? "--covariate" : o.until ? "--until"
                            : o.label_from ? "--label-from" : o.label_to ? "--label-to" : NULL;
        free_opts(&o); /* eval reads no covariate */
        if (stray)
            return cli_usage_error("risk eval", "%s is not an option of risk eval", stray);
    }
    char from[11] = "", to[11] = "";
    if (check_date(ctx, "risk eval", "--from", o.from, from) || check_date(ctx, "risk eval", "--to", o.to, to))
        return 2;
    if (!pos[0] || (!o.truth && !o.labels))
        return cli_usage_error("risk eval", "usage: demine risk eval RISK.tif --truth FILE | --labels FILE (see --help)");
    if (from[0] && to[0] && strcmp(from, to) > 0)
        return cli_usage_error("risk eval", "--from %s is after --to %s", o.from, o.to);
    if (o.plot) { /* before the work: the chart's name and place */
        const char *dot = strrchr(o.plot, '.');
        if (!dot || (strcasecmp(dot, ".png") && strcasecmp(dot, ".pdf") && strcasecmp(dot, ".svg")))
            return cli_usage_error("risk eval", "%s: the chart is written as .png, .pdf or .svg",
                                   o.plot);
        int existed = access(o.plot, F_OK) == 0;
        FILE *f = fopen(o.plot, "ab");
        if (!f)
            return cli_usage_error("risk eval", "%s: cannot write the chart there", o.plot);
        fclose(f);
        if (!existed)
            remove(o.plot);
    }
    dm_grid g;
    float *map = NULL;
    unsigned char *mask = NULL;
    dm_geom *aoi = NULL;
    dm_evidence_set truth, lab;
    dm_evidence_set_init(&truth);
    dm_evidence_set_init(&lab);
    double *txy = NULL, *lv = NULL, *ly = NULL;
    size_t nl = 0;
    dm_status st = dm_raster_read(ctx, pos[0], (int)o.band, &g, &map);
    if (!st && o.aoi)
        st = dm_read_polygons(ctx, o.aoi, &aoi);
    if (!st && aoi)
        st = dm_raster_mask_area(ctx, aoi, &g, &mask);
    if (!st && o.truth) {
        char path[4096];
        snprintf(path, sizeof path, "%s", o.truth);
        dm_evidence_opts eo = {0};
        eo.until = to[0] ? to : NULL;
        eo.from = from[0] ? from : NULL;
        eo.codes = o.codes;
        eo.n_codes = o.n_codes;
        eo.kinds_mask = o.kinds;
        char *colon = strrchr(path, ':');
        if (colon && colon > path + 1 && access(path, F_OK) != 0) {
            *colon = '\0';
            eo.layer = colon + 1;
        }
        /* a demine database read whole is every layer of it (districts,
         * roads...): a demo's hidden truth is its truth_items layer */
        int db = eo.layer ? 0 : demo_truth(ctx, path);
        if (db == 1) {
            eo.layer = "truth_items";
            if (!o.json)
                fprintf(stderr, "note: --truth %s: scoring against its layer truth_items (the demo's "
                        "hidden truth); %s:LAYER scores against another\n", o.truth, o.truth);
        }
        else if (db == 2) {
            rc = cli_usage_error("risk eval",
                                   "--truth %s: a demine database of many layers; name the one to "
                                   "score against, e.g. %s:items (finds) or %s:accidents",
                                   o.truth, o.truth, o.truth);
            goto done;
        }
        st = dm_evidence_read_file(ctx, path, DM_EV_ITEM, &eo, &truth);
        if (!st && (o.n_codes || o.kinds)) {
            /* the rows without --codes/--kinds: did they pick anything? */
            dm_evidence_set all;
            dm_evidence_set_init(&all);
            eo.codes = NULL;
            eo.n_codes = 0;
            eo.kinds_mask = 0;
            st = dm_evidence_read_file(ctx, path, DM_EV_ITEM, &eo, &all);
            /* and without the dates, for the codes and kinds the file has */
            dm_evidence_set whole;
            dm_evidence_set_init(&whole);
            eo.from = eo.until = NULL;
            if (!st && (from[0] || to[0]))
                st = dm_evidence_read_file(ctx, path, DM_EV_ITEM, &eo, &whole);
            char file[4200], what[4300];
            snprintf(file, sizeof file, "the truth %s", o.truth);
            snprintf(what, sizeof what, "%s%s%s%s%s", file, from[0] || to[0] ? " dated " : "",
                     from, from[0] || to[0] ? ".." : "", to);
            if (!st)
                rc = check_selection("risk eval", &o, file, what,
                                     from[0] || to[0] ? &whole : &all, &all, truth.n,
                                     !o.labels); /* the labels are still scored */
            dm_evidence_set_free(ctx, &all);
            dm_evidence_set_free(ctx, &whole);
            if (rc)
                goto done;
        }
        if (!st && !truth.n && (from[0] || to[0]) && !o.labels) {
            /* an empty date window is not "none inside the area" */
            dm_evidence_set whole;
            dm_evidence_set_init(&whole);
            dm_evidence_opts wo = eo;
            wo.from = wo.until = NULL;
            wo.codes = NULL;
            wo.n_codes = 0;
            wo.kinds_mask = 0;
            st = dm_evidence_read_file(ctx, path, DM_EV_ITEM, &wo, &whole);
            if (!st) {
                fprintf(stderr,
                        "demine risk eval: error: no row of the truth %s is dated %s..%s (of its "
                        "%zu rows): nothing to score\n",
                        o.truth, from, to, whole.n);
                rc = 2;
            }
            dm_evidence_set_free(ctx, &whole);
            if (rc)
                goto done;
        }
        if (!st)
            st = points_in_grid(ctx, &truth, &g, &txy);
    }
    if (!st && o.labels) {
        dm_evidence_opts lo = {0};
        lo.label_field = o.label_field ? o.label_field : "label";
        st = dm_evidence_read_file(ctx, o.labels, DM_EV_REPORT, &lo, &lab);
        if (!st) {
            lv = malloc((lab.n ? lab.n : 1) * sizeof *lv);
            ly = malloc((lab.n ? lab.n : 1) * sizeof *ly);
            st = lv && ly ? label_values(ctx, &lab, &g, map, lv) : DM_ENOMEM;
        }
        if (!st) { /* keep 0/1 labels only */
            for (size_t i = 0; i < lab.n; i++) {
                double y = lab.v[i].value;
                if (y == 0 || y == 1) {
                    lv[nl] = lv[i];
                    ly[nl++] = y;
                }
            }
            if (!nl) {
                rc = cli_usage_error("risk eval",
                                     "%s: none of its %zu rows is labelled 0 or 1 (field '%s')",
                                     o.labels, lab.n, lo.label_field);
                goto done;
            }
        }
    }
    /* a demine map's band 2 holds items per hectare: how many the map
     * expects in the area scored, to set beside the truth count */
    double expected = NAN;
    /* a map in degrees (warped to EPSG:4326) has cells of no fixed area:
     * items per hectare times the cell's square degrees gave 0 items */
    int metres = 0;
    if (!st) {
        metres = dm_crs_require_metres(ctx, g.crs, NULL, 0) == DM_OK;
        dm_ctx_clear_error(ctx);
    }
    /* a raster demine did not write (an elevation, a distance raster, a
     * map of another tool) is scored as a ranking, higher values riskier:
     * a distance or a cost ranks the land backwards (an elevation scored
     * recall@10% 0.06 in silence), and its band 2 holds no items per
     * hectare */
    int ours = 0;
    if (!st) {
        char *bands = NULL;
        ours = dm_raster_get_meta(ctx, pos[0], "DEMINE_BANDS", &bands) == DM_OK && bands;
        dm_free(ctx, bands);
        dm_ctx_clear_error(ctx);
        if (!ours)
            fprintf(stderr,
                    "warning: %s is not a risk map of demine (no DEMINE_BANDS metadata): band %ld "
                    "is scored as a ranking, higher values riskier (a distance or cost ranks "
                    "backwards); no items are expected from it\n",
                    pos[0], o.band);
    }
    if (!st && ours && o.truth && o.band == 1 && !metres)
        fprintf(stderr,
                "warning: %s is in %s, not in metres: the items it expects in the area are not "
                "counted\n",
                pos[0], g.crs);
    if (!st && ours && o.truth && o.band == 1 && metres) {
        dm_grid g2;
        float *items = NULL;
        if (dm_raster_read(ctx, pos[0], 2, &g2, &items) == DM_OK && g2.nx == g.nx && g2.ny == g.ny) {
            double sum = 0, cell_ha = g.cell * g.cell / 10000.0;
            for (size_t k = 0; k < dm_grid_cells(&g); k++)
                if ((!mask || mask[k]) && isfinite(map[k]) && isfinite(items[k]))
                    sum += items[k] * cell_ha;
            expected = sum;
        }
        dm_ctx_clear_error(ctx);
        if (items)
            dm_raster_free(items, dm_grid_cells(&g2));
    }
    dm_risk_eval e;
    if (!st) {
        st = dm_risk_evaluate(ctx, &g, map, mask, txy, truth.n, lv, ly, nl, &e);
        if (st == DM_EINVAL && !e.n_cells) {
            fprintf(stderr, "demine risk eval: error: %s: the area holds none of the cells of %s\n",
                    o.aoi ? o.aoi : pos[0], pos[0]);
            rc = 2;
            goto done;
        }
    }
    if (!st) {
        if (o.json) {
            printf("{\"map\":%s,\"cells\":%zu,\"truth\":%zu,\"truth_inside\":%zu", cli_json_str(pos[0]),
                   e.n_cells, e.n_truth, e.n_truth_inside);
            const char *names[] = {"recall5", "recall10", "recall20", "pai5",
                                   "pai10",   "pai20",    "capture_auc"};
            double vals[] = {e.recall5, e.recall10, e.recall20, e.pai5,
                             e.pai10,   e.pai20,    e.capture_auc};
            for (int k = 0; k < 7; k++) {
                if (isfinite(vals[k]))
                    printf(",\"%s\":%.4f", names[k], vals[k]);
                else
                    printf(",\"%s\":null", names[k]);
            }
            if (isfinite(expected))
                printf(",\"expected_items\":%.1f", expected);
            printf(",");
            if (isfinite(e.auc)) {
                printf("\"auc\":%.4f,\"brier\":%.5f,\"labelled_pos\":%zu,\"labelled_neg\":%zu,"
                       "\"ece\":%.5f,\"reliability\":[",
                       e.auc, e.brier, e.n_pos, e.n_neg, e.ece);
                for (size_t b = 0; b < e.n_bins; b++)
                    printf("%s{\"cells\":%zu,\"p\":%.6g,\"observed\":%.6g}", b ? "," : "",
                           e.bin_n[b], e.bin_p[b], e.bin_obs[b]);
                printf("],");
            }
            if (isfinite(e.capture[0])) {
                printf("\"capture\":[");
                for (int k = 0; k <= 100; k++)
                    printf("%s%.4f", k ? "," : "", e.capture[k]);
                printf("]}\n");
            } else {
                printf("\"capture\":null}\n");
            }
        } else {
            printf("cells scored      %zu\n", e.n_cells);
            if (o.truth && !e.n_truth_inside) {
                printf("truth events      %zu (none inside the area: no recall to report)\n",
                       e.n_truth);
            } else if (o.truth) {
                printf("truth events      %zu (%zu inside)\n", e.n_truth, e.n_truth_inside);
                if (isfinite(expected))
                    printf("expected items    %.0f in the area (the map's band 2)\n", expected);
                printf("recall@5%%         %.3f   PAI %.2f\n", e.recall5, e.pai5);
                printf("recall@10%%        %.3f   PAI %.2f\n", e.recall10, e.pai10);
                printf("recall@20%%        %.3f   PAI %.2f\n", e.recall20, e.pai20);
                printf("capture curve AUC %.3f\n", e.capture_auc);
            }
            if (isfinite(e.auc)) {
                printf("AUC-ROC labelled  %.3f (%zu positive, %zu negative); Brier %.4f\n",
                       e.auc, e.n_pos, e.n_neg, e.brier);
                printf("reliability       (labelled cells in %zu groups by probability; "
                       "mean gap %.3f)\n", e.n_bins, e.ece);
                printf("  %8s %12s %12s\n", "cells", "mean p", "labelled 1");
                for (size_t b = 0; b < e.n_bins; b++)
                    printf("  %8zu %12.4g %12.4g\n", e.bin_n[b], e.bin_p[b], e.bin_obs[b]);
            } else if (nl) {
                printf("AUC-ROC labelled  - (needs cells labelled 1 and 0 on the map: %zu and %zu)\n",
                       e.n_pos, e.n_neg);
            }
            if (nl && o.band == 1) {
                float lo = INFINITY, hi = -INFINITY;
                for (size_t k = 0; k < dm_grid_cells(&g); k++)
                    if (isfinite(map[k]))
                        lo = fminf(lo, map[k]), hi = fmaxf(hi, map[k]);
                if (lo < 0 || hi > 1)
                    fprintf(stderr,
                            "warning: %s holds values from %g to %g, not probabilities: the AUC "
                            "ranks them, the Brier score and reliability mean nothing\n",
                            pos[0], lo, hi);
            }
        }
    }
    if (!st && o.plot) {
        char title[512];
        const char *base = strrchr(pos[0], '/');
        snprintf(title, sizeof title, "%s%s%s%s%s", base ? base + 1 : pos[0],
                 from[0] ? ", events from " : to[0] ? ", events" : "", from, to[0] ? " to " : "", to);
        st = dm_risk_eval_plot(ctx, &e, o.plot, title);
        dm_report_cleanup(); /* cairo's and fontconfig's caches: the chart is the last drawing */
        if (!st && !o.json)
            printf("chart             %s\n", o.plot);
    }
    rc = st ? cli_fail(ctx, "risk eval", st) : 0;
done:
    free(lv);
    free(ly);
    free(txy);
    dm_evidence_set_free(ctx, &truth);
    dm_evidence_set_free(ctx, &lab);
    dm_geom_free(aoi);
    free(mask);
    dm_raster_free(map, dm_grid_cells(&g));
    return rc;
}

int cmd_risk_fit(dm_ctx *ctx, int argc, char **argv);
int cmd_risk_tools(dm_ctx *ctx, const char *which, int argc, char **argv);
int cmd_risk_spots(dm_ctx *ctx, int argc, char **argv);

static const char *help_refresh =
    "usage: demine risk refresh DB [--json]\n\n"
    "Redo the database's last risk map (made by `demine risk map DB`) with the same\n"
    "model, area, cell size, CRS, calibration, spot files, covariate rasters (and\n"
    "their bands), --disable and --disable-term, from the database's evidence as it\n"
    "is now (evidence files and --until are not kept): run it after new surveys,\n"
    "clearance or accidents are imported. The server does the same on\n"
    "POST /api/risk/refresh and after approving a field report.\n";

static int run_refresh(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_refresh);
    const char *db = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-')
            return cli_unknown_option_in("risk refresh", argv[i], help_refresh);
        else if (!db)
            db = argv[i];
        else
            return cli_usage_error("risk refresh", "unexpected argument '%s'", argv[i]);
    }
    if (!db)
        return cli_usage_error("risk refresh", "usage: demine risk refresh DB");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "risk refresh", db, 0, &s);
    if (rc)
        return rc;
    dm_risk_update_result r;
    cli_part_guard_map(ctx, s); /* the map being redone: no OUT.PID.part left on Ctrl-C */
    dm_status st = dm_risk_refresh(ctx, s, &r);
    cli_part_guard(NULL);
    if (st) {
        dm_store_close(s);
        return cli_fail(ctx, "risk refresh", st);
    }
    const dm_risk_spot_cal *sc = &r.spot_cal;
    if (json) {
        printf("{\"cells\":%zu,\"evidence\":%zu,\"seconds\":%.3f,\"hazards_updated\":%zu,"
               "\"calibration_factor\":%.6g,\"cluster\":%.6g,",
               r.stats.cells, r.n_evidence, r.stats.seconds, r.hazards_updated, r.cal.factor,
               r.cal.cluster);
        printf("\"changes\":");
        cli_risk_changes_print(s, &r, 1, "");
        printf(",");
        if (sc->spots)
            printf("\"spots\":{\"labelled\":%zu,\"positive\":%zu,\"factor\":%.6g,"
                   "\"power\":%.6g}}\n",
                   sc->spots, sc->positive, sc->factor, sc->power);
        else
            printf("\"spots\":null}\n");
    } else {
        printf("risk map refreshed: %zu cells from %zu evidence %s in %.2f s; %zu %s "
               "updated; item density x %.3g",
               r.stats.cells, r.n_evidence, cli_plural(r.n_evidence, "item", "items"), r.stats.seconds,
               r.hazards_updated, cli_plural(r.hazards_updated, "hazard", "hazards"), r.cal.factor);
        if (sc->spots)
            printf("; recalibrated on %zu checked %s (%zu with an item): %.3g x density^%.2f",
                   sc->spots, cli_plural(sc->spots, "spot", "spots"), sc->positive, sc->factor, sc->power);
        printf("\n");
        cli_risk_changes_print(s, &r, 0, "");
    }
    dm_store_close(s);
    return 0;
}

void cli_risk_changes_print(dm_store *s, const dm_risk_update_result *r, int json, const char *indent)
{
    char *refs[DM_RISK_TOP_CHANGES] = {0}; /* whole: a table cuts them, JSON does not */
    int w = 3;
    for (size_t k = 0; k < r->n_changes; k++) {
        if (s && dm_store_ref_of(s, "hazards", r->changes[k].uuid, &refs[k]))
            dm_ctx_clear_error(dm_store_ctx(s));
        w = cli_width_fit(w, refs[k] ? refs[k] : r->changes[k].uuid, 24);
    }
    if (json) {
        printf("[");
        for (size_t k = 0; k < r->n_changes; k++) {
            const dm_risk_hazard_change *h = &r->changes[k];
            printf("%s{\"uuid\":\"%s\",\"ref\":%s", k ? "," : "", h->uuid, refs[k] ? cli_json_str(refs[k]) : "null");
            const char *keys[4] = {"p_before", "p_after", "items_before", "items_after"};
            double v[4] = {h->p_before, h->p_after, h->items_before, h->items_after};
            for (int i = 0; i < 4; i++) {
                if (isfinite(v[i]))
                    printf(",\"%s\":%.6g", keys[i], v[i]);
                else
                    printf(",\"%s\":null", keys[i]);
            }
            printf("}");
        }
        printf("]");
    } else if (r->n_changes) {
        printf("%sthe hazards it changed most (p_contam, the probability of holding anything; expected items):\n",
               indent);
        for (size_t k = 0; k < r->n_changes; k++) {
            const dm_risk_hazard_change *h = &r->changes[k];
            printf("%s  ", indent);
            cli_print_cell(refs[k] ? refs[k] : h->uuid, w);
            printf("  p %.3g -> %.3g (%+.3g)", h->p_before, h->p_after, h->p_after - h->p_before);
            if (isfinite(h->items_before) && isfinite(h->items_after))
                printf(", items %.3g -> %.3g", h->items_before, h->items_after);
            printf("\n");
        }
    }
    for (size_t k = 0; k < r->n_changes; k++)
        dm_free(s ? dm_store_ctx(s) : NULL, refs[k]);
}

static const char *help_explain =
    "usage: demine risk explain DB --at LON,LAT [--json]\n\n"
    "Why a place is (not) risky: the probability and expected items per hectare of\n"
    "the last map's cell holding LON,LAT (WGS 84; off the map, a cell centred there,\n"
    "with a warning), and every term of the model with its value and its share of the\n"
    "log-odds, largest first, computed with the model, cell size, CRS, covariate\n"
    "rasters and switched-off evidence and terms of the database's last map, its\n"
    "evidence as it is now and the stored calibration: with the evidence unchanged,\n"
    "the map's pixel.\n";

static int cmp_contrib(const void *a, const void *b)
{
    double x = fabs(((const dm_risk_explain_term *)a)->contribution);
    double y = fabs(((const dm_risk_explain_term *)b)->contribution);
    return x < y ? 1 : x > y ? -1 : 0;
}

static int run_explain(dm_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1]))
        return cli_help(help_explain);
    const char *db = NULL, *at = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--at") && i + 1 < argc)
            at = argv[++i];
        else if (argv[i][0] == '-')
            return cli_unknown_option_in("risk explain", argv[i], help_explain);
        else if (!db)
            db = argv[i];
        else
            return cli_usage_error("risk explain", "unexpected argument '%s'", argv[i]);
    }
    if (!db || !at)
        return cli_usage_error("risk explain", "usage: demine risk explain DB --at LON,LAT");
    double lon, lat;
    if (!cli_parse_lonlat("risk explain", "--at", at, &lon, &lat))
        return 2;
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "risk explain", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_risk_explanation *e = malloc(sizeof *e);
    if (!e) {
        dm_store_close(s);
        return cli_usage_error("risk explain", "out of memory");
    }
    dm_status st = dm_risk_explain(ctx, s, lon, lat, e);
    /* off the map, but on it with the two exchanged: --at given as LAT,LON */
    int swapped = 0;
    if (!st && e->outside_map == 1 && fabs(lat) <= 180 && fabs(lon) <= 90) {
        dm_risk_explanation *x = malloc(sizeof *x);
        if (x && dm_risk_explain(ctx, s, lat, lon, x) == DM_OK && x->outside_map == 0)
            swapped = 1;
        dm_ctx_clear_error(ctx);
        free(x);
    }
    dm_store_close(s);
    if (st) {
        free(e);
        return cli_fail(ctx, "risk explain", st);
    }
    if (e->outside_map == 1 && swapped) {
        /* refused as route refuses it: an explanation of a place far away
         * would be read as the answer */
        char where[1024];
        snprintf(where, sizeof where, "the last risk map of %s", db);
        free(e);
        return cli_lonlat_swapped("risk explain", "--at", lon, lat, where);
    }
    qsort(e->terms, e->n_terms, sizeof e->terms[0], cmp_contrib);
    if (e->outside_map == 1)
        fprintf(stderr, "warning: %.6f, %.6f lies outside the last risk map of %s: the answer uses "
                        "its model and calibration all the same\n", lon, lat, db);
    else if (e->outside_map == -1)
        fprintf(stderr, "warning: %s has no risk map yet (`risk map`): the answer uses the default "
                        "model, 10 m cells and no calibration\n", db);
    if (json) {
        if (isfinite(e->lon_cell))
            printf("{\"lon_cell\":%.7f,\"lat_cell\":%.7f,", e->lon_cell, e->lat_cell);
        else
            printf("{\"lon_cell\":null,\"lat_cell\":null,");
        printf("\"lon\":%.7f,\"lat\":%.7f,\"cell_m\":%g,\"p_cell\":%.6g,\"items_ha\":%.6g,"
               "\"calibration_factor\":%.6g,\"cluster\":%.6g,\"spot_factor\":%.6g,"
               "\"spot_power\":%.6g,\"outside_map\":%s,\"intercept\":%.6g,\"logit\":%.6g,"
               "\"evidence\":%zu,\"terms\":[",
               e->lon, e->lat, e->cell_m, e->p_cell, e->items_ha, e->factor, e->cluster,
               e->spot_factor, e->spot_power,
               e->outside_map == 1 ? "true" : e->outside_map == 0 ? "false" : "null",
               e->intercept, e->logit, e->n_evidence);
        for (size_t k = 0; k < e->n_terms; k++) {
            const dm_risk_explain_term *t = &e->terms[k];
            printf("%s{\"name\":\"%s\",\"x\":%.6g,\"weight\":%.6g,\"contribution\":%.6g}",
                   k ? "," : "", t->name, t->x, t->weight, t->contribution);
        }
        printf("]}\n");
    } else {
        printf("at %.6f, %.6f (a cell of %g m): p %.4g that it holds an item, %.4g items per ha "
               "(calibration x %.3g",
               e->lon, e->lat, e->cell_m, e->p_cell, e->items_ha, e->factor);
        if (e->spot_factor != 1 || e->spot_power != 1)
            printf(", then %.3g x density^%.2f by checked spots", e->spot_factor, e->spot_power);
        if (e->cluster > 1)
            printf("; %.2g items per cell holding any", e->cluster);
        printf(")\n");
        printf("log-odds %.2f = intercept %.2f", e->logit, e->intercept);
        for (size_t k = 0; k < e->n_terms; k++)
            if (e->terms[k].contribution != 0)
                printf(" %+.2f", e->terms[k].contribution);
        printf("\n\n%-28s %10s %8s %12s  %s\n", "term", "value", "weight", "log-odds", "meaning");
        for (size_t k = 0; k < e->n_terms; k++) {
            const dm_risk_explain_term *t = &e->terms[k];
            printf("%-28s %10.4g %8.3g %+12.3f  %s\n", t->name, t->x, t->weight, t->contribution,
                   t->desc);
        }
    }
    free(e);
    return 0;
}

static int run_risk(dm_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("risk", "expected map, refresh, explain, fit, eval, spots, distance or sum");
    if (cli_is_help(argv[1]))
        return cli_help(help_risk);
    if (!strcmp(argv[1], "map"))
        return run_map(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "eval"))
        return run_eval(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "refresh"))
        return run_refresh(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "explain"))
        return run_explain(ctx, argc - 1, argv + 1);
    if (!strcmp(argv[1], "fit")) {
        if (argc >= 3 && cli_is_help(argv[2]))
            return cli_help(help_fit);
        return cmd_risk_fit(ctx, argc - 1, argv + 1);
    }
    if (!strcmp(argv[1], "distance") || !strcmp(argv[1], "sum"))
        return cmd_risk_tools(ctx, argv[1], argc - 1, argv + 1);
    if (!strcmp(argv[1], "spots"))
        return cmd_risk_spots(ctx, argc - 1, argv + 1);
    static const char *const subs[] = {"map", "refresh", "explain", "fit", "eval", "spots", "distance", "sum", NULL};
    return cli_unknown_subcommand("risk", argv[1], subs);
}

int cmd_risk_fit(dm_ctx *ctx, int argc, char **argv)
{
    opts o = {0};
    o.cell = 100;
    o.mem_mb = 2048;
    o.folds = 5;
    o.block_km = 10;
    const char *pos[1] = {0};
    int rc = parse_opts("risk fit", argc, argv, &o, 1, pos);
    if (rc)
        return rc;
    o.db = pos[0];
    char until[11] = "", lfrom[11] = "", lto[11] = "";
    if (check_date(ctx, "risk fit", "--until", o.until, until) ||
        check_date(ctx, "risk fit", "--label-from", o.label_from, lfrom) ||
        check_date(ctx, "risk fit", "--label-to", o.label_to, lto)) {
        free_opts(&o);
        return 2;
    }
    warn_until_future("risk fit", until);
    if (!o.out || (!o.labels && !o.db)) {
        free_opts(&o);
        return cli_usage_error("risk fit", "--out MODEL.json and --labels FILE (or a database) are required");
    }
    if (!o.labels && o.label_field) {
        free_opts(&o);
        return cli_usage_error("risk fit", "--label-field needs --labels");
    }
    if (o.folds < 2 || !(o.block_km > 0) || !isfinite(o.block_km)) {
        free_opts(&o);
        return cli_usage_error("risk fit", o.folds < 2 ? "--folds must be at least 2"
                                                       : "--block-km must be a length > 0");
    }
    if (lfrom[0] && lto[0] && strcmp(lfrom, lto) > 0) {
        rc = cli_usage_error("risk fit", "--label-from %s is after --label-to %s", o.label_from,
                             o.label_to);
        free_opts(&o);
        return rc;
    }
    {
        /* options of the other subcommands were ignored here: --disable and
         * --disable-term fitted every kind and term, --from/--to are eval's
         * (the labels' dates are --label-from/--label-to), --spots are map's */
        const char *stray = o.truth ? "--truth" : o.plot ? "--plot" : o.band ? "--band"
                            : o.from ? "--from (the labels' dates are --label-from)"
                            : o.to ? "--to (the labels' dates are --label-to)"
                            : o.n_spots ? "--spots (give a spot file as --labels)"
                            : o.disabled ? "--disable (leave those rows out of the evidence instead)"
                            : o.disable_term ? "--disable-term (fit a model without the term instead)"
                            : o.no_writeback ? "--no-writeback (a fit writes nothing back)"
                            : o.no_calibrate ? "--no-calibrate" : NULL;
        if (stray) {
            free_opts(&o);
            return cli_usage_error("risk fit", "%s is not an option of risk fit", stray);
        }
    }
    {
        const char *in[4] = {o.db, o.labels, o.model, o.aoi};
        const char *what[4] = {"database", "label file", "model", "area (--aoi)"};
        for (int i = 0; i < 4; i++)
            if (in[i] && dm_same_file(o.out, in[i])) {
                free_opts(&o);
                return cli_usage_error("risk fit", "%s is the %s: not writing the model over it",
                                       o.out, what[i]);
            }
    }
    { /* before the fit, which can take minutes: can the model be written there? */
        int existed = access(o.out, F_OK) == 0;
        FILE *f = fopen(o.out, "ab");
        if (!f) {
            int e = errno;
            rc = cli_usage_error("risk fit", "%s: cannot write the model there: %s", o.out, strerror(e));
            free_opts(&o);
            return rc;
        }
        fclose(f);
        if (!existed)
            remove(o.out);
    }
    if (o.threads)
        dm_ctx_set_threads(ctx, (int)o.threads);
    dm_store *s = NULL;
    dm_geom *aoi = NULL;
    dm_evidence_set ev, lab;
    dm_evidence_set_init(&ev);
    dm_evidence_set_init(&lab);
    dm_risk_model m;
    float **x = NULL, *pmap = NULL;
    dm_risk_sample *smp = NULL;
    float *sx = NULL;
    double *lv = NULL;
    size_t ncell = 0, ns = 0;
    size_t n_area = 0, n_worked = 0; /* database labels: cells of the area, of worked land */
    dm_status st = DM_OK;
    dm_grid g;
    if (o.db && (rc = cli_open_store(ctx, "risk fit", o.db, DM_STORE_READONLY, &s)))
        goto out;
    if (o.model)
        st = dm_risk_model_load(ctx, o.model, &m);
    else
        dm_risk_model_default(&m);
    for (int c = 0; c < o.n_cov && o.add_cov && !st; c++) {
        if (m.n_terms == DM_RISK_MAX_TERMS)
            break;
        dm_risk_term *t = &m.terms[m.n_terms++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "cov_%s", o.cov[c].name);
        snprintf(t->covariate, sizeof t->covariate, "%s", o.cov[c].name);
        t->type = DM_TERM_COVARIATE;
        t->log1p = strstr(t->name, "dist") || strstr(t->name, "pop");
        t->sd = 1;
        snprintf(t->desc, sizeof t->desc, "covariate %s%s, standardised", o.cov[c].name,
                 t->log1p ? " (log(1 + x))" : "");
    }
    if (!st && o.aoi)
        st = dm_read_polygons(ctx, o.aoi, &aoi);
    if (!st)
        st = load_evidence(ctx, s, &o, until[0] ? until : NULL, &ev);
    if (!st) {
        dm_evidence_opts lo = {0};
        /* a file's `label` field is used when it has one, as in risk eval */
        lo.label_field = o.label_field ? o.label_field : o.labels ? "label" : NULL;
        lo.label_if_present = !o.label_field;
        lo.from = lfrom[0] ? lfrom : NULL;
        lo.until = lto[0] ? lto : NULL;
        lo.codes = o.codes;
        lo.n_codes = o.n_codes;
        lo.kinds_mask = o.kinds;
        const unsigned db_kinds =
            (1u << DM_EV_ITEM) | (1u << DM_EV_ACCIDENT) | (1u << DM_EV_CLEARED);
        if (!o.labels && (o.kinds & ~db_kinds)) {
            char k[64] = "";
            for (int i = 0; i < DM_EV_KIND_COUNT; i++)
                if (o.kinds & ~db_kinds & (1u << i)) {
                    snprintf(k, sizeof k, "%s", dm_ev_kind_name((dm_ev_kind)i));
                    break;
                }
            rc = cli_usage_error("risk fit",
                                 "--kinds %s: the database's labels are its finds, accidents and "
                                 "released land (--kinds item, accident, cleared)",
                                 k);
            goto out;
        }
        if (o.labels)
            st = dm_evidence_read_file(ctx, o.labels, DM_EV_REPORT, &lo, &lab);
        else {
            /* the database's own evidence: finds and accidents positive, land
             * released with nothing found negative (after --until when given);
             * --kinds keeps some of these */
            lo.kinds_mask = o.kinds ? o.kinds : db_kinds;
            if (!lo.from && until[0])
                lo.from = until;
            st = dm_evidence_read_store(ctx, s, &lo, &lab);
        }
        if (!st && (o.n_codes || o.kinds)) {
            /* the labels without --codes/--kinds: did they pick anything? */
            dm_evidence_set all;
            dm_evidence_set_init(&all);
            lo.codes = NULL;
            lo.n_codes = 0;
            lo.kinds_mask = o.labels ? 0 : db_kinds;
            st = o.labels ? dm_evidence_read_file(ctx, o.labels, DM_EV_REPORT, &lo, &all)
                          : dm_evidence_read_store(ctx, s, &lo, &all);
            char file[4200], what[4300];
            snprintf(file, sizeof file, "%s%s", o.labels ? "the labels " : "the labels of ",
                     o.labels ? o.labels : o.db);
            snprintf(what, sizeof what, "%s%s%s%s%s", file, lo.from || lo.until ? " dated " : "",
                     lo.from ? lo.from : "", lo.from || lo.until ? ".." : "",
                     lo.until ? lo.until : "");
            /* and without the dates, for the codes and kinds they have */
            dm_evidence_set whole;
            dm_evidence_set_init(&whole);
            int dated = lo.from || lo.until;
            lo.from = lo.until = NULL;
            if (!st && dated)
                st = o.labels ? dm_evidence_read_file(ctx, o.labels, DM_EV_REPORT, &lo, &whole)
                              : dm_evidence_read_store(ctx, s, &lo, &whole);
            if (!st)
                rc = check_selection("risk fit", &o, file, what, dated ? &whole : &all, &all,
                                     lab.n, 1);
            dm_evidence_set_free(ctx, &all);
            dm_evidence_set_free(ctx, &whole);
            if (rc)
                goto out;
        }
    }
    if (st) {
        rc = cli_fail(ctx, "risk fit", st);
        goto out;
    }
    if (o.labels && !lab.n_labelled) {
        /* the label field is there but empty in every row (spots not
         * searched yet): not "every point is positive" */
        size_t empty = 0;
        for (size_t i = 0; i < lab.n; i++)
            empty += isnan(lab.v[i].value);
        if (empty) {
            rc = cli_usage_error("risk fit",
                                 "%s: no row is labelled ('%s' is empty in all %zu): label them "
                                 "1 or 0 first",
                                 o.labels, o.label_field ? o.label_field : "label", empty);
            goto out;
        }
    }
    st = dm_risk_grid(ctx, aoi, &ev, o.cell, o.crs, &g);
    if (st) {
        rc = st == DM_ENOTFOUND ? cli_usage_error("risk fit", "no evidence and no --aoi")
                                : cli_fail(ctx, "risk fit", st);
        goto out;
    }
    if (o.block_km * 1000 < g.cell) {
        rc = cli_usage_error("risk fit",
                             "--block-km %g is smaller than a cell (%g m): held-out blocks would "
                             "leak into their neighbours",
                             o.block_km, g.cell);
        goto out;
    }
    ncell = dm_grid_cells(&g);
    if ((double)ncell * 4.0 * (m.n_terms + 2) > (double)((size_t)o.mem_mb << 20)) {
        rc = cli_usage_error("risk fit",
                             "%zu cells x %zu terms need %.0f MiB (more than --mem-mb %ld): use a "
                             "larger --cell",
                             ncell, m.n_terms, ncell * 4.0 * (m.n_terms + 2) / 1048576.0, o.mem_mb);
        goto out;
    }
    x = calloc(m.n_terms ? m.n_terms : 1, sizeof *x);
    pmap = dm_raster_alloc(ncell);
    for (size_t t = 0; x && t < m.n_terms; t++)
        if (!(x[t] = dm_raster_alloc(ncell)))
            break;
    if (!x || !pmap || (m.n_terms && !x[m.n_terms - 1])) {
        rc = cli_usage_error("risk fit", "out of memory for %zu cells", ncell);
        goto out;
    }
    dm_risk_params p = {0};
    p.grid = &g;
    p.ev = &ev;
    p.cov = o.cov;
    p.n_cov = (size_t)o.n_cov;
    p.aoi = aoi;
    p.mem_limit = (size_t)o.mem_mb << 20;
    p.p_out = pmap;
    p.x_out = x;
    p.ref_date = until[0] ? until : NULL;
    dm_risk_stats stats;
    if ((st = dm_risk_map(ctx, &m, &p, &stats))) {
        rc = cli_fail(ctx, "risk fit", st);
        goto out;
    }
    size_t T = m.n_terms;
    if (lab.n_labelled) {
        /* labelled polygons or points: the mean of each term over the label's cells */
        smp = calloc(lab.n ? lab.n : 1, sizeof *smp);
        sx = calloc((lab.n ? lab.n : 1) * (T ? T : 1), sizeof *sx);
        lv = malloc((lab.n ? lab.n : 1) * sizeof *lv);
        if (!smp || !sx || !lv) {
            rc = cli_usage_error("risk fit", "out of memory");
            goto out;
        }
        for (size_t t = 0; t < T && !st; t++) {
            st = label_values(ctx, &lab, &g, x[t], lv);
            for (size_t i = 0; i < lab.n; i++)
                sx[i * T + t] = (float)lv[i];
        }
        if (!st)
            st = label_values(ctx, &lab, &g, pmap, lv); /* NaN outside the area */
        dm_transform *tr = NULL;
        if (!st)
            st = dm_transform_new(ctx, "EPSG:4326", g.crs, &tr);
        size_t off = 0, first_off = 0; /* labelled 0 or 1 outside the area mapped */
        for (size_t i = 0; i < lab.n && !st; i++) {
            double y = lab.v[i].value;
            if (y != 0 && y != 1)
                continue;
            if (!isfinite(lv[i])) {
                if (!off++)
                    first_off = i;
                continue;
            }
            double lb[4];
            dm_evidence_item_bounds(&lab.v[i], lb);
            double cx = (lb[0] + lb[2]) / 2, cy = (lb[1] + lb[3]) / 2;
            st = dm_transform_xy(tr, &cx, &cy, 1);
            smp[ns].x = sx + i * T;
            smp[ns].y = y;
            smp[ns].bx = cx;
            smp[ns].by = cy;
            smp[ns].w = 1;
            ns++;
        }
        dm_transform_free(tr);
        /* labels of another place (or of a file in metres that says so) */
        if (!st && off && !ns) {
            fprintf(stderr,
                    "demine risk fit: error: %s: none of its %zu features labelled 0 or 1 lies "
                    "inside the area mapped (%s): nothing to fit on\n",
                    o.labels, off, o.aoi ? o.aoi : "the evidence's extent");
            rc = 2;
            goto out;
        }
        double fb[4] = {0, 0, 0, 0};
        if (!st && off)
            dm_evidence_item_bounds(&lab.v[first_off], fb);
        if (!st && off)
            fprintf(stderr,
                    "warning: %s: %zu of its %zu features labelled 0 or 1 lie outside the area "
                    "mapped (the first: around %.5f, %.5f): not used\n",
                    o.labels, off, off + ns,
                    (fb[0] + fb[2]) / 2, (fb[1] + fb[3]) / 2);
    } else {
        /* points: cells holding one are positive, every other cell of the area negative */
        unsigned short *hit = calloc(ncell, sizeof *hit); /* label points per cell */
        double *pxy = NULL;
        if (!hit) {
            rc = cli_usage_error("risk fit", "out of memory");
            goto out;
        }
        st = points_in_grid(ctx, &lab, &g, &pxy);
        /* released land with nothing found: where the negatives are taken */
        float *negarea = NULL;
        dm_transform *tr = NULL;
        for (size_t i = 0; i < lab.n && !st; i++) {
            if (lab.v[i].kind != DM_EV_CLEARED)
                continue;
            if (!negarea) {
                negarea = dm_raster_alloc(ncell);
                if (!negarea || (st = dm_transform_new(ctx, "EPSG:4326", g.crs, &tr)))
                    break;
                memset(negarea, 0, ncell * sizeof *negarea);
            }
            dm_coords c = lab.v[i].xy;
            c.xy = malloc(c.n_xy * 2 * sizeof *c.xy);
            if (!c.xy)
                break;
            memcpy(c.xy, lab.v[i].xy.xy, c.n_xy * 2 * sizeof *c.xy);
            for (size_t q = 0; q < c.n_xy && !st; q++)
                st = dm_transform_xy(tr, &c.xy[2 * q], &c.xy[2 * q + 1], 1);
            if (!st)
                dm_burn_coords(&g, &c, 1.0f, DM_BURN_SET, 1, negarea);
            free(c.xy);
        }
        dm_transform_free(tr);
        for (size_t k = 0; k < ncell; k++)
            n_area += isfinite(pmap[k]);
        int released = negarea != NULL;
        if (negarea)
            for (size_t k = 0; k < ncell; k++)
                if (!(negarea[k] > 0))
                    pmap[k] = NAN; /* only released land gives negatives */
        for (size_t i = 0; i < lab.n && !st; i++) {
            double fx = (pxy[2 * i] - g.x0) / g.cell, fy = (g.y0 - pxy[2 * i + 1]) / g.cell;
            if (lab.v[i].kind == DM_EV_CLEARED)
                continue;
            if (fx >= 0 && fy >= 0 && fx < g.nx && fy < g.ny)
            {
                unsigned short *h = &hit[(size_t)(int)fy * g.nx + (size_t)(int)fx];
                if (*h < 65535)
                    (*h)++;
                if (negarea) /* a positive cell is always a sample */
                    pmap[(size_t)(int)fy * g.nx + (size_t)(int)fx] = 0.5f;
            }
        }
        dm_raster_free(negarea, ncell);
        free(pxy);
        size_t nin = 0, npos = 0;
        for (size_t k = 0; k < ncell; k++)
            if (isfinite(pmap[k])) {
                nin++;
                npos += hit[k] > 0;
            }
        if (!o.labels && released)
            n_worked = nin;
        /* keep every positive and up to 200000 negatives (weighted back) */
        size_t nneg = nin - npos, keep = nneg < 200000 ? nneg : 200000;
        double wneg = keep ? (double)nneg / keep : 1;
        smp = calloc(npos + keep + 1, sizeof *smp);
        sx = calloc((npos + keep + 1) * (T ? T : 1), sizeof *sx);
        if (!smp || !sx) {
            free(hit);
            rc = cli_usage_error("risk fit", "out of memory");
            goto out;
        }
        size_t seen = 0, taken = 0;
        uint64_t rng = 88172645463325252ULL;
        for (size_t k = 0; k < ncell && !st; k++) {
            if (!isfinite(pmap[k]))
                continue;
            if (!hit[k]) {
                /* selection sampling: exactly `keep` of the nneg negatives */
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                double u = (rng >> 11) * (1.0 / 9007199254740992.0);
                if ((nneg - seen) * u >= keep - taken) {
                    seen++;
                    continue;
                }
                seen++;
                taken++;
            }
            for (size_t t = 0; t < T; t++)
                sx[ns * T + t] = x[t][k];
            smp[ns].x = sx + ns * T;
            smp[ns].y = hit[k] > 0;
            smp[ns].w = hit[k] ? hit[k] : wneg; /* a cell counts as often as it has events */
            smp[ns].bx = g.x0 + ((double)(k % g.nx) + 0.5) * g.cell;
            smp[ns].by = g.y0 - ((double)(k / g.nx) + 0.5) * g.cell;
            ns++;
        }
        free(hit);
        fprintf(stderr, "fit: %zu positive cells, %zu negative cells sampled of %zu\n", npos, taken,
                nneg);
    }
    if (st) {
        rc = cli_fail(ctx, "risk fit", st);
        goto out;
    }
    dm_risk_fit_opts fo = {0};
    fo.block_m = o.block_km * 1000;
    fo.folds = (int)o.folds;
    fo.shrink_to_base = !o.no_prior;
    if ((st = dm_risk_fit(ctx, &m, smp, ns, &fo))) {
        /* name where the labels came from: a labels file, or the database */
        fprintf(stderr, "demine risk fit: error: %s%s%s: %s\n",
                o.labels ? o.labels : o.db ? o.db : "the evidence files",
                o.labels && o.label_field ? " field " : "", o.labels && o.label_field ? o.label_field : "",
                *dm_ctx_errmsg(ctx) ? dm_ctx_errmsg(ctx) : dm_status_name(st));
        rc = cli_exit_code(st);
        goto out;
    }
    m.ref_cell_m = g.cell;
    snprintf(m.note, sizeof m.note,
             "fitted by demine risk fit on %zu samples (%s%s%s), cells of %g m, evidence until "
             "%s; spatial block CV (%g km blocks, %ld folds): held-out log-loss %.5f, AUC %.4f, "
             "lambda %g",
             ns, o.labels ? o.labels : "the database's finds, accidents and released land",
             o.label_from ? " from " : "", o.label_from ? o.label_from : "", g.cell,
             until[0] ? until : "any date", fo.block_used_m / 1000, o.folds, fo.cv_loss, fo.cv_auc,
             m.lambda);
    if (!m.name[0] || !strcmp(m.name, "default"))
        snprintf(m.name, sizeof m.name, "fitted");
    if ((st = dm_risk_model_save(ctx, o.out, &m))) {
        rc = cli_fail(ctx, "risk fit", st);
        goto out;
    }
    if (o.json) {
        char auc[32] = "null", loss[32] = "null";
        if (isfinite(fo.cv_auc))
            snprintf(auc, sizeof auc, "%.4f", fo.cv_auc);
        if (isfinite(fo.cv_loss))
            snprintf(loss, sizeof loss, "%.6f", fo.cv_loss);
        char bauc[32] = "null";
        if (isfinite(fo.base_auc))
            snprintf(bauc, sizeof bauc, "%.4f", fo.base_auc);
        printf("{\"out\":%s,\"samples\":%zu,\"cv_logloss\":%s,\"cv_auc\":%s,"
               "\"base_auc\":%s,\"lambda\":%g,\"block_km\":%g}\n",
               cli_json_str(o.out), ns, loss, auc, bauc, m.lambda, fo.block_used_m / 1000);
    } else {
        printf("fitted %s on %zu samples: held-out AUC %.4f, log-loss %.5f, lambda %g", o.out, ns,
               fo.cv_auc, fo.cv_loss, m.lambda);
        if (fo.block_used_m < o.block_km * 1000)
            printf(" (blocks of %g km: the area spans too few of %g km)", fo.block_used_m / 1000,
                   o.block_km);
        printf("\n");
        if (isfinite(fo.base_auc))
            printf("the base model (%s) on the same held-out blocks: AUC %.4f%s\n",
                   o.model ? o.model : "default", fo.base_auc,
                   fo.base_auc >= fo.cv_auc ? ": the fit ranks no better; keep the base model" : "");
        for (size_t t = 0; t < m.n_terms; t++)
            printf("  %-28s %+.4f\n", m.terms[t].name, m.terms[t].weight);
        if (n_worked && n_area)
            printf("note: the database's labels lie on the land teams worked (%.1f %% of the area):\n"
                   "these figures hold there, not for the rest; finds come from where teams chose\n"
                   "to search. Check the model against independent truth (risk eval) before using it.\n",
                   100.0 * (double)n_worked / (double)n_area);
    }
    rc = 0;
out:
    if (x)
        for (size_t t = 0; t < m.n_terms; t++)
            dm_raster_free(x[t], ncell);
    free(x);
    dm_raster_free(pmap, ncell);
    free(smp);
    free(sx);
    free(lv);
    dm_evidence_set_free(ctx, &ev);
    dm_evidence_set_free(ctx, &lab);
    dm_geom_free(aoi);
    if (s)
        dm_store_close(s);
    free_opts(&o);
    return rc;
}

CLI_COMMAND(risk, "risk", run_risk, "risk map, model fitting and evaluation")
