/* SPDX-License-Identifier: MIT
 *
 * risk_model.c -- risk models: the built-in default, and reading and
 * writing models as JSON (jansson) with every term, its weight and what it
 * means, so that a reviewer can read why the map says what it says.
 * Reading refuses what would silently change the map: a misspelt field
 * type, two terms of one name; a class no feature has gets a warning.
 */
#include "core/dm_internal.h"
#include "demine/dm_model.h"
#include "demine/dm_risk.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *type_names[DM_TERM_TYPE_COUNT] = {"kernel", "distance", "area", "detection",
                                                     "cleared", "covariate"};

const char *dm_term_type_name(dm_term_type t)
{
    return (unsigned)t < DM_TERM_TYPE_COUNT ? type_names[t] : "?";
}

#define K(k) (1u << (k))
#define EVENTS (K(DM_EV_ACCIDENT) | K(DM_EV_ITEM) | K(DM_EV_SUSPECTED) | K(DM_EV_REPORT))

static void add(dm_risk_model *m, const char *name, dm_term_type t, unsigned kinds,
                const char *cls, double width, double scale, double weight, const char *desc)
{
    dm_risk_term *x = &m->terms[m->n_terms++];
    memset(x, 0, sizeof *x);
    dm__strlcpy(x->name, name, sizeof x->name);
    x->type = t;
    x->kinds = kinds;
    dm__strlcpy(x->cls, cls ? cls : "", sizeof x->cls);
    x->width_m = width;
    x->scale_m = scale;
    x->sd = 1.0;
    x->weight = weight;
    dm__strlcpy(x->desc, desc, sizeof x->desc);
}

void dm_risk_model_default(dm_risk_model *m)
{
    memset(m, 0, sizeof *m);
    dm__strlcpy(m->name, "default", sizeof m->name);
    m->ref_cell_m = 100;
    m->intercept = -6.0;
    add(m, "kernel_events_250m", DM_TERM_KERNEL, EVENTS, NULL, 250, 0, 0.9,
        "log(1 + Gaussian- and age-weighted count of past accidents, finds and reports within ~250 m)");
    add(m, "kernel_events_1000m", DM_TERM_KERNEL, EVENTS, NULL, 1000, 0, 0.6,
        "log(1 + Gaussian- and age-weighted count of past events within ~1 km)");
    add(m, "kernel_events_4000m", DM_TERM_KERNEL, EVENTS, NULL, 4000, 0, 0.5,
        "log(1 + Gaussian- and age-weighted count of past events within ~4 km): the wider contaminated area");
    add(m, "kernel_accidents_1000m", DM_TERM_KERNEL, K(DM_EV_ACCIDENT), NULL, 1000, 0, 0.3,
        "log(1 + Gaussian- and age-weighted count of past accidents within ~1 km): accidents mark live mines");
    /* Older events count less: each kernel weighs an event by 0.5^(age / 4 years). Chosen
     * on the Colombian events of 21 departments (evidence up to 2012, the events of
     * 2013-2019 as truth, eastern Antioquia left out of the choice): recall@10% 0.527 on
     * average against 0.515 without decay and 0.501 for a 1 km kernel density. */
    for (size_t i = 0; i < m->n_terms; i++)
        m->terms[i].half_life_y = 4.0;
    /* Events at one place count once (1/n each): reported coordinates are
     * often rounded or a village's, and one unit's many reports pile up at
     * one point (a third of the Colombian events up to 2012 share their
     * place with 4 or more others, up to 210). On the 21 departments above:
     * recall@10% 0.541 against 0.535 (paired +0.006, standard error 0.005;
     * 9 up, 7 down, 5 of the 7 with 600+ events up, 1 down). */
    for (size_t i = 0; i < m->n_terms; i++)
        m->terms[i].per_place = 1;
    add(m, "distance_events", DM_TERM_DISTANCE, EVENTS, NULL, 10000, 100, -0.5,
        "log(1 + distance to the nearest past event / 100 m), capped at 10 km");
    add(m, "area_hazards", DM_TERM_AREA, K(DM_EV_HAZARD), NULL, 100, 0, 2.5,
        "inside a recorded hazard polygon: its reliability weight; outside a band fading over 100 m");
    add(m, "area_records", DM_TERM_AREA, K(DM_EV_RECORD), NULL, 50, 0, 3.0,
        "inside a minefield record's perimeter: the record's measured reliability; band of 50 m");
    add(m, "detections", DM_TERM_DETECTION, K(DM_EV_DETECTION), NULL, 0, 0, 1.0,
        "sum of log likelihood ratios of sensor detections (detection and false-alarm rates, "
        "position error)");
    add(m, "cleared", DM_TERM_CLEARED, K(DM_EV_CLEARED), NULL, 0, 0, 1.0,
        "sum of log(miss probability) of the methods that released the land with nothing left");
    add(m, "distance_front_line", DM_TERM_DISTANCE, K(DM_EV_FEATURE), "front_line", 3000, 100,
        -0.6, "log(1 + distance to a former front line / 100 m), capped at 3 km");
    add(m, "distance_military_position", DM_TERM_DISTANCE, K(DM_EV_FEATURE), "military_position",
        2000, 100, -0.5, "log(1 + distance to a former military position / 100 m), capped at 2 km");
    dm__strlcpy(m->note, "hand-set defaults; replace with `demine risk fit`", sizeof m->note);
}

