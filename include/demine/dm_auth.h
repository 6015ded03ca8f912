/* SPDX-License-Identifier: MIT
 *
 * dm_auth.h -- users, roles and session tokens kept in the database, and the
 * durable store settings a multi-user server needs.
 *
 * Passwords are hashed with Argon2id (libsodium); session tokens are 32
 * random bytes shown once as hex, of which only a hash is stored. Failed
 * logins are counted per user name and per client to rate-limit guessing.
 * Every user change is written to the change log under the context's author.
 */
#ifndef DM_AUTH_H
#define DM_AUTH_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_role {
    DM_ROLE_PUBLIC = 0,  /* no login: the public danger map only */
    DM_ROLE_FIELD = 1,   /* submits field reports, reads its organisation's drafts */
    DM_ROLE_ANALYST = 2, /* reads everything, approves or rejects reports */
    DM_ROLE_ADMIN = 3    /* everything, users included */
} dm_role;

#define DM_TOKEN_HEX 64 /* characters in a session token */

typedef struct dm_user {
    char name[64];
    dm_role role;
    char organisation[128];
    char expires[21]; /* session expiry (dm_auth_check / dm_auth_login), else "" */
} dm_user;

/* "public", "field", "analyst", "admin". */
DM_API const char *dm_role_name(dm_role r);
/* Parse a role name; returns 1 on success. */
DM_API int dm_role_parse(const char *s, dm_role *out);

/* Switch the connection to WAL journaling with synchronous=FULL, so that a
 * commit is on disk before it returns (call once per open store, outside
 * any transaction). Errors: DM_ESQL, DM_EBUSY. */
DM_API dm_status dm_store_durable(dm_store *s);

/* Create the tables users, sessions and login_attempts when missing and
 * register them in gpkg_contents. Idempotent. */
DM_API dm_status dm_auth_init(dm_store *s);

/* User management. Names are 1-63 characters of [A-Za-z0-9_.@-]; passwords
 * at least 8 characters; an organisation (needed for the field role) must be
 * the name of a row of the organisations layer. Errors: DM_EINVAL (bad name,
 * role or password), DM_ECONFLICT (name taken), DM_ENOTFOUND (no such user,
 * or an organisation not in the organisations layer: nothing is written). */
DM_API dm_status dm_auth_user_add(dm_store *s, const char *name, const char *password,
                                  dm_role role, const char *organisation);
DM_API dm_status dm_auth_user_del(dm_store *s, const char *name);
DM_API dm_status dm_auth_user_passwd(dm_store *s, const char *name, const char *password);
/* DM_OK when the user exists; DM_ENOTFOUND naming it if not. */
DM_API dm_status dm_auth_user_exists(dm_store *s, const char *name);
/* JSON array of {name, role, organisation, created}; free with dm_free. */
DM_API dm_status dm_auth_user_list_json(dm_store *s, char **json);

/* Check a password and open a session of ttl_s seconds. `client` names the
 * caller for rate limiting (an IP address; may be NULL). On success fills
 * token (DM_TOKEN_HEX + 1 bytes) and *who. Wrong name or password:
 * DM_EFORBIDDEN. Too many recent failures for this name or client:
 * DM_EFORBIDDEN with *retry_after_s > 0 (no password is checked then). A
 * user whose stored role is none of admin, analyst, field (a hand edit):
 * DM_EFORBIDDEN, no session. A user keeps at most DM_AUTH_MAX_SESSIONS
 * sessions: a new one ends the oldest beyond. */
DM_API dm_status dm_auth_login(dm_store *s, const char *name, const char *password,
                               const char *client, long ttl_s, char *token, dm_user *who,
                               long *retry_after_s);
/* The user of a live session. Unknown or expired token, or a user whose
 * role is none of admin, analyst, field: DM_EFORBIDDEN. */
DM_API dm_status dm_auth_check(dm_store *s, const char *token, dm_user *who);
/* End a session (unknown tokens are ignored). */
DM_API dm_status dm_auth_logout(dm_store *s, const char *token);

/* Rate-limit policy: at most DM_AUTH_MAX_FAILS failures per client within
 * DM_AUTH_WINDOW_S seconds, and DM_AUTH_MAX_NAME_FAILS per user name from
 * all clients together (DM_AUTH_MAX_FAILS when the client is not known):
 * one address guessing a name locks out that address, not the user, who
 * logs in from another; a guess spread over many addresses is still
 * capped by name. */
#define DM_AUTH_MAX_FAILS 5
#define DM_AUTH_MAX_NAME_FAILS 25
#define DM_AUTH_WINDOW_S 300
/* Sessions one user holds at most: a login beyond ends the oldest. */
#define DM_AUTH_MAX_SESSIONS 20

#ifdef __cplusplus
}
#endif
#endif /* DM_AUTH_H */
