/* SPDX-License-Identifier: MIT
 *
 * dm_risk.h -- the risk map: evidence fused in log-odds on a grid, tile by
 * tile with halos on all cores; models as readable JSON; fitting the
 * weights by regularised logistic regression with spatial block
 * cross-validation; and the evaluation metrics (recall at a share of the
 * area, PAI, capture curve, AUC-ROC, Brier score).
 *
 * Every term turns evidence into one number per cell x (see docs/risk.md),
 * standardised z = (x - mean) / sd, and adds weight * z to the log-odds of
 * "this cell, at the model's reference cell size, holds at least one
 * item". Probabilities at other cell sizes follow from the Poisson
 * intensity, so maps at 10 m and at 1 km agree in items per hectare.
 */
#ifndef DM_RISK_H
#define DM_RISK_H

#include "demine/dm_core.h"
#include "demine/dm_evidence.h"
#include "demine/dm_raster.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_term_type {
    DM_TERM_KERNEL = 0,   /* log(1 + weighted count of events within ~width, Gaussian) */
    DM_TERM_DISTANCE,     /* log(1 + min(d, width) / scale), d to the nearest source */
    DM_TERM_AREA,         /* inside a polygon: its weight; outside: fading band exp(-d/width) */
    DM_TERM_DETECTION,    /* sum of log likelihood ratios of sensor detections */
    DM_TERM_CLEARED,      /* sum of log(miss probability) of land released with nothing left */
    DM_TERM_COVARIATE,    /* a raster given with --covariate NAME=FILE */
    DM_TERM_TYPE_COUNT
} dm_term_type;

DM_API const char *dm_term_type_name(dm_term_type t);

#define DM_RISK_MAX_TERMS 48

typedef struct dm_risk_term {
    char name[48];     /* unique, e.g. "kernel_events_1000m" */
    dm_term_type type;
    unsigned kinds;    /* bit mask of dm_ev_kind read by the term */
    char cls[24];      /* feature class filter for DISTANCE to features ("" = any) */
    char covariate[48]; /* COVARIATE: the --covariate NAME */
    int log1p;         /* COVARIATE: use log(1 + max(x, 0)) */
    double width_m;    /* kernel sigma, distance cap or fading band, metres */
    double scale_m;    /* DISTANCE: the scale of log(1 + d / scale) */
    double mean, sd;   /* standardisation of x */
    double weight;     /* log-odds per standard deviation */
    int optional;      /* COVARIATE: skipped (with a warning) when not supplied */
    int codes[8];      /* only evidence with these source codes (n_codes of them; 0 = any) */
    int n_codes;
    double half_life_y; /* KERNEL: weight of an event halves every half_life_y years before
                           the reference date (0 = no decay) */
    double max_age_y;  /* only evidence at most this many years before the reference date
                          (0 = any age) */
    int per_place;     /* KERNEL: events at the same place (identical coordinates) share one
                          weight, each counting 1/n of the n there: a stack of reports at a
                          rounded point or a village centre weighs as one event */
    char desc[200];    /* what it means, for people */
} dm_risk_term;

typedef struct dm_risk_model {
    char name[64];
    double intercept;   /* log-odds at z = 0, for a cell of ref_cell_m */
    double ref_cell_m;  /* cell size the intercept refers to */
    size_t n_terms;
    dm_risk_term terms[DM_RISK_MAX_TERMS];
    double lambda;      /* regularisation chosen by the fit (0: not fitted) */
    char note[512];     /* how it was made */
} dm_risk_model;

/* The built-in default model (also in models/default.json). */
DM_API void dm_risk_model_default(dm_risk_model *m);
/* Read / write a model as JSON (every term with its meaning). Errors:
 * DM_EIO, DM_EPARSE naming the term and field. */
DM_API dm_status dm_risk_model_load(dm_ctx *ctx, const char *path, dm_risk_model *m);
DM_API dm_status dm_risk_model_save(dm_ctx *ctx, const char *path, const dm_risk_model *m);
/* The model as a JSON string (caller frees with dm_free). */
DM_API dm_status dm_risk_model_json(dm_ctx *ctx, const dm_risk_model *m, char **json);

/* A raster for the model's covariate term `name`: band `band` of `path`
 * (0 or 1: band 1; a raster of several bands read without a band named
 * gets a warning naming their count; a band it has not is an error). */
