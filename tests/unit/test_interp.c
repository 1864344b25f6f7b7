/*
 * Unit tests for the local interpreter: the I/O pipeline order, every Choice operator
 * and AWS's type-mismatch rules, Wait and the virtual clock, Retry timing (backoff,
 * MaxDelaySeconds, seeded jitter), Catch, Map, Parallel, the Context object,
 * variable scoping, errors, mocks and the history.
 */
#include "helpers.h"
#include "base/xalloc.h"
#include "interp/exec.h"
#include "interp/interp.h"

#include <sys/stat.h>
#include <unistd.h>

/* Parses JSON written with single quotes (tests never need a literal quote inside). */
static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t je;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad test JSON: %s in %s", je.text, s);
    free(s);
    return v;
}

#define T0 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */

struct run {
    struct interp_result res;
    struct mock mock;
    bool have_mock;
};

/* Runs def on input with the given options (mock text and case optional). */
static void run_opts(struct run *r, const char *def, const char *input, const char *mocks,
                     const char *mcase, struct interp_opts *o)
{
    memset(r, 0, sizeof(*r));
    json_t *d = J(def), *in = J(input);
    o->start_ms = T0;
    if (mocks) {
        json_t *m = J(mocks);
        char *err = NULL;
        assert_int_equal(mock_parse(&r->mock, m, &err), 0);
        assert_int_equal(mock_select(&r->mock, NULL, mcase, &err), 0);
        json_decref(m);
        r->have_mock = true;
        o->mocks = &r->mock;
    }
    interp_run(d, in, o, &r->res);
    json_decref(d);
    json_decref(in);
}

static void run(struct run *r, const char *def, const char *input)
{
    struct interp_opts o = {0};
    run_opts(r, def, input, NULL, NULL, &o);
}

static void run_release(struct run *r)
{
    interp_result_release(&r->res);
    if (r->have_mock)
        mock_release(&r->mock);
}

static void assert_output(struct run *r, const char *expected)
{
    if (r->res.status != INTERP_SUCCEEDED)
        fail_msg("run failed: %s: %s", r->res.error, r->res.cause);
    json_t *e = J(expected);
    char *a = jout_compact(r->res.output), *x = jout_compact(e);
    assert_string_equal(a, x);
    free(a);
    free(x);
    json_decref(e);
}

static void assert_failed(struct run *r, const char *error, const char *cause_part)
{
    assert_int_equal(r->res.status, INTERP_FAILED);
    if (error)
        assert_string_equal(r->res.error, error);
    else
        assert_null(r->res.error);
    if (cause_part && (!r->res.cause || !strstr(r->res.cause, cause_part)))
        fail_msg("cause '%s' lacks '%s'", r->res.cause ? r->res.cause : "(null)",
                 cause_part);
}

/* ---- pipeline
 * ------------------------------------------------------------------------------ */

static void test_interp_pipeline_order(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {0};
    run_opts(&r,
             "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':"
             "'arn:aws:states:::lambda:invoke','InputPath':'$.in',"
             "'Parameters':{'got.$':'$.a'},'ResultSelector':{'sel.$':'$.Payload.echo'},"
             "'ResultPath':'$.in.res','OutputPath':'$.in','End':true}}}",
             "{'in':{'a':1},'other':2}",
             "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},"
             "'MockedResponses':{'R':{'0':{'Return':{'Payload':{'echo':'x'}}}}}}",
             "c", &o);
    assert_output(&r, "{'a':1,'res':{'sel':'x'}}");
    run_release(&r);
}

static void test_interp_pass_paths(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Result':{'x':1},'ResultPath':"
        "'$.r.s','Next':'B'},'B':{'Type':'Pass','ResultPath':null,'Result':5,"
        "'Next':'C'},'C':{'Type':'Pass','InputPath':null,'End':true}}}",
        "{'k':0}");
    assert_output(&r, "{}");
    run_release(&r);
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Result':{'x':1},'ResultPath':"
        "'$.r.s','OutputPath':'$.r','End':true}}}",
        "{'k':0}");
    assert_output(&r, "{'s':{'x':1}}");
    run_release(&r);
    run(&r, "{'StartAt':'A','States':{'A':{'Type':'Pass','OutputPath':null,'End':true}}}",
        "{'k':0}");
    assert_output(&r, "{}");
    run_release(&r);
}

static void test_interp_parameters_literals(void **state)
{
    (void)state;
    json_t *d =
        json_loads("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\","
                   "\"Parameters\":{\"lit\":\"$.x\",\"nested\":[{\"v.$\":\"$.x\"}],"
                   "\"fmt.$\":\"States.Format('{}-{}', $.x, $.y)\"},\"End\":true}}}",
                   0, NULL);
    json_t *in = J("{'x':'a','y':2}");
    struct interp_opts o = {.start_ms = T0};
    struct interp_result res;
    interp_run(d, in, &o, &res);
    assert_int_equal(res.status, INTERP_SUCCEEDED);
    assert_json_text(res.output,
                     "{\"lit\":\"$.x\",\"nested\":[{\"v\":\"a\"}],\"fmt\":\"a-2\"}");
    interp_result_release(&res);
    json_decref(d);
    json_decref(in);
}

static void test_interp_missing_path_is_runtime(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Parameters':{'v.$':'$.nope'},"
        "'End':true}}}",
        "{'x':1}");
    assert_failed(
        &r, "States.Runtime",
        "An error occurred while executing the state 'A' (entered at the event id "
        "#2). The JSONPath '$.nope' specified for the field 'v.$' could not be "
        "found in the input '{\"x\":1}'");
    run_release(&r);
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','InputPath':'$.nope','End':true}}}",
        "{'x':1}");
    assert_failed(&r, "States.Runtime", "Invalid path '$.nope'");
    run_release(&r);
}

static void test_interp_result_path_mismatch(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Result':1,'ResultPath':'$.x.y',"
        "'End':true}}}",
        "{'x':'str'}");
    assert_failed(&r, "States.ResultPathMatchFailure", "$.x.y");
    run_release(&r);
}

/* ---- Choice
 * ------------------------------------------------------------------------------- */

/* Runs a Choice with one rule on input; returns 1 (matched), 0 (Default) or -1 (failed).
 */
static int choice(const char *rule, const char *input)
{
    char *def = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&def, &n);
    fprintf(f,
            "{'StartAt':'C','States':{'C':{'Type':'Choice','Choices':[%s],"
            "'Default':'No'},'Yes':{'Type':'Pass','Result':1,'End':true},"
            "'No':{'Type':'Pass','Result':0,'End':true}}}",
            rule);
    fclose(f);
    struct run r;
    run(&r, def, input);
    free(def);
    int res =
        r.res.status == INTERP_SUCCEEDED ? (int)json_integer_value(r.res.output) : -1;
    run_release(&r);
    return res;
}

#define RULE(var, op) "{'Variable':'" var "'," op ",'Next':'Yes'}"

