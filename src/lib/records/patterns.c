/* SPDX-License-Identifier: MIT */
#include "records_internal.h"
dm_status dm_patterns_run(dm_store *s, const dm_patterns_opts *opts, char **json)
{
    (void)opts; *json = NULL;
    return dm__fail(dm_store_ctx(s), DM_EINTERNAL, "not yet");
}
