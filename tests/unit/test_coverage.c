/*
 * Unit tests for the coverage model: the items listed for every construct and scope,
 * transitions deduplicated per state, counting from interpreter notes (only declared
 * edges, a new Map iteration is no transition), a real run through the observer, and
 * the report text.
 */
#include "helpers.h"
#include "base/xalloc.h"
#include "coverage.h"

#include <stdio.h>

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

/* A machine with a Choice, Retry, Catch, a Parallel branch and a Map processor. */
static const char machine[] =
    "{'StartAt': 'Pick', 'States': {"
    " 'Pick': {'Type': 'Choice', 'Choices': ["
    "   {'Variable': '$.n', 'NumericEquals': 1, 'Next': 'Work'},"
    "   {'Variable': '$.n', 'NumericEquals': 2, 'Next': 'Work'}],"
    "  'Default': 'Stop'},"
    " 'Work': {'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke',"
    "  'Parameters': {'FunctionName': 'f'}, 'ResultPath': null,"
    "  'Retry': [{'ErrorEquals': ['A', 'B'], 'MaxAttempts': 1},"
    "            {'ErrorEquals': ['States.ALL'], 'MaxAttempts': 0}],"
    "  'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Stop'}],"
    "  'Next': 'Fan'},"
    " 'Fan': {'Type': 'Parallel', 'Next': 'Stop', 'Branches': ["
    "   {'StartAt': 'Each', 'States': {"
    "     'Each': {'Type': 'Map', 'ItemsPath': '$.items', 'End': true,"
    "      'ItemProcessor': {'StartAt': 'One', 'States': {"
    "        'One': {'Type': 'Pass', 'Next': 'Two'},"
    "        'Two': {'Type': 'Pass', 'End': true}}}}}}]},"
    " 'Stop': {'Type': 'Succeed'}}}";

static const char *const labels[] = {
    "state Pick",
    "transition Pick -> Work",
    "transition Pick -> Stop",
    "Choice rule Pick Choices[0] -> Work",
    "Choice rule Pick Choices[1] -> Work",
    "Choice rule Pick Default -> Stop",
    "state Work",
    "transition Work -> Fan",
    "transition Work -> Stop",
    "retrier Work Retry[0] [A, B]",
    "retrier Work Retry[1] [States.ALL]",
    "catcher Work Catch[0] [States.ALL] -> Stop",
    "state Fan",
    "transition Fan -> Stop",
    "state Each",
    "state One",
    "transition One -> Two",
    "state Two",
    "state Stop",
};

static void test_coverage_items(void **state)
{
    (void)state;
    json_t *def = J(machine);
    struct coverage cov;
    coverage_init(&cov, def);
    assert_int_equal(cov.nr, ARRAY_SIZE(labels));
    for (size_t i = 0; i < cov.nr; i++)
        assert_string_equal(cov.v[i].label, labels[i]);
    size_t hit, total;
    coverage_count(&cov, COV_TRANSITION, &hit, &total);
    assert_int_equal(total, 6); /* Pick -> Work once, though two rules lead there */
    assert_int_equal(hit, 0);
    coverage_count(&cov, COV_CHOICE, &hit, &total);
    assert_int_equal(total, 3);
    coverage_release(&cov);
    json_decref(def);
}

static void note(struct coverage *cov, enum interp_note_kind kind, const char *st,
                 const char *from, int index)
{
    struct interp_note n = {kind, st, from, index};
    coverage_note(cov, &n);
}

static unsigned long hits_of(const struct coverage *cov, const char *label)
{
    for (size_t i = 0; i < cov->nr; i++)
        if (!strcmp(cov->v[i].label, label))
            return cov->v[i].hits;
    fail_msg("no item '%s'", label);
    return 0;
}

