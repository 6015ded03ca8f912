/* SPDX-License-Identifier: MIT
 *
 * dm_internal.h -- helpers shared by every module of the library: failing
 * with a message, logging, progress and small string buffers.
 *
 * Only files under src/lib include this header; the CLI and the server use
 * include/demine/ alone.
 */
#ifndef DM_INTERNAL_H
#define DM_INTERNAL_H

#include "demine/demine.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define DM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DM_PRINTF(a, b)
#endif

/* Record `code` and a formatted message on ctx, and return code. */
dm_status dm__fail(dm_ctx *ctx, dm_status code, const char *fmt, ...) DM_PRINTF(3, 4);
/* Room for element n of a growing array v of *cap elements of `size`
 * bytes: v itself while n < *cap, else v moved to twice the capacity
 * (`first` the first time) and *cap updated. NULL when out of memory
 * (DM_ENOMEM recorded on ctx; v is kept and still owned by the caller):
 *     T *nv = dm__grow(ctx, a->v, &a->cap, a->n, sizeof *nv, 64);
 *     if (!nv) return DM_ENOMEM;
 *     a->v = nv; */
void *dm__grow(dm_ctx *ctx, void *v, size_t *cap, size_t n, size_t size, size_t first);
/* The failure of opening path (read from open_path, a copy or the file
 * part of FILE:LAYER; NULL: path) as a vector file: a missing or unreadable
 * file by its system error ("No such file or directory"), else why GDAL
 * refused it (why: its message, "" or NULL when it gave none). DM_EIO. */
dm_status dm__vector_open_fail(dm_ctx *ctx, const char *path, const char *open_path, const char *why);
/* DM_OK unless path is a pipe, socket or device, which a reader would wait
 * on for ever or read as no data: then fails naming it, "save what it holds
 * to a file and " followed by verb ("import that", "give that"). */
dm_status dm__refuse_special_file(dm_ctx *ctx, const char *path, const char *open_path, const char *verb);
/* DM_ENOTFOUND "unknown layer 'NAME'", with a near miss ("did you mean
 * 'hazards'?") and the layers there are. */
dm_status dm__unknown_layer(dm_ctx *ctx, const char *name);
/* What to add to "layer L has no field 'NAME'": " (did you mean 'status'?)"
 * for a near miss, else " (fields: a, b, ...)"; into buf, returned. */
const char *dm__field_hint(const dm_layer_def *l, const char *name, char *buf, size_t n);
/* The field of l that NAME most likely means (a letter or three off, or
 * the same words in another order: "date_found" for "found_date"), or NULL. */
const char *dm__field_near(const dm_layer_def *l, const char *name);
/* The one of n names that NAME most likely means, as dm__field_near, or a
 * name NAME begins (4 letters or more); NULL when none is near. */
const char *dm__name_near(const char *name, const char *const *names, size_t n);

/* Prefix the current message with a formatted context, e.g. the file name:
 * "FILE: <previous message>". Returns the current code. */
dm_status dm__wrap(dm_ctx *ctx, const char *fmt, ...) DM_PRINTF(2, 3);

void dm__log(dm_ctx *ctx, dm_log_level level, const char *fmt, ...) DM_PRINTF(3, 4);

/* Report progress; rate-limited to a few calls a second unless done==total. */
void dm__progress(dm_ctx *ctx, const char *what, uint64_t done, uint64_t total);
/* Now in UTC as the GeoPackage writes a DATETIME, with milliseconds
 * ("2026-11-23T06:31:09.312Z"), which GDAL reads without a warning. */
void dm__now_gpkg(char out[25]);

/* ---- growable string buffer ------------------------------------------- */
typedef struct dm_buf {
    char *data;   /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    bool oom;     /* an append failed: the content is incomplete */
} dm_buf;

void dm__buf_init(dm_buf *b);
void dm__buf_free(dm_buf *b);
void dm__buf_reset(dm_buf *b);
void dm__buf_add(dm_buf *b, const char *s, size_t n);
void dm__buf_puts(dm_buf *b, const char *s);
void dm__buf_printf(dm_buf *b, const char *fmt, ...) DM_PRINTF(2, 3);
/* Append s as a JSON string literal, quotes included (NULL gives null). */
void dm__buf_json_str(dm_buf *b, const char *s);
/* Append a number in JSON (NaN and infinities become null). */
void dm__buf_json_num(dm_buf *b, double v);
/* Take the buffer's string (caller frees with free()); leaves b empty. */
char *dm__buf_take(dm_buf *b);

/* Copy at most n-1 bytes and always terminate. */
void dm__strlcpy(char *dst, const char *src, size_t n);
/* Case-insensitive ASCII comparison. */
int dm__strcasecmp(const char *a, const char *b);
/* Length (1-4) of the valid UTF-8 character at s, 0 when s does not start
 * one (a stray continuation byte, an overlong form, a surrogate, a code
 * point beyond U+10FFFF, or a sequence cut by the end of s). */
size_t dm__utf8_char(const char *s);

/* Per-context handles of dependencies (GEOS, PROJ), created on first use and
 * destroyed with the context. */
enum { DM__SLOT_GEOS = 0, DM__SLOT_PROJ = 1, DM__SLOT_COUNT = 4 };
void *dm__ctx_slot(dm_ctx *ctx, int slot);
void dm__ctx_set_slot(dm_ctx *ctx, int slot, void *value, void (*dtor)(void *));

/* Seconds since an arbitrary start, monotonic. */
double dm__seconds(void);

#endif /* DM_INTERNAL_H */
