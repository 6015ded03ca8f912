/* SPDX-License-Identifier: MIT
 *
 * import_csv.c -- a CSV file as people type it rather than as RFC 4180 has
 * it: coordinates in degrees, minutes and seconds with the seconds mark
 * written plainly (39°54'10"N, not "39°54'10""N"). GDAL's CSV reader takes
 * any '"' for a quote, opening a field that runs on to the next one: the
 * columns after it shift, and the error then blames another column. Such a
 * file is read from a copy in which those fields are quoted, every record
 * on the line it was (the lines an error names are the file's).
 */
#include "io_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The separator of the header line: the first comma, semicolon or tab
 * outside quotes (a comma when none). */
static int header_sep(FILE *in)
{
    int c, quoted = 0;
    while ((c = getc(in)) != EOF && c != '\n' && c != '\r') {
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == ',' || c == ';' || c == '\t'))
            return c;
    }
    return ',';
}

/* A field read unquoted that holds a '"' after a digit: a seconds (or
 * inches) mark. */
static int has_mark(const dm_buf *f)
{
    for (size_t i = 1; i < f->len; i++)
        if (f->data[i] == '"' && isdigit((unsigned char)f->data[i - 1]))
            return 1;
    return 0;
}

/* One field read unquoted, to out: quoted, its '"' doubled, when it holds
 * one. */
static void put_field(const dm_buf *f, FILE *out)
{
    if (!memchr(f->data ? f->data : "", '"', f->len)) {
        fwrite(f->data ? f->data : "", 1, f->len, out);
        return;
    }
    putc('"', out);
    for (size_t i = 0; i < f->len; i++) {
        if (f->data[i] == '"')
            putc('"', out);
        putc(f->data[i], out);
    }
    putc('"', out);
}

/* Read in field by field as RFC 4180 has it, a '"' inside a field that does
 * not start with one being a character of it (as spreadsheets read it).
 * With out, write the file again there, such fields quoted. Returns 1 when
 * a field holds a seconds mark, 0 when none, -1 out of memory. */
static int scan(FILE *in, int sep, FILE *out)
{
    enum { START, PLAIN, QUOTED, AFTER } m = START;
    dm_buf f;
    dm__buf_init(&f);
    int c, found = 0;
    while ((c = getc(in)) != EOF) {
        if (m == START && c == '"') {
            m = QUOTED;
            if (out)
                putc(c, out);
            continue;
        }
        if (m == START) {
            m = PLAIN;
            dm__buf_reset(&f);
        }
        if (m == PLAIN) {
            if (c != sep && c != '\n' && c != '\r') {
                char ch = (char)c;
                dm__buf_add(&f, &ch, 1);
                if (f.oom)
                    break;
                continue;
            }
            found |= has_mark(&f);
            if (out)
                put_field(&f, out);
            m = START;
        } else if (m == QUOTED && c == '"') {
            int d = getc(in);
            if (d == '"') { /* a quote inside the quotes */
                if (out)
                    putc(c, out);
            } else {
                if (d != EOF)
                    ungetc(d, in);
                m = AFTER;
            }
        } else if (m == AFTER && (c == sep || c == '\n' || c == '\r')) {
            m = START;
        }
        if (out)
            putc(c, out);
    }
    if (m == PLAIN && !f.oom) {
        found |= has_mark(&f);
        if (out)
            put_field(&f, out);
    }
    int oom = f.oom;
    dm__buf_free(&f);
    return oom ? -1 : found;
}

/* The header's column names, for the messages of dm__csv_check_shape. */
#define SHAPE_COLS 512
typedef struct shape_state {
    char names[SHAPE_COLS][48];
    int header_n;   /* columns of the header; -1 before it is read */
    int named;      /* of them with a name */
    long records;   /* records after the header (blank lines left out) */
} shape_state;

static const char *shape_col(const shape_state *sh, int i, char *buf, size_t n)
{
    if (sh->header_n >= 0 && i < sh->header_n && i < SHAPE_COLS && sh->names[i][0])
        snprintf(buf, n, "column '%s'", sh->names[i]);
    else
        snprintf(buf, n, "column %d", i + 1);
    return buf;
}

