/*
 * Backfill plans: fire times in a window (through schedule.c, zone and DST aware),
 * deterministic execution names, the schedule's input, and the two output formats
 * (JSON lines, shell commands with POSIX quoting).
 */
#include "backfill.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    enum backfill_format fmt;
} formats[] = {
    {"json", BACKFILL_JSON},
    {"sh", BACKFILL_SH},
};

int backfill_format_parse(const char *name, enum backfill_format *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        if (!strcmp(name, formats[i].name)) {
            *out = formats[i].fmt;
            return 0;
        }
    }
    return -1;
}

static bool name_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c == '_' || c == '-';
}

int backfill_check_key(const char *key, char *why, size_t n)
{
    size_t len = strlen(key), total = len + 1 + BACKFILL_STAMP_LEN;
    if (!len) {
        snprintf(why, n, "workflow key is empty");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char(key[i])) {
            snprintf(why, n,
                     "workflow key '%s' holds '%c', which execution names may not; "
                     "use only letters, digits, '_' and '-'",
                     key, key[i]);
            return -1;
        }
    }
    if (total > BACKFILL_NAME_MAX) {
        snprintf(why, n,
                 "execution names '%s-yyyymmddThhmm' are %zu characters, %zu over Step "
                 "Functions' limit of %d; shorten the key to %d characters or fewer",
                 key, total, total - BACKFILL_NAME_MAX, BACKFILL_NAME_MAX,
                 BACKFILL_NAME_MAX - 1 - BACKFILL_STAMP_LEN);
        return -1;
    }
    return 0;
}

char *backfill_exec_name(const char *key, int64_t when)
{
    char iso[SCHED_ISO_MAX];
    sched_iso_utc(when, iso); /* "yyyy-mm-ddThh:mm:ssZ" */
    return xasprintf("%s-%.4s%.2s%.2sT%.2s%.2s", key, iso, iso + 5, iso + 8, iso + 11,
                     iso + 14);
}

int backfill_times(const struct sched_expr *e, const char *tz, int64_t from, int64_t to,
                   size_t max, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (max > BACKFILL_MAX)
        max = BACKFILL_MAX; /* keeps the buffer bounded whatever the caller asks */
    int64_t *v = max ? xmalloc(max * sizeof(*v)) : NULL;
    long got = sched_fires(e, tz, from, to, v, (long)max);
    if (got < 0 || (size_t)got > max) {
        free(v);
        return got < 0 ? -1 : 1;
    }
    if (got == 0) {
        free(v);
        v = NULL;
    }
    *out = v;
    *n = (size_t)got;
    return 0;
}

json_t *backfill_run_new(const char *key, const char *state_machine_arn, int64_t when)
{
    char iso[SCHED_ISO_MAX];
    sched_iso_utc(when, iso);
    char *name = backfill_exec_name(key, when);
    json_t *input = json_object();
    json_object_set_new(input, "scheduled_time", json_string(iso));
    json_t *run = json_object();
    json_object_set_new(run, "name", json_string(name));
    json_object_set_new(run, "state_machine_arn", json_string(state_machine_arn));
    json_object_set_new(run, "input", input);
    free(name);
    return run;
}

/* Characters that no POSIX shell treats specially outside quotes. */
static bool sh_plain(char c)
{
    return name_char(c) || (c && strchr("@%+=:,./", c));
}

void backfill_sh_quote(struct strbuf *sb, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = sh_plain(*p);
    if (plain) {
        strbuf_adds(sb, s);
        return;
    }
    strbuf_addch(sb, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            strbuf_adds(sb, "'\\''");
        else
            strbuf_addch(sb, *p);
    }
    strbuf_addch(sb, '\'');
}

void backfill_format_line(struct strbuf *sb, enum backfill_format fmt, const char *key,
                          const char *state_machine_arn, int64_t when)
{
    json_t *run = backfill_run_new(key, state_machine_arn, when);
    if (fmt == BACKFILL_JSON) {
        char *text = jout_compact(run);
        strbuf_adds(sb, text);
        free(text);
    } else {
        char *input = jout_compact(json_object_get(run, "input"));
        strbuf_adds(sb, "aws stepfunctions start-execution --state-machine-arn ");
        backfill_sh_quote(sb, state_machine_arn);
        strbuf_adds(sb, " --name ");
        backfill_sh_quote(sb, json_string_value(json_object_get(run, "name")));
        strbuf_adds(sb, " --input ");
        backfill_sh_quote(sb, input);
        free(input);
    }
    strbuf_addch(sb, '\n');
    json_decref(run);
}