typedef struct dm_risk_covariate {
    const char *name;
    const char *path;
    int band;
} dm_risk_covariate;

/* A polygon to summarise (a hazard): results per zone. */
typedef struct dm_risk_zone_result {
    double expected_items; /* polygon area x mean items per hectare of the cells whose centre
                              is inside (of the cells it touches when smaller than a cell) */
    double p_any;          /* 1 - exp(-expected_items) */
    double cells;          /* cells averaged */
    double area_ha;        /* the polygon's area (grid CRS) */
} dm_risk_zone_result;

typedef struct dm_risk_params {
    const dm_grid *grid;             /* the output grid */
    const dm_evidence_set *ev;       /* WGS 84 evidence */
    const unsigned char *ev_skip;    /* optional: per item of ev, nonzero to leave it out (a
                                        subset of a large set without a copy of it) */
    const dm_risk_covariate *cov;
    size_t n_cov;
    const dm_geom *aoi;              /* WGS 84 polygons; cells outside are nodata; NULL: all */
    const char *out_path;            /* GeoTIFF to write, or NULL */
    int tile;                        /* tile side in cells (0: automatic; at least 64) */
    int anchor_i, anchor_j;          /* when grid is a window of a larger map's grid: its
                                        offset in that grid's cells, so that the window's values
                                        are the map's (coarse cells of wide terms aligned alike) */
    size_t mem_limit;                /* bytes for working memory (0: 2 GiB) */
    unsigned disabled_kinds;         /* kinds switched off (ablation) */
    const char *disabled_term;       /* a term name switched off (ablation), or NULL */
    const char *ref_date;            /* "YYYY-MM-DD" ages are counted from (NULL: the latest
                                        evidence date) */
    float *p_out;                    /* optional: the probability band, whole grid */
    float *items_out;                /* optional: items per hectare, whole grid */
    float **x_out;                   /* optional: raw term values x, one array per term (fit) */
    const dm_evidence_set *zones;    /* optional: polygons to summarise (WGS 84) */
    dm_risk_zone_result *zone_out;   /* zones->n results */
    double items_factor;             /* multiply the intensity by this (0: 1), e.g. the factor of
                                        dm_risk_calibrate */
    double cluster;                  /* items come in clusters of this many per cell holding
                                        any (0: 1): p = 1 - exp(-items in the cell / cluster),
                                        e.g. dm_risk_calibration.cluster */
    double spot_factor, spot_power;  /* then recalibrate it by spot checks: intensity ->
                                        spot_factor * intensity^spot_power (0: none), e.g. from
                                        dm_risk_spot_calibrate */
    const char *stage;               /* name of the work in progress reports (NULL: "risk map") */
} dm_risk_params;

#define DM_RISK_TOP_N 5

typedef struct dm_risk_stats {
    double seconds;
    size_t cells, tiles;
    int threads, halo;
    size_t peak_work_bytes; /* working memory of all tiles in flight */
    double mean_p, max_p;
    /* How the probability is spread over the mapped cells: the highest
     * top_share[k] (1, 5, 10, 20 and 50 %) of them have p >= top_p[k]
     * (to within 2 % of p, from a histogram of the values), the thresholds of
     * the map's legend (dm_risk_write_style). */
    double top_share[DM_RISK_TOP_N], top_p[DM_RISK_TOP_N];
} dm_risk_stats;

/* Compute the risk map of model m. Writes a 2-band Float32 GeoTIFF (band 1
 * p_any: probability that the cell holds at least one item; band 2
 * items_ha: expected items per hectare; nodata -9999 outside the AOI) when
 * out_path is set. Errors: DM_EINVAL (a model term needs a covariate that
 * was not given; the grid would need more memory than mem_limit), the
 * errors of the raster and GDAL functions, naming the file. */
DM_API dm_status dm_risk_map(dm_ctx *ctx, const dm_risk_model *m, const dm_risk_params *p,
                             dm_risk_stats *stats);

/* The QGIS style of a map (RISK.qml beside RISK.tif, dm_qgis_style_path),
 * which QGIS loads by itself with the map: it colours band 1 by the
 * classes of st->top_p (the highest 1, 5, 10, 20, 50 % of the area).
 * dm_risk_update writes it. Errors: DM_EINVAL (no mapped cells), DM_EIO
 * naming the file. */
DM_API dm_status dm_risk_write_style(dm_ctx *ctx, const char *map_path, const dm_risk_stats *st);

