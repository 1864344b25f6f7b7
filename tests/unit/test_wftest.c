/*
 * Unit tests for workflow test files: the loaded model and the mock config built from
 * answers, located diagnostics for bad files, checks against the machine, the
 * judgement texts of every assertion kind, a whole case run, and the JUnit XML.
 */
#include "helpers.h"
#include "base/xalloc.h"
#include "wftest.h"

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

static int load(struct wftest_file *tf, const char *text, struct diag_list *dl)
{
    return wftest_load_mem(tf, "t.test.yaml", text, strlen(text), dl);
}

/* ---- loading --------------------------------------------------------------------- */

static void test_wftest_load_model(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    assert_int_equal(load(&tf,
                          "x-ok: &ok\n"
                          "  return: {v: 1}\n"
                          "cases:\n"
                          "  - name: first\n"
                          "    scheduled_time: 2026-03-01T03:00:00+09:00\n"
                          "    input: {a: 1}\n"
                          "    mocks:\n"
                          "      T:\n"
                          "        - throw: {error: E, cause: c}\n"
                          "          times: 3\n"
                          "          duration: 1.5\n"
                          "        - *ok\n"
                          "        - return: 2\n"
                          "    expect:\n"
                          "      error: E\n"
                          "      path: [T]\n"
                          "      visits: {T: 1, U: false}\n"
                          "  - name: second\n",
                          &dl),
                     0);
    assert_int_equal(dl.nr, 0);
    assert_int_equal(tf.ncases, 2);
    const struct wftest_case *c = &tf.cases[0];
    assert_string_equal(c->name, "first");
    assert_true(c->has_time);
    assert_true(c->start_ms == INT64_C(1772301600000)); /* 2026-02-28T18:00:00Z */
    assert_json_text(c->input, "{\"a\":1}");
    assert_int_equal(c->expect.status, INTERP_FAILED); /* implied by error */
    assert_string_equal(c->expect.error, "E");
    assert_null(c->expect.output);
    assert_json_text(c->expect.path, "[\"T\"]");
    assert_json_text(
        c->mocks,
        "{\"StateMachines\":{\"test\":{\"TestCases\":{\"first\":{\"T\":\"T\"}}}},"
        "\"MockedResponses\":{\"T\":{"
        "\"0-2\":{\"Throw\":{\"Error\":\"E\",\"Cause\":\"c\"},\"Duration\":1.5},"
        "\"3\":{\"Return\":{\"v\":1}},\"4\":{\"Return\":2}}}}");
    c = &tf.cases[1];
    assert_false(c->has_time);
    assert_true(c->start_ms == INT64_C(1767225600000)); /* BUILD_DEFAULT_START */
    assert_null(c->mocks);
    assert_null(c->input);
    assert_int_equal(c->expect.status, INTERP_SUCCEEDED);
    wftest_release(&tf);
    diag_release(&dl);
}

