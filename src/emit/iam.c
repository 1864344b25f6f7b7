/*
 * Execution-role policy derivation: walks every Task (also inside Parallel branches and
 * Map processors) and every distributed Map, turns each into grants (actions on ARNs,
 * after aws-facts.md sections 2-4), merges grants into statements, then adds logging,
 * X-Ray and the catalog's iam_extra statements.
 */
#include "emit/iam.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ==== string vectors ==================================================================
 */

struct strv {
    char **v;
    size_t nr, alloc;
};

static void strv_push(struct strv *sv, char *s)
{
    VEC_GROW(sv->v, sv->nr + 1, sv->alloc);
    sv->v[sv->nr++] = s;
}

static void strv_pushf(struct strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void strv_pushf(struct strv *sv, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    strv_push(sv, strbuf_detach(&sb, NULL));
}

static bool strv_has(const struct strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->nr; i++)
        if (!strcmp(sv->v[i], s))
            return true;
    return false;
}

static void strv_release(struct strv *sv)
{
    for (size_t i = 0; i < sv->nr; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->nr = sv->alloc = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts bytewise (locale-free) and drops duplicates. */
static void strv_sort_uniq(struct strv *sv)
{
    if (sv->nr < 2)
        return;
    qsort(sv->v, sv->nr, sizeof(*sv->v), cmp_str);
    size_t n = 1;
    for (size_t i = 1; i < sv->nr; i++) {
        if (strcmp(sv->v[i], sv->v[n - 1]))
            sv->v[n++] = sv->v[i];
        else
            free(sv->v[i]);
    }
    sv->nr = n;
}

static json_t *strv_to_json(const struct strv *sv)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sv->nr; i++)
        json_array_append_new(a, json_string(sv->v[i]));
    return a;
}

/* ==== statements and grants ============================================================
 */

struct stmt {
    char *sid;   /* purpose of the first grant */
    char *group; /* Sid used once a grant with another purpose merges in */
    bool mixed;
    char *key; /* merge key: sorted actions, then the condition text */
    struct strv actions, resources;
    json_t *cond; /* new object, or NULL */
};

struct builder {
    const struct iam_ctx *ctx;
    const struct ydoc *doc;
    struct diag_list *dl;
    struct stmt *st;
    size_t nst, ast;
    bool failed;
};

/*
 * Adds a grant: the NULL-terminated `actions` on the resources in `res` (whose strings
 * it takes over; `res` is left empty) under `cond` (stolen, may be NULL). A grant whose
 * actions and condition equal an earlier statement's joins it, so statements keep the
 * order in which the definition first needed them. A grant without resources is dropped.
 */
static void grant(struct builder *b, const char *sid, const char *group,
                  const char *const *actions, struct strv *res, json_t *cond)
{
    if (!res->nr) {
        json_decref(cond);
        strv_release(res);
        return;
    }
    struct strv acts = {0};
    for (size_t i = 0; actions[i]; i++)
        strv_push(&acts, xstrdup(actions[i]));
    strv_sort_uniq(&acts);
    struct strbuf key = STRBUF_INIT;
    for (size_t i = 0; i < acts.nr; i++)
        strbuf_addf(&key, "%s\n", acts.v[i]);
    if (cond) {
        char *c = jout_compact(cond);
        strbuf_adds(&key, c);
        free(c);
    }
    struct stmt *s = NULL;
    for (size_t i = 0; i < b->nst && !s; i++)
        if (!strcmp(b->st[i].key, key.buf))
            s = &b->st[i];
    if (s) {
        if (strcmp(s->sid, sid))
            s->mixed = true;
        strv_release(&acts);
        strbuf_release(&key);
        json_decref(cond);
    } else {
        VEC_GROW(b->st, b->nst + 1, b->ast);
        s = &b->st[b->nst++];
        memset(s, 0, sizeof(*s));
        s->sid = xstrdup(sid);
        s->group = xstrdup(group);
        s->key = strbuf_detach(&key, NULL);
        s->actions = acts;
        s->cond = cond;
    }
    for (size_t i = 0; i < res->nr; i++)
        strv_push(&s->resources, res->v[i]);
    free(res->v);
    memset(res, 0, sizeof(*res));
}

