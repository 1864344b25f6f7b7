/*
 * Derived AWS names (SPEC section 2, naming table) and their limits (aws-facts.md
 * section 6). One table lists every name with its limit and charset.
 */
#include "naming.h"

#include "base/xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHARS_ALNUM "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

struct name_rule {
    const char *what;    /* "state machine name" */
    size_t offset;       /* field in struct wf_names */
    size_t max;          /* AWS length limit */
    const char *charset; /* every allowed character */
};

static const struct name_rule rules[] = {
    {"state machine name", offsetof(struct wf_names, state_machine), 80, CHARS_ALNUM "_-"},
    {"execution role name", offsetof(struct wf_names, role), 64, CHARS_ALNUM "+=,.@_-"},
    {"execution role policy name", offsetof(struct wf_names, policy), 128,
     CHARS_ALNUM "+=,.@_-"},
    {"schedule name", offsetof(struct wf_names, schedule), 64, CHARS_ALNUM "_.-"},
    {"schedule group name", offsetof(struct wf_names, group), 64, CHARS_ALNUM "_.-"},
    {"scheduler role name", offsetof(struct wf_names, scheduler_role), 64,
     CHARS_ALNUM "+=,.@_-"},
    {"log group name", offsetof(struct wf_names, log_group), 512, CHARS_ALNUM "_./#-"},
};

void naming_derive(struct wf_names *out, const char *project, const char *env, const char *key)
{
    out->state_machine = xasprintf("%s-%s-%s", project, env, key);
    out->role = xasprintf("%s-sfn", out->state_machine);
    out->policy = xstrdup(out->role);
    out->schedule = xstrdup(out->state_machine);
    out->group = xasprintf("%s-%s", project, env);
    out->scheduler_role = xasprintf("%s-scheduler", out->state_machine);
    out->log_group = xasprintf("/aws/vendedlogs/states/%s", out->state_machine);
}

static const char *field(const struct wf_names *names, const struct name_rule *r)
{
    return *(char *const *)((const char *)names + r->offset);
}

int naming_check(const struct wf_names *names, struct loc loc, struct diag_list *dl)
{
    int rc = 0;
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        const struct name_rule *r = &rules[i];
        const char *name = field(names, r);
        size_t len = strlen(name);
        if (len > r->max) {
            rc = diag_add(dl, D_NAME_TOO_LONG, loc,
                          "%s '%s' is %zu characters, %zu over the AWS limit of %zu", r->what,
                          name, len, len - r->max, r->max);
            diag_note(dl, "shorten the workflow key, project or env by %zu characters",
                      len - r->max);
        }
        size_t ok = strspn(name, r->charset);
        if (ok < len) {
            rc = diag_add(dl, D_NAME_CHARSET, loc, "%s '%s' contains '%c', which AWS forbids",
                          r->what, name, name[ok]);
            diag_note(dl, "allowed characters: letters, digits and '%s'", r->charset + 62);
        }
    }
    return rc;
}

void naming_release(struct wf_names *names)
{
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
        free(*(char **)((char *)names + rules[i].offset));
    memset(names, 0, sizeof(*names));
}
