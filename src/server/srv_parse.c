/* SPDX-License-Identifier: MIT
 *
 * srv_parse.c -- the request parsers of the HTTP service and its JSON text
 * buffer: bounding boxes, numbers, URL paths, tile addresses, entity tags
 * (If-None-Match), line strings, field reports (JSON -> rows, with the new
 * hazard a report may propose) and new or edited rows. Nothing here does
 * I/O, so everything can be fuzzed (tests/fuzz/fuzz_request.c).
 */
#include "srv.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================ buffer ================================ */

void sb_init(srv_buf *b) { memset(b, 0, sizeof *b); }
void sb_free(srv_buf *b)
{
    free(b->data);
    sb_init(b);
}

static int sb_grow(srv_buf *b, size_t need)
{
    if (b->oom)
        return 0;
    if (b->len + need + 1 <= b->cap)
        return 1;
    size_t nc = b->cap ? b->cap * 2 : 256;
    while (nc < b->len + need + 1)
        nc *= 2;
    char *p = realloc(b->data, nc);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = nc;
    return 1;
}

void sb_add(srv_buf *b, const char *s, size_t n)
{
    if (!sb_grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sb_puts(srv_buf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_printf(srv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    if (!sb_grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, surrogates nor code points past U+10FFFF), 0 when there is none. */
static int utf8_seq(const unsigned char *p)
{
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        if (p[0] == 0xE0)
            lo = 0xA0;
        else if (p[0] == 0xED)
            hi = 0x9F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        if (p[0] == 0xF0)
            lo = 0x90;
        else if (p[0] == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* A string that is not UTF-8 (a URL's %ff echoed in an error, text a
 * legacy import left in the database) would make the whole answer one no
 * strict JSON parser reads: each byte of a malformed sequence is written as
 * U+FFFD, the replacement character. */
void sb_json_str(srv_buf *b, const char *s)
{
    if (!s) {
        sb_puts(b, "null");
        return;
    }
    sb_add(b, "\"", 1);
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            int n = utf8_seq(p);
            if (n) {
                p += n - 1;
                continue;
            }
            sb_add(b, run, (size_t)((const char *)p - run));
            sb_add(b, "\\ufffd", 6);
            run = (const char *)p + 1;
            continue;
        }
        if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != '<' && *p != '>')
            continue;
        sb_add(b, run, (size_t)((const char *)p - run));
        char esc[8];
        switch (*p) {
        case '"': sb_add(b, "\\\"", 2); break;
        case '\\': sb_add(b, "\\\\", 2); break;
        case '\n': sb_add(b, "\\n", 2); break;
        case '\r': sb_add(b, "\\r", 2); break;
        case '\t': sb_add(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            sb_add(b, esc, 6);
        }
        run = (const char *)p + 1;
    }
    sb_puts(b, run);
    sb_add(b, "\"", 1);
}

void sb_json_num(srv_buf *b, double v)
{
    if (!isfinite(v))
        sb_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        sb_printf(b, "%.0f", v);
    else
        sb_printf(b, "%.10g", v);
}

char *sb_take(srv_buf *b)
{
    char *d = b->data;
    if (!d)
        d = strdup("");
    sb_init(b);
    return d;
}

/* ================================ numbers ================================ */

int srv_parse_double(const char *s, double *out)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return 0;
    /* hexadecimal floats and "inf"/"nan" spellings are not numbers here */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return 0;
    *out = v;
    return 1;
}

int srv_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || strlen(s) > 20)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (p == s && *p == '-')))
            return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

int srv_parse_bbox(const char *s, double out[4])
{
    if (!s || strlen(s) > 200)
        return 0;
    char tmp[201];
    snprintf(tmp, sizeof tmp, "%s", s);
    char *p = tmp;
    for (int i = 0; i < 4; i++) {
        char *comma = strchr(p, ',');
        if ((i < 3) != (comma != NULL))
            return 0;
        if (comma)
            *comma = '\0';
        if (!srv_parse_double(p, &out[i]))
            return 0;
        p = comma ? comma + 1 : p;
    }
    if (out[0] < -180 || out[2] > 180 || out[1] < -90 || out[3] > 90 || out[0] > out[2] ||
        out[1] > out[3])
        return 0;
    return 1;
}

