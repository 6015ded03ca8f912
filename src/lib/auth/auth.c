/* SPDX-License-Identifier: MIT
 *
 * auth.c -- users (Argon2id password hashes; an organisation given must be
 * a row of the organisations layer), session tokens (only their BLAKE2b
 * hash is stored), login rate limiting, and the WAL/synchronous=FULL
 * settings of server connections. The tables live in the same GeoPackage as
 * the data, as plain SQLite tables (not in gpkg_contents).
 */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *role_names[] = {"public", "field", "analyst", "admin"};

const char *dm_role_name(dm_role r)
{
    return (r >= DM_ROLE_PUBLIC && r <= DM_ROLE_ADMIN) ? role_names[r] : "public";
}

int dm_role_parse(const char *s, dm_role *out)
{
    for (int i = 0; s && i < 4; i++)
        if (!dm__strcasecmp(s, role_names[i])) {
            *out = (dm_role)i;
            return 1;
        }
    return 0;
}

dm_status dm_store_durable(dm_store *s)
{
    if (s->flags & DM_STORE_READONLY)
        return DM_OK;
    return dm__sql_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
}

static const char *auth_sql =
    "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY NOT NULL, uuid TEXT NOT NULL, "
    "pwhash TEXT NOT NULL, role TEXT NOT NULL, organisation TEXT, created DATETIME NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY NOT NULL, user TEXT NOT "
    "NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);"
    "CREATE TABLE IF NOT EXISTS login_attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT "
    "NOT NULL, time INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS login_attempts_key ON login_attempts(key, time);"
    /* not GeoPackage layers: whoever opens the file in QGIS or GDAL does not
     * see the password and token hashes (older databases listed them) */
    "DELETE FROM gpkg_contents WHERE table_name IN ('users', 'sessions', 'login_attempts');";

dm_status dm_auth_init(dm_store *s)
{
    if (sodium_init() < 0)
        return dm__fail(s->ctx, DM_EINTERNAL, "libsodium failed to initialise");
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    st = dm__sql_exec(s, auth_sql);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

static int valid_name(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > 63)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '@' || c == '-'))
            return 0;
    }
    return 1;
}

/* At least 8 characters besides white space at either end: a password of
 * spaces only (or "   ab   ") is refused. The password is kept as given. */
static dm_status check_password(dm_ctx *ctx, const char *pw)
{
    if (!pw || !*pw)
        return dm__fail(ctx, DM_EINVAL, "password: at least 8 characters needed");
    if (strlen(pw) > 1024)
        return dm__fail(ctx, DM_EINVAL, "password: longer than 1024 characters");
    const char *a = pw, *e = pw + strlen(pw);
    while (a < e && (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n' || *a == '\v' ||
                     *a == '\f'))
        a++;
    while (e > a && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
                     e[-1] == '\v' || e[-1] == '\f'))
        e--;
    if (a == e)
        return dm__fail(ctx, DM_EINVAL, "password: white space only; at least 8 other characters "
                                        "needed");
    if (e - a < 8)
        return dm__fail(ctx, DM_EINVAL,
                        "password: at least 8 characters needed (%d without the white space at "
                        "either end)",
                        (int)(e - a));
    return DM_OK;
}

static dm_status hash_password(dm_ctx *ctx, const char *pw, char out[crypto_pwhash_STRBYTES])
{
    if (sodium_init() < 0)
        return dm__fail(ctx, DM_EINTERNAL, "libsodium failed to initialise");
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return dm__fail(ctx, DM_ENOMEM, "password hashing ran out of memory");
    return DM_OK;
}

static void user_json(dm_buf *b, const char *name, const char *role, const char *org)
{
    dm__buf_puts(b, "{\"name\":");
    dm__buf_json_str(b, name);
    if (role) {
        dm__buf_puts(b, ",\"role\":");
        dm__buf_json_str(b, role);
    }
    if (org) {
        dm__buf_puts(b, ",\"organisation\":");
        dm__buf_json_str(b, org);
    }
    dm__buf_puts(b, "}");
}

