/*
 * Error handling rules: how ErrorEquals names match a failure (States.ALL,
 * States.TaskFailed, States.Timeout and their exceptions), which retrier applies and
 * how long it waits (IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy),
 * and the error output handed to catchers.
 */
#include "interp/exec.h"

#include <math.h>
#include <string.h>

#define MAX_DELAY_S 1e12 /* bound on a computed delay without MaxDelaySeconds */

static bool is_timeout(const char *e)
{
    return e && (!strcmp(e, "States.Timeout") || !strcmp(e, "States.HeartbeatTimeout"));
}

bool err_matches(const char *name, const struct fail *f)
{
    if (!name || f->kind == FK_RUNTIME || f->kind == FK_TIMED_OUT ||
        f->kind == FK_HISTORY)
        return false;
    if (!strcmp(name, "States.ALL"))
        return f->kind != FK_DATA_LIMIT;
    if (!strcmp(name, "States.TaskFailed"))
        return f->kind != FK_DATA_LIMIT && !is_timeout(f->error);
    if (!strcmp(name, "States.Timeout"))
        return is_timeout(f->error);
    return f->error && !strcmp(name, f->error);
}

int err_find(json_t *list, const struct fail *f)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        size_t j;
        json_t *name;
        json_array_foreach(json_object_get(item, "ErrorEquals"), j, name)
        {
            if (err_matches(json_string_value(name), f))
                return (int)i;
        }
    }
    return -1;
}

static double number_or(json_t *obj, const char *key, double dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

double err_backoff(json_t *r, unsigned k)
{
    double interval = number_or(r, "IntervalSeconds", 1);
    double rate = number_or(r, "BackoffRate", 2.0);
    double d = interval * pow(rate, (double)(k ? k - 1 : 0));
    double cap = number_or(r, "MaxDelaySeconds", 0);
    if (cap > 0 && d > cap)
        d = cap;
    if (!(d < MAX_DELAY_S))
        d = MAX_DELAY_S;
    return d < 0 ? 0 : d;
}

int err_retry(struct exec *ex, json_t *retry, const struct fail *f, unsigned *counters,
              size_t ncounters, int64_t *delay_ms)
{
    int i = err_find(retry, f);
    if (i < 0 || (size_t)i >= ncounters)
        return 0;
    json_t *r = json_array_get(retry, (size_t)i);
    double max = number_or(r, "MaxAttempts", 3);
    if ((double)counters[i] >= max)
        return 0;
    counters[i]++;
    double d = err_backoff(r, counters[i]);
    const char *jitter = json_string_value(json_object_get(r, "JitterStrategy"));
    if (jitter && !strcmp(jitter, "FULL"))
        d *= (double)(exec_random(ex) >> 11) * 0x1.0p-53;
    *delay_ms = (int64_t)llround(d * 1000);
    return 1;
}

json_t *err_output(const struct fail *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "Error", json_string(f->error ? f->error : ""));
    json_object_set_new(o, "Cause", json_string(f->cause ? f->cause : ""));
    return o;
}
