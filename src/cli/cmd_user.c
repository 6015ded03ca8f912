/* SPDX-License-Identifier: MIT
 *
 * cmd_user.c -- `demine user add|del|passwd|list DB ...`: the people who may
 * log in to `demine serve`, their roles and organisations (which must be
 * rows of the organisations layer).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *help =
    "usage: demine user add DB NAME --role ROLE [--org ORGANISATION] [PASSWORD SOURCE]\n"
    "       demine user passwd DB NAME [PASSWORD SOURCE]\n"
    "       demine user del DB NAME\n"
    "       demine user list DB [--json]\n\n"
    "Manage the users of `demine serve`. Roles: admin (everything), analyst\n"
    "(reads everything, approves field reports), field (submits reports, reads\n"
    "its organisation's drafts; needs --org). The public needs no account.\n"
    "--org names a row of the organisations layer, exactly: see them with\n"
    "`demine list DB --layer organisations`, add one with `demine import DB\n"
    "--layer organisations FILE` (e.g. a CSV with a name column).\n"
    "Passwords (8+ characters) are stored as Argon2id hashes.\n\n"
    "PASSWORD SOURCE, one of:\n"
    "  --password-stdin   read the password from the first line of stdin (default;\n"
    "                     at a terminal it is asked for twice and not shown)\n"
    "  --password-env VAR read it from the environment variable VAR\n\n"
    "Every change is written to the change log under the author: `demine --author\n"
    "NAME user ...`, else $DEMINE_AUTHOR, else $USER.\n";

/* One line typed at the terminal on stdin, not shown (echo off while it is
 * read). 0 on success. */
