/*
 * Operational wrapping (see wrap.h): builds the states that take a dedupe marker and a
 * concurrency slot before the user's machine runs and give the slot back on every way
 * out, and the catalog's cleanup machine. All generated states are JSONPath states.
 */
#include "wrap.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------------- */

/* Generated state names (all start with WRAP_PREFIX). */
#define S_CHECK_DUP  WRAP_PREFIX "CheckDuplicate"
#define S_INIT       WRAP_PREFIX "Init"
#define S_CLOCK      WRAP_PREFIX "Clock"
#define S_NOW        WRAP_PREFIX "Now"
#define S_DEDUPE     WRAP_PREFIX "Dedupe"
#define S_DUPLICATE  WRAP_PREFIX "Duplicate"
#define S_START      WRAP_PREFIX "Start"
#define S_ACQUIRE    WRAP_PREFIX "Acquire"
#define S_NEXT_SLOT  WRAP_PREFIX "NextSlot"
#define S_SLOTS_LEFT WRAP_PREFIX "SlotsLeft"
#define S_BUDGET     WRAP_PREFIX "WaitBudget"
#define S_BACKOFF    WRAP_PREFIX "Backoff"
#define S_WAIT       WRAP_PREFIX "Wait"
#define S_BUSY       WRAP_PREFIX "Busy"
#define S_RUN        WRAP_PREFIX "Run"
#define S_RELEASE    WRAP_PREFIX "Release"
#define S_DONE       WRAP_PREFIX "Done"
#define S_REL_ERROR  WRAP_PREFIX "ReleaseAfterError"
#define S_RERAISE    WRAP_PREFIX "Reraise"
#define S_FAILED     WRAP_PREFIX "Failed"
#define S_FAILED_NC  WRAP_PREFIX "FailedNoCause"
#define S_FAILED_NE  WRAP_PREFIX "FailedNoError"

#define ERR_CCF "DynamoDB.ConditionalCheckFailedException"

/*
 * The wrapper's state data while it runs: {"data": the execution input (after the
 * Parallel: [the user's output]), "wfgen": {"slot", "round", "delay"}, "clock":
 * {"now"}, "error": a caught error}. Item attributes are written through #names.
 */
#define ATTR_OWNER "owner"
#define ATTR_LEASE "lease_until"

/* ---- the clock --------------------------------------------------------------------- */

/*
 * JSONPath has no date arithmetic, so "now" is computed from $$.State.EnteredTime with
 * intrinsics and lookup tables, in units of 100 seconds since the Unix epoch (int32 is
 * enough for States.MathAdd; "{}00" turns it into epoch seconds for DynamoDB). Seconds
 * are dropped, so the value may be up to 100 s early; leases add one unit for that.
 */
#define CLOCK_UNIT       100
#define CLOCK_FIRST_YEAR 2020
#define CLOCK_YEARS      80 /* 2020-2099 */
#define CLOCK_PER_DAY    (86400 / CLOCK_UNIT)