static void test_interp_choice_operators(void **state)
{
    (void)state;
    static const struct {
        const char *rule, *input;
        int want;
    } cases[] = {
        {RULE("$.v", "'StringEquals':'a'"), "{'v':'a'}", 1},
        {RULE("$.v", "'StringEquals':' '"), "{'v':'     '}", 0},
        {RULE("$.v", "'StringLessThan':'b'"), "{'v':'a'}", 1},
        {RULE("$.v", "'StringGreaterThan':'b'"), "{'v':'a'}", 0},
        {RULE("$.v", "'StringLessThanEquals':'a'"), "{'v':'a'}", 1},
        {RULE("$.v", "'StringGreaterThanEquals':'a'"), "{'v':'b'}", 1},
        {RULE("$.v", "'StringEqualsPath':'$.w'"), "{'v':'a','w':'a'}", 1},
        {RULE("$.v", "'NumericEquals':1"), "{'v':1.0}", 1},
        {RULE("$.v", "'NumericEquals':0"), "{'v':0.0}", 1},
        {RULE("$.v", "'NumericLessThan':2"), "{'v':1.5}", 1},
        {RULE("$.v", "'NumericGreaterThan':2"), "{'v':3}", 1},
        {RULE("$.v", "'NumericLessThanEquals':2"), "{'v':2}", 1},
        {RULE("$.v", "'NumericGreaterThanEquals':2"), "{'v':1}", 0},
        {RULE("$.v", "'NumericGreaterThanPath':'$.w'"), "{'v':3,'w':2}", 1},
        {RULE("$.v", "'BooleanEquals':true"), "{'v':true}", 1},
        {RULE("$.v", "'BooleanEqualsPath':'$.w'"), "{'v':false,'w':false}", 1},
        {RULE("$.v", "'TimestampEquals':'2016-03-14T01:59:00Z'"),
         "{'v':'2016-03-14T10:59:00+09:00'}", 1},
        {RULE("$.v", "'TimestampLessThan':'2016-03-14T01:59:00Z'"),
         "{'v':'2016-03-14T01:58:59.999999Z'}", 1},
        {RULE("$.v", "'TimestampGreaterThanEquals':'2016-03-14T01:59:00Z'"),
         "{'v':'2016-03-14T01:59:00.000Z'}", 1},
        {RULE("$.v", "'TimestampGreaterThanPath':'$.w'"),
         "{'v':'2017-01-01T00:00:00Z','w':'2016-01-01T00:00:00Z'}", 1},
        {RULE("$.v", "'StringMatches':'log-*.txt'"), "{'v':'log-2024.txt'}", 1},
        {RULE("$.v", "'StringMatches':'*'"), "{'v':''}", 1},
        {RULE("$.v", "'StringMatches':'a*b*c'"), "{'v':'abxbc'}", 1},
        {RULE("$.v", "'StringMatches':'a*b'"), "{'v':'abc'}", 0},
        /* type mismatches are false, never errors */
        {RULE("$.v", "'StringEquals':'1'"), "{'v':1}", 0},
        {RULE("$.v", "'NumericEquals':1"), "{'v':'1'}", 0},
        {RULE("$.v", "'BooleanEquals':false"), "{'v':0}", 0},
        {RULE("$.v", "'TimestampEquals':'2023-02-24T12:15:56Z'"),
         "{'v':'2023-02-24 12:15:56.832957'}", 0},
        {RULE("$.v", "'StringMatches':'*'"), "{'v':5}", 0},
        /* type tests and their exact negations */
        {RULE("$.v", "'IsNull':true"), "{'v':null}", 1},
        {RULE("$.v", "'IsNull':false"), "{'v':0}", 1},
        {RULE("$.v", "'IsNull':false"), "{'v':''}", 1},
        {RULE("$.v", "'IsNull':false"), "{'v':[]}", 1},
        {RULE("$.v", "'IsBoolean':false"), "{'v':null}", 1},
        {RULE("$.v", "'IsString':false"), "{'v':{}}", 1},
        {RULE("$.v", "'IsNumeric':false"), "{'v':'1'}", 1},
        {RULE("$.v", "'IsNumeric':true"), "{'v':1.5}", 1},
        {RULE("$.v", "'IsTimestamp':true"), "{'v':'2016-03-14T01:59:00Z'}", 1},
        {RULE("$.v", "'IsTimestamp':true"), "{'v':'2016-13-14T01:59:00Z'}", 0},
        {RULE("$.v", "'IsTimestamp':true"), "{'v':'2016-03-14T01:59:00'}", 0},
        {RULE("$.v", "'IsPresent':true"), "{'v':null}", 1},
        {RULE("$.v", "'IsPresent':false"), "{}", 1},
        {RULE("$.v", "'IsPresent':true"), "{}", 0},
        /* a missing Variable fails the execution, except for IsPresent */
        {RULE("$.v", "'StringEquals':'a'"), "{}", -1},
        {RULE("$.v", "'IsNull':true"), "{}", -1},
        {RULE("$.v", "'StringEqualsPath':'$.w'"), "{'v':'a'}", -1},
        /* logic */
        {"{'And':[" RULE("$.a", "'IsPresent':true") "," RULE(
             "$.a", "'NumericEquals':1") "]"
                                         ",'Next':'Yes'}",
         "{'a':1}", 1},
        {"{'Or':[{'Variable':'$.a','IsNull':true},{'Variable':'$.a','NumericEquals':2}],"
         "'Next':'Yes'}",
         "{'a':1}", 0},
        {"{'Not':{'Variable':'$.a','StringEquals':'x'},'Next':'Yes'}", "{'a':'y'}", 1},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int got = choice(cases[i].rule, cases[i].input);
        if (got != cases[i].want)
            fail_msg("case %zu: %s on %s gave %d, want %d", i, cases[i].rule,
                     cases[i].input, got, cases[i].want);
    }
}

static void test_interp_string_matches_escapes(void **state)
{
    (void)state;
    assert_true(choice_string_matches("a*b", 3, "a\\*b"));
    assert_false(choice_string_matches("axb", 3, "a\\*b"));
    assert_true(choice_string_matches("a\\b", 3, "a\\\\b"));
    assert_true(choice_string_matches("a\\xyz", 5, "a\\\\*"));
    assert_true(choice_string_matches("", 0, ""));
    assert_false(choice_string_matches("x", 1, ""));
    assert_true(choice_string_matches("*.txt", 5, "\\*.txt"));
    assert_true(choice_string_matches("aaa", 3, "*a"));
}

static void test_interp_choice_no_match(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'C','States':{'C':{'Type':'Choice','Choices':[{'Variable':'$.a',"
        "'NumericEquals':2,'Next':'E'}]},'E':{'Type':'Succeed'}}}",
        "{'a':1}");
    assert_failed(&r, "States.NoChoiceMatched", "entered at the event id #2");
    run_release(&r);
}

/* ---- Wait, clock, timeouts
 * -------------------------------------------------------------- */

static void test_interp_wait_virtual_clock(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':10800,'Next':'X'},"
        "'X':{'Type':'Wait','SecondsPath':'$.s','Next':'Y'},"
        "'Y':{'Type':'Wait','TimestampPath':'$.t','Next':'Z'},"
        "'Z':{'Type':'Wait','Timestamp':'2020-01-01T00:00:00Z','End':true}}}",
        "{'s':60,'t':'2026-01-01T05:00:00+01:00'}");
    assert_int_equal(r.res.status, INTERP_SUCCEEDED);
    assert_true(r.res.end_ms ==
                T0 + 4 * 3600000); /* 05:00+01:00 = 04:00Z; past: no wait */
    run_release(&r);
}

static void test_interp_wait_errors(void **state)
{
    (void)state;
    static const struct {
        const char *field, *input, *cause;
    } cases[] = {
        {"'SecondsPath':'$.p'", "{}",
         "The SecondsPath parameter does not reference an input value: $.p"},
        {"'SecondsPath':'$.p'", "{'p':-1}",
         "The SecondsPath parameter references a negative value: $.p == -1"},
        {"'SecondsPath':'$.p'", "{'p':1.5}",
         "The SecondsPath parameter cannot be parsed as a long value: $.p == 1.5"},
        {"'TimestampPath':'$.p'", "{'p':'2016-03-14 01:59:00Z'}",
         "The TimestampPath parameter does not reference a valid ISO-8601 extended "
         "offset "
         "date-time format string: $.p == 2016-03-14 01:59:00Z"},
        {"'Seconds':2147483648", "{}", "Wait state delay is too long."},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char def[256];
        snprintf(def, sizeof(def),
                 "{'StartAt':'W','States':{'W':{'Type':'Wait',%s,"
                 "'End':true}}}",
                 cases[i].field);
        struct run r;
        run(&r, def, cases[i].input);
        assert_failed(&r, "States.Runtime", cases[i].cause);
        run_release(&r);
    }
}

static void test_interp_execution_timeout(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'TimeoutSeconds':60,'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':120,"
        "'End':true}}}",
        "{}");
    assert_int_equal(r.res.status, INTERP_TIMED_OUT);
    assert_string_equal(r.res.error, "States.Timeout");
    assert_true(r.res.end_ms == T0 + 60000);
    run_release(&r);
}

/* ---- Retry and Catch
 * -------------------------------------------------------------------- */

static const char throw_mock[] =
    "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R':{"
    "'0-9':{'Throw':{'Error':'Boom','Cause':'bad'}},'10':{'Return':{'ok':true}}}}}";

static void test_interp_retry_backoff_arithmetic(void **state)
{
    (void)state;
    json_t *r = J("{'IntervalSeconds':3,'BackoffRate':2.5,'MaxDelaySeconds':20}");
    assert_true(err_backoff(r, 1) == 3.0);
    assert_true(err_backoff(r, 2) == 7.5);
    assert_true(err_backoff(r, 3) == 18.75);
    assert_true(err_backoff(r, 4) == 20.0); /* capped */
    json_decref(r);
    r = J("{}");
    assert_true(err_backoff(r, 1) == 1.0);
    assert_true(err_backoff(r, 3) == 4.0);
    json_decref(r);
}

static void test_interp_retry_timing(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {0};
    run_opts(
        &r,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::sns:"
        "publish','Retry':[{'ErrorEquals':['Boom'],'IntervalSeconds':2,'MaxAttempts':3,"
        "'BackoffRate':3}],'End':true}}}",
        "{}", throw_mock, "c", &o);
    assert_failed(&r, "Boom", "bad");
    assert_true(r.res.end_ms == T0 + (2 + 6 + 18) * 1000);
    run_release(&r);
    /* MaxAttempts 0: one attempt, then the catcher */
    run_opts(
        &r,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::sns:"
        "publish','Retry':[{'ErrorEquals':['Boom'],'MaxAttempts':0},{'ErrorEquals':"
        "['States.ALL'],'MaxAttempts':5}],'Catch':[{'ErrorEquals':['States.ALL'],"
        "'ResultPath':'$.err','Next':'E'}],'End':true},'E':{'Type':'Succeed'}}}",
        "{'in':1}", throw_mock, "c", &o);
    assert_output(&r, "{'in':1,'err':{'Error':'Boom','Cause':'bad'}}");
    assert_true(r.res.end_ms == T0);
    run_release(&r);
}

static void test_interp_retry_jitter_seeded(void **state)
{
    (void)state;
    const char *def =
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':"
        "'arn:aws:states:::sns:publish','Retry':[{'ErrorEquals':['States.ALL'],"
        "'IntervalSeconds':100,'BackoffRate':1,'MaxAttempts':10,"
        "'JitterStrategy':'FULL'}],'End':true}}}";
    struct run r;
    struct interp_opts o = {.seed = 7};
    run_opts(&r, def, "{}", throw_mock, "c", &o);
    assert_int_equal(r.res.status, INTERP_SUCCEEDED);
    int64_t first = r.res.end_ms - T0;
    assert_true(first >= 0 && first <= 10 * 100000);
    assert_true(first != 10 * 100000); /* jitter drew something below the full delay */
    run_release(&r);
    o = (struct interp_opts){.seed = 7};
    run_opts(&r, def, "{}", throw_mock, "c", &o);
    assert_true(r.res.end_ms - T0 == first);
    run_release(&r);
    o = (struct interp_opts){.seed = 8};
    run_opts(&r, def, "{}", throw_mock, "c", &o);
    assert_true(r.res.end_ms - T0 != first);
    run_release(&r);
}

static void test_interp_runtime_never_caught(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::sns:"
        "publish','Parameters':{'x.$':'$.missing'},'Retry':[{'ErrorEquals':"
        "['States.Runtime']}],'Catch':[{'ErrorEquals':['States.Runtime'],'Next':'E'},"
        "{'ErrorEquals':['States.ALL'],'Next':'E'}],'End':true},"
        "'E':{'Type':'Succeed'}}}",
        "{}");
    assert_failed(&r, "States.Runtime", "'$.missing'");
    run_release(&r);
}