static void test_coverage_notes(void **state)
{
    (void)state;
    json_t *def = J(machine);
    struct coverage cov;
    coverage_init(&cov, def);
    note(&cov, INTERP_NOTE_ENTER, "Pick", NULL, -1);
    note(&cov, INTERP_NOTE_CHOICE, "Pick", NULL, 1);
    note(&cov, INTERP_NOTE_ENTER, "Work", "Pick", -1);
    note(&cov, INTERP_NOTE_RETRY, "Work", NULL, 1);
    note(&cov, INTERP_NOTE_CATCH, "Work", NULL, 0);
    note(&cov, INTERP_NOTE_ENTER, "Stop", "Work", -1);
    note(&cov, INTERP_NOTE_ENTER, "Two", "Stop", -1); /* not a declared edge */
    note(&cov, INTERP_NOTE_ENTER, "Ghost", NULL, -1); /* unknown: ignored */
    note(&cov, INTERP_NOTE_CHOICE, "Pick", NULL, 7);  /* unknown rule: ignored */
    assert_int_equal(hits_of(&cov, "state Pick"), 1);
    assert_int_equal(hits_of(&cov, "Choice rule Pick Choices[1] -> Work"), 1);
    assert_int_equal(hits_of(&cov, "Choice rule Pick Choices[0] -> Work"), 0);
    assert_int_equal(hits_of(&cov, "Choice rule Pick Default -> Stop"), 0);
    assert_int_equal(hits_of(&cov, "transition Pick -> Work"), 1);
    assert_int_equal(hits_of(&cov, "retrier Work Retry[1] [States.ALL]"), 1);
    assert_int_equal(hits_of(&cov, "retrier Work Retry[0] [A, B]"), 0);
    assert_int_equal(hits_of(&cov, "catcher Work Catch[0] [States.ALL] -> Stop"), 1);
    assert_int_equal(hits_of(&cov, "transition Work -> Stop"), 1);
    assert_int_equal(hits_of(&cov, "state Two"), 1);
    size_t hit, total;
    coverage_count(&cov, COV_TRANSITION, &hit, &total);
    assert_int_equal(hit, 2);
    coverage_release(&cov);
    json_decref(def);
}

/* Runs the machine through the interpreter's observer: what a test run would count. */
static void test_coverage_observer_run(void **state)
{
    (void)state;
    json_t *def = J(machine);
    json_t *in = J("{'n': 2, 'items': [1, 2, 3]}");
    struct coverage cov;
    coverage_init(&cov, def);
    struct interp_observer obs = coverage_observer(&cov);
    struct interp_opts o = {.observer = &obs};
    struct interp_result res;
    interp_run(def, in, &o, &res);
    assert_int_equal(res.status, INTERP_SUCCEEDED);
    interp_result_release(&res);
    assert_int_equal(hits_of(&cov, "Choice rule Pick Choices[1] -> Work"), 1);
    assert_int_equal(hits_of(&cov, "transition Work -> Fan"), 1);
    assert_int_equal(hits_of(&cov, "transition Fan -> Stop"), 1);
    assert_int_equal(hits_of(&cov, "state One"), 3);
    assert_int_equal(hits_of(&cov, "transition One -> Two"), 3);
    assert_int_equal(hits_of(&cov, "retrier Work Retry[0] [A, B]"), 0);
    assert_int_equal(hits_of(&cov, "transition Pick -> Stop"), 0);
    coverage_release(&cov);
    json_decref(in);
    json_decref(def);
}

