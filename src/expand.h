/*
 * Definition expansion: turns a definition as written (ASL plus wfgen's compile-time
 * extensions) into plain ASL: `${...}` substitution, then the `Ecs:` and `Dates:`
 * extensions (SPEC section 3). Expansion edits the definition's own tree in place so
 * locations stay valid.
 */
#ifndef WFGEN_EXPAND_H
#define WFGEN_EXPAND_H

#include "catalog.h"

/*
 * Replaces ${name} in every string of def->root: aws.region, aws.account_id,
 * aws.partition, project, env, workflow.key, workflow.name and the catalog's vars.
 * "$${" stays a literal "${". A string that is exactly "${var}" of a number or boolean
 * var becomes that number or boolean. Returns 0, or -1 after adding diagnostics.
 */
int expand_substitutions(const struct catalog *cat, const struct workflow *wf,
                         struct ydoc *def, struct diag_list *dl);

/*
 * Expands wfgen's compile-time extensions on states (SPEC section 3: `Ecs:` on Task
 * states, `Dates:` on Pass states, at any depth) into plain ASL, in place, and writes
 * the catalog's workflow timeout as the top-level TimeoutSeconds when the definition
 * has none. Runs after substitution and before validation. Diagnostics point at the
 * user's extension fields. Returns 0, or -1 after adding diagnostics. See ext.h and
 * docs/definitions.md.
 */
int expand_extensions(const struct catalog *cat, const struct workflow *wf,
                      struct ydoc *def, struct diag_list *dl);

#endif
