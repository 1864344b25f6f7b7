/*
 * Unit tests for backfill.c: execution names and their limits, fire times in a window
 * (DST gap and overlap, month ends, rate anchors, bounds, the cap), the run objects
 * and both output formats, and POSIX shell quoting.
 */
#include "helpers.h"

#include "backfill.h"
#include "base/xalloc.h"

#include <stdio.h>

/* ---- helpers ------------------------------------------------------------------- */

static int64_t iso(const char *s, const char *tz)
{
    int64_t t;
    if (sched_iso_parse(s, tz, &t))
        fail_msg("bad ISO time '%s'", s);
    return t;
}

static struct sched_expr parse_ok(const char *text)
{
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(text, &e, &err))
        fail_msg("'%s' rejected: %s", text, err.error.text);
    return e;
}

/*
 * The fire times of `expr` in [from, to) (both local to tz unless they carry an
 * offset) as comma-separated UTC times, "" when there are none.
 */
static char *window(const char *expr, const char *tz, const char *from, const char *to)
{
    static char out[4096];
    struct sched_expr e = parse_ok(expr);
    int64_t *t;
    size_t n;
    assert_int_equal(backfill_times(&e, tz, iso(from, tz), iso(to, tz), 100, &t, &n), 0);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char buf[SCHED_ISO_MAX];
        sched_iso_utc(t[i], buf);
        if (i)
            strcat(out, ",");
        strcat(out, buf);
    }
    free(t);
    return out;
}

#define ARN "arn:aws:states:eu-central-1:111122223333:stateMachine:acme-prd-nightly"

/* ---- names --------------------------------------------------------------------- */

static void test_backfill_format_parse(void **state)
{
    (void)state;
    enum backfill_format f = BACKFILL_JSON;
    assert_int_equal(backfill_format_parse("sh", &f), 0);
    assert_int_equal(f, BACKFILL_SH);
    assert_int_equal(backfill_format_parse("json", &f), 0);
    assert_int_equal(f, BACKFILL_JSON);
    assert_int_equal(backfill_format_parse("yaml", &f), -1);
    assert_int_equal(backfill_format_parse("JSON", &f), -1);
}

static void test_backfill_exec_name_utc_minute(void **state)
{
    (void)state;
    /* 03:30 in Berlin (CEST) is 01:30 UTC; seconds are not part of the name. */
    char *name =
        backfill_exec_name("nightly", iso("2026-03-31T03:30:59", "Europe/Berlin"));
    assert_string_equal(name, "nightly-20260331T0130");
    free(name);
    name = backfill_exec_name("a", iso("2199-12-31T23:59:00Z", "UTC"));
    assert_string_equal(name, "a-21991231T2359");
    free(name);
}

static void test_backfill_check_key_length(void **state)
{
    (void)state;
    char why[300], key[80];
    memset(key, 'k', 66);
    key[66] = '\0'; /* 66 + "-yyyymmddThhmm" = 80 */
    assert_int_equal(backfill_check_key(key, why, sizeof(why)), 0);
    char *name = backfill_exec_name(key, 0);
    assert_int_equal(strlen(name), BACKFILL_NAME_MAX);
    free(name);
    strcat(key, "k");
    assert_int_equal(backfill_check_key(key, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "81 characters, 1 over"));
    assert_non_null(strstr(why, "66 characters or fewer"));
}

static void test_backfill_check_key_charset(void **state)
{
    (void)state;
    char why[300];
    assert_int_equal(backfill_check_key("daily_sales-report9", why, sizeof(why)), 0);
    assert_int_equal(backfill_check_key("a:b", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "':'"));
    assert_int_equal(backfill_check_key("a b", why, sizeof(why)), -1);
    assert_int_equal(backfill_check_key("caf\xc3\xa9", why, sizeof(why)), -1);
    assert_int_equal(backfill_check_key("", why, sizeof(why)), -1);
}

/* ---- fire times ------------------------------------------------------------------ */

