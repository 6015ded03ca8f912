/* SPDX-License-Identifier: MIT
 *
 * test_server_limits.c -- `demine serve` under load from its own users:
 * logins at once (each an Argon2id check of 64 MiB) are capped so that the
 * server's memory stays bounded, and a user's sessions are capped.
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
