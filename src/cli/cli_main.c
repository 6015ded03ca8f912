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

/* Edit distance between a and b (short words), capped at 9; two letters
 * swapped count one edit (`--resaon`, `improt`). */
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
            if (x > 1 && y > 1 && a[x - 1] == b[y - 2] && a[x - 2] == b[y - 1] && d[x - 2][y - 2] + 1 < c)
                c = d[x - 2][y - 2] + 1;
            d[x][y] = c;
        }
    return d[la][lb] > 9 ? 9 : d[la][lb];
}

const char *cli_guess(const char *word, const char *const *names, size_t n)
{
    int best = 3;
    const char *hit = NULL;
    for (size_t k = 0; word && k < n; k++) {
        int dist = edit_distance(word, names[k]);
        /* fewer edits than half the name: two of a four-letter name's
         * letters wrong leave no likeness (`nope` is not `eore`) */
        if (dist < best && 2 * dist < (int)strlen(names[k])) {
            best = dist;
            hit = names[k];
        }
    }
    return hit;
}

static size_t count_names(const char *const *subs)
{
    size_t n = 0;
    while (subs[n])
        n++;
    return n;
}

int cli_unknown_subcommand(const char *cmd, const char *sub, const char *const *subs)
{
    char list[256] = "";
    size_t n = count_names(subs), len = 0;
    for (size_t k = 0; k < n && len < sizeof list; k++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", subs[k]);
    const char *meant = cli_guess(sub, subs, n);
    if (meant)
        return cli_usage_error(cmd, "unknown subcommand '%s'; did you mean '%s'? (%s)", sub, meant, list);
    return cli_usage_error(cmd, "unknown subcommand '%s' (%s)", sub, list);
}

int cli_subcommand_typo(const char *cmd, const char *arg, const char *const *subs)
{
    if (!arg || arg[0] == '-' || access(arg, F_OK) == 0 || strpbrk(arg, "./"))
        return 0;
    if (!cli_guess(arg, subs, count_names(subs)))
        return 0;
    cli_unknown_subcommand(cmd, arg, subs);
    return 1;
}

/* ================================ options ================================ */

/* demine's own options, which go before the command. */
static const char *global_option(const char *arg)
{
    if (!strcmp(arg, "--author") || !strncmp(arg, "--author=", 9))
        return "--author NAME";
    if (!strcmp(arg, "-v") || !strcmp(arg, "-q") || !strcmp(arg, "--version"))
        return arg;
    return NULL;
}

int cli_unknown_option(const char *cmd, const char *arg, const struct option *longopts)
{
    const char *g = global_option(arg);
    if (g)
        return cli_usage_error(cmd, "%s is an option of demine itself: it goes before the command: "
                                    "`demine %s %s ...`",
                               arg, g, cmd);
    char meant[80] = "";
    if (arg[0] == '-' && arg[1] == '-' && longopts) {
        char name[64];
        size_t n = strcspn(arg + 2, "=");
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), arg + 2);
        int best = 3;
        for (const struct option *o = longopts; o->name; o++) {
            int dist = edit_distance(name, o->name);
            if (dist < best && dist < (int)strlen(o->name) / 2 + 1) {
                best = dist;
                snprintf(meant, sizeof meant, " (did you mean '--%s'?)", o->name);
            }
        }
    } else if (arg[0] == '-' && arg[1] && arg[1] != '-' && arg[2] && longopts) {
        /* `-reason`: a long option with one dash */
        size_t n = strcspn(arg + 1, "=");
        for (const struct option *o = longopts; o->name; o++)
            if (strlen(o->name) == n && !strncmp(arg + 1, o->name, n))
                snprintf(meant, sizeof meant, " (did you mean '--%s'?)", o->name);
    }
    return cli_usage_error(cmd, "unknown option '%s'%s", arg, meant);
}

int cli_unknown_option_in(const char *cmd, const char *arg, const char *help)
{
    enum { MAX_OPTS = 96 };
    struct option o[MAX_OPTS + 1];
    char names[MAX_OPTS][40];
    size_t n = 0;
    for (const char *p = help ? help : ""; (p = strstr(p, "--")) && n < MAX_OPTS;) {
        p += 2;
        size_t len = 0;
        while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= '0' && p[len] <= '9') || (len && p[len] == '-'))
            len++;
        if (len < 2 || len >= sizeof names[0]) {
            p += len;
            continue;
        }
        size_t k = 0;
        while (k < n && (strlen(names[k]) != len || strncmp(names[k], p, len)))
            k++;
        if (k == n) {
            memcpy(names[n], p, len);
            names[n][len] = 0;
            o[n] = (struct option){names[n], 0, NULL, 0};
            n++;
        }
        p += len;
    }
    o[n] = (struct option){0, 0, NULL, 0};
    return cli_unknown_option(cmd, arg, o);
}

