/* SPDX-License-Identifier: MIT
 *
 * cmd_report.c -- `demine report DB --out report.pdf|report.html`: the
 * national status report with maps, charts and tables.
 */
#include "cli.h"

#include <string.h>

static const char *help =
    "usage: demine report DB --out FILE.pdf|FILE.html [--title TEXT] [--date YYYY-MM-DD]\n\n"
    "Write the national status report of DB, of the kind agencies and the Landmine\n"
    "Monitor publish: key figures; maps of the hazards by status, the risk map (from\n"
    "`demine risk map`) and the plan's routes and first priorities (from `demine plan`);\n"
    "charts of land released per year by method, items found per year by type,\n"
    "casualties per year (civilian and deminer) and the plan's burn-down with its\n"
    "P10-P90 band; tables by district and of the first priorities; and the donor's\n"
    "comparison of clearing every suspected hectare with risk-based release. Costs\n"
    "are at the plan's unit rates and, beside them, at the teams' day rates\n"
    "(\"unknown\" when a team that works has cost_usd_day 0).\n"
    "A PDF (A4 pages) when FILE ends in .pdf, one HTML page with embedded images\n"
    "when it ends in .html.\n";

static int run_report(dm_ctx *ctx, int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    dm_report_opts o = {NULL, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help(help);
        if (!strcmp(a, "--out") || !strcmp(a, "--title") || !strcmp(a, "--date")) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "%s needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'o')
                out = v;
            else if (a[2] == 't')
                o.title = v;
            else
                o.date = v;
        } else if (a[0] == '-' && a[1])
            return cli_usage_error("report", "unknown option '%s'", a);
        else if (!db)
            db = a;
        else
            return cli_usage_error("report", "expected one database, got '%s' too", a);
    }
    if (!db)
        return cli_usage_error("report", "expected DB");
    if (!out)
        return cli_usage_error("report", "--out FILE.pdf or FILE.html is required");
    dm_store *s = NULL;
    int rc = cli_open_store(ctx, "report", db, DM_STORE_READONLY, &s);
    if (rc)
        return rc;
    dm_status st = dm_report_write(s, out, &o);
    dm_store_close(s);
    dm_report_cleanup();
    if (st)
        return cli_fail(ctx, "report", st);
    printf("report written to %s\n", out);
    return 0;
}

CLI_COMMAND(report, "report", run_report, "national status report (PDF or HTML) with maps and charts")
