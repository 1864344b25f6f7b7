/*
 * Unit tests for emit/scheduler.c: the schedule document of a hand-built workflow, its
 * key order, optional keys, canonical expression and the file it adds to an outset.
 */
#include "helpers.h"

#include "emit/scheduler.h"

#include <string.h>

struct fixture {
    struct catalog cat;
    struct workflow wf;
    char sm[64], group[32], role[64]; /* wf_names holds mutable strings */
};

static void fixture_init(struct fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->cat.project = "adplatform";
    fx->cat.env = "prd";
    fx->cat.region = "ap-northeast-1";
    fx->cat.account_id = "123456789012";
    fx->cat.partition = "aws";
    fx->wf.key = "daily_sales_report";
    fx->wf.schedule = "cron(0 3 * * ? *)";
    fx->wf.description = "Aggregate yesterday's sales";
    fx->wf.enabled = true;
    fx->wf.timezone = "Asia/Tokyo";
    fx->wf.scheduler.max_attempts = 2;
    fx->wf.scheduler.max_event_age = 3600;
    fx->wf.scheduler.dead_letter_queue = "arn:aws:sqs:ap-northeast-1:123456789012:wf-dlq";
    strcpy(fx->sm, "adplatform-prd-daily_sales_report");
    strcpy(fx->group, "adplatform-prd");
    strcpy(fx->role, "adplatform-prd-daily_sales_report-scheduler");
    fx->wf.names.state_machine = fx->sm;
    fx->wf.names.schedule = fx->sm;
    fx->wf.names.group = fx->group;
    fx->wf.names.scheduler_role = fx->role;
}

static void test_emit_scheduler_full_document(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_init(&fx);
    json_t *doc = emit_schedule_json(&fx.cat, &fx.wf);
    assert_json_text(
        doc,
        "{\"Name\":\"adplatform-prd-daily_sales_report\",\"GroupName\":\"adplatform-"
        "prd\","
        "\"ScheduleExpression\":\"cron(0 3 * * ? *)\","
        "\"ScheduleExpressionTimezone\":\"Asia/Tokyo\","
        "\"Description\":\"Aggregate yesterday's sales\",\"State\":\"ENABLED\","
        "\"FlexibleTimeWindow\":{\"Mode\":\"OFF\"},"
        "\"Target\":{\"Arn\":\"arn:aws:states:ap-northeast-1:123456789012:stateMachine:"
        "adplatform-prd-daily_sales_report\","
        "\"RoleArn\":\"arn:aws:iam::123456789012:role/"
        "adplatform-prd-daily_sales_report-scheduler\","
        "\"Input\":\"{\\\"scheduled_time\\\":\\\"<aws.scheduler.scheduled-time>\\\"}\","
        "\"RetryPolicy\":{\"MaximumEventAgeInSeconds\":3600,\"MaximumRetryAttempts\":2},"
        "\"DeadLetterConfig\":{\"Arn\":\"arn:aws:sqs:ap-northeast-1:123456789012:wf-"
        "dlq\"}}}");
    json_decref(doc);
}

/* assert_json_text compares canonical dumps, which keep insertion order: check it. */
static void test_emit_scheduler_key_order(void **state)
{
    (void)state;
    static const char *const order[] = {
        "Name",        "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
        "Description", "State",     "FlexibleTimeWindow", "Target"};
    struct fixture fx;
    fixture_init(&fx);
    json_t *doc = emit_schedule_json(&fx.cat, &fx.wf);
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        assert_true(i < sizeof(order) / sizeof(order[0]));
        assert_string_equal(key, order[i++]);
    }
    assert_int_equal(i, sizeof(order) / sizeof(order[0]));
    json_decref(doc);
}

static void test_emit_scheduler_optional_keys(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_init(&fx);
    fx.wf.description = "";
    fx.wf.enabled = false;
    fx.wf.scheduler.dead_letter_queue = NULL;
    fx.cat.partition = "aws-cn";
    fx.cat.region = "cn-north-1";
    json_t *doc = emit_schedule_json(&fx.cat, &fx.wf);
    assert_null(json_object_get(doc, "Description"));
    assert_string_equal(json_string_value(json_object_get(doc, "State")), "DISABLED");
    json_t *target = json_object_get(doc, "Target");
    assert_null(json_object_get(target, "DeadLetterConfig"));
    assert_string_equal(json_string_value(json_object_get(target, "Arn")),
                        "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:"
                        "adplatform-prd-daily_sales_report");
    assert_string_equal(json_string_value(json_object_get(target, "RoleArn")),
                        "arn:aws-cn:iam::123456789012:role/"
                        "adplatform-prd-daily_sales_report-scheduler");
    json_decref(doc);
}

static void test_emit_scheduler_canonical_expression(void **state)
{
    (void)state;
    struct fixture fx;
    fixture_init(&fx);
    fx.wf.schedule = "rate(1 hours)";
    json_t *doc = emit_schedule_json(&fx.cat, &fx.wf);
    assert_string_equal(json_string_value(json_object_get(doc, "ScheduleExpression")),
                        "rate(1 hour)");
    json_decref(doc);
    fx.wf.schedule = "cron(0  3 * * ? *)";
    doc = emit_schedule_json(&fx.cat, &fx.wf);
    assert_string_equal(json_string_value(json_object_get(doc, "ScheduleExpression")),
                        "cron(0 3 * * ? *)");
    json_decref(doc);
}

static void test_emit_scheduler_outset_file(void **state)
{
    (void)state;
    struct fixture fx;
    struct outset out = OUTSET_INIT;
    fixture_init(&fx);
    emit_schedule(&fx.cat, &fx.wf, &out);
    assert_int_equal(out.nr, 1);
    assert_string_equal(out.v[0].path, "schedules/daily_sales_report.json");
    assert_int_equal(out.v[0].len, strlen(out.v[0].data));
    static const char head[] = "{\n  \"Name\": \"adplatform-prd-daily_sales_report\",\n";
    assert_memory_equal(out.v[0].data, head, sizeof(head) - 1);
    assert_int_equal(out.v[0].data[out.v[0].len - 1], '\n');
    assert_non_null(strstr(out.v[0].data, "\"Input\": \"{\\\"scheduled_time\\\":"
                                          "\\\"<aws.scheduler.scheduled-time>\\\"}\""));
    outset_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emit_scheduler_full_document),
        cmocka_unit_test(test_emit_scheduler_key_order),
        cmocka_unit_test(test_emit_scheduler_optional_keys),
        cmocka_unit_test(test_emit_scheduler_canonical_expression),
        cmocka_unit_test(test_emit_scheduler_outset_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
