/* SPDX-License-Identifier: MIT
 *
 * plan_io.c -- the plan's files: the configuration JSON (any subset of the
 * keys of config/plan-default.json), the team CSV, and the plan written out
 * as a JSON summary and a CSV task list.
 */
#include "core/dm_internal.h"
#include "plan/plan_internal.h"
/* dm__number_text: numbers as import reads them (decimal commas, thousands) */
#include "io/io_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ----------------------------------------------------- */

typedef struct cfg_key {
    const char *name;
    size_t off;
} cfg_key;

#define K(name, field) {name, offsetof(dm_plan_config, field)}
static const cfg_key real_keys[] = {
    K("p_cancel", p_cancel),
    K("items_cancel", items_cancel),
    K("p_clear", p_clear),
    K("density_clear", density_clear),
    K("p_high", p_high),
    K("usd_per_item", usd_item),
    K("ts_clear_share", ts_clear_share),
    K("ts_ha_per_item", ts_ha_per_item),
    K("ts_speed", ts_speed),
    K("nts_find", nts_find),
    K("release_weight", release_weight),
    K("dist_accident_m", dist_accident_m),
    K("dist_settlement_m", dist_settlement_m),
    K("dist_house_m", dist_house_m),
    K("dist_road_m", dist_road_m),
    K("dist_infra_m", dist_infra_m),
    K("dist_farm_m", dist_farm_m),
    K("w_base", w_base),
    K("w_accident", w_accident),
    K("w_returning", w_returning),
    K("w_population", w_population),
    K("w_house", w_house),
    K("w_road", w_road),
    K("w_infra", w_infra),
    K("w_farm", w_farm),
    K("chunk_days", chunk_days),
    K("calibration_sd", calibration_sd),
    K("budget_usd", budget_usd),
    K("horizon_years", horizon_years),
};
#undef K

static dm_status route_triplet(dm_ctx *ctx, const char *path, const char *key, json_t *v,
                               double out[DM_ROUTES])
{
    if (!json_is_object(v))
        return dm__fail(ctx, DM_EPARSE, "%s: '%s' must be an object {cancel, reduce, clear}", path,
                        key);
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        int r = !strcmp(k, "cancel") ? 0 : !strcmp(k, "reduce") ? 1 : !strcmp(k, "clear") ? 2 : -1;
        if (r < 0)
            return dm__fail(ctx, DM_EPARSE, "%s: '%s.%s': unknown route (cancel, reduce, clear)",
                            path, key, k);
        if (!json_is_number(x))
            return dm__fail(ctx, DM_EPARSE, "%s: '%s.%s' must be a number", path, key, k);
        out[r] = json_number_value(x);
    }
    return DM_OK;
}

dm_status dm_plan_config_load(dm_ctx *ctx, const char *path, dm_plan_config *cfg)
{
    json_error_t err;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot open: %s", path, strerror(errno));
    json_t *root = json_loadf(f, 0, &err);
    fclose(f);
    if (!root)
        return dm__fail(ctx, DM_EPARSE, "%s:%d: %s", path, err.line, err.text);
    dm_status st = DM_OK;
    if (!json_is_object(root)) {
        st = dm__fail(ctx, DM_EPARSE, "%s: expected a JSON object", path);
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (key[0] == '_')
            continue; /* comments */
        int done = 0;
        for (size_t i = 0; i < sizeof real_keys / sizeof real_keys[0]; i++) {
            if (strcmp(key, real_keys[i].name))
                continue;
            if (!json_is_number(v)) {
                st = dm__fail(ctx, DM_EPARSE, "%s: '%s' must be a number", path, key);
                goto out;
            }
            *(double *)((char *)cfg + real_keys[i].off) = json_number_value(v);
            done = 1;
        }
        if (done)
            continue;
        if (!strcmp(key, "usd_per_ha")) {
            if ((st = route_triplet(ctx, path, key, v, cfg->usd_ha)))
                goto out;
        } else if (!strcmp(key, "detect")) {
            if ((st = route_triplet(ctx, path, key, v, cfg->detect)))
                goto out;
        } else if (!strcmp(key, "work_days_week") || !strcmp(key, "samples") ||
                   !strcmp(key, "seed")) {
            if (!json_is_integer(v) || json_integer_value(v) < 0) {
                st = dm__fail(ctx, DM_EPARSE, "%s: '%s' must be a whole number >= 0", path, key);
                goto out;
            }
            long long x = json_integer_value(v);
            if (key[0] == 'w')
                cfg->work_days_week = x > 100 ? 100 : (int)x;
            else if (key[1] == 'a')
                cfg->samples = x > 1000000 ? 1000000 : (int)x;
            else
                cfg->seed = (uint64_t)x;
        } else if (!strcmp(key, "start_date")) {
            char d[11];
            if (!json_is_string(v) || (json_string_length(v) && !dm_plan_date_parse(json_string_value(v), d))) {
                st = dm__fail(ctx, DM_EPARSE, "%s: 'start_date' must be a date YYYY-MM-DD from 1800-01-01 to 2200-12-31", path);
                goto out;
            }
            if (json_string_length(v))
                dm__strlcpy(cfg->start_date, d, sizeof cfg->start_date);
            else
                cfg->start_date[0] = 0;
        } else {
            /* a key a letter or two off is named: p_cancell, usd_per_hectare */
            const char *names[sizeof real_keys / sizeof real_keys[0] + 6];
            size_t nn = 0;
            for (size_t i = 0; i < sizeof real_keys / sizeof real_keys[0]; i++)
                names[nn++] = real_keys[i].name;
            static const char *const other[] = {"usd_per_ha", "detect", "work_days_week", "samples", "seed",
                                                "start_date"};
            for (size_t i = 0; i < 6; i++)
                names[nn++] = other[i];
            const char *near = dm__name_near(key, names, nn);
            if (near)
                st = dm__fail(ctx, DM_EPARSE, "%s: unknown key '%s' (did you mean '%s'? see config/plan-default.json)",
                              path, key, near);
            else
                st = dm__fail(ctx, DM_EPARSE, "%s: unknown key '%s' (see config/plan-default.json)", path,
                              key);
            goto out;
        }
    }
    st = dm_plan_config_check(ctx, cfg);
    if (st)
        dm__wrap(ctx, "%s", path);
out:
    json_decref(root);
    return st;
}