/* Calibration of the intensity against land physically searched (cleared
 * evidence polygons whose method finds at least 85 % of items): the items
 * found inside them (divided by the method's detection probability)
 * against the items the model predicts there from everything else (the map
 * of p without the cleared evidence and without the items and predicted
 * mines inside the searched land, on the part of p->grid around it). */
typedef struct dm_risk_calibration {
    size_t zones;     /* searched polygons on the grid */
    double area_ha;   /* their area */
    double found;     /* items found in them, over the detection probability */
    double predicted; /* items the model predicts there before the search */
    double factor;    /* (found + 10) / (predicted + 10), within [0.001, 1000]; 1 without
                         searched land */
    double cluster;   /* items per cell holding any, at the grid's cell size, from the
                         finds in the searched land: (items + 5) / (cells + 5); 1 without */
    size_t find_cells; /* cells holding those finds */
    size_t no_method;  /* polygons of cleared or surveyed land with no method recorded (not
                          cancelled): left out, since how many items the search missed there
                          is unknown; a method set on them would calibrate the map */
} dm_risk_calibration;

/* Compute the calibration of model m for the map p (p->out_path and the
 * output arrays are ignored). Errors: those of dm_risk_map. */
DM_API dm_status dm_risk_calibrate(dm_ctx *ctx, const dm_risk_model *m, const dm_risk_params *p,
                                   dm_risk_calibration *out);

/* The recalibration of the item density by spot checks (dm_risk_spots,
 * searched and labelled): the probability that a spot holds an item is
 * modelled as 1 - exp(-A * F * m^b / c), m the intensity the map predicted
 * there before the search (items/ha, the spot's model_ha), A the spot's
 * area, c the items per cell holding any (dm_risk_calibration.cluster). F and b are fitted by penalised maximum
 * likelihood (complementary log-log link, Fisher scoring) with priors
 * that keep the map as it is when the spots say little: log of the level
 * at the spots' geometric mean intensity ~ N(0, 1), b ~ N(1, 0.2^2), b
 * within [0.2, 2]. Unlike dm_risk_calibrate, whose searched land was
 * chosen because it looked dangerous, spots drawn at random in every class
 * of the map measure both its level and its slope without that bias. */
typedef struct dm_risk_spot_cal {
    size_t spots, positive; /* spots labelled 0 or 1, and those with an item */
    size_t ignored;         /* rows with another label or none (not checked yet) */
    double expected;        /* spots with an item, as the map predicted them (sum of p) */
    double expected_after;  /* the same after the recalibration */
    double pivot_ha;        /* geometric mean of the spots' intensity */
    double level_x90;       /* the level is known to within x or / this (90 %), prior included */
    double factor, power;   /* intensity -> factor * intensity^power (1, 1: unchanged) */
} dm_risk_spot_cal;

/* Fit the recalibration on n spots (label 0/1; other labels and NaN
 * ignored); a spot without a cell size takes cell_m. Errors: DM_EINVAL (no
 * spot labelled 0 or 1). */
DM_API dm_status dm_risk_spot_calibrate(dm_ctx *ctx, const dm_spot *s, size_t n, double cell_m,
                                        double cluster, dm_risk_spot_cal *out);

/* The recalibration of a map on grid g, whose searched-land factor and
 * items per cell holding any are `factor` and `cluster`, by n spots
 * (from[i], may be NULL: the file of spot i, for messages): a labelled spot
 * needs model_ha (put on the map's scale by factor) and a cell_m equal to
 * g's; spots off the grid are left out with a warning, and with those not
 * searched yet counted in out->ignored. Errors naming the file and spot:
 * DM_EINVAL (two spots at one place; no model_ha; another cell size; no
 * labelled spot on the map). */
DM_API dm_status dm_risk_spots_fit(dm_ctx *ctx, const dm_grid *g, double factor, double cluster,
                                   const dm_spot *s, size_t n, const char *const *from,
                                   dm_risk_spot_cal *out);

/* The calibration a map of demine's was made with (its GeoTIFF metadata
 * DEMINE_CALIBRATION): the factor of the searched land (dm_risk_calibrate)
 * and the spot recalibration; all 1 for a map without (or another
 * raster). Errors: DM_EIO (cannot open). */
typedef struct dm_risk_map_cal {
    double factor, cluster, spot_factor, spot_power;
} dm_risk_map_cal;
DM_API dm_status dm_risk_map_cal_read(dm_ctx *ctx, const char *path, dm_risk_map_cal *out);

