/*
 * Unit tests for schedule.c: the cron/rate/at grammar (every field rule, valid and
 * invalid), fire times across month ends, leap years, L/W/#, wrapping ranges and DST
 * in America/New_York, Europe/Berlin and Asia/Tokyo, the ISO helpers and diagnostics.
 */
#include "helpers.h"

#include "base/xalloc.h"
#include "schedule.h"
#include "srcfile.h"

#include <stdio.h>

/* ---- helpers ------------------------------------------------------------------- */

static struct sched_expr parse_ok(const char *text)
{
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(text, &e, &err))
        fail_msg("'%s' rejected: %s", text, err.error.text);
    return e;
}

/* Asserts `text` is rejected with `code` at byte `off` and a message holding `msg`. */
static void expect_err(const char *text, enum diag_id code, size_t off, const char *msg)
{
    struct sched_expr e;
    struct sched_err err;
    if (!sched_parse(text, &e, &err))
        fail_msg("'%s' accepted", text);
    if (err.error.code != code || err.error.off != off || !strstr(err.error.text, msg))
        fail_msg("'%s': got [%s] at %zu '%s'; want [%s] at %zu '%s'", text,
                 diag_info(err.error.code)->name, err.error.off, err.error.text,
                 diag_info(code)->name, off, msg);
}

static int64_t iso(const char *s)
{
    int64_t t;
    if (sched_iso_parse(s, "UTC", &t))
        fail_msg("bad ISO time '%s'", s);
    return t;
}

/*
 * The first n fire times at or after `from` as "local,local,..." (local times with
 * offsets, no abbreviation); "-" marks the end of the schedule.
 */
static char *fires(const char *expr, const char *tz, const char *from, int n)
{
    struct sched_expr e = parse_ok(expr);
    static char out[4096];
    int64_t t, start;
    if (sched_iso_parse(from, tz, &start))
        fail_msg("bad --from '%s'", from);
    out[0] = '\0';
    int rc = sched_first(&e, tz, start, &t);
    for (int i = 0; i < n; i++) {
        if (rc) {
            strcat(out, i ? ",-" : "-");
            break;
        }
        char buf[SCHED_ISO_MAX];
        sched_iso_local(t, tz, buf);
        *strchr(buf, ' ') = '\0';
        if (i)
            strcat(out, ",");
        strcat(out, buf);
        rc = sched_next(&e, tz, t, &t);
    }
    return out;
}

/* ---- grammar: valid forms ------------------------------------------------------ */

static void test_schedule_cron_basic(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 3 * * ? *)");
    assert_int_equal(e.kind, SCHED_CRON);
    assert_true(e.cron.minutes == 1);
    assert_true(e.cron.hours == 1u << 3);
    assert_true(e.cron.dom == 0xFFFFFFFEu);
    assert_true(e.cron.months == 0x1FFE);
    assert_int_equal(e.cron.dom_mode, SCHED_DOM_SET);
    assert_int_equal(e.cron.dow_mode, SCHED_DOW_ANY);
    assert_true(e.cron.years[0] == UINT64_MAX &&
                e.cron.years[3] == (UINT64_C(1) << 38) - 1);
    assert_string_equal(e.canon, "cron(0 3 * * ? *)");
}

static void test_schedule_cron_lists_ranges_steps(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(5,10-12,*/20 1/10 1-31/10 */3 ? 2026/2)");
    uint64_t want = (1u << 0) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12) |
                    (1u << 20) | (UINT64_C(1) << 40);
    assert_true(e.cron.minutes == want);
    assert_true(e.cron.hours == ((1u << 1) | (1u << 11) | (1u << 21)));
    assert_true(e.cron.dom == ((1u << 1) | (1u << 11) | (1u << 21) | (1u << 31)));
    assert_true(e.cron.months == ((1u << 1) | (1u << 4) | (1u << 7) | (1u << 10)));
    assert_true((e.cron.years[0] >> 56) == 0x55); /* 2026, 2028, 2030, 2032 */
    assert_true((e.cron.years[0] >> 55 & 1) == 0);
}

static void test_schedule_cron_names(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 9 ? JAN-MAR MON-FRI *)");
    assert_true(e.cron.months == 0xE);
    assert_true(e.cron.dow == 0x7C);
    e = parse_ok("cron(0 9 ? jan,Dec sun,sat *)");
    assert_true(e.cron.months == ((1u << 1) | (1u << 12)));
    assert_true(e.cron.dow == ((1u << 1) | (1u << 7)));
    assert_string_equal(e.canon, "cron(0 9 ? jan,Dec sun,sat *)");
}

static void test_schedule_cron_wrapping_ranges(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(50-5 20-2 28-3 NOV-FEB ? *)");
    assert_true(e.cron.hours ==
                ((1u << 20) | (1u << 21) | (1u << 22) | (1u << 23) | 0x7));
    assert_true(e.cron.minutes == ((UINT64_C(0x3FF) << 50) | 0x3F));
    assert_true(e.cron.dom == ((0xFu << 28) | 0xE));
    assert_true(e.cron.months == ((1u << 11) | (1u << 12) | (1u << 1) | (1u << 2)));
    e = parse_ok("cron(0 22-2/2 ? * FRI-MON *)");
    assert_true(e.cron.hours == ((1u << 22) | 1u | (1u << 2)));
    assert_true(e.cron.dow == ((1u << 6) | (1u << 7) | (1u << 1) | (1u << 2)));
}

static void test_schedule_cron_specials(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 0 L * ? *)");
    assert_int_equal(e.cron.dom_mode, SCHED_DOM_LAST);
    e = parse_ok("cron(0 0 15W * ? *)");
    assert_int_equal(e.cron.dom_mode, SCHED_DOM_WEEKDAY);
    assert_int_equal(e.cron.dom_day, 15);
    e = parse_ok("cron(0 0 ? * 6L *)");
    assert_int_equal(e.cron.dow_mode, SCHED_DOW_LAST);
    assert_int_equal(e.cron.dow_day, 6);
    e = parse_ok("cron(0 0 ? * 3#2 *)");
    assert_int_equal(e.cron.dow_mode, SCHED_DOW_NTH);
    assert_int_equal(e.cron.dow_day, 3);
    assert_int_equal(e.cron.dow_nth, 2);
    e = parse_ok("cron(0 0 ? * FRI#5 *)");
    assert_int_equal(e.cron.dow_day, 6);
    assert_int_equal(e.cron.dow_nth, 5);
    e = parse_ok("cron(0 0 ? * L *)");
    assert_int_equal(e.cron.dow_mode, SCHED_DOW_SET);
    assert_true(e.cron.dow == 1u << 7);
}