/* ---- text ---------------------------------------------------------------- */

void dm__plan_text(char *out, size_t n, const char *s)
{
    size_t o = 0;
    for (s = s ? s : ""; *s;) {
        size_t k = dm__utf8_char(s);
        if (o + (k ? k : 1) >= n)
            break;
        if (k)
            memcpy(out + o, s, k);
        else
            out[o] = '?';
        o += k ? k : 1;
        s += k ? k : 1;
    }
    out[o] = 0;
}

/* ---- teams ------------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

/* The fields of one line, split at delim in place; a field may be quoted as
 * spreadsheets write it ("Team A, North", "" for a quote). Returns the
 * number of fields (at most max: the last then holds the rest), -1 for a
 * quote left open, -2 for text after a closing quote. */
static int split(char *line, char **cols, int max, char delim)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || (*p == '\t' && delim != '\t'))
            p++;
        if (n == max - 1) {
            cols[n++] = trim(p);
            return n;
        }
        char *w = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else
                    *w++ = *p++;
            }
            while (*p == ' ' || (*p == '\t' && delim != '\t'))
                p++;
            if (*p && *p != delim)
                return -2;
        } else {
            while (*p && *p != delim)
                *w++ = *p++;
            while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
                w--;
        }
        int more = *p == delim;
        *w = 0;
        cols[n++] = start;
        if (!more)
            return n;
        p++;
    }
}

/* The delimiter of a team file, from its header as import finds it: the
 * first comma, semicolon or tab outside quotes -- a semicolon or a tab as
 * spreadsheets write CSV where the comma is the decimal mark. */
static char delimiter(const char *header)
{
    int quoted = 0;
    for (const char *p = header; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == ',' || *p == ';' || *p == '\t'))
            return *p;
    }
    return ',';
}

/* A number as import reads it: "0.5", "0,5" (a decimal comma), "2,000" or
 * "2 000" (thousands); with decimal_comma (a file not separated by commas)
 * "1,500" is 1.5. */
