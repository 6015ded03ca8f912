/* SPDX-License-Identifier: MIT
 *
 * test_server.c -- `demine serve` end to end on 127.0.0.1 with curl: every
 * endpoint, every role boundary (the public never gets an item position, a
 * record or a victim's name; a field user cannot approve; a bad token gets
 * 401), field reports from submission to approval, malformed and hostile
 * requests, login rate limiting, concurrent writers and kill -9 durability,
 * and the browser test (skipped, saying so, when Chromium is missing).
 */
#include "dmtest.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <gdal.h>
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ============================== fixture ============================== */

static char base[128];
static int srv_pid;

static void insert_wkt(dm_store *s, const char *layer, const char *wkt, const char **kv,
                       char uuid[37])
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

/* A float risk raster over the test area: value rises from west to east
 * (falls when reversed). */
static void make_risk_tif_dir(const char *path, int reversed)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = GDALCreate(drv, path, 100, 100, 1, GDT_Float32, NULL);
    ASSERT(ds != NULL);
    double gt[6] = {46.88, 0.0005, 0, 39.93, 0, -0.0005};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 4326);
    float row[100];
    for (int x = 0; x < 100; x++)
        row[x] = (float)(reversed ? 99 - x : x) / 99.0f;
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, -1);
    for (int y = 0; y < 100; y++)
        ASSERT(GDALRasterIO(b, GF_Write, 0, y, 100, 1, row, 100, 1, GDT_Float32, 0, 0) == CE_None);
    GDALClose(ds);
}

static void make_risk_tif(const char *path) { make_risk_tif_dir(path, 0); }

static char item_uuid[37], record_uuid[37], victim_uuid[37], hazard_uuid[37];

/* A database with hazards, an item, an accident with a named victim, a
 * record, a risk map and the organisations HALO and FSD; users ana
 * (analyst), fld (field, org HALO), fld2 (field, org FSD), adm (admin). */
static void setup_db(void)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_CREATE, &s));
    char org[37];
    const char *o1[] = {"name", "HALO", "kind", "ngo", NULL}, *o2[] = {"name", "FSD", NULL};
    insert_wkt(s, "organisations", NULL, o1, org);
    insert_wkt(s, "organisations", NULL, o2, org);
    const char *h1[] = {"ref", "H-1", "hazard_type", "CHA", "status", "open", "est_area_ha", "10",
                        NULL};
    insert_wkt(s, "hazards",
               "POLYGON((46.90 39.90, 46.91 39.90, 46.91 39.91, 46.90 39.91, 46.90 39.90))", h1,
               hazard_uuid);
    char u[37];
    const char *h2[] = {"ref", "H-2", "hazard_type", "SHA", "status", "closed", NULL};
    insert_wkt(s, "hazards",
               "POLYGON((47.00 40.00, 47.01 40.00, 47.01 40.01, 47.00 40.01, 47.00 40.00))", h2, u);
    const char *it[] = {"category", "AT", "model", "TM-62M", NULL};
    insert_wkt(s, "items", "POINT(46.9051234 39.9021234)", it, item_uuid);
    const char *ac[] = {"date", "2020-06-01", "killed", "1", NULL};
    char acc[37];
    insert_wkt(s, "accidents", "POINT(46.9077777 39.9088888)", ac, acc);
    const char *vi[] = {"accident_id", acc, "name", "Secretname Victimov", "age", "34",
                        "outcome", "killed", NULL};
    insert_wkt(s, "victims", NULL, vi, victim_uuid);
    const char *rec[] = {"ref", "REC-SECRET-77", "mines_ap", "120", NULL};
    insert_wkt(s, "records",
               "POLYGON((46.902 39.902, 46.903 39.902, 46.903 39.903, 46.902 39.902))", rec,
               record_uuid);
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    dm_store_close(s);
    make_risk_tif(dmtest_path("risk.tif"));
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "export PW=analystpw1; '%s' user add t.gpkg ana --role analyst "
                              "--password-env PW && export PW=fieldpw12; '%s' user add t.gpkg fld "
                              "--role field --org HALO --password-env PW && '%s' user add t.gpkg "
                              "fld2 --role field --org FSD --password-env PW && echo adminpw123 | "
                              "'%s' user add t.gpkg adm --role admin",
                        getenv("DEMINE_BIN"), getenv("DEMINE_BIN"), getenv("DEMINE_BIN"),
                        getenv("DEMINE_BIN")),
              0);
    free(out);
}

/* The risk map of the browser tests: projected (UTM 38N, 10 m cells on the
 * 50 m grid of the public zones, as `demine risk map` makes them), so that
 * the public "safe way" plans real routes on it (a map in degrees answers
 * 500). It covers 46.86-46.95 E, 39.87-39.94 N; the ground within 300 m of
 * the hazard H-1 (its box in UTM) has p = 0.3, beyond the 100 m margin of
 * its public danger zone: a route from a point next to the zone is judged
 * high along a line that stays out of it. Elsewhere p = 1e-6. */
static void make_risk_tif_utm(const char *path)
{
    enum { W = 790, H = 800 };
    const double x0 = 658900, y0 = 4422950, cell = 10, ring = 300;
    double hx[4] = {46.90, 46.91, 46.91, 46.90}, hy[4] = {39.90, 39.90, 39.91, 39.91};
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:4326", "EPSG:32638", &t));
    ASSERT_OK(dm_transform_xy(t, hx, hy, 4));
    dm_transform_free(t);
    double bx0 = fmin(fmin(hx[0], hx[1]), fmin(hx[2], hx[3])), bx1 = fmax(fmax(hx[0], hx[1]), fmax(hx[2], hx[3]));
    double by0 = fmin(fmin(hy[0], hy[1]), fmin(hy[2], hy[3])), by1 = fmax(fmax(hy[0], hy[1]), fmax(hy[2], hy[3]));
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, W, H, 1, GDT_Float32, NULL);
    ASSERT(ds != NULL);
    double gt[6] = {x0, cell, 0, y0, 0, -cell};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, -1);
    float row[W];
    for (int y = 0; y < H; y++) {
        double cy = y0 - (y + 0.5) * cell, dy = fmax(0, fmax(by0 - cy, cy - by1));
        for (int x = 0; x < W; x++) {
            double cx = x0 + (x + 0.5) * cell, dx = fmax(0, fmax(bx0 - cx, cx - bx1));
            row[x] = hypot(dx, dy) <= ring ? 0.3f : 0.000001f;
        }
        ASSERT(GDALRasterIO(b, GF_Write, 0, y, W, 1, row, W, 1, GDT_Float32, 0, 0) == CE_None);
    }
    GDALClose(ds);
}

/* The database of the browser tests: setup_db's, with the projected risk
 * map of make_risk_tif_utm in place of the one in degrees. */
static void setup_browser_db(void)
{
    setup_db();
    make_risk_tif_utm(dmtest_path("risk.tif"));
}

static const char *start_prefix = ""; /* shell commands before the server's (ulimit) */

