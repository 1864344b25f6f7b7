/*
 * Redrive from a saved history: finds the top-level state that was entered but never
 * exited, its recorded input, the variables assigned before it, the original input
 * and the times, so the executor can re-enter the failed run where it stopped.
 */
#include "interp/exec.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), n = strlen(suffix);
    return l >= n && !strcmp(s + l - n, suffix);
}

/* Parses a JSON text held in a history detail; NULL when absent or malformed. */
static json_t *parse_text(json_t *details, const char *key)
{
    const char *s = json_string_value(json_object_get(details, key));
    return s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
}

/* The details object of an event (the one member whose key ends in "Details"). */
static json_t *details_of(json_t *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(e, k, v)
    {
        if (ends_with(k, "EventDetails"))
            return v;
    }
    return NULL;
}

static int why(char **err, char *msg)
{
    *err = msg;
    return -1;
}

/* Applies a top-level *StateExited event's assignedVariables to vars. */
static void apply_vars(json_t *vars, json_t *d)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(d, "assignedVariables"), k, v)
    {
        json_t *val = json_is_string(v)
                          ? json_loads(json_string_value(v), JSON_DECODE_ANY, NULL)
                          : NULL;
        if (val)
            json_object_set_new(vars, k, val);
    }
}

/* Tracks Parallel/Map nesting: +1 on *Started, -1 on their end events. */
static int nesting(const char *type)
{
    static const char *const opens[] = {"ParallelStateStarted", "MapStateStarted"};
    static const char *const closes[] = {"ParallelStateSucceeded", "ParallelStateFailed",
                                         "ParallelStateAborted",   "MapStateSucceeded",
                                         "MapStateFailed",         "MapStateAborted"};
    for (size_t i = 0; i < ARRAY_SIZE(opens); i++)
        if (!strcmp(type, opens[i]))
            return 1;
    for (size_t i = 0; i < ARRAY_SIZE(closes); i++)
        if (!strcmp(type, closes[i]))
            return -1;
    return 0;
}

int redrive_find(json_t *history, struct redrive_point *rp, char **err)
{
    memset(rp, 0, sizeof(*rp));
    json_t *events = json_object_get(history, "events");
    size_t n = json_array_size(events);
    if (!n)
        return why(err, xstrdup("the history holds no events"));
    json_t *first = json_array_get(events, 0), *last = json_array_get(events, n - 1);
    const char *ltype = json_string_value(json_object_get(last, "type"));
    const char *ftype = json_string_value(json_object_get(first, "type"));
    if (!ftype || strcmp(ftype, "ExecutionStarted"))
        return why(err, xstrdup("the history does not start with ExecutionStarted"));
    if (!ltype ||
        (strcmp(ltype, "ExecutionFailed") && strcmp(ltype, "ExecutionTimedOut") &&
         strcmp(ltype, "ExecutionAborted")))
        return why(err, xasprintf("only FAILED, TIMED_OUT or ABORTED executions can be "
                                  "redriven; the history ends with %s",
                                  ltype ? ltype : "an unknown event"));
    if (n >= HISTORY_LIMIT)
        return why(err, xstrdup("the history reached the 25,000-event limit"));
    const char *ts0 = json_string_value(json_object_get(first, "timestamp"));
    const char *ts1 = json_string_value(json_object_get(last, "timestamp"));
    if (!ts0 || !ts1 || interp_parse_time(ts0, &rp->start_ms) ||
        interp_parse_time(ts1, &rp->resume_ms))
        return why(err, xstrdup("the history's timestamps are not ISO-8601 date-times"));
    rp->input = parse_text(details_of(first), "input");
    if (!rp->input)
        return why(err, xstrdup("the ExecutionStarted event holds no input"));
    rp->vars = json_object();
    int depth = 0;
    for (size_t i = 1; i < n; i++) {
        json_t *e = json_array_get(events, i), *d = details_of(e);
        const char *type = json_string_value(json_object_get(e, "type"));
        if (!type)
            continue;
        if (!strcmp(type, "ExecutionRedriven"))
            rp->count++;
        if (depth == 0 && ends_with(type, "StateEntered")) {
            free(rp->state);
            json_decref(rp->state_input);
            const char *name = json_string_value(json_object_get(d, "name"));
            rp->state = name ? xstrdup(name) : NULL;
            rp->state_input = parse_text(d, "input");
        } else if (depth == 0 && ends_with(type, "StateExited")) {
            free(rp->state);
            json_decref(rp->state_input);
            rp->state = NULL;
            rp->state_input = NULL;
            apply_vars(rp->vars, d);
        }
        depth += nesting(type);
    }
    if (!rp->state || !rp->state_input) {
        redrive_release(rp);
        return why(err,
                   xstrdup("the history has no state that was entered and not exited"));
    }
    return 0;
}

void redrive_release(struct redrive_point *rp)
{
    json_decref(rp->input);
    json_decref(rp->state_input);
    json_decref(rp->vars);
    free(rp->state);
    memset(rp, 0, sizeof(*rp));
}

int interp_redrivable(json_t *history, char **why_not)
{
    struct redrive_point rp;
    if (redrive_find(history, &rp, why_not))
        return -1;
    redrive_release(&rp);
    return 0;
}