/* ================================ paths ================================ */

int srv_split_path(const char *path, char seg[][SRV_SEG], int max)
{
    if (!path || path[0] != '/' || strlen(path) > 2048)
        return -1;
    int n = 0;
    const char *p = path + 1;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0) {
            if (!e) /* trailing slash */
                break;
            return -1;
        }
        if (n >= max || l >= SRV_SEG)
            return -1;
        for (size_t i = 0; i < l; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == '\\' || p[i] == 0x7f)
                return -1;
        memcpy(seg[n], p, l);
        seg[n][l] = '\0';
        if (!strcmp(seg[n], "..") || !strcmp(seg[n], "."))
            return -1;
        n++;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

int srv_parse_tile(const char *zs, const char *xs, const char *ys, const char *ext, int *z,
                   int *x, int *y)
{
    char tmp[SRV_SEG];
    size_t yl = strlen(ys), el = strlen(ext);
    if (yl <= el || yl >= sizeof tmp || strcmp(ys + yl - el, ext))
        return 0;
    memcpy(tmp, ys, yl - el);
    tmp[yl - el] = '\0';
    long lz, lx, ly;
    if (!srv_parse_long(zs, 0, 22, &lz) || !srv_parse_long(xs, 0, (1L << lz) - 1, &lx) ||
        !srv_parse_long(tmp, 0, (1L << lz) - 1, &ly))
        return 0;
    *z = (int)lz;
    *x = (int)lx;
    *y = (int)ly;
    return 1;
}

int srv_etag_match(const char *h, const char *etag)
{
    size_t el = etag ? strlen(etag) : 0;
    if (!h || el < 2)
        return 0;
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (!strncmp(p, "W/", 2)) /* weak: the same for a GET */
            p += 2;
        if (*p == '"') {
            const char *e = strchr(p + 1, '"');
            if (!e)
                return 0;
            if ((size_t)(e + 1 - p) == el && !memcmp(p, etag, el))
                return 1;
            p = e + 1;
        }
        while (*p && *p != ',') /* a malformed entry: skip to the next */
            p++;
    }
    return 0;
}

