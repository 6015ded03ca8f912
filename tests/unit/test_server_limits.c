/* SPDX-License-Identifier: MIT
 *
 * test_server_limits.c -- `demine serve` under load from its own users:
 * logins at once (each an Argon2id check of 64 MiB) are capped so that the
 * server's memory stays bounded, a user's sessions are capped, and what a
 * field user is told of the layers' bounds and the reports' counts is of
 * the rows it may read alone.
 */
#include "srvtest.h"

#include <unistd.h>


/* The pid of the running `demine serve` (srvtest starts it under timeout). */
static long server_pid(void)
{
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "pgrep -P \"$(cat srv.pid)\" | head -1"), 0);
    long pid = strtol(out, NULL, 10);
    free(out);
    ASSERT_MSG(pid > 0, "no server process under %s", dmtest_path("srv.pid"));
    return pid;
}

/* A value in kB of /proc/PID/status ("VmHWM:", "VmRSS:"). */
static long proc_kb(long pid, const char *key)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    char *st = dmtest_read_file(path);
    ASSERT_MSG(st, "cannot read %s", path);
    const char *p = strstr(st, key);
    ASSERT_MSG(p, "no %s in %s", key, path);
    long kb = strtol(p + strlen(key), NULL, 10);
    free(st);
    return kb;
}

TEST(server_caps_the_password_checks_of_logins_at_once)
{
    /* Each login checks its password with Argon2id at libsodium's
     * interactive limits: 64 MiB for some 0.1-0.5 s. Unbounded, 16 logins at
     * once on 16 worker threads took the server from 39 MB to 600 MB. */
    enum { N = 16 };
    srvtest_setup_db();
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out,
                        "for i in $(seq 1 %d); do PW=password$i '%s' user add t.gpkg u$i --role analyst "
                        "--password-env PW || exit 1; done",
                        N, getenv("DEMINE_BIN")),
              0);
    free(out);
    /* each client its own address (the proxy's X-Forwarded-For), so that
     * no limit of failed logins per address stands in the way */
    srvtest_start_server_with("--threads 16 --trust-proxy 127.0.0.1");
    long pid = server_pid();
    long base = proc_kb(pid, "VmRSS:");
    ASSERT_EQ(dmtest_sh(&out,
                        "for i in $(seq 1 %d); do curl -s -o out$i.txt -D hdr$i.txt -w '%%{http_code}' "
                        "-H \"X-Forwarded-For: 10.0.0.$i\" -X POST "
                        "--data-binary \"{\\\"user\\\":\\\"u$i\\\",\\\"password\\\":\\\"password$i\\\"}\" "
                        "'%s/api/login' > code$i.txt & done; wait",
                        N, srvtest_base),
              0);
    free(out);
    long peak = proc_kb(pid, "VmHWM:");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long running = cpus < 1 ? 1 : cpus > 4 ? 4 : cpus;
    /* the checks running at once, one more for what the worker threads
     * need besides (their connections to the database), and some slack */
    long limit = base + (running + 2) * 65536 + 32768;
#if defined(__SANITIZE_ADDRESS__)
    limit += 256 * 1024; /* AddressSanitizer keeps freed blocks (quarantine) */
#endif
    ASSERT_MSG(peak < limit, "%d logins at once: the server grew from %ld kB to %ld kB (limit %ld kB)", N, base,
               peak, limit);
    int ok = 0, busy = 0, again[N + 1] = {0};
    for (int i = 1; i <= N; i++) {
        char name[32];
        snprintf(name, sizeof name, "code%d.txt", i);
        char *code = dmtest_read_file(dmtest_path(name));
        ASSERT(code);
        snprintf(name, sizeof name, "out%d.txt", i);
        char *body = dmtest_read_file(dmtest_path(name));
        snprintf(name, sizeof name, "hdr%d.txt", i);
        char *hdr = dmtest_read_file(dmtest_path(name));
        ASSERT(body && hdr);
        if (!strcmp(code, "200")) {
            ok++;
        } else {
            /* beyond those checked and those waiting their turn: 503, to
             * try again soon, and no password checked */
            ASSERT_MSG(!strcmp(code, "503"), "login u%d: %s %s", i, code, body);
            ASSERT_CONTAINS(body, "checking the passwords of other logins");
            char ra[16];
            ASSERT(srvtest_header_value(hdr, "Retry-After", ra, sizeof ra));
            ASSERT_EQ(strtol(ra, NULL, 10), 2);
            busy++;
            again[i] = 1;
        }
        free(code);
        free(body);
        free(hdr);
    }
    ASSERT_MSG(ok >= running, "%d of %d logins at once succeeded (%ld run at once)", ok, N, running);
    ASSERT_EQ(ok + busy, N);
    /* the turns are given back: those turned away log in now, one after
     * the other (a 503 is no failed attempt) */
    for (int i = 1; i <= N; i++) {
        if (!again[i])
            continue;
        char user[16], pw[32], tok[65];
        snprintf(user, sizeof user, "u%d", i);
        snprintf(pw, sizeof pw, "password%d", i);
        srvtest_login(user, pw, tok);
    }
    srvtest_stop_server();
}

