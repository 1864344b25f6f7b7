/*
 * Operational wrapping (SPEC section 7): concurrency limits and dedupe compile into
 * extra states around the user's validated definition. The wrapped machine is what
 * IAM derivation, the emitters and the interpreter see.
 */
#ifndef WFGEN_WRAP_H
#define WFGEN_WRAP_H

#include "catalog.h"

/*
 * Replaces def->root with the wrapped machine when the workflow asks for concurrency
 * or dedupe; leaves it alone otherwise. Returns 0, or -1 after adding diagnostics.
 */
int wrap_operational(const struct catalog *cat, const struct workflow *wf, struct ydoc *def,
                     struct diag_list *dl);

#endif