/* grant() with one printf-formatted resource. */
static void grant1(struct builder *b, const char *sid, const char *group,
                   const char *const *actions, json_t *cond, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void grant1(struct builder *b, const char *sid, const char *group,
                   const char *const *actions, json_t *cond, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    struct strv res = {0};
    strv_push(&res, strbuf_detach(&sb, NULL));
    grant(b, sid, group, actions, &res, cond);
}

static void builder_release(struct builder *b)
{
    for (size_t i = 0; i < b->nst; i++) {
        struct stmt *s = &b->st[i];
        free(s->sid);
        free(s->group);
        free(s->key);
        strv_release(&s->actions);
        strv_release(&s->resources);
        json_decref(s->cond);
    }
    free(b->st);
}

/* ---- action sets ------------------------------------------------------------------- */

static const char *const A_ECS_RUN[] = {"ecs:RunTask", NULL};
static const char *const A_ECS_SYNC[] = {"ecs:DescribeTasks", "ecs:StopTask", NULL};
static const char *const A_ECS_TAG[] = {"ecs:TagResource", NULL};
static const char *const A_PASSROLE[] = {"iam:PassRole", NULL};
static const char *const A_EVENTS_RULE[] = {"events:DescribeRule", "events:PutRule",
                                            "events:PutTargets", NULL};
static const char *const A_SFN_START[] = {"states:StartExecution", NULL};
static const char *const A_SFN_SYNC[] = {"states:DescribeExecution",
                                         "states:StopExecution", NULL};
static const char *const A_DMAP_CHILD[] = {
    "states:DescribeExecution", "states:RedriveExecution", "states:StopExecution", NULL};
static const char *const A_BATCH_SYNC[] = {"batch:DescribeJobs", "batch:SubmitJob",
                                           "batch:TerminateJob", NULL};
static const char *const A_GLUE_SYNC[] = {"glue:BatchStopJobRun", "glue:GetJobRun",
                                          "glue:GetJobRuns", "glue:StartJobRun", NULL};
static const char *const A_ATHENA[] = {"athena:GetDataCatalog",
                                       "athena:StartQueryExecution", NULL};
static const char *const A_ATHENA_SYNC[] = {
    "athena:GetDataCatalog", "athena:GetQueryExecution", "athena:StartQueryExecution",
    "athena:StopQueryExecution", NULL};
static const char *const A_ATHENA_S3[] = {"s3:AbortMultipartUpload",
                                          "s3:CreateBucket",
                                          "s3:GetBucketLocation",
                                          "s3:GetObject",
                                          "s3:ListBucket",
                                          "s3:ListBucketMultipartUploads",
                                          "s3:ListMultipartUploadParts",
                                          "s3:PutObject",
                                          NULL};
static const char *const A_ATHENA_GLUE[] = {"glue:BatchCreatePartition",
                                            "glue:BatchDeletePartition",
                                            "glue:BatchDeleteTable",
                                            "glue:BatchGetPartition",
                                            "glue:CreateDatabase",
                                            "glue:CreatePartition",
                                            "glue:CreateTable",
                                            "glue:DeleteDatabase",
                                            "glue:DeletePartition",
                                            "glue:DeleteTable",
                                            "glue:GetDatabase",
                                            "glue:GetDatabases",
                                            "glue:GetPartition",
                                            "glue:GetPartitions",
                                            "glue:GetTable",
                                            "glue:GetTables",
                                            "glue:UpdateDatabase",
                                            "glue:UpdatePartition",
                                            "glue:UpdateTable",
                                            NULL};
static const char *const A_LAKEFORMATION[] = {"lakeformation:GetDataAccess", NULL};
static const char *const A_HTTP_CONN[] = {"events:RetrieveConnectionCredentials", NULL};
static const char *const A_HTTP_SECRET[] = {"secretsmanager:DescribeSecret",
                                            "secretsmanager:GetSecretValue", NULL};
static const char *const A_S3_LIST[] = {"s3:ListBucket", NULL};
static const char *const A_S3_GET[] = {"s3:GetObject", NULL};
static const char *const A_S3_WRITE[] = {"s3:AbortMultipartUpload", "s3:GetObject",
                                         "s3:ListMultipartUploadParts", "s3:PutObject",
                                         NULL};
static const char *const A_STS_ASSUME[] = {"sts:AssumeRole", NULL};
static const char *const A_LOGS_DELIVERY[] = {
    "logs:CreateLogDelivery",        "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies", "logs:GetLogDelivery",    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",        "logs:UpdateLogDelivery", NULL};
static const char *const A_LOGS_WRITE[] = {"logs:CreateLogStream", "logs:PutLogEvents",
                                           NULL};
static const char *const A_XRAY[] = {"xray:GetSamplingRules", "xray:GetSamplingTargets",
                                     "xray:PutTelemetryRecords", "xray:PutTraceSegments",
                                     NULL};

/* Managed rules need these three actions, all under one Sid once several merge. */
#define MANAGED_RULES_SID "SyncManagedRules"

/* ---- integrations table ------------------------------------------------------------ */

enum { P_RR = 1, P_SYNC = 2, P_SYNC2 = 4, P_WFTT = 8 };

struct task;
typedef void integ_fn(struct task *t);

struct integ {
    const char *name; /* "ecs:runTask" */
    unsigned patterns;
    integ_fn *fn;
    const char *action; /* main IAM action */
    const char *sid;
};

#define IAM_INTEG(name, pats, handler, action, sid) static integ_fn h_##handler;
#include "emit/iam_integrations.def"
#undef IAM_INTEG

static const struct integ integs[] = {
#define IAM_INTEG(name, pats, handler, action, sid)                                      \
    {name, pats, h_##handler, action, sid},
#include "emit/iam_integrations.def"
#undef IAM_INTEG
};

static const struct {
    const char *suffix;
    unsigned pattern;
} suffixes[] = {
    {".waitForTaskToken", P_WFTT},
    {".sync:2", P_SYNC2}, /* before ".sync": both end the same way */
    {".sync", P_SYNC},
};

/* ---- one Task (or Map reader/writer) ----------------------------------------------- */

struct task {
    struct builder *b;
    const char *name;     /* state name, for messages */
    const json_t *state;  /* the state, or the ItemReader/ResultWriter object */
    const json_t *args;   /* Parameters / Arguments object, or NULL */
    const char *args_key; /* "Parameters" or "Arguments" */
    bool jsonata;
    bool args_dynamic; /* JSONata Arguments given as one expression */
    unsigned pattern;
    const struct integ *integ;
};

static struct loc no_loc(void)
{
    return (struct loc){.file = NULL};
}

static struct loc member_loc(const struct builder *b, const json_t *obj, const char *key)
{
    return b->doc && obj ? yload_member_loc(b->doc, obj, key) : no_loc();
}

static struct loc key_loc(const struct builder *b, const json_t *obj, const char *key)
{
    return b->doc && obj ? yload_key_loc(b->doc, obj, key) : no_loc();
}

static struct loc index_loc(const struct builder *b, const json_t *arr, size_t i)
{
    return b->doc && arr ? yload_index_loc(b->doc, arr, i) : no_loc();
}

static bool is_jsonata_expr(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && !strncmp(s, "{%", 2) && !strcmp(s + n - 2, "%}");
}

static void init_task(struct task *t, struct builder *b, const char *name,
                      const json_t *state, bool jsonata)
{
    memset(t, 0, sizeof(*t));
    t->b = b;
    t->name = name;
    t->state = state;
    t->jsonata = jsonata;
    t->args_key = jsonata ? "Arguments" : "Parameters";
    const json_t *a = json_object_get(state, t->args_key);
    if (json_is_object(a))
        t->args = a;
    else if (jsonata && json_is_string(a) && is_jsonata_expr(json_string_value(a)))
        t->args_dynamic = true;
}

/* ---- diagnostics: every one is waived when the catalog supplies iam_extra ---------- */

static void note_fix(struct builder *b, const char *alternative)
{
    diag_note(
        b->dl,
        "%sdeclare `iam_extra` statements for this workflow in the catalog to grant "
        "this access by hand",
        alternative);
}

static void fail_dynamic(struct task *t, struct loc loc, const char *field,
                         const char *sfx)
{
    struct builder *b = t->b;
    if (b->ctx->iam_extra)
        return;
    diag_add(b->dl, D_IAM_DYNAMIC_RESOURCE, loc,
             "'%s%s' of state '%s' is computed at run time, so no IAM resource can be "
             "derived for it",
             field, sfx, t->name);
    char *alt = xasprintf("use a literal %s, or ", field);
    note_fix(b, alt);
    free(alt);
    b->failed = true;
}

static void fail_target(struct task *t, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_target(struct task *t, struct loc loc, const char *fmt, ...)
{
    struct builder *b = t->b;
    if (b->ctx->iam_extra)
        return;
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(b->dl, D_IAM_BAD_TARGET, loc, "%s in state '%s'", sb.buf, t->name);
    strbuf_release(&sb);
    note_fix(b, "");
    b->failed = true;
}

static void fail_unknown(struct task *t, const char *resource, const char *why)
{
    struct builder *b = t->b;
    if (b->ctx->iam_extra)
        return;
    diag_add(b->dl, D_IAM_UNKNOWN_INTEGRATION, member_loc(b, t->state, "Resource"),
             "%s: '%s' in state '%s'", why, resource, t->name);
    note_fix(b, "");
    b->failed = true;
}

/* ---- arguments --------------------------------------------------------------------- */

enum arg_kind { ARG_ABSENT, ARG_LITERAL, ARG_DYNAMIC };

struct arg {
    enum arg_kind kind;
    const json_t *val;       /* ARG_LITERAL */
    struct loc loc;          /* the field; its container when absent */
    const char *field, *sfx; /* how the dynamic field is spelled: "Key" + ".$" */
};

/*
 * Looks `key` up in `obj` (the Task's arguments or an object inside them), telling a
 * literal from a run-time value: "Key.$" in JSONPath states, a whole "{% ... %}"
 * string in JSONata states. Reports nothing.
 */
static struct arg arg_get(const struct task *t, const json_t *obj, const char *key)
{
    const struct builder *b = t->b;
    struct arg a = {.kind = ARG_ABSENT, .field = key, .sfx = ""};
    if (obj == t->args && t->args_dynamic) {
        a.kind = ARG_DYNAMIC;
        a.field = t->args_key;
        a.loc = member_loc(b, t->state, t->args_key);
        return a;
    }
    if (!json_is_object(obj)) {
        a.loc = member_loc(b, t->state, obj ? t->args_key : "Resource");
        return a;
    }
    if (!t->jsonata) {
        char *dkey = xasprintf("%s.$", key);
        bool dyn = json_object_get(obj, dkey) != NULL;
        if (dyn)
            a.loc = key_loc(b, obj, dkey);
        free(dkey);
        if (dyn) {
            a.kind = ARG_DYNAMIC;
            a.sfx = ".$";
            return a;
        }
    }
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        a.loc = b->doc ? yload_loc(b->doc, obj) : no_loc();
        return a;
    }
    a.loc = member_loc(b, obj, key);
    if (t->jsonata && json_is_string(v) && is_jsonata_expr(json_string_value(v))) {
        a.kind = ARG_DYNAMIC;
        return a;
    }
    a.kind = ARG_LITERAL;
    a.val = v;
    return a;
}

/*
 * Returns the literal string `key`, or `dflt` when it is absent; NULL after reporting
 * a run-time value, a non-string, or an absent key without default.
 */
static const char *arg_str(struct task *t, const json_t *obj, const char *key,
                           const char *dflt, struct loc *loc)
{
    struct arg a = arg_get(t, obj, key);
    *loc = a.loc;
    switch (a.kind) {
    case ARG_ABSENT:
        if (!dflt)
            fail_target(t, a.loc, "'%s' is missing", key);
        return dflt;
    case ARG_DYNAMIC:
        fail_dynamic(t, a.loc, a.field, a.sfx);
        return NULL;
    case ARG_LITERAL:
        break;
    }
    if (!json_is_string(a.val) || !*json_string_value(a.val)) {
        fail_target(t, a.loc, "'%s' is not a non-empty string", key);
        return NULL;
    }
    return json_string_value(a.val);
}

/* ---- ARN helpers ------------------------------------------------------------------- */

struct arn {
    char *buf; /* owned copy, split in place */
    const char *partition, *service, *region, *account, *resource;
};

/* Splits "arn:p:service:region:account:resource"; false when s is no such ARN. */
static bool arn_parse(struct arn *out, const char *s)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(s, "arn:", 4))
        return false;
    out->buf = xstrdup(s + 4);
    char *f[4], *p = out->buf;
    for (int i = 0; i < 4; i++) {
        f[i] = p;
        p = strchr(p, ':');
        if (!p) {
            free(out->buf);
            out->buf = NULL;
            return false;
        }
        *p++ = '\0';
    }
    out->partition = f[0];
    out->service = f[1];
    out->region = f[2];
    out->account = f[3];
    out->resource = p;
    return *f[0] && *f[1] && *p;
}

/* arn_parse() that also checks the service and the resource prefix. */
static bool arn_parse_as(struct arn *out, const char *s, const char *service,
                         const char *res_prefix)
{
    return arn_parse(out, s) && !strcmp(out->service, service) &&
           !strncmp(out->resource, res_prefix, strlen(res_prefix)) &&
           out->resource[strlen(res_prefix)];
}

static void arn_release(struct arn *a)
{
    free(a->buf);
    a->buf = NULL;
}

/* True when s[0..n) is non-empty and made of letters, digits and `extra`. */
static bool name_ok(const char *s, size_t n, const char *extra)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
            return false;
    return true;
}