/* A bare EPSG code given to --crs ("--crs 32638", "--crs=32638") is the
 * EPSG:32638 it names: PROJ and GDAL take no bare number, and every --crs of
 * demine names a coordinate reference system. Rewrites argv in place with
 * storage that lives until exit. */
static void crs_codes(int argc, char **argv)
{
    static char buf[8][40];
    int used = 0;
    for (int i = 1; i < argc && used < 8; i++) {
        char *v = NULL;
        size_t pre = 0;
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--crs") && i + 1 < argc)
            v = argv[++i];
        else if (!strncmp(argv[i], "--crs=", 6))
            v = argv[i] + 6, pre = 6;
        if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 10)
            continue;
        snprintf(buf[used], sizeof buf[used], "%sEPSG:%s", pre ? "--crs=" : "", v);
        argv[i] = buf[used++];
    }
}

int cli_getopt_long(int argc, char *const *argv, const char *optstring, const struct option *longopts,
                    int *longindex)
{
    if (optstring[0] == ':' || (optstring[0] == '+' && optstring[1] == ':'))
        return getopt_long(argc, argv, optstring, longopts, longindex);
    int keep = opterr;
    opterr = 0;
    int first = optind;
    int c = getopt_long(argc, argv, optstring, longopts, longindex);
    opterr = keep;
    if (c != '?')
        return c;
    const char *cmd = argv[0];
    const char *arg = optind - 1 >= first && optind - 1 < argc ? argv[optind - 1] : "";
    if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
        size_t n = strcspn(arg + 2, "=");
        const struct option *hit = NULL;
        int matches = 0;
        char all[300] = "";
        for (const struct option *o = longopts; o->name; o++)
            if (!strncmp(o->name, arg + 2, n)) {
                if (strlen(o->name) == n) {
                    hit = o, matches = 1;
                    break;
                }
                if (!hit || hit->val != o->val || hit->flag != o->flag || hit->has_arg != o->has_arg) {
                    size_t k = strlen(all);
                    snprintf(all + k, sizeof all - k, "%s'--%s'", k ? ", " : "", o->name);
                    matches++;
                }
                hit = o;
            }
        if (matches > 1) {
            cli_usage_error(cmd, "option '%.*s' is ambiguous: %s", (int)(n + 2), arg, all);
            return '?';
        }
        if (hit) {
            if (arg[2 + n] == '=' && hit->has_arg == no_argument)
                cli_usage_error(cmd, "option '--%s' takes no value", hit->name);
            else
                cli_usage_error(cmd, "option '--%s' needs a value", hit->name);
            return '?';
        }
        cli_unknown_option(cmd, arg, longopts);
        return '?';
    }
    /* a short option: the word it came in (`-reason` is -r -e -a ... to getopt) */
    char a[3] = {'-', (char)optopt, '\0'};
    const char *word = a;
    for (int k = optind; k >= optind - 1 && k >= first; k--)
        if (k < argc && argv[k][0] == '-' && argv[k][1] != '-' && optopt && strchr(argv[k] + 1, optopt)) {
            word = argv[k];
            break;
        }
    const char *in = optopt ? strchr(optstring, optopt) : NULL;
    if (in && in[1] == ':')
        cli_usage_error(cmd, "option '%s' needs a value", a);
    else if (word != a && strlen(word) > 2)
        cli_unknown_option(cmd, word, longopts);
    else
        cli_unknown_option(cmd, a, longopts);
    return '?';
}

int cli_positional(const char *cmd, const char *arg, const char **first, const char **second)
{
    if (arg[0] == '-')
        return cli_unknown_option(cmd, arg, NULL);
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
    const char *names[MAX_COMMANDS];
    for (int k = 0; k < n_commands; k++)
        names[k] = commands[k]->name;
    const char *hit = cli_guess(name, names, (size_t)n_commands);
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
        else if (!strcmp(argv[i], "--author") && i + 1 < argc && argv[i + 1][0] != '-')
            author = argv[++i];
        else if (!strncmp(argv[i], "--author=", 9) && argv[i][9])
            author = argv[i] + 9;
        else if (!strcmp(argv[i], "--author") || !strcmp(argv[i], "--author=")) {
            fprintf(stderr, "demine: --author needs a NAME: `demine --author NAME COMMAND ...`\n");
            return 2;
        }
        else if (!strcmp(argv[i], "--version")) {
            printf("demine %s\n", DM_VERSION_STRING);
            return 0;
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        } else {
            /* a command's option before the command */
            fprintf(stderr, "demine: unknown option '%s'; demine's own options are -v, -q, --author NAME and "
                            "--version; a command's options go after the command (`demine COMMAND --help`)\n",
                    argv[i]);
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
        crs_codes(argc - i, argv + i);
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

const char *cli_plural(double n, const char *one, const char *many)
{
    char b[32];
    snprintf(b, sizeof b, "%.0f", n);
    return strcmp(b, "1") ? many : one;
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