static void test_schedule_cron_spaces_canonical(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0  3 *   * ? * )");
    assert_string_equal(e.canon, "cron(0 3 * * ? *)");
}

static void test_schedule_rate_forms(void **state)
{
    (void)state;
    struct sched_err err;
    struct sched_expr e;
    assert_int_equal(sched_parse("rate(1 hour)", &e, &err), 0);
    assert_false(err.has_warning);
    assert_int_equal(e.kind, SCHED_RATE);
    assert_int_equal(e.rate, 1);
    assert_int_equal(e.unit, SCHED_HOURS);
    assert_int_equal(sched_parse("rate(15 minutes)", &e, &err), 0);
    assert_false(err.has_warning);
    assert_int_equal(e.unit, SCHED_MINUTES);
    assert_int_equal(sched_parse("rate(2 days)", &e, &err), 0);
    assert_string_equal(e.canon, "rate(2 days)");
    assert_int_equal(sched_parse("rate(05 minutes)", &e, &err), 0);
    assert_string_equal(e.canon, "rate(5 minutes)");
}

static void test_schedule_rate_plural_warning(void **state)
{
    (void)state;
    struct sched_err err;
    struct sched_expr e;
    assert_int_equal(sched_parse("rate(1 hours)", &e, &err), 0);
    assert_true(err.has_warning);
    assert_int_equal(err.warning.code, D_SCHED_RATE_UNIT);
    assert_int_equal(err.warning.off, 7);
    assert_int_equal(err.warning.len, 5);
    assert_string_equal(e.canon, "rate(1 hour)");
    assert_non_null(strstr(err.warning.note, "rate(1 hour)"));
    assert_int_equal(sched_parse("rate(5 minute)", &e, &err), 0);
    assert_true(err.has_warning);
    assert_string_equal(e.canon, "rate(5 minutes)");
    assert_non_null(strstr(err.warning.text, "'minutes'"));
}

static void test_schedule_at_forms(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("at(2028-02-29T23:59:59)");
    assert_int_equal(e.kind, SCHED_AT);
    assert_int_equal(e.at.year, 2028);
    assert_int_equal(e.at.mon, 2);
    assert_int_equal(e.at.day, 29);
    assert_int_equal(e.at.sec, 59);
    assert_string_equal(e.canon, "at(2028-02-29T23:59:59)");
}

/* ---- grammar: errors ----------------------------------------------------------- */

static void test_schedule_err_shape(void **state)
{
    (void)state;
    char big[300];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_err("", D_SCHED_SYNTAX, 0, "1-256 characters");
    expect_err(big, D_SCHED_SYNTAX, 0, "got 299");
    expect_err("crontab(0 3 * * ? *)", D_SCHED_SYNTAX, 0,
               "cron(...), rate(...) or at(...)");
    expect_err("0 3 * * ? *", D_SCHED_SYNTAX, 0, "cron(...)");
    expect_err("cron(0 3 * * ? *", D_SCHED_SYNTAX, 16, "missing ')'");
    expect_err("cron(0 3 * (* ? *)", D_SCHED_SYNTAX, 11, "unexpected '('");
    expect_err("cron(0 3 * * ?\t*)", D_SCHED_SYNTAX, 14, "byte 0x09");
    expect_err("cron(0 3 * * ? * %)", D_SCHED_SYNTAX, 17, "'%'");
}

static void test_schedule_err_field_count(void **state)
{
    (void)state;
    struct sched_expr e;
    struct sched_err err;
    expect_err("cron(0 3 * * ?)", D_SCHED_SYNTAX, 5, "found 5");
    assert_int_equal(sched_parse("cron(0 3 * * ?)", &e, &err), -1);
    assert_non_null(strstr(err.error.note, "year field"));
    expect_err("cron(0 0 3 * * ? *)", D_SCHED_SYNTAX, 5, "found 7");
    assert_int_equal(sched_parse("cron(0 0 3 * * ? *)", &e, &err), -1);
    assert_non_null(strstr(err.error.note, "no seconds field"));
    expect_err("cron()", D_SCHED_SYNTAX, 5, "found 0");
}

static void test_schedule_err_ranges(void **state)
{
    (void)state;
    expect_err("cron(60 3 * * ? *)", D_SCHED_RANGE, 5,
               "minutes '60' is out of range 0-59");
    expect_err("cron(0 24 * * ? *)", D_SCHED_RANGE, 7, "hours '24' is out of range 0-23");
    expect_err("cron(0 3 0 * ? *)", D_SCHED_RANGE, 9,
               "day-of-month '0' is out of range 1-31");
    expect_err("cron(0 3 32 * ? *)", D_SCHED_RANGE, 9, "out of range 1-31");
    expect_err("cron(0 3 * 13 ? *)", D_SCHED_RANGE, 11,
               "month '13' is out of range 1-12");
    expect_err("cron(0 3 ? * 8 *)", D_SCHED_RANGE, 13,
               "day-of-week '8' is out of range 1-7 (SUN-SAT)");
    expect_err("cron(0 3 ? * 0 *)", D_SCHED_RANGE, 13, "day-of-week '0'");
    expect_err("cron(0 3 * * ? 1969)", D_SCHED_RANGE, 15,
               "year '1969' is out of range 1970-2199");
    expect_err("cron(0 3 * * ? 2200)", D_SCHED_RANGE, 15, "1970-2199");
    expect_err("cron(0 3 * * ? 2030-2020)", D_SCHED_RANGE, 15, "runs backwards");
    expect_err("cron(0 3 * * ? 99999999999)", D_SCHED_RANGE, 15, "out of range");
    expect_err("cron(*/0 3 * * ? *)", D_SCHED_RANGE, 7, "step '0' is out of range 1-60");
    expect_err("cron(0/61 3 * * ? *)", D_SCHED_RANGE, 7, "1-60");
    expect_err("cron(1-5/25 */25 * * ? *)", D_SCHED_RANGE, 14, "hours step '25'");
}