int srv_if_match(const char *h, const char *etag)
{
    size_t el = etag ? strlen(etag) : 0;
    if (!h || el < 2)
        return 0;
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        /* a weak tag (W/"...") never matches, but is read whole: a comma
         * inside it (allowed in a tag) does not end it */
        int weak = !strncmp(p, "W/", 2);
        if (weak)
            p += 2;
        if (*p == '"') {
            const char *e = strchr(p + 1, '"');
            if (!e)
                return 0;
            if (!weak && (size_t)(e + 1 - p) == el && !memcmp(p, etag, el))
                return 1;
            p = e + 1;
        }
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

int srv_parse_line(const char *s, double **xy, size_t *n)
{
    *xy = NULL;
    *n = 0;
    if (!s || !*s || strlen(s) > 64000)
        return 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ';';
    if (cap < 2 || cap > 1000)
        return 0;
    double *v = malloc(cap * 2 * sizeof *v);
    char *tmp = strdup(s);
    if (!v || !tmp) {
        free(v);
        free(tmp);
        return 0;
    }
    size_t k = 0;
    int ok = 1;
    char *save = NULL;
    for (char *pt = strtok_r(tmp, ";", &save); pt && ok; pt = strtok_r(NULL, ";", &save)) {
        char *c = strchr(pt, ',');
        if (!c || k >= cap) {
            ok = 0;
            break;
        }
        *c = '\0';
        ok = srv_parse_double(pt, &v[2 * k]) && srv_parse_double(c + 1, &v[2 * k + 1]) &&
             fabs(v[2 * k]) <= 180 && fabs(v[2 * k + 1]) <= 90;
        k++;
    }
    free(tmp);
    if (!ok || k < 2) {
        free(v);
        return 0;
    }
    *xy = v;
    *n = k;
    return 1;
}

/* ============================== field reports ============================== */

/* Set the row's fields from a JSON object of properties. */
static dm_status set_props(dm_ctx *ctx, dm_row *r, json_t *props, const char *what, char *err,
                           size_t errlen)
{
    const char *key;
    json_t *val;
    json_object_foreach(props, key, val)
    {
        char num[64];
        const char *text = NULL;
        if (json_is_string(val))
            text = json_string_value(val);
        else if (json_is_integer(val)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
            text = num;
        } else if (json_is_real(val)) {
            snprintf(num, sizeof num, "%.17g", json_real_value(val));
            text = num;
        } else if (json_is_boolean(val)) {
            /* true and false are for yes/no fields: read as 1 and 0 they
             * would pass for a number ("est_area_ha": true as 1 ha) */
            static const char *tn[] = {"text", "int", "real", "date", "enum", "enumset", "ref",
                                       "bool"};
            const dm_field_def *f = dm_field_find(dm_row_layer(r), key);
            if (f && f->type != DM_FT_BOOL) {
                snprintf(err, errlen, "%s: field '%.60s': %s is not a value of a%s %s field", what,
                         key, json_is_true(val) ? "true" : "false",
                         f->type == DM_FT_INT || f->type == DM_FT_ENUM || f->type == DM_FT_ENUMSET
                             ? "n"
                             : "",
                         (unsigned)f->type < sizeof tn / sizeof tn[0] ? tn[f->type] : "other");
                return DM_EPARSE;
            }
            text = json_is_true(val) ? "1" : "0";
        } else if (!json_is_null(val) && dm_field_find(dm_row_layer(r), key)) {
            snprintf(err, errlen, "%s: field '%.60s': must be a string, number or boolean", what,
                     key);
            return DM_EPARSE;
        } /* an unknown field is named by dm_row_set, whatever its value */
        dm_status st = dm_row_set(r, key, text);
        if (st)
            return st;
    }
    return DM_OK;
}

static dm_status set_geometry(dm_ctx *ctx, dm_row *r, json_t *geom)
{
    if (!geom || json_is_null(geom))
        return DM_OK;
    /* dm_geom_from_geojson checks the nesting before GEOS reads it */
    if (!json_is_object(geom))
        return DM_EGEOM;
    char *text = json_dumps(geom, JSON_COMPACT);
    if (!text)
        return DM_ENOMEM;
    dm_geom *g = NULL;
    dm_status st = dm_geom_from_geojson(ctx, text, &g);
    free(text);
    if (st)
        return st;
    dm_row_set_geom(r, g);
    return DM_OK;
}

/* A feature: {"properties": {...}, "geometry": {...}} or a flat object of
 * fields with an optional "geometry" member. */
static dm_status feature_row(dm_ctx *ctx, const dm_layer_def *l, json_t *f, const char *what,
                             dm_row **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!json_is_object(f)) {
        snprintf(err, errlen, "%s: must be a JSON object", what);
        return DM_EPARSE;
    }
    dm_row *r = dm_row_new(ctx, l);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return DM_ENOMEM;
    }
    json_t *props = json_object_get(f, "properties");
    json_t *geom = json_object_get(f, "geometry");
    dm_status st = DM_OK;
    if (props) {
        if (!json_is_object(props)) {
            snprintf(err, errlen, "%s: properties must be an object", what);
            st = DM_EPARSE;
        } else
            st = set_props(ctx, r, props, what, err, errlen);
    } else {
        json_t *copy = json_copy(f);
        if (!copy)
            st = DM_ENOMEM;
        else {
            json_object_del(copy, "geometry");
            json_object_del(copy, "type");
            st = set_props(ctx, r, copy, what, err, errlen);
            json_decref(copy);
        }
    }
    if (!st && props && json_object_get(f, "type") &&
        !json_is_string(json_object_get(f, "type"))) {
        snprintf(err, errlen, "%s: type must be \"Feature\"", what);
        st = DM_EPARSE;
    }
    if (st && !err[0])
        snprintf(err, errlen, "%s: %s", what, dm_ctx_errmsg(ctx));
    if (!st) {
        dm_ctx_clear_error(ctx);
        st = set_geometry(ctx, r, geom);
        if (st)
            snprintf(err, errlen, "%s: geometry: %s", what,
                     dm_ctx_errmsg(ctx)[0]
                         ? dm_ctx_errmsg(ctx)
                         : "not a valid GeoJSON geometry (type and nested coordinates)");
    }
    if (st) {
        dm_row_free(r);
        return st == DM_ENOTFOUND ? DM_EPARSE : st;
    }
    *out = r;
    return DM_OK;
}

