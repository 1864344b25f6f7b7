/*
 * EventBridge Scheduler expressions: the cron/rate/at parser, fire-time computation in
 * an IANA zone, DST gap/overlap detection, ISO 8601 helpers and the diagnostics built
 * from all of them. See schedule.h for the rules each part follows.
 */
#include "schedule.h"

#include "base/xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ==== civil date arithmetic (proleptic Gregorian, no time zone) ================== */

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * Days from 1970-01-01 to y-m-d. Years are counted from March so that the leap day
 * ends a year; a 400-year era has 146097 days, and 719468 days separate 0000-03-01
 * from 1970-01-01.
 */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 1 = Sunday ... 7 = Saturday (cron's numbering); 1970-01-01 was a Thursday. */
static int weekday(int y, int m, int d)
{
    return (int)((days_from_civil(y, m, d) % 7 + 11) % 7) + 1;
}

static int64_t civil_to_secs(const struct sched_civil *c)
{
    return days_from_civil(c->year, c->mon, c->day) * 86400 + c->hour * 3600 +
           c->min * 60 + c->sec;
}

static struct sched_civil civil_from_secs(int64_t s)
{
    struct sched_civil c;
    int64_t days = floor_div(s, 86400);
    int64_t rem = s - days * 86400;
    civil_from_days(days, &c.year, &c.mon, &c.day);
    c.hour = (int)(rem / 3600);
    c.min = (int)(rem / 60 % 60);
    c.sec = (int)(rem % 60);
    return c;
}

/* ==== the parser ================================================================= */

struct pctx {
    const char *text;
    struct sched_err *err;
};

/* Records the error and returns -1; every caller stops at its first error. */
__attribute__((format(printf, 5, 6))) static int
fail(struct pctx *p, enum diag_id code, size_t off, size_t len, const char *fmt, ...)
{
    struct sched_msg *m = &p->err->error;
    va_list ap;
    m->code = code;
    m->off = off;
    m->len = len;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof(m->text), fmt, ap);
    va_end(ap);
    m->note[0] = '\0';
    return -1;
}

__attribute__((format(printf, 2, 3))) static void note(struct pctx *p, const char *fmt,
                                                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->error.note, sizeof(p->err->error.note), fmt, ap);
    va_end(ap);
}

/* ---- cron fields ---------------------------------------------------------------- */

enum field_id { F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW, F_YEAR, F__COUNT };

