/*
 * The catalog: schema tables for workflows.yaml, the checks they drive, the merge of
 * defaults into each workflow, and the typed model emitters read (catalog.h).
 */
#include "catalog.h"

#include "base/fsutil.h"
#include "base/pfor.h"
#include "base/strbuf.h"
#include "base/suggest.h"
#include "base/xalloc.h"
#include "schedule.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* ---- schema -------------------------------------------------------------------------
 */

enum ftype { F_STR, F_INT, F_BOOL, F_OBJ, F_ARR, F_DURATION, F_ANY, F_INT_OR_OBJ };

struct ck; /* check context */
typedef int (*value_check)(struct ck *ck, const json_t *v, struct loc loc);

struct field {
    const char *key;
    enum ftype type;
    bool required;
    const struct field *sub; /* keys of an object value (NULL-key terminated) */
    value_check check;       /* extra rule on the value, or NULL */
};

struct ck {
    struct catalog *cat;
    struct diag_list *dl;
    const struct ydoc *doc;
    int rc;
};

/*
 * Compiled patterns are cached for the life of the process: a catalog of 10,000
 * workflows checks the same few patterns 10,000 times each. Build threads share them.
 */
static const regex_t *compiled(const char *re)
{
    static struct {
        const char *re;
        regex_t rx;
    } cache[16];
    static size_t n;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    size_t i = 0;
    while (i < n && cache[i].re != re)
        i++;
    if (i == n) {
        if (n == ARRAY_SIZE(cache) || regcomp(&cache[n].rx, re, REG_EXTENDED | REG_NOSUB))
            BUG("cannot compile pattern %s", re);
        cache[n++].re = re;
    }
    pthread_mutex_unlock(&lock);
    return &cache[i].rx;
}

static int check_pattern(struct ck *ck, const json_t *v, struct loc loc, const char *re,
                         const char *what, const char *rule)
{
    if (!regexec(compiled(re), json_string_value(v), 0, NULL, 0))
        return 0;
    diag_add(ck->dl, D_CAT_VALUE, loc, "%s '%s' is not valid", what,
             json_string_value(v));
    diag_note(ck->dl, "%s", rule);
    return -1;
}

static int check_one_of(struct ck *ck, const json_t *v, struct loc loc, const char *what,
                        const char *const *allowed, size_t n)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, allowed[i]))
            return 0;
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&sb, "%s%s", i ? ", " : "", allowed[i]);
    diag_add(ck->dl, D_CAT_VALUE, loc, "%s '%s' is not one of %s", what, s, sb.buf);
    strbuf_release(&sb);
    return -1;
}

#define ONE_OF(what, ...)                                                                \
    do {                                                                                 \
        static const char *const allowed_[] = {__VA_ARGS__};                             \
        return check_one_of(ck, v, loc, what, allowed_, ARRAY_SIZE(allowed_));           \
    } while (0)

static int ck_version(struct ck *ck, const json_t *v, struct loc loc)
{
    if (json_integer_value(v) == 1)
        return 0;
    diag_add(ck->dl, D_CAT_VERSION, loc, "catalog version %lld is not supported",
             (long long)json_integer_value(v));
    diag_note(ck->dl, "this wfgen reads version: 1");
    return -1;
}

static int ck_project(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc, "^[a-z][a-z0-9-]*$", "project",
                         "use lowercase letters, digits and '-', starting with a letter");
}

static int ck_env(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc, "^[a-z][a-z0-9]*$", "env",
                         "use lowercase letters and digits, starting with a letter");
}

static int ck_key(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc, "^[a-z][a-z0-9_]*$", "workflow key",
                         "use lowercase letters, digits and '_', starting with a letter");
}

static int ck_region(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc, "^[a-z]{2}(-[a-z]+)+-[0-9]+$", "region",
                         "an AWS region looks like 'ap-northeast-1'");
}

static int ck_account(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc, "^[0-9]{12}$", "account_id",
                         "an account id is 12 digits, written as a quoted string");
}

static int ck_partition(struct ck *ck, const json_t *v, struct loc loc)
{
    ONE_OF("partition", "aws", "aws-cn", "aws-us-gov");
}

static int ck_level(struct ck *ck, const json_t *v, struct loc loc)
{
    ONE_OF("logging level", "ALL", "ERROR", "FATAL", "OFF");
}

static int ck_launch_type(struct ck *ck, const json_t *v, struct loc loc)
{
    ONE_OF("launch_type", "FARGATE", "EC2", "EXTERNAL");
}

static int ck_on_conflict(struct ck *ck, const json_t *v, struct loc loc)
{
    ONE_OF("on_conflict", "skip", "fail", "wait");
}