static void test_wftest_load_errors(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    assert_int_equal(load(&tf,
                          "cases:\n"                                            /* 1 */
                          "  - name: a\n"                                       /* 2 */
                          "    expct: {}\n"                                     /* 3 */
                          "  - name: a\n"                                       /* 4 */
                          "    scheduled_time: yesterday\n"                     /* 5 */
                          "    expect: {status: DONE}\n"                        /* 6 */
                          "  - input: 5\n"                                      /* 7 */
                          "    scheduled_time: 2026-01-01T00:00:00Z\n"          /* 8 */
                          "    mocks:\n"                                        /* 9 */
                          "      T: {return: 1}\n"                              /* 10 */
                          "      U:\n"                                          /* 11 */
                          "        - {return: 1, throw: {error: E}}\n"          /* 12 */
                          "        - 7\n"                                       /* 13 */
                          "        - {throw: {cause: x}, times: 0}\n"           /* 14 */
                          "    expect: {status: SUCCEEDED, error: E}\n"         /* 15 */
                          "  - name: b\n"                                       /* 16 */
                          "    expect: {status: FAILED, output: 1, path: 3}\n", /* 17 */
                          &dl),
                     -1);
    size_t i = 0;
    assert_diag(&dl, i, D_TEST_UNKNOWN_KEY, 3, 5);
    assert_string_equal(dl.v[i].msg, "unknown key 'expct' in a test case");
    assert_int_equal(dl.v[i].nnotes, 1);
    assert_string_equal(dl.v[i].notes[0], "did you mean 'expect'?");
    i++;
    assert_diag(&dl, i, D_TEST_DUP_CASE, 4, 11);
    assert_string_equal(dl.v[i].notes[0], "the first one is on line 2");
    i++;
    assert_diag(&dl, i, D_TEST_TIME, 5, 21);
    i++;
    assert_diag(&dl, i, D_TEST_STATUS, 6, 22);
    assert_string_equal(dl.v[i].msg, "unknown status 'DONE'");
    i++;
    assert_diag(&dl, i, D_TEST_MISSING_KEY, 7, 5);
    assert_string_equal(dl.v[i].msg, "a test case has no 'name'");
    i++;
    assert_diag(&dl, i, D_TEST_INPUT_NOT_OBJECT, 7, 12);
    i++;
    assert_diag(&dl, i, D_TEST_CONTRADICTION, 15, 33);
    assert_string_equal(dl.v[i].msg, "a SUCCEEDED execution has no error or cause");
    i++;
    assert_diag(&dl, i, D_TEST_TYPE, 10, 10);
    i++;
    assert_diag(&dl, i, D_TEST_MOCK_ANSWER, 12, 11);
    i++;
    assert_diag(&dl, i, D_TEST_TYPE, 13, 11);
    assert_string_equal(dl.v[i].msg, "a mock answer must be a mapping, not an integer");
    i++;
    assert_diag(&dl, i, D_TEST_MISSING_KEY, 14, 19);
    assert_string_equal(dl.v[i].msg, "throw has no 'error'");
    i++;
    assert_diag(&dl, i, D_TEST_TYPE, 17, 47);
    assert_string_equal(dl.v[i].msg, "'path' must be a list, not an integer");
    i++;
    assert_diag(&dl, i, D_TEST_CONTRADICTION, 17, 30); /* the other keys still count */
    i++;
    assert_int_equal(dl.nr, i);
    wftest_release(&tf);
    diag_release(&dl);
}

/* `times: 0` and a contradiction between status and output. */
static void test_wftest_load_ranges(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    assert_int_equal(
        load(&tf,
             "cases:\n"
             "  - name: a\n"
             "    mocks: {T: [{return: 1, times: 0}, {return: 2, duration: -1}]}\n"
             "    expect: {status: TIMED_OUT, output: 1}\n",
             &dl),
        -1);
    assert_int_equal(dl.nr, 3);
    assert_diag(&dl, 0, D_TEST_CONTRADICTION, 4, 33);
    assert_string_equal(dl.v[0].msg, "only a SUCCEEDED execution has an output");
    assert_diag(&dl, 1, D_TEST_TYPE, 3, 36);
    assert_string_equal(dl.v[1].msg,
                        "'times' must be a whole number from 1 to 100000000");
    assert_diag(&dl, 2, D_TEST_TYPE, 3, 62);
    wftest_release(&tf);
    diag_release(&dl);
}

static void test_wftest_load_shapes(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    /* Free-form x- keys are fine; an empty list of cases is only a warning. */
    assert_int_equal(load(&tf, "x-anchor: {a: 1}\ncases: []\n", &dl), 0);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_TEST_NO_CASES, 2, 8);
    assert_int_equal(dl.v[0].sev, SEV_WARNING);
    wftest_release(&tf);
    diag_release(&dl);
    /* The file itself must be a mapping with cases. */
    assert_int_equal(load(&tf, "- name: a\n", &dl), -1);
    assert_int_equal(dl.v[0].id, D_TEST_TYPE);
    wftest_release(&tf);
    diag_release(&dl);
    assert_int_equal(load(&tf, "case: []\n", &dl), -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_TEST_UNKNOWN_KEY, 1, 1);
    assert_string_equal(dl.v[0].notes[0], "did you mean 'cases'?");
    assert_int_equal(dl.v[1].id, D_TEST_MISSING_KEY);
    wftest_release(&tf);
    diag_release(&dl);
    /* A case that is no mapping, a bad visits value, a bad path entry. */
    assert_int_equal(load(&tf,
                          "cases:\n"
                          "  - 5\n"
                          "  - name: v\n"
                          "    expect: {visits: {A: yes}, path: [A, 1]}\n",
                          &dl),
                     -1);
    assert_int_equal(dl.nr, 3);
    assert_diag(&dl, 0, D_TEST_TYPE, 2, 5);
    assert_diag(&dl, 1, D_TEST_TYPE, 4, 42);
    assert_string_equal(dl.v[1].msg, "a path entry must be a state name, not an integer");
    assert_diag(&dl, 2, D_TEST_TYPE, 4, 26);
    wftest_release(&tf);
    diag_release(&dl);
}