/* ---- the whole job for a database ---- */

/* The largest cell of a map, metres. */
#define DM_RISK_MAX_CELL_M 100000.0
/* The largest width_m and scale_m of a model term, metres. */
#define DM_RISK_MAX_WIDTH_M 1000000.0

/* The grid of a map: the bounds of aoi (or of the evidence grown by 1 km)
 * in crs (NULL or "": the UTM zone of the centre), cells of `cell` metres
 * (above 0, at most DM_RISK_MAX_CELL_M).
 * Errors: DM_ENOTFOUND (no aoi and no evidence), DM_EINVAL, PROJ errors. */
DM_API dm_status dm_risk_grid(dm_ctx *ctx, const dm_geom *aoi, const dm_evidence_set *ev,
                              double cell, const char *crs, dm_grid *g);

typedef struct dm_risk_update_opts {
    const char *out_path;               /* the GeoTIFF to write (required) */
    const char *model_path;             /* NULL: the built-in default model */
    const char *aoi_path;               /* polygons; NULL: the evidence extent + 1 km */
    const char *const *evidence_paths;  /* evidence files besides the database */
    size_t n_evidence;
    const dm_risk_covariate *cov;
    size_t n_cov;
    double cell;                        /* metres (0: 10) */
    const char *crs;                    /* NULL: the local UTM zone */
    const char *until;                  /* "YYYY-MM-DD" or NULL */
    unsigned disabled_kinds;
    const char *disabled_term;
    int tile;
    size_t mem_limit;                   /* bytes (0: 2 GiB) */
    int no_writeback, no_calibrate;
    int no_qc_rates;                    /* the methods' default detection probabilities,
                                           not those quality control measured (dm_qc.h) */
    const char *const *spot_paths;      /* checked spots (risk spots, labelled) to recalibrate
                                           the item density with */
    size_t n_spots;
    const char *spot_label_field;       /* their label field (NULL: "label") */
} dm_risk_update_opts;

/* A hazard whose probability of holding anything changed with a new map:
 * what the new evidence did to it. */
#define DM_RISK_TOP_CHANGES 10
typedef struct dm_risk_hazard_change {
    char uuid[37];
    double p_before, p_after;         /* p_contam */
    double items_before, items_after; /* expected_items (NaN before: none written) */
} dm_risk_hazard_change;

typedef struct dm_risk_update_result {
    dm_grid grid;
    size_t n_evidence;
    dm_risk_stats stats;
    dm_risk_calibration cal;
    dm_risk_spot_cal spot_cal;          /* spots == 0 without spot files */
    size_t hazards_updated;             /* hazards whose p_contam or expected_items changed
                                           (those unchanged are not rewritten) */
    /* of those that had a p_contam before, the n_changes (at most
     * DM_RISK_TOP_CHANGES) whose p_contam moved most, by 0.001 or more,
     * largest first */
    dm_risk_hazard_change changes[DM_RISK_TOP_CHANGES];
    size_t n_changes;
} dm_risk_update_result;

/* Make the risk map of a database s (may be NULL with evidence files):
 * evidence up to o->until, the calibration (unless no_calibrate), the map,
 * then (unless no_writeback) p_contam and expected_items of every hazard
 * and the metadata risk_map (absolute path), risk_calibration and
 * risk_map_options, all in one transaction: on error nothing is written.
 * The map is written to dm_risk_part_path(out_path) and renamed over
 * out_path at the end, so an existing map stays whole until the new one is
 * complete.
 * Errors: those of the readers, dm_risk_grid, dm_risk_calibrate,
 * dm_risk_map and the store. */
DM_API dm_status dm_risk_update(dm_ctx *ctx, dm_store *s, const dm_risk_update_opts *o,
                                dm_risk_update_result *res);

/* The file dm_risk_update writes the map to before renaming it over
 * out_path: "<out_path>.<process id>.part" into buf (n bytes), so that two
 * programs making the same map at once (a refresh of the service and one
 * from a terminal) do not write into one file; returns buf. A program
 * interrupted (Ctrl-C) removes it; one killed outright leaves it, and the
 * next dm_risk_update of the same map removes those whose program is gone. */
DM_API const char *dm_risk_part_path(const char *out_path, char *buf, size_t n);

