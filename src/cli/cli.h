/* SPDX-License-Identifier: MIT
 *
 * cli.h -- what the `demine` subcommands share: registration, exit codes,
 * printing errors and progress, and small option helpers.
 *
 * Each subcommand lives in its own cmd_<name>.c and registers itself with
 * CLI_COMMAND(); cli_main.c dispatches. The CLI uses only the public API.
 */
#ifndef DM_CLI_H
#define DM_CLI_H

#include "demine/demine.h"

#include <getopt.h>
#include <stdio.h>

typedef int (*cli_run_fn)(dm_ctx *ctx, int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_run_fn run;
    const char *summary;
} cli_command;

void cli_register(const cli_command *cmd);

/* Register a subcommand from its own file. */
#define CLI_COMMAND(id, name_, run_, summary_)                                                     \
    static const cli_command cli_cmd_##id = {name_, run_, summary_};                               \
    __attribute__((constructor)) static void cli_register_##id(void)                               \
    {                                                                                              \
        cli_register(&cli_cmd_##id);                                                               \
    }

/* Exit codes (stable, documented in README): 0 ok, 1 internal error, 2 bad
 * usage or input, 3 I/O or resources, 4 data rejected. */
int cli_exit_code(dm_status st);

/* Print "demine CMD: <ctx message>" to stderr and return the exit code. */
int cli_fail(dm_ctx *ctx, const char *cmd, dm_status st);
/* Print a usage error and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if s is "-h" or "--help". */
int cli_is_help(const char *s);
/* True if any argument after the command's name (argv[1..]) asks for help. */
int cli_help_wanted(int argc, char **argv);
/* Print text to stdout and return 0 (for --help). */
int cli_help(const char *text);

/* Parse a double / long option value, printing an error on failure. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *s, long *out);
/* 1 when v is a number more than 0 (or 0 itself with zero_ok); else a usage
 * error "OPT: V must be a number ..." and 0. For explicit option values the
 * library would take as "the default" (0 or less). */
int cli_check_positive(const char *cmd, const char *opt, double v, int zero_ok);
/* cli_parse_double, then cli_check_positive: 1 when both pass. */
int cli_parse_positive(const char *cmd, const char *opt, const char *s, int zero_ok, double *out);
/* cli_dates.c: a date typed in an option, read alike by every command:
 * YYYY-MM-DD, YYYY-MM or YYYY (the first day of the period, or with end the
 * last: --until 2012 is 2012-12-31), or day first as edit reads it
 * (12.05.2026, 12/05/2026, 12-05-2026), from 1800 to 2200. 1 and out filled when
 * s is one; cli_parse_date prints a usage error naming cmd and opt when not. */
int cli_date(dm_ctx *ctx, const char *s, int end, char out[11]);
int cli_parse_date(dm_ctx *ctx, const char *cmd, const char *opt, const char *s, int end, char out[11]);
/* An argument no option took: an unknown option when it starts with '-',
 * else the value of the first of *first, *second still NULL (second may be
 * NULL for a command of one positional argument). 0 when taken; otherwise a
 * usage error and 2. */
int cli_positional(const char *cmd, const char *arg, const char **first, const char **second);
/* getopt_long with demine's own messages, for every command that parses its
 * options with getopt_long (each calls this instead): an
 * unknown option is "demine CMD: unknown option '--resaon' (did you mean
 * '--reason'?)" and the pointer to `demine CMD --help`, where CMD is
 * argv[0]; one of demine's own options given after the command (--author,
 * -v, -q) says that it goes before it; an ambiguous abbreviation names the
 * options it could be; a missing or unwanted value names the option. '?' is
 * returned as getopt_long returns it, after the message. An optstring
 * starting with ':' keeps getopt_long's own behaviour (the caller reports). */
int cli_getopt_long(int argc, char *const *argv, const char *optstring, const struct option *longopts,
                    int *longindex);
/* The message cli_getopt_long prints for an argument arg of command cmd
 * that is no option of longopts (NULL: none known): unknown,
 * with the option meant or demine's own options' place. Returns 2. Also
 * for commands parsing their options by hand (cli_positional). */
int cli_unknown_option(const char *cmd, const char *arg, const struct option *longopts);
/* The same for a command that parses its options by hand: the options it
 * knows are the --names its help text shows. Returns 2. */
int cli_unknown_option_in(const char *cmd, const char *arg, const char *help);
/* The one of names (n of them) a mistyped word most likely meant, as an
 * unknown command's guess: one or two edits (two letters swapped count
 * one), fewer than half the name's letters; NULL when none is that close. */
const char *cli_guess(const char *word, const char *const *names, size_t n);
/* "demine CMD: unknown subcommand 'aprove'; did you mean 'approve'? (list,
 * show, approve, ...)": the subcommands subs (NULL-terminated) listed and the
 * one meant guessed by cli_guess. Returns 2. */
int cli_unknown_subcommand(const char *cmd, const char *sub, const char *const *subs);
/* For a command whose subcommand may be left out (`qc DB`, `qc record DB`):
 * 1, after cli_unknown_subcommand's error, when arg (where the subcommand or
 * the first file goes) is no file there, has no '.' or '/' and is a near miss
 * of one of subs; else 0. */
int cli_subcommand_typo(const char *cmd, const char *arg, const char *const *subs);
/* cli_points.c: a place typed as LON,LAT in degrees (route --from, risk
 * explain --at): 1 and lon, lat filled when s is one, else a usage error
 * naming cmd and opt and 0. */
int cli_parse_lonlat(const char *cmd, const char *opt, const char *s, double *lon, double *lat);
/* The refusal of a place opt gave latitude first: lon, lat (as given) lie
 * outside where (the map, the data), lat, lon on it: says so and how to give
 * it, longitude first. Returns 2. */
int cli_lonlat_swapped(const char *cmd, const char *opt, double lon, double lat, const char *where);
/* one when n, printed as a whole number (%ld, %zu, %.0f), is 1, else many:
 * printf("%ld %s", n, cli_plural(n, "hazard", "hazards")). */
const char *cli_plural(double n, const char *one, const char *many);
/* s as a JSON string (quotes included) in a static buffer rotated 4 ways. */
const char *cli_json_str(const char *s);

/* The row filters of list and export: --where FIELD=VALUE (up to 8, a
 * value read as edit reads it) and --bbox W,S,E,N in degrees. */
typedef struct cli_filter {
    char buf[8][256];
    const char *field[8], *value[8];
    size_t n;
    double bbox[4];
    int have_bbox;
} cli_filter;
/* Take one --where or --bbox argument; 0 when taken, else a usage error
 * naming cmd and 2. */
int cli_filter_where(const char *cmd, cli_filter *f, const char *arg);
int cli_filter_bbox(const char *cmd, cli_filter *f, const char *arg);
/* Put the filters into sel. */
void cli_filter_select(const cli_filter *f, dm_select *sel);
/* After a filter that passes no row: for the first --where that passes
 * none by itself, the value meant when one differs only in case or marks
 * (Agdam for Ağdam), else the values the field holds (the most used
 * first), on stderr as "demine CMD: ...". */
void cli_filter_explain(dm_store *s, const char *cmd, const char *layer, const cli_filter *f);

/* Open a database for a command, printing the error on failure. */
int cli_open_store(dm_ctx *ctx, const char *cmd, const char *path, unsigned flags,
                   dm_store **out);

/* cli_files.c: outputs that would overwrite inputs. */
/* 1 when a and b (neither NULL) are the same path or name the same file. */
int cli_same_path(const char *a, const char *b);
/* 1 (after a usage error "OPT OUT is the WHAT: not writing over it") when the
 * output out of option opt would overwrite the input in; NULLs are left out. */
int cli_writes_over(const char *cmd, const char *opt, const char *out, const char *what,
                    const char *in);
/* 1 (after a usage error naming both) when one of the no outputs opath
 * (given by the options oopt) would overwrite one of the ni inputs ipath
 * (described as iwhat) or another output; NULL paths are left out. */
int cli_outputs_clash(const char *cmd, int no, const char *const *oopt, const char *const *opath,
                      int ni, const char *const *iwhat, const char *const *ipath);
/* A default output beside db: its name without the extension, then suffix
 * ("d.gpkg", "-plan.csv" -> "d-plan.csv"); malloc'd, NULL without memory. */
char *cli_sibling(const char *db, const char *suffix);
/* Interrupted (Ctrl-C, kill) while a map is written as OUT.PID.part and renamed
 * when whole, the command removes OUT.PID.part before it dies: cli_part_guard(OUT)
 * before the write, cli_part_guard(NULL) after it. cli_part_guard_map guards
 * the risk map a database records (`risk refresh`, `reports approve --refresh`). */
void cli_part_guard(const char *out);
/* The hazards whose p_contam a new map moved most (r->changes), by their
 * ref read from s: a table after indent, or with json a JSON array. */
void cli_risk_changes_print(dm_store *s, const dm_risk_update_result *r, int json, const char *indent);
void cli_part_guard_map(dm_ctx *ctx, dm_store *s);

#endif
