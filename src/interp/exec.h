/*
 * Internal interface between the interpreter's files: the execution and thread
 * records, failures, per-state visits, and the helpers each file exports to the
 * others (history events, virtual clock, retry/catch, tasks, Choice, Map/Parallel).
 * Not part of the public API (see interp.h).
 */
#ifndef WFGEN_INTERP_EXEC_H
#define WFGEN_INTERP_EXEC_H

#include "interp/expr.h"
#include "interp/interp.h"

#include <stdbool.h>
#include <stdint.h>

#define PAYLOAD_LIMIT    262144 /* bytes: States.DataLimitExceeded beyond this */
#define HISTORY_LIMIT    25000  /* events per execution */
#define NO_DEADLINE      INT64_MAX
#define INLINE_MAP_SLOTS 40 /* AWS runs at most 40 inline iterations at once */
#define OPEN_LEVELS      32 /* Parallel/Map nesting tracked for *StateAborted events */

/* ---- failures -------------------------------------------------------------------------
 */

enum fail_kind {
    FK_ERROR,      /* ordinary error: retriable and catchable by name */
    FK_RUNTIME,    /* States.Runtime and tool failures: never retried or caught */
    FK_DATA_LIMIT, /* States.DataLimitExceeded: not matched by States.ALL */
    FK_TIMED_OUT,  /* the execution's TimeoutSeconds ran out */
    FK_HISTORY,    /* the 25,000-event history limit was reached */
};

struct fail {
    enum fail_kind kind;
    char *error; /* new string, or NULL (a bare Fail state) */
    char *cause; /* new string, or NULL */
};

void fail_release(struct fail *f);
void fail_move(struct fail *dst, struct fail *src);

/* ---- execution and threads ------------------------------------------------------------
 */

/* What the Context object's Execution and StateMachine are made of. */
struct base_args {
    json_t *input;          /* borrowed execution input */
    const char *machine;    /* top level: state machine name */
    const char *name;       /* execution name */
    const char *role;       /* top level: role ARN */
    int64_t start;          /* StartTime */
    struct exec *parent;    /* distributed Map child: the parent execution, else NULL */
    const char *arn_prefix; /* child: its execution ARN before ":<name>" */
};

struct exec {
    const struct interp_opts *o;
    json_t *ctx_base; /* {"Execution": ..., "StateMachine": ...}, NULL until needed:
                         read it through exec_ctx_base */
    struct base_args base;
    const char *top_ql; /* the definition's QueryLanguage (NULL: JSONPath) */
    const char *region; /* for task events */
    const char *account;
    const char *partition;
    uint64_t rng;         /* splitmix64 state: jitter, tokens, ids */
    struct intr_rng irng; /* handed to intrinsic functions */
    int64_t deadline;     /* execution timeout instant, or NO_DEADLINE */
    json_t *events;       /* array of history events, or NULL when not requested */
    json_t *entered;      /* names of the *StateEntered events, or NULL: not requested */
    long nevents;
    long nstates;
    bool history_full;
    json_t *calls; /* state name -> invocations so far (mock numbering) */
    int depth;     /* distributed Map child depth (0 = the execution itself) */
    struct interp_cache *cache; /* state plans (the caller's or this run's own) */
    bool redrive_used; /* a redriven Parallel/Map took its kept results (first attempt) */
    /* A failed Parallel/Map lets its other branches/iterations run on until the moment
       it failed: `deadline` is lowered to that moment meanwhile, and running out of time
       then means the thread was aborted, not that the execution timed out. */
    bool aborting;
    /* The thread running now is at nesting `level` (0: the execution's; each Parallel
       branch or Map iteration one deeper). open[l]: the Type of the state entered and
       not yet exited on the running thread at level l (hist_add_parts keeps it), or
       NULL: what an abort aborts. Deeper levels are not tracked. */
    int level;
    const char *open[OPEN_LEVELS];
};

