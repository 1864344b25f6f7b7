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
            rp->entered_at = i;
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

/* ---- what a failed Parallel or inline Map keeps ---------------------------------------
 * The saved history says which iterations succeeded (MapIterationSucceeded {index}),
 * and their outputs are the output of the event each one's MapIterationSucceeded points
 * back to (the iteration's last state's *StateExited). AWS records nothing per Parallel
 * branch, and wfgen records nothing AWS does not: a branch's first event is the one
 * pointing back at ParallelStateStarted (wfgen runs branches one after another, so a
 * branch's events follow each other), and the branch succeeded when its last event is
 * the *StateExited of a state that ends it (End, or a Succeed state).
 */

static const char *type_of(json_t *e)
{
    return json_string_value(json_object_get(e, "type"));
}

static long id_of(json_t *e, const char *key)
{
    return (long)json_integer_value(json_object_get(e, key));
}

/* The event with id `id` (ids are the 1-based positions in wfgen's histories). */
static json_t *event_by_id(json_t *events, long id)
{
    json_t *e = id > 0 ? json_array_get(events, (size_t)id - 1) : NULL;
    return e && id_of(e, "id") == id ? e : NULL;
}

/* The recorded output of a *StateExited event (new), or NULL. */
static json_t *exit_output(json_t *e)
{
    const char *type = e ? type_of(e) : NULL;
    if (!type || !ends_with(type, "StateExited"))
        return NULL;
    return parse_text(details_of(e), "output");
}

/* Walks the events of the state's last attempt: from the last *Started event at its
   own level after `from` to the end of that attempt. */
struct walk {
    json_t *events;
    size_t from, n;
    size_t started; /* index of the attempt's Map/ParallelStateStarted */
};

/* The nesting level of an event (type may be NULL) given the depth before it, which
   it updates: a Map/Parallel's Started and end events are at the state's own level,
   the events of its iterations or branches one deeper. */
static int level_step(int *depth, const char *type)
{
    int d = type ? nesting(type) : 0;
    if (d < 0)
        *depth += d;
    int level = *depth;
    if (d > 0)
        *depth += d;
    return level;
}

/* Finds the state's last attempt (started_type at level 0). Returns 0 or -1. */
static int last_attempt(struct walk *w, const char *started_type)
{
    int depth = 0;
    bool found = false;
    for (size_t i = w->from + 1; i < w->n; i++) {
        const char *type = type_of(json_array_get(w->events, i));
        if (level_step(&depth, type) == 0 && type && !strcmp(type, started_type)) {
            w->started = i;
            found = true;
        }
    }
    return found ? 0 : -1;
}

static void map_kept(struct walk *w, json_t **kept, size_t n)
{
    json_t *started = json_array_get(w->events, w->started);
    json_t *len = json_object_get(details_of(started), "length");
    if (!json_is_integer(len) || (size_t)json_integer_value(len) != n)
        return; /* the items changed: keep nothing */
    int depth = 1;
    for (size_t i = w->started + 1; i < w->n; i++) {
        json_t *e = json_array_get(w->events, i);
        const char *type = type_of(e);
        int level = level_step(&depth, type);
        if (level == 0)
            break;
        if (level != 1 || strcmp(type, "MapIterationSucceeded"))
            continue;
        json_t *ix = json_object_get(details_of(e), "index");
        if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
            (size_t)json_integer_value(ix) >= n)
            continue;
        size_t k = (size_t)json_integer_value(ix);
        json_decref(kept[k]);
        kept[k] = exit_output(event_by_id(w->events, id_of(e, "previousEventId")));
    }
}

/* True when the state `name` of a branch ends it (End, or a Succeed state). */
static bool ends_branch(json_t *branch, const char *name)
{
    json_t *st = json_object_get(json_object_get(branch, "States"), name);
    const char *type = json_string_value(json_object_get(st, "Type"));
    return json_is_true(json_object_get(st, "End")) || (type && !strcmp(type, "Succeed"));
}

/* The name in a state's Entered or Exited event, or "". */
static const char *state_name(json_t *e)
{
    const char *s = json_string_value(json_object_get(details_of(e), "name"));
    return s ? s : "";
}

/* Keeps branch b's output when its last event (last) ended it. */
static void branch_done(json_t *branches, size_t b, json_t *last, json_t **kept, size_t n)
{
    if (b >= n || !last || !ends_branch(json_array_get(branches, b), state_name(last)))
        return;
    kept[b] = exit_output(last);
}

static void parallel_kept(struct walk *w, json_t *branches, json_t **kept, size_t n)
{
    long started_id = id_of(json_array_get(w->events, w->started), "id");
    size_t b = n; /* the branch whose events these are (n: none yet) */
    size_t next = 0;
    json_t *last = NULL;
    int depth = 1;
    for (size_t i = w->started + 1; i < w->n; i++) {
        json_t *e = json_array_get(w->events, i);
        const char *type = type_of(e);
        int level = level_step(&depth, type);
        if (level == 0)
            break;
        if (level != 1)
            continue;
        if (id_of(e, "previousEventId") == started_id &&
            ends_with(type, "StateEntered")) {
            branch_done(branches, b, last, kept, n);
            /* the next branch starting at this state: a branch that failed before
               entering any state has no events to match */
            const char *name = state_name(e);
            for (b = next; b < n; b++) {
                json_t *sa = json_object_get(json_array_get(branches, b), "StartAt");
                if (!strcmp(name, json_string_value(sa) ? json_string_value(sa) : ""))
                    break;
            }
            next = b < n ? b + 1 : n;
        }
        last = e;
    }
    branch_done(branches, b, last, kept, n);
}

json_t **redrive_kept(json_t *history, const char *state, json_t *branches, size_t n)
{
    struct redrive_point rp;
    char *err = NULL;
    if (!n || redrive_find(history, &rp, &err)) {
        free(err);
        return NULL;
    }
    json_t **kept = NULL;
    struct walk w = {json_object_get(history, "events"), rp.entered_at, 0, 0};
    w.n = json_array_size(w.events);
    if (rp.state && !strcmp(rp.state, state) &&
        !last_attempt(&w, branches ? "ParallelStateStarted" : "MapStateStarted")) {
        kept = xcalloc(n, sizeof(*kept));
        if (branches)
            parallel_kept(&w, branches, kept, n);
        else
            map_kept(&w, kept, n);
    }
    redrive_release(&rp);
    return kept;
}

void redrive_kept_free(json_t **kept, size_t n)
{
    for (size_t i = 0; kept && i < n; i++)
        json_decref(kept[i]);
    free(kept);
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
