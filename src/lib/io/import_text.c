/* SPDX-License-Identifier: MIT
 *
 * import_text.c -- numbers and coordinates as people write them in
 * spreadsheets and old records: decimal commas ("39,8123" from a European
 * Excel), thousands separators ("12 500", "1,500.5", "1.234,5"), and
 * degrees, minutes and seconds ("40°12'30\"N", "N 40 12.5", "40°12'30,5\" с.ш.").
 *
 * Each function either gives the one value the text can mean or says it is
 * not of its form; the caller's message then names the value as it was.
 */
#include "io_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Length of a group separator at p: a space, a no-break or thin space, an
 * apostrophe (Swiss) or a right single quote; 0 when none. */
static size_t group_sep_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (*u == ' ' || *u == '\'')
        return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0) /* U+00A0 no-break space */
        return 2;
    if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xAF || u[2] == 0x89 || u[2] == 0x99))
        return 3; /* U+202F narrow no-break space, U+2009 thin space, U+2019 */
    return 0;
}

const char *dm__number_text(const char *v, int decimal_comma, char *buf, size_t n)
{
    while (isspace((unsigned char)*v))
        v++;
    size_t len = strlen(v);
    while (len && isspace((unsigned char)v[len - 1]))
        len--;
    if (!len || len >= n || len > 64)
        return NULL;
    /* pieces: runs of digits and the one-character separators between them */
    const char *p = v, *end = v + len;
    char sign = 0;
    if (*p == '-' || *p == '+')
        sign = *p++;
    char digits[8][64];
    int nd = 0;
    char seps[8]; /* ',', '.' or ' ' (any group separator) after digits[i] */
    while (p < end) {
        size_t k = 0;
        while (p < end && isdigit((unsigned char)*p) && k < 63)
            digits[nd][k++] = *p++;
        digits[nd][k] = '\0';
        if (!k || nd == 7)
            return NULL;
        nd++;
        if (p == end)
            break;
        size_t g = group_sep_len(p);
        if (*p == ',' || *p == '.') {
            seps[nd - 1] = *p++;
        } else if (g) {
            seps[nd - 1] = ' ';
            p += g;
        } else
            return NULL;
        if (p == end)
            return NULL;
    }
    if (nd < 2)
        return NULL; /* plain digits: the store reads them */
    int n_comma = 0, n_dot = 0;
    for (int i = 0; i < nd - 1; i++) {
        n_comma += seps[i] == ',';
        n_dot += seps[i] == '.';
    }
    /* which separator is the decimal one, if any */
    char dec = 0;
    if (n_comma && n_dot) {
        dec = seps[nd - 2]; /* the last: "1,500.5" or "1.500,5" */
        if ((dec == ',' ? n_comma : n_dot) != 1)
            return NULL;
    } else if (n_comma == 1 && (decimal_comma || strlen(digits[nd - 1]) != 3))
        dec = ','; /* "39,8123"; "1,500" is 1.5 only in a file of decimal commas */
    else if (n_dot == 1)
        dec = '.';
    /* the rest are group separators, one kind, three digits apart */
    char group = 0;
    for (int i = 0; i < nd - 1; i++) {
        if (seps[i] == dec && i == nd - 2)
            break;
        if (group && seps[i] != group)
            return NULL;
        group = seps[i];
    }
    int n_groups = nd - (dec ? 1 : 0); /* digit runs before the decimal separator */
    if (group) {
        size_t first = strlen(digits[0]);
        if (first < 1 || first > 3)
            return NULL;
        for (int i = 1; i < n_groups; i++)
            if (strlen(digits[i]) != 3)
                return NULL;
    } else if (n_groups != 1)
        return NULL;
    size_t o = 0;
    if (sign)
        buf[o++] = sign;
    for (int i = 0; i < n_groups; i++) {
        size_t k = strlen(digits[i]);
        memcpy(buf + o, digits[i], k);
        o += k;
    }
    if (dec) {
        buf[o++] = '.';
        size_t k = strlen(digits[nd - 1]);
        memcpy(buf + o, digits[nd - 1], k);
        o += k;
    }
    buf[o] = '\0';
    return buf;
}

/* A hemisphere letter at p (N S E W, Russian С Ю В З with "с.ш." and the
 * like): its sign and axis (1 latitude, 2 longitude), the bytes it takes. */
