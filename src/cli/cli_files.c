/* SPDX-License-Identifier: MIT
 *
 * cli_files.c -- the checks the subcommands make on the files they are
 * given before doing any work (that no output would overwrite an input or
 * another output), and the clean-up of a map half written when a command is
 * interrupted.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_same_path(const char *a, const char *b)
{
    return a && b && (!strcmp(a, b) || dm_same_file(a, b));
}

int cli_writes_over(const char *cmd, const char *opt, const char *out, const char *what,
                    const char *in)
{
    if (!cli_same_path(out, in))
        return 0;
    cli_usage_error(cmd, "%s %s is the %s: not writing over it", opt, out, what);
    return 1;
}

int cli_outputs_clash(const char *cmd, int no, const char *const *oopt, const char *const *opath,
                      int ni, const char *const *iwhat, const char *const *ipath)
{
    for (int o = 0; o < no; o++) {
        if (!opath[o])
            continue;
        for (int i = 0; i < ni; i++)
            if (cli_writes_over(cmd, oopt[o], opath[o], iwhat[i], ipath[i]))
                return 1;
        for (int k = 0; k < o; k++)
            if (cli_same_path(opath[o], opath[k])) {
                cli_usage_error(cmd, "%s and %s name the same file %s", oopt[k], oopt[o],
                                opath[o]);
                return 1;
            }
    }
    return 0;
}

char *cli_sibling(const char *db, const char *suffix)
{
    size_t n = strlen(db);
    const char *dot = strrchr(db, '.');
    const char *slash = strrchr(db, '/');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - db);
    char *p = malloc(n + strlen(suffix) + 1);
    if (!p)
        return NULL;
    memcpy(p, db, n);
    memcpy(p + n, suffix, strlen(suffix) + 1);
    return p;
}

/* The map being written (dm_risk_part_path, renamed when whole), removed if the
 * command is interrupted; the handlers before the guard, put back after. */
static char part_path[4200];
static void (*old_int)(int), (*old_term)(int);

static void drop_part_and_die(int sig)
{
    if (part_path[0])
        unlink(part_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_part_guard(const char *out)
{
    if (out) {
        if (*out)
            dm_risk_part_path(out, part_path, sizeof part_path);
        else
            part_path[0] = '\0'; /* no map recorded: nothing to remove */
        old_int = signal(SIGINT, drop_part_and_die);
        old_term = signal(SIGTERM, drop_part_and_die);
    } else {
        signal(SIGINT, old_int);
        signal(SIGTERM, old_term);
        part_path[0] = '\0';
    }
}

void cli_part_guard_map(dm_ctx *ctx, dm_store *s)
{
    char *prev = NULL, *abs = NULL;
    if (dm_store_meta_get(s, "risk_map", &prev) == DM_OK && prev)
        abs = dm_store_resolve_path(s, prev);
    dm_ctx_clear_error(ctx);
    cli_part_guard(abs ? abs : prev ? prev : "");
    dm_free(ctx, abs);
    dm_free(ctx, prev);
}
