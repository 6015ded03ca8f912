/* SPDX-License-Identifier: MIT
 *
 * dm_records.h -- minefield records measured against what clearance found,
 * and minefield patterns (rows, spacing) reconstructed from the finds.
 *
 * Two layers of API: engines on plain arrays of points in a local metric
 * frame (registration, row finding, clearance simulation), which know no
 * database; and store-facing calls that gather records, finds and released
 * land through the public store API, run the engines and write results back
 * (records.reliability, record_matches, predicted_mines) in one transaction.
 */
#ifndef DM_RECORDS_H
#define DM_RECORDS_H

#include "demine/dm_core.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================= engines (metric frame) ======================= */

/* A rigid transform: p' = (cx, cy) + R(ang) (p - (cx, cy)) + (dx, dy). */
typedef struct dm_rigid {
    double dx, dy, ang, cx, cy;
} dm_rigid;

DM_API void dm_rigid_apply(const dm_rigid *t, double *x, double *y);

/* Registration of a recorded point set a (na (x, y) pairs) onto found points
 * b (nb pairs): a vote over rotations (within +-max_rot radians) and
 * translations (within max_shift metres) for the pose that puts most of a
 * within tol of b, refined by trimmed ICP (closed-form Procrustes on the
 * best 80% of matches). Robust to clutter in b and to a being partly
 * uncleared. Poses are compared by their inliers: the points of a matched
 * one to one (dm_match_points) with points of b within tol, so one point
 * of b never counts for several of a; *inliers receives their number after
 * the transform. With fewer than 3 points on either side the identity is
 * returned. Errors: DM_EINVAL (bad sizes), DM_ENOMEM. */
DM_API dm_status dm_register_rigid(dm_ctx *ctx, const double *a, size_t na, const double *b,
                                   size_t nb, double tol, double max_shift, double max_rot,
                                   dm_rigid *out, size_t *inliers);

/* One-to-one matching of points a (na (x, y) pairs) with points b (nb
 * pairs): the largest number of pairs (a, b) at most tol apart in which
 * each point of a and each point of b takes part at most once (a maximum
 * bipartite matching, so one b never confirms two a). Pairs are taken
 * nearest first, then augmenting paths (Hopcroft-Karp) raise the count to
 * the maximum. mate[i] receives the index in b matched to a[i], or
 * (size_t)-1; *matched (may be NULL) the number of pairs. Deterministic:
 * ties are broken by index. Errors: DM_EINVAL (bad arguments), DM_ENOMEM. */
DM_API dm_status dm_match_points(dm_ctx *ctx, const double *a, size_t na, const double *b, size_t nb,
                                 double tol, size_t *mate, size_t *matched);

/* A row of mines found by dm_rows_fit: the line through (x0, y0) along the
 * unit vector (ux, uy); mines at along-positions t0 + k * spacing; the
 * finds on it span [tmin, tmax]. */
typedef struct dm_row_fit {
    double x0, y0, ux, uy;
    double offset;  /* signed distance across, from the first row */
    double spacing; /* along the row; 0 when unknown (fewer than 3 finds) */
    double t0, tmin, tmax;
    double sd_across, sd_along; /* residual spread of the finds, metres */
    int n;                      /* finds on the row */
} dm_row_fit;

typedef struct dm_rows_opts {
    double bin_m;        /* offset histogram bin (default 0.5 m) */
    double row_width_m;  /* half-width of a row (default 1.5 m) */
    int min_points;      /* finds to make a row (default 3) */
    double prior_angle;  /* row bearing from a record (radians), used when finds are few */
    int have_prior;
} dm_rows_opts;

/* Find rows of mines among n points (xy pairs) with clutter: a Hough vote
 * over directions (0.5 degree steps) for the direction whose across-offsets
 * pile up most sharply, then peaks of the offset histogram as rows, each
 * refined by least squares on its members and its spacing estimated from
 * the gaps between neighbours. Writes up to max_rows rows to rows (sorted by
 * offset) and their count to *n_rows; points on no row are clutter. opts may
 * be NULL. Errors: DM_EINVAL, DM_ENOMEM. */
DM_API dm_status dm_rows_fit(dm_ctx *ctx, const double *xy, size_t n, const dm_rows_opts *opts,
                             dm_row_fit *rows, size_t max_rows, size_t *n_rows);

/* A predicted mine position. */
typedef struct dm_predicted {
    double x, y, sigma_m, p;
    int row; /* index into the fitted rows; -1 for a row inferred beyond them */
} dm_predicted;