static int parse_num(const char *s, int decimal_comma, double *out)
{
    char *end = NULL, buf[80];
    if (strpbrk(s, "xXpP"))
        return 0; /* hexadecimal is a slip in a team file, not a number */
    const char *t = dm__number_text(s, decimal_comma, buf, sizeof buf);
    if (t)
        s = t;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Read the team CSV open as f (named path in errors); closes f. */
static dm_status teams_read(dm_ctx *ctx, FILE *f, const char *path, dm_plan_team **out, size_t *n)
{
    char line[1024];
    int ci[5] = {-1, -1, -1, -1, -1}; /* name, method, capacity, cost, count */
    static const char *hdr[5] = {"name", "method", "capacity_ha_day", "cost_usd_day", "count"};
    long lineno = 0;
    dm_plan_team *t = NULL;
    size_t cnt = 0, cap = 0;
    dm_status st = DM_OK;
    int have_header = 0;
    /* row names and lines seen, to refuse a team named twice */
    char (*seen)[48] = NULL;
    long *seen_line = NULL;
    size_t n_seen = 0, cap_seen = 0;
    int n_hdr = 0;
    char delim = ',';
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            st = dm__fail(ctx, DM_EPARSE, "%s:%ld: line longer than %zu characters", path, lineno,
                          sizeof line - 2);
            goto out;
        }
        char *l = line;
        if (lineno == 1 && !memcmp(l, "\xEF\xBB\xBF", 3))
            l += 3; /* a UTF-8 byte order mark, as spreadsheets write */
        l = trim(l);
        if (!*l || *l == '#')
            continue;
        if (!have_header)
            delim = delimiter(l);
        char *cols[17];
        int nc = split(l, cols, 17, delim);
        if (nc < 0) {
            st = dm__fail(ctx, DM_EPARSE, "%s:%ld: %s", path, lineno,
                          nc == -1 ? "a quote (\") is not closed on this line"
                                   : "text after a closing quote (\")");
            goto out;
        }
        if (!have_header) {
            if (nc > 16) {
                st = dm__fail(ctx, DM_EPARSE, "%s:%ld: header has more than 16 columns", path,
                              lineno);
                goto out;
            }
            for (int i = 0; i < nc; i++) {
                int known = -1;
                for (int k = 0; k < 5; k++)
                    if (!dm__strcasecmp(cols[i], hdr[k]))
                        known = k;
                if (known < 0) {
                    /* a column named as a planner would: team, rate, capacity */
                    static const char *const alias[][2] = {
                        {"team", "name"},          {"team_name", "name"},  {"unit", "name"},
                        {"type", "method"},        {"asset", "method"},    {"rate", "cost_usd_day"},
                        {"day_rate", "cost_usd_day"}, {"cost", "cost_usd_day"}, {"ha_day", "capacity_ha_day"},
                        {"teams", "count"},        {"number", "count"},    {"n", "count"}};
                    const char *near = dm__name_near(cols[i], hdr, 5);
                    for (size_t a = 0; !near && a < sizeof alias / sizeof alias[0]; a++)
                        if (!dm__strcasecmp(cols[i], alias[a][0]))
                            near = alias[a][1];
                    char hint[64] = "";
                    if (near)
                        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
                    st = dm__fail(ctx, DM_EPARSE,
                                  "%s:%ld: header: unknown column '%s'%s (columns: name,method,"
                                  "capacity_ha_day,cost_usd_day[,count])",
                                  path, lineno, cols[i], hint);
                    goto out;
                }
                if (ci[known] >= 0) {
                    st = dm__fail(ctx, DM_EPARSE, "%s:%ld: header: column '%s' given twice", path,
                                  lineno, hdr[known]);
                    goto out;
                }
                ci[known] = i;
            }
            n_hdr = nc;
            for (int k = 0; k < 4; k++)
                if (ci[k] < 0) {
                    st = dm__fail(ctx, DM_EPARSE,
                                  "%s:%ld: header has no column '%s' (need name,method,"
                                  "capacity_ha_day,cost_usd_day[,count])",
                                  path, lineno, hdr[k]);
                    goto out;
                }
            have_header = 1;
            continue;
        }
        if (nc > n_hdr) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s:%ld: %d fields but the header has %d columns (a comma in a name or a decimal "
                          "comma? quote it, \"A, B\" or \"0,5\", or separate the columns with semicolons)",
                          path, lineno, nc, n_hdr);
            goto out;
        }
        for (int k = 0; k < 4; k++)
            /* a day rate left blank, as a spreadsheet leaves a cell nobody
             * knows, is unknown, as 0 is */
            if (ci[k] >= nc || (!*cols[ci[k]] && k != 3)) {
                st = dm__fail(ctx, DM_EPARSE, "%s:%ld: field '%s' is missing%s", path, lineno, hdr[k],
                              k == 3 ? " (0 or blank when the day rate is unknown)" : "");
                goto out;
            }
        int kind = dm_team_kind_parse(cols[ci[1]]);
        if (kind < 0) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s:%ld: field 'method': unknown method '%s' (manual, mechanical, dogs, "
                          "survey)",
                          path, lineno, cols[ci[1]]);
            goto out;
        }
        double capv, cost, count = 1;
        if (!parse_num(cols[ci[2]], delim != ',', &capv) || capv < DM_PLAN_MIN_HA_DAY || capv > 1e5) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s:%ld: field 'capacity_ha_day': '%s' must be a number of hectares a "
                          "day, 0.001 (10 m2) to 100000",
                          path, lineno, cols[ci[2]]);
            goto out;
        }
        if (!*cols[ci[3]])
            cost = 0;
        else if (!parse_num(cols[ci[3]], delim != ',', &cost) || cost < 0 || cost > 1e9) {
            st = dm__fail(ctx, DM_EPARSE, "%s:%ld: field 'cost_usd_day': '%s' must be dollars a day, 0 (unknown) to 1000000000",
                          path, lineno, cols[ci[3]]);
            goto out;
        }
        if (ci[4] >= 0 && ci[4] < nc && *cols[ci[4]] &&
            (!parse_num(cols[ci[4]], delim != ',', &count) || count < 1 || count > 10000 ||
             count != floor(count))) {
            st = dm__fail(ctx, DM_EPARSE, "%s:%ld: field 'count': '%s' must be a whole number of teams, 1 to 10000",
                          path, lineno, cols[ci[4]]);
            goto out;
        }
        for (const char *q = cols[ci[0]]; *q; q += dm__utf8_char(q))
            if (!dm__utf8_char(q)) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s:%ld: field 'name': not UTF-8 text (byte 0x%02X at byte %ld): "
                              "save the file as CSV UTF-8",
                              path, lineno, (unsigned char)*q, (long)(q - cols[ci[0]]) + 1);
                goto out;
            }
        {
            /* the name, or NAME-count when expanded, must fit without cutting */
            int digits = 0;
            for (long c = (long)count; count > 1 && c > 0; c /= 10)
                digits++;
            size_t maxlen = sizeof t[0].name - 1 - (count > 1 ? (size_t)digits + 1 : 0);
            if (strlen(cols[ci[0]]) > maxlen) {
                st = dm__fail(ctx, DM_EPARSE, "%s:%ld: field 'name': '%s' is longer than %zu "
                                              "characters",
                              path, lineno, cols[ci[0]], maxlen);
                goto out;
            }
        }
        for (size_t k = 0; k < n_seen; k++)
            if (!strcmp(seen[k], cols[ci[0]])) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s:%ld: field 'name': team '%s' already listed on line %ld", path,
                              lineno, cols[ci[0]], seen_line[k]);
                goto out;
            }
        if (n_seen == cap_seen) {
            size_t ncs = cap_seen ? cap_seen * 2 : 16;
            void *ns = dm_realloc(ctx, seen, ncs * sizeof *seen);
            if (ns)
                seen = ns;
            void *nl = ns ? dm_realloc(ctx, seen_line, ncs * sizeof *seen_line) : NULL;
            if (!ns || !nl) {
                st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                goto out;
            }
            seen_line = nl;
            cap_seen = ncs;
        }
        dm__strlcpy(seen[n_seen], cols[ci[0]], sizeof seen[0]);
        seen_line[n_seen++] = lineno;
        for (long k = 0; k < (long)count; k++) {
            if (cnt == cap) {
                size_t ncap = cap ? cap * 2 : 32;
                dm_plan_team *nt = dm_realloc(ctx, t, ncap * sizeof *nt);
                if (!nt) {
                    st = dm__fail(ctx, DM_ENOMEM, "out of memory");
                    goto out;
                }
                t = nt;
                cap = ncap;
            }
            dm_plan_team *tm = &t[cnt++];
            memset(tm, 0, sizeof *tm);
            if (count > 1)
                snprintf(tm->name, sizeof tm->name, "%s-%d", cols[ci[0]], (int)(k + 1));
            else
                dm__strlcpy(tm->name, cols[ci[0]], sizeof tm->name);
            /* an expanded name (M-1) may be listed on a line of its own too */
            for (size_t j = 0; j + 1 < cnt; j++)
                if (!strcmp(t[j].name, tm->name)) {
                    st = dm__fail(ctx, DM_EPARSE,
                                  "%s:%ld: field 'name': team '%s' is named twice (a name listed "
                                  "and a NAME-n of a count)",
                                  path, lineno, tm->name);
                    goto out;
                }
            tm->kind = (dm_team_kind)kind;
            tm->ha_day = capv;
            tm->usd_day = cost;
        }
    }
    if (!have_header)
        st = dm__fail(ctx, DM_EPARSE, "%s: empty team file (need a header line)", path);
    else if (cnt == 0)
        st = dm__fail(ctx, DM_EPARSE, "%s: no teams listed", path);
out:
    fclose(f);
    dm_free(ctx, seen);
    dm_free(ctx, seen_line);
    if (st) {
        dm_free(ctx, t);
        return st;
    }
    *out = t;
    *n = cnt;
    return DM_OK;
}

dm_status dm_plan_teams_load(dm_ctx *ctx, const char *path, dm_plan_team **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot open team file: %s", path, strerror(errno));
    return teams_read(ctx, f, path, out, n);
}

/* config/teams-default.csv, built in (a test checks they are the same) */
static const char default_teams[] =
    "name,method,capacity_ha_day,cost_usd_day,count\n"
    "MAN,manual,0.08,2000,24\n"
    "MECH,mechanical,0.5,6000,8\n"
    "DOG,dogs,0.25,2500,8\n"
    "NTS,survey,20,1200,10\n";