/* ---- checking against the machine ------------------------------------------------ */

static const char two_states[] =
    "{'StartAt': 'Fetch', 'States': {"
    " 'Fetch': {'Type': 'Task', 'Resource': 'arn:aws:states:::lambda:invoke',"
    "  'Parameters': {'FunctionName': 'f'}, 'ResultPath': '$.fetched', 'Next': 'Done',"
    "  'Catch': [{'ErrorEquals': ['States.ALL'], 'Next': 'Oops'}]},"
    " 'Oops': {'Type': 'Fail', 'Error': 'FetchFailed', 'Cause': 'no data'},"
    " 'Done': {'Type': 'Pass', 'End': true}}}";

static void test_wftest_check_states(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    assert_int_equal(load(&tf,
                          "cases:\n"
                          "  - name: a\n"
                          "    mocks: {Done: [{return: 1}], Fetc: [{return: 1}]}\n"
                          "    expect: {path: [Fetch, Dne], visits: {Nothing: true}}\n",
                          &dl),
                     0);
    json_t *def = J(two_states);
    assert_int_equal(wftest_check(&tf, def, &dl), -1);
    assert_int_equal(dl.nr, 4);
    assert_diag(&dl, 0, D_TEST_MOCK_NOT_TASK, 3, 13);
    assert_string_equal(dl.v[0].msg,
                        "'Done' is a Pass state; only Task states take mocks");
    assert_diag(&dl, 1, D_TEST_UNKNOWN_STATE, 3, 34);
    assert_string_equal(dl.v[1].msg, "the workflow has no state 'Fetc'");
    assert_string_equal(dl.v[1].notes[0], "did you mean 'Fetch'?");
    assert_diag(&dl, 2, D_TEST_UNKNOWN_STATE, 4, 28);
    assert_string_equal(dl.v[2].notes[0], "did you mean 'Done'?");
    assert_diag(&dl, 3, D_TEST_UNKNOWN_STATE, 4, 43);
    assert_int_equal(dl.v[3].nnotes, 0);
    json_decref(def);
    wftest_release(&tf);
    diag_release(&dl);
}

/* ---- judging --------------------------------------------------------------------- */

/* A history whose StateEntered events name the given states. */
static json_t *history_of(const char *const *names, size_t n)
{
    json_t *events = json_array();
    json_array_append_new(events, J("{'type': 'ExecutionStarted'}"));
    for (size_t i = 0; i < n; i++) {
        json_t *ev = json_pack("{s:s,s:{s:s}}", "type", "TaskStateEntered",
                               "stateEnteredEventDetails", "name", names[i]);
        json_array_append_new(events, ev);
        json_array_append_new(events, J("{'type': 'TaskStateExited'}"));
    }
    json_t *h = json_object();
    json_object_set_new(h, "events", events);
    return h;
}

static void test_wftest_judge_pass(void **state)
{
    (void)state;
    static const char *const path[] = {"A", "B", "A"};
    json_t *h = history_of(path, 3);
    json_t *exp_out = J("{'n': 1, 'list': [1, 2.5]}");
    json_t *exp_path = J("['A', 'B', 'A']");
    json_t *visits = J("{'A': 2, 'B': true, 'C': false}");
    struct wftest_expect e = {INTERP_SUCCEEDED, exp_out, NULL, NULL, exp_path, visits};
    struct interp_result r = {.status = INTERP_SUCCEEDED,
                              .output = J("{'list': [1.0, 2.5], 'n': 1}")};
    assert_null(wftest_judge(&e, &r, h)); /* 1 == 1.0; key order does not matter */
    json_decref(r.output);
    json_decref(exp_out);
    json_decref(exp_path);
    json_decref(visits);
    json_decref(h);
}

