/* SPDX-License-Identifier: MIT
 *
 * dm_report.h -- the national status report of a database, of the kind
 * mine action agencies and the Landmine Monitor publish: maps (hazards by
 * status, the risk map, the plan), charts (land released per year by method,
 * items found per year by type, casualties per year, the plan's burn-down),
 * tables by district, the plan summary and the donor comparison. Drawn with
 * cairo into a PDF, or into an HTML page with embedded PNG figures.
 */
#ifndef DM_REPORT_H
#define DM_REPORT_H

#include "demine/dm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dm_report_opts {
    const char *title; /* NULL: "National mine action status report" */
    const char *date;  /* report date YYYY-MM-DD; NULL: today */
} dm_report_opts;

/* Write the report of store s to path: a PDF when path ends in .pdf, an
 * HTML page when it ends in .html or .htm (DM_EINVAL otherwise). The risk
 * map is read from the GeoTIFF named by meta key "risk_map" when it exists,
 * the plan from meta key "plan" and the plan_tasks layer when present;
 * missing parts are noted in the report. The plan's costs are given at unit
 * rates and, when its summary has them (key "day_rate"), at the teams' day
 * rates beside them, "unknown" where the summary holds null. opts may be
 * NULL. Errors: DM_EIO (cannot write), DM_EINVAL. */
DM_API dm_status dm_report_write(dm_store *s, const char *path, const dm_report_opts *opts);

/* Release the font and drawing caches of cairo and fontconfig, for a clean
 * exit (leak checkers). Call only at the end of a process, when no other
 * thread draws. */
DM_API void dm_report_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif /* DM_REPORT_H */