static void start_server_with(const char *extra)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "rm -f srv.log; %s timeout 120 '%s' serve t.gpkg --port 0 --threads 4 "
                        "--max-body 65536 %s > srv.log 2>&1 < /dev/null & echo $! > srv.pid",
                        start_prefix, getenv("DEMINE_BIN"), extra),
              0);
    free(out);
    for (int i = 0; i < 200; i++) {
        char *log = dmtest_read_file(dmtest_path("srv.log"));
        const char *p = log ? strstr(log, "listening on http://127.0.0.1:") : NULL;
        if (p) {
            int port = (int)strtol(p + strlen("listening on http://127.0.0.1:"), NULL, 10);
            snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
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

static void start_server(void)
{
    start_server_with("");
}

static void stop_server(int sig)
{
    if (srv_pid > 0) {
        /* `timeout` forwards TERM; KILL must reach the server itself */
        char *out = NULL;
        if (sig == SIGKILL)
            dmtest_sh(&out, "pkill -KILL -P %d; kill -KILL %d; sleep 0.2", srv_pid, srv_pid);
        else
            dmtest_sh(&out, "kill -TERM %d; sleep 0.3", srv_pid);
        free(out);
        srv_pid = 0;
    }
}

/* HTTP request with curl; returns the status code and the body in *out. */
static int http(const char *method, const char *path, const char *token, const char *body,
                char **out)
{
    char auth[160] = "";
    if (token)
        snprintf(auth, sizeof auth, "-H 'Authorization: Bearer %s'", token);
    char data[64] = "";
    if (body) {
        dmtest_write_file(dmtest_path("req.json"), body);
        snprintf(data, sizeof data, "--data-binary @req.json");
    }
    char *res = NULL;
    int rc = dmtest_sh(&res, "curl -s -g --path-as-is -o resp.txt -w '%%{http_code}' -X %s %s %s '%s%s'",
                       method, auth, data, base, path);
    ASSERT_MSG(rc == 0, "curl failed (%d): %s", rc, res);
    int code = (int)strtol(res, NULL, 10);
    free(res);
    char *b = dmtest_read_file(dmtest_path("resp.txt"));
    if (out)
        *out = b ? b : strdup("");
    else
        free(b);
    return code;
}

/* The same with one more request header (or NULL) and the response's
 * headers in *hdr (malloc'd; NULL to drop them). */
static int http_hdr(const char *method, const char *path, const char *token, const char *header,
                    char **out, char **hdr)
{
    char auth[160] = "", extra[300] = "";
    if (token)
        snprintf(auth, sizeof auth, "-H 'Authorization: Bearer %s'", token);
    if (header)
        snprintf(extra, sizeof extra, "-H '%s'", header);
    char *res = NULL;
    /* curl writes no file for an empty body: start without one */
    int rc = dmtest_sh(&res, "rm -f resp.txt hdr.txt; curl -s -g --path-as-is -D hdr.txt -o "
                             "resp.txt -w '%%{http_code}' %s%s %s %s '%s%s'",
                       strcmp(method, "HEAD") ? "-X " : "-I", strcmp(method, "HEAD") ? method : "",
                       auth, extra, base, path);
    ASSERT_MSG(rc == 0, "curl failed (%d): %s", rc, res);
    int code = (int)strtol(res, NULL, 10);
    free(res);
    char *b = dmtest_read_file(dmtest_path("resp.txt"));
    if (out)
        *out = b ? b : strdup("");
    else
        free(b);
    char *h = dmtest_read_file(dmtest_path("hdr.txt"));
    if (hdr)
        *hdr = h ? h : strdup("");
    else
        free(h);
    return code;
}

/* A response header's value (case-insensitive name) into out; 1 if found. */
static int header_value(const char *hdr, const char *name, char *out, size_t n)
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

static void login(const char *user, const char *pw, char token[65])
{
    char body[200], *out = NULL;
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, pw);
    int code = http("POST", "/api/login", NULL, body, &out);
    ASSERT_MSG(code == 200, "login %s: %d %s", user, code, out);
    const char *p = strstr(out, "\"token\":\"");
    ASSERT(p);
    memcpy(token, p + 9, 64);
    token[64] = '\0';
    free(out);
}

static const char *report_json =
    "{\"activity\":{\"type\":\"Feature\",\"properties\":{\"activity_type\":\"clearance\","
    "\"end_date\":\"2025-05-01\",\"area_cleared_ha\":1.5,\"hazard_id\":\"H-1\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.905,39.90],"
    "[46.905,39.905],[46.90,39.90]]]}},\"items\":[{\"type\":\"Feature\",\"properties\":"
    "{\"category\":\"AP\",\"model\":\"PMN-2\"},\"geometry\":{\"type\":\"Point\","
    "\"coordinates\":[46.9012345,39.9012345]}}]}";

static double num_after(const char *json, const char *key)
{
    const char *p = strstr(json, key);
    ASSERT_MSG(p, "no %s in %s", key, json);
    return strtod(p + strlen(key), NULL);
}

static void uuid_of(const char *json, char uuid[37])
{
    const char *p = strstr(json, "\"uuid\":\"");
    ASSERT_MSG(p, "no uuid in %s", json);
    memcpy(uuid, p + 8, 36);
    uuid[36] = '\0';
}

/* ============================== tests ============================== */

TEST(server_endpoints_and_roles)
{
    setup_db();
    start_server();
    char ana[65], fld[65], adm[65], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    login("adm", "adminpw123", adm);

    ASSERT_EQ(http("GET", "/api/health", NULL, NULL, &out), 200);
    free(out);
    /* no token, bad token */
    ASSERT_EQ(http("GET", "/api/hazards", NULL, NULL, &out), 401);
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL, &out), 401);
    ASSERT_CONTAINS(out, "invalid or expired");
    free(out);
    ASSERT_EQ(http("GET", "/api/stats", "garbage", NULL, &out), 401);
    free(out);
    ASSERT_EQ(http("GET", "/tiles/risk/0/0/0.png", "bad", NULL, &out), 401);
    free(out);

    /* layers with bbox, filters, paging */
    ASSERT_EQ(http("GET", "/api/hazards", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":2");
    ASSERT_CONTAINS(out, "\"ref\":\"H-1\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?bbox=46.8,39.8,46.95,39.95", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":1");
    ASSERT(!strstr(out, "H-2"));
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?status=closed", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "H-2");
    ASSERT(!strstr(out, "\"H-1\""));
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?limit=1&order=ref", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"next_offset\":1");
    ASSERT_CONTAINS(out, "H-1");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?limit=1&offset=1&order=ref", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "H-2");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?zoom=3", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"coordinates\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards/H-1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, hazard_uuid);
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards/H-1/history", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"op\":\"insert\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards/NOPE-9", ana, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("GET", "/api/activities", ana, NULL, &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/items", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "46.9051234");
    free(out);
    ASSERT_EQ(http("GET", "/api/accidents", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"killed\":1");
    free(out);
    ASSERT_EQ(http("GET", "/api/records", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "REC-SECRET-77");
    free(out);
    ASSERT_EQ(http("GET", "/api/victims", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "Secretname Victimov");
    free(out);
    ASSERT_EQ(http("GET", "/api/layers", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"hazards\"");
    ASSERT(!strstr(out, "\"victims\""));
    /* the fields the engines write are marked (the web map does not offer
     * them for editing) */
    ASSERT_CONTAINS(out, "{\"name\":\"p_contam\",\"type\":\"real\",\"required\":false,\"computed\":true");
    ASSERT_CONTAINS(out, "{\"name\":\"notes\",\"type\":\"text\",\"required\":false,\"computed\":false");
    free(out);

    /* the field role: no records, no victims */
    ASSERT_EQ(http("GET", "/api/records", fld, NULL, &out), 403);
    free(out);
    ASSERT_EQ(http("GET", "/api/victims", fld, NULL, &out), 403);
    free(out);
    ASSERT_EQ(http("GET", "/api/victims?name=x", fld, NULL, &out), 403);
    free(out);
    char path[200];
    snprintf(path, sizeof path, "/api/victims/%s/history", victim_uuid);
    ASSERT_EQ(http("GET", path, fld, NULL, &out), 403);
    free(out);
    snprintf(path, sizeof path, "/api/hazards/%s/history", victim_uuid);
    ASSERT_EQ(http("GET", path, fld, NULL, &out), 404); /* not a hazard */
    free(out);

    /* statistics, risk, plan, users */
    ASSERT_EQ(http("GET", "/api/stats", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"hazards\":2");
    ASSERT_CONTAINS(out, "\"accidents_by_year\":[{\"key\":\"2020\",\"count\":1,\"killed\":1");
    ASSERT(!strstr(out, "Secretname"));
    ASSERT_CONTAINS(out, "\"land_release\":{");
    free(out);
    ASSERT_EQ(http("GET", "/api/stats?by=year", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"by\":\"year\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/stats?by=nonsense", ana, NULL, &out), 400);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk?lon=46.92525&lat=39.905", ana, NULL, &out), 200);
    ASSERT_NEAR(num_after(out, "\"p_cell\":"), 90.0 / 99.0, 1e-6);
    ASSERT_NEAR(num_after(out, "\"p_contam\":"), 90.0 / 99.0, 1e-6);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk?lon=10&lat=10", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"p_cell\":null");
    free(out);
    ASSERT_EQ(http("GET", "/api/risk?lon=500&lat=10", ana, NULL, &out), 400);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk/line?path=46.881,39.9;46.929,39.9&step=100", ana, NULL, &out),
              200);
    ASSERT_CONTAINS(out, "\"length_m\":");
    ASSERT_NEAR(num_after(out, "\"max\":"), 98.0 / 99.0, 0.05);
    ASSERT_NEAR(num_after(out, "\"length_m\":"), 4100, 100);
    ASSERT_CONTAINS(out, "\"step_m\":100,\"step_reduced\":false}");
    free(out);
    /* 2000 samples at most: a 4.1 km line asked every metre is sampled
     * every 2.05 m, and the answer says so */
    ASSERT_EQ(http("GET", "/api/risk/line?path=46.881,39.9;46.929,39.9&step=1", ana, NULL, &out),
              200);
    double len = num_after(out, "\"length_m\":");
    ASSERT_NEAR(num_after(out, "\"step_m\":"), len / 1999, 0.01);
    ASSERT_CONTAINS(out, "\"step_reduced\":true}");
    ASSERT_NEAR(num_after(out, "],[") , len / 1999, 0.06); /* the second sample's distance */
    free(out);
    ASSERT_EQ(http("GET", "/api/plan", ana, NULL, &out), 404);
    ASSERT_CONTAINS(out, "no plan");
    free(out);
    ASSERT_EQ(http("GET", "/api/users", ana, NULL, &out), 403);
    free(out);
    ASSERT_EQ(http("GET", "/api/users", adm, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"fld2\"");
    ASSERT(!strstr(out, "argon2"));
    free(out);
    ASSERT_EQ(http("GET", "/api/me", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"organisation\":\"HALO\"");
    free(out);

    /* tiles: a PNG inside the raster, transparent PNG outside, 404 off the grid */
    ASSERT_EQ(http("GET", "/tiles/risk/12/2581/1551.png", ana, NULL, &out), 200);
    ASSERT(memcmp(out, "\x89PNG", 4) == 0);
    free(out);
    ASSERT_EQ(http("GET", "/tiles/risk/0/0/0.png", fld, NULL, &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/tiles/risk/3/8/0.png", ana, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("GET", "/tiles/risk/30/0/0.png", ana, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("GET", "/tiles/risk/0/0/0.png", NULL, NULL, &out), 401);
    free(out);

    /* the public: danger zones and checks only */
    ASSERT_EQ(http("GET", "/api/public/danger", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"FeatureCollection\"");
    ASSERT_CONTAINS(out, "\"zone\":1");
    ASSERT(!strstr(out, "46.90512"));   /* item */
    ASSERT(!strstr(out, "46.90777"));   /* accident */
    ASSERT(!strstr(out, "REC-SECRET")); /* record */
    ASSERT(!strstr(out, "H-1"));
    ASSERT(!strstr(out, "Secretname"));
    ASSERT(!strstr(out, "47.00")); /* the closed hazard is not a danger zone */
    free(out);
    ASSERT_EQ(http("GET", "/api/public/check?lon=46.905&lat=39.905", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"level\":\"danger\"");
    ASSERT_CONTAINS(out, "\"az\":");
    free(out);
    ASSERT_EQ(http("GET", "/api/public/check?lon=46.9150&lat=39.905", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"level\":\"caution\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/public/check?lon=45&lat=39", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"level\":\"unknown\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/public/messages", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "112");
    free(out);
    static const char *closed[] = {"/api/items",   "/api/records",  "/api/victims",
                                   "/api/accidents", "/api/hazards", "/api/stats",
                                   "/api/layers",  "/api/reports",  "/api/risk?lon=46.9&lat=39.9"};
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        int code = http("GET", closed[i], NULL, NULL, &out);
        ASSERT_MSG(code == 401, "%s gave %d to the public", closed[i], code);
        ASSERT(!strstr(out, "46.90512") && !strstr(out, "Secretname") && !strstr(out, "REC-"));
        free(out);
    }
    /* the web pages are served from the binary */
    ASSERT_EQ(http("GET", "/", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "<html");
    free(out);
    ASSERT_EQ(http("GET", "/public", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "lang=");
    free(out);
    ASSERT_EQ(http("GET", "/vendor/leaflet/leaflet.js", NULL, NULL, &out), 200);
    free(out);
    /* logout ends the session */
    ASSERT_EQ(http("POST", "/api/logout", adm, NULL, &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/me", adm, NULL, &out), 401);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_field_report_review)
{
    setup_db();
    start_server();
    char ana[65], fld[65], fld2[65], *out = NULL, uuid[37];
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    login("fld2", "fieldpw12", fld2);
    /* checked exactly as imports: a bad value names the feature and field */
    const char *bad = "{\"activity\":{\"properties\":{\"activity_type\":\"clearance\"},"
                      "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.9,39.9],[46.91,"
                      "39.9],[46.91,39.91],[46.9,39.9]]]}},\"items\":[{\"properties\":{"
                      "\"category\":\"AP\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,"
                      "39.9]}},{\"properties\":{\"category\":\"XX\"},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[46.9,39.9]}}]}";
    ASSERT_EQ(http("POST", "/api/reports", fld, bad, &out), 422);
    ASSERT_CONTAINS(out, "items[1]: field 'category'");
    free(out);
    ASSERT_EQ(http("POST", "/api/reports", fld, "{\"activity\":{\"properties\":{\"activity_type\":"
                                                "\"ts\",\"bogus\":1}}}", &out), 422);
    ASSERT_CONTAINS(out, "bogus");
    free(out);
    /* nothing of the refused reports was stored */
    ASSERT_EQ(http("GET", "/api/items?drafts=1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":1");
    free(out);
    ASSERT_EQ(http("POST", "/api/reports", NULL, report_json, &out), 401);
    free(out);
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    /* a draft: the other organisation does not see it, the analyst does */
    ASSERT_EQ(http("GET", "/api/reports", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, uuid);
    free(out);
    ASSERT_EQ(http("GET", "/api/reports", fld2, NULL, &out), 200);
    ASSERT(!strstr(out, uuid));
    free(out);
    char path[200];
    snprintf(path, sizeof path, "/api/reports/%s", uuid);
    ASSERT_EQ(http("GET", path, fld2, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("GET", "/api/activities", fld2, NULL, &out), 200);
    ASSERT(!strstr(out, uuid));
    free(out);
    ASSERT_EQ(http("GET", "/api/items", fld2, NULL, &out), 200);
    ASSERT(!strstr(out, "46.9012345"));
    free(out);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "46.9012345");
    ASSERT_CONTAINS(out, "\"organisation\":\"HALO\"");
    ASSERT_CONTAINS(out, "\"author\":\"fld\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/items", ana, NULL, &out), 200); /* drafts hidden by default */
    ASSERT(!strstr(out, "46.9012345"));
    free(out);
    /* a field user cannot approve; a rejection needs a reason */
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, fld, NULL, &out), 403);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", uuid);
    ASSERT_EQ(http("POST", path, ana, "{}", &out), 400);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"QA visit ok\"}", &out), 200);
    ASSERT_CONTAINS(out, "approved by ana: QA visit ok");
    free(out);
    ASSERT_EQ(http("POST", path, ana, NULL, &out), 409); /* already approved */
    free(out);
    /* approved: on the map for everyone with access, and logged */
    ASSERT_EQ(http("GET", "/api/items", fld2, NULL, &out), 200);
    ASSERT_CONTAINS(out, "46.9012345");
    free(out);
    snprintf(path, sizeof path, "/api/activities/%s/history", uuid);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT_CONTAINS(out, "\"reason\":\"approved by ana: QA visit ok\"");
    free(out);
    /* reject another report */
    ASSERT_EQ(http("POST", "/api/reports", fld2, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"polygon outside the task\"}", &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=rejected", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, uuid);
    free(out);
    /* a ref another organisation's draft holds: refused, without the
     * draft's uuid, which a field user of HALO may not see */
    const char *r1 = "{\"activity\":{\"properties\":{\"activity_type\":\"ts\",\"ref\":\"R-HID\"}}}";
    ASSERT_EQ(http("POST", "/api/reports", fld2, r1, &out), 201);
    uuid_of(out, uuid);
    free(out);
    ASSERT_EQ(http("POST", "/api/reports", fld, r1, &out), 409);
    ASSERT_CONTAINS(out, "'R-HID' is already the ref of a report or activity: give this report another ref");
    ASSERT(!strstr(out, uuid));
    free(out);
    /* an analyst, who sees every draft, is told which */
    ASSERT_EQ(http("POST", "/api/reports", ana, r1, &out), 409);
    ASSERT_CONTAINS(out, uuid);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_malformed_requests)
{
    setup_db();
    start_server();
    char ana[65], fld[65], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    static const struct {
        const char *method, *path, *body;
        int tok, want;
    } cases[] = {
        {"POST", "/api/reports", "{not json", 2, 422},
        {"POST", "/api/reports", "[1,2,3]", 2, 422},
        {"POST", "/api/reports", "{\"activity\":{\"properties\":{\"activity_type\":{\"a\":1}}}}", 2,
         422},
        {"POST", "/api/reports", "{\"activity\":{\"properties\":{\"activity_type\":\"ts\"},"
                                 "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\"x\"}}}",
         2, 422},
        {"POST", "/api/reports", "{\"activity\":{},\"items\":7}", 2, 422},
        /* an empty position crashes GEOS 3.11's GeoJSON reader: refused first */
        {"POST", "/api/reports", "{\"activity\":{\"properties\":{\"activity_type\":\"ts\"},"
                                 "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[],[46.9,"
                                 "39.9]]]}}}",
         2, 422},
        {"POST", "/api/reports", "{\"activity\":{\"properties\":{\"activity_type\":\"ts\"},"
                                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[]}}}",
         2, 422},
        {"POST", "/api/login", "{\"user\":1}", 0, 400},
        {"POST", "/api/login", "", 0, 400},
        {"GET", "/api/hazards?bbox=1,2,3", NULL, 1, 400},
        {"GET", "/api/hazards?bbox=a,b,c,d", NULL, 1, 400},
        {"GET", "/api/hazards?bbox=10,10,5,5", NULL, 1, 400},
        {"GET", "/api/hazards?bbox=nan,0,1,1", NULL, 1, 400},
        {"GET", "/api/hazards?bbox=1e999,0,1,1", NULL, 1, 400},
        {"GET", "/api/hazards?limit=-5", NULL, 1, 400},
        {"GET", "/api/hazards?limit=99999999999999999999", NULL, 1, 400},
        {"GET", "/api/hazards?zoom=99", NULL, 1, 400},
        {"GET", "/api/hazards?until=yesterday", NULL, 1, 400},
        {"GET", "/api/hazards?ref=x%27%20OR%201=1--", NULL, 1, 200},
        {"GET", "/api/hazards?%22ref%22%3Dref--=1", NULL, 1, 400},
        {"GET", "/api/hazards?order=ref;DROP%20TABLE%20hazards", NULL, 1, 400},
        {"GET", "/api/hazards/x'%20OR%20'1'='1", NULL, 1, 404},
        {"GET", "/api/hazards%3BDROP%20TABLE%20users", NULL, 1, 404},
        {"GET", "/api/sqlite_master", NULL, 1, 404},
        {"GET", "/../../../etc/passwd", NULL, 0, 400},
        {"GET", "/%2e%2e/%2e%2e/etc/passwd", NULL, 0, 400},
        {"GET", "/vendor/../../demine", NULL, 0, 400},
        {"GET", "/tiles/risk/-1/0/0.png", NULL, 1, 404},
        {"GET", "/tiles/risk/5/32/0.png", NULL, 1, 404},
        {"GET", "/tiles/risk/5/0/99999999999.png", NULL, 1, 404},
        {"GET", "/tiles/risk/5/0/0.jpg", NULL, 1, 404},
        {"GET", "/tiles/risk/a/b/c.png", NULL, 1, 404},
        {"GET", "/api/risk/line?path=1,2", NULL, 1, 400},
        {"GET", "/api/risk/line?path=1,2;x,y", NULL, 1, 400},
        {"GET", "/api/public/check?lon=0x10&lat=1", NULL, 0, 400},
        {"GET", "/api/public/check?lon=inf&lat=1", NULL, 0, 400},
        {"DELETE", "/api/hazards", NULL, 1, 405},
        {"PUT", "/api/login", NULL, 0, 405},
        {"POST", "/api/reports/zzz/approve", NULL, 1, 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *tok = cases[i].tok == 1 ? ana : cases[i].tok == 2 ? fld : NULL;
        int code = http(cases[i].method, cases[i].path, tok, cases[i].body, &out);
        ASSERT_MSG(code == cases[i].want, "%s %s gave %d, expected %d: %s", cases[i].method,
                   cases[i].path, code, cases[i].want, out);
        free(out);
    }
    /* a body over --max-body (64 KiB here) gets 413 without being read */
    char *r = NULL;
    ASSERT_EQ(dmtest_sh(&r, "head -c 200000 /dev/zero | tr '\\0' 'a' > big.json && curl -s -o "
                            "/dev/null -w '%%{http_code}' -H 'Authorization: Bearer %s' "
                            "--data-binary @big.json %s/api/reports",
                        fld, base),
              0);
    ASSERT_CONTAINS(r, "413");
    free(r);
    /* chunked upload without a length is cut off too */
    ASSERT_EQ(dmtest_sh(&r, "curl -s -o /dev/null -w '%%{http_code}' -H 'Transfer-Encoding: "
                            "chunked' -H 'Authorization: Bearer %s' --data-binary @big.json "
                            "%s/api/reports",
                        fld, base),
              0);
    ASSERT_CONTAINS(r, "413");
    free(r);
    /* garbage on the socket */
    dmtest_sh(&r, "printf 'GARBAGE\\r\\n\\r\\n' | timeout 3 curl -s telnet://%s >/dev/null; "
                  "printf 'GET /api/health HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -5\\r\\n\\r\\n' | "
                  "timeout 3 curl -s telnet://%s > /dev/null; true",
              base + 7, base + 7);
    free(r);
    /* the tables are intact and the server still answers */
    ASSERT_EQ(http("GET", "/api/hazards", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":2");
    free(out);
    ASSERT_EQ(http("GET", "/api/health", NULL, NULL, &out), 200);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_login_rate_limited)
{
    setup_db();
    start_server();
    char *out = NULL;
    for (int i = 0; i < DM_AUTH_MAX_FAILS; i++) {
        ASSERT_EQ(http("POST", "/api/login", NULL, "{\"user\":\"ana\",\"password\":\"wrong-pw\"}",
                       &out),
                  401);
        free(out);
    }
    /* now even the right password is refused for a while */
    ASSERT_EQ(http("POST", "/api/login", NULL, "{\"user\":\"ana\",\"password\":\"analystpw1\"}",
                   &out),
              429);
    ASSERT_CONTAINS(out, "too many failed logins");
    free(out);
    /* other users from another client are not locked out by name, but this
     * client is: the limit counts per client too */
    ASSERT_EQ(http("POST", "/api/login", NULL, "{\"user\":\"fld\",\"password\":\"fieldpw12\"}",
                   &out),
              429);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_concurrent_writes_survive_kill9)
{
    setup_db();
    start_server();
    char fld[65], ana[65], *out = NULL;
    login("fld", "fieldpw12", fld);
    login("ana", "analystpw1", ana);
    dmtest_write_file(dmtest_path("rep.json"), report_json);
    /* 4 writers x 10 reports in parallel; every acknowledged uuid is kept,
     * then the server is killed with SIGKILL while writers still run */
    char *r = NULL;
    ASSERT_EQ(dmtest_sh(&r,
                        "for w in 1 2 3 4; do ( for i in $(seq 1 10); do curl -s -H "
                        "'Authorization: Bearer %s' --data-binary @rep.json %s/api/reports "
                        ">> ack.$w; echo >> ack.$w; done ) & done; sleep 1.5; pkill -KILL -P "
                        "%d; kill -KILL %d; wait; cat ack.* | grep -c '\"status\":\"draft\"'",
                        fld, base, srv_pid, srv_pid),
              0);
    int acked = (int)strtol(r, NULL, 10);
    free(r);
    srv_pid = 0;
    ASSERT_MSG(acked >= 1, "no write was acknowledged before the kill");
    /* restart and check every acknowledged report is there */
    start_server();
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http("GET", "/api/reports?status=all", ana, NULL, &out), 200);
    char *acks = NULL;
    dmtest_sh(&acks, "cat ack.* | grep -o '\"uuid\":\"[0-9a-f-]*\"' | cut -d'\"' -f4");
    int checked = 0;
    char *save = NULL;
    for (char *line = strtok_r(acks, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strlen(line) != 36)
            continue;
        ASSERT_MSG(strstr(out, line), "acknowledged report %s lost after kill -9", line);
        checked++;
    }
    ASSERT_EQ(checked, acked);
    free(acks);
    free(out);
    /* and each has its item (the report was one transaction) */
    ASSERT_EQ(http("GET", "/api/items?drafts=1&limit=10000", ana, NULL, &out), 200);
    const char *p = strstr(out, "\"total\":");
    ASSERT(p);
    long items = atol(p + 8);
    ASSERT_MSG(items >= acked + 1, "items %ld < reports %d + 1", items, acked);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_user_command)
{
    char *out = NULL;
    /* a database no user was added to: none listed, and the listing
     * writes nothing (no users table made, no upgrade) */
    ASSERT_EQ(dmtest_demine(&out, "init '%s'", dmtest_path("nousers.gpkg")), 0);
    free(out);
    char *before = NULL, *after = NULL;
    ASSERT_EQ(dmtest_sh(&before, "sha256sum '%s'", dmtest_path("nousers.gpkg")), 0);
    ASSERT_EQ(dmtest_demine(&out, "user list '%s'", dmtest_path("nousers.gpkg")), 0);
    ASSERT_CONTAINS(out, "no users yet: add one with `demine user add ");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user list '%s' --json", dmtest_path("nousers.gpkg")), 0);
    ASSERT_CONTAINS(out, "[]");
    free(out);
    ASSERT_EQ(dmtest_sh(&after, "sha256sum '%s'", dmtest_path("nousers.gpkg")), 0);
    ASSERT_STREQ(after, before);
    free(before);
    free(after);
    /* served so, it says that nobody can sign in yet, and how to add one */
    dmtest_sh(&out, "timeout 2 '%s' serve '%s' --port 0 2>&1", getenv("DEMINE_BIN"), dmtest_path("nousers.gpkg"));
    ASSERT_CONTAINS(out, "has no users yet: nobody can sign in to the staff map (the public danger map works); add one "
                         "with `demine user add ");
    ASSERT_CONTAINS(out, "listening on http://127.0.0.1:");
    free(out);
    setup_db();
    ASSERT_EQ(dmtest_demine(&out, "user list t.gpkg"), 0);
    ASSERT_CONTAINS(out, "fld2");
    ASSERT_CONTAINS(out, "FSD");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo short | '%s' user add t.gpkg x --role analyst",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "8 characters");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg ana --role analyst",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "already exists");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg y --role field",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "organisation");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo newpassword1 | '%s' user passwd t.gpkg fld",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user del t.gpkg fld2"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user list t.gpkg --json"), 0);
    ASSERT(!strstr(out, "fld2"));
    free(out);
    ASSERT(dmtest_demine(&out, "user del t.gpkg nobody") != 0);
    ASSERT_CONTAINS(out, "no user");
    free(out);
    start_server();
    char tok[65];
    login("fld", "newpassword1", tok);
    ASSERT_EQ(http("POST", "/api/login", NULL, "{\"user\":\"fld2\",\"password\":\"fieldpw12\"}",
                   &out),
              401);
    free(out);
    stop_server(SIGTERM);
    /* user changes are in the change log, with no password hash */
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT op, reason, coalesce(old_values,'') || "
                              "coalesce(new_values,'') FROM change_log WHERE layer='users'\" "
                              "2>/dev/null || echo nosqlite"),
              0);
    if (!strstr(out, "nosqlite")) {
        ASSERT_CONTAINS(out, "user deleted");
        ASSERT_CONTAINS(out, "password changed");
        ASSERT(!strstr(out, "argon2"));
    }
    free(out);
}

TEST(server_browser)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser needs chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    ASSERT_EQ(dmtest_demine(&out, "-q risk map t.gpkg --out %s --cell 20", dmtest_path("r.tif")), 0);
    free(out);
    start_server();
    int rc = dmtest_sh(&out,
                       "mkdir -p '%s/tests/browser/artifacts' && cd '%s/tests/browser' && "
                       "DEMINE_URL=%s ARTIFACTS='%s/tests/browser/artifacts' timeout 100 node "
                       "map.test.js",
                       root, root, base, root);
    ASSERT_MSG(rc == 0, "browser test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "browser test passed");
    free(out);
    stop_server(SIGTERM);
}

TEST(server_demo_database)
{
    /* the built-in demo scenario served as is: layers, statistics and the
     * public danger map answer, and the public map leaks no item point */
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "cp '%s' t.gpkg && echo analystpw1 | '%s' user add t.gpkg ana "
                              "--role analyst",
                        dmtest_demo_db(), getenv("DEMINE_BIN")),
              0);
    free(out);
    start_server();
    char ana[65];
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http("GET", "/api/hazards?limit=5", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"Feature\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/items?limit=1", ana, NULL, &out), 200);
    const char *c = strstr(out, "\"coordinates\":[");
    ASSERT_MSG(c, "the demo has no items: %.300s", out);
    char *end = NULL;
    double lon = strtod(c + 15, &end), lat = strtod(end + 1, NULL);
    char item_xy[64]; /* as the danger map would print it */
    snprintf(item_xy, sizeof item_xy, "[%.5f,%.5f]", lon, lat);
    free(out);
    ASSERT_EQ(http("GET", "/api/stats", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"hazards_by_status\":[{");
    free(out);
    ASSERT_EQ(http("GET", "/api/public/danger", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"zone\":1");
    ASSERT_MSG(!strstr(out, item_xy), "item position %s in the public danger map", item_xy);
    free(out);
    stop_server(SIGTERM);
}

TEST(auth_library_sessions_and_limits)
{
    /* the library side of users and sessions, without HTTP */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("a.gpkg"), DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_durable(s));
    ASSERT_OK(dm_auth_init(s));
    ASSERT_OK(dm_auth_init(s)); /* idempotent */
    ASSERT_STATUS(DM_EINVAL, dm_auth_user_add(s, "bad name!", "password1", DM_ROLE_ANALYST, NULL));
    ASSERT_STATUS(DM_EINVAL, dm_auth_user_add(s, "f", "password1", DM_ROLE_FIELD, NULL));
    ASSERT_STATUS(DM_EINVAL, dm_auth_user_add(s, "p", "password1", DM_ROLE_PUBLIC, NULL));
    ASSERT_OK(dm_auth_user_add(s, "ana", "password1", DM_ROLE_ANALYST, NULL));
    ASSERT_STATUS(DM_ECONFLICT, dm_auth_user_add(s, "ana", "password2", DM_ROLE_ADMIN, NULL));
    char tok[DM_TOKEN_HEX + 1], tok2[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    /* a session of 1 second expires */
    ASSERT_OK(dm_auth_login(s, "ana", "password1", "10.0.0.1", 1, tok, &who, &retry));
    ASSERT_EQ(strlen(tok), DM_TOKEN_HEX);
    ASSERT_EQ(who.role, DM_ROLE_ANALYST);
    ASSERT_OK(dm_auth_check(s, tok, &who));
    ASSERT_STREQ(who.name, "ana");
    sleep(2);
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_check(s, tok, &who));
    /* two sessions are independent; logout ends one */
    ASSERT_OK(dm_auth_login(s, "ana", "password1", "10.0.0.1", 60, tok, &who, &retry));
    ASSERT_OK(dm_auth_login(s, "ana", "password1", "10.0.0.1", 60, tok2, &who, &retry));
    ASSERT(strcmp(tok, tok2) != 0);
    ASSERT_OK(dm_auth_logout(s, tok));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_check(s, tok, &who));
    ASSERT_OK(dm_auth_check(s, tok2, &who));
    /* a new password ends every session */
    ASSERT_OK(dm_auth_user_passwd(s, "ana", "password3"));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_check(s, tok2, &who));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "ana", "password1", "10.0.0.2", 60, tok, &who,
                                               &retry));
    ASSERT_EQ(retry, 0);
    /* unknown users fail the same way; the limit counts per client */
    for (int i = 0; i < DM_AUTH_MAX_FAILS - 1; i++)
        ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "nobody", "password9", "10.0.0.2", 60,
                                                   tok, &who, &retry));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "ana", "password3", "10.0.0.2", 60, tok, &who,
                                               &retry));
    ASSERT(retry > 0 && retry <= DM_AUTH_WINDOW_S);
    ASSERT_OK(dm_auth_login(s, "ana", "password3", "10.0.0.3", 60, tok, &who, &retry));
    /* the hash is Argon2id and the token is not stored in clear */
    char *list = NULL;
    ASSERT_OK(dm_auth_user_list_json(s, &list));
    ASSERT_CONTAINS(list, "\"role\":\"analyst\"");
    ASSERT(!strstr(list, "argon2"));
    dm_free(ctx, list);
    ASSERT_OK(dm_auth_user_del(s, "ana"));
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_check(s, tok, &who));
    ASSERT_STATUS(DM_ENOTFOUND, dm_auth_user_del(s, "ana"));
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 a.gpkg \"SELECT pwhash FROM users; SELECT count(*) FROM "
                              "sessions WHERE token_hash = '%s';\" 2>/dev/null || echo nosqlite",
                        tok),
              0);
    ASSERT(!strstr(out, tok) || strstr(out, "nosqlite"));
    free(out);
}

TEST(danger_zones_buffer_merge_and_locate)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("d.gpkg"), DM_STORE_CREATE, &s));
    dm_geom *z = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &z));
    ASSERT(z == NULL); /* no hazards, no zones */
    char u[37];
    /* two hazards 100 m apart merge into one zone with a 100 m margin */
    const char *a[] = {"hazard_type", "CHA", NULL};
    insert_wkt(s, "hazards", "POLYGON((46.900 39.900, 46.902 39.900, 46.902 39.902, 46.900 39.902, "
                             "46.900 39.900))", a, u);
    insert_wkt(s, "hazards", "POLYGON((46.9032 39.900, 46.905 39.900, 46.905 39.902, 46.9032 "
                             "39.902, 46.9032 39.900))", a, u);
    const char *c[] = {"hazard_type", "SHA", "status", "handed_over", NULL};
    insert_wkt(s, "hazards", "POLYGON((47.0 40.0, 47.01 40.0, 47.01 40.01, 47.0 40.0))", c, u);
    dm_danger_opts o = {100, 10, 1}; /* a 1 m grid: margins to the metre */
    ASSERT_OK(dm_danger_zones(s, &o, &z));
    ASSERT(z != NULL);
    double b[4];
    ASSERT(dm_geom_bounds(z, b));
    ASSERT_NEAR(b[0], 46.900 - 100 / 85300.0, 0.0003); /* ~85.3 km per degree at 39.9 N */
    ASSERT(b[2] < 46.91);                               /* the released hazard is left out */
    int inside = 0;
    double d = 0;
    ASSERT_OK(dm_danger_locate(ctx, z, 46.9026, 39.901, &inside, &d)); /* between the two */
    ASSERT_EQ(inside, 1);
    ASSERT_OK(dm_danger_locate(ctx, z, 46.910, 39.901, &inside, &d));
    ASSERT_EQ(inside, 0);
    ASSERT_NEAR(d, (46.910 - 46.905) * 85300 - 100, 40);
    ASSERT_STATUS(DM_EINVAL, dm_danger_locate(ctx, z, 200, 0, &inside, &d));
    dm_geom_free(z);
    char *json = NULL;
    ASSERT_OK(dm_danger_zones_json(s, &o, &json));
    ASSERT_CONTAINS(json, "\"zone\":1");
    ASSERT(!strstr(json, "\"zone\":2")); /* merged */
    ASSERT(!strstr(json, "CHA"));
    dm_free(ctx, json);
    dm_store_close(s);
}

