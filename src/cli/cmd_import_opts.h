/* SPDX-License-Identifier: MIT
 *
 * cmd_import_opts.h -- the options that say how a file is read, which
 * `demine import` and `demine check FILE` share (parsed in cmd_import.c),
 * so that a check reads a file exactly as the import will.
 */
#ifndef DM_CMD_IMPORT_OPTS_H
#define DM_CMD_IMPORT_OPTS_H

#include "demine/demine.h"

#define CLI_IMPORT_MAX_PAIRS 128

typedef struct cli_import_args {
    dm_import_opts o;
    const char *map_from[CLI_IMPORT_MAX_PAIRS], *map_to[CLI_IMPORT_MAX_PAIRS];
    const char *set_f[CLI_IMPORT_MAX_PAIRS], *set_v[CLI_IMPORT_MAX_PAIRS];
    size_t n_map, n_set;
    /* --unit UNIT (o.area_unit): the unit of the area columns whose name
     * says none, IMSMA's (Estimated Area, ...) and those --map takes into
     * an area in hectares (est_area_ha, area_cleared_ha, ...) */
    const char *unit;
} cli_import_args;

/* The long options of the reading options, for a command's getopt table
 * (their values are the characters cli_import_option takes). */
#define CLI_IMPORT_LONGOPTS                                                                        \
    {"layer", required_argument, 0, 'l'}, {"map", required_argument, 0, 'm'},                      \
        {"set", required_argument, 0, 's'}, {"ignore-unknown", no_argument, 0, 'i'},               \
        {"src-layer", required_argument, 0, 'L'}, {"x", required_argument, 0, 'x'},                \
        {"y", required_argument, 0, 'y'}, {"geom-field", required_argument, 0, 'g'},               \
        {"crs", required_argument, 0, 'c'}, {"encoding", required_argument, 0, 'e'},                \
        {"only-geometry", required_argument, 0, 'G'}, {"swap-xy", no_argument, 0, 'W'},             \
        {"unit", required_argument, 0, 'u'}

/* Take option c (from CLI_IMPORT_LONGOPTS) with its argument into a:
 * 1 when taken, 0 when c is no reading option, 2 after a usage error of
 * command cmd. */
int cli_import_option(const char *cmd, int c, const char *arg, cli_import_args *a);
/* a->o with its mapping pointing into a. */
const dm_import_opts *cli_import_opts(cli_import_args *a);
void cli_import_args_free(cli_import_args *a);

#endif
