/* SPDX-License-Identifier: MIT
 *
 * cli_table.h -- columns of the CLI's tables: the width of a value in
 * characters (not bytes) and a value padded, or cut with "…", to a column.
 * Tables size their columns to the values they show (up to a limit), so a
 * long name does not push the rest of its row out of line.
 */
#ifndef DM_CLI_TABLE_H
#define DM_CLI_TABLE_H

#include <stddef.h>

/* The number of characters of the UTF-8 text s (a letter of two or three
 * bytes counts one); 0 for NULL. */
int cli_text_width(const char *s);

/* v (NULL prints "-") left-aligned in a column of width characters: padded
 * with spaces, or, when longer, cut at a character and ended with "…" so a
 * cut value is not read as a whole one. Prints nothing before or after. */
void cli_print_cell(const char *v, int width);

/* The width of a column: the widest of its heading and its values (see
 * cli_width_fit), at most cap characters. */
int cli_width_fit(int width, const char *v, int cap);

/* v, a value of the real field named field, as a person reads it: rounded
 * to what the unit means (metres to 0.01, centimetres to 0.1, hectares to
 * 0.0001, dollars to 0.01, degrees (ref_x, ref_y) to 0.000001; else 6
 * significant digits), trailing zeros dropped ("0.66", "12.5", "3"). Into
 * out (n bytes); returns out. */
const char *cli_format_real(const char *field, double v, char *out, size_t n);
/* The same of text holding a number (a cursor's value); text that is no
 * number is copied as it is. */
const char *cli_format_real_text(const char *field, const char *text, char *out, size_t n);

/* The properties of a GeoJSON Feature (text), one a line as "  name value"
 * (reals as cli_format_real), then its geometry's type: a hazard a field
 * report proposes. */
void cli_print_feature_fields(const char *feature);

#endif