static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool leap_year(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The date-time fields of the clock: split index, and what to subtract after "1{}". */
static const struct {
    const char *name;
    int index;
    long minus; /* 10^digits + the field's origin */
} clock_fields[] = {
    {"year", 0, 10000 + CLOCK_FIRST_YEAR},
    {"month", 1, 101},
    {"day", 2, 101},
    {"hour", 3, 100},
    {"minute", 4, 100},
};

/* Returns a new Parameters object turning EnteredTime into zero-based numbers. */
static json_t *clock_fields_new(void)
{
    json_t *p = json_object();
    for (size_t i = 0; i < ARRAY_SIZE(clock_fields); i++) {
        char *k = xasprintf("%s.$", clock_fields[i].name);
        char *e =
            xasprintf("States.MathAdd(States.StringToJson(States.Format('1{}', "
                      "States.ArrayGetItem(States.StringSplit($$.State.EnteredTime, "
                      "'-T:.Z'), %d))), -%ld)",
                      clock_fields[i].index, clock_fields[i].minus);
        json_object_set_new(p, k, json_string(e));
        free(k);
        free(e);
    }
    return p;
}

/* Appends "States.Array(v0, v1, ...)". */
static void add_array(struct strbuf *sb, const long *v, size_t n)
{
    strbuf_adds(sb, "States.Array(");
    for (size_t i = 0; i < n; i++)
        strbuf_addf(sb, "%s%ld", i ? ", " : "", v[i]);
    strbuf_addch(sb, ')');
}

/* Returns the expression summing the fields into 100-second units (new string). */
static char *clock_sum_expr(void)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long years[CLOCK_YEARS], leaps[CLOCK_YEARS], months[2][12], minutes[60];
    for (long i = 0; i < CLOCK_YEARS; i++) {
        years[i] = days_from_civil(CLOCK_FIRST_YEAR + i, 1, 1) * CLOCK_PER_DAY;
        leaps[i] = leap_year(CLOCK_FIRST_YEAR + i);
    }
    for (int l = 0; l < 2; l++) {
        long acc = 0;
        for (int m = 0; m < 12; m++) {
            months[l][m] = acc * CLOCK_PER_DAY;
            acc += mdays[m] + (l && m == 1);
        }
    }
    for (long m = 0; m < 60; m++)
        minutes[m] = m * 60 / CLOCK_UNIT;

    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "States.MathAdd(States.MathAdd(States.MathAdd(States.MathAdd("
                     "States.ArrayGetItem(");
    add_array(&sb, years, CLOCK_YEARS);
    strbuf_adds(&sb, ", $.clock.year), States.ArrayGetItem(States.ArrayGetItem("
                     "States.Array(");
    add_array(&sb, months[0], 12);
    strbuf_adds(&sb, ", ");
    add_array(&sb, months[1], 12);
    strbuf_adds(&sb, "), States.ArrayGetItem(");
    add_array(&sb, leaps, CLOCK_YEARS);
    strbuf_adds(&sb, ", $.clock.year)), $.clock.month)), ");
    strbuf_addf(&sb, "States.ArrayGetItem(States.ArrayRange(0, %d, %d), $.clock.day)), ",
                30 * CLOCK_PER_DAY, CLOCK_PER_DAY);
    strbuf_addf(&sb, "States.ArrayGetItem(States.ArrayRange(0, %d, %d), $.clock.hour)), ",
                23 * 3600 / CLOCK_UNIT, 3600 / CLOCK_UNIT);
    strbuf_adds(&sb, "States.ArrayGetItem(");
    add_array(&sb, minutes, 60);
    strbuf_adds(&sb, ", $.clock.minute))");
    return strbuf_detach(&sb, NULL);
}

/* "States.Format('{}00', <now + units>)": epoch seconds as DynamoDB's N string. */
static char *epoch_expr(long plus_units)
{
    if (!plus_units)
        return xstrdup("States.Format('{}00', $.clock.now)");
    return xasprintf("States.Format('{}00', States.MathAdd($.clock.now, %ld))",
                     plus_units);
}

static long units_ceil(long seconds)
{
    return (seconds + CLOCK_UNIT - 1) / CLOCK_UNIT;
}

/* ---- building blocks --------------------------------------------------------------- */

struct wctx {
    const struct catalog *cat;
    const struct workflow *wf;
    struct cat_names names;
    char *res_put, *res_delete; /* DynamoDB integration ARNs in the catalog's partition */
    json_t *states;             /* borrowed: the States object being filled */
};

static void add_state(struct wctx *w, const char *name, json_t *state)
{
    json_object_set_new(w->states, name, state);
}

/* Retry of the generated DynamoDB calls: a few transient errors, never a condition. */
static json_t *ddb_retry_new(void)
{
    return json_pack("[{s:[s],s:i},{s:[s],s:i,s:i,s:f}]", "ErrorEquals", ERR_CCF,
                     "MaxAttempts", 0, "ErrorEquals", "States.ALL", "IntervalSeconds", 1,
                     "MaxAttempts", 3, "BackoffRate", 2.0);
}

/* A Catch list of one catcher that keeps the state data (ResultPath null). */
static json_t *catch_new(const char *error, const char *next)
{
    return json_pack("[{s:[s],s:n,s:s}]", "ErrorEquals", error, "ResultPath", "Next",
                     next);
}

/* A DynamoDB Task: TimeoutSeconds, Retry and an optional Catch, ResultPath null. */
static json_t *ddb_task_new(const char *comment, const char *resource, json_t *params,
                            const char *next, const char *catch_error,
                            const char *catch_next)
{
    json_t *t = json_pack("{s:s,s:s,s:s,s:o,s:n,s:i,s:o}", "Type", "Task", "Comment",
                          comment, "Resource", resource, "Parameters", params,
                          "ResultPath", "TimeoutSeconds", 60, "Retry", ddb_retry_new());
    if (catch_error)
        json_object_set_new(t, "Catch", catch_new(catch_error, catch_next));
    json_object_set_new(t, "Next", json_string(next));
    return t;
}

