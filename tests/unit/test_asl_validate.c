/*
 * Unit tests for the ASL validator: every rule (structure, expressions, variables,
 * lints) has a failing case pinned to its code, line and column, and a passing case.
 * Snippets are YAML with one line per C string, so line numbers can be read off.
 */
#include "helpers.h"

#include "asl/validate.h"
#include "srcfile.h"
#include "yload.h"

#include <stdio.h>

static struct diag_list dl = DIAG_LIST_INIT;
static struct ydoc doc;
static bool loaded;

static void reset(void)
{
    if (loaded)
        ydoc_release(&doc);
    loaded = false;
    diag_release(&dl);
}

static int teardown(void **state)
{
    (void)state;
    reset();
    return 0;
}

/* Loads `text` and validates it; returns asl_validate's result. */
static int run_opts(const char *text, bool placeholders)
{
    reset();
    assert_int_equal(yload_mem(&doc, "m.asl.yaml", text, strlen(text), &dl), 0);
    loaded = true;
    struct asl_opts opts = {.allow_placeholders = placeholders};
    int rc = asl_validate(&doc, doc.root, &opts, &dl);
    diag_sort(&dl);
    return rc;
}

static int run(const char *text)
{
    return run_opts(text, false);
}

static void dump(void)
{
    for (size_t i = 0; i < dl.nr; i++)
        print_message("  %u:%u WF%04u %s\n", dl.v[i].loc.line, dl.v[i].loc.col,
                      diag_info(dl.v[i].id)->num, dl.v[i].msg);
}

/* Exactly one diagnostic, with this code and position. */
static void only(enum diag_id id, unsigned line, unsigned col)
{
    if (dl.nr != 1)
        dump();
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, id, line, col);
}

/* No diagnostic at all. */
static void clean(void)
{
    if (dl.nr)
        dump();
    assert_int_equal(dl.nr, 0);
}

/* Some diagnostic has this code and position. */
static void has(enum diag_id id, unsigned line, unsigned col)
{
    for (size_t i = 0; i < dl.nr; i++)
        if (dl.v[i].id == id && dl.v[i].loc.line == line && dl.v[i].loc.col == col)
            return;
    dump();
    fail_msg("no WF%04u at %u:%u", diag_info(id)->num, line, col);
}

static size_t count(enum diag_id id)
{
    size_t n = 0;
    for (size_t i = 0; i < dl.nr; i++)
        n += dl.v[i].id == id;
    return n;
}

/* ---- whole machines ---------------------------------------------------------------- */

static void test_asl_validate_accepts_jsonpath_machine(void **state)
{
    (void)state;
    assert_int_equal(
        run("Comment: nightly\n"
            "StartAt: Prepare\n"
            "TimeoutSeconds: 3600\n"
            "States:\n"
            "  Prepare:\n"
            "    Type: Pass\n"
            "    Parameters: {date.$: $$.Execution.StartTime, mode: full}\n"
            "    ResultPath: $.prep\n"
            "    Assign: {attempt: 1, shop.$: $.shop}\n"
            "    Next: Work\n"
            "  Work:\n"
            "    Type: Task\n"
            "    Resource: arn:aws:states:::ecs:runTask.sync\n"
            "    Parameters: {TaskDefinition: sales, Cmd.$: States.Array($shop)}\n"
            "    TimeoutSeconds: 600\n"
            "    Retry: [{ErrorEquals: [ECS.AmazonECSException], MaxAttempts: 2}]\n"
            "    Catch: [{ErrorEquals: [States.ALL], Next: Failed}]\n"
            "    Next: Route\n"
            "  Route:\n"
            "    Type: Choice\n"
            "    Choices:\n"
            "      - And:\n"
            "          - {Variable: $.prep.mode, IsPresent: true}\n"
            "          - {Variable: $.prep.mode, StringEquals: full}\n"
            "        Next: Fan\n"
            "    Default: Done\n"
            "  Fan:\n"
            "    Type: Parallel\n"
            "    Branches:\n"
            "      - StartAt: One\n"
            "        States: {One: {Type: Wait, Seconds: 5, End: true}}\n"
            "    Next: Done\n"
            "  Failed: {Type: Fail, Error: WorkFailed}\n"
            "  Done: {Type: Succeed}\n"),
        0);
    clean();
}

static void test_asl_validate_accepts_jsonata_machine(void **state)
{
    (void)state;
    assert_int_equal(
        run("QueryLanguage: JSONata\n"
            "StartAt: Items\n"
            "States:\n"
            "  Items:\n"
            "    Type: Map\n"
            "    Items: '{% $states.input.list %}'\n"
            "    MaxConcurrency: 4\n"
            "    ItemProcessor:\n"
            "      StartAt: Call\n"
            "      States:\n"
            "        Call:\n"
            "          Type: Task\n"
            "          Resource: arn:aws:states:::lambda:invoke\n"
            "          Arguments: {FunctionName: f, Payload: '{% $states.input %}'}\n"
            "          Output: '{% $states.result.Payload %}'\n"
            "          End: true\n"
            "    Assign: {total: '{% $count($states.result) %}'}\n"
            "    Next: Check\n"
            "  Check:\n"
            "    Type: Choice\n"
            "    Choices:\n"
            "      - Condition: '{% $total > 0 %}'\n"
            "        Next: Done\n"
            "    Default: Done\n"
            "  Done: {Type: Succeed, Output: '{% $total %}'}\n"),
        0);
    clean();
}

static void test_asl_validate_not_object(void **state)
{
    (void)state;
    assert_int_equal(run("- a\n"), -1);
    only(D_ASL_NOT_OBJECT, 1, 1);
}

/* A top-level field put inside States: one error with a hint, no unreachable state. */
static void test_asl_validate_state_not_object(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  QueryLanguage: JSONata\n"
                         "  A: {Type: Pass, End: true}\n"),
                     -1);
    only(D_ASL_FIELD_VALUE, 3, 18);
    assert_int_equal(dl.v[0].nnotes, 1);
    assert_non_null(strstr(dl.v[0].notes[0], "next to \"StartAt\""));
}

