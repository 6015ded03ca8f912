/* SPDX-License-Identifier: MIT
 *
 * import_units.c -- what an import knows of areas given in other units than
 * the layers' hectares, and of the columns and values of IMSMA exports.
 *
 * Areas: a column whose name says its unit ("area_m2", "Area (m²)",
 * "remaining_area_sqm", "Cleared area [km2]") goes to the layer's area field
 * its name says, converted to hectares; a --map target may name the field in
 * the unit of the column ("--map Area=est_area_m2" for est_area_ha given in
 * square metres).
 *
 * IMSMA: the column names and enumeration values IMSMA NG documents (IMSMA
 * Wiki, "Land Summary Window" and "Activity Summary Window"; the IMSMA NG
 * database's hazard_localid and hazreduc_localid, GICHD/geocheck) are
 * recognised. IMSMA leaves the unit of its areas to each programme ("do not
 * mix km², hectare and m²", the wiki warns), so an area column named as
 * IMSMA names it, without a unit, must be given one.
 */
#include "io_internal.h"

#include <ctype.h>
#include <string.h>

/* Units an area may be given in: the factor to hectares as mul / div (an
 * exact division for square metres: 12500 m² is 1.25 ha, not 1.2500000000000002). */
static const struct {
    const char *word;
    dm__area_unit unit;
} units[] = {
    {"m2", {1, 10000, "m\xC2\xB2"}},
    {"m\xC2\xB2", {1, 10000, "m\xC2\xB2"}},
    {"m^2", {1, 10000, "m\xC2\xB2"}},
    {"sqm", {1, 10000, "m\xC2\xB2"}},
    {"sq_m", {1, 10000, "m\xC2\xB2"}},
    {"sq.m", {1, 10000, "m\xC2\xB2"}},
    {"sq.m.", {1, 10000, "m\xC2\xB2"}},
    {"square_metres", {1, 10000, "m\xC2\xB2"}},
    {"square_meters", {1, 10000, "m\xC2\xB2"}},
    {"km2", {100, 1, "km\xC2\xB2"}},
    {"km\xC2\xB2", {100, 1, "km\xC2\xB2"}},
    {"sqkm", {100, 1, "km\xC2\xB2"}},
    {"sq_km", {100, 1, "km\xC2\xB2"}},
    {"ha", {1, 1, "ha"}},
    {"hectares", {1, 1, "ha"}},
};

/* s lower-cased, with runs of spaces, '-', '(', ')', '[', ']' as one '_',
 * none at either end, into out: "Area (m²)" is "area_m²". */
static void loose(const char *s, char *out, size_t n)
{
    size_t k = 0;
    int sep = 0;
    for (; *s && k + 2 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '_' || c == '-' || c == '(' || c == ')' || c == '[' || c == ']' ||
            c == '\t' || c == '/') {
            sep = k > 0;
            continue;
        }
        if (sep)
            out[k++] = '_';
        sep = 0;
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
}

int dm__area_unit_parse(const char *word, dm__area_unit *u)
{
    char w[64];
    loose(word, w, sizeof w);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(w, units[i].word)) {
            *u = units[i].unit;
            return 1;
        }
    return 0;
}

/* Is f one of a layer's areas in hectares (not a rate per hectare)? */
int dm__is_area_field(const dm_field_def *f)
{
    size_t n = strlen(f->name);
    return f->type == DM_FT_REAL && n > 3 && !strcmp(f->name + n - 3, "_ha") && strstr(f->name, "area");
}

/* The area field stem names in layer l: "est_area" (est_area_ha), the
 * words IMSMA and forms use for it ("estimated area"), and "area" for the
 * layer's one area. */
static const dm_field_def *area_stem(const dm_layer_def *l, const char *stem)
{
    static const struct {
        const char *stem, *field;
    } words[] = {
        {"estimated_area", "est_area_ha"},  {"est_area", "est_area_ha"},
        {"area_estimated", "est_area_ha"},  {"remaining_area", "remaining_area_ha"},
        {"area_remaining", "remaining_area_ha"}, {"cancelled_area", "area_cancelled_ha"},
        {"reduced_area", "area_reduced_ha"}, {"cleared_area", "area_cleared_ha"},
    };
    char name[96];
    if (strlen(stem) + 4 > sizeof name)
        return NULL;
    snprintf(name, sizeof name, "%s_ha", stem);
    const dm_field_def *f = dm_field_find(l, name);
    if (f && dm__is_area_field(f))
        return f;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(stem, words[i].stem) && (f = dm_field_find(l, words[i].field)))
            return f;
    if (!strcmp(stem, "area") || !strcmp(stem, "area_size")) {
        /* the layer's area: a hazard's estimate, a release area's area */
        if ((f = dm_field_find(l, "est_area_ha")) || (f = dm_field_find(l, "area_ha")))
            return f;
    }
    return NULL;
}