struct field_spec {
    const char *name;
    int min, max;
    const char *const *names; /* three-letter names for min.. , or NULL */
    const char *allowed;      /* wildcards this field accepts, for checks and messages */
    const char *range;        /* the allowed values, for messages */
    bool wraps;               /* a range may run past max back to min (20-2) */
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/* aws-facts.md 5.1, "Cron fields". */
static const struct field_spec fields[F__COUNT] = {
    {"minutes", 0, 59, NULL, ", - * /", "0-59", true},
    {"hours", 0, 23, NULL, ", - * /", "0-23", true},
    {"day-of-month", 1, 31, NULL, ", - * ? / L W", "1-31", true},
    {"month", 1, 12, month_names, ", - * /", "1-12 (JAN-DEC)", true},
    {"day-of-week", 1, 7, day_names, ", - * ? L #", "1-7 (SUN-SAT)", true},
    {"year", SCHED_YEAR_MIN, SCHED_YEAR_MAX, NULL, ", - * /", "1970-2199", false},
};

/* What one comma-separated item of a field turned out to be. */
enum item_kind {
    ITEM_PLAIN, /* values, ranges, steps: bits set */
    ITEM_QMARK, /* ? */
    ITEM_LAST,  /* L */
    ITEM_NW,    /* nW (day-of-month) */
    ITEM_NL,    /* nL (day-of-week) */
    ITEM_NTH,   /* d#n (day-of-week) */
};

struct item {
    enum item_kind kind;
    int a, b; /* nW: a; nL: a; d#n: a = d, b = n */
};

/* Bit i stands for value base + i; 256 bits hold every field (years need 230). */
struct bits {
    uint64_t w[4];
};

static void bits_set(struct bits *b, int i)
{
    b->w[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool bits_test(const uint64_t *w, int i)
{
    return (w[i / 64] >> (i % 64)) & 1;
}

static int field_base(enum field_id f)
{
    return f == F_YEAR ? SCHED_YEAR_MIN : 0;
}

/* Adds lo, lo+step, ... up to hi, running past max back to min when hi < lo. */
static void add_range(struct bits *b, enum field_id f, int lo, int hi, int step)
{
    const struct field_spec *fs = &fields[f];
    int span = hi >= lo ? hi - lo : (fs->max - lo) + (hi - fs->min) + 1;
    for (int k = 0; k <= span; k += step) {
        int v = lo + k;
        if (v > fs->max)
            v -= fs->max - fs->min + 1;
        bits_set(b, v - field_base(f));
    }
}

/* Fails unless field f accepts the wildcard c. */
static int need(struct pctx *p, enum field_id f, char c, size_t off)
{
    const struct field_spec *fs = &fields[f];
    if (strchr(fs->allowed, c))
        return 0;
    return fail(p, D_SCHED_SPECIAL, off, 1, "'%c' is not allowed in %s (allowed: %s)", c,
                fs->name, fs->allowed);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool word_eq(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (toupper((unsigned char)s[i]) != word[i])
            return false;
    return true;
}

/*
 * Reads a number or a name at text[*pos] (field bytes end at `end`) and checks it is
 * within the field's range. Advances *pos.
 */
static int parse_value(struct pctx *p, enum field_id f, size_t *pos, size_t end, int *out)
{
    const struct field_spec *fs = &fields[f];
    const char *t = p->text;
    size_t start = *pos, i = start;
    if (i < end && is_digit(t[i])) {
        long v = 0;
        while (i < end && is_digit(t[i])) {
            if (v < 100000)
                v = v * 10 + (t[i] - '0');
            i++;
        }
        *pos = i;
        if (v < fs->min || v > fs->max)
            return fail(p, D_SCHED_RANGE, start, i - start,
                        "%s '%.*s' is out of range %s", fs->name, (int)(i - start),
                        t + start, fs->range);
        *out = (int)v;
        return 0;
    }
    while (i < end && is_alpha(t[i]))
        i++;
    *pos = i;
    if (i == start) {
        if (start == end)
            return fail(p, D_SCHED_SYNTAX, start, 0, "%s value missing (expected %s)",
                        fs->name, fs->range);
        return fail(p, D_SCHED_SYNTAX, start, 1, "unexpected '%c' in %s (expected %s)",
                    t[start], fs->name, fs->range);
    }
    for (int k = 0; fs->names && k <= fs->max - fs->min; k++) {
        if (word_eq(t + start, i - start, fs->names[k])) {
            *out = fs->min + k;
            return 0;
        }
    }
    return fail(p, D_SCHED_SYNTAX, start, i - start, "%s '%.*s' is not a value of %s",
                fs->name, (int)(i - start), t + start, fs->range);
}

/* Reads "/step" at text[*pos]. */
static int parse_step(struct pctx *p, enum field_id f, size_t *pos, size_t end, int *step)
{
    const struct field_spec *fs = &fields[f];
    const char *t = p->text;
    int span = fs->max - fs->min + 1;
    if (need(p, f, '/', *pos))
        return -1;
    size_t start = ++*pos, i = start;
    long v = 0;
    while (i < end && is_digit(t[i])) {
        if (v < 100000)
            v = v * 10 + (t[i] - '0');
        i++;
    }
    *pos = i;
    if (i == start)
        return fail(p, D_SCHED_SYNTAX, start, i < end ? 1 : 0,
                    "%s step after '/' must be a number", fs->name);
    if (v < 1 || v > span)
        return fail(p, D_SCHED_RANGE, start, i - start,
                    "%s step '%.*s' is out of range 1-%d", fs->name, (int)(i - start),
                    t + start, span);
    *step = (int)v;
    return 0;
}

static int expect_end(struct pctx *p, enum field_id f, size_t pos, size_t end)
{
    if (pos >= end)
        return 0;
    return fail(p, D_SCHED_SYNTAX, pos, end - pos, "unexpected '%.*s' in %s",
                (int)(end - pos), p->text + pos, fields[f].name);
}

/* Parses the "d#n" tail after the '#' at text[pos]. */
static int parse_nth(struct pctx *p, size_t item_off, size_t pos, size_t end,
                     struct item *it)
{
    const char *t = p->text;
    size_t start = pos + 1, i = start;
    while (i < end && is_digit(t[i]))
        i++;
    if (i == start || i - start > 1 || t[start] < '1' || t[start] > '5')
        return fail(p, D_SCHED_RANGE, start, i > start ? i - start : 0,
                    "day-of-week '%.*s': the number after '#' must be 1-5",
                    (int)(end - item_off), t + item_off);
    it->kind = ITEM_NTH;
    it->b = t[start] - '0';
    return expect_end(p, F_DOW, i, end);
}

/* Parses what follows a value `a`: nothing, -b, /step, W, L or #n. */
static int parse_item_tail(struct pctx *p, enum field_id f, size_t off, size_t pos,
                           size_t end, struct bits *b, struct item *it)
{
    const char *t = p->text;
    int a = it->a, hi, step = 1;
    char c = (char)toupper((unsigned char)t[pos]);
    if (c == '-') {
        if (need(p, f, '-', pos))
            return -1;
        pos++;
        if (parse_value(p, f, &pos, end, &hi))
            return -1;
        if (hi < a && !fields[f].wraps)
            return fail(p, D_SCHED_RANGE, off, pos - off,
                        "%s range '%.*s' runs backwards", fields[f].name,
                        (int)(pos - off), t + off);
        if (pos < end && t[pos] == '/' && parse_step(p, f, &pos, end, &step))
            return -1;
        add_range(b, f, a, hi, step);
        return expect_end(p, f, pos, end);
    }
    if (c == '/') {
        if (parse_step(p, f, &pos, end, &step))
            return -1;
        add_range(b, f, a, fields[f].max, step);
        return expect_end(p, f, pos, end);
    }
    if (c == 'W' || c == 'L') {
        if (need(p, f, c, pos))
            return -1;
        if (c == 'L' && f == F_DOM)
            return fail(p, D_SCHED_SPECIAL, off, pos + 1 - off,
                        "day-of-month '%.*s': 'L' stands alone there (a number before it "
                        "is only allowed in day-of-week)",
                        (int)(pos + 1 - off), t + off);
        if (!is_digit(t[off]))
            return fail(p, D_SCHED_SYNTAX, off, pos + 1 - off,
                        "%s '%.*s': a number must come before '%c'", fields[f].name,
                        (int)(pos + 1 - off), t + off, c);
        it->kind = c == 'W' ? ITEM_NW : ITEM_NL;
        return expect_end(p, f, pos + 1, end);
    }
    if (c == '#') {
        if (need(p, f, '#', pos))
            return -1;
        return parse_nth(p, off, pos, end, it);
    }
    /* '*' or '?' after a value: say so if the field does not take them at all. */
    if ((c == '*' || c == '?') && need(p, f, c, pos))
        return -1;
    return expect_end(p, f, pos, end);
}

/* Parses one comma-separated item text[off, end) of field f. */
static int parse_item(struct pctx *p, enum field_id f, size_t off, size_t end,
                      struct bits *b, struct item *it)
{
    const char *t = p->text;
    size_t n = end - off, pos = off;
    int step = 1;
    memset(it, 0, sizeof(*it));
    if (n == 0)
        return fail(p, D_SCHED_SYNTAX, off, 0, "empty item in %s (check the commas)",
                    fields[f].name);
    if (t[off] == '*') {
        if (need(p, f, '*', off))
            return -1;
        pos++;
        if (pos < end && t[pos] == '/' && parse_step(p, f, &pos, end, &step))
            return -1;
        add_range(b, f, fields[f].min, fields[f].max, step);
        return expect_end(p, f, pos, end);
    }
    if (t[off] == '?' || (n == 1 && toupper((unsigned char)t[off]) == 'L')) {
        char c = (char)toupper((unsigned char)t[off]);
        if (need(p, f, c, off))
            return -1;
        it->kind = c == '?' ? ITEM_QMARK : ITEM_LAST;
        return expect_end(p, f, off + 1, end);
    }
    if (strchr(",-/#", t[off]))
        return need(p, f, t[off], off)
                   ? -1
                   : fail(p, D_SCHED_SYNTAX, off, 1,
                          "%s item '%.*s' must start with a value or '*'", fields[f].name,
                          (int)n, t + off);
    if (parse_value(p, f, &pos, end, &it->a))
        return -1;
    if (pos == end) {
        bits_set(b, it->a - field_base(f));
        return 0;
    }
    return parse_item_tail(p, f, off, pos, end, b, it);
}

static const char *const item_words[] = {"", "?", "L", "nW", "nL", "#"};

/* Parses field f at text[off, end) into the cron. */
static int parse_field(struct pctx *p, enum field_id f, size_t off, size_t end,
                       struct sched_cron *c)
{
    const char *t = p->text;
    struct bits b = {{0}};
    struct item it = {ITEM_PLAIN, 0, 0}, special = {ITEM_PLAIN, 0, 0};
    size_t nitems = 1, nhash = 0, second_hash = 0;
    for (size_t i = off; i < end; i++) {
        nitems += t[i] == ',';
        if (t[i] == '#' && ++nhash == 2)
            second_hash = i;
    }
    if (f == F_DOW && nhash > 1)
        return fail(p, D_SCHED_SPECIAL, second_hash, 1,
                    "day-of-week allows only one '#' expression");
    for (size_t s = off; s <= end;) {
        size_t e = s;
        while (e < end && t[e] != ',')
            e++;
        if (parse_item(p, f, s, e, &b, &it))
            return -1;
        if (it.kind != ITEM_PLAIN) {
            if (nitems > 1)
                return fail(
                    p, D_SCHED_SPECIAL, s, e - s,
                    "%s '%.*s' must be the only item in the field ('%s' cannot be "
                    "combined with other values)",
                    fields[f].name, (int)(e - s), t + s, item_words[it.kind]);
            special = it;
        }
        s = e + 1;
    }
    switch (f) {
    case F_MIN:
        c->minutes = b.w[0];
        break;
    case F_HOUR:
        c->hours = (uint32_t)b.w[0];
        break;
    case F_DOM:
        c->dom = (uint32_t)b.w[0];
        c->dom_mode = special.kind == ITEM_QMARK  ? SCHED_DOM_ANY
                      : special.kind == ITEM_LAST ? SCHED_DOM_LAST
                      : special.kind == ITEM_NW   ? SCHED_DOM_WEEKDAY
                                                  : SCHED_DOM_SET;
        c->dom_day = special.a;
        break;
    case F_MONTH:
        c->months = (uint16_t)b.w[0];
        break;
    case F_DOW:
        if (special.kind == ITEM_LAST)
            b.w[0] |= UINT64_C(1) << 7; /* L alone: the last day of the week, Saturday */
        c->dow = (uint8_t)b.w[0];
        c->dow_mode = special.kind == ITEM_QMARK ? SCHED_DOW_ANY
                      : special.kind == ITEM_NL  ? SCHED_DOW_LAST
                      : special.kind == ITEM_NTH ? SCHED_DOW_NTH
                                                 : SCHED_DOW_SET;
        c->dow_day = special.a;
        c->dow_nth = special.b;
        break;
    case F_YEAR:
        memcpy(c->years, b.w, sizeof(c->years));
        break;
    case F__COUNT:
        BUG("bad cron field");
    }
    return 0;
}

/* Applies the '?' rule once every field parsed. */
static int check_day_fields(struct pctx *p, const struct sched_cron *c,
                            const size_t *foff, const size_t *fend)
{
    bool dom_q = c->dom_mode == SCHED_DOM_ANY, dow_q = c->dow_mode == SCHED_DOW_ANY;
    if (dom_q && dow_q) {
        fail(p, D_SCHED_DAY_FIELDS, foff[F_DOW], fend[F_DOW] - foff[F_DOW],
             "day-of-month and day-of-week cannot both be '?'");
        note(p, "put '*' or a value in one of them, e.g. cron(0 3 * * ? *)");
        return -1;
    }
    if (dom_q || dow_q)
        return 0;
    /* Point at the field that most likely should have been '?'. */
    bool dow_star = fend[F_DOW] - foff[F_DOW] == 1 && p->text[foff[F_DOW]] == '*';
    enum field_id at = dow_star ? F_DOW : F_DOM;
    if (!dow_star && !(fend[F_DOM] - foff[F_DOM] == 1 && p->text[foff[F_DOM]] == '*'))
        at = F_DOW;
    fail(p, D_SCHED_DAY_FIELDS, foff[at], fend[at] - foff[at],
         "exactly one of day-of-month and day-of-week must be '?'");
    note(p, "write '?' in %s, e.g. cron(0 3 %s)", fields[at].name,
         at == F_DOW ? "* * ? *" : "? * MON-FRI *");
    return -1;
}

static int parse_cron(struct pctx *p, size_t off, size_t end, struct sched_expr *out)
{
    const char *t = p->text;
    size_t foff[F__COUNT + 1], fend[F__COUNT + 1], nf = 0, i = off;
    for (size_t k = off; k < end; k++)
        if (t[k] != ' ' && t[k] != ',' && t[k] != '-' && t[k] != '/' && t[k] != '*' &&
            t[k] != '?' && t[k] != '#' && !is_digit(t[k]) && !is_alpha(t[k]))
            return t[k] > ' ' && t[k] < 127
                       ? fail(p, D_SCHED_SYNTAX, k, 1,
                              "unexpected character '%c' in cron", t[k])
                       : fail(p, D_SCHED_SYNTAX, k, 1,
                              "unexpected byte 0x%02x in cron (fields are separated by "
                              "spaces)",
                              (unsigned char)t[k]);
    while (i < end) {
        while (i < end && t[i] == ' ')
            i++;
        if (i == end)
            break;
        size_t s = i;
        while (i < end && t[i] != ' ')
            i++;
        if (nf <= F__COUNT) {
            foff[nf] = s;
            fend[nf] = i;
        }
        nf++;
    }
    if (nf != F__COUNT) {
        fail(p, D_SCHED_SYNTAX, off, end - off,
             "cron needs 6 fields (minutes hours day-of-month month day-of-week year), "
             "found %zu",
             nf);
        if (nf == 5)
            note(p, "EventBridge cron has a year field: add ' *' at the end");
        else if (nf == 7)
            note(p, "EventBridge cron has no seconds field");
        return -1;
    }
    struct sched_cron *c = &out->cron;
    for (int f = 0; f < F__COUNT; f++)
        if (parse_field(p, (enum field_id)f, foff[f], fend[f], c))
            return -1;
    if (check_day_fields(p, c, foff, fend))
        return -1;
    char *w = out->canon;
    w += sprintf(w, "cron(");
    for (int f = 0; f < F__COUNT; f++)
        w += sprintf(w, "%s%.*s", f ? " " : "", (int)(fend[f] - foff[f]), t + foff[f]);
    strcpy(w, ")");
    return 0;
}

/* ---- rate(N unit) ---------------------------------------------------------------- */

struct rate_unit {
    const char *one, *many;
    enum sched_unit unit;
    int64_t secs;
};

static const struct rate_unit rate_units[] = {
    {"minute", "minutes", SCHED_MINUTES, 60},
    {"hour", "hours", SCHED_HOURS, 3600},
    {"day", "days", SCHED_DAYS, 86400},
};

#define RATE_MAX 2147483647L

static int parse_rate(struct pctx *p, size_t off, size_t end, struct sched_expr *out)
{
    const char *t = p->text;
    size_t i = off;
    int64_t n = 0;
    while (i < end && is_digit(t[i])) {
        if (n <= RATE_MAX)
            n = n * 10 + (t[i] - '0');
        i++;
    }
    size_t nend = i;
    while (i < end && t[i] != ' ')
        i++;
    if (i == off)
        return fail(p, D_SCHED_RATE, off, 0,
                    "rate value missing (a positive whole number)");
    if (nend == off || nend != i)
        return fail(p, D_SCHED_RATE, off, i - off,
                    "rate value '%.*s' must be a positive whole number", (int)(i - off),
                    t + off);
    if (n == 0)
        return fail(p, D_SCHED_RATE, off, i - off,
                    "rate value must be positive, got '%.*s'", (int)(i - off), t + off);
    if (n > RATE_MAX)
        return fail(p, D_SCHED_RATE, off, i - off,
                    "rate value '%.*s' is too large (at most %ld)", (int)(i - off),
                    t + off, RATE_MAX);
    while (i < end && t[i] == ' ')
        i++;
    size_t uoff = i;
    if (uoff == end) {
        fail(p, D_SCHED_RATE, end, 0, "rate needs a unit: minute(s), hour(s) or day(s)");
        return -1;
    }
    size_t ulen = end - uoff;
    for (size_t k = 0; k < ARRAY_SIZE(rate_units); k++) {
        const struct rate_unit *u = &rate_units[k];
        bool one = strlen(u->one) == ulen && !memcmp(t + uoff, u->one, ulen);
        bool many = strlen(u->many) == ulen && !memcmp(t + uoff, u->many, ulen);
        if (!one && !many)
            continue;
        out->kind = SCHED_RATE;
        out->rate = (long)n;
        out->unit = u->unit;
        snprintf(out->canon, sizeof(out->canon), "rate(%ld %s)", out->rate,
                 n == 1 ? u->one : u->many);
        if (one != (n == 1)) {
            struct sched_msg *w = &p->err->warning;
            p->err->has_warning = true;
            w->code = D_SCHED_RATE_UNIT;
            w->off = uoff;
            w->len = ulen;
            snprintf(w->text, sizeof(w->text),
                     "rate unit '%.*s' should be '%s' for a value of %ld", (int)ulen,
                     t + uoff, n == 1 ? u->one : u->many, out->rate);
            snprintf(w->note, sizeof(w->note), "wfgen writes it as %s", out->canon);
        }
        return 0;
    }
    fail(p, D_SCHED_RATE, uoff, ulen,
         "rate unit '%.*s' must be minute(s), hour(s) or day(s)", (int)ulen, t + uoff);
    if (ulen >= 6 && !memcmp(t + uoff, "second", 6))
        note(p, "EventBridge Scheduler's precision is one minute");
    return -1;
}

/* ---- at(yyyy-mm-ddThh:mm:ss) ---------------------------------------------------- */

struct at_part {
    const char *name;
    size_t off, len; /* within the 19-character body */
    int min, max;    /* max 0: the days of that month */
};

static const struct at_part at_parts[] = {
    {"year", 0, 4, SCHED_YEAR_MIN, SCHED_YEAR_MAX},
    {"month", 5, 2, 1, 12},
    {"day", 8, 2, 1, 0},
    {"hour", 11, 2, 0, 23},
    {"minute", 14, 2, 0, 59},
    {"second", 17, 2, 0, 59},
};

static int parse_at(struct pctx *p, size_t off, size_t end, struct sched_expr *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    const char *t = p->text + off;
    size_t n = end - off;
    bool ok = n == sizeof(shape) - 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = shape[i] == 'd' ? is_digit(t[i]) : t[i] == shape[i];
    if (!ok)
        return fail(p, D_SCHED_AT, off, n, "at() needs yyyy-mm-ddThh:mm:ss, found '%.*s'",
                    (int)n, t);
    int v[6];
    for (size_t k = 0; k < ARRAY_SIZE(at_parts); k++) {
        const struct at_part *ap = &at_parts[k];
        v[k] = 0;
        for (size_t i = 0; i < ap->len; i++)
            v[k] = v[k] * 10 + (t[ap->off + i] - '0');
        int max = ap->max ? ap->max : month_days(v[0], v[1]);
        if (v[k] < ap->min || v[k] > max)
            return fail(p, D_SCHED_AT, off + ap->off, ap->len,
                        "at() %s '%.*s' is out of range %0*d-%d", ap->name, (int)ap->len,
                        t + ap->off, (int)ap->len, ap->min, max);
    }
    out->kind = SCHED_AT;
    out->at = (struct sched_civil){v[0], v[1], v[2], v[3], v[4], v[5]};
    snprintf(out->canon, sizeof(out->canon), "at(%.*s)", (int)n, t);
    return 0;
}

/* ---- the expression -------------------------------------------------------------- */

struct form {
    const char *prefix;
    enum sched_kind kind;
    int (*parse)(struct pctx *p, size_t off, size_t end, struct sched_expr *out);
};

static const struct form forms[] = {
    {"cron(", SCHED_CRON, parse_cron},
    {"rate(", SCHED_RATE, parse_rate},
    {"at(", SCHED_AT, parse_at},
};

int sched_parse(const char *text, struct sched_expr *out, struct sched_err *err)
{
    struct pctx p = {text, err};
    size_t len = strlen(text);
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    if (len == 0 || len > SCHED_MAX_LEN)
        return fail(&p, D_SCHED_SYNTAX, 0, len,
                    "schedule expression must be 1-%d characters, got %zu", SCHED_MAX_LEN,
                    len);
    for (size_t k = 0; k < ARRAY_SIZE(forms); k++) {
        size_t plen = strlen(forms[k].prefix);
        if (strncmp(text, forms[k].prefix, plen))
            continue;
        if (text[len - 1] != ')' || len == plen)
            return fail(&p, D_SCHED_SYNTAX, len, 0,
                        "missing ')' at the end of the expression");
        for (size_t i = plen; i < len - 1; i++)
            if (text[i] == '(' || text[i] == ')')
                return fail(&p, D_SCHED_SYNTAX, i, 1, "unexpected '%c'", text[i]);
        out->kind = forms[k].kind;
        return forms[k].parse(&p, plen, len - 1, out);
    }
    size_t w = 0;
    while (w < len && text[w] != '(')
        w++;
    fail(&p, D_SCHED_SYNTAX, 0, w ? w : len,
         "schedule must be cron(...), rate(...) or at(...)");
    note(&p, "e.g. cron(0 3 * * ? *), rate(1 hour), at(2026-01-31T09:00:00)");
    return -1;
}

/* ==== time zones ================================================================== */

/*
 * Zone data comes from the C library: glibc reads TZif files (v1-v3, with the POSIX
 * rule string for years past the table), so wfgen does not carry its own reader. We
 * only ask it for UTC -> local (localtime_r) and derive local -> UTC ourselves, so gap
 * and overlap handling does not depend on mktime's tm_isdst guesses. TZ is set to the
 * zone's absolute file path for the duration of one public call, then restored. Since
 * TZ is process-wide, a session holds zone_lock (recursive: sessions nest), which also
 * guards the caches below; build threads convert times one at a time.
 */
static pthread_once_t zone_lock_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t zone_lock_mutex;

static void zone_lock_init(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&zone_lock_mutex, &a);
    pthread_mutexattr_destroy(&a);
}

static void zone_lock(void)
{
    pthread_once(&zone_lock_once, zone_lock_init);
    pthread_mutex_lock(&zone_lock_mutex);
}

static void zone_unlock(void)
{
    pthread_mutex_unlock(&zone_lock_mutex);
}

struct tz_session {
    char *saved;
    bool had;
};

static const char *const tz_rejected[] = {"localtime", "posixrules", "right/"};

static bool tz_valid_uncached(const char *tz);

/*
 * Catalogs name the same few zones thousands of times; each answer is kept for the
 * life of the process (the zoneinfo folder does not change under a running build).
 */
bool sched_tz_valid(const char *tz)
{
    static struct {
        char name[SCHED_TZ_MAX + 1];
        bool ok;
    } memo[32];
    static size_t nmemo;
    if (!tz || strlen(tz) > SCHED_TZ_MAX)
        return false;
    zone_lock();
    size_t i = 0;
    while (i < nmemo && strcmp(memo[i].name, tz))
        i++;
    bool ok = i < nmemo ? memo[i].ok : tz_valid_uncached(tz);
    if (i == nmemo && nmemo < ARRAY_SIZE(memo)) {
        strcpy(memo[nmemo].name, tz);
        memo[nmemo++].ok = ok;
    }
    zone_unlock();
    return ok;
}

static bool tz_valid_uncached(const char *tz)
{
    size_t len = tz ? strlen(tz) : 0;
    if (len == 0 || len > SCHED_TZ_MAX || tz[0] == '/' || tz[len - 1] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = tz[i];
        if (!is_alpha(c) && !is_digit(c) && !strchr("_+-/", c))
            return false;
        if (c == '/' && tz[i + 1] == '/')
            return false;
    }
    for (const char *s = tz; s; s = strchr(s, '/')) {
        s += *s == '/';
        if (s[0] == '-')
            return false;
    }
    for (size_t k = 0; k < ARRAY_SIZE(tz_rejected); k++)
        if (!strncmp(tz, tz_rejected[k], strlen(tz_rejected[k])))
            return false;
    char *path = xasprintf("%s/%s", SCHED_ZONEINFO, tz);
    struct stat st;
    char magic[4] = {0};
    bool ok = !stat(path, &st) && S_ISREG(st.st_mode);
    if (ok) {
        FILE *f = fopen(path, "rb");
        ok = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "TZif", 4);
        if (f)
            fclose(f);
    }
    free(path);
    return ok;
}

static int tz_enter(struct tz_session *s, const char *tz)
{
    if (!sched_tz_valid(tz))
        return -1;
    zone_lock();
    const char *old = getenv("TZ");
    s->had = old != NULL;
    s->saved = old ? xstrdup(old) : NULL;
    char *v = xasprintf(":%s/%s", SCHED_ZONEINFO, tz);
    setenv("TZ", v, 1);
    free(v);
    tzset();
    return 0;
}

static void tz_leave(struct tz_session *s)
{
    if (s->had)
        setenv("TZ", s->saved, 1);
    else
        unsetenv("TZ");
    free(s->saved);
    s->saved = NULL;
    tzset();
    zone_unlock();
}

/* The UTC offset (seconds east) in force at instant t, in the entered zone. */
static long utc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return tm.tm_gmtoff;
}

/*
 * Converts local wall-clock seconds to UTC. Any offset that maps back to `lsec` is a
 * solution; offsets are taken from a day before and after (one zone change at most in
 * between). Returns 0 with the earliest solution (the first of a repeated hour), or 1
 * when the local time is skipped, with *out computed from the offset before the change.
 */
static int local_to_utc(int64_t lsec, int64_t *out)
{
    long cand[3] = {utc_offset(lsec - 90000), utc_offset(lsec), utc_offset(lsec + 90000)};
    bool found = false;
    for (int k = 0; k < 3; k++) {
        int64_t u = lsec - cand[k];
        if (utc_offset(u) == cand[k] && (!found || u < *out)) {
            *out = u;
            found = true;
        }
    }
    if (!found)
        *out = lsec - cand[0];
    return found ? 0 : 1;
}

/* ==== fire times ================================================================== */

/* Instants outside 1900-01-01 .. 2200-01-01 are clamped: no schedule fires there. */
#define TIME_MIN INT64_C(-2208988800)
#define TIME_MAX INT64_C(7258118400)

static int64_t clamp_time(int64_t t)
{
    return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

static bool day_matches(const struct sched_cron *c, int y, int m, int d)
{
    int mdays = month_days(y, m), wd = weekday(y, m, d);
    switch (c->dom_mode) {
    case SCHED_DOM_SET:
        return (c->dom >> d) & 1;
    case SCHED_DOM_LAST:
        return d == mdays;
    case SCHED_DOM_WEEKDAY: {
        /* The weekday nearest to dom_day without leaving the month. */
        int n = c->dom_day;
        if (n > mdays)
            return false;
        int nwd = weekday(y, m, n), target = n;
        if (nwd == 7)
            target = n == 1 ? n + 2 : n - 1;
        else if (nwd == 1)
            target = n == mdays ? n - 2 : n + 1;
        return d == target;
    }
    case SCHED_DOM_ANY:
        break;
    }
    switch (c->dow_mode) {
    case SCHED_DOW_SET:
        return (c->dow >> wd) & 1;
    case SCHED_DOW_LAST:
        return wd == c->dow_day && d + 7 > mdays;
    case SCHED_DOW_NTH:
        return wd == c->dow_day && (d - 1) / 7 + 1 == c->dow_nth;
    case SCHED_DOW_ANY:
        break;
    }
    return false;
}

static bool year_matches(const struct sched_cron *c, int y)
{
    return y >= SCHED_YEAR_MIN && y <= SCHED_YEAR_MAX &&
           bits_test(c->years, y - SCHED_YEAR_MIN);
}

static bool cron_matches(const struct sched_cron *c, const struct sched_civil *t)
{
    return year_matches(c, t->year) && ((c->months >> t->mon) & 1) &&
           day_matches(c, t->year, t->mon, t->day) && ((c->hours >> t->hour) & 1) &&
           ((c->minutes >> t->min) & 1);
}

/* Smallest set bit in [from, max] of `set`. */
static bool next_bit(uint64_t set, int from, int max, int *out)
{
    for (int i = from; i <= max; i++) {
        if ((set >> i) & 1) {
            *out = i;
            return true;
        }
    }
    return false;
}

static void next_day(struct sched_civil *t)
{
    t->hour = t->min = 0;
    if (++t->day <= month_days(t->year, t->mon))
        return;
    t->day = 1;
    if (++t->mon <= 12)
        return;
    t->mon = 1;
    t->year++;
}

/*
 * Moves *t (a local minute) forward to the first minute at or after it that matches
 * the cron, skipping whole years, months, days and hours that cannot match. Returns 0,
 * or 1 when no minute up to the end of 2199 matches.
 */
static int cron_scan(const struct sched_cron *c, struct sched_civil *t)
{
    int v;
    t->sec = 0;
    if (t->year < SCHED_YEAR_MIN)
        *t = (struct sched_civil){SCHED_YEAR_MIN, 1, 1, 0, 0, 0};
    for (;;) {
        if (!year_matches(c, t->year)) {
            int y = t->year + 1;
            while (y <= SCHED_YEAR_MAX && !year_matches(c, y))
                y++;
            if (y > SCHED_YEAR_MAX)
                return 1;
            *t = (struct sched_civil){y, 1, 1, 0, 0, 0};
        } else if (!((c->months >> t->mon) & 1)) {
            if (next_bit(c->months, t->mon + 1, 12, &v))
                *t = (struct sched_civil){t->year, v, 1, 0, 0, 0};
            else
                *t = (struct sched_civil){t->year + 1, 1, 1, 0, 0, 0};
        } else if (!day_matches(c, t->year, t->mon, t->day)) {
            next_day(t);
        } else if (!((c->hours >> t->hour) & 1)) {
            if (next_bit(c->hours, t->hour + 1, 23, &v)) {
                t->hour = v;
                t->min = 0;
            } else {
                next_day(t);
            }
        } else if (!((c->minutes >> t->min) & 1)) {
            if (next_bit(c->minutes, t->min + 1, 59, &v)) {
                t->min = v;
            } else if (t->hour < 23) {
                t->hour++;
                t->min = 0;
            } else {
                next_day(t);
            }
        } else {
            return 0;
        }
    }
}

static int64_t rate_seconds(const struct sched_expr *e)
{
    for (size_t k = 0; k < ARRAY_SIZE(rate_units); k++)
        if (rate_units[k].unit == e->unit)
            return rate_units[k].secs * e->rate;
    BUG("bad rate unit");
}

/* sched_next with the zone already entered. */
static int next_in_zone(const struct sched_expr *e, int64_t after, int64_t *out)
{
    int64_t u;
    if (e->kind == SCHED_RATE) {
        int64_t step = rate_seconds(e);
        if (after > INT64_MAX - step)
            return 1;
        *out = after + step;
        return 0;
    }
    if (e->kind == SCHED_AT) {
        if (local_to_utc(civil_to_secs(&e->at), &u) || u <= after)
            return 1;
        *out = u;
        return 0;
    }
    if (after >= TIME_MAX)
        return 1;
    after = clamp_time(after);
    /* The first candidate is the local minute after the one holding `after`. */
    int64_t lsec = floor_div(after + utc_offset(after), 60) * 60 + 60;
    struct sched_civil t = civil_from_secs(lsec);
    for (;;) {
        if (cron_scan(&e->cron, &t))
            return 1;
        lsec = civil_to_secs(&t);
        if (!local_to_utc(lsec, &u) && u > after) {
            *out = u;
            return 0;
        }
        t = civil_from_secs(lsec + 60);
    }
}

int sched_next(const struct sched_expr *e, const char *tz, int64_t after_utc,
               int64_t *out)
{
    struct tz_session s;
    if (tz_enter(&s, tz))
        return -1;
    int rc = next_in_zone(e, after_utc, out);
    tz_leave(&s);
    return rc;
}

/* sched_first with the zone already entered. */
static int first_in_zone(const struct sched_expr *e, int64_t from, int64_t *out)
{
    if (e->kind == SCHED_RATE) {
        *out = from;
        return 0;
    }
    return next_in_zone(e, from > INT64_MIN ? from - 1 : from, out);
}

int sched_first(const struct sched_expr *e, const char *tz, int64_t from_utc,
                int64_t *out)
{
    struct tz_session s;
    if (tz_enter(&s, tz))
        return -1;
    int rc = first_in_zone(e, from_utc, out);
    tz_leave(&s);
    return rc;
}

long sched_fires(const struct sched_expr *e, const char *tz, int64_t from_utc,
                 int64_t to_utc, int64_t *out, long max)
{
    struct tz_session s;
    int64_t t;
    long n = 0;
    if (tz_enter(&s, tz))
        return -1;
    int rc = first_in_zone(e, from_utc, &t);
    while (rc == 0 && t < to_utc) {
        if (n == max) {
            n++; /* one more than asked for: the caller's cap is exceeded */
            break;
        }
        out[n++] = t;
        rc = next_in_zone(e, t, &t);
    }
    tz_leave(&s);
    return n;
}

/* ==== DST changes ================================================================= */

struct change {
    int64_t at;         /* UTC instant of the change */
    long before, after; /* offsets */
};

/*
 * Finds the first offset change in (from, to]: samples every 12 hours, then bisects
 * down to the second. Zones do not change twice within 12 hours.
 */
static bool next_change(int64_t from, int64_t to, struct change *out)
{
    const int64_t step = 43200;
    long o = utc_offset(from);
    for (int64_t t = from; t < to; t += step) {
        int64_t hi = to - t < step ? to : t + step, lo = t;
        if (utc_offset(hi) == o)
            continue;
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (utc_offset(mid) == o)
                lo = mid;
            else
                hi = mid;
        }
        *out = (struct change){hi, o, utc_offset(hi)};
        return true;
    }
    return false;
}

/* First local second in [a, b) at which `e` fires, if any. */
static bool fires_between(const struct sched_expr *e, int64_t a, int64_t b, int64_t *hit)
{
    if (e->kind == SCHED_AT) {
        int64_t l = civil_to_secs(&e->at);
        *hit = l;
        return l >= a && l < b;
    }
    if (e->kind != SCHED_CRON)
        return false;
    if (b - a > 2 * 86400)
        b = a + 2 * 86400;
    for (int64_t m = floor_div(a + 59, 60) * 60; m < b; m += 60) {
        struct sched_civil t = civil_from_secs(m);
        if (cron_matches(&e->cron, &t)) {
            *hit = m;
            return true;
        }
    }
    return false;
}

/*
 * The offset changes of one zone within one window, found once and kept: finding them
 * samples the zone every 12 hours, far more work than checking a schedule against them.
 */
struct zone_changes {
    char tz[SCHED_TZ_MAX + 1];
    int64_t from, to;
    struct change *v;
    size_t n;
};

static struct zone_changes *zone_changes_get(const char *tz, int64_t from, int64_t to)
{
    static struct zone_changes cache[16];
    static size_t ncache, next_slot;
    for (size_t i = 0; i < ncache; i++)
        if (!strcmp(cache[i].tz, tz) && cache[i].from == from && cache[i].to == to)
            return &cache[i];
    struct tz_session sess;
    if (tz_enter(&sess, tz))
        return NULL;
    struct zone_changes *z = &cache[next_slot];
    next_slot = (next_slot + 1) % ARRAY_SIZE(cache);
    if (ncache < ARRAY_SIZE(cache))
        ncache++;
    free(z->v);
    *z = (struct zone_changes){.from = from, .to = to};
    strcpy(z->tz, tz);
    size_t alloc = 0;
    struct change ch;
    for (int64_t t = from; next_change(t, to, &ch); t = ch.at) {
        VEC_GROW(z->v, z->n + 1, alloc);
        z->v[z->n++] = ch;
    }
    tz_leave(&sess);
    return z;
}

static int dst_in_zone(const struct zone_changes *z, const struct sched_expr *e,
                       struct sched_dst *out)
{
    for (size_t i = 0; i < z->n; i++) {
        const struct change *ch = &z->v[i];
        bool gap = ch->after > ch->before;
        int64_t a = ch->at + (gap ? ch->before : ch->after);
        int64_t b = ch->at + (gap ? ch->after : ch->before);
        int64_t hit;
        if (!fires_between(e, a, b, &hit))
            continue;
        out->gap = gap;
        out->local = civil_from_secs(hit);
        out->from = civil_from_secs(ch->at + ch->before);
        out->to = civil_from_secs(ch->at + ch->after);
        out->change_utc = ch->at;
        return 1;
    }
    return 0;
}

int sched_dst_risk(const struct sched_expr *e, const char *tz, int64_t from_utc,
                   int64_t to_utc, struct sched_dst *out)
{
    int64_t from = clamp_time(from_utc), to = clamp_time(to_utc);
    if (e->kind == SCHED_AT) {
        /* Only a change within two days of the at() time can matter. */
        int64_t l = civil_to_secs(&e->at);
        from = from > l - 2 * 86400 ? from : l - 2 * 86400;
        to = to < l + 2 * 86400 ? to : l + 2 * 86400;
    }
    zone_lock(); /* z lives in a cache another thread may refill */
    const struct zone_changes *z = zone_changes_get(tz, from, to);
    int rc = z ? dst_in_zone(z, e, out) : -1;
    zone_unlock();
    return rc;
}

/* ==== ISO 8601 ==================================================================== */

/* sched_localtime with the zone already entered; UTC when the C library fails. */
static void local_in_zone(int64_t utc, struct sched_civil *out, long *gmtoff,
                          char abbr[16])
{
    time_t tt = (time_t)utc;
    struct tm tm;
    bool ok = localtime_r(&tt, &tm) != NULL;
    *gmtoff = ok ? tm.tm_gmtoff : 0;
    *out = civil_from_secs(utc + *gmtoff);
    snprintf(abbr, 16, "%s", ok && tm.tm_zone ? tm.tm_zone : "UTC");
}

int sched_localtime(int64_t utc, const char *tz, struct sched_civil *out, long *gmtoff,
                    char abbr[16])
{
    struct tz_session s;
    if (tz_enter(&s, tz))
        return -1;
    local_in_zone(clamp_time(utc), out, gmtoff, abbr);
    tz_leave(&s);
    return 0;
}

/* Reads exactly n digits at *s into *v. */
static bool digits(const char **s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit((*s)[i]))
            return false;
        *v = *v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    return true;
}