static void test_schedule_err_tokens(void **state)
{
    (void)state;
    expect_err("cron(0 3 * JAM ? *)", D_SCHED_SYNTAX, 11,
               "month 'JAM' is not a value of 1-12 (JAN-DEC)");
    expect_err("cron(MON 3 * * ? *)", D_SCHED_SYNTAX, 5, "minutes 'MON'");
    expect_err("cron(0 3 * * MONDAY *)", D_SCHED_SYNTAX, 13, "MONDAY");
    expect_err("cron(1,,2 3 * * ? *)", D_SCHED_SYNTAX, 7, "empty item in minutes");
    expect_err("cron(1, 3 * * ? *)", D_SCHED_SYNTAX, 7, "empty item");
    expect_err("cron(5x 3 * * ? *)", D_SCHED_SYNTAX, 6, "unexpected 'x' in minutes");
    expect_err("cron(*/ 3 * * ? *)", D_SCHED_SYNTAX, 7, "step after '/'");
    expect_err("cron(-5 3 * * ? *)", D_SCHED_SYNTAX, 5, "must start with a value");
    expect_err("cron(1- 3 * * ? *)", D_SCHED_SYNTAX, 7, "minutes value missing");
    expect_err("cron(** 3 * * ? *)", D_SCHED_SYNTAX, 6, "unexpected '*'");
}

static void test_schedule_err_qmark_rule(void **state)
{
    (void)state;
    struct sched_expr e;
    struct sched_err err;
    expect_err("cron(0 3 ? * ? *)", D_SCHED_DAY_FIELDS, 13, "cannot both be '?'");
    expect_err("cron(0 3 * * * *)", D_SCHED_DAY_FIELDS, 13, "exactly one of");
    assert_int_equal(sched_parse("cron(0 3 * * * *)", &e, &err), -1);
    assert_non_null(strstr(err.error.note, "'?' in day-of-week"));
    expect_err("cron(0 3 * * MON *)", D_SCHED_DAY_FIELDS, 9, "exactly one of");
    assert_int_equal(sched_parse("cron(0 3 * * MON *)", &e, &err), -1);
    assert_non_null(strstr(err.error.note, "'?' in day-of-month"));
    expect_err("cron(0 3 1 * MON *)", D_SCHED_DAY_FIELDS, 13, "exactly one of");
    parse_ok("cron(0 3 ? * * *)");
}

static void test_schedule_err_specials(void **state)
{
    (void)state;
    expect_err("cron(? 3 * * ? *)", D_SCHED_SPECIAL, 5, "'?' is not allowed in minutes");
    expect_err("cron(0 3 * ? ? *)", D_SCHED_SPECIAL, 11, "'?' is not allowed in month");
    expect_err("cron(0 3 ? * 1W *)", D_SCHED_SPECIAL, 14,
               "'W' is not allowed in day-of-week (allowed: , - * ? L #)");
    expect_err("cron(0 L * * ? *)", D_SCHED_SPECIAL, 7, "'L' is not allowed in hours");
    expect_err("cron(0 3 1#2 * ? *)", D_SCHED_SPECIAL, 10,
               "'#' is not allowed in day-of-month");
    expect_err("cron(0 3 ? * */2 *)", D_SCHED_SPECIAL, 14,
               "'/' is not allowed in day-of-week");
    expect_err("cron(0 3 ? * 3#1,6#3 *)", D_SCHED_SPECIAL, 18, "only one '#'");
    expect_err("cron(0 3 ? * 3#1,5 *)", D_SCHED_SPECIAL, 13, "must be the only item");
    expect_err("cron(0 3 1,L * ? *)", D_SCHED_SPECIAL, 11, "must be the only item");
    expect_err("cron(0 3 ?,1 * ? *)", D_SCHED_SPECIAL, 9, "must be the only item");
    expect_err("cron(0 3 5L * ? *)", D_SCHED_SPECIAL, 9, "'L' stands alone");
    expect_err("cron(0 3 ? * 3#6 *)", D_SCHED_RANGE, 15, "must be 1-5");
    expect_err("cron(0 3 ? * 3#0 *)", D_SCHED_RANGE, 15, "must be 1-5");
    expect_err("cron(0 3 ? * 8#1 *)", D_SCHED_RANGE, 13, "day-of-week '8'");
    expect_err("cron(0 3 ? * 3# *)", D_SCHED_RANGE, 15, "must be 1-5");
    expect_err("cron(0 3 ? * 8L *)", D_SCHED_RANGE, 13, "day-of-week '8'");
    expect_err("cron(0 3 32W * ? *)", D_SCHED_RANGE, 9, "day-of-month '32'");
    expect_err("cron(0 3 LW * ? *)", D_SCHED_SYNTAX, 9, "day-of-month 'LW'");
    expect_err("cron(0 3 ? * FRIL *)", D_SCHED_SYNTAX, 13, "FRIL");
    expect_err("cron(0 3 1-5W * ? *)", D_SCHED_SYNTAX, 12, "unexpected 'W'");
}

static void test_schedule_err_rate(void **state)
{
    (void)state;
    struct sched_expr e;
    struct sched_err err;
    expect_err("rate(0 minutes)", D_SCHED_RATE, 5, "must be positive");
    expect_err("rate(-1 minutes)", D_SCHED_RATE, 5, "positive whole number");
    expect_err("rate(1.5 hours)", D_SCHED_RATE, 5, "positive whole number");
    expect_err("rate(5 weeks)", D_SCHED_RATE, 7,
               "'weeks' must be minute(s), hour(s) or day(s)");
    expect_err("rate(5)", D_SCHED_RATE, 6, "needs a unit");
    expect_err("rate( 5 minutes)", D_SCHED_RATE, 5, "value missing");
    expect_err("rate(99999999999 minutes)", D_SCHED_RATE, 5, "too large");
    expect_err("rate(5 Minutes)", D_SCHED_RATE, 7, "'Minutes'");
    assert_int_equal(sched_parse("rate(30 seconds)", &e, &err), -1);
    assert_non_null(strstr(err.error.note, "one minute"));
}