dm_status dm_plan_teams_default(dm_ctx *ctx, dm_plan_team **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *f = fmemopen((void *)default_teams, sizeof default_teams - 1, "r");
    if (!f)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    return teams_read(ctx, f, "the default team set", out, n);
}

/* ---- output ------------------------------------------------------------ */

static const char *hz_name(const dm_plan_hazard *h) { return h->ref[0] ? h->ref : h->uuid; }

size_t *dm__plan_by_rank(dm_ctx *ctx, const dm_plan_result *r)
{
    size_t *by = dm_calloc(ctx, r->n ? r->n : 1, sizeof *by);
    if (!by)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        by[i] = i;
    for (size_t i = 0; i < r->n; i++)
        if (r->rank[i] >= 1 && (size_t)r->rank[i] <= r->n)
            by[r->rank[i] - 1] = i;
    return by;
}

static void band(dm_buf *b, const char *key, dm_band v)
{
    dm__buf_printf(b, "\"%s\":{\"p10\":", key);
    dm__buf_json_num(b, v.p10);
    dm__buf_puts(b, ",\"p50\":");
    dm__buf_json_num(b, v.p50);
    dm__buf_puts(b, ",\"p90\":");
    dm__buf_json_num(b, v.p90);
    dm__buf_puts(b, "}");
}

/* A cost at the teams' day rates: null when unknown (< 0). */
static void day_usd(dm_buf *b, double v)
{
    if (v < 0)
        dm__buf_puts(b, "null");
    else
        dm__buf_printf(b, "%.2f", v);
}

const char *dm_plan_usd_text(char *buf, size_t n, double v)
{
    if (!n)
        return buf;
    if (!(v >= 0) || v >= 1e5) {
        snprintf(buf, n, "%.2f M", v / 1e6);
        return buf;
    }
    char d[32];
    /* half a dollar up, as a reader rounds (printf's %.0f takes 39352.50 to
     * the even 39352, and the report and the plan's text disagreed by one) */
    snprintf(d, sizeof d, "%.0f", floor(v + 0.5));
    size_t len = strlen(d), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o < n ? o : n - 1] = 0;
    return buf;
}

void dm_plan_team_use_of(const dm_plan_result *r, const dm_plan_team *t, dm_plan_team_use use[DM_TEAM_KINDS])
{
    memset(use, 0, DM_TEAM_KINDS * sizeof *use);
    int rated = 0;
    for (size_t j = 0; j < r->n_teams; j++)
        rated |= t[j].usd_day > 0;
    for (size_t j = 0; j < r->n_teams; j++) {
        dm_plan_team_use *u = &use[(int)t[j].kind];
        double d = r->team_days[j];
        u->team_days += d;
        u->teams++;
        u->idle += !(d > 0);
        if (!(t[j].usd_day > 0)) {
            u->without_rate++;
            u->unrated_days += d;
            if (d > 0)
                u->cost_usd = -1;
        } else {
            u->lower_usd += d * t[j].usd_day;
            if (u->cost_usd >= 0)
                u->cost_usd += d * t[j].usd_day;
        }
    }
    for (int k = 0; k < DM_TEAM_KINDS; k++) {
        use[k].rated = rated;
        if (!rated)
            use[k].cost_usd = -1;
    }
}

static int by_district(const void *a, const void *b)
{
    const dm_plan_hazard *const *x = a, *const *y = b;
    int c = strcmp((*x)->district, (*y)->district);
    return c ? c : (*x < *y ? -1 : *x > *y);
}

/* The plan by district, as `,"districts":[...]`: each district's hazards
 * (and those funded), hectares left to release, expected items, cost at
 * unit rates (all, and funded) and the last working day of its funded
 * tasks (null when none is funded). -1 when out of memory. */
static int districts_json(dm_ctx *ctx, dm_buf *b, const dm_plan_hazard *h, const dm_plan_result *r)
{
    const dm_plan_hazard **ord = dm_calloc(ctx, r->n ? r->n : 1, sizeof *ord);
    const char **last = dm_calloc(ctx, r->n ? r->n : 1, sizeof *last);
    if (!ord || !last) {
        dm_free(ctx, ord);
        dm_free(ctx, last);
        return -1;
    }
    for (size_t k = 0; k < r->n_tasks; k++) {
        size_t i = r->tasks[k].hazard;
        if (i < r->n && (!last[i] || strcmp(r->tasks[k].end, last[i]) > 0))
            last[i] = r->tasks[k].end;
    }
    for (size_t i = 0; i < r->n; i++)
        ord[i] = &h[i];
    qsort(ord, r->n, sizeof *ord, by_district);
    dm__buf_puts(b, ",\"districts\":[");
    for (size_t k = 0; k < r->n;) {
        size_t e = k, nh = 0, nf = 0;
        double area = 0, items = 0, cost = 0, fcost = 0;
        const char *end = NULL;
        for (; e < r->n && !strcmp(ord[e]->district, ord[k]->district); e++) {
            size_t i = (size_t)(ord[e] - h);
            nh++;
            area += h[i].area_ha;
            items += h[i].items;
            cost += r->cost[i];
            if (r->funded[i]) {
                nf++;
                fcost += r->cost[i];
                if (last[i] && (!end || strcmp(last[i], end) > 0))
                    end = last[i];
            }
        }
        dm__buf_puts(b, k ? ",{\"district\":" : "{\"district\":");
        dm__buf_json_str(b, ord[k]->district);
        dm__buf_printf(b, ",\"hazards\":%zu,\"funded\":%zu,\"area_ha\":%.4f,\"expected_items\":%.3f,"
                          "\"cost_usd\":%.2f,\"funded_cost_usd\":%.2f,\"end\":",
                       nh, nf, area, items, cost, fcost);
        if (end)
            dm__buf_printf(b, "\"%s\"}", end);
        else
            dm__buf_puts(b, "null}");
        k = e;
    }
    dm__buf_puts(b, "]");
    dm_free(ctx, ord);
    dm_free(ctx, last);
    return 0;
}