dm_status dm__csv_check_shape(dm_ctx *ctx, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return DM_OK; /* the reader names the file it cannot read */
    int sep = header_sep(in);
    rewind(in);
    shape_state *sh = calloc(1, sizeof *sh);
    if (!sh) {
        fclose(in);
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    }
    sh->header_n = -1;
    dm_status st = DM_OK;
    char col[80];
    long line = 1, rec_line = 1, quote_line = 0;
    int nf = 0, quoted = 0, at_start = 1, closed = 0, content = 0, blank = 1, quote_field = 0;
    char text[48];
    size_t tn = 0;
    int c;
    for (;;) {
        c = getc(in);
        if (c == 0) {
            char where[64];
            if (sh->header_n < 0)
                snprintf(where, sizeof where, "the header (line %ld)", line);
            else
                snprintf(where, sizeof where, "feature %ld (line %ld)", sh->records + 1, line);
            st = dm__fail(ctx, DM_EPARSE,
                          "%s: %s, %s: a NUL byte (0x00), which no text holds: the file is no "
                          "CSV text%s; save it as CSV (UTF-8)",
                          path, where, shape_col(sh, nf, col, sizeof col),
                          line == 1 ? " (UTF-16, as Excel's 'Unicode text' writes it, has one in every "
                                      "other byte)"
                                    : "");
            break;
        }
        if (quoted) {
            if (c == EOF) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: line %ld, %s: a quote (\") opens the value and is never closed: "
                              "the rest of the file would be read into it; close it, or remove the "
                              "quote",
                              path, quote_line, shape_col(sh, quote_field, col, sizeof col));
                break;
            }
            if (c == '"') {
                int d = getc(in);
                if (d == '"') {
                    content = 1;
                    continue;
                }
                if (d != EOF)
                    ungetc(d, in);
                quoted = 0;
                closed = 1;
            } else {
                content = 1;
                if (c == '\n')
                    line++;
                if (sh->header_n < 0 && tn + 1 < sizeof text)
                    text[tn++] = (char)c;
            }
            continue;
        }
        if (c == '"' && at_start) {
            quoted = 1;
            quote_line = line;
            quote_field = nf;
            at_start = 0;
            blank = 0;
            continue;
        }
        if (c == sep || c == '\n' || c == '\r' || c == EOF) {
            /* the end of a field */
            if (sh->header_n < 0 && nf < SHAPE_COLS) {
                while (tn && (text[tn - 1] == ' ' || text[tn - 1] == '\t'))
                    tn--;
                size_t b = 0;
                while (b < tn && (text[b] == ' ' || text[b] == '\t'))
                    b++;
                /* a byte order mark before the first name */
                if (nf == 0 && tn - b >= 3 && !memcmp(text + b, "\xEF\xBB\xBF", 3))
                    b += 3;
                snprintf(sh->names[nf], sizeof sh->names[nf], "%.*s", (int)(tn - b), text + b);
            }
            /* a value past the header's last column: GDAL drops it. A first
             * line of one name is a title above the column names, which the
             * importer names with the line they are on */
            if (sh->header_n >= 0 && nf >= sh->header_n && content && sh->named > 1) {
                st = dm__fail(ctx, DM_EPARSE,
                              "%s: feature %ld (line %ld) has a value in column %d, but the header names %d "
                              "column%s (the last %s): a value would be lost; a separator (%s) inside a "
                              "value that is not quoted? Quote the value, or name the column in the header",
                              path, sh->records + 1, rec_line, nf + 1, sh->header_n,
                              sh->header_n == 1 ? "" : "s", shape_col(sh, sh->header_n - 1, col, sizeof col),
                              sep == '\t' ? "a tab" : sep == ';' ? "';'" : "','");
                break;
            }
            nf++;
            at_start = 1;
            closed = 0;
            content = 0;
            tn = 0;
            if (c == sep) {
                blank = 0;
                continue;
            }
            /* the end of a record */
            if (c == '\r') {
                int d = getc(in);
                if (d != '\n' && d != EOF)
                    ungetc(d, in);
            }
            if (!blank) {
                if (sh->header_n < 0) {
                    sh->header_n = nf;
                    for (int i = 0; i < nf && i < SHAPE_COLS; i++)
                        sh->named += sh->names[i][0] != '\0';
                } else
                    sh->records++;
            }
            if (c == EOF)
                break;
            line++;
            rec_line = line;
            nf = 0;
            blank = 1;
            continue;
        }
        /* a character of an unquoted value, or after a closing quote */
        at_start = 0;
        blank = 0;
        if (!closed && c != ' ' && c != '\t')
            content = 1;
        if (!closed && sh->header_n < 0 && tn + 1 < sizeof text)
            text[tn++] = (char)c;
    }
    free(sh);
    fclose(in);
    return st;
}

/* The sidecar of path with extension ext (".csvt": the columns' types,
 * ".prj": the CRS), beside the copy too. */
static void link_sidecar(const char *path, const char *dir, const char *ext)
{
    char side[PATH_MAX], abs[PATH_MAX], to[PATH_MAX];
    size_t n = strlen(path);
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - path);
    if (snprintf(side, sizeof side, "%.*s%s", (int)n, path, ext) >= (int)sizeof side)
        return;
    if (access(side, R_OK) != 0 || !realpath(side, abs))
        return;
    const char *base = strrchr(side, '/');
    base = base ? base + 1 : side;
    if (snprintf(to, sizeof to, "%s/%s", dir, base) < (int)sizeof to && symlink(abs, to) != 0)
        return; /* read without it, as a file without one */
}

int dm__csv_quote_marks(const char *path, char **copy)
{
    *copy = NULL;
    FILE *in = fopen(path, "rb");
    if (!in)
        return 0; /* the reader names the file it cannot read */
    int sep = header_sep(in);
    rewind(in);
    int found = scan(in, sep, NULL);
    if (found <= 0) {
        fclose(in);
        return found < 0 ? (errno = ENOMEM, -1) : 0;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/demine-csv-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fclose(in);
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(dir) + strlen(base) + 2;
    char *to = malloc(n);
    FILE *out = to ? (snprintf(to, n, "%s/%s", dir, base), fopen(to, "wb")) : NULL;
    if (!out) {
        int e = to ? errno : ENOMEM;
        fclose(in);
        free(to);
        rmdir(dir);
        errno = e;
        return -1;
    }
    rewind(in);
    int rc = scan(in, sep, out);
    int werr = ferror(out);
    fclose(in);
    if (fclose(out) != 0 || werr || rc < 0) {
        int e = rc < 0 ? ENOMEM : errno ? errno : EIO;
        dm__csv_copy_remove(to);
        errno = e;
        return -1;
    }
    link_sidecar(path, dir, ".csvt");
    link_sidecar(path, dir, ".prj");
    *copy = to;
    return 0;
}

void dm__csv_copy_remove(char *copy)
{
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    if (slash) {
        *slash = '\0'; /* the directory made for it, and all in it */
        DIR *d = opendir(copy);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[PATH_MAX];
            if (snprintf(p, sizeof p, "%s/%s", copy, e->d_name) < (int)sizeof p)
                unlink(p);
        }
        if (d)
            closedir(d);
        rmdir(copy);
    }
    free(copy);
}
