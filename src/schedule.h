/*
 * EventBridge Scheduler expressions (aws-facts.md 5.1-5.2): parse cron(...), rate(...)
 * and at(...), compute fire times in an IANA time zone with Scheduler's DST rules,
 * detect schedules that fire in a DST gap or overlap, and turn problems into
 * diagnostics. Also the ISO 8601 helpers the `schedule` and `backfill` commands use.
 */
#ifndef WFGEN_SCHEDULE_H
#define WFGEN_SCHEDULE_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCHED_MAX_LEN  256 /* ScheduleExpression: 1-256 characters */
#define SCHED_TZ_MAX   50  /* ScheduleExpressionTimezone: 1-50 characters */
#define SCHED_YEAR_MIN 1970
#define SCHED_YEAR_MAX 2199
#define SCHED_ZONEINFO "/usr/share/zoneinfo"

/*
 * The validator cannot read the clock (outputs must not depend on it), so its DST scan
 * covers a fixed window: 2026-01-01T00:00:00Z plus ten years of the zone's rules.
 */
#define SCHED_DST_SCAN_FROM  INT64_C(1767225600)
#define SCHED_DST_SCAN_YEARS 10

/* ---- parsed form -------------------------------------------------------------- */

enum sched_kind { SCHED_CRON, SCHED_RATE, SCHED_AT };
enum sched_unit { SCHED_MINUTES, SCHED_HOURS, SCHED_DAYS };

enum sched_dom_mode {
    SCHED_DOM_SET,     /* days in `dom` */
    SCHED_DOM_LAST,    /* L: the last day of the month */
    SCHED_DOM_WEEKDAY, /* nW: the weekday nearest to day `dom_day`, same month */
    SCHED_DOM_ANY,     /* ? */
};

enum sched_dow_mode {
    SCHED_DOW_SET,  /* weekdays in `dow` (L alone means 7, Saturday) */
    SCHED_DOW_LAST, /* nL: the last weekday `dow_day` of the month */
    SCHED_DOW_NTH,  /* d#n: the `dow_nth`-th weekday `dow_day` of the month */
    SCHED_DOW_ANY,  /* ? */
};

/* A civil (wall clock) date-time; months and days are 1-based. */
struct sched_civil {
    int year, mon, day, hour, min, sec;
};

struct sched_cron {
    uint64_t minutes;  /* bit m: minute m (0-59) */
    uint32_t hours;    /* bit h: hour h (0-23) */
    uint32_t dom;      /* bit d: day d (1-31), SCHED_DOM_SET */
    uint16_t months;   /* bit m: month m (1-12) */
    uint8_t dow;       /* bit d: weekday d (1 = Sunday ... 7 = Saturday), SCHED_DOW_SET */
    uint64_t years[4]; /* bit y-1970: year y (1970-2199) */
    enum sched_dom_mode dom_mode;
    enum sched_dow_mode dow_mode;
    int dom_day; /* SCHED_DOM_WEEKDAY: 1-31 */
    int dow_day; /* SCHED_DOW_LAST / _NTH: 1-7 */
    int dow_nth; /* SCHED_DOW_NTH: 1-5 */
};

struct sched_expr {
    enum sched_kind kind;
    struct sched_cron cron;        /* SCHED_CRON */
    long rate;                     /* SCHED_RATE: N >= 1 */
    enum sched_unit unit;          /* SCHED_RATE */
    struct sched_civil at;         /* SCHED_AT: local time in the schedule's zone */
    char canon[SCHED_MAX_LEN + 1]; /* canonical text (what the emitters write) */
};

/* One problem found by sched_parse, as a byte range inside the parsed text. */
struct sched_msg {
    enum diag_id code; /* D_SCHED_* */
    size_t off, len;   /* bytes into the text; len may be 0 (end of text) */
    char text[200];    /* lowercase, names the field and the allowed values */
    char note[300];    /* a hint, or "" */
};

struct sched_err {
    struct sched_msg error;   /* valid when sched_parse returns -1 */
    struct sched_msg warning; /* valid when has_warning (also on success) */
    bool has_warning;
};

/* ---- parsing and checks ------------------------------------------------------- */

/*
 * Parses a ScheduleExpression. Returns 0 and fills `out` (including its canonical
 * text), or -1 with err->error set. err->has_warning reports a tolerated problem
 * (rate unit singular/plural mismatch; the canonical form fixes it).
 */
int sched_parse(const char *text, struct sched_expr *out, struct sched_err *err);

/*
 * True when `tz` names a zone in the system zoneinfo: 1-50 characters of
 * [A-Za-z0-9_+-/], a relative path without "." or ".." parts, naming a TZif file.
 */
bool sched_tz_valid(const char *tz);

