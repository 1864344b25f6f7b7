/*
 * Intrinsic functions (States.Format, States.Array, ...), JSONPath mode only.
 *
 * NOTE: the check API below is fixed (the validator calls it); the rest of this
 * header is owned by the intrinsics module.
 */
#ifndef WFGEN_INTRINSICS_H
#define WFGEN_INTRINSICS_H

#include "interp/jpath.h"

/*
 * Checks an intrinsic call expression ("States.Format('{}', $.a)"): syntax, known
 * function names, arity, literal argument types, nesting depth <= 10, Format brace
 * escaping. Returns 0 when valid, -1 with *err filled (offset into expr) otherwise.
 */
int intr_check(const char *expr, struct jpath_err *err);

#endif
