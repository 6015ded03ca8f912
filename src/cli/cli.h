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
/* Print text to stdout and return 0 (for --help). */
int cli_help(const char *text);

/* Parse a double / long option value, printing an error on failure. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *s, long *out);
/* s as a JSON string (quotes included) in a static buffer rotated 4 ways. */
const char *cli_json_str(const char *s);

/* Open a database for a command, printing the error on failure. */
int cli_open_store(dm_ctx *ctx, const char *cmd, const char *path, unsigned flags,
                   dm_store **out);

#endif
