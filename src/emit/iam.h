/*
 * Execution-role IAM policy of one state machine, derived from its definition: every
 * Task resource (reference/aws-facts.md section 2.1), distributed Map runs and their
 * S3 readers/writers, logging and X-Ray. Integrations are listed in
 * iam_integrations.def; how to add one is written at the top of that file.
 */
#ifndef WFGEN_EMIT_IAM_H
#define WFGEN_EMIT_IAM_H

#include "diag.h"
#include "yload.h"

#include <jansson.h>
#include <stdbool.h>

/* IAM limit for all inline policies of one role, whitespace not counted. */
#define IAM_POLICY_MAX_CHARS 10240

/*
 * What the policy needs besides the definition. partition, region, account_id and
 * state_machine_name must be set; the others may be NULL/false.
 */
struct iam_ctx {
    const char *partition, *region, *account_id;
    const char *state_machine_name; /* this machine (distributed Map, HTTP tasks) */
    const char *ecs_cluster;        /* default cluster name for task ARNs ("default") */
    const char *ecs_task_role,
        *ecs_execution_role;    /* role names; PassRole limited to these */
    const char *log_group_name; /* non-NULL when logging level != OFF */
    bool tracing;               /* X-Ray */
    json_t *iam_extra; /* borrowed: array of statements from the catalog, or NULL */
};

/*
 * Returns a NEW policy document {"Version":"2012-10-17","Statement":[...]}, or NULL
 * after adding error diagnostics to `dl`. `asl` (borrowed) is the expanded definition;
 * `doc` gives locations and may be NULL (diagnostics then carry no location).
 * When ctx->iam_extra is non-NULL, targets that cannot be derived are left to those
 * statements (appended verbatim after the derived ones) instead of being errors;
 * `.sync` on an aws-sdk integration and an oversized policy stay errors.
 */
json_t *iam_policy_new(const struct iam_ctx *ctx, const struct ydoc *doc,
                       const json_t *asl, struct diag_list *dl);

#endif