static int read_hidden(const char *prompt, char *out, size_t n)
{
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    struct termios old, quiet;
    int restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSADRAIN, &quiet);
    }
    char *got = fgets(out, (int)n, stdin);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &old);
    if (!got)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int read_password(const char *cmd, const char *env, const char *name, char *out, size_t n)
{
    if (env) {
        const char *v = getenv(env);
        if (!v)
            return cli_usage_error(cmd, "environment variable %s is not set", env);
        if (strlen(v) >= n)
            return cli_usage_error(cmd, "password too long");
        snprintf(out, n, "%s", v);
        return 0;
    }
    if (isatty(STDIN_FILENO)) {
        /* typed: not shown, and asked twice (a typo would lock the user out) */
        char prompt[160], again[1100];
        snprintf(prompt, sizeof prompt, "password for %.63s (8+ characters): ", name ? name : "");
        if (read_hidden(prompt, out, n))
            return cli_usage_error(cmd, "no password typed");
        int rc = read_hidden("the same password again: ", again, sizeof again);
        int same = !rc && !strcmp(out, again);
        memset(again, 0, sizeof again);
        if (!same)
            return cli_usage_error(cmd, "the two passwords differ; nothing was changed");
        return 0;
    }
    if (!fgets(out, (int)n, stdin))
        return cli_usage_error(cmd, "no password on stdin");
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* Report a failed user command; an unknown organisation on `add` says where
 * the organisations are and how to add one. */
static int user_fail(dm_ctx *ctx, dm_status st, const char *sub, const char *db, const char *org)
{
    int rc = cli_fail(ctx, "user", st);
    if (st == DM_ENOTFOUND && org && !strcmp(sub, "add"))
        fprintf(stderr,
                "  nothing was changed; see the organisations with `demine list %s --layer "
                "organisations`,\n  add one with `demine import %s --layer organisations "
                "FILE` (e.g. a CSV with a name column)\n",
                db, db);
    else if (st == DM_EINVAL && !strcmp(sub, "add") && (!org || !*org) &&
             strstr(dm_ctx_errmsg(ctx), "needs an organisation"))
        fprintf(stderr, "  give it with --org NAME (one of `demine list %s --layer organisations`): a field "
                        "user sends the reports of that organisation and sees only its drafts\n",
                db);
    return rc;
}

static int run_user(dm_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1]))
        return argc < 2 ? cli_usage_error("user", "expected add, del, passwd or list")
                        : cli_help(help);
    const char *sub = argv[1], *db = NULL, *name = NULL, *role = NULL, *org = NULL,
               *env = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help(help);
        if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "--password-stdin"))
            env = NULL;
        else if (i + 1 < argc && !strcmp(a, "--password-env"))
            env = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "--role"))
            role = argv[++i];
        else if (i + 1 < argc && (!strcmp(a, "--org") || !strcmp(a, "--organisation")))
            org = argv[++i];
        else if (a[0] == '-')
            return cli_unknown_option_in("user", a, help);
        else if (!db)
            db = a;
        else if (!name)
            name = a;
        else
            return cli_usage_error("user", "unexpected argument '%s'", a);
    }
    if (!db)
        return cli_usage_error("user", "expected the database path");
    int is_list = !strcmp(sub, "list");
    if (!is_list && strcmp(sub, "add") && strcmp(sub, "del") && strcmp(sub, "passwd"))
        return cli_unknown_subcommand("user", sub, (const char *const[]){"add", "del", "passwd", "list", NULL});
    if (!is_list && !name)
        return cli_usage_error("user", "expected a user name");
    dm_role r = DM_ROLE_PUBLIC;
    if (!strcmp(sub, "add") && (!role || !dm_role_parse(role, &r) || r == DM_ROLE_PUBLIC))
        return cli_usage_error("user", "--role: admin, analyst or field");
    /* open the database (and see that the user exists, for passwd) before
     * asking for a password that could not be used */
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "user", db, is_list ? DM_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    /* a listing reads: it neither adds the users table nor upgrades an
     * older database */
    dm_status st = is_list ? DM_OK : dm_auth_init(s);
    if (!st && !strcmp(sub, "passwd"))
        st = dm_auth_user_exists(s, name);
    if (!st && !strcmp(sub, "add")) {
        /* everything but the password checked first, as the real addition
         * will (name, a name taken, the organisation, a field user without
         * one), in a transaction that is rolled back: a password typed twice
         * is not asked for only to be refused for a typo in --org */
        st = dm_store_begin(s);
        if (!st) {
            st = dm_auth_user_add(s, name, "checking-the-name-only", r, org);
            dm_store_rollback(s);
        }
    }
    if (st) {
        rc = user_fail(ctx, st, sub, db, org);
        dm_store_close(s);
        return rc;
    }
    char pw[1100] = "";
    if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
        rc = read_password("user", env, name, pw, sizeof pw);
        if (rc) {
            dm_store_close(s);
            return rc;
        }
    }
    if (!st && !strcmp(sub, "add"))
        st = dm_auth_user_add(s, name, pw, r, org);
    else if (!st && !strcmp(sub, "passwd"))
        st = dm_auth_user_passwd(s, name, pw);
    else if (!st && !strcmp(sub, "del"))
        st = dm_auth_user_del(s, name);
    else if (!st) {
        char *list = NULL;
        st = dm_auth_user_list_json(s, &list);
        if (!st && json)
            printf("%s\n", list);
        else if (!st) {
            /* one line per user: name role organisation */
            const char *p = list;
            if (!strstr(p, "{\"name\":\""))
                printf("no users yet: add one with `demine user add %s NAME --role admin`\n", db);
            while ((p = strstr(p, "{\"name\":\""))) {
                char n[64] = "", ro[16] = "", o[128] = "";
                sscanf(p, "{\"name\":\"%63[^\"]\",\"role\":\"%15[^\"]\"", n, ro);
                const char *op = strstr(p, "\"organisation\":");
                if (op && op[15] == '"')
                    sscanf(op + 16, "%127[^\"]", o);
                printf("%-24s %-8s %s\n", n, ro, o);
                p++;
            }
        }
        dm_free(ctx, list);
    }
    memset(pw, 0, sizeof pw);
    if (st) {
        rc = user_fail(ctx, st, sub, db, org);
        dm_store_close(s);
        return rc;
    }
    if (!is_list)
        printf("%s: %s %s\n", db,
               !strcmp(sub, "add") ? "added" : !strcmp(sub, "del") ? "deleted" : "new password for",
               name);
    /* the last admin gone: nobody can manage users or delete rows on the
     * web map until one is added here */
    char *list = NULL;
    if (!strcmp(sub, "del") && dm_auth_user_list_json(s, &list) == DM_OK && list &&
        !strstr(list, "\"role\":\"admin\""))
        fprintf(stderr,
                "warning: %s has no admin left: nobody can manage the users on the web map; "
                "add one with `demine user add %s NAME --role admin`\n",
                db, db);
    dm_free(ctx, list);
    dm_store_close(s);
    return 0;
}

CLI_COMMAND(user, "user", run_user, "add, delete and list the users of the server")