dm_status dm_risk_model_json(dm_ctx *ctx, const dm_risk_model *m, char **json)
{
    *json = NULL;
    json_t *o = json_object(), *terms = json_array();
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "note", json_string(m->note));
    json_object_set_new(o, "intercept", json_real(m->intercept));
    json_object_set_new(o, "ref_cell_m", json_real(m->ref_cell_m));
    json_object_set_new(o, "lambda", json_real(m->lambda));
    json_object_set_new(o, "meaning",
                        json_string("log-odds that a cell of ref_cell_m metres holds at least one "
                                    "item = intercept + sum of weight * (x - mean) / sd"));
    for (size_t i = 0; i < m->n_terms; i++) {
        const dm_risk_term *t = &m->terms[i];
        json_t *j = json_object(), *kinds = json_array();
        json_object_set_new(j, "name", json_string(t->name));
        json_object_set_new(j, "type", json_string(dm_term_type_name(t->type)));
        for (int k = 0; k < DM_EV_KIND_COUNT; k++)
            if (t->kinds & (1u << k))
                json_array_append_new(kinds, json_string(dm_ev_kind_name((dm_ev_kind)k)));
        json_object_set_new(j, "kinds", kinds);
        if (t->cls[0])
            json_object_set_new(j, "class", json_string(t->cls));
        if (t->covariate[0])
            json_object_set_new(j, "covariate", json_string(t->covariate));
        if (t->log1p)
            json_object_set_new(j, "log1p", json_true());
        if (t->optional)
            json_object_set_new(j, "optional", json_true());
        if (t->n_codes) {
            json_t *codes = json_array();
            for (int c = 0; c < t->n_codes; c++)
                json_array_append_new(codes, json_integer(t->codes[c]));
            json_object_set_new(j, "codes", codes);
        }
        if (t->half_life_y > 0)
            json_object_set_new(j, "half_life_y", json_real(t->half_life_y));
        if (t->max_age_y > 0)
            json_object_set_new(j, "max_age_y", json_real(t->max_age_y));
        if (t->per_place)
            json_object_set_new(j, "per_place", json_true());
        json_object_set_new(j, "width_m", json_real(t->width_m));
        json_object_set_new(j, "scale_m", json_real(t->scale_m));
        json_object_set_new(j, "mean", json_real(t->mean));
        json_object_set_new(j, "sd", json_real(t->sd));
        json_object_set_new(j, "weight", json_real(t->weight));
        json_object_set_new(j, "meaning", json_string(t->desc));
        json_array_append_new(terms, j);
    }
    json_object_set_new(o, "terms", terms);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
    json_decref(o);
    if (!s)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    *json = dm_strdup(ctx, s);
    free(s);
    return *json ? DM_OK : dm__fail(ctx, DM_ENOMEM, "out of memory");
}

dm_status dm_risk_model_save(dm_ctx *ctx, const char *path, const dm_risk_model *m)
{
    char *s = NULL;
    dm_status st = dm_risk_model_json(ctx, m, &s);
    if (st)
        return st;
    FILE *f = fopen(path, "w");
    if (!f) {
        dm_free(ctx, s);
        return dm__fail(ctx, DM_EIO, "%s: cannot write", path);
    }
    int bad = fputs(s, f) < 0 || fputc('\n', f) < 0;
    bad |= fclose(f) != 0;
    dm_free(ctx, s);
    return bad ? dm__fail(ctx, DM_EIO, "%s: write failed", path) : DM_OK;
}

