/*
 * Per-state-type handlers, in a table: the JSONPath input/output pipeline of each type
 * (InputPath -> Parameters -> work -> ResultSelector -> Assign -> ResultPath ->
 * OutputPath) and the JSONata one (Arguments -> work -> Assign -> Output) around the
 * work itself, which is done here for Pass, Wait, Succeed and Fail and in task.c,
 * choice.c and map.c for the others.
 */
#include "interp/exec.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define WAIT_MAX_S                                                                       \
    INT64_C(2147483648) /* a wait ending 2^31 s ahead or later is refused */

/* The tail shared by Task, Parallel and Map: ResultSelector through OutputPath. */
static int finish_result(struct visit *v, json_t *result)
{
    json_t *sel = NULL, *merged = NULL;
    int rc = -1;
    if (pipe_template(v, ST_RESULT_SELECTOR, result, &sel))
        goto out;
    if (pipe_assign(v, vfield(v, SF_ASSIGN), sel))
        goto out;
    if (pipe_result_path(v, v->state, sel, &merged))
        goto out;
    if (pipe_output_path(v, merged, &v->output))
        goto out;
    rc = 0;
out:
    json_decref(sel);
    json_decref(merged);
    return rc;
}

static int run_task(struct visit *v)
{
    json_t *eff = NULL, *params = NULL, *result = NULL;
    int rc = -1;
    task_prepare(v);
    if (pipe_input_path(v, &eff) || pipe_template(v, ST_PARAMETERS, eff, &params))
        goto out;
    if (vfield(v, SF_PARAMETERS))
        exec_trace(v, "parameters", params);
    if (visit_check_size(v, params) || task_run(v, eff, params, &result))
        goto out;
    if (visit_check_size(v, result))
        goto out;
    rc = finish_result(v, result);
out:
    json_decref(eff);
    json_decref(params);
    json_decref(result);
    return rc;
}

static int run_parallel(struct visit *v)
{
    json_t *eff = NULL, *params = NULL, *result = NULL;
    int rc = -1;
    if (pipe_input_path(v, &eff) || pipe_template(v, ST_PARAMETERS, eff, &params))
        goto out;
    if (vfield(v, SF_PARAMETERS))
        exec_trace(v, "parameters", params);
    if (parallel_run(v, params, &result))
        goto out;
    rc = finish_result(v, result);
out:
    json_decref(eff);
    json_decref(params);
    json_decref(result);
    return rc;
}

static int run_map(struct visit *v)
{
    json_t *eff = NULL, *result = NULL;
    int rc = -1;
    if (pipe_input_path(v, &eff) || map_run(v, eff, &result))
        goto out;
    rc = finish_result(v, result);
out:
    json_decref(eff);
    json_decref(result);
    return rc;
}

static int run_pass(struct visit *v)
{
    json_t *eff = NULL, *params = NULL, *merged = NULL;
    int rc = -1;
    if (pipe_input_path(v, &eff) || pipe_template(v, ST_PARAMETERS, eff, &params))
        goto out;
    if (vfield(v, SF_PARAMETERS))
        exec_trace(v, "parameters", params);
    json_t *result = vfield(v, SF_RESULT);
    if (!result)
        result = params;
    if (pipe_assign(v, vfield(v, SF_ASSIGN), result))
        goto out;
    if (pipe_result_path(v, v->state, result, &merged))
        goto out;
    if (pipe_output_path(v, merged, &v->output))
        goto out;
    rc = 0;
out:
    json_decref(eff);
    json_decref(params);
    json_decref(merged);
    return rc;
}

static int run_choice(struct visit *v)
{
    json_t *eff = NULL, *rule = NULL;
    int rc = -1;
    if (pipe_input_path(v, &eff) || choice_eval(v, eff, &v->next, &rule))
        goto out;
    json_t *assign = json_object_get(rule ? rule : v->state, "Assign");
    if (pipe_assign(v, assign, eff) || pipe_output_path(v, eff, &v->output))
        goto out;
    rc = 0;
out:
    json_decref(eff);
    return rc;
}

