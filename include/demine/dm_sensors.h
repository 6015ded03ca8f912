/* SPDX-License-Identifier: MIT
 *
 * dm_sensors.h -- drone and ground sensor evidence: importing flights and
 * detections, calibrating sensors, turning them into log-odds evidence for
 * the risk engine, anomaly detection on orthomosaics (RX, local contrast) and
 * magnetometer surveys (levelling, gridding, picking), with synthetic
 * generators of both for tests and benchmarks.
 */
#ifndef DM_SENSORS_H
#define DM_SENSORS_H

#include "demine/dm_core.h"
#include "demine/dm_geom.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ordnance classes ------------------------------------------------ */
/* The classes of the model's ORDNANCE enum, as bits of a class set. */
enum {
    DM_CLASS_AP = 0,
    DM_CLASS_AT,
    DM_CLASS_UXO,
    DM_CLASS_AXO,
    DM_CLASS_IED,
    DM_CLASS_SUB,
    DM_CLASS_OTHER,
    DM_CLASS_COUNT
};
#define DM_CLASS_ALL ((1u << DM_CLASS_COUNT) - 1u)
/* "AP", "AT", ... for a class index; NULL when out of range. */
DM_API const char *dm_class_name(int c);
/* Index of a class name (case-insensitive), or -1. */
DM_API int dm_class_index(const char *name);
/* Parse "AP,AT" into a bit set. Empty or NULL gives 0. Returns -1 on an
 * unknown class. */
DM_API int dm_class_set_parse(const char *s, unsigned *set);

/* ---- import ------------------------------------------------------------ */
typedef struct dm_sensor_import_opts {
    const char *flight_ref; /* attach every detection to this flight (existing or in file) */
    const char *sensor;     /* sensor name when the file names none */
    const char *date;       /* date when the file gives none */
} dm_sensor_import_opts;

typedef struct dm_sensor_import_stats {
    long flights_added, flights_skipped;       /* skipped: already in the database */
    long detections_added, detections_skipped; /* skipped: already in the database */
    long sensors_added;
    long empty_flights; /* flights without any detection (negative evidence) */
} dm_sensor_import_stats;

/* Import flights and detections from a GeoJSON, GeoPackage or CSV file (any
 * OGR vector source). Polygons are flight footprints (fields ref, sensor,
 * sensor_kind, date, altitude_m, gsd_cm, organisation); points are
 * detections (fields flight, sensor, category, confidence, model_version,
 * position_error_m, date). CSV files give points by lon/lat (or x/y)
 * columns and footprints by a WKT column. Other CRS are reprojected to WGS 84.
 * Unknown sensors are created (kind from sensor_kind, default rates).
 * Re-importing the same file changes nothing: a flight with the same ref, or
 * with no ref but the same footprint and date, is skipped, and so is a
 * detection with the same flight, position, class and confidence.
 * A sensor or flight may be named by its uuid (sensor_id, flight_id of
 * demine's exports; an exported flight or detection keeps its uuid): a uuid
 * that is no row's is DM_ENOTFOUND, a detection naming another sensor than
 * its flight's DM_ECONFLICT. All or nothing: any bad record (confidence outside 0-1, a detection outside
 * every footprint of its flight, an empty footprint...) fails with
 * DM_EPARSE naming the file, the feature or line and the field, and nothing
 * is written. opts and stats may be NULL. */
DM_API dm_status dm_sensors_import(dm_store *s, const char *path, const dm_sensor_import_opts *opts,
                                   dm_sensor_import_stats *stats);

/* Add a sensor (or update the one with that name). classes NULL = the kind's
 * default (cameras: AP,AT,UXO,AXO,SUB on the surface; magnetometer:
 * AT,UXO,AXO,SUB,IED). Negative rates mean "kind default". */
DM_API dm_status dm_sensor_upsert(dm_store *s, const char *name, const char *kind,
                                  const char *classes, double p_detect, double false_alarms_ha,
                                  double position_error_m, char uuid_out[37]);

