/*
 * Unit tests for operational wrapping (src/wrap.c): the shapes of the dedupe-only and
 * concurrency machines, JSONata user machines, the reserved prefix, that every wrapped
 * machine and the cleanup machine pass the ASL validator, that the JSONPath clock
 * computes the right time, and runs on the interpreter (release on failure, skips).
 */
#include "helpers.h"

#include "asl/validate.h"
#include "base/xalloc.h"
#include "emit/iam.h"
#include "interp/interp.h"
#include "wrap.h"
#include "yload.h"

#include <stdio.h>

struct fixture {
    struct catalog cat;
    struct workflow wf[2];
};

static const char user_jsonpath[] =
    "{\"Comment\": \"user\", \"StartAt\": \"Work\", \"States\": {"
    "\"Work\": {\"Type\": \"Pass\", \"Result\": {\"done\": true}, \"Next\": \"Check\"},"
    "\"Check\": {\"Type\": \"Choice\", \"Choices\": [{\"And\": [{\"Variable\": "
    "\"$.done\","
    " \"IsPresent\": true}, {\"Variable\": \"$.done\", \"BooleanEquals\": false}],"
    " \"Next\": \"Broken\"}], \"Default\": \"Fine\"},"
    "\"Broken\": {\"Type\": \"Fail\", \"Error\": \"Job.Broken\", \"Cause\": \"bad\"},"
    "\"Fine\": {\"Type\": \"Succeed\"}}}";

static const char user_failing[] = "{\"StartAt\": \"Work\", \"States\": {"
                                   "\"Work\": {\"Type\": \"Fail\", \"Error\": "
                                   "\"Job.Broken\", \"Cause\": \"disk full\"}}}";

static const char user_jsonata[] =
    "{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"P\", \"States\": {"
    "\"P\": {\"Type\": \"Parallel\", \"Branches\": [{\"StartAt\": \"In\", \"States\": {"
    "\"In\": {\"Type\": \"Pass\", \"Output\": \"{% $states.input %}\", \"End\": true}}}],"
    " \"Next\": \"Out\"},"
    "\"Out\": {\"Type\": \"Pass\", \"Output\": {\"n\": \"{% 1 + 1 %}\"}, \"End\": "
    "true}}}";

static void base_workflow(struct workflow *wf, const struct catalog *cat, const char *key)
{
    memset(wf, 0, sizeof(*wf));
    wf->key = key;
    wf->timeout = 7200;
    wf->conc.lease = 7200;
    wf->logging = (struct wf_logging){"ERROR", 30, false};
    naming_derive(&wf->names, cat->project, cat->env, key);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct catalog *cat = &f->cat;
    cat->project = "acme";
    cat->env = "dev";
    cat->region = "eu-west-1";
    cat->account_id = "111122223333";
    cat->partition = "aws";
    base_workflow(&f->wf[0], cat, "nightly");
    base_workflow(&f->wf[1], cat, "hourly");
    cat->wf = f->wf;
    cat->nwf = 2;
    *state = f;
    return 0;
}

/* Each test starts from workflows without operational features. */
static int reset(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < 2; i++) {
        f->wf[i].conc = (struct wf_concurrency){0, WF_CONFLICT_SKIP, 7200};
        f->wf[i].dedupe = false;
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < 2; i++)
        naming_release(&f->wf[i].names);
    free(f);
    return 0;
}

/* Loads `text` as a definition and wraps it; returns wrap_operational's result. */
static int wrap_text(struct fixture *f, struct ydoc *doc, const char *text,
                     struct diag_list *dl)
{
    assert_int_equal(yload_mem(doc, "def.asl.json", text, strlen(text), dl), 0);
    return wrap_operational(&f->cat, &f->wf[0], doc, dl);
}

static json_t *state_of(const json_t *root, const char *name)
{
    return json_object_get(json_object_get(root, "States"), name);
}

static const char *str_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Asserts that the validator adds nothing at all (no error, no warning). */
static void assert_valid(const struct ydoc *doc, const json_t *asl)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct asl_opts opts = {false};
    int rc = asl_validate(doc, asl, &opts, &dl);
    if (dl.nr)
        diag_print(&dl, DIAG_TEXT, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(dl.nr, 0);
    diag_release(&dl);
}