/* One line of control: the execution itself, a Parallel branch or a Map iteration. */
struct thread {
    struct exec *ex;
    int64_t now;  /* virtual clock, ms since the epoch */
    json_t *vars; /* new: visible variables (object) */
    long prev;    /* previousEventId of the next event on this thread */
};

/* The execution's {"Execution", "StateMachine"} (borrowed), built on first use: most
 * runs never read the Context object. */
json_t *exec_ctx_base(struct exec *ex);
/* Draws 64 random bits from the execution's generator. */
uint64_t exec_random(struct exec *ex);
/* A v4 UUID from the execution's generator, into buf (>= 37 bytes). */
void exec_uuid(struct exec *ex, char *buf);

/*
 * Runs a (sub-)machine {StartAt, States} from its start with `input` (borrowed). Returns
 * 0 with *out (new) or -1 with *f filled.
 */
int exec_machine(struct thread *t, json_t *machine, json_t *input, json_t **out,
                 struct fail *f);

/* Like exec_machine, entering state `start` instead of StartAt. */
int exec_machine_from(struct thread *t, json_t *machine, const char *start, json_t *input,
                      json_t **out, struct fail *f);

/* Advances the clock by ms; fails with FK_TIMED_OUT when the deadline passes. */
int exec_advance(struct thread *t, int64_t ms, struct fail *f);

/* ---- state plans ---------------------------------------------------------------------
 * What a run derives from a state object once instead of at every visit: its fields by
 * number rather than by name, its type, and its compiled payload templates. Plans live
 * in an interp_cache, the run's own or one the caller keeps across runs of a definition.
 */

/* The fields of a state object the interpreter reads, sorted by name (binary search). */
#define STATE_FIELDS(X)                                                                  \
    X(ARGUMENTS, "Arguments")                                                            \
    X(ASSIGN, "Assign")                                                                  \
    X(BRANCHES, "Branches")                                                              \
    X(CATCH, "Catch")                                                                    \
    X(CAUSE, "Cause")                                                                    \
    X(CAUSE_PATH, "CausePath")                                                           \
    X(CHOICES, "Choices")                                                                \
    X(CREDENTIALS, "Credentials")                                                        \
    X(DEFAULT, "Default")                                                                \
    X(ERROR, "Error")                                                                    \
    X(ERROR_PATH, "ErrorPath")                                                           \
    X(HEARTBEAT_SECONDS, "HeartbeatSeconds")                                             \
    X(HEARTBEAT_SECONDS_PATH, "HeartbeatSecondsPath")                                    \
    X(INPUT_PATH, "InputPath")                                                           \
    X(ITEM_PROCESSOR, "ItemProcessor")                                                   \
    X(ITEM_SELECTOR, "ItemSelector")                                                     \
    X(ITEMS, "Items")                                                                    \
    X(ITEMS_PATH, "ItemsPath")                                                           \
    X(ITERATOR, "Iterator")                                                              \
    X(MAX_CONCURRENCY, "MaxConcurrency")                                                 \
    X(MAX_CONCURRENCY_PATH, "MaxConcurrencyPath")                                        \
    X(NEXT, "Next")                                                                      \
    X(OUTPUT, "Output")                                                                  \
    X(OUTPUT_PATH, "OutputPath")                                                         \
    X(PARAMETERS, "Parameters")                                                          \
    X(QUERY_LANGUAGE, "QueryLanguage")                                                   \
    X(RESOURCE, "Resource")                                                              \
    X(RESULT, "Result")                                                                  \
    X(RESULT_PATH, "ResultPath")                                                         \
    X(RESULT_SELECTOR, "ResultSelector")                                                 \
    X(RESULT_WRITER, "ResultWriter")                                                     \
    X(RETRY, "Retry")                                                                    \
    X(SECONDS, "Seconds")                                                                \
    X(SECONDS_PATH, "SecondsPath")                                                       \
    X(START_AT, "StartAt") /* of a (sub-)machine, which has a plan too */                \
    X(STATES, "States")                                                                  \
    X(TIMEOUT_SECONDS, "TimeoutSeconds")                                                 \
    X(TIMEOUT_SECONDS_PATH, "TimeoutSecondsPath")                                        \
    X(TIMESTAMP, "Timestamp")                                                            \
    X(TIMESTAMP_PATH, "TimestampPath")                                                   \
    X(TYPE, "Type")

