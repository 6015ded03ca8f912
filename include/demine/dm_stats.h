/* SPDX-License-Identifier: MIT
 *
 * dm_stats.h -- land release statistics of a database: hazard area
 * remaining (SHA/CHA), area cancelled / reduced / cleared by year and method,
 * the share of the contaminated area released, items by category, accidents
 * and victims by year, civilian vs deminer; optionally grouped by district,
 * year, method or organisation.
 */
#ifndef DM_STATS_H
#define DM_STATS_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dm_stats_by {
    DM_STATS_BY_NONE = 0,
    DM_STATS_BY_DISTRICT,
    DM_STATS_BY_YEAR,
    DM_STATS_BY_METHOD,
    DM_STATS_BY_ORGANISATION
} dm_stats_by;

/* Parse "district", "year", "method", "organisation" (or "organization");
 * returns -1 when unknown. */
DM_API int dm_stats_by_parse(const char *s);

/* The statistics as a JSON object (its keys as `demine stats --json`
 * prints them; README, "demine stats"). Areas are hectares computed in the
 * local UTM zone. Free with dm_free. */
DM_API dm_status dm_stats_json(dm_store *s, dm_stats_by by, char **json);
/* dm_stats_json of some districts alone: the n names (any case), or with
 * exclude every district but these; n 0 is every district. A row's
 * district is that of the table by district: its own field district (a
 * release area's and a find's: its hazard's), else the polygon of layer
 * districts that holds it; a field report not approved ("not_approved") is
 * of its hazard's district, else of the one its land lies in. The JSON's
 * "scope" names the choice ("the district Fuzuli", "every district but
 * Aghdam"). A name that no polygon
 * of layer districts and no hazard's field district has is refused:
 * DM_ENOTFOUND naming those known. */
DM_API dm_status dm_stats_json_districts(dm_store *s, dm_stats_by by, const char *const *names, size_t n,
                                         int exclude, char **json);

#ifdef __cplusplus
}
#endif
#endif
