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
};

/* Fills names (new strings) for one workflow. */
void naming_derive(struct wf_names *out, const char *project, const char *env, const char *key);
/*
 * Checks every name against its limit and charset; adds one diagnostic per broken rule
 * at `loc` (the workflow key). Returns 0 or -1.
 */
int naming_check(const struct wf_names *names, struct loc loc, struct diag_list *dl);
void naming_release(struct wf_names *names);

#endif
