/* SPDX-License-Identifier: MIT
 *
 * demo.c -- dm_demo_generate: runs the stages of the scenario generator
 * (world, truth, records, accidents, hazards, activities) in memory and
 * writes the result in one transaction, with the risk education sessions
 * and the quality control inspections drawn on streams of their own.
 */
#include "demo_internal.h"

#include <string.h>

static void world_free(dd_world *w)
{
    for (size_t i = 0; i < w->acts.n; i++)
        dm_geom_free(w->acts.v[i].geom);
    void *vecs[] = {w->districts.v, w->settlements.v, w->houses.v, w->roads.v, w->rivers.v,
                    w->bridges.v, w->cemeteries.v, w->positions.v, w->mfs.v, w->items.v,
                    w->records.v, w->recrows.v, w->recmines.v, w->hazards.v, w->hstatus.v,
                    w->acts.v, w->releases.v, w->found.v, w->accidents.v, w->victims.v,
                    w->links.v, w->reports.v, w->cell_start, w->cell_items};
    for (size_t i = 0; i < sizeof vecs / sizeof *vecs; i++)
        dm_free(w->ctx, vecs[i]);
    for (size_t i = 0; i < w->n_chunks; i++)
        dm_free(w->ctx, w->chunks[i]);
    dm_free(w->ctx, w->chunks);
}

dm_status dm_demo_generate(dm_ctx *ctx, dm_store *s, const dm_demo_opts *opts,
                           dm_demo_summary *summary)
{
    if (!ctx || !s || !opts)
        return ctx ? dm__fail(ctx, DM_EINVAL, "demo: missing store or options") : DM_EINVAL;
    if (opts->scale != DM_DEMO_SMALL && opts->scale != DM_DEMO_NATIONAL)
        return dm__fail(ctx, DM_EINVAL, "demo: unknown scale %d (small or national)", (int)opts->scale);
    double t0 = dm__seconds();
    dd_world w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.scale = opts->scale;
    w.seed = opts->seed;
    w.density = opts->scale == DM_DEMO_NATIONAL ? 1.0 : 0.45;
    dd_rng_seed(&w.rng, opts->seed, 1);
    dd_rng_seed(&w.ids, opts->seed, 2);
    dm_status st = dd_make_world(&w);
    if (!st)
        st = dd_make_mines(&w);
    if (!st)
        st = dd_make_records(&w);
    if (!st)
        st = dd_make_accidents(&w);
    if (!st)
        st = dd_make_reports(&w);
    if (!st)
        st = dd_make_hazards(&w);
    if (!st)
        st = dd_make_activities(&w);
    double t1 = dm__seconds();
    if (!st)
        dm__log(ctx, DM_LOG_DEBUG,
                "demo: scenario made in %.2f s (%zu truth items, %zu hazards); writing", t1 - t0,
                w.items.n, w.hazards.n);
    if (!st) {
        st = dm_store_begin(s);
        if (!st) {
            st = dd_write(&w, s, summary);
            long eore = 0;
            if (!st)
                st = dd_write_eore(&w, s, &eore);
            if (!st)
                dm__log(ctx, DM_LOG_DEBUG, "demo: %ld risk education sessions", eore);
            if (!st && summary)
                summary->eore_sessions = eore;
            if (!st)
                st = dd_write_qc(&w, s, summary);
            if (st) {
                dm_status keep = st;
                char msg[1024];
                strncpy(msg, dm_ctx_errmsg(ctx), sizeof msg - 1);
                msg[sizeof msg - 1] = 0;
                dm_store_rollback(s);
                dm__fail(ctx, keep, "%s", msg);
            } else {
                st = dm_store_commit(s);
            }
        }
    }
    if (!st)
        dm__log(ctx, DM_LOG_DEBUG, "demo: written in %.2f s", dm__seconds() - t1);
    if (!st && summary)
        summary->seconds = dm__seconds() - t0;
    world_free(&w);
    return st;
}