static size_t hemisphere(const char *p, int *sign, int *axis)
{
    static const struct {
        const char *s;
        int sign, axis;
    } h[] = {
        {"с.ш.", 1, 1},   {"ю.ш.", -1, 1}, {"в.д.", 1, 2},   {"з.д.", -1, 2}, {"с. ш.", 1, 1},
        {"ю. ш.", -1, 1}, {"в. д.", 1, 2}, {"з. д.", -1, 2}, {"N", 1, 1},     {"S", -1, 1},
        {"E", 1, 2},      {"W", -1, 2},    {"n", 1, 1},      {"s", -1, 1},    {"e", 1, 2},
        {"w", -1, 2},     {"С", 1, 1},     {"Ю", -1, 1},     {"В", 1, 2},     {"З", -1, 2},
    };
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        size_t k = strlen(h[i].s);
        if (!strncmp(p, h[i].s, k)) {
            *sign = h[i].sign;
            *axis = h[i].axis;
            return k;
        }
    }
    return 0;
}

/* Length of a degrees, minutes or seconds mark at p, with which it is
 * (1 degrees, 2 minutes, 3 seconds); 0 when none. */
static size_t dms_mark(const char *p, int *which)
{
    static const struct {
        const char *s;
        int which;
    } m[] = {
        {"\xC2\xB0", 1},
        {"\xC2\xBA", 1},
        {"d", 1},
        {"''", 3},
        {"\"", 3},
        {"\xE2\x80\xB3", 3},
        {"\xE2\x80\x9D", 3},
        {"s", 3},
        {"'", 2},
        {"\xE2\x80\xB2", 2},
        {"\xE2\x80\x99", 2},
        {"m", 2},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        size_t k = strlen(m[i].s);
        if (!strncmp(p, m[i].s, k)) {
            *which = m[i].which;
            return k;
        }
    }
    return 0;
}

int dm__parse_coord(const char *v, int decimal_comma, double *out, int *axis)
{
    *axis = 0;
    while (isspace((unsigned char)*v))
        v++;
    if (!*v)
        return 0;
    /* a plain number, or one with a decimal comma or thousands separators */
    char *end = NULL;
    double x = strtod(v, &end);
    const char *q = end;
    while (q && isspace((unsigned char)*q))
        q++;
    if (end != v && !*q && isfinite(x)) {
        *out = x;
        return 1;
    }
    char buf[80];
    const char *t = dm__number_text(v, decimal_comma, buf, sizeof buf);
    if (t) {
        *out = strtod(t, NULL);
        return 1;
    }
    /* degrees, minutes, seconds with marks or spaces, a hemisphere letter
     * before or after */
    int sign = 1, hs = 0, ha = 0;
    const char *p = v;
    size_t k = hemisphere(p, &hs, &ha);
    if (k) {
        p += k;
        sign = hs;
    } else if (*p == '-') {
        sign = -1;
        p++;
    }
    double part[3] = {0, 0, 0};
    int n = 0, last_mark = 0, marked = 0;
    while (*p && n < 3) {
        while (isspace((unsigned char)*p) || *p == ':')
            p++;
        if (!isdigit((unsigned char)*p))
            break;
        char num[40];
        size_t j = 0;
        while ((isdigit((unsigned char)*p) || *p == '.' || *p == ',') && j < sizeof num - 1) {
            num[j++] = *p == ',' ? '.' : *p;
            p++;
        }
        num[j] = '\0';
        char *e = NULL;
        double d = strtod(num, &e);
        if (*e || !isfinite(d))
            return 0;
        while (isspace((unsigned char)*p))
            p++;
        int which = 0;
        size_t m = dms_mark(p, &which);
        if (m) {
            if (which <= last_mark || which != n + 1)
                return 0; /* marks out of order: 12'40° */
            p += m;
            marked = 1;
            last_mark = which;
        } else
            which = n + 1;
        part[which - 1] = d;
        n = which;
        if (n < 3 && strchr(num, '.'))
            break; /* decimal degrees or minutes end the value */
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p) {
        if (ha)
            return 0; /* two hemispheres */
        k = hemisphere(p, &hs, &ha);
        if (!k)
            return 0;
        sign = hs;
        p += k;
        while (isspace((unsigned char)*p))
            p++;
        if (*p)
            return 0;
    }
    if (!n || (!marked && !ha && n < 2))
        return 0;
    if (part[1] >= 60 || part[2] >= 60 || (n > 1 && part[0] != floor(part[0])) ||
        (n > 2 && part[1] != floor(part[1])))
        return 0;
    *out = sign * (part[0] + part[1] / 60 + part[2] / 3600);
    *axis = ha;
    return 1;
}