/* ---- field matrix ------------------------------------------------------------------ */

static void test_asl_validate_missing_field(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_MISSING_FIELD, 3, 3);
    assert_int_equal(run("States: {A: {Type: Succeed}}\n"), -1);
    only(D_ASL_MISSING_FIELD, 1, 1);
}

static void test_asl_validate_unknown_field(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    InputPth: $.a\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_UNKNOWN_FIELD, 5, 5);
    assert_non_null(strstr(dl.v[0].notes[0], "'InputPath'"));
    assert_int_equal(
        run("StartAt: A\nStates: {A: {Type: Pass, InputPath: $.a, End: true}}\n"), 0);
    clean();
}

static void test_asl_validate_field_not_allowed(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    ResultSelector: {a.$: $.b}\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_FIELD_NOT_ALLOWED, 5, 5);
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Succeed\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_FIELD_NOT_ALLOWED, 5, 5);
}

static void test_asl_validate_field_value(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:lambda:us-east-1:1:function:f\n"
                         "    TimeoutSeconds: '60'\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_FIELD_VALUE, 6, 21);
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:lambda:us-east-1:1:function:f\n"
                         "    TimeoutSeconds: 0\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_FIELD_VALUE, 6, 21);
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:lambda:us-east-1:1:function:f\n"
                         "    TimeoutSeconds: 60\n"
                         "    End: true\n"),
                     0);
    clean();
    assert_int_equal(
        run("StartAt: A\nQueryLanguage: JSONPATH\nStates: {A: {Type: Succeed}}\n"), -1);
    only(D_ASL_FIELD_VALUE, 2, 16);
}

static void test_asl_validate_exclusive_fields(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Fail\n"
                         "    Error: Boom\n"
                         "    ErrorPath: $.error\n"),
                     -1);
    only(D_ASL_FIELDS_EXCLUSIVE, 6, 5);
    assert_int_equal(run("StartAt: A\nStates: {A: {Type: Fail, ErrorPath: $.error}}\n"),
                     0);
    clean();
}

static void test_asl_validate_next_end(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "  B: {Type: Succeed}\n"),
                     -1);
    has(D_ASL_NO_NEXT_OR_END, 3, 3);
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Next: B\n"
                         "    End: true\n"
                         "  B: {Type: Succeed}\n"),
                     -1);
    only(D_ASL_NEXT_AND_END, 6, 5);
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, Next: B}\n"
                         "  B: {Type: Succeed}\n"),
                     0);
    clean();
}

static void test_asl_validate_state_type(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Paas\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_STATE_TYPE, 4, 11);
    assert_non_null(strstr(dl.v[0].notes[0], "'Pass'"));
    assert_int_equal(run("StartAt: A\nStates:\n  A: {End: true}\n"), -1);
    only(D_ASL_STATE_TYPE, 3, 3);
}

/* ---- state names ------------------------------------------------------------------- */

static void test_asl_validate_state_name_length(void **state)
{
    (void)state;
    char text[512];
    char name[82];
    memset(name, 'n', 81);
    name[81] = '\0';
    snprintf(text, sizeof(text), "StartAt: %s\nStates:\n  %s: {Type: Succeed}\n", name,
             name);
    assert_int_equal(run(text), -1);
    only(D_ASL_STATE_NAME_LENGTH, 3, 3);
    name[80] = '\0';
    snprintf(text, sizeof(text), "StartAt: %s\nStates:\n  %s: {Type: Succeed}\n", name,
             name);
    assert_int_equal(run(text), 0);
    clean();
}

static void test_asl_validate_state_name_chars(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: \"a\\tb\"\nStates:\n  \"a\\tb\": {Type: Succeed}\n"),
                     -1);
    only(D_ASL_STATE_NAME_CHARS, 3, 3);
    /* spaces and question marks are common in real definitions and accepted by AWS */
    assert_int_equal(run("StartAt: Job done?\nStates:\n  Job done?: {Type: Succeed}\n"),
                     0);
    clean();
}

static void test_asl_validate_duplicate_names(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: P\n"
                         "States:\n"
                         "  P:\n"
                         "    Type: Parallel\n"
                         "    Branches:\n"
                         "      - StartAt: Done\n"
                         "        States:\n"
                         "          Done: {Type: Succeed}\n"
                         "    Next: Done\n"
                         "  Done: {Type: Succeed}\n"),
                     -1);
    only(D_ASL_STATE_DUP, 10, 3);
}

/* ---- transitions ------------------------------------------------------------------- */

static void test_asl_validate_bad_target(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, Next: Dnoe}\n"
                         "  Done: {Type: Succeed}\n"),
                     -1);
    only(D_ASL_BAD_TARGET, 3, 25);
    assert_non_null(strstr(dl.v[0].notes[0], "'Done'"));
    assert_int_equal(run("StartAt: Nope\nStates:\n  A: {Type: Succeed}\n"), -1);
    only(D_ASL_BAD_TARGET, 1, 10);
    /* a branch may not jump out to its parent's states */
    assert_int_equal(run("StartAt: P\n"
                         "States:\n"
                         "  P:\n"
                         "    Type: Parallel\n"
                         "    Branches:\n"
                         "      - StartAt: In\n"
                         "        States:\n"
                         "          In: {Type: Pass, Next: Done}\n"
                         "    Next: Done\n"
                         "  Done: {Type: Succeed}\n"),
                     -1);
    only(D_ASL_BAD_TARGET, 8, 34);
    assert_non_null(strstr(dl.v[0].notes[0], "the state machine"));
}

static void test_asl_validate_unreachable(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Succeed}\n"
                         "  B: {Type: Succeed}\n"),
                     -1);
    only(D_ASL_UNREACHABLE, 4, 3);
    /* reachable through a catcher only */
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:lambda:us-east-1:1:function:f\n"
                         "    Catch: [{ErrorEquals: [States.ALL], Next: B}]\n"
                         "    End: true\n"
                         "  B: {Type: Succeed}\n"),
                     0);
    clean();
}