static dm_status create_from_json(dm_ctx *ctx, const dm_layer_def *l, json_t *root, const char *not_object,
                                  const char *kind, srv_create *out);

/* The new hazard a report proposes ("hazard"), read as POST /api/hazards
 * reads a new hazard; without a geometry of its own it is the activity's
 * area. A reason is the review's, not the proposal's. */
static dm_status proposed_hazard(dm_ctx *ctx, json_t *hz, json_t *act, srv_report *out, char *err, size_t n)
{
    srv_create c;
    dm_status st = create_from_json(ctx, dm_layer_find("hazards"), hz,
                                    "expected a GeoJSON Feature or a JSON object of fields", "a proposed hazard", &c);
    if (st) {
        snprintf(err, n, "hazard: %.580s", c.err);
        return st == DM_ENOMEM ? st : DM_EPARSE;
    }
    if (c.reason || json_object_get(hz, "reason")) {
        srv_create_free(&c);
        snprintf(err, n, "hazard: reason: not a member of a proposed hazard (the reason is the review's)");
        return DM_EPARSE;
    }
    out->hazard_ha = c.area_ha;
    json_t *g = json_object_get(hz, "geometry");
    if (!g || json_is_null(g)) {
        json_t *ag = json_object_get(act, "geometry");
        if (ag && !json_is_null(ag)) {
            dm_ctx_clear_error(ctx);
            if ((st = set_geometry(ctx, c.row, ag))) {
                srv_create_free(&c);
                snprintf(err, n, "hazard: geometry (the activity's): %s",
                         dm_ctx_errmsg(ctx)[0] ? dm_ctx_errmsg(ctx) : "not a valid GeoJSON geometry");
                return st == DM_ENOMEM ? st : DM_EPARSE;
            }
            out->hazard_ha = out->activity_ha;
        }
    }
    out->hazard = c.row;
    c.row = NULL;
    srv_create_free(&c);
    return DM_OK;
}

void srv_report_free(srv_report *r)
{
    if (!r)
        return;
    dm_row_free(r->hazard);
    r->hazard = NULL;
    dm_row_free(r->activity);
    for (size_t i = 0; i < r->n_items; i++)
        dm_row_free(r->items[i]);
    free(r->items);
    r->activity = NULL;
    r->items = NULL;
    r->n_items = 0;
}

