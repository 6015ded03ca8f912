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

/* The statistics as a JSON object (documented in docs/stats.md). Areas are
 * hectares computed in the local UTM zone. Free with dm_free. */
DM_API dm_status dm_stats_json(dm_store *s, dm_stats_by by, char **json);

#ifdef __cplusplus
}
#endif
#endif
