/* SPDX-License-Identifier: MIT
 *
 * srv_api.c -- the routes of the HTTP service and the read handlers: login
 * and sessions, layers as GeoJSON (bbox, field filters, paging, per-zoom
 * simplification), rows with their history (edits: srv_edit.c), statistics, risk at a point
 * and along a line, the plan, risk tiles, the public danger map, and the
 * embedded web pages. Who may see what is decided here (see
 * docs/http-api.md, "Roles").
 */
#include "srv.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ================================ roles ================================ */

int srv_layer_readable(dm_role role, const dm_layer_def *l)
{
    if (role == DM_ROLE_ADMIN)
        return 1;
    if (l->flags & DM_LAYER_TRUTH)
        return 0; /* demo truth is for evaluation, not for the map */
    if (role == DM_ROLE_ANALYST)
        return 1;
    if (role == DM_ROLE_FIELD)
        return !(l->flags & DM_LAYER_SENSITIVE) || !strcmp(l->name, "items") ||
               !strcmp(l->name, "accidents");
    return 0;
}

int srv_field_visible(dm_role role, const dm_field_def *f)
{
    return !(f->flags & DM_FIELD_PERSONAL) || role >= DM_ROLE_ANALYST;
}

/* 0 when logged in; otherwise a 401 is in rs. */
int srv_need_login(srv_req *rq, srv_resp *rs)
{
    if (rq->authed == 1)
        return 0;
    if (rq->authed == -2) {
        srv_fail_msg(rs, rq, rq->auth_st, rq->auth_err);
        return 1;
    }
    srv_error(rs, 401, rq->authed == -1 ? "invalid or expired session token; log in again"
                                        : "login required");
    return 1;
}

int srv_need_role(srv_req *rq, srv_resp *rs, dm_role min)
{
    if (srv_need_login(rq, rs))
        return 1;
    if (rq->user.role >= min)
        return 0;
    srv_error(rs, 403, "the %s role may not do this (needs %s)", dm_role_name(rq->user.role),
              dm_role_name(min));
    return 1;
}

int srv_method_is(srv_req *rq, srv_resp *rs, const char *m)
{
    if (!strcmp(rq->method, m))
        return 1;
    /* HEAD is answered as GET; the server sends the headers only */
    if (!strcmp(m, "GET") && !strcmp(rq->method, "HEAD"))
        return 1;
    srv_error(rs, 405, "method %s not allowed here (use %s)", rq->method, m);
    rs->allow = !strcmp(m, "GET") ? "GET, HEAD" : m;
    return 0;
}

/* ================================ sessions ================================ */

/* What is wrong with a login body that is no JSON object: not UTF-8 (the
 * byte, counted from 1), a key given twice (its name), or invalid JSON (the
 * byte where the parser stopped, and what it expected). Nothing of the
 * values is repeated: one may be a password. */
static void login_body_why(const char *body, size_t len, char *why, size_t n)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root) {
        snprintf(why, n, "the body is not a JSON object");
        json_decref(root);
        return;
    }
    /* the parser's words, without its "near 'TOKEN'" (the token may be
     * part of a value) */
    char what[JSON_ERROR_TEXT_LENGTH];
    snprintf(what, sizeof what, "%s", je.text);
    char *near = strstr(what, " near ");
    if (near)
        *near = '\0';
    if (json_error_code(&je) == json_error_invalid_utf8)
        snprintf(why, n, "the body is not UTF-8 (byte %d)", je.position + 1);
    else if (json_error_code(&je) == json_error_duplicate_key) {
        /* the key as written, from the parser's "near '\"KEY\"'" */
        const char *q = strstr(je.text, " near '\"");
        char key[48] = "";
        if (q) {
            q += 8;
            size_t k = strlen(q);
            if (k >= 2 && q[k - 1] == '\'' && q[k - 2] == '"')
                k -= 2;
            if (k < sizeof key)
                snprintf(key, sizeof key, "%.*s", (int)k, q);
            else
                snprintf(key, sizeof key, "%.40s...", q);
        }
        snprintf(why, n, "the body repeats a key ('%s')", key);
    } else
        snprintf(why, n, "the body is not valid JSON at byte %d (%.100s)", je.position, what);
}

/* Password checks at once. Each login hashes or verifies a password with
 * Argon2id at libsodium's interactive limits: 64 MiB and some 0.1-0.5 s of
 * one core. Unbounded, 13 logins at once took the server to 410 MB (one
 * per worker thread: up to 64). At most srv_login_limits' `running` check
 * at once; a few more logins wait for one to end (at most
 * SRV_LOGIN_WAIT_S), and a login beyond those is 503 with Retry-After at
 * once, its worker thread free for other requests. */
static pthread_mutex_t login_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t login_cond;
static pthread_once_t login_once = PTHREAD_ONCE_INIT;
static int login_running, login_waiting;

static void login_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&login_cond, &a);
    pthread_condattr_destroy(&a);
}

void srv_login_limits(int threads, int *running, int *waiting)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int r = cpus < 1 ? 1 : cpus > SRV_LOGIN_MAX_RUNNING ? SRV_LOGIN_MAX_RUNNING : (int)cpus;
    if (threads > 0 && r > threads)
        r = threads;
    /* waiting logins hold their worker threads: half of them stay free */
    int w = threads / 2 - r;
    if (w > 2 * r)
        w = 2 * r;
    *running = r;
    *waiting = w > 0 ? w : 0;
}

/* 1 when this login may check its password now (after waiting its turn);
 * 0 when too many are checked or waiting: answer 503. */
static int login_enter(const srv_config *cfg)
{
    pthread_once(&login_once, login_init);
    int run, wait;
    srv_login_limits(cfg->threads, &run, &wait);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += SRV_LOGIN_WAIT_S;
    pthread_mutex_lock(&login_lock);
    if (login_running >= run && login_waiting >= wait) {
        pthread_mutex_unlock(&login_lock);
        return 0;
    }
    login_waiting++;
    int rc = 0;
    while (login_running >= run && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&login_cond, &login_lock, &until);
    login_waiting--;
    int ok = login_running < run;
    if (ok)
        login_running++;
    pthread_mutex_unlock(&login_lock);
    return ok;
}

static void login_leave(void)
{
    pthread_mutex_lock(&login_lock);
    login_running--;
    pthread_cond_signal(&login_cond);
    pthread_mutex_unlock(&login_lock);
}

static int h_login(srv_req *rq, srv_resp *rs)
{
    int bad = 0, bad2 = 0;
    char *user = srv_json_get_str(rq->body, rq->body_len, "user", &bad);
    char *pw = srv_json_get_str(rq->body, rq->body_len, "password", &bad2);
    if (bad || bad2 || !user || !pw) {
        /* name the field at fault: the body, a missing one, or one of the wrong type */
        char body_why[160] = "";
        if (rq->body_len && (bad == 1 || bad2 == 1))
            login_body_why(rq->body, rq->body_len, body_why, sizeof body_why);
        const char *why = !rq->body_len           ? "the body is empty"
                          : bad == 1 || bad2 == 1 ? body_why
                          : bad == 2            ? "user: expected a string"
                          : bad2 == 2           ? "password: expected a string"
                          : !user               ? "user: missing"
                                                : "password: missing";
        free(user);
        free(pw);
        return srv_error(rs, 400, "%s; expected {\"user\": \"NAME\", \"password\": \"...\"}",
                         why);
    }
    char token[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    if (!login_enter(rq->cfg)) {
        free(user);
        free(pw);
        rs->retry_after = SRV_LOGIN_RETRY_S;
        return srv_error(rs, 503,
                         "the server is checking the passwords of other logins; try again in a "
                         "few seconds (nothing was checked)");
    }
    dm_status st = dm_auth_login(rq->t->store, user, pw, rq->client, rq->cfg->session_ttl_s,
                                 token, &who, &retry);
    login_leave();
    free(user);
    free(pw);
    if (st == DM_EFORBIDDEN) {
        if (retry > 0) {
            rs->retry_after = retry;
            return srv_error(rs, 429, "%s", dm_ctx_errmsg(rq->t->ctx));
        }
        return srv_error(rs, 401, "wrong user name or password");
    }
    if (st)
        return srv_fail(rs, rq, st);
    /* the login may have ended the user's oldest session (at most
     * DM_AUTH_MAX_SESSIONS): no worker thread trusts it from its cache */
    srv_bump_auth_generation();
    /* Secure when the client came over HTTPS (through the trusted proxy):
     * the browser then never sends the session over plain HTTP; named
     * __Host-dm_token then, which no other subdomain can plant */
    snprintf(rs->set_cookie, sizeof rs->set_cookie,
             "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", SRV_COOKIE_NAME(rq), token,
             rq->cfg->session_ttl_s, rq->https ? "; Secure" : "");
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"token\":\"%s\",\"user\":", token);
    sb_json_str(&b, who.name);
    sb_printf(&b, ",\"role\":\"%s\",\"organisation\":", dm_role_name(who.role));
    sb_json_str(&b, who.organisation[0] ? who.organisation : NULL);
    sb_printf(&b, ",\"expires\":\"%s\"}", who.expires);
    return srv_jbuf(rs, 200, &b);
}

static int h_logout(srv_req *rq, srv_resp *rs)
{
    if (srv_need_login(rq, rs))
        return 0;
    dm_status st = dm_auth_logout(rq->t->store, rq->token);
    if (st)
        return srv_fail(rs, rq, st);
    srv_bump_auth_generation();
    snprintf(rs->set_cookie, sizeof rs->set_cookie,
             "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", SRV_COOKIE_NAME(rq),
             rq->https ? "; Secure" : "");
    return srv_json(rs, 200, strdup("{\"ok\":true}"));
}

static int h_me(srv_req *rq, srv_resp *rs)
{
    if (srv_need_login(rq, rs))
        return 0;
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"user\":");
    sb_json_str(&b, rq->user.name);
    sb_printf(&b, ",\"role\":\"%s\",\"organisation\":", dm_role_name(rq->user.role));
    sb_json_str(&b, rq->user.organisation[0] ? rq->user.organisation : NULL);
    sb_printf(&b, ",\"expires\":\"%s\"}", rq->user.expires);
    return srv_jbuf(rs, 200, &b);
}

static int h_users(srv_req *rq, srv_resp *rs)
{
    if (srv_need_role(rq, rs, DM_ROLE_ADMIN))
        return 0;
    char *json = NULL;
    dm_status st = dm_auth_user_list_json(rq->t->store, &json);
    if (st)
        return srv_fail(rs, rq, st);
    char *copy = strdup(json);
    dm_free(rq->t->ctx, json);
    return srv_json(rs, 200, copy);
}

/* ================================ layers ================================ */

static const char *field_type_name(dm_field_type t)
{
    static const char *n[] = {"text", "int", "real", "date", "enum", "enumset", "ref", "bool"};
    return (unsigned)t < 8 ? n[t] : "text";
}

/* uuids of activities whose reports the user may not see (drafts and
 * rejections of other organisations; for analysts, drafts unless asked).
 * DM_ROLE_PUBLIC hides every report under review. */
typedef struct uuid_set {
    char (*v)[37];
    size_t n, cap;
} uuid_set;

static dm_status hidden_activities(srv_req *rq, int include_drafts, uuid_set *out);
static const char *report_key(const dm_layer_def *l);
static dm_status visible_bounds(srv_req *rq, const dm_layer_def *l, const uuid_set *hidden,
                                double bb[4], int *found);

static int h_layers(srv_req *rq, srv_resp *rs)
{
    if (srv_need_login(rq, rs))
        return 0;
    /* the reports a field user may not see (other organisations' drafts and
     * rejections), made when a layer of theirs needs them */
    uuid_set hidden = {0};
    int hidden_made = rq->user.role >= DM_ROLE_ANALYST;
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "[");
    int n = 0;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (!srv_layer_readable(rq->user.role, l))
            continue;
        sb_puts(&b, n++ ? ",{\"name\":" : "{\"name\":");
        sb_json_str(&b, l->name);
        sb_puts(&b, ",\"title\":");
        sb_json_str(&b, l->title);
        sb_puts(&b, ",\"geometry\":");
        sb_json_str(&b, l->geom_type);
        /* writable: rows may be added and deleted here (POST, DELETE), as
         * srv_layer_writable decides for the caller's role */
        char why_not[200];
        sb_printf(&b, ",\"sensitive\":%s,\"writable\":%s,\"fields\":[",
                  (l->flags & DM_LAYER_SENSITIVE) ? "true" : "false",
                  srv_layer_writable(rq->user.role, l, why_not, sizeof why_not) ? "true" : "false");
        int nf = 0;
        for (size_t k = 0; k < l->n_fields; k++) {
            const dm_field_def *f = &l->fields[k];
            if (!srv_field_visible(rq->user.role, f))
                continue;
            sb_puts(&b, nf++ ? ",{\"name\":" : "{\"name\":");
            sb_json_str(&b, f->name);
            sb_printf(&b, ",\"type\":\"%s\",\"required\":%s,\"computed\":%s", field_type_name(f->type),
                      (f->flags & DM_FIELD_REQUIRED) ? "true" : "false",
                      (f->flags & DM_FIELD_COMPUTED) ? "true" : "false");
            if (f->values) {
                sb_puts(&b, ",\"values\":");
                sb_json_str(&b, f->values);
            }
            sb_puts(&b, ",\"desc\":");
            sb_json_str(&b, f->desc);
            sb_puts(&b, "}");
        }
        sb_puts(&b, "]");
        /* where its data lies: the map opens on it (a database of another
         * country opened on the demo's place and showed nothing). Of the
         * rows the user may see: a field user's bounds of the reports'
         * layers (activities, and the rows that name one: items, release
         * areas) leave out other organisations' reports under review (their
         * rows are hidden from it, and so is where they lie) */
        double bb[4];
        int has_bb = 0;
        dm_status st = DM_OK;
        int some_hidden = 0;
        if (l->geom_type && report_key(l)) {
            if (!hidden_made && (st = hidden_activities(rq, 0, &hidden)) != DM_OK) {
                free(hidden.v);
                memset(&hidden, 0, sizeof hidden);
            } else
                hidden_made = 1;
            some_hidden = st || hidden.n > 0;
        }
        if (!st && some_hidden)
            st = visible_bounds(rq, l, &hidden, bb, &has_bb);
        else if (!st && l->geom_type)
            st = dm_store_layer_bounds(rq->t->store, l->name, bb, &has_bb);
        if (st) { /* not known (never those of rows hidden from the user) */
            has_bb = 0;
            dm_ctx_clear_error(rq->t->ctx);
        }
        if (l->geom_type && has_bb)
            sb_printf(&b, ",\"bbox\":[%.6f,%.6f,%.6f,%.6f]", bb[0], bb[1], bb[2], bb[3]);
        else if (l->geom_type)
            sb_puts(&b, ",\"bbox\":null");
        sb_puts(&b, "}");
    }
    free(hidden.v);
    sb_puts(&b, "]");
    rs->cache = "private, max-age=60";
    return srv_jbuf(rs, 200, &b);
}

