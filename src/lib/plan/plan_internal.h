/* SPDX-License-Identifier: MIT
 *
 * plan_internal.h -- what the planning files share: calendar helpers and
 * the value formula.
 */
#ifndef DM_PLAN_INTERNAL_H
#define DM_PLAN_INTERNAL_H

#include "demine/dm_plan.h"

/* days since 1970-01-01 -> "YYYY-MM-DD" */
void dm__civil_date(long days, char out[11]);
/* calendar day of working day wd counted from start_days, wdw working days a week */
long dm__workday_date(long start_days, int wdw, long wd);
/* value of a hazard from its criteria */
double dm__plan_value(const dm_plan_config *c, const dm_plan_hazard *h);
/* s copied into out (n bytes) as valid UTF-8: cut on a character, never
 * inside one, and each invalid byte replaced by '?' */
void dm__plan_text(char *out, size_t n, const char *s);
/* the hazards' indices in rank order (1 first), n entries (at least one
 * allocated); NULL when out of memory. Free with dm_free. */
size_t *dm__plan_by_rank(dm_ctx *ctx, const dm_plan_result *r);

#endif