enum sfield {
#define SF_ENUM(id, name) SF_##id,
    STATE_FIELDS(SF_ENUM)
#undef SF_ENUM
        SF_COUNT
};

/* The payload templates and the paths a plan compiles on first use. */
enum stmpl { ST_PARAMETERS, ST_RESULT_SELECTOR, ST_ITEM_SELECTOR, ST_ASSIGN, ST_COUNT };
enum spath { SP_INPUT_PATH, SP_OUTPUT_PATH, SP_RESULT_PATH, SP_COUNT };

struct state_plan {
    json_t *state;                    /* the state object (the key; borrowed) */
    const struct state_type *type;    /* NULL for a missing or unknown Type */
    json_t *f[SF_COUNT];              /* borrowed fields, NULL when absent */
    struct expr_tmpl *tmpl[ST_COUNT]; /* compiled templates, NULL until used */
    struct expr_comp *path[SP_COUNT]; /* compiled paths, NULL until used */
    struct resource *res;             /* Task: the parsed Resource, or NULL */
    /* The state named by Next (a machine's: by StartAt) in the States object `in`,
       NULL until looked up: a state object could appear in two machines (YAML
       aliases), so the object it was looked up in is kept too. */
    json_t *next_in, *next_state;
};

struct resource;
/* Frees a Resource parsed by task.c. */
void task_resource_free(struct resource *r);

/* The plan of a state object (created on first use, kept in the run's cache). */
struct state_plan *plan_of(struct exec *ex, json_t *state);
/* The visited state's template `which` (a field it has), compiled on first use. */
struct visit;
const struct expr_tmpl *plan_tmpl(struct visit *v, enum stmpl which);

/* ---- one visit of a state ------------------------------------------------------------
 */

struct visit {
    struct thread *t;
    const char *name;        /* borrowed state name */
    json_t *state;           /* borrowed state object */
    struct state_plan *plan; /* its plan: read fields with vfield() */
    const struct state_type *type;
    json_t *input;   /* borrowed raw input */
    bool input_ok;   /* input is the previous state's output: within the size limit */
    long entered_id; /* id of the *StateEntered event */
    int64_t entered_ms;
    unsigned retry_count; /* retries so far in this visit */
    json_t *context;      /* new: Context object for this attempt, NULL until built:
                             read it through visit_ctx */
    bool jsonata;         /* the state's effective QueryLanguage is JSONata */
    json_t *states;       /* new: JSONata $states (input, context, result...), or NULL */
    struct expr_env env;  /* context + vars (+ $states) for evaluations */
    json_t *output;       /* new: state output on success */
    const char *next;     /* borrowed: next state, NULL at the end */
    json_t *assigned;     /* new object of variables to commit, or NULL */
    bool ended;           /* Succeed: the (sub-)machine ends here */
    struct fail f;
};

struct state_type {
    const char *name;               /* "Task" */
    int (*run)(struct visit *v);    /* JSONPath: 0, or -1 with v->f filled */
    int (*run_ja)(struct visit *v); /* the same in a JSONata state */
    bool can_retry;                 /* Retry/Catch allowed */
    bool has_exit;                  /* emits *StateExited */
};

const struct state_type *states_lookup(const char *type);

/* A field of the visited state (borrowed), or NULL: json_object_get without a hash. */
static inline json_t *vfield(const struct visit *v, enum sfield f)
{
    return v->plan->f[f];
}