static void test_wrap_untouched_without_features(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(yload_mem(&doc, "d", user_jsonpath, strlen(user_jsonpath), &dl), 0);
    json_t *before = doc.root;
    assert_false(wrap_needed(&f->wf[0]));
    assert_int_equal(wrap_operational(&f->cat, &f->wf[0], &doc, &dl), 0);
    assert_ptr_equal(doc.root, before);
    ydoc_release(&doc);
}

static void test_wrap_dedupe_only(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    json_t *r = doc.root;
    assert_string_equal(str_at(r, "Comment"), "user");
    assert_string_equal(str_at(r, "StartAt"), "Wfgen.CheckDuplicate");
    assert_int_equal(json_integer_value(json_object_get(r, "TimeoutSeconds")), 7200);
    /* the user's states stay at the top level, entered after the marker */
    assert_non_null(state_of(r, "Work"));
    assert_string_equal(str_at(state_of(r, "Wfgen.Start"), "Next"), "Work");
    assert_string_equal(str_at(state_of(r, "Wfgen.CheckDuplicate"), "Default"), "Work");
    json_t *put = state_of(r, "Wfgen.Dedupe");
    assert_string_equal(str_at(put, "Resource"), "arn:aws:states:::dynamodb:putItem");
    json_t *params = json_object_get(put, "Parameters");
    assert_string_equal(str_at(params, "TableName"), "acme-dev-wfgen-locks");
    assert_string_equal(
        str_at(json_object_get(json_object_get(params, "Item"), "pk"), "S.$"),
        "States.Format('nightly#{}', $.data.scheduled_time)");
    assert_json_text(json_object_get(put, "Catch"),
                     "[{\"ErrorEquals\":[\"DynamoDB.ConditionalCheckFailedException\"],"
                     "\"ResultPath\":null,\"Next\":\"Wfgen.Duplicate\"}]");
    assert_json_text(json_object_get(state_of(r, "Wfgen.Duplicate"), "Result"),
                     "{\"skipped\":\"duplicate\"}");
    assert_null(state_of(r, "Wfgen.Run"));
    assert_valid(&doc, r);
    ydoc_release(&doc);
}

static void test_wrap_concurrency_skip(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].conc = (struct wf_concurrency){1, WF_CONFLICT_SKIP, 7200};
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    json_t *r = doc.root;
    assert_string_equal(str_at(r, "StartAt"), "Wfgen.Init");
    assert_int_equal(json_integer_value(json_object_get(r, "TimeoutSeconds")), 7200);
    assert_null(state_of(r, "Work"));
    assert_null(state_of(r, "Wfgen.NextSlot"));
    assert_null(state_of(r, "Wfgen.CheckDuplicate"));
    assert_string_equal(str_at(state_of(r, "Wfgen.Now"), "Next"), "Wfgen.Acquire");
    json_t *acq = state_of(r, "Wfgen.Acquire");
    assert_string_equal(str_at(json_array_get(json_object_get(acq, "Catch"), 0), "Next"),
                        "Wfgen.Busy");
    assert_json_text(json_object_get(state_of(r, "Wfgen.Busy"), "Result"),
                     "{\"skipped\":\"concurrency\"}");
    json_t *run = state_of(r, "Wfgen.Run");
    json_t *branch = json_array_get(json_object_get(run, "Branches"), 0);
    assert_string_equal(str_at(branch, "StartAt"), "Work");
    assert_non_null(json_object_get(json_object_get(branch, "States"), "Broken"));
    assert_string_equal(str_at(run, "InputPath"), "$.data");
    assert_string_equal(str_at(state_of(r, "Wfgen.Done"), "OutputPath"), "$.data[0]");
    /* the lease: 7200 s -> 72 units + 1 for rounding; the TTL one day later */
    json_t *item = json_object_get(json_object_get(acq, "Parameters"), "Item");
    assert_string_equal(str_at(json_object_get(item, "lease_until"), "N.$"),
                        "States.Format('{}00', States.MathAdd($.clock.now, 73))");
    assert_string_equal(str_at(json_object_get(item, "expires_at"), "N.$"),
                        "States.Format('{}00', States.MathAdd($.clock.now, 937))");
    assert_valid(&doc, r);
    ydoc_release(&doc);
}