/* Split a loose name into stem and unit at its last '_' (or at a unit
 * glued to the stem: "aream2" is not taken, "area_m2" is). */
static int split_unit(const char *name, char *stem, size_t n, dm__area_unit *u)
{
    char w[128];
    loose(name, w, sizeof w);
    /* units of two words: "sq_m", "square_metres" */
    for (int words = 2; words >= 1; words--) {
        char *cut = NULL;
        int seen = 0;
        for (char *p = w + strlen(w); p > w; p--)
            if (p[-1] == '_' && ++seen == words) {
                cut = p - 1;
                break;
            }
        if (!cut || !dm__area_unit_parse(cut + 1, u))
            continue;
        size_t len = (size_t)(cut - w);
        if (len + 1 > n)
            return 0;
        memcpy(stem, w, len);
        stem[len] = '\0';
        return 1;
    }
    return 0;
}

const dm_field_def *dm__area_column(const dm_layer_def *l, const char *col, dm__area_unit *u)
{
    char stem[128];
    if (!split_unit(col, stem, sizeof stem, u))
        return NULL;
    return area_stem(l, stem);
}

int dm__column_unit(const char *col, dm__area_unit *u)
{
    char stem[128];
    return split_unit(col, stem, sizeof stem, u);
}

const dm_field_def *dm__area_target(const dm_layer_def *l, const char *to, dm__area_unit *u)
{
    char stem[128];
    if (!split_unit(to, stem, sizeof stem, u))
        return NULL;
    /* "est_area_m2", "area_cleared_km2", "area_m2" (release areas) */
    char name[140];
    snprintf(name, sizeof name, "%s_ha", stem);
    const dm_field_def *f = dm_field_find(l, name);
    if (f && dm__is_area_field(f))
        return f;
    return NULL;
}

/* ------------------------------- IMSMA ------------------------------- */

/* Columns as IMSMA NG names them, by layer: the wiki's field names (Land
 * and Activity summary windows, version 6.0) and the database's ids. */
static const dm__imsma_col imsma_cols[] = {
    /* Land (formerly Hazard) */
    {"hazards", "hazard_localid", "ref", 0, 0},
    {"hazards", "land_id", "ref", 0, 0},
    {"hazards", "hazard_id", "ref", 0, 0},
    {"hazards", "hazard_name", "name", 0, 0},
    {"hazards", "land_name", "name", 0, 0},
    {"hazards", "land_classification", "hazard_type", 0, 0},
    {"hazards", "mine_action_area_type", "hazard_type", 0, 0},
    {"hazards", "estimated_area", "est_area_ha", 1, 0},
    {"hazards", "remaining_area", "remaining_area_ha", 1, 0},
    /* Activity (formerly Hazard Reduction) */
    {"activities", "hazreduc_localid", "ref", 0, 0},
    {"activities", "hazard_reduction_id", "ref", 0, 0},
    {"activities", "activity_id", "ref", 0, 0},
    {"activities", "type_of_activity", "activity_type", 0, 0},
    {"activities", "start_date", "start_date", 0, 0},
    {"activities", "end_date", "end_date", 0, 0},
    {"activities", "cancelled_area", "area_cancelled_ha", 1, 0},
    {"activities", "cleared_area", "area_cleared_ha", 1, 0},
    {"activities", "reduced_area_with_technical_asset", "area_reduced_ha", 1, 1},
    {"activities", "reduced_area_without_technical_asset", "area_reduced_ha", 1, 1},
    /* the Land and the Activity a row belongs to, by their IMSMA ids, in
     * the exports of activities, their released land and their finds */
    {"activities", "land_id", "hazard_id", 0, 0},
    {"activities", "hazard_localid", "hazard_id", 0, 0},
    {"release_areas", "land_id", "hazard_id", 0, 0},
    {"release_areas", "hazard_localid", "hazard_id", 0, 0},
    {"release_areas", "hazard_reduction_id", "activity_id", 0, 0},
    {"release_areas", "hazreduc_localid", "activity_id", 0, 0},
    {"items", "land_id", "hazard_id", 0, 0},
    {"items", "hazard_localid", "hazard_id", 0, 0},
    {"items", "hazard_reduction_id", "activity_id", 0, 0},
    {"items", "hazreduc_localid", "activity_id", 0, 0},
    /* Accident: its id (the database's accident_localid), which its
     * victims name; taken as the accidents' ref where they have one */
    {"accidents", "accident_localid", "ref", 0, 0},
    {"accidents", "accident_id", "ref", 0, 0},
    {"victims", "accident_localid", "accident_id", 0, 0},
    {"victims", "accident_id", "accident_id", 0, 0},
};

