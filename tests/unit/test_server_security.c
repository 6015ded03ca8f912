/* SPDX-License-Identifier: MIT
 *
 * test_server_security.c -- `demine serve` against attacks on its sessions
 * and answers: a state-changing request a page of another site makes a
 * browser send with the session cookie (or a login forced on it) is
 * refused, the session cookie is Secure behind an HTTPS proxy (and a
 * __Host- cookie, which no other subdomain can plant), and the public
 * endpoints never name the server's files.
 */
#include "srvtest.h"

#include <signal.h>
#include <strings.h>
#include <unistd.h>

#define ASSERT_NOT_CONTAINS(hay, needle) ASSERT_MSG(!strstr((hay), (needle)), "'%s' in: %s", (needle), (hay))

/* A request with curl and up to two more headers (NULL for none): the
 * status, the body in *out and the response's headers in *hdr (malloc'd;
 * hdr may be NULL). */
static int req(const char *method, const char *path, const char *h1, const char *h2, const char *body, char **out,
               char **hdr)
{
    char e1[300] = "", e2[300] = "", data[64] = "";
    if (h1)
        snprintf(e1, sizeof e1, "-H '%s'", h1);
    if (h2)
        snprintf(e2, sizeof e2, "-H '%s'", h2);
    if (body) {
        dmtest_write_file(dmtest_path("req.json"), body);
        snprintf(data, sizeof data, "--data-binary @req.json");
    }
    char *res = NULL;
    int rc = dmtest_sh(&res,
                       "rm -f resp.txt hdr.txt; curl -s -g -D hdr.txt -o resp.txt -w '%%{http_code}' -X %s %s %s %s "
                       "'%s%s'",
                       method, e1, e2, data, srvtest_base, path);
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

static const char *report =
    "{\"activity\":{\"type\":\"Feature\",\"properties\":{\"activity_type\":\"nts\",\"end_date\":\"2025-05-01\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[46.90,39.90],[46.905,39.90],[46.905,39.905],"
    "[46.90,39.90]]]}}}";

TEST(server_refuses_cross_site_writes_riding_on_the_session_cookie)
{
    /* SameSite=Strict keeps the cookie from other sites, but not from another
     * port or subdomain of the same site (Sec-Fetch-Site: same-site), nor
     * from browsers that do not know SameSite: a form there posting
     * text/plain "JSON" would submit, approve or delete under the user's
     * name. A browser says where a request comes from: any write it sends
     * for a page of another origin is refused unless it carries a bearer
     * token (which such a page cannot set). */
    srvtest_setup_db();
    srvtest_start_server();
    char fld[65], cookie[100], *out = NULL, *hdr = NULL;
    srvtest_login("fld", "fieldpw12", fld);
    snprintf(cookie, sizeof cookie, "Cookie: dm_token=%s", fld);
    static const char *sites[] = {"same-site", "cross-site", "Cross-Site"};
    for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++) {
        char h[80];
        snprintf(h, sizeof h, "Sec-Fetch-Site: %s", sites[i]);
        int code = req("POST", "/api/reports", cookie, h, report, &out, NULL);
        ASSERT_MSG(code == 403, "%s: %d %s", sites[i], code, out);
        ASSERT_CONTAINS(out, "from another site");
        free(out);
        /* not even a login (one forced on the browser logs it in as the
         * attacker) nor a logout */
        code = req("POST", "/api/login", h, NULL, "{\"user\":\"ana\",\"password\":\"analystpw1\"}", &out, &hdr);
        ASSERT_MSG(code == 403, "login %s: %d %s", sites[i], code, out);
        ASSERT_NOT_CONTAINS(hdr, "Set-Cookie");
        ASSERT_NOT_CONTAINS(out, "\"token\":");
        free(out);
        free(hdr);
        ASSERT_EQ(req("POST", "/api/logout", cookie, h, NULL, &out, NULL), 403);
        free(out);
    }
    ASSERT_EQ(srvtest_rows_of("activities"), 0);
    /* the session still holds: the logouts above were refused */
    ASSERT_EQ(req("GET", "/api/me", cookie, NULL, NULL, &out, NULL), 200);
    free(out);
    /* reads are not writes: the same cookie reads from anywhere (another
     * origin cannot read the answer without CORS) */
    ASSERT_EQ(req("GET", "/api/reports", cookie, "Sec-Fetch-Site: same-site", NULL, &out, NULL), 200);
    free(out);
    /* the web map's own requests (same-origin), and clients that say
     * nothing (curl, scripts), write with the cookie as before */
    ASSERT_EQ(req("POST", "/api/reports", cookie, "Sec-Fetch-Site: same-origin", report, &out, NULL), 201);
    free(out);
    ASSERT_EQ(req("POST", "/api/reports", cookie, NULL, report, &out, NULL), 201);
    free(out);
    /* a bearer token is no cookie a browser adds by itself */
    char bearer[100];
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", fld);
    ASSERT_EQ(req("POST", "/api/reports", bearer, "Sec-Fetch-Site: cross-site", report, &out, NULL), 201);
    free(out);
    ASSERT_EQ(srvtest_rows_of("activities"), 3);
    ASSERT_EQ(req("POST", "/api/login", "Sec-Fetch-Site: same-origin", NULL,
                  "{\"user\":\"ana\",\"password\":\"analystpw1\"}", &out, NULL),
              200);
    free(out);
    srvtest_stop_server();
}