/* Simulated surveys over a demo database (one with hazards and the demo's
 * truth_items): n_flights squares of size_m metres near random hazards,
 * flown in turn by a multispectral camera (pd 0.6, 5 false alarms/ha,
 * 0.5 m error; sees items on the surface or within 3 cm of it) and a
 * magnetometer (pd 0.8, 15/ha, 0.3 m; metal classes within 60 cm), with
 * detections drawn from the truth items they can see and false alarms at
 * their rate. Writes the flights and detections as GeoJSON to path, for
 * dm_sensors_import. The truth is only read to simulate observations; the
 * file holds nothing a sensor could not have reported. Counts go to
 * *n_flights and *n_detections when not NULL. DM_ENOTFOUND without hazards
 * or truth items. */
typedef struct dm_sensor_sim_opts {
    int n_flights;          /* default 10 */
    double size_m;          /* default 200 */
    unsigned seed;          /* default 1 */
    const char *date;       /* default 2025-05-01 */
    const char *validation; /* also write a validation file here (every truth item
                               under the flights as kind item, the detections, the
                               footprints as kind area) for dm_sensors_calibrate */
} dm_sensor_sim_opts;
DM_API dm_status dm_sensors_simulate(dm_store *s, const dm_sensor_sim_opts *opts, const char *path,
                                     long *n_flights, long *n_detections);

/* ---- calibration ------------------------------------------------------- */
typedef struct dm_sensor_rate {
    char sensor[128];
    int category; /* DM_CLASS_*, or -1 for the sensor's overall rates */
    long n_items, n_detected, n_false_alarms;
    double area_ha;
    double p_detect;        /* (detected + 1) / (items + 2); NaN without items (kept as it was) */
    double false_alarms_ha; /* (false alarms + 0.5) / area */
} dm_sensor_rate;

/* Estimate detection probability and false-alarm rate per sensor and class
 * from a validation file, in one of two forms:
 *  - a CSV of matched rows with columns sensor, category, item, detected,
 *    area_ha: a row with an item id is a known item (detected 1 if a
 *    detection matched it, else 0); a row without one is a detection that
 *    matched no item (a false alarm, for its category or, without one, for
 *    all). area_ha is the sensor's validation area (largest of its rows);
 *  - any OGR vector file (GeoJSON, GeoPackage...) whose features have a kind
 *    (item: a known item point with its category; detection: a detection
 *    point, optional category and confidence; area: a validated polygon,
 *    the default for polygons) and a sensor: detections are matched, most
 *    confident first, to the nearest unmatched item within match_m metres
 *    (<= 0: 1 m); unmatched detections are false alarms; areas are summed.
 * p_detect = (detected + 1) / (items + 2); false alarms per ha =
 * (false alarms + 0.5) / area. A class (or sensor) with false alarms but no
 * known item keeps its detection probability (its estimate is NaN). Writes sensor_rates rows (replacing earlier
 * ones of the same sensor and class) and each sensor's overall rates, in one
 * transaction. Errors name the file, line or feature and field; an unknown
 * sensor is DM_ENOTFOUND. *rates (may be NULL) receives the estimates, the
 * overall ones with category -1; free with dm_free. */
DM_API dm_status dm_sensors_calibrate(dm_store *s, const char *validation, double match_m,
                                      dm_sensor_rate **rates, size_t *n_rates);

/* ---- evidence for the risk engine --------------------------------------- */
/* A detection as evidence: raises the log-odds of an item around (lon, lat)
 * by log_lr, spread as a Gaussian of sigma_m. */
typedef struct dm_sensor_point_ev {
    double lon, lat;
    double sigma_m;   /* 1-sigma position error, metres (>= 0.1) */
    double log_lr;    /* natural log of the likelihood ratio, >= 0 */
    unsigned classes; /* classes it is evidence for (its category, or all seen) */
    double confidence, p_detect, false_alarms_ha; /* what log_lr came from, so that a
                                        grid coarser than the error disk can redo it
                                        for its cell area */
    char date[11];
    char uuid[37];
} dm_sensor_point_ev;