static void test_interp_error_matchers(void **state)
{
    (void)state;
    struct fail f = {FK_ERROR, (char *)"States.Timeout", NULL};
    assert_true(err_matches("States.ALL", &f));
    assert_true(err_matches("States.Timeout", &f));
    assert_false(err_matches("States.TaskFailed", &f));
    f.error = (char *)"States.HeartbeatTimeout";
    assert_true(err_matches("States.Timeout", &f));
    f.error = (char *)"Lambda.Unknown";
    assert_true(err_matches("States.TaskFailed", &f));
    assert_false(err_matches("State.ALL", &f));
    f.kind = FK_DATA_LIMIT;
    f.error = (char *)"States.DataLimitExceeded";
    assert_false(err_matches("States.ALL", &f));
    f.kind = FK_RUNTIME;
    f.error = (char *)"States.Runtime";
    assert_false(err_matches("States.Runtime", &f));
}

static void test_interp_task_timeout_from_mock_duration(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {0};
    run_opts(
        &r,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::ecs:"
        "runTask.sync','TimeoutSeconds':300,'Catch':[{'ErrorEquals':['States.Timeout'],"
        "'Next':'E'}],'End':true},'E':{'Type':'Pass','End':true}}}",
        "{}",
        "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R':"
        "{'0':{'Return':{},'Duration':3600}}}}",
        "c", &o);
    assert_output(&r, "{'Error':'States.Timeout','Cause':''}");
    assert_true(r.res.end_ms == T0 + 300000);
    run_release(&r);
}

static void test_interp_data_limit(void **state)
{
    (void)state;
    json_t *big = json_array();
    for (int i = 0; i < 30000; i++)
        json_array_append_new(big, json_string("0123456789"));
    json_t *in = json_pack("{s:o}", "big", big);
    json_t *d = J("{'StartAt':'A','States':{'A':{'Type':'Pass','Catch':[],'End':true}}}");
    struct interp_opts o = {.start_ms = T0};
    struct interp_result res;
    interp_run(d, in, &o, &res);
    assert_int_equal(res.status, INTERP_FAILED);
    assert_string_equal(res.error, "States.DataLimitExceeded");
    assert_string_equal(res.cause,
                        "The state/task 'A' returned a result with a size "
                        "exceeding the maximum number of bytes service limit.");
    interp_result_release(&res);
    json_decref(d);
    json_decref(in);
}

/* ---- Fail
 * ---------------------------------------------------------------------------------- */

static void test_interp_fail_state(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'F','States':{'F':{'Type':'Fail','ErrorPath':'$.e','CausePath':"
        "'$$.State.Name'}}}",
        "{'e':'MyError'}");
    assert_failed(&r, "MyError", "F");
    run_release(&r);
    run(&r, "{'StartAt':'F','States':{'F':{'Type':'Fail'}}}", "{}");
    assert_failed(&r, NULL, NULL);
    assert_null(r.res.cause);
    run_release(&r);
    run(&r, "{'StartAt':'F','States':{'F':{'Type':'Fail','ErrorPath':'$.nope'}}}", "{}");
    assert_failed(&r, "States.Runtime", "specified for the field 'ErrorPath'");
    run_release(&r);
}

/* ---- Map and Parallel
 * ------------------------------------------------------------------- */

static void test_interp_map_items(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemsPath':'$.xs','ItemSelector':"
        "{'i.$':'$$.Map.Item.Index','v.$':'$$.Map.Item.Value','k.$':'$.k'},"
        "'ItemProcessor':{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},"
        "'End':true}}}",
        "{'xs':['a','b'],'k':9}");
    assert_output(&r, "[{'i':0,'v':'a','k':9},{'i':1,'v':'b','k':9}]");
    run_release(&r);
    run(&r,
        "{'StartAt':'M','States':{'M':{'Type':'Map','Iterator':{'StartAt':'P','States':"
        "{'P':{'Type':'Pass','End':true}}},'End':true}}}",
        "[]");
    assert_output(&r, "[]");
    run_release(&r);
    run(&r,
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{'StartAt':'P',"
        "'States':{'P':{'Type':'Pass','End':true}}},'End':true}}}",
        "{}");
    assert_failed(&r, "States.Runtime", "Map state input must be an array but was: {}");
    run_release(&r);
}

static void test_interp_map_concurrency_time(void **state)
{
    (void)state;
#define MAP_FMT                                                                          \
    "{'StartAt':'M','States':{'M':{'Type':'Map','MaxConcurrency':%d,'ItemProcessor':"    \
    "{'StartAt':'W','States':{'W':{'Type':'Wait','SecondsPath':'$','End':true}}},"       \
    "'End':true}}}"
    char def[256];
    struct run r;
    snprintf(def, sizeof(def), MAP_FMT, 1);
    run(&r, def, "[10,20,30]");
    assert_true(r.res.end_ms == T0 + 60000);
    run_release(&r);
    snprintf(def, sizeof(def), MAP_FMT, 2);
    run(&r, def, "[10,20,30]");
    assert_true(r.res.end_ms == T0 + 40000); /* slot 1: 10 then 30 */
    run_release(&r);
    snprintf(def, sizeof(def), MAP_FMT, 0);
    run(&r, def, "[10,20,30]");
    assert_true(r.res.end_ms == T0 + 30000);
    run_release(&r);
}

static void test_interp_map_failure(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{'StartAt':'C',"
        "'States':{'C':{'Type':'Choice','Choices':[{'Variable':'$','NumericEquals':2,"
        "'Next':'F'}],'Default':'P'},'P':{'Type':'Pass','End':true},"
        "'F':{'Type':'Fail','Error':'ItemFail','Cause':'two'}}},'End':true}}}",
        "[1,2,3]");
    assert_failed(&r, "ItemFail", "two");
    run_release(&r);
}

static void test_interp_parallel(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'P','States':{'P':{'Type':'Parallel','Branches':["
        "{'StartAt':'A','States':{'A':{'Type':'Wait','Seconds':50,'Next':'A2'},"
        "'A2':{'Type':'Pass','Result':'a','End':true}}},"
        "{'StartAt':'B','States':{'B':{'Type':'Wait','Seconds':20,'Next':'B2'},"
        "'B2':{'Type':'Pass','Result':'b','End':true}}}],"
        "'ResultPath':'$.r','End':true}}}",
        "{'x':1}");
    assert_output(&r, "{'x':1,'r':['a','b']}");
    assert_true(r.res.end_ms == T0 + 50000);
    run_release(&r);
    run(&r,
        "{'StartAt':'P','States':{'P':{'Type':'Parallel','Branches':["
        "{'StartAt':'A','States':{'A':{'Type':'Pass','End':true}}},"
        "{'StartAt':'B','States':{'B':{'Type':'Fail','Error':'FailureType','Cause':"
        "'Cause description'}}}],'Catch':[{'ErrorEquals':['FailureType'],"
        "'ResultPath':'$.e','Next':'D'}],'End':true},'D':{'Type':'Succeed'}}}",
        "{}");
    assert_output(&r, "{'e':{'Error':'FailureType','Cause':'Cause description'}}");
    run_release(&r);
}

/* ---- Context object and variables
 * -------------------------------------------------------- */

static void test_interp_context_object(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.machine_name = "sm", .exec_name = "ex1"};
    run_opts(&r,
             "{'StartAt':'Start','States':{'Start':{'Type':'Pass','Parameters':{"
             "'id.$':'$$.Execution.Id','in.$':'$$.Execution.Input','st.$':"
             "'$$.Execution.StartTime','n.$':'$$.Execution.Name','role.$':"
             "'$$.Execution.RoleArn','sm.$':'$$.StateMachine.Id','smn.$':"
             "'$$.StateMachine.Name','s.$':'$$.State.Name','t.$':'$$.State.EnteredTime'},"
             "'End':true}}}",
             "{'a':1}", NULL, NULL, &o);
    assert_output(&r, "{'id':'arn:aws:states:us-east-1:123456789012:execution:sm:ex1',"
                      "'in':{'a':1},'st':'2026-01-01T00:00:00.000Z','n':'ex1',"
                      "'role':'arn:aws:iam::123456789012:role/sm-sfn',"
                      "'sm':'arn:aws:states:us-east-1:123456789012:stateMachine:sm',"
                      "'smn':'sm','s':'Start','t':'2026-01-01T00:00:00.000Z'}");
    run_release(&r);
}

static void test_interp_retry_count_in_context(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(
        &r,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::sns:"
        "publish','Parameters':{'n.$':'$$.State.RetryCount'},'Retry':[{'ErrorEquals':"
        "['Boom'],'MaxAttempts':2}],'End':true}}}",
        "{}",
        "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R':{"
        "'0-1':{'Throw':{'Error':'Boom'}},'2':{'Return':{'done':1}}}}}",
        "c", &o);
    assert_output(&r, "{'done':1}");
    size_t i, seen = 0;
    json_t *e;
    json_array_foreach(json_object_get(r.res.history, "events"), i, e)
    {
        json_t *d = json_object_get(e, "taskScheduledEventDetails");
        if (!d)
            continue;
        char want[16];
        snprintf(want, sizeof(want), "{\"n\":%zu}", seen++);
        assert_string_equal(json_string_value(json_object_get(d, "parameters")), want);
    }
    assert_int_equal(seen, 3);
    assert_true(r.res.end_ms == T0 + 3000); /* 1 s + 2 s */
    run_release(&r);
}

static void test_interp_variables_timing(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Assign':{'x':1},'Next':'B'},"
        "'B':{'Type':'Pass','Assign':{'x':2,'old.$':'$x'},'Parameters':{'seen.$':'$x'},"
        "'Next':'C'},'C':{'Type':'Pass','Parameters':{'x.$':'$x','old.$':'$old'},"
        "'End':true}}}",
        "{}");
    assert_output(&r, "{'x':2,'old':1}");
    run_release(&r);
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Parameters':{'v.$':'$nosuch'},"
        "'End':true}}}",
        "{}");
    assert_failed(&r, "States.Runtime", NULL);
    run_release(&r);
}

