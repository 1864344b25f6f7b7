/*
 * Derived AWS names (SPEC section 2, naming table) and their limits (aws-facts.md
 * section 6). One table per name set lists every name with its limit and charset.
 */
#include "naming.h"

#include "base/xalloc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHARS_ALNUM "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

struct name_rule {
    const char *what;    /* "state machine name" */
    size_t offset;       /* field in struct wf_names or struct cat_names */
    size_t min, max;     /* AWS length limits */
    const char *charset; /* every allowed character */
    unsigned when;       /* 0: always checked; else only for these NAMING_USES_* */
};

/* A name that holds whenever the others do: never checked (no NAMING_USES_* has it). */
#define IMPLIED 0x80u

#define WF(field)  offsetof(struct wf_names, field)
#define CAT(field) offsetof(struct cat_names, field)

static const struct name_rule rules[] = {
    {"state machine name", WF(state_machine), 1, 80, CHARS_ALNUM "_-", 0},
    {"execution role name", WF(role), 1, 64, CHARS_ALNUM "+=,.@_-", 0},
    {"execution role policy name", WF(policy), 1, 128, CHARS_ALNUM "+=,.@_-", 0},
    {"schedule name", WF(schedule), 1, 64, CHARS_ALNUM "_.-", 0},
    {"schedule group name", WF(group), 1, 64, CHARS_ALNUM "_.-", 0},
    {"scheduler role name", WF(scheduler_role), 1, 64, CHARS_ALNUM "+=,.@_-", 0},
    {"log group name", WF(log_group), 1, 512, CHARS_ALNUM "_./#-", 0},
    /*
     * The state machine name with a suffix shorter than "-scheduler" (or, for the
     * statement id, at most 91 characters): within their limits whenever the names
     * above are, so a check would only repeat an error.
     */
    {"status-change rule name", WF(status_rule), 1, 64, CHARS_ALNUM "._-", IMPLIED},
    {"log subscription filter name", WF(datadog_filter), 1, 512, CHARS_ALNUM "_./#-",
     IMPLIED},
    {"Lambda permission statement id", WF(datadog_permission), 1, 100, CHARS_ALNUM "_-",
     IMPLIED},
};

/* DynamoDB table names: 3-255 of [a-zA-Z0-9_.-]. */
static const struct name_rule cat_rules[] = {
    {"DynamoDB table name", CAT(locks_table), 3, 255, CHARS_ALNUM "_.-",
     NAMING_USES_LOCKS},
    {"cleanup state machine name", CAT(cleanup_machine), 1, 80, CHARS_ALNUM "_-",
     NAMING_USES_CLEANUP},
    {"cleanup role name", CAT(cleanup_role), 1, 64, CHARS_ALNUM "+=,.@_-",
     NAMING_USES_CLEANUP},
    {"cleanup log group name", CAT(cleanup_log_group), 1, 512, CHARS_ALNUM "_./#-",
     NAMING_USES_CLEANUP},
    {"cleanup rule name", CAT(cleanup_rule), 1, 64, CHARS_ALNUM "._-",
     NAMING_USES_CLEANUP},
    {"cleanup events role name", CAT(events_role), 1, 64, CHARS_ALNUM "+=,.@_-",
     NAMING_USES_CLEANUP},
    {"operator policy name", CAT(operator_policy), 1, 128, CHARS_ALNUM "+=,.@_-", 0},
};

void naming_derive(struct wf_names *out, const char *project, const char *env,
                   const char *key)
{
    out->state_machine = xasprintf("%s-%s-%s", project, env, key);
    out->role = xasprintf("%s-sfn", out->state_machine);
    out->policy = xstrdup(out->role);
    out->schedule = xstrdup(out->state_machine);
    out->group = xasprintf("%s-%s", project, env);
    out->scheduler_role = xasprintf("%s-scheduler", out->state_machine);
    out->log_group = xasprintf("/aws/vendedlogs/states/%s", out->state_machine);
    out->status_rule = xasprintf("%s-status", out->state_machine);
    out->datadog_filter = xasprintf("%s-datadog", out->state_machine);
    out->datadog_permission = xasprintf("wfgen-%s-logs", out->state_machine);
}

void naming_derive_catalog(struct cat_names *out, const char *project, const char *env)
{
    out->sm_prefix = xasprintf("%s-%s-", project, env);
    out->locks_table = xasprintf("%swfgen-locks", out->sm_prefix);
    out->cleanup_machine = xasprintf("%swfgen-cleanup", out->sm_prefix);
    out->cleanup_role = xasprintf("%s-sfn", out->cleanup_machine);
    out->cleanup_log_group = xasprintf("/aws/vendedlogs/states/%s", out->cleanup_machine);
    out->cleanup_rule = xstrdup(out->cleanup_machine);
    out->events_role = xasprintf("%s-events", out->cleanup_machine);
    out->operator_policy = xasprintf("%swfgen-operator", out->sm_prefix);
}

static const char *field(const void *names, const struct name_rule *r)
{
    return *(char *const *)((const char *)names + r->offset);
}

static int check_rules(const void *names, const struct name_rule *rv, size_t n,
                       unsigned uses, struct loc loc, struct diag_list *dl)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct name_rule *r = &rv[i];
        if (r->when && !(r->when & uses))
            continue;
        const char *name = field(names, r);
        size_t len = strlen(name);
        if (len > r->max) {
            rc = diag_add(dl, D_NAME_TOO_LONG, loc,
                          "%s '%s' is %zu characters, %zu over the AWS limit of %zu",
                          r->what, name, len, len - r->max, r->max);
            diag_note(dl, "shorten the workflow key, project or env by %zu characters",
                      len - r->max);
        } else if (len < r->min) {
            rc = diag_add(dl, D_NAME_TOO_LONG, loc,
                          "%s '%s' is %zu characters, under the AWS minimum of %zu",
                          r->what, name, len, r->min);
        }
        size_t ok = strspn(name, r->charset);
        if (ok < len) {
            rc = diag_add(dl, D_NAME_CHARSET, loc,
                          "%s '%s' contains '%c', which AWS forbids", r->what, name,
                          name[ok]);
            diag_note(dl, "allowed characters: letters, digits and '%s'",
                      r->charset + 62);
        }
    }
    return rc;
}

int naming_check(const struct wf_names *names, struct loc loc, struct diag_list *dl)
{
    return check_rules(names, rules, ARRAY_SIZE(rules), 0, loc, dl);
}

int naming_check_catalog(const struct cat_names *names, unsigned uses, struct loc loc,
                         struct diag_list *dl)
{
    return check_rules(names, cat_rules, ARRAY_SIZE(cat_rules), uses, loc, dl);
}

void naming_release(struct wf_names *names)
{
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
        free(*(char **)((char *)names + rules[i].offset));
    memset(names, 0, sizeof(*names));
}

void naming_release_catalog(struct cat_names *names)
{
    for (size_t i = 0; i < ARRAY_SIZE(cat_rules); i++)
        free(*(char **)((char *)names + cat_rules[i].offset));
    free(names->sm_prefix);
    memset(names, 0, sizeof(*names));
}