/* Extend fitted rows into unsearched ground: positions every spacing along
 * each row from its first find outwards up to reach_m beyond its finds,
 * with p fading with the distance from the finds (half at fade_m) and sigma
 * growing with it, and falling by 0.3 for every position beyond the finds
 * searched in vain; and, when rows are regularly spaced, one further row on
 * each side at p scaled by 0.3. searched(user, x, y, sigma) returns the
 * share (0..1) of a position's ground already searched: at 0.9 or more it
 * is skipped, otherwise its p becomes the posterior after that search; it
 * may be NULL.
 * *out is allocated with dm_malloc (free with dm_free). */
DM_API dm_status dm_rows_predict(dm_ctx *ctx, const dm_row_fit *rows, size_t n_rows,
                                 double reach_m, double fade_m,
                                 double (*searched)(void *user, double x, double y, double sigma),
                                 void *user,
                                 dm_predicted **out, size_t *n_out);

/* Clearance simulation on one minefield: the search area is a grid of
 * cells (cell_m square) covering the polygon ring (n_ring pairs) and the
 * mines (n pairs) are the truth. Blind: lanes swept in a fixed order (the
 * grid's rows, alternating direction). Guided: lanes until the first finds,
 * then the cells predicted by rows fitted to the finds so far (refitted as
 * finds come in), then a local search around finds, then the rest in lane
 * order. Mines are found when their cell is searched. */
typedef struct dm_capture {
    /* area under the capture curve (0..1) and share of the area searched
     * to find every mine: lanes, lanes + local search around finds, and
     * guided by rows */
    double auc_blind, auc_local, auc_guided;
    double area_all_blind, area_all_local, area_all_guided;
    size_t cells, mines;
} dm_capture;

DM_API dm_status dm_capture_simulate(dm_ctx *ctx, const double *ring, size_t n_ring,
                                     const double *mines, size_t n, double cell_m,
                                     dm_capture *out);

/* ========================= store-facing calls ========================= */

typedef struct dm_verify_opts {
    const char *record;  /* one record (uuid, prefix or ref), or NULL for all */
    double tolerance_m;  /* match tolerance (default 5 m) */
    double around_m;     /* finds gathered within this of a record (default 300 m) */
    int dry_run;         /* measure only: write nothing */
} dm_verify_opts;

/* Verify records against released land, items found and accidents: per
 * record coverage, positional accuracy (share of recorded mines in released
 * land with a find within tolerance, each find confirming one recorded mine:
 * dm_match_points; median and 95th percentile offset to the nearest find),
 * completeness (one to one too; the many-to-one figures are kept under
 * "many_to_one"), count accuracy per mine type, the rigid
 * shift and rotation that best aligns the record with the finds and the
 * accuracy after it; overall and per source the share of items and
 * accidents outside every record. Unless dry_run, writes in one
 * transaction records.reliability (the accuracy shrunk towards the overall
 * figure by the number of checked mines; the risk map's record weight) and
 * the record_matches layer (replacing the records' earlier matches).
 * Records that cannot be used (no geometry, a one-point row, coordinates
 * that are not WGS 84, duplicates) are listed under "problems" and skipped.
 * *json: the report (free with dm_free). Errors: DM_ENOTFOUND (no such
 * record), store and geometry errors (nothing written). */
DM_API dm_status dm_records_verify(dm_store *s, const dm_verify_opts *opts, char **json);

/* Apply the estimated shift and rotation of record `id` to its perimeter,
 * rows and mines as a new version of each (the change log keeps the
 * original), re-measure it and store its reliability, in one transaction.
 * Refuses (DM_ECONFLICT) when the correction does not raise the accuracy
 * or the record has too few finds to estimate it. *json: the record's
 * report after the correction (may be NULL). */
DM_API dm_status dm_records_correct(dm_store *s, const char *id, double tolerance_m, char **json);

typedef struct dm_patterns_opts {
    const char *hazard; /* one hazard (uuid, prefix or ref), or NULL for all */
    double reach_m;     /* how far rows are extended beyond the finds (default 150 m) */
    int dry_run;
} dm_patterns_opts;

/* Reconstruct minefield patterns per hazard from the mines found in it (AP,
 * AT) and the rows of records lying in it: rows, spacing, offsets, and
 * predicted positions of the mines not yet found in unreleased ground of
 * the hazard, with sigma and probability, and the expected number
 * remaining. Unless dry_run, replaces the hazards' rows of the
 * predicted_mines layer in one transaction. *json: the report. */
DM_API dm_status dm_patterns_run(dm_store *s, const dm_patterns_opts *opts, char **json);

/* The capture-curve evaluation on the demo truth (truth_minefields,
 * truth_items): dm_capture_simulate per doctrinal and per nuisance
 * minefield, means and per-field figures as JSON. Needs a demo database
 * (DM_ENOTFOUND otherwise). max_fields limits the fields simulated of each
 * kind (0 = all). */
DM_API dm_status dm_patterns_simulate(dm_store *s, size_t max_fields, char **json);

#ifdef __cplusplus
}
#endif
#endif /* DM_RECORDS_H */