static void test_interp_variables_scope(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Assign':{'outer':'o'},'Next':'M'},"
        "'M':{'Type':'Map','ItemProcessor':{'StartAt':'I','States':{"
        "'I':{'Type':'Pass','Assign':{'inner.$':'$'},'Next':'J'},"
        "'J':{'Type':'Pass','Parameters':{'o.$':'$outer','i.$':'$inner'},'End':true}}},"
        "'Next':'After'},"
        "'After':{'Type':'Pass','Parameters':{'items.$':'$','o.$':'$outer'},"
        "'Next':'Leak'},"
        "'Leak':{'Type':'Pass','Parameters':{'i.$':'$inner'},'End':true}}}",
        "[1,2]");
    assert_failed(&r, "States.Runtime", "'Leak'");
    run_release(&r);
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Assign':{'outer':'o'},'Next':'M'},"
        "'M':{'Type':'Map','ItemProcessor':{'StartAt':'I','States':{"
        "'I':{'Type':'Pass','Assign':{'inner.$':'$'},'Next':'J'},"
        "'J':{'Type':'Pass','Parameters':{'o.$':'$outer','i.$':'$inner'},'End':true}}},"
        "'End':true}}}",
        "[1,2]");
    assert_output(&r, "[{'o':'o','i':1},{'o':'o','i':2}]");
    run_release(&r);
}

static void test_interp_choice_assign(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'C','States':{'C':{'Type':'Choice','Assign':{'d':'default'},"
        "'Choices':[{'Variable':'$.a','NumericEquals':1,'Assign':{'d':'rule'},"
        "'Next':'E'}],'Default':'E'},'E':{'Type':'Pass','Parameters':{'d.$':'$d'},"
        "'End':true}}}",
        "{'a':1}");
    assert_output(&r, "{'d':'rule'}");
    run_release(&r);
    run(&r,
        "{'StartAt':'C','States':{'C':{'Type':'Choice','Assign':{'d':'default'},"
        "'Choices':[{'Variable':'$.a','NumericEquals':1,'Assign':{'d':'rule'},"
        "'Next':'E'}],'Default':'E'},'E':{'Type':'Pass','Parameters':{'d.$':'$d'},"
        "'End':true}}}",
        "{'a':2}");
    assert_output(&r, "{'d':'default'}");
    run_release(&r);
}

/* ---- mocks, dry runs, history
 * ------------------------------------------------------------- */

static void test_interp_mock_numbering(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {0};
    const char *def =
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{"
        "'StartAt':'T','States':{'T':{'Type':'Task','Resource':"
        "'arn:aws:lambda:us-east-1:1:function:f','End':true}}},'End':true}}}";
    run_opts(
        &r, def, "[1,2,3]",
        "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R':"
        "{'0':{'Return':'a'},'1-2':{'Return':'b'}}}}",
        "c", &o);
    assert_output(&r, "['a','b','b']");
    run_release(&r);
    run_opts(
        &r, def, "[1,2,3]",
        "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R':"
        "{'0-1':{'Return':'a'}}}}",
        "c", &o);
    assert_failed(&r, "States.Runtime", "no entry for invocation \"2\" of this state");
    assert_failed(&r, "States.Runtime", "state 'T'");
    run_release(&r);
}

static void test_interp_strict_and_dry_run(void **state)
{
    (void)state;
    struct run r;
    const char *def = "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':"
                      "'arn:aws:states:::ecs:runTask.sync','Parameters':{'Cluster':'c1',"
                      "'TaskDefinition':'fam','Overrides':{'ContainerOverrides':[{'Name':"
                      "'app','Command':['x']}]}},'ResultSelector':{'code.$':"
                      "'$.Containers[0].ExitCode','stop.$':'$.StopCode','last.$':"
                      "'$.LastStatus'},'End':true}}}";
    struct interp_opts o = {.strict_mocks = true};
    run_opts(&r, def, "{}", NULL, NULL, &o);
    assert_failed(&r, "States.Runtime", "--strict-mocks");
    run_release(&r);
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    o = (struct interp_opts){.dryrun = f};
    run_opts(&r, def, "{}", NULL, NULL, &o);
    fclose(f);
    assert_output(&r, "{'code':0,'stop':'EssentialContainerExited','last':'STOPPED'}");
    assert_non_null(strstr(text, "Task 'T' calls arn:aws:states:::ecs:runTask.sync"));
    assert_non_null(strstr(text, "\"Command\": [\n"));
    free(text);
    run_release(&r);
}

static void test_interp_history_events(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(&r,
             "{'StartAt':'A','States':{'A':{'Type':'Pass','Assign':{'v':'x'},'Next':'T'},"
             "'T':{'Type':'Task','Resource':'arn:aws:states:::sns:publish','End':true}}}",
             "{}", NULL, NULL, &o);
    json_t *ev = json_object_get(r.res.history, "events");
    static const char *const types[] = {
        "ExecutionStarted", "PassStateEntered", "PassStateExited",
        "TaskStateEntered", "TaskScheduled",    "TaskStarted",
        "TaskSucceeded",    "TaskStateExited",  "ExecutionSucceeded"};
    assert_int_equal(json_array_size(ev), ARRAY_SIZE(types));
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        json_t *e = json_array_get(ev, i);
        assert_string_equal(json_string_value(json_object_get(e, "type")), types[i]);
        assert_int_equal(json_integer_value(json_object_get(e, "id")), (json_int_t)i + 1);
        json_int_t prev = json_integer_value(json_object_get(e, "previousEventId"));
        assert_int_equal(prev, i <= 1 ? 0 : (json_int_t)i);
    }
    json_t *exited = json_object_get(json_array_get(ev, 2), "stateExitedEventDetails");
    assert_json_text(json_object_get(exited, "assignedVariables"),
                     "{\"v\":\"\\\"x\\\"\"}");
    json_t *sched = json_object_get(json_array_get(ev, 4), "taskScheduledEventDetails");
    assert_string_equal(json_string_value(json_object_get(sched, "resourceType")), "sns");
    assert_string_equal(json_string_value(json_object_get(sched, "resource")), "publish");
    assert_string_equal(json_string_value(json_object_get(sched, "region")), "us-east-1");
    run_release(&r);
}

static void test_interp_history_limit(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Next':'B'},"
        "'B':{'Type':'Pass','Next':'A'}}}",
        "{}");
    assert_failed(&r, "States.Runtime", "maximum number of history events");
    assert_int_equal(r.res.events, HISTORY_LIMIT);
    run_release(&r);
}