static void test_wrap_concurrency_slots_and_fail(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].conc = (struct wf_concurrency){3, WF_CONFLICT_FAIL, 7200};
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    json_t *r = doc.root;
    json_t *acq = state_of(r, "Wfgen.Acquire");
    assert_string_equal(str_at(json_array_get(json_object_get(acq, "Catch"), 0), "Next"),
                        "Wfgen.NextSlot");
    json_t *left = state_of(r, "Wfgen.SlotsLeft");
    assert_json_text(json_object_get(left, "Choices"),
                     "[{\"And\":[{\"Variable\":\"$.wfgen.slot\",\"IsPresent\":true},"
                     "{\"Variable\":\"$.wfgen.slot\",\"NumericLessThan\":3}],"
                     "\"Next\":\"Wfgen.Acquire\"}]");
    assert_string_equal(str_at(left, "Default"), "Wfgen.Busy");
    json_t *busy = state_of(r, "Wfgen.Busy");
    assert_string_equal(str_at(busy, "Type"), "Fail");
    assert_string_equal(str_at(busy, "Error"), WRAP_ERROR_BUSY);
    assert_valid(&doc, r);
    ydoc_release(&doc);
}

static void test_wrap_wait_with_dedupe(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].conc = (struct wf_concurrency){1, WF_CONFLICT_WAIT, 3600};
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    json_t *r = doc.root;
    /* waiting does not eat the run's own time: timeout + lease */
    assert_int_equal(json_integer_value(json_object_get(r, "TimeoutSeconds")),
                     7200 + 3600);
    assert_string_equal(str_at(state_of(r, "Wfgen.Now"), "Next"), "Wfgen.CheckDuplicate");
    json_t *rule0 = json_array_get(
        json_object_get(state_of(r, "Wfgen.CheckDuplicate"), "Choices"), 0);
    json_t *cmp = json_array_get(json_object_get(rule0, "And"), 1);
    assert_string_equal(str_at(cmp, "Variable"), "$.wfgen.round");
    assert_string_equal(str_at(rule0, "Next"), "Wfgen.Acquire");
    assert_string_equal(str_at(state_of(r, "Wfgen.Dedupe"), "Next"), "Wfgen.Acquire");
    assert_string_equal(str_at(state_of(r, "Wfgen.Wait"), "Next"), "Wfgen.Clock");
    /* the delays add up to the budget: 5, 10, ... capped at 300 s */
    const char *delay =
        str_at(json_object_get(state_of(r, "Wfgen.Backoff"), "Parameters"), "delay.$");
    assert_non_null(strstr(delay, "States.Array(5, 10, 20, 40, 80, 160, 300, 300,"));
    json_t *budget =
        json_array_get(json_object_get(state_of(r, "Wfgen.WaitBudget"), "Choices"), 0);
    /* 315 s in six steps, then 300 s each: 11 more reach 3600 */
    json_t *limit = json_array_get(json_object_get(budget, "And"), 1);
    assert_int_equal(json_integer_value(json_object_get(limit, "NumericLessThan")), 17);
    assert_valid(&doc, r);
    ydoc_release(&doc);
}

static int has_jsonata_stamp(const json_t *states, const char *name)
{
    const json_t *st = json_object_get(states, name);
    const char *ql = json_string_value(json_object_get(st, "QueryLanguage"));
    return ql && !strcmp(ql, "JSONata");
}

