/* SPDX-License-Identifier: MIT
 *
 * dm_qc.h -- quality control of land release (IMAS 07.40 monitoring, IMAS
 * 09.20 post-clearance inspection): inspectors search again a sample of
 * land an organisation released, and an item they find there is an item
 * its search missed. An inspection is an activity of type `qc` whose
 * geometry is the land inspected, whose items (items.activity_id) are what
 * it found, and whose `inspects_id` names the clearance or survey checked
 * (without it, the released land its geometry overlaps).
 *
 * From the inspections, the detection probability of each organisation's
 * method is measured (a Beta posterior centred on the method's default);
 * the risk map uses the measured probability for that organisation's
 * cleared land. Random inspection plots inside a task's released land are
 * drawn by dm_qc_sample.
 */
#ifndef DM_QC_H
#define DM_QC_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The least weight, in items, of the prior on a method's detection
 * probability: the prior is Beta(k p0, k (1 - p0)), p0 the method's
 * default, k = dm_qc_prior_items(p0). */
#define DM_QC_PRIOR_ITEMS 10.0

typedef struct dm_qc_opts {
    const char *org;   /* only tasks of this organisation (any case); NULL: all */
    const char *from;  /* inspections dated (end_date, else start_date) on or after */
    const char *to;    /* ... and on or before; NULL: no bound */
} dm_qc_opts;

/* One task (clearance or survey) inspected. */
typedef struct dm_qc_task {
    char uuid[37], ref[64], org[128], method[96];
    int inspections;     /* inspections of it */
    double ha_inspected; /* its released land the inspections covered */
    double found;        /* items it found inside that land */
    double missed;       /* items the inspections found inside that land */
    int failed;          /* any item missed (IMAS zero-defect acceptance) */
} dm_qc_task;

/* The measured detection probability of one organisation's method. */
typedef struct dm_qc_rate {
    char org[128], method[96];
    int tasks, failed, inspections;
    double ha_inspected, found, missed;
    double p_default;    /* the method's default (dm evidence) */
    double prior_items;  /* k: the default's weight (dm_qc_prior_items) */
    double p, p_lo, p_hi; /* posterior mean and 90 % interval */
} dm_qc_rate;

typedef struct dm_qc_result {
    dm_qc_rate *rates; /* by organisation, then method */
    size_t n_rates;
    dm_qc_task *tasks; /* by organisation, method, then ref */
    size_t n_tasks;
    size_t inspections;           /* inspections read (approved, in the dates) */
    size_t unattributed;          /* of those, overlapping no released land */
    char first_unattributed[64];  /* the first of them (ref or uuid) */
    double outside;               /* items inspections found outside the land inspected */
} dm_qc_result;

/* Measure every inspected task and organisation's method. Only approved
 * activities, release areas and items count (field reports awaiting review
 * are left out). Errors name the row and field: DM_EINVAL for an inspects_id
 * that is no clearance or survey (clearance, ts, bac), names no activity,
 * is set on an activity that is not qc, or an inspection without geometry
 * or not overlapping the land of the task it names. Free with
 * dm_qc_result_free. */
DM_API dm_status dm_qc_measure(dm_store *s, const dm_qc_opts *o, dm_qc_result *out);
DM_API void dm_qc_result_free(dm_ctx *ctx, dm_qc_result *r);
/* The rate measured for org's method (exact method text as stored, e.g.
 * "manual" or "manual,mechanical"; org any case), or NULL. */
DM_API const dm_qc_rate *dm_qc_rate_find(const dm_qc_result *r, const char *org, const char *method);
/* The result as JSON (as `demine qc --json` prints it); dm_free it. */
DM_API dm_status dm_qc_json(dm_ctx *ctx, const dm_qc_result *r, char **json);

/* Beta(a, b): its quantile q (0 < q < 1). */
DM_API double dm_qc_beta_quantile(double a, double b, double q);

/* The least weight of that prior in misses: k (1 - p0) >= this. */
#define DM_QC_PRIOR_MISSES 0.2

