/*
 * Every AWS name wfgen derives, computed in one place and checked against AWS's
 * limits (aws-facts.md section 6). Emitters take names from here, never compose them.
 */
#ifndef WFGEN_NAMING_H
#define WFGEN_NAMING_H

#include "diag.h"

struct wf_names {
    char *state_machine;  /* {project}-{env}-{key}            <= 80, [0-9A-Za-z_-] */
    char *role;           /* {project}-{env}-{key}-sfn        <= 64, IAM charset */
    char *policy;         /* same as role                     <= 128 */
    char *schedule;       /* {project}-{env}-{key}            <= 64, [0-9A-Za-z_.-] */
    char *group;          /* {project}-{env}                  <= 64 */
    char *scheduler_role; /* {project}-{env}-{key}-scheduler  <= 64 */
    char *log_group;      /* /aws/vendedlogs/states/{state machine} <= 512 */
    char *status_rule;    /* {state machine}-status: EventBridge rule <= 64 */
    char *datadog_filter; /* {state machine}-datadog: log subscription filter <= 512 */
    char *datadog_permission; /* wfgen-{state machine}-logs: Lambda statement id <= 100 */
};

/*
 * Names shared by every workflow of a catalog: the operational resources of SPEC
 * section 7 (concurrency/dedupe table, cleanup state machine, operator policy).
 */
struct cat_names {
    char *locks_table; /* {project}-{env}-wfgen-locks: DynamoDB 3-255 [A-Za-z0-9_.-] */
    char *cleanup_machine;   /* {project}-{env}-wfgen-cleanup          <= 80 */
    char *cleanup_role;      /* {project}-{env}-wfgen-cleanup-sfn      <= 64 */
    char *cleanup_log_group; /* /aws/vendedlogs/states/{cleanup machine} */
    char *cleanup_rule;      /* {project}-{env}-wfgen-cleanup: EventBridge rule <= 64 */
    char *events_role;       /* {project}-{env}-wfgen-cleanup-events   <= 64 */
    char *operator_policy;   /* {project}-{env}-wfgen-operator: managed policy <= 128 */
    char *sm_prefix;         /* {project}-{env}-: every state machine name starts so */
};

/* Fills names (new strings) for one workflow. */
void naming_derive(struct wf_names *out, const char *project, const char *env,
                   const char *key);
/*
 * Checks every name against its limit and charset; adds one diagnostic per broken rule
 * at `loc` (the workflow key). Returns 0 or -1.
 */
int naming_check(const struct wf_names *names, struct loc loc, struct diag_list *dl);
void naming_release(struct wf_names *names);

/* Fills the catalog-wide names (new strings). */
void naming_derive_catalog(struct cat_names *out, const char *project, const char *env);

/*
 * What a catalog uses, so only the names it will create are checked: the locks table
 * (concurrency or dedupe), the cleanup machine with its roles and rule (concurrency).
 */
#define NAMING_USES_LOCKS   0x1u
#define NAMING_USES_CLEANUP 0x2u

/*
 * As naming_check, for the catalog-wide names of the resources in `uses` (and those
 * every catalog has); `loc` is the catalog's project key.
 */
int naming_check_catalog(const struct cat_names *names, unsigned uses, struct loc loc,
                         struct diag_list *dl);
void naming_release_catalog(struct cat_names *names);

#endif