/* A risk map in UTM 38N, 200 x 200 cells of 10 m: clean ground with a wall of
 * p = 0.5 across the middle, open only near its northern end. */
static void make_wall_tif(const char *path, double *lon_w, double *lat_w, double *lon_e,
                          double *lat_e, double *lon_in, double *lat_in)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, 200, 200, 1, GDT_Float32, NULL);
    ASSERT(ds != NULL);
    double gt[6] = {600000, 10, 0, 4422000, 0, -10};
    GDALSetGeoTransform(ds, gt);
    dmtest_gdal_set_epsg(ds, 32638);
    float row[200];
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 200; x++)
            row[x] = (x >= 95 && x <= 104 && y >= 20) ? 0.5f : 0.000001f;
        ASSERT(GDALRasterIO(b, GF_Write, 0, y, 200, 1, row, 200, 1, GDT_Float32, 0, 0) == CE_None);
    }
    GDALClose(ds);
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &t));
    double x[3] = {600205, 601795, 601000}, y[3] = {4420995, 4420995, 4420995};
    ASSERT_OK(dm_transform_xy(t, x, y, 3));
    dm_transform_free(t);
    *lon_w = x[0], *lat_w = y[0], *lon_e = x[1], *lat_e = y[1], *lon_in = x[2], *lat_in = y[2];
}

TEST(server_routes_avoid_danger_and_the_public_gets_a_verdict_only)
{
    double lw, aw, le, ae, li, ai;
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    make_wall_tif(dmtest_path("risk.tif"), &lw, &aw, &le, &ae, &li, &ai);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "echo analystpw1 | '%s' user add t.gpkg ana --role analyst",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    start_server();
    char ana[65], path[300];
    login("ana", "analystpw1", ana);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"LineString\"");
    ASSERT_CONTAINS(out, "\"verdict\":\"low\"");
    /* the detour through the gap in the wall is longer than the straight line */
    ASSERT(num_after(out, "\"length_m\":") > 1700);
    ASSERT(num_after(out, "\"p_none\":") > 0.9);
    ASSERT_CONTAINS(out, "\"in_hazards_m\":0,\"hazards_crossed\":[]");
    free(out);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 401);
    free(out);
    snprintf(path, sizeof path, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"verdict\"");
    ASSERT(!strstr(out, "p_none") && !strstr(out, "max_p") && !strstr(out, "items"));
    ASSERT(!strstr(out, "hazards"));
    free(out);
    /* the public cannot set its own threshold (bisected, it would read the
     * map cell by cell), and its errors give no path nor probability */
    snprintf(path, sizeof path, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_above=0.5",
             lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "avoid_above is for staff");
    free(out);
    /* a route from a point to itself is not said to start in a danger zone */
    snprintf(path, sizeof path, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, lw, aw);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "\"from and to are the same point\"");
    free(out);
    /* (a point 1.7 km east of the map) */
    snprintf(path, sizeof path, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le + 0.02,
             ae);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 400);
    ASSERT(!strstr(out, ".tif") && !strstr(out, "probability"));
    ASSERT_CONTAINS(out, "no route can be given");
    free(out);
    /* a planned straight lane through the wall is judged dangerous, and the
     * open hazard recorded on the wall is named */
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    dm_row *hz = dm_row_new(dmtest_ctx(), dm_layer_find("hazards"));
    ASSERT_OK(dm_row_set(hz, "ref", "H-WALL"));
    ASSERT_OK(dm_row_set(hz, "hazard_type", "CHA"));
    double mx = (lw + le) / 2, my = (aw + ae) / 2;
    char wkt[400];
    snprintf(wkt, sizeof wkt, "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", mx - 0.001,
             my - 0.001, mx + 0.001, my - 0.001, mx + 0.001, my + 0.001, mx - 0.001, my + 0.001, mx - 0.001,
             my - 0.001);
    dm_geom *hg = NULL;
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &hg));
    dm_row_set_geom(hz, hg);
    ASSERT_OK(dm_store_insert(s, hz, NULL));
    dm_row_free(hz);
    dm_store_close(s);
    char body[400];
    snprintf(body, sizeof body, "{\"type\":\"LineString\",\"coordinates\":[[%.7f,%.7f],[%.7f,%.7f]]}",
             lw, aw, le, ae);
    ASSERT_EQ(http("POST", "/api/route/check", ana, body, &out), 200);
    ASSERT_CONTAINS(out, "\"verdict\":\"high\"");
    ASSERT_CONTAINS(out, "\"hazards_crossed\":[{\"ref\":\"H-WALL\"");
    free(out);
    /* staff may plan around the hazards in force: from inside one there is
     * then no route, said so; the public has its danger zones instead */
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_hazards=1", mx, my, le, ae);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 400);
    ASSERT_CONTAINS(out, "in a hazard in force");
    free(out);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_hazards=0", mx, my, le, ae);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"ref\":\"H-WALL\"");
    free(out);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_hazards=yes", lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 400);
    ASSERT_CONTAINS(out, "avoid_hazards: 0 or 1");
    free(out);
    snprintf(path, sizeof path, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_hazards=1", lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "avoid_hazards is for staff");
    free(out);
    ASSERT_EQ(http("POST", "/api/route/check", ana, "{\"type\":\"Point\",\"coordinates\":[]}", &out),
              400);
    free(out);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=10,10", lw, aw);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 400);
    free(out);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_above=0.1", lw, aw,
             li, ai);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 400); /* the end is on an impassable cell */
    free(out);
    ASSERT_EQ(http("GET", "/api/route?from=abc&to=1,2", ana, NULL, &out), 400);
    free(out);
    stop_server(SIGTERM);
}

/* The wall map of make_wall_tif (10 m cells, aligned on the 50 m grid) with
 * one more cell (mc, mr) of probability 0.5: a mine in the gap north of the
 * wall. Written beside the map and renamed over it, as the risk engine does. */
static void make_mine_tif(const char *path, int mc, int mr)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.new.tif", path);
    double d[6];
    make_wall_tif(tmp, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5]);
    GDALDatasetH ds = GDALOpen(tmp, GA_Update);
    ASSERT(ds != NULL);
    float v = 0.5f;
    ASSERT(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, mc, mr, 1, 1, &v, 1, 1, GDT_Float32, 0,
                        0) == CE_None);
    GDALClose(ds);
    ASSERT_EQ(rename(tmp, path), 0);
}

/* WGS 84 of a point in EPSG:32638. */
static void utm_ll(double x, double y, double *lon, double *lat)
{
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &t));
    ASSERT_OK(dm_transform_xy(t, &x, &y, 1));
    dm_transform_free(t);
    *lon = x, *lat = y;
}

TEST(server_public_route_does_not_trace_a_mine_within_its_block)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    /* an open hazard south-west of the route: its danger zone is public */
    double hx[4], hy[4];
    utm_ll(600300, 4420300, &hx[0], &hy[0]);
    utm_ll(600400, 4420400, &hx[1], &hy[1]);
    char wkt[300], u[37];
    snprintf(wkt, sizeof wkt, "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))",
             hx[0], hy[0], hx[1], hy[0], hx[1], hy[1], hx[0], hy[1], hx[0], hy[0]);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    const char *h[] = {"ref", "H-9", "hazard_type", "CHA", "status", "open", NULL};
    insert_wkt(s, "hazards", wkt, h, u);
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "echo analystpw1 | '%s' user add t.gpkg ana --role analyst",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    /* map A: the mine at column 100, row 16; map B: at column 103, row 19,
     * in the same 50 m block (columns 100..104, rows 15..19) */
    const char *map = strdup(dmtest_path("risk.tif"));
    make_mine_tif(map, 100, 16);
    start_server();
    char ana[65], pub[300], staff[300];
    login("ana", "analystpw1", ana);
    double lw, aw, le, ae;
    utm_ll(600205, 4420995, &lw, &aw);
    utm_ll(601795, 4420995, &le, &ae);
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    snprintf(staff, sizeof staff, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    char *pa = NULL, *pb = NULL, *sa = NULL, *sb = NULL;
    ASSERT_EQ(http("GET", pub, NULL, NULL, &pa), 200);
    ASSERT_EQ(http("GET", staff, ana, NULL, &sa), 200);
    make_mine_tif(map, 103, 19);
    ASSERT_EQ(http("GET", pub, NULL, NULL, &pb), 200);
    ASSERT_EQ(http("GET", staff, ana, NULL, &sb), 200);
    /* the staff's route bends around the mine's cell; the public's is the
     * same for both maps: probing it cannot tell where in its block the
     * mine lies */
    ASSERT(strcmp(sa, sb) != 0);
    ASSERT_STREQ(pa, pb);
    ASSERT_CONTAINS(pa, "\"LineString\"");
    ASSERT(!strstr(pa, "p_none") && !strstr(pa, "max_p") && !strstr(pa, "items") &&
           !strstr(pa, "stretch"));
    free(pa), free(pb), free(sa), free(sb);
    /* the public route keeps out of the public danger zones: from inside
     * one it gives no route (staff are routed out of it) */
    double zl, za;
    utm_ll(600350, 4420350, &zl, &za);
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", zl, za, le, ae);
    ASSERT_EQ(http("GET", pub, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "no route can be given");
    free(out);
    snprintf(staff, sizeof staff, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", zl, za, le, ae);
    ASSERT_EQ(http("GET", staff, ana, NULL, &out), 200);
    free(out);
    /* a walking route: at most 10 km */
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, lw + 0.2,
             aw);
    ASSERT_EQ(http("GET", pub, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "at most 10 km");
    free(out);
    free((char *)map);
    stop_server(SIGTERM);
}

TEST(server_public_route_is_rate_limited)
{
    double lw, aw, le, ae, li, ai;
    char *out = NULL, *hdr = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    make_wall_tif(dmtest_path("risk.tif"), &lw, &aw, &le, &ae, &li, &ai);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "echo analystpw1 | '%s' user add t.gpkg ana --role analyst",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    start_server();
    char ana[65], pub[300], staff[300];
    login("ana", "analystpw1", ana);
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    snprintf(staff, sizeof staff, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    /* every query counts, even a malformed one: 20 at once, then one every
     * 3 s (a slow machine may earn one or two more on the way) */
    int served = 0, code = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 40; i++) {
        code = http_hdr("GET", i % 2 ? "/api/public/route?from=abc&to=1,2" : pub, NULL, NULL, &out,
                        &hdr);
        if (code == 429)
            break;
        ASSERT_EQ(code, i % 2 ? 400 : 200);
        served++;
        free(out);
        free(hdr);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    ASSERT_EQ(code, 429);
    ASSERT_MSG(served >= 20 && served <= 20 + (int)(took / 3), "429 after %d queries in %.1f s",
               served, took);
    ASSERT_CONTAINS(out, "at most 20 a minute");
    char ra[32];
    ASSERT(header_value(hdr, "Retry-After", ra, sizeof ra));
    long wait = strtol(ra, NULL, 10);
    ASSERT(wait >= 1 && wait <= 3);
    free(out);
    free(hdr);
    /* the staff's route is not limited */
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(http("GET", staff, ana, NULL, &out), 200);
        free(out);
    }
    /* after the wait the public may ask again */
    sleep((unsigned)wait);
    ASSERT_EQ(http("GET", pub, NULL, NULL, &out), 200);
    free(out);
    stop_server(SIGTERM);
}

/* PATCH with an If-Match header (or none when if_match is NULL); the
 * response's headers in *hdr. */
static int http_patch(const char *path, const char *token, const char *if_match, const char *body,
                      char **out, char **hdr)
{
    char auth[160] = "", im[200] = "";
    if (token)
        snprintf(auth, sizeof auth, "-H 'Authorization: Bearer %s'", token);
    if (if_match)
        snprintf(im, sizeof im, "-H 'If-Match: %s'", if_match);
    dmtest_write_file(dmtest_path("req.json"), body);
    char *res = NULL;
    int rc = dmtest_sh(&res, "rm -f resp.txt hdr.txt; curl -s -g -D hdr.txt -o resp.txt -w "
                             "'%%{http_code}' -X PATCH %s %s --data-binary @req.json '%s%s'",
                       auth, im, base, path);
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

/* The ETag of GET path (quoted) into etag. */
static void etag_of(const char *path, const char *token, char etag[64])
{
    char *out = NULL, *hdr = NULL;
    int code = http_hdr("GET", path, token, NULL, &out, &hdr);
    ASSERT_MSG(code == 200, "GET %s: %d %s", path, code, out);
    ASSERT_MSG(header_value(hdr, "ETag", etag, 64) && etag[0] == '"', "no ETag: %s", hdr);
    free(out);
    free(hdr);
}

/* Poll GET /api/risk/refresh until `runs` reaches n (at most ~60 s). */
static char *refresh_status_after(const char *token, int n)
{
    char *out = NULL;
    for (int i = 0; i < 600; i++) {
        ASSERT_EQ(http("GET", "/api/risk/refresh", token, NULL, &out), 200);
        if (num_after(out, "\"runs\":") >= n && strstr(out, "\"running\":false"))
            return out;
        free(out);
        usleep(100000);
    }
    dmtest_fail(__FILE__, __LINE__, "the refresh did not finish");
    return NULL;
}

/* The risk map follows the evidence: refreshed on request and after an
 * approved field report, in the background. */
TEST(server_refreshes_the_risk_map)
{
    setup_db();
    start_server();
    char ana[65], fld[65], uuid[37], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    ASSERT_EQ(http("POST", "/api/risk/refresh", fld, NULL, &out), 403);
    free(out);
    /* no map made by `risk map` yet: the refresh says so at once */
    ASSERT_EQ(http("POST", "/api/risk/refresh", ana, NULL, &out), 409);
    ASSERT_CONTAINS(out, "no risk map made yet");
    free(out);
    /* a map made by the command line while the service runs */
    ASSERT_EQ(dmtest_demine(&out, "risk map t.gpkg --out %s --cell 20 --json", dmtest_path("r.tif")), 0);
    double ev0 = num_after(out, "\"evidence\":");
    free(out);
    ASSERT_EQ(http("POST", "/api/risk/refresh", ana, NULL, &out), 202);
    free(out);
    out = refresh_status_after(ana, 1);
    ASSERT_CONTAINS(out, "\"ok\":true");
    ASSERT_EQ(num_after(out, "\"evidence\":"), ev0);
    /* nothing changed since the command line's map: no hazard rewritten (and
     * H-2, closed and so no evidence, lies outside the map: left alone) */
    ASSERT_EQ(num_after(out, "\"hazards_updated\":"), 0);
    ASSERT_CONTAINS(out, "\"spots\":null");
    ASSERT_CONTAINS(out, "\"changes\":[]");
    free(out);
    /* an approved report (a clearance with a find) is new evidence */
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    char path[200];
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"ok\"}", &out), 200);
    ASSERT_CONTAINS(out, "\"risk_refresh\":true");
    free(out);
    out = refresh_status_after(ana, 2);
    ASSERT_CONTAINS(out, "\"ok\":true");
    ASSERT_CONTAINS(out, "\"requested_by\":\"report approved\"");
    ASSERT_CONTAINS(out, "\"user\":\"ana\"");
    ASSERT_MSG(num_after(out, "\"evidence\":") >= ev0 + 2, "evidence %g, before %g",
               num_after(out, "\"evidence\":"), ev0);
    /* what the report did: the hazard its find lies in moved most */
    ASSERT_CONTAINS(out, "\"changes\":[{\"uuid\":");
    {
        const char *c = strstr(out, "\"changes\":[{");
        ASSERT_MSG(c && strstr(c, "\"ref\":\"H-1\",\"p_before\":"), "no H-1 among the changes: %s", out);
        ASSERT(num_after(c, "\"p_after\":") > num_after(c, "\"p_before\":"));
    }
    free(out);
    /* the hazard's new risk is logged under the analyst who approved, not the
     * service's system user */
    ASSERT_EQ(http("GET", "/api/hazards/H-1/history", ana, NULL, &out), 200);
    {
        const char *rm = NULL; /* the last: the first is the command line's map */
        for (const char *q = out; (q = strstr(q, "\"risk map\"")); q++)
            rm = q;
        ASSERT_MSG(rm, "no risk map change in %s", out);
        const char *open = rm;
        while (open > out && *open != '{')
            open--;
        const char *close = strchr(rm, '}');
        char entry[600];
        size_t len = close && close - open < (long)sizeof entry - 1 ? (size_t)(close - open) : 0;
        memcpy(entry, open, len);
        entry[len] = 0;
        ASSERT_CONTAINS(entry, "\"author\":\"ana\"");
    }
    free(out);
    /* why the hazard with the accident is risky, term by term (analysts only) */
    ASSERT_EQ(http("GET", "/api/risk/explain?lon=46.9077&lat=39.9088", fld, NULL, &out), 403);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk/explain?lon=46.9077&lat=39.9088", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"name\":\"area_hazards\"");
    ASSERT_CONTAINS(out, "\"cell_m\":20");
    ASSERT_CONTAINS(out, "\"outside_map\":false");
    ASSERT_CONTAINS(out, "\"lon_cell\":46.90");
    ASSERT(num_after(out, "\"p_cell\":") > 0);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk/explain?lon=x&lat=39.9", ana, NULL, &out), 400);
    free(out);
    /* a request made during a run is queued: the status names who asked for
     * the run under way, and the one queued apart, until its run starts */
    char adm[65];
    login("adm", "adminpw123", adm);
    ASSERT_EQ(http("POST", "/api/risk/refresh", ana, NULL, &out), 202);
    free(out);
    ASSERT_EQ(http("POST", "/api/risk/refresh", adm, NULL, &out), 202);
    int queued = strstr(out, "queued") != NULL;
    free(out);
    ASSERT_EQ(http("GET", "/api/risk/refresh", ana, NULL, &out), 200);
    if (queued && strstr(out, "\"queued\":true")) {
        ASSERT_CONTAINS(out, "\"user\":\"ana\"");
        ASSERT_CONTAINS(out, "\"queued_by\":\"adm\"");
    }
    free(out);
    out = refresh_status_after(ana, 4);
    ASSERT_CONTAINS(out, "\"user\":\"adm\"");
    ASSERT(!strstr(out, "queued_by"));
    free(out);
    stop_server(SIGTERM);
}

/* An edit of the evidence (PATCH) is new evidence too: the risk map is
 * refreshed in the background as after an approved report; an edit of a
 * layer the map does not read, or of a report still under review, asks for
 * no refresh, and neither does any edit before a first map. */
