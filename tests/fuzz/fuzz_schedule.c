/*
 * Fuzz target for schedule expressions: any bytes must parse or give an error inside
 * the text; a parsed expression's canonical form must parse to itself, and its fire
 * times (UTC and a DST zone) must strictly increase. Also feeds the ISO 8601 parser.
 */
#include "schedule.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fires(const struct sched_expr *e, const char *tz)
{
    int64_t t = INT64_C(1767225600), next;
    for (int i = 0; i < 4; i++) {
        if (sched_next(e, tz, t, &next) != 0)
            break;
        if (next <= t)
            abort();
        t = next;
    }
    struct sched_dst d;
    sched_dst_risk(e, tz, INT64_C(1767225600), INT64_C(1798761600), &d);
}

static void check_parsed(const struct sched_expr *e)
{
    struct sched_expr again;
    struct sched_err err;
    if (sched_parse(e->canon, &again, &err) || err.has_warning ||
        strcmp(e->canon, again.canon) || e->kind != again.kind)
        abort();
    if (e->kind == SCHED_CRON &&
        (e->cron.minutes != again.cron.minutes || e->cron.hours != again.cron.hours ||
         e->cron.dom != again.cron.dom || e->cron.dow != again.cron.dow))
        abort();
    check_fires(e, "UTC");
    check_fires(e, "America/New_York");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(text, &e, &err) == 0)
        check_parsed(&e);
    else if (err.error.off + err.error.len > strlen(text) || !err.error.text[0])
        abort();
    int64_t t;
    sched_iso_parse(text, "Europe/Berlin", &t);
    free(text);
    return 0;
}
