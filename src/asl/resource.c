/*
 * The Resource of Task states, ItemReaders and ResultWriters: an ARN of the shape
 * arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with Lambda function names and
 * qualifiers checked closely. Malformed ARNs and unterminated ${ placeholders are
 * errors; a string that is no ARN at all (the spec allows any URI) is a warning.
 */
#include "asl/asl_int.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define LAMBDA_NAME_MAX      64
#define LAMBDA_QUALIFIER_MAX 128

/* True when the n bytes at s are ASCII letters, digits or one of `extra`. */
static bool chars_in(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9');
        if (!alnum && (!ch || !strchr(extra, ch)))
            return false;
    }
    return true;
}

static bool printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* The six parts of an ARN; `resource` runs to the end and may hold ':'. */
struct arn_parts {
    const char *part[5]; /* "arn", partition, service, region, account */
    size_t len[5];
    const char *resource;
};

static bool arn_split(const char *s, struct arn_parts *a)
{
    const char *p = s;
    for (size_t i = 0; i < 5; i++) {
        const char *colon = strchr(p, ':');
        if (!colon)
            return false;
        a->part[i] = p;
        a->len[i] = (size_t)(colon - p);
        p = colon + 1;
    }
    a->resource = p;
    return true;
}

/* "function:NAME" or "function:NAME:QUALIFIER"; NULL when fine, else why not. */
static char *lambda_problem(const char *res)
{
    if (strncmp(res, "function:", 9))
        return xasprintf("a Lambda ARN in a Task names a function: "
                         "'function:<name>[:<version or alias>]', not '%s'",
                         res);
    const char *name = res + 9, *colon = strchr(name, ':');
    size_t n = colon ? (size_t)(colon - name) : strlen(name);
    if (!n || n > LAMBDA_NAME_MAX || !chars_in(name, n, "-_"))
        return xasprintf("'%.*s' is not a Lambda function name (1 to %d letters, digits, "
                         "'-' or '_')",
                         (int)n, name, LAMBDA_NAME_MAX);
    if (!colon)
        return NULL;
    const char *q = colon + 1;
    size_t qn = strlen(q);
    if (!strcmp(q, "$LATEST") ||
        (qn && qn <= LAMBDA_QUALIFIER_MAX && chars_in(q, qn, "-_")))
        return NULL;
    if (!qn)
        return xasprintf("the ARN ends in ':' but names no version or alias");
    return xasprintf("'%s' is not a Lambda version or alias ($LATEST, a number, or "
                     "letters, digits, '-' and '_')",
                     q);
}

/*
 * A service integration, "arn:<p>:states:::<service>:<action>[.sync|.sync:2|
 * .waitForTaskToken]" (aws-sdk: "aws-sdk:<service>:<action>"): NULL when fine.
 */
static char *integration_problem(const char *res)
{
    size_t svc = strcspn(res, ":"), n = strlen(res);
    if (!svc || !chars_in(res, svc, "-") || !res[svc] || !res[svc + 1] ||
        !chars_in(res, n, "-_.:") || res[n - 1] == ':' || res[n - 1] == '.')
        return xasprintf("'%s' is not a service integration such as 'lambda:invoke', "
                         "'ecs:runTask.sync' or 'aws-sdk:s3:listBuckets'",
                         res);
    return NULL;
}

/* What is wrong with an "arn:..." string; NULL when it is a well-formed ARN. */
static char *arn_problem(const char *s)
{
    struct arn_parts a;
    if (!printable(s))
        return xasprintf("an ARN holds no whitespace or control characters");
    if (!arn_split(s, &a) || !*a.resource)
        return xasprintf("an ARN has six parts: "
                         "arn:<partition>:<service>:<region>:<account>:<resource>");
    if (a.len[1] < 3 || strncmp(a.part[1], "aws", 3) ||
        !chars_in(a.part[1], a.len[1], "-"))
        return xasprintf("'%.*s' is not an AWS partition (aws, aws-cn, aws-us-gov, ...)",
                         (int)a.len[1], a.part[1]);
    if (!a.len[2] || !chars_in(a.part[2], a.len[2], "-"))
        return xasprintf("'%.*s' is not an AWS service name", (int)a.len[2], a.part[2]);
    if (!chars_in(a.part[3], a.len[3], "-"))
        return xasprintf("'%.*s' is not a region", (int)a.len[3], a.part[3]);
    if (!chars_in(a.part[4], a.len[4], "-_"))
        return xasprintf("'%.*s' is not an account ID", (int)a.len[4], a.part[4]);
    if (a.len[2] == 6 && !strncmp(a.part[2], "lambda", 6))
        return lambda_problem(a.resource);
    if (a.len[2] == 6 && !strncmp(a.part[2], "states", 6) && !a.len[3] && !a.len[4])
        return integration_problem(a.resource);
    return NULL;
}

/* True when s holds "${" with no '}' after it. */
static bool unterminated_placeholder(const char *s)
{
    const char *open = strstr(s, "${");
    return open && !strchr(open + 2, '}');
}

void asl_check_resource(struct asl_ctx *c, const json_t *parent, const char *key,
                        const char *where)
{
    const json_t *v = json_object_get(parent, key);
    const char *s = json_string_value(v);
    struct loc loc = asl_loc(c, parent, key, 0);
    if (!s || asl_placeholder(c, v))
        return;
    if (unterminated_placeholder(s)) {
        asl_diag(c, D_ASL_RESOURCE_ARN, loc,
                 "'%s' of %s holds a '${' placeholder that is never closed", key, where);
        asl_note(c, "a placeholder reads \"${Name}\"; Step Functions refuses a Resource "
                    "that is no ARN");
        return;
    }
    if (strstr(s, "${")) {
        asl_diag(c, D_ASL_RESOURCE_NOT_ARN, loc,
                 "'%s' of %s is not an ARN until its ${...} placeholder is substituted",
                 key, where);
        asl_note(c, "to check a SAM or Terraform template, pass --allow-placeholders");
        return;
    }
    if (strncmp(s, "arn:", 4)) {
        asl_diag(c, D_ASL_RESOURCE_NOT_ARN, loc, "'%s' of %s is not an ARN: '%s'", key,
                 where, s);
        asl_note(c, "Step Functions accepts service integrations "
                    "(arn:aws:states:::<service>:<action>), Lambda function ARNs and "
                    "activity ARNs, and refuses other URIs when the machine is created");
        return;
    }
    char *why = arn_problem(s);
    if (!why)
        return;
    asl_diag(c, D_ASL_RESOURCE_ARN, loc, "'%s' of %s is not a valid ARN", key, where);
    asl_note(c, "%s", why);
    free(why);
}
