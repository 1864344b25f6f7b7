/*
 * JSONPath as Step Functions uses it: paths ($.a.b[0], $..x, [*], filters, slices,
 * unions), reference paths (a single node: no .., *, filters, slices, unions), and
 * context-object paths ($$.Execution.Id). One parser serves the validator and the
 * interpreter.
 *
 * NOTE: the check API below is fixed (the validator calls it); the rest of this
 * header is owned by the JSONPath module.
 */
#ifndef WFGEN_JPATH_H
#define WFGEN_JPATH_H

#include <jansson.h>
#include <stddef.h>

enum jpath_kind {
    JPATH_PATH,      /* InputPath, OutputPath, ItemsPath, `.$` values: any path */
    JPATH_REFERENCE, /* ResultPath, Choice Variable, *Path comparators: one node only */
};

struct jpath_err {
    size_t offset;  /* byte offset of the fault inside the expression */
    char msg[160];  /* lowercase, no final period: "'..' is not allowed in a reference path" */
};

/*
 * Checks the syntax of a path ("$..." or "$$..."; variables "$name..." are accepted
 * too). Returns 0 when valid, -1 with *err filled otherwise.
 */
int jpath_check(const char *expr, enum jpath_kind kind, struct jpath_err *err);

#endif
