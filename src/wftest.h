/*
 * Workflow tests (SPEC section 6): a definitions/<key>.test.yaml file loaded into a
 * model whose every value keeps its file:line:col, checked against the compiled
 * definition, run case by case on the local interpreter and judged, with failure
 * texts that show expected against actual. Also the JUnit XML report of a test run.
 *
 * The file (top-level keys starting with "x-" are free-form, e.g. to hold YAML anchors
 * of answers shared by several cases):
 *   cases:
 *     - name: publish fails                  # unique in the file
 *       scheduled_time: 2026-03-01T03:00:00Z # virtual start; also the input's
 *       input: {shop: 7}                     # optional execution input
 *       mocks:                               # per Task state, answers in call order
 *         Publish:
 *           - throw: {error: ECS.TaskFailed, cause: exit 1}
 *             duration: 30                   # seconds the call takes (optional)
 *             times: 2                       # this answer for 2 calls (optional)
 *           - return: {TaskArn: arn:...}
 *       expect:
 *         status: FAILED     # SUCCEEDED (default), FAILED (default with error or cause),
 *         error: PublishFailed                                   # TIMED_OUT, ABORTED
 *         cause: The sales report could not be published
 *         output: {...}      # the whole execution output (SUCCEEDED only)
 *         path: [Extract, Aggregate, Publish, NotifyFailure, Failed]  # states entered
 *         visits: {NotifyFailure: true, Done: false, ExportFeed: 3}   # at least once /
 *                                                                     # never / exactly
 * Tasks without mocks get the dry run's typical result, as in `wfgen run --local`.
 */
#ifndef WFGEN_WFTEST_H
#define WFGEN_WFTEST_H

#include "coverage.h"
#include "diag.h"
#include "interp/interp.h"
#include "yload.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct wftest_expect {
    enum interp_status status; /* explicit, or implied (see above) */
    json_t *output;            /* borrowed, or NULL: not checked */
    const char *error;         /* borrowed, or NULL: not checked */
    const char *cause;         /* borrowed, or NULL: not checked */
    json_t *path;              /* borrowed array of state names, or NULL */
    json_t *visits;            /* borrowed object: name -> true, false or a count */
};

struct wftest_case {
    const char *name; /* borrowed from the file */
    json_t *node;     /* borrowed: the case's mapping (for locations) */
    json_t *input;    /* borrowed, or NULL for {} */
    bool has_time;    /* scheduled_time given */
    int64_t start_ms; /* scheduled_time, or BUILD_DEFAULT_START */
    json_t *mocks;    /* new: the answers as a Step Functions Local mock config */
    struct wftest_expect expect;
};

struct wftest_file {
    struct ydoc doc;
    struct wftest_case *cases;
    size_t ncases;
};

/*
 * Loads and checks a test file. Returns 0 (warnings may have been added), -1 after
 * error diagnostics, -2 when the file cannot be read (errno set). Release *tf with
 * wftest_release in every case.
 */
int wftest_load(struct wftest_file *tf, const char *path, struct diag_list *dl);
/* Same, from memory; `name` is the display name in diagnostics. */
int wftest_load_mem(struct wftest_file *tf, const char *name, const char *buf, size_t len,
                    struct diag_list *dl);
void wftest_release(struct wftest_file *tf);

/*
 * Checks the file against the compiled machine (borrowed): every state named in
 * mocks, path and visits exists, and mocked states are Task states. Returns 0 or -1
 * after error diagnostics.
 */
int wftest_check(const struct wftest_file *tf, json_t *definition, struct diag_list *dl);

struct wftest_result {
    bool passed;
    char *failure; /* new text, one "assertion: ..." line per failed assertion (indented
                      continuation lines), or NULL when passed */
    long states;   /* states entered */
    int64_t virtual_ms; /* simulated duration of the execution */
};

/*
 * Runs one case on `definition` (borrowed). `base` supplies the names and ARNs of the
 * execution (partition, region, account, machine and role); the case sets the start
 * time, mocks and input. When `cov` is non-NULL the run also feeds it. Fills *res
 * (release with wftest_result_release).
 */
void wftest_run_case(const struct wftest_case *c, json_t *definition,
                     const struct interp_opts *base, struct coverage *cov,
                     struct wftest_result *res);
void wftest_result_release(struct wftest_result *res);

/*
 * Judges a finished execution against a case's expectations; returns the failure
 * text (new) or NULL when every assertion holds. path and visits read the states
 * entered from r->entered, or (when NULL) from `history`, the borrowed
 * {"events": [...]} of the run.
 */
char *wftest_judge(const struct wftest_expect *e, const struct interp_result *r,
                   json_t *history);

/* ---- JUnit XML ------------------------------------------------------------------- */

struct wftest_junit_case {
    char *name;
    char *failure; /* NULL when passed */
};

struct wftest_junit_suite {
    char *name; /* the workflow key */
    struct wftest_junit_case *v;
    size_t nr, alloc;
};

struct wftest_junit {
    struct wftest_junit_suite *v;
    size_t nr, alloc;
};

/* Starts a suite (copies name); cases are added to the last suite. */
void wftest_junit_suite(struct wftest_junit *j, const char *name);
/* Adds a case result to the last suite (copies name and failure). */
void wftest_junit_case(struct wftest_junit *j, const char *name, const char *failure);
/* The report as XML text (new string): deterministic, no times, hosts or dates. */
char *wftest_junit_xml(const struct wftest_junit *j);
void wftest_junit_release(struct wftest_junit *j);

#endif
