/*
 * Operational wrapping (SPEC section 7): concurrency limits and dedupe compile into
 * extra states around the user's validated definition. The wrapped machine is what
 * IAM derivation, the emitters and the interpreter see. Also builds the catalog's
 * cleanup state machine, which frees the slots of executions that died holding one.
 *
 * Every generated state name starts with WRAP_PREFIX; a user state that does too is an
 * error (OPS_STATE_PREFIX). Items in the catalog's locks table (naming.h, locks_table):
 *   {key}#{scheduled_time}   dedupe marker: owner, expires_at
 *   {key}#concurrency#{n}    slot n (0 <= n < limit): owner, lease_until, expires_at
 * owner is the execution ARN; lease_until and expires_at are epoch seconds (TTL).
 */
#ifndef WFGEN_WRAP_H
#define WFGEN_WRAP_H

#include "catalog.h"

#include <jansson.h>

#define WRAP_PREFIX        "Wfgen."
#define WRAP_HASH_KEY      "pk"         /* the table's partition key (string) */
#define WRAP_TTL_ATTRIBUTE "expires_at" /* the table's TTL attribute */
#define WRAP_ERROR_BUSY    "Wfgen.ConcurrencyLimitReached"

/* Seconds a dedupe marker is kept (its TTL), so a late duplicate is still caught. */
#define WRAP_DEDUPE_TTL (7L * 86400)

/*
 * Replaces def->root with the wrapped machine when the workflow asks for concurrency
 * or dedupe; leaves it alone otherwise. Returns 0, or -1 after adding diagnostics.
 */
int wrap_operational(const struct catalog *cat, const struct workflow *wf,
                     struct ydoc *def, struct diag_list *dl);

/* True when wrap_operational() changes this workflow's machine. */
bool wrap_needed(const struct workflow *wf);

/*
 * The wrapped machine's TimeoutSeconds: `user_timeout` (the definition's own, else the
 * catalog's), plus the wait budget (the lease) when on_conflict is wait.
 */
long wrap_timeout(const struct workflow *wf, long user_timeout);

/*
 * Returns a NEW state machine definition that releases the concurrency slots held by
 * the execution named in an EventBridge "Step Functions Execution Status Change" event,
 * or NULL when no workflow of the catalog has a concurrency limit.
 */
json_t *wrap_cleanup_new(const struct catalog *cat);

#endif
