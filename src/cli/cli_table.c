/* SPDX-License-Identifier: MIT
 *
 * cli_table.c -- columns of the CLI's tables: a value's width in characters
 * and a value padded or cut (ending in "…") to its column.
 */
#include "cli_table.h"

#include <jansson.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* 1 when name ends in suffix */
static int ends_with(const char *name, const char *suffix)
{
    size_t a = strlen(name), b = strlen(suffix);
    return a >= b && !strcmp(name + a - b, suffix);
}

const char *cli_format_real(const char *field, double v, char *out, size_t n)
{
    int dec = -1; /* decimals, or -1: significant digits */
    if (!field)
        field = "";
    if (ends_with(field, "_m") || ends_with(field, "_usd"))
        dec = 2;
    else if (ends_with(field, "_cm"))
        dec = 1;
    else if (ends_with(field, "_ha"))
        dec = 4;
    else if (!strcmp(field, "ref_x") || !strcmp(field, "ref_y"))
        dec = 6;
    if (!isfinite(v) || dec < 0 || fabs(v) >= 1e15) {
        snprintf(out, n, "%.6g", v);
        return out;
    }
    snprintf(out, n, "%.*f", dec, v);
    char *dot = strchr(out, '.');
    if (dot) { /* 12.5000 -> 12.5, 3.00 -> 3 */
        char *e = out + strlen(out);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    if (!strcmp(out, "-0"))
        snprintf(out, n, "0");
    return out;
}

const char *cli_format_real_text(const char *field, const char *text, char *out, size_t n)
{
    char *end = NULL;
    double d = text && *text ? strtod(text, &end) : 0;
    if (!text || !*text || !end || *end) {
        snprintf(out, n, "%s", text ? text : "");
        return out;
    }
    return cli_format_real(field, d, out, n);
}

void cli_print_feature_fields(const char *feature)
{
    json_t *f = json_loads(feature, 0, NULL);
    json_t *props = json_object_get(f, "properties"), *geom = json_object_get(f, "geometry");
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v)
    {
        char num[64];
        if (json_is_string(v))
            printf("  %-18s %s\n", k, json_string_value(v));
        else if (json_is_number(v))
            printf("  %-18s %s\n", k, cli_format_real(k, json_number_value(v), num, sizeof num));
        else if (json_is_boolean(v))
            printf("  %-18s %s\n", k, json_is_true(v) ? "1" : "0");
    }
    const char *gt = json_string_value(json_object_get(geom, "type"));
    if (gt)
        printf("  %-18s %s\n", "geometry", gt);
    json_decref(f);
}
