/* SPDX-License-Identifier: MIT
 *
 * srvtest.c -- the fixture of the server's row and report tests: a small
 * database (hazards H-1 and H-2, an item, the organisation HALO, users ana
 * (analyst), fld (field, HALO) and adm (admin)), `demine serve` started on a
 * free port in the test's directory and stopped, and requests with curl.
 */
#include "srvtest.h"

#include <signal.h>
#include <strings.h>
#include <unistd.h>

char srvtest_base[128];
static int srv_pid;

void srvtest_insert_wkt(dm_store *s, const char *layer, const char *wkt, const char **kv, char uuid[37])
{
    dm_ctx *ctx = dmtest_ctx();
    dm_row *r = dm_row_new(ctx, dm_layer_find(layer));
    for (int i = 0; kv[i]; i += 2)
        ASSERT_OK(dm_row_set(r, kv[i], kv[i + 1]));
    if (wkt) {
        dm_geom *g = NULL;
        ASSERT_OK(dm_geom_from_wkt(ctx, wkt, &g));
        dm_row_set_geom(r, g);
    }
    ASSERT_OK(dm_store_insert(s, r, uuid));
    dm_row_free(r);
}

/* Hazards H-1 (an item points at it) and H-2 (nothing does), the
 * organisation HALO; users ana (analyst), fld (field, HALO), adm (admin). */
void srvtest_setup_db(void)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    char u[37], h1[37];
    const char *o1[] = {"name", "HALO", NULL};
    srvtest_insert_wkt(s, "organisations", NULL, o1, u);
    const char *kv1[] = {"ref", "H-1", "hazard_type", "CHA", "status", "open", "est_area_ha", "10", NULL};
    srvtest_insert_wkt(s, "hazards", "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", kv1, h1);
    const char *kv2[] = {"ref", "H-2", "hazard_type", "SHA", NULL};
    srvtest_insert_wkt(s, "hazards", "POLYGON((46.92 39.92, 46.93 39.92, 46.93 39.93, 46.92 39.93, 46.92 39.92))", kv2, u);
    const char *it[] = {"category", "AT", "model", "TM-62M", "hazard_id", h1, NULL};
    srvtest_insert_wkt(s, "items", "POINT(46.905 39.905)", it, u);
    dm_store_close(s);
    char *out = NULL;
    const char *bin = getenv("DEMINE_BIN");
    ASSERT_EQ(dmtest_sh(&out,
                        "export PW=analystpw1; '%s' user add t.gpkg ana --role analyst --password-env PW && "
                        "export PW=fieldpw12; '%s' user add t.gpkg fld --role field --org HALO --password-env PW && "
                        "export PW=adminpw123; '%s' user add t.gpkg adm --role admin --password-env PW",
                        bin, bin, bin),
              0);
    free(out);
}

void srvtest_start_server(void)
{
    srvtest_start_server_with("");
}

void srvtest_start_server_with(const char *extra)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "rm -f srv.log; timeout 200 '%s' serve t.gpkg --port 0 --threads 4 %s > srv.log 2>&1 "
                        "< /dev/null & echo $! > srv.pid",
                        getenv("DEMINE_BIN"), extra),
              0);
    free(out);
    for (int i = 0; i < 200; i++) {
        char *log = dmtest_read_file(dmtest_path("srv.log"));
        const char *p = log ? strstr(log, "listening on http://127.0.0.1:") : NULL;
        if (p) {
            int port = (int)strtol(p + strlen("listening on http://127.0.0.1:"), NULL, 10);
            snprintf(srvtest_base, sizeof srvtest_base, "http://127.0.0.1:%d", port);
            free(log);
            char *pid = dmtest_read_file(dmtest_path("srv.pid"));
            srv_pid = pid ? (int)strtol(pid, NULL, 10) : 0;
            free(pid);
            return;
        }
        free(log);
        usleep(50000);
    }
    char *log = dmtest_read_file(dmtest_path("srv.log"));
    dmtest_fail(__FILE__, __LINE__, "server did not start: %s", log ? log : "(no log)");
}

void srvtest_stop_server(void)
{
    if (srv_pid > 0) {
        char *out = NULL;
        dmtest_sh(&out, "kill -TERM %d; sleep 0.3", srv_pid);
        free(out);
        srv_pid = 0;
    }
}

/* A request with curl: method, path, token (or NULL), one more header (or
 * NULL), a body (or NULL). Returns the status; the body in *out and the
 * response's headers in *hdr (malloc'd; hdr may be NULL). */
int srvtest_req(const char *method, const char *path, const char *token, const char *header, const char *body,
               char **out, char **hdr)
{
    char auth[160] = "", extra[300] = "", data[64] = "";
    if (token)
        snprintf(auth, sizeof auth, "-H 'Authorization: Bearer %s'", token);
    if (header)
        snprintf(extra, sizeof extra, "-H '%s'", header);
    if (body) {
        dmtest_write_file(dmtest_path("req.json"), body);
        snprintf(data, sizeof data, "--data-binary @req.json");
    }
    char *res = NULL;
    int rc = dmtest_sh(&res,
                       "rm -f resp.txt hdr.txt; curl -s -g -D hdr.txt -o resp.txt -w '%%{http_code}' -X %s %s %s %s "
                       "'%s%s'",
                       method, auth, extra, data, srvtest_base, path);
    ASSERT_MSG(rc == 0, "curl failed (%d): %s", rc, res);
    int code = (int)strtol(res, NULL, 10);
    free(res);
    char *b = dmtest_read_file(dmtest_path("resp.txt"));
    *out = b ? b : strdup("");
    char *h = dmtest_read_file(dmtest_path("hdr.txt"));
    if (hdr)
        *hdr = h ? h : strdup("");
    else
        free(h);
    return code;
}

/* A response header's value (case-insensitive name) into out; 1 if found. */
int srvtest_header_value(const char *hdr, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = hdr; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t l = strcspn(v, "\r\n");
            snprintf(out, n, "%.*s", (int)l, v);
            return 1;
        }
    }
    out[0] = '\0';
    return 0;
}

void srvtest_login(const char *user, const char *pw, char token[65])
{
    char body[200], *out = NULL;
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, pw);
    int code = srvtest_req("POST", "/api/login", NULL, NULL, body, &out, NULL);
    ASSERT_MSG(code == 200, "login %s: %d %s", user, code, out);
    const char *p = strstr(out, "\"token\":\"");
    ASSERT(p);
    memcpy(token, p + 9, 64);
    token[64] = '\0';
    free(out);
}

double srvtest_num_after(const char *json, const char *key)
{
    const char *p = strstr(json, key);
    ASSERT_MSG(p, "no %s in %s", key, json);
    return strtod(p + strlen(key), NULL);
}

/* Rows of a layer as the database holds them (read beside the server). */
long srvtest_rows_of(const char *layer)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    long n = -1;
    ASSERT_OK(dm_store_count(s, layer, NULL, &n));
    dm_store_close(s);
    return n;
}

/* The change log of a row (also of one deleted), as JSON. */
char *srvtest_history_of(const char *uuid)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    char *h = NULL;
    ASSERT_OK(dm_store_history_json(s, uuid, &h));
    char *copy = strdup(h);
    dm_free(dmtest_ctx(), h);
    dm_store_close(s);
    return copy;
}

