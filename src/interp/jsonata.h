/*
 * JSONata 2.0 as AWS Step Functions runs it: lexer, parser and evaluator, the standard
 * function library, and AWS's additions ($partition, $range, $hash, $random([seed]),
 * $uuid, $parse). One compiled expression serves the validator (syntax errors with byte
 * offsets) and the interpreter (evaluation against $states and workflow variables).
 *
 * Ownership: every json_t handed in is borrowed and never modified; it must stay alive
 * until jsonata_eval returns. Every json_t returned through `out` is a new reference
 * that shares nothing with the arguments.
 */
#ifndef WFGEN_JSONATA_H
#define WFGEN_JSONATA_H

#include "interp/intrinsics.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A compile or evaluation error. `code` is JSONata's error code: S0xxx (syntax; S0901 and
 * S0902 are wfgen's Step Functions checks), T0xxx-T2xxx (types), D1xxx-D3xxx (dynamic;
 * D3150/D3151 for $hash/$parse), U1001 (depth, step or memory budget). `offset` is the
 * byte offset into the expression text of the token at fault (the operator, the '(' of
 * a call, the start of a literal), for a caret. `msg` is one line without the code; for
 * T1006 it is the text Step Functions quotes ("Attempted to invoke a non-function"), so
 * a cause reads "<code>: <msg>". $error() and $assert() put their argument in msg.
 */
/* clang-format off */
struct jsonata_err {
    char code[8];   /* "S0201", "T2002", "D3137", ... */
    size_t offset;  /* byte offset into the expression text */
    char msg[256];  /* "expected a number on the left of '+', got a string" */
};
/* clang-format on */

struct jsonata;

/*
 * Compiles len bytes of JSONata text (need not be NUL-terminated). Returns NULL with
 * *err filled (err may be NULL) on a syntax error. The result may be evaluated any
 * number of times, from several threads at once: the only state it gains, the date/time
 * pictures it has analysed, is published atomically.
 */
struct jsonata *jsonata_compile(const char *text, size_t len, struct jsonata_err *err);
void jsonata_free(struct jsonata *j);

/* The source text the expression was compiled from (NUL-terminated copy). */
const char *jsonata_text(const struct jsonata *j);

/*
 * Checks what Step Functions refuses at definition time although JSONata accepts it:
 *   S0901  reading the context item at the top level (`{% phone %}`, `{% $$ %}`): there
 *          the only input is $states; msg "reference to 'phone' at the top level is not
 *          supported";
 *   S0902  the JSONata 2.1 operators ?: and ?? (Step Functions runs 2.0).
 * Returns 0 when j is acceptable, or -1 with *err set (offset of the first offender).
 * Evaluation in JSONATA_AWS mode does not repeat these checks.
 */
int jsonata_check_aws(const struct jsonata *j, struct jsonata_err *err);

/* Evaluation modes. */
enum jsonata_mode {
    /*
     * Standard JSONata: env->input is the context item `$` (and `$$`); $eval exists.
     * Used by the conformance suite and `wfgen eval --input`.
     */
    JSONATA_PLAIN,
    /*
     * Step Functions: there is no context item (env->input is ignored; `$` is
     * undefined), $eval does not exist, and non-finite numbers in the result become
     * the strings "Infinity", "-Infinity" and "NaN".
     */
    JSONATA_AWS,
};

/*
 * What an evaluation may read. Zero-initialise, then fill what you need:
 *   bindings   object of named variables: {"states": {...}, "myVar": 1} binds
 *              $states and $myVar. Converted lazily, on first use of each name.
 *   now_ms     $now() and $millis(): milliseconds since the epoch, fixed for the
 *              whole evaluation (the interpreter passes virtual time).
 *   rng        $random() and $uuid() draw from it; NULL uses a fixed seed.
 *   max_depth  nesting limit of evaluation (0: 5000, about 1,600 levels of non-tail
 *              recursion; at most 10000); beyond it fails with U1001. Tail calls
 *              run in constant depth.
 *   max_steps  evaluation budget (0: 50 million steps); beyond it fails with U1001,
 *              so no expression can hang the caller.
 *   max_bytes  memory budget of one evaluation (0: 1 GiB); beyond it fails with U1001.
 */
struct jsonata_env {
    enum jsonata_mode mode;
    json_t *input; /* JSONATA_PLAIN: the context item; NULL = undefined */
    json_t *bindings;
    int64_t now_ms;
    struct intr_rng *rng;
    unsigned max_depth;
    unsigned long max_steps;
    size_t max_bytes;
};

/* jsonata_eval's return value when the result is a function (*out is NULL). */
#define JSONATA_FUNCTION 1

/*
 * Evaluates j. Returns 0 with *out set to the result (a new reference), or to NULL when
 * the result is undefined (JSONata's "nothing", distinct from null). Returns
 * JSONATA_FUNCTION when the result is a function (AWS: "unsupported result type").
 * Returns -1 with *err filled (err may be NULL) on an evaluation error; err->offset
 * then points at the operator or function call at fault. Numbers come back as JSON
 * integers when integral and below 2^53, else as reals. Functions nested in a result
 * are dropped from objects and become null in arrays (as JSON.stringify does).
 * Cost: a few hundred nanoseconds plus what the expression reads: env->input and the
 * bindings are converted lazily, an object when a path first enters it, so reading
 * $states.input.x from a large document converts almost nothing of it.
 */
int jsonata_eval(const struct jsonata *j, const struct jsonata_env *env, json_t **out,
                 struct jsonata_err *err);

#endif
