/* SPDX-License-Identifier: MIT
 *
 * test_core.c -- the library's own helpers under src/lib/core: the
 * growing array (dm__grow) that every reader of rows appends to, its
 * first capacity, its doubling, and an allocation failure that keeps the
 * array the caller owns.
 */
#include "dmtest.h"
#include "core/dm_internal.h"

TEST(core_grow_doubles_and_keeps_the_array_when_memory_fails)
{
    dm_ctx *ctx = dmtest_ctx();
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int k = 0; k < 100; k++) {
        int *nv = dm__grow(ctx, v, &cap, n, sizeof *nv, 8);
        ASSERT(nv);
        v = nv;
        v[n++] = k;
        if (n == 1)
            ASSERT_EQ(cap, 8); /* the first capacity */
        ASSERT(cap >= n);
    }
    ASSERT_EQ(cap, 128); /* 8, 16, 32, 64, 128: doubled when full */
    for (int k = 0; k < 100; k++)
        ASSERT_EQ(v[k], k);
    /* room left: the same array, no allocation */
    dm_ctx_fail_alloc_after(ctx, 1);
    ASSERT(dm__grow(ctx, v, &cap, n, sizeof *v, 8) == v);
    dm_ctx_fail_alloc_after(ctx, 0);
    /* full and out of memory: NULL, the error told, the array and its
     * capacity kept */
    n = cap;
    dm_ctx_fail_alloc_after(ctx, 1);
    ASSERT(dm__grow(ctx, v, &cap, n, sizeof *v, 8) == NULL);
    dm_ctx_fail_alloc_after(ctx, 0);
    ASSERT_EQ(dm_ctx_errcode(ctx), DM_ENOMEM);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "out of memory");
    ASSERT_EQ(cap, 128);
    ASSERT_EQ(v[99], 99);
    /* an element size that overflows the capacity in bytes */
    size_t c2 = 0;
    ASSERT(dm__grow(ctx, NULL, &c2, 0, SIZE_MAX / 4, 8) == NULL);
    ASSERT_EQ(c2, 0);
    ASSERT_CONTAINS(dm_ctx_errmsg(ctx), "overflows");
    dm_free(ctx, v);
}
