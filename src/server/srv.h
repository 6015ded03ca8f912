/* SPDX-License-Identifier: MIT
 *
 * srv.h -- what the files of the HTTP service share: configuration, the
 * per-thread state (one context, store and risk map per worker thread), the
 * request and response records, the JSON text buffer, the request parsers
 * (kept free of I/O so that they can be fuzzed) and the handlers.
 *
 * The server uses only the public library API (include/demine/).
 */
#ifndef DM_SRV_H
#define DM_SRV_H

#include "demine/demine.h"

#include <stddef.h>

/* ---- configuration ---- */
typedef struct srv_config {
    const char *db;
    const char *bind;    /* address, default 127.0.0.1 */
    int port;            /* 0: any free port */
    int threads;         /* worker threads */
    size_t max_body;     /* bytes */
    long session_ttl_s;
    int quiet;
    const char *trust_proxy; /* a reverse proxy's address: its requests' client is the
                              * last address of X-Forwarded-For (NULL: none) */
    /* The public route's limits (serve --route-*; 0: the defaults below) */
    int route_per_min;      /* queries a client may make a minute (and at once) */
    double route_max_m;     /* farthest apart its two points may be (ground metres) */
    double route_margin_m;  /* search window: the points' box grown by this */
    int max_conn_per_ip;    /* open connections one client address may hold (0: no limit) */
} srv_config;

#define SRV_MAX_CONN_PER_IP 256   /* default of max_conn_per_ip (without --trust-proxy) */
#define SRV_MAX_CONN 2000         /* open connections in all */
#define SRV_CONN_TIMEOUT_S 30     /* an idle or stalled connection is closed after this */

/* Logins whose passwords are checked at once (each an Argon2id hash of 64
 * MiB, srv_api.c): as many as the cores, at most SRV_LOGIN_MAX_RUNNING;
 * up to twice as many more wait their turn, at most SRV_LOGIN_WAIT_S, as
 * long as half the worker threads stay free; a login beyond is 503 with
 * Retry-After: SRV_LOGIN_RETRY_S. */
#define SRV_LOGIN_MAX_RUNNING 4
#define SRV_LOGIN_WAIT_S 5
#define SRV_LOGIN_RETRY_S 2
/* The limits for `threads` worker threads on this machine. */
void srv_login_limits(int threads, int *running, int *waiting);

#define SRV_ROUTE_PER_MIN 20                     /* default of route_per_min */
#define SRV_ROUTE_MAX_M DM_ROUTE_PUBLIC_MAX_M    /* default of route_max_m (10 km) */
#define SRV_ROUTE_MARGIN_M 2000.0                /* default of route_margin_m */

/* Run until SIGINT/SIGTERM. Prints "listening on http://ADDR:PORT/" once
 * ready. Returns a process exit code. */
int srv_run(dm_ctx *ctx, const srv_config *cfg);

