/* SPDX-License-Identifier: MIT
 *
 * simulate.c -- clearance of one minefield simulated cell by cell, to score
 * search orders by their capture curve (share of mines found against share
 * of area searched): lanes in a fixed sweep order (pattern-blind), lanes
 * with a local search around each find (adaptive but pattern-blind), and
 * the same guided by rows fitted to the finds so far (pattern-guided).
 */
#include "records_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_R 6.0   /* metres searched around a find */
#define P_MIN 0.10    /* predicted cells searched first down to this score */

typedef struct sim {
    dm_ctx *ctx;
    long nx, ny;
    double x0, y0, cell;
    int *inside;          /* cell -> 1 when in the search area */
    int *cnt;             /* mines per cell */
    unsigned char *done;  /* searched */
    size_t *lane;         /* the blind order */
    size_t n_lane, lane_pos, n_cells;
    const double *mines;
    size_t n_mines;
    /* run state */
    double *found_xy;
    size_t n_found, found_mines, steps, last_step;
    double auc;
    size_t *queue;        /* local follow-up */
    size_t q_head, q_tail, q_cap;
    size_t *pred;         /* predicted cells, best first */
    size_t n_pred, pred_pos;
    float *score;
    size_t *touched; /* cells with a score */
    size_t n_touched;
    int transect_done;
    double transect_ang;
} sim;

static long cell_of(const sim *s, double x, double y)
{
    long cx = (long)floor((x - s->x0) / s->cell), cy = (long)floor((y - s->y0) / s->cell);
    if (cx < 0 || cy < 0 || cx >= s->nx || cy >= s->ny)
        return -1;
    return cy * s->nx + cx;
}

/* Share of a normal N((x, y), sigma) falling in the searched cells. */
static double searched_cb(void *user, double x, double y, double sigma)
{
    sim *s = user;
    double sg = fmax(sigma, 0.05) * M_SQRT2, mx[5], my[5], got = 0;
    long cx = (long)floor((x - s->x0) / s->cell), cy = (long)floor((y - s->y0) / s->cell);
    for (int k = 0; k < 5; k++) {
        double a = s->x0 + (double)(cx + k - 2) * s->cell, b = s->y0 + (double)(cy + k - 2) * s->cell;
        mx[k] = 0.5 * (erf((a + s->cell - x) / sg) - erf((a - x) / sg));
        my[k] = 0.5 * (erf((b + s->cell - y) / sg) - erf((b - y) / sg));
    }
    for (int j = 0; j < 5; j++)
        for (int i = 0; i < 5; i++) {
            long X = cx + i - 2, Y = cy + j - 2;
            if (X < 0 || Y < 0 || X >= s->nx || Y >= s->ny || !s->inside[Y * s->nx + X] ||
                s->done[Y * s->nx + X])
                got += mx[i] * my[j];
        }
    return got;
}