/* One row as a GeoJSON feature. tol > 0 simplifies lines and polygons. */
dm_status srv_emit_feature(srv_req *rq, srv_buf *b, dm_cursor *c, const dm_layer_def *l,
                              double tol, int with_geom)
{
    dm_ctx *ctx = rq->t->ctx;
    sb_puts(b, "{\"type\":\"Feature\",\"id\":");
    sb_json_str(b, dm_cursor_uuid(c));
    sb_puts(b, ",\"properties\":{\"uuid\":");
    sb_json_str(b, dm_cursor_uuid(c));
    sb_puts(b, ",\"layer\":");
    sb_json_str(b, l->name);
    for (size_t i = 0; i < l->n_fields; i++) {
        const dm_field_def *f = &l->fields[i];
        if (!srv_field_visible(rq->user.role, f))
            continue;
        const char *v = dm_cursor_text(c, f->name);
        sb_printf(b, ",\"%s\":", f->name);
        if (!v)
            sb_puts(b, "null");
        else if (f->type == DM_FT_INT || f->type == DM_FT_REAL)
            sb_json_num(b, dm_cursor_real(c, f->name, NAN));
        else if (f->type == DM_FT_BOOL)
            sb_puts(b, strcmp(v, "0") ? "true" : "false");
        else
            sb_json_str(b, v);
    }
    static const char *meta[] = {"created", "updated", "author"};
    for (int i = 0; i < 3; i++) {
        sb_printf(b, ",\"%s\":", meta[i]);
        sb_json_str(b, dm_cursor_text(c, meta[i]));
    }
    sb_puts(b, "},\"geometry\":");
    dm_geom *g = NULL;
    dm_status st = with_geom ? dm_cursor_geom(c, &g) : DM_OK;
    if (st)
        return st;
    if (!g) {
        sb_puts(b, "null}");
        return DM_OK;
    }
    if (tol > 0 && dm_geom_type_of(g) != DM_GEOM_POINT && dm_geom_type_of(g) != DM_GEOM_MULTIPOINT) {
        dm_geom *s = NULL;
        if (dm_geom_simplify(ctx, g, tol, &s) == DM_OK && s && !dm_geom_is_empty(s)) {
            dm_geom_free(g);
            g = s;
        } else
            dm_geom_free(s);
        dm_ctx_clear_error(ctx);
    }
    char *gj = NULL;
    st = dm_geom_to_geojson(ctx, g, &gj);
    dm_geom_free(g);
    if (st)
        return st;
    sb_puts(b, gj);
    sb_puts(b, "}");
    dm_free(ctx, gj);
    return DM_OK;
}

typedef struct list_args {
    const dm_layer_def *l;
    dm_role role;
    const char *eqf[8], *eqv[8];
    size_t n;
    char bad[200];
} list_args;

static const char *reserved[] = {"bbox", "limit", "offset", "until", "order", "zoom",
                                 "drafts", "geometry", NULL};

static int collect_eq(void *u, const char *k, const char *v)
{
    list_args *a = u;
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(k, reserved[i]))
            return 0;
    const dm_field_def *f = dm_field_find(a->l, k);
    if (strcmp(k, "uuid") && (!f || !srv_field_visible(a->role, f))) {
        snprintf(a->bad, sizeof a->bad, "layer %s has no field '%.60s' to filter by", a->l->name,
                 k);
        return 1;
    }
    if (a->n >= 8) {
        snprintf(a->bad, sizeof a->bad, "at most 8 field filters");
        return 1;
    }
    a->eqf[a->n] = f ? f->name : "uuid";
    a->eqv[a->n] = v;
    a->n++;
    return 0;
}

static int set_has(const uuid_set *s, const char *u)
{
    for (size_t i = 0; u && i < s->n; i++)
        if (!strcmp(s->v[i], u))
            return 1;
    return 0;
}

static dm_status hidden_activities_for(srv_req *rq, dm_role role, int include_drafts,
                                       uuid_set *out)
{
    memset(out, 0, sizeof *out);
    static const char *states[] = {"draft", "rejected"};
    for (int k = 0; k < 2; k++) {
        const char *f[1] = {"status"}, *v[1] = {states[k]};
        dm_select sel = {0};
        sel.eq_field = f;
        sel.eq_value = v;
        sel.n_eq = 1;
        dm_cursor *c = NULL;
        dm_status st = dm_store_select(rq->t->store, "activities", &sel, &c);
        if (st)
            return st;
        while (dm_cursor_next(c) == 1) {
            const char *org = dm_cursor_text(c, "organisation");
            int visible = role >= DM_ROLE_ANALYST ? include_drafts
                          : role == DM_ROLE_PUBLIC
                              ? 0
                              : (org && rq->user.organisation[0] &&
                                 !strcmp(org, rq->user.organisation));
            if (visible)
                continue;
            if (out->n == out->cap) {
                size_t nc = out->cap ? out->cap * 2 : 32;
                void *nv = realloc(out->v, nc * sizeof *out->v);
                if (!nv)
                    break;
                out->v = nv;
                out->cap = nc;
            }
            snprintf(out->v[out->n++], 37, "%s", dm_cursor_uuid(c));
        }
        dm_cursor_free(c);
    }
    return DM_OK;
}

static dm_status hidden_activities(srv_req *rq, int include_drafts, uuid_set *out)
{
    return hidden_activities_for(rq, rq->user.role, include_drafts, out);
}

/* The field of layer l that names the report a row is of: "uuid" for
 * activities (a report is an activity), the reference to the activities
 * for the rows a report holds or that name one (items, release areas,
 * activity-hazard links); NULL for a layer of no report. Who may see a
 * report decides who sees these rows (hidden_activities). */
static const char *report_key(const dm_layer_def *l)
{
    if (!strcmp(l->name, "activities"))
        return "uuid";
    for (size_t i = 0; i < l->n_fields; i++)
        if (l->fields[i].type == DM_FT_REF && l->fields[i].ref_layer &&
            !strcmp(l->fields[i].ref_layer, "activities"))
            return l->fields[i].name;
    return NULL;
}

/* The report (activity uuid) the row at c is of, by report_key's field. */
static const char *report_of(dm_cursor *c, const char *key)
{
    return !strcmp(key, "uuid") ? dm_cursor_uuid(c) : dm_cursor_text(c, key);
}

/* The bounds (west, south, east, north) of the rows of layer l (one with a
 * report_key) but those of the hidden activities: read row by row, from
 * each geometry's envelope, where the spatial index would count them all. */
static dm_status visible_bounds(srv_req *rq, const dm_layer_def *l, const uuid_set *hidden,
                                double bb[4], int *found)
{
    *found = 0;
    const char *key = report_key(l);
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(rq->t->store, l->name, NULL, &c);
    if (st)
        return st;
    int rc;
    while ((rc = dm_cursor_next(c)) == 1) {
        if (set_has(hidden, report_of(c, key)))
            continue;
        size_t len = 0;
        const void *blob = dm_cursor_geom_bytes(c, &len);
        double env[4], e[4];
        if (!blob)
            continue;
        if (dm_gpkg_envelope(blob, len, env)) { /* minx, maxx, miny, maxy */
            e[0] = env[0], e[1] = env[2], e[2] = env[1], e[3] = env[3];
        } else {
            /* a blob without an envelope (a point, as other programs write
             * them), or an empty geometry */
            dm_geom *g = NULL;
            int ok = dm_cursor_geom(c, &g) == DM_OK && g && dm_geom_bounds(g, e);
            dm_geom_free(g);
            dm_ctx_clear_error(rq->t->ctx);
            if (!ok)
                continue;
        }
        if (!*found) {
            memcpy(bb, e, sizeof e);
            *found = 1;
        } else {
            bb[0] = fmin(bb[0], e[0]), bb[1] = fmin(bb[1], e[1]);
            bb[2] = fmax(bb[2], e[2]), bb[3] = fmax(bb[3], e[3]);
        }
    }
    if (rc < 0)
        st = dm_ctx_errcode(rq->t->ctx) ? dm_ctx_errcode(rq->t->ctx) : DM_ESQL;
    dm_cursor_free(c);
    return st;
}

static int h_list(srv_req *rq, srv_resp *rs, const dm_layer_def *l)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    if (!srv_layer_readable(rq->user.role, l))
        return srv_error(rs, 403, "the %s role may not read layer %s",
                         dm_role_name(rq->user.role), l->name);
    list_args a;
    memset(&a, 0, sizeof a);
    a.l = l;
    a.role = rq->user.role;
    srv_args(rq, collect_eq, &a);
    if (a.bad[0])
        return srv_error(rs, 400, "%s", a.bad);
    dm_select sel = {0};
    double bbox[4];
    const char *s;
    if ((s = srv_arg(rq, "bbox"))) {
        if (!srv_parse_bbox(s, bbox))
            return srv_error(rs, 400, "bbox: expected minlon,minlat,maxlon,maxlat in degrees");
        if (!l->geom_type)
            return srv_error(rs, 400, "layer %s has no geometry to filter by bbox", l->name);
        sel.bbox = bbox;
    }
    long limit = 1000, offset = 0, zoom = -1;
    if ((s = srv_arg(rq, "limit")) && !srv_parse_long(s, 1, 10000, &limit))
        return srv_error(rs, 400, "limit: a whole number 1-10000");
    if ((s = srv_arg(rq, "offset")) && !srv_parse_long(s, 0, 1000000000L, &offset))
        return srv_error(rs, 400, "offset: a whole number 0-1000000000");
    if ((s = srv_arg(rq, "zoom")) && !srv_parse_long(s, 0, 24, &zoom))
        return srv_error(rs, 400, "zoom: a whole number 0-24");
    char until[11];
    if ((s = srv_arg(rq, "until"))) {
        if (!dm_date_parse_end(s, until)) /* "2012": through the end of 2012 */
            return srv_error(rs, 400, "until: not a date (YYYY-MM-DD)");
        sel.until = until;
    }
    if ((s = srv_arg(rq, "order"))) {
        const dm_field_def *f = dm_field_find(l, s);
        if ((!f || !srv_field_visible(rq->user.role, f)) && strcmp(s, "created") &&
            strcmp(s, "updated"))
            return srv_error(rs, 400, "order: layer %s has no field '%.60s'", l->name, s);
        sel.order_by = f ? f->name : s;
    }
    int with_geom = 1;
    if ((s = srv_arg(rq, "geometry"))) {
        if (strcmp(s, "0") && strcmp(s, "1"))
            return srv_error(rs, 400, "geometry: 0 (leave geometries out) or 1 (got '%.40s')", s);
        with_geom = !strcmp(s, "1");
    }
    if ((s = srv_arg(rq, "drafts")) && strcmp(s, "0") && strcmp(s, "1"))
        return srv_error(rs, 400, "drafts: 0 or 1 (got '%.40s')", s);
    sel.eq_field = a.eqf;
    sel.eq_value = a.eqv;
    sel.n_eq = a.n;
    /* Post-filters: reports under review are hidden from those who may not
     * see them, and so are the rows that name them (the items found by
     * them, the land they released, the hazards they worked on). Reviewers
     * see every report and the rows naming them, but the items of reports
     * under review, which they ask for (drafts=1). */
    const char *key = report_key(l);
    int is_items = !strcmp(l->name, "items");
    uuid_set hidden = {0};
    int post = 0;
    if (key) {
        const char *d = srv_arg(rq, "drafts");
        int include = rq->user.role >= DM_ROLE_ANALYST && (!is_items || (d && !strcmp(d, "1")));
        dm_status st = hidden_activities(rq, include, &hidden);
        if (st) {
            free(hidden.v);
            return srv_fail(rs, rq, st);
        }
        post = hidden.n > 0;
    }
    long total = -1;
    if (!post) {
        sel.limit = limit;
        sel.offset = offset;
        dm_select cs = sel;
        cs.limit = cs.offset = 0;
        if (dm_store_count(rq->t->store, l->name, &cs, &total))
            total = -1;
    }
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(rq->t->store, l->name, &sel, &c);
    if (st) {
        free(hidden.v);
        return srv_fail(rs, rq, st);
    }
    double tol = zoom >= 0 ? 360.0 / (256.0 * pow(2, (double)zoom)) * 0.5 : 0;
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"type\":\"FeatureCollection\",\"layer\":");
    sb_json_str(&b, l->name);
    sb_puts(&b, ",\"features\":[");
    long seen = 0, n = 0;
    int rc, more = 0;
    while ((rc = dm_cursor_next(c)) == 1) {
        if (post) {
            if (set_has(&hidden, report_of(c, key)))
                continue;
            if (seen++ < offset)
                continue;
            if (n >= limit) {
                more = 1;
                break;
            }
        }
        if (n)
            sb_puts(&b, ",");
        if ((st = srv_emit_feature(rq, &b, c, l, tol, with_geom)))
            break;
        n++;
    }
    if (!st && rc < 0)
        st = dm_ctx_errcode(rq->t->ctx) ? dm_ctx_errcode(rq->t->ctx) : DM_ESQL;
    dm_cursor_free(c);
    free(hidden.v);
    if (st) {
        sb_free(&b);
        return srv_fail(rs, rq, st);
    }
    if (!post)
        more = total >= 0 && offset + n < total;
    sb_printf(&b, "],\"count\":%ld,\"offset\":%ld,\"limit\":%ld", n, offset, limit);
    if (total >= 0)
        sb_printf(&b, ",\"total\":%ld", total);
    if (more)
        sb_printf(&b, ",\"next_offset\":%ld", offset + n);
    sb_puts(&b, "}");
    return srv_jbuf(rs, 200, &b);
}