static void test_schedule_err_at(void **state)
{
    (void)state;
    expect_err("at(2026-02-29T00:00:00)", D_SCHED_AT, 11,
               "day '29' is out of range 01-28");
    expect_err("at(2026-13-01T00:00:00)", D_SCHED_AT, 8,
               "month '13' is out of range 01-12");
    expect_err("at(2026-01-01T24:00:00)", D_SCHED_AT, 14, "hour '24'");
    expect_err("at(2026-01-01T00:60:00)", D_SCHED_AT, 17, "minute '60'");
    expect_err("at(2026-01-01T00:00:60)", D_SCHED_AT, 20, "second '60'");
    expect_err("at(1969-12-31T00:00:00)", D_SCHED_AT, 3, "year '1969'");
    expect_err("at(2026-01-01 00:00:00)", D_SCHED_AT, 3, "needs yyyy-mm-ddThh:mm:ss");
    expect_err("at(2026-01-01T00:00)", D_SCHED_AT, 3, "needs yyyy-mm-ddThh:mm:ss");
    expect_err("at(2026-01-01T00:00:00Z)", D_SCHED_AT, 3, "needs yyyy-mm-ddThh:mm:ss");
}

/* ---- time zones ------------------------------------------------------------------ */

static void test_schedule_tz_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"UTC",
                                       "Asia/Tokyo",
                                       "America/New_York",
                                       "Europe/Berlin",
                                       "America/Argentina/Buenos_Aires",
                                       "Etc/GMT-9",
                                       "posix/Asia/Tokyo"};
    static const char *const bad[] = {"",
                                      "Asia/Nowhere",
                                      "../etc/passwd",
                                      "Asia/../UTC",
                                      "/usr/share/zoneinfo/UTC",
                                      "Asia",
                                      "Asia//Tokyo",
                                      "Asia/Tokyo/",
                                      "Asia/Tokyo ",
                                      "right/UTC",
                                      "localtime",
                                      "zone.tab",
                                      "tzdata.zi",
                                      "-UTC",
                                      "America/Argentina/Buenos_Aires_and_a_lot_more_x"};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++)
        if (!sched_tz_valid(good[i]))
            fail_msg("'%s' rejected", good[i]);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        if (sched_tz_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    assert_false(sched_tz_valid(NULL));
}

static void test_schedule_tz_env_restored(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 3 * * ? *)");
    int64_t t;
    setenv("TZ", "Etc/GMT+3", 1);
    assert_int_equal(sched_next(&e, "Asia/Tokyo", 0, &t), 0);
    assert_string_equal(getenv("TZ"), "Etc/GMT+3");
    unsetenv("TZ");
    assert_int_equal(sched_next(&e, "Asia/Tokyo", 0, &t), 0);
    assert_null(getenv("TZ"));
    assert_int_equal(sched_next(&e, "Nowhere/City", 0, &t), -1);
    assert_null(getenv("TZ"));
}

/* ---- fire times -------------------------------------------------------------------- */

static void test_schedule_next_tokyo_daily(void **state)
{
    (void)state;
    assert_string_equal(
        fires("cron(0 3 * * ? *)", "Asia/Tokyo", "2026-11-28T00:00:00Z", 3),
        "2026-11-29T03:00:00+09:00,2026-11-30T03:00:00+09:00,"
        "2026-12-01T03:00:00+09:00");
}

static void test_schedule_next_strictly_after(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 3 * * ? *)");
    int64_t fire = iso("2026-11-28T03:00:00Z"), t;
    assert_int_equal(sched_next(&e, "UTC", fire, &t), 0);
    assert_true(t == fire + 86400);
    assert_int_equal(sched_next(&e, "UTC", fire - 1, &t), 0);
    assert_true(t == fire);
    assert_int_equal(sched_first(&e, "UTC", fire, &t), 0);
    assert_true(t == fire);
    assert_int_equal(sched_next(&e, "UTC", fire + 30, &t), 0);
    assert_true(t == fire + 86400);
}

static void test_schedule_next_month_ends(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(0 0 31 * ? *)", "UTC", "2026-01-31T00:00:01Z", 4),
                        "2026-03-31T00:00:00+00:00,2026-05-31T00:00:00+00:00,"
                        "2026-07-31T00:00:00+00:00,2026-08-31T00:00:00+00:00");
    assert_string_equal(fires("cron(59 23 31 DEC ? *)", "UTC", "2026-06-01", 2),
                        "2026-12-31T23:59:00+00:00,2027-12-31T23:59:00+00:00");
}

static void test_schedule_next_leap_years(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(0 0 29 2 ? *)", "UTC", "2025-01-01", 3),
                        "2028-02-29T00:00:00+00:00,2032-02-29T00:00:00+00:00,"
                        "2036-02-29T00:00:00+00:00");
    /* 2100 is not a leap year. */
    assert_string_equal(fires("cron(0 0 29 2 ? 2096-2104)", "UTC", "2090-01-01", 3),
                        "2096-02-29T00:00:00+00:00,2104-02-29T00:00:00+00:00,-");
}

static void test_schedule_next_last_day(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(0 0 L * ? *)", "UTC", "2028-01-15", 4),
                        "2028-01-31T00:00:00+00:00,2028-02-29T00:00:00+00:00,"
                        "2028-03-31T00:00:00+00:00,2028-04-30T00:00:00+00:00");
    assert_string_equal(fires("cron(0 0 L 2 ? *)", "UTC", "2026-01-01", 1),
                        "2026-02-28T00:00:00+00:00");
}

static void test_schedule_next_nearest_weekday(void **state)
{
    (void)state;
    /* 1W: Feb 1 and Mar 1 2026 are Sundays -> Monday 2nd; never moves to the 31st before.
     */
    assert_string_equal(fires("cron(0 9 1W * ? *)", "UTC", "2026-01-01", 4),
                        "2026-01-01T09:00:00+00:00,2026-02-02T09:00:00+00:00,"
                        "2026-03-02T09:00:00+00:00,2026-04-01T09:00:00+00:00");
    /* Aug 1 2026 is a Saturday: Monday the 3rd, not Friday July 31. */
    assert_string_equal(fires("cron(0 9 1W 8 ? *)", "UTC", "2026-01-01", 1),
                        "2026-08-03T09:00:00+00:00");
    /* 15W: Saturday Aug 15 -> Friday 14; Sunday Feb 15 -> Monday 16. */
    assert_string_equal(fires("cron(0 9 15W 2,8 ? *)", "UTC", "2026-01-01", 2),
                        "2026-02-16T09:00:00+00:00,2026-08-14T09:00:00+00:00");
    /* 31W: Sat Jan 31 -> Fri 30; Sun May 31 (last day) -> Fri 29; no 31st: no fire. */
    assert_string_equal(fires("cron(0 9 31W * ? *)", "UTC", "2026-01-01", 4),
                        "2026-01-30T09:00:00+00:00,2026-03-31T09:00:00+00:00,"
                        "2026-05-29T09:00:00+00:00,2026-07-31T09:00:00+00:00");
}

