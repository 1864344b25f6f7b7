/*
 * Mocked Task responses in the AWS Step Functions Local mock-config format, read
 * unchanged: {"StateMachines": {sm: {"TestCases": {case: {state: "ResponseName"}}}},
 * "MockedResponses": {"ResponseName": {"0": {"Return": v}, "1-2": {"Throw": {...}}}}}.
 * wfgen adds one optional key per response, "Duration": seconds the call takes.
 */
#ifndef WFGEN_MOCK_H
#define WFGEN_MOCK_H

#include <jansson.h>
#include <stdbool.h>

struct mock {
    json_t *doc;   /* new reference: the whole file */
    json_t *cases; /* borrowed from doc: state name -> response name (after select) */
    const char *machine;   /* borrowed: selected state machine name */
    const char *case_name; /* borrowed: selected test case name */
};

enum mock_kind {
    MOCK_UNMOCKED, /* the test case names no response for this state */
    MOCK_MISSING,  /* the state is mocked, but not for this invocation number */
    MOCK_RETURN,   /* answer: the result */
    MOCK_THROW,    /* answer: an error */
};

struct mock_answer {
    enum mock_kind kind;
    const char *response; /* response name (MOCK_MISSING, MOCK_RETURN, MOCK_THROW) */
    json_t *result;       /* MOCK_RETURN: borrowed result */
    const char *error;    /* MOCK_THROW: borrowed error name */
    json_t *cause;        /* MOCK_THROW: borrowed cause (any JSON) or NULL */
    double duration;      /* seconds the call takes (0 when not declared) */
};

/*
 * Checks the whole file's shape and keeps a reference to doc (borrowed argument).
 * Returns 0, or -1 with *err set to a new message (caller frees) naming the fault.
 */
int mock_parse(struct mock *m, json_t *doc, char **err);

/*
 * Selects a test case. `machine` may be NULL when the file holds exactly one state
 * machine. Every response the case names must exist. Returns 0 or -1 with *err set.
 */
int mock_select(struct mock *m, const char *machine, const char *case_name, char **err);

/*
 * Finds the answer for the `invocation`-th call (0-based) of the Task state `state`
 * in the selected case. The answer's pointers are borrowed from the mock.
 */
enum mock_kind mock_lookup(const struct mock *m, const char *state,
                           unsigned long invocation, struct mock_answer *out);

void mock_release(struct mock *m);

#endif
