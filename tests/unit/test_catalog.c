/* Unit tests for the catalog: schema checks, defaults merge, definitions, naming,
 * expansion. */
#include "helpers.h"

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "catalog.h"
#include "expand.h"
#include "srcfile.h"

#include <stdio.h>
#include <unistd.h>

static char dir[64];

static const char head[] =
    "version: 1\nproject: adp\nenv: prd\n"
    "aws: {region: ap-northeast-1, account_id: \"123456789012\"}\n";

static void write_file(const char *rel, const char *text)
{
    char *p = fs_join(dir, rel);
    assert_int_equal(fs_write_atomic(p, text, strlen(text)), 0);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/wfgen-cat-XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_file("definitions/daily.asl.yaml",
               "StartAt: A\nStates: {A: {Type: Succeed}}\n");
    write_file("definitions/other.asl.json",
               "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

/* Loads head + body as the catalog; returns catalog_load's result. */
static int load(struct catalog *cat, struct diag_list *dl, const char *body)
{
    char *text = xasprintf("%s%s", head, body);
    write_file("workflows.yaml", text);
    free(text);
    char *p = fs_join(dir, "workflows.yaml");
    int rc = catalog_load(cat, p, dl);
    free(p);
    return rc;
}

static void test_catalog_defaults_merge(void **state)
{
    (void)state;
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(load(&cat, &dl,
                          "defaults:\n  timezone: Asia/Tokyo\n  timeout: 2h\n"
                          "  logging: {level: ALL, retention_days: 7}\n"
                          "  tags: {team: ads}\n"
                          "workflows:\n"
                          "  - key: daily\n    schedule: cron(0 3 * * ? *)\n"
                          "    logging: {level: FATAL}\n    tags: {x: y}\n"
                          "  - key: other\n    schedule: rate(1 hour)\n    timeout: 15m\n"
                          "    timezone: UTC\n    enabled: false\n"),
                     0);
    assert_int_equal(dl.nr, 0);
    assert_int_equal(cat.nwf, 2);
    const struct workflow *d = catalog_find(&cat, "daily");
    assert_string_equal(d->timezone, "Asia/Tokyo");
    assert_int_equal(d->timeout, 7200);
    assert_string_equal(d->logging.level, "FATAL");
    assert_int_equal(d->logging.retention_days, 7);
    assert_json_text(d->tags, "{\"team\":\"ads\",\"x\":\"y\"}");
    assert_string_equal(d->definition, "definitions/daily.asl.yaml");
    assert_true(d->enabled);
    const struct workflow *o = catalog_find(&cat, "other");
    assert_int_equal(o->timeout, 900);
    assert_string_equal(o->definition, "definitions/other.asl.json");
    assert_false(o->enabled);
    assert_string_equal(o->names.state_machine, "adp-prd-other");
    assert_string_equal(o->names.role, "adp-prd-other-sfn");
    assert_string_equal(o->names.scheduler_role, "adp-prd-other-scheduler");
    assert_string_equal(o->names.group, "adp-prd");
    assert_string_equal(o->names.log_group, "/aws/vendedlogs/states/adp-prd-other");
    catalog_release(&cat);
    diag_release(&dl);
}

static void expect(const char *body, enum diag_id id, unsigned line, unsigned col,
                   const char *msg_part)
{
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(load(&cat, &dl, body), -1);
    diag_sort(&dl);
    size_t i = 0;
    while (i < dl.nr && dl.v[i].id != id)
        i++;
    if (i == dl.nr)
        fail_msg("expected %s; first diagnostic: %s", diag_info(id)->name,
                 dl.nr ? dl.v[0].msg : "(none)");
    assert_diag(&dl, i, id, line, col);
    if (msg_part && !strstr(dl.v[i].msg, msg_part))
        fail_msg("message '%s' lacks '%s'", dl.v[i].msg, msg_part);
    catalog_release(&cat);
    diag_release(&dl);
}

#define WF(extra)                                                                        \
    "workflows:\n  - key: daily\n    schedule: cron(0 3 * * ? *)\n    timeout: "         \
    "1h\n" extra

static void test_catalog_rejects(void **state)
{
    (void)state;
    expect(WF("    scheduel: x\n"), D_CAT_UNKNOWN_KEY, 9, 5, "scheduel");
    expect("workflows:\n  - key: daily\n    timeout: 1h\n", D_CAT_MISSING_KEY, 6, 5,
           "schedule");
    expect(WF("    timezone: Mars/Olympus\n"), D_CAT_TIMEZONE, 9, 15, "Mars/Olympus");
    expect(WF("    dedupe: yes\n"), D_CAT_TYPE, 9, 13, "dedupe");
    expect(
        "workflows:\n  - key: daily\n    schedule: rate(1 hour)\n    timeout: 2 hours\n",
        D_CAT_DURATION, 8, 14, NULL);
    expect("workflows:\n  - key: daily\n    schedule: rate(1 hour)\n", D_CAT_MISSING_KEY,
           6, 10, "timeout");
    expect(WF("    definition: definitions/report.asl.yaml\n"), D_CAT_DEF_NAME, 9, 17,
           "report");
    expect(WF("    definition: ../daily.asl.yaml\n"), D_CAT_PATH_ESCAPE, 9, 17, NULL);
    expect(WF("    definition: /etc/daily.asl.yaml\n"), D_CAT_PATH_ESCAPE, 9, 17, NULL);
    expect("workflows:\n  - key: nodef\n    schedule: rate(1 hour)\n    timeout: 1h\n",
           D_CAT_DEF_MISSING, 6, 10, "nodef");
    expect(WF("  - key: daily\n    schedule: rate(1 hour)\n    timeout: 1h\n"),
           D_CAT_DUP_WORKFLOW, 9, 10, "daily");
    expect(WF("    logging: {retention_days: 31}\n"), D_CAT_RETENTION, 9, 31, NULL);
    expect(WF("    scheduler: {retry: {max_attempts: 186}}\n"), D_CAT_VALUE, 9, 39,
           "186");
    expect(WF("    key2: 1\n"), D_CAT_UNKNOWN_KEY, 9, 5, NULL);
    expect("workflows:\n  - key: Daily\n    schedule: rate(1 hour)\n    timeout: 1h\n",
           D_CAT_VALUE, 6, 10, "workflow key");
}

static void test_catalog_top_level(void **state)
{
    (void)state;
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    write_file("workflows.yaml",
               "version: 2\nproject: Adp\nenv: prd\n"
               "aws: {region: ap-northeast-1, account_id: 123456789012}\n"
               "workflow: []\n");
    char *p = fs_join(dir, "workflows.yaml");
    assert_int_equal(catalog_load(&cat, p, &dl), -1);
    free(p);
    diag_sort(&dl);
    assert_diag(&dl, 0, D_CAT_MISSING_KEY, 1, 1);
    assert_diag(&dl, 1, D_CAT_VERSION, 1, 10);
    assert_diag(&dl, 2, D_CAT_VALUE, 2, 10);
    assert_diag(&dl, 3, D_CAT_TYPE, 4, 43);
    assert_string_equal(dl.v[3].notes[0], "quote the value to make it a string");
    assert_diag(&dl, 4, D_CAT_UNKNOWN_KEY, 5, 1);
    assert_string_equal(dl.v[4].notes[0], "did you mean 'workflows'?");
    catalog_release(&cat);
    diag_release(&dl);
}

static void test_catalog_name_limits(void **state)
{
    (void)state;
    char body[512];
    snprintf(body, sizeof(body),
             "workflows:\n  - key: %s\n    schedule: rate(1 hour)\n    timeout: 1h\n"
             "    definition: definitions/%s.asl.yaml\n",
             "a_very_long_workflow_key_that_goes_on_and_on_forever",
             "a_very_long_workflow_key_that_goes_on_and_on_forever");
    write_file(
        "definitions/a_very_long_workflow_key_that_goes_on_and_on_forever.asl.yaml",
        "StartAt: A\nStates: {A: {Type: Succeed}}\n");
    expect(body, D_NAME_TOO_LONG, 6, 10, "70 characters, 6 over the AWS limit of 64");
}

static void test_catalog_duration(void **state)
{
    (void)state;
    assert_int_equal(catalog_parse_duration("30s"), 30);
    assert_int_equal(catalog_parse_duration("15m"), 900);
    assert_int_equal(catalog_parse_duration("2h"), 7200);
    assert_int_equal(catalog_parse_duration("1d"), 86400);
    assert_int_equal(catalog_parse_duration("45"), 45);
    assert_int_equal(catalog_parse_duration("1w"), -1);
    assert_int_equal(catalog_parse_duration("h"), -1);
    assert_int_equal(catalog_parse_duration("-1h"), -1);
    assert_int_equal(catalog_parse_duration("1h30m"), -1);
}

static void test_expand_substitutions(void **state)
{
    (void)state;
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(load(&cat, &dl,
                          "vars: {topic: t1, retries: 3}\n"
                          "workflows:\n  - key: daily\n    schedule: rate(1 hour)\n"
                          "    timeout: 1h\n"),
                     0);
    const char *def =
        "a: arn:${aws.partition}:sns:${aws.region}:${aws.account_id}:${topic}\n"
        "b: ${retries}\nc: x${retries}\nd: $${literal}\ne: [\"${workflow.name}\"]\n"
        "f: ${project}/${env}/${workflow.key}\n";
    struct ydoc doc;
    assert_int_equal(yload_mem(&doc, "d.yaml", def, strlen(def), &dl), 0);
    assert_int_equal(expand_substitutions(&cat, &cat.wf[0], &doc, &dl), 0);
    assert_int_equal(dl.nr, 0);
    assert_json_text(doc.root, "{\"a\":\"arn:aws:sns:ap-northeast-1:123456789012:t1\","
                               "\"b\":3,\"c\":\"x3\",\"d\":\"${literal}\","
                               "\"e\":[\"adp-prd-daily\"],\"f\":\"adp/prd/daily\"}");
    ydoc_release(&doc);
    const char *bad = "a: ok\nb: x-${nope}\nc: ${open\n";
    assert_int_equal(yload_mem(&doc, "d.yaml", bad, strlen(bad), &dl), 0);
    assert_int_equal(expand_substitutions(&cat, &cat.wf[0], &doc, &dl), -1);
    assert_diag(&dl, 0, D_CAT_SUBST_UNKNOWN, 2, 6);
    assert_diag(&dl, 1, D_CAT_SUBST_SYNTAX, 3, 4);
    ydoc_release(&doc);
    catalog_release(&cat);
    diag_release(&dl);
}

static void test_catalog_ops_settings(void **state)
{
    (void)state;
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(
        load(
            &cat, &dl,
            "defaults:\n  timeout: 2h\n"
            "  monitoring: {datadog: {forwarder_arn: "
            "\"arn:aws:lambda:ap-northeast-1:123456789012:function:dd\", tags: {a: b}}}\n"
            "workflows:\n"
            "  - key: daily\n    schedule: cron(0 3 * * ? *)\n    concurrency: 2\n"
            "    dedupe: true\n    pii: true\n"
            "    monitoring: {datadog: {log_level: ALL}}\n"
            "  - key: other\n    schedule: rate(1 hour)\n"
            "    concurrency: {limit: 1, on_conflict: wait, lease: 3h}\n"
            "    monitoring: {datadog: {enabled: false}}\n"),
        0);
    assert_int_equal(dl.nr, 0);
    const struct workflow *d = catalog_find(&cat, "daily");
    assert_int_equal(d->conc.limit, 2);
    assert_int_equal(d->conc.on_conflict, WF_CONFLICT_SKIP);
    assert_int_equal(d->conc.lease, 7200); /* the timeout */
    assert_true(d->dedupe);
    assert_true(d->pii);
    assert_string_equal(d->datadog.forwarder_arn,
                        "arn:aws:lambda:ap-northeast-1:123456789012:function:dd");
    assert_json_text(d->datadog.tags, "{\"a\":\"b\"}");
    assert_string_equal(d->datadog.log_level, "ALL");
    assert_string_equal(d->names.status_rule, "adp-prd-daily-status");
    const struct workflow *o = catalog_find(&cat, "other");
    assert_int_equal(o->conc.limit, 1);
    assert_int_equal(o->conc.on_conflict, WF_CONFLICT_WAIT);
    assert_int_equal(o->conc.lease, 3 * 3600);
    assert_false(o->pii);
    assert_null(o->datadog.forwarder_arn);
    assert_string_equal(cat.names.locks_table, "adp-prd-wfgen-locks");
    assert_string_equal(cat.names.cleanup_machine, "adp-prd-wfgen-cleanup");
    assert_string_equal(cat.names.operator_policy, "adp-prd-wfgen-operator");
    catalog_release(&cat);
    diag_release(&dl);
}

static void test_catalog_ops_warnings(void **state)
{
    (void)state;
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(load(&cat, &dl,
                          "defaults:\n  logging: {include_execution_data: true}\n"
                          "workflows:\n"
                          "  - key: daily\n    schedule: rate(1 hour)\n    timeout: 1h\n"
                          "    concurrency: {limit: 1, lease: 30m}\n    pii: true\n"
                          "  - key: other\n    schedule: rate(1 hour)\n    timeout: 1h\n"
                          "    pii: true\n    logging: {level: 'OFF'}\n"),
                     0);
    diag_sort(&dl);
    assert_int_equal(dl.nr, 2);
    /* the setting at fault is in defaults */
    assert_diag(&dl, 0, D_OPS_PII_LOGGED, 6, 37);
    assert_diag(&dl, 1, D_OPS_LEASE_SHORT, 11, 36);
    assert_non_null(strstr(dl.v[1].msg, "(1800s) is shorter than its timeout (3600s)"));
    catalog_release(&cat);
    diag_release(&dl);
}

static void test_catalog_ops_rejects(void **state)
{
    (void)state;
    expect(WF("    monitoring: {datadog: {tags: {a: b}}}\n"), D_CAT_MISSING_KEY, 9, 27,
           "forwarder_arn");
    expect(WF("    monitoring: {datadog: {forwarder_arn: arn:aws:sns:x}}\n"), D_CAT_VALUE,
           9, 43, "forwarder_arn");
    expect(WF("    monitoring: {datadog: {forwarder: x}}\n"), D_CAT_UNKNOWN_KEY, 9, 28,
           "forwarder");
    expect(WF("    concurrency: {limit: 1, on_conflict: queue}\n"), D_CAT_VALUE, 9, 42,
           "queue");
    expect(WF("    concurrency: 0\n"), D_CAT_VALUE, 9, 18, NULL);
    expect(WF("    concurrency: {on_conflict: skip}\n"), D_CAT_MISSING_KEY, 9, 18,
           "limit");
    expect(WF("    pii: sometimes\n"), D_CAT_TYPE, 9, 10, "pii");
}

/* Catalog-wide names are checked only for the resources the catalog creates. */
static void test_catalog_ops_names(void **state)
{
    (void)state;
    static const char top[] =
        "version: 1\nproject: a-very-long-project-name-for-the-tests-x\n"
        "env: staging\naws: {region: eu-west-1, account_id: "
        "\"111122223333\"}\nworkflows:\n"
        "  - key: daily\n    schedule: rate(1 hour)\n    timeout: 1h\n";
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    char *p = fs_join(dir, "workflows.yaml");
    write_file("workflows.yaml", top);
    assert_int_equal(catalog_load(&cat, p, &dl), 0);
    assert_int_equal(dl.nr, 0);
    catalog_release(&cat);
    char *text = xasprintf("%s    concurrency: 1\n", top);
    write_file("workflows.yaml", text);
    assert_int_equal(catalog_load(&cat, p, &dl), -1);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_NAME_TOO_LONG, 2, 10);
    assert_non_null(strstr(dl.v[0].msg, "cleanup role name"));
    assert_non_null(strstr(dl.v[1].msg, "cleanup events role name"));
    catalog_release(&cat);
    diag_release(&dl);
    free(text);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_defaults_merge),
        cmocka_unit_test(test_catalog_rejects),
        cmocka_unit_test(test_catalog_top_level),
        cmocka_unit_test(test_catalog_name_limits),
        cmocka_unit_test(test_catalog_duration),
        cmocka_unit_test(test_expand_substitutions),
        cmocka_unit_test(test_catalog_ops_settings),
        cmocka_unit_test(test_catalog_ops_warnings),
        cmocka_unit_test(test_catalog_ops_rejects),
        cmocka_unit_test(test_catalog_ops_names),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    srcfile_free_all();
    return rc;
}
