/*
 * Unit tests for JSONata states in the local interpreter: every expression field
 * (Arguments, Output, Assign, Condition, Items, ItemSelector, Seconds, Timestamp,
 * TimeoutSeconds, Error, Cause), the defaults, AWS's evaluation order, $states,
 * mixed JSONPath/JSONata machines, catchers with $states.errorOutput, variable scopes,
 * and the States.QueryEvaluationError cause texts.
 */
#include "helpers.h"
#include "interp/interp.h"

/*
 * Parses test JSON: ' stands for a JSON quote and " for a quote inside a JSON string
 * (JSONata string literals), so definitions read without escapes.
 */
static json_t *J(const char *text)
{
    char *s = malloc(2 * strlen(text) + 1), *w = s;
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            *w++ = '\\', *w++ = '"';
        else
            *w++ = *p == '\'' ? '"' : *p;
    }
    *w = '\0';
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
    int notes[8]; /* CHOICE notes seen: rule index + 1 (0: Default) */
    size_t nnotes;
};

static void note(void *arg, const struct interp_note *n)
{
    struct run *r = arg;
    if (n->kind == INTERP_NOTE_CHOICE && r->nnotes < 8)
        r->notes[r->nnotes++] = n->index + 1;
}

/* Runs def on input; mocks (Step Functions Local format, case "c") are optional. */
static void run_mocked(struct run *r, const char *def, const char *input,
                       const char *mocks, bool history)
{
    memset(r, 0, sizeof(*r));
    struct interp_observer obs = {note, r};
    struct interp_opts o = {0};
    o.start_ms = T0;
    o.history = history;
    o.observer = &obs;
    json_t *d = J(def), *in = J(input);
    if (mocks) {
        json_t *m = J(mocks);
        char *err = NULL;
        assert_int_equal(mock_parse(&r->mock, m, &err), 0);
        assert_int_equal(mock_select(&r->mock, NULL, "c", &err), 0);
        json_decref(m);
        r->have_mock = true;
        o.mocks = &r->mock;
    }
    interp_run(d, in, &o, &r->res);
    json_decref(d);
    json_decref(in);
}

static void run(struct run *r, const char *def, const char *input)
{
    run_mocked(r, def, input, NULL, false);
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

/* The run failed with `error` and exactly `cause` after AWS's state prefix. */
static void assert_cause(struct run *r, const char *error, const char *state, long id,
                         const char *cause)
{
    assert_int_equal(r->res.status, INTERP_FAILED);
    assert_string_equal(r->res.error, error);
    char want[1024];
    snprintf(want, sizeof(want),
             "An error occurred while executing the state '%s' (entered at the event id "
             "#%ld). %s",
             state, id, cause);
    assert_string_equal(r->res.cause, want);
}

/* A one-state JSONata machine around the state body (JSON members, ' quotes). */
#define ONE(body)                                                                        \
    "{'QueryLanguage':'JSONata','StartAt':'S','States':{'S':{" body ",'End':true}}}"

#define MOCK(response)                                                                   \
    "{'StateMachines':{'sm':{'TestCases':{'c':{'T':'R'}}}},'MockedResponses':{'R'"       \
    ":" response "}}"

/* ---- Pass and Output -----------------------------------------------------------------
 */

static void test_interp_jsonata_pass_default_output(void **state)
{
    (void)state;
    struct run r;
    run(&r, ONE("'Type':'Pass'"), "{'a':[1,2]}");
    assert_output(&r, "{'a':[1,2]}");
    run_release(&r);
}

static void test_interp_jsonata_output_template(void **state)
{
    (void)state;
    struct run r;
    /* expressions at any depth; keys never evaluated; spaces around make a literal */
    run(&r,
        ONE("'Type':'Pass','Output':{'sum':'{% $sum($states.input.a) %}',"
            "'list':[1,'{% $states.input.a[1] * 10 %}',{'k.$':'{%\"x\"%}'}],"
            "'lit':' {% $states.input %} ','n':null}"),
        "{'a':[1,2]}");
    assert_output(&r, "{'sum':3,'list':[1,20,{'k.$':'x'}],'lit':' {% $states.input %} ',"
                      "'n':null}");
    run_release(&r);
}

static void test_interp_jsonata_output_whole_expression(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        ONE("'Type':'Pass','Output':'{% $states.input.a ~> $map(function($v){$v*2}) %}'"),
        "{'a':[1,2,3]}");
    assert_output(&r, "[2,4,6]");
    run_release(&r);
}

