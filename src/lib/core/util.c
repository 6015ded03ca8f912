/* SPDX-License-Identifier: MIT
 *
 * util.c -- small self-contained helpers: string buffers, JSON string
 * escaping, UUIDs, dates and times, and whether two paths name one file.
 *
 * Dates are kept as ISO "YYYY-MM-DD" text in the database; this file is the
 * one place that parses and checks them.
 */
#include "dm_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ============================ string buffer ============================ */

void dm__buf_init(dm_buf *b) { memset(b, 0, sizeof *b); }

void dm__buf_free(dm_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void dm__buf_reset(dm_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dm__buf_add(dm_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dm__buf_puts(dm_buf *b, const char *s) { dm__buf_add(b, s, strlen(s)); }

void dm__buf_printf(dm_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        dm__buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    dm__buf_add(b, big, (size_t)n);
    free(big);
}

void dm__buf_json_str(dm_buf *b, const char *s)
{
    if (!s) {
        dm__buf_puts(b, "null");
        return;
    }
    dm__buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': dm__buf_add(b, "\\\"", 2); break;
        case '\\': dm__buf_add(b, "\\\\", 2); break;
        case '\n': dm__buf_add(b, "\\n", 2); break;
        case '\r': dm__buf_add(b, "\\r", 2); break;
        case '\t': dm__buf_add(b, "\\t", 2); break;
        default:
            if (*p < 0x20)
                dm__buf_printf(b, "\\u%04x", *p);
            else
                dm__buf_add(b, (const char *)p, 1);
        }
    }
    dm__buf_add(b, "\"", 1);
}

void dm__buf_json_num(dm_buf *b, double v)
{
    if (!isfinite(v))
        dm__buf_puts(b, "null");
    else if (v == (double)(long long)v && fabs(v) < 1e15)
        dm__buf_printf(b, "%lld", (long long)v);
    else
        dm__buf_printf(b, "%.10g", v);
}

char *dm__buf_take(dm_buf *b)
{
    char *s = b->data;
    if (!s)
        s = calloc(1, 1);
    memset(b, 0, sizeof *b);
    return s;
}

void dm__strlcpy(char *dst, const char *src, size_t n)
{
    if (n == 0)
        return;
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

int dm__strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

/* ============================ uuid and time ============================ */

/* UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then a
 * 12-bit sequence that keeps ids made within one millisecond in order, then
 * 62 random bits. Time-ordered ids land at the end of the uuid indexes, so
 * large imports append to the B-trees instead of splitting pages at random. */
void dm_uuid_new(char out[37])
{
    static _Atomic uint64_t last; /* (ms << 12) | seq of the previous id */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    uint64_t prev = atomic_load(&last), next;
    do {
        next = ms << 12;
        if (next <= prev)
            next = prev + 1; /* same millisecond (or clock stepped back): count on */
    } while (!atomic_compare_exchange_weak(&last, &prev, next));
    uint64_t t = next >> 12, seq = next & 0xfff;
    unsigned char r[16];
    size_t got = 0;
    while (got < 8) {
        ssize_t n = getrandom(r + 8 + got, 8 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < 8) { /* no entropy source: fall back to time and address */
        unsigned long long x = (unsigned long long)ts.tv_nsec ^ (unsigned long long)(uintptr_t)out;
        for (size_t i = 8; i < 16; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    for (int i = 0; i < 6; i++)
        r[i] = (unsigned char)(t >> (40 - 8 * i));
    r[6] = (unsigned char)(0x70 | ((seq >> 8) & 0x0f));
    r[7] = (unsigned char)(seq & 0xff);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
             r[13], r[14], r[15]);
}

void dm_now_iso(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dm__now_gpkg(char out[25])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t t = ts.tv_sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[32], full[48];
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(full, sizeof full, "%s.%03dZ", s, (int)(ts.tv_nsec / 1000000) % 1000);
    dm__strlcpy(out, full, 25);
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

/* Parse a date; a missing month or day is the first (end = 0) or the last
 * (end = 1) of the period named. Strict: YYYY, YYYY-MM or YYYY-MM-DD and
 * nothing else (a date typed as an option); else also the forms found in
 * data: DD/MM/YYYY, YYYY/MM/DD, a time after 'T' or ' ', "2012.0". */
static int date_parse(const char *s, char out[11], int end, int strict)
{
    if (!s)
        return 0;
    while (*s == ' ' && !strict)
        s++;
    int y = 0, m = 1, d = 1, has_m = 0, has_d = 0;
    const char *p = s;
    if (strict) {
        if (!read_digits(&p, 4, &y))
            return 0;
        if (*p == '-') {
            p++;
            if (!read_digits(&p, 2, &m))
                return 0;
            has_m = 1;
            if (*p == '-') {
                p++;
                if (!read_digits(&p, 2, &d))
                    return 0;
                has_d = 1;
            }
        }
        if (*p)
            return 0;
    } else if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == '/') {
        /* DD/MM/YYYY */
        if (!read_digits(&p, 2, &d) || *p++ != '/' || !read_digits(&p, 2, &m) || *p++ != '/' ||
            !read_digits(&p, 4, &y))
            return 0;
        has_m = has_d = 1;
    } else {
        if (!read_digits(&p, 4, &y))
            return 0;
        char sep = *p; /* "YYYY-MM-DD", or "YYYY/MM/DD" as GDAL formats date fields */
        if (sep == '-' || sep == '/') {
            p++;
            if (!read_digits(&p, 2, &m))
                return 0;
            has_m = 1;
            if (*p == sep) {
                p++;
                if (!read_digits(&p, 2, &d))
                    return 0;
                has_d = 1;
            }
        } else if (*p == '.' && p[1] == '0' && (p[2] == '\0')) {
            p += 2; /* "2012.0" from a numeric year column */
        }
    }
    if (*p && *p != 'T' && *p != ' ')
        return 0;
    if (end && !has_m)
        m = 12;
    if (end && !has_d && m >= 1 && m <= 12 && y >= 1800 && y <= 2200)
        d = days_in_month(y, m);
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    return 1;
}

int dm_date_parse(const char *s, char out[11])
{
    return date_parse(s, out, 0, 0);
}

/* Its callers are the ends of ranges given by people (--until, --to, the
 * API's until): "03/04/2022" could be either of two days, and anything after
 * the date is a typing slip, not a time. */
int dm_date_parse_end(const char *s, char out[11])
{
    return date_parse(s, out, 1, 1);
}

long dm_date_days(const char *ymd)
{
    /* already validated as YYYY-MM-DD */
    int y = (ymd[0] - '0') * 1000 + (ymd[1] - '0') * 100 + (ymd[2] - '0') * 10 + (ymd[3] - '0');
    int m = (ymd[5] - '0') * 10 + (ymd[6] - '0');
    int d = (ymd[8] - '0') * 10 + (ymd[9] - '0');
    /* days from civil (Howard Hinnant's algorithm) */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int dm_qgis_style_path(const char *data_path, char *out, size_t size)
{
    const char *slash = strrchr(data_path, '/');
    const char *dot = strrchr(data_path, '.');
    size_t stem = (dot && (!slash || dot > slash + 1)) ? (size_t)(dot - data_path) : strlen(data_path);
    int n = snprintf(out, size, "%.*s.qml", (int)stem, data_path);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The directory of path (stat-ed into st) and where its last name begins:
 * 0 when the directory cannot be stat-ed. */
static int dir_of(const char *path, struct stat *st, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return stat(".", st) == 0;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir)
        return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    int ok = stat(dir, st) == 0;
    free(dir);
    return ok;
}

int dm_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b)
        return 0;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb)
        return 0; /* one exists, the other not: different names */
    /* neither exists yet: the same name in the same directory */
    const char *ba, *bb;
    if (!dir_of(a, &sa, &ba) || !dir_of(b, &sb, &bb))
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && *ba && !strcmp(ba, bb) &&
           strcmp(ba, ".") && strcmp(ba, "..");
}

size_t dm__utf8_char(const char *s0)
{
    const unsigned char *s = (const unsigned char *)s0;
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* stops at the end of s too */
    if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
        (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return n;
}

/* Length of the white space character at s (0: none): ASCII, or a Unicode
 * space in UTF-8 (U+00A0, U+1680, U+2000-U+200B, U+202F, U+205F, U+3000,
 * U+FEFF). */
static size_t space_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8B || s[2] == 0xAF))
        return s[2] >= 0x80 ? 3 : 0;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

char *dm_text_trim(char *s)
{
    if (!s)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t a = 0, k;
    while (u[a] && (k = space_len(u + a)))
        a += k;
    /* the end: the last character that is not a space */
    size_t end = a, i = a;
    while (u[i]) {
        k = space_len(u + i);
        if (k)
            i += k;
        else
            end = ++i;
    }
    memmove(s, s + a, end - a);
    s[end - a] = '\0';
    return s;
}

int dm_text_blank(const char *s)
{
    if (!s)
        return 1;
    const unsigned char *u = (const unsigned char *)s;
    size_t k;
    while (*u && (k = space_len(u)))
        u += k;
    return *u == '\0';
}

dm_status dm__refuse_special_file(dm_ctx *ctx, const char *path, const char *open_path, const char *verb)
{
    struct stat sb;
    if (stat(open_path ? open_path : path, &sb) != 0 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
        return DM_OK;
    return dm__fail(ctx, DM_EPARSE, "%s: not a file but a %s: save what it holds to a file and %s", path,
                    S_ISFIFO(sb.st_mode) ? "pipe (FIFO)" : S_ISSOCK(sb.st_mode) ? "socket" : "device", verb);
}

dm_status dm__vector_open_fail(dm_ctx *ctx, const char *path, const char *open_path, const char *why)
{
    struct stat sb;
    const char *f = open_path ? open_path : path;
    if (stat(f, &sb) != 0 || (S_ISREG(sb.st_mode) && access(f, R_OK) != 0))
        return dm__fail(ctx, DM_EIO, "%s: %s", path, strerror(errno));
    return dm__fail(ctx, DM_EIO, "%s: cannot open as a vector file: %s", path,
                    why && *why ? why : "not a format GDAL reads");
}