static void test_schedule_next_nth_and_last_weekday(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(0 10 ? * 3#2 *)", "UTC", "2026-01-01", 4),
                        "2026-01-13T10:00:00+00:00,2026-02-10T10:00:00+00:00,"
                        "2026-03-10T10:00:00+00:00,2026-04-14T10:00:00+00:00");
    assert_string_equal(fires("cron(0 10 ? * FRI#5 *)", "UTC", "2026-01-01", 4),
                        "2026-01-30T10:00:00+00:00,2026-05-29T10:00:00+00:00,"
                        "2026-07-31T10:00:00+00:00,2026-10-30T10:00:00+00:00");
    assert_string_equal(fires("cron(0 18 ? * 6L *)", "UTC", "2026-01-01", 4),
                        "2026-01-30T18:00:00+00:00,2026-02-27T18:00:00+00:00,"
                        "2026-03-27T18:00:00+00:00,2026-04-24T18:00:00+00:00");
    /* L alone in day-of-week: Saturdays. */
    assert_string_equal(fires("cron(0 0 ? * L *)", "UTC", "2026-01-01", 2),
                        "2026-01-03T00:00:00+00:00,2026-01-10T00:00:00+00:00");
}

static void test_schedule_next_weekdays_and_wrap(void **state)
{
    (void)state;
    /* 2026-01-02 is a Friday. */
    assert_string_equal(
        fires("cron(30 8 ? * MON-FRI *)", "UTC", "2026-01-02T09:00:00Z", 2),
        "2026-01-05T08:30:00+00:00,2026-01-06T08:30:00+00:00");
    assert_string_equal(fires("cron(0 22-1 * * ? *)", "UTC", "2026-01-01T21:00:00Z", 5),
                        "2026-01-01T22:00:00+00:00,2026-01-01T23:00:00+00:00,"
                        "2026-01-02T00:00:00+00:00,2026-01-02T01:00:00+00:00,"
                        "2026-01-02T22:00:00+00:00");
    assert_string_equal(fires("cron(0/20 * * * ? *)", "UTC", "2026-01-01T23:41:00Z", 2),
                        "2026-01-02T00:00:00+00:00,2026-01-02T00:20:00+00:00");
}

static void test_schedule_next_year_limited(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(0 0 1 1 ? 2027)", "UTC", "2026-05-01", 3),
                        "2027-01-01T00:00:00+00:00,-");
    assert_string_equal(fires("cron(0 0 1 1 ? 2025)", "UTC", "2026-05-01", 1), "-");
    assert_string_equal(fires("cron(0 0 30 2 ? *)", "UTC", "2026-05-01", 1), "-");
    assert_string_equal(fires("cron(0 0 ? * * 2199)", "UTC", "2199-12-31T23:00:00Z", 2),
                        "-");
}

static void test_schedule_next_dst_gap(void **state)
{
    (void)state;
    /* 2027-03-14 02:00 EST -> 03:00 EDT: the 02:30 run that day does not exist. */
    assert_string_equal(fires("cron(30 2 * * ? *)", "America/New_York", "2027-03-13", 3),
                        "2027-03-13T02:30:00-05:00,2027-03-15T02:30:00-04:00,"
                        "2027-03-16T02:30:00-04:00");
    /* Europe/Berlin 2026-03-29 02:00 CET -> 03:00 CEST. */
    assert_string_equal(fires("cron(15 2 * * ? *)", "Europe/Berlin", "2026-03-28", 2),
                        "2026-03-28T02:15:00+01:00,2026-03-30T02:15:00+02:00");
    assert_string_equal(
        fires("cron(0/30 * * * ? *)", "America/New_York", "2027-03-14T01:30:00", 3),
        "2027-03-14T01:30:00-05:00,2027-03-14T03:00:00-04:00,"
        "2027-03-14T03:30:00-04:00");
}

static void test_schedule_next_dst_overlap(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(30 1 * * ? *)");
    int64_t t;
    /* 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 runs once, at the first (EDT). */
    assert_string_equal(fires("cron(30 1 * * ? *)", "America/New_York", "2026-10-31", 3),
                        "2026-10-31T01:30:00-04:00,2026-11-01T01:30:00-04:00,"
                        "2026-11-02T01:30:00-05:00");
    assert_int_equal(sched_next(&e, "America/New_York", iso("2026-11-01T05:30:00Z"), &t),
                     0);
    assert_true(t == iso("2026-11-02T06:30:00Z"));
    /* Starting inside the second 01:xx hour does not fire the repeated 01:30. */
    assert_int_equal(sched_next(&e, "America/New_York", iso("2026-11-01T06:10:00Z"), &t),
                     0);
    assert_true(t == iso("2026-11-02T06:30:00Z"));
    assert_string_equal(
        fires("cron(0/30 * * * ? *)", "America/New_York", "2026-11-01T05:00:00Z", 4),
        "2026-11-01T01:00:00-04:00,2026-11-01T01:30:00-04:00,"
        "2026-11-01T02:00:00-05:00,2026-11-01T02:30:00-05:00");
    /* Europe/Berlin 2026-10-25 03:00 CEST -> 02:00 CET. */
    assert_string_equal(fires("cron(30 2 * * ? *)", "Europe/Berlin", "2026-10-24", 3),
                        "2026-10-24T02:30:00+02:00,2026-10-25T02:30:00+02:00,"
                        "2026-10-26T02:30:00+01:00");
}

static void test_schedule_next_tokyo_no_dst(void **state)
{
    (void)state;
    assert_string_equal(fires("cron(30 2 * * ? *)", "Asia/Tokyo", "2027-03-13", 3),
                        "2027-03-13T02:30:00+09:00,2027-03-14T02:30:00+09:00,"
                        "2027-03-15T02:30:00+09:00");
}

