/* SPDX-License-Identifier: MIT
 *
 * srv_main.c -- the HTTP daemon on libmicrohttpd: a pool of worker threads,
 * each with its own library context and store (WAL, synchronous=FULL), body
 * collection with a size limit, authentication of the bearer token or
 * session cookie, and turning handler results into HTTP responses.
 */
#include "srv.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const srv_config *g_cfg;
static atomic_ulong g_gen = 1;
static atomic_ulong g_auth_gen = 1;

void srv_bump_auth_generation(void) { atomic_fetch_add(&g_auth_gen, 1); }

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Constant-time comparison of two session tokens. */
static int same_token(const char *a, const char *b)
{
    unsigned char d = 0;
    for (int i = 0; i < DM_TOKEN_HEX; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

unsigned long srv_generation(void) { return atomic_load(&g_gen); }
void srv_bump_generation(void) { atomic_fetch_add(&g_gen, 1); }

/* ============================ per-thread state ============================ */

static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static srv_thread *threads[256];
static int n_threads;
static _Thread_local srv_thread *tls;

static void thread_free(srv_thread *t)
{
    if (!t)
        return;
    dm_geom_free(t->danger);
    dm_transform_free(t->danger_fwd);
    dm_riskmap_free(t->risk);
    dm_route_roads_free(t->ctx, t->roads);
    dm_free(t->ctx, t->risk_path);
    dm_store_close(t->store);
    dm_ctx_free(t->ctx);
    free(t);
}

/* The calling worker's state, opened on first use. NULL on failure (the
 * reason is printed once). */
static srv_thread *thread_state(void)
{
    if (tls)
        return tls;
    srv_thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ctx = dm_ctx_new();
    dm_status st = t->ctx ? dm_store_open(t->ctx, g_cfg->db, 0, &t->store) : DM_ENOMEM;
    if (!st)
        st = dm_store_durable(t->store);
    if (st) {
        fprintf(stderr, "demine serve: %s\n", t->ctx ? dm_ctx_errmsg(t->ctx) : "out of memory");
        thread_free(t);
        return NULL;
    }
    pthread_mutex_lock(&threads_lock);
    if (n_threads < (int)(sizeof threads / sizeof threads[0]))
        threads[n_threads++] = t;
    pthread_mutex_unlock(&threads_lock);
    tls = t;
    return t;
}

/* ============================ responses ============================ */

int srv_status_of(dm_status st)
{
    switch (st) {
    case DM_OK: return 200;
    case DM_EINVAL:
    case DM_EPARSE: return 400;
    case DM_EGEOM: return 422;
    case DM_ENOTFOUND: return 404;
    case DM_ECONFLICT: return 409;
    case DM_EFORBIDDEN: return 403;
    case DM_EBUSY: return 503;
    default: return 500;
    }
}

int srv_json(srv_resp *rs, int status, char *json)
{
    rs->status = status;
    rs->ctype = "application/json; charset=utf-8";
    rs->body = json;
    rs->len = json ? strlen(json) : 0;
    if (!json) {
        rs->status = 500;
        rs->body = (char *)"{\"error\":\"out of memory\"}";
        rs->len = strlen(rs->body);
        rs->body_static = 1;
    }
    return 0;
}

int srv_jbuf(srv_resp *rs, int status, srv_buf *b)
{
    if (b->oom) {
        sb_free(b);
        return srv_json(rs, 500, NULL);
    }
    return srv_json(rs, status, sb_take(b));
}

int srv_error(srv_resp *rs, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv_buf b;
    sb_init(&b);
    sb_puts(&b, "{\"error\":");
    sb_json_str(&b, msg);
    sb_printf(&b, ",\"status\":%d}", status);
    return srv_jbuf(rs, status, &b);
}

int srv_error_no_row(srv_resp *rs, const char *what, const char *id)
{
    size_t n = strlen(id), hex = strspn(id, "0123456789abcdefABCDEF-");
    return srv_error(rs, 404, "no %s with id or ref '%s'%s", what, id,
                     n < 8 && hex == n ? " (a uuid prefix needs at least 8 characters)" : "");
}

int srv_fail(srv_resp *rs, srv_req *rq, dm_status st)
{
    return srv_fail_msg(rs, rq, st, dm_ctx_errmsg(rq->t->ctx));
}

int srv_fail_msg(srv_resp *rs, srv_req *rq, dm_status st, const char *msg)
{
    int code = srv_status_of(st);
    if (code >= 500 || rq->is_public)
        fprintf(stderr, "demine serve: %s %s: %s\n", rq->method, rq->url, msg);
    if (rq->is_public) {
        /* anyone may ask: the reason stays in the log */
        if (code == 503)
            rs->retry_after = 5;
        return srv_error(rs, code == 503 ? 503 : 500, "%s",
                         code == 503 ? "the server is busy; try again in a few seconds"
                                     : "the server cannot answer this now");
    }
    if (code == 503) {
        /* the database is locked by another program (a long import, an
         * open transaction in sqlite3 or QGIS): the handlers roll back what
         * they began, and the client may try again */
        rs->retry_after = 5;
        /* the library's message says it already (the program, what to do) */
        if (strstr(msg, "locked by another program"))
            return srv_error(rs, code, "the database is busy: %s", msg);
        return srv_error(rs, code,
                         "the database is busy (locked by another program for more than 5 s); "
                         "the request was not carried out, try again: %s",
                         msg);
    }
    return srv_error(rs, code, "%s", msg);
}

/* ============================ query arguments ============================ */

const char *srv_arg(srv_req *rq, const char *key)
{
    /* a name with no '=' ("?limit") is one given empty, as srv_args has it,
     * so that it is refused as a bad value rather than read as missing */
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n((struct MHD_Connection *)rq->conn, MHD_GET_ARGUMENT_KIND, key,
                                      strlen(key), &v, &n) != MHD_YES)
        return NULL;
    return v ? v : "";
}

const char *srv_header(srv_req *rq, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)rq->conn, MHD_HEADER_KIND, name);
}