/* Redo the database's last map with the options stored by dm_risk_update
 * (model, area, cell, CRS, calibration) and the database's evidence as it
 * is now (no evidence files, no date limit): "updated as evidence comes
 * in". Errors: DM_ENOTFOUND when no map was made yet; those of
 * dm_risk_update. */
DM_API dm_status dm_risk_refresh(dm_ctx *ctx, dm_store *s, dm_risk_update_result *res);

/* Why a place is (not) risky: every term's value and its share of the
 * log-odds at one cell centred on (lon, lat), with the model, cell size and
 * CRS of the database's last map, its evidence as it is now and the stored
 * calibration factor. */
typedef struct dm_risk_explain_term {
    char name[48];
    char desc[200];
    double x;            /* the term's raw value at the cell */
    double weight;
    double contribution; /* weight * (x - mean) / sd, in log-odds */
} dm_risk_explain_term;

typedef struct dm_risk_explanation {
    double lon, lat, cell_m;
    double intercept;   /* log-odds at the reference cell before the terms */
    double logit;       /* intercept + the contributions */
    double factor;      /* calibration factor applied to the intensity */
    double cluster;     /* items per cell holding any */
    double spot_factor, spot_power; /* then the spot recalibration (1, 1: none) */
    double lon_cell, lat_cell; /* the centre of the cell explained: the last map's cell holding
                           the place (NaN when not on that map) */
    int outside_map;    /* 1: the place lies outside the last map's grid (its model, cell and
                           calibration may not suit it); 0 inside (or the map unreadable); -1 no map made yet */
    double p_cell;      /* probability that this cell holds at least one item */
    double items_ha;    /* expected items per hectare */
    size_t n_evidence;
    size_t n_terms;
    dm_risk_explain_term terms[DM_RISK_MAX_TERMS];
} dm_risk_explanation;

/* Errors: DM_EINVAL for a position that is not one; those of the model,
 * the evidence and dm_risk_map. */
DM_API dm_status dm_risk_explain(dm_ctx *ctx, dm_store *s, double lon, double lat,
                                 dm_risk_explanation *out);

/* ---- fitting ---- */
typedef struct dm_risk_sample {
    float *x;      /* n_terms raw values */
    double y;      /* 0 or 1 */
    double bx, by; /* position (grid CRS), for spatial blocks */
    double w;      /* sample weight */
} dm_risk_sample;

typedef struct dm_risk_fit_opts {
    double block_m;      /* spatial CV block side (default 10 km) */
    int folds;           /* default 5 */
    const double *lambdas; /* L2 penalties to try (NULL: a default ladder) */
    size_t n_lambdas;
    int shrink_to_base;  /* penalise the distance to m's own weights, not to 0:
                          * what the samples cannot tell stays as in m */
    double cv_loss;      /* out: mean held-out log-loss of the chosen lambda
                          * (NaN when no fold could be held out) */
    double cv_auc;       /* out: mean held-out AUC of the chosen lambda */
    double base_auc;     /* out: mean AUC of the base model, unchanged, on the same folds */
    double block_used_m; /* out: the block side used: block_m halved until the
                          * samples span at least 2 x folds blocks (small areas) */
} dm_risk_fit_opts;

/* Fit the weights (and standardisation) of m's terms on samples by
 * L2-regularised logistic regression (Newton), choosing the penalty by
 * spatial block cross-validation; then refit on all. samples[i].x has
 * m->n_terms values. The intercept refers to m->ref_cell_m cells: pass
 * prevalence-corrected weights when sampling negatives. */
DM_API dm_status dm_risk_fit(dm_ctx *ctx, dm_risk_model *m, const dm_risk_sample *samples,
                             size_t n, dm_risk_fit_opts *o);

/* ---- evaluation ---- */
typedef struct dm_risk_eval {
    double recall5, recall10, recall20; /* share of truth events in the top 5/10/20% of area */
    double pai5, pai10, pai20;          /* recall / area share */
    double capture_auc;                 /* area under the capture curve (0.5 = random) */
    double capture[101];                /* recall at 0, 1, ..., 100 % of area */
    size_t n_truth, n_truth_inside, n_cells;
    double auc;                         /* AUC-ROC over labelled cells (NaN without labels) */
    double brier;                       /* Brier score over labelled cells (NaN without) */
    size_t n_pos, n_neg;
    /* reliability of the probabilities over labelled cells: the cells sorted
     * by map value in DM_RISK_CAL_BINS groups of (nearly) equal count, each
     * with its mean probability and the share labelled 1; ece is the
     * count-weighted mean gap between the two (NaN without labels) */
    size_t n_bins;
    size_t bin_n[10];
    double bin_p[10], bin_obs[10];
    double ece;
} dm_risk_eval;
#define DM_RISK_CAL_BINS 10

