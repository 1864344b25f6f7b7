/* Unit tests for mock-config files: shape checks, case selection, numbered and ranged
 * responses, durations and the lookups that find nothing. */
#include "helpers.h"
#include "interp/mock.h"

static json_t *J(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_t *v = json_loads(s, 0, NULL);
    if (!v)
        fail_msg("bad test JSON: %s", s);
    free(s);
    return v;
}

static const char good[] =
    "{'StateMachines':{'sm':{'TestCases':{'happy':{'A':'Ok'},'sad':{'A':'Bad','B':'Ok'}}}"
    "},"
    "'MockedResponses':{'Ok':{'0':{'Return':{'x':1}},'1-3':{'Return':2,'Duration':5}},"
    "'Bad':{'0':{'Throw':{'Error':'E','Cause':'c'}}}}}";

/* Parses text and returns mock_parse's result; *err gets the message (caller frees). */
static int parse(struct mock *m, const char *text, char **err)
{
    json_t *doc = J(text);
    int rc = mock_parse(m, doc, err);
    json_decref(doc);
    return rc;
}

static void test_mock_lookup_ranges(void **state)
{
    (void)state;
    struct mock m;
    char *err = NULL;
    assert_int_equal(parse(&m, good, &err), 0);
    assert_int_equal(mock_select(&m, NULL, "happy", &err), 0);
    assert_string_equal(m.machine, "sm");
    assert_string_equal(m.case_name, "happy");
    struct mock_answer a;
    assert_int_equal(mock_lookup(&m, "A", 0, &a), MOCK_RETURN);
    assert_json_text(a.result, "{\"x\":1}");
    assert_true(a.duration == 0);
    assert_int_equal(mock_lookup(&m, "A", 2, &a), MOCK_RETURN);
    assert_json_text(a.result, "2");
    assert_true(a.duration == 5);
    assert_int_equal(mock_lookup(&m, "A", 3, &a), MOCK_RETURN);
    assert_int_equal(mock_lookup(&m, "A", 4, &a), MOCK_MISSING);
    assert_string_equal(a.response, "Ok");
    assert_int_equal(mock_lookup(&m, "B", 0, &a), MOCK_UNMOCKED);
    mock_release(&m);
}

static void test_mock_throw_and_select(void **state)
{
    (void)state;
    struct mock m;
    char *err = NULL;
    assert_int_equal(parse(&m, good, &err), 0);
    assert_int_equal(mock_select(&m, "sm", "sad", &err), 0);
    struct mock_answer a;
    assert_int_equal(mock_lookup(&m, "A", 0, &a), MOCK_THROW);
    assert_string_equal(a.error, "E");
    assert_string_equal(json_string_value(a.cause), "c");
    assert_int_equal(mock_select(&m, "sm", "nope", &err), -1);
    assert_string_equal(err, "state machine 'sm' has no test case 'nope'");
    free(err);
    assert_int_equal(mock_select(&m, "other", "sad", &err), -1);
    assert_string_equal(err, "no state machine 'other' in the mock file");
    free(err);
    assert_int_equal(mock_select(&m, NULL, NULL, &err), -1);
    assert_string_equal(err,
                        "state machine 'sm' has 2 test cases; choose one with --case");
    free(err);
    mock_release(&m);
}

static void test_mock_rejects_bad_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[]", "a mock file is an object with StateMachines and MockedResponses"},
        {"{'MockedResponses':{}}", "StateMachines is missing"},
        {"{'StateMachines':{},'Extra':1}", "unknown top-level key 'Extra'"},
        {"{'StateMachines':{'s':{}}}", "StateMachines.s: needs a TestCases object"},
        {"{'StateMachines':{'s':{'TestCases':{'c':{'A':1}}}}}",
         "StateMachines.s.TestCases.c.A: not a response name"},
        {"{'StateMachines':{},'MockedResponses':{'R':{'x':{'Return':1}}}}",
         "MockedResponses.R: key 'x' is not an invocation number or range such as \"0\" "
         "or "
         "\"1-3\""},
        {"{'StateMachines':{},'MockedResponses':{'R':{'3-1':{'Return':1}}}}",
         "MockedResponses.R: key '3-1' is not an invocation number or range such as "
         "\"0\" "
         "or \"1-3\""},
        {"{'StateMachines':{},'MockedResponses':{'R':{'0-2':{'Return':1},'2':{'Return':1}"
         "}}}",
         "MockedResponses.R: keys '0-2' and '2' overlap"},
        {"{'StateMachines':{},'MockedResponses':{'R':{'0':{}}}}",
         "MockedResponses.R.0: needs exactly one of Return and Throw"},
        {"{'StateMachines':{},'MockedResponses':{'R':{'0':{'Throw':{'Cause':'x'}}}}}",
         "MockedResponses.R.0: Throw needs a string Error"},
        {"{'StateMachines':{},'MockedResponses':{'R':{'0':{'Return':1,'Duration':-1}}}}",
         "MockedResponses.R.0: Duration must be a number of seconds from 0 to "
         "1000000000"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mock m;
        char *err = NULL;
        assert_int_equal(parse(&m, cases[i].text, &err), -1);
        assert_string_equal(err, cases[i].msg);
        free(err);
    }
}

static void test_mock_unknown_response_name(void **state)
{
    (void)state;
    struct mock m;
    char *err = NULL;
    assert_int_equal(parse(&m,
                           "{'StateMachines':{'s':{'TestCases':{'c':{'A':'Nope'}}}},"
                           "'MockedResponses':{}}",
                           &err),
                     0);
    assert_int_equal(mock_select(&m, NULL, "c", &err), -1);
    assert_string_equal(err, "test case 'c' maps state 'A' to unknown response 'Nope'");
    free(err);
    mock_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mock_lookup_ranges),
        cmocka_unit_test(test_mock_throw_and_select),
        cmocka_unit_test(test_mock_rejects_bad_shapes),
        cmocka_unit_test(test_mock_unknown_response_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