static void test_asl_validate_no_terminal(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, Next: B}\n"
                         "  B: {Type: Wait, Seconds: 1, Next: A}\n"),
                     -1);
    only(D_ASL_NO_TERMINAL, 2, 1);
    assert_int_equal(
        run("StartAt: A\n"
            "States:\n"
            "  A: {Type: Pass, Next: B}\n"
            "  B:\n"
            "    Type: Choice\n"
            "    Choices: [{Variable: $$.Execution.Name, StringEquals: x, Next: A}]\n"
            "    Default: C\n"
            "  C: {Type: Fail}\n"),
        0);
    clean();
}

/* ---- Choice ------------------------------------------------------------------------ */

#define CHOICE_HEAD                                                                      \
    "StartAt: C\n"                                                                       \
    "States:\n"                                                                          \
    "  C:\n"                                                                             \
    "    Type: Choice\n"                                                                 \
    "    Default: D\n"                                                                   \
    "    Choices:\n"
#define CHOICE_TAIL "  D: {Type: Succeed}\n"

static void test_asl_validate_choice_comparator(void **state)
{
    (void)state;
    assert_int_equal(run(CHOICE_HEAD "      - Variable: $$.Execution.Name\n"
                                     "        StringEquals: a\n"
                                     "        StringMatches: b*\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_COMPARATOR, 9, 9);
    assert_int_equal(run(CHOICE_HEAD "      - Variable: $$.Execution.Name\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_COMPARATOR, 7, 9);
}

static void test_asl_validate_choice_next(void **state)
{
    (void)state;
    assert_int_equal(
        run(CHOICE_HEAD
            "      - {Variable: $$.Execution.Name, IsString: true}\n" CHOICE_TAIL),
        -1);
    only(D_ASL_CHOICE_NEXT, 7, 9);
    assert_int_equal(run(CHOICE_HEAD "      - Not:\n"
                                     "          Variable: $$.Execution.Name\n"
                                     "          IsNull: true\n"
                                     "          Next: D\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_NEXT, 10, 11);
}

static void test_asl_validate_choice_variable(void **state)
{
    (void)state;
    assert_int_equal(run(CHOICE_HEAD "      - {StringEquals: a, Next: D}\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_VARIABLE, 7, 9);
    assert_int_equal(run(CHOICE_HEAD
                         "      - Variable: $.a\n"
                         "        Or: [{Variable: $$.Execution.Name, IsNull: true}]\n"
                         "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_VARIABLE, 7, 9);
}

static void test_asl_validate_choice_operand(void **state)
{
    (void)state;
    assert_int_equal(run(CHOICE_HEAD "      - Variable: $$.Execution.Name\n"
                                     "        NumericEquals: '1'\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_OPERAND, 8, 24);
    assert_int_equal(run(CHOICE_HEAD "      - Variable: $$.Execution.StartTime\n"
                                     "        TimestampEquals: '2024-02-30T00:00:00Z'\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    only(D_ASL_CHOICE_OPERAND, 8, 26);
    assert_int_equal(run(CHOICE_HEAD
                         "      - Variable: $$.Execution.StartTime\n"
                         "        TimestampLessThan: '2024-02-29T23:59:59.5+09:00'\n"
                         "        Next: D\n" CHOICE_TAIL),
                     0);
    clean();
}

static void test_asl_validate_choice_path_comparator(void **state)
{
    (void)state;
    assert_int_equal(run(CHOICE_HEAD "      - Variable: $$.Execution.Name\n"
                                     "        StringEqualsPath: $..name\n"
                                     "        Next: D\n" CHOICE_TAIL),
                     -1);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_EXPR_REFPATH);
    assert_int_equal(dl.v[0].loc.line, 8);
}

static void test_asl_validate_choice_jsonata_rules(void **state)
{
    (void)state;
    assert_int_equal(run("QueryLanguage: JSONata\n" CHOICE_HEAD "      - Variable: $.a\n"
                         "        Next: D\n" CHOICE_TAIL),
                     -1);
    has(D_EXPR_WRONG_QL, 8, 9);
    has(D_ASL_MISSING_FIELD, 8, 9);
}

/* ---- Retry and Catch --------------------------------------------------------------- */

#define TASK_HEAD                                                                        \
    "StartAt: T\n"                                                                       \
    "States:\n"                                                                          \
    "  T:\n"                                                                             \
    "    Type: Task\n"                                                                   \
    "    Resource: arn:aws:lambda:us-east-1:1:function:f\n"                              \
    "    End: true\n"

static void test_asl_validate_error_equals(void **state)
{
    (void)state;
    assert_int_equal(run(TASK_HEAD "    Retry: [{ErrorEquals: []}]\n"), -1);
    only(D_ASL_ERROR_EQUALS, 7, 27);
    assert_int_equal(run(TASK_HEAD "    Retry: [{ErrorEquals: [States.Timeout]}]\n"), 0);
    clean();
}

static void test_asl_validate_states_all(void **state)
{
    (void)state;
    assert_int_equal(run(TASK_HEAD "    Retry:\n"
                                   "      - ErrorEquals: [States.ALL]\n"
                                   "      - ErrorEquals: [States.Timeout]\n"),
                     -1);
    only(D_ASL_STATES_ALL, 8, 23);
    assert_int_equal(run(TASK_HEAD "    Retry:\n"
                                   "      - ErrorEquals: [States.Timeout, States.ALL]\n"),
                     -1);
    only(D_ASL_STATES_ALL, 8, 39);
    assert_int_equal(run(TASK_HEAD "    Retry:\n"
                                   "      - ErrorEquals: [States.Timeout]\n"
                                   "      - ErrorEquals: [States.ALL]\n"),
                     0);
    clean();
}

static void test_asl_validate_retry_fields(void **state)
{
    (void)state;
    assert_int_equal(run(TASK_HEAD "    Retry:\n"
                                   "      - ErrorEquals: [E]\n"
                                   "        IntervalSeconds: 0\n"
                                   "        MaxAttempts: -1\n"
                                   "        BackoffRate: 0.5\n"
                                   "        MaxDelaySeconds: 31622401\n"
                                   "        JitterStrategy: full\n"),
                     -1);
    assert_int_equal(dl.nr, 5);
    assert_diag(&dl, 0, D_ASL_RETRY_INTERVAL, 9, 26);
    assert_diag(&dl, 1, D_ASL_RETRY_MAX_ATTEMPTS, 10, 22);
    assert_diag(&dl, 2, D_ASL_RETRY_BACKOFF, 11, 22);
    assert_diag(&dl, 3, D_ASL_RETRY_MAX_DELAY, 12, 26);
    assert_diag(&dl, 4, D_ASL_RETRY_JITTER, 13, 25);
    assert_int_equal(run(TASK_HEAD "    Retry:\n"
                                   "      - ErrorEquals: [E]\n"
                                   "        IntervalSeconds: 1\n"
                                   "        MaxAttempts: 0\n"
                                   "        BackoffRate: 1\n"
                                   "        MaxDelaySeconds: 31622400\n"
                                   "        JitterStrategy: FULL\n"),
                     0);
    clean();
}

static void test_asl_validate_catch_next(void **state)
{
    (void)state;
    assert_int_equal(run(TASK_HEAD "    Catch: [{ErrorEquals: [E], Next: Gone}]\n"), -1);
    only(D_ASL_BAD_TARGET, 7, 38);
    assert_int_equal(run(TASK_HEAD "    Catch: [{ErrorEquals: [E]}]\n"), -1);
    only(D_ASL_MISSING_FIELD, 7, 13);
}

/* ---- Wait, Task, Map --------------------------------------------------------------- */

static void test_asl_validate_wait_duration(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: W\nStates:\n  W: {Type: Wait, End: true}\n"), -1);
    only(D_ASL_WAIT_DURATION, 3, 3);
    assert_int_equal(run("StartAt: W\n"
                         "States:\n"
                         "  W:\n"
                         "    Type: Wait\n"
                         "    Seconds: 5\n"
                         "    TimestampPath: $.at\n"
                         "    End: true\n"),
                     -1);
    only(D_ASL_WAIT_DURATION, 6, 5);
    assert_int_equal(
        run("StartAt: W\n"
            "States:\n"
            "  W: {Type: Wait, Timestamp: '2030-01-01T00:00:00Z', End: true}\n"),
        0);
    clean();
    assert_int_equal(
        run("StartAt: W\n"
            "States:\n"
            "  W: {Type: Wait, Timestamp: '2030-01-01 00:00:00', End: true}\n"),
        -1);
    only(D_ASL_FIELD_VALUE, 3, 30);
}

static void test_asl_validate_heartbeat_timeout(void **state)
{
    (void)state;
    assert_int_equal(run(TASK_HEAD "    TimeoutSeconds: 60\n"
                                   "    HeartbeatSeconds: 60\n"),
                     -1);
    only(D_ASL_HEARTBEAT_TIMEOUT, 8, 23);
    assert_int_equal(run(TASK_HEAD "    TimeoutSeconds: 60\n"
                                   "    HeartbeatSeconds: 59\n"),
                     0);
    clean();
}

#define MAP_TAIL                                                                         \
    "    ItemProcessor:\n"                                                               \
    "      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}\n"              \
    "      StartAt: P\n"                                                                 \
    "      States: {P: {Type: Pass, End: true}}\n"

static void test_asl_validate_map_distributed_only(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    MaxConcurrency: 2\n"
            "    ToleratedFailureCount: 1\n"
            "    Iterator: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
            "    End: true\n"),
        -1);
    only(D_ASL_MAP_DISTRIBUTED_ONLY, 6, 5);
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    ToleratedFailureCount: 1\n"
            "    ItemReader:\n"
            "      Resource: arn:aws:states:::s3:getObject\n"
            "      ReaderConfig: {InputType: CSV, CSVHeaderLocation: FIRST_ROW}\n"
            "      Parameters: {Bucket: b, Key: k.csv}\n"
            "    End: true\n" MAP_TAIL),
        0);
    clean();
}

static void test_asl_validate_map_processor(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: M\nStates:\n  M: {Type: Map, MaxConcurrency: 1, End: true}\n"), -1);
    only(D_ASL_MISSING_FIELD, 3, 3);
    assert_int_equal(run("StartAt: M\n"
                         "States:\n"
                         "  M:\n"
                         "    Type: Map\n"
                         "    End: true\n"
                         "    ItemProcessor:\n"
                         "      ProcessorConfig: {Mode: DISTRIBUTED}\n"
                         "      StartAt: P\n"
                         "      States: {P: {Type: Pass, End: true}}\n"),
                     -1);
    only(D_ASL_MISSING_FIELD, 7, 24);
}

static void test_asl_validate_map_legacy_iterator(void **state)
{
    (void)state;
    /* Iterator takes a ProcessorConfig like ItemProcessor (recorded by LocalStack) */
    assert_int_equal(run("StartAt: M\n"
                         "States:\n"
                         "  M:\n"
                         "    Type: Map\n"
                         "    MaxConcurrency: 1\n"
                         "    Parameters: {item.$: $$.Map.Item.Value}\n"
                         "    Iterator:\n"
                         "      ProcessorConfig: {Mode: INLINE}\n"
                         "      StartAt: P\n"
                         "      States: {P: {Type: Pass, End: true}}\n"
                         "    End: true\n"),
                     0);
    clean();
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    MaxConcurrency: 1\n"
            "    ItemSelector: {a: 1}\n"
            "    Parameters: {b: 2}\n"
            "    Iterator: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
            "    End: true\n"),
        -1);
    only(D_ASL_FIELDS_EXCLUSIVE, 7, 5);
}

static void test_asl_validate_map_label(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: M\n"
                         "States:\n"
                         "  M:\n"
                         "    Type: Map\n"
                         "    Label: my label\n"
                         "    End: true\n" MAP_TAIL),
                     -1);
    only(D_ASL_MAP_LABEL, 5, 12);
    assert_int_equal(run("StartAt: M\n"
                         "States:\n"
                         "  M:\n"
                         "    Type: Map\n"
                         "    Label: nightly-run\n"
                         "    End: true\n" MAP_TAIL),
                     0);
    clean();
}

static void test_asl_validate_query_language_mix(void **state)
{
    (void)state;
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, QueryLanguage: JSONPath, End: true}\n"),
                     -1);
    only(D_ASL_QL_MIX, 4, 34);
    /* a distributed Map's children are separate machines */
    assert_int_equal(
        run("QueryLanguage: JSONata\n"
            "StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    End: true\n"
            "    ItemProcessor:\n"
            "      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: EXPRESS}\n"
            "      StartAt: P\n"
            "      States: {P: {Type: Pass, QueryLanguage: JSONPath, End: true}}\n"),
        0);
    clean();
    /* the other way round is allowed */
    assert_int_equal(
        run("StartAt: A\n"
            "States:\n"
            "  A: {Type: Pass, QueryLanguage: JSONata, Output: '{% 1 %}', End: true}\n"),
        0);
    clean();
}

/* ---- expressions ------------------------------------------------------------------- */

static void test_asl_validate_path_syntax(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    InputPath: a.b\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_PATH, 5, 16);
    assert_int_equal(
        run("StartAt: A\nStates:\n  A: {Type: Pass, InputPath: '$.a[0].b', End: true}\n"),
        0);
    clean();
}

static void test_asl_validate_reference_path(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    ResultPath: $.items[*]\n"
                         "    End: true\n"),
                     -1);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_EXPR_REFPATH);
    assert_int_equal(dl.v[0].loc.line, 5);
    assert_int_equal(run("StartAt: A\nStates:\n  A: {Type: Pass, ResultPath: "
                         "'$.items[0]', End: true}\n"),
                     0);
    clean();
}