/* Pass state whose Parameters (stolen) replace the data at `result_path`. */
static json_t *pass_params_new(const char *comment, json_t *params,
                               const char *result_path, const char *next)
{
    json_t *p = json_pack("{s:s,s:s,s:o}", "Type", "Pass", "Comment", comment,
                          "Parameters", params);
    if (result_path)
        json_object_set_new(p, "ResultPath", json_string(result_path));
    json_object_set_new(p, "Next", json_string(next));
    return p;
}

/* Pass state ending the execution as Succeeded with {"skipped": why}. */
static json_t *skipped_new(const char *comment, const char *why)
{
    return json_pack("{s:s,s:s,s:{s:s},s:b}", "Type", "Pass", "Comment", comment,
                     "Result", "skipped", why, "End", 1);
}

/* {"S.$": "States.Format('<key>#concurrency#{}', $.wfgen.slot)"} (key is [a-z0-9_]). */
static json_t *slot_key_new(const char *key, const char *slot_path)
{
    char *e = xasprintf("States.Format('%s#concurrency#{}', %s)", key, slot_path);
    json_t *v = json_pack("{s:s}", "S.$", e);
    free(e);
    return v;
}

/*
 * A Choice rule `path <op> n -> next`, guarded by IsPresent so a missing value is a
 * false rule rather than a States.Runtime failure.
 */
static json_t *numeric_rule_new(const char *path, const char *op, json_int_t n,
                                const char *next)
{
    return json_pack("{s:[{s:s,s:b},{s:s,s:I}],s:s}", "And", "Variable", path,
                     "IsPresent", 1, "Variable", path, op, n, "Next", next);
}

/* ---- the clock states -------------------------------------------------------------- */

static void add_clock(struct wctx *w, const char *next)
{
    add_state(w, S_CLOCK,
              pass_params_new("wfgen: reads the date and time this state was entered",
                              clock_fields_new(), "$.clock", S_NOW));
    char *sum = clock_sum_expr();
    add_state(w, S_NOW,
              pass_params_new("wfgen: now, in 100-second units since 1970-01-01 (UTC)",
                              json_pack("{s:s}", "now.$", sum), "$.clock", next));
    free(sum);
}

/* ---- dedupe ------------------------------------------------------------------------ */

/*
 * The Choice that sends scheduled runs to the dedupe marker. `time_path` is where the
 * scheduled time is; with `loop_to`, later rounds of the wait loop go there directly.
 */
static void add_check_duplicate(struct wctx *w, const char *time_path, const char *yes,
                                const char *no, const char *loop_to)
{
    json_t *choices = json_array();
    if (loop_to)
        json_array_append_new(
            choices, numeric_rule_new("$.wfgen.round", "NumericGreaterThan", 0, loop_to));
    json_array_append_new(choices,
                          json_pack("{s:[{s:s,s:b},{s:s,s:b}],s:s}", "And", "Variable",
                                    time_path, "IsPresent", 1, "Variable", time_path,
                                    "IsTimestamp", 1, "Next", yes));
    add_state(
        w, S_CHECK_DUP,
        json_pack("{s:s,s:s,s:o,s:s}", "Type", "Choice", "Comment",
                  "wfgen: only a run with a scheduled_time is checked for duplicates",
                  "Choices", choices, "Default", no));
}

static void add_dedupe(struct wctx *w, const char *next)
{
    const char *key = w->wf->key;
    char *pk = xasprintf("States.Format('%s#{}', $.data.scheduled_time)", key);
    char *ttl = epoch_expr(units_ceil(WRAP_DEDUPE_TTL));
    char *now = epoch_expr(0);
    json_t *params = json_pack(
        "{s:s,s:{s:{s:s},s:{s:s},s:{s:s}},s:s,s:{s:s,s:s,s:s},s:{s:{s:s},s:{s:s}}}",
        "TableName", w->names.locks_table, "Item", WRAP_HASH_KEY, "S.$", pk, ATTR_OWNER,
        "S.$", "$$.Execution.Id", WRAP_TTL_ATTRIBUTE, "N.$", ttl, "ConditionExpression",
        "attribute_not_exists(#pk) OR #expires < :now OR #owner = :me",
        "ExpressionAttributeNames", "#pk", WRAP_HASH_KEY, "#expires", WRAP_TTL_ATTRIBUTE,
        "#owner", ATTR_OWNER, "ExpressionAttributeValues", ":now", "N.$", now, ":me",
        "S.$", "$$.Execution.Id");
    add_state(
        w, S_DEDUPE,
        ddb_task_new("wfgen: one run per scheduled time; a second one is a duplicate",
                     w->res_put, params, next, ERR_CCF, S_DUPLICATE));
    add_state(w, S_DUPLICATE,
              skipped_new("wfgen: this scheduled time already ran", "duplicate"));
    free(pk);
    free(ttl);
    free(now);
}