dm_status dm_plan_json(dm_ctx *ctx, const dm_plan_config *cfg, const dm_plan_hazard *h,
                       const dm_plan_team *t, const dm_plan_result *r, int with_tasks, char **json)
{
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_printf(&b, "{\"start\":\"%s\",\"hazards\":%zu,\"funded\":%zu,\"teams\":%zu,", r->start,
                   r->n, r->n_funded, r->n_teams);
    /* which hazards when not all (--district); no key for every open one,
     * as no budget key without a budget */
    if (cfg->scope[0]) {
        dm__buf_puts(&b, "\"scope\":");
        dm__buf_json_str(&b, cfg->scope);
        dm__buf_puts(&b, ",");
    }
    dm__buf_printf(&b, "\"area_ha\":%.4f,\"expected_items\":%.4f,\"cost_usd\":%.2f,"
                       "\"funded_cost_usd\":%.2f,\"residual_items\":%.4f,"
                       "\"unfunded_items\":%.4f,",
                   r->total_area_ha, r->total_items, r->total_cost, r->funded_cost,
                   r->residual_items, r->unfunded_items);
    /* the funded schedule at the teams' own day rates (null: unknown) */
    {
        double days = 0;
        const char *unrated = NULL;
        for (size_t j = 0; j < r->n_teams; j++) {
            days += r->team_days[j];
            if (!unrated && r->team_days[j] > 0 && !(t[j].usd_day > 0))
                unrated = t[j].name;
        }
        dm__buf_puts(&b, "\"day_rate\":{\"cost_usd\":");
        day_usd(&b, r->day_cost_total);
        dm__buf_printf(&b, ",\"team_days\":%.2f,\"items_cost_usd\":%.2f,\"unrated_teams\":%zu",
                       days, r->day_items_cost, r->n_unrated);
        /* teams kept from the start to their last task, waiting included */
        double kept = 0;
        for (size_t j = 0; j < r->n_teams; j++)
            kept += r->team_kept_days[j];
        dm__buf_printf(&b, ",\"kept_team_days\":%.0f,\"kept_cost_usd\":", kept);
        day_usd(&b, r->kept_cost_total);
        if (unrated) {
            dm__buf_puts(&b, ",\"first_unrated\":");
            dm__buf_json_str(&b, unrated);
        }
        /* which teams have a rate: "all", "some" (a cost that counts a team
         * with no rate is a lower bound) or "none" (costs unknown) */
        dm__buf_printf(&b, ",\"rates\":\"%s\",\"teams_without_rate\":%zu",
                       r->n_rateless == 0 ? "all" : r->n_rateless < r->n_teams ? "some" : "none",
                       r->n_rateless);
        if (r->day_cost_total < 0 && r->day_cost_lower >= 0)
            dm__buf_printf(&b, ",\"cost_usd_lower_bound\":%.2f", r->day_cost_lower);
        if (r->kept_cost_total < 0 && r->kept_cost_lower >= 0)
            dm__buf_printf(&b, ",\"kept_cost_usd_lower_bound\":%.2f", r->kept_cost_lower);
        dm__buf_puts(&b, "},");
    }
    /* teams listed that get no task: what they cost if kept on contract to
     * the end of the plan; never part of the costs above */
    {
        /* the period they are costed over: to the plan's end, or to the
         * horizon when it comes first */
        dm__buf_printf(&b, "\"idle_teams\":{\"teams\":%zu,\"period\":\"%s\",\"until\":\"%s\","
                           "\"plan_days\":%ld,\"days_each\":%ld,\"team_days\":%.0f,\"cost_usd\":",
                       r->n_idle, r->idle_to_horizon ? "horizon" : "plan", r->idle_until, r->span_days,
                       r->idle_days, (double)r->n_idle * (double)r->idle_days);
        day_usd(&b, r->idle_cost);
        if (r->idle_cost < 0 && r->idle_cost_lower >= 0)
            dm__buf_printf(&b, ",\"cost_usd_lower_bound\":%.2f", r->idle_cost_lower);
        /* every team kept over the same period: the idle ones, and the
         * working ones to their last task (or the horizon when it comes
         * first, with the items destroyed by then): what the programme pays
         * keeping every team */
        dm__buf_printf(&b, ",\"included_in_costs\":false,\"kept_with_idle_team_days\":%.0f,"
                           "\"kept_with_idle_cost_usd\":",
                       r->kept_all_days);
        day_usd(&b, r->kept_all_cost);
        if (r->kept_all_cost < 0 && r->kept_all_lower >= 0)
            dm__buf_printf(&b, ",\"kept_with_idle_cost_usd_lower_bound\":%.2f", r->kept_all_lower);
        dm__buf_puts(&b, ",\"names\":[");
        int any = 0;
        for (size_t j = 0; j < r->n_teams; j++)
            if (!(r->team_days[j] > 0)) {
                dm__buf_puts(&b, any ? "," : "");
                dm__buf_json_str(&b, t[j].name);
                any = 1;
            }
        dm__buf_puts(&b, "]},");
    }
    dm__buf_puts(&b, "\"routes\":{");
    for (int k = 0; k < DM_ROUTES; k++)
        dm__buf_printf(&b, "%s\"%s\":{\"hazards\":%.0f,\"area_ha\":%.4f,\"expected_items\":%.4f}",
                       k ? "," : "", dm_route_name((dm_route)k), r->n_route[k], r->area_route[k],
                       r->items_route[k]);
    dm__buf_printf(&b, "},\"high_risk\":{\"hazards\":%zu,\"end\":\"%s\",\"years\":%.3f},",
                   r->n_high, r->end_high, r->years_high);
    dm__buf_printf(&b, "\"all\":{\"end\":\"%s\",\"years\":%.3f},", r->end_all, r->years_all);
    dm__buf_printf(&b, "\"beyond_horizon\":{\"hazards\":%zu,\"area_ha\":%.4f,\"names\":[", r->n_late,
                   r->late_ha);
    /* which, by priority (all of them in the file, the first 20 in the
     * summary), with the day each ends: its last working day more than the
     * horizon's years after the start, as n_late counts them */
    if (r->n_late > 0) {
        const char **last = dm_calloc(ctx, r->n, sizeof *last);
        size_t *by_rank = dm_calloc(ctx, r->n, sizeof *by_rank);
        if (!last || !by_rank) {
            dm_free(ctx, last);
            dm_free(ctx, by_rank);
            dm__buf_free(&b);
            return dm__fail(ctx, DM_ENOMEM, "out of memory writing the plan");
        }
        for (size_t k = 0; k < r->n_tasks; k++) {
            size_t i = r->tasks[k].hazard;
            if (i < r->n && (!last[i] || strcmp(r->tasks[k].end, last[i]) > 0))
                last[i] = r->tasks[k].end;
        }
        for (size_t i = 0; i < r->n; i++)
            if (r->rank[i] >= 1 && (size_t)r->rank[i] <= r->n)
                by_rank[r->rank[i] - 1] = i;
        long d0 = dm_date_days(r->start);
        size_t named = 0, most = with_tasks ? r->n_late : 20;
        for (size_t k = 0; k < r->n && named < most; k++) {
            size_t i = by_rank[k];
            if (!last[i] || !((double)(dm_date_days(last[i]) + 1 - d0) / 365.25 > cfg->horizon_years))
                continue;
            dm__buf_puts(&b, named ? ",{\"hazard\":" : "{\"hazard\":");
            dm__buf_json_str(&b, hz_name(&h[i]));
            dm__buf_printf(&b, ",\"rank\":%ld,\"end\":\"%s\"}", r->rank[i], last[i]);
            named++;
        }
        dm_free(ctx, last);
        dm_free(ctx, by_rank);
    }
    dm__buf_puts(&b, "]},");
    /* the budget: what it funds, what is left of it, and the first hazard
     * by priority it leaves out (null when every hazard is funded); no
     * key without a budget */
    if (cfg->budget_usd > 0) {
        size_t first = r->n;
        for (size_t i = 0; i < r->n; i++)
            if (!r->funded[i] && (first == r->n || r->rank[i] < r->rank[first]))
                first = i;
        dm__buf_printf(&b, "\"budget\":{\"usd\":%.2f,\"funded\":%zu,\"funded_cost_usd\":%.2f,\"left_usd\":%.2f,"
                           "\"first_unfunded\":",
                       cfg->budget_usd, r->n_funded, r->funded_cost, cfg->budget_usd - r->funded_cost);
        if (first == r->n)
            dm__buf_puts(&b, "null},");
        else {
            dm__buf_puts(&b, "{\"hazard\":");
            dm__buf_json_str(&b, hz_name(&h[first]));
            dm__buf_printf(&b, ",\"rank\":%ld,\"route\":\"%s\",\"cost_usd\":%.2f}},", r->rank[first],
                           dm_route_name(r->route[first]), r->cost[first]);
        }
    }
    dm__buf_printf(&b, "\"forecast\":{\"samples\":%d,\"samples_beyond_teams\":%d,\"samples_stopped\":%d,",
                   r->samples, r->mc_beyond_teams, r->mc_stopped);
    /* samples whose schedule passes 2200-12-31 are stopped there: their
     * years are those to that date, their day-rate cost is left out */
    if (r->mc_stopped > 0)
        dm__buf_puts(&b, "\"stopped_at\":\"2200-12-31\",");
    if (r->samples <= 0) /* no forecast drawn: no bands, not bands of 0 */
        dm__buf_puts(&b, "\"years_high\":null,\"years_all\":null,\"cost_usd\":null,\"day_rate_cost_usd\":null");
    else {
        band(&b, "years_high", r->mc_years_high);
        dm__buf_puts(&b, ",");
        band(&b, "years_all", r->mc_years_all);
        dm__buf_puts(&b, ",");
        band(&b, "cost_usd", r->mc_cost);
        dm__buf_puts(&b, ",");
    }
    if (r->samples <= 0)
        ;
    else if (r->mc_day_cost.p10 < 0) {
        dm__buf_puts(&b, "\"day_rate_cost_usd\":null");
        /* some teams have no rate: the band of the teams that have one */
        if (r->samples > 0 && r->mc_day_cost_lower.p10 >= 0) {
            dm__buf_puts(&b, ",");
            band(&b, "day_rate_cost_usd_lower_bound", r->mc_day_cost_lower);
        }
    } else
        band(&b, "day_rate_cost_usd", r->mc_day_cost);
    /* full clearance with no team that clears: no years (null) */
    dm__buf_puts(&b, "},\"comparison\":{\"full_clearance\":{\"years\":");
    if (r->full_years < 0)
        dm__buf_puts(&b, "null");
    else
        dm__buf_printf(&b, "%.3f", r->full_years);
    /* a schedule passing 2200-12-31 is stopped there: years to that date */
    if (r->full_stopped)
        dm__buf_puts(&b, ",\"stopped_at\":\"2200-12-31\"");
    dm__buf_printf(&b, ",\"cost_usd\":%.2f,\"clear_ha\":%.4f,\"day_rate_cost_usd\":", r->full_cost,
                   r->full_clear_ha);
    day_usd(&b, r->full_day_cost);
    if (r->full_day_cost < 0 && r->full_day_cost_lower >= 0)
        dm__buf_printf(&b, ",\"day_rate_cost_usd_lower_bound\":%.2f", r->full_day_cost_lower);
    dm__buf_printf(&b, "},\"risk_based\":{\"years\":%.3f,%s\"cost_usd\":%.2f,\"clear_ha\":%.4f,"
                       "\"day_rate_cost_usd\":",
                   r->rb_years, r->rb_stopped ? "\"stopped_at\":\"2200-12-31\"," : "", r->rb_cost, r->rb_clear_ha);
    day_usd(&b, r->rb_day_cost);
    if (r->rb_day_cost < 0 && r->rb_day_cost_lower >= 0)
        dm__buf_printf(&b, ",\"day_rate_cost_usd_lower_bound\":%.2f", r->rb_day_cost_lower);
    dm__buf_puts(&b, "}},");
    dm__buf_puts(&b, "\"team_use\":{");
    /* per method: teams, days worked and their cost at the teams' day rates
     * (the items are in day_rate.items_cost_usd, not here). A team of the
     * method that works with no rate makes the cost unknown (null), as a
     * hazard's: teams_without_rate and unrated_team_days say so, and with
     * other teams rated the method's rated teams give a lower bound; with
     * no rate at all in the file every cost is null and has no bound. */
    dm_plan_team_use use[DM_TEAM_KINDS];
    dm_plan_team_use_of(r, t, use);
    int first = 1;
    for (int k = 0; k < DM_TEAM_KINDS; k++) {
        const dm_plan_team_use *u = &use[k];
        if (!u->teams)
            continue;
        dm__buf_printf(&b, "%s\"%s\":{\"teams\":%zu,\"team_days\":%.2f,\"teams_without_rate\":%zu,"
                           "\"unrated_team_days\":%.2f,\"day_rate_cost_usd\":",
                       first ? "" : ",", dm_team_kind_name((dm_team_kind)k), u->teams, u->team_days, u->without_rate,
                       u->unrated_days);
        day_usd(&b, u->cost_usd);
        if (u->rated && u->cost_usd < 0)
            dm__buf_printf(&b, ",\"day_rate_cost_usd_lower_bound\":%.2f", u->lower_usd);
        dm__buf_puts(&b, "}");
        first = 0;
    }
    dm__buf_puts(&b, "},\"config\":{");
    dm__buf_printf(&b, "\"p_cancel\":%g,\"items_cancel\":%g,\"p_clear\":%g,\"density_clear\":%g,"
                       "\"p_high\":%g,\"usd_per_item\":%g,\"usd_per_ha\":{\"cancel\":%g,"
                       "\"reduce\":%g,\"clear\":%g},\"budget_usd\":%g,\"horizon_years\":%g}",
                   cfg->p_cancel, cfg->items_cancel, cfg->p_clear, cfg->density_clear, cfg->p_high,
                   cfg->usd_item, cfg->usd_ha[0], cfg->usd_ha[1], cfg->usd_ha[2], cfg->budget_usd,
                   cfg->horizon_years);
    /* per district (by name; hazards without one under ""): its hazards,
     * those funded, hectares, costs and the day its funded land ends */
    if (districts_json(ctx, &b, h, r)) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing the plan");
    }
    /* hazards in priority order (the top ones) */
    dm__buf_puts(&b, ",\"priorities\":[");
    size_t *by_rank = dm_calloc(ctx, r->n ? r->n : 1, sizeof *by_rank);
    if (!by_rank) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing the plan");
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->rank[i] >= 1 && (size_t)r->rank[i] <= r->n)
            by_rank[r->rank[i] - 1] = i;
    /* each hazard's tasks, chained in schedule order: its first and last
     * working day and the teams that work on it */
    size_t *head = dm_malloc(ctx, (r->n ? r->n : 1) * sizeof *head);
    size_t *next = dm_malloc(ctx, (r->n_tasks ? r->n_tasks : 1) * sizeof *next);
    size_t *tail = dm_malloc(ctx, (r->n ? r->n : 1) * sizeof *tail);
    if (!head || !next || !tail) {
        dm_free(ctx, head);
        dm_free(ctx, next);
        dm_free(ctx, tail);
        dm_free(ctx, by_rank);
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing the plan");
    }
    for (size_t i = 0; i < r->n; i++)
        head[i] = tail[i] = (size_t)-1;
    for (size_t k = 0; k < r->n_tasks; k++) {
        size_t i = r->tasks[k].hazard;
        next[k] = (size_t)-1;
        if (i >= r->n)
            continue;
        if (head[i] == (size_t)-1)
            head[i] = k;
        else
            next[tail[i]] = k;
        tail[i] = k;
    }
    size_t shown = with_tasks ? r->n : (r->n < 20 ? r->n : 20);
    for (size_t k = 0; k < shown; k++) {
        size_t i = by_rank[k];
        dm__buf_puts(&b, k ? ",{" : "{");
        dm__buf_puts(&b, "\"hazard\":");
        dm__buf_json_str(&b, hz_name(&h[i]));
        dm__buf_puts(&b, ",\"district\":");
        dm__buf_json_str(&b, h[i].district);
        dm__buf_printf(&b, ",\"rank\":%ld,\"route\":\"%s\",\"area_ha\":%.4f,\"p_contam\":%.4f,"
                           "\"expected_items\":%.3f,\"value\":%.3f,\"cost_usd\":%.2f,"
                           "\"priority\":%.6g,\"funded\":%s,\"day_rate_cost_usd\":",
                       r->rank[i], dm_route_name(r->route[i]), h[i].area_ha, h[i].p, h[i].items,
                       r->value[i], r->cost[i], r->priority[i], r->funded[i] ? "true" : "false");
        day_usd(&b, r->day_cost[i]);
        /* a team that works on it has no rate: what the others cost, and the items */
        if (r->day_cost[i] < 0 && r->day_cost_lower_hz && r->day_cost_lower_hz[i] >= 0)
            dm__buf_printf(&b, ",\"day_rate_cost_usd_lower_bound\":%.2f", r->day_cost_lower_hz[i]);
        /* when it is worked and by whom: the first and last working day of
         * its tasks and its teams in the order they start on it (null and
         * none when unfunded) */
        const char *t_first = NULL, *t_last = NULL;
        for (size_t q0 = head[i]; q0 != (size_t)-1; q0 = next[q0]) {
            if (!t_first || strcmp(r->tasks[q0].start, t_first) < 0)
                t_first = r->tasks[q0].start;
            if (!t_last || strcmp(r->tasks[q0].end, t_last) > 0)
                t_last = r->tasks[q0].end;
        }
        if (t_first)
            dm__buf_printf(&b, ",\"start\":\"%s\",\"end\":\"%s\",\"teams\":[", t_first, t_last);
        else
            dm__buf_puts(&b, ",\"start\":null,\"end\":null,\"teams\":[");
        int any = 0;
        for (size_t q0 = head[i]; q0 != (size_t)-1; q0 = next[q0]) {
            int seen = 0;
            for (size_t q = head[i]; q != q0 && !seen; q = next[q])
                seen = r->tasks[q].team == r->tasks[q0].team;
            if (seen)
                continue;
            dm__buf_puts(&b, any ? "," : "");
            dm__buf_json_str(&b, t[r->tasks[q0].team].name);
            any = 1;
        }
        dm__buf_puts(&b, "]}");
    }
    dm_free(ctx, head);
    dm_free(ctx, next);
    dm_free(ctx, tail);
    dm_free(ctx, by_rank);
    dm__buf_puts(&b, "]");
    if (with_tasks) {
        dm__buf_puts(&b, ",\"tasks\":[");
        for (size_t k = 0; k < r->n_tasks; k++) {
            const dm_plan_task *tk = &r->tasks[k];
            dm__buf_puts(&b, k ? ",{\"hazard\":" : "{\"hazard\":");
            dm__buf_json_str(&b, hz_name(&h[tk->hazard]));
            dm__buf_puts(&b, ",\"team\":");
            dm__buf_json_str(&b, t[tk->team].name);
            dm__buf_printf(&b, ",\"method\":\"%s\",\"stage\":\"%s\",\"start\":\"%s\",\"end\":\"%s\","
                               "\"area_ha\":%.4f,\"cost_usd\":%.2f,\"team_days\":%.4f,"
                               "\"day_rate_cost_usd\":",
                           dm_team_kind_name(t[tk->team].kind), dm_route_name((dm_route)tk->stage),
                           tk->start, tk->end, tk->area_ha, tk->cost_usd, tk->end_day - tk->start_day);
            day_usd(&b, tk->day_cost_usd);
            /* its team has no rate, others have: its items' cost, a lower bound */
            if (tk->day_cost_usd < 0 && tk->day_cost_lower_usd >= 0)
                dm__buf_printf(&b, ",\"day_rate_cost_usd_lower_bound\":%.2f", tk->day_cost_lower_usd);
            dm__buf_puts(&b, "}");
        }
        dm__buf_puts(&b, "]");
    }
    dm__buf_puts(&b, "}");
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing the plan");
    }
    char *s = dm__buf_take(&b);
    *json = dm_strdup(ctx, s);
    free(s);
    return *json ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}