/* May the user see this activity (a report under review)? */
static int activity_visible(srv_req *rq, dm_cursor *c)
{
    const char *status = dm_cursor_text(c, "status");
    if (!status || !strcmp(status, "approved") || rq->user.role >= DM_ROLE_ANALYST)
        return 1;
    const char *org = dm_cursor_text(c, "organisation");
    return org && rq->user.organisation[0] && !strcmp(org, rq->user.organisation);
}

/* May the user see this row that names a report (an item, a release area,
 * an activity-hazard link: key is its field naming the activity): not one
 * of a report under review that the user may not see (the same rule as the
 * layer's list, where analysts see drafts' items when they ask). */
static int report_row_visible(srv_req *rq, dm_cursor *c, const char *key)
{
    const char *act = dm_cursor_text(c, key);
    if (!act || !*act || rq->user.role >= DM_ROLE_ANALYST)
        return 1;
    const char *f[1] = {"uuid"}, *v[1] = {act};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *a = NULL;
    if (dm_store_select(rq->t->store, "activities", &sel, &a))
        return 0; /* when in doubt, hidden */
    int visible = dm_cursor_next(a) == 1 ? activity_visible(rq, a) : 1;
    dm_cursor_free(a);
    return visible;
}

/* The change log of a row deleted from layer l, by its whole uuid: what it
 * was, who deleted it and why. For reviewers only (analyst, admin), who read
 * every organisation's rows; 404 when the log holds no such row of l. */
static int deleted_history(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id)
{
    dm_ctx_clear_error(rq->t->ctx);
    char uuid[37];
    int good = strlen(id) == 36;
    for (int i = 0; good && i < 36; i++) {
        char ch = (char)tolower((unsigned char)id[i]);
        good = (i == 8 || i == 13 || i == 18 || i == 23) ? ch == '-' : isxdigit((unsigned char)ch) != 0;
        uuid[i] = ch;
    }
    uuid[36] = '\0';
    if (!good)
        return srv_error(rs, 404, "no %s '%s' (the history of a deleted row is asked by its whole uuid)", l->name,
                         id);
    char *h = NULL;
    dm_status st = dm_store_history_json(rq->t->store, uuid, &h);
    if (st)
        return srv_fail(rs, rq, st);
    json_error_t err;
    json_t *arr = json_loads(h, 0, &err), *last = json_array_get(arr, json_array_size(arr) - 1);
    const char *op = json_string_value(json_object_get(last, "op"));
    const char *layer = json_string_value(json_object_get(last, "layer"));
    int ok = op && !strcmp(op, "delete") && layer && !strcmp(layer, l->name);
    json_decref(arr);
    if (!ok) {
        dm_free(rq->t->ctx, h);
        return srv_error(rs, 404, "no %s '%s'", l->name, id);
    }
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, h);
    dm_free(rq->t->ctx, h);
    return srv_jbuf(rs, 200, &b);
}

static int h_row(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id, int history)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    if (!srv_layer_readable(rq->user.role, l))
        return srv_error(rs, 403, "the %s role may not read layer %s",
                         dm_role_name(rq->user.role), l->name);
    char uuid[37];
    dm_status st = dm_store_resolve(rq->t->store, l->name, id, NULL, uuid);
    if (st == DM_ENOTFOUND && history && rq->user.role >= DM_ROLE_ANALYST)
        return deleted_history(rq, rs, l, id);
    if (st)
        return srv_fail(rs, rq, st);
    const char *f[1] = {"uuid"}, *v[1] = {uuid};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    dm_cursor *c = NULL;
    if ((st = dm_store_select(rq->t->store, l->name, &sel, &c)))
        return srv_fail(rs, rq, st);
    if (dm_cursor_next(c) != 1) {
        dm_cursor_free(c);
        return srv_error(rs, 404, "no %s '%s'", l->name, id);
    }
    const char *key = report_key(l);
    if (key && (!strcmp(key, "uuid") ? !activity_visible(rq, c) : !report_row_visible(rq, c, key))) {
        dm_cursor_free(c);
        return srv_error_no_row(rs, l->name, id); /* as if there were none */
    }
    srv_buf b;
    sb_init(&b);
    if (history) {
        dm_cursor_free(c);
        char *h = NULL;
        if ((st = dm_store_history_json(rq->t->store, uuid, &h)))
            return srv_fail(rs, rq, st);
        sb_puts(&b, h);
        dm_free(rq->t->ctx, h);
    } else {
        /* what an edit names in If-Match (PATCH, srv_edit.c), and a client
         * holding the row as it is names in If-None-Match: 304, no body */
        st = srv_row_etag(rq, c, rs->etag);
        if (!st && srv_etag_match(srv_header(rq, "If-None-Match"), rs->etag)) {
            dm_cursor_free(c);
            sb_free(&b);
            rs->status = 304;
            return 0;
        }
        if (!st)
            st = srv_emit_feature(rq, &b, c, l, 0, 1);
        dm_cursor_free(c);
        if (st) {
            sb_free(&b);
            rs->etag[0] = '\0';
            return srv_fail(rs, rq, st);
        }
    }
    return srv_jbuf(rs, 200, &b);
}

/* ================================ statistics ================================ */

typedef struct tally {
    char key[48];
    double n, a, b, c;
} tally;

typedef struct tallies {
    tally t[64];
    int n;
} tallies;

static tally *tally_of(tallies *ts, const char *key)
{
    if (!key)
        key = "unknown";
    for (int i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].key, key))
            return &ts->t[i];
    if (ts->n >= 64)
        return &ts->t[63];
    tally *t = &ts->t[ts->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->key, sizeof t->key, "%s", key);
    return t;
}

static void tallies_json(srv_buf *b, const char *name, const tallies *ts, const char *an,
                         const char *bn, const char *cn)
{
    sb_printf(b, "\"%s\":[", name);
    for (int i = 0; i < ts->n; i++) {
        sb_puts(b, i ? ",{\"key\":" : "{\"key\":");
        sb_json_str(b, ts->t[i].key);
        sb_puts(b, ",\"count\":");
        sb_json_num(b, ts->t[i].n);
        if (an) {
            sb_printf(b, ",\"%s\":", an);
            sb_json_num(b, round(ts->t[i].a * 100) / 100);
        }
        if (bn) {
            sb_printf(b, ",\"%s\":", bn);
            sb_json_num(b, round(ts->t[i].b * 100) / 100);
        }
        if (cn) {
            sb_printf(b, ",\"%s\":", cn);
            sb_json_num(b, round(ts->t[i].c * 100) / 100);
        }
        sb_puts(b, "}");
    }
    sb_puts(b, "]");
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const tally *)x)->key, ((const tally *)y)->key);
}

/* Reports by review state as each user may see them: a reviewer counts
 * every report, a field user the approved ones and its organisation's
 * drafts and rejections, never another's (activity_visible's rule). The
 * cached answer keeps, beside its text, these counts and where its
 * "reports_by_status" lies in the text, to be answered per user. */
typedef struct status_count {
    char status[48];
    char org[128];
    int everyone; /* approved (or no status): counted for every user */
    long n;
} status_count;

typedef struct stats_extra {
    status_count *sc;
    size_t n, cap;
    size_t rbs_from, rbs_to; /* "reports_by_status":[...] in the text */
} stats_extra;

static void status_count_add(stats_extra *x, const char *status, const char *org)
{
    int everyone = !status || !strcmp(status, "approved");
    const char *key = status ? status : "approved";
    if (everyone || !org)
        org = "";
    for (size_t i = 0; i < x->n; i++)
        if (x->sc[i].everyone == everyone && !strncmp(x->sc[i].status, key, sizeof x->sc[i].status - 1) &&
            !strncmp(x->sc[i].org, org, sizeof x->sc[i].org - 1)) {
            x->sc[i].n++;
            return;
        }
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 16;
        void *nv = realloc(x->sc, nc * sizeof *x->sc);
        if (!nv)
            return;
        x->sc = nv;
        x->cap = nc;
    }
    status_count *c = &x->sc[x->n++];
    snprintf(c->status, sizeof c->status, "%s", key);
    snprintf(c->org, sizeof c->org, "%s", org);
    c->everyone = everyone;
    c->n = 1;
}

/* The answer of /api/stats for the user: the text as it is for reviewers;
 * for a field user with its own "reports_by_status". malloc'd or NULL. */
static char *stats_answer(srv_req *rq, const char *json, size_t len, const stats_extra *x)
{
    if (rq->user.role >= DM_ROLE_ANALYST || x->rbs_to <= x->rbs_from || x->rbs_to > len) {
        char *copy = malloc(len + 1);
        if (copy)
            memcpy(copy, json, len + 1);
        return copy;
    }
    tallies mine = {0};
    for (size_t i = 0; i < x->n; i++) {
        const status_count *c = &x->sc[i];
        if (c->everyone || (c->org[0] && rq->user.organisation[0] &&
                            !strcmp(c->org, rq->user.organisation)))
            tally_of(&mine, c->status)->n += (double)c->n;
    }
    srv_buf b;
    sb_init(&b);
    sb_add(&b, json, x->rbs_from);
    tallies_json(&b, "reports_by_status", &mine, NULL, NULL, NULL);
    sb_add(&b, json + x->rbs_to, len - x->rbs_to);
    if (b.oom) {
        sb_free(&b);
        return NULL;
    }
    return sb_take(&b);
}

