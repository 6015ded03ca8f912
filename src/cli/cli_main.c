/* SPDX-License-Identifier: MIT
 *
 * cli_main.c -- entry point of `demine`: global options, the list of
 * subcommands, dispatch, and the terminal progress and log printers.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COMMANDS 64
static const cli_command *commands[MAX_COMMANDS];
static int n_commands;

void cli_register(const cli_command *cmd)
{
    if (n_commands < MAX_COMMANDS)
        commands[n_commands++] = cmd;
}

int cli_exit_code(dm_status st)
{
    switch (st / 100) {
    case 0: return 0;
    case 1: return 2;
    case 2: return 3;
    case 3: return 4;
    default: return 1;
    }
}

int cli_fail(dm_ctx *ctx, const char *cmd, dm_status st)
{
    const char *msg = dm_ctx_errmsg(ctx);
    fprintf(stderr, "demine %s: error: %s\n", cmd, *msg ? msg : dm_status_name(st));
    return cli_exit_code(st);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "demine %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'demine %s --help')\n", cmd);
    return 2;
}

int cli_is_help(const char *s) { return !strcmp(s, "-h") || !strcmp(s, "--help"); }

int cli_help_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return 1;
    return 0;
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!*s || *end) {
        cli_usage_error(cmd, "%s expects a number, got '%s'", opt, s);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno == ERANGE) {
        cli_usage_error(cmd, "%s: %s is out of range", opt, s);
        return 0;
    }
    if (!*s || *end) {
        cli_usage_error(cmd, "%s expects a whole number, got '%s'", opt, s);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_check_positive(const char *cmd, const char *opt, double v, int zero_ok)
{
    if ((v > 0 || (zero_ok && v == 0)) && isfinite(v))
        return 1;
    cli_usage_error(cmd, "%s: %g must be a number %s", opt, v,
                    zero_ok ? "of 0 or more" : "more than 0");
    return 0;
}

int cli_parse_positive(const char *cmd, const char *opt, const char *s, int zero_ok, double *out)
{
    return cli_parse_double(cmd, opt, s, out) && cli_check_positive(cmd, opt, *out, zero_ok);
}

int cli_positional(const char *cmd, const char *arg, const char **first, const char **second)
{
    if (arg[0] == '-')
        return cli_usage_error(cmd, "unknown option '%s'", arg);
    if (!*first)
        *first = arg;
    else if (second && !*second)
        *second = arg;
    else
        return cli_usage_error(cmd, "unexpected argument '%s'", arg);
    return 0;
}

int cli_open_store(dm_ctx *ctx, const char *cmd, const char *path, unsigned flags, dm_store **out)
{
    dm_status st = dm_store_open(ctx, path, flags, out);
    if (st)
        return cli_fail(ctx, cmd, st);
    return 0;
}

/* ============================ terminal output ============================ */

static int progress_shown;

static void progress_print(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)user;
    if (total)
        fprintf(stderr, "\r%-24s %5.1f%%  (%llu / %llu)", what, 100.0 * (double)done / (double)total,
                (unsigned long long)done, (unsigned long long)total);
    else
        fprintf(stderr, "\r%-24s %llu", what, (unsigned long long)done);
    progress_shown = 1;
    if (total && done >= total) {
        fputc('\n', stderr);
        progress_shown = 0;
    }
    fflush(stderr);
}

static void log_print(void *user, dm_log_level level, const char *msg)
{
    int verbose = *(int *)user;
    if (level == DM_LOG_DEBUG && verbose < 2)
        return;
    if (level == DM_LOG_INFO && verbose < 1)
        return;
    if (progress_shown) {
        fputc('\n', stderr);
        progress_shown = 0;
    }
    fprintf(stderr, "%s%s\n", level == DM_LOG_WARN ? "warning: " : "", msg);
}

static int cmp_cmd(const void *a, const void *b)
{
    return strcmp((*(const cli_command *const *)a)->name, (*(const cli_command *const *)b)->name);
}

static void usage(FILE *f)
{
    fprintf(f, "demine %s -- mine action information and risk mapping\n\n"
               "usage: demine [-v] [-q] [--author NAME] COMMAND [ARGS]\n\ncommands:\n",
            DM_VERSION_STRING);
    for (int i = 0; i < n_commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\n'demine COMMAND --help' (or 'demine help COMMAND') explains each command.\n"
               "Exit codes: 0 ok, 1 internal error, 2 bad usage or input, 3 I/O, 4 data rejected.\n");
}

