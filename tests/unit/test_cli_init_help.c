/* SPDX-License-Identifier: MIT
 *
 * test_cli_init_help.c -- what a command says of itself is whole:
 * `demine init --help` names every layer the new database holds, as
 * `demine list DB` lists them (it named 13 of 24: no hazard_status,
 * sensors, flights, detections, plan_tasks...), and `demine sensors` without
 * a subcommand names every one its usage gives (simulate was left out).
 */
#include "dmtest.h"

TEST(init_help_names_every_layer_it_creates)
{
    char *help = NULL, *list = NULL, *out = NULL;
    const char *db = dmtest_path("new.gpkg");
    ASSERT_EQ(dmtest_demine(&out, "init %s", db), 0);
    free(out);
    ASSERT_EQ(dmtest_demine(&list, "list %s", db), 0);
    ASSERT_EQ(dmtest_demine(&help, "init --help"), 0);
    int layers = 0;
    for (const char *line = list; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = 0;
        while (line[n] && line[n] != ' ' && line[n] != '\n')
            n++;
        if (n > 0 && n < 64) {
            char name[64], word[70];
            memcpy(name, line, n);
            name[n] = 0;
            /* whole names only: "records" is in "record_rows" too */
            int found = 0;
            const char *seps[] = {"(", " ", "\n"};
            const char *afts[] = {",", ")", " "};
            for (int a = 0; a < 3 && !found; a++)
                for (int b = 0; b < 3 && !found; b++) {
                    snprintf(word, sizeof word, "%s%s%s", seps[a], name, afts[b]);
                    found = strstr(help, word) != NULL;
                }
            ASSERT_MSG(found, "init --help does not name the layer %s", name);
            layers++;
        }
        if (!end)
            break;
        line = end + 1;
    }
    ASSERT_MSG(layers >= 20, "%d layers listed", layers);
    free(list);
    free(help);
}

TEST(sensors_without_a_subcommand_names_every_one)
{
    char *help = NULL, *out = NULL;
    ASSERT_EQ(dmtest_demine(&help, "sensors --help"), 0);
    ASSERT_EQ(dmtest_demine(&out, "sensors"), 2);
    int subs = 0;
    for (const char *p = help; (p = strstr(p, "demine sensors ")) != NULL;) {
        p += strlen("demine sensors ");
        char sub[32];
        size_t n = 0;
        while (p[n] >= 'a' && p[n] <= 'z' && n + 1 < sizeof sub)
            n++;
        memcpy(sub, p, n);
        sub[n] = 0;
        ASSERT_MSG(n > 0 && strstr(out, sub), "'demine sensors' does not name '%s': %s", sub, out);
        subs++;
    }
    ASSERT_MSG(subs >= 6, "%d subcommands in the usage", subs);
    free(help);
    free(out);
}