/* A retrier that gives up still counts as exercised; its catcher takes over. */
static void test_coverage_retry_and_catch(void **state)
{
    (void)state;
    json_t *def = J("{'StartAt': 'T', 'States': {"
                    " 'T': {'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke',"
                    "  'Parameters': {'FunctionName': 'f'}, 'End': true,"
                    "  'Retry': [{'ErrorEquals': ['Boom'], 'MaxAttempts': 1,"
                    "             'IntervalSeconds': 1}],"
                    "  'Catch': [{'ErrorEquals': ['Other'], 'Next': 'F'},"
                    "            {'ErrorEquals': ['States.ALL'], 'Next': 'F'}]},"
                    " 'F': {'Type': 'Fail', 'Error': 'Caught'}}}");
    json_t *mdoc = J("{'StateMachines': {'m': {'TestCases': {'c': {'T': 'R'}}}},"
                     " 'MockedResponses': {'R': {'0-1': {'Throw': {'Error': 'Boom'}}}}}");
    struct mock m;
    char *err = NULL;
    assert_int_equal(mock_parse(&m, mdoc, &err), 0);
    assert_int_equal(mock_select(&m, NULL, NULL, &err), 0);
    struct coverage cov;
    coverage_init(&cov, def);
    struct interp_observer obs = coverage_observer(&cov);
    struct interp_opts o = {.observer = &obs, .mocks = &m};
    struct interp_result res;
    json_t *in = json_object();
    interp_run(def, in, &o, &res);
    json_decref(in);
    assert_string_equal(res.error, "Caught");
    interp_result_release(&res);
    assert_int_equal(hits_of(&cov, "retrier T Retry[0] [Boom]"), 2);
    assert_int_equal(hits_of(&cov, "catcher T Catch[0] [Other] -> F"), 0);
    assert_int_equal(hits_of(&cov, "catcher T Catch[1] [States.ALL] -> F"), 1);
    assert_int_equal(hits_of(&cov, "transition T -> F"), 1);
    coverage_release(&cov);
    mock_release(&m);
    json_decref(mdoc);
    json_decref(def);
}

static void test_coverage_report(void **state)
{
    (void)state;
    json_t *def = J("{'StartAt': 'A', 'States': {"
                    " 'A': {'Type': 'Pass', 'Next': 'B'},"
                    " 'B': {'Type': 'Choice', 'Choices': ["
                    "   {'Variable': '$.x', 'IsPresent': true, 'Next': 'C'}],"
                    "  'Default': 'C'},"
                    " 'C': {'Type': 'Succeed'}}}");
    struct coverage cov;
    coverage_init(&cov, def);
    note(&cov, INTERP_NOTE_ENTER, "A", NULL, -1);
    note(&cov, INTERP_NOTE_ENTER, "B", "A", -1);
    note(&cov, INTERP_NOTE_CHOICE, "B", NULL, -1);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    coverage_report(&cov, "demo", f);
    fclose(f);
    assert_string_equal(text,
                        "coverage of demo: states 2/3, transitions 1/2, Choice rules "
                        "1/2, retriers 0/0, catchers 0/0\n"
                        "  never exercised: transition B -> C\n"
                        "  never exercised: Choice rule B Choices[0] -> C\n"
                        "  never exercised: state C\n");
    free(text);
    coverage_release(&cov);
    json_decref(def);
}

struct seen {
    char names[8][8];
    size_t nr;
};

static void remember(void *arg, const char *name, json_t *st)
{
    struct seen *s = arg;
    (void)st;
    if (s->nr < 8)
        snprintf(s->names[s->nr++], 8, "%s", name);
}

/* The legacy Map `Iterator` is a scope too; states come depth first in source order. */
static void test_coverage_walk(void **state)
{
    (void)state;
    json_t *def = J("{'StartAt': 'M', 'States': {"
                    " 'M': {'Type': 'Map', 'Next': 'Z', 'Iterator': {'StartAt': 'I',"
                    "   'States': {'I': {'Type': 'Pass', 'End': true}}}},"
                    " 'Z': {'Type': 'Succeed'}}}");
    struct seen s = {{{0}}, 0};
    coverage_walk(def, remember, &s);
    assert_int_equal(s.nr, 3);
    assert_string_equal(s.names[0], "M");
    assert_string_equal(s.names[1], "I");
    assert_string_equal(s.names[2], "Z");
    json_decref(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_items),
        cmocka_unit_test(test_coverage_notes),
        cmocka_unit_test(test_coverage_observer_run),
        cmocka_unit_test(test_coverage_retry_and_catch),
        cmocka_unit_test(test_coverage_report),
        cmocka_unit_test(test_coverage_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
