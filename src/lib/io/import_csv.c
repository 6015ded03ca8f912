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
