/* SPDX-License-Identifier: MIT
 *
 * dm_core.h -- the library context, status codes, logging and progress.
 *
 * Every library call that can fail takes a dm_ctx first and returns a
 * dm_status; the human-readable reason is left in dm_ctx_errmsg(). The
 * library never prints: log lines and progress go through callbacks that the
 * CLI or the server install. A context is used by one thread at a time.
 */
#ifndef DM_CORE_H
#define DM_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DM_API

#define DM_VERSION_STRING "0.1.0"

/* Status codes grouped by hundreds: (st / 100) is the category. Never
 * renumber a released code. */
typedef enum dm_status {
    DM_OK = 0,
    /* 1xx -- the caller's input is wrong; retrying will not help */
    DM_EINVAL = 100,    /* bad argument or option */
    DM_EPARSE = 101,    /* malformed input file or value */
    DM_ENOTFOUND = 102, /* no such row, layer, file or field */
    DM_ECONFLICT = 103, /* duplicate or contradicting data */
    DM_EFORBIDDEN = 104,/* not allowed for this user */
    /* 2xx -- the environment failed; may succeed later */
    DM_EIO = 200,
    DM_ENOMEM = 201,
    DM_EBUSY = 202, /* database locked */
    /* 3xx -- data or a dependency rejected the operation */
    DM_ESCHEMA = 300, /* not a demine database, or a newer schema */
    DM_EGEOM = 301,   /* invalid or unusable geometry */
    DM_EPROJ = 302,   /* coordinate reference system problem */
    DM_EGDAL = 303,   /* GDAL/OGR failed */
    DM_ESQL = 304,    /* SQLite failed */
    /* 9xx -- a bug in demine */
    DM_EINTERNAL = 900
} dm_status;

typedef struct dm_ctx dm_ctx;

typedef enum dm_log_level { DM_LOG_DEBUG = 0, DM_LOG_INFO = 1, DM_LOG_WARN = 2 } dm_log_level;

/* Log sink: receives one line (no trailing newline). */
typedef void (*dm_log_fn)(void *user, dm_log_level level, const char *msg);

/* Progress sink: `what` names the stage ("import", "risk map"), done/total
 * count work units (total may be 0 when unknown). Called at most a few times a
 * second per stage, and once with done == total at the end. */
typedef void (*dm_progress_fn)(void *user, const char *what, uint64_t done, uint64_t total);

/* Create a context. Returns NULL only when out of memory.
 * Ownership: the caller owns it; release with dm_ctx_free(). */
DM_API dm_ctx *dm_ctx_new(void);

/* Free a context. dm_ctx_free(NULL) does nothing. */
DM_API void dm_ctx_free(dm_ctx *ctx);

/* The message of the last failure on this context ("" when none).
 * Ownership: borrowed; valid until the next call on ctx. */
DM_API const char *dm_ctx_errmsg(const dm_ctx *ctx);

/* The status of the last failure (DM_OK when none). */
DM_API dm_status dm_ctx_errcode(const dm_ctx *ctx);

/* Forget the last failure. */
DM_API void dm_ctx_clear_error(dm_ctx *ctx);

/* Short symbolic name of a status, e.g. "DM_EPARSE". Never NULL. */
DM_API const char *dm_status_name(dm_status st);

/* Install the log and progress sinks (either may be NULL to silence it). */
DM_API void dm_ctx_set_log(dm_ctx *ctx, dm_log_fn fn, void *user);
DM_API void dm_ctx_set_progress(dm_ctx *ctx, dm_progress_fn fn, void *user);

/* The author recorded in the change log for writes made through this context
 * (default: $USER or "unknown"). The string is copied. */
DM_API dm_status dm_ctx_set_author(dm_ctx *ctx, const char *author);
DM_API const char *dm_ctx_author(const dm_ctx *ctx);

/* Number of worker threads engines may use (default: online CPUs). */
DM_API void dm_ctx_set_threads(dm_ctx *ctx, int n);
DM_API int dm_ctx_threads(const dm_ctx *ctx);

/* Allocation accounting, for tests: bytes currently allocated through ctx and
 * the number of live blocks. */
DM_API size_t dm_ctx_live_blocks(const dm_ctx *ctx);

/* Fail the n-th allocation from now (1 = the next one); 0 disables. For
 * fault-injection tests. */
DM_API void dm_ctx_fail_alloc_after(dm_ctx *ctx, long n);

/* Memory helpers that go through the context's accounting. dm_free(ctx, NULL)
 * does nothing. dm_calloc checks n*size for overflow. */
DM_API void *dm_malloc(dm_ctx *ctx, size_t size);
DM_API void *dm_calloc(dm_ctx *ctx, size_t n, size_t size);
DM_API void *dm_realloc(dm_ctx *ctx, void *p, size_t size);
DM_API void dm_free(dm_ctx *ctx, void *p);
DM_API char *dm_strdup(dm_ctx *ctx, const char *s);

/* Fill `out` (37 bytes) with a new time-ordered UUID (RFC 9562 version 7):
 * ids made later sort later, within a process even in the same millisecond. */
DM_API void dm_uuid_new(char out[37]);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
DM_API void dm_now_iso(char out[21]);

/* Parse a date "YYYY", "YYYY-MM", "YYYY-MM-DD" (a time part after 'T' or ' '
 * is accepted and ignored; "YYYY/MM/DD" and "DD/MM/YYYY" too). On success writes the
 * normalised "YYYY-MM-DD" (missing parts as 01) to out (11 bytes) and
 * returns 1; returns 0 for anything else, including impossible dates. */
DM_API int dm_date_parse(const char *s, char out[11]);
/* For the end of a date range typed by a user ("--until 2012" keeps
 * everything dated in 2012): only "YYYY", "YYYY-MM" or "YYYY-MM-DD", nothing
 * before or after; a missing month or day is the last of the period: "2012"
 * is 2012-12-31 and "2012-02" 2012-02-29. */
DM_API int dm_date_parse_end(const char *s, char out[11]);

/* Days since 1970-01-01 of a normalised date, for ordering and arithmetic. */
DM_API long dm_date_days(const char *ymd);

/* The style file QGIS loads by itself with a data file (a map, an exported
 * layer): the file's path with the extension .qml, into out; -1 when it
 * does not fit. */
DM_API int dm_qgis_style_path(const char *data_path, char *out, size_t size);

/* 1 when both paths name the same file (links and "./a" included), else 0.
 * Paths to files not there yet are the same when they name the same
 * directory and the same file name ("out.tif" and "./out.tif"). */
DM_API int dm_same_file(const char *a, const char *b);

/* Strip white space from both ends of s in place and return s: ASCII
 * spaces, tabs and line breaks, and the Unicode spaces a keyboard or a
 * copy-paste brings in UTF-8 (no-break, en/em and other fixed-width spaces,
 * zero-width space and no-break, ideographic space). NULL gives NULL. */
DM_API char *dm_text_trim(char *s);
/* 1 when s is NULL, empty or white space only (as dm_text_trim sees it). */
DM_API int dm_text_blank(const char *s);

#ifdef __cplusplus
}
#endif
#endif /* DM_CORE_H */