static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* the task list's header; older versions wrote its first 16 columns */
static const char csv_header[] = "rank,hazard,hazard_uuid,district,route,stage,team,method,start,end,area_ha,"
                                 "cost_usd,value,priority,p_contam,expected_items,team_days,day_rate_cost_usd,"
                                 "day_rate_cost_usd_lower_bound";

dm_status dm_plan_output_check(dm_ctx *ctx, const char *path, int csv)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return DM_OK;
        return dm__fail(ctx, DM_EIO, "%s exists but cannot be read (%s): not replacing it with the plan", path,
                        strerror(errno));
    }
    int ours = 0;
    char line[512];
    if (!fgets(line, sizeof line, f))
        ours = feof(f) && !ferror(f); /* empty: nothing to lose */
    else if (csv) {
        line[strcspn(line, "\r\n")] = 0;
        /* exactly a header demine wrote: the present one, or an older one it begins with */
        ours = !strcmp(line, csv_header) ||
               (strlen(line) >= 122 && !strncmp(line, csv_header, strlen(line)) &&
                csv_header[strlen(line)] == ',');
    } else {
        rewind(f);
        json_error_t je;
        json_t *j = json_loadf(f, 0, &je);
        static const char *const keys[] = {"start", "hazards", "funded", "teams", "area_ha", "cost_usd",
                                           "routes", "forecast", "config"};
        ours = json_is_object(j);
        for (size_t k = 0; ours && k < sizeof keys / sizeof keys[0]; k++)
            ours = json_object_get(j, keys[k]) != NULL;
        json_decref(j);
    }
    fclose(f);
    if (ours)
        return DM_OK;
    return dm__fail(ctx, DM_ECONFLICT, "%s exists and is not a plan %s demine wrote (%s): not replacing it",
                    path, csv ? "task list" : "summary",
                    csv ? "its first line is not the plan's CSV header" : "not a JSON summary of a plan");
}

