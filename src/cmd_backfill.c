/*
 * `wfgen backfill KEY --from DATE --to DATE [--format json|sh] [-c FILE]`: the
 * executions a workflow's schedule would have started in a window, with deterministic
 * names and the schedule's exact input, ready to be started by hand. Never reads the
 * clock.
 */
#include "backfill.h"
#include "base/xalloc.h"
#include "catalog.h"
#include "cmd.h"
#include "schedule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* EventBridge Scheduler's years: 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z. */
#define WINDOW_MIN INT64_C(0)
#define WINDOW_MAX INT64_C(7258118400)

struct backfill_args {
    const char *catalog, *from, *to, *format;
    enum backfill_format fmt;
    int64_t from_utc, to_utc;
};

/* Parses one window end; returns 0 or WF_EXIT_USAGE (message printed). */
static int parse_date(const char *flag, const char *text, const char *tz, int64_t *out)
{
    if (!text) {
        fprintf(stderr, "wfgen backfill: %s is required\n", flag);
        return WF_EXIT_USAGE;
    }
    if (sched_iso_parse(text, tz, out)) {
        fprintf(stderr,
                "wfgen backfill: %s needs an ISO 8601 date or date-time such as "
                "2026-03-01, 2026-03-01T03:00 or 2026-03-01T03:00:00Z, got '%s'\n",
                flag, text);
        return WF_EXIT_USAGE;
    }
    if (*out < WINDOW_MIN || *out > WINDOW_MAX) {
        fprintf(stderr, "wfgen backfill: %s '%s' is outside the years 1970-2199\n", flag,
                text);
        return WF_EXIT_USAGE;
    }
    return 0;
}

/* Reads and checks --from and --to in the workflow's zone. */
static int parse_window(struct backfill_args *a, const char *tz)
{
    int rc = parse_date("--from", a->from, tz, &a->from_utc);
    if (!rc)
        rc = parse_date("--to", a->to, tz, &a->to_utc);
    if (!rc && a->to_utc <= a->from_utc) {
        fprintf(stderr, "wfgen backfill: --to (%s) must be later than --from (%s)\n",
                a->to, a->from);
        rc = WF_EXIT_USAGE;
    }
    return rc;
}

/* Stderr notes an operator should read before starting anything. */
static void print_notes(const struct workflow *wf, const struct sched_expr *e,
                        const struct backfill_args *a)
{
    if (!wf->enabled)
        fprintf(
            stderr,
            "warning: workflow '%s' is disabled (enabled: false); its schedule starts "
            "nothing, but these are the runs it would have started\n",
            wf->key);
    if (e->kind == SCHED_RATE)
        fprintf(stderr,
                "note: %s starts when the schedule is created; these times count from "
                "--from (%s)\n",
                e->canon, a->from);
    sched_print_dst(e, wf->timezone, a->from_utc, a->to_utc, stderr);
}

/* Prints the plan for one workflow; returns an exit code. */
static int plan(const struct catalog *cat, const struct workflow *wf,
                struct backfill_args *a)
{
    char why[300];
    if (backfill_check_key(wf->key, why, sizeof(why))) {
        struct diag_list dl = DIAG_LIST_INIT;
        diag_add(&dl, D_OPS_EXEC_NAME, yload_member_loc(&cat->doc, wf->node, "key"), "%s",
                 why);
        diag_print(&dl, DIAG_TEXT, stderr);
        diag_release(&dl);
        return WF_EXIT_INVALID;
    }
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(wf->schedule, &e, &err)) {
        fprintf(stderr, "wfgen backfill: %s: %s\n", wf->schedule, err.error.text);
        return WF_EXIT_INVALID;
    }
    int rc = parse_window(a, wf->timezone);
    if (rc)
        return rc;
    int64_t *times;
    size_t n;
    rc = backfill_times(&e, wf->timezone, a->from_utc, a->to_utc, BACKFILL_MAX, &times,
                        &n);
    if (rc < 0) {
        fprintf(stderr, "wfgen backfill: unknown time zone '%s'\n", wf->timezone);
        return WF_EXIT_INVALID;
    }
    if (rc > 0) {
        fprintf(stderr,
                "wfgen backfill: %s fires more than %d times between %s and %s\n"
                "note: split the window into smaller --from/--to ranges\n",
                e.canon, BACKFILL_MAX, a->from, a->to);
        return WF_EXIT_USAGE;
    }
    print_notes(wf, &e, a);
    char *arn = xasprintf("arn:%s:states:%s:%s:stateMachine:%s", cat->partition,
                          cat->region, cat->account_id, wf->names.state_machine);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        strbuf_reset(&sb);
        backfill_format_line(&sb, a->fmt, wf->key, arn, times[i]);
        fwrite(sb.buf, 1, sb.len, stdout);
    }
    strbuf_release(&sb);
    free(arn);
    free(times);
    return WF_EXIT_OK;
}

int cmd_backfill(int argc, char **argv)
{
    struct backfill_args a = {.catalog = "workflows.yaml", .format = "json"};
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &a.catalog, "FILE",
         "catalog file (default: ./workflows.yaml)"},
        {"from", 0, OPT_STRING, &a.from, "DATE",
         "window start, inclusive (required); ISO 8601 date or date-time, local to the "
         "workflow's time zone unless it ends in Z or an offset"},
        {"to", 0, OPT_STRING, &a.to, "DATE",
         "window end, exclusive (required); same form"},
        {"format", 0, OPT_STRING, &a.format, "FMT",
         "json (one object per line, default) or sh (aws stepfunctions commands)"},
    };
    const struct opt_cmd cmd = {
        "backfill",
        "KEY --from DATE --to DATE [--format json|sh] [-c FILE]",
        "List the executions a workflow's schedule would have started in [--from, "
        "--to):\n"
        "one per fire time (time zone and DST aware), named <key>-<yyyymmddThhmm> (UTC)\n"
        "with the input the schedule passes, {\"scheduled_time\":\"...Z\"}. Names are\n"
        "deterministic, so Step Functions (Standard) refuses to start the same run "
        "twice.\n"
        "rate() schedules have no fixed anchor (they start when created): their fire\n"
        "times are --from, --from + rate, ... A disabled workflow still backfills (with "
        "a\n"
        "warning). At most 10000 runs per call.",
        opts,
        (int)ARRAY_SIZE(opts),
        1,
        1};
    int nargs;
    int rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;
    if (backfill_format_parse(a.format, &a.fmt)) {
        fprintf(stderr, "wfgen backfill: unknown format '%s' (json or sh)\n", a.format);
        return WF_EXIT_USAGE;
    }
    if (!a.from || !a.to) {
        fprintf(stderr, "wfgen backfill: %s is required\n", a.from ? "--to" : "--from");
        fprintf(stderr, "usage: wfgen backfill %s\n", cmd.synopsis);
        return WF_EXIT_USAGE;
    }
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    const struct workflow *wf;
    rc = cmd_find_workflow("backfill", a.catalog, argv[0], &cat, &dl, &wf);
    if (rc)
        goto out;
    rc = plan(&cat, wf, &a);
out:
    catalog_release(&cat);
    diag_release(&dl);
    return rc;
}