/* A flight footprint as negative evidence: for class c, cells inside where no
 * detection was made get log_lr[c] = log(1 - p_detect[c]) (0 for classes the
 * sensor cannot see). */
typedef struct dm_sensor_area_ev {
    dm_geom *footprint; /* WGS 84, owned by the set */
    double log_lr[DM_CLASS_COUNT];
    unsigned classes_seen;
    int surface_only;
    char date[11];
    char uuid[37];
} dm_sensor_area_ev;

typedef struct dm_sensor_evidence {
    dm_sensor_point_ev *points;
    size_t n_points;
    dm_sensor_area_ev *areas;
    size_t n_areas;
} dm_sensor_evidence;

/* Likelihood ratio of one detection: an item within its position-error disk
 * (area 2 pi sigma^2) versus none, given the sensor's detection probability
 * pd and false-alarm rate far_ha (per hectare), with confidence c in [0, 1]:
 * LR = 1 + c (pd / (far_ha * A_ha) - 1), floored at 1. */
DM_API double dm_sensor_detection_lr(double confidence, double pd, double far_ha, double sigma_m);

/* Gather the sensor evidence of a database (detections and flights dated up
 * to `until` when not NULL) into ev. Rates come from sensor_rates per class
 * when calibrated, else from the sensor row. Free with
 * dm_sensor_evidence_free. */
DM_API dm_status dm_sensor_evidence_gather(dm_store *s, const char *until, dm_sensor_evidence *ev);
DM_API void dm_sensor_evidence_free(dm_ctx *ctx, dm_sensor_evidence *ev);

/* Add the evidence's log likelihood ratios to a Float32 grid (row-major,
 * north-up: x = gt[0] + col*gt[1], y = gt[3] + row*gt[5]) in CRS `crs`
 * ("EPSG:32638", WKT...; NULL = WGS 84), for ordnance suspected in `classes`
 * (a mixture, equal shares): a footprint lowers the log-odds by
 * log(1 - pd * share seen); a detection adds w * log_lr with
 * w = exp(-d^2 / 2 sigma^2) (1 in the cell holding it), replacing the
 * footprint's term by that weight. When a cell is larger than the error disk
 * the ratio is taken over the cell's area instead (a coarse cell gathers
 * more false alarms). */
DM_API dm_status dm_sensor_evidence_rasterise(dm_ctx *ctx, const dm_sensor_evidence *ev,
                                              unsigned classes, const char *crs, const double gt[6],
                                              int width, int height, float *logodds);

/* Rasterise the evidence onto a grid of cell_m metres (<= 0: 1 m) covering
 * it, in the UTM zone of its centre, and write it as a Float32 GeoTIFF of
 * log likelihood ratios (for inspection, or as a covariate). The grid size
 * goes to *w_out, *h_out when not NULL. DM_ENOTFOUND when there is no
 * evidence; DM_EINVAL for a grid over 4e8 cells or a cell over 1000 m. */
DM_API dm_status dm_sensor_evidence_write_tif(dm_ctx *ctx, const dm_sensor_evidence *ev,
                                              unsigned classes, double cell_m, const char *path,
                                              int *w_out, int *h_out);

/* Detection probability of a flight for ordnance suspected in `classes`
 * (equal shares; 0 = all): 1 - mean over those classes of the miss
 * probability, where a class the sensor cannot see is always missed. */
DM_API double dm_sensor_area_p_detect(const dm_sensor_area_ev *a, unsigned classes);

/* Write a class set as "AP,AT" into out (n bytes); returns the length. */
DM_API size_t dm_class_set_format(unsigned set, char *out, size_t n);

/* The hook for the risk engine (dm_evidence.h): append the sensor evidence
 * to an evidence set -- each detection of a suspected class as
 * DM_EV_DETECTION (weight = confidence, sigma_m, p_detect and fa_ha from the
 * calibrated rates of its class), each footprint as DM_EV_CLEARED (cls
 * "drone") with p_detect = dm_sensor_area_p_detect(a, classes), skipped when
 * its sensor sees none of them. classes 0 = all. Returns DM_EINTERNAL when
 * demine was built without the evidence module. */