TEST(server_edit_refreshes_the_risk_map)
{
    setup_db();
    start_server();
    char ana[65], fld[65], tag[64], path[128], rr[32], *out = NULL, *hdr = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    snprintf(path, sizeof path, "/api/items/%s", item_uuid);
    /* no map made yet: nothing to refresh */
    etag_of(path, ana, tag);
    ASSERT_EQ(http_patch(path, ana, tag, "{\"model\":\"TM-62P\",\"reason\":\"label read\"}", &out,
                         &hdr),
              200);
    ASSERT_MSG(!header_value(hdr, "Risk-Refresh", rr, sizeof rr), "Risk-Refresh: %s", rr);
    free(out);
    free(hdr);
    ASSERT_EQ(dmtest_demine(&out, "risk map t.gpkg --out %s --cell 20 --json", dmtest_path("r.tif")), 0);
    free(out);
    /* not evidence: an organisation, and a draft report (not yet approved) */
    char org[37], opath[128];
    ASSERT_EQ(http("GET", "/api/organisations?name=HALO", ana, NULL, &out), 200);
    uuid_of(out, org);
    free(out);
    snprintf(opath, sizeof opath, "/api/organisations/%s", org);
    etag_of(opath, ana, tag);
    ASSERT_EQ(http_patch(opath, ana, tag, "{\"country\":\"UK\",\"reason\":\"letter\"}", &out, &hdr),
              200);
    ASSERT_MSG(!header_value(hdr, "Risk-Refresh", rr, sizeof rr), "Risk-Refresh: %s", rr);
    free(out);
    free(hdr);
    char act[37], apath[128];
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, act);
    free(out);
    snprintf(apath, sizeof apath, "/api/activities/%s", act);
    etag_of(apath, ana, tag);
    ASSERT_EQ(http_patch(apath, ana, tag, "{\"notes\":\"checked\",\"reason\":\"typo\"}", &out, &hdr),
              200);
    ASSERT_MSG(!header_value(hdr, "Risk-Refresh", rr, sizeof rr), "Risk-Refresh: %s", rr);
    free(out);
    free(hdr);
    ASSERT_EQ(http("GET", "/api/risk/refresh", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"running\":false");
    ASSERT_CONTAINS(out, "\"runs\":0");
    free(out);
    /* the hazard's risk before the edit */
    ASSERT_EQ(http("GET", "/api/hazards/H-1", ana, NULL, &out), 200);
    double items0 = num_after(out, "\"expected_items\":");
    free(out);
    /* the item found in H-1 was in fact 30 mines: new evidence */
    etag_of(path, ana, tag);
    ASSERT_EQ(http_patch(path, ana, tag, "{\"quantity\":30,\"reason\":\"recount\"}", &out, &hdr),
              200);
    ASSERT_CONTAINS(out, "\"quantity\":30");
    ASSERT_MSG(header_value(hdr, "Risk-Refresh", rr, sizeof rr), "no Risk-Refresh in %s", hdr);
    ASSERT_STREQ(rr, "started");
    free(out);
    free(hdr);
    out = refresh_status_after(ana, 1);
    ASSERT_CONTAINS(out, "\"ok\":true");
    ASSERT_CONTAINS(out, "\"requested_by\":\"items ");
    ASSERT_CONTAINS(out, " edited\"");
    ASSERT_CONTAINS(out, "\"user\":\"ana\"");
    ASSERT_MSG(num_after(out, "\"hazards_updated\":") >= 1, "%s", out);
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards/H-1", ana, NULL, &out), 200);
    double items1 = num_after(out, "\"expected_items\":");
    ASSERT_MSG(items1 > items0, "H-1 expected items %g, before the edit %g", items1, items0);
    free(out);
    /* saved again with the same count: nothing written, the row keeps its
     * tag, and no refresh is asked */
    etag_of(path, ana, tag);
    ASSERT_EQ(http_patch(path, ana, tag, "{\"quantity\":30,\"reason\":\"recount\"}", &out, &hdr), 200);
    ASSERT_MSG(!header_value(hdr, "Risk-Refresh", rr, sizeof rr), "Risk-Refresh: %s", rr);
    char tag2[64];
    ASSERT_MSG(header_value(hdr, "ETag", tag2, sizeof tag2), "no ETag: %s", hdr);
    ASSERT_STREQ(tag2, tag);
    free(out);
    free(hdr);
    stop_server(SIGTERM);
}

/* "/public/" as typed: the public danger map, by a redirect to public.html
 * (so that its relative links resolve), and its script loads from there. */
TEST(server_public_map_with_a_trailing_slash)
{
    setup_db();
    start_server();
    char *out = NULL, *hdr = NULL, loc[200];
    ASSERT_EQ(http_hdr("GET", "/public/", NULL, NULL, &out, &hdr), 302);
    ASSERT(header_value(hdr, "Location", loc, sizeof loc));
    ASSERT_STREQ(loc, "../public.html");
    ASSERT_CONTAINS(out, "public.html");
    free(out);
    free(hdr);
    /* followed as a browser does: the page, then its script relative to it */
    ASSERT_EQ(dmtest_sh(&out, "curl -s -L -o page.html -w '%%{http_code} %%{url_effective}' "
                              "'%s/public/'",
                        base),
              0);
    char want[200];
    snprintf(want, sizeof want, "200 %s/public.html", base);
    ASSERT_STREQ(out, want);
    free(out);
    out = dmtest_read_file(dmtest_path("page.html"));
    ASSERT_CONTAINS(out, "src=\"js/public.js\"");
    free(out);
    ASSERT_EQ(http("GET", "/js/public.js", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "api/public/danger");
    free(out);
    /* without the slash it is the page itself, as before */
    ASSERT_EQ(http("GET", "/public", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "js/public.js");
    free(out);
    ASSERT_EQ(http_hdr("HEAD", "/public.html/", NULL, NULL, NULL, &hdr), 302);
    ASSERT(header_value(hdr, "Location", loc, sizeof loc));
    ASSERT_STREQ(loc, "../public.html");
    free(hdr);
    /* nothing else is made up: an unknown directory, a script with a slash */
    ASSERT_EQ(http("GET", "/nothing/", NULL, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("GET", "/js/public.js/", NULL, NULL, &out), 404);
    free(out);
    ASSERT_EQ(http("POST", "/public/", NULL, "{}", &out), 405);
    free(out);
    stop_server(SIGTERM);
}

/* The built-in pages, scripts and styles carry an ETag: a returning visitor's
 * browser revalidates its copy (304, nothing sent) instead of downloading
 * every file again; a tag of another version gets the file. */
TEST(server_static_files_are_revalidated_by_etag)
{
    setup_db();
    start_server();
    const char *files[] = {"/public", "/js/public.js", "/css/public.css", "/js/app.js", "/",
                           "/vendor/leaflet/leaflet.js"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *out = NULL, *hdr = NULL, tag[64], inm[120], tag2[64], cc[64];
        ASSERT_EQ(http_hdr("GET", files[i], NULL, NULL, &out, &hdr), 200);
        ASSERT_MSG(out[0], "%s: empty", files[i]);
        ASSERT_MSG(header_value(hdr, "ETag", tag, sizeof tag), "%s: no ETag in\n%s", files[i], hdr);
        ASSERT_MSG(tag[0] == '"', "%s: ETag %s", files[i], tag);
        free(out);
        free(hdr);
        snprintf(inm, sizeof inm, "If-None-Match: %s", tag);
        ASSERT_EQ(http_hdr("GET", files[i], NULL, inm, &out, &hdr), 304);
        ASSERT_MSG(!out[0], "%s: a 304 with a body", files[i]);
        ASSERT(header_value(hdr, "ETag", tag2, sizeof tag2));
        ASSERT_STREQ(tag2, tag);
        ASSERT(header_value(hdr, "Cache-Control", cc, sizeof cc));
        free(out);
        free(hdr);
        ASSERT_EQ(http_hdr("GET", files[i], NULL, "If-None-Match: \"w0000000000000000\"", &out, NULL), 200);
        ASSERT_MSG(out[0], "%s: empty", files[i]);
        free(out);
    }
    /* each file has its own tag */
    char *h1 = NULL, *h2 = NULL, t1[64], t2[64];
    ASSERT_EQ(http_hdr("HEAD", "/js/app.js", NULL, NULL, NULL, &h1), 200);
    ASSERT_EQ(http_hdr("HEAD", "/js/public.js", NULL, NULL, NULL, &h2), 200);
    ASSERT(header_value(h1, "ETag", t1, sizeof t1) && header_value(h2, "ETag", t2, sizeof t2));
    ASSERT_MSG(strcmp(t1, t2), "two files, one tag %s", t1);
    free(h1);
    free(h2);
    stop_server(SIGTERM);
}

/* Built-in text files go gzipped to a browser that takes gzip (leaflet.js
 * 147 KB -> 42 KB on a phone's network), whole to one that does not; each
 * form has its own tag, and Vary keeps them apart in caches. */
TEST(server_static_files_are_gzipped_for_browsers_that_take_it)
{
    setup_db();
    start_server();
    const char *files[] = {"/vendor/leaflet/leaflet.js", "/js/public.js", "/public.html"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *out = NULL, *hdr = NULL, *res = NULL, v[64], tag[64], gtag[64], enc[32];
        ASSERT_EQ(http_hdr("GET", files[i], NULL, NULL, &out, &hdr), 200);
        ASSERT_MSG(!header_value(hdr, "Content-Encoding", enc, sizeof enc), "%s: %s without asking", files[i], enc);
        ASSERT(header_value(hdr, "Vary", v, sizeof v));
        ASSERT_STREQ(v, "Accept-Encoding");
        ASSERT(header_value(hdr, "ETag", tag, sizeof tag));
        size_t plain = strlen(out);
        free(out);
        free(hdr);
        ASSERT_EQ(dmtest_sh(&res, "cp resp.txt plain.txt"), 0);
        free(res);
        ASSERT_EQ(http_hdr("GET", files[i], NULL, "Accept-Encoding: br, gzip, deflate", &out, &hdr), 200);
        ASSERT_MSG(header_value(hdr, "Content-Encoding", enc, sizeof enc), "%s: not gzipped\n%s", files[i], hdr);
        ASSERT_STREQ(enc, "gzip");
        ASSERT(header_value(hdr, "Vary", v, sizeof v));
        ASSERT(header_value(hdr, "ETag", gtag, sizeof gtag));
        ASSERT_MSG(strcmp(tag, gtag), "%s: both forms tagged %s", files[i], tag);
        free(out);
        free(hdr);
        /* the gzipped bytes are the file, and fewer */
        ASSERT_EQ(dmtest_sh(&res, "gunzip -c < resp.txt | cmp - plain.txt && wc -c < resp.txt"), 0);
        ASSERT_MSG(strtoul(res, NULL, 10) * 10 <= plain * 9, "%s: %s bytes gzipped of %zu", files[i], res, plain);
        free(res);
        /* revalidation of the gzipped copy */
        char h[160];
        snprintf(h, sizeof h, "If-None-Match: %s' -H 'Accept-Encoding: gzip", gtag);
        ASSERT_EQ(http_hdr("GET", files[i], NULL, h, &out, NULL), 304);
        free(out);
        /* q=0 refuses gzip, also under "*"; x-gzip and "*" take it */
        const struct {
            const char *ae;
            int gz;
        } cases[] = {{"gzip;q=0", 0}, {"*, gzip; q=0.000", 0}, {"identity", 0}, {"deflate", 0},
                     {"x-gzip", 1},   {"*", 1},                {"GZIP;q=0.5", 1}, {"gzip;q=0.01", 1}};
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            snprintf(h, sizeof h, "Accept-Encoding: %s", cases[k].ae);
            ASSERT_EQ(http_hdr("GET", files[i], NULL, h, &out, &hdr), 200);
            ASSERT_MSG(header_value(hdr, "Content-Encoding", enc, sizeof enc) == cases[k].gz, "%s: %s gave %s",
                       files[i], cases[k].ae, enc);
            free(out);
            free(hdr);
        }
    }
    /* an API answer of 1 KiB or more is gzipped as it goes out; a smaller one is not */
    char *out = NULL, *hdr = NULL, *res = NULL, enc[32], v[64];
    char ana[65], path[128];
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http_hdr("GET", "/api/hazards", ana, NULL, &out, &hdr), 200);
    ASSERT(!header_value(hdr, "Content-Encoding", enc, sizeof enc));
    ASSERT_MSG(strlen(out) >= 1024, "hazards of %zu bytes: too small to test", strlen(out));
    ASSERT(header_value(hdr, "Vary", v, sizeof v));
    free(out);
    free(hdr);
    ASSERT_EQ(dmtest_sh(&res, "cp resp.txt plain.txt"), 0);
    free(res);
    ASSERT_EQ(http_hdr("GET", "/api/hazards", ana, "Accept-Encoding: gzip", &out, &hdr), 200);
    ASSERT(header_value(hdr, "Content-Encoding", enc, sizeof enc));
    ASSERT_STREQ(enc, "gzip");
    free(out);
    free(hdr);
    ASSERT_EQ(dmtest_sh(&res, "gunzip -c < resp.txt | cmp - plain.txt && echo same"), 0);
    ASSERT_CONTAINS(res, "same");
    free(res);
    ASSERT_EQ(http_hdr("GET", "/api/me", ana, "Accept-Encoding: gzip", &out, &hdr), 200);
    ASSERT_MSG(strlen(out) < 1024 && !header_value(hdr, "Content-Encoding", enc, sizeof enc), "%zu bytes, %s",
               strlen(out), enc);
    ASSERT_CONTAINS(out, "ana");
    free(out);
    free(hdr);
    /* the public danger zones are kept gzipped beside the cache: computed, then cached */
    ASSERT_EQ(http_hdr("GET", "/api/public/danger", NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "FeatureCollection");
    free(out);
    ASSERT_EQ(dmtest_sh(&res, "cp resp.txt plain.txt"), 0);
    free(res);
    for (int k = 0; k < 2; k++) {
        ASSERT_EQ(http_hdr("GET", "/api/public/danger", NULL, "Accept-Encoding: gzip", &out, &hdr), 200);
        ASSERT(header_value(hdr, "Content-Encoding", enc, sizeof enc));
        ASSERT(header_value(hdr, "Vary", v, sizeof v));
        free(out);
        free(hdr);
        ASSERT_EQ(dmtest_sh(&res, "gunzip -c < resp.txt | cmp - plain.txt && echo same"), 0);
        ASSERT_CONTAINS(res, "same");
        free(res);
    }
    /* a row, whose tag an edit compares, goes as it is */
    ASSERT_EQ(http_hdr("GET", "/api/hazards?limit=1", ana, NULL, &out, NULL), 200);
    const char *u = strstr(out, "\"uuid\"");
    ASSERT(u);
    snprintf(path, sizeof path, "/api/hazards/%.36s", strchr(u + 6, '"') + 1);
    free(out);
    ASSERT_EQ(http_hdr("GET", path, ana, "Accept-Encoding: gzip", &out, &hdr), 200);
    ASSERT_MSG(!header_value(hdr, "Content-Encoding", enc, sizeof enc), "%s: gzipped", path);
    ASSERT(header_value(hdr, "ETag", v, sizeof v));
    ASSERT_CONTAINS(out, "\"uuid\"");
    free(out);
    free(hdr);
    stop_server(SIGTERM);
}

/* A method an address does not take gets 405 with the Allow header HTTP
 * requires, naming those it takes. */
TEST(server_405_names_the_methods_allowed)
{
    setup_db();
    start_server();
    const struct {
        const char *method, *path, *allow;
    } cases[] = {{"OPTIONS", "/api/public/danger", "GET, HEAD"}, {"POST", "/api/public/check", "GET, HEAD"},
                 {"DELETE", "/js/app.js", "GET, HEAD"},         {"PUT", "/public/", "GET, HEAD"},
                 {"GET", "/api/login", "POST"},                 {"PUT", "/api/reports", "GET, HEAD, POST"},
                 {"DELETE", "/api/risk/refresh", "GET, HEAD, POST"},
                 /* a row is edited and deleted too, a layer added to: its Allow said GET, HEAD only */
                 {"PUT", "/api/hazards/H-1", "GET, HEAD, PATCH, DELETE"}, {"POST", "/api/hazards/H-1", "GET, HEAD, PATCH, DELETE"},
                 {"PATCH", "/api/hazards", "GET, HEAD, POST"},             {"PATCH", "/api/hazards/H-1/history", "GET, HEAD"}};
    char ana[65];
    login("ana", "analystpw1", ana);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *hdr = NULL, allow[64];
        ASSERT_EQ(http_hdr(cases[i].method, cases[i].path, ana, NULL, &out, &hdr), 405);
        ASSERT_MSG(header_value(hdr, "Allow", allow, sizeof allow), "%s %s: no Allow in\n%s", cases[i].method,
                   cases[i].path, hdr);
        ASSERT_STREQ(allow, cases[i].allow);
        ASSERT_CONTAINS(out, "\"status\":405");
        free(out);
        free(hdr);
    }
    stop_server(SIGTERM);
}

/* A rejection's reason of white space only is no reason: 400 naming the
 * field, the report stays a draft; a real reason is stored trimmed. */
TEST(server_reject_refuses_a_blank_reason)
{
    setup_db();
    start_server();
    char ana[65], fld[65], uuid[37], path[200], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", uuid);
    static const char *blank[] = {"{\"reason\":\"   \"}", "{\"reason\":\"\\t\\n \\r\"}",
                                  "{\"reason\":\"\"}", "{\"reason\":\"\\u00a0\\u3000\"}"};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        ASSERT_EQ(http("POST", path, ana, blank[i], &out), 400);
        ASSERT_CONTAINS(out, "reason: a rejection needs a reason");
        free(out);
    }
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\" \"}", &out), 400);
    ASSERT_CONTAINS(out, "white space only");
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s", uuid);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"status\":\"draft\"");
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"  polygon outside the task \\n\"}", &out),
              200);
    ASSERT_CONTAINS(out, "\"reason\":\"rejected by ana: polygon outside the task\"");
    free(out);
    /* an approval's reason is optional: white space only is none */
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"  \"}", &out), 200);
    ASSERT_CONTAINS(out, "\"reason\":\"approved by ana\"");
    free(out);
    stop_server(SIGTERM);
}

/* `user add --org` names a row of the organisations layer: an unknown one
 * is refused, naming it and saying how to see and add organisations, and
 * the database is not touched. */
TEST(server_user_add_refuses_an_unknown_organisation)
{
    setup_db();
    char *out = NULL, *before = NULL, *after = NULL;
    ASSERT_EQ(dmtest_sh(&before, "sha256sum t.gpkg && '%s' user list t.gpkg --json",
                        getenv("DEMINE_BIN")),
              0);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg zed --role field --org NOPE",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "organisation 'NOPE': not in the organisations layer of t.gpkg");
    ASSERT_CONTAINS(out, "it has: FSD, HALO");
    ASSERT_CONTAINS(out, "demine list t.gpkg --layer organisations");
    ASSERT_CONTAINS(out, "demine import t.gpkg --layer organisations");
    free(out);
    /* another case is another name, but it is pointed out */
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg zed --role field --org halo",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "did you mean 'HALO'?");
    free(out);
    /* a field user without --org is told the option */
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg zed --role field", getenv("DEMINE_BIN")), 2);
    ASSERT_CONTAINS(out, "a field user needs an organisation\n  give it with --org NAME (one of `demine list "
                         "t.gpkg --layer organisations`)");
    free(out);
    /* any role: an analyst's organisation is checked too */
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg zed --role analyst --org "
                              "'Nobody Ltd'",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "organisation 'Nobody Ltd'");
    free(out);
    ASSERT_EQ(dmtest_sh(&after, "sha256sum t.gpkg && '%s' user list t.gpkg --json",
                        getenv("DEMINE_BIN")),
              0);
    ASSERT_STREQ(after, before);
    ASSERT(!strstr(after, "zed"));
    free(before);
    free(after);
    /* once the organisation is in the layer, the user is added */
    dmtest_write_file(dmtest_path("orgs.csv"), "name,kind\nMAG,ngo\n");
    ASSERT_EQ(dmtest_demine(&out, "import t.gpkg --layer organisations orgs.csv"), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add t.gpkg zed --role field --org MAG",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user list t.gpkg"), 0);
    ASSERT_CONTAINS(out, "zed");
    ASSERT_CONTAINS(out, "MAG");
    free(out);
    /* the library says the same to any caller */
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_STATUS(DM_ENOTFOUND,
                  dm_auth_user_add(s, "q", "password1", DM_ROLE_FIELD, "Unknown Org"));
    ASSERT_CONTAINS(dmtest_ctx_msg(), "organisation 'Unknown Org'");
    ASSERT_OK(dm_auth_user_add(s, "q", "password1", DM_ROLE_FIELD, "FSD"));
    dm_store_close(s);
}

/* Risk tiles are revalidated (no-cache with the map's ETag: 304 while the
 * map is the same) and change at once when the map file does; the web map
 * learns the map's version from /api/risk/map. */
TEST(server_risk_tiles_follow_a_new_map_at_once)
{
    setup_db();
    start_server();
    char ana[65], *out = NULL, *hdr = NULL, etag1[80], etag2[80], cc[80], v1[40], v2[40],
        cond[120];
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http("GET", "/api/risk/map", NULL, NULL, &out), 401);
    free(out);
    ASSERT_EQ(http("GET", "/api/risk/map", ana, NULL, &out), 200);
    const char *p = strstr(out, "\"version\":\"");
    ASSERT_MSG(p, "no version in %s", out);
    snprintf(v1, sizeof v1, "%.16s", p + 11);
    char tiles[120];
    snprintf(tiles, sizeof tiles, "\"tiles\":\"tiles/risk/{z}/{x}/{y}.png?v=%s\"", v1);
    ASSERT_CONTAINS(out, tiles);
    ASSERT_CONTAINS(out, "\"modified\":\"20");
    free(out);
    const char *tile = "/tiles/risk/12/2581/1551.png";
    ASSERT_EQ(http_hdr("GET", tile, ana, NULL, NULL, &hdr), 200);
    ASSERT(header_value(hdr, "Cache-Control", cc, sizeof cc));
    ASSERT_STREQ(cc, "private, no-cache");
    ASSERT_MSG(header_value(hdr, "ETag", etag1, sizeof etag1), "no ETag in %s", hdr);
    free(hdr);
    ASSERT_EQ(dmtest_sh(&out, "cp resp.txt old.png"), 0);
    free(out);
    /* the browser's copy is still good: 304, nothing sent */
    snprintf(cond, sizeof cond, "If-None-Match: %s", etag1);
    ASSERT_EQ(http_hdr("GET", tile, ana, cond, &out, &hdr), 304);
    ASSERT_EQ(strlen(out), 0);
    ASSERT(header_value(hdr, "Cache-Control", cc, sizeof cc));
    ASSERT_STREQ(cc, "private, no-cache");
    free(out);
    free(hdr);
    snprintf(cond, sizeof cond, "If-None-Match: \"x\", W/%s", etag1);
    ASSERT_EQ(http_hdr("GET", tile, ana, cond, &out, NULL), 304);
    free(out);
    ASSERT_EQ(http_hdr("GET", tile, ana, "If-None-Match: \"other\"", &out, NULL), 200);
    free(out);
    /* not without a login, even for a copy held */
    snprintf(cond, sizeof cond, "If-None-Match: %s", etag1);
    ASSERT_EQ(http_hdr("GET", tile, NULL, cond, &out, NULL), 401);
    free(out);
    /* the version in the URL is a key for the browser only */
    char vtile[160];
    snprintf(vtile, sizeof vtile, "%s?v=%s", tile, v1);
    ASSERT_EQ(http("GET", vtile, ana, NULL, &out), 200);
    free(out);
    /* a new map with the very same file time (renamed over the old one):
     * new version, new ETag, new tiles, once the 2 s in which a worker
     * trusts the file it has are over */
    make_risk_tif_dir(dmtest_path("risk2.tif"), 1);
    ASSERT_EQ(dmtest_sh(&out, "touch -r risk.tif risk2.tif && mv risk2.tif risk.tif"), 0);
    free(out);
    sleep(3);
    ASSERT_EQ(http("GET", "/api/risk/map", ana, NULL, &out), 200);
    p = strstr(out, "\"version\":\"");
    ASSERT(p);
    snprintf(v2, sizeof v2, "%.16s", p + 11);
    ASSERT_MSG(strcmp(v1, v2) != 0, "the version did not change: %s", v1);
    free(out);
    for (int i = 0; i < 4; i++) { /* whichever worker answers */
        ASSERT_EQ(http_hdr("GET", tile, ana, cond, NULL, &hdr), 200);
        ASSERT(header_value(hdr, "ETag", etag2, sizeof etag2));
        ASSERT_MSG(strcmp(etag1, etag2) != 0, "the ETag did not change: %s", etag1);
        free(hdr);
        ASSERT_EQ(dmtest_sh(&out, "cmp -s resp.txt old.png && echo same || echo differ"), 0);
        ASSERT_CONTAINS(out, "differ");
        free(out);
    }
    stop_server(SIGTERM);
}