const dm__imsma_col *dm__imsma_column(const dm_layer_def *l, const char *col)
{
    char w[128];
    loose(col, w, sizeof w);
    for (size_t i = 0; i < sizeof imsma_cols / sizeof imsma_cols[0]; i++)
        if (!strcmp(l->name, imsma_cols[i].layer) && !strcmp(w, imsma_cols[i].column) &&
            dm_field_find(l, imsma_cols[i].field))
            return &imsma_cols[i];
    return NULL;
}

const dm__imsma_col *dm__imsma_column_cut(const dm_layer_def *l, const char *col)
{
    /* a Shapefile's names are cut to 10 bytes ("Land classification" is
     * "Land class", "Estimated Area" "Estimated" once its space is cut) */
    size_t n = strlen(col);
    if (n < 8 || n > 10)
        return NULL;
    char w[32];
    loose(col, w, sizeof w);
    size_t k = strlen(w);
    const dm__imsma_col *found = NULL;
    for (size_t i = 0; i < sizeof imsma_cols / sizeof imsma_cols[0]; i++)
        if (!strcmp(l->name, imsma_cols[i].layer) && strlen(imsma_cols[i].column) > k &&
            !strncmp(w, imsma_cols[i].column, k) && dm_field_find(l, imsma_cols[i].field)) {
            if (found)
                return NULL; /* "Reduced Ar": with or without a technical asset */
            found = &imsma_cols[i];
        }
    return found;
}

/* The classifications IMSMA gives Land and Activities, as demine's values
 * (NULL: demine has none). */
static const struct {
    const char *field, *imsma, *value;
} imsma_values[] = {
    {"hazard_type", "suspected_hazardous_areas_sha", "SHA"},
    {"hazard_type", "suspected_hazardous_area_sha", "SHA"},
    {"hazard_type", "suspected_hazardous_areas", "SHA"},
    {"hazard_type", "confirmed_hazardous_areas_cha", "CHA"},
    {"hazard_type", "confirmed_hazardous_area_cha", "CHA"},
    {"hazard_type", "confirmed_hazardous_areas", "CHA"},
    {"hazard_type", "indication", NULL},
    {"hazard_type", "ammunition_storage_stockpile", NULL},
    {"hazard_type", "ammunition_storage", NULL},
    {"hazard_type", "stockpile", NULL},
    {"hazard_type", "eod_spot_task", NULL},
    {"activity_type", "eod_spot_task", "eod"},
    {"activity_type", "handover_certificate", "handover"},
    {"activity_type", "completion_report", "completion"},
    {"activity_type", "cancellation_report", "nts"},
    {"activity_type", "road_clearance", "clearance"},
    {"activity_type", "post_clearance", NULL},
    {"activity_type", "progress_report", NULL},
    {"activity_type", "road_assessment", NULL},
    {"activity_type", "road_verification", NULL},
    {"activity_type", "stockpile_destruction", NULL},
};

const char *dm__imsma_value(const dm_field_def *f, const char *v, int *none)
{
    char w[96];
    *none = 0;
    if (strlen(v) >= 80)
        return NULL;
    loose(v, w, sizeof w);
    for (size_t i = 0; i < sizeof imsma_values / sizeof imsma_values[0]; i++)
        if (!strcmp(f->name, imsma_values[i].field) && !strcmp(w, imsma_values[i].imsma)) {
            *none = !imsma_values[i].value;
            return imsma_values[i].value;
        }
    return NULL;
}
