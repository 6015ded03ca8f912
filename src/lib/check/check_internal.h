/* SPDX-License-Identifier: MIT
 *
 * check_internal.h -- the pieces of the data checks shared by the database
 * and file front ends.
 */
#ifndef DM_CHECK_INTERNAL_H
#define DM_CHECK_INTERNAL_H

#include "core/dm_internal.h"

/* One row's geometry for the pairwise checks. */
typedef struct dm__check_geomrow {
    char id[48];
    char ref[64];
    char key[64]; /* points: duplicates must share it (e.g. date + category) */
    dm_geom *g;
    double env[4]; /* minx, miny, maxx, maxy */
    double ha;
    int is_point;
} dm__check_geomrow;

void dm__check_add(dm_check_report *r, dm_check_severity sev, const char *code, const char *layer,
                   const char *id, const char *ref, double x, double y, const char *fmt, ...)
    DM_PRINTF(9, 10);
void dm__check_geom(dm_ctx *ctx, dm_check_report *r, const char *layer, const char *id,
                    const char *ref, const dm_geom *g);
void dm__check_date(dm_check_report *r, const char *layer, const char *id, const char *ref,
                    const char *field, const char *value);
/* An area given (field, in hectares) against its polygon's ha: a warning
 * "area_mismatch" when they differ by more than 0.5 ha and 20 %, naming
 * the likely unit (a ratio of about 10 000: square metres read as
 * hectares; 1/100: square kilometres), and, for a file's column col (NULL
 * for the database), the --map that reads it so. A file's area is named
 * only when it is 0 or off by a unit: the import keeps the area given. */
void dm__check_area(dm_check_report *r, const char *layer, const char *id, const char *ref, const char *field,
                    double given, double ha, const char *col);
/* Why a value of field f of layer l is refused, for a message: err (the
 * store's reason, which quotes the value) as it is, or, for a field of
 * personal data (a victim's age), the reason without the value ("not a
 * whole number from 0 to 120 (the value is personal data: not shown)").
 * Written into out (n bytes). */
void dm__check_personal_why(const dm_layer_def *l, const dm_field_def *f, const char *err, char *out,
                            size_t n);
/* Issues from index `from` on of a file's check, for a layer holding
 * personal data (a victim's name labels no row; unknown columns' and
 * personal fields' values are not quoted): the row is named by its feature
 * number alone, and the values are taken out of the messages. */
void dm__check_scrub_personal(dm_check_report *r, size_t from);
/* The issues of layer that name a row (its id) without its label (a ref,
 * else a name): the row's label, looked up in rows (n) and in the other
 * issues of that row. Those found apart from the row's values (a column
 * the layer lacks, coordinates swapped in one row) are named as the others.
 * Done by dm__check_pairs. */
void dm__check_label_rows(dm_check_report *r, const char *layer, const dm__check_geomrow *rows, size_t n);
/* Duplicates (and, with overlaps, overlapping polygons) among rows; first
 * dm__check_label_rows. */
void dm__check_pairs(dm_ctx *ctx, dm_check_report *r, const char *layer, dm__check_geomrow *rows,
                     size_t n, int overlaps);

#endif