/* ---- causes -------------------------------------------------------------------------
 */

static void test_interp_jsonata_undefined_cause(void **state)
{
    (void)state;
    struct run r;
    run(&r, ONE("'Type':'Pass','Output':{'result':'{% $states.input.nope %}'}"), "{}");
    assert_cause(&r, "States.QueryEvaluationError", "S", 2,
                 "The JSONata expression '$states.input.nope' specified for the field "
                 "'Output/result' returned nothing (undefined).");
    run_release(&r);
    run(&r, ONE("'Type':'Pass','Output':{'l':[0,'{%  $nope  %}']}"), "{}");
    assert_cause(&r, "States.QueryEvaluationError", "S", 2,
                 "The JSONata expression '$nope' specified for the field 'Output/l[1]' "
                 "returned nothing (undefined).");
    run_release(&r);
}

static void test_interp_jsonata_error_causes(void **state)
{
    (void)state;
    struct run r;
    run(&r, ONE("'Type':'Pass','Output':'{% $states.input.s + 1 %}'"), "{'s':'x'}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "States.QueryEvaluationError");
    assert_non_null(strstr(
        r.res.cause, "The JSONata expression '$states.input.s + 1' specified for "
                     "the field 'Output' threw an error during evaluation. T2001: "));
    run_release(&r);
    run(&r, ONE("'Type':'Pass','Output':'{% $sum %}'"), "{}");
    assert_cause(
        &r, "States.QueryEvaluationError", "S", 2,
        "The JSONata expression '$sum' specified for the field 'Output' returned "
        "an unsupported result type.");
    run_release(&r);
    /* $eval does not exist in Step Functions */
    run(&r, ONE("'Type':'Pass','Output':'{% $eval(\"1\") %}'"), "{}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_non_null(strstr(r.res.cause, "threw an error during evaluation. T1006"));
    run_release(&r);
}

static void test_interp_jsonata_history_event(void **state)
{
    (void)state;
    struct run r;
    run_mocked(&r, ONE("'Type':'Pass','Output':'{% $nope %}'"), "{}", NULL, true);
    json_t *events = json_object_get(r.res.history, "events");
    json_t *ev = json_array_get(events, 2);
    assert_string_equal(json_string_value(json_object_get(ev, "type")),
                        "EvaluationFailed");
    json_t *d = json_object_get(ev, "evaluationFailedEventDetails");
    assert_string_equal(json_string_value(json_object_get(d, "location")), "Output");
    assert_string_equal(json_string_value(json_object_get(d, "state")), "S");
    assert_string_equal(json_string_value(json_object_get(d, "error")),
                        "States.QueryEvaluationError");
    run_release(&r);
}

/* ---- Task ---------------------------------------------------------------------------
 */

static void test_interp_jsonata_task_defaults(void **state)
{
    (void)state;
    struct run r;
    /* no Arguments: the raw input is the task input; no Output: the result */
    const char *def = "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':"
                      "'Task','Resource':'arn:aws:states:::lambda:invoke','End':true}}}";
    run_mocked(&r, def, "{'in':1}", MOCK("{'0':{'Return':{'Payload':{'r':2}}}}"), true);
    assert_output(&r, "{'Payload':{'r':2}}");
    json_t *events = json_object_get(r.res.history, "events");
    json_t *sched =
        json_object_get(json_array_get(events, 2), "taskScheduledEventDetails");
    assert_string_equal(json_string_value(json_object_get(sched, "parameters")),
                        "{\"in\":1}");
    run_release(&r);
}

static void test_interp_jsonata_task_arguments_output(void **state)
{
    (void)state;
    struct run r;
    run_mocked(
        &r,
        "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"
        "'Resource':'arn:aws:states:::lambda:invoke','Arguments':{'FunctionName':"
        "'f','Payload':{'x':'{% $states.input.x %}'}},'Output':{'in':"
        "'{% $states.input %}','res':'{% $states.result.Payload %}'},'End':true}}}",
        "{'x':7}", MOCK("{'0':{'Return':{'Payload':{'r':2}}}}"), true);
    assert_output(&r, "{'in':{'x':7},'res':{'r':2}}");
    json_t *events = json_object_get(r.res.history, "events");
    json_t *sched =
        json_object_get(json_array_get(events, 2), "taskScheduledEventDetails");
    assert_string_equal(json_string_value(json_object_get(sched, "parameters")),
                        "{\"FunctionName\":\"f\",\"Payload\":{\"x\":7}}");
    run_release(&r);
}

static void test_interp_jsonata_task_timeout_expression(void **state)
{
    (void)state;
    struct run r;
    run_mocked(&r,
               "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"
               "'Resource':'arn:aws:states:::lambda:invoke','TimeoutSeconds':"
               "'{% $states.input.t %}','End':true}}}",
               "{'t':5}", MOCK("{'0':{'Return':{},'Duration':10}}"), false);
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "States.Timeout");
    assert_int_equal(r.res.end_ms, T0 + 5000);
    run_release(&r);
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"
        "'Resource':'arn:aws:states:::lambda:invoke','TimeoutSeconds':"
        "'{% $states.input.t %}','End':true}}}",
        "{'t':'5'}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "States.QueryEvaluationError");
    assert_non_null(strstr(r.res.cause, "for the field 'TimeoutSeconds' returned an "
                                        "unexpected result type. Expected 'integer', but "
                                        "was 'string' for value: \"5\""));
    run_release(&r);
}

/* ---- Assign -------------------------------------------------------------------------
 */

static void test_interp_jsonata_assign_order(void **state)
{
    (void)state;
    struct run r;
    /* Assign and Output of one state both see the variables as they were on entry */
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'A','States':{"
        "'A':{'Type':'Pass','Assign':{'n':1},'Next':'B'},"
        "'B':{'Type':'Pass','Assign':{'n':'{% $n + 1 %}','old':'{% $n %}'},"
        "'Output':{'seen':'{% $n %}'},'Next':'C'},"
        "'C':{'Type':'Pass','Output':{'n':'{% $n %}','old':'{% $old %}',"
        "'prev':'{% $states.input %}'},'End':true}}}",
        "{}");
    assert_output(&r, "{'n':2,'old':1,'prev':{'seen':1}}");
    run_release(&r);
}

static void test_interp_jsonata_assign_before_output(void **state)
{
    (void)state;
    struct run r;
    /* both fail: the Assign error is the one reported */
    run(&r, ONE("'Type':'Pass','Assign':{'x':'{% $a %}'},'Output':'{% $b %}'"), "{}");
    assert_cause(
        &r, "States.QueryEvaluationError", "S", 2,
        "The JSONata expression '$a' specified for the field 'Assign/x' returned "
        "nothing (undefined).");
    run_release(&r);
}

static void test_interp_jsonata_assign_scopes(void **state)
{
    (void)state;
    struct run r;
    /* iterations read outer variables; their own assignments stay inside */
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'A','States':{"
        "'A':{'Type':'Pass','Assign':{'k':10},'Next':'M'},"
        "'M':{'Type':'Map','Items':[1,2],'ItemProcessor':{'StartAt':'I','States':{"
        "'I':{'Type':'Pass','Assign':{'inner':'{% $states.input %}'},'Next':'J'},"
        "'J':{'Type':'Pass','Output':'{% $inner + $k %}','End':true}}},'Next':'E'},"
        "'E':{'Type':'Pass','Output':{'r':'{% $states.input %}','inner':"
        "'{% $exists($inner) %}'},'End':true}}}",
        "{}");
    assert_output(&r, "{'r':[11,12],'inner':false}");
    run_release(&r);
}

/* ---- mixed machines ------------------------------------------------------------------
 */

static void test_interp_jsonata_mixed_machine(void **state)
{
    (void)state;
    struct run r;
    /* JSONPath -> JSONata -> JSONPath: data and variables flow both ways */
    run(&r,
        "{'StartAt':'P1','States':{"
        "'P1':{'Type':'Pass','Parameters':{'v.$':'$.a'},'Assign':{'fromPath.$':'$.v'},"
        "'Next':'A1'},"
        "'A1':{'Type':'Pass','QueryLanguage':'JSONata','Output':{'w':"
        "'{% $states.input.v * 2 %}','p':'{% $fromPath %}'},'Assign':{'fromAta':"
        "'{% $states.input.v + 100 %}'},'Next':'P2'},"
        "'P2':{'Type':'Pass','Parameters':{'w.$':'$.w','p.$':'$.p','ata.$':'$fromAta'},"
        "'End':true}}}",
        "{'a':3}");
    assert_output(&r, "{'w':6,'p':3,'ata':103}");
    run_release(&r);
}

/* ---- Choice -------------------------------------------------------------------------
 */

#define CHOICE                                                                           \
    "{'QueryLanguage':'JSONata','StartAt':'C','States':{'C':{'Type':'Choice',"           \
    "'Choices':[{'Condition':'{% $states.input.n > 10 %}','Next':'Big',"                 \
    "'Output':{'size':'big'},'Assign':{'picked':1}},"                                    \
    "{'Condition':false,'Next':'Big'},"                                                  \
    "{'Condition':'{% $states.input.n > 5 %}','Next':'Mid'}],"                           \
    "'Default':'Small','Output':{'size':'default'},'Assign':{'picked':0}},"              \
    "'Big':{'Type':'Pass','Output':{'in':'{% $states.input %}','p':'{% $picked %}'},"    \
    "'End':true},"                                                                       \
    "'Mid':{'Type':'Succeed'},"                                                          \
    "'Small':{'Type':'Pass','Output':{'in':'{% $states.input %}','p':'{% $picked %}'},"  \
    "'End':true}}}"

static void test_interp_jsonata_choice(void **state)
{
    (void)state;
    struct run r;
    run(&r, CHOICE, "{'n':20}");
    assert_output(&r, "{'in':{'size':'big'},'p':1}");
    assert_int_equal(r.nnotes, 1);
    assert_int_equal(r.notes[0], 1);
    run_release(&r);
    /* a matched rule without Output: the raw input; state-level Assign not applied */
    run(&r, CHOICE, "{'n':7}");
    assert_output(&r, "{'n':7}");
    assert_int_equal(r.notes[0], 3);
    run_release(&r);
    run(&r, CHOICE, "{'n':1}");
    assert_output(&r, "{'in':{'size':'default'},'p':0}");
    assert_int_equal(r.notes[0], 0);
    run_release(&r);
}

static void test_interp_jsonata_choice_not_boolean(void **state)
{
    (void)state;
    struct run r;
    run(&r, CHOICE, "{'n':'x'}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_non_null(strstr(r.res.cause, "'Choices[0]/Condition' threw an error"));
    run_release(&r);
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'C','States':{'C':{'Type':'Choice',"
        "'Choices':[{'Condition':'{% $states.input.n %}','Next':'E'}],'Default':'E'},"
        "'E':{'Type':'Succeed'}}}",
        "{'n':1}");
    assert_cause(&r, "States.QueryEvaluationError", "C", 2,
                 "The JSONata expression '$states.input.n' specified for the field "
                 "'Choices[0]/Condition' returned an unexpected result type. Expected "
                 "'boolean', but was 'number' for value: 1");
    run_release(&r);
}

/* ---- Wait ----------------------------------------------------------------------------
 */

static void test_interp_jsonata_wait(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'W','States':{'W':{'Type':'Wait',"
        "'Seconds':'{% $states.input.s * 60 %}','Next':'T'},"
        "'T':{'Type':'Wait','Timestamp':'{% $states.input.at %}','Next':'N'},"
        "'N':{'Type':'Pass','Output':'{% $now() %}','End':true}}}",
        "{'s':2,'at':'2026-01-01T01:00:00Z'}");
    assert_output(&r, "'2026-01-01T01:00:00.000Z'");
    run_release(&r);
    run(&r, ONE("'Type':'Wait','Timestamp':'{% $states.input.at %}'"),
        "{'at':'2026-01-01 01:00'}");
    assert_cause(&r, "States.QueryEvaluationError", "S", 2,
                 "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                 "date-time format string: 2026-01-01 01:00");
    run_release(&r);
    run(&r, ONE("'Type':'Wait','Seconds':'{% -1 %}'"), "{}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "States.QueryEvaluationError");
    assert_non_null(strstr(r.res.cause, "'Seconds' returned an invalid value: -1"));
    run_release(&r);
}

/* ---- Map and Parallel ----------------------------------------------------------------
 */

static void test_interp_jsonata_map(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        ONE("'Type':'Map','Items':'{% $states.input.xs %}','ItemSelector':{'v':"
            "'{% $states.context.Map.Item.Value %}','i':'{% "
            "$states.context.Map.Item.Index "
            "%}','tag':'{% $states.input.tag %}'},'ItemProcessor':{'StartAt':'I',"
            "'States':{'I':{'Type':'Pass','End':true}}}"),
        "{'xs':['a','b'],'tag':7}");
    assert_output(&r, "[{'v':'a','i':0,'tag':7},{'v':'b','i':1,'tag':7}]");
    run_release(&r);
    /* without Items the raw input is iterated; Output sees the result array */
    run(&r,
        ONE("'Type':'Map','Output':{'n':'{% $count($states.result) %}'},"
            "'ItemProcessor':{'StartAt':'I','States':{'I':{'Type':'Pass','End':true}}}"),
        "[1,2,3]");
    assert_output(&r, "{'n':3}");
    run_release(&r);
}

static void test_interp_jsonata_map_items_errors(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        ONE("'Type':'Map','Items':'{% $states.input.n %}','ItemProcessor':{'StartAt':"
            "'I','States':{'I':{'Type':'Pass','End':true}}}"),
        "{'n':1}");
    assert_cause(&r, "States.QueryEvaluationError", "S", 2,
                 "The JSONata expression '$states.input.n' specified for the field "
                 "'Items' returned an unexpected result type. Expected 'array', but was "
                 "'number' for value: 1");
    run_release(&r);
    run(&r,
        ONE("'Type':'Map','ItemProcessor':{'StartAt':'I','States':{'I':{'Type':'Pass',"
            "'End':true}}}"),
        "{}");
    assert_cause(&r, "States.QueryEvaluationError", "S", 2,
                 "Map state input must be an array but was: {}");
    run_release(&r);
}

static void test_interp_jsonata_parallel(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        ONE("'Type':'Parallel','Arguments':{'x':'{% $states.input.x %}'},'Branches':["
            "{'StartAt':'A','States':{'A':{'Type':'Pass','Output':'{% $states.input.x + "
            "1 "
            "%}','End':true}}},{'StartAt':'B','States':{'B':{'Type':'Pass','End':true}}}"
            "]"),
        "{'x':1,'y':2}");
    assert_output(&r, "[2,{'x':1}]");
    run_release(&r);
}

/* ---- Catch ---------------------------------------------------------------------------
 */

#define CATCH(catcher)                                                                   \
    "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"             \
    "'Resource':'arn:aws:states:::lambda:invoke','Output':'{% $states.result %}',"       \
    "'Assign':{'never':1},'Catch':[{'ErrorEquals':['States.ALL'],'Next':'F'" catcher     \
    "}],'End':true},'F':{'Type':'Pass','Output':{'in':'{% $states.input %}','never':"    \
    "'{% $exists($never) %}','caught':'{% $exists($caught) ? $caught : null %}'},"       \
    "'End':true}}}"

static void test_interp_jsonata_catch(void **state)
{
    (void)state;
    struct run r;
    const char *m = MOCK("{'0':{'Throw':{'Error':'Boom','Cause':'bad'}}}");
    /* default: the error output; the state's own Assign is skipped */
    run_mocked(&r, CATCH(""), "{'x':1}", m, false);
    assert_output(&r,
                  "{'in':{'Error':'Boom','Cause':'bad'},'never':false,'caught':null}");
    run_release(&r);
    run_mocked(&r,
               CATCH(",'Output':{'orig':'{% $states.input %}','err':"
                     "'{% $states.errorOutput.Error %}'},'Assign':{'caught':"
                     "'{% $states.errorOutput.Cause %}'}"),
               "{'x':1}", m, false);
    assert_output(&r,
                  "{'in':{'orig':{'x':1},'err':'Boom'},'never':false,'caught':'bad'}");
    run_release(&r);
}

static void test_interp_jsonata_query_error_catchable(void **state)
{
    (void)state;
    struct run r;
    /* States.QueryEvaluationError is an ordinary error: a catcher takes it */
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'T','States':{'T':{'Type':'Task',"
        "'Resource':'arn:aws:states:::lambda:invoke','Arguments':'{% $nope %}',"
        "'Catch':[{'ErrorEquals':['States.QueryEvaluationError'],'Next':'F',"
        "'Output':'{% $states.errorOutput.Error %}'}],'End':true},"
        "'F':{'Type':'Succeed'}}}",
        "{}");
    assert_output(&r, "'States.QueryEvaluationError'");
    run_release(&r);
}

/* ---- Fail, limits, context -----------------------------------------------------------
 */

static void test_interp_jsonata_fail(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        "{'QueryLanguage':'JSONata','StartAt':'F','States':{'F':{'Type':'Fail',"
        "'Error':'{% \"E.\" & $states.input.kind %}','Cause':'literal'}}}",
        "{'kind':'X'}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "E.X");
    assert_string_equal(r.res.cause, "literal");
    run_release(&r);
}

static void test_interp_jsonata_payload_limit(void **state)
{
    (void)state;
    struct run r;
    run(&r, ONE("'Type':'Pass','Output':'{% $join([1..30000].(\"0123456789\")) %}'"),
        "{}");
    assert_int_equal(r.res.status, INTERP_FAILED);
    assert_string_equal(r.res.error, "States.DataLimitExceeded");
    run_release(&r);
}

static void test_interp_jsonata_context_and_clock(void **state)
{
    (void)state;
    struct run r;
    run(&r,
        ONE("'Type':'Pass','Output':{'name':'{% $states.context.State.Name %}',"
            "'start':'{% $states.context.Execution.StartTime %}','now':'{% $millis() %}',"
            "'r':'{% $random() < 1 %}','u':'{% $length($uuid()) %}'}"),
        "{}");
    assert_output(&r,
                  "{'name':'S','start':'2026-01-01T00:00:00.000Z','now':1767225600000,"
                  "'r':true,'u':36}");
    run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interp_jsonata_pass_default_output),
        cmocka_unit_test(test_interp_jsonata_output_template),
        cmocka_unit_test(test_interp_jsonata_output_whole_expression),
        cmocka_unit_test(test_interp_jsonata_undefined_cause),
        cmocka_unit_test(test_interp_jsonata_error_causes),
        cmocka_unit_test(test_interp_jsonata_history_event),
        cmocka_unit_test(test_interp_jsonata_task_defaults),
        cmocka_unit_test(test_interp_jsonata_task_arguments_output),
        cmocka_unit_test(test_interp_jsonata_task_timeout_expression),
        cmocka_unit_test(test_interp_jsonata_assign_order),
        cmocka_unit_test(test_interp_jsonata_assign_before_output),
        cmocka_unit_test(test_interp_jsonata_assign_scopes),
        cmocka_unit_test(test_interp_jsonata_mixed_machine),
        cmocka_unit_test(test_interp_jsonata_choice),
        cmocka_unit_test(test_interp_jsonata_choice_not_boolean),
        cmocka_unit_test(test_interp_jsonata_wait),
        cmocka_unit_test(test_interp_jsonata_map),
        cmocka_unit_test(test_interp_jsonata_map_items_errors),
        cmocka_unit_test(test_interp_jsonata_parallel),
        cmocka_unit_test(test_interp_jsonata_catch),
        cmocka_unit_test(test_interp_jsonata_query_error_catchable),
        cmocka_unit_test(test_interp_jsonata_fail),
        cmocka_unit_test(test_interp_jsonata_payload_limit),
        cmocka_unit_test(test_interp_jsonata_context_and_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
