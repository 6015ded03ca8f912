/* SPDX-License-Identifier: MIT
 *
 * sensors_internal.h -- helpers shared by the files of src/lib/sensors:
 * GDAL start-up, candidate lists, seeded random numbers, the ordnance
 * class defaults of each sensor kind, and reading rows by one field.
 */
#ifndef DM_SENSORS_INTERNAL_H
#define DM_SENSORS_INTERNAL_H

#include "demine/dm_sensors.h"

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>

/* GDALAllRegister once per process. */
void sensors__gdal_init(void);

/* Append k candidates under the mutex; -1 when out of memory. */
int sensors__append_cands(pthread_mutex_t *mu, dm_candidate **arr, size_t *n, size_t *cap,
                          const dm_candidate *add, int k);

/* xoshiro128+-style generator: small, fast, seeded. */
typedef struct sensors_rng {
    uint64_t s[2];
} sensors_rng;
void sensors__rng_seed(sensors_rng *r, uint64_t seed);
uint64_t sensors__rng_u64(sensors_rng *r);
/* Uniform in [0, 1). */
double sensors__rng_unif(sensors_rng *r);
/* Standard normal (Box-Muller). */
double sensors__rng_normal(sensors_rng *r);

/* Default classes, surface flag, detection probability, false alarms per
 * hectare and position error of a sensor kind. */
void sensors__kind_defaults(const char *kind, unsigned *classes, int *surface_only, double *pd,
                            double *far_ha, double *pos_err_m);

/* Write one Float32 band as a tiled DEFLATE GeoTIFF (NaN = no data). */
dm_status sensors__write_float_tif(dm_ctx *ctx, const char *path, const float *v, int w, int h,
                                   const double gt[6], const char *crs, const char *desc);

/* Confidence (0-1, uncalibrated) of a magnetometer pick of this SNR. */
double sensors__mag_confidence(double snr);

/* The rows of layer whose field is value (every row when value is NULL),
 * inside bbox (WGS 84) when it is not NULL. */
dm_status sensors__select_eq(dm_store *s, const char *layer, const char *field, const char *value,
                             const double *bbox, dm_cursor **out);

/* Ground metres per unit of the projected CRS crs (WKT or "EPSG:n") at x,y,
 * east-west (*kx) and north-south (*ky), from a step of `step` units
 * measured on its ellipsoid: US feet, or Web Mercator away from the
 * equator, are not ground metres. 0 when it cannot be worked out. */
int sensors__ground_scale(const char *crs, double x, double y, double step, double *kx, double *ky);

/* Strip blanks and quotes around a CSV value (in place). */
char *sensors__csv_trim(char *s);
/* The next line of f (read into buf of size bytes) that is neither blank
 * nor a '#' comment, trimmed as by sensors__csv_trim; NULL at the end of the
 * file. *lineno (when not NULL) counts every line read. */
char *sensors__csv_next(FILE *f, char *buf, int size, long *lineno);
/* Split a line in place at sep into at most max trimmed columns; returns the
 * number of columns found (which may exceed max). */
int sensors__csv_split(char *line, char sep, char **cols, int max);

#endif
