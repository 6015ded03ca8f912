/* SPDX-License-Identifier: MIT
 *
 * cli_filter.c -- the row filters `list` and `export` share: --where
 * FIELD=VALUE and --bbox W,S,E,N.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_filter_where(const char *cmd, cli_filter *f, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return cli_usage_error(cmd, "--where expects FIELD=VALUE, got '%s'", arg);
    if (f->n == 8)
        return cli_usage_error(cmd, "at most 8 --where filters");
    if (strlen(arg) >= sizeof f->buf[0])
        return cli_usage_error(cmd, "--where '%.40s...' is too long", arg);
    char *b = f->buf[f->n];
    snprintf(b, sizeof f->buf[0], "%s", arg);
    b[eq - arg] = '\0';
    f->field[f->n] = b;
    f->value[f->n] = b + (eq - arg) + 1;
    f->n++;
    return 0;
}

int cli_filter_bbox(const char *cmd, cli_filter *f, const char *arg)
{
    char tail = 0;
    double *b = f->bbox;
    if (sscanf(arg, "%lf,%lf,%lf,%lf%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
        return cli_usage_error(cmd, "--bbox expects W,S,E,N in degrees, got '%s'", arg);
    /* its ranges are the store's to check (dm_store_select) */
    f->have_bbox = 1;
    return 0;
}

void cli_filter_select(const cli_filter *f, dm_select *sel)
{
    sel->eq_field = f->n ? f->field : NULL;
    sel->eq_value = f->n ? f->value : NULL;
    sel->n_eq = f->n;
    sel->bbox = f->have_bbox ? f->bbox : NULL;
}