static void test_interp_time_format(void **state)
{
    (void)state;
    char buf[32];
    int64_t ms;
    interp_format_time(T0 + 1234, buf);
    assert_string_equal(buf, "2026-01-01T00:00:01.234Z");
    assert_int_equal(interp_parse_time("2024-02-29T23:59:59.5-01:30", &ms), 0);
    interp_format_time(ms, buf);
    assert_string_equal(buf, "2024-03-01T01:29:59.500Z");
    assert_int_equal(interp_parse_time("2023-02-29T00:00:00Z", &ms), -1);
    assert_int_equal(interp_parse_time("2023-01-01T25:00:00Z", &ms), -1);
    assert_int_equal(interp_parse_time("2023-01-01T00:00:00", &ms), -1);
    assert_int_equal(interp_parse_time("05-12-2016T10:00:00Z", &ms), -1);
}

/* ---- distributed Map, redrive, dry-run shapes
 * --------------------------------------------- */

#define DMAP_DEF(extra)                                                                  \
    "{'StartAt':'M','States':{'M':{'Type':'Map'," extra ",'ItemProcessor':{"             \
    "'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'EXPRESS'},'StartAt':'C',"  \
    "'States':{'C':{'Type':'Choice','Choices':[{'Variable':'$.v','NumericEquals':2,"     \
    "'Next':'F'}],'Default':'P'},'P':{'Type':'Pass','End':true},"                        \
    "'F':{'Type':'Fail','Error':'Two','Cause':'no twos'}}},'End':true}}}"

static void test_interp_distributed_tolerance(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(&r, DMAP_DEF("'ItemsPath':'$.xs','ToleratedFailurePercentage':50"),
             "{'xs':[{'v':1},{'v':2},{'v':3}]}", NULL, NULL, &o);
    assert_output(&r, "[{'v':1},{'Error':'Two','Cause':'no twos'},{'v':3}]");
    /* child executions stay out of the parent's history */
    static const char *const types[] = {
        "ExecutionStarted", "MapStateEntered",   "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded",  "MapStateSucceeded", "MapStateExited",  "ExecutionSucceeded"};
    json_t *ev = json_object_get(r.res.history, "events");
    assert_int_equal(json_array_size(ev), ARRAY_SIZE(types));
    for (size_t i = 0; i < ARRAY_SIZE(types); i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(ev, i), "type")), types[i]);
    run_release(&r);
    o = (struct interp_opts){0};
    run_opts(&r, DMAP_DEF("'ItemsPath':'$.xs','ToleratedFailureCount':0"),
             "{'xs':[{'v':1},{'v':2}]}", NULL, NULL, &o);
    assert_failed(&r, "States.ExceedToleratedFailureThreshold",
                  "The specified tolerated failure threshold was exceeded");
    run_release(&r);
    run_opts(&r, DMAP_DEF("'ItemsPath':'$.xs','ToleratedFailurePercentage':100.1"),
             "{'xs':[]}", NULL, NULL, &o);
    assert_failed(&r, "States.Runtime",
                  "ToleratedFailurePercentage must be between 0 and 100.");
    run_release(&r);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_interp_item_reader(void **state)
{
    (void)state;
    char dir[] = "/tmp/wfgen-items-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/b", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(sub, "rows.jsonl", "{\"v\":1}\n\n{\"v\":3}\n");
    write_file(sub, "rows.csv", "v;w\n1;\"a;b\"\n5;\n");
    write_file(sub, "dup.csv", "v,v\n1,2\n");
    write_file(sub, "nested.json", "{\"data\":{\"rows\":[{\"v\":7}]}}");
    struct run r;
    struct interp_opts o = {.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                      "'ReaderConfig':{'InputType':'JSONL'},'Parameters':{'Bucket':'b',"
                      "'Key':'rows.jsonl'}}"),
             "{}", NULL, NULL, &o);
    assert_output(&r, "[{'v':1},{'v':3}]");
    run_release(&r);
    o = (struct interp_opts){.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                      "'ReaderConfig':{'InputType':'CSV','CSVDelimiter':'SEMICOLON',"
                      "'MaxItems':1},'Parameters':{'Bucket':'b','Key':'rows.csv'}}"),
             "{}", NULL, NULL, &o);
    assert_output(&r, "[{'v':'1','w':'a;b'}]");
    run_release(&r);
    o = (struct interp_opts){.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                      "'ReaderConfig':{'InputType':'CSV'},'Parameters':{'Bucket':'b',"
                      "'Key':'dup.csv'}}"),
             "{}", NULL, NULL, &o);
    assert_failed(&r, "States.ItemReaderFailed",
                  "CSV headers cannot contain duplicates.");
    run_release(&r);
    o = (struct interp_opts){.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                      "'ReaderConfig':{'InputType':'JSON','ItemsPointer':'/data/rows'},"
                      "'Parameters':{'Bucket':'b','Key':'nested.json'}}"),
             "{}", NULL, NULL, &o);
    assert_output(&r, "[{'v':7}]");
    run_release(&r);
    o = (struct interp_opts){.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2',"
                      "'Parameters':{'Bucket':'b','Prefix':'rows'}},'ItemSelector':{"
                      "'v.$':'$$.Map.Item.Value.Key'}"),
             "{}", NULL, NULL, &o);
    assert_output(&r, "[{'v':'rows.csv'},{'v':'rows.jsonl'}]");
    run_release(&r);
    o = (struct interp_opts){.item_dir = dir};
    run_opts(&r,
             DMAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                      "'Parameters':{'Bucket':'b','Key':'../../etc/passwd'}}"),
             "{}", NULL, NULL, &o);
    assert_failed(&r, "States.ItemReaderFailed", NULL);
    run_release(&r);
    static const char *const names[] = {"rows.jsonl", "rows.csv", "dup.csv",
                                        "nested.json"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char path[700];
        snprintf(path, sizeof(path), "%s/%s", sub, names[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
}

static void test_interp_item_batcher(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemBatcher':{'MaxItemsPerBatch':2,"
        "'BatchInput':{'k.$':'$.k'}},'ItemsPath':'$.xs','ItemProcessor':{"
        "'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},"
        "'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},'End':true}}}",
        "{'xs':[1,2,3],'k':'K'}");
    assert_output(&r, "[{'BatchInput':{'k':'K'},'Items':[1,2]},"
                      "{'BatchInput':{'k':'K'},'Items':[3]}]");
    run_release(&r);
}

static void test_interp_redrive(void **state)
{
    (void)state;
    const char *def =
        "{'StartAt':'A','States':{'A':{'Type':'Pass','Assign':{'k':'v'},"
        "'Next':'T'},'T':{'Type':'Task','Resource':'arn:aws:states:::sns:"
        "publish','ResultSelector':{'k.$':'$k','n.$':"
        "'$$.Execution.RedriveCount','in.$':'$$.Execution.Input'},'End':true}}}";
    const char *mocks =
        "{'StateMachines':{'sm':{'TestCases':{'bad':{'T':'B'},'good':{'T':"
        "'G'}}}},'MockedResponses':{'B':{'0':{'Throw':{'Error':'E'}}},"
        "'G':{'0':{'Return':{}}}}}";
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(&r, def, "{'orig':1}", mocks, "bad", &o);
    assert_failed(&r, "E", NULL);
    json_t *hist = json_incref(r.res.history);
    run_release(&r);
    char *why = NULL;
    assert_int_equal(interp_redrivable(hist, &why), 0);
    o = (struct interp_opts){.history = true, .redrive = hist};
    run_opts(&r, def, "{'ignored':1}", mocks, "good", &o);
    assert_output(&r, "{'k':'v','n':1,'in':{'orig':1}}");
    json_t *ev = json_object_get(r.res.history, "events");
    json_t *red = json_array_get(ev, json_array_size(json_object_get(hist, "events")));
    assert_string_equal(json_string_value(json_object_get(red, "type")),
                        "ExecutionRedriven");
    assert_int_equal(interp_redrivable(r.res.history, &why), -1);
    assert_non_null(strstr(why, "ExecutionSucceeded"));
    free(why);
    run_release(&r);
    json_decref(hist);
}

static void test_interp_dry_run_shapes(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'Q','States':{'Q':{'Type':'Task','Resource':"
        "'arn:aws:states:::sqs:sendMessage','Parameters':{'QueueUrl':'q','MessageBody':"
        "'hello'},'ResultSelector':{'md5.$':'$.MD5OfMessageBody'},'Next':'S'},"
        "'S':{'Type':'Task','Resource':'arn:aws:states:::states:startExecution.sync:2',"
        "'Parameters':{'StateMachineArn':'arn:aws:states:us-east-1:1:stateMachine:kid',"
        "'Input':{'a':1}},'ResultSelector':{'out.$':'$.Output','st.$':'$.Status',"
        "'in.$':'$.Input'},'ResultPath':'$.s','End':true}}}",
        "{}");
    assert_output(&r, "{'md5':'5d41402abc4b2a76b9719d911017c592','s':{'out':{},"
                      "'st':'SUCCEEDED','in':{'a':1}}}");
    run_release(&r);
    run(&r,
        "{'StartAt':'L','States':{'L':{'Type':'Task','Resource':"
        "'arn:aws:states:::lambda:invoke','Parameters':{'FunctionName':'f'},'End':true}}"
        "}",
        "{}");
    assert_output(&r, "{'ExecutedVersion':'$LATEST','Payload':{},'StatusCode':200}");
    run_release(&r);
}

/* ---- cost cuts that must not change results
 * -------------------------------------------- */

/* interp_format_time writes digits itself; the printf form it replaced is the oracle. */
static void test_interp_time_format_digits(void **state)
{
    (void)state;
    static const int64_t fixed[] = {0,
                                    1,
                                    999,
                                    86399999,
                                    -1,
                                    -86400000,
                                    951782400000,     /* 2000-02-29 */
                                    253402300799999,  /* 9999-12-31T23:59:59.999Z */
                                    253402300800000,  /* year 10000: printf path */
                                    -62167219200001}; /* year -1: printf path */
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < ARRAY_SIZE(fixed) + 2000; i++) {
        int64_t ms;
        if (i < ARRAY_SIZE(fixed)) {
            ms = fixed[i];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            ms = (int64_t)(x % UINT64_C(253402300800000));
        }
        char got[32], want[96];
        interp_format_time(ms, got);
        int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
        int64_t rem = ms - days * 86400000;
        /* civil date by the same algorithm the interpreter documents (Hinnant) */
        int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
        int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
        snprintf(want, sizeof(want), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                 (long long)y, m, d, (unsigned)(rem / 3600000),
                 (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
                 (unsigned)(rem % 1000));
        want[31] = '\0';
        assert_string_equal(got, want);
    }
}

/* exec_uuid writes hex digits itself; the printf form it replaced is the oracle. */
static void test_interp_uuid_digits(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < 200; seed++) {
        struct exec a = {.rng = seed * 7919}, b = a;
        char got[40], want[40];
        exec_uuid(&a, got);
        uint64_t hi = exec_random(&b), lo = exec_random(&b);
        hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
        lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
        snprintf(want, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32),
                 (unsigned)(hi >> 16 & 0xffff), (unsigned)(hi & 0xffff),
                 (unsigned)(lo >> 48),
                 (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
        assert_string_equal(got, want);
    }
}

/* The names of the *StateEntered events of a history (what `wfgen test` used to read). */
static json_t *entered_of(json_t *history)
{
    json_t *names = json_array();
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(history, "events"), i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "type"));
        if (strlen(type) >= 12 && !strcmp(type + strlen(type) - 12, "StateEntered"))
            json_array_append(
                names,
                json_object_get(json_object_get(ev, "stateEnteredEventDetails"), "name"));
    }
    return names;
}