struct dm_evidence_set;
DM_API dm_status dm_sensor_evidence_to_set(dm_ctx *ctx, const dm_sensor_evidence *ev,
                                           unsigned classes, struct dm_evidence_set *out);

/* ---- anomaly detection on orthomosaics ---------------------------------- */
typedef enum dm_detect_method {
    DM_DETECT_RX_LOCAL = 0, /* dual window: inner mean vs surrounding mean, Mahalanobis */
    DM_DETECT_RX_GLOBAL,    /* inner mean vs scene mean, Mahalanobis */
    DM_DETECT_CONTRAST      /* largest per-band z-score of inner vs surrounding mean */
} dm_detect_method;

typedef struct dm_detect_opts {
    dm_detect_method method;
    double target_radius_m;     /* inner window radius (default 0.04 m) */
    double background_radius_m; /* outer window radius (default 4x target) */
    double threshold;           /* minimum score as a normal z-score (default 4) */
    int tile;                   /* tile size in pixels (default 1024; 64 to 8192) */
    int threads;                /* 0 = the context's */
    const char *score_map;      /* when set, also write the anomaly map (z-scores, Float32
                                   GeoTIFF on the ortho's grid) to this path */
} dm_detect_opts;

typedef struct dm_candidate {
    double x, y;       /* raster CRS */
    double lon, lat;   /* WGS 84 (NaN when the raster CRS is unknown to PROJ) */
    double score;      /* normal z-score (RX: chi-square mapped by Wilson-Hilferty) */
    double confidence; /* 0-1, monotone in score, uncalibrated */
} dm_candidate;

typedef struct dm_detect_result {
    dm_candidate *cands; /* sorted by decreasing score */
    size_t n;
    double area_m2;   /* area of the raster's valid pixels */
    double extent[4]; /* minx, miny, maxx, maxy of the raster, in its CRS */
    double pixel_m;
    double unit_m;    /* ground metres per unit of the CRS at the raster's centre (1 for
                         UTM and the like; 0.3048 for feet; cos(latitude) for Web Mercator) */
    char crs[64];     /* the CRS as "EPSG:32638" (or its name when it has no code) */
    char *srs_wkt;
} dm_detect_result;

/* Detect small anomalies on a georeferenced GeoTIFF (1 band thermal or
 * several multispectral bands), tile by tile on `threads` cores. opts may be
 * NULL. An alpha band is not analysed; with alpha or a nodata value, pixels
 * whose windows touch invalid data score 0 and area_m2 counts valid pixels.
 * Lowers GDAL's block cache to 48 MiB unless GDAL_CACHEMAX is set (each
 * block is read about once). Errors: DM_EIO (cannot open), DM_EPARSE (no
 * georeference, rotated or non-metric grid), DM_EINVAL (bad options).
 * Free with dm_detect_result_free. */
DM_API dm_status dm_detect_run(dm_ctx *ctx, const char *path, const dm_detect_opts *opts,
                               dm_detect_result *out);
DM_API void dm_detect_result_free(dm_ctx *ctx, dm_detect_result *r);

/* The ground the raster at `path` holds data on, as a WGS 84 (multi)polygon
 * for a flight's footprint: its valid pixels (mask band: nodata, alpha) in
 * blocks of at most 512 a side, a block counting only when all its pixels are
 * valid, so the footprint never claims ground the raster does not cover.
 * *share (may be NULL) gets the share of the raster's extent it holds.
 * Errors: DM_EIO, DM_EPARSE (no georeference, rotated grid), DM_ENOTFOUND
 * (no valid pixel). *out: dm_geom_free. */
DM_API dm_status dm_detect_footprint(dm_ctx *ctx, const char *path, dm_geom **out, double *share);