static dm_status compute_stats(srv_req *rq, srv_buf *b, stats_extra *x)
{
    dm_store *s = rq->t->store;
    tallies hz_status = {0}, hz_type = {0}, act_type = {0}, act_status = {0}, rel = {0},
            items = {0}, acc_year = {0}, vic = {0};
    dm_cursor *c = NULL;
    dm_status st = dm_store_select(s, "hazards", NULL, &c);
    if (st)
        return st;
    while (dm_cursor_next(c) == 1) {
        const char *status = dm_cursor_text(c, "status");
        double est = dm_cursor_real(c, "est_area_ha", 0);
        double rem = dm_cursor_real(c, "remaining_area_ha", est);
        tally *t = tally_of(&hz_status, status ? status : "open");
        t->n++, t->a += est, t->b += rem;
        t = tally_of(&hz_type, dm_cursor_text(c, "hazard_type"));
        t->n++, t->a += est, t->b += rem;
    }
    dm_cursor_free(c);
    uuid_set hidden = {0};
    /* the same figures for every role: reports under review do not count */
    if ((st = hidden_activities_for(rq, DM_ROLE_PUBLIC, 0, &hidden)))
        return st;
    if ((st = dm_store_select(s, "activities", NULL, &c))) {
        free(hidden.v);
        return st;
    }
    while (dm_cursor_next(c) == 1) {
        const char *status = dm_cursor_text(c, "status");
        tally *t = tally_of(&act_status, status ? status : "approved");
        t->n++;
        status_count_add(x, status, dm_cursor_text(c, "organisation"));
        if (status && strcmp(status, "approved"))
            continue;
        t = tally_of(&act_type, dm_cursor_text(c, "activity_type"));
        t->n++;
        t->a += dm_cursor_real(c, "area_cancelled_ha", 0);
        t->b += dm_cursor_real(c, "area_reduced_ha", 0);
        t->c += dm_cursor_real(c, "area_cleared_ha", 0);
    }
    dm_cursor_free(c);
    /* rows of reports under review or rejected count nowhere, not even in
     * the counts of their layers */
    long n_hidden_rel = 0, n_hidden_items = 0, n_hidden_links = 0;
    if (!(st = dm_store_select(s, "release_areas", NULL, &c))) {
        while (dm_cursor_next(c) == 1) {
            if (set_has(&hidden, dm_cursor_text(c, "activity_id"))) {
                n_hidden_rel++;
                continue;
            }
            tally *t = tally_of(&rel, dm_cursor_text(c, "outcome"));
            t->n++, t->a += dm_cursor_real(c, "area_ha", 0);
        }
        dm_cursor_free(c);
    }
    if (!st && !(st = dm_store_select(s, "items", NULL, &c))) {
        while (dm_cursor_next(c) == 1) {
            if (set_has(&hidden, dm_cursor_text(c, "activity_id"))) {
                n_hidden_items++;
                continue;
            }
            tally *t = tally_of(&items, dm_cursor_text(c, "category"));
            t->n++, t->a += dm_cursor_real(c, "quantity", 1);
        }
        dm_cursor_free(c);
    }
    if (!st && !(st = dm_store_select(s, "activity_hazards", NULL, &c))) {
        while (dm_cursor_next(c) == 1)
            n_hidden_links += set_has(&hidden, dm_cursor_text(c, "activity_id"));
        dm_cursor_free(c);
    }
    long n_hidden_acts = (long)hidden.n;
    free(hidden.v);
    if (!st && !(st = dm_store_select(s, "accidents", NULL, &c))) {
        while (dm_cursor_next(c) == 1) {
            const char *d = dm_cursor_text(c, "date");
            char y[5] = "?";
            if (d && strlen(d) >= 4)
                memcpy(y, d, 4), y[4] = '\0';
            tally *t = tally_of(&acc_year, y);
            t->n++, t->a += dm_cursor_real(c, "killed", 0), t->b += dm_cursor_real(c, "injured", 0);
        }
        dm_cursor_free(c);
    }
    if (!st && !(st = dm_store_select(s, "victims", NULL, &c))) {
        while (dm_cursor_next(c) == 1) {
            char key[48];
            const char *cat = dm_cursor_text(c, "category"), *out = dm_cursor_text(c, "outcome");
            snprintf(key, sizeof key, "%s/%s", cat ? cat : "unknown", out ? out : "unknown");
            tally_of(&vic, key)->n++;
        }
        dm_cursor_free(c);
    }
    if (st)
        return st;
    qsort(acc_year.t, (size_t)acc_year.n, sizeof(tally), by_key);
    sb_puts(b, "{\"counts\":{");
    int first = 1;
    for (size_t i = 0; i < dm_layer_count(); i++) {
        const dm_layer_def *l = dm_layer_at(i);
        if (l->flags & DM_LAYER_TRUTH)
            continue;
        long n = 0;
        if (dm_store_count(s, l->name, NULL, &n))
            return dm_ctx_errcode(rq->t->ctx);
        n -= !strcmp(l->name, "activities")         ? n_hidden_acts
             : !strcmp(l->name, "items")            ? n_hidden_items
             : !strcmp(l->name, "release_areas")    ? n_hidden_rel
             : !strcmp(l->name, "activity_hazards") ? n_hidden_links
                                                    : 0;
        sb_printf(b, "%s\"%s\":%ld", first ? "" : ",", l->name, n);
        first = 0;
    }
    sb_puts(b, "},");
    tallies_json(b, "hazards_by_status", &hz_status, "est_area_ha", "remaining_area_ha", NULL);
    sb_puts(b, ",");
    tallies_json(b, "hazards_by_type", &hz_type, "est_area_ha", "remaining_area_ha", NULL);
    sb_puts(b, ",");
    tallies_json(b, "activities_by_type", &act_type, "cancelled_ha", "reduced_ha", "cleared_ha");
    sb_puts(b, ",");
    x->rbs_from = b->len;
    tallies_json(b, "reports_by_status", &act_status, NULL, NULL, NULL);
    x->rbs_to = b->len;
    sb_puts(b, ",");
    tallies_json(b, "released_by_outcome", &rel, "area_ha", NULL, NULL);
    sb_puts(b, ",");
    tallies_json(b, "items_by_category", &items, "quantity", NULL, NULL);
    sb_puts(b, ",");
    tallies_json(b, "accidents_by_year", &acc_year, "killed", "injured", NULL);
    sb_puts(b, ",");
    tallies_json(b, "victims_by_category", &vic, NULL, NULL, NULL);
    /* the library's land release statistics (areas from geometries) */
    char *lr = NULL;
    if ((st = dm_stats_json(s, DM_STATS_BY_NONE, &lr)))
        return st;
    sb_puts(b, ",\"land_release\":");
    sb_puts(b, lr);
    dm_free(rq->t->ctx, lr);
    char now[21];
    dm_now_iso(now);
    sb_printf(b, ",\"computed\":\"%s\"}", now);
    return DM_OK;
}

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static char *stats_json;
static size_t stats_len;
static stats_extra stats_x;
static unsigned long stats_gen;
static double stats_time;
static int stats_refreshing;

static int h_stats(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    const char *by = srv_arg(rq, "by");
    if (by) {
        int b = *by ? dm_stats_by_parse(by) : -1;
        if (b < 0)
            return srv_error(rs, 400, "by: district, year, method or organisation");
        char *lr = NULL;
        dm_status st = dm_stats_json(rq->t->store, (dm_stats_by)b, &lr);
        if (st)
            return srv_fail(rs, rq, st);
        srv_buf out;
        sb_init(&out);
        sb_puts(&out, "{\"by\":");
        sb_json_str(&out, by);
        sb_puts(&out, ",\"land_release\":");
        sb_puts(&out, lr);
        sb_puts(&out, "}");
        dm_free(rq->t->ctx, lr);
        return srv_jbuf(rs, 200, &out);
    }
    /* Aggregates are the same for every role (but the reports by review
     * state a field user sees: stats_answer); cached until a write through
     * the server, and refreshed every 10 s (for writes made elsewhere) by one
     * thread while the others keep answering from the cache. */
    pthread_mutex_lock(&stats_lock);
    unsigned long gen = srv_generation();
    int current = stats_json && stats_gen == gen;
    if (current && (now_s() - stats_time < 10 || stats_refreshing)) {
        char *copy = stats_answer(rq, stats_json, stats_len, &stats_x);
        pthread_mutex_unlock(&stats_lock);
        return srv_json(rs, 200, copy);
    }
    if (current)
        stats_refreshing = 1;
    pthread_mutex_unlock(&stats_lock);
    srv_buf b;
    sb_init(&b);
    stats_extra x = {0};
    dm_status st = compute_stats(rq, &b, &x);
    char *answer = !st && !b.oom ? stats_answer(rq, b.data, b.len, &x) : NULL;
    pthread_mutex_lock(&stats_lock);
    if (current)
        stats_refreshing = 0;
    if (!st && !b.oom) {
        free(stats_json);
        free(stats_x.sc);
        stats_json = sb_take(&b);
        stats_len = stats_json ? strlen(stats_json) : 0;
        stats_x = x;
        x.sc = NULL;
        stats_gen = gen;
        stats_time = now_s();
    }
    pthread_mutex_unlock(&stats_lock);
    free(x.sc);
    sb_free(&b);
    if (st) {
        free(answer);
        return srv_fail(rs, rq, st);
    }
    return srv_json(rs, 200, answer);
}

/* ================================ risk ================================ */

/* The identity of a map file: a different path, a rewrite (even within the
 * same second), a new size or a file renamed over it give another value. */
static unsigned long long map_version(const char *path, const struct stat *sb)
{
    unsigned long long h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    unsigned long long v[4] = {(unsigned long long)sb->st_mtim.tv_sec,
                               (unsigned long long)sb->st_mtim.tv_nsec,
                               (unsigned long long)sb->st_size, (unsigned long long)sb->st_ino};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++)
            h = (h ^ ((v[i] >> (8 * k)) & 0xff)) * 1099511628211ull;
    return h;
}

dm_riskmap *srv_riskmap(srv_req *rq, srv_resp *rs, unsigned long long *version)
{
    srv_thread *t = rq->t;
    double now = now_s();
    if (!t->risk || now - t->risk_checked > 2) {
        t->risk_checked = now;
        char *path = NULL;
        dm_status st = dm_riskmap_path(t->store, &path);
        struct stat sb;
        long long mt = (!st && stat(path, &sb) == 0) ? (long long)sb.st_mtime : -1;
        unsigned long long ver = mt >= 0 ? map_version(path, &sb) : 0;
        if (st || mt < 0 || !t->risk_path || strcmp(path, t->risk_path) ||
            ver != t->risk_version) {
            dm_riskmap_free(t->risk);
            t->risk = NULL;
            dm_free(t->ctx, t->risk_path);
            t->risk_path = path;
            t->risk_mtime = mt;
            t->risk_version = ver;
            if (!st && mt >= 0)
                st = dm_riskmap_open(t->ctx, path, &t->risk);
            else if (!st)
                st = DM_ENOTFOUND;
        } else
            dm_free(t->ctx, path);
        if (st) {
            if (st == DM_ENOTFOUND && path && mt < 0 && !rq->is_public)
                srv_error(rs, 404, "the risk map %s is missing", path);
            else if (st == DM_ENOTFOUND && rq->is_public) {
                /* the public is not told where the server keeps its files */
                if (path && mt < 0)
                    fprintf(stderr, "demine serve: %s %s: the risk map %s is missing\n", rq->method,
                            rq->url, path);
                else
                    fprintf(stderr, "demine serve: %s %s: %s\n", rq->method, rq->url,
                            dm_ctx_errmsg(t->ctx));
                /* 404 with a code the public page tells apart from "no
                 * way between them": the planner is not there yet */
                srv_buf b;
                sb_init(&b);
                sb_puts(&b, "{\"error\":\"no risk map yet: the safe way planner is not available for this "
                            "area yet\",\"status\":404,\"code\":\"no_risk_map\"}");
                srv_jbuf(rs, 404, &b);
            } else
                srv_fail(rs, rq, st);
            return NULL;
        }
    }
    *version = t->risk_version;
    return t->risk;
}

/* GET /api/risk/map: which risk map the tiles show now, and the tile URL
 * that names it (the web map adds ?v= so that a new map is new tiles). */
static int h_risk_map(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    unsigned long long ver;
    if (!srv_riskmap(rq, rs, &ver))
        return 0;
    char modified[32] = "";
    time_t mt = (time_t)rq->t->risk_mtime;
    struct tm tm;
    if (gmtime_r(&mt, &tm))
        strftime(modified, sizeof modified, "%Y-%m-%dT%H:%M:%SZ", &tm);
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "{\"version\":\"%016llx\",\"modified\":", ver);
    sb_json_str(&b, modified[0] ? modified : NULL);
    sb_printf(&b, ",\"tiles\":\"tiles/risk/{z}/{x}/{y}.png?v=%016llx\"}", ver);
    return srv_jbuf(rs, 200, &b);
}

static int h_risk_point(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    double lon, lat;
    if (!srv_parse_double(srv_arg(rq, "lon"), &lon) || !srv_parse_double(srv_arg(rq, "lat"), &lat) ||
        fabs(lon) > 180 || fabs(lat) > 90)
        return srv_error(rs, 400, "lon and lat: decimal degrees (lon -180..180, lat -90..90)");
    unsigned long long mt;
    dm_riskmap *r = srv_riskmap(rq, rs, &mt);
    if (!r)
        return 0;
    double v;
    dm_status st = dm_riskmap_value(r, lon, lat, &v);
    if (st)
        return srv_fail(rs, rq, st);
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"lon\":");
    sb_json_num(&b, lon);
    sb_puts(&b, ",\"lat\":");
    sb_json_num(&b, lat);
    /* the cell's probability (band 1): p_cell, as `risk explain` names it;
     * p_contam, the name of earlier versions, kept for clients using it */
    sb_puts(&b, ",\"p_cell\":");
    sb_json_num(&b, v);
    sb_puts(&b, ",\"p_contam\":");
    sb_json_num(&b, v);
    sb_puts(&b, "}");
    return srv_jbuf(rs, 200, &b);
}

/* GET /api/risk/explain?lon=&lat= (analyst, admin): the terms behind a place. */
static int h_risk_explain(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_role(rq, rs, DM_ROLE_ANALYST))
        return 0;
    double lon, lat;
    if (!srv_parse_double(srv_arg(rq, "lon"), &lon) || !srv_parse_double(srv_arg(rq, "lat"), &lat) ||
        fabs(lon) > 180 || fabs(lat) > 90)
        return srv_error(rs, 400, "lon and lat: decimal degrees (lon -180..180, lat -90..90)");
    dm_risk_explanation *e = malloc(sizeof *e);
    if (!e)
        return srv_json(rs, 500, NULL);
    dm_status st = dm_risk_explain(rq->t->ctx, rq->t->store, lon, lat, e);
    if (st) {
        free(e);
        return srv_fail(rs, rq, st);
    }
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"lon\":");
    sb_json_num(&b, lon);
    sb_puts(&b, ",\"lat\":");
    sb_json_num(&b, lat);
    sb_printf(&b, ",\"cell_m\":%g,\"p_cell\":", e->cell_m);
    sb_json_num(&b, e->p_cell);
    sb_puts(&b, ",\"items_ha\":");
    sb_json_num(&b, e->items_ha);
    sb_puts(&b, ",\"calibration_factor\":");
    sb_json_num(&b, e->factor);
    sb_puts(&b, ",\"cluster\":");
    sb_json_num(&b, e->cluster);
    sb_puts(&b, ",\"spot_factor\":");
    sb_json_num(&b, e->spot_factor);
    sb_puts(&b, ",\"spot_power\":");
    sb_json_num(&b, e->spot_power);
    sb_printf(&b, ",\"outside_map\":%s",
              e->outside_map == 1 ? "true" : e->outside_map == 0 ? "false" : "null");
    sb_puts(&b, ",\"lon_cell\":");
    sb_json_num(&b, e->lon_cell);
    sb_puts(&b, ",\"lat_cell\":");
    sb_json_num(&b, e->lat_cell);
    sb_printf(&b, ",\"evidence\":%zu", e->n_evidence);
    sb_puts(&b, ",\"intercept\":");
    sb_json_num(&b, e->intercept);
    sb_puts(&b, ",\"logit\":");
    sb_json_num(&b, e->logit);
    sb_puts(&b, ",\"terms\":[");
    for (size_t k = 0; k < e->n_terms; k++) {
        const dm_risk_explain_term *t = &e->terms[k];
        sb_puts(&b, k ? ",{\"name\":" : "{\"name\":");
        sb_json_str(&b, t->name);
        sb_puts(&b, ",\"meaning\":");
        sb_json_str(&b, t->desc);
        sb_puts(&b, ",\"x\":");
        sb_json_num(&b, t->x);
        sb_puts(&b, ",\"weight\":");
        sb_json_num(&b, t->weight);
        sb_puts(&b, ",\"contribution\":");
        sb_json_num(&b, t->contribution);
        sb_puts(&b, "}");
    }
    sb_puts(&b, "]}");
    free(e);
    return srv_jbuf(rs, 200, &b);
}

