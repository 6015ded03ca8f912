/* SPDX-License-Identifier: MIT
 *
 * cli_table.c -- columns of the CLI's tables: a value's width in characters
 * and a value padded or cut (ending in "…") to its column.
 */
#include "cli_table.h"

#include <stdio.h>

/* p past one UTF-8 character */
static const char *next_char(const char *p)
{
    p++;
    while (((unsigned char)*p & 0xC0) == 0x80)
        p++;
    return p;
}

int cli_text_width(const char *s)
{
    int n = 0;
    for (const char *p = s; p && *p; p = next_char(p))
        n++;
    return n;
}

void cli_print_cell(const char *v, int width)
{
    if (!v)
        v = "-";
    int chars = 0;
    const char *p = v;
    while (*p && chars < width) {
        p = next_char(p);
        chars++;
    }
    if (*p && width > 1) { /* longer: width - 1 characters and the ellipsis */
        p = v;
        for (chars = 0; chars < width - 1; chars++)
            p = next_char(p);
        printf("%.*s\xE2\x80\xA6", (int)(p - v), v);
        return;
    }
    printf("%.*s%*s", (int)(p - v), v, width - chars, "");
}

int cli_width_fit(int width, const char *v, int cap)
{
    int w = cli_text_width(v);
    if (w > width)
        width = w;
    return width > cap ? cap : width;
}