/* The weight k, in items, of the prior on a method whose default is p0:
 * DM_QC_PRIOR_ITEMS, or DM_QC_PRIOR_MISSES / (1 - p0) when that is more
 * (a default of 0.996: 50 items). A prior worth less piles up at p = 1
 * and holds the interval of a method that rarely misses above its true
 * rate whatever the inspections found (docs/qc.md). */
DM_API double dm_qc_prior_items(double p0);

/* The rates the risk evidence of s uses (dm_evidence_read_store, unless
 * its options' no_qc_rates), inspections dated on or before until (NULL:
 * all). A database whose inspections cannot be measured gives none, with a
 * warning logged. */
DM_API dm_status dm_qc_rates_for_map(dm_store *s, const char *until, dm_qc_result *out);

/* ---- inspection plots ---- */
typedef struct dm_qc_sample_opts {
    double share;       /* share of the released land to inspect (default 0.1) */
    double ha;          /* or these hectares (overrides share when > 0) */
    double plot_m;      /* side of a square plot, metres (default 10) */
    unsigned long seed; /* the same seed draws the same plots */
} dm_qc_sample_opts;

typedef struct dm_qc_sample_result {
    size_t plots;
    double land_ha;  /* the land the activity released */
    double plots_ha; /* what the plots cover */
    char task_ref[64], task_uuid[37];
} dm_qc_sample_result;

/* Draw square plots at random inside the land activity (id, unique uuid
 * prefix or ref) released (its cleared and reduced release areas, else its
 * own polygon), not overlapping each other, and write them as GeoJSON to
 * out_path (which must not exist) with the fields an inspection fills in.
 * Errors: DM_ENOTFOUND (no such activity), DM_EINVAL (not a clearance or
 * survey, no land, land too small for one plot), DM_EIO. */
DM_API dm_status dm_qc_sample(dm_store *s, const char *activity, const dm_qc_sample_opts *o,
                              const char *out_path, dm_qc_sample_result *res);

/* ---- recording the plots inspected ---- */
typedef struct dm_qc_record_opts {
    const char *org; /* the inspecting organisation (NULL: none recorded) */
    int dry_run;     /* read and check the plots, record nothing */
} dm_qc_record_opts;

#define DM_QC_RECORD_LIST 16
typedef struct dm_qc_recorded {
    char ref[128], uuid[37], task_ref[64];
    size_t plots, drawn; /* plots inspected, of those drawn for the task */
    long items;          /* items found, the inspectors' count */
    double ha;
} dm_qc_recorded;

typedef struct dm_qc_record_result {
    size_t plots, inspected, not_inspected; /* features of the file */
    size_t inspections;                     /* activities recorded (or, dry run, to record) */
    long items;                             /* the inspectors' count of items found */
    double inspected_ha;
    dm_qc_recorded list[DM_QC_RECORD_LIST]; /* the first inspections recorded */
} dm_qc_record_result;

/* Record the plots of path (the GeoJSON of dm_qc_sample, filled in by the
 * inspectors: end_date the day a plot was searched, items_found what was
 * found there) as inspections: the plots of each task that have an
 * end_date become one activity of type qc (ref QC-TASK-LASTDATE, its
 * polygon the plots, start and end the first and last day, inspects_id the
 * task), in one transaction; plots without an end_date were not inspected
 * and are counted, not recorded. The items themselves, with their places,
 * are imported into items with activity_id the inspection's ref. Errors
 * name the file, the feature and the field: DM_EPARSE (no such field, a
 * bad date or count, items found in a plot with no date, nothing
 * inspected), DM_ENOTFOUND (a task not in the database), DM_EINVAL (a task
 * that is no clearance or survey), DM_ECONFLICT (recorded already). */
DM_API dm_status dm_qc_record(dm_store *s, const char *path, const dm_qc_record_opts *o,
                              dm_qc_record_result *res);

#ifdef __cplusplus
}
#endif
#endif