/* The staff web map's login answered 503 with Retry-After (the passwords
 * of other logins being checked) is sent again by the page itself after
 * Retry-After, saying that it waits, at most 5 times; a change to the form
 * stops it, a 429 is not sent again (tests/browser/login.test.js). Skipped,
 * saying so, without Chromium. */
TEST(server_browser_login_sent_again_after_a_busy_server)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: server_browser_login_sent_again_after_a_busy_server needs chromium and `npm ci` in "
               "tests/browser\n");
        return;
    }
    free(out);
    srvtest_setup_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 100 node login.test.js", root,
                       srvtest_base);
    ASSERT_MSG(rc == 0, "browser login test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "login test passed");
    free(out);
    srvtest_stop_server();
}

TEST(server_keeps_at_most_twenty_sessions_a_user)
{
    /* a script that logs in at every run and never out left a session
     * behind each time, all alive until they expired: a user holds at most
     * DM_AUTH_MAX_SESSIONS, and a login beyond ends the oldest */
    ASSERT_EQ(DM_AUTH_MAX_SESSIONS, 20);
    srvtest_setup_db();
    /* one worker thread: the session checked just before is in its cache */
    srvtest_start_server_with("--threads 1");
    char tok[DM_AUTH_MAX_SESSIONS + 1][65], *out = NULL;
    for (int i = 0; i < DM_AUTH_MAX_SESSIONS; i++)
        srvtest_login("ana", "analystpw1", tok[i]);
    for (int i = 0; i < DM_AUTH_MAX_SESSIONS; i++) {
        ASSERT_EQ(srvtest_req("GET", "/api/me", tok[i], NULL, NULL, &out, NULL), 200);
        free(out);
    }
    /* another user's sessions are no part of ana's */
    char fld[65];
    srvtest_login("fld", "fieldpw12", fld);
    ASSERT_EQ(srvtest_req("GET", "/api/me", tok[0], NULL, NULL, &out, NULL), 200);
    free(out);
    srvtest_login("ana", "analystpw1", tok[DM_AUTH_MAX_SESSIONS]);
    /* the oldest is over at once, though checked a moment ago */
    ASSERT_EQ(srvtest_req("GET", "/api/me", tok[0], NULL, NULL, &out, NULL), 401);
    free(out);
    for (int i = 1; i <= DM_AUTH_MAX_SESSIONS; i++) {
        int code = srvtest_req("GET", "/api/me", tok[i], NULL, NULL, &out, NULL);
        ASSERT_MSG(code == 200, "session %d of ana: %d %s", i + 1, code, out);
        free(out);
    }
    ASSERT_EQ(srvtest_req("GET", "/api/me", fld, NULL, NULL, &out, NULL), 200);
    free(out);
    /* one more: the second goes */
    char last[65];
    srvtest_login("ana", "analystpw1", last);
    ASSERT_EQ(srvtest_req("GET", "/api/me", tok[1], NULL, NULL, &out, NULL), 401);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/me", tok[2], NULL, NULL, &out, NULL), 200);
    free(out);
    srvtest_stop_server();
}

/* A field report of organisation's user (token) over the square at lon,
 * lat with one item; 201. */
static void send_report(const char *token, const char *ref, double lon, double lat)
{
    char body[1200], *out = NULL;
    snprintf(body, sizeof body,
             "{\"activity\":{\"type\":\"Feature\",\"properties\":{\"activity_type\":\"nts\",\"ref\":\"%s\","
             "\"end_date\":\"2025-06-03\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.3f,%.3f],"
             "[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]}},\"items\":[{\"category\":\"AP\",\"model\":"
             "\"PMN-2\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]}}]}",
             ref, lon, lat, lon + 0.01, lat, lon + 0.01, lat + 0.01, lon, lat + 0.01, lon, lat, lon + 0.005,
             lat + 0.005);
    int code = srvtest_req("POST", "/api/reports", token, NULL, body, &out, NULL);
    ASSERT_MSG(code == 201, "report %s: %d %s", ref, code, out);
    free(out);
}

