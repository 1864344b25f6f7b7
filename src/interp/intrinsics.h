/*
 * Intrinsic functions (States.Format, States.Array, ...), JSONPath mode only.
 *
 * NOTE: the check API below is fixed (the validator calls it); the rest of this
 * header is owned by the intrinsics module.
 */
#ifndef WFGEN_INTRINSICS_H
#define WFGEN_INTRINSICS_H

#include "interp/jpath.h"

#include <stdint.h>

/*
 * Checks an intrinsic call expression ("States.Format('{}', $.a)"): syntax, known
 * function names, arity, literal argument types, nesting depth <= 10, Format brace
 * escaping. Returns 0 when valid, -1 with *err filled (offset into expr) otherwise.
 */
int intr_check(const char *expr, struct jpath_err *err);

/*
 * ---- Compiling and evaluating --------------------------------------------------
 *
 * How to add a function: add a line to intrinsics.def (name, arity, argument kinds,
 * result kind, optional static check), write its fn_<Name>() in intrinsics.c, add
 * unit tests for it and its quirks.
 *
 * Syntax: States.Name(arg, ...) where an argument is a 'string' (escapes \' \{ \}
 * \\ only), a number, true, false, null, a path ($.x, $$.x, $var.x) or another call;
 * calls nest at most INTR_MAX_DEPTH deep (the outermost call counts as 1). Whitespace
 * may surround the call, its arguments and the '('.
 */

#define INTR_MAX_DEPTH 10

/* Deterministic generator behind MathRandom and UUID; seeded by the caller. */
struct intr_rng {
    uint64_t state;
};

void intr_rng_seed(struct intr_rng *rng, uint64_t seed);
uint64_t intr_rng_next(struct intr_rng *rng);

/* A run-time failure: the AWS error name and the cause text. */
struct intr_error {
    const char *name; /* static string, e.g. "States.Runtime" */
    char cause[512];  /* "bad argument #2 to 'States.ArrayGetItem' (...)" */
};

struct intr_call;

/* 1 when s looks like an intrinsic call ("States.X(") rather than a path. */
int intr_is_call(const char *s);
/* A value's type in AWS's error texts: "object", "array", "string", "number"... */
const char *intr_type_name(const json_t *v);

/* Compiles a call; NULL with *err filled (byte offset into expr) when invalid. */
struct intr_call *intr_compile(const char *expr, struct jpath_err *err);
void intr_free(struct intr_call *call);
const char *intr_text(const struct intr_call *call);

/*
 * Evaluates a compiled call. `input` binds $, `context` binds $$, `vars` (object or
 * NULL) binds $name; all are borrowed and never modified. `rng` feeds MathRandom
 * (without a seed argument) and UUID. Returns 0 with *out set (new reference, which
 * may share sub-values with the arguments), or -1 with *err filled.
 */
int intr_eval(const struct intr_call *call, json_t *input, json_t *context, json_t *vars,
              struct intr_rng *rng, json_t **out, struct intr_error *err);

#endif