/* Score candidates against true positions (same CRS): a candidate within
 * match_m of an unmatched truth point (best score first) is a hit. match_m
 * is in the CRS's units: a radius in ground metres divided by the result's
 * unit_m.
 * recall_at_far: share of truths found at the score threshold where false
 * alarms reach far_per_100m2 per 100 m^2 of area_m2; ap: average precision
 * (mean over the true points of the precision at the rank where each is
 * found, 0 for those never found). */
DM_API void dm_detect_evaluate(const dm_candidate *c, size_t n, const double *truth_xy,
                               size_t n_truth, double match_m, double area_m2, double far_per_100m2,
                               double *recall_at_far, double *ap);

/* Check true positions (x,y in the raster's CRS, n of them, from the file
 * `name`) against r: *outside gets how many lie off the raster (its extent
 * grown by match, in CRS units). Error DM_EPARSE when none lies on it (a
 * file in degrees or in another CRS would score recall 0): the message names
 * the file, the raster's extent and CRS, and says when the points look like
 * longitude and latitude. */
DM_API dm_status dm_detect_check_truth(dm_ctx *ctx, const dm_detect_result *r, const char *name,
                                       const double *xy, size_t n, double match, size_t *outside);

/* Synthetic orthomosaic with small surface mines planted at known places. */
typedef struct dm_ortho_synth_opts {
    double size_m;          /* square side (default 10 m) */
    double gsd_m;           /* pixel (default 0.01 m) */
    int bands;              /* default 4 */
    int n_mines;            /* default 40 (0); negative: none */
    double mine_radius_m;   /* default 0.04 */
    double contrast;        /* mine signal in noise sigmas (default 3) */
    int n_clutter;          /* stones and debris of lower random contrast (0: n_mines / 4;
                               negative: none) */
    unsigned seed;          /* default 1 */
    int epsg;               /* default 32638 (UTM 38N) */
    double x0, y0;          /* upper-left corner (default 600000, 4400000) */
    int uint16;             /* write UInt16 instead of Float32 */
    double nodata_margin_m; /* a frame this wide is nodata (0), like the margin of a
                               real orthomosaic; mines stay inside */
} dm_ortho_synth_opts;

/* Write the GeoTIFF to path; *truth_xy (2 * *n_truth doubles, raster CRS)
 * receives the mine centres (free with dm_free; may be NULL). */
DM_API dm_status dm_ortho_synth(dm_ctx *ctx, const char *path, const dm_ortho_synth_opts *opts,
                                double **truth_xy, size_t *n_truth);

/* ---- magnetometer surveys ----------------------------------------------- */
typedef struct dm_mag_sample {
    double x, y;  /* metres, projected CRS */
    double field; /* nT (total field or gradient) */
    int line;
} dm_mag_sample;

typedef struct dm_mag_survey {
    dm_mag_sample *s;
    size_t n;
    char crs[64];     /* projected CRS of x, y in ground metres, e.g. "EPSG:32638" */
    char src_crs[64]; /* the file's CRS when its x/y were converted into crs (their units
                         not ground metres: US feet, Web Mercator); "" otherwise */
    long bad_lines;   /* corrupt lines skipped when reading */
} dm_mag_survey;

/* Read a CSV with columns line, x|lon|easting, y|lat|northing,
 * field|nT|value (names case-insensitive). lon/lat are projected into their
 * UTM zone; x/y are taken in `crs` (default EPSG:32638), which must be
 * projected: when its unit is not within 1 % of a metre on the ground at the
 * survey (US feet; EPSG:3857, whose metres are 1 / cos(latitude) of the
 * ground's), x/y are converted into the UTM zone of the first point, with a
 * warning, and src_crs names the file's CRS. Corrupt lines are skipped with
 * a warning naming the line and field and counted; a file with no good line
 * fails with DM_EPARSE, and so does one whose x/y all lie within half a unit
 * of a spot in longitude/latitude ranges (degrees named x,y). DM_EINVAL: a
 * CRS unknown or not projected. */
DM_API dm_status dm_mag_read_csv(dm_ctx *ctx, const char *path, const char *crs,
                                 dm_mag_survey *out);