static int h_risk_line(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    double *xy = NULL;
    size_t n = 0;
    if (!srv_parse_line(srv_arg(rq, "path"), &xy, &n))
        return srv_error(rs, 400, "path: 2-1000 points as lon,lat;lon,lat;...");
    double step = 10;
    const char *s = srv_arg(rq, "step");
    if (s && (!srv_parse_double(s, &step) || step < 1 || step > 100000)) {
        free(xy);
        return srv_error(rs, 400, "step: metres between samples, 1-100000");
    }
    unsigned long long mt;
    dm_riskmap *r = srv_riskmap(rq, rs, &mt);
    if (!r) {
        free(xy);
        return 0;
    }
    /* at most 2000 samples: a long line is sampled more sparsely than
     * asked, as dm_riskmap_profile_json does it, and the answer says so
     * ("step_m") rather than leave the client to take the distances for
     * the step it sent */
    double total = 0;
    for (size_t i = 0; i + 1 < n; i++)
        total += dm_haversine_m(xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3]);
    double used = total / step > 1999 ? total / 1999 : step;
    char *json = NULL;
    dm_status st = dm_riskmap_profile_json(r, xy, n, step, &json);
    free(xy);
    if (st)
        return srv_fail(rs, rq, st);
    size_t len = strlen(json);
    srv_buf b;
    sb_init(&b);
    if (len && json[len - 1] == '}') {
        sb_add(&b, json, len - 1);
        sb_puts(&b, ",\"step_m\":");
        sb_json_num(&b, used);
        sb_printf(&b, ",\"step_reduced\":%s}", used > step ? "true" : "false");
    } else
        sb_puts(&b, json);
    dm_free(rq->t->ctx, json);
    return srv_jbuf(rs, 200, &b);
}

/* ================================ routes ================================ */

/* Parse "lon,lat" into two numbers inside WGS 84. */
static int parse_lonlat(const char *s, double *lon, double *lat)
{
    char *end = NULL;
    if (!s)
        return 0;
    *lon = strtod(s, &end);
    if (end == s || *end != ',')
        return 0;
    const char *p = end + 1;
    *lat = strtod(p, &end);
    return end != p && !*end && isfinite(*lon) && isfinite(*lat) && fabs(*lon) <= 180 &&
           fabs(*lat) <= 90;
}

static dm_status zones_fresh(srv_req *rq, double lon, double lat);

/* The public route (docs/http-api.md, docs/route.md): queries a client may
 * make a minute, and at once; the longest straight distance it may ask; the
 * search margin (serve --route-per-minute, --route-max-km, --route-margin-km). */
static int route_per_min(const srv_config *c)
{
    return c->route_per_min > 0 ? c->route_per_min : SRV_ROUTE_PER_MIN;
}
static double route_max_m(const srv_config *c)
{
    return c->route_max_m > 0 ? c->route_max_m : SRV_ROUTE_MAX_M;
}
static double route_margin_m(const srv_config *c)
{
    return c->route_margin_m > 0 ? c->route_margin_m : SRV_ROUTE_MARGIN_M;
}

/* Per-client token buckets for the public route, shared by the threads: a
 * bucket holds up to per_min queries and refills at that rate.
 * The table is small and fixed; a client not seen for a minute has a full
 * bucket, so its slot may be taken by another. */
#define RL_SLOTS 4096
#define RL_PROBES 8
typedef struct rl_slot {
    char client[64];
    double tokens, last;
} rl_slot;
static rl_slot rl_slots[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

/* 0 when client may ask a public route now (counted), else the seconds to
 * wait. */
static long public_route_wait(const char *client, int per_min)
{
    const double cap = per_min, rate = cap / 60.0;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)client; *p; p++)
        h = (h ^ *p) * 16777619u;
    double now = now_s();
    pthread_mutex_lock(&rl_lock);
    rl_slot *use = NULL, *spare = NULL;
    for (unsigned k = 0; k < RL_PROBES && !use; k++) {
        rl_slot *sl = &rl_slots[(h + k) % RL_SLOTS];
        if (sl->last > 0 && !strcmp(sl->client, client))
            use = sl;
        else if (!spare || (spare->last > 0 && sl->last < spare->last))
            spare = sl; /* an empty slot, or the one idle longest */
    }
    if (!use) {
        use = spare;
        snprintf(use->client, sizeof use->client, "%s", client);
        use->tokens = cap;
        use->last = now;
    }
    use->tokens = fmin(cap, use->tokens + (now - use->last) * rate);
    use->last = now;
    long wait = 0;
    if (use->tokens >= 1)
        use->tokens -= 1;
    else
        wait = (long)ceil((1 - use->tokens) / rate);
    pthread_mutex_unlock(&rl_lock);
    return wait;
}

/* Distance in metres on the sphere between two WGS 84 points. */
static double ground_m(double lon0, double lat0, double lon1, double lat1)
{
    return dm_haversine_m(lon0, lat0, lon1, lat1);
}

/* The risk map and the cleared roads for a route request, or 0 with the
 * response already set. The public's route is planned on the map
 * generalised to the 50 m grid of the public danger zones and keeps out of
 * those zones (off the cleared roads): it can show no more than they do.
 * (lon, lat): the public route's start. */
static int route_inputs(srv_req *rq, srv_resp *rs, dm_route_opts *o, int public_only, double lon, double lat)
{
    unsigned long long mt;
    if (!srv_riskmap(rq, rs, &mt))
        return 0;
    srv_thread *t = rq->t;
    double now = now_s();
    if (!t->roads || now - t->roads_time > 60) {
        dm_route_roads_free(t->ctx, t->roads);
        t->roads = NULL;
        if (dm_route_roads_from_store(t->store, &t->roads)) {
            srv_fail(rs, rq, dm_ctx_errcode(t->ctx));
            return 0;
        }
        t->roads_time = now;
    }
    if (public_only) {
        dm_route_opts_public(o); /* 50 m blocks */
        o->margin_m = route_margin_m(rq->cfg);
    } else
        dm_route_opts_default(o);
    const char *a = srv_arg(rq, "avoid_above");
    /* the public gets the default threshold only: a threshold of its own,
     * bisected, would read the staff's map cell by cell */
    if (a && public_only) {
        srv_error(rs, 400, "avoid_above is for staff (/api/route)");
        return 0;
    }
    if (a && (!srv_parse_double(a, &o->avoid_above) || o->avoid_above <= 0 || o->avoid_above > 1)) {
        srv_error(rs, 400, "avoid_above: a probability in (0, 1]");
        return 0;
    }
    if (public_only) {
        /* in the UTM zone of its start: they reach far beyond its window */
        dm_status st = zones_fresh(rq, lon, lat);
        if (st) {
            srv_fail(rs, rq, st);
            return 0;
        }
        if (t->danger) {
            o->avoid = t->danger;
            o->avoid_crs = t->danger_crs;
        }
    }
    /* one core per request */
    dm_ctx_set_threads(t->ctx, 1);
    return 1;
}

static int route_reply(srv_req *rq, srv_resp *rs, dm_status st, dm_route_result *res,
                       int public_only)
{
    dm_ctx *ctx = rq->t->ctx;
    if (st) {
        dm_route_result_free(ctx, res);
        if (public_only && (st == DM_EINVAL || st == DM_ENOTFOUND || st == DM_EPARSE))
            /* no paths, no probabilities: what a resident can act on */
            return srv_error(rs, st == DM_ENOTFOUND ? 404 : 400, "%s",
                             st == DM_ENOTFOUND
                                 ? "no route can be given between these points: no way between "
                                   "them keeps clear of the danger zones and the riskiest ground"
                                 : "no route can be given between these points: one of them lies "
                                   "in or near a danger zone, or outside the mapped area");
        if (st == DM_EINVAL || st == DM_ENOTFOUND || st == DM_EPARSE)
            return srv_error(rs, st == DM_ENOTFOUND ? 404 : 400, "%s", dm_ctx_errmsg(ctx));
        return srv_fail(rs, rq, st);
    }
    char *json = NULL;
    /* staff: the hazards in force the path enters, by name */
    if (!public_only && rq->t->store)
        st = dm_route_hazards_crossed(rq->t->store, res);
    if (!st)
        st = dm_route_result_geojson(ctx, res, public_only, &json);
    dm_route_result_free(ctx, res);
    if (st)
        return srv_fail(rs, rq, st);
    char *copy = strdup(json);
    dm_free(ctx, json);
    return srv_json(rs, 200, copy);
}

/* The hazards in force less the land released (dm_route_hazards_from_store),
 * for avoid_hazards=1: their union costs 0.8 s on the national demo, so it is
 * made once for all threads and kept as WKB, which is never changed once
 * made; each request reads its own geometry from it (2 ms). An entry is
 * current while the server's generation (its own writes, risk refreshes)
 * and the data's stamp (dm_route_hazards_stamp, 8 ms: any write, other
 * programs' included, and a polygon another tool moved without its updated
 * time) are those it was made with. A new entry replaces the old under hz_lock;
 * a request holds a reference while it reads the WKB, so the one replaced
 * is freed by whoever lets go of it last. One thread makes an entry while
 * the others needing the same wait for it. */
typedef struct hz_entry {
    int refs;            /* the cache's own, and one per request reading it */
    unsigned long gen;   /* srv_generation() before it was made */
    uint64_t stamp;      /* dm_route_hazards_stamp() before it was made */
    unsigned char *wkb;  /* WGS 84; NULL: no hazard in force */
    size_t len;
} hz_entry;
static pthread_mutex_t hz_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hz_made = PTHREAD_COND_INITIALIZER;
static hz_entry *hz_cur;
static int hz_making;

static void hz_release(hz_entry *e) /* under hz_lock */
{
    if (e && --e->refs == 0) {
        free(e->wkb);
        free(e);
    }
}

static int hz_current(const hz_entry *e, unsigned long gen, uint64_t stamp)
{
    return e && e->gen == gen && e->stamp == stamp;
}

/* Make an entry from the thread's store (outside hz_lock). */
static dm_status hz_make(srv_thread *t, unsigned long gen, uint64_t stamp, hz_entry **out)
{
    *out = NULL;
    dm_geom *g = NULL;
    unsigned char *w = NULL;
    size_t n = 0;
    dm_status st = dm_route_hazards_from_store(t->store, &g);
    if (!st && g)
        st = dm_geom_to_wkb(t->ctx, g, &w, &n);
    dm_geom_free(g);
    hz_entry *e = st ? NULL : calloc(1, sizeof *e);
    if (e && w && !(e->wkb = malloc(n))) {
        free(e);
        e = NULL;
    }
    if (!st && !e)
        st = DM_ENOMEM;
    if (e) {
        if (w)
            memcpy(e->wkb, w, n), e->len = n;
        e->refs = 1;
        e->gen = gen;
        e->stamp = stamp;
    }
    dm_free(t->ctx, w);
    *out = e;
    return st;
}

/* The hazards to avoid for this request: *out the caller's (dm_geom_free),
 * NULL when none is in force. */
static dm_status hazards_to_avoid(srv_thread *t, dm_geom **out)
{
    *out = NULL;
    /* the generation first: a write after it makes the entry stale */
    unsigned long gen = srv_generation();
    uint64_t stamp = 0;
    dm_status st = dm_route_hazards_stamp(t->store, &stamp);
    if (st)
        return st;
    hz_entry *e = NULL;
    pthread_mutex_lock(&hz_lock);
    for (;;) {
        if (hz_current(hz_cur, gen, stamp)) {
            e = hz_cur;
            e->refs++;
            break;
        }
        if (!hz_making)
            break;
        pthread_cond_wait(&hz_made, &hz_lock); /* another thread is making one */
    }
    if (!e) {
        hz_making = 1;
        pthread_mutex_unlock(&hz_lock);
        st = hz_make(t, gen, stamp, &e);
        pthread_mutex_lock(&hz_lock);
        hz_making = 0;
        pthread_cond_broadcast(&hz_made);
        if (!st) {
            hz_release(hz_cur);
            hz_cur = e;
            e->refs++; /* the cache's and this request's */
        }
    }
    pthread_mutex_unlock(&hz_lock);
    if (st)
        return st;
    if (e->wkb)
        st = dm_geom_from_wkb(t->ctx, e->wkb, e->len, out);
    pthread_mutex_lock(&hz_lock);
    hz_release(e);
    pthread_mutex_unlock(&hz_lock);
    return st;
}