/* Run one prepared statement with text bindings; returns the sqlite code of
 * the first step. */
static int step_texts(dm_store *s, const char *sql, int n, const char *const *v,
                      sqlite3_stmt **keep)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    for (int i = 0; i < n; i++)
        if (v[i])
            sqlite3_bind_text(q, i + 1, v[i], -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    if (keep && rc == SQLITE_ROW)
        *keep = q;
    else
        sqlite3_finalize(q);
    return rc;
}

static dm_status find_user(dm_store *s, const char *name, char uuid[37], char *role, size_t rl,
                           char *org, size_t ol)
{
    sqlite3_stmt *q = NULL;
    const char *v[1] = {name};
    int rc = step_texts(s, "SELECT uuid, role, organisation FROM users WHERE name = ?", 1, v, &q);
    if (rc == SQLITE_DONE)
        return dm__fail(s->ctx, DM_ENOTFOUND, "no user '%s'", name);
    if (rc != SQLITE_ROW)
        return dm__sql_fail(s, rc, "users");
    dm__strlcpy(uuid, (const char *)sqlite3_column_text(q, 0), 37);
    if (role)
        dm__strlcpy(role, (const char *)sqlite3_column_text(q, 1), rl);
    if (org) {
        const char *o = (const char *)sqlite3_column_text(q, 2);
        dm__strlcpy(org, o ? o : "", ol);
    }
    sqlite3_finalize(q);
    return DM_OK;
}

/* DM_OK when the organisation is a row of the organisations layer (by exact
 * name); otherwise DM_ENOTFOUND naming it, with a near miss (other case) and
 * the names there are. */
static dm_status check_organisation(dm_store *s, const char *org)
{
    sqlite3_stmt *q = NULL;
    const char *v[1] = {org};
    int rc = step_texts(s, "SELECT 1 FROM organisations WHERE name = ?", 1, v, NULL);
    if (rc == SQLITE_ROW)
        return DM_OK;
    if (rc != SQLITE_DONE)
        return dm__sql_fail(s, rc, "organisations");
    dm_buf b;
    dm__buf_init(&b);
    rc = step_texts(s, "SELECT name FROM organisations WHERE name = ? COLLATE NOCASE", 1, v, &q);
    if (rc == SQLITE_ROW) {
        dm__buf_puts(&b, " (did you mean '");
        dm__buf_puts(&b, (const char *)sqlite3_column_text(q, 0));
        dm__buf_puts(&b, "'?)");
        sqlite3_finalize(q);
        q = NULL;
    }
    long n = 0;
    rc = sqlite3_prepare_v2(s->db, "SELECT name FROM organisations ORDER BY name", -1, &q, NULL);
    while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (!name)
            continue;
        if (n < 10) {
            dm__buf_puts(&b, n ? ", " : "; it has: ");
            dm__buf_puts(&b, name);
        }
        n++;
    }
    sqlite3_finalize(q);
    if (n > 10)
        dm__buf_printf(&b, " and %ld more", n - 10);
    if (!n)
        dm__buf_puts(&b, "; it has none yet");
    dm_status st = dm__fail(s->ctx, DM_ENOTFOUND,
                            "organisation '%s': not in the organisations layer of %s%s", org,
                            s->path ? s->path : "the database", b.oom ? "" : b.data ? b.data : "");
    dm__buf_free(&b);
    return st;
}