/* Renders a value for Wait messages: strings raw, everything else as JSON. */
static char *show(json_t *val)
{
    return json_is_string(val) ? xstrdup(json_string_value(val)) : jout_compact(val);
}

/* Seconds to wait from SecondsPath. Returns 0 or -1. */
static int seconds_path(struct visit *v, const char *path, json_t *eff, int64_t *out)
{
    json_t *val;
    struct expr_err err = {0};
    int rc = expr_lookup(&v->env, path, eff, &val, &err);
    if (rc < 0)
        return visit_expr_fail(v, &err);
    if (rc == EXPR_NOT_FOUND) {
        expr_err_release(&err);
        return visit_runtime(v,
                             "The SecondsPath parameter does not reference an input "
                             "value: %s",
                             path);
    }
    char *s = show(val);
    rc = -1;
    if (!json_is_integer(val))
        visit_runtime(
            v, "The SecondsPath parameter cannot be parsed as a long value: %s == %s",
            path, s);
    else if (json_integer_value(val) < 0)
        visit_runtime(v,
                      "The SecondsPath parameter references a negative value: %s == %s",
                      path, s);
    else
        rc = 0;
    if (!rc)
        *out = json_integer_value(val);
    free(s);
    json_decref(val);
    return rc;
}

/* Instant to wait for from TimestampPath, in ms. Returns 0 or -1. */
static int timestamp_path(struct visit *v, const char *path, json_t *eff, int64_t *out)
{
    json_t *val;
    struct expr_err err = {0};
    int rc = expr_lookup(&v->env, path, eff, &val, &err);
    if (rc < 0)
        return visit_expr_fail(v, &err);
    if (rc == EXPR_NOT_FOUND) {
        expr_err_release(&err);
        return visit_runtime(v,
                             "The TimestampPath parameter does not reference an input "
                             "value: %s",
                             path);
    }
    int64_t ms;
    if (json_is_string(val) && !interp_parse_time(json_string_value(val), &ms)) {
        *out = ms;
        json_decref(val);
        return 0;
    }
    char *s = show(val);
    visit_runtime(v,
                  "The TimestampPath parameter does not reference a valid ISO-8601 "
                  "extended offset date-time format string: %s == %s",
                  path, s);
    free(s);
    json_decref(val);
    return -1;
}

/* The instant (ms) the Wait state ends at. Returns 0 or -1. */
static int wait_until(struct visit *v, json_t *eff, int64_t *until)
{
    json_t *st = v->state, *f;
    int64_t now = v->t->now, secs = 0;
    if ((f = json_object_get(st, "Seconds"))) {
        if (!json_is_integer(f) || json_integer_value(f) < 0)
            return visit_runtime(v, "The Seconds field must be a non-negative integer");
        secs = json_integer_value(f);
    } else if ((f = json_object_get(st, "SecondsPath"))) {
        if (!json_is_string(f))
            return visit_runtime(v, "SecondsPath must be a string");
        if (seconds_path(v, json_string_value(f), eff, &secs))
            return -1;
    } else if ((f = json_object_get(st, "Timestamp"))) {
        if (!json_is_string(f) || interp_parse_time(json_string_value(f), until))
            return visit_runtime(v,
                                 "The Timestamp field is not a valid ISO-8601 extended "
                                 "offset date-time format string");
        return *until - now >= WAIT_MAX_S * 1000 ? visit_runtime(v, "Wait state delay is "
                                                                    "too long.")
                                                 : 0;
    } else if ((f = json_object_get(st, "TimestampPath"))) {
        if (!json_is_string(f))
            return visit_runtime(v, "TimestampPath must be a string");
        if (timestamp_path(v, json_string_value(f), eff, until))
            return -1;
        return *until - now >= WAIT_MAX_S * 1000 ? visit_runtime(v, "Wait state delay is "
                                                                    "too long.")
                                                 : 0;
    } else {
        return visit_runtime(v,
                             "The Wait state has no Seconds, SecondsPath, Timestamp or "
                             "TimestampPath");
    }
    if (secs >= WAIT_MAX_S)
        return visit_runtime(v, "Wait state delay is too long.");
    *until = now + secs * 1000;
    return 0;
}