void *srv_route_prewarm(void *db)
{
    dm_ctx *ctx = dm_ctx_new();
    srv_thread t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    char *map = NULL;
    if (ctx && dm_store_open(ctx, db, DM_STORE_READONLY, &t.store) == DM_OK &&
        dm_store_meta_get(t.store, "risk_map", &map) == DM_OK && map) {
        dm_geom *g = NULL;
        hazards_to_avoid(&t, &g); /* a failure is the first request's to report */
        dm_geom_free(g);
    }
    dm_free(ctx, map);
    dm_store_close(t.store);
    dm_ctx_free(ctx);
    return NULL;
}

/* GET /api/route?from=lon,lat&to=lon,lat[&avoid_above=p][&avoid_hazards=1]: the least
 * dangerous route with its figures and most dangerous stretches. The
 * public form (/api/public/route) gives the line and a verdict only, of a
 * route planned on the generalised map, to a limited number of queries a
 * minute from each client. */
static int h_route(srv_req *rq, srv_resp *rs, int public_only)
{
    if (!srv_method_is(rq, rs, "GET") || (!public_only && srv_need_login(rq, rs)))
        return 0;
    if (public_only) {
        /* every query counts, answered or not: probing needs many */
        long wait = public_route_wait(rq->client, route_per_min(rq->cfg));
        if (wait > 0) {
            rs->retry_after = wait;
            return srv_error(rs, 429,
                             "too many route queries from this address (at most %d a minute); "
                             "try again in %ld s",
                             route_per_min(rq->cfg), wait);
        }
    }
    double lon0, lat0, lon1, lat1;
    if (!parse_lonlat(srv_arg(rq, "from"), &lon0, &lat0) ||
        !parse_lonlat(srv_arg(rq, "to"), &lon1, &lat1))
        return srv_error(rs, 400, "from and to: lon,lat in decimal degrees");
    if (public_only && lon0 == lon1 && lat0 == lat1) /* not "in a danger zone" */
        return srv_error(rs, 400, "from and to are the same point");
    if (public_only && ground_m(lon0, lat0, lon1, lat1) > route_max_m(rq->cfg))
        return srv_error(rs, 400,
                         "from and to are %.1f km apart: the public route is for walking, at "
                         "most %g km",
                         ground_m(lon0, lat0, lon1, lat1) / 1000, route_max_m(rq->cfg) / 1000);
    /* staff: avoid_hazards=1 plans around the hazards in force (their
     * parts not released), as `route --avoid-hazards` */
    const char *ah = srv_arg(rq, "avoid_hazards");
    if (ah && public_only)
        return srv_error(rs, 400, "avoid_hazards is for staff (/api/route): the public route keeps out of "
                                  "the danger zones");
    if (ah && strcmp(ah, "0") && strcmp(ah, "1"))
        return srv_error(rs, 400, "avoid_hazards: 0 or 1 (got '%.40s')", ah);
    dm_route_opts o;
    if (!route_inputs(rq, rs, &o, public_only, lon0, lat0))
        return 0;
    dm_geom *hz = NULL;
    if (ah && !strcmp(ah, "1")) {
        dm_status hs = hazards_to_avoid(rq->t, &hz);
        if (hs)
            return srv_fail(rs, rq, hs);
        o.avoid = hz; /* WGS 84; NULL when there is none */
        o.avoid_name = "a hazard in force";
    }
    dm_route_result *res = NULL;
    dm_status st = dm_route_find(rq->t->ctx, rq->t->risk_path, rq->t->roads, lon0, lat0, lon1,
                                 lat1, &o, &res);
    int ret = route_reply(rq, rs, st, res, public_only);
    dm_geom_free(hz);
    return ret;
}

/* POST /api/route/check with a GeoJSON LineString: the same figures for a
 * planned path. */
static int h_route_check(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "POST") || srv_need_login(rq, rs))
        return 0;
    if (!rq->body || !rq->body_len)
        return srv_error(rs, 400, "the body must be a GeoJSON LineString");
    dm_route_opts o;
    if (!route_inputs(rq, rs, &o, 0, 0, 0))
        return 0;
    char *body = strndup(rq->body, rq->body_len);
    if (!body)
        return srv_json(rs, 500, NULL);
    dm_route_result *res = NULL;
    dm_status st = dm_route_check_geojson(rq->t->ctx, rq->t->risk_path, rq->t->roads, body, &o, &res);
    free(body);
    return route_reply(rq, rs, st, res, 0);
}

/* Tile cache: rendered PNGs by (z, x, y, risk-map version). */
#define TC_SLOTS 8192
typedef struct tile_entry {
    int z, x, y;
    unsigned long long mt;
    unsigned char *png;
    size_t len;
} tile_entry;
static tile_entry tcache[TC_SLOTS];
static int tcache_n;
static pthread_rwlock_t tcache_lock = PTHREAD_RWLOCK_INITIALIZER;

static size_t tile_slot(int z, int x, int y, unsigned long long mt)
{
    unsigned long long h = (unsigned long long)z * 0x9E3779B97F4A7C15ull;
    h ^= (unsigned long long)x * 0xC2B2AE3D27D4EB4Full + (h << 6);
    h ^= (unsigned long long)y * 0x165667B19E3779F9ull + (h >> 2);
    h ^= mt;
    return (size_t)(h % TC_SLOTS);
}

static int tile_get(int z, int x, int y, unsigned long long mt, srv_resp *rs)
{
    size_t i = tile_slot(z, x, y, mt);
    int found = 0;
    pthread_rwlock_rdlock(&tcache_lock);
    for (int k = 0; k < 8; k++) {
        tile_entry *e = &tcache[(i + (size_t)k) % TC_SLOTS];
        if (!e->png)
            break;
        if (e->z == z && e->x == x && e->y == y && e->mt == mt) {
            rs->body = malloc(e->len);
            if (rs->body) {
                memcpy(rs->body, e->png, e->len);
                rs->len = e->len;
                found = 1;
            }
            break;
        }
    }
    pthread_rwlock_unlock(&tcache_lock);
    return found;
}

static void tile_put(int z, int x, int y, unsigned long long mt, const unsigned char *png,
                     size_t len)
{
    unsigned char *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, png, len);
    pthread_rwlock_wrlock(&tcache_lock);
    if (tcache_n > TC_SLOTS * 3 / 4) { /* full enough: start again */
        for (int k = 0; k < TC_SLOTS; k++) {
            free(tcache[k].png);
            tcache[k].png = NULL;
        }
        tcache_n = 0;
    }
    size_t i = tile_slot(z, x, y, mt);
    for (int k = 0; k < 8; k++) {
        tile_entry *e = &tcache[(i + (size_t)k) % TC_SLOTS];
        if (!e->png || (e->z == z && e->x == x && e->y == y && e->mt == mt)) {
            if (!e->png)
                tcache_n++;
            free(e->png);
            *e = (tile_entry){z, x, y, mt, copy, len};
            copy = NULL;
            break;
        }
    }
    pthread_rwlock_unlock(&tcache_lock);
    free(copy);
}

/* Risk tiles are for logged-in users, and a refresh rewrites them: a
 * browser keeps them (private) but asks again each time (no-cache) with the
 * ETag of the map it has, and gets 304 while the map is the same. The web
 * map also names the map in the URL (?v=, see /api/risk/map), which the
 * server ignores. */
static int h_tile(srv_req *rq, srv_resp *rs, char seg[][SRV_SEG], int n)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    int z, x, y;
    if (n != 5 || !srv_parse_tile(seg[2], seg[3], seg[4], ".png", &z, &x, &y))
        return srv_error(rs, 404, "no such tile (use /tiles/risk/Z/X/Y.png, Z 0-22)");
    unsigned long long mt;
    dm_riskmap *r = srv_riskmap(rq, rs, &mt);
    if (!r)
        return 0;
    rs->status = 200;
    rs->ctype = "image/png";
    rs->cache = "private, no-cache";
    snprintf(rs->etag, sizeof rs->etag, "\"%016llx-" DM_VERSION_STRING "\"", mt);
    if (srv_etag_match(srv_header(rq, "If-None-Match"), rs->etag)) {
        rs->status = 304; /* the browser's copy is this map's */
        return 0;
    }
    if (tile_get(z, x, y, mt, rs))
        return 0;
    unsigned char *png = NULL;
    size_t len = 0;
    dm_status st = dm_riskmap_tile_png(r, z, x, y, &png, &len);
    if (st) {
        rs->ctype = NULL;
        rs->cache = NULL;
        rs->etag[0] = '\0';
        return srv_fail(rs, rq, st);
    }
    tile_put(z, x, y, mt, png, len);
    rs->body = malloc(len);
    if (!rs->body) {
        dm_free(rq->t->ctx, png);
        rs->etag[0] = '\0';
        return srv_json(rs, 500, NULL);
    }
    memcpy(rs->body, png, len);
    rs->len = len;
    dm_free(rq->t->ctx, png);
    return 0;
}

/* ================================ plan ================================ */

/* A date argument of the request into out (YYYY-MM-DD; end: the last day
 * of a year or month given alone): 1 when given and read, 0 when absent;
 * -1 after answering 400 naming it. */
static int date_arg(srv_req *rq, srv_resp *rs, const char *name, int end, char out[11])
{
    const char *v = srv_arg(rq, name);
    if (!v)
        return 0;
    if (!(end ? dm_date_parse_end(v, out) : dm_date_parse(v, out))) {
        srv_error(rs, 400, "%s: not a date: '%.40s' (YYYY-MM-DD)", name, v);
        return -1;
    }
    return 1;
}

/* The answer of a library JSON (dm_free'd here), or the failure st. */
static int json_answer(srv_req *rq, srv_resp *rs, dm_status st, char *js)
{
    if (st) {
        dm_free(rq->t->ctx, js);
        return srv_fail(rs, rq, st);
    }
    char *copy = strdup(js);
    dm_free(rq->t->ctx, js);
    if (!copy)
        return srv_error(rs, 500, "out of memory");
    return srv_json(rs, 200, copy);
}

/* Quality control (demine qc): each organisation's detection probability
 * as post-clearance inspections measure it, with every task inspected.
 * Analysts and admins see every organisation's; a field user their own
 * organisation's alone (another's inspection results are theirs to
 * share), none without an organisation. ?org= (analysts), ?from=, ?to=. */
static int h_qc(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    dm_qc_opts o = {0};
    char from[11] = "", to[11] = "";
    int got;
    if ((got = date_arg(rq, rs, "from", 0, from)) < 0)
        return 0;
    o.from = got ? from : NULL;
    if ((got = date_arg(rq, rs, "to", 1, to)) < 0)
        return 0;
    o.to = got ? to : NULL;
    if (rq->user.role >= DM_ROLE_ANALYST)
        o.org = srv_arg(rq, "org");
    else if (rq->user.organisation[0])
        o.org = rq->user.organisation;
    else
        return srv_error(rs, 403, "quality control results are given to a field user of their own "
                                  "organisation: user %s has none (demine user add ... --org NAME)",
                         rq->user.name);
    dm_qc_result r;
    dm_status st = dm_qc_measure(rq->t->store, &o, &r);
    if (st)
        return srv_fail(rs, rq, st);
    char *js = NULL;
    st = dm_qc_json(rq->t->ctx, &r, &js);
    dm_qc_result_free(rq->t->ctx, &r);
    return json_answer(rq, rs, st, js);
}

/* Risk education targeting (demine eore): the settlements near danger
 * that no session reached since a date, ranked by people x danger, then
 * those reached. Staff of every role (a settlement's people and the danger
 * near it are no one's secret among them; the public map shows none of
 * it). ?within=KM, ?since=, ?district=, ?date=. */
static int h_eore(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    dm_eore_opts o = {0};
    char since[11] = "", date[11] = "";
    const char *v;
    if ((v = srv_arg(rq, "within"))) {
        char *end = NULL;
        o.within_km = strtod(v, &end);
        if (!end || end == v || *end || !(o.within_km > 0) || o.within_km > 50)
            return srv_error(rs, 400, "within: kilometres, above 0 and at most 50 (got '%.40s')", v);
    }
    int got;
    if ((got = date_arg(rq, rs, "since", 0, since)) < 0)
        return 0;
    o.since = got ? since : NULL;
    if ((got = date_arg(rq, rs, "date", 0, date)) < 0)
        return 0;
    o.date = got ? date : NULL;
    o.district = srv_arg(rq, "district");
    dm_eore_result r;
    dm_status st = dm_eore_rank(rq->t->store, &o, &r);
    if (st)
        return srv_fail(rs, rq, st);
    char *js = NULL;
    st = dm_eore_json(rq->t->ctx, &r, &js);
    dm_eore_result_free(rq->t->ctx, &r);
    return json_answer(rq, rs, st, js);
}

static int h_plan(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET") || srv_need_login(rq, rs))
        return 0;
    const dm_layer_def *l = dm_layer_find("plan_tasks");
    long n = 0;
    if (dm_store_count(rq->t->store, "plan_tasks", NULL, &n))
        return srv_fail(rs, rq, dm_ctx_errcode(rq->t->ctx));
    if (n > 0)
        return h_list(rq, rs, l);
    return srv_error(rs, 404, "no plan in this database yet: run 'demine plan DB --teams "
                              "TEAMS.csv'");
}

/* ================================ public ================================ */

/* The safety messages live in the library (dm_danger_messages), shared
 * with the printed danger map (demine report --public). */
static const char *message(const char *id, int az)
{
    const char *t = dm_danger_message_text(id, az);
    return t ? t : "";
}

static int h_messages(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET"))
        return 0;
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "[");
    size_t nm = 0;
    const dm_danger_message *messages = dm_danger_messages(&nm);
    for (size_t i = 0; i < nm; i++) {
        sb_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        sb_json_str(&b, messages[i].id);
        sb_puts(&b, ",\"en\":");
        sb_json_str(&b, messages[i].en);
        sb_puts(&b, ",\"az\":");
        sb_json_str(&b, messages[i].az);
        sb_puts(&b, "}");
    }
    sb_puts(&b, "]");
    rs->cache = "public, max-age=3600";
    return srv_jbuf(rs, 200, &b);
}

