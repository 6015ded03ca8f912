/* SPDX-License-Identifier: MIT
 *
 * bench_route.c -- the route engine's search on a friction raster, for
 * bench/route.bench.sh: reads COST.tif (Float32, cost per cell) into a
 * dm_route_grid, finds the least-cost 8-connected path between two cells and
 * writes it as a CSV of cells, like the peers (GRASS r.cost + r.path,
 * scikit-image route_through_array) on the same file. Costs are per cell
 * (cell size 1), so the path cost is directly comparable with theirs.
 *
 * usage: bench_route COST.tif C0 R0 C1 R1 OUT.csv [THREADS]
 * THREADS: 1 = one search front, 2 (default on 2+ cores) = two fronts meeting.
 */
#include "demine/demine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: bench_route COST.tif C0 R0 C1 R1 OUT.csv [THREADS]\n");
        return 2;
    }
    double t0 = now();
    dm_ctx *ctx = dm_ctx_new();
    if (argc == 8)
        dm_ctx_set_threads(ctx, (int)strtol(argv[7], NULL, 10));
    dm_route_grid *g = NULL;
    if (dm_route_grid_read(ctx, argv[1], 1, 1.0, &g) != DM_OK) {
        fprintf(stderr, "bench_route: %s\n", dm_ctx_errmsg(ctx));
        return 3;
    }
    double t1 = now();
    dm_route_path *p = NULL;
    if (dm_route_grid_search(ctx, g, (size_t)strtoul(argv[2], NULL, 10),
                             (size_t)strtoul(argv[3], NULL, 10), (size_t)strtoul(argv[4], NULL, 10),
                             (size_t)strtoul(argv[5], NULL, 10), &p) != DM_OK) {
        fprintf(stderr, "bench_route: %s\n", dm_ctx_errmsg(ctx));
        return 4;
    }
    double t2 = now();
    FILE *f = fopen(argv[6], "w");
    if (!f) {
        fprintf(stderr, "bench_route: cannot write %s\n", argv[6]);
        return 3;
    }
    fprintf(f, "col,row\n");
    for (size_t k = 0; k < p->n; k++)
        fprintf(f, "%u,%u\n", p->col[k], p->row[k]);
    fclose(f);
    fprintf(stderr,
            "bench_route read %.2f s search %.2f s path %zu cells cost %.4f settled %llu"
            " search memory %.0f MiB\n",
            t1 - t0, t2 - t1, p->n, p->cost, (unsigned long long)p->settled,
            (double)p->mem_bytes / 1048576.0);
    dm_route_path_free(ctx, p);
    dm_route_grid_free(g);
    dm_ctx_free(ctx);
    return 0;
}