/*
 * Parses `text` and adds diagnostics for it: parse errors and warnings at `loc` plus
 * the byte offset (counted in characters, since loc.col counts characters), then, when
 * `tz` is a valid zone, a SCHED_NEVER warning for a cron that can never fire and a
 * SCHED_DST warning when it fires in a DST gap or overlap within the fixed scan window.
 * `loc` points at the first character of the scalar. Returns 0, or -1 on an error.
 */
int sched_check(const char *text, struct loc loc, const char *tz, struct diag_list *dl);

/* ---- fire times ---------------------------------------------------------------- */

/*
 * The next fire time strictly after `after_utc` (Unix seconds) in zone `tz`.
 * cron and at() use local wall-clock time: a local time the DST change skips does not
 * fire; a local time that occurs twice fires once, at its first occurrence. rate() is
 * taken as fixed steps from a previous fire at `after_utc` (a rate schedule starts when
 * it is created, so callers seed it with sched_first). Returns 0 with *out set, 1 when
 * there is no further fire time, -1 when `tz` is not a valid zone.
 */
int sched_next(const struct sched_expr *e, const char *tz, int64_t after_utc,
               int64_t *out);
/* The first fire time at or after `from_utc`; a rate() fires at `from_utc` itself. */
int sched_first(const struct sched_expr *e, const char *tz, int64_t from_utc,
                int64_t *out);
/*
 * Every fire time in [from_utc, to_utc), entering the zone once (sched_first, then
 * sched_next, so rate() counts from `from_utc`). Stores up to `max` times in `out`
 * (which may be NULL when max is 0). Returns the number stored, max + 1 when the window
 * holds more than `max` (out then holds the first `max`), or -1 when `tz` is invalid.
 */
long sched_fires(const struct sched_expr *e, const char *tz, int64_t from_utc,
                 int64_t to_utc, int64_t *out, long max);

/* Where a schedule meets a DST change. */
struct sched_dst {
    bool gap; /* true: the local time is skipped; false: it occurs twice */
    struct sched_civil local; /* the first affected fire time, local wall clock */
    struct sched_civil from;  /* local wall clock just before the change ... */
    struct sched_civil to;    /* ... and right after it */
    int64_t change_utc;       /* the instant of the change */
};

/*
 * Looks for the first clock change in (from_utc, to_utc] of zone `tz` whose skipped or
 * repeated local times include a fire time of `e` (cron or at(); rate() never is).
 * For at() only the two days around its time are searched (still within the window).
 * The window is clamped to 1900-2200. Returns 1 with *out set, 0 when there is none,
 * -1 when `tz` is not a valid zone.
 */
int sched_dst_risk(const struct sched_expr *e, const char *tz, int64_t from_utc,
                   int64_t to_utc, struct sched_dst *out);

/* ---- time conversion and ISO 8601 ---------------------------------------------- */

#define SCHED_ISO_MAX 64

/*
 * Local wall clock, UTC offset (seconds east) and abbreviation of an instant in `tz`
 * (instants outside 1900-2200 are clamped into that range). Returns -1 for a bad zone.
 */
int sched_localtime(int64_t utc, const char *tz, struct sched_civil *out, long *gmtoff,
                    char abbr[16]);

/*
 * Parses "2026-11-28T03:00:00Z", "2026-11-28T12:00:00+09:00", "2026-11-28T03:00"
 * (seconds optional) or a date alone. Without Z or an offset the time is local in
 * `tz` (a date alone is local midnight; a local time skipped by DST is read with the
 * offset before the change). Returns 0, or -1 when malformed or `tz` is needed but
 * invalid.
 */
int sched_iso_parse(const char *s, const char *tz, int64_t *out);
/* "2026-11-28T18:00:00Z" */
void sched_iso_utc(int64_t utc, char buf[SCHED_ISO_MAX]);
/* "2026-11-29T03:00:00+09:00 JST"; returns -1 when `tz` is invalid. */
int sched_iso_local(int64_t utc, const char *tz, char buf[SCHED_ISO_MAX]);

/* ---- reports (the `schedule` command) ------------------------------------------ */

/*
 * Prints up to n fire times from `from_utc` (inclusive), one line each:
 * "2026-11-29T03:00:00+09:00 JST  2026-11-28T18:00:00Z". Returns the number printed
 * (-1 for an invalid zone); *last gets the last time printed (from_utc when none).
 */
long sched_print_fires(const struct sched_expr *e, const char *tz, int64_t from_utc,
                       long n, FILE *out, int64_t *last);
/* Prints one "warning: ..." line per DST gap/overlap hit in [from, to); returns the
 * count. */
int sched_print_dst(const struct sched_expr *e, const char *tz, int64_t from_utc,
                    int64_t to_utc, FILE *out);

#endif
