/* SPDX-License-Identifier: MIT
 *
 * io_internal.h -- what the import and export files share: GDAL set-up and
 * error capture.
 */
#ifndef DM_IO_INTERNAL_H
#define DM_IO_INTERNAL_H

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/dm_internal.h"
#include "demine/dm_io.h"

typedef struct dm__gdal_capture {
    char msg[1024];
    char warning[1024];
} dm__gdal_capture;

/* Register drivers once and route GDAL messages into c until dm__gdal_end. */
void dm__gdal_begin(dm__gdal_capture *c);
void dm__gdal_end(dm__gdal_capture *c);

/* v written with a decimal comma or thousands separators ("39,8123",
 * "12 500", "1,500.5", "1.234,5") as a plain number in buf; NULL when v is
 * not of such a form (a plain number is left to the caller). A lone comma
 * before three digits ("1,500") is a thousands separator, unless the file
 * writes decimal commas (decimal_comma: a CSV separated by semicolons). */
const char *dm__number_text(const char *v, int decimal_comma, char *buf, size_t n);

/* A coordinate as a number, a number as dm__number_text reads it, or
 * degrees, minutes and seconds ("40°12'30\"N", "N40 12.5", "46°45'10\" в.д.").
 * *axis is 1 when a hemisphere letter makes it a latitude, 2 a longitude,
 * else 0. Returns 0 when v is none of these. */
int dm__parse_coord(const char *v, int decimal_comma, double *out, int *axis);

/* A CSV file whose unquoted fields hold a '"' after a digit (the seconds
 * mark of 39°54'10"N, written plainly): GDAL's CSV reader takes any '"'
 * for a quote, and the columns after it would shift. Such a file is copied
 * into a directory of its own, under its own name and with its .csvt and
 * .prj, those fields quoted ("39°54'10""N") and every record on the line
 * it was: *copy is the copy's path (remove it with dm__csv_copy_remove),
 * NULL when the file needs none (or cannot be opened: the reader says so).
 * Returns 0, or -1 when the copy cannot be written (errno says why). */
int dm__csv_quote_marks(const char *path, char **copy);
/* The shape of a CSV file as a spreadsheet reads it: refused (DM_EPARSE,
 * naming the file, line and column) when a quote opening a value is never
 * closed (GDAL would read the rest of the file into it), a row has a value
 * past the header's last column (GDAL drops it), or the file holds a NUL
 * byte (no text does: UTF-16, a binary file). A row of fewer values than the
 * header passes: a spreadsheet leaves out the empty cells at a row's end; so
 * do the rows below a first line of one name (a title above the column
 * names, which the importer names). */
dm_status dm__csv_check_shape(dm_ctx *ctx, const char *path);
/* Remove the copy, its directory and all in it, and free copy (NULL: none). */
void dm__csv_copy_remove(char *copy);

/* Read path as dm_import_file reads it (o->layer NULL: as rows of no layer,
 * every column read and none refused) without writing anything: what the
 * import would refuse, row by row and field by field, is an error of out,
 * and its warnings (repeated rows) are warnings; the geometry, date,
 * duplicate and overlap checks of dm_check.h are made too. s, when not
 * NULL, is the database the file would go to: refs it names must be there,
 * refs and uuids it has are reported, and points are compared with its
 * data. out is the caller's (dm_check_report_free), also on error. */
dm_status dm__import_check(dm_ctx *ctx, dm_store *s, const char *path, const dm_import_opts *o,
                           dm_check_report *out);

/* The folders of a KML or KMZ file (dm__kml_tree_read: NULL when it cannot
 * be read or out of memory; free with dm__kml_tree_free). */
typedef struct dm__kml_tree dm__kml_tree;
dm__kml_tree *dm__kml_tree_read(const char *path);
void dm__kml_tree_free(dm__kml_tree *t);
/* The name of the file's top document ("" when none): the layer of the
 * placemarks outside any folder is named after it. */
const char *dm__kml_tree_document(const dm__kml_tree *t);
/* The whole path ("Sector A/Minefield 3") of the folder a KML driver's
 * layer layer_name reads (libkml: LIBKML's, else KML's naming and order,
 * "Minefield 3 (#2)" the second folder of that name), into buf; NULL when
 * no folder of the file has that name. *nested is 1 when the folder lies
 * in another. */
