/* SPDX-License-Identifier: MIT */
#include "records_internal.h"
dm_status dm_patterns_run(dm_store *s, const dm_patterns_opts *opts, char **json)
{
    (void)opts; *json = NULL;
    return dm__fail(dm_store_ctx(s), DM_EINTERNAL, "not yet");
}
dm_status dm_records_verify(dm_store *s, const dm_verify_opts *opts, char **json)
{
    (void)opts; *json = NULL;
    return dm__fail(dm_store_ctx(s), DM_EINTERNAL, "not yet");
}
dm_status dm_records_correct(dm_store *s, const char *id, double t, char **json)
{
    (void)id; (void)t; *json = NULL;
    return dm__fail(dm_store_ctx(s), DM_EINTERNAL, "not yet");
}