/* ---- concurrency ------------------------------------------------------------------- */

/* The wait budget: `lease` in wait mode, else nothing. */
static long wait_budget(const struct workflow *wf)
{
    return wf->conc.on_conflict == WF_CONFLICT_WAIT ? wf->conc.lease : 0;
}

static void add_acquire(struct wctx *w, const char *on_busy)
{
    const struct workflow *wf = w->wf;
    /*
     * A holder can live for the rest of its TimeoutSeconds, which in wait mode includes
     * the wait budget; one extra unit covers the clock's rounding.
     */
    long lease = units_ceil(wf->conc.lease + wait_budget(wf)) + 1;
    char *lease_until = epoch_expr(lease);
    char *expires = epoch_expr(lease + CLOCK_PER_DAY);
    char *now = epoch_expr(0);
    json_t *params = json_pack(
        "{s:s,s:{s:o,s:{s:s},s:{s:s},s:{s:s}},s:s,s:{s:s,s:s,s:s},s:{s:{s:s},s:{s:s}}}",
        "TableName", w->names.locks_table, "Item", WRAP_HASH_KEY,
        slot_key_new(wf->key, "$.wfgen.slot"), ATTR_OWNER, "S.$", "$$.Execution.Id",
        ATTR_LEASE, "N.$", lease_until, WRAP_TTL_ATTRIBUTE, "N.$", expires,
        "ConditionExpression",
        "attribute_not_exists(#pk) OR #lease < :now OR #owner = :me",
        "ExpressionAttributeNames", "#pk", WRAP_HASH_KEY, "#lease", ATTR_LEASE, "#owner",
        ATTR_OWNER, "ExpressionAttributeValues", ":now", "N.$", now, ":me", "S.$",
        "$$.Execution.Id");
    char *comment =
        xasprintf("wfgen: takes a concurrency slot (limit %ld)", wf->conc.limit);
    const char *busy = wf->conc.limit > 1 ? S_NEXT_SLOT : on_busy;
    add_state(w, S_ACQUIRE,
              ddb_task_new(comment, w->res_put, params, S_RUN, ERR_CCF, busy));
    free(comment);
    free(lease_until);
    free(expires);
    free(now);
    if (wf->conc.limit <= 1)
        return;
    add_state(w, S_NEXT_SLOT,
              pass_params_new("wfgen: that slot is taken; try the next one",
                              json_pack("{s:s,s:s}", "slot.$",
                                        "States.MathAdd($.wfgen.slot, 1)", "round.$",
                                        "$.wfgen.round"),
                              "$.wfgen", S_SLOTS_LEFT));
    add_state(w, S_SLOTS_LEFT,
              json_pack("{s:s,s:s,s:[o],s:s}", "Type", "Choice", "Comment",
                        "wfgen: every slot tried?", "Choices",
                        numeric_rule_new("$.wfgen.slot", "NumericLessThan",
                                         (json_int_t)wf->conc.limit, S_ACQUIRE),
                        "Default", on_busy));
}

/*
 * Delays of the wait loop: doubling from 5 s up to a cap, until they add up to the
 * budget. The cap grows with the budget so a long budget stays a few dozen rounds
 * (each round adds events to the 25,000-event history).
 */
static json_t *backoff_delays_new(long budget)
{
    long cap = budget / 60 > 300 ? budget / 60 : 300, d = 5, sum = 0;
    json_t *v = json_array();
    while (sum < budget) {
        long step = d < cap ? d : cap;
        json_array_append_new(v, json_integer(step));
        sum += step;
        d *= 2;
    }
    if (!json_array_size(v))
        json_array_append_new(v, json_integer(5));
    return v;
}

static void add_busy(struct wctx *w)
{
    const struct workflow *wf = w->wf;
    if (wf->conc.on_conflict == WF_CONFLICT_SKIP) {
        add_state(w, S_BUSY,
                  skipped_new("wfgen: every concurrency slot is taken", "concurrency"));
        return;
    }
    char *cause = xasprintf(wf->conc.on_conflict == WF_CONFLICT_WAIT
                                ? "%ld execution(s) of workflow %s were still running "
                                  "after waiting %lds for a slot"
                                : "%ld execution(s) of workflow %s are already running",
                            wf->conc.limit, wf->key, wf->conc.lease);
    add_state(w, S_BUSY,
              json_pack("{s:s,s:s,s:s,s:s}", "Type", "Fail", "Comment",
                        "wfgen: every concurrency slot is taken", "Error",
                        WRAP_ERROR_BUSY, "Cause", cause));
    free(cause);
}