TEST(server_session_cookie_is_secure_behind_an_https_proxy)
{
    /* Behind a reverse proxy that speaks HTTPS to the browser, a cookie
     * without Secure would be sent over plain HTTP too (a link to http://,
     * a network that rewrites it): the proxy says the client's protocol in
     * X-Forwarded-Proto, believed from the trusted proxy only. */
    srvtest_setup_db();
    srvtest_start_server_with("--trust-proxy 127.0.0.1");
    const char *login = "{\"user\":\"ana\",\"password\":\"analystpw1\"}";
    char *out = NULL, *hdr = NULL, cookie[200];
    ASSERT_EQ(req("POST", "/api/login", "X-Forwarded-Proto: https", "X-Forwarded-For: 10.1.1.1", login, &out, &hdr),
              200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_CONTAINS(cookie, "HttpOnly");
    ASSERT_CONTAINS(cookie, "SameSite=Strict");
    ASSERT_CONTAINS(cookie, "; Secure");
    free(out);
    free(hdr);
    /* the proxy's own value is the last one: what the client sent before
     * it is not believed */
    ASSERT_EQ(req("POST", "/api/login", "X-Forwarded-Proto: https, http", NULL, login, &out, &hdr), 200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_NOT_CONTAINS(cookie, "Secure");
    free(out);
    free(hdr);
    /* plain HTTP: no Secure (the browser would drop the cookie) */
    ASSERT_EQ(req("POST", "/api/login", NULL, NULL, login, &out, &hdr), 200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_NOT_CONTAINS(cookie, "Secure");
    char tok[65];
    const char *p = strstr(out, "\"token\":\"");
    ASSERT(p);
    snprintf(tok, sizeof tok, "%.64s", p + 9);
    free(out);
    free(hdr);
    /* the logout's cookie that clears it is Secure as well over HTTPS */
    char bearer[100];
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", tok);
    ASSERT_EQ(req("POST", "/api/logout", bearer, "X-Forwarded-Proto: https", NULL, &out, &hdr), 200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_CONTAINS(cookie, "Max-Age=0; Secure");
    free(out);
    free(hdr);
    srvtest_stop_server();
    /* without --trust-proxy, anyone could say X-Forwarded-Proto: it is not
     * believed */
    srvtest_start_server();
    ASSERT_EQ(req("POST", "/api/login", "X-Forwarded-Proto: https", NULL, login, &out, &hdr), 200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_NOT_CONTAINS(cookie, "Secure");
    free(out);
    free(hdr);
    srvtest_stop_server();
}

/* The token of a login answer. */
static void token_of(const char *out, char tok[65])
{
    const char *p = strstr(out, "\"token\":\"");
    ASSERT_MSG(p, "no token in %s", out);
    snprintf(tok, 65, "%.64s", p + 9);
}

TEST(server_session_cookie_over_https_is_a_host_cookie_no_subdomain_can_plant)
{
    /* A page of another subdomain of the site (or one a sibling host
     * serves) can set a cookie for the whole site (Domain=example.org) named
     * dm_token, holding its own session: the browser then sends both, and
     * the server could take the planted one, so that the user works, and
     * sends field reports, in the attacker's session. Behind HTTPS the
     * session cookie is __Host-dm_token, which a browser takes only from
     * this very host (Secure, Path=/, no Domain), and it alone is read. */
    srvtest_setup_db();
    srvtest_start_server_with("--trust-proxy 127.0.0.1");
    const char *https = "X-Forwarded-Proto: https";
    char *out = NULL, *hdr = NULL, cookie[240], ana[65], fld[65], h[200];
    ASSERT_EQ(req("POST", "/api/login", https, NULL, "{\"user\":\"ana\",\"password\":\"analystpw1\"}", &out,
                  &hdr),
              200);
    token_of(out, ana);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    char want[120];
    snprintf(want, sizeof want, "__Host-dm_token=%s; Path=/;", ana);
    ASSERT_MSG(!strncmp(cookie, want, strlen(want)), "Set-Cookie: %s", cookie);
    ASSERT_CONTAINS(cookie, "; Secure");
    ASSERT_CONTAINS(cookie, "HttpOnly");
    ASSERT_NOT_CONTAINS(cookie, "Domain");
    free(out);
    free(hdr);
    /* the attacker's own session, planted as dm_token */
    srvtest_login("fld", "fieldpw12", fld);
    /* the host cookie is the session */
    snprintf(h, sizeof h, "Cookie: __Host-dm_token=%s", ana);
    ASSERT_EQ(req("GET", "/api/me", https, h, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"user\":\"ana\"");
    free(out);
    /* a plain dm_token over HTTPS is none, whoever set it */
    snprintf(h, sizeof h, "Cookie: dm_token=%s", fld);
    ASSERT_EQ(req("GET", "/api/me", https, h, NULL, &out, NULL), 401);
    free(out);
    /* both, the planted one first: the user's own */
    snprintf(h, sizeof h, "Cookie: dm_token=%s; __Host-dm_token=%s", fld, ana);
    ASSERT_EQ(req("GET", "/api/me", https, h, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"user\":\"ana\"");
    free(out);
    /* the name in another case is another cookie (one a browser that reads
     * the prefix case-sensitively lets a subdomain set) */
    snprintf(h, sizeof h, "Cookie: __host-dm_token=%s; __Host-dm_token=%s", fld, ana);
    ASSERT_EQ(req("GET", "/api/me", https, h, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"user\":\"ana\"");
    free(out);
    snprintf(h, sizeof h, "Cookie: __HOST-DM_TOKEN=%s", fld);
    ASSERT_EQ(req("GET", "/api/me", https, h, NULL, &out, NULL), 401);
    free(out);
    /* the logout over HTTPS clears the host cookie */
    snprintf(h, sizeof h, "Cookie: __Host-dm_token=%s", ana);
    ASSERT_EQ(req("POST", "/api/logout", https, h, NULL, &out, &hdr), 200);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    ASSERT_MSG(!strncmp(cookie, "__Host-dm_token=; Path=/;", 25), "Set-Cookie: %s", cookie);
    ASSERT_CONTAINS(cookie, "Max-Age=0; Secure");
    free(out);
    free(hdr);
    /* plain HTTP keeps dm_token (a __Host- cookie needs Secure, which the
     * browser would drop there), and reads it alone */
    ASSERT_EQ(req("POST", "/api/login", NULL, NULL, "{\"user\":\"ana\",\"password\":\"analystpw1\"}", &out,
                  &hdr),
              200);
    token_of(out, ana);
    ASSERT(srvtest_header_value(hdr, "Set-Cookie", cookie, sizeof cookie));
    snprintf(want, sizeof want, "dm_token=%s; Path=/;", ana);
    ASSERT_MSG(!strncmp(cookie, want, strlen(want)), "Set-Cookie: %s", cookie);
    free(out);
    free(hdr);
    snprintf(h, sizeof h, "Cookie: dm_token=%s", ana);
    ASSERT_EQ(req("GET", "/api/me", h, NULL, NULL, &out, NULL), 200);
    free(out);
    snprintf(h, sizeof h, "Cookie: __Host-dm_token=%s", ana);
    ASSERT_EQ(req("GET", "/api/me", h, NULL, NULL, &out, NULL), 401);
    free(out);
    srvtest_stop_server();
}

/* Point the database's risk map at path (written beside the server). */
static void set_risk_map(const char *path)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("t.gpkg"), 0, &s));
    ASSERT_OK(dm_store_meta_set(s, "risk_map", path));
    dm_store_close(s);
}

TEST(server_public_route_does_not_name_the_servers_files)
{
    /* The public route reads the risk map: when it cannot (the file gone,
     * not a raster), anyone asking was told where the server keeps it
     * ("the risk map /srv/.../risk.tif is missing"). The public now gets
     * general words; the reason goes to the server's log, and staff still
     * read it in the answer. */
    srvtest_setup_db();
    char missing[600], broken[600];
    snprintf(missing, sizeof missing, "%s", dmtest_path("secret-dir-4711/risk.tif"));
    snprintf(broken, sizeof broken, "%s", dmtest_path("secret-file-4712.tif"));
    dmtest_write_file(broken, "not a raster at all");
    set_risk_map(missing);
    srvtest_start_server();
    const char *q = "/api/public/route?from=46.95,39.95&to=46.96,39.95";
    char *out = NULL, ana[65];
    int code = srvtest_req("GET", q, NULL, NULL, NULL, &out, NULL);
    ASSERT_MSG(code == 404, "%d %s", code, out);
    ASSERT_NOT_CONTAINS(out, "secret-dir-4711");
    ASSERT_NOT_CONTAINS(out, "risk.tif");
    ASSERT_CONTAINS(out, "no risk map yet");
    free(out);
    /* staff read the reason */
    srvtest_login("ana", "analystpw1", ana);
    ASSERT_EQ(srvtest_req("GET", "/api/route?from=46.95,39.95&to=46.96,39.95", ana, NULL, NULL, &out, NULL), 404);
    ASSERT_CONTAINS(out, "secret-dir-4711");
    free(out);
    srvtest_stop_server();
    char *log = dmtest_read_file(dmtest_path("srv.log"));
    ASSERT_CONTAINS(log, "secret-dir-4711/risk.tif is missing");
    free(log);
    /* a file that is no raster: the library's words name it */
    set_risk_map(broken);
    srvtest_start_server();
    code = srvtest_req("GET", q, NULL, NULL, NULL, &out, NULL);
    ASSERT_MSG(code >= 400, "%d %s", code, out);
    ASSERT_NOT_CONTAINS(out, "secret-file-4712");
    ASSERT_NOT_CONTAINS(out, dmtest_path(""));
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/api/public/route?from=46.95,39.95&to=46.96,39.95", NULL, NULL, NULL, &out, NULL) >= 400,
              1);
    free(out);
    srvtest_stop_server();
    log = dmtest_read_file(dmtest_path("srv.log"));
    ASSERT_CONTAINS(log, "secret-file-4712");
    free(log);
}

TEST(server_user_of_no_valid_role_gets_no_session)
{
    /* A role in the users table that is none of admin, analyst, field (the
     * table edited by hand: "administrator", "public", "") was read as the
     * public's, yet the session counted as a login: statistics, risk and
     * tiles, which ask for a login only, were open to it. Such a user now
     * gets no session, and a session it holds is no longer one. */
    srvtest_setup_db();
    srvtest_start_server();
    static const char *roles[] = {"administrator", "public", ""};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        char tok[65], *out = NULL;
        ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"UPDATE users SET role = 'field' WHERE name = 'fld'\""), 0);
        free(out);
        srvtest_login("fld", "fieldpw12", tok); /* not used yet: no worker has it cached */
        ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"UPDATE users SET role = '%s' WHERE name = 'fld'\"", roles[i]),
                  0);
        free(out);
        int code = srvtest_req("GET", "/api/stats", tok, NULL, NULL, &out, NULL);
        ASSERT_MSG(code == 401, "role '%s': %d %s", roles[i], code, out);
        free(out);
        code = srvtest_req("GET", "/api/me", tok, NULL, NULL, &out, NULL);
        ASSERT_MSG(code == 401, "role '%s': %d %s", roles[i], code, out);
        free(out);
        code = srvtest_req("POST", "/api/login", NULL, NULL, "{\"user\":\"fld\",\"password\":\"fieldpw12\"}", &out,
                           NULL);
        ASSERT_MSG(code == 401, "role '%s': login %d %s", roles[i], code, out);
        ASSERT_NOT_CONTAINS(out, "\"token\":");
        free(out);
    }
    /* a role written in another case is still that role */
    char tok[65], *out = NULL;
    ASSERT_EQ(dmtest_sh(&out, "sqlite3 t.gpkg \"UPDATE users SET role = 'Analyst' WHERE name = 'ana'\""), 0);
    free(out);
    srvtest_login("ana", "analystpw1", tok);
    ASSERT_EQ(srvtest_req("GET", "/api/me", tok, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "\"role\":\"analyst\"");
    free(out);
    srvtest_stop_server();
}