#define ENTERED_DEF                                                                      \
    "{'StartAt':'P','States':{'P':{'Type':'Parallel','Branches':[{'StartAt':'A',"        \
    "'States':{'A':{'Type':'Pass','End':true}}},{'StartAt':'B','States':{'B':{'Type':"   \
    "'Wait','Seconds':1,'End':true}}}],'ResultPath':null,'Next':'M'},'M':{'Type':'Map'," \
    "'ItemsPath':'$.xs','ItemProcessor':{'StartAt':'I','States':{'I':{'Type':'Choice',"  \
    "'Choices':[{'Variable':'$','NumericGreaterThan':1,'Next':'J'}],'Default':'K'},"     \
    "'J':{'Type':'Pass','End':true},'K':{'Type':'Succeed'}}},'ResultPath':null,"         \
    "'Next':'D'},'D':{'Type':'Map','ItemsPath':'$.xs','ItemProcessor':{"                 \
    "'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'EXPRESS'},'StartAt':'C',"  \
    "'States':{'C':{'Type':'Pass','End':true}}},'Next':'F'},'F':{'Type':'Fail',"         \
    "'Error':'E'}}}"

/* interp_result.entered lists what the history's *StateEntered events name, without
 * the history; distributed Map children keep theirs to themselves. */
static void test_interp_entered_names(void **state)
{
    (void)state;
    struct run r1, r2;
    struct interp_opts o1 = {.history = true, .entered = true}, o2 = {.entered = true};
    run_opts(&r1, ENTERED_DEF, "{'xs':[1,2,3]}", NULL, NULL, &o1);
    run_opts(&r2, ENTERED_DEF, "{'xs':[1,2,3]}", NULL, NULL, &o2);
    assert_null(r2.res.history);
    json_t *from_history = entered_of(r1.res.history);
    assert_json_text(from_history, "[\"P\",\"A\",\"B\",\"M\",\"I\",\"K\",\"I\","
                                   "\"J\",\"I\",\"J\",\"D\",\"F\"]");
    char *a = jout_compact(from_history), *b = jout_compact(r1.res.entered),
         *c = jout_compact(r2.res.entered);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    free(a);
    free(b);
    free(c);
    json_decref(from_history);
    run_release(&r1);
    run_release(&r2);
}

/* Runs def on input with a shared cache or none; returns the output and history. */
static char *run_text(json_t *def, json_t *in, struct interp_cache *cache)
{
    struct interp_opts o = {.start_ms = T0, .history = true, .cache = cache, .seed = 7};
    struct interp_result res;
    interp_run(def, in, &o, &res);
    json_t *all = json_pack("{s:s,s:O?,s:s?,s:s?,s:O}", "status",
                            interp_status_name(res.status), "output", res.output, "error",
                            res.error, "cause", res.cause, "history", res.history);
    char *text = jout_compact(all);
    json_decref(all);
    interp_result_release(&res);
    return text;
}

/* A cache kept across runs (as `wfgen test` keeps one per workflow) changes nothing:
 * compiled templates, paths, Choice rules, resources and next states. */
static void test_interp_cache_reuse(void **state)
{
    (void)state;
    static const char *const defs[] = {
        ENTERED_DEF,
        "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':"
        "'arn:aws:states:::lambda:invoke.waitForTaskToken','Parameters':{'tok.$':"
        "'$$.Task.Token','n.$':'States.Format(\\'{}-{}\\', $.a, $$.State.Name)',"
        "'nest':[{'x.$':'$.a'},'lit']},'ResultSelector':{'p.$':'$.Payload'},"
        "'ResultPath':'$.r','OutputPath':'$.r','Retry':[{'ErrorEquals':['X'],"
        "'MaxAttempts':1}],'Next':'C'},'C':{'Type':'Choice','Choices':[{'And':[{"
        "'Variable':'$.p','IsPresent':true},{'Not':{'Variable':'$.p','IsNull':true}}],"
        "'Next':'S'}],'Default':'F'},'S':{'Type':'Pass','Parameters':{'bad.$':'$.nope'},"
        "'End':true},'F':{'Type':'Fail'}}}",
    };
    json_t *in = J("{'a':'x','xs':[1,2]}");
    for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
        json_t *def = J(defs[i]);
        struct interp_cache *cache = interp_cache_new();
        char *fresh = run_text(def, in, NULL);
        char *first = run_text(def, in, cache), *second = run_text(def, in, cache);
        assert_string_equal(first, fresh);
        assert_string_equal(second, fresh);
        free(fresh);
        free(first);
        free(second);
        interp_cache_free(cache);
        json_decref(def);
    }
    json_decref(in);
}

