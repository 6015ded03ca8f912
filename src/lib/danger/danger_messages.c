/* SPDX-License-Identifier: MIT
 *
 * danger_messages.c -- the safety messages shown with the public danger
 * map, in English and Azerbaijani: the one place these texts live, for the
 * printed leaflet (demine report --public) and the web map's messages.
 */
#include "core/dm_internal.h"

#include "demine/dm_danger.h"

#include <string.h>

static const dm_danger_message messages[] = {
    {"danger", "Danger: this place is in or near a mined or contaminated area. Do not enter. "
               "Go back the way you came, step by step.",
     "Təhlükə: bu yer minalanmış və ya çirklənmiş ərazidədir və ya ona yaxındır. İçəri "
     "girməyin. Gəldiyiniz yolla, addım-addım geri qayıdın."},
    {"caution", "Caution: a known dangerous area is close. Stay on roads and paths in regular "
                "use.",
     "Ehtiyat: yaxınlıqda məlum təhlükəli ərazi var. Yalnız daim istifadə olunan yollarda və "
     "cığırlarda qalın."},
    {"unknown", "No known danger here. This does not mean the place is safe: mines may lie "
                "where nobody has reported them.",
     "Burada məlum təhlükə yoxdur. Bu, yerin təhlükəsiz olduğu demək deyil: heç kimin xəbər "
     "vermədiyi yerlərdə minalar ola bilər."},
    {"touch", "Never touch, move or pick up an unknown object. Mark the place and tell the "
              "police or call 112.",
     "Naməlum əşyaya heç vaxt toxunmayın, onu yerindən tərpətməyin və götürməyin. Yeri "
     "işarələyin və polisə xəbər verin və ya 112-yə zəng edin."},
    {"signs", "Respect warning signs and fences; they are there to save lives.",
     "Xəbərdarlıq nişanlarına və çəpərlərə əməl edin; onlar həyatı xilas etmək üçündür."},
};

const dm_danger_message *dm_danger_messages(size_t *n)
{
    if (n)
        *n = sizeof messages / sizeof messages[0];
    return messages;
}

const char *dm_danger_message_text(const char *id, int az)
{
    for (size_t i = 0; id && i < sizeof messages / sizeof messages[0]; i++)
        if (!strcmp(messages[i].id, id))
            return az ? messages[i].az : messages[i].en;
    return NULL;
}