static void test_backfill_times_dst_gap_skipped(void **state)
{
    (void)state;
    /* Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist that day. */
    assert_string_equal(
        window("cron(30 2 * * ? *)", "Europe/Berlin", "2026-03-27", "2026-04-01"),
        "2026-03-27T01:30:00Z,2026-03-28T01:30:00Z,"
        "2026-03-30T00:30:00Z,2026-03-31T00:30:00Z");
}

static void test_backfill_times_dst_overlap_once_and_month_end(void **state)
{
    (void)state;
    /* New York falls back at 02:00 on 2026-11-01: 01:30 happens twice, runs once. */
    assert_string_equal(
        window("cron(30 1 * * ? *)", "America/New_York", "2026-10-30", "2026-11-03"),
        "2026-10-30T05:30:00Z,2026-10-31T05:30:00Z,"
        "2026-11-01T05:30:00Z,2026-11-02T06:30:00Z");
    /* Every 30 minutes through the repeated hour: 01:00 and 01:30 once each. */
    assert_string_equal(window("cron(0/30 0-2 1 NOV ? *)", "America/New_York",
                               "2026-11-01T00:00", "2026-11-01T03:00"),
                        "2026-11-01T04:00:00Z,2026-11-01T04:30:00Z,"
                        "2026-11-01T05:00:00Z,2026-11-01T05:30:00Z,"
                        "2026-11-01T07:00:00Z,2026-11-01T07:30:00Z");
}

static void test_backfill_times_bounds(void **state)
{
    (void)state;
    /* --from is inclusive, --to exclusive. */
    assert_string_equal(window("cron(0 3 * * ? *)", "UTC", "2026-01-01T03:00:00Z",
                               "2026-01-03T03:00:00Z"),
                        "2026-01-01T03:00:00Z,2026-01-02T03:00:00Z");
    /* An offset on a window end overrides the zone. */
    assert_string_equal(window("cron(0 3 * * ? *)", "Asia/Tokyo", "2026-01-01T17:00:00Z",
                               "2026-01-02T18:00:00+00:00"),
                        "2026-01-01T18:00:00Z");
    assert_string_equal(window("cron(0 3 1 JAN ? *)", "UTC", "2026-02-01", "2026-12-31"),
                        "");
    assert_string_equal(
        window("at(2026-05-05T10:00:00)", "Asia/Tokyo", "2026-05-01", "2026-06-01"),
        "2026-05-05T01:00:00Z");
}

static void test_backfill_times_rate_anchor(void **state)
{
    (void)state;
    assert_string_equal(
        window("rate(6 hours)", "UTC", "2026-01-31T12:00:00Z", "2026-02-01T12:00:00Z"),
        "2026-01-31T12:00:00Z,2026-01-31T18:00:00Z,"
        "2026-02-01T00:00:00Z,2026-02-01T06:00:00Z");
    /* rate(1 day) is fixed 24-hour steps, also across a DST change. */
    assert_string_equal(
        window("rate(1 day)", "Europe/Berlin", "2026-03-28T12:00", "2026-03-30T12:00"),
        "2026-03-28T11:00:00Z,2026-03-29T11:00:00Z");
}

static void test_backfill_times_cap(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(* * * * ? *)");
    int64_t from = iso("2026-01-01T00:00:00Z", "UTC"), *t = (int64_t *)&t;
    size_t n = 7;
    assert_int_equal(backfill_times(&e, "UTC", from, from + 100 * 60, 100, &t, &n), 0);
    assert_int_equal(n, 100);
    assert_true(t[99] == from + 99 * 60);
    free(t);
    assert_int_equal(backfill_times(&e, "UTC", from, from + 101 * 60, 100, &t, &n), 1);
    assert_null(t);
    assert_int_equal(n, 0);
    /* The module's own cap holds whatever the caller asks for. */
    assert_int_equal(backfill_times(&e, "UTC", from, from + 86400 * 10, SIZE_MAX, &t, &n),
                     1);
    assert_int_equal(
        backfill_times(&e, "UTC", from, from + BACKFILL_MAX * 60, SIZE_MAX, &t, &n), 0);
    assert_int_equal(n, BACKFILL_MAX);
    free(t);
}