/* Editing a row on the staff web map (tests/browser/edit.test.js): the
 * plain fields only, If-Match from the row as read, the server's refusal
 * naming the field, "changed by someone else" and the row reloaded on 412,
 * a risk refresh after the edit, no edit for a field user. Skipped, saying
 * so, without Chromium. */
TEST(server_browser_edits_a_row)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_edits_a_row needs chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    ASSERT_EQ(dmtest_demine(&out, "-q risk map t.gpkg --out %s --cell 20", dmtest_path("r.tif")), 0);
    free(out);
    start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 150 node edit.test.js",
                       root, base);
    ASSERT_MSG(rc == 0, "browser edit test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "edit test passed");
    free(out);
    stop_server(SIGTERM);
}

/* The public danger map as a resident uses it (tests/browser/public.test.js):
 * on a phone and a desktop the header holds the title and the language
 * buttons, the language chosen is kept for the next visit, a tap in a zone
 * says "danger", and only public endpoints are asked; "safe way" plans real
 * routes on the projected map of setup_browser_db, and one judged high from
 * next to a zone is said of its start. Skipped, saying so, without
 * Chromium. */
TEST(server_browser_public_map_on_a_phone_and_a_desktop)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_public_map_on_a_phone_and_a_desktop needs chromium and `npm ci` in "
               "tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 100 node public.test.js", root, base);
    ASSERT_MSG(rc == 0, "browser public map test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "public test passed");
    free(out);
    stop_server(SIGTERM);
}

/* The staff web map in a browser asks for nothing protected before a login
 * (no burst of 401s), names the map's version in its tile URLs, and goes
 * back to the login form, asking for nothing more, when the session ends
 * (tests/browser/session.test.js), and asks a layer again for a view moved
 * to while it was loading. Skipped, saying so, without Chromium. */
TEST(server_browser_asks_nothing_protected_without_a_session)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_asks_nothing_protected_without_a_session needs "
               "chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 100 node "
                             "session.test.js",
                       root, base);
    ASSERT_MSG(rc == 0, "browser session test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "session test passed");
    free(out);
    stop_server(SIGTERM);
}

/* The staff web map goes to the data at the first login (the layers' bbox
 * of /api/layers), from a view far from it, and on a phone puts the map
 * above the panel, with the risk legend only where there is a risk map
 * (tests/browser/layout.test.js). Skipped, saying so,
 * without Chromium. */
TEST(server_browser_opens_on_the_data_and_fits_a_phone)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_opens_on_the_data_and_fits_a_phone needs "
               "chromium and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 100 node layout.test.js", root,
                       base);
    ASSERT_MSG(rc == 0, "browser layout test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "layout test passed");
    free(out);
    stop_server(SIGTERM);
}

/* Wrong passwords sent at the same time (one connection each, as a server's
 * worker threads would) must not get more password checks than the limit:
 * each attempt is counted before its password is checked. */
typedef struct login_race {
    const char *path;
    int checked, limited, errors;
} login_race;

static pthread_mutex_t login_race_lock = PTHREAD_MUTEX_INITIALIZER;

static void *login_race_thread(void *arg)
{
    login_race *lr = arg;
    dm_ctx *ctx = dm_ctx_new();
    dm_store *s = NULL;
    char tok[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    int checked = 0, limited = 0, errors = 0;
    if (!ctx || dm_store_open(ctx, lr->path, 0, &s)) {
        errors = 1;
    } else {
        dm_status st = dm_auth_login(s, "ana", "wrong-password", "10.9.9.9", 60, tok, &who, &retry);
        if (st == DM_EFORBIDDEN && retry > 0)
            limited = 1;
        else if (st == DM_EFORBIDDEN)
            checked = 1;
        else
            errors = 1;
    }
    dm_store_close(s);
    dm_ctx_free(ctx);
    pthread_mutex_lock(&login_race_lock);
    lr->checked += checked, lr->limited += limited, lr->errors += errors;
    pthread_mutex_unlock(&login_race_lock);
    return NULL;
}

TEST(auth_login_limit_holds_under_concurrent_attempts)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("race.gpkg"), DM_STORE_CREATE, &s));
    ASSERT_OK(dm_store_durable(s));
    ASSERT_OK(dm_auth_init(s));
    ASSERT_OK(dm_auth_user_add(s, "ana", "password1", DM_ROLE_ANALYST, NULL));
    dm_store_close(s);
    login_race lr = {dmtest_path("race.gpkg"), 0, 0, 0};
    pthread_t th[16];
    for (int i = 0; i < 16; i++)
        ASSERT_EQ(pthread_create(&th[i], NULL, login_race_thread, &lr), 0);
    for (int i = 0; i < 16; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ(lr.errors, 0);
    ASSERT_MSG(lr.checked <= DM_AUTH_MAX_FAILS,
               "%d of 16 simultaneous wrong passwords were checked (limit %d)", lr.checked,
               DM_AUTH_MAX_FAILS);
    ASSERT_EQ(lr.checked + lr.limited, 16);
    /* the guessing client is locked out for a while, even with the right
     * password; the user, from another client, is not (the name's own
     * limit, DM_AUTH_MAX_NAME_FAILS, is not reached by one client) */
    ASSERT_OK(dm_store_open(ctx, dmtest_path("race.gpkg"), 0, &s));
    char tok[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    ASSERT_STATUS(DM_EFORBIDDEN,
                  dm_auth_login(s, "ana", "password1", "10.9.9.9", 60, tok, &who, &retry));
    ASSERT(retry > 0);
    ASSERT_OK(dm_auth_login(s, "ana", "password1", "10.1.1.1", 60, tok, &who, &retry));
    dm_store_close(s);
}

/* The public zones of one database whose only open hazard is a 1 m square
 * centred at UTM 38N (x, y). */
static char *tiny_hazard_zones(const char *name, double x, double y)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32638", "EPSG:4326", &t));
    double xs[5] = {x - 0.5, x + 0.5, x + 0.5, x - 0.5, x - 0.5};
    double ys[5] = {y - 0.5, y - 0.5, y + 0.5, y + 0.5, y - 0.5};
    ASSERT_OK(dm_transform_xy(t, xs, ys, 5));
    dm_transform_free(t);
    char wkt[400];
    snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f, %.9f %.9f))",
             xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], xs[3], ys[3], xs[4], ys[4]);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path(name), DM_STORE_CREATE, &s));
    const char *a[] = {"hazard_type", "CHA", "status", "open", NULL};
    char u[37];
    insert_wkt(s, "hazards", wkt, a, u);
    char *json = NULL;
    ASSERT_OK(dm_danger_zones_json(s, NULL, &json));
    dm_store_close(s);
    char *copy = strdup(json);
    dm_free(ctx, json);
    return copy;
}

/* The centroid of the first zone's outer ring (plain vertex mean) in UTM 38N. */
static void zone_centre_utm(const char *json, double *cx, double *cy)
{
    const char *p = strstr(json, "\"coordinates\":[[");
    ASSERT_MSG(p, "no zone in %s", json);
    p += strlen("\"coordinates\":[[");
    double lon[512], lat[512];
    size_t n = 0;
    while (*p == '[' && n < 512) {
        char *e = NULL;
        lon[n] = strtod(p + 1, &e);
        lat[n] = strtod(e + 1, &e);
        n++;
        p = e + 1; /* past ']' */
        if (*p == ',')
            p++;
    }
    ASSERT(n > 3);
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:4326", "EPSG:32638", &t));
    ASSERT_OK(dm_transform_xy(t, lon, lat, n));
    dm_transform_free(t);
    *cx = *cy = 0;
    for (size_t i = 0; i + 1 < n; i++) /* the ring repeats its first vertex */
        *cx += lon[i], *cy += lat[i];
    *cx /= (double)(n - 1), *cy /= (double)(n - 1);
}

TEST(danger_zones_do_not_give_away_a_single_item_position)
{
    /* A hazard drawn tightly around one mine (a spot task, an item reported
     * alone) must not put the mine at the centre of a public zone: the zones
     * say which ground to keep off, not where the item lies. Moved by a few
     * metres, the public map stays the same. */
    char *a = tiny_hazard_zones("tiny-a.gpkg", 600012, 4420014);
    char *b = tiny_hazard_zones("tiny-b.gpkg", 600037, 4420041);
    ASSERT_MSG(!strcmp(a, b),
               "the public zones follow a single hazard's position to the metre:\n%s\n%s", a, b);
    double cx, cy;
    zone_centre_utm(a, &cx, &cy);
    double err_a = hypot(cx - 600012, cy - 4420014), err_b = hypot(cx - 600037, cy - 4420041);
    ASSERT_MSG(err_a > 10 || err_b > 10,
               "the zone's centre gives the item to %.1f m and %.1f m", err_a, err_b);
    /* and the zone still keeps people at least 100 m off the item */
    dm_ctx *ctx = dmtest_ctx();
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(ctx, "EPSG:32638", "EPSG:4326", &t));
    double xs[4] = {600012 - 99, 600012 + 99, 600012, 600012};
    double ys[4] = {4420014, 4420014, 4420014 - 99, 4420014 + 99};
    ASSERT_OK(dm_transform_xy(t, xs, ys, 4));
    dm_transform_free(t);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("tiny-a.gpkg"), 0, &s));
    dm_geom *z = NULL;
    ASSERT_OK(dm_danger_zones(s, NULL, &z));
    dm_store_close(s);
    for (int i = 0; i < 4; i++) {
        int inside = 0;
        double d = -1;
        ASSERT_OK(dm_danger_locate(ctx, z, xs[i], ys[i], &inside, &d));
        ASSERT_MSG(inside, "a point 99 m from the item is outside the zone (%.1f m off)", d);
    }
    dm_geom_free(z);
    free(a);
    free(b);
}

TEST(server_draft_items_are_hidden_from_other_organisations_by_id_too)
{
    /* The item list hides a draft report's items from other organisations;
     * asking for one of them by its uuid (or its history, which holds the
     * position) must not show it either. */
    setup_db();
    start_server();
    char ana[65], fld[65], fld2[65], *out = NULL, act[37], item[37];
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    login("fld2", "fieldpw12", fld2);
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, act);
    free(out);
    char path[200];
    snprintf(path, sizeof path, "/api/items?activity_id=%s&drafts=1", act);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    uuid_of(out, item);
    free(out);
    snprintf(path, sizeof path, "/api/items/%s", item);
    ASSERT_EQ(http("GET", path, fld, NULL, &out), 200); /* its own organisation */
    ASSERT_CONTAINS(out, "46.9012345");
    free(out);
    ASSERT_EQ(http("GET", path, fld2, NULL, &out), 404);
    ASSERT_MSG(!strstr(out, "46.9012345"), "another organisation reads a draft item: %s", out);
    free(out);
    snprintf(path, sizeof path, "/api/items/%s/history", item);
    ASSERT_EQ(http("GET", path, fld2, NULL, &out), 404);
    ASSERT_MSG(!strstr(out, "46.9012345"), "another organisation reads a draft item's history: %s",
               out);
    free(out);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    free(out);
    /* approved, it is everyone's */
    snprintf(path, sizeof path, "/api/reports/%s/approve", act);
    ASSERT_EQ(http("POST", path, ana, "{}", &out), 200);
    free(out);
    snprintf(path, sizeof path, "/api/items/%s", item);
    ASSERT_EQ(http("GET", path, fld2, NULL, &out), 200);
    free(out);
    stop_server(SIGTERM);
}

TEST(user_add_asks_for_the_password_without_echo_on_a_terminal)
{
    /* `demine user add DB NAME --role R` typed at a terminal (as the README
     * shows) must ask for the password, not show it on the screen, and ask
     * twice: a typo would lock its user out. */
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "'%s' init tty.gpkg", getenv("DEMINE_BIN")), 0);
    free(out);
    dmtest_write_file(dmtest_path("pwtty.py"),
                      "import os, pty, select, signal, sys, time\n"
                      "def run(args, lines):\n"
                      "    pid, fd = pty.fork()\n"
                      "    if pid == 0:\n"
                      "        os.execv(args[0], args)\n"
                      "    out = b''\n"
                      "    deadline = time.time() + 30\n"
                      "    def read_until(pred, t):\n"
                      "        nonlocal out\n"
                      "        end = min(time.time() + t, deadline)\n"
                      "        while time.time() < end:\n"
                      "            r, _, _ = select.select([fd], [], [], 0.05)\n"
                      "            if r:\n"
                      "                try:\n"
                      "                    d = os.read(fd, 4096)\n"
                      "                except OSError:\n"
                      "                    return False\n"
                      "                if not d:\n"
                      "                    return False\n"
                      "                out += d\n"
                      "                if pred():\n"
                      "                    return True\n"
                      "        return True\n"
                      "    for l in lines:\n"
                      "        seen = len(out)\n"
                      "        read_until(lambda: out[seen:].rstrip().endswith(b':'), 3)\n"
                      "        time.sleep(0.1)\n"
                      "        os.write(fd, l.encode() + b'\\n')\n"
                      "    while read_until(lambda: False, 1) and time.time() < deadline:\n"
                      "        pass\n"
                      "    if time.time() >= deadline:\n"
                      "        os.kill(pid, signal.SIGKILL)\n"
                      "    _, st = os.waitpid(pid, 0)\n"
                      "    sys.stdout.write(out.decode(errors='replace'))\n"
                      "    sys.stdout.write('\\nEXIT %d\\n' % os.waitstatus_to_exitcode(st))\n"
                      "run(sys.argv[1:], ['Sekret-pw-99', 'Sekret-pw-99'])\n");
    ASSERT_EQ(dmtest_sh(&out, "timeout 60 python3 pwtty.py '%s' user add tty.gpkg ttyuser --role analyst",
                        getenv("DEMINE_BIN")),
              0);
    ASSERT_MSG(!strstr(out, "Sekret-pw-99"), "the password is shown on the terminal:\n%s", out);
    ASSERT_CONTAINS(out, "EXIT 0");
    free(out);
    /* the password typed is the one stored */
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("tty.gpkg"), 0, &s));
    char tok[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    ASSERT_OK(dm_auth_login(s, "ttyuser", "Sekret-pw-99", "10.0.0.1", 60, tok, &who, &retry));
    dm_store_close(s);
    /* two different passwords: nothing is changed */
    dmtest_write_file(dmtest_path("pwtty2.py"), "");
    ASSERT_EQ(dmtest_sh(&out, "sed 's/^run(.*/run(sys.argv[1:], [\"Sekret-pw-99\", "
                              "\"Other-pw-11\"])/' pwtty.py > pwtty2.py && timeout 60 python3 pwtty2.py '%s' user "
                              "add tty.gpkg ttyuser2 --role analyst",
                        getenv("DEMINE_BIN")),
              0);
    ASSERT_CONTAINS(out, "EXIT 2");
    ASSERT_CONTAINS(out, "differ");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "'%s' user list tty.gpkg", getenv("DEMINE_BIN")), 0);
    ASSERT(!strstr(out, "ttyuser2"));
    free(out);
}

/* A report is refused (422, nothing stored) when a released area is larger
 * than its polygon or negative, or a date is after tomorrow; the message
 * names the field and both figures. */
TEST(server_report_area_larger_than_its_polygon_is_refused)
{
    setup_db();
    start_server();
    char fld[65], ana[65], *out = NULL;
    login("fld", "fieldpw12", fld);
    login("ana", "analystpw1", ana);
    /* a rectangle of 0.0009 x 0.0006 degrees at 39.9 N: about 0.51 ha */
    const char *fmt = "{\"activity\":{\"type\":\"Feature\",\"properties\":{\"activity_type\":"
                      "\"clearance\",\"end_date\":\"%s\",\"%s\":%s},\"geometry\":{\"type\":"
                      "\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.9009,39.90],[46.9009,"
                      "39.9006],[46.90,39.9006],[46.90,39.90]]]}},\"items\":[{\"properties\":{"
                      "\"category\":\"AP\",\"found_date\":\"%s\"},\"geometry\":{\"type\":"
                      "\"Point\",\"coordinates\":[46.9001,39.9001]}}]}";
    char body[1200], soon[16];
    time_t later = time(NULL) + 5 * 86400; /* after tomorrow, yet a plausible date */
    struct tm tm;
    gmtime_r(&later, &tm);
    strftime(soon, sizeof soon, "%Y-%m-%d", &tm);
    snprintf(body, sizeof body, fmt, "2025-05-01", "area_cleared_ha", "1.5", "2025-05-01");
    ASSERT_EQ(http("POST", "/api/reports", fld, body, &out), 422);
    ASSERT_CONTAINS(out, "area_cleared_ha");
    ASSERT_CONTAINS(out, "1.5 ha");
    ASSERT_CONTAINS(out, "(0.51 ha)");
    free(out);
    snprintf(body, sizeof body, fmt, "2025-05-01", "area_reduced_ha", "-0.2", "2025-05-01");
    ASSERT_EQ(http("POST", "/api/reports", fld, body, &out), 422);
    ASSERT_CONTAINS(out, "area_reduced_ha");
    free(out);
    snprintf(body, sizeof body, fmt, soon, "area_cleared_ha", "0.4", "2025-05-01");
    ASSERT_EQ(http("POST", "/api/reports", fld, body, &out), 422);
    ASSERT_CONTAINS(out, "end_date");
    ASSERT_CONTAINS(out, "future");
    free(out);
    snprintf(body, sizeof body, fmt, "2025-05-01", "area_cleared_ha", "0.4", soon);
    ASSERT_EQ(http("POST", "/api/reports", fld, body, &out), 422);
    ASSERT_CONTAINS(out, "items[0]: field 'found_date'");
    free(out);
    /* nothing of the refused reports was stored */
    ASSERT_EQ(http("GET", "/api/reports?status=all", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":0");
    free(out);
    /* within the tolerance: accepted */
    snprintf(body, sizeof body, fmt, "2025-05-01", "area_cleared_ha", "0.52", "2025-05-01");
    ASSERT_EQ(http("POST", "/api/reports", fld, body, &out), 201);
    free(out);
    stop_server(SIGTERM);
}

/* /api/stats counts approved data only: a draft's and a rejected report's
 * items and release areas are in no total. HEAD answers as GET. */
TEST(server_stats_count_approved_reports_only)
{
    setup_db();
    start_server();
    char fld[65], ana[65], uuid[37], path[200], *out = NULL, *hdr = NULL;
    login("fld", "fieldpw12", fld);
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http("GET", "/api/stats", ana, NULL, &out), 200);
    char *before = out;
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    char rej[37];
    uuid_of(out, rej);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", rej);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\"wrong task\"}", &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/stats", ana, NULL, &out), 200);
    ASSERT_MSG(!strstr(out, "\"key\":\"AP\""), "draft items counted: %s", out);
    const char *p = strstr(out, "\"counts\":{"), *q = strstr(before, "\"counts\":{");
    ASSERT(p && q);
    ASSERT_MSG(num_after(p, "\"items\":") == num_after(q, "\"items\":"),
               "draft items in the counts: %s", out);
    ASSERT_MSG(num_after(p, "\"activities\":") == num_after(q, "\"activities\":"),
               "draft activities in the counts: %s", out);
    free(out);
    ASSERT_EQ(http("GET", "/api/stats?by=year", ana, NULL, &out), 200);
    ASSERT(!strstr(out, "AP"));
    free(out);
    /* HEAD: the status and headers of a GET, no body */
    ASSERT_EQ(http_hdr("HEAD", "/api/stats", ana, NULL, &out, &hdr), 200);
    ASSERT_MSG(!strchr(out, '{'), "a body after HEAD: %s", out); /* curl -I: headers only */
    free(out);
    free(hdr);
    ASSERT_EQ(http_hdr("HEAD", "/api/reports", ana, NULL, &out, &hdr), 200);
    free(out);
    free(hdr);
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, ana, NULL, &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/stats", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"key\":\"AP\"");
    free(out);
    free(before);
    stop_server(SIGTERM);
}

/* A password of spaces only, or shorter than 8 once the white space at
 * either end is set aside, is refused; `user passwd` says an unknown user is
 * unknown before it asks for (or reads) a password. */