static int get_num(json_t *o, const char *k, double *v, int required)
{
    json_t *j = json_object_get(o, k);
    if (!j)
        return required ? -1 : 0;
    if (!json_is_number(j))
        return -1;
    *v = json_number_value(j);
    return isfinite(*v) ? 1 : -1;
}

static void get_str(json_t *o, const char *k, char *out, size_t n)
{
    json_t *j = json_object_get(o, k);
    if (json_is_string(j))
        dm__strlcpy(out, json_string_value(j), n);
}

/* The fields a model and a term may hold (what dm_risk_model_json writes,
 * and a free "comment"): a misspelt one would otherwise be ignored and the
 * map made without it. */
static const char *model_fields[] = {"name", "note", "intercept", "ref_cell_m", "lambda",
                                     "meaning", "terms", "comment", NULL};
static const char *term_fields[] = {"name", "type", "kinds", "class", "covariate", "log1p",
                                    "optional", "codes", "half_life_y", "max_age_y", "per_place",
                                    "width_m", "scale_m", "mean", "sd", "weight", "meaning",
                                    "comment", NULL};
static const char *term_strings[] = {"name", "type", "class", "covariate", "meaning", "comment",
                                     NULL};
static const char *term_bools[] = {"log1p", "optional", "per_place", NULL};

static int listed(const char *const *list, const char *k)
{
    for (; *list; list++)
        if (!strcmp(*list, k))
            return 1;
    return 0;
}

/* The first key of o not in list, or NULL. */
static const char *unknown_field(json_t *o, const char *const *list)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        (void)v;
        if (!listed(list, k))
            return k;
    }
    return NULL;
}

/* Largest weight and intercept taken: a log-odds of 1000 is already a
 * certainty; beyond, the map's single-precision sums overflow to infinite
 * items per hectare. */
#define MAX_LOGIT 1000.0

/* The classes of the features layer ("road|track|..."), or NULL. */
static const char *feature_classes(void)
{
    const dm_field_def *f = dm_field_find(dm_layer_find("features"), "class");
    return f ? f->values : NULL;
}

/* 1 when cls is one of the '|'-separated values (case-insensitive, as the
 * map compares classes). */
static int in_values(const char *values, const char *cls)
{
    size_t n = strlen(cls);
    for (const char *v = values; v && *v;) {
        const char *bar = strchr(v, '|');
        size_t len = bar ? (size_t)(bar - v) : strlen(v);
        if (len == n && !strncasecmp(v, cls, n))
            return 1;
        v = bar ? bar + 1 : NULL;
    }
    return 0;
}