/* Edit distance between a and b (short words), capped at 9. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 30 || lb > 30)
        return 9;
    int d[31][31];
    for (size_t x = 0; x <= la; x++)
        d[x][0] = (int)x;
    for (size_t y = 0; y <= lb; y++)
        d[0][y] = (int)y;
    for (size_t x = 1; x <= la; x++)
        for (size_t y = 1; y <= lb; y++) {
            int c = d[x - 1][y - 1] + (a[x - 1] != b[y - 1]);
            if (d[x - 1][y] + 1 < c)
                c = d[x - 1][y] + 1;
            if (d[x][y - 1] + 1 < c)
                c = d[x][y - 1] + 1;
            d[x][y] = c;
        }
    return d[la][lb] > 9 ? 9 : d[la][lb];
}

/* What a user who typed name for a command likely meant: a subcommand typed
 * without its command (`verify` for `records verify`), or a command one or
 * two letters away (`stat`, `improt`). NULL when nothing is close. */
static const char *suggest_command(const char *name, char *buf, size_t n)
{
    static const char *const sub[][2] = {
        {"verify", "records verify"}, {"correct", "records correct"}, {"map", "risk map"},
        {"refresh", "risk refresh"},  {"explain", "risk explain"},     {"fit", "risk fit"},
        {"eval", "risk eval"},        {"spots", "risk spots"},         {"distance", "risk distance"},
        {"calibrate", "sensors calibrate"}, {"passwd", "user passwd"}, {"users", "user list"},
        {"check-route", "route check"}};
    for (size_t k = 0; k < sizeof sub / sizeof sub[0]; k++)
        if (!strcmp(name, sub[k][0])) {
            snprintf(buf, n, "%s", sub[k][1]);
            return buf;
        }
    int best = 3;
    const char *hit = NULL;
    for (int k = 0; k < n_commands; k++) {
        int dist = edit_distance(name, commands[k]->name);
        if (dist < best && dist < (int)strlen(commands[k]->name) / 2 + 1) {
            best = dist;
            hit = commands[k]->name;
        }
    }
    if (!hit)
        return NULL;
    snprintf(buf, n, "%s", hit);
    return buf;
}

int main(int argc, char **argv)
{
    qsort(commands, (size_t)n_commands, sizeof commands[0], cmp_cmd);
    static int verbose = 1;
    int quiet = 0, i = 1;
    const char *author = NULL;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 2;
        else if (!strcmp(argv[i], "-q"))
            quiet = 1, verbose = 0;
        else if (!strcmp(argv[i], "--author") && i + 1 < argc)
            author = argv[++i];
        else if (!strcmp(argv[i], "--version")) {
            printf("demine %s\n", DM_VERSION_STRING);
            return 0;
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "demine: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[i];
    char *help_argv[3] = {NULL, "--help", NULL};
    if (!strcmp(name, "help")) {
        if (i + 1 >= argc) {
            usage(stdout);
            return 0;
        }
        /* `demine help CMD` is `demine CMD --help` */
        name = help_argv[0] = argv[i + 1];
        argv = help_argv;
        argc = 2;
        i = 0;
    }
    for (int k = 0; k < n_commands; k++) {
        if (strcmp(commands[k]->name, name))
            continue;
        dm_ctx *ctx = dm_ctx_new();
        if (!ctx) {
            fprintf(stderr, "demine: out of memory\n");
            return 3;
        }
        if (author)
            dm_ctx_set_author(ctx, author);
        dm_ctx_set_log(ctx, log_print, &verbose);
        if (!quiet && isatty(2))
            dm_ctx_set_progress(ctx, progress_print, NULL);
        int rc = commands[k]->run(ctx, argc - i, argv + i);
        if (progress_shown)
            fputc('\n', stderr);
        dm_ctx_free(ctx);
        return rc;
    }
    char meant[64];
    if (suggest_command(name, meant, sizeof meant))
        fprintf(stderr, "demine: unknown command '%s'; did you mean 'demine %s'?\n\n", name, meant);
    else
        fprintf(stderr, "demine: unknown command '%s'\n\n", name);
    usage(stderr);
    return 2;
}

const char *cli_json_str(const char *s)
{
    static char buf[4][8192];
    static int turn;
    char *b = buf[turn++ & 3];
    size_t k = 0, cap = sizeof buf[0];
    b[k++] = '"';
    for (; s && *s && k + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            b[k++] = '\\', b[k++] = (char)c;
        else if (c < 0x20)
            k += (size_t)snprintf(b + k, cap - k, "\\u%04x", c);
        else
            b[k++] = (char)c;
    }
    b[k++] = '"';
    b[k] = '\0';
    return b;
}
