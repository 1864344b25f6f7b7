/*
 * Terraform emitter: out/terraform/{versions,workflows,main,outputs}.tf rendered from
 * the *.tf.tmpl templates. Only workflows.tf carries per-catalog data (a generated
 * `locals` map); the other files are static Terraform driven by for_each over it.
 * Also writes the catalog-wide JSON files main.tf reads (SPEC section 7): the operator
 * policy and, with concurrency limits, the cleanup state machine and its policy.
 */
#ifndef WFGEN_TERRAFORM_H
#define WFGEN_TERRAFORM_H

#include "catalog.h"
#include "diag.h"
#include "emit/emit.h"

#include <jansson.h>

/* Provider and CLI versions the generated files need (written into versions.tf). */
#define TF_REQUIRED_VERSION ">= 1.3.0"
#define TF_AWS_PROVIDER     "hashicorp/aws"
#define TF_AWS_VERSION      ">= 5.0, < 7.0"

/*
 * Adds terraform/versions.tf, workflows.tf, main.tf and outputs.tf to `out`, with
 * iam/_wfgen_operator.policy.json and, when a workflow has a concurrency limit,
 * state_machines/_wfgen_cleanup.asl.json and iam/_wfgen_cleanup.policy.json. Each
 * <name>.tf.tmpl comes from cat->templates_dir when that folder holds it, else from
 * tmpl_builtin_dir(). Template problems are BUILD_TEMPLATE errors. Returns 0, or -1
 * after adding diagnostics, in which case nothing was added to `out`. `out` must be
 * sorted (outset_sort): the callback policies already in it are looked up.
 */
int tf_emit(const struct catalog *cat, struct outset *out, struct diag_list *dl);

/*
 * Returns a new object: the variables the templates see (project, env, group, aws.*,
 * terraform.*, workflows = the per-workflow locals map, ops = the catalog-wide
 * operational resources). Exposed for tests and for users' own templates
 * (docs/templates.md lists every name).
 */
json_t *tf_template_vars(const struct catalog *cat);

#endif