/* The wait loop: budget check, next delay, Wait, then the clock again. */
static void add_wait_loop(struct wctx *w)
{
    json_t *delays = backoff_delays_new(wait_budget(w->wf));
    size_t rounds = json_array_size(delays);
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "States.ArrayGetItem(States.Array(");
    for (size_t i = 0; i < rounds; i++)
        strbuf_addf(&sb, "%s%" JSON_INTEGER_FORMAT, i ? ", " : "",
                    json_integer_value(json_array_get(delays, i)));
    strbuf_adds(&sb, "), $.wfgen.round)");
    add_state(w, S_BUDGET,
              json_pack("{s:s,s:s,s:[o],s:s}", "Type", "Choice", "Comment",
                        "wfgen: wait again, or has the wait budget (the lease) run out?",
                        "Choices",
                        numeric_rule_new("$.wfgen.round", "NumericLessThan",
                                         (json_int_t)rounds, S_BACKOFF),
                        "Default", S_BUSY));
    add_state(
        w, S_BACKOFF,
        pass_params_new("wfgen: next delay (exponential backoff)",
                        json_pack("{s:i,s:s,s:s}", "slot", 0, "round.$",
                                  "States.MathAdd($.wfgen.round, 1)", "delay.$", sb.buf),
                        "$.wfgen", S_WAIT));
    add_state(w, S_WAIT,
              json_pack("{s:s,s:s,s:s,s:s}", "Type", "Wait", "Comment",
                        "wfgen: waits before trying the slots again", "SecondsPath",
                        "$.wfgen.delay", "Next", S_CLOCK));
    strbuf_release(&sb);
    json_decref(delays);
}

static json_t *release_params_new(const struct wctx *w)
{
    return json_pack("{s:s,s:{s:o},s:s,s:{s:s},s:{s:{s:s}}}", "TableName",
                     w->names.locks_table, "Key", WRAP_HASH_KEY,
                     slot_key_new(w->wf->key, "$.wfgen.slot"), "ConditionExpression",
                     "#owner = :me", "ExpressionAttributeNames", "#owner", ATTR_OWNER,
                     "ExpressionAttributeValues", ":me", "S.$", "$$.Execution.Id");
}

/* Appends the tests "path is present" and "path is a string" to an And list. */
static void add_string_test(json_t *and, const char *path)
{
    json_array_append_new(and, json_pack("{s:s,s:b}", "Variable", path, "IsPresent", 1));
    json_array_append_new(and, json_pack("{s:s,s:b}", "Variable", path, "IsString", 1));
}

/*
 * The user's machine as the only branch of a Parallel whose Catch releases the slot and
 * then fails with the caught error and cause. A slot already taken over (lease expired)
 * or freed by the cleanup machine is no longer ours: the condition fails and is ignored.
 */
static void add_run_and_release(struct wctx *w, json_t *branch)
{
    json_t *catch = json_pack("[{s:[s],s:s,s:s}]", "ErrorEquals", "States.ALL",
                              "ResultPath", "$.error", "Next", S_REL_ERROR);
    add_state(w, S_RUN,
              json_pack("{s:s,s:s,s:s,s:[o],s:s,s:o,s:s}", "Type", "Parallel", "Comment",
                        "wfgen: runs the workflow while holding the slot", "InputPath",
                        "$.data", "Branches", branch, "ResultPath", "$.data", "Catch",
                        catch, "Next", S_RELEASE));
    add_state(w, S_RELEASE,
              ddb_task_new("wfgen: gives the slot back", w->res_delete,
                           release_params_new(w), S_DONE, ERR_CCF, S_DONE));
    add_state(w, S_DONE,
              json_pack("{s:s,s:s,s:s}", "Type", "Succeed", "Comment",
                        "wfgen: the workflow's own output", "OutputPath", "$.data[0]"));
    add_state(w, S_REL_ERROR,
              ddb_task_new("wfgen: gives the slot back after a failure", w->res_delete,
                           release_params_new(w), S_RERAISE, "States.ALL", S_RERAISE));
    json_t *both = json_array(), *error_only = json_array();
    add_string_test(both, "$.error.Error");
    add_string_test(both, "$.error.Cause");
    add_string_test(error_only, "$.error.Error");
    json_t *choices = json_pack("[{s:o,s:s},{s:o,s:s}]", "And", both, "Next", S_FAILED,
                                "And", error_only, "Next", S_FAILED_NC);
    add_state(w, S_RERAISE,
              json_pack("{s:s,s:s,s:o,s:s}", "Type", "Choice", "Comment",
                        "wfgen: fails with the workflow's own error", "Choices", choices,
                        "Default", S_FAILED_NE));
    add_state(w, S_FAILED,
              json_pack("{s:s,s:s,s:s}", "Type", "Fail", "ErrorPath", "$.error.Error",
                        "CausePath", "$.error.Cause"));
    add_state(w, S_FAILED_NC,
              json_pack("{s:s,s:s}", "Type", "Fail", "ErrorPath", "$.error.Error"));
    add_state(w, S_FAILED_NE, json_pack("{s:s}", "Type", "Fail"));
}