static void test_wftest_judge_status_error_cause(void **state)
{
    (void)state;
    json_t *h = history_of(NULL, 0);
    struct wftest_expect e = {INTERP_SUCCEEDED, NULL, NULL, NULL, NULL, NULL};
    struct interp_result r = {.status = INTERP_FAILED,
                              .error = (char *)"States.Runtime",
                              .cause = (char *)"boom"};
    char *t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "status: expected SUCCEEDED, got FAILED with error "
                           "\"States.Runtime\"\n"
                           "  cause: \"boom\"\n");
    free(t);
    e = (struct wftest_expect){INTERP_FAILED, NULL, "Mine", "why", NULL, NULL};
    t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "error: expected \"Mine\", got \"States.Runtime\"\n"
                           "cause: expected \"why\", got \"boom\"\n");
    free(t);
    r = (struct interp_result){.status = INTERP_FAILED};
    t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "error: expected \"Mine\", got none\n"
                           "cause: expected \"why\", got none\n");
    free(t);
    json_t *out = J("{}");
    r = (struct interp_result){.status = INTERP_SUCCEEDED, .output = out};
    t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "status: expected FAILED, got SUCCEEDED\n"
                           "error: expected \"Mine\", but the execution succeeded\n"
                           "cause: expected \"why\", but the execution succeeded\n");
    free(t);
    json_decref(out);
    json_decref(h);
}

static void test_wftest_judge_output(void **state)
{
    (void)state;
    json_t *h = history_of(NULL, 0);
    json_t *exp = J("{'a': 1, 'b': {'c': [1, 2, 3]}, 'd': 'x', 'e f': 1, 'g': null}");
    struct wftest_expect e = {INTERP_SUCCEEDED, exp, NULL, NULL, NULL, NULL};
    struct interp_result r = {.status = INTERP_SUCCEEDED,
                              .output = J("{'a': 1.0, 'b': {'c': [1, 5]}, 'e f': 2,"
                                          " 'g': false, 'h': true}")};
    char *t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "output differs:\n"
                           "    $.b.c[1]: expected 2, got 5\n"
                           "    $.b.c[2]: missing, expected 3\n"
                           "    $.d: missing, expected \"x\"\n"
                           "    $[\"e f\"]: expected 1, got 2\n"
                           "    $.g: expected null, got false\n"
                           "    $.h: unexpected true\n"
                           "  actual output: {\"a\":1.0,\"b\":{\"c\":[1,5]},\"e f\":2,"
                           "\"g\":false,\"h\":true}\n");
    free(t);
    json_decref(r.output);
    /* No output to compare when the run failed. */
    r = (struct interp_result){.status = INTERP_TIMED_OUT,
                               .error = (char *)"States.Timeout"};
    e.status = INTERP_TIMED_OUT;
    t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "output: expected {\"a\":1,\"b\":{\"c\":[1,2,3]},\"d\":\"x\","
                           "\"e f\":1,\"g\":null}, but the execution ended TIMED_OUT "
                           "without output\n");
    free(t);
    json_decref(exp);
    json_decref(h);
}

/* After ten differences the list stops; long values are cut. */
static void test_wftest_judge_output_limits(void **state)
{
    (void)state;
    json_t *h = history_of(NULL, 0);
    json_t *exp = json_array(), *act = json_array();
    for (int i = 0; i < 12; i++) {
        json_array_append_new(exp, json_integer(i));
        json_array_append_new(act, json_integer(i + 100));
    }
    struct wftest_expect e = {INTERP_SUCCEEDED, exp, NULL, NULL, NULL, NULL};
    struct interp_result r = {.status = INTERP_SUCCEEDED, .output = act};
    char *t = wftest_judge(&e, &r, h);
    assert_non_null(strstr(t, "    $[9]: expected 9, got 109\n"
                              "    ... (more differences)\n"
                              "  actual output: [100,"));
    assert_null(strstr(t, "$[10]"));
    free(t);
    json_decref(exp);
    json_decref(act);
    char big[400];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    exp = json_string(big);
    act = json_string("short");
    e.output = exp;
    r.output = act;
    t = wftest_judge(&e, &r, h);
    char want[256];
    snprintf(want, sizeof(want), "    $: expected \"%.196s...", big);
    assert_non_null(strstr(t, want));
    free(t);
    json_decref(exp);
    json_decref(act);
    json_decref(h);
}