/* ---- text buffer with JSON helpers ---- */
typedef struct srv_buf {
    char *data;
    size_t len, cap;
    int oom;
} srv_buf;
void sb_init(srv_buf *b);
void sb_free(srv_buf *b);
void sb_add(srv_buf *b, const char *s, size_t n);
void sb_puts(srv_buf *b, const char *s);
void sb_printf(srv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_json_str(srv_buf *b, const char *s); /* quoted, escaped; NULL -> null; bytes not
                                              * UTF-8 -> U+FFFD */
void sb_json_num(srv_buf *b, double v);      /* non-finite -> null */
char *sb_take(srv_buf *b);                   /* malloc'd string; b empty */

/* ---- parsers (pure; fuzzed by tests/fuzz/fuzz_request.c) ---- */
/* "minx,miny,maxx,maxy" in WGS 84; 1 when valid. */
int srv_parse_bbox(const char *s, double out[4]);
/* Whole decimal number in [min, max]; 1 when valid. */
int srv_parse_long(const char *s, long min, long max, long *out);
/* Finite decimal number; 1 when valid. */
int srv_parse_double(const char *s, double *out);
/* Split an already-decoded URL path into at most max segments of < 128
 * bytes; refuses "..", empty segments in the middle, control characters
 * and backslashes. Returns the number of segments or -1. */
#define SRV_SEG 128
int srv_split_path(const char *path, char seg[][SRV_SEG], int max);
/* Tile address "z", "x", "y.png" -> numbers, checked against the grid
 * (z <= 22). Returns 1 when valid. */
int srv_parse_tile(const char *zs, const char *xs, const char *ys, const char *ext, int *z,
                   int *x, int *y);
/* Does an If-None-Match header value ("*", or a list of possibly weak
 * quoted tags) name etag (quoted)? 1 when it does. */
int srv_etag_match(const char *if_none_match, const char *etag);
/* Does an If-Match header value (a list of quoted tags) name etag (quoted)
 * by strong comparison? Weak tags (W/"...") and "*" never match: an edit
 * must name the version it was made from. 1 when it does. */
int srv_if_match(const char *if_match, const char *etag);
/* "lon,lat;lon,lat;..." (2-1000 points) -> malloc'd pairs. 1 when valid. */
int srv_parse_line(const char *s, double **xy, size_t *n);

/* A parsed field report: the activity, the items found and the new hazard
 * it proposes, if any. */
typedef struct srv_report {
    dm_row *activity;
    dm_row **items;
    size_t n_items;
    double activity_ha; /* the activity polygon's area (ha); NAN without one */
    dm_row *hazard;     /* the hazard proposed ("hazard"), or NULL */
    double hazard_ha;   /* its polygon's area (ha); NAN without one */
    char err[600];      /* why parsing failed */
} srv_report;
/* Parse a report body (JSON, see docs/http-api.md) into rows (not yet
 * checked against the database). A proposed hazard is a Feature or a flat
 * object of fields, as POST /api/hazards takes it, without a reason; with
 * no geometry it gets the activity's. On failure returns DM_EPARSE/DM_EGEOM
 * with out->err naming the feature ("items[2]", "hazard") and field. */
dm_status srv_report_parse(dm_ctx *ctx, const char *body, size_t len, srv_report *out);
void srv_report_free(srv_report *r);
/* A parsed row edit (PATCH /api/{layer}/{id}): the fields and geometry to
 * change, and the reason given. An activity's status is refused (reports
 * are approved or rejected by review). */
typedef struct srv_patch {
    dm_row *row;  /* the fields set (NULL clears one); geometry set when given */
    char *reason; /* malloc'd, as sent (NULL when missing or null) */
    char err[600];
} srv_patch;
/* Parse an edit's body: {"properties": {FIELD: VALUE, ...}, "geometry":
 * GeoJSON or null, "reason": "..."} (a feature as GET returns it; its uuid,
 * layer, created, updated and author are the server's and ignored), or a
 * flat object of fields with optional "geometry" and "reason" members. A
 * missing "geometry" leaves the geometry; null removes it. On failure
 * returns DM_EPARSE/DM_EGEOM with out->err naming the field; out holds
 * nothing to free then. Otherwise free with srv_patch_free. */
dm_status srv_patch_parse(dm_ctx *ctx, const dm_layer_def *l, const char *body, size_t len,
                          srv_patch *out);
void srv_patch_free(srv_patch *p);
/* Parse {"key": "string", ...} and return the string value of key, malloc'd,
 * or NULL when missing (or null) or not a string. *bad is 1 when the body is
 * not a JSON object, 2 when key holds something other than a string or
 * null (a number, an array, ...), else 0. */
char *srv_json_get_str(const char *body, size_t len, const char *key, int *bad);

/* ---- per-thread state ---- */
typedef struct srv_thread {
    dm_ctx *ctx;
    dm_store *store;
    dm_riskmap *risk;
    char *risk_path;
    long long risk_mtime;       /* the map file's time (seconds) */
    unsigned long long risk_version; /* its identity: path, time (ns), size, inode */
    double risk_checked;
    dm_route_roads *roads;      /* cleared roads for routes, reloaded now and then */
    double roads_time;
    dm_geom *danger;            /* the danger zones within reach of the UTM zone last
                                 * asked in, in its metres (NULL: none) */
    dm_transform *danger_fwd;   /* WGS 84 -> that UTM zone */
    char danger_crs[32];        /* that zone, "EPSG:n" */
    unsigned long danger_gen;
    double danger_time;
    struct {                  /* sessions checked in the last seconds */
        char token[DM_TOKEN_HEX + 1];
        dm_user user;
        double checked;
        long long expires;    /* the session's end (Unix seconds) */
        unsigned long gen;
    } auth_cache[8];
    unsigned auth_next;
} srv_thread;

/* ---- requests and responses ---- */
typedef struct srv_req {
    void *conn; /* struct MHD_Connection */
    const char *method;
    const char *url;
    const char *body;
    size_t body_len;
    char client[64];
    int authed;   /* 1: a live session; -1: a bad or expired token; -2: the
                   * session could not be checked (auth_st, auth_err say why);
                   * 0: no token */
    dm_status auth_st;
    char auth_err[256];
    dm_user user; /* role DM_ROLE_PUBLIC when not logged in */
    char token[DM_TOKEN_HEX + 1];
    int is_public; /* 1: an /api/public/ request: a failure is told in general
                    * words, its reason (a file's path, the database's words) goes
                    * to the server's log only */
    int https;    /* 1: the trusted reverse proxy (--trust-proxy) says the client
                   * came over HTTPS (X-Forwarded-Proto): the session cookie is
                   * then Secure and named SRV_COOKIE_HTTPS */
    srv_thread *t;
    const srv_config *cfg;
} srv_req;

typedef struct srv_resp {
    int status;
    const char *ctype;
    char *body;          /* malloc'd unless body_static */
    size_t len;
    int body_static;
    const char *cache;   /* Cache-Control value or NULL */
    char etag[48];       /* ETag value (quoted) or empty */
    char location[160];  /* Location of a redirect or empty */
    char set_cookie[224];
    long retry_after;
    const char *risk_refresh; /* Risk-Refresh value ("started", "queued") or NULL */
    const char *allow;        /* Allow value of a 405 ("GET, HEAD") or NULL */
    const char *encoding;     /* Content-Encoding of the body ("gzip") or NULL */
    int vary_encoding;        /* 1: the body depends on Accept-Encoding (Vary) */
} srv_resp;

/* The session cookie's name: over HTTPS (srv_req.https) a __Host- cookie,
 * which the browser takes only from this very host, Secure, with Path=/ and
 * no Domain, so that another subdomain of the site cannot plant one (a
 * Domain cookie it sets for the whole site); the request's session is read
 * from that name alone then. Plain HTTP keeps the plain name. */
#define SRV_COOKIE "dm_token"
#define SRV_COOKIE_HTTPS "__Host-dm_token"
#define SRV_COOKIE_NAME(rq) ((rq)->https ? SRV_COOKIE_HTTPS : SRV_COOKIE)

/* Query argument or NULL when not given ("" when given with no '='). */
const char *srv_arg(srv_req *rq, const char *key);
/* Iterate query arguments: calls fn for each; stops when fn returns nonzero. */
void srv_args(srv_req *rq, int (*fn)(void *u, const char *k, const char *v), void *u);

/* Response helpers (all return 0). */
int srv_json(srv_resp *rs, int status, char *json);          /* takes json (malloc'd) */
int srv_jbuf(srv_resp *rs, int status, srv_buf *b);          /* takes the buffer */
int srv_error(srv_resp *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 404 "no WHAT with id or ref 'ID'", worded as dm_store_resolve words a row
 * that does not exist: a row the user may not see (another organisation's
 * draft report) is answered the same, so that its ref cannot be probed. */
int srv_error_no_row(srv_resp *rs, const char *what, const char *id);
/* Error from the context's last failure, with the HTTP code of st. */
int srv_fail(srv_resp *rs, srv_req *rq, dm_status st);
/* The same with the message given (a busy database, DM_EBUSY, is a 503
 * with Retry-After saying that nothing was changed). */
int srv_fail_msg(srv_resp *rs, srv_req *rq, dm_status st, const char *msg);
int srv_status_of(dm_status st);

/* Generation counter: bumped by every write made through the server, so
 * caches of derived answers know when to recompute. */
unsigned long srv_generation(void);
void srv_bump_generation(void);
/* Bumped by every logout through the server: forget cached sessions. */
void srv_bump_auth_generation(void);

/* Handlers: dispatch on the path segments. */
int srv_route(srv_req *rq, srv_resp *rs);
/* A thread's start routine (arg: the database path): make the hazards in
 * force that avoid_hazards=1 routes keep out of, once, before the first
 * such request needs them (0.8 s on a national database). Does nothing
 * without a risk map. */
void *srv_route_prewarm(void *db);
int srv_handle_reports(srv_req *rq, srv_resp *rs, char seg[][SRV_SEG], int n);
/* GET /api/hazards/{id}/report.pdf, or with html report.html
 * (srv_hazard_report.c). */
int srv_handle_hazard_report(srv_req *rq, srv_resp *rs, const char *id, int html);
/* The risk map refreshed in the background (srv_refresh.c): start one (0),
 * or ask for one more after the running one (1); -1 when no thread could
 * start. why: what asked for it; who: the user, the author of the hazards'
 * changes in the change log. srv_refresh_wait waits for the running one
 * (at shutdown). */
int srv_refresh_request(const char *db, const char *why, const char *who);
void srv_refresh_wait(void);
int srv_handle_refresh(srv_req *rq, srv_resp *rs);
/* Per-thread risk map (reopened when the file changes); NULL with a 404
 * already in rs when there is none. *version identifies the map file (its
 * path, time to the nanosecond, size and inode): tiles are cached, and
 * their ETag and URL key made, by it. */
dm_riskmap *srv_riskmap(srv_req *rq, srv_resp *rs, unsigned long long *version);
/* Header of the request or NULL. */
const char *srv_header(srv_req *rq, const char *name);

/* The ETag (quoted) of the row the cursor is on: a hash of its fields,
 * geometry, created, updated and author, so any change to it changes the
 * tag (srv_edit.c). */
dm_status srv_row_etag(srv_req *rq, dm_cursor *c, char etag[48]);
/* PATCH /api/{layer}/{id}: edit one row (analyst, admin) with If-Match. */
int srv_handle_edit(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id);

/* ---- creating and deleting rows (srv_edit.c; parser in srv_parse.c) ---- */
/* A parsed new row (POST /api/{layer}): its fields and geometry, the reason
 * given, and the area of its polygon (ha; NAN without one). */
typedef struct srv_create {
    dm_row *row;
    char *reason; /* malloc'd, as sent (NULL when missing or null) */
    double area_ha;
    char err[600];
} srv_create;
/* Parse a new row's body: a GeoJSON Feature {"type": "Feature",
 * "properties": {...}, "geometry": {...}, "reason": "..."} or a flat object
 * of fields with optional "geometry" and "reason" members. The server's own
 * properties (uuid, layer, created, updated, author) are ignored. Nothing
 * is checked against the database. On failure returns DM_EPARSE (not JSON:
 * out->err starts with "body") or DM_EGEOM with out->err naming the field,
 * and out holds nothing to free; otherwise free with srv_create_free. */
dm_status srv_create_parse(dm_ctx *ctx, const dm_layer_def *l, const char *body, size_t len,
                           srv_create *out);
void srv_create_free(srv_create *c);
/* A new hazard's remaining area as its state has it, unless r sets one:
 * all of the estimate (est_area_ha, else the polygon's polygon_ha) while
 * open, none once closed or handed over, unknown when partly released. */
dm_status srv_hazard_remaining(dm_row *r, double polygon_ha);
/* May the role create and delete rows of layer l over the API? 1 when it
 * may; otherwise 0 with the reason (and where to go instead) in why. */
int srv_layer_writable(dm_role role, const dm_layer_def *l, char *why, size_t n);
/* srv_layer_writable, or a layer of field reports' rows (items,
 * activities): a deleted row of which is listed and put back as it was. */
int srv_layer_restorable(dm_role role, const dm_layer_def *l, char *why, size_t n);
/* POST /api/{layer}: create one row (analyst, admin). 201 with its uuid. */
int srv_handle_create(srv_req *rq, srv_resp *rs, const dm_layer_def *l);
/* DELETE /api/{layer}/{id}: delete one row (analyst, admin) with If-Match
 * and a reason; refused (409) while other rows point at it. */
int srv_handle_delete(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *id);
/* GET /api/deleted?layer=&limit=&offset=: the rows deleted and not restored
 * since, of the layers the user may write, newest first, paged (analyst,
 * admin). */
int srv_handle_deleted(srv_req *rq, srv_resp *rs);
/* POST /api/{layer}/{uuid}/restore with {"reason": ...}: put a deleted row
 * back (analyst, admin). 404 when no such deleted row of the layer, 409 when
 * it is not deleted, 422 (naming the field) when its insertion is refused. */
int srv_handle_restore(srv_req *rq, srv_resp *rs, const dm_layer_def *l, const char *uuid);

/* Role and method guards: 0 when allowed; otherwise the 401/403/405 is in
 * rs (srv_method_is returns 1 when the method matches). */
int srv_need_login(srv_req *rq, srv_resp *rs);
int srv_need_role(srv_req *rq, srv_resp *rs, dm_role min);
int srv_method_is(srv_req *rq, srv_resp *rs, const char *m);
/* Append the cursor's row as a GeoJSON feature (personal fields hidden from
 * roles below analyst; tol > 0 simplifies). */
dm_status srv_emit_feature(srv_req *rq, srv_buf *b, dm_cursor *c, const dm_layer_def *l,
                           double tol, int with_geom);

/* Layer visibility by role. */
int srv_layer_readable(dm_role role, const dm_layer_def *l);
int srv_field_visible(dm_role role, const dm_field_def *f);

/* srv_gzip.c: 1 when an Accept-Encoding value takes gzip ("gzip", "x-gzip"
 * or "*" listed without q=0; a gzip given q=0 is refused under "*" too). */
int srv_accepts_gzip(const char *accept_encoding);
/* in (n bytes) gzipped at level 1-9 into *out (malloc'd, *out_len bytes);
 * 0, or -1 when out of memory. */
int srv_gzip(const void *in, size_t n, int level, unsigned char **out, size_t *out_len);
/* Before sending: a dynamic text answer of 1 KiB or more (JSON, GeoJSON,
 * CSV, text; 200/201, with no ETag) is gzipped when the client takes it,
 * and marked Vary: Accept-Encoding either way. */
void srv_gzip_resp(srv_req *rq, srv_resp *rs);

/* Embedded web files (generated from web/ at build time). */
typedef struct srv_asset {
    const char *path;
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* the same gzipped (text files, when smaller), or NULL */
    size_t gz_len;
} srv_asset;
const srv_asset *srv_asset_find(const char *path);

#endif
