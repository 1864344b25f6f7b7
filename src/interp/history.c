/*
 * Execution history in the shape of GetExecutionHistory: numbered events with
 * previousEventId links along each thread, virtual-clock timestamps, and the
 * 25,000-event limit that fails an execution on AWS.
 */
#include "interp/exec.h"

#include "emit/jout.h"

#include <stdlib.h>
#include <string.h>

json_t *hist_text(json_t *v)
{
    char *s = jout_compact(v);
    json_t *r = json_string(s);
    free(s);
    return r ? r : json_string("");
}

json_t *hist_truncated(void)
{
    json_t *d = json_object();
    json_object_set_new(d, "truncated", json_false());
    return d;
}

/* a + b into buf (truncated to n - 1 bytes); NULL counts as "". */
static const char *join(char *buf, size_t n, const char *a, const char *b)
{
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    if (la > n - 1)
        la = n - 1;
    if (lb > n - 1 - la)
        lb = n - 1 - la;
    if (la)
        memcpy(buf, a, la);
    if (lb)
        memcpy(buf + la, b, lb);
    buf[la + lb] = '\0';
    return buf;
}

long hist_add_parts(struct thread *t, const char *type_a, const char *type_b,
                    const char *key_a, const char *key_b, json_t *details)
{
    struct exec *ex = t->ex;
    /* the state the running thread is in: an abort writes its *StateAborted event */
    if (type_b && type_b[0] == 'S' && ex->level >= 0 && ex->level < OPEN_LEVELS) {
        if (!strcmp(type_b, "StateEntered"))
            ex->open[ex->level] = type_a;
        else if (!strcmp(type_b, "StateExited"))
            ex->open[ex->level] = NULL;
    }
    if (ex->history_full) {
        json_decref(details);
        return ex->nevents;
    }
    long id = ++ex->nevents;
    if (ex->events) {
        char when[32], type[64], key[96];
        interp_format_time(t->now, when);
        json_t *e = json_object();
        json_object_set_new(e, "timestamp", json_string(when));
        json_object_set_new(e, "type",
                            json_string(join(type, sizeof(type), type_a, type_b)));
        json_object_set_new(e, "id", json_integer(id));
        json_object_set_new(e, "previousEventId", json_integer(t->prev));
        if (details)
            json_object_set_new(e, join(key, sizeof(key), key_a, key_b), details);
        json_array_append_new(ex->events, e);
    } else {
        json_decref(details);
    }
    t->prev = id;
    /* Keep the last slot for the closing ExecutionFailed event. */
    if (ex->nevents >= HISTORY_LIMIT - 1)
        ex->history_full = true;
    return id;
}

long hist_add(struct thread *t, const char *type, const char *details_key,
              json_t *details)
{
    return hist_add_parts(t, type, "", details_key, "", details);
}