static int pip(const double *xy, size_t n, double x, double y)
{
    int in = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

/* Search one cell; returns mines found there. */
static int visit(sim *s, size_t c)
{
    s->done[c] = 1;
    s->steps++;
    int k = s->cnt[c];
    if (k) {
        s->found_mines += (size_t)k;
        s->last_step = s->steps;
        /* the finds' positions: the mines of this cell */
        long cx = (long)(c % (size_t)s->nx), cy = (long)(c / (size_t)s->nx);
        for (size_t i = 0; i < s->n_mines; i++)
            if (cell_of(s, s->mines[2 * i], s->mines[2 * i + 1]) == cy * s->nx + cx) {
                s->found_xy[2 * s->n_found] = s->mines[2 * i];
                s->found_xy[2 * s->n_found + 1] = s->mines[2 * i + 1];
                s->n_found++;
            }
    }
    s->auc += (double)s->found_mines / (double)s->n_mines;
    return k;
}

static void enqueue_around(sim *s, size_t c)
{
    long cx = (long)(c % (size_t)s->nx), cy = (long)(c / (size_t)s->nx);
    long r = (long)ceil(LOCAL_R / s->cell);
    /* nearest first: rings of growing radius */
    for (long d = 1; d <= r; d++)
        for (long j = -d; j <= d; j++)
            for (long i = -d; i <= d; i++) {
                if (labs(i) != d && labs(j) != d)
                    continue;
                if (hypot((double)i, (double)j) * s->cell > LOCAL_R)
                    continue;
                long x = cx + i, y = cy + j;
                if (x < 0 || y < 0 || x >= s->nx || y >= s->ny)
                    continue;
                size_t q = (size_t)(y * s->nx + x);
                if (!s->inside[q] || s->done[q] || s->q_tail >= s->q_cap)
                    continue;
                s->queue[s->q_tail++] = q;
            }
}

static float *g_score;

static int cmp_score(const void *a, const void *b)
{
    float x = g_score[*(const size_t *)a], y = g_score[*(const size_t *)b];
    return (x < y) - (x > y);
}

static dm_status refit(sim *s)
{
    dm_row_fit rows[32];
    size_t nr = 0;
    for (size_t i = 0; i < s->n_touched; i++)
        s->score[s->touched[i]] = 0;
    s->n_touched = 0;
    s->n_pred = s->pred_pos = 0;
    dm_status st = dm_rows_fit(s->ctx, s->found_xy, s->n_found, NULL, rows, 32, &nr);
    if (st)
        return st;
    dm_predicted *p = NULL;
    size_t np = 0;
    double diag = hypot((double)s->nx, (double)s->ny) * s->cell;
    st = dm_rows_predict(s->ctx, rows, nr, diag, 40, searched_cb, s, &p, &np);
    if (st)
        return st;
    for (size_t k = 0; k < np; k++) {
        /* the posterior p spread over the unsearched cells by their share */
        double sg = fmax(p[k].sigma_m, 0.05) * M_SQRT2, mx[5], my[5];
        double done = searched_cb(s, p[k].x, p[k].y, p[k].sigma_m), left = 1 - done;
        if (left <= 0.01)
            continue;
        long cx = (long)floor((p[k].x - s->x0) / s->cell), cy = (long)floor((p[k].y - s->y0) / s->cell);
        for (int q = 0; q < 5; q++) {
            double a = s->x0 + (double)(cx + q - 2) * s->cell, b = s->y0 + (double)(cy + q - 2) * s->cell;
            mx[q] = 0.5 * (erf((a + s->cell - p[k].x) / sg) - erf((a - p[k].x) / sg));
            my[q] = 0.5 * (erf((b + s->cell - p[k].y) / sg) - erf((b - p[k].y) / sg));
        }
        for (int j = 0; j < 5; j++)
            for (int i = 0; i < 5; i++) {
                long X = cx + i - 2, Y = cy + j - 2;
                if (X < 0 || Y < 0 || X >= s->nx || Y >= s->ny)
                    continue;
                size_t c = (size_t)(Y * s->nx + X);
                if (!s->inside[c] || s->done[c])
                    continue;
                double v = p[k].p * mx[i] * my[j] / left;
                if (v < 1e-4)
                    continue;
                if (s->score[c] == 0)
                    s->touched[s->n_touched++] = c;
                if (s->score[c] < P_MIN && v >= P_MIN)
                    s->pred[s->n_pred++] = c;
                if (v > s->score[c])
                    s->score[c] = (float)v;
            }
    }
    dm_free(s->ctx, p);
    /* a transect across the rows through the middle of the best row, as
     * wide as its spacing: any parallel row within reach crosses it with
     * at least one mine */
    size_t best = 0;
    for (size_t i = 1; i < nr; i++)
        if (rows[i].n > rows[best].n)
            best = i;
    double ang = nr ? atan2(rows[best].uy, rows[best].ux) : 0;
    double dang = fabs(remainder(ang - s->transect_ang, M_PI));
    if (nr && rows[best].spacing > 0.3 && rows[best].n >= 4 && (!s->transect_done || dang > 0.15)) {
        s->transect_done = 1;
        s->transect_ang = ang;
        const dm_row_fit *r = &rows[best];
        double sep = nr >= 2 ? (rows[nr - 1].offset - rows[0].offset) / (double)(nr - 1) : 0;
        double reach = fmax(sep * 1.5, r->spacing >= 3 ? 30 : 10);
        double tm = (r->tmin + r->tmax) / 2, nx = -r->uy, ny = r->ux, h = s->cell / 2;
        for (double o = rows[0].offset - reach; o <= rows[nr - 1].offset + reach; o += h)
            for (double a = -r->spacing / 2; a <= r->spacing / 2; a += h) {
                double x = r->x0 + r->ux * (tm + a) + nx * (o - r->offset);
                double y = r->y0 + r->uy * (tm + a) + ny * (o - r->offset);
                long c = cell_of(s, x, y);
                if (c < 0 || !s->inside[c] || s->done[c] || s->score[c] >= P_MIN)
                    continue;
                if (s->score[c] == 0)
                    s->touched[s->n_touched++] = (size_t)c;
                s->score[c] = (float)(P_MIN * 1.5);
                s->pred[s->n_pred++] = (size_t)c;
            }
    }
    g_score = s->score;
    qsort(s->pred, s->n_pred, sizeof *s->pred, cmp_score);
    return DM_OK;
}

/* mode 0 lanes, 1 lanes + local search, 2 guided by rows */
static dm_status run(sim *s, int mode, double *auc, double *area_all)
{
    memset(s->done, 0, (size_t)(s->nx * s->ny));
    s->n_found = s->found_mines = s->steps = s->last_step = 0;
    s->auc = 0;
    s->lane_pos = 0;
    s->q_head = s->q_tail = 0;
    s->n_pred = s->pred_pos = 0;
    s->transect_done = 0;
    for (size_t i = 0; i < s->n_touched; i++)
        s->score[s->touched[i]] = 0;
    s->n_touched = 0;
    size_t fitted = 0;
    int stale = 0;
    dm_status st = DM_OK;
    while (s->steps < s->n_cells && s->found_mines < s->n_mines && !st) {
        size_t c = (size_t)-1;
        if (mode == 2) {
            if (s->n_found >= 3 && (s->n_found != fitted || stale)) {
                st = refit(s);
                fitted = s->n_found;
                stale = 0;
            }
            while (s->pred_pos < s->n_pred && s->done[s->pred[s->pred_pos]])
                s->pred_pos++;
            if (s->pred_pos < s->n_pred)
                c = s->pred[s->pred_pos++];
            else if (s->n_pred > 0)
                stale = 1;
        }
        if (c == (size_t)-1 && mode >= 1) {
            while (s->q_head < s->q_tail && s->done[s->queue[s->q_head]])
                s->q_head++;
            if (s->q_head < s->q_tail)
                c = s->queue[s->q_head++];
        }
        if (c == (size_t)-1) {
            while (s->lane_pos < s->n_lane && s->done[s->lane[s->lane_pos]])
                s->lane_pos++;
            if (s->lane_pos >= s->n_lane)
                break;
            c = s->lane[s->lane_pos++];
        }
        if (visit(s, c) && mode >= 1) {
            if (s->q_tail + 1024 > s->q_cap) { /* compact the queue */
                size_t k = 0;
                for (size_t i = s->q_head; i < s->q_tail; i++)
                    if (!s->done[s->queue[i]])
                        s->queue[k++] = s->queue[i];
                s->q_head = 0;
                s->q_tail = k;
            }
            enqueue_around(s, c);
        }
    }
    /* the rest of the area, searched after the last mine, adds full steps */
    double total = (double)s->n_cells;
    *auc = (s->auc + (total - (double)s->steps) * ((double)s->found_mines / (double)s->n_mines)) / total;
    *area_all = (double)s->last_step / total;
    return st;
}

dm_status dm_capture_simulate(dm_ctx *ctx, const double *ring, size_t n_ring, const double *mines,
                              size_t n, double cell_m, dm_capture *out)
{
    if (!ring || n_ring < 3 || !out || (n && !mines))
        return dm__fail(ctx, DM_EINVAL, "simulate: a search area (3+ points) is needed");
    memset(out, 0, sizeof *out);
    if (!(cell_m > 0))
        cell_m = 1;
    sim s = {0};
    s.ctx = ctx;
    s.cell = cell_m;
    s.mines = mines;
    s.n_mines = n;
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n_ring; i++) {
        b[0] = fmin(b[0], ring[2 * i]);
        b[1] = fmin(b[1], ring[2 * i + 1]);
        b[2] = fmax(b[2], ring[2 * i]);
        b[3] = fmax(b[3], ring[2 * i + 1]);
    }
    for (size_t i = 0; i < n; i++) {
        b[0] = fmin(b[0], mines[2 * i]);
        b[1] = fmin(b[1], mines[2 * i + 1]);
        b[2] = fmax(b[2], mines[2 * i]);
        b[3] = fmax(b[3], mines[2 * i + 1]);
    }
    s.x0 = b[0] - cell_m;
    s.y0 = b[1] - cell_m;
    s.nx = (long)((b[2] - s.x0) / cell_m) + 2;
    s.ny = (long)((b[3] - s.y0) / cell_m) + 2;
    if ((double)s.nx * (double)s.ny > 5e7)
        return dm__fail(ctx, DM_EINVAL, "simulate: search area too large for %.1f m cells", cell_m);
    size_t nc = (size_t)(s.nx * s.ny);
    s.inside = dm_calloc(ctx, nc, sizeof *s.inside);
    s.cnt = dm_calloc(ctx, nc, sizeof *s.cnt);
    s.done = dm_calloc(ctx, nc, 1);
    s.lane = dm_malloc(ctx, nc * sizeof *s.lane);
    s.found_xy = dm_malloc(ctx, (n ? n : 1) * 2 * sizeof *s.found_xy);
    s.q_cap = nc + 4096;
    s.queue = dm_malloc(ctx, s.q_cap * sizeof *s.queue);
    s.pred = dm_malloc(ctx, nc * sizeof *s.pred);
    s.score = dm_calloc(ctx, nc, sizeof *s.score);
    s.touched = dm_malloc(ctx, nc * sizeof *s.touched);
    dm_status st = DM_OK;
    if (!s.inside || !s.cnt || !s.done || !s.lane || !s.found_xy || !s.queue || !s.pred || !s.score || !s.touched) {
        st = dm__fail(ctx, DM_ENOMEM, "out of memory");
        goto done;
    }
    for (long j = 0; j < s.ny; j++)
        for (long i = 0; i < s.nx; i++)
            s.inside[j * s.nx + i] = pip(ring, n_ring, s.x0 + (i + 0.5) * cell_m, s.y0 + (j + 0.5) * cell_m);
    for (size_t i = 0; i < n; i++) {
        long c = cell_of(&s, mines[2 * i], mines[2 * i + 1]);
        s.cnt[c]++;
        s.inside[c] = 1; /* a mine's cell is always part of the search */
    }
    for (long j = 0; j < s.ny; j++)
        for (long k = 0; k < s.nx; k++) {
            long i = (j % 2) ? s.nx - 1 - k : k;
            if (s.inside[j * s.nx + i])
                s.lane[s.n_lane++] = (size_t)(j * s.nx + i);
        }
    s.n_cells = s.n_lane;
    out->cells = s.n_cells;
    out->mines = n;
    if (!n) {
        out->auc_blind = out->auc_local = out->auc_guided = 1;
        goto done;
    }
    st = run(&s, 0, &out->auc_blind, &out->area_all_blind);
    if (!st)
        st = run(&s, 1, &out->auc_local, &out->area_all_local);
    if (!st)
        st = run(&s, 2, &out->auc_guided, &out->area_all_guided);
done:
    dm_free(ctx, s.inside);
    dm_free(ctx, s.cnt);
    dm_free(ctx, s.done);
    dm_free(ctx, s.lane);
    dm_free(ctx, s.found_xy);
    dm_free(ctx, s.queue);
    dm_free(ctx, s.pred);
    dm_free(ctx, s.score);
    dm_free(ctx, s.touched);
    return st;
}