static void test_wftest_judge_path_visits(void **state)
{
    (void)state;
    static const char *const path[] = {"Start", "Work", "Work", "Fail"};
    json_t *h = history_of(path, 4);
    json_t *want = J("['Start', 'Work', 'Done']");
    json_t *visits = J("{'Done': true, 'Fail': false, 'Work': 1, 'Start': 1}");
    struct wftest_expect e = {INTERP_FAILED, NULL, NULL, NULL, want, visits};
    struct interp_result r = {.status = INTERP_FAILED};
    char *t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "path differs at step 3: expected 'Done', got 'Work'\n"
                           "  expected: Start, Work, Done\n"
                           "  actual:   Start, Work, Work, Fail\n"
                           "visits: 'Done' was never entered, expected at least once\n"
                           "visits: 'Fail' was entered 1 time, expected never\n"
                           "visits: 'Work' was entered 2 times, expected 1\n");
    free(t);
    json_decref(want);
    /* A run shorter than expected, and one that entered no state at all. */
    want = J("['Start', 'Work', 'Work', 'Fail', 'More']");
    e = (struct wftest_expect){INTERP_FAILED, NULL, NULL, NULL, want, NULL};
    t = wftest_judge(&e, &r, h);
    assert_string_equal(t, "path differs at step 5: expected 'More', got the end\n"
                           "  expected: Start, Work, Work, Fail, More\n"
                           "  actual:   Start, Work, Work, Fail\n");
    free(t);
    json_decref(h);
    h = history_of(NULL, 0);
    t = wftest_judge(&e, &r, h);
    assert_non_null(strstr(t, "  actual:   (no state)\n"));
    free(t);
    json_decref(want);
    json_decref(visits);
    json_decref(h);
}

/* A run's list of entered states (interp_opts.entered) stands in for its history. */
static void test_wftest_judge_entered(void **state)
{
    (void)state;
    static const char *const path[] = {"Start", "Work", "Work", "Fail"};
    json_t *h = history_of(path, 4);
    json_t *want = J("['Start', 'Done']"), *visits = J("{'Work': 1}");
    struct wftest_expect e = {INTERP_FAILED, NULL, NULL, NULL, want, visits};
    struct interp_result r = {.status = INTERP_FAILED};
    char *from_history = wftest_judge(&e, &r, h);
    r.entered = J("['Start', 'Work', 'Work', 'Fail']");
    char *from_list = wftest_judge(&e, &r, NULL);
    assert_non_null(from_history);
    assert_string_equal(from_list, from_history);
    free(from_history);
    free(from_list);
    json_decref(r.entered);
    json_decref(want);
    json_decref(visits);
    json_decref(h);
}

/* ---- running --------------------------------------------------------------------- */