static const dm_danger_opts danger_opts = {100, 25, 50};
static pthread_mutex_t danger_lock = PTHREAD_MUTEX_INITIALIZER;
static char *danger_json;
static unsigned char *danger_gz; /* the same gzipped (a national map: 540 KB -> 130 KB), or NULL */
static size_t danger_gz_len;
static unsigned long danger_gen;
static double danger_time;
static int danger_refreshing;

/* An answer from the cache (under danger_lock): gzipped as kept when the
 * client takes gzip, so that a crowd of phones costs no compression each. */
static int danger_answer(srv_req *rq, srv_resp *rs)
{
    rs->vary_encoding = 1;
    if (danger_gz && srv_accepts_gzip(srv_header(rq, "Accept-Encoding"))) {
        char *gz = malloc(danger_gz_len);
        if (!gz)
            return srv_error(rs, 500, "out of memory");
        memcpy(gz, danger_gz, danger_gz_len);
        rs->status = 200;
        rs->ctype = "application/json; charset=utf-8";
        rs->body = gz;
        rs->len = danger_gz_len;
        rs->encoding = "gzip";
        return 0;
    }
    char *copy = strdup(danger_json);
    return copy ? srv_json(rs, 200, copy) : srv_error(rs, 500, "out of memory");
}

static int h_danger(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET"))
        return 0;
    rs->cache = "public, max-age=60";
    /* cached like the statistics: until a write, refreshed every 60 s by
     * one thread while the others answer from the cache */
    pthread_mutex_lock(&danger_lock);
    unsigned long gen = srv_generation();
    int current = danger_json && danger_gen == gen;
    if (current && (now_s() - danger_time < 60 || danger_refreshing)) {
        danger_answer(rq, rs);
        pthread_mutex_unlock(&danger_lock);
        return 0;
    }
    if (current)
        danger_refreshing = 1;
    pthread_mutex_unlock(&danger_lock);
    char *json = NULL;
    dm_status st = dm_danger_zones_json(rq->t->store, &danger_opts, &json);
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    if (!st && srv_gzip(json, strlen(json), 6, &gz, &gz_len))
        gz = NULL; /* sent as it is */
    pthread_mutex_lock(&danger_lock);
    if (current)
        danger_refreshing = 0;
    if (!st) {
        free(danger_json);
        free(danger_gz);
        danger_json = strdup(json);
        danger_gz = gz;
        danger_gz_len = gz_len;
        danger_gen = gen;
        danger_time = now_s();
    }
    if (!st && danger_json)
        danger_answer(rq, rs);
    pthread_mutex_unlock(&danger_lock);
    if (st)
        return srv_fail(rs, rq, st);
    dm_free(rq->t->ctx, json);
    if (!rs->status)
        return srv_error(rs, 500, "out of memory");
    return 0;
}

/* The danger zones, computed once for all threads (as WKB, WGS 84, under
 * danger_lock). A check or a route is measured in the UTM zone of its own
 * point, as dm_danger_locate does: the zones of a database with hazards in
 * Azerbaijan and in Colombia, measured in the UTM zone of their middle, put
 * a point 370 m from a Colombian zone 700 m away. For each UTM zone asked
 * in, the zones within ZONES_REACH_M of it are taken to its metres once (as
 * WKB, kept for all threads), and each thread keeps those of the UTM zone it
 * was last asked in as its own geometry, so that a check is one transform
 * and one distance. */
static unsigned char *zones_wkb;
static size_t zones_len;
static unsigned long zones_gen;
static unsigned long zones_ver; /* bumped at every recompute: what threads compare */
static double zones_time;
static double zones_bounds[4]; /* the zones' bounds in degrees: which points are far from them */
static int zones_have_bounds;

static int zones_refreshing;

/* Beyond CHECK_FAR_M from every zone a check says "far"; the zones of a UTM
 * zone are those within ZONES_REACH_M of it, more than that and more than a
 * public route's window (20 km apart at most, a margin of 5 km at most). */
#define CHECK_FAR_M 100000.0
#define ZONES_REACH_M 150000.0

/* The zones taken to the metres of one UTM zone: epsg, of the zones of
 * version ver; wkb NULL when none is within reach of it. */
enum { BAND_SLOTS = 8 };
static struct zone_band {
    int epsg;
    unsigned long ver;
    unsigned char *wkb;
    size_t len;
} bands[BAND_SLOTS];
static unsigned band_next;

/* The box (W, S, E, N, degrees) of the ground within ZONES_REACH_M of the
 * UTM zone epsg, cut to the zones' bounds zb: 0 when the zones are all
 * beyond reach. A degree of latitude is more than 110 km, one of longitude
 * more than 111 km times the cosine of the box's highest latitude. */
static int band_box(int epsg, const double zb[4], double box[4])
{
    int zone = epsg % 100, north = epsg / 100 == 326;
    double west = -180.0 + 6.0 * (zone - 1), dlat = ZONES_REACH_M / 110000.0;
    double s = fmax((north ? 0 : -90) - dlat, zb[1]), n = fmin((north ? 90 : 0) + dlat, zb[3]);
    if (s > n)
        return 0;
    double phi = fmax(fabs(s), fabs(n));
    double dlon = phi < 89 ? ZONES_REACH_M / (111000.0 * cos(phi * 3.14159265358979 / 180)) : 360;
    box[0] = fmax(west - dlon, -180);
    box[1] = s;
    box[2] = fmin(west + 6 + dlon, 180);
    box[3] = n;
    return box[0] <= zb[2] && box[2] >= zb[0];
}

/* The zones (wkb, WGS 84, bounds zb) within reach of the UTM zone epsg, in
 * its metres, as WKB (malloc'd) into *out; NULL when there are none. */
static dm_status band_make(dm_ctx *ctx, const unsigned char *wkb, size_t len, const double zb[4], int epsg,
                           unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    double box[4];
    if (!band_box(epsg, zb, box))
        return DM_OK;
    dm_geom *wgs = NULL, *rect = NULL, *near = NULL, *utm = NULL;
    dm_transform *fwd = NULL;
    unsigned char *w = NULL;
    size_t n = 0;
    char crs[32];
    snprintf(crs, sizeof crs, "EPSG:%d", epsg);
    dm_status st = dm_geom_from_wkb(ctx, wkb, len, &wgs);
    /* those beyond reach are cut off: taken to a UTM zone far from theirs
     * they are distorted, or cannot be */
    int all = box[0] <= zb[0] && box[1] <= zb[1] && box[2] >= zb[2] && box[3] >= zb[3];
    if (!st && !all) {
        double xy[10] = {box[0], box[1], box[2], box[1], box[2], box[3], box[0], box[3], box[0], box[1]};
        st = dm_geom_polygon(ctx, xy, 5, &rect);
        if (!st)
            st = dm_geom_intersection(ctx, wgs, rect, &near);
    }
    const dm_geom *use = all ? wgs : near;
    if (!st && use && !dm_geom_is_empty(use)) {
        st = dm_transform_new(ctx, "EPSG:4326", crs, &fwd);
        if (!st)
            st = dm_geom_transform(ctx, fwd, use, &utm);
        if (!st)
            st = dm_geom_to_wkb(ctx, utm, &w, &n);
        if (!st && !(*out = malloc(n)))
            st = DM_ENOMEM;
        if (!st) {
            memcpy(*out, w, n);
            *out_len = n;
        }
    }
    dm_free(ctx, w);
    dm_geom_free(utm);
    dm_transform_free(fwd);
    dm_geom_free(near);
    dm_geom_free(rect);
    dm_geom_free(wgs);
    return st;
}

/* The thread's danger zones for the UTM zone epsg (t->danger in its metres,
 * NULL when none is within reach; t->danger_crs that zone), recomputed for
 * all threads once the zones are stale. */
static dm_status load_zones(srv_req *rq, int epsg)
{
    srv_thread *t = rq->t;
    dm_ctx *ctx = t->ctx;
    dm_status st = DM_OK;
    pthread_mutex_lock(&danger_lock);
    unsigned long gen = srv_generation();
    int current = zones_time && zones_gen == gen;
    if (!current || (now_s() - zones_time > 60 && !zones_refreshing)) {
        /* compute outside the lock; others keep the zones they have */
        zones_refreshing = 1;
        pthread_mutex_unlock(&danger_lock);
        dm_geom *z = NULL;
        unsigned char *w = NULL, *copy = NULL;
        size_t n = 0;
        double b[4];
        st = dm_danger_zones(t->store, &danger_opts, &z);
        if (!st && z && dm_geom_bounds(z, b)) {
            st = dm_geom_to_wkb(ctx, z, &w, &n);
            if (!st && (copy = malloc(n)))
                memcpy(copy, w, n);
            else if (!st)
                st = DM_ENOMEM;
        }
        int have_b = !st && z && copy;
        dm_free(ctx, w);
        dm_geom_free(z);
        pthread_mutex_lock(&danger_lock);
        zones_refreshing = 0;
        if (!st) {
            free(zones_wkb);
            zones_wkb = copy;
            zones_len = copy ? n : 0;
            zones_have_bounds = have_b;
            if (have_b)
                memcpy(zones_bounds, b, sizeof b);
            zones_gen = gen;
            zones_ver++;
            zones_time = now_s();
            for (int i = 0; i < BAND_SLOTS; i++) {
                free(bands[i].wkb);
                memset(&bands[i], 0, sizeof bands[i]);
            }
        } else
            free(copy);
    }
    unsigned long have = zones_ver; /* zones recomputed on the timer change it too */
    char crs[32];
    snprintf(crs, sizeof crs, "EPSG:%d", epsg);
    if (!st && have == t->danger_gen && t->danger_time && !strcmp(t->danger_crs, crs)) {
        pthread_mutex_unlock(&danger_lock); /* the zones this thread already holds */
        t->danger_time = now_s();
        return DM_OK;
    }
    /* the UTM zone's zones as made for another thread, else all the zones
     * to make them from */
    int found = 0;
    unsigned char *uw = NULL, *wkb = NULL;
    size_t ulen = 0, len = zones_len;
    double zb[4];
    memcpy(zb, zones_bounds, sizeof zb);
    for (int i = 0; !st && i < BAND_SLOTS && !found; i++)
        if (bands[i].ver == have && bands[i].epsg == epsg) {
            found = 1;
            if (bands[i].wkb && (uw = malloc(bands[i].len)))
                memcpy(uw, bands[i].wkb, ulen = bands[i].len);
            else if (bands[i].wkb)
                st = DM_ENOMEM;
        }
    if (!st && !found && zones_wkb && zones_have_bounds) {
        if ((wkb = malloc(len)))
            memcpy(wkb, zones_wkb, len);
        else
            st = DM_ENOMEM;
    }
    pthread_mutex_unlock(&danger_lock);
    if (!st && wkb) {
        st = band_make(ctx, wkb, len, zb, epsg, &uw, &ulen);
        unsigned char *keep = !st && uw ? malloc(ulen) : NULL;
        if (keep)
            memcpy(keep, uw, ulen);
        pthread_mutex_lock(&danger_lock);
        if (!st && (keep || !uw) && zones_ver == have) {
            struct zone_band *bd = &bands[band_next++ % BAND_SLOTS];
            free(bd->wkb);
            bd->epsg = epsg;
            bd->ver = have;
            bd->wkb = keep;
            bd->len = keep ? ulen : 0;
        } else
            free(keep);
        pthread_mutex_unlock(&danger_lock);
    }
    free(wkb);
    if (st) {
        free(uw);
        return st;
    }
    dm_geom_free(t->danger);
    t->danger = NULL;
    if (strcmp(t->danger_crs, crs)) {
        dm_transform_free(t->danger_fwd);
        t->danger_fwd = NULL;
        t->danger_crs[0] = '\0';
    }
    if (uw) {
        st = dm_geom_from_wkb(ctx, uw, ulen, &t->danger);
        if (!st && !t->danger_fwd)
            st = dm_transform_new(ctx, "EPSG:4326", crs, &t->danger_fwd);
    }
    free(uw);
    if (st) {
        dm_geom_free(t->danger);
        t->danger = NULL;
        t->danger_time = 0;
        return st;
    }
    snprintf(t->danger_crs, sizeof t->danger_crs, "%s", crs);
    t->danger_gen = have;
    t->danger_time = now_s();
    return DM_OK;
}

/* The thread's danger zones for the UTM zone of (lon, lat), reloaded when
 * stale. */
static dm_status zones_fresh(srv_req *rq, double lon, double lat)
{
    return load_zones(rq, dm_utm_epsg(lon, lat));
}