/* ---- user machine ------------------------------------------------------------------ */

static const char *const nested_keys[] = {"ItemProcessor", "Iterator"};

/*
 * Calls fn on every States object of a machine: the top one, Parallel branches and Map
 * processors at any depth. Stops at the first non-zero return and returns it.
 */
static int each_states(json_t *machine, int (*fn)(json_t *states, void *arg), void *arg)
{
    json_t *states = json_object_get(machine, "States");
    if (!json_is_object(states))
        return 0;
    int rc = fn(states, arg);
    const char *name;
    json_t *st;
    json_object_foreach(states, name, st)
    {
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(st, "Branches"), i, b)
        {
            if (!rc)
                rc = each_states(b, fn, arg);
        }
        for (size_t k = 0; k < ARRAY_SIZE(nested_keys); k++) {
            json_t *p = json_object_get(st, nested_keys[k]);
            if (!rc && p)
                rc = each_states(p, fn, arg);
        }
    }
    return rc;
}

struct prefix_ck {
    const struct ydoc *def;
    struct diag_list *dl;
    int rc;
};

static int check_prefix(json_t *states, void *arg)
{
    struct prefix_ck *pc = arg;
    const char *name;
    json_t *st;
    json_object_foreach(states, name, st)
    {
        if (strncmp(name, WRAP_PREFIX, strlen(WRAP_PREFIX)))
            continue;
        pc->rc =
            diag_add(pc->dl, D_OPS_STATE_PREFIX, yload_key_loc(pc->def, states, name),
                     "state name '%s' starts with '%s', which wfgen keeps for the "
                     "states it generates",
                     name, WRAP_PREFIX);
        diag_note(pc->dl, "the workflow has concurrency or dedupe; rename the state");
    }
    return 0;
}

/*
 * The wrapper is a JSONPath machine; states of a JSONata machine that inherited their
 * query language from the top level say so themselves once moved under it.
 */
static int stamp_jsonata(json_t *states, void *arg)
{
    (void)arg;
    const char *name;
    json_t *st;
    json_object_foreach(states, name, st)
    {
        if (!json_is_object(st) || json_object_get(st, "QueryLanguage"))
            continue;
        /* rebuilt in place (locations hang on the object) with the field in ASL order */
        json_t *old = json_copy(st);
        const char *k;
        json_t *v;
        json_object_clear(st);
        json_object_foreach(old, k, v)
        {
            json_object_set(st, k, v);
            if (!strcmp(k, "Type") && !json_object_get(old, "Comment"))
                json_object_set_new(st, "QueryLanguage", json_string("JSONata"));
            if (!strcmp(k, "Comment"))
                json_object_set_new(st, "QueryLanguage", json_string("JSONata"));
        }
        if (!json_object_get(st, "QueryLanguage"))
            json_object_set_new(st, "QueryLanguage", json_string("JSONata"));
        json_decref(old);
    }
    return 0;
}

/* ---- entry points ------------------------------------------------------------------ */

bool wrap_needed(const struct workflow *wf)
{
    return wf->conc.limit > 0 || wf->dedupe;
}

long wrap_timeout(const struct workflow *wf, long user_timeout)
{
    return user_timeout + (wf->conc.limit > 0 ? wait_budget(wf) : 0);
}

static void wctx_init(struct wctx *w, const struct catalog *cat,
                      const struct workflow *wf, json_t *states)
{
    w->cat = cat;
    w->wf = wf;
    naming_derive_catalog(&w->names, cat->project, cat->env);
    w->res_put = xasprintf("arn:%s:states:::dynamodb:putItem", cat->partition);
    w->res_delete = xasprintf("arn:%s:states:::dynamodb:deleteItem", cat->partition);
    w->states = states;
}