dm_status dm_risk_model_load(dm_ctx *ctx, const char *path, dm_risk_model *m)
{
    memset(m, 0, sizeof *m);
    json_error_t err;
    json_t *o = json_load_file(path, 0, &err);
    if (!o && err.line < 0)
        return dm__fail(ctx, DM_EIO, "%s: cannot read the model: %s", path, err.text);
    if (!o)
        return dm__fail(ctx, DM_EPARSE, "%s:%d: %s", path, err.line, err.text);
    dm_status st = DM_OK;
    json_t *terms = json_object_get(o, "terms");
    if (!json_is_object(o) || !json_is_array(terms)) {
        st = dm__fail(ctx, DM_EPARSE, "%s: not a risk model (no \"terms\" array)", path);
        goto done;
    }
    const char *bad = unknown_field(o, model_fields);
    if (bad) {
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: unknown field '%s' (name, note, intercept, ref_cell_m, lambda, terms)",
                      path, bad);
        goto done;
    }
    get_str(o, "name", m->name, sizeof m->name);
    get_str(o, "note", m->note, sizeof m->note);
    m->ref_cell_m = 100;
    {
        const char *nf = get_num(o, "intercept", &m->intercept, 1) < 0   ? "intercept"
                         : get_num(o, "ref_cell_m", &m->ref_cell_m, 0) < 0 ||
                                 !(m->ref_cell_m > 0)                   ? "ref_cell_m"
                         : get_num(o, "lambda", &m->lambda, 0) < 0      ? "lambda"
                                                                        : NULL;
        if (nf) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: field '%s': %s", path, nf,
                          !strcmp(nf, "intercept")    ? "required, a number (the log-odds of a "
                                                        "cell where every term is at its mean)"
                          : !strcmp(nf, "ref_cell_m") ? "a number of metres above 0"
                                                      : "a number >= 0");
            goto done;
        }
    }
    if (fabs(m->intercept) > MAX_LOGIT || m->ref_cell_m > DM_RISK_MAX_CELL_M || m->lambda < 0) {
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: field '%s': %g is out of range (intercept within +-%g, ref_cell_m up "
                      "to %g m, lambda >= 0)",
                      path,
                      fabs(m->intercept) > MAX_LOGIT ? "intercept"
                      : m->lambda < 0                ? "lambda"
                                                     : "ref_cell_m",
                      fabs(m->intercept) > MAX_LOGIT ? m->intercept
                      : m->lambda < 0                ? m->lambda
                                                     : m->ref_cell_m,
                      MAX_LOGIT, DM_RISK_MAX_CELL_M);
        goto done;
    }
    if (json_array_size(terms) > DM_RISK_MAX_TERMS) {
        st = dm__fail(ctx, DM_EPARSE, "%s: more than %d terms", path, DM_RISK_MAX_TERMS);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(terms); i++) {
        json_t *j = json_array_get(terms, i);
        dm_risk_term *t = &m->terms[i];
        memset(t, 0, sizeof *t);
        t->sd = 1;
        if (!json_is_object(j)) {
            st = dm__fail(ctx, DM_EPARSE, "%s: term %zu: not an object", path, i + 1);
            goto done;
        }
        get_str(j, "name", t->name, sizeof t->name);
        if (!t->name[0])
            snprintf(t->name, sizeof t->name, "term%zu", i + 1);
        if ((bad = unknown_field(j, term_fields))) {
            st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): unknown field '%s' (a misspelling?)",
                          path, i + 1, t->name, bad);
            goto done;
        }
        for (const char *const *f = term_strings; *f; f++)
            if (json_object_get(j, *f) && !json_is_string(json_object_get(j, *f))) {
                st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): field '%s': must be a string",
                              path, i + 1, t->name, *f);
                goto done;
            }
        for (const char *const *f = term_bools; *f; f++)
            if (json_object_get(j, *f) && !json_is_boolean(json_object_get(j, *f))) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: term %zu (%s): field '%s': must be true or false", path, i + 1,
                              t->name, *f);
                goto done;
            }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(m->terms[k].name, t->name)) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: term %zu (%s): field 'name': term %zu has the same name",
                              path, i + 1, t->name, k + 1);
                goto done;
            }
        char type[24] = "";
        get_str(j, "type", type, sizeof type);
        int ty = -1;
        for (int k = 0; k < DM_TERM_TYPE_COUNT; k++)
            if (!strcmp(type, type_names[k]))
                ty = k;
        if (ty < 0) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field 'type': unknown type '%s' (kernel, distance, "
                          "area, detection, cleared or covariate)",
                          path, i + 1, t->name, type);
            goto done;
        }
        t->type = (dm_term_type)ty;
        json_t *kinds = json_object_get(j, "kinds");
        if (kinds && !json_is_array(kinds)) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field 'kinds': must be an array, e.g. "
                          "[\"accident\", \"item\"]",
                          path, i + 1, t->name);
            goto done;
        }
        for (size_t k = 0; k < json_array_size(kinds); k++) {
            const char *ks = json_string_value(json_array_get(kinds, k));
            int kd = dm_ev_kind_parse(ks);
            if (kd < 0) {
                st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): field 'kinds': unknown kind '%s'",
                              path, i + 1, t->name, ks ? ks : "(not a string)");
                goto done;
            }
            t->kinds |= 1u << kd;
        }
        if (t->type != DM_TERM_COVARIATE && !t->kinds) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field 'kinds': a %s term needs the kinds of "
                          "evidence it reads, e.g. [\"accident\", \"item\"] (without, it sees "
                          "nothing and changes nothing)",
                          path, i + 1, t->name, type);
            goto done;
        }
        json_t *codes = json_object_get(j, "codes");
        if (codes && !json_is_array(codes)) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field 'codes': must be an array of up to 8 "
                          "integers, e.g. [1, 4]",
                          path, i + 1, t->name);
            goto done;
        }
        for (size_t c = 0; c < json_array_size(codes); c++) {
            json_t *cv = json_array_get(codes, c);
            if (!json_is_integer(cv) || t->n_codes == 8) {
                st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): field 'codes': up to 8 integers",
                              path, i + 1, t->name);
                goto done;
            }
            t->codes[t->n_codes++] = (int)json_integer_value(cv);
        }
        int bad_hl = get_num(j, "half_life_y", &t->half_life_y, 0) < 0 || t->half_life_y < 0;
        if (bad_hl || get_num(j, "max_age_y", &t->max_age_y, 0) < 0 || t->max_age_y < 0) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field '%s': a number of years >= 0 (0: none)", path,
                          i + 1, t->name, bad_hl ? "half_life_y" : "max_age_y");
            goto done;
        }
        get_str(j, "class", t->cls, sizeof t->cls);
        get_str(j, "covariate", t->covariate, sizeof t->covariate);
        get_str(j, "meaning", t->desc, sizeof t->desc);
        t->log1p = json_is_true(json_object_get(j, "log1p"));
        t->optional = json_is_true(json_object_get(j, "optional"));
        t->per_place = json_is_true(json_object_get(j, "per_place"));
        /* each field named on its own: "'weight' is required" for an sd of 0
         * sent the user to the wrong field; a width of 1e12 m overflowed the
         * tile's halo and asked for 17 million TiB */
        const char *nf = NULL, *why = NULL;
        if (get_num(j, "weight", &t->weight, 1) < 0)
            nf = "weight", why = "required, a number";
        else if (get_num(j, "width_m", &t->width_m, 0) < 0 || !(t->width_m >= 0) ||
                 t->width_m > DM_RISK_MAX_WIDTH_M)
            nf = "width_m", why = "a number of metres from 0 to 1000 km";
        else if (get_num(j, "scale_m", &t->scale_m, 0) < 0 || !(t->scale_m >= 0) ||
                 t->scale_m > DM_RISK_MAX_WIDTH_M)
            nf = "scale_m", why = "a number of metres from 0 (the default) to 1000 km";
        else if (get_num(j, "mean", &t->mean, 0) < 0)
            nf = "mean", why = "a number";
        else if (get_num(j, "sd", &t->sd, 0) < 0 || !(t->sd > 0))
            nf = "sd", why = "a number above 0";
        if (nf) {
            json_t *v = json_object_get(j, nf);
            char *txt = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
            st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): field '%s': %s (got %.40s)", path,
                          i + 1, t->name, nf, why, txt ? txt : "nothing");
            free(txt);
            goto done;
        }
        if (fabs(t->weight) > MAX_LOGIT || fabs(t->weight) / t->sd > 1e9 * MAX_LOGIT ||
            fabs(t->mean) > 1e15) {
            const char *f = fabs(t->weight) > MAX_LOGIT ? "weight"
                            : fabs(t->mean) > 1e15      ? "mean"
                                                        : "sd";
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field '%s': out of range (weight %g, sd %g, mean %g; "
                          "|weight| up to %g, |weight| / sd up to %g, |mean| up to 1e15)",
                          path, i + 1, t->name, f, t->weight, t->sd, t->mean, MAX_LOGIT,
                          1e9 * MAX_LOGIT);
            goto done;
        }
        if ((t->type == DM_TERM_KERNEL || t->type == DM_TERM_DISTANCE) && !(t->width_m > 0)) {
            st = dm__fail(ctx, DM_EPARSE, "%s: term %zu (%s): a %s term needs width_m > 0", path,
                          i + 1, t->name, type);
            goto done;
        }
        if (t->per_place && t->type != DM_TERM_KERNEL) {
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: term %zu (%s): field 'per_place': for kernel terms only (a %s term "
                          "counts no events)",
                          path, i + 1, t->name, type);
            goto done;
        }
        if (t->type == DM_TERM_COVARIATE && !t->covariate[0])
            dm__strlcpy(t->covariate, t->name, sizeof t->covariate);
        if (t->type == DM_TERM_DISTANCE && !(t->scale_m > 0))
            t->scale_m = 100;
        const char *classes = feature_classes();
        if (t->type == DM_TERM_DISTANCE && t->cls[0] && (t->kinds & (1u << DM_EV_FEATURE)) &&
            classes && !in_values(classes, t->cls))
            dm__log(ctx, DM_LOG_WARN,
                    "%s: term %zu (%s): field 'class': '%s' is not a feature class of demine (%s); "
                    "the term sees only features of a file that uses it",
                    path, i + 1, t->name, t->cls, classes);
        m->n_terms++;
    }
    /* a model without terms maps its intercept alone: one value everywhere */
    if (!m->n_terms)
        st = dm__fail(ctx, DM_EPARSE,
                      "%s: field 'terms': no term (the map would be flat: the intercept alone)",
                      path);
done:
    json_decref(o);
    return st;
}