typedef struct {
    int (*fn)(void *u, const char *k, const char *v);
    void *u;
    int stop;
} args_iter;

static enum MHD_Result arg_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    (void)kind;
    args_iter *it = cls;
    if (it->stop)
        return MHD_NO;
    it->stop = it->fn(it->u, key, value ? value : "");
    return it->stop ? MHD_NO : MHD_YES;
}

void srv_args(srv_req *rq, int (*fn)(void *u, const char *k, const char *v), void *u)
{
    args_iter it = {fn, u, 0};
    MHD_get_connection_values((struct MHD_Connection *)rq->conn, MHD_GET_ARGUMENT_KIND, arg_cb,
                              &it);
}

/* ============================ connections ============================ */

typedef struct conn_state {
    char *body;
    size_t len, cap;
    int too_big;
    int started;  /* the handler has seen the request's headers */
    int nul;      /* the URL or its query decodes to a NUL byte */
} conn_state;

/* Does the raw request target hold "%00"? libmicrohttpd decodes the path and
 * the query before the handler sees them, and a decoded NUL byte would cut
 * them short ("/api/hazards%00/x" read as "/api/hazards"): such requests are
 * refused, not answered for a shorter URL than was asked. */
static int has_encoded_nul(const char *uri)
{
    for (const char *p = uri; (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

/* Called by libmicrohttpd with the request target as sent, before it is
 * decoded; what it returns is the request's context (*con_cls). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    conn_state *cs = calloc(1, sizeof *cs);
    if (cs && uri)
        cs->nul = has_encoded_nul(uri);
    return cs;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    conn_state *cs = *con_cls;
    if (cs) {
        free(cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

static enum MHD_Result send_resp(struct MHD_Connection *c, srv_resp *rs)
{
    struct MHD_Response *r;
    if (rs->body_static || !rs->body)
        r = MHD_create_response_from_buffer(rs->len, rs->body ? rs->body : (char *)"",
                                            MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        if (!rs->body_static)
            free(rs->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", rs->ctype ? rs->ctype : "text/plain");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", rs->cache ? rs->cache : "no-store");
    if (rs->ctype && !strncmp(rs->ctype, "text/html", 9)) {
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data: blob: "
                                "https://tile.openstreetmap.org; style-src 'self' "
                                "'unsafe-inline'; frame-ancestors 'none'");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
    }
    if (rs->set_cookie[0])
        MHD_add_response_header(r, "Set-Cookie", rs->set_cookie);
    if (rs->etag[0])
        MHD_add_response_header(r, "ETag", rs->etag);
    if (rs->location[0])
        MHD_add_response_header(r, "Location", rs->location);
    if (rs->retry_after > 0) {
        char ra[32];
        snprintf(ra, sizeof ra, "%ld", rs->retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    if (rs->status == 405 && rs->allow)
        MHD_add_response_header(r, "Allow", rs->allow); /* required with a 405 (RFC 9110) */
    if (rs->risk_refresh)
        MHD_add_response_header(r, "Risk-Refresh", rs->risk_refresh);
    if (rs->encoding && rs->body)
        MHD_add_response_header(r, "Content-Encoding", rs->encoding);
    if (rs->vary_encoding)
        MHD_add_response_header(r, "Vary", "Accept-Encoding"); /* a cache keeps both forms apart */
    if (rs->status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"demine\"");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* The client's address, which the login and public-route limits count:
 * the peer's, or, when the peer is the trusted reverse proxy (--trust-proxy),
 * the last address of its X-Forwarded-For (the one the proxy added; what the
 * client itself sent before it cannot be trusted). Returns 1 when the peer
 * is the trusted proxy. */
static int client_of(struct MHD_Connection *c, char out[64])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return 0;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
    if (!g_cfg->trust_proxy || strcmp(out, g_cfg->trust_proxy))
        return 0;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return 1;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    size_t n = strcspn(last, " \t");
    char addr[64];
    unsigned char bin[sizeof(struct in6_addr)];
    if (n == 0 || n >= sizeof addr)
        return 1;
    memcpy(addr, last, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1)
        memcpy(out, addr, n + 1);
    return 1;
}

/* Did the client reach the trusted proxy over HTTPS? The last value of its
 * X-Forwarded-Proto (the one the proxy set), read only from the proxy. */
static int forwarded_https(struct MHD_Connection *c)
{
    const char *p = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    if (!p)
        return 0;
    const char *last = strrchr(p, ',');
    last = last ? last + 1 : p;
    last += strspn(last, " \t");
    size_t n = strcspn(last, " \t");
    return n == 5 && !strncasecmp(last, "https", 5);
}

/* A state-changing request (any method but GET and HEAD) that a browser
 * sent for a page of another origin (Sec-Fetch-Site: cross-site, or
 * same-site: another port or subdomain of the same site, which
 * SameSite=Strict does not keep the session cookie from), without a bearer
 * token (which such a page cannot set without CORS, which the server never
 * allows): a forged request riding on the cookie, or a login forced on the
 * browser. The value that makes it one into *site; 0 when the request is
 * none. Clients that send no Sec-Fetch-Site (curl, scripts, older
 * browsers) are not concerned; the web map's own requests are same-origin. */
static int cross_site_write(struct MHD_Connection *c, const char *method, const char **site)
{
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return 0;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        return 0;
    *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
    return *site && strcasecmp(*site, "same-origin") && strcasecmp(*site, "none");
}

/* Unix time of a session's expiry "YYYY-MM-DDTHH:MM:SSZ" (dm_user.expires);
 * 0, long past, when it cannot be read: such a session is not cached. */
static long long expiry_of(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char z = 0;
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &z) != 7 || z != 'Z')
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

/* The value of the cookie named exactly `name` (the first one) in the
 * request's Cookie headers. libmicrohttpd's own lookup ignores case, and
 * would take a "__host-dm_token" another subdomain planted (a browser that
 * checks the __Host- prefix case-sensitively lets it set one) for the
 * session cookie. */
typedef struct cookie_find {
    const char *name;
    char value[DM_TOKEN_HEX + 2]; /* a longer value is cut to one too long */
    int found;
} cookie_find;

static enum MHD_Result cookie_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    cookie_find *f = cls;
    if (f->found || !key || !value || strcasecmp(key, "Cookie"))
        return MHD_YES;
    size_t nl = strlen(f->name);
    for (const char *p = value; *p;) {
        p += strspn(p, " \t;");
        size_t pair = strcspn(p, ";");
        const char *eq = memchr(p, '=', pair);
        if (eq && (size_t)(eq - p) == nl && !memcmp(p, f->name, nl)) {
            const char *v = eq + 1;
            size_t n = (size_t)(p + pair - v);
            while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
                v++, n -= 2;
            if (n > sizeof f->value - 1)
                n = sizeof f->value - 1;
            memcpy(f->value, v, n);
            f->value[n] = '\0';
            f->found = 1;
            return MHD_NO;
        }
        p += pair;
    }
    return MHD_YES;
}

