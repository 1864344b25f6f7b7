/*
 * Run-time lints: definitions AWS accepts that fail or mislead when they run. Retry or
 * Catch on errors that are never caught, Tasks without timeouts or heartbeats, ECS task
 * definitions pinned to a revision, Waits longer than an execution, unbounded inline
 * Maps, and definitions over the 1 MB limit. (The Choice IsPresent lint is in choice.c.)
 */
#include "asl/asl_int.h"

#include "emit/jout.h"

#include <stdlib.h>
#include <string.h>

#define STANDARD_MAX_SECONDS   31536000 /* one year, the Standard execution limit */
#define DEFINITION_MAX_BYTES   1048576  /* 1 MB */
#define INLINE_MAP_CONCURRENCY 40 /* AWS runs at most 40 inline iterations at once */

void asl_lint_error_name(struct asl_ctx *c, const json_t *arr, size_t idx, bool catcher,
                         const char *where)
{
    static const char *const never[] = {"States.Runtime", "States.DataLimitExceeded"};
    const char *name = json_string_value(json_array_get(arr, idx));
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        if (strcmp(name, never[i]))
            continue;
        asl_diag(c, D_LINT_CATCH_RUNTIME, yload_index_loc(c->doc, arr, idx),
                 "%s on '%s' never fires", where, name);
        asl_note(c,
                 "Step Functions never %s %s, even when named explicitly; fix its cause "
                 "(a missing path, a wrong type, an oversized payload) instead",
                 catcher ? "catches" : "retries", name);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* True for a revision suffix ":<digits>" at the end of a task definition reference. */
static const char *revision(const char *td)
{
    const char *colon = strrchr(td, ':');
    if (!colon || !colon[1])
        return NULL;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return NULL;
    return colon + 1;
}

static void lint_ecs_revision(struct asl_ctx *c, const struct asl_state *st,
                              const char *where)
{
    const json_t *params =
        json_object_get(st->obj, st->jsonata ? "Arguments" : "Parameters");
    const json_t *td = json_object_get(params, "TaskDefinition");
    const char *s = json_string_value(td);
    const char *rev = s && !asl_placeholder(c, td) ? revision(s) : NULL;
    if (!rev)
        return;
    asl_diag(c, D_LINT_ECS_REVISION, yload_member_loc(c->doc, params, "TaskDefinition"),
             "task definition of %s is pinned to revision %s", where, rev);
    asl_note(c,
             "give the family name alone (\"%.*s\") so every run uses the latest active "
             "revision; the IAM policy grants the family, not one revision",
             (int)(rev - 1 - s), s);
}

/* How long a Task may wait on something outside Step Functions. */
enum task_wait {
    WAIT_BOUNDED,  /* request/response calls and Lambda: the service bounds them */
    WAIT_JOB,      /* .sync jobs other than ECS, activities: unbounded */
    WAIT_ECS,      /* ecs:runTask.sync: as long as the container runs */
    WAIT_CALLBACK, /* .waitForTaskToken: until someone sends the token */
};

static enum task_wait task_wait(const char *res)
{
    if (ends_with(res, ".waitForTaskToken"))
        return WAIT_CALLBACK;
    if (strstr(res, ":states:::ecs:runTask.sync"))
        return WAIT_ECS;
    if (ends_with(res, ".sync") || ends_with(res, ".sync:2") ||
        (strstr(res, ":states:") && strstr(res, ":activity:")))
        return WAIT_JOB;
    return WAIT_BOUNDED;
}

/*
 * Without TimeoutSeconds a Task may wait 99999999 seconds, i.e. until the 1-year
 * execution limit. That matters only where the wait is unbounded: ECS .sync and
 * callbacks (errors: the team's own batch steps), other .sync jobs and activities
 * (warnings). Request/response calls and Lambda are bounded by the service.
 */
static void lint_task(struct asl_ctx *c, const struct asl_state *st, const char *where)
{
    static const char *const waits_for[] = {"", "a job or activity worker",
                                            "an ECS task to stop", "a task token"};
    const char *res = json_string_value(json_object_get(st->obj, "Resource"));
    if (!res)
        return;
    enum task_wait wait = task_wait(res);
    bool timeout = json_object_get(st->obj, "TimeoutSeconds") ||
                   json_object_get(st->obj, "TimeoutSecondsPath");
    bool heartbeat = json_object_get(st->obj, "HeartbeatSeconds") ||
                     json_object_get(st->obj, "HeartbeatSecondsPath");
    struct loc at = yload_key_loc(c->doc, st->parent, st->name);
    if (!timeout && wait != WAIT_BOUNDED) {
        asl_diag(c,
                 wait == WAIT_JOB ? D_LINT_TASK_NO_TIMEOUT : D_LINT_TASK_NO_TIMEOUT_LONG,
                 at, "%s waits for %s but has no TimeoutSeconds", where, waits_for[wait]);
        asl_note(
            c,
            "the default is 99999999 seconds, so a hung %s holds the execution until "
            "the 1-year limit; add \"TimeoutSeconds\"",
            wait == WAIT_ECS        ? "container"
            : wait == WAIT_CALLBACK ? "callback"
                                    : "job");
    }
    if (wait == WAIT_CALLBACK && !heartbeat) {
        asl_diag(c, D_LINT_CALLBACK_NO_HEARTBEAT, at,
                 "%s waits for a task token but has no "
                 "HeartbeatSeconds",
                 where);
        asl_note(c, "a lost token is then only noticed at TimeoutSeconds; add "
                    "\"HeartbeatSeconds\" and have the worker call SendTaskHeartbeat");
    }
    if (strstr(res, ":states:::ecs:runTask"))
        lint_ecs_revision(c, st, where);
}

static void lint_wait(struct asl_ctx *c, const struct asl_state *st, const char *where)
{
    const json_t *secs = json_object_get(st->obj, "Seconds");
    const json_t *top = json_object_get(c->top, "TimeoutSeconds");
    if (!json_is_integer(secs))
        return;
    json_int_t n = json_integer_value(secs);
    if (n > STANDARD_MAX_SECONDS) {
        asl_diag(c, D_LINT_WAIT_TOO_LONG, yload_member_loc(c->doc, st->obj, "Seconds"),
                 "%s waits %" JSON_INTEGER_FORMAT
                 " seconds, longer than the 1-year execution "
                 "limit",
                 where, n);
        asl_note(
            c,
            "the execution ends before the wait does (Standard executions run at most "
            "%d seconds)",
            STANDARD_MAX_SECONDS);
    } else if (json_is_integer(top) && n > json_integer_value(top)) {
        asl_diag(c, D_LINT_WAIT_TOO_LONG, yload_member_loc(c->doc, st->obj, "Seconds"),
                 "%s waits %" JSON_INTEGER_FORMAT " seconds, longer than the machine's "
                 "TimeoutSeconds (%" JSON_INTEGER_FORMAT ")",
                 where, n, json_integer_value(top));
        asl_note(c, "the execution times out before the wait ends");
    }
}

/*
 * Judgement call: an inline Map with no MaxConcurrency (or 0) runs up to 40 iterations at
 * once and writes every iteration's events into the parent's 25,000-event history, so a
 * large or unknown list fails late. Only a literal Items array of at most 40 elements is
 * known to be small; a MaxConcurrency(Path) expression counts as a limit.
 */
static void lint_map(struct asl_ctx *c, const struct asl_state *st, const char *where)
{
    const json_t *proc = json_object_get(st->obj, "ItemProcessor");
    if (!proc)
        proc = json_object_get(st->obj, "Iterator");
    const char *mode = json_string_value(
        json_object_get(json_object_get(proc, "ProcessorConfig"), "Mode"));
    const json_t *mc = json_object_get(st->obj, "MaxConcurrency");
    const json_t *items = json_object_get(st->obj, "Items");
    if ((mode && !strcmp(mode, "DISTRIBUTED")) ||
        json_object_get(st->obj, "MaxConcurrencyPath"))
        return;
    if (mc && !(json_is_integer(mc) && json_integer_value(mc) == 0))
        return;
    if (json_is_array(items) && json_array_size(items) <= INLINE_MAP_CONCURRENCY)
        return;
    asl_diag(c, D_LINT_MAP_UNBOUNDED,
             mc ? yload_member_loc(c->doc, st->obj, "MaxConcurrency")
                : yload_key_loc(c->doc, st->parent, st->name),
             "inline Map %s has no concurrency limit over a list of unknown size", where);
    asl_note(
        c,
        "every iteration's events count toward the 25,000-event history and up to %d "
        "run at once; set \"MaxConcurrency\", or use a distributed Map "
        "(\"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\"}) for large lists",
        INLINE_MAP_CONCURRENCY);
}

void asl_lint_state(struct asl_ctx *c, size_t si, const char *where)
{
    const struct asl_state *st = &c->states[si];
    switch (st->type) {
    case ST_TASK:
        lint_task(c, st, where);
        break;
    case ST_WAIT:
        lint_wait(c, st, where);
        break;
    case ST_MAP:
        lint_map(c, st, where);
        break;
    default:
        break;
    }
}

void asl_lint_definition(struct asl_ctx *c)
{
    size_t len = jout_dump_size(c->top);
    if (len <= DEFINITION_MAX_BYTES)
        return;
    asl_diag(c, D_LINT_DEF_TOO_LARGE, yload_file_loc(c->doc),
             "definition is %zu bytes as compiled JSON, over the 1 MB (%d bytes) limit",
             len, DEFINITION_MAX_BYTES);
    asl_note(
        c, "Step Functions refuses larger definitions; move large literals to the input "
           "or split the workflow into nested state machines");
}