/* Parses "Z", "+hh:mm", "+hhmm" or "+hh" at s (which must then end). */
static bool parse_offset(const char *s, long *off)
{
    int h, m = 0;
    if ((*s == 'Z' || *s == 'z') && !s[1]) {
        *off = 0;
        return true;
    }
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s++ == '-' ? -1 : 1;
    if (!digits(&s, 2, &h))
        return false;
    if (*s == ':')
        s++;
    if (*s && !digits(&s, 2, &m))
        return false;
    if (*s || h > 23 || m > 59)
        return false;
    *off = sign * (h * 3600L + m * 60L);
    return true;
}

int sched_iso_parse(const char *s, const char *tz, int64_t *out)
{
    struct sched_civil c = {0, 0, 0, 0, 0, 0};
    if (!digits(&s, 4, &c.year) || *s++ != '-' || !digits(&s, 2, &c.mon) || *s++ != '-' ||
        !digits(&s, 2, &c.day))
        return -1;
    if (c.mon < 1 || c.mon > 12 || c.day < 1 || c.day > month_days(c.year, c.mon))
        return -1;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (!digits(&s, 2, &c.hour) || *s++ != ':' || !digits(&s, 2, &c.min))
            return -1;
        if (*s == ':' && (s++, !digits(&s, 2, &c.sec)))
            return -1;
        if (*s == '.' || *s == ',') {
            s++;
            if (!is_digit(*s))
                return -1;
            while (is_digit(*s))
                s++;
        }
        if (c.hour > 23 || c.min > 59 || c.sec > 59)
            return -1;
    }
    int64_t lsec = civil_to_secs(&c);
    long off;
    if (*s)
        return parse_offset(s, &off) ? (*out = lsec - off, 0) : -1;
    struct tz_session ts;
    if (tz_enter(&ts, tz))
        return -1;
    local_to_utc(lsec, out);
    tz_leave(&ts);
    return 0;
}