TEST(user_password_of_spaces_is_refused_and_passwd_checks_the_user_first)
{
    setup_db();
    char *out = NULL;
    const char *bin = getenv("DEMINE_BIN");
    ASSERT(0 !=
           dmtest_sh(&out, "echo '          ' | '%s' user add t.gpkg sp --role analyst 2>&1", bin));
    ASSERT_CONTAINS(out, "password: white space only");
    free(out);
    ASSERT(0 !=
           dmtest_sh(&out, "echo '   abc12   ' | '%s' user add t.gpkg sp --role analyst 2>&1", bin));
    ASSERT_CONTAINS(out, "password: at least 8 characters");
    free(out);
    ASSERT(0 != dmtest_sh(&out,
                          "export PW='         '; '%s' user passwd t.gpkg ana --password-env "
                          "PW 2>&1",
                          bin));
    ASSERT_CONTAINS(out, "white space only");
    free(out);
    /* the unknown user is named even with no password to read */
    ASSERT(0 != dmtest_sh(&out, "'%s' user passwd t.gpkg nosuch < /dev/null 2>&1", bin));
    ASSERT_CONTAINS(out, "no user 'nosuch'");
    ASSERT(!strstr(out, "no password"));
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "'%s' user list t.gpkg 2>&1", bin), 0);
    ASSERT(!strstr(out, "sp "));
    free(out);
    /* the library refuses it too (the server's users come through it) */
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_EQ(dm_auth_user_passwd(s, "ana", "\t        \n"), DM_EINVAL);
    ASSERT_OK(dm_auth_user_passwd(s, "ana", "  long enough  "));
    dm_store_close(s);
}

/* Queries to the public route from the address `xff` names (NULL: no
 * header) until a 429; returns how many were answered before it (at most
 * 40). Malformed queries count too, and cost nothing to answer. */
static int public_route_until_429(const char *xff)
{
    char header[128];
    if (xff)
        snprintf(header, sizeof header, "X-Forwarded-For: %s", xff);
    for (int i = 0; i < 40; i++) {
        char *out = NULL;
        int code = http_hdr("GET", "/api/public/route?from=abc&to=1,2", NULL, xff ? header : NULL,
                            &out, NULL);
        free(out);
        if (code == 429)
            return i;
        ASSERT_EQ(code, 400);
    }
    return 40;
}

TEST(server_trusted_proxy_names_the_client_for_the_limits)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "serve t.gpkg --trust-proxy not-an-address"), 2);
    ASSERT_CONTAINS(out, "--trust-proxy");
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "serve t.gpkg --trust-proxy ::1"), 2);
    ASSERT_CONTAINS(out, "not an IPv4 address");
    free(out);
    /* without --trust-proxy the header is the client's word: ignored, so a
     * new made-up address per query does not get past the limit */
    start_server();
    char header[128];
    int served = 0;
    for (; served < 40; served++) {
        snprintf(header, sizeof header, "X-Forwarded-For: 10.1.0.%d", served);
        char *b = NULL;
        int code = http_hdr("GET", "/api/public/route?from=abc&to=1,2", NULL, header, &b, NULL);
        free(b);
        if (code == 429)
            break;
    }
    ASSERT_MSG(served >= 20 && served < 40, "429 after %d queries", served);
    stop_server(SIGTERM);
    /* behind a proxy at 127.0.0.1: each client its own limit, named by the
     * last address of X-Forwarded-For (what the client put before it does
     * not count) */
    start_server_with("--trust-proxy 127.0.0.1");
    served = public_route_until_429("10.0.0.1");
    ASSERT_MSG(served >= 20 && served < 40, "10.0.0.1: 429 after %d queries", served);
    ASSERT_EQ(public_route_until_429("10.0.0.99, 10.0.0.1"), 0);
    served = public_route_until_429("10.0.0.2");
    ASSERT_MSG(served >= 20 && served < 40, "10.0.0.2: 429 after %d queries", served);
    stop_server(SIGTERM);
}

/* Two reviewers deciding the same draft at once: one decision wins, the
 * other is told 409 (the draft is no longer one) rather than overwriting
 * it, and the change log holds one review. */
TEST(server_concurrent_reviews_of_one_report_conflict)
{
    setup_db();
    start_server();
    char ana[65], adm[65], fld[65], uuid[37], path[200], *out = NULL;
    login("ana", "analystpw1", ana);
    login("adm", "adminpw123", adm);
    login("fld", "fieldpw12", fld);
    for (int round = 0; round < 6; round++) {
        ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
        uuid_of(out, uuid);
        free(out);
        dmtest_write_file(dmtest_path("a.json"), "{\"reason\":\"fine\"}");
        dmtest_write_file(dmtest_path("r.json"), "{\"reason\":\"wrong place\"}");
        char *codes = NULL;
        ASSERT_EQ(dmtest_sh(&codes,
                            "curl -s -o a.out -w 'A%%{http_code}\\n' -X POST -H 'Authorization: "
                            "Bearer %s' --data-binary @a.json '%s/api/reports/%s/approve' > "
                            "a.code & curl -s -o r.out -w 'R%%{http_code}\\n' -X POST -H "
                            "'Authorization: Bearer %s' --data-binary @r.json "
                            "'%s/api/reports/%s/reject' > r.code & wait; cat a.code r.code",
                            ana, base, uuid, adm, base, uuid),
                  0);
        int a200 = strstr(codes, "A200") != NULL, r200 = strstr(codes, "R200") != NULL;
        int a409 = strstr(codes, "A409") != NULL, r409 = strstr(codes, "R409") != NULL;
        ASSERT_MSG(a200 + r200 == 1 && a409 + r409 == 1, "round %d: %s", round, codes);
        free(codes);
        char *loser = dmtest_read_file(dmtest_path(a409 ? "a.out" : "r.out"));
        ASSERT_CONTAINS(loser, "not a draft awaiting review");
        free(loser);
        snprintf(path, sizeof path, "/api/reports/%s", uuid);
        ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
        ASSERT_CONTAINS(out, a200 ? "\"status\":\"approved\"" : "\"status\":\"rejected\"");
        /* one review in the change log: the winner's */
        const char *other = a200 ? "rejected by adm" : "approved by ana";
        ASSERT_MSG(!strstr(out, other), "the losing review was written: %s", out);
        ASSERT_CONTAINS(out, a200 ? "approved by ana: fine" : "rejected by adm: wrong place");
        free(out);
    }
    stop_server(SIGTERM);
}

/* A field of the wrong type is named, not taken as missing: a number for
 * an approval's reason is refused (the report stays a draft), and login
 * says which of user and password is wrong or missing. */
TEST(server_wrong_field_types_are_named)
{
    setup_db();
    start_server();
    char ana[65], fld[65], uuid[37], path[200], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    uuid_of(out, uuid);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", uuid);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":17}", &out), 400);
    ASSERT_CONTAINS(out, "reason: expected a string");
    free(out);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":[\"ok\"]}", &out), 400);
    ASSERT_CONTAINS(out, "reason: expected a string");
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s", uuid);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"status\":\"draft\"");
    free(out);
    static const struct {
        const char *body, *says;
    } bad[] = {
        {"{\"user\":1,\"password\":\"analystpw1\"}", "user: expected a string"},
        {"{\"user\":\"ana\",\"password\":12345678}", "password: expected a string"},
        {"{\"user\":\"ana\"}", "password: missing"},
        {"{\"password\":\"analystpw1\"}", "user: missing"},
        {"[\"ana\",\"analystpw1\"]", "not a JSON object"},
        {"{\"user\":\"ana\",\"user\":\"adm\",\"password\":\"analystpw1\"}", "repeats a key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ(http("POST", "/api/login", NULL, bad[i].body, &out), 400);
        ASSERT_CONTAINS(out, bad[i].says);
        free(out);
    }
    stop_server(SIGTERM);
}

/* A database the server cannot use for the moment is not the user's
 * fault: a write blocked by another program's lock gets 503 with
 * Retry-After and a message saying so (nothing stored), and a session that
 * cannot be checked is a 5xx naming the cause, not a 401 that would log the
 * web map out. */
TEST(server_locked_or_broken_database_is_not_a_401)
{
    setup_db();
    start_server();
    char fld[65], *out = NULL, *hdr = NULL;
    login("fld", "fieldpw12", fld);
    /* another program holds the write lock for 6 s */
    ASSERT_EQ(dmtest_sh(&out, "rm -f lock.txt; { ( printf \"BEGIN IMMEDIATE; UPDATE dm_meta SET "
                              "value = value; SELECT 'locked';\\n\"; sleep 6; echo 'ROLLBACK;' ) "
                              "| sqlite3 t.gpkg; } > lock.txt 2>&1 < /dev/null &"),
              0);
    free(out);
    for (int i = 0; i < 100; i++) {
        char *l = dmtest_read_file(dmtest_path("lock.txt"));
        int locked = l && strstr(l, "locked");
        free(l);
        if (locked)
            break;
        usleep(50000);
    }
    dmtest_write_file(dmtest_path("req.json"), report_json);
    char *codes = NULL;
    ASSERT_EQ(dmtest_sh(&codes, "curl -s -D hdr.txt -o resp.txt -w '%%{http_code}' -X POST -H "
                                "'Authorization: Bearer %s' --data-binary @req.json "
                                "'%s/api/reports'",
                        fld, base),
              0);
    ASSERT_EQ(strtol(codes, NULL, 10), 503);
    free(codes);
    out = dmtest_read_file(dmtest_path("resp.txt"));
    hdr = dmtest_read_file(dmtest_path("hdr.txt"));
    ASSERT_CONTAINS(out, "the database is busy");
    ASSERT_CONTAINS(out, "\"status\":503");
    /* said once: the library's message says what holds it and what to do */
    const char *busy = strstr(out, "locked by another program");
    ASSERT(busy && !strstr(busy + 1, "locked by another program"));
    char ra[16];
    ASSERT(header_value(hdr, "Retry-After", ra, sizeof ra));
    ASSERT(strtol(ra, NULL, 10) > 0);
    free(out);
    free(hdr);
    /* reading goes on meanwhile (WAL), with the same session */
    ASSERT_EQ(http("GET", "/api/me", fld, NULL, &out), 200);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT count(*) FROM activities\""), 0);
    ASSERT_MSG(strtol(out, NULL, 10) == 0, "a report was stored: %s", out);
    free(out);
    /* the sessions table gone under the server: a new token cannot be
     * checked, which is a server fault (5xx with the reason), not a 401 */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 -cmd '.timeout 20000' t.gpkg 'DROP TABLE sessions'"), 0);
    free(out);
    char ana[65];
    memset(ana, 'a', 64);
    ana[64] = '\0';
    int code = http("GET", "/api/me", ana, NULL, &out);
    ASSERT_MSG(code >= 500, "%d %s", code, out);
    ASSERT_CONTAINS(out, "sessions");
    free(out);
    stop_server(SIGTERM);
}

/* The public route's limits are options of serve, checked when it starts:
 * a client's queries a minute, the farthest apart its points may be, and
 * the search margin (a margin too small to reach the gap in the wall of
 * make_wall_tif leaves only the way through the wall). */
TEST(server_public_route_limits_are_options)
{
    double lw, aw, le, ae, li, ai;
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    static const char *refused[] = {"--route-per-minute 0", "--route-per-minute 601",
                                    "--route-per-minute x", "--route-max-km 0.1",
                                    "--route-max-km 21",    "--route-max-km nan",
                                    "--route-margin-km 0",  "--route-margin-km 6"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char args[100];
        snprintf(args, sizeof args, "serve t.gpkg %s", refused[i]);
        ASSERT_MSG(dmtest_demine(&out, "%s", args) == 2, "%s: %s", args, out);
        ASSERT_MSG(strstr(out, "--route-"), "%s: %s", args, out);
        free(out);
    }
    make_wall_tif(dmtest_path("risk.tif"), &lw, &aw, &le, &ae, &li, &ai);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    dm_store_close(s);
    char pub[300];
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    /* the defaults: the detour through the gap, 805 m north of the points */
    start_server();
    ASSERT_EQ(http("GET", pub, NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"verdict\":\"low\"");
    free(out);
    stop_server(SIGTERM);
    start_server_with("--route-per-minute 3 --route-max-km 1.5 --route-margin-km 0.2");
    /* 1.6 km apart: more than 1.5 */
    ASSERT_EQ(http("GET", pub, NULL, NULL, &out), 400);
    ASSERT_CONTAINS(out, "at most 1.5 km");
    free(out);
    /* 0.8 km apart, the gap out of a 200 m margin's reach */
    snprintf(pub, sizeof pub, "/api/public/route?from=%.7f,%.7f&to=%.7f,%.7f", (lw + le) / 2 - 0.0047,
             aw, (lw + le) / 2 + 0.0047, ae);
    int code = http("GET", pub, NULL, NULL, &out);
    ASSERT_MSG(code == 404 || (code == 200 && strstr(out, "\"verdict\":\"high\"")), "%d %s", code,
               out);
    free(out);
    /* three queries a minute: the fourth is refused */
    code = http("GET", pub, NULL, NULL, &out);
    free(out);
    ASSERT_EQ(http("GET", "/api/public/route?from=abc&to=1,2", NULL, NULL, &out), 429);
    ASSERT_CONTAINS(out, "at most 3 a minute");
    free(out);
    stop_server(SIGTERM);
}

/* `user add` checks the name, a name taken and the organisation before it
 * asks for a password (typed twice at a terminal), like `user passwd`
 * checks the user; the check writes nothing, and a good addition still
 * works. */
TEST(user_add_checks_name_and_organisation_before_the_password)
{
    setup_db();
    char *out = NULL;
    const char *bin = getenv("DEMINE_BIN");
    ASSERT(0 != dmtest_sh(&out, "'%s' user add t.gpkg ana --role analyst < /dev/null 2>&1", bin));
    ASSERT_CONTAINS(out, "user 'ana' already exists");
    ASSERT(!strstr(out, "no password"));
    free(out);
    ASSERT(0 != dmtest_sh(&out, "'%s' user add t.gpkg neu --role field --org HAL < /dev/null 2>&1",
                          bin));
    ASSERT_CONTAINS(out, "organisation 'HAL'");
    ASSERT_CONTAINS(out, "nothing was changed");
    ASSERT(!strstr(out, "no password"));
    free(out);
    ASSERT(0 != dmtest_sh(&out, "'%s' user add t.gpkg neu --role field < /dev/null 2>&1", bin));
    ASSERT_CONTAINS(out, "needs an organisation");
    free(out);
    ASSERT(0 != dmtest_sh(&out, "'%s' user add t.gpkg 'n e u' --role admin < /dev/null 2>&1", bin));
    ASSERT_CONTAINS(out, "user name 'n e u'");
    free(out);
    /* nothing was written by the checks: no user, no change-log entry */
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT count(*) FROM users WHERE name = 'neu'; "
                              "SELECT count(*) FROM change_log WHERE reason = 'user added'\""),
              0);
    ASSERT_CONTAINS(out, "0\n4");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo 'new-pass-123' | '%s' user add t.gpkg neu --role field --org "
                              "HALO 2>&1",
                        bin),
              0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"SELECT role, organisation FROM users WHERE name = "
                              "'neu'; SELECT count(*) FROM change_log WHERE reason = 'user added'\""),
              0);
    ASSERT_CONTAINS(out, "field|HALO\n5");
    free(out);
}

/* The review queue is paged like the layers (limit, offset, total,
 * next_offset): a long list of approved reports is not cut off silently. */
TEST(server_report_queue_is_paged)
{
    setup_db();
    start_server();
    char ana[65], fld[65], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
        free(out);
    }
    ASSERT_EQ(http("GET", "/api/reports?status=draft&limit=2", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":2,\"offset\":0,\"limit\":2,\"total\":3,\"next_offset\":2");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=draft&limit=2&offset=2", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":1,\"offset\":2,\"limit\":2,\"total\":3}");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":3,\"offset\":0,\"limit\":1000,\"total\":3}");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?limit=0", ana, NULL, &out), 400);
    ASSERT_CONTAINS(out, "limit: a whole number 1-10000");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?offset=-1", ana, NULL, &out), 400);
    ASSERT_CONTAINS(out, "offset:");
    free(out);
    /* another organisation's field user counts none of them */
    char fld2[65];
    login("fld2", "fieldpw12", fld2);
    ASSERT_EQ(http("GET", "/api/reports?status=all", fld2, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":0,\"offset\":0,\"limit\":1000,\"total\":0}");
    free(out);
    stop_server(SIGTERM);
}