/* Is the "bbox" of layer in an /api/layers answer w, s, e, n (to 1e-4
 * degree: the spatial index keeps single precision)? */
static void assert_bbox(const char *layers, const char *layer, double w, double so, double e, double n)
{
    char key[64];
    snprintf(key, sizeof key, "{\"name\":\"%s\"", layer);
    const char *p = strstr(layers, key);
    ASSERT_MSG(p, "no layer %s in %s", layer, layers);
    /* the layer's own, after its fields (which have none) */
    const char *bb = strstr(p, "\"bbox\":");
    ASSERT_MSG(bb, "no bbox of %s", layer);
    bb += strlen("\"bbox\":");
    double v[4];
    ASSERT_MSG(sscanf(bb, "[%lf,%lf,%lf,%lf]", &v[0], &v[1], &v[2], &v[3]) == 4, "bbox of %s: %.60s", layer, bb);
    double want[4] = {w, so, e, n};
    for (int i = 0; i < 4; i++)
        ASSERT_MSG(fabs(v[i] - want[i]) < 1e-4, "bbox of %s: %.60s, not [%.4f,%.4f,%.4f,%.4f]", layer, bb, w, so,
                   e, n);
}

/* The count of key in the "reports_by_status" of a stats answer (0 when
 * it is not there). */
static long status_count(const char *stats, const char *key)
{
    const char *p = strstr(stats, "\"reports_by_status\":[");
    ASSERT_MSG(p, "no reports_by_status in %s", stats);
    const char *end = strchr(p, ']');
    char k[64];
    snprintf(k, sizeof k, "{\"key\":\"%s\",\"count\":", key);
    const char *q = strstr(p, k);
    return q && q < end ? strtol(q + strlen(k), NULL, 10) : 0;
}

