/*
 * Structural and semantic validation of Amazon States Language definitions (JSONPath
 * and JSONata): the field matrix of asl_spec.def, transitions and reachability, Choice
 * rules, Retry/Catch, Map/Parallel, expressions and variables, plus run-time lints.
 */
#ifndef WFGEN_ASL_VALIDATE_H
#define WFGEN_ASL_VALIDATE_H

#include "diag.h"
#include "yload.h"

#include <jansson.h>
#include <stdbool.h>

struct asl_opts {
    bool allow_placeholders; /* treat ${...} strings as opaque (corpus/SAM) */
};

/*
 * Validates one definition. `doc` gives locations (the definition's ydoc); `asl` is
 * normally doc->root and is only borrowed (never modified). Adds diagnostics to `dl`;
 * returns 0 when no error was added (warnings may have been), -1 otherwise.
 */
int asl_validate(const struct ydoc *doc, const json_t *asl, const struct asl_opts *opts,
                 struct diag_list *dl);

#endif
