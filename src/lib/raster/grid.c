/* SPDX-License-Identifier: MIT
 *
 * grid.c -- grid definitions, tiling with halos, raster buffers advised for
 * huge pages, and the small thread pool the raster engines share.
 *
 * dm_parallel_for hands out work items from an atomic counter so that
 * uneven rows or tiles balance themselves over the cores.
 */
#include "core/dm_internal.h"
#include "raster/raster_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

dm_status dm_grid_from_bounds(dm_ctx *ctx, const char *crs, const double b[4], double cell,
                              dm_grid *g)
{
    memset(g, 0, sizeof *g);
    if (!(cell > 0) || !isfinite(cell))
        return dm__fail(ctx, DM_EINVAL, "cell size must be a positive number (got %g)", cell);
    for (int k = 0; k < 4; k++)
        if (!isfinite(b[k]))
            return dm__fail(ctx, DM_EINVAL, "bounds are not finite");
    if (!(b[2] > b[0]) || !(b[3] > b[1]))
        return dm__fail(ctx, DM_EINVAL, "empty area (bounds %g %g %g %g)", b[0], b[1], b[2], b[3]);
    double x0 = floor(b[0] / cell) * cell, y1 = ceil(b[3] / cell) * cell;
    double x1 = ceil(b[2] / cell) * cell, y0 = floor(b[1] / cell) * cell;
    double nx = (x1 - x0) / cell, ny = (y1 - y0) / cell;
    if (nx > 2147483000.0 || ny > 2147483000.0)
        return dm__fail(ctx, DM_EINVAL, "grid of %.4g x %.4g cells is too large (cell %g m)", nx, ny,
                        cell);
    g->x0 = x0;
    g->y0 = y1;
    g->cell = cell;
    g->nx = (int)llround(nx) > 0 ? (int)llround(nx) : 1;
    g->ny = (int)llround(ny) > 0 ? (int)llround(ny) : 1;
    dm__strlcpy(g->crs, crs ? crs : "", sizeof g->crs);
    return DM_OK;
}

size_t dm_grid_cells(const dm_grid *g) { return (size_t)g->nx * (size_t)g->ny; }

dm_grid dm_grid_window(const dm_grid *g, int i0, int j0, int nx, int ny)
{
    dm_grid w = *g;
    w.x0 = g->x0 + i0 * g->cell;
    w.y0 = g->y0 - j0 * g->cell;
    w.nx = nx;
    w.ny = ny;
    return w;
}

dm_status dm_grid_tiles(dm_ctx *ctx, const dm_grid *g, int size, int halo, dm_tile **tiles,
                        size_t *n)
{
    *tiles = NULL;
    *n = 0;
    if (size < 1 || halo < 0)
        return dm__fail(ctx, DM_EINVAL, "bad tile size %d or halo %d", size, halo);
    size_t tx = ((size_t)g->nx + size - 1) / size, ty = ((size_t)g->ny + size - 1) / size;
    dm_tile *t = dm_calloc(ctx, tx * ty, sizeof *t);
    if (!t)
        return dm__fail(ctx, DM_ENOMEM, "out of memory for %zu tiles", tx * ty);
    size_t k = 0;
    for (size_t b = 0; b < ty; b++)
        for (size_t a = 0; a < tx; a++, k++) {
            dm_tile *p = &t[k];
            p->i0 = (int)(a * size);
            p->j0 = (int)(b * size);
            p->nx = g->nx - p->i0 < size ? g->nx - p->i0 : size;
            p->ny = g->ny - p->j0 < size ? g->ny - p->j0 : size;
            p->hi0 = p->i0 - halo;
            p->hj0 = p->j0 - halo;
            p->hnx = p->nx + 2 * halo;
            p->hny = p->ny + 2 * halo;
        }
    *tiles = t;
    *n = k;
    return DM_OK;
}

#define BIG ((size_t)2 << 20)

/* Large buffers are mapped and populated in one system call: first-touch
 * page faults one page at a time cost more than the work on some virtual
 * machines (shadow page tables: about 4 us per 4 KiB page). With huge,
 * transparent huge pages are advised too: 512 times fewer pages to map,
 * but compaction can make the allocation itself slow when memory is
 * fragmented. */
float *dm__raster_alloc_opt(size_t n_cells, int huge)
{
    size_t bytes = n_cells * sizeof(float);
    if (n_cells && bytes / sizeof(float) != n_cells)
        return NULL;
    if (bytes < BIG)
        return malloc(bytes ? bytes : 1);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | (huge ? 0 : MAP_POPULATE), -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge) {
        madvise(p, bytes, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
        madvise(p, bytes, MADV_POPULATE_WRITE); /* else faulted in as touched */
#endif
    }
#endif
    return p;
}

/* DEMINE_HUGEPAGES=1 advises transparent huge pages. */
float *dm_raster_alloc(size_t n_cells)
{
    const char *hp = getenv("DEMINE_HUGEPAGES");
    return dm__raster_alloc_opt(n_cells, hp && hp[0] == '1');
}

void dm_raster_free(float *p, size_t n_cells)
{
    if (!p)
        return;
    size_t bytes = n_cells * sizeof(float);
    if (bytes < BIG)
        free(p);
    else
        munmap(p, bytes);
}

/* ---- thread pool ---- */
typedef struct pf_job {
    dm_parallel_fn fn;
    void *arg;
    size_t n;
    atomic_size_t next;
} pf_job;

static void *pf_worker(void *p)
{
    pf_job *j = p;
    for (;;) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->n)
            break;
        j->fn(j->arg, k);
    }
    return NULL;
}

void dm_parallel_for(int threads, size_t n, dm_parallel_fn fn, void *arg)
{
    if (threads <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (int)c : 1;
    }
    if (threads > 64)
        threads = 64;
    if ((size_t)threads > n)
        threads = (int)n;
    pf_job j = {fn, arg, n, 0};
    atomic_init(&j.next, 0);
    if (threads <= 1) {
        for (size_t k = 0; k < n; k++)
            fn(arg, k);
        return;
    }
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, pf_worker, &j) == 0)
            started++;
    pf_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}