static void test_wrap_jsonata_user_machine(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].conc = (struct wf_concurrency){2, WF_CONFLICT_SKIP, 7200};
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonata, &dl), 0);
    json_t *r = doc.root;
    assert_null(json_object_get(r, "QueryLanguage"));
    json_t *branch =
        json_array_get(json_object_get(state_of(r, "Wfgen.Run"), "Branches"), 0);
    json_t *ustates = json_object_get(branch, "States");
    assert_true(has_jsonata_stamp(ustates, "P"));
    assert_true(has_jsonata_stamp(ustates, "Out"));
    json_t *inner =
        json_array_get(json_object_get(json_object_get(ustates, "P"), "Branches"), 0);
    assert_true(has_jsonata_stamp(json_object_get(inner, "States"), "In"));
    assert_null(json_object_get(state_of(r, "Wfgen.Acquire"), "QueryLanguage"));
    assert_valid(&doc, r);
    ydoc_release(&doc);
}

static void test_wrap_reserved_prefix(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    static const char text[] =
        "{\"StartAt\": \"A\", \"States\": {\n"
        "  \"A\": {\"Type\": \"Pass\", \"Next\": \"Wfgen.Mine\"},\n"
        "  \"Wfgen.Mine\": {\"Type\": \"Succeed\"}}}";
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, text, &dl), -1);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_OPS_STATE_PREFIX, 3, 3);
    ydoc_release(&doc);
    diag_release(&dl);
}

/* ---- the clock -------------------------------------------------------------------- */

/* Runs the generated Clock and Now states alone at `iso`; returns clock.now. */
static json_int_t clock_at(const json_t *wrapped, const char *iso)
{
    json_t *now = json_deep_copy(state_of(wrapped, "Wfgen.Now"));
    json_object_del(now, "Next");
    json_object_set_new(now, "End", json_true());
    json_t *m =
        json_pack("{s:s,s:{s:O,s:o}}", "StartAt", "Wfgen.Clock", "States", "Wfgen.Clock",
                  state_of(wrapped, "Wfgen.Clock"), "Wfgen.Now", now);
    struct interp_opts o = {0};
    struct interp_result res;
    assert_int_equal(interp_parse_time(iso, &o.start_ms), 0);
    json_t *in = json_object();
    int rc = interp_run(m, in, &o, &res);
    if (rc)
        fail_msg("clock failed at %s: %s: %s", iso, res.error, res.cause);
    json_int_t v =
        json_integer_value(json_object_get(json_object_get(res.output, "clock"), "now"));
    interp_result_release(&res);
    json_decref(in);
    json_decref(m);
    return v;
}

static void test_wrap_clock(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    static const char *const times[] = {
        "2020-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z",
        "2024-03-01T00:00:00.000Z", "2025-12-31T23:59:00.000Z",
        "2026-01-01T00:00:00.000Z", "2026-07-15T13:07:41.250Z",
        "2038-01-19T03:14:07.000Z", "2099-12-31T23:59:59.000Z",
    };
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
        int64_t ms;
        assert_int_equal(interp_parse_time(times[i], &ms), 0);
        int64_t sec = ms / 1000;
        json_int_t want = (json_int_t)((sec - sec % 60) / 100);
        json_int_t got = clock_at(doc.root, times[i]);
        if (got != want)
            fail_msg("%s: clock %lld, want %lld", times[i], (long long)got,
                     (long long)want);
    }
    ydoc_release(&doc);
}

/* ---- runs -----------------------------------------------------------------------------
 */

/* Runs `asl` with a mock file text selecting case "c" (or none); fills *res. */
static void run_with(json_t *asl, const char *mocks, struct interp_result *res)
{
    struct interp_opts o = {0};
    struct mock m;
    char *err = NULL;
    json_t *mdoc = NULL;
    o.history = true;
    o.machine_name = "acme-dev-nightly";
    assert_int_equal(interp_parse_time("2026-01-01T03:00:00Z", &o.start_ms), 0);
    if (mocks) {
        json_error_t je;
        mdoc = json_loads(mocks, 0, &je);
        assert_non_null(mdoc);
        assert_int_equal(mock_parse(&m, mdoc, &err), 0);
        assert_int_equal(mock_select(&m, NULL, "c", &err), 0);
        o.mocks = &m;
    }
    json_t *in = json_pack("{s:s}", "scheduled_time", "2026-01-01T03:00:00Z");
    interp_run(asl, in, &o, res);
    json_decref(in);
    if (mocks) {
        mock_release(&m);
        json_decref(mdoc);
    }
}