static int run_wait(struct visit *v)
{
    json_t *eff = NULL;
    int rc = -1;
    int64_t until;
    if (pipe_input_path(v, &eff) || wait_until(v, eff, &until))
        goto out;
    if (until > v->t->now && exec_advance(v->t, until - v->t->now, &v->f))
        goto out;
    if (pipe_assign(v, vfield(v, SF_ASSIGN), eff) || pipe_output_path(v, eff, &v->output))
        goto out;
    rc = 0;
out:
    json_decref(eff);
    return rc;
}

static int run_succeed(struct visit *v)
{
    json_t *eff = NULL;
    int rc = -1;
    if (pipe_input_path(v, &eff) || pipe_output_path(v, eff, &v->output))
        goto out;
    v->ended = true;
    rc = 0;
out:
    json_decref(eff);
    return rc;
}

/* Error or Cause of a Fail state: the literal, or the value at its *Path field. */
static int fail_field(struct visit *v, const char *lit, const char *pathf, char **out)
{
    *out = NULL;
    json_t *l = json_object_get(v->state, lit), *p = json_object_get(v->state, pathf);
    if (json_is_string(l)) {
        *out = xstrdup(json_string_value(l));
        return 0;
    }
    if (!json_is_string(p))
        return 0;
    json_t *val;
    struct expr_err err = {0};
    if (expr_value(&v->env, pathf, json_string_value(p), v->input, &val, &err))
        return visit_expr_fail(v, &err);
    if (!json_is_string(val)) {
        char *s = jout_compact(val);
        json_decref(val);
        visit_runtime(v, "The %s field must reference a string, but found: %s", pathf, s);
        free(s);
        return -1;
    }
    *out = xstrdup(json_string_value(val));
    json_decref(val);
    return 0;
}

static int run_fail(struct visit *v)
{
    char *error, *cause;
    if (fail_field(v, "Error", "ErrorPath", &error))
        return -1;
    if (fail_field(v, "Cause", "CausePath", &cause)) {
        free(error);
        return -1;
    }
    fail_release(&v->f);
    v->f.kind = FK_ERROR;
    v->f.error = error;
    v->f.cause = cause;
    return -1;
}

/* ---- JSONata states -----------------------------------------------------------------
 * $states.input is the raw input; fields are evaluated in AWS's order (Arguments or
 * Items/ItemSelector, the work, then Assign and Output against the same $states and the
 * variables as they were on entry); Output defaults to $states.result where a result
 * exists and to the raw input elsewhere.
 */

/* Arguments (Task, Parallel): the evaluated field, or the raw input without one. */
static int ja_arguments(struct visit *v, json_t **out)
{
    json_t *a = vfield(v, SF_ARGUMENTS);
    if (!a) {
        *out = json_incref(v->input);
        return 0;
    }
    if (visit_jsonata(v, "Arguments", a, EXPR_WANT_ANY, out))
        return -1;
    exec_trace(v, "arguments", *out);
    return 0;
}

/* Binds $states.result, then Assign and Output (default: the result). */
static int ja_finish(struct visit *v, json_t *result)
{
    visit_bind(v, "result", result);
    return pipe_ja_tail(v, v->state, "", result);
}

static int ja_task(struct visit *v)
{
    json_t *args = NULL, *creds = NULL, *result = NULL;
    json_t *c = vfield(v, SF_CREDENTIALS);
    int rc = -1;
    task_prepare(v);
    if (ja_arguments(v, &args))
        goto out;
    if (c && visit_jsonata(v, "Credentials", c, EXPR_WANT_ANY, &creds))
        goto out;
    if (visit_check_size(v, args) || task_run(v, v->input, args, &result))
        goto out;
    if (visit_check_size(v, result))
        goto out;
    rc = ja_finish(v, result);
out:
    json_decref(args);
    json_decref(creds);
    json_decref(result);
    return rc;
}

