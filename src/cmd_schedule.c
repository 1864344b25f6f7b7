/*
 * `wfgen schedule KEY [-c FILE] [-n N] [--from ISO8601]`: the next N fire times of one
 * workflow's schedule, in its time zone and in UTC, then the DST changes the schedule
 * runs into. The default --from is the only place wfgen reads the wall clock.
 */
#include "base/xalloc.h"
#include "catalog.h"
#include "cmd.h"
#include "schedule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* -n is capped; DST warnings look at least a year ahead. */
#define COUNT_MAX   10000
#define DST_HORIZON (366 * INT64_C(86400))

/* Prints the fire times and DST warnings of one workflow. */
static int report(const struct workflow *wf, int64_t from, long n)
{
    struct sched_expr e;
    struct sched_err err;
    if (sched_parse(wf->schedule, &e, &err)) {
        fprintf(stderr, "wfgen schedule: %s: %s\n", wf->schedule, err.error.text);
        return WF_EXIT_INVALID;
    }
    if (e.kind == SCHED_RATE)
        fprintf(stderr,
                "note: %s starts when the schedule is created; times count from "
                "--from\n",
                e.canon);
    int64_t last;
    long count = sched_print_fires(&e, wf->timezone, from, n, stdout, &last);
    if (count < 0) {
        fprintf(stderr, "wfgen schedule: unknown time zone '%s'\n", wf->timezone);
        return WF_EXIT_INVALID;
    }
    if (count == 0) {
        char when[SCHED_ISO_MAX];
        sched_iso_utc(from, when);
        fprintf(stderr, "note: %s has no fire time at or after %s\n", e.canon, when);
    }
    int64_t to = last - from > DST_HORIZON ? last + 1 : from + DST_HORIZON;
    sched_print_dst(&e, wf->timezone, from, to, stderr);
    return WF_EXIT_OK;
}

int cmd_schedule(int argc, char **argv)
{
    const char *path = "workflows.yaml", *from_text = NULL;
    long n = 10;
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &path, "FILE",
         "catalog file (default: ./workflows.yaml)"},
        {"count", 'n', OPT_INT, &n, "N", "how many fire times to print (default: 10)"},
        {"from", 0, OPT_STRING, &from_text, "ISO8601",
         "start time (default: now); local to the schedule's zone unless it ends in Z "
         "or an offset"},
    };
    const struct opt_cmd cmd = {
        "schedule",
        "KEY [-c FILE] [-n N] [--from ISO8601]",
        "print the next fire times of a workflow's schedule in its "
        "time zone and in UTC, with DST warnings",
        opts,
        (int)ARRAY_SIZE(opts),
        1,
        1};
    int nargs;
    int rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;
    if (n < 1 || n > COUNT_MAX) {
        fprintf(stderr, "wfgen schedule: -n must be 1-%d, got %ld\n", COUNT_MAX, n);
        return WF_EXIT_USAGE;
    }
    const char *key = argv[0];
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    const struct workflow *wf;
    rc = cmd_find_workflow("schedule", path, key, &cat, &dl, &wf);
    if (rc)
        goto out;
    int64_t from = (int64_t)time(NULL);
    if (from_text && sched_iso_parse(from_text, wf->timezone, &from)) {
        fprintf(
            stderr,
            "wfgen schedule: --from needs an ISO 8601 time such as 2026-11-28T03:00:00Z "
            "or 2026-11-28, got '%s'\n",
            from_text);
        rc = WF_EXIT_USAGE;
        goto out;
    }
    rc = report(wf, from, n);
out:
    catalog_release(&cat);
    diag_release(&dl);
    return rc;
}
