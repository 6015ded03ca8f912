/* SPDX-License-Identifier: MIT
 *
 * cli_dates.c -- the dates typed in the commands' options (--start, --until,
 * --from, --to, --since, --date ...), read alike by every command: the ISO
 * forms, a year or a month alone, and a date written day first as edit,
 * status --date and import read it (12.05.2026, 12/05/2026, 12-05-2026).
 */
#include "cli.h"

#include <ctype.h>
#include <string.h>

/* "D.M.YYYY", "DD/MM/YYYY", "DD-MM-YYYY": one or two digits, a separator,
 * one or two digits, the same separator, four digits, nothing after. */
static int day_first_form(const char *s)
{
    size_t n = 0;
    while (n < 3 && isdigit((unsigned char)s[n]))
        n++;
    char sep = s[n];
    if (n < 1 || n > 2 || (sep != '.' && sep != '/' && sep != '-'))
        return 0;
    s += n + 1;
    for (n = 0; n < 3 && isdigit((unsigned char)s[n]);)
        n++;
    if (n < 1 || n > 2 || s[n] != sep)
        return 0;
    s += n + 1;
    for (n = 0; n < 5 && isdigit((unsigned char)s[n]);)
        n++;
    return n == 4 && !s[4];
}

int cli_date(dm_ctx *ctx, const char *s, int end, char out[11])
{
    char plain[11];
    if (!s)
        return 0;
    /* YYYY, YYYY-MM, YYYY-MM-DD: the first or the last day of the period */
    if (dm_date_parse_end(s, plain))
        return end ? (memcpy(out, plain, 11), 1) : dm_date_parse(s, out);
    if (!day_first_form(s))
        return 0;
    /* day first, read as a date field of a layer reads it (edit, import) */
    const dm_field_def *f = dm_field_find(dm_layer_find("hazard_status"), "date");
    char norm[64];
    if (!f || dm_field_normalise(ctx, f, s, norm, sizeof norm) || !dm_date_parse(norm, out)) {
        dm_ctx_clear_error(ctx);
        return 0;
    }
    return 1;
}

int cli_parse_date(dm_ctx *ctx, const char *cmd, const char *opt, const char *s, int end, char out[11])
{
    if (cli_date(ctx, s, end, out))
        return 1;
    cli_usage_error(cmd,
                    "%s: '%s' is not a date from 1800-01-01 to 2200-12-31 (YYYY-MM-DD, YYYY-MM or YYYY; or day "
                    "first: 12.05.2026)",
                    opt, s ? s : "");
    return 0;
}