DM_API void dm_mag_survey_free(dm_ctx *ctx, dm_mag_survey *sv);

typedef struct dm_mag_opts {
    double cell_m;    /* grid cell (default 0.1 m) */
    double search_m;  /* gridding search radius (default 0.35 m) */
    double level_m;   /* levelling window along lines (default 8 m) */
    double threshold; /* picks above this many noise sigmas (default 4) */
    double merge_m;   /* picks closer than this merge (default 1.0 m) */
    double swath_m;   /* coverage half-width around lines (default 0.5 m) */
} dm_mag_opts;

typedef struct dm_mag_target {
    double x, y, lon, lat;
    double amplitude_nt; /* peak-to-trough of the levelled grid around the pick */
    double snr;          /* peak |anomaly| / noise sigma */
} dm_mag_target;

typedef struct dm_mag_result {
    dm_mag_target *targets;
    size_t n_targets;
    double noise_nt;   /* robust sigma of the levelled grid */
    dm_geom *coverage; /* WGS 84 polygon of surveyed ground */
    double coverage_ha;
    /* the levelled grid: w x h cells, NaN where not covered */
    float *grid;
    int w, h;
    double gt[6];
} dm_mag_result;

/* Level the lines in place (remove each line's running median over level_m,
 * which takes out drift and heading error), grid, pick targets and build the
 * coverage polygon. opts may be NULL. Free with dm_mag_result_free. */
DM_API dm_status dm_mag_process(dm_ctx *ctx, dm_mag_survey *sv, const dm_mag_opts *opts,
                                dm_mag_result *out);
DM_API void dm_mag_result_free(dm_ctx *ctx, dm_mag_result *r);

/* Write the levelled grid as a Float32 GeoTIFF (NaN where not covered) in
 * the survey's CRS. */
DM_API dm_status dm_mag_write_grid(dm_ctx *ctx, const dm_mag_result *r, const char *crs,
                                   const char *path);

/* Write the targets (points) and the coverage (polygon) as GeoJSON. */
DM_API dm_status dm_mag_write_geojson(dm_ctx *ctx, const dm_mag_result *r, const char *path);

/* Import a processed survey into the database: one flight (the coverage,
 * ref `flight_ref`) and one detection per target, for a magnetometer sensor
 * named `sensor` (created when missing). Idempotent like dm_sensors_import.
 * source (the survey file, may be NULL) begins error messages. */
DM_API dm_status dm_mag_import(dm_store *s, const dm_mag_result *r, const char *source,
                               const char *flight_ref, const char *sensor, const char *date,
                               dm_sensor_import_stats *stats);

/* Synthetic survey: parallel lines over a square with buried dipoles
 * (induced, along an Earth field of inclination 60 deg), Gaussian noise,
 * diurnal drift and per-line heading offsets. */
typedef struct dm_mag_synth_opts {
    double size_m;           /* default 20 */
    double line_spacing_m;   /* default 0.5 */
    double sample_m;         /* default 0.1 */
    double height_m;         /* sensor height (default 0.3) */
    int n_targets;           /* default 30 */
    double noise_nt;         /* default 1.0 */
    double min_snr, max_snr; /* target peaks between these multiples of noise (2, 20) */
    unsigned seed;
    double x0, y0; /* default 600000, 4400000 in EPSG:32638 */
} dm_mag_synth_opts;

typedef struct dm_mag_truth {
    double x, y, depth_m;
    double peak_nt; /* largest |anomaly| at a sample, noise-free */
} dm_mag_truth;

/* Generate a survey into sv (crs EPSG:32638) and its targets into *truth
 * (free with dm_free). */
DM_API dm_status dm_mag_synth(dm_ctx *ctx, const dm_mag_synth_opts *opts, dm_mag_survey *sv,
                              dm_mag_truth **truth, size_t *n_truth);
/* Write a survey as CSV (line,x,y,field). */
DM_API dm_status dm_mag_write_csv(dm_ctx *ctx, const dm_mag_survey *sv, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* DM_SENSORS_H */