static int ck_retention(struct ck *ck, const json_t *v, struct loc loc)
{
    static const long ok[] = {0,    1,    3,    5,    7,    14,   30,  60,
                              90,   120,  150,  180,  365,  400,  545, 731,
                              1096, 1827, 2192, 2557, 2922, 3288, 3653};
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
        if (json_integer_value(v) == ok[i])
            return 0;
    diag_add(ck->dl, D_CAT_RETENTION, loc,
             "retention_days %lld is not a CloudWatch Logs value",
             (long long)json_integer_value(v));
    diag_note(ck->dl,
              "use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
              "731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, or 0 (never expire)");
    return -1;
}

static int ck_role_name(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(
        ck, v, loc, "^[A-Za-z0-9+=,.@_-]{1,64}$", "role name",
        "give the IAM role name (not its ARN): up to 64 of A-Z a-z 0-9 +=,.@_-");
}

static int ck_max_attempts(struct ck *ck, const json_t *v, struct loc loc)
{
    json_int_t n = json_integer_value(v);
    if (n >= 0 && n <= 185)
        return 0;
    diag_add(ck->dl, D_CAT_VALUE, loc, "max_attempts %lld is outside 0-185",
             (long long)n);
    return -1;
}

static int ck_event_age(struct ck *ck, const json_t *v, struct loc loc)
{
    long s = json_is_integer(v) ? (long)json_integer_value(v)
                                : catalog_parse_duration(json_string_value(v));
    if (s >= 60 && s <= 86400)
        return 0;
    diag_add(ck->dl, D_CAT_VALUE, loc, "max_event_age must be between 1m and 24h");
    return -1;
}

static int ck_positive(struct ck *ck, const json_t *v, struct loc loc)
{
    if (json_integer_value(v) >= 1)
        return 0;
    diag_add(ck->dl, D_CAT_VALUE, loc, "value must be 1 or more");
    return -1;
}

/* `concurrency: N` (the short form) is a limit of 1 or more, like `limit:`. */
static int ck_concurrency(struct ck *ck, const json_t *v, struct loc loc)
{
    return json_is_integer(v) ? ck_positive(ck, v, loc) : 0;
}

static int ck_lambda_arn(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(ck, v, loc,
                         "^arn:aws(-cn|-us-gov)?:lambda:[a-z0-9-]+:[0-9]{12}:function:"
                         "[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$",
                         "forwarder_arn",
                         "give the ARN of the Datadog Forwarder Lambda function");
}

static int ck_dlq(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(
        ck, v, loc, "^arn:aws(-cn|-us-gov)?:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$",
        "dead_letter_queue", "give the ARN of a standard (not FIFO) SQS queue");
}

static int ck_sns(struct ck *ck, const json_t *v, struct loc loc)
{
    return check_pattern(
        ck, v, loc, "^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$",
        "sns_topic", "give the ARN of an SNS topic");
}

static int ck_timezone(struct ck *ck, const json_t *v, struct loc loc)
{
    if (sched_tz_valid(json_string_value(v)))
        return 0;
    diag_add(ck->dl, D_CAT_TIMEZONE, loc, "unknown time zone '%s'", json_string_value(v));
    diag_note(ck->dl, "use an IANA name such as 'Asia/Tokyo' or 'UTC'");
    return -1;
}

static int ck_tags(struct ck *ck, const json_t *v, struct loc loc)
{
    const char *k;
    json_t *t;
    (void)loc;
    json_object_foreach((json_t *)v, k, t)
    {
        if (!json_is_string(t)) {
            diag_add(ck->dl, D_CAT_TYPE, yload_member_loc(ck->doc, v, k),
                     "tag '%s' must be a string", k);
            ck->rc = -1;
        }
    }
    return 0;
}

static int ck_string_list(struct ck *ck, const json_t *v, struct loc loc)
{
    size_t i;
    json_t *e;
    (void)loc;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            diag_add(ck->dl, D_CAT_TYPE, yload_index_loc(ck->doc, v, i),
                     "list element must be a string");
            ck->rc = -1;
        }
    }
    return 0;
}

/* ecs.task_definitions maps a short name to a task definition family (or ARN). */
static int ck_task_definitions(struct ck *ck, const json_t *v, struct loc loc)
{
    const char *k;
    json_t *t;
    (void)loc;
    json_object_foreach((json_t *)v, k, t)
    {
        if (!json_is_string(t) || !*json_string_value(t)) {
            diag_add(ck->dl, D_CAT_TYPE, yload_member_loc(ck->doc, v, k),
                     "task definition '%s' must name a family", k);
            diag_note(ck->dl, "write the family name, e.g. %s: sales-aggregator", k);
            ck->rc = -1;
        }
    }
    return 0;
}

static int ck_vars(struct ck *ck, const json_t *v, struct loc loc)
{
    const char *k;
    json_t *t;
    (void)loc;
    json_object_foreach((json_t *)v, k, t)
    {
        if (!json_is_string(t) && !json_is_number(t) && !json_is_boolean(t)) {
            diag_add(ck->dl, D_CAT_TYPE, yload_member_loc(ck->doc, v, k),
                     "var '%s' must be a string, number or boolean", k);
            ck->rc = -1;
        }
    }
    return 0;
}