TEST(server_refuses_an_encoded_nul_in_the_url)
{
    /* libmicrohttpd decodes the path and the query before the handler sees
     * them: a %00 would cut them ("/api/hazards%00/x" read as /api/hazards,
     * "ref=H-1%00x" as ref=H-1). Such requests are refused as a whole. */
    setup_db();
    start_server();
    char ana[65], *out = NULL, *hdr = NULL;
    login("ana", "analystpw1", ana);
    static const char *paths[] = {
        "/api/hazards%00/x", "/api/hazards?ref=H-1%00x", "/api/hazards?ref%00x=H-1",
        "/api/hea%00lth",    "/%00",                     "/api/hazards/H-1?zoom=%%00",
        "/api/health%000",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int code = http_hdr("GET", paths[i], ana, NULL, &out, &hdr);
        ASSERT_MSG(code == 400, "%s gave %d: %s", paths[i], code, out);
        ASSERT_CONTAINS(out, "\"error\":\"the URL holds an encoded NUL byte (%00)\",\"status\":400");
        ASSERT_CONTAINS(hdr, "application/json");
        free(out);
        free(hdr);
    }
    /* a body sent with such a URL changes nothing */
    ASSERT_EQ(http("POST", "/api/reports%00x", ana, report_json, &out), 400);
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    /* an encoded percent sign followed by 00 is no NUL; the same filter
     * without the NUL answers */
    ASSERT_EQ(http("GET", "/api/hazards?ref=%2500", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?ref=H-1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":1");
    free(out);
    stop_server(SIGTERM);
}

TEST(server_body_limit_answers_json_for_any_declared_length)
{
    /* every declared Content-Length over --max-body, up to the largest a
     * 64-bit number holds, gets our JSON 413 before the body is read */
    setup_db();
    start_server();
    static const char *lengths[] = {"65537", "1000000000000", "9223372036854775808",
                                    "18446744073709551614", "18446744073709551615"};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        char *r = NULL;
        ASSERT_EQ(dmtest_sh(&r, "printf 'POST /api/login HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: "
                                "%s\\r\\n\\r\\n' | timeout 5 curl -s telnet://%s; true",
                            lengths[i], base + 7),
                  0);
        ASSERT_MSG(strstr(r, "HTTP/1.1 413"), "Content-Length %s: %s", lengths[i], r);
        ASSERT_MSG(strstr(r, "application/json"), "Content-Length %s: %s", lengths[i], r);
        ASSERT_MSG(strstr(r, "{\"error\":\"request body larger than 65536 bytes\",\"status\":413}"),
                   "Content-Length %s: %s", lengths[i], r);
        free(r);
    }
    char *out = NULL;
    ASSERT_EQ(http("GET", "/api/health", NULL, NULL, &out), 200);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_session_ends_at_its_expiry_though_cached)
{
    /* a worker trusts a session it checked in the last 5 s, but never past
     * the session's expiry (one worker thread: the second request meets the
     * first one's cache) */
    setup_db();
    start_server_with("--threads 1");
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), 0, &s));
    char tok[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    ASSERT_OK(dm_auth_login(s, "ana", "analystpw1", "10.0.0.9", 2, tok, &who, &retry));
    dm_store_close(s);
    long long expires = (long long)time(NULL) + 2;
    char *out = NULL;
    ASSERT_EQ(http("GET", "/api/me", tok, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"ana\"");
    free(out);
    /* wait for the clock to pass the expiry (a session ends when its second
     * is over), well within the cache's 5 s */
    while ((long long)time(NULL) <= expires)
        usleep(50000);
    ASSERT_EQ(http("GET", "/api/me", tok, NULL, &out), 401);
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards", tok, NULL, &out), 401);
    free(out);
    stop_server(SIGTERM);
}

TEST(server_edits_a_row_with_if_match)
{
    setup_db();
    start_server();
    char ana[65], fld[65], adm[65], *out = NULL, *hdr = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    login("adm", "adminpw123", adm);
    char tag[64], tag2[64], now[64];
    etag_of("/api/hazards/H-1", ana, tag);
    /* the same row read again, by anyone, has the same tag */
    etag_of("/api/hazards/H-1", adm, tag2);
    ASSERT_STREQ(tag, tag2);
    /* a successful edit: 200 with the row and a new tag; the change log
     * says who, why and what */
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag,
                         "{\"properties\":{\"notes\":\"fenced by the army\",\"est_area_ha\":12.5},"
                         "\"reason\":\"  site visit 2025-06-02 \"}",
                         &out, &hdr),
              200);
    ASSERT_CONTAINS(out, "\"notes\":\"fenced by the army\"");
    ASSERT_CONTAINS(out, "\"est_area_ha\":12.5");
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT(header_value(hdr, "ETag", now, sizeof now));
    ASSERT(strcmp(now, tag) != 0);
    free(out);
    free(hdr);
    etag_of("/api/hazards/H-1", ana, tag2);
    ASSERT_STREQ(tag2, now);
    ASSERT_EQ(http("GET", "/api/hazards/H-1/history", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"op\":\"update\"");
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT_CONTAINS(out, "\"reason\":\"site visit 2025-06-02\"");
    ASSERT_CONTAINS(out, "fenced by the army");
    free(out);
    /* the old tag is stale now: 412 with the current tag, nothing written */
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag, "{\"notes\":\"stale\",\"reason\":\"x\"}",
                         &out, &hdr),
              412);
    ASSERT_CONTAINS(out, "has changed since");
    ASSERT(header_value(hdr, "ETag", tag2, sizeof tag2));
    ASSERT_STREQ(tag2, now);
    free(out);
    free(hdr);
    /* two edits from the same tag at once: one 200, one 412, and the log
     * holds the one edit */
    char *r = NULL;
    dmtest_write_file(dmtest_path("e1.json"), "{\"notes\":\"edit one\",\"reason\":\"first\"}");
    dmtest_write_file(dmtest_path("e2.json"), "{\"notes\":\"edit two\",\"reason\":\"second\"}");
    ASSERT_EQ(dmtest_sh(&r, "for i in 1 2; do curl -s -o /dev/null -w '%%{http_code}\\n' -X PATCH "
                            "-H 'Authorization: Bearer %s' -H 'If-Match: %s' --data-binary "
                            "@e$i.json '%s/api/hazards/H-1' > code$i.txt & done; wait; cat code1.txt "
                            "code2.txt | sort | tr '\\n' ' '",
                        ana, now, base),
              0);
    ASSERT_STREQ(r, "200 412 ");
    free(r);
    ASSERT_EQ(http("GET", "/api/hazards/H-1/history", ana, NULL, &out), 200);
    ASSERT((strstr(out, "edit one") != NULL) != (strstr(out, "edit two") != NULL));
    free(out);
    etag_of("/api/hazards/H-1", ana, now);
    /* who may edit: a field user reads hazards but may not edit them (403);
     * without a session 401; the admin may */
    ASSERT_EQ(http_patch("/api/hazards/H-1", fld, now, "{\"notes\":\"x\",\"reason\":\"y\"}", &out,
                         NULL),
              403);
    free(out);
    ASSERT_EQ(http_patch("/api/hazards/H-1", NULL, now, "{\"notes\":\"x\",\"reason\":\"y\"}", &out,
                         NULL),
              401);
    free(out);
    /* no If-Match: 428; a weak tag or "*" names no version: 412 */
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, NULL, "{\"notes\":\"x\",\"reason\":\"y\"}", &out,
                         NULL),
              428);
    ASSERT_CONTAINS(out, "If-Match is required");
    free(out);
    char weak[80];
    snprintf(weak, sizeof weak, "W/%s", now);
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, weak, "{\"notes\":\"x\",\"reason\":\"y\"}", &out,
                         NULL),
              412);
    free(out);
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, "*", "{\"notes\":\"x\",\"reason\":\"y\"}", &out,
                         NULL),
              412);
    free(out);
    /* refused values are 400 naming the field, and change nothing */
    static const struct {
        const char *body, *want;
    } bad[] = {
        {"{\"est_area_ha\":\"lots\",\"reason\":\"y\"}", "est_area_ha"},
        {"{\"hazard_type\":\"XYZ\",\"reason\":\"y\"}", "hazard_type"},
        {"{\"no_such_field\":1,\"reason\":\"y\"}", "no_such_field"},
        {"{\"status\":\"closed\",\"reason\":\"y\"}", "status"},
        {"{\"ref\":\"H-2\",\"reason\":\"y\"}", "H-2"},
        {"{\"notes\":[1],\"reason\":\"y\"}", "notes"},
        {"{\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9,39.9]},\"reason\":\"y\"}",
         "geometry"},
        {"{\"geometry\":null,\"reason\":\"y\"}", "geometry"},
        {"{\"notes\":\"x\"}", "reason"},
        {"{\"notes\":\"x\",\"reason\":\"   \"}", "reason"},
        {"{\"notes\":\"x\",\"reason\":7}", "reason"},
        {"{\"reason\":\"y\"}", "no field"},
        {"[1]", "JSON object"},
        {"{\"notes\":", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int code = http_patch("/api/hazards/H-1", ana, now, bad[i].body, &out, NULL);
        ASSERT_MSG(code == 400 || (code == 409 && strstr(bad[i].body, "H-2")),
                   "%s gave %d: %s", bad[i].body, code, out);
        ASSERT_MSG(strstr(out, bad[i].want), "%s: %s does not name %s", bad[i].body, out,
                   bad[i].want);
        free(out);
    }
    etag_of("/api/hazards/H-1", ana, tag2);
    ASSERT_STREQ(tag2, now);
    /* an unknown row: 404 */
    ASSERT_EQ(http_patch("/api/hazards/NO-SUCH", ana, now, "{\"notes\":\"x\",\"reason\":\"y\"}",
                         &out, NULL),
              404);
    free(out);
    /* a feature as GET gives it, sent back with a new polygon: the geometry
     * and the estimate that follows from it change */
    ASSERT_EQ(http_patch("/api/hazards/H-1", adm, now,
                         "{\"type\":\"Feature\",\"id\":\"x\",\"properties\":{\"uuid\":\"x\","
                         "\"layer\":\"hazards\",\"author\":\"ana\",\"notes\":\"redrawn\"},"
                         "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],"
                         "[46.905,39.90],[46.905,39.905],[46.90,39.905],[46.90,39.90]]]},"
                         "\"reason\":\"survey\"}",
                         &out, NULL),
              200);
    ASSERT_CONTAINS(out, "46.905");
    ASSERT_CONTAINS(out, "\"author\":\"adm\"");
    ASSERT(num_after(out, "\"est_area_ha\":") < 30); /* a quarter of the ~95 ha square */
    free(out);
    /* a report's status goes through review, not an edit */
    ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
    char act[37];
    uuid_of(out, act);
    free(out);
    char path[128];
    snprintf(path, sizeof path, "/api/activities/%s", act);
    etag_of(path, ana, tag);
    ASSERT_EQ(http_patch(path, ana, tag, "{\"status\":\"approved\",\"reason\":\"y\"}", &out, NULL),
              400);
    ASSERT_CONTAINS(out, "review");
    free(out);
    ASSERT_EQ(http_patch(path, ana, tag, "{\"notes\":\"checked\",\"reason\":\"typo\"}", &out, &hdr),
              200);
    ASSERT_CONTAINS(out, "\"status\":\"draft\"");
    free(out);
    /* a list of tags: the current one after a weak tag holding a comma (a
     * comma may be part of a tag) is found */
    ASSERT(header_value(hdr, "ETag", tag, sizeof tag));
    free(hdr);
    char list[128];
    snprintf(list, sizeof list, "W/\"a,\", %s", tag);
    ASSERT_EQ(http_patch(path, ana, list, "{\"notes\":\"again\",\"reason\":\"typo\"}", &out, NULL), 200);
    free(out);
    stop_server(SIGTERM);
}

/* A single row answers If-None-Match: 304 with no body and the same ETag
 * when the client's copy is the row as stored (the tag itself, one of a
 * list, a weak tag, "*"), 200 with the row otherwise; once the row changes
 * the old tag gets the new row. Access is checked first. */
TEST(server_row_get_answers_if_none_match_with_304)
{
    setup_db();
    start_server();
    char ana[65], fld[65], *out = NULL, *hdr = NULL, tag[64], got[64], cond[200];
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    etag_of("/api/hazards/H-1", ana, tag);
    snprintf(cond, sizeof cond, "If-None-Match: %s", tag);
    ASSERT_EQ(http_hdr("GET", "/api/hazards/H-1", ana, cond, &out, &hdr), 304);
    ASSERT_EQ(strlen(out), 0);
    ASSERT_MSG(header_value(hdr, "ETag", got, sizeof got), "no ETag on the 304: %s", hdr);
    ASSERT_STREQ(got, tag);
    free(out);
    free(hdr);
    /* by uuid too: the same row, the same tag */
    char path[128];
    snprintf(path, sizeof path, "/api/hazards/%s", hazard_uuid);
    ASSERT_EQ(http_hdr("GET", path, ana, cond, &out, NULL), 304);
    free(out);
    /* a list holding it (after a tag with a comma inside), a weak tag, "*" */
    const char *forms[] = {"If-None-Match: \"other\", W/\"a,b\",  %s", "If-None-Match: W/%s",
                           "If-None-Match: *%.0s"};
    for (int i = 0; i < 3; i++) {
        snprintf(cond, sizeof cond, forms[i], tag);
        ASSERT_MSG(http_hdr("GET", "/api/hazards/H-1", ana, cond, &out, NULL) == 304, "%s: %s", cond,
                   out);
        ASSERT_EQ(strlen(out), 0);
        free(out);
    }
    /* another tag, a malformed header, or none: the row */
    const char *other[] = {"If-None-Match: \"r0000000000000000\"", "If-None-Match: garbage",
                           "If-None-Match: \"x\", W/\"y\""};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(http_hdr("GET", "/api/hazards/H-1", ana, other[i], &out, &hdr), 200);
        ASSERT_CONTAINS(out, "\"ref\":\"H-1\"");
        ASSERT(header_value(hdr, "ETag", got, sizeof got));
        ASSERT_STREQ(got, tag);
        free(out);
        free(hdr);
    }
    /* the row changes: the old tag gets the new row and its new tag */
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag, "{\"notes\":\"fenced\",\"reason\":\"visit\"}",
                         &out, NULL),
              200);
    free(out);
    snprintf(cond, sizeof cond, "If-None-Match: %s", tag);
    ASSERT_EQ(http_hdr("GET", "/api/hazards/H-1", ana, cond, &out, &hdr), 200);
    ASSERT_CONTAINS(out, "\"notes\":\"fenced\"");
    ASSERT(header_value(hdr, "ETag", got, sizeof got));
    ASSERT(strcmp(got, tag) != 0);
    free(out);
    free(hdr);
    /* access first: no session 401, a layer the role may not read 403, an
     * unknown row 404, whatever the client holds */
    ASSERT_EQ(http_hdr("GET", "/api/hazards/H-1", NULL, "If-None-Match: *", &out, NULL), 401);
    free(out);
    snprintf(path, sizeof path, "/api/victims/%s", victim_uuid);
    ASSERT_EQ(http_hdr("GET", path, fld, "If-None-Match: *", &out, NULL), 403);
    free(out);
    ASSERT_EQ(http_hdr("GET", "/api/hazards/NO-SUCH", ana, "If-None-Match: *", &out, NULL), 404);
    free(out);
    stop_server(SIGTERM);
}

/* A point's coordinates are edited through PATCH like its fields: the
 * moved point is stored and logged; coordinates out of range, or not a
 * point, are refused naming the geometry, and nothing is written. */
TEST(server_edit_moves_a_point)
{
    setup_db();
    start_server();
    char ana[65], *out = NULL, *hdr = NULL, tag[64], now[64], path[128];
    login("ana", "analystpw1", ana);
    snprintf(path, sizeof path, "/api/items/%s", item_uuid);
    etag_of(path, ana, tag);
    static const struct {
        const char *geom, *want;
    } bad[] = {
        {"{\"type\":\"Point\",\"coordinates\":[200,39.9]}", "geometry"},
        {"{\"type\":\"Point\",\"coordinates\":[46.9]}", "geometry"},
        {"{\"type\":\"Point\",\"coordinates\":[\"x\",39.9]}", "geometry"},
        {"{\"type\":\"LineString\",\"coordinates\":[[46.9,39.9],[46.91,39.9]]}", "geometry"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[300];
        snprintf(body, sizeof body, "{\"geometry\":%s,\"reason\":\"moved\"}", bad[i].geom);
        int code = http_patch(path, ana, tag, body, &out, NULL);
        ASSERT_MSG(code == 400 && strstr(out, bad[i].want), "%s gave %d: %s", bad[i].geom, code, out);
        free(out);
    }
    etag_of(path, ana, now);
    ASSERT_STREQ(now, tag);
    ASSERT_EQ(http_patch(path, ana, tag,
                         "{\"geometry\":{\"type\":\"Point\",\"coordinates\":[46.9061234,39.9031234]},"
                         "\"reason\":\"surveyed again\"}",
                         &out, &hdr),
              200);
    ASSERT_CONTAINS(out, "46.9061234");
    ASSERT_CONTAINS(out, "39.9031234");
    ASSERT_CONTAINS(out, "\"category\":\"AT\"");
    ASSERT(header_value(hdr, "ETag", now, sizeof now));
    ASSERT(strcmp(now, tag) != 0);
    free(out);
    free(hdr);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "[46.9061234,39.9031234]");
    ASSERT(!strstr(out, "46.9051234"));
    free(out);
    snprintf(path, sizeof path, "/api/items/%s/history", item_uuid);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"reason\":\"surveyed again\"");
    ASSERT_CONTAINS(out, "46.9061234");
    free(out);
    stop_server(SIGTERM);
}

/* A TCP connection to the test server (base), with a 5 s receive timeout so
 * that a connection the server neither answers nor closes fails the test
 * rather than hanging it. */
static int raw_connect(void)
{
    int port = (int)strtol(strrchr(base, ':') + 1, NULL, 10);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Send a keep-alive GET /api/health on fd; the bytes answered (0: closed
 * by the server, -1: reset or timed out) and the start of the answer. */
static long raw_health(int fd, char *buf, size_t n)
{
    static const char req[] = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";
    buf[0] = '\0';
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0)
        return -1;
    ssize_t got = recv(fd, buf, n - 1, 0);
    if (got > 0)
        buf[got] = '\0';
    return (long)got;
}

TEST(server_limits_connections_per_client_address)
{
    setup_db();
    /* a client holds at most --max-conn-per-ip connections open: each of
     * the first three is answered and kept open (keep-alive) */
    start_server_with("--max-conn-per-ip 3");
    int fds[4];
    char buf[512];
    for (int i = 0; i < 3; i++) {
        fds[i] = raw_connect();
        ASSERT_MSG(raw_health(fds[i], buf, sizeof buf) > 0, "connection %d not answered", i);
        ASSERT_MSG(!strncmp(buf, "HTTP/1.1 200", 12), "connection %d: %s", i, buf);
    }
    /* the fourth at once is closed unanswered, and the server goes on */
    fds[3] = raw_connect();
    long got = raw_health(fds[3], buf, sizeof buf);
    ASSERT_MSG(got <= 0, "a fourth connection was answered: %s", buf);
    ASSERT_MSG(got == 0 || errno == ECONNRESET || errno == EPIPE,
               "the fourth connection was neither closed nor reset (%s)", strerror(errno));
    close(fds[3]);
    /* the three held still work */
    for (int i = 0; i < 3; i++)
        ASSERT_MSG(raw_health(fds[i], buf, sizeof buf) > 0 && !strncmp(buf, "HTTP/1.1 200", 12),
                   "held connection %d: %s", i, buf);
    /* once they are closed, a client is served again */
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    char *out = NULL;
    int code = 0;
    for (int i = 0; i < 100 && code != 200; i++) { /* the server sees the closes soon after */
        free(out);
        out = NULL;
        code = http("GET", "/api/health", NULL, NULL, &out);
        if (code != 200)
            usleep(50000);
    }
    ASSERT_EQ(code, 200);
    free(out);
    stop_server(SIGTERM);

    /* the default, 256, leaves room for a browser's parallel requests and
     * an office of staff behind one address: 256 connections of one address
     * are served, the 257th is not */
    start_server();
    int many[257];
    for (int i = 0; i < 256; i++) {
        many[i] = raw_connect();
        ASSERT_MSG(raw_health(many[i], buf, sizeof buf) > 0 && !strncmp(buf, "HTTP/1.1 200", 12),
                   "connection %d of 256 by default: %s", i, buf);
    }
    many[256] = raw_connect();
    ASSERT_MSG(raw_health(many[256], buf, sizeof buf) <= 0, "a 257th connection was answered: %s", buf);
    for (int i = 0; i < 257; i++)
        close(many[i]);
    stop_server(SIGTERM);

    /* 0 is no limit; so is the default behind a trusted reverse proxy,
     * where every client has the proxy's address */
    static const char *nolimit[] = {"--max-conn-per-ip 0", "--trust-proxy 127.0.0.1"};
    for (int k = 0; k < 2; k++) {
        start_server_with(nolimit[k]);
        int lots[80];
        for (int i = 0; i < 80; i++) {
            lots[i] = raw_connect();
            ASSERT_MSG(raw_health(lots[i], buf, sizeof buf) > 0 && !strncmp(buf, "HTTP/1.1 200", 12),
                       "%s: connection %d of 80: %s", nolimit[k], i, buf);
        }
        for (int i = 0; i < 80; i++)
            close(lots[i]);
        stop_server(SIGTERM);
    }

    /* started with a soft limit of 256 open files (as a service often
     * is, 1024 under systemd), the server raises it: 300 connections are
     * all served */
    char *lim = NULL;
    if (dmtest_sh(&lim, "ulimit -Hn") == 0 && (!strncmp(lim, "unlimited", 9) || atol(lim) >= 2600)) {
        start_prefix = "ulimit -Sn 256;";
        start_server_with("--max-conn-per-ip 0");
        start_prefix = "";
        int *fds300 = calloc(300, sizeof *fds300);
        ASSERT(fds300);
        for (int i = 0; i < 300; i++) {
            fds300[i] = raw_connect();
            ASSERT_MSG(raw_health(fds300[i], buf, sizeof buf) > 0 && !strncmp(buf, "HTTP/1.1 200", 12),
                       "connection %d of 300 under a soft limit of 256 files: %s", i, buf);
        }
        for (int i = 0; i < 300; i++)
            close(fds300[i]);
        free(fds300);
        stop_server(SIGTERM);
    } else
        fprintf(stderr, "  (skipped the open-file limit check: hard limit %s)", lim);
    free(lim);

    /* a value out of range is refused before serving */
    ASSERT_EQ(dmtest_sh(&out, "'%s' serve t.gpkg --port 0 --max-conn-per-ip -1 2>&1",
                        getenv("DEMINE_BIN")),
              2);
    ASSERT_CONTAINS(out, "--max-conn-per-ip: 0 (no limit) to 2000");
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "'%s' serve t.gpkg --port 0 --max-conn-per-ip x 2>&1",
                        getenv("DEMINE_BIN")),
              2);
    free(out);
}

TEST(server_repeated_or_empty_query_parameters_and_booleans_are_refused)
{
    setup_db();
    start_server();
    char ana[65], fld[65], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    /* a parameter given twice would be read as its first value, or as two
     * filters no row meets (status=open and closed: 0 hazards, wrongly) */
    static const struct {
        const char *path, *error;
    } bad[] = {
        {"/api/hazards?limit=1&limit=2", "limit: the query parameter is given more than once"},
        {"/api/hazards?limit=1&%6cimit=2", "limit: the query parameter is given more than once"},
        {"/api/hazards?status=open&status=closed",
         "status: the query parameter is given more than once"},
        {"/api/public/check?lon=46.905&lat=39.905&lon=47",
         "lon: the query parameter is given more than once"},
        {"/api/stats?by=year&by=district", "by: the query parameter is given more than once"},
        /* a name with no value is refused as an empty one, not read as missing */
        {"/api/hazards?limit", "limit: a whole number 1-10000"},
        {"/api/hazards?bbox", "bbox: expected minlon,minlat,maxlon,maxlat in degrees"},
        {"/api/stats?by", "by: district, year, method or organisation"},
        {"/api/stats?by=", "by: district, year, method or organisation"},
        {"/api/reports?status", "status: draft, approved, rejected or all"},
        /* geometry and drafts take 0 or 1 (geometry=no gave the geometries) */
        {"/api/hazards?geometry=no", "geometry: 0 (leave geometries out) or 1 (got 'no')"},
        {"/api/hazards?geometry", "geometry: 0 (leave geometries out) or 1 (got '')"},
        {"/api/items?drafts=yes", "drafts: 0 or 1 (got 'yes')"},
        {"/api/hazards?offset=99999999999", "offset: a whole number 0-1000000000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int code = http("GET", bad[i].path, ana, NULL, &out);
        ASSERT_MSG(code == 400, "%s gave %d: %s", bad[i].path, code, out);
        char want[200];
        snprintf(want, sizeof want, "{\"error\":\"%s\",\"status\":400}", bad[i].error);
        ASSERT_MSG(strstr(out, want), "%s: %s (want %s)", bad[i].path, out, want);
        free(out);
    }
    /* the good forms answer */
    ASSERT_EQ(http("GET", "/api/hazards?status=open&geometry=0", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":1");
    ASSERT(!strstr(out, "\"coordinates\""));
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?status=open&geometry=1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"coordinates\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/items?drafts=0&limit=5", ana, NULL, &out), 200);
    free(out);

    /* true and false are for yes/no fields: "est_area_ha": true was
     * written as 1 ha */
    char tag[64], *hdr = NULL;
    etag_of("/api/hazards/H-1", ana, tag);
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag,
                         "{\"properties\":{\"est_area_ha\":true},\"reason\":\"r\"}", &out, &hdr),
              400);
    ASSERT_CONTAINS(out, "field 'est_area_ha': true is not a value of a real field");
    free(out);
    free(hdr);
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag,
                         "{\"properties\":{\"status\":false},\"reason\":\"r\"}", &out, &hdr),
              400);
    ASSERT_CONTAINS(out, "field 'status': false is not a value of an enum field");
    free(out);
    free(hdr);
    /* an edit's reason, kept in the change log, is bounded as a review's */
    char *longwhy = malloc(2100 + 64);
    ASSERT(longwhy);
    int k = snprintf(longwhy, 64, "{\"properties\":{\"notes\":\"n\"},\"reason\":\"");
    memset(longwhy + k, 'r', 2001);
    snprintf(longwhy + k + 2001, 8, "\"}");
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag, longwhy, &out, &hdr), 400);
    ASSERT_CONTAINS(out, "reason: at most 2000 characters");
    free(out);
    free(hdr);
    free(longwhy);
    /* an unknown field is named as such whatever its value */
    ASSERT_EQ(http_patch("/api/hazards/H-1", ana, tag,
                         "{\"properties\":{\"nosuch\":{\"a\":1}},\"reason\":\"r\"}", &out, &hdr),
              400);
    ASSERT_CONTAINS(out, "layer hazards has no field 'nosuch'");
    free(out);
    free(hdr);
    ASSERT_EQ(http("GET", "/api/hazards/H-1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"est_area_ha\":10,");
    free(out);
    /* a report's item likewise; nothing is stored */
    ASSERT_EQ(http("POST", "/api/reports", fld,
                   "{\"activity\":{\"properties\":{\"activity_type\":\"clearance\",\"end_date\":"
                   "\"2025-05-01\",\"hazard_id\":\"H-1\"}},\"items\":[{\"properties\":{\"category\":"
                   "\"AP\",\"depth_cm\":true},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                   "[46.901,39.901]}}]}",
                   &out),
              422);
    ASSERT_CONTAINS(out, "items[0]: field 'depth_cm': true is not a value of a real field");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"total\":0");
    free(out);
    stop_server(SIGTERM);
}