static void test_asl_validate_resultpath_root(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    ResultPath: $$.Execution\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_RESULTPATH_ROOT, 5, 17);
    assert_int_equal(
        run("StartAt: A\nStates:\n  A: {Type: Pass, ResultPath: null, End: true}\n"), 0);
    clean();
}

static void test_asl_validate_intrinsic(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Parameters: {x.$: States.Nope(1)}\n"
                         "    End: true\n"),
                     -1);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_EXPR_INTRINSIC);
    assert_int_equal(dl.v[0].loc.line, 5);
    assert_int_equal(
        run("StartAt: A\n"
            "States:\n"
            "  A:\n"
            "    Type: Pass\n"
            "    Parameters: {x.$: \"States.Format('{}-{}', $.a, $$.Execution.Name)\"}\n"
            "    End: true\n"),
        0);
    clean();
}

static void test_asl_validate_dollar_keys(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Parameters:\n"
                         "      a.$: literal\n"
                         "      b: {c: 1, c.$: $.c}\n"
                         "    End: true\n"),
                     -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_EXPR_DOLLAR_VALUE, 6, 12);
    assert_diag(&dl, 1, D_EXPR_DOLLAR_CLASH, 7, 17);
    /* `.$` in a literal Result, and in a JSONata state, is not evaluated */
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Result: {a.$: $.x}\n"
                         "    End: true\n"),
                     0);
    only(D_EXPR_DOLLAR_LITERAL, 5, 14);
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, Output: {a.$: x}, End: true}\n"),
                     0);
    only(D_EXPR_DOLLAR_LITERAL, 4, 28);
}