static int ck_iam_extra(struct ck *ck, const json_t *v, struct loc loc)
{
    size_t i;
    json_t *st;
    (void)loc;
    json_array_foreach(v, i, st)
    {
        if (!json_is_object(st) || !json_object_get(st, "Effect") ||
            !json_object_get(st, "Action") || !json_object_get(st, "Resource")) {
            diag_add(ck->dl, D_CAT_TYPE, yload_index_loc(ck->doc, v, i),
                     "iam_extra element is not an IAM statement");
            diag_note(ck->dl, "each statement needs Effect, Action and Resource");
            ck->rc = -1;
        }
    }
    return 0;
}

static const struct field logging_fields[] = {
    {"level", F_STR, false, NULL, ck_level},
    {"retention_days", F_INT, false, NULL, ck_retention},
    {"include_execution_data", F_BOOL, false, NULL, NULL},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field ecs_fields[] = {
    {"cluster", F_STR, false, NULL, NULL},
    {"launch_type", F_STR, false, NULL, ck_launch_type},
    {"container", F_STR, false, NULL, NULL},
    {"subnets", F_ARR, false, NULL, ck_string_list},
    {"security_groups", F_ARR, false, NULL, ck_string_list},
    {"assign_public_ip", F_BOOL, false, NULL, NULL},
    {"task_role", F_STR, false, NULL, ck_role_name},
    {"execution_role", F_STR, false, NULL, ck_role_name},
    {"timeout", F_DURATION, false, NULL, NULL},
    {"task_definitions", F_OBJ, false, NULL, ck_task_definitions},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field retry_fields[] = {
    {"max_attempts", F_INT, false, NULL, ck_max_attempts},
    {"max_event_age", F_DURATION, false, NULL, ck_event_age},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field scheduler_fields[] = {
    {"retry", F_OBJ, false, retry_fields, NULL},
    {"dead_letter_queue", F_STR, false, NULL, ck_dlq},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field alarm_fields[] = {
    {"failed", F_BOOL, false, NULL, NULL},     {"timed_out", F_BOOL, false, NULL, NULL},
    {"aborted", F_BOOL, false, NULL, NULL},    {"missed_run", F_BOOL, false, NULL, NULL},
    {"sns_topic", F_STR, false, NULL, ck_sns}, {NULL, F_ANY, false, NULL, NULL},
};

static const struct field datadog_fields[] = {
    {"forwarder_arn", F_STR, false, NULL, ck_lambda_arn}, /* required after the merge */
    {"tags", F_OBJ, false, NULL, ck_tags},
    {"log_level", F_STR, false, NULL, ck_level},
    {"enabled", F_BOOL, false, NULL, NULL},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field monitoring_fields[] = {
    {"datadog", F_OBJ, false, datadog_fields, NULL},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field concurrency_fields[] = {
    {"limit", F_INT, true, NULL, ck_positive},
    {"on_conflict", F_STR, false, NULL, ck_on_conflict},
    {"lease", F_DURATION, false, NULL, NULL},
    {NULL, F_ANY, false, NULL, NULL},
};

/* Keys allowed both in `defaults` and in each workflow. */
#define SETTINGS_FIELDS                                                                  \
    {"timezone", F_STR, false, NULL, ck_timezone},                                       \
        {"timeout", F_DURATION, false, NULL, NULL},                                      \
        {"logging", F_OBJ, false, logging_fields, NULL},                                 \
        {"ecs", F_OBJ, false, ecs_fields, NULL},                                         \
        {"scheduler", F_OBJ, false, scheduler_fields, NULL},                             \
        {"alarms", F_OBJ, false, alarm_fields, NULL},                                    \
        {"monitoring", F_OBJ, false, monitoring_fields, NULL},                           \
        {"tags", F_OBJ, false, NULL, ck_tags}, {"tracing", F_BOOL, false, NULL, NULL},   \
    {                                                                                    \
        "iam_extra", F_ARR, false, NULL, ck_iam_extra                                    \
    }

static const struct field defaults_fields[] = {
    SETTINGS_FIELDS,
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field workflow_fields[] = {
    {"key", F_STR, true, NULL, ck_key},
    {"schedule", F_STR, true, NULL, NULL},
    {"definition", F_STR, false, NULL, NULL},
    {"description", F_STR, false, NULL, NULL},
    {"concurrency", F_INT_OR_OBJ, false, concurrency_fields, ck_concurrency},
    {"dedupe", F_BOOL, false, NULL, NULL},
    {"enabled", F_BOOL, false, NULL, NULL},
    {"pii", F_BOOL, false, NULL, NULL},
    SETTINGS_FIELDS,
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field aws_fields[] = {
    {"region", F_STR, true, NULL, ck_region},
    {"account_id", F_STR, true, NULL, ck_account},
    {"partition", F_STR, false, NULL, ck_partition},
    {NULL, F_ANY, false, NULL, NULL},
};

static const struct field top_fields[] = {
    {"version", F_INT, true, NULL, ck_version},
    {"project", F_STR, true, NULL, ck_project},
    {"env", F_STR, true, NULL, ck_env},
    {"aws", F_OBJ, true, aws_fields, NULL},
    {"defaults", F_OBJ, false, defaults_fields, NULL},
    {"vars", F_OBJ, false, NULL, ck_vars},
    {"templates", F_STR, false, NULL, NULL},
    {"workflows", F_ARR, true, NULL, NULL},
    {NULL, F_ANY, false, NULL, NULL},
};

/* ---- generic schema walk -------------------------------------------------------------
 */

static const char *type_name(enum ftype t)
{
    static const char *const names[] = {
        [F_STR] = "a string",       [F_INT] = "an integer",
        [F_BOOL] = "true or false", [F_OBJ] = "a mapping",
        [F_ARR] = "a list",         [F_DURATION] = "a duration",
        [F_ANY] = "any value",      [F_INT_OR_OBJ] = "an integer or a mapping",
    };
    return names[t];
}

/* The schema key closest to a misspelt one, for "did you mean" notes. */
static const char *closest_key(const struct field *fields, const char *key)
{
    const char *names[64];
    size_t n = 0;
    for (const struct field *f = fields; f->key && n < ARRAY_SIZE(names); f++)
        names[n++] = f->key;
    return suggest_closest(key, names, n);
}

static bool type_ok(enum ftype t, const json_t *v)
{
    switch (t) {
    case F_STR:
        return json_is_string(v);
    case F_INT:
        return json_is_integer(v);
    case F_BOOL:
        return json_is_boolean(v);
    case F_OBJ:
        return json_is_object(v);
    case F_ARR:
        return json_is_array(v);
    case F_DURATION:
        return json_is_integer(v) ||
               (json_is_string(v) && catalog_parse_duration(json_string_value(v)) >= 0);
    case F_INT_OR_OBJ:
        return json_is_integer(v) || json_is_object(v);
    case F_ANY:
        return true;
    }
    return false;
}

static void check_object(struct ck *ck, const json_t *obj, const struct field *fields,
                         const char *where);

static void check_value(struct ck *ck, const json_t *parent, const struct field *f,
                        const json_t *v)
{
    struct loc loc = yload_member_loc(ck->doc, parent, f->key);
    if (!type_ok(f->type, v)) {
        ck->rc = -1;
        if (f->type == F_DURATION && json_is_string(v)) {
            diag_add(ck->dl, D_CAT_DURATION, loc, "'%s' is not a duration",
                     json_string_value(v));
            diag_note(ck->dl, "write a number with a unit: 30s, 15m, 2h or 1d");
            return;
        }
        diag_add(ck->dl, D_CAT_TYPE, loc, "'%s' must be %s, not %s", f->key,
                 type_name(f->type), yload_kind(v));
        if (f->type == F_STR && json_is_integer(v))
            diag_note(ck->dl, "quote the value to make it a string");
        return;
    }
    if (f->sub && json_is_object(v))
        check_object(ck, v, f->sub, f->key);
    if (f->check && f->check(ck, v, loc))
        ck->rc = -1;
}

static void check_object(struct ck *ck, const json_t *obj, const struct field *fields,
                         const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct field *f = fields;
        while (f->key && strcmp(f->key, key))
            f++;
        if (f->key) {
            check_value(ck, obj, f, v);
            continue;
        }
        ck->rc = -1;
        diag_add(ck->dl, D_CAT_UNKNOWN_KEY, yload_key_loc(ck->doc, obj, key),
                 "unknown key '%s' in %s", key, where);
        const char *near = closest_key(fields, key);
        if (near)
            diag_note(ck->dl, "did you mean '%s'?", near);
    }
    for (const struct field *f = fields; f->key; f++) {
        if (f->required && !json_object_get(obj, f->key)) {
            ck->rc = -1;
            diag_add(ck->dl, D_CAT_MISSING_KEY, yload_loc(ck->doc, obj), "%s has no '%s'",
                     where, f->key);
            diag_note(ck->dl, "add '%s: ...'", f->key);
        }
    }
}

/* ---- durations ------------------------------------------------------------------------
 */

long catalog_parse_duration(const char *s)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    char *end;
    long n = strtol(s, &end, 10);
    static const struct {
        char unit;
        long secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    if (*end == '\0')
        return n;
    for (size_t i = 0; i < ARRAY_SIZE(units); i++)
        if (end[0] == units[i].unit && end[1] == '\0')
            return n > LONG_MAX / units[i].secs ? -1 : n * units[i].secs;
    return -1;
}

static long duration_of(const json_t *v)
{
    if (!v)
        return 0;
    return json_is_integer(v) ? (long)json_integer_value(v)
                              : catalog_parse_duration(json_string_value(v));
}

/* ---- merge and extraction -------------------------------------------------------------
 */

/*
 * Returns a new object: `base` with `over` laid on top. Mappings merge key by key
 * (an override keeps the base key's slot, new keys go last); anything else replaces.
 * Values are shared with the inputs, never modified.
 */
static json_t *merge_new(const json_t *base, const json_t *over)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)base, k, v) json_object_set(out, k, v);
    json_object_foreach((json_t *)over, k, v)
    {
        json_t *b = json_object_get(out, k);
        if (json_is_object(b) && json_is_object(v))
            json_object_set_new(out, k, merge_new(b, v));
        else
            json_object_set(out, k, v);
    }
    return out;
}

static const char *get_str(const json_t *o, const char *path, const char *dflt)
{
    const char *dot = strchr(path, '.');
    if (dot) {
        char head[32];
        snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
        return get_str(json_object_get(o, head), dot + 1, dflt);
    }
    const char *s = json_string_value(json_object_get(o, path));
    return s ? s : dflt;
}

static const json_t *get(const json_t *o, const char *path)
{
    const char *dot = strchr(path, '.');
    if (!dot)
        return json_object_get(o, path);
    char head[32];
    snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
    return get(json_object_get(o, head), dot + 1);
}

static long get_int(const json_t *o, const char *path, long dflt)
{
    const json_t *v = get(o, path);
    return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

static bool get_bool(const json_t *o, const char *path, bool dflt)
{
    const json_t *v = get(o, path);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* Concurrency (an integer is the limit) and Datadog settings; see catalog.h. */
static void extract_ops(struct workflow *wf, const json_t *m)
{
    static const char *const conflicts[] = {[WF_CONFLICT_SKIP] = "skip",
                                            [WF_CONFLICT_FAIL] = "fail",
                                            [WF_CONFLICT_WAIT] = "wait"};
    const json_t *c = wf->concurrency;
    wf->conc.limit =
        json_is_integer(c) ? (long)json_integer_value(c) : get_int(c, "limit", 0);
    const char *oc = get_str(c, "on_conflict", "skip");
    for (size_t i = 0; i < ARRAY_SIZE(conflicts); i++)
        if (!strcmp(oc, conflicts[i]))
            wf->conc.on_conflict = (enum wf_on_conflict)i;
    wf->conc.lease = duration_of(get(c, "lease"));
    if (wf->conc.lease <= 0)
        wf->conc.lease = wf->timeout;
    if (get_bool(m, "monitoring.datadog.enabled", true)) {
        wf->datadog.forwarder_arn = get_str(m, "monitoring.datadog.forwarder_arn", NULL);
        wf->datadog.tags = (json_t *)get(m, "monitoring.datadog.tags");
        wf->datadog.log_level = get_str(m, "monitoring.datadog.log_level", NULL);
    }
}

static void extract(struct catalog *cat, struct workflow *wf, json_t *m)
{
    wf->key = get_str(m, "key", "");
    wf->schedule = get_str(m, "schedule", "");
    wf->description = get_str(m, "description", "");
    wf->enabled = get_bool(m, "enabled", true);
    wf->timezone = get_str(m, "timezone", "UTC");
    wf->timeout = duration_of(get(m, "timeout"));
    wf->tracing = get_bool(m, "tracing", false);
    wf->logging.level = get_str(m, "logging.level", "ERROR");
    wf->logging.retention_days = get_int(m, "logging.retention_days", 30);
    wf->logging.include_execution_data =
        get_bool(m, "logging.include_execution_data", false);
    wf->ecs.cluster = get_str(m, "ecs.cluster", "default");
    wf->ecs.launch_type = get_str(m, "ecs.launch_type", "FARGATE");
    wf->ecs.container = get_str(m, "ecs.container", "app");
    wf->ecs.subnets = (json_t *)get(m, "ecs.subnets");
    wf->ecs.security_groups = (json_t *)get(m, "ecs.security_groups");
    wf->ecs.assign_public_ip = get_bool(m, "ecs.assign_public_ip", false);
    wf->ecs.task_role = get_str(m, "ecs.task_role", NULL);
    wf->ecs.execution_role = get_str(m, "ecs.execution_role", NULL);
    wf->ecs.timeout = duration_of(get(m, "ecs.timeout"));
    wf->ecs.task_definitions = (json_t *)get(m, "ecs.task_definitions");
    wf->scheduler.max_attempts = get_int(m, "scheduler.retry.max_attempts", 0);
    wf->scheduler.max_event_age = duration_of(get(m, "scheduler.retry.max_event_age"));
    if (!wf->scheduler.max_event_age)
        wf->scheduler.max_event_age = 3600;
    wf->scheduler.dead_letter_queue = get_str(m, "scheduler.dead_letter_queue", NULL);
    wf->alarms.failed = get_bool(m, "alarms.failed", true);
    wf->alarms.timed_out = get_bool(m, "alarms.timed_out", true);
    wf->alarms.aborted = get_bool(m, "alarms.aborted", true);
    wf->alarms.missed_run = get_bool(m, "alarms.missed_run", false);
    wf->alarms.sns_topic = get_str(m, "alarms.sns_topic", NULL);
    wf->tags = (json_t *)get(m, "tags");
    wf->iam_extra = (json_t *)get(m, "iam_extra");
    wf->concurrency = (json_t *)get(m, "concurrency");
    wf->dedupe = get_bool(m, "dedupe", false);
    wf->pii = get_bool(m, "pii", false);
    extract_ops(wf, m);
    naming_derive(&wf->names, cat->project, cat->env, wf->key);
}

/* ---- per-workflow checks
 * ---------------------------------------------------------------- */

static bool path_escapes(const char *p)
{
    if (p[0] == '/' || !strncmp(p, "../", 3) || !strcmp(p, ".."))
        return true;
    return strstr(p, "/../") || (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/.."));
}

/* Finds the definition file: the one named in the catalog, or the default paths. */
static int resolve_definition(struct ck *ck, struct workflow *wf)
{
    static const char *const exts[] = {".asl.yaml", ".asl.yml", ".asl.json"};
    const json_t *node = json_object_get(wf->node, "definition");
    if (!node) {
        for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
            char *rel = xasprintf("definitions/%s%s", wf->key, exts[i]);
            char *full = fs_join(ck->cat->dir, rel);
            if (fs_exists(full)) {
                wf->definition = rel;
                wf->definition_path = full;
                return 0;
            }
            free(rel);
            free(full);
        }
        diag_add(ck->dl, D_CAT_DEF_MISSING, yload_member_loc(ck->doc, wf->node, "key"),
                 "workflow '%s' has no definition file", wf->key);
        diag_note(ck->dl, "create definitions/%s.asl.yaml or definitions/%s.asl.json",
                  wf->key, wf->key);
        return -1;
    }
    struct loc loc = yload_member_loc(ck->doc, wf->node, "definition");
    const char *rel = json_string_value(node);
    if (path_escapes(rel)) {
        diag_add(ck->dl, D_CAT_PATH_ESCAPE, loc,
                 "definition path '%s' leaves the project folder", rel);
        diag_note(ck->dl, "use a relative path below the catalog's folder");
        return -1;
    }
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    bool named_ok = false;
    for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
        size_t klen = strlen(wf->key);
        named_ok |= !strncmp(base, wf->key, klen) && !strcmp(base + klen, exts[i]);
    }
    if (!named_ok) {
        diag_add(ck->dl, D_CAT_DEF_NAME, loc,
                 "definition file '%s' is not named after workflow '%s'", base, wf->key);
        diag_note(ck->dl, "rename it to %s.asl.yaml (or .asl.json)", wf->key);
        return -1;
    }
    wf->definition = xstrdup(rel);
    wf->definition_path = fs_join(ck->cat->dir, rel);
    if (!fs_exists(wf->definition_path)) {
        diag_add(ck->dl, D_CAT_DEF_MISSING, loc, "definition file '%s' does not exist",
                 rel);
        return -1;
    }
    return 0;
}

/*
 * Location of a merged setting top.sub: the workflow's own when it sets it, else the
 * catalog defaults', else the workflow key.
 */
static struct loc setting_loc(struct ck *ck, const struct workflow *wf, const char *top,
                              const char *sub)
{
    const json_t *own = json_object_get(wf->node, top);
    const json_t *defaults = json_object_get(ck->cat->doc.root, "defaults");
    const json_t *dflt = json_object_get(defaults, top);
    if (json_object_get(own, sub))
        return yload_member_loc(ck->doc, own, sub);
    if (json_object_get(dflt, sub))
        return yload_member_loc(ck->doc, dflt, sub);
    return yload_member_loc(ck->doc, wf->node, "key");
}

/* Checks that need the merged settings: Datadog, the lease, personal data in logs. */
static int check_ops(struct ck *ck, struct workflow *wf)
{
    int rc = 0;
    const json_t *dd = get(wf->settings, "monitoring.datadog");
    if (dd && get_bool(wf->settings, "monitoring.datadog.enabled", true) &&
        !wf->datadog.forwarder_arn) {
        struct loc at = setting_loc(ck, wf, "monitoring", "datadog");
        rc = diag_add(ck->dl, D_CAT_MISSING_KEY, at,
                      "monitoring.datadog of workflow '%s' has no 'forwarder_arn'",
                      wf->key);
        diag_note(ck->dl, "set it in defaults.monitoring.datadog or on the workflow, or "
                          "set 'enabled: false'");
    }
    if (wf->conc.limit > 0 && wf->conc.lease < wf->timeout) {
        const json_t *c = json_object_get(wf->node, "concurrency");
        diag_add(ck->dl, D_OPS_LEASE_SHORT, yload_member_loc(ck->doc, c, "lease"),
                 "concurrency lease of workflow '%s' (%lds) is shorter than its timeout "
                 "(%lds)",
                 wf->key, wf->conc.lease, wf->timeout);
        diag_note(ck->dl,
                  "a run still going after the lease can lose its slot to another "
                  "run; leave 'lease' unset to use the timeout");
    }
    const char *level = wf->datadog.forwarder_arn && wf->datadog.log_level
                            ? wf->datadog.log_level
                            : wf->logging.level;
    if (wf->pii && wf->logging.include_execution_data && strcmp(level, "OFF")) {
        diag_add(ck->dl, D_OPS_PII_LOGGED,
                 setting_loc(ck, wf, "logging", "include_execution_data"),
                 "workflow '%s' is marked pii but logs execution data", wf->key);
        diag_note(ck->dl,
                  "inputs and outputs go to CloudWatch Logs%s; set "
                  "'include_execution_data: false' for this workflow",
                  wf->datadog.forwarder_arn ? " and are forwarded to Datadog" : "");
    }
    return rc;
}

static int check_workflow(struct ck *ck, struct workflow *wf)
{
    int rc = 0;
    struct loc keyloc = yload_member_loc(ck->doc, wf->node, "key");
    if (!wf->timeout) {
        rc = diag_add(ck->dl, D_CAT_MISSING_KEY, keyloc, "workflow '%s' has no timeout",
                      wf->key);
        diag_note(ck->dl, "set 'timeout' on the workflow or in 'defaults' (e.g. 2h)");
    }
    struct loc sloc = yload_member_loc(ck->doc, wf->node, "schedule");
    if (sched_check(wf->schedule, sloc, wf->timezone, ck->dl))
        rc = -1;
    if (resolve_definition(ck, wf))
        rc = -1;
    if (naming_check(&wf->names, keyloc, ck->dl))
        rc = -1;
    if (check_ops(ck, wf))
        rc = -1;
    return rc;
}

static int cmp_wf_key(const void *a, const void *b)
{
    const struct workflow *x = *(const struct workflow *const *)a;
    const struct workflow *y = *(const struct workflow *const *)b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x < y ? -1 : x > y);
}

/* Reports every repeated workflow key; sorting keeps this linear-logarithmic. */
static int check_unique(struct ck *ck)
{
    int rc = 0;
    size_t n = ck->cat->nwf;
    const struct workflow **byk = xcalloc(n + 1, sizeof(*byk));
    for (size_t i = 0; i < n; i++)
        byk[i] = &ck->cat->wf[i];
    qsort(byk, n, sizeof(*byk), cmp_wf_key);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(byk[i]->key, byk[i - 1]->key))
            continue;
        rc = diag_add(ck->dl, D_CAT_DUP_WORKFLOW,
                      yload_member_loc(ck->doc, byk[i]->node, "key"),
                      "workflow key '%s' is used twice", byk[i]->key);
        diag_note(ck->dl, "first used at line %u",
                  yload_member_loc(ck->doc, byk[i - 1]->node, "key").line);
    }
    free(byk);
    return rc;
}

/* Checks the catalog-wide names of the operational resources the workflows use. */
static int check_catalog_names(struct ck *ck)
{
    unsigned uses = 0;
    for (size_t i = 0; i < ck->cat->nwf; i++) {
        const struct workflow *wf = &ck->cat->wf[i];
        if (wf->conc.limit > 0)
            uses |= NAMING_USES_LOCKS | NAMING_USES_CLEANUP;
        if (wf->dedupe)
            uses |= NAMING_USES_LOCKS;
    }
    struct loc at = yload_member_loc(ck->doc, ck->cat->doc.root, "project");
    return naming_check_catalog(&ck->cat->names, uses, at, ck->dl);
}

/* ---- load
 * ------------------------------------------------------------------------------ */

/* One entry of `workflows:`, checked by any thread; merged in catalog order. */
struct wf_load {
    json_t *settings; /* the entry over the defaults, merged beforehand (see below) */
    struct workflow wf;
    struct diag_list dl;
    int rc;
    bool kept; /* a mapping with valid keys: wf is filled */
};

struct load_job {
    struct catalog *cat;
    const json_t *list, *defaults;
    struct wf_load *r;
};

static void load_one(size_t i, void *ctx)
{
    struct load_job *j = ctx;
    struct wf_load *r = &j->r[i];
    struct ck ck = {j->cat, &r->dl, &j->cat->doc, 0};
    json_t *node = json_array_get(j->list, i);
    if (!json_is_object(node)) {
        diag_add(&r->dl, D_CAT_TYPE, yload_index_loc(ck.doc, j->list, i),
                 "workflow entry must be a mapping, not %s", yload_kind(node));
        r->rc = -1;
        return;
    }
    check_object(&ck, node, workflow_fields, "workflow");
    if (ck.rc) {
        r->rc = -1;
        return;
    }
    r->kept = true;
    r->wf.node = node;
    r->wf.settings = r->settings;
    r->settings = NULL;
    extract(j->cat, &r->wf, r->wf.settings);
    r->rc = check_workflow(&ck, &r->wf) ? -1 : 0;
}

/*
 * Checks every entry on the thread pool (a catalog may list 10,000), then keeps the
 * valid ones and their diagnostics in catalog order. Merging with the defaults stays
 * on one thread: it takes references to the shared default values, and jansson's
 * json_incref reads the count without an atomic load.
 */
static int load_workflows(struct ck *ck, const json_t *list)
{
    const json_t *defaults = json_object_get(ck->cat->doc.root, "defaults");
    json_t *empty = json_object();
    size_t n = json_array_size(list);
    struct load_job job = {ck->cat, list, defaults ? defaults : empty,
                           xcalloc(n + 1, sizeof(struct wf_load))};
    ck->cat->wf = xcalloc(n + 1, sizeof(*ck->cat->wf));
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(list, i);
        if (json_is_object(node))
            job.r[i].settings = merge_new(job.defaults, node);
    }
    pfor(n, 0, load_one, &job);
    for (size_t i = 0; i < n; i++) {
        struct wf_load *r = &job.r[i];
        diag_move(ck->dl, &r->dl);
        if (r->kept)
            ck->cat->wf[ck->cat->nwf++] = r->wf;
        if (r->rc)
            ck->rc = -1;
        json_decref(r->settings); /* an entry that was not kept */
    }
    free(job.r);
    json_decref(empty);
    return ck->rc;
}

int catalog_load(struct catalog *cat, const char *path, struct diag_list *dl)
{
    memset(cat, 0, sizeof(*cat));
    int rc = yload_file(&cat->doc, path, dl);
    if (rc)
        return rc;
    cat->dir = fs_dirname(path);
    struct ck ck = {cat, dl, &cat->doc, 0};
    json_t *root = cat->doc.root;
    if (!json_is_object(root)) {
        diag_add(dl, D_CAT_TYPE, yload_loc(&cat->doc, root),
                 "catalog must be a mapping, not %s", yload_kind(root));
        return -1;
    }
    check_object(&ck, root, top_fields, "the catalog");
    if (ck.rc)
        return -1;
    cat->project = get_str(root, "project", "");
    cat->env = get_str(root, "env", "");
    cat->region = get_str(root, "aws.region", "");
    cat->account_id = get_str(root, "aws.account_id", "");
    cat->partition = get_str(root, "aws.partition", "aws");
    cat->vars = json_object_get(root, "vars");
    naming_derive_catalog(&cat->names, cat->project, cat->env);
    const char *tmpl = get_str(root, "templates", NULL);
    if (tmpl) {
        if (path_escapes(tmpl)) {
            diag_add(dl, D_CAT_PATH_ESCAPE,
                     yload_member_loc(&cat->doc, root, "templates"),
                     "templates path '%s' leaves the project folder", tmpl);
            return -1;
        }
        cat->templates_dir = fs_join(cat->dir, tmpl);
    }
    const json_t *list = json_object_get(root, "workflows");
    if (json_array_size(list) == 0)
        diag_add(dl, D_CAT_NO_WORKFLOWS, yload_member_loc(&cat->doc, root, "workflows"),
                 "catalog defines no workflows");
    load_workflows(&ck, list);
    if (check_unique(&ck))
        ck.rc = -1;
    if (check_catalog_names(&ck))
        ck.rc = -1;
    return ck.rc ? -1 : 0;
}

const struct workflow *catalog_find(const struct catalog *cat, const char *key)
{
    for (size_t i = 0; i < cat->nwf; i++)
        if (!strcmp(cat->wf[i].key, key))
            return &cat->wf[i];
    return NULL;
}

const char *catalog_suggest_key(const struct catalog *cat, const char *key)
{
    const char **keys = xcalloc(cat->nwf + 1, sizeof(*keys));
    for (size_t i = 0; i < cat->nwf; i++)
        keys[i] = cat->wf[i].key;
    const char *best = suggest_closest(key, keys, cat->nwf);
    free(keys);
    return best;
}

void catalog_release(struct catalog *cat)
{
    for (size_t i = 0; i < cat->nwf; i++) {
        naming_release(&cat->wf[i].names);
        free(cat->wf[i].definition);
        free(cat->wf[i].definition_path);
        json_decref(cat->wf[i].settings);
    }
    free(cat->wf);
    free(cat->dir);
    free(cat->templates_dir);
    naming_release_catalog(&cat->names);
    ydoc_release(&cat->doc);
    memset(cat, 0, sizeof(*cat));
}
