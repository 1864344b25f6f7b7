/*
 * Coverage of a state machine by test runs (`wfgen test --coverage`): the items that
 * can be exercised (every state, transition, Choice rule, retrier and catcher, in
 * every Parallel branch and Map processor too), hit counts fed by the interpreter's
 * observer, and the report of the items no run exercised.
 */
#ifndef WFGEN_COVERAGE_H
#define WFGEN_COVERAGE_H

#include "interp/interp.h"

#include <jansson.h>
#include <stdio.h>

enum cov_kind {
    COV_STATE,      /* entered at least once */
    COV_TRANSITION, /* an edge A -> B (Next, Default, a rule's Next, a Catch's Next) */
    COV_CHOICE,     /* a Choice rule or a Choice's Default matched */
    COV_RETRIER,    /* a Retry entry matched a failure */
    COV_CATCHER,    /* a Catch entry took a failure */
    COV__COUNT
};

struct cov_item {
    enum cov_kind kind;
    const char *state; /* borrowed (from the definition): the state it belongs to */
    const char *to;    /* borrowed: target of a transition, rule or catcher, or NULL */
    int index;         /* position in Choices, Retry or Catch; -1 for a Default */
    char *label;       /* what the report prints, e.g. "transition Publish -> Done" */
    unsigned long hits;
};

struct coverage {
    json_t *definition; /* new reference: items borrow names from it */
    struct cov_item *v; /* each state's items are contiguous, its COV_STATE first */
    size_t nr, alloc;
    json_t
        *index; /* state name -> integer position of its COV_STATE item (lookups only) */
};

/*
 * Lists the items of `definition` (borrowed; a validated ASL machine) in source
 * order, a state's own items before those of the scopes nested in it.
 */
void coverage_init(struct coverage *cov, json_t *definition);
void coverage_release(struct coverage *cov);

/* Counts one interpreter note; notes about unknown states or indexes are ignored. */
void coverage_note(struct coverage *cov, const struct interp_note *n);
/* An observer that feeds `cov`, for interp_opts.observer. */
struct interp_observer coverage_observer(struct coverage *cov);

/* Items of one kind: how many there are and how many were exercised. */
void coverage_count(const struct coverage *cov, enum cov_kind kind, size_t *hit,
                    size_t *total);
/* Name of a kind for reports: "states", "transitions", "Choice rules", ... */
const char *coverage_kind_name(enum cov_kind kind);

/*
 * Prints "coverage of <title>: states 5/6, transitions ..." and then one
 * "  never exercised: <label>" line per missed item, in item order.
 */
void coverage_report(const struct coverage *cov, const char *title, FILE *out);

/*
 * Calls fn(arg, name, state) for every state of `machine` (borrowed) and of the
 * scopes nested in it (Parallel Branches, Map ItemProcessor or Iterator), in source
 * order, depth first.
 */
void coverage_walk(json_t *machine,
                   void (*fn)(void *arg, const char *name, json_t *state), void *arg);

#endif