dm_status dm_plan_write_csv(dm_ctx *ctx, const char *path, const dm_plan_hazard *h,
                            const dm_plan_team *t, const dm_plan_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return dm__fail(ctx, DM_EIO, "%s: cannot write: %s", path, strerror(errno));
    /* team_days and day_rate_cost_usd (the task at its team's day rate, empty
     * when unknown) come last so that the older columns keep their places;
     * then, when it is unknown and other teams have a rate, its lower bound
     * (the items' cost of the task), so that the column or its bound adds
     * up to the plan's day-rate cost or lower bound as the JSON's do */
    fputs(csv_header, f);
    fputc('\n', f);
    for (size_t k = 0; k < r->n_tasks; k++) {
        const dm_plan_task *tk = &r->tasks[k];
        const dm_plan_hazard *hz = &h[tk->hazard];
        fprintf(f, "%ld,", r->rank[tk->hazard]);
        csv_str(f, hz_name(hz));
        fprintf(f, ",%s,", hz->uuid);
        csv_str(f, hz->district);
        fprintf(f, ",%s,%s,", dm_route_name(r->route[tk->hazard]), dm_route_name((dm_route)tk->stage));
        csv_str(f, t[tk->team].name);
        fprintf(f, ",%s,%s,%s,%.4f,%.2f,%.4f,%.6g,%.4f,%.3f,%.4f,", dm_team_kind_name(t[tk->team].kind),
                tk->start, tk->end, tk->area_ha, tk->cost_usd, r->value[tk->hazard],
                r->priority[tk->hazard], hz->p, hz->items, tk->end_day - tk->start_day);
        if (tk->day_cost_usd >= 0)
            fprintf(f, "%.2f", tk->day_cost_usd);
        fputc(',', f);
        if (tk->day_cost_usd < 0 && tk->day_cost_lower_usd >= 0)
            fprintf(f, "%.2f", tk->day_cost_lower_usd);
        fputc('\n', f);
    }
    /* the hazards the budget leaves out, by priority as the tasks are */
    size_t *by_rank = dm__plan_by_rank(ctx, r);
    if (!by_rank) {
        fclose(f);
        return dm__fail(ctx, DM_ENOMEM, "out of memory writing %s", path);
    }
    for (size_t k = 0; k < r->n; k++) {
        size_t i = by_rank[k];
        if (r->funded[i])
            continue;
        fprintf(f, "%ld,", r->rank[i]);
        csv_str(f, hz_name(&h[i]));
        fprintf(f, ",%s,", h[i].uuid);
        csv_str(f, h[i].district);
        fprintf(f, ",%s,unfunded,,,,,%.4f,%.2f,%.4f,%.6g,%.4f,%.3f,,,\n", dm_route_name(r->route[i]),
                h[i].area_ha, r->cost[i], r->value[i], r->priority[i], h[i].p, h[i].items);
    }
    dm_free(ctx, by_rank);
    if (fclose(f) != 0)
        return dm__fail(ctx, DM_EIO, "%s: write failed: %s", path, strerror(errno));
    return DM_OK;
}
