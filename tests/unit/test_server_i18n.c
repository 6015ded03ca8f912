/* SPDX-License-Identifier: MIT
 *
 * test_server_i18n.c -- the staff web map in Azerbaijani and English
 * (web/js/i18n.js): the page and its table of texts as the server sends
 * them, and the page driven in headless Chromium (tests/browser/i18n.test.js:
 * ?lang=az, the EN/AZ switch kept in localStorage 'demine.lang' across a
 * reload, the field report form in Azerbaijani, nothing of the page's own
 * left in English in AZ mode). The browser part is skipped, saying so,
 * without Chromium.
 */
#include "srvtest.h"

/* The page loads the table of texts before its script, and the server
 * sends it (a file under web/ is built into the binary). */
TEST(i18n_page_loads_its_texts_before_its_script)
{
    srvtest_setup_db();
    srvtest_start_server();
    char *out = NULL;
    ASSERT_EQ(srvtest_req("GET", "/", NULL, NULL, NULL, &out, NULL), 200);
    const char *i = strstr(out, "<script src=\"js/i18n.js\"></script>"), *a = strstr(out, "<script src=\"js/app.js\">");
    ASSERT_MSG(i && a && i < a, "i18n.js not loaded before app.js: %s", out);
    ASSERT_CONTAINS(out, "id=\"lang-az\"");
    ASSERT_CONTAINS(out, "id=\"lang-en\"");
    free(out);
    ASSERT_EQ(srvtest_req("GET", "/js/i18n.js", NULL, NULL, NULL, &out, NULL), 200);
    ASSERT_CONTAINS(out, "window.demineI18n");
    ASSERT_CONTAINS(out, "'demine.lang'");
    ASSERT_CONTAINS(out, "Daxil ol");
    free(out);
    srvtest_stop_server();
}

/* The staff map in both languages in a browser (tests/browser/i18n.test.js).
 * Skipped, saying so, without Chromium. */
TEST(i18n_browser_staff_map_in_azerbaijani_and_english)
{
    char *out = NULL;
    const char *root = getenv("DEMINE_ROOT");
    if (dmtest_sh(&out, "command -v chromium || command -v chromium-browser") != 0 ||
        dmtest_sh(NULL, "test -d '%s/tests/browser/node_modules/playwright-core'", root) != 0) {
        free(out);
        printf("SKIPPED: i18n_browser_staff_map_in_azerbaijani_and_english needs chromium and `npm ci` in "
               "tests/browser\n");
        return;
    }
    free(out);
    srvtest_setup_db();
    srvtest_start_server();
    int rc = dmtest_sh(&out, "cd '%s/tests/browser' && DEMINE_URL=%s timeout 120 node i18n.test.js", root,
                       srvtest_base);
    ASSERT_MSG(rc == 0, "browser i18n test failed (%d):\n%s", rc, out);
    ASSERT_CONTAINS(out, "i18n test passed");
    free(out);
    srvtest_stop_server();
}