const char *dm__kml_folder_path(const dm__kml_tree *t, const char *layer_name, int libkml, char *buf,
                                size_t n, int *nested);

/* ------------------ the words of `demine form` (form.c) ------------------ */

/* The label field fd of layer l has in the layer's form, in English and in
 * Azerbaijani: the tables' words, else its name as words ("Est area ha",
 * written into buf, n bytes, which both then point to). A KoboToolbox
 * export downloaded with its default settings has these for headers. */
void dm__form_field_label(const dm_layer_def *l, const dm_field_def *fd, const char **en,
                          const char **az, char *buf, size_t n);
/* The label of choice value of field fd's list ("AP": "Anti-personnel
 * mine (AP)", "Piyada əleyhinə mina (AP)"; a yes/no field's "yes" and
 * "no"), in English and in Azerbaijani; value itself when the tables have
 * none. */
void dm__form_choice_label(const dm_field_def *fd, const char *value, const char **en,
                           const char **az);
/* The geometry question of kind k (0 geopoint, 1 geotrace, 2 geoshape):
 * its type and its label in English and in Azerbaijani. Returns 0 when k
 * is past the last. */
int dm__form_geometry_label(size_t k, const char **type, const char **en, const char **az);
/* Layer's form as a repeat group of another's: the field linking a row to
 * its parent (victims: accident_id), else NULL. */
const char *dm__form_repeat_link(const dm_layer_def *l);
/* Whether layer's form holds a repeat group (accidents: their victims),
 * whose rows name the submission they belong to. */
int dm__form_has_repeat(const dm_layer_def *l);
/* 1 when header is a column of the form's helper questions for a date
 * known to the month or the year (date_known, date_day, date_month,
 * date_year, or their labels): the field itself is calculated from them,
 * and the import drops them. */
int dm__form_date_helper(const dm_layer_def *l, const char *header);

/* ------------------ areas in other units, IMSMA columns ------------------ */

/* A unit an area is given in: hectares are value * mul / div. */
typedef struct dm__area_unit {
    double mul, div;
    const char *name; /* "m²", "km²", "ha" */
} dm__area_unit;

/* word ("m2", "m²", "sqm", "km2", "ha", ...) as a unit; 0 when none. */
int dm__area_unit_parse(const char *word, dm__area_unit *u);
/* Is f an area in hectares (est_area_ha, area_cleared_ha, area_ha, ...)? */
int dm__is_area_field(const dm_field_def *f);
/* The area field of l a column's name says, with the unit its name ends
 * in ("area_m2", "Area (m²)", "remaining_area_sqm", "Cleared Area [km2]");
 * NULL when the name says no unit or no area of l. */
const dm_field_def *dm__area_column(const dm_layer_def *l, const char *col, dm__area_unit *u);
/* Whether a column's name ends in a unit (into *u). */
int dm__column_unit(const char *col, dm__area_unit *u);
/* A --map target naming an area field of l in another unit ("est_area_m2"
 * for est_area_ha in square metres); NULL when it is none. */
const dm_field_def *dm__area_target(const dm_layer_def *l, const char *to, dm__area_unit *u);

/* A column as IMSMA names it: the layer it is of, its name (lower case,
 * words joined by '_'), the field it goes to, whether it is an area whose
 * unit the programme chose (and must be said), and whether the columns
 * going to its field add up (IMSMA's reduced area with and without a
 * technical asset). */
typedef struct dm__imsma_col {
    const char *layer, *column, *field;
    int needs_unit, sum;
} dm__imsma_col;
const dm__imsma_col *dm__imsma_column(const dm_layer_def *l, const char *col);
/* A Shapefile's column whose name (8 to 10 bytes) is the start of one
 * IMSMA column's name alone, as the format cuts it ("Land class",
 * "Estimated"); NULL when none or more than one. */
const dm__imsma_col *dm__imsma_column_cut(const dm_layer_def *l, const char *col);
/* v, a value of IMSMA's classification of Land or Activities, as f's
 * value ("Handover certificate": handover); NULL when v is none of them,
 * or (with *none set) when demine has no such value ("Progress Report"). */
const char *dm__imsma_value(const dm_field_def *f, const char *v, int *none);

#endif