/* True when the history has a TaskStateEntered/...Entered event for `state`. */
static bool entered(const json_t *history, const char *state)
{
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(history, "events"), i, ev)
    {
        const char *type = str_at(ev, "type");
        json_t *d = json_object_get(ev, "stateEnteredEventDetails");
        if (type && strstr(type, "StateEntered") && d &&
            !strcmp(str_at(d, "name"), state))
            return true;
    }
    return false;
}

static void test_wrap_run_releases_after_failure(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    struct interp_result res;
    f->wf[0].conc = (struct wf_concurrency){1, WF_CONFLICT_SKIP, 7200};
    assert_int_equal(wrap_text(f, &doc, user_failing, &dl), 0);
    run_with(doc.root, NULL, &res);
    assert_int_equal(res.status, INTERP_FAILED);
    assert_string_equal(res.error, "Job.Broken");
    assert_string_equal(res.cause, "disk full");
    assert_true(entered(res.history, "Wfgen.ReleaseAfterError"));
    assert_false(entered(res.history, "Wfgen.Release"));
    interp_result_release(&res);
    ydoc_release(&doc);
}

static void test_wrap_run_success_and_skips(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    struct interp_result res;
    static const char busy[] =
        "{\"StateMachines\": {\"m\": {\"TestCases\": {\"c\": {\"Wfgen.Acquire\": "
        "\"B\"}}}},"
        " \"MockedResponses\": {\"B\": {\"0\": {\"Throw\": {\"Error\":"
        " \"DynamoDB.ConditionalCheckFailedException\", \"Cause\": \"taken\"}}}}}";
    static const char dup[] =
        "{\"StateMachines\": {\"m\": {\"TestCases\": {\"c\": {\"Wfgen.Dedupe\": "
        "\"D\"}}}},"
        " \"MockedResponses\": {\"D\": {\"0\": {\"Throw\": {\"Error\":"
        " \"DynamoDB.ConditionalCheckFailedException\", \"Cause\": \"seen\"}}}}}";
    f->wf[0].conc = (struct wf_concurrency){1, WF_CONFLICT_SKIP, 7200};
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);

    run_with(doc.root, NULL, &res);
    assert_int_equal(res.status, INTERP_SUCCEEDED);
    assert_json_text(res.output, "{\"done\":true}");
    assert_true(entered(res.history, "Wfgen.Release"));
    interp_result_release(&res);

    run_with(doc.root, busy, &res);
    assert_int_equal(res.status, INTERP_SUCCEEDED);
    assert_json_text(res.output, "{\"skipped\":\"concurrency\"}");
    assert_false(entered(res.history, "Wfgen.Run"));
    interp_result_release(&res);

    run_with(doc.root, dup, &res);
    assert_int_equal(res.status, INTERP_SUCCEEDED);
    assert_json_text(res.output, "{\"skipped\":\"duplicate\"}");
    assert_false(entered(res.history, "Wfgen.Acquire"));
    interp_result_release(&res);

    ydoc_release(&doc);
}

/* ---- IAM and the cleanup machine ----------------------------------------------------
 */

static void test_wrap_iam_covers_table(void **state)
{
    struct fixture *f = *state;
    struct ydoc doc;
    struct diag_list dl = DIAG_LIST_INIT;
    f->wf[0].conc = (struct wf_concurrency){2, WF_CONFLICT_WAIT, 7200};
    f->wf[0].dedupe = true;
    assert_int_equal(wrap_text(f, &doc, user_jsonpath, &dl), 0);
    struct iam_ctx ictx = {"aws",     "eu-west-1", "111122223333", "acme-dev-nightly",
                           "default", NULL,        NULL,           NULL,
                           false,     NULL};
    json_t *pol = iam_policy_new(&ictx, &doc, doc.root, &dl);
    assert_non_null(pol);
    char *text = jout_compact(pol);
    assert_non_null(strstr(text, "\"dynamodb:PutItem\""));
    assert_non_null(strstr(text, "\"dynamodb:DeleteItem\""));
    assert_null(strstr(text, "\"dynamodb:UpdateItem\""));
    assert_non_null(strstr(
        text, "\"arn:aws:dynamodb:eu-west-1:111122223333:table/acme-dev-wfgen-locks\""));
    assert_null(strstr(text, "\"*\""));
    free(text);
    json_decref(pol);
    ydoc_release(&doc);
}

