/* SPDX-License-Identifier: MIT
 *
 * ctx.c -- the library context: last error, log and progress sinks, author,
 * thread count and counted allocation.
 *
 * Nothing here knows about files, SQL or geometry; every other module builds
 * on these few functions.
 */
#include "dm_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pwd.h>
#include <unistd.h>

#define DM_ERRMSG_MAX 2048

struct dm_ctx {
    dm_status code;
    char errmsg[DM_ERRMSG_MAX];
    dm_log_fn log_fn;
    void *log_user;
    dm_progress_fn progress_fn;
    void *progress_user;
    double progress_last;
    char progress_what[64];
    char *author;
    int threads;
    atomic_long live_blocks;
    atomic_long fail_after;
    void *slot[DM__SLOT_COUNT];
    void (*slot_dtor[DM__SLOT_COUNT])(void *);
};

/* Every block carries its size in a 16-byte header so that dm_realloc and the
 * accounting work without a table. */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

dm_ctx *dm_ctx_new(void)
{
    dm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    const char *user = getenv("DEMINE_AUTHOR");
    if (!user || !*user)
        user = getenv("USER");
    struct passwd pw, *res = NULL;
    char pwbuf[1024];
    if ((!user || !*user) && getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
        user = res->pw_name;
    if (!user || !*user)
        user = "unknown";
    ctx->author = strdup(user);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    ctx->threads = n > 0 ? (int)n : 1;
    atomic_init(&ctx->live_blocks, 0);
    atomic_init(&ctx->fail_after, 0);
    if (!ctx->author) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void dm_ctx_free(dm_ctx *ctx)
{
    if (!ctx)
        return;
    for (int i = 0; i < DM__SLOT_COUNT; i++)
        if (ctx->slot[i] && ctx->slot_dtor[i])
            ctx->slot_dtor[i](ctx->slot[i]);
    free(ctx->author);
    free(ctx);
}

void *dm__ctx_slot(dm_ctx *ctx, int slot) { return ctx->slot[slot]; }

void dm__ctx_set_slot(dm_ctx *ctx, int slot, void *value, void (*dtor)(void *))
{
    ctx->slot[slot] = value;
    ctx->slot_dtor[slot] = dtor;
}

const char *dm_ctx_errmsg(const dm_ctx *ctx) { return ctx->errmsg; }
dm_status dm_ctx_errcode(const dm_ctx *ctx) { return ctx->code; }

void dm_ctx_clear_error(dm_ctx *ctx)
{
    ctx->code = DM_OK;
    ctx->errmsg[0] = '\0';
}

void dm_ctx_set_log(dm_ctx *ctx, dm_log_fn fn, void *user)
{
    ctx->log_fn = fn;
    ctx->log_user = user;
}

void dm_ctx_set_progress(dm_ctx *ctx, dm_progress_fn fn, void *user)
{
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

dm_status dm_ctx_set_author(dm_ctx *ctx, const char *author)
{
    if (!author || !*author)
        return dm__fail(ctx, DM_EINVAL, "author must not be empty");
    char *copy = strdup(author);
    if (!copy)
        return dm__fail(ctx, DM_ENOMEM, "out of memory");
    free(ctx->author);
    ctx->author = copy;
    return DM_OK;
}

const char *dm_ctx_author(const dm_ctx *ctx) { return ctx->author; }

void dm_ctx_set_threads(dm_ctx *ctx, int n) { ctx->threads = n > 0 ? n : 1; }
int dm_ctx_threads(const dm_ctx *ctx) { return ctx->threads; }

size_t dm_ctx_live_blocks(const dm_ctx *ctx)
{
    return (size_t)atomic_load(&((dm_ctx *)ctx)->live_blocks);
}

void dm_ctx_fail_alloc_after(dm_ctx *ctx, long n) { atomic_store(&ctx->fail_after, n); }

const char *dm_status_name(dm_status st)
{
    switch (st) {
    case DM_OK: return "DM_OK";
    case DM_EINVAL: return "DM_EINVAL";
    case DM_EPARSE: return "DM_EPARSE";
    case DM_ENOTFOUND: return "DM_ENOTFOUND";
    case DM_ECONFLICT: return "DM_ECONFLICT";
    case DM_EFORBIDDEN: return "DM_EFORBIDDEN";
    case DM_EIO: return "DM_EIO";
    case DM_ENOMEM: return "DM_ENOMEM";
    case DM_EBUSY: return "DM_EBUSY";
    case DM_ESCHEMA: return "DM_ESCHEMA";
    case DM_EGEOM: return "DM_EGEOM";
    case DM_EPROJ: return "DM_EPROJ";
    case DM_EGDAL: return "DM_EGDAL";
    case DM_ESQL: return "DM_ESQL";
    case DM_EINTERNAL: return "DM_EINTERNAL";
    }
    return "DM_EUNKNOWN";
}

/* ======================= errors, logging, progress ======================= */

dm_status dm__fail(dm_ctx *ctx, dm_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->code = code;
    return code;
}

dm_status dm__wrap(dm_ctx *ctx, const char *fmt, ...)
{
    char prefix[1024];
    char old[DM_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, ctx->errmsg, sizeof old);
    snprintf(ctx->errmsg, sizeof ctx->errmsg, "%.1000s: %.1000s", prefix, old);
    if (ctx->code == DM_OK)
        ctx->code = DM_EINTERNAL;
    return ctx->code;
}

void dm__log(dm_ctx *ctx, dm_log_level level, const char *fmt, ...)
{
    if (!ctx->log_fn)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, line);
}

double dm__seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void dm__progress(dm_ctx *ctx, const char *what, uint64_t done, uint64_t total)
{
    if (!ctx->progress_fn)
        return;
    double now = dm__seconds();
    bool same = strncmp(ctx->progress_what, what, sizeof ctx->progress_what - 1) == 0;
    bool final = total > 0 && done >= total;
    if (same && !final && now - ctx->progress_last < 0.2)
        return;
    ctx->progress_last = now;
    dm__strlcpy(ctx->progress_what, what, sizeof ctx->progress_what);
    ctx->progress_fn(ctx->progress_user, what, done, total);
}

/* ============================== allocation ============================== */

static bool alloc_should_fail(dm_ctx *ctx)
{
    long n = atomic_load(&ctx->fail_after);
    if (n <= 0)
        return false;
    n = atomic_fetch_sub(&ctx->fail_after, 1);
    return n == 1;
}

void *dm_malloc(dm_ctx *ctx, size_t size)
{
    if (size > SIZE_MAX - sizeof(block_header) || alloc_should_fail(ctx)) {
        dm__fail(ctx, DM_ENOMEM, "out of memory (%zu bytes)", size);
        return NULL;
    }
    block_header *h = malloc(sizeof *h + size);
    if (!h) {
        dm__fail(ctx, DM_ENOMEM, "out of memory (%zu bytes)", size);
        return NULL;
    }
    h->size = size;
    atomic_fetch_add(&ctx->live_blocks, 1);
    return h + 1;
}

void *dm_calloc(dm_ctx *ctx, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        dm__fail(ctx, DM_ENOMEM, "allocation size overflows (%zu x %zu)", n, size);
        return NULL;
    }
    void *p = dm_malloc(ctx, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *dm_realloc(dm_ctx *ctx, void *p, size_t size)
{
    if (!p)
        return dm_malloc(ctx, size);
    if (size > SIZE_MAX - sizeof(block_header) || alloc_should_fail(ctx)) {
        dm__fail(ctx, DM_ENOMEM, "out of memory (%zu bytes)", size);
        return NULL;
    }
    block_header *h = (block_header *)p - 1;
    block_header *nh = realloc(h, sizeof *nh + size);
    if (!nh) {
        dm__fail(ctx, DM_ENOMEM, "out of memory (%zu bytes)", size);
        return NULL;
    }
    nh->size = size;
    return nh + 1;
}

void *dm__grow(dm_ctx *ctx, void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap && v)
        return v;
    size_t nc = *cap ? *cap : (first ? first : 16);
    while (nc <= n) {
        if (nc > SIZE_MAX / 2) {
            dm__fail(ctx, DM_ENOMEM, "out of memory (an array of %zu elements)", n + 1);
            return NULL;
        }
        nc *= 2;
    }
    if (size && nc > SIZE_MAX / size) {
        dm__fail(ctx, DM_ENOMEM, "allocation size overflows (%zu x %zu)", nc, size);
        return NULL;
    }
    void *nv = dm_realloc(ctx, v, nc * size);
    if (nv)
        *cap = nc;
    return nv;
}

void dm_free(dm_ctx *ctx, void *p)
{
    if (!p)
        return;
    atomic_fetch_sub(&ctx->live_blocks, 1);
    free((block_header *)p - 1);
}

char *dm_strdup(dm_ctx *ctx, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = dm_malloc(ctx, n);
    if (d)
        memcpy(d, s, n);
    return d;
}