/* 1 when s (n bytes) is well-formed UTF-8 (RFC 3629). */
static int is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                                                       : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!k || i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] > 0x9F) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] > 0x8F))
            return 0;
        i += k;
    }
    return 1;
}

TEST(server_answers_utf8_json_whatever_bytes_it_echoes)
{
    /* bytes that are not UTF-8, from the URL or left in the database by
     * another program, are answered as U+FFFD: the answer stays JSON a
     * strict parser reads */
    setup_db();
    char *out = NULL, u[37];
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    const char *h3[] = {"ref", "H-3", "hazard_type", "SHA", "status", "open", "notes",
                        "M\xc3\xbcll\xff" "A\xed\xa0\x80\xc3z", NULL};
    insert_wkt(s, "hazards",
               "POLYGON((46.92 39.90, 46.93 39.90, 46.93 39.91, 46.92 39.91, 46.92 39.90))", h3, u);
    dm_store_close(s);
    start_server();
    char ana[65];
    login("ana", "analystpw1", ana);
    ASSERT_EQ(http("GET", "/api/hazards/H-3", ana, NULL, &out), 200);
    ASSERT_MSG(is_utf8((const unsigned char *)out, strlen(out)), "not UTF-8: %s", out);
    /* "Müll", then 0xff, "A", a surrogate's three bytes, a lone lead byte, "z" */
    ASSERT_CONTAINS(out, "\"notes\":\"M\xc3\xbcll\\ufffdA\\ufffd\\ufffd\\ufffd\\ufffdz\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/hazards?ref=H-3&geometry=0", ana, NULL, &out), 200);
    ASSERT_MSG(is_utf8((const unsigned char *)out, strlen(out)), "not UTF-8: %s", out);
    ASSERT_CONTAINS(out, "\"total\":1");
    free(out);
    ASSERT_EQ(http("GET", "/api/x%ff%c3%a9", ana, NULL, &out), 404);
    ASSERT_MSG(is_utf8((const unsigned char *)out, strlen(out)), "not UTF-8: %s", out);
    ASSERT_CONTAINS(out, "no layer or endpoint 'x\\ufffd\xc3\xa9'");
    free(out);
    stop_server(SIGTERM);
}

/* The queue names each report's last review: a field team reads why its
 * report was rejected (the reviewer's words, without "rejected by NAME: "),
 * who decided and when; a draft has none. mine=1 keeps an analyst's list
 * to its own organisation's reports. */
TEST(server_report_queue_names_the_review_and_its_reason)
{
    setup_db();
    start_server();
    char ana[65], fld[65], fld2[65], rej[37], app[37], dra[37], other[37], path[200], *out = NULL;
    login("ana", "analystpw1", ana);
    login("fld", "fieldpw12", fld);
    login("fld2", "fieldpw12", fld2);
    char *ids[] = {rej, app, dra};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(http("POST", "/api/reports", fld, report_json, &out), 201);
        uuid_of(out, ids[i]);
        free(out);
    }
    ASSERT_EQ(http("POST", "/api/reports", fld2, report_json, &out), 201);
    uuid_of(out, other);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/reject", rej);
    ASSERT_EQ(http("POST", path, ana, "{\"reason\":\" polygon \\\"outside\\\" the task: redraw \"}", &out),
              200);
    free(out);
    snprintf(path, sizeof path, "/api/reports/%s/approve", app);
    ASSERT_EQ(http("POST", path, ana, "{}", &out), 200);
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":3,");
    ASSERT(!strstr(out, other));
    char want[300];
    snprintf(want, sizeof want, "\"review\":{\"status\":\"rejected\",\"by\":\"ana\",\"time\":\"");
    ASSERT_CONTAINS(out, want);
    ASSERT_CONTAINS(out, "\"reason\":\"polygon \\\"outside\\\" the task: redraw\"}");
    ASSERT(!strstr(out, "rejected by ana"));
    /* the sender stays named once the reviewer wrote the row */
    ASSERT_CONTAINS(out, "\"author\":\"ana\"");
    ASSERT_CONTAINS(out, "\"submitted_by\":\"fld\",\"review\":{\"status\":\"rejected\"");
    ASSERT_CONTAINS(out, "\"review\":{\"status\":\"approved\",\"by\":\"ana\"");
    ASSERT_CONTAINS(out, "\"reason\":null}");
    /* each review is on its own report (reports are listed oldest first);
     * the draft has none */
    const char *p = strstr(out, rej), *q = strstr(out, app), *d = strstr(out, dra);
    ASSERT(p && q && d && p < q && q < d);
    const char *pr = strstr(p, "\"review\":"), *qr = strstr(q, "\"review\":"), *dr = strstr(d, "\"review\":");
    ASSERT(pr && pr < q && !strncmp(pr, "\"review\":{\"status\":\"rejected\"", 28));
    ASSERT(qr && qr < d && !strncmp(qr, "\"review\":{\"status\":\"approved\"", 28));
    ASSERT(dr && !strncmp(dr, "\"review\":null}", 14));
    ASSERT(!strncmp(dr - 21, "\"submitted_by\":\"fld\",", 21));
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=rejected", fld, NULL, &out), 200);
    ASSERT_CONTAINS(out, rej);
    ASSERT_CONTAINS(out, "\"count\":1,");
    ASSERT_CONTAINS(out, "polygon \\\"outside\\\" the task: redraw");
    free(out);
    /* mine=1: an analyst without an organisation has none; all without it */
    ASSERT_EQ(http("GET", "/api/reports?status=all&mine=1", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":0,");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all&mine=0", ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":4,");
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?status=all&mine=1", fld2, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"count\":1,");
    ASSERT_CONTAINS(out, other);
    free(out);
    ASSERT_EQ(http("GET", "/api/reports?mine=yes", fld, NULL, &out), 400);
    ASSERT_CONTAINS(out, "mine: 0 or 1");
    free(out);
    stop_server(SIGTERM);
}

/* The public check far from the danger zones: beyond 100 km it says "far"
 * with no distance (at lon -170 the zones' UTM zone gave 16,067,550 m);
 * nearer, the distance is the true one, within the 50 m it is rounded to. */
TEST(server_public_check_far_from_the_zones_says_far)
{
    setup_db();
    start_server();
    char *out = NULL;
    ASSERT_EQ(http("GET", "/api/public/check?lon=-170&lat=39", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"inside\":false,\"distance_m\":null,\"far\":true,\"level\":\"unknown\"");
    free(out);
    ASSERT_EQ(http("GET", "/api/public/check?lon=179.9&lat=-60", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"distance_m\":null,\"far\":true,");
    free(out);
    /* 150 km south of the zone (1.35 degrees of latitude): far */
    ASSERT_EQ(http("GET", "/api/public/check?lon=46.905&lat=38.55", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"distance_m\":null,\"far\":true,");
    free(out);
    /* 90 km south of the hazard's edge, 100-150 m less to its zone */
    ASSERT_EQ(http("GET", "/api/public/check?lon=46.905&lat=39.0906", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"far\":false,\"level\":\"unknown\"");
    double d = num_after(out, "\"distance_m\":");
    ASSERT_MSG(d > 89500 && d < 90000, "distance %.0f m", d);
    free(out);
    ASSERT_EQ(http("GET", "/api/public/check?lon=46.905&lat=39.905", NULL, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"inside\":true,\"distance_m\":0,\"far\":false,\"level\":\"danger\"");
    free(out);
    stop_server(SIGTERM);
}

/* A field team's own reports on the staff map (tests/browser/reports.test.js):
 * a report rejected in the review queue is listed under "Our reports" with
 * the reviewer's reason, and a click shows it on the map. Skipped, saying
 * so, without Chromium. */
TEST(server_browser_field_user_reads_why_its_report_was_rejected)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_field_user_reads_why_its_report_was_rejected needs chromium "
               "and `npm ci` in tests/browser\n");
        return;
    }
    free(out);
    setup_browser_db();
    start_server();
    int rc = dmtest_sh(&out,
                       "cd '%s/tests/browser' && DEMINE_URL=%s ARTIFACTS='%s/tests/browser/artifacts' "
                       "timeout 120 node reports.test.js",
                       root, base, root);
    ASSERT_MSG(rc == 0, "browser reports test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "reports test passed");
    free(out);
    stop_server(SIGTERM);
}

/* A login body that is no JSON object says what is wrong with it: the byte
 * that is not UTF-8, the key given twice, the byte where the JSON stops
 * making sense; never a piece of the password. */
TEST(server_login_says_what_is_wrong_with_its_json)
{
    setup_db();
    start_server();
    static const struct {
        const char *body, *says;
    } bad[] = {
        {"{\"user\":\"ana\",\"password\":\"analystpw1\",\"user\":\"adm\"}", "the body repeats a key ('user')"},
        {"{\"user\":\"an\xff\",\"password\":\"analystpw1\"}", "the body is not UTF-8 (byte 12)"},
        {"{\"user\":\"ana\",\"password\":\"analystpw1\"", "the body is not valid JSON at byte 37 ('}' expected)"},
        {"{\"user\":\"ana\" \"password\":\"analystpw1\"}", "the body is not valid JSON at byte 24 ('}' expected)"},
        {"{\"user\":\"ana\",\"password\":\"analystpw1\x01\"}", "the body is not valid JSON at byte "},
        {"[\"ana\",\"analystpw1\"]", "the body is not a JSON object;"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        ASSERT_EQ(http("POST", "/api/login", NULL, bad[i].body, &out), 400);
        ASSERT_CONTAINS(out, bad[i].says);
        ASSERT_MSG(!strstr(out, "analystpw") && !strstr(out, "or repeats a key"), "%s", out);
        free(out);
    }
    stop_server(SIGTERM);
}

/* A square of half-side h metres around (x, y) in UTM 38N, as WGS 84 WKT. */
static void square_wkt(double x, double y, double h, char *wkt, size_t n)
{
    dm_transform *t = NULL;
    ASSERT_OK(dm_transform_new(dmtest_ctx(), "EPSG:32638", "EPSG:4326", &t));
    double xs[4] = {x - h, x + h, x + h, x - h}, ys[4] = {y - h, y - h, y + h, y + h};
    ASSERT_OK(dm_transform_xy(t, xs, ys, 4));
    dm_transform_free(t);
    snprintf(wkt, n, "POLYGON((%.8f %.8f,%.8f %.8f,%.8f %.8f,%.8f %.8f,%.8f %.8f))", xs[0], ys[0], xs[1], ys[1],
             xs[2], ys[2], xs[3], ys[3], xs[0], ys[0]);
}

/* The answer of /api/route?avoid_hazards=1 made here from the database as it
 * is, without the server's cache (one thread, as the server plans). */
static char *route_avoiding_hazards_here(double lon0, double lat0, double lon1, double lat1)
{
    dm_ctx *ctx = dmtest_ctx();
    int threads = dm_ctx_threads(ctx);
    dm_ctx_set_threads(ctx, 1);
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(ctx, dmtest_path("t.gpkg"), DM_STORE_READONLY, &s));
    dm_geom *hz = NULL;
    dm_route_roads *roads = NULL;
    ASSERT_OK(dm_route_hazards_from_store(s, &hz));
    ASSERT_OK(dm_route_roads_from_store(s, &roads));
    dm_route_opts o;
    dm_route_opts_default(&o);
    o.avoid = hz;
    o.avoid_name = "a hazard in force";
    dm_route_result *r = NULL;
    ASSERT_OK(dm_route_find(ctx, dmtest_path("risk.tif"), roads, lon0, lat0, lon1, lat1, &o, &r));
    ASSERT_OK(dm_route_hazards_crossed(s, r));
    char *json = NULL;
    ASSERT_OK(dm_route_result_geojson(ctx, r, 0, &json));
    char *copy = strdup(json);
    dm_free(ctx, json);
    dm_route_result_free(ctx, r);
    dm_route_roads_free(ctx, roads);
    dm_geom_free(hz);
    dm_store_close(s);
    dm_ctx_set_threads(ctx, threads);
    return copy;
}

/* The hazards avoid_hazards=1 keeps out of are made once and kept: a kept
 * answer is the one made afresh, and an edit through the server (a moved
 * polygon) or by another program (`demine status ... closed`) is seen by
 * the next route. The wall map's only way round the wall is its gap in the
 * north; a hazard over the gap makes the route cross the wall. */
TEST(server_route_avoid_hazards_kept_until_the_hazards_change)
{
    double lw, aw, le, ae, li, ai;
    char *out = NULL;
    ASSERT_EQ(dmtest_demine(&out, "init t.gpkg"), 0);
    free(out);
    make_wall_tif(dmtest_path("risk.tif"), &lw, &aw, &le, &ae, &li, &ai);
    /* the points as the URL gives them to the server */
    double *ends[4] = {&lw, &aw, &le, &ae};
    for (int i = 0; i < 4; i++)
        *ends[i] = round(*ends[i] * 1e7) / 1e7;
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", "risk.tif"));
    char wkt[400];
    square_wkt(601000, 4421900, 150, wkt, sizeof wkt); /* over the gap */
    const char *kv[] = {"ref", "H-GAP", "hazard_type", "SHA", NULL};
    insert_wkt(s, "hazards", wkt, kv, NULL);
    square_wkt(600300, 4420300, 50, wkt, sizeof wkt); /* far south-west, off every route here */
    const char *kv2[] = {"ref", "H-SW", "hazard_type", "SHA", NULL};
    insert_wkt(s, "hazards", wkt, kv2, NULL);
    dm_store_close(s);
    ASSERT_EQ(dmtest_sh(&out, "echo analystpw1 | '%s' user add t.gpkg ana --role analyst", getenv("DEMINE_BIN")), 0);
    free(out);
    start_server();
    char ana[65], path[300], *first = NULL, *here = NULL;
    login("ana", "analystpw1", ana);
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f&avoid_hazards=1", lw, aw, le, ae);
    /* the gap held by H-GAP: through the wall (p = 0.5 a cell), H-GAP not entered */
    ASSERT_EQ(http("GET", path, ana, NULL, &first), 200);
    ASSERT_CONTAINS(first, "\"verdict\":\"high\"");
    ASSERT_CONTAINS(first, "\"hazards_crossed\":[]");
    here = route_avoiding_hazards_here(lw, aw, le, ae);
    ASSERT_STREQ(first, here);
    free(here);
    for (int i = 0; i < 3; i++) { /* kept: the same answer, byte for byte */
        ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
        ASSERT_STREQ(out, first);
        free(out);
    }
    /* H-GAP moved away through the server: the next route takes the gap */
    char tag[64], body[700];
    etag_of("/api/hazards/H-GAP", ana, tag);
    square_wkt(601700, 4420300, 50, wkt, sizeof wkt);
    dm_geom *g = NULL;
    char *gj = NULL;
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &g));
    ASSERT_OK(dm_geom_to_geojson(dmtest_ctx(), g, &gj));
    snprintf(body, sizeof body, "{\"geometry\":%s,\"reason\":\"resurveyed: the gap is clear\"}", gj);
    dm_free(dmtest_ctx(), gj);
    dm_geom_free(g);
    char *hdr = NULL;
    ASSERT_EQ(http_patch("/api/hazards/H-GAP", ana, tag, body, &out, &hdr), 200);
    free(out);
    free(hdr);
    char *moved = NULL;
    ASSERT_EQ(http("GET", path, ana, NULL, &moved), 200);
    ASSERT_CONTAINS(moved, "\"verdict\":\"low\"");
    ASSERT(num_after(moved, "\"length_m\":") > 1700);
    here = route_avoiding_hazards_here(lw, aw, le, ae);
    ASSERT_STREQ(moved, here);
    free(here);
    /* H-GAP put back over the gap: avoided again */
    etag_of("/api/hazards/H-GAP", ana, tag);
    square_wkt(601000, 4421900, 150, wkt, sizeof wkt);
    ASSERT_OK(dm_geom_from_wkt(dmtest_ctx(), wkt, &g));
    ASSERT_OK(dm_geom_to_geojson(dmtest_ctx(), g, &gj));
    snprintf(body, sizeof body, "{\"geometry\":%s,\"reason\":\"the gap holds a hazard after all\"}", gj);
    dm_free(dmtest_ctx(), gj);
    dm_geom_free(g);
    ASSERT_EQ(http_patch("/api/hazards/H-GAP", ana, tag, body, &out, NULL), 200);
    free(out);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_STREQ(out, first);
    free(out);
    /* closed by another program while the server runs: the next route takes
     * the gap (the server's own writes are not all there is) */
    ASSERT_EQ(dmtest_demine(&out, "status t.gpkg H-GAP closed --reason 'cleared'"), 0);
    free(out);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_CONTAINS(out, "\"verdict\":\"low\"");
    ASSERT_CONTAINS(out, "\"hazards_crossed\":[]");
    here = route_avoiding_hazards_here(lw, aw, le, ae);
    ASSERT_STREQ(out, here);
    free(here);
    free(out);
    /* and the route without avoid_hazards is that one too: nothing in force on its way */
    snprintf(path, sizeof path, "/api/route?from=%.7f,%.7f&to=%.7f,%.7f", lw, aw, le, ae);
    ASSERT_EQ(http("GET", path, ana, NULL, &out), 200);
    ASSERT_STREQ(out, moved);
    free(out);
    free(moved);
    free(first);
    stop_server(SIGTERM);
}

/* deleting the last admin is allowed (the command line can add one again)
 * but said: nobody could manage the users on the web map */
TEST(user_del_of_the_last_admin_warns)
{
    const char *db = dmtest_path("u.gpkg");
    ASSERT_DEMINE(0, NULL, "init %s", db);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add %s a1 --role admin", getenv("DEMINE_BIN"), db), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add %s a2 --role admin", getenv("DEMINE_BIN"), db), 0);
    free(out);
    ASSERT_EQ(dmtest_sh(&out, "echo longenough | '%s' user add %s an --role analyst", getenv("DEMINE_BIN"), db), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user del %s a1", db), 0);
    ASSERT(!strstr(out, "no admin left")); /* a2 is one */
    free(out);
    ASSERT_EQ(dmtest_demine(&out, "user del %s a2", db), 0);
    ASSERT_CONTAINS(out, "deleted a2");
    ASSERT_CONTAINS(out, "has no admin left");
    ASSERT_CONTAINS(out, "user add");
    free(out);
}

TEST(server_another_organisations_report_reads_as_none)
{
    /* a field user of another organisation asking for a draft report, by
     * its ref or uuid, as a report or as an activity, gets the very answer
     * a report that does not exist gets: its ref cannot be probed */
    setup_db();
    start_server();
    char fld[65], fld2[65], *out = NULL, uuid[37], path[200];
    login("fld", "fieldpw12", fld);
    login("fld2", "fieldpw12", fld2);
    const char *rep = "{\"activity\":{\"properties\":{\"activity_type\":\"nts\",\"ref\":\"SECRET-7\","
                      "\"end_date\":\"2025-05-01\"}}}";
    ASSERT_EQ(http("POST", "/api/reports", fld, rep, &out), 201);
    uuid_of(out, uuid);
    free(out);
    static const char *const fmt[] = {"/api/reports/%s", "/api/activities/%s", "/api/reports/%s/withdraw"};
    for (int k = 0; k < 3; k++) {
        const char *body = k == 2 ? "{\"reason\":\"x\"}" : NULL, *method = k == 2 ? "POST" : "GET";
        char *hidden = NULL, *none = NULL, *mine = NULL;
        snprintf(path, sizeof path, fmt[k], "SECRET-7");
        ASSERT_EQ(http(method, path, fld2, body, &hidden), 404);
        snprintf(path, sizeof path, fmt[k], "NOSUCH-7");
        ASSERT_EQ(http(method, path, fld2, body, &none), 404);
        /* the same words but the id */
        char *at = strstr(none, "NOSUCH-7");
        ASSERT(at);
        memcpy(at, "SECRET-7", 8);
        ASSERT_STREQ(hidden, none);
        ASSERT_CONTAINS(hidden, "with id or ref 'SECRET-7'");
        free(hidden);
        free(none);
        if (k < 2) { /* the sender reads it */
            snprintf(path, sizeof path, fmt[k], uuid);
            ASSERT_EQ(http("GET", path, fld, NULL, &mine), 200);
            ASSERT_CONTAINS(mine, "SECRET-7");
            free(mine);
        }
    }
    stop_server(SIGTERM);
}