/* Guessing a user's password from one address locks out that address,
 * not the user: an admin logs in from its own address while another is
 * refused. Guesses spread over many addresses are capped by the name:
 * DM_AUTH_MAX_NAME_FAILS of them lock the name out everywhere for the
 * window, and a right password (before that) forgets the name's count. */
TEST(security_failed_logins_lock_the_address_not_the_user)
{
    dm_store *s = NULL;
    ASSERT_OK(dm_store_open(dmtest_ctx(), dmtest_path("a.gpkg"), DM_STORE_CREATE, &s));
    ASSERT_OK(dm_auth_init(s));
    ASSERT_OK(dm_auth_user_add(s, "adm", "adminpw123", DM_ROLE_ADMIN, NULL));
    char tok[DM_TOKEN_HEX + 1];
    dm_user who;
    long retry = 0;
    for (int i = 0; i < DM_AUTH_MAX_FAILS; i++)
        ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "adm", "guess", "203.0.113.9", 60, tok, &who, &retry));
    /* the guessing address: refused, even the right password */
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "adm", "adminpw123", "203.0.113.9", 60, tok, &who, &retry));
    ASSERT(retry > 0 && retry <= DM_AUTH_WINDOW_S);
    ASSERT_CONTAINS(dmtest_ctx_msg(), "too many failed logins");
    /* the admin, from its own address: in */
    ASSERT_OK(dm_auth_login(s, "adm", "adminpw123", "10.0.0.1", 60, tok, &who, &retry));
    ASSERT_EQ(who.role, DM_ROLE_ADMIN);
    /* guesses from many addresses, each under its own limit: the name is
     * locked once they reach the name's limit */
    int per = DM_AUTH_MAX_FAILS - 1, n = 0;
    for (int a = 0; n < DM_AUTH_MAX_NAME_FAILS; a++) {
        char ip[32];
        snprintf(ip, sizeof ip, "198.51.100.%d", a + 1);
        for (int i = 0; i < per && n < DM_AUTH_MAX_NAME_FAILS; i++, n++)
            ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "adm", "guess", ip, 60, tok, &who, &retry));
    }
    retry = 0;
    ASSERT_STATUS(DM_EFORBIDDEN, dm_auth_login(s, "adm", "adminpw123", "10.0.0.1", 60, tok, &who, &retry));
    ASSERT(retry > 0 && retry <= DM_AUTH_WINDOW_S);
    /* another user is not concerned */
    ASSERT_OK(dm_auth_user_add(s, "ana", "analystpw1", DM_ROLE_ANALYST, NULL));
    ASSERT_OK(dm_auth_login(s, "ana", "analystpw1", "10.0.0.1", 60, tok, &who, &retry));
    dm_store_close(s);
}