static void wctx_release(struct wctx *w)
{
    naming_release_catalog(&w->names);
    free(w->res_put);
    free(w->res_delete);
}

/* Dedupe only: the user's states stay at the top level, after the marker. */
static void wrap_dedupe_only(struct wctx *w, json_t *user_states, const char *user_start)
{
    add_check_duplicate(w, "$.scheduled_time", S_INIT, user_start, NULL);
    add_state(w, S_INIT,
              pass_params_new("wfgen: keeps the input aside while the marker is written",
                              json_pack("{s:s}", "data.$", "$"), NULL, S_CLOCK));
    add_clock(w, S_DEDUPE);
    add_dedupe(w, S_START);
    add_state(w, S_START,
              json_pack("{s:s,s:s,s:s,s:s}", "Type", "Pass", "Comment",
                        "wfgen: hands the original input to the workflow", "InputPath",
                        "$.data", "Next", user_start));
    const char *name;
    json_t *st;
    json_object_foreach(user_states, name, st) json_object_set(w->states, name, st);
}

static void wrap_concurrency(struct wctx *w, json_t *branch)
{
    const struct workflow *wf = w->wf;
    bool wait = wf->conc.on_conflict == WF_CONFLICT_WAIT;
    const char *on_busy = wait ? S_BUDGET : S_BUSY;
    add_state(w, S_INIT,
              pass_params_new("wfgen: keeps the input aside while the slot is taken",
                              json_pack("{s:s,s:{s:i,s:i}}", "data.$", "$", "wfgen",
                                        "slot", 0, "round", 0),
                              NULL, S_CLOCK));
    if (wf->dedupe) {
        add_clock(w, S_CHECK_DUP);
        add_check_duplicate(w, "$.data.scheduled_time", S_DEDUPE, S_ACQUIRE,
                            wait ? S_ACQUIRE : NULL);
        add_dedupe(w, S_ACQUIRE);
    } else {
        add_clock(w, S_ACQUIRE);
    }
    add_acquire(w, on_busy);
    if (wait)
        add_wait_loop(w);
    add_busy(w);
    add_run_and_release(w, branch);
}

int wrap_operational(const struct catalog *cat, const struct workflow *wf,
                     struct ydoc *def, struct diag_list *dl)
{
    if (!wrap_needed(wf) || !json_is_object(def->root))
        return 0;
    json_t *user = def->root;
    struct prefix_ck pc = {def, dl, 0};
    each_states(user, check_prefix, &pc);
    if (pc.rc)
        return -1;
    const char *ql = json_string_value(json_object_get(user, "QueryLanguage"));
    if (ql && !strcmp(ql, "JSONata"))
        each_states(user, stamp_jsonata, NULL);

    json_t *user_states = json_object_get(user, "States");
    const char *user_start = json_string_value(json_object_get(user, "StartAt"));
    json_t *top_timeout = json_object_get(user, "TimeoutSeconds");
    long timeout = json_is_integer(top_timeout) ? (long)json_integer_value(top_timeout)
                                                : wf->timeout;
    json_t *root = json_object(), *states = json_object();
    json_t *comment = json_object_get(user, "Comment");
    if (comment)
        json_object_set(root, "Comment", comment);
    bool inline_dedupe = wf->conc.limit <= 0;
    json_object_set_new(root, "StartAt",
                        json_string(inline_dedupe ? S_CHECK_DUP : S_INIT));
    if (timeout > 0)
        json_object_set_new(root, "TimeoutSeconds",
                            json_integer(wrap_timeout(wf, timeout)));
    json_t *version = json_object_get(user, "Version");
    if (version)
        json_object_set(root, "Version", version);
    json_object_set_new(root, "States", states);

    struct wctx w;
    wctx_init(&w, cat, wf, states);
    if (inline_dedupe) {
        wrap_dedupe_only(&w, user_states, user_start);
    } else {
        json_t *branch =
            json_pack("{s:s,s:O}", "StartAt", user_start, "States", user_states);
        wrap_concurrency(&w, branch);
    }
    wctx_release(&w);
    def->root = root;
    json_decref(user);
    return 0;
}

/* ---- cleanup machine --------------------------------------------------------------- */