dm_status srv_report_parse(dm_ctx *ctx, const char *body, size_t len, srv_report *out)
{
    memset(out, 0, sizeof *out);
    char err[sizeof out->err] = "";
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, sizeof err, "body is not valid JSON: %s (line %d, column %d)", je.text,
                 je.line, je.column);
        memcpy(out->err, err, sizeof err);
        return DM_EPARSE;
    }
    dm_status st = DM_OK;
    json_t *act = json_is_object(root) ? json_object_get(root, "activity") : NULL;
    json_t *items = json_is_object(root) ? json_object_get(root, "items") : NULL;
    if (!act) {
        snprintf(err, sizeof err, "the report needs an \"activity\" feature");
        st = DM_EPARSE;
    } else if (items && !json_is_array(items)) {
        snprintf(err, sizeof err, "\"items\" must be an array");
        st = DM_EPARSE;
    } else if (items && json_array_size(items) > 10000) {
        snprintf(err, sizeof err, "too many items (at most 10000 per report)");
        st = DM_EPARSE;
    }
    if (!st)
        st = feature_row(ctx, dm_layer_find("activities"), act, "activity", &out->activity, err,
                         sizeof err);
    out->activity_ha = NAN;
    if (!st) {
        /* the polygon's area, against which the reported areas are checked */
        json_t *geom = json_object_get(act, "geometry");
        char *text = json_is_object(geom) ? json_dumps(geom, JSON_COMPACT) : NULL;
        dm_geom *g = NULL;
        double ha = 0;
        if (text && !dm_geom_from_geojson(ctx, text, &g) && g &&
            (dm_geom_type_of(g) == DM_GEOM_POLYGON || dm_geom_type_of(g) == DM_GEOM_MULTIPOLYGON) &&
            !dm_geom_area_ha(ctx, g, &ha))
            out->activity_ha = ha;
        dm_geom_free(g);
        free(text);
        dm_ctx_clear_error(ctx);
    }
    out->hazard_ha = NAN;
    json_t *hz = json_is_object(root) ? json_object_get(root, "hazard") : NULL;
    if (!st && hz && !json_is_null(hz))
        st = proposed_hazard(ctx, hz, act, out, err, sizeof err);
    size_t n = items ? json_array_size(items) : 0;
    if (!st && n) {
        out->items = calloc(n, sizeof *out->items);
        if (!out->items) {
            snprintf(err, sizeof err, "out of memory");
            st = DM_ENOMEM;
        }
    }
    for (size_t i = 0; !st && i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "items[%zu]", i);
        st = feature_row(ctx, dm_layer_find("items"), json_array_get(items, i), what,
                         &out->items[i], err, sizeof err);
        if (!st)
            out->n_items++;
    }
    json_decref(root);
    if (st) {
        srv_report_free(out);
        memcpy(out->err, err, sizeof err);
        return st;
    }
    return DM_OK;
}

char *srv_json_get_str(const char *body, size_t len, const char *key, int *bad)
{
    *bad = 0;
    if (!body || len == 0)
        return NULL;
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        *bad = 1;
        json_decref(root);
        return NULL;
    }
    json_t *v = json_object_get(root, key);
    char *s = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
    if (v && !json_is_string(v) && !json_is_null(v))
        *bad = 2; /* there, but a number, an object, ...: not to be taken as missing */
    json_decref(root);
    return s;
}

/* ================================ row edits ================================ */

void srv_patch_free(srv_patch *p)
{
    if (!p)
        return;
    dm_row_free(p->row);
    free(p->reason);
    p->row = NULL;
    p->reason = NULL;
}

/* Properties a feature carries that are the server's, not fields: ignored
 * in an edit, so that a feature read with GET can be sent back changed. */
static int server_property(const char *k)
{
    static const char *own[] = {"uuid", "layer", "created", "updated", "author", NULL};
    for (int i = 0; own[i]; i++)
        if (!strcmp(k, own[i]))
            return 1;
    return 0;
}

/* A row's body split into its parts, as an edit and a new row take it: a
 * GeoJSON Feature ({"type": "Feature", "properties": {...}, "geometry":
 * ..., "reason": "..."}, no other member but "id") or a flat object of
 * fields with optional "geometry" and "reason" members. *fields gets a new
 * object of the fields less the server's own properties (json_decref it);
 * *geom and *reason are borrowed from root (NULL when absent). A refusal
 * returns bad with the reason in err: not_object when the body is not an
 * object, and a member that is not a feature's named as "not a member of
 * KIND". */