/* Fails the visit with States.Runtime and the AWS cause prefix. Returns -1. */
int visit_runtime(struct visit *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Fails the visit with an expression error (prefixing interpreter causes). Returns -1. */
int visit_expr_fail(struct visit *v, struct expr_err *err);
/* Fails the visit with an ordinary error (error, cause copied; cause may be NULL). */
int visit_error(struct visit *v, const char *error, const char *cause);
/* Checks the 256 KiB limit; fails with States.DataLimitExceeded. Returns 0 or -1. */
int visit_check_size(struct visit *v, json_t *value);
/* The AWS cause prefix for this visit, as a new string. */
char *visit_prefix(const struct visit *v);

/* The pipeline steps shared by state types (each returns 0 or -1). */
int pipe_input_path(struct visit *v, json_t **out);
int pipe_template(struct visit *v, enum stmpl which, json_t *doc, json_t **out);
int pipe_result_path(struct visit *v, json_t *ref_holder, json_t *result, json_t **out);
int pipe_output_path(struct visit *v, json_t *doc, json_t **out);
int pipe_assign(struct visit *v, json_t *assign, json_t *doc);
/* This attempt's Context object, built on first use (borrowed). */
json_t *visit_ctx(struct visit *v);
/* Context object with the given Map item added (for ItemSelector); new reference. */
json_t *visit_context_with_item(struct visit *v, json_t *index, json_t *value);

/*
 * JSONata states. visit_jsonata evaluates the value of a field (see expr_jsonata) with
 * the visit's $states and variables, failing the visit (0 or -1). visit_bind sets
 * $states.<member> ("result", "errorOutput") for the fields evaluated after it (value
 * borrowed; NULL removes the member). pipe_ja_tail evaluates the Assign and then the
 * Output of `holder` (the state, a Choice rule or a catcher; `prefix` goes before the
 * field names in causes: "Catch[0]/"), with `dflt` (borrowed) as the output when there
 * is no Output field.
 */
int visit_jsonata(struct visit *v, const char *field, json_t *value, enum expr_want want,
                  json_t **out);
void visit_bind(struct visit *v, const char *member, json_t *value);
int pipe_ja_tail(struct visit *v, json_t *holder, const char *prefix, json_t *dflt);
/*
 * JSONata: evaluates an integer field (Seconds, TimeoutSeconds, MaxConcurrency, ...):
 * a literal or an expression whose result must be an integer within [min, max].
 * Returns 0 with *out, or -1 (v->f filled).
 */
int visit_ja_integer(struct visit *v, const char *field, json_t *value, int64_t min,
                     int64_t max, int64_t *out);
/* Fails the visit with States.QueryEvaluationError and a cause of its own. Returns -1. */
int visit_query_fail(struct visit *v, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- history
 * ---------------------------------------------------------------------------- */

/*
 * Appends an event of `type` with its details object (stolen; may be NULL) under the
 * key `details_key`. Returns the new event id. Events are only materialised when the
 * history was requested, but always counted.
 */
long hist_add(struct thread *t, const char *type, const char *details_key,
              json_t *details);
/* The same with the type and the details key given in two parts each (type_a +
 * type_b, key_a + key_b; key_b may be NULL), joined only when the history is kept. */
long hist_add_parts(struct thread *t, const char *type_a, const char *type_b,
                    const char *key_a, const char *key_b, json_t *details);
/* Compact JSON text of v as a JSON string value (new reference). */
json_t *hist_text(json_t *v);
/* {"truncated": false} (new reference). */
json_t *hist_truncated(void);

/* ---- errors: retry and catch ----------------------------------------------------------
 */

/* True when `name` in an ErrorEquals list matches the failure. */
bool err_matches(const char *name, const struct fail *f);
/* Index of the first retrier/catcher whose ErrorEquals matches, or -1. */
int err_find(json_t *list, const struct fail *f);
/*
 * Decides whether to retry after failure f: counters[] (one per retrier) are updated.
 * Returns 1 with *delay_ms set to retry, 0 to stop retrying.
 */
int err_retry(struct exec *ex, json_t *retry, const struct fail *f, unsigned *counters,
              size_t ncounters, int64_t *delay_ms);
/* The computed delay (before jitter) of a retrier's attempt k (1-based), in seconds. */
double err_backoff(json_t *retrier, unsigned k);
/* The error output {"Error", "Cause"} of a failure (new reference). */
json_t *err_output(const struct fail *f);

/* ---- state kinds in their own files --------------------------------------------------
 */

/* Invokes a Task (mock or dry run) with its effective input and parameters; writes the
 * task events. Returns 0 with *result (new) or -1 with v->f filled. */
int task_run(struct visit *v, json_t *eff, json_t *params, json_t **result);
/* Before Parameters: adds $$.Task.Token for .waitForTaskToken Tasks. */
void task_prepare(struct visit *v);
/* Evaluates a Choice state's rules. Returns 0 with *next (borrowed) and *rule (the
 * matched rule, or NULL for Default), or -1 with v->f filled. */
int choice_eval(struct visit *v, json_t *doc, const char **next, json_t **rule);
/* StringMatches: '*' wildcards, backslash escapes a star or a backslash; whole string. */
bool choice_string_matches(const char *s, size_t slen, const char *pat);
int map_run(struct visit *v, json_t *eff, json_t **result);
/* Map helpers shared with the distributed Map (dmap.c). */
int map_items(struct visit *v, json_t *eff, json_t **items);
int map_item_input(struct visit *v, json_t *eff, size_t i, json_t *item, json_t **out);
int map_max_concurrency(struct visit *v, json_t *eff, long *out);
/* Map slots: a heap of free times; see map.c. Returns the slot to use (always 0). */
size_t map_first_free(int64_t *slots, size_t n);
/* A distributed Map: items (ItemReader), batches, child executions, ResultWriter. */
int dmap_run(struct visit *v, json_t *eff, json_t *processor, json_t **result);
int parallel_run(struct visit *v, json_t *task_input, json_t **result);

/* ---- redrive -------------------------------------------------------------------------
 */

struct redrive_point {
    json_t *input;       /* new: the original execution input */
    char *state;         /* the top-level state entered but not exited */
    size_t entered_at;   /* the index of its *StateEntered event */
    json_t *state_input; /* new: its recorded input */
    json_t *vars;        /* new: variables assigned before it */
    int64_t start_ms;    /* the original start */
    int64_t resume_ms;   /* the time of the history's last event */
    long count;          /* earlier redrives (ExecutionRedriven events) */
};

/* Reads a saved history. Returns 0, or -1 with *err (new message) when not redrivable. */
int redrive_find(json_t *history, struct redrive_point *rp, char **err);
void redrive_release(struct redrive_point *rp);
/*
 * Redriving a failed Parallel (branches: its Branches) or inline Map (branches: NULL)
 * named `state` with n branches or items: what its last attempt in the saved history
 * recorded for the branches/iterations that succeeded. Returns n new outputs (NULL for
 * those to run again), or NULL when `state` is not the redriven one or its attempt is
 * not in the history.
 * Free with redrive_kept_free.
 */
json_t **redrive_kept(json_t *history, const char *state, json_t *branches, size_t n);
void redrive_kept_free(json_t **kept, size_t n);

/* ---- time
 * ------------------------------------------------------------------------------ */

/*
 * Parses an RFC 3339 date-time ("2016-03-14T01:59:00Z", "...00.123456789+09:00") into
 * seconds and nanoseconds since the epoch. Returns 0, or -1 when malformed.
 */
int time_parse(const char *s, int64_t *sec, long *nsec);

/* Tells the optional observer (opts->observer) about one step; no-op without one. */
void exec_note(struct thread *t, enum interp_note_kind kind, const char *state,
               const char *from, int index);

/* Trace line on opts->trace: "trace: <what> '<state>': <compact json>". */
void exec_trace(struct visit *v, const char *what, json_t *value);

#endif