static void fmt_civil(const struct sched_civil *c, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", c->year % 10000, c->mon % 100,
             c->day % 100, c->hour % 100, c->min % 100, c->sec % 100);
}

void sched_iso_utc(int64_t utc, char buf[SCHED_ISO_MAX])
{
    struct sched_civil c = civil_from_secs(utc);
    fmt_civil(&c, buf, SCHED_ISO_MAX - 1);
    strcat(buf, "Z");
}

/* sched_iso_local with the zone already entered. */
static void iso_local_in_zone(int64_t utc, char buf[SCHED_ISO_MAX])
{
    struct sched_civil c;
    long off;
    char abbr[16];
    local_in_zone(clamp_time(utc), &c, &off, abbr);
    char when[32], zone[16];
    long a = labs(off);
    fmt_civil(&c, when, sizeof(when));
    if (a % 60)
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld:%02ld", off < 0 ? '-' : '+',
                 a / 3600 % 100, a / 60 % 60, a % 60);
    else
        snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600 % 100,
                 a / 60 % 60);
    snprintf(buf, SCHED_ISO_MAX, "%s%s %s", when, zone, abbr);
}

int sched_iso_local(int64_t utc, const char *tz, char buf[SCHED_ISO_MAX])
{
    struct tz_session s;
    if (tz_enter(&s, tz))
        return -1;
    iso_local_in_zone(utc, buf);
    tz_leave(&s);
    return 0;
}