/* An IAM role ARN for a catalog role name (or the ARN itself); new string. */
static char *role_arn(const struct iam_ctx *c, const char *role)
{
    if (!strncmp(role, "arn:", 4))
        return xstrdup(role);
    return xasprintf("arn:%s:iam::%s:role/%s", c->partition, c->account_id, role);
}

static void managed_rule(struct task *t, const char *sid, const char *rule)
{
    const struct iam_ctx *c = t->b->ctx;
    grant1(t->b, sid, MANAGED_RULES_SID, A_EVENTS_RULE, NULL,
           "arn:%s:events:%s:%s:rule/%s", c->partition, c->region, c->account_id, rule);
}

/* ---- ECS --------------------------------------------------------------------------- */

/* RunTask on the task definition's family, all revisions, whatever form it is given in.
 */
static void ecs_task_definition(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct loc loc;
    const char *td = arg_str(t, t->args, "TaskDefinition", NULL, &loc);
    if (!td)
        return;
    const char *p = c->partition, *r = c->region, *a = c->account_id, *fam = td;
    struct arn arn = {0};
    if (!strncmp(td, "arn:", 4)) {
        if (!arn_parse_as(&arn, td, "ecs", "task-definition/")) {
            fail_target(t, loc, "TaskDefinition '%s' is not a task definition ARN", td);
            goto out;
        }
        p = arn.partition, r = arn.region, a = arn.account;
        fam = arn.resource + strlen("task-definition/");
    }
    size_t n = strcspn(fam, ":");
    if (!name_ok(fam, n, "-_")) {
        fail_target(t, loc, "TaskDefinition '%s' names no task definition family", td);
        goto out;
    }
    grant1(t->b, t->integ->sid, t->integ->sid, A_ECS_RUN, NULL,
           "arn:%s:ecs:%s:%s:task-definition/%.*s:*", p, r, a, (int)n, fam);
out:
    arn_release(&arn);
}

/* "arn:p:ecs:r:a:task/{cluster}" for the Task's cluster; new string, or NULL (reported).
 */
static char *ecs_tasks_arn(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct loc loc;
    const char *dflt = c->ecs_cluster ? c->ecs_cluster : "default";
    const char *cl = arg_str(t, t->args, "Cluster", dflt, &loc);
    if (!cl)
        return NULL;
    char *out = NULL;
    struct arn arn = {0};
    if (!strncmp(cl, "arn:", 4)) {
        if (arn_parse_as(&arn, cl, "ecs", "cluster/"))
            out = xasprintf("arn:%s:ecs:%s:%s:task/%s", arn.partition, arn.region,
                            arn.account, arn.resource + strlen("cluster/"));
        else
            fail_target(t, loc, "Cluster '%s' is not a cluster ARN", cl);
        arn_release(&arn);
        return out;
    }
    return xasprintf("arn:%s:ecs:%s:%s:task/%s", c->partition, c->region, c->account_id,
                     cl);
}

/*
 * Tag-on-create needs ecs:TagResource. Tags, PropagateTags and EnableECSManagedTags
 * count unless they plainly ask for nothing (false, "NONE", an empty list); a value
 * computed at run time counts.
 */
static bool ecs_tags_requested(struct task *t)
{
    static const char *const keys[] = {"Tags", "PropagateTags", "EnableECSManagedTags"};
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        struct arg a = arg_get(t, t->args, keys[i]);
        if (a.kind == ARG_DYNAMIC)
            return true;
        if (a.kind == ARG_ABSENT || json_is_false(a.val) ||
            (json_is_array(a.val) && !json_array_size(a.val)) ||
            (json_is_string(a.val) && !strcmp(json_string_value(a.val), "NONE")))
            continue;
        return true;
    }
    return false;
}

/*
 * PassRole is limited to the catalog's task and execution roles, plus literal roles in
 * Overrides. A role override computed at run time is not granted: passing a role
 * outside these fails at run time, which is the least-privilege outcome.
 */
static void ecs_pass_role(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct strv roles = {0};
    if (c->ecs_task_role)
        strv_push(&roles, role_arn(c, c->ecs_task_role));
    if (c->ecs_execution_role)
        strv_push(&roles, role_arn(c, c->ecs_execution_role));
    struct arg ov = arg_get(t, t->args, "Overrides");
    static const char *const keys[] = {"TaskRoleArn", "ExecutionRoleArn"};
    for (size_t i = 0; ov.kind == ARG_LITERAL && i < ARRAY_SIZE(keys); i++) {
        struct arg r = arg_get(t, ov.val, keys[i]);
        if (r.kind == ARG_LITERAL && json_is_string(r.val) && *json_string_value(r.val))
            strv_push(&roles, role_arn(c, json_string_value(r.val)));
    }
    json_t *cond = json_pack("{s:{s:s}}", "StringEquals", "iam:PassedToService",
                             "ecs-tasks.amazonaws.com");
    grant(t->b, "PassRoleToEcs", "PassRoleToEcs", A_PASSROLE, &roles, cond);
}

