/* SPDX-License-Identifier: MIT
 *
 * cli_table.h -- columns of the CLI's tables: the width of a value in
 * characters (not bytes) and a value padded, or cut with "…", to a column.
 * Tables size their columns to the values they show (up to a limit), so a
 * long name does not push the rest of its row out of line.
 */
#ifndef DM_CLI_TABLE_H
#define DM_CLI_TABLE_H

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

#endif
