/* SPDX-License-Identifier: MIT
 *
 * model.c -- the layers of a demine database and their fields, and the
 * checking and normalising of field values.
 *
 * This table is the single definition of the data model: the schema DDL,
 * imports, exports, checks, JSON output and the server all derive from it.
 * Adding a field here adds it everywhere (old databases get it by migration).
 */
#include "core/dm_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(name, type, flags, values, ref, min, max, desc)                                          \
    {                                                                                              \
        name, type, flags, values, ref, min, max, desc                                             \
    }
#define REQ DM_FIELD_REQUIRED
#define PER DM_FIELD_PERSONAL
#define CMP DM_FIELD_COMPUTED

#define ORDNANCE "AP|AT|UXO|AXO|IED|SUB|other"
#define METHODS "manual|mechanical|dogs|drone|magnetometer|visual|interview|records|other"

static const dm_field_def organisation_fields[] = {
    F("name", DM_FT_TEXT, REQ, NULL, NULL, 0, 0, "organisation name"),
    F("kind", DM_FT_ENUM, 0, "national|ngo|commercial|military|un|other", NULL, 0, 0,
      "kind of organisation"),
    F("country", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "country"),
};

static const dm_field_def district_fields[] = {
    F("name", DM_FT_TEXT, REQ, NULL, NULL, 0, 0, "district name"),
    F("code", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "administrative code"),
    F("population", DM_FT_INT, 0, NULL, NULL, 0, 1e9, "people living or expected to return"),
};