/* The Map processor: delete one slot if this execution still owns it. */
static json_t *cleanup_processor_new(const struct catalog *cat, const char *table)
{
    char *res = xasprintf("arn:%s:states:::dynamodb:deleteItem", cat->partition);
    json_t *params = json_pack(
        "{s:s,s:{s:{s:s}},s:s,s:{s:s},s:{s:{s:s}}}", "TableName", table, "Key",
        WRAP_HASH_KEY, "S.$", "States.Format('{}#concurrency#{}', $.key, $.slot)",
        "ConditionExpression", "#owner = :me", "ExpressionAttributeNames", "#owner",
        ATTR_OWNER, "ExpressionAttributeValues", ":me", "S.$", "$.execution");
    json_t *retry = json_pack("[{s:[s],s:i},{s:[s],s:i,s:i,s:f}]", "ErrorEquals", ERR_CCF,
                              "MaxAttempts", 0, "ErrorEquals", "States.ALL",
                              "IntervalSeconds", 2, "MaxAttempts", 5, "BackoffRate", 2.0);
    json_t *del =
        json_pack("{s:s,s:s,s:s,s:o,s:i,s:o,s:[{s:[s],s:s}],s:b}", "Type", "Task",
                  "Comment", "Deletes the slot if this execution still owns it",
                  "Resource", res, "Parameters", params, "TimeoutSeconds", 60, "Retry",
                  retry, "Catch", "ErrorEquals", ERR_CCF, "Next", "NotHeld", "End", 1);
    free(res);
    return json_pack("{s:{s:s},s:s,s:{s:o,s:{s:s,s:s}}}", "ProcessorConfig", "Mode",
                     "INLINE", "StartAt", "ReleaseSlot", "States", "ReleaseSlot", del,
                     "NotHeld", "Type", "Succeed", "Comment",
                     "Another execution holds the slot, or nobody does");
}

/*
 * One Choice rule per limited workflow (by state machine ARN) leads to a Pass that lists
 * its slots; a Map then deletes each slot the execution still owns. Executions of
 * other state machines end at NotLimited.
 */
json_t *wrap_cleanup_new(const struct catalog *cat)
{
    json_t *choices = json_array(), *states = json_object();
    json_object_set_new(states, "Workflow",
                        json_pack("{s:s,s:s,s:O,s:s}", "Type", "Choice", "Comment",
                                  "Which workflow the execution belongs to", "Choices",
                                  choices, "Default", "NotLimited"));
    for (size_t i = 0; i < cat->nwf; i++) {
        const struct workflow *wf = &cat->wf[i];
        if (wf->conc.limit <= 0)
            continue;
        char *arn = xasprintf("arn:%s:states:%s:%s:stateMachine:%s", cat->partition,
                              cat->region, cat->account_id, wf->names.state_machine);
        json_array_append_new(choices, json_pack("{s:[{s:s,s:b},{s:s,s:s}],s:s}", "And",
                                                 "Variable", "$.detail.stateMachineArn",
                                                 "IsPresent", 1, "Variable",
                                                 "$.detail.stateMachineArn",
                                                 "StringEquals", arn, "Next", wf->key));
        json_t *slots = json_array();
        for (long n = 0; n < wf->conc.limit; n++)
            json_array_append_new(slots, json_integer(n));
        json_object_set_new(states, wf->key,
                            json_pack("{s:s,s:{s:s,s:o,s:s},s:s}", "Type", "Pass",
                                      "Parameters", "key", wf->key, "slots", slots,
                                      "execution.$", "$.detail.executionArn", "Next",
                                      "Release"));
        free(arn);
    }
    if (!json_array_size(choices)) {
        json_decref(choices);
        json_decref(states);
        return NULL;
    }
    json_decref(choices);
    struct cat_names names;
    naming_derive_catalog(&names, cat->project, cat->env);
    json_object_set_new(
        states, "Release",
        json_pack("{s:s,s:s,s:s,s:i,s:{s:s,s:s,s:s},s:o,s:n,s:b}", "Type", "Map",
                  "Comment", "Deletes each slot this execution still owns", "ItemsPath",
                  "$.slots", "MaxConcurrency", 1, "ItemSelector", "key.$", "$.key",
                  "execution.$", "$.execution", "slot.$", "$$.Map.Item.Value",
                  "ItemProcessor", cleanup_processor_new(cat, names.locks_table),
                  "ResultPath", "End", 1));
    json_object_set_new(states, "NotLimited",
                        json_pack("{s:s,s:s}", "Type", "Succeed", "Comment",
                                  "Not a workflow with a concurrency limit"));
    naming_release_catalog(&names);
    return json_pack(
        "{s:s,s:s,s:i,s:o}", "Comment",
        "Generated by wfgen: releases the concurrency slots still held by an "
        "execution that failed, timed out or was aborted (input: the "
        "EventBridge status-change event)",
        "StartAt", "Workflow", "TimeoutSeconds", 900, "States", states);
}