/* ==== diagnostics ================================================================= */

/* Characters (UTF-8 lead bytes) in text[0, n): loc columns count characters. */
static unsigned char_count(const char *text, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n && text[i]; i++)
        k += ((unsigned char)text[i] & 0xC0) != 0x80;
    return k;
}

static int add_msg(struct diag_list *dl, struct loc loc, const char *text,
                   const struct sched_msg *m)
{
    unsigned len = char_count(text + m->off, m->len);
    loc.col += char_count(text, m->off);
    loc.len = len ? len : 1;
    int rc = diag_add(dl, m->code, loc, "%s", m->text);
    if (m->note[0])
        diag_note(dl, "%s", m->note);
    return rc;
}

static void add_dst(struct diag_list *dl, struct loc loc, const char *tz,
                    const struct sched_dst *d)
{
    diag_add(dl, D_SCHED_DST, loc,
             "schedule fires at %02d:%02d local time, which %s in %s when clocks %s "
             "%02d:%02d to %02d:%02d (e.g. %04d-%02d-%02d); %s",
             d->local.hour, d->local.min, d->gap ? "does not exist" : "occurs twice", tz,
             d->gap ? "jump from" : "go back from", d->from.hour, d->from.min, d->to.hour,
             d->to.min, d->local.year, d->local.mon, d->local.day,
             d->gap ? "that run is skipped" : "it runs only once");
    const struct sched_civil *lo = d->gap ? &d->from : &d->to;
    const struct sched_civil *hi = d->gap ? &d->to : &d->from;
    diag_note(dl,
              "pick a time outside %02d:%02d-%02d:%02d, or a time zone without daylight "
              "saving (e.g. UTC)",
              lo->hour, lo->min, hi->hour, hi->min);
}