static void h_ecs_run_task(struct task *t)
{
    ecs_task_definition(t);
    bool sync = t->pattern == P_SYNC, tags = ecs_tags_requested(t);
    char *tasks = sync || tags ? ecs_tasks_arn(t) : NULL;
    if (sync && tasks) {
        grant1(t->b, "EcsManageTasks", "EcsManageTasks", A_ECS_SYNC, NULL, "%s/*", tasks);
    }
    if (sync)
        managed_rule(t, "EcsSyncManagedRule", "StepFunctionsGetEventsForECSTaskRule");
    ecs_pass_role(t);
    if (tags && tasks) {
        json_t *cond =
            json_pack("{s:{s:s}}", "StringEquals", "ecs:CreateAction", "RunTask");
        grant1(t->b, "EcsTagResource", "EcsTagResource", A_ECS_TAG, cond, "%s/*", tasks);
    }
    free(tasks);
}

/* ---- Lambda ------------------------------------------------------------------------ */

/*
 * Adds the function's ARN and its ":*" (versions and aliases) to `res`. `fn` is a name,
 * "account:function:name" or a full ARN, each optionally ending in ":qualifier".
 */
static bool lambda_arns(const struct iam_ctx *c, const char *fn, struct strv *res)
{
    char *copy = xstrdup(fn), *f[9] = {NULL};
    size_t n = 0;
    bool ok = false;
    for (char *p = copy; p && n < ARRAY_SIZE(f); n++) {
        f[n] = p;
        p = strchr(p, ':');
        if (p)
            *p++ = '\0';
    }
    const char *p = c->partition, *r = c->region, *a = c->account_id, *name = NULL;
    if (n > 8)
        goto out; /* more fields than a qualified ARN has */
    if (!strcmp(f[0], "arn")) {
        if ((n == 7 || n == 8) && !strcmp(f[2], "lambda") && !strcmp(f[5], "function"))
            p = f[1], r = f[3], a = f[4], name = f[6];
    } else if (n >= 3 && !strcmp(f[1], "function")) {
        if (n <= 4)
            a = f[0], name = f[2];
    } else if (n <= 2) {
        name = f[0];
    }
    if (!name || !name_ok(name, strlen(name), "-_") || !*p || !*r || !*a)
        goto out;
    strv_pushf(res, "arn:%s:lambda:%s:%s:function:%s", p, r, a, name);
    strv_pushf(res, "arn:%s:lambda:%s:%s:function:%s:*", p, r, a, name);
    ok = true;
out:
    free(copy);
    return ok;
}

static void h_lambda_invoke(struct task *t)
{
    struct loc loc;
    const char *fn = arg_str(t, t->args, "FunctionName", NULL, &loc);
    struct strv res = {0};
    if (!fn)
        return;
    if (!lambda_arns(t->b->ctx, fn, &res)) {
        fail_target(t, loc, "FunctionName '%s' is not a Lambda function name or ARN", fn);
        return;
    }
    grant(t->b, "LambdaInvoke", "LambdaInvoke",
          (const char *const[]){t->integ->action, NULL}, &res, NULL);
}

/* The legacy form: the function ARN itself is the Task's Resource. */
static void legacy_lambda(struct task *t, const char *resource)
{
    static const char *const act[] = {"lambda:InvokeFunction", NULL};
    struct strv res = {0};
    if (!lambda_arns(t->b->ctx, resource, &res)) {
        fail_target(t, member_loc(t->b, t->state, "Resource"),
                    "Resource '%s' is not a Lambda function ARN", resource);
        return;
    }
    grant(t->b, "LambdaInvoke", "LambdaInvoke", act, &res, NULL);
}

/* ---- Step Functions ---------------------------------------------------------------- */

static void h_sfn_start(struct task *t)
{
    struct loc loc;
    const char *sm = arg_str(t, t->args, "StateMachineArn", NULL, &loc);
    if (!sm)
        return;
    struct arn arn = {0};
    if (!arn_parse_as(&arn, sm, "states", "stateMachine:")) {
        fail_target(t, loc, "StateMachineArn '%s' is not a state machine ARN", sm);
        arn_release(&arn);
        return;
    }
    const char *name = arn.resource + strlen("stateMachine:");
    int n = (int)strcspn(name, ":");
    grant1(t->b, "StatesStartExecution", "StatesStartExecution", A_SFN_START, NULL, "%s",
           sm);
    if (t->pattern == P_SYNC || t->pattern == P_SYNC2) {
        grant1(t->b, "StatesSyncExecution", "StatesManageExecutions", A_SFN_SYNC, NULL,
               "arn:%s:states:%s:%s:execution:%.*s:*", arn.partition, arn.region,
               arn.account, n, name);
        managed_rule(t, "StatesSyncManagedRule",
                     "StepFunctionsGetEventsForStepFunctionsExecutionRule");
    }
    arn_release(&arn);
}

/* ---- DynamoDB, SNS, SQS, EventBridge ----------------------------------------------- */

static void h_ddb_item(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct loc loc;
    const char *tn = arg_str(t, t->args, "TableName", NULL, &loc);
    const char *const act[] = {t->integ->action, NULL};
    struct arn arn = {0};
    if (!tn)
        return;
    if (!strncmp(tn, "arn:", 4)) {
        if (arn_parse_as(&arn, tn, "dynamodb", "table/"))
            grant1(t->b, t->integ->sid, t->integ->sid, act, NULL, "%s", tn);
        else
            fail_target(t, loc, "TableName '%s' is not a DynamoDB table ARN", tn);
        arn_release(&arn);
        return;
    }
    if (!name_ok(tn, strlen(tn), "-_.")) {
        fail_target(t, loc, "TableName '%s' is not a DynamoDB table name", tn);
        return;
    }
    grant1(t->b, t->integ->sid, t->integ->sid, act, NULL,
           "arn:%s:dynamodb:%s:%s:table/%s", c->partition, c->region, c->account_id, tn);
}

/*
 * Publishing goes to TopicArn or TargetArn (scoped to that ARN); SMS to PhoneNumber has
 * no resource in IAM, so it is the one case granted on "*".
 */
static void h_sns_publish(struct task *t)
{
    static const char *const keys[] = {"TopicArn", "TargetArn"};
    const char *const act[] = {t->integ->action, NULL};
    struct loc loc;
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        if (arg_get(t, t->args, keys[i]).kind == ARG_ABSENT)
            continue;
        const char *arn_s = arg_str(t, t->args, keys[i], NULL, &loc);
        struct arn arn = {0};
        if (arn_s && arn_parse_as(&arn, arn_s, "sns", ""))
            grant1(t->b, t->integ->sid, t->integ->sid, act, NULL, "%s", arn_s);
        else if (arn_s)
            fail_target(t, loc, "%s '%s' is not an SNS ARN", keys[i], arn_s);
        arn_release(&arn);
        return;
    }
    struct arg ph = arg_get(t, t->args, "PhoneNumber");
    if (ph.kind != ARG_ABSENT)
        grant1(t->b, t->integ->sid, t->integ->sid, act, NULL, "*");
    else
        fail_target(t, ph.loc, "sns:publish needs TopicArn, TargetArn or PhoneNumber");
}

