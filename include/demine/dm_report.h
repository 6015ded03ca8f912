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
    const char *title; /* NULL: "National mine action status report", or with
                        * districts "Mine action status report: Fuzuli district" */
    const char *date;  /* report date YYYY-MM-DD; NULL: today */
    int force;         /* replace path whatever it holds (see dm_report_write) */
    /* the report of some districts: names (any case) of districts of layer
     * districts or of the hazards' field district; n_districts 0: of every
     * district. With exclude_districts, of every district but these. */
    const char *const *districts;
    size_t n_districts;
    int exclude_districts;
} dm_report_opts;

/* Write the report of store s to path: a PDF when path ends in .pdf, an
 * HTML page when it ends in .html or .htm (DM_EINVAL otherwise). The risk
 * map is read from the GeoTIFF named by meta key "risk_map" when it exists,
 * the plan from meta key "plan" and the plan_tasks layer when present;
 * missing parts are noted in the report. The plan's costs are given at unit
 * rates and, when its summary has them (key "day_rate"), at the teams' day
 * rates beside them, "unknown" where the summary holds null. opts may be
 * NULL. An existing path is replaced only when it is empty or a report or
 * map demine wrote (a PDF whose Creator names demine, an HTML page whose
 * generator meta or closing line does), or with opts->force; else
 * DM_ECONFLICT naming path, before any work. Written beside path and
 * renamed once whole: a failure leaves the old file as it was.
 * With opts->districts the report is of those districts alone: its key
 * figures, charts and tables count the hazards, release areas, finds,
 * accidents and victims of those districts (a row's district is that of
 * dm_stats_json's table by district: its field district, a release area's
 * and a find's its hazard's, else the district polygon that holds it), its
 * maps show their hazards on an extent fitted to the districts' polygons
 * (or their hazards), and the title and cover name them. The stored plan is
 * shown as it is when its hazards are all in those districts; when some of
 * them lie outside, the report gives the part of the plan in the districts
 * (their hazards, land, cost and last date, from plan_tasks) and says that
 * the plan's years, forecast and donor comparison are of its own scope; when
 * none does, it says that no plan of the districts is stored.
 * Errors: DM_EIO (cannot write), DM_EINVAL, DM_ECONFLICT, DM_ENOTFOUND (a
 * district unknown: the message names up to 10 known ones of layer districts
 * and of the hazards). */
DM_API dm_status dm_report_write(dm_store *s, const char *path, const dm_report_opts *opts);

/* ---- the public danger leaflet ---- */

/* Languages of the leaflet's text. */
typedef enum dm_public_lang { DM_LANG_BOTH = 0, DM_LANG_EN = 1, DM_LANG_AZ = 2 } dm_public_lang;

typedef struct dm_public_opts {
    const char *district;   /* the area: a district's polygon (name, any case), or */
    const char *settlement; /* a settlement feature and around_m about it, or */
    const double *bbox;     /* a box west, south, east, north in degrees; all NULL:
                             * the extent of all danger zones */
    double around_m;        /* about a settlement, metres (<= 0: 3000) */
    dm_public_lang lang;
    const char *date;       /* date printed, YYYY-MM-DD; NULL: today */
    int force;              /* replace path whatever it holds */
} dm_public_opts;

/* Write the printable public danger map (a leaflet for residents without
 * internet) of an area to path, an A4 PDF: only what the public web map
 * shows -- the generalised danger zones of dm_danger_zones (buffer 100 m,
 * simplify 25 m, grid 50 m; never a hazard outline, ref, item, accident,
 * record, person or risk value) over the public map features (roads,
 * tracks, rivers, canals, settlements, buildings, houses, schools, bridges,
 * cemeteries; never front lines or military positions), settlement names,
 * a longitude/latitude grid, scale bar and north arrow, the date of the
 * latest change to the hazards, the number of zones in the area (or "No
 * known danger zone in this area") and the safety messages of
 * dm_danger_messages in the chosen language(s). Written beside path and
 * renamed once whole; an existing path is replaced as by dm_report_write
 * (a PDF demine wrote, an empty file, or opts->force; else DM_ECONFLICT).
 * opts may be NULL; *n_zones (when not NULL) gets the number of zones that
 * meet the area.
 * Errors: DM_EINVAL (path not .pdf, a bbox not in degrees, more than one
 * area given), DM_ENOTFOUND (unknown district or settlement: the message
 * names up to 10 known ones), DM_EIO. */
DM_API dm_status dm_report_public(dm_store *s, const char *path, const dm_public_opts *opts,
                                  int *n_zones);

/* ---- a hazard's completion report and handover certificate ---- */

typedef struct dm_hazard_report_opts {
    const char *date;    /* report date YYYY-MM-DD; NULL: today */
    int force;           /* replace path whatever it holds */
    dm_public_lang lang; /* the certificate's texts: English, Azerbaijani or
                          * both (DM_LANG_BOTH, 0); the rest is English */
} dm_hazard_report_opts;

typedef struct dm_hazard_report_info {
    char uuid[37], ref[200]; /* the hazard */
    int pages;               /* pages written (0: an HTML page) */
    int draft;               /* the certificate is a draft: the hazard is
                              * neither closed nor handed over */
} dm_hazard_report_info;

/* Write the completion report and handover certificate of one hazard
 * (IMAS 08.30) to path, an A4 PDF: its header (ref, name, type, district,
 * settlement, status and its date, the report's date); a map of its
 * polygon, the release areas coloured by outcome, the items found and the
 * accidents within 100 m, with a longitude/latitude grid, scale bar, north
 * arrow and its turning points numbered; the turning points of its polygon
 * (and of the land remaining, when some was released and some is left) in
 * degrees and in the UTM zone of its centre, with the distance and bearing
 * to the next; the land estimated, cancelled, reduced, cleared and
 * remaining (ha and m2; release areas counted once as dm_release_count
 * counts them, the remaining area as stored, else the estimate less the
 * land released); its activities (approved only) and the quality control
 * inspections of them; items found by category, model and fate; the
 * accidents; the risk map's residual risk written back to it; its status
 * history; and a certificate page with the operator's, the national
 * authority's and the local authority's signature blocks, marked DRAFT
 * with what remains when the hazard is neither closed nor handed over.
 * When path ends in .html (or .htm), the same as one self-contained HTML
 * page: the map and its legend an embedded PNG drawn by the same code, the
 * tables HTML tables, every text of the database escaped, and the
 * certificate a section that prints on a page of its own, its boundary
 * "listed in this report" rather than on a page.
 * hazard is its ref (any case), uuid or uuid prefix. opts may be NULL;
 * info (when not NULL) is filled. An existing path is replaced as by
 * dm_report_write (a PDF or HTML page demine wrote, an empty file, or
 * opts->force; else DM_ECONFLICT); written beside path and renamed once
 * whole.
 * Errors: DM_EINVAL (path not .pdf or .html, a bad date), DM_ENOTFOUND (no hazard of
 * that id: the message names it and the refs of hazards close to it),
 * DM_ECONFLICT, DM_EIO. */
DM_API dm_status dm_report_hazard(dm_store *s, const char *hazard, const char *path,
                                  const dm_hazard_report_opts *opts, dm_hazard_report_info *info);

/* Release the font and drawing caches of cairo and fontconfig, for a clean
 * exit (leak checkers). Call only at the end of a process, when no other
 * thread draws. */
DM_API void dm_report_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif /* DM_REPORT_H */