static dm_status split_row_body(json_t *root, const char *not_object, const char *kind, dm_status bad,
                                json_t **fields, json_t **geom, json_t **reason, char *err, size_t n)
{
    *fields = *geom = *reason = NULL;
    if (!json_is_object(root)) {
        snprintf(err, n, "%s", not_object);
        return bad;
    }
    json_t *props = json_object_get(root, "properties");
    json_t *type = json_object_get(root, "type");
    json_t *why = json_object_get(root, "reason");
    if (props && !json_is_object(props)) {
        snprintf(err, n, "properties: expected an object of fields");
        return bad;
    }
    if (type && props && (!json_is_string(type) || strcmp(json_string_value(type), "Feature"))) {
        snprintf(err, n, "type: expected \"Feature\"");
        return bad;
    }
    if (why && !json_is_string(why) && !json_is_null(why)) {
        snprintf(err, n, "reason: expected a string");
        return bad;
    }
    /* the fields: the feature's properties, or the object's own members */
    json_t *f = json_copy(props ? props : root);
    if (!f) {
        snprintf(err, n, "out of memory");
        return DM_ENOMEM;
    }
    const char *k;
    json_t *v;
    if (!props) {
        json_object_del(f, "geometry");
        json_object_del(f, "reason");
        json_object_del(f, "type");
    } else {
        json_object_foreach(root, k, v)
        {
            if (strcmp(k, "properties") && strcmp(k, "geometry") && strcmp(k, "reason") && strcmp(k, "type") &&
                strcmp(k, "id")) {
                snprintf(err, n, "%.60s: not a member of %s (fields go in \"properties\")", k, kind);
                json_decref(f);
                return bad;
            }
        }
    }
    void *tmp;
    json_object_foreach_safe(f, tmp, k, v)
    {
        if (server_property(k))
            json_object_del(f, k);
    }
    *fields = f;
    *geom = json_object_get(root, "geometry");
    *reason = why;
    return DM_OK;
}

dm_status srv_patch_parse(dm_ctx *ctx, const dm_layer_def *l, const char *body, size_t len,
                          srv_patch *out)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(out->err, sizeof out->err, "body is not valid JSON: %s (line %d, column %d)",
                 je.text, je.line, je.column);
        return DM_EPARSE;
    }
    json_t *fields = NULL, *reason = NULL, *geom = NULL;
    dm_status st = split_row_body(root, "body: expected a JSON object of fields", "an edit", DM_EPARSE, &fields,
                                  &geom, &reason, out->err, sizeof out->err);
    if (!st) {
        if (!strcmp(l->name, "activities") && json_object_get(fields, "status")) {
            /* a report is approved or rejected by review, which logs the
             * decision and refreshes the risk map */
            snprintf(out->err, sizeof out->err,
                     "field 'status': a report's status changes by review (POST "
                     "/api/reports/{id}/approve or /reject)");
            st = DM_EPARSE;
        } else if (json_object_size(fields) == 0 && !geom) {
            snprintf(out->err, sizeof out->err, "body: no field nor geometry to change");
            st = DM_EPARSE;
        }
    }
    if (!st) {
        out->row = dm_row_new(ctx, l);
        if (!out->row) {
            snprintf(out->err, sizeof out->err, "out of memory");
            st = DM_ENOMEM;
        }
    }
    if (!st) {
        st = set_props(ctx, out->row, fields, "properties", out->err, sizeof out->err);
        if (st && !out->err[0])
            snprintf(out->err, sizeof out->err, "%s", dm_ctx_errmsg(ctx));
    }
    if (!st && geom) {
        dm_ctx_clear_error(ctx);
        if (json_is_null(geom))
            dm_row_set_geom(out->row, NULL); /* removed (refused where the layer needs one) */
        else if ((st = set_geometry(ctx, out->row, geom)))
            snprintf(out->err, sizeof out->err, "geometry: %s",
                     dm_ctx_errmsg(ctx)[0]
                         ? dm_ctx_errmsg(ctx)
                         : "not a valid GeoJSON geometry (type and nested coordinates)");
    }
    if (!st && json_is_string(reason)) {
        out->reason = strdup(json_string_value(reason));
        if (!out->reason) {
            snprintf(out->err, sizeof out->err, "out of memory");
            st = DM_ENOMEM;
        }
    }
    json_decref(fields);
    json_decref(root);
    if (st) {
        srv_patch_free(out);
        return st == DM_ENOTFOUND ? DM_EPARSE : st;
    }
    return DM_OK;
}