/*
 * Region of an SQS endpoint host: sqs.{r}.amazonaws.com[.cn], {r}.queue.amazonaws.com,
 * queue.amazonaws.com (us-east-1) or a VPC endpoint vpce-x.sqs.{r}.vpce.amazonaws.com.
 * Returns a new string or NULL.
 */
static char *sqs_region(const char *host, size_t len)
{
    char *h = xstrndup(host, len), *lab[16];
    size_t n = 0;
    char *out = NULL;
    for (char *p = h; p && n < ARRAY_SIZE(lab); n++) {
        lab[n] = p;
        p = strchr(p, '.');
        if (p)
            *p++ = '\0';
    }
    if (!strcmp(h, "queue") && n == 3 && !strcmp(lab[1], "amazonaws"))
        out = xstrdup("us-east-1");
    for (size_t i = 0; !out && i + 2 < n; i++)
        if (!strcmp(lab[i], "sqs") && strcmp(lab[i + 1], "amazonaws"))
            out = xstrdup(lab[i + 1]);
    if (!out && n >= 3 && !strcmp(lab[1], "queue"))
        out = xstrdup(lab[0]);
    free(h);
    return out;
}

/* The queue ARN for a queue URL https://{host}/{account}/{queue}; new string or NULL. */
static char *sqs_queue_arn(const struct iam_ctx *c, const char *url)
{
    const char *s = url;
    if (!strncmp(s, "https://", 8))
        s += 8;
    else if (!strncmp(s, "http://", 7))
        s += 7;
    else
        return NULL;
    const char *slash = strchr(s, '/');
    if (!slash)
        return NULL;
    const char *acct = slash + 1, *q = strchr(acct, '/');
    if (!q || q - acct != 12 || !name_ok(acct, 12, ""))
        return NULL;
    q++;
    size_t qn = strcspn(q, "/");
    if (q[qn] && strcmp(q + qn, "/"))
        return NULL;
    if (!name_ok(q, qn, "-_."))
        return NULL;
    char *region = sqs_region(s, (size_t)(slash - s));
    if (!region)
        return NULL;
    char *arn =
        xasprintf("arn:%s:sqs:%s:%.12s:%.*s", c->partition, region, acct, (int)qn, q);
    free(region);
    return arn;
}

static void h_sqs_send(struct task *t)
{
    struct loc loc;
    const char *url = arg_str(t, t->args, "QueueUrl", NULL, &loc);
    if (!url)
        return;
    char *arn = sqs_queue_arn(t->b->ctx, url);
    if (!arn) {
        fail_target(t, loc, "QueueUrl '%s' is not an SQS queue URL", url);
        return;
    }
    struct strv res = {0};
    strv_push(&res, arn);
    grant(t->b, t->integ->sid, t->integ->sid,
          (const char *const[]){t->integ->action, NULL}, &res, NULL);
}

/* One event-bus ARN per distinct EventBusName in Entries ("default" when absent). */
static void h_events_put(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct arg e = arg_get(t, t->args, "Entries");
    struct strv res = {0};
    if (e.kind == ARG_DYNAMIC) {
        fail_dynamic(t, e.loc, e.field, e.sfx);
        return;
    }
    if (e.kind == ARG_ABSENT || !json_is_array(e.val) || !json_array_size(e.val)) {
        fail_target(t, e.loc, "'Entries' is missing or not a non-empty list");
        return;
    }
    size_t i;
    const json_t *ent;
    json_array_foreach(e.val, i, ent)
    {
        struct loc loc = index_loc(t->b, e.val, i);
        if (t->jsonata && json_is_string(ent) &&
            is_jsonata_expr(json_string_value(ent))) {
            fail_dynamic(t, loc, "Entries", "");
            continue;
        }
        if (!json_is_object(ent)) {
            fail_target(t, loc, "an element of 'Entries' is not an object");
            continue;
        }
        const char *bus = arg_str(t, ent, "EventBusName", "default", &loc);
        struct arn arn = {0};
        if (!bus)
            continue;
        if (strncmp(bus, "arn:", 4))
            strv_pushf(&res, "arn:%s:events:%s:%s:event-bus/%s", c->partition, c->region,
                       c->account_id, bus);
        else if (arn_parse_as(&arn, bus, "events", "event-bus/"))
            strv_push(&res, xstrdup(bus));
        else
            fail_target(t, loc, "EventBusName '%s' is not an event bus ARN", bus);
        arn_release(&arn);
    }
    grant(t->b, t->integ->sid, t->integ->sid,
          (const char *const[]){t->integ->action, NULL}, &res, NULL);
}

/* ---- Batch, Glue, Athena (no usable resource-level control: "*", as AWS documents) */

static void h_batch_submit(struct task *t)
{
    if (t->pattern != P_SYNC) {
        grant1(t->b, "BatchSubmitJob", "BatchSubmitJob",
               (const char *const[]){t->integ->action, NULL}, NULL, "*");
        return;
    }
    grant1(t->b, "BatchSubmitJobSync", "BatchSubmitJobSync", A_BATCH_SYNC, NULL, "*");
    managed_rule(t, "BatchSyncManagedRule", "StepFunctionsGetEventsForBatchJobsRule");
}

static void h_glue_start(struct task *t)
{
    if (t->pattern != P_SYNC)
        grant1(t->b, "GlueStartJobRun", "GlueStartJobRun",
               (const char *const[]){t->integ->action, NULL}, NULL, "*");
    else
        grant1(t->b, "GlueStartJobRunSync", "GlueStartJobRunSync", A_GLUE_SYNC, NULL,
               "*");
}

/*
 * Athena runs the query with the caller's identity, so the role also needs the S3 and
 * Glue Data Catalog access of AWS's template. The data buckets depend on the tables
 * queried and cannot be known here, hence S3 on every bucket (arn:{p}:s3:::*).
 */
static void h_athena_query(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    const char *p = c->partition, *r = c->region, *a = c->account_id;
    struct loc loc;
    const char *wg = arg_str(t, t->args, "WorkGroup", "primary", &loc);
    if (wg) {
        bool sync = t->pattern == P_SYNC;
        struct strv res = {0};
        strv_pushf(&res, "arn:%s:athena:%s:%s:workgroup/%s", p, r, a, wg);
        strv_pushf(&res, "arn:%s:athena:%s:%s:datacatalog/*", p, r, a);
        grant(t->b, sync ? "AthenaQuerySync" : "AthenaQuery",
              sync ? "AthenaQuerySync" : "AthenaQuery", sync ? A_ATHENA_SYNC : A_ATHENA,
              &res, NULL);
    }
    grant1(t->b, "AthenaS3", "AthenaS3", A_ATHENA_S3, NULL, "arn:%s:s3:::*", p);
    struct strv glue = {0};
    strv_pushf(&glue, "arn:%s:glue:%s:%s:catalog", p, r, a);
    strv_pushf(&glue, "arn:%s:glue:%s:%s:database/*", p, r, a);
    strv_pushf(&glue, "arn:%s:glue:%s:%s:table/*", p, r, a);
    strv_pushf(&glue, "arn:%s:glue:%s:%s:userDefinedFunction/*", p, r, a);
    grant(t->b, "AthenaGlueCatalog", "AthenaGlueCatalog", A_ATHENA_GLUE, &glue, NULL);
    grant1(t->b, "AthenaLakeFormation", "AthenaLakeFormation", A_LAKEFORMATION, NULL,
           "*");
}