static void test_wftest_run_case(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    struct wftest_file tf;
    assert_int_equal(load(&tf,
                          "cases:\n"
                          "  - name: fetched\n"
                          "    scheduled_time: 2026-05-01T00:00:00Z\n"
                          "    input: {scheduled_time: old, k: 1}\n"
                          "    mocks: {Fetch: [{return: {rows: 3}, duration: 90}]}\n"
                          "    expect:\n"
                          "      output: {scheduled_time: '2026-05-01T00:00:00Z', k: 1,\n"
                          "               fetched: {rows: 3}}\n"
                          "      path: [Fetch, Done]\n"
                          "  - name: caught\n"
                          "    mocks: {Fetch: [{throw: {error: Boom}}]}\n"
                          "    expect: {error: FetchFailed, path: [Fetch, Done]}\n"
                          "  - name: caught as expected\n"
                          "    mocks: {Fetch: [{throw: {error: Boom}}]}\n"
                          "    expect: {error: FetchFailed}\n",
                          &dl),
                     0);
    json_t *def = J(two_states);
    assert_int_equal(wftest_check(&tf, def, &dl), 0);
    /* one cache for every case of the file, as `wfgen test` keeps it */
    struct interp_cache *cache = interp_cache_new();
    struct interp_opts base = {.machine_name = "m", .cache = cache};
    struct coverage cov;
    coverage_init(&cov, def);
    struct wftest_result res;
    wftest_run_case(&tf.cases[0], def, &base, &cov, &res);
    assert_null(res.failure);
    assert_true(res.passed);
    assert_int_equal(res.states, 2);
    assert_true(res.virtual_ms == 90000);
    wftest_result_release(&res);
    wftest_run_case(&tf.cases[1], def, &base, &cov, &res);
    assert_false(res.passed);
    assert_string_equal(res.failure,
                        "path differs at step 2: expected 'Done', got 'Oops'\n"
                        "  expected: Fetch, Done\n"
                        "  actual:   Fetch, Oops\n");
    wftest_result_release(&res);
    wftest_run_case(&tf.cases[2], def, &base, NULL, &res);
    assert_true(res.passed);
    wftest_result_release(&res);
    size_t hit, total;
    coverage_count(&cov, COV_STATE, &hit, &total);
    assert_int_equal(hit, 3);
    coverage_count(&cov, COV_CATCHER, &hit, &total);
    assert_int_equal(hit, 1);
    coverage_release(&cov);
    interp_cache_free(cache);
    json_decref(def);
    wftest_release(&tf);
    diag_release(&dl);
}

/* ---- JUnit ----------------------------------------------------------------------- */

static void test_wftest_junit_xml(void **state)
{
    (void)state;
    struct wftest_junit j = {0};
    wftest_junit_suite(&j, "wf_a");
    wftest_junit_case(&j, "ok <1>", NULL);
    wftest_junit_case(&j, "bad \"2\"", "status: expected A & B\n  cause: \"x\"\x01\n");
    wftest_junit_suite(&j, "wf_b");
    char *xml = wftest_junit_xml(&j);
    assert_string_equal(
        xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<testsuites name=\"wfgen test\" tests=\"2\" failures=\"1\" errors=\"0\" "
             "time=\"0\">\n"
             "  <testsuite name=\"wf_a\" tests=\"2\" failures=\"1\" errors=\"0\" "
             "skipped=\"0\" time=\"0\">\n"
             "    <testcase classname=\"wf_a\" name=\"ok &lt;1&gt;\" time=\"0\"/>\n"
             "    <testcase classname=\"wf_a\" name=\"bad &quot;2&quot;\" time=\"0\">\n"
             "      <failure message=\"status: expected A &amp; B\" "
             "type=\"AssertionFailed\">status: expected A &amp; B\n"
             "  cause: &quot;x&quot;\n"
             "</failure>\n"
             "    </testcase>\n"
             "  </testsuite>\n"
             "  <testsuite name=\"wf_b\" tests=\"0\" failures=\"0\" errors=\"0\" "
             "skipped=\"0\" time=\"0\">\n"
             "  </testsuite>\n"
             "</testsuites>\n");
    free(xml);
    wftest_junit_release(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wftest_load_model),
        cmocka_unit_test(test_wftest_load_errors),
        cmocka_unit_test(test_wftest_load_ranges),
        cmocka_unit_test(test_wftest_load_shapes),
        cmocka_unit_test(test_wftest_check_states),
        cmocka_unit_test(test_wftest_judge_pass),
        cmocka_unit_test(test_wftest_judge_status_error_cause),
        cmocka_unit_test(test_wftest_judge_output),
        cmocka_unit_test(test_wftest_judge_output_limits),
        cmocka_unit_test(test_wftest_judge_path_visits),
        cmocka_unit_test(test_wftest_judge_entered),
        cmocka_unit_test(test_wftest_run_case),
        cmocka_unit_test(test_wftest_junit_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