static void test_schedule_next_rate(void **state)
{
    (void)state;
    /* Starts at --from; days are fixed 24-hour steps, so local time moves with DST. */
    assert_string_equal(
        fires("rate(1 day)", "America/New_York", "2026-10-31T09:00:00", 3),
        "2026-10-31T09:00:00-04:00,2026-11-01T08:00:00-05:00,"
        "2026-11-02T08:00:00-05:00");
    assert_string_equal(fires("rate(90 minutes)", "UTC", "2026-01-01T23:00:00Z", 3),
                        "2026-01-01T23:00:00+00:00,2026-01-02T00:30:00+00:00,"
                        "2026-01-02T02:00:00+00:00");
    assert_string_equal(fires("rate(2 hours)", "UTC", "2026-01-01T23:00:00Z", 2),
                        "2026-01-01T23:00:00+00:00,2026-01-02T01:00:00+00:00");
}

static void test_schedule_next_at(void **state)
{
    (void)state;
    assert_string_equal(fires("at(2027-01-31T09:00:00)", "Asia/Tokyo", "2026-12-01", 2),
                        "2027-01-31T09:00:00+09:00,-");
    assert_string_equal(fires("at(2026-01-31T09:00:00)", "Asia/Tokyo", "2026-12-01", 1),
                        "-");
    /* A local time skipped by DST never happens. */
    assert_string_equal(
        fires("at(2027-03-14T02:30:00)", "America/New_York", "2027-01-01", 1), "-");
    /* A repeated one fires at its first occurrence. */
    assert_string_equal(
        fires("at(2026-11-01T01:30:00)", "America/New_York", "2026-01-01", 1),
        "2026-11-01T01:30:00-04:00");
}

static void test_schedule_next_bad_zone(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("rate(1 hour)");
    int64_t t;
    assert_int_equal(sched_first(&e, "Mars/Base", 0, &t), -1);
    assert_int_equal(sched_next(&e, "", 0, &t), -1);
}

/* ---- DST risk ------------------------------------------------------------------------
 */

static void test_schedule_dst_risk_gap(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(30 2 * * ? *)");
    struct sched_dst d;
    int64_t from = iso("2026-11-28T00:00:00Z");
    assert_int_equal(sched_dst_risk(&e, "America/New_York", from, from + 400 * 86400, &d),
                     1);
    assert_true(d.gap);
    assert_int_equal(d.local.year, 2027);
    assert_int_equal(d.local.mon, 3);
    assert_int_equal(d.local.day, 14);
    assert_int_equal(d.local.hour, 2);
    assert_int_equal(d.local.min, 30);
    assert_int_equal(d.from.hour, 2);
    assert_int_equal(d.to.hour, 3);
    assert_true(d.change_utc == iso("2027-03-14T07:00:00Z"));
}

static void test_schedule_dst_risk_overlap(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(30 2 * 10 ? *)");
    struct sched_dst d;
    int64_t from = iso("2026-01-01T00:00:00Z");
    assert_int_equal(sched_dst_risk(&e, "Europe/Berlin", from, from + 366 * 86400, &d),
                     1);
    assert_false(d.gap);
    assert_int_equal(d.local.mon, 10);
    assert_int_equal(d.local.day, 25);
    assert_int_equal(d.from.hour, 3);
    assert_int_equal(d.to.hour, 2);
    assert_true(d.change_utc == iso("2026-10-25T01:00:00Z"));
}

static void test_schedule_dst_risk_none(void **state)
{
    (void)state;
    struct sched_dst d;
    int64_t from = iso("2026-01-01T00:00:00Z"), to = from + 3 * 366 * 86400;
    struct sched_expr e = parse_ok("cron(30 2 * * ? *)");
    assert_int_equal(sched_dst_risk(&e, "Asia/Tokyo", from, to, &d), 0);
    assert_int_equal(sched_dst_risk(&e, "UTC", from, to, &d), 0);
    e = parse_ok("cron(0 12 * * ? *)");
    assert_int_equal(sched_dst_risk(&e, "America/New_York", from, to, &d), 0);
    e = parse_ok("rate(1 hour)");
    assert_int_equal(sched_dst_risk(&e, "America/New_York", from, to, &d), 0);
    /* Only in July: never near a change. */
    e = parse_ok("cron(30 2 * 7 ? *)");
    assert_int_equal(sched_dst_risk(&e, "Europe/Berlin", from, to, &d), 0);
    assert_int_equal(sched_dst_risk(&e, "Nowhere", from, to, &d), -1);
}

static void test_schedule_dst_risk_at(void **state)
{
    (void)state;
    struct sched_dst d;
    struct sched_expr e = parse_ok("at(2027-03-14T02:30:00)");
    assert_int_equal(sched_dst_risk(&e, "America/New_York", INT64_MIN, INT64_MAX, &d), 1);
    assert_true(d.gap);
    e = parse_ok("at(2027-03-14T03:30:00)");
    assert_int_equal(sched_dst_risk(&e, "America/New_York", INT64_MIN, INT64_MAX, &d), 0);
}

/* ---- ISO 8601 -------------------------------------------------------------------------
 */