/* ---- HTTP -------------------------------------------------------------------------- */

/*
 * InvokeHTTPEndpoint on this state machine, narrowed by method and endpoint when they
 * are literal; the connection's credentials and the secret EventBridge keeps for it
 * (events!connection/{name}/...).
 */
static void h_http_invoke(struct task *t)
{
    const struct iam_ctx *c = t->b->ctx;
    struct loc loc;
    json_t *cond = json_object();
    static const struct {
        const char *arg, *op, *key;
    } conds[] = {
        {"Method", "StringEquals", "states:HTTPMethod"},
        {"ApiEndpoint", "StringLike", "states:HTTPEndpoint"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(conds); i++) {
        struct arg a = arg_get(t, t->args, conds[i].arg);
        if (a.kind == ARG_DYNAMIC)
            continue;
        const char *v = arg_str(t, t->args, conds[i].arg, NULL, &loc);
        if (v)
            json_object_set_new(cond, conds[i].op, json_pack("{s:s}", conds[i].key, v));
    }
    if (!json_object_size(cond)) {
        json_decref(cond);
        cond = NULL;
    }
    grant1(t->b, "HttpInvoke", "HttpInvoke",
           (const char *const[]){t->integ->action, NULL}, cond,
           "arn:%s:states:%s:%s:stateMachine:%s", c->partition, c->region, c->account_id,
           c->state_machine_name);

    struct arg auth = arg_get(t, t->args, "Authentication");
    if (auth.kind == ARG_DYNAMIC) {
        fail_dynamic(t, auth.loc, auth.field, auth.sfx);
        return;
    }
    if (auth.kind == ARG_ABSENT || !json_is_object(auth.val)) {
        fail_target(t, auth.loc, "'Authentication' with a ConnectionArn is missing");
        return;
    }
    const char *conn = arg_str(t, auth.val, "ConnectionArn", NULL, &loc);
    struct arn arn = {0};
    if (!conn)
        return;
    if (!arn_parse_as(&arn, conn, "events", "connection/")) {
        fail_target(t, loc, "ConnectionArn '%s' is not an EventBridge connection ARN",
                    conn);
        arn_release(&arn);
        return;
    }
    const char *name = arn.resource + strlen("connection/");
    int n = (int)strcspn(name, "/");
    if (name[n])
        grant1(t->b, "HttpConnection", "HttpConnection", A_HTTP_CONN, NULL, "%s", conn);
    else
        grant1(t->b, "HttpConnection", "HttpConnection", A_HTTP_CONN, NULL, "%s/*", conn);
    grant1(t->b, "HttpConnectionSecret", "HttpConnectionSecret", A_HTTP_SECRET, NULL,
           "arn:%s:secretsmanager:%s:%s:secret:events!connection/%.*s/*", arn.partition,
           arn.region, arn.account, n, name);
    arn_release(&arn);
}

/* ---- aws-sdk ----------------------------------------------------------------------- */

/* SDK service names whose IAM prefix differs (aws-facts.md 2.1, aws-sdk row). */
static const struct {
    const char *sdk, *iam;
} sdk_prefixes[] = {
    {"sfn", "states"},
    {"cloudwatchlogs", "logs"},
    {"efs", "elasticfilesystem"},
    {"mwaa", "airflow"},
    {"mediapackagevod", "mediapackage-vod"},
    {"elasticloadbalancingv2", "elasticloadbalancing"},
};

/* SDK calls authorised by an IAM action of another name. */
static const struct {
    const char *call, *iam;
} sdk_actions[] = {
    {"s3:listBuckets", "s3:ListAllMyBuckets"},
    {"s3:listObjects", "s3:ListBucket"},
    {"s3:listObjectsV2", "s3:ListBucket"},
    {"s3:listObjectVersions", "s3:ListBucketVersions"},
    {"s3:headObject", "s3:GetObject"},
    {"s3:headBucket", "s3:ListBucket"},
    {"s3:deleteObjects", "s3:DeleteObject"},
    {"lambda:invoke", "lambda:InvokeFunction"},
};

/* Appends s with its first letter upper-cased and anything but letters/digits dropped. */
static void add_pascal(struct strbuf *sb, const char *s)
{
    bool first = true;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s))
            continue;
        strbuf_addch(sb, first ? (char)toupper((unsigned char)*s) : *s);
        first = false;
    }
}

/* `call` is "service:apiAction" from "arn:{p}:states:::aws-sdk:service:apiAction". */
static void aws_sdk(struct task *t, const char *resource, const char *call)
{
    size_t sn = strcspn(call, ":");
    const char *action = call + sn + (call[sn] ? 1 : 0);
    if (!call[sn] || !name_ok(call, sn, "") || !name_ok(action, strlen(action), "")) {
        fail_unknown(t, resource,
                     "aws-sdk resource is not aws-sdk:{service}:{apiAction}");
        return;
    }
    struct strbuf act = STRBUF_INIT, sid = STRBUF_INIT;
    for (size_t i = 0; i < ARRAY_SIZE(sdk_actions) && !act.len; i++)
        if (!strcmp(sdk_actions[i].call, call))
            strbuf_adds(&act, sdk_actions[i].iam);
    if (!act.len) {
        const char *prefix = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(sdk_prefixes) && !prefix; i++)
            if (strlen(sdk_prefixes[i].sdk) == sn &&
                !strncmp(sdk_prefixes[i].sdk, call, sn))
                prefix = sdk_prefixes[i].iam;
        if (prefix)
            strbuf_adds(&act, prefix);
        else
            strbuf_add(&act, call, sn);
        strbuf_addch(&act, ':');
        add_pascal(&act, action);
    }
    strbuf_adds(&sid, "AwsSdk");
    char *svc = xstrndup(call, sn);
    add_pascal(&sid, svc);
    add_pascal(&sid, action);
    free(svc);
    /* aws-sdk resources differ per API; no general derivation exists, so "*". */
    grant1(t->b, sid.buf, sid.buf, (const char *const[]){act.buf, NULL}, NULL, "*");
    strbuf_release(&act);
    strbuf_release(&sid);
}

/* ---- Task dispatch ----------------------------------------------------------------- */

/*
 * With Credentials the Task runs as another role: the execution role only needs to
 * assume it, and the integration's permissions belong to that role.
 */
static bool task_credentials(struct task *t)
{
    const json_t *cred = json_object_get(t->state, "Credentials");
    if (!cred)
        return false;
    struct loc loc;
    if (!json_is_object(cred)) {
        fail_dynamic(t, member_loc(t->b, t->state, "Credentials"), "Credentials", "");
        return true;
    }
    const char *role = arg_str(t, cred, "RoleArn", NULL, &loc);
    if (role)
        grant1(t->b, "AssumeTaskCredentialsRole", "AssumeTaskCredentialsRole",
               A_STS_ASSUME, NULL, "%s", role);
    return true;
}

/* Splits the pattern suffix off an integration name; returns the name's length. */
static size_t split_pattern(const char *s, unsigned *pattern)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        size_t k = strlen(suffixes[i].suffix);
        if (n > k && !strcmp(s + n - k, suffixes[i].suffix)) {
            *pattern = suffixes[i].pattern;
            return n - k;
        }
    }
    *pattern = P_RR;
    return n;
}

static const char *pattern_name(unsigned p)
{
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
        if (suffixes[i].pattern == p)
            return suffixes[i].suffix;
    return "request-response";
}

