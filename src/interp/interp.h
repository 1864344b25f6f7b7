/*
 * The local Step Functions interpreter: runs one state machine definition against an
 * input, offline and on a virtual clock, with Task states answered by mocks or by
 * typical dry-run results. Produces the execution result and, on request, the
 * execution history in the shape of GetExecutionHistory.
 */
#ifndef WFGEN_INTERP_H
#define WFGEN_INTERP_H

#include "interp/mock.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum interp_status {
    INTERP_SUCCEEDED,
    INTERP_FAILED,
    INTERP_TIMED_OUT,
    INTERP_ABORTED,
};

/*
 * An optional observer hears what the history does not say: which state was left to
 * enter another, which Choice rule matched, which retrier or catcher handled a
 * failure (`wfgen test --coverage`). Notes arrive in execution order; pointers are
 * borrowed for the duration of the call.
 */
enum interp_note_kind {
    INTERP_NOTE_ENTER,  /* a state is entered; `from` is the state left to get here */
    INTERP_NOTE_CHOICE, /* a Choice matched rule `index` (-1: its Default) */
    INTERP_NOTE_RETRY,  /* retrier `index` matched a failure (retried or used up) */
    INTERP_NOTE_CATCH,  /* catcher `index` took a failure */
};

struct interp_note {
    enum interp_note_kind kind;
    const char *state; /* the state's name */
    const char *from;  /* ENTER: previous state of the same (sub-)machine run, or NULL */
    int index;         /* CHOICE, RETRY, CATCH: position in Choices, Retry or Catch */
};

struct interp_observer {
    void (*note)(void *arg, const struct interp_note *n);
    void *arg;
};

/*
 * What the interpreter derives from the states of a definition (their fields, compiled
 * payload templates, parsed resources), kept for a caller that runs the same
 * definition many times (the cases of `wfgen test`): pass it as interp_opts.cache.
 * Every definition run with a cache must stay alive and unchanged until
 * interp_cache_free. Without one, each run derives what it needs for itself.
 */
struct interp_cache;
struct interp_cache *interp_cache_new(void);
void interp_cache_free(struct interp_cache *c);

struct interp_opts {
    const char *partition;    /* "aws" when NULL */
    const char *region;       /* "us-east-1" when NULL */
    const char *account_id;   /* "123456789012" when NULL */
    const char *machine_name; /* state machine name; "local" when NULL */
    const char *exec_name;    /* execution name; "local" when NULL */
    const char *role_arn;     /* execution role ARN; derived from the names when NULL */
    int64_t start_ms;         /* virtual start time, ms since the Unix epoch (UTC) */
    uint64_t seed;            /* seeds UUIDs, task tokens, jitter, States.MathRandom */
    const struct mock *mocks; /* selected mock case, or NULL */
    bool strict_mocks;        /* an unmocked Task fails instead of a dry run */
    json_t *context;          /* borrowed object deep-merged into the Context object */
    FILE *trace;              /* per-state input/parameters/output, or NULL */
    FILE *dryrun;             /* evaluated requests of unmocked Tasks, or NULL */
    bool history;             /* build interp_result.history */
    bool entered;             /* build interp_result.entered (cheaper than a history) */
    json_t *redrive;          /* borrowed history ({"events": [...]}) to redrive, or NULL:
                                 the run re-enters its failed state with the recorded
                                 input and variables, and `input` is ignored */
    const char *item_dir;     /* folder standing in for S3 (ItemReader/ResultWriter) */
    const struct interp_observer *observer; /* optional notes (see above), or NULL */
    struct interp_cache *cache;             /* see interp_cache_new, or NULL */
};

struct interp_result {
    enum interp_status status;
    json_t *output;  /* new: the execution output (SUCCEEDED), else NULL */
    char *error;     /* new string or NULL (no error name, e.g. a bare Fail) */
    char *cause;     /* new string or NULL */
    json_t *history; /* new: {"events": [...]} when requested, else NULL */
    json_t *entered; /* new when requested, else NULL: the array of the names in the
                        history's *StateEntered events, in order (the same whether or
                        not the history itself was requested) */
    long events;     /* number of history events */
    long states;     /* number of states entered */
    int64_t end_ms;  /* virtual time at the end */
};

/*
 * Runs `definition` (borrowed; a parsed ASL object) with `input` (borrowed). Always
 * fills *res (release it with interp_result_release); a definition the interpreter
 * cannot run ends FAILED with States.Runtime. Returns 0 when the execution
 * succeeded and 1 otherwise.
 */
int interp_run(json_t *definition, json_t *input, const struct interp_opts *opts,
               struct interp_result *res);

void interp_result_release(struct interp_result *res);

/*
 * Checks that a saved history (borrowed, {"events": [...]}) can be redriven: it ended
 * FAILED, TIMED_OUT or ABORTED with a top-level state left open. Returns 0, or -1 with
 * *why (new string, caller frees) saying why not.
 */
int interp_redrivable(json_t *history, char **why);

/* Status name as AWS spells it: "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED". */
const char *interp_status_name(enum interp_status s);

/*
 * Parses an ISO-8601 date-time with a 'T', seconds, optional fraction and a zone ('Z'
 * or +hh:mm) into ms since the epoch. Returns 0 or -1.
 */
int interp_parse_time(const char *s, int64_t *ms);
/* Formats ms since the epoch as "2026-01-01T00:00:00.000Z" into buf (>= 32 bytes). */
void interp_format_time(int64_t ms, char *buf);

#endif