/* A compiled template gives what the template walk gives, errors included. */
static void test_interp_compiled_template(void **state)
{
    (void)state;
    static const char *const tmpls[] = {
        "{'a.$':'$.x','b':{'c.$':'$.y[1]','d':[1,{'e.$':'$$.Name'},'f.$']},'g':null}",
        "{'a':1,'a.$':'$.x'}",
        "{'s.$':'States.Format(\\'{} {}\\', $.x, "
        "$.y[0])','l.$':'States.ArrayLength($.y)'}",
        "[{'v.$':'$.x'},{'w.$':'$.y'}]",
        "'plain'",
        "{'.$':'$.x','x..$':'$.x'}",
        "{'a.$':'$.missing'}",
        "{'ok.$':'$.x','bad.$':5}",
        "{'bad.$':'States.Nope($.x)'}",
        "{'bad.$':'$.x[?('}",
        "{'e.$':'States.ArrayGetItem($.y, 9)'}",
    };
    json_t *doc = J("{'x':'X','y':[1,2]}"), *ctx = J("{'Name':'n'}");
    struct intr_rng rng = {1};
    struct expr_env env = {.lang = EXPR_JSONPATH, .context = ctx, .rng = &rng};
    for (size_t i = 0; i < ARRAY_SIZE(tmpls); i++) {
        json_t *t = J(tmpls[i]), *o1 = NULL, *o2 = NULL;
        struct expr_err e1 = {0}, e2 = {0};
        int rc1 = expr_template(&env, t, doc, &o1, &e1);
        struct expr_tmpl *c = expr_tmpl_compile(t);
        int rc2 = expr_tmpl_eval(&env, c, doc, &o2, &e2);
        assert_int_equal(rc1, rc2);
        if (rc1) {
            assert_null(o2);
            assert_string_equal(e1.name, e2.name);
            assert_string_equal(e1.cause, e2.cause);
        } else {
            char *a = jout_compact(o1), *b = jout_compact(o2);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
        expr_err_release(&e1);
        expr_err_release(&e2);
        json_decref(o1);
        json_decref(o2);
        expr_tmpl_free(c);
        json_decref(t);
    }
    json_decref(doc);
    json_decref(ctx);
}

/* A rule with two operators (the validator refuses it) still uses the first of the
 * operator table, whatever the order of its keys. */
static void test_interp_choice_operator_order(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'StartAt':'C','States':{'C':{'Type':'Choice','Choices':[{'NumericEquals':1,"
        "'Variable':'$.v','StringEquals':'a','Next':'Y'}],'Default':'N'},"
        "'Y':{'Type':'Pass','Result':'yes','End':true},"
        "'N':{'Type':'Pass','Result':'no','End':true}}}",
        "{'v':'a'}");
    assert_output(&r, "'yes'");
    run_release(&r);
}

/* The Context object is built only when read; what a reader sees is unchanged, in a
 * distributed Map child too. */
static void test_interp_context_on_demand(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.exec_name = "ex", .machine_name = "sm"};
    run_opts(&r,
             "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{"
             "'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'EXPRESS'},"
             "'StartAt':'C','States':{'C':{'Type':'Pass','Parameters':{"
             "'in.$':'$$.Execution.Input','st.$':'$$.Execution.StartTime',"
             "'sm.$':'$$.StateMachine.Name','state.$':'$$.State.Name'},'End':true}}},"
             "'End':true}}}",
             "[{'k':1}]", NULL, NULL, &o);
    assert_output(&r, "[{'in':{'k':1},'st':'2026-01-01T00:00:00.000Z','sm':'sm',"
                      "'state':'C'}]");
    run_release(&r);
    run_opts(&r,
             "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{"
             "'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'EXPRESS'},"
             "'StartAt':'C','States':{'C':{'Type':'Pass','Parameters':{"
             "'id.$':'$$.Execution.Id','name.$':'$$.Execution.Name'},'End':true}}},"
             "'End':true}}}",
             "[1]", NULL, NULL, &o);
    assert_int_equal(r.res.status, INTERP_SUCCEEDED);
    json_t *child = json_array_get(r.res.output, 0);
    const char *id = json_string_value(json_object_get(child, "id"));
    const char *name = json_string_value(json_object_get(child, "name"));
    assert_int_equal(strlen(name), 36);
    char *want =
        xasprintf("arn:aws:states:us-east-1:123456789012:execution:sm/M:%s", name);
    assert_string_equal(id, want);
    free(want);
    run_release(&r);
}

/* An execution input over 256 KiB fails at the first state, even one that passes its
 * input on unchanged (a Choice): only a state's checked output skips the check. */
static void test_interp_data_limit_first_state(void **state)
{
    (void)state;
    size_t n = 300 * 1024;
    char *big = xmalloc(n + 16);
    memcpy(big, "{'s':'", 6);
    memset(big + 6, 'x', n);
    memcpy(big + 6 + n, "'}", 3);
    struct run r;
    run(&r,
        "{'StartAt':'C','States':{'C':{'Type':'Choice','Choices':[{'Variable':'$.s',"
        "'IsString':true,'Next':'D'}]},'D':{'Type':'Succeed'}}}",
        big);
    assert_failed(&r, "States.DataLimitExceeded", "returned a result with a size");
    run_release(&r);
    free(big);
}

/* ---- redrive of a Parallel or Map: only what failed runs again; aborts
 * ------------------------------------------------------------------------- */

/* The types of a history's events from index `from` on, each followed by a space. */
static void types_from(json_t *history, size_t from, char *buf, size_t n)
{
    json_t *ev = json_object_get(history, "events");
    buf[0] = '\0';
    for (size_t i = from; i < json_array_size(ev); i++) {
        const char *t = json_string_value(json_object_get(json_array_get(ev, i), "type"));
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s ", t ? t : "?");
    }
}

/* The index in the i-th event's details (MapIteration*), or -1. */
static long event_index(json_t *history, size_t i)
{
    json_t *e = json_array_get(json_object_get(history, "events"), i);
    const char *k;
    json_t *d;
    json_object_foreach(e, k, d)
    {
        json_t *ix = json_object_get(d, "index");
        if (json_is_integer(ix))
            return (long)json_integer_value(ix);
    }
    return -1;
}

static void test_interp_redrive_map_only_failed(void **state)
{
    (void)state;
    const char *def =
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{'StartAt':'W',"
        "'States':{'W':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'ResultSelector':{'v.$':'$.Payload','rc.$':'$$.Execution.RedriveCount'},"
        "'End':true}}},'End':true}}}";
    const char *mocks =
        "{'StateMachines':{'sm':{'TestCases':{'bad':{'W':'B'},'good':{'W':'G'}}}},"
        "'MockedResponses':{'B':{'0':{'Return':{'Payload':'p0'},'Duration':1},"
        "'1':{'Throw':{'Error':'E','Cause':'one'},'Duration':4},"
        "'2':{'Return':{'Payload':'p2'},'Duration':2}},"
        "'G':{'0':{'Return':{'Payload':'fixed'}}}}}";
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(&r, def, "[10,20,30]", mocks, "bad", &o);
    assert_failed(&r, "E", "one");
    json_t *hist = json_incref(r.res.history);
    size_t old = json_array_size(json_object_get(hist, "events"));
    run_release(&r);
    o = (struct interp_opts){.history = true, .redrive = hist};
    run_opts(&r, def, "{}", mocks, "good", &o);
    assert_output(&r, "[{'v':'p0','rc':0},{'v':'fixed','rc':1},{'v':'p2','rc':0}]");
    char types[2048];
    types_from(r.res.history, old, types, sizeof(types));
    assert_string_equal(types, "ExecutionRedriven MapStateEntered MapStateStarted "
                               "MapIterationStarted TaskStateEntered TaskScheduled "
                               "TaskStarted TaskSucceeded TaskStateExited "
                               "MapIterationSucceeded MapStateSucceeded MapStateExited "
                               "ExecutionSucceeded ");
    assert_int_equal(event_index(r.res.history, old + 3), 1);
    long events = r.res.events;
    run_release(&r);
    /* the same without a history being written */
    o = (struct interp_opts){.redrive = hist};
    run_opts(&r, def, "{}", mocks, "good", &o);
    assert_output(&r, "[{'v':'p0','rc':0},{'v':'fixed','rc':1},{'v':'p2','rc':0}]");
    assert_int_equal(r.res.events, events);
    run_release(&r);
    json_decref(hist);
}

static void test_interp_redrive_parallel_only_failed(void **state)
{
    (void)state;
    const char *def =
        "{'StartAt':'P','States':{'P':{'Type':'Parallel','Branches':["
        "{'StartAt':'A','States':{'A':{'Type':'Task','Resource':"
        "'arn:aws:states:::lambda:invoke','OutputPath':'$.Payload','Next':'A2'},"
        "'A2':{'Type':'Succeed'}}},"
        "{'StartAt':'B','States':{'B':{'Type':'Task','Resource':"
        "'arn:aws:states:::lambda:invoke','OutputPath':'$.Payload','End':true}}}],"
        "'Next':'D'},'D':{'Type':'Pass','End':true}}}";
    /* on the redrive A would fail if it ran again */
    const char *mocks = "{'StateMachines':{'sm':{'TestCases':{'bad':{'A':'Ok','B':'No'},"
                        "'good':{'A':'No','B':'Ok'}}}},"
                        "'MockedResponses':{'Ok':{'0':{'Return':{'Payload':'ok'}}},"
                        "'No':{'0':{'Throw':{'Error':'E','Cause':'no'}}}}}";
    struct run r;
    struct interp_opts o = {.history = true};
    run_opts(&r, def, "{}", mocks, "bad", &o);
    assert_failed(&r, "E", "no");
    json_t *hist = json_incref(r.res.history);
    size_t old = json_array_size(json_object_get(hist, "events"));
    run_release(&r);
    o = (struct interp_opts){.history = true, .redrive = hist};
    run_opts(&r, def, "{}", mocks, "good", &o);
    assert_output(&r, "['ok','ok']");
    char types[2048];
    types_from(r.res.history, old, types, sizeof(types));
    assert_string_equal(types, "ExecutionRedriven ParallelStateEntered "
                               "ParallelStateStarted TaskStateEntered TaskScheduled "
                               "TaskStarted TaskSucceeded TaskStateExited "
                               "ParallelStateSucceeded ParallelStateExited "
                               "PassStateEntered PassStateExited ExecutionSucceeded ");
    run_release(&r);
    json_decref(hist);
}

/* A failed branch aborts the branches still running at that moment; a failed
 * iteration the iterations started by then; later ones never start. */
static void test_interp_failure_aborts_others(void **state)
{
    (void)state;
    struct run r;
    struct interp_opts o = {.history = true};
    const char *par =
        "{'StartAt':'P','States':{'P':{'Type':'Parallel','Branches':["
        "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':60,'End':true}}},"
        "{'StartAt':'X','States':{'X':{'Type':'Wait','Seconds':5,'Next':'F'},"
        "'F':{'Type':'Fail','Error':'Boom'}}},"
        "{'StartAt':'Q','States':{'Q':{'Type':'Pass','End':true}}},"
        "{'StartAt':'L','States':{'L':{'Type':'Wait','Seconds':90,'End':true}}}],"
        "'End':true}}}";
    run_opts(&r, par, "{}", NULL, NULL, &o);
    assert_failed(&r, "Boom", NULL);
    char types[2048];
    types_from(r.res.history, 0, types, sizeof(types));
    assert_string_equal(types,
                        "ExecutionStarted ParallelStateEntered ParallelStateStarted "
                        "WaitStateEntered WaitStateExited "
                        "WaitStateEntered WaitStateExited FailStateEntered "
                        "PassStateEntered PassStateExited "
                        "WaitStateEntered WaitStateAborted "
                        "ParallelStateFailed ExecutionFailed ");
    assert_true(r.res.end_ms == T0 + 5000);
    long events = r.res.events;
    run_release(&r);
    o = (struct interp_opts){0};
    run_opts(&r, par, "{}", NULL, NULL, &o);
    assert_int_equal(r.res.events, events);
    run_release(&r);

    const char *map =
        "{'StartAt':'M','States':{'M':{'Type':'Map','ItemProcessor':{'StartAt':'W',"
        "'States':{'W':{'Type':'Wait','SecondsPath':'$.s','Next':'C'},"
        "'C':{'Type':'Choice','Choices':[{'Variable':'$.f','BooleanEquals':true,"
        "'Next':'F'}],'Default':'D'},'F':{'Type':'Fail','Error':'Bad'},"
        "'D':{'Type':'Pass','End':true}}},'End':true}}}";
    const char *items = "[{'s':10,'f':true},{'s':5,'f':false},{'s':20,'f':false}]";
    o = (struct interp_opts){.history = true};
    run_opts(&r, map, items, NULL, NULL, &o);
    assert_failed(&r, "Bad", NULL);
    types_from(r.res.history, 0, types, sizeof(types));
    assert_non_null(strstr(types, "MapIterationFailed MapIterationStarted "
                                  "WaitStateEntered WaitStateExited ChoiceStateEntered "
                                  "ChoiceStateExited PassStateEntered PassStateExited "
                                  "MapIterationSucceeded MapIterationStarted "
                                  "WaitStateEntered WaitStateAborted MapIterationAborted "
                                  "MapStateFailed ExecutionFailed "));
    /* the redrive point keeps iteration 1's output only */
    json_t **kept = redrive_kept(r.res.history, "M", NULL, 3);
    assert_non_null(kept);
    assert_null(kept[0]);
    assert_json_text(kept[1], "{\"s\":5,\"f\":false}");
    assert_null(kept[2]);
    redrive_kept_free(kept, 3);
    assert_null(redrive_kept(r.res.history, "Other", NULL, 3));
    kept = redrive_kept(r.res.history, "M", NULL, 4); /* the items changed */
    for (size_t i = 0; kept && i < 4; i++)
        assert_null(kept[i]);
    redrive_kept_free(kept, 4);
    run_release(&r);

    /* one at a time: nothing starts after the failure */
    const char *one =
        "{'StartAt':'M','States':{'M':{'Type':'Map','MaxConcurrency':1,"
        "'ItemProcessor':{'StartAt':'F','States':{'F':{'Type':'Fail','Error':'Bad'}}},"
        "'End':true}}}";
    o = (struct interp_opts){.history = true};
    run_opts(&r, one, "[1,2,3]", NULL, NULL, &o);
    assert_failed(&r, "Bad", NULL);
    types_from(r.res.history, 0, types, sizeof(types));
    assert_string_equal(types, "ExecutionStarted MapStateEntered MapStateStarted "
                               "MapIterationStarted FailStateEntered MapIterationFailed "
                               "MapStateFailed ExecutionFailed ");
    run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interp_pipeline_order),
        cmocka_unit_test(test_interp_pass_paths),
        cmocka_unit_test(test_interp_parameters_literals),
        cmocka_unit_test(test_interp_missing_path_is_runtime),
        cmocka_unit_test(test_interp_result_path_mismatch),
        cmocka_unit_test(test_interp_choice_operators),
        cmocka_unit_test(test_interp_string_matches_escapes),
        cmocka_unit_test(test_interp_choice_no_match),
        cmocka_unit_test(test_interp_wait_virtual_clock),
        cmocka_unit_test(test_interp_wait_errors),
        cmocka_unit_test(test_interp_execution_timeout),
        cmocka_unit_test(test_interp_retry_backoff_arithmetic),
        cmocka_unit_test(test_interp_retry_timing),
        cmocka_unit_test(test_interp_retry_jitter_seeded),
        cmocka_unit_test(test_interp_runtime_never_caught),
        cmocka_unit_test(test_interp_error_matchers),
        cmocka_unit_test(test_interp_task_timeout_from_mock_duration),
        cmocka_unit_test(test_interp_data_limit),
        cmocka_unit_test(test_interp_fail_state),
        cmocka_unit_test(test_interp_map_items),
        cmocka_unit_test(test_interp_map_concurrency_time),
        cmocka_unit_test(test_interp_map_failure),
        cmocka_unit_test(test_interp_parallel),
        cmocka_unit_test(test_interp_context_object),
        cmocka_unit_test(test_interp_retry_count_in_context),
        cmocka_unit_test(test_interp_variables_timing),
        cmocka_unit_test(test_interp_variables_scope),
        cmocka_unit_test(test_interp_choice_assign),
        cmocka_unit_test(test_interp_mock_numbering),
        cmocka_unit_test(test_interp_strict_and_dry_run),
        cmocka_unit_test(test_interp_history_events),
        cmocka_unit_test(test_interp_history_limit),
        cmocka_unit_test(test_interp_time_format),
        cmocka_unit_test(test_interp_distributed_tolerance),
        cmocka_unit_test(test_interp_item_reader),
        cmocka_unit_test(test_interp_item_batcher),
        cmocka_unit_test(test_interp_redrive),
        cmocka_unit_test(test_interp_dry_run_shapes),
        cmocka_unit_test(test_interp_time_format_digits),
        cmocka_unit_test(test_interp_uuid_digits),
        cmocka_unit_test(test_interp_entered_names),
        cmocka_unit_test(test_interp_cache_reuse),
        cmocka_unit_test(test_interp_compiled_template),
        cmocka_unit_test(test_interp_choice_operator_order),
        cmocka_unit_test(test_interp_context_on_demand),
        cmocka_unit_test(test_interp_data_limit_first_state),
        cmocka_unit_test(test_interp_redrive_map_only_failed),
        cmocka_unit_test(test_interp_redrive_parallel_only_failed),
        cmocka_unit_test(test_interp_failure_aborts_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
