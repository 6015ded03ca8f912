/* SPDX-License-Identifier: MIT
 *
 * dm_check.h -- data quality checks of a database or of a file before import:
 * invalid or self-intersecting polygons (with where the fault is), rings of
 * fewer than 3 distinct vertices, duplicates, overlapping hazards, jumps of
 * over 5 km between consecutive vertices, items outside their hazard,
 * impossible or out-of-order dates, areas that disagree with the geometry.
 */
#ifndef DM_CHECK_H
#define DM_CHECK_H

#include "demine/dm_io.h"
#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_check_severity { DM_CHECK_ERROR = 0, DM_CHECK_WARNING = 1 } dm_check_severity;

typedef struct dm_check_issue {
    dm_check_severity severity;
    char code[32];    /* invalid_geometry, too_few_vertices, duplicate, overlap, vertex_jump,
                         item_outside_hazard, future_date, impossible_date, date_order,
                         area_mismatch, empty_geometry; for a file as import reads it:
                         unknown_field, bad_value, missing_value, bad_coordinate,
                         swapped_coordinates, projected_coordinates, duplicate_ref,
                         in_database, z_dropped */
    char layer[32];
    char id[48];      /* uuid in a database, "feature N" in a file */
    char ref[64];     /* ref or name when the row has one */
    char message[512]; /* with its fix: a swapped-coordinates message was cut at 320 bytes */
    double x, y;      /* where (WGS 84), NaN when not a place */
} dm_check_issue;

typedef struct dm_check_report {
    dm_check_issue *issues;
    size_t n, cap;
    long rows_checked;
    long errors, warnings;
} dm_check_report;

/* Check every layer of a database. The report is the caller's; free it with
 * dm_check_report_free. */
DM_API dm_status dm_check_store(dm_store *s, dm_check_report *out);
/* Check a vector file (any GDAL format, any CRS) as rows of `layer` (NULL:
 * geometry and date checks only): dm_check_file_as with no other option. */
DM_API dm_status dm_check_file(dm_ctx *ctx, const char *path, const char *layer,
                               dm_check_report *out);
/* Check a file as dm_import_file would read it with opts (opts->layer NULL:
 * as rows of no layer, every column read, none refused): the same column
 * mapping, coordinate columns and parsing, CRS and encoding; what the import
 * would refuse is an error naming the feature (and CSV line) and the field,
 * each of them rather than the first (unknown_field, bad_value,
 * missing_value, bad_coordinate, swapped_coordinates, projected_coordinates,
 * duplicate_ref, ...), and rows repeating another of the file are
 * duplicate warnings. db, when not NULL, is the database the file is meant
 * for (read only): refs the file names must be there, rows it already has
 * are reported (in_database), and points are compared with its data for
 * swapped latitude and longitude. Errors: DM_ENOTFOUND (unknown layer or
 * --map field), DM_EIO, DM_EPARSE (not a file GDAL reads), DM_EINVAL. */
DM_API dm_status dm_check_file_as(dm_ctx *ctx, const char *path, const dm_import_opts *opts,
                                  dm_store *db, dm_check_report *out);
DM_API void dm_check_report_free(dm_ctx *ctx, dm_check_report *r);
/* The report as JSON {rows_checked, errors, warnings, issues:[...]}. Free with dm_free. */
DM_API dm_status dm_check_report_json(dm_ctx *ctx, const dm_check_report *r, char **json);

#ifdef __cplusplus
}
#endif
#endif
