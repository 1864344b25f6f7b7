/*
 * Backfill plans (`wfgen backfill`): the executions a workflow's schedule would have
 * started in a time window, each with a deterministic execution name and the exact
 * input the schedule passes, rendered as JSON lines or `aws stepfunctions` commands.
 */
#ifndef WFGEN_BACKFILL_H
#define WFGEN_BACKFILL_H

#include "base/strbuf.h"
#include "schedule.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define BACKFILL_NAME_MAX  80    /* Step Functions execution names: 1-80 characters */
#define BACKFILL_STAMP_LEN 13    /* "yyyymmddThhmm" */
#define BACKFILL_MAX       10000 /* executions one backfill may plan */

enum backfill_format { BACKFILL_JSON, BACKFILL_SH };

/* Parses "json" or "sh"; returns -1 for anything else. */
int backfill_format_parse(const char *name, enum backfill_format *out);

/*
 * Checks that `key` gives valid execution names "<key>-yyyymmddThhmm": 80 characters at
 * most and only [0-9A-Za-z_-] (the CloudWatch-safe subset of Step Functions' rules).
 * Returns 0, or -1 with a lowercase message (and a hint after "; ") in `why`.
 */
int backfill_check_key(const char *key, char *why, size_t n);

/* The execution name of the run at `when`: "<key>-yyyymmddThhmm" in UTC (new string). */
char *backfill_exec_name(const char *key, int64_t when);

/*
 * The fire times of `e` in zone `tz` within [from, to), as sched_fires() computes them
 * (rate() counts from `from`). Stores a new array in *out (free it; NULL when empty)
 * and its length in *n. Returns 0; 1 when the window holds more than `max` fire times
 * (nothing stored); -1 when `tz` is invalid.
 */
int backfill_times(const struct sched_expr *e, const char *tz, int64_t from, int64_t to,
                   size_t max, int64_t **out, size_t *n);

/*
 * One planned execution: {"name":..., "state_machine_arn":..., "input":
 * {"scheduled_time":"yyyy-mm-ddThh:mm:ssZ"}} in that key order. Returns a new value.
 */
json_t *backfill_run_new(const char *key, const char *state_machine_arn, int64_t when);

/*
 * Appends one output line (with its newline) for the run at `when`: the compact JSON
 * of backfill_run_new(), or an `aws stepfunctions start-execution` command.
 */
void backfill_format_line(struct strbuf *sb, enum backfill_format fmt, const char *key,
                          const char *state_machine_arn, int64_t when);

/*
 * Appends `s` as one POSIX shell word: as is when it holds only characters no shell
 * treats specially, otherwise in single quotes (a ' inside becomes '\'').
 */
void backfill_sh_quote(struct strbuf *sb, const char *s);

#endif