/* Score a map (values over grid g; NaN = no data) against truth points
 * (grid CRS coordinates, nt of them) inside the area mask (1 = in; NULL =
 * every non-NaN cell), and against labelled values (lab_p[i] map
 * probability, lab_y[i] label 0/1, nl of them) when nl > 0. Recall, PAI
 * and the capture curve are NaN when no truth point falls in the area; an
 * area holding no map cell is DM_EINVAL. */
DM_API dm_status dm_risk_evaluate(dm_ctx *ctx, const dm_grid *g, const float *map,
                                  const unsigned char *mask, const double *truth_xy, size_t nt,
                                  const double *lab_p, const double *lab_y, size_t nl,
                                  dm_risk_eval *out);
/* Draw an evaluation into path (.png, .pdf or .svg by its extension): the
 * capture curve marked at 5, 10 and 20 % of the area and, when e holds
 * labelled cells, the reliability diagram; title (may be NULL) above.
 * Errors: DM_EINVAL (another extension; nothing to draw), DM_EIO. */
DM_API dm_status dm_risk_eval_plot(dm_ctx *ctx, const dm_risk_eval *e, const char *path,
                                   const char *title);
/* Spot checks: cells to search on the ground to measure a map without the
 * bias of land searched because it looked dangerous. The map's cells (p
 * in [0, 1]; inside mask when not NULL) fall in DM_RISK_SPOT_CLASSES
 * classes: the riskiest 1 %, 1-5 %, 5-10 %, 10-20 %, 20-50 % of them and
 * the lower half. n spots are drawn at random, the same number in each
 * class, every cell of a class equally likely (seed: the same seed, the
 * same spots). Each spot stands for `cells` cells of its class. Errors: DM_EINVAL (n below one per class, or above the
 * cells), DM_ENOMEM. *out is freed with dm_free. */
#define DM_RISK_SPOT_CLASSES (DM_RISK_TOP_N + 1)

typedef struct dm_risk_spot {
    double lon, lat;    /* the cell's centre, WGS 84 */
    double x, y;        /* in the map's CRS */
    int cls;            /* 0: riskiest 1 %, ..., 4: 20-50 %, 5: the lower half */
    double p, items_ha; /* the map there (items_ha NaN without a band 2) */
    double cells;       /* the cells it stands for: cells of its class / spots drawn there */
    double model_ha;    /* the model's own items per hectare there, before any calibration
                           (dm_risk_spots sets it to items_ha; dm_risk_spots_uncalibrate undoes
                           the map's calibration) */
} dm_risk_spot;

DM_API dm_status dm_risk_spots(dm_ctx *ctx, const dm_grid *g, const float *p, const float *items,
                               const unsigned char *mask, size_t n, uint64_t seed,
                               dm_risk_spot **out, size_t *n_out);

/* Undo the calibration c of the map the spots were drawn from in their
 * model_ha, so that whatever calibration the map had, the spots record the
 * model's own prediction. */
DM_API void dm_risk_spots_uncalibrate(dm_risk_spot *s, size_t n, const dm_risk_map_cal *c);

/* What the checked spots say of each class of the map: n labelled points
 * (xy in the map's CRS, label 1: an item found, 0: searched, nothing;
 * other values ignored) against the map's classes as dm_risk_spots draws
 * them (same p, same mask). */
typedef struct dm_risk_spot_class {
    double cells;          /* cells of the class */
    double map_p;          /* the map's mean p over them */
    size_t spots, positive; /* labelled spots in the class, and those with an item */
    double share, lo, hi;  /* share of spots with an item and its 90 % interval (NaN: none) */
} dm_risk_spot_class;

DM_API dm_status dm_risk_spot_check(dm_ctx *ctx, const dm_grid *g, const float *p,
                                    const unsigned char *mask, const double *xy,
                                    const double *label, size_t n,
                                    dm_risk_spot_class out[DM_RISK_SPOT_CLASSES]);

/* AUC-ROC of scores s against labels y (0/1), ties counted half. */
DM_API double dm_auc(const double *s, const double *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* DM_RISK_H */