/* Optimized integration or aws-sdk: `rest` follows "arn:{p}:states:::". */
static void service_task(struct task *t, const char *resource, const char *rest,
                         bool creds)
{
    struct builder *b = t->b;
    size_t n = split_pattern(rest, &t->pattern);
    if (!strncmp(rest, "aws-sdk:", 8)) {
        if (t->pattern == P_SYNC || t->pattern == P_SYNC2) {
            diag_add(
                b->dl, D_IAM_SDK_SYNC, member_loc(b, t->state, "Resource"),
                "'%s' in state '%s' uses %s, which aws-sdk integrations do not support",
                resource, t->name, pattern_name(t->pattern));
            diag_note(b->dl, "use the request-response form or .waitForTaskToken");
            b->failed = true;
            return;
        }
        char *call = xstrndup(rest + 8, n - 8);
        if (!creds)
            aws_sdk(t, resource, call);
        free(call);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(integs); i++) {
        if (strlen(integs[i].name) != n || strncmp(integs[i].name, rest, n))
            continue;
        t->integ = &integs[i];
        if (!(integs[i].patterns & t->pattern)) {
            char *why = xasprintf("'%s' does not support the %s pattern", integs[i].name,
                                  pattern_name(t->pattern));
            fail_unknown(t, resource, why);
            free(why);
        } else if (!creds) {
            integs[i].fn(t);
        }
        return;
    }
    fail_unknown(t, resource, "no IAM policy is known for this integration");
}

static void task_state(struct builder *b, const char *name, const json_t *state,
                       bool jsonata)
{
    struct task t;
    init_task(&t, b, name, state, jsonata);
    const char *res = json_string_value(json_object_get(state, "Resource"));
    if (!res)
        return; /* the validator reports a missing Resource */
    if (strstr(res, "{%")) {
        fail_dynamic(&t, member_loc(b, state, "Resource"), "Resource", "");
        return;
    }
    bool creds = task_credentials(&t);
    struct arn arn = {0};
    if (!arn_parse(&arn, res)) {
        fail_unknown(&t, res, "Task resource is not an ARN");
    } else if (!strcmp(arn.service, "states") && !*arn.region && !*arn.account) {
        service_task(&t, res, strstr(res, ":::") + 3, creds);
    } else if (!strcmp(arn.service, "lambda")) {
        if (!creds)
            legacy_lambda(&t, res);
    } else if (!strcmp(arn.service, "states") && !strncmp(arn.resource, "activity:", 9)) {
        /* Activity workers poll with their own credentials; the role needs nothing. */
    } else {
        fail_unknown(&t, res, "no IAM policy is known for this Task resource");
    }
    arn_release(&arn);
}

/* ---- Map: distributed runs, ItemReader, ResultWriter ------------------------------- */

/* "arn:{p}:states:::s3:<call>" for a reader/writer; returns <call> or NULL. */
static const char *s3_call(const char *res)
{
    struct arn arn = {0};
    bool ok = arn_parse(&arn, res) && !strcmp(arn.service, "states") && !*arn.region &&
              !*arn.account && !strncmp(arn.resource, "s3:", 3);
    arn_release(&arn);
    return ok ? strstr(res, ":::s3:") + 6 : NULL;
}

/*
 * Reader and writer objects name a Resource and Bucket/Key/Prefix arguments. A Key or
 * Prefix computed at run time widens the grant to the bucket's objects; a Bucket
 * computed at run time cannot be derived.
 */
static const char *s3_key(struct task *t, const char *key)
{
    struct arg a = arg_get(t, t->args, key);
    if (a.kind != ARG_LITERAL || !json_is_string(a.val))
        return NULL;
    return json_string_value(a.val);
}

/* S3 inventory manifest ".../{date}/manifest.json" lists data files under ".../data/". */
static void inventory_data(struct strv *res, const char *p, const char *bucket,
                           const char *key)
{
    const char *last = strrchr(key, '/');
    size_t keep = 0;
    if (last) {
        for (const char *s = last; s > key; s--)
            if (s[-1] == '/') {
                keep = (size_t)(s - key);
                break;
            }
    }
    strv_pushf(res, "arn:%s:s3:::%s/%.*sdata/*", p, bucket, (int)keep, key);
}

static void item_reader(struct builder *b, const char *name, const json_t *reader,
                        bool jsonata)
{
    const char *p = b->ctx->partition;
    struct task t;
    struct loc loc;
    init_task(&t, b, name, reader, jsonata);
    const char *res = json_string_value(json_object_get(reader, "Resource"));
    if (!res)
        return;
    const char *call = s3_call(res);
    if (strstr(res, "{%")) {
        fail_dynamic(&t, member_loc(b, reader, "Resource"), "Resource", "");
    } else if (call && !strcmp(call, "listObjectsV2")) {
        const char *bucket = arg_str(&t, t.args, "Bucket", NULL, &loc);
        if (bucket)
            grant1(b, "ItemReaderListBucket", "ItemReaderListBucket", A_S3_LIST, NULL,
                   "arn:%s:s3:::%s", p, bucket);
    } else if (call && !strcmp(call, "getObject")) {
        const char *bucket = arg_str(&t, t.args, "Bucket", NULL, &loc),
                   *key = s3_key(&t, "Key");
        if (!bucket)
            return;
        struct strv objs = {0};
        strv_pushf(&objs, "arn:%s:s3:::%s/%s", p, bucket, key ? key : "*");
        const json_t *rc = json_object_get(reader, "ReaderConfig");
        const char *type = json_string_value(json_object_get(rc, "InputType"));
        if (key && type && !strcmp(type, "MANIFEST"))
            inventory_data(&objs, p, bucket, key);
        grant(b, "ItemReaderGetObject", "ItemReaderGetObject", A_S3_GET, &objs, NULL);
    } else {
        fail_unknown(&t, res, "no IAM policy is known for this ItemReader resource");
    }
}

static void result_writer(struct builder *b, const char *name, const json_t *writer,
                          bool jsonata)
{
    struct task t;
    struct loc loc;
    init_task(&t, b, name, writer, jsonata);
    const char *res = json_string_value(json_object_get(writer, "Resource"));
    if (!res)
        return; /* a WriterConfig-only writer writes nothing to S3 */
    const char *call = s3_call(res);
    if (strstr(res, "{%")) {
        fail_dynamic(&t, member_loc(b, writer, "Resource"), "Resource", "");
        return;
    }
    if (!call || strcmp(call, "putObject")) {
        fail_unknown(&t, res, "no IAM policy is known for this ResultWriter resource");
        return;
    }
    const char *bucket = arg_str(&t, t.args, "Bucket", NULL, &loc),
               *prefix = s3_key(&t, "Prefix");
    if (!bucket)
        return;
    size_t pn = prefix ? strlen(prefix) : 0;
    while (pn && prefix[pn - 1] == '/')
        pn--;
    if (pn)
        grant1(b, "ResultWriterPutObject", "ResultWriterPutObject", A_S3_WRITE, NULL,
               "arn:%s:s3:::%s/%.*s/*", b->ctx->partition, bucket, (int)pn, prefix);
    else
        grant1(b, "ResultWriterPutObject", "ResultWriterPutObject", A_S3_WRITE, NULL,
               "arn:%s:s3:::%s/*", b->ctx->partition, bucket);
}

static void walk_machine(struct builder *b, const json_t *machine, bool jsonata);