TEST(server_field_users_see_bounds_and_counts_of_what_they_may_read)
{
    /* a field user reads no report of another organisation under review
     * (its activity, its finds): nor may where they lie (the layers'
     * bounds) or how many there are (the statistics' reports by review
     * state) tell it */
    srvtest_setup_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    char u[37];
    const char *org[] = {"name", "MAG", NULL};
    srvtest_insert_wkt(s, "organisations", NULL, org, u);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "PW=magfield12 '%s' user add t.gpkg mag --role field --org MAG --password-env PW",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    srvtest_start_server();
    char fld[65], mag[65], ana[65];
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("mag", "magfield12", mag);
    srvtest_login("ana", "analystpw1", ana);
    /* HALO's report beside H-1; MAG's two, far to the west */
    send_report(fld, "HALO-NTS-1", 46.900, 39.900);
    send_report(mag, "MAG-NTS-1", 45.000, 41.000);
    send_report(mag, "MAG-NTS-2", 45.100, 41.100);
    /* the field user of HALO: its own report, the hazards' item, none of MAG's */
    ASSERT_EQ(srvtest_req("GET", "/api/layers", fld, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "activities", 46.9, 39.9, 46.91, 39.91);
    assert_bbox(out, "items", 46.905, 39.905, 46.905, 39.905);
    assert_bbox(out, "hazards", 46.9, 39.9, 46.93, 39.93);
    free(out);
    /* MAG's field user: its own two and HALO's nothing */
    ASSERT_EQ(srvtest_req("GET", "/api/layers", mag, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "activities", 45.0, 41.0, 45.11, 41.11);
    assert_bbox(out, "items", 45.005, 39.905, 46.905, 41.105);
    free(out);
    /* an analyst reads every report: the bounds of all */
    ASSERT_EQ(srvtest_req("GET", "/api/layers", ana, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "activities", 45.0, 39.9, 46.91, 41.11);
    free(out);
    /* reports by review state: a field user counts its organisation's drafts */
    ASSERT_EQ(srvtest_req("GET", "/api/stats", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_EQ(status_count(out, "draft"), 1);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/stats", mag, NULL, NULL, &out, NULL), 200);
    ASSERT_EQ(status_count(out, "draft"), 2);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/stats", ana, NULL, NULL, &out, NULL), 200);
    ASSERT_EQ(status_count(out, "draft"), 3);
    free(out);
    /* a rejection of MAG's is MAG's too; approved reports count for all */
    ASSERT_EQ(srvtest_req("POST", "/api/reports/MAG-NTS-1/reject", ana, NULL, "{\"reason\":\"wrong area\"}", &out,
                          NULL),
              200);
    free(out);
    ASSERT_EQ(srvtest_req("POST", "/api/reports/MAG-NTS-2/approve", ana, NULL, "{\"reason\":\"checked\"}", &out,
                          NULL),
              200);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/stats", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_EQ(status_count(out, "draft"), 1);
    ASSERT_EQ(status_count(out, "rejected"), 0);
    ASSERT_MSG(!strstr(out, "\"key\":\"rejected\""), "a rejection of another organisation is named: %s", out);
    ASSERT_EQ(status_count(out, "approved"), 1);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/stats", mag, NULL, NULL, &out, NULL), 200);
    ASSERT_EQ(status_count(out, "draft"), 0);
    ASSERT_EQ(status_count(out, "rejected"), 1);
    ASSERT_EQ(status_count(out, "approved"), 1);
    free(out);
    /* HALO's field user now sees MAG's approved report where it lies */
    ASSERT_EQ(srvtest_req("GET", "/api/layers", fld, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "activities", 45.1, 39.9, 46.91, 41.11);
    free(out);
    srvtest_stop_server();
}

/* A release area (cleared) over the small square at lon, lat of the report
 * activity, and a link of it to the hazard hz; their uuids. */
static void add_report_rows(dm_store *s, const char *activity, double lon, double lat, const char *hz,
                            char ra[37], char link[37])
{
    char wkt[300];
    snprintf(wkt, sizeof wkt, "POLYGON((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f))", lon, lat,
             lon + 0.002, lat, lon + 0.002, lat + 0.002, lon, lat + 0.002, lon, lat);
    const char *rel[] = {"activity_id", activity, "outcome", "cleared", "date", "2025-06-03", NULL};
    srvtest_insert_wkt(s, "release_areas", wkt, rel, ra);
    const char *ln[] = {"activity_id", activity, "hazard_id", hz, NULL};
    srvtest_insert_wkt(s, "activity_hazards", NULL, ln, link);
}

/* Does a GET of path by token answer 200 with uuid in it (1), or without (0)? */
static int lists(const char *token, const char *path, const char *uuid)
{
    char *out = NULL;
    int code = srvtest_req("GET", path, token, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 200, "GET %s: %d %s", path, code, out);
    int has = strstr(out, uuid) != NULL;
    free(out);
    return has;
}

TEST(server_field_users_see_no_rows_of_another_organisations_reports_under_review)
{
    /* the land another organisation's draft or rejected report says it
     * released, and the hazards it says it worked on, are hidden from a
     * field user as the report itself is: in the layer's list (filtered
     * by the report too), one by one, in their history and in the
     * layer's bounds; its own organisation's are not, nor anyone's once
     * approved, and a reviewer reads them all */
    srvtest_setup_db();
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    char u[37];
    const char *org[] = {"name", "MAG", NULL};
    srvtest_insert_wkt(s, "organisations", NULL, org, u);
    dm_store_close(s);
    char *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "PW=magfield12 '%s' user add t.gpkg mag --role field --org MAG --password-env PW",
                        getenv("DEMINE_BIN")),
              0);
    free(out);
    srvtest_start_server();
    char fld[65], mag[65], ana[65];
    srvtest_login("fld", "fieldpw12", fld);
    srvtest_login("mag", "magfield12", mag);
    srvtest_login("ana", "analystpw1", ana);
    send_report(fld, "HALO-NTS-1", 46.900, 39.900); /* HALO's draft */
    send_report(mag, "MAG-NTS-1", 45.000, 41.000);  /* MAG's draft */
    send_report(mag, "MAG-NTS-2", 45.100, 41.100);  /* MAG's, rejected */
    send_report(mag, "MAG-NTS-3", 44.000, 42.000);  /* MAG's, approved */
    ASSERT_EQ(srvtest_req("POST", "/api/reports/MAG-NTS-2/reject", ana, NULL, "{\"reason\":\"wrong area\"}", &out,
                          NULL),
              200);
    free(out);
    ASSERT_EQ(srvtest_req("POST", "/api/reports/MAG-NTS-3/approve", ana, NULL, "{}", &out, NULL), 200);
    free(out);
    /* release areas and hazard links of the four (as an analyst or QGIS
     * adds them to a report) */
    const char *refs[4] = {"HALO-NTS-1", "MAG-NTS-1", "MAG-NTS-2", "MAG-NTS-3"};
    const double at[4][2] = {{46.902, 39.902}, {45.002, 41.002}, {45.102, 41.102}, {44.002, 42.002}};
    char act[4][37], ra[4][37], link[4][37], h2[37];
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_resolve(s, "hazards", "H-2", NULL, h2));
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(dm_store_resolve(s, "activities", refs[i], NULL, act[i]));
        add_report_rows(s, act[i], at[i][0], at[i][1], h2, ra[i], link[i]);
    }
    dm_store_close(s);

    /* HALO's field user: its own draft's rows and the approved report's */
    const char *list_ra = "/api/release_areas?geometry=0", *list_ln = "/api/activity_hazards";
    int want_fld[4] = {1, 0, 0, 1}, want_mag[4] = {0, 1, 1, 1};
    for (int i = 0; i < 4; i++) {
        ASSERT_MSG(lists(fld, list_ra, ra[i]) == want_fld[i], "release area of %s listed to fld: %d", refs[i],
                   !want_fld[i]);
        ASSERT_MSG(lists(fld, list_ln, link[i]) == want_fld[i], "hazard link of %s listed to fld: %d", refs[i],
                   !want_fld[i]);
        ASSERT_MSG(lists(mag, list_ra, ra[i]) == want_mag[i], "release area of %s listed to mag: %d", refs[i],
                   !want_mag[i]);
        ASSERT_MSG(lists(mag, list_ln, link[i]) == want_mag[i], "hazard link of %s listed to mag", refs[i]);
        ASSERT_MSG(lists(ana, list_ra, ra[i]) && lists(ana, list_ln, link[i]), "%s's rows not listed to ana",
                   refs[i]);
        /* one by one and their history: as if there were none */
        const char *layer[2] = {"release_areas", "activity_hazards"};
        const char *id[2] = {ra[i], link[i]};
        for (int k = 0; k < 2; k++)
            for (int h = 0; h < 2; h++) {
                char path[200];
                snprintf(path, sizeof path, "/api/%s/%s%s", layer[k], id[k], h ? "/history" : "");
                int code = srvtest_req("GET", path, fld, NULL, NULL, &out, NULL);
                ASSERT_MSG(code == (want_fld[i] ? 200 : 404), "GET %s by fld: %d %s", path, code, out);
                if (!want_fld[i])
                    ASSERT_MSG(!strstr(out, refs[i]) && !strstr(out, act[i]), "the 404 names the report: %s", out);
                free(out);
                ASSERT_EQ(srvtest_req("GET", path, ana, NULL, NULL, &out, NULL), 200);
                free(out);
            }
    }
    /* asked by the report they name: none */
    char path[200];
    snprintf(path, sizeof path, "/api/release_areas?activity_id=%s", act[1]);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"count\":0");
    free(out);
    snprintf(path, sizeof path, "/api/activity_hazards?activity_id=%s", act[1]);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"count\":0");
    free(out);
    /* paged: the hidden rows take no place (two rows, one a page) */
    ASSERT_EQ(srvtest_req("GET", "/api/release_areas?geometry=0&limit=1", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"count\":1");
    ASSERT_CONTAINS(out, "\"next_offset\":1");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/release_areas?geometry=0&limit=1&offset=1", fld, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"count\":1");
    ASSERT(!strstr(out, "next_offset"));
    free(out);
    /* where they lie: the bounds of the release areas each may read */
    ASSERT_EQ(srvtest_req("GET", "/api/layers", fld, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "release_areas", 44.002, 39.902, 46.904, 42.004);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/layers", mag, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "release_areas", 44.002, 41.002, 45.104, 42.004);
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/layers", ana, NULL, NULL, &out, NULL), 200);
    assert_bbox(out, "release_areas", 44.002, 39.902, 46.904, 42.004);
    free(out);
    /* approved, MAG's draft's rows are everyone's */
    ASSERT_EQ(srvtest_req("POST", "/api/reports/MAG-NTS-1/approve", ana, NULL, "{}", &out, NULL), 200);
    free(out);
    ASSERT(lists(fld, list_ra, ra[1]));
    ASSERT(lists(fld, list_ln, link[1]));
    snprintf(path, sizeof path, "/api/release_areas/%s", ra[1]);
    ASSERT_EQ(srvtest_req("GET", path, fld, NULL, NULL, &out, NULL), 200);
    free(out);
    srvtest_stop_server();
}