static int h_check(srv_req *rq, srv_resp *rs)
{
    if (!srv_method_is(rq, rs, "GET"))
        return 0;
    double lon, lat;
    if (!srv_parse_double(srv_arg(rq, "lon"), &lon) || !srv_parse_double(srv_arg(rq, "lat"), &lat) ||
        fabs(lon) > 180 || fabs(lat) > 90)
        return srv_error(rs, 400, "lon and lat: decimal degrees (lon -180..180, lat -90..90)");
    srv_thread *t = rq->t;
    dm_status zst = zones_fresh(rq, lon, lat);
    if (zst)
        return srv_fail(rs, rq, zst);
    /* Beyond CHECK_FAR_M on the sphere from the box around the zones (no
     * farther than the zones themselves), or from every zone within reach of
     * the point's UTM zone, the answer is "far", with no distance; nearer,
     * the distance is measured in the point's own UTM zone, as true as the
     * 50 m it is rounded to (in the UTM zone of all the zones, a point at
     * lon -170 was 16,067 km away). */
    double zb[4];
    pthread_mutex_lock(&danger_lock);
    int have_b = zones_have_bounds;
    memcpy(zb, zones_bounds, sizeof zb);
    pthread_mutex_unlock(&danger_lock);
    int far = !t->danger;
    if (t->danger && have_b) {
        double cx = fmin(fmax(lon, zb[0]), zb[2]), cy = fmin(fmax(lat, zb[1]), zb[3]);
        far = dm_haversine_m(lon, lat, cx, cy) > CHECK_FAR_M;
    }
    int inside = 0;
    double d = -1;
    if (t->danger && !far) {
        double x = lon, y = lat;
        dm_geom *p = NULL;
        dm_status st = dm_transform_xy(t->danger_fwd, &x, &y, 1);
        if (!st)
            st = dm_geom_point(t->ctx, x, y, &p);
        if (st) {
            dm_geom_free(p);
            return srv_error(rs, 400, "the point cannot be placed relative to the zones");
        }
        inside = dm_geom_intersects(t->danger, p);
        d = inside ? 0 : dm_geom_distance(t->danger, p);
        dm_geom_free(p);
        if (d > CHECK_FAR_M) {
            far = 1;
            d = -1;
        }
    }
    const char *level = inside ? "danger" : (d >= 0 && d < 500) ? "caution" : "unknown";
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"lon\":");
    sb_json_num(&b, lon);
    sb_puts(&b, ",\"lat\":");
    sb_json_num(&b, lat);
    sb_printf(&b, ",\"inside\":%s,\"distance_m\":", inside ? "true" : "false");
    /* rounded to 50 m so that answers do not trace zone edges exactly */
    sb_json_num(&b, d < 0 ? NAN : ceil(d / 50) * 50);
    sb_printf(&b, ",\"far\":%s,\"level\":\"%s\",\"message\":{\"en\":", far ? "true" : "false", level);
    sb_json_str(&b, message(level, 0));
    sb_puts(&b, ",\"az\":");
    sb_json_str(&b, message(level, 1));
    sb_puts(&b, "}}");
    return srv_jbuf(rs, 200, &b);
}

/* ================================ static files ================================ */

static const char *ctype_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},   {".png", "image/png"},
                 {".svg", "image/svg+xml"},             {".json", "application/json"},
                 {".txt", "text/plain; charset=utf-8"}, {".ico", "image/x-icon"}};
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Pages by the names people type: the staff map at "/", the public danger
 * map at "/public" as well as at "/public.html". */
static const char *page_of(const char *path)
{
    if (!strcmp(path, "/"))
        return "/index.html";
    if (!strcmp(path, "/public"))
        return "/public.html";
    return path;
}

/* "/public/" (or "/public.html/"): the page is "/public.html", sent as a
 * redirect so that the page's relative links (js/, css/, api/) resolve
 * from the right directory. The Location is relative ("../public.html"),
 * so it holds behind a proxy that adds a path prefix too. 0 when path is
 * no page with a slash added. */
static int slash_redirect(srv_req *rq, srv_resp *rs, const char *path)
{
    size_t n = strlen(path);
    char bare[SRV_SEG * 2];
    if (n < 2 || path[n - 1] != '/' || n >= sizeof bare)
        return 0;
    memcpy(bare, path, n - 1);
    bare[n - 1] = '\0';
    const char *page = page_of(bare);
    const srv_asset *a = srv_asset_find(page);
    if (!a || strcmp(ctype_of(page), "text/html; charset=utf-8"))
        return 0;
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        srv_error(rs, 405, "method %s not allowed here", rq->method);
        rs->allow = "GET, HEAD";
        return 1;
    }
    const char *name = strrchr(page, '/') + 1;
    snprintf(rs->location, sizeof rs->location, "../%s", name);
    srv_buf b;
    sb_init(&b);
    sb_printf(&b, "<!doctype html><title>moved</title><p>This page is at <a href=\"../%s\">%s"
                  "</a>.</p>\n", name, name);
    srv_jbuf(rs, 302, &b);
    rs->ctype = "text/html; charset=utf-8";
    return 1;
}

/* The tag of a built-in file: a hash of its bytes, worked out once per file.
 * With it a browser's copy is revalidated (If-None-Match: 304, nothing sent)
 * instead of fetched whole on every visit, as "no-cache" alone would have it. */
static const char *asset_etag(const srv_asset *a)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        const srv_asset *a;
        char tag[24];
    } tags[256];
    static int n_tags;
    const char *tag = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_tags && !tag; i++)
        if (tags[i].a == a)
            tag = tags[i].tag;
    if (!tag && n_tags < (int)(sizeof tags / sizeof tags[0])) {
        unsigned long long h = 1469598103934665603ULL; /* FNV-1a, 64 bits */
        for (size_t i = 0; i < a->len; i++)
            h = (h ^ a->data[i]) * 1099511628211ULL;
        tags[n_tags].a = a;
        snprintf(tags[n_tags].tag, sizeof tags[n_tags].tag, "\"w%016llx\"", h);
        tag = tags[n_tags++].tag;
    }
    pthread_mutex_unlock(&lock);
    return tag;
}

static int h_static(srv_req *rq, srv_resp *rs)
{
    const char *path = page_of(rq->url);
    const srv_asset *a = srv_asset_find(path);
    if (!a && slash_redirect(rq, rs, rq->url))
        return 0;
    if (!a)
        return srv_error(rs, 404, "not found");
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        rs->allow = "GET, HEAD";
        return srv_error(rs, 405, "method %s not allowed here", rq->method);
    }
    rs->status = 200;
    rs->ctype = ctype_of(path);
    rs->body = (char *)a->data;
    rs->len = a->len;
    rs->body_static = 1;
    rs->cache = strstr(path, "/vendor/") ? "public, max-age=86400" : "no-cache";
    const char *tag = asset_etag(a);
    int gz = 0;
    if (a->gz) { /* the smaller form for a browser that takes it; each form has its own tag */
        rs->vary_encoding = 1;
        if ((gz = srv_accepts_gzip(srv_header(rq, "Accept-Encoding")))) {
            rs->body = (char *)a->gz;
            rs->len = a->gz_len;
            rs->encoding = "gzip";
        }
    }
    if (tag) {
        if (gz) /* "w<hash>" -> "w<hash>g" */
            snprintf(rs->etag, sizeof rs->etag, "%.*sg\"", (int)strlen(tag) - 1, tag);
        else
            snprintf(rs->etag, sizeof rs->etag, "%s", tag);
        if (srv_etag_match(srv_header(rq, "If-None-Match"), rs->etag)) {
            rs->status = 304; /* the browser's copy is this file */
            rs->body = NULL;
            rs->len = 0;
        }
    }
    return 0;
}

/* ================================ routing ================================ */

/* The query's parameters checked as a whole: a name given twice
 * ("limit=1&limit=2", "status=open&status=closed") would be read as its
 * first value, or as two filters that no row meets, and a name with no '='
 * ("?limit") as one not given; both are refused, naming the parameter. */
typedef struct query_check {
    const char *seen[64];
    int n;
    char bad[200];
} query_check;

static int check_param(void *u, const char *k, const char *v)
{
    query_check *q = u;
    (void)v;
    for (int i = 0; i < q->n; i++)
        if (!strcmp(q->seen[i], k)) {
            snprintf(q->bad, sizeof q->bad, "%.60s: the query parameter is given more than once", k);
            return 1;
        }
    if (q->n == (int)(sizeof q->seen / sizeof q->seen[0])) {
        snprintf(q->bad, sizeof q->bad, "more than %d query parameters", q->n);
        return 1;
    }
    q->seen[q->n++] = k;
    return 0;
}

int srv_route(srv_req *rq, srv_resp *rs)
{
    char seg[8][SRV_SEG];
    int n = srv_split_path(rq->url, seg, 8);
    if (n < 0)
        return srv_error(rs, 400, "malformed path");
    if (n >= 1 && !strcmp(seg[0], "tiles")) {
        if (n >= 2 && !strcmp(seg[1], "risk"))
            return h_tile(rq, rs, seg, n);
        return srv_error(rs, 404, "no such tile layer");
    }
    if (n == 0 || strcmp(seg[0], "api"))
        return h_static(rq, rs);
    query_check qc;
    qc.n = 0;
    qc.bad[0] = '\0';
    srv_args(rq, check_param, &qc);
    if (qc.bad[0])
        return srv_error(rs, 400, "%s", qc.bad);
    if (n == 1)
        return srv_error(rs, 404, "see /api/health and docs/http-api.md");
    const char *a = seg[1];
    if (n == 2 && !strcmp(a, "health")) {
        if (!srv_method_is(rq, rs, "GET"))
            return 0;
        return srv_json(rs, 200, strdup("{\"ok\":true,\"version\":\"" DM_VERSION_STRING "\"}"));
    }
    if (!strcmp(a, "public")) {
        rq->is_public = 1;
        if (n == 3 && !strcmp(seg[2], "danger"))
            return h_danger(rq, rs);
        if (n == 3 && !strcmp(seg[2], "check"))
            return h_check(rq, rs);
        if (n == 3 && !strcmp(seg[2], "messages"))
            return h_messages(rq, rs);
        if (n == 3 && !strcmp(seg[2], "route"))
            return h_route(rq, rs, 1);
        return srv_error(rs, 404, "no such public endpoint");
    }
    if (n == 2 && !strcmp(a, "login"))
        return srv_method_is(rq, rs, "POST") ? h_login(rq, rs) : 0;
    if (n == 2 && !strcmp(a, "logout"))
        return srv_method_is(rq, rs, "POST") ? h_logout(rq, rs) : 0;
    if (n == 2 && !strcmp(a, "me"))
        return srv_method_is(rq, rs, "GET") ? h_me(rq, rs) : 0;
    if (n == 2 && !strcmp(a, "users"))
        return srv_method_is(rq, rs, "GET") ? h_users(rq, rs) : 0;
    if (n == 2 && !strcmp(a, "layers"))
        return srv_method_is(rq, rs, "GET") ? h_layers(rq, rs) : 0;
    if (n == 2 && !strcmp(a, "stats"))
        return h_stats(rq, rs);
    if (n == 2 && !strcmp(a, "risk"))
        return h_risk_point(rq, rs);
    if (n == 3 && !strcmp(a, "risk") && !strcmp(seg[2], "line"))
        return h_risk_line(rq, rs);
    if (n == 3 && !strcmp(a, "risk") && !strcmp(seg[2], "refresh"))
        return srv_handle_refresh(rq, rs);
    if (n == 3 && !strcmp(a, "risk") && !strcmp(seg[2], "explain"))
        return h_risk_explain(rq, rs);
    if (n == 3 && !strcmp(a, "risk") && !strcmp(seg[2], "map"))
        return h_risk_map(rq, rs);
    if (n == 2 && !strcmp(a, "route"))
        return h_route(rq, rs, 0);
    if (n == 3 && !strcmp(a, "route") && !strcmp(seg[2], "check"))
        return h_route_check(rq, rs);
    if (n == 2 && !strcmp(a, "plan"))
        return h_plan(rq, rs);
    if (n == 2 && !strcmp(a, "qc"))
        return h_qc(rq, rs);
    if (n == 2 && !strcmp(a, "eore"))
        return h_eore(rq, rs);
    if (!strcmp(a, "reports"))
        return srv_handle_reports(rq, rs, seg, n);
    if (n == 2 && !strcmp(a, "deleted"))
        return srv_handle_deleted(rq, rs);
    const dm_layer_def *l = dm_layer_find(a);
    if (!l || strcmp(l->name, a))
        return srv_error(rs, 404, "no layer or endpoint '%s'", a);
    if (n == 2 && !strcmp(rq->method, "POST"))
        return srv_handle_create(rq, rs, l);
    if (n == 2 && strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        /* a layer is read and added to (srv_edit.c) */
        rs->allow = "GET, HEAD, POST";
        return srv_error(rs, 405, "method %s not allowed here (use GET, or POST to add a row)", rq->method);
    }
    if (n == 2)
        return h_list(rq, rs, l);
    if (n == 3 && !strcmp(rq->method, "PATCH"))
        return srv_handle_edit(rq, rs, l, seg[2]);
    if (n == 3 && !strcmp(rq->method, "DELETE"))
        return srv_handle_delete(rq, rs, l, seg[2]);
    if (n == 3 && strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        /* a row is read, edited and deleted: its 405 names them */
        rs->allow = "GET, HEAD, PATCH, DELETE";
        return srv_error(rs, 405, "method %s not allowed here (use GET, PATCH to edit the row or DELETE)",
                         rq->method);
    }
    if (n == 3)
        return h_row(rq, rs, l, seg[2], 0);
    if (n == 4 && !strcmp(seg[3], "history"))
        return h_row(rq, rs, l, seg[2], 1);
    if (n == 4 && (!strcmp(seg[3], "report.pdf") || !strcmp(seg[3], "report.html")) && !strcmp(l->name, "hazards"))
        return srv_handle_hazard_report(rq, rs, seg[2], !strcmp(seg[3], "report.html"));
    if (n == 4 && !strcmp(seg[3], "restore"))
        return srv_method_is(rq, rs, "POST") ? srv_handle_restore(rq, rs, l, seg[2]) : 0;
    return srv_error(rs, 404, "no such endpoint");
}