static const dm_field_def hazard_fields[] = {
    F("ref", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "national reference, e.g. AGD-SHA-0042"),
    F("name", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "local name"),
    F("hazard_type", DM_FT_ENUM, REQ, "SHA|CHA", NULL, 0, 0,
      "suspected (indirect evidence) or confirmed (direct evidence)"),
    F("status", DM_FT_ENUM, 0, "open|partly_released|closed|handed_over", NULL, 0, 0,
      "life cycle state (default open)"),
    F("ordnance", DM_FT_ENUMSET, 0, ORDNANCE, NULL, 0, 0,
      "suspected or confirmed ordnance classes"),
    F("reliability", DM_FT_INT, 0, NULL, NULL, 1, 6, "reliability of information 1 (best) - 6"),
    F("source_grade", DM_FT_ENUM, 0, "A|B|C|D|E|F", NULL, 0, 0, "reliability of source A-F"),
    F("classification", DM_FT_ENUM, 0, "M1|M2|M3|M4", NULL, 0, 0,
      "ordnance classification M1 (verified) - M4 (reported)"),
    F("est_area_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "estimated area, hectares"),
    F("remaining_area_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "area still to release, hectares"),
    F("district", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "district"),
    F("settlement", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "nearest settlement"),
    F("organisation", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "reporting organisation"),
    F("reported_date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date first reported"),
    F("p_contam", DM_FT_REAL, CMP, NULL, NULL, 0, 1, "risk map: probability it holds any item"),
    F("expected_items", DM_FT_REAL, CMP, NULL, NULL, 0, 1e9, "risk map: expected number of items"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def hazard_status_fields[] = {
    F("hazard_id", DM_FT_REF, REQ, NULL, "hazards", 0, 0, "the hazard"),
    F("date", DM_FT_DATE, REQ, NULL, NULL, 0, 0, "date of the change"),
    F("from_status", DM_FT_ENUM, 0, "open|partly_released|closed|handed_over", NULL, 0, 0,
      "status before"),
    F("to_status", DM_FT_ENUM, REQ, "open|partly_released|closed|handed_over", NULL, 0, 0,
      "status after"),
    F("reason", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "why"),
};

static const dm_field_def activity_fields[] = {
    F("ref", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "task reference"),
    F("activity_type", DM_FT_ENUM, REQ, "nts|ts|clearance|eod|bac|completion|handover|qc", NULL, 0, 0,
      "non-technical survey, technical survey, clearance, EOD spot task, battle area clearance, "
      "completion, handover, quality control (post-clearance inspection)"),
    F("start_date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "start"),
    F("end_date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "end"),
    F("organisation", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "organisation doing the work"),
    F("method", DM_FT_ENUMSET, 0, METHODS, NULL, 0, 0, "methods used"),
    F("hazard_id", DM_FT_REF, 0, NULL, "hazards", 0, 0, "the main hazard worked on"),
    F("area_cancelled_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "hectares cancelled"),
    F("area_reduced_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "hectares reduced"),
    F("area_cleared_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "hectares cleared"),
    F("depth_cm", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "clearance depth"),
    F("status", DM_FT_ENUM, 0, "draft|approved|rejected", NULL, 0, 0,
      "review state of a field report (default approved)"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
    F("inspects_id", DM_FT_REF, 0, NULL, "activities", 0, 0,
      "quality control: the clearance or survey this inspection checks"),
};

static const dm_field_def activity_hazard_fields[] = {
    F("activity_id", DM_FT_REF, REQ, NULL, "activities", 0, 0, "the activity"),
    F("hazard_id", DM_FT_REF, REQ, NULL, "hazards", 0, 0, "a hazard it worked on"),
};

static const dm_field_def release_fields[] = {
    F("activity_id", DM_FT_REF, 0, NULL, "activities", 0, 0, "the activity that released it"),
    F("hazard_id", DM_FT_REF, 0, NULL, "hazards", 0, 0, "the hazard it belonged to"),
    F("outcome", DM_FT_ENUM, REQ, "cancelled|reduced|cleared", NULL, 0, 0, "land release route"),
    F("method", DM_FT_ENUMSET, 0, METHODS, NULL, 0, 0, "methods used"),
    F("date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date released"),
    F("depth_cm", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "search depth"),
    F("area_ha", DM_FT_REAL, CMP, NULL, NULL, 0, 1e7, "area from the geometry"),
};

static const dm_field_def item_fields[] = {
    F("category", DM_FT_ENUM, REQ, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("model", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "model, e.g. PMN-2, TM-62M"),
    F("condition", DM_FT_ENUM, 0, "armed|unarmed|damaged|unknown", NULL, 0, 0, "condition"),
    F("depth_cm", DM_FT_REAL, 0, NULL, NULL, -1000, 1000, "depth below surface"),
    F("fate", DM_FT_ENUM, 0, "destroyed_in_situ|removed|demolished|stored|unknown", NULL, 0, 0,
      "what was done with it"),
    F("found_date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date found"),
    F("activity_id", DM_FT_REF, 0, NULL, "activities", 0, 0, "the activity that found it"),
    F("hazard_id", DM_FT_REF, 0, NULL, "hazards", 0, 0, "the hazard it was in"),
    F("quantity", DM_FT_INT, 0, NULL, NULL, 1, 1e6, "number of items at this point (default 1)"),
};

static const dm_field_def accident_fields[] = {
    F("ref", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "accident reference, e.g. IMSMA's accident id"),
    F("date", DM_FT_DATE, REQ, NULL, NULL, 0, 0, "date"),
    F("device", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "device, e.g. PMN-2"),
    F("ordnance", DM_FT_ENUM, 0, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("activity_at_time", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "what the victims were doing"),
    F("killed", DM_FT_INT, 0, NULL, NULL, 0, 1000, "people killed"),
    F("injured", DM_FT_INT, 0, NULL, NULL, 0, 1000, "people injured"),
    F("demining", DM_FT_BOOL, 0, NULL, NULL, 0, 0, "a demining accident (deminers at work)"),
    F("district", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "district"),
    F("settlement", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "nearest settlement"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def victim_fields[] = {
    F("accident_id", DM_FT_REF, REQ, NULL, "accidents", 0, 0, "the accident"),
    F("name", DM_FT_TEXT, PER, NULL, NULL, 0, 0, "name (personal data)"),
    F("sex", DM_FT_ENUM, 0, "female|male|unknown", NULL, 0, 0, "sex"),
    F("age_group", DM_FT_ENUM, 0, "child|adult|elderly|unknown", NULL, 0, 0, "age group"),
    F("age", DM_FT_INT, PER, NULL, NULL, 0, 120, "age in years"),
    F("category", DM_FT_ENUM, 0, "civilian|deminer|military", NULL, 0, 0, "who"),
    F("outcome", DM_FT_ENUM, REQ, "killed|injured", NULL, 0, 0, "killed or injured"),
    F("activity", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "activity at the time"),
};

/* Explosive ordnance risk education (EORE): a session, where it was held
 * and the people it reached by sex and age, as IMAS 12.10 reporting and
 * IMSMA record them. */
static const dm_field_def eore_session_fields[] = {
    F("date", DM_FT_DATE, REQ, NULL, NULL, 0, 0, "date of the session"),
    F("organisation", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "organisation that held it"),
    F("settlement", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "settlement where it was held"),
    F("district", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "district"),
    F("delivery", DM_FT_ENUM, 0, "session|school|door_to_door|community_leaders|media|other", NULL, 0,
      0, "how it was given: a public session, at a school, door to door, through community leaders, "
         "by media, other"),
    F("men", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "men reached (18 and over)"),
    F("women", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "women reached (18 and over)"),
    F("boys", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "boys reached (under 18)"),
    F("girls", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "girls reached (under 18)"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def record_fields[] = {
    F("ref", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "record number"),
    F("source", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "who handed it over / laid the field"),
    F("laid_date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date laid"),
    F("handed_over", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date handed over"),
    F("mine_types", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "types and counts, e.g. TM-62:40;PMN-2:120"),
    F("mines_at", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "recorded anti-tank mines"),
    F("mines_ap", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "recorded anti-personnel mines"),
    F("ref_x", DM_FT_REAL, 0, NULL, NULL, -180, 180, "reference point longitude"),
    F("ref_y", DM_FT_REAL, 0, NULL, NULL, -90, 90, "reference point latitude"),
    F("reliability", DM_FT_REAL, CMP, NULL, NULL, 0, 1, "measured accuracy (records verify)"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def record_row_fields[] = {
    F("record_id", DM_FT_REF, REQ, NULL, "records", 0, 0, "the record"),
    F("row_no", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "row number"),
    F("category", DM_FT_ENUM, 0, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("mine_type", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "mine model"),
    F("count", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "mines in the row"),
    F("spacing_m", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "spacing between mines"),
};

static const dm_field_def record_mine_fields[] = {
    F("record_id", DM_FT_REF, REQ, NULL, "records", 0, 0, "the record"),
    F("row_no", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "row number"),
    F("category", DM_FT_ENUM, 0, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("mine_type", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "mine model"),
};

static const dm_field_def feature_fields[] = {
    F("class", DM_FT_ENUM, REQ,
      "road|track|building|house|bridge|cemetery|river|canal|settlement|front_line|"
      "military_position|farmland|pasture|irrigation|school|infrastructure|other",
      NULL, 0, 0, "feature class"),
    F("name", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "name"),
    F("subtype", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "finer class, e.g. primary road"),
    F("population", DM_FT_INT, 0, NULL, NULL, 0, 1e9, "people (settlements)"),
    F("returning", DM_FT_INT, 0, NULL, NULL, 0, 1e9, "displaced people waiting to return"),
    F("cleared", DM_FT_BOOL, 0, NULL, NULL, 0, 0, "verified clear (roads)"),
};

static const dm_field_def event_fields[] = {
    F("kind", DM_FT_ENUM, REQ, "accident|item|suspected|report|detection", NULL, 0, 0,
      "kind of evidence"),
    F("date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date (a year alone is accepted)"),
    F("code", DM_FT_INT, 0, NULL, NULL, 0, 1000, "source event type code"),
    F("ordnance", DM_FT_ENUM, 0, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("department", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "region"),
    F("municipality", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "municipality"),
    F("source", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "where it came from"),
};

static const dm_field_def sensor_fields[] = {
    F("name", DM_FT_TEXT, REQ, NULL, NULL, 0, 0, "sensor name, e.g. DJI-M300-H20T thermal"),
    F("kind", DM_FT_ENUM, REQ, "rgb|multispectral|thermal|magnetometer|gpr|lidar|other", NULL, 0, 0,
      "sensing principle"),
    F("classes_seen", DM_FT_ENUMSET, 0, ORDNANCE, NULL, 0, 0,
      "ordnance classes it can detect (cameras: surface items only)"),
    F("surface_only", DM_FT_BOOL, 0, NULL, NULL, 0, 0, "sees only items on the surface"),
    F("p_detect", DM_FT_REAL, 0, NULL, NULL, 0, 1, "probability of detecting an item it can see"),
    F("false_alarms_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e6, "false alarms per hectare flown"),
    F("position_error_m", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "1-sigma position error"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def sensor_rate_fields[] = {
    F("sensor_id", DM_FT_REF, REQ, NULL, "sensors", 0, 0, "the sensor"),
    F("category", DM_FT_ENUM, REQ, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("p_detect", DM_FT_REAL, 0, NULL, NULL, 0, 1, "probability of detection"),
    F("false_alarms_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e6, "false alarms per hectare"),
    F("n_validation", DM_FT_INT, 0, NULL, NULL, 0, 1e9, "validation items behind the estimate"),
};

static const dm_field_def flight_fields[] = {
    F("ref", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "flight reference (unique per flight)"),
    F("sensor_id", DM_FT_REF, 0, NULL, "sensors", 0, 0, "the sensor flown"),
    F("date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date flown"),
    F("altitude_m", DM_FT_REAL, 0, NULL, NULL, 0, 10000, "altitude above ground"),
    F("gsd_cm", DM_FT_REAL, 0, NULL, NULL, 0, 10000, "ground sample distance"),
    F("organisation", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "operator"),
    F("notes", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "free text"),
};

static const dm_field_def detection_fields[] = {
    F("flight_id", DM_FT_REF, 0, NULL, "flights", 0, 0, "the flight"),
    F("sensor_id", DM_FT_REF, 0, NULL, "sensors", 0, 0, "the sensor"),
    F("category", DM_FT_ENUM, 0, ORDNANCE, NULL, 0, 0, "class detected"),
    F("confidence", DM_FT_REAL, REQ, NULL, NULL, 0, 1, "detector confidence 0-1"),
    F("model_version", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "detector model and version"),
    F("position_error_m", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "1-sigma position error"),
    F("date", DM_FT_DATE, 0, NULL, NULL, 0, 0, "date"),
};

static const dm_field_def record_match_fields[] = {
    F("record_id", DM_FT_REF, REQ, NULL, "records", 0, 0, "the record"),
    F("mine_id", DM_FT_REF, 0, NULL, "record_mines", 0, 0, "the recorded mine"),
    F("item_id", DM_FT_REF, 0, NULL, "items", 0, 0, "the nearest item found"),
    F("offset_m", DM_FT_REAL, CMP, NULL, NULL, 0, 1e6, "distance recorded mine - item"),
    F("corrected_offset_m", DM_FT_REAL, CMP, NULL, NULL, 0, 1e6,
      "distance after the record's shift"),
    F("matched", DM_FT_BOOL, CMP, NULL, NULL, 0, 0, "within the tolerance"),
};

static const dm_field_def predicted_mine_fields[] = {
    F("hazard_id", DM_FT_REF, 0, NULL, "hazards", 0, 0, "the hazard"),
    F("record_id", DM_FT_REF, 0, NULL, "records", 0, 0, "the record it comes from, if any"),
    F("row", DM_FT_INT, CMP, NULL, NULL, -1, 1e6, "fitted row (-1: a row inferred beyond them)"),
    F("category", DM_FT_ENUM, CMP, ORDNANCE, NULL, 0, 0, "ordnance class of the row"),
    F("sigma_m", DM_FT_REAL, CMP, NULL, NULL, 0, 1e4, "1-sigma position uncertainty"),
    F("p", DM_FT_REAL, CMP, NULL, NULL, 0, 1, "probability a mine is there"),
    F("in_cancelled", DM_FT_BOOL, CMP, NULL, NULL, 0, 0,
      "in land cancelled by non-technical survey, never searched: re-survey it"),
};

static const dm_field_def plan_task_fields[] = {
    F("hazard_id", DM_FT_REF, REQ, NULL, "hazards", 0, 0, "the hazard"),
    F("rank", DM_FT_INT, 0, NULL, NULL, 0, 1e9, "priority rank (1 = first)"),
    F("route", DM_FT_ENUM, REQ, "cancel|reduce|clear", NULL, 0, 0, "recommended release route"),
    F("stage", DM_FT_ENUM, 0, "cancel|reduce|clear|unfunded", NULL, 0, 0,
      "work of this task: NTS, TS or clearance (unfunded: beyond the budget)"),
    F("team", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "team assigned"),
    F("method", DM_FT_ENUM, 0, "manual|mechanical|dogs|survey", NULL, 0, 0, "team method"),
    F("start", DM_FT_DATE, 0, NULL, NULL, 0, 0, "first working day"),
    F("end", DM_FT_DATE, 0, NULL, NULL, 0, 0, "last working day"),
    F("area_ha", DM_FT_REAL, 0, NULL, NULL, 0, 1e7, "hectares of this task"),
    F("cost_usd", DM_FT_REAL, 0, NULL, NULL, 0, 1e12, "expected cost at the unit rates"),
    F("value", DM_FT_REAL, 0, NULL, NULL, 0, 1e12, "value of releasing the hazard"),
    F("priority", DM_FT_REAL, 0, NULL, NULL, 0, 1e30, "value x risk removed / cost"),
    F("p_contam", DM_FT_REAL, 0, NULL, NULL, 0, 1, "risk: probability it holds any item"),
    F("expected_items", DM_FT_REAL, 0, NULL, NULL, 0, 1e9, "risk: expected items"),
    F("day_rate_cost_usd", DM_FT_REAL, 0, NULL, NULL, 0, 1e12,
      "cost at the team's own day rate (empty: rate unknown)"),
};

static const dm_field_def truth_item_fields[] = {
    F("category", DM_FT_ENUM, REQ, ORDNANCE, NULL, 0, 0, "ordnance class"),
    F("model", DM_FT_TEXT, 0, NULL, NULL, 0, 0, "model"),
    F("pattern", DM_FT_ENUM, 0, "doctrinal|nuisance|scattered", NULL, 0, 0, "how it was laid"),
    F("minefield_id", DM_FT_REF, 0, NULL, "truth_minefields", 0, 0, "its minefield"),
    F("row_no", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "row in the minefield"),
    F("depth_cm", DM_FT_REAL, 0, NULL, NULL, -1000, 1000, "depth"),
};

static const dm_field_def truth_minefield_fields[] = {
    F("pattern", DM_FT_ENUM, REQ, "doctrinal|nuisance|scattered", NULL, 0, 0, "kind"),
    F("record_id", DM_FT_REF, 0, NULL, "records", 0, 0, "the record drawn of it, if any"),
    F("mines", DM_FT_INT, 0, NULL, NULL, 0, 1e6, "mines laid"),
    F("spacing_m", DM_FT_REAL, 0, NULL, NULL, 0, 1000, "spacing in rows"),
    F("rows", DM_FT_INT, 0, NULL, NULL, 0, 1000, "number of rows"),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const dm_layer_def layers[] = {
    {"organisations", "Organisations", NULL, 0, 0, organisation_fields, N(organisation_fields),
     NULL, "operators, agencies and authorities"},
    {"districts", "Districts", "MULTIPOLYGON", 0, 0, district_fields, N(district_fields), NULL,
     "administrative areas for reporting"},
    {"hazards", "Hazard areas (SHA/CHA)", "MULTIPOLYGON", 1, 0, hazard_fields, N(hazard_fields),
     "reported_date", "suspected and confirmed hazardous areas"},
    {"hazard_status", "Hazard status history", NULL, 0, 0, hazard_status_fields,
     N(hazard_status_fields), "date", "dated life-cycle changes of hazards"},
    {"activities", "Activities", "MULTIPOLYGON", 0, 0, activity_fields, N(activity_fields),
     "end_date", "survey, clearance, EOD and handover tasks; geometry = area worked"},
    {"activity_hazards", "Activity-hazard links", NULL, 0, 0, activity_hazard_fields,
     N(activity_hazard_fields), NULL, "further hazards an activity worked on"},
    {"release_areas", "Land released", "MULTIPOLYGON", 1, 0, release_fields, N(release_fields),
     "date", "polygons cancelled, reduced or cleared"},
    {"items", "Explosive ordnance found", "POINT", 1, DM_LAYER_SENSITIVE, item_fields,
     N(item_fields), "found_date", "items found and disposed of"},
    {"accidents", "Accidents", "POINT", 1, DM_LAYER_SENSITIVE, accident_fields, N(accident_fields),
     "date", "mine and ERW accidents"},
    {"victims", "Victims", NULL, 0, DM_LAYER_SENSITIVE, victim_fields, N(victim_fields), NULL,
     "people killed or injured (personal data)"},
    {"eore_sessions", "Risk education sessions (EORE)", "POINT", 0, 0, eore_session_fields,
     N(eore_session_fields), "date", "explosive ordnance risk education: sessions and the people reached"},
    {"records", "Minefield records", "MULTIPOLYGON", 0, DM_LAYER_SENSITIVE, record_fields,
     N(record_fields), "handed_over", "handed-over minefield records: perimeters"},
    {"record_rows", "Minefield record rows", "LINESTRING", 1, DM_LAYER_SENSITIVE, record_row_fields,
     N(record_row_fields), NULL, "rows (lines of mines) of a record"},
    {"record_mines", "Minefield record mines", "POINT", 1, DM_LAYER_SENSITIVE, record_mine_fields,
     N(record_mine_fields), NULL, "mine points of a record"},
    {"features", "Map features", "GEOMETRY", 1, 0, feature_fields, N(feature_fields), NULL,
     "roads, buildings, bridges, cemeteries, rivers, settlements, front lines, ..."},
    {"events", "Evidence events", "POINT", 1, DM_LAYER_SENSITIVE, event_fields, N(event_fields),
     "date", "point evidence from other sources (reports, suspected points, event lists)"},
    {"sensors", "Sensors", NULL, 0, 0, sensor_fields, N(sensor_fields), NULL,
     "drone and ground sensors with their detection and false-alarm rates"},
    {"sensor_rates", "Sensor rates per ordnance class", NULL, 0, 0, sensor_rate_fields,
     N(sensor_rate_fields), NULL, "calibrated detection and false-alarm rates"},
    {"flights", "Sensor flights", "MULTIPOLYGON", 1, 0, flight_fields, N(flight_fields), "date",
     "drone flight footprints"},
    {"detections", "Sensor detections", "POINT", 1, DM_LAYER_SENSITIVE, detection_fields,
     N(detection_fields), "date", "point detections with confidence"},
    {"record_matches", "Record mines matched to finds", "LINESTRING", 1, DM_LAYER_SENSITIVE,
     record_match_fields, N(record_match_fields), NULL,
     "records verify: each checked recorded mine joined to its nearest find"},
    {"predicted_mines", "Predicted mines", "POINT", 1, DM_LAYER_SENSITIVE, predicted_mine_fields,
     N(predicted_mine_fields), NULL, "patterns: mines predicted along rows fitted to the finds"},
    {"plan_tasks", "Land release plan", NULL, 0, DM_LAYER_SYSTEM, plan_task_fields,
     N(plan_task_fields), "start", "demine plan: route, team and dates per task"},
    {"truth_minefields", "Demo truth: minefields", "MULTIPOLYGON", 0, DM_LAYER_TRUTH,
     truth_minefield_fields, N(truth_minefield_fields), NULL,
     "demo scenario only: where mines were really laid"},
    {"truth_items", "Demo truth: emplaced items", "POINT", 1, DM_LAYER_TRUTH, truth_item_fields,
     N(truth_item_fields), NULL, "demo scenario only: every item really emplaced"},
};

size_t dm_layer_count(void)
{
    return N(layers);
}

const dm_layer_def *dm_layer_at(size_t i)
{
    return i < N(layers) ? &layers[i] : NULL;
}

static const struct {
    const char *alias, *name;
} aliases[] = {
    {"hazard", "hazards"},
    {"sha", "hazards"},
    {"cha", "hazards"},
    {"activity", "activities"},
    {"item", "items"},
    {"finds", "items"},
    {"accident", "accidents"},
    {"victim", "victims"},
    {"eore", "eore_sessions"},
    {"eore_session", "eore_sessions"},
    {"record", "records"},
    {"minefield_records", "records"},
    {"minefields", "records"},
    {"feature", "features"},
    {"event", "events"},
    {"evidence", "events"},
    {"district", "districts"},
    {"organisation", "organisations"},
    {"organization", "organisations"},
    {"organizations", "organisations"},
    {"release", "release_areas"},
    {"released", "release_areas"},
    {"record_row", "record_rows"},
    {"record_mine", "record_mines"},
    {"sensor", "sensors"},
    {"flight", "flights"},
    {"detection", "detections"},
};

const dm_layer_def *dm_layer_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < N(aliases); i++)
        if (dm__strcasecmp(name, aliases[i].alias) == 0)
            name = aliases[i].name;
    for (size_t i = 0; i < N(layers); i++)
        if (dm__strcasecmp(name, layers[i].name) == 0)
            return &layers[i];
    return NULL;
}

/* Letters to change, add or drop to turn a into b (case ignored), capped:
 * anything above 3 is 4. */
static int near_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 40 || nb > 40 || (na > nb ? na - nb : nb - na) > 3)
        return 4;
    int d[41][41];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int c = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j - 1] + c;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            d[i][j] = v;
        }
    return d[na][nb] > 3 ? 4 : d[na][nb];
}

dm_status dm__unknown_layer(dm_ctx *ctx, const char *name)
{
    if (!name)
        name = "";
    const char *hit = NULL;
    int best = strlen(name) > 5 ? 3 : 2;
    for (size_t i = 0; i < N(layers); i++) {
        int d = near_distance(name, layers[i].name);
        if (d < best)
            best = d, hit = layers[i].name;
    }
    dm_buf b;
    dm__buf_init(&b);
    for (size_t i = 0; i < N(layers); i++) {
        dm__buf_puts(&b, i ? ", " : "");
        dm__buf_puts(&b, layers[i].name);
    }
    dm_status st;
    if (hit)
        st = dm__fail(ctx, DM_ENOTFOUND, "unknown layer '%s' (did you mean '%s'? layers: %s)", name, hit,
                      b.data ? b.data : "");
    else
        st = dm__fail(ctx, DM_ENOTFOUND, "unknown layer '%s' (layers: %s)", name, b.data ? b.data : "");
    dm__buf_free(&b);
    return st;
}

/* Whether a and b are the same words in another order ("date_found" and
 * "found_date"; words split at '_', ' ', '-'; case ignored). */
static int same_words(const char *a, const char *b)
{
    char wa[8][24], wb[8][24];
    int na = 0, nb = 0;
    const char *src[2] = {a, b};
    char(*w[2])[24] = {wa, wb};
    int *cnt[2] = {&na, &nb};
    for (int k = 0; k < 2; k++) {
        size_t len = 0;
        for (const char *p = src[k];; p++) {
            int sep = !*p || *p == '_' || *p == ' ' || *p == '-';
            if (sep) {
                if (len) {
                    if (*cnt[k] == 8)
                        return 0;
                    w[k][(*cnt[k])++][len] = '\0';
                    len = 0;
                }
                if (!*p)
                    break;
                continue;
            }
            if (len == 23)
                return 0;
            w[k][*cnt[k] < 8 ? *cnt[k] : 7][len++] = (char)tolower((unsigned char)*p);
        }
    }
    if (na != nb || na < 2)
        return 0;
    unsigned used = 0;
    for (int i = 0; i < na; i++) {
        int found = 0;
        for (int j = 0; j < nb && !found; j++)
            if (!(used & (1u << j)) && !strcmp(wa[i], wb[j]))
                used |= 1u << j, found = 1;
        if (!found)
            return 0;
    }
    return 1;
}

const char *dm__field_near(const dm_layer_def *l, const char *name)
{
    const char *hit = NULL;
    int best = name && strlen(name) > 5 ? 3 : 2;
    for (size_t i = 0; name && i < l->n_fields; i++) {
        if (same_words(name, l->fields[i].name))
            return l->fields[i].name;
        int d = near_distance(name, l->fields[i].name);
        if (d < best)
            best = d, hit = l->fields[i].name;
    }
    return hit;
}

const char *dm__name_near(const char *name, const char *const *names, size_t n)
{
    const char *hit = NULL;
    int best = name && strlen(name) > 5 ? 3 : 2;
    for (size_t i = 0; name && i < n; i++) {
        if (same_words(name, names[i]))
            return names[i];
        int d = near_distance(name, names[i]);
        if (d < best)
            best = d, hit = names[i];
    }
    /* a column named by its start ("capacity" for capacity_ha_day) */
    for (size_t i = 0; !hit && name && strlen(name) >= 4 && i < n; i++) {
        size_t k = 0;
        while (name[k] && tolower((unsigned char)name[k]) == tolower((unsigned char)names[i][k]))
            k++;
        if (!name[k])
            hit = names[i];
    }
    return hit;
}

const char *dm__field_hint(const dm_layer_def *l, const char *name, char *buf, size_t n)
{
    const char *hit = dm__field_near(l, name);
    if (hit) {
        snprintf(buf, n, " (did you mean '%s'?)", hit);
        return buf;
    }
    size_t len = (size_t)snprintf(buf, n, " (fields:");
    for (size_t i = 0; i < l->n_fields && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s %s", i ? "," : "", l->fields[i].name);
    if (len < n)
        snprintf(buf + len, n - len, ")");
    else if (n > 5)
        memcpy(buf + n - 5, "...)", 5);
    return buf;
}

const dm_field_def *dm_field_find(const dm_layer_def *layer, const char *name)
{
    for (size_t i = 0; i < layer->n_fields; i++)
        if (dm__strcasecmp(layer->fields[i].name, name) == 0)
            return &layer->fields[i];
    return NULL;
}

int dm_field_is_personal(const dm_layer_def *l, const dm_field_def *f)
{
    if (f->flags & DM_FIELD_PERSONAL)
        return 1;
    return f->type == DM_FT_TEXT && !strcmp(f->name, "notes") &&
           (!strcmp(l->name, "accidents") || !strcmp(l->name, "victims"));
}

/* ============================ value checking ============================ */

/* Find `tok` (len n) among "a|b|c" case-insensitively, also accepting
 * spaces and hyphens for underscores; copy the canonical spelling. */
static int enum_match(const char *values, const char *tok, size_t n, char *out, size_t out_len)
{
    const char *v = values;
    while (*v) {
        const char *e = strchr(v, '|');
        size_t vl = e ? (size_t)(e - v) : strlen(v);
        if (vl == n) {
            size_t i = 0;
            for (; i < n; i++) {
                char a = (char)tolower((unsigned char)tok[i]),
                     b = (char)tolower((unsigned char)v[i]);
                if (a == ' ' || a == '-')
                    a = '_';
                if (a != b)
                    break;
            }
            if (i == n) {
                if (vl + 1 > out_len)
                    return 0;
                memcpy(out, v, vl);
                out[vl] = '\0';
                return 1;
            }
        }
        if (!e)
            break;
        v = e + 1;
    }
    /* the long names of the short values (IMAS's words, as exports of
     * other systems write them) */
    static const struct {
        const char *name, *value;
    } synonyms[] = {
        {"non_technical_survey", "nts"}, {"technical_survey", "ts"},  {"battle_area_clearance", "bac"},
        {"explosive_ordnance_disposal", "eod"}, {"hand_over", "handover"}, {"cancellation", "cancelled"},
        {"reduction", "reduced"},          {"suspected_hazardous_area", "SHA"}, {"confirmed_hazardous_area", "CHA"},
        {"anti_personnel", "AP"},          {"anti_tank", "AT"},             {"unexploded_ordnance", "UXO"},
        {"anti_personnel_mine", "AP"},     {"anti_tank_mine", "AT"},        {"ap_mine", "AP"},
        {"at_mine", "AT"},
        {"abandoned_explosive_ordnance", "AXO"}, {"improvised_explosive_device", "IED"}, {"submunition", "SUB"},
    };
    if (n < 40) {
        char norm[40];
        for (size_t i = 0; i < n; i++) {
            char a = (char)tolower((unsigned char)tok[i]);
            norm[i] = a == ' ' || a == '-' ? '_' : a;
        }
        norm[n] = '\0';
        for (size_t k = 0; k < N(synonyms); k++) {
            if (strcmp(norm, synonyms[k].name))
                continue;
            size_t sl = strlen(synonyms[k].value);
            for (v = values; *v;) {
                const char *e = strchr(v, '|');
                size_t vl = e ? (size_t)(e - v) : strlen(v);
                if (vl == sl && !memcmp(v, synonyms[k].value, sl) && sl + 1 <= out_len) {
                    memcpy(out, v, vl);
                    out[vl] = '\0';
                    return 1;
                }
                if (!e)
                    break;
                v = e + 1;
            }
        }
    }
    /* one letter that begins one value alone: a form's code (F for
     * female, K for killed); one that begins two (C: cancelled or
     * cleared) is refused */
    if (n == 1 && isalpha((unsigned char)tok[0])) {
        const char *hit = NULL;
        size_t hit_len = 0;
        int hits = 0;
        for (v = values; *v;) {
            const char *e = strchr(v, '|');
            size_t vl = e ? (size_t)(e - v) : strlen(v);
            if (vl > 1 && tolower((unsigned char)v[0]) == tolower((unsigned char)tok[0]))
                hits++, hit = v, hit_len = vl;
            if (!e)
                break;
            v = e + 1;
        }
        if (hits == 1 && hit_len + 1 <= out_len) {
            memcpy(out, hit, hit_len);
            out[hit_len] = '\0';
            return 1;
        }
    }
    return 0;
}

/* Does the comma list `set` hold `tok` as a whole element? */
static int set_has(const char *set, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = set; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && memcmp(p, tok, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static const char *trim(const char *s, size_t *len)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* Dates written day first as in the region, "12.05.2021", "5.3.2021",
 * "12-05-2021" or "5/3/2021" (a time may follow), rewritten in place as
 * "12/05/2021", the day-first form dm_date_parse reads. */
static void day_first(char *t, size_t size)
{
    int d = 0, m = 0, nd = 0, nm = 0;
    const char *p = t;
    for (; isdigit((unsigned char)*p) && nd < 3; p++, nd++)
        d = d * 10 + (*p - '0');
    char sep = *p;
    if (nd < 1 || nd > 2 || (sep != '.' && sep != '-' && sep != '/'))
        return;
    p++;
    for (; isdigit((unsigned char)*p) && nm < 3; p++, nm++)
        m = m * 10 + (*p - '0');
    if (nm < 1 || nm > 2 || *p != sep)
        return;
    p++;
    for (int k = 0; k < 4; k++)
        if (!isdigit((unsigned char)p[k]))
            return;
    if (p[4] && p[4] != ' ' && p[4] != 'T')
        return;
    size_t rest = strlen(p);
    if (size < 7 || rest > size - 7)
        return;
    memmove(t + 6, p, rest + 1); /* "DD/MM/" before the year */
    t[0] = (char)('0' + d / 10);
    t[1] = (char)('0' + d % 10);
    t[2] = '/';
    t[3] = (char)('0' + m / 10);
    t[4] = (char)('0' + m % 10);
    t[5] = '/';
}

dm_status dm_field_normalise(dm_ctx *ctx, const dm_field_def *f, const char *in, char *out,
                             size_t out_len)
{
    size_t n;
    const char *s = trim(in, &n);
    char tmp[512];
    if (n >= sizeof tmp && f->type != DM_FT_TEXT)
        return dm__fail(ctx, DM_EPARSE, "value too long");
    switch (f->type) {
    case DM_FT_TEXT:
        if (n + 1 > out_len)
            return dm__fail(ctx, DM_EPARSE, "text longer than %zu characters", out_len - 1);
        memcpy(out, s, n);
        out[n] = '\0';
        return DM_OK;
    case DM_FT_INT:
    case DM_FT_REAL: {
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *end = NULL;
        errno = 0;
        double v = strtod(tmp, &end);
        if (n == 0 || end == tmp || *end != '\0' || errno == ERANGE || !isfinite(v))
            return dm__fail(ctx, DM_EPARSE, "'%s' is not a number", tmp);
        if (f->type == DM_FT_INT && v != floor(v))
            return dm__fail(ctx, DM_EPARSE, "'%s' is not a whole number", tmp);
        if (f->min < f->max && (v < f->min || v > f->max))
            return dm__fail(ctx, DM_EPARSE, "%s is outside %g..%g", tmp, f->min, f->max);
        if (f->type == DM_FT_INT)
            snprintf(out, out_len, "%lld", (long long)v);
        else
            snprintf(out, out_len, "%.17g", v);
        return DM_OK;
    }
    case DM_FT_DATE:
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        day_first(tmp, sizeof tmp);
        if (out_len < 11 || !dm_date_parse(tmp, out)) {
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            return dm__fail(ctx, DM_EPARSE, "'%s' is not a valid date (YYYY-MM-DD)", tmp);
        }
        return DM_OK;
    case DM_FT_BOOL:
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (!dm__strcasecmp(tmp, "1") || !dm__strcasecmp(tmp, "true") ||
            !dm__strcasecmp(tmp, "yes") || !dm__strcasecmp(tmp, "y"))
            dm__strlcpy(out, "1", out_len);
        else if (!dm__strcasecmp(tmp, "0") || !dm__strcasecmp(tmp, "false") ||
                 !dm__strcasecmp(tmp, "no") || !dm__strcasecmp(tmp, "n"))
            dm__strlcpy(out, "0", out_len);
        else
            return dm__fail(ctx, DM_EPARSE, "'%s' is not yes/no", tmp);
        return DM_OK;
    case DM_FT_ENUM:
        if (!enum_match(f->values, s, n, out, out_len)) {
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            return dm__fail(ctx, DM_EPARSE, "'%s' is not one of %s", tmp, f->values);
        }
        return DM_OK;
    case DM_FT_ENUMSET: {
        size_t o = 0;
        out[0] = '\0';
        const char *p = s, *end = s + n;
        while (p < end) {
            const char *q = p;
            while (q < end && *q != ',' && *q != ';' && *q != '|' && *q != ' ')
                q++;
            if (q > p) {
                char one[64];
                if (!enum_match(f->values, p, (size_t)(q - p), one, sizeof one)) {
                    size_t l = (size_t)(q - p) < sizeof tmp - 1 ? (size_t)(q - p) : sizeof tmp - 1;
                    memcpy(tmp, p, l);
                    tmp[l] = '\0';
                    return dm__fail(ctx, DM_EPARSE, "'%s' is not one of %s", tmp, f->values);
                }
                if (!set_has(out, one)) { /* skip duplicates */
                    size_t l = strlen(one);
                    if (o + l + 2 > out_len)
                        return dm__fail(ctx, DM_EPARSE, "too many values");
                    if (o)
                        out[o++] = ',';
                    memcpy(out + o, one, l);
                    o += l;
                    out[o] = '\0';
                }
            }
            p = q + 1;
        }
        return DM_OK;
    }
    case DM_FT_REF:
        if (n + 1 > out_len || n == 0)
            return dm__fail(ctx, DM_EPARSE, "empty or too long reference");
        memcpy(out, s, n);
        out[n] = '\0';
        return DM_OK;
    }
    return dm__fail(ctx, DM_EINTERNAL, "unknown field type");
}