static void test_backfill_times_empty_and_bad_zone(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 3 * * ? *)");
    int64_t *t = (int64_t *)&t;
    size_t n = 7;
    assert_int_equal(backfill_times(&e, "UTC", 3600, 7200, 10, &t, &n), 0);
    assert_null(t);
    assert_int_equal(n, 0);
    assert_int_equal(backfill_times(&e, "Mars/Olympus", 0, 86400, 10, &t, &n), -1);
    assert_null(t);
}

/* ---- output ---------------------------------------------------------------------- */

static void test_backfill_run_object(void **state)
{
    (void)state;
    json_t *run = backfill_run_new("nightly", ARN, iso("2026-03-29T01:30:00Z", "UTC"));
    assert_json_text(run,
                     "{\"name\":\"nightly-20260329T0130\",\"state_machine_arn\":\"" ARN
                     "\",\"input\":{\"scheduled_time\":\"2026-03-29T01:30:00Z\"}}");
    json_decref(run);
}

static void test_backfill_format_line_json(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    backfill_format_line(&sb, BACKFILL_JSON, "nightly", ARN,
                         iso("2026-02-28T23:15:00Z", "UTC"));
    assert_string_equal(sb.buf,
                        "{\"name\":\"nightly-20260228T2315\",\"state_machine_arn\":"
                        "\"" ARN "\",\"input\":{\"scheduled_time\":"
                        "\"2026-02-28T23:15:00Z\"}}\n");
    strbuf_release(&sb);
}

static void test_backfill_format_line_sh(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    backfill_format_line(&sb, BACKFILL_SH, "nightly", ARN,
                         iso("2026-02-28T23:15:00Z", "UTC"));
    assert_string_equal(sb.buf,
                        "aws stepfunctions start-execution --state-machine-arn " ARN
                        " --name nightly-20260228T2315 --input "
                        "'{\"scheduled_time\":\"2026-02-28T23:15:00Z\"}'\n");
    strbuf_release(&sb);
}

static void test_backfill_sh_quote(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"plain-word_1", "plain-word_1"},
        {"arn:aws:states:x/y.z@a%b+c=d,e", "arn:aws:states:x/y.z@a%b+c=d,e"},
        {"", "''"},
        {"two words", "'two words'"},
        {"it's", "'it'\\''s'"},
        {"''", "''\\'''\\'''"},
        {"$HOME `id` \\ \"q\" *?[]!;&|<>()~#\n",
         "'$HOME `id` \\ \"q\" *?[]!;&|<>()~#\n'"},
        {"{\"a\":1}", "'{\"a\":1}'"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct strbuf sb = STRBUF_INIT;
        backfill_sh_quote(&sb, cases[i][0]);
        assert_string_equal(sb.buf, cases[i][1]);
        strbuf_release(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backfill_format_parse),
        cmocka_unit_test(test_backfill_exec_name_utc_minute),
        cmocka_unit_test(test_backfill_check_key_length),
        cmocka_unit_test(test_backfill_check_key_charset),
        cmocka_unit_test(test_backfill_times_dst_gap_skipped),
        cmocka_unit_test(test_backfill_times_dst_overlap_once_and_month_end),
        cmocka_unit_test(test_backfill_times_bounds),
        cmocka_unit_test(test_backfill_times_rate_anchor),
        cmocka_unit_test(test_backfill_times_cap),
        cmocka_unit_test(test_backfill_times_empty_and_bad_zone),
        cmocka_unit_test(test_backfill_run_object),
        cmocka_unit_test(test_backfill_format_line_json),
        cmocka_unit_test(test_backfill_format_line_sh),
        cmocka_unit_test(test_backfill_sh_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
