/* SPDX-License-Identifier: MIT
 *
 * cli_filter.c -- the row filters `list` and `export` share: --where
 * FIELD=VALUE and --bbox W,S,E,N, and what to say when one passes no row
 * (the value meant, or the values the field holds).
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

/* s folded for a loose comparison: ASCII lower case, the letters of
 * Azerbaijani and Spanish names without their marks (Ağdam -> agdam,
 * Füzuli -> fuzuli, Cáceres -> caceres). */
static void fold(const char *s, char *out, size_t n)
{
    static const struct {
        const char *utf8;
        char ascii;
    } marks[] = {{"\xC9\x99", 'e'}, {"\xC6\x8F", 'e'}, {"\xC4\x9F", 'g'}, {"\xC4\x9E", 'g'}, {"\xC4\xB1", 'i'},
                 {"\xC4\xB0", 'i'}, {"\xC3\xB6", 'o'}, {"\xC3\x96", 'o'}, {"\xC3\xBC", 'u'}, {"\xC3\x9C", 'u'},
                 {"\xC5\x9F", 's'}, {"\xC5\x9E", 's'}, {"\xC3\xA7", 'c'}, {"\xC3\x87", 'c'}, {"\xC3\xA1", 'a'},
                 {"\xC3\x81", 'a'}, {"\xC3\xA9", 'e'}, {"\xC3\x89", 'e'}, {"\xC3\xAD", 'i'}, {"\xC3\x8D", 'i'},
                 {"\xC3\xB3", 'o'}, {"\xC3\x93", 'o'}, {"\xC3\xBA", 'u'}, {"\xC3\x9A", 'u'}, {"\xC3\xB1", 'n'},
                 {"\xC3\x91", 'n'}};
    size_t o = 0;
    while (*s && o + 1 < n) {
        size_t k = 0;
        while (k < sizeof marks / sizeof marks[0] && strncmp(s, marks[k].utf8, 2))
            k++;
        if (k < sizeof marks / sizeof marks[0]) {
            out[o++] = marks[k].ascii;
            s += 2;
        } else {
            unsigned char c = (unsigned char)*s++;
            out[o++] = c < 128 ? (char)tolower(c) : (char)c;
        }
    }
    out[o] = '\0';
}

typedef struct seen_value {
    char *text;
    long n;
} seen_value;

static int by_count(const void *a, const void *b)
{
    const seen_value *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n) - (x->n > y->n) : strcmp(x->text, y->text);
}

void cli_filter_explain(dm_store *s, const char *cmd, const char *layer, const cli_filter *f)
{
    for (size_t i = 0; i < f->n; i++) {
        /* only a filter that passes nothing by itself is the one to explain */
        dm_select one = {0};
        one.eq_field = &f->field[i];
        one.eq_value = &f->value[i];
        one.n_eq = 1;
        long n = 0;
        if (dm_store_count(s, layer, &one, &n) || n > 0)
            continue;
        dm_cursor *c = NULL;
        if (dm_store_select(s, layer, NULL, &c))
            break;
        seen_value *v = NULL;
        size_t nv = 0, cap = 0;
        long empty = 0;
        int r;
        while ((r = dm_cursor_next(c)) == 1 && nv < 10000) {
            const char *t = dm_cursor_text(c, f->field[i]);
            if (!t || !*t) {
                empty++;
                continue;
            }
            size_t k = 0;
            while (k < nv && strcmp(v[k].text, t))
                k++;
            if (k < nv) {
                v[k].n++;
                continue;
            }
            if (nv == cap) {
                size_t nc = cap ? 2 * cap : 16;
                seen_value *nvv = realloc(v, nc * sizeof *nvv);
                if (!nvv)
                    break;
                v = nvv, cap = nc;
            }
            if (!(v[nv].text = strdup(t)))
                break;
            v[nv++].n = 1;
        }
        dm_cursor_free(c);
        qsort(v, nv, sizeof *v, by_count);
        char want[256], have[256];
        fold(f->value[i], want, sizeof want);
        const char *meant = NULL;
        for (size_t k = 0; k < nv && !meant; k++) {
            fold(v[k].text, have, sizeof have);
            if (!strcmp(want, have))
                meant = v[k].text;
        }
        if (meant)
            fprintf(stderr, "demine %s: did you mean --where %s=%s? (%s holds '%s')\n", cmd, f->field[i], meant,
                    f->field[i], meant);
        else if (nv) {
            fprintf(stderr, "demine %s: %s of %s holds:", cmd, f->field[i], layer);
            for (size_t k = 0; k < nv && k < 12; k++)
                fprintf(stderr, "%s %s (%ld)", k ? "," : "", v[k].text, v[k].n);
            if (nv > 12)
                fprintf(stderr, ", ... (%zu values)", nv);
            fprintf(stderr, "%s\n", empty ? "; some rows have none" : "");
        } else
            fprintf(stderr, "demine %s: no row of %s has a %s\n", cmd, layer, f->field[i]);
        for (size_t k = 0; k < nv; k++)
            free(v[k].text);
        free(v);
        break;
    }
}
