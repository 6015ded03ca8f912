/* SPDX-License-Identifier: MIT
 *
 * dmtest.h -- the test framework: TEST() registers a test at load time, each
 * test runs in its own process with a timeout, and ASSERT_* stop it with the
 * file and line of the failure.
 *
 * Helpers give each test a fresh temporary directory, a counting context that
 * fails the test on leaks, and a way to run the `demine` binary and capture
 * what it prints (for command-line tests).
 */
#ifndef DMTEST_H
#define DMTEST_H

#include "demine/demine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*dmtest_fn)(void);
void dmtest_register(const char *name, const char *file, dmtest_fn fn);
void dmtest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        dmtest_register(#name, __FILE__, test_##name);                                             \
    }                                                                                              \
    static void test_##name(void)

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            dmtest_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                       \
    } while (0)

#define ASSERT_MSG(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            dmtest_fail(__FILE__, __LINE__, __VA_ARGS__);                                          \
    } while (0)

#define ASSERT_OK(expr)                                                                            \
    do {                                                                                           \
        dm_status st_ = (expr);                                                                    \
        if (st_ != DM_OK)                                                                          \
            dmtest_fail(__FILE__, __LINE__, "%s returned %s: %s", #expr, dm_status_name(st_),     \
                        dmtest_ctx_msg());                                                         \
    } while (0)

#define ASSERT_STATUS(want, expr)                                                                  \
    do {                                                                                           \
        dm_status st_ = (expr);                                                                    \
        if (st_ != (want))                                                                         \
            dmtest_fail(__FILE__, __LINE__, "%s returned %s, expected %s (%s)", #expr,            \
                        dm_status_name(st_), dm_status_name(want), dmtest_ctx_msg());              \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            dmtest_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);             \
    } while (0)

#define ASSERT_NEAR(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            dmtest_fail(__FILE__, __LINE__, "%s ~ %s: %.9g vs %.9g (tol %g)", #a, #b, a_, b_,      \
                        (double)(tol));                                                            \
    } while (0)

#define ASSERT_STREQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            dmtest_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                 \
                        a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                   \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_))                                                                \
            dmtest_fail(__FILE__, __LINE__, "expected \"%s\" in:\n%.3000s", n_,                    \
                        h_ ? h_ : "(null)");                                                       \
    } while (0)

/* A context for this test; checked for leaked blocks when the test ends. */
dm_ctx *dmtest_ctx(void);
const char *dmtest_ctx_msg(void);
/* A fresh directory for this test, removed afterwards. */
const char *dmtest_tmpdir(void);
/* Path inside the temporary directory (static buffer rotated 8 ways). */
const char *dmtest_path(const char *name);
/* Path inside the repository (DEMINE_ROOT), e.g. "tests/data/x.geojson". */
const char *dmtest_repo_path(const char *rel);
/* Write a text file. */
void dmtest_write_file(const char *path, const char *text);
/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *dmtest_read_file(const char *path);

/* Run `demine ARGS` through the shell, capturing stdout+stderr into *out
 * (malloc'd). Returns the exit code. */
int dmtest_demine(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run `demine ARGS` the same way and fail the test (at file:line, naming the
 * command and what it printed) unless it exits with rc and, when needle is
 * not NULL, prints needle. */
void dmtest_demine_expect(const char *file, int line, int rc, const char *needle,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define ASSERT_DEMINE(rc, needle, ...)                                                             \
    dmtest_demine_expect(__FILE__, __LINE__, (rc), (needle), __VA_ARGS__)
/* Run any shell command the same way. */
int dmtest_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A small demo database built once per test run and copied for each test
 * that asks (fast). Returns the path of this test's copy. */
/* Give a GDAL dataset (a GDALDatasetH) the CRS EPSG:epsg. */
void dmtest_gdal_set_epsg(void *ds, int epsg);
const char *dmtest_demo_db(void);
/* Approve every field report of the database at path that awaits review (the
 * demo leaves one, with its finds, in the review queue); returns how many. */
int dmtest_approve_drafts(const char *path);

#endif