dm_status dm_auth_user_add(dm_store *s, const char *name, const char *password, dm_role role,
                           const char *organisation)
{
    dm_ctx *ctx = s->ctx;
    if (!valid_name(name))
        return dm__fail(ctx, DM_EINVAL,
                        "user name '%s': 1-63 characters of letters, digits, _ . @ -",
                        name ? name : "");
    if (role == DM_ROLE_PUBLIC || role > DM_ROLE_ADMIN)
        return dm__fail(ctx, DM_EINVAL, "role: must be admin, analyst or field");
    if (role == DM_ROLE_FIELD && (!organisation || !*organisation))
        return dm__fail(ctx, DM_EINVAL, "a field user needs an organisation");
    dm_status st = check_password(ctx, password);
    if (st)
        return st;
    if (organisation && *organisation && (st = check_organisation(s, organisation)))
        return st;
    char hash[crypto_pwhash_STRBYTES];
    if ((st = hash_password(ctx, password, hash)))
        return st;
    char uuid[37], now[25];
    dm_uuid_new(uuid);
    dm__now_gpkg(now);
    if ((st = dm_store_begin(s)))
        return st;
    const char *v[6] = {name, uuid, hash, dm_role_name(role),
                        organisation && *organisation ? organisation : NULL, now};
    int rc = step_texts(s,
                        "INSERT INTO users (name, uuid, pwhash, role, organisation, created) "
                        "VALUES (?,?,?,?,?,?)",
                        6, v, NULL);
    if (rc != SQLITE_DONE) {
        st = (rc & 0xff) == SQLITE_CONSTRAINT
                 ? dm__fail(ctx, DM_ECONFLICT, "user '%s' already exists", name)
                 : dm__sql_fail(s, rc, "users");
        dm_store_rollback(s);
        return st;
    }
    dm_buf b;
    dm__buf_init(&b);
    user_json(&b, name, dm_role_name(role), organisation);
    st = b.oom ? dm__fail(ctx, DM_ENOMEM, "out of memory")
               : dm__store_log(s, "users", uuid, "insert", NULL, b.data, "user added");
    dm__buf_free(&b);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

dm_status dm_auth_user_del(dm_store *s, const char *name)
{
    char uuid[37], role[32], org[128];
    dm_status st = find_user(s, name, uuid, role, sizeof role, org, sizeof org);
    if (st)
        return st;
    if ((st = dm_store_begin(s)))
        return st;
    const char *v[1] = {name};
    int rc = step_texts(s, "DELETE FROM users WHERE name = ?", 1, v, NULL);
    if (rc == SQLITE_DONE)
        rc = step_texts(s, "DELETE FROM sessions WHERE user = ?", 1, v, NULL);
    if (rc != SQLITE_DONE) {
        st = dm__sql_fail(s, rc, "users");
        dm_store_rollback(s);
        return st;
    }
    dm_buf b;
    dm__buf_init(&b);
    user_json(&b, name, role, org);
    st = b.oom ? dm__fail(s->ctx, DM_ENOMEM, "out of memory")
               : dm__store_log(s, "users", uuid, "delete", b.data, NULL, "user deleted");
    dm__buf_free(&b);
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

dm_status dm_auth_user_exists(dm_store *s, const char *name)
{
    char uuid[37];
    return find_user(s, name, uuid, NULL, 0, NULL, 0);
}

dm_status dm_auth_user_passwd(dm_store *s, const char *name, const char *password)
{
    char uuid[37];
    dm_status st = find_user(s, name, uuid, NULL, 0, NULL, 0);
    if (st)
        return st;
    if ((st = check_password(s->ctx, password)))
        return st;
    char hash[crypto_pwhash_STRBYTES];
    if ((st = hash_password(s->ctx, password, hash)))
        return st;
    if ((st = dm_store_begin(s)))
        return st;
    const char *v[2] = {hash, name};
    int rc = step_texts(s, "UPDATE users SET pwhash = ? WHERE name = ?", 2, v, NULL);
    /* A new password ends every open session of the user. */
    if (rc == SQLITE_DONE)
        rc = step_texts(s, "DELETE FROM sessions WHERE user = ?", 1, v + 1, NULL);
    if (rc != SQLITE_DONE) {
        st = dm__sql_fail(s, rc, "users");
        dm_store_rollback(s);
        return st;
    }
    st = dm__store_log(s, "users", uuid, "update", NULL, "{\"password\":\"(changed)\"}",
                       "password changed");
    if (st) {
        dm_store_rollback(s);
        return st;
    }
    return dm_store_commit(s);
}

dm_status dm_auth_user_list_json(dm_store *s, char **json)
{
    *json = NULL;
    sqlite3_stmt *q = NULL;
    /* a database no user was ever added to has no users table (a read-only
     * listing does not make one): none */
    if (sqlite3_table_column_metadata(s->db, NULL, "users", "name", NULL, NULL, NULL, NULL, NULL) != SQLITE_OK) {
        *json = dm_malloc(s->ctx, 3);
        if (!*json)
            return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
        memcpy(*json, "[]", 3);
        return DM_OK;
    }
    dm_status st =
        dm__sql_prepare(s, "SELECT name, role, organisation, created FROM users ORDER BY name", &q);
    if (st)
        return st;
    dm_buf b;
    dm__buf_init(&b);
    dm__buf_puts(&b, "[");
    int rc, n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        dm__buf_puts(&b, n++ ? ",{\"name\":" : "{\"name\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 0));
        dm__buf_puts(&b, ",\"role\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 1));
        dm__buf_puts(&b, ",\"organisation\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 2));
        dm__buf_puts(&b, ",\"created\":");
        dm__buf_json_str(&b, (const char *)sqlite3_column_text(q, 3));
        dm__buf_puts(&b, "}");
    }
    sqlite3_finalize(q);
    dm__buf_puts(&b, "]");
    if (rc != SQLITE_DONE) {
        dm__buf_free(&b);
        return dm__sql_fail(s, rc, "users");
    }
    if (b.oom) {
        dm__buf_free(&b);
        return dm__fail(s->ctx, DM_ENOMEM, "out of memory");
    }
    *json = dm_strdup(s->ctx, b.data);
    dm__buf_free(&b);
    return *json ? DM_OK : dm__fail(s->ctx, DM_ENOMEM, "out of memory");
}

/* ================================ sessions ================================ */

static void token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void iso_of(long long t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Failures for key within the window; -1 on SQL error. */
static long recent_fails(dm_store *s, const char *key, long long now, long long *oldest)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT count(*), min(time) FROM login_attempts WHERE key = ? AND "
                           "time > ?",
                           -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, now - DM_AUTH_WINDOW_S);
    long n = -1;
    if (sqlite3_step(q) == SQLITE_ROW) {
        n = (long)sqlite3_column_int64(q, 0);
        *oldest = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    return n;
}

/* Count an attempt for key before its password is checked (so that
 * attempts made at the same time cannot all pass the limit); its rowid in
 * *id, to forget it when the password was right. 0 on success. */
static int record_attempt(dm_store *s, const char *key, long long now, sqlite3_int64 *id)
{
    sqlite3_stmt *q = NULL;
    /* forget failures older than the window so the table stays small */
    if (sqlite3_prepare_v2(s->db, "DELETE FROM login_attempts WHERE time <= ?", -1, &q, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_int64(q, 1, now - DM_AUTH_WINDOW_S);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return -1;
    q = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO login_attempts (key, time) VALUES (?, ?)", -1, &q,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, now);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

dm_status dm_auth_login(dm_store *s, const char *name, const char *password, const char *client,
                        long ttl_s, char *token, dm_user *who, long *retry_after_s)
{
    dm_ctx *ctx = s->ctx;
    *retry_after_s = 0;
    token[0] = '\0';
    memset(who, 0, sizeof *who);
    if (sodium_init() < 0)
        return dm__fail(ctx, DM_EINTERNAL, "libsodium failed to initialise");
    if (!name || !password || !valid_name(name) || strlen(password) > 1024)
        return dm__fail(ctx, DM_EFORBIDDEN, "wrong user name or password");
    long long now = (long long)time(NULL);
    char keys[2][160];
    snprintf(keys[0], sizeof keys[0], "user:%s", name);
    snprintf(keys[1], sizeof keys[1], "client:%.140s", client ? client : "");
    int nkeys = client && *client ? 2 : 1;
    /* Check the limit and count this attempt in one write transaction, before
     * the (slow) password check: attempts made at the same time are
     * serialised here, and no more than DM_AUTH_MAX_FAILS of them are let
     * through to the check. A right password forgets its attempt. */
    sqlite3_int64 ids[2] = {0, 0};
    dm_status st = dm_store_begin(s);
    if (st)
        return st;
    for (int k = 0; k < nkeys; k++) {
        long long oldest = now;
        long n = recent_fails(s, keys[k], now, &oldest);
        if (n < 0) {
            st = dm__sql_fail(s, SQLITE_ERROR, "login attempts");
            dm_store_rollback(s);
            return st;
        }
        /* the name's limit counts every client's failures: higher, so
         * that one client's guesses do not lock its user out everywhere */
        long max = k == 0 && nkeys == 2 ? DM_AUTH_MAX_NAME_FAILS : DM_AUTH_MAX_FAILS;
        if (n >= max) {
            dm_store_rollback(s);
            long wait = (long)(oldest + DM_AUTH_WINDOW_S - now);
            *retry_after_s = wait > 0 ? wait : 1;
            return dm__fail(ctx, DM_EFORBIDDEN,
                            "too many failed logins; try again in %ld seconds", *retry_after_s);
        }
    }
    for (int k = 0; k < nkeys; k++)
        if (record_attempt(s, keys[k], now, &ids[k])) {
            st = dm__sql_fail(s, SQLITE_ERROR, "login attempts");
            dm_store_rollback(s);
            return st;
        }
    if ((st = dm_store_commit(s)))
        return st;
    sqlite3_stmt *q = NULL;
    const char *v[1] = {name};
    int rc =
        step_texts(s, "SELECT pwhash, role, organisation FROM users WHERE name = ?", 1, v, &q);
    int ok = 0;
    if (rc == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(q, 0);
        ok = hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
        dm_role role = DM_ROLE_PUBLIC;
        /* a role that is none of the three (a users table edited by hand:
         * "administrator", "") opens no session: it would have been a
         * logged-in user of no role, let through every check that asks for
         * a login only (statistics, risk, tiles) */
        if (!dm_role_parse((const char *)sqlite3_column_text(q, 1), &role) ||
            role == DM_ROLE_PUBLIC)
            ok = 0;
        const char *org = (const char *)sqlite3_column_text(q, 2);
        dm__strlcpy(who->name, name, sizeof who->name);
        who->role = role;
        dm__strlcpy(who->organisation, org ? org : "", sizeof who->organisation);
        sqlite3_finalize(q);
    } else if (rc != SQLITE_DONE) {
        return dm__sql_fail(s, rc, "users");
    } else {
        /* Spend the same time on unknown names as on wrong passwords. */
        char dummy[crypto_pwhash_STRBYTES];
        hash_password(ctx, password, dummy);
    }
    if (!ok) {
        memset(who, 0, sizeof *who);
        return dm__fail(ctx, DM_EFORBIDDEN, "wrong user name or password");
    }
    if ((st = dm_store_begin(s)))
        return st;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, DM_TOKEN_HEX + 1, raw, sizeof raw);
    char th[65];
    token_hash(token, th);
    if (ttl_s <= 0)
        ttl_s = 8 * 3600;
    long long exp = now + ttl_s;
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT INTO sessions (token_hash, user, created, expires) VALUES "
                            "(?,?,?,?)",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, th, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, now);
        sqlite3_bind_int64(q, 4, exp);
        rc = sqlite3_step(q);
        sqlite3_finalize(q);
    }
    if (rc == SQLITE_DONE) {
        /* Forget the failures of this name, this attempt from the client,
         * and expired sessions. */
        const char *kv[1] = {keys[0]};
        step_texts(s, "DELETE FROM login_attempts WHERE key = ?", 1, kv, NULL);
        if (ids[1] && sqlite3_prepare_v2(s->db, "DELETE FROM login_attempts WHERE id = ?", -1,
                                         &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, ids[1]);
            sqlite3_step(q);
            sqlite3_finalize(q);
        }
        char cut[32];
        snprintf(cut, sizeof cut, "%lld", now);
        const char *cv[1] = {cut};
        step_texts(s, "DELETE FROM sessions WHERE expires < CAST(? AS INTEGER)", 1, cv, NULL);
        /* at most DM_AUTH_MAX_SESSIONS of the user's: the oldest go (a
         * script logging in at every run, never out, kept every session
         * until it expired) */
        rc = sqlite3_prepare_v2(s->db,
                                "DELETE FROM sessions WHERE user = ?1 AND rowid NOT IN (SELECT rowid "
                                "FROM sessions WHERE user = ?1 ORDER BY created DESC, rowid DESC "
                                "LIMIT ?2)",
                                -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(q, 2, DM_AUTH_MAX_SESSIONS);
            rc = sqlite3_step(q);
            sqlite3_finalize(q);
        }
    }
    if (rc != SQLITE_DONE) {
        st = dm__sql_fail(s, rc, "sessions");
        dm_store_rollback(s);
        token[0] = '\0';
        return st;
    }
    iso_of(exp, who->expires);
    return dm_store_commit(s);
}

dm_status dm_auth_check(dm_store *s, const char *token, dm_user *who)
{
    memset(who, 0, sizeof *who);
    if (!token || strlen(token) != DM_TOKEN_HEX)
        return dm__fail(s->ctx, DM_EFORBIDDEN, "not logged in (no valid session token)");
    char th[65];
    token_hash(token, th);
    sqlite3_stmt *q = NULL;
    const char *v[1] = {th};
    int rc = step_texts(s,
                        "SELECT u.name, u.role, u.organisation, s.expires FROM sessions s JOIN "
                        "users u ON u.name = s.user WHERE s.token_hash = ?",
                        1, v, &q);
    if (rc == SQLITE_DONE)
        return dm__fail(s->ctx, DM_EFORBIDDEN, "unknown or expired session token");
    if (rc != SQLITE_ROW)
        return dm__sql_fail(s, rc, "sessions");
    long long exp = sqlite3_column_int64(q, 3);
    if (exp < (long long)time(NULL)) {
        sqlite3_finalize(q);
        return dm__fail(s->ctx, DM_EFORBIDDEN, "session expired; log in again");
    }
    dm__strlcpy(who->name, (const char *)sqlite3_column_text(q, 0), sizeof who->name);
    if (!dm_role_parse((const char *)sqlite3_column_text(q, 1), &who->role) ||
        who->role == DM_ROLE_PUBLIC) {
        /* no role of a user (dm_auth_login): no session */
        sqlite3_finalize(q);
        memset(who, 0, sizeof *who);
        return dm__fail(s->ctx, DM_EFORBIDDEN, "the user of this session has no valid role");
    }
    const char *org = (const char *)sqlite3_column_text(q, 2);
    dm__strlcpy(who->organisation, org ? org : "", sizeof who->organisation);
    iso_of(exp, who->expires);
    sqlite3_finalize(q);
    return DM_OK;
}

dm_status dm_auth_logout(dm_store *s, const char *token)
{
    if (!token || strlen(token) != DM_TOKEN_HEX)
        return DM_OK;
    char th[65];
    token_hash(token, th);
    const char *v[1] = {th};
    int rc = step_texts(s, "DELETE FROM sessions WHERE token_hash = ?", 1, v, NULL);
    return rc == SQLITE_DONE ? DM_OK : dm__sql_fail(s, rc, "sessions");
}