static void test_wrap_cleanup_machine(void **state)
{
    struct fixture *f = *state;
    assert_null(wrap_cleanup_new(&f->cat));
    f->wf[1].conc = (struct wf_concurrency){2, WF_CONFLICT_SKIP, 7200};
    json_t *m = wrap_cleanup_new(&f->cat);
    assert_non_null(m);
    assert_json_text(
        json_object_get(state_of(m, "Workflow"), "Choices"),
        "[{\"And\":[{\"Variable\":\"$.detail.stateMachineArn\","
        "\"IsPresent\":true},{\"Variable\":\"$.detail.stateMachineArn\","
        "\"StringEquals\":"
        "\"arn:aws:states:eu-west-1:111122223333:stateMachine:acme-dev-hourly\"}],"
        "\"Next\":\"hourly\"}]");
    assert_json_text(
        json_object_get(json_object_get(state_of(m, "hourly"), "Parameters"), "slots"),
        "[0,1]");
    assert_null(state_of(m, "nightly"));
    assert_valid(NULL, m);

    /* an event for an execution holding slot 1: both slots are tried, one deleted */
    static const char mocks[] =
        "{\"StateMachines\": {\"m\": {\"TestCases\": {\"c\": {\"ReleaseSlot\": \"R\"}}}},"
        " \"MockedResponses\": {\"R\": {\"0\": {\"Throw\": {\"Error\":"
        " \"DynamoDB.ConditionalCheckFailedException\", \"Cause\": \"not ours\"}},"
        " \"1\": {\"Return\": {}}}}}";
    struct interp_opts o = {0};
    struct interp_result res;
    struct mock mk;
    char *err = NULL;
    json_error_t je;
    json_t *mdoc = json_loads(mocks, 0, &je);
    assert_int_equal(mock_parse(&mk, mdoc, &err), 0);
    assert_int_equal(mock_select(&mk, NULL, "c", &err), 0);
    o.mocks = &mk;
    json_t *ev = json_pack(
        "{s:s,s:{s:s,s:s,s:s}}", "detail-type", "Step Functions Execution Status Change",
        "detail", "status", "ABORTED", "stateMachineArn",
        "arn:aws:states:eu-west-1:111122223333:stateMachine:acme-dev-hourly",
        "executionArn",
        "arn:aws:states:eu-west-1:111122223333:execution:acme-dev-hourly:x");
    assert_int_equal(interp_run(m, ev, &o, &res), 0);
    interp_result_release(&res);
    json_decref(ev);
    mock_release(&mk);
    json_decref(mdoc);
    json_decref(m);
}

int main(void)
{
    json_set_alloc_funcs(xmalloc, free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_wrap_untouched_without_features, reset),
        cmocka_unit_test_setup(test_wrap_dedupe_only, reset),
        cmocka_unit_test_setup(test_wrap_concurrency_skip, reset),
        cmocka_unit_test_setup(test_wrap_concurrency_slots_and_fail, reset),
        cmocka_unit_test_setup(test_wrap_wait_with_dedupe, reset),
        cmocka_unit_test_setup(test_wrap_jsonata_user_machine, reset),
        cmocka_unit_test_setup(test_wrap_reserved_prefix, reset),
        cmocka_unit_test_setup(test_wrap_clock, reset),
        cmocka_unit_test_setup(test_wrap_run_releases_after_failure, reset),
        cmocka_unit_test_setup(test_wrap_run_success_and_skips, reset),
        cmocka_unit_test_setup(test_wrap_iam_covers_table, reset),
        cmocka_unit_test_setup(test_wrap_cleanup_machine, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