int sched_check(const char *text, struct loc loc, const char *tz, struct diag_list *dl)
{
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(text, &e, &err))
        return add_msg(dl, loc, text, &err.error);
    if (err.has_warning)
        add_msg(dl, loc, text, &err.warning);
    if (!tz || !sched_tz_valid(tz))
        return 0;
    loc.len = char_count(text, strlen(text));
    struct sched_civil first = {SCHED_YEAR_MIN, 1, 1, 0, 0, 0};
    if (e.kind == SCHED_CRON && cron_scan(&e.cron, &first) == 1) {
        diag_add(dl, D_SCHED_NEVER, loc,
                 "schedule never fires: no date matches its day, month and year fields");
        return 0;
    }
    struct sched_dst d;
    int64_t from = SCHED_DST_SCAN_FROM;
    int64_t to = from + SCHED_DST_SCAN_YEARS * INT64_C(31556952);
    if (e.kind == SCHED_AT) {
        from = INT64_MIN;
        to = INT64_MAX;
    }
    if (sched_dst_risk(&e, tz, from, to, &d) == 1)
        add_dst(dl, loc, tz, &d);
    return 0;
}

/* ==== reports ===================================================================== */

long sched_print_fires(const struct sched_expr *e, const char *tz, int64_t from_utc,
                       long n, FILE *out, int64_t *last)
{
    struct tz_session s;
    int64_t t;
    long count = 0;
    *last = from_utc;
    if (tz_enter(&s, tz))
        return -1;
    int rc = first_in_zone(e, from_utc, &t);
    while (rc == 0 && count < n) {
        char local[SCHED_ISO_MAX], utc[SCHED_ISO_MAX];
        iso_local_in_zone(t, local);
        sched_iso_utc(t, utc);
        fprintf(out, "%s  %s\n", local, utc);
        *last = t;
        if (++count < n)
            rc = next_in_zone(e, t, &t);
    }
    tz_leave(&s);
    return count;
}

#define DST_REPORT_MAX 20

int sched_print_dst(const struct sched_expr *e, const char *tz, int64_t from_utc,
                    int64_t to_utc, FILE *out)
{
    struct sched_dst d;
    int count = 0;
    for (int64_t t = from_utc; count < DST_REPORT_MAX; t = d.change_utc + 1) {
        if (sched_dst_risk(e, tz, t, to_utc, &d) != 1)
            break;
        fprintf(out,
                "warning: %04d-%02d-%02dT%02d:%02d %s in %s (clocks %s %02d:%02d to "
                "%02d:%02d); %s\n",
                d.local.year, d.local.mon, d.local.day, d.local.hour, d.local.min,
                d.gap ? "does not exist" : "occurs twice", tz,
                d.gap ? "jump from" : "go back from", d.from.hour, d.from.min, d.to.hour,
                d.to.min, d.gap ? "that run is skipped" : "it runs once, at the first");
        count++;
    }
    return count;
}