/* ================================ new rows ================================ */

void srv_create_free(srv_create *c)
{
    if (!c)
        return;
    dm_row_free(c->row);
    free(c->reason);
    c->row = NULL;
    c->reason = NULL;
}

/* A new row of layer l from its JSON (root, borrowed), as srv_create_parse
 * takes it; not_object and kind name the body in a refusal (split_row_body). */
static dm_status create_from_json(dm_ctx *ctx, const dm_layer_def *l, json_t *root, const char *not_object,
                                  const char *kind, srv_create *out)
{
    memset(out, 0, sizeof *out);
    out->area_ha = NAN;
    json_t *fields = NULL, *reason = NULL, *geom = NULL;
    dm_status st = split_row_body(root, not_object, kind, DM_EGEOM, &fields, &geom, &reason, out->err, sizeof out->err);
    if (!st) {
        out->row = dm_row_new(ctx, l);
        if (!out->row) {
            snprintf(out->err, sizeof out->err, "out of memory");
            st = DM_ENOMEM;
        }
    }
    if (!st) {
        st = set_props(ctx, out->row, fields, "properties", out->err, sizeof out->err);
        if (st && !out->err[0])
            snprintf(out->err, sizeof out->err, "%s", dm_ctx_errmsg(ctx));
        if (st && st != DM_ENOMEM)
            st = DM_EGEOM;
    }
    if (!st && geom && !json_is_null(geom)) {
        dm_ctx_clear_error(ctx);
        if ((st = set_geometry(ctx, out->row, geom))) {
            snprintf(out->err, sizeof out->err, "geometry: %s",
                     dm_ctx_errmsg(ctx)[0] ? dm_ctx_errmsg(ctx)
                                           : "not a valid GeoJSON geometry (type and nested coordinates)");
            if (st != DM_ENOMEM)
                st = DM_EGEOM;
        }
    }
    if (!st && geom && json_is_object(geom)) {
        /* the polygon's area, from which a hazard's areas follow */
        char *text = json_dumps(geom, JSON_COMPACT);
        dm_geom *g = NULL;
        double ha = 0;
        if (text && !dm_geom_from_geojson(ctx, text, &g) && g &&
            (dm_geom_type_of(g) == DM_GEOM_POLYGON || dm_geom_type_of(g) == DM_GEOM_MULTIPOLYGON) &&
            !dm_geom_area_ha(ctx, g, &ha))
            out->area_ha = ha;
        dm_geom_free(g);
        free(text);
        dm_ctx_clear_error(ctx);
    }
    if (!st && json_is_string(reason)) {
        out->reason = strdup(json_string_value(reason));
        if (!out->reason) {
            snprintf(out->err, sizeof out->err, "out of memory");
            st = DM_ENOMEM;
        }
    }
    json_decref(fields);
    if (st) {
        srv_create_free(out);
        return st;
    }
    return DM_OK;
}

dm_status srv_create_parse(dm_ctx *ctx, const dm_layer_def *l, const char *body, size_t len,
                           srv_create *out)
{
    memset(out, 0, sizeof *out);
    out->area_ha = NAN;
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(out->err, sizeof out->err, "body is not valid JSON: %s (line %d, column %d)",
                 je.text, je.line, je.column);
        return DM_EPARSE;
    }
    dm_status st = create_from_json(ctx, l, root, "body: expected a GeoJSON Feature or a JSON object of fields",
                                    "a new row", out);
    json_decref(root);
    return st;
}