static int ja_parallel(struct visit *v)
{
    json_t *args = NULL, *result = NULL;
    int rc = -1;
    if (ja_arguments(v, &args) || parallel_run(v, args, &result))
        goto out;
    rc = ja_finish(v, result);
out:
    json_decref(args);
    json_decref(result);
    return rc;
}

static int ja_map(struct visit *v)
{
    json_t *result = NULL;
    if (map_run(v, v->input, &result))
        return -1;
    int rc = ja_finish(v, result);
    json_decref(result);
    return rc;
}

static int ja_pass(struct visit *v)
{
    return pipe_ja_tail(v, v->state, "", v->input);
}

static int ja_choice(struct visit *v)
{
    json_t *rule = NULL;
    if (choice_eval(v, v->input, &v->next, &rule))
        return -1;
    char prefix[40] = "";
    json_t *rules = vfield(v, SF_CHOICES);
    for (size_t i = 0; rule && i < json_array_size(rules); i++)
        if (json_array_get(rules, i) == rule)
            snprintf(prefix, sizeof(prefix), "Choices[%zu]/", i);
    return pipe_ja_tail(v, rule ? rule : v->state, prefix, v->input);
}

/* The instant (ms) a JSONata Wait ends at: Seconds or Timestamp (literal or expression).
 */
static int ja_wait_until(struct visit *v, int64_t *until)
{
    json_t *f;
    int64_t now = v->t->now, secs;
    if ((f = vfield(v, SF_SECONDS))) {
        if (visit_ja_integer(v, "Seconds", f, 0, INT64_MAX / 1000, &secs))
            return -1;
        if (secs >= WAIT_MAX_S)
            return visit_runtime(v, "Wait state delay is too long.");
        *until = now + secs * 1000;
        return 0;
    }
    if (!(f = vfield(v, SF_TIMESTAMP)))
        return visit_runtime(v, "The Wait state has no Seconds or Timestamp");
    json_t *val;
    if (visit_jsonata(v, "Timestamp", f, EXPR_WANT_STRING, &val))
        return -1;
    int rc = 0;
    if (!json_is_string(val) || interp_parse_time(json_string_value(val), until)) {
        char *s = show(val);
        rc = visit_query_fail(v, "Timestamp",
                              "The Timestamp field cannot be parsed as an ISO-8601 "
                              "extended offset date-time format string: %s",
                              s);
        free(s);
    } else if (*until - now >= WAIT_MAX_S * 1000) {
        rc = visit_runtime(v, "Wait state delay is too long.");
    }
    json_decref(val);
    return rc;
}

static int ja_wait(struct visit *v)
{
    int64_t until;
    if (ja_wait_until(v, &until))
        return -1;
    if (until > v->t->now && exec_advance(v->t, until - v->t->now, &v->f))
        return -1;
    return pipe_ja_tail(v, v->state, "", v->input);
}

static int ja_succeed(struct visit *v)
{
    if (pipe_ja_tail(v, v->state, "", v->input))
        return -1;
    v->ended = true;
    return 0;
}

/* Error or Cause of a JSONata Fail state: a literal string or an expression. */
static int ja_fail_field(struct visit *v, const char *field, char **out)
{
    *out = NULL;
    json_t *f = json_object_get(v->state, field), *val;
    if (!f)
        return 0;
    if (visit_jsonata(v, field, f, EXPR_WANT_STRING, &val))
        return -1;
    if (!json_is_string(val)) {
        char *s = jout_compact(val);
        json_decref(val);
        visit_runtime(v, "The field '%s' must be a string, but was: %s", field, s);
        free(s);
        return -1;
    }
    *out = xstrdup(json_string_value(val));
    json_decref(val);
    return 0;
}