static void test_asl_validate_jsonata_shape(void **state)
{
    (void)state;
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Output: {a: ['{% 10 %', x]}\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_SHAPE, 6, 18);
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Output: '{%  %}'\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_JSONATA_SHAPE, 6, 13);
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Output: ' {% 1 %}'\n"
                         "    End: true\n"),
                     0);
    only(D_EXPR_JSONATA_SPACES, 6, 13);
}

#define JA_OUTPUT(expr)                                                                  \
    "QueryLanguage: JSONata\nStartAt: A\nStates:\n  A: {Type: Pass, End: true, "         \
    "Output: " expr "}\n"

/* The JSONata parser decides; the caret points at the token it stopped at. */
static void test_asl_validate_jsonata_brackets(void **state)
{
    (void)state;
    /* the value starts in column 38, the expression text in column 41 */
    assert_int_equal(run(JA_OUTPUT("'{% $sum($states.input.n %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 63);
    assert_int_equal(run(JA_OUTPUT("'{% $x[0) %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 46);
    assert_int_equal(run(JA_OUTPUT("'{% 1 + 2) %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 47);
    assert_int_equal(run(JA_OUTPUT("'{% \"(abc %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 42);
    assert_int_equal(run(JA_OUTPUT("'{% 1 /* ( %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 44);
    /* brackets inside strings, quoted names and comments do not count */
    assert_int_equal(
        run(JA_OUTPUT("'{% {\"a(\": [$states.input.`b]`, ''c)'']} /* ] */ %}'")), 0);
    clean();
    /* a regex literal holds brackets (balanced ones, as jsonata-js requires) */
    assert_int_equal(run(JA_OUTPUT("'{% $match($states.input.s, /[)(]/) %}'")), 0);
    clean();
    assert_int_equal(run(JA_OUTPUT("'{% $match($states.input.s, /[(]/) %}'")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 66);
    /* elements of arrays are checked too (the caret at the element) */
    assert_int_equal(run(JA_OUTPUT("['{% (1 %}']")), -1);
    only(D_EXPR_JSONATA_SHAPE, 4, 39);
}

static void test_asl_validate_jsonata_in_jsonpath(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Parameters: {x: '{% $states.input %}'}\n"
                         "    End: true\n"),
                     0);
    only(D_EXPR_JSONATA_IN_JSONPATH, 5, 21);
}

static void test_asl_validate_wrong_query_language(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Output: {a: 1}\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_WRONG_QL, 5, 5);
    assert_int_equal(run("QueryLanguage: JSONata\n"
                         "StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:states:::lambda:invoke\n"
                         "    Parameters: {FunctionName: f}\n"
                         "    TimeoutSeconds: '{% 60 %}'\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_WRONG_QL, 7, 5);
}

static void test_asl_validate_placeholders(void **state)
{
    (void)state;
    const char *text = "StartAt: W\n"
                       "States:\n"
                       "  W:\n"
                       "    Type: Wait\n"
                       "    Seconds: ${Delay}\n"
                       "    End: true\n";
    assert_int_equal(run_opts(text, true), 0);
    clean();
    assert_int_equal(run_opts(text, false), -1);
    only(D_ASL_FIELD_VALUE, 5, 14);
}

/* SAM / CloudFormation templates put {"Ref": ...} or {"Fn::GetAtt": ...} where a string
 * goes. */
static void test_asl_validate_cfn_intrinsic_placeholders(void **state)
{
    (void)state;
    const char *text = "StartAt: A\n"
                       "States:\n"
                       "  A:\n"
                       "    Type: Task\n"
                       "    Resource: {Fn::GetAtt: [Fn, Arn]}\n"
                       "    Next: B\n"
                       "  B: {Type: Task, Resource: {Ref: Fn}, End: true}\n";
    assert_int_equal(run_opts(text, true), 0);
    clean();
    assert_int_equal(run_opts(text, false), -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_ASL_FIELD_VALUE, 5, 15);
    assert_diag(&dl, 1, D_ASL_FIELD_VALUE, 7, 29);
    /* an object with two keys is no intrinsic */
    assert_int_equal(run_opts("StartAt: A\n"
                              "States:\n"
                              "  A: {Type: Task, Resource: {Ref: Fn, X: 1}, End: true}\n",
                              true),
                     -1);
    only(D_ASL_FIELD_VALUE, 3, 29);
}

/* ---- resources --------------------------------------------------------------------- */

#define TASK_WITH(res)                                                                   \
    "StartAt: A\nStates:\n  A: {Type: Task, End: true, Resource: " res "}\n"

static void test_asl_validate_resource_arn(void **state)
{
    (void)state;
    static const char *const good[] = {
        TASK_WITH("'arn:aws:states:::lambda:invoke'"),
        TASK_WITH("'arn:aws-us-gov:states:::aws-sdk:s3:listBuckets'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:f'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:f:prod-2'"),
        TASK_WITH("'arn:aws:states:::http:invoke'"),
        TASK_WITH("'arn:aws:states:::states:startExecution'"),
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(run(good[i]), 0);
        clean();
    }
    static const char *const bad[] = {
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:f:'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:f:$*#'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:layer:f'"),
        TASK_WITH("'arn:aws:lambda:us-east-1:123456789012:function:'"),
        TASK_WITH("'arn:aws:states:::'"),
        TASK_WITH("'arn:aws:states'"),
        TASK_WITH("'arn:gcp:states:::lambda:invoke'"),
        TASK_WITH("'arn:aws:sta tes:::lambda:invoke'"),
        TASK_WITH("'arn:aws:lambda:us_east:1:function:f'"),
        TASK_WITH("'${FnArn'"),
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(run_opts(bad[i], true), -1);
        only(D_ASL_RESOURCE_ARN, 3, 40);
    }
}

static void test_asl_validate_resource_not_arn(void **state)
{
    (void)state;
    /* the ASL spec allows any URI; Step Functions wants an ARN: a warning */
    assert_int_equal(run(TASK_WITH("'foo:bar'")), 0);
    only(D_ASL_RESOURCE_NOT_ARN, 3, 40);
    /* a placeholder is fine with --allow-placeholders, a warning without */
    assert_int_equal(run_opts(TASK_WITH("'${FnArn}'"), true), 0);
    clean();
    assert_int_equal(
        run_opts(TASK_WITH("'arn:${AWS::Partition}:states:::lambda:invoke'"), true), 0);
    clean();
    assert_int_equal(run(TASK_WITH("'${FnArn}'")), 0);
    only(D_ASL_RESOURCE_NOT_ARN, 3, 40);
    /* ItemReader and ResultWriter resources are checked the same way */
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    ItemReader: {Resource: 'arn:aws:states:::s3:'}\n"
            "    ItemProcessor:\n"
            "      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}\n"
            "      StartAt: P\n"
            "      States: {P: {Type: Pass, End: true}}\n"
            "    End: true\n"),
        -1);
    only(D_ASL_RESOURCE_ARN, 5, 28);
}

/* ---- variables --------------------------------------------------------------------- */

static void test_asl_validate_variable_name(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Assign: {top-level: 1, states: 2, ok_1: 3}\n"
                         "    End: true\n"),
                     -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_EXPR_VAR_NAME, 5, 14);
    assert_diag(&dl, 1, D_EXPR_VAR_NAME, 5, 28);
}

static void test_asl_validate_variable_flow(void **state)
{
    (void)state;
    /* never assigned */
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, InputPath: $cfg.x, End: true}\n"),
                     -1);
    only(D_EXPR_VAR_UNASSIGNED, 3, 30);
    /* a state's own Assign is not visible to itself */
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A:\n"
                         "    Type: Pass\n"
                         "    Assign: {n: 1}\n"
                         "    OutputPath: $n\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_VAR_UNASSIGNED, 6, 17);
    /* assigned earlier, read later, also inside a Parallel branch */
    assert_int_equal(
        run("StartAt: A\n"
            "States:\n"
            "  A: {Type: Pass, Assign: {n.$: $.n}, Next: P}\n"
            "  P:\n"
            "    Type: Parallel\n"
            "    Branches:\n"
            "      - StartAt: In\n"
            "        States: {In: {Type: Pass, InputPath: $n, End: true}}\n"
            "    Next: B\n"
            "  B: {Type: Pass, Parameters: {v.$: 'States.Array($n)'}, End: true}\n"),
        0);
    clean();
}

static void test_asl_validate_variable_scopes(void **state)
{
    (void)state;
    /* values assigned inside a branch do not leak out */
    assert_int_equal(run("StartAt: P\n"
                         "States:\n"
                         "  P:\n"
                         "    Type: Parallel\n"
                         "    Branches:\n"
                         "      - StartAt: In\n"
                         "        States: {In: {Type: Pass, Assign: {x: 1}, End: true}}\n"
                         "    Next: B\n"
                         "  B: {Type: Pass, InputPath: $x, End: true}\n"),
                     -1);
    only(D_EXPR_VAR_UNASSIGNED, 9, 30);
    /* distributed children cannot read the parent's variables */
    assert_int_equal(
        run("StartAt: A\n"
            "States:\n"
            "  A: {Type: Pass, Assign: {n: 1}, Next: M}\n"
            "  M:\n"
            "    Type: Map\n"
            "    End: true\n"
            "    ItemProcessor:\n"
            "      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: EXPRESS}\n"
            "      StartAt: In\n"
            "      States: {In: {Type: Pass, InputPath: $n, End: true}}\n"),
        -1);
    only(D_EXPR_VAR_UNASSIGNED, 10, 44);
}

static void test_asl_validate_variable_shadow(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: A\n"
                         "States:\n"
                         "  A: {Type: Pass, Assign: {n: 1}, Next: P}\n"
                         "  P:\n"
                         "    Type: Parallel\n"
                         "    Branches:\n"
                         "      - StartAt: In\n"
                         "        States: {In: {Type: Pass, Assign: {n: 2}, End: true}}\n"
                         "    End: true\n"),
                     -1);
    only(D_EXPR_VAR_SHADOW, 8, 44);
    /* a name assigned only after the Parallel (here by its catcher) is not outer yet */
    assert_int_equal(
        run("StartAt: P\n"
            "States:\n"
            "  P:\n"
            "    Type: Parallel\n"
            "    Branches:\n"
            "      - StartAt: In\n"
            "        States: {In: {Type: Pass, Assign: {n: 2}, End: true}}\n"
            "    Catch: [{ErrorEquals: [States.ALL], Assign: {n: 3}, Next: F}]\n"
            "    End: true\n"
            "  F: {Type: Fail}\n"),
        0);
    clean();
}

/* ---- lints ------------------------------------------------------------------------- */

static void test_asl_validate_lint_catch_runtime(void **state)
{
    (void)state;
    assert_int_equal(
        run(TASK_HEAD "    Catch: [{ErrorEquals: [States.Runtime], Next: T}]\n"), 0);
    only(D_LINT_CATCH_RUNTIME, 7, 28);
}

static void test_asl_validate_lint_choice_guard(void **state)
{
    (void)state;
    assert_int_equal(
        run(CHOICE_HEAD
            "      - {Variable: $.mode, StringEquals: full, Next: D}\n" CHOICE_TAIL),
        0);
    only(D_LINT_CHOICE_UNGUARDED, 7, 20);
    /* guarded in an And, or by an earlier IsPresent false rule */
    assert_int_equal(run(CHOICE_HEAD
                         "      - And:\n"
                         "          - {Variable: $.mode, IsPresent: true}\n"
                         "          - {Variable: $.mode, StringEquals: full}\n"
                         "        Next: D\n" CHOICE_TAIL),
                     0);
    clean();
    assert_int_equal(
        run(CHOICE_HEAD
            "      - {Variable: $.mode, IsPresent: false, Next: D}\n"
            "      - {Variable: $.mode, StringEquals: full, Next: D}\n" CHOICE_TAIL),
        0);
    clean();
}

static void test_asl_validate_lint_wait_too_long(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: W\nStates:\n  W: {Type: Wait, Seconds: 31536001, End: true}\n"), 0);
    only(D_LINT_WAIT_TOO_LONG, 3, 28);
    assert_int_equal(run("TimeoutSeconds: 60\n"
                         "StartAt: W\n"
                         "States:\n"
                         "  W: {Type: Wait, Seconds: 61, End: true}\n"),
                     0);
    only(D_LINT_WAIT_TOO_LONG, 4, 28);
    assert_int_equal(
        run("StartAt: W\nStates:\n  W: {Type: Wait, Seconds: 31536000, End: true}\n"), 0);
    clean();
}

static void test_asl_validate_lint_task_timeout(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: T\n"
            "States:\n"
            "  T: {Type: Task, Resource: 'arn:aws:states:::glue:startJobRun.sync', "
            "End: true}\n"),
        0);
    only(D_LINT_TASK_NO_TIMEOUT, 3, 3);
    assert_int_equal(run("StartAt: T\n"
                         "States:\n"
                         "  T:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:states:::ecs:runTask.sync\n"
                         "    Parameters: {TaskDefinition: sales}\n"
                         "    End: true\n"),
                     -1);
    only(D_LINT_TASK_NO_TIMEOUT_LONG, 3, 3);
    /* request/response calls are bounded by the service */
    assert_int_equal(
        run("StartAt: T\n"
            "States:\n"
            "  T: {Type: Task, Resource: 'arn:aws:states:::lambda:invoke', End: true}\n"),
        0);
    clean();
}

static void test_asl_validate_lint_ecs_revision(void **state)
{
    (void)state;
    assert_int_equal(run("StartAt: T\n"
                         "States:\n"
                         "  T:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:states:::ecs:runTask.sync\n"
                         "    Parameters: {TaskDefinition: 'sales:12'}\n"
                         "    TimeoutSeconds: 600\n"
                         "    End: true\n"),
                     0);
    only(D_LINT_ECS_REVISION, 6, 34);
    assert_int_equal(run("StartAt: T\n"
                         "States:\n"
                         "  T:\n"
                         "    Type: Task\n"
                         "    Resource: arn:aws:states:::ecs:runTask.sync\n"
                         "    Parameters: {TaskDefinition: "
                         "'arn:aws:ecs:us-east-1:1:task-definition/sales'}\n"
                         "    TimeoutSeconds: 600\n"
                         "    End: true\n"),
                     0);
    clean();
}

static void test_asl_validate_lint_callback_heartbeat(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: T\n"
            "States:\n"
            "  T:\n"
            "    Type: Task\n"
            "    Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken\n"
            "    TimeoutSeconds: 3600\n"
            "    End: true\n"),
        0);
    only(D_LINT_CALLBACK_NO_HEARTBEAT, 3, 3);
    assert_int_equal(
        run("StartAt: T\n"
            "States:\n"
            "  T:\n"
            "    Type: Task\n"
            "    Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken\n"
            "    HeartbeatSeconds: 600\n"
            "    End: true\n"),
        -1);
    only(D_LINT_TASK_NO_TIMEOUT_LONG, 3, 3);
}

static void test_asl_validate_lint_map_unbounded(void **state)
{
    (void)state;
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    ItemsPath: $.orders\n"
            "    MaxConcurrency: 0\n"
            "    ItemProcessor: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
            "    End: true\n"),
        0);
    only(D_LINT_MAP_UNBOUNDED, 6, 21);
    assert_int_equal(
        run("StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    ItemsPath: $.orders\n"
            "    MaxConcurrency: 5\n"
            "    ItemProcessor: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
            "    End: true\n"),
        0);
    clean();
    assert_int_equal(
        run("QueryLanguage: JSONata\n"
            "StartAt: M\n"
            "States:\n"
            "  M:\n"
            "    Type: Map\n"
            "    Items: [1, 2, 3]\n"
            "    ItemProcessor: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
            "    End: true\n"),
        0);
    clean();
}

static void test_asl_validate_lint_definition_size(void **state)
{
    (void)state;
    size_t big = 1100 * 1000;
    char *text = malloc(big + 100);
    assert_non_null(text);
    int n =
        snprintf(text, 100, "StartAt: A\nStates:\n  A: {Type: Pass, End: true, Result: ");
    memset(text + n, 'x', big);
    strcpy(text + n + big, "}\n");
    assert_int_equal(run(text), -1);
    only(D_LINT_DEF_TOO_LARGE, 0, 0);
    free(text);
}

static void test_asl_validate_json_input(void **state)
{
    (void)state;
    assert_int_equal(run("{\n"
                         "  \"StartAt\": \"A\",\n"
                         "  \"States\": {\n"
                         "    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n"
                         "    \"B\": {\"Type\": \"Succeed\", \"Next\": \"A\"}\n"
                         "  }\n"
                         "}\n"),
                     -1);
    only(D_ASL_FIELD_NOT_ALLOWED, 5, 30);
    assert_int_equal(count(D_ASL_UNREACHABLE), 0);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_asl_validate_accepts_jsonpath_machine),
        T(test_asl_validate_accepts_jsonata_machine),
        T(test_asl_validate_not_object),
        T(test_asl_validate_state_not_object),
        T(test_asl_validate_missing_field),
        T(test_asl_validate_unknown_field),
        T(test_asl_validate_field_not_allowed),
        T(test_asl_validate_field_value),
        T(test_asl_validate_exclusive_fields),
        T(test_asl_validate_next_end),
        T(test_asl_validate_state_type),
        T(test_asl_validate_state_name_length),
        T(test_asl_validate_state_name_chars),
        T(test_asl_validate_duplicate_names),
        T(test_asl_validate_bad_target),
        T(test_asl_validate_unreachable),
        T(test_asl_validate_no_terminal),
        T(test_asl_validate_choice_comparator),
        T(test_asl_validate_choice_next),
        T(test_asl_validate_choice_variable),
        T(test_asl_validate_choice_operand),
        T(test_asl_validate_choice_path_comparator),
        T(test_asl_validate_choice_jsonata_rules),
        T(test_asl_validate_error_equals),
        T(test_asl_validate_states_all),
        T(test_asl_validate_retry_fields),
        T(test_asl_validate_catch_next),
        T(test_asl_validate_wait_duration),
        T(test_asl_validate_heartbeat_timeout),
        T(test_asl_validate_map_distributed_only),
        T(test_asl_validate_map_processor),
        T(test_asl_validate_map_legacy_iterator),
        T(test_asl_validate_map_label),
        T(test_asl_validate_query_language_mix),
        T(test_asl_validate_path_syntax),
        T(test_asl_validate_reference_path),
        T(test_asl_validate_resultpath_root),
        T(test_asl_validate_intrinsic),
        T(test_asl_validate_dollar_keys),
        T(test_asl_validate_jsonata_shape),
        T(test_asl_validate_jsonata_brackets),
        T(test_asl_validate_jsonata_in_jsonpath),
        T(test_asl_validate_wrong_query_language),
        T(test_asl_validate_placeholders),
        T(test_asl_validate_cfn_intrinsic_placeholders),
        T(test_asl_validate_resource_arn),
        T(test_asl_validate_resource_not_arn),
        T(test_asl_validate_variable_name),
        T(test_asl_validate_variable_flow),
        T(test_asl_validate_variable_scopes),
        T(test_asl_validate_variable_shadow),
        T(test_asl_validate_lint_catch_runtime),
        T(test_asl_validate_lint_choice_guard),
        T(test_asl_validate_lint_wait_too_long),
        T(test_asl_validate_lint_task_timeout),
        T(test_asl_validate_lint_ecs_revision),
        T(test_asl_validate_lint_callback_heartbeat),
        T(test_asl_validate_lint_map_unbounded),
        T(test_asl_validate_lint_definition_size),
        T(test_asl_validate_json_input),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    srcfile_free_all();
    return rc;
}