static bool query_language(const json_t *obj, bool inherited)
{
    const char *ql = json_string_value(json_object_get(obj, "QueryLanguage"));
    return ql ? !strcmp(ql, "JSONata") : inherited;
}

/*
 * A distributed Map starts child executions of this very state machine, named
 * "{sm}/{label}:{id}": start on the machine, describe/stop/redrive on its children.
 */
static void map_state(struct builder *b, const char *name, const json_t *state,
                      bool jsonata)
{
    const struct iam_ctx *c = b->ctx;
    const json_t *proc = json_object_get(state, "ItemProcessor");
    if (!proc)
        proc = json_object_get(state, "Iterator");
    const json_t *pc = json_object_get(proc, "ProcessorConfig");
    const char *mode = json_string_value(json_object_get(pc, "Mode"));
    if (mode && !strcmp(mode, "DISTRIBUTED")) {
        grant1(b, "DistributedMapStartExecution", "StatesStartExecution", A_SFN_START,
               NULL, "arn:%s:states:%s:%s:stateMachine:%s", c->partition, c->region,
               c->account_id, c->state_machine_name);
        grant1(b, "DistributedMapChildExecutions", "DistributedMapChildExecutions",
               A_DMAP_CHILD, NULL, "arn:%s:states:%s:%s:execution:%s/*", c->partition,
               c->region, c->account_id, c->state_machine_name);
    }
    const json_t *reader = json_object_get(state, "ItemReader");
    if (json_is_object(reader))
        item_reader(b, name, reader, jsonata);
    const json_t *writer = json_object_get(state, "ResultWriter");
    if (json_is_object(writer))
        result_writer(b, name, writer, jsonata);
    if (json_is_object(proc))
        walk_machine(b, proc, jsonata);
}

/* Visits the states of a machine, branch or processor in definition order. */
static void walk_machine(struct builder *b, const json_t *machine, bool jsonata)
{
    const json_t *states = json_object_get(machine, "States");
    jsonata = query_language(machine, jsonata);
    const char *name;
    const json_t *st;
    json_object_foreach((json_t *)states, name, st)
    {
        const char *type = json_string_value(json_object_get(st, "Type"));
        bool ql = query_language(st, jsonata);
        if (!type)
            continue;
        if (!strcmp(type, "Task")) {
            task_state(b, name, st, ql);
        } else if (!strcmp(type, "Map")) {
            map_state(b, name, st, ql);
        } else if (!strcmp(type, "Parallel")) {
            size_t i;
            const json_t *br;
            json_array_foreach(json_object_get(st, "Branches"), i, br)
                walk_machine(b, br, ql);
        }
    }
}

/* ---- the document ------------------------------------------------------------------ */

static void machine_grants(struct builder *b)
{
    const struct iam_ctx *c = b->ctx;
    if (c->log_group_name) {
        /* Log delivery APIs take no resource; writing is scoped to the group. */
        grant1(b, "Logging", "Logging", A_LOGS_DELIVERY, NULL, "*");
        struct strv res = {0};
        strv_pushf(&res, "arn:%s:logs:%s:%s:log-group:%s", c->partition, c->region,
                   c->account_id, c->log_group_name);
        strv_pushf(&res, "arn:%s:logs:%s:%s:log-group:%s:*", c->partition, c->region,
                   c->account_id, c->log_group_name);
        grant(b, "LoggingWrite", "LoggingWrite", A_LOGS_WRITE, &res, NULL);
    }
    if (c->tracing)
        grant1(b, "XRay", "XRay", A_XRAY, NULL, "*");
}

/* A Sid not yet in `used` (which it joins): base, base2, base3, ... */
static char *unique_sid(struct strv *used, const char *base)
{
    char *sid = xstrdup(base);
    for (unsigned n = 2; strv_has(used, sid); n++) {
        free(sid);
        sid = xasprintf("%s%u", base, n);
    }
    strv_push(used, xstrdup(sid));
    return sid;
}

static json_t *stmt_json(struct stmt *s, struct strv *used)
{
    strv_sort_uniq(&s->actions);
    strv_sort_uniq(&s->resources);
    if (strv_has(&s->resources, "*")) {
        strv_release(&s->resources);
        strv_push(&s->resources, xstrdup("*"));
    }
    char *sid = unique_sid(used, s->mixed ? s->group : s->sid);
    json_t *o = json_object();
    json_object_set_new(o, "Sid", json_string(sid));
    json_object_set_new(o, "Effect", json_string("Allow"));
    json_object_set_new(o, "Action", strv_to_json(&s->actions));
    json_object_set_new(o, "Resource", strv_to_json(&s->resources));
    if (s->cond)
        json_object_set(o, "Condition", s->cond);
    free(sid);
    return o;
}

/* Characters IAM counts against the inline policy limit: all but whitespace. */
static size_t policy_chars(const json_t *policy)
{
    char *text = jout_compact(policy);
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++)
        n += !isspace(*s) && (*s & 0xC0) != 0x80;
    free(text);
    return n;
}

static json_t *build_document(struct builder *b)
{
    const json_t *extra = json_is_array(b->ctx->iam_extra) ? b->ctx->iam_extra : NULL;
    struct strv used = {0};
    size_t i;
    const json_t *e;
    json_array_foreach(extra, i, e)
    {
        const char *sid = json_string_value(json_object_get(e, "Sid"));
        if (sid)
            strv_push(&used, xstrdup(sid));
    }
    json_t *stmts = json_array();
    for (i = 0; i < b->nst; i++)
        json_array_append_new(stmts, stmt_json(&b->st[i], &used));
    json_array_foreach(extra, i, e) json_array_append_new(stmts, json_deep_copy(e));
    strv_release(&used);
    if (!json_array_size(stmts)) {
        /*
         * No Task, logging or tracing: the role needs nothing. IAM rejects a policy
         * without statements (MalformedPolicyDocument), so state that explicitly with
         * a Deny of everything: it grants nothing, keeps the Terraform wiring the same
         * for every workflow, and cannot be widened by accident.
         */
        json_array_append_new(stmts, json_pack("{s:s,s:s,s:[s],s:[s]}", "Sid",
                                               "NoPermissionsNeeded", "Effect", "Deny",
                                               "Action", "*", "Resource", "*"));
    }
    return json_pack("{s:s,s:o}", "Version", "2012-10-17", "Statement", stmts);
}

json_t *iam_policy_new(const struct iam_ctx *ctx, const struct ydoc *doc,
                       const json_t *asl, struct diag_list *dl)
{
    if (!ctx->partition || !ctx->region || !ctx->account_id || !ctx->state_machine_name)
        BUG("iam_policy_new: partition, region, account and machine name are required");
    struct builder b = {.ctx = ctx, .doc = doc, .dl = dl};
    walk_machine(&b, asl, false);
    machine_grants(&b);
    json_t *policy = build_document(&b);
    builder_release(&b);
    size_t chars = policy_chars(policy);
    if (chars > IAM_POLICY_MAX_CHARS) {
        diag_add(
            dl, D_IAM_POLICY_SIZE, doc ? yload_file_loc(doc) : no_loc(),
            "execution-role policy has %zu characters, over the IAM limit of %d by %zu",
            chars, IAM_POLICY_MAX_CHARS, chars - IAM_POLICY_MAX_CHARS);
        diag_note(dl,
                  "whitespace is not counted; split the workflow or grant part of the "
                  "access through a managed policy");
        b.failed = true;
    }
    if (b.failed) {
        json_decref(policy);
        return NULL;
    }
    return policy;
}
