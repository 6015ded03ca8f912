/* SPDX-License-Identifier: MIT
 *
 * runner.c -- runs every registered test in its own process with a timeout
 * and prints one line per failure and the summary "N passed, N failed".
 *
 * Usage: demine-tests [SUBSTRING...]   (run only tests whose name or file
 * contains one of the substrings). DEMINE_BIN names the binary under test.
 */
#include "dmtest.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct test_entry {
    const char *name, *file;
    dmtest_fn fn;
} test_entry;

static test_entry *tests;
static size_t n_tests, cap_tests;
static dm_ctx *cur_ctx;
static char tmpdir[600];
static char shared_dir[512];

void dmtest_register(const char *name, const char *file, dmtest_fn fn)
{
    if (n_tests == cap_tests) {
        cap_tests = cap_tests ? cap_tests * 2 : 64;
        tests = realloc(tests, cap_tests * sizeof *tests);
        if (!tests)
            abort();
    }
    tests[n_tests++] = (test_entry){name, file, fn};
}

void dmtest_fail(const char *file, int line, const char *fmt, ...)
{
    fprintf(stderr, "    %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(1);
}

dm_ctx *dmtest_ctx(void)
{
    if (!cur_ctx) {
        cur_ctx = dm_ctx_new();
        dm_ctx_set_author(cur_ctx, "tester");
    }
    return cur_ctx;
}

const char *dmtest_ctx_msg(void) { return cur_ctx ? dm_ctx_errmsg(cur_ctx) : ""; }
const char *dmtest_tmpdir(void) { return tmpdir; }

const char *dmtest_path(const char *name)
{
    static char buf[8][2048];
    static int k;
    char *b = buf[k++ & 7];
    snprintf(b, 2048, "%s/%s", tmpdir, name);
    return b;
}

const char *dmtest_repo_path(const char *rel)
{
    static char buf[8][2048];
    static int k;
    char *b = buf[k++ & 7];
    const char *root = getenv("DEMINE_ROOT");
    snprintf(b, 2048, "%s/%s", root ? root : ".", rel);
    return b;
}

void dmtest_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        dmtest_fail(__FILE__, __LINE__, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

char *dmtest_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *d = malloc(cap);
    size_t n;
    while ((n = fread(d + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            d = realloc(d, cap);
        }
    }
    d[len] = '\0';
    fclose(f);
    return d;
}

static int run_capture(char **out, const char *cmd)
{
    char full[16384];
    snprintf(full, sizeof full, "cd '%s' && ( %s ) 2>&1", tmpdir, cmd);
    FILE *p = popen(full, "r");
    if (!p)
        dmtest_fail(__FILE__, __LINE__, "popen failed");
    size_t cap = 4096, len = 0;
    char *d = malloc(cap);
    size_t n;
    while ((n = fread(d + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            d = realloc(d, cap);
        }
    }
    d[len] = '\0';
    int rc = pclose(p);
    if (out)
        *out = d;
    else
        free(d);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + (WIFSIGNALED(rc) ? WTERMSIG(rc) : 0);
}

int dmtest_sh(char **out, const char *fmt, ...)
{
    char cmd[12000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return run_capture(out, cmd);
}

int dmtest_demine(char **out, const char *fmt, ...)
{
    char args[10000], cmd[12000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("DEMINE_BIN");
    snprintf(cmd, sizeof cmd, "'%s' %s", bin ? bin : "demine", args);
    return run_capture(out, cmd);
}

void dmtest_demine_expect(const char *file, int line, int rc, const char *needle,
                          const char *fmt, ...)
{
    char args[10000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *out = NULL;
    int got = dmtest_demine(&out, "%s", args);
    if (got != rc)
        dmtest_fail(file, line, "demine %s: exit code %d, expected %d; it printed:\n%.3000s", args,
                    got, rc, out);
    if (needle && !strstr(out, needle))
        dmtest_fail(file, line, "demine %s: expected \"%s\" in:\n%.3000s", args, needle, out);
    free(out);
}

const char *dmtest_demo_db(void)
{
    static char path[2048];
    char src[1024];
    snprintf(src, sizeof src, "%s/demo-small.gpkg", shared_dir);
    if (access(src, R_OK) != 0) {
        /* First user builds it; tests run one at a time, so no race. */
        char cmd[4096], *out = NULL;
        const char *bin = getenv("DEMINE_BIN");
        snprintf(cmd, sizeof cmd, "'%s' demo '%s.tmp' --seed 7 >/dev/null && mv '%s.tmp' '%s'",
                 bin ? bin : "demine", src, src, src);
        int rc = run_capture(&out, cmd);
        if (rc != 0)
            dmtest_fail(__FILE__, __LINE__, "demo generation failed (%d): %s", rc, out);
        free(out);
    }
    snprintf(path, sizeof path, "%s/demo.gpkg", tmpdir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, path);
    if (run_capture(NULL, cmd) != 0)
        dmtest_fail(__FILE__, __LINE__, "cannot copy the demo database");
    return path;
}

int dmtest_approve_drafts(const char *path)
{
    dm_ctx *ctx = dmtest_ctx();
    dm_store *s = NULL;
    if (dm_store_open(ctx, path, 0, &s))
        dmtest_fail(__FILE__, __LINE__, "cannot open %s: %s", path, dm_ctx_errmsg(ctx));
    const char *f[1] = {"status"}, *v[1] = {"draft"};
    dm_select sel = {0};
    sel.eq_field = f;
    sel.eq_value = v;
    sel.n_eq = 1;
    char uuids[64][37];
    int n = 0;
    dm_cursor *c = NULL;
    if (dm_store_select(s, "activities", &sel, &c))
        dmtest_fail(__FILE__, __LINE__, "cannot read activities: %s", dm_ctx_errmsg(ctx));
    while (n < 64 && dm_cursor_next(c) == 1)
        snprintf(uuids[n++], sizeof uuids[0], "%s", dm_cursor_uuid(c));
    dm_cursor_free(c);
    for (int i = 0; i < n; i++) {
        dm_row *r = dm_row_new(ctx, dm_layer_find("activities"));
        if (!r || dm_row_set(r, "status", "approved") || dm_store_update(s, uuids[i], r, "reviewed"))
            dmtest_fail(__FILE__, __LINE__, "cannot approve %s: %s", uuids[i], dm_ctx_errmsg(ctx));
        dm_row_free(r);
    }
    dm_store_close(s);
    return n;
}

static int matches(const test_entry *t, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strstr(t->name, argv[i]) || strstr(t->file, argv[i]))
            return 1;
    return 0;
}

static int cmp_tests(const void *a, const void *b)
{
    const test_entry *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : strcmp(x->name, y->name);
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    qsort(tests, n_tests, sizeof *tests, cmp_tests);
    const char *base = getenv("TMPDIR");
    if (!base)
        base = "/tmp";
    snprintf(shared_dir, sizeof shared_dir, "%s/demine-tests-%d", base, (int)getpid());
    mkdir(shared_dir, 0700);
    int timeout = getenv("DMTEST_TIMEOUT") ? (int)strtol(getenv("DMTEST_TIMEOUT"), NULL, 10) : 300;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n_tests; i++) {
        const test_entry *t = &tests[i];
        if (!matches(t, argc, argv))
            continue;
        snprintf(tmpdir, sizeof tmpdir, "%s/t%zu", shared_dir, i);
        mkdir(tmpdir, 0700);
        fflush(stdout);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t pid = fork();
        if (pid == 0) {
            alarm((unsigned)timeout);
            t->fn();
            if (cur_ctx) {
                size_t live = dm_ctx_live_blocks(cur_ctx);
                if (live)
                    dmtest_fail(t->file, 0, "%zu blocks allocated through the context leaked",
                                live);
                dm_ctx_free(cur_ctx);
            }
            fflush(NULL);
            exit(0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
            printf("ok   %-48s %6.2fs\n", t->name, secs);
        } else {
            failed++;
            if (WIFSIGNALED(status))
                printf("FAIL %-48s (%s, signal %d%s)\n", t->name, t->file, WTERMSIG(status),
                       WTERMSIG(status) == SIGALRM ? ": timeout" : "");
            else
                printf("FAIL %-48s (%s)\n", t->name, t->file);
        }
        rm_rf(tmpdir);
    }
    rm_rf(shared_dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

void dmtest_gdal_set_epsg(void *ds, int epsg)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, epsg);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection((GDALDatasetH)ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
}