static void test_schedule_iso_parse(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(sched_iso_parse("2026-11-28T03:00:00Z", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    assert_int_equal(sched_iso_parse("2026-11-28T12:00:00+09:00", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    assert_int_equal(sched_iso_parse("2026-11-27T22:00:00-0500", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    assert_int_equal(sched_iso_parse("2026-11-28T12:00+09", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    assert_int_equal(sched_iso_parse("2026-11-28T03:00:00.250Z", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    assert_int_equal(sched_iso_parse("2026-11-28 03:00:00z", NULL, &t), 0);
    assert_true(t == INT64_C(1795834800));
    /* A date alone is local midnight. */
    assert_int_equal(sched_iso_parse("2026-11-28", "Asia/Tokyo", &t), 0);
    assert_true(t == iso("2026-11-27T15:00:00Z"));
    /* Skipped local time: read with the offset before the change. */
    assert_int_equal(sched_iso_parse("2027-03-14T02:30", "America/New_York", &t), 0);
    assert_true(t == iso("2027-03-14T07:30:00Z"));
    /* Repeated local time: the first. */
    assert_int_equal(sched_iso_parse("2026-11-01T01:30:00", "America/New_York", &t), 0);
    assert_true(t == iso("2026-11-01T05:30:00Z"));
}

static void test_schedule_iso_parse_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "2026",
                                      "2026-13-01",
                                      "2026-02-30",
                                      "2026/11/28",
                                      "2026-11-28T25:00",
                                      "2026-11-28T03:60",
                                      "2026-11-28T03:00:00+25:00",
                                      "2026-11-28T03:00:00X",
                                      "2026-11-28T03:00:00Zjunk",
                                      "2026-11-28T3:00",
                                      "2026-11-28T03:00:00.Z",
                                      "2026-11-28x"};
    int64_t t;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        if (!sched_iso_parse(bad[i], "UTC", &t))
            fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(sched_iso_parse("2026-11-28", "Bad/Zone", &t), -1);
    assert_int_equal(sched_iso_parse("2026-11-28", NULL, &t), -1);
}

static void test_schedule_iso_format(void **state)
{
    (void)state;
    char buf[SCHED_ISO_MAX];
    sched_iso_utc(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    sched_iso_utc(INT64_C(1795834800), buf);
    assert_string_equal(buf, "2026-11-28T03:00:00Z");
    assert_int_equal(sched_iso_local(iso("2026-11-28T18:00:00Z"), "Asia/Tokyo", buf), 0);
    assert_string_equal(buf, "2026-11-29T03:00:00+09:00 JST");
    assert_int_equal(
        sched_iso_local(iso("2026-11-28T18:00:00Z"), "America/New_York", buf), 0);
    assert_string_equal(buf, "2026-11-28T13:00:00-05:00 EST");
    assert_int_equal(sched_iso_local(iso("2026-11-28T18:00:00Z"), "Asia/Kolkata", buf),
                     0);
    assert_string_equal(buf, "2026-11-28T23:30:00+05:30 IST");
    assert_int_equal(sched_iso_local(0, "Nowhere", buf), -1);
}

/* ---- reports
 * ----------------------------------------------------------------------------- */

static void test_schedule_print_fires(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(0 3 * * ? *)");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int64_t last;
    assert_int_equal(
        sched_print_fires(&e, "Asia/Tokyo", iso("2026-11-28T00:00:00Z"), 2, f, &last), 2);
    fclose(f);
    assert_string_equal(buf, "2026-11-29T03:00:00+09:00 JST  2026-11-28T18:00:00Z\n"
                             "2026-11-30T03:00:00+09:00 JST  2026-11-29T18:00:00Z\n");
    assert_true(last == iso("2026-11-29T18:00:00Z"));
    free(buf);
}

static void test_schedule_fires_window(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(30 2 * * ? *)");
    int64_t t[8], from = iso("2026-03-27T00:00:00Z"), to = iso("2026-04-01T00:00:00Z");
    /* Berlin skips 02:30 on 2026-03-29; the same times as sched_first + sched_next. */
    assert_int_equal(sched_fires(&e, "Europe/Berlin", from, to, t, 8), 4);
    assert_true(t[0] == iso("2026-03-27T01:30:00Z"));
    assert_true(t[1] == iso("2026-03-28T01:30:00Z"));
    assert_true(t[2] == iso("2026-03-30T00:30:00Z"));
    assert_true(t[3] == iso("2026-03-31T00:30:00Z"));
    /* [from, to): a fire time at `to` is left out, one at `from` is kept. */
    assert_int_equal(sched_fires(&e, "Europe/Berlin", t[1], t[3], t, 8), 2);
    assert_true(t[0] == iso("2026-03-28T01:30:00Z"));
    /* More than max: max + 1, with the first max stored. */
    assert_int_equal(sched_fires(&e, "Europe/Berlin", from, to, t, 3), 4);
    assert_true(t[2] == iso("2026-03-30T00:30:00Z"));
    assert_int_equal(sched_fires(&e, "Europe/Berlin", from, to, NULL, 0), 1);
    assert_int_equal(sched_fires(&e, "Europe/Berlin", to, to + 1800, NULL, 0), 0);
    e = parse_ok("rate(90 minutes)");
    assert_int_equal(sched_fires(&e, "UTC", from, from + 3 * 3600, t, 8), 2);
    assert_true(t[1] == from + 5400);
    assert_int_equal(sched_fires(&e, "Nowhere/Land", from, to, t, 8), -1);
}

static void test_schedule_print_dst(void **state)
{
    (void)state;
    struct sched_expr e = parse_ok("cron(30 1 * * ? *)");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int64_t from = iso("2026-10-01T00:00:00Z");
    assert_int_equal(sched_print_dst(&e, "America/New_York", from, from + 366 * 86400, f),
                     1);
    fclose(f);
    assert_string_equal(buf, "warning: 2026-11-01T01:30 occurs twice in America/New_York "
                             "(clocks go back from 02:00 to 01:00); it runs once, at the "
                             "first\n");
    free(buf);
    e = parse_ok("cron(0/30 1-2 * * ? *)");
    f = open_memstream(&buf, &len);
    assert_int_equal(sched_print_dst(&e, "America/New_York", from, from + 366 * 86400, f),
                     2);
    fclose(f);
    assert_non_null(strstr(buf, "2027-03-14T02:00 does not exist"));
    free(buf);
}

/* ---- diagnostics
 * ------------------------------------------------------------------------- */

static struct loc test_loc(void)
{
    static const struct srcfile *file;
    if (!file)
        file = srcfile_from_mem("workflows.yaml", "x\n", 2);
    return (struct loc){file, 4, 15, 0};
}

static void test_schedule_check_error_column(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(sched_check("cron(0 3 * * ? 1969)", test_loc(), "UTC", &dl), -1);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_SCHED_RANGE, 4, 30);
    assert_int_equal(dl.v[0].loc.len, 4);
    assert_string_equal(dl.v[0].msg, "year '1969' is out of range 1970-2199");
    diag_release(&dl);
    /* Columns count characters, not bytes. */
    assert_int_equal(sched_check("cron(\xc3\xa9", test_loc(), NULL, &dl), -1);
    assert_diag(&dl, 0, D_SCHED_SYNTAX, 4, 21);
    diag_release(&dl);
}

static void test_schedule_check_notes(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(sched_check("cron(0 3 * * * *)", test_loc(), "UTC", &dl), -1);
    assert_diag(&dl, 0, D_SCHED_DAY_FIELDS, 4, 28);
    assert_int_equal(dl.v[0].nnotes, 1);
    assert_non_null(strstr(dl.v[0].notes[0], "cron(0 3 * * ? *)"));
    diag_release(&dl);
}

static void test_schedule_check_rate_warning(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(sched_check("rate(1 minutes)", test_loc(), "UTC", &dl), 0);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_SCHED_RATE_UNIT, 4, 22);
    assert_int_equal(dl.v[0].sev, SEV_WARNING);
    assert_string_equal(dl.v[0].notes[0], "wfgen writes it as rate(1 minute)");
    diag_release(&dl);
}

static void test_schedule_check_dst_warnings(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(
        sched_check("cron(30 2 * * ? *)", test_loc(), "America/New_York", &dl), 0);
    assert_int_equal(dl.nr, 1);
    assert_diag(&dl, 0, D_SCHED_DST, 4, 15);
    assert_string_equal(
        dl.v[0].msg,
        "schedule fires at 02:30 local time, which does not exist in "
        "America/New_York when clocks jump from 02:00 to 03:00 (e.g. 2026-03-08); "
        "that run is skipped");
    assert_non_null(strstr(dl.v[0].notes[0], "outside 02:00-03:00"));
    diag_release(&dl);
    assert_int_equal(sched_check("cron(30 2 * 10 ? *)", test_loc(), "Europe/Berlin", &dl),
                     0);
    assert_int_equal(dl.nr, 1);
    assert_non_null(strstr(dl.v[0].msg,
                           "occurs twice in Europe/Berlin when clocks go back "
                           "from 03:00 to 02:00 (e.g. 2026-10-25)"));
    diag_release(&dl);
    /* Same schedule, zones without a change at that hour: nothing. */
    assert_int_equal(sched_check("cron(30 2 * * ? *)", test_loc(), "Asia/Tokyo", &dl), 0);
    assert_int_equal(sched_check("cron(30 2 * * ? *)", test_loc(), NULL, &dl), 0);
    assert_int_equal(sched_check("cron(30 2 * * ? *)", test_loc(), "No/Zone", &dl), 0);
    assert_int_equal(dl.nr, 0);
    /* at() in a gap, outside the fixed scan window. */
    assert_int_equal(
        sched_check("at(2040-03-11T02:30:00)", test_loc(), "America/New_York", &dl), 0);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_SCHED_DST);
    diag_release(&dl);
}

static void test_schedule_check_never(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    assert_int_equal(sched_check("cron(0 0 30 2 ? *)", test_loc(), "UTC", &dl), 0);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_SCHED_NEVER);
    diag_release(&dl);
    assert_int_equal(sched_check("cron(0 0 31 4,6,9,11 ? *)", test_loc(), "UTC", &dl), 0);
    assert_int_equal(dl.nr, 1);
    diag_release(&dl);
    assert_int_equal(sched_check("cron(0 0 29 2 ? 2100)", test_loc(), "UTC", &dl), 0);
    assert_int_equal(dl.nr, 1);
    diag_release(&dl);
    assert_int_equal(sched_check("cron(0 0 29 2 ? *)", test_loc(), "UTC", &dl), 0);
    assert_int_equal(dl.nr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_cron_basic),
        cmocka_unit_test(test_schedule_cron_lists_ranges_steps),
        cmocka_unit_test(test_schedule_cron_names),
        cmocka_unit_test(test_schedule_cron_wrapping_ranges),
        cmocka_unit_test(test_schedule_cron_specials),
        cmocka_unit_test(test_schedule_cron_spaces_canonical),
        cmocka_unit_test(test_schedule_rate_forms),
        cmocka_unit_test(test_schedule_rate_plural_warning),
        cmocka_unit_test(test_schedule_at_forms),
        cmocka_unit_test(test_schedule_err_shape),
        cmocka_unit_test(test_schedule_err_field_count),
        cmocka_unit_test(test_schedule_err_ranges),
        cmocka_unit_test(test_schedule_err_tokens),
        cmocka_unit_test(test_schedule_err_qmark_rule),
        cmocka_unit_test(test_schedule_err_specials),
        cmocka_unit_test(test_schedule_err_rate),
        cmocka_unit_test(test_schedule_err_at),
        cmocka_unit_test(test_schedule_tz_valid),
        cmocka_unit_test(test_schedule_tz_env_restored),
        cmocka_unit_test(test_schedule_next_tokyo_daily),
        cmocka_unit_test(test_schedule_next_strictly_after),
        cmocka_unit_test(test_schedule_next_month_ends),
        cmocka_unit_test(test_schedule_next_leap_years),
        cmocka_unit_test(test_schedule_next_last_day),
        cmocka_unit_test(test_schedule_next_nearest_weekday),
        cmocka_unit_test(test_schedule_next_nth_and_last_weekday),
        cmocka_unit_test(test_schedule_next_weekdays_and_wrap),
        cmocka_unit_test(test_schedule_next_year_limited),
        cmocka_unit_test(test_schedule_next_dst_gap),
        cmocka_unit_test(test_schedule_next_dst_overlap),
        cmocka_unit_test(test_schedule_next_tokyo_no_dst),
        cmocka_unit_test(test_schedule_next_rate),
        cmocka_unit_test(test_schedule_next_at),
        cmocka_unit_test(test_schedule_next_bad_zone),
        cmocka_unit_test(test_schedule_dst_risk_gap),
        cmocka_unit_test(test_schedule_dst_risk_overlap),
        cmocka_unit_test(test_schedule_dst_risk_none),
        cmocka_unit_test(test_schedule_dst_risk_at),
        cmocka_unit_test(test_schedule_iso_parse),
        cmocka_unit_test(test_schedule_iso_parse_errors),
        cmocka_unit_test(test_schedule_iso_format),
        cmocka_unit_test(test_schedule_print_fires),
        cmocka_unit_test(test_schedule_fires_window),
        cmocka_unit_test(test_schedule_print_dst),
        cmocka_unit_test(test_schedule_check_error_column),
        cmocka_unit_test(test_schedule_check_notes),
        cmocka_unit_test(test_schedule_check_rate_warning),
        cmocka_unit_test(test_schedule_check_dst_warnings),
        cmocka_unit_test(test_schedule_check_never),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    srcfile_free_all();
    return rc;
}