static int ja_fail(struct visit *v)
{
    char *error, *cause;
    if (ja_fail_field(v, "Error", &error))
        return -1;
    if (ja_fail_field(v, "Cause", &cause)) {
        free(error);
        return -1;
    }
    fail_release(&v->f);
    v->f.kind = FK_ERROR;
    v->f.error = error;
    v->f.cause = cause;
    return -1;
}

static const struct state_type types[] = {
    {"Pass", run_pass, ja_pass, false, true},
    {"Task", run_task, ja_task, true, true},
    {"Choice", run_choice, ja_choice, false, true},
    {"Wait", run_wait, ja_wait, false, true},
    {"Succeed", run_succeed, ja_succeed, false, true},
    {"Fail", run_fail, ja_fail, false, false},
    {"Parallel", run_parallel, ja_parallel, true, true},
    {"Map", run_map, ja_map, true, true},
};

const struct state_type *states_lookup(const char *type)
{
    for (size_t i = 0; type && i < ARRAY_SIZE(types); i++)
        if (!strcmp(types[i].name, type))
            return &types[i];
    return NULL;
}

/* ---- state plans --------------------------------------------------------------------
 * An open-addressing table from state object to plan. Keys are pointers: a run's
 * definition does not change while it runs, nor (by contract) while a caller's cache
 * holds its plans.
 */

struct interp_cache {
    struct state_plan **slots; /* power-of-two sized, NULL = free */
    size_t cap, n;
};

static const char *const field_names[SF_COUNT] = {
#define SF_NAME(id, name) name,
    STATE_FIELDS(SF_NAME)
#undef SF_NAME
};

static int cmp_field(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

struct interp_cache *interp_cache_new(void)
{
    return xcalloc(1, sizeof(struct interp_cache));
}

static void plan_free(struct state_plan *p)
{
    for (size_t i = 0; i < ST_COUNT; i++)
        expr_tmpl_free(p->tmpl[i]);
    for (size_t i = 0; i < SP_COUNT; i++)
        expr_comp_free(p->path[i]);
    task_resource_free(p->res);
    free(p);
}

void interp_cache_free(struct interp_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i])
            plan_free(c->slots[i]);
    free(c->slots);
    free(c);
}

static size_t slot_of(const struct interp_cache *c, const json_t *state)
{
    uintptr_t h = (uintptr_t)state;
    h = (h >> 4) * UINT64_C(0x9e3779b97f4a7c15);
    size_t i = (size_t)(h >> 20) & (c->cap - 1);
    while (c->slots[i] && c->slots[i]->state != state)
        i = (i + 1) & (c->cap - 1);
    return i;
}

static void cache_grow(struct interp_cache *c)
{
    struct interp_cache old = *c;
    c->cap = old.cap ? old.cap * 2 : 64;
    c->slots = xcalloc(c->cap, sizeof(*c->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i])
            c->slots[slot_of(c, old.slots[i]->state)] = old.slots[i];
    free(old.slots);
}

static struct state_plan *plan_new(json_t *state)
{
    struct state_plan *p = xcalloc(1, sizeof(*p));
    p->state = state;
    const char *key;
    json_t *val;
    json_object_foreach(state, key, val)
    {
        const char *const *f =
            bsearch(key, field_names, SF_COUNT, sizeof(field_names[0]), cmp_field);
        if (f)
            p->f[f - field_names] = val;
    }
    p->type = states_lookup(json_string_value(p->f[SF_TYPE]));
    return p;
}

struct state_plan *plan_of(struct exec *ex, json_t *state)
{
    struct interp_cache *c = ex->cache;
    if (c->cap) {
        struct state_plan *p = c->slots[slot_of(c, state)];
        if (p)
            return p;
    }
    if (2 * (c->n + 1) > c->cap)
        cache_grow(c);
    struct state_plan *p = plan_new(state);
    c->slots[slot_of(c, state)] = p;
    c->n++;
    return p;
}