static void authenticate(srv_req *rq, struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *tok = NULL;
    /* over HTTPS the __Host- cookie alone (SRV_COOKIE_NAME): a plain
     * dm_token there may be another subdomain's */
    cookie_find cookie = {SRV_COOKIE_NAME(rq), "", 0};
    if (auth && !strncasecmp(auth, "Bearer ", 7)) {
        tok = auth + 7;
    } else {
        MHD_get_connection_values(c, MHD_HEADER_KIND, cookie_header, &cookie);
        tok = cookie.found ? cookie.value : NULL;
    }
    rq->user.role = DM_ROLE_PUBLIC;
    if (!tok || !*tok)
        return;
    rq->authed = -1; /* a token was given; -1 until proven good */
    if (strlen(tok) != DM_TOKEN_HEX) {
        rq->user.role = DM_ROLE_PUBLIC;
        return;
    }
    /* A session checked in the last 5 s by this thread is trusted without
     * asking the database again (logouts through the server clear this at
     * once; a user deleted on the command line is refused within 5 s), but
     * never past its expiry, which every hit compares with the clock as the
     * database's check does. */
    srv_thread *t = rq->t;
    double now = mono_s();
    long long wall = (long long)time(NULL);
    unsigned long gen = atomic_load(&g_auth_gen);
    for (int i = 0; i < 8; i++) {
        if (t->auth_cache[i].gen == gen && now - t->auth_cache[i].checked < 5 &&
            same_token(t->auth_cache[i].token, tok)) {
            if (t->auth_cache[i].expires < wall) {
                t->auth_cache[i].gen = 0; /* expired: forget it, ask the database */
                break;
            }
            rq->user = t->auth_cache[i].user;
            rq->authed = 1;
            memcpy(rq->token, tok, DM_TOKEN_HEX + 1);
            dm_ctx_set_author(t->ctx, rq->user.name);
            return;
        }
    }
    dm_status st = dm_auth_check(rq->t->store, tok, &rq->user);
    if (st == DM_OK) {
        unsigned k = t->auth_next++ % 8;
        memcpy(t->auth_cache[k].token, tok, DM_TOKEN_HEX + 1);
        t->auth_cache[k].user = rq->user;
        t->auth_cache[k].checked = now;
        t->auth_cache[k].expires = expiry_of(rq->user.expires);
        t->auth_cache[k].gen = gen;
        rq->authed = 1;
        memcpy(rq->token, tok, DM_TOKEN_HEX + 1);
        dm_ctx_set_author(rq->t->ctx, rq->user.name);
    } else {
        /* A token that is unknown or expired is a 401; a database that cannot
         * be read now (locked, damaged) is not the user's fault and must not
         * log the web map out: 503/500 with the reason (srv_need_login). */
        if (st != DM_EFORBIDDEN) {
            rq->authed = -2;
            rq->auth_st = st;
            snprintf(rq->auth_err, sizeof rq->auth_err, "%s", dm_ctx_errmsg(rq->t->ctx));
        }
        rq->user.role = DM_ROLE_PUBLIC;
        dm_ctx_clear_error(rq->t->ctx);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
    }
    if (!cs->started) {
        cs->started = 1;
        if (cs->nul) {
            srv_resp rs = {0};
            srv_error(&rs, 400, "the URL holds an encoded NUL byte (%%00)");
            return send_resp(c, &rs);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > g_cfg->max_body) {
            cs->too_big = 1;
            srv_resp rs = {0};
            srv_error(&rs, 413, "request body larger than %zu bytes", g_cfg->max_body);
            return send_resp(c, &rs);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->too_big) {
            if (cs->len + *upload_size > g_cfg->max_body) {
                cs->too_big = 1;
                free(cs->body);
                cs->body = NULL;
                cs->len = cs->cap = 0;
            } else {
                if (cs->len + *upload_size + 1 > cs->cap) {
                    size_t nc = (cs->len + *upload_size + 1) * 2;
                    if (nc > g_cfg->max_body + 1)
                        nc = g_cfg->max_body + 1;
                    char *nb = realloc(cs->body, nc);
                    if (!nb)
                        return MHD_NO;
                    cs->body = nb;
                    cs->cap = nc;
                }
                memcpy(cs->body + cs->len, upload, *upload_size);
                cs->len += *upload_size;
                cs->body[cs->len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    srv_resp rs = {0};
    if (cs->too_big) {
        srv_error(&rs, 413, "request body larger than %zu bytes", g_cfg->max_body);
        return send_resp(c, &rs);
    }
    srv_thread *t = thread_state();
    if (!t) {
        srv_error(&rs, 503, "the database cannot be opened");
        return send_resp(c, &rs);
    }
    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.conn = c;
    rq.method = method;
    rq.url = url;
    rq.body = cs->body;
    rq.body_len = cs->len;
    rq.t = t;
    rq.cfg = g_cfg;
    rq.https = client_of(c, rq.client) && forwarded_https(c);
    dm_ctx_clear_error(t->ctx);
    dm_ctx_set_author(t->ctx, "anonymous");
    const char *site = NULL;
    if (cross_site_write(c, method, &site)) {
        srv_error(&rs, 403,
                  "%s request from another site (Sec-Fetch-Site: %.40s) refused: the API "
                  "takes changes from its own pages, or with an Authorization: Bearer token",
                  method, site);
        return send_resp(c, &rs);
    }
    authenticate(&rq, c);
    srv_route(&rq, &rs);
    if (!rs.status)
        srv_error(&rs, 500, "no response");
    srv_gzip_resp(&rq, &rs);
    return send_resp(c, &rs);
}

/* ================================ running ================================ */

int srv_run(dm_ctx *ctx, const srv_config *cfg)
{
    g_cfg = cfg;
    /* Create the auth tables and switch the file to WAL once, up front. */
    dm_store *s = NULL;
    dm_status st = dm_store_open(ctx, cfg->db, 0, &s);
    if (!st)
        st = dm_store_durable(s);
    if (!st)
        st = dm_auth_init(s);
    /* no user yet: nobody can sign in to the staff map (the public map
     * works); said once, with the command that adds one */
    char *users = NULL;
    int no_users = !st && dm_auth_user_list_json(s, &users) == DM_OK && users && !strcmp(users, "[]");
    dm_free(ctx, users);
    dm_store_close(s);
    if (st) {
        fprintf(stderr, "demine serve: %s\n", dm_ctx_errmsg(ctx));
        return st == DM_EBUSY || st == DM_EIO ? 3 : 4;
    }
    if (no_users && !cfg->quiet)
        fprintf(stderr,
                "note: %s has no users yet: nobody can sign in to the staff map (the public danger map "
                "works); add one with `demine user add %s NAME --role admin`\n",
                cfg->db, cfg->db);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->bind, &sa.sin_addr) != 1) {
        fprintf(stderr, "demine serve: --bind: '%s' is not an IPv4 address\n", cfg->bind);
        return 2;
    }
    /* Every connection is a file descriptor: a soft limit of 1024 (the
     * usual default, systemd's too) would refuse connections long before
     * the 2000 the server keeps, and so before the per-address limit could
     * share them out. Raise it as far as the hard limit allows. */
    struct rlimit rl;
    rlim_t want = (rlim_t)SRV_MAX_CONN + 512; /* and the database, the risk map, the logs */
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by the workers */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG,
        (uint16_t)cfg->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_done, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)SRV_CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, (unsigned)SRV_MAX_CONN,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_conn_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        1024u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "demine serve: cannot listen on %s:%d (in use, or not allowed)\n",
                cfg->bind, cfg->port);
        return 3;
    }
    /* the hazards routes keep out of, made while the server waits for its
     * first requests (joined at the stop) */
    pthread_t warm;
    int warming = pthread_create(&warm, NULL, srv_route_prewarm, (void *)cfg->db) == 0;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = di ? di->port : cfg->port;
    printf("listening on http://%s:%d/ (database %s, %d threads)\n", cfg->bind, port, cfg->db,
           cfg->threads);
    fflush(stdout);
    int sig = 0;
    sigdelset(&set, SIGPIPE);
    sigwait(&set, &sig);
    if (!cfg->quiet)
        fprintf(stderr, "demine serve: stopping (signal %d)\n", sig);
    MHD_stop_daemon(d);
    if (warming)
        pthread_join(warm, NULL);
    srv_refresh_wait(); /* a refresh in flight finishes its transaction */
    pthread_mutex_lock(&threads_lock);
    for (int i = 0; i < n_threads; i++)
        thread_free(threads[i]);
    n_threads = 0;
    pthread_mutex_unlock(&threads_lock);
    return 0;
}
